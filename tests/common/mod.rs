//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use pactsim::report::Summary;
use pactsim::run::{self, RunSpec};
use pactsim::scenario::{self, Scenario};

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn scenario_path(name: &str) -> PathBuf {
    root().join("scenarios").join(name)
}

/// A scenario from TOML text (named `test.toml` in errors), with `--set` overrides.
pub fn parse(text: &str, overrides: &[&str]) -> Scenario {
    let overrides: Vec<String> = overrides.iter().map(|s| s.to_string()).collect();
    scenario::from_source(
        &scenario::Source {
            path: "test.toml".into(),
            text: text.to_string(),
        },
        &overrides,
    )
    .unwrap_or_else(|e| panic!("{e}"))
}

pub fn load(path: &Path, overrides: &[&str]) -> Scenario {
    let overrides: Vec<String> = overrides.iter().map(|s| s.to_string()).collect();
    scenario::load(path, &overrides).unwrap_or_else(|e| panic!("{e}"))
}

/// Runs `runs` replicates with `seed` and summarises them.
pub fn summarise(sc: &Scenario, seed: u64, runs: u64) -> Summary {
    let result = run::run(
        sc,
        &RunSpec {
            seed,
            replicates: 0..runs,
            keep_decisions: 0,
        },
        &|_| {},
    );
    Summary::new(sc, &result.tally, seed)
}

/// Standard error of a proportion estimated from `runs` replicates, floored at the value for
/// p = 1/runs so that a proportion observed as 0 or 1 still gets a margin.
pub fn std_err(p: f64, runs: u64) -> f64 {
    let n = runs as f64;
    let p = p.clamp(1.0 / n, 1.0 - 1.0 / n);
    (p * (1.0 - p) / n).sqrt()
}

/// Asserts that the observed proportion clears `bound` from above by three standard errors.
#[track_caller]
pub fn assert_at_least(what: &str, p: f64, bound: f64, runs: u64) {
    let margin = 3.0 * std_err(bound, runs);
    assert!(
        p >= bound + margin,
        "{what}: {p:.3} is not above {bound} by 3 s.e. ({margin:.3}) over {runs} runs"
    );
}

/// Asserts that the observed proportion stays below `bound` by three standard errors.
#[track_caller]
pub fn assert_at_most(what: &str, p: f64, bound: f64, runs: u64) {
    let margin = 3.0 * std_err(bound, runs);
    assert!(
        p <= bound - margin,
        "{what}: {p:.3} is not below {bound} by 3 s.e. ({margin:.3}) over {runs} runs"
    );
}

/// `text` (a scenario whose states are `sc`'s) with covariates and terms of its own appended,
/// drawn from `seed`: a dyadic covariate over about half the pairs, in [−1, 1], changing at
/// rounds 3 and 7 and at the start's month + 5 (a date); a monadic one over every state, changing
/// at round 4; and four terms: the dyadic one with a positive weight on every pact and with a
/// negative weight on every other pact, the monadic one, and a term of weight 0.
pub fn with_terms_of_its_own(text: &str, sc: &Scenario, seed: u64) -> String {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut next = move || {
        // xorshift64*: enough for test data.
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        (x.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64
    };
    let ids: Vec<&str> = sc.states.iter().map(|s| s.id.as_str()).collect();
    let mut out = text.to_string();
    out.push_str("\n[[covariate]]\nid = \"ties\"\nkind = \"dyadic\"\nsource = \"random test data\"\nvalues = [\n");
    for (i, a) in ids.iter().enumerate() {
        for b in &ids[i + 1..] {
            if next() < 0.5 {
                continue;
            }
            out.push_str(&format!(
                "  {{ between = [\"{a}\", \"{b}\"], value = {:.4} }},\n",
                2.0 * next() - 1.0
            ));
            if next() < 0.3 {
                out.push_str(&format!(
                    "  {{ between = [\"{b}\", \"{a}\"], value = {:.4}, round = 3 }},\n",
                    2.0 * next() - 1.0
                ));
            }
            if next() < 0.3 {
                out.push_str(&format!(
                    "  {{ between = [\"{a}\", \"{b}\"], value = {:.4}, round = 7 }},\n",
                    next()
                ));
            }
            if next() < 0.2 && sc.calendar.start.is_some() {
                let d = sc.calendar.date_of(6).unwrap();
                out.push_str(&format!(
                    "  {{ between = [\"{a}\", \"{b}\"], value = {:.4}, date = \"{:04}-{:02}\" }},\n",
                    next(),
                    d.year,
                    d.month
                ));
            }
        }
    }
    out.push_str("]\n\n[[covariate]]\nid = \"level\"\nkind = \"monadic\"\nvalues = [\n");
    for a in &ids {
        out.push_str(&format!("  {{ state = \"{a}\", value = {:.4} }},\n", next()));
        if next() < 0.4 {
            out.push_str(&format!("  {{ state = \"{a}\", value = {:.4}, round = 4 }},\n", 2.0 * next() - 1.0));
        }
    }
    out.push_str("]\n\n[[term]]\nid = \"ties_all\"\ncovariate = \"ties\"\nweight = 0.8\n");
    let every_other: Vec<String> = sc.pacts.iter().step_by(2).map(|p| format!("\"{}\"", p.id)).collect();
    out.push_str(&format!(
        "\n[[term]]\nid = \"ties_some\"\ncovariate = \"ties\"\nweight = -0.6\npacts = [{}]\n",
        every_other.join(", ")
    ));
    out.push_str("\n[[term]]\nid = \"level\"\ncovariate = \"level\"\nweight = 0.3\n");
    out.push_str("\n[[term]]\nid = \"off\"\ncovariate = \"ties\"\nweight = 0\n");
    out
}

/// `POST /api/PATH` of a JSON `body` to a test server: (status, JSON answer).
pub fn post_api(s: &pactsim::serve::Server, path: &str, body: serde_json::Value) -> (u16, serde_json::Value) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(std::time::Duration::from_secs(120)))
        .build()
        .into();
    let mut r = agent
        .post(&format!("http://{}/api/{path}", s.addr))
        .header("Content-Type", "application/json")
        .send(body.to_string())
        .unwrap();
    let status = r.status().as_u16();
    let text = r.body_mut().with_config().limit(64 * 1024 * 1024).read_to_string().unwrap();
    (status, serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}")))
}
