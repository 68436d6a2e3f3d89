//! Benchmarks: `cargo bench --bench engine`. Throughput of the engine in state–pact decisions
//! per second on one core (a decision = one state weighing one pact in one round: states × pacts
//! × rounds per replicate), on the Finland/Sweden scenario and on the 193 × 50 × 60 synthetic
//! world (`pactsim generate`'s reference world); the speed-up from 1 to 2 threads; the cost of
//! loading a scenario (what a parameter sweep pays per point); the same world with two templates
//! (pacts that form themselves, docs/MODEL.md §5b: issue 21's bound is within 2× of the world
//! without them); and the charts of a world-scale run (timed here, not in a test: tests/charts.rs
//! checks what the charts hold).

use std::path::Path;

use divan::Bencher;
use divan::counter::ItemsCount;
use pactsim::model::Timeline;
use pactsim::run::{self, RunSpec};
use pactsim::scenario::generate::{GenerateSpec, generate};
use pactsim::scenario::{self, Scenario, Source};

fn main() {
    divan::main();
}

fn load(name: &str) -> Scenario {
    scenario::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios").join(name), &[]).expect("shipped scenario loads")
}

/// `pactsim generate --states 193 --pacts 50 --rounds 60 --seed 1`.
fn reference_world() -> Scenario {
    let source = Source {
        path: "reference-world.toml".into(),
        text: generate(&GenerateSpec::reference()).expect("the reference world generates"),
    };
    scenario::from_source(&source, &[]).expect("the reference world loads")
}

/// The reference world with two templates any state may propose, both `new` (unconditioned
/// tastes, so proposals are searched from round 1): an informal security consultation of three
/// or more and a binding defence treaty, 4 slots each (the default) — what issue 21's speed check
/// measures.
fn reference_world_with_templates() -> Scenario {
    let mut text = generate(&GenerateSpec::reference()).expect("the reference world generates");
    text.push_str(
        r#"
[[template]]
id = "CONSULT"
kind = "informal"
obligations = ["consultation"]
binding = 0.05
issue_gain = 0.3
min_members = 3
new = true

[[template]]
id = "TREATY"
kind = "binding"
obligations = ["defence", "consultation"]
binding = 1.0
issue_gain = 0.2
min_members = 2
new = true
"#,
    );
    let source = Source {
        path: "reference-world-templates.toml".into(),
        text,
    };
    scenario::from_source(&source, &[]).expect("the reference world with templates loads")
}

fn decisions(sc: &Scenario, replicates: u64) -> ItemsCount {
    ItemsCount::new(sc.n_states() * sc.n_pacts() * sc.rounds as usize * replicates as usize)
}

fn replicates(sc: &Scenario, range: std::ops::Range<u64>) -> run::RunResult {
    let spec = RunSpec {
        seed: 1,
        replicates: range,
        keep_decisions: 0,
    };
    run::run(sc, &spec, &|_| {})
}

/// One replicate of Finland/Sweden (16 states, 4 pacts, 48 rounds) on one thread, from the
/// scenario's timeline (built once, as a run builds it once for all its replicates).
#[divan::bench]
fn finland_sweden_one_replicate(b: Bencher) {
    let sc = load("finland_sweden.toml");
    let timeline = Timeline::new(&sc);
    let mut log = Vec::new();
    b.counter(decisions(&sc, 1)).bench_local(|| {
        log.clear();
        run::play_replicate_from(&timeline, 1, 0, &mut log).0.rounds()
    });
}

/// What a run pays once per scenario (a sweep, once per point): its timeline.
#[divan::bench]
fn finland_sweden_timeline(b: Bencher) {
    let sc = load("finland_sweden.toml");
    b.bench_local(|| Timeline::new(&sc).scenario().rounds);
}

/// One replicate of the 193 × 50 × 60 world on one thread.
#[divan::bench(sample_count = 20)]
fn world_193x50x60_one_replicate(b: Bencher) {
    let sc = reference_world();
    let timeline = Timeline::new(&sc);
    let mut log = Vec::new();
    let mut rep = 0;
    b.counter(decisions(&sc, 1)).bench_local(|| {
        log.clear();
        rep += 1;
        run::play_replicate_from(&timeline, 1, rep % 8, &mut log).0.rounds()
    });
}

/// One replicate of the 193 × 50 × 60 world with two templates on one thread (decisions counted
/// over the listed pacts, as above, so the throughput compares with the world without templates).
#[divan::bench(sample_count = 20)]
fn world_193x50x60_templates_one_replicate(b: Bencher) {
    let sc = reference_world_with_templates();
    let listed = reference_world();
    let timeline = Timeline::new(&sc);
    let mut log = Vec::new();
    let mut rep = 0;
    b.counter(decisions(&listed, 1)).bench_local(|| {
        log.clear();
        rep += 1;
        run::play_replicate_from(&timeline, 1, rep % 8, &mut log).0.rounds()
    });
}

/// 2000 replicates of Finland/Sweden on 1 and 2 threads (the speed-up is the ratio).
#[divan::bench(args = [1, 2], sample_count = 10)]
fn finland_sweden_2000_replicates_threads(b: Bencher, threads: usize) {
    let sc = load("finland_sweden.toml");
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
    b.counter(decisions(&sc, 2000)).bench(|| pool.install(|| replicates(&sc, 0..2000)));
}

/// 16 replicates of the 193 × 50 × 60 world on 1 and 2 threads.
#[divan::bench(args = [1, 2], sample_count = 5)]
fn world_193x50x60_16_replicates_threads(b: Bencher, threads: usize) {
    let sc = reference_world();
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
    b.counter(decisions(&sc, 16)).bench(|| pool.install(|| replicates(&sc, 0..16)));
}

/// Parse, override and validate: what each point of a sweep pays.
#[divan::bench]
fn load_with_overrides(b: Bencher) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/finland_sweden.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let source = scenario::Source { path, text };
    let sets = vec!["model.temperature=0.2".to_string(), "state.FIN.neutrality=0.9".to_string()];
    b.bench(|| scenario::from_source(&source, &sets).unwrap());
}

/// Every chart of a run of the 193 × 50 × 60 world (16 replicates), drawn into a scratch directory.
#[divan::bench(sample_count = 5)]
fn charts_of_the_reference_world(b: Bencher) {
    let sc = reference_world();
    let result = replicates(&sc, 0..16);
    let summary = pactsim::report::Summary::new(&sc, &result.tally, 1);
    let dir = tempfile::tempdir().unwrap();
    b.bench_local(|| {
        pactsim::plot::draw_run(&dir.path().join("charts"), &summary, &result.tally)
            .unwrap()
            .len()
    });
}
