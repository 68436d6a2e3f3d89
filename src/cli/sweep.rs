//! `pactsim sweep`, and `pactsim merge` of sweep shards.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use clap::Args;

use super::{ReplicateArgs, ScenarioArgs, parse_shard, say_where};
use crate::output;
use crate::plot::{self, Chart};
use crate::report::sweep::{self as sweep_report, Manifest, ShardInfo, SweepResult};
use crate::report::{self, Identity, Staging, Summary, outdir};
use crate::run::{self, RunSpec, Tally};
use crate::scenario::sweep::{self, Design, Vary};
use crate::scenario::{self, Source};

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
    #[arg(long, default_value = "grid", value_parser = ["grid", "lhs", "sobol"])]
    pub design: String,
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
    /// Print nothing but errors (no progress bar, no table).
    #[arg(long, short)]
    pub quiet: bool,
}

/// What determines a sweep's (or screening's) numbers: the scenario after the base `--set`s, every
/// point of the design, the seed and the replicates.
pub(super) fn design_identity(
    kind: &str,
    base_hash: &str,
    design: &Design,
    seed: u64,
    runs: u64,
    replicates: &std::ops::Range<u64>,
) -> Identity {
    let points: String = design.variants.iter().map(|v| v.sets.join(" ") + "\n").collect();
    Identity::new(kind)
        .with("scenario_hash", base_hash)
        .with("design", &design.kind)
        .with_digest("points", &points)
        .with("seed", seed)
        .with("runs", runs)
        .with("replicates", format!("{}..{}", replicates.start, replicates.end))
        .command(outdir::command_line())
}

/// The file holding the tally of variant `index` in a shard's directory.
fn tally_file(dir: &Path, index: usize) -> PathBuf {
    dir.join("tallies").join(format!("{index:05}.json"))
}

/// The scenario file of `args` as text (a sweep or fit re-reads it with each point's `--set`s) and
/// resolved with its own `--set`s.
pub(super) fn read_source(args: &ScenarioArgs) -> Result<(Source, scenario::Scenario)> {
    let text = std::fs::read_to_string(&args.file).map_err(|source| scenario::ScenarioError::Io {
        path: args.file.clone(),
        source,
    })?;
    let source = Source {
        path: args.file.clone(),
        text,
    };
    let base = scenario::from_source(&source, &args.set)?;
    Ok((source, base))
}

/// Resolves every point of `design` before any runs, so a value out of range fails at once,
/// naming the point (`what` and its index) and its `--set`s.
fn check_variants(source: &Source, base: &[String], design: &Design, what: &str) -> Result<()> {
    let parsed = scenario::Parsed::new(source)?;
    for v in &design.variants {
        parsed
            .resolve(&variant_sets(base, v))
            .with_context(|| format!("{what} {} ({})", v.index, v.sets.join(" ")))?;
    }
    Ok(())
}

/// The `--set`s of a variant: the sweep's own, then the variant's.
fn variant_sets(base: &[String], v: &sweep::Variant) -> Vec<String> {
    base.iter().chain(&v.sets).cloned().collect()
}

pub fn cmd_sweep(args: SweepArgs) -> Result<()> {
    let varies = args.vary.iter().map(|v| Vary::parse(v)).collect::<Result<Vec<_>, _>>()?;
    let (source, base) = read_source(&args.scenario)?;
    let (runs, seed) = args.replicates.resolve(&base)?;
    let runs = u64::from(runs);
    let design = match args.design.as_str() {
        "grid" => sweep::grid(&source, &args.scenario.set, varies)?,
        kind => sweep::sampled(&source, &args.scenario.set, varies, kind, args.samples, seed)?,
    };
    check_variants(&source, &args.scenario.set, &design, "variant")?;
    let replicates = match args.shard {
        Some((k, n)) => run::shard_range(runs, k, n),
        None => 0..runs,
    };
    if replicates.is_empty() {
        bail!(
            "shard {:?} of {runs} replicates is empty: use fewer shards or more --runs",
            args.shard.unwrap_or((0, 1))
        );
    }
    let shard = args.shard.map(|(k, n)| ShardInfo {
        k,
        n,
        first_replicate: replicates.start,
        replicates: replicates.end - replicates.start,
    });
    let identity = design_identity("sweep", &base.hash, &design, seed, runs, &replicates);
    let default = output::default_dir_with(&args.scenario.file, "-sweep");
    let dest = outdir::choose(args.out.as_deref(), &default, identity, args.replace)?;
    let t0 = Instant::now();
    let staging = Staging::new(&dest)?;
    let dir = staging.path();
    let written: Result<(SweepResult, Vec<Chart>)> = (|| {
        if shard.is_some() {
            std::fs::create_dir_all(dir.join("tallies")).context("creating tallies/")?;
        }
        let mut result = SweepResult::new(&base.name, seed, runs, args.scenario.set.clone(), shard, design);
        run_design(&source, &mut result, replicates, args.quiet, |v, tally| {
            if shard.is_some() {
                report::json::write(&tally_file(dir, v.index), tally)?;
            }
            Ok(())
        })?;
        let charts = write_sweep(dir, &result, &source.text, !args.no_charts && shard.is_none())?;
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

/// Runs every variant of `result`'s design on `replicates` (the same for each: common random
/// numbers) and adds its outcomes to `result`; `keep` sees each variant's tally. Progress on
/// stderr unless `quiet` ([`super::progress`]).
fn run_design(
    source: &Source,
    result: &mut SweepResult,
    replicates: std::ops::Range<u64>,
    quiet: bool,
    mut keep: impl FnMut(&sweep::Variant, &Tally) -> Result<()>,
) -> Result<()> {
    let design = result.design.clone();
    let total = design.variants.len() as u64 * (replicates.end - replicates.start);
    let progress = super::progress::Progress::new(total, "replicates", quiet);
    let parsed = scenario::Parsed::new(source)?;
    for v in &design.variants {
        progress.set_message(format!("variant {}/{}", v.index + 1, design.variants.len()));
        let sc = parsed.resolve(&variant_sets(&result.sets, v))?;
        let spec = RunSpec {
            seed: result.seed,
            replicates: replicates.clone(),
            keep_decisions: 0,
        };
        let run = run::run(&sc, &spec, &|n| progress.inc(n));
        keep(v, &run.tally)?;
        result.add(v, &Summary::new(&sc, &run.tally, result.seed));
    }
    progress.finish();
    Ok(())
}

/// Writes a sweep's files into `dir`: the scenario as given (so a merge can redo the design),
/// sweep.csv, sweep.json and (with `charts`) charts/.
fn write_sweep(dir: &Path, result: &SweepResult, text: &str, charts: bool) -> Result<Vec<Chart>> {
    std::fs::write(dir.join("scenario.toml"), text).context("writing scenario.toml")?;
    sweep_report::write_csv(dir, result)?;
    sweep_report::write_json(dir, result)?;
    let drawn = if charts {
        plot::draw_sweep(&dir.join("charts"), result)?
    } else {
        Vec::new()
    };
    if result.shard.is_none() {
        sweep_report::write_html(dir, result, &drawn)?;
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
        match (design.kind.as_str(), p.vary.range) {
            ("grid", _) | (_, None) => {
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

/// Whether `dir` holds a sweep (or a shard of one) rather than a run.
pub fn is_sweep(dir: &Path) -> bool {
    dir.join("sweep.json").is_file()
}

/// `pactsim merge` of the shards of a sweep: each variant's tallies are merged exactly, so the
/// result is byte for byte the sweep run whole.
pub fn merge_sweep(dirs: &[PathBuf], out: &Path, replace: bool, charts: bool, quiet: bool) -> Result<()> {
    let t0 = Instant::now();
    let mut shards: Vec<(PathBuf, Manifest)> = Vec::new();
    for dir in dirs {
        let m: Manifest =
            report::json::read(&dir.join("sweep.json")).with_context(|| format!("{} is not a sweep directory", dir.display()))?;
        if m.shard.is_none() {
            bail!("{} is a whole sweep, not a shard (made without --shard)", dir.display());
        }
        shards.push((dir.clone(), m));
    }
    shards.sort_by_key(|(_, m)| m.shard.map_or(0, |s| s.first_replicate));
    let (first_dir, first) = &shards[0];
    let specs = |m: &Manifest| m.parameters.iter().map(|p| p.spec.clone()).collect::<Vec<_>>();
    for (dir, m) in &shards[1..] {
        if (&m.scenario, &m.version, m.seed, m.runs, &m.set, specs(m))
            != (&first.scenario, &first.version, first.seed, first.runs, &first.set, specs(first))
        {
            bail!(
                "{} and {} are not shards of one sweep: their scenario, version, seed, runs, --set or --vary differ",
                first_dir.display(),
                dir.display()
            );
        }
    }
    let covered: u64 = shards.iter().filter_map(|(_, m)| m.shard.map(|s| s.replicates)).sum();
    if covered != first.runs {
        bail!(
            "the shards cover {covered} of the sweep's {} replicates per variant: a shard is missing or given twice",
            first.runs
        );
    }
    let path = first_dir.join("scenario.toml");
    let text = std::fs::read_to_string(&path).map_err(|source| scenario::ScenarioError::Io {
        path: path.clone(),
        source,
    })?;
    let source = Source { path, text };
    let varies = specs(first).iter().map(|s| Vary::parse(s)).collect::<Result<Vec<_>, _>>()?;
    let design: Design = match first.design.as_str() {
        "grid" => sweep::grid(&source, &first.set, varies)?,
        kind => sweep::sampled(&source, &first.set, varies, kind, first.variants.len(), first.seed)?,
    };
    if design.variants.len() != first.variants.len() {
        bail!(
            "{} was written by another pactsim version (its design does not reproduce)",
            first_dir.display()
        );
    }
    let parsed = scenario::Parsed::new(&source)?;
    let base = parsed.resolve(&first.set)?;
    let identity = design_identity("sweep", &base.hash, &design, first.seed, first.runs, &(0..first.runs));
    let dest = outdir::choose(Some(out), &output::default_dir(Path::new("merge")), identity, replace)?;
    let mut result = SweepResult::new(&first.scenario, first.seed, first.runs, first.set.clone(), None, design.clone());
    for v in &design.variants {
        let mut tallies: Vec<Tally> = Vec::with_capacity(shards.len());
        for (dir, _) in &shards {
            tallies.push(report::json::read(&tally_file(dir, v.index))?);
        }
        let tally = run::merge_shards(tallies).with_context(|| format!("variant {}", v.index))?;
        let sc = parsed.resolve(&variant_sets(&first.set, v))?;
        result.add(v, &Summary::new(&sc, &tally, first.seed));
    }
    let staging = Staging::new(&dest)?;
    let charts = write_sweep(staging.path(), &result, &source.text, charts).map_err(|e| staging.user_error(e))?;
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
    #[arg(long, default_value = "morris", value_parser = ["morris", "sobol"])]
    pub method: String,
    /// Morris trajectories (each runs parameters + 1 points).
    #[arg(long, default_value_t = 10)]
    pub trajectories: usize,
    /// Sobol base samples N (the design runs N × (parameters + 2) points).
    #[arg(long, default_value_t = 64)]
    pub samples: usize,
    /// Report only these outcomes: PACT.STATE.p_final or PACT.p_formed (repeatable; default:
    /// every outcome that moves over the design).
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

/// An `--outcome`: (statistic, pact, state), the state empty for `p_formed`.
fn parse_outcome(text: &str, sc: &scenario::Scenario) -> Result<(&'static str, String, String)> {
    let parts: Vec<&str> = text.split('.').collect();
    let pacts = || sc.pacts.iter().map(|p| p.id.as_str()).collect::<Vec<_>>().join(", ");
    let (statistic, pact, state) = match parts.as_slice() {
        [pact, "p_formed"] => ("p_formed", *pact, ""),
        [pact, state, "p_final"] => ("p_final", *pact, *state),
        _ => bail!("--outcome {text}: write PACT.STATE.p_final or PACT.p_formed (e.g. NATO.SWE.p_final)"),
    };
    if !sc.pacts.iter().any(|p| p.id == pact) {
        bail!("--outcome {text}: no pact `{pact}` in the scenario (pacts: {})", pacts());
    }
    if !state.is_empty() && !sc.states.iter().any(|s| s.id == state) {
        bail!(
            "--outcome {text}: no state `{state}` in the scenario (states: {})",
            sc.states.iter().map(|s| s.id.as_str()).collect::<Vec<_>>().join(", ")
        );
    }
    Ok((statistic, pact.to_string(), state.to_string()))
}

pub fn cmd_sensitivity(args: SensitivityArgs) -> Result<()> {
    use crate::report::sensitivity;
    let varies = args.vary.iter().map(|v| Vary::parse(v)).collect::<Result<Vec<_>, _>>()?;
    let (source, base) = read_source(&args.scenario)?;
    let (runs, seed) = args.replicates.resolve(&base)?;
    let runs = u64::from(runs);
    let outcomes = args.outcomes.iter().map(|o| parse_outcome(o, &base)).collect::<Result<Vec<_>>>()?;
    let sobol = args.method == "sobol";
    let design = if sobol {
        sweep::saltelli(&source, &args.scenario.set, varies, args.samples, seed)?
    } else {
        sweep::morris(&source, &args.scenario.set, varies, args.trajectories, args.levels, seed)?
    };
    check_variants(&source, &args.scenario.set, &design, "design point")?;
    let identity = design_identity(&format!("sensitivity {}", args.method), &base.hash, &design, seed, runs, &(0..runs))
        .with("outcomes", args.outcomes.join(" "));
    let default = output::default_dir_with(&args.scenario.file, "-sensitivity");
    let dest = outdir::choose(args.out.as_deref(), &default, identity, args.replace)?;
    let t0 = Instant::now();
    let mut result = SweepResult::new(&base.name, seed, runs, args.scenario.set.clone(), None, design);
    run_design(&source, &mut result, 0..runs, args.quiet, |_, _| Ok(()))?;
    let mut effects = sensitivity::morris(&result);
    let mut indices = sensitivity::sobol(&result, seed);
    if !outcomes.is_empty() {
        let wanted = |statistic: &str, pact: &str, state: &str| outcomes.iter().any(|o| o.0 == statistic && o.1 == pact && o.2 == state);
        effects.retain(|e| wanted(e.statistic, &e.pact, &e.state));
        indices.retain(|x| wanted(x.statistic, &x.pact, &x.state));
    }
    let staging = Staging::new(&dest)?;
    let dir = staging.path();
    let written: Result<Vec<Chart>> = (|| {
        std::fs::write(dir.join("scenario.toml"), &source.text).context("writing scenario.toml")?;
        sweep_report::write_csv(dir, &result)?;
        sweep_report::write_json(dir, &result)?;
        let charts = if sobol {
            sensitivity::write_sobol_csv(dir, &indices)?;
            if args.no_charts {
                Vec::new()
            } else {
                plot::draw_sobol(&dir.join("charts"), &result, &indices)?
            }
        } else {
            sensitivity::write_csv(dir, &effects)?;
            if args.no_charts {
                Vec::new()
            } else {
                plot::draw_morris(&dir.join("charts"), &result, &effects)?
            }
        };
        write_sensitivity_page(dir, &result, &effects, &indices, &charts)?;
        Ok(charts)
    })();
    let charts = written.map_err(|e| staging.user_error(e))?;
    let committed = staging.commit()?;
    say_where(&dest, Some(&committed), args.quiet);
    if args.quiet {
        return Ok(());
    }
    let out = committed.path;
    if sobol {
        return print_sobol(&result, &indices, &charts, t0, &out);
    }
    let mut o = std::io::stdout().lock();
    writeln!(
        o,
        "{}: Morris screening of {} parameters, {} trajectories ({} points × {} replicates, seed {}, common random numbers) in {:.1} s",
        result.scenario,
        result.design.parameters.len(),
        args.trajectories,
        result.design.variants.len(),
        runs,
        seed,
        t0.elapsed().as_secs_f64()
    )?;
    let top = sensitivity::top_outcomes(&effects, 6);
    if top.is_empty() {
        writeln!(o, "  no outcome moves over the ranges given")?;
    }
    for group in top {
        let e = group[0];
        let outcome = if e.state.is_empty() {
            format!("P({} forms)", e.pact)
        } else {
            format!("P({} in {} at the end)", e.state, e.pact)
        };
        let ranked: Vec<String> = group
            .iter()
            .filter(|e| e.mu_star > 0.0)
            .map(|e| format!("{} μ* {:.2} σ {:.2}", e.parameter, e.mu_star, e.sigma))
            .collect();
        writeln!(o, "  {outcome}: {}", ranked.join("; "))?;
    }
    for c in &charts {
        writeln!(o, "  {}", c.caption)?;
    }
    writeln!(o, "wrote {}", out.display())?;
    Ok(())
}

fn print_sobol(
    result: &SweepResult,
    indices: &[crate::report::sensitivity::SobolIndex],
    charts: &[Chart],
    t0: Instant,
    out: &Path,
) -> Result<()> {
    use crate::report::sensitivity;
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

fn outcome_words(statistic: &str, pact: &str, state: &str) -> String {
    if statistic == "p_formed" {
        format!("P({pact} forms)")
    } else {
        format!("P({state} in {pact} at the end)")
    }
}

/// One sentence per outcome: the parameters that matter, largest first, and those that do not.
/// `ranked` holds (parameter, importance, spread) sorted by importance; `small` is the importance
/// below which a parameter is said not to matter.
fn sentence(outcome: &str, ranked: &[(String, f64, f64)], what: &str, small: f64) -> String {
    let matter: Vec<String> = ranked
        .iter()
        .filter(|r| r.1 >= small)
        .map(|(p, m, s)| format!("{p} ({what} {m:.2}, spread {s:.2})"))
        .collect();
    let not: Vec<&str> = ranked.iter().filter(|r| r.1 < small).map(|r| r.0.as_str()).collect();
    let mut line = if matter.is_empty() {
        format!("{outcome} depends on none of the parameters by {what} {small} or more")
    } else {
        format!("{outcome} depends most on {}", matter.join(", then "))
    };
    if !not.is_empty() {
        let verb = if not.len() == 1 { "matters" } else { "matter" };
        line.push_str(&format!("; {} hardly {verb} ({what} below {small})", not.join(", ")));
    }
    line.push('.');
    line
}

fn write_sensitivity_page(
    dir: &Path,
    result: &SweepResult,
    effects: &[crate::report::sensitivity::Effect],
    indices: &[crate::report::sensitivity::SobolIndex],
    charts: &[Chart],
) -> Result<()> {
    use crate::report::sensitivity::{top_outcomes, top_sobol};
    let sobol = result.design.kind == "sobol";
    let mut settings = vec![
        ("Scenario", result.scenario.clone()),
        (
            "Method",
            if sobol {
                "Sobol indices (Saltelli design; first-order and total, 95% bootstrap intervals)".to_string()
            } else {
                "Morris elementary effects (μ*: how much, σ: interactions and non-linearity)".to_string()
            },
        ),
        (
            "Points × replicates",
            format!("{} × {} (common random numbers)", result.design.variants.len(), result.runs),
        ),
        ("Seed", result.seed.to_string()),
        ("pactsim", result.version.clone()),
    ];
    for p in &result.design.parameters {
        if let Some((lo, hi)) = p.vary.range {
            settings.push(("Parameter", format!("{} from {lo} to {hi}", p.vary.label())));
        }
    }
    let (lines, headers, rows): (Vec<String>, Vec<&str>, Vec<Vec<String>>) = if sobol {
        let groups = top_sobol(indices, 8);
        let lines = groups
            .iter()
            .map(|g| {
                let ranked: Vec<(String, f64, f64)> = g.iter().map(|x| (x.parameter.clone(), x.total, x.total - x.first)).collect();
                sentence(
                    &outcome_words(g[0].statistic, &g[0].pact, &g[0].state),
                    &ranked,
                    "total index",
                    0.05,
                )
            })
            .collect();
        let rows = groups
            .iter()
            .flatten()
            .map(|x| {
                vec![
                    outcome_words(x.statistic, &x.pact, &x.state),
                    x.parameter.clone(),
                    format!("{:.2} [{:.2}, {:.2}]", x.first, x.first_lo, x.first_hi),
                    format!("{:.2} [{:.2}, {:.2}]", x.total, x.total_lo, x.total_hi),
                ]
            })
            .collect();
        (lines, vec!["Outcome", "Parameter", "First-order [95%]", "Total [95%]"], rows)
    } else {
        let groups = top_outcomes(effects, 8);
        let lines = groups
            .iter()
            .map(|g| {
                let ranked: Vec<(String, f64, f64)> = g.iter().map(|e| (e.parameter.clone(), e.mu_star, e.sigma)).collect();
                sentence(&outcome_words(g[0].statistic, &g[0].pact, &g[0].state), &ranked, "μ*", 0.05)
            })
            .collect();
        let rows = groups
            .iter()
            .flatten()
            .map(|e| {
                vec![
                    outcome_words(e.statistic, &e.pact, &e.state),
                    e.parameter.clone(),
                    format!("{:.3}", e.mu_star),
                    format!("{:.3}", e.mu),
                    format!("{:.3}", e.sigma),
                ]
            })
            .collect();
        (lines, vec!["Outcome", "Parameter", "μ*", "μ", "σ"], rows)
    };
    let title = format!("{}: which assumptions matter", result.scenario);
    report::html::write_sensitivity(dir, &title, &settings, &lines, &headers, &rows, charts)?;
    Ok(())
}
