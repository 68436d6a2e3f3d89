//! A run directory, written whole: the results (`summary.json`, `tally.json`, the CSV tables,
//! the resolved scenario) and, if asked, the charts and `report.html`. `pactsim run`, `merge`
//! and the live page's "Save run" all write through [`write_run`], so they write the same files,
//! into a directory chosen by the same rules ([`report::outdir`], [`run_destination`]).

use std::ops::Range;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::report::{self, Committed, Destination, Identity, Staging};
use crate::run::{self, RunResult};
use crate::scenario::Scenario;
use crate::study::Summary;
use crate::{pages, plot};

/// Where decisions.csv comes from.
pub enum DecisionRows<'a> {
    /// Decisions logged by this run.
    Logged(&'a [run::LoggedDecision]),
    /// The decisions.csv files of shards, in replicate order.
    Shards(&'a [PathBuf]),
}

/// The replicates whose decisions a run writes to decisions.csv unless told otherwise
/// (`run --decisions`, and the live page's "Save run").
pub const DEFAULT_DECISIONS: u64 = 1000;

/// Where results go unless told otherwise (`--out`, `serve --output`, `runs DIR`).
pub const OUTPUT_DIR: &str = "output";

/// The default directory of a result named `name`: `output/<name>`.
pub fn default_dir_named(name: &str) -> PathBuf {
    Path::new(OUTPUT_DIR).join(name)
}

/// The default directory of results made from the scenario file `file`: `output/<file stem>`.
pub fn default_dir(file: &Path) -> PathBuf {
    let stem = file
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "run".into());
    default_dir_named(&stem)
}

/// `output/<file stem><suffix>`: the default directory of a study of `file` (`-sweep`, `-fit`, …).
pub fn default_dir_with(file: &Path, suffix: &str) -> PathBuf {
    let mut dir = default_dir(file).into_os_string();
    dir.push(suffix);
    PathBuf::from(dir)
}

/// What determines a run's numbers: the resolved scenario, the seed and the replicates.
pub fn run_identity(sc: &Scenario, seed: u64, replicates: &Range<u64>) -> Identity {
    Identity::new("run")
        .with("scenario", &sc.name)
        .with("scenario_hash", &sc.hash)
        .with("seed", seed)
        .with("runs", replicates.end - replicates.start)
        .with("replicates", format!("{}..{}", replicates.start, replicates.end))
}

/// The identity of a run that records outcomes at `rounds`: the run's, with the rounds added
/// unless they are the default (the last round only), so a default run keeps its identity.
pub fn with_outcome_rounds(identity: Identity, sc: &Scenario, rounds: &[u32]) -> Identity {
    if rounds == [sc.rounds] {
        identity
    } else {
        let list: Vec<String> = rounds.iter().map(u32::to_string).collect();
        identity.with("outcome_rounds", list.join(","))
    }
}

/// Where a run goes: `out` if given (checked), else `default` or its first free numbered sibling.
pub fn run_destination(out: Option<&Path>, default: &Path, identity: Identity, replace: bool) -> Result<Destination> {
    Ok(report::outdir::choose(out, default, identity, replace)?)
}

/// Writes every file of a run into `dest`, atomically: results, and (with `charts`) charts/ and
/// report.html.
pub fn write_run(dest: &Destination, sc: &Scenario, result: &RunResult, charts: bool) -> Result<(Summary, Committed)> {
    write_run_from(dest, sc, result, DecisionRows::Logged(&result.decisions), charts)
}

pub fn write_run_from(
    dest: &Destination,
    sc: &Scenario,
    result: &RunResult,
    decisions: DecisionRows,
    charts: bool,
) -> Result<(Summary, Committed)> {
    write_run_with(dest, sc, result, decisions, None, charts, false)
}

/// [`write_run_from`], also writing `outcomes.bin` when `outcomes` is given, and the tables as
/// Parquet too when `parquet` is set.
pub fn write_run_with(
    dest: &Destination,
    sc: &Scenario,
    result: &RunResult,
    decisions: DecisionRows,
    outcomes: Option<&run::Outcomes>,
    charts: bool,
    parquet: bool,
) -> Result<(Summary, Committed)> {
    let summary = Summary::new(sc, &result.tally, result.seed);
    let staging = Staging::new(dest)?;
    fill_run(&staging, sc, result, &summary, decisions, outcomes, charts).map_err(|e| staging.user_error(e))?;
    if parquet {
        report::parquet::write_beside(staging.path()).map_err(|e| staging.user_error(e.into()))?;
    }
    let committed = staging.commit()?;
    Ok((summary, committed))
}

fn fill_run(
    staging: &Staging,
    sc: &Scenario,
    result: &RunResult,
    summary: &Summary,
    decisions: DecisionRows,
    outcomes: Option<&run::Outcomes>,
    charts: bool,
) -> Result<()> {
    let dir = staging.path();
    std::fs::write(dir.join("scenario.resolved.toml"), &sc.resolved_toml).context("writing scenario.resolved.toml")?;
    report::json::write_summary(dir, summary)?;
    report::json::write_tally(dir, &result.tally)?;
    report::csv::write_memberships(dir, summary)?;
    match decisions {
        DecisionRows::Logged(d) => report::csv::write_decisions(dir, sc, d)?,
        DecisionRows::Shards(files) => report::csv::concat_decisions(dir, files)?,
    }
    if let Some(table) = outcomes {
        report::outcomes::write(dir, sc, table)?;
    }
    if charts {
        let charts = plot::draw_run(&dir.join("charts"), summary, &result.tally)?;
        pages::write_run_report(dir, summary, sc, &charts)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::run::RunSpec;

    fn minimal() -> Scenario {
        crate::scenario::load(Path::new("tests/fixtures/minimal.toml"), &[]).unwrap()
    }

    fn simulate(sc: &Scenario, replicates: Range<u64>, keep: u64, rounds: &[u32]) -> (RunResult, run::Outcomes) {
        let spec = RunSpec {
            seed: 5,
            replicates,
            keep_decisions: keep,
        };
        run::run_with_outcomes(sc, &spec, rounds, &|_| {})
    }

    fn destination(dir: &Path, sc: &Scenario, replicates: &Range<u64>) -> Destination {
        run_destination(Some(dir), &dir.with_file_name("default"), run_identity(sc, 5, replicates), false).unwrap()
    }

    /// The files of `dir`, relative and sorted (directories as `name/`).
    fn files(dir: &Path) -> Vec<String> {
        let mut out: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| {
                let e = e.unwrap();
                let name = e.file_name().to_string_lossy().into_owned();
                if e.path().is_dir() { name + "/" } else { name }
            })
            .collect();
        out.sort();
        out
    }

    fn csv_rows(path: &Path) -> Vec<Vec<String>> {
        csv::Reader::from_path(path)
            .unwrap()
            .records()
            .map(|r| r.unwrap().iter().map(String::from).collect())
            .collect()
    }

    #[test]
    fn default_directories_are_under_output() {
        assert_eq!(
            default_dir(Path::new("scenarios/finland_sweden.toml")),
            Path::new("output/finland_sweden")
        );
        assert_eq!(
            default_dir_with(Path::new("scenarios/finland_sweden.toml"), "-sweep"),
            Path::new("output/finland_sweden-sweep")
        );
        assert_eq!(default_dir_named("merge"), Path::new(OUTPUT_DIR).join("merge"));
    }

    #[test]
    fn a_run_directory_holds_every_table_and_what_it_says_is_the_run() {
        let tmp = tempfile::tempdir().unwrap();
        let sc = minimal();
        let (result, _) = simulate(&sc, 0..6, 2, &[]);
        let dest = destination(&tmp.path().join("run"), &sc, &(0..6));
        let (summary, committed) = write_run(&dest, &sc, &result, false).unwrap();
        let dir = committed.path;
        assert_eq!(
            files(&dir),
            [
                report::outdir::MARKER,
                "decisions.csv",
                "memberships.csv",
                "scenario.resolved.toml",
                "summary.json",
                "tally.json"
            ]
        );
        assert_eq!(summary, Summary::new(&sc, &result.tally, 5));
        let written = std::fs::read_to_string(dir.join("summary.json")).unwrap();
        assert_eq!(written, report::json::text(&summary).unwrap());
        let tally: run::Tally = report::json::read(&dir.join("tally.json")).unwrap();
        assert_eq!((tally.first, tally.runs, &tally.member), (0, 6, &result.tally.member));
        assert_eq!(
            std::fs::read_to_string(dir.join("scenario.resolved.toml")).unwrap(),
            sc.resolved_toml
        );
        // memberships.csv: one row per round, pact and state, the summary's probabilities.
        let rows = csv_rows(&dir.join("memberships.csv"));
        assert_eq!(rows.len(), (sc.rounds as usize + 1) * sc.n_pacts() * sc.n_states());
        let m = summary.get("ALLY", "BBB").unwrap();
        let bbb: Vec<&Vec<String>> = rows.iter().filter(|r| r[2] == "ALLY" && r[3] == "BBB").collect();
        assert_eq!(bbb.len(), m.p_by_round.len());
        for (r, row) in bbb.iter().enumerate() {
            assert_eq!(
                (row[0].as_str(), row[1].as_str()),
                (r.to_string().as_str(), summary.round_labels[r].as_str())
            );
            assert_eq!(row[4].parse::<f64>().unwrap(), m.p_by_round[r]);
        }
        // decisions.csv: the decisions of replicates 0 and 1 only, every one logged.
        let decisions = csv_rows(&dir.join("decisions.csv"));
        assert_eq!(decisions.len(), result.decisions.len());
        assert!(!decisions.is_empty());
        assert!(decisions.iter().all(|r| r[0] == "0" || r[0] == "1"), "{decisions:?}");
    }

    #[test]
    fn charts_and_the_report_come_with_charts_only() {
        let tmp = tempfile::tempdir().unwrap();
        let sc = minimal();
        let (result, _) = simulate(&sc, 0..4, 0, &[]);
        let (_, committed) = write_run(&destination(&tmp.path().join("run"), &sc, &(0..4)), &sc, &result, true).unwrap();
        let names = files(&committed.path);
        assert!(
            names.contains(&"charts/".to_string()) && names.contains(&"report.html".to_string()),
            "{names:?}"
        );
        let report = std::fs::read_to_string(committed.path.join("report.html")).unwrap();
        assert!(report.contains("<h1>Minimal</h1>"), "{report}");
    }

    #[test]
    fn shards_write_what_the_whole_run_writes() {
        let tmp = tempfile::tempdir().unwrap();
        let sc = minimal();
        let rounds = [4, sc.rounds];
        let (whole, whole_table) = simulate(&sc, 0..9, 3, &rounds);
        let (_, whole_dir) = write_run_with(
            &destination(&tmp.path().join("whole"), &sc, &(0..9)),
            &sc,
            &whole,
            DecisionRows::Logged(&whole.decisions),
            Some(&whole_table),
            false,
            true,
        )
        .unwrap();
        let mut shard_dirs = Vec::new();
        let mut tallies = Vec::new();
        let mut table: Option<run::Outcomes> = None;
        for (k, range) in [0..4, 4..9].into_iter().enumerate() {
            let (part, part_table) = simulate(&sc, range.clone(), 3, &rounds);
            let (_, c) = write_run_with(
                &destination(&tmp.path().join(format!("shard{k}")), &sc, &range),
                &sc,
                &part,
                DecisionRows::Logged(&part.decisions),
                Some(&part_table),
                false,
                false,
            )
            .unwrap();
            shard_dirs.push(c.path.join("decisions.csv"));
            tallies.push(part.tally);
            match &mut table {
                None => table = Some(part_table),
                Some(t) => t.append(&part_table).unwrap(),
            }
        }
        let merged = RunResult {
            seed: 5,
            tally: run::merge_shards(tallies).unwrap(),
            decisions: Vec::new(),
        };
        let (_, merged_dir) = write_run_with(
            &destination(&tmp.path().join("merged"), &sc, &(0..9)),
            &sc,
            &merged,
            DecisionRows::Shards(&shard_dirs),
            table.as_ref(),
            false,
            true,
        )
        .unwrap();
        for file in [
            "summary.json",
            "tally.json",
            "memberships.csv",
            "decisions.csv",
            "outcomes.bin",
            "memberships.parquet",
            "decisions.parquet",
        ] {
            let (a, b) = (
                std::fs::read(whole_dir.path.join(file)).unwrap(),
                std::fs::read(merged_dir.path.join(file)).unwrap(),
            );
            assert!(a == b, "{file} differs between the whole run and its merged shards");
        }
    }

    #[test]
    fn outcome_rounds_change_the_identity_unless_only_the_end() {
        let sc = minimal();
        let base = run_identity(&sc, 5, &(0..10));
        assert_eq!(with_outcome_rounds(base.clone(), &sc, &[sc.rounds]), base);
        let more = with_outcome_rounds(base.clone(), &sc, &[3, sc.rounds]);
        assert_ne!(more, base);
        assert!(more.fields.contains(&("outcome_rounds".to_string(), format!("3,{}", sc.rounds))));
        // Every replicate range is its own result.
        assert_ne!(run_identity(&sc, 5, &(0..10)), run_identity(&sc, 5, &(10..20)));
        assert_ne!(run_identity(&sc, 5, &(0..10)), run_identity(&sc, 6, &(0..10)));
    }
}
