//! Aggregation invariance (issue 19, docs/MODEL.md §8a): how an author splits the same capability
//! among states must not change anybody else's answer.
//!
//! - *exactly, in the terms*: splitting a state that does not decide into k parts with the same
//!   total capability, relations and memberships leaves every term of every other state's
//!   decision about every pact unchanged (to 10⁻¹² relative: only the order of a sum changes), and
//!   so its probability of acting; merging them back is the same comparison read the other way;
//!   an aggregate (`count = k`) reads as the one state it is written as;
//! - *in law*: an aggregate with `count = k` behaves as k separate states (its k constituents
//!   each ratify, with tastes of their own), so every other state's membership over time has the
//!   same distribution (within Monte Carlo error);
//! - *the review's case*: D's friends written as one state, four, sixteen or one aggregate of four
//!   give D the same probability of joining (±0.02 at 4,000 runs).
//!
//! Tolerances come from the run count: two independent estimates of one probability differ by
//! more than `Z` standard errors of their difference with probability below 10⁻⁵ per comparison.

mod common;

use std::fmt::Write as _;

use pactsim::model::World;
use pactsim::model::terms::{self, Terms};
use pactsim::report::Summary;
use pactsim::scenario::Scenario;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

const Z: f64 = 4.5;

#[derive(Clone, Debug)]
struct StateSpec {
    name: String,
    capability: f64,
    count: u32,
    democracy: bool,
    neutrality: f64,
    support: f64,
    threshold: f64,
    security: f64,
    energy: f64,
    /// Resources on the energy issue (pooled pacts add them up).
    energy_resources: f64,
}

#[derive(Clone, Debug)]
struct PactSpec {
    obligations: &'static str,
    binding: f64,
    issue: &'static str,
    issue_gain: f64,
    pooled: bool,
    members: Vec<String>,
    admission: &'static str,
    rivals: Vec<String>,
    guarantor: Option<String>,
}

/// A world as written: states, relations (a, b, hostility, proximity), pacts, and hostility
/// shocks (round, a, b, to).
#[derive(Clone, Debug)]
struct Written {
    states: Vec<StateSpec>,
    relations: Vec<(String, String, f64, f64)>,
    pacts: Vec<PactSpec>,
    events: Vec<(u32, String, String, f64)>,
    temperature: f64,
    /// Leaving costs so much that nobody leaves (the in-law test: the split state never moves).
    no_exit: bool,
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

fn pick<T: Copy>(rng: &mut ChaCha8Rng, xs: &[T]) -> T {
    xs[rng.random_range(0..xs.len())]
}

/// A random world of 4–7 states and 1–3 pacts, hostile relations and issue gains included.
fn generate(seed: u64) -> Written {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let n = rng.random_range(4..=7);
    let name = |i: usize| format!("S{i}");
    let states: Vec<StateSpec> = (0..n)
        .map(|i| StateSpec {
            name: name(i),
            capability: round2(rng.random_range(0.01..0.3)),
            count: 1,
            democracy: rng.random_bool(0.5),
            neutrality: round2(rng.random_range(0.0..0.8)),
            support: round2(rng.random_range(0.2..0.8)),
            threshold: round2(rng.random_range(0.3..0.7)),
            security: round2(rng.random_range(0.2..1.0)),
            energy: round2(rng.random_range(0.0..1.0)),
            energy_resources: round2(rng.random_range(0.0..0.2)),
        })
        .collect();
    let mut relations = Vec::new();
    for a in 0..n {
        for b in a + 1..n {
            if rng.random_bool(0.75) {
                relations.push((
                    name(a),
                    name(b),
                    round2(rng.random_range(-1.0..1.0)),
                    round2(rng.random_range(0.0..1.0)),
                ));
            }
        }
    }
    let m = rng.random_range(1..=3);
    let pacts = (0..m)
        .map(|_| {
            let mut members: Vec<usize> = (0..n).filter(|_| rng.random_bool(0.45)).collect();
            if members.len() < 2 {
                members = vec![0, 1 + rng.random_range(0..n - 1)];
            }
            let rivals: Vec<String> = (0..n)
                .filter(|i| !members.contains(i))
                .filter(|_| rng.random_bool(0.3))
                .take(2)
                .map(name)
                .collect();
            let obligations = pick(&mut rng, &["\"defence\"", "\"consultation\"", "\"defence\", \"consultation\""]);
            let guarantor = (obligations.contains("defence") && rng.random_bool(0.5)).then(|| name(members[0]));
            PactSpec {
                obligations,
                binding: round2(rng.random_range(0.0..1.0)),
                issue: pick(&mut rng, &["security", "energy"]),
                issue_gain: round2(rng.random_range(0.0..1.0)),
                pooled: rng.random_bool(0.3),
                members: members.into_iter().map(name).collect(),
                admission: pick(&mut rng, &["unanimity", "majority", "open"]),
                rivals,
                guarantor,
            }
        })
        .collect();
    let events = (0..rng.random_range(1..=3))
        .map(|_| {
            let a = rng.random_range(0..n);
            let b = (a + 1 + rng.random_range(0..n - 1)) % n;
            (rng.random_range(2..9), name(a), name(b), round2(rng.random_range(0.3..1.0)))
        })
        .collect();
    Written {
        states,
        relations,
        pacts,
        events,
        temperature: round2(rng.random_range(0.1..0.3)),
        no_exit: false,
    }
}

impl Written {
    /// State `x` written as `shares.len()` states `x_0`, `x_1`, … with those shares of its
    /// capability and resources, its relations with everyone else, its memberships, rivalries,
    /// guarantees and events; no relation among the parts (indifferent, no pressure).
    fn split(&self, x: &str, shares: &[f64]) -> Written {
        let part = |i: usize| format!("{x}_{i}");
        let parts: Vec<String> = (0..shares.len()).map(part).collect();
        let expand = |list: &[String]| -> Vec<String> {
            list.iter()
                .flat_map(|s| if s == x { parts.clone() } else { vec![s.clone()] })
                .collect()
        };
        let mut w = self.clone();
        let at = w.states.iter().position(|s| s.name == x).unwrap();
        let whole = w.states.remove(at);
        for (i, share) in shares.iter().enumerate() {
            w.states.push(StateSpec {
                name: part(i),
                capability: whole.capability * share,
                energy_resources: whole.energy_resources * share,
                count: 1,
                ..whole.clone()
            });
        }
        w.relations = self
            .relations
            .iter()
            .flat_map(|(a, b, h, d)| {
                let (la, lb) = (expand(std::slice::from_ref(a)), expand(std::slice::from_ref(b)));
                la.into_iter()
                    .flat_map(move |a| lb.clone().into_iter().map(move |b| (a.clone(), b, *h, *d)))
                    .collect::<Vec<_>>()
            })
            .collect();
        for p in &mut w.pacts {
            p.members = expand(&p.members);
            p.rivals = expand(&p.rivals);
            if p.guarantor.as_deref() == Some(x) {
                // A guarantor split in parts: the first part holds the umbrella.
                p.guarantor = Some(part(0));
            }
        }
        w.events = self
            .events
            .iter()
            .flat_map(|(r, a, b, h)| {
                let (la, lb) = (expand(std::slice::from_ref(a)), expand(std::slice::from_ref(b)));
                la.into_iter()
                    .flat_map(move |a| lb.clone().into_iter().map(move |b| (*r, a.clone(), b, *h)))
                    .collect::<Vec<_>>()
            })
            .collect();
        w
    }

    /// The world with every event's hostility already in place at the start.
    fn shocked(&self) -> Written {
        let mut w = self.clone();
        for (_, a, b, h) in &self.events {
            match w.relations.iter_mut().find(|(x, y, _, _)| (x == a && y == b) || (x == b && y == a)) {
                Some(rel) => rel.2 = *h,
                None => w.relations.push((a.clone(), b.clone(), *h, 0.5)),
            }
        }
        w.events.clear();
        w
    }

    fn toml(&self, runs: u32) -> String {
        let mut t = String::new();
        let _ = writeln!(
            t,
            "[scenario]\nname = \"aggregation\"\nrounds = 12\nseed = 11\nruns = {runs}\n\n[model]\ntemperature = {}",
            self.temperature
        );
        if self.no_exit {
            let _ = writeln!(t, "weights = {{ exit_cost = 1000 }}");
        }
        t.push('\n');
        for s in &self.states {
            let _ = writeln!(
                t,
                "[[state]]\nid = \"{}\"\ncapability = {}\ncount = {}\ndemocracy = {}\nneutrality = {}\nsupport = {{ start = {}, threshold = {} }}\nissues = {{ security = {}, energy = {} }}\nresources = {{ energy = {} }}\n",
                s.name, s.capability, s.count, s.democracy, s.neutrality, s.support, s.threshold, s.security, s.energy, s.energy_resources
            );
        }
        for (a, b, h, d) in &self.relations {
            let _ = writeln!(t, "[[relation]]\nbetween = [\"{a}\", \"{b}\"]\nhostility = {h}\nproximity = {d}\n");
        }
        let list = |v: &[String]| v.iter().map(|s| format!("\"{s}\"")).collect::<Vec<_>>().join(", ");
        for (i, p) in self.pacts.iter().enumerate() {
            let _ = writeln!(
                t,
                "[[pact]]\nid = \"P{i}\"\nobligations = [{}]\nbinding = {}\nissue = \"{}\"\nissue_gain = {}\npooled = {}\nmembers = [{}]\nadmission = \"{}\"\nrivals = [{}]",
                p.obligations,
                p.binding,
                p.issue,
                p.issue_gain,
                p.pooled,
                list(&p.members),
                p.admission,
                list(&p.rivals)
            );
            if let Some(g) = &p.guarantor {
                let _ = writeln!(t, "guarantor = \"{g}\"");
            }
            t.push('\n');
        }
        for (k, (r, a, b, h)) in self.events.iter().enumerate() {
            let _ = writeln!(
                t,
                "[[event]]\nid = \"shock{k}\"\nround = {r}\nchange = [{{ kind = \"hostility\", between = [\"{a}\", \"{b}\"], to = {h} }}]\n"
            );
        }
        t
    }

    fn scenario(&self) -> Scenario {
        common::parse(&self.toml(100), &[])
    }
}

/// Every term of joining and of leaving, for every state but `skip` (and its parts) and every
/// pact, in the round-0 world of `sc`: keyed by names.
fn all_terms(sc: &Scenario, skip: &str) -> Vec<(String, String, Terms, Terms)> {
    let w = World::new(sc);
    let mut out = Vec::new();
    for s in sc.state_ids() {
        let name = &sc.state(s).id;
        if name == skip || name.starts_with(&format!("{skip}_")) {
            continue;
        }
        for p in sc.pact_ids() {
            out.push((
                name.clone(),
                sc.pact(p).id.clone(),
                terms::join_terms(&w, s, p),
                terms::leave_terms(&w, s, p),
            ));
        }
    }
    out.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    out
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * (1.0 + a.abs().max(b.abs()))
}

fn assert_same_terms(what: &str, a: &[(String, String, Terms, Terms)], b: &[(String, String, Terms, Terms)]) -> usize {
    assert_eq!(a.len(), b.len(), "{what}");
    let mut nonzero = 0;
    for (x, y) in a.iter().zip(b) {
        assert_eq!((&x.0, &x.1), (&y.0, &y.1), "{what}");
        for (kind, tx, ty) in [("join", x.2, y.2), ("leave", x.3, y.3)] {
            for ((name, vx), vy) in Terms::NAMES.iter().zip(tx.values()).zip(ty.values()) {
                assert!(
                    close(vx, vy),
                    "{what}: {} about {} ({kind}), {name}: {vx} written one way, {vy} the other",
                    x.0,
                    x.1
                );
                nonzero += usize::from(vx != 0.0);
            }
        }
    }
    nonzero
}

#[test]
fn splitting_a_state_leaves_every_other_states_terms_unchanged() {
    let mut checked = 0;
    let mut moved_terms = 0;
    for seed in 0..40 {
        let world = generate(seed);
        let mut rng = ChaCha8Rng::seed_from_u64(1000 + seed);
        let x = world.states[rng.random_range(0..world.states.len())].name.clone();
        let k = rng.random_range(2..=4);
        let raw: Vec<f64> = (0..k).map(|_| rng.random_range(0.2..1.0)).collect();
        let total: f64 = raw.iter().sum();
        let shares: Vec<f64> = raw.iter().map(|r| r / total).collect();
        for (label, base) in [("at the start", world.clone()), ("after the shocks", world.shocked())] {
            let split = base.split(&x, &shares);
            let whole = all_terms(&base.scenario(), &x);
            let parts = all_terms(&split.scenario(), &x);
            moved_terms += assert_same_terms(&format!("world {seed} {label}, {x} in {k} parts"), &whole, &parts);
            // An aggregate reads as the one state it is written as: count enters no term.
            let mut aggregate = base.clone();
            aggregate.states.iter_mut().find(|s| s.name == x).unwrap().count = k as u32;
            assert_same_terms(
                &format!("world {seed} {label}, {x} as count = {k}"),
                &whole,
                &all_terms(&aggregate.scenario(), &x),
            );
            checked += whole.len();
        }
    }
    // The comparison must bite: most decisions have several terms that are not zero.
    assert!(
        checked > 400 && moved_terms > 2000,
        "{checked} decisions, {moved_terms} non-zero terms"
    );
}

/// p_by_round of every (pact, state) but `skip`'s parts.
fn cells(s: &Summary, skip: &str) -> Vec<(String, String, Vec<f64>)> {
    let mut out = Vec::new();
    for (pact, states) in &s.membership {
        for (state, m) in states {
            if state != skip && !state.starts_with(&format!("{skip}_")) {
                out.push((pact.clone(), state.clone(), m.p_by_round.clone()));
            }
        }
    }
    out.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    out
}

#[test]
fn an_aggregate_of_k_behaves_as_k_states_for_everyone_else() {
    // The split state never moves (it is a member or a rival of every pact and nobody leaves),
    // so the two writings differ only in who ratifies: an aggregate's k constituents or k states.
    let runs = 3000;
    let (mut compared, mut moving) = (0, 0);
    for seed in 100..116 {
        let mut world = generate(seed);
        world.no_exit = true;
        let x = world.states[0].name.clone();
        for p in &mut world.pacts {
            if !p.members.contains(&x) && !p.rivals.contains(&x) {
                p.rivals.push(x.clone());
            }
            p.rivals.sort();
        }
        let k = 3;
        let mut aggregate = world.clone();
        aggregate.states[0].count = k;
        let split = world.split(&x, &[1.0 / 3.0; 3]);
        let a = common::summarise(&common::parse(&aggregate.toml(runs), &[]), 11, runs as u64);
        let b = common::summarise(&common::parse(&split.toml(runs), &[]), 12, runs as u64);
        let (ca, cb) = (cells(&a, &x), cells(&b, &x));
        assert_eq!(ca.len(), cb.len());
        for (u, v) in ca.iter().zip(&cb) {
            assert_eq!((&u.0, &u.1), (&v.0, &v.1));
            for (r, (pa, pb)) in u.2.iter().zip(&v.2).enumerate() {
                let se = ((pa * (1.0 - pa) + pb * (1.0 - pb)) / runs as f64).sqrt().max(1.0 / runs as f64);
                assert!(
                    (pa - pb).abs() <= Z * se,
                    "world {seed}: {} in {} at round {r}: {pa} with {x} as count = {k}, {pb} as {k} states",
                    u.1,
                    u.0
                );
                compared += 1;
                moving += usize::from(*pa > 0.02 && *pa < 0.98);
            }
        }
    }
    assert!(
        moving >= 20,
        "only {moving} of {compared} cells move: the comparison would not bite"
    );
}

/// D, a distant state, decides whether to join P, a defence treaty of its friends against R. The
/// friends hold capability 0.04 in all, written as `k` states (or one aggregate of `count`).
fn friends_world(k: usize, count: u32) -> String {
    let mut t = String::from(
        "[scenario]\nname = \"friends\"\nrounds = 6\nseed = 3\nruns = 4000\n\n[model]\ntemperature = 0.15\n\n\
         [[state]]\nid = \"D\"\ncapability = 0.02\ndemocracy = false\nneutrality = 0.3\n\n\
         [[state]]\nid = \"R\"\ncapability = 0.1\ndemocracy = false\n\n\
         [[relation]]\nbetween = [\"D\", \"R\"]\nhostility = 0.3\nproximity = 0.3\n\n",
    );
    let names: Vec<String> = (0..k).map(|i| format!("F{i:02}")).collect();
    for f in &names {
        let _ = writeln!(
            t,
            "[[state]]\nid = \"{f}\"\ncapability = {}\ncount = {count}\ndemocracy = false\n\n\
             [[relation]]\nbetween = [\"D\", \"{f}\"]\nhostility = -0.8\nproximity = 0.5\n\n\
             [[relation]]\nbetween = [\"{f}\", \"R\"]\nhostility = 0.6\nproximity = 1.0\n",
            0.04 / k as f64
        );
    }
    let members = names.iter().map(|f| format!("\"{f}\"")).collect::<Vec<_>>().join(", ");
    let _ = writeln!(
        t,
        "[[pact]]\nid = \"P\"\nnew = true\nobligations = [\"defence\"]\nbinding = 1.0\nmembers = [{members}]\nadmission = \"open\"\nrivals = [\"R\"]"
    );
    t
}

#[test]
fn ds_friends_written_as_one_four_sixteen_or_an_aggregate_give_d_the_same_answer() {
    let runs = 4000;
    let writings = [(1, 1), (4, 1), (16, 1), (1, 4)];
    let mut results = Vec::new();
    for (k, count) in writings {
        let sc = common::parse(&friends_world(k, count), &[]);
        let w = World::new(&sc);
        let (d, p) = (sc.state_by_id("D").unwrap(), sc.pact_by_id("P").unwrap());
        let join = terms::join_terms(&w, d, p);
        let s = common::summarise(&sc, 3, runs);
        results.push((k, count, join, s.get("P", "D").unwrap().p_final));
    }
    let (_, _, first_terms, first_p) = results[0];
    // The answer is interior (neither certain nor impossible), so equality means something.
    assert!(first_p > 0.1 && first_p < 0.9, "D joins with p {first_p}");
    for &(k, count, join, p) in &results[1..] {
        for ((name, a), b) in Terms::NAMES.iter().zip(first_terms.values()).zip(join.values()) {
            assert!(close(a, b), "{name}: {a} with one friend, {b} with {k} (count {count})");
        }
        assert!(
            (p - first_p).abs() <= 0.02,
            "D joins with p {first_p} (one friend), {p} ({k} friends, count {count})"
        );
    }
}

/// X (an aggregate of `count`, or `k` separate states) must ratify A's application to P; X
/// holds a grievance-free but cool view of A (hostility 0.1, goodwill 0.5), so each of its
/// ratifications is uncertain (p ≈ 0.7).
fn veto_world(k: usize, count: u32) -> String {
    let mut t = String::from(
        "[scenario]\nname = \"vetoes\"\nrounds = 10\nseed = 3\nruns = 3000\n\n[model]\ntemperature = 0.2\nadmission_goodwill = 0.5\n\n\
         [[state]]\nid = \"A\"\ncapability = 0.05\ndemocracy = false\n\n\
         [[state]]\nid = \"G\"\ncapability = 0.2\ndemocracy = false\n\n\
         [[state]]\nid = \"R\"\ncapability = 0.2\ndemocracy = false\n\n\
         [[relation]]\nbetween = [\"A\", \"R\"]\nhostility = 0.8\nproximity = 1.0\n\n",
    );
    let names: Vec<String> = (0..k).map(|i| format!("X{i}")).collect();
    for x in &names {
        let _ = writeln!(
            t,
            "[[state]]\nid = \"{x}\"\ncapability = {}\ncount = {count}\ndemocracy = false\n\n\
             [[relation]]\nbetween = [\"A\", \"{x}\"]\nhostility = 0.1\nproximity = 0.5\n",
            0.06 / k as f64
        );
    }
    let members = std::iter::once("\"G\"".to_string())
        .chain(names.iter().map(|x| format!("\"{x}\"")))
        .collect::<Vec<_>>()
        .join(", ");
    let _ = writeln!(
        t,
        "[[pact]]\nid = \"P\"\nnew = true\nobligations = [\"defence\"]\nbinding = 1.0\nmembers = [{members}]\nadmission = \"unanimity\"\nrivals = [\"R\"]"
    );
    t
}

#[test]
fn an_aggregate_of_k_vetoes_as_k_states_do_and_not_as_one() {
    let runs = 3000u64;
    let p_admitted = |k: usize, count: u32, seed: u64| {
        let s = common::summarise(&common::parse(&veto_world(k, count), &[]), seed, runs);
        s.get("P", "A").unwrap().p_by_round.clone()
    };
    let (aggregate, states, one) = (p_admitted(1, 4, 5), p_admitted(4, 1, 6), p_admitted(1, 1, 7));
    let mut differs = false;
    for r in 0..aggregate.len() {
        let (pa, pb) = (aggregate[r], states[r]);
        let se = ((pa * (1.0 - pa) + pb * (1.0 - pb)) / runs as f64).sqrt().max(1.0 / runs as f64);
        assert!(
            (pa - pb).abs() <= Z * se,
            "round {r}: A admitted {pa} (count = 4), {pb} (four states)"
        );
        let po = one[r];
        let se1 = ((pa * (1.0 - pa) + po * (1.0 - po)) / runs as f64).sqrt().max(1.0 / runs as f64);
        differs |= po - pa > Z * se1;
    }
    // Four vetoes are harder to pass than one: the test can tell the writings apart.
    assert!(differs, "one X: {one:?}, four: {aggregate:?}");
}
