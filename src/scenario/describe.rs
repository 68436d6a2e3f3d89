//! What each editable value means: one description per key, in one place, read by the live page
//! (each control's hint), `pactsim describe KEY` and `pactsim check --verbose`. The ranges come
//! from validation ([`super::editable`]); a test checks that every value any scenario can edit
//! has a description here, so the page, the CLI and the docs cannot drift apart.

/// The description of the value at a `--set` path (`state.FIN.neutrality`), or of a generic one
/// (`state.*.neutrality`); `None` for a path no scenario can set.
pub fn describe(path: &str) -> Option<&'static str> {
    let key = generic(path);
    DESCRIPTIONS.iter().find(|(k, _)| *k == key).map(|(_, d)| *d)
}

/// Every described key (generic paths, `*` in place of ids) with its description, in order.
pub fn all() -> &'static [(&'static str, &'static str)] {
    DESCRIPTIONS
}

/// A `--set` path with every id replaced by `*`: `event.invasion.change.0.to` →
/// `event.*.change.*.to`.
pub fn generic(path: &str) -> String {
    let parts: Vec<&str> = path.split('.').collect();
    let keyed = matches!(
        parts.first(),
        Some(&("state" | "pact" | "relation" | "grievance" | "event" | "covariate" | "term"))
    );
    parts
        .iter()
        .enumerate()
        .map(|(i, part)| {
            let is_id = keyed && i == 1;
            let is_change_index = parts[0] == "event" && i == 3 && parts.get(2) == Some(&"change");
            if is_id || is_change_index { "*" } else { part }
        })
        .collect::<Vec<_>>()
        .join(".")
}

const DESCRIPTIONS: &[(&str, &str)] = &[
    // [scenario]
    ("scenario.rounds", "How many rounds each replicate plays."),
    (
        "scenario.round_unit",
        "What one round is: day, week, month, quarter or year (dates of events are converted with it).",
    ),
    // [model]
    (
        "model.temperature",
        "Scale τ of the logistic taste shock: P(act) = 1 / (1 + exp(−ΔU/τ)). Small: states follow their utility almost deterministically; large: choices are close to coin flips.",
    ),
    (
        "model.update_order",
        "sequential: states move one at a time in a fresh random order each round, each seeing earlier moves; simultaneous: all decide on the start-of-round world.",
    ),
    (
        "model.shocks",
        "persistent: one taste per state and pact for the whole replicate (the default); per_round: a fresh shock at every opportunity (a per-round hazard).",
    ),
    (
        "model.informal_provocation",
        "How much an informal pact provokes its rivals, as a share of what a binding treaty provokes (φ; the source column: informal coalitions provoke less).",
    ),
    (
        "model.nuclear_floor",
        "Chance a nuclear guarantee holds whatever the conventional balance, scaled by the guarantor's will; combined with coverage as 1 − (1 − coverage)(1 − floor × will) (the umbrella).",
    ),
    (
        "model.ratification_rate",
        "Chance per round that a member takes up a pending application (parliaments take time): sets accession lags.",
    ),
    (
        "model.admission_goodwill",
        "Utility a member gets from admitting an applicant, before the applicant's marginal value and the member's grievances: a grievance above it tends to block.",
    ),
    (
        "model.grievance_decay",
        "How much every grievance fades each round (bargaining, side payments).",
    ),
    (
        "model.bloc_threat",
        "λ: how much of the pressure on its friends a state feels as its own (0: only its own; 1: all of it, weighted by affinity and the friends' share of their joint capability).",
    ),
    (
        "model.credibility.binding",
        "Probability a binding treaty is honoured when invoked (Leeds, Long & Mitchell 2000: about 0.75).",
    ),
    (
        "model.credibility.informal",
        "Probability an informal pledge is honoured when invoked.",
    ),
    (
        "model.obligation_protection.defence",
        "Protection a defence obligation gives, on a 0–1 scale (the strongest).",
    ),
    (
        "model.obligation_protection.offence",
        "Protection an offence obligation gives, on a 0–1 scale.",
    ),
    (
        "model.obligation_protection.consultation",
        "Protection a consultation obligation gives, on a 0–1 scale.",
    ),
    (
        "model.obligation_protection.neutrality",
        "Protection a neutrality pledge gives, on a 0–1 scale.",
    ),
    (
        "model.obligation_protection.non_aggression",
        "Protection a non-aggression pledge gives, on a 0–1 scale.",
    ),
    (
        "model.weights.security",
        "Weight of security: relevant threat × the protection the pact adds to the state's other pacts.",
    ),
    (
        "model.weights.issue",
        "Weight of the issue gain: salience × the pact's issue_gain × partner reliability.",
    ),
    (
        "model.weights.autonomy",
        "Weight of the autonomy cost: binding × depth of the pact's obligations (Morrow 1991).",
    ),
    (
        "model.weights.neutrality",
        "Weight of the cost to a neutral state of a binding security pact (neutrality × binding × obligation).",
    ),
    (
        "model.weights.entrapment",
        "Weight of entrapment: allies' quarrels the state does not share, in a binding defence pact (Snyder 1984).",
    ),
    (
        "model.weights.provocation",
        "Weight of provocation: a pact aimed at a neighbour provokes it while membership lasts.",
    ),
    (
        "model.weights.affinity",
        "Weight of affinity with the pact's members (Axelrod & Bennett 1993).",
    ),
    (
        "model.weights.support",
        "Weight of public support for alignment in a democracy's choice of a binding pact.",
    ),
    ("model.weights.join_cost", "Cost of joining any pact (a switching cost)."),
    ("model.weights.exit_cost", "Cost of leaving any pact."),
    (
        "model.weights.exit_binding",
        "Extra cost of leaving per unit of binding: leaving a treaty costs more than leaving a dialogue.",
    ),
    (
        "model.weights.grievance",
        "Weight of a member's grievances against an applicant in its admission vote.",
    ),
    (
        "model.weights.admission_hostility",
        "Weight of a member's open hostility towards an applicant in its admission vote.",
    ),
    // [[state]]
    (
        "state.*.capability",
        "Share of world material capability (e.g. COW CINC): what threat, protection and coverage weigh.",
    ),
    (
        "state.*.commitment",
        "Political will to honour its pledges, 0–1 (a patron's pull-back lowers it: the political umbrella).",
    ),
    (
        "state.*.count",
        "How many states this entry stands for (an aggregate such as other NATO members): it ratifies as that many.",
    ),
    (
        "state.*.democracy",
        "Whether public support enters its choices of binding pacts (the support term and gate).",
    ),
    (
        "state.*.exists",
        "Whether it is a state at the start (false: born later by a `birth` event; until then in no pact, with no capability).",
    ),
    (
        "state.*.neutrality",
        "Tradition of non-alignment, 0–1: the cost it sees in binding security pacts.",
    ),
    (
        "state.*.support.start",
        "Public support for alignment at the start, 0–1 (a poll share).",
    ),
    (
        "state.*.support.inertia",
        "Share of support kept each round; the rest moves towards what the change in felt threat justifies.",
    ),
    (
        "state.*.support.threshold",
        "Support at which a democracy's public is indifferent to a binding pact: the support term is w_support × binding × (support − threshold) (a majority: about 0.5).",
    ),
    (
        "state.*.support.sensitivity",
        "How far support moves per unit change of felt threat (a probability of losing, 0–1) since the start: 0–50.",
    ),
    ("state.*.issues.security", "How much security matters to the state, 0–1 (salience)."),
    (
        "state.*.issues.energy",
        "How much energy matters to the state, 0–1 (salience of energy pacts).",
    ),
    (
        "state.*.issues.food",
        "How much food matters to the state, 0–1 (salience of food pacts).",
    ),
    (
        "state.*.issues.minerals",
        "How much minerals matter to the state, 0–1 (salience of minerals pacts).",
    ),
    (
        "state.*.issues.technology",
        "How much technology matters to the state, 0–1 (salience of technology pacts).",
    ),
    (
        "state.*.resources.security",
        "The state's share of the resource a pooled security pact pools, 0–1.",
    ),
    (
        "state.*.resources.energy",
        "The state's share of the energy a pooled energy pact pools, 0–1.",
    ),
    (
        "state.*.resources.food",
        "The state's share of the food a pooled food pact pools, 0–1.",
    ),
    (
        "state.*.resources.minerals",
        "The state's share of the minerals a pooled minerals pact pools, 0–1 (e.g. of lithium reserves).",
    ),
    (
        "state.*.resources.technology",
        "The state's share of the technology a pooled technology pact pools, 0–1.",
    ),
    // [[relation]], [[grievance]]
    (
        "relation.*.hostility",
        "Hostility between the two states, −1 (affinity) to 1 (open hostility).",
    ),
    (
        "relation.*.proximity",
        "How close they are: 1 land border, 0.7 narrow sea, 0.4 same region, 0.1 distant.",
    ),
    (
        "grievance.*.strength",
        "How strongly the holder holds the grievance against the applicant (fades by grievance_decay).",
    ),
    // [[pact]]
    (
        "pact.*.binding",
        "How legally binding the pact is: 1 a treaty, 0 an informal dialogue.",
    ),
    (
        "pact.*.issue",
        "The issue the pact is about: security, energy, food, minerals or technology.",
    ),
    (
        "pact.*.issue_gain",
        "What cooperation on the pact's issue is worth to a member that cares about it, 0–1.",
    ),
    ("pact.*.pooled", "Whether the issue gain grows with the members' pooled resources."),
    (
        "pact.*.admission",
        "How applicants are admitted: unanimity, majority, open (at once) or closed (never).",
    ),
    (
        "pact.*.min_members",
        "Members the pact needs: it counts as formed on reaching them, and ends when it falls below them.",
    ),
    ("pact.*.size_limit", "Most members the pact can have."),
    (
        "pact.*.active",
        "Whether the pact exists at the start (else a found event creates it).",
    ),
    (
        "pact.*.new",
        "A proposal just tabled: outsiders may take it up at once (staying out is not yet a choice).",
    ),
    ("pact.*.nuclear", "Whether the guarantor's nuclear umbrella applies."),
    // [[event]]
    ("event.*.round", "The round before which the event applies."),
    (
        "event.*.date",
        "The date of the event (converted to a round with the scenario's start and round unit).",
    ),
    ("event.*.enabled", "Whether the event happens (switch it off for a counterfactual)."),
    ("event.*.change.*.to", "The value the change sets."),
    ("event.*.change.*.by", "How much the change adds to the value."),
    ("event.*.change.*.scale", "What the change multiplies the value by."),
    // [[term]]
    (
        "term.*.weight",
        "Weight of one of the scenario's own terms: adds weight × its covariate to the membership value (dyadic: the capability-weighted mean of the state's values with the pact's other members; monadic: the state's own value). Its unit is the covariate's times the weight; 0 leaves the term out.",
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generic_paths_replace_ids() {
        assert_eq!(generic("state.FIN.support.start"), "state.*.support.start");
        assert_eq!(generic("relation.FIN-RUS.hostility"), "relation.*.hostility");
        assert_eq!(generic("event.invasion.change.0.to"), "event.*.change.*.to");
        assert_eq!(generic("model.weights.security"), "model.weights.security");
        assert_eq!(describe("pact.NATO.binding"), describe("pact.*.binding"));
        assert!(describe("model.nonsense").is_none());
    }

    #[test]
    fn keys_are_unique() {
        let mut keys: Vec<&str> = DESCRIPTIONS.iter().map(|(k, _)| *k).collect();
        keys.sort_unstable();
        let n = keys.len();
        keys.dedup();
        assert_eq!(keys.len(), n);
    }
}
