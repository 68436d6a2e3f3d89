//! Errors of the scenario layer. Each names the file, where in it (line and column, or the key
//! path when the value came from `--set`) and what would be valid.

use std::fmt;
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    #[error("cannot read scenario {}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// TOML syntax, a wrong type or an unknown key. `message` is toml's own rendering, which
    /// shows the line, the column and a caret under the offending text.
    #[error("{}: {message}", path.display())]
    Parse { path: PathBuf, message: String },
    /// A `--set KEY=VALUE` that cannot be applied.
    #[error("--set {spec}: {message}")]
    Override { spec: String, message: String },
    /// The file parsed but says something impossible (unknown id, value out of range, ...).
    /// A problem with a value a `--set` gave names that `--set` rather than the file.
    #[error("{}", Invalid { path, problems, sets })]
    Invalid {
        path: PathBuf,
        problems: Vec<Problem>,
        /// The `--set KEY=VALUE`s applied to the file (empty when there were none).
        sets: Vec<String>,
    },
}

impl ScenarioError {
    /// Marks each problem of an invalid scenario that is about a value one of `sets` gave (the
    /// last one to set it) with that `--set`, so the message names it.
    pub(super) fn with_sets(self, sets: &[String]) -> Self {
        match self {
            ScenarioError::Invalid { path, mut problems, .. } => {
                for p in &mut problems {
                    p.set = sets
                        .iter()
                        .rev()
                        .find(|spec| spec.split_once('=').is_some_and(|(k, _)| covers(k.trim(), &p.key)))
                        .cloned();
                }
                ScenarioError::Invalid {
                    path,
                    problems,
                    sets: sets.to_vec(),
                }
            }
            e => e,
        }
    }
}

/// One thing wrong in a scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// Line and column (1-based) in the scenario file, when known.
    pub location: Option<(usize, usize)>,
    /// Dotted key path in the `--set` syntax, e.g. `pact.NATO.members`.
    pub key: String,
    pub message: String,
    /// The `--set KEY=VALUE` that gave the value, when one did.
    pub set: Option<String>,
}

/// Whether a `--set` of `path` gave the value a problem's `key` is about: the same value, a
/// value inside it (`pact.NATO.members` and `pact.NATO.members[1]`), or the element it is in
/// (`event.war.round` and `event.war`). A relation is named either way round.
fn covers(path: &str, key: &str) -> bool {
    let norm = |s: &str| s.replace('[', ".").replace(']', "");
    let (path, key) = (norm(path), norm(key));
    let within = |a: &str, b: &str| a == b || a.strip_prefix(b).is_some_and(|rest| rest.starts_with('.'));
    let swapped = path.strip_prefix("relation.").and_then(|rest| {
        let (pair, tail) = rest.split_once('.').unwrap_or((rest, ""));
        let (a, b) = pair.split_once('-')?;
        Some(if tail.is_empty() {
            format!("relation.{b}-{a}")
        } else {
            format!("relation.{b}-{a}.{tail}")
        })
    });
    [Some(path), swapped]
        .into_iter()
        .flatten()
        .any(|p| within(&key, &p) || within(&p, &key))
}

struct Invalid<'a> {
    path: &'a PathBuf,
    problems: &'a [Problem],
    sets: &'a [String],
}

impl fmt::Display for Invalid<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // One bad --set value: the --set is the whole story.
        if let [p] = self.problems
            && let Some(set) = &p.set
        {
            return write!(f, "--set {set}: {}", Problem::without_set_key(p));
        }
        write!(f, "{}", self.path.display())?;
        match self.sets {
            [] => {}
            sets if sets.len() <= 3 => write!(f, " with --set {}", sets.join(" --set "))?,
            sets => write!(f, " with {} --set values", sets.len())?,
        }
        write!(f, " is not a valid scenario:")?;
        for p in self.problems {
            write!(f, "\n  ")?;
            if let Some(set) = &p.set {
                write!(f, "--set {set}: {}", Problem::without_set_key(p))?;
                continue;
            }
            if let Some((line, col)) = p.location {
                write!(f, "line {line}, column {col}: ")?;
            }
            write!(f, "{}: {}", p.key, p.message)?;
        }
        Ok(())
    }
}

impl Problem {
    /// The message, after the key when the `--set` that gave the value names another path.
    fn without_set_key(p: &Problem) -> String {
        let path = p.set.as_deref().and_then(|s| s.split_once('=')).map(|(k, _)| k.trim());
        if path == Some(p.key.as_str()) {
            p.message.clone()
        } else {
            format!("{}: {}", p.key, p.message)
        }
    }
}

/// Turns byte offsets into 1-based line and column numbers.
pub(crate) struct LineIndex<'a> {
    text: Option<&'a str>,
}

impl<'a> LineIndex<'a> {
    pub fn new(text: Option<&'a str>) -> Self {
        Self { text }
    }

    pub fn locate(&self, span: std::ops::Range<usize>) -> Option<(usize, usize)> {
        let text = self.text?;
        if span.start == 0 && span.end == 0 || span.start > text.len() {
            return None; // a default value: it has no place in the file
        }
        let before = &text[..span.start];
        let line = before.matches('\n').count() + 1;
        let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        Some((line, col))
    }
}

/// "did you mean `FIN`?" plus the list of what is valid (shortened when long).
pub(crate) fn suggest<'a>(given: &str, valid: impl IntoIterator<Item = &'a str>) -> String {
    let valid: Vec<&str> = valid.into_iter().collect();
    let closest = valid
        .iter()
        .map(|v| (edit_distance(&given.to_lowercase(), &v.to_lowercase()), *v))
        .filter(|(d, v)| *d <= 2.max(v.len() / 3))
        .min();
    let mut out = String::new();
    if let Some((_, v)) = closest {
        out.push_str(&format!("did you mean `{v}`? "));
    }
    if valid.is_empty() {
        out.push_str("there is nothing to choose from");
    } else {
        let shown: Vec<String> = valid.iter().take(24).map(|v| format!("`{v}`")).collect();
        out.push_str(&format!("valid: {}", shown.join(", ")));
        if valid.len() > 24 {
            out.push_str(&format!(" and {} more", valid.len() - 24));
        }
    }
    out
}

/// Optimal-string-alignment distance: edits, with a swap of two neighbours counting one.
fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    d[0] = (0..=b.len()).collect();
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            d[i][j] = (d[i - 1][j] + 1).min(d[i][j - 1] + 1).min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d[i][j] = d[i][j].min(d[i - 2][j - 2] + 1);
            }
        }
    }
    d[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_the_closest_id() {
        let s = suggest("FNI", ["FIN", "SWE", "RUS"]);
        assert!(s.starts_with("did you mean `FIN`?"), "{s}");
        assert!(suggest("XYZ", ["FIN"]).starts_with("valid: `FIN`"));
    }

    #[test]
    fn a_problem_is_matched_to_the_set_that_gave_its_value() {
        assert!(covers("state.FIN.neutrality", "state.FIN.neutrality"));
        assert!(covers("pact.NATO.members", "pact.NATO.members[1]"));
        assert!(covers("event.war.round", "event.war"));
        assert!(covers("relation.RUS-FIN.hostility", "relation.FIN-RUS.hostility"));
        assert!(covers("state.FIN.support", "state.FIN.support.start"));
        assert!(!covers("state.FIN.neutrality", "state.FIN.commitment"));
        assert!(!covers("state.FI.neutrality", "state.FIN.neutrality"));
        assert!(!covers("scenario.rounds", "event.war"));
    }

    #[test]
    fn locates_lines_and_columns() {
        let idx = LineIndex::new(Some("a = 1\nbb = 2\n"));
        assert_eq!(idx.locate(6..8), Some((2, 1)));
        assert_eq!(idx.locate(9..10), Some((2, 4)));
        assert_eq!(idx.locate(0..0), None);
    }
}
