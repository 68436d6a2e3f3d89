//! Synthetic worlds: `pactsim generate`. A pure function from a [`GenerateSpec`] to the text of
//! a valid, commented scenario file, for benchmarks and tests of the engine at world scale
//! (193 states × 50 pacts × 60 monthly rounds is the reference world, [`GenerateSpec::reference`]).
//!
//! Determinism: everything is drawn from ChaCha8 seeded with `seed_from_u64(seed)` through our own
//! [`Draw`] (53-bit uniforms from `next_u64`, multiply-shift integers), never through rand's
//! distributions, and every transcendental function is `libm`'s; numbers are written with a fixed
//! number of decimals. The same spec and pactsim version therefore give byte-identical text on
//! any machine. Each part of the world draws from its own ChaCha8 stream (states, relations,
//! pacts, events), so e.g. the states of a world do not change when only `pacts` does.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use rand_chacha::ChaCha8Rng;

use super::{MAX_PACTS, MAX_ROUNDS, MAX_RUNS, MAX_STATES};
use crate::draw;

/// What world to generate. [`GenerateSpec::reference`] is the 193 × 50 × 60 reference world.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenerateSpec {
    /// Number of states, 2..=[`MAX_STATES`].
    pub states: usize,
    /// Number of pacts, 1..=[`MAX_PACTS`].
    pub pacts: usize,
    /// Rounds (months) the scenario plays, 1..=[`MAX_ROUNDS`].
    pub rounds: u32,
    /// Seed of the generator; also written as the scenario's run seed.
    pub seed: u64,
    /// The scenario's default number of replicates (`[scenario] runs`).
    pub runs: u32,
}

impl GenerateSpec {
    /// The reference world: 193 states (the UN), 50 pacts, 60 monthly rounds, seed 1, 100 runs.
    pub fn reference() -> Self {
        Self {
            states: 193,
            pacts: 50,
            rounds: 60,
            seed: 1,
            runs: 100,
        }
    }

    /// The command line that generates this world (without `--out`).
    pub fn command(&self) -> String {
        format!(
            "pactsim generate --states {} --pacts {} --rounds {} --seed {} --runs {}",
            self.states, self.pacts, self.rounds, self.seed, self.runs
        )
    }

    /// Checks every argument against the limits the scenario loader enforces.
    pub fn validate(&self) -> Result<(), GenerateError> {
        if self.states < 2 || self.states > MAX_STATES {
            return Err(GenerateError::States {
                given: self.states,
                max: MAX_STATES,
            });
        }
        if self.pacts < 1 || self.pacts > MAX_PACTS {
            return Err(GenerateError::Pacts {
                given: self.pacts,
                max: MAX_PACTS,
            });
        }
        if self.rounds < 1 || self.rounds > MAX_ROUNDS {
            return Err(GenerateError::Rounds {
                given: self.rounds,
                max: MAX_ROUNDS,
            });
        }
        if self.runs < 1 || self.runs > MAX_RUNS {
            return Err(GenerateError::Runs {
                given: self.runs,
                max: MAX_RUNS,
            });
        }
        Ok(())
    }
}

/// An argument out of range.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GenerateError {
    #[error("--states {given}: a world needs from 2 to {max} states")]
    States { given: usize, max: usize },
    #[error("--pacts {given}: a world needs from 1 to {max} pacts")]
    Pacts { given: usize, max: usize },
    #[error("--rounds {given}: must be from 1 to {max}")]
    Rounds { given: u32, max: u32 },
    #[error("--runs {given}: must be from 1 to {max}")]
    Runs { given: u32, max: u32 },
}

/// The text of a synthetic scenario file for `spec`: valid (it passes `pactsim check`),
/// commented, and byte-identical for the same spec and pactsim version.
pub fn generate(spec: &GenerateSpec) -> Result<String, GenerateError> {
    spec.validate()?;
    let mut w = World::states(spec);
    w.relations(spec);
    w.pacts(spec);
    w.events(spec);
    Ok(w.render(spec))
}

// ---------------------------------------------------------------------------------------------
// Randomness
// ---------------------------------------------------------------------------------------------

/// Our own draws on ChaCha8: stable across rand versions.
struct Draw(ChaCha8Rng);

impl Draw {
    fn new(seed: u64, stream: u64) -> Self {
        Self(draw::generator(seed, stream))
    }
    /// Uniform on [0, 1), 53 bits ([`draw::uniform`]).
    fn u(&mut self) -> f64 {
        draw::uniform(&mut self.0)
    }
    /// Uniform on [lo, hi).
    fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.u()
    }
    fn chance(&mut self, p: f64) -> bool {
        self.u() < p
    }
    /// Uniform integer in 0..n (n ≥ 1), multiply-shift ([`draw::below`]).
    fn below(&mut self, n: usize) -> usize {
        draw::below(&mut self.0, n)
    }
    /// Standard normal (Box–Muller on libm).
    fn normal(&mut self) -> f64 {
        let u1 = 1.0 - self.u(); // (0, 1]
        let u2 = self.u();
        libm::sqrt(-2.0 * libm::log(u1)) * libm::cos(2.0 * std::f64::consts::PI * u2)
    }
    /// Pareto with scale 1 and tail index `alpha`: ≥ 1, heavy-tailed.
    fn pareto(&mut self, alpha: f64) -> f64 {
        libm::pow(1.0 - self.u(), -1.0 / alpha)
    }
    /// Fisher–Yates ([`draw::shuffle`]).
    fn shuffle<T>(&mut self, items: &mut [T]) {
        draw::shuffle(items, &mut self.0)
    }
}

// ---------------------------------------------------------------------------------------------
// The world being built
// ---------------------------------------------------------------------------------------------

const ISSUES: [&str; 5] = ["security", "energy", "food", "minerals", "technology"];

/// Log-normal spread of capabilities (σ of log capability).
const CAPABILITY_SIGMA: f64 = 1.6;
/// Pareto tail index of pact sizes.
const SIZE_ALPHA: f64 = 1.1;
const MAX_PACT_SIZE: usize = 30;
/// Proximity falls by this factor of e per typical neighbour spacing beyond the first.
const PROXIMITY_DECAY: f64 = 1.15;
/// Proximities below this are left at the default 0 (not written).
const PROXIMITY_CUTOFF: f64 = 0.1;

struct GState {
    id: String,
    name: String,
    pos: [f64; 3],
    capability: f64,
    power: bool,
    democracy: bool,
    neutrality: f64,
    commitment: f64,
    support: [f64; 4],
    issues: [f64; 5],
    resources: [f64; 5],
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Defence,
    Coalition,
    Issue(usize),
}

struct GPact {
    id: String,
    name: String,
    kind: Kind,
    anchor: usize,
    obligations: Vec<&'static str>,
    binding: f64,
    issue: usize,
    issue_gain: f64,
    pooled: bool,
    members: Vec<usize>,
    admission: &'static str,
    nuclear: bool,
    size_limit: Option<usize>,
    rivals: Vec<usize>,
    active: bool,
}

struct GGrievance {
    id: String,
    holder: usize,
    against: usize,
    strength: f64,
    pact: usize,
}

enum GChange {
    Hostility { a: usize, b: usize, op: &'static str, v: f64 },
    Commitment { s: usize, to: f64 },
    Capability { s: usize, scale: f64 },
    Salience { s: usize, issue: usize, by: f64 },
    Grievance { g: usize, scale: f64 },
    Found { p: usize },
    Dissolve { p: usize },
}

struct GEvent {
    id: String,
    name: String,
    round: u32,
    why: String,
    changes: Vec<GChange>,
}

#[derive(Clone, Copy)]
enum Tie {
    None,
    Rivalry,
    Friendship,
}

#[derive(Clone, Copy)]
struct Rel {
    hostility: f64,
    /// Proximity written for the pair (geography, or a power's reach).
    proximity: f64,
    tie: Tie,
}

struct World {
    states: Vec<GState>,
    /// Typical spacing between neighbours on the unit sphere, radians.
    spacing: f64,
    /// Geographic proximity, n×n, already rounded to 2 decimals.
    geo: Vec<f64>,
    /// Non-default relations, keyed (a, b) with a < b.
    rel: BTreeMap<(usize, usize), Rel>,
    /// States ordered by capability, strongest first.
    by_capability: Vec<usize>,
    pacts: Vec<GPact>,
    grievances: Vec<GGrievance>,
    events: Vec<GEvent>,
}

/// Rounds a value to `d` decimals.
fn round_to(x: f64, d: i32) -> f64 {
    let f = libm::pow(10.0, f64::from(d));
    libm::round(x * f) / f
}

/// A number with `d` decimals, trailing zeros trimmed (keeping one): 0.400 → 0.4, 1 → 1.0.
fn num(x: f64, d: usize) -> String {
    let x = if x == 0.0 { 0.0 } else { x }; // no "-0"
    let mut s = format!("{x:.d$}");
    if s.contains('.') {
        while s.ends_with('0') && !s.ends_with(".0") {
            s.pop();
        }
    }
    if s == "-0.0" { "0.0".into() } else { s }
}

/// A positive number with 4 significant digits, in plain decimal notation.
fn sig4(x: f64) -> String {
    let mut d = 3usize;
    let mut y = x;
    while y < 1.0 && d < 15 {
        y *= 10.0;
        d += 1;
    }
    num(x, d)
}

fn id_width(n: usize, min: usize) -> usize {
    n.to_string().len().max(min)
}

const ONSETS: [&str; 20] = [
    "B", "D", "K", "L", "M", "N", "P", "R", "S", "T", "V", "Z", "Br", "Dr", "Kr", "St", "Tr", "Gr", "Th", "Vel",
];
const VOWELS: [&str; 8] = ["a", "e", "i", "o", "u", "ai", "ea", "or"];
const CODAS: [&str; 10] = ["", "n", "r", "l", "s", "st", "nd", "rk", "m", "v"];
const ENDINGS: [&str; 8] = ["ia", "land", "stan", "ovia", "ara", "esh", "or", "una"];

fn state_name(d: &mut Draw) -> String {
    let mut s = String::new();
    for _ in 0..1 + d.below(2) {
        s.push_str(ONSETS[d.below(ONSETS.len())]);
        s.push_str(VOWELS[d.below(VOWELS.len())]);
        s.push_str(CODAS[d.below(CODAS.len())]);
    }
    s.push_str(ENDINGS[d.below(ENDINGS.len())]);
    let lower = s.to_lowercase();
    let mut chars = lower.chars();
    chars.next().map_or(String::new(), |c| c.to_uppercase().chain(chars).collect())
}

impl World {
    fn n(&self) -> usize {
        self.states.len()
    }

    /// Angle between two states on the unit sphere.
    fn angle(&self, a: usize, b: usize) -> f64 {
        let (p, q) = (self.states[a].pos, self.states[b].pos);
        let dot = (p[0] * q[0] + p[1] * q[1] + p[2] * q[2]).clamp(-1.0, 1.0);
        libm::acos(dot)
    }

    /// Other states, nearest first (ties by index).
    fn nearest(&self, s: usize) -> Vec<usize> {
        let mut others: Vec<usize> = (0..self.n()).filter(|&j| j != s).collect();
        others.sort_by(|&a, &b| self.angle(s, a).total_cmp(&self.angle(s, b)).then(a.cmp(&b)));
        others
    }

    fn hostility(&self, a: usize, b: usize) -> f64 {
        self.rel.get(&(a.min(b), a.max(b))).map_or(0.0, |r| r.hostility)
    }

    /// Sets a relation's hostility and tie; proximity is at least `reach` (a power's reach).
    fn set_tie(&mut self, a: usize, b: usize, hostility: f64, tie: Tie, reach: f64) {
        let key = (a.min(b), a.max(b));
        let geo = self.geo[a * self.n() + b];
        let r = self.rel.entry(key).or_insert(Rel {
            hostility: 0.0,
            proximity: geo,
            tie: Tie::None,
        });
        r.hostility = round_to(hostility, 2);
        r.proximity = r.proximity.max(reach);
        r.tie = tie;
    }

    fn is_power(&self, s: usize) -> bool {
        self.states[s].power
    }

    // -----------------------------------------------------------------------------------------
    // States (stream 0)
    // -----------------------------------------------------------------------------------------

    fn states(spec: &GenerateSpec) -> World {
        let n = spec.states;
        let mut d = Draw::new(spec.seed, 0);
        let width = id_width(n, 3);
        let mut names = std::collections::BTreeSet::new();
        let mut states = Vec::with_capacity(n);
        let mut raw_cap = Vec::with_capacity(n);
        for i in 0..n {
            let z = d.range(-1.0, 1.0);
            let phi = d.range(0.0, 2.0 * std::f64::consts::PI);
            let r = libm::sqrt(1.0 - z * z);
            let pos = [r * libm::cos(phi), r * libm::sin(phi), z];
            raw_cap.push(libm::exp(CAPABILITY_SIGMA * d.normal()));
            let democracy = d.chance(0.55);
            let neutrality = if d.chance(0.12) { round_to(d.range(0.3, 0.9), 2) } else { 0.0 };
            let support = [
                round_to(d.range(0.25, 0.8), 2),
                round_to(d.range(0.5, 0.85), 2),
                round_to(d.range(0.4, 0.6), 2),
                round_to(d.range(0.3, 1.2), 2),
            ];
            let mut issues = [0.0; 5];
            issues[0] = round_to(d.range(0.4, 1.0), 2);
            for v in issues.iter_mut().skip(1) {
                if d.chance(0.3) {
                    *v = round_to(d.range(0.2, 1.0), 2);
                }
            }
            let mut name = state_name(&mut d);
            if !names.insert(name.clone()) {
                name = format!("{name} {}", i + 1);
                names.insert(name.clone());
            }
            states.push(GState {
                id: format!("S{:0width$}", i + 1),
                name,
                pos,
                capability: 0.0,
                power: false,
                democracy,
                neutrality,
                commitment: 1.0,
                support,
                issues,
                resources: [0.0; 5],
            });
        }
        // Capabilities: log-normal, normalised to sum to 1 like CINC, 4 significant digits.
        let total: f64 = raw_cap.iter().sum();
        for (s, c) in states.iter_mut().zip(&raw_cap) {
            s.capability = c / total;
        }
        let mut by_capability: Vec<usize> = (0..n).collect();
        by_capability.sort_by(|&a, &b| states[b].capability.total_cmp(&states[a].capability).then(a.cmp(&b)));
        let powers = (n / 25).max(2).min(n);
        for &p in &by_capability[..powers] {
            states[p].power = true;
            states[p].commitment = round_to(d.range(0.75, 1.0), 2);
        }
        // Resources: per issue a few holders share 60–90% of the world's stock, Pareto-weighted.
        for issue in 1..5 {
            let holders = (n / 12).max(1);
            let mut order: Vec<usize> = (0..n).collect();
            d.shuffle(&mut order);
            let weights: Vec<f64> = (0..holders).map(|_| d.pareto(1.0)).collect();
            let held = d.range(0.6, 0.9);
            let sum: f64 = weights.iter().sum();
            for (k, &s) in order[..holders].iter().enumerate() {
                states[s].resources[issue] = round_to(held * weights[k] / sum, 3).max(0.001);
                // Producers care about what they hold.
                states[s].issues[issue] = states[s].issues[issue].max(round_to(d.range(0.5, 1.0), 2));
            }
        }
        // Geography: proximity 1 within one typical spacing, then falling off exponentially.
        let spacing = libm::sqrt(4.0 * std::f64::consts::PI / n as f64);
        let mut w = World {
            states,
            spacing,
            geo: vec![0.0; n * n],
            rel: BTreeMap::new(),
            by_capability,
            pacts: Vec::new(),
            grievances: Vec::new(),
            events: Vec::new(),
        };
        for a in 0..n {
            for b in a + 1..n {
                let t = w.angle(a, b) / spacing;
                let p = if t <= 1.0 { 1.0 } else { libm::exp(-PROXIMITY_DECAY * (t - 1.0)) };
                let p = round_to(p, 2);
                let p = if p < PROXIMITY_CUTOFF { 0.0 } else { p };
                w.geo[a * n + b] = p;
                w.geo[b * n + a] = p;
                if p > 0.0 {
                    w.rel.insert(
                        (a, b),
                        Rel {
                            hostility: 0.0,
                            proximity: p,
                            tie: Tie::None,
                        },
                    );
                }
            }
        }
        w
    }

    // -----------------------------------------------------------------------------------------
    // Hostility and affinity (stream 1)
    // -----------------------------------------------------------------------------------------

    fn relations(&mut self, spec: &GenerateSpec) {
        let n = self.n();
        let mut d = Draw::new(spec.seed, 1);
        let near: Vec<Vec<usize>> = (0..n).map(|s| self.nearest(s)).collect();
        // Rivalries between neighbours.
        for (s, near_s) in near.iter().enumerate() {
            if d.chance(0.08) {
                let j = near_s[d.below(near_s.len().min(4))];
                let h = d.range(0.2, 0.6);
                if self.hostility(s, j) <= 0.0 {
                    self.set_tie(s, j, h, Tie::Rivalry, 0.0);
                }
            }
        }
        // Great-power rivalries, with global reach.
        let powers: Vec<usize> = (0..n).filter(|&s| self.is_power(s)).collect();
        for (k, &a) in powers.iter().enumerate() {
            for &b in &powers[k + 1..] {
                if d.chance(0.35) {
                    let h = d.range(0.3, 0.7);
                    self.set_tie(a, b, h, Tie::Rivalry, 0.2);
                }
            }
        }
        // Friendships between neighbours, and client states of the powers.
        for (s, near_s) in near.iter().enumerate() {
            if d.chance(0.25) {
                let j = near_s[d.below(near_s.len().min(6))];
                let h = d.range(0.3, 0.8);
                if self.hostility(s, j) == 0.0 {
                    self.set_tie(s, j, -h, Tie::Friendship, 0.0);
                }
            }
            if !self.is_power(s) && d.chance(0.1) {
                let p = powers[d.below(powers.len())];
                let h = d.range(0.2, 0.5);
                if p != s && self.hostility(s, p) == 0.0 {
                    self.set_tie(s, p, -h, Tie::Friendship, 0.1);
                }
            }
        }
        // Every world has at least one rivalry: the strongest state and its nearest neighbour.
        if !self.rel.values().any(|r| r.hostility > 0.0) {
            let top = self.by_capability[0];
            let j = near[top][0];
            let h = d.range(0.3, 0.5);
            self.set_tie(top, j, h, Tie::Rivalry, 0.2);
        }
    }

    // -----------------------------------------------------------------------------------------
    // Pacts and grievances (stream 2)
    // -----------------------------------------------------------------------------------------

    fn pacts(&mut self, spec: &GenerateSpec) {
        let n = self.n();
        let mut d = Draw::new(spec.seed, 2);
        let width = id_width(spec.pacts, 2);
        let powers: Vec<usize> = (0..n).filter(|&s| self.is_power(s)).collect();
        let top3: Vec<usize> = self.by_capability.iter().take(3).copied().collect();
        let mut used_names = std::collections::BTreeSet::new();
        for k in 0..spec.pacts {
            let kind = match k {
                0 => Kind::Defence,
                1 => Kind::Coalition,
                2 => Kind::Issue(1 + d.below(4)),
                _ => {
                    let x = d.u();
                    if x < 0.3 {
                        Kind::Defence
                    } else if x < 0.55 {
                        Kind::Coalition
                    } else {
                        Kind::Issue(1 + d.below(4))
                    }
                }
            };
            // Anchor: the state the pact forms around.
            let anchor = match kind {
                Kind::Defence if d.chance(0.7) => powers[d.below(powers.len())],
                Kind::Issue(i) if d.chance(0.6) => {
                    let holders: Vec<usize> = (0..n).filter(|&s| self.states[s].resources[i] > 0.0).collect();
                    holders[d.below(holders.len())]
                }
                _ => d.below(n),
            };
            // Rivals: whom the pact is aimed at.
            let hostile: Vec<usize> = {
                let mut h: Vec<usize> = (0..n).filter(|&j| j != anchor && self.hostility(anchor, j) > 0.0).collect();
                h.sort_by(|&a, &b| self.states[b].capability.total_cmp(&self.states[a].capability).then(a.cmp(&b)));
                h
            };
            let mut rivals: Vec<usize> = Vec::new();
            if n >= 3 {
                match kind {
                    Kind::Defence => {
                        if !hostile.is_empty() {
                            rivals.extend(hostile.iter().take(2));
                        } else if d.chance(0.6) {
                            // Make an adversary: the strongest other power, else the nearest state.
                            let target = powers
                                .iter()
                                .copied()
                                .find(|&p| p != anchor)
                                .unwrap_or_else(|| self.nearest(anchor)[0]);
                            let h = d.range(0.3, 0.5);
                            self.set_tie(anchor, target, h, Tie::Rivalry, 0.2);
                            rivals.push(target);
                        }
                    }
                    Kind::Coalition => {
                        if !hostile.is_empty() && d.chance(0.4) {
                            rivals.push(hostile[0]);
                        }
                    }
                    Kind::Issue(_) => {
                        if d.chance(0.15) {
                            let p = powers[d.below(powers.len())];
                            if p != anchor {
                                rivals.push(p);
                            }
                        }
                    }
                }
            }
            // Size: 2 + a Pareto draw, capped; a few big pacts.
            let available = n - rivals.len();
            let size = (2.0 + 2.0 * (d.pareto(SIZE_ALPHA) - 1.0)).floor() as usize;
            let size = size.clamp(2, MAX_PACT_SIZE).min(available);
            // Members: the anchor and the states nearest to it, nudged by friendship, interest and chance.
            let issue = match kind {
                Kind::Issue(i) => i,
                _ => 0,
            };
            let mut candidates: Vec<(f64, usize)> = (0..n)
                .filter(|&j| j != anchor && !rivals.contains(&j))
                .map(|j| {
                    let h = self.hostility(anchor, j);
                    // States hostile to the anchor come last (only a tiny world needs them).
                    let hostile = if h > 0.0 { 1000.0 } else { 0.0 };
                    let score = self.angle(anchor, j) / self.spacing + 3.0 * h + hostile - 2.0 * self.states[j].issues[issue] + 3.0 * d.u();
                    (score, j)
                })
                .collect();
            candidates.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            let mut members = vec![anchor];
            members.extend(candidates.iter().take(size - 1).map(|c| c.1));
            members.sort_unstable();

            let (obligations, binding, issue_gain, admission) = match kind {
                Kind::Defence => {
                    let mut o = vec!["defence", "consultation"];
                    if d.chance(0.1) {
                        o.push("offence");
                    }
                    let adm = if d.chance(0.75) { "unanimity" } else { "majority" };
                    (o, d.range(0.75, 1.0), d.range(0.1, 0.4), adm)
                }
                Kind::Coalition => {
                    let x = d.u();
                    let adm = if x < 0.4 {
                        "open"
                    } else if x < 0.8 {
                        "majority"
                    } else {
                        "unanimity"
                    };
                    (vec!["consultation"], d.range(0.05, 0.3), d.range(0.2, 0.5), adm)
                }
                Kind::Issue(_) => {
                    let o = if d.chance(0.3) { vec!["consultation"] } else { vec![] };
                    let x = d.u();
                    let adm = if x < 0.45 {
                        "open"
                    } else if x < 0.8 {
                        "majority"
                    } else {
                        "unanimity"
                    };
                    (o, d.range(0.1, 0.5), d.range(0.4, 0.9), adm)
                }
            };
            let pooled = matches!(kind, Kind::Issue(1 | 3)) && d.chance(0.6);
            let nuclear = kind == Kind::Defence && top3.contains(&anchor) && d.chance(0.6);
            let size_limit = d.chance(0.1).then(|| members.len() + 2 + d.below(9));
            let label = match kind {
                Kind::Defence => "Defence Treaty".to_string(),
                Kind::Coalition => "Coalition".to_string(),
                Kind::Issue(i) => format!("{}{} Compact", ISSUES[i][..1].to_uppercase(), &ISSUES[i][1..]),
            };
            let mut name = format!("{} {label}", self.states[anchor].name);
            if !used_names.insert(name.clone()) {
                name = format!("{name} {}", k + 1);
                used_names.insert(name.clone());
            }
            self.pacts.push(GPact {
                id: format!("P{:0width$}", k + 1),
                name,
                kind,
                anchor,
                obligations,
                binding: round_to(binding, 2),
                issue,
                issue_gain: round_to(issue_gain, 2),
                pooled,
                members,
                admission,
                nuclear,
                size_limit,
                rivals,
                active: true,
            });
        }
        // Pacts founded mid-run (a `found` event): the last one, and one in 25 more.
        if spec.pacts >= 2 {
            let later = 1 + spec.pacts / 25;
            for p in spec.pacts - later..spec.pacts {
                self.pacts[p].active = false;
            }
        }
        // Grievances: in a third of unanimity pacts a member holds a grudge against a near non-member.
        for p in 0..self.pacts.len() {
            let pact = &self.pacts[p];
            if pact.admission != "unanimity" || !d.chance(0.33) {
                continue;
            }
            let holder = pact.members[d.below(pact.members.len())];
            let against = self
                .nearest(pact.anchor)
                .into_iter()
                .find(|j| !pact.members.contains(j) && !pact.rivals.contains(j));
            if let Some(against) = against
                && against != holder
            {
                let g = GGrievance {
                    id: format!("G{}-{}-{}", pact.id, self.states[holder].id, self.states[against].id),
                    holder,
                    against,
                    strength: round_to(d.range(0.5, 1.5), 2),
                    pact: p,
                };
                self.grievances.push(g);
            }
        }
    }

    // -----------------------------------------------------------------------------------------
    // Events (stream 3)
    // -----------------------------------------------------------------------------------------

    fn events(&mut self, spec: &GenerateSpec) {
        let n = self.n();
        let rounds = spec.rounds;
        let mut d = Draw::new(spec.seed, 3);
        let at = |d: &mut Draw, lo: f64, hi: f64| -> u32 {
            let r = libm::round(d.range(lo, hi) * f64::from(rounds));
            (r as u32).clamp(1, rounds)
        };
        // Rivalries, strongest pairs first (by the weaker side's capability).
        let mut rivalries: Vec<(usize, usize)> = self.rel.iter().filter(|(_, r)| r.hostility > 0.0).map(|(k, _)| *k).collect();
        rivalries.sort_by(|a, b| {
            let ca = self.states[a.0].capability.min(self.states[a.1].capability);
            let cb = self.states[b.0].capability.min(self.states[b.1].capability);
            cb.total_cmp(&ca).then(a.cmp(b))
        });
        // Crises: a rivalry turns to open hostility; the aggressor's neighbours feel it too.
        let crises = (1 + n / 64).min(rivalries.len());
        let mut crisis_pairs = Vec::new();
        for c in 0..crises {
            // Pick among the top rivalries, not always the first.
            let pool = rivalries.len().min(crises * 3);
            let mut idx = d.below(pool);
            while crisis_pairs.contains(&rivalries[idx]) {
                idx = (idx + 1) % pool;
            }
            let (a, b) = rivalries[idx];
            crisis_pairs.push((a, b));
            let (aggressor, victim) = if self.states[a].capability >= self.states[b].capability {
                (a, b)
            } else {
                (b, a)
            };
            let mut changes = vec![GChange::Hostility {
                a: aggressor,
                b: victim,
                op: "to",
                v: 0.85,
            }];
            for j in self.nearest(aggressor).into_iter().filter(|&j| j != victim).take(4) {
                changes.push(GChange::Hostility {
                    a: aggressor,
                    b: j,
                    op: "by",
                    v: 0.25,
                });
            }
            self.events.push(GEvent {
                id: format!("crisis-{}", c + 1),
                name: format!("{} attacks {}", self.states[aggressor].name, self.states[victim].name),
                round: at(&mut d, 0.15, 0.5),
                why: format!(
                    "crisis: {} turns on {} (hostility to 0.85) and alarms its four nearest neighbours (+0.25)",
                    self.states[aggressor].id, self.states[victim].id
                ),
                changes,
            });
        }
        // A patron pulls back: the power anchoring most defence pacts (else the strongest state).
        let mut anchored = vec![0usize; n];
        for p in self.pacts.iter().filter(|p| p.kind == Kind::Defence) {
            anchored[p.anchor] += 1;
        }
        let patron = (0..n)
            .filter(|&s| self.is_power(s))
            .max_by(|&a, &b| anchored[a].cmp(&anchored[b]).then(b.cmp(&a)))
            .unwrap_or(self.by_capability[0]);
        let to = round_to(d.range(0.1, 0.3), 2);
        self.events.push(GEvent {
            id: "pullback".into(),
            name: format!("{} pulls back from its commitments", self.states[patron].name),
            round: at(&mut d, 0.45, 0.6),
            why: format!(
                "commitment of the patron {} (anchor of {} defence pacts) falls to {}",
                self.states[patron].id,
                anchored[patron],
                num(to, 2)
            ),
            changes: vec![GChange::Commitment { s: patron, to }],
        });
        // Pacts founded mid-run.
        for p in 0..self.pacts.len() {
            if !self.pacts[p].active {
                self.events.push(GEvent {
                    id: format!("found-{}", self.pacts[p].id),
                    name: format!("{} founded", self.pacts[p].name),
                    round: at(&mut d, 0.25, 0.45),
                    why: format!(
                        "pact {} is founded by its {} members",
                        self.pacts[p].id,
                        self.pacts[p].members.len()
                    ),
                    changes: vec![GChange::Found { p }],
                });
            }
        }
        // An issue shock: an issue suddenly matters more to a group of states.
        let issue = 1 + d.below(4);
        let mut hit: Vec<usize> = (0..n).collect();
        d.shuffle(&mut hit);
        hit.truncate((n / 8).clamp(2, 24).min(n));
        hit.sort_unstable();
        let by = round_to(d.range(0.3, 0.5), 2);
        self.events.push(GEvent {
            id: format!("{}-shock", ISSUES[issue]),
            name: format!("{} shock", ISSUES[issue]),
            round: at(&mut d, 0.3, 0.6),
            why: format!("{} matters more (+{}) to {} states", ISSUES[issue], num(by, 2), hit.len()),
            changes: hit.iter().map(|&s| GChange::Salience { s, issue, by }).collect(),
        });
        // A rising state: capability up by half.
        if n >= 4 {
            let s = self.by_capability[(n / 10).max(1) + d.below((n / 4).max(1))];
            let scale = 1.5;
            self.events.push(GEvent {
                id: format!("rise-{}", self.states[s].id),
                name: format!("{} rises", self.states[s].name),
                round: at(&mut d, 0.4, 0.7),
                why: format!("capability of {} grows by half", self.states[s].id),
                changes: vec![GChange::Capability { s, scale }],
            });
        }
        // A concession: the strongest grievance is cut to a quarter.
        if let Some(g) =
            (0..self.grievances.len()).max_by(|&a, &b| self.grievances[a].strength.total_cmp(&self.grievances[b].strength).then(b.cmp(&a)))
        {
            let gr = &self.grievances[g];
            self.events.push(GEvent {
                id: "concession".into(),
                name: format!("{} meets {}'s demands", self.states[gr.against].name, self.states[gr.holder].name),
                round: at(&mut d, 0.4, 0.7),
                why: format!("grievance {} falls to a quarter", gr.id),
                changes: vec![GChange::Grievance { g, scale: 0.25 }],
            });
        }
        // Détente: the rivalry a pact is aimed at ends (its members lose the threat that held
        // them together and provoke the former rival more), preferring the biggest coalition.
        let mut aimed: Vec<usize> = (0..self.pacts.len())
            .filter(|&p| self.pacts[p].active && !self.pacts[p].rivals.is_empty())
            .filter(|&p| self.hostility(self.pacts[p].anchor, self.pacts[p].rivals[0]) > 0.0)
            .collect();
        aimed.sort_by_key(|&p| {
            (
                self.pacts[p].kind != Kind::Coalition,
                std::cmp::Reverse(self.pacts[p].members.len()),
                p,
            )
        });
        let detente = match aimed.first() {
            Some(&p) => Some((self.pacts[p].rivals[0], Some(p))),
            None => rivalries.iter().rev().find(|p| !crisis_pairs.contains(p)).map(|&(a, _)| (a, None)),
        };
        if let Some((rival, pact)) = detente {
            let ended: Vec<usize> = (0..n).filter(|&j| j != rival && self.hostility(rival, j) > 0.0).collect();
            let about = match pact {
                Some(p) => format!(" (the rival of {})", self.pacts[p].id),
                None => String::new(),
            };
            self.events.push(GEvent {
                id: format!("detente-{}", self.states[rival].id),
                name: format!("{} makes peace", self.states[rival].name),
                round: at(&mut d, 0.6, 0.8),
                why: format!(
                    "détente: {}{about} ends its {} rivalries (hostility to 0)",
                    self.states[rival].id,
                    ended.len()
                ),
                changes: ended
                    .iter()
                    .map(|&j| GChange::Hostility {
                        a: rival,
                        b: j,
                        op: "to",
                        v: 0.0,
                    })
                    .collect(),
            });
        }
        // Falling-outs: the strongest member of a big pact (informal coalitions first: cheap to
        // leave) turns on its partners. They lose affinity and cover in the pact at once.
        let mut big: Vec<usize> = (0..self.pacts.len())
            .filter(|&p| self.pacts[p].active && self.pacts[p].members.len() >= 3)
            .collect();
        big.sort_by_key(|&p| {
            (
                self.pacts[p].kind != Kind::Coalition,
                std::cmp::Reverse(self.pacts[p].members.len()),
                p,
            )
        });
        for &p in big.iter().take(1 + n / 100) {
            let pact = &self.pacts[p];
            let mut members = pact.members.clone();
            members.sort_by(|&a, &b| self.states[b].capability.total_cmp(&self.states[a].capability).then(a.cmp(&b)));
            let a = members[0];
            let partners: Vec<usize> = members[1..].iter().copied().take(8).collect();
            let id = pact.id.clone();
            let listed: Vec<&str> = partners.iter().map(|&s| self.states[s].id.as_str()).collect();
            let why = format!(
                "falling-out inside {id}: its strongest member {} turns on {} partners ({}; hostility to 0.7)",
                self.states[a].id,
                partners.len(),
                listed.join(", ")
            );
            self.events.push(GEvent {
                id: format!("split-{id}"),
                name: format!("{} turns on its partners in {}", self.states[a].name, pact.name),
                round: at(&mut d, 0.55, 0.75),
                why,
                changes: partners.iter().map(|&b| GChange::Hostility { a, b, op: "to", v: 0.7 }).collect(),
            });
        }
        // A small informal coalition dissolves.
        if self.pacts.len() >= 6
            && let Some(p) = (0..self.pacts.len())
                .filter(|&p| self.pacts[p].kind == Kind::Coalition && self.pacts[p].active)
                .min_by_key(|&p| (self.pacts[p].members.len(), p))
        {
            self.events.push(GEvent {
                id: format!("dissolve-{}", self.pacts[p].id),
                name: format!("{} dissolves", self.pacts[p].name),
                round: at(&mut d, 0.75, 0.9),
                why: format!("coalition {} is wound up", self.pacts[p].id),
                changes: vec![GChange::Dissolve { p }],
            });
        }
        self.events.sort_by_key(|e| e.round);
    }

    // -----------------------------------------------------------------------------------------
    // The file
    // -----------------------------------------------------------------------------------------

    fn render(&self, spec: &GenerateSpec) -> String {
        let mut o = String::with_capacity(64 * 1024);
        self.header(&mut o, spec);
        self.write_states(&mut o);
        self.write_relations(&mut o);
        self.write_grievances(&mut o);
        self.write_pacts(&mut o);
        self.write_events(&mut o);
        o
    }

    fn header(&self, o: &mut String, spec: &GenerateSpec) {
        let n = self.n();
        let powers = self.states.iter().filter(|s| s.power).count();
        let hostile = self.rel.values().filter(|r| r.hostility > 0.0).count();
        let friendly = self.rel.values().filter(|r| r.hostility < 0.0).count();
        let count = |k: Kind| self.pacts.iter().filter(|p| p.kind == k).count();
        let issue_pacts = self.pacts.iter().filter(|p| matches!(p.kind, Kind::Issue(_))).count();
        let _ = write!(
            o,
            "\
# SYNTHETIC WORLD: {n} invented states, {m} pacts, {r} monthly rounds. Not real countries or data.
#
# Generated by pactsim {version}:
#   {command}
# The same command and pactsim version write this file byte for byte (ChaCha8 seeded with
# seed_from_u64({seed}), own uniform draws, libm maths). For benchmarks and tests at world scale.
#
# HOW EACH VALUE WAS DRAWN (ranges are uniform unless said otherwise)
#   place        every state is a uniform random point on a sphere (not written: it only sets
#                proximity). Typical neighbour spacing s = sqrt(4*pi/{n}) = {spacing} rad.
#   proximity    1 within one spacing (about three land neighbours each), then
#                exp(-{decay} * (distance/s - 1)): ~0.3 at 2s (same region), 0.1 at 3s (distant);
#                below {cutoff} it is left at the default 0. Rivalries of powers reach at least 0.2.
#   capability   log-normal (sigma = {sigma} in logs), normalised to sum to 1 like COW CINC; 4
#                significant digits. The {powers} strongest states are the powers (patrons).
#   democracy    55% of states; neutrality 0.3..0.9 for 12% (else 0); powers have commitment
#                0.75..1 (else the default 1).
#   support      start 0.25..0.8, inertia 0.5..0.85, threshold 0.4..0.6, sensitivity 0.3..1.2.
#   issues       security salience 0.4..1 for every state; energy, food, minerals, technology
#                0.2..1 for 30% of states each (else 0).
#   resources    per issue {holders} holder(s) share 60..90% of the world's stock, Pareto(1) weights;
#                a holder cares about its issue (salience at least 0.5..1).
#   hostility    default 0; {hostile} rivalries (8% of states with one of their 4 nearest, 0.2..0.6;
#                35% of power pairs, 0.3..0.7; adversaries made for defence pacts) and {friendly}
#                friendships (25% of states with one of their 6 nearest, -0.3..-0.8; 10% clients
#                of a power, -0.2..-0.5). Only non-default relations are written.
#   pacts        {defence} binding defence treaties (binding 0.75..1, defence + consultation, 10% also
#                offence; 75% unanimity else majority; aimed at the anchor's rivals; nuclear for 60%
#                of those anchored on the 3 strongest), {coalition} informal coalitions (binding
#                0.05..0.3, consultation; open 40%, majority 40%, unanimity 20%) and {issue_pacts}
#                issue pacts on energy, food, minerals or technology (binding 0.1..0.5, issue_gain
#                0.4..0.9, 60% of energy and minerals pacts pooled; open 45%, majority 35%,
#                unanimity 20%; 15% aimed at a power). Size 2 + floor(2 * (Pareto({alpha}) - 1)),
#                at most {max_size}: most small, a few big. Members: the anchor (a power for 70% of
#                defence pacts, a resource holder for 60% of issue pacts, else any state) and the
#                states nearest to it, nudged by friendship, interest in the issue and chance;
#                states hostile to the anchor come last. 10% have a size limit.
#   grievances   a third of unanimity pacts: a member holds a grudge (0.5..1.5) against the
#                nearest non-member.
#   events       crises (a rivalry to hostility 0.85, the aggressor's neighbours +0.25), a patron's
#                pull-back (commitment to 0.1..0.3), mid-run foundings (`found`), an issue shock
#                (salience +0.3..0.5), a rising state (capability x 1.5), a concession (the
#                strongest grievance x 0.25), a détente (a pact's rival makes peace with all),
#                falling-outs inside the biggest pacts, informal coalitions first (the strongest
#                member turns on up to 8 partners, hostility 0.7; 1 + states/100 of them) and a
#                coalition dissolving; rounds are drawn within fixed shares of the run.
# Everything in [model] is left at its default (docs/MODEL.md).

[scenario]
name = \"Synthetic world: {n} states, {m} pacts (seed {seed})\"
description = \"Synthetic world from `{command}`: invented states, pacts and shocks for benchmarks and tests.\"
rounds = {r}
round_unit = \"month\"
start = \"2030-01\"
seed = {seed}
runs = {runs}
",
            m = spec.pacts,
            r = spec.rounds,
            version = env!("CARGO_PKG_VERSION"),
            command = spec.command(),
            seed = spec.seed,
            runs = spec.runs,
            spacing = num(self.spacing, 3),
            decay = PROXIMITY_DECAY,
            cutoff = PROXIMITY_CUTOFF,
            sigma = CAPABILITY_SIGMA,
            holders = (n / 12).max(1),
            defence = count(Kind::Defence),
            coalition = count(Kind::Coalition),
            alpha = SIZE_ALPHA,
            max_size = MAX_PACT_SIZE,
        );
    }

    fn write_states(&self, o: &mut String) {
        o.push_str(
            "\n# ---------------------------------------------------------------------------------------------\n\
             # States. capability = share of world capability (sums to 1).\n\
             # ---------------------------------------------------------------------------------------------\n",
        );
        let mut rank = vec![0usize; self.n()];
        for (r, &s) in self.by_capability.iter().enumerate() {
            rank[s] = r + 1;
        }
        for (i, s) in self.states.iter().enumerate() {
            let _ = writeln!(o, "\n[[state]]\nid = \"{}\"\nname = \"{}\"", s.id, s.name);
            let tag = if s.power { ", a power" } else { "" };
            let _ = writeln!(o, "capability = {:<14}# rank {} of {}{tag}", sig4(s.capability), rank[i], self.n());
            if !s.democracy {
                o.push_str("democracy = false\n");
            }
            if s.neutrality > 0.0 {
                let _ = writeln!(o, "neutrality = {}", num(s.neutrality, 2));
            }
            if s.commitment < 1.0 {
                let _ = writeln!(o, "commitment = {}", num(s.commitment, 2));
            }
            let [start, inertia, threshold, sensitivity] = s.support;
            let _ = writeln!(
                o,
                "support = {{ start = {}, inertia = {}, threshold = {}, sensitivity = {} }}",
                num(start, 2),
                num(inertia, 2),
                num(threshold, 2),
                num(sensitivity, 2)
            );
            let table = |values: &[f64; 5], d: usize| -> String {
                let cells: Vec<String> = ISSUES
                    .iter()
                    .zip(values)
                    .filter(|(_, v)| **v > 0.0)
                    .map(|(k, v)| format!("{k} = {}", num(*v, d)))
                    .collect();
                format!("{{ {} }}", cells.join(", "))
            };
            let _ = writeln!(o, "issues = {}", table(&s.issues, 2));
            if s.resources.iter().any(|v| *v > 0.0) {
                let _ = writeln!(o, "resources = {}", table(&s.resources, 3));
            }
        }
    }

    fn write_relations(&self, o: &mut String) {
        let _ = write!(
            o,
            "\n# ---------------------------------------------------------------------------------------------\n\
             # Relations (symmetric), only where not the default (hostility 0, proximity 0): {} pairs.\n\
             # ---------------------------------------------------------------------------------------------\n",
            self.rel.len()
        );
        for (&(a, b), r) in &self.rel {
            let _ = writeln!(
                o,
                "\n[[relation]]\nbetween = [\"{}\", \"{}\"]",
                self.states[a].id, self.states[b].id
            );
            if r.hostility != 0.0 {
                let what = match r.tie {
                    Tie::Rivalry => "  # rivalry",
                    Tie::Friendship => "  # friendship",
                    Tie::None => "",
                };
                let _ = writeln!(o, "hostility = {}{what}", num(r.hostility, 2));
            }
            if r.proximity > 0.0 {
                let _ = writeln!(o, "proximity = {}", num(r.proximity, 2));
            }
        }
    }

    fn write_grievances(&self, o: &mut String) {
        if self.grievances.is_empty() {
            return;
        }
        o.push_str(
            "\n# ---------------------------------------------------------------------------------------------\n\
             # Grievances: a member that holds one blocks the applicant until it fades (2% a round).\n\
             # ---------------------------------------------------------------------------------------------\n",
        );
        for g in &self.grievances {
            let _ = writeln!(
                o,
                "\n[[grievance]]\nid = \"{}\"     # in {}\nholder = \"{}\"\nagainst = \"{}\"\nstrength = {}",
                g.id,
                self.pacts[g.pact].id,
                self.states[g.holder].id,
                self.states[g.against].id,
                num(g.strength, 2)
            );
        }
    }

    fn write_pacts(&self, o: &mut String) {
        o.push_str(
            "\n# ---------------------------------------------------------------------------------------------\n\
             # Pacts\n\
             # ---------------------------------------------------------------------------------------------\n",
        );
        let ids = |list: &[usize]| -> String {
            let v: Vec<String> = list.iter().map(|&s| format!("\"{}\"", self.states[s].id)).collect();
            format!("[{}]", v.join(", "))
        };
        for p in &self.pacts {
            let what = match p.kind {
                Kind::Defence => "binding defence treaty".to_string(),
                Kind::Coalition => "informal coalition".to_string(),
                Kind::Issue(i) => format!("{} pact", ISSUES[i]),
            };
            let aim = if p.rivals.is_empty() {
                String::new()
            } else {
                format!(", aimed at {}", ids(&p.rivals))
            };
            let when = if p.active { "" } else { ", founded mid-run" };
            let _ = writeln!(
                o,
                "\n# {what} of {} around {}{aim}{when}\n[[pact]]\nid = \"{}\"\nname = \"{}\"",
                p.members.len(),
                self.states[p.anchor].id,
                p.id,
                p.name
            );
            let obligations: Vec<String> = p.obligations.iter().map(|o| format!("\"{o}\"")).collect();
            let _ = writeln!(o, "obligations = [{}]", obligations.join(", "));
            let _ = writeln!(
                o,
                "binding = {}\nissue = \"{}\"\nissue_gain = {}",
                num(p.binding, 2),
                ISSUES[p.issue],
                num(p.issue_gain, 2)
            );
            if p.pooled {
                o.push_str("pooled = true\n");
            }
            let _ = writeln!(o, "members = {}\nadmission = \"{}\"", ids(&p.members), p.admission);
            if p.nuclear {
                // The anchor, a nuclear power among the three strongest, holds the umbrella.
                let _ = writeln!(o, "guarantor = \"{}\"", self.states[p.anchor].id);
            }
            if let Some(limit) = p.size_limit {
                let _ = writeln!(o, "size_limit = {limit}");
            }
            if !p.rivals.is_empty() {
                let _ = writeln!(o, "rivals = {}", ids(&p.rivals));
            }
            if !p.active {
                o.push_str("active = false\n");
            }
        }
    }

    fn write_events(&self, o: &mut String) {
        o.push_str(
            "\n# ---------------------------------------------------------------------------------------------\n\
             # Events (an event at round r applies before round r is played)\n\
             # ---------------------------------------------------------------------------------------------\n",
        );
        let sid = |s: usize| &self.states[s].id;
        for e in &self.events {
            let _ = writeln!(
                o,
                "\n# {}\n[[event]]\nid = \"{}\"\nname = \"{}\"\nround = {}\nchange = [",
                e.why, e.id, e.name, e.round
            );
            for c in &e.changes {
                let line = match *c {
                    GChange::Hostility { a, b, op, v } => format!(
                        "kind = \"hostility\", between = [\"{}\", \"{}\"], {op} = {}",
                        sid(a),
                        sid(b),
                        num(v, 2)
                    ),
                    GChange::Commitment { s, to } => format!("kind = \"commitment\", state = \"{}\", to = {}", sid(s), num(to, 2)),
                    GChange::Capability { s, scale } => {
                        format!("kind = \"capability\", state = \"{}\", scale = {}", sid(s), num(scale, 2))
                    }
                    GChange::Salience { s, issue, by } => format!(
                        "kind = \"salience\", state = \"{}\", issue = \"{}\", by = {}",
                        sid(s),
                        ISSUES[issue],
                        num(by, 2)
                    ),
                    GChange::Grievance { g, scale } => format!(
                        "kind = \"grievance\", grievance = \"{}\", scale = {}",
                        self.grievances[g].id,
                        num(scale, 2)
                    ),
                    GChange::Found { p } => format!("kind = \"found\", pact = \"{}\"", self.pacts[p].id),
                    GChange::Dissolve { p } => format!("kind = \"dissolve\", pact = \"{}\"", self.pacts[p].id),
                };
                let _ = writeln!(o, "  {{ {line} }},");
            }
            o.push_str("]\n");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_written_plainly() {
        assert_eq!(num(0.4, 2), "0.4");
        assert_eq!(num(1.0, 2), "1.0");
        assert_eq!(num(-0.0, 2), "0.0");
        assert_eq!(num(-0.25, 2), "-0.25");
        assert_eq!(sig4(0.001534567), "0.001535");
        assert_eq!(sig4(0.2), "0.2");
        assert_eq!(sig4(0.00001234), "0.00001234");
    }

    #[test]
    fn draws_are_in_range() {
        let mut d = Draw::new(3, 0);
        for _ in 0..1000 {
            let u = d.u();
            assert!((0.0..1.0).contains(&u));
            assert!(d.below(7) < 7);
            assert!(d.pareto(1.1) >= 1.0);
        }
    }
}
