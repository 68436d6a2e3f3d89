//! Every kind of bad input gives exit code 1 and one clear message that names the file, where
//! in it (line and column, or the key path) and what would be valid — never a panic.

use std::path::Path;

use assert_cmd::Command;

const MINIMAL: &str = include_str!("fixtures/minimal.toml");

/// Writes `text` as a scenario file, runs `pactsim check` on it and returns stderr.
fn check_fails(text: &str, extra: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.toml");
    std::fs::write(&path, text).unwrap();
    check_path_fails(&path, extra)
}

fn check_path_fails(path: &Path, extra: &[&str]) -> String {
    let out = Command::cargo_bin("pactsim")
        .unwrap()
        .arg("check")
        .arg(path)
        .args(extra)
        .output()
        .unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(1), "expected exit code 1, stderr: {stderr}");
    assert!(out.stdout.is_empty(), "nothing on stdout when failing");
    assert!(stderr.starts_with("error: "), "{stderr}");
    assert!(!stderr.contains("panicked") && !stderr.contains("stack backtrace"), "{stderr}");
    stderr
}

fn replace(from: &str, to: &str) -> String {
    assert!(MINIMAL.contains(from), "fixture lacks {from:?}");
    MINIMAL.replacen(from, to, 1)
}

#[test]
fn the_fixture_itself_is_valid() {
    Command::cargo_bin("pactsim")
        .unwrap()
        .arg("check")
        .arg("tests/fixtures/minimal.toml")
        .assert()
        .success();
}

#[test]
fn syntax_error_shows_line_column_and_caret() {
    let e = check_fails(&replace("rounds = 12", "rounds = "), &[]);
    assert!(e.contains("bad.toml") && e.contains("line 5") && e.contains('^'), "{e}");
}

#[test]
fn wrong_type() {
    let e = check_fails(&replace("rounds = 12", "rounds = \"twelve\""), &[]);
    assert!(e.contains("bad.toml") && e.contains("line 5") && e.contains("expected"), "{e}");
}

#[test]
fn unknown_key_lists_the_valid_ones() {
    let e = check_fails(&replace("neutrality = 0.2", "neutralty = 0.2"), &[]);
    assert!(
        e.contains("line 13") && e.contains("unknown field `neutralty`") && e.contains("`neutrality`"),
        "{e}"
    );
}

#[test]
fn unknown_state_in_a_pact() {
    let e = check_fails(&replace("members = [\"BBB\"]", "members = [\"BBC\"]"), &[]);
    assert!(e.contains("pact.ALLY.members[0]") && e.contains("unknown state `BBC`"), "{e}");
    assert!(e.contains("did you mean `BBB`?") && e.contains("line 36"), "{e}");
}

#[test]
fn unknown_state_in_an_event() {
    let e = check_fails(
        &replace("between = [\"AAA\", \"RRR\"], to", "between = [\"AAA\", \"ZZZ\"], to"),
        &[],
    );
    assert!(
        e.contains("event.war.change.0.between[1]") && e.contains("unknown state `ZZZ`") && e.contains("line 43"),
        "{e}"
    );
}

#[test]
fn duplicate_id() {
    let e = check_fails(&replace("id = \"BBB\"", "id = \"AAA\""), &[]);
    assert!(e.contains("duplicate state id `AAA`") && e.contains("line 18"), "{e}");
}

#[test]
fn value_out_of_range_names_the_key_and_the_range() {
    let e = check_fails(&replace("neutrality = 0.2", "neutrality = 1.5"), &[]);
    assert!(
        e.contains("state.AAA.neutrality") && e.contains("1.5 is out of range: must be from 0 to 1"),
        "{e}"
    );
    assert!(e.contains("line 13, column 14"), "the value's place in the file: {e}");
}

#[test]
fn a_capability_beyond_the_largest_is_rejected() {
    let e = check_fails(&replace("capability = 0.01", "capability = 1e61"), &[]);
    assert!(e.contains("state.AAA.capability") && e.contains("at most 1e60"), "{e}");
}

#[test]
fn nan_is_rejected() {
    let e = check_fails(&replace("capability = 0.01", "capability = nan"), &[]);
    assert!(e.contains("state.AAA.capability") && e.contains("NaN"), "{e}");
    let e = check_fails(&replace("hostility = 0.3", "hostility = nan"), &[]);
    assert!(
        e.contains("relation.AAA-RRR.hostility") && e.contains("finite") && e.contains("line 29"),
        "{e}"
    );
}

#[test]
fn event_after_the_last_round() {
    let e = check_fails(&replace("date = \"2022-04\"", "date = \"2023-06\""), &[]);
    assert!(
        e.contains("event.war") && e.contains("round 18") && e.contains("rounds 1 to 12") && e.contains("line 42"),
        "{e}"
    );
    let e = check_fails(&replace("date = \"2022-04\"", "round = 13"), &[]);
    assert!(e.contains("round 13") && e.contains("rounds 1 to 12"), "{e}");
}

#[test]
fn several_problems_are_reported_together() {
    let text = replace("neutrality = 0.2", "neutrality = 2.0").replacen("members = [\"BBB\"]", "members = [\"XXX\"]", 1);
    let e = check_fails(&text, &[]);
    assert!(e.contains("state.AAA.neutrality") && e.contains("unknown state `XXX`"), "{e}");
}

#[test]
fn bad_choice_lists_the_valid_ones() {
    let e = check_fails(&replace("admission = \"unanimity\"", "admission = \"unanimous\""), &[]);
    assert!(e.contains("did you mean `unanimity`?") && e.contains("`majority`"), "{e}");
}

#[test]
fn bad_set_paths_list_what_is_valid() {
    let fixture = Path::new("tests/fixtures/minimal.toml");
    let e = check_path_fails(fixture, &["--set", "state.AAB.neutrality=0.5"]);
    assert!(
        e.contains("--set state.AAB.neutrality=0.5") && e.contains("did you mean `AAA`?"),
        "{e}"
    );
    let e = check_path_fails(fixture, &["--set", "state.AAA.neutralty=0.5"]);
    assert!(e.contains("unknown field `neutralty`") && e.contains("`neutrality`"), "{e}");
    let e = check_path_fails(fixture, &["--set", "model.temperature=warm"]);
    assert!(e.contains("not a number"), "{e}");
    let e = check_path_fails(fixture, &["--set", "modle.temperature=0.2"]);
    assert!(e.contains("did you mean `model`?"), "{e}");
    let e = check_path_fails(fixture, &["--set", "state.AAA.neutrality=7"]);
    assert!(e.contains("state.AAA.neutrality") && e.contains("out of range"), "{e}");
    let e = check_path_fails(fixture, &["--set", "temperature"]);
    assert!(e.contains("KEY=VALUE"), "{e}");
}

#[test]
fn missing_file() {
    let e = check_path_fails(Path::new("no/such/scenario.toml"), &[]);
    assert!(e.contains("no/such/scenario.toml") && e.contains("No such file"), "{e}");
}

#[test]
fn a_nuclear_pact_must_name_its_guarantor() {
    let e = check_fails(&replace("rivals = [\"RRR\"]", "rivals = [\"RRR\"]\nnuclear = true"), &[]);
    assert!(
        e.contains("bad.toml") && e.contains("pact.ALLY.nuclear") && e.contains("guarantor = "),
        "{e}"
    );
    let e = check_fails(&replace("rivals = [\"RRR\"]", "rivals = [\"RRR\"]\nguarantor = \"USA\""), &[]);
    assert!(e.contains("pact.ALLY.guarantor") && e.contains("USA"), "{e}");
}

#[test]
fn a_bad_set_value_names_the_set_and_what_would_be_valid() {
    let fixture = Path::new("tests/fixtures/minimal.toml");
    // Out of range: the --set, not "the file is not a valid scenario".
    let e = check_path_fails(fixture, &["--set", "state.AAA.neutrality=7"]);
    assert_eq!(
        e.trim_end(),
        "error: --set state.AAA.neutrality=7: 7 is out of range: must be from 0 to 1"
    );
    let e = check_path_fails(fixture, &["--set", "state.AAA.neutrality=abc"]);
    assert_eq!(
        e.trim_end(),
        "error: --set state.AAA.neutrality=abc: `abc` is not a number, and state.AAA.neutrality takes one"
    );
    // A value inside the one set: its own key is named too.
    let e = check_path_fails(fixture, &["--set", "pact.ALLY.members=[\"BBB\", \"XXX\"]"]);
    assert!(
        e.starts_with("error: --set pact.ALLY.members=[\"BBB\", \"XXX\"]: pact.ALLY.members[1]: unknown state `XXX`")
            && e.contains("valid: `AAA`, `BBB`, `RRR`"),
        "{e}"
    );
    // A choice lists the valid ones; a relation can be named either way round.
    let e = check_path_fails(fixture, &["--set", "pact.ALLY.admission=unanimous"]);
    assert!(
        e.starts_with("error: --set pact.ALLY.admission=unanimous: ") && e.contains("did you mean `unanimity`?"),
        "{e}"
    );
    let e = check_path_fails(fixture, &["--set", "relation.RRR-AAA.hostility=2"]);
    assert!(
        e.starts_with("error: --set relation.RRR-AAA.hostility=2: ") && e.contains("from -1 to 1"),
        "{e}"
    );
    // Wrong types, in words.
    for (set, says) in [
        ("scenario.rounds=1.5", "`1.5` is not a whole number, and scenario.rounds takes one"),
        ("model.temperature=true", "`true` is not a number"),
        ("model.temperature=[1]", "`[1]` is not a number"),
        ("scenario.name=2022", "scenario.name takes text"),
        ("pact.ALLY.size_limit=-3", "expected a whole number"),
        ("pact.ALLY.new=1", "takes true or false"),
    ] {
        let e = check_path_fails(fixture, &["--set", set]);
        assert!(e.starts_with(&format!("error: --set {set}: ")) && e.contains(says), "{set}: {e}");
    }
    // A problem the file has besides: the file is named, with the --set.
    let e = check_path_fails(fixture, &["--set", "state.AAA.neutrality=7", "--set", "scenario.rounds=2"]);
    assert!(
        e.contains("minimal.toml with --set state.AAA.neutrality=7 --set scenario.rounds=2 is not a valid scenario")
            && e.contains("  --set state.AAA.neutrality=7: 7 is out of range")
            && e.contains("  event.war: "),
        "{e}"
    );
}

#[test]
fn a_date_set_bare_is_a_date() {
    let fixture = Path::new("tests/fixtures/minimal.toml");
    Command::cargo_bin("pactsim")
        .unwrap()
        .args(["check", "tests/fixtures/minimal.toml", "--set", "event.war.date=2022-03-15"])
        .assert()
        .success();
    let e = check_path_fails(fixture, &["--set", "event.war.date=2023-03-15"]);
    assert!(
        e.starts_with("error: --set event.war.date=2023-03-15: event.war") && e.contains("rounds 1 to 12"),
        "{e}"
    );
}

#[test]
fn control_characters_in_a_set_are_refused_naming_the_key() {
    let fixture = Path::new("tests/fixtures/minimal.toml");
    // A newline used to cut the value silently (the rest ignored, exit code 0).
    let e = check_path_fails(fixture, &["--set", "state.AAA.neutrality=0.5\nmodel.temperature=5"]);
    assert_eq!(
        e.trim_end(),
        "error: --set state.AAA.neutrality=0.5\\nmodel.temperature=5: the value has a control character (a newline), which no value takes: a --set is one KEY=VALUE on one line; give each change its own --set"
    );
    let e = check_path_fails(fixture, &["--set", "scenario.name=a\u{1b}[31mred"]);
    assert!(
        e.starts_with("error: --set scenario.name=a\\u{1b}[31mred: the value has a control character (an escape, U+001B)"),
        "{e}"
    );
    let e = check_path_fails(fixture, &["--set", "scenario.na\rme=x"]);
    assert!(e.contains("the key has a control character (a carriage return)"), "{e}");
    // A NUL cannot be passed as an argument: through the library.
    let source = pactsim::scenario::Source {
        path: "minimal.toml".into(),
        text: MINIMAL.to_string(),
    };
    let e = pactsim::scenario::from_source(&source, &["scenario.name=a\0b".to_string()])
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        "--set scenario.name=a\\0b: the value has a control character (a NUL), which no value takes"
    );
    // A tab is only white space.
    assert!(pactsim::scenario::from_source(&source, &["model.temperature=\t0.2".to_string()]).is_ok());
    // --vary alike.
    let out = Command::cargo_bin("pactsim")
        .unwrap()
        .args([
            "sweep",
            "tests/fixtures/minimal.toml",
            "--vary",
            "model.temperature=0.1,0.2\n0.3",
            "--runs",
            "2",
        ])
        .output()
        .unwrap();
    let e = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(1), "{e}");
    assert!(
        e.starts_with("error: --vary model.temperature=0.1,0.2\\n0.3: it has a control character (a newline)"),
        "{e}"
    );
}
