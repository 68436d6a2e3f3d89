//! Errors as Python exceptions: `pactsim.PactsimError` for any error of a study, and its
//! subclass `pactsim.ScenarioError` for a scenario that does not load, carrying `file`, `line`,
//! `column`, `message` and `problems` (each problem's line, column, key, message and the `set`
//! that gave the value). A cancelled study raises `KeyboardInterrupt`.

use pyo3::create_exception;
use pyo3::exceptions::{PyException, PyKeyboardInterrupt};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use pactsim::scenario::ScenarioError as Scenario;
use pactsim::study::StudyError;

create_exception!(
    _pactsim,
    PactsimError,
    PyException,
    "An error of pactsim: a bad option, or inputs that do not go together."
);
create_exception!(
    _pactsim,
    ScenarioError,
    PactsimError,
    "A scenario that does not load: `file`, `line` and `column` (None when unknown), `message`, and `problems`."
);

/// The message of `e` followed by its sources, as the command line prints them.
fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let more = s.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        source = s.source();
    }
    text
}

/// `line N, column M` (toml's rendering of a syntax error's place), if the message has it.
fn place(message: &str) -> Option<(usize, usize)> {
    let at = message.find("line ")?;
    let rest = &message[at + 5..];
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    let line = digits.parse().ok()?;
    let column = rest
        .find("column ")
        .map(|c| rest[c + 7..].chars().take_while(char::is_ascii_digit).collect::<String>())
        .and_then(|d| d.parse().ok())
        .unwrap_or(0);
    Some((line, column))
}

/// A [`Scenario`] error as `pactsim.ScenarioError`, with the full message as its text.
pub fn scenario_error(e: &Scenario) -> PyErr {
    scenario_error_with(e, chain(e))
}

/// Line and column (1-based), when known.
type Place = Option<(usize, usize)>;

fn scenario_error_with(e: &Scenario, message: String) -> PyErr {
    Python::attach(|py| {
        let err = ScenarioError::new_err(message.clone());
        let problems: Vec<(Place, &str, &str, Option<&str>)> = match e {
            Scenario::Invalid { problems, .. } => problems
                .iter()
                .map(|p| (p.location, p.key.as_str(), p.message.as_str(), p.set.as_deref()))
                .collect(),
            _ => Vec::new(),
        };
        let (file, place): (Option<String>, Place) = match e {
            Scenario::Io { path, .. } => (Some(path.display().to_string()), None),
            Scenario::Parse { path, message } => (Some(path.display().to_string()), place(message)),
            Scenario::Override { .. } => (None, None),
            Scenario::Invalid { path, .. } => (Some(path.display().to_string()), problems.iter().find_map(|p| p.0)),
        };
        let filled = (|| -> PyResult<()> {
            let value = err.value(py);
            value.setattr("file", file)?;
            value.setattr("line", place.map(|l| l.0))?;
            value.setattr("column", place.map(|l| l.1).filter(|&c| c > 0))?;
            value.setattr("message", &message)?;
            let list = problems
                .iter()
                .map(|(at, key, text, set)| {
                    let d = PyDict::new(py);
                    d.set_item("line", at.map(|l| l.0))?;
                    d.set_item("column", at.map(|l| l.1))?;
                    d.set_item("key", key)?;
                    d.set_item("message", text)?;
                    d.set_item("set", set)?;
                    Ok(d)
                })
                .collect::<PyResult<Vec<_>>>()?;
            value.setattr("problems", list)
        })();
        match filled {
            Ok(()) => err,
            Err(e) => e,
        }
    })
}

/// A study's error: `KeyboardInterrupt` when cancelled, `ScenarioError` when a scenario (or a
/// point of a design) does not load, else `PactsimError`; the text names the place as the CLI
/// does.
pub fn study_error(e: &StudyError) -> PyErr {
    let message = chain(e);
    let mut inner = e;
    while let StudyError::At { source, .. } = inner {
        inner = source;
    }
    match inner {
        StudyError::Cancelled => PyKeyboardInterrupt::new_err("pactsim: the study was cancelled"),
        StudyError::Scenario(s) => scenario_error_with(s, message),
        _ => PactsimError::new_err(message),
    }
}
