//! The scenario's own terms (`[[term]]`, docs/MODEL.md §2a): each adds weight × a covariate of
//! the user's to the membership value of a state for a pact.
//!
//! - **dyadic** covariate x: the capability-weighted mean over the pact's other members k of
//!   x_sk (0 with none), as affinity is: w · Σ_k c_k x_sk / Σ_k c_k;
//! - **monadic** covariate x: the state's own value, w · x_s.
//!
//! A term applies to the pacts it names (every pact if it names none) and is 0 for the others
//! and when its weight is 0. Covariates change only at the rounds their values are dated
//! ([`World::advance_covariates`]), never with anyone's choices, so a dyadic term's value changes
//! only with membership, capability and those rounds: the engine keeps it with the member sums
//! (`memo.rs`, [`World::user_terms`]).

use crate::scenario::{CovariateKind, MAX_TERMS, PactId, StateId};

use super::World;

/// The value of every term of the scenario for `s` weighing `p`, from scratch.
pub fn user_terms(w: &World, s: StateId, p: PactId) -> [f64; MAX_TERMS] {
    over_members(w, s, p, w.members(p))
}

/// [`user_terms`] as if `extra` were a member too (in its place in id order): what a member
/// weighs when it votes on an applicant.
pub fn with_member(w: &World, s: StateId, p: PactId, extra: StateId) -> [f64; MAX_TERMS] {
    let members = w
        .members(p)
        .filter(move |&k| k < extra)
        .chain(std::iter::once(extra))
        .chain(w.members(p).filter(move |&k| k > extra));
    over_members(w, s, p, members)
}

/// The terms with the pact's members `members` (in id order; `s` itself is skipped): one pass
/// over the members, each dyadic term's sum accumulated in member order.
fn over_members(w: &World, s: StateId, p: PactId, members: impl Iterator<Item = StateId>) -> [f64; MAX_TERMS] {
    let mut out = [0.0; MAX_TERMS];
    let n = w.n();
    let terms = &w.scenario.user_terms;
    let row = |i: usize| {
        let t = &terms[i];
        let table = &w.scenario.covariates[t.covariate].values[w.covariate_epoch[t.covariate]];
        &table[s.index() * n..(s.index() + 1) * n]
    };
    let dyadic = |i: usize| {
        let t = &terms[i];
        t.applies(p) && w.scenario.covariates[t.covariate].kind == CovariateKind::Dyadic
    };
    if (0..terms.len()).any(dyadic) {
        let mut weighted = [0.0; MAX_TERMS];
        let mut weight = 0.0;
        for k in members.filter(|&k| k != s) {
            let c = w.capability[k.index()];
            for (i, sum) in weighted.iter_mut().enumerate().take(terms.len()) {
                if dyadic(i) {
                    *sum += c * row(i)[k.index()];
                }
            }
            weight += c;
        }
        if weight != 0.0 {
            for (i, slot) in out.iter_mut().enumerate().take(terms.len()) {
                if dyadic(i) {
                    *slot = terms[i].weight * weighted[i] / weight;
                }
            }
        }
    }
    for (slot, t) in out.iter_mut().zip(terms) {
        let cov = &w.scenario.covariates[t.covariate];
        if t.applies(p) && cov.kind == CovariateKind::Monadic {
            *slot = t.weight * cov.values[w.covariate_epoch[t.covariate]][s.index()];
        }
    }
    out
}

/// Bounds on the sum of the terms for `s` weighing `p`, whoever the pact's members are: a
/// monadic term exactly, a dyadic one over the range of the state's values with every other
/// state and 0 (where a capability-weighted mean over any set of partners, or none, lies),
/// times its weight (of either sign). Depends only on the round's covariate tables.
pub fn bounds(w: &World, s: StateId, p: PactId) -> (f64, f64) {
    let (mut lo, mut hi) = (0.0, 0.0);
    for t in w.scenario.user_terms.iter().filter(|t| t.applies(p)) {
        let cov = &w.scenario.covariates[t.covariate];
        let epoch = w.covariate_epoch[t.covariate];
        let (a, b) = match cov.kind {
            CovariateKind::Monadic => {
                let v = t.weight * cov.values[epoch][s.index()];
                (v, v)
            }
            CovariateKind::Dyadic => {
                let (x_lo, x_hi) = cov.ranges[epoch][s.index()];
                (
                    f64::min(t.weight * x_lo, t.weight * x_hi),
                    f64::max(t.weight * x_lo, t.weight * x_hi),
                )
            }
        };
        lo += a;
        hi += b;
    }
    (lo, hi)
}

impl World<'_> {
    /// Moves each covariate to the table of values that holds at this round (values change in
    /// the round of their date, never earlier); if any moved, every cache that reads them is
    /// stale. Called with the round's events: no one's choice enters it.
    pub(super) fn advance_covariates(&mut self) {
        let mut moved = false;
        for (epoch, cov) in self.covariate_epoch.iter_mut().zip(&self.scenario.covariates) {
            let now = cov.epoch_at(self.round);
            if now != *epoch {
                *epoch = now;
                moved = true;
            }
        }
        if moved {
            self.covariates_changed();
        }
    }
}
