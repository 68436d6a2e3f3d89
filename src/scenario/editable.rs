//! The values of a scenario a person may edit, each with its `--set` path, its kind and the range
//! validation accepts: what `pactsim serve` turns into controls. Generated from the scenario
//! with every default written out, so a key the file leaves at its default is editable too, and
//! from the ranges [`super::resolve`] checks, so a control offers exactly what validation
//! accepts.

use serde::Serialize;
use toml::Value;

use super::overrides;
use super::schema::RawScenario;
use super::{Admission, MAX_COUNT, MAX_ROUNDS, RoundUnit, ScenarioError, Source};

/// How a value is edited.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EditKind {
    /// A real number in `min..=max`.
    Number,
    /// A whole number in `min..=max`.
    Integer,
    /// A switch.
    Bool,
    /// One of `choices`.
    Choice,
    /// A calendar date, `YYYY-MM` or `YYYY-MM-DD`.
    Date,
}

/// The value as the scenario has it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum EditValue {
    Number(f64),
    Integer(i64),
    Bool(bool),
    Text(String),
}

/// One editable value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Editable {
    /// The `--set` path, e.g. `state.FIN.support.start`.
    pub path: String,
    /// `scenario`, `model`, `states`, `relations`, `pacts` or `events`.
    pub group: &'static str,
    pub kind: EditKind,
    pub value: EditValue,
    /// The range validation accepts (numbers and integers; `None` where it is open).
    pub min: Option<f64>,
    pub max: Option<f64>,
    /// A range for a slider where the accepted one is far wider than the value needs (weights
    /// accept 0 to 1000): the number box still takes anything in `min..=max`.
    pub slider_min: Option<f64>,
    pub slider_max: Option<f64>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub choices: Vec<&'static str>,
    /// What the value means ([`super::describe`]).
    pub description: &'static str,
}

/// Every editable value of the scenario in `source` after `overrides`, in groups (scenario,
/// model, states, relations, pacts, events; grievances count as relations). Names, ids,
/// descriptions, member lists and targets are not editable here; `seed` and `runs` are settings
/// of a run, not values of the model.
pub fn editable(source: &Source, overrides: &[String]) -> Result<Vec<Editable>, ScenarioError> {
    let raw: RawScenario = toml::from_str(&source.text).map_err(|e| ScenarioError::Parse {
        path: source.path.clone(),
        message: e.to_string(),
    })?;
    let raw = if overrides.is_empty() {
        raw
    } else {
        overrides::apply(&raw, overrides)?
    };
    let rounds = raw.scenario.rounds;
    let states = raw.states.len();
    let leaves = overrides::leaves(&raw)?;
    let (result, ranges) = super::resolve::resolve_with_ranges(raw, &source.path, None);
    result.map_err(|e| e.with_sets(overrides))?;
    let range_of = |path: &str| ranges.iter().find(|(k, _, _)| k == path).map(|&(_, lo, hi)| (lo, hi));
    let mut out = Vec::new();
    for (path, value) in leaves {
        let parts: Vec<&str> = path.split('.').collect();
        let group = match parts[0] {
            "scenario" => "scenario",
            "model" => "model",
            "state" => "states",
            "relation" | "grievance" => "relations",
            "pact" => "pacts",
            "event" => "events",
            // A term's weight is a weight of the model.
            "term" => "model",
            _ => continue,
        };
        let key = *parts.last().unwrap_or(&"");
        let mut e = Editable {
            path: path.clone(),
            group,
            kind: EditKind::Number,
            value: EditValue::Bool(false),
            min: None,
            max: None,
            slider_min: None,
            slider_max: None,
            choices: Vec::new(),
            description: super::describe::describe(&path).unwrap_or(""),
        };
        match value {
            Value::Float(x) => {
                e.value = EditValue::Number(x);
                let (lo, hi) = match range_of(&path) {
                    Some(r) => (Some(r.0), Some(r.1)),
                    // Capability is any positive share; event changes by `by`/`scale` any finite number.
                    None if key == "capability" => (Some(0.0), None),
                    None => (None, None),
                };
                e.min = lo;
                e.max = hi;
                let (s_lo, s_hi) = slider(x, lo, hi);
                e.slider_min = Some(s_lo);
                e.slider_max = Some(s_hi);
            }
            Value::Integer(n) => {
                let (lo, hi) = match (parts[0], key) {
                    ("scenario", "rounds") => (1, i64::from(MAX_ROUNDS)),
                    ("state", "count") => (1, i64::from(MAX_COUNT)),
                    ("event", "round") => (1, i64::from(rounds)),
                    ("pact", "min_members" | "size_limit") => (1, states.max(1) as i64),
                    _ => continue,
                };
                e.kind = EditKind::Integer;
                e.value = EditValue::Integer(n);
                e.min = Some(lo as f64);
                e.max = Some(hi as f64);
                let soft_hi = match key {
                    "rounds" => (n * 2).clamp(lo, hi),
                    "count" => (n * 2).max(50).clamp(lo, hi),
                    _ => hi,
                };
                e.slider_min = Some(lo as f64);
                e.slider_max = Some(soft_hi as f64);
            }
            Value::Boolean(b) => {
                e.kind = EditKind::Bool;
                e.value = EditValue::Bool(b);
            }
            Value::String(s) => {
                let choices: &[&'static str] = match (parts[0], key) {
                    ("model", "update_order") => &["sequential", "simultaneous"],
                    ("model", "shocks") => &["persistent", "per_round"],
                    ("scenario", "round_unit") => &RoundUnit::NAMES,
                    ("pact", "admission") => &Admission::NAMES,
                    ("pact", "issue") => &ISSUES,
                    ("event", "date") => &[],
                    _ => continue,
                };
                if key == "date" {
                    e.kind = EditKind::Date;
                } else {
                    e.kind = EditKind::Choice;
                    e.choices = choices.to_vec();
                }
                e.value = EditValue::Text(s);
            }
            _ => continue,
        }
        out.push(e);
    }
    let order = |g: &str| {
        ["scenario", "model", "states", "relations", "pacts", "events"]
            .iter()
            .position(|x| *x == g)
    };
    out.sort_by_key(|e| order(e.group));
    Ok(out)
}

/// The names of [`Issue::ALL`] (a test checks they agree).
const ISSUES: [&str; 5] = ["security", "energy", "food", "minerals", "technology"];

/// A slider's range: the accepted one, unless it is open or far wider than the value needs.
fn slider(x: f64, lo: Option<f64>, hi: Option<f64>) -> (f64, f64) {
    let natural = (x.abs() * 4.0).max(1.0);
    let lo_v = match lo {
        Some(l) if l < 0.0 && -l > 10.0 * natural => -natural,
        Some(l) => l,
        None if x < 0.0 => -natural,
        None => 0.0,
    };
    let hi_v = match hi {
        Some(h) if h - lo_v <= 10.0 * natural => h,
        Some(h) => natural.min(h),
        None => natural,
    };
    (lo_v, hi_v.max(lo_v))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Issue;

    fn source() -> Source {
        Source {
            path: "t.toml".into(),
            text: "[scenario]\nname = \"t\"\nrounds = 12\nstart = \"2021-01\"\n[[state]]\nid = \"FIN\"\ncapability = 0.1\nneutrality = 0.5\n[[state]]\nid = \"RUS\"\ncapability = 0.3\n[[relation]]\nbetween = [\"FIN\", \"RUS\"]\nhostility = 0.4\n[[pact]]\nid = \"P\"\nbinding = 1.0\nmembers = [\"FIN\"]\n[[event]]\nid = \"war\"\ndate = \"2021-06\"\nchange = [{ kind = \"hostility\", between = [\"FIN\", \"RUS\"], to = 0.9 }]\n".into(),
        }
    }

    #[test]
    fn lists_values_with_their_validated_ranges() {
        let list = editable(&source(), &[]).unwrap();
        let get = |p: &str| list.iter().find(|e| e.path == p).unwrap_or_else(|| panic!("{p} missing"));
        let n = get("state.FIN.neutrality");
        assert_eq!((n.group, n.kind, n.min, n.max), ("states", EditKind::Number, Some(0.0), Some(1.0)));
        assert_eq!(n.value, EditValue::Number(0.5));
        let h = get("relation.FIN-RUS.hostility");
        assert_eq!((h.min, h.max), (Some(-1.0), Some(1.0)));
        assert_eq!(get("event.war.change.0.to").max, Some(1.0));
        assert_eq!(get("event.war.enabled").kind, EditKind::Bool);
        assert_eq!(get("event.war.date").kind, EditKind::Date);
        assert_eq!(get("pact.P.admission").choices, Admission::NAMES.to_vec());
        // A weight accepts 0..1000; its slider is narrower.
        let w = get("model.weights.security");
        assert_eq!(w.max, Some(1000.0));
        assert!(w.slider_max.unwrap() < 1000.0);
        // Defaults are listed even though the file does not write them.
        get("model.temperature");
        // Every listed path is settable to its own value.
        for e in &list {
            let v = match &e.value {
                EditValue::Number(x) => x.to_string(),
                EditValue::Integer(n) => n.to_string(),
                EditValue::Bool(b) => b.to_string(),
                EditValue::Text(s) => format!("\"{s}\""),
            };
            super::super::from_source(&source(), &[format!("{}={v}", e.path)]).unwrap_or_else(|err| panic!("{}: {err}", e.path));
        }
        assert!(list.iter().all(|e| !e.path.starts_with("target")));
        assert_eq!(ISSUES.to_vec(), Issue::ALL.iter().map(|i| i.name()).collect::<Vec<_>>());
    }
}
