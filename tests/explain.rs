//! `pactsim explain`: the terms of one state's decision about one pact over rounds.

use std::collections::HashMap;
use std::path::Path;

use assert_cmd::Command;

fn pactsim() -> Command {
    Command::cargo_bin("pactsim").unwrap()
}

/// explain.csv as one map per row, column name → text.
fn csv_rows(dir: &Path) -> Vec<HashMap<String, String>> {
    let text = std::fs::read_to_string(dir.join("explain.csv")).unwrap();
    let mut lines = text.lines();
    let header: Vec<String> = lines.next().unwrap().split(',').map(String::from).collect();
    lines
        .map(|l| header.iter().cloned().zip(l.split(',').map(String::from)).collect())
        .collect()
}

fn explain(args: &[&str], out: &Path) -> String {
    let assert = pactsim().arg("explain").args(args).arg("--out").arg(out).assert().success();
    String::from_utf8(assert.get_output().stdout.clone()).unwrap()
}

#[test]
fn known_terms_of_a_tiny_scenario() {
    // compare_join: no relations, so no pressure on anyone (P = Σ h⁺·d·c = 0), hence no threat
    // (contest(0, c) = 0), no security, no bloc pressure; P has no rivals (no provocation, and
    // no opposing capability: Σ h⁺·c = 0), no obligations (no entrapment, no neutrality cost),
    // binding 0 (autonomy −0.4·0·0.3 = 0, support 1·0·(…) = 0), and A has no relation to B
    // (affinity 0). What is left:
    //   issue = w_issue 1 · salience 1 · gain 1 · reliability κ_B = 1 → 1.0
    //   join: switching = −join_cost = −0.2; utility = 1.0 − 0.2 = 0.8
    //   leave: issue −1.0, switching = −(exit_cost 0.2 + exit_binding 1.6 · binding 0) = −0.2;
    //   utility = −1.2.
    // At temperature 0 A joins in round 1 of every replicate.
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("ex");
    let stdout = explain(
        &["tests/fixtures/compare_join.toml", "--state", "A", "--pact", "P", "--runs", "10"],
        &out,
    );
    let rows = csv_rows(&out);
    let num = |r: &HashMap<String, String>, k: &str| -> f64 { r[k].parse().unwrap() };
    let zero_terms = [
        "security",
        "autonomy",
        "neutrality",
        "entrapment",
        "provocation",
        "affinity",
        "support",
        "goodwill",
        "grievance",
    ];
    let r0 = &rows[0];
    assert_eq!(
        (r0["round"].as_str(), r0["decision"].as_str(), r0["n"].as_str()),
        ("0", "join", "10")
    );
    assert_eq!(num(r0, "p_member"), 0.0);
    assert!((num(r0, "issue") - 1.0).abs() < 1e-12, "{r0:?}");
    assert!((num(r0, "switching") + 0.2).abs() < 1e-12, "{r0:?}");
    assert!((num(r0, "utility") - 0.8).abs() < 1e-12, "{r0:?}");
    for k in zero_terms {
        assert_eq!(num(r0, k), 0.0, "{k}: {r0:?}");
    }
    assert_eq!(num(r0, "p_open"), 1.0);
    assert_eq!(num(r0, "p_act"), 1.0);
    // From round 1 on A is a member everywhere: only leave rows, with the exit cost.
    let later: Vec<_> = rows.iter().filter(|r| r["round"] != "0").collect();
    assert_eq!(later.len(), 4);
    for r in later {
        assert_eq!((r["decision"].as_str(), num(r, "p_member")), ("leave", 1.0), "{r:?}");
        assert!((num(r, "issue") + 1.0).abs() < 1e-12, "{r:?}");
        assert!((num(r, "switching") + 0.2).abs() < 1e-12, "{r:?}");
        assert!((num(r, "utility") + 1.2).abs() < 1e-12, "{r:?}");
        for k in zero_terms {
            assert_eq!(num(r, k), 0.0, "{k}: {r:?}");
        }
        assert_eq!(num(r, "p_act"), 0.0, "{r:?}");
    }
    // The table says the same, and the chart is written.
    assert!(stdout.contains("Why A joins P or not"), "{stdout}");
    assert!(
        stdout
            .lines()
            .any(|l| l.trim_start().starts_with("0  start") && l.contains("join") && l.contains("0.800")),
        "{stdout}"
    );
    for ext in ["png", "svg"] {
        let f = out.join(format!("explain_A_P.{ext}"));
        assert!(f.is_file() && f.metadata().unwrap().len() > 1000, "{}", f.display());
    }
    let png = std::fs::read(out.join("explain_A_P.png")).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
}

#[test]
fn membership_in_a_trace_matches_the_run() {
    // The trace plays the replicates exactly as `run` does: same seeds, same membership.
    let tmp = tempfile::tempdir().unwrap();
    let run_dir = tmp.path().join("run");
    pactsim()
        .args(["run", "scenarios/finland_sweden.toml", "--runs", "30", "--seed", "5", "--out"])
        .arg(&run_dir)
        .assert()
        .success();
    let out = tmp.path().join("ex");
    explain(
        &[
            "scenarios/finland_sweden.toml",
            "--state",
            "SWE",
            "--pact",
            "NATO",
            "--runs",
            "30",
            "--seed",
            "5",
        ],
        &out,
    );
    let summary: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(run_dir.join("summary.json")).unwrap()).unwrap();
    let expected: Vec<f64> = summary["membership"]["NATO"]["SWE"]["p_by_round"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    let mut got: Vec<f64> = Vec::new();
    let mut n_by_round: HashMap<String, u64> = HashMap::new();
    for r in csv_rows(&out) {
        let round: usize = r["round"].parse().unwrap();
        if got.len() == round {
            got.push(r["p_member"].parse().unwrap());
        }
        *n_by_round.entry(r["round"].clone()).or_default() += r["n"].parse::<u64>().unwrap();
    }
    // (serde_json reads floats to within an ulp; the counts behind them are equal.)
    assert_eq!(got.len(), expected.len());
    for (r, (g, e)) in got.iter().zip(&expected).enumerate() {
        assert!((g - e).abs() < 1e-12, "round {r}: trace {g}, run {e}");
    }
    // Joiners and members together are every replicate, at every round.
    assert!(n_by_round.values().all(|&n| n == 30), "{n_by_round:?}");
}

#[test]
fn a_trace_does_not_depend_on_the_thread_count() {
    let tmp = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for threads in ["1", "3"] {
        let out = tmp.path().join(threads);
        pactsim()
            .env("RAYON_NUM_THREADS", threads)
            .args([
                "explain",
                "scenarios/finland_sweden.toml",
                "--state",
                "FIN",
                "--pact",
                "NATO",
                "--runs",
                "40",
                "--out",
            ])
            .arg(&out)
            .assert()
            .success();
        files.push(std::fs::read_to_string(out.join("explain.csv")).unwrap());
    }
    assert_eq!(files[0], files[1]);
}

#[test]
fn unknown_ids_are_errors_that_list_the_valid_ones() {
    let tmp = tempfile::tempdir().unwrap();
    for (args, expect) in [
        (["--state", "FNI", "--pact", "NATO"], "no state `FNI`"),
        (["--state", "FIN", "--pact", "NAT0"], "no pact `NAT0`"),
    ] {
        let assert = pactsim()
            .args(["explain", "scenarios/finland_sweden.toml"])
            .args(args)
            .arg("--out")
            .arg(tmp.path().join("x"))
            .assert()
            .failure();
        let stderr = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
        assert!(stderr.starts_with("error: ") && stderr.contains(expect), "{stderr}");
        assert!(stderr.contains("FIN") && stderr.contains("NATO"), "lists valid ids: {stderr}");
    }
    let assert = pactsim()
        .args([
            "explain",
            "scenarios/finland_sweden.toml",
            "--state",
            "FIN",
            "--pact",
            "NATO",
            "--runs",
            "0",
        ])
        .assert()
        .failure();
    let stderr = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
    assert!(stderr.contains("--runs must be at least 1"), "{stderr}");
    assert!(!tmp.path().join("x").exists());
}

#[test]
fn a_trace_in_batches_is_the_whole_trace_and_stops_when_asked() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/finland_sweden.toml");
    let sc = pactsim::scenario::load(&path, &[]).unwrap();
    let (fin, nato) = (sc.state_by_id("FIN").unwrap(), sc.pact_by_id("NATO").unwrap());
    let whole = pactsim::run::trace::trace(&sc, fin, nato, 5, 40);
    for batch in [1, 7, 40, 1000] {
        let asked = std::sync::atomic::AtomicU64::new(0);
        let stop = || {
            asked.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            false
        };
        let batched = pactsim::run::trace::trace_until(&sc, fin, nato, 5, 40, batch, &stop);
        assert!(batched.as_ref() == Some(&whole), "batch {batch}");
        assert_eq!(asked.into_inner(), 40u64.div_ceil(batch), "asked before each batch");
    }
    // Asked to stop after its first batch: no trace.
    let asked = std::sync::atomic::AtomicU64::new(0);
    let stop = || asked.fetch_add(1, std::sync::atomic::Ordering::Relaxed) >= 1;
    assert!(pactsim::run::trace::trace_until(&sc, fin, nato, 5, 40, 10, &stop).is_none());
    assert_eq!(asked.into_inner(), 2);
}

/// `open` shows whether the pact is open to the state. With no support gate (issue 19: support
/// is a term of the choice, not a door) NATO is open to Sweden from the start, before the
/// invasion too: that Sweden does not apply then is its choice. `open` must not leave out states
/// with an application pending (it read 0.00 in every round when it did).
#[test]
fn open_counts_applicants_and_does_not_close_on_public_support() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("ex");
    explain(
        &["scenarios/finland_sweden.toml", "--state", "SWE", "--pact", "NATO", "--runs", "20"],
        &out,
    );
    let rows = csv_rows(&out);
    let num = |r: &HashMap<String, String>, k: &str| -> f64 { r[k].parse().unwrap() };
    let joins: Vec<_> = rows.iter().filter(|r| r["decision"] == "join").collect();
    // Before the invasion the door is open and nobody has applied: support below its threshold
    // weighs in the choice (a negative support term), it does not shut the door.
    assert_eq!(num(joins[0], "p_open"), 1.0, "{:?}", joins[0]);
    assert_eq!(num(joins[0], "p_applicant"), 0.0, "{:?}", joins[0]);
    // Wherever Sweden has applied somewhere, the door was open to it there.
    let applied: Vec<_> = joins.iter().filter(|r| num(r, "p_applicant") > 0.0).collect();
    assert!(!applied.is_empty(), "Sweden applies in this scenario");
    for r in &applied {
        assert!(num(r, "p_open") > 0.0, "applied but not open: {r:?}");
    }
    // Every non-member with an application pending is counted as open.
    for r in &joins {
        let n = num(r, "n");
        let pending = num(r, "p_applicant") * 20.0;
        assert!(num(r, "p_open") * n + 1e-9 >= pending, "{r:?}");
    }
}
