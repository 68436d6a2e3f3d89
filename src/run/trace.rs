//! Why a state does or does not join a pact: the terms of its decision, round by round,
//! averaged over replicates.
//!
//! Replicates are played exactly as [`super::play_replicate`] plays them (same generator per
//! replicate, same seeded world, same rounds), so the membership share a trace reports equals the run's. After each
//! round (and at round 0) the state's decision about the pact is evaluated on the world as it
//! stands: [`join_terms`] where it is not a member (the terms of applying, or of joining an open
//! pact), [`leave_terms`] where it is. The two are averaged separately. Replicates may run in
//! parallel, but their results are summed in replicate order, so a trace does not depend on the
//! number of threads.

use rayon::prelude::*;
use serde::Serialize;

use super::start_replicate;
use crate::model::terms::{join_terms, leave_terms};
use crate::model::{Terms, World};
use crate::scenario::{PactId, Scenario, StateId};

/// The mean terms of one kind of decision at one round.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Side {
    /// Replicates in this position (non-members for joining, members for leaving).
    pub n: u64,
    /// Mean of each term, in [`Trace::names`] order.
    pub terms: Vec<f64>,
    /// Mean utility (the sum of the terms).
    pub utility: f64,
    /// Mean probability of acting under the logit rule at the scenario's temperature.
    pub p_act: f64,
    /// For joining: share of these replicates in which the door is open to the state (pact active
    /// and taking applicants, room left, the domestic-support gate open), whether or not it has
    /// already applied: a state applies in the round the door opens, so leaving out those with an
    /// application pending would hide every opening. `None` for leaving.
    pub p_open: Option<f64>,
}

/// One round of a trace: the world after round `round` (0 = before round 1).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TraceRound {
    pub round: u32,
    pub label: String,
    /// Share of replicates in which the state is a member.
    pub p_member: f64,
    /// Share of replicates in which it has an application pending.
    pub p_applicant: f64,
    /// The terms of joining (or applying), over replicates where it is not a member.
    pub join: Option<Side>,
    /// The terms of leaving, over replicates where it is a member.
    pub leave: Option<Side>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Trace {
    pub scenario: String,
    pub state: String,
    pub state_name: String,
    pub pact: String,
    pub pact_name: String,
    pub seed: u64,
    pub runs: u64,
    pub temperature: f64,
    pub round_unit: String,
    pub has_dates: bool,
    /// Names of the terms: [`Terms::NAMES`], then the scenario's own terms of weight other than 0.
    pub names: Vec<String>,
    pub rounds: Vec<TraceRound>,
    /// Events: (round, id, name, label).
    pub events: Vec<(u32, String, String, String)>,
}

/// What one replicate looked like after one round.
#[derive(Clone, Copy)]
struct Obs {
    member: bool,
    applicant: bool,
    open: bool,
    terms: Terms,
}

fn observe(w: &World, s: StateId, p: PactId) -> Obs {
    let member = w.is_member(s, p);
    let applicant = w.is_applicant(s, p);
    Obs {
        member,
        applicant,
        open: !member && w.may_apply(s, p),
        terms: if member { leave_terms(w, s, p) } else { join_terms(w, s, p) },
    }
}

fn play(scenario: &Scenario, s: StateId, p: PactId, seed: u64, replicate: u64) -> Vec<Obs> {
    let (mut rng, mut world) = start_replicate(scenario, seed, replicate);
    let mut log = Vec::new();
    let mut out = Vec::with_capacity(scenario.rounds as usize + 1);
    out.push(observe(&world, s, p));
    for _ in 0..scenario.rounds {
        world.play_round(&mut rng, &mut log);
        log.clear();
        out.push(observe(&world, s, p));
    }
    out
}

#[derive(Clone)]
struct Acc {
    n: u64,
    open: u64,
    terms: Vec<f64>,
    p_act: f64,
}

impl Acc {
    fn new(k: usize) -> Self {
        Acc {
            n: 0,
            open: 0,
            terms: vec![0.0; k],
            p_act: 0.0,
        }
    }
    fn add(&mut self, o: &Obs, tau: f64, shown: &[usize]) {
        self.n += 1;
        self.open += u64::from(o.open);
        let (model, user) = self.terms.split_at_mut(Terms::NAMES.len());
        for (a, v) in model.iter_mut().zip(o.terms.values()) {
            *a += v;
        }
        // The scenario's own terms that outputs show (weight other than 0), in its order.
        for (a, &i) in user.iter_mut().zip(shown) {
            *a += o.terms.user[i];
        }
        self.p_act += crate::model::logit(o.terms.utility(), tau);
    }
    fn side(&self, join: bool) -> Option<Side> {
        if self.n == 0 {
            return None;
        }
        let n = self.n as f64;
        let terms: Vec<f64> = self.terms.iter().map(|t| t / n).collect();
        Some(Side {
            n: self.n,
            utility: terms.iter().sum(),
            terms,
            p_act: self.p_act / n,
            p_open: join.then(|| self.open as f64 / n),
        })
    }
}

/// Traces the decision of `state` about `pact` over replicates `0..runs` of a run with master
/// seed `seed`.
pub fn trace(scenario: &Scenario, state: StateId, pact: PactId, seed: u64, runs: u64) -> Trace {
    trace_until(scenario, state, pact, seed, runs, runs.max(1), &|| false).expect("never asked to stop")
}

/// As [`trace`], in batches of `batch` replicates, asking `stop` before each batch: None if it
/// said stop (an abandoned request of `pactsim serve`). Replicates are summed in replicate order
/// whatever the batches, so the result is exactly that of [`trace`]; memory holds the
/// observations of one batch.
pub fn trace_until(
    scenario: &Scenario,
    state: StateId,
    pact: PactId,
    seed: u64,
    runs: u64,
    batch: u64,
    stop: &(dyn Fn() -> bool + Sync),
) -> Option<Trace> {
    // The model's terms, then the scenario's own that outputs show (weight other than 0).
    let shown: Vec<usize> = (0..scenario.user_terms.len()).filter(|&i| scenario.user_terms[i].shown()).collect();
    let k = Terms::NAMES.len() + shown.len();
    let tau = scenario.params.temperature;
    let r_n = scenario.rounds as usize;
    let mut join = vec![Acc::new(k); r_n + 1];
    let mut leave = vec![Acc::new(k); r_n + 1];
    let mut members = vec![0u64; r_n + 1];
    let mut applicants = vec![0u64; r_n + 1];
    let mut first = 0;
    while first < runs {
        if stop() {
            return None;
        }
        let end = first.saturating_add(batch.max(1)).min(runs);
        let per_replicate: Vec<Vec<Obs>> = (first..end)
            .into_par_iter()
            .map(|rep| play(scenario, state, pact, seed, rep))
            .collect();
        for obs in &per_replicate {
            for (r, o) in obs.iter().enumerate() {
                members[r] += u64::from(o.member);
                applicants[r] += u64::from(o.applicant);
                if o.member {
                    leave[r].add(o, tau, &shown);
                } else {
                    join[r].add(o, tau, &shown);
                }
            }
        }
        first = end;
    }
    let frac = |c: u64| if runs == 0 { 0.0 } else { c as f64 / runs as f64 };
    Some(Trace {
        scenario: scenario.name.clone(),
        state: scenario.state(state).id.clone(),
        state_name: scenario.state(state).name.clone(),
        pact: scenario.pact(pact).id.clone(),
        pact_name: scenario.pact(pact).name.clone(),
        seed,
        runs,
        temperature: tau,
        round_unit: scenario.calendar.unit.name().to_string(),
        has_dates: scenario.calendar.start.is_some(),
        names: Terms::NAMES
            .iter()
            .map(|s| s.to_string())
            .chain(shown.iter().map(|&i| scenario.user_terms[i].id.clone()))
            .collect(),
        rounds: (0..=r_n)
            .map(|r| TraceRound {
                round: r as u32,
                label: scenario.calendar.label(r as u32),
                p_member: frac(members[r]),
                p_applicant: frac(applicants[r]),
                join: join[r].side(true),
                leave: leave[r].side(false),
            })
            .collect(),
        events: scenario
            .events
            .iter()
            .map(|e| (e.round, e.id.clone(), e.name.clone(), scenario.calendar.label(e.round)))
            .collect(),
    })
}

impl Trace {
    /// Indices of the terms that are not zero at any round (the others are left out of tables
    /// and charts: e.g. goodwill and grievance, which only admission votes have).
    pub fn active_terms(&self) -> Vec<usize> {
        (0..self.names.len())
            .filter(|&k| {
                self.rounds
                    .iter()
                    .flat_map(|r| r.join.iter().chain(r.leave.iter()))
                    .any(|s| s.terms[k].abs() > 1e-12)
            })
            .collect()
    }
}
