//! The merge of a run's shards (`pactsim run --shard K/N`): their tallies and outcome tables
//! joined in replicate order into exactly the result of one whole run.

use std::path::PathBuf;

use super::{StudyError, Summary};
use crate::run::{self, Outcomes, RunResult, Tally};
use crate::scenario::{self, Scenario};

/// A shard of a run as read back from its directory.
#[derive(Debug, Clone)]
pub struct RunShard {
    pub dir: PathBuf,
    pub summary: Summary,
    pub tally: Tally,
    /// Its outcomes.bin (path and table), if it has one (an older pactsim's shard has not).
    pub outcomes: Option<(PathBuf, Outcomes)>,
}

/// The shards of a run, merged.
#[derive(Debug, Clone)]
pub struct MergedRun {
    /// The scenario, from the first shard's `scenario.resolved.toml`.
    pub scenario: Scenario,
    /// The whole run's tally (no decisions: those are in the shards' decisions.csv).
    pub result: RunResult,
    pub outcomes: Option<Outcomes>,
    /// The shards' directories, in replicate order.
    pub dirs: Vec<PathBuf>,
}

/// Merges the shards of one run (given in any order): checks that they share scenario and seed,
/// that the scenario reproduces, and that they cover adjacent replicates.
pub fn runs(mut shards: Vec<RunShard>) -> Result<MergedRun, StudyError> {
    if shards.is_empty() {
        return Err(StudyError::Invalid("no shards to merge".into()));
    }
    shards.sort_by_key(|s| s.tally.first);
    let first = &shards[0];
    for s in &shards[1..] {
        if s.summary.scenario_hash != first.summary.scenario_hash || s.summary.seed != first.summary.seed {
            return Err(StudyError::Invalid(format!(
                "{} and {} are not shards of one run: their scenarios (hash) or seeds differ",
                first.dir.display(),
                s.dir.display()
            )));
        }
    }
    let sc = scenario::load(&first.dir.join("scenario.resolved.toml"), &[])?;
    if sc.hash != first.summary.scenario_hash {
        return Err(StudyError::Invalid(format!(
            "{} was written by another pactsim version (its scenario hash does not reproduce)",
            first.dir.display()
        )));
    }
    let seed = first.summary.seed;
    let dirs: Vec<PathBuf> = shards.iter().map(|s| s.dir.clone()).collect();
    let mut tallies = Vec::with_capacity(shards.len());
    let mut tables = Vec::with_capacity(shards.len());
    for s in shards {
        tallies.push(s.tally);
        tables.push((s.dir, s.outcomes));
    }
    let outcomes = join_outcomes(tables)?;
    let tally = run::merge_shards(tallies)?;
    Ok(MergedRun {
        scenario: sc,
        result: RunResult {
            seed,
            tally,
            decisions: Vec::new(),
        },
        outcomes,
        dirs,
    })
}

/// The outcome tables of shards (in replicate order) joined: None if no shard has one (an
/// older pactsim's); an error if only some do, or if they do not join.
fn join_outcomes(parts: Vec<(PathBuf, Option<(PathBuf, Outcomes)>)>) -> Result<Option<Outcomes>, StudyError> {
    let mut whole: Option<Outcomes> = None;
    let (mut with, mut without) = (Vec::new(), Vec::new());
    for (dir, part) in parts {
        let Some((path, part)) = part else {
            without.push(dir.display().to_string());
            continue;
        };
        with.push(dir.display().to_string());
        match &mut whole {
            None => whole = Some(part),
            Some(w) => w.append(&part).map_err(|e| {
                StudyError::from(e).at(format!(
                    "{}: its outcomes do not join the other shards' (record the same rounds: the same --outcomes-at)",
                    path.display()
                ))
            })?,
        }
    }
    if !with.is_empty() && !without.is_empty() {
        return Err(StudyError::Invalid(format!(
            "some shards have outcomes.bin ({}) and some do not ({}): run them all with one pactsim version",
            with.join(", "),
            without.join(", ")
        )));
    }
    Ok(whole)
}
