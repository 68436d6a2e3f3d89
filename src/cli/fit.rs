//! `pactsim fit`: search the ranges of the `--vary` parameters for values whose runs come closest
//! to the scenario's `[[target]]`s: a point estimate (Nelder–Mead) or a posterior sample (ABC).
//!
//! The distance of a run is Σ over targets of ((observed − value) / tolerance)², a target with
//! nothing observed (a median over no replicate) counting 100; a target is met when its term is at
//! most 1. Every point runs the same replicates (common random numbers), so the distance is a
//! deterministic function of the parameters. `nelder-mead` spends half its budget on an
//! Owen-scrambled Sobol sequence over the ranges (global) and the rest on a simplex from the best
//! point found (local); `abc` runs ABC sequential Monte Carlo from a uniform prior on the ranges
//! down to a tolerance (by default: the number of targets, every target within its tolerance on
//! average), and its last generation is the posterior sample. The algorithms are in
//! [`crate::run::search`]; the files in [`crate::report::fit`]; the charts in [`crate::plot`].

use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use clap::Args;
use rand::SeedableRng;

use super::{ReplicateArgs, ScenarioArgs, say_where};
use crate::output;
use crate::report::fit::{FitParameter, FitPoint, FitResult, GenerationInfo, Posterior, distance};
use crate::report::{Identity, Staging, Summary, outdir};
use crate::run::search::{self, AbcOptions, Objective};
use crate::run::{self, RunSpec};
use crate::scenario::sweep::{self, Parameter, Vary, round12};
use crate::scenario::{self, Source};

#[derive(Debug, Args)]
pub struct FitArgs {
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    /// A parameter to fit and its range: PATH=LO..HI, `*LO..*HI` for multipliers (repeatable).
    #[arg(long = "vary", value_name = "SPEC", required = true)]
    pub vary: Vec<String>,
    /// `nelder-mead`: a point estimate (a Sobol search, then a simplex); `abc`: a posterior
    /// sample (ABC sequential Monte Carlo from a uniform prior on the ranges).
    #[arg(long, default_value = "nelder-mead", value_parser = ["nelder-mead", "abc"])]
    pub method: String,
    /// At most how many points to run (default 60 for nelder-mead, 3000 for abc).
    #[arg(long)]
    pub budget: Option<usize>,
    /// ABC: particles per generation (the size of the posterior sample).
    #[arg(long, default_value_t = 100)]
    pub particles: usize,
    /// ABC: the tolerance to reach on the distance (default: the number of targets).
    #[arg(long)]
    pub epsilon: Option<f64>,
    #[command(flatten)]
    pub replicates: ReplicateArgs,
    /// Output directory (default: output/<scenario file stem>-fit/, or a numbered sibling when
    /// that holds a different result).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Replace the result in --out even if it is a different one (pactsim never replaces a
    /// directory it did not write).
    #[arg(long, requires = "out")]
    pub replace: bool,
    /// Do not draw charts.
    #[arg(long)]
    pub no_charts: bool,
    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
}

struct Problem<'a> {
    progress: super::progress::Progress,
    source: &'a Source,
    base: &'a [String],
    parameters: &'a [Parameter],
    seed: u64,
    runs: u64,
    points: Vec<FitPoint>,
    best: Option<(usize, Summary, String)>,
}

impl Problem<'_> {
    /// The parameters' values at `x` in the unit cube (clamped into it).
    fn values(&self, x: &[f64]) -> Vec<f64> {
        self.parameters
            .iter()
            .zip(x)
            .map(|(p, &u)| {
                let (lo, hi) = p.vary.range.unwrap_or((0.0, 1.0));
                round12(lo + (hi - lo) * u.clamp(0.0, 1.0))
            })
            .collect()
    }
}

impl Objective for Problem<'_> {
    type Error = anyhow::Error;

    fn spent(&self) -> usize {
        self.points.len()
    }

    fn evaluate(&mut self, x: &[f64], stage: &str) -> Result<f64> {
        let values = self.values(x);
        // The simplex revisits points; a posterior may too. A point runs once.
        if let Some(p) = self.points.iter().rev().find(|p| p.values == values) {
            return Ok(p.distance);
        }
        let sets: Vec<String> = self.base.iter().cloned().chain(sweep::sets_for(self.parameters, &values)).collect();
        let sc = scenario::from_source(self.source, &sets).with_context(|| format!("point {}", sets.join(" ")))?;
        let spec = RunSpec {
            seed: self.seed,
            replicates: 0..self.runs,
            keep_decisions: 0,
        };
        let progress = &self.progress;
        let summary = Summary::new(&sc, &run::run(&sc, &spec, &|_| progress.inc(0)).tally, self.seed);
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
        self.progress.set_message(format!(
            "fit, {stage}, best distance {:.3}",
            self.best.as_ref().map_or(f64::NAN, |b| distance(&b.1.targets))
        ));
        self.progress.inc(1);
        Ok(d)
    }
}

pub fn cmd_fit(args: FitArgs) -> Result<()> {
    let varies = args.vary.iter().map(|v| Vary::parse(v)).collect::<Result<Vec<_>, _>>()?;
    if let Some(v) = varies.iter().find(|v| v.range.is_none()) {
        bail!("--vary {}: a fit searches a range: give LO..HI", v.spec);
    }
    let abc = args.method == "abc";
    let budget = args.budget.unwrap_or(if abc { 3000 } else { 60 });
    if abc && args.particles < 10 {
        bail!("--particles {} is too few for a posterior sample: give at least 10", args.particles);
    }
    if abc && budget < 2 * args.particles {
        bail!(
            "--budget {budget} cannot fill two generations of {} particles: give at least {}",
            args.particles,
            2 * args.particles
        );
    }
    if let Some(e) = args.epsilon
        && !(e.is_finite() && e > 0.0)
    {
        bail!("--epsilon {e}: give a positive distance (a target within its tolerance adds at most 1)");
    }
    let (source, base) = super::sweep::read_source(&args.scenario)?;
    if base.targets.is_empty() {
        bail!(
            "{} has no [[target]]: a fit needs observed facts to reproduce (see README, `A scenario file`)",
            args.scenario.file.display()
        );
    }
    let (runs, seed) = args.replicates.resolve(&base)?;
    let parameters = sweep::parameters(&source, &args.scenario.set, varies)?;
    let k = parameters.len();
    if !abc && budget < 2 * (k + 1) {
        bail!(
            "--budget {budget} is too small for {k} parameters: the simplex alone runs {} points; give at least {}",
            k + 1,
            2 * (k + 1)
        );
    }
    let identity = Identity::new(&format!("fit {}", args.method))
        .with("scenario_hash", &base.hash)
        .with("vary", args.vary.join(" "))
        .with("budget", budget)
        .with("particles", args.particles)
        .with("epsilon", args.epsilon.map_or("default".to_string(), |e| e.to_string()))
        .with("seed", seed)
        .with("runs", runs)
        .command(outdir::command_line());
    let default = output::default_dir_with(&args.scenario.file, "-fit");
    let dest = outdir::choose(args.out.as_deref(), &default, identity, args.replace)?;
    let t0 = Instant::now();
    let spec = RunSpec {
        seed,
        replicates: 0..u64::from(runs),
        keep_decisions: 0,
    };
    let before = Summary::new(&base, &run::run(&base, &spec, &|_| {}).tally, seed);
    // Progress on stderr (never with --quiet): a fit runs many points.
    let progress = super::progress::Progress::new(budget as u64, "points", args.quiet);
    progress.set_message("fit");
    let mut problem = Problem {
        progress,
        source: &source,
        base: &args.scenario.set,
        parameters: &parameters,
        seed,
        runs: u64::from(runs),
        points: Vec::new(),
        best: None,
    };
    let (method_words, posterior) = if abc {
        let epsilon = args.epsilon.unwrap_or(base.targets.len() as f64);
        let options = AbcOptions {
            particles: args.particles,
            quantile: 0.5,
            epsilon,
            budget,
        };
        // The sampler's own stream: the last one, which no replicate uses.
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(u64::MAX);
        let generations = search::abc_smc(&mut problem, k, &options, &mut rng)?;
        let last = generations.last().expect("generation 0");
        let scale = |x: &Vec<f64>| problem.values(x);
        let posterior = Posterior {
            epsilon: last.epsilon,
            particles: last.particles.iter().map(scale).collect(),
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
            "ABC sequential Monte Carlo, {} particles, {} generations, tolerance {:.3}{}",
            args.particles,
            generations.len(),
            last.epsilon,
            if last.epsilon > epsilon {
                format!(" (the budget ran out before {epsilon})")
            } else {
                String::new()
            }
        );
        (words, Some(posterior))
    } else {
        // Global: a scrambled Sobol sequence over the ranges.
        let scramble = (seed ^ (seed >> 32)) as u32;
        for j in 0..(budget / 2) as u32 {
            let x: Vec<f64> = (0..k as u32).map(|d| f64::from(sobol_burley::sample(j, d, scramble))).collect();
            problem.evaluate(&x, "global")?;
        }
        // Local: Nelder–Mead from the best global point.
        let best = &problem.points[problem.best.as_ref().expect("at least one point").0];
        let start = parameters
            .iter()
            .zip(&best.values)
            .map(|(p, v)| {
                let (lo, hi) = p.vary.range.unwrap_or((0.0, 1.0));
                (v - lo) / (hi - lo)
            })
            .collect();
        search::nelder_mead(&mut problem, start, budget)?;
        ("a scrambled Sobol sequence, then Nelder–Mead".to_string(), None)
    };
    problem.progress.finish();
    let (best, after, resolved) = problem.best.clone().expect("at least one point");
    let result = FitResult {
        scenario: base.name.clone(),
        seed,
        runs: u64::from(runs),
        method: if abc { "abc" } else { "nelder-mead" },
        method_words,
        budget,
        parameters: parameters
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
        points: problem.points,
        best,
        posterior,
        before: before.targets,
        after: after.targets,
    };
    let staging = Staging::new(&dest)?;
    let dir = staging.path();
    let written: Result<()> = (|| {
        result.write_points(dir)?;
        result.write_posterior(dir)?;
        result.write_json(dir)?;
        result.write_fitted(dir, &resolved)?;
        if !args.no_charts {
            crate::plot::draw_fit(&dir.join("charts"), &result)?;
        }
        Ok(())
    })();
    written.map_err(|e| staging.user_error(e))?;
    let committed = staging.commit()?;
    say_where(&dest, Some(&committed), args.quiet);
    if args.quiet {
        return Ok(());
    }
    print_fit(&result, k, t0.elapsed().as_secs_f64(), &committed.path)
}

fn print_fit(r: &FitResult, k: usize, seconds: f64, out: &std::path::Path) -> Result<()> {
    let mut o = std::io::stdout().lock();
    let met = |t: &[crate::report::TargetResult]| t.iter().filter(|t| t.met).count();
    writeln!(
        o,
        "{}: fit of {k} parameters to {} targets, {} points × {} replicates (seed {}) in {seconds:.1} s",
        r.scenario,
        r.before.len(),
        r.points.len(),
        r.runs,
        r.seed
    )?;
    writeln!(o, "  method: {}", r.method_words)?;
    writeln!(o, "  best point:")?;
    for (p, v) in r.parameters.iter().zip(r.best_values()) {
        writeln!(o, "    {} = {v}", p.label)?;
    }
    let marginals = r.marginals();
    if !marginals.is_empty() {
        writeln!(o, "  posterior (median, 90 % interval, share of the range it spans):")?;
        for m in &marginals {
            writeln!(
                o,
                "    {}: {:.4} ({:.4} .. {:.4}), {:.0} %: {}",
                m.parameter,
                m.median,
                m.q05,
                m.q95,
                100.0 * m.width_share,
                m.verdict
            )?;
        }
    }
    let ridges: Vec<String> = r
        .correlations()
        .into_iter()
        .filter(|c| c.2.abs() >= 0.3)
        .take(3)
        .map(|(a, b, c)| format!("{a} and {b} ({c:+.2})"))
        .collect();
    if !ridges.is_empty() {
        writeln!(
            o,
            "  correlated in the posterior (a trade-off history cannot separate): {}",
            ridges.join("; ")
        )?;
    }
    writeln!(
        o,
        "  distance {:.3} -> {:.3}; targets met {} -> {} of {}",
        distance(&r.before),
        distance(&r.after),
        met(&r.before),
        met(&r.after),
        r.after.len()
    )?;
    for (b, a) in r.before.iter().zip(&r.after) {
        writeln!(
            o,
            "    {} {}: {} -> {} (observed {} ± {})",
            if a.met { "met   " } else { "MISSED" },
            a.label,
            b.observed_text,
            a.observed_text,
            a.value,
            a.tolerance
        )?;
    }
    writeln!(o, "wrote {}", out.display())?;
    Ok(())
}
