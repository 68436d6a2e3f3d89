//! `[[target]]`: observed facts a run is checked against. Each statistic reads the number the
//! summary reports, met means within the tolerance, and every malformed target is an error that
//! names its key and what would be valid.

mod common;

use common::*;

fn minimal() -> String {
    std::fs::read_to_string(root().join("tests/fixtures/minimal.toml")).unwrap()
}

fn with_targets(targets: &str) -> String {
    format!("{}\n{targets}", minimal())
}

const TARGETS: &str = r#"
[[target]]
statistic = "p_final"
pact = "ALLY"
state = "AAA"
value = 0.3
tolerance = 0.1

[[target]]
statistic = "p_member_at"
pact = "ALLY"
state = "BBB"
round = 0
value = 1
tolerance = 0.01

[[target]]
statistic = "p_member_at"
pact = "ALLY"
state = "AAA"
date = "2022-03"
value = 0.9
tolerance = 0.01

[[target]]
statistic = "support_at"
state = "AAA"
date = "2022-06"
value = 0.6
tolerance = 0.3

[[target]]
statistic = "p_formed"
pact = "ALLY"
value = 1
tolerance = 0.001
source = "founded with one member"

[[target]]
statistic = "join_date_median"
pact = "ALLY"
state = "AAA"
value = "2022-12"
tolerance = 1
"#;

#[test]
fn targets_read_the_summary_and_say_whether_they_are_met() {
    // ALLY is founded by BBB alone: at `min_members = 1` it is formed from the start.
    let sc = parse(&with_targets(TARGETS), &["pact.ALLY.min_members=1"]);
    assert_eq!(sc.targets.len(), 6);
    let s = summarise(&sc, 7, 200);
    let t = &s.targets;
    let aaa = s.get("ALLY", "AAA").unwrap();
    assert_eq!(t[0].observed, Some(aaa.p_final));
    assert_eq!(t[0].met, (aaa.p_final - 0.3).abs() <= 0.1);
    // A target that any probability would meet (0.5 ± 0.5) could not tell met from missed: this
    // one is missed here, and met when the same value is asked of the observed share.
    assert!(!t[0].met, "{:?}", t[0]);
    let asked = with_targets(&format!(
        "[[target]]\nstatistic = \"p_final\"\npact = \"ALLY\"\nstate = \"AAA\"\nvalue = {}\ntolerance = 0.01\n",
        aaa.p_final
    ));
    let again = summarise(&parse(&asked, &["pact.ALLY.min_members=1"]), 7, 200);
    assert!(again.targets[0].met, "{:?}", again.targets[0]);
    // A founder is a member at the start: met.
    assert_eq!((t[1].observed, t[1].met), (Some(1.0), true));
    assert_eq!(t[1].at.as_deref(), Some("start"));
    // 2022-03 is round 3.
    assert_eq!(t[2].observed, Some(aaa.p_by_round[3]));
    assert_eq!(t[2].label, "P(AAA in ALLY after 2022-03)");
    assert_eq!(t[3].observed, Some(s.support["AAA"][6]));
    assert_eq!(
        (t[4].observed, t[4].met, t[4].source.as_str()),
        (Some(1.0), true, "founded with one member")
    );
    // A date is compared as a round (2022-12 is round 12).
    assert_eq!(t[5].expected, 12.0);
    assert_eq!(t[5].observed, aaa.join_round_median);
    assert_eq!(t[5].met, aaa.join_round_median.is_some_and(|r| (r - 12.0).abs() <= 1.0));

    // At the default `min_members = 2` it forms when a second member joins: AAA, the only state
    // that may (RRR is its rival), so P(formed) is P(AAA ever a member), and the target is missed.
    let s = summarise(&parse(&with_targets(TARGETS), &[]), 7, 200);
    let aaa = s.get("ALLY", "AAA").unwrap();
    let ally = s.pacts.iter().find(|p| p.id == "ALLY").unwrap();
    assert_eq!(ally.min_members, 2);
    assert!(aaa.p_ever > 0.2 && aaa.p_ever < 0.9, "{}", aaa.p_ever);
    assert_eq!((s.targets[4].observed, s.targets[4].met), (Some(aaa.p_ever), false));
    assert_eq!(ally.p_formed, aaa.p_ever);
}

#[test]
fn a_scenario_without_targets_reports_none() {
    let s = summarise(&parse(&minimal(), &[]), 7, 20);
    assert!(s.targets.is_empty());
    let json = serde_json::to_string(&s).unwrap();
    assert!(!json.contains("\"targets\""), "no key: summaries without targets are as before");
}

#[test]
fn malformed_targets_name_the_key_and_what_is_valid() {
    for (target, expect) in [
        (
            "statistic = \"p_final\"\npact = \"ALLY\"\nstate = \"AAB\"\nvalue = 1\ntolerance = 0.1",
            "unknown state `AAB`; did you mean `AAA`?",
        ),
        (
            "statistic = \"p_fnal\"\npact = \"ALLY\"\nstate = \"AAA\"\nvalue = 1\ntolerance = 0.1",
            "p_final",
        ),
        (
            "statistic = \"p_final\"\npact = \"ALLY\"\nvalue = 1\ntolerance = 0.1",
            "a `p_final` target names its state",
        ),
        (
            "statistic = \"p_formed\"\npact = \"ALLY\"\nstate = \"AAA\"\nvalue = 1\ntolerance = 0.1",
            "a `p_formed` target takes no state",
        ),
        (
            "statistic = \"p_member_at\"\npact = \"ALLY\"\nstate = \"AAA\"\nvalue = 1\ntolerance = 0.1",
            "names its round or date",
        ),
        (
            "statistic = \"p_member_at\"\npact = \"ALLY\"\nstate = \"AAA\"\ndate = \"2030-01\"\nvalue = 1\ntolerance = 0.1",
            "the scenario has rounds 0 (the start) to 12",
        ),
        (
            "statistic = \"join_date_median\"\npact = \"ALLY\"\nstate = \"AAA\"\nvalue = \"2019-05\"\ntolerance = 1",
            "the scenario has rounds 1 to 12",
        ),
        (
            "statistic = \"apply_date_median\"\npact = \"ALLY\"\nstate = \"AAA\"\nvalue = \"2031-05\"\ntolerance = 1",
            "the scenario has rounds 1 to 12",
        ),
        (
            "statistic = \"apply_date_median\"\npact = \"ALLY\"\nvalue = \"2020-05\"\ntolerance = 1",
            "names its state",
        ),
        (
            "statistic = \"p_final\"\npact = \"ALLY\"\nstate = \"AAA\"\nvalue = \"2022-05\"\ntolerance = 0.1",
            "value is a number",
        ),
        (
            "statistic = \"p_final\"\npact = \"ALLY\"\nstate = \"AAA\"\nvalue = 1.5\ntolerance = 0.1",
            "target.0.value",
        ),
        (
            "statistic = \"p_final\"\npact = \"ALLY\"\nstate = \"AAA\"\nvalue = 1\ntolerance = 0",
            "give a positive number",
        ),
    ] {
        let text = with_targets(&format!("[[target]]\n{target}\n"));
        let e = pactsim::scenario::from_source(
            &pactsim::scenario::Source {
                path: "t.toml".into(),
                text,
            },
            &[],
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains(expect), "{target}\n→ {e}");
    }
}

#[test]
fn finland_sweden_reports_its_history() {
    // The shipped targets: since the recalibration of issue 19 (docs/SCENARIOS.md) all twelve are
    // met at the scenario's seed and runs; the values fitted to them are in the scenario file.
    let sc = load(&scenario_path("finland_sweden.toml"), &[]);
    let s = summarise(&sc, 2022, 1000);
    let missed: Vec<&str> = s.targets.iter().filter(|t| !t.met).map(|t| t.label.as_str()).collect();
    assert_eq!(s.targets.len(), 12);
    assert_eq!(missed, Vec::<&str>::new(), "{:#?}", s.targets);
}

/// `apply_date_median` is the median over replicates of the first round the state applied, read
/// from the decisions themselves: Finland's and Sweden's applications to NATO.
#[test]
fn the_application_date_is_the_median_first_application_in_the_decisions() {
    use pactsim::model::Action;
    use pactsim::run::{self, RunSpec};
    let sc = load(&scenario_path("finland_sweden.toml"), &[]);
    let runs = 200;
    let result = run::run(
        &sc,
        &RunSpec {
            seed: 11,
            replicates: 0..runs,
            keep_decisions: runs,
        },
        &|_| {},
    );
    let s = pactsim::report::Summary::new(&sc, &result.tally, 11);
    for id in ["FIN", "SWE"] {
        let mut first: Vec<u32> = (0..runs)
            .filter_map(|r| {
                result
                    .decisions
                    .iter()
                    .filter(|d| {
                        d.replicate == r
                            && d.decision.action == Action::Apply
                            && sc.state(d.decision.state).id == id
                            && sc.pact(d.decision.pact).id == "NATO"
                    })
                    .map(|d| d.decision.round)
                    .min()
            })
            .collect();
        first.sort_unstable();
        assert!(first.len() > 150, "{id} applies in most replicates");
        let n = first.len();
        let median = if n % 2 == 1 {
            f64::from(first[n / 2])
        } else {
            (f64::from(first[n / 2 - 1]) + f64::from(first[n / 2])) / 2.0
        };
        let target = s
            .targets
            .iter()
            .find(|t| t.statistic == "apply_date_median" && t.state.as_deref() == Some(id))
            .unwrap();
        assert_eq!(target.observed, Some(median), "{id}");
        assert_eq!(target.label, format!("median date {id} applies to NATO"));
    }
}
