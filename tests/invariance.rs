//! Invariances of the model over generated worlds (issue 19): answers must not depend on how a
//! world is written.
//!
//! - *relabelling*: renaming every state and pact and permuting the order of states, pacts and
//!   relations in the file leaves every distribution unchanged (within Monte Carlo error: the
//!   draws go to other state–pact pairs, so only the law is the same);
//! - *null world*: no threat, no issue gain, no events → nobody moves, from any start, exactly
//!   (persistence is the model's null);
//! - *monotonicity*: more hostility from a pact's rival never lowers the probability of joining
//!   it; a higher exit cost never raises leaving; a larger informal gain never raises leaving.
//!
//! Tolerances come from the run count: two independent estimates of one probability differ by
//! more than `Z` standard errors of their difference with probability below 10⁻⁵ per comparison.

mod common;

use std::fmt::Write as _;

use pactsim::report::Summary;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Standard errors a difference of two independent estimates may reach before a test fails.
const Z: f64 = 4.5;

/// A generated world, written as TOML blocks that can be reordered and renamed.
#[derive(Clone, Debug)]
struct World {
    rounds: u32,
    states: Vec<StateSpec>,
    relations: Vec<(usize, usize, f64, f64)>,
    pacts: Vec<PactSpec>,
    /// (round, a, b, hostility): a hostility shock.
    events: Vec<(u32, usize, usize, f64)>,
    temperature: f64,
    /// `model.exit_cost`, if not the default.
    exit_cost: Option<f64>,
}

#[derive(Clone, Debug)]
struct StateSpec {
    capability: f64,
    democracy: bool,
    neutrality: f64,
    support: f64,
    threshold: f64,
    security: f64,
    energy: f64,
}

#[derive(Clone, Debug)]
struct PactSpec {
    obligations: &'static str,
    binding: f64,
    issue: &'static str,
    issue_gain: f64,
    members: Vec<usize>,
    admission: &'static str,
    rivals: Vec<usize>,
    /// A proposal just tabled (`new = true`): outsiders may take it up at once.
    new: bool,
}

fn pick<T: Copy>(rng: &mut ChaCha8Rng, xs: &[T]) -> T {
    xs[rng.random_range(0..xs.len())]
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// A random world of 3–7 states and 1–3 pacts. `hostile`: relations may be hostile (else only
/// affinity or indifference: no threat anywhere); `gains`: issue gains may be positive; `events`:
/// a hostility shock may happen.
fn generate(seed: u64, hostile: bool, gains: bool, events: bool) -> World {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let n = rng.random_range(3..=7);
    let states: Vec<StateSpec> = (0..n)
        .map(|_| StateSpec {
            capability: round2(rng.random_range(0.01..0.3)),
            democracy: rng.random_bool(0.5),
            neutrality: round2(rng.random_range(0.0..0.8)),
            support: round2(rng.random_range(0.2..0.8)),
            threshold: round2(rng.random_range(0.3..0.7)),
            security: round2(rng.random_range(0.2..1.0)),
            energy: round2(rng.random_range(0.0..1.0)),
        })
        .collect();
    let mut relations = Vec::new();
    for a in 0..n {
        for b in a + 1..n {
            if rng.random_bool(0.7) {
                let h = if hostile {
                    rng.random_range(-1.0..1.0)
                } else {
                    rng.random_range(-1.0..0.0)
                };
                relations.push((a, b, round2(h), round2(rng.random_range(0.0..1.0))));
            }
        }
    }
    let m = rng.random_range(1..=3);
    let pacts = (0..m)
        .map(|_| {
            let mut members: Vec<usize> = (0..n).filter(|_| rng.random_bool(0.4)).collect();
            if members.is_empty() {
                members.push(rng.random_range(0..n));
            }
            let rivals: Vec<usize> = (0..n)
                .filter(|i| !members.contains(i))
                .filter(|_| rng.random_bool(0.25))
                .take(1)
                .collect();
            let issue = pick(&mut rng, &["security", "energy"]);
            PactSpec {
                obligations: pick(&mut rng, &["\"defence\"", "\"consultation\"", "\"defence\", \"consultation\""]),
                binding: round2(rng.random_range(0.0..1.0)),
                issue,
                issue_gain: if gains { round2(rng.random_range(0.0..1.0)) } else { 0.0 },
                members,
                admission: pick(&mut rng, &["unanimity", "majority", "open"]),
                rivals,
                new: events && rng.random_bool(0.5),
            }
        })
        .collect();
    let shocks = if events { rng.random_range(1..=3) } else { 0 };
    let events = (0..shocks)
        .map(|_| {
            let a = rng.random_range(0..n);
            let b = (a + 1 + rng.random_range(0..n - 1)) % n;
            (rng.random_range(2..9), a, b, round2(rng.random_range(0.3..1.0)))
        })
        .collect();
    World {
        rounds: 12,
        states,
        relations,
        pacts,
        events,
        temperature: round2(rng.random_range(0.08..0.3)),
        exit_cost: None,
    }
}

/// How the world is written: the name of each state and pact, and the order of the blocks.
struct Writing {
    state_names: Vec<String>,
    pact_names: Vec<String>,
    state_order: Vec<usize>,
    pact_order: Vec<usize>,
    relation_order: Vec<usize>,
}

impl Writing {
    fn plain(w: &World) -> Writing {
        Writing {
            state_names: (0..w.states.len()).map(|i| format!("S{i}")).collect(),
            pact_names: (0..w.pacts.len()).map(|p| format!("P{p}")).collect(),
            state_order: (0..w.states.len()).collect(),
            pact_order: (0..w.pacts.len()).collect(),
            relation_order: (0..w.relations.len()).collect(),
        }
    }

    /// Other names (in another alphabetical order) and shuffled blocks.
    fn shuffled(w: &World, seed: u64) -> Writing {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut shuffle = |n: usize| {
            let mut v: Vec<usize> = (0..n).collect();
            for i in (1..n).rev() {
                let j = rng.random_range(0..=i);
                v.swap(i, j);
            }
            v
        };
        let n = w.states.len();
        let state_rank = shuffle(n);
        let pact_rank = shuffle(w.pacts.len());
        Writing {
            // Names whose alphabetical (and so id) order is a permutation of the original.
            state_names: (0..n).map(|i| format!("Z{:02}", state_rank[i])).collect(),
            pact_names: (0..w.pacts.len()).map(|p| format!("Q{:02}", pact_rank[p])).collect(),
            state_order: shuffle(n),
            pact_order: shuffle(w.pacts.len()),
            relation_order: shuffle(w.relations.len()),
        }
    }
}

fn list(names: &[String], ids: &[usize]) -> String {
    ids.iter().map(|&i| format!("\"{}\"", names[i])).collect::<Vec<_>>().join(", ")
}

fn toml(w: &World, wr: &Writing, runs: u32) -> String {
    let mut t = String::new();
    let _ = writeln!(
        t,
        "[scenario]\nname = \"generated\"\nrounds = {}\nseed = 11\nruns = {runs}\n\n[model]\ntemperature = {}",
        w.rounds, w.temperature
    );
    if let Some(c) = w.exit_cost {
        let _ = writeln!(t, "weights = {{ exit_cost = {c} }}");
    }
    t.push('\n');
    for &i in &wr.state_order {
        let s = &w.states[i];
        let _ = writeln!(
            t,
            "[[state]]\nid = \"{}\"\ncapability = {}\ndemocracy = {}\nneutrality = {}\nsupport = {{ start = {}, threshold = {} }}\nissues = {{ security = {}, energy = {} }}\n",
            wr.state_names[i], s.capability, s.democracy, s.neutrality, s.support, s.threshold, s.security, s.energy
        );
    }
    for &r in &wr.relation_order {
        let (a, b, h, d) = w.relations[r];
        let _ = writeln!(
            t,
            "[[relation]]\nbetween = [\"{}\", \"{}\"]\nhostility = {h}\nproximity = {d}\n",
            wr.state_names[a], wr.state_names[b]
        );
    }
    for &p in &wr.pact_order {
        let pact = &w.pacts[p];
        let _ = writeln!(
            t,
            "[[pact]]\nid = \"{}\"\nobligations = [{}]\nbinding = {}\nissue = \"{}\"\nissue_gain = {}\nmembers = [{}]\nadmission = \"{}\"\nrivals = [{}]",
            wr.pact_names[p],
            pact.obligations,
            pact.binding,
            pact.issue,
            pact.issue_gain,
            list(&wr.state_names, &pact.members),
            pact.admission,
            list(&wr.state_names, &pact.rivals),
        );
        if pact.new {
            let _ = writeln!(t, "new = true");
        }
        t.push('\n');
    }
    for (k, &(round, a, b, h)) in w.events.iter().enumerate() {
        let _ = writeln!(
            t,
            "[[event]]\nid = \"shock{k}\"\nround = {round}\nchange = [{{ kind = \"hostility\", between = [\"{}\", \"{}\"], to = {h} }}]\n",
            wr.state_names[a], wr.state_names[b]
        );
    }
    t
}

fn run(text: &str, runs: u64) -> Summary {
    let sc = common::parse(text, &[]);
    common::summarise(&sc, 11, runs)
}

/// p_by_round of (pact p, state i) as written by `wr`.
fn series<'a>(s: &'a Summary, wr: &Writing, p: usize, i: usize) -> &'a [f64] {
    &s.membership[&wr.pact_names[p]][&wr.state_names[i]].p_by_round
}

/// Whether two estimates from `runs` replicates each are further apart than Monte Carlo error.
fn differ(a: f64, b: f64, runs: u64) -> bool {
    let p = ((a + b) / 2.0).clamp(1.0 / runs as f64, 1.0 - 1.0 / runs as f64);
    let se = (2.0 * p * (1.0 - p) / runs as f64).sqrt();
    (a - b).abs() > Z * se
}

#[test]
fn relabelling_and_reordering_the_file_leave_every_distribution_unchanged() {
    let runs = 2000;
    let mut compared = 0;
    let mut moving = 0;
    for seed in 0..16 {
        let w = generate(seed, true, true, true);
        let plain = Writing::plain(&w);
        let other = Writing::shuffled(&w, 1000 + seed);
        let (a, b) = (run(&toml(&w, &plain, 10), runs), run(&toml(&w, &other, 10), runs));
        let mut failures = Vec::new();
        for p in 0..w.pacts.len() {
            for i in 0..w.states.len() {
                let (x, y) = (series(&a, &plain, p, i), series(&b, &other, p, i));
                if x.iter().any(|&v| (v - x[0]).abs() > 0.05) {
                    moving += 1;
                }
                for r in [0, 3, 6, 9, w.rounds as usize] {
                    compared += 1;
                    if differ(x[r], y[r], runs) {
                        failures.push(format!("P{p} S{i} round {r}: {:.3} vs {:.3}", x[r], y[r]));
                    }
                }
            }
        }
        assert!(
            failures.is_empty(),
            "world {seed}: renamed and reordered, the distributions differ:\n{}\n{}",
            failures.join("\n"),
            toml(&w, &plain, 10)
        );
    }
    assert!(compared > 100, "the worlds compared too few cells ({compared})");
    // Not a comparison of worlds where nothing happens.
    assert!(moving >= 20, "only {moving} state–pact cells move in the generated worlds");
    eprintln!("{compared} comparisons, {moving} moving cells");
}

#[test]
fn in_a_null_world_nobody_moves_from_any_start() {
    for seed in 0..40 {
        // No threat (no hostility), no issue gain, no events.
        let w = generate(seed, false, false, false);
        let s = run(&toml(&w, &Writing::plain(&w), 10), 300);
        for (pact, states) in &s.membership {
            for (state, m) in states {
                let start = m.p_by_round[0];
                assert!(start == 0.0 || start == 1.0, "world {seed}: {pact}/{state} starts at {start}");
                assert!(
                    m.p_by_round.iter().all(|&p| p == start),
                    "world {seed}: {state} moves in {pact} in a null world: {:?}\n{}",
                    m.p_by_round,
                    toml(&w, &Writing::plain(&w), 10)
                );
                let moves: u64 = m.actions.iter().filter(|(k, _)| k.as_str() != "stay").map(|(_, v)| v).sum();
                assert_eq!(moves, 0, "world {seed}: {state} acts in {pact}: {:?}", m.actions);
            }
        }
    }
}

/// P(the state `who` is a member of `pact` at the end) for each value of a parameter set by
/// `edit` on the world `w`.
fn along(w: &World, values: &[f64], runs: u64, edit: impl Fn(&mut World, f64), pact: usize, who: usize) -> Vec<f64> {
    values
        .iter()
        .map(|&v| {
            let mut w = w.clone();
            edit(&mut w, v);
            let wr = Writing::plain(&w);
            let s = run(&toml(&w, &wr, 10), runs);
            *series(&s, &wr, pact, who).last().unwrap()
        })
        .collect()
}

#[track_caller]
fn assert_nondecreasing(what: &str, ps: &[f64], runs: u64) {
    for k in 1..ps.len() {
        // Common random numbers make neighbouring points strongly correlated; the independent
        // bound is the conservative one.
        assert!(
            ps[k] >= ps[k - 1] || !differ(ps[k], ps[k - 1], runs),
            "{what}: falls from {:.3} to {:.3} (step {k} of {ps:?})",
            ps[k - 1],
            ps[k]
        );
    }
}

/// A decider D outside a binding defence pact of two others, aimed at a rival R that borders D.
fn decider_world() -> World {
    let st = |capability: f64, democracy: bool| StateSpec {
        capability,
        democracy,
        neutrality: 0.3,
        support: 0.6,
        threshold: 0.5,
        security: 1.0,
        energy: 0.0,
    };
    World {
        rounds: 12,
        // D, A, B, R
        states: vec![st(0.02, true), st(0.2, false), st(0.05, false), st(0.15, false)],
        relations: vec![(0, 3, 0.1, 1.0), (0, 1, -0.3, 0.4), (1, 3, 0.4, 0.3)],
        pacts: vec![PactSpec {
            obligations: "\"defence\"",
            binding: 1.0,
            issue: "security",
            issue_gain: 0.0,
            members: vec![1, 2],
            admission: "majority",
            rivals: vec![3],
            new: false,
        }],
        events: vec![(3, 0, 3, 0.1)],
        temperature: 0.15,
        exit_cost: None,
    }
}

#[test]
fn more_threat_from_a_pacts_rival_never_lowers_joining_it() {
    let runs = 2000;
    let values: Vec<f64> = (0..=10).map(|k| f64::from(k) / 10.0).collect();
    // The rival's hostility to D after the shock of round 3.
    let ps = along(&decider_world(), &values, runs, |w, h| w.events[0].3 = h, 0, 0);
    assert_nondecreasing("P(D in the pact) against R's hostility", &ps, runs);
    assert!(ps[10] > ps[0] + 0.3, "the threat must matter at all here: {ps:?}");
    // Over generated worlds: every non-member's joining, as one of its rivals turns hostile.
    for seed in 0..6 {
        let w = generate(100 + seed, true, true, false);
        for (p, pact) in w.pacts.iter().enumerate() {
            let Some(&r) = pact.rivals.first() else { continue };
            for who in (0..w.states.len()).filter(|i| !pact.members.contains(i) && *i != r) {
                let mut base = w.clone();
                base.relations.retain(|&(a, b, _, _)| (a, b) != (who.min(r), who.max(r)));
                base.relations.push((who.min(r), who.max(r), 0.0, 0.8));
                let ps = along(&base, &[0.0, 0.5, 1.0], 600, |w, h| w.relations.last_mut().unwrap().2 = h, p, who);
                assert_nondecreasing(&format!("world {seed}: S{who} joining P{p} against S{r}'s hostility"), &ps, 600);
            }
        }
    }
}

/// A member M of a pact that a shock makes less attractive: it may leave.
fn leaver_world() -> World {
    let mut w = decider_world();
    // D starts in the pact; R's hostility falls to affinity at round 3 and the pact's rival
    // provokes: leaving becomes attractive.
    w.pacts[0].members = vec![0, 1, 2];
    w.relations[0] = (0, 3, 0.6, 1.0);
    w.events = vec![(3, 0, 3, -0.6)];
    w
}

#[test]
fn a_higher_exit_cost_never_raises_leaving() {
    let runs = 2000;
    let values = [0.0, 0.2, 0.5, 1.0, 2.0];
    let ps = along(&leaver_world(), &values, runs, |w, c| w.exit_cost = Some(c), 0, 0);
    // P(still a member) must not fall as the exit cost rises.
    assert_nondecreasing("P(D stays) against the exit cost", &ps, runs);
    assert!(ps[4] > ps[0] + 0.1, "leaving must be possible here: {ps:?}");
}

#[test]
fn a_larger_informal_gain_never_raises_leaving() {
    let runs = 2000;
    let mut w = leaver_world();
    w.pacts[0].binding = 0.1;
    w.pacts[0].obligations = "\"consultation\"";
    w.pacts[0].issue = "energy";
    w.states[0].energy = 1.0;
    let values = [0.0, 0.25, 0.5, 0.75, 1.0];
    let ps = along(&w, &values, runs, |w, g| w.pacts[0].issue_gain = g, 0, 0);
    assert_nondecreasing("P(D stays in an informal pact) against its issue gain", &ps, runs);
    assert!(ps[4] > ps[0] + 0.1, "the gain must matter here: {ps:?}");
}
