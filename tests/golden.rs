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
        // Every value that differs, by its path in the summary (not one line of text).
        let (got_v, want_v): (serde_json::Value, serde_json::Value) =
            (serde_json::from_str(&json).unwrap(), serde_json::from_str(&want).unwrap());
        let mut diffs = Vec::new();
        json_diff("", &got_v, &want_v, &mut diffs);
        let shown: Vec<&String> = diffs.iter().take(60).collect();
        panic!(
            "{name}: summary.json differs from {} in {} values{}:\n{}\nif the model was changed on purpose, rerun with PACTSIM_BLESS=1",
            json_path.display(),
            diffs.len(),
            if diffs.len() > shown.len() { " (the first 60)" } else { "" },
            shown.iter().map(|d| format!("  {d}")).collect::<Vec<_>>().join("\n")
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

/// Every leaf of `got` and `want` that differs, as `path: got → want` (a key on one side only
/// too), in document order.
fn json_diff(path: &str, got: &serde_json::Value, want: &serde_json::Value, out: &mut Vec<String>) {
    use serde_json::Value;
    match (got, want) {
        (Value::Object(g), Value::Object(w)) => {
            for (k, gv) in g {
                let p = format!("{path}.{k}");
                match w.get(k) {
                    Some(wv) => json_diff(&p, gv, wv, out),
                    None => out.push(format!("{p}: {gv} → (absent)")),
                }
            }
            for k in w.keys().filter(|k| !g.contains_key(*k)) {
                out.push(format!("{path}.{k}: (absent) → {}", w[k]));
            }
        }
        (Value::Array(g), Value::Array(w)) if g.len() == w.len() => {
            for (i, (gv, wv)) in g.iter().zip(w).enumerate() {
                json_diff(&format!("{path}[{i}]"), gv, wv, out);
            }
        }
        _ if got != want => out.push(format!("{path}: {got} → {want}")),
        _ => {}
    }
}

#[test]
fn json_diff_reports_every_difference_by_path() {
    let got = serde_json::json!({"a": 1, "b": [1, 2, 3], "c": {"d": "x"}, "e": true});
    let want = serde_json::json!({"a": 1, "b": [1, 5, 3], "c": {"d": "y"}, "f": null});
    let mut out = Vec::new();
    json_diff("", &got, &want, &mut out);
    assert_eq!(
        out,
        [".b[1]: 2 → 5", ".c.d: \"x\" → \"y\"", ".e: true → (absent)", ".f: (absent) → null"]
    );
}

/// A few named values of the Finland/Sweden golden run, inline: what a reader checks first when
/// the golden file moves (the full file is compared byte for byte above).
#[test]
fn finland_sweden_headline_values() {
    let sc = load(&scenario_path("finland_sweden.toml"), &[]);
    let result = run::run(
        &sc,
        &RunSpec {
            seed: sc.seed,
            replicates: 0..RUNS,
            keep_decisions: 0,
        },
        &|_| {},
    );
    let s = Summary::new(&sc, &result.tally, sc.seed);
    let line = |st: &str| {
        let m = s.get("NATO", st).unwrap();
        format!(
            "{st} in NATO: p_final {:.3}, join median {:?}, lag median {:?}",
            m.p_final, m.join_round_median, m.accession_lag_median
        )
    };
    let targets_met = s.targets.iter().filter(|t| t.met).count();
    insta::assert_snapshot!(format!("{}\n{}\ntargets met {targets_met} of {}", line("FIN"), line("SWE"), s.targets.len()), @r"
    FIN in NATO: p_final 0.930, join median Some(27.0), lag median Some(10.0)
    SWE in NATO: p_final 0.973, join median Some(39.0), lag median Some(22.0)
    targets met 12 of 12
    ");
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
