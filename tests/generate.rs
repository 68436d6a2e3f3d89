//! `pactsim generate`: synthetic worlds are deterministic, valid at every size, and alive (states
//! join and leave over a run).

use std::path::PathBuf;

use pactsim::model::Action;
use pactsim::run::{self, RunSpec, Tally};
use pactsim::scenario::generate::{GenerateError, GenerateSpec, generate};
use pactsim::scenario::{self, MAX_PACTS, MAX_STATES, Scenario, Source};

fn spec(states: usize, pacts: usize, rounds: u32, seed: u64) -> GenerateSpec {
    GenerateSpec {
        states,
        pacts,
        rounds,
        seed,
        runs: 100,
    }
}

fn world(spec: &GenerateSpec) -> Scenario {
    let text = generate(spec).unwrap();
    let source = Source {
        path: PathBuf::from(format!("generated-{}.toml", spec.states)),
        text,
    };
    scenario::from_source(&source, &[]).unwrap_or_else(|e| panic!("{e}"))
}

fn tally(sc: &Scenario, runs: u64) -> Tally {
    run::run(
        sc,
        &RunSpec {
            seed: 11,
            replicates: 0..runs,
            keep_decisions: 0,
        },
        &|_| {},
    )
    .tally
}

fn total(t: &Tally, a: Action) -> u64 {
    (0..t.pacts)
        .flat_map(|p| (0..t.states).map(move |s| (p, s)))
        .map(|(p, s)| t.action_count(p, s, a))
        .sum()
}

#[test]
fn same_seed_same_bytes_other_seed_other_world() {
    let a = generate(&spec(50, 12, 24, 7)).unwrap();
    let b = generate(&spec(50, 12, 24, 7)).unwrap();
    assert_eq!(a, b, "same spec, same bytes");
    let c = generate(&spec(50, 12, 24, 8)).unwrap();
    assert_ne!(a, c, "another seed gives another world");
    // The header says what made the file.
    assert!(a.starts_with("# SYNTHETIC WORLD"), "{}", &a[..200]);
    assert!(a.contains("pactsim generate --states 50 --pacts 12 --rounds 24 --seed 7 --runs 100"));
}

#[test]
fn the_reference_world_is_pinned() {
    // A change to the generator changes the worlds benchmarks measure: make it deliberately.
    let text = generate(&GenerateSpec::reference()).unwrap();
    let sc = world(&GenerateSpec::reference());
    assert_eq!((sc.n_states(), sc.n_pacts(), sc.rounds), (193, 50, 60));
    assert_eq!(sc.states[0].id, "S001");
    assert_eq!(sc.states[192].id, "S193");
    assert_eq!(sc.pacts[0].id, "P01");
    assert_eq!(sc.pacts[49].id, "P50");
    assert!(text.len() > 100_000, "{} bytes", text.len());
    // Pinned bytes: the same on every machine (libm maths, ChaCha8, fixed decimals). Update this
    // hash only with a deliberate change to the generator.
    use sha2::{Digest, Sha256};
    let hash: String = Sha256::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(hash, "2f0261d02287e8a74d21c5339677c36b3c95d4cea813afda94228086a27511ab");
}

#[test]
fn worlds_of_every_size_are_valid_and_well_formed() {
    for (n, m) in [(2, 1), (3, 2), (10, 3), (50, 12), (193, 50), (MAX_STATES, MAX_PACTS)] {
        let sc = world(&spec(n, m, 60, 3));
        assert_eq!(sc.n_states(), n);
        assert_eq!(sc.n_pacts(), m);
        let total: f64 = sc.states.iter().map(|s| s.capability).sum();
        assert!((total - 1.0).abs() < 0.01, "capabilities sum to {total}");
        for p in &sc.pacts {
            assert!((2..=30).contains(&p.founders.len()), "{} has {} founders", p.id, p.founders.len());
            assert!(
                p.rivals.iter().all(|r| !p.founders.contains(r)),
                "{} counts a rival as a member",
                p.id
            );
        }
        if m >= 3 {
            assert!(sc.pacts.iter().any(|p| p.binding >= 0.75), "a binding treaty");
            assert!(sc.pacts.iter().any(|p| p.binding <= 0.3), "an informal coalition");
            assert!(sc.pacts.iter().any(|p| p.issue != scenario::Issue::Security), "an issue pact");
        }
        assert!(!sc.events.is_empty(), "shocks");
        assert!(sc.hostility.iter().any(|&h| h > 0.0), "a rivalry");
    }
}

#[test]
fn heavy_tailed_capabilities_and_a_few_big_pacts() {
    let sc = world(&GenerateSpec::reference());
    let mut caps: Vec<f64> = sc.states.iter().map(|s| s.capability).collect();
    caps.sort_by(|a, b| b.total_cmp(a));
    let top10: f64 = caps[..10].iter().sum();
    assert!(top10 > 0.3, "the ten strongest hold {top10:.2}");
    assert!(caps[0] / caps[caps.len() - 1] > 100.0);
    let sizes: Vec<usize> = sc.pacts.iter().map(|p| p.founders.len()).collect();
    assert!(sizes.iter().filter(|&&s| s <= 4).count() >= 20, "{sizes:?}");
    assert!(sizes.iter().any(|&s| s >= 15), "{sizes:?}");
    // Sparse relations: most pairs stay at the default.
    let n = sc.n_states();
    let hostile = sc.hostility.iter().filter(|&&h| h != 0.0).count() / 2;
    assert!(hostile < n * 2, "{hostile} non-zero hostilities");
}

#[test]
fn small_worlds_run_and_their_memberships_add_up() {
    // Over every replicate, the members at the end are the founders plus the joins, less the
    // leaves and the releases when a pact ended: the summary's shares and the tally's action
    // counts must agree exactly, pact by pact, state by state.
    for seed in [5, 6, 7] {
        let sc = world(&spec(10, 3, 24, seed));
        let runs = 20;
        let t = tally(&sc, runs);
        assert_eq!(t.runs, runs);
        let s = pactsim::report::Summary::new(&sc, &t, 11);
        // Pacts an event founds, dissolves or forces members into or out of move memberships
        // without a decision: they are left out.
        let by_event = |p: usize| {
            sc.events.iter().flat_map(|e| &e.changes).any(|c| match *c {
                scenario::Change::Found { pact } | scenario::Change::Dissolve { pact } => pact.index() == p,
                scenario::Change::ForceJoin { pact, .. } | scenario::Change::ForceLeave { pact, .. } => pact.index() == p,
                _ => false,
            })
        };
        let mut moved = 0;
        for (p, pact) in sc.pacts.iter().enumerate().filter(|&(p, _)| !by_event(p)) {
            for (i, state) in sc.states.iter().enumerate() {
                let m = s.get(&pact.id, &state.id).unwrap();
                let count = |a: Action| t.action_count(p, i, a) as i64;
                let (start, end) = (
                    (m.p_by_round[0] * runs as f64).round() as i64,
                    (m.p_final * runs as f64).round() as i64,
                );
                assert_eq!(
                    end - start,
                    count(Action::Join) - count(Action::Leave) - count(Action::End),
                    "world {seed}: {} in {}",
                    state.id,
                    pact.id
                );
                moved += count(Action::Join) + count(Action::Leave);
            }
        }
        assert!(moved > 0, "world {seed}: nobody moved, so nothing was checked");
    }
}

#[test]
fn states_join_and_leave_in_a_50_state_world() {
    // Under the default persistent tastes (docs/MODEL.md §4) joins are common and leaves rare:
    // about one leave in every three or four replicates of this world.
    let sc = world(&spec(50, 13, 60, 1));
    let t = tally(&sc, 40);
    let (joins, leaves, applies) = (total(&t, Action::Join), total(&t, Action::Leave), total(&t, Action::Apply));
    eprintln!("50 states, 13 pacts, 60 rounds, 40 replicates: {applies} apply, {joins} join, {leaves} leave");
    assert!(
        joins > 0 && applies > 0 && leaves > 0,
        "{applies} apply, {joins} join, {leaves} leave"
    );
}

#[test]
fn the_193_state_world_plays_a_short_run() {
    // The engine takes ~10 s per 60-round replicate at this size: one replicate of 5 rounds.
    let sc = world(&spec(193, 50, 5, 1));
    let t = tally(&sc, 1);
    assert!(total(&t, Action::Join) > 0);
}

#[test]
fn bad_arguments_are_errors() {
    let err = |s: GenerateSpec| generate(&s).unwrap_err();
    assert!(matches!(err(spec(0, 5, 60, 1)), GenerateError::States { given: 0, .. }));
    assert!(matches!(err(spec(1, 5, 60, 1)), GenerateError::States { given: 1, .. }));
    assert!(matches!(err(spec(MAX_STATES + 1, 5, 60, 1)), GenerateError::States { .. }));
    assert!(matches!(err(spec(10, 0, 60, 1)), GenerateError::Pacts { given: 0, .. }));
    assert!(matches!(err(spec(10, MAX_PACTS + 1, 60, 1)), GenerateError::Pacts { .. }));
    assert!(matches!(err(spec(10, 3, 0, 1)), GenerateError::Rounds { given: 0, .. }));
    let mut s = spec(10, 3, 12, 1);
    s.runs = 0;
    assert!(matches!(err(s), GenerateError::Runs { given: 0, .. }));
    let msg = err(spec(10, 501, 60, 1)).to_string();
    assert!(msg.contains("--pacts 501") && msg.contains("500"), "{msg}");
}
