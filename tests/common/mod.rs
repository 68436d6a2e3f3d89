//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use pactsim::report::Summary;
use pactsim::run::{self, RunSpec};
use pactsim::scenario::{self, Scenario};

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn scenario_path(name: &str) -> PathBuf {
    root().join("scenarios").join(name)
}

/// A scenario from TOML text (named `test.toml` in errors), with `--set` overrides.
pub fn parse(text: &str, overrides: &[&str]) -> Scenario {
    let overrides: Vec<String> = overrides.iter().map(|s| s.to_string()).collect();
    scenario::from_source(
        &scenario::Source {
            path: "test.toml".into(),
            text: text.to_string(),
        },
        &overrides,
    )
    .unwrap_or_else(|e| panic!("{e}"))
}

pub fn load(path: &Path, overrides: &[&str]) -> Scenario {
    let overrides: Vec<String> = overrides.iter().map(|s| s.to_string()).collect();
    scenario::load(path, &overrides).unwrap_or_else(|e| panic!("{e}"))
}

/// Runs `runs` replicates with `seed` and summarises them.
pub fn summarise(sc: &Scenario, seed: u64, runs: u64) -> Summary {
    let result = run::run(
        sc,
        &RunSpec {
            seed,
            replicates: 0..runs,
            keep_decisions: 0,
        },
        &|_| {},
    );
    Summary::new(sc, &result.tally, seed)
}

/// Standard error of a proportion estimated from `runs` replicates, floored at the value for
/// p = 1/runs so that a proportion observed as 0 or 1 still gets a margin.
pub fn std_err(p: f64, runs: u64) -> f64 {
    let n = runs as f64;
    let p = p.clamp(1.0 / n, 1.0 - 1.0 / n);
    (p * (1.0 - p) / n).sqrt()
}

/// Asserts that the observed proportion clears `bound` from above by three standard errors.
#[track_caller]
pub fn assert_at_least(what: &str, p: f64, bound: f64, runs: u64) {
    let margin = 3.0 * std_err(bound, runs);
    assert!(
        p >= bound + margin,
        "{what}: {p:.3} is not above {bound} by 3 s.e. ({margin:.3}) over {runs} runs"
    );
}

/// Asserts that the observed proportion stays below `bound` by three standard errors.
#[track_caller]
pub fn assert_at_most(what: &str, p: f64, bound: f64, runs: u64) {
    let margin = 3.0 * std_err(bound, runs);
    assert!(
        p <= bound - margin,
        "{what}: {p:.3} is not below {bound} by 3 s.e. ({margin:.3}) over {runs} runs"
    );
}
