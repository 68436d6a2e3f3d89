//! Output directories: pactsim replaces only what it wrote, keeps different results apart, and
//! records every result in output/runs.csv. Every case uses real files in a temporary directory
//! and the binary as a user runs it.

use std::fs;
use std::path::Path;

use assert_cmd::Command;
use pactsim::report::outdir::{self, Identity, MARKER};
use pactsim::report::{Destination, Staging};

mod common;

/// A project directory with the scenarios, as a user's clone would have it.
fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("scenarios")).unwrap();
    fs::copy(
        common::scenario_path("finland_sweden.toml"),
        dir.path().join("scenarios/finland_sweden.toml"),
    )
    .unwrap();
    dir
}

fn pactsim(cwd: &Path) -> Command {
    let mut c = Command::cargo_bin("pactsim").unwrap();
    c.current_dir(cwd);
    c
}

const FS: &str = "scenarios/finland_sweden.toml";

/// Runs `pactsim ARGS` in `cwd`; (exit code, stdout, stderr).
fn call(cwd: &Path, args: &[&str]) -> (i32, String, String) {
    let out = pactsim(cwd).args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Every entry of `dir` (names), sorted: to show nothing else appeared or vanished.
fn entries(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn a_directory_of_the_users_files_is_refused_before_any_work_and_kept() {
    let p = project();
    let mydata = p.path().join("mydata");
    fs::create_dir(&mydata).unwrap();
    fs::write(mydata.join("chapter1.tex"), "my thesis").unwrap();
    for cmd in [
        vec!["run", FS, "--runs", "20", "--out", "mydata"],
        vec![
            "sweep",
            FS,
            "--vary",
            "model.temperature=0.1,0.2",
            "--runs",
            "10",
            "--out",
            "mydata",
        ],
        vec![
            "compare",
            FS,
            "--variant",
            "a:model.temperature=0.2",
            "--runs",
            "10",
            "--out",
            "mydata",
        ],
        vec!["explain", FS, "--state", "FIN", "--pact", "NATO", "--runs", "10", "--out", "mydata"],
        vec!["run", FS, "--runs", "20", "--out", "mydata", "--replace"],
    ] {
        let (code, _, err) = call(p.path(), &cmd);
        assert_eq!(code, 1, "{cmd:?} must fail: {err}");
        assert!(err.contains("mydata") && err.contains("chapter1.tex"), "{cmd:?}: {err}");
        assert!(err.contains("--out"), "the error names a way out: {err}");
        assert!(!err.contains("partial"), "the error names the user's path: {err}");
        assert_eq!(fs::read_to_string(mydata.join("chapter1.tex")).unwrap(), "my thesis");
        assert_eq!(entries(&mydata), vec!["chapter1.tex"]);
        // Nothing half-written beside it either.
        assert_eq!(entries(p.path()), vec!["mydata", "scenarios"], "{cmd:?}");
    }
}

#[test]
fn out_naming_a_file_is_refused_and_the_file_survives() {
    let p = project();
    fs::write(p.path().join("afile"), "data").unwrap();
    let (code, _, err) = call(p.path(), &["run", FS, "--runs", "20", "--out", "afile"]);
    assert_eq!(code, 1);
    assert!(err.contains("afile") && err.contains("is a file"), "{err}");
    assert!(!err.contains(".old") && !err.contains("partial"), "{err}");
    assert_eq!(fs::read_to_string(p.path().join("afile")).unwrap(), "data");
    assert_eq!(entries(p.path()), vec!["afile", "scenarios"]);
}

#[test]
fn out_naming_the_results_folder_itself_is_refused() {
    let p = project();
    assert_eq!(call(p.path(), &["run", FS, "--runs", "20", "-q"]).0, 0);
    assert_eq!(call(p.path(), &["run", FS, "--runs", "30", "-q"]).0, 0);
    let before = entries(&p.path().join("output"));
    let (code, _, err) = call(p.path(), &["run", FS, "--runs", "20", "--out", "output"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("did not write"), "{err}");
    assert_eq!(entries(&p.path().join("output")), before);
    assert!(p.path().join("output/finland_sweden/summary.json").is_file());
    assert!(p.path().join("output/finland_sweden-2/summary.json").is_file());
}

fn summary(p: &Path, dir: &str) -> serde_json::Value {
    serde_json::from_str(&fs::read_to_string(p.join(dir).join("summary.json")).unwrap()).unwrap()
}

#[test]
fn different_results_go_to_numbered_directories_and_the_same_result_replaces_itself() {
    let p = project();
    let d = p.path();
    assert_eq!(call(d, &["run", FS, "--runs", "20", "-q"]).0, 0);
    let base = fs::read(d.join("output/finland_sweden/summary.json")).unwrap();
    // A --set run, another seed, another count: each its own directory, the baseline untouched.
    let (code, _, err) = call(d, &["run", FS, "--runs", "20", "--set", "model.temperature=0.3"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("output/finland_sweden holds") && err.contains("output/finland_sweden-2"),
        "{err}"
    );
    assert_eq!(call(d, &["run", FS, "--runs", "20", "--seed", "5", "-q"]).0, 0);
    assert_eq!(fs::read(d.join("output/finland_sweden/summary.json")).unwrap(), base);
    assert_eq!(summary(d, "output/finland_sweden-3")["seed"], 5);
    assert_ne!(
        summary(d, "output/finland_sweden")["scenario_hash"],
        summary(d, "output/finland_sweden-2")["scenario_hash"]
    );
    // The same run again replaces its own directory (byte-identical) and makes no new one.
    assert_eq!(call(d, &["run", FS, "--runs", "20", "--set", "model.temperature=0.3", "-q"]).0, 0);
    assert_eq!(
        entries(&d.join("output")),
        vec!["finland_sweden", "finland_sweden-2", "finland_sweden-3", "runs.csv"]
    );
    // The index has a row per result written, with the command and the directory.
    let (code, out, _) = call(d, &["runs"]);
    assert_eq!(code, 0);
    let rows: Vec<&str> = out.lines().skip(1).collect();
    assert_eq!(rows.len(), 4, "{out}");
    assert!(
        rows[1].contains("output/finland_sweden-2") && rows[1].contains("--set model.temperature=0.3"),
        "{out}"
    );
    assert!(rows[2].contains("output/finland_sweden-3") && rows[2].contains("--seed 5"), "{out}");
}

#[test]
fn explicit_out_never_replaces_a_different_result_without_replace() {
    let p = project();
    let d = p.path();
    assert_eq!(call(d, &["run", FS, "--runs", "20", "--out", "res", "-q"]).0, 0);
    let first = fs::read(d.join("res/summary.json")).unwrap();
    let (code, _, err) = call(d, &["run", FS, "--runs", "20", "--seed", "9", "--out", "res"]);
    assert_eq!(code, 1);
    assert!(
        err.contains("res") && err.contains("different result") && err.contains("--replace"),
        "{err}"
    );
    assert_eq!(fs::read(d.join("res/summary.json")).unwrap(), first);
    // The same result may be written again; --replace replaces a different one.
    assert_eq!(call(d, &["run", FS, "--runs", "20", "--out", "res", "-q"]).0, 0);
    assert_eq!(fs::read(d.join("res/summary.json")).unwrap(), first);
    assert_eq!(
        call(d, &["run", FS, "--runs", "20", "--seed", "9", "--out", "res", "--replace", "-q"]).0,
        0
    );
    assert_eq!(summary(d, "res")["seed"], 9);
    // The replaced row of the index says so.
    let (_, out, _) = call(d, &["runs"]);
    assert!(out.lines().nth(1).unwrap().contains("res (replaced)"), "{out}");
    // A shard of another block is another result: refused.
    assert_eq!(call(d, &["run", FS, "--runs", "40", "--shard", "0/2", "--out", "sh/0", "-q"]).0, 0);
    let (code, _, err) = call(d, &["run", FS, "--runs", "80", "--shard", "0/2", "--out", "sh/0", "-q"]);
    assert_eq!(code, 1, "{err}");
}

#[test]
fn a_result_holding_a_file_pactsim_did_not_write_is_never_replaced() {
    let p = project();
    let d = p.path();
    assert_eq!(call(d, &["run", FS, "--runs", "20", "-q"]).0, 0);
    fs::write(d.join("output/finland_sweden/notes.txt"), "mine").unwrap();
    for extra in [&[][..], &["--out", "output/finland_sweden", "--replace"][..]] {
        let mut args = vec!["run", FS, "--runs", "20", "-q"];
        args.extend_from_slice(extra);
        let (code, _, err) = call(d, &args);
        if extra.is_empty() {
            // Without --out the result goes to the next directory.
            assert_eq!(code, 0, "{err}");
            assert!(d.join("output/finland_sweden-2/summary.json").is_file());
        } else {
            assert_eq!(code, 1);
            assert!(err.contains("notes.txt"), "{err}");
        }
        assert_eq!(fs::read_to_string(d.join("output/finland_sweden/notes.txt")).unwrap(), "mine");
    }
}

#[test]
fn the_marker_lists_every_file_written() {
    let p = project();
    let d = p.path();
    assert_eq!(call(d, &["run", FS, "--runs", "20", "-q"]).0, 0);
    let dir = d.join("output/finland_sweden");
    let marker: outdir::Marker = serde_json::from_str(&fs::read_to_string(dir.join(MARKER)).unwrap()).unwrap();
    assert_eq!(marker.kind, "run");
    assert_eq!(marker.command, "pactsim run scenarios/finland_sweden.toml --runs 20 -q");
    assert_eq!(marker.fields["seed"], "2022");
    assert_eq!(marker.fields["runs"], "20");
    let mut on_disk = outdir::list_files(&dir).unwrap();
    on_disk.retain(|f| f != MARKER);
    assert_eq!(marker.files, on_disk);
    assert!(marker.files.contains(&"summary.json".to_string()));
    assert!(marker.files.contains(&"report.html".to_string()));
}

#[test]
fn an_empty_directory_is_written() {
    let p = project();
    fs::create_dir(p.path().join("empty")).unwrap();
    assert_eq!(call(p.path(), &["run", FS, "--runs", "20", "--out", "empty", "-q"]).0, 0);
    assert!(p.path().join("empty/summary.json").is_file());
}

#[test]
fn staging_errors_name_the_users_directory() {
    let p = project();
    let target = p.path().join("where-i-asked");
    let dest: Destination = outdir::choose(Some(&target), &p.path().join("output/x"), Identity::new("test"), false).unwrap();
    let staging = Staging::new(&dest).unwrap();
    let hidden = staging.path().to_path_buf();
    let e = anyhow::anyhow!("cannot write {}", hidden.join("charts/a.png").display());
    let told = format!("{:#}", staging.user_error(e));
    assert!(told.contains(&target.join("charts/a.png").display().to_string()), "{told}");
    assert!(!told.contains("partial"), "{told}");
    drop(staging);
    assert!(!hidden.exists(), "an abandoned staging directory is removed");
    assert!(!target.exists());
}

#[test]
fn the_pages_save_follows_the_same_rules() {
    let p = project();
    let out = p.path().join("output");
    let config = pactsim::serve::Config {
        dir: p.path().join("scenarios"),
        output: out.clone(),
        limits: pactsim::serve::Limits { simulations: 1 },
        hosts: Vec::new(),
    };
    let server = pactsim::serve::start(&config, "127.0.0.1:0").unwrap();
    let save = |body: &str| -> serde_json::Value {
        let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
        let mut res = agent
            .post(&format!("http://{}/api/save", server.addr))
            .header("Content-Type", "application/json")
            .send(body)
            .unwrap();
        assert_eq!(res.status().as_u16(), 200);
        serde_json::from_str(&res.body_mut().read_to_string().unwrap()).unwrap()
    };
    // A CLI run first: the page must not replace it with a different run.
    assert_eq!(call(p.path(), &["run", FS, "--runs", "20", "-q"]).0, 0);
    let cli = fs::read(out.join("finland_sweden/summary.json")).unwrap();
    let a = save(r#"{"scenario": "finland_sweden", "runs": 20, "set": ["model.temperature=0.3"]}"#);
    assert!(a["dir"].as_str().unwrap().ends_with("finland_sweden-2"), "{a}");
    assert_eq!(fs::read(out.join("finland_sweden/summary.json")).unwrap(), cli);
    // The same values again: the same directory.
    let b = save(r#"{"scenario": "finland_sweden", "runs": 20, "set": ["model.temperature=0.3"]}"#);
    assert_eq!(a["dir"], b["dir"]);
    // The CLI's run saved from the page: the CLI's directory (the same result).
    let c = save(r#"{"scenario": "finland_sweden", "runs": 20}"#);
    assert!(c["dir"].as_str().unwrap().ends_with("output/finland_sweden"), "{c}");
    assert_eq!(fs::read(out.join("finland_sweden/summary.json")).unwrap(), cli);
    let index = fs::read_to_string(out.join("runs.csv")).unwrap();
    assert_eq!(index.lines().count(), 1 + 4, "{index}");
}

#[test]
fn an_index_that_cannot_be_written_is_a_note_and_the_result_stands() {
    let p = project();
    // `output` is a file of the user's: the index cannot go there, the result (with --out) can.
    fs::write(p.path().join("output"), "not a directory").unwrap();
    let (code, _, err) = call(p.path(), &["run", FS, "--runs", "20", "--out", "res"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("not recorded"), "{err}");
    assert!(p.path().join("res/summary.json").is_file());
    assert_eq!(fs::read_to_string(p.path().join("output")).unwrap(), "not a directory");
}
