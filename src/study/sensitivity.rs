//! Sensitivity: which assumptions matter, over a design run on common random numbers.
//!
//! Morris screening ([`morris`]): the elementary effects of each parameter on each outcome,
//! summarised as μ (mean), μ* (mean absolute value: how much the parameter matters) and σ
//! (spread: interaction or non-linearity), as in Campolongo, Cariboni & Saltelli (2007) and
//! SALib's `morris.analyze`. Effects are per unit of each parameter's range scaled to [0, 1], so
//! μ* is comparable across parameters: the change in the outcome when the parameter moves across
//! its whole range. Sobol indices ([`sobol`]): first-order and total, from a Saltelli design,
//! with bootstrap intervals.

use serde::Serialize;

use super::sweep::{SweepPlan, SweepResult, check_points};
use super::{Progress, StudyError};
use crate::draw;
use crate::scenario::sweep::{self, DesignKind, Vary};
use crate::scenario::{Scenario, Source};

/// An outcome in words: `P(NATO forms)`, `P(SWE in NATO at the end)`, `binding pacts alive at
/// the end (mean)`, `binding pacts formed (mean)`.
pub fn outcome_words(statistic: &str, pact: &str, state: &str) -> String {
    match statistic {
        "p_formed" => format!("P({pact} forms)"),
        "alive_mean" => format!("{pact} pacts alive at the end (mean)"),
        "formed_mean" => format!("{pact} pacts formed (mean)"),
        _ => format!("P({state} in {pact} at the end)"),
    }
}

/// The effects of one parameter on one outcome.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Effect {
    /// `p_final` or `p_formed`; for a scenario with templates also `alive_mean` and
    /// `formed_mean` of each kind of template (`pact` is then the kind: informal, issue,
    /// binding), in pacts rather than a share.
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
    let Some(len) = design.block.filter(|_| design.kind == DesignKind::Morris) else {
        return Vec::new();
    };
    let k = design.parameters.len();
    let variants = design.variants.len();
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
    for (statistic, pact, state, y) in outcome_series(result) {
        let mut per_param: Vec<Vec<f64>> = vec![Vec::new(); k];
        for &(i, a, b, delta) in &steps {
            per_param[i].push((y[b] - y[a]) / delta);
        }
        if per_param.iter().flatten().all(|e| *e == 0.0) {
            continue;
        }
        for (i, effects) in per_param.iter().enumerate().filter(|(_, e)| !e.is_empty()) {
            let (mu, mu_star, sigma, n) = summarise(effects);
            out.push(Effect {
                statistic,
                pact: pact.clone(),
                state: state.clone(),
                parameter: design.parameters[i].vary.label(),
                mu,
                mu_star,
                sigma,
                n,
            });
        }
    }
    out
}

/// Each outcome of a sweep as a series over its variants: (statistic, pact, state, values), in
/// row order (a pact's p_formed before its states' p_final).
fn outcome_series(result: &SweepResult) -> Vec<(&'static str, String, String, Vec<f64>)> {
    let variants = result.design.variants.len();
    let pairs = result.rows.len().checked_div(variants).unwrap_or(0);
    let mut out = Vec::new();
    let mut k = 0;
    while k < pairs {
        let pact = result.rows[k].pact.clone();
        out.push((
            "p_formed",
            pact.clone(),
            String::new(),
            (0..variants).map(|v| result.rows[v * pairs + k].p_formed).collect(),
        ));
        while k < pairs && result.rows[k].pact == pact {
            let series = (0..variants).map(|v| result.rows[v * pairs + k].p_final).collect();
            out.push(("p_final", pact.clone(), result.rows[k].state.clone(), series));
            k += 1;
        }
    }
    // The pacts each kind of template formed (rows in variant order, the same kinds in each).
    let kinds = result.kinds.len().checked_div(variants).unwrap_or(0);
    for j in 0..kinds {
        let kind = &result.kinds[j].kind;
        out.push((
            "alive_mean",
            kind.clone(),
            String::new(),
            (0..variants).map(|v| result.kinds[v * kinds + j].alive_mean).collect(),
        ));
        out.push((
            "formed_mean",
            kind.clone(),
            String::new(),
            (0..variants).map(|v| result.kinds[v * kinds + j].formed_mean).collect(),
        ));
    }
    out
}

/// Sobol indices of one parameter for one outcome, with 95 % bootstrap intervals.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SobolIndex {
    pub statistic: &'static str,
    pub pact: String,
    pub state: String,
    pub parameter: String,
    /// First-order index S_i: the share of the outcome's variance the parameter explains alone.
    pub first: f64,
    pub first_lo: f64,
    pub first_hi: f64,
    /// Total index S_Ti: its share including every interaction.
    pub total: f64,
    pub total_lo: f64,
    pub total_hi: f64,
    /// The outcome's variance over the design (what the indices are shares of).
    pub variance: f64,
    pub samples: usize,
}

/// Bootstrap resamples for the intervals of Sobol indices.
pub const BOOTSTRAP: usize = 500;

/// S_i = mean(f(B)·(f(AB_i) − f(A))) / V (Saltelli et al. 2010) and S_Ti = mean((f(A) −
/// f(AB_i))²) / 2V (Jansen 1999), V the variance of f over A and B together; 95 % intervals from
/// [`BOOTSTRAP`] resamples of the base samples (drawn from `seed` on a stream of their own).
/// Outcomes that do not vary over the design are left out.
pub fn sobol(result: &SweepResult, seed: u64) -> Vec<SobolIndex> {
    let design = &result.design;
    let Some(len) = design.block.filter(|_| design.kind == DesignKind::Saltelli) else {
        return Vec::new();
    };
    let k = len - 2;
    let n = design.variants.len() / len;
    // Returns (S_i, S_Ti, V). f(B) is centred on the sample mean before the first-order sum: the
    // estimator stays consistent (the term it removes has expectation 0) and no longer grows noisy
    // with the outcome's mean, which for a probability near 0 or 1 dwarfs its spread.
    let estimate = |y: &[f64], pick: &[usize], i: usize| -> Option<(f64, f64, f64)> {
        let m = pick.len() as f64;
        let (fa, fb, fab) = (|j: usize| y[j * len], |j: usize| y[j * len + 1], |j: usize| y[j * len + 2 + i]);
        let mean = pick.iter().map(|&j| fa(j) + fb(j)).sum::<f64>() / (2.0 * m);
        let var = pick.iter().map(|&j| (fa(j) - mean).powi(2) + (fb(j) - mean).powi(2)).sum::<f64>() / (2.0 * m);
        if var <= 0.0 {
            return None;
        }
        let first = pick.iter().map(|&j| (fb(j) - mean) * (fab(j) - fa(j))).sum::<f64>() / m / var;
        let total = pick.iter().map(|&j| (fa(j) - fab(j)).powi(2)).sum::<f64>() / (2.0 * m) / var;
        Some((first, total, var))
    };
    let mut rng = draw::generator(seed, draw::stream::SOBOL_BOOTSTRAP);
    let resamples: Vec<Vec<usize>> = (0..BOOTSTRAP).map(|_| (0..n).map(|_| draw::below(&mut rng, n)).collect()).collect();
    let all: Vec<usize> = (0..n).collect();
    let interval = |mut xs: Vec<f64>| -> (f64, f64) {
        if xs.is_empty() {
            // No resample varied: no interval.
            return (f64::NAN, f64::NAN);
        }
        xs.sort_by(f64::total_cmp);
        let at = |q: f64| xs[((q * (xs.len() - 1) as f64).round() as usize).min(xs.len() - 1)];
        (at(0.025), at(0.975))
    };
    let mut out = Vec::new();
    for (statistic, pact, state, y) in outcome_series(result) {
        if y.iter().all(|v| *v == y[0]) {
            continue;
        }
        for i in 0..k {
            let Some((first, total, variance)) = estimate(&y, &all, i) else {
                continue;
            };
            let boot: Vec<(f64, f64, f64)> = resamples.iter().filter_map(|pick| estimate(&y, pick, i)).collect();
            let (first_lo, first_hi) = interval(boot.iter().map(|b| b.0).collect());
            let (total_lo, total_hi) = interval(boot.iter().map(|b| b.1).collect());
            out.push(SobolIndex {
                statistic,
                pact: pact.clone(),
                state: state.clone(),
                parameter: design.parameters[i].vary.label(),
                first,
                first_lo,
                first_hi,
                total,
                total_lo,
                total_hi,
                variance,
                samples: n,
            });
        }
    }
    out
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

/// The outcomes that vary most over the design (largest variance: an index is a share of it, so
/// an outcome that barely moves can have large indices that matter little), each with its
/// indices sorted by total index (largest first).
pub fn top_sobol(indices: &[SobolIndex], count: usize) -> Vec<Vec<&SobolIndex>> {
    let mut groups: Vec<Vec<&SobolIndex>> = Vec::new();
    for x in indices {
        match groups.last_mut() {
            Some(g) if g[0].statistic == x.statistic && g[0].pact == x.pact && g[0].state == x.state => g.push(x),
            _ => groups.push(vec![x]),
        }
    }
    for g in &mut groups {
        g.sort_by(|a, b| b.total.total_cmp(&a.total).then_with(|| a.parameter.cmp(&b.parameter)));
    }
    groups.sort_by(|a, b| b[0].variance.total_cmp(&a[0].variance));
    groups.truncate(count);
    groups
}

/// The method of a sensitivity study and its design's size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Morris elementary effects: `trajectories` one-at-a-time paths through `levels` levels.
    Morris { trajectories: usize, levels: usize },
    /// Sobol indices from a Saltelli design of `samples` base samples.
    Sobol { samples: usize },
}

impl Method {
    /// `morris` or `sobol`.
    pub fn name(self) -> &'static str {
        match self {
            Method::Morris { .. } => "morris",
            Method::Sobol { .. } => "sobol",
        }
    }
}

/// What a sensitivity study is asked to run.
#[derive(Debug, Clone)]
pub struct SensitivityOptions {
    /// The parameters and their ranges (`--vary`).
    pub varies: Vec<Vary>,
    pub method: Method,
    /// Report only these outcomes (`PACT.STATE.p_final`, `PACT.p_formed`); empty: every one.
    pub outcomes: Vec<String>,
    pub runs: Option<u32>,
    pub seed: Option<u64>,
}

/// An outcome a study reports: `p_final` of a state in a pact, or `p_formed` of a pact (state
/// empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub statistic: &'static str,
    pub pact: String,
    pub state: String,
}

impl Outcome {
    /// Parses `PACT.STATE.p_final`, `PACT.p_formed`, or `KIND.alive_mean` / `KIND.formed_mean`
    /// for a kind of the scenario's templates, checking the ids against `sc` (read from `file`).
    pub fn parse(text: &str, sc: &Scenario, file: &std::path::Path) -> Result<Outcome, StudyError> {
        let parts: Vec<&str> = text.split('.').collect();
        if let [kind, statistic @ ("alive_mean" | "formed_mean")] = parts.as_slice() {
            let kinds: Vec<&str> = sc.templates.iter().map(|t| t.kind.name()).collect();
            if !kinds.contains(kind) {
                return Err(StudyError::Invalid(format!(
                    "--outcome {text}: {}: `{kind}` is not a kind of the scenario's templates ({})",
                    file.display(),
                    if kinds.is_empty() {
                        "it has none".to_string()
                    } else {
                        kinds.join(", ")
                    }
                )));
            }
            return Ok(Outcome {
                statistic: if *statistic == "alive_mean" { "alive_mean" } else { "formed_mean" },
                pact: kind.to_string(),
                state: String::new(),
            });
        }
        let (statistic, pact, state) = match parts.as_slice() {
            [pact, "p_formed"] => ("p_formed", *pact, ""),
            [pact, state, "p_final"] => ("p_final", *pact, *state),
            _ => {
                return Err(StudyError::Invalid(format!(
                    "--outcome {text}: write PACT.STATE.p_final or PACT.p_formed (e.g. NATO.SWE.p_final), or KIND.alive_mean / KIND.formed_mean for a kind of the scenario's templates (e.g. binding.alive_mean)"
                )));
            }
        };
        let context = || format!("--outcome {text}");
        super::pact(sc, pact).map_err(|e| StudyError::from(e.in_file(file)).at(context()))?;
        if !state.is_empty() {
            super::state(sc, state).map_err(|e| StudyError::from(e.in_file(file)).at(context()))?;
        }
        Ok(Outcome {
            statistic,
            pact: pact.to_string(),
            state: state.to_string(),
        })
    }

    fn is(&self, statistic: &str, pact: &str, state: &str) -> bool {
        self.statistic == statistic && self.pact == pact && self.state == state
    }
}

/// A sensitivity study ready to run: its design (every point checked) and what it reports.
#[derive(Debug, Clone)]
pub struct SensitivityPlan {
    pub sweep: SweepPlan,
    pub method: Method,
    pub outcomes: Vec<Outcome>,
}

/// Plans a sensitivity study of the scenario in `source` (after `sets`).
pub fn plan(source: Source, sets: Vec<String>, options: SensitivityOptions) -> Result<SensitivityPlan, StudyError> {
    let base = crate::scenario::from_source(&source, &sets)?;
    let (runs, seed) = super::replicates(&base, options.runs, options.seed)?;
    let runs = u64::from(runs);
    let outcomes = options
        .outcomes
        .iter()
        .map(|o| Outcome::parse(o, &base, &source.path))
        .collect::<Result<Vec<_>, _>>()?;
    let design = match options.method {
        Method::Sobol { samples } => sweep::saltelli(&source, &sets, options.varies, samples, seed)?,
        Method::Morris { trajectories, levels } => sweep::morris(&source, &sets, options.varies, trajectories, levels, seed)?,
    };
    check_points(&source, &sets, &design, "design point")?;
    Ok(SensitivityPlan {
        sweep: SweepPlan {
            source,
            base,
            sets,
            design,
            seed,
            runs,
            replicates: 0..runs,
            shard: None,
        },
        method: options.method,
        outcomes,
    })
}

/// What a sensitivity study found: every design point's outcomes, and the Morris effects or
/// Sobol indices of the outcomes asked for (every one that moves, by default).
#[derive(Debug, Clone)]
pub struct Sensitivity {
    pub result: SweepResult,
    pub effects: Vec<Effect>,
    pub indices: Vec<SobolIndex>,
}

impl SensitivityPlan {
    /// Runs every design point on the same replicates and estimates the effects or indices.
    pub fn run(&self, progress: &dyn Progress) -> Result<Sensitivity, StudyError> {
        let result = self.sweep.run(progress, &mut |_, _| Ok(()))?;
        let mut effects = morris(&result);
        let mut indices = sobol(&result, self.sweep.seed);
        if !self.outcomes.is_empty() {
            let wanted = |statistic: &str, pact: &str, state: &str| self.outcomes.iter().any(|o| o.is(statistic, pact, state));
            effects.retain(|e| wanted(e.statistic, &e.pact, &e.state));
            indices.retain(|x| wanted(x.statistic, &x.pact, &x.state));
        }
        Ok(Sensitivity { result, effects, indices })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::sweep::{Design, Parameter, Variant, Vary};
    use crate::study::sweep::{Row, SweepResult};

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
            kind: DesignKind::Morris,
            block: Some(3),
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
