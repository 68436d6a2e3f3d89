//! `compare`: runs of several variants side by side. The differences table (`compare.csv`), the
//! variants' own results, the charts and `compare.html`, written into one directory atomically.

use std::path::{Path, PathBuf};

use super::{ReportError, Staging, Summary, io_err};
use crate::plot::{self, PlotError};
use crate::run::Tally;

#[derive(Debug, thiserror::Error)]
pub enum CompareError {
    #[error("--variant `{spec}`: {message}")]
    Variant { spec: String, message: String },
    #[error("{0}")]
    Report(#[from] ReportError),
    #[error("{0}")]
    Plot(#[from] PlotError),
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

/// variant_a, variant_b, pact, state, p_final_a, p_final_b, difference (b − a).
pub fn write_csv(dir: &Path, cmp: &Comparison) -> Result<(), ReportError> {
    let path = dir.join("compare.csv");
    let err = |source| ReportError::Csv {
        path: path.clone(),
        source,
    };
    let mut w = csv::Writer::from_path(&path).map_err(err)?;
    w.write_record(["variant_a", "variant_b", "pact", "state", "p_final_a", "p_final_b", "difference"])
        .map_err(err)?;
    for d in &cmp.differences {
        w.write_record([
            d.a.as_str(),
            &d.b,
            &d.pact,
            &d.state,
            &d.p_a.to_string(),
            &d.p_b.to_string(),
            &d.diff.to_string(),
        ])
        .map_err(err)?;
    }
    w.flush().map_err(io_err(&path))
}

/// Writes the comparison into `out` atomically: `compare.csv`, `compare.html`, `charts/`, and
/// each variant's `summary.json`, `tally.json` and resolved scenario under `variants/NAME/`.
pub fn write_dir(out: &Path, cmp: &Comparison) -> Result<PathBuf, CompareError> {
    let staging = Staging::new(out)?;
    let dir = staging.path();
    for v in &cmp.variants {
        let vdir = dir.join("variants").join(&v.name);
        std::fs::create_dir_all(&vdir).map_err(io_err(&vdir))?;
        super::json::write_summary(&vdir, &v.summary)?;
        if let Some(t) = &v.tally {
            super::json::write_tally(&vdir, t)?;
        }
        if let Some(text) = &v.resolved {
            let p = vdir.join("scenario.resolved.toml");
            std::fs::write(&p, text).map_err(io_err(&p))?;
        }
    }
    write_csv(dir, cmp)?;
    let charts = plot::draw_compare(&dir.join("charts"), cmp)?;
    super::html::write_compare(dir, cmp, &charts)?;
    Ok(staging.commit()?)
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
