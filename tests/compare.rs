//! `pactsim compare`: variants from files, from `--variant` changes and from run directories,
//! with differences checked on fixtures whose answer is known (tests/fixtures/compare_*.toml:
//! at temperature 0, A joins P in every replicate of compare_join and in none of compare_stay).

use std::path::Path;

use assert_cmd::Command;

fn pactsim() -> Command {
    Command::cargo_bin("pactsim").unwrap()
}

const JOIN: &str = "tests/fixtures/compare_join.toml";
const STAY: &str = "tests/fixtures/compare_stay.toml";

/// compare.csv as (variant_a, variant_b, pact, state, p_a, p_b, difference) rows.
fn rows(dir: &Path) -> Vec<(String, String, String, String, f64, f64, f64)> {
    let text = std::fs::read_to_string(dir.join("compare.csv")).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next().unwrap(),
        "variant_a,variant_b,pact,state,p_final_a,p_final_b,difference"
    );
    lines
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            assert_eq!(f.len(), 7, "{l}");
            (
                f[0].to_string(),
                f[1].to_string(),
                f[2].to_string(),
                f[3].to_string(),
                f[4].parse().unwrap(),
                f[5].parse().unwrap(),
                f[6].parse().unwrap(),
            )
        })
        .collect()
}

/// The known answer: A leaves P's membership (1 → 0), B and C do not change; largest first.
fn assert_known_answer(dir: &Path, a: &str, b: &str) {
    let r = rows(dir);
    let s = |x: &str| x.to_string();
    assert_eq!(
        r,
        vec![
            (s(a), s(b), s("P"), s("A"), 1.0, 0.0, -1.0),
            (s(a), s(b), s("P"), s("B"), 1.0, 1.0, 0.0),
            (s(a), s(b), s("P"), s("C"), 0.0, 0.0, 0.0),
        ]
    );
}

fn compare(args: &[&str], out: &Path) -> String {
    let assert = pactsim().arg("compare").args(args).arg("--out").arg(out).assert().success();
    String::from_utf8(assert.get_output().stdout.clone()).unwrap()
}

fn assert_page(dir: &Path, pact: &str) {
    for stem in ["difference".to_string(), "pact_size".to_string(), format!("membership_{pact}")] {
        for ext in ["png", "svg"] {
            let f = dir.join("charts").join(format!("{stem}.{ext}"));
            assert!(f.is_file() && f.metadata().unwrap().len() > 500, "{} missing", f.display());
        }
    }
    let html = std::fs::read_to_string(dir.join("compare.html")).unwrap();
    for (i, _) in html.match_indices("src=\"").chain(html.match_indices("href=\"")) {
        let value = html[i..].split('"').nth(1).unwrap();
        assert!(!value.contains("://") && !value.starts_with('/'), "{value}");
        assert!(dir.join(value).is_file(), "compare.html links to missing {value}");
    }
}

#[test]
fn two_files() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("cmp");
    let stdout = compare(&[JOIN, STAY], &out);
    assert_known_answer(&out, "compare_join", "compare_stay");
    assert!(stdout.contains("common random numbers"), "{stdout}");
    assert!(stdout.contains("P            A          1.000 -> 0.000 (-1.000)"), "{stdout}");
    assert_page(&out, "P");
    let html = std::fs::read_to_string(out.join("compare.html")).unwrap();
    assert!(html.contains("Common random numbers"), "the page says the variants share seeds");
    for v in ["compare_join", "compare_stay"] {
        for f in ["summary.json", "tally.json", "scenario.resolved.toml"] {
            assert!(out.join("variants").join(v).join(f).is_file(), "{v}/{f}");
        }
    }
}

#[test]
fn one_file_with_a_variant_gives_the_same_answer() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("cmp");
    compare(&[JOIN, "--variant", "low-gain:pact.P.issue_gain=0.1"], &out);
    assert_known_answer(&out, "compare_join", "low-gain");
    let html = std::fs::read_to_string(out.join("compare.html")).unwrap();
    assert!(html.contains("<code>pact.P.issue_gain=0.1</code>"), "the page lists the change");
    assert_page(&out, "P");
}

#[test]
fn run_directories_give_the_same_answer() {
    let tmp = tempfile::tempdir().unwrap();
    for (file, name) in [(JOIN, "join"), (STAY, "stay")] {
        pactsim()
            .args(["run", file, "--runs", "20", "--out"])
            .arg(tmp.path().join(name))
            .assert()
            .success();
    }
    let out = tmp.path().join("cmp");
    let (a, b) = (tmp.path().join("join"), tmp.path().join("stay"));
    compare(&[a.to_str().unwrap(), b.to_str().unwrap()], &out);
    assert_known_answer(&out, "join", "stay");
    assert_page(&out, "P");
}

#[test]
fn a_change_that_changes_nothing_gives_zero_differences() {
    // Common random numbers: the same seed and replicate streams in both variants, so a variant
    // that sets a value to what it already is reproduces the baseline exactly, replicate by replicate.
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("cmp");
    compare(
        &[
            "scenarios/finland_sweden.toml",
            "--runs",
            "40",
            "--variant",
            "same:model.temperature=0.12,scenario.name=\"renamed\"",
            "--variant",
            "no-invasion:event.invasion.enabled=false",
        ],
        &out,
    );
    let r = rows(&out);
    let same: Vec<_> = r.iter().filter(|x| x.1 == "same").collect();
    assert!(!same.is_empty());
    assert!(same.iter().all(|x| x.6 == 0.0 && x.4 == x.5), "{same:?}");
    // Without the invasion, Finland's NATO membership changes.
    let fin = r.iter().find(|x| x.1 == "no-invasion" && x.2 == "NATO" && x.3 == "FIN").unwrap();
    assert!(fin.6 < -0.5, "{fin:?}");
    // Differences are sorted largest first within each variant.
    let no: Vec<f64> = r.iter().filter(|x| x.1 == "no-invasion").map(|x| x.6.abs()).collect();
    assert!(no.windows(2).all(|w| w[0] >= w[1]), "{no:?}");
    assert_page(&out, "NATO");
}

#[test]
fn default_output_directory_is_named_after_the_variants() {
    let tmp = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    pactsim()
        .current_dir(tmp.path())
        .arg("compare")
        .arg(root.join(JOIN))
        .args(["--variant", "low:pact.P.issue_gain=0.1", "--runs", "5"])
        .assert()
        .success();
    let out = tmp.path().join("output").join("compare-compare_join-low");
    assert!(out.join("compare.csv").is_file());
    assert!(out.join("compare.html").is_file());
    // Written atomically: nothing else in output/ but the index of results.
    let mut names: Vec<String> = std::fs::read_dir(tmp.path().join("output"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["compare-compare_join-low", "runs.csv"]);
}

#[test]
fn bad_input_is_an_error_not_a_panic() {
    let tmp = tempfile::tempdir().unwrap();
    let cases: Vec<(Vec<String>, &str)> = vec![
        (vec![JOIN.into()], "at least two variants"),
        (vec![JOIN.into(), "--variant".into(), "nocolon".into()], "expected NAME:KEY=VALUE"),
        (vec![JOIN.into(), "--variant".into(), "x:pact.Q.binding=1".into()], "variant x"),
        (
            vec![JOIN.into(), STAY.into(), "--variant".into(), "x:a.b=1".into()],
            "exactly one scenario file",
        ),
        (vec![JOIN.into(), tmp.path().to_str().unwrap().into()], "not a run directory"),
        (vec![JOIN.into(), "tests/fixtures/no_such_file.toml".into()], "no_such_file"),
        (
            vec![JOIN.into(), STAY.into(), "--runs".into(), "0".into()],
            "--runs must be at least 1",
        ),
    ];
    for (args, expect) in cases {
        let assert = pactsim()
            .arg("compare")
            .args(&args)
            .arg("--out")
            .arg(tmp.path().join("x"))
            .assert()
            .failure();
        let stderr = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
        assert!(stderr.starts_with("error: "), "{args:?}: {stderr}");
        assert!(stderr.contains(expect), "{args:?}: expected `{expect}` in {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
}
