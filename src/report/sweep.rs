//! The results of a sweep: `sweep.csv` (tidy: one row per variant, pact and state) and
//! `sweep.json` (what was run: the design, seed, replicates and version).

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::{ReportError, Summary};
use crate::scenario::sweep::{Design, Variant};

/// The outcomes of one state in one pact under one variant.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    pub variant: usize,
    pub pact: String,
    pub state: String,
    /// P(member after the last round), its standard error over the replicates, the median first
    /// round of membership of a non-founder (among replicates where it joined), and the pact's
    /// P(formed).
    pub p_final: f64,
    pub p_final_se: f64,
    pub join_round_median: Option<f64>,
    pub p_formed: f64,
}

/// A pair moves when its P(member at the end) spans more than this many standard errors.
pub const MOVES_BY_SE: f64 = 3.0;

/// A state–pact pair whose P(member at the end) moves over a sweep.
#[derive(Debug, Clone, PartialEq)]
pub struct Mover {
    /// The pair's place among a variant's rows.
    pub pair: usize,
    /// `SWE in NATO`.
    pub label: String,
    /// Lowest and highest P(member at the end), and the variants giving them.
    pub low: (f64, usize),
    pub high: (f64, usize),
    pub range: f64,
}

/// Which part of a sweep's replicates a shard ran (`sweep --shard K/N`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShardInfo {
    pub k: u64,
    pub n: u64,
    pub first_replicate: u64,
    pub replicates: u64,
}

/// Everything a sweep produced, in variant order.
#[derive(Debug, Clone)]
pub struct SweepResult {
    pub scenario: String,
    pub version: String,
    pub seed: u64,
    /// Replicates of the whole sweep per variant (a shard runs part of them).
    pub runs: u64,
    /// The `--set`s every variant starts from.
    pub sets: Vec<String>,
    pub shard: Option<ShardInfo>,
    pub design: Design,
    pub rows: Vec<Row>,
}

impl SweepResult {
    pub fn new(scenario: &str, seed: u64, runs: u64, sets: Vec<String>, shard: Option<ShardInfo>, design: Design) -> Self {
        SweepResult {
            scenario: scenario.to_string(),
            version: env!("CARGO_PKG_VERSION").to_string(),
            seed,
            runs,
            sets,
            shard,
            design,
            rows: Vec::new(),
        }
    }

    /// Adds the outcomes of `variant`, read from the summary of its run.
    pub fn add(&mut self, variant: &Variant, summary: &Summary) {
        let runs = summary.runs.max(1) as f64;
        for pact in &summary.pacts {
            for state in &summary.states {
                let m = &summary.membership[&pact.id][&state.id];
                self.rows.push(Row {
                    variant: variant.index,
                    pact: pact.id.clone(),
                    state: state.id.clone(),
                    p_final: m.p_final,
                    p_final_se: (m.p_final * (1.0 - m.p_final) / runs).sqrt(),
                    join_round_median: m.join_round_median,
                    p_formed: pact.p_formed,
                });
            }
        }
    }

    /// The parameters' labels, in design order.
    pub fn labels(&self) -> Vec<String> {
        self.design.parameters.iter().map(|p| p.vary.label()).collect()
    }

    /// The pairs that move most over the sweep (any number of parameters, any design): at most
    /// `top`, largest range of P(member at the end) first (ties by label), only pairs whose range
    /// exceeds [`MOVES_BY_SE`] standard errors; and how many pairs move.
    pub fn movers(&self, top: usize) -> (Vec<Mover>, usize) {
        let variants = self.design.variants.len();
        let pairs = self.rows.len().checked_div(variants).unwrap_or(0);
        let mut moving: Vec<Mover> = (0..pairs)
            .filter_map(|k| {
                let mut low = (f64::INFINITY, 0);
                let mut high = (f64::NEG_INFINITY, 0);
                let mut se = 0.0f64;
                for v in 0..variants {
                    let r = &self.rows[v * pairs + k];
                    if r.p_final < low.0 {
                        low = (r.p_final, v);
                    }
                    if r.p_final > high.0 {
                        high = (r.p_final, v);
                    }
                    se = se.max(r.p_final_se);
                }
                let first = &self.rows[k];
                let range = high.0 - low.0;
                (range > MOVES_BY_SE * se.max(1e-12)).then(|| Mover {
                    pair: k,
                    label: format!("{} in {}", first.state, first.pact),
                    low,
                    high,
                    range,
                })
            })
            .collect();
        let count = moving.len();
        moving.sort_by(|a, b| b.range.total_cmp(&a.range).then_with(|| a.label.cmp(&b.label)));
        moving.truncate(top);
        (moving, count)
    }

    /// The values of the parameters in `variant`.
    pub fn values(&self, variant: usize) -> &[f64] {
        &self.design.variants[variant].values
    }
}

/// variant, one column per parameter, pact, state, p_final, p_final_se, join_round_median, p_formed.
pub fn write_csv(dir: &Path, result: &SweepResult) -> Result<(), ReportError> {
    let path = dir.join("sweep.csv");
    let err = |source| ReportError::Csv {
        path: path.clone(),
        source,
    };
    let mut w = csv::Writer::from_path(&path).map_err(err)?;
    let mut header = vec!["variant".to_string()];
    header.extend(result.labels());
    header.extend(["pact", "state", "p_final", "p_final_se", "join_round_median", "p_formed"].map(String::from));
    w.write_record(&header).map_err(err)?;
    for row in &result.rows {
        let mut record = vec![row.variant.to_string()];
        record.extend(result.values(row.variant).iter().map(|v| v.to_string()));
        record.extend([
            row.pact.clone(),
            row.state.clone(),
            format!("{:.6}", row.p_final),
            format!("{:.6}", row.p_final_se),
            row.join_round_median.map(|m| m.to_string()).unwrap_or_default(),
            format!("{:.6}", row.p_formed),
        ]);
        w.write_record(&record).map_err(err)?;
    }
    w.flush().map_err(super::io_err(&path))
}

/// sweep.json. A merge reads back what it needs to redo the design and check the shards.
#[derive(Serialize, Deserialize)]
pub struct Manifest {
    pub scenario: String,
    pub version: String,
    pub seed: u64,
    pub runs: u64,
    /// Every variant runs replicates 0..runs from `seed`: common random numbers.
    pub common_random_numbers: bool,
    /// The `--set`s every variant starts from.
    pub set: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub shard: Option<ShardInfo>,
    pub design: String,
    pub parameters: Vec<ParameterJson>,
    pub variants: Vec<VariantJson>,
}

#[derive(Serialize, Deserialize)]
pub struct ParameterJson {
    pub spec: String,
    pub path: String,
    pub label: String,
    pub relative: bool,
    pub values: Vec<f64>,
    /// Each concrete path the parameter moves, with its value before the sweep.
    pub paths: Vec<(String, f64)>,
}

#[derive(Serialize, Deserialize)]
pub struct VariantJson {
    pub index: usize,
    pub values: Vec<f64>,
    pub sets: Vec<String>,
}

/// sweep.json: the scenario, seed, replicates, version, parameters and every variant's `--set`s.
pub fn write_json(dir: &Path, result: &SweepResult) -> Result<(), ReportError> {
    let manifest = Manifest {
        scenario: result.scenario.clone(),
        version: result.version.clone(),
        seed: result.seed,
        runs: result.runs,
        common_random_numbers: true,
        set: result.sets.clone(),
        shard: result.shard,
        design: result.design.kind.clone(),
        parameters: result
            .design
            .parameters
            .iter()
            .map(|p| ParameterJson {
                spec: p.vary.spec.clone(),
                path: p.vary.pattern.clone(),
                label: p.vary.label(),
                relative: p.vary.relative,
                values: p.vary.values.clone(),
                paths: p.paths.clone(),
            })
            .collect(),
        variants: result
            .design
            .variants
            .iter()
            .map(|v| VariantJson {
                index: v.index,
                values: v.values.clone(),
                sets: v.sets.clone(),
            })
            .collect(),
    };
    super::json::write(&dir.join("sweep.json"), &manifest)
}

/// The values of a variant as `a = 1, b = 2`.
fn at(result: &SweepResult, variant: usize) -> String {
    result
        .labels()
        .iter()
        .zip(result.values(variant))
        .map(|(l, v)| format!("{l} = {}", format!("{v:.4}").trim_end_matches('0').trim_end_matches('.')))
        .collect::<Vec<_>>()
        .join(", ")
}

/// sweep.html: what was run, the pairs that move most in words and in a table, the charts.
pub fn write_html(dir: &Path, result: &SweepResult, charts: &[crate::plot::Chart]) -> Result<(), ReportError> {
    let design = &result.design;
    let mut settings: Vec<(&str, String)> = vec![
        ("scenario", result.scenario.clone()),
        ("design", format!("{} ({} variants)", design.kind, design.variants.len())),
        (
            "replicates",
            format!(
                "{} per variant from seed {}, the same for every variant (common random numbers)",
                result.runs, result.seed
            ),
        ),
        ("pactsim", result.version.clone()),
    ];
    if !result.sets.is_empty() {
        settings.push(("--set", result.sets.join(" ")));
    }
    let parameters: Vec<String> = design
        .parameters
        .iter()
        .map(|p| match (design.kind.as_str(), p.vary.range) {
            ("grid", _) | (_, None) => format!(
                "{}: {}",
                p.vary.label(),
                p.vary.values.iter().map(|v| v.to_string()).collect::<Vec<_>>().join(", ")
            ),
            (_, Some((lo, hi))) => format!("{}: {lo} .. {hi}", p.vary.label()),
        })
        .collect();
    settings.push(("parameters", parameters.join("; ")));
    let (top, moving) = result.movers(20);
    let lines: Vec<String> = top
        .iter()
        .take(8)
        .map(|m| {
            format!(
                "P({} at the end) moves from {:.3} ({}) to {:.3} ({}).",
                m.label,
                m.low.0,
                at(result, m.low.1),
                m.high.0,
                at(result, m.high.1)
            )
        })
        .chain((moving > 8).then(|| format!("{} state–pact pairs move in all; the table lists the first {}.", moving, top.len())))
        .collect();
    let table: Vec<Vec<String>> = top
        .iter()
        .map(|m| {
            vec![
                m.label.clone(),
                format!("{:.3}", m.low.0),
                at(result, m.low.1),
                format!("{:.3}", m.high.0),
                at(result, m.high.1),
                format!("{:.3}", m.range),
            ]
        })
        .collect();
    super::html::write_study(
        dir,
        &super::html::StudyPage {
            file: "sweep.html",
            title: &format!("Sweep of {}", result.scenario),
            settings: &settings,
            heading: "What moves",
            lines: &lines,
            nothing: &format!("No state–pact pair's P(member at the end) moves by more than {MOVES_BY_SE} standard errors over the sweep."),
            headers: &["state in pact", "lowest P(member at the end)", "at", "highest", "at", "range"],
            table: &table,
            charts,
            files: &[
                (
                    "sweep.csv",
                    "every variant, pact and state: the parameters' values and the outcomes",
                ),
                (
                    "sweep.json",
                    "the design, seed, replicates and version (what `pactsim merge` reads)",
                ),
                ("scenario.toml", "the scenario file as swept"),
            ],
        },
    )
}
