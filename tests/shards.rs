//! A run split into shards (`run --shard K/N`, as a Slurm job array would) and merged
//! (`pactsim merge`) gives exactly the files of one whole run.

use std::collections::BTreeMap;
use std::path::Path;

use assert_cmd::Command;

fn pactsim() -> Command {
    Command::cargo_bin("pactsim").unwrap()
}

fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                out.insert(
                    p.strip_prefix(root).unwrap().to_string_lossy().into_owned(),
                    std::fs::read(&p).unwrap(),
                );
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    without_command(&mut out);
    out
}

fn run(out: &Path, extra: &[&str]) {
    pactsim()
        .args([
            "run",
            "scenarios/finland_sweden.toml",
            "--runs",
            "250",
            "--decisions",
            "120",
            "--out",
        ])
        .arg(out)
        .args(extra)
        .assert()
        .success();
}

#[test]
fn merged_shards_equal_the_whole_run_byte_for_byte() {
    let tmp = tempfile::tempdir().unwrap();
    let whole = tmp.path().join("whole");
    run(&whole, &[]);
    for k in 0..3 {
        run(&tmp.path().join(format!("s{k}")), &["--shard", &format!("{k}/3")]);
    }
    let merged = tmp.path().join("merged");
    // Shards may be given in any order.
    pactsim()
        .arg("merge")
        .args(["s2", "s0", "s1"].map(|s| tmp.path().join(s)))
        .arg("--out")
        .arg(&merged)
        .assert()
        .success();
    let (a, b) = (files(&whole), files(&merged));
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    assert!(a.contains_key("charts/membership_NATO.png") && a.contains_key("report.html"));
    for (name, bytes) in &a {
        assert!(bytes == &b[name], "{name} differs between the whole run and the merged shards");
    }
    // A shard on its own is not the whole run.
    let shard: serde_json::Value = serde_json::from_slice(&files(&tmp.path().join("s1"))["summary.json"]).unwrap();
    assert_eq!((shard["first_replicate"].as_u64(), shard["runs"].as_u64()), (Some(83), Some(83)));
}

#[test]
fn a_missing_or_foreign_shard_is_an_error() {
    let tmp = tempfile::tempdir().unwrap();
    for k in [0, 2] {
        run(&tmp.path().join(format!("s{k}")), &["--shard", &format!("{k}/3")]);
    }
    let out = pactsim()
        .arg("merge")
        .arg(tmp.path().join("s0"))
        .arg(tmp.path().join("s2"))
        .arg("--out")
        .arg(tmp.path().join("m"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("not adjacent"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!tmp.path().join("m").exists(), "nothing is written when the merge fails");

    run(&tmp.path().join("other-seed"), &["--shard", "1/3", "--seed", "99"]);
    let out = pactsim()
        .arg("merge")
        .arg(tmp.path().join("s0"))
        .arg(tmp.path().join("other-seed"))
        .arg("--out")
        .arg(tmp.path().join("m"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not shards of one run"));
}

#[test]
fn bad_shard_specs_are_rejected() {
    for spec in ["3/3", "1", "a/b", "0/0", "-1/2"] {
        let out = pactsim()
            .args([
                "run",
                "tests/fixtures/minimal.toml",
                &format!("--shard={spec}"),
                "--out",
                "/tmp/pactsim-never",
            ])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{spec}: clap rejects it as a usage error");
        assert!(String::from_utf8_lossy(&out.stderr).contains("--shard"), "{spec}");
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
