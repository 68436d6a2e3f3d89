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

/// A synthetic world of `n` states and `m` pacts (no simulation): 5 founders per pact, members in
/// every replicate; in the first `moving` pacts, `movers` states join, each in its own round and
/// share of replicates; everyone else is never a member.
mod world {
    use pactsim::report::Summary;
    use pactsim::run::Tally;
    use pactsim::scenario::Scenario;

    pub const RUNS: u64 = 10;
    pub const ROUNDS: usize = 12;
    pub const FOUNDERS: usize = 5;

    pub fn scenario(dir: &std::path::Path, n: usize, m: usize) -> Scenario {
        let mut t = format!(
            "[scenario]\nname = \"Synthetic world\"\nrounds = {ROUNDS}\nround_unit = \"month\"\nstart = \"2030-01\"\nseed = 1\nruns = {RUNS}\n"
        );
        for s in 0..n {
            t.push_str(&format!("[[state]]\nid = \"S{s:03}\"\ncapability = 0.001\n"));
        }
        for p in 0..m {
            let members: Vec<String> = (0..FOUNDERS).map(|k| format!("\"S{:03}\"", (p * 3 + k) % n)).collect();
            t.push_str(&format!(
                "[[pact]]\nid = \"P{p:02}\"\nbinding = 1.0\nadmission = \"closed\"\nmembers = [{}]\n",
                members.join(", ")
            ));
        }
        t.push_str("[[event]]\nid = \"shock\"\nname = \"Shock\"\nround = 4\nchange = [{ kind = \"hostility\", between = [\"S000\", \"S001\"], to = 0.8 }]\n");
        let path = dir.join("world.toml");
        std::fs::write(&path, t).unwrap();
        pactsim::scenario::load(&path, &[]).unwrap()
    }

    pub fn run(sc: &Scenario, moving: usize, movers: usize) -> (Summary, Tally) {
        let (n, m, r_n) = (sc.n_states(), sc.n_pacts(), ROUNDS);
        let mut t = Tally::new(sc, 0);
        t.runs = RUNS;
        for p in 0..m {
            let founders: Vec<usize> = (0..FOUNDERS).map(|k| (p * 3 + k) % n).collect();
            let joiners: Vec<usize> = if p < moving {
                (0..n).filter(|s| !founders.contains(s)).take(movers).collect()
            } else {
                Vec::new()
            };
            for &s in &founders {
                for r in 0..=r_n {
                    t.member[(r * m + p) * n + s] = RUNS;
                }
                t.ever[p * n + s] = RUNS;
                t.founding[p * n + s] = RUNS;
            }
            for (k, &s) in joiners.iter().enumerate() {
                let when = 1 + k % r_n;
                let count = 1 + (k as u64 % RUNS);
                for r in when..=r_n {
                    t.member[(r * m + p) * n + s] = count;
                }
                t.ever[p * n + s] = count;
                t.join_round[(p * n + s) * (r_n + 1) + when] = count;
            }
            for r in 0..=r_n {
                let expected: u64 = (0..n).map(|s| t.member[(r * m + p) * n + s]).sum::<u64>() / RUNS;
                t.size[(r * m + p) * (n + 1) + expected as usize] = RUNS;
            }
        }
        for p in 0..m {
            t.formed[p * (r_n + 2)] = RUNS;
        }
        (Summary::new(sc, &t, 1), t)
    }
}

#[test]
fn a_world_of_193_states_and_50_pacts_gets_bounded_charts() {
    use pactsim::plot::select;
    let tmp = tempfile::tempdir().unwrap();
    let sc = world::scenario(tmp.path(), 193, 50);
    // 20 pacts where 60 states join; 30 where nothing moves.
    let (summary, tally) = world::run(&sc, 20, 60);

    // A map of a moving pact: at most 40 rows, the states that move, and a note on the rest.
    let rows = select::map_rows(&[&summary], "P00");
    assert_eq!(rows.rows.len(), select::MAP_ROWS);
    assert!(rows.cut);
    assert_eq!(rows.hidden.always, world::FOUNDERS);
    assert_eq!(rows.hidden.never, 193 - world::FOUNDERS - 60);
    assert_eq!(rows.hidden.moving_less, 20);
    let note = rows.note().unwrap();
    assert!(
        note.contains("133 states with constant membership (moving < 0.05) not shown: 5 always members, 128 never"),
        "{note}"
    );
    assert!(rows.rule().unwrap().starts_with("Rows: the 40 of 60 states"));
    for id in &rows.rows {
        let m = summary.get("P00", id).unwrap();
        assert!(select::movement(m) >= select::MOVE, "{id} does not move");
    }

    // Maps only for the 20 pacts that move; the size chart in panels; 30 join rows; a bounded network.
    let (mapped, unmapped) = select::map_pacts(&summary);
    assert_eq!((mapped.len(), unmapped.len()), (20, 30));
    let size = select::size_pacts(&summary);
    assert!(size.panels);
    assert_eq!((size.drawn.len(), size.constant.len()), (20, 30));
    let joins = select::joins(&summary);
    assert_eq!(joins.pairs.len(), select::JOIN_ROWS);
    assert_eq!(joins.total, 20 * 60);
    assert!(joins.note().unwrap().contains("1170 rarer pairs not shown"));
    let net = select::network(&summary, &[0, 4, 12]);
    assert_eq!((net.pacts.len(), net.states.len()), (select::NET_PACTS, select::NET_STATES));

    // The charts: every file valid, no map for a constant pact. (How long they take is a
    // benchmark, not a test: `cargo bench --bench engine -- charts_of_the_reference_world`.)
    let out = tmp.path().join("run");
    std::fs::create_dir_all(&out).unwrap();
    let charts = pactsim::plot::draw_run(&out.join("charts"), &summary, &tally).unwrap();
    assert_eq!(charts.len(), 20 + 3);
    for c in &charts {
        check_chart(&out.join("charts"), &c.stem);
    }
    assert!(!out.join("charts/membership_P49.png").exists());
    let (w, _) = png_size(&out.join("charts/pact_size.png"));
    assert_eq!(w, 1600, "20 pacts of changing size: four columns of panels");

    // The report: one page, per-pact maps beyond the first few collapsed, the big table collapsed.
    std::fs::write(out.join("scenario.resolved.toml"), &sc.resolved_toml).unwrap();
    pactsim::pages::write_run_report(&out, &summary, &sc, &charts).unwrap();
    check_links(&out.join("report.html"));
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert_eq!(html.matches("<details>").count(), 1 + 20 - select::REPORT_OPEN);
    assert!(html.contains("No map for 30 pacts whose membership does not change"));
    assert!(html.contains("Most likely to join"));
}

#[test]
fn a_few_moving_pacts_share_one_size_chart_and_small_worlds_show_every_member() {
    use pactsim::plot::select;
    let tmp = tempfile::tempdir().unwrap();
    let sc = world::scenario(tmp.path(), 16, 8);
    let (summary, _) = world::run(&sc, 3, 4);
    let size = select::size_pacts(&summary);
    assert!(!size.panels);
    assert_eq!((size.drawn.len(), size.constant.len()), (3, 5));
    // Every state ever a member has a row (founders too), as in the shipped scenarios.
    let rows = select::map_rows(&[&summary], "P00");
    assert!(!rows.cut);
    assert_eq!(rows.rows.len(), world::FOUNDERS + 4);
    assert!(rows.note().unwrap().starts_with("Never members (not shown): 7 states"));
    // At most 12 pacts: a map for each, moving or not; the network shows everything.
    assert_eq!(select::map_pacts(&summary).0.len(), 8);
    assert!(select::network(&summary, &[0, 12]).note(&summary).is_none());
}

/// Labels of clustered points are placed without overlapping one another or any point, inside
/// their bounds, the same way every time; one moved away from its point gets a leader line.
#[test]
fn clustered_labels_do_not_overlap() {
    use pactsim::plot::style::{Rect, place_labels};
    let overlap = |a: Rect, b: Rect| a.0 < b.2 && b.0 < a.2 && a.1 < b.3 && b.1 < a.3;
    // Five points within a few pixels of each other, as Morris points near the origin are.
    let points = [(100, 400), (104, 396), (98, 404), (110, 390), (102, 399)];
    let sizes = [(160, 17); 5];
    let bounds = (60, 50, 560, 420);
    let places = place_labels(&points, &sizes, &[false; 5], 6, bounds, &[]);
    assert_eq!(places, place_labels(&points, &sizes, &[false; 5], 6, bounds, &[]));
    for (i, a) in places.iter().enumerate() {
        let r = a.rect;
        assert!(r.0 >= bounds.0 && r.1 >= bounds.1 && r.2 <= bounds.2 && r.3 <= bounds.3, "{a:?}");
        for b in &places[i + 1..] {
            assert!(!overlap(r, b.rect), "{a:?} overlaps {b:?}");
        }
        for &(x, y) in &points {
            assert!(!overlap(r, (x - 6, y - 6, x + 7, y + 7)), "{a:?} covers the point at {x},{y}");
        }
    }
    assert!(places.iter().any(|p| p.leader), "some label must move away: {places:?}");
    // A lone point keeps its label beside it.
    let one = place_labels(&[(300, 200)], &[(80, 17)], &[false], 6, bounds, &[]);
    assert!(!one[0].leader && one[0].rect.0 == 309, "{one:?}");
}
