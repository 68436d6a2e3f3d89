//! A run directory, written whole: the results (`summary.json`, `tally.json`, the CSV tables,
//! the resolved scenario) and, if asked, the charts and `report.html`. `pactsim run`, `merge`
//! and the live page's "Save run" all write through [`write_run`], so they write the same files.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::plot;
use crate::report::{self, Staging, Summary};
use crate::run::{self, RunResult};
use crate::scenario::Scenario;

/// Where decisions.csv comes from.
pub enum DecisionRows<'a> {
    /// Decisions logged by this run.
    Logged(&'a [run::LoggedDecision]),
    /// The decisions.csv files of shards, in replicate order.
    Shards(&'a [PathBuf]),
}

/// Writes every file of a run into `out`, atomically: results, and (with `charts`) charts/ and
/// report.html.
pub fn write_run(out: &Path, sc: &Scenario, result: &RunResult, charts: bool) -> Result<Summary> {
    write_run_from(out, sc, result, DecisionRows::Logged(&result.decisions), charts)
}

pub fn write_run_from(out: &Path, sc: &Scenario, result: &RunResult, decisions: DecisionRows, charts: bool) -> Result<Summary> {
    let summary = Summary::new(sc, &result.tally, result.seed);
    let staging = Staging::new(out)?;
    let dir = staging.path();
    std::fs::write(dir.join("scenario.resolved.toml"), &sc.resolved_toml).context("writing scenario.resolved.toml")?;
    report::json::write_summary(dir, &summary)?;
    report::json::write_tally(dir, &result.tally)?;
    report::csv::write_memberships(dir, &summary)?;
    match decisions {
        DecisionRows::Logged(d) => report::csv::write_decisions(dir, sc, d)?,
        DecisionRows::Shards(files) => report::csv::concat_decisions(dir, files)?,
    }
    if charts {
        let charts = plot::draw_run(&dir.join("charts"), &summary, &result.tally)?;
        report::html::write_run_report(dir, &summary, sc, &charts)?;
    }
    staging.commit()?;
    Ok(summary)
}
