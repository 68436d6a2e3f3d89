//! The engine's caches (src/model/memo.rs) change how often sums are computed, never their
//! value: replicates played with the caches on and off take the same decisions with the same
//! terms, bit for bit, on synthetic worlds of several sizes, under both update orders and both
//! kinds of shock; so do a scenario's [`Timeline`] (its verdicts pass over decisions before any
//! term is computed) and restarting a used world from it. (The golden files pin the shipped
//! scenarios against the engine as it was before the caches.) Also: results do not depend on the
//! order of a list in the scenario file.

mod common;

use std::path::PathBuf;

use common::*;
use pactsim::model::{Decision, Timeline, World};
use pactsim::run::{self, RunSpec, replicate_rng};
use pactsim::scenario::generate::{GenerateSpec, generate};
use pactsim::scenario::{self, Scenario, Source};

fn world(states: usize, pacts: usize, rounds: u32, seed: u64, sets: &[&str]) -> Scenario {
    let text = generate(&GenerateSpec {
        states,
        pacts,
        rounds,
        seed,
        runs: 10,
    })
    .unwrap();
    let source = Source {
        path: PathBuf::from(format!("generated-{states}-{pacts}-{seed}.toml")),
        text,
    };
    let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
    scenario::from_source(&source, &sets).unwrap_or_else(|e| panic!("{e}"))
}

/// [`world`] with every pact a proposal (`new = true`): outsiders' tastes are not conditioned on
/// staying out, so a world without shocks is busy from round 1 and the comparison has decisions
/// to compare.
fn busy_world(states: usize, pacts: usize, rounds: u32, seed: u64, sets: &[&str]) -> Scenario {
    let plain = world(states, pacts, rounds, seed, sets);
    let mut all: Vec<String> = plain.pacts.iter().map(|p| format!("pact.{}.new=true", p.id)).collect();
    all.extend(sets.iter().map(|s| s.to_string()));
    let all: Vec<&str> = all.iter().map(String::as_str).collect();
    world(states, pacts, rounds, seed, &all)
}

/// How a replicate is played: every term from scratch, with the caches, or from the scenario's
/// timeline (its verdicts and round-0 world) in a world that has just played another replicate.
#[derive(Clone, Copy, Debug)]
enum Mode {
    Scratch,
    Caches,
    Timeline,
}

/// Every decision of a replicate, played in `mode`, and the final membership.
fn play(sc: &Scenario, replicate: u64, mode: Mode) -> (Vec<Decision>, Vec<bool>) {
    let mut log = Vec::new();
    let mut rng = replicate_rng(sc.seed, replicate);
    let timeline;
    let mut w = match mode {
        Mode::Scratch | Mode::Caches => World::seeded_memo(sc, &mut rng, matches!(mode, Mode::Caches)),
        Mode::Timeline => {
            timeline = Timeline::new(sc);
            let start = timeline.start();
            // A world that has played another replicate to the end: restarting it must leave
            // nothing of that one behind.
            let mut w = World::seeded_from(&timeline, &mut replicate_rng(sc.seed, replicate + 1_000));
            for _ in 0..sc.rounds {
                w.play_round(&mut replicate_rng(sc.seed, replicate + 2_000), &mut Vec::new());
            }
            w.reseed(&start, &mut rng);
            w
        }
    };
    for _ in 0..sc.rounds {
        w.play_round(&mut rng, &mut log);
    }
    let members = sc
        .pact_ids()
        .flat_map(|p| sc.state_ids().map(move |s| (s, p)))
        .map(|(s, p)| w.is_member(s, p))
        .collect();
    (log, members)
}

/// A decision as integers: round, state, pact, action, applicant, then the bits of its
/// probability and of each term.
type DecisionBits = (u32, u16, u16, usize, Option<u16>, u64, Vec<u64>);

/// Decisions compared bit for bit (f64 `==` would let −0.0 equal 0.0).
fn bits(log: &[Decision]) -> Vec<DecisionBits> {
    log.iter()
        .map(|d| {
            (
                d.round,
                d.state.index() as u16,
                d.pact.index() as u16,
                d.action.index(),
                d.applicant.map(|a| a.index() as u16),
                d.probability.to_bits(),
                d.terms.values().iter().chain(&d.terms.user).map(|v| v.to_bits()).collect(),
            )
        })
        .collect()
}

fn assert_same_with_and_without_caches(sc: &Scenario, replicates: u64) {
    let mut decisions = 0;
    for rep in 0..replicates {
        let (slow, slow_members) = play(sc, rep, Mode::Scratch);
        for mode in [Mode::Caches, Mode::Timeline] {
            let (fast, fast_members) = play(sc, rep, mode);
            assert_eq!(fast.len(), slow.len(), "replicate {rep}, {mode:?}: number of decisions");
            assert_eq!(bits(&fast), bits(&slow), "replicate {rep}, {mode:?}: decisions differ");
            assert_eq!(fast_members, slow_members, "replicate {rep}, {mode:?}: final membership");
        }
        decisions += slow.len();
    }
    // A world where nothing happens would make this test vacuous.
    assert!(
        decisions > 100,
        "only {decisions} decisions: the world is too quiet to test anything"
    );
}

#[test]
fn caches_change_nothing_in_small_worlds() {
    for seed in 1..=4 {
        assert_same_with_and_without_caches(&busy_world(10, 4, 36, seed, &[]), 6);
    }
}

#[test]
fn caches_change_nothing_in_a_50_state_world() {
    assert_same_with_and_without_caches(&world(50, 13, 30, 7, &[]), 3);
}

#[test]
fn caches_change_nothing_with_simultaneous_updates_and_fresh_shocks() {
    let sets = ["model.update_order=simultaneous", "model.shocks=per_round"];
    assert_same_with_and_without_caches(&busy_world(30, 8, 30, 3, &sets), 3);
    assert_same_with_and_without_caches(&world(30, 8, 30, 3, &["model.shocks=per_round"]), 3);
}

/// At τ = 0 (best response) no bound is used: nothing may be passed over by one.
#[test]
fn caches_change_nothing_at_zero_temperature() {
    for seed in 1..=3 {
        assert_same_with_and_without_caches(&busy_world(12, 4, 30, seed, &["model.temperature=0"]), 6);
    }
}

#[test]
fn caches_change_nothing_in_the_shipped_scenarios() {
    for name in [
        "finland_sweden.toml",
        "taiwan_escalation.toml",
        "gulf_minilaterals.toml",
        "lithium_triangle.toml",
    ] {
        let sc = load(&scenario_path(name), &[]);
        let mut decisions = 0;
        for rep in 0..20 {
            let (slow, _) = play(&sc, rep, Mode::Scratch);
            for mode in [Mode::Caches, Mode::Timeline] {
                let (fast, _) = play(&sc, rep, mode);
                assert_eq!(bits(&fast), bits(&slow), "{name} replicate {rep}, {mode:?}");
            }
            decisions += slow.len();
        }
        assert!(decisions > 0, "{name}: no decisions");
    }
}

/// [`world`] (or [`busy_world`]) with covariates and terms of its own, changing by date
/// ([`with_terms_of_its_own`]): their values are cached with the member sums and bounded in the
/// verdicts, and must come out the same bit for bit.
fn world_with_terms(states: usize, pacts: usize, rounds: u32, seed: u64, busy: bool, sets: &[&str]) -> Scenario {
    let plain = world(states, pacts, rounds, seed, &[]);
    let text = generate(&GenerateSpec {
        states,
        pacts,
        rounds,
        seed,
        runs: 10,
    })
    .unwrap();
    let source = Source {
        path: PathBuf::from(format!("generated-terms-{states}-{pacts}-{seed}.toml")),
        text: with_terms_of_its_own(&text, &plain, seed),
    };
    let mut all: Vec<String> = if busy {
        plain.pacts.iter().map(|p| format!("pact.{}.new=true", p.id)).collect()
    } else {
        Vec::new()
    };
    all.extend(sets.iter().map(|s| s.to_string()));
    scenario::from_source(&source, &all).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn caches_change_nothing_with_terms_of_the_scenarios_own() {
    for seed in 1..=3 {
        let sc = world_with_terms(12, 4, 30, seed, true, &[]);
        assert_eq!(sc.user_terms.len(), 4);
        assert!(
            sc.covariates[0].from_round.len() >= 3,
            "the dyadic covariate changes: {:?}",
            sc.covariates[0].from_round
        );
        assert_same_with_and_without_caches(&sc, 5);
        // The terms are not all zero in the decisions compared.
        let (log, _) = play(&sc, 0, Mode::Scratch);
        assert!(log.iter().any(|d| d.terms.user[0] != 0.0) && log.iter().any(|d| d.terms.user[2] != 0.0));
        assert!(log.iter().all(|d| d.terms.user[3] == 0.0), "a term of weight 0 is 0");
    }
    assert_same_with_and_without_caches(&world_with_terms(40, 10, 24, 5, false, &[]), 2);
    let sets = ["model.update_order=simultaneous", "model.shocks=per_round"];
    assert_same_with_and_without_caches(&world_with_terms(20, 6, 24, 6, true, &sets), 3);
}

/// Rivals are sorted when the scenario is resolved: listing them in another order changes no
/// result (sums over rivals run in id order either way).
#[test]
fn the_order_of_rivals_in_the_file_does_not_matter() {
    let path = scenario_path("lithium_triangle.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.contains(r#"rivals = ["USA", "CHN"]"#),
        "the test expects the lithium alliance's rivals"
    );
    let swapped = text.replace(r#"rivals = ["USA", "CHN"]"#, r#"rivals = ["CHN", "USA"]"#);
    let a = scenario::from_source(&Source { path: path.clone(), text }, &[]).unwrap();
    let b = scenario::from_source(&Source { path, text: swapped }, &[]).unwrap();
    let spec = RunSpec {
        seed: 5,
        replicates: 0..200,
        keep_decisions: 200,
    };
    let (ra, rb) = (run::run(&a, &spec, &|_| {}), run::run(&b, &spec, &|_| {}));
    assert_eq!(ra.tally, rb.tally);
    let strip = |r: &run::RunResult| bits(&r.decisions.iter().map(|d| d.decision.clone()).collect::<Vec<_>>());
    assert_eq!(strip(&ra), strip(&rb));
}

/// A state whose only reason to join is a friend already in the pact: at the start of a round
/// its decision is idle as the members stand, but once its friend joins earlier in the same
/// round it may follow at once. The timeline's marks made at the start of the round must give
/// way when someone joins (`World::decisions`), so every mode takes the same decisions, and the
/// follower does follow within the round in some replicates (the case this test is for).
#[test]
fn a_friend_who_joins_earlier_in_the_round_is_followed_in_that_round() {
    let text = r#"
[scenario]
name = "follow"
rounds = 6
seed = 3
runs = 10

[model]
temperature = 0.05

[model.weights]
affinity = 2.0

[[state]]
id = "LEAD"
capability = 0.05
democracy = false
issues = { energy = 1.0 }

[[state]]
id = "FOLLOW"
capability = 0.05
democracy = false

[[state]]
id = "OTHER"
capability = 0.05
democracy = false

[[relation]]
between = ["LEAD", "FOLLOW"]
hostility = -0.9

[[pact]]
id = "P"
obligations = []
binding = 0.0
issue = "energy"
issue_gain = 1.0
members = []
admission = "open"
new = true
"#;
    let sc = scenario::from_source(
        &Source {
            path: PathBuf::from("follow.toml"),
            text: text.into(),
        },
        &[],
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let (lead, follow) = (sc.state_by_id("LEAD").unwrap(), sc.state_by_id("FOLLOW").unwrap());
    let mut same_round = 0;
    for rep in 0..40 {
        let (slow, _) = play(&sc, rep, Mode::Scratch);
        for mode in [Mode::Caches, Mode::Timeline] {
            let (fast, _) = play(&sc, rep, mode);
            assert_eq!(bits(&fast), bits(&slow), "replicate {rep}, {mode:?}");
        }
        let joined = |s| slow.iter().find(|d| d.state == s).map(|d| d.round);
        if let (Some(a), Some(b)) = (joined(lead), joined(follow))
            && a == b
        {
            same_round += 1;
        }
    }
    assert!(
        same_round > 0,
        "the follower never followed within the round: the test tests nothing"
    );
}

/// Pacts that end (docs/MODEL.md §5a): a two-member pact one member's leaving ends, releasing
/// the other; a pact kept alive by a third state that joined; an ended pact founded again by an
/// event. A replicate's ended pact is still active in the timeline (which plays no decisions), so
/// the timeline's verdicts must never pass over a decision the replicate takes after it is
/// founded again, nor the caches keep sums of the released members: every mode takes the same
/// decisions, ends included, in both update orders and under both kinds of shock.
#[test]
fn pacts_that_end_and_are_founded_again_change_nothing_between_modes() {
    let text = r#"
[scenario]
name = "ending"
rounds = 14
seed = 5
runs = 10

[model]
temperature = 0.15

[[state]]
id = "A"
capability = 0.05
democracy = false
issues = { energy = 1.0 }

[[state]]
id = "B"
capability = 0.04
democracy = false
issues = { energy = 1.0 }

[[state]]
id = "C"
capability = 0.03
democracy = false
issues = { energy = 0.4 }

[[state]]
id = "D"
capability = 0.02
democracy = false
issues = { energy = 0.6 }

[[relation]]
between = ["A", "C"]
hostility = 0.5

[[relation]]
between = ["B", "C"]
hostility = 0.5

[[relation]]
between = ["A", "D"]
hostility = 0.5

[[pact]]
id = "P"
obligations = []
binding = 0.3
issue = "energy"
issue_gain = 0.6
members = ["A", "B"]
admission = "open"

[[pact]]
id = "Q"
obligations = ["consultation"]
binding = 0.6
issue = "energy"
issue_gain = 0.5
members = ["B", "C", "D"]
admission = "unanimity"

[[event]]
id = "quarrel"
round = 4
change = [
  { kind = "hostility", between = ["A", "B"], to = 0.8 },
  { kind = "hostility", between = ["B", "D"], to = 0.6 },
]

[[event]]
id = "again"
round = 9
change = [
  { kind = "found", pact = "P" },
  { kind = "hostility", between = ["A", "B"], to = 0.0 },
  { kind = "salience", state = "C", issue = "energy", to = 1.0 },
  { kind = "salience", state = "D", issue = "energy", to = 1.0 },
  { kind = "hostility", between = ["A", "C"], to = -0.3 },
  { kind = "hostility", between = ["B", "C"], to = 0.0 },
  { kind = "hostility", between = ["A", "D"], to = 0.0 },
]
"#;
    let sc = scenario::from_source(
        &Source {
            path: PathBuf::from("ending.toml"),
            text: text.into(),
        },
        &[],
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let p = sc.pact_by_id("P").unwrap();
    for sets in [
        &[][..],
        &["model.update_order=simultaneous"][..],
        &["model.shocks=per_round"][..],
        &["model.update_order=simultaneous", "model.shocks=per_round"][..],
    ] {
        let sc = scenario::from_source(
            &Source {
                path: PathBuf::from("ending.toml"),
                text: text.into(),
            },
            &sets.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let (mut ends, mut refounded_after_end) = (0, 0);
        for rep in 0..60 {
            let (slow, slow_members) = play(&sc, rep, Mode::Scratch);
            for mode in [Mode::Caches, Mode::Timeline] {
                let (fast, fast_members) = play(&sc, rep, mode);
                assert_eq!(bits(&fast), bits(&slow), "{sets:?} replicate {rep}, {mode:?}");
                assert_eq!(fast_members, slow_members, "{sets:?} replicate {rep}, {mode:?}");
            }
            let ended: Vec<&Decision> = slow.iter().filter(|d| d.action.name() == "end").collect();
            ends += ended.len();
            if ended.iter().any(|d| d.pact == p && d.round < 9) && slow.iter().any(|d| d.pact == p && d.round >= 9) {
                refounded_after_end += 1;
            }
        }
        // The cases this test is for happen.
        assert!(ends > 5, "{sets:?}: only {ends} members released");
        assert!(
            refounded_after_end > 0,
            "{sets:?}: no replicate plays P again after it ended and was founded again"
        );
    }
}
