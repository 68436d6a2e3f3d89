//! Backtest outputs: `backtest.csv` (scores by start year, subset and predictor, then the totals),
//! `backtest_years.csv` (what each start world held and what it could not predict), the text
//! table, and the era split's `era_split.csv` and table.

use std::fmt::Write as _;
use std::path::Path;

use super::{ReportError, csv_err, io_err};
use crate::backtest::{Backtest, PREDICTORS, SUBSETS, Score, Scores, skill};
use crate::study::backtest::EraSplit;

fn f(x: f64) -> String {
    if x.is_finite() { format!("{x:.6}") } else { String::new() }
}

fn score_rows(
    w: &mut csv::Writer<std::fs::File>,
    start: &str,
    scores: &Scores,
    err: &dyn Fn(csv::Error) -> ReportError,
) -> Result<(), ReportError> {
    for (si, subset) in SUBSETS.iter().enumerate() {
        for (pi, pred) in PREDICTORS.iter().enumerate() {
            let s = &scores[si][pi];
            w.write_record([
                start,
                subset,
                pred,
                &s.n.to_string(),
                &s.events.to_string(),
                &f(s.brier()),
                &f(s.log_loss()),
                &f(skill(s, &scores[si][1])),
            ])
            .map_err(err)?;
        }
    }
    Ok(())
}

/// backtest.csv and backtest_years.csv.
pub fn write_csv(dir: &Path, bt: &Backtest) -> Result<(), ReportError> {
    let path = dir.join("backtest.csv");
    let err = csv_err(&path);
    let mut w = csv::Writer::from_path(&path).map_err(&err)?;
    w.write_record([
        "start_year",
        "subset",
        "predictor",
        "pair_years",
        "events",
        "brier",
        "log_loss",
        "brier_skill_vs_persistence",
    ])
    .map_err(&err)?;
    for s in &bt.starts {
        score_rows(&mut w, &s.start.to_string(), &s.scores, &err)?;
    }
    score_rows(&mut w, "all", &bt.total, &err)?;
    for (k, h) in bt.total_by_horizon.iter().enumerate() {
        score_rows(&mut w, &format!("all_horizon_{}", k + 1), h, &err)?;
    }
    w.flush().map_err(io_err(&path))?;

    let path = dir.join("backtest_years.csv");
    let err = csv_err(&path);
    let mut w = csv::Writer::from_path(&path).map_err(&err)?;
    w.write_record([
        "start_year",
        "states",
        "pacts",
        "rounds",
        "entries_observed_at_horizon",
        "exits_observed_at_horizon",
        "new_alliance_memberships",
        "new_state_memberships",
        "departed_state_pairs",
        "years_past_coverage",
        "annual_exit_rate",
        "annual_entry_rate",
        "seconds",
    ])
    .map_err(&err)?;
    for s in &bt.starts {
        let u = &s.unpredictable;
        w.write_record([
            s.start.to_string(),
            s.states.to_string(),
            s.pacts.to_string(),
            s.rounds.to_string(),
            s.entries_observed.to_string(),
            s.exits_observed.to_string(),
            u.new_alliance_memberships.to_string(),
            u.new_state_memberships.to_string(),
            u.departed_state_pairs.to_string(),
            u.years_past_coverage.to_string(),
            f(s.annual_exit_rate),
            f(s.annual_entry_rate),
            format!("{:.3}", s.seconds),
        ])
        .map_err(&err)?;
    }
    w.flush().map_err(io_err(&path))
}

fn line(out: &mut String, name: &str, s: &Score, base: &Score) {
    let _ = writeln!(
        out,
        "  {name:<12} {:>10} {:>8} {:>9.5} {:>9.4} {:>+9.3}",
        s.n,
        s.events,
        s.brier(),
        s.log_loss(),
        skill(s, base)
    );
}

/// The totals as a text table.
pub fn table(bt: &Backtest) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Backtest {}..{} (step {}), horizon {} years, {}, {} replicates per start{}",
        bt.from,
        bt.to,
        bt.step,
        bt.horizon,
        bt.selection,
        bt.runs,
        if bt.sets.is_empty() {
            String::new()
        } else {
            format!(", --set {}", bt.sets.join(" "))
        }
    );
    for (si, subset) in SUBSETS.iter().enumerate() {
        let what = match si {
            0 => "all state-alliance-years (event: member)",
            1 => "members at the start (event: has left)",
            _ => "non-members at the start (event: has joined)",
        };
        let _ = writeln!(out, " {subset}: {what}");
        let _ = writeln!(
            out,
            "  {:<12} {:>10} {:>8} {:>9} {:>9} {:>9}",
            "predictor", "pair-years", "events", "Brier", "log loss", "BSS/pers"
        );
        for (pi, pred) in PREDICTORS.iter().enumerate() {
            line(&mut out, pred, &bt.total[si][pi], &bt.total[si][1]);
        }
    }
    let u = &bt.unpredictable;
    let _ = writeln!(
        out,
        " not predictable by construction: {} memberships in alliances absent from the start world, {} of states born after the start; not scored: {} pair-years of states that ceased to exist (a state's death is not an exit), and {} horizon years past ATOP's end (2018)",
        u.new_alliance_memberships, u.new_state_memberships, u.departed_state_pairs, u.years_past_coverage
    );
    if bt.total[0][0].n == 0 {
        let _ = writeln!(
            out,
            " nothing scored: no start world has an alliance of two or more of the selected states (scores NaN)"
        );
    }
    out
}

/// era_split.csv: one row per era, weights and subset with each predictor's scores.
pub fn write_era_csv(dir: &Path, split: &EraSplit) -> Result<(), ReportError> {
    let path = dir.join("era_split.csv");
    let err = csv_err(&path);
    let mut w = csv::Writer::from_path(&path).map_err(&err)?;
    w.write_record([
        "era",
        "years",
        "weights",
        "subset",
        "predictor",
        "pair_years",
        "events",
        "brier",
        "log_loss",
        "brier_skill_vs_persistence",
    ])
    .map_err(&err)?;
    let fitted = sets_label(&split.grid[split.best].sets);
    for (era, years, weights, bt) in [
        ("fit", &split.fit_era, "defaults".to_string(), &split.fit_default),
        ("fit", &split.fit_era, format!("fitted: {fitted}"), &split.fit_fitted),
        ("test", &split.test_era, "defaults".to_string(), &split.test_default),
        ("test", &split.test_era, format!("fitted: {fitted}"), &split.test_fitted),
    ] {
        for (si, subset) in SUBSETS.iter().enumerate() {
            for (pi, pred) in PREDICTORS.iter().enumerate() {
                let s = &bt.total[si][pi];
                w.write_record([
                    era,
                    years,
                    &weights,
                    subset,
                    pred,
                    &s.n.to_string(),
                    &s.events.to_string(),
                    &f(s.brier()),
                    &f(s.log_loss()),
                    &f(skill(s, &bt.total[si][1])),
                ])
                .map_err(&err)?;
            }
        }
    }
    w.flush().map_err(io_err(&path))
}

/// `--set` values as one string; "the defaults" for none.
pub fn sets_label(sets: &[String]) -> String {
    if sets.is_empty() { "the defaults".into() } else { sets.join(" ") }
}

/// The era split as text.
pub fn era_table(split: &EraSplit) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Fit era {}: grid of {} points, mean log loss over all pair-years",
        split.fit_era,
        split.grid.len()
    );
    for (i, p) in split.grid.iter().enumerate() {
        let _ = writeln!(
            out,
            "  {} {:<80} log loss {:.5}  Brier {:.5}",
            if i == split.best { "*" } else { " " },
            sets_label(&p.sets),
            p.log_loss,
            p.brier
        );
    }
    let _ = writeln!(out, "Fit era with the defaults:");
    out.push_str(&table(&split.fit_default));
    let _ = writeln!(out, "Fit era with the fitted values ({}):", sets_label(&split.fitted_sets));
    out.push_str(&table(&split.fit_fitted));
    let _ = writeln!(out, "Test era {} with the defaults:", split.test_era);
    out.push_str(&table(&split.test_default));
    let _ = writeln!(
        out,
        "Test era {} with the fitted values ({}):",
        split.test_era,
        sets_label(&split.fitted_sets)
    );
    out.push_str(&table(&split.test_fitted));
    out
}
