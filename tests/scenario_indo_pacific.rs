//! Indo-Pacific under an eroding US umbrella (issue 21 item 5): what docs/SCENARIOS.md ("Indo-
//! Pacific umbrella") says the scenario shows about pacts that form themselves. With the pacts of
//! 2023 and two templates (an informal consultation, a binding treaty, both aimed at China):
//!
//! - with a steady US and no crisis nothing forms (exactly: the start is taken as chosen);
//! - the erosion alone forms binding pacts among the US's partners only, never with the US, and
//!   more the weaker the US; no informal one;
//! - a Taiwan Strait crisis forms a binding pact in nearly every replicate (with the US in about
//!   half of them) and no informal one once the US has eroded; informal ones form only with a
//!   steady US; the listed informal pacts (the Quad, AUKUS) hold;
//! - with the crisis, the weaker the US the more binding pacts.
//!
//! Tolerances: every share is a share of `RUNS` replicates and must clear its bound by three
//! standard errors at the bound (`common::assert_at_least`/`at_most`); differences clear their gap
//! by three conservative standard errors (`calibration::assert_gap`; a mean number of pacts takes
//! the standard error of its mean, sd/√RUNS, from summary.json's `alive_sd_by_round`).

#[path = "common/calibration.rs"]
mod calibration;
mod common;

use calibration::*;
use common::*;
use pactsim::report::Summary;
use pactsim::scenario::Scenario;
use pactsim::study::KindInfo;

const RUNS: u64 = 1000;
const SEED: u64 = 2121;
const CRISIS: &str = "event.taiwan_crisis.enabled=true";

fn scenario(overrides: &[&str]) -> Scenario {
    load(&scenario_path("indo_pacific_umbrella.toml"), overrides)
}

fn run(overrides: &[&str]) -> Summary {
    summarise(&scenario(overrides), SEED, RUNS)
}

fn kind<'a>(s: &'a Summary, name: &str) -> &'a KindInfo {
    s.kinds.iter().find(|k| k.kind == name).unwrap_or_else(|| panic!("no kind {name}"))
}

/// Mean number of pacts of the kind alive at the end, and the standard error of that mean.
fn alive_at_end(s: &Summary, name: &str) -> (f64, f64) {
    let k = kind(s, name);
    let last = s.rounds as usize;
    (k.alive_mean_by_round[last], k.alive_sd_by_round[last] / (s.runs as f64).sqrt())
}

/// Share of replicates in which a pact was formed with (`true`) or without the US among its
/// founders (a sum of p_formed over stable ids: one replicate may count twice when it formed two,
/// so it is an expected number, at most the share of replicates times the slots).
fn formed_with_us(s: &Summary, with: bool) -> f64 {
    s.formed
        .values()
        .filter(|f| f.founders.iter().any(|x| x == "USA") == with)
        .map(|f| f.p_formed)
        .sum()
}

#[test]
fn capabilities_are_cinc_2016() {
    assert_capabilities_are_cinc_2016(
        &scenario(&[]),
        &[
            ("USA", "USA"),
            ("CHN", "CHN"),
            ("JPN", "JPN"),
            ("KOR", "ROK"),
            ("PHL", "PHI"),
            ("AUS", "AUL"),
            ("IND", "IND"),
            ("VNM", "DRV"),
            ("IDN", "INS"),
            ("TWN", "TAW"),
        ],
    );
}

#[test]
fn a_steady_us_without_a_crisis_forms_nothing() {
    let s = run(&["event.erosion.enabled=false"]);
    assert!(s.formed.is_empty(), "formed: {:?}", s.formed.keys().collect::<Vec<_>>());
    for k in &s.kinds {
        assert!(k.alive_mean_by_round.iter().all(|&v| v == 0.0), "{}", k.kind);
    }
}

#[test]
fn the_erosion_alone_forms_binding_pacts_without_the_us_and_more_the_weaker_it_is() {
    let shipped = run(&[]);
    let weak = run(&["event.erosion.change.0.to=0.2"]);
    let mild = run(&["event.erosion.change.0.to=0.8"]);
    for (name, s) in [("shipped (0.5)", &shipped), ("0.2", &weak), ("0.8", &mild)] {
        let informal = kind(s, "informal");
        assert_at_most(
            &format!("{name}: P(an informal pact alive at the end)"),
            informal.p_any_by_round[s.rounds as usize],
            0.01,
            RUNS,
        );
        assert_at_most(&format!("{name}: pacts formed with the US"), formed_with_us(s, true), 0.01, RUNS);
    }
    // More binding pacts the weaker the US: 0.8 forms almost none, 0.2 several times what 0.5 does.
    let p_any = |s: &Summary| kind(s, "binding").p_any_by_round[s.rounds as usize];
    assert_at_most("erosion to 0.8: P(a binding pact)", p_any(&mild), 0.02, RUNS);
    assert_at_least("erosion to 0.2: P(a binding pact)", p_any(&weak), 0.1, RUNS);
    let (hi, lo) = (p_any(&weak), p_any(&shipped));
    assert_gap(
        "P(a binding pact): erosion to 0.2 − to 0.5",
        hi,
        lo,
        0.08,
        se(hi, RUNS) + se(lo, RUNS),
    );
    // They form in the round of the erosion (2025-01), never before it.
    let erosion = scenario(&[]).events.iter().find(|e| e.id == "erosion").unwrap().round as usize;
    for f in weak.formed.values() {
        assert_eq!(f.formed_round_median, Some(erosion as f64), "{:?}", f.founders);
    }
}

#[test]
fn a_taiwan_crisis_forms_binding_pacts_and_the_listed_informal_ones_hold() {
    let s = run(&[CRISIS]);
    let last = s.rounds as usize;
    assert_at_least(
        "crisis: P(a binding pact alive at the end)",
        kind(&s, "binding").p_any_by_round[last],
        0.9,
        RUNS,
    );
    assert_at_most(
        "crisis: P(an informal pact alive at the end)",
        kind(&s, "informal").p_any_by_round[last],
        0.01,
        RUNS,
    );
    // The US is among the founders in about half: neither always nor never.
    assert_at_least("crisis: pacts formed with the US", formed_with_us(&s, true), 0.3, RUNS);
    assert_at_least("crisis: pacts formed without the US", formed_with_us(&s, false), 0.3, RUNS);
    // No formed pact ends: what forms holds.
    for (id, f) in &s.formed {
        assert_at_most(&format!("{id} ends"), f.p_ended, 0.01, RUNS);
    }
    // The listed informal coalitions hold through the crisis.
    for (pact, state, bound) in [
        ("QUAD", "USA", 0.95),
        ("QUAD", "JPN", 0.95),
        ("QUAD", "AUS", 0.95),
        ("QUAD", "IND", 0.9),
        ("AUKUS", "USA", 0.95),
        ("AUKUS", "AUS", 0.95),
    ] {
        assert_at_least(
            &format!("crisis: {state} in {pact} at the end"),
            s.membership[pact][state].p_final,
            bound,
            RUNS,
        );
    }
}

#[test]
fn informal_pacts_form_in_a_crisis_only_with_a_steady_us() {
    let steady = run(&[CRISIS, "event.erosion.enabled=false"]);
    let eroded = run(&[CRISIS]);
    let (hi, se_hi) = alive_at_end(&steady, "informal");
    let (lo, se_lo) = alive_at_end(&eroded, "informal");
    assert_gap(
        "crisis: informal pacts alive at the end, steady US − eroded US",
        hi,
        lo,
        0.02,
        se_hi + se_lo,
    );
    // ...and the eroded US gives more binding pacts than the steady one.
    let (hi, se_hi) = alive_at_end(&run(&[CRISIS, "event.erosion.change.0.to=0.2"]), "binding");
    let (lo, se_lo) = alive_at_end(&steady, "binding");
    assert_gap(
        "crisis: binding pacts alive at the end, US eroded to 0.2 − steady",
        hi,
        lo,
        0.05,
        se_hi + se_lo,
    );
}
