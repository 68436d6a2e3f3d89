//! `pactsim fit`: searches the ranges for values that bring the runs closer to the targets, and
//! what it writes reproduces what it reports.

use std::path::Path;

use assert_cmd::Command;

fn pactsim() -> Command {
    Command::cargo_bin("pactsim").unwrap()
}

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn a_fit_never_ends_further_from_the_targets_and_its_fitted_scenario_reproduces_it() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("fit");
    pactsim()
        .args([
            "fit",
            "scenarios/finland_sweden.toml",
            "--vary",
            "model.grievance_decay=0.005..0.04",
            "--vary",
            "model.ratification_rate=0.1..0.6",
            "--budget",
            "16",
            "--runs",
            "100",
            "--quiet",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    let fit = json(&out.join("fit.json"));
    let (before, after) = (fit["distance_before"].as_f64().unwrap(), fit["distance_after"].as_f64().unwrap());
    assert!(after <= before, "{before} -> {after}");
    let points = std::fs::read_to_string(out.join("fit.csv")).unwrap();
    let rows = points.lines().count() - 1;
    assert!((8..=16).contains(&rows), "{rows} points for a budget of 16");
    // fitted.toml is a scenario with the fitted values in place: run on the same replicates it
    // gives the targets the fit reports.
    let run = tmp.path().join("run");
    pactsim()
        .args(["run"])
        .arg(out.join("fitted.toml"))
        .args([
            "--runs",
            "100",
            "--seed",
            "2022",
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
    assert_eq!(summary["targets"], fit["targets_after"]);
    let text = std::fs::read_to_string(out.join("fitted.toml")).unwrap();
    assert!(
        text.starts_with("# Finland and Sweden join NATO with fitted values"),
        "{}",
        &text[..200]
    );
    assert!(text.contains("(searched 0.005 .. 0.04)"));
}

#[test]
fn a_fit_needs_targets_and_ranges() {
    let assert = pactsim()
        .args(["fit", "scenarios/taiwan_escalation.toml", "--vary", "model.temperature=0.1..0.3"])
        .assert()
        .failure()
        .code(1);
    let stderr = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
    assert!(stderr.contains("has no [[target]]"), "{stderr}");
    let assert = pactsim()
        .args(["fit", "scenarios/finland_sweden.toml", "--vary", "model.temperature=0.1,0.3"])
        .assert()
        .failure()
        .code(1);
    let stderr = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
    assert!(stderr.contains("give LO..HI"), "{stderr}");
}
