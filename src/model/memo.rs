//! Caches of the sums behind the decision terms, so that a decision costs the same in a world of
//! 193 states as in one of 16.
//!
//! Nothing here changes a result: every cached value is computed by the same function of
//! [`super::terms`], over the same elements in the same order, as it would be without the cache
//! (floating-point sums are not associative, so running sums that add and subtract members are
//! ruled out). Values are only computed less often:
//!
//! - **Event-level** values depend on hostility and capability alone, which only events change:
//!   the capability each state's pacts are held against ([`terms::opposing_capability`]), the
//!   pressure from each pact's rivals and on the state's friends, and the states each state is
//!   hostile to (for entrapment's "foreign quarrels"). They are rebuilt whenever an event
//!   changes hostility or capability.
//! - **Membership-level** sums over a pact's other members (allied capability, the nuclear
//!   guarantor's will, partner reliability, pooled resources, entrapment, affinity) are kept per
//!   state–pact pair with the pact's `stamp` at the time; the stamp moves whenever the pact's
//!   membership changes or an event changes capability, commitment or hostility, and a pair whose
//!   stamp is old is recomputed when it is next read.
//! - A state outside a pact with no hostility or affinity towards its members, hostile to no
//!   one, sees the same member sums as every such state (bit for bit: see
//!   [`terms::member_sums_of_outsider`]); they are kept once per pact.
//! - Entrapment's exposure of a state to a member's quarrels (a max over all states but the
//!   pact's rivals) is kept per pair of states until hostility changes, as the two largest
//!   values with the states they are towards ([`Top2`]): the max without the pact's rivals is the
//!   first that is not a rival, computed afresh only when both are. A max is exact, so it is
//!   taken over the states the member is hostile to only.
//!
//! The cache can be switched off ([`super::World::set_memo`]), which computes every term from
//! scratch: the tests compare the two bit for bit.

use std::cell::Cell;

use super::World;
use super::terms::{self, EventSums, MemberSums, Terms};
use super::user_terms;
use crate::scenario::{MAX_TERMS, PactId, StateId};

#[derive(Debug)]
pub(super) struct Memo {
    pub(super) enabled: bool,
    /// Hostility or capability changed since the event-level caches were built.
    pub(super) event_stale: bool,
    /// Per pact: moves when the pact's membership changes or an event changes the world.
    stamp: Vec<u32>,
    /// Member sums `[s·m + p]` (a state's pacts side by side: it weighs them one after another) and the pact stamp they were computed at (`u32::MAX` = never).
    sums: Vec<Cell<(u32, MemberSums)>>,
    /// Event-level sums `[s·m + p]`.
    event: Vec<EventSums>,
    /// Member sums of an outsider (see [`World::member_sums`]) per pact, with the pact stamp.
    outsider: Vec<Cell<(u32, MemberSums)>>,
    /// For each state k, the states j ≠ k it is hostile to (h_kj > 0), in id order.
    hostile_to: Vec<Vec<StateId>>,
    /// For each state, the states towards which its hostility is not 0 (either sign).
    related: Vec<Vec<StateId>>,
    /// For each state s, its friends: the states k ≠ s with h_sk < 0 (affinity a_sk > 0), in id
    /// order — the only states [`terms::bloc_pressure`] adds.
    friends: Vec<Vec<StateId>>,
    /// For each state k, its two worst hostilities towards anyone: max_j h_kj⁺ ([`Top2`]).
    worst_quarrel: Vec<Top2>,
    /// The worst quarrel of any state.
    worst_quarrel_anywhere: f64,
    /// [`terms::utility_upper_bounds`] `[s·m + p]` (join, leave); NaN until computed. They change
    /// only with events (and threat), so they are cleared with the event-level caches.
    bounds: Vec<Cell<(f64, f64)>>,
    /// For each state, the range of −h over its relations, and 0: where its affinity with any set
    /// of members lies.
    pub(super) affinity_range: Vec<(f64, f64)>,
    /// Entrapment exposure of s to the quarrels of k, `[s·n + k]`, its two largest terms
    /// ([`Top2::UNKNOWN`] until computed).
    exposure: Vec<Cell<Top2>>,
    /// Per pact: [`terms::credibility`] and [`terms::obligation_strength`], fixed for a scenario.
    pact_constants: Vec<(f64, f64)>,
    /// [`World::member_affinity_range`] `[s·m + p]` with the pact stamp it was computed at.
    member_range: Vec<Cell<(u32, (f64, f64))>>,
    /// Moves whenever anything a member's vote on an applicant weighs may have changed, but for
    /// the grievance: any membership, any event, threat ([`World::vote_terms`]).
    epoch: u64,
    /// The members' vote terms on an applicant, `[p·n + applicant]`, each with the member and
    /// the epoch they were computed at: only the members that have voted (a row of every state
    /// would be most of a world's memory).
    votes: Vec<Vec<(StateId, u64, Terms)>>,
    /// The scenario's own terms `[s·m + p]` ([`user_terms`]) with the pact stamp they were
    /// computed at; empty when the scenario has none.
    user: Vec<Cell<(u32, [f64; MAX_TERMS])>>,
}

/// Written out so that [`Clone::clone_from`] reuses the tables (a replicate starts from a copy of
/// the round-0 world: [`World::reseed`]).
impl Clone for Memo {
    fn clone(&self) -> Self {
        let mut copy = Memo::new(0, 0);
        copy.clone_from(self);
        copy
    }

    fn clone_from(&mut self, source: &Self) {
        // Every field, by name: a field added to `Memo` and not copied here does not compile.
        let Memo {
            enabled,
            event_stale,
            stamp,
            sums,
            event,
            outsider,
            hostile_to,
            related,
            friends,
            worst_quarrel,
            worst_quarrel_anywhere,
            bounds,
            affinity_range,
            exposure,
            pact_constants,
            member_range,
            epoch,
            votes,
            user,
        } = source;
        self.enabled = *enabled;
        self.event_stale = *event_stale;
        self.stamp.clone_from(stamp);
        self.sums.clone_from(sums);
        self.event.clone_from(event);
        self.outsider.clone_from(outsider);
        self.hostile_to.clone_from(hostile_to);
        self.related.clone_from(related);
        self.friends.clone_from(friends);
        self.worst_quarrel.clone_from(worst_quarrel);
        self.worst_quarrel_anywhere = *worst_quarrel_anywhere;
        self.bounds.clone_from(bounds);
        self.affinity_range.clone_from(affinity_range);
        self.exposure.clone_from(exposure);
        self.pact_constants.clone_from(pact_constants);
        self.member_range.clone_from(member_range);
        self.epoch = *epoch;
        self.votes.clone_from(votes);
        self.user.clone_from(user);
    }
}

impl Memo {
    pub(super) fn new(n_states: usize, n_pacts: usize) -> Self {
        Memo {
            enabled: true,
            event_stale: true,
            stamp: vec![0; n_pacts],
            sums: vec![Cell::new((u32::MAX, MemberSums::default())); n_pacts * n_states],
            event: vec![EventSums::default(); n_pacts * n_states],
            outsider: vec![Cell::new((u32::MAX, MemberSums::default())); n_pacts],
            hostile_to: vec![Vec::new(); n_states],
            related: vec![Vec::new(); n_states],
            friends: vec![Vec::new(); n_states],
            worst_quarrel: vec![Top2::NONE; n_states],
            worst_quarrel_anywhere: 0.0,
            affinity_range: vec![(0.0, 0.0); n_states],
            bounds: vec![Cell::new((f64::NAN, f64::NAN)); n_pacts * n_states],
            exposure: vec![Cell::new(Top2::UNKNOWN); n_states * n_states],
            pact_constants: Vec::new(),
            member_range: vec![Cell::new((u32::MAX, (0.0, 0.0))); n_pacts * n_states],
            epoch: 0,
            votes: vec![Vec::new(); n_pacts * n_states],
            user: Vec::new(),
        }
    }

    /// Makes room for the scenario's own terms of every state–pact pair (`pairs`; 0 without them).
    pub(super) fn size_user_terms(&mut self, pairs: usize) {
        self.user = vec![Cell::new((u32::MAX, [0.0; MAX_TERMS])); pairs];
    }

    /// The membership of `p` changed: its members' sums are stale.
    pub(super) fn membership_changed(&mut self, p: PactId) {
        self.epoch += 1;
        let s = &mut self.stamp[p.index()];
        *s = s.wrapping_add(1);
        if *s == u32::MAX {
            // Never equal to the "not computed" mark: start again and forget everything.
            *s = 0;
            let m = self.stamp.len();
            self.sums
                .iter()
                .skip(p.index())
                .step_by(m)
                .for_each(|c| c.set((u32::MAX, MemberSums::default())));
            self.outsider[p.index()].set((u32::MAX, MemberSums::default()));
            self.member_range
                .iter()
                .skip(p.index())
                .step_by(m)
                .for_each(|c| c.set((u32::MAX, (0.0, 0.0))));
            self.user
                .iter()
                .skip(p.index())
                .step_by(m)
                .for_each(|c| c.set((u32::MAX, [0.0; MAX_TERMS])));
        }
    }

    fn all_memberships_changed(&mut self) {
        for p in 0..self.stamp.len() {
            self.membership_changed(PactId(p as u16));
        }
    }
}

impl World<'_> {
    /// Rebuilds the event-level caches if hostility or capability changed since they were built
    /// (several changes in one event cost one rebuild): O(n² + n·Σ rivals + n·m·friends). Called
    /// before any term is evaluated.
    pub(super) fn refresh_event_caches(&mut self) {
        if !self.memo.event_stale {
            return;
        }
        self.memo.event_stale = false;
        let n = self.n();
        if self.memo.pact_constants.is_empty() {
            self.memo.pact_constants = self
                .scenario
                .pact_ids()
                .map(|p| (terms::credibility(self, p), terms::obligation_strength(self, self.scenario.pact(p))))
                .collect();
        }
        for k in self.scenario.state_ids() {
            let row = &self.hostility[k.index() * n..(k.index() + 1) * n];
            let others = || self.scenario.state_ids().filter(move |&j| j != k);
            let hostile_to = &mut self.memo.hostile_to[k.index()];
            hostile_to.clear();
            hostile_to.extend(others().filter(|&j| row[j.index()] > 0.0));
            let related = &mut self.memo.related[k.index()];
            related.clear();
            related.extend(others().filter(|&j| row[j.index()] != 0.0));
            let friends = &mut self.memo.friends[k.index()];
            friends.clear();
            friends.extend(others().filter(|&j| row[j.index()] < 0.0));
            self.memo.worst_quarrel[k.index()] = Top2::of(hostile_to.iter().map(|&j| (j, row[j.index()].max(0.0))));
            self.memo.affinity_range[k.index()] = related
                .iter()
                .map(|&j| -row[j.index()])
                .fold((0.0, 0.0), |(lo, hi), a| (f64::min(lo, a), f64::max(hi, a)));
        }
        let m = self.scenario.n_pacts();
        let mut event = std::mem::take(&mut self.memo.event);
        // The opposing capability over all states is the same for every pact without rivals.
        let all: Vec<f64> = self
            .scenario
            .state_ids()
            .map(|s| terms::opposing_capability_sum(self, s, None))
            .collect();
        for s in self.scenario.state_ids() {
            for p in self.scenario.pact_ids() {
                let e = &mut event[s.index() * m + p.index()];
                *e = if self.scenario.pact(p).rivals.is_empty() {
                    EventSums {
                        against: all[s.index()],
                        ..terms::event_sums_of_rivals(self, s, p)
                    }
                } else {
                    EventSums {
                        against: terms::opposing_capability_sum(self, s, Some(&self.scenario.pact(p).rivals)),
                        ..terms::event_sums_of_rivals(self, s, p)
                    }
                };
            }
        }
        // The friends' pressure from each pact's rivals reads the rival pressure of every friend:
        // a second pass, the same sum in the same order as `terms::event_sums` (over the friends
        // only, which are the states it adds, in id order).
        for s in self.scenario.state_ids() {
            for p in self.scenario.pact_ids().filter(|&p| !self.scenario.pact(p).rivals.is_empty()) {
                event[s.index() * m + p.index()].bloc_rival_pressure =
                    terms::bloc_pressure_over(self, s, self.memo.friends[s.index()].iter().copied(), |k| {
                        event[k.index() * m + p.index()].rival_pressure
                    });
            }
        }
        self.memo.event = event;
        self.memo.worst_quarrel_anywhere = self.memo.worst_quarrel.iter().map(|t| t.first).fold(0.0, f64::max);
        self.memo.exposure.iter().for_each(|c| c.set(Top2::UNKNOWN));
        self.memo.all_memberships_changed();
        self.clear_utility_bounds();
    }

    /// An event changed the world: every cached vote is stale. (Most changes also move the epoch
    /// through the caches they clear; this covers every kind of change at once, so that a kind
    /// added later cannot be forgotten.)
    pub(super) fn world_changed(&mut self) {
        self.memo.epoch += 1;
    }

    /// [`terms::admit_terms`] of `member` voting on `applicant`'s application to `p`. A member
    /// that holds an application takes it up again, round after round, in a world that has
    /// mostly not changed: its terms are kept with the epoch they were computed at and reused
    /// while it has not moved (the grievance, which fades every round, is computed afresh).
    pub(crate) fn vote_terms(&mut self, member: StateId, applicant: StateId, p: PactId) -> Terms {
        if !self.memo.enabled {
            return terms::admit_terms(self, member, applicant, p);
        }
        let row = p.index() * self.n() + applicant.index();
        let epoch = self.memo.epoch;
        let at = self.memo.votes[row].iter().position(|&(k, _, _)| k == member);
        if let Some(i) = at
            && self.memo.votes[row][i].1 == epoch
        {
            return Terms {
                grievance: terms::admission_grievance(self, member, applicant),
                ..self.memo.votes[row][i].2
            };
        }
        let terms = terms::admit_terms(self, member, applicant, p);
        let votes = &mut self.memo.votes[row];
        match at {
            Some(i) => votes[i] = (member, epoch, terms),
            None => votes.push((member, epoch, terms)),
        }
        terms
    }

    /// A covariate moved to its next table of values (`World::advance_covariates`): the
    /// scenario's own terms (kept with the member sums' stamps), the utility bounds and the votes
    /// are stale.
    pub(super) fn covariates_changed(&mut self) {
        self.world_changed();
        self.memo.all_memberships_changed();
        self.clear_utility_bounds();
    }

    /// The scenario's own terms of `s` weighing `p` ([`user_terms::user_terms`]), kept per pair
    /// until the pact's stamp moves (membership, capability, commitment, hostility or a covariate
    /// changed). All 0 without a term.
    pub(crate) fn user_terms(&self, s: StateId, p: PactId) -> [f64; MAX_TERMS] {
        if self.scenario.user_terms.is_empty() {
            return [0.0; MAX_TERMS];
        }
        if !self.memo.enabled || self.memo.user.is_empty() {
            return user_terms::user_terms(self, s, p);
        }
        let cell = &self.memo.user[s.index() * self.scenario.n_pacts() + p.index()];
        let stamp = self.memo.stamp[p.index()];
        match cell.get() {
            (at, terms) if at == stamp => terms,
            _ => {
                let terms = user_terms::user_terms(self, s, p);
                cell.set((stamp, terms));
                terms
            }
        }
    }

    /// Commitment changed: member sums are stale, event-level caches are not.
    pub(super) fn commitment_changed(&mut self) {
        self.memo.all_memberships_changed();
    }

    /// Sums over the other members of `p` as `s` sees them.
    pub(crate) fn member_sums(&self, s: StateId, p: PactId) -> MemberSums {
        if !self.memo.enabled {
            return terms::member_sums(self, s, p);
        }
        let cell = &self.memo.sums[s.index() * self.scenario.n_pacts() + p.index()];
        let stamp = self.memo.stamp[p.index()];
        let (at, sums) = cell.get();
        if at == stamp {
            return sums;
        }
        if self.is_outsider(s, p) {
            let shared = &self.memo.outsider[p.index()];
            let mut sums = match shared.get() {
                (at, sums) if at == stamp => sums,
                _ => {
                    let sums = terms::member_sums_of_outsider(self, p, |k| self.worst_quarrel(k, p));
                    shared.set((stamp, sums));
                    sums
                }
            };
            sums.add_own_resources(self, s, p);
            return sums;
        }
        let sums = terms::member_sums(self, s, p);
        cell.set((stamp, sums));
        sums
    }

    /// Whether a join (`leaving` false) or leave with logit cut-off `cutoff` (see
    /// `no_action_above`) is certainly not taken, judged from [`World::utility_bound`] without
    /// the member sums: first with affinity bounded by the state's relations (no lookup), then by
    /// its relations with the pact's members. Always false with the caches off, so the tests
    /// compare the two.
    #[inline]
    pub(crate) fn certainly_idle(&self, s: StateId, p: PactId, leaving: bool, cutoff: f64) -> bool {
        if !self.memo.enabled || !cutoff.is_finite() {
            return false;
        }
        let scale = 1.0 / self.scenario.params.temperature;
        let without_affinity = self.bound_without_affinity(s, p, leaving);
        -self.add_affinity(without_affinity, leaving, self.memo.affinity_range[s.index()]) * scale > cutoff
            || -self.add_affinity(without_affinity, leaving, self.member_affinity_range(s, p)) * scale > cutoff
    }

    /// Whether a proposal of a pact in slot `p` with any partners is certainly not made by a
    /// proposer whose taste has the cut-off `cutoff`: [`World::certainly_idle`]'s first test
    /// (affinity bounded by the state's relations), which holds for every set of members. Always
    /// false with the caches off.
    #[inline]
    pub(super) fn certainly_no_proposal(&self, s: StateId, p: PactId, cutoff: f64) -> bool {
        if !self.memo.enabled || !cutoff.is_finite() {
            return false;
        }
        let scale = 1.0 / self.scenario.params.temperature;
        -self.add_affinity(self.bound_without_affinity(s, p, false), false, self.memo.affinity_range[s.index()]) * scale > cutoff
    }

    /// An upper bound on the utility of joining `p` (`leaving` false) or leaving it that the
    /// engine uses to skip decisions (see [`terms::utility_upper_bounds`]), but for the affinity
    /// term: the cached bounds of the other terms, the support term, and their margins.
    #[inline]
    pub(super) fn bound_without_affinity(&self, s: StateId, p: PactId, leaving: bool) -> f64 {
        let cell = &self.memo.bounds[s.index() * self.scenario.n_pacts() + p.index()];
        let (mut join, mut leave) = cell.get();
        if join.is_nan() {
            (join, leave) = terms::utility_upper_bounds(self, s, p, self.memo.worst_quarrel_anywhere, (0.0, 0.0));
            cell.set((join, leave));
        }
        let (support, margin) = terms::support_bound(self, s, p);
        if leaving {
            leave - support + margin
        } else {
            join + support + margin
        }
    }

    /// [`World::bound_without_affinity`] plus the affinity term bounded over `affinity_range` (a
    /// range of −h_sk that holds the other members', and 0) and its margin.
    #[inline]
    pub(super) fn add_affinity(&self, bound: f64, leaving: bool, (lo, hi): (f64, f64)) -> f64 {
        // Weights are validated non-negative: w_affinity × [lo, hi] is the affinity term's range.
        let weight = self.scenario.params.weights.affinity;
        let margin = 1e-9 * (1.0 + weight * (hi - lo));
        if leaving {
            bound - weight * lo + margin
        } else {
            bound + weight * hi + margin
        }
    }

    /// The upper bounds on the utility of `s` joining `p` and of leaving it that decide whether
    /// the engine computes the decision's terms at all (without the caches: infinite, nothing is
    /// skipped). Never below the exact utility (`tests/bounds.rs` checks).
    pub fn utility_bound(&self, s: StateId, p: PactId) -> (f64, f64) {
        if !self.memo.enabled {
            return (f64::INFINITY, f64::INFINITY);
        }
        let range = self.member_affinity_range(s, p);
        (
            self.add_affinity(self.bound_without_affinity(s, p, false), false, range),
            self.add_affinity(self.bound_without_affinity(s, p, true), true, range),
        )
    }

    /// The range of −h_sk over the other members k of `p` that `s` has relations with, and 0:
    /// where the affinity term's capability-weighted mean lies. O(relations of s), kept until
    /// the pact's membership or hostility changes (the pact's stamp moves).
    pub(super) fn member_affinity_range(&self, s: StateId, p: PactId) -> (f64, f64) {
        let cell = &self.memo.member_range[s.index() * self.scenario.n_pacts() + p.index()];
        let stamp = self.memo.stamp[p.index()];
        match cell.get() {
            (at, range) if at == stamp => range,
            _ => {
                let range = self.member_affinity_range_now(s, p);
                cell.set((stamp, range));
                range
            }
        }
    }

    fn member_affinity_range_now(&self, s: StateId, p: PactId) -> (f64, f64) {
        let row = &self.hostility[s.index() * self.n()..(s.index() + 1) * self.n()];
        self.memo.related[s.index()]
            .iter()
            .filter(|&&k| self.is_member(k, p))
            .map(|&k| -row[k.index()])
            .fold((0.0, 0.0), |(lo, hi), a| (f64::min(lo, a), f64::max(hi, a)))
    }

    /// Forgets the utility bounds: threat, salience or an event-level sum changed.
    pub(super) fn clear_utility_bounds(&mut self) {
        self.memo.epoch += 1;
        self.memo.bounds.iter().for_each(|c| c.set((f64::NAN, f64::NAN)));
    }

    /// Whether `s` sees pact `p` as any outsider does: it is not a member, has neither hostility
    /// nor affinity towards any member, and is hostile to no one. Most states, for most pacts,
    /// in a world of 193: their member sums are computed once per pact, not once per state.
    fn is_outsider(&self, s: StateId, p: PactId) -> bool {
        !self.is_member(s, p)
            && self.memo.hostile_to[s.index()].is_empty()
            && self.memo.related[s.index()].iter().all(|&j| !self.is_member(j, p))
    }

    /// The credibility and obligation strength of `p`.
    #[inline]
    pub(crate) fn pact_constants(&self, p: PactId) -> (f64, f64) {
        if !self.memo.enabled {
            return (terms::credibility(self, p), terms::obligation_strength(self, self.scenario.pact(p)));
        }
        self.memo.pact_constants[p.index()]
    }

    /// Sums over the rivals of `p` (or all states) as `s` sees them.
    #[inline]
    pub(crate) fn event_sums(&self, s: StateId, p: PactId) -> EventSums {
        if !self.memo.enabled {
            return terms::event_sums(self, s, p);
        }
        self.memo.event[s.index() * self.scenario.n_pacts() + p.index()]
    }

    /// Entrapment exposure of `s` to `k`'s quarrels as a member of `p` (see
    /// [`terms::foreign_quarrel`]: the pact's rivals are not foreign quarrels).
    #[inline]
    pub(crate) fn foreign_quarrel(&self, s: StateId, k: StateId, p: PactId) -> f64 {
        let rivals = &self.scenario.pact(p).rivals;
        if !self.memo.enabled {
            return terms::foreign_quarrel(self, s, k, self.scenario.state_ids(), rivals);
        }
        if self.memo.hostile_to[s.index()].is_empty() {
            // A state hostile to no one shares none of k's quarrels (and is not one of them:
            // hostility is symmetric), so every one is foreign to it.
            return self.worst_quarrel(k, p);
        }
        let cell = &self.memo.exposure[s.index() * self.n() + k.index()];
        let mut top = cell.get();
        if top.is_unknown() {
            // The states k is not hostile to contribute 0 to a max of non-negative values.
            let (row_s, row_k) = (s.index() * self.n(), k.index() * self.n());
            top = Top2::of(self.memo.hostile_to[k.index()].iter().filter(|&&j| j != s).map(|&j| {
                (
                    j,
                    self.hostility[row_k + j.index()].max(0.0) * (1.0 - self.hostility[row_s + j.index()].max(0.0)),
                )
            }));
            cell.set(top);
        }
        top.excluding(rivals)
            .unwrap_or_else(|| terms::foreign_quarrel(self, s, k, self.memo.hostile_to[k.index()].iter().copied(), rivals))
    }

    /// The worst hostility of `k` towards anyone but the rivals of `p`: its foreign quarrel as
    /// seen by a state hostile to no one.
    fn worst_quarrel(&self, k: StateId, p: PactId) -> f64 {
        let rivals = &self.scenario.pact(p).rivals;
        self.memo.worst_quarrel[k.index()].excluding(rivals).unwrap_or_else(|| {
            let row = &self.hostility[k.index() * self.n()..(k.index() + 1) * self.n()];
            self.memo.hostile_to[k.index()]
                .iter()
                .filter(|j| rivals.binary_search(j).is_err())
                .map(|&j| row[j.index()].max(0.0))
                .fold(0.0, f64::max)
        })
    }
}

/// The two largest of a set of non-negative values, with the states they belong to: enough to
/// give the max over the set without one or two given states exactly (a max is exact in floating
/// point, whatever the order).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Top2 {
    first: f64,
    first_of: Option<StateId>,
    second: f64,
    second_of: Option<StateId>,
}

impl Top2 {
    /// The empty set: its max is 0 (as a fold from 0 gives).
    const NONE: Top2 = Top2 {
        first: 0.0,
        first_of: None,
        second: 0.0,
        second_of: None,
    };
    /// Not computed yet.
    const UNKNOWN: Top2 = Top2 {
        first: f64::NAN,
        ..Top2::NONE
    };

    fn is_unknown(&self) -> bool {
        self.first.is_nan()
    }

    /// The two largest positive values of `values` (a value of 0 never changes a max from 0).
    fn of(values: impl Iterator<Item = (StateId, f64)>) -> Top2 {
        let mut top = Top2::NONE;
        for (j, v) in values {
            if v > top.first {
                top.second = top.first;
                top.second_of = top.first_of;
                top.first = v;
                top.first_of = Some(j);
            } else if v > top.second {
                top.second = v;
                top.second_of = Some(j);
            }
        }
        top
    }

    /// The max over the set without the states in `excluded` (sorted), if the two largest tell
    /// it: None when both belong to excluded states.
    fn excluding(&self, excluded: &[StateId]) -> Option<f64> {
        let out = |j: Option<StateId>| j.is_some_and(|j| excluded.binary_search(&j).is_ok());
        if !out(self.first_of) {
            Some(self.first)
        } else if !out(self.second_of) {
            Some(self.second)
        } else {
            None
        }
    }
}
