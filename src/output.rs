//! A run directory, written whole: the results (`summary.json`, `tally.json`, the CSV tables,
//! the resolved scenario) and, if asked, the charts and `report.html`. `pactsim run`, `merge`
//! and the live page's "Save run" all write through [`write_run`], so they write the same files,
//! into a directory chosen by the same rules ([`report::outdir`], [`run_destination`]).

use std::ops::Range;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::report::{self, Committed, Destination, Identity, Staging};
use crate::run::{self, RunResult};
use crate::scenario::Scenario;
use crate::study::Summary;
use crate::{pages, plot};

/// Where decisions.csv comes from.
pub enum DecisionRows<'a> {
    /// Decisions logged by this run.
    Logged(&'a [run::LoggedDecision]),
    /// The decisions.csv files of shards, in replicate order.
    Shards(&'a [PathBuf]),
}

/// The replicates whose decisions a run writes to decisions.csv unless told otherwise
/// (`run --decisions`, and the live page's "Save run").
pub const DEFAULT_DECISIONS: u64 = 1000;

/// Where results go unless told otherwise (`--out`, `serve --output`, `runs DIR`).
pub const OUTPUT_DIR: &str = "output";

/// The default directory of a result named `name`: `output/<name>`.
pub fn default_dir_named(name: &str) -> PathBuf {
    Path::new(OUTPUT_DIR).join(name)
}

/// The default directory of results made from the scenario file `file`: `output/<file stem>`.
pub fn default_dir(file: &Path) -> PathBuf {
    let stem = file
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "run".into());
    default_dir_named(&stem)
}

/// `output/<file stem><suffix>`: the default directory of a study of `file` (`-sweep`, `-fit`, …).
pub fn default_dir_with(file: &Path, suffix: &str) -> PathBuf {
    let mut dir = default_dir(file).into_os_string();
    dir.push(suffix);
    PathBuf::from(dir)
}

/// What determines a run's numbers: the resolved scenario, the seed and the replicates.
pub fn run_identity(sc: &Scenario, seed: u64, replicates: &Range<u64>) -> Identity {
    Identity::new("run")
        .with("scenario", &sc.name)
        .with("scenario_hash", &sc.hash)
        .with("seed", seed)
        .with("runs", replicates.end - replicates.start)
        .with("replicates", format!("{}..{}", replicates.start, replicates.end))
}

/// The identity of a run that records outcomes at `rounds`: the run's, with the rounds added
/// unless they are the default (the last round only), so a default run keeps its identity.
pub fn with_outcome_rounds(identity: Identity, sc: &Scenario, rounds: &[u32]) -> Identity {
    if rounds == [sc.rounds] {
        identity
    } else {
        let list: Vec<String> = rounds.iter().map(u32::to_string).collect();
        identity.with("outcome_rounds", list.join(","))
    }
}

/// Where a run goes: `out` if given (checked), else `default` or its first free numbered sibling.
pub fn run_destination(out: Option<&Path>, default: &Path, identity: Identity, replace: bool) -> Result<Destination> {
    Ok(report::outdir::choose(out, default, identity, replace)?)
}

/// Writes every file of a run into `dest`, atomically: results, and (with `charts`) charts/ and
/// report.html.
pub fn write_run(dest: &Destination, sc: &Scenario, result: &RunResult, charts: bool) -> Result<(Summary, Committed)> {
    write_run_from(dest, sc, result, DecisionRows::Logged(&result.decisions), charts)
}

pub fn write_run_from(
    dest: &Destination,
    sc: &Scenario,
    result: &RunResult,
    decisions: DecisionRows,
    charts: bool,
) -> Result<(Summary, Committed)> {
    write_run_with(dest, sc, result, decisions, None, charts)
}

/// [`write_run_from`], also writing `outcomes.bin` when `outcomes` is given.
pub fn write_run_with(
    dest: &Destination,
    sc: &Scenario,
    result: &RunResult,
    decisions: DecisionRows,
    outcomes: Option<&run::Outcomes>,
    charts: bool,
) -> Result<(Summary, Committed)> {
    let summary = Summary::new(sc, &result.tally, result.seed);
    let staging = Staging::new(dest)?;
    fill_run(&staging, sc, result, &summary, decisions, outcomes, charts).map_err(|e| staging.user_error(e))?;
    let committed = staging.commit()?;
    Ok((summary, committed))
}

fn fill_run(
    staging: &Staging,
    sc: &Scenario,
    result: &RunResult,
    summary: &Summary,
    decisions: DecisionRows,
    outcomes: Option<&run::Outcomes>,
    charts: bool,
) -> Result<()> {
    let dir = staging.path();
    std::fs::write(dir.join("scenario.resolved.toml"), &sc.resolved_toml).context("writing scenario.resolved.toml")?;
    report::json::write_summary(dir, summary)?;
    report::json::write_tally(dir, &result.tally)?;
    report::csv::write_memberships(dir, summary)?;
    match decisions {
        DecisionRows::Logged(d) => report::csv::write_decisions(dir, sc, d)?,
        DecisionRows::Shards(files) => report::csv::concat_decisions(dir, files)?,
    }
    if let Some(table) = outcomes {
        report::outcomes::write(dir, sc, table)?;
    }
    if charts {
        let charts = plot::draw_run(&dir.join("charts"), summary, &result.tally)?;
        pages::write_run_report(dir, summary, sc, &charts)?;
    }
    Ok(())
}
