//! The lithium triangle, 2022–2024: a producers' alliance that is talked about but not formed,
//! and the one parameter change, documented in the scenario's header, that makes it form
//! (issue 3). Expectations are those of scenarios/lithium_triangle.toml's header.
//!
//! Tolerances: every probability is a share of `RUNS` replicates, so its standard error is at
//! most sqrt(p(1 − p)/RUNS); each assertion asks the observed share to clear its threshold by three
//! standard errors taken at the threshold (`common::assert_at_least` / `assert_at_most`): with
//! 2000 runs that is 0.027 at p = 0.2 and 0.034 at p = 0.5. A wrong-side result would have to be
//! a 3-sigma fluke, about one in 700 per assertion.

#[path = "common/calibration.rs"]
mod calibration;
mod common;

use calibration::*;
use common::*;
use pactsim::scenario::{Issue, Scenario};

const RUNS: u64 = 2000;
const SEED: u64 = 2022;

/// The change that makes the alliance form: Chile gives it the weight Bolivia gives it after
/// its March 2023 call.
/// The documented change that makes it form: Chile gives the alliance the weight Bolivia gives
/// it, and the buyers' displeasure weighs half as much as by default.
const CHILE_BUYS_IN: [&str; 2] = ["state.CHL.issues.minerals=1.0", "model.weights.provocation=0.75"];

fn scenario(overrides: &[&str]) -> Scenario {
    load(&scenario_path("lithium_triangle.toml"), overrides)
}

#[test]
fn calibrated_from_cinc_and_usgs_reserves() {
    let sc = scenario(&[]);
    assert_capabilities_are_cinc_2016(
        &sc,
        &[
            ("MEX", "MEX"),
            ("BOL", "BOL"),
            ("ARG", "ARG"),
            ("CHL", "CHL"),
            ("USA", "USA"),
            ("CHN", "CHN"),
        ],
    );
    // resources.minerals = share of world reserves, USGS 2023 via docs/SOURCES.md (fixture).
    let text = std::fs::read_to_string(root().join("tests/fixtures/usgs_lithium_2023.csv")).unwrap();
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let s = sc.state_by_id(f[0]).unwrap();
        let share: f64 = f[2].parse().unwrap();
        assert_eq!(sc.state(s).resources[Issue::Minerals.index()], share, "{} reserve share", f[0]);
    }
}

#[test]
fn talked_about_but_not_formed() {
    let sc = scenario(&[]);
    let s = summarise(&sc, SEED, RUNS);
    let pact = s.pacts.iter().find(|p| p.id == "LITHIUM").unwrap();
    assert_eq!(pact.min_members, 3);
    assert_at_most("p_formed at baseline", pact.p_formed, 0.2, RUNS);
    // The talk is real: the proposer declares and Bolivia signs up in most replicates ...
    assert_at_least(
        "MEX in the alliance at some round",
        s.get("LITHIUM", "MEX").unwrap().p_ever,
        0.9,
        RUNS,
    );
    assert_at_least(
        "BOL in the alliance at some round",
        s.get("LITHIUM", "BOL").unwrap().p_ever,
        0.5,
        RUNS,
    );
    // ... but the holders of 46% of world reserves stay out, and the body stays at two.
    for st in ["CHL", "ARG"] {
        assert_at_most(&format!("{st} in the alliance"), s.get("LITHIUM", st).unwrap().p_final, 0.2, RUNS);
    }
    assert_eq!(*pact.size_median.last().unwrap(), 2);
}

#[test]
fn forms_when_chile_buys_in() {
    // The counterfactual the header documents; it also shows the baseline test can fail: the
    // same scenario with one value changed crosses the formation threshold.
    let sc = scenario(&CHILE_BUYS_IN);
    let s = summarise(&sc, SEED, RUNS);
    let pact = s.pacts.iter().find(|p| p.id == "LITHIUM").unwrap();
    assert_at_least("p_formed when Chile buys in", pact.p_formed, 0.5, RUNS);
    assert_at_least("CHL in the alliance", s.get("LITHIUM", "CHL").unwrap().p_final, 0.5, RUNS);
}

#[test]
fn formation_rises_with_chiles_stake() {
    // The lever works through the model, not as a switch: p_formed rises with Chile's salience.
    // Each step must be a real rise, by three standard errors of the lower share over the 1000
    // runs (conservative: the values are paired on common random numbers, same seed and tastes).
    let runs = 1000;
    let p: Vec<(&str, f64)> = ["0.1", "0.5", "1.0"]
        .into_iter()
        .map(|v| {
            let sc = scenario(&[&format!("state.CHL.issues.minerals={v}")]);
            let s = summarise(&sc, SEED, runs);
            (v, s.pacts.iter().find(|p| p.id == "LITHIUM").unwrap().p_formed)
        })
        .collect();
    for w in p.windows(2) {
        let ((v0, p0), (v1, p1)) = (w[0], w[1]);
        let margin = 3.0 * std_err(p0, runs);
        assert!(
            p1 > p0 + margin,
            "p_formed {p1} at CHL salience {v1} is not above {p0} (at {v0}) by 3 s.e. ({margin:.3}): {p:?}"
        );
    }
}
