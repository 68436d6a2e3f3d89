//! `pactsim estimate` (issue 20 item 4): maximum likelihood of the model's own logit choices.
//! Synthetic worlds (`pactsim generate`) with known weights: choices drawn from the model's rule,
//! weights recovered within their standard errors; unidentified weights reported as such.

use pactsim::model::{World, logit, terms};
use pactsim::scenario::generate::{GenerateSpec, generate};
use pactsim::scenario::{self, Scenario, Source};
use pactsim::study::estimate::{self, K, NotIdentified, Observation, PARAMS};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The weights the choices are drawn from (every one away from the defaults).
const TRUE: [(&str, f64); K] = [
    ("security", 3.0),
    ("issue", 1.5),
    ("autonomy", 0.8),
    ("neutrality", 2.0),
    ("entrapment", 0.7),
    ("provocation", 1.0),
    ("affinity", 1.2),
    ("support", 1.5),
    ("join_cost", 0.6),
    ("exit_cost", 0.4),
    ("exit_binding", 1.0),
];

fn world(seed: u64, weights: &[(&str, f64)]) -> Scenario {
    let text = generate(&GenerateSpec {
        states: 40,
        pacts: 10,
        rounds: 1,
        seed,
        runs: 1,
    })
    .unwrap();
    let mut sets: Vec<String> = weights.iter().map(|(k, v)| format!("model.weights.{k}={v}")).collect();
    sets.push("model.temperature=0.5".into());
    scenario::from_source(
        &Source {
            path: format!("generated-{seed}.toml").into(),
            text,
        },
        &sets,
    )
    .unwrap()
}

/// Each observation `reps` times, its choice drawn from the logit rule under `w` (ChaCha8, one
/// stream per world).
fn draw(sc: &Scenario, seed: u64, reps: usize, w: &[f64; K]) -> Vec<Observation> {
    let base = estimate::observations(sc, |_, _, _| Some(false)).unwrap();
    let tau = sc.params.temperature;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut out = Vec::with_capacity(base.len() * reps);
    for _ in 0..reps {
        for o in &base {
            let p = logit(estimate::utility(&o.x, w), tau);
            out.push(Observation {
                acted: rng.random::<f64>() < p,
                ..*o
            });
        }
    }
    out
}

fn truth() -> [f64; K] {
    TRUE.map(|(_, v)| v)
}

fn synthetic(reps: usize, w: &[f64; K], edit: impl Fn(&mut Scenario)) -> (Vec<Observation>, Scenario) {
    let mut all = Vec::new();
    let mut last = None;
    for seed in 1..=4u64 {
        let mut sc = world(seed, &TRUE);
        edit(&mut sc);
        all.extend(draw(&sc, 1000 + seed, reps, w));
        last = Some(sc);
    }
    (all, last.unwrap())
}

#[test]
fn features_are_the_models_terms() {
    // x·w is exactly the utility gain the engine weighs (join_terms / leave_terms) in the world
    // with the true weights: the likelihood is the model's own choice rule.
    let sc = world(3, &TRUE);
    let w = estimate::weights_of(&sc.params.weights);
    assert_eq!(w, truth());
    let obs = estimate::observations(&sc, |_, _, _| Some(false)).unwrap();
    let (mut joins, mut leaves) = (0, 0);
    let world = World::new(&sc);
    for o in &obs {
        let s = sc.state_ids().nth(o.state).unwrap();
        let p = sc.pact_ids().nth(o.pact).unwrap();
        let u = if o.member {
            leaves += 1;
            terms::leave_terms(&world, s, p).utility()
        } else {
            joins += 1;
            terms::join_terms(&world, s, p).utility()
        };
        let mine = estimate::utility(&o.x, &w);
        assert!((u - mine).abs() <= 1e-9 * (1.0 + u.abs()), "{} {}: engine {u}, features {mine}", sc.states[o.state].id, sc.pacts[o.pact].id);
    }
    assert!(joins > 50 && leaves > 20, "{joins} join and {leaves} leave choices");
}

#[test]
fn recovers_known_weights_within_their_standard_errors() {
    let w = truth();
    let (obs, sc) = synthetic(40, &w, |_| {});
    let prior = estimate::weights_of(&Default::default());
    let est = estimate::fit(&obs, &prior, sc.params.temperature).unwrap();
    assert!(est.converged, "{est:?}");
    assert!(est.log_likelihood >= est.log_likelihood_prior);
    for (k, c) in est.coefficients.iter().enumerate() {
        assert!(c.not_identified.is_none(), "{}: {:?}", c.name, c.not_identified);
        assert!(c.se.is_finite() && c.se > 0.0, "{}: se {}", c.name, c.se);
        // 3 standard errors: 11 weights fail together with probability about 3 % if the
        // estimator is right; the draws are fixed, so the test is deterministic.
        let z = (c.estimate - w[k]) / c.se;
        assert!(z.abs() < 3.0, "{}: estimate {:.3} ± {:.3}, true {} (z = {z:.2})", c.name, c.estimate, c.se, w[k]);
        // And precise enough to mean something: the standard error is below a third of the weight.
        assert!(c.se < w[k] / 3.0, "{}: se {:.3} for a weight of {}", c.name, c.se, w[k]);
    }
}

#[test]
fn the_check_has_power_against_wrong_weights() {
    // Choices drawn with security and exit_cost doubled: the estimate is then far (in standard
    // errors) from the weights the first test recovers, so that test could fail.
    let mut w = truth();
    w[0] *= 2.0;
    w[9] *= 2.0;
    let (obs, sc) = synthetic(40, &w, |_| {});
    let est = estimate::fit(&obs, &truth(), sc.params.temperature).unwrap();
    for k in [0, 9] {
        let c = &est.coefficients[k];
        let z = (c.estimate - truth()[k]) / c.se;
        assert!(z.abs() > 3.0, "{}: {:.3} ± {:.3} is not far from {}", c.name, c.estimate, c.se, truth()[k]);
    }
}

#[test]
fn a_term_zero_everywhere_is_not_identified_and_held() {
    // No state has a tradition of neutrality: the neutrality weight cannot be estimated.
    let w = truth();
    let (obs, sc) = synthetic(10, &w, |sc| sc.states.iter_mut().for_each(|s| s.neutrality = 0.0));
    let prior = estimate::weights_of(&sc.params.weights);
    let est = estimate::fit(&obs, &prior, sc.params.temperature).unwrap();
    let n = PARAMS.iter().position(|&p| p == "neutrality").unwrap();
    let c = &est.coefficients[n];
    assert_eq!(c.not_identified, Some(NotIdentified::Constant));
    assert_eq!(c.estimate, prior[n]);
    assert!(c.se.is_nan());
    assert_eq!(est.coefficients.iter().filter(|c| c.not_identified.is_some()).count(), 1);
}

#[test]
fn collinear_terms_are_not_identified() {
    // Every pact fully binding: leaving costs exit_cost + exit_binding · 1 for every pact, so the
    // two cannot be told apart.
    let w = truth();
    let (obs, sc) = synthetic(10, &w, |sc| sc.pacts.iter_mut().for_each(|p| p.binding = 1.0));
    let est = estimate::fit(&obs, &estimate::weights_of(&sc.params.weights), sc.params.temperature).unwrap();
    let c = &est.coefficients[10];
    assert_eq!(c.name, "exit_binding");
    match &c.not_identified {
        Some(NotIdentified::Collinear(with)) => assert!(with.contains(&"exit_cost".to_string()), "{with:?}"),
        other => panic!("exit_binding: {other:?}"),
    }
    assert!(est.coefficients[9].not_identified.is_none());
}

#[test]
fn no_observations_is_an_error() {
    let e = estimate::fit(&[], &truth(), 0.15).unwrap_err().to_string();
    assert!(e.contains("no observed choices"), "{e}");
    let e = estimate::fit(&[], &truth(), 0.0).unwrap_err().to_string();
    assert!(e.contains("model.temperature"), "{e}");
}
