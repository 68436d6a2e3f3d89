//! `pactsim backtest`: scores the model's predicted memberships against ATOP history
//! (src/backtest/), against persistence and historical base rates; with --fit-era, fits global
//! weights on one era and reports skill on another.

use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::Result;
use clap::Args;

use super::progress::Bar;
use crate::backtest::BacktestSpec;
use crate::data::import::{Region, Selection};
use crate::output;
use crate::pages;
use crate::report::{self, Destination, Identity, Staging, outdir};
use crate::study;

#[derive(Debug, Args)]
pub struct BacktestArgs {
    /// First start year (the world as on its 31 December).
    #[arg(long, default_value_t = 1946)]
    pub from: i32,
    /// Last start year (at most 2016, the last year of COW NMC; ATOP v4.01 ends in 2018, so
    /// the horizon of late starts is cut there).
    #[arg(long, default_value_t = 2016)]
    pub to: i32,
    /// Yearly rounds played from each start (cut at 2018, ATOP's last year).
    #[arg(long, default_value_t = 5)]
    pub horizon: u32,
    /// Years between start years.
    #[arg(long, default_value_t = 1)]
    pub step: u32,
    /// A COW region: europe, americas, africa, middle_east, asia or oceania (default: every state).
    /// Its pacts are kept whole: their members from outside the region come as states.
    #[arg(long, conflicts_with = "states")]
    pub region: Option<String>,
    /// States by COW abbreviation, ISO3 code or COW number, comma-separated.
    #[arg(long, value_delimiter = ',', value_name = "A,B,...")]
    pub states: Vec<String>,
    /// Override a model value in every imported world (repeatable), e.g. model.temperature=0.3.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// A model block applied to every imported world before --set, such as the estimated.toml of
    /// `pactsim estimate`.
    #[arg(long, value_name = "FILE")]
    pub model: Option<PathBuf>,
    /// Play each start world as it was on its date, without the dated events of its horizon
    /// (by default the events of `import --through` are played: docs/DATA.md, Events).
    #[arg(long)]
    pub no_events: bool,
    /// Replicates per start year.
    #[arg(long, default_value_t = 100)]
    pub runs: u32,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Fit global weights on this era's start years (e.g. 1816-1945), then score --test-era with
    /// the defaults and the fitted values. --from/--to are ignored.
    #[arg(long, value_name = "FIRST-LAST", requires = "test_era")]
    pub fit_era: Option<String>,
    /// The era to score after fitting (e.g. 1946-2011). No tuning happens on it.
    #[arg(long, value_name = "FIRST-LAST", requires = "fit_era")]
    pub test_era: Option<String>,
    /// Read the data files from this directory instead of the copies built into pactsim.
    #[arg(long, value_name = "DIR")]
    pub data: Option<PathBuf>,
    /// Output directory (default: output/backtest-FROM-TO/ or output/backtest-era-split/, or a
    /// numbered sibling when that holds a different result).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Replace the result in --out even if it is a different one (pactsim never replaces a
    /// directory it did not write).
    #[arg(long, requires = "out")]
    pub replace: bool,
    /// Do not draw charts/ or write backtest.html.
    #[arg(long)]
    pub no_charts: bool,
    /// Also write backtest.parquet and backtest_years.parquet (the same numbers as the CSVs).
    #[arg(long)]
    pub parquet: bool,
    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
}

fn selection(args: &BacktestArgs) -> Result<Selection> {
    Ok(if let Some(r) = &args.region {
        Selection::Region(Region::parse(r)?)
    } else if !args.states.is_empty() {
        Selection::States(args.states.clone())
    } else {
        Selection::All
    })
}

/// The backtest of `args`: its years, or (for an era split) everything but its years.
fn spec(args: &BacktestArgs) -> Result<BacktestSpec> {
    Ok(BacktestSpec {
        from: args.from,
        to: args.to,
        horizon: args.horizon,
        step: args.step,
        selection: selection(args)?,
        sets: super::model_sets(args.model.as_deref(), &args.set)?,
        runs: args.runs,
        seed: args.seed,
        events: !args.no_events,
    })
}

/// Where a backtest goes: every argument that changes its numbers is in its identity.
fn destination(args: &BacktestArgs, default: &str) -> Result<Destination> {
    let mut id = Identity::new("backtest");
    id = match (&args.fit_era, &args.test_era) {
        (Some(f), Some(t)) => id.with("fit_era", f).with("test_era", t),
        _ => id.with("from", args.from).with("to", args.to),
    };
    let id = id
        .with("horizon", args.horizon)
        .with("step", args.step)
        .with("region", args.region.as_deref().unwrap_or(""))
        .with("states", args.states.join(","))
        .with("set", super::model_sets(args.model.as_deref(), &args.set)?.join(" "))
        .with("runs", args.runs)
        .with("seed", args.seed)
        .with("events", !args.no_events)
        .with(
            "data",
            args.data.as_ref().map_or("built in".to_string(), |d| d.display().to_string()),
        )
        .command(outdir::command_line());
    Ok(outdir::choose(
        args.out.as_deref(),
        &output::default_dir_named(default),
        id,
        args.replace,
    )?)
}

pub fn cmd_backtest(args: BacktestArgs) -> Result<()> {
    let data = super::import::dataset(args.data.as_deref())?;
    if let (Some(fit), Some(test)) = (&args.fit_era, &args.test_era) {
        return era_split(&args, &data, fit, test);
    }
    let spec = spec(&args)?;
    spec.validate()?;
    let dest = destination(&args, &format!("backtest-{}-{}", args.from, args.to))?;
    let t0 = Instant::now();
    let bar = Bar::new(args.quiet);
    let bt = study::backtest::run(&data, &spec, &bar)?;
    bar.finish();
    let staging = Staging::new(&dest)?;
    let written: Result<()> = (|| {
        report::backtest::write_csv(staging.path(), &bt)?;
        if args.parquet {
            report::parquet::write_beside(staging.path())?;
        }
        report::json::write(&staging.path().join("backtest.json"), &bt)?;
        if !args.no_charts {
            let charts = crate::plot::draw_backtest(staging.path(), &bt)?;
            pages::write_backtest(staging.path(), &bt, &charts, None)?;
        }
        Ok(())
    })();
    written.map_err(|e| staging.user_error(e))?;
    let committed = staging.commit()?;
    super::say_where(&dest, Some(&committed), args.quiet);
    let out = committed.path;
    if !args.quiet {
        let mut o = std::io::stdout().lock();
        write!(o, "{}", report::backtest::table(&bt))?;
        writeln!(o, "{:.1} s; wrote {}", t0.elapsed().as_secs_f64(), out.display())?;
    }
    Ok(())
}

/// The era split ([`study::backtest::EraSplitPlan`]): written and printed.
fn era_split(args: &BacktestArgs, data: &crate::data::Dataset, fit: &str, test: &str) -> Result<()> {
    let plan = study::backtest::era_split_plan(&spec(args)?, fit, test)?;
    let dest = destination(args, "backtest-era-split")?;
    let t0 = Instant::now();
    let bar = Bar::new(args.quiet);
    let split = plan.run(data, &bar)?;
    bar.finish();
    let staging = Staging::new(&dest)?;
    let written: Result<()> = (|| {
        report::json::write(&staging.path().join("era_split.json"), &split)?;
        report::backtest::write_era_csv(staging.path(), &split)?;
        for (name, bt) in [("test_default", &split.test_default), ("test_fitted", &split.test_fitted)] {
            let dir = staging.path().join(name);
            std::fs::create_dir_all(&dir)?;
            report::backtest::write_csv(&dir, bt)?;
            if args.parquet {
                report::parquet::write_beside(&dir)?;
            }
            report::json::write(&dir.join("backtest.json"), bt)?;
        }
        if !args.no_charts {
            let charts = crate::plot::draw_backtest(staging.path(), &split.test_fitted)?;
            pages::write_backtest(staging.path(), &split.test_fitted, &charts, Some(&split))?;
        }
        Ok(())
    })();
    written.map_err(|e| staging.user_error(e))?;
    let committed = staging.commit()?;
    super::say_where(&dest, Some(&committed), args.quiet);
    let out = committed.path;
    if !args.quiet {
        let mut o = std::io::stdout().lock();
        write!(o, "{}", report::backtest::era_table(&split))?;
        writeln!(o, "{:.1} s; wrote {}", t0.elapsed().as_secs_f64(), out.display())?;
    }
    Ok(())
}
