//! Per-replicate outcomes (outcomes.bin) and `pactsim query`: joint probabilities that agree
//! with decisions.csv and summary.json exactly, that shards merge into and that do not depend on
//! the thread count.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use assert_cmd::Command;

fn pactsim() -> Command {
    Command::cargo_bin("pactsim").unwrap()
}

fn run(out: &Path, runs: &str, extra: &[&str]) {
    pactsim()
        .args(["run", "scenarios/finland_sweden.toml", "--runs", runs, "--no-charts", "-q", "--out"])
        .arg(out)
        .args(extra)
        .assert()
        .success();
}

fn query(dir: &Path, expr: &str) -> serde_json::Value {
    let out = pactsim().arg("query").arg(dir).arg(expr).arg("--json").assert().success();
    serde_json::from_slice(&out.get_output().stdout).unwrap()
}

fn query_err(dir: &Path, expr: &str) -> String {
    let out = pactsim().arg("query").arg(dir).arg(expr).assert().failure();
    String::from_utf8_lossy(&out.get_output().stderr).into_owned()
}

/// Each replicate's memberships after round `round`, rebuilt from decisions.csv: the starting
/// members (memberships.csv, round 0, where the start is certain) plus join rows, minus leave
/// and end rows, up to that round.
fn rebuilt(dir: &Path, runs: u64, round: u32) -> Vec<BTreeSet<(String, String)>> {
    let mut start = BTreeSet::new();
    let mut m = csv::Reader::from_path(dir.join("memberships.csv")).unwrap();
    for row in m.records() {
        let row = row.unwrap();
        if &row[0] == "0" {
            let p: f64 = row[4].parse().unwrap();
            assert!(p == 0.0 || p == 1.0, "the start is certain in this scenario");
            if p == 1.0 {
                start.insert((row[2].to_string(), row[3].to_string()));
            }
        }
    }
    let mut members = vec![start; runs as usize];
    let mut d = csv::Reader::from_path(dir.join("decisions.csv")).unwrap();
    for row in d.records() {
        let row = row.unwrap();
        let (rep, r): (usize, u32) = (row[0].parse().unwrap(), row[1].parse().unwrap());
        if r > round {
            continue;
        }
        let key = (row[4].to_string(), row[3].to_string());
        match &row[5] {
            "join" => assert!(members[rep].insert(key)),
            "leave" | "end" => assert!(members[rep].remove(&key)),
            _ => {}
        }
    }
    members
}

#[test]
fn joint_probability_equals_a_count_over_decisions_csv_and_marginals_equal_summary() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("r");
    // 1000 replicates: decisions.csv logs every one of them.
    run(&dir, "1000", &["--outcomes-at", "2024-06"]);
    for (round, at) in [(48, ""), (42, " @ 2024-06")] {
        let members = rebuilt(&dir, 1000, round);
        let both = members
            .iter()
            .filter(|m| m.contains(&("NATO".into(), "FIN".into())) && m.contains(&("NATO".into(), "SWE".into())))
            .count() as u64;
        let a = query(&dir, &format!("NATO.FIN & NATO.SWE{at}"));
        assert_eq!(a["count"].as_u64().unwrap(), both, "round {round}");
        assert_eq!(a["round"].as_u64().unwrap(), u64::from(round));
        assert!(both > 0 && both < 1000, "round {round}: a question with an answer ({both})");
        // Exactly one of the two, and a negation with parentheses.
        let one = members
            .iter()
            .filter(|m| m.contains(&("NATO".into(), "FIN".into())) != m.contains(&("NATO".into(), "SWE".into())))
            .count() as u64;
        let a = query(&dir, &format!("(NATO.FIN | NATO.SWE) & !(NATO.FIN & NATO.SWE){at}"));
        assert_eq!(a["count"].as_u64().unwrap(), one, "round {round}");
    }
    // Every (pact, state) at the end: the table and the reconstruction agree replicate by
    // replicate, through the marginal counts of each pair.
    let summary: serde_json::Value = serde_json::from_slice(&std::fs::read(dir.join("summary.json")).unwrap()).unwrap();
    let members = rebuilt(&dir, 1000, 48);
    let mut checked = 0;
    for (pact, states) in summary["membership"].as_object().unwrap() {
        for (state, m) in states.as_object().unwrap() {
            let a = query(&dir, &format!("{pact}.{state}"));
            // The marginal is summary.json's p_final, exactly.
            assert_eq!(a["p"].as_f64().unwrap(), m["p_final"].as_f64().unwrap(), "{pact}.{state}");
            let count = members.iter().filter(|s| s.contains(&(pact.clone(), state.clone()))).count() as u64;
            assert_eq!(a["count"].as_u64().unwrap(), count, "{pact}.{state}");
            checked += 1;
        }
    }
    assert_eq!(checked, 4 * 16);
    let a = query(&dir, "NATO.SWE");
    let (lo, hi, p) = (
        a["wilson_low"].as_f64().unwrap(),
        a["wilson_high"].as_f64().unwrap(),
        a["p"].as_f64().unwrap(),
    );
    assert!(lo < p && p < hi && hi <= 1.0, "{a}");
}

fn outcomes_of(dir: &Path) -> Vec<u8> {
    std::fs::read(dir.join("outcomes.bin")).unwrap()
}

#[test]
fn merged_shards_give_the_whole_runs_outcomes_byte_for_byte() {
    let tmp = tempfile::tempdir().unwrap();
    let whole = tmp.path().join("whole");
    run(&whole, "301", &["--outcomes-at", "2023-06", "--decisions", "0"]);
    for k in 0..3 {
        run(
            &tmp.path().join(format!("s{k}")),
            "301",
            &["--outcomes-at", "2023-06", "--decisions", "0", "--shard", &format!("{k}/3")],
        );
    }
    let merged = tmp.path().join("merged");
    pactsim()
        .args(["merge", "--no-charts", "-q"])
        .args(["s1", "s2", "s0"].map(|s| tmp.path().join(s)))
        .arg("--out")
        .arg(&merged)
        .assert()
        .success();
    assert_eq!(outcomes_of(&whole), outcomes_of(&merged));
    // The merged run carries the whole run's identity (the recorded rounds included).
    let marker = |d: &Path| {
        let v: serde_json::Value = serde_json::from_slice(&std::fs::read(d.join(".pactsim.json")).unwrap()).unwrap();
        v["identity"].clone()
    };
    assert_eq!(marker(&whole), marker(&merged));
    assert_eq!(
        query(&whole, "NATO.FIN & NATO.SWE @ 2023-06"),
        query(&merged, "NATO.FIN & NATO.SWE @ 2023-06")
    );
    // Shards recording different rounds do not merge.
    let other = tmp.path().join("other");
    run(&other, "301", &["--decisions", "0", "--shard", "1/3"]);
    let out = pactsim()
        .arg("merge")
        .args([tmp.path().join("s0"), other.clone(), tmp.path().join("s2")])
        .arg("--out")
        .arg(tmp.path().join("bad"))
        .assert()
        .failure();
    let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(err.contains("outcomes") && err.contains("--outcomes-at"), "{err}");
}

#[test]
fn outcomes_do_not_depend_on_the_thread_count() {
    let tmp = tempfile::tempdir().unwrap();
    let mut files = BTreeMap::new();
    for threads in ["1", "2"] {
        let dir = tmp.path().join(threads);
        pactsim()
            .env("RAYON_NUM_THREADS", threads)
            .args(["run", "scenarios/finland_sweden.toml", "--runs", "400", "--decisions", "0"])
            .args(["--outcomes-every-round", "--no-charts", "-q", "--out"])
            .arg(&dir)
            .assert()
            .success();
        files.insert(threads, outcomes_of(&dir));
    }
    assert_eq!(files["1"], files["2"]);
    // Every round is there: 49 rows of 8 bytes (4 pacts × 16 states) per replicate.
    let bytes = &files["1"];
    let body = bytes.len() - bytes.iter().position(|&b| b == b'\n').unwrap() - 1;
    assert_eq!(body, 400 * 49 * 8);
    let a = query(&tmp.path().join("1"), "NATO.SWE @ round 20");
    assert_eq!(a["label"], "2022-08");
}

#[test]
fn bad_expressions_and_rounds_say_what_is_wrong() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("r");
    run(&dir, "50", &["--decisions", "0"]);
    let e = query_err(&dir, "OTAN.FIN & NATO.SWE");
    assert!(
        e.contains("unknown pact `OTAN`") && e.contains("NATO, NORDEFCO, FIN-SWE, NATO-EOP"),
        "{e}"
    );
    let e = query_err(&dir, "NATO.FIN & NATO.SVE");
    assert!(e.contains("unknown state `SVE`") && e.contains("FIN, SWE, RUS"), "{e}");
    let e = query_err(&dir, "NATO.FIN & (NATO.SWE");
    assert!(e.contains("expected `)`"), "{e}");
    let e = query_err(&dir, "NATO.FIN NATO.SWE");
    assert!(e.contains("at character 10") && e.contains("expected `&`, `|` or the end"), "{e}");
    let e = query_err(&dir, "NATO.FIN @ 2023-06");
    assert!(
        e.contains("`2023-06` was not recorded") && e.contains("recorded: 2024-12 (round 48)"),
        "{e}"
    );
    let e = query_err(&tmp.path().join("nothing"), "NATO.FIN");
    assert!(e.contains("has no outcomes.bin"), "{e}");
    let out = pactsim()
        .args([
            "run",
            "scenarios/finland_sweden.toml",
            "--runs",
            "5",
            "--outcomes-at",
            "2031-01",
            "--out",
        ])
        .arg(tmp.path().join("x"))
        .assert()
        .failure();
    let e = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(e.contains("--outcomes-at 2031-01") && e.contains("2021-01 to 2024-12"), "{e}");
    assert!(!tmp.path().join("x").exists());
}

/// `POST /api/query` of `body` to a server of the shipped scenarios: (status, JSON).
fn post_query(s: &pactsim::serve::Server, body: serde_json::Value) -> (u16, serde_json::Value) {
    common::post_api(s, "query", body)
}

/// The live page's joint outcomes (two chosen cells, or an expression) are `pactsim query`'s
/// answers over the outcomes.bin of `pactsim run` with the same edits, runs and seed: count for
/// count, at the end and at a date; bad expressions and dates are a 422 that says what is wrong.
#[test]
fn the_page_answers_joint_questions_as_the_command_line_does() {
    let tmp = tempfile::tempdir().unwrap();
    let set = "event.madrid.enabled=false";
    let dir = tmp.path().join("r");
    run(&dir, "300", &["--seed", "11", "--set", set, "--outcomes-at", "2022-12"]);
    let config = pactsim::serve::Config {
        dir: common::root().join("scenarios"),
        output: tmp.path().join("output"),
        limits: pactsim::serve::Limits { simulations: 2 },
        hosts: Vec::new(),
    };
    let s = pactsim::serve::start(&config, "127.0.0.1:0").unwrap();
    let queries = [
        "NATO.FIN & NATO.SWE",
        "NATO.FIN & !NATO.SWE @ 2022-12",
        "NATO.FIN @ 2022-12",
        "NATO.SWE | NORDEFCO.FIN",
    ];
    let (status, v) = post_query(
        &s,
        serde_json::json!({"scenario": "finland_sweden", "runs": 300, "seed": 11, "set": [set], "queries": queries}),
    );
    assert_eq!(status, 200, "{v}");
    let answers = v["answers"].as_array().unwrap();
    assert_eq!(answers.len(), queries.len());
    let mut counts = Vec::new();
    for (q, a) in queries.iter().zip(answers) {
        let cli = query(&dir, q);
        for key in ["expression", "round", "label", "count", "runs", "p", "wilson_low", "wilson_high"] {
            assert_eq!(a[key], cli[key], "{q}: {key}: page {a} cli {cli}");
        }
        counts.push(a["count"].as_u64().unwrap());
    }
    // Not a degenerate question: the joint outcome varies over the replicates.
    assert!(counts.iter().any(|&c| c > 0 && c < 300), "{counts:?}");
    // The same question without the edit is asked of the scenario as written (a different answer
    // somewhere, or the edit would not have been applied).
    let (_, w) = post_query(
        &s,
        serde_json::json!({"scenario": "finland_sweden", "runs": 300, "seed": 11, "queries": queries}),
    );
    let written: Vec<u64> = w["answers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["count"].as_u64().unwrap())
        .collect();
    assert_ne!(written, counts, "the edit changed nothing");
    for (body, says) in [
        (
            serde_json::json!({"scenario": "finland_sweden", "runs": 50, "queries": ["NATO.XXX"]}),
            "unknown state `XXX`",
        ),
        (
            serde_json::json!({"scenario": "finland_sweden", "runs": 50, "queries": ["NATO.FIN @ 1999-01"]}),
            "`1999-01` is not a round",
        ),
        (
            serde_json::json!({"scenario": "finland_sweden", "runs": 50, "queries": []}),
            "1 to 16 expressions",
        ),
        (serde_json::json!({"scenario": "finland_sweden", "runs": 50}), "1 to 16 expressions"),
    ] {
        let (status, v) = post_query(&s, body.clone());
        assert_eq!(status, 422, "{body}: {v}");
        assert!(v["error"].as_str().unwrap().contains(says), "{body}: {v}");
    }
}
