//! Morris screening of a sweep run on a Morris design: the elementary effects of each parameter
//! on each outcome, summarised as μ (mean), μ* (mean absolute value: how much the parameter
//! matters) and σ (spread: interaction or non-linearity), as in Campolongo, Cariboni & Saltelli
//! (2007) and SALib's `morris.analyze`. Effects are per unit of each parameter's range scaled to
//! [0, 1], so μ* is comparable across parameters: the change in the outcome when the parameter
//! moves across its whole range.

use std::path::Path;

use serde::Serialize;

use super::ReportError;
use super::sweep::SweepResult;

/// The effects of one parameter on one outcome.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Effect {
    /// `p_final` or `p_formed`.
    pub statistic: &'static str,
    pub pact: String,
    /// Empty for a pact-level outcome (`p_formed`).
    pub state: String,
    pub parameter: String,
    pub mu: f64,
    pub mu_star: f64,
    pub sigma: f64,
    /// Elementary effects averaged (one per trajectory).
    pub n: usize,
}

/// Every parameter's effects on every outcome that moves anywhere in the design, outcomes in
/// row order (pact, then state; a pact's p_formed before its states), parameters in design order.
pub fn morris(result: &SweepResult) -> Vec<Effect> {
    let design = &result.design;
    let Some(len) = design.trajectory else {
        return Vec::new();
    };
    let k = design.parameters.len();
    let variants = design.variants.len();
    let pairs = result.rows.len().checked_div(variants).unwrap_or(0);
    let trajectories = variants / len;
    let ranges: Vec<f64> = design
        .parameters
        .iter()
        .map(|p| p.vary.range.map_or(1.0, |(lo, hi)| hi - lo))
        .collect();
    // For each trajectory step: (parameter moved, first variant, second variant, Δ in [0, 1]).
    let mut steps = Vec::with_capacity(trajectories * k);
    for t in 0..trajectories {
        for j in 0..k {
            let (a, b) = (t * len + j, t * len + j + 1);
            let (va, vb) = (&design.variants[a].values, &design.variants[b].values);
            if let Some(i) = (0..k).find(|&i| va[i] != vb[i]) {
                steps.push((i, a, b, (vb[i] - va[i]) / ranges[i]));
            }
        }
    }
    let summarise = |effects: &[f64]| {
        let n = effects.len();
        let mu = effects.iter().sum::<f64>() / n as f64;
        let mu_star = effects.iter().map(|e| e.abs()).sum::<f64>() / n as f64;
        let sigma = if n > 1 {
            (effects.iter().map(|e| (e - mu).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt()
        } else {
            0.0
        };
        (mu, mu_star, sigma, n)
    };
    let mut out = Vec::new();
    let mut outcome = |statistic: &'static str, pact: &str, state: &str, y: &dyn Fn(usize) -> f64| {
        let mut per_param: Vec<Vec<f64>> = vec![Vec::new(); k];
        for &(i, a, b, delta) in &steps {
            per_param[i].push((y(b) - y(a)) / delta);
        }
        if per_param.iter().flatten().all(|e| *e == 0.0) {
            return;
        }
        for (i, effects) in per_param.iter().enumerate().filter(|(_, e)| !e.is_empty()) {
            let (mu, mu_star, sigma, n) = summarise(effects);
            out.push(Effect {
                statistic,
                pact: pact.to_string(),
                state: state.to_string(),
                parameter: design.parameters[i].vary.label(),
                mu,
                mu_star,
                sigma,
                n,
            });
        }
    };
    let mut k_pair = 0;
    while k_pair < pairs {
        let pact = result.rows[k_pair].pact.clone();
        outcome("p_formed", &pact, "", &|v| result.rows[v * pairs + k_pair].p_formed);
        while k_pair < pairs && result.rows[k_pair].pact == pact {
            let state = result.rows[k_pair].state.clone();
            let at = k_pair;
            outcome("p_final", &pact, &state, &|v| result.rows[v * pairs + at].p_final);
            k_pair += 1;
        }
    }
    out
}

/// sensitivity.csv: statistic, pact, state, parameter, mu, mu_star, sigma, n.
pub fn write_csv(dir: &Path, effects: &[Effect]) -> Result<(), ReportError> {
    let path = dir.join("sensitivity.csv");
    let err = |source| ReportError::Csv {
        path: path.clone(),
        source,
    };
    let mut w = csv::Writer::from_path(&path).map_err(err)?;
    w.write_record(["statistic", "pact", "state", "parameter", "mu", "mu_star", "sigma", "n"])
        .map_err(err)?;
    for e in effects {
        w.write_record([
            e.statistic,
            &e.pact,
            &e.state,
            &e.parameter,
            &format!("{:.6}", e.mu),
            &format!("{:.6}", e.mu_star),
            &format!("{:.6}", e.sigma),
            &e.n.to_string(),
        ])
        .map_err(err)?;
    }
    w.flush().map_err(super::io_err(&path))
}

/// The outcomes whose largest μ* is largest, with their effects sorted by μ* (largest first):
/// what a reader should look at first.
pub fn top_outcomes(effects: &[Effect], count: usize) -> Vec<Vec<&Effect>> {
    let mut groups: Vec<Vec<&Effect>> = Vec::new();
    for e in effects {
        match groups.last_mut() {
            Some(g) if g[0].statistic == e.statistic && g[0].pact == e.pact && g[0].state == e.state => g.push(e),
            _ => groups.push(vec![e]),
        }
    }
    for g in &mut groups {
        g.sort_by(|a, b| b.mu_star.total_cmp(&a.mu_star).then_with(|| a.parameter.cmp(&b.parameter)));
    }
    groups.sort_by(|a, b| b[0].mu_star.total_cmp(&a[0].mu_star));
    groups.truncate(count);
    groups
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::sweep::{Row, SweepResult};
    use crate::scenario::sweep::{Design, Parameter, Variant, Vary};

    fn vary(name: &str, lo: f64, hi: f64) -> Parameter {
        Parameter {
            vary: Vary {
                spec: format!("{name}={lo}..{hi}"),
                pattern: name.into(),
                values: vec![lo, hi],
                relative: false,
                range: Some((lo, hi)),
            },
            paths: vec![(name.into(), lo)],
        }
    }

    /// Two trajectories over a (range 0..2) and b (range 10..20), outcome
    /// y = 0.3·(a/2) + 0.1·(a/2)·(b−10)/10 (an interaction), worked out by hand below.
    #[test]
    fn elementary_effects_by_hand() {
        // Points (a, b); each step moves one parameter up by Δ = 2/3 of its range. Trajectory 1
        // moves a then b from (0, 10); trajectory 2 moves b then a from (2/3, 10).
        let points = [
            (0.0, 10.0),
            (4.0 / 3.0, 10.0),
            (4.0 / 3.0, 10.0 + 20.0 / 3.0),
            (2.0 / 3.0, 10.0),
            (2.0 / 3.0, 10.0 + 20.0 / 3.0),
            (2.0, 10.0 + 20.0 / 3.0),
        ];
        let y = |(a, b): (f64, f64)| 0.3 * (a / 2.0) + 0.1 * (a / 2.0) * (b - 10.0) / 10.0;
        let design = Design {
            kind: "morris".into(),
            trajectory: Some(3),
            parameters: vec![vary("a", 0.0, 2.0), vary("b", 10.0, 20.0)],
            variants: points
                .iter()
                .enumerate()
                .map(|(index, &(a, b))| Variant {
                    index,
                    values: vec![a, b],
                    sets: Vec::new(),
                })
                .collect(),
        };
        let mut result = SweepResult::new("t", 1, 100, Vec::new(), None, design);
        result.rows = points
            .iter()
            .enumerate()
            .map(|(variant, &p)| Row {
                variant,
                pact: "P".into(),
                state: "S".into(),
                p_final: y(p),
                p_final_se: 0.0,
                join_round_median: None,
                p_formed: 1.0,
            })
            .collect();
        let effects = morris(&result);
        // p_formed never moves: only p_final of S in P is reported.
        assert_eq!(effects.len(), 2);
        let (a, b) = (&effects[0], &effects[1]);
        // Effect of a (per whole range): 0.3 + 0.1·(b−10)/10 at the b of its step:
        // trajectory 1 at b = 10: 0.3; trajectory 2 at b = 10 + 20/3: 0.3 + 0.1·2/3.
        let (ea1, ea2) = (0.3, 0.3 + 0.1 * 2.0 / 3.0);
        assert!((a.mu - (ea1 + ea2) / 2.0).abs() < 1e-12, "{a:?}");
        assert!((a.mu_star - a.mu).abs() < 1e-12);
        assert!((a.sigma - (ea2 - ea1) / 2f64.sqrt()).abs() < 1e-12, "{a:?}");
        // Effect of b: 0.1·a/2 at the a of its step: 4/3 (trajectory 1), 2/3 (trajectory 2).
        let (eb1, eb2) = (0.1 * (4.0 / 3.0) / 2.0, 0.1 * (2.0 / 3.0) / 2.0);
        assert!((b.mu - (eb1 + eb2) / 2.0).abs() < 1e-12, "{b:?}");
        assert_eq!((a.parameter.as_str(), b.parameter.as_str(), a.n, b.n), ("a", "b", 2, 2));
        let top = top_outcomes(&effects, 5);
        assert_eq!(top.len(), 1);
        assert_eq!(top[0][0].parameter, "a");
    }
}
