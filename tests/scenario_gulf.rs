//! Gulf and Levant minilaterals, 2021–2024: after the October 2023 shock Jordan leaves Project
//! Prosperity while the UAE stays in the Abraham Accords (issue 3; docs/SOURCES.md §3). Expectations are
//! those of scenarios/gulf_minilaterals.toml's header.
//!
//! Tolerances: every probability is a share of `RUNS` replicates; each assertion asks the observed
//! share to clear its threshold by three standard errors taken at the threshold
//! (`common::assert_at_least` / `assert_at_most`; with 2000 runs 0.031 at p = 0.3 and 0.027 at
//! p = 0.8 or 0.2, 0.020 at p = 0.9). A wrong-side result would be a 3-sigma fluke.

#[path = "common/calibration.rs"]
mod calibration;
mod common;

use calibration::*;
use common::*;
use pactsim::report::Summary;
use pactsim::run::{self, RunSpec};
use pactsim::scenario::Scenario;

const RUNS: u64 = 2000;
const SEED: u64 = 2023;

fn scenario(overrides: &[&str]) -> Scenario {
    load(&scenario_path("gulf_minilaterals.toml"), overrides)
}

fn shock_round(sc: &Scenario) -> usize {
    sc.events.iter().find(|e| e.id == "oct2023").expect("the October 2023 event").round as usize
}

#[test]
fn calibrated_from_cinc_2016() {
    assert_capabilities_are_cinc_2016(
        &scenario(&[]),
        &[
            ("ISR", "ISR"),
            ("ARE", "UAE"),
            ("BHR", "BAH"),
            ("MAR", "MOR"),
            ("EGY", "EGY"),
            ("JOR", "JOR"),
            ("SAU", "SAU"),
            ("IND", "IND"),
            ("USA", "USA"),
            ("IRN", "IRN"),
        ],
    );
}

#[test]
fn jordan_is_in_prosperity_until_the_shock_and_out_after_it() {
    let sc = scenario(&[]);
    let s = summarise(&sc, SEED, RUNS);
    let jor = s.get("PROSPERITY", "JOR").unwrap();
    // p_by_round[r] is the world after round r; the shock applies before its round is played.
    let before = shock_round(&sc) - 1;
    assert_at_least("JOR in Prosperity before the shock", jor.p_by_round[before], 0.9, RUNS);
    // History: Jordan "will not sign" (2023-11-16). Required: p >= 0.7 that it is not a member at
    // the end, i.e. p_final <= 0.3.
    assert_at_most("JOR in Prosperity at the end", jor.p_final, 0.3, RUNS);
    // It leaves; it is not pushed out by others leaving first (the UAE stays in Prosperity).
    // The two bounds above mean membership fell in at least 0.9 − 0.3 = 0.6 of replicates; Jordan's
    // own leave decisions must account for that drop (a leave per replicate at most once, unless
    // it rejoined), not a single replicate acting.
    let leaves = jor.actions["leave"] as f64 / RUNS as f64;
    assert_at_least("JOR's own leave decisions per replicate", leaves, 0.6, RUNS);
    assert_at_least(
        "ARE in Prosperity at the end",
        s.get("PROSPERITY", "ARE").unwrap().p_final,
        0.9,
        RUNS,
    );
}

#[test]
fn the_uae_stays_in_the_abraham_accords() {
    let s = summarise(&scenario(&[]), SEED, RUNS);
    assert_at_least("ARE in the Accords at the end", s.get("ABRAHAM", "ARE").unwrap().p_final, 0.8, RUNS);
    // Morocco took no step either.
    assert_at_least("MAR in the Accords at the end", s.get("ABRAHAM", "MAR").unwrap().p_final, 0.8, RUNS);
}

#[test]
fn without_the_shock_jordan_stays() {
    // The counterfactual: the exit is the shock's doing (the test above would fail without it).
    let s = summarise(&scenario(&["event.oct2023.enabled=false"]), SEED, RUNS);
    assert_at_least(
        "JOR in Prosperity at the end, no shock",
        s.get("PROSPERITY", "JOR").unwrap().p_final,
        0.9,
        RUNS,
    );
}

#[test]
fn jordan_keeps_the_binding_treaty_while_it_drops_the_informal_project() {
    let s = summarise(&scenario(&[]), SEED, RUNS);
    assert_at_least(
        "JOR in the 1994 treaty at the end",
        s.get("JOR-ISR", "JOR").unwrap().p_final,
        0.8,
        RUNS,
    );
    // The same treaty made as non-binding as the project (cheap to leave): the assertion above
    // would fail. What holds Jordan is the treaty's binding, not a treaty that cannot be left.
    let s = summarise(&scenario(&["pact.JOR-ISR.binding=0.2"]), SEED, RUNS);
    assert_at_most(
        "JOR in a non-binding treaty at the end",
        s.get("JOR-ISR", "JOR").unwrap().p_final,
        0.8,
        RUNS,
    );
}

#[test]
fn the_uae_result_can_fail() {
    // Jordan's situation transplanted onto the UAE: the Accords as informal as Prosperity, the UAE
    // as hostile to Israel as Jordan became, and a stake in the Accords like Jordan's in the project
    // (change 4 of the shock event is ARE–ISR). Then the UAE-stays test above would fail.
    let s = summarise(
        &scenario(&[
            "pact.ABRAHAM.binding=0.2",
            "event.oct2023.change.4.to=1.0",
            "state.ARE.issues.technology=0.3",
        ]),
        SEED,
        RUNS,
    );
    assert_at_most(
        "ARE in informal Accords after turning hostile",
        s.get("ABRAHAM", "ARE").unwrap().p_final,
        0.8,
        RUNS,
    );
}

#[test]
fn jordans_exit_does_not_hinge_on_the_us_setting() {
    // The header's US pull-back note: the Gulf pacts the US sits in are informal issue pacts, so
    // the headline holds at low US commitment too.
    let s = summarise(&scenario(&["state.USA.commitment=0.3"]), SEED, RUNS);
    assert_at_most(
        "JOR in Prosperity at the end, US pull-back",
        s.get("PROSPERITY", "JOR").unwrap().p_final,
        0.3,
        RUNS,
    );
    assert_at_least(
        "ARE in the Accords at the end, US pull-back",
        s.get("ABRAHAM", "ARE").unwrap().p_final,
        0.8,
        RUNS,
    );
}

#[test]
fn a_treaty_one_party_leaves_ends_instead_of_running_on_with_one_member() {
    // Issue 19: Israel (or Jordan) leaves the 1994 treaty in a few replicates; the treaty used to
    // run on with one member. Every Gulf pact has min_members 2 (the default) and at least two
    // founders, so no pact may have exactly one member after any round.
    let sc = scenario(&[]);
    let result = run::run(
        &sc,
        &RunSpec {
            seed: SEED,
            replicates: 0..RUNS,
            keep_decisions: 0,
        },
        &|_| {},
    );
    for p in sc.pact_ids() {
        let pact = sc.pact(p);
        assert_eq!(pact.min_members, 2, "{}", pact.id);
        for r in 0..=sc.rounds as usize {
            let singletons = result.tally.size_hist(r, p.index())[1];
            assert_eq!(
                singletons, 0,
                "{} has one member after round {r} in {singletons} replicates",
                pact.id
            );
        }
    }
    // The case is there: each leave ends the treaty and releases the other party.
    let s = Summary::new(&sc, &result.tally, SEED);
    let member = |id: &str| s.get("JOR-ISR", id).unwrap();
    let leaves = member("JOR").actions["leave"] + member("ISR").actions["leave"];
    let released = member("JOR").actions.get("end").copied().unwrap_or(0) + member("ISR").actions.get("end").copied().unwrap_or(0);
    assert!(leaves > 0, "nobody leaves the treaty: the test tests nothing");
    assert_eq!(released, leaves, "every leave releases the other party");
    let treaty = s.pacts.iter().find(|p| p.id == "JOR-ISR").unwrap();
    assert_eq!((treaty.p_ended * RUNS as f64).round() as u64, leaves);
    assert_eq!(treaty.p_dissolved, 0.0);
}
