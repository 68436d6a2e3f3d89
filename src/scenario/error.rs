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
    #[error("{} is not a valid scenario:\n{}", path.display(), Problems(problems))]
    Invalid { path: PathBuf, problems: Vec<Problem> },
}

/// One thing wrong in a scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// Line and column (1-based) in the scenario file, when known.
    pub location: Option<(usize, usize)>,
    /// Dotted key path in the `--set` syntax, e.g. `pact.NATO.members`.
    pub key: String,
    pub message: String,
}

struct Problems<'a>(&'a [Problem]);

impl fmt::Display for Problems<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "  ")?;
            if let Some((line, col)) = p.location {
                write!(f, "line {line}, column {col}: ")?;
            }
            write!(f, "{}: {}", p.key, p.message)?;
        }
        Ok(())
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
    fn locates_lines_and_columns() {
        let idx = LineIndex::new(Some("a = 1\nbb = 2\n"));
        assert_eq!(idx.locate(6..8), Some((2, 1)));
        assert_eq!(idx.locate(9..10), Some((2, 4)));
        assert_eq!(idx.locate(0..0), None);
    }
}
