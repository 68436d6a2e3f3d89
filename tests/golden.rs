//! Golden results: the summary.json of each shipped scenario (its own seed, a fixed run count)
//! and a digest of every decision's terms at full precision, pinned byte for byte.
//!
//! An engine change that is meant to be a pure speed-up must leave these untouched. A deliberate
//! change to the model moves them: regenerate them with `PACTSIM_BLESS=1 cargo test --test
//! golden` in the same commit as the change, and say in it what moved and why.

mod common;

use std::path::PathBuf;

use common::*;
use pactsim::report::Summary;
use pactsim::run::{self, RunSpec};
use sha2::{Digest, Sha256};

const RUNS: u64 = 300;

fn golden_dir() -> PathBuf {
    root().join("tests").join("golden")
}

/// SHA-256 over every decision's integers and the exact bits of its probability and terms.
fn decisions_digest(decisions: &[run::LoggedDecision]) -> String {
    let mut h = Sha256::new();
    for ld in decisions {
        let d = &ld.decision;
        h.update(ld.replicate.to_le_bytes());
        h.update(d.round.to_le_bytes());
        h.update((d.state.index() as u64).to_le_bytes());
        h.update((d.pact.index() as u64).to_le_bytes());
        h.update((d.action.index() as u64).to_le_bytes());
        h.update(d.applicant.map_or(u64::MAX, |a| a.index() as u64).to_le_bytes());
        h.update(d.probability.to_bits().to_le_bytes());
        for v in d.terms.values() {
            h.update(v.to_bits().to_le_bytes());
        }
    }
    let hex: String = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
    format!("{hex}  {} decisions\n", decisions.len())
}

fn check(stem: &str) {
    check_variant(stem, stem, &[]);
}

/// `name` names the golden files; `sets` are `--set` overrides on the scenario `stem`.
fn check_variant(name: &str, stem: &str, sets: &[&str]) {
    let sc = load(&scenario_path(&format!("{stem}.toml")), sets);
    let result = run::run(
        &sc,
        &RunSpec {
            seed: sc.seed,
            replicates: 0..RUNS,
            keep_decisions: RUNS,
        },
        &|_| {},
    );
    let summary = Summary::new(&sc, &result.tally, sc.seed);
    let mut json = serde_json::to_string_pretty(&summary).unwrap();
    json.push('\n');
    let digest = decisions_digest(&result.decisions);
    let (json_path, digest_path) = (
        golden_dir().join(format!("{name}.summary.json")),
        golden_dir().join(format!("{name}.decisions.sha256")),
    );
    if std::env::var_os("PACTSIM_BLESS").is_some() {
        std::fs::write(&json_path, &json).unwrap();
        std::fs::write(&digest_path, &digest).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&json_path).unwrap_or_else(|e| panic!("{}: {e}", json_path.display()));
    if json != want {
        let diff = json.lines().zip(want.lines()).enumerate().find(|(_, (a, b))| a != b);
        panic!(
            "{name}: summary.json differs from {} (first difference at line {:?}); if the model was changed on purpose, rerun with PACTSIM_BLESS=1",
            json_path.display(),
            diff.map(|(i, (got, want))| format!("{}: got `{got}`, want `{want}`", i + 1))
        );
    }
    let want = std::fs::read_to_string(&digest_path).unwrap();
    assert_eq!(
        digest,
        want,
        "{name}: the decisions (terms at full precision) differ from {}",
        digest_path.display()
    );
}

#[test]
fn finland_sweden() {
    check("finland_sweden");
}

#[test]
fn taiwan_escalation() {
    check("taiwan_escalation");
}

#[test]
fn gulf_minilaterals() {
    check("gulf_minilaterals");
}

#[test]
fn lithium_triangle() {
    check("lithium_triangle");
}

/// The other update order and fresh shocks every round take other paths through the engine.
#[test]
fn finland_sweden_simultaneous_per_round_shocks() {
    check_variant(
        "finland_sweden-simultaneous-per_round",
        "finland_sweden",
        &["model.update_order=simultaneous", "model.shocks=per_round"],
    );
}

#[test]
fn taiwan_escalation_per_round_shocks() {
    check_variant("taiwan_escalation-per_round", "taiwan_escalation", &["model.shocks=per_round"]);
}
