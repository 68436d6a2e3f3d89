//! Monte Carlo replicates: seeding, parallel execution and exact aggregation.
//!
//! Replicate `i` of a run with master seed `S` draws from ChaCha8 seeded with `S` on stream `i`
//! and from nothing else, so its result does not depend on which thread ran it or on how many
//! threads there are. Replicates run in parallel; their integer tallies merge exactly in
//! replicate order (see [`run`]).

mod outcomes;
pub mod search;
pub mod story;
mod tally;
pub mod trace;

use std::ops::Range;
use std::sync::{Mutex, PoisonError};

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

use crate::model::{Decision, Timeline, World};
use crate::scenario::Scenario;

pub use outcomes::Outcomes;
pub use tally::{FormedTally, MergeError, Tally, median, quantile};

/// The replicates of shard `k` of `n` (0-based) of a run of `runs`: contiguous, in order, and
/// together exactly `0..runs`.
pub fn shard_range(runs: u64, k: u64, n: u64) -> Range<u64> {
    (runs * k / n)..(runs * (k + 1) / n)
}

/// Merges the tallies of shards (in any order) into the tally of the whole range they cover.
pub fn merge_shards(mut shards: Vec<Tally>) -> Result<Tally, MergeError> {
    shards.sort_by_key(|t| t.first);
    let mut iter = shards.into_iter();
    let mut whole = iter.next().ok_or(MergeError::Empty)?;
    for t in iter {
        whole.merge(&t)?;
    }
    Ok(whole)
}

/// The generator of one replicate: ChaCha8 seeded from the master seed, on the replicate's stream.
pub fn replicate_rng(seed: u64, replicate: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(replicate);
    rng
}

/// Which replicates to run and what to keep.
#[derive(Debug, Clone)]
pub struct RunSpec {
    pub seed: u64,
    pub replicates: Range<u64>,
    /// Keep every decision of the replicates numbered below `keep_decisions` (for
    /// decisions.csv); the others are only counted. The bound is on the replicate's number, not
    /// its place in the range, so shards keep exactly what a whole run keeps.
    pub keep_decisions: u64,
}

/// A decision tagged with the replicate it was taken in.
#[derive(Debug, Clone, PartialEq)]
pub struct LoggedDecision {
    pub replicate: u64,
    pub decision: Decision,
}

#[derive(Debug, Clone)]
pub struct RunResult {
    pub seed: u64,
    pub tally: Tally,
    pub decisions: Vec<LoggedDecision>,
}

/// What one replicate leaves after each round (round 0 = before round 1 is played), in two flat
/// tables allocated once per replicate.
#[derive(Debug, Clone)]
pub struct History {
    /// Membership after each round, `[r·P·N + p·N + s]`.
    pub membership: Vec<bool>,
    /// Public support of each state after each round, `[r·N + s]`.
    pub support: Vec<f64>,
    pacts: usize,
    states: usize,
}

impl History {
    fn new(scenario: &Scenario) -> Self {
        let (r, p, n) = (scenario.rounds as usize + 1, scenario.n_pacts(), scenario.n_states());
        History {
            membership: Vec::with_capacity(r * p * n),
            support: Vec::with_capacity(r * n),
            pacts: p,
            states: n,
        }
    }

    fn clear(&mut self) {
        self.membership.clear();
        self.support.clear();
    }

    fn push(&mut self, w: &World) {
        for p in w.scenario.pact_ids() {
            self.membership.extend(w.scenario.state_ids().map(|s| w.is_member(s, p)));
        }
        self.support.extend_from_slice(&w.support);
    }

    /// Rounds recorded (rounds played + 1).
    pub fn rounds(&self) -> usize {
        self.support.len().checked_div(self.states).unwrap_or(0)
    }

    /// Membership after each round (`[p·N + s]` each), in round order.
    pub fn memberships(&self) -> std::slice::Chunks<'_, bool> {
        self.membership.chunks((self.pacts * self.states).max(1))
    }

    /// Support of each state after each round, in round order.
    pub fn supports(&self) -> std::slice::Chunks<'_, f64> {
        self.support.chunks(self.states.max(1))
    }
}

/// The generator and the round-0 world of one replicate. Everything that plays replicates
/// (runs, traces) starts here, so they cannot drift apart.
pub fn start_replicate(scenario: &Scenario, seed: u64, replicate: u64) -> (ChaCha8Rng, World<'_>) {
    let mut rng = replicate_rng(seed, replicate);
    let world = World::seeded(scenario, &mut rng);
    (rng, world)
}

/// One replicate: plays every round; returns what happened after each round and the world at
/// the end.
pub fn play_replicate<'s>(scenario: &'s Scenario, seed: u64, replicate: u64, log: &mut Vec<Decision>) -> (History, World<'s>) {
    play_replicate_from(&Timeline::new(scenario), seed, replicate, log)
}

/// [`play_replicate`] from the scenario's [`Timeline`] (built once for all of a run's replicates).
pub fn play_replicate_from<'s>(timeline: &Timeline<'s>, seed: u64, replicate: u64, log: &mut Vec<Decision>) -> (History, World<'s>) {
    let start = timeline.start();
    let mut world = start.clone();
    let mut history = History::new(timeline.scenario());
    play_into(&start, &mut world, &mut history, seed, replicate, log);
    (history, world)
}

/// Plays replicate `replicate` in `world` (restarted from `start`, a [`Timeline::start`]),
/// recording into `history` (cleared first) and `log`: [`play_replicate`] without allocating.
fn play_into<'s>(start: &World<'s>, world: &mut World<'s>, history: &mut History, seed: u64, replicate: u64, log: &mut Vec<Decision>) {
    let mut rng = replicate_rng(seed, replicate);
    world.reseed(start, &mut rng);
    history.clear();
    history.push(world);
    for _ in 0..start.scenario.rounds {
        world.play_round(&mut rng, log);
        history.push(world);
    }
}

/// Runs the replicates of `spec`; calls `progress` with the number of replicates just finished.
///
/// The scenario's [`Timeline`] is built once; replicates then run in parallel. The range is cut
/// into contiguous pieces (about 8 per thread), each recorded into one tally in replicate order;
/// neighbouring tallies are then merged left to right. Counts are integers, so the result is
/// exact whatever the split, and memory holds a few tallies per thread, not one per replicate:
/// it does not grow with the number of replicates.
pub fn run(scenario: &Scenario, spec: &RunSpec, progress: &(dyn Fn(u64) + Sync)) -> RunResult {
    run_with_outcomes(scenario, spec, &[], progress).0
}

/// As [`run`], also keeping every replicate's memberships after each of `rounds` (see
/// [`Outcomes`]): each piece of the range packs its replicates' rows in order and neighbouring
/// pieces are concatenated left to right, so the table is the same whatever the thread count.
/// Only the bits are kept: ⌈P·N/8⌉ bytes per replicate and recorded round.
pub fn run_with_outcomes(scenario: &Scenario, spec: &RunSpec, rounds: &[u32], progress: &(dyn Fn(u64) + Sync)) -> (RunResult, Outcomes) {
    let rounds: Vec<u32> = rounds.iter().copied().filter(|&r| r <= scenario.rounds).collect();
    let (n_pacts, n_states) = (scenario.n_pacts(), scenario.n_states());
    let min_members: Vec<u32> = scenario.pacts.iter().map(|p| p.min_members).collect();
    let timeline = Timeline::new(scenario);
    let start = spec.replicates.start;
    // Each piece of the range records into a tally of its own (for a world of 193 states and 50
    // pacts over 60 rounds, 19 MB to allocate, zero and merge), so there are about 8 pieces per
    // thread: enough to balance the load. A piece plays its replicates one after another in
    // buffers (a world, its history) taken from a pool and given back when it is done, so there
    // are about as many as threads, not as pieces.
    let runs = spec.replicates.end.saturating_sub(start);
    let piece = runs.div_ceil(8 * rayon::current_num_threads() as u64).max(1);
    let pool: Mutex<Vec<Buffers>> = Mutex::new(Vec::new());
    let partial = (0..runs.div_ceil(piece))
        .into_par_iter()
        .map(|k| {
            let first = start + k * piece;
            let mut part = Partial {
                tally: Tally::new(scenario, first),
                decisions: Vec::new(),
                outcomes: Outcomes::new(&rounds, n_pacts, n_states, first),
            };
            let taken = pool.lock().unwrap_or_else(PoisonError::into_inner).pop();
            let mut buffers = taken.unwrap_or_else(|| Buffers::new(&timeline));
            let Buffers {
                start,
                world,
                history,
                log,
            } = &mut buffers;
            for rep in first..(first + piece).min(spec.replicates.end) {
                log.clear();
                play_into(start, world, history, spec.seed, rep, log);
                part.tally.record(history, world, log, &min_members);
                part.outcomes.record(history);
                if rep < spec.keep_decisions {
                    part.decisions
                        .extend(log.drain(..).map(|decision| LoggedDecision { replicate: rep, decision }));
                }
                progress(1);
            }
            pool.lock().unwrap_or_else(PoisonError::into_inner).push(buffers);
            Some(part)
        })
        .reduce(
            || None,
            |left, right| match (left, right) {
                (Some(mut l), Some(r)) => {
                    l.tally.merge(&r.tally).expect("rayon reduces neighbouring ranges left to right");
                    l.decisions.extend(r.decisions);
                    l.outcomes
                        .append(&r.outcomes)
                        .expect("rayon reduces neighbouring ranges left to right");
                    Some(l)
                }
                (l, r) => l.or(r),
            },
        )
        .unwrap_or_else(|| Partial {
            tally: Tally::new(scenario, start),
            decisions: Vec::new(),
            outcomes: Outcomes::new(&rounds, n_pacts, n_states, start),
        });
    let result = RunResult {
        seed: spec.seed,
        tally: partial.tally,
        decisions: partial.decisions,
    };
    (result, partial.outcomes)
}

/// Replicates `0..runs` of `scenario` with master seed `seed`, keeping only their memberships
/// after each of `rounds` (no tally is kept past a batch, no decisions): in batches of `batch`
/// replicates, each batch's [`Outcomes`] handed to `each` in replicate order, asking `stop` before
/// each batch (false if it said stop). What `--pick` and the page's joint outcomes run.
#[allow(clippy::too_many_arguments)]
pub fn outcomes_in_batches(
    scenario: &Scenario,
    seed: u64,
    runs: u64,
    rounds: &[u32],
    batch: u64,
    stop: &(dyn Fn() -> bool + Sync),
    progress: &(dyn Fn(u64) + Sync),
    each: &mut dyn FnMut(Outcomes),
) -> bool {
    let mut first = 0;
    while first < runs {
        if stop() {
            return false;
        }
        let end = first.saturating_add(batch.max(1)).min(runs);
        let spec = RunSpec {
            seed,
            replicates: first..end,
            keep_decisions: 0,
        };
        each(run_with_outcomes(scenario, &spec, rounds, progress).1);
        first = end;
    }
    true
}

/// As [`run`], in batches of `batch` replicates, asking `stop` before each batch: None if it
/// said stop (a superseded request of `pactsim serve`). Tallies of adjacent ranges merge
/// exactly, so the result is exactly that of [`run`].
pub fn run_until(scenario: &Scenario, spec: &RunSpec, batch: u64, stop: &(dyn Fn() -> bool + Sync)) -> Option<RunResult> {
    let batch = batch.max(1);
    let mut whole: Option<RunResult> = None;
    let mut first = spec.replicates.start;
    loop {
        if stop() {
            return None;
        }
        let end = first.saturating_add(batch).min(spec.replicates.end);
        let part = run(
            scenario,
            &RunSpec {
                replicates: first..end,
                ..spec.clone()
            },
            &|_| {},
        );
        whole = Some(match whole {
            None => part,
            Some(mut w) => {
                w.tally.merge(&part.tally).expect("batches are adjacent and in order");
                w.decisions.extend(part.decisions);
                w
            }
        });
        first = end;
        if first >= spec.replicates.end {
            return whole;
        }
    }
}

/// The tally and kept decisions of a contiguous range of replicates.
struct Partial {
    tally: Tally,
    decisions: Vec<LoggedDecision>,
    outcomes: Outcomes,
}

/// What replicates are played in, reused from one to the next: the round-0 world every replicate
/// starts from ([`Timeline::start`]), the world it is played in, its history and decision log.
struct Buffers<'s> {
    start: World<'s>,
    world: World<'s>,
    history: History,
    log: Vec<Decision>,
}

impl<'s> Buffers<'s> {
    fn new(timeline: &Timeline<'s>) -> Self {
        let start = timeline.start();
        Buffers {
            world: start.clone(),
            start,
            history: History::new(timeline.scenario()),
            log: Vec::new(),
        }
    }
}
