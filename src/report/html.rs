//! `report.html` for a run and `compare.html` for a comparison: one self-contained page each
//! (inline CSS, no JavaScript, relative links only to files that exist beside it).

use std::fmt::Write as _;
use std::path::Path;

use super::{ReportError, Summary, io_err};
use crate::compare::Comparison;
use crate::plot::{Chart, select};
use crate::scenario::{Scenario, UpdateOrder};

/// Escapes text for HTML element content and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Escapes prose for HTML element content, writing each `quoted` span (paired backticks, as
/// the descriptions in the report writers use them) as `<code>`; an unpaired backtick is kept.
pub fn esc_prose(s: &str) -> String {
    let parts: Vec<&str> = s.split('`').collect();
    let mut out = String::with_capacity(s.len() + 16);
    let mut i = 0;
    while i < parts.len() {
        out.push_str(&esc(parts[i]));
        if i + 2 < parts.len() {
            let _ = write!(out, "<code>{}</code>", esc(parts[i + 1]));
        } else if i + 1 < parts.len() {
            out.push('`');
            out.push_str(&esc(parts[i + 1]));
        }
        i += 2;
    }
    out
}

/// Percent-encodes a relative path for an `href`/`src` (keeps `/`).
fn href(path: &str) -> String {
    let mut out = String::new();
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-_./~".contains(&b) {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

const STYLE: &str = r#"
:root { color-scheme: light; }
body { font-family: "DejaVu Sans", "Segoe UI", Helvetica, Arial, sans-serif; color: #222; background: #fff;
       max-width: 1300px; margin: 0 auto; padding: 24px 32px 64px; line-height: 1.45; }
h1 { font-size: 1.9em; margin: 0.2em 0 0.2em; }
h2 { font-size: 1.35em; margin-top: 2em; border-bottom: 2px solid #ddd; padding-bottom: 4px; }
p.lead { font-size: 1.1em; color: #444; margin-top: 0; }
table { border-collapse: collapse; margin: 0.8em 0; }
th, td { border: 1px solid #ccc; padding: 4px 10px; text-align: left; vertical-align: top; }
th { background: #f2f2f2; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.p { text-align: center; font-variant-numeric: tabular-nums; min-width: 5.5em; }
td.p small { display: block; color: #333; font-size: 0.8em; }
td.never { color: #999; }
td.up { color: #0072B2; font-weight: bold; }
td.down { color: #D55E00; font-weight: bold; }
figure { margin: 1.4em 0 2.2em; }
figure img { max-width: 100%; height: auto; border: 1px solid #ddd; }
figcaption { margin-top: 6px; color: #333; }
figcaption a { margin-left: 0.5em; }
code { background: #f4f4f4; padding: 1px 4px; border-radius: 3px; }
.note { color: #555; font-size: 0.95em; }
ul.files li { margin: 2px 0; }
details { margin: 0.5em 0; }
details > summary { cursor: pointer; padding: 4px 0; }
details > summary strong { margin-right: 0.4em; }
details[open] > summary { margin-bottom: 0.4em; }
div.wide { overflow-x: auto; max-width: 100%; }
td.names { font-size: 0.92em; }
"#;

pub(crate) fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n{body}</body>\n</html>\n",
        esc(title)
    )
}

pub(crate) fn figures(out: &mut String, charts: &[Chart], prefix: &str) {
    for c in charts {
        figure(out, c, prefix);
    }
}

fn figure(out: &mut String, c: &Chart, prefix: &str) {
    let Some(png) = c.png() else { return };
    let _ = write!(
        out,
        "<figure id=\"{}\">\n<img src=\"{}\" alt=\"{}\" width=\"{}\" height=\"{}\" loading=\"lazy\">\n<figcaption>{}",
        esc(&c.stem),
        href(&format!("{prefix}{png}")),
        esc(&c.title),
        c.size.0,
        c.size.1,
        esc(&c.caption)
    );
    if let Some(svg) = c.svg() {
        let _ = write!(out, " <a href=\"{}\">SVG</a>", href(&format!("{prefix}{svg}")));
    }
    out.push_str("</figcaption>\n</figure>\n");
}

/// Links to those of `files` that exist in `dir`, with a description each.
pub(crate) fn file_list(out: &mut String, dir: &Path, files: &[(&str, &str)]) {
    out.push_str("<ul class=\"files\">\n");
    for (f, what) in files {
        if dir.join(f).is_file() {
            let _ = writeln!(
                out,
                "<li><a href=\"{}\"><code>{}</code></a> — {}</li>",
                href(f),
                esc(f),
                esc_prose(what)
            );
        }
    }
    out.push_str("</ul>\n");
}

fn label(s: &Summary, r: f64) -> String {
    s.round_label(r)
}

/// A table cell on how often a pact ended (its membership fell below `min_members`) and when:
/// the share of replicates with the median date under it, or – where it never ended.
fn ended_cell(s: &Summary, p: &crate::report::PactInfo) -> String {
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
    let stems = crate::plot::membership_stems(s);
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

/// The charts of a run: the membership maps, pacts where membership moves first, the first few
/// open and the rest collapsed, the pacts without a map listed; then the other charts.
fn run_figures(b: &mut String, s: &Summary, charts: &[Chart]) {
    let stems = crate::plot::membership_stems(s);
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
    let rows: Vec<(&str, String)> = vec![
        ("Replicates", s.runs.to_string()),
        ("Master seed", s.seed.to_string()),
        ("Rounds", span),
        (
            "States / pacts / events",
            format!("{} / {} / {}", s.states.len(), s.pacts.len(), s.events.len()),
        ),
        (
            "Decision rule",
            format!("logit, temperature {}; update order {order}", sc.params.temperature),
        ),
        ("Scenario hash (SHA-256)", format!("<code>{}</code>", esc(&s.scenario_hash))),
        ("pactsim", format!("{} (model “{}”)", esc(&s.version), esc(&s.model))),
    ];
    for (k, v) in rows {
        let v = if v.starts_with("<code>") || k == "pactsim" { v } else { esc(&v) };
        let _ = writeln!(b, "<tr><th>{}</th><td>{v}</td></tr>", esc(k));
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
            if s.pacts.is_empty() {
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

/// The comparison page: variants and their settings, the common-random-numbers note, the
/// largest differences, and the charts.
pub fn write_compare(dir: &Path, cmp: &Comparison, charts: &[Chart]) -> Result<(), ReportError> {
    let names = cmp.names();
    let mut b = String::new();
    let _ = writeln!(b, "<h1>Comparison: {}</h1>", esc(&names.join(" vs ")));
    let first = &cmp.variants[0];
    let _ = writeln!(b, "<p class=\"lead\">{}</p>", esc(&first.summary.scenario));

    b.push_str("<h2>Variants</h2>\n<table>\n<tr><th>Variant</th><th>Source</th><th>Changes</th><th>Replicates</th><th>Seed</th><th>Rounds</th><th>Results</th></tr>\n");
    for v in &cmp.variants {
        let changes = if v.sets.is_empty() {
            "—".to_string()
        } else {
            v.sets
                .iter()
                .map(|s| format!("<code>{}</code>", esc(s)))
                .collect::<Vec<_>>()
                .join("<br>")
        };
        let source = if v.simulated {
            format!("{} (simulated)", esc(&v.source.display().to_string()))
        } else {
            format!("{} (run directory)", esc(&v.source.display().to_string()))
        };
        let summary = format!("variants/{}/summary.json", v.name);
        let link = if dir.join(&summary).is_file() {
            format!("<a href=\"{}\">summary.json</a>", href(&summary))
        } else {
            String::new()
        };
        let _ = writeln!(
            b,
            "<tr><th>{}</th><td>{source}</td><td>{changes}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{link}</td></tr>",
            esc(&v.name),
            v.summary.runs,
            v.summary.seed,
            v.summary.rounds
        );
    }
    b.push_str("</table>\n");
    if cmp.common_random_numbers() {
        let _ = writeln!(
            b,
            "<p><strong>Common random numbers.</strong> Every variant uses master seed {} and replicates 0 to {}: replicate <em>i</em> of each variant draws from the same random stream, so the differences below come from the change, not from sampling noise.</p>",
            first.summary.seed,
            first.summary.runs.saturating_sub(1)
        );
    } else {
        b.push_str("<p><strong>Different seeds or replicate counts.</strong> The variants were not run with the same master seed and number of replicates, so part of each difference is Monte Carlo noise (about ±2·√(p(1−p)/n) for a probability p from n replicates).</p>\n");
    }

    b.push_str("<h2>Largest differences</h2>\n");
    let _ = writeln!(
        b,
        "<p>Probability of being a member at the end, each variant against <strong>{}</strong>; the 20 largest changes per variant. Every state–pact pair is in <a href=\"compare.csv\"><code>compare.csv</code></a>.</p>",
        esc(&first.name)
    );
    for v in &cmp.variants[1..] {
        let top: Vec<_> = cmp.of(&v.name).filter(|d| d.diff.abs() >= 0.005).take(20).collect();
        let _ = writeln!(b, "<h3>{} vs {}</h3>", esc(&v.name), esc(&first.name));
        if top.is_empty() {
            b.push_str("<p>No end-of-run probability changes by 0.005 or more.</p>\n");
            continue;
        }
        let _ = writeln!(
            b,
            "<table>\n<tr><th>Pact</th><th>State</th><th>{}</th><th>{}</th><th>Change</th></tr>",
            esc(&first.name),
            esc(&v.name)
        );
        for d in top {
            let class = if d.diff >= 0.0 { "up" } else { "down" };
            let _ = writeln!(
                b,
                "<tr><td>{}</td><td>{}</td><td class=\"num\">{:.3}</td><td class=\"num\">{:.3}</td><td class=\"num {class}\">{:+.3}</td></tr>",
                esc(&d.pact),
                esc(&d.state),
                d.p_a,
                d.p_b,
                d.diff
            );
        }
        b.push_str("</table>\n");
    }

    b.push_str("<h2>Charts</h2>\n");
    figures(&mut b, charts, "charts/");
    b.push_str("<h2>Files</h2>\n");
    file_list(
        &mut b,
        dir,
        &[("compare.csv", "every state–pact pair: p_final in each variant and the difference")],
    );
    let html = page(&format!("Comparison: {} — pactsim", names.join(" vs ")), &b);
    let path = dir.join("compare.html");
    std::fs::write(&path, html).map_err(io_err(&path))
}

/// sensitivity.html: which assumptions matter, in words, then the chart and the numbers for the
/// outcomes that move most. `lines` are the sentences (one per outcome), `table` the rows
/// (outcome, parameter, and the method's numbers with their headers).
/// A page of a study (a sweep, a screening, a fit): what was run, what it found in sentences,
/// its charts, a table of its numbers and links to its files.
pub struct StudyPage<'a> {
    /// The file to write, e.g. `sweep.html`.
    pub file: &'a str,
    pub title: &'a str,
    pub settings: &'a [(&'a str, String)],
    pub heading: &'a str,
    pub lines: &'a [String],
    /// Said when there are no lines.
    pub nothing: &'a str,
    pub headers: &'a [&'a str],
    pub table: &'a [Vec<String>],
    pub charts: &'a [Chart],
    pub files: &'a [(&'a str, &'a str)],
}

pub fn write_study(dir: &Path, s: &StudyPage) -> Result<(), ReportError> {
    let mut b = String::new();
    let _ = writeln!(b, "<h1>{}</h1>", esc(s.title));
    b.push_str("<table>\n");
    for (k, v) in s.settings {
        let _ = writeln!(b, "<tr><th>{}</th><td>{}</td></tr>", esc(k), esc(v));
    }
    let _ = writeln!(b, "</table>\n<h2>{}</h2>", esc_prose(s.heading));
    if s.lines.is_empty() {
        let _ = writeln!(b, "<p>{}</p>", esc_prose(s.nothing));
    }
    b.push_str("<ul>\n");
    for l in s.lines {
        let _ = writeln!(b, "<li>{}</li>", esc_prose(l));
    }
    b.push_str("</ul>\n");
    figures(&mut b, s.charts, "charts/");
    if !s.table.is_empty() {
        b.push_str("<h2>The numbers</h2>\n<div class=\"wide\">\n<table>\n<tr>");
        for h in s.headers {
            let _ = write!(b, "<th>{}</th>", esc(h));
        }
        b.push_str("</tr>\n");
        for row in s.table {
            b.push_str("<tr>");
            for cell in row {
                let _ = write!(b, "<td>{}</td>", esc(cell));
            }
            b.push_str("</tr>\n");
        }
        b.push_str("</table>\n</div>\n");
    }
    b.push_str("<h2>Files</h2>\n");
    file_list(&mut b, dir, s.files);
    let path = dir.join(s.file);
    std::fs::write(&path, page(&format!("{} — pactsim", s.title), &b)).map_err(io_err(&path))
}

pub fn write_sensitivity(
    dir: &Path,
    title: &str,
    settings: &[(&str, String)],
    lines: &[String],
    headers: &[&str],
    table: &[Vec<String>],
    charts: &[Chart],
) -> Result<(), ReportError> {
    write_study(
        dir,
        &StudyPage {
            file: "sensitivity.html",
            title,
            settings,
            heading: "Which assumptions matter",
            lines,
            nothing: "No outcome moves over the ranges given.",
            headers,
            table,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        assert_eq!(esc("a<b & \"c\""), "a&lt;b &amp; &quot;c&quot;");
        assert_eq!(href("charts/a b.png"), "charts/a%20b.png");
    }
}
