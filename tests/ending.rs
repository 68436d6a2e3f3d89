//! Pacts that end (docs/MODEL.md §5a): a formed pact whose membership falls below its
//! `min_members` ends; its remaining members are released (an `end`, not a leave), pending
//! applications are dropped, and it cannot be applied to or joined until a `found` event opens it
//! again. Deterministic worlds: temperature 0 (a best response) and forced moves.

mod common;

use common::*;
use pactsim::model::{Decision, World};
use pactsim::run::{self, RunSpec, replicate_rng};
use pactsim::scenario::Scenario;

/// Three states that each value pact P (an informal energy pact: issue gain 0.5 against a join
/// cost of 0.2, so joining is worth 0.3 and leaving −0.7) except C, which does not care until an
/// event says so; P's founders are A and B. `pact` is added to P's table, `extra` to the file.
fn world(pact: &str, extra: &str) -> String {
    format!(
        r#"
[scenario]
name = "ending"
rounds = 7
seed = 4
runs = 20

[model]
temperature = 0

[[state]]
id = "A"
capability = 0.05
democracy = false
issues = {{ energy = 1.0 }}

[[state]]
id = "B"
capability = 0.05
democracy = false
issues = {{ energy = 1.0 }}

[[state]]
id = "C"
capability = 0.05
democracy = false

[[pact]]
id = "P"
obligations = []
binding = 0.0
issue = "energy"
issue_gain = 0.5
members = ["A", "B"]
admission = "open"
{pact}

{extra}
"#
    )
}

const FORCE_A_OUT: &str = r#"
[[event]]
id = "out"
round = 2
change = [{ kind = "force_leave", state = "A", pact = "P" }]
"#;

/// Plays one replicate round by round: the world after each round (index r = after round r,
/// from 1) as (member A, member B, member C, P active, C applied), and every decision.
fn play(sc: &Scenario, replicate: u64) -> (Vec<[bool; 5]>, Vec<Decision>) {
    let mut rng = replicate_rng(sc.seed, replicate);
    let mut w = World::seeded(sc, &mut rng);
    let p = sc.pact_by_id("P").unwrap();
    let [a, b, c] = ["A", "B", "C"].map(|id| sc.state_by_id(id).unwrap());
    let mut states = vec![[w.is_member(a, p), w.is_member(b, p), w.is_member(c, p), w.active[p.index()], false]];
    let mut log = Vec::new();
    for _ in 0..sc.rounds {
        w.play_round(&mut rng, &mut log);
        states.push([
            w.is_member(a, p),
            w.is_member(b, p),
            w.is_member(c, p),
            w.active[p.index()],
            w.is_applicant(c, p),
        ]);
    }
    (states, log)
}

fn count(log: &[Decision], sc: &Scenario, round: u32, state: &str, action: &str) -> usize {
    let s = sc.state_by_id(state).unwrap();
    log.iter()
        .filter(|d| d.round == round && d.state == s && d.action.name() == action)
        .count()
}

#[test]
fn a_two_member_pact_one_member_is_forced_out_of_ends_and_releases_the_other() {
    let sc = parse(&world("", FORCE_A_OUT), &[]);
    for rep in 0..10 {
        let (states, log) = play(&sc, rep);
        assert_eq!(states[1], [true, true, false, true, false], "replicate {rep}: round 1");
        // Round 2: A is forced out, so P has one member: it ends, B is released. A would rejoin
        // at once (joining is worth 0.3) if P were still there.
        for (r, s) in states.iter().enumerate().skip(2) {
            assert_eq!(s, &[false, false, false, false, false], "replicate {rep}: after round {r}");
        }
        assert_eq!(count(&log, &sc, 2, "B", "end"), 1, "replicate {rep}: B's release is logged");
        assert_eq!(count(&log, &sc, 2, "B", "leave"), 0, "replicate {rep}: B did not choose to leave");
        assert_eq!(log.iter().filter(|d| d.action.name() == "end").count(), 1);
    }
}

#[test]
fn a_member_leaving_by_choice_ends_a_two_member_pact_in_both_update_orders() {
    // Round 2: A and B fall out (hostility 1: the affinity term, −1, outweighs the issue gain, so
    // each would rather leave). Sequentially, whoever decides first leaves and the other is
    // released; simultaneously both leave together and nobody is left to release.
    let quarrel = r#"
[[event]]
id = "quarrel"
round = 2
change = [{ kind = "hostility", between = ["A", "B"], to = 1.0 }]
"#;
    for order in ["sequential", "simultaneous"] {
        let sc = parse(&world("", quarrel), &[&format!("model.update_order={order}")]);
        for rep in 0..10 {
            let (states, log) = play(&sc, rep);
            assert_eq!(states[1], [true, true, false, true, false], "{order} {rep}");
            assert_eq!(states[2], [false, false, false, false, false], "{order} {rep}");
            let leaves = count(&log, &sc, 2, "A", "leave") + count(&log, &sc, 2, "B", "leave");
            let ends = count(&log, &sc, 2, "A", "end") + count(&log, &sc, 2, "B", "end");
            match order {
                "sequential" => assert_eq!((leaves, ends), (1, 1), "{order} {rep}: {log:?}"),
                _ => assert_eq!((leaves, ends), (2, 0), "{order} {rep}: {log:?}"),
            }
        }
    }
}

#[test]
fn min_members_1_keeps_a_singleton_pact_alive() {
    let sc = parse(&world("min_members = 1", FORCE_A_OUT), &[]);
    for rep in 0..10 {
        let (states, log) = play(&sc, rep);
        // B stays on alone for a moment, and A, free to choose again, rejoins in the same round.
        for (r, s) in states.iter().enumerate() {
            assert!(s[1] && s[3], "replicate {rep}: B in an active P after round {r}");
        }
        assert!(states[2][0], "replicate {rep}: A rejoins P");
        assert!(log.iter().all(|d| d.action.name() != "end"));
    }
    // Down to nobody it ends, even at min_members = 1.
    let both = r#"
[[event]]
id = "out"
round = 2
change = [
  { kind = "force_leave", state = "A", pact = "P" },
  { kind = "force_leave", state = "B", pact = "P" },
]
"#;
    let sc = parse(&world("min_members = 1", both), &[]);
    let (states, _) = play(&sc, 0);
    assert_eq!(states[2], [false, false, false, false, false]);
}

#[test]
fn an_ended_pact_cannot_be_joined_until_a_found_event() {
    // P ends in round 2. From round 3 C wants it (its energy salience jumps), but P is gone: not
    // even a forced join (round 4) puts C in. Round 5 founds P again: A and B are its founders
    // again and C joins in that round.
    let extra = format!(
        r#"{FORCE_A_OUT}
[[event]]
id = "c-cares"
round = 3
change = [{{ kind = "salience", state = "C", issue = "energy", to = 1.0 }}]

[[event]]
id = "forced"
round = 4
change = [{{ kind = "force_join", state = "C", pact = "P" }}]

[[event]]
id = "again"
round = 5
change = [{{ kind = "found", pact = "P" }}]
"#
    );
    let sc = parse(&world("", &extra), &[]);
    for rep in 0..10 {
        let (states, log) = play(&sc, rep);
        for (r, s) in states.iter().enumerate().skip(2) {
            let want = if r <= 4 { [false; 5] } else { [true, true, true, true, false] };
            assert_eq!(s, &want, "replicate {rep}: after round {r}");
        }
        assert_eq!(count(&log, &sc, 5, "C", "join"), 1, "replicate {rep}");
        assert!(log.iter().all(|d| !(d.round < 5 && d.state == sc.state_by_id("C").unwrap())));
    }
}

#[test]
fn an_ended_pact_drops_its_pending_applications() {
    // P takes members by unanimity; C applies in round 1 (it cares from the start) and A, who
    // holds a grievance against it, holds it. P ends in round 2: the application is dropped, and
    // C cannot apply again while P is gone.
    let extra = format!(
        r#"{FORCE_A_OUT}
[[grievance]]
id = "A-C"
holder = "A"
against = "C"
strength = 5.0

[[event]]
id = "c-cares"
round = 1
change = [{{ kind = "salience", state = "C", issue = "energy", to = 1.0 }}]
"#
    );
    let text = world("", &extra).replace(r#"admission = "open""#, r#"admission = "unanimity""#);
    let sc = parse(&text, &["model.ratification_rate=1"]);
    for rep in 0..10 {
        let (states, log) = play(&sc, rep);
        assert_eq!(states[1], [true, true, false, true, true], "replicate {rep}: C applied in round 1");
        assert_eq!(count(&log, &sc, 1, "A", "hold"), 1, "replicate {rep}");
        for (r, s) in states.iter().enumerate().skip(2) {
            assert_eq!(s, &[false; 5], "replicate {rep}: after round {r}");
        }
    }
}

/// The summary counts exactly: P1 ends in round 3 of every replicate (its other member released),
/// P2 is dissolved by an event in round 4 (not an end), P3 (min_members = 1) loses a member in
/// round 2 and lives on, and P4 is never touched; tallies of adjacent replicate ranges add up.
#[test]
fn ends_and_their_rounds_are_counted_exactly() {
    let text = r#"
[scenario]
name = "counts"
rounds = 6
seed = 2
runs = 30

[model]
temperature = 0

[[state]]
id = "A"
capability = 0.05
democracy = false
issues = { energy = 1.0 }

[[state]]
id = "B"
capability = 0.05
democracy = false
issues = { energy = 1.0 }

[[state]]
id = "C"
capability = 0.05
democracy = false
issues = { energy = 1.0 }

[[pact]]
id = "P1"
binding = 0.0
issue = "energy"
issue_gain = 0.5
members = ["A", "B"]
admission = "closed"

[[pact]]
id = "P2"
binding = 0.0
issue = "energy"
issue_gain = 0.5
members = ["A", "C"]
admission = "closed"

[[pact]]
id = "P3"
binding = 0.0
issue = "energy"
issue_gain = 0.5
members = ["B", "C"]
admission = "closed"
min_members = 1

[[pact]]
id = "P4"
binding = 0.0
issue = "energy"
issue_gain = 0.5
members = ["A", "B", "C"]
admission = "closed"

[[event]]
id = "p3-out"
round = 2
change = [{ kind = "force_leave", state = "B", pact = "P3" }]

[[event]]
id = "p1-out"
round = 3
change = [{ kind = "force_leave", state = "A", pact = "P1" }]

[[event]]
id = "p2-gone"
round = 4
change = [{ kind = "dissolve", pact = "P2" }]
"#;
    let sc = parse(text, &[]);
    let runs = 30;
    let s = summarise(&sc, 2, runs);
    let pact = |id: &str| s.pacts.iter().find(|p| p.id == id).unwrap();
    let p1 = pact("P1");
    assert_eq!(p1.p_ended, 1.0);
    assert_eq!(p1.p_ended_by_round, vec![0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0]);
    assert_eq!(
        (p1.end_round_median, p1.end_round_p05, p1.end_round_p95),
        (Some(3.0), Some(3), Some(3))
    );
    assert_eq!((p1.p_dissolved, p1.p_formed, p1.formed_round_median), (0.0, 1.0, Some(0.0)));
    assert_eq!(p1.size_median, vec![2, 2, 2, 0, 0, 0, 0]);
    // B was released, not leaving; A was forced out (an event, not a decision).
    let b = s.get("P1", "B").unwrap();
    assert_eq!((b.actions["end"], b.actions["leave"], b.p_final), (runs, 0, 0.0));
    assert_eq!(s.get("P1", "A").unwrap().actions["end"], 0);
    let p2 = pact("P2");
    assert_eq!((p2.p_ended, p2.p_dissolved, p2.end_round_median), (0.0, 1.0, None));
    assert!(p2.p_ended_by_round.iter().all(|&p| p == 0.0));
    assert_eq!(s.get("P2", "C").unwrap().actions["end"], 0, "a dissolve releases no one by `end`");
    let p3 = pact("P3");
    assert_eq!((p3.p_ended, p3.p_dissolved), (0.0, 0.0));
    assert_eq!(p3.size_median, vec![2, 2, 1, 1, 1, 1, 1]);
    assert_eq!(s.get("P3", "C").unwrap().p_final, 1.0);
    let p4 = pact("P4");
    assert_eq!((p4.p_ended, p4.p_dissolved, p4.end_round_p05), (0.0, 0.0, None));

    // The exact counts behind them, and two adjacent ranges adding up to the whole.
    let spec = |replicates| RunSpec {
        seed: 2,
        replicates,
        keep_decisions: 0,
    };
    let whole = run::run(&sc, &spec(0..runs), &|_| {}).tally;
    let p1 = sc.pact_by_id("P1").unwrap().index();
    let mut want = vec![0; sc.rounds as usize + 2];
    want[3] = runs;
    assert_eq!(whole.ended_hist(p1), &want[..]);
    let mut never = vec![0; sc.rounds as usize + 2];
    never[sc.rounds as usize + 1] = runs;
    assert_eq!(whole.dissolved_hist(p1), &never[..]);
    let p2 = sc.pact_by_id("P2").unwrap().index();
    assert_eq!(whole.ended_hist(p2), &never[..]);
    let mut dissolved = vec![0; sc.rounds as usize + 2];
    dissolved[4] = runs;
    assert_eq!(whole.dissolved_hist(p2), &dissolved[..]);
    let mut parts = run::run(&sc, &spec(0..11), &|_| {}).tally;
    parts.merge(&run::run(&sc, &spec(11..runs), &|_| {}).tally).unwrap();
    assert_eq!(parts, whole);
}

/// Where ends are random (fresh shocks every round in the Taiwan scenario), the tally's
/// first-end histogram is exactly what the decision log shows: for each replicate, the first
/// round an `end` was logged for the pact (here every end releases someone: a pact of
/// `min_members` 2 ends with one member left when members leave one at a time).
#[test]
fn random_ends_are_counted_as_the_decision_log_shows() {
    let sc = load(&scenario_path("taiwan_escalation.toml"), &["model.shocks=per_round"]);
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
    let r_n = sc.rounds as usize;
    let mut total = 0;
    for p in sc.pact_ids() {
        let mut want = vec![0u64; r_n + 2];
        for rep in 0..runs {
            let first = result
                .decisions
                .iter()
                .filter(|ld| ld.replicate == rep && ld.decision.pact == p && ld.decision.action.name() == "end")
                .map(|ld| ld.decision.round as usize)
                .min();
            want[first.unwrap_or(r_n + 1)] += 1;
        }
        total += runs - want[r_n + 1];
        assert_eq!(result.tally.ended_hist(p.index()), &want[..], "{}", sc.pact(p).id);
    }
    assert!(total > 20, "only {total} ends: the test tests little");
    // The released members' `end` counts add up to the log's rows too.
    let ends = result.decisions.iter().filter(|ld| ld.decision.action.name() == "end").count() as u64;
    let counted: u64 = sc
        .pact_ids()
        .flat_map(|p| sc.state_ids().map(move |s| (p, s)))
        .map(|(p, s)| result.tally.action_count(p.index(), s.index(), pactsim::model::Action::End))
        .sum();
    assert_eq!(counted, ends);
}
