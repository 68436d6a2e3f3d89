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
    for (args, expect) in [
        (vec!["--budget", "3"], "give at least 4"),
        (vec!["--method", "abc", "--particles", "5"], "give at least 10"),
        (vec!["--method", "abc", "--particles", "50", "--budget", "60"], "give at least 100"),
        (vec!["--method", "abc", "--epsilon", "0"], "give a positive distance"),
        (vec!["--method", "cmaes"], "possible values: nelder-mead, abc"),
    ] {
        let assert = pactsim()
            .args([
                "fit",
                "scenarios/finland_sweden.toml",
                "--vary",
                "model.temperature=0.1..0.3",
                "--runs",
                "5",
            ])
            .args(&args)
            .assert()
            .failure();
        let stderr = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
        assert!(stderr.contains(expect), "{args:?}: {stderr}");
    }
}

/// ABC: every particle of the posterior is within the tolerance it reports, the posterior
/// narrows what the targets constrain, and its files and charts are written; the same command
/// gives the same posterior.
#[test]
fn abc_gives_a_posterior_within_its_tolerance_and_is_reproducible() {
    let tmp = tempfile::tempdir().unwrap();
    let fit = |out: &Path| {
        pactsim()
            .args([
                "fit",
                "scenarios/finland_sweden.toml",
                "--method",
                "abc",
                "--vary",
                "state.SWE.support.threshold=0.6..0.95",
                "--vary",
                "pact.NORDEFCO.issue_gain=0.1..0.5",
                "--particles",
                "40",
                "--budget",
                "400",
                "--runs",
                "60",
                "--quiet",
                "--out",
            ])
            .arg(out)
            .assert()
            .success();
    };
    let out = tmp.path().join("abc");
    fit(&out);
    let fit_json = json(&out.join("fit.json"));
    let posterior = &fit_json["posterior"];
    let epsilon = posterior["epsilon"].as_f64().unwrap();
    let generations = posterior["generations"].as_array().unwrap();
    assert!(generations.len() >= 2, "{posterior}");
    // Tolerances shrink generation by generation (generation 0 is the prior: no tolerance).
    let eps: Vec<f64> = generations[1..].iter().map(|g| g["epsilon"].as_f64().unwrap()).collect();
    assert!(eps.windows(2).all(|w| w[1] < w[0]), "{eps:?}");
    assert_eq!(eps.last().copied(), Some(epsilon));
    let mut rdr = csv::Reader::from_path(out.join("posterior.csv")).unwrap();
    let rows: Vec<csv::StringRecord> = rdr.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), 40);
    let mut total = 0.0;
    for r in &rows {
        let threshold: f64 = r[1].parse().unwrap();
        assert!((0.6..=0.95).contains(&threshold));
        total += r[3].parse::<f64>().unwrap();
        assert!(
            r[4].parse::<f64>().unwrap() <= epsilon + 1e-9,
            "a particle beyond the tolerance: {r:?}"
        );
    }
    assert!((total - 1.0).abs() < 1e-6, "weights sum to {total}");
    // Sweden's threshold decides its application date (a target with a month's tolerance); the
    // gain of Nordic cooperation (NORDEFCO, which both stay in) decides nothing the targets see.
    let marginals = posterior["marginals"].as_array().unwrap();
    let share = |i: usize| marginals[i]["width_share"].as_f64().unwrap();
    assert!(share(0) < share(1), "{marginals:?}");
    for f in [
        "fit.csv",
        "fitted.toml",
        "charts/pairs.png",
        "charts/targets.png",
        "charts/pairs.svg",
    ] {
        assert!(out.join(f).is_file(), "{f}");
    }
    let again = tmp.path().join("again");
    fit(&again);
    assert_eq!(
        std::fs::read(out.join("posterior.csv")).unwrap(),
        std::fs::read(again.join("posterior.csv")).unwrap()
    );
}
