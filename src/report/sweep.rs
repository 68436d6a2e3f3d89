//! The files of a sweep: `sweep.csv` (tidy: one row per variant, pact and state) and
//! `sweep.json` (what was run: the design, seed, replicates and version).

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::ReportError;
use crate::study::sweep::{ShardInfo, SweepResult};

/// variant, one column per parameter, pact, state, p_final, p_final_se, join_round_median, p_formed.
pub fn write_csv(dir: &Path, result: &SweepResult) -> Result<(), ReportError> {
    let path = dir.join("sweep.csv");
    let err = super::csv_err(&path);
    let mut w = csv::Writer::from_path(&path).map_err(&err)?;
    let mut header = vec!["variant".to_string()];
    header.extend(result.labels());
    header.extend(["pact", "state", "p_final", "p_final_se", "join_round_median", "p_formed"].map(String::from));
    w.write_record(&header).map_err(&err)?;
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
        w.write_record(&record).map_err(&err)?;
    }
    w.flush().map_err(super::io_err(&path))
}

/// sweep_kinds.csv, for a scenario with `[[template]]`s (none is written without): variant, one
/// column per parameter, kind, formed_mean, alive_mean, alive_mean_se, alive_p05, alive_p95,
/// p_any — the pacts each kind of template formed, and how many are alive after the last round.
pub fn write_kinds_csv(dir: &Path, result: &SweepResult) -> Result<(), ReportError> {
    if result.kinds.is_empty() {
        return Ok(());
    }
    let path = dir.join("sweep_kinds.csv");
    let err = super::csv_err(&path);
    let mut w = csv::Writer::from_path(&path).map_err(&err)?;
    let mut header = vec!["variant".to_string()];
    header.extend(result.labels());
    header.extend(
        [
            "kind",
            "formed_mean",
            "alive_mean",
            "alive_mean_se",
            "alive_p05",
            "alive_p95",
            "p_any",
        ]
        .map(String::from),
    );
    w.write_record(&header).map_err(&err)?;
    for row in &result.kinds {
        let mut record = vec![row.variant.to_string()];
        record.extend(result.values(row.variant).iter().map(|v| v.to_string()));
        record.extend([
            row.kind.clone(),
            format!("{:.6}", row.formed_mean),
            format!("{:.6}", row.alive_mean),
            format!("{:.6}", row.alive_mean_se),
            row.alive_p05.to_string(),
            row.alive_p95.to_string(),
            format!("{:.6}", row.p_any),
        ]);
        w.write_record(&record).map_err(&err)?;
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
        design: result.design.kind.name().to_string(),
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
