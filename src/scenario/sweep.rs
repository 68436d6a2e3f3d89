//! `pactsim sweep --vary SPEC`: the parameters a sweep moves, and the variants it runs.
//!
//! A SPEC is `PATH=VALUES`. PATH is any `--set` path, and may put `*` in place of an id
//! (`state.*.support.sensitivity`) to move every element that has the key together. VALUES is a
//! list (`0.1,0.2,0.4`) or a range with a number of evenly spaced points (`0.05..0.4:8`; 5 points
//! if `:N` is left out). Values written with a leading `*` are multipliers of each path's current
//! value (`*0.5..*1.5:5`, `*0.8,*1,*1.25`), so one knob can scale a family of assumptions that
//! differ from state to state.

use super::{ScenarioError, Source};
use crate::draw;

/// Points in a range when the SPEC does not say.
pub const DEFAULT_POINTS: usize = 5;
/// The most variants one sweep may have (a grid of 20 × 20 × 20 is 8,000).
pub const MAX_VARIANTS: usize = 10_000;

#[derive(Debug, thiserror::Error)]
pub enum SweepError {
    #[error("--vary {spec}: {message}")]
    Spec { spec: String, message: String },
    #[error("--vary {spec}")]
    Path {
        spec: String,
        #[source]
        source: ScenarioError,
    },
    #[error("the design has {0} variants, more than the {MAX_VARIANTS} one sweep may run: use fewer points or fewer parameters")]
    TooMany(usize),
}

/// One `--vary` as given: a path pattern and the values it takes.
#[derive(Debug, Clone, PartialEq)]
pub struct Vary {
    /// The SPEC as written (for messages and sweep.json).
    pub spec: String,
    pub pattern: String,
    pub values: Vec<f64>,
    /// The values multiply each path's current value instead of replacing it.
    pub relative: bool,
    /// The ends, when the values were given as a range `LO..HI`.
    pub range: Option<(f64, f64)>,
}

impl Vary {
    pub fn parse(spec: &str) -> Result<Vary, SweepError> {
        let err = |message: &str| SweepError::Spec {
            spec: spec.to_string(),
            message: message.to_string(),
        };
        if let Some(c) = spec.chars().find(|c| c.is_control()) {
            return Err(SweepError::Spec {
                spec: super::overrides::escape(spec),
                message: format!(
                    "it has a control character ({}): a --vary is one PATH=VALUES on one line; give each parameter its own --vary",
                    super::overrides::char_name(c)
                ),
            });
        }
        let (pattern, values) = spec
            .split_once('=')
            .ok_or_else(|| err("expected PATH=VALUES, e.g. model.temperature=0.05..0.4:8 or pact.NATO.binding=0.5,0.75,1"))?;
        let (pattern, values) = (pattern.trim(), values.trim());
        if pattern.is_empty() {
            return Err(err("the path is empty; e.g. model.temperature=0.05..0.4:8"));
        }
        if values.is_empty() {
            return Err(err("no values; give a list (0.1,0.2) or a range (0.1..0.4:4)"));
        }
        let (values, relative) = parse_values(values).map_err(|m| err(&m))?;
        let is_range = values.len() >= 2 && spec.split_once('=').is_some_and(|(_, v)| v.contains(".."));
        Ok(Vary {
            spec: spec.to_string(),
            pattern: pattern.to_string(),
            range: is_range.then(|| (values[0], values[values.len() - 1])),
            values,
            relative,
        })
    }

    /// How the parameter is labelled in tables and charts: its path, with `×` for a multiplier.
    pub fn label(&self) -> String {
        if self.relative {
            format!("{} (×)", self.pattern)
        } else {
            self.pattern.clone()
        }
    }
}

/// Parses `VALUES`: returns the values and whether they are multipliers.
fn parse_values(text: &str) -> Result<(Vec<f64>, bool), String> {
    let (range, points) = match (text.rsplit_once(':'), text.rsplit_once('/')) {
        (Some(_), Some(_)) => return Err("give the points (:N) or the step (/STEP) of a range, not both".into()),
        (Some((range, n)), None) => {
            let n: usize = n.trim().parse().map_err(|_| format!("`{n}` is not a number of points (e.g. :8)"))?;
            (range, Some(n))
        }
        (None, Some((range, step))) => (range, Some(steps(range, step)?)),
        (None, None) => (text, None),
    };
    if let Some((lo, hi)) = range.split_once("..") {
        let (lo, lo_rel) = number(lo)?;
        let (hi, hi_rel) = number(hi)?;
        if lo_rel != hi_rel {
            return Err("both ends of a range are multipliers (*0.5..*2) or neither is".into());
        }
        if lo == hi {
            return Err(format!("the range {lo}..{hi} is empty: give two different ends"));
        }
        let n = points.unwrap_or(DEFAULT_POINTS);
        if n < 2 {
            return Err(format!("a range needs at least 2 points, not {n}"));
        }
        // Evenly spaced, both ends exact, the others rounded to 12 significant digits so that
        // 0.04..0.4:10 gives 0.08, not 0.08000000000000002.
        let values = (0..n)
            .map(|i| match i {
                0 => lo,
                i if i + 1 == n => hi,
                i => round12(lo + (hi - lo) * i as f64 / (n - 1) as f64),
            })
            .collect();
        return Ok((values, lo_rel));
    }
    if points.is_some() {
        return Err("`:N` gives the points of a range (LO..HI:N), not of a list".into());
    }
    let items: Vec<(f64, bool)> = text.split(',').map(number).collect::<Result<_, _>>()?;
    let relative = items[0].1;
    if items.iter().any(|&(_, r)| r != relative) {
        return Err("every value of a list is a multiplier (*0.5,*1,*2) or none is".into());
    }
    Ok((items.into_iter().map(|(v, _)| v).collect(), relative))
}

/// Most points a range given by its step may have.
const MAX_STEPS: usize = 100_000;

/// The number of points of `LO..HI/STEP` (BehaviorSpace's `[LO STEP HI]`): both ends included,
/// so the range must hold a whole number of steps.
fn steps(range: &str, step: &str) -> Result<usize, String> {
    let (lo, hi) = range
        .split_once("..")
        .ok_or_else(|| format!("`/{step}` is the step of a range: write LO..HI/STEP, e.g. 0..1/0.05"))?;
    let ((lo, _), (hi, _)) = (number(lo)?, number(hi)?);
    let step = match step.trim().parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 => v,
        _ => return Err(format!("`{}` is not a step: give a positive number, e.g. 0..1/0.05", step.trim())),
    };
    let count = (hi - lo).abs() / step;
    let whole = count.round();
    if (count - whole).abs() > 1e-9 * count.max(1.0) || whole < 1.0 {
        return Err(format!(
            "{lo}..{hi} is not a whole number of steps of {step} ({count:.3}): choose a step that divides it, or give the points with :N"
        ));
    }
    let n = whole as usize + 1;
    if n > MAX_STEPS {
        return Err(format!("{lo}..{hi}/{step} has {n} points: at most {MAX_STEPS}"));
    }
    Ok(n)
}

/// `x` to 12 significant digits.
pub fn round12(x: f64) -> f64 {
    format!("{x:.11e}").parse().unwrap_or(x)
}

/// A finite number, optionally written as a multiplier `*X`.
fn number(text: &str) -> Result<(f64, bool), String> {
    let text = text.trim();
    let (digits, relative) = match text.strip_prefix('*') {
        Some(rest) => (rest.trim(), true),
        None => (text, false),
    };
    match digits.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok((v, relative)),
        _ => Err(format!("`{text}` is not a number")),
    }
}

/// A parameter of the design: a `--vary` and the concrete paths it moves, with their values in
/// the scenario before the sweep.
#[derive(Debug, Clone, PartialEq)]
pub struct Parameter {
    pub vary: Vary,
    pub paths: Vec<(String, f64)>,
}

/// One point of the design: the value of each parameter and the `--set`s that make it.
#[derive(Debug, Clone, PartialEq)]
pub struct Variant {
    pub index: usize,
    pub values: Vec<f64>,
    pub sets: Vec<String>,
}

/// How a design's points are chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DesignKind {
    /// Every combination of the values given ([`grid`]).
    Grid,
    /// A Latin hypercube over the ranges ([`sampled`]).
    LatinHypercube,
    /// The first points of a scrambled Sobol sequence over the ranges ([`sampled`]).
    SobolSequence,
    /// Morris trajectories ([`morris`]).
    Morris,
    /// Saltelli's blocks for Sobol indices ([`saltelli`]).
    Saltelli,
}

impl DesignKind {
    /// The name sweep.json, the pages and `--design` use: `grid`, `lhs`, `sobol` or `morris`
    /// (a Saltelli design is named for the indices it estimates, `sobol`).
    pub fn name(self) -> &'static str {
        match self {
            DesignKind::Grid => "grid",
            DesignKind::LatinHypercube => "lhs",
            DesignKind::SobolSequence | DesignKind::Saltelli => "sobol",
            DesignKind::Morris => "morris",
        }
    }

    /// The kind of a sweep's design from its name in sweep.json (`grid`, `lhs` or `sobol`).
    pub fn of_sweep(name: &str) -> Option<DesignKind> {
        match name {
            "grid" => Some(DesignKind::Grid),
            "lhs" => Some(DesignKind::LatinHypercube),
            "sobol" => Some(DesignKind::SobolSequence),
            _ => None,
        }
    }
}

impl std::fmt::Display for DesignKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Design {
    pub kind: DesignKind,
    /// How many variants belong together, in a row: a Morris trajectory (parameters + 1) or a
    /// Saltelli sample (parameters + 2). None for a grid.
    pub block: Option<usize>,
    pub parameters: Vec<Parameter>,
    pub variants: Vec<Variant>,
}

/// Every combination of the parameters' values (the last parameter varies fastest), on the
/// scenario in `source` after the `base` overrides.
pub fn grid(source: &Source, base: &[String], varies: Vec<Vary>) -> Result<Design, SweepError> {
    let parameters = parameters(source, base, varies)?;
    let count = parameters
        .iter()
        .map(|p| p.vary.values.len())
        .try_fold(1usize, |a, n| a.checked_mul(n));
    match count {
        Some(n) if n <= MAX_VARIANTS => {}
        Some(n) => return Err(SweepError::TooMany(n)),
        None => return Err(SweepError::TooMany(usize::MAX)),
    }
    let mut variants = vec![Vec::new()];
    for p in &parameters {
        variants = variants
            .into_iter()
            .flat_map(|prefix| {
                p.vary.values.iter().map(move |&v| {
                    let mut next = prefix.clone();
                    next.push(v);
                    next
                })
            })
            .collect();
    }
    Ok(design(DesignKind::Grid, None, parameters, variants))
}

/// A design of `kind` whose variants are `points` (one value per parameter each), in order.
fn design(kind: DesignKind, block: Option<usize>, parameters: Vec<Parameter>, points: Vec<Vec<f64>>) -> Design {
    let variants = points
        .into_iter()
        .enumerate()
        .map(|(index, values)| Variant {
            index,
            sets: sets_for(&parameters, &values),
            values,
        })
        .collect();
    Design {
        kind,
        block,
        parameters,
        variants,
    }
}

/// Resolves each `--vary` to the paths it moves, refusing two that move the same value.
pub fn parameters(source: &Source, base: &[String], varies: Vec<Vary>) -> Result<Vec<Parameter>, SweepError> {
    let mut parameters: Vec<Parameter> = Vec::new();
    for vary in varies {
        let paths = super::numbers(source, base, &vary.pattern).map_err(|source| match source {
            ScenarioError::Override { message, .. } => SweepError::Spec {
                spec: vary.spec.clone(),
                message,
            },
            source => SweepError::Path {
                spec: vary.spec.clone(),
                source,
            },
        })?;
        if let Some(other) = parameters
            .iter()
            .find(|p| p.paths.iter().any(|(a, _)| paths.iter().any(|(b, _)| a == b)))
        {
            return Err(SweepError::Spec {
                spec: vary.spec.clone(),
                message: format!("it moves a value that --vary {} moves too", other.vary.spec),
            });
        }
        parameters.push(Parameter { vary, paths });
    }
    Ok(parameters)
}

/// The `--set`s that give each parameter its value in `values`.
pub fn sets_for(parameters: &[Parameter], values: &[f64]) -> Vec<String> {
    parameters
        .iter()
        .zip(values)
        .flat_map(|(p, &v)| {
            p.paths.iter().map(move |(path, base)| {
                let value = if p.vary.relative { round12(base * v) } else { v };
                format!("{path}={value}")
            })
        })
        .collect()
}

/// A sampled design over the parameters' ranges ([`DesignKind::LatinHypercube`] or
/// [`DesignKind::SobolSequence`]): `lhs`, a Latin hypercube (each range cut into
/// `samples` equal strata, one point drawn in each, the strata paired at random across
/// parameters; McKay, Beckman & Conover 1979), or `sobol`, the first `samples` points of an
/// Owen-scrambled Sobol sequence (`sobol_burley`). Both drawn from `seed`.
pub fn sampled(
    source: &Source,
    base: &[String],
    varies: Vec<Vary>,
    kind: DesignKind,
    samples: usize,
    seed: u64,
) -> Result<Design, SweepError> {
    if let Some(v) = varies.iter().find(|v| v.range.is_none()) {
        return Err(SweepError::Spec {
            spec: v.spec.clone(),
            message: format!("a {kind} design samples a range: give LO..HI"),
        });
    }
    if samples < 2 {
        return Err(SweepError::Spec {
            spec: format!("--samples {samples}"),
            message: "a sampled design needs at least 2 samples".into(),
        });
    }
    if samples > MAX_VARIANTS {
        return Err(SweepError::TooMany(samples));
    }
    let parameters = parameters(source, base, varies)?;
    let k = parameters.len();
    let mut units = vec![vec![0.0; k]; samples];
    match kind {
        DesignKind::LatinHypercube => {
            let mut rng = draw::generator(seed, draw::stream::LATIN_HYPERCUBE);
            for d in 0..k {
                let mut strata: Vec<usize> = (0..samples).collect();
                draw::shuffle_by_uniform(&mut strata, &mut rng);
                for (row, &stratum) in units.iter_mut().zip(&strata) {
                    row[d] = (stratum as f64 + draw::uniform(&mut rng)) / samples as f64;
                }
            }
        }
        _ => {
            let scramble = (seed ^ (seed >> 32)) as u32;
            for (j, row) in units.iter_mut().enumerate() {
                for (d, u) in row.iter_mut().enumerate() {
                    *u = f64::from(sobol_burley::sample(j as u32, d as u32, scramble));
                }
            }
        }
    }
    let points: Vec<Vec<f64>> = units
        .into_iter()
        .map(|u| {
            parameters
                .iter()
                .zip(&u)
                .map(|(p, &u)| {
                    let (lo, hi) = p.vary.range.unwrap_or((0.0, 1.0));
                    round12(lo + (hi - lo) * u)
                })
                .collect()
        })
        .collect();
    Ok(design(kind, None, parameters, points))
}

/// Morris's elementary-effects design (Morris 1991; Campolongo, Cariboni & Saltelli 2007):
/// `trajectories` random one-at-a-time paths through a grid of `levels` (even) levels on each
/// parameter's range. A path starts at a random grid point in the lower part of the cube and moves
/// each parameter once, in a random order, up by Δ = levels / (2 (levels − 1)) of its range, so
/// each path gives one elementary effect per parameter. Drawn from `seed` on a stream of its own
/// (replicates use the streams numbered by replicate), so the same arguments give the same design.
pub fn morris(
    source: &Source,
    base: &[String],
    varies: Vec<Vary>,
    trajectories: usize,
    levels: usize,
    seed: u64,
) -> Result<Design, SweepError> {
    if let Some(v) = varies.iter().find(|v| v.range.is_none()) {
        return Err(SweepError::Spec {
            spec: v.spec.clone(),
            message: "Morris screening moves a parameter over a range: give LO..HI".into(),
        });
    }
    if levels < 2 || !levels.is_multiple_of(2) {
        return Err(SweepError::Spec {
            spec: format!("--levels {levels}"),
            message: "Morris screening needs an even number of levels (4 is usual)".into(),
        });
    }
    if trajectories < 2 {
        return Err(SweepError::Spec {
            spec: format!("--trajectories {trajectories}"),
            message: "at least 2 trajectories are needed to estimate the spread of the effects".into(),
        });
    }
    let parameters = parameters(source, base, varies)?;
    let k = parameters.len();
    let count = trajectories.saturating_mul(k + 1);
    if count > MAX_VARIANTS {
        return Err(SweepError::TooMany(count));
    }
    let mut rng = draw::generator(seed, draw::stream::MORRIS);
    let mut below = |n: usize| draw::below(&mut rng, n);
    let steps = levels - 1;
    let jump = levels / 2; // Δ in grid steps: levels / (2 (levels − 1)) of the range.
    let point = |at: &[usize]| -> Vec<f64> {
        parameters
            .iter()
            .zip(at)
            .map(|(p, &l)| {
                let (lo, hi) = p.vary.range.unwrap_or((0.0, 1.0));
                match l {
                    0 => lo,
                    l if l == steps => hi,
                    l => round12(lo + (hi - lo) * l as f64 / steps as f64),
                }
            })
            .collect()
    };
    let mut points = Vec::with_capacity(count);
    for _ in 0..trajectories {
        let mut at: Vec<usize> = (0..k).map(|_| below(steps - jump + 1)).collect();
        let mut order: Vec<usize> = (0..k).collect();
        for i in (1..k).rev() {
            order.swap(i, below(i + 1));
        }
        points.push(point(&at));
        for &i in &order {
            at[i] += jump;
            points.push(point(&at));
        }
    }
    Ok(design(DesignKind::Morris, Some(k + 1), parameters, points))
}

/// Saltelli's design for Sobol indices (Saltelli 2002; Saltelli et al. 2010): `samples` base
/// points, each a block of k + 2 variants — A, B and, for each parameter i, A with parameter i
/// taken from B — where A and B are the two halves of a 2k-dimensional Owen-scrambled Sobol
/// sequence (`sobol_burley`, seeded from `seed`) mapped onto the ranges. N (k + 2) points in all.
pub fn saltelli(source: &Source, base: &[String], varies: Vec<Vary>, samples: usize, seed: u64) -> Result<Design, SweepError> {
    if let Some(v) = varies.iter().find(|v| v.range.is_none()) {
        return Err(SweepError::Spec {
            spec: v.spec.clone(),
            message: "Sobol indices move a parameter over a range: give LO..HI".into(),
        });
    }
    if samples < 8 {
        return Err(SweepError::Spec {
            spec: format!("--samples {samples}"),
            message: "Sobol indices need at least 8 base samples (64 or more is usual)".into(),
        });
    }
    let parameters = parameters(source, base, varies)?;
    let k = parameters.len();
    if 2 * k > 256 {
        return Err(SweepError::Spec {
            spec: format!("{k} parameters"),
            message: "Sobol indices take at most 128 parameters".into(),
        });
    }
    let count = samples.saturating_mul(k + 2);
    if count > MAX_VARIANTS {
        return Err(SweepError::TooMany(count));
    }
    let scramble = (seed ^ (seed >> 32)) as u32;
    let value = |p: &Parameter, u: f32| {
        let (lo, hi) = p.vary.range.unwrap_or((0.0, 1.0));
        round12(lo + (hi - lo) * f64::from(u))
    };
    let mut points = Vec::with_capacity(count);
    for j in 0..samples as u32 {
        let a: Vec<f64> = parameters
            .iter()
            .enumerate()
            .map(|(i, p)| value(p, sobol_burley::sample(j, i as u32, scramble)))
            .collect();
        let b: Vec<f64> = parameters
            .iter()
            .enumerate()
            .map(|(i, p)| value(p, sobol_burley::sample(j, (k + i) as u32, scramble)))
            .collect();
        points.push(a.clone());
        points.push(b.clone());
        for i in 0..k {
            let mut ab = a.clone();
            ab[i] = b[i];
            points.push(ab);
        }
    }
    Ok(design(DesignKind::Saltelli, Some(k + 2), parameters, points))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_ranges_and_multipliers() {
        let v = Vary::parse("model.temperature=0.05..0.45:5").unwrap();
        assert_eq!(v.pattern, "model.temperature");
        assert_eq!(v.values.len(), 5);
        assert_eq!((v.values[0], v.values[4]), (0.05, 0.45));
        assert_eq!(v.values, vec![0.05, 0.15, 0.25, 0.35, 0.45]);
        assert_eq!(Vary::parse("x=0.04..0.4:10").unwrap().values[1], 0.08);
        assert!(!v.relative);
        assert_eq!(Vary::parse("pact.NATO.binding=0.5, 1").unwrap().values, vec![0.5, 1.0]);
        let m = Vary::parse("state.*.support.sensitivity=*0.5..*1.5:3").unwrap();
        assert_eq!((m.values.clone(), m.relative), (vec![0.5, 1.0, 1.5], true));
        assert_eq!(m.label(), "state.*.support.sensitivity (×)");
        assert_eq!(Vary::parse("model.temperature=0.1..0.2").unwrap().values.len(), DEFAULT_POINTS);
    }

    #[test]
    fn a_range_by_its_step_includes_both_ends() {
        let v = Vary::parse("model.bloc_threat=0..1/0.05").unwrap();
        assert_eq!(v.values.len(), 21);
        assert_eq!((v.values[0], v.values[1], v.values[20]), (0.0, 0.05, 1.0));
        assert_eq!(v.values, Vary::parse("model.bloc_threat=0..1:21").unwrap().values);
        assert_eq!(v.range, Some((0.0, 1.0)));
        assert_eq!(Vary::parse("x=0.1..0.4/0.1").unwrap().values, vec![0.1, 0.2, 0.3, 0.4]);
        let m = Vary::parse("x=*0.5..*1.5/0.25").unwrap();
        assert_eq!((m.values.clone(), m.relative), (vec![0.5, 0.75, 1.0, 1.25, 1.5], true));
        assert_eq!(Vary::parse("x=1..0/0.5").unwrap().values, vec![1.0, 0.5, 0.0]);
        for (spec, expect) in [
            ("x=0..1/0.3", "not a whole number of steps"),
            ("x=0..1/0", "not a step"),
            ("x=0..1/-0.1", "not a step"),
            ("x=0..1/0.1:5", "not both"),
            ("x=0.1/0.1", "LO..HI/STEP"),
            ("x=0..1/1e-6", "at most"),
        ] {
            let e = Vary::parse(spec).unwrap_err().to_string();
            assert!(e.contains(expect), "{spec}: {e}");
        }
    }

    #[test]
    fn bad_specs_say_what_would_be_valid() {
        for (spec, expect) in [
            ("model.temperature", "expected PATH=VALUES"),
            ("=0.1", "the path is empty"),
            ("model.temperature=", "no values"),
            ("model.temperature=0.2..0.2:4", "is empty"),
            ("model.temperature=0.1..0.4:1", "at least 2 points"),
            ("model.temperature=0.1..0.4:x", "not a number of points"),
            ("model.temperature=0.1,warm", "`warm` is not a number"),
            ("model.temperature=*0.5..2", "both ends"),
            ("model.temperature=*0.5,1", "every value of a list"),
            ("model.temperature=0.1,0.2:3", "not of a list"),
            ("model.temperature=inf", "not a number"),
        ] {
            let e = Vary::parse(spec).unwrap_err().to_string();
            assert!(e.contains(expect), "{spec}: {e}");
            assert!(e.starts_with(&format!("--vary {spec}")), "{e}");
        }
    }
}
