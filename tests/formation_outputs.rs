//! What a run with templates shows of the pacts that formed (issue 21, item 4): the chart of the
//! most frequent formed pacts with their founders, the network of co-founders, formed pacts in
//! `compare` and on the live page, and `explain` of a proposal.
//!
//! The world is tests/formation.rs's: three small states A, B, C near a large R that turns hostile
//! at round 4, friends among themselves, and D far from everyone; a binding defence template
//! aimed at each proposer's worst threat. A pact among A, B and C forms in most replicates.

mod common;

use std::path::Path;

use assert_cmd::Command;

const WORLD: &str = r#"
[scenario]
name = "formation outputs"
rounds = 24
seed = 21
runs = 200

[[state]]
id = "A"
capability = 0.05
[[state]]
id = "B"
capability = 0.05
[[state]]
id = "C"
capability = 0.05
[[state]]
id = "D"
capability = 0.05
[[state]]
id = "R"
capability = 0.1

[[relation]]
between = ["A", "R"]
hostility = 0.0
proximity = 1.0
[[relation]]
between = ["B", "R"]
hostility = 0.0
proximity = 1.0
[[relation]]
between = ["C", "R"]
hostility = 0.0
proximity = 1.0
[[relation]]
between = ["A", "B"]
hostility = -0.3
proximity = 1.0
[[relation]]
between = ["A", "C"]
hostility = -0.3
proximity = 1.0
[[relation]]
between = ["B", "C"]
hostility = -0.3
proximity = 1.0

[[event]]
id = "threat"
round = 4
change = [
  { kind = "hostility", between = ["A", "R"], to = 0.8 },
  { kind = "hostility", between = ["B", "R"], to = 0.8 },
  { kind = "hostility", between = ["C", "R"], to = 0.8 },
]

[[template]]
id = "DEF"
name = "Defence pact"
kind = "binding"
obligations = ["defence"]
binding = 1.0
issue = "security"
rival_rule = "worst_threat"
min_members = 2
"#;

/// The world without its template (nothing can form).
fn without_template() -> String {
    WORLD.split("[[template]]").next().unwrap().to_string()
}

fn pactsim() -> Command {
    Command::cargo_bin("pactsim").unwrap()
}

/// Width and height of a PNG, from its IHDR chunk.
fn png_size(path: &Path) -> (u32, u32) {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "{}: not a PNG", path.display());
    let be = |i: usize| u32::from_be_bytes(bytes[i..i + 4].try_into().unwrap());
    (be(16), be(20))
}

/// `run` writes the chart of the most frequent formed pacts and the co-founders' network (PNG of a
/// real size, SVG naming the formed pact and its founders) when a template formed something, lists
/// them in report.html, and writes neither when nothing can form.
#[test]
fn a_run_that_formed_pacts_charts_them_with_their_founders() {
    let tmp = tempfile::tempdir().unwrap();
    for (name, text, drawn) in [("with", WORLD.to_string(), true), ("without", without_template(), false)] {
        let file = tmp.path().join(format!("{name}.toml"));
        std::fs::write(&file, text).unwrap();
        let out = tmp.path().join(name);
        pactsim()
            .args(["run", "--runs", "100", "--quiet", "--out"])
            .arg(&out)
            .arg(&file)
            .assert()
            .success();
        let charts = out.join("charts");
        let report = std::fs::read_to_string(out.join("report.html")).unwrap();
        for stem in ["formed_pacts", "formed_network"] {
            let png = charts.join(format!("{stem}.png"));
            assert_eq!(png.is_file(), drawn, "{name}: {stem}.png");
            assert_eq!(report.contains(&format!("{stem}.png")), drawn, "{name}: report.html lists {stem}");
            if !drawn {
                continue;
            }
            let (w, h) = png_size(&png);
            assert!(w >= 1000 && h >= 300, "{stem}.png is {w}×{h}");
            let len = std::fs::metadata(&png).unwrap().len();
            assert!(len > 20_000, "{stem}.png is only {len} bytes: nearly empty");
            let svg = std::fs::read_to_string(charts.join(format!("{stem}.svg"))).unwrap();
            for founder in ["\nA ", "\nB ", "\nC "].into_iter().filter(|_| stem == "formed_network") {
                assert!(svg.contains(founder), "{stem}.svg does not name founder {founder}");
            }
        }
        if drawn {
            let svg = std::fs::read_to_string(charts.join("formed_pacts.svg")).unwrap();
            assert!(svg.contains("DEF~R-A-B-C"), "formed_pacts.svg lacks the most frequent pact's id");
            assert!(svg.contains("founders A, B, C"), "formed_pacts.svg lacks the founders' label");
        }
    }
}

/// Runs `pactsim` with `args` and returns its standard output (it must succeed).
fn ok(args: &[&str]) -> String {
    let out = pactsim().args(args).output().unwrap();
    assert!(out.status.success(), "pactsim {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// `compare` lists formed pacts as it lists listed ones: their members' end-of-run
/// probabilities among the differences (compare.csv, by stable id), and each formed pact's
/// P(formed) per variant (compare_formed.csv and compare.html's "Pacts that formed"). Without a
/// template there is neither.
#[test]
fn compare_shows_formed_pacts_by_their_stable_id() {
    let tmp = tempfile::tempdir().unwrap();
    for (name, text, formed) in [("with", WORLD.to_string(), true), ("without", without_template(), false)] {
        let file = tmp.path().join(format!("{name}.toml"));
        std::fs::write(&file, text).unwrap();
        let out = tmp.path().join(format!("cmp-{name}"));
        // Threat at round 20 instead of 4: fewer rounds for a pact to form.
        ok(&[
            "compare",
            file.to_str().unwrap(),
            "--variant",
            "late:event.threat.enabled=false",
            "--runs",
            "100",
            "--out",
            out.to_str().unwrap(),
        ]);
        let csv = std::fs::read_to_string(out.join("compare.csv")).unwrap();
        let html = std::fs::read_to_string(out.join("compare.html")).unwrap();
        assert_eq!(csv.contains("DEF~R-A-B-C"), formed, "{name}: compare.csv\n{csv}");
        assert_eq!(html.contains("Pacts that formed"), formed, "{name}: compare.html");
        assert_eq!(out.join("compare_formed.csv").is_file(), formed, "{name}: compare_formed.csv");
        if !formed {
            continue;
        }
        // The membership rows of the formed pact: A in DEF~R-A-B-C, in both variants.
        let row = csv
            .lines()
            .find(|l| l.contains(",DEF~R-A-B-C,A,"))
            .unwrap_or_else(|| panic!("no row for A in DEF~R-A-B-C:\n{csv}"));
        let cells: Vec<f64> = row.split(',').skip(4).map(|x| x.parse().unwrap()).collect();
        assert!(cells[0] > 0.2, "A in DEF~R-A-B-C at the end, threat at round 4: {row}");
        assert!((cells[2] - (cells[1] - cells[0])).abs() < 1e-9, "difference = b − a: {row}");
        let formed_csv = std::fs::read_to_string(out.join("compare_formed.csv")).unwrap();
        let mut lines = formed_csv.lines();
        // The base variant is named after the file's stem.
        assert_eq!(
            lines.next().unwrap(),
            format!("pact,template,kind,founders,p_formed_{name},p_formed_late,p_alive_end_{name},p_alive_end_late")
        );
        let abc = formed_csv
            .lines()
            .find(|l| l.starts_with("DEF~R-A-B-C,"))
            .expect("DEF~R-A-B-C in compare_formed.csv");
        let f: Vec<&str> = abc.split(',').collect();
        assert_eq!(&f[1..4], &["DEF", "binding", "A B C"]);
        let (early, late): (f64, f64) = (f[4].parse().unwrap(), f[5].parse().unwrap());
        // Without the threat (the variant `late` switches it off) nothing forms.
        assert!(
            early > late + 3.0 * common::std_err(early, 100),
            "formed {early} with the threat vs {late} without"
        );
        assert!(html.contains("<th>DEF~R-A-B-C</th>"), "compare.html's table names the pact");
    }
}

/// `explain --proposal` names the template, the proposers and the invitees with their answers,
/// and the terms that decided; `proposal.csv` holds exactly the propose/accept/decline rows
/// of `pactsim run`'s decisions.csv for the same seed and replicates (the same logged terms).
#[test]
fn explain_a_proposal_names_proposer_invitees_and_the_deciding_terms() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("world.toml");
    std::fs::write(&file, WORLD).unwrap();
    let f = file.to_str().unwrap();
    let run_dir = tmp.path().join("run");
    ok(&[
        "run",
        f,
        "--runs",
        "60",
        "--no-charts",
        "--quiet",
        "--out",
        run_dir.to_str().unwrap(),
    ]);
    let decisions = std::fs::read_to_string(run_dir.join("decisions.csv")).unwrap();
    let expl = tmp.path().join("explain");
    let text = ok(&["explain", f, "--proposal", "DEF", "--runs", "60", "--out", expl.to_str().unwrap()]);
    assert!(text.contains("every proposal of template DEF"), "{text}");
    for needle in ["propose", "accept", "security", "utility", "Partners chosen"] {
        assert!(text.contains(needle), "no `{needle}` in:\n{text}");
    }
    let steps = std::fs::read_to_string(expl.join("proposal.csv")).unwrap();
    let head: Vec<&str> = steps.lines().next().unwrap().split(',').collect();
    assert_eq!(
        &head[..9],
        &[
            "replicate",
            "round",
            "label",
            "pact",
            "decision",
            "state",
            "proposer",
            "probability",
            "utility"
        ]
    );
    // decisions.csv: replicate,round,label,state,pact,action,applicant,probability,utility,terms…
    let mut from_run: Vec<String> = Vec::new();
    for l in decisions.lines().skip(1) {
        let c: Vec<&str> = l.split(',').collect();
        if !["propose", "accept", "decline"].contains(&c[5]) {
            continue;
        }
        let proposer = if c[5] == "propose" { c[3] } else { c[6] };
        from_run.push(format!("{},{},{},{},{},{}", c[0], c[1], c[4], c[5], c[3], proposer));
    }
    let from_explain: Vec<String> = steps
        .lines()
        .skip(1)
        .map(|l| {
            let c: Vec<&str> = l.split(',').collect();
            // The utility is the sum of the terms it lists.
            let u: f64 = c[8].parse().unwrap();
            let sum: f64 = c[9..].iter().map(|x| x.parse::<f64>().unwrap()).sum();
            assert!((u - sum).abs() < 1e-9, "utility {u} ≠ Σ terms {sum}: {l}");
            format!("{},{},{},{},{},{}", c[0], c[1], c[3], c[4], c[5], c[6])
        })
        .collect();
    assert!(!from_run.is_empty(), "nothing proposed in 60 replicates");
    assert_eq!(from_explain, from_run, "proposal.csv's steps are decisions.csv's");

    // One proposed pact by its stable id: only its steps, its proposers and invitees named.
    let first = from_run.iter().find(|r| r.contains(",propose,")).unwrap();
    let id = first.split(',').nth(2).unwrap().to_string();
    let one = tmp.path().join("explain-one");
    let text = ok(&["explain", f, "--proposal", &id, "--runs", "60", "--out", one.to_str().unwrap()]);
    assert!(text.contains(&format!("proposals of {id} (template DEF)")), "{text}");
    let founders: Vec<&str> = id.split_once("~R-").unwrap().1.split('-').collect();
    let rows: Vec<String> = std::fs::read_to_string(one.join("proposal.csv"))
        .unwrap()
        .lines()
        .skip(1)
        .map(String::from)
        .collect();
    assert!(rows.iter().all(|r| r.split(',').nth(3) == Some(id.as_str())), "only {id}");
    for r in &rows {
        let state = r.split(',').nth(5).unwrap();
        assert!(founders.contains(&state), "{state} decided on {id}");
    }
    assert!(text.lines().any(|l| l.contains(" invites ")), "the partners chosen: {text}");

    // Bad ids are refused, naming the option and what is valid.
    let bad = pactsim()
        .args(["explain", f, "--proposal", "NOPE", "--runs", "10"])
        .output()
        .unwrap();
    assert!(!bad.status.success());
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(err.contains("--proposal NOPE") && err.contains("DEF"), "{err}");
    let never = pactsim()
        .args(["explain", f, "--proposal", "DEF~R-C-D", "--runs", "10"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&never.stderr);
    assert!(!never.status.success() && err.contains("never proposed"), "{err}");
}

/// The live page's view (`POST /api/view`) carries `formed`: each pact the templates formed,
/// by stable id, with P(formed) as written and edited and the edited run's members; and the
/// page has its "Pacts that formed" section. A scenario without templates gets none.
#[test]
fn the_live_page_shows_the_pacts_that_formed() {
    use pactsim::serve::{self, Config, Limits};
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("scenarios");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join("formed.toml"), WORLD).unwrap();
    std::fs::write(dir.join("none.toml"), without_template()).unwrap();
    let config = Config {
        dir: dir.clone(),
        output: tmp.path().join("output"),
        limits: Limits { simulations: 1 },
        hosts: Vec::new(),
    };
    let s = serve::start(&config, "127.0.0.1:0").expect("server starts");
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(std::time::Duration::from_secs(120)))
        .build()
        .into();
    let view = |name: &str| -> serde_json::Value {
        let body = format!(r#"{{"scenario": "{name}", "set": ["event.threat.enabled=false"], "runs": 100, "seed": 3}}"#);
        let mut r = agent
            .post(&format!("http://{}/api/view", s.addr))
            .header("Content-Type", "application/json")
            .send(&body)
            .unwrap();
        assert_eq!(r.status().as_u16(), 200);
        serde_json::from_str(&r.body_mut().with_config().limit(64 << 20).read_to_string().unwrap()).unwrap()
    };
    let v = view("formed");
    let formed = v["formed"].as_array().expect("`formed` in the view");
    let abc = formed
        .iter()
        .find(|f| f["id"] == "DEF~R-A-B-C")
        .expect("DEF~R-A-B-C among the formed pacts");
    assert_eq!(abc["template"], "DEF");
    assert_eq!(abc["founders"], serde_json::json!(["A", "B", "C"]));
    let variants = abc["variants"].as_array().unwrap();
    assert_eq!(variants.len(), 2);
    assert_eq!(variants[0]["name"], "as-written");
    // As written, the threat comes at round 4; edited, it never comes: the pact forms only as written.
    let (written, edited) = (variants[0]["p_formed"].as_f64().unwrap(), variants[1]["p_formed"].as_f64().unwrap());
    assert!(written > edited, "as written {written}, edited {edited}");
    // The values are the summaries' own.
    assert_eq!(
        variants[1]["p_formed"].as_f64(),
        Some(v["summary"]["formed"]["DEF~R-A-B-C"]["p_formed"].as_f64().unwrap_or(0.0))
    );
    // Members are the edited run's: none where it never formed.
    assert_eq!(abc["members"], serde_json::json!([]), "{abc}");
    // Most frequent first.
    let top = |f: &serde_json::Value| {
        f["variants"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["p_formed"].as_f64().unwrap())
            .fold(0.0, f64::max)
    };
    assert!(formed.windows(2).all(|w| top(&w[0]) >= top(&w[1])), "order");
    assert_eq!(view("none")["formed"], serde_json::json!([]));
    let page = agent
        .get(&format!("http://{}/", s.addr))
        .call()
        .unwrap()
        .body_mut()
        .read_to_string()
        .unwrap();
    assert!(page.contains("id=\"formed-section\""), "the page has the section");
    let js = agent
        .get(&format!("http://{}/page.js", s.addr))
        .call()
        .unwrap()
        .body_mut()
        .read_to_string()
        .unwrap();
    assert!(js.contains("formedTable(v.formed"), "the page fills it from the view");
}
