//! `sweep.html` and `sensitivity.html`: the pages of a sweep and of a sensitivity study.

use std::path::Path;

use super::{StudyPage, write_study};
use crate::plot::Chart;
use crate::report::ReportError;
use crate::scenario::sweep::DesignKind;
use crate::study::sensitivity::{Effect, SobolIndex, top_outcomes, top_sobol};
use crate::study::sweep::{MOVES_BY_SE, SweepResult};

/// The values of a variant as `a = 1, b = 2`.
fn at(result: &SweepResult, variant: usize) -> String {
    result
        .labels()
        .iter()
        .zip(result.values(variant))
        .map(|(l, v)| format!("{l} = {}", format!("{v:.4}").trim_end_matches('0').trim_end_matches('.')))
        .collect::<Vec<_>>()
        .join(", ")
}

/// sweep.html: what was run, the pairs that move most in words and in a table, the charts.
pub fn write_sweep(dir: &Path, result: &SweepResult, charts: &[Chart]) -> Result<(), ReportError> {
    let design = &result.design;
    let mut settings: Vec<(&str, String)> = vec![
        ("scenario", result.scenario.clone()),
        ("design", format!("{} ({} variants)", design.kind, design.variants.len())),
        (
            "replicates",
            format!(
                "{} per variant from seed {}, the same for every variant (common random numbers)",
                result.runs, result.seed
            ),
        ),
        ("pactsim", result.version.clone()),
    ];
    if !result.sets.is_empty() {
        settings.push(("--set", result.sets.join(" ")));
    }
    let parameters: Vec<String> = design
        .parameters
        .iter()
        .map(|p| match (design.kind, p.vary.range) {
            (DesignKind::Grid, _) | (_, None) => format!(
                "{}: {}",
                p.vary.label(),
                p.vary.values.iter().map(|v| v.to_string()).collect::<Vec<_>>().join(", ")
            ),
            (_, Some((lo, hi))) => format!("{}: {lo} .. {hi}", p.vary.label()),
        })
        .collect();
    settings.push(("parameters", parameters.join("; ")));
    let (top, moving) = result.movers(20);
    let lines: Vec<String> = top
        .iter()
        .take(8)
        .map(|m| {
            format!(
                "P({} at the end) moves from {:.3} ({}) to {:.3} ({}).",
                m.label,
                m.low.0,
                at(result, m.low.1),
                m.high.0,
                at(result, m.high.1)
            )
        })
        .chain((moving > 8).then(|| format!("{} state–pact pairs move in all; the table lists the first {}.", moving, top.len())))
        .collect();
    let table: Vec<Vec<String>> = top
        .iter()
        .map(|m| {
            vec![
                m.label.clone(),
                format!("{:.3}", m.low.0),
                at(result, m.low.1),
                format!("{:.3}", m.high.0),
                at(result, m.high.1),
                format!("{:.3}", m.range),
            ]
        })
        .collect();
    write_study(
        dir,
        &StudyPage {
            file: "sweep.html",
            title: &format!("Sweep of {}", result.scenario),
            settings: &settings,
            heading: "What moves",
            lines: &lines,
            nothing: &format!("No state–pact pair's P(member at the end) moves by more than {MOVES_BY_SE} standard errors over the sweep."),
            headers: &["state in pact", "lowest P(member at the end)", "at", "highest", "at", "range"],
            table: &table,
            charts,
            files: &[
                (
                    "sweep.csv",
                    "every variant, pact and state: the parameters' values and the outcomes",
                ),
                (
                    "sweep.json",
                    "the design, seed, replicates and version (what `pactsim merge` reads)",
                ),
                ("scenario.toml", "the scenario file as swept"),
            ],
        },
    )
}

fn outcome_words(statistic: &str, pact: &str, state: &str) -> String {
    crate::study::sensitivity::outcome_words(statistic, pact, state)
}

/// One sentence per outcome: the parameters that matter, largest first, and those that do not.
/// `ranked` holds (parameter, importance, spread) sorted by importance; `small` is the importance
/// below which a parameter is said not to matter.
fn sentence(outcome: &str, ranked: &[(String, f64, f64)], what: &str, small: f64) -> String {
    let matter: Vec<String> = ranked
        .iter()
        .filter(|r| r.1 >= small)
        .map(|(p, m, s)| format!("{p} ({what} {m:.2}, spread {s:.2})"))
        .collect();
    let not: Vec<&str> = ranked.iter().filter(|r| r.1 < small).map(|r| r.0.as_str()).collect();
    let mut line = if matter.is_empty() {
        format!("{outcome} depends on none of the parameters by {what} {small} or more")
    } else {
        format!("{outcome} depends most on {}", matter.join(", then "))
    };
    if !not.is_empty() {
        let verb = if not.len() == 1 { "matters" } else { "matter" };
        line.push_str(&format!("; {} hardly {verb} ({what} below {small})", not.join(", ")));
    }
    line.push('.');
    line
}

/// sensitivity.html: which assumptions matter, in words (one sentence per outcome), then the
/// chart and the numbers for the outcomes that move most.
pub fn write_sensitivity(
    dir: &Path,
    result: &SweepResult,
    effects: &[Effect],
    indices: &[SobolIndex],
    charts: &[Chart],
) -> Result<(), ReportError> {
    let sobol = result.design.kind == DesignKind::Saltelli;
    let mut settings = vec![
        ("Scenario", result.scenario.clone()),
        (
            "Method",
            if sobol {
                "Sobol indices (Saltelli design; first-order and total, 95% bootstrap intervals)".to_string()
            } else {
                "Morris elementary effects (μ*: how much, σ: interactions and non-linearity)".to_string()
            },
        ),
        (
            "Points × replicates",
            format!("{} × {} (common random numbers)", result.design.variants.len(), result.runs),
        ),
        ("Seed", result.seed.to_string()),
        ("pactsim", result.version.clone()),
    ];
    for p in &result.design.parameters {
        if let Some((lo, hi)) = p.vary.range {
            settings.push(("Parameter", format!("{} from {lo} to {hi}", p.vary.label())));
        }
    }
    let (lines, headers, rows): (Vec<String>, Vec<&str>, Vec<Vec<String>>) = if sobol {
        let groups = top_sobol(indices, 8);
        let lines = groups
            .iter()
            .map(|g| {
                let ranked: Vec<(String, f64, f64)> = g.iter().map(|x| (x.parameter.clone(), x.total, x.total - x.first)).collect();
                sentence(
                    &outcome_words(g[0].statistic, &g[0].pact, &g[0].state),
                    &ranked,
                    "total index",
                    0.05,
                )
            })
            .collect();
        let rows = groups
            .iter()
            .flatten()
            .map(|x| {
                vec![
                    outcome_words(x.statistic, &x.pact, &x.state),
                    x.parameter.clone(),
                    format!("{:.2} [{:.2}, {:.2}]", x.first, x.first_lo, x.first_hi),
                    format!("{:.2} [{:.2}, {:.2}]", x.total, x.total_lo, x.total_hi),
                ]
            })
            .collect();
        (lines, vec!["Outcome", "Parameter", "First-order [95%]", "Total [95%]"], rows)
    } else {
        let groups = top_outcomes(effects, 8);
        let lines = groups
            .iter()
            .map(|g| {
                let ranked: Vec<(String, f64, f64)> = g.iter().map(|e| (e.parameter.clone(), e.mu_star, e.sigma)).collect();
                sentence(&outcome_words(g[0].statistic, &g[0].pact, &g[0].state), &ranked, "μ*", 0.05)
            })
            .collect();
        let rows = groups
            .iter()
            .flatten()
            .map(|e| {
                vec![
                    outcome_words(e.statistic, &e.pact, &e.state),
                    e.parameter.clone(),
                    format!("{:.3}", e.mu_star),
                    format!("{:.3}", e.mu),
                    format!("{:.3}", e.sigma),
                ]
            })
            .collect();
        (lines, vec!["Outcome", "Parameter", "μ*", "μ", "σ"], rows)
    };
    write_study(
        dir,
        &StudyPage {
            file: "sensitivity.html",
            title: &format!("{}: which assumptions matter", result.scenario),
            settings: &settings,
            heading: "Which assumptions matter",
            lines: &lines,
            nothing: "No outcome moves over the ranges given.",
            headers: &headers,
            table: &rows,
            charts,
            files: &[
                ("sensitivity.csv", "Morris effects of every parameter on every outcome that moves"),
                ("sobol.csv", "Sobol indices of every parameter on every outcome that varies"),
                ("sweep.csv", "every design point: the parameters' values and every outcome"),
                ("sweep.json", "the design, seed, replicates and version"),
            ],
        },
    )
}
