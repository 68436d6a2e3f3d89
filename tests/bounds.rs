//! The utility bounds that let the engine skip a decision without summing over the pact's members
//! (`terms::utility_upper_bounds` plus `terms::support_bound`, used by `World::certainly_idle`).
//!
//! Two properties, each of which a wrong bound breaks:
//! - **sound**: the bound is never below the exact utility of joining (for a state outside the
//!   pact) or leaving (for a member), for every state–pact pair, round after round, in the four
//!   shipped scenarios and in generated worlds under several weightings. A bound below the
//!   utility would skip a decision the state might take: the results would change.
//! - **tight**: on hand-computable worlds in which every term the bound does not know sits at
//!   the end of its range, the bound equals the exact utility (up to its rounding margin). A
//!   looser bound changes no result, but skips fewer decisions: the engine gets slower.
//!
//! Both the bound `terms::utility_upper_bounds` gives with affinity bounded by all the state's
//! relations and the bound the engine uses (`World::utility_bound`, affinity bounded by the
//! state's relations with the pact's members) are checked.
//!
//! The inputs the engine keeps for the bound (the worst quarrel of any state, each state's range
//! of affinity) are recomputed here from the world's hostility, independently of `memo.rs`.

mod common;

use common::*;
use pactsim::model::World;
use pactsim::model::terms;
use pactsim::run::replicate_rng;
use pactsim::scenario::generate::{GenerateSpec, generate};
use pactsim::scenario::{PactId, Scenario, StateId};

/// The worst hostility of any state towards any other (≥ 0): what entrapment's mean exposure can
/// reach at most.
fn worst_quarrel_anywhere(w: &World) -> f64 {
    let ids: Vec<StateId> = w.scenario.state_ids().collect();
    let mut worst = 0.0f64;
    for &k in &ids {
        for &j in &ids {
            if j != k {
                worst = worst.max(w.hostility(k, j));
            }
        }
    }
    worst
}

/// The range of −h over the relations of `s`, with 0: where its mean affinity with any set of
/// members lies.
fn affinity_range(w: &World, s: StateId) -> (f64, f64) {
    w.scenario
        .state_ids()
        .filter(|&j| j != s)
        .map(|j| -w.hostility(s, j))
        .fold((0.0, 0.0), |(lo, hi), a| (f64::min(lo, a), f64::max(hi, a)))
}

/// (join bound − exact join utility, leave bound − exact leave utility) for `s` and `p`, for the
/// bound formed from `terms::utility_upper_bounds` as the engine did before it looked up the
/// members (affinity bounded by all the state's relations, support added to the join bound and
/// taken from the leave bound), and for the bound the engine uses (`World::utility_bound`).
fn slacks(w: &World, s: StateId, p: PactId) -> [(f64, f64); 2] {
    let (join, leave) = terms::utility_upper_bounds(w, s, p, worst_quarrel_anywhere(w), affinity_range(w, s));
    let (support, margin) = terms::support_bound(w, s, p);
    let exact = (terms::join_terms(w, s, p).utility(), terms::leave_terms(w, s, p).utility());
    let engine = w.utility_bound(s, p);
    [
        (join + support + margin - exact.0, leave - support + margin - exact.1),
        (engine.0 - exact.0, engine.1 - exact.1),
    ]
}

/// Plays replicates of `sc` and checks, before each round and after the last, that no bound of a
/// decision the engine would consider is below its exact utility. Returns the number of pairs
/// checked and the smallest slack seen (how close the bound came).
fn assert_sound(what: &str, sc: &Scenario, replicates: u64) -> (usize, f64) {
    let (mut checked, mut closest) = (0, f64::INFINITY);
    for replicate in 0..replicates {
        let mut rng = replicate_rng(sc.seed, replicate);
        let mut w = World::seeded(sc, &mut rng);
        let mut log = Vec::new();
        for round in 0..=sc.rounds {
            for p in sc.pact_ids() {
                for s in sc.state_ids() {
                    for (which, (join, leave)) in ["pure", "engine"].into_iter().zip(slacks(&w, s, p)) {
                        let slack = if w.is_member(s, p) { leave } else { join };
                        assert!(
                            slack >= 0.0,
                            "{what}, replicate {replicate}, before round {}: the {which} {} bound of \
                             state {} for pact {} is {slack:e} below the exact utility",
                            round + 1,
                            if w.is_member(s, p) { "leave" } else { "join" },
                            sc.state(s).id,
                            sc.pact(p).id,
                        );
                        closest = closest.min(slack);
                    }
                    checked += 1;
                }
            }
            if round < sc.rounds {
                w.play_round(&mut rng, &mut log);
            }
        }
    }
    (checked, closest)
}

#[test]
fn bounds_are_never_below_the_exact_utility_in_the_shipped_scenarios() {
    for name in [
        "finland_sweden.toml",
        "taiwan_escalation.toml",
        "gulf_minilaterals.toml",
        "lithium_triangle.toml",
    ] {
        let sc = load(&scenario_path(name), &[]);
        let (checked, closest) = assert_sound(name, &sc, 20);
        assert!(checked > 1000, "{name}: only {checked} pairs checked");
        // The bound is not vacuous: somewhere it comes within 0.5 of the exact utility.
        assert!(closest < 0.5, "{name}: the bound never came within {closest} of the utility");
    }
}

/// Generated worlds (heavy-tailed capabilities, rivals, guarantors, pooled pacts, shocks) under
/// the default weights and under weightings that make each bounded term dominate.
#[test]
fn bounds_are_never_below_the_exact_utility_in_generated_worlds() {
    let weightings: [&[&str]; 5] = [
        &[],
        &["model.weights.security=40", "model.nuclear_floor=1"],
        &["model.weights.issue=30"],
        &["model.weights.entrapment=30"],
        &["model.weights.affinity=30", "model.bloc_threat=1"],
    ];
    for seed in [1, 2] {
        let text = generate(&GenerateSpec {
            states: 24,
            pacts: 8,
            rounds: 12,
            seed,
            runs: 1,
        })
        .unwrap();
        for sets in weightings {
            let sc = parse(&text, sets);
            let (checked, _) = assert_sound(&format!("generated world {seed} with {sets:?}"), &sc, 2);
            assert!(checked > 1000);
        }
    }
}

/// A: the state deciding. G: the guarantor of a defence pact against R, fully committed, on
/// good terms with A and hostile to no one (no entrapment), so that with a nuclear floor of 1
/// the umbrella covers A completely: coverage 1, its upper end. A is in no other pact
/// (uncovered share 1), G's commitment is 1 (partner reliability 1), A has no friend (affinity
/// with G is 0, the top of A's range [−0.9, 0]).
const JOIN_AT_THE_TOP: &str = r#"
[scenario]
name = "join at the top"
rounds = 1
runs = 1

[model]
nuclear_floor = 1.0

[[state]]
id = "A"
capability = 0.2
neutrality = 0.3
support = { start = 0.7, threshold = 0.5 }
issues = { security = 0.9 }

[[state]]
id = "G"
capability = 0.6

[[state]]
id = "R"
capability = 0.7
democracy = false

[[relation]]
between = ["A", "R"]
hostility = 0.9
proximity = 0.8

[[pact]]
id = "UMBRELLA"
obligations = ["defence"]
binding = 0.85
issue = "security"
issue_gain = 0.3
members = ["G"]
guarantor = "G"
rivals = ["R"]
"#;

/// A, a member with G of a defence pact whose pledges nobody believes (credibility 0: no
/// security), which brings no issue gain, G being the state with the worst quarrel of the world
/// (with X, which A does not share: entrapment at its lower end) and A's worst enemy (affinity
/// with it at the bottom of A's range).
const LEAVE_AT_THE_TOP: &str = r#"
[scenario]
name = "leave at the top"
rounds = 1
runs = 1

[model.credibility]
binding = 0.0
informal = 0.0

[[state]]
id = "A"
capability = 0.2
neutrality = 0.3
support = { start = 0.4, threshold = 0.5 }
issues = { security = 0.9 }

[[state]]
id = "G"
capability = 0.6

[[state]]
id = "X"
capability = 0.3

[[relation]]
between = ["A", "G"]
hostility = 0.45
proximity = 0.6

[[relation]]
between = ["G", "X"]
hostility = 0.8
proximity = 0.5

[[pact]]
id = "HOLLOW"
obligations = ["defence"]
binding = 0.7
issue = "security"
issue_gain = 0.0
members = ["A", "G"]
"#;

const A: StateId = StateId(0);

#[test]
fn join_bound_is_attained_when_every_bounded_term_is_at_its_top() {
    let sc = parse(JOIN_AT_THE_TOP, &[]);
    let w = World::new(&sc);
    let p = PactId(0);
    assert!(!w.is_member(A, p));
    let exact = terms::join_terms(&w, A, p);
    // The terms the bound stands in for are at their extremes: coverage 1 (the floor × G's will
    // of 1), issue gain w_issue × salience × q × reliability 1, no entrapment, no affinity.
    assert!(exact.security > 0.0 && exact.issue > 0.0, "{exact:?}");
    assert_eq!((exact.entrapment, exact.affinity), (0.0, 0.0));
    for (join, _) in slacks(&w, A, p) {
        // Attained, up to the margin the bound is widened by (at least 10⁻⁹, far above rounding).
        assert!((1e-9..1e-7).contains(&join), "join bound − exact utility = {join:e}");
    }
}

#[test]
fn leave_bound_is_attained_when_every_bounded_term_is_at_its_bottom() {
    let sc = parse(LEAVE_AT_THE_TOP, &[]);
    let w = World::new(&sc);
    let p = PactId(0);
    assert!(w.is_member(A, p));
    let exact = terms::leave_terms(&w, A, p);
    // Leaving gives up: no security, no issue gain, entrapment −w_e × b × 0.8 (G's quarrel with
    // X, the worst anywhere) and affinity w_a × −0.45 (A's worst relation).
    assert_eq!((exact.security, exact.issue), (0.0, 0.0));
    assert!(exact.entrapment > 0.0 && exact.affinity > 0.0, "{exact:?}");
    for (_, leave) in slacks(&w, A, p) {
        assert!((1e-9..1e-7).contains(&leave), "leave bound − exact utility = {leave:e}");
    }
}

/// The bound for the other decision of each world is loose (it assumes the terms at the other
/// end), but sound.
#[test]
fn the_other_bounds_of_those_worlds_are_sound() {
    for text in [JOIN_AT_THE_TOP, LEAVE_AT_THE_TOP] {
        let sc = parse(text, &[]);
        let w = World::new(&sc);
        for s in sc.state_ids() {
            for (join, leave) in slacks(&w, s, PactId(0)) {
                assert!(join >= 0.0 && leave >= 0.0, "{}: {join:e} {leave:e}", sc.state(s).id);
            }
        }
    }
}

/// Terms of the scenario's own (docs/MODEL.md §2a) are bounded too: a monadic one exactly, a
/// dyadic one over the range of the state's values with every other state (and 0), times a weight
/// of either sign. Generated worlds with covariates that change by date, under the default weights
/// and with the terms weighing most.
#[test]
fn bounds_are_never_below_the_exact_utility_with_terms_of_the_scenarios_own() {
    let weightings: [&[&str]; 4] = [
        &[],
        &["term.ties_all.weight=30"],
        &["term.ties_some.weight=-30", "term.level.weight=-5"],
        &["term.ties_all.weight=-20", "term.ties_some.weight=20", "model.weights.affinity=30"],
    ];
    for seed in [3, 4] {
        let text = generate(&GenerateSpec {
            states: 20,
            pacts: 6,
            rounds: 12,
            seed,
            runs: 1,
        })
        .unwrap();
        let text = with_terms_of_its_own(&text, &parse(&text, &[]), seed);
        for sets in weightings {
            let sc = parse(&text, sets);
            assert!(sc.covariates[0].from_round.len() >= 3);
            let (checked, _) = assert_sound(&format!("generated world {seed} with terms, {sets:?}"), &sc, 2);
            assert!(checked > 1000);
        }
    }
}

/// [`JOIN_AT_THE_TOP`] with a dyadic term whose value with G, the only member, is A's largest
/// (0.7; 0.2 with R), and a monadic one: the bound is attained.
#[test]
fn join_bound_is_attained_with_a_dyadic_term_at_its_top() {
    let text = format!(
        "{JOIN_AT_THE_TOP}
[[covariate]]
id = \"trade\"
kind = \"dyadic\"
values = [{{ between = [\"A\", \"G\"], value = 0.7 }}, {{ between = [\"A\", \"R\"], value = 0.2 }}]

[[covariate]]
id = \"size\"
kind = \"monadic\"
values = [{{ state = \"A\", value = -0.4 }}]

[[term]]
id = \"trade\"
covariate = \"trade\"
weight = 2.5

[[term]]
id = \"size\"
covariate = \"size\"
weight = 0.5
"
    );
    let sc = parse(&text, &[]);
    let w = World::new(&sc);
    let p = PactId(0);
    let exact = terms::join_terms(&w, A, p);
    // 2.5 × (c_G · 0.7) / c_G, rounded.
    assert!(
        (exact.user[0] - 2.5 * 0.7).abs() < 1e-15 && exact.user[1] == 0.5 * -0.4,
        "{:?}",
        exact.user
    );
    for (join, _) in slacks(&w, A, p) {
        assert!((1e-9..1e-7).contains(&join), "join bound − exact utility = {join:e}");
    }
}

/// [`LEAVE_AT_THE_TOP`] with a dyadic term of negative weight whose value with G, the other
/// member, is A's largest: leaving gains its most, and the leave bound is attained.
#[test]
fn leave_bound_is_attained_with_a_dyadic_term_of_negative_weight() {
    let text = format!(
        "{LEAVE_AT_THE_TOP}
[[covariate]]
id = \"rivalry\"
kind = \"dyadic\"
values = [{{ between = [\"A\", \"G\"], value = 0.9 }}, {{ between = [\"A\", \"X\"], value = 0.1 }}]

[[term]]
id = \"rivalry\"
covariate = \"rivalry\"
weight = -1.5
"
    );
    let sc = parse(&text, &[]);
    let w = World::new(&sc);
    let p = PactId(0);
    let exact = terms::leave_terms(&w, A, p);
    assert!((exact.user[0] - 1.5 * 0.9).abs() < 1e-15, "{:?}", exact.user);
    for (_, leave) in slacks(&w, A, p) {
        assert!((1e-9..1e-7).contains(&leave), "leave bound − exact utility = {leave:e}");
    }
}
