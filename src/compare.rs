//! The comparison layer: variants of a scenario (or run directories) side by side, on common
//! random numbers. `pactsim compare` and `pactsim serve` both compute a comparison here, with
//! [`run_variants`]; [`crate::plot::draw_compare`] draws it and [`crate::report::compare`]
//! writes it. It sits above [`crate::run`] and the run summary ([`crate::report::Summary`]) and
//! below the chart and file writers, so nothing here calls up into them.

use std::path::PathBuf;

use crate::report::{self, ReportError, Summary};
use crate::run::{RunResult, Tally};
use crate::scenario::Scenario;

#[derive(Debug, thiserror::Error)]
pub enum CompareError {
    #[error("--variant `{spec}`: {message}")]
    Variant { spec: String, message: String },
    #[error("{0}")]
    Report(#[from] ReportError),
}

/// A `--variant NAME:KEY=VALUE[,KEY=VALUE...]` as given on the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VariantSpec {
    pub name: String,
    /// `KEY=VALUE` overrides, as `--set` takes them.
    pub sets: Vec<String>,
}

/// Whether `name` can name a variant (it becomes a directory name): letters, digits, `-`, `_`
/// and `.`, not starting with `.` or `-`.
pub fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && !name.starts_with(['.', '-'])
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

impl VariantSpec {
    /// Parses `NAME:KEY=VALUE[,KEY=VALUE...]`. Commas inside brackets or quotes belong to the
    /// value (`pact.X.members=["A","B"]`).
    pub fn parse(spec: &str) -> Result<VariantSpec, CompareError> {
        let err = |message: &str| CompareError::Variant {
            spec: spec.to_string(),
            message: message.to_string(),
        };
        let (name, rest) = spec
            .split_once(':')
            .ok_or_else(|| err("expected NAME:KEY=VALUE[,KEY=VALUE...], e.g. no-invasion:event.invasion.enabled=false"))?;
        let name = name.trim();
        if !valid_name(name) {
            return Err(err(
                "the name may use letters, digits, '-', '_' and '.', and not start with '.' or '-'",
            ));
        }
        let mut sets = Vec::new();
        let (mut depth, mut quote, mut cur) = (0i32, None::<char>, String::new());
        for c in rest.chars() {
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (Some(_), _) => {}
                (None, '"' | '\'') => quote = Some(c),
                (None, '[' | '{') => depth += 1,
                (None, ']' | '}') => depth -= 1,
                (None, ',') if depth == 0 => {
                    sets.push(std::mem::take(&mut cur).trim().to_string());
                    continue;
                }
                _ => {}
            }
            cur.push(c);
        }
        sets.push(cur.trim().to_string());
        sets.retain(|s| !s.is_empty());
        if sets.is_empty() {
            return Err(err("give at least one KEY=VALUE after the name"));
        }
        if let Some(bad) = sets.iter().find(|s| !s.contains('=')) {
            return Err(err(&format!("`{bad}` is not KEY=VALUE")));
        }
        Ok(VariantSpec {
            name: name.to_string(),
            sets,
        })
    }
}

/// One variant's results and where they came from.
#[derive(Debug, Clone)]
pub struct Variant {
    pub name: String,
    /// The scenario file or run directory.
    pub source: PathBuf,
    /// Overrides applied to the file (global `--set` first, then the variant's).
    pub sets: Vec<String>,
    /// Simulated here (true) or read from a run directory (false).
    pub simulated: bool,
    pub summary: Summary,
    pub tally: Option<Tally>,
    /// `scenario.resolved.toml` text, when known.
    pub resolved: Option<String>,
}

/// One state–pact pair in two variants.
#[derive(Debug, Clone, PartialEq)]
pub struct Difference {
    pub a: String,
    pub b: String,
    pub pact: String,
    pub state: String,
    pub p_a: f64,
    pub p_b: f64,
    /// `p_b − p_a`.
    pub diff: f64,
}

#[derive(Debug, Clone)]
pub struct Comparison {
    pub variants: Vec<Variant>,
    /// Every pair (pact, state) present in both variants, for each variant against the first;
    /// by variant, then largest absolute difference first.
    pub differences: Vec<Difference>,
}

impl Comparison {
    pub fn new(variants: Vec<Variant>) -> Comparison {
        let mut differences = Vec::new();
        if let Some((base, rest)) = variants.split_first() {
            for v in rest {
                let mut pair = differences_between(base, v);
                pair.sort_by(|x: &Difference, y: &Difference| {
                    y.diff
                        .abs()
                        .total_cmp(&x.diff.abs())
                        .then_with(|| x.pact.cmp(&y.pact))
                        .then_with(|| x.state.cmp(&y.state))
                });
                differences.extend(pair);
            }
        }
        Comparison { variants, differences }
    }

    /// Whether every variant ran with the same master seed and number of replicates (common
    /// random numbers: replicate i of each variant uses the same random stream).
    pub fn common_random_numbers(&self) -> bool {
        let first = &self.variants[0].summary;
        self.variants
            .iter()
            .all(|v| v.summary.seed == first.seed && v.summary.runs == first.runs)
    }

    /// The differences of variant `b` against the first variant.
    pub fn of(&self, b: &str) -> impl Iterator<Item = &Difference> {
        self.differences.iter().filter(move |d| d.b == b)
    }

    pub fn names(&self) -> Vec<&str> {
        self.variants.iter().map(|v| v.name.as_str()).collect()
    }
}

fn differences_between(a: &Variant, b: &Variant) -> Vec<Difference> {
    let mut out = Vec::new();
    for pact in &a.summary.pacts {
        for state in &a.summary.states {
            let (Some(ma), Some(mb)) = (a.summary.get(&pact.id, &state.id), b.summary.get(&pact.id, &state.id)) else {
                continue;
            };
            out.push(Difference {
                a: a.name.clone(),
                b: b.name.clone(),
                pact: pact.id.clone(),
                state: state.id.clone(),
                p_a: ma.p_final,
                p_b: mb.p_final,
                diff: mb.p_final - ma.p_final,
            });
        }
    }
    out
}

/// What one variant is before it is run or read.
pub enum Input {
    /// A scenario, loaded with `sets` applied, from `path`.
    Scenario {
        path: PathBuf,
        sets: Vec<String>,
        scenario: Box<Scenario>,
    },
    /// A run directory with `summary.json` (and, if there, `tally.json` and the resolved scenario).
    RunDir(PathBuf),
}

/// Runs (or reads) every input under its name, scenarios on the same `seed` and `runs`
/// replicates (common random numbers), and compares them against the first. `simulate` plays a
/// scenario's replicates `0..runs` from `seed` (the CLI's shows a progress bar, the server's
/// can be cancelled and caches); when it returns None the comparison is abandoned (None).
pub fn run_variants(
    inputs: Vec<(String, Input)>,
    seed: u64,
    runs: u32,
    simulate: &mut dyn FnMut(&Scenario, u64, u32) -> Option<RunResult>,
) -> Result<Option<Comparison>, CompareError> {
    let mut variants = Vec::new();
    for (name, input) in inputs {
        variants.push(match input {
            Input::Scenario { path, sets, scenario } => {
                let Some(result) = simulate(&scenario, seed, runs) else {
                    return Ok(None);
                };
                Variant {
                    name,
                    source: path,
                    sets,
                    simulated: true,
                    summary: Summary::new(&scenario, &result.tally, seed),
                    tally: Some(result.tally),
                    resolved: Some(scenario.resolved_toml.clone()),
                }
            }
            Input::RunDir(dir) => {
                let tally_path = dir.join("tally.json");
                let tally: Option<Tally> = if tally_path.is_file() {
                    Some(report::json::read(&tally_path)?)
                } else {
                    None
                };
                let resolved = std::fs::read_to_string(dir.join("scenario.resolved.toml")).ok();
                Variant {
                    name,
                    summary: report::json::read(&dir.join("summary.json"))?,
                    source: dir,
                    sets: Vec::new(),
                    simulated: false,
                    tally,
                    resolved,
                }
            }
        });
    }
    Ok(Some(Comparison::new(variants)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_variants() {
        let v = VariantSpec::parse("no-invasion:event.invasion.enabled=false").unwrap();
        assert_eq!(v.name, "no-invasion");
        assert_eq!(v.sets, vec!["event.invasion.enabled=false"]);
        let v = VariantSpec::parse("x:a.b=1, pact.P.members=[\"A\",\"B\"],c.d='x,y'").unwrap();
        assert_eq!(v.sets, vec!["a.b=1", "pact.P.members=[\"A\",\"B\"]", "c.d='x,y'"]);
    }

    #[test]
    fn rejects_bad_variants() {
        for bad in ["noname", ":a=1", "../x:a=1", "x:", "x:a"] {
            assert!(VariantSpec::parse(bad).is_err(), "{bad}");
        }
    }
}
