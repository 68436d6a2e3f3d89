//! Benchmarks: `cargo bench`. Throughput of the engine on the shipped scenarios, and the cost of
//! loading a scenario (what a parameter sweep pays per point).

use std::path::Path;

use divan::Bencher;
use pactsim::run::{self, RunSpec};
use pactsim::scenario;

fn main() {
    divan::main();
}

fn load(name: &str) -> scenario::Scenario {
    scenario::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios").join(name), &[]).expect("shipped scenario loads")
}

/// 1000 replicates of Finland/Sweden (48 monthly rounds), on all threads rayon gets.
#[divan::bench(sample_count = 10)]
fn finland_sweden_1000_replicates(b: Bencher) {
    let sc = load("finland_sweden.toml");
    b.bench(|| {
        run::run(
            &sc,
            &RunSpec {
                seed: 1,
                replicates: 0..1000,
                keep_decisions: 0,
            },
            &|_| {},
        )
    });
}

/// One replicate on one thread: the unit of work.
#[divan::bench]
fn finland_sweden_one_replicate(b: Bencher) {
    let sc = load("finland_sweden.toml");
    let mut log = Vec::new();
    b.bench_local(|| {
        log.clear();
        run::play_replicate(&sc, 1, 0, &mut log).0.membership.len()
    });
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
