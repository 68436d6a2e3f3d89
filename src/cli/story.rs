//! `pactsim story`: one replicate of a run replayed and told — story.txt (dated lines),
//! story.csv and story.png — chosen by number (`--replicate K`) or picked from a run
//! (`--pick typical`, `--pick 'EXPR'`).

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::{ArgGroup, Args};

use super::{ReplicateArgs, ScenarioArgs, load, progress, say_where};
use crate::plot;
use crate::report::{self, Identity, Staging, outdir};
use crate::run::story::{self as tell, Pick};

/// Chronicle lines printed on the terminal; story.txt has them all.
const PRINTED_LINES: usize = 20;

#[derive(Debug, Args)]
#[command(group(ArgGroup::new("which").required(true).args(["replicate", "pick"])))]
pub struct StoryArgs {
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    /// The replicate to replay, numbered from 0 as decisions.csv and outcomes.bin number them
    /// (below --runs): the same replicate as `pactsim run` with the same seed plays.
    #[arg(long, value_name = "K")]
    pub replicate: Option<u64>,
    /// Pick the replicate from a run of --runs replicates: `typical` (the one whose memberships
    /// after every round are closest to the run's probabilities: the least sum over rounds and
    /// pact-state pairs of |member - P(member)|, ties to the lowest; `typical @ DATE_OR_ROUND`:
    /// at that round only), or an expression as `pactsim query` takes it
    /// ('NATO.FIN & !NATO.SWE @ 2023-06', default at the end): the first replicate in which it
    /// holds.
    #[arg(long, value_name = "typical|EXPR")]
    pub pick: Option<String>,
    #[command(flatten)]
    pub replicates: ReplicateArgs,
    /// Output directory (default: output/story-<file stem>-<K>/, -typical/ or -pick/, or a
    /// numbered sibling).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Replace the result in --out even if it is a different one (pactsim never replaces a
    /// directory it did not write).
    #[arg(long, requires = "out")]
    pub replace: bool,
    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
}

pub fn cmd_story(args: StoryArgs) -> Result<()> {
    let sc = load(&args.scenario)?;
    let (runs, seed) = args.replicates.resolve(&sc)?;
    let runs = u64::from(runs);
    let file_stem = crate::study::file_stem(&args.scenario.file);
    let file = args.scenario.file.display().to_string();
    let mut identity = Identity::new("story").with("scenario_hash", &sc.hash).with("seed", seed);
    let (default, spec) = match (&args.replicate, &args.pick) {
        (Some(k), _) => {
            crate::story::check_replicate(*k, runs)?;
            identity = identity.with("replicate", k);
            (format!("story-{file_stem}-{k}"), None)
        }
        (None, Some(text)) => {
            let spec = crate::story::parse_pick(text, &sc, &file)?;
            identity = identity.with("pick", &spec.text).with("runs", runs);
            (format!("story-{file_stem}-{}", spec.word()), Some(spec))
        }
        (None, None) => bail!("give --replicate K or --pick typical|EXPR"),
    };
    // Where it goes is settled before any work.
    let dest = outdir::choose(
        args.out.as_deref(),
        &crate::output::default_dir_named(&default),
        identity.command(outdir::command_line()),
        args.replace,
    )?;
    let pick: Option<Pick> = match &spec {
        None => None,
        Some(spec) => {
            use crate::study::Progress as _;
            let bar = progress::Bar::new(args.quiet);
            bar.start(runs, "replicates");
            bar.message(&format!("{}: picking {}", sc.name, spec.word()));
            let picked = crate::story::pick(&sc, seed, runs, spec, runs, &|| false, &|n| bar.advance(n));
            bar.finish();
            picked?
        }
    };
    let k = pick.as_ref().map_or_else(|| args.replicate.unwrap_or(0), |p| p.replicate);
    let story = tell::story(&sc, seed, k);
    let sentence = pick.as_ref().map(|p| report::story::pick_sentence(p, seed));
    let staging = Staging::new(&dest)?;
    let written: Result<plot::Chart> = (|| {
        std::fs::write(staging.path().join("scenario.resolved.toml"), &sc.resolved_toml).context("writing scenario.resolved.toml")?;
        report::story::write(staging.path(), &story, pick.as_ref())?;
        Ok(plot::draw_story(staging.path(), &story, sentence.as_deref())?)
    })();
    let chart = written.map_err(|e| staging.user_error(e))?;
    let committed = staging.commit()?;
    say_where(&dest, Some(&committed), args.quiet);
    if args.quiet {
        return Ok(());
    }
    let mut o = std::io::stdout().lock();
    write!(o, "{}", report::story::heading(&story, pick.as_ref()))?;
    let lines = report::story::lines(&story);
    let width = lines.iter().map(|l| l.date.chars().count()).max().unwrap_or(0);
    for l in lines.iter().take(PRINTED_LINES) {
        writeln!(o, "  {:<width$}  {}", l.date, l.text)?;
    }
    if lines.len() > PRINTED_LINES {
        writeln!(o, "  … {} more lines in story.txt", lines.len() - PRINTED_LINES)?;
    }
    if lines.is_empty() {
        writeln!(o, "  nothing happened: no event, application, vote, join or leave")?;
    }
    writeln!(o, "{}", report::story::end_line(&story, 6))?;
    let mut files = vec!["story.txt".to_string(), "story.csv".to_string()];
    files.extend(chart.files);
    writeln!(o, "wrote {} ({})", committed.path.display(), files.join(", "))?;
    Ok(())
}
