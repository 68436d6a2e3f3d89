//! `pactsim serve` over HTTP: every endpoint, with a real client against a server on a free
//! port of 127.0.0.1, including bad requests (after each of which the server must still answer).

mod common;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::time::{Duration, Instant};

use assert_cmd::Command;
use pactsim::serve::{self, Config, Limits, MAX_BODY, MAX_RUNS, MAX_WORK, Server};
use serde_json::{Value, json};

/// The endpoints that take a POST body.
const POSTS: [&str; 6] = [
    "/api/run",
    "/api/view",
    "/api/compare",
    "/api/explain",
    "/api/scenario-file",
    "/api/save",
];

fn server(output: &Path) -> Server {
    server_of(&common::root().join("scenarios"), output, 2, &[])
}

/// A server of the scenarios in `dir` on a free port of 127.0.0.1, with `simulations` slots and
/// `hosts` as `--allow-host` names.
fn server_of(dir: &Path, output: &Path, simulations: usize, hosts: &[&str]) -> Server {
    let config = Config {
        dir: dir.to_path_buf(),
        output: output.to_path_buf(),
        limits: Limits { simulations },
        hosts: hosts.iter().map(|h| h.to_string()).collect(),
    };
    serve::start(&config, "127.0.0.1:0").expect("server starts")
}

/// Sends one request over a fresh connection with exactly the headers given (no Host unless
/// given) and leaves the connection open, unread.
fn send(addr: SocketAddr, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> TcpStream {
    let mut request = format!("{method} {path} HTTP/1.1\r\n");
    for (k, v) in headers {
        request.push_str(&format!("{k}: {v}\r\n"));
    }
    request.push_str(&format!("Content-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len()));
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream.set_read_timeout(Some(Duration::from_secs(120))).unwrap();
    stream.write_all(request.as_bytes()).expect("send the request");
    stream
}

/// (status, body) of one request sent with exactly the headers given (for spoofed headers).
fn raw(addr: SocketAddr, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> (u16, String) {
    let mut stream = send(addr, method, path, headers, body);
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).expect("an answer");
    let text = String::from_utf8_lossy(&answer).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or_else(|| panic!("no status line: {text}"));
    let chunked = head.to_ascii_lowercase().contains("transfer-encoding: chunked");
    (status, if chunked { dechunk(body) } else { body.to_string() })
}

fn dechunk(mut body: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = body.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).expect("a chunk size");
        if n == 0 {
            break;
        }
        out.push_str(&rest[..n]);
        body = &rest[n + 2..];
    }
    out
}

/// Polls `done` every 10 ms for at most a minute.
fn wait_until(s: &Server, what: &str, done: impl Fn(&serve::Stats) -> bool) {
    let t0 = Instant::now();
    loop {
        let stats = s.stats();
        if done(&stats) {
            return;
        }
        assert!(t0.elapsed() < Duration::from_secs(60), "waited a minute for {what}: {stats:?}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Whether `dir` (the server's output directory) is empty or absent: nothing was saved.
fn nothing_in(dir: &Path) -> bool {
    std::fs::read_dir(dir).map_or(true, |mut d| d.next().is_none())
}

/// The error message of an error answer, which is one line of JSON.
fn error_of(text: &str) -> String {
    assert!(!text.trim_end().contains('\n'), "one line: {text}");
    json_of(text)["error"]
        .as_str()
        .unwrap_or_else(|| panic!("an error: {text}"))
        .to_string()
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
        [
            "finland_sweden",
            "gulf_minilaterals",
            "indo_pacific_umbrella",
            "lithium_triangle",
            "taiwan_escalation"
        ]
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
    // The newer request leaves once the older one is simulating (its first batch has begun), so
    // what is cancelled is a run under way, not one still waiting to start.
    wait_until(&s, "the first batch of the older request", |st| st.replicates > 0);
    let (status, text) = post(
        &s,
        "/api/run",
        r#"{"scenario": "finland_sweden", "runs": 20, "client": "page-1", "generation": 2}"#,
    );
    assert_eq!(status, 200, "{text}");
    let (status, text) = slow.join().unwrap();
    assert_eq!(status, 409, "the superseded run stops: {text}");
    assert!(text.contains("superseded"));
    // It stopped between batches: begun, and not all of its replicates played (the 20 are the
    // newer request's).
    let stats = s.stats();
    eprintln!("after the superseded request: {stats:?}");
    assert_eq!(stats.superseded, 1, "{stats:?}");
    assert!(stats.replicates < u64::from(MAX_RUNS) + 20, "{stats:?}");
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

#[test]
fn post_bodies_must_be_declared_json_and_nothing_else_runs_or_is_saved() {
    let tmp = tempfile::tempdir().unwrap();
    let s = server(tmp.path());
    let host = format!("127.0.0.1:{}", s.addr.port());
    // A body any of the endpoints accepts as JSON (explain answers 422 without a state, after
    // simulating nothing; save would write output/finland_sweden/).
    let body = r#"{"scenario": "finland_sweden", "runs": 20, "seed": 1}"#;
    for endpoint in POSTS {
        for kind in [
            Some("text/plain"),
            Some("text/plain;charset=UTF-8"),
            Some("application/x-www-form-urlencoded"),
            Some("multipart/form-data; boundary=x"),
            Some("application/jsonx"),
            Some(""),
            None,
        ] {
            let mut headers = vec![("Host", host.as_str())];
            headers.extend(kind.map(|k| ("Content-Type", k)));
            let (status, text) = raw(s.addr, "POST", endpoint, &headers, body);
            assert_eq!(status, 415, "{endpoint} {kind:?}: {text}");
            let error = error_of(&text);
            assert!(error.contains("Content-Type: application/json"), "{endpoint} {kind:?}: {error}");
        }
    }
    assert!(nothing_in(tmp.path()), "nothing saved");
    assert_eq!(s.stats().replicates, 0, "nothing simulated");
    // JSON, with parameters and in any case, is accepted.
    for kind in [
        "application/json",
        "application/json; charset=utf-8",
        "Application/JSON;charset=UTF-8",
    ] {
        let headers = [("Host", host.as_str()), ("Content-Type", kind)];
        let (status, text) = raw(s.addr, "POST", "/api/scenario-file", &headers, body);
        assert_eq!(status, 200, "{kind}: {text}");
    }
    alive(&s);
}

#[test]
fn a_foreign_or_missing_host_is_refused_on_every_route() {
    let tmp = tempfile::tempdir().unwrap();
    let s = server(tmp.path());
    let port = s.addr.port();
    let body = r#"{"scenario": "finland_sweden", "runs": 20, "seed": 1}"#;
    let foreign = [
        Some("evil.example".to_string()),
        Some(format!("evil.example:{port}")),
        Some(format!("127.0.0.1.evil.example:{port}")),
        Some(format!("localhost.evil.example:{port}")),
        Some(format!("127.0.0.1:{}", port.wrapping_add(1))),
        Some("127.0.0.1".to_string()),
        Some(format!("127.0.0.1:{port}@evil.example")),
        Some(String::new()),
        None,
    ];
    for host in &foreign {
        let mut get_headers = Vec::new();
        get_headers.extend(host.as_deref().map(|h| ("Host", h)));
        for path in ["/", "/page.js", "/api/scenarios", "/api/scenarios/finland_sweden", "/api/nothing"] {
            let (status, text) = raw(s.addr, "GET", path, &get_headers, "");
            assert_eq!(status, 403, "GET {path} with Host {host:?}: {text}");
            assert!(error_of(&text).contains("Host"), "{text}");
        }
        let mut post_headers = get_headers.clone();
        post_headers.push(("Content-Type", "application/json"));
        for endpoint in POSTS {
            let (status, text) = raw(s.addr, "POST", endpoint, &post_headers, body);
            assert_eq!(status, 403, "POST {endpoint} with Host {host:?}: {text}");
        }
    }
    assert!(nothing_in(tmp.path()), "nothing saved");
    assert_eq!(s.stats().replicates, 0, "nothing simulated");
    // The names of the loopback address it is bound to, with its port, in any case.
    for host in [
        format!("127.0.0.1:{port}"),
        format!("localhost:{port}"),
        format!("LocalHost:{port}"),
        format!("[::1]:{port}"),
    ] {
        let (status, text) = raw(s.addr, "GET", "/api/scenarios", &[("Host", &host)], "");
        assert_eq!(status, 200, "{host}: {text}");
    }
    // --allow-host adds a name (with the server's port), for Host and Origin alike.
    let named = server_of(&common::root().join("scenarios"), tmp.path(), 1, &["pactsim.lan"]);
    let port = named.addr.port();
    let host = format!("pactsim.lan:{port}");
    let origin = format!("http://pactsim.lan:{port}");
    let headers = [
        ("Host", host.as_str()),
        ("Origin", origin.as_str()),
        ("Content-Type", "application/json"),
    ];
    let (status, text) = raw(named.addr, "POST", "/api/scenario-file", &headers, body);
    assert_eq!(status, 200, "{text}");
    let (status, _) = raw(
        s.addr,
        "GET",
        "/api/scenarios",
        &[("Host", &format!("pactsim.lan:{}", s.addr.port()))],
        "",
    );
    assert_eq!(status, 403, "only where allowed");
}

#[test]
fn only_the_page_s_own_origin_is_accepted() {
    let tmp = tempfile::tempdir().unwrap();
    let s = server(tmp.path());
    let port = s.addr.port();
    let host = format!("127.0.0.1:{port}");
    let body = r#"{"scenario": "finland_sweden", "runs": 20, "seed": 1}"#;
    for origin in [
        "http://evil.example".to_string(),
        format!("http://evil.example:{port}"),
        "null".to_string(),
        format!("https://127.0.0.1:{port}"),
        format!("http://127.0.0.1:{port}/"),
        format!("http://127.0.0.1:{}", port.wrapping_add(1)),
        "http://127.0.0.1".to_string(),
        format!("127.0.0.1:{port}"),
        String::new(),
    ] {
        let headers = [("Host", host.as_str()), ("Origin", origin.as_str())];
        let (status, text) = raw(s.addr, "GET", "/api/scenarios", &headers, "");
        assert_eq!(status, 403, "GET with Origin {origin:?}: {text}");
        assert!(error_of(&text).contains("Origin"), "{text}");
        let headers = [
            ("Host", host.as_str()),
            ("Origin", origin.as_str()),
            ("Content-Type", "application/json"),
        ];
        for endpoint in POSTS {
            let (status, text) = raw(s.addr, "POST", endpoint, &headers, body);
            assert_eq!(status, 403, "POST {endpoint} with Origin {origin:?}: {text}");
        }
    }
    assert!(nothing_in(tmp.path()), "nothing saved");
    assert_eq!(s.stats().replicates, 0, "nothing simulated");
    // The page's own origin (under any of the server's names) is accepted, and so is none.
    for origin in [
        Some(format!("http://127.0.0.1:{port}")),
        Some(format!("http://localhost:{port}")),
        None,
    ] {
        let mut headers = vec![("Host", host.as_str()), ("Content-Type", "application/json")];
        headers.extend(origin.as_deref().map(|o| ("Origin", o)));
        let (status, text) = raw(s.addr, "POST", "/api/run", &headers, body);
        assert_eq!(status, 200, "Origin {origin:?}: {text}");
    }
}

#[test]
fn a_request_whose_client_went_away_stops_and_frees_its_slot() {
    let tmp = tempfile::tempdir().unwrap();
    // One simulation slot: a request the server kept working on would hold it.
    let s = server_of(&common::root().join("scenarios"), tmp.path(), 1, &[]);
    let host = format!("127.0.0.1:{}", s.addr.port());
    let headers = [("Host", host.as_str()), ("Content-Type", "application/json")];
    // The page's biggest request: both variants of the biggest scenario at the most replicates.
    let view = json!({"scenario": "taiwan_escalation", "runs": MAX_RUNS, "seed": 11, "set": ["model.temperature=0.2"]});
    let running = send(s.addr, "POST", "/api/view", &headers, &view.to_string());
    wait_until(&s, "the view to begin simulating", |st| st.replicates > 0);
    // A second one waits for the slot, then its client goes away too.
    let run = json!({"scenario": "taiwan_escalation", "runs": MAX_RUNS, "seed": 12});
    let queued = send(s.addr, "POST", "/api/run", &headers, &run.to_string());
    wait_until(&s, "the run to wait for the slot", |st| st.waiting == 1);
    drop(queued);
    drop(running);
    wait_until(&s, "the abandoned view to stop", |st| st.abandoned == 1 && st.waiting == 0);
    // The slot is free: a small request is answered, and the abandoned requests did not go on:
    // the view stopped within its first variant (of MAX_RUNS replicates), the queued run never
    // began (the other 20 replicates are the small request's).
    let (status, text) = post(&s, "/api/run", r#"{"scenario": "finland_sweden", "runs": 20}"#);
    assert_eq!(status, 200, "{text}");
    let stats = s.stats();
    eprintln!("after the abandoned requests: {stats:?}");
    assert!(stats.replicates < u64::from(MAX_RUNS) + 20, "{stats:?}");
    assert_eq!((stats.abandoned, stats.superseded, stats.waiting), (1, 0, 0), "{stats:?}");
}

#[test]
fn the_cap_is_on_work_not_replicates() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("scenarios");
    std::fs::create_dir(&dir).unwrap();
    let world = pactsim::scenario::generate::GenerateSpec::reference();
    std::fs::write(dir.join("world.toml"), pactsim::scenario::generate::generate(&world).unwrap()).unwrap();
    let taiwan_text = std::fs::read_to_string(common::scenario_path("taiwan_escalation.toml")).unwrap();
    std::fs::write(dir.join("taiwan_escalation.toml"), &taiwan_text).unwrap();
    assert_eq!(taiwan_text.matches("\nrounds = 36 ").count(), 1);
    std::fs::write(
        dir.join("taiwan_long.toml"),
        taiwan_text.replace("\nrounds = 36 ", "\nrounds = 720 "),
    )
    .unwrap();
    let out = tmp.path().join("output");
    let s = server_of(&dir, &out, 1, &[]);
    // A replicate of the 193-state reference world is 193 × 50 × 60 decisions.
    let per = (world.states * world.pacts) as u64 * u64::from(world.rounds);
    let most = MAX_WORK / per;
    assert!(most * per <= MAX_WORK && (most + 1) * per > MAX_WORK);
    let (status, text) = get(&s, "/api/scenarios/world");
    assert_eq!(status, 200, "{text}");
    assert_eq!(json_of(&text)["max_runs"].as_u64(), Some(most));
    // The biggest shipped scenario keeps its most replicates.
    let (_, text) = get(&s, "/api/scenarios/taiwan_escalation");
    assert_eq!(json_of(&text)["max_runs"], MAX_RUNS);
    let taiwan = common::load(&common::scenario_path("taiwan_escalation.toml"), &[]);
    let taiwan_per = (taiwan.n_states() * taiwan.n_pacts()) as u64 * u64::from(taiwan.rounds);
    assert!(u64::from(MAX_RUNS) * taiwan_per <= MAX_WORK);

    let over = most + 1;
    let cases = [
        (json!({"scenario": "world", "runs": over}), over * per, most),
        (
            json!({"scenario": "taiwan_escalation", "runs": MAX_RUNS, "set": ["scenario.rounds=360"]}),
            u64::from(MAX_RUNS) * taiwan_per * 10,
            MAX_WORK / (taiwan_per * 10),
        ),
    ];
    for endpoint in ["/api/run", "/api/view", "/api/compare", "/api/explain", "/api/save"] {
        for (body, work, max_runs) in &cases {
            let (status, text) = post(&s, endpoint, &body.to_string());
            assert_eq!(status, 422, "{endpoint} {body}: {text}");
            let error = error_of(&text);
            for says in [MAX_WORK.to_string(), work.to_string(), format!("at most {max_runs} runs")] {
                assert!(error.contains(&says), "{endpoint} {body}: `{says}` in {error}");
            }
        }
    }
    // An edit within the limit whose comparison is not: the file as written runs too (here
    // Taiwan written over 720 rounds, edited back to its 36).
    let body = json!({"scenario": "taiwan_long", "runs": 2000, "set": ["scenario.rounds=36"]});
    let (status, text) = post(&s, "/api/scenario-file", &body.to_string());
    assert_eq!(status, 200, "the edit is valid: {text}");
    for endpoint in ["/api/view", "/api/compare"] {
        let (status, text) = post(&s, endpoint, &body.to_string());
        assert_eq!(status, 422, "{endpoint}: {text}");
        let error = error_of(&text);
        let (work, most) = (2000 * taiwan_per * 20, MAX_WORK / (taiwan_per * 20));
        for says in [
            MAX_WORK.to_string(),
            work.to_string(),
            format!("at most {most} runs"),
            "as written".into(),
        ] {
            assert!(error.contains(&says), "{endpoint}: `{says}` in {error}");
        }
    }
    assert!(nothing_in(&out), "nothing saved");
    assert_eq!(s.stats().replicates, 0, "nothing simulated");
}

/// The width of an SVG chart, from its root element.
fn svg_width(svg: &str) -> u32 {
    let at = svg.find("width=\"").expect("a width") + 7;
    svg[at..].split('"').next().unwrap().parse().unwrap()
}

/// The page's charts are drawn as wide as it shows them (`chart_width`), within
/// [MIN_PAGE_WIDTH, the chart's own width], so that their text can be read on a phone.
#[test]
fn charts_are_drawn_at_the_width_the_page_asks_for() {
    let tmp = tempfile::tempdir().unwrap();
    let s = server(tmp.path());
    let view = |width: Option<u32>| {
        let w = width.map(|w| format!(r#", "chart_width": {w}"#)).unwrap_or_default();
        let (status, text) = post(&s, "/api/view", &format!(r#"{{"scenario": "finland_sweden", "runs": 20{w}}}"#));
        assert_eq!(status, 200, "{text}");
        let v = json_of(&text);
        let mut widths: Vec<u32> = Vec::new();
        for c in v["charts"]
            .as_array()
            .unwrap()
            .iter()
            .chain(v["compare"]["charts"].as_array().unwrap())
        {
            widths.push(svg_width(c["svg"].as_str().unwrap()));
        }
        widths
    };
    let natural = view(None);
    assert!(natural.iter().all(|&w| w > 390), "{natural:?}");
    assert!(view(Some(390)).iter().all(|&w| w == 390));
    assert!(view(Some(10)).iter().all(|&w| w == pactsim::plot::MIN_PAGE_WIDTH));
    // Never wider than the chart is drawn for: a wide screen scales it up.
    assert_eq!(view(Some(100_000)), natural);
    let (status, text) = post(
        &s,
        "/api/explain",
        r#"{"scenario": "finland_sweden", "runs": 20, "state": "SWE", "pact": "NATO", "chart_width": 400}"#,
    );
    assert_eq!(status, 200, "{text}");
    assert_eq!(svg_width(json_of(&text)["chart"]["svg"].as_str().unwrap()), 400);
}
