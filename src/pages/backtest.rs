//! `backtest.html`: the page of a backtest (and of an era split).

use std::fmt::Write as _;
use std::path::Path;

use super::{esc, figures, file_list, page};
use crate::backtest::{Backtest, PREDICTORS, SUBSETS, skill};
use crate::plot::Chart;
use crate::report::backtest::sets_label;
use crate::report::{ReportError, io_err};
use crate::study::backtest::EraSplit;

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
pub fn write_backtest(dir: &Path, bt: &Backtest, charts: &[Chart], split: Option<&EraSplit>) -> Result<(), ReportError> {
    let mut b = String::new();
    let title = format!("Backtest {}–{}, horizon {} years ({})", bt.from, bt.to, bt.horizon, bt.selection);
    let _ = writeln!(b, "<h1>{}</h1>", esc(&title));
    let _ = writeln!(
        b,
        "<p class=\"lead\">For each start year Y (step {}), the world of Y-12-31 imported from the COW state-system list, COW NMC v6.0, ATOP v4.01 and the relations of docs/DATA.md plays {} yearly rounds ({} replicates, seed {}{}); its probability of each state–alliance membership is scored against ATOP for Y+1…Y+{} and against two baselines: persistence (nothing changes) and the historical annual base rates of exit and entry before Y. Probabilities are kept within [{:.4}, {:.4}] for every predictor.</p>",
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
        "<p class=\"note\">Not predictable by construction and counted, not scored: {} memberships in alliances absent from the start world (founded later, or with fewer than two selected members), {} memberships of states that entered the system after the start; not scored: {} pair-years of states that ceased to exist after the start (COW state-system list: a state's death is not an exit), and {} horizon years past ATOP's last year (2018) of the latest start years.</p>",
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
