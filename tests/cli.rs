//! The command-line contract: run, check, list and --help.

use assert_cmd::Command;

fn pactsim() -> Command {
    Command::cargo_bin("pactsim").unwrap()
}

#[test]
fn run_writes_every_output_and_nothing_else_behind() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("runs").join("mini");
    let assert = pactsim()
        .args(["run", "tests/fixtures/minimal.toml", "--runs", "40", "--out"])
        .arg(&out)
        .assert()
        .success();
    let stdout = String::from_utf8(assert.get_output().stdout.clone()).unwrap();
    assert!(stdout.contains("Minimal: 40 replicates of 12 rounds, seed 7"), "{stdout}");
    for f in [
        "summary.json",
        "memberships.csv",
        "decisions.csv",
        "scenario.resolved.toml",
        "tally.json",
    ] {
        assert!(out.join(f).is_file(), "{f} missing");
    }
    // Only the run directory is left in its parent: no staging directory.
    let siblings: Vec<_> = std::fs::read_dir(out.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(siblings, vec![std::ffi::OsString::from("mini")]);

    let summary: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["runs"], 40);
    assert_eq!(summary["seed"], 7);
    assert_eq!(summary["rounds"], 12);
    assert_eq!(summary["scenario_hash"].as_str().unwrap().len(), 64);
    let aaa = &summary["membership"]["ALLY"]["AAA"];
    assert_eq!(aaa["p_by_round"].as_array().unwrap().len(), 13, "rounds + 1 entries");
    assert_eq!(
        summary["membership"]["ALLY"]["BBB"]["p_by_round"][0], 1.0,
        "a founder is a member at round 0"
    );

    let decisions = std::fs::read_to_string(out.join("decisions.csv")).unwrap();
    let header = decisions.lines().next().unwrap();
    assert!(
        header.starts_with("replicate,round,label,state,pact,action,applicant,probability,utility,security,"),
        "{header}"
    );
    // A different run is refused there (another result), and replaces it with --replace.
    pactsim()
        .args(["run", "tests/fixtures/minimal.toml", "--runs", "20", "--out"])
        .arg(&out)
        .assert()
        .failure();
    pactsim()
        .args(["run", "tests/fixtures/minimal.toml", "--runs", "20", "--replace", "--out"])
        .arg(&out)
        .assert()
        .success();
    let again: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(again["runs"], 20);
}

#[test]
fn decisions_flag_limits_the_log() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("d");
    pactsim()
        .args(["run", "tests/fixtures/minimal.toml", "--runs", "30", "--decisions", "2", "--out"])
        .arg(&out)
        .assert()
        .success();
    let text = std::fs::read_to_string(out.join("decisions.csv")).unwrap();
    assert!(text.lines().skip(1).all(|l| l.starts_with("0,") || l.starts_with("1,")));
}

#[test]
fn check_prints_a_summary() {
    let out = pactsim().args(["check", "scenarios/finland_sweden.toml"]).output().unwrap();
    assert!(out.status.success());
    let s = String::from_utf8(out.stdout).unwrap();
    assert!(
        s.contains("16 states") && s.contains("4 pacts") && s.contains("invasion (2022-02)") && s.contains("48 rounds"),
        "{s}"
    );
}

#[test]
fn list_shows_shipped_scenarios_with_descriptions() {
    let out = pactsim().arg("list").output().unwrap();
    assert!(out.status.success());
    let s = String::from_utf8(out.stdout).unwrap();
    assert!(
        s.contains("scenarios/finland_sweden.toml") && s.contains("Finland and Sweden join NATO"),
        "{s}"
    );
    assert!(!s.contains("does not load"), "every shipped scenario loads: {s}");
}

#[test]
fn help_has_examples() {
    for sub in ["run", "check"] {
        let out = pactsim().args([sub, "--help"]).output().unwrap();
        let s = String::from_utf8(out.stdout).unwrap();
        assert!(s.contains("Examples:") || s.contains("Example:"), "{sub}: {s}");
    }
}

#[test]
fn zero_runs_is_an_error_not_a_panic() {
    let out = pactsim()
        .args(["run", "tests/fixtures/minimal.toml", "--runs", "0", "--out", "/tmp/pactsim-never"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8(out.stderr).unwrap().contains("--runs must be at least 1"));
}

/// What `check` prints is part of the contract: snapshot it (update with INSTA_UPDATE=always).
#[test]
fn check_output_snapshot() {
    let out = pactsim().args(["check", "scenarios/finland_sweden.toml"]).output().unwrap();
    insta::assert_snapshot!(String::from_utf8(out.stdout).unwrap());
}

/// A typical bad-input message, whole: file, line, column, key, what is valid.
#[test]
fn bad_input_message_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("typo.toml");
    let text = std::fs::read_to_string("tests/fixtures/minimal.toml")
        .unwrap()
        .replace("members = [\"BBB\"]", "members = [\"BBC\"]")
        .replace("neutrality = 0.2", "neutrality = 1.2");
    std::fs::write(&path, text).unwrap();
    let out = pactsim().current_dir(dir.path()).args(["check", "typo.toml"]).output().unwrap();
    insta::assert_snapshot!(String::from_utf8(out.stderr).unwrap());
}

#[test]
fn generate_writes_a_world_that_checks_and_will_not_overwrite_it() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("world.toml");
    let args = ["generate", "--states", "20", "--pacts", "5", "--rounds", "12", "--seed", "3"];
    pactsim().args(args).arg("--out").arg(&out).assert().success();
    let written = std::fs::read_to_string(&out).unwrap();
    assert!(written.contains("pactsim generate --states 20 --pacts 5 --rounds 12 --seed 3"));
    // Nothing but the file is left behind (no temporary file).
    let entries: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(entries, vec![std::ffi::OsString::from("world.toml")]);
    let check = pactsim().arg("check").arg(&out).assert().success();
    let stdout = String::from_utf8(check.get_output().stdout.clone()).unwrap();
    assert!(stdout.contains("20 states") && stdout.contains("5 pacts"), "{stdout}");
    // Without --out the same bytes go to stdout.
    let printed = pactsim().args(args).assert().success();
    assert_eq!(String::from_utf8(printed.get_output().stdout.clone()).unwrap(), written);
    // An existing file is kept unless --force.
    let again = pactsim().args(args).arg("--out").arg(&out).assert().failure();
    let stderr = String::from_utf8(again.get_output().stderr.clone()).unwrap();
    assert!(stderr.contains("--force"), "{stderr}");
    pactsim().args(args).arg("--out").arg(&out).arg("--force").assert().success();
    assert_eq!(std::fs::read_to_string(&out).unwrap(), written);
}

#[test]
fn generate_rejects_impossible_worlds() {
    for (flag, value, says) in [
        ("--states", "0", "--states 0"),
        ("--states", "501", "500"),
        ("--pacts", "0", "--pacts 0"),
        ("--pacts", "501", "500"),
        ("--rounds", "0", "--rounds 0"),
    ] {
        let a = pactsim().args(["generate", flag, value]).assert().failure();
        let stderr = String::from_utf8(a.get_output().stderr.clone()).unwrap();
        assert!(stderr.contains(says), "{flag} {value}: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}

/// `--no-charts` skips charts/ and report.html; `--quiet` prints nothing; a shard draws no charts
/// unless asked (`pactsim merge` draws them for the whole run), and the results are the same.
#[test]
fn no_charts_quiet_and_shards() {
    let tmp = tempfile::tempdir().unwrap();
    let (plain, bare, shard, shard_charts) = (
        tmp.path().join("plain"),
        tmp.path().join("bare"),
        tmp.path().join("shard"),
        tmp.path().join("shard-charts"),
    );
    let run = |extra: &[&str], out: &std::path::Path| {
        pactsim()
            .args(["run", "tests/fixtures/minimal.toml", "--runs", "40", "--out"])
            .arg(out)
            .args(extra)
            .assert()
            .success()
            .get_output()
            .stdout
            .clone()
    };
    assert!(!run(&[], &plain).is_empty());
    assert!(plain.join("charts").is_dir() && plain.join("report.html").is_file());

    let printed = run(&["--no-charts", "--quiet"], &bare);
    assert!(printed.is_empty(), "--quiet printed {}", String::from_utf8_lossy(&printed));
    assert!(!bare.join("charts").exists() && !bare.join("report.html").exists());
    for f in ["summary.json", "tally.json", "memberships.csv", "decisions.csv"] {
        assert_eq!(std::fs::read(plain.join(f)).unwrap(), std::fs::read(bare.join(f)).unwrap(), "{f}");
    }

    run(&["--shard", "0/2"], &shard);
    assert!(shard.join("tally.json").is_file() && !shard.join("charts").exists());
    run(&["--shard", "0/2", "--charts"], &shard_charts);
    assert!(shard_charts.join("charts").is_dir() && shard_charts.join("report.html").is_file());

    pactsim()
        .args(["run", "tests/fixtures/minimal.toml", "--charts", "--no-charts"])
        .assert()
        .failure();
}

/// At world scale the headline names at most 20 states per pact and counts the rest.
#[test]
fn headline_is_bounded_at_world_scale() {
    let tmp = tempfile::tempdir().unwrap();
    let world = tmp.path().join("world.toml");
    pactsim()
        .args([
            "generate", "--states", "120", "--pacts", "6", "--rounds", "12", "--seed", "3", "--out",
        ])
        .arg(&world)
        .assert()
        .success();
    let out = pactsim()
        .arg("run")
        .arg(&world)
        .args(["--runs", "20", "--decisions", "0", "--no-charts", "--out"])
        .arg(tmp.path().join("run"))
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    let pact_lines: Vec<&str> = text.lines().filter(|l| l.starts_with("  ")).collect();
    assert_eq!(pact_lines.len(), 6, "{text}");
    for line in &pact_lines {
        let cells = line.split(", ").count();
        assert!(cells <= 21, "{cells} cells: {line}");
    }
    assert!(text.contains("more (memberships.csv)"), "no pact had more than 20 states: {text}");
}

/// What a run interrupted by Ctrl-C leaves (its hidden staging directory) is cleared by the next
/// run into the same place; the output directory itself is never half-written.
#[test]
fn an_interrupted_runs_leftovers_are_cleared() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("mini");
    // No process has this id (above Linux's largest pid_max).
    let stale = tmp.path().join(".mini.partial-4294967");
    std::fs::create_dir_all(&stale).unwrap();
    std::fs::write(stale.join("summary.json"), "{").unwrap();
    pactsim()
        .args(["run", "tests/fixtures/minimal.toml", "--runs", "5", "--quiet", "--out"])
        .arg(&out)
        .assert()
        .success();
    if std::path::Path::new("/proc/self").exists() {
        assert!(!stale.exists(), "the abandoned staging directory is removed");
    }
    assert!(out.join("summary.json").is_file());
}
