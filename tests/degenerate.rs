//! Empty and degenerate worlds: no pacts, one state, pacts nobody is in, one round, events all
//! off, no pair-year a backtest can score. Each either runs — an empty result is a result:
//! summary.json, the CSVs, the charts and report.html are all written — or is refused with an
//! error that names the key. Never a panic. Through the binary and through the library.

use std::path::Path;

use assert_cmd::Command;
use pactsim::backtest::{self, BacktestSpec, FitPoint};
use pactsim::data::Dataset;
use pactsim::data::import::Selection;
use pactsim::model::{World, terms};
use pactsim::run::{self, RunSpec};
use pactsim::scenario::{self, Source};

/// States, no pact.
const NO_PACT: &str = r#"
[scenario]
name = "No pacts"
rounds = 6
start = "2020-01"
runs = 20
[[state]]
id = "AAA"
capability = 0.1
[[state]]
id = "BBB"
capability = 0.2
[[relation]]
between = ["AAA", "BBB"]
hostility = 0.5
[[event]]
id = "war"
round = 2
change = [{ kind = "hostility", between = ["AAA", "BBB"], to = 0.9 }]
[[target]]
statistic = "support_at"
state = "AAA"
round = 3
value = 0.5
tolerance = 0.1
"#;

/// One state, nothing else.
const ONE_STATE: &str = r#"
[scenario]
name = "One state"
rounds = 3
runs = 5
[[state]]
id = "AAA"
capability = 0.1
"#;

/// One state alone in a closed pact.
const ALONE_IN_A_PACT: &str = r#"
[scenario]
name = "Alone in a pact"
rounds = 4
runs = 10
[[state]]
id = "AAA"
capability = 0.1
[[pact]]
id = "SOLO"
binding = 1.0
members = ["AAA"]
admission = "closed"
[[target]]
statistic = "p_final"
pact = "SOLO"
state = "AAA"
value = 1
tolerance = 0.1
"#;

/// Pacts nobody is in (one closed, one never founded), with targets nothing can meet.
const NOBODY_IN_IT: &str = r#"
[scenario]
name = "Nobody in it"
rounds = 2
runs = 1
[[state]]
id = "AAA"
capability = 0.1
[[state]]
id = "BBB"
capability = 0.1
[[pact]]
id = "P"
binding = 0.5
members = []
admission = "closed"
min_members = 5
[[pact]]
id = "Q"
binding = 0.0
members = []
active = false
[[target]]
statistic = "join_date_median"
pact = "P"
state = "AAA"
value = 1
tolerance = 1
[[target]]
statistic = "accession_lag_median"
pact = "P"
state = "AAA"
value = 1
tolerance = 1
[[target]]
statistic = "p_formed"
pact = "Q"
value = 0
tolerance = 0.1
"#;

/// One round, one replicate, every event off.
const EVERYTHING_OFF: &str = r#"
[scenario]
name = "Everything off"
rounds = 1
runs = 1
[[state]]
id = "AAA"
capability = 0.1
[[pact]]
id = "P"
binding = 1.0
members = ["AAA"]
[[event]]
id = "x"
round = 1
enabled = false
change = [{ kind = "dissolve", pact = "P" }]
"#;

const RUNNABLE: [(&str, &str); 5] = [
    ("no_pact", NO_PACT),
    ("one_state", ONE_STATE),
    ("alone_in_a_pact", ALONE_IN_A_PACT),
    ("nobody_in_it", NOBODY_IN_IT),
    ("everything_off", EVERYTHING_OFF),
];

/// The engine's variants: sequential and simultaneous moves, persistent and per-round shocks.
const MODEL_VARIANTS: [&[&str]; 3] = [
    &[],
    &["model.update_order=simultaneous"],
    &["model.shocks=per_round", "model.update_order=simultaneous"],
];

fn pactsim(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::cargo_bin("pactsim").unwrap().current_dir(dir).args(args).output().unwrap()
}

#[track_caller]
fn succeeds(dir: &Path, args: &[&str]) -> String {
    let out = pactsim(dir, args);
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(out.status.success(), "{args:?} failed: {stderr}");
    assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    String::from_utf8_lossy(&out.stdout).to_string()
}

/// Fails with exit code 1 and one clear message (no panic); returns it.
#[track_caller]
fn refused(dir: &Path, args: &[&str]) -> String {
    let out = pactsim(dir, args);
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
    assert!(stderr.starts_with("error: ") && !stderr.contains("panicked"), "{args:?}: {stderr}");
    stderr
}

fn assert_run_dir(dir: &Path) {
    for file in [
        "summary.json",
        "tally.json",
        "memberships.csv",
        "decisions.csv",
        "scenario.resolved.toml",
        "report.html",
        "charts/pact_size.png",
        "charts/pact_size.svg",
        "charts/network.svg",
        "charts/join_times.svg",
    ] {
        assert!(dir.join(file).is_file(), "{} has no {file}", dir.display());
    }
}

#[test]
fn degenerate_worlds_run_through_the_binary_and_write_every_file() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    for (name, text) in RUNNABLE {
        let file = format!("{name}.toml");
        std::fs::write(dir.join(&file), text).unwrap();
        succeeds(dir, &["check", &file]);
        for (i, sets) in MODEL_VARIANTS.iter().enumerate() {
            let out = format!("out-{name}-{i}");
            let mut args = vec!["run", file.as_str(), "--out", out.as_str()];
            for s in *sets {
                args.extend(["--set", s]);
            }
            succeeds(dir, &args);
            assert_run_dir(&dir.join(&out));
        }
        // Shards of it, merged.
        for k in ["0/2", "1/2"] {
            let out = format!("shard-{name}-{}", &k[..1]);
            succeeds(dir, &["run", &file, "--runs", "4", "--shard", k, "--out", &out]);
        }
        let merged = format!("merged-{name}");
        succeeds(
            dir,
            &["merge", &format!("shard-{name}-0"), &format!("shard-{name}-1"), "--out", &merged],
        );
        assert_run_dir(&dir.join(&merged));
        // The studies on it.
        let out = format!("compare-{name}");
        succeeds(dir, &["compare", &file, "--variant", "warm:model.temperature=0.3", "--out", &out]);
        assert!(dir.join(&out).join("compare.html").is_file());
        let out = format!("sweep-{name}");
        succeeds(
            dir,
            &["sweep", &file, "--vary", "model.temperature=0.1,0.3", "--runs", "4", "--out", &out],
        );
        assert!(dir.join(&out).join("sweep.html").is_file());
        for method in [&["--trajectories", "2"][..], &["--method", "sobol", "--samples", "8"]] {
            let out = format!("sensitivity-{name}-{}", method[0]);
            let mut args = vec![
                "sensitivity",
                file.as_str(),
                "--vary",
                "model.temperature=0.1..0.3",
                "--vary",
                "model.bloc_threat=0..1",
                "--runs",
                "4",
                "--out",
                out.as_str(),
            ];
            args.extend(method);
            succeeds(dir, &args);
        }
    }
    // Explain needs a pact: a world without one says so.
    let e = refused(dir, &["explain", "no_pact.toml", "--state", "AAA", "--pact", "NATO"]);
    assert!(e.contains("no pact `NATO`") && e.contains("has no [[pact]]"), "{e}");
    succeeds(
        dir,
        &[
            "explain",
            "alone_in_a_pact.toml",
            "--state",
            "AAA",
            "--pact",
            "SOLO",
            "--out",
            "explain",
        ],
    );
    // The report says why its table is empty.
    let report = std::fs::read_to_string(dir.join("out-no_pact-0/report.html")).unwrap();
    assert!(report.contains("The scenario has no pacts"), "{report}");
    let report = std::fs::read_to_string(dir.join("out-nobody_in_it-0/report.html")).unwrap();
    assert!(report.contains("No state is a member of any pact"), "{report}");
}

#[test]
fn degenerate_worlds_run_through_the_library() {
    let tmp = tempfile::tempdir().unwrap();
    for (name, text) in RUNNABLE {
        for (i, sets) in MODEL_VARIANTS.iter().enumerate() {
            let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
            let sc = scenario::from_source(
                &Source {
                    path: format!("{name}.toml").into(),
                    text: text.to_string(),
                },
                &sets,
            )
            .unwrap_or_else(|e| panic!("{name}: {e}"));
            let result = run::run(
                &sc,
                &RunSpec {
                    seed: 3,
                    replicates: 0..5,
                    keep_decisions: 5,
                },
                &|_| {},
            );
            let out = tmp.path().join(format!("{name}-{i}"));
            let identity = pactsim::output::run_identity(&sc, 3, &(0..5));
            let dest = pactsim::output::run_destination(Some(&out), &tmp.path().join("default"), identity, false).unwrap();
            let (summary, _) = pactsim::output::write_run(&dest, &sc, &result, true).unwrap();
            assert_run_dir(&out);
            assert_eq!(summary.pacts.len(), sc.n_pacts());
            assert_eq!(summary.round_labels.len(), sc.rounds as usize + 1);
        }
    }
}

#[test]
fn worlds_that_cannot_run_are_refused_naming_the_key() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let cases = [
        (
            "no_rounds",
            ONE_STATE.replace("rounds = 3", "rounds = 0"),
            "scenario.rounds",
            "must be from 1",
        ),
        (
            "no_states",
            "[scenario]\nname = \"Nobody\"\nrounds = 3\n".to_string(),
            "state",
            "needs at least one [[state]]",
        ),
        (
            "no_runs",
            ONE_STATE.replace("runs = 5", "runs = 0"),
            "scenario.runs",
            "must be from 1",
        ),
    ];
    for (name, text, key, says) in &cases {
        let file = format!("{name}.toml");
        std::fs::write(dir.join(&file), text).unwrap();
        for cmd in ["check", "run"] {
            let e = refused(dir, &[cmd, &file]);
            assert!(e.contains(&file) && e.contains(key) && e.contains(says), "{cmd} {name}: {e}");
        }
        let e = scenario::from_source(
            &Source {
                path: file.clone().into(),
                text: text.clone(),
            },
            &[],
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains(key) && e.contains(says), "{e}");
    }
    // Through --set, the --set is named.
    std::fs::write(dir.join("one_state.toml"), ONE_STATE).unwrap();
    let e = refused(dir, &["check", "one_state.toml", "--set", "scenario.rounds=0"]);
    assert!(e.contains("--set scenario.rounds=0: 0 is out of range: must be from 1"), "{e}");
    // And --runs 0.
    let e = refused(dir, &["run", "one_state.toml", "--runs", "0"]);
    assert!(e.contains("--runs"), "{e}");
}

#[test]
fn a_backtest_with_nothing_to_score_is_a_result_and_an_era_split_says_why_it_cannot_fit() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    // Swaziland and the USA share no alliance: no pair-year to score.
    let stdout = succeeds(
        dir,
        &[
            "backtest", "--states", "SWZ,USA", "--from", "1970", "--to", "1971", "--runs", "5", "--out", "bt",
        ],
    );
    assert!(stdout.contains("nothing scored"), "{stdout}");
    for file in ["backtest.json", "backtest.csv", "backtest.html", "charts/skill.png"] {
        assert!(dir.join("bt").join(file).is_file(), "no {file}");
    }
    // The era split: a clear error naming the era, not a panic (it used to unwrap a NaN minimum).
    let e = refused(
        dir,
        &[
            "backtest",
            "--states",
            "SWZ,USA",
            "--fit-era",
            "1816-1817",
            "--test-era",
            "1950-1951",
            "--runs",
            "5",
            "--out",
            "split",
        ],
    );
    assert!(
        e.contains("--fit-era 1816-1817") && e.contains("no state-alliance-year can be scored"),
        "{e}"
    );
    assert!(!dir.join("split").exists());
    // Settings that leave nothing to run are refused before anything is counted.
    for extra in [
        &["--from", "1960", "--to", "1960"][..],
        &["--fit-era", "1900-1901", "--test-era", "1950-1951"],
    ] {
        for zero in ["--step", "--horizon", "--runs"] {
            let mut args = vec!["backtest", zero, "0"];
            args.extend(extra);
            let e = refused(dir, &args);
            assert!(e.contains("must be at least 1"), "{args:?}: {e}");
        }
    }

    // The library: nothing scored, and the fit's choice of a point says why there is none.
    let data = Dataset::embedded().unwrap();
    let spec = BacktestSpec {
        from: 1816,
        to: 1817,
        horizon: 5,
        step: 1,
        selection: Selection::States(vec!["SWZ".into(), "USA".into()]),
        sets: Vec::new(),
        runs: 5,
        seed: 1,
        events: true,
    };
    let bt = backtest::backtest(&data, &spec, &|_| {}, &mut |_| {}).unwrap();
    assert_eq!(bt.total[0][0].n, 0);
    assert!(bt.total[0][0].log_loss().is_nan());
    let e = backtest::check_scorable(&bt, "1816-1817").unwrap_err().to_string();
    assert!(e.contains("--fit-era 1816-1817"), "{e}");
    let points = vec![
        FitPoint {
            sets: Vec::new(),
            log_loss: f64::NAN,
            brier: f64::NAN,
        };
        3
    ];
    let e = backtest::best(&points, "1816-1817").unwrap_err().to_string();
    assert!(e.contains("no state-alliance-year can be scored"), "{e}");
    let mut points = points;
    points[2].log_loss = 0.3;
    assert_eq!(backtest::best(&points, "1816-1817").unwrap(), 2);
}

/// Capability events that scale a state past `f64::MAX` are clamped at
/// `scenario::MAX_CAPABILITY`, so every logged probability and term stays finite (no NaN threat).
#[test]
fn capabilities_scaled_without_bound_stay_finite() {
    let text = r#"
[scenario]
name = "Runaway capability"
rounds = 6
runs = 20
[[state]]
id = "AAA"
capability = 0.1
[[state]]
id = "BBB"
capability = 0.2
[[state]]
id = "RRR"
capability = 0.3
[[relation]]
between = ["AAA", "RRR"]
hostility = 0.6
proximity = 1
[[relation]]
between = ["BBB", "RRR"]
hostility = 0.4
proximity = 1
[[pact]]
id = "P"
obligations = ["defence"]
binding = 1
members = ["BBB"]
admission = "open"
rivals = ["RRR"]
[[event]]
id = "up"
round = 2
change = [{ kind = "capability", state = "RRR", scale = 1e300 }]
[[event]]
id = "up_again"
round = 3
change = [{ kind = "capability", state = "RRR", scale = 1e300 }, { kind = "capability", state = "AAA", scale = 1e300 }]
"#;
    let sc = scenario::from_source(
        &Source {
            path: "runaway.toml".into(),
            text: text.to_string(),
        },
        &[],
    )
    .unwrap();
    // Each round, with the caches on and off: every state's terms of joining or leaving the pact.
    for memo in [true, false] {
        let mut rng = run::replicate_rng(3, 0);
        let mut w = World::seeded_memo(&sc, &mut rng, memo);
        for round in 1..=sc.rounds {
            w.play_round(&mut rng, &mut Vec::new());
            for s in sc.state_ids() {
                for p in sc.pact_ids() {
                    for t in [terms::join_terms(&w, s, p), terms::leave_terms(&w, s, p)] {
                        assert!(
                            t.values().iter().all(|v| v.is_finite()),
                            "round {round}, memo {memo}, state {s:?}: {t:?}"
                        );
                    }
                }
            }
        }
    }
}
