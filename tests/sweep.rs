//! `pactsim sweep`: what it writes, that every variant is exactly the run with its `--set`s on
//! the same replicates (common random numbers), multipliers over a family of values, and clear
//! errors that leave nothing behind.

use std::path::Path;

use assert_cmd::Command;

fn pactsim() -> Command {
    Command::cargo_bin("pactsim").unwrap()
}

fn read_csv(path: &Path) -> Vec<std::collections::HashMap<String, String>> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    r.records()
        .map(|rec| header.iter().cloned().zip(rec.unwrap().iter().map(String::from)).collect())
        .collect()
}

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn each_variant_is_the_run_with_its_values_on_the_same_replicates() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("sweep");
    let assert = pactsim()
        .args([
            "sweep",
            "scenarios/finland_sweden.toml",
            "--vary",
            "model.temperature=0.08..0.2:3",
            "--runs",
            "60",
            "--seed",
            "11",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    let stdout = String::from_utf8(assert.get_output().stdout.clone()).unwrap();
    assert!(
        stdout.contains("3 variants × 60 replicates (seed 11, common random numbers)"),
        "{stdout}"
    );
    assert!(out.join("charts/response.png").is_file() && out.join("charts/response.svg").is_file());

    let manifest = json(&out.join("sweep.json"));
    assert_eq!(manifest["common_random_numbers"], true);
    assert_eq!(manifest["design"], "grid");
    assert_eq!(manifest["variants"].as_array().unwrap().len(), 3);
    assert_eq!(manifest["variants"][1]["sets"][0], "model.temperature=0.14");

    let rows = read_csv(&out.join("sweep.csv"));
    // 3 variants × 4 pacts × 16 states.
    assert_eq!(rows.len(), 3 * 4 * 16);
    assert_eq!(rows[0]["model.temperature"], "0.08");

    // The middle variant is exactly `run --set model.temperature=0.14` with the same seed and runs.
    let run = tmp.path().join("run");
    pactsim()
        .args([
            "run",
            "scenarios/finland_sweden.toml",
            "--set",
            "model.temperature=0.14",
            "--runs",
            "60",
            "--seed",
            "11",
            "--no-charts",
            "--quiet",
            "--decisions",
            "0",
            "--out",
        ])
        .arg(&run)
        .assert()
        .success();
    let summary = json(&run.join("summary.json"));
    let mut compared = 0;
    for row in rows.iter().filter(|r| r["variant"] == "1") {
        let p = summary["membership"][&row["pact"]][&row["state"]]["p_final"].as_f64().unwrap();
        assert_eq!(row["p_final"], format!("{p:.6}"), "{} in {}", row["state"], row["pact"]);
        compared += 1;
    }
    assert_eq!(compared, 64);
}

#[test]
fn a_multiplier_scales_each_value_of_a_family() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("sweep");
    pactsim()
        .args([
            "sweep",
            "scenarios/finland_sweden.toml",
            "--vary",
            "state.*.support.sensitivity=*0.5,*2",
            "--runs",
            "10",
            "--no-charts",
            "--quiet",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    let manifest = json(&out.join("sweep.json"));
    let param = &manifest["parameters"][0];
    assert_eq!(param["relative"], true);
    assert_eq!(param["label"], "state.*.support.sensitivity (×)");
    let paths = param["paths"].as_array().unwrap();
    assert_eq!(paths.len(), 16, "every state has a support sensitivity");
    let fin = paths.iter().find(|p| p[0] == "state.FIN.support.sensitivity").unwrap()[1]
        .as_f64()
        .unwrap();
    let sets = manifest["variants"][1]["sets"].as_array().unwrap();
    assert!(
        sets.contains(&serde_json::Value::from(format!("state.FIN.support.sensitivity={}", fin * 2.0))),
        "{sets:?}"
    );
    assert_eq!(sets.len(), 16);
}

#[test]
fn bad_sweeps_fail_clearly_and_write_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("sweep");
    for (vary, expect) in [
        ("model.temperature=0.1..0.1:3", "the range 0.1..0.1 is empty"),
        ("model.temprature=0.1,0.2", "did you mean `temperature`?"),
        ("state.FNI.neutrality=0.1,0.2", "did you mean `FIN`?"),
        ("model.temperature", "expected PATH=VALUES"),
        // Out of range for the scenario: the variant and the key are named.
        ("model.temperature=0.1,-1", "model.temperature"),
    ] {
        let assert = pactsim()
            .args(["sweep", "scenarios/finland_sweden.toml", "--runs", "5", "--vary", vary, "--out"])
            .arg(&out)
            .assert()
            .failure()
            .code(1);
        let stderr = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
        assert!(stderr.contains(expect), "{vary}: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert!(!out.exists(), "{vary}: nothing is written");
    }
    let assert = pactsim()
        .args([
            "sweep",
            "scenarios/finland_sweden.toml",
            "--vary",
            "model.temperature=0.1,0.2",
            "--vary",
            "model.temperature=0.3",
        ])
        .assert()
        .failure();
    let stderr = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
    assert!(stderr.contains("moves too"), "{stderr}");
}

#[test]
fn two_parameters_make_a_grid_and_heat_maps() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("sweep");
    pactsim()
        .args([
            "sweep",
            "scenarios/finland_sweden.toml",
            "--vary",
            "model.bloc_threat=0,1",
            "--vary",
            "pact.NATO.binding=0.6..1:3",
            "--runs",
            "30",
            "--quiet",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    assert!(out.join("charts/heatmap.png").is_file());
    let manifest = json(&out.join("sweep.json"));
    // The last parameter varies fastest.
    let values: Vec<Vec<f64>> = manifest["variants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["values"].as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect())
        .collect();
    assert_eq!(
        values,
        vec![
            vec![0.0, 0.6],
            vec![0.0, 0.8],
            vec![0.0, 1.0],
            vec![1.0, 0.6],
            vec![1.0, 0.8],
            vec![1.0, 1.0]
        ]
    );
}

/// Every file of a directory, by relative path, with its bytes.
fn files(dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut out = std::collections::BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.insert(p.strip_prefix(dir).unwrap().display().to_string(), std::fs::read(&p).unwrap());
            }
        }
    }
    without_command(&mut out);
    out
}

#[test]
fn sweep_shards_merge_into_exactly_the_whole_sweep() {
    let tmp = tempfile::tempdir().unwrap();
    let sweep = |extra: &[&str], out: &Path| {
        pactsim()
            .args([
                "sweep",
                "scenarios/finland_sweden.toml",
                "--vary",
                "model.temperature=0.05..0.3:3",
                "--runs",
                "41",
                "--quiet",
            ])
            .args(extra)
            .arg("--out")
            .arg(out)
            .assert()
            .success();
    };
    let whole = tmp.path().join("whole");
    sweep(&[], &whole);
    let shards: Vec<_> = (0..3).map(|k| tmp.path().join(format!("shard{k}"))).collect();
    for (k, dir) in shards.iter().enumerate() {
        sweep(&["--shard", &format!("{k}/3")], dir);
        assert!(dir.join("tallies/00002.json").is_file());
    }
    let merged = tmp.path().join("merged");
    // In any order.
    pactsim()
        .args(["merge", "--quiet", "--out"])
        .arg(&merged)
        .args([&shards[2], &shards[0], &shards[1]])
        .assert()
        .success();
    let (a, b) = (files(&whole), files(&merged));
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (name, bytes) in &a {
        assert!(bytes == &b[name], "{name} differs between the whole sweep and the merged shards");
    }
    assert!(a.contains_key("charts/response.png"));
    // A missing shard is named, and nothing is written.
    let partial = tmp.path().join("partial");
    let assert = pactsim()
        .args(["merge", "--out"])
        .arg(&partial)
        .args([&shards[0], &shards[2]])
        .assert()
        .failure();
    let stderr = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
    assert!(stderr.contains("a shard is missing or given twice"), "{stderr}");
    assert!(!partial.exists());
}

#[test]
fn morris_screening_ranks_what_matters_and_is_reproducible() {
    let tmp = tempfile::tempdir().unwrap();
    let run = |out: &Path| {
        let assert = pactsim()
            .args([
                "sensitivity",
                "scenarios/finland_sweden.toml",
                "--vary",
                "state.SWE.support.threshold=0.6..0.95",
                "--vary",
                "pact.NORDEFCO.issue_gain=0..0.5",
                "--trajectories",
                "4",
                "--runs",
                "60",
                "--out",
            ])
            .arg(out)
            .assert()
            .success();
        String::from_utf8(assert.get_output().stdout.clone()).unwrap()
    };
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    let stdout = run(&a);
    run(&b);
    assert!(
        stdout.contains("Morris screening of 2 parameters, 4 trajectories (12 points × 60 replicates"),
        "{stdout}"
    );
    assert!(a.join("charts/morris.png").is_file());
    let page = std::fs::read_to_string(a.join("sensitivity.html")).unwrap();
    assert!(
        page.contains("P(SWE in NATO at the end) depends most on state.SWE.support.threshold"),
        "the page says it in words"
    );
    // The same arguments give the same design and the same numbers.
    for f in ["sensitivity.csv", "sweep.csv", "sweep.json"] {
        assert_eq!(std::fs::read(a.join(f)).unwrap(), std::fs::read(b.join(f)).unwrap(), "{f}");
    }
    let manifest = json(&a.join("sweep.json"));
    assert_eq!(manifest["design"], "morris");
    // Sweden's membership depends on where its public's weight on a treaty changes sign (its
    // support threshold), not on the gain of Nordic cooperation it keeps either way; the
    // threshold's row has the larger μ*.
    let rows = read_csv(&a.join("sensitivity.csv"));
    let mu = |param: &str| {
        rows.iter()
            .find(|r| r["state"] == "SWE" && r["pact"] == "NATO" && r["parameter"] == param)
            .map(|r| r["mu_star"].parse::<f64>().unwrap())
            .unwrap()
    };
    assert!(mu("state.SWE.support.threshold") > mu("pact.NORDEFCO.issue_gain") + 0.1, "{rows:?}");
}

#[test]
fn screening_needs_ranges_even_levels_and_enough_samples() {
    for (args, expect) in [
        (vec!["--vary", "model.temperature=0.1,0.2"], "give LO..HI"),
        (
            vec!["--vary", "model.temperature=0.1..0.2", "--levels", "5"],
            "even number of levels",
        ),
        (
            vec!["--vary", "model.temperature=0.1..0.2", "--trajectories", "1"],
            "at least 2 trajectories",
        ),
        (
            vec!["--method", "sobol", "--vary", "model.temperature=0.1..0.2", "--samples", "4"],
            "at least 8 base samples",
        ),
        (vec!["--method", "sobol", "--vary", "model.temperature=0.1,0.2"], "give LO..HI"),
    ] {
        let assert = pactsim()
            .args(["sensitivity", "scenarios/finland_sweden.toml", "--runs", "5"])
            .args(&args)
            .assert()
            .failure()
            .code(1);
        let stderr = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
        assert!(stderr.contains(expect), "{args:?}: {stderr}");
    }
}

/// The Saltelli design and the Sobol estimators on a function whose indices are known: y = a + 2b
/// (a, b uniform on [0, 1]): Var = 1/12 + 4/12, so S_a = S_Ta = 0.2 and S_b = S_Tb = 0.8; and
/// y = a·b (S_a = S_b = 3/7, S_Ta = S_Tb = 4/7: Var = 7/144, V_a = V_b = 3/144, V_ab = 1/144).
#[test]
fn sobol_indices_of_known_functions() {
    use pactsim::scenario::sweep::{Vary, saltelli};
    use pactsim::scenario::{self, Source};
    use pactsim::study::sensitivity::sobol;
    use pactsim::study::sweep::{Row, SweepResult};
    let path = Path::new("tests/fixtures/minimal.toml");
    let source = Source {
        path: path.into(),
        text: std::fs::read_to_string(path).unwrap(),
    };
    let varies = vec![
        Vary::parse("model.temperature=0..1").unwrap(),
        Vary::parse("model.bloc_threat=0..1").unwrap(),
    ];
    let design = saltelli(&source, &[], varies, 1024, 7).unwrap();
    assert_eq!(design.variants.len(), 1024 * 4);
    // Each design point is a valid scenario.
    scenario::from_source(&source, &design.variants[5].sets).unwrap();
    for (f, expect) in [
        ((|a: f64, b: f64| a + 2.0 * b) as fn(f64, f64) -> f64, [(0.2, 0.2), (0.8, 0.8)]),
        (|a, b| a * b, [(3.0 / 7.0, 4.0 / 7.0), (3.0 / 7.0, 4.0 / 7.0)]),
    ] {
        let mut result = SweepResult::new("t", 7, 100, Vec::new(), None, design.clone());
        result.rows = design
            .variants
            .iter()
            .map(|v| Row {
                variant: v.index,
                pact: "P".into(),
                state: "S".into(),
                p_final: f(v.values[0], v.values[1]),
                p_final_se: 0.0,
                join_round_median: None,
                p_formed: 1.0,
            })
            .collect();
        let indices = sobol(&result, 7);
        assert_eq!(indices.len(), 2);
        for (x, (first, total)) in indices.iter().zip(expect) {
            assert!((x.first - first).abs() < 0.05, "{x:?} vs S1 {first}");
            assert!((x.total - total).abs() < 0.05, "{x:?} vs ST {total}");
            // The 95% intervals hold the true indices, and are narrow enough to say something.
            assert!(x.first_lo <= first && first <= x.first_hi, "{x:?}: S1 {first} outside its interval");
            assert!(x.total_lo <= total && total <= x.total_hi, "{x:?}: ST {total} outside its interval");
            assert!(
                x.first_hi - x.first_lo < 0.2 && x.total_hi - x.total_lo < 0.2,
                "{x:?}: intervals too wide to test"
            );
        }
    }
}

#[test]
fn sobol_screening_writes_its_indices() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("sobol");
    pactsim()
        .args([
            "sensitivity",
            "scenarios/finland_sweden.toml",
            "--method",
            "sobol",
            "--vary",
            "model.bloc_threat=0..1",
            "--vary",
            "pact.NATO.binding=0.6..1",
            "--samples",
            "16",
            "--runs",
            "30",
            "--quiet",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    assert!(out.join("charts/sobol.png").is_file());
    let rows = read_csv(&out.join("sobol.csv"));
    let swe: Vec<_> = rows.iter().filter(|r| r["state"] == "SWE" && r["pact"] == "NATO").collect();
    assert_eq!(swe.len(), 2, "{rows:?}");
    assert_eq!(json(&out.join("sweep.json"))["variants"].as_array().unwrap().len(), 16 * 4);
}

#[test]
fn latin_hypercube_puts_one_point_in_each_stratum_and_its_shards_merge() {
    let tmp = tempfile::tempdir().unwrap();
    let sweep = |extra: &[&str], out: &Path| {
        pactsim()
            .args([
                "sweep",
                "scenarios/finland_sweden.toml",
                "--design",
                "lhs",
                "--samples",
                "10",
                "--vary",
                "model.temperature=0.05..0.45",
                "--vary",
                "model.bloc_threat=0..1",
                "--runs",
                "20",
                "--quiet",
            ])
            .args(extra)
            .arg("--out")
            .arg(out)
            .assert()
            .success();
    };
    let whole = tmp.path().join("whole");
    sweep(&[], &whole);
    let manifest = json(&whole.join("sweep.json"));
    assert_eq!(manifest["design"], "lhs");
    let variants = manifest["variants"].as_array().unwrap();
    assert_eq!(variants.len(), 10);
    for (d, (lo, hi)) in [(0, (0.05, 0.45)), (1, (0.0, 1.0))] {
        let mut strata: Vec<usize> = variants
            .iter()
            .map(|v| (((v["values"][d].as_f64().unwrap() - lo) / (hi - lo)) * 10.0).floor() as usize)
            .collect();
        strata.sort();
        assert_eq!(
            strata,
            (0..10).collect::<Vec<_>>(),
            "parameter {d}: one point per tenth of the range"
        );
    }
    let shards: Vec<_> = (0..2).map(|k| tmp.path().join(format!("s{k}"))).collect();
    for (k, dir) in shards.iter().enumerate() {
        sweep(&["--shard", &format!("{k}/2")], dir);
    }
    let merged = tmp.path().join("merged");
    pactsim()
        .args(["merge", "--quiet", "--out"])
        .arg(&merged)
        .args(&shards)
        .assert()
        .success();
    assert_eq!(files(&whole), files(&merged));
}

/// More than two parameters (or two off a grid) are drawn as small multiples; every whole sweep
/// writes sweep.html naming what moves most.
#[test]
fn several_parameters_make_small_multiples_and_a_page() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("three");
    pactsim()
        .args([
            "sweep",
            "scenarios/finland_sweden.toml",
            "--design",
            "sobol",
            "--samples",
            "12",
            "--vary",
            "model.temperature=0.05..0.3",
            "--vary",
            "model.ratification_rate=0.05..0.6",
            "--vary",
            "state.*.support.sensitivity=*0.5..*1.5",
            "--runs",
            "40",
            "--quiet",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    assert!(out.join("charts/multiples.png").is_file());
    let page = std::fs::read_to_string(out.join("sweep.html")).unwrap();
    assert!(page.contains("<h1>Sweep of Finland and Sweden join NATO</h1>"), "{page}");
    assert!(page.contains("multiples.png"));
    // Text quoted with backticks is written as code, never as literal backticks.
    assert!(!page.contains('`'), "{page}");
    assert!(page.contains("<code>pactsim merge</code>"), "{page}");
    // The pair that moves most is named with where it is lowest and highest.
    let rows = read_csv(&out.join("sweep.csv"));
    let swe: Vec<f64> = rows
        .iter()
        .filter(|r| r["pact"] == "NATO" && r["state"] == "SWE")
        .map(|r| r["p_final"].parse().unwrap())
        .collect();
    let (lo, hi) = swe.iter().fold((1.0f64, 0.0f64), |(a, b), &p| (a.min(p), b.max(p)));
    assert!(hi - lo > 0.3, "Sweden moves over these ranges: {swe:?}");
    assert!(page.contains(&format!("P(SWE in NATO at the end) moves from {lo:.3}")), "{page}");
    assert!(page.contains(&format!("to {hi:.3}")), "{page}");
}

/// `--outcome` keeps the named outcomes only, and names what would be valid when it is wrong.
#[test]
fn sensitivity_reports_only_the_outcomes_asked_for() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("one");
    pactsim()
        .args([
            "sensitivity",
            "scenarios/finland_sweden.toml",
            "--vary",
            "model.temperature=0.05..0.3",
            "--vary",
            "model.ratification_rate=0.1..0.6",
            "--outcome",
            "NATO.SWE.p_final",
            "--runs",
            "40",
            "--no-charts",
            "--quiet",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    let rows = read_csv(&out.join("sensitivity.csv"));
    assert!(!rows.is_empty());
    assert!(rows.iter().all(|r| r["pact"] == "NATO" && r["state"] == "SWE"), "{rows:?}");
    for (outcome, expect) in [
        ("NATO.XXX.p_final", "no state `XXX`"),
        ("NAT.p_formed", "no pact `NAT`"),
        ("NATO.SWE", "write PACT.STATE.p_final or PACT.p_formed"),
    ] {
        let assert = pactsim()
            .args([
                "sensitivity",
                "scenarios/finland_sweden.toml",
                "--vary",
                "model.temperature=0.1..0.2",
                "--runs",
                "5",
            ])
            .args(["--outcome", outcome])
            .assert()
            .failure()
            .code(1);
        let stderr = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
        assert!(stderr.contains(expect), "{outcome}: {stderr}");
    }
}

/// The marker of a result directory with its `command` blanked: a merge and a whole run of the
/// same result carry the same identity and file list, and differ only in the command that made them.
fn without_command(out: &mut std::collections::BTreeMap<String, Vec<u8>>) {
    if let Some(bytes) = out.get_mut(".pactsim.json") {
        let mut m: serde_json::Value = serde_json::from_slice(bytes).unwrap();
        m["command"] = serde_json::Value::Null;
        *bytes = serde_json::to_vec(&m).unwrap();
    }
}
