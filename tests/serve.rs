//! `pactsim serve` over HTTP: every endpoint, with a real client against a server on a free
//! port of 127.0.0.1, including bad requests (after each of which the server must still answer).

mod common;

use std::path::Path;
use std::time::Duration;

use assert_cmd::Command;
use pactsim::serve::{self, Config, Limits, MAX_BODY, MAX_RUNS, Server};
use serde_json::{Value, json};

fn server(output: &Path) -> Server {
    let config = Config {
        dir: common::root().join("scenarios"),
        output: output.to_path_buf(),
        limits: Limits { simulations: 2 },
    };
    serve::start(&config, "127.0.0.1:0").expect("server starts")
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(120)))
        .build()
        .into()
}

/// (status, body) of a POST of `body` (raw text) to `path`.
fn post(s: &Server, path: &str, body: &str) -> (u16, String) {
    let mut r = agent()
        .post(&format!("http://{}{path}", s.addr))
        .header("Content-Type", "application/json")
        .send(body)
        .unwrap_or_else(|e| panic!("POST {path}: {e}"));
    let status = r.status().as_u16();
    let text = r.body_mut().with_config().limit(64 * 1024 * 1024).read_to_string().expect("a body");
    (status, text)
}

fn get(s: &Server, path: &str) -> (u16, String) {
    let mut r = agent()
        .get(&format!("http://{}{path}", s.addr))
        .call()
        .unwrap_or_else(|e| panic!("GET {path}: {e}"));
    let status = r.status().as_u16();
    (status, r.body_mut().read_to_string().expect("a body"))
}

fn json_of(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

/// The server still lists its scenarios.
fn alive(s: &Server) {
    let (status, body) = get(s, "/api/scenarios");
    assert_eq!(status, 200, "{body}");
}

#[test]
fn lists_and_describes_scenarios() {
    let tmp = tempfile::tempdir().unwrap();
    let s = server(tmp.path());
    let (status, body) = get(&s, "/api/scenarios");
    assert_eq!(status, 200);
    let list = json_of(&body);
    let names: Vec<&str> = list.as_array().unwrap().iter().map(|x| x["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        ["finland_sweden", "gulf_minilaterals", "lithium_triangle", "taiwan_escalation"]
    );
    assert_eq!(list[0]["title"], "Finland and Sweden join NATO");

    let (status, body) = get(&s, "/api/scenarios/finland_sweden");
    assert_eq!(status, 200);
    let d = json_of(&body);
    assert_eq!(d["runs"], 1000);
    assert_eq!(d["max_runs"], MAX_RUNS);
    let params = d["parameters"].as_array().unwrap();
    let find = |p: &str| params.iter().find(|x| x["path"] == p).unwrap_or_else(|| panic!("{p}"));
    let t = find("model.temperature");
    assert_eq!(
        (t["kind"].as_str(), t["min"].as_f64(), t["max"].as_f64()),
        (Some("number"), Some(0.0), Some(100.0))
    );
    assert_eq!(t["value"], 0.12);
    assert_eq!(find("event.invasion.enabled")["kind"], "bool");
    assert_eq!(find("event.invasion.date")["value"], "2022-02-24");
    assert_eq!(find("relation.FIN-RUS.hostility")["min"], -1.0);
    for group in ["model", "states", "relations", "pacts", "events"] {
        assert!(params.iter().any(|p| p["group"] == group), "{group}");
    }

    // The page and its script and stylesheet come from the binary.
    let (status, page) = get(&s, "/");
    assert_eq!(status, 200);
    assert!(
        page.contains("<script src=\"/page.js\">") && !page.contains("http"),
        "no outside links"
    );
    assert_eq!(get(&s, "/page.js").0, 200);
    assert_eq!(get(&s, "/page.css").0, 200);
}

#[test]
fn unknown_names_and_paths_are_404_without_traversal() {
    let tmp = tempfile::tempdir().unwrap();
    let s = server(tmp.path());
    for path in [
        "/api/scenarios/nope",
        "/api/scenarios/..%2F..%2FCargo",
        "/api/scenarios/%2Fetc%2Fpasswd",
        "/api/nothing",
        "/scenarios/finland_sweden.toml",
        "/../Cargo.toml",
    ] {
        let (status, body) = get(&s, path);
        assert_eq!(status, 404, "{path}: {body}");
        assert!(json_of(&body)["error"].is_string(), "{path}");
    }
    let (status, body) = post(&s, "/api/run", r#"{"scenario": "../Cargo"}"#);
    assert_eq!(status, 404);
    assert!(body.contains("scenarios: finland_sweden"), "{body}");
    alive(&s);
}

#[test]
fn run_is_byte_for_byte_the_summary_json_of_pactsim_run() {
    let tmp = tempfile::tempdir().unwrap();
    let s = server(tmp.path());
    let (status, body) = post(
        &s,
        "/api/run",
        r#"{"scenario": "finland_sweden", "set": ["model.temperature=0.2", "event.invasion.date=\"2022-06\""], "runs": 200, "seed": 7}"#,
    );
    assert_eq!(status, 200, "{body}");
    let out = tmp.path().join("cli");
    Command::cargo_bin("pactsim")
        .unwrap()
        .current_dir(common::root())
        .args(["run", "scenarios/finland_sweden.toml", "--set", "model.temperature=0.2"])
        .args([
            "--set",
            "event.invasion.date=\"2022-06\"",
            "--runs",
            "200",
            "--seed",
            "7",
            "--no-charts",
            "--quiet",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    let written = std::fs::read_to_string(out.join("summary.json")).unwrap();
    assert!(body == written, "POST /api/run differs from summary.json");

    // Defaults: the scenario's runs and seed.
    let (status, body) = post(&s, "/api/run", r#"{"scenario": "lithium_triangle"}"#);
    assert_eq!(status, 200);
    let v = json_of(&body);
    let sc = common::load(&common::scenario_path("lithium_triangle.toml"), &[]);
    assert_eq!((v["runs"].as_u64(), v["seed"].as_u64()), (Some(u64::from(sc.runs)), Some(sc.seed)));
}

#[test]
fn bad_requests_get_their_error_and_the_server_stays_up() {
    let tmp = tempfile::tempdir().unwrap();
    let s = server(tmp.path());
    let huge = format!(r#"{{"scenario": "finland_sweden", "set": ["{}"]}}"#, "x".repeat(MAX_BODY + 10));
    let cases: Vec<(&str, String, u16, &str)> = vec![
        ("not JSON", "{bad".into(), 400, "not valid"),
        ("empty", String::new(), 400, "not valid"),
        ("a list", "[1, 2]".into(), 422, "not valid"),
        ("no scenario", "{}".into(), 422, "missing field `scenario`"),
        (
            "unknown field",
            r#"{"scenario": "finland_sweden", "rusn": 5}"#.into(),
            422,
            "unknown field `rusn`",
        ),
        (
            "unknown path",
            r#"{"scenario": "finland_sweden", "set": ["model.temprature=0.2"]}"#.into(),
            422,
            "unknown field `temprature`",
        ),
        (
            "unknown state",
            r#"{"scenario": "finland_sweden", "set": ["state.FNI.neutrality=1"]}"#.into(),
            422,
            "did you mean `FIN`?",
        ),
        (
            "NaN",
            r#"{"scenario": "finland_sweden", "set": ["model.temperature=nan"]}"#.into(),
            422,
            "finite number",
        ),
        (
            "infinity",
            r#"{"scenario": "finland_sweden", "set": ["model.temperature=inf"]}"#.into(),
            422,
            "finite number",
        ),
        (
            "out of range",
            r#"{"scenario": "finland_sweden", "set": ["state.FIN.neutrality=1.5"]}"#.into(),
            422,
            "out of range",
        ),
        (
            "huge value",
            r#"{"scenario": "finland_sweden", "set": ["model.temperature=1e308"]}"#.into(),
            422,
            "out of range",
        ),
        (
            "text for a number",
            r#"{"scenario": "finland_sweden", "set": ["model.temperature=warm"]}"#.into(),
            422,
            "not a number",
        ),
        (
            "not KEY=VALUE",
            r#"{"scenario": "finland_sweden", "set": ["model.temperature"]}"#.into(),
            422,
            "KEY=VALUE",
        ),
        ("huge runs", r#"{"scenario": "finland_sweden", "runs": 1e30}"#.into(), 422, "u32"),
        (
            "runs over the cap",
            r#"{"scenario": "finland_sweden", "runs": 4000000000}"#.into(),
            422,
            "20000",
        ),
        (
            "zero runs",
            r#"{"scenario": "finland_sweden", "runs": 0}"#.into(),
            422,
            "out of range",
        ),
        ("negative seed", r#"{"scenario": "finland_sweden", "seed": -1}"#.into(), 422, "u64"),
        (
            "huge seed",
            r#"{"scenario": "finland_sweden", "seed": 184467440737095516150}"#.into(),
            422,
            "u64",
        ),
        ("oversize body", huge, 413, "larger than"),
    ];
    for endpoint in [
        "/api/run",
        "/api/view",
        "/api/compare",
        "/api/explain",
        "/api/scenario-file",
        "/api/save",
    ] {
        for (what, body, want, says) in &cases {
            let (status, text) = post(&s, endpoint, body);
            assert_eq!(status, *want, "{endpoint} {what}: {text}");
            let v = json_of(&text);
            let error = v["error"].as_str().unwrap_or_else(|| panic!("{endpoint} {what}: {text}"));
            assert!(error.contains(says), "{endpoint} {what}: {error}");
        }
        alive(&s);
    }
    // A validation error names the control's path, with the message the CLI prints.
    let (_, text) = post(
        &s,
        "/api/run",
        r#"{"scenario": "finland_sweden", "set": ["state.FIN.neutrality=1.5"]}"#,
    );
    let v = json_of(&text);
    assert_eq!(v["problems"][0]["key"], "state.FIN.neutrality");
    let cli = Command::cargo_bin("pactsim")
        .unwrap()
        .current_dir(common::root())
        .arg("check")
        .arg(common::scenario_path("finland_sweden.toml"))
        .args(["--set", "state.FIN.neutrality=1.5"])
        .assert()
        .failure();
    let stderr = String::from_utf8_lossy(&cli.get_output().stderr).to_string();
    assert_eq!(stderr.trim_end(), format!("error: {}", v["error"].as_str().unwrap()));
    // Wrong method, explain without a state, an unknown state.
    assert_eq!(get(&s, "/api/run").0, 405);
    let (status, _) = post(&s, "/api/explain", r#"{"scenario": "finland_sweden", "runs": 10}"#);
    assert_eq!(status, 422);
    let (status, text) = post(
        &s,
        "/api/explain",
        r#"{"scenario": "finland_sweden", "runs": 10, "state": "XXX", "pact": "NATO"}"#,
    );
    assert_eq!(status, 404, "{text}");
    alive(&s);
}

#[test]
fn a_hundred_concurrent_requests_are_all_answered() {
    let tmp = tempfile::tempdir().unwrap();
    let s = server(tmp.path());
    let addr = s.addr;
    let threads: Vec<_> = (0..100)
        .map(|i| {
            std::thread::spawn(move || {
                let body = match i % 4 {
                    0 => json!({"scenario": "finland_sweden", "runs": 20, "seed": i}).to_string(),
                    1 => json!({"scenario": "lithium_triangle", "runs": 20, "set": ["model.temperature=0.3"]}).to_string(),
                    2 => "{not json".to_string(),
                    _ => json!({"scenario": "finland_sweden", "set": ["model.temperature=nan"]}).to_string(),
                };
                let mut r = agent()
                    .post(&format!("http://{addr}/api/run"))
                    .header("Content-Type", "application/json")
                    .send(&body)
                    .expect("an answer");
                let status = r.status().as_u16();
                let _ = r.body_mut().read_to_string();
                (i % 4, status)
            })
        })
        .collect();
    for t in threads {
        let (kind, status) = t.join().expect("no client thread panics");
        let want = [200, 200, 400, 422][kind];
        assert_eq!(status, want, "request kind {kind}");
    }
    alive(&s);
}

#[test]
fn compare_view_explain_download_and_save() {
    let tmp = tempfile::tempdir().unwrap();
    let s = server(tmp.path());
    let req = r#"{"scenario": "finland_sweden", "set": ["event.invasion.enabled=false"], "runs": 100, "seed": 3}"#;
    let (status, text) = post(&s, "/api/compare", req);
    assert_eq!(status, 200, "{text}");
    let c = json_of(&text);
    assert_eq!(c["common_random_numbers"], true);
    assert_eq!(c["variants"][0]["name"], "as-written");
    assert_eq!(c["variants"][1]["set"][0], "event.invasion.enabled=false");
    let swe = c["differences"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["state"] == "SWE" && d["pact"] == "NATO")
        .expect("SWE in NATO");
    assert!(swe["difference"].as_f64().unwrap() < -0.5, "{swe}");
    // The edited variant's summary is the one /api/run gives.
    let (_, run) = post(&s, "/api/run", req);
    assert_eq!(c["variants"][1]["summary"], json_of(&run));

    let (status, text) = post(&s, "/api/view", req);
    assert_eq!(status, 200);
    let v = json_of(&text);
    let stems: Vec<&str> = v["charts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["stem"].as_str().unwrap())
        .collect();
    assert!(stems.contains(&"membership_NATO") && stems.contains(&"pact_size"), "{stems:?}");
    assert!(v["charts"][0]["svg"].as_str().unwrap().starts_with("<svg"));
    assert_eq!(v["compare"]["charts"][0]["stem"], "difference");
    assert_eq!(v["summary"], json_of(&run));

    let (status, text) = post(
        &s,
        "/api/explain",
        r#"{"scenario": "finland_sweden", "runs": 50, "state": "SWE", "pact": "NATO"}"#,
    );
    assert_eq!(status, 200, "{text}");
    let e = json_of(&text);
    assert!(e["chart"]["svg"].as_str().unwrap().starts_with("<svg"));
    assert!(e["table"].as_str().unwrap().contains("Why SWE joins NATO"));

    // Download: the file's own text with the values in place, which loads to the same scenario.
    let sets = [
        "model.temperature=0.3",
        "state.SWE.support.start=0.4",
        "event.invasion.date=\"2022-05\"",
    ];
    let body = json!({"scenario": "finland_sweden", "set": sets}).to_string();
    let (status, text) = post(&s, "/api/scenario-file", &body);
    assert_eq!(status, 200);
    assert!(text.contains("#   model.temperature=0.3"), "lists the changes");
    assert!(text.contains("# QUESTION"), "keeps the file's comments");
    let path = common::scenario_path("finland_sweden.toml");
    let edited = pactsim::scenario::from_source(&pactsim::scenario::Source { path: path.clone(), text }, &[]).unwrap();
    let want = common::load(&path, &sets);
    assert_eq!(edited.hash, want.hash);

    // Save: the run directory exactly as `pactsim run` writes it.
    let (status, text) = post(
        &s,
        "/api/save",
        r#"{"scenario": "finland_sweden", "set": ["model.temperature=0.2"], "runs": 60, "seed": 9}"#,
    );
    assert_eq!(status, 200, "{text}");
    let saved = tmp.path().join("finland_sweden");
    let cli = tmp.path().join("cli");
    Command::cargo_bin("pactsim")
        .unwrap()
        .current_dir(common::root())
        .args([
            "run",
            "scenarios/finland_sweden.toml",
            "--set",
            "model.temperature=0.2",
            "--runs",
            "60",
            "--seed",
            "9",
            "--quiet",
            "--out",
        ])
        .arg(&cli)
        .assert()
        .success();
    for f in [
        "summary.json",
        "tally.json",
        "memberships.csv",
        "decisions.csv",
        "scenario.resolved.toml",
        "report.html",
    ] {
        assert!(
            std::fs::read(saved.join(f)).unwrap() == std::fs::read(cli.join(f)).unwrap(),
            "{f} differs"
        );
    }
}

#[test]
fn a_newer_request_from_the_same_page_cancels_the_older() {
    let tmp = tempfile::tempdir().unwrap();
    let s = server(tmp.path());
    let addr = s.addr;
    let slow = std::thread::spawn(move || {
        let body = json!({"scenario": "taiwan_escalation", "runs": MAX_RUNS, "client": "page-1", "generation": 1}).to_string();
        let mut r = agent()
            .post(&format!("http://{addr}/api/run"))
            .header("Content-Type", "application/json")
            .send(&body)
            .expect("an answer");
        let status = r.status().as_u16();
        (status, r.body_mut().read_to_string().unwrap())
    });
    std::thread::sleep(Duration::from_millis(300));
    let (status, text) = post(
        &s,
        "/api/run",
        r#"{"scenario": "finland_sweden", "runs": 20, "client": "page-1", "generation": 2}"#,
    );
    assert_eq!(status, 200, "{text}");
    let (status, text) = slow.join().unwrap();
    assert_eq!(status, 409, "the superseded run stops: {text}");
    assert!(text.contains("superseded"));
    // An older generation arriving late is refused at once; another page is not affected.
    let (status, _) = post(
        &s,
        "/api/run",
        r#"{"scenario": "finland_sweden", "runs": 20, "client": "page-1", "generation": 1}"#,
    );
    assert_eq!(status, 409);
    let (status, _) = post(
        &s,
        "/api/run",
        r#"{"scenario": "finland_sweden", "runs": 20, "client": "page-2", "generation": 1}"#,
    );
    assert_eq!(status, 200);
}
