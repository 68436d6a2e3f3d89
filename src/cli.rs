//! The command line: parses arguments and calls the layers below. The only layer that prints.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};

use crate::report::{self, Staging, Summary};
use crate::run::{self, RunResult, RunSpec};
use crate::scenario::{self, Scenario};

#[derive(Debug, Parser)]
#[command(
    name = "pactsim",
    version,
    about = "Alliance scenario simulator: states join, apply to, stay in or leave pacts, over seeded Monte Carlo replicates.",
    after_help = "Examples:\n  pactsim list\n  pactsim check scenarios/finland_sweden.toml\n  pactsim run scenarios/finland_sweden.toml --runs 2000 --seed 7\n  pactsim run scenarios/finland_sweden.toml --set event.invasion.enabled=false --out output/no_invasion"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a scenario and write summary.json, memberships.csv, decisions.csv and the resolved scenario.
    #[command(
        after_help = "Examples:\n  pactsim run scenarios/finland_sweden.toml\n  pactsim run scenarios/finland_sweden.toml --runs 5000 --seed 42 --out output/fs-5000\n  pactsim run scenarios/finland_sweden.toml --set model.temperature=0.3 --set state.FIN.neutrality=0.9\n  pactsim run scenarios/finland_sweden.toml --set event.invasion.round=30\n\n--set paths use ids: model.KEY, scenario.KEY, state.ID.KEY, pact.ID.KEY, event.ID.KEY,\ngrievance.ID.KEY, relation.A-B.KEY, event.ID.change.N.KEY."
    )]
    Run(RunArgs),
    /// Validate a scenario without running it and print a short summary.
    #[command(after_help = "Example:\n  pactsim check scenarios/finland_sweden.toml --set pact.NATO.binding=0.5")]
    Check(CheckArgs),
    /// List the scenarios in a directory (default: scenarios/) with their descriptions.
    List(ListArgs),
}

#[derive(Debug, Args)]
pub struct ScenarioArgs {
    /// The scenario file (TOML).
    pub file: PathBuf,
    /// Override a scenario value: KEY=VALUE with a dotted path of ids (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    /// Number of Monte Carlo replicates (default: the scenario's `runs`).
    #[arg(long)]
    pub runs: Option<u32>,
    /// Master seed (default: the scenario's `seed`).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Output directory (default: output/<scenario file stem>/).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Write the decisions of the first N replicates to decisions.csv (0 = none). All replicates
    /// are always counted in the summary; this only bounds the size of the log.
    #[arg(long, value_name = "N", default_value_t = 1000)]
    pub decisions: u64,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub scenario: ScenarioArgs,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Directory to look in.
    #[arg(default_value = "scenarios")]
    pub dir: PathBuf,
}

pub fn main() -> Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Run(args) => cmd_run(args),
        Command::Check(args) => cmd_check(args),
        Command::List(args) => cmd_list(args),
    }
}

fn load(args: &ScenarioArgs) -> Result<Scenario> {
    Ok(scenario::load(&args.file, &args.set)?)
}

/// The default run directory: output/<file stem>/.
pub fn default_out(file: &Path) -> PathBuf {
    let stem = file
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "run".into());
    PathBuf::from("output").join(stem)
}

/// Runs the replicates with a progress bar on stderr (hidden when stderr is not a terminal).
pub fn simulate(sc: &Scenario, seed: u64, runs: u32, keep_decisions: u64) -> RunResult {
    let bar = ProgressBar::new(u64::from(runs));
    bar.set_style(ProgressStyle::with_template("{spinner} {msg} [{bar:30}] {pos}/{len} replicates ({eta})").expect("valid template"));
    bar.set_message(sc.name.clone());
    let spec = RunSpec {
        seed,
        replicates: 0..u64::from(runs),
        keep_decisions,
    };
    let result = run::run(sc, &spec, &|n| bar.inc(n));
    bar.finish_and_clear();
    result
}

/// Writes every file of a run into `out`, atomically.
pub fn write_run(out: &Path, sc: &Scenario, result: &RunResult) -> Result<Summary> {
    let summary = Summary::new(sc, &result.tally, result.seed);
    let staging = Staging::new(out)?;
    let dir = staging.path();
    std::fs::write(dir.join("scenario.resolved.toml"), &sc.resolved_toml).context("writing scenario.resolved.toml")?;
    report::json::write_summary(dir, &summary)?;
    report::json::write_tally(dir, &result.tally)?;
    report::csv::write_memberships(dir, &summary)?;
    report::csv::write_decisions(dir, sc, &result.decisions)?;
    staging.commit()?;
    Ok(summary)
}

fn cmd_run(args: RunArgs) -> Result<()> {
    let sc = load(&args.scenario)?;
    let runs = args.runs.unwrap_or(sc.runs);
    if runs == 0 {
        bail!("--runs must be at least 1");
    }
    let seed = args.seed.unwrap_or(sc.seed);
    let out = args.out.clone().unwrap_or_else(|| default_out(&args.scenario.file));
    let t0 = Instant::now();
    let result = simulate(&sc, seed, runs, args.decisions);
    let sim_time = t0.elapsed();
    let summary = write_run(&out, &sc, &result)?;
    let mut o = std::io::stdout().lock();
    writeln!(
        o,
        "{}: {} replicates of {} rounds, seed {} ({:.2} s)",
        sc.name,
        runs,
        sc.rounds,
        seed,
        sim_time.as_secs_f64()
    )?;
    headline(&mut o, &summary)?;
    writeln!(o, "wrote {}", out.display())?;
    Ok(())
}

/// Who ends in which pact, with what probability (states whose membership is ever above 5%).
fn headline(o: &mut impl Write, s: &Summary) -> std::io::Result<()> {
    for pact in &s.pacts {
        let mut rows: Vec<(&str, f64, Option<f64>)> = s
            .states
            .iter()
            .filter_map(|st| {
                let m = s.get(&pact.id, &st.id)?;
                (m.p_ever >= 0.05).then_some((st.id.as_str(), m.p_final, m.join_round_median))
            })
            .collect();
        rows.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(b.0)));
        let cells: Vec<String> = rows
            .iter()
            .map(|(id, p, join)| match join {
                Some(r) => format!("{id} {p:.2} (joins ~{})", label_at(s, *r)),
                None => format!("{id} {p:.2}"),
            })
            .collect();
        writeln!(
            o,
            "  {:<12} {}",
            pact.id,
            if cells.is_empty() {
                "no members".to_string()
            } else {
                cells.join(", ")
            }
        )?;
    }
    Ok(())
}

fn label_at(s: &Summary, round: f64) -> String {
    let r = round.round() as usize;
    s.round_labels.get(r).cloned().unwrap_or_else(|| format!("round {round}"))
}

fn cmd_check(args: CheckArgs) -> Result<()> {
    let sc = load(&args.scenario)?;
    let mut o = std::io::stdout().lock();
    writeln!(o, "{}: ok", args.scenario.file.display())?;
    writeln!(o, "  {}", sc.name)?;
    let span = match (sc.calendar.start, sc.rounds) {
        (Some(_), r) => format!(
            "{r} rounds ({}s, {} to {})",
            sc.calendar.unit.name(),
            sc.calendar.label(1),
            sc.calendar.label(r)
        ),
        (None, r) => format!("{r} rounds ({}s)", sc.calendar.unit.name()),
    };
    writeln!(o, "  {span}; {} runs, seed {}", sc.runs, sc.seed)?;
    writeln!(
        o,
        "  {} states: {}",
        sc.n_states(),
        sc.states.iter().map(|s| s.id.as_str()).collect::<Vec<_>>().join(", ")
    )?;
    writeln!(
        o,
        "  {} pacts: {}",
        sc.n_pacts(),
        sc.pacts.iter().map(|p| p.id.as_str()).collect::<Vec<_>>().join(", ")
    )?;
    writeln!(
        o,
        "  {} events: {}",
        sc.events.len(),
        sc.events
            .iter()
            .map(|e| format!("{} ({})", e.id, sc.calendar.label(e.round)))
            .collect::<Vec<_>>()
            .join(", ")
    )?;
    Ok(())
}

fn cmd_list(args: ListArgs) -> Result<()> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(&args.dir)
        .with_context(|| format!("cannot list {}", args.dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    let mut o = std::io::stdout().lock();
    if files.is_empty() {
        writeln!(o, "no scenarios (*.toml) in {}", args.dir.display())?;
    }
    for f in files {
        let line = match scenario::load(&f, &[]) {
            Ok(sc) => format!("{} — {}", sc.name, sc.description.lines().next().unwrap_or("")),
            Err(_) => "(does not load: run `pactsim check` on it)".to_string(),
        };
        writeln!(o, "{:<40} {}", f.display(), line)?;
    }
    Ok(())
}
