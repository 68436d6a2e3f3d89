//! Results read back from the directories this layer wrote: a run directory (for `compare`), a
//! run's shards and a sweep's shards (for `merge`). The studies that use them
//! ([`crate::study`]) take what is read here and never read files of results themselves.

use std::path::{Path, PathBuf};

use super::sweep::Manifest;
use super::{ReportError, json, outcomes};
use crate::run::Tally;
use crate::study::compare::SavedRun;
use crate::study::merge::RunShard;
use crate::study::sweep::SweepShard;

/// `dir`, said not to be a directory of `kind` (run, sweep) because of `source`.
fn not_a<'a>(dir: &'a Path, kind: &'static str) -> impl FnOnce(ReportError) -> ReportError + 'a {
    move |source| ReportError::NotA {
        dir: dir.to_path_buf(),
        kind,
        source: Box::new(source),
    }
}

/// A run directory: its summary.json, and tally.json and the resolved scenario where present.
pub fn run_dir(dir: &Path) -> Result<SavedRun, ReportError> {
    let summary_path = dir.join("summary.json");
    if !summary_path.is_file() {
        return Err(ReportError::Missing {
            dir: dir.to_path_buf(),
            file: "summary.json",
            kind: "run",
        });
    }
    let tally_path = dir.join("tally.json");
    let tally = if tally_path.is_file() {
        Some(json::read(&tally_path)?)
    } else {
        None
    };
    Ok(SavedRun {
        dir: dir.to_path_buf(),
        summary: json::read(&summary_path)?,
        tally,
        resolved: std::fs::read_to_string(dir.join("scenario.resolved.toml")).ok(),
    })
}

/// A shard of a run (`run --shard K/N`): its summary, tally and outcomes.bin (if it has one).
pub fn run_shard(dir: &Path) -> Result<RunShard, ReportError> {
    let summary = json::read(&dir.join("summary.json")).map_err(not_a(dir, "run"))?;
    let tally = json::read(&dir.join("tally.json"))?;
    let path = dir.join(outcomes::FILE);
    let outcomes = if path.exists() {
        let table = outcomes::read(&path)?.table;
        Some((path, table))
    } else {
        None
    };
    Ok(RunShard {
        dir: dir.to_path_buf(),
        summary,
        tally,
        outcomes,
    })
}

/// Whether `dir` holds a sweep (or a shard of one) rather than a run.
pub fn is_sweep(dir: &Path) -> bool {
    dir.join("sweep.json").is_file()
}

/// What a sweep's (or a shard's) sweep.json says of it.
pub fn sweep_shard(dir: &Path) -> Result<SweepShard, ReportError> {
    let m: Manifest = json::read(&dir.join("sweep.json")).map_err(not_a(dir, "sweep"))?;
    Ok(SweepShard {
        dir: dir.to_path_buf(),
        scenario: m.scenario,
        version: m.version,
        seed: m.seed,
        runs: m.runs,
        sets: m.set,
        specs: m.parameters.into_iter().map(|p| p.spec).collect(),
        design: m.design,
        variants: m.variants.len(),
        shard: m.shard,
    })
}

/// The file holding the tally of variant `index` in a sweep shard's directory.
fn tally_file(dir: &Path, index: usize) -> PathBuf {
    dir.join("tallies").join(format!("{index:05}.json"))
}

/// The tally of variant `index` of a sweep shard.
pub fn sweep_tally(dir: &Path, index: usize) -> Result<Tally, ReportError> {
    json::read(&tally_file(dir, index))
}

/// Writes the tally of variant `index` into a sweep shard's directory `dir` (creating
/// `tallies/` for the first).
pub fn write_sweep_tally(dir: &Path, index: usize, tally: &Tally) -> Result<(), ReportError> {
    let path = tally_file(dir, index);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(super::io_err(parent))?;
    }
    json::write(&path, tally)
}
