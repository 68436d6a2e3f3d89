//! pactsim: an alliance scenario simulator.
//!
//! Layers look only down: [`scenario`] (TOML → validated [`scenario::Scenario`]) → [`model`]
//! (pure state and rules) → [`run`] (replicates, seeding, exact aggregation) → [`report`]
//! (JSON/CSV writers) and [`plot`] (charts) → [`cli`] (the thin command line).

pub mod backtest;
pub mod cli;
pub mod data;
pub mod model;
pub mod plot;
pub mod report;
pub mod run;
pub mod scenario;
