//! Covariates and terms of the scenario's own (`[[covariate]]`, `[[term]]`, docs/MODEL.md §2a):
//! what a term reads, when dated values take effect, that a positive dyadic term raises joining
//! as the logit rule says, that a term of weight 0 changes no byte of any output, that the
//! resolved scenario carries the data, that `--set`, `sweep --vary` and `fit --vary` reach a
//! term's weight, and that bad covariates are refused with messages that say where and what
//! would be valid. (The caches and the timeline with terms: tests/engine.rs; their bounds:
//! tests/bounds.rs.)

mod common;

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use common::*;
use pactsim::model::terms::{admit_terms, join_terms, leave_terms};
use pactsim::model::{Terms, World, logit};
use pactsim::run::replicate_rng;
use pactsim::scenario::{self, PactId, RESERVED_TERM_NAMES, StateId};

/// A: the state deciding; B and C members of P (capabilities 0.1 and 0.3); D outside everything.
/// Q is a second pact with B alone, to which the `p_only` term does not apply.
const WORLD: &str = r#"
[scenario]
name = "terms"
rounds = 8
start = "2022-01"
runs = 1

[[state]]
id = "A"
capability = 0.2

[[state]]
id = "B"
capability = 0.1

[[state]]
id = "C"
capability = 0.3

[[state]]
id = "D"
capability = 0.4

[[pact]]
id = "P"
binding = 0.0
members = ["B", "C"]
admission = "unanimity"
min_members = 1

[[pact]]
id = "Q"
binding = 0.0
members = ["B"]
admission = "unanimity"
min_members = 1

[[covariate]]
id = "trade"
kind = "dyadic"
values = [
  { between = ["A", "B"], value = 0.5 },
  { between = ["C", "A"], value = -0.2 },
  { between = ["A", "D"], value = 0.9 },
  { between = ["B", "C"], value = 0.4 },
  { between = ["A", "B"], value = 0.7, date = "2022-04-20" },
  { between = ["A", "B"], value = 0.1, round = 6 },
  { between = ["A", "C"], value = 0.3, date = "2021-06" },
  { between = ["A", "C"], value = 5.0, date = "2030-01" },
]

[[covariate]]
id = "size"
kind = "monadic"
values = [{ state = "A", value = 0.25 }, { state = "B", value = -1.0 }]

[[term]]
id = "trade"
covariate = "trade"
weight = 2.0

[[term]]
id = "p_only"
covariate = "trade"
weight = -1.0
pacts = ["P"]

[[term]]
id = "size"
covariate = "size"
weight = 0.5

[[term]]
id = "off"
covariate = "trade"
weight = 0.0
"#;

const A: StateId = StateId(0);
const B: StateId = StateId(1);
const C: StateId = StateId(2);
const D: StateId = StateId(3);
const P: PactId = PactId(0);
const Q: PactId = PactId(1);

fn close(what: &str, got: f64, want: f64) {
    assert!((got - want).abs() < 1e-12, "{what}: {got} ≠ {want}");
}

#[test]
fn a_term_reads_its_covariate_as_documented() {
    let sc = parse(WORLD, &[]);
    let w = World::new(&sc);
    // At the start A–B is 0.5 and A–C 0.3 (dated 2021-06, before the start: it replaces the
    // undated −0.2; the value dated 2030 never holds). The mean over P's other members, weighted
    // by capability: (0.1·0.5 + 0.3·0.3) / 0.4 = 0.35.
    let join = join_terms(&w, A, P);
    let mean = (0.1 * 0.5 + 0.3 * 0.3) / 0.4;
    close("trade", join.user[0], 2.0 * mean);
    close("p_only", join.user[1], -mean);
    close("size (A's own)", join.user[2], 0.5 * 0.25);
    assert_eq!(join.user[3], 0.0, "weight 0");
    // The utility adds them to the model's terms.
    let model: f64 = join.values().iter().sum();
    close("utility", join.utility(), model + 2.0 * mean - mean + 0.125);
    // Q: only B is a member; `p_only` does not apply.
    let q = join_terms(&w, A, Q);
    close("trade in Q", q.user[0], 2.0 * 0.5);
    assert_eq!(q.user[1], 0.0);
    // A member's own value is left out of its mean: B in P reads C alone; leaving negates.
    let leave = leave_terms(&w, B, P);
    close("B leaving P", leave.user[0], -2.0 * 0.4);
    close("B's size", leave.user[2], -0.5 * -1.0);
    // No other member, nothing to average: 0 (B alone in Q).
    assert_eq!(leave_terms(&w, B, Q).user[0], 0.0);
    // A vote is the difference the applicant makes to the member's own value: C voting on A's
    // application to P reads (0.1·0.4 + 0.2·0.3)/0.3 instead of 0.4; the monadic term cancels.
    let vote = admit_terms(&w, C, A, P);
    close("C's vote", vote.user[0], 2.0 * ((0.1 * 0.4 + 0.2 * 0.3) / 0.3 - 0.4));
    assert_eq!(vote.user[2], 0.0, "a monadic term does not depend on who is in");
    // An applicant placed after the members (id order): B voting on D's application reads C and
    // D, (0.3·0.4 + 0.4·0)/0.7 (no B–D value: 0), instead of C's 0.4 alone. (D alone, the
    // members before it left out, would give 0.)
    let vote = admit_terms(&w, B, D, P);
    close("B's vote on D", vote.user[0], 2.0 * (0.3 * 0.4 / 0.7 - 0.4));
    close("B's vote on D, P only", vote.user[1], -(0.3 * 0.4 / 0.7 - 0.4));
    // D, who trades most with A, is in no pact: it enters no mean.
    close("D's own", join_terms(&w, D, P).user[2], 0.0);
}

/// Values change in the round of their date (A–B: 0.7 from 2022-04, round 4; 0.1 from round 6),
/// never earlier, in every replicate and in the engine's cached terms.
#[test]
fn values_change_in_the_round_of_their_date_never_earlier() {
    // Nobody joins or leaves (τ = 0, prohibitive switching costs): Q's members stay B alone.
    let sc = parse(
        WORLD,
        &["model.temperature=0", "model.weights.join_cost=100", "model.weights.exit_cost=100"],
    );
    let cov = &sc.covariates[0];
    assert_eq!(cov.from_round, [0, 4, 6]);
    let mut rng = replicate_rng(1, 0);
    let mut w = World::seeded(&sc, &mut rng);
    let mut log = Vec::new();
    for round in 0..=sc.rounds {
        let ab = match round {
            0..=3 => 0.5,
            4 | 5 => 0.7,
            _ => 0.1,
        };
        assert_eq!(w.members(Q).collect::<Vec<_>>(), [B]);
        close(&format!("round {round}"), join_terms(&w, A, Q).user[0], 2.0 * ab);
        close(
            &format!("round {round}: the table"),
            cov.value(cov.epoch_at(round), sc.n_states(), A, B),
            ab,
        );
        if round < sc.rounds {
            w.play_round(&mut rng, &mut log);
        }
    }
}

/// A world where only the term decides: A, outside a proposal (`new`: its taste is not
/// conditioned) that B is in, open admission, one round, no threat, no autonomy cost (binding 0):
/// ΔU = −join_cost + w · x_AB, so P(A joins) = logit(ΔU/τ) exactly. With x_AB = 0.5 and w = 1
/// the share rises from logit(−0.2/0.15) = 0.21 to logit(0.3/0.15) = 0.88.
fn one_term(weight: f64) -> String {
    format!(
        r#"
[scenario]
name = "one term"
rounds = 1
runs = 1

[[state]]
id = "A"
capability = 0.1

[[state]]
id = "B"
capability = 0.3

[[pact]]
id = "P"
binding = 0.0
members = ["B"]
admission = "open"
new = true
min_members = 1

[[covariate]]
id = "trade"
kind = "dyadic"
values = [{{ between = ["A", "B"], value = 0.5 }}]

[[term]]
id = "trade"
covariate = "trade"
weight = {weight}
"#
    )
}

#[test]
fn a_positive_dyadic_term_raises_the_probability_of_joining_a_pact_the_partner_is_in() {
    const RUNS: u64 = 4000;
    let mut shares = Vec::new();
    for weight in [0.0, 1.0] {
        let sc = parse(&one_term(weight), &[]);
        let w = World::new(&sc);
        let exact = logit(join_terms(&w, A, P).utility(), sc.params.temperature);
        close("ΔU", join_terms(&w, A, P).utility(), -0.2 + weight * 0.5);
        let p = summarise(&sc, 11, RUNS).get("P", "A").unwrap().p_final;
        // Within 4.5 standard errors of the logit rule.
        let se = (exact * (1.0 - exact) / RUNS as f64).sqrt();
        assert!((p - exact).abs() < 4.5 * se, "weight {weight}: {p} vs logit {exact} (s.e. {se:.4})");
        shares.push((p, exact));
    }
    let ((p0, e0), (p1, e1)) = (shares[0], shares[1]);
    assert!(e1 - e0 > 0.6, "the term moves the exact probability: {e0} → {e1}");
    let se_diff = ((p0 * (1.0 - p0) + p1 * (1.0 - p1)) / RUNS as f64).sqrt();
    assert!(p1 - p0 > 4.5 * se_diff, "{p0} → {p1} (s.e. of the difference {se_diff:.4})");
}

#[test]
fn reserved_names_include_every_term_of_the_model() {
    for name in Terms::NAMES {
        assert!(RESERVED_TERM_NAMES.contains(&name), "{name}");
    }
}

// ---- the CLI -------------------------------------------------------------------------------

fn pactsim(dir: &Path, args: &[&str]) -> String {
    let out = Command::cargo_bin("pactsim").unwrap().current_dir(dir).args(args).output().unwrap();
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "pactsim {args:?} failed:\n{stdout}\n{stderr}");
    format!("{stdout}{stderr}")
}

fn pactsim_fails(dir: &Path, args: &[&str]) -> String {
    let out = Command::cargo_bin("pactsim").unwrap().current_dir(dir).args(args).output().unwrap();
    assert!(!out.status.success(), "pactsim {args:?} should have failed");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn example() -> (String, String) {
    let dir = root().join("scenarios").join("examples");
    (
        std::fs::read_to_string(dir.join("nordic_trade.toml")).unwrap(),
        std::fs::read_to_string(dir.join("nordic_trade.csv")).unwrap(),
    )
}

/// The example without its `[[covariate]]` and `[[term]]` tables (they come last in the file,
/// before its targets), and the targets.
fn example_without_terms() -> String {
    let (text, _) = example();
    let at = text.find("# The user's own data").expect("the example's covariate section");
    let targets = text.find("# Two facts a run").expect("the example's targets");
    format!("{}{}", &text[..at], &text[targets..])
}

/// Every file under `dir`, relative, sorted.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p.strip_prefix(dir).unwrap().to_path_buf());
            }
        }
    }
    out.sort();
    out
}

/// The issue's requirement: a term of weight 0 changes no byte of any output. "No byte" means:
/// every file `run` (with charts, report and outcomes of every round), `explain` and `story`
/// write is byte for byte what the same scenario without the covariate and the term writes,
/// except the scenario's own text and what names it by its hash — scenario.resolved.toml (which
/// carries the covariate and the term), the `scenario_hash` of summary.json and report.html,
/// and the directory's marker (its identity is made from the hash) — and in those the rest is
/// the same too. (output/runs.csv, the index of results, records when each was written.)
#[test]
fn a_term_of_weight_0_changes_no_byte_of_any_output() {
    let (text, csv) = example();
    let tmp = tempfile::tempdir().unwrap();
    let (with, without) = (tmp.path().join("with"), tmp.path().join("without"));
    for (dir, text) in [
        (&with, text.replace("weight = 1.0           # illustrative", "weight = 0")),
        (&without, example_without_terms()),
    ] {
        std::fs::create_dir(dir).unwrap();
        std::fs::write(dir.join("s.toml"), text).unwrap();
        std::fs::write(dir.join("nordic_trade.csv"), &csv).unwrap();
    }
    let check = pactsim(&with, &["check", "s.toml"]);
    assert!(check.contains("1 term of its own: trade = 0 × trade"), "{check}");
    let sc_with = scenario::load(&with.join("s.toml"), &[]).unwrap();
    let sc_without = scenario::load(&without.join("s.toml"), &[]).unwrap();
    assert_eq!((sc_with.user_terms.len(), sc_without.user_terms.len()), (1, 0));
    assert_ne!(sc_with.hash, sc_without.hash);
    for dir in [&with, &without] {
        pactsim(
            dir,
            &["run", "s.toml", "--runs", "300", "--outcomes-every-round", "--out", "run", "-q"],
        );
        pactsim(
            dir,
            &[
                "explain", "s.toml", "--state", "FIN", "--pact", "NATO", "--runs", "100", "--out", "explain",
            ],
        );
        pactsim(dir, &["story", "s.toml", "--replicate", "3", "--out", "story"]);
    }
    let (a, b) = (files(&with), files(&without));
    assert_eq!(a.iter().filter(|f| f.as_os_str() != "nordic_trade.csv").count(), b.len() - 1);
    let mut compared = 0;
    for f in &b {
        let name = f.to_string_lossy();
        if name == "s.toml" || name == "nordic_trade.csv" || name == "output/runs.csv" {
            continue;
        }
        let (x, y) = (std::fs::read(with.join(f)).unwrap(), std::fs::read(without.join(f)).unwrap());
        if name.ends_with("scenario.resolved.toml") || name.ends_with(".pactsim.json") {
            // The scenario's own text, and the marker whose identity is made from its hash.
            assert_ne!(x, y, "{name}");
            continue;
        }
        let (x, y) = (
            String::from_utf8_lossy(&x).replace(&sc_with.hash, "HASH"),
            String::from_utf8_lossy(&y).replace(&sc_without.hash, "HASH"),
        );
        assert!(x == y, "{name} differs with a term of weight 0");
        compared += 1;
    }
    // summary.json, tally.json, memberships.csv, decisions.csv, outcomes.bin, report.html, 8
    // charts, explain's csv and charts, the story's files.
    assert!(compared >= 20, "only {compared} files compared");
    for name in [
        "run/decisions.csv",
        "run/outcomes.bin",
        "run/charts/membership_NATO.png",
        "explain/explain.csv",
    ] {
        assert!(b.iter().any(|f| f.as_os_str() == name), "{name} was not written: {b:?}");
    }
    // Not vacuous: with weight 1 the run differs, and decisions.csv and explain show the term.
    pactsim(
        &with,
        &[
            "run",
            "s.toml",
            "--runs",
            "300",
            "--set",
            "term.trade.weight=1",
            "--out",
            "run1",
            "-q",
        ],
    );
    let decisions = std::fs::read_to_string(with.join("run1/decisions.csv")).unwrap();
    assert!(
        decisions.lines().next().unwrap().ends_with(",grievance,trade"),
        "{}",
        decisions.lines().next().unwrap()
    );
    assert_ne!(
        std::fs::read(with.join("run1/tally.json")).unwrap(),
        std::fs::read(with.join("run/tally.json")).unwrap()
    );
    pactsim(
        &with,
        &[
            "explain",
            "s.toml",
            "--state",
            "FIN",
            "--pact",
            "NATO",
            "--runs",
            "100",
            "--set",
            "term.trade.weight=1",
            "--out",
            "explain1",
        ],
    );
    let explain = std::fs::read_to_string(with.join("explain1/explain.csv")).unwrap();
    assert!(explain.lines().next().unwrap().ends_with(",trade"), "{explain}");
}

/// The resolved scenario carries the file's values inline: it loads anywhere (a run directory, a
/// shard's merge) to the same hash, and the hash moves when the data do.
#[test]
fn the_resolved_scenario_carries_the_data_and_its_hash_follows_them() {
    let (text, csv) = example();
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("s.toml"), &text).unwrap();
    std::fs::write(tmp.path().join("nordic_trade.csv"), &csv).unwrap();
    let sc = scenario::load(&tmp.path().join("s.toml"), &[]).unwrap();
    assert!(sc.resolved_toml.contains("loaded_from = \"nordic_trade.csv\"") && !sc.resolved_toml.contains("\nfile ="));
    let elsewhere = tempfile::tempdir().unwrap();
    std::fs::write(elsewhere.path().join("resolved.toml"), &sc.resolved_toml).unwrap();
    let again = scenario::load(&elsewhere.path().join("resolved.toml"), &[]).unwrap();
    assert_eq!(again.hash, sc.hash);
    assert_eq!(again.covariates[0].values, sc.covariates[0].values);
    assert_eq!(again.covariates[0].from_round, sc.covariates[0].from_round);
    std::fs::write(tmp.path().join("nordic_trade.csv"), csv.replace("FIN,SWE,0.10", "FIN,SWE,0.11")).unwrap();
    assert_ne!(scenario::load(&tmp.path().join("s.toml"), &[]).unwrap().hash, sc.hash);
    // Shards of a run merge (the merge loads the first shard's scenario.resolved.toml).
    for k in 0..2 {
        let shard = format!("{k}/2");
        pactsim(
            tmp.path(),
            &[
                "run",
                "s.toml",
                "--runs",
                "40",
                "--shard",
                &shard,
                "--out",
                &format!("shard{k}"),
                "-q",
            ],
        );
    }
    pactsim(tmp.path(), &["merge", "shard0", "shard1", "--out", "merged", "-q"]);
    assert!(tmp.path().join("merged/summary.json").is_file());
}

#[test]
fn set_sweep_and_fit_reach_a_terms_weight() {
    // In a copy of the example: the runs log (output/runs.csv beside the working directory) must
    // not land in the source tree.
    let tmp = tempfile::tempdir().unwrap();
    let examples = root().join("scenarios").join("examples");
    for f in ["nordic_trade.toml", "nordic_trade.csv"] {
        std::fs::copy(examples.join(f), tmp.path().join(f)).unwrap();
    }
    let dir = tmp.path().to_path_buf();
    let out = |name: &str| tmp.path().join(name).to_string_lossy().into_owned();
    let file = "nordic_trade.toml";
    let described = pactsim(&dir, &["describe", "term.trade.weight", "--scenario", file]);
    assert!(
        described.starts_with("term.trade.weight = 1 [-1000 to 1000] — Weight of one of the scenario's own terms"),
        "{described}"
    );
    let e = pactsim_fails(
        &dir,
        &["run", file, "--set", "term.trad.weight=2", "--runs", "10", "--out", &out("x")],
    );
    assert!(e.contains("no term `trad`") && e.contains("did you mean `trade`?"), "{e}");
    let e = pactsim_fails(
        &dir,
        &["run", file, "--set", "term.trade.weight=2000", "--runs", "10", "--out", &out("x")],
    );
    assert!(e.contains("term.trade.weight=2000") && e.contains("from -1000 to 1000"), "{e}");
    pactsim(
        &dir,
        &[
            "sweep",
            file,
            "--vary",
            "term.trade.weight=0..2:3",
            "--runs",
            "200",
            "--no-charts",
            "--out",
            &out("sweep"),
            "-q",
        ],
    );
    let table = std::fs::read_to_string(tmp.path().join("sweep/sweep.csv")).unwrap();
    assert!(table.lines().next().unwrap().contains("term.trade.weight"), "{table}");
    // Finland's share in NATO at the end rises with the weight across the three variants.
    let fin: Vec<f64> = {
        let mut rdr = csv::Reader::from_reader(table.as_bytes());
        let header = rdr.headers().unwrap().clone();
        let col = |n: &str| header.iter().position(|h| h == n);
        let (pact, state, p) = (col("pact"), col("state"), col("p_final"));
        rdr.records()
            .map(|r| r.unwrap())
            .filter(|r| pact.is_some_and(|i| &r[i] == "NATO") && state.is_some_and(|i| &r[i] == "FIN"))
            .map(|r| r[p.unwrap()].parse().unwrap())
            .collect()
    };
    assert_eq!(fin.len(), 3, "{table}");
    assert!(fin[0] < fin[1] && fin[1] < fin[2], "{fin:?}");
    pactsim(
        &dir,
        &[
            "fit",
            file,
            "--vary",
            "term.trade.weight=0..4",
            "--budget",
            "8",
            "--runs",
            "100",
            "--no-charts",
            "--out",
            &out("fit"),
            "-q",
        ],
    );
    let fit = std::fs::read_to_string(tmp.path().join("fit/fit.json")).unwrap();
    assert!(fit.contains("term.trade.weight"), "{fit}");
    // A sweep's shards carry the covariate file with their scenario.toml, so they merge into
    // exactly the whole sweep.
    for k in 0..2 {
        let shard = format!("{k}/2");
        pactsim(
            &dir,
            &[
                "sweep",
                file,
                "--vary",
                "term.trade.weight=0..2:3",
                "--runs",
                "200",
                "--shard",
                &shard,
                "--out",
                &out(&format!("s{k}")),
                "-q",
            ],
        );
    }
    pactsim(tmp.path(), &["merge", "s0", "s1", "--out", "merged", "--no-charts", "-q"]);
    assert_eq!(std::fs::read_to_string(tmp.path().join("merged/sweep.csv")).unwrap(), table);
}

// ---- bad input -------------------------------------------------------------------------------

fn problems(text: &str, csv: Option<&str>) -> String {
    let tmp = tempfile::tempdir().unwrap();
    if let Some(csv) = csv {
        std::fs::write(tmp.path().join("trade.csv"), csv).unwrap();
    }
    let path = tmp.path().join("s.toml");
    std::fs::write(&path, text).unwrap();
    scenario::load(&path, &[]).map(|_| ()).unwrap_err().to_string()
}

fn with(extra: &str) -> String {
    let base = WORLD.split("[[covariate]]").next().unwrap();
    format!("{base}{extra}")
}

const FROM_FILE: &str = "[[covariate]]\nid = \"trade\"\nkind = \"dyadic\"\nfile = \"trade.csv\"\n";

#[test]
fn a_bad_covariate_file_is_refused_naming_the_file_the_line_and_what_is_valid() {
    let e = problems(&with(FROM_FILE), None);
    assert!(e.contains("covariate.trade.file: cannot read") && e.contains("trade.csv"), "{e}");
    let e = problems(&with(FROM_FILE), Some("a,b,vlaue\nA,B,1\n"));
    assert!(
        e.contains("trade.csv: `vlaue` is not a column of a dyadic covariate file; did you mean `value`?"),
        "{e}"
    );
    assert!(e.contains("no `value` column"), "{e}");
    let csv = "# a comment\na,b,value,date\nA,B,0.5,\nA,X,0.5,\nB,C,abc,\nC,D,0.1,2022-13\nB,A,0.2,\nC,C,1,\nD,A,1e300,\n";
    let e = problems(&with(FROM_FILE), Some(csv));
    for want in [
        "trade.csv line 4: column `b`: unknown state `X`; did you mean `A`? valid: `A`, `B`, `C`, `D`",
        "trade.csv line 5: column `value`: `abc` is not a number",
        "trade.csv line 6: `2022-13` is not a date",
        "trade.csv line 7: B–A is given twice without a date (from the start) (also trade.csv line 3)",
        "trade.csv line 8: a pair names one state twice",
        "trade.csv line 9: 1e300 is not a covariate value",
    ] {
        assert!(e.contains(want), "missing «{want}» in:\n{e}");
    }
    // Each names the file's key in the scenario, with its line.
    assert!(e.lines().skip(1).all(|l| l.contains("covariate.trade.file")), "{e}");
    let e = problems(&with(&FROM_FILE.replace("trade.csv", "../trade.csv")), Some("a,b,value\n"));
    assert!(e.contains("not a covariate file") && e.contains("without `..`"), "{e}");
    let e = problems(
        &with("[[covariate]]\nid = \"m\"\nkind = \"monadic\"\nfile = \"trade.csv\"\n"),
        Some("a,b,value\nA,B,1\n"),
    );
    assert!(
        e.contains("`a` is not a column of a monadic covariate file") && e.contains("no `state` column"),
        "{e}"
    );
}

#[test]
fn bad_inline_values_and_terms_are_refused_with_what_would_be_valid() {
    let e = problems(
        &with(
            r#"[[covariate]]
id = "trade"
kind = "dyadik"
values = [{ between = ["A", "B"], value = 1 }]

[[covariate]]
id = "size"
kind = "monadic"
values = [{ state = "AA", value = 1 }, { between = ["A", "B"], value = 1 }, { state = "B", value = 1, date = "2022-02", round = 2 }, { state = "C", value = 1, round = -1 }, { state = "D", value = 1, date = "2022-02" }, { state = "D", value = 2, date = "2022-02-20" }]

[[covariate]]
id = "empty"
kind = "monadic"

[[term]]
id = "security"
covariate = "sise"
weight = 1
pacts = ["P", "PP"]
"#,
        ),
        None,
    );
    for want in [
        "covariate.trade.kind: `dyadik` is not allowed; did you mean `dyadic`?",
        "covariate.size.values[0]: `state`: unknown state `AA`; did you mean `A`?",
        "covariate.size.values[1]: a monadic covariate's value takes `state`, not `between`",
        "covariate.size.values[2]: give `date` or `round`, not both",
        "covariate.size.values[3]: round -1 is before the start",
        "covariate.size.values[5]: D is given twice in round 2 (2022-02) (also values[4])",
        "covariate.empty: a covariate needs its values",
        "term.security.id: `security` is already a column of decisions.csv or explain",
        "term.security.covariate: unknown covariate `sise`; did you mean `size`?",
        "term.security.pacts[1]: unknown pact `PP`; did you mean `P`?",
    ] {
        assert!(e.contains(want), "missing «{want}» in:\n{e}");
    }
    // Too many terms.
    let mut text = with("[[covariate]]\nid = \"x\"\nkind = \"monadic\"\nvalues = [{ state = \"A\", value = 1 }]\n");
    for i in 0..9 {
        text.push_str(&format!("[[term]]\nid = \"t{i}\"\ncovariate = \"x\"\nweight = 1\n"));
    }
    assert!(problems(&text, None).contains("9 terms: at most 8 are supported"));
    // A date without a start.
    let text = with("[[covariate]]\nid = \"x\"\nkind = \"monadic\"\nvalues = [{ state = \"A\", value = 1, date = \"2022-03\" }]\n")
        .replace("start = \"2022-01\"\n", "");
    assert!(problems(&text, None).contains("a date needs `start` in [scenario]"));
}

/// Every source's path is read relative to the scenario file, not the working directory.
#[test]
fn a_covariate_file_is_read_next_to_the_scenario() {
    let tmp = tempfile::tempdir().unwrap();
    let sub = tmp.path().join("sub");
    std::fs::create_dir_all(sub.join("data")).unwrap();
    std::fs::write(sub.join("data/trade.csv"), "a,b,value\nA,B,0.5\n").unwrap();
    std::fs::write(sub.join("s.toml"), with(&FROM_FILE.replace("trade.csv", "data/trade.csv"))).unwrap();
    let sc = scenario::load(&sub.join("s.toml"), &[]).unwrap();
    assert_eq!(sc.covariates[0].value(0, 4, A, B), 0.5);
    assert_eq!(sc.covariates[0].value(0, 4, B, A), 0.5);
    // From another working directory, by a relative path.
    let out = pactsim(tmp.path(), &["check", "sub/s.toml"]);
    assert!(out.contains("1 covariate: trade (dyadic, 1 pair)"), "{out}");
}

/// The live page's "Download scenario" writes a term's weight into the file's own text (terms
/// are addressed by id, like states), keeping the covariate file named, not inlined.
#[test]
fn a_terms_weight_is_written_into_the_files_own_text() {
    let path = root().join("scenarios").join("examples").join("nordic_trade.toml");
    let source = scenario::Source {
        text: std::fs::read_to_string(&path).unwrap(),
        path,
    };
    let text = scenario::edit::apply_to_text(&source, &["term.trade.weight=2.5".to_string()]).unwrap();
    assert!(!text.contains("every value written out"), "fell back to the resolved scenario");
    assert!(
        text.contains("weight = 2.5") && text.contains("file = \"nordic_trade.csv\""),
        "{text}"
    );
    let edited = scenario::from_source(
        &scenario::Source {
            path: source.path.clone(),
            text,
        },
        &[],
    )
    .unwrap();
    assert_eq!(edited.user_terms[0].weight, 2.5);
}
