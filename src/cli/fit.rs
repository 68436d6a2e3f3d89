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
//! average), and its last generation is the posterior sample. The fit is
//! [`crate::study::fit`] (its algorithms in [`crate::run::search`]); the files are written by
//! [`crate::report::fit`], the charts drawn by [`crate::plot::draw_fit`].

use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::Result;
use clap::{Args, ValueEnum};

use super::progress::Bar;
use super::{ReplicateArgs, ScenarioArgs, say_where};
use crate::output;
use crate::report::{self, Identity, Staging, outdir};
use crate::study::fit::{self, FitMethod, FitOptions, FitResult, distance};
use crate::study::{self, TargetResult};

/// `fit --method`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FitMethodArg {
    NelderMead,
    Abc,
}

#[derive(Debug, Args)]
pub struct FitArgs {
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    /// A parameter to fit and its range: PATH=LO..HI, `*LO..*HI` for multipliers (repeatable).
    #[arg(long = "vary", value_name = "SPEC", required = true)]
    pub vary: Vec<String>,
    /// `nelder-mead`: a point estimate (a Sobol search, then a simplex); `abc`: a posterior
    /// sample (ABC sequential Monte Carlo from a uniform prior on the ranges).
    #[arg(long, value_enum, default_value_t = FitMethodArg::NelderMead)]
    pub method: FitMethodArg,
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

pub fn cmd_fit(args: FitArgs) -> Result<()> {
    let varies = super::sweep::varies(&args.vary)?;
    let method = match args.method {
        FitMethodArg::NelderMead => FitMethod::NelderMead,
        FitMethodArg::Abc => FitMethod::Abc {
            particles: args.particles,
            epsilon: args.epsilon,
        },
    };
    let source = study::read_file(&args.scenario.file)?;
    let plan = fit::plan(
        source,
        args.scenario.sets()?,
        FitOptions {
            varies,
            method,
            budget: args.budget,
            runs: args.replicates.runs,
            seed: args.replicates.seed,
        },
    )?;
    let identity = Identity::new(&format!("fit {}", method.name()))
        .with("scenario_hash", &plan.base.hash)
        .with("vary", args.vary.join(" "))
        .with("budget", plan.budget)
        .with("particles", args.particles)
        .with("epsilon", args.epsilon.map_or("default".to_string(), |e| e.to_string()))
        .with("seed", plan.seed)
        .with("runs", plan.runs)
        .command(outdir::command_line());
    let default = output::default_dir_with(&args.scenario.file, "-fit");
    let dest = outdir::choose(args.out.as_deref(), &default, identity, args.replace)?;
    let t0 = Instant::now();
    let bar = Bar::new(args.quiet);
    let result = plan.run(&bar)?;
    bar.finish();
    let staging = Staging::new(&dest)?;
    let dir = staging.path();
    let written: Result<()> = (|| {
        report::fit::write_points(dir, &result)?;
        report::fit::write_posterior(dir, &result)?;
        report::fit::write_json(dir, &result)?;
        report::fit::write_fitted(dir, &result)?;
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
    print_fit(&result, plan.parameters.len(), t0.elapsed().as_secs_f64(), &committed.path)
}

fn print_fit(r: &FitResult, k: usize, seconds: f64, out: &std::path::Path) -> Result<()> {
    let mut o = std::io::stdout().lock();
    let met = |t: &[TargetResult]| t.iter().filter(|t| t.met).count();
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
