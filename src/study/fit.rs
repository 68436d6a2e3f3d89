//! A fit: the `--vary` parameters searched for values whose runs come closest to the scenario's
//! `[[target]]`s, and what it produced ([`FitResult`]): every point run, the best point, the ABC
//! posterior's marginals and correlations. The files are written by [`crate::report::fit`], the
//! charts drawn by [`crate::plot::draw_fit`].

use serde::Serialize;

use super::{Progress, StudyError, Summary, TargetResult, check_cancelled};
use crate::draw;
use crate::run::search::{self, AbcOptions, Objective};
use crate::run::{self, RunSpec};
use crate::scenario::sweep::{self, Parameter, Vary, round12};
use crate::scenario::{self, Scenario, Source};

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
    /// The resolved scenario (every default written out) at the best point.
    pub fitted_toml: String,
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
}

/// How a fit searches.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FitMethod {
    /// A point estimate: half the budget on a scrambled Sobol sequence over the ranges, the rest
    /// on a Nelder–Mead simplex from the best point found.
    NelderMead,
    /// A posterior sample: ABC sequential Monte Carlo from a uniform prior on the ranges, with
    /// `particles` per generation, down to the tolerance `epsilon` (default: the number of
    /// targets).
    Abc { particles: usize, epsilon: Option<f64> },
}

impl FitMethod {
    /// `nelder-mead` or `abc`.
    pub fn name(self) -> &'static str {
        match self {
            FitMethod::NelderMead => "nelder-mead",
            FitMethod::Abc { .. } => "abc",
        }
    }

    /// The budget when none is given: 60 points for Nelder–Mead, 3000 for ABC.
    pub fn default_budget(self) -> usize {
        match self {
            FitMethod::NelderMead => 60,
            FitMethod::Abc { .. } => 3000,
        }
    }
}

/// What a fit is asked to do.
#[derive(Debug, Clone)]
pub struct FitOptions {
    /// The parameters and their ranges (`--vary`, each `LO..HI`).
    pub varies: Vec<Vary>,
    pub method: FitMethod,
    /// At most how many points to run (default: [`FitMethod::default_budget`]).
    pub budget: Option<usize>,
    pub runs: Option<u32>,
    pub seed: Option<u64>,
}

/// A fit ready to run: its options checked against the scenario.
#[derive(Debug, Clone)]
pub struct FitPlan {
    pub source: Source,
    /// The scenario after the fit's own `--set`s: the point before the fit.
    pub base: Scenario,
    pub sets: Vec<String>,
    pub parameters: Vec<Parameter>,
    pub method: FitMethod,
    pub budget: usize,
    pub seed: u64,
    pub runs: u64,
}

/// Checks a fit of the scenario in `source` (after `sets`): ranges, budget, particles,
/// tolerance, and that the scenario has targets.
pub fn plan(source: Source, sets: Vec<String>, options: FitOptions) -> Result<FitPlan, StudyError> {
    let invalid = |m: String| Err(StudyError::Invalid(m));
    if let Some(v) = options.varies.iter().find(|v| v.range.is_none()) {
        return invalid(format!("--vary {}: a fit searches a range: give LO..HI", v.spec));
    }
    let budget = options.budget.unwrap_or(options.method.default_budget());
    if let FitMethod::Abc { particles, epsilon } = options.method {
        if particles < 10 {
            return invalid(format!(
                "--particles {particles} is too few for a posterior sample: give at least 10"
            ));
        }
        if budget < 2 * particles {
            return invalid(format!(
                "--budget {budget} cannot fill two generations of {particles} particles: give at least {}",
                2 * particles
            ));
        }
        if let Some(e) = epsilon
            && !(e.is_finite() && e > 0.0)
        {
            return invalid(format!(
                "--epsilon {e}: give a positive distance (a target within its tolerance adds at most 1)"
            ));
        }
    }
    let base = scenario::from_source(&source, &sets)?;
    if base.targets.is_empty() {
        return invalid(format!(
            "{} has no [[target]]: a fit needs observed facts to reproduce (see README, `A scenario file`)",
            source.path.display()
        ));
    }
    let (runs, seed) = super::replicates(&base, options.runs, options.seed)?;
    let parameters = sweep::parameters(&source, &sets, options.varies)?;
    let k = parameters.len();
    if options.method == FitMethod::NelderMead && budget < 2 * (k + 1) {
        return invalid(format!(
            "--budget {budget} is too small for {k} parameters: the simplex alone runs {} points; give at least {}",
            k + 1,
            2 * (k + 1)
        ));
    }
    Ok(FitPlan {
        source,
        base,
        sets,
        parameters,
        method: options.method,
        budget,
        seed,
        runs: u64::from(runs),
    })
}

/// The fit's objective: the distance of the run at a point of the unit cube (mapped onto the
/// ranges), with the record of every point run and the best so far.
struct FitObjective<'a> {
    plan: &'a FitPlan,
    parsed: scenario::Parsed<'a>,
    progress: &'a dyn Progress,
    points: Vec<FitPoint>,
    /// The best point: its index in `points`, its run's summary and its resolved scenario.
    best: Option<(usize, Summary, String)>,
}

impl FitObjective<'_> {
    /// The parameters' values at `x` in the unit cube (clamped into it).
    fn values(&self, x: &[f64]) -> Vec<f64> {
        unit_to_values(&self.plan.parameters, x)
    }
}

/// The scenario's own values in the unit cube of the ranges (a multiplier's own value is 1), if
/// every parameter has one value (all its paths alike) inside its range.
fn start_point(parameters: &[Parameter]) -> Option<Vec<f64>> {
    parameters
        .iter()
        .map(|p| {
            let (lo, hi) = p.vary.range?;
            let own = if p.vary.relative {
                1.0
            } else {
                let first = p.paths.first()?.1;
                p.paths.iter().all(|(_, v)| *v == first).then_some(first)?
            };
            (hi > lo && (lo..=hi).contains(&own)).then(|| (own - lo) / (hi - lo))
        })
        .collect()
}

/// The parameters' values at `x` in the unit cube (clamped into it), to 12 digits.
fn unit_to_values(parameters: &[Parameter], x: &[f64]) -> Vec<f64> {
    parameters
        .iter()
        .zip(x)
        .map(|(p, &u)| {
            let (lo, hi) = p.vary.range.unwrap_or((0.0, 1.0));
            round12(lo + (hi - lo) * u.clamp(0.0, 1.0))
        })
        .collect()
}

impl Objective for FitObjective<'_> {
    type Error = StudyError;

    fn spent(&self) -> usize {
        self.points.len()
    }

    fn evaluate(&mut self, x: &[f64], stage: &str) -> Result<f64, StudyError> {
        check_cancelled(self.progress)?;
        let values = self.values(x);
        // The simplex revisits points; a posterior may too. A point runs once.
        if let Some(p) = self.points.iter().rev().find(|p| p.values == values) {
            return Ok(p.distance);
        }
        let plan = self.plan;
        let sets: Vec<String> = plan
            .sets
            .iter()
            .cloned()
            .chain(sweep::sets_for(&plan.parameters, &values))
            .collect();
        let sc = self
            .parsed
            .resolve(&sets)
            .map_err(|e| StudyError::from(e).at(format!("point {}", sets.join(" "))))?;
        let spec = RunSpec {
            seed: plan.seed,
            replicates: 0..plan.runs,
            keep_decisions: 0,
        };
        let progress = self.progress;
        let summary = Summary::new(&sc, &run::run(&sc, &spec, &|_| progress.advance(0)).tally, plan.seed);
        let d = distance(&summary.targets);
        let met = summary.targets.iter().filter(|t| t.met).count();
        let better = self.best.as_ref().is_none_or(|(i, b, _)| {
            let db = distance(&b.targets);
            d < db || (d == db && values < self.points[*i].values)
        });
        if better {
            self.best = Some((self.points.len(), summary, sc.resolved_toml.clone()));
        }
        self.points.push(FitPoint {
            values,
            distance: d,
            met,
            stage: stage.to_string(),
        });
        progress.message(&format!(
            "fit, {stage}, best distance {:.3}",
            self.best.as_ref().map_or(f64::NAN, |b| distance(&b.1.targets))
        ));
        progress.advance(1);
        Ok(d)
    }
}

impl FitPlan {
    /// Runs the fit: the scenario as it is, then the search; progress in points (the budget).
    /// Every point runs the same replicates (common random numbers).
    pub fn run(&self, progress: &dyn Progress) -> Result<FitResult, StudyError> {
        let base = &self.base;
        let seed = self.seed;
        let spec = RunSpec {
            seed,
            replicates: 0..self.runs,
            keep_decisions: 0,
        };
        let before = Summary::new(base, &run::run(base, &spec, &|_| {}).tally, seed);
        progress.start(self.budget as u64, "points");
        progress.message("fit");
        let k = self.parameters.len();
        let mut objective = FitObjective {
            plan: self,
            parsed: scenario::Parsed::new(&self.source)?,
            progress,
            points: Vec::new(),
            best: None,
        };
        let (method_words, posterior) = match self.method {
            FitMethod::Abc { particles, epsilon } => {
                let epsilon = epsilon.unwrap_or(base.targets.len() as f64);
                let options = AbcOptions {
                    particles,
                    quantile: 0.5,
                    epsilon,
                    budget: self.budget,
                };
                let mut rng = draw::generator(seed, draw::stream::ABC);
                let generations = search::abc_smc(&mut objective, k, &options, &mut rng)?;
                let last = generations.last().expect("generation 0");
                let posterior = Posterior {
                    epsilon: last.epsilon,
                    particles: last.particles.iter().map(|x| objective.values(x)).collect(),
                    weights: last.weights.clone(),
                    distances: last.distances.clone(),
                    generations: generations
                        .iter()
                        .map(|g| GenerationInfo {
                            epsilon: g.epsilon,
                            particles: g.particles.len(),
                            proposed: g.proposed,
                        })
                        .collect(),
                };
                let words = format!(
                    "ABC sequential Monte Carlo, {particles} particles, {} generations, tolerance {:.3}{}",
                    generations.len(),
                    last.epsilon,
                    if last.epsilon > epsilon {
                        format!(" (the budget ran out before {epsilon})")
                    } else {
                        String::new()
                    }
                );
                (words, Some(posterior))
            }
            FitMethod::NelderMead => {
                // The scenario as it is, where the ranges hold it: a point estimate never ends
                // further from the targets than it began.
                if let Some(x) = start_point(&self.parameters) {
                    objective.evaluate(&x, "start")?;
                }
                // Global: a scrambled Sobol sequence over the ranges.
                let scramble = (seed ^ (seed >> 32)) as u32;
                for j in 0..(self.budget / 2) as u32 {
                    let x: Vec<f64> = (0..k as u32).map(|d| f64::from(sobol_burley::sample(j, d, scramble))).collect();
                    objective.evaluate(&x, "global")?;
                }
                // Local: Nelder–Mead from the best global point.
                let best = &objective.points[objective.best.as_ref().expect("at least one point").0];
                let start = self
                    .parameters
                    .iter()
                    .zip(&best.values)
                    .map(|(p, v)| {
                        let (lo, hi) = p.vary.range.unwrap_or((0.0, 1.0));
                        (v - lo) / (hi - lo)
                    })
                    .collect();
                search::nelder_mead(&mut objective, start, self.budget)?;
                ("a scrambled Sobol sequence, then Nelder–Mead".to_string(), None)
            }
        };
        let (best, after, fitted_toml) = objective.best.clone().expect("at least one point");
        Ok(FitResult {
            scenario: base.name.clone(),
            seed,
            runs: self.runs,
            method: self.method.name(),
            method_words,
            budget: self.budget,
            parameters: self
                .parameters
                .iter()
                .map(|p| {
                    let (lo, hi) = p.vary.range.unwrap_or((0.0, 1.0));
                    FitParameter {
                        label: p.vary.label(),
                        lo,
                        hi,
                    }
                })
                .collect(),
            points: objective.points,
            best,
            posterior,
            before: before.targets,
            after: after.targets,
            fitted_toml,
        })
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
            fitted_toml: String::new(),
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
