//! History as events (issue 20, item 3): `pactsim import --through` writes the dated events of
//! the years after the world's, each in the round it happened and never earlier; the event kinds
//! they need (`democracy`, `proximity`, `birth`, `death`, `exists = false`); the backtest plays
//! them unless `--no-events`; bad input is a clear error.

use assert_cmd::Command;
use pactsim::backtest::{self, BacktestSpec};
use pactsim::data::import::{self, ImportSpec, Imported, Region, Selection};
use pactsim::data::{Dataset, year_end};
use pactsim::model::World;
use pactsim::scenario::{self, Scenario, Source};

fn spec(year: i32, through: i32, selection: Selection) -> ImportSpec {
    ImportSpec {
        year,
        selection,
        monthly: false,
        rounds: (through - year) as u32,
        runs: 10,
        seed: 1,
        through: Some(through),
    }
}

fn load(text: &str) -> Result<Scenario, String> {
    scenario::from_source(
        &Source {
            path: "events.toml".into(),
            text: text.to_string(),
        },
        &[],
    )
    .map_err(|e| format!("{e:?}"))
}

/// The events of the rounds up to `round`, as written.
fn up_to(imported: &Imported, round: u32) -> Vec<String> {
    imported
        .events
        .iter()
        .filter(|e| e.round <= round)
        .map(|e| e.text.clone())
        .collect()
}

/// The proof that no round reads data dated after it: for each year T of Y..Y2, the data cut at
/// T-12-31 ([`Dataset::truncated`]) give the same start world and the same events for rounds
/// 1..T−Y as the whole data. An event placed a round early (a year's conflicts, capabilities,
/// transitions or a birth or death written before its year) reads data the cut data do not have,
/// and differs. The check is not vacuous: every cut loses events of the rounds after it.
fn no_look_ahead(year: i32, through: i32, selection: Selection, monthly: bool) {
    let data = Dataset::embedded().unwrap();
    let mut s = spec(year, through, selection);
    s.monthly = monthly;
    s.rounds = import::rounds_through(&s, through);
    let full = import::build(&data, &s).unwrap();
    load(&full.text).unwrap();
    for t in year..=through {
        let cut = data.truncated(t);
        let part = import::build(&cut, &s).unwrap();
        // The last round of the year t: its December in a monthly world.
        let k = import::rounds_through(&s, t);
        assert_eq!(part.world_text, full.world_text, "{year}: the start world reads data after {t}");
        assert_eq!(
            up_to(&part, k),
            up_to(&full, k),
            "{year}..{through}: an event of rounds 1..{k} reads data after {t}"
        );
        let born_by_t: Vec<_> = full.born.iter().filter(|b| b.1 <= year_end(t)).cloned().collect();
        assert_eq!(part.born, born_by_t, "states born by {t}");
        if t < through {
            let next = import::rounds_through(&s, t + 1);
            assert_ne!(
                up_to(&part, next),
                up_to(&full, next),
                "the data cut at {t} should lack the events of the rounds of {}",
                t + 1
            );
        }
    }
}

#[test]
fn no_round_reads_data_dated_after_it_europe_1988_1992() {
    // German unification, the Soviet Union's end, Yugoslavia's wars: births, deaths, transitions.
    no_look_ahead(1988, 1992, Selection::Region(Region::Europe), false);
}

#[test]
fn no_round_reads_data_dated_after_it_in_months_too() {
    // Monthly rounds: births and deaths on their day's month, yearly values in December.
    no_look_ahead(1988, 1992, Selection::Region(Region::Europe), true);
}

#[test]
fn no_round_reads_data_dated_after_it_whole_system_1957_1962() {
    // Decolonisation (many births), the United Arab Republic (Syria dies 1958, returns 1961).
    no_look_ahead(1957, 1962, Selection::All, false);
}

#[test]
fn an_event_placed_a_year_early_is_caught() {
    // The same comparison on a deliberately wrong import: the events of round k+1 moved into
    // round k. The check must fail on it.
    let data = Dataset::embedded().unwrap();
    let s = spec(1988, 1991, Selection::Region(Region::Europe));
    let full = import::build(&data, &s).unwrap();
    let early: Vec<String> = full.events.iter().filter(|e| e.round <= 2).map(|e| e.text.clone()).collect();
    let cut = import::build(&data.truncated(1989), &s).unwrap();
    assert_ne!(up_to(&cut, 1), early);
}

#[test]
fn every_event_falls_in_the_round_of_its_date() {
    let data = Dataset::embedded().unwrap();
    for monthly in [false, true] {
        let mut s = spec(1988, 1992, Selection::Region(Region::Europe));
        s.monthly = monthly;
        s.rounds = import::rounds_through(&s, 1992);
        let imported = import::build(&data, &s).unwrap();
        let sc = load(&imported.text).unwrap();
        assert_eq!(sc.events.len(), imported.events.len());
        for e in &imported.events {
            let (y, m) = (e.date / 10_000, (e.date / 100) % 100);
            let want = if monthly { (y - 1989) * 12 + m } else { y - 1988 };
            assert_eq!(e.round as i32, want, "{}", e.id);
            let loaded = sc.events.iter().find(|x| x.id == e.id).unwrap();
            assert_eq!(loaded.round, e.round, "{}: the loader's calendar", e.id);
        }
    }
}

#[test]
fn the_german_unification_is_deaths_and_a_birth_on_the_day() {
    let data = Dataset::embedded().unwrap();
    let imported = import::build(&data, &spec(1989, 1991, Selection::Region(Region::Europe))).unwrap();
    let ids: Vec<&str> = imported.events.iter().map(|e| e.id.as_str()).collect();
    for id in ["death-GFR-1990-10-03", "death-GDR-1990-10-03", "birth-GMY-1990-10-03"] {
        assert!(ids.contains(&id), "{id} in {ids:?}");
    }
    // Germany (COW 255) is listed, not existing at the start; the scenario loads.
    assert!(imported.born.contains(&(255, 19901003)));
    let sc = load(&imported.text).unwrap();
    let gmy = sc.state_by_id("GMY").unwrap();
    assert!(!sc.state(gmy).exists);
    // Round 1 (1990): the GDR's death releases it from the Warsaw Pact; Germany is born and may
    // join pacts.
    let mut w = World::new(&sc);
    let wp = sc.pact_by_id("WARSAW_PACT").unwrap();
    let gdr = sc.state_by_id("GDR").unwrap();
    let nato = sc.pact_by_id("NATO").unwrap();
    assert!(w.is_member(gdr, wp));
    assert!(!w.may_apply(gmy, nato));
    let mut rng = pactsim::draw::generator(1, 0);
    let mut log = Vec::new();
    w.play_round(&mut rng, &mut log);
    assert!(!w.is_member(gdr, wp), "the GDR is released from the Warsaw Pact by its death");
    assert!(!w.present[gdr.index()] && w.present[gmy.index()]);
    assert!(!w.may_apply(gdr, nato));
    assert!(w.may_apply(gmy, nato));
    assert_eq!(w.capability[gdr.index()], pactsim::model::NIL_CAPABILITY);
    assert_eq!(w.capability[gmy.index()], data.cinc[&(255, 1990)]);
    // Democratic transitions of 1990 (V-Dem polyarchy crosses 0.5): Poland and Hungary.
    let pol = sc.state_by_id("POL").unwrap();
    assert!(!sc.state(pol).democracy && w.democracy[pol.index()]);
}

#[test]
fn the_backtest_plays_the_events_by_default_and_scores_the_same_pair_years() {
    let data = Dataset::embedded().unwrap();
    let mk = |events| BacktestSpec {
        from: 1989,
        to: 1989,
        horizon: 2,
        step: 1,
        selection: Selection::Region(Region::Europe),
        sets: Vec::new(),
        runs: 10,
        seed: 1,
        events,
    };
    let with = backtest::backtest(&data, &mk(true), &|_| {}, &mut |_| {}).unwrap();
    let without = backtest::backtest(&data, &mk(false), &|_| {}, &mut |_| {}).unwrap();
    assert!(with.events && !without.events);
    for (a, b) in with.total.iter().zip(&without.total) {
        for (x, y) in a.iter().zip(b) {
            assert_eq!((x.n, x.events), (y.n, y.events), "the same pair-years are scored");
        }
    }
    // Persistence and base rates do not read events; the model does (its world changes).
    assert_eq!(with.total[0][1].brier_sum, without.total[0][1].brier_sum);
    assert_eq!(with.total[0][2].brier_sum, without.total[0][2].brier_sum);
    assert_ne!(with.total[0][0].brier_sum, without.total[0][0].brier_sum);
    // Without events the model is persistence (nothing changes a conditioned world).
    assert_eq!(without.total[0][0].brier_sum, without.total[0][1].brier_sum);
}

fn fails(args: &[&str]) -> String {
    let out = Command::cargo_bin("pactsim").unwrap().args(args).output().unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
    assert!(stderr.starts_with("error: ") && !stderr.contains("panicked"), "{stderr}");
    stderr
}

#[test]
fn bad_through_and_rounds_are_clear_errors() {
    for (through, want) in [
        ("1955", "after --year 1955"),
        ("1950", "after --year 1955"),
        ("2017", "at most 2016"),
    ] {
        let e = fails(&["import", "--year", "1955", "--region", "europe", "--through", through]);
        assert!(e.contains(&format!("--through {through}")) && e.contains(want), "{e}");
    }
    let e = fails(&[
        "import",
        "--year",
        "1955",
        "--region",
        "europe",
        "--through",
        "1960",
        "--rounds",
        "3",
    ]);
    assert!(
        e.contains("--rounds 3") && e.contains("round 5") && e.contains("--through 1960"),
        "{e}"
    );
    let e = fails(&[
        "import",
        "--year",
        "1955",
        "--region",
        "europe",
        "--through",
        "1957",
        "--round-unit",
        "month",
        "--rounds",
        "12",
    ]);
    assert!(e.contains("--rounds 12") && e.contains("round 24"), "{e}");
    // Not a year: clap's usage error (exit code 2), naming the flag.
    let out = Command::cargo_bin("pactsim")
        .unwrap()
        .args(["import", "--year", "1955", "--region", "europe", "--through", "x"])
        .output()
        .unwrap();
    let e = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(2), "{e}");
    assert!(e.contains("invalid value 'x' for '--through <YEAR>'"), "{e}");
    // Without --rounds, the scenario plays to the end of --through.
    let out = Command::cargo_bin("pactsim")
        .unwrap()
        .args(["import", "--year", "1955", "--states", "USA,RUS", "--through", "1958"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("rounds = 3\n"), "{text}");
    assert!(text.contains("id = \"capability-1958\""), "{text}");
}

/// A small scenario with an event of its own.
fn with_event(change: &str, extra: &str) -> Result<Scenario, String> {
    load(&format!(
        r#"[scenario]
name = "t"
rounds = 2
[[state]]
id = "A"
capability = 0.5
[[state]]
id = "B"
capability = 0.5
{extra}
[[pact]]
id = "P"
binding = 1
members = ["A", "B"]
[[event]]
id = "e"
round = 1
change = [{change}]
"#
    ))
}

#[test]
fn bad_new_event_kinds_are_clear_errors() {
    for good in [
        r#"{ kind = "democracy", state = "A", to = 0 }"#,
        r#"{ kind = "proximity", between = ["A", "B"], to = 0.7 }"#,
        r#"{ kind = "proximity", between = ["A", "B"], by = -0.3 }"#,
        r#"{ kind = "death", state = "B" }"#,
        r#"{ kind = "birth", state = "A" }"#,
    ] {
        with_event(good, "").unwrap_or_else(|e| panic!("{good}: {e}"));
    }
    for (bad, want) in [
        (r#"{ kind = "democracy", state = "A", to = 0.5 }"#, "takes `to = 1`"),
        (r#"{ kind = "democracy", state = "A", by = 1 }"#, "takes `to = 1`"),
        (r#"{ kind = "democracy", state = "A" }"#, "exactly one of `to`, `by` or `scale`"),
        (r#"{ kind = "proximity", between = ["A", "B"], to = 1.5 }"#, "out of range"),
        (r#"{ kind = "proximity", state = "A", to = 0.5 }"#, "needs `between`"),
        (r#"{ kind = "death", state = "A", to = 1 }"#, "takes no `to`, `by` or `scale`"),
        (r#"{ kind = "birth", state = "C" }"#, "C"),
        (r#"{ kind = "births", state = "A" }"#, "is not a change"),
    ] {
        let e = with_event(bad, "").unwrap_err();
        assert!(e.contains(want), "{bad}: {e}");
        assert!(e.contains("event.e.change.0"), "{bad}: {e}");
    }
    // A state that does not exist at the start cannot be a member then.
    let e = with_event(
        r#"{ kind = "birth", state = "C" }"#,
        "[[state]]\nid = \"C\"\ncapability = 0.1\nexists = false\n[[pact]]\nid = \"Q\"\nbinding = 1\nmembers = [\"A\", \"C\"]",
    )
    .unwrap_err();
    assert!(e.contains("pact.Q.members") && e.contains("exists = false"), "{e}");
    let e = with_event(
        r#"{ kind = "birth", state = "A" }"#,
        "[[state]]\nid = \"C\"\ncapability = 0.1\nexists = 0",
    )
    .unwrap_err();
    assert!(e.contains("exists"), "{e}");
}
