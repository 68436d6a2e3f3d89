//! Studies: what pactsim computes from runs of a scenario, as library functions below the
//! command line and the live page. A run's [`Summary`]; a comparison of variants ([`compare`]);
//! a sweep over a design ([`sweep`]); Morris and Sobol sensitivity ([`sensitivity`]); a fit to
//! targets ([`fit`]); a backtest on alliance history and its era split ([`backtest`]); the
//! merge of a run's shards ([`merge`]).
//!
//! A study takes a parsed scenario (or data and a range of years) and options, reports its
//! progress through [`Progress`] (so the CLI's progress bar and the server's cancellable jobs
//! can both drive it), and returns a result type. It sits above [`crate::run`] and below the
//! writers: [`crate::report`] writes its results (and reads saved ones back for it),
//! [`crate::plot`] draws them and [`crate::pages`] puts both on a page; nothing here calls up
//! into them.

pub mod backtest;
pub mod compare;
pub mod estimate;
pub mod fit;
pub mod merge;
pub mod proposal;
pub mod sensitivity;
pub mod summary;
pub mod sweep;

use crate::backtest::BacktestError;
use crate::run::MergeError;
use crate::scenario::sweep::SweepError;
use crate::scenario::{PactId, Scenario, ScenarioError, Source, StateId};

pub use summary::{EventInfo, FormedInfo, KindInfo, Membership, PactInfo, StateInfo, Summary, TargetResult, percent};

/// What can go wrong in a study. Each variant says what the user gave that is wrong, naming
/// the option, file or point.
#[derive(Debug, thiserror::Error)]
pub enum StudyError {
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    #[error(transparent)]
    Sweep(#[from] SweepError),
    #[error(transparent)]
    Backtest(#[from] BacktestError),
    #[error(transparent)]
    Merge(#[from] MergeError),
    #[error(transparent)]
    Unknown(#[from] Unknown),
    /// An option out of range, or inputs that do not go together.
    #[error("{0}")]
    Invalid(String),
    /// A `--variant` that does not parse.
    #[error("--variant `{spec}`: {message}")]
    Variant { spec: String, message: String },
    /// An error at one place of a study (a point of a design, a variant), named.
    #[error("{context}")]
    At {
        context: String,
        #[source]
        source: Box<StudyError>,
    },
    /// The files of a result (a shard, a run directory) could not be read or written, by the
    /// caller that reads and writes them.
    #[error(transparent)]
    Files(Box<dyn std::error::Error + Send + Sync>),
    /// The caller's [`Progress`] asked the study to stop.
    #[error("the study was cancelled")]
    Cancelled,
}

impl StudyError {
    /// `self`, said to have happened at `context`.
    pub fn at(self, context: impl Into<String>) -> StudyError {
        StudyError::At {
            context: context.into(),
            source: Box::new(self),
        }
    }

    /// An error reading or writing a result's files (from the layer that does).
    pub fn files(e: impl std::error::Error + Send + Sync + 'static) -> StudyError {
        StudyError::Files(Box::new(e))
    }
}

/// How a study reports its progress, and learns that it should stop.
///
/// `start` announces `total` steps of `unit` (replicates, points, start years) to come (a study
/// may call it again for another stage); `message` says what it is doing now; `advance` counts
/// `n` steps done (0: none, but a chance to show the progress). `advance` may be called from
/// any thread. A study that sees `cancelled` stops at its next chance (between variants,
/// points or start years) and returns [`StudyError::Cancelled`].
pub trait Progress: Sync {
    fn start(&self, total: u64, unit: &str);
    fn message(&self, _text: &str) {}
    fn advance(&self, n: u64);
    fn cancelled(&self) -> bool {
        false
    }
}

/// No progress shown, never cancelled.
pub struct Silent;

impl Progress for Silent {
    fn start(&self, _total: u64, _unit: &str) {}
    fn advance(&self, _n: u64) {}
}

/// A scenario file as text: a study re-reads it with each point's `--set`s.
pub fn read_file(path: &std::path::Path) -> Result<Source, ScenarioError> {
    let text = std::fs::read_to_string(path).map_err(|source| ScenarioError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    Ok(Source {
        path: path.to_path_buf(),
        text,
    })
}

/// A file-name-safe form of an id: letters, digits, `-` and `_` kept, anything else `_`.
pub fn file_safe(id: &str) -> String {
    let s: String = id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if s.is_empty() { "_".to_string() } else { s }
}

/// A file-name-safe name for a scenario file or run directory: its stem.
pub fn file_stem(path: &std::path::Path) -> String {
    let name = path
        .file_stem()
        .or_else(|| path.file_name())
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "run".into());
    file_safe(&name)
}

/// [`StudyError::Cancelled`] if `progress` asks to stop.
pub(crate) fn check_cancelled(progress: &dyn Progress) -> Result<(), StudyError> {
    if progress.cancelled() {
        return Err(StudyError::Cancelled);
    }
    Ok(())
}

/// Plays the replicates of `spec` (counted in `progress`, with the scenario's name as the
/// message), also recording every replicate's memberships after each of `rounds` (none: an
/// empty table).
pub fn simulate(
    sc: &Scenario,
    spec: &crate::run::RunSpec,
    rounds: &[u32],
    progress: &dyn Progress,
) -> (crate::run::RunResult, crate::run::Outcomes) {
    progress.start(spec.replicates.end - spec.replicates.start, "replicates");
    progress.message(&sc.name);
    crate::run::run_with_outcomes(sc, spec, rounds, &|n| progress.advance(n))
}

/// The replicate count and master seed of a study of `sc`: those given, else the scenario's
/// own (`[scenario] runs` and `seed`).
pub fn replicates(sc: &Scenario, runs: Option<u32>, seed: Option<u64>) -> Result<(u32, u64), StudyError> {
    let runs = runs.unwrap_or(sc.runs);
    if runs == 0 {
        return Err(StudyError::Invalid("--runs must be at least 1".into()));
    }
    Ok((runs, seed.unwrap_or(sc.seed)))
}

/// A state or pact id the scenario does not have, with the ids it has.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("no {kind} `{id}`{place}; {}", valid(kind, ids))]
pub struct Unknown {
    /// `state` or `pact`.
    pub kind: &'static str,
    pub id: String,
    /// Where it was looked for (` in FILE`), or empty.
    pub place: String,
    pub ids: Vec<String>,
}

fn valid(kind: &str, ids: &[String]) -> String {
    if ids.is_empty() {
        format!("it has no [[{kind}]]")
    } else {
        format!("{kind}s: {}", ids.join(", "))
    }
}

impl Unknown {
    /// The same, said to be missing from `place` (a file).
    pub fn in_file(mut self, place: &std::path::Path) -> Unknown {
        self.place = format!(" in {}", place.display());
        self
    }
}

/// The state `id` of `sc`, or an error listing the states there are.
pub fn state(sc: &Scenario, id: &str) -> Result<StateId, Unknown> {
    sc.state_by_id(id).ok_or_else(|| Unknown {
        kind: "state",
        id: id.to_string(),
        place: String::new(),
        ids: sc.states.iter().map(|s| s.id.clone()).collect(),
    })
}

/// The pact `id` of `sc`, or an error listing the pacts there are.
pub fn pact(sc: &Scenario, id: &str) -> Result<PactId, Unknown> {
    sc.pact_by_id(id).ok_or_else(|| Unknown {
        kind: "pact",
        id: id.to_string(),
        place: String::new(),
        ids: sc.pacts.iter().map(|p| p.id.clone()).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_ids_list_the_valid_ones() {
        let e = Unknown {
            kind: "state",
            id: "FNI".into(),
            place: String::new(),
            ids: vec!["FIN".into(), "SWE".into()],
        };
        assert_eq!(e.to_string(), "no state `FNI`; states: FIN, SWE");
        let e = Unknown {
            kind: "pact",
            id: "NATO".into(),
            place: String::new(),
            ids: Vec::new(),
        }
        .in_file(std::path::Path::new("a.toml"));
        assert_eq!(e.to_string(), "no pact `NATO` in a.toml; it has no [[pact]]");
    }
}
