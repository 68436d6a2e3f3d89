//! The HTML pages of results: `report.html` for a run, `compare.html`, `sweep.html`,
//! `sensitivity.html` and `backtest.html`. One self-contained page each (inline CSS, no
//! JavaScript, relative links only to files that exist beside it).
//!
//! A page shows a result (from [`crate::study`] and [`crate::backtest`]) with its charts
//! ([`crate::plot::Chart`], already drawn), so it sits above both [`crate::report`] (the tables
//! and JSON files) and [`crate::plot`] (the charts), which do not know each other.

mod backtest;
mod compare;
mod run;
mod sweep;

use std::fmt::Write as _;
use std::path::Path;

use crate::plot::Chart;
use crate::report::{ReportError, io_err};

pub use backtest::write_backtest;
pub use compare::write_compare;
pub use run::write_run_report;
pub use sweep::{write_sensitivity, write_sweep};

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        assert_eq!(esc("a<b & \"c\""), "a&lt;b &amp; &quot;c&quot;");
        assert_eq!(href("charts/a b.png"), "charts/a%20b.png");
    }
}
