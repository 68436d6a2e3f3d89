//! The decision terms, one function each. docs/MODEL.md states each equation and names the
//! function here that computes it. All are pure functions of the [`World`].

use crate::scenario::{Issue, MAX_TERMS, Obligation, Pact, PactId, StateId};

use super::World;
use super::user_terms;

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
    /// The scenario's own terms (`[[term]]`, [`super::user_terms`]), in its order; 0 beyond them
    /// and for a term of weight 0. Not among [`Terms::values`]: the utility adds each one that is
    /// not 0 after the others, so a scenario without them sums exactly as before.
    pub user: [f64; MAX_TERMS],
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
        let mut utility = self.values().iter().sum();
        // A term of 0 (weight 0, or nothing to read) is not added: it cannot change a bit, not
        // even the sign of a zero.
        for &x in &self.user {
            if x != 0.0 {
                utility += x;
            }
        }
        utility
    }

    /// The terms of the opposite choice (leaving is giving up membership).
    pub fn negated(&self) -> Terms {
        let v = self.values().map(|x| -x);
        Terms {
            user: self.user.map(|x| -x),
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

/// Hostile pressure `from` puts on `to` (Walt 1987's offensive power, near and hostile):
/// h⁺ × proximity × c_from, in units of capability. Additive over states, so writing a rival as
/// one state or as several with the same total capability and relations gives the same sum.
/// Affinity (negative hostility) puts no pressure.
pub fn pressure_from(w: &World, to: StateId, from: StateId) -> f64 {
    if to == from {
        return 0.0;
    }
    let hostility = w.hostility(to, from).max(0.0);
    if hostility == 0.0 {
        return 0.0;
    }
    hostility * w.proximity(to, from) * w.capability[from.index()]
}

/// Total hostile pressure on a state: Σ_j [`pressure_from`] over all states, in id order.
pub fn pressure(w: &World, s: StateId) -> f64 {
    w.scenario.state_ids().map(|j| pressure_from(w, s, j)).sum()
}

/// A contest share (Tullock; Hirshleifer 1989's ratio form): the chance that `pressure` prevails
/// over a defender of `capability`, P / (c + P), in [0, 1). What pactsim calls a *threat*: a
/// probability of losing, a pure number whatever unit capabilities are written in.
pub fn contest(pressure: f64, capability: f64) -> f64 {
    if pressure > 0.0 { pressure / (capability + pressure) } else { 0.0 }
}

/// The threat `from` alone poses to `to`: [`contest`] of its [`pressure_from`] against `to`'s
/// capability. In [0, 1). (Threats of several states are not added: their pressures are.)
pub fn threat_from(w: &World, to: StateId, from: StateId) -> f64 {
    contest(pressure_from(w, to, from), w.capability[to.index()])
}

/// The threat a state faces from everyone, on its own: [`contest`] of its total [`pressure`].
pub fn threat(w: &World, s: StateId) -> f64 {
    contest(w.pressure[s.index()], w.capability[s.index()])
}

/// How much a state's friends are its own concern: its affinity a_sk = (−h_sk)⁺ with `k`.
pub fn partner_weight(w: &World, s: StateId, k: StateId) -> f64 {
    if s == k { 0.0 } else { (-w.hostility(s, k)).max(0.0) }
}

/// The pressure on a state's friends that it feels as its own (Walt 1987: threats to allies are
/// threats): B_s = Σ_k a_sk c_k P_k / (c_s + Σ_k a_sk c_k) over its friends k (h_sk < 0), with
/// `pressure_of(k)` the pressure that counts on k (all of it, or the part from a pact's rivals).
/// A mean of the friends' pressures weighted by affinity × capability, scaled by the friends'
/// (affinity-weighted) share of the capability of the state and its friends together: a small
/// state beside a large friend under pressure feels nearly all of it, a large state beside a
/// small friend little. In units of pressure; invariant to splitting a friend into parts with
/// the same total capability and relations (numerator and denominator are sums over them), and
/// continuous in every affinity (a friend's weight goes to 0 with its affinity).
pub fn bloc_pressure(w: &World, s: StateId, pressure_of: impl Fn(StateId) -> f64) -> f64 {
    bloc_pressure_over(w, s, w.scenario.state_ids(), pressure_of)
}

/// [`bloc_pressure`] over `candidates` (in id order): all states, or any superset of the states k
/// with h_sk < 0 (the others add nothing), such as the friends the engine keeps per state.
pub fn bloc_pressure_over(w: &World, s: StateId, candidates: impl Iterator<Item = StateId>, pressure_of: impl Fn(StateId) -> f64) -> f64 {
    let (mut sum, mut weight) = (0.0, 0.0);
    for k in candidates {
        let a = partner_weight(w, s, k);
        if a > 0.0 {
            let ac = a * w.capability[k.index()];
            sum += ac * pressure_of(k);
            weight += ac;
        }
    }
    if sum > 0.0 { sum / (w.capability[s.index()] + weight) } else { 0.0 }
}

/// The threat a state feels: [`contest`] of its own pressure plus λ × its friends'
/// ([`bloc_pressure`]) against its capability. In [0, 1). What public support answers to.
pub fn felt_threat(w: &World, s: StateId) -> f64 {
    let lambda = w.scenario.params.bloc_threat;
    contest(w.pressure[s.index()] + lambda * w.bloc_pressure[s.index()], w.capability[s.index()])
}

/// One state's view of one pact: what the terms of its decision read. Built once per decision,
/// with the sums over the pact's members and rivals taken from the world's caches (`memo.rs`).
#[derive(Debug, Clone, Copy)]
pub struct View<'a> {
    pub world: &'a World<'a>,
    pub state: StateId,
    pub pact_id: PactId,
    pub pact: &'a Pact,
    /// Sums over the other members ([`member_sums`]).
    pub members: MemberSums,
    /// Sums over the rivals or all states ([`event_sums`]).
    pub event: EventSums,
    /// The pact's [`credibility`] and [`obligation_strength`] (fixed for a scenario).
    pub credibility: f64,
    pub obligation_strength: f64,
}

impl<'a> View<'a> {
    /// A view without the member sums (left at zero): enough for the terms that do not sum over
    /// members ([`autonomy_cost`], [`neutrality_cost`], [`provocation`], [`support`]).
    fn without_members(w: &'a World<'a>, s: StateId, p: PactId) -> Self {
        View {
            world: w,
            state: s,
            pact_id: p,
            pact: w.scenario.pact(p),
            members: MemberSums::default(),
            event: w.event_sums(s, p),
            credibility: w.pact_constants(p).0,
            obligation_strength: w.pact_constants(p).1,
        }
    }

    pub fn new(w: &'a World<'a>, s: StateId, p: PactId) -> Self {
        View {
            world: w,
            state: s,
            pact_id: p,
            pact: w.scenario.pact(p),
            members: w.member_sums(s, p),
            event: w.event_sums(s, p),
            credibility: w.pact_constants(p).0,
            obligation_strength: w.pact_constants(p).1,
        }
    }

    fn params(&self) -> &'a crate::scenario::Params {
        &self.world.scenario.params
    }
}

/// The part of the threat a state feels that a pact answers, in [0, 1): [`felt_threat`] when the
/// pact names no rivals; else [`contest`] of the pressure from the pact's rivals on the state plus
/// λ × on its friends ([`bloc_pressure`]), against its capability.
pub fn relevant_threat(v: &View) -> f64 {
    let lambda = v.params().bloc_threat;
    if v.pact.rivals.is_empty() {
        felt_threat(v.world, v.state)
    } else {
        contest(
            v.event.rival_pressure + lambda * v.event.bloc_rival_pressure,
            v.world.capability[v.state.index()],
        )
    }
}

/// Pressure from the pact's rivals (in id order).
fn rival_pressure_sum(w: &World, s: StateId, p: PactId) -> f64 {
    w.scenario.pact(p).rivals.iter().map(|&j| pressure_from(w, s, j)).sum()
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

/// Capability of the other members that `s` can count on: Σ over them of each ally's capability
/// × its commitment, discounted by the hostility between it and `s` (a hostile member is no ally).
pub fn allied_capability(v: &View) -> f64 {
    v.members.allied
}

/// The capability the pact's pledges would be held against: the named rivals' capability
/// (Σ c_j over the rivals other than `s`), or for a pact that names none Σ_j h⁺_sj × c_j, the
/// capability of the states hostile to `s` as far as they are (the coverage denominator).
pub fn opposing_capability(v: &View) -> f64 {
    v.event.against
}

/// [`opposing_capability`] over all states (`rivals` = None) or the given rivals. Rivals are
/// sorted by id when the scenario is resolved, so both sum in id order.
pub fn opposing_capability_sum(w: &World, s: StateId, rivals: Option<&[StateId]>) -> f64 {
    match rivals {
        Some(rivals) => rivals.iter().copied().filter(|&j| j != s).map(|j| w.capability[j.index()]).sum(),
        None => w
            .scenario
            .state_ids()
            .filter(|&j| j != s)
            .map(|j| w.hostility(s, j).max(0.0) * w.capability[j.index()])
            .sum(),
    }
}

/// Allies' committed capability against the capability they would face, A / (A + C): in [0, 1).
pub fn coverage(v: &View) -> f64 {
    let (allied, against) = (allied_capability(v), opposing_capability(v));
    if allied + against > 0.0 { allied / (allied + against) } else { 0.0 }
}

/// Protection a pact offers `s`, in [0, 1]: credibility × obligation strength × the chance that
/// the allies' help suffices, 1 − (1 − coverage)(1 − floor × will): the conventional balance
/// ([`coverage`]) or a nuclear guarantee (a defence pact naming a guarantor that is a member and
/// not `s`: `nuclear_floor` × the guarantor's will), whichever holds — smooth in both, so an
/// ally that adds capability adds protection even where the guarantee is strong.
pub fn protection(v: &View) -> f64 {
    let mut holds = coverage(v);
    if v.pact.has(Obligation::Defence) && v.members.guarantor_will > 0.0 {
        // The umbrella is as credible as its holder's political will.
        let umbrella = v.params().nuclear_floor * v.members.guarantor_will;
        holds = 1.0 - (1.0 - holds) * (1.0 - umbrella);
    }
    v.credibility * v.obligation_strength * holds
}

/// Security value of membership: w_security × relevant threat × the protection the pact adds to
/// what the state's other pacts already give ([`marginal_protection`]).
pub fn security(v: &View) -> f64 {
    let base = v.params().weights.security * relevant_threat(v) * protection(v);
    if base == 0.0 {
        return base;
    }
    base * uncovered_share(v)
}

/// The protection a pact adds on top of the state's other pacts: protection_P × Π over the other
/// pacts Q the state is in of (1 − overlap(Q, P) · protection_Q), so that with all of them the
/// state is protected against P's threat with probability 1 − Π(1 − protection) (pledges honoured
/// independently), and P is credited only with its marginal part. A binding alliance can then
/// make an informal coalition against the same threat redundant, and the other way round.
pub fn marginal_protection(v: &View) -> f64 {
    protection(v) * uncovered_share(v)
}

/// Π over the other pacts Q the state is a member of of (1 − overlap(Q, P) · protection_Q): the
/// share of P's threat the state's other pacts leave uncovered (1 when it is in no other).
pub fn uncovered_share(v: &View) -> f64 {
    let w = v.world;
    let mut share = 1.0;
    for q in w.pacts_of(v.state).filter(|&q| q != v.pact_id && w.active[q.index()]) {
        let vq = View::new(w, v.state, q);
        let protection_q = protection(&vq);
        if protection_q > 0.0 {
            share *= 1.0 - threat_overlap(v, &vq) * protection_q;
        }
    }
    share
}

/// The share of the threat pact P (`p`) answers that pact Q (`q`) answers too: 1 when Q names no
/// rivals; when both name rivals, the share of the state's pressure from P's rivals that comes from
/// rivals Q names as well (the share of P's rivals Q names, if none of them threatens the state
/// yet); when only Q names rivals, the share of the pressure on the state itself that comes from
/// them (0 if it faces none). Shares of the state's own pressure, which is additive: the pressure
/// on its friends (λ·B, which a pact without rivals also answers) is left out of the overlap, so
/// a state threatened only through its friends sees no overlap between a pact aimed at their
/// enemy and one aimed at no one (docs/MODEL.md §2).
pub fn threat_overlap(p: &View, q: &View) -> f64 {
    let (w, s) = (p.world, p.state);
    if q.pact.rivals.is_empty() {
        return 1.0;
    }
    if p.pact.rivals.is_empty() {
        let total = w.pressure[s.index()];
        return if total > 0.0 {
            (q.event.rival_pressure / total).min(1.0)
        } else {
            0.0
        };
    }
    let named_by_q = |j: &StateId| q.pact.rivals.binary_search(j).is_ok();
    let total = p.event.rival_pressure;
    if total > 0.0 {
        let shared: f64 = p
            .pact
            .rivals
            .iter()
            .filter(|j| named_by_q(j))
            .map(|&j| pressure_from(w, s, j))
            .sum();
        (shared / total).min(1.0)
    } else {
        p.pact.rivals.iter().filter(|j| named_by_q(j)).count() as f64 / p.pact.rivals.len() as f64
    }
}

/// How far `s` can count on the other members to deliver: their capability-weighted mean
/// commitment (1 when there are none yet). A patron whose political will is in doubt makes
/// cooperation with it worth less, not only its protection.
pub fn partner_reliability(v: &View) -> f64 {
    v.members.reliability
}

/// Issue gains: w_issue × salience of the pact's issue × issue_gain × partner reliability,
/// scaled by the members' pooled resource share (the other members' and the state's own) when
/// the pact pools (a cartel is worth its market share).
pub fn issue_gain(v: &View) -> f64 {
    let issue: Issue = v.pact.issue;
    let salience = v.world.salience[v.state.index()][issue.index()];
    let mut gain = v.params().weights.issue * salience * v.pact.issue_gain * partner_reliability(v);
    if v.pact.pooled {
        gain *= v.members.pool.min(1.0);
    }
    gain
}

/// How deeply a pact binds a member's policy: its obligation strength, and at least
/// [`ISSUE_DEPTH`] for a pact that coordinates policy on an issue other than security or has no
/// security obligation at all — so adding a clause never makes a pact shallower.
pub fn depth(v: &View) -> f64 {
    if v.pact.obligations.is_empty() || v.pact.issue != Issue::Security {
        v.obligation_strength.max(ISSUE_DEPTH)
    } else {
        v.obligation_strength
    }
}

/// The depth of issue coordination (Morrow 1991's autonomy cost of a pact that is not about
/// defence).
pub const ISSUE_DEPTH: f64 = 0.3;

/// Autonomy given up (Morrow 1991): w_autonomy × binding × [`depth`].
pub fn autonomy_cost(v: &View) -> f64 {
    -v.params().weights.autonomy * v.pact.binding * depth(v)
}

/// Breaking neutrality: w_neutrality × neutrality tradition × binding × obligation strength.
/// Informal and issue pacts barely touch a neutral's identity; a defence treaty ends it.
pub fn neutrality_cost(v: &View) -> f64 {
    let neutrality = v.world.scenario.state(v.state).neutrality;
    -v.params().weights.neutrality * neutrality * v.pact.binding * v.obligation_strength
}

/// Entrapment (Snyder 1984): a binding defence pact drags members into allies' conflicts that
/// are not their own. w_entrapment × binding × capability-weighted mean over allies of their
/// worst hostility that `s` does not share ([`foreign_quarrel`]), towards states the pact does not
/// name as rivals (a quarrel with the pact's own rival is what the pact is for: security and
/// provocation count it). In w × [0, 1].
pub fn entrapment(v: &View) -> f64 {
    v.members.entrapment
}

/// How far member `k` could drag `s` into a quarrel that is not its own: the worst hostility of
/// `k` towards a third state j that `s` does not share, max over `candidates` other than the
/// pact's `rivals` (sorted) of h_kj⁺ · (1 − h_sj⁺) (all states; or only those k is hostile to,
/// since the others add 0 to a max of non-negative values).
pub fn foreign_quarrel(w: &World, s: StateId, k: StateId, candidates: impl Iterator<Item = StateId>, rivals: &[StateId]) -> f64 {
    candidates
        .filter(|&j| j != s && j != k && rivals.binary_search(&j).is_err())
        .map(|j| w.hostility(k, j).max(0.0) * (1.0 - w.hostility(s, j).max(0.0)))
        .fold(0.0, f64::max)
}

/// Provocation (the source column): membership of a pact aimed at a neighbour provokes it, for as
/// long as it lasts (leaving appeases it); informal pacts provoke less; a rival that is already
/// openly hostile has little left to be provoked.
/// −w_provocation × formality × R / (c_s + C_R), with R = Σ over the rivals of proximity ×
/// capability × (1 − hostility⁺) (the capability a rival could newly turn on `s`) and C_R the
/// rivals' capability: a contest share like threat's, in w × [0, 1), and the same whether a rival
/// is written as one state or several.
pub fn provocation(v: &View) -> f64 {
    v.event.provocation
}

fn provocation_value(w: &World, s: StateId, p: PactId) -> f64 {
    let pact = w.scenario.pact(p);
    let params = &w.scenario.params;
    let formality = params.informal_provocation + (1.0 - params.informal_provocation) * pact.binding;
    let (mut roused, mut rivals) = (0.0, 0.0);
    for &j in pact.rivals.iter().filter(|&&j| j != s) {
        let cj = w.capability[j.index()];
        roused += w.proximity(s, j) * cj * (1.0 - w.hostility(s, j).max(0.0));
        rivals += cj;
    }
    if roused > 0.0 {
        -params.weights.provocation * formality * roused / (w.capability[s.index()] + rivals)
    } else {
        0.0
    }
}

/// Affinity with fellow members (Axelrod & Bennett 1993: states group with those they have a
/// propensity to side with): w_affinity × capability-weighted mean over the other members of
/// −hostility. Friends add value; a member the state is hostile to (Jordan and Israel after
/// October 2023) takes it away.
pub fn affinity(v: &View) -> f64 {
    v.members.affinity
}

/// The sums over a pact's other members that the terms need, as `s` sees them. They change only
/// when the pact's membership changes or an event changes capability, commitment or hostility,
/// so the world caches them (`memo.rs`); this computes them from scratch.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct MemberSums {
    /// [`allied_capability`].
    pub allied: f64,
    /// The nuclear guarantor's will as `s` sees it: its commitment × (1 − h⁺) (0 unless the pact
    /// names a guarantor, it is a member, and it is not `s` itself).
    pub guarantor_will: f64,
    /// [`partner_reliability`].
    pub reliability: f64,
    /// Pooled resource share, the state's own included (0 unless the pact pools).
    pub pool: f64,
    /// The [`entrapment`] term.
    pub entrapment: f64,
    /// The [`affinity`] term.
    pub affinity: f64,
}

pub fn member_sums(w: &World, s: StateId, p: PactId) -> MemberSums {
    let mut sums = sums_over_members(w, p, w.members(p), Some(s), |k| w.hostility(s, k), |k| w.foreign_quarrel(s, k, p));
    sums.add_own_resources(w, s, p);
    sums
}

/// [`member_sums`] of `s` as if `extra` were a member too (in its place in id order): what a
/// member weighs when it votes on an applicant.
pub fn member_sums_with(w: &World, s: StateId, p: PactId, extra: StateId) -> MemberSums {
    let members = w
        .members(p)
        .filter(move |&k| k < extra)
        .chain(std::iter::once(extra))
        .chain(w.members(p).filter(move |&k| k > extra));
    let mut sums = sums_over_members(w, p, members, Some(s), |k| w.hostility(s, k), |k| w.foreign_quarrel(s, k, p));
    sums.add_own_resources(w, s, p);
    sums
}

/// [`member_sums`] of a state that is not in the pact and has no hostility or affinity towards
/// any member and no hostility towards anyone (see `memo.rs`), before its own resources are
/// pooled: the same for every such state. Each term of every sum is then the same bits as in
/// [`member_sums`] (1 − 0 = 1, c·(−0) adds nothing, and a member's worst quarrel is foreign to a
/// state hostile to no one), so the sums are too.
pub fn member_sums_of_outsider(w: &World, p: PactId, worst_quarrel: impl Fn(StateId) -> f64) -> MemberSums {
    sums_over_members(w, p, w.members(p), None, |_| 0.0, worst_quarrel)
}

/// The sums over the members of `p` other than `exclude`, with `hostility(k)` the hostility of the
/// viewer towards member k and `quarrel(k)` its [`foreign_quarrel`] with k. The pool is the
/// other members' only.
fn sums_over_members(
    w: &World,
    p: PactId,
    members: impl Iterator<Item = StateId>,
    exclude: Option<StateId>,
    hostility: impl Fn(StateId) -> f64,
    quarrel: impl Fn(StateId) -> f64,
) -> MemberSums {
    let pact = w.scenario.pact(p);
    let issue = pact.issue.index();
    let defence = pact.has(Obligation::Defence);
    // One pass over the members in id order; each sum is accumulated exactly as it would be alone
    // (`Iterator::sum` starts at −0.0, the loops at +0.0), so the results are the same bits.
    let mut allied = -0.0;
    let mut guarantor_will = 0.0;
    let (mut reliability_weighted, mut weight) = (0.0, 0.0);
    let mut pool = -0.0;
    let mut entrapment_weighted = 0.0;
    let mut affinity_weighted = 0.0;
    for k in members.filter(|&k| Some(k) != exclude) {
        let (c, commitment, h) = (w.capability[k.index()], w.commitment[k.index()], hostility(k));
        // A hostile member is no ally.
        allied += c * commitment * (1.0 - h.max(0.0));
        if pact.guarantor == Some(k) {
            guarantor_will = commitment * (1.0 - h.max(0.0));
        }
        reliability_weighted += c * commitment;
        weight += c;
        if pact.pooled {
            pool += w.scenario.state(k).resources[issue];
        }
        if defence {
            entrapment_weighted += c * quarrel(k);
        }
        affinity_weighted += c * -h;
    }
    let weights = &w.scenario.params.weights;
    MemberSums {
        allied,
        guarantor_will,
        reliability: if weight > 0.0 { reliability_weighted / weight } else { 1.0 },
        pool: if pact.pooled { pool } else { 0.0 },
        entrapment: if !defence || weight == 0.0 {
            0.0
        } else {
            -weights.entrapment * pact.binding * entrapment_weighted / weight
        },
        affinity: if weight == 0.0 {
            0.0
        } else {
            weights.affinity * affinity_weighted / weight
        },
    }
}

impl MemberSums {
    /// Adds the viewer's own resources to a pooled pact's pool (the other members' until then).
    pub fn add_own_resources(&mut self, w: &World, s: StateId, p: PactId) {
        let pact = w.scenario.pact(p);
        if pact.pooled {
            self.pool += w.scenario.state(s).resources[pact.issue.index()];
        }
    }
}

/// Sums over the pact's rivals (or all states) as `s` sees them. They change only when an event
/// changes hostility or capability, so the world caches them (`memo.rs`); this computes them.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct EventSums {
    /// [`opposing_capability`].
    pub against: f64,
    /// Pressure from the pact's rivals (0 for a pact without rivals: [`relevant_threat`] then
    /// reads the state's whole felt threat).
    pub rival_pressure: f64,
    /// The pressure the state's friends face from the pact's rivals ([`bloc_pressure`]; 0 for a
    /// pact without rivals).
    pub bloc_rival_pressure: f64,
    /// The [`provocation`] term.
    pub provocation: f64,
}

pub fn event_sums(w: &World, s: StateId, p: PactId) -> EventSums {
    let rivals = &w.scenario.pact(p).rivals;
    EventSums {
        against: opposing_capability_sum(w, s, (!rivals.is_empty()).then_some(rivals)),
        bloc_rival_pressure: if rivals.is_empty() {
            0.0
        } else {
            bloc_pressure(w, s, |k| rival_pressure_sum(w, k, p))
        },
        ..event_sums_of_rivals(w, s, p)
    }
}

/// The parts of [`event_sums`] that sum over the pact's rivals only: O(rivals). (Neither the
/// opposing capability of a pact without rivals nor the friends' pressure.)
pub fn event_sums_of_rivals(w: &World, s: StateId, p: PactId) -> EventSums {
    let rivals = &w.scenario.pact(p).rivals;
    EventSums {
        against: 0.0,
        bloc_rival_pressure: 0.0,
        rival_pressure: if rivals.is_empty() { 0.0 } else { rival_pressure_sum(w, s, p) },
        provocation: provocation_value(w, s, p),
    }
}

/// Domestic support (Finland/Sweden polls): for a democracy, w_support × binding × (support −
/// threshold). Leaders of non-democracies are not bound by it (0).
pub fn support(v: &View) -> f64 {
    support_of(v.world, v.state, v.pact)
}

fn support_of(w: &World, s: StateId, pact: &Pact) -> f64 {
    let state = w.scenario.state(s);
    if !w.democracy[s.index()] {
        return 0.0;
    }
    w.scenario.params.weights.support * pact.binding * (w.support[s.index()] - state.support.threshold)
}

/// What membership is worth to `s` right now, before switching costs: the model's terms and the
/// scenario's own ([`user_terms`]).
pub fn membership_value(w: &World, s: StateId, p: PactId) -> Terms {
    Terms {
        user: w.user_terms(s, p),
        ..value_of(&View::new(w, s, p))
    }
}

/// The terms of [`membership_value`] on a given view.
fn value_of(v: &View) -> Terms {
    Terms {
        security: security(v),
        issue: issue_gain(v),
        autonomy: autonomy_cost(v),
        neutrality: neutrality_cost(v),
        entrapment: entrapment(v),
        provocation: provocation(v),
        affinity: affinity(v),
        support: support(v),
        ..Terms::default()
    }
}

/// Upper bounds on the utility of joining and of leaving a pact, without the [`support`] term
/// and without the sums over its members, which are bounded instead: protection / (credibility ×
/// obligation strength) × uncovered share in [0, 1], partner reliability × pooled share in [0, 1], entrapment's mean exposure
/// in [0, the worst quarrel of any state], affinity's mean in the range of the state's own
/// relations (and 0). Widened by 10⁻⁹ of the terms' magnitude, far more than rounding. Everything
/// here changes only with events, so the engine keeps it (`memo.rs`) and adds the support term
/// ([`support_bound`]) to skip decisions that are certainly not taken; it never changes one.
pub fn utility_upper_bounds(w: &World, s: StateId, p: PactId, worst_quarrel: f64, affinity_range: (f64, f64)) -> (f64, f64) {
    let v = View::without_members(w, s, p);
    let weights = &v.params().weights;
    // The interval of x·[lo, hi] for any sign of x.
    let span = |x: f64, lo: f64, hi: f64| (f64::min(x * lo, x * hi), f64::max(x * lo, x * hi));
    // Protection is at most credibility × obligation strength: coverage is below 1, and so is
    // 1 − (1 − coverage)(1 − floor × will) (nuclear_floor and commitment are validated to
    // [0, 1]). The uncovered share is in [0, 1] too (each factor is 1 − overlap × protection, both in [0, 1]).
    let security = span(
        weights.security * relevant_threat(&v) * v.credibility * v.obligation_strength,
        0.0,
        1.0,
    );
    let salience = w.salience[s.index()][v.pact.issue.index()];
    let issue = span(weights.issue * salience * v.pact.issue_gain, 0.0, 1.0);
    let entrapment = if v.pact.has(Obligation::Defence) {
        span(-weights.entrapment * v.pact.binding, 0.0, worst_quarrel)
    } else {
        (0.0, 0.0)
    };
    let affinity = span(weights.affinity, affinity_range.0, affinity_range.1);
    let known = autonomy_cost(&v) + neutrality_cost(&v) + provocation(&v);
    let unknown = [security, issue, entrapment, affinity];
    let (mut value_lo, mut value_hi) = unknown.iter().fold((known, known), |(lo, hi), b| (lo + b.0, hi + b.1));
    let mut magnitude = known.abs() + unknown.iter().map(|b| b.0.abs() + b.1.abs()).sum::<f64>();
    if !w.scenario.user_terms.is_empty() {
        // The scenario's own terms: a monadic one is known, a dyadic one's mean lies in the range
        // of the state's values with every other state, and 0 (docs/MODEL.md §2a).
        let (lo, hi) = user_terms::bounds(w, s, p);
        value_lo += lo;
        value_hi += hi;
        magnitude += lo.abs() + hi.abs();
    }
    let margin = 1e-9 * (1.0 + magnitude + weights.join_cost + weights.exit_cost + weights.exit_binding);
    (
        value_hi - weights.join_cost + margin,
        -value_lo - (weights.exit_cost + weights.exit_binding * v.pact.binding) + margin,
    )
}

/// The [`support`] term and a margin for its rounding, to add to (join) or subtract from (leave)
/// [`utility_upper_bounds`].
pub fn support_bound(w: &World, s: StateId, p: PactId) -> (f64, f64) {
    let value = support_of(w, s, w.scenario.pact(p));
    (value, 1e-9 * (1.0 + value.abs()))
}

/// Terms of applying to (or joining) a pact: membership value and the joining cost.
pub fn join_terms(w: &World, s: StateId, p: PactId) -> Terms {
    Terms {
        switching: -w.scenario.params.weights.join_cost,
        ..membership_value(w, s, p)
    }
}

/// Terms of `s` joining a pact of the kind of slot `p` whose other members would be `others`
/// (in id order, without `s`): what a proposer weighs for the pact it might propose, and an
/// invitee for the pact proposed to it (docs/MODEL.md §5b). Exactly [`join_terms`] as they would
/// be if `others` were the pact's members.
pub fn proposal_terms(w: &World, s: StateId, p: PactId, others: &[StateId]) -> Terms {
    let mut members = sums_over_members(
        w,
        p,
        others.iter().copied(),
        Some(s),
        |k| w.hostility(s, k),
        |k| w.foreign_quarrel(s, k, p),
    );
    members.add_own_resources(w, s, p);
    let v = View {
        members,
        ..View::without_members(w, s, p)
    };
    Terms {
        switching: -w.scenario.params.weights.join_cost,
        ..value_of(&v)
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

/// Terms of a member's vote on an applicant: goodwill, what admitting the applicant changes in
/// the member's own membership value, V_k(M ∪ {a}) − V_k(M) (security, through the allied
/// capability, the nuclear guarantor and coverage; issue gains, through partner reliability and
/// the pool; entrapment, through the applicant's quarrels; affinity with it), and the member's
/// grievance against it (a named grievance plus any open hostility, weighted by
/// `admission_hostility`). The other terms of membership do not depend on who else is in.
pub fn admit_terms(w: &World, member: StateId, applicant: StateId, p: PactId) -> Terms {
    let params = &w.scenario.params;
    let now = View::new(w, member, p);
    let with = View {
        members: member_sums_with(w, member, p, applicant),
        ..now
    };
    let (before, after) = (value_of(&now), value_of(&with));
    // The scenario's own terms, as a difference: a dyadic one moves with the applicant's value,
    // a monadic one (the member's own) cancels.
    let mut user = [0.0; MAX_TERMS];
    if !w.scenario.user_terms.is_empty() {
        let (before, after) = (w.user_terms(member, p), user_terms::with_member(w, member, p, applicant));
        for (u, (a, b)) in user.iter_mut().zip(after.iter().zip(&before)) {
            *u = a - b;
        }
    }
    Terms {
        user,
        goodwill: params.admission_goodwill,
        security: after.security - before.security,
        issue: after.issue - before.issue,
        entrapment: after.entrapment - before.entrapment,
        affinity: after.affinity - before.affinity,
        grievance: admission_grievance(w, member, applicant),
        ..Terms::default()
    }
}

/// The grievance term of a member's vote on an applicant: −(w_grievance × its named grievance
/// against it + w_admission_hostility × its open hostility towards it).
pub fn admission_grievance(w: &World, member: StateId, applicant: StateId) -> f64 {
    let weights = &w.scenario.params.weights;
    -(weights.grievance * w.grievance_against(member, applicant) + weights.admission_hostility * w.hostility(member, applicant).max(0.0))
}
