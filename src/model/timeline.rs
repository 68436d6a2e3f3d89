//! What every replicate of a scenario goes through whatever its states choose, played once.
//!
//! Events, threat and public support do not depend on membership (see
//! [`World::environment_step`]), and neither do most of the tests that pass over decisions:
//! whether a state may apply to a pact at all (but for the pact's size limit), the bound on the
//! utility of joining or leaving with affinity taken over all of the state's relations (the first
//! test of [`World::certainly_idle`]), and the bound the second test (affinity over the pact's
//! members) starts from. Nor do the probabilities with which the starting memberships condition
//! the tastes, read off the round-0 world. Every replicate used to compute them afresh; a
//! [`Timeline`] plays the rounds once without any decisions, keeps each round's verdicts, and
//! starts every replicate from one round-0 world. A replicate then lists, at the start of each
//! round's decisions, only those the verdicts do not settle (`World::mark_candidates`).
//!
//! Nothing here changes a result: a verdict is the same value the replicate's own test computes
//! (the same functions of the same environment, bit for bit), and a decision it does not settle
//! goes through every test as before. `tests/engine.rs` plays replicates from scratch, with the
//! caches and from the timeline, and compares every decision bit for bit.

use std::sync::{Arc, Mutex, PoisonError};

use super::World;
use crate::scenario::{PactId, Scenario, Shocks, StateId};

/// How many numbers the timeline keeps per round and state–pact pair (a [`Verdict`]).
pub(super) const VERDICTS: usize = 4;

/// The timeline's verdicts on one state–pact pair in one round ([`World::verdicts`]), kept as
/// [`VERDICTS`] numbers in the order of its fields.
#[derive(Debug, Clone, Copy)]
pub(super) struct Verdict {
    /// The value of `certainly_idle`'s first test for joining (+∞ for a join the state may not
    /// make at all).
    pub join_beyond: f64,
    /// The value of `certainly_idle`'s first test for leaving.
    pub leave_beyond: f64,
    /// The bound the second test starts from for joining ([`World::bound_without_affinity`]),
    /// NaN when none is used.
    pub join_bound: f64,
    /// The bound the second test starts from for leaving.
    pub leave_bound: f64,
}

impl Verdict {
    /// A verdict as the timeline keeps it: [`VERDICTS`] numbers.
    pub(super) fn from_slice(v: &[f64]) -> Verdict {
        Verdict {
            join_beyond: v[0],
            leave_beyond: v[1],
            join_bound: v[2],
            leave_bound: v[3],
        }
    }

    fn to_array(self) -> [f64; VERDICTS] {
        [self.join_beyond, self.leave_beyond, self.join_bound, self.leave_bound]
    }
}

/// The round-0 world of a scenario and, for every round and every state–pact pair, the values
/// above which a decision is passed over (see the module's documentation). The world keeps the
/// verdicts (`World::skip`), so every copy of it decides with them.
#[derive(Debug)]
pub struct Timeline<'s> {
    /// The world before any taste is drawn: what [`World::seeded_from`] starts from. (Behind a
    /// lock because the world's caches are cells; a replicate holds it for one clone.)
    start: Mutex<World<'s>>,
    scenario: &'s Scenario,
}

impl<'s> Timeline<'s> {
    /// Plays the scenario's rounds without decisions: O(rounds × states × pacts), about two
    /// replicates' worth of work (119 µs for Finland/Sweden), once per scenario.
    pub fn new(scenario: &'s Scenario) -> Self {
        let start = World::new(scenario);
        let mut dry = start.clone();
        let slots = scenario.n_states() * scenario.n_pacts();
        let mut skip = Vec::with_capacity(scenario.rounds as usize * VERDICTS * slots);
        for _ in 0..scenario.rounds {
            dry.round += 1;
            dry.environment_step();
            // Memberships events create are the replicate's business (and enter no verdict).
            dry.to_condition.clear();
            for s in scenario.state_ids() {
                for p in scenario.pact_ids() {
                    skip.extend(dry.verdicts(s, p));
                }
            }
        }
        let skip: Arc<[f64]> = skip.into();
        let mut start = start;
        start.skip = Some(Arc::clone(&skip));
        start.givens = Some(start.givens().into());
        Timeline {
            start: Mutex::new(start),
            scenario,
        }
    }

    pub fn scenario(&self) -> &'s Scenario {
        self.scenario
    }

    /// A copy of the round-0 world before any taste is drawn, deciding with the verdicts: what
    /// [`World::seeded_from`] and [`World::reseed`] start from.
    pub fn start(&self) -> World<'s> {
        self.start.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }
}

impl World<'_> {
    /// The verdicts on `s` joining and leaving `p` in the world as it is: for joining and for
    /// leaving, the value of `certainly_idle`'s first test (+∞ for a join `s` may not make at
    /// all), then for each the bound it starts from ([`World::bound_without_affinity`]), which
    /// the second test (affinity over the pact's members) completes in the replicate.
    fn verdicts(&self, s: StateId, p: PactId) -> [f64; VERDICTS] {
        let params = &self.scenario.params;
        let bounded = params.shocks == Shocks::Persistent && params.temperature > 0.0;
        let scale = 1.0 / params.temperature;
        let range = self.memo.affinity_range[s.index()];
        // The bound, or NaN when none is used (NaN passes nothing over).
        let bound = |leaving: bool| {
            if bounded {
                self.bound_without_affinity(s, p, leaving)
            } else {
                f64::NAN
            }
        };
        // The same expression as `certainly_idle`'s first test; never +∞, which would pass over
        // a decision whose cut-off is infinite (a test `certainly_idle` never makes); NaN stays
        // NaN and passes nothing over.
        let beyond = |leaving: bool| {
            if bounded {
                super::at_most_max(-self.add_affinity(bound(leaving), leaving, range) * scale)
            } else {
                f64::NEG_INFINITY
            }
        };
        // A template's slot is inactive in the timeline, which forms no pact, but may be active
        // in a replicate: its verdict is the one it would have if active.
        let open = if self.scenario.pact(p).template.is_some() {
            self.open_to(s, p)
        } else {
            self.may_apply_but_for_size(s, p)
        };
        let join = if open { beyond(false) } else { f64::INFINITY };
        Verdict {
            join_beyond: join,
            leave_beyond: beyond(true),
            join_bound: bound(false),
            leave_bound: bound(true),
        }
        .to_array()
    }
}
