//! A comparison: variants of a scenario (or saved runs) side by side, on common random numbers.
//! `pactsim compare` plans one with [`plan`] and runs it with [`run`]; `pactsim serve` compares
//! the edited scenario with the file as written ([`against_file`]) through [`run_variants`],
//! with its own cached, cancellable simulation. [`crate::plot::draw_compare`] draws it,
//! [`crate::report::compare`] writes its files and [`crate::pages::write_compare`] its page.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use super::{FormedInfo, Progress, StudyError, Summary, file_stem};
use crate::run::{RunResult, RunSpec, Tally};
use crate::scenario::Scenario;

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
    pub fn parse(spec: &str) -> Result<VariantSpec, StudyError> {
        let err = |message: &str| StudyError::Variant {
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

/// One state–pact pair in two variants: the base (the first variant) and another.
#[derive(Debug, Clone, PartialEq)]
pub struct Difference {
    /// The names of the base variant and of the variant compared with it.
    pub base: String,
    pub variant: String,
    pub pact: String,
    pub state: String,
    /// P(member at the end) in each.
    pub p_base: f64,
    pub p_variant: f64,
    /// `p_variant − p_base`.
    pub change: f64,
}

#[derive(Debug, Clone)]
pub struct Comparison {
    pub variants: Vec<Variant>,
    /// Every pair (pact, state) present in both variants — and every state ever in a pact a
    /// template formed in either — for each variant against the first; by variant, then largest
    /// absolute difference first.
    pub differences: Vec<Difference>,
}

impl Comparison {
    pub fn new(variants: Vec<Variant>) -> Comparison {
        let mut differences = Vec::new();
        if let Some((base, rest)) = variants.split_first() {
            for v in rest {
                let mut pair = differences_between(base, v);
                pair.sort_by(|x: &Difference, y: &Difference| {
                    y.change
                        .abs()
                        .total_cmp(&x.change.abs())
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
        self.differences.iter().filter(move |d| d.variant == b)
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
                base: a.name.clone(),
                variant: b.name.clone(),
                pact: pact.id.clone(),
                state: state.id.clone(),
                p_base: ma.p_final,
                p_variant: mb.p_final,
                change: mb.p_final - ma.p_final,
            });
        }
    }
    out.extend(formed_differences(a, b));
    out
}

/// The formed pacts (docs/MODEL.md §5b) of either variant, by stable id: each state that was
/// ever a member of it in either, with P(member at the end) in each — 0 in a variant in which
/// it never formed or the state was never in it (a formed pact is the same pact in every variant
/// as in every replicate: its template and founders).
fn formed_differences(a: &Variant, b: &Variant) -> Vec<Difference> {
    let mut ids: BTreeSet<&String> = a.summary.formed.keys().collect();
    ids.extend(b.summary.formed.keys());
    let mut out = Vec::new();
    for id in ids {
        let (fa, fb) = (a.summary.formed.get(id), b.summary.formed.get(id));
        let mut states: BTreeSet<&String> = BTreeSet::new();
        for f in [fa, fb].into_iter().flatten() {
            states.extend(f.membership.keys());
        }
        let p = |f: Option<&FormedInfo>, st: &String| f.and_then(|f| f.membership.get(st)).map_or(0.0, |m| m.p_final);
        for st in states {
            let (pa, pb) = (p(fa, st), p(fb, st));
            out.push(Difference {
                base: a.name.clone(),
                variant: b.name.clone(),
                pact: id.clone(),
                state: st.clone(),
                p_base: pa,
                p_variant: pb,
                change: pb - pa,
            });
        }
    }
    out
}

/// A pact a template formed in at least one variant, with how often it formed in each.
#[derive(Debug, Clone, PartialEq)]
pub struct FormedRow {
    /// The stable id (template and founders).
    pub id: String,
    pub template: String,
    pub kind: String,
    pub founders: Vec<String>,
    /// P(formed) in each variant, in the comparison's order (0 where it never formed).
    pub p_formed: Vec<f64>,
    /// P(alive after the last round) in each variant.
    pub p_alive_end: Vec<f64>,
}

impl Comparison {
    /// Every pact a template formed in some variant, the most frequent (in any variant) first,
    /// ties by id.
    pub fn formed(&self) -> Vec<FormedRow> {
        let mut rows: BTreeMap<&String, FormedRow> = BTreeMap::new();
        let n = self.variants.len();
        for (k, v) in self.variants.iter().enumerate() {
            for (id, f) in &v.summary.formed {
                let row = rows.entry(id).or_insert_with(|| FormedRow {
                    id: id.clone(),
                    template: f.template.clone(),
                    kind: f.kind.clone(),
                    founders: f.founders.clone(),
                    p_formed: vec![0.0; n],
                    p_alive_end: vec![0.0; n],
                });
                row.p_formed[k] = f.p_formed;
                row.p_alive_end[k] = f.p_alive_by_round.last().copied().unwrap_or(0.0);
            }
        }
        let mut rows: Vec<FormedRow> = rows.into_values().collect();
        let top = |r: &FormedRow| r.p_formed.iter().copied().fold(0.0f64, f64::max);
        rows.sort_by(|x, y| top(y).total_cmp(&top(x)).then_with(|| x.id.cmp(&y.id)));
        rows
    }
}

/// A run saved in a directory (by `pactsim run` or `merge`), read back.
#[derive(Debug, Clone)]
pub struct SavedRun {
    pub dir: PathBuf,
    pub summary: Summary,
    /// Its `tally.json`, if it has one.
    pub tally: Option<Tally>,
    /// Its `scenario.resolved.toml`, if it has one.
    pub resolved: Option<String>,
}

/// What one variant is before it is run.
pub enum Input {
    /// A scenario, loaded with `sets` applied, from `path`.
    Scenario {
        path: PathBuf,
        sets: Vec<String>,
        scenario: Box<Scenario>,
    },
    /// A saved run, compared as it is.
    Saved(Box<SavedRun>),
}

/// Runs (or takes as saved) every input under its name, scenarios on the same `seed` and
/// `runs` replicates (common random numbers), and compares them against the first. `simulate`
/// plays a scenario's replicates `0..runs` from `seed` (the CLI's shows a progress bar, the
/// server's can be cancelled and caches); when it returns None the comparison is abandoned
/// (None).
pub fn run_variants(
    inputs: Vec<(String, Input)>,
    seed: u64,
    runs: u32,
    simulate: &mut dyn FnMut(&Scenario, u64, u32) -> Option<RunResult>,
) -> Option<Comparison> {
    let mut variants = Vec::new();
    for (name, input) in inputs {
        variants.push(match input {
            Input::Scenario { path, sets, scenario } => {
                let result = simulate(&scenario, seed, runs)?;
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
            Input::Saved(saved) => {
                let saved = *saved;
                Variant {
                    name,
                    summary: saved.summary,
                    source: saved.dir,
                    sets: Vec::new(),
                    simulated: false,
                    tally: saved.tally,
                    resolved: saved.resolved,
                }
            }
        });
    }
    Some(Comparison::new(variants))
}

/// An input as given: a scenario file or a saved run.
pub enum Given {
    File(PathBuf),
    Saved(Box<SavedRun>),
}

/// What `pactsim compare` is asked to compare.
pub struct CompareOptions {
    /// Scenario files and saved runs, in order.
    pub given: Vec<Given>,
    /// Variants of the one scenario file (`--variant NAME:KEY=VALUE,...`).
    pub variants: Vec<VariantSpec>,
    /// Overrides of every scenario file, before any variant's.
    pub sets: Vec<String>,
    pub runs: Option<u32>,
    pub seed: Option<u64>,
}

/// A comparison ready to run: every variant loaded under a unique name.
pub struct ComparePlan {
    pub inputs: Vec<(String, Input)>,
    pub seed: u64,
    pub runs: u32,
}

impl ComparePlan {
    pub fn names(&self) -> Vec<&str> {
        self.inputs.iter().map(|(n, _)| n.as_str()).collect()
    }

    /// Whether any variant is simulated (not only saved runs).
    pub fn simulates(&self) -> bool {
        self.inputs.iter().any(|(_, i)| matches!(i, Input::Scenario { .. }))
    }
}

/// Loads every variant first, so a typo fails before anything runs: each scenario file with
/// `sets`, and each `--variant` of the one file with `sets` and its own. Names are the files'
/// and directories' stems and the variants' names, made unique. Replicates and seed default to
/// the first scenario's (1000 and 1 when every input is a saved run).
pub fn plan(options: CompareOptions) -> Result<ComparePlan, StudyError> {
    let CompareOptions {
        given,
        variants,
        sets,
        runs,
        seed,
    } = options;
    if !variants.is_empty() && (given.len() != 1 || matches!(given[0], Given::Saved(_))) {
        return Err(StudyError::Invalid(format!(
            "--variant needs exactly one scenario file (got {} inputs)",
            given.len()
        )));
    }
    if given.len() + variants.len() < 2 {
        return Err(StudyError::Invalid(
            "compare needs at least two variants: two or more scenario files or run directories, or one scenario file with --variant NAME:KEY=VALUE".into(),
        ));
    }
    if runs == Some(0) {
        return Err(StudyError::Invalid("--runs must be at least 1".into()));
    }
    let mut inputs = Vec::new();
    let mut names = Vec::new();
    let mut file = None;
    for g in given {
        match g {
            Given::Saved(saved) => {
                names.push(file_stem(&saved.dir));
                inputs.push(Input::Saved(saved));
            }
            Given::File(path) => {
                let sc = crate::scenario::load(&path, &sets)?;
                names.push(file_stem(&path));
                file = Some(path.clone());
                inputs.push(Input::Scenario {
                    path,
                    sets: sets.clone(),
                    scenario: Box::new(sc),
                });
            }
        }
    }
    for spec in &variants {
        let path = file.clone().expect("one scenario file (checked above)");
        let all: Vec<String> = sets.iter().chain(&spec.sets).cloned().collect();
        let sc = crate::scenario::load(&path, &all).map_err(|e| StudyError::from(e).at(format!("variant {}", spec.name)))?;
        inputs.push(Input::Scenario {
            path,
            sets: all,
            scenario: Box::new(sc),
        });
        names.push(spec.name.clone());
    }
    let first = inputs.iter().find_map(|i| match i {
        Input::Scenario { scenario, .. } => Some(scenario),
        Input::Saved(_) => None,
    });
    let seed = seed.or(first.map(|s| s.seed)).unwrap_or(1);
    let runs = runs.or(first.map(|s| s.runs)).unwrap_or(1000);
    Ok(ComparePlan {
        inputs: unique(names).into_iter().zip(inputs).collect(),
        seed,
        runs,
    })
}

/// Makes every name unique by appending -2, -3, … to repeats.
fn unique(names: Vec<String>) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    names
        .into_iter()
        .map(|n| {
            let mut name = n.clone();
            let mut k = 2;
            while !seen.insert(name.clone()) {
                name = format!("{n}-{k}");
                k += 1;
            }
            name
        })
        .collect()
}

/// Runs the plan's scenarios (replicates counted in `progress`, one variant after another)
/// and compares every variant against the first.
pub fn run(plan: ComparePlan, progress: &dyn Progress) -> Result<Comparison, StudyError> {
    let cmp = run_variants(plan.inputs, plan.seed, plan.runs, &mut |sc, seed, runs| {
        if progress.cancelled() {
            return None;
        }
        let spec = RunSpec {
            seed,
            replicates: 0..u64::from(runs),
            keep_decisions: 0,
        };
        Some(super::simulate(sc, &spec, &[], progress).0)
    });
    match cmp {
        Some(cmp) => Ok(cmp),
        None => Err(StudyError::Cancelled),
    }
}

/// The name of the file as written in [`against_file`].
pub const AS_WRITTEN: &str = "as-written";
/// The name of the edited scenario in [`against_file`].
pub const EDITED: &str = "edited";

/// The inputs of the live page's comparison: the scenario file at `path` as written, then
/// `edited` (the file after `sets`).
pub fn against_file(path: &Path, written: Scenario, edited: Scenario, sets: Vec<String>) -> Vec<(String, Input)> {
    vec![
        (
            AS_WRITTEN.to_string(),
            Input::Scenario {
                path: path.to_path_buf(),
                sets: Vec::new(),
                scenario: Box::new(written),
            },
        ),
        (
            EDITED.to_string(),
            Input::Scenario {
                path: path.to_path_buf(),
                sets,
                scenario: Box::new(edited),
            },
        ),
    ]
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
