//! A real cluster: the job-array scripts of `scripts/slurm/` submitted to Slurm (`sbatch`), their
//! shards merged, compared byte for byte with the same work done whole.
//!
//! - a Finland/Sweden run, 4,000 replicates, as a 4-task array (`run-array.sbatch`), merged by a
//!   job that waits for it (`merge.sbatch`, `--dependency=afterok`);
//! - a sweep of three temperatures at 400 replicates, as a 4-task array (`sweep-array.sbatch`),
//!   merged here with `pactsim merge`;
//! - a backtest of eight start years as a 4-task array of start-year slices
//!   (`backtest-array.sbatch`): every start year's results and the pooled sums are the whole
//!   backtest's.
//!
//! Runs when `sinfo` is on PATH and answers with a node that takes jobs: on a machine without
//! Slurm it prints a SKIP line and passes, unless PACTSIM_REQUIRE_SLURM=1 (set by `.ci/run`, which
//! starts a single-node Slurm with `scripts/slurm/start-single-node.sh`): then it fails.
//! Every job has a 5-minute limit and the test gives up (cancelling its jobs) after 6 minutes.

use std::collections::BTreeMap;
use std::io::{BufRead, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

const REPO: &str = env!("CARGO_MANIFEST_DIR");
const PACTSIM: &str = env!("CARGO_BIN_EXE_pactsim");
const JOB_MINUTES: &str = "5";
const TEST_LIMIT: Duration = Duration::from_secs(360);

/// Why Slurm cannot take jobs here, or None when it can.
fn slurm_unavailable() -> Option<String> {
    let child = match Command::new("sinfo")
        .args(["-h", "-o", "%T"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
    {
        Ok(c) => c,
        Err(e) => return Some(format!("sinfo is not on PATH ({e})")),
    };
    let out = match wait(child, Instant::now() + Duration::from_secs(20)) {
        Ok(out) => out,
        Err(e) => return Some(format!("sinfo did not answer: {e}")),
    };
    let states = String::from_utf8_lossy(&out.stdout).to_string();
    if !out.status.success() {
        return Some(format!(
            "sinfo failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    if !states.lines().any(|s| matches!(s.trim(), "idle" | "mixed" | "allocated")) {
        return Some(format!("sinfo shows no node that takes jobs (states: {:?})", states.trim()));
    }
    None
}

/// Waits for `child` until `deadline`; kills it then. Its whole stdout and stderr.
fn wait(mut child: Child, deadline: Instant) -> Result<Output, String> {
    loop {
        match child.try_wait() {
            Ok(Some(_)) => break,
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(100)),
            Ok(None) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err("still running at the test's time limit: killed".into());
            }
            Err(e) => return Err(e.to_string()),
        }
    }
    let status = child.wait().map_err(|e| e.to_string())?;
    let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
    if let Some(mut o) = child.stdout.take() {
        o.read_to_end(&mut stdout).map_err(|e| e.to_string())?;
    }
    if let Some(mut e) = child.stderr.take() {
        e.read_to_end(&mut stderr).map_err(|e| e.to_string())?;
    }
    Ok(Output { status, stdout, stderr })
}

/// The jobs of this test, by name: cancelled when the test ends early (a panic, the time limit).
struct Jobs {
    names: Vec<String>,
    logs: PathBuf,
    done: bool,
}

impl Jobs {
    fn name(&mut self, what: &str) -> String {
        let name = format!("pactsim-test-{}-{what}", std::process::id());
        self.names.push(name.clone());
        name
    }

    /// `sbatch` with this test's job name, time limit, log directory and pactsim binary.
    fn sbatch(&mut self, what: &str, args: &[&str], script_args: &[&str]) -> Child {
        let name = self.name(what);
        let log = if args.iter().any(|a| a.starts_with("--array")) {
            "%x-%A_%a.out"
        } else {
            "%x-%j.out"
        };
        Command::new("sbatch")
            .arg(format!("--job-name={name}"))
            .arg(format!("--time={JOB_MINUTES}"))
            .arg(format!("--output={}/{log}", self.logs.display()))
            .args(args)
            .arg(Path::new(REPO).join("scripts/slurm").join(format!("{what}.sbatch")))
            .args(script_args)
            .env("PACTSIM", PACTSIM)
            .current_dir(REPO)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("sbatch {what}: {e}"))
    }

    /// Every job log, for a failure's message.
    fn logs(&self) -> String {
        let mut s = String::new();
        let mut paths: Vec<_> = std::fs::read_dir(&self.logs)
            .map(|d| d.flatten().map(|e| e.path()).collect())
            .unwrap_or_default();
        paths.sort();
        for p in paths {
            s += &format!("--- {}\n{}\n", p.display(), std::fs::read_to_string(&p).unwrap_or_default());
        }
        s
    }

    /// Waits for an `sbatch --wait` and asserts it succeeded (every task of its job did).
    fn expect(&self, what: &str, child: Child, deadline: Instant) {
        match wait(child, deadline) {
            Ok(out) if out.status.success() => {}
            Ok(out) => panic!(
                "sbatch {what} failed ({}): {}{}\njob logs:\n{}",
                out.status,
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr),
                self.logs()
            ),
            Err(e) => panic!("sbatch {what}: {e}\njob logs:\n{}", self.logs()),
        }
    }
}

impl Drop for Jobs {
    fn drop(&mut self) {
        if !self.done {
            for name in &self.names {
                let _ = Command::new("scancel").arg(format!("--name={name}")).status();
            }
        }
    }
}

fn pactsim(args: &[&str]) {
    let out = Command::new(PACTSIM).args(args).current_dir(REPO).output().unwrap();
    assert!(out.status.success(), "pactsim {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

/// Every file under `dir` by relative path, the marker's `command` blanked (a merge and a whole
/// run differ only in the command that made them).
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for e in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
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
    if let Some(bytes) = out.get_mut(".pactsim.json") {
        let mut m: serde_json::Value = serde_json::from_slice(bytes).unwrap();
        m["command"] = serde_json::Value::Null;
        *bytes = serde_json::to_vec(&m).unwrap();
    }
    out
}

fn assert_same_files(whole: &Path, merged: &Path, what: &str, must_have: &[&str]) {
    let (a, b) = (files(whole), files(merged));
    assert_eq!(
        a.keys().collect::<Vec<_>>(),
        b.keys().collect::<Vec<_>>(),
        "{what}: the file lists differ"
    );
    for f in must_have {
        assert!(a.contains_key(*f), "{what}: no {f}");
    }
    for (name, bytes) in &a {
        assert!(bytes == &b[name], "{what}: {name} differs between the whole and the merged shards");
    }
}

/// The shard directories of one array job: ROOT/JOBID/0..n.
fn shard_dirs(root: &Path, n: usize) -> Vec<PathBuf> {
    let jobs: Vec<PathBuf> = std::fs::read_dir(root)
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()))
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(jobs.len(), 1, "one job directory in {}: {jobs:?}", root.display());
    let dirs: Vec<PathBuf> = (0..n).map(|k| jobs[0].join(k.to_string())).collect();
    for d in &dirs {
        assert!(d.join(".pactsim.json").is_file(), "{}: no shard", d.display());
    }
    dirs
}

/// A JSON file with every number as a string of its digits, read exactly by [`num`]: serde_json's
/// own float parsing (without its `float_roundtrip` feature) can be one unit in the last place
/// off, and the pooled sums below are compared to the last bit.
fn json(path: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut quoted = String::with_capacity(2 * text.len());
    let (mut chars, mut in_string, mut escaped) = (text.chars().peekable(), false, false);
    while let Some(c) = chars.next() {
        quoted.push(c);
        if in_string {
            (escaped, in_string) = (!escaped && c == '\\', in_string && (escaped || c != '"'));
        } else if c == '"' {
            in_string = true;
        } else if c == '-' || c.is_ascii_digit() {
            quoted.pop();
            quoted.push('"');
            quoted.push(c);
            while let Some(&d) = chars
                .peek()
                .filter(|d| d.is_ascii_digit() || matches!(d, '.' | 'e' | 'E' | '+' | '-'))
            {
                quoted.push(d);
                chars.next();
            }
            quoted.push('"');
        }
    }
    serde_json::from_str(&quoted).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A number of [`json`], exactly (Rust's `str::parse` rounds correctly).
fn num<T: std::str::FromStr>(v: &serde_json::Value) -> Option<T> {
    v.as_str()?.parse().ok()
}

/// A backtest's start years with their timing (`seconds`, not reproducible) removed.
fn starts_without_timing(bt: &serde_json::Value) -> Vec<serde_json::Value> {
    let mut starts = bt["starts"].as_array().unwrap().clone();
    for s in &mut starts {
        s.as_object_mut().unwrap().remove("seconds");
    }
    starts
}

/// The lines of a CSV file that start with a digit (a start year's rows), or all but the header.
fn rows(path: &Path, only_years: bool) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .skip(1)
        .filter(|l| !only_years || l.starts_with(|c: char| c.is_ascii_digit()))
        .map(String::from)
        .collect()
}

#[test]
fn job_arrays_on_slurm_merge_into_the_whole_result_byte_for_byte() {
    if let Some(why) = slurm_unavailable() {
        if std::env::var("PACTSIM_REQUIRE_SLURM").as_deref() == Ok("1") {
            panic!("PACTSIM_REQUIRE_SLURM=1 but Slurm cannot take jobs: {why} (start it with scripts/slurm/start-single-node.sh)");
        }
        // Straight to stderr, past the test harness's capture: a skip must be seen.
        let _ = writeln!(
            std::io::stderr(),
            "SKIP tests/slurm.rs: {why}; scripts/slurm/start-single-node.sh starts a single-node Slurm (PACTSIM_REQUIRE_SLURM=1 makes this a failure)"
        );
        return;
    }
    let t0 = Instant::now();
    let deadline = t0 + TEST_LIMIT;
    // In the target directory rather than /tmp: on a real cluster the nodes share it.
    let tmp = tempfile::Builder::new()
        .prefix("slurm-")
        .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
        .unwrap();
    let p = |s: &str| tmp.path().join(s).to_string_lossy().into_owned();
    let logs = tmp.path().join("logs");
    std::fs::create_dir_all(&logs).unwrap();
    let mut jobs = Jobs {
        names: Vec::new(),
        logs,
        done: false,
    };
    let scenario = Path::new(REPO).join("scenarios/finland_sweden.toml").to_string_lossy().into_owned();
    let run_args = ["--runs", "4000"];
    let sweep_args = ["--vary", "model.temperature=0.1,0.2,0.3", "--runs", "400"];
    let backtest_args = [
        "--from",
        "1950",
        "--to",
        "1957",
        "--horizon",
        "2",
        "--region",
        "europe",
        "--runs",
        "20",
        "--no-charts",
    ];

    // All three arrays at once; the run's merge job waits for its array.
    let run_root = p("run-shards");
    let mut args = vec![scenario.as_str(), run_root.as_str()];
    args.extend(run_args);
    let mut run = jobs.sbatch("run-array", &["--parsable", "--wait", "--array=0-3"], &args);
    // `--parsable` prints the job id as soon as the array is queued; `--wait` then waits for it
    // (a failed task fails this sbatch: a merge job cancelled for it would still exit with 0).
    let mut run_stdout = std::io::BufReader::new(run.stdout.take().unwrap());
    let mut run_job = String::new();
    run_stdout.read_line(&mut run_job).unwrap();
    let run_job = run_job.trim().split(';').next().unwrap().to_string();
    if run_job.parse::<u64>().is_err() {
        let stderr = wait(run, deadline).map(|o| String::from_utf8_lossy(&o.stderr).into_owned());
        panic!("sbatch --parsable printed {run_job:?} rather than a job id: {stderr:?}");
    }
    let (run_merged, run_job_dir) = (p("run-merged"), format!("{run_root}/{run_job}"));
    let merge = jobs.sbatch(
        "merge",
        &["--wait", &format!("--dependency=afterok:{run_job}"), "--kill-on-invalid-dep=yes"],
        &[&run_merged, &run_job_dir],
    );
    let sweep_root = p("sweep-shards");
    let mut args = vec![scenario.as_str(), sweep_root.as_str()];
    args.extend(sweep_args);
    let sweep = jobs.sbatch("sweep-array", &["--wait", "--array=0-3"], &args);
    let backtest_root = p("backtest-shards");
    let mut args = vec![backtest_root.as_str()];
    args.extend(backtest_args);
    let backtest = jobs.sbatch("backtest-array", &["--wait", "--array=0-3"], &args);

    // Meanwhile, the same work whole.
    let (run_whole, sweep_whole, backtest_whole) = (p("run-whole"), p("sweep-whole"), p("backtest-whole"));
    pactsim(&[&["run", &scenario, "--out", &run_whole][..], &run_args].concat());
    pactsim(&[&["sweep", &scenario, "--out", &sweep_whole][..], &sweep_args].concat());
    pactsim(&[&["backtest", "--out", &backtest_whole][..], &backtest_args].concat());

    let whole_seconds = t0.elapsed().as_secs_f64();
    jobs.expect("run-array", run, deadline);
    drop(run_stdout);
    let run_seconds = t0.elapsed().as_secs_f64();
    jobs.expect("sweep-array", sweep, deadline);
    let sweep_seconds = t0.elapsed().as_secs_f64();
    jobs.expect("backtest-array", backtest, deadline);
    let backtest_seconds = t0.elapsed().as_secs_f64();
    jobs.expect("merge (after the run's array)", merge, deadline);
    let slurm_seconds = t0.elapsed().as_secs_f64();

    // The run, merged by merge.sbatch.
    assert_same_files(
        Path::new(&run_whole),
        Path::new(&run_merged),
        "run",
        &[
            "summary.json",
            "tally.json",
            "decisions.csv",
            "report.html",
            "charts/membership_NATO.png",
        ],
    );
    let shard: serde_json::Value = json(&shard_dirs(Path::new(&run_root), 4)[3].join("summary.json"));
    assert_eq!(
        (num(&shard["first_replicate"]), num(&shard["runs"])),
        (Some(3000u64), Some(1000u64))
    );

    // The sweep, merged here.
    let sweep_merged = p("sweep-merged");
    let mut args = vec!["merge".to_string()];
    args.extend(
        shard_dirs(Path::new(&sweep_root), 4)
            .iter()
            .map(|d| d.to_string_lossy().into_owned()),
    );
    args.extend(["--out".to_string(), sweep_merged.clone()]);
    pactsim(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_same_files(
        Path::new(&sweep_whole),
        Path::new(&sweep_merged),
        "sweep",
        &["sweep.csv", "sweep.json", "charts/response.png"],
    );

    // The backtest: slices of start years, each a backtest of its own; together the whole's.
    let slices = shard_dirs(Path::new(&backtest_root), 4);
    let whole = Path::new(&backtest_whole);
    let whole_json = json(&whole.join("backtest.json"));
    let sliced: Vec<serde_json::Value> = slices.iter().map(|d| json(&d.join("backtest.json"))).collect();
    let years: Vec<(i64, i64)> = sliced.iter().map(|b| (num(&b["from"]).unwrap(), num(&b["to"]).unwrap())).collect();
    assert_eq!(years, [(1950, 1951), (1952, 1953), (1954, 1955), (1956, 1957)]);
    let starts: Vec<serde_json::Value> = sliced.iter().flat_map(starts_without_timing).collect();
    assert_eq!(
        starts,
        starts_without_timing(&whole_json),
        "every start year's results are the whole backtest's"
    );
    let concat = |name: &str, only_years: bool| slices.iter().flat_map(|d| rows(&d.join(name), only_years)).collect::<Vec<_>>();
    assert_eq!(concat("backtest.csv", true), rows(&whole.join("backtest.csv"), true));
    let no_seconds = |rows: Vec<String>| {
        rows.into_iter()
            .map(|r| r.rsplit_once(',').unwrap().0.to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        no_seconds(concat("backtest_years.csv", false)),
        no_seconds(rows(&whole.join("backtest_years.csv"), false))
    );
    // The pooled scores: every start year's sums added in start-year order (as README.md in
    // scripts/slurm/ does with jq) are exactly the whole backtest's totals.
    for (subset, row) in whole_json["total"].as_array().unwrap().iter().enumerate() {
        for (predictor, total) in row.as_array().unwrap().iter().enumerate() {
            let (mut n, mut events, mut brier, mut log_loss) = (0, 0, 0.0, 0.0);
            for s in &starts {
                let score = &s["scores"][subset][predictor];
                n += num::<u64>(&score["n"]).unwrap();
                events += num::<u64>(&score["events"]).unwrap();
                brier += num::<f64>(&score["brier_sum"]).unwrap();
                log_loss += num::<f64>(&score["log_loss_sum"]).unwrap();
            }
            assert!(n > 0, "the backtest scores something");
            assert_eq!(
                (Some(n), Some(events), Some(brier), Some(log_loss)),
                (
                    num(&total["n"]),
                    num(&total["events"]),
                    num(&total["brier_sum"]),
                    num(&total["log_loss_sum"])
                ),
                "pooled sums, subset {subset}, predictor {predictor}"
            );
        }
    }
    jobs.done = true;
    let _ = writeln!(
        std::io::stderr(),
        "tests/slurm.rs: submitted 3 arrays of 4 tasks and a merge job; the same work whole done after \
         {whole_seconds:.1} s; the run's array after {run_seconds:.1} s, the sweep's array after {sweep_seconds:.1} s, the backtest's after {backtest_seconds:.1} s, \
         the run's merge job after {slurm_seconds:.1} s; all checked after {:.1} s",
        t0.elapsed().as_secs_f64()
    );
}
