//! Finland and Sweden, 2021–2024: the scenario must behave like history (issue: the spine;
//! thresholds from the issue, tolerances from the run count: see tests/common).

mod common;

use common::*;
use pactsim::scenario::Scenario;

const RUNS: u64 = 2000;
const SEED: u64 = 2022;

fn scenario(overrides: &[&str]) -> Scenario {
    load(&scenario_path("finland_sweden.toml"), overrides)
}

fn invasion_round(sc: &Scenario) -> usize {
    sc.events
        .iter()
        .find(|e| e.id == "invasion")
        .expect("the scenario has an invasion event")
        .round as usize
}

#[test]
fn neither_is_a_member_before_the_invasion() {
    let sc = scenario(&[]);
    let s = summarise(&sc, SEED, RUNS);
    // p_by_round[r] is the state after round r; the round before the invasion is played is r − 1.
    let before = invasion_round(&sc) - 1;
    for st in ["FIN", "SWE"] {
        let p = s.get("NATO", st).unwrap().p_by_round[before];
        assert_at_most(&format!("{st} in NATO before the invasion"), p, 0.05, RUNS);
    }
}

#[test]
fn both_are_members_by_the_end_finland_first() {
    let sc = scenario(&[]);
    let s = summarise(&sc, SEED, RUNS);
    let fin = s.get("NATO", "FIN").unwrap();
    let swe = s.get("NATO", "SWE").unwrap();
    assert_at_least("FIN in NATO at the end", fin.p_final, 0.9, RUNS);
    assert_at_least("SWE in NATO at the end", swe.p_final, 0.9, RUNS);
    let (f, w) = (fin.join_round_median.unwrap(), swe.join_round_median.unwrap());
    assert!(f < w, "Finland's median join round {f} is not before Sweden's {w}");
    // Both join after the invasion, not before.
    assert!(f > invasion_round(&sc) as f64);
}

#[test]
fn both_apply_quickly_after_the_invasion() {
    // History: invasion 2022-02-24, applications 2022-05-18 (three months later).
    let sc = scenario(&[]);
    let s = summarise(&sc, SEED, RUNS);
    let inv = invasion_round(&sc) as f64;
    for st in ["FIN", "SWE"] {
        let m = s.get("NATO", st).unwrap();
        let applied = m.join_round_median.unwrap() - m.accession_lag_median.unwrap();
        assert!(
            applied > inv - 1.0 && applied <= inv + 6.0,
            "{st} applies in round {applied}, invasion in round {inv}"
        );
    }
}

#[test]
fn accession_lags_are_within_a_factor_of_two_of_history() {
    let sc = scenario(&[]);
    let s = summarise(&sc, SEED, RUNS);
    let unit_days = sc.calendar.unit.days();
    for (st, days) in [("FIN", 321.0), ("SWE", 659.0)] {
        let history = days / unit_days;
        let lag = s.get("NATO", st).unwrap().accession_lag_median.expect("it applied and got in");
        assert!(
            lag >= history / 2.0 && lag <= history * 2.0,
            "{st}: median lag {lag} rounds, history {history:.1} rounds (factor of 2 allowed)"
        );
    }
}

#[test]
fn public_support_moves_as_the_polls_did() {
    // Yle: Finland 28% in January 2022, 76% in May 2022; Novus: Sweden 37% → 57% by April.
    let sc = scenario(&[]);
    let s = summarise(&sc, SEED, 200);
    let inv = invasion_round(&sc);
    let fin = &s.support["FIN"];
    assert!((fin[inv - 1] - 0.28).abs() < 0.02, "Finland before: {}", fin[inv - 1]);
    assert!(fin[inv + 3] > 0.65 && fin[inv + 3] < 0.85, "Finland in May 2022: {}", fin[inv + 3]);
    let swe = &s.support["SWE"];
    assert!(swe[inv + 2] > 0.5 && swe[inv + 2] < 0.7, "Sweden in April 2022: {}", swe[inv + 2]);
}

#[test]
fn without_the_invasion_neither_joins() {
    let sc = scenario(&["event.invasion.enabled=false"]);
    let s = summarise(&sc, SEED, RUNS);
    for st in ["FIN", "SWE"] {
        assert_at_most(
            &format!("{st} in NATO without the invasion"),
            s.get("NATO", st).unwrap().p_final,
            0.1,
            RUNS,
        );
    }
}

#[test]
fn informal_nordic_ties_hold_alongside_nato() {
    // Overlapping membership: joining NATO does not end NORDEFCO or the bilateral.
    let sc = scenario(&[]);
    let s = summarise(&sc, SEED, 500);
    for pact in ["NORDEFCO", "FIN-SWE"] {
        for st in ["FIN", "SWE"] {
            assert_at_least(&format!("{st} in {pact}"), s.get(pact, st).unwrap().p_final, 0.9, 500);
        }
    }
}
