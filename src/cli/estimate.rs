//! `pactsim estimate`: the model's weights by maximum likelihood of the yearly choices in
//! alliance history (src/study/estimate.rs); writes estimates.csv, estimate.json,
//! estimated.toml and charts/coefficients.png.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Result;
use clap::Args;

use crate::data::import::{Region, Selection};
use crate::output;
use crate::report::{self, Identity, Staging, outdir};
use crate::study::estimate::{self, HistorySpec};

#[derive(Debug, Args)]
pub struct EstimateArgs {
    /// First year of the window: its world (as on 31 December) is the first start, and the
    /// choices seen by the next 31 December the first observed.
    #[arg(long, default_value_t = 1816)]
    pub from: i32,
    /// Last year of the window: the memberships of its 31 December are the last outcome read;
    /// nothing dated later is read (at most 2017: the last world is of 2016).
    #[arg(long, default_value_t = 1945)]
    pub to: i32,
    /// A COW region: europe, americas, africa, middle_east, asia or oceania (default: every state).
    #[arg(long, conflicts_with = "states")]
    pub region: Option<String>,
    /// States by COW abbreviation, ISO3 code or COW number, comma-separated.
    #[arg(long, value_delimiter = ',', value_name = "A,B,...")]
    pub states: Vec<String>,
    /// A model block applied to every imported world before --set (the values the fit starts
    /// from and holds: the temperature, bloc_threat, credibility, ...).
    #[arg(long, value_name = "FILE")]
    pub model: Option<PathBuf>,
    /// Override a model value in every imported world (repeatable), e.g. model.temperature=0.3.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Read the data files from this directory instead of the copies built into pactsim.
    #[arg(long, value_name = "DIR")]
    pub data: Option<PathBuf>,
    /// Output directory (default: output/estimate-FROM-TO/).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Replace the result in --out even if it is a different one.
    #[arg(long, requires = "out")]
    pub replace: bool,
    /// Do not draw charts/.
    #[arg(long)]
    pub no_charts: bool,
    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
}

pub fn cmd_estimate(args: EstimateArgs) -> Result<()> {
    let data = super::import::dataset(args.data.as_deref())?;
    let selection = if let Some(r) = &args.region {
        Selection::Region(Region::parse(r)?)
    } else if !args.states.is_empty() {
        Selection::States(args.states.clone())
    } else {
        Selection::All
    };
    let sets = super::model_sets(args.model.as_deref(), &args.set)?;
    let spec = HistorySpec {
        from: args.from,
        to: args.to,
        selection,
        sets: sets.clone(),
    };
    let id = Identity::new("estimate")
        .with("from", args.from)
        .with("to", args.to)
        .with("region", args.region.as_deref().unwrap_or(""))
        .with("states", args.states.join(","))
        .with("set", sets.join(" "))
        .with(
            "data",
            args.data.as_ref().map_or("built in".to_string(), |d| d.display().to_string()),
        )
        .command(outdir::command_line());
    let default = output::default_dir_named(&format!("estimate-{}-{}", args.from, args.to));
    let h = estimate::estimate_history(&data, &spec)?;
    let dest = outdir::choose(args.out.as_deref(), &default, id, args.replace)?;
    let staging = Staging::new(&dest)?;
    let written: Result<()> = (|| {
        report::estimate::write_csv(staging.path(), &h)?;
        report::estimate::write_toml(staging.path(), &h)?;
        report::json::write(&staging.path().join("estimate.json"), &h)?;
        if !args.no_charts {
            crate::plot::draw_estimate(&staging.path().join("charts"), &h)?;
        }
        Ok(())
    })();
    written.map_err(|e| staging.user_error(e))?;
    let committed = staging.commit()?;
    super::say_where(&dest, Some(&committed), args.quiet);
    if !args.quiet {
        let mut o = std::io::stdout().lock();
        write!(o, "{}", report::estimate::table(&h))?;
        writeln!(o, "wrote {} (estimated.toml: use with --model)", committed.path.display())?;
    }
    Ok(())
}
