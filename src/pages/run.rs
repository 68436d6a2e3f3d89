//! `report.html`: the page of a run.

use std::fmt::Write as _;
use std::path::Path;

use super::{esc, figure, file_list, page};
use crate::plot::{self, Chart, select};
use crate::report::{ReportError, io_err};
use crate::scenario::{Scenario, UpdateOrder};
use crate::study::{PactInfo, Summary};

fn label(s: &Summary, r: f64) -> String {
    s.round_label(r)
}

/// A table cell on how often a pact ended (its membership fell below `min_members`) and when:
/// the share of replicates with the median date under it, or – where it never ended.
fn ended_cell(s: &Summary, p: &PactInfo) -> String {
    let title = esc(&s.end_text(p).unwrap_or_else(|| "never ended".to_string()));
    if p.p_ended == 0.0 && p.p_dissolved == 0.0 {
        return format!("<td class=\"p never\" title=\"{title}\">–</td>");
    }
    let mut cell = format!("{:.2}", p.p_ended);
    if let Some(m) = p.end_round_median {
        let _ = write!(cell, "<small>median {}</small>", esc(&label(s, m)));
    }
    if p.p_dissolved > 0.0 {
        let _ = write!(cell, "<small>dissolved {:.2}</small>", p.p_dissolved);
    }
    format!("<td class=\"p\" title=\"{title}\">{cell}</td>")
}

/// States named in a cell: "FIN 0.95, SWE 0.80 and 3 more".
fn names(list: &[(&str, f64)]) -> String {
    if list.is_empty() {
        return "—".to_string();
    }
    let mut text = list
        .iter()
        .take(select::TABLE_NAMES)
        .map(|(id, p)| format!("{} {p:.2}", esc(id)))
        .collect::<Vec<_>>()
        .join(", ");
    if list.len() > select::TABLE_NAMES {
        let _ = write!(text, " and {} more", list.len() - select::TABLE_NAMES);
    }
    text
}

/// One row per pact: size at the start and the end, the states most likely to join and to leave.
fn pact_table(b: &mut String, s: &Summary, charts: &[Chart]) {
    let stems = plot::membership_stems(s);
    let _ = writeln!(
        b,
        "<p>One row per pact, across {} replicates: median members at the start and at the end (5–95% of replicates), the share of replicates in which the pact ended (once formed, its members fell below its <code>min_members</code>; the rest were released) with the median date, the states most likely to join (share of replicates in which each joins) and to leave (share in which it ends outside after being a member), at least {:.0}% of replicates each, at most {} named.</p>",
        s.runs,
        100.0 * select::MOVE,
        select::TABLE_NAMES
    );
    b.push_str("<div class=\"wide\">\n<table>\n<tr><th>Pact</th><th>Members at the start</th><th>At the end</th><th>Ended</th><th>Most likely to join</th><th>Most likely to leave</th></tr>\n");
    for (j, p) in s.pacts.iter().enumerate() {
        let kind = if p.binding >= 0.5 { "binding" } else { "informal" };
        let mut joins: Vec<(&str, f64)> = Vec::new();
        let mut leaves: Vec<(&str, f64)> = Vec::new();
        for st in &s.states {
            if let Some(m) = s.get(&p.id, &st.id) {
                if m.p_joined >= select::MOVE {
                    joins.push((&st.id, m.p_joined));
                }
                let left = m.p_ever - m.p_final;
                if left >= select::MOVE {
                    leaves.push((&st.id, left));
                }
            }
        }
        for list in [&mut joins, &mut leaves] {
            list.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(b.0)));
        }
        let id = if charts.iter().any(|c| c.stem == stems[j]) {
            format!("<a href=\"#{}\">{}</a>", esc(&stems[j]), esc(&p.id))
        } else {
            esc(&p.id)
        };
        let at = |r: usize| p.size_median.get(r).copied().unwrap_or(0);
        let last = p.size_median.len().saturating_sub(1);
        let _ = writeln!(
            b,
            "<tr><th title=\"{}\">{id} <small>{kind}</small></th><td class=\"num\">{}</td><td class=\"num\">{} <small>({}–{})</small></td>{}<td class=\"names\">{}</td><td class=\"names\">{}</td></tr>",
            esc(&p.name),
            at(0),
            at(last),
            p.size_p05.get(last).copied().unwrap_or(0),
            p.size_p95.get(last).copied().unwrap_or(0),
            ended_cell(s, p),
            names(&joins),
            names(&leaves)
        );
    }
    b.push_str("</table>\n</div>\n");
}

/// The pacts the scenario's templates formed (docs/MODEL.md §5b): per template how often it
/// formed one, then its founding sets by frequency, each with when it formed, how often it
/// ended, its members at the end and who else joined.
fn formed_table(b: &mut String, s: &Summary) {
    b.push_str("<h2>Pacts that formed themselves</h2>\n");
    let _ = writeln!(
        b,
        "<p>Pacts of the scenario's <code>[[template]]</code> tables that states proposed and formed during the run, across {} replicates: one row per founding set (a template's pacts with the same founders are one pact in every replicate), most frequent first, at most {} per template. <em>Formed</em>: share of replicates in which it formed, with the median date (5–95%); <em>Ended</em>: share in which it formed and then ended; <em>Alive at the end</em>: share in which it is alive after the last round, with its mean number of members then; <em>Members at the end</em>: share of replicates with each state a member after the last round.</p>",
        s.runs, FORMED_ROWS
    );
    for t in &s.templates {
        let mean_alive = t.alive_mean_by_round.last().copied().unwrap_or(0.0);
        let _ = writeln!(
            b,
            "<h3>{} <small>{}</small></h3>\n<p>Formed at least one pact in {:.2} of replicates; {:.2} pacts alive at the end on average.</p>",
            esc(&t.name),
            esc(&t.kind),
            t.p_formed,
            mean_alive
        );
        if t.founding_sets.is_empty() {
            continue;
        }
        b.push_str("<div class=\"wide\">\n<table>\n<tr><th>Pact</th><th>Formed</th><th>Ended</th><th>Alive at the end</th><th>Members at the end</th></tr>\n");
        for set in t.founding_sets.iter().take(FORMED_ROWS) {
            let Some(f) = s.formed.get(&set.id) else { continue };
            let mut formed = format!("{:.3}", f.p_formed);
            if let Some(m) = f.formed_round_median {
                let _ = write!(formed, "<small>median {}</small>", esc(&label(s, m)));
            }
            if let (Some(lo), Some(hi)) = (f.formed_round_p05, f.formed_round_p95)
                && lo != hi
            {
                let _ = write!(
                    formed,
                    "<small>5–95%: {} to {}</small>",
                    esc(&label(s, lo as f64)),
                    esc(&label(s, hi as f64))
                );
            }
            let mut ended = format!("{:.3}", f.p_ended);
            if let Some(m) = f.end_round_median {
                let _ = write!(ended, "<small>median {}</small>", esc(&label(s, m)));
            }
            let alive = f.p_alive_by_round.last().copied().unwrap_or(0.0);
            let size = match f.size_mean_by_round.last().copied().flatten() {
                Some(size) => format!("<small>{size:.1} members</small>"),
                None => String::new(),
            };
            let mut members: Vec<(&str, f64)> = f
                .membership
                .iter()
                .map(|(k, m)| (k.as_str(), m.p_final))
                .filter(|(_, p)| *p > 0.0)
                .collect();
            members.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(b.0)));
            let rival = f
                .rival
                .as_ref()
                .map(|r| format!(" <small>against {}</small>", esc(r)))
                .unwrap_or_default();
            let _ = writeln!(
                b,
                "<tr><th>{}{rival}</th><td class=\"p\">{formed}</td><td class=\"p\">{ended}</td><td class=\"p\">{alive:.3}{size}</td><td class=\"names\">{}</td></tr>",
                esc(&set.id),
                names(&members)
            );
        }
        b.push_str("</table>\n</div>\n");
        if t.founding_sets.len() > FORMED_ROWS {
            let _ = writeln!(
                b,
                "<p class=\"note\">{} more founding sets, each rarer; all are in <code>summary.json</code> (<code>formed</code>).</p>",
                t.founding_sets.len() - FORMED_ROWS
            );
        }
    }
}

/// Most founding sets of one template the report lists.
const FORMED_ROWS: usize = 12;

/// The charts of a run: the membership maps, pacts where membership moves first, the first few
/// open and the rest collapsed, the pacts without a map listed; then the other charts.
fn run_figures(b: &mut String, s: &Summary, charts: &[Chart]) {
    let stems = plot::membership_stems(s);
    let mut shown = 0;
    for j in select::report_order(s) {
        let Some(c) = charts.iter().find(|c| c.stem == stems[j]) else {
            continue;
        };
        if shown < select::REPORT_OPEN {
            figure(b, c, "charts/");
        } else {
            let p = &s.pacts[j];
            let moves = if select::pact_moves(s, &p.id) {
                ""
            } else {
                "; membership does not change"
            };
            let (first, last) = (
                p.size_median.first().copied().unwrap_or(0),
                p.size_median.last().copied().unwrap_or(0),
            );
            let _ = writeln!(
                b,
                "<details>\n<summary><strong>{}</strong> membership over time (median members {first} → {last}{moves})</summary>",
                esc(&p.id)
            );
            figure(b, c, "charts/");
            b.push_str("</details>\n");
        }
        shown += 1;
    }
    if shown > select::REPORT_OPEN {
        let _ = writeln!(
            b,
            "<p class=\"note\">The membership maps of the first {} pacts are shown; click a pact above to open its map.</p>",
            select::REPORT_OPEN
        );
    }
    let unmapped: Vec<String> = (0..s.pacts.len())
        .filter(|&j| !charts.iter().any(|c| c.stem == stems[j]))
        .map(|j| {
            let p = &s.pacts[j];
            format!("{} ({})", esc(&p.id), p.size_median.first().copied().unwrap_or(0))
        })
        .collect();
    if !unmapped.is_empty() {
        let _ = writeln!(
            b,
            "<p class=\"note\">No map for {} {} whose membership does not change (no state's P(member) moves by {} or more; members in brackets): {}.</p>",
            unmapped.len(),
            if unmapped.len() == 1 { "pact" } else { "pacts" },
            select::MOVE,
            unmapped.join(", ")
        );
    }
    for c in charts.iter().filter(|c| !stems.contains(&c.stem)) {
        figure(b, c, "charts/");
    }
}

/// The run report: scenario, settings, the headline table, charts with captions, events.
pub fn write_run_report(dir: &Path, s: &Summary, sc: &Scenario, charts: &[Chart]) -> Result<(), ReportError> {
    let mut b = String::new();
    let _ = writeln!(b, "<h1>{}</h1>", esc(&s.scenario));
    if !s.description.is_empty() {
        let _ = writeln!(b, "<p class=\"lead\">{}</p>", esc(&s.description));
    }

    b.push_str("<h2>Settings</h2>\n<table>\n");
    let span = match s.round_labels.get(1) {
        Some(first) if s.start.is_some() => format!(
            "{} rounds of one {} ({} to {})",
            s.rounds,
            s.round_unit,
            first,
            s.round_labels.last().map(String::as_str).unwrap_or("")
        ),
        _ => format!("{} rounds of one {}", s.rounds, s.round_unit),
    };
    let order = match sc.params.update_order {
        UpdateOrder::Sequential => "sequential (one state at a time, random order each round)",
        UpdateOrder::Simultaneous => "simultaneous",
    };
    // Each value as HTML: text escaped here, the two that are markup built escaped.
    let rows: Vec<(&str, String)> = vec![
        ("Replicates", esc(&s.runs.to_string())),
        ("Master seed", esc(&s.seed.to_string())),
        ("Rounds", esc(&span)),
        (
            "States / pacts / events",
            esc(&format!("{} / {} / {}", s.states.len(), s.pacts.len(), s.events.len())),
        ),
        (
            "Decision rule",
            esc(&format!("logit, temperature {}; update order {order}", sc.params.temperature)),
        ),
        ("Scenario hash (SHA-256)", format!("<code>{}</code>", esc(&s.scenario_hash))),
        ("pactsim", format!("{} (model “{}”)", esc(&s.version), esc(&s.model))),
    ];
    for (k, html) in rows {
        let _ = writeln!(b, "<tr><th>{}</th><td>{html}</td></tr>", esc(k));
    }
    b.push_str("</table>\n");
    let _ = writeln!(
        b,
        "<p class=\"note\">Every setting, with defaults written out, is in <a href=\"scenario.resolved.toml\"><code>scenario.resolved.toml</code></a>; <code>pactsim run scenario.resolved.toml --runs {} --seed {}</code> reproduces this run.</p>",
        s.runs, s.seed
    );

    if !s.targets.is_empty() {
        let met = s.targets.iter().filter(|t| t.met).count();
        let _ = writeln!(
            b,
            "<h2>Against history: {met} of {} targets met</h2>\n<p>Each <code>[[target]]</code> of the scenario: an observed fact, what this run gives, and whether the difference is within the target's tolerance.</p>\n<table>\n<tr><th>Target</th><th>This run</th><th>Observed</th><th>Tolerance</th><th></th><th>Source</th></tr>",
            s.targets.len()
        );
        for t in &s.targets {
            let _ = writeln!(
                b,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>± {}</td><td>{}</td><td><small>{}</small></td></tr>",
                esc(&t.label),
                esc(&t.observed_text),
                esc(&t.value),
                t.tolerance,
                if t.met { "met" } else { "<strong>missed</strong>" },
                esc(&t.source)
            );
        }
        b.push_str("</table>\n");
    }

    b.push_str("<h2>Who ends in which pact</h2>\n");
    let end = s.round_labels.last().cloned().unwrap_or_default();
    let ever: Vec<usize> = (0..s.states.len())
        .filter(|&i| {
            s.pacts
                .iter()
                .any(|p| s.get(&p.id, &s.states[i].id).is_some_and(|m| m.p_ever > 0.0))
        })
        .collect();
    let big = ever.len() > select::TABLE_STATES || s.pacts.len() > select::TABLE_PACTS;
    if ever.is_empty() {
        // An empty result is a result: say so rather than draw a table without rows.
        let _ = writeln!(
            b,
            "<p>{}</p>",
            if s.pacts.is_empty() && !s.templates.is_empty() {
                "The scenario lists no pacts; the pacts its templates formed are below.".to_string()
            } else if s.pacts.is_empty() {
                "The scenario has no pacts: no state can be a member of anything.".to_string()
            } else {
                format!("No state is a member of any pact in any of the {} replicates.", s.runs)
            }
        );
    } else if big {
        pact_table(&mut b, s, charts);
        let _ = writeln!(
            b,
            "<details>\n<summary><strong>Every state and pact</strong> P(member) at the end ({}) for the {} states ever in a pact × {} pacts</summary>",
            esc(&end),
            ever.len(),
            s.pacts.len()
        );
    }
    if !ever.is_empty() {
        let _ = writeln!(
            b,
            "<p>Probability of being a member at the end ({}), across {} replicates. Where a state joins (in at least 5% of replicates), the median date it first becomes a member is shown under the probability; – marks a pact the state is never in. States never in any pact are left out. The last row, <em>Pact ended</em>, is the share of replicates in which the pact ended — once formed, its members fell below its <code>min_members</code> and the rest were released — with the median date (and the share in which an event dissolved it, where one did).</p>",
            esc(&end),
            s.runs
        );
        // Many pacts scroll sideways inside the page rather than widening it.
        b.push_str("<div class=\"wide\">\n<table>\n<tr><th>State</th>");
        for p in &s.pacts {
            let kind = if p.binding >= 0.5 { "binding" } else { "informal" };
            let _ = write!(b, "<th title=\"{}\">{}<br><small>{kind}</small></th>", esc(&p.name), esc(&p.id));
        }
        b.push_str("</tr>\n");
        for &i in &ever {
            let st = &s.states[i];
            let _ = write!(b, "<tr><th>{} <small>{}</small></th>", esc(&st.id), esc(&st.name));
            for p in &s.pacts {
                match s.get(&p.id, &st.id) {
                    Some(m) if m.p_ever == 0.0 => b.push_str("<td class=\"p never\" title=\"never a member\">–</td>"),
                    Some(m) => {
                        let tint = format!("rgba(0,114,178,{:.2})", 0.06 + 0.34 * m.p_final);
                        let join = match m.join_round_median {
                            Some(r) if m.p_joined >= 0.05 => format!("<small>joins {}</small>", esc(&label(s, r))),
                            _ => String::new(),
                        };
                        let _ = write!(b, "<td class=\"p\" style=\"background:{tint}\">{:.2}{join}</td>", m.p_final);
                    }
                    None => b.push_str("<td class=\"p\">–</td>"),
                }
            }
            b.push_str("</tr>\n");
        }
        b.push_str("<tr><th>Pact ended <small>members below min_members</small></th>");
        for p in &s.pacts {
            b.push_str(&ended_cell(s, p));
        }
        b.push_str("</tr>\n");
        b.push_str("</table>\n</div>\n");
        if big {
            b.push_str("</details>\n");
        }
    }

    if !s.templates.is_empty() {
        formed_table(&mut b, s);
    }

    b.push_str("<h2>Charts</h2>\n");
    run_figures(&mut b, s, charts);

    b.push_str("<h2>Events</h2>\n");
    if s.events.is_empty() {
        b.push_str("<p>No events.</p>\n");
    } else {
        b.push_str("<table>\n<tr><th>When</th><th>Round</th><th>Event</th><th>Id</th></tr>\n");
        for e in &s.events {
            let _ = writeln!(
                b,
                "<tr><td>{}</td><td class=\"num\">{}</td><td>{}</td><td><code>{}</code></td></tr>",
                esc(&e.label),
                e.round,
                esc(&e.name),
                esc(&e.id)
            );
        }
        b.push_str("</table>\n<p class=\"note\">An event applies before its round is played.</p>\n");
    }

    b.push_str("<h2>Files</h2>\n");
    file_list(
        &mut b,
        dir,
        &[
            ("summary.json", "headline results (what the charts and this page read)"),
            ("tally.json", "exact counts over replicates (mergeable)"),
            ("memberships.csv", "probability of membership by round, pact and state"),
            ("decisions.csv", "every decision taken, with the value of each term"),
            ("scenario.resolved.toml", "the scenario as run, every default written out"),
        ],
    );
    let html = page(&format!("{} — pactsim report", s.scenario), &b);
    let path = dir.join("report.html");
    std::fs::write(&path, html).map_err(io_err(&path))
}
