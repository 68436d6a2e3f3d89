//! The command line: parses arguments and calls the layers below. The only layer that prints.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand};

mod backtest;
mod estimate;
mod fit;
mod import;
pub mod progress;
mod proposal;
mod serve;
mod story;
mod sweep;

use crate::output::{self, DecisionRows, write_run_with};
use crate::report::{self, Committed, Destination, Identity, Staging, outdir};
use crate::run::{self, RunResult, RunSpec};
use crate::scenario::generate::{self, GenerateSpec};
use crate::scenario::{self, Scenario};
use crate::study::compare::{self, CompareOptions, Given, Input, VariantSpec};
use crate::study::{self, Summary};
use crate::{pages, plot};

#[derive(Debug, Parser)]
#[command(
    name = "pactsim",
    version,
    about = "Alliance scenario simulator: states join, apply to, stay in or leave pacts, over seeded Monte Carlo replicates.",
    after_help = "Examples:\n  pactsim list\n  pactsim check scenarios/finland_sweden.toml\n  pactsim run scenarios/finland_sweden.toml --runs 2000 --seed 7\n  pactsim run scenarios/finland_sweden.toml --set event.invasion.enabled=false --out output/no_invasion\n  pactsim compare scenarios/finland_sweden.toml --variant no-invasion:event.invasion.enabled=false\n  pactsim explain scenarios/finland_sweden.toml --state SWE --pact NATO"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a scenario: summary.json, memberships.csv, decisions.csv, the resolved scenario, charts/ and report.html.
    #[command(
        after_help = "Examples:\n  pactsim run scenarios/finland_sweden.toml\n  pactsim run scenarios/finland_sweden.toml --runs 5000 --seed 42 --out output/fs-5000\n  pactsim run scenarios/finland_sweden.toml --set model.temperature=0.3 --set state.FIN.neutrality=0.9\n  pactsim run scenarios/finland_sweden.toml --set event.invasion.round=30\n\n--set paths use ids: model.KEY, scenario.KEY, state.ID.KEY, pact.ID.KEY, event.ID.KEY,\ngrievance.ID.KEY, relation.A-B.KEY, event.ID.change.N.KEY."
    )]
    Run(RunArgs),
    /// Validate a scenario without running it and print a short summary.
    #[command(after_help = "Example:\n  pactsim check scenarios/finland_sweden.toml --set pact.NATO.binding=0.5")]
    Check(CheckArgs),
    /// Merge the shards of a run (`run --shard K/N`) or of a sweep (`sweep --shard K/N`) into exactly the whole.
    #[command(
        after_help = "Example (a Slurm job array of 4 tasks, then one merge):\n  pactsim run scenarios/finland_sweden.toml --runs 100000 --shard $SLURM_ARRAY_TASK_ID/4 --out shards/$SLURM_ARRAY_JOB_ID/$SLURM_ARRAY_TASK_ID\n  pactsim merge shards/$SLURM_ARRAY_JOB_ID/* --out output/finland_sweden-100k\n\nEach job's shards go into a directory of their own: pactsim refuses to write a shard over a\ndifferent result (--replace allows it)."
    )]
    Merge(MergeArgs),
    /// List the scenarios in a directory (default: scenarios/) with their descriptions.
    List(ListArgs),
    /// Compare variants side by side: scenario files, one file with --variant changes, or run directories.
    #[command(
        after_help = "Examples:\n  pactsim compare scenarios/finland_sweden.toml --variant no-invasion:event.invasion.enabled=false\n  pactsim compare scenarios/finland_sweden.toml --variant loose:pact.NATO.binding=0.4 --variant sharp:model.temperature=0.05 --runs 500\n  pactsim compare a.toml b.toml --seed 7\n  pactsim compare output/run-a output/run-b\n\nEvery simulated variant uses the same master seed and replicates (common random numbers), so\ndifferences come from the change, not the noise. Writes compare.html, compare.csv, charts/ and\nvariants/NAME/ into output/compare-<names>/ (or --out)."
    )]
    Compare(CompareArgs),
    /// Explain one state's decision about one pact: the utility terms over rounds, as a table and a chart.
    #[command(
        after_help = "Examples:\n  pactsim explain scenarios/finland_sweden.toml --state FIN --pact NATO\n  pactsim explain scenarios/finland_sweden.toml --state SWE --pact NATO --runs 200 --set event.invasion.enabled=false\n  pactsim explain scenarios/indo_pacific_umbrella.toml --proposal CONSULT   # every proposal of a template\n  pactsim explain scenarios/indo_pacific_umbrella.toml --proposal CONSULT-AUS-JPN-PHL-USA"
    )]
    Explain(ExplainArgs),
    /// Write a synthetic world scenario: invented states, relations, pacts and shocks, deterministic for a seed.
    #[command(
        after_help = "Examples:\n  pactsim generate --states 193 --pacts 50 --rounds 60 --seed 1 --out world.toml   # the reference world\n  pactsim generate --states 50 --pacts 12 --rounds 24 --seed 7 --out world50.toml\n  pactsim generate --states 10 --pacts 3 --seed 2                                  # to stdout\n  pactsim check world.toml\n  pactsim run world.toml --runs 10 --set scenario.rounds=12\n\nThe same arguments and pactsim version write the same bytes. The file's header says how every\nvalue was drawn. --out writes through a temporary file renamed into place and refuses to replace\nan existing file unless --force; without --out (or with --out -) the scenario goes to stdout."
    )]
    Generate(GenerateArgs),
    /// Sweep parameters: run every combination of the values given with --vary, on common random numbers.
    #[command(
        after_help = "Examples:\n  pactsim sweep scenarios/finland_sweden.toml --vary model.temperature=0.05..0.4:8 --runs 500\n  pactsim sweep scenarios/finland_sweden.toml --vary pact.NATO.binding=0.5,0.75,1 --vary model.bloc_threat=0..1:5\n  pactsim sweep scenarios/finland_sweden.toml --vary model.bloc_threat=0..1/0.05 --runs 300\n  pactsim sweep scenarios/finland_sweden.toml --vary 'state.*.support.sensitivity=*0.5..*1.5:5'\n\nA SPEC is PATH=VALUES. PATH is any --set path; `*` in place of an id moves every element that has\nthe key. VALUES is a list (0.1,0.2,0.4), a range with N evenly spaced points (LO..HI:N, 5 points\nwithout :N) or a range by its step (LO..HI/STEP, both ends included); values written *X multiply each path's current value. Every variant runs the same\nreplicates from the same seed (common random numbers), so differences come from the parameters.\nWrites sweep.csv (one row per variant, pact and state), sweep.json and, for one parameter,\ncharts/response.png into output/<scenario>-sweep/ (or --out)."
    )]
    Sweep(sweep::SweepArgs),
    /// Screen which assumptions matter: Morris elementary effects (μ*, σ) of each --vary on every outcome.
    #[command(
        after_help = "Examples:\n  pactsim sensitivity scenarios/finland_sweden.toml --vary model.temperature=0.05..0.4 --vary model.bloc_threat=0..1 --vary 'state.*.support.sensitivity=*0.5..*1.5' --runs 300\n  pactsim sensitivity scenarios/taiwan_escalation.toml --vary model.weights.security=2..6 --vary model.nuclear_floor=0.3..0.9 --trajectories 20\n\nEach --vary is PATH=LO..HI (or *LO..*HI, a multiplier of the current values; `*` in place of an id\nmoves every element). The Morris design walks --trajectories random one-at-a-time paths through\n--levels levels of each range; every point runs the same replicates (common random numbers).\nμ* is the mean absolute change of an outcome as the parameter crosses its whole range (how much\nit matters), σ the spread of that change (interactions, non-linearity). Writes sensitivity.csv,\nsweep.csv (every point), sweep.json and charts/morris.png into output/<scenario>-sensitivity/."
    )]
    Sensitivity(sweep::SensitivityArgs),
    /// Fit the --vary parameters to the scenario's [[target]]s: a point (Nelder–Mead) or a posterior (ABC).
    #[command(
        after_help = "Examples:\n  pactsim fit scenarios/finland_sweden.toml --vary model.grievance_decay=0.005..0.04 --vary model.ratification_rate=0.1..0.6 --budget 60 --runs 300\n  pactsim fit scenarios/finland_sweden.toml --method abc --particles 200 --budget 8000 --vary state.SWE.support.threshold=0.45..0.8 --vary model.ratification_rate=0.1..0.6\n\nThe distance of a run is the sum over targets of ((observed - value) / tolerance)^2; a target is met\nwhen its term is at most 1. Every point runs the same replicates (common random numbers).\nnelder-mead: a Sobol search over the ranges, then a simplex (a point estimate). abc: ABC sequential\nMonte Carlo from uniform priors down to --epsilon (default: the number of targets); the last\ngeneration is the posterior. Writes fit.csv (every point), fit.json (best point, posterior\nsummaries, targets before and after), posterior.csv (abc), fitted.toml (the scenario with the best\npoint in place) and charts/ (targets, pair plot) into output/<scenario>-fit/."
    )]
    Fit(fit::FitArgs),
    /// Write the state system of a year as a scenario, from COW (state system, NMC, contiguity, MID, wars), ATOP v4.01, V-Dem/Polity2 and Thompson-Dreyer rivalries (built in).
    #[command(
        after_help = "Examples:\n  pactsim import --year 1955 --region europe --out europe1955.toml\n  pactsim import --year 1990 --all --out world1990.toml\n  pactsim import --year 2014 --states USA,RUS,FIN,SWE,NOR --round-unit month\n  pactsim run europe1955.toml --set model.temperature=0.3\n\nThe world is as on 31 December of the year; round 1 is the next year (or its January). Every\nderivation (states on the date, proximity from COW contiguity, hostility from wars, disputes,\nrivalries and named threats, affinity from alliance-portfolio S scores, democracy, admission\nrules) is stated in the file's header and in docs/DATA.md. Data: data/README.md."
    )]
    Import(import::ImportArgs),
    /// Backtest the model on alliance history: import each start year, play yearly rounds, score against ATOP.
    #[command(
        after_help = "Examples:\n  pactsim backtest --from 1946 --to 2011 --horizon 5                # the whole system\n  pactsim backtest --from 1946 --to 1990 --horizon 5 --region europe --runs 200\n  pactsim backtest --from 1950 --to 1960 --horizon 3 --set model.temperature=0.3\n  pactsim backtest --fit-era 1816-1945 --test-era 1946-2011 --horizon 5 --step 5\n\nScores (Brier, log loss) over state-alliance-years and separately over exits and entries, each\nagainst persistence and historical base rates. Writes backtest.csv, backtest_years.csv,\nbacktest.json, charts/ and backtest.html into output/backtest-FROM-TO/ (or --out). See\ndocs/VALIDATION.md."
    )]
    Backtest(backtest::BacktestArgs),
    /// Estimate the model's weights by maximum likelihood of the yearly choices in alliance history (ATOP), with standard errors.
    #[command(
        after_help = "Examples:\n  pactsim estimate --from 1816 --to 1945\n  pactsim estimate --from 1946 --to 2000 --set model.temperature=0.3\n  pactsim run scenarios/finland_sweden.toml --model output/estimate-1816-1945/estimated.toml\n\nThe window FROM..TO: each year Y from FROM to TO-1 has its world of 31 December imported as\n`pactsim import` builds it (no events), and every member's stay/leave and every eligible\noutsider's join/stay-out by 31 December Y+1 is a choice (nothing after TO is read), with\nthe model's terms as features and its logit rule as the likelihood. The temperature is held (it\nsets the weights' scale). Writes estimates.csv, estimate.json, estimated.toml and\ncharts/coefficients.png into output/estimate-FROM-TO/ (or --out)."
    )]
    Estimate(estimate::EstimateArgs),
    /// What a value means: its description, and with --scenario its value and accepted range.
    #[command(
        after_help = "Examples:\n  pactsim describe model.temperature\n  pactsim describe model.weights                 # every key under it\n  pactsim describe state.FIN --scenario scenarios/finland_sweden.toml\n  pactsim describe                               # every value there is"
    )]
    Describe(DescribeArgs),
    /// List the results written into a directory (default: output/), from its index runs.csv.
    #[command(
        after_help = "Examples:\n  pactsim runs\n  pactsim runs my-results\n\nEvery result pactsim writes carries a marker (.pactsim.json: kind, version, identity, command,\nfiles) and is recorded in runs.csv beside it. A row whose directory now holds another result\nis shown as replaced; one whose directory is gone, as gone."
    )]
    Runs(RunsArgs),
    /// Serve a live page on this machine: edit a scenario's values and watch its charts change; with a JSON API.
    #[command(
        after_help = "Examples:\n  pactsim serve                      # scenarios/ on http://127.0.0.1:8080/\n  pactsim serve my-scenarios --port 9000\n  pactsim serve --host 0.0.0.0 --allow-host studio.lan   # http://studio.lan:8080/ too\n\nThe page and the API (GET /api/scenarios, GET /api/scenarios/NAME, POST /api/run, POST /api/compare,\n...) are described in README.md. It binds to 127.0.0.1 unless --host says otherwise. It answers only\nrequests whose Host names it (127.0.0.1, localhost, [::1], the bound address or an --allow-host\nname, with its port) and whose Origin, if any, is its own page; POST bodies must be JSON. It serves\nonly the *.toml files of DIR, by name. A simulation is capped at 20000 replicates and at 130000000\ndecisions (replicates × states × pacts × rounds)."
    )]
    Serve(serve::ServeArgs),
    /// Joint probabilities over every replicate's memberships: `NATO.FIN & NATO.SWE @ 2023-06`.
    #[command(
        after_help = "Examples:\n  pactsim query output/finland_sweden 'NATO.FIN & NATO.SWE'\n  pactsim query output/fs 'NATO.FIN & NATO.SWE @ 2023-06'       # run with --outcomes-at 2023-06\n  pactsim query output/fs 'NATO.FIN & !NATO.SWE @ round 30' 'NATO.SWE' --json\n  pactsim query output/gulf_minilaterals '!PROSPERITY.JOR & ABRAHAM.JOR'\n\nAn expression is built from memberships PACT.STATE with & (and), | (or), ! (not) and\nparentheses (& binds tighter than |). `@ WHEN` picks the recorded round: a date label (2023-06),\n`round N`, `start` or `end` (the default: the last round). The run directory's outcomes.bin holds\nthe rounds `pactsim run` recorded: the end, each --outcomes-at, or all with --outcomes-every-round.\nPrints the share of replicates in which the expression holds, the count, and its Wilson 95%\ninterval (the Monte Carlo uncertainty)."
    )]
    Query(QueryArgs),
    /// One replicate as it unfolds: replay replicate K (or pick one) and tell it in dated lines, a table and a timeline chart.
    #[command(
        after_help = "Examples:\n  pactsim story scenarios/finland_sweden.toml --replicate 17\n  pactsim story scenarios/finland_sweden.toml --pick typical --runs 1000\n  pactsim story scenarios/finland_sweden.toml --pick 'NATO.FIN & !NATO.SWE @ 2023-06'\n  pactsim story scenarios/finland_sweden.toml --replicate 3 --seed 7 --set event.madrid.enabled=false\n\nReplicate K is the replicate `pactsim run` plays with the same scenario, --set values and seed\n(numbered from 0, as in decisions.csv and outcomes.bin). --pick runs --runs replicates first\n(no files) and picks one: `typical` is the replicate whose memberships at the end are closest to\nthe run's probabilities (least sum over pact-state pairs of |member - P(member)|, ties to the\nlowest); an expression (as `pactsim query` takes it) picks the first replicate in which it holds.\nWrites story.txt (dated lines), story.csv (round, date, kind, state, pact, detail), story.png and\nstory.svg (a lane per pact) and scenario.resolved.toml into output/story-<stem>-<K>/ (or --out)."
    )]
    Story(story::StoryArgs),
}

#[derive(Debug, Args)]
pub struct QueryArgs {
    /// A run directory (from `pactsim run` or `pactsim merge`) with outcomes.bin.
    pub dir: PathBuf,
    /// One or more expressions, e.g. 'NATO.FIN & NATO.SWE @ 2023-06'.
    #[arg(required = true, value_name = "EXPR")]
    pub queries: Vec<String>,
    /// One JSON object per expression (expression, round, label, count, runs, p, wilson_low,
    /// wilson_high), p exact as count / runs.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ScenarioArgs {
    /// The scenario file (TOML).
    pub file: PathBuf,
    /// Override a scenario value: KEY=VALUE with a dotted path of ids (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// A model block to apply before any --set: a TOML file with a `[model]` table, such as the
    /// `estimated.toml` of `pactsim estimate` (each of its values is applied as a --set).
    #[arg(long, value_name = "FILE")]
    pub model: Option<PathBuf>,
}

impl ScenarioArgs {
    /// The overrides to apply: the --model file's values, then every --set.
    pub fn sets(&self) -> Result<Vec<String>> {
        model_sets(self.model.as_deref(), &self.set)
    }
}

/// The values of a `--model FILE` (its `[model]` table, as `model.KEY=VALUE` overrides), then
/// `sets`.
pub(crate) fn model_sets(model: Option<&std::path::Path>, sets: &[String]) -> Result<Vec<String>> {
    let mut out = match model {
        Some(path) => scenario::model_file::overrides(path)?,
        None => Vec::new(),
    };
    out.extend(sets.iter().cloned());
    Ok(out)
}

/// How many replicates, from which master seed (run and explain).
#[derive(Debug, Args)]
pub struct ReplicateArgs {
    /// Number of Monte Carlo replicates (default: the scenario's `runs`).
    #[arg(long)]
    pub runs: Option<u32>,
    /// Master seed (default: the scenario's `seed`).
    #[arg(long)]
    pub seed: Option<u64>,
}

impl ReplicateArgs {
    /// The replicate count and seed to use for `sc`.
    fn resolve(&self, sc: &Scenario) -> Result<(u32, u64)> {
        Ok(study::replicates(sc, self.runs, self.seed)?)
    }
}

#[derive(Debug, Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    #[command(flatten)]
    pub replicates: ReplicateArgs,
    /// Output directory (default: output/<scenario file stem>/, or output/<stem>-2/, -3/, … when
    /// that holds a different result).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Replace the result in --out even if it is a different one (pactsim never replaces a
    /// directory it did not write).
    #[arg(long, requires = "out")]
    pub replace: bool,
    /// Write the decisions of the first N replicates to decisions.csv (0 = none). All replicates
    /// are always counted in the summary; this only bounds the size of the log.
    #[arg(long = "decisions", value_name = "N", default_value_t = output::DEFAULT_DECISIONS)]
    pub decision_replicates: u64,
    /// Run only shard K of N (K = 0..N-1): a contiguous slice of the replicates, e.g.
    /// `--shard $SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT`. `pactsim merge` joins the shards
    /// into exactly the result of one whole run.
    #[arg(long, value_name = "K/N", value_parser = parse_shard)]
    pub shard: Option<(u64, u64)>,
    /// Also record every replicate's memberships (outcomes.bin, for `pactsim query`) at this round:
    /// a date label (2023-06), `round N`, N, `start` or `end` (repeatable; the end is always
    /// recorded).
    #[arg(long = "outcomes-at", value_name = "DATE_OR_ROUND", conflicts_with = "outcomes_every_round")]
    pub outcomes_at: Vec<String>,
    /// Record every replicate's memberships at every round in outcomes.bin (⌈pacts·states/8⌉
    /// bytes per replicate and round).
    #[arg(long)]
    pub outcomes_every_round: bool,
    #[command(flatten)]
    pub output: OutputArgs,
}

impl RunArgs {
    /// The rounds outcomes.bin records: the end, those of --outcomes-at, or every round.
    fn outcome_rounds(&self, sc: &Scenario) -> Result<Vec<u32>> {
        if self.outcomes_every_round {
            return Ok((0..=sc.rounds).collect());
        }
        let labels: Vec<String> = (0..=sc.rounds).map(|r| sc.calendar.label(r)).collect();
        let mut rounds = vec![sc.rounds];
        for when in &self.outcomes_at {
            let r = crate::query::resolve_round(when, &labels).with_context(|| {
                format!(
                    "--outcomes-at {when}: not a round of {}: give a label from {} to {}, `round N` with N from 0 to {}, `start` or `end`",
                    self.scenario.file.display(),
                    labels.get(1).map_or("start", String::as_str),
                    labels[labels.len() - 1],
                    sc.rounds
                )
            })?;
            rounds.push(r);
        }
        rounds.sort_unstable();
        rounds.dedup();
        Ok(rounds)
    }
}

/// What a run writes besides its tables, and what it prints.
#[derive(Debug, Args)]
pub struct OutputArgs {
    /// Do not draw charts/ or write report.html (for clusters and sweeps; the default for a
    /// shard, whose charts `pactsim merge` draws for the whole run).
    #[arg(long, conflicts_with = "charts")]
    pub no_charts: bool,
    /// Draw charts/ and report.html even for a shard.
    #[arg(long)]
    pub charts: bool,
    /// Print nothing but errors (no progress bar, no headline table).
    #[arg(long, short)]
    pub quiet: bool,
    /// Also write memberships and decisions as Parquet (memberships.parquet, decisions.parquet:
    /// the same numbers as the CSV, typed; for R's arrow, polars, pandas).
    #[arg(long)]
    pub parquet: bool,
}

impl OutputArgs {
    fn charts(&self, shard: bool) -> bool {
        !self.no_charts && (self.charts || !shard)
    }
}

fn parse_shard(s: &str) -> Result<(u64, u64), String> {
    let err = || format!("`{s}` is not a shard: write K/N with 0 <= K < N, e.g. 0/4");
    let (k, n) = s.split_once('/').ok_or_else(err)?;
    let (k, n): (u64, u64) = (k.trim().parse().map_err(|_| err())?, n.trim().parse().map_err(|_| err())?);
    if n == 0 || k >= n {
        return Err(err());
    }
    Ok((k, n))
}

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// Directories of the shards (from `pactsim run --shard K/N` or `pactsim sweep --shard K/N`), in any order.
    #[arg(required = true, value_name = "DIR")]
    pub shards: Vec<PathBuf>,
    /// Output directory for the merged run.
    #[arg(long)]
    pub out: PathBuf,
    /// Replace the result in --out even if it is a different one (pactsim never replaces a
    /// directory it did not write).
    #[arg(long)]
    pub replace: bool,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    /// Also list every value the scenario lets you edit: its --set path, value, accepted range
    /// and what it means.
    #[arg(long, short)]
    pub verbose: bool,
}

#[derive(Debug, Args)]
pub struct DescribeArgs {
    /// A --set path (`model.temperature`, `state.FIN.neutrality`, `state.*.neutrality`) or the
    /// start of one (`model.weights`); none lists every value.
    pub key: Option<String>,
    /// A scenario file: also show each value there and the range validation accepts.
    #[arg(long, value_name = "FILE")]
    pub scenario: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct CompareArgs {
    /// Two or more scenario files (.toml) or run directories (with summary.json); or one scenario file with --variant.
    #[arg(required = true, value_name = "FILE|DIR")]
    pub inputs: Vec<PathBuf>,
    /// A variant of the scenario file: NAME:KEY=VALUE[,KEY=VALUE...], keys as for --set (repeatable).
    #[arg(long = "variant", value_name = "NAME:KEY=VALUE,...")]
    pub variants: Vec<String>,
    /// Override a value in every scenario file, before any variant's changes (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Replicates per variant (default: the first scenario's `runs`).
    #[arg(long)]
    pub runs: Option<u32>,
    /// Master seed shared by every variant (default: the first scenario's `seed`).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Output directory (default: output/compare-<names>/, or a numbered sibling).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Replace the result in --out even if it is a different one (pactsim never replaces a
    /// directory it did not write).
    #[arg(long, requires = "out")]
    pub replace: bool,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    /// The state, by id.
    #[arg(long, required_unless_present = "proposal")]
    pub state: Option<String>,
    /// The pact, by id.
    #[arg(long, required_unless_present = "proposal")]
    pub pact: Option<String>,
    /// Explain proposals instead (docs/MODEL.md §5b): a proposed pact's stable id
    /// (TEMPLATE-STATE-..., as decisions.csv and summary.json `formed` name it) or a template's
    /// id (every proposal of it): why each proposer proposed and why each invitee accepted or
    /// declined, from the terms the decisions were taken on.
    #[arg(long, value_name = "ID", conflicts_with_all = ["state", "pact"])]
    pub proposal: Option<String>,
    #[command(flatten)]
    pub replicates: ReplicateArgs,
    /// Output directory (default: output/explain-<file stem>-<STATE>-<PACT>/, or
    /// output/explain-<file stem>-<ID>/ for --proposal, or a numbered sibling).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Replace the result in --out even if it is a different one (pactsim never replaces a
    /// directory it did not write).
    #[arg(long, requires = "out")]
    pub replace: bool,
}

#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// Number of states (2 to 500).
    #[arg(long, default_value_t = 193)]
    pub states: usize,
    /// Number of pacts (1 to 500).
    #[arg(long, default_value_t = 50)]
    pub pacts: usize,
    /// Rounds (months) the scenario plays.
    #[arg(long, default_value_t = 60)]
    pub rounds: u32,
    /// Seed of the generator (also the scenario's run seed).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// The scenario's default number of replicates (`[scenario] runs`).
    #[arg(long, default_value_t = 100)]
    pub runs: u32,
    /// File to write; `-` or no --out writes to stdout.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Replace --out if it exists.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct RunsArgs {
    /// The directory whose results to list (its runs.csv).
    #[arg(default_value = output::OUTPUT_DIR)]
    pub dir: PathBuf,
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
        Command::Merge(args) => cmd_merge(args),
        Command::Compare(args) => cmd_compare(args),
        Command::Explain(args) => cmd_explain(args),
        Command::Generate(args) => cmd_generate(args),
        Command::Sweep(args) => sweep::cmd_sweep(args),
        Command::Sensitivity(args) => sweep::cmd_sensitivity(args),
        Command::Fit(args) => fit::cmd_fit(args),
        Command::Import(args) => import::cmd_import(args),
        Command::Backtest(args) => backtest::cmd_backtest(args),
        Command::Estimate(args) => estimate::cmd_estimate(args),
        Command::Serve(args) => serve::cmd_serve(args),
        Command::Runs(args) => cmd_runs(args),
        Command::Describe(args) => cmd_describe(args),
        Command::Query(args) => cmd_query(args),
        Command::Story(args) => story::cmd_story(args),
    }
}

fn load(args: &ScenarioArgs) -> Result<Scenario> {
    let loaded = scenario::load(&args.file, &args.sets()?);
    match (&args.model, loaded) {
        (_, Ok(sc)) => Ok(sc),
        // The file's values are applied as `--set model.KEY=VALUE`: say which file they came from.
        (Some(model), Err(e)) => Err(anyhow::Error::new(e).context(format!("{} with --model {}", args.file.display(), model.display()))),
        (None, Err(e)) => Err(e.into()),
    }
}

/// Prints the note of a destination that is not the default directory, and of a result the
/// index could not record.
pub(crate) fn say_where(dest: &Destination, committed: Option<&Committed>, quiet: bool) {
    if quiet {
        return;
    }
    if let Some(note) = dest.note() {
        eprintln!("note: {note}");
    }
    if let Some(why) = committed.and_then(|c| c.index_note.as_ref()) {
        eprintln!("note: {why}");
    }
}

/// Runs the replicates, also recording every replicate's memberships after each of `rounds`,
/// with their progress on stderr ([`progress::Bar`]: a bar on a terminal, a plain line every
/// 10 s otherwise; nothing when `quiet`).
fn simulate(sc: &Scenario, spec: &RunSpec, rounds: &[u32], quiet: bool) -> (RunResult, run::Outcomes) {
    let bar = progress::Bar::new(quiet);
    let result = study::simulate(sc, spec, rounds, &bar);
    bar.finish();
    result
}

fn cmd_run(args: RunArgs) -> Result<()> {
    let sc = load(&args.scenario)?;
    let (runs, seed) = args.replicates.resolve(&sc)?;
    let replicates = match args.shard {
        Some((k, n)) => run::shard_range(u64::from(runs), k, n),
        None => 0..u64::from(runs),
    };
    if replicates.is_empty() {
        bail!(
            "shard {:?} of {runs} replicates is empty: use fewer shards than replicates",
            args.shard.unwrap_or_default()
        );
    }
    let rounds = args.outcome_rounds(&sc)?;
    let identity = output::with_outcome_rounds(output::run_identity(&sc, seed, &replicates), &sc, &rounds).command(outdir::command_line());
    let dest = output::run_destination(
        args.out.as_deref(),
        &output::default_dir(&args.scenario.file),
        identity,
        args.replace,
    )?;
    let t0 = Instant::now();
    let spec = RunSpec {
        seed,
        replicates: replicates.clone(),
        keep_decisions: args.decision_replicates,
    };
    let (result, outcomes) = simulate(&sc, &spec, &rounds, args.output.quiet);
    let sim_time = t0.elapsed();
    let (summary, committed) = write_run_with(
        &dest,
        &sc,
        &result,
        DecisionRows::Logged(&result.decisions),
        Some(&outcomes),
        args.output.charts(args.shard.is_some()),
        args.output.parquet,
    )?;
    say_where(&dest, Some(&committed), args.output.quiet);
    if args.output.quiet {
        return Ok(());
    }
    let out = &committed.path;
    let mut o = std::io::stdout().lock();
    let which = match args.shard {
        Some((k, n)) => format!("replicates {}..{} (shard {k}/{n})", replicates.start, replicates.end),
        None => format!("{runs} replicates"),
    };
    writeln!(
        o,
        "{}: {which} of {} rounds, seed {} ({:.2} s)",
        sc.name,
        sc.rounds,
        seed,
        sim_time.as_secs_f64()
    )?;
    headline(&mut o, &summary)?;
    writeln!(o, "wrote {}", out.display())?;
    Ok(())
}

/// At most this many states per pact in the headline table (a world of 193 states would fill the
/// terminal); the rest are counted.
const HEADLINE_STATES: usize = 20;

/// Who ends in which pact, with what probability (states whose membership is ever above 5%, the
/// most likely first, at most [`HEADLINE_STATES`]).
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
        let mut cells: Vec<String> = rows
            .iter()
            .take(HEADLINE_STATES)
            .map(|(id, p, join)| match join {
                Some(r) => format!("{id} {p:.2} (joins ~{})", label_at(s, *r)),
                None => format!("{id} {p:.2}"),
            })
            .collect();
        if rows.len() > HEADLINE_STATES {
            cells.push(format!("and {} more (memberships.csv)", rows.len() - HEADLINE_STATES));
        }
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
    targets(o, s)
}

/// The scenario's targets against the run: how many are met, then each.
fn targets(o: &mut impl Write, s: &Summary) -> std::io::Result<()> {
    if s.targets.is_empty() {
        return Ok(());
    }
    let met = s.targets.iter().filter(|t| t.met).count();
    writeln!(o, "  targets: {met} of {} met", s.targets.len())?;
    for t in &s.targets {
        writeln!(
            o,
            "    {} {}: {} vs {} ± {}",
            if t.met { "met   " } else { "MISSED" },
            t.label,
            t.observed_text,
            t.value,
            t.tolerance
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
    if !sc.targets.is_empty() {
        let mut counts: Vec<(&str, usize)> = Vec::new();
        for t in &sc.targets {
            match counts.iter_mut().find(|(n, _)| *n == t.statistic.name()) {
                Some((_, c)) => *c += 1,
                None => counts.push((t.statistic.name(), 1)),
            }
        }
        let counts: Vec<String> = counts
            .iter()
            .map(|(n, c)| if *c > 1 { format!("{n} ×{c}") } else { n.to_string() })
            .collect();
        writeln!(o, "  {} targets (checked on every run): {}", sc.targets.len(), counts.join(", "))?;
    }
    if !sc.covariates.is_empty() || !sc.user_terms.is_empty() {
        for line in user_terms_lines(&sc) {
            writeln!(o, "  {line}")?;
        }
    }
    if args.verbose {
        let source = scenario::Source {
            path: args.scenario.file.clone(),
            text: std::fs::read_to_string(&args.scenario.file).with_context(|| format!("reading {}", args.scenario.file.display()))?,
        };
        let values = scenario::editable::editable(&source, &args.scenario.sets()?)?;
        writeln!(o, "  {} editable values (--set PATH=VALUE):", values.len())?;
        for e in &values {
            writeln!(o, "    {}", value_line(e))?;
        }
    }
    Ok(())
}

/// What `check` says of a scenario's covariates and terms of its own.
fn user_terms_lines(sc: &scenario::Scenario) -> Vec<String> {
    let plural = |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let covariates: Vec<String> = sc
        .covariates
        .iter()
        .map(|c| {
            let given = match c.kind {
                scenario::CovariateKind::Dyadic => plural(c.given, "pair", "pairs"),
                scenario::CovariateKind::Monadic => plural(c.given, "state", "states"),
            };
            let changes: Vec<String> = c.from_round[1..].iter().map(|&r| sc.calendar.label(r)).collect();
            let changes = if changes.is_empty() {
                String::new()
            } else {
                format!(", changing {}", changes.join(", "))
            };
            format!("{} ({}, {given}{changes})", c.id, c.kind.name())
        })
        .collect();
    let terms: Vec<String> = sc
        .user_terms
        .iter()
        .map(|t| {
            let pacts: Vec<&str> = sc
                .pact_ids()
                .filter(|p| t.pacts[p.index()])
                .map(|p| sc.pact(p).id.as_str())
                .collect();
            let on = if pacts.len() == sc.n_pacts() {
                String::new()
            } else {
                format!(", on {}", pacts.join(", "))
            };
            let off = if t.shown() { "" } else { ": weight 0, left out" };
            format!("{} = {} × {}{on}{off}", t.id, t.weight, sc.covariates[t.covariate].id)
        })
        .collect();
    vec![
        format!("{}: {}", plural(covariates.len(), "covariate", "covariates"), covariates.join(", ")),
        format!("{} of its own: {}", plural(terms.len(), "term", "terms"), terms.join(", ")),
    ]
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

/// `path = value [range] — description` for one editable value.
fn value_line(e: &scenario::editable::Editable) -> String {
    use scenario::editable::EditValue;
    let value = match &e.value {
        EditValue::Number(x) => format!("{x}"),
        EditValue::Integer(n) => format!("{n}"),
        EditValue::Bool(b) => format!("{b}"),
        EditValue::Text(t) => t.clone(),
    };
    let range = match (e.min, e.max, e.choices.is_empty()) {
        (Some(lo), Some(hi), _) => format!(" [{lo} to {hi}]"),
        (Some(lo), None, _) => format!(" [from {lo}]"),
        (None, Some(hi), _) => format!(" [up to {hi}]"),
        (None, None, false) => format!(" [{}]", e.choices.join(", ")),
        (None, None, true) => String::new(),
    };
    format!("{} = {value}{range} — {}", e.path, e.description)
}

fn cmd_describe(args: DescribeArgs) -> Result<()> {
    let key = args.key.as_deref().unwrap_or("");
    let matches =
        |path: &str| key.is_empty() || path == key || path.starts_with(&format!("{key}.")) || scenario::describe::generic(path) == key;
    let mut o = std::io::stdout().lock();
    let Some(file) = &args.scenario else {
        let generic = scenario::describe::generic(key);
        let rows: Vec<_> = scenario::describe::all()
            .iter()
            .filter(|(k, _)| key.is_empty() || *k == generic || k.starts_with(&format!("{generic}.")))
            .collect();
        if rows.is_empty() {
            bail!(
                "no value `{key}`: give a --set path such as model.temperature, state.FIN.neutrality or a start of one (model.weights); `pactsim describe` lists them all"
            );
        }
        for (k, d) in rows {
            writeln!(o, "{k}\n    {d}")?;
        }
        return Ok(());
    };
    let source = scenario::Source {
        path: file.clone(),
        text: std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?,
    };
    let values: Vec<_> = scenario::editable::editable(&source, &[])?
        .into_iter()
        .filter(|e| matches(&e.path))
        .collect();
    if values.is_empty() {
        bail!(
            "{} has no editable value `{key}`: `pactsim check --verbose {}` lists them",
            file.display(),
            file.display()
        );
    }
    for e in &values {
        writeln!(o, "{}", value_line(e))?;
    }
    Ok(())
}

fn cmd_runs(args: RunsArgs) -> Result<()> {
    let path = args.dir.join(report::index::INDEX);
    if !path.exists() {
        println!("no results recorded in {} (no {})", args.dir.display(), path.display());
        return Ok(());
    }
    let rows = report::index::read(&path)?;
    let mut o = std::io::stdout().lock();
    writeln!(o, "{:<20}  {:<16} {:<36} command", "written (UTC)", "kind", "directory")?;
    for (row, status) in &rows {
        let dir = match status {
            report::index::Status::Present => row.directory.clone(),
            s => format!("{} ({})", row.directory, s.name()),
        };
        writeln!(o, "{:<20}  {:<16} {:<36} {}", row.time, row.kind, dir, row.command)?;
    }
    Ok(())
}

fn cmd_compare(args: CompareArgs) -> Result<()> {
    let variants = args.variants.iter().map(|v| VariantSpec::parse(v)).collect::<Result<Vec<_>, _>>()?;
    let mut given = Vec::new();
    for path in &args.inputs {
        given.push(if path.is_dir() {
            Given::Saved(Box::new(report::saved::run_dir(path)?))
        } else {
            Given::File(path.clone())
        });
    }
    let plan = compare::plan(CompareOptions {
        given,
        variants,
        sets: args.set.clone(),
        runs: args.runs,
        seed: args.seed,
    })?;
    if !plan.simulates() && (args.runs.is_some() || args.seed.is_some() || !args.set.is_empty()) {
        eprintln!("note: --runs, --seed and --set apply to scenario files; run directories are read as they are");
    }
    let names: Vec<String> = plan.names().into_iter().map(String::from).collect();
    let default = output::default_dir_named(&format!("compare-{}", names.join("-")));
    let dest = outdir::choose(args.out.as_deref(), &default, compare_identity(&plan), args.replace)?;
    let bar = progress::Bar::new(false);
    let cmp = compare::run(plan, &bar)?;
    bar.finish();
    let staging = Staging::new(&dest)?;
    let written: Result<()> = (|| {
        let charts = plot::draw_compare(&staging.path().join("charts"), &cmp)?;
        report::compare::write_dir(staging.path(), &cmp)?;
        pages::write_compare(staging.path(), &cmp, &charts)?;
        Ok(())
    })();
    written.map_err(|e| staging.user_error(e))?;
    let committed = staging.commit()?;
    say_where(&dest, Some(&committed), false);
    print_compare(&cmp, &names, &committed.path)
}

/// What determines a comparison's numbers: seed, replicates and each variant's scenario (its
/// hash) or saved run (its summary.json's digest).
fn compare_identity(plan: &compare::ComparePlan) -> Identity {
    let mut identity = Identity::new("compare").with("seed", plan.seed).with("runs", plan.runs);
    for (name, input) in &plan.inputs {
        let what = match input {
            Input::Scenario { scenario, .. } => scenario.hash.clone(),
            Input::Saved(saved) => outdir::file_digest(&saved.dir.join("summary.json")),
        };
        identity = identity.with(&format!("variant {name}"), what);
    }
    identity.command(outdir::command_line())
}

fn print_compare(cmp: &compare::Comparison, names: &[String], out: &Path) -> Result<()> {
    let mut o = std::io::stdout().lock();
    let crn = if cmp.common_random_numbers() {
        "same seed and replicates in every variant (common random numbers)"
    } else {
        "seeds or replicate counts differ: differences include Monte Carlo noise"
    };
    let base = &cmp.variants[0];
    writeln!(o, "compared {}: {crn}", names.join(", "))?;
    for v in &cmp.variants {
        writeln!(o, "  {:<16} seed {}, {} replicates", v.name, v.summary.seed, v.summary.runs)?;
    }
    for v in &cmp.variants[1..] {
        writeln!(o, "largest changes in P(member at the end), {} vs {}:", v.name, base.name)?;
        let top: Vec<_> = cmp.of(&v.name).filter(|d| d.change.abs() >= 0.005).take(8).collect();
        if top.is_empty() {
            writeln!(o, "  none of 0.005 or more")?;
        }
        for d in top {
            writeln!(
                o,
                "  {:<12} {:<10} {:.3} -> {:.3} ({:+.3})",
                d.pact, d.state, d.p_base, d.p_variant, d.change
            )?;
        }
    }
    writeln!(o, "wrote {}", out.display())?;
    Ok(())
}

fn cmd_explain(args: ExplainArgs) -> Result<()> {
    let sc = load(&args.scenario)?;
    let file = &args.scenario.file;
    let (Some(state_id), Some(pact_id)) = (&args.state, &args.pact) else {
        let id = args.proposal.clone().unwrap_or_default();
        return proposal::explain(&args, &sc, &id);
    };
    let (state_id, pact_id) = (state_id.clone(), pact_id.clone());
    let state = study::state(&sc, &state_id).map_err(|e| e.in_file(file))?;
    let pact = study::pact(&sc, &pact_id).map_err(|e| e.in_file(file))?;
    let (runs, seed) = args.replicates.resolve(&sc)?;
    let default = output::default_dir_named(&format!(
        "explain-{}-{}-{}",
        study::file_stem(&args.scenario.file),
        study::file_safe(&state_id),
        study::file_safe(&pact_id)
    ));
    let identity = Identity::new("explain")
        .with("scenario_hash", &sc.hash)
        .with("state", &state_id)
        .with("pact", &pact_id)
        .with("seed", seed)
        .with("runs", runs)
        .command(outdir::command_line());
    let dest = outdir::choose(args.out.as_deref(), &default, identity, args.replace)?;
    let trace = run::trace::trace(&sc, state, pact, seed, u64::from(runs));
    let staging = Staging::new(&dest)?;
    let written: Result<plot::Chart> = (|| {
        report::explain::write_csv(staging.path(), &trace)?;
        Ok(plot::draw_explain(staging.path(), &trace)?)
    })();
    let chart = written.map_err(|e| staging.user_error(e))?;
    let committed = staging.commit()?;
    say_where(&dest, Some(&committed), false);
    let out = &committed.path;
    let mut o = std::io::stdout().lock();
    write!(o, "{}", report::explain::table(&trace))?;
    writeln!(o, "wrote {} ({}, explain.csv)", out.display(), chart.files.join(", "))?;
    Ok(())
}

fn cmd_generate(args: GenerateArgs) -> Result<()> {
    let spec = GenerateSpec {
        states: args.states,
        pacts: args.pacts,
        rounds: args.rounds,
        seed: args.seed,
        runs: args.runs,
    };
    let text = generate::generate(&spec)?;
    let out = match &args.out {
        Some(p) if p.as_os_str() != "-" => p,
        _ => {
            std::io::stdout().lock().write_all(text.as_bytes())?;
            return Ok(());
        }
    };
    if out.exists() && !args.force {
        bail!("{} exists: pass --force to replace it", out.display());
    }
    write_atomically(out, text.as_bytes())?;
    eprintln!(
        "wrote {}: {} states, {} pacts, {} rounds, seed {}",
        out.display(),
        spec.states,
        spec.pacts,
        spec.rounds,
        spec.seed
    );
    Ok(())
}

/// Writes `bytes` to a temporary file beside `path` and renames it into place, so an interrupted
/// write never leaves half a file at `path`.
pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = path.file_name().with_context(|| format!("{} is not a file name", path.display()))?;
    let tmp = dir.join(format!(".{}.tmp-{}", name.to_string_lossy(), std::process::id()));
    let result = std::fs::write(&tmp, bytes)
        .and_then(|()| std::fs::rename(&tmp, path))
        .with_context(|| format!("writing {}", path.display()));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

fn cmd_merge(args: MergeArgs) -> Result<()> {
    if report::saved::is_sweep(&args.shards[0]) {
        return sweep::merge_sweep(&args.shards, &args.out, args.replace, args.output.charts(false), args.output.quiet);
    }
    let shards = args
        .shards
        .iter()
        .map(|d| report::saved::run_shard(d))
        .collect::<Result<Vec<_>, _>>()?;
    let merged = study::merge::runs(shards)?;
    let sc = &merged.scenario;
    let seed = merged.result.seed;
    let tally = &merged.result.tally;
    let range = tally.first..tally.first + tally.runs;
    let mut identity = output::run_identity(sc, seed, &range);
    if let Some(o) = &merged.outcomes {
        identity = output::with_outcome_rounds(identity, sc, &o.rounds);
    }
    let identity = identity.command(outdir::command_line());
    let dest = output::run_destination(Some(&args.out), &output::default_dir(Path::new("merge")), identity, args.replace)?;
    let decisions: Vec<PathBuf> = merged.dirs.iter().map(|d| d.join("decisions.csv")).collect();
    let (summary, committed) = write_run_with(
        &dest,
        sc,
        &merged.result,
        DecisionRows::Shards(&decisions),
        merged.outcomes.as_ref(),
        args.output.charts(false),
        args.output.parquet,
    )?;
    say_where(&dest, Some(&committed), args.output.quiet);
    if args.output.quiet {
        return Ok(());
    }
    let mut o = std::io::stdout().lock();
    writeln!(
        o,
        "{}: merged {} shards into replicates {}..{}, seed {seed}",
        sc.name,
        args.shards.len(),
        summary.first_replicate,
        summary.first_replicate + summary.runs
    )?;
    headline(&mut o, &summary)?;
    writeln!(o, "wrote {}", args.out.display())?;
    Ok(())
}

fn cmd_query(args: QueryArgs) -> Result<()> {
    let mut o = std::io::stdout().lock();
    for q in &args.queries {
        let a = crate::query::answer(&args.dir, q)?;
        if args.json {
            writeln!(o, "{}", serde_json::to_string(&a)?)?;
        } else {
            writeln!(
                o,
                "{} @ {} (round {})",
                a.expression.split('@').next().unwrap_or("").trim(),
                a.label,
                a.round
            )?;
            writeln!(
                o,
                "  p = {:.4}  ({} of {} replicates)  95% interval {:.4}..{:.4} (Wilson)",
                a.p, a.count, a.runs, a.wilson_low, a.wilson_high
            )?;
        }
    }
    Ok(())
}
