//! The files of a fit: `fit.csv` (every point run), `posterior.csv` (the ABC posterior sample),
//! `fit.json` (fitted values, posterior summaries, targets before and after) and `fitted.toml`
//! (the scenario with the fitted values in place). The fit itself is [`crate::study::fit`].

use std::path::Path;

use super::{ReportError, TargetResult, csv_err, io_err};
use crate::study::fit::{FitResult, distance};

/// fit.csv: every point run, in order: stage, the parameters' values, distance, targets met.
pub fn write_points(dir: &Path, r: &FitResult) -> Result<(), ReportError> {
    let path = dir.join("fit.csv");
    let mut w = csv::Writer::from_path(&path).map_err(csv_err(&path))?;
    let mut header = vec!["point".to_string(), "stage".to_string()];
    header.extend(r.parameters.iter().map(|p| p.label.clone()));
    header.extend(["distance".to_string(), "targets_met".to_string()]);
    w.write_record(&header).map_err(csv_err(&path))?;
    for (i, p) in r.points.iter().enumerate() {
        let mut rec = vec![i.to_string(), p.stage.clone()];
        rec.extend(p.values.iter().map(|v| v.to_string()));
        rec.extend([format!("{:.6}", p.distance), p.met.to_string()]);
        w.write_record(&rec).map_err(csv_err(&path))?;
    }
    w.flush().map_err(io_err(&path))
}

/// posterior.csv: the posterior sample, a particle a row: its values, weight and distance.
pub fn write_posterior(dir: &Path, r: &FitResult) -> Result<(), ReportError> {
    let Some(post) = &r.posterior else {
        return Ok(());
    };
    let path = dir.join("posterior.csv");
    let mut w = csv::Writer::from_path(&path).map_err(csv_err(&path))?;
    let mut header = vec!["particle".to_string()];
    header.extend(r.parameters.iter().map(|p| p.label.clone()));
    header.extend(["weight".to_string(), "distance".to_string()]);
    w.write_record(&header).map_err(csv_err(&path))?;
    for (i, ((x, wt), d)) in post.particles.iter().zip(&post.weights).zip(&post.distances).enumerate() {
        let mut rec = vec![i.to_string()];
        rec.extend(x.iter().map(|v| v.to_string()));
        rec.extend([format!("{wt:.9}"), format!("{d:.6}")]);
        w.write_record(&rec).map_err(csv_err(&path))?;
    }
    w.flush().map_err(io_err(&path))
}

/// fit.json: what was run, the fitted values, the posterior's summaries and the targets.
pub fn write_json(dir: &Path, r: &FitResult) -> Result<(), ReportError> {
    super::json::write(&dir.join("fit.json"), &json(r))
}

/// What fit.json holds (the Python package hands it over as a dict).
pub fn json(r: &FitResult) -> serde_json::Value {
    let fitted: Vec<_> = r
        .parameters
        .iter()
        .zip(r.best_values())
        .map(|(p, v)| serde_json::json!({"parameter": p.label, "range": [p.lo, p.hi], "value": v}))
        .collect();
    serde_json::json!({
        "scenario": r.scenario,
        "version": env!("CARGO_PKG_VERSION"),
        "seed": r.seed,
        "runs": r.runs,
        "method": r.method,
        "method_words": r.method_words,
        "budget": r.budget,
        "evaluated": r.points.len(),
        "fitted": fitted,
        "posterior": r.posterior.as_ref().map(|p| serde_json::json!({
            "epsilon": p.epsilon,
            "particles": p.particles.len(),
            "generations": p.generations,
            "effective_sample_size": r.effective_sample_size(),
            "marginals": r.marginals(),
            "correlations": r.correlations().into_iter().map(|(a, b, r)| serde_json::json!({"a": a, "b": b, "r": r})).collect::<Vec<_>>(),
        })),
        "distance_before": distance(&r.before),
        "distance_after": distance(&r.after),
        "targets_before": r.before,
        "targets_after": r.after,
    })
}

/// fitted.toml: the resolved scenario (every default written out) with the best point's
/// values in place, under a header saying how they were found.
pub fn write_fitted(dir: &Path, r: &FitResult) -> Result<(), ReportError> {
    let path = dir.join("fitted.toml");
    std::fs::write(&path, fitted_text(r)).map_err(io_err(&path))
}

/// What fitted.toml holds.
pub fn fitted_text(r: &FitResult) -> String {
    let met = |t: &[TargetResult]| t.iter().filter(|t| t.met).count();
    let mut header = format!(
        "# {} with fitted values: `pactsim fit` (seed {}, {} replicates per point, {} points: {})\n",
        r.scenario,
        r.seed,
        r.runs,
        r.points.len(),
        r.method_words
    );
    let marginals = r.marginals();
    for (i, (p, v)) in r.parameters.iter().zip(r.best_values()).enumerate() {
        header.push_str(&format!("#   {} = {v}   (searched {} .. {})", p.label, p.lo, p.hi));
        if let Some(m) = marginals.get(i) {
            header.push_str(&format!(
                "; posterior median {:.4}, 90 % interval {:.4} .. {:.4}: {}",
                m.median, m.q05, m.q95, m.verdict
            ));
        }
        header.push('\n');
    }
    header.push_str(&format!(
        "# Targets met: {} of {} before, {} of {} after; distance {:.3} -> {:.3}.\n# Every default is written out; the values above are in place.\n\n",
        met(&r.before),
        r.before.len(),
        met(&r.after),
        r.after.len(),
        distance(&r.before),
        distance(&r.after)
    ));
    header + &r.fitted_toml
}
