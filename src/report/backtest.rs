//! Backtest outputs: `backtest.csv` (scores by start year, subset and predictor, then the totals),
//! `backtest_years.csv` (what each start world held and what it could not predict), the text
//! table, the era split's `era_split.csv`, and `backtest.html`.

use std::fmt::Write as _;
use std::path::Path;

use serde::Serialize;

use super::html::{esc, figures, file_list, page};
use super::{ReportError, io_err};
use crate::backtest::{Backtest, FitPoint, PREDICTORS, SUBSETS, Score, Scores, skill};
use crate::plot::Chart;

fn csv_err(path: &Path) -> impl Fn(csv::Error) -> ReportError + '_ {
    move |source| ReportError::Csv {
        path: path.to_path_buf(),
        source,
    }
}

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
        " not predictable by construction: {} memberships in alliances absent from the start world, {} of states born after the start; not scored: {} pair-years of states that left the system, and {} horizon years past ATOP's end (2018)",
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

/// The era split: the grid on the fit era, and the test era with defaults and fitted values.
#[derive(Debug, Clone, Serialize)]
pub struct EraSplit {
    pub fit_era: String,
    pub test_era: String,
    pub grid: Vec<FitPoint>,
    pub best: usize,
    pub fitted_sets: Vec<String>,
    pub fit_default: Backtest,
    /// The fit era with the chosen point (the grid's run of it).
    pub fit_fitted: Backtest,
    pub test_default: Backtest,
    pub test_fitted: Backtest,
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

fn html_scores(b: &mut String, bt: &Backtest) {
    b.push_str("<table>\n<tr><th>pair-years</th><th>predictor</th><th>n</th><th>events</th><th>Brier</th><th>log loss</th><th>Brier skill vs persistence</th></tr>\n");
    for (si, subset) in SUBSETS.iter().enumerate() {
        for (pi, pred) in PREDICTORS.iter().enumerate() {
            let s = &bt.total[si][pi];
            let _ = writeln!(
                b,
                "<tr><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{:.5}</td><td class=\"num\">{:.4}</td><td class=\"num\">{:+.3}</td></tr>",
                esc(subset),
                esc(pred),
                s.n,
                s.events,
                s.brier(),
                s.log_loss(),
                skill(s, &bt.total[si][1])
            );
        }
    }
    b.push_str("</table>\n");
}

/// backtest.html: the settings, the score table, the era split (if any), the charts.
pub fn write_html(dir: &Path, bt: &Backtest, charts: &[Chart], split: Option<&EraSplit>) -> Result<(), ReportError> {
    let mut b = String::new();
    let title = format!("Backtest {}–{}, horizon {} years ({})", bt.from, bt.to, bt.horizon, bt.selection);
    let _ = writeln!(b, "<h1>{}</h1>", esc(&title));
    let _ = writeln!(
        b,
        "<p class=\"lead\">For each start year Y (step {}), the world of Y-12-31 imported from COW NMC v6.0 and ATOP v4.01 plays {} yearly rounds ({} replicates, seed {}{}); its probability of each state–alliance membership is scored against ATOP for Y+1…Y+{} and against two baselines: persistence (nothing changes) and the historical annual base rates of exit and entry before Y. Probabilities are kept within [{:.4}, {:.4}] for every predictor.</p>",
        bt.step,
        bt.horizon,
        bt.runs,
        bt.seed,
        if bt.sets.is_empty() {
            String::new()
        } else {
            format!(", --set {}", esc(&bt.sets.join(" ")))
        },
        bt.horizon,
        bt.epsilon,
        1.0 - bt.epsilon
    );
    if let Some(s) = split {
        let _ = writeln!(
            b,
            "<h2>Era split</h2>\n<p>Global weights fitted on the start years {} (grid of {} points, lowest mean log loss over all pair-years): <code>{}</code>. The page below scores the test era {} with the fitted values; no value was tuned on it.</p>",
            esc(&s.fit_era),
            s.grid.len(),
            esc(&sets_label(&s.fitted_sets)),
            esc(&s.test_era)
        );
        b.push_str("<h3>Fit era: the grid</h3>\n<table>\n<tr><th></th><th>weights</th><th>mean log loss</th><th>mean Brier</th></tr>\n");
        for (i, p) in s.grid.iter().enumerate() {
            let _ = writeln!(
                b,
                "<tr><td>{}</td><td><code>{}</code></td><td class=\"num\">{:.5}</td><td class=\"num\">{:.5}</td></tr>",
                if i == s.best { "chosen" } else { "" },
                esc(&sets_label(&p.sets)),
                p.log_loss,
                p.brier
            );
        }
        b.push_str("</table>\n");
        b.push_str("<h3>Test era with the defaults</h3>\n");
        html_scores(&mut b, &s.test_default);
        b.push_str("<h3>Test era with the fitted values</h3>\n");
    } else {
        b.push_str("<h2>Scores</h2>\n");
    }
    html_scores(&mut b, bt);
    let u = &bt.unpredictable;
    let _ = writeln!(
        b,
        "<p class=\"note\">Not predictable by construction and counted, not scored: {} memberships in alliances absent from the start world (founded later, or with fewer than two selected members), {} memberships of states that entered the system after the start; not scored: {} pair-years of states that left the system, and {} horizon years past ATOP's last year (2018) of the latest start years.</p>",
        u.new_alliance_memberships, u.new_state_memberships, u.departed_state_pairs, u.years_past_coverage
    );
    b.push_str("<h2>Charts</h2>\n");
    figures(&mut b, charts, "charts/");
    b.push_str("<h2>Files</h2>\n");
    file_list(
        &mut b,
        dir,
        &[
            (
                "backtest.csv",
                "scores by start year, subset and predictor; totals and by horizon at the end",
            ),
            (
                "backtest_years.csv",
                "each start world's size, observed changes and what it could not predict",
            ),
            ("backtest.json", "everything above, with the reliability bins"),
            ("era_split.csv", "the era split: fit-era grid and test-era scores"),
            ("era_split.json", "the era split in full"),
        ],
    );
    let path = dir.join("backtest.html");
    std::fs::write(&path, page(&title, &b)).map_err(io_err(&path))
}
