//! `pactsim estimate`: the model's weights by maximum likelihood of observed yearly choices.
//!
//! The utility gain of every choice the model makes is linear in its weights (docs/MODEL.md §2):
//! joining is ΔU = Σ_k w_k f_k − join_cost, leaving is ΔU = −Σ_k w_k f_k − exit_cost −
//! exit_binding · b_P, where f_k is term k of [`terms::membership_value`] computed with weight 1
//! (security, issue, autonomy, neutrality, entrapment, provocation, affinity, support). The model
//! acts with the logit probability `logit(ΔU, τ)` ([`crate::model::logit`]), so the log-likelihood
//! of observed choices y (1 = acted: left, or joined) is
//!
//! ```text
//! ℓ(w) = Σ_i y_i log σ(x_i·w / τ) + (1 − y_i) log σ(−x_i·w / τ)
//! ```
//!
//! with x_i the row of features above. This is a logistic regression without intercept: ℓ is
//! concave, its gradient Σ (y − p) x / τ and its Hessian −Σ p(1 − p) x xᵀ / τ² are closed forms, so
//! Newton–Raphson (with step halving) finds the maximum in a few iterations and its Hessian is the
//! observed information for the standard errors. τ and the weights are identified only up to a
//! common scale: τ is held at the scenario's value (the normalisation), as are every parameter
//! that enters the terms non-linearly (bloc_threat, credibility, nuclear_floor, …).
//!
//! A weight is *not identified* when its feature is zero in every observation (the term never
//! applies: no neutral state, no democracy) or is a linear combination of the others'
//! (collinear): found by a pivoted Cholesky of the scaled information XᵀX. Such a weight is held
//! at its value in the scenario and reported as such.

use rayon::prelude::*;
use serde::Serialize;

use super::StudyError;
use crate::data::import::{self, ImportSpec, Selection};
use crate::data::{ATOP_LAST_YEAR, Dataset, NMC_FIRST_YEAR, NMC_LAST_YEAR, year_end};
use crate::model::{World, terms};
use crate::scenario::{self, PactId, Scenario, Source, StateId, Weights};

/// The weights estimated, in the order of a feature row.
pub const PARAMS: [&str; 11] = [
    "security",
    "issue",
    "autonomy",
    "neutrality",
    "entrapment",
    "provocation",
    "affinity",
    "support",
    "join_cost",
    "exit_cost",
    "exit_binding",
];
pub const K: usize = PARAMS.len();
/// The largest weight the model accepts (`model.weights.*` are validated to 0..1000).
pub const MAX_WEIGHT: f64 = 1000.0;

/// One observed choice: the coefficients of the weights in its utility gain, and whether the
/// state acted (left a pact it was in, or joined one it was out of).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Observation {
    pub x: [f64; K],
    pub acted: bool,
    /// true: a member's stay/leave; false: a non-member's join/stay out.
    pub member: bool,
    /// The state and pact (scenario indices).
    pub state: usize,
    pub pact: usize,
}

/// The weights of a scenario, in the order of [`PARAMS`].
pub fn weights_of(w: &Weights) -> [f64; K] {
    [
        w.security,
        w.issue,
        w.autonomy,
        w.neutrality,
        w.entrapment,
        w.provocation,
        w.affinity,
        w.support,
        w.join_cost,
        w.exit_cost,
        w.exit_binding,
    ]
}

/// The utility gain of an observation under weights `w`.
pub fn utility(x: &[f64; K], w: &[f64; K]) -> f64 {
    x.iter().zip(w).map(|(a, b)| a * b).sum()
}

/// The feature row of a member's leave choice and of a non-member's join choice of `s` and `p`
/// in `world` (a world of a scenario whose term weights are all 1).
fn row(world: &World, s: StateId, p: PactId, member: bool) -> [f64; K] {
    let v = terms::membership_value(world, s, p).values();
    let mut x = [0.0; K];
    let sign = if member { -1.0 } else { 1.0 };
    for k in 0..8 {
        x[k] = sign * v[k];
    }
    if member {
        x[9] = -1.0;
        x[10] = -world.scenario.pact(p).binding;
    } else {
        x[8] = -1.0;
    }
    x
}

/// The observations a scenario's start world holds: each member's stay/leave of each pact it is
/// in, and each eligible non-member's join/stay-out of each active pact that is not `new` (the
/// choices the model conditions on at round 0). `outcome(s, p, member)` says whether the state
/// acted, or None to leave the pair out (a state that ceased to exist). The scenario's own terms
/// (`[[term]]`) are not estimated: a scenario with any is refused.
pub fn observations(sc: &Scenario, outcome: impl Fn(StateId, PactId, bool) -> Option<bool>) -> Result<Vec<Observation>, StudyError> {
    if !sc.user_terms.is_empty() {
        return Err(StudyError::Invalid(format!(
            "{}: pactsim estimate does not estimate the scenario's own terms ([[term]]); remove them",
            sc.name
        )));
    }
    let mut unit = sc.clone();
    let w = &mut unit.params.weights;
    for v in [
        &mut w.security,
        &mut w.issue,
        &mut w.autonomy,
        &mut w.neutrality,
        &mut w.entrapment,
        &mut w.provocation,
        &mut w.affinity,
        &mut w.support,
    ] {
        *v = 1.0;
    }
    let world = World::new(&unit);
    let mut out = Vec::new();
    for p in unit.pact_ids() {
        let pact = unit.pact(p);
        for s in unit.state_ids() {
            let member = world.is_member(s, p);
            if !(member || pact.active && !pact.new && world.may_apply(s, p)) {
                continue;
            }
            if let Some(acted) = outcome(s, p, member) {
                out.push(Observation {
                    x: row(&world, s, p, member),
                    acted,
                    member,
                    state: s.index(),
                    pact: p.index(),
                });
            }
        }
    }
    Ok(out)
}

/// Why a weight is not estimated.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum NotIdentified {
    /// Its feature is 0 in every observation.
    Constant,
    /// Its feature is a linear combination of these identified weights' features.
    Collinear(Vec<String>),
    /// No finite maximum: the likelihood rises without bound as the weight goes to ±∞ (the
    /// choices it governs all go one way, such as no entry in the window).
    Separated,
}

/// One weight's estimate.
#[derive(Debug, Clone, Serialize)]
pub struct Coefficient {
    pub name: String,
    /// The value the scenario gave (held there when not identified).
    pub prior: f64,
    pub estimate: f64,
    /// Standard error from the observed information; NaN when not identified.
    pub se: f64,
    pub not_identified: Option<NotIdentified>,
}

/// What an estimation found.
#[derive(Debug, Clone, Serialize)]
pub struct Estimate {
    pub coefficients: Vec<Coefficient>,
    pub temperature: f64,
    pub observations: usize,
    pub member_observations: usize,
    pub exits: usize,
    pub entries: usize,
    pub log_likelihood: f64,
    /// Log-likelihood at the scenario's weights.
    pub log_likelihood_prior: f64,
    pub iterations: usize,
    pub converged: bool,
}

impl Estimate {
    /// The weights estimated (the prior value where not identified).
    pub fn weights(&self) -> [f64; K] {
        let mut w = [0.0; K];
        for (k, c) in self.coefficients.iter().enumerate() {
            w[k] = c.estimate;
        }
        w
    }
}

/// log σ(z), stable for large |z|.
fn log_sigmoid(z: f64) -> f64 {
    if z >= 0.0 {
        -libm::log1p(libm::exp(-z))
    } else {
        z - libm::log1p(libm::exp(z))
    }
}

fn log_likelihood(obs: &[Observation], w: &[f64; K], tau: f64) -> f64 {
    obs.iter()
        .map(|o| {
            let z = utility(&o.x, w) / tau;
            if o.acted { log_sigmoid(z) } else { log_sigmoid(-z) }
        })
        .sum()
}

/// Cholesky of a symmetric positive definite matrix (row-major, n×n); None if not.
fn cholesky(a: &[f64], n: usize) -> Option<Vec<f64>> {
    let mut l = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..=i {
            let mut s = a[i * n + j];
            for k in 0..j {
                s -= l[i * n + k] * l[j * n + k];
            }
            if i == j {
                if s <= 0.0 || !s.is_finite() {
                    return None;
                }
                l[i * n + i] = s.sqrt();
            } else {
                l[i * n + j] = s / l[j * n + j];
            }
        }
    }
    Some(l)
}

/// Solves L Lᵀ x = b.
fn chol_solve(l: &[f64], n: usize, b: &[f64]) -> Vec<f64> {
    let mut y = vec![0.0; n];
    for i in 0..n {
        let mut s = b[i];
        for k in 0..i {
            s -= l[i * n + k] * y[k];
        }
        y[i] = s / l[i * n + i];
    }
    let mut x = vec![0.0; n];
    for i in (0..n).rev() {
        let mut s = y[i];
        for k in i + 1..n {
            s -= l[k * n + i] * x[k];
        }
        x[i] = s / l[i * n + i];
    }
    x
}

/// Which weights the observations identify: a column of X that is 0 throughout is
/// [`NotIdentified::Constant`]; then, in the order of [`PARAMS`], a column whose part not
/// explained by the identified columns before it is below 10⁻⁸ of its norm (Gram–Schmidt on the
/// scaled XᵀX) is [`NotIdentified::Collinear`] with them.
pub fn identification(obs: &[Observation]) -> Vec<Option<NotIdentified>> {
    let mut g = [[0.0; K]; K];
    for o in obs {
        for (row, &xi) in g.iter_mut().zip(&o.x) {
            if xi == 0.0 {
                continue;
            }
            for (cell, &xj) in row.iter_mut().zip(&o.x) {
                *cell += xi * xj;
            }
        }
    }
    let mut out: Vec<Option<NotIdentified>> = vec![None; K];
    let mut kept: Vec<usize> = Vec::new();
    for c in 0..K {
        if g[c][c] <= 0.0 {
            out[c] = Some(NotIdentified::Constant);
            continue;
        }
        // Residual of column c on the kept columns: g_cc − g_cS G_SS⁻¹ g_Sc, relative to g_cc.
        let n = kept.len();
        let (residual, coef) = if n == 0 {
            (g[c][c], Vec::new())
        } else {
            let a: Vec<f64> = kept
                .iter()
                .flat_map(|&i| kept.iter().map(move |&j| (i, j)))
                .map(|(i, j)| g[i][j])
                .collect();
            let b: Vec<f64> = kept.iter().map(|&i| g[i][c]).collect();
            match cholesky(&a, n) {
                Some(l) => {
                    let x = chol_solve(&l, n, &b);
                    (g[c][c] - b.iter().zip(&x).map(|(p, q)| p * q).sum::<f64>(), x)
                }
                None => (0.0, vec![1.0; n]),
            }
        };
        if residual <= 1e-8 * g[c][c] {
            // Name the columns it leans on: those with a non-zero coefficient in the projection.
            let with = kept
                .iter()
                .zip(&coef)
                .filter(|&(&i, x)| x.abs() * g[i][i].sqrt() > 1e-6 * g[c][c].sqrt())
                .map(|(&i, _)| PARAMS[i].to_string())
                .collect();
            out[c] = Some(NotIdentified::Collinear(with));
        } else {
            kept.push(c);
        }
    }
    out
}

/// Maximises the likelihood over the identified weights, the others held at `prior`. τ is the
/// model's temperature (> 0).
pub fn fit(obs: &[Observation], prior: &[f64; K], tau: f64) -> Result<Estimate, StudyError> {
    if tau.is_nan() || tau <= 0.0 {
        return Err(StudyError::Invalid(format!(
            "model.temperature = {tau}: estimation needs a temperature above 0 (the logit rule)"
        )));
    }
    if obs.is_empty() {
        return Err(StudyError::Invalid("no observed choices to estimate from".into()));
    }
    let mut ident = identification(obs);
    let ll_prior = log_likelihood(obs, prior, tau);
    let mut iterations = 0;
    let (w, ll, se, converged) = loop {
        let free: Vec<usize> = (0..K).filter(|&k| ident[k].is_none()).collect();
        let r = newton(obs, prior, tau, &free);
        iterations += r.iterations;
        // A weight whose standard error dwarfs it has no finite maximum: the likelihood keeps
        // rising as it goes to ±∞ (the choices it governs all go one way, e.g. no entry at
        // all), or it runs past the model's range (|w| > 1000, where model.weights.* stop). Hold
        // it at its starting value and fit the others again.
        let flat: Vec<usize> = free
            .iter()
            .copied()
            .filter(|&k| !(r.se[k].is_finite() && r.se[k] < 1e3 * (1.0 + r.w[k].abs()) && r.w[k].abs() <= MAX_WEIGHT))
            .collect();
        if flat.is_empty() {
            break (r.w, r.ll, r.se, r.converged);
        }
        for k in flat {
            ident[k] = Some(NotIdentified::Separated);
        }
    };
    let coefficients = (0..K)
        .map(|k| Coefficient {
            name: PARAMS[k].to_string(),
            prior: prior[k],
            estimate: w[k],
            se: se[k],
            not_identified: ident[k].clone(),
        })
        .collect();
    let member_observations = obs.iter().filter(|o| o.member).count();
    Ok(Estimate {
        coefficients,
        temperature: tau,
        observations: obs.len(),
        member_observations,
        exits: obs.iter().filter(|o| o.member && o.acted).count(),
        entries: obs.iter().filter(|o| !o.member && o.acted).count(),
        log_likelihood: ll,
        log_likelihood_prior: ll_prior,
        iterations,
        converged,
    })
}

struct Newton {
    w: [f64; K],
    ll: f64,
    se: [f64; K],
    iterations: usize,
    converged: bool,
}

/// The gradient and the information (−Hessian) of the log-likelihood in the `free` weights.
fn derivatives(obs: &[Observation], w: &[f64; K], tau: f64, free: &[usize]) -> (Vec<f64>, Vec<f64>) {
    // Sequential, in observation order: the same sums bit for bit whatever the threads (a
    // parallel reduction would add in an order that depends on how the work was split).
    let n = free.len();
    let (mut g, mut h) = (vec![0.0; n], vec![0.0; n * n]);
    for o in obs {
        let z = utility(&o.x, w) / tau;
        let p = 1.0 / (1.0 + libm::exp(-z));
        let y = if o.acted { 1.0 } else { 0.0 };
        let r = (y - p) / tau;
        let q = p * (1.0 - p) / (tau * tau);
        for (a, &i) in free.iter().enumerate() {
            g[a] += r * o.x[i];
            for (b, &j) in free.iter().enumerate() {
                h[a * n + b] += q * o.x[i] * o.x[j];
            }
        }
    }
    (g, h)
}

/// Cholesky of `a` (n×n), adding a ridge of growing size to the diagonal until it succeeds (a
/// damped Newton step where the information is singular).
fn cholesky_damped(a: &[f64], n: usize) -> Vec<f64> {
    if let Some(l) = cholesky(a, n) {
        return l;
    }
    let scale = (0..n).map(|i| a[i * n + i].abs()).fold(1e-300, f64::max);
    let mut mu = 1e-12 * scale;
    loop {
        let mut b = a.to_vec();
        for i in 0..n {
            b[i * n + i] += mu;
        }
        if let Some(l) = cholesky(&b, n) {
            return l;
        }
        mu *= 10.0;
    }
}

/// Newton–Raphson with step halving over the `free` weights, the others held at `start`.
fn newton(obs: &[Observation], start: &[f64; K], tau: f64, free: &[usize]) -> Newton {
    let n = free.len();
    let mut w = *start;
    let mut ll = log_likelihood(obs, &w, tau);
    let mut converged = n == 0;
    let mut iterations = 0;
    while !converged && iterations < 100 {
        iterations += 1;
        let (grad, info) = derivatives(obs, &w, tau, free);
        let l = cholesky_damped(&info, n);
        let step = chol_solve(&l, n, &grad);
        // Newton decrement: twice the expected gain of the step.
        let decrement: f64 = step.iter().zip(&grad).map(|(a, b)| a * b).sum();
        if decrement < 1e-10 {
            converged = true;
            break;
        }
        let mut t = 1.0;
        loop {
            let mut trial = w;
            for (a, &i) in free.iter().enumerate() {
                trial[i] = w[i] + t * step[a];
            }
            let ll_trial = log_likelihood(obs, &trial, tau);
            if ll_trial >= ll || t < 1e-6 {
                w = trial;
                ll = ll_trial;
                break;
            }
            t *= 0.5;
        }
    }
    // Standard errors: the diagonal of the inverse observed information at the maximum (a
    // singular direction gets an enormous one, which the caller reads as no finite maximum).
    let (_, info) = derivatives(obs, &w, tau, free);
    let l = cholesky_damped(&info, n);
    let mut se = [f64::NAN; K];
    for (a, &i) in free.iter().enumerate() {
        let mut e = vec![0.0; n];
        e[a] = 1.0;
        se[i] = chol_solve(&l, n, &e)[a].sqrt();
    }
    Newton {
        w,
        ll,
        se,
        iterations,
        converged,
    }
}

/// What to estimate from history.
#[derive(Debug, Clone)]
pub struct HistorySpec {
    /// The window read: the worlds of 31 December `from` .. `to` − 1 and the memberships of 31
    /// December `from` + 1 .. `to`. Nothing dated after `to`-12-31 is read.
    pub from: i32,
    pub to: i32,
    pub selection: Selection,
    /// `--set` / `--model` overrides applied to every imported world (the non-estimated values,
    /// the temperature, and the weights the fit starts from).
    pub sets: Vec<String>,
}

/// The estimate, with how long each part took.
#[derive(Debug, Clone, Serialize)]
pub struct HistoryEstimate {
    pub from: i32,
    pub to: i32,
    pub selection: String,
    pub estimate: Estimate,
    /// Pairs left out because the state ceased to exist during the year.
    pub departed: usize,
    pub seconds_data: f64,
    pub seconds_fit: f64,
}

/// The observed choices of the year after `y`: the world on y-12-31 (as `pactsim import` and the
/// backtest build it, without events) and ATOP's memberships on (y+1)-12-31.
fn year_observations(data: &Dataset, spec: &HistorySpec, y: i32) -> Result<(Vec<Observation>, usize, Scenario), StudyError> {
    let imported = import::build(
        data,
        &ImportSpec {
            year: y,
            selection: spec.selection.clone(),
            monthly: false,
            rounds: 1,
            runs: 1,
            seed: 1,
            through: None,
        },
    )
    .map_err(crate::backtest::BacktestError::from)?;
    let sc = scenario::from_source(
        &Source {
            path: format!("import-{y}.toml").into(),
            text: imported.text.clone(),
        },
        &spec.sets,
    )
    .map_err(|source| crate::backtest::BacktestError::Scenario { year: y, source })?;
    let next: std::collections::HashSet<(u32, u16)> = data.memberships_at(year_end(y + 1)).into_iter().collect();
    // Scenario index → COW code and ATOP id.
    let mut ccode = vec![u16::MAX; sc.n_states()];
    for &c in &imported.states {
        if let Some(s) = sc.state_by_id(&data.states[&c].abb) {
            ccode[s.index()] = c;
        }
    }
    let mut atop = vec![u32::MAX; sc.n_pacts()];
    for (a, id) in &imported.pacts {
        if let Some(p) = sc.pact_by_id(id) {
            atop[p.index()] = *a;
        }
    }
    let departed = std::cell::Cell::new(0usize);
    let obs = observations(&sc, |s, p, member| {
        let (c, a) = (ccode[s.index()], atop[p.index()]);
        if c == u16::MAX || a == u32::MAX {
            return None;
        }
        if !data.survives(c, year_end(y), year_end(y + 1)) {
            departed.set(departed.get() + 1);
            return None;
        }
        let is = next.contains(&(a, c));
        Some(if member { !is } else { is })
    })?;
    Ok((obs, departed.get(), sc))
}

/// Estimates the weights from the yearly choices of the window `from..=to`: for each year Y from
/// `from` to `to` − 1, the world of Y-12-31 and the memberships of (Y+1)-12-31. Nothing dated
/// after `to`-12-31 is read (`tests/estimate.rs`, no look-ahead).
pub fn estimate_history(data: &Dataset, spec: &HistorySpec) -> Result<HistoryEstimate, StudyError> {
    if spec.from < NMC_FIRST_YEAR || spec.from > NMC_LAST_YEAR {
        return Err(StudyError::Invalid(format!(
            "--from {}: the first world must be of a year from {NMC_FIRST_YEAR} to {NMC_LAST_YEAR} (COW NMC v6.0)",
            spec.from
        )));
    }
    if spec.to <= spec.from {
        return Err(StudyError::Invalid(format!(
            "--to {} must be after --from {}: the window needs a world (31 December of --from) and the next year's memberships",
            spec.to, spec.from
        )));
    }
    if spec.to > ATOP_LAST_YEAR || spec.to - 1 > NMC_LAST_YEAR {
        return Err(StudyError::Invalid(format!(
            "--to {}: at most {} (the last world is of {NMC_LAST_YEAR}, COW NMC v6.0; memberships end in {ATOP_LAST_YEAR}, ATOP v4.01)",
            spec.to,
            (NMC_LAST_YEAR + 1).min(ATOP_LAST_YEAR)
        )));
    }
    let t0 = std::time::Instant::now();
    let years: Vec<i32> = (spec.from..spec.to).collect();
    let per_year: Vec<_> = years
        .par_iter()
        .map(|&y| year_observations(data, spec, y))
        .collect::<Result<_, _>>()?;
    let seconds_data = t0.elapsed().as_secs_f64();
    let mut obs = Vec::new();
    let mut departed = 0;
    let mut first: Option<Scenario> = None;
    for (o, d, sc) in per_year {
        obs.extend(o);
        departed += d;
        if first.is_none() {
            first = Some(sc);
        }
    }
    let Some(sc) = first else {
        return Err(StudyError::Invalid(format!(
            "--from {} --to {}: no year to estimate from",
            spec.from, spec.to
        )));
    };
    let t1 = std::time::Instant::now();
    let estimate = fit(&obs, &weights_of(&sc.params.weights), sc.params.temperature)?;
    Ok(HistoryEstimate {
        from: spec.from,
        to: spec.to,
        selection: spec.selection.label(),
        estimate,
        departed,
        seconds_data,
        seconds_fit: t1.elapsed().as_secs_f64(),
    })
}
