//! One replicate's story for `pactsim story` and the live page: which replicate (`--replicate K`,
//! or `--pick typical` / `--pick 'EXPR'` over a run of replicates), then its replay
//! ([`crate::run::story`]). Above [`crate::run`] and [`crate::query`] (whose expressions `--pick`
//! takes), below the writers and charts, as [`crate::compare`] is.

use crate::query::{self, Expr};
use crate::run::story::{self as tell, Pick, PickHow};
use crate::run::{self, Outcomes};
use crate::scenario::Scenario;

#[derive(Debug, thiserror::Error)]
pub enum StoryError {
    #[error(
        "--replicate {replicate}: out of range: a run of {runs} replicates (--runs, default the scenario's `runs`) has replicates 0 to {}",
        runs.saturating_sub(1)
    )]
    Replicate { replicate: u64, runs: u64 },
    #[error("--pick '{spec}': not `typical` nor an expression over {file}")]
    Expression {
        spec: String,
        file: String,
        #[source]
        source: Box<query::QueryError>,
    },
    #[error(
        "--pick '{spec}': `{when}` is not a round of {file}: give a label from {first} to {last}, `round N` with N from 0 to {rounds}, `start` or `end`"
    )]
    Round {
        spec: String,
        when: String,
        file: String,
        first: String,
        last: String,
        rounds: u32,
    },
    #[error(
        "--pick '{spec}': holds in none of the {runs} replicates (seed {seed}) at {label} (round {round}); try more --runs or another expression"
    )]
    Never {
        spec: String,
        runs: u64,
        seed: u64,
        label: String,
        round: u32,
    },
    #[error("--pick: the run has no replicates (--runs must be at least 1)")]
    Empty,
}

/// What `--pick` looks for.
#[derive(Debug, Clone)]
pub enum Wanted {
    /// The replicate closest to the median outcome.
    Typical,
    /// The first replicate in which the expression holds.
    Where(Expr),
}

/// A `--pick`, checked against the scenario.
#[derive(Debug, Clone)]
pub struct PickSpec {
    /// As the user wrote it (trimmed).
    pub text: String,
    pub wanted: Wanted,
    /// The round looked at; None: every round (`typical` without `@`).
    pub round: Option<u32>,
}

impl PickSpec {
    /// A word for file names: `typical` or `pick`.
    pub fn word(&self) -> &'static str {
        match self.wanted {
            Wanted::Typical => "typical",
            Wanted::Where(_) => "pick",
        }
    }
}

/// The replicate must be one of the run's: below `runs`.
pub fn check_replicate(replicate: u64, runs: u64) -> Result<(), StoryError> {
    if replicate >= runs {
        return Err(StoryError::Replicate { replicate, runs });
    }
    Ok(())
}

/// Parses `--pick`: `typical` or an expression over the scenario's pact and state ids, either
/// optionally followed by `@ DATE_OR_ROUND`. `file` names the scenario in errors.
pub fn parse_pick(spec: &str, sc: &Scenario, file: &str) -> Result<PickSpec, StoryError> {
    let text = spec.trim().to_string();
    let labels: Vec<String> = (0..=sc.rounds).map(|r| sc.calendar.label(r)).collect();
    let (head, when) = match text.split_once('@') {
        Some((h, w)) => (h.trim(), Some(w.trim())),
        None => (text.as_str(), None),
    };
    let wanted = if head == "typical" {
        Wanted::Typical
    } else {
        let pacts: Vec<String> = sc.pacts.iter().map(|p| p.id.clone()).collect();
        let states: Vec<String> = sc.states.iter().map(|s| s.id.clone()).collect();
        let (expr, _) = query::parse(&text, &pacts, &states).map_err(|source| StoryError::Expression {
            spec: text.clone(),
            file: file.to_string(),
            source: Box::new(source),
        })?;
        Wanted::Where(expr)
    };
    let round = match when {
        None if matches!(wanted, Wanted::Typical) => None,
        None => Some(sc.rounds),
        Some(w) => Some(query::resolve_round(w, &labels).ok_or_else(|| StoryError::Round {
            spec: text.clone(),
            when: w.to_string(),
            file: file.to_string(),
            first: labels.get(1).cloned().unwrap_or_else(|| "start".into()),
            last: labels[labels.len() - 1].clone(),
            rounds: sc.rounds,
        })?),
    };
    Ok(PickSpec { text, wanted, round })
}

/// Runs replicates `0..runs` of `sc` with master seed `seed`, keeping only their memberships at
/// the rounds `spec` looks at (no files), and picks one. In batches of `batch` replicates, asking
/// `stop` before each (Ok(None) if it said stop); `progress` hears of each replicate done.
pub fn pick(
    sc: &Scenario,
    seed: u64,
    runs: u64,
    spec: &PickSpec,
    batch: u64,
    stop: &(dyn Fn() -> bool + Sync),
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Option<Pick>, StoryError> {
    if runs == 0 {
        return Err(StoryError::Empty);
    }
    let rounds: Vec<u32> = match spec.round {
        Some(r) => vec![r],
        None => (0..=sc.rounds).collect(),
    };
    let mut table: Option<Outcomes> = None;
    let finished = run::outcomes_in_batches(sc, seed, runs, &rounds, batch, stop, progress, &mut |part| match &mut table {
        None => table = Some(part),
        Some(t) => t.append(&part).expect("batches are adjacent and in order"),
    });
    if !finished {
        return Ok(None);
    }
    let table = table.ok_or(StoryError::Empty)?;
    let label = spec.round.map(|r| sc.calendar.label(r));
    let (replicate, how) = match &spec.wanted {
        Wanted::Typical => {
            let every: Vec<usize> = (0..table.rounds.len()).collect();
            tell::pick_typical(&table, &every).ok_or(StoryError::Empty)?
        }
        Wanted::Where(expr) => {
            let (found, count) = tell::first_where(&table, 0, |m| expr.eval(&|p, s| m(p, s)));
            let Some(found) = found else {
                return Err(StoryError::Never {
                    spec: spec.text.clone(),
                    runs,
                    seed,
                    label: label.clone().unwrap_or_default(),
                    round: spec.round.unwrap_or(sc.rounds),
                });
            };
            (
                found,
                PickHow::Where {
                    expression: spec.text.clone(),
                    count,
                },
            )
        }
    };
    Ok(Some(Pick {
        replicate,
        runs,
        round: spec.round,
        label,
        how,
    }))
}
