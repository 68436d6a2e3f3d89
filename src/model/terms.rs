//! The decision terms, one function each. docs/MODEL.md states each equation and names the
//! function here that computes it. All are pure functions of the [`World`].

use crate::scenario::{Issue, Obligation, Pact, PactId, StateId};

use super::World;

/// The signed contribution of each term to the utility of an action; the utility is their sum.
/// Terms that do not apply to an action are zero.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Terms {
    /// Security gained: threat × protection (Walt; Snyder's abandonment fear).
    pub security: f64,
    /// Gains on the pact's issue (energy, food, minerals, technology, security cooperation).
    pub issue: f64,
    /// Autonomy given up (Morrow 1991), negative.
    pub autonomy: f64,
    /// Cost of breaking a tradition of neutrality or non-alignment, negative.
    pub neutrality: f64,
    /// Risk of being dragged into an ally's conflict (Snyder 1984), negative.
    pub entrapment: f64,
    /// Provoking the pact's rivals (the source column), negative.
    pub provocation: f64,
    /// Affinity with the other members, negative when they are hostile (Axelrod & Bennett's propensities).
    pub affinity: f64,
    /// Domestic support for alignment, relative to the state's threshold.
    pub support: f64,
    /// Costs of changing status (joining, or leaving a pact; higher for binding pacts).
    pub switching: f64,
    /// A member's goodwill towards an applicant (admission votes only).
    pub goodwill: f64,
    /// A member's grievance against an applicant (admission votes only), negative.
    pub grievance: f64,
}

impl Terms {
    pub const NAMES: [&'static str; 11] = [
        "security",
        "issue",
        "autonomy",
        "neutrality",
        "entrapment",
        "provocation",
        "affinity",
        "support",
        "switching",
        "goodwill",
        "grievance",
    ];

    pub fn values(&self) -> [f64; 11] {
        [
            self.security,
            self.issue,
            self.autonomy,
            self.neutrality,
            self.entrapment,
            self.provocation,
            self.affinity,
            self.support,
            self.switching,
            self.goodwill,
            self.grievance,
        ]
    }

    pub fn utility(&self) -> f64 {
        self.values().iter().sum()
    }

    /// The terms of the opposite choice (leaving is giving up membership).
    pub fn negated(&self) -> Terms {
        let v = self.values().map(|x| -x);
        Terms {
            security: v[0],
            issue: v[1],
            autonomy: v[2],
            neutrality: v[3],
            entrapment: v[4],
            provocation: v[5],
            affinity: v[6],
            support: v[7],
            switching: v[8],
            goodwill: v[9],
            grievance: v[10],
        }
    }
}

/// Threat `from` poses to `to` (Walt 1987): hostile intent × proximity × relative capability.
/// Affinity (negative hostility) poses no threat. In 0..1.
pub fn threat_from(w: &World, to: StateId, from: StateId) -> f64 {
    if to == from {
        return 0.0;
    }
    let hostility = w.hostility(to, from).max(0.0);
    if hostility == 0.0 {
        return 0.0;
    }
    let (ci, cj) = (w.capability[to.index()], w.capability[from.index()]);
    hostility * w.proximity(to, from) * cj / (ci + cj)
}

/// Total threat a state faces: the sum of [`threat_from`] over all states.
pub fn threat(w: &World, s: StateId) -> f64 {
    w.scenario.state_ids().map(|j| threat_from(w, s, j)).sum()
}

/// The part of a state's threat a pact answers: threat from the pact's rivals, or all threat
/// when the pact names no rivals.
pub fn relevant_threat(w: &World, s: StateId, p: PactId) -> f64 {
    let rivals = &w.scenario.pact(p).rivals;
    if rivals.is_empty() {
        w.threat[s.index()]
    } else {
        rivals.iter().map(|&j| threat_from(w, s, j)).sum()
    }
}

/// Probability the pact's pledges are honoured: binding treaties ~0.75, informal ones less
/// (Leeds, Long & Mitchell 2000), interpolated by `binding`.
pub fn credibility(w: &World, p: PactId) -> f64 {
    let pact = w.scenario.pact(p);
    let c = &w.scenario.params.credibility;
    pact.binding * c.binding + (1.0 - pact.binding) * c.informal
}

/// How much of a defence pledge the pact's strongest security obligation amounts to.
pub fn obligation_strength(w: &World, pact: &Pact) -> f64 {
    let op = &w.scenario.params.obligation_protection;
    pact.obligations
        .iter()
        .map(|o| match o {
            Obligation::Defence => op.defence,
            Obligation::Offence => op.offence,
            Obligation::Consultation => op.consultation,
            Obligation::Neutrality => op.neutrality,
            Obligation::NonAggression => op.non_aggression,
        })
        .fold(0.0, f64::max)
}

/// Capability of the other members that `s` can count on: each ally's capability × its
/// commitment, discounted by the hostility between it and `s` (a hostile member is no ally).
pub fn allied_capability(w: &World, s: StateId, p: PactId) -> f64 {
    w.members(p)
        .filter(|&k| k != s)
        .map(|k| w.capability[k.index()] * w.commitment[k.index()] * (1.0 - w.hostility(s, k).max(0.0)))
        .sum()
}

/// Allies' committed capability against the hostile capability facing `s`: in 0..1. A nuclear
/// guarantee with a defence pledge lifts it to at least `nuclear_floor` × the commitment of the
/// guarantor (the strongest other member).
pub fn coverage(w: &World, s: StateId, p: PactId) -> f64 {
    let pact = w.scenario.pact(p);
    let allied = allied_capability(w, s, p);
    let hostile: f64 = w
        .scenario
        .state_ids()
        .filter(|&j| j != s && (pact.rivals.is_empty() || pact.rivals.contains(&j)))
        .map(|j| w.hostility(s, j).max(0.0) * w.proximity(s, j) * w.capability[j.index()])
        .sum();
    let mut cover = if allied + hostile > 0.0 { allied / (allied + hostile) } else { 0.0 };
    if pact.nuclear && pact.has(Obligation::Defence) && allied > 0.0 {
        // The umbrella is as credible as its holder's political will: the strongest other member.
        let guarantor = w
            .members(p)
            .filter(|&k| k != s)
            .max_by(|&a, &b| w.capability[a.index()].total_cmp(&w.capability[b.index()]))
            .map_or(0.0, |k| w.commitment[k.index()] * (1.0 - w.hostility(s, k).max(0.0)));
        cover = cover.max(w.scenario.params.nuclear_floor * guarantor);
    }
    cover
}

/// Protection a pact offers `s`: credibility × obligation strength × coverage.
pub fn protection(w: &World, s: StateId, p: PactId) -> f64 {
    let pact = w.scenario.pact(p);
    credibility(w, p) * obligation_strength(w, pact) * coverage(w, s, p)
}

/// Security value of membership: w_security × relevant threat × protection.
pub fn security(w: &World, s: StateId, p: PactId) -> f64 {
    w.scenario.params.weights.security * relevant_threat(w, s, p) * protection(w, s, p)
}

/// How far `s` can count on the other members to deliver: their capability-weighted mean
/// commitment (1 when there are none yet). A patron whose political will is in doubt makes
/// cooperation with it worth less, not only its protection.
pub fn partner_reliability(w: &World, s: StateId, p: PactId) -> f64 {
    let (mut weighted, mut total) = (0.0, 0.0);
    for k in w.members(p).filter(|&k| k != s) {
        weighted += w.capability[k.index()] * w.commitment[k.index()];
        total += w.capability[k.index()];
    }
    if total > 0.0 { weighted / total } else { 1.0 }
}

/// Issue gains: w_issue × salience of the pact's issue × issue_gain × partner reliability,
/// scaled by the members' pooled resource share when the pact pools (a cartel is worth its
/// market share).
pub fn issue_gain(w: &World, s: StateId, p: PactId) -> f64 {
    let pact = w.scenario.pact(p);
    let issue: Issue = pact.issue;
    let mut gain = w.scenario.params.weights.issue * w.salience[s.index()][issue.index()] * pact.issue_gain * partner_reliability(w, s, p);
    if pact.pooled {
        let pool: f64 = w
            .members(p)
            .filter(|&k| k != s)
            .map(|k| w.scenario.state(k).resources[issue.index()])
            .sum::<f64>()
            + w.scenario.state(s).resources[issue.index()];
        gain *= pool.min(1.0);
    }
    gain
}

/// Autonomy given up (Morrow 1991): w_autonomy × binding × depth, where depth is the
/// obligation strength (an issue pact without security obligations counts 0.3).
pub fn autonomy_cost(w: &World, _s: StateId, p: PactId) -> f64 {
    let pact = w.scenario.pact(p);
    let depth = if pact.obligations.is_empty() {
        0.3
    } else {
        obligation_strength(w, pact)
    };
    -w.scenario.params.weights.autonomy * pact.binding * depth
}

/// Breaking neutrality: w_neutrality × neutrality tradition × binding × obligation strength.
/// Informal and issue pacts barely touch a neutral's identity; a defence treaty ends it.
pub fn neutrality_cost(w: &World, s: StateId, p: PactId) -> f64 {
    let pact = w.scenario.pact(p);
    -w.scenario.params.weights.neutrality * w.scenario.state(s).neutrality * pact.binding * obligation_strength(w, pact)
}

/// Entrapment (Snyder 1984): a binding defence pact drags members into allies' conflicts that
/// are not their own. w_entrapment × binding × defence × capability-weighted mean over allies of
/// their worst hostility that `s` does not share.
pub fn entrapment(w: &World, s: StateId, p: PactId) -> f64 {
    let pact = w.scenario.pact(p);
    if !pact.has(Obligation::Defence) {
        return 0.0;
    }
    let (mut weighted, mut total) = (0.0, 0.0);
    for k in w.members(p).filter(|&k| k != s) {
        let foreign = w
            .scenario
            .state_ids()
            .filter(|&j| j != s && j != k)
            .map(|j| w.hostility(k, j).max(0.0) * (1.0 - w.hostility(s, j).max(0.0)))
            .fold(0.0, f64::max);
        weighted += w.capability[k.index()] * foreign;
        total += w.capability[k.index()];
    }
    if total == 0.0 {
        return 0.0;
    }
    -w.scenario.params.weights.entrapment * pact.binding * weighted / total
}

/// Provocation (the source column): membership of a pact aimed at a neighbour provokes it, for as
/// long as it lasts (leaving appeases it); informal pacts provoke less; a rival that is already
/// openly hostile has little left to be provoked.
/// −w_provocation × formality × Σ over rivals of proximity × relative capability × (1 − hostility⁺).
pub fn provocation(w: &World, s: StateId, p: PactId) -> f64 {
    let pact = w.scenario.pact(p);
    let params = &w.scenario.params;
    let formality = params.informal_provocation + (1.0 - params.informal_provocation) * pact.binding;
    let exposure: f64 = pact
        .rivals
        .iter()
        .filter(|&&j| j != s)
        .map(|&j| {
            let (ci, cj) = (w.capability[s.index()], w.capability[j.index()]);
            w.proximity(s, j) * cj / (ci + cj) * (1.0 - w.hostility(s, j).max(0.0))
        })
        .sum();
    -params.weights.provocation * formality * exposure
}

/// Affinity with fellow members (Axelrod & Bennett 1993: states group with those they have a
/// propensity to side with): w_affinity × capability-weighted mean over the other members of
/// −hostility. Friends add value; a member the state is hostile to (Jordan and Israel after
/// October 2023) takes it away.
pub fn affinity(w: &World, s: StateId, p: PactId) -> f64 {
    let (mut weighted, mut total) = (0.0, 0.0);
    for k in w.members(p).filter(|&k| k != s) {
        weighted += w.capability[k.index()] * -w.hostility(s, k);
        total += w.capability[k.index()];
    }
    if total == 0.0 {
        return 0.0;
    }
    w.scenario.params.weights.affinity * weighted / total
}

/// Domestic support (Finland/Sweden polls): for a democracy, w_support × binding × (support −
/// threshold). Leaders of non-democracies are not bound by it (0).
pub fn support(w: &World, s: StateId, p: PactId) -> f64 {
    let state = w.scenario.state(s);
    if !state.democracy {
        return 0.0;
    }
    w.scenario.params.weights.support * w.scenario.pact(p).binding * (w.support[s.index()] - state.support.threshold)
}

/// What membership is worth to `s` right now, before switching costs.
pub fn membership_value(w: &World, s: StateId, p: PactId) -> Terms {
    Terms {
        security: security(w, s, p),
        issue: issue_gain(w, s, p),
        autonomy: autonomy_cost(w, s, p),
        neutrality: neutrality_cost(w, s, p),
        entrapment: entrapment(w, s, p),
        provocation: provocation(w, s, p),
        affinity: affinity(w, s, p),
        support: support(w, s, p),
        ..Terms::default()
    }
}

/// Terms of applying to (or joining) a pact: membership value and the joining cost.
pub fn join_terms(w: &World, s: StateId, p: PactId) -> Terms {
    Terms {
        switching: -w.scenario.params.weights.join_cost,
        ..membership_value(w, s, p)
    }
}

/// Terms of leaving: membership value given up, and the exit cost (w_exit + w_exit_binding × binding).
pub fn leave_terms(w: &World, s: StateId, p: PactId) -> Terms {
    let weights = &w.scenario.params.weights;
    Terms {
        switching: -(weights.exit_cost + weights.exit_binding * w.scenario.pact(p).binding),
        ..membership_value(w, s, p).negated()
    }
}

/// Terms of a member's vote on an applicant: goodwill, the security the applicant adds to the
/// member (none from an applicant the member is hostile to: admitting a threat adds no
/// protection against it), and the member's grievance against it (a named grievance plus any
/// open hostility, weighted by `admission_hostility`).
pub fn admit_terms(w: &World, member: StateId, applicant: StateId, p: PactId) -> Terms {
    let params = &w.scenario.params;
    let added = params.weights.security
        * relevant_threat(w, member, p)
        * credibility(w, p)
        * obligation_strength(w, w.scenario.pact(p))
        * {
            let cap = w.capability[applicant.index()] * w.commitment[applicant.index()];
            let allied = allied_capability(w, member, p);
            if allied + cap > 0.0 { cap / (allied + cap) } else { 0.0 }
        }
        * (1.0 - w.hostility(member, applicant).max(0.0));
    Terms {
        goodwill: params.admission_goodwill,
        security: added,
        grievance: -(params.weights.grievance * w.grievance_against(member, applicant)
            + params.weights.admission_hostility * w.hostility(member, applicant).max(0.0)),
        ..Terms::default()
    }
}
