//! Long jobs say how far they are on stderr even when it is not a terminal (a log file, CI):
//! a plain line at most every 10 s — here every 0 s, through the hidden PACTSIM_PROGRESS_SECS —
//! and nothing with --quiet. (assert_cmd's stderr is a pipe, not a terminal.)

mod common;

use assert_cmd::Command;

fn pactsim(args: &[&str], interval: &str) -> (String, String) {
    let out = Command::cargo_bin("pactsim")
        .unwrap()
        .current_dir(common::root())
        .env("PACTSIM_PROGRESS_SECS", interval)
        .args(args)
        .output()
        .unwrap();
    let (stdout, stderr) = (String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap());
    assert!(out.status.success(), "{args:?}: {stderr}");
    (stdout, stderr)
}

/// Each long command, with a small job, and the unit its progress counts.
fn jobs(dir: &std::path::Path) -> Vec<(Vec<String>, &'static str)> {
    let fs = common::scenario_path("finland_sweden.toml").display().to_string();
    let out = |name: &str| dir.join(name).display().to_string();
    let v = |args: &[&str]| args.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    vec![
        (
            v(&["run", &fs, "--runs", "300", "--no-charts", "--decisions", "0", "--out", &out("run")]),
            "replicates",
        ),
        (
            v(&[
                "sweep",
                &fs,
                "--vary",
                "model.temperature=0.1,0.2",
                "--runs",
                "100",
                "--no-charts",
                "--out",
                &out("sweep"),
            ]),
            "replicates",
        ),
        (
            v(&[
                "sensitivity",
                &fs,
                "--vary",
                "model.temperature=0.05..0.4",
                "--vary",
                "model.bloc_threat=0..1",
                "--trajectories",
                "2",
                "--runs",
                "50",
                "--no-charts",
                "--out",
                &out("sensitivity"),
            ]),
            "replicates",
        ),
        (
            v(&[
                "fit",
                &fs,
                "--vary",
                "model.grievance_decay=0.005..0.04",
                "--budget",
                "4",
                "--runs",
                "50",
                "--no-charts",
                "--out",
                &out("fit"),
            ]),
            "points",
        ),
        (
            v(&[
                "backtest",
                "--region",
                "europe",
                "--from",
                "1960",
                "--to",
                "1961",
                "--horizon",
                "2",
                "--runs",
                "10",
                "--no-charts",
                "--out",
                &out("backtest"),
            ]),
            "start years",
        ),
    ]
}

#[test]
fn without_a_terminal_long_jobs_print_plain_progress_lines() {
    let dir = tempfile::tempdir().unwrap();
    for (args, unit) in jobs(dir.path()) {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (_, stderr) = pactsim(&args, "0");
        let line = stderr
            .lines()
            .find(|l| l.starts_with("pactsim: "))
            .unwrap_or_else(|| panic!("{}: no progress line in {stderr:?}", args[0]));
        assert!(line.contains(&format!(" {unit} (")) && line.contains('%'), "{}: {line}", args[0]);
        // Plain lines: no terminal escapes, no carriage returns.
        assert!(!stderr.contains('\r') && !stderr.contains('\u{1b}'), "{}: {stderr:?}", args[0]);
    }
}

#[test]
fn quiet_prints_nothing_and_the_default_interval_waits() {
    let dir = tempfile::tempdir().unwrap();
    for (args, _) in jobs(dir.path()) {
        let mut quiet: Vec<&str> = args.iter().map(String::as_str).collect();
        quiet.push("--quiet");
        let (stdout, stderr) = pactsim(&quiet, "0");
        assert!(stdout.is_empty() && stderr.is_empty(), "{}: {stdout:?} {stderr:?}", args[0]);
    }
    // At the default interval (10 s) a job of a second prints no progress line.
    let fs = common::scenario_path("finland_sweden.toml").display().to_string();
    let out = dir.path().join("short").display().to_string();
    let (_, stderr) = pactsim(&["run", &fs, "--runs", "100", "--no-charts", "--out", &out], "10");
    assert!(!stderr.contains("pactsim: "), "{stderr}");
}

#[test]
fn the_era_split_counts_every_backtest_it_runs() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("era").display().to_string();
    let args = [
        "backtest",
        "--region",
        "europe",
        "--fit-era",
        "1900-1900",
        "--test-era",
        "1950-1950",
        "--horizon",
        "1",
        "--runs",
        "5",
        "--no-charts",
        "--out",
        &out,
    ];
    let (_, stderr) = pactsim(&args, "0");
    // 12 grid points on one fit year and the test year twice: 14 start years in one count.
    assert!(stderr.contains("fit era 1900-1900, point 1/12"), "{stderr}");
    assert!(stderr.contains("test era 1950-1950, fitted: "), "{stderr}");
    assert!(stderr.contains("/14 start years"), "{stderr}");
}
