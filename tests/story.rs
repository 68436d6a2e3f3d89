//! `pactsim story`: one replicate replayed is exactly that replicate of `pactsim run` (its
//! decisions, its memberships at the end); `--pick typical` and `--pick EXPR` pick what they say,
//! checked against brute force over outcomes.bin; bad flags are refused with the flag and the
//! valid range named.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use pactsim::report::outcomes::{self, OutcomeFile};

mod common;

const FILE: &str = "scenarios/finland_sweden.toml";

fn pactsim() -> Command {
    Command::cargo_bin("pactsim").unwrap()
}

fn run(out: &Path, runs: &str, extra: &[&str]) {
    pactsim()
        .args(["run", FILE, "--runs", runs, "--no-charts", "-q", "--out"])
        .arg(out)
        .args(extra)
        .assert()
        .success();
}

/// Runs `pactsim story` into `out`; returns its stdout.
fn story(out: &Path, args: &[&str]) -> String {
    let o = pactsim().args(["story", FILE]).args(args).arg("--out").arg(out).assert().success();
    String::from_utf8(o.get_output().stdout.clone()).unwrap()
}

fn story_err(args: &[&str]) -> String {
    let tmp = tempfile::tempdir().unwrap();
    let o = pactsim()
        .args(["story", FILE])
        .args(args)
        .arg("--out")
        .arg(tmp.path().join("s"))
        .assert()
        .failure();
    assert!(!tmp.path().join("s").exists(), "nothing written on an error");
    String::from_utf8(o.get_output().stderr.clone()).unwrap()
}

/// The replicate a story tells, from the first line of story.txt ("…: replicate K (seed S), …").
fn told_replicate(dir: &Path) -> u64 {
    let text = std::fs::read_to_string(dir.join("story.txt")).unwrap();
    let first = text.lines().next().unwrap();
    let after = first.split(": replicate ").nth(1).unwrap_or_else(|| panic!("{first}"));
    after.split(' ').next().unwrap().parse().unwrap()
}

fn read_outcomes(dir: &Path) -> OutcomeFile {
    outcomes::read(&dir.join(outcomes::FILE)).unwrap()
}

/// story.csv rows: (round, kind, state, pact, detail).
fn story_rows(dir: &Path) -> Vec<(u32, String, String, String, String)> {
    let mut r = csv::Reader::from_path(dir.join("story.csv")).unwrap();
    assert_eq!(
        r.headers().unwrap().iter().collect::<Vec<_>>(),
        ["round", "date", "kind", "state", "pact", "detail"]
    );
    r.records()
        .map(|row| {
            let row = row.unwrap();
            (
                row[0].parse().unwrap(),
                row[2].to_string(),
                row[3].to_string(),
                row[4].to_string(),
                row[5].to_string(),
            )
        })
        .collect()
}

#[test]
fn a_story_is_exactly_that_replicate_of_the_run() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("run");
    // Every replicate's decisions are logged (decisions.csv keeps the first 1000).
    run(&dir, "60", &[]);
    let file = read_outcomes(&dir);
    let (h, t) = (&file.header, &file.table);
    let end = h.rounds.len() - 1;
    let sc = common::load(&common::scenario_path("finland_sweden.toml"), &[]);
    // The run's decisions of each replicate: apply/join/leave as (round, action, state, pact),
    // holds as (round, applicant, pact).
    let mut moves: BTreeMap<u64, BTreeSet<(u32, String, String, String)>> = BTreeMap::new();
    let mut holds: BTreeMap<u64, BTreeSet<(u32, String, String)>> = BTreeMap::new();
    let mut d = csv::Reader::from_path(dir.join("decisions.csv")).unwrap();
    for row in d.records() {
        let row = row.unwrap();
        let (rep, round): (u64, u32) = (row[0].parse().unwrap(), row[1].parse().unwrap());
        match &row[5] {
            "apply" | "join" | "leave" => {
                moves
                    .entry(rep)
                    .or_default()
                    .insert((round, row[5].to_string(), row[3].to_string(), row[4].to_string()));
            }
            "hold" => {
                holds
                    .entry(rep)
                    .or_default()
                    .insert((round, row[6].to_string(), row[4].to_string()));
            }
            "end" => panic!("no pact ends in this scenario"),
            _ => {}
        }
    }
    let mut fin_joins_in = 0;
    for k in [0u64, 1, 7, 17, 33, 59] {
        let out = tmp.path().join(format!("s{k}"));
        story(&out, &["--replicate", &k.to_string(), "--runs", "60", "-q"]);
        assert_eq!(told_replicate(&out), k);
        // The library's story of the same replicate: its memberships at the end are the run's
        // outcome bits, every pact and state.
        let told = pactsim::run::story::story(&sc, sc.seed, k);
        for (p, pact) in h.pacts.iter().enumerate() {
            for (s, state) in h.states.iter().enumerate() {
                assert_eq!(
                    told.member_at_end(pact, state),
                    t.member(k, end, p, s),
                    "replicate {k}: {pact}.{state}"
                );
            }
        }
        // story.csv has exactly the run's applications, joins and leaves, and a vote row in
        // each round in which a member held an application.
        let rows = story_rows(&out);
        let told_moves: BTreeSet<(u32, String, String, String)> = rows
            .iter()
            .filter(|r| ["apply", "join", "leave"].contains(&r.1.as_str()))
            .map(|r| (r.0, r.1.clone(), r.2.clone(), r.3.clone()))
            .collect();
        assert_eq!(told_moves, moves.remove(&k).unwrap_or_default(), "replicate {k}");
        let told_holds: BTreeSet<(u32, String, String)> = rows
            .iter()
            .filter(|r| r.1 == "vote")
            .map(|r| (r.0, r.2.clone(), r.3.clone()))
            .collect();
        assert_eq!(told_holds, holds.remove(&k).unwrap_or_default(), "replicate {k}");
        // Replaying the CSV from the start gives the memberships at the end, too.
        let mut members: BTreeSet<(String, String)> = told
            .pacts
            .iter()
            .zip(&told.start_members)
            .flat_map(|(p, m)| m.iter().map(move |s| (p.id.clone(), s.clone())))
            .collect();
        for r in &rows {
            match r.1.as_str() {
                "join" => assert!(members.insert((r.3.clone(), r.2.clone())), "{r:?}"),
                "leave" => assert!(members.remove(&(r.3.clone(), r.2.clone())), "{r:?}"),
                "end" | "dissolve" | "found" => panic!("not in this scenario: {r:?}"),
                _ => {}
            }
        }
        for (p, pact) in h.pacts.iter().enumerate() {
            for (s, state) in h.states.iter().enumerate() {
                assert_eq!(members.contains(&(pact.clone(), state.clone())), t.member(k, end, p, s));
            }
        }
        fin_joins_in += u32::from(told.member_at_end("NATO", "FIN") && !told.start_members[0].contains(&"FIN".into()));
    }
    assert!(fin_joins_in > 0, "Finland joins NATO in some replicate checked");
}

#[test]
fn the_same_story_is_written_byte_for_byte_again() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    story(&a, &["--replicate", "4", "-q"]);
    story(&b, &["--replicate", "4", "-q"]);
    for f in ["story.txt", "story.csv", "story.png", "story.svg", "scenario.resolved.toml"] {
        assert_eq!(std::fs::read(a.join(f)).unwrap(), std::fs::read(b.join(f)).unwrap(), "{f}");
    }
    let marker: serde_json::Value = serde_json::from_slice(&std::fs::read(a.join(".pactsim.json")).unwrap()).unwrap();
    assert_eq!(marker["kind"], "story", "{marker}");
    // Again into the same directory: the same result, written again.
    story(&a, &["--replicate", "4", "-q"]);
    // Another replicate there is a different result: refused without --replace.
    let o = pactsim()
        .args(["story", FILE, "--replicate", "5", "--out"])
        .arg(&a)
        .assert()
        .failure();
    let err = String::from_utf8_lossy(&o.get_output().stderr).into_owned();
    assert!(err.contains("--replace"), "{err}");
}

#[test]
fn the_chronicle_tells_the_invasion_and_finlands_application() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("fin");
    let stdout = story(&out, &["--pick", "NATO.FIN", "--runs", "100"]);
    assert!(stdout.contains("Picked as the first of 100 replicates"), "{stdout}");
    let text = std::fs::read_to_string(out.join("story.txt")).unwrap();
    let line = |needle: &str| -> &str {
        text.lines()
            .find(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("no `{needle}` in:\n{text}"))
    };
    let invasion = line("Event: Russia invades Ukraine");
    let applies = line("Finland applies to NATO");
    let joins = line("Finland joins NATO");
    assert!(invasion.starts_with("2022-02"), "{invasion}");
    // Dated lines in order: the invasion, then the application (with the threat behind it),
    // then the accession.
    let date = |l: &str| l.split_whitespace().next().unwrap().to_string();
    assert!(date(invasion) <= date(applies) && date(applies) <= date(joins), "{text}");
    assert!(
        applies.contains("threat from Russia") && applies.contains("since 2022-02"),
        "{applies}"
    );
    assert!(applies.contains("public support"), "{applies}");
    assert!(text.contains("Members at the end (2024-12): NATO"), "{text}");
    // The terminal gets the head of it and where it went.
    assert!(stdout.contains("Finland applies to NATO") && stdout.contains("wrote "), "{stdout}");
    // The chart is there, as PNG.
    let png = std::fs::read(out.join("story.png")).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
}

/// Σ over the recorded rounds `js` and every (pact, state) of |N·bit − count|: N times the
/// distance of each replicate from the run's probabilities, computed here independently.
fn brute_distances(f: &OutcomeFile, js: &[usize]) -> Vec<u64> {
    let (h, t) = (&f.header, &f.table);
    let n = t.runs;
    let mut out = vec![0u64; n as usize];
    for &j in js {
        for p in 0..h.pacts.len() {
            for s in 0..h.states.len() {
                let k = (0..n).filter(|&i| t.member(i, j, p, s)).count() as u64;
                for (i, d) in out.iter_mut().enumerate() {
                    let b = u64::from(t.member(i as u64, j, p, s));
                    *d += (n * b).abs_diff(k);
                }
            }
        }
    }
    out
}

#[test]
fn pick_typical_is_the_least_distance_and_deterministic() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("run");
    run(&dir, "200", &["--outcomes-every-round", "--decisions", "0"]);
    let f = read_outcomes(&dir);
    assert_eq!(f.header.rounds.len(), 49);
    let every: Vec<usize> = (0..f.header.rounds.len()).collect();
    let d = brute_distances(&f, &every);
    let least = *d.iter().min().unwrap();
    let expected = d.iter().position(|&x| x == least).unwrap() as u64;
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    let stdout = story(&a, &["--pick", "typical", "--runs", "200"]);
    story(&b, &["--pick", "typical", "--runs", "200", "-q"]);
    assert_eq!(told_replicate(&a), expected, "{stdout}");
    assert_eq!(told_replicate(&b), expected);
    assert_eq!(
        std::fs::read(a.join("story.txt")).unwrap(),
        std::fs::read(b.join("story.txt")).unwrap()
    );
    let distance = format!("is {:.3}", least as f64 / 200.0);
    assert!(
        stdout.contains("Picked as typical") && stdout.contains(&distance),
        "{stdout}\n{distance}"
    );
    // The least distance is not everyone's: the pick means something.
    assert!(d.iter().any(|&x| x > least));

    // At one round only: `typical @ 2023-06`.
    let at = tmp.path().join("at");
    run(&at, "200", &["--outcomes-at", "2023-06", "--decisions", "0"]);
    let f = read_outcomes(&at);
    let j = f.header.labels.iter().position(|l| l == "2023-06").unwrap();
    let d = brute_distances(&f, &[j]);
    let least = *d.iter().min().unwrap();
    let expected = d.iter().position(|&x| x == least).unwrap() as u64;
    let c = tmp.path().join("c");
    let stdout = story(&c, &["--pick", "typical @ 2023-06", "--runs", "200"]);
    assert_eq!(told_replicate(&c), expected, "{stdout}");
    assert!(stdout.contains("at 2023-06 (round 30)"), "{stdout}");
}

#[test]
fn pick_expression_is_the_first_replicate_where_it_holds() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("run");
    run(&dir, "300", &["--outcomes-at", "2023-06", "--decisions", "0"]);
    let f = read_outcomes(&dir);
    let (h, t) = (&f.header, &f.table);
    let p = h.pacts.iter().position(|x| x == "NATO").unwrap();
    let (fin, swe) = (
        h.states.iter().position(|x| x == "FIN").unwrap(),
        h.states.iter().position(|x| x == "SWE").unwrap(),
    );
    for (expr, label) in [("NATO.FIN & !NATO.SWE @ 2023-06", "2023-06"), ("NATO.FIN & !NATO.SWE", "2024-12")] {
        let j = h.labels.iter().position(|l| l == label).unwrap();
        let holds = |i: u64| t.member(i, j, p, fin) && !t.member(i, j, p, swe);
        let count = (0..t.runs).filter(|&i| holds(i)).count();
        let out = tmp.path().join(format!("p{j}"));
        let stdout = story(&out, &["--pick", expr, "--runs", "300"]);
        let k = told_replicate(&out);
        assert!(holds(k), "{expr}: replicate {k}");
        assert!((0..k).all(|i| !holds(i)), "{expr}: a replicate before {k} holds");
        assert!(stdout.contains(&format!("it holds in {count} of them")), "{stdout}");
        // And it is the same count `pactsim query` gives.
        let q = pactsim().arg("query").arg(&dir).arg(expr).arg("--json").assert().success();
        let a: serde_json::Value = serde_json::from_slice(&q.get_output().stdout).unwrap();
        assert_eq!(a["count"].as_u64().unwrap(), count as u64);
    }
}

#[test]
fn bad_flags_are_refused_naming_the_flag_and_what_is_valid() {
    let e = story_err(&["--replicate", "1000"]);
    assert!(e.contains("--replicate 1000") && e.contains("0 to 999"), "{e}");
    let e = story_err(&["--replicate", "5", "--runs", "5"]);
    assert!(e.contains("--replicate 5") && e.contains("0 to 4"), "{e}");
    let e = story_err(&["--pick", "NATO.FIN &"]);
    assert!(e.contains("--pick 'NATO.FIN &'") && e.contains("at character"), "{e}");
    let e = story_err(&["--pick", "OTAN.FIN"]);
    assert!(
        e.contains("--pick") && e.contains("unknown pact `OTAN`") && e.contains("NATO, NORDEFCO"),
        "{e}"
    );
    let e = story_err(&["--pick", "NATO.FIN @ 2031-01"]);
    assert!(
        e.contains("--pick") && e.contains("`2031-01` is not a round") && e.contains("2021-01 to 2024-12"),
        "{e}"
    );
    let e = story_err(&["--pick", "typical @ round 49"]);
    assert!(e.contains("from 0 to 48"), "{e}");
    let e = story_err(&["--pick", "NATO.RUS", "--runs", "20"]);
    assert!(
        e.contains("--pick 'NATO.RUS'") && e.contains("holds in none of the 20 replicates"),
        "{e}"
    );
    let e = story_err(&[]);
    assert!(e.contains("--replicate") && e.contains("--pick"), "{e}");
    let e = story_err(&["--replicate", "3", "--pick", "typical"]);
    assert!(e.contains("cannot be used with"), "{e}");
    let e = story_err(&["--replicate", "3", "--set", "state.FIN.neutrality=1.5"]);
    assert!(e.contains("state.FIN.neutrality"), "{e}");
}

/// A story's default directory: output/story-<stem>-<K>/ (here under a temporary working
/// directory, with a copy of the scenario).
#[test]
fn default_directory_names_the_replicate() {
    let tmp = tempfile::tempdir().unwrap();
    let sc = tmp.path().join("fs.toml");
    std::fs::copy(common::scenario_path("finland_sweden.toml"), &sc).unwrap();
    pactsim()
        .current_dir(tmp.path())
        .args(["story", "fs.toml", "--replicate", "2", "-q"])
        .assert()
        .success();
    let dir: PathBuf = tmp.path().join("output").join("story-fs-2");
    assert!(dir.join("story.txt").is_file(), "{}", dir.display());
    let index = std::fs::read_to_string(tmp.path().join("output").join("runs.csv")).unwrap();
    assert!(index.contains("story"), "{index}");
}

/// `POST /api/story` of `body` to a server of the shipped scenarios: (status, JSON).
fn post_story(s: &pactsim::serve::Server, body: serde_json::Value) -> (u16, serde_json::Value) {
    common::post_api(s, "story", body)
}

#[test]
fn the_page_tells_the_same_story_as_the_command_line() {
    let tmp = tempfile::tempdir().unwrap();
    let config = pactsim::serve::Config {
        dir: common::root().join("scenarios"),
        output: tmp.path().join("output"),
        limits: pactsim::serve::Limits { simulations: 2 },
        hosts: Vec::new(),
    };
    let s = pactsim::serve::start(&config, "127.0.0.1:0").unwrap();
    // By number, with an edit: story.txt's text, byte for byte, and its lines.
    let set = "event.madrid.enabled=false";
    let cli = tmp.path().join("cli");
    story(&cli, &["--replicate", "9", "--set", set, "-q"]);
    let (status, v) = post_story(&s, serde_json::json!({"scenario": "finland_sweden", "replicate": 9, "set": [set]}));
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["replicate"], 9);
    assert_eq!(v["text"].as_str().unwrap(), std::fs::read_to_string(cli.join("story.txt")).unwrap());
    let rows = story_rows(&cli);
    let lines = v["lines"].as_array().unwrap();
    assert_eq!(lines.len(), rows.len());
    for (l, r) in lines.iter().zip(&rows) {
        assert_eq!(
            (l["round"].as_u64().unwrap() as u32, l["kind"].as_str().unwrap()),
            (r.0, r.1.as_str())
        );
        assert_eq!(l["detail"].as_str().unwrap(), r.4);
    }
    assert!(v["chart"]["svg"].as_str().unwrap().starts_with("<svg"), "an SVG chart");
    assert!(v["story"]["entries"].as_array().unwrap().len() == rows.len());
    // Picked: the replicate the command line picks.
    let typical = tmp.path().join("typical");
    story(&typical, &["--pick", "typical", "--runs", "150", "-q"]);
    let (status, v) = post_story(
        &s,
        serde_json::json!({"scenario": "finland_sweden", "pick": "typical", "runs": 150}),
    );
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["replicate"].as_u64().unwrap(), told_replicate(&typical));
    assert_eq!(v["pick"]["pick"], "typical");
    assert!(v["pick_sentence"].as_str().unwrap().starts_with("Picked as typical"));
    // Bad requests: 422 with the command line's message.
    for (body, says) in [
        (serde_json::json!({"scenario": "finland_sweden", "replicate": 1000}), "0 to 999"),
        (
            serde_json::json!({"scenario": "finland_sweden", "pick": "NATO.XX"}),
            "unknown state `XX`",
        ),
        (serde_json::json!({"scenario": "finland_sweden"}), "exactly one of `replicate`"),
        (
            serde_json::json!({"scenario": "finland_sweden", "replicate": 1, "pick": "typical"}),
            "exactly one of",
        ),
        (
            serde_json::json!({"scenario": "finland_sweden", "pick": "NATO.RUS", "runs": 20}),
            "holds in none",
        ),
    ] {
        let (status, v) = post_story(&s, body.clone());
        assert_eq!(status, 422, "{body}: {v}");
        assert!(v["error"].as_str().unwrap().contains(says), "{body}: {v}");
    }
}
