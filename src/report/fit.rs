//! The results of a fit: `fit.csv` (every point run), `posterior.csv` (the ABC posterior
//! sample), `fit.json` (fitted values, posterior summaries, targets before and after) and
//! `fitted.toml` (the scenario with the fitted values in place).

use std::path::Path;

use serde::Serialize;

use super::{ReportError, TargetResult, io_err};

/// One parameter of a fit and the range searched.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FitParameter {
    pub label: String,
    pub lo: f64,
    pub hi: f64,
}

/// One point run, in the parameters' own units.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FitPoint {
    pub values: Vec<f64>,
    pub distance: f64,
    pub met: usize,
    pub stage: String,
}

/// One ABC generation, as a record of the search.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GenerationInfo {
    pub epsilon: f64,
    pub particles: usize,
    pub proposed: usize,
}

/// The ABC posterior sample: the last generation's particles (parameter values) and weights.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Posterior {
    pub epsilon: f64,
    pub particles: Vec<Vec<f64>>,
    pub weights: Vec<f64>,
    pub distances: Vec<f64>,
    pub generations: Vec<GenerationInfo>,
}

/// What the posterior says of one parameter.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Marginal {
    pub parameter: String,
    pub mean: f64,
    pub sd: f64,
    pub q05: f64,
    pub median: f64,
    pub q95: f64,
    /// The 90 % interval's width over the prior's (0.9 of the range): 1 means the targets
    /// say nothing of the parameter, 0 that they fix it.
    pub width_share: f64,
    /// `pinned down` (share below 0.5), `narrowed` (below 0.8) or `left free`.
    pub verdict: &'static str,
}

/// Everything a fit produced.
#[derive(Debug, Clone)]
pub struct FitResult {
    pub scenario: String,
    pub seed: u64,
    pub runs: u64,
    /// `nelder-mead` or `abc`, and the method in words.
    pub method: &'static str,
    pub method_words: String,
    pub budget: usize,
    pub parameters: Vec<FitParameter>,
    pub points: Vec<FitPoint>,
    /// The point with the least distance (ties: the first).
    pub best: usize,
    pub posterior: Option<Posterior>,
    pub before: Vec<TargetResult>,
    pub after: Vec<TargetResult>,
}

/// Σ ((observed − value) / tolerance)², 100 for a target with nothing observed.
pub fn distance(targets: &[TargetResult]) -> f64 {
    targets
        .iter()
        .map(|t| match t.observed {
            Some(o) => ((o - t.expected) / t.tolerance).powi(2),
            None => 100.0,
        })
        .sum()
}

impl FitResult {
    /// The posterior's marginals, one per parameter (empty without a posterior).
    pub fn marginals(&self) -> Vec<Marginal> {
        let Some(post) = &self.posterior else {
            return Vec::new();
        };
        self.parameters
            .iter()
            .enumerate()
            .map(|(d, p)| {
                let xs: Vec<f64> = post.particles.iter().map(|x| x[d]).collect();
                let mean: f64 = xs.iter().zip(&post.weights).map(|(x, w)| w * x).sum();
                let sd = xs
                    .iter()
                    .zip(&post.weights)
                    .map(|(x, w)| w * (x - mean).powi(2))
                    .sum::<f64>()
                    .sqrt();
                let q = |q: f64| crate::run::search::weighted_quantile(&xs, &post.weights, q);
                let (q05, median, q95) = (q(0.05), q(0.5), q(0.95));
                let width_share = if p.hi > p.lo { (q95 - q05) / (0.9 * (p.hi - p.lo)) } else { 0.0 };
                let verdict = if width_share < 0.5 {
                    "pinned down"
                } else if width_share < 0.8 {
                    "narrowed"
                } else {
                    "left free"
                };
                Marginal {
                    parameter: p.label.clone(),
                    mean,
                    sd,
                    q05,
                    median,
                    q95,
                    width_share,
                    verdict,
                }
            })
            .collect()
    }

    /// The posterior's weighted correlations between parameters, strongest first: a strong one
    /// is a ridge, where the targets fix a combination of two values rather than either.
    pub fn correlations(&self) -> Vec<(String, String, f64)> {
        let Some(post) = &self.posterior else {
            return Vec::new();
        };
        let k = self.parameters.len();
        let mean: Vec<f64> = (0..k)
            .map(|d| post.particles.iter().zip(&post.weights).map(|(x, w)| w * x[d]).sum())
            .collect();
        let cov = |a: usize, b: usize| -> f64 {
            post.particles
                .iter()
                .zip(&post.weights)
                .map(|(x, w)| w * (x[a] - mean[a]) * (x[b] - mean[b]))
                .sum()
        };
        let mut out = Vec::new();
        for a in 0..k {
            for b in a + 1..k {
                let denom = (cov(a, a) * cov(b, b)).sqrt();
                if denom > 0.0 {
                    out.push((
                        self.parameters[a].label.clone(),
                        self.parameters[b].label.clone(),
                        cov(a, b) / denom,
                    ));
                }
            }
        }
        out.sort_by(|x, y| y.2.abs().total_cmp(&x.2.abs()).then_with(|| (&x.0, &x.1).cmp(&(&y.0, &y.1))));
        out
    }

    /// The posterior's effective sample size, (Σw)² / Σw² (None without a posterior).
    pub fn effective_sample_size(&self) -> Option<f64> {
        let post = self.posterior.as_ref()?;
        let sq: f64 = post.weights.iter().map(|w| w * w).sum();
        (sq > 0.0).then(|| post.weights.iter().sum::<f64>().powi(2) / sq)
    }

    pub fn best_values(&self) -> &[f64] {
        &self.points[self.best].values
    }

    /// fit.csv: every point run, in order: stage, the parameters' values, distance, targets met.
    pub fn write_points(&self, dir: &Path) -> Result<(), ReportError> {
        let path = dir.join("fit.csv");
        let mut w = csv::Writer::from_path(&path).map_err(|e| csv_err(&path, e))?;
        let mut header = vec!["point".to_string(), "stage".to_string()];
        header.extend(self.parameters.iter().map(|p| p.label.clone()));
        header.extend(["distance".to_string(), "targets_met".to_string()]);
        w.write_record(&header).map_err(|e| csv_err(&path, e))?;
        for (i, p) in self.points.iter().enumerate() {
            let mut rec = vec![i.to_string(), p.stage.clone()];
            rec.extend(p.values.iter().map(|v| v.to_string()));
            rec.extend([format!("{:.6}", p.distance), p.met.to_string()]);
            w.write_record(&rec).map_err(|e| csv_err(&path, e))?;
        }
        w.flush().map_err(io_err(&path))
    }

    /// posterior.csv: the posterior sample, a particle a row: its values, weight and distance.
    pub fn write_posterior(&self, dir: &Path) -> Result<(), ReportError> {
        let Some(post) = &self.posterior else {
            return Ok(());
        };
        let path = dir.join("posterior.csv");
        let mut w = csv::Writer::from_path(&path).map_err(|e| csv_err(&path, e))?;
        let mut header = vec!["particle".to_string()];
        header.extend(self.parameters.iter().map(|p| p.label.clone()));
        header.extend(["weight".to_string(), "distance".to_string()]);
        w.write_record(&header).map_err(|e| csv_err(&path, e))?;
        for (i, ((x, wt), d)) in post.particles.iter().zip(&post.weights).zip(&post.distances).enumerate() {
            let mut rec = vec![i.to_string()];
            rec.extend(x.iter().map(|v| v.to_string()));
            rec.extend([format!("{wt:.9}"), format!("{d:.6}")]);
            w.write_record(&rec).map_err(|e| csv_err(&path, e))?;
        }
        w.flush().map_err(io_err(&path))
    }

    /// fit.json: what was run, the fitted values, the posterior's summaries and the targets.
    pub fn write_json(&self, dir: &Path) -> Result<(), ReportError> {
        let fitted: Vec<_> = self
            .parameters
            .iter()
            .zip(self.best_values())
            .map(|(p, v)| serde_json::json!({"parameter": p.label, "range": [p.lo, p.hi], "value": v}))
            .collect();
        super::json::write(
            &dir.join("fit.json"),
            &serde_json::json!({
                "scenario": self.scenario,
                "version": env!("CARGO_PKG_VERSION"),
                "seed": self.seed,
                "runs": self.runs,
                "method": self.method,
                "method_words": self.method_words,
                "budget": self.budget,
                "evaluated": self.points.len(),
                "fitted": fitted,
                "posterior": self.posterior.as_ref().map(|p| serde_json::json!({
                    "epsilon": p.epsilon,
                    "particles": p.particles.len(),
                    "generations": p.generations,
                    "effective_sample_size": self.effective_sample_size(),
                    "marginals": self.marginals(),
                    "correlations": self.correlations().into_iter().map(|(a, b, r)| serde_json::json!({"a": a, "b": b, "r": r})).collect::<Vec<_>>(),
                })),
                "distance_before": distance(&self.before),
                "distance_after": distance(&self.after),
                "targets_before": self.before,
                "targets_after": self.after,
            }),
        )
    }

    /// fitted.toml: the resolved scenario (every default written out) with the best point's
    /// values in place, under a header saying how they were found.
    pub fn write_fitted(&self, dir: &Path, resolved_toml: &str) -> Result<(), ReportError> {
        let met = |t: &[TargetResult]| t.iter().filter(|t| t.met).count();
        let mut header = format!(
            "# {} with fitted values: `pactsim fit` (seed {}, {} replicates per point, {} points: {})\n",
            self.scenario,
            self.seed,
            self.runs,
            self.points.len(),
            self.method_words
        );
        let marginals = self.marginals();
        for (i, (p, v)) in self.parameters.iter().zip(self.best_values()).enumerate() {
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
            met(&self.before),
            self.before.len(),
            met(&self.after),
            self.after.len(),
            distance(&self.before),
            distance(&self.after)
        ));
        let path = dir.join("fitted.toml");
        std::fs::write(&path, header + resolved_toml).map_err(io_err(&path))
    }
}

fn csv_err(path: &Path, e: csv::Error) -> ReportError {
    ReportError::Io {
        path: path.to_path_buf(),
        source: std::io::Error::other(e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(particles: Vec<Vec<f64>>, weights: Vec<f64>) -> FitResult {
        FitResult {
            scenario: "s".into(),
            seed: 1,
            runs: 10,
            method: "abc",
            method_words: "ABC".into(),
            budget: 10,
            parameters: vec![
                FitParameter {
                    label: "a".into(),
                    lo: 0.0,
                    hi: 1.0,
                },
                FitParameter {
                    label: "b".into(),
                    lo: 0.0,
                    hi: 10.0,
                },
            ],
            points: vec![],
            best: 0,
            posterior: Some(Posterior {
                epsilon: 1.0,
                distances: vec![0.0; particles.len()],
                particles,
                weights,
                generations: vec![],
            }),
            before: vec![],
            after: vec![],
        }
    }

    #[test]
    fn marginals_say_which_parameters_the_targets_pin_down() {
        // a: 0.40 .. 0.49 (a tenth of its range); b: 0.5 .. 9.5 (all of it).
        let n = 10;
        let particles: Vec<Vec<f64>> = (0..n).map(|i| vec![0.4 + 0.01 * i as f64, 0.5 + i as f64]).collect();
        let r = result(particles, vec![0.1; n]);
        let m = r.marginals();
        assert_eq!(m[0].verdict, "pinned down");
        assert_eq!(m[1].verdict, "left free");
        assert!((m[0].mean - 0.445).abs() < 1e-12);
        assert!((m[1].q05 - 0.5).abs() < 1e-12 && (m[1].q95 - 9.5).abs() < 1e-12);
        assert!((m[1].width_share - 1.0).abs() < 1e-12);
        // Weights count: all the weight on one particle fixes both.
        let mut w = vec![0.0; n];
        w[3] = 1.0;
        let r = result((0..n).map(|i| vec![0.1 * i as f64, i as f64]).collect(), w);
        let m = r.marginals();
        assert!((m[0].median - 0.3).abs() < 1e-12 && m[0].width_share == 0.0 && m[0].verdict == "pinned down");
        assert_eq!(m[1].sd, 0.0);
    }

    #[test]
    fn correlations_find_a_ridge() {
        // b = 10·a exactly (a ridge), c unrelated to either.
        let particles: Vec<Vec<f64>> = (0..8).map(|i| vec![0.1 * i as f64, i as f64, [0.3, 0.7][i % 2]]).collect();
        let mut r = result(particles, vec![0.125; 8]);
        r.parameters.push(FitParameter {
            label: "c".into(),
            lo: 0.0,
            hi: 1.0,
        });
        let c = r.correlations();
        assert_eq!((c[0].0.as_str(), c[0].1.as_str()), ("a", "b"));
        assert!((c[0].2 - 1.0).abs() < 1e-12);
        assert!(c[1].2.abs() < 0.3 && c[2].2.abs() < 0.3, "{c:?}");
        assert!((r.effective_sample_size().unwrap() - 8.0).abs() < 1e-9);
    }
}
