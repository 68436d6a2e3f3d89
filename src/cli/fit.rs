//! `pactsim fit`: search the ranges of the `--vary` parameters for values whose runs come closest
//! to the scenario's `[[target]]`s.
//!
//! The distance of a run is Σ over targets of ((observed − value) / tolerance)², a target with
//! nothing observed (a median over no replicate) counting 100; a target is met when its term is at
//! most 1. Every point runs the same replicates (common random numbers), so the distance is a
//! deterministic function of the parameters. The search spends half its budget on an
//! Owen-scrambled Sobol sequence over the ranges (global) and the rest on a Nelder–Mead simplex
//! from the best point found (local), kept inside the ranges by clamping. The simplex is written
//! here (30 lines) because the crates that offer one do not bound it to a box.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use clap::Args;
use serde::Serialize;

use super::{ReplicateArgs, ScenarioArgs, default_out};
use crate::report::{self, Staging, Summary, TargetResult};
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
    /// At most how many points to run (half global, half local).
    #[arg(long, default_value_t = 60)]
    pub budget: usize,
    #[command(flatten)]
    pub replicates: ReplicateArgs,
    /// Output directory (default: output/<scenario file stem>-fit/).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
}

/// One evaluated point.
#[derive(Debug, Clone, Serialize)]
struct Point {
    values: Vec<f64>,
    distance: f64,
    met: usize,
    stage: &'static str,
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

struct Problem<'a> {
    bar: indicatif::ProgressBar,
    source: &'a Source,
    base: &'a [String],
    parameters: &'a [Parameter],
    seed: u64,
    runs: u64,
    points: Vec<Point>,
    best: Option<(Vec<f64>, Summary, String)>,
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

    fn evaluate(&mut self, x: &[f64], stage: &'static str) -> Result<f64> {
        let values = self.values(x);
        if let Some(p) = self.points.iter().find(|p| p.values == values) {
            return Ok(p.distance);
        }
        let sets: Vec<String> = self.base.iter().cloned().chain(sweep::sets_for(self.parameters, &values)).collect();
        let sc = scenario::from_source(self.source, &sets).with_context(|| format!("point {}", sets.join(" ")))?;
        let spec = RunSpec {
            seed: self.seed,
            replicates: 0..self.runs,
            keep_decisions: 0,
        };
        let summary = Summary::new(&sc, &run::run(&sc, &spec, &|_| {}).tally, self.seed);
        let d = distance(&summary.targets);
        let met = summary.targets.iter().filter(|t| t.met).count();
        if self
            .best
            .as_ref()
            .is_none_or(|(v, b, _)| d < distance(&b.targets) || (d == distance(&b.targets) && values < *v))
        {
            self.best = Some((values.clone(), summary, sc.resolved_toml.clone()));
        }
        self.points.push(Point {
            values,
            distance: d,
            met,
            stage,
        });
        self.bar.inc(1);
        self.bar.set_message(format!(
            "best distance {:.3}",
            self.best.as_ref().map_or(f64::NAN, |b| distance(&b.1.targets))
        ));
        Ok(d)
    }
}

pub fn cmd_fit(args: FitArgs) -> Result<()> {
    let varies = args.vary.iter().map(|v| Vary::parse(v)).collect::<Result<Vec<_>, _>>()?;
    if let Some(v) = varies.iter().find(|v| v.range.is_none()) {
        bail!("--vary {}: a fit searches a range: give LO..HI", v.spec);
    }
    if args.budget < 4 {
        bail!("--budget {} is too small: give at least 4 points", args.budget);
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
    let t0 = Instant::now();
    let before = Summary::new(
        &base,
        &run::run(
            &base,
            &RunSpec {
                seed,
                replicates: 0..u64::from(runs),
                keep_decisions: 0,
            },
            &|_| {},
        )
        .tally,
        seed,
    );
    // A progress bar (stderr, a terminal only; never with --quiet): a fit runs many points.
    let bar = indicatif::ProgressBar::with_draw_target(
        Some(args.budget as u64),
        if args.quiet {
            indicatif::ProgressDrawTarget::hidden()
        } else {
            indicatif::ProgressDrawTarget::stderr()
        },
    );
    bar.set_style(
        indicatif::ProgressStyle::with_template("{spinner} fit [{bar:30}] {pos}/{len} points, {msg}, ETA {eta}").expect("valid template"),
    );
    let mut problem = Problem {
        bar,
        source: &source,
        base: &args.scenario.set,
        parameters: &parameters,
        seed,
        runs: u64::from(runs),
        points: Vec::new(),
        best: None,
    };
    // Global: a scrambled Sobol sequence over the ranges.
    let scramble = (seed ^ (seed >> 32)) as u32;
    let global = args.budget / 2;
    for j in 0..global as u32 {
        let x: Vec<f64> = (0..k as u32).map(|d| f64::from(sobol_burley::sample(j, d, scramble))).collect();
        problem.evaluate(&x, "global")?;
    }
    // Local: Nelder–Mead from the best global point.
    let unit = |values: &[f64]| -> Vec<f64> {
        parameters
            .iter()
            .zip(values)
            .map(|(p, v)| {
                let (lo, hi) = p.vary.range.unwrap_or((0.0, 1.0));
                (v - lo) / (hi - lo)
            })
            .collect()
    };
    let start = unit(&problem.best.as_ref().expect("at least one point").0);
    nelder_mead(&mut problem, start, args.budget)?;

    problem.bar.finish_and_clear();
    let (values, after, resolved) = problem.best.clone().expect("at least one point");
    let out = args.out.clone().unwrap_or_else(|| {
        let mut dir = default_out(&args.scenario.file).into_os_string();
        dir.push("-fit");
        PathBuf::from(dir)
    });
    let staging = Staging::new(&out)?;
    let dir = staging.path();
    write_points(dir, &parameters, &problem.points)?;
    let fitted = parameters
        .iter()
        .zip(&values)
        .map(|(p, v)| serde_json::json!({"parameter": p.vary.label(), "range": p.vary.range, "value": v}))
        .collect::<Vec<_>>();
    report::json::write(
        &dir.join("fit.json"),
        &serde_json::json!({
            "scenario": base.name,
            "version": env!("CARGO_PKG_VERSION"),
            "seed": seed,
            "runs": runs,
            "method": "sobol (global) then nelder-mead (local)",
            "budget": args.budget,
            "evaluated": problem.points.len(),
            "fitted": fitted,
            "distance_before": distance(&before.targets),
            "distance_after": distance(&after.targets),
            "targets_before": before.targets,
            "targets_after": after.targets,
        }),
    )?;
    let mut header = format!(
        "# {} with fitted values: `pactsim fit` (seed {seed}, {runs} replicates per point, {} points: a scrambled Sobol sequence, then Nelder–Mead)\n",
        base.name,
        problem.points.len()
    );
    for (p, v) in parameters.iter().zip(&values) {
        let (lo, hi) = p.vary.range.unwrap_or((0.0, 1.0));
        header.push_str(&format!("#   {} = {v}   (searched {lo} .. {hi})\n", p.vary.label()));
    }
    header.push_str(&format!(
        "# Targets met: {} of {} before, {} of {} after; distance {:.3} -> {:.3}.\n# Every default is written out; the values above are in place.\n\n",
        before.targets.iter().filter(|t| t.met).count(),
        before.targets.len(),
        after.targets.iter().filter(|t| t.met).count(),
        after.targets.len(),
        distance(&before.targets),
        distance(&after.targets)
    ));
    std::fs::write(dir.join("fitted.toml"), header + &resolved).context("writing fitted.toml")?;
    let out = staging.commit()?;
    if args.quiet {
        return Ok(());
    }
    let mut o = std::io::stdout().lock();
    writeln!(
        o,
        "{}: fit of {k} parameters to {} targets, {} points × {runs} replicates (seed {seed}) in {:.1} s",
        base.name,
        before.targets.len(),
        problem.points.len(),
        t0.elapsed().as_secs_f64()
    )?;
    for (p, v) in parameters.iter().zip(&values) {
        writeln!(o, "  {} = {v}", p.vary.label())?;
    }
    writeln!(
        o,
        "  distance {:.3} -> {:.3}; targets met {} -> {} of {}",
        distance(&before.targets),
        distance(&after.targets),
        before.targets.iter().filter(|t| t.met).count(),
        after.targets.iter().filter(|t| t.met).count(),
        after.targets.len()
    )?;
    for (b, a) in before.targets.iter().zip(&after.targets) {
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

/// Nelder–Mead on the unit cube (points clamped into it), from `start`, until `budget` points
/// have been evaluated in all (Lagarias et al. 1998 coefficients: reflection 1, expansion 2,
/// contraction ½, shrink ½; initial steps of 0.15).
fn nelder_mead(problem: &mut Problem, start: Vec<f64>, budget: usize) -> Result<()> {
    let k = start.len();
    let clamp = |x: Vec<f64>| x.into_iter().map(|v| v.clamp(0.0, 1.0)).collect::<Vec<f64>>();
    let mut simplex: Vec<(Vec<f64>, f64)> = Vec::with_capacity(k + 1);
    let f0 = problem.evaluate(&start, "local")?;
    simplex.push((start.clone(), f0));
    for i in 0..k {
        let mut x = start.clone();
        x[i] = if x[i] + 0.15 <= 1.0 { x[i] + 0.15 } else { x[i] - 0.15 };
        let f = problem.evaluate(&x, "local")?;
        simplex.push((x, f));
    }
    let along = |a: &[f64], b: &[f64], t: f64| clamp(a.iter().zip(b).map(|(a, b)| a + t * (b - a)).collect());
    // An iteration runs at most k + 2 new points (a shrink, after a reflection and a contraction).
    while problem.points.len() + k + 2 <= budget {
        simplex.sort_by(|a, b| a.1.total_cmp(&b.1));
        let worst = simplex[k].clone();
        let centroid: Vec<f64> = (0..k)
            .map(|d| simplex[..k].iter().map(|p| p.0[d]).sum::<f64>() / k as f64)
            .collect();
        let reflected = along(&centroid, &worst.0, -1.0);
        let fr = problem.evaluate(&reflected, "local")?;
        if fr < simplex[0].1 {
            let expanded = along(&centroid, &worst.0, -2.0);
            let fe = problem.evaluate(&expanded, "local")?;
            simplex[k] = if fe < fr { (expanded, fe) } else { (reflected, fr) };
        } else if fr < simplex[k - 1].1 {
            simplex[k] = (reflected, fr);
        } else {
            let contracted = along(&centroid, &worst.0, 0.5);
            let fc = problem.evaluate(&contracted, "local")?;
            if fc < worst.1 {
                simplex[k] = (contracted, fc);
            } else {
                let best = simplex[0].0.clone();
                for p in simplex.iter_mut().skip(1) {
                    let x = along(&best, &p.0, 0.5);
                    p.1 = problem.evaluate(&x, "local")?;
                    p.0 = x;
                }
            }
        }
        // A simplex that has collapsed onto one point has nothing left to search.
        let spread = simplex
            .iter()
            .map(|p| p.0.iter().zip(&simplex[0].0).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max))
            .fold(0.0, f64::max);
        if spread < 1e-4 {
            break;
        }
    }
    Ok(())
}

/// fit.csv: every evaluated point, in order: stage, the parameters' values, distance, targets met.
fn write_points(dir: &Path, parameters: &[Parameter], points: &[Point]) -> Result<()> {
    let path = dir.join("fit.csv");
    let mut w = csv::Writer::from_path(&path).with_context(|| format!("writing {}", path.display()))?;
    let mut header = vec!["point".to_string(), "stage".to_string()];
    header.extend(parameters.iter().map(|p| p.vary.label()));
    header.extend(["distance".to_string(), "targets_met".to_string()]);
    w.write_record(&header)?;
    for (i, p) in points.iter().enumerate() {
        let mut rec = vec![i.to_string(), p.stage.to_string()];
        rec.extend(p.values.iter().map(|v| v.to_string()));
        rec.extend([format!("{:.6}", p.distance), p.met.to_string()]);
        w.write_record(&rec)?;
    }
    w.flush()?;
    Ok(())
}
