//! The pact-membership model: world state in dense arrays and the rules of one round.
//! Pure: no I/O, no printing; randomness only from the generator it is handed.

mod memo;
pub mod terms;
mod timeline;
pub mod user_terms;

use std::sync::Arc;

use rand::Rng;

use crate::scenario::{Admission, Change, PactId, RivalRule, Scenario, Shocks, StateId, UpdateOrder};

pub use terms::Terms;
pub use timeline::Timeline;

/// What a state (or, for admit/hold, a member voting on an applicant) did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Asked to join a pact whose members must admit it.
    Apply,
    /// Became a member (open pact, or an application accepted).
    Join,
    /// A member voted to admit an applicant.
    Admit,
    /// A member took up an application and held it (voted no this round).
    Hold,
    /// Left a pact.
    Leave,
    /// Was released from a pact that ended because its membership fell below its
    /// `min_members` (docs/MODEL.md §5a): not the state's choice, so not a leave. Logged once
    /// per member released, with probability 1 and every term 0.
    End,
    /// Proposed a new pact of a template to the partners it values most (docs/MODEL.md §5b): the
    /// terms are the proposer's own of joining the pact as proposed.
    Propose,
    /// Accepted an invitation to found a proposed pact (the applicant field names the proposer):
    /// the terms of joining the pact as proposed.
    Accept,
    /// Declined an invitation to found a proposed pact.
    Decline,
}

impl Action {
    pub const ALL: [Action; 9] = [
        Action::Apply,
        Action::Join,
        Action::Admit,
        Action::Hold,
        Action::Leave,
        Action::End,
        Action::Propose,
        Action::Accept,
        Action::Decline,
    ];
    /// The actions about a pact that exists: all but those of forming one (what `summary.json`
    /// counts for a listed pact).
    pub const MEMBERSHIP: [Action; 6] = [Action::Apply, Action::Join, Action::Admit, Action::Hold, Action::Leave, Action::End];
    /// Position in [`Action::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }

    pub fn name(self) -> &'static str {
        match self {
            Action::Apply => "apply",
            Action::Join => "join",
            Action::Admit => "admit",
            Action::Hold => "hold",
            Action::Leave => "leave",
            Action::End => "end",
            Action::Propose => "propose",
            Action::Accept => "accept",
            Action::Decline => "decline",
        }
    }
}

/// One decision with the value of each term that produced it.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    pub round: u32,
    pub state: StateId,
    pub pact: PactId,
    pub action: Action,
    /// The applicant, for admit and hold.
    pub applicant: Option<StateId>,
    /// Probability the chosen action had under the logit rule (1 for a join that follows
    /// from an accepted application).
    pub probability: f64,
    pub terms: Terms,
    /// For a pact a template formed (a slot, docs/MODEL.md §5b), its founders, which name it
    /// ([`Scenario::formed_id`]); for a proposal and the answers to it, the founders proposed.
    /// None for a listed pact.
    pub founders: Option<Arc<[StateId]>>,
}

/// Logit choice: the probability of acting given the utility gain `u` and temperature `tau`
/// (τ → 0 is a best response).
pub fn logit(u: f64, tau: f64) -> f64 {
    if tau <= 0.0 {
        return if u > 0.0 { 1.0 } else { 0.0 };
    }
    // libm's exp, not the platform's: the same bits on every machine.
    1.0 / (1.0 + libm::exp(-u / tau))
}

/// Everything that changes during a replicate. Matrices are flat, row-major, n×n.
#[derive(Debug, Clone)]
pub struct World<'s> {
    pub scenario: &'s Scenario,
    /// Rounds played so far (0 before the first).
    pub round: u32,
    pub capability: Vec<f64>,
    pub commitment: Vec<f64>,
    pub support: Vec<f64>,
    /// Where support settles when threat is as at the start; events of kind `support` move it.
    pub support_anchor: Vec<f64>,
    pub salience: Vec<[f64; 5]>,
    hostility: Vec<f64>,
    /// n×n, symmetric: the scenario's proximity as `proximity` events have changed it.
    proximity: Vec<f64>,
    /// Whether each state is a democracy now (the scenario's flag, as `democracy` events change it).
    pub democracy: Vec<bool>,
    /// Whether each state exists now: false before its `birth` and after its `death`.
    pub present: Vec<bool>,
    /// Current strength of each grievance in `scenario.grievances`.
    pub grievance: Vec<f64>,
    grievance_matrix: Vec<f64>,
    member: Vec<bool>,
    member_list: Vec<Vec<StateId>>,
    /// The pacts each state is a member of, in id order.
    pacts_of: Vec<Vec<PactId>>,
    applied: Vec<bool>,
    /// How many states have a pending application to each pact.
    applicants: Vec<u32>,
    /// First round each state applied to (or joined) each pact; 0 = never.
    pub first_apply: Vec<u32>,
    /// How many of a member's constituents (its `count`: 1 unless it is an aggregate) have
    /// ratified an application: ratified[pact × n + applicant][member]. A row is allocated when
    /// its application is first voted on (empty = none yet), so the table stays small in a world
    /// of 193 states: only states that applied have one.
    ratified: Vec<Vec<u16>>,
    /// The persistent tastes of the members' constituents for an applicant (with persistent
    /// shocks): `vote_taste[pact × n + applicant][constituent_start[member] + i]`, the uniform
    /// quantile of constituent i's logit shock on that application (NaN until it first takes the
    /// application up, when it is drawn). The constituents that have ratified come first in each
    /// member's run: ratified[..][member] of them. Allocated with the row of `ratified`.
    vote_taste: Vec<Vec<f64>>,
    /// Where each state's constituents begin in a row of `vote_taste` (n + 1 entries).
    constituent_start: Vec<u32>,
    pub active: Vec<bool>,
    /// Per pact: whether it has formed, and when it first ended or was dissolved (see [`Life`]).
    life: Vec<Life>,
    /// Whether a member has been removed since this was last cleared: only then may a pact have
    /// fallen below its `min_members` (so the rounds without one check no pact).
    removed: bool,
    /// Hostile pressure on each state ([`terms::pressure`]; refreshed at the start of every round).
    pub pressure: Vec<f64>,
    /// The pressure on each state's friends it feels ([`terms::bloc_pressure`]), refreshed with
    /// `pressure`.
    pub bloc_pressure: Vec<f64>,
    /// The threat each state felt at the start ([`terms::felt_threat`]): where support is anchored.
    threat_at_start: Vec<f64>,
    next_event: usize,
    /// What a state's decision about a pact reads first, `[s·m + p]`: a state weighs its pacts
    /// one after another, so these lie side by side (see [`Slot`]).
    slots: Vec<Slot>,
    /// The unconditioned uniform draw behind each taste (`[s·m + p]`): conditioning on an
    /// observed membership always starts from it, so a second conditioning (a pact founded
    /// again) replaces the first instead of compounding it.
    raw_taste: Vec<f64>,
    /// Memberships created by this round's events (`found`, `force_join`), to condition once the
    /// round's world is set (see [`World::play_round`]).
    to_condition: Vec<(StateId, PactId)>,
    /// Whether `threat` must be recomputed before the next decisions (hostility or capability changed).
    threat_stale: bool,
    /// Buffers a round reuses instead of allocating: the order states decide in, and a pact's
    /// voting members and applicants in the admission phase.
    scratch: [Vec<StateId>; 3],
    memo: memo::Memo,
    /// The verdicts of the scenario's [`Timeline`], when the world was started from one:
    /// `[((r − 1)·n·m + s·m + p)·4 + i]` for round r ≥ 1, i = 0, 1 for joining and leaving: +∞
    /// if `s` may not apply to `p` (joining), else the value of −(bound on the utility)/τ beyond
    /// a taste's cut-off (`certainly_idle`'s first test), −∞ when no bound is used (shocks drawn
    /// per round, τ = 0); i = 2, 3: the bound the second test starts from (NaN: none).
    skip: Option<Arc<[f64]>>,
    /// What the scenario says each state chose at the start ([`World::givens`]), from the
    /// timeline when the world was started from one (the same for every replicate).
    givens: Option<Arc<[Given]>>,
    /// The decisions of this round the verdicts do not pass over ([`World::mark_candidates`]):
    /// the pacts of each state's in id order, state by state, and where each state's begin
    /// (`candidates_of[s]..candidates_of[s + 1]`).
    candidates: Vec<Candidate>,
    candidates_of: Vec<u32>,
    /// Per covariate of the scenario: which of its tables of values holds now
    /// ([`World::advance_covariates`]).
    covariate_epoch: Vec<usize>,
    /// Each state's persistent taste for the pacts of each template, `[s·T + t]` (the uniform
    /// quantile of its logit shock): it proposes, accepts and, once a pact forms, weighs joining
    /// and leaving it with this taste (docs/MODEL.md §5b).
    template_taste: Vec<f64>,
    /// The pacts templates have formed in this replicate, in the order they formed.
    formations: Vec<Formation>,
    /// Per pact: the formation that occupies it, if it is a template's slot ([`NO_FORMATION`]
    /// when none does).
    formation_of: Vec<u32>,
}

/// The capability of a state that does not exist (before its `birth`, after its `death`): the
/// least a capability event leaves, so it threatens and protects no one.
pub const NIL_CAPABILITY: f64 = 1e-12;

/// The most a capability event leaves: the most a scenario may hold ([`crate::scenario::MAX_CAPABILITY`]).
pub use crate::scenario::MAX_CAPABILITY;

/// What a slot's [`World::formation_of`] holds when no formed pact occupies it.
const NO_FORMATION: u32 = u32::MAX;

/// A pact a template formed (docs/MODEL.md §5b).
#[derive(Debug, Clone, PartialEq)]
pub struct Formation {
    /// The template, by index in [`Scenario::templates`].
    pub template: u16,
    /// The slot it occupies.
    pub slot: PactId,
    /// The proposer and the invitees that accepted, in id order: with the template, its stable id.
    pub founders: Arc<[StateId]>,
    /// The round it formed in.
    pub formed: u32,
    /// The round it ended in (its membership fell below `min_members`, §5a); 0 = not (yet).
    pub ended: u32,
}

impl<'s> World<'s> {
    pub fn new(scenario: &'s Scenario) -> Self {
        let n = scenario.n_states();
        let np = scenario.n_pacts();
        let mut w = World {
            scenario,
            round: 0,
            // A state that does not exist yet counts no capability until its birth.
            capability: scenario
                .states
                .iter()
                .map(|s| if s.exists { s.capability } else { NIL_CAPABILITY })
                .collect(),
            commitment: scenario.states.iter().map(|s| s.commitment).collect(),
            support: scenario.states.iter().map(|s| s.support.start).collect(),
            support_anchor: scenario.states.iter().map(|s| s.support.start).collect(),
            salience: scenario.states.iter().map(|s| s.salience).collect(),
            // −0 is 0: a hostility of −0.0 must count exactly as 0.0 in every max and sum.
            hostility: scenario.hostility.iter().map(|h| h + 0.0).collect(),
            proximity: scenario.proximity.clone(),
            democracy: scenario.states.iter().map(|s| s.democracy).collect(),
            present: scenario.states.iter().map(|s| s.exists).collect(),
            grievance: scenario.grievances.iter().map(|g| g.strength).collect(),
            grievance_matrix: vec![0.0; n * n],
            member: vec![false; np * n],
            member_list: vec![Vec::new(); np],
            pacts_of: vec![Vec::new(); n],
            applied: vec![false; np * n],
            applicants: vec![0; np],
            first_apply: vec![0; np * n],
            ratified: vec![Vec::new(); np * n],
            vote_taste: vec![Vec::new(); np * n],
            constituent_start: std::iter::once(0)
                .chain(scenario.states.iter().scan(0u32, |at, st| {
                    *at += u32::from(st.count);
                    Some(*at)
                }))
                .collect(),
            active: scenario.pacts.iter().map(|p| p.active).collect(),
            life: vec![Life::default(); np],
            removed: false,
            pressure: vec![0.0; n],
            bloc_pressure: vec![0.0; n],
            threat_at_start: vec![0.0; n],
            next_event: 0,
            slots: vec![Slot::new(0.5); np * n],
            raw_taste: vec![0.5; np * n],
            to_condition: Vec::new(),
            threat_stale: true,
            scratch: [Vec::with_capacity(n), Vec::with_capacity(n), Vec::with_capacity(n)],
            memo: memo::Memo::new(n, np),
            skip: None,
            givens: None,
            candidates: Vec::with_capacity(np * n),
            candidates_of: vec![0; n + 1],
            covariate_epoch: scenario.covariates.iter().map(|c| c.epoch_at(0)).collect(),
            template_taste: vec![0.5; n * scenario.templates.len()],
            formations: Vec::new(),
            formation_of: vec![NO_FORMATION; np],
        };
        if !scenario.user_terms.is_empty() {
            w.memo.size_user_terms(n * np);
        }
        w.refresh_event_caches();
        for p in scenario.pact_ids() {
            if w.active[p.index()] {
                for &s in &scenario.pact(p).founders {
                    w.add_member(s, p);
                }
            }
        }
        w.rebuild_grievances();
        w.refresh_threat();
        w.threat_at_start = scenario.state_ids().map(|s| terms::felt_threat(&w, s)).collect();
        w
    }

    /// A world at round 0 whose states' tastes (the persistent part of their logit shocks) are
    /// drawn from `rng`, pact by pact, state by state in id order.
    ///
    /// The scenario's starting memberships are observed choices, so a member's taste is drawn
    /// from those under which staying in was its choice at the start (u ≤ 1 − P(leave) on the
    /// round-0 world): a member leaves only when something makes leaving more attractive than it
    /// was at the start, never merely because the scenario began.
    pub fn seeded<R: Rng>(scenario: &'s Scenario, rng: &mut R) -> Self {
        Self::seeded_memo(scenario, rng, true)
    }

    /// [`World::seeded`], with the caches of `memo.rs` on or off from the start (off computes
    /// every term from scratch: the tests compare the two bit for bit).
    pub fn seeded_memo<R: Rng>(scenario: &'s Scenario, rng: &mut R, memo: bool) -> Self {
        let mut w = World::new(scenario);
        w.set_memo(memo);
        w.draw_tastes(rng);
        w
    }

    /// [`World::seeded`] from a scenario's [`Timeline`]: the same world, bit for bit, without
    /// building the round-0 world again, and deciding faster (see [`Timeline`]).
    pub fn seeded_from<R: Rng>(timeline: &Timeline<'s>, rng: &mut R) -> Self {
        let mut w = timeline.start();
        w.draw_tastes(rng);
        w
    }

    /// [`World::seeded_from`] into an existing world: becomes a copy of `start` (the round-0 world
    /// of [`Timeline::start`]), reusing its own tables instead of allocating, then draws tastes.
    pub fn reseed<R: Rng>(&mut self, start: &World<'s>, rng: &mut R) {
        // Every field, by name: a field added to `World` and not copied here does not compile.
        let World {
            scenario,
            round,
            capability,
            commitment,
            support,
            support_anchor,
            salience,
            hostility,
            proximity,
            democracy,
            present,
            grievance,
            grievance_matrix,
            member,
            member_list,
            pacts_of,
            applied,
            applicants,
            first_apply,
            ratified,
            vote_taste,
            constituent_start,
            active,
            life,
            removed,
            pressure,
            bloc_pressure,
            threat_at_start,
            next_event,
            slots,
            raw_taste,
            to_condition,
            threat_stale,
            scratch,
            memo,
            skip,
            givens,
            candidates,
            candidates_of,
            covariate_epoch,
            template_taste,
            formations,
            formation_of,
        } = start;
        self.scenario = scenario;
        self.round = *round;
        self.capability.clone_from(capability);
        self.commitment.clone_from(commitment);
        self.support.clone_from(support);
        self.support_anchor.clone_from(support_anchor);
        self.salience.clone_from(salience);
        self.hostility.clone_from(hostility);
        self.proximity.clone_from(proximity);
        self.democracy.clone_from(democracy);
        self.present.clone_from(present);
        self.grievance.clone_from(grievance);
        self.grievance_matrix.clone_from(grievance_matrix);
        self.member.clone_from(member);
        self.member_list.clone_from(member_list);
        self.pacts_of.clone_from(pacts_of);
        self.applied.clone_from(applied);
        self.applicants.clone_from(applicants);
        self.first_apply.clone_from(first_apply);
        self.ratified.clone_from(ratified);
        self.vote_taste.clone_from(vote_taste);
        self.constituent_start.clone_from(constituent_start);
        self.active.clone_from(active);
        self.life.clone_from(life);
        self.removed = *removed;
        self.pressure.clone_from(pressure);
        self.bloc_pressure.clone_from(bloc_pressure);
        self.threat_at_start.clone_from(threat_at_start);
        self.next_event = *next_event;
        self.slots.clone_from(slots);
        self.raw_taste.clone_from(raw_taste);
        self.to_condition.clone_from(to_condition);
        self.threat_stale = *threat_stale;
        self.scratch.clone_from(scratch);
        self.memo.clone_from(memo);
        self.skip.clone_from(skip);
        self.givens.clone_from(givens);
        self.candidates.clone_from(candidates);
        self.candidates_of.clone_from(candidates_of);
        self.covariate_epoch.clone_from(covariate_epoch);
        self.template_taste.clone_from(template_taste);
        self.formations.clone_from(formations);
        self.formation_of.clone_from(formation_of);
        self.draw_tastes(rng);
    }

    /// Draws every taste from `rng` and conditions them on the starting memberships (see
    /// [`World::seeded`]).
    fn draw_tastes<R: Rng>(&mut self, rng: &mut R) {
        let scenario = self.scenario;
        for (p, _) in scenario.listed_pacts() {
            for s in scenario.state_ids() {
                let k = self.slot(s, p);
                self.raw_taste[k] = uniform(rng);
            }
        }
        // Then one taste per template and state (none without templates): a state's taste for
        // every pact of the template, which its slots start with.
        let t_n = scenario.templates.len();
        for t in 0..t_n {
            for s in scenario.state_ids() {
                self.template_taste[s.index() * t_n + t] = uniform(rng);
            }
        }
        let givens = match &self.givens {
            Some(givens) => Arc::clone(givens),
            None => self.givens().into(),
        };
        // A proposer's taste for a template, conditioned on its not having proposed one at the
        // start (unless the template is `new`).
        let m_n = self.slots.len();
        for (taste, given) in self.template_taste.iter_mut().zip(&givens[m_n..]) {
            *taste = given.taste(*taste);
        }
        for (p, pact) in scenario.pacts.iter().enumerate() {
            if let Some(t) = pact.template {
                for s in scenario.state_ids() {
                    let k = self.slot(s, PactId(p as u16));
                    self.raw_taste[k] = self.template_taste[s.index() * t_n + usize::from(t)];
                }
            }
        }
        for (k, given) in givens[..m_n].iter().enumerate() {
            self.set_taste(k, given.taste(self.raw_taste[k]));
        }
    }

    /// What the scenario says each state chose at the start, `[s·m + p]`: to stay in the pacts it
    /// is a member of; to stay out of the existing pacts it may apply to (a proposal flagged
    /// `new` is not yet a choice; nor is a pact one may not apply to). The same for every
    /// replicate: the probabilities are read off the round-0 world, which tastes do not enter.
    fn givens(&mut self) -> Vec<Given> {
        self.refresh_event_caches();
        let scenario = self.scenario;
        let tau = scenario.params.temperature;
        let mut givens = vec![Given::Nothing; self.slots.len()];
        for p in scenario.pact_ids() {
            for s in scenario.state_ids() {
                if self.is_member(s, p) {
                    let p_leave = logit(terms::leave_terms(self, s, p).utility(), tau);
                    givens[self.slot(s, p)] = Given::StaysIn { p_leave };
                }
            }
        }
        for p in scenario.pact_ids().filter(|&p| scenario.pact(p).active && !scenario.pact(p).new) {
            for s in scenario.state_ids() {
                if !self.is_member(s, p) && self.may_apply(s, p) {
                    let p_join = logit(terms::join_terms(self, s, p).utility(), tau);
                    givens[self.slot(s, p)] = Given::StaysOut { p_join };
                }
            }
        }
        // Then, `[n·m + s·T + t]`, not having proposed a pact of each template at the start:
        // an observed choice, unless the template is `new` (docs/MODEL.md §5b).
        let t_n = scenario.templates.len();
        givens.resize(givens.len() + scenario.n_states() * t_n, Given::Nothing);
        let at = self.slots.len();
        for (t, template) in scenario.templates.iter().enumerate().filter(|(_, t)| !t.new) {
            for s in scenario.state_ids().filter(|&s| template.may_propose(s)) {
                if let Some(best) = self.best_proposal(s, t as u16, f64::INFINITY) {
                    let p_join = logit(best.terms.utility(), tau);
                    givens[at + s.index() * t_n + t] = Given::StaysOut { p_join };
                }
            }
        }
        givens
    }

    /// Narrows a member's taste to those under which staying in is its choice now:
    /// u ← u₀·(1 − P(leave)) from the unconditioned draw u₀, uniform on [0, 1 − P(leave)).
    fn condition_on_membership(&mut self, s: StateId, p: PactId) {
        self.refresh_event_caches();
        let p_leave = logit(terms::leave_terms(self, s, p).utility(), self.scenario.params.temperature);
        let k = self.slot(s, p);
        self.set_taste(k, Given::StaysIn { p_leave }.taste(self.raw_taste[k]));
    }

    fn set_taste(&mut self, k: usize, u: f64) {
        let slot = &mut self.slots[k];
        slot.taste = u;
        slot.cutoff = cutoffs(u);
        slot.skip_key = skip_keys(slot.cutoff);
    }

    /// The index of state `s` and pact `p` in the per-decision tables (`[s·m + p]`).
    #[inline]
    fn slot(&self, s: StateId, p: PactId) -> usize {
        s.index() * self.scenario.n_pacts() + p.index()
    }

    /// Switches the caches of `memo.rs` off (or on again): every term is then computed from
    /// scratch. Results are the same bit for bit either way; the tests check it.
    pub fn set_memo(&mut self, on: bool) {
        if !on {
            self.skip = None;
            self.givens = None;
        }
        self.memo.enabled = on;
        self.memo.event_stale = true;
        self.refresh_event_caches();
    }

    pub fn n(&self) -> usize {
        self.scenario.n_states()
    }
    pub fn hostility(&self, a: StateId, b: StateId) -> f64 {
        self.hostility[a.index() * self.n() + b.index()]
    }
    pub fn proximity(&self, a: StateId, b: StateId) -> f64 {
        self.proximity[a.index() * self.n() + b.index()]
    }
    pub fn grievance_against(&self, holder: StateId, against: StateId) -> f64 {
        self.grievance_matrix[holder.index() * self.n() + against.index()]
    }
    pub fn is_member(&self, s: StateId, p: PactId) -> bool {
        self.member[p.index() * self.n() + s.index()]
    }
    pub fn is_applicant(&self, s: StateId, p: PactId) -> bool {
        self.applied[p.index() * self.n() + s.index()]
    }
    /// Members of a pact in id order.
    pub fn members(&self, p: PactId) -> impl Iterator<Item = StateId> + '_ {
        self.member_list[p.index()].iter().copied()
    }
    /// How many members (counting each constituent of an aggregate) have ratified `applicant`'s
    /// pending application to `p`.
    pub fn ratifications(&self, applicant: StateId, p: PactId) -> usize {
        let row = &self.ratified[p.index() * self.n() + applicant.index()];
        if row.is_empty() {
            return 0;
        }
        self.members(p).map(|k| usize::from(row[k.index()])).sum()
    }

    /// The uniform quantile of `s`'s persistent taste for `p` (low = fond of the pact), after
    /// any conditioning on an observed membership.
    pub fn taste(&self, s: StateId, p: PactId) -> f64 {
        self.slots[self.slot(s, p)].taste
    }
    /// The pacts `s` is a member of, in id order.
    pub fn pacts_of(&self, s: StateId) -> impl Iterator<Item = PactId> + '_ {
        self.pacts_of[s.index()].iter().copied()
    }
    pub fn size(&self, p: PactId) -> usize {
        self.member_list[p.index()].len()
    }
    /// The first round `p` ended because its membership fell below `min_members` (None: it never
    /// did in this replicate so far).
    pub fn ended_at(&self, p: PactId) -> Option<u32> {
        Some(self.life[p.index()].ended_at).filter(|&r| r > 0)
    }
    /// The first round a `dissolve` event ended `p` while it was active (None: never so far).
    pub fn dissolved_at(&self, p: PactId) -> Option<u32> {
        Some(self.life[p.index()].dissolved_at).filter(|&r| r > 0)
    }

    fn add_member(&mut self, s: StateId, p: PactId) {
        let k = p.index() * self.n() + s.index();
        if !self.member[k] {
            self.member[k] = true;
            let slot = self.slot(s, p);
            self.slots[slot].member = true;
            let list = &mut self.member_list[p.index()];
            let at = list.partition_point(|&x| x < s);
            list.insert(at, s);
            let pacts = &mut self.pacts_of[s.index()];
            let at = pacts.partition_point(|&x| x < p);
            pacts.insert(at, p);
            self.memo.membership_changed(p);
            if self.member_list[p.index()].len() >= self.scenario.pact(p).min_members as usize {
                self.life[p.index()].formed = true;
            }
        }
        self.clear_application(s, p);
    }

    /// Closes `p`: it is no longer active or formed, every member is released and every pending
    /// application dropped. A `dissolve` event and a pact's end (its membership fell below
    /// `min_members`) both leave a pact in this state; only a `found` event opens it again.
    fn close(&mut self, p: PactId) {
        self.active[p.index()] = false;
        self.life[p.index()].formed = false;
        for s in self.scenario.state_ids() {
            self.remove_member(s, p);
            self.clear_application(s, p);
        }
    }

    /// Ends `p` if it has formed and its membership has fallen below its `min_members`
    /// (docs/MODEL.md §5a): logs an `end` for each member it releases (in id order), records
    /// the round and closes the pact as a `dissolve` event would.
    fn end_if_fallen(&mut self, p: PactId, log: &mut Vec<Decision>) {
        let i = p.index();
        if !(self.active[i] && self.life[i].formed && self.member_list[i].len() < self.scenario.pact(p).min_members as usize) {
            return;
        }
        let round = self.round;
        let founders = self.identity(p);
        log.extend(self.member_list[i].iter().map(|&s| Decision {
            round,
            state: s,
            pact: p,
            action: Action::End,
            applicant: None,
            probability: 1.0,
            terms: Terms::default(),
            founders: founders.clone(),
        }));
        if self.life[i].ended_at == 0 {
            self.life[i].ended_at = round;
        }
        // A formed pact that ends frees its slot: it forms again only by a new proposal.
        if let Some(f) = self.formations.get_mut(self.formation_of[i] as usize) {
            f.ended = round;
            self.formation_of[i] = NO_FORMATION;
        }
        self.close(p);
    }

    fn remove_member(&mut self, s: StateId, p: PactId) {
        let k = p.index() * self.n() + s.index();
        if self.member[k] {
            self.member[k] = false;
            let slot = self.slot(s, p);
            self.slots[slot].member = false;
            self.member_list[p.index()].retain(|&x| x != s);
            self.pacts_of[s.index()].retain(|&x| x != p);
            self.memo.membership_changed(p);
            self.removed = true;
        }
    }

    fn clear_application(&mut self, s: StateId, p: PactId) {
        let n = self.n();
        if self.applied[p.index() * n + s.index()] {
            self.applicants[p.index()] -= 1;
        }
        self.applied[p.index() * n + s.index()] = false;
        let slot = self.slot(s, p);
        self.slots[slot].applied = false;
        self.ratified[p.index() * n + s.index()].fill(0);
    }

    /// Sets the grievance matrix from the grievances' current strengths (only their cells: the
    /// others are always 0).
    fn rebuild_grievances(&mut self) {
        let n = self.n();
        for g in &self.scenario.grievances {
            self.grievance_matrix[g.holder.index() * n + g.against.index()] = 0.0;
        }
        for (g, strength) in self.scenario.grievances.iter().zip(&self.grievance) {
            self.grievance_matrix[g.holder.index() * n + g.against.index()] += strength;
        }
    }

    /// Recomputes the pressure on each state and its friends, if hostility or capability changed
    /// since.
    fn refresh_threat(&mut self) {
        if !self.threat_stale {
            return;
        }
        for s in self.scenario.state_ids() {
            self.pressure[s.index()] = terms::pressure(self, s);
        }
        for s in self.scenario.state_ids() {
            self.bloc_pressure[s.index()] = terms::bloc_pressure(self, s, |k| self.pressure[k.index()]);
        }
        self.threat_stale = false;
        self.clear_utility_bounds();
    }

    fn apply_change(&mut self, change: &Change) {
        self.world_changed();
        let n = self.n();
        match *change {
            Change::Hostility { a, b, op } => {
                let v = op.apply(self.hostility(a, b)).clamp(-1.0, 1.0) + 0.0;
                self.hostility[a.index() * n + b.index()] = v;
                self.hostility[b.index() * n + a.index()] = v;
                self.threat_stale = true;
                self.memo.event_stale = true;
            }
            Change::Capability { state, op } => {
                let c = &mut self.capability[state.index()];
                *c = op.apply(*c).clamp(NIL_CAPABILITY, MAX_CAPABILITY);
                self.threat_stale = true;
                self.memo.event_stale = true;
            }
            Change::Commitment { state, op } => {
                let c = &mut self.commitment[state.index()];
                *c = op.apply(*c).clamp(0.0, 1.0);
                self.commitment_changed();
            }
            Change::Support { state, op } => {
                let i = state.index();
                self.support[i] = op.apply(self.support[i]).clamp(0.0, 1.0);
                self.support_anchor[i] = op.apply(self.support_anchor[i]).clamp(0.0, 1.0);
            }
            Change::Salience { state, issue, op } => {
                let v = &mut self.salience[state.index()][issue.index()];
                *v = op.apply(*v).clamp(0.0, 1.0);
                self.clear_utility_bounds();
            }
            Change::Grievance { grievance, op } => {
                self.grievance[grievance] = op.apply(self.grievance[grievance]).max(0.0);
                self.rebuild_grievances();
            }
            Change::Found { pact } => {
                self.active[pact.index()] = true;
                let founders = &self.scenario.pact(pact).founders;
                for &s in founders {
                    self.add_member(s, pact);
                }
                // Founding is the founders' choice: their tastes are conditioned on staying in,
                // as for starting members (see `seeded`), once all of this round's events have
                // applied and threat and support are refreshed (`play_round`).
                self.to_condition.extend(founders.iter().map(|&s| (s, pact)));
            }
            Change::Dissolve { pact } => {
                let life = &mut self.life[pact.index()];
                if self.active[pact.index()] && life.dissolved_at == 0 {
                    life.dissolved_at = self.round;
                }
                self.close(pact);
            }
            Change::ForceJoin { state, pact } => {
                // A pact that is not active (not yet founded, dissolved or ended) cannot be
                // joined, not even by force: only a `found` event opens it.
                if self.active[pact.index()] {
                    // Imposed, but then kept: conditioned like a founder, so the member does not
                    // walk out in the same round merely because it was put in.
                    self.add_member(state, pact);
                    self.to_condition.push((state, pact));
                }
            }
            Change::ForceLeave { state, pact } => {
                self.remove_member(state, pact);
                self.clear_application(state, pact);
            }
            Change::Proximity { a, b, op } => {
                let v = op.apply(self.proximity(a, b)).clamp(0.0, 1.0) + 0.0;
                self.proximity[a.index() * n + b.index()] = v;
                self.proximity[b.index() * n + a.index()] = v;
                self.threat_stale = true;
                self.memo.event_stale = true;
            }
            Change::Democracy { state, democratic } => {
                self.democracy[state.index()] = democratic;
                self.clear_utility_bounds();
            }
            Change::Birth { state } => {
                let i = state.index();
                if !self.present[i] {
                    self.present[i] = true;
                    self.capability[i] = self.scenario.states[i].capability;
                    self.threat_stale = true;
                    self.memo.event_stale = true;
                }
            }
            Change::Death { state } => {
                let i = state.index();
                self.present[i] = false;
                self.capability[i] = NIL_CAPABILITY;
                for p in self.scenario.pact_ids() {
                    self.remove_member(state, p);
                    self.clear_application(state, p);
                }
                self.threat_stale = true;
                self.memo.event_stale = true;
            }
        }
    }

    /// Plays one round; appends every decision taken to `log`.
    ///
    /// Order: grievances fade → events of the round → threat and public support → pacts the
    /// events left below their `min_members` end → memberships the events created are
    /// conditioned on this world → states decide (sequentially in random order, or
    /// simultaneously; a pact ends as soon as a leave takes it below `min_members`) → members
    /// vote on applicants.
    pub fn play_round<R: Stream>(&mut self, rng: &mut R, log: &mut Vec<Decision>) {
        self.round += 1;
        self.removed = false;
        self.environment_step();
        // A pact ending depends on membership, so it is the replicate's business, not the
        // environment's (a `Timeline` plays `environment_step` alone, and must not end pacts).
        if self.removed {
            for p in self.scenario.pact_ids() {
                self.end_if_fallen(p, log);
            }
        }
        // Memberships the events created (founders, forced joins) were chosen on this round's
        // world: condition their tastes now that every change has applied and threat and support
        // are current. A membership an event has already undone again is not conditioned.
        for (s, p) in std::mem::take(&mut self.to_condition) {
            if self.is_member(s, p) {
                self.condition_on_membership(s, p);
            }
        }
        self.decisions(rng, log);
        self.admissions(rng, log);
        self.proposals(rng, log);
    }

    /// What a round changes whatever the states choose: grievances fade, the round's events
    /// apply, threat and public support are brought up to date. Membership does not enter any of
    /// it (events that found or join apply as scheduled), which is what lets a [`Timeline`] play
    /// it once for every replicate.
    fn environment_step(&mut self) {
        // Grievances fade before the events, so a grievance an event sets (`to`) holds as
        // written in this round's votes.
        let decay = self.scenario.params.grievance_decay;
        if decay > 0.0 && !self.grievance.is_empty() {
            self.grievance.iter_mut().for_each(|g| *g *= 1.0 - decay);
            self.rebuild_grievances();
        }
        let events = &self.scenario.events;
        while self.next_event < events.len() && events[self.next_event].round == self.round {
            for change in &events[self.next_event].changes {
                self.apply_change(change);
            }
            self.next_event += 1;
        }
        self.advance_covariates();
        self.refresh_threat();
        self.refresh_event_caches();
        self.update_support();
    }

    /// The states' decisions of the round, sequential in a random order or simultaneous.
    ///
    /// Every decision has its uniform draw from the stream, one after another, in the order the
    /// decisions are taken. Only shocks drawn per round read them: with persistent shocks the
    /// taste decides, and the stream skips over the round's draws in one step instead (the
    /// numbers that follow are the same).
    fn decisions<R: Stream>(&mut self, rng: &mut R, log: &mut Vec<Decision>) {
        let per_round = self.scenario.params.shocks == Shocks::PerRound;
        let draw = |rng: &mut R| if per_round { uniform(rng) } else { f64::NAN };
        match self.scenario.params.update_order {
            UpdateOrder::Sequential => {
                let mut order = std::mem::take(&mut self.scratch[0]);
                order.clear();
                order.extend(self.scenario.state_ids());
                shuffle(&mut order, rng);
                if !per_round {
                    rng.skip_u64((self.n() * self.scenario.n_pacts()) as u64);
                }
                if self.mark_candidates() {
                    // Only the decisions the verdicts leave (shocks are persistent: no decision
                    // reads its draw); those idle as the pacts' members stood at the start, until
                    // a state joins or leaves a pact.
                    let candidates = std::mem::take(&mut self.candidates);
                    let mut moved = false;
                    for &s in &order {
                        let (from, to) = (self.candidates_of[s.index()], self.candidates_of[s.index() + 1]);
                        for c in &candidates[from as usize..to as usize] {
                            if c.idle_as_members_stand && !moved {
                                continue;
                            }
                            if let Some(d) = self.decide(s, c.pact, f64::NAN) {
                                moved |= matches!(d.action, Action::Join | Action::Leave);
                                self.enact(&d);
                                let left = (d.action == Action::Leave).then_some(d.pact);
                                log.push(d);
                                if let Some(p) = left {
                                    self.end_if_fallen(p, log);
                                }
                            }
                        }
                    }
                    self.candidates = candidates;
                } else {
                    for &s in &order {
                        for p in self.scenario.pact_ids() {
                            let draw = draw(rng);
                            if let Some(d) = self.decide(s, p, draw) {
                                self.enact(&d);
                                let left = d.action == Action::Leave;
                                log.push(d);
                                if left {
                                    self.end_if_fallen(p, log);
                                }
                            }
                        }
                    }
                }
                self.scratch[0] = order;
            }
            UpdateOrder::Simultaneous => {
                let mut chosen = Vec::new();
                if !per_round {
                    rng.skip_u64((self.n() * self.scenario.n_pacts()) as u64);
                }
                if self.mark_candidates() {
                    // Every decision is taken on the world as the round began.
                    for s in self.scenario.state_ids() {
                        let (from, to) = (self.candidates_of[s.index()], self.candidates_of[s.index() + 1]);
                        for c in &self.candidates[from as usize..to as usize] {
                            if !c.idle_as_members_stand {
                                chosen.extend(self.decide(s, c.pact, f64::NAN));
                            }
                        }
                    }
                } else {
                    for s in self.scenario.state_ids() {
                        for p in self.scenario.pact_ids() {
                            let draw = draw(rng);
                            chosen.extend(self.decide(s, p, draw));
                        }
                    }
                }
                // Moves on a pact with a size limit can conflict (the last seat): they take
                // effect in a random order, drawn from the replicate's stream, not in id order.
                if self.scenario.pacts.iter().any(|p| p.size_limit.is_some()) {
                    shuffle(&mut chosen, rng);
                }
                self.removed = false;
                for d in chosen {
                    if self.still_possible(&d) {
                        self.enact(&d);
                        log.push(d);
                    }
                }
                // The moves took effect together: a pact they left below its `min_members` ends
                // once all have (a join in the same round may have kept it alive).
                if self.removed {
                    for p in self.scenario.pact_ids() {
                        self.end_if_fallen(p, log);
                    }
                }
            }
        }
    }

    /// Public support moves toward what the change in threat justifies, with inertia:
    /// support ← inertia·support + (1 − inertia)·clamp(anchor + sensitivity·(threat − threat₀)).
    fn update_support(&mut self) {
        for (i, st) in self.scenario.states.iter().enumerate() {
            let felt = terms::felt_threat(self, StateId(i as u16));
            let target = (self.support_anchor[i] + st.support.sensitivity * (felt - self.threat_at_start[i])).clamp(0.0, 1.0);
            self.support[i] = st.support.inertia * self.support[i] + (1.0 - st.support.inertia) * target;
        }
    }

    /// Whether `s` may apply to `p` at all: the pact exists, takes applicants, is not aimed at
    /// `s`, and has room. (Public support is not a gate: it enters once, as the support term.)
    #[inline]
    pub fn may_apply(&self, s: StateId, p: PactId) -> bool {
        let pact = self.scenario.pact(p);
        self.may_apply_but_for_size(s, p)
            && pact.size_limit.is_none_or(|l| self.size(p) < l as usize)
            && pact.template.is_none_or(|t| !self.in_template_group(s, t, p))
    }

    /// Whether `s` is a member of another pact of template `t` aimed at the same rival as slot
    /// `p`: pacts of one template are alternatives, so a state is in at most one of each group at
    /// a time (it proposes no second one, is invited to none, applies to none; docs/MODEL.md §5b).
    fn in_template_group(&self, s: StateId, t: u16, p: PactId) -> bool {
        self.scenario.templates[usize::from(t)]
            .groups
            .iter()
            .find(|g| (g.first..g.first + g.count).contains(&p.0))
            .is_some_and(|g| g.slots().any(|q| q != p && self.is_member(s, q)))
    }

    /// [`World::may_apply`] but for the pact's size limit: membership does not enter it, so a
    /// [`Timeline`] can read it once for every replicate.
    #[inline]
    fn may_apply_but_for_size(&self, s: StateId, p: PactId) -> bool {
        self.active[p.index()] && self.present[s.index()] && self.open_to(s, p)
    }

    /// Whether `p`, if active, takes `s` as an applicant (size apart): it is not closed, not aimed
    /// at `s`, and, for a template's pact, `s` may be a member of the template's pacts.
    #[inline]
    fn open_to(&self, s: StateId, p: PactId) -> bool {
        let pact = self.scenario.pact(p);
        pact.admission != Admission::Closed
            && pact.rivals.binary_search(&s).is_err()
            && pact
                .template
                .is_none_or(|t| self.scenario.templates[usize::from(t)].may_be_member(s))
    }

    /// The founders of the formed pact in slot `p` (None for a listed pact, or a slot no formed
    /// pact occupies).
    fn identity(&self, p: PactId) -> Option<Arc<[StateId]>> {
        let f = *self.formation_of.get(p.index())?;
        self.formations.get(f as usize).map(|f| Arc::clone(&f.founders))
    }

    /// The pacts templates have formed in this replicate so far, in the order they formed.
    pub fn formations(&self) -> &[Formation] {
        &self.formations
    }

    /// The uniform quantile that decides a choice: the state's persistent taste, or this round's
    /// fresh `draw` when shocks are drawn per round.
    fn shock(&self, taste: f64, draw: f64) -> f64 {
        match self.scenario.params.shocks {
            Shocks::Persistent => taste,
            Shocks::PerRound => draw,
        }
    }

    /// Lists in `candidates` the decisions of this round that the timeline's verdicts do not pass
    /// over, if the world has a timeline and shocks are persistent (a decision then reads no
    /// draw); false otherwise (nothing listed: every decision is taken up, with its draw).
    ///
    /// A passed-over decision is one [`World::decide`] would find idle by its own tests (not
    /// allowed to apply; or its utility bound, with affinity over all the state's relations,
    /// beyond its taste's cut-off): the verdict is the value those tests compute, for this round's
    /// world, which membership does not enter. The list made at the start of the phase holds to
    /// its end: a verdict reads only the decision's own membership, which only it can change —
    /// or the pact's end, which releases every member, but then the pact is inactive and
    /// [`World::decide`] finds every decision about it idle whether listed or not. (A pact ended
    /// in a replicate is active in the timeline, which never ends one: its verdicts may list a
    /// decision, never pass over one the replicate would take.) Each listed decision also carries `certainly_idle`'s second test (affinity over the pact's
    /// members), which does read others' memberships: it stands only until someone joins or
    /// leaves a pact (see [`World::decisions`]).
    fn mark_candidates(&mut self) -> bool {
        let Some(skip) = &self.skip else {
            return false;
        };
        if self.scenario.params.shocks != Shocks::Persistent {
            return false;
        }
        let skip = Arc::clone(skip);
        let len = self.slots.len() * timeline::VERDICTS;
        let at = (self.round as usize).wrapping_sub(1).wrapping_mul(len);
        let Some(verdicts) = skip.get(at..at.wrapping_add(len)) else {
            return false;
        };
        let m = self.scenario.n_pacts();
        if m == 0 {
            // No pact, no decision: nothing to mark (and no rows of `m` slots to walk).
            return false;
        }
        let scale = 1.0 / self.scenario.params.temperature;
        let mut candidates = std::mem::take(&mut self.candidates);
        candidates.clear();
        self.candidates_of[0] = 0;
        for (s, (slots, verdicts)) in self
            .slots
            .chunks_exact(m)
            .zip(verdicts.chunks_exact(timeline::VERDICTS * m))
            .enumerate()
        {
            for (p, (slot, verdict)) in slots.iter().zip(verdicts.chunks_exact(timeline::VERDICTS)).enumerate() {
                let leaving = slot.member;
                let verdict = timeline::Verdict::from_slice(verdict);
                let (beyond, bound, key) = if leaving {
                    (verdict.leave_beyond, verdict.leave_bound, slot.skip_key.1)
                } else {
                    (verdict.join_beyond, verdict.join_bound, slot.skip_key.0)
                };
                if beyond > key {
                    continue;
                }
                // `certainly_idle`'s second test, with affinity over the pact's members, from the
                // timeline's bound (NaN when there is none: nothing is passed over).
                // It reads the pact's membership, which others' moves may change before this
                // decision's turn: the decision is kept, marked idle as things stand.
                let (s, p) = (StateId(s as u16), PactId(p as u16));
                let range = self.member_affinity_range(s, p);
                let beyond = at_most_max(-self.add_affinity(bound, leaving, range) * scale);
                candidates.push(Candidate {
                    pact: p,
                    idle_as_members_stand: beyond > key,
                });
            }
            self.candidates_of[s + 1] = candidates.len() as u32;
        }
        self.candidates = candidates;
        true
    }

    /// The decision of `s` about `p` this round, if it acts; `draw` is a uniform number in 0..1.
    ///
    /// A state acts when its logit shock makes the action worth it: with the shock's uniform
    /// quantile u, it applies/joins when u < logit(ΔU_join/τ) and leaves when 1 − u <
    /// logit(ΔU_leave/τ), so one taste u (low = fond of the pact) drives both.
    fn decide(&self, s: StateId, p: PactId, draw: f64) -> Option<Decision> {
        let slot = &self.slots[self.slot(s, p)];
        if !self.active[p.index()] || slot.applied {
            return None;
        }
        let tau = self.scenario.params.temperature;
        let u = self.shock(slot.taste, draw);
        let (cut_join, cut_leave) = match self.scenario.params.shocks {
            Shocks::Persistent if tau > 0.0 => slot.cutoff,
            _ => (f64::INFINITY, f64::INFINITY),
        };
        let member = slot.member;
        if !member && !self.may_apply(s, p) {
            return None;
        }
        if self.certainly_idle(s, p, member, if member { cut_leave } else { cut_join }) {
            // Even the best the member sums could do would not make it act.
            return None;
        }
        let (action, terms, u, cutoff) = if member {
            (Action::Leave, terms::leave_terms(self, s, p), 1.0 - u, cut_leave)
        } else {
            let action = if self.scenario.pact(p).admission == Admission::Open {
                Action::Join
            } else {
                Action::Apply
            };
            (action, terms::join_terms(self, s, p), u, cut_join)
        };
        let utility = terms.utility();
        // Multiplying by 1/τ rounds differently from dividing by τ, by far less than the margin
        // in the cut-off: this only decides whether the exact test below is needed.
        if -utility * (1.0 / tau) > cutoff {
            // logit(ΔU/τ) is certainly at most u: no action, and no need to compute it.
            return None;
        }
        let probability = logit(utility, tau);
        (u < probability).then(|| Decision {
            round: self.round,
            state: s,
            pact: p,
            action,
            applicant: None,
            probability,
            terms,
            founders: self.identity(p),
        })
    }

    /// In simultaneous play, a move chosen on the start-of-round world may have become
    /// impossible (the pact filled up).
    fn still_possible(&self, d: &Decision) -> bool {
        match d.action {
            Action::Join | Action::Apply => self.may_apply(d.state, d.pact) || d.action == Action::Apply,
            _ => true,
        }
    }

    fn enact(&mut self, d: &Decision) {
        let (s, p) = (d.state, d.pact);
        let k = p.index() * self.n() + s.index();
        match d.action {
            Action::Apply => {
                if !self.applied[k] {
                    self.applicants[p.index()] += 1;
                }
                self.applied[k] = true;
                let slot = self.slot(s, p);
                self.slots[slot].applied = true;
                if self.first_apply[k] == 0 {
                    self.first_apply[k] = self.round;
                }
            }
            Action::Join => {
                if self.first_apply[k] == 0 {
                    self.first_apply[k] = self.round;
                }
                self.add_member(s, p);
            }
            Action::Leave => self.remove_member(s, p),
            Action::Admit | Action::Hold | Action::End | Action::Propose | Action::Accept | Action::Decline => {}
        }
    }

    /// Members take up pending applications: each member that has not yet ratified an
    /// applicant takes it up with probability `ratification_rate` and then admits or holds it by
    /// the logit rule on [`terms::admit_terms`]. An applicant joins once the pact's rule is met.
    fn admissions<R: Rng>(&mut self, rng: &mut R, log: &mut Vec<Decision>) {
        let n = self.n();
        let scenario = self.scenario;
        let params = &scenario.params;
        let persistent = params.shocks == Shocks::Persistent;
        for p in scenario.pact_ids() {
            if !self.active[p.index()] || self.applicants[p.index()] == 0 {
                continue;
            }
            // The members who vote this round are those at the start of the admission phase: an
            // applicant admitted earlier in the phase does not ratify the others' accessions.
            let [_, members, applicants] = &mut self.scratch;
            let (mut members, mut applicants) = (std::mem::take(members), std::mem::take(applicants));
            members.clear();
            members.extend(self.members(p));
            applicants.clear();
            applicants.extend(scenario.state_ids().filter(|&a| self.is_applicant(a, p)));
            // With a size limit the last seats go in a random order (drawn from the replicate's
            // stream), not in id order.
            if scenario.pact(p).size_limit.is_some() {
                shuffle(&mut applicants, rng);
            }
            for &a in &applicants {
                let row = p.index() * n + a.index();
                if self.ratified[row].is_empty() {
                    self.ratified[row].resize(n, 0);
                    if persistent {
                        self.vote_taste[row].resize(self.constituent_start[n] as usize, f64::NAN);
                    }
                }
                for &k in &members {
                    // Each constituent of the member (one, unless it is an aggregate) that has
                    // not ratified yet is one opportunity; they share the member's terms.
                    let (count, start) = (scenario.state(k).count, self.constituent_start[k.index()] as usize);
                    let mut vote: Option<(Terms, f64)> = None;
                    for i in self.ratified[row][k.index()]..count {
                        // One draw per opportunity: the constituent takes the application up when
                        // u < rate, and then (shocks drawn per round) u / rate is again uniform on
                        // [0, 1): the vote's draw.
                        let u = uniform(rng);
                        if u >= params.ratification_rate {
                            continue;
                        }
                        let (terms, probability) = match vote {
                            Some(vote) => vote,
                            None => {
                                let terms = self.vote_terms(k, a, p);
                                *vote.insert((terms, logit(terms.utility(), params.temperature)))
                            }
                        };
                        // A vote is a choice like any other: with persistent shocks the
                        // constituent keeps its taste for this applicant (drawn the first time it
                        // takes it up), so a hold lasts until the terms change — a grievance fades
                        // or an event moves the world — and is then lifted.
                        let at = start + usize::from(i);
                        let shock = if persistent {
                            let taste = &mut self.vote_taste[row][at];
                            if taste.is_nan() {
                                *taste = uniform(rng);
                            }
                            *taste
                        } else {
                            u / params.ratification_rate
                        };
                        let admit = shock < probability;
                        if admit {
                            // The ratified constituents come first: swap this one's taste into
                            // the next ratified place (that constituent, not yet ratified, takes
                            // this one's).
                            let done = start + usize::from(self.ratified[row][k.index()]);
                            if persistent {
                                self.vote_taste[row].swap(done, at);
                            }
                            self.ratified[row][k.index()] += 1;
                        }
                        log.push(Decision {
                            round: self.round,
                            state: k,
                            pact: p,
                            action: if admit { Action::Admit } else { Action::Hold },
                            applicant: Some(a),
                            probability: if admit { probability } else { 1.0 - probability },
                            terms,
                            founders: self.identity(p),
                        });
                    }
                }
                // Votes are counted by constituent: an aggregate of 18 is 18 ratifications.
                let yes: usize = members.iter().map(|k| usize::from(self.ratified[row][k.index()])).sum();
                let all: usize = members.iter().map(|&k| usize::from(scenario.state(k).count)).sum();
                let accepted = match self.scenario.pact(p).admission {
                    Admission::Unanimity => yes == all,
                    Admission::Majority => 2 * yes > all,
                    Admission::Open => true,
                    Admission::Closed => false,
                };
                let full = self.scenario.pact(p).size_limit.is_some_and(|l| self.size(p) >= l as usize);
                if accepted && !full {
                    let terms = terms::join_terms(self, a, p);
                    self.add_member(a, p);
                    log.push(Decision {
                        round: self.round,
                        state: a,
                        pact: p,
                        action: Action::Join,
                        applicant: None,
                        probability: 1.0,
                        terms,
                        founders: self.identity(p),
                    });
                }
            }
            self.scratch[1] = members;
            self.scratch[2] = applicants;
        }
    }
}

impl World<'_> {
    /// The round's proposals (docs/MODEL.md §5b), after the admissions: nothing at all without
    /// templates. The states take their turns in a random order (a shuffle drawn from the
    /// replicate's stream); at its turn a state has one opportunity per template it may propose
    /// a pact of, and each opportunity consumes exactly one uniform draw whatever its outcome
    /// (the proposal's shock when shocks are drawn per round), so variants of a scenario stay on
    /// common random numbers as far as their paths agree. A proposal is answered at once: each
    /// invitee, in id order, accepts or declines with one draw of its own; the pact forms when
    /// the proposer and those that accept are at least the template's `min_members`.
    fn proposals<R: Rng>(&mut self, rng: &mut R, log: &mut Vec<Decision>) {
        let scenario = self.scenario;
        if scenario.templates.is_empty() {
            return;
        }
        let mut order = std::mem::take(&mut self.scratch[0]);
        order.clear();
        order.extend(scenario.state_ids());
        shuffle(&mut order, rng);
        for &s in &order {
            for (t, template) in scenario.templates.iter().enumerate() {
                // A state that does not exist (yet, or any more) proposes nothing and takes no draw.
                if !template.may_propose(s) || !self.present[s.index()] {
                    continue;
                }
                let draw = uniform(rng);
                if let Some(proposal) = self.proposal(s, t as u16, draw) {
                    self.answer(s, t as u16, proposal, rng, log);
                }
            }
        }
        self.scratch[0] = order;
    }

    /// What `s` proposes at its opportunity for template `t` (`draw`: the opportunity's uniform
    /// draw), if it proposes: the slot, the partners, its terms and their probability.
    ///
    /// The search is bounded: every state that may be a member is scored by the proposer's own
    /// utility of joining a pact of the template with it alone (the same terms as joining any
    /// pact, [`terms::proposal_terms`]); the `candidates` best (k, ties by id) are kept, and the
    /// proposer weighs the pacts formed with the first j of them, j from `min_members − 1` to k
    /// (and the size limit), taking the one it values most (the smallest at a tie). It proposes
    /// it when its taste says so, by the logit rule on that utility — the rule of joining: the
    /// pacts it is in enter through marginal protection, as they do for any pact it might join.
    fn proposal(&self, s: StateId, t: u16, draw: f64) -> Option<Proposal> {
        let scenario = self.scenario;
        let params = &scenario.params;
        let tau = params.temperature;
        let taste = self.template_taste[s.index() * scenario.templates.len() + usize::from(t)];
        let u = self.shock(taste, draw);
        let cutoff = if params.shocks == Shocks::Persistent && tau > 0.0 {
            no_action_above(u)
        } else {
            f64::INFINITY
        };
        let best = self.best_proposal(s, t, cutoff)?;
        (u < best.probability).then_some(best)
    }

    /// The pact `s` would propose of template `t` (see [`World::proposal`]), whatever its taste;
    /// None if it may propose none now, or if the utility bound shows it certainly would not
    /// with a taste whose cut-off is `cutoff` (∞: never skip).
    fn best_proposal(&self, s: StateId, t: u16, cutoff: f64) -> Option<Proposal> {
        let scenario = self.scenario;
        let template = &scenario.templates[usize::from(t)];
        let rival = match template.rival_rule {
            RivalRule::Fixed => None,
            RivalRule::WorstThreat => Some(self.worst_threat(s)?),
        };
        let group = template.group(rival)?;
        if !self.present[s.index()] {
            return None;
        }
        // Pacts of a template are alternatives: a member of one proposes no other.
        if group.slots().any(|q| self.is_member(s, q)) {
            return None;
        }
        let slot = group.slots().find(|q| !self.active[q.index()])?;
        let pact = scenario.pact(slot);
        // A pact's rival is never a member, so never its proposer.
        if pact.rivals.binary_search(&s).is_ok() || self.certainly_no_proposal(s, slot, cutoff) {
            return None;
        }
        let mut scored: Vec<(f64, StateId)> = scenario
            .state_ids()
            .filter(|&j| {
                j != s
                    && self.present[j.index()]
                    && template.may_be_member(j)
                    && pact.rivals.binary_search(&j).is_err()
                    && !group.slots().any(|q| self.is_member(j, q))
            })
            .map(|j| (terms::proposal_terms(self, s, slot, &[j]).utility(), j))
            .collect();
        // Best first; equal values in id order (a total order, so the same on every machine).
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        let most = template
            .candidates
            .min(scored.len())
            .min(template.size_limit.map_or(usize::MAX, |l| l as usize - 1));
        let fewest = template.min_members as usize - 1;
        let mut best: Option<(Vec<StateId>, Terms)> = None;
        for j in fewest..=most {
            let mut partners: Vec<StateId> = scored[..j].iter().map(|&(_, k)| k).collect();
            partners.sort_unstable();
            let terms = terms::proposal_terms(self, s, slot, &partners);
            if best.as_ref().is_none_or(|(_, b)| terms.utility() > b.utility()) {
                best = Some((partners, terms));
            }
        }
        let (partners, terms) = best?;
        Some(Proposal {
            slot,
            partners,
            terms,
            probability: logit(terms.utility(), scenario.params.temperature),
        })
    }

    /// The state that puts the most pressure on `s` (the lowest id at a tie), if any does.
    fn worst_threat(&self, s: StateId) -> Option<StateId> {
        let mut worst: Option<(f64, StateId)> = None;
        for j in self.scenario.state_ids() {
            let p = terms::pressure_from(self, s, j);
            if p > 0.0 && worst.is_none_or(|(w, _)| p > w) {
                worst = Some((p, j));
            }
        }
        worst.map(|(_, j)| j)
    }

    /// Logs `proposer`'s proposal and its invitees' answers, and forms the pact if enough accept.
    fn answer<R: Rng>(&mut self, proposer: StateId, t: u16, proposal: Proposal, rng: &mut R, log: &mut Vec<Decision>) {
        let scenario = self.scenario;
        let Proposal {
            slot,
            partners,
            terms,
            probability,
        } = proposal;
        let mut proposed: Vec<StateId> = partners.clone();
        proposed.push(proposer);
        proposed.sort_unstable();
        let proposed: Arc<[StateId]> = proposed.into();
        log.push(Decision {
            round: self.round,
            state: proposer,
            pact: slot,
            action: Action::Propose,
            applicant: None,
            probability,
            terms,
            founders: Some(Arc::clone(&proposed)),
        });
        let tau = scenario.params.temperature;
        let t_n = scenario.templates.len();
        let mut founders = vec![proposer];
        let mut others = Vec::with_capacity(proposed.len());
        for &j in &partners {
            // Each invitee weighs the pact as proposed, with every other invitee in it.
            others.clear();
            others.extend(proposed.iter().copied().filter(|&k| k != j));
            let terms = terms::proposal_terms(self, j, slot, &others);
            let p_accept = logit(terms.utility(), tau);
            let draw = uniform(rng);
            let u = self.shock(self.template_taste[j.index() * t_n + usize::from(t)], draw);
            let accept = u < p_accept;
            if accept {
                founders.push(j);
            }
            log.push(Decision {
                round: self.round,
                state: j,
                pact: slot,
                action: if accept { Action::Accept } else { Action::Decline },
                applicant: Some(proposer),
                probability: if accept { p_accept } else { 1.0 - p_accept },
                terms,
                founders: Some(Arc::clone(&proposed)),
            });
        }
        if founders.len() >= scenario.templates[usize::from(t)].min_members as usize {
            founders.sort_unstable();
            self.form(slot, t, founders.into());
        }
    }

    /// Forms a pact of template `t` in the free `slot` with `founders` (docs/MODEL.md §5b): as a
    /// `found` event founds a listed pact, its founders' tastes conditioned on staying in, on
    /// this world; every other state's taste for the slot is its taste for the template again
    /// (whatever the slot's previous pact conditioned).
    fn form(&mut self, slot: PactId, t: u16, founders: Arc<[StateId]>) {
        let t_n = self.scenario.templates.len();
        for s in self.scenario.state_ids() {
            let k = self.slot(s, slot);
            self.raw_taste[k] = self.template_taste[s.index() * t_n + usize::from(t)];
            self.set_taste(k, self.raw_taste[k]);
        }
        self.active[slot.index()] = true;
        self.life[slot.index()].formed = false;
        self.formation_of[slot.index()] = self.formations.len() as u32;
        self.formations.push(Formation {
            template: t,
            slot,
            founders: Arc::clone(&founders),
            formed: self.round,
            ended: 0,
        });
        for &s in founders.iter() {
            self.add_member(s, slot);
        }
        for &s in founders.iter() {
            self.condition_on_membership(s, slot);
        }
    }
}

/// A pact a state proposes ([`World::proposal`]).
#[derive(Debug, Clone)]
struct Proposal {
    /// The free slot it would occupy.
    slot: PactId,
    /// The invitees, in id order.
    partners: Vec<StateId>,
    /// The proposer's terms of joining it as proposed.
    terms: Terms,
    probability: f64,
}

/// A decision of the round the timeline's verdicts do not pass over ([`World::mark_candidates`]).
#[derive(Debug, Clone, Copy)]
struct Candidate {
    pact: PactId,
    /// Idle by `certainly_idle`'s test with affinity over the pact's members, as they stood when
    /// the round's decisions began.
    idle_as_members_stand: bool,
}

/// Where a pact is in its life (docs/MODEL.md §5a), beyond whether it is active.
#[derive(Debug, Clone, Copy, Default)]
struct Life {
    /// It has had `min_members` members since it was last founded (at the start, or by a `found`
    /// event): only a formed pact ends when its membership falls below that, so a pact waiting
    /// for its first members is not ended at once.
    formed: bool,
    /// The first round it ended because its membership fell below `min_members`; 0 = never.
    ended_at: u32,
    /// The first round a `dissolve` event ended it while it was active; 0 = never.
    dissolved_at: u32,
}

/// What a state is observed to have chosen about a pact at the start (or when an event made it
/// a member), which narrows its taste to those under which that was its choice.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Given {
    Nothing,
    /// A member stays in: u ← u₀·(1 − P(leave)), uniform on [0, 1 − P(leave)).
    StaysIn {
        p_leave: f64,
    },
    /// A non-member stays out: u ← P(join) + u₀·(1 − P(join)), uniform on [P(join), 1).
    StaysOut {
        p_join: f64,
    },
}

impl Given {
    /// The taste from the unconditioned draw `raw`. (Conditioning always starts from it, so a
    /// second conditioning, a pact founded again, replaces the first instead of compounding it.)
    fn taste(self, raw: f64) -> f64 {
        match self {
            Given::Nothing => raw,
            Given::StaysIn { p_leave } => raw * (1.0 - p_leave),
            Given::StaysOut { p_join } => p_join + raw * (1.0 - p_join),
        }
    }
}

/// What a decision of one state about one pact reads first (kept side by side for a state's
/// pacts): its taste, the cut-offs that taste implies, and copies of its membership and
/// application flags (the tables `member` and `applied`, indexed by pact, are the reference).
#[derive(Debug, Clone, Copy)]
struct Slot {
    /// The state's idiosyncratic taste for the pact, a uniform quantile of its logit shock; with
    /// persistent shocks it is drawn once per replicate.
    taste: f64,
    /// The values of −ΔU/τ above which joining (`.0`) or leaving (`.1`) is certainly not chosen
    /// (see [`no_action_above`]): most decisions then need no `exp`.
    cutoff: (f64, f64),
    /// The cut-offs as the timeline's verdicts are compared with them ([`skip_keys`]).
    skip_key: (f64, f64),
    member: bool,
    applied: bool,
}

impl Slot {
    fn new(taste: f64) -> Self {
        Slot {
            taste,
            cutoff: cutoffs(taste),
            skip_key: skip_keys(cutoffs(taste)),
            member: false,
            applied: false,
        }
    }
}

/// `x`, with +∞ brought down to the largest finite number and NaN kept (`f64::min` would turn NaN
/// into its other argument): a verdict compared with a cut-off key ([`skip_keys`]) then passes
/// over a decision exactly when `certainly_idle`'s comparison with a finite cut-off would.
pub(super) fn at_most_max(x: f64) -> f64 {
    if x > f64::MAX { f64::MAX } else { x }
}

/// The cut-offs with "never skip" (infinite) as the largest finite number, so that a timeline
/// verdict of +∞ (may not apply: skip whatever the taste) still exceeds it and no finite one does.
fn skip_keys((join, leave): (f64, f64)) -> (f64, f64) {
    let key = |c: f64| if c.is_finite() { c } else { f64::MAX };
    (key(join), key(leave))
}

/// For a taste u, the cut-offs on x = −ΔU/τ beyond which u < logit = 1/(1 + eˣ) is certainly
/// false, for joining (quantile u) and leaving (quantile 1 − u).
pub fn cutoffs(u: f64) -> (f64, f64) {
    (no_action_above(u), no_action_above(1.0 - u))
}

/// The x = −ΔU/τ above which a state whose shock has uniform quantile `u` certainly does not act:
/// u < 1/(1 + eˣ) ⟺ x < ln((1 − u)/u), widened by a margin (10⁻⁶ + 10⁻⁹·|ln|) far larger than
/// the rounding of exp, log and the divisions, so that skipping the exact test never changes a
/// decision; near the ends (where the margin could shrink below rounding) it never skips. Below
/// the cut-off the exact test `u < logit(ΔU, τ)` decides, as always.
pub fn no_action_above(u: f64) -> f64 {
    if !(u > 1e-300 && u < 1.0 - 1e-9) {
        return f64::INFINITY;
    }
    let t = libm::log((1.0 - u) / u);
    t + 1e-6 + 1e-9 * t.abs()
}

/// A random stream the engine can skip ahead in: [`Stream::skip_u64`] leaves it exactly where
/// drawing that many 64-bit numbers would.
pub trait Stream: Rng {
    fn skip_u64(&mut self, n: u64);
}

impl Stream for rand_chacha::ChaCha8Rng {
    /// Seeks: the skipped blocks are never computed.
    fn skip_u64(&mut self, n: u64) {
        let at = self.get_word_pos();
        self.set_word_pos(at + 2 * u128::from(n));
    }
}

use crate::draw::shuffle;
/// The engine's draws are the crate's one module of them (src/draw.rs): a uniform number in
/// [0, 1) from the top 53 bits of one 64-bit output, and Fisher–Yates by multiply-shift, so
/// results depend only on the ChaCha8 stream, not on how a rand version maps bits to numbers.
pub use crate::draw::uniform;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn action_index_is_its_place_in_all() {
        for (i, a) in Action::ALL.iter().enumerate() {
            assert_eq!(a.index(), i, "{}", a.name());
        }
    }
}
