//! `pactsim import`: writes the state system of a year as a scenario (src/data/import.rs).

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Result, bail};
use clap::Args;

use crate::data::import::{self, ImportSpec, Region, Selection};
use crate::data::{DataError, Dataset};
use crate::scenario::{self, Source};

/// Which states: a list, a region or the whole system.
#[derive(Debug, Args, Clone)]
#[group(required = true, multiple = false)]
pub struct SelectionArgs {
    /// States by COW abbreviation, ISO3 code or COW number, comma-separated (e.g. USA,UKG,RUS).
    #[arg(long, value_delimiter = ',', value_name = "A,B,...")]
    pub states: Vec<String>,
    /// A COW region: europe, americas, africa, middle_east, asia or oceania. Its pacts are kept
    /// whole: their members from outside the region come as states.
    #[arg(long)]
    pub region: Option<String>,
    /// Every state of the COW state system in the year.
    #[arg(long)]
    pub all: bool,
}

impl SelectionArgs {
    pub fn selection(&self) -> Result<Selection, DataError> {
        if self.all {
            Ok(Selection::All)
        } else if let Some(r) = &self.region {
            Ok(Selection::Region(Region::parse(r)?))
        } else {
            Ok(Selection::States(self.states.clone()))
        }
    }
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The year whose state system (as on 31 December) to import, 1816..2016 (COW NMC v6.0 and
    /// the COW state-system list).
    #[arg(long)]
    pub year: i32,
    #[command(flatten)]
    pub selection: SelectionArgs,
    /// What one round stands for: year or month.
    #[arg(long, default_value = "year", value_parser = ["year", "month"])]
    pub round_unit: String,
    /// Also write the dated events of the years after --year through this year (at most 2016)
    /// as the scenario's [[event]]s: births and deaths of states, each year's capability,
    /// democratic transitions, conflicts and borders (docs/DATA.md, Events).
    #[arg(long, value_name = "YEAR")]
    pub through: Option<i32>,
    /// Rounds the scenario plays (default: 5 years, or 60 months; with --through, up to the end
    /// of its year).
    #[arg(long)]
    pub rounds: Option<u32>,
    /// The scenario's default number of replicates.
    #[arg(long, default_value_t = 200)]
    pub runs: u32,
    /// The scenario's seed.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Read the data files from this directory instead of the copies built into pactsim.
    #[arg(long, value_name = "DIR")]
    pub data: Option<PathBuf>,
    /// File to write; `-` or no --out writes to stdout.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Replace --out if it exists.
    #[arg(long)]
    pub force: bool,
}

/// The embedded data, or the files of `dir`.
pub fn dataset(dir: Option<&std::path::Path>) -> Result<Dataset, DataError> {
    match dir {
        Some(d) => Dataset::from_dir(d),
        None => Dataset::embedded(),
    }
}

pub fn cmd_import(args: ImportArgs) -> Result<()> {
    let data = dataset(args.data.as_deref())?;
    let monthly = args.round_unit == "month";
    let mut spec = ImportSpec {
        year: args.year,
        selection: args.selection.selection()?,
        monthly,
        rounds: args.rounds.unwrap_or(if monthly { 60 } else { 5 }),
        runs: args.runs,
        seed: args.seed,
        through: args.through,
    };
    if let (Some(last), None) = (args.through, args.rounds) {
        spec.rounds = import::rounds_through(&spec, last).max(1);
    }
    if spec.rounds == 0 || spec.runs == 0 {
        bail!("--rounds and --runs must be at least 1");
    }
    let imported = import::build(&data, &spec)?;
    // The text must be a valid scenario: check it with the loader every run uses.
    let name = format!("import-{}.toml", spec.year);
    let sc = scenario::from_source(
        &Source {
            path: args.out.clone().unwrap_or_else(|| PathBuf::from(&name)),
            text: imported.text.clone(),
        },
        &[],
    )?;
    let out = match &args.out {
        Some(p) if p.as_os_str() != "-" => p,
        _ => {
            std::io::stdout().lock().write_all(imported.text.as_bytes())?;
            return Ok(());
        }
    };
    if out.exists() && !args.force {
        bail!("{} exists: pass --force to replace it", out.display());
    }
    super::write_atomically(out, imported.text.as_bytes())?;
    eprintln!(
        "wrote {}: {} states, {} pacts ({} alliances in effect left out: fewer than two members selected), {} rounds of a {}{}",
        out.display(),
        imported.states.len(),
        sc.n_pacts(),
        imported.pacts_left_out,
        sc.rounds,
        args.round_unit,
        match args.through {
            Some(t) => format!(
                "; {} events through {t} ({} states born later, listed with exists = false)",
                imported.events.len(),
                imported.born.len()
            ),
            None => String::new(),
        }
    );
    Ok(())
}
