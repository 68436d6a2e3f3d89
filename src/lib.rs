//! pactsim: an alliance scenario simulator.
//!
//! Layers look only down: [`scenario`] (TOML → validated [`scenario::Scenario`]) → [`model`]
//! (pure state and rules) → [`run`] (replicates, seeding, exact aggregation) → [`report`]
//! (JSON/CSV writers) and [`plot`] (charts) → [`cli`] (the thin command line) and [`serve`] (the
//! live page and its JSON API). [`compare`] computes a comparison of variants for both `cli` and
//! `serve`, above [`run`] and the run summary, below the chart and file writers; [`story`] picks
//! and replays one replicate for both, likewise.

pub mod backtest;
pub mod cli;
pub mod compare;
pub mod data;
pub mod model;
pub mod output;
pub mod plot;
pub mod query;
pub mod report;
pub mod run;
pub mod scenario;
pub mod serve;
pub mod story;
