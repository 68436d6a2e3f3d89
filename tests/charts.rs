//! Charts and the run report: every chart of a run is written as a valid PNG and SVG, and
//! report.html is self-contained and links only to files that exist.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

fn pactsim() -> Command {
    Command::cargo_bin("pactsim").unwrap()
}

/// Width and height of a PNG, after checking its signature, IHDR and IEND.
fn png_size(path: &Path) -> (u32, u32) {
    let b = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert!(b.len() > 100, "{} is too small", path.display());
    assert_eq!(&b[..8], b"\x89PNG\r\n\x1a\n", "{}: not a PNG", path.display());
    assert_eq!(&b[12..16], b"IHDR", "{}: no IHDR", path.display());
    assert_eq!(&b[b.len() - 8..b.len() - 4], b"IEND", "{}: no IEND (truncated?)", path.display());
    let be = |i: usize| u32::from_be_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]);
    (be(16), be(20))
}

/// Width and height of an SVG, after checking that its tags nest (an XML-ish parse: every
/// element closed in order, `<svg` the root).
fn svg_size(path: &Path) -> (u32, u32) {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut stack: Vec<String> = Vec::new();
    let mut roots = Vec::new();
    let mut rest = text.as_str();
    while let Some(start) = rest.find('<') {
        let end = rest[start..]
            .find('>')
            .unwrap_or_else(|| panic!("{}: unclosed tag", path.display()))
            + start;
        let tag = &rest[start + 1..end];
        rest = &rest[end + 1..];
        if tag.starts_with('?') || tag.starts_with('!') {
            continue;
        }
        if let Some(name) = tag.strip_prefix('/') {
            let open = stack.pop().unwrap_or_else(|| panic!("{}: stray </{name}>", path.display()));
            assert_eq!(open, name.trim(), "{}: </{name}> closes <{open}>", path.display());
            continue;
        }
        let name = tag.split(|c: char| c.is_whitespace() || c == '/').next().unwrap().to_string();
        if stack.is_empty() {
            roots.push(name.clone());
        }
        if !tag.ends_with('/') {
            stack.push(name);
        }
    }
    assert!(stack.is_empty(), "{}: unclosed {stack:?}", path.display());
    assert_eq!(roots, vec!["svg".to_string()], "{}: root elements", path.display());
    let root = &text[text.find("<svg").unwrap()..];
    let root = &root[..root.find('>').unwrap()];
    let attr = |name: &str| -> u32 {
        let at = root
            .find(&format!(" {name}=\""))
            .unwrap_or_else(|| panic!("{}: no {name}", path.display()))
            + name.len()
            + 3;
        root[at..].split('"').next().unwrap().trim_end_matches("px").parse().unwrap()
    };
    (attr("width"), attr("height"))
}

fn sensible((w, h): (u32, u32), what: &str) {
    assert!((600..=3000).contains(&w), "{what}: width {w}");
    assert!((250..=3000).contains(&h), "{what}: height {h}");
}

/// Checks both files of a chart and that they have the same size.
fn check_chart(dir: &Path, stem: &str) {
    let png = png_size(&dir.join(format!("{stem}.png")));
    let svg = svg_size(&dir.join(format!("{stem}.svg")));
    sensible(png, stem);
    assert_eq!(png, svg, "{stem}: PNG and SVG sizes differ");
}

/// Every `href`/`src` in an HTML page: relative, and naming a file that exists beside it.
fn check_links(page: &Path) -> Vec<PathBuf> {
    let html = std::fs::read_to_string(page).unwrap();
    assert!(!html.to_lowercase().contains("<script"), "{}: has JavaScript", page.display());
    let dir = page.parent().unwrap();
    let mut targets = Vec::new();
    for attr in ["href=\"", "src=\""] {
        for (i, _) in html.match_indices(attr) {
            let value = html[i + attr.len()..].split('"').next().unwrap();
            assert!(
                !value.contains("://") && !value.starts_with('/') && !value.starts_with("data:"),
                "{}: non-relative link {value}",
                page.display()
            );
            let file = value.split('#').next().unwrap().replace("%20", " ");
            if file.is_empty() {
                continue;
            }
            let target = dir.join(&file);
            assert!(target.is_file(), "{}: links to missing {value}", page.display());
            targets.push(target);
        }
    }
    targets
}

fn run(file: &str, runs: &str, out: &Path) -> String {
    let assert = pactsim().args(["run", file, "--runs", runs, "--out"]).arg(out).assert().success();
    String::from_utf8(assert.get_output().stdout.clone()).unwrap()
}

#[test]
fn a_run_leaves_every_chart_as_png_and_svg() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("fs");
    run("scenarios/finland_sweden.toml", "50", &out);
    let charts = out.join("charts");
    let summary: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    let mut stems: Vec<String> = summary["pacts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| format!("membership_{}", p["id"].as_str().unwrap()))
        .collect();
    stems.extend(["pact_size", "join_times", "network"].map(String::from));
    for stem in &stems {
        check_chart(&charts, stem);
    }
    // Nothing else in charts/: two files per chart.
    assert_eq!(std::fs::read_dir(&charts).unwrap().count(), 2 * stems.len());
}

#[test]
fn the_report_is_self_contained_and_shows_every_chart() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("run");
    run("scenarios/finland_sweden.toml", "50", &out);
    let page = out.join("report.html");
    let targets = check_links(&page);
    let html = std::fs::read_to_string(&page).unwrap();
    // Every chart is shown, with a caption, and the page links its data files.
    for entry in std::fs::read_dir(out.join("charts")).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        assert!(html.contains(&format!("charts/{name}")), "report.html does not show {name}");
    }
    assert_eq!(html.matches("<figcaption>").count(), html.matches("<img ").count());
    for f in [
        "summary.json",
        "tally.json",
        "memberships.csv",
        "decisions.csv",
        "scenario.resolved.toml",
    ] {
        assert!(targets.contains(&out.join(f)), "report.html does not link {f}");
    }
    // Scenario name, settings, headline table and events.
    assert!(html.contains("<h1>Finland and Sweden join NATO</h1>"));
    assert!(html.contains("<th>Master seed</th><td>2022</td>"));
    assert!(html.contains("<th>Replicates</th><td>50</td>"));
    assert!(html.contains("Who ends in which pact"));
    assert!(html.contains("Russia invades Ukraine"));
}

#[test]
fn charts_of_a_tiny_scenario_and_of_one_without_joins() {
    let tmp = tempfile::tempdir().unwrap();
    for fixture in ["compare_join", "compare_stay"] {
        let out = tmp.path().join(fixture);
        run(&format!("tests/fixtures/{fixture}.toml"), "10", &out);
        for stem in ["membership_P", "pact_size", "join_times", "network"] {
            check_chart(&out.join("charts"), stem);
        }
        check_links(&out.join("report.html"));
    }
    // The join-time caption says what happened in each case.
    let joined = std::fs::read_to_string(tmp.path().join("compare_join/report.html")).unwrap();
    assert!(joined.contains("A → P in 100%"), "{joined}");
    let none = std::fs::read_to_string(tmp.path().join("compare_stay/report.html")).unwrap();
    assert!(none.contains("No state joins a pact it did not found"), "{none}");
}

#[test]
fn html_escapes_scenario_text() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("esc");
    pactsim()
        .args([
            "run",
            "tests/fixtures/compare_join.toml",
            "--runs",
            "5",
            "--set",
            "scenario.description=\"<b>bold</b> & 'quoted'\"",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("&lt;b&gt;bold&lt;/b&gt; &amp; &#39;quoted&#39;"), "{html}");
    assert!(!html.contains("<b>bold</b>"));
}
