//! Direct tests of the writers: each file read back (as a user's tool would, with a CSV or
//! JSON reader) says what the result says, with the columns and precision its doc promises.

use std::path::Path;

use super::*;
use crate::run::{self, RunSpec};
use crate::scenario::sweep::{self as design, Vary};
use crate::scenario::{Scenario, Source};
use crate::study::compare::{Comparison, Variant};
use crate::study::fit::{FitParameter, FitPoint, FitResult, GenerationInfo, Posterior};
use crate::study::sensitivity::{Effect, SobolIndex};
use crate::study::sweep::{ShardInfo, SweepResult};

fn source() -> Source {
    let path = Path::new("tests/fixtures/minimal.toml");
    Source {
        path: path.into(),
        text: std::fs::read_to_string(path).unwrap(),
    }
}

fn scenario(sets: &[String]) -> Scenario {
    crate::scenario::from_source(&source(), sets).unwrap()
}

fn summary(sc: &Scenario, seed: u64, runs: u64) -> (Summary, run::Tally) {
    let spec = RunSpec {
        seed,
        replicates: 0..runs,
        keep_decisions: 0,
    };
    let tally = run::run(sc, &spec, &|_| {}).tally;
    (Summary::new(sc, &tally, seed), tally)
}

/// The header and the rows of a CSV file.
fn csv_file(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = ::csv::Reader::from_path(path).unwrap();
    let header = r.headers().unwrap().iter().map(String::from).collect();
    let rows = r.records().map(|x| x.unwrap().iter().map(String::from).collect()).collect();
    (header, rows)
}

/// A grid sweep of the minimal scenario over two temperatures, run for real.
fn sweep_result(shard: Option<ShardInfo>) -> SweepResult {
    let src = source();
    let design = design::grid(&src, &[], vec![Vary::parse("model.temperature=0.1,0.3").unwrap()]).unwrap();
    let mut result = SweepResult::new("Minimal", 3, 20, Vec::new(), shard, design.clone());
    for v in &design.variants {
        let sc = scenario(&v.sets);
        result.add(v, &summary(&sc, 3, 20).0);
    }
    result
}

#[test]
fn sweep_csv_has_a_row_per_variant_pact_and_state_with_the_parameters_values() {
    let tmp = tempfile::tempdir().unwrap();
    let result = sweep_result(None);
    sweep::write_csv(tmp.path(), &result).unwrap();
    let (header, rows) = csv_file(&tmp.path().join("sweep.csv"));
    assert_eq!(
        header,
        [
            "variant",
            "model.temperature",
            "pact",
            "state",
            "p_final",
            "p_final_se",
            "join_round_median",
            "p_formed"
        ]
    );
    assert_eq!(rows.len(), result.rows.len());
    assert_eq!(rows.len(), 2 * 3);
    for (row, r) in rows.iter().zip(&result.rows) {
        assert_eq!(row[0], r.variant.to_string());
        assert_eq!(row[1], ["0.1", "0.3"][r.variant]);
        assert_eq!((row[2].as_str(), row[3].as_str()), (r.pact.as_str(), r.state.as_str()));
        assert_eq!(row[4], format!("{:.6}", r.p_final));
        assert_eq!(row[5], format!("{:.6}", r.p_final_se));
        assert_eq!(row[6], r.join_round_median.map(|m| m.to_string()).unwrap_or_default());
        assert_eq!(row[7], format!("{:.6}", r.p_formed));
    }
}

#[test]
fn sweep_json_reads_back_as_the_shard_it_describes() {
    let tmp = tempfile::tempdir().unwrap();
    let shard = ShardInfo {
        k: 1,
        n: 2,
        first_replicate: 10,
        replicates: 10,
    };
    let result = sweep_result(Some(shard));
    sweep::write_json(tmp.path(), &result).unwrap();
    let back = saved::sweep_shard(tmp.path()).unwrap();
    assert_eq!(back.scenario, "Minimal");
    assert_eq!((back.seed, back.runs, back.variants), (3, 20, 2));
    assert_eq!(back.specs, ["model.temperature=0.1,0.3"]);
    assert_eq!(back.design, "grid");
    assert_eq!(back.shard, Some(shard));
    let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(tmp.path().join("sweep.json")).unwrap()).unwrap();
    assert_eq!(json["variants"][1]["sets"][0], "model.temperature=0.3");
    assert_eq!(json["common_random_numbers"], true);
    // A tally written into a shard reads back the same.
    let (_, tally) = summary(&scenario(&[]), 3, 5);
    saved::write_sweep_tally(tmp.path(), 1, &tally).unwrap();
    let back = saved::sweep_tally(tmp.path(), 1).unwrap();
    assert_eq!((back.first, back.runs, &back.member), (tally.first, tally.runs, &tally.member));
    assert!(tmp.path().join("tallies/00001.json").is_file());
}

#[test]
fn a_directory_without_a_sweep_or_a_run_is_named_in_the_error() {
    let tmp = tempfile::tempdir().unwrap();
    let e = saved::sweep_shard(tmp.path()).unwrap_err();
    assert!(
        e.to_string()
            .starts_with(&format!("{} is not a sweep directory", tmp.path().display())),
        "{e}"
    );
    let e = saved::run_dir(tmp.path()).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!("{} is a directory without summary.json: not a run directory", tmp.path().display())
    );
    let e = saved::run_shard(tmp.path()).unwrap_err();
    assert!(
        e.to_string()
            .starts_with(&format!("{} is not a run directory", tmp.path().display())),
        "{e}"
    );
}

#[test]
fn sensitivity_tables_hold_every_effect_and_index_at_their_precision() {
    let tmp = tempfile::tempdir().unwrap();
    let effect = Effect {
        statistic: "p_final",
        pact: "NATO".into(),
        state: "SWE".into(),
        parameter: "model.temperature".into(),
        mu: -0.1234567,
        mu_star: 0.25,
        sigma: 1.0 / 3.0,
        n: 4,
    };
    sensitivity::write_csv(
        tmp.path(),
        &[
            effect.clone(),
            Effect {
                state: String::new(),
                statistic: "p_formed",
                ..effect.clone()
            },
        ],
    )
    .unwrap();
    let (header, rows) = csv_file(&tmp.path().join("sensitivity.csv"));
    assert_eq!(header, ["statistic", "pact", "state", "parameter", "mu", "mu_star", "sigma", "n"]);
    assert_eq!(
        rows[0],
        [
            "p_final",
            "NATO",
            "SWE",
            "model.temperature",
            "-0.123457",
            "0.250000",
            "0.333333",
            "4"
        ]
    );
    assert_eq!(rows[1][..3], ["p_formed", "NATO", ""]);
    let index = SobolIndex {
        statistic: "p_final",
        pact: "NATO".into(),
        state: "FIN".into(),
        parameter: "a".into(),
        first: 0.2,
        first_lo: 0.1,
        first_hi: 0.3,
        total: 0.5,
        total_lo: 0.4,
        total_hi: 0.6,
        variance: 0.0123456789,
        samples: 64,
    };
    sensitivity::write_sobol_csv(tmp.path(), &[index]).unwrap();
    let (header, rows) = csv_file(&tmp.path().join("sobol.csv"));
    assert_eq!(header.len(), 12);
    assert_eq!(
        rows,
        [[
            "p_final",
            "NATO",
            "FIN",
            "a",
            "0.200000",
            "0.100000",
            "0.300000",
            "0.500000",
            "0.400000",
            "0.600000",
            "0.01234568",
            "64"
        ]]
    );
}

fn fit_result(posterior: bool) -> FitResult {
    let (before, after) = {
        let sc = scenario(&[]);
        (summary(&sc, 1, 5).0.targets, summary(&sc, 1, 5).0.targets)
    };
    FitResult {
        scenario: "Minimal".into(),
        seed: 9,
        runs: 30,
        method: if posterior { "abc" } else { "nelder-mead" },
        method_words: "words".into(),
        budget: 3,
        parameters: vec![
            FitParameter {
                label: "a".into(),
                lo: 0.0,
                hi: 1.0,
            },
            FitParameter {
                label: "b (×)".into(),
                lo: 0.5,
                hi: 1.5,
            },
        ],
        points: vec![
            FitPoint {
                values: vec![0.25, 1.0],
                distance: 2.5,
                met: 1,
                stage: "global".into(),
            },
            FitPoint {
                values: vec![0.5, 0.75],
                distance: 0.125,
                met: 2,
                stage: "simplex".into(),
            },
        ],
        best: 1,
        posterior: posterior.then(|| Posterior {
            epsilon: 1.5,
            particles: vec![vec![0.5, 0.75], vec![0.25, 1.0]],
            weights: vec![0.75, 0.25],
            distances: vec![0.125, 2.5],
            generations: vec![GenerationInfo {
                epsilon: 1.5,
                particles: 2,
                proposed: 3,
            }],
        }),
        before,
        after,
        fitted_toml: "[scenario]\nname = \"Minimal\"\n".into(),
    }
}

#[test]
fn fit_files_hold_every_point_the_posterior_and_the_fitted_scenario() {
    let tmp = tempfile::tempdir().unwrap();
    let r = fit_result(true);
    fit::write_points(tmp.path(), &r).unwrap();
    fit::write_posterior(tmp.path(), &r).unwrap();
    fit::write_json(tmp.path(), &r).unwrap();
    fit::write_fitted(tmp.path(), &r).unwrap();
    let (header, rows) = csv_file(&tmp.path().join("fit.csv"));
    assert_eq!(header, ["point", "stage", "a", "b (×)", "distance", "targets_met"]);
    assert_eq!(
        rows,
        [
            ["0", "global", "0.25", "1", "2.500000", "1"],
            ["1", "simplex", "0.5", "0.75", "0.125000", "2"]
        ]
    );
    let (header, rows) = csv_file(&tmp.path().join("posterior.csv"));
    assert_eq!(header, ["particle", "a", "b (×)", "weight", "distance"]);
    assert_eq!(rows[0], ["0", "0.5", "0.75", "0.750000000", "0.125000"]);
    let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(tmp.path().join("fit.json")).unwrap()).unwrap();
    assert_eq!(json["fitted"][1]["value"], 0.75);
    assert_eq!(json["fitted"][1]["range"], serde_json::json!([0.5, 1.5]));
    assert_eq!(json["evaluated"], 2);
    assert_eq!(json["posterior"]["particles"], 2);
    assert_eq!(json["posterior"]["marginals"][0]["parameter"], "a");
    let fitted = std::fs::read_to_string(tmp.path().join("fitted.toml")).unwrap();
    assert!(
        fitted.starts_with("# Minimal with fitted values: `pactsim fit` (seed 9, 30 replicates per point, 2 points: words)\n"),
        "{fitted}"
    );
    assert!(fitted.contains("#   a = 0.5   (searched 0 .. 1); posterior median"), "{fitted}");
    assert!(fitted.ends_with("\n\n[scenario]\nname = \"Minimal\"\n"), "{fitted}");
    // Without a posterior there is no posterior.csv.
    let tmp = tempfile::tempdir().unwrap();
    fit::write_posterior(tmp.path(), &fit_result(false)).unwrap();
    assert!(!tmp.path().join("posterior.csv").exists());
}

#[test]
fn compare_writes_every_difference_and_each_variants_results() {
    let tmp = tempfile::tempdir().unwrap();
    let variant = |name: &str, sets: Vec<String>, simulated: bool| {
        let sc = scenario(&sets);
        let (summary, tally) = summary(&sc, 4, 30);
        Variant {
            name: name.into(),
            source: "tests/fixtures/minimal.toml".into(),
            sets,
            simulated,
            summary,
            tally: simulated.then_some(tally),
            resolved: simulated.then(|| sc.resolved_toml.clone()),
        }
    };
    let cmp = Comparison::new(vec![
        variant("base", Vec::new(), true),
        variant("hot", vec!["model.temperature=0.6".into()], false),
    ]);
    compare::write_dir(tmp.path(), &cmp).unwrap();
    let (header, rows) = csv_file(&tmp.path().join("compare.csv"));
    assert_eq!(
        header,
        ["variant_a", "variant_b", "pact", "state", "p_final_a", "p_final_b", "difference"]
    );
    assert_eq!(rows.len(), cmp.differences.len());
    assert_eq!(rows.len(), 3);
    for (row, d) in rows.iter().zip(&cmp.differences) {
        assert_eq!(row[..4], [d.base.as_str(), d.variant.as_str(), d.pact.as_str(), d.state.as_str()]);
        let (a, b, change): (f64, f64, f64) = (row[4].parse().unwrap(), row[5].parse().unwrap(), row[6].parse().unwrap());
        assert_eq!((a, b, change), (d.p_base, d.p_variant, d.change));
        assert_eq!(change, b - a);
    }
    let base = tmp.path().join("variants/base");
    let written = std::fs::read_to_string(base.join("summary.json")).unwrap();
    assert_eq!(written, json::text(&cmp.variants[0].summary).unwrap());
    assert!(base.join("tally.json").is_file() && base.join("scenario.resolved.toml").is_file());
    // A variant read from a run directory without a tally writes only its summary.
    let hot = tmp.path().join("variants/hot");
    assert!(hot.join("summary.json").is_file() && !hot.join("tally.json").exists());
}

#[test]
fn outcomes_read_back_as_written() {
    let tmp = tempfile::tempdir().unwrap();
    let sc = scenario(&[]);
    let spec = RunSpec {
        seed: 2,
        replicates: 3..8,
        keep_decisions: 0,
    };
    let (_, table) = run::run_with_outcomes(&sc, &spec, &[0, 6, sc.rounds], &|_| {});
    outcomes::write(tmp.path(), &sc, &table).unwrap();
    let back = outcomes::read(&tmp.path().join(outcomes::FILE)).unwrap();
    assert_eq!(back.table, table);
    assert_eq!(back.header.labels, ["start", "2022-06", "2022-12"]);
    assert_eq!((back.header.first, back.header.runs), (3, 5));
    // A damaged file is refused with its path.
    let path = tmp.path().join(outcomes::FILE);
    let mut bytes = std::fs::read(&path).unwrap();
    bytes.pop();
    std::fs::write(&path, bytes).unwrap();
    let e = outcomes::read(&path).unwrap_err().to_string();
    assert!(e.contains(&path.display().to_string()) && e.contains("truncated or damaged"), "{e}");
}
