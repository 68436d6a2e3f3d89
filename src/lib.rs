//! pactsim: an alliance scenario simulator.
//!
//! Layers look only down: [`scenario`] (TOML → validated [`scenario::Scenario`]) → [`model`]
//! (pure state and rules) → [`run`] (replicates, seeding, exact aggregation) → [`study`] (what is
//! computed from runs: a run's summary, comparisons, sweeps, sensitivity, fits, backtests, merges
//! of shards) → [`report`] (JSON/CSV writers) and [`plot`] (charts), which do not know each other
//! → [`pages`] (the HTML pages, results with their charts) and [`output`] (a run directory) →
//! [`cli`] (the thin command line) and [`serve`] (the live page and its JSON API).
//! [`data`] and [`backtest`] sit beside [`scenario`] and call down into it and [`run`]; [`draw`]
//! (random draws and the named streams of a seed) sits below everything that draws. [`story`]
//! picks and replays one replicate for `cli` and `serve`, above [`run`] and [`query`].

pub mod backtest;
pub mod cli;
pub mod data;
pub mod draw;
pub mod model;
pub mod output;
pub mod pages;
pub mod plot;
pub mod query;
pub mod report;
pub mod run;
pub mod scenario;
pub mod serve;
pub mod story;
pub mod study;
