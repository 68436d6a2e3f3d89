//! `compare.html`: the page of a comparison.

use std::fmt::Write as _;
use std::path::Path;

use super::{esc, figures, file_list, href, page};
use crate::plot::Chart;
use crate::report::{ReportError, io_err};
use crate::study::compare::Comparison;

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
        let top: Vec<_> = cmp.of(&v.name).filter(|d| d.change.abs() >= 0.005).take(20).collect();
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
            let class = if d.change >= 0.0 { "up" } else { "down" };
            let _ = writeln!(
                b,
                "<tr><td>{}</td><td>{}</td><td class=\"num\">{:.3}</td><td class=\"num\">{:.3}</td><td class=\"num {class}\">{:+.3}</td></tr>",
                esc(&d.pact),
                esc(&d.state),
                d.p_base,
                d.p_variant,
                d.change
            );
        }
        b.push_str("</table>\n");
    }

    formed_table(&mut b, cmp);
    b.push_str("<h2>Charts</h2>\n");
    figures(&mut b, charts, "charts/");
    b.push_str("<h2>Files</h2>\n");
    file_list(
        &mut b,
        dir,
        &[
            (
                "compare.csv",
                "every state–pact pair (formed pacts by their stable id too): p_final in each variant and the difference",
            ),
            (
                "compare_formed.csv",
                "every pact a template formed: p_formed and P(alive at the end) in each variant",
            ),
        ],
    );
    let html = page(&format!("Comparison: {} — pactsim", names.join(" vs ")), &b);
    let path = dir.join("compare.html");
    std::fs::write(&path, html).map_err(io_err(&path))
}

/// At most this many formed pacts in the page's table (all are in compare_formed.csv).
const FORMED_ROWS: usize = 30;

/// "Pacts that formed": each pact a template formed in some variant (docs/MODEL.md §5b), by
/// stable id, with P(formed) and P(alive at the end) in each variant; nothing when none formed.
fn formed_table(b: &mut String, cmp: &Comparison) {
    let rows = cmp.formed();
    if rows.is_empty() {
        return;
    }
    b.push_str("<h2>Pacts that formed</h2>\n");
    let _ = writeln!(
        b,
        "<p>Pacts the scenario's <code>[[template]]</code> tables formed during the run, in any variant: a pact is its template and founders, the same pact in every variant. <em>Formed</em>: share of replicates in which it formed; <em>alive</em>: share in which it is alive after the last round. Their members' end-of-run probabilities are among the differences above; the {} most frequent are listed, all in <a href=\"compare_formed.csv\"><code>compare_formed.csv</code></a>.</p>",
        FORMED_ROWS.min(rows.len())
    );
    b.push_str("<table>\n<tr><th>Pact</th><th>Template</th><th>Founders</th>");
    for v in &cmp.variants {
        let _ = write!(b, "<th>{} formed</th><th>alive</th>", esc(&v.name));
    }
    b.push_str("</tr>\n");
    for r in rows.iter().take(FORMED_ROWS) {
        let _ = write!(
            b,
            "<tr><th>{}</th><td>{} ({})</td><td>{}</td>",
            esc(&r.id),
            esc(&r.template),
            esc(&r.kind),
            esc(&r.founders.join(", "))
        );
        for (pf, pa) in r.p_formed.iter().zip(&r.p_alive_end) {
            let _ = write!(b, "<td class=\"num\">{pf:.3}</td><td class=\"num\">{pa:.3}</td>");
        }
        b.push_str("</tr>\n");
    }
    b.push_str("</table>\n");
}
