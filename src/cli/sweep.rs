//! `pactsim sweep`, `pactsim sensitivity`, and `pactsim merge` of sweep shards: parse, call the
//! study ([`crate::study::sweep`], [`crate::study::sensitivity`]), write and print.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result};
use clap::{Args, ValueEnum};

use super::progress::Bar;
use super::{ReplicateArgs, ScenarioArgs, parse_shard, say_where};
use crate::output;
use crate::pages;
use crate::plot::{self, Chart};
use crate::report::{self, Identity, Staging, outdir};
use crate::scenario::sweep::{Design, DesignKind, Vary};
use crate::scenario::{self, Source};
use crate::study::sensitivity::{self, Effect, Method, Sensitivity, SensitivityOptions, SobolIndex};
use crate::study::sweep::{self as sweep_study, SweepOptions, SweepResult};
use crate::study::{self, StudyError};

/// How the values of several parameters combine (`sweep --design`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SweepDesign {
    Grid,
    Lhs,
    Sobol,
}

impl SweepDesign {
    fn kind(self) -> DesignKind {
        match self {
            SweepDesign::Grid => DesignKind::Grid,
            SweepDesign::Lhs => DesignKind::LatinHypercube,
            SweepDesign::Sobol => DesignKind::SobolSequence,
        }
    }
}

/// The method of `sensitivity --method`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SensitivityMethod {
    Morris,
    Sobol,
}

#[derive(Debug, Args)]
pub struct SweepArgs {
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    /// A parameter and its values: PATH=V1,V2,..., PATH=LO..HI:N or PATH=LO..HI/STEP, `*X` for multipliers (repeatable).
    #[arg(long = "vary", value_name = "SPEC", required = true)]
    pub vary: Vec<String>,
    /// How the values of several parameters combine: `grid` (every combination of the values
    /// given), `lhs` (a Latin hypercube of --samples points over the ranges) or `sobol` (the
    /// first --samples points of a scrambled Sobol sequence over the ranges).
    #[arg(long, value_enum, default_value_t = SweepDesign::Grid)]
    pub design: SweepDesign,
    /// Points of an `lhs` or `sobol` design.
    #[arg(long, default_value_t = 64)]
    pub samples: usize,
    #[command(flatten)]
    pub replicates: ReplicateArgs,
    /// Output directory (default: output/<scenario file stem>-sweep/, or a numbered sibling when
    /// that holds a different result).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Replace the result in --out even if it is a different one (pactsim never replaces a
    /// directory it did not write).
    #[arg(long, requires = "out")]
    pub replace: bool,
    /// Run only shard K of N (K = 0..N-1): a contiguous slice of every variant's replicates.
    /// `pactsim merge` joins the shards into exactly the whole sweep.
    #[arg(long, value_name = "K/N", value_parser = parse_shard)]
    pub shard: Option<(u64, u64)>,
    /// Do not draw charts (the default for a shard).
    #[arg(long)]
    pub no_charts: bool,
    /// Also write sweep.parquet (the same numbers as sweep.csv, typed).
    #[arg(long)]
    pub parquet: bool,
    /// Print nothing but errors (no progress bar, no table).
    #[arg(long, short)]
    pub quiet: bool,
}

/// What determines a sweep's (or screening's) numbers: the scenario after the base `--set`s, every
/// point of the design, the seed and the replicates.
fn design_identity(kind: &str, base_hash: &str, design: &Design, seed: u64, runs: u64, replicates: &std::ops::Range<u64>) -> Identity {
    let points: String = design.variants.iter().map(|v| v.sets.join(" ") + "\n").collect();
    Identity::new(kind)
        .with("scenario_hash", base_hash)
        .with("design", design.kind)
        .with_digest("points", &points)
        .with("seed", seed)
        .with("runs", runs)
        .with("replicates", format!("{}..{}", replicates.start, replicates.end))
        .command(outdir::command_line())
}

/// The `--vary` specs, parsed.
pub(super) fn varies(specs: &[String]) -> Result<Vec<Vary>> {
    Ok(specs.iter().map(|v| Vary::parse(v)).collect::<Result<Vec<_>, _>>()?)
}

pub fn cmd_sweep(args: SweepArgs) -> Result<()> {
    let varies = varies(&args.vary)?;
    let source = study::read_file(&args.scenario.file)?;
    let plan = sweep_study::plan(
        source,
        args.scenario.sets()?,
        SweepOptions {
            varies,
            design: args.design.kind(),
            samples: args.samples,
            runs: args.replicates.runs,
            seed: args.replicates.seed,
            shard: args.shard,
        },
    )?;
    let identity = design_identity("sweep", &plan.base.hash, &plan.design, plan.seed, plan.runs, &plan.replicates);
    let default = output::default_dir_with(&args.scenario.file, "-sweep");
    let dest = outdir::choose(args.out.as_deref(), &default, identity, args.replace)?;
    let t0 = Instant::now();
    let staging = Staging::new(&dest)?;
    let dir = staging.path();
    let shard = plan.shard.is_some();
    let written: Result<(SweepResult, Vec<Chart>)> = (|| {
        let bar = Bar::new(args.quiet);
        let result = plan.run(&bar, &mut |v, tally| {
            if shard {
                report::saved::write_sweep_tally(dir, v.index, tally).map_err(StudyError::files)?;
            }
            Ok(())
        })?;
        bar.finish();
        let charts = write_sweep(dir, &result, &plan.source, &plan.sets, !args.no_charts && !shard)?;
        if args.parquet {
            report::parquet::write_beside(dir)?;
        }
        Ok((result, charts))
    })();
    let (result, charts) = written.map_err(|e| staging.user_error(e))?;
    let committed = staging.commit()?;
    say_where(&dest, Some(&committed), args.quiet);
    if !args.quiet {
        print_sweep(&result, &charts, t0, &committed.path)?;
    }
    Ok(())
}

/// Writes a sweep's files into `dir`: the scenario as given (so a merge can redo the design) with
/// the covariate files it reads, sweep.csv, sweep.json and (with `charts`) charts/ and, for a
/// whole sweep, sweep.html.
fn write_sweep(dir: &Path, result: &SweepResult, source: &Source, sets: &[String], charts: bool) -> Result<Vec<Chart>> {
    write_scenario(dir, source, sets)?;
    report::sweep::write_csv(dir, result)?;
    report::sweep::write_kinds_csv(dir, result)?;
    report::sweep::write_json(dir, result)?;
    let drawn = if charts {
        plot::draw_sweep(&dir.join("charts"), result)?
    } else {
        Vec::new()
    };
    if result.shard.is_none() {
        pages::write_sweep(dir, result, &drawn)?;
    }
    Ok(drawn)
}

fn print_sweep(result: &SweepResult, charts: &[Chart], t0: Instant, out: &Path) -> Result<()> {
    let design = &result.design;
    let mut o = std::io::stdout().lock();
    let replicates = match result.shard {
        Some(s) => format!(
            "replicates {}..{} of {}",
            s.first_replicate,
            s.first_replicate + s.replicates,
            result.runs
        ),
        None => format!("{} replicates", result.runs),
    };
    writeln!(
        o,
        "{}: {} variants × {replicates} (seed {}, common random numbers) in {:.1} s",
        result.scenario,
        design.variants.len(),
        result.seed,
        t0.elapsed().as_secs_f64()
    )?;
    for p in &design.parameters {
        match (design.kind, p.vary.range) {
            (DesignKind::Grid, _) | (_, None) => {
                let values: Vec<String> = p.vary.values.iter().map(|v| v.to_string()).collect();
                writeln!(o, "  {} = {}", p.vary.label(), values.join(", "))?;
            }
            (kind, Some((lo, hi))) => writeln!(o, "  {} over {lo} .. {hi} ({kind} design)", p.vary.label())?,
        }
    }
    for c in charts {
        writeln!(o, "  {}", c.caption)?;
    }
    writeln!(o, "wrote {}", out.display())?;
    Ok(())
}

/// `pactsim merge` of the shards of a sweep: each variant's tallies are merged exactly, so the
/// result is byte for byte the sweep run whole.
pub fn merge_sweep(dirs: &[PathBuf], out: &Path, replace: bool, charts: bool, quiet: bool) -> Result<()> {
    let t0 = Instant::now();
    let shards = dirs.iter().map(|d| report::saved::sweep_shard(d)).collect::<Result<Vec<_>, _>>()?;
    let merge = sweep_study::merge_plan(shards)?;
    let first = &merge.shards[0];
    let identity = design_identity("sweep", &merge.base.hash, &merge.design, first.seed, first.runs, &(0..first.runs));
    let dest = outdir::choose(Some(out), &output::default_dir(Path::new("merge")), identity, replace)?;
    let result = merge.merge(&mut |dir, index| report::saved::sweep_tally(dir, index).map_err(StudyError::files))?;
    let staging = Staging::new(&dest)?;
    let charts = write_sweep(staging.path(), &result, &merge.source, &first.sets, charts).map_err(|e| staging.user_error(e))?;
    let committed = staging.commit()?;
    say_where(&dest, Some(&committed), quiet);
    if !quiet {
        print_sweep(&result, &charts, t0, &committed.path)?;
    }
    Ok(())
}

#[derive(Debug, Args)]
pub struct SensitivityArgs {
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    /// A parameter and its range: PATH=LO..HI, `*LO..*HI` for multipliers (repeatable).
    #[arg(long = "vary", value_name = "SPEC", required = true)]
    pub vary: Vec<String>,
    /// The method: `morris` (elementary effects: μ*, σ; cheap screening) or `sobol` (first-order
    /// and total indices with bootstrap intervals; N × (parameters + 2) points).
    #[arg(long, value_enum, default_value_t = SensitivityMethod::Morris)]
    pub method: SensitivityMethod,
    /// Morris trajectories (each runs parameters + 1 points).
    #[arg(long, default_value_t = 10)]
    pub trajectories: usize,
    /// Sobol base samples N (the design runs N × (parameters + 2) points).
    #[arg(long, default_value_t = 64)]
    pub samples: usize,
    /// Report only these outcomes: PACT.STATE.p_final or PACT.p_formed, or for a scenario with
    /// templates KIND.alive_mean / KIND.formed_mean (pacts of a kind alive at the end, formed;
    /// repeatable; default: every outcome that moves over the design).
    #[arg(long = "outcome", value_name = "OUTCOME")]
    pub outcomes: Vec<String>,
    /// Levels of the Morris grid on each range (even).
    #[arg(long, default_value_t = 4)]
    pub levels: usize,
    #[command(flatten)]
    pub replicates: ReplicateArgs,
    /// Output directory (default: output/<scenario file stem>-sensitivity/, or a numbered sibling
    /// when that holds a different result).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Replace the result in --out even if it is a different one (pactsim never replaces a
    /// directory it did not write).
    #[arg(long, requires = "out")]
    pub replace: bool,
    /// Do not draw charts.
    #[arg(long)]
    pub no_charts: bool,
    /// Print nothing but errors (no progress bar, no table).
    #[arg(long, short)]
    pub quiet: bool,
}

pub fn cmd_sensitivity(args: SensitivityArgs) -> Result<()> {
    let varies = varies(&args.vary)?;
    let source = study::read_file(&args.scenario.file)?;
    let method = match args.method {
        SensitivityMethod::Morris => Method::Morris {
            trajectories: args.trajectories,
            levels: args.levels,
        },
        SensitivityMethod::Sobol => Method::Sobol { samples: args.samples },
    };
    let plan = sensitivity::plan(
        source,
        args.scenario.sets()?,
        SensitivityOptions {
            varies,
            method,
            outcomes: args.outcomes.clone(),
            runs: args.replicates.runs,
            seed: args.replicates.seed,
        },
    )?;
    let sweep = &plan.sweep;
    let identity = design_identity(
        &format!("sensitivity {}", method.name()),
        &sweep.base.hash,
        &sweep.design,
        sweep.seed,
        sweep.runs,
        &(0..sweep.runs),
    )
    .with("outcomes", args.outcomes.join(" "));
    let default = output::default_dir_with(&args.scenario.file, "-sensitivity");
    let dest = outdir::choose(args.out.as_deref(), &default, identity, args.replace)?;
    let t0 = Instant::now();
    let bar = Bar::new(args.quiet);
    let found = plan.run(&bar)?;
    bar.finish();
    let staging = Staging::new(&dest)?;
    let charts =
        write_sensitivity(staging.path(), &found, &sweep.source, &sweep.sets, !args.no_charts).map_err(|e| staging.user_error(e))?;
    let committed = staging.commit()?;
    say_where(&dest, Some(&committed), args.quiet);
    if args.quiet {
        return Ok(());
    }
    let Sensitivity { result, effects, indices } = &found;
    match method {
        Method::Sobol { .. } => print_sobol(result, indices, &charts, t0, &committed.path),
        Method::Morris { trajectories, .. } => print_morris(result, effects, trajectories, &charts, t0, &committed.path),
    }
}

fn print_morris(result: &SweepResult, effects: &[Effect], trajectories: usize, charts: &[Chart], t0: Instant, out: &Path) -> Result<()> {
    let mut o = std::io::stdout().lock();
    writeln!(
        o,
        "{}: Morris screening of {} parameters, {} trajectories ({} points × {} replicates, seed {}, common random numbers) in {:.1} s",
        result.scenario,
        result.design.parameters.len(),
        trajectories,
        result.design.variants.len(),
        result.runs,
        result.seed,
        t0.elapsed().as_secs_f64()
    )?;
    let top = sensitivity::top_outcomes(effects, 6);
    if top.is_empty() {
        writeln!(o, "  no outcome moves over the ranges given")?;
    }
    for group in top {
        let e = group[0];
        let outcome = sensitivity::outcome_words(e.statistic, &e.pact, &e.state);
        let ranked: Vec<String> = group
            .iter()
            .filter(|e| e.mu_star > 0.0)
            .map(|e| format!("{} μ* {:.2} σ {:.2}", e.parameter, e.mu_star, e.sigma))
            .collect();
        writeln!(o, "  {outcome}: {}", ranked.join("; "))?;
    }
    for c in charts {
        writeln!(o, "  {}", c.caption)?;
    }
    writeln!(o, "wrote {}", out.display())?;
    Ok(())
}

/// Writes a sensitivity study's files into `dir`: the scenario as given (with its covariate
/// files), sweep.csv, sweep.json, sobol.csv or sensitivity.csv, charts/ (with `charts`) and
/// sensitivity.html.
fn write_sensitivity(dir: &Path, found: &Sensitivity, source: &Source, sets: &[String], charts: bool) -> Result<Vec<Chart>> {
    let Sensitivity { result, effects, indices } = found;
    write_scenario(dir, source, sets)?;
    report::sweep::write_csv(dir, result)?;
    report::sweep::write_json(dir, result)?;
    let drawn = if result.design.kind == DesignKind::Saltelli {
        report::sensitivity::write_sobol_csv(dir, indices)?;
        if charts {
            plot::draw_sobol(&dir.join("charts"), result, indices)?
        } else {
            Vec::new()
        }
    } else {
        report::sensitivity::write_csv(dir, effects)?;
        if charts {
            plot::draw_morris(&dir.join("charts"), result, effects)?
        } else {
            Vec::new()
        }
    };
    pages::write_sensitivity(dir, result, effects, indices, &drawn)?;
    Ok(drawn)
}

fn print_sobol(result: &SweepResult, indices: &[SobolIndex], charts: &[Chart], t0: Instant, out: &Path) -> Result<()> {
    let mut o = std::io::stdout().lock();
    let samples = result.design.block.map_or(0, |len| result.design.variants.len() / len);
    writeln!(
        o,
        "{}: Sobol indices of {} parameters, {} base samples ({} points × {} replicates, seed {}, common random numbers) in {:.1} s",
        result.scenario,
        result.design.parameters.len(),
        samples,
        result.design.variants.len(),
        result.runs,
        result.seed,
        t0.elapsed().as_secs_f64()
    )?;
    let top = sensitivity::top_sobol(indices, 6);
    if top.is_empty() {
        writeln!(o, "  no outcome varies over the ranges given")?;
    }
    for group in top {
        let x = group[0];
        let outcome = if x.state.is_empty() {
            format!("P({} forms)", x.pact)
        } else {
            format!("P({} in {} at the end)", x.state, x.pact)
        };
        let ranked: Vec<String> = group
            .iter()
            .map(|x| {
                format!(
                    "{} S1 {:.2} [{:.2}, {:.2}] ST {:.2} [{:.2}, {:.2}]",
                    x.parameter, x.first, x.first_lo, x.first_hi, x.total, x.total_lo, x.total_hi
                )
            })
            .collect();
        writeln!(o, "  {outcome}: {}", ranked.join("; "))?;
    }
    for c in charts {
        writeln!(o, "  {}", c.caption)?;
    }
    writeln!(o, "wrote {}", out.display())?;
    Ok(())
}

/// `scenario.toml`: the scenario as given, and beside it the covariate files it reads (at the
/// same paths relative to it), so that it reads the same there.
fn write_scenario(dir: &Path, source: &Source, sets: &[String]) -> Result<()> {
    std::fs::write(dir.join("scenario.toml"), &source.text).context("writing scenario.toml")?;
    let from = source.path.parent().unwrap_or(Path::new(""));
    for file in scenario::covariate_files(source, sets)? {
        let to = dir.join(&file);
        if let Some(parent) = to.parent() {
            std::fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
        }
        std::fs::copy(from.join(&file), &to).with_context(|| format!("copying {} into {}", file.display(), dir.display()))?;
    }
    Ok(())
}
