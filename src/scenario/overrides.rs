//! `--set KEY=VALUE`: change any scenario value by a dotted path that uses ids.
//!
//! `model.temperature=0.2`, `state.FIN.neutrality=0.9`, `state.FIN.support.start=0.4`,
//! `pact.NATO.binding=0.5`, `event.invasion.round=12`, `event.invasion.enabled=false`,
//! `relation.FIN-RUS.hostility=0.8`, `grievance.TUR-SWE.strength=0`,
//! `event.invasion.change.0.to=0.5`.
//!
//! The override works on the TOML tree of the parsed file with every default written out, so
//! a key the file leaves at its default can be set too; the tree is then parsed again, so an
//! override is checked exactly like the file itself.

use toml::{Table, Value};

use super::error::{ScenarioError, suggest};
use super::schema::RawScenario;

/// Arrays of tables addressed by a key instead of an index.
const KEYED: [(&str, &str); 4] = [("state", "id"), ("pact", "id"), ("event", "id"), ("grievance", "id")];

pub(super) fn apply(raw: &RawScenario, overrides: &[String]) -> Result<RawScenario, ScenarioError> {
    let mut tree = Table::try_from(raw).map_err(|e| ScenarioError::Override {
        spec: String::new(),
        message: e.to_string(),
    })?;
    for spec in overrides {
        let err = |message: String| ScenarioError::Override {
            spec: spec.clone(),
            message,
        };
        let (path, value) = spec
            .split_once('=')
            .ok_or_else(|| err("expected KEY=VALUE, e.g. model.temperature=0.2".into()))?;
        let path = path.trim();
        if path.is_empty() {
            return Err(err("the key is empty; e.g. model.temperature=0.2".into()));
        }
        set(&mut tree, path, value.trim()).map_err(err)?;
    }
    let text = toml::to_string(&tree).map_err(|e| ScenarioError::Override {
        spec: overrides.join(" "),
        message: e.to_string(),
    })?;
    toml::from_str(&text).map_err(|e| ScenarioError::Override {
        spec: overrides.join(" "),
        // The location toml gives would point into the rewritten tree, not the user's file.
        message: e.message().to_string(),
    })
}

fn set(tree: &mut Table, path: &str, raw_value: &str) -> Result<(), String> {
    let segments: Vec<&str> = path.split('.').collect();
    let mut table = tree;
    let mut walked = String::new();
    let mut i = 0;
    while i + 1 < segments.len() {
        let seg = segments[i];
        let keys: Vec<String> = table.keys().cloned().collect();
        let Some(next) = table.get_mut(seg) else {
            return Err(format!(
                "no `{seg}` in {}; {}",
                place(&walked),
                suggest(seg, keys.iter().map(String::as_str))
            ));
        };
        push(&mut walked, seg);
        table = match next {
            Value::Table(t) => t,
            Value::Array(items) => {
                i += 1;
                let sel = segments[i];
                let keyed = KEYED.iter().find(|(name, _)| *name == seg).map(|(_, k)| *k);
                let idx = select(items, sel, seg, keyed).ok_or_else(|| {
                    let names = element_names(items, seg, keyed);
                    format!("no {seg} `{sel}`; {}", suggest(sel, names.iter().map(String::as_str)))
                })?;
                push(&mut walked, sel);
                match &mut items[idx] {
                    Value::Table(t) => t,
                    _ => return Err(format!("{walked} is a value, not a table")),
                }
            }
            _ => return Err(format!("{walked} is a value, not a table: use `{walked}=VALUE`")),
        };
        i += 1;
    }
    if i >= segments.len() {
        return Err(format!("{path} names a whole table; name one of its keys"));
    }
    let key = segments[i];
    let mut value = parse_value(raw_value);
    if let Some(old) = table.get(key) {
        match (old, &value) {
            (Value::Table(_), _) | (Value::Array(_), Value::String(_)) => {
                let keys: Vec<String> = match old {
                    Value::Table(t) => t.keys().cloned().collect(),
                    _ => Vec::new(),
                };
                return Err(if keys.is_empty() {
                    format!("{path} is a list: give it as [\"A\", \"B\"]")
                } else {
                    format!("{path} is a table: name one of its keys ({})", keys.join(", "))
                });
            }
            (Value::Float(_), Value::Integer(n)) => value = Value::Float(*n as f64),
            (Value::Float(_) | Value::Integer(_), Value::String(s)) => {
                return Err(format!("`{s}` is not a number, and {path} takes one"));
            }
            (Value::Boolean(_), v) if !matches!(v, Value::Boolean(_)) => {
                return Err(format!("{path} takes true or false, not `{raw_value}`"));
            }
            _ => {}
        }
    }
    // An event happens at a round or a date: setting one replaces the other.
    if segments.first() == Some(&"event") && segments.len() == 3 {
        match key {
            "round" => drop(table.remove("date")),
            "date" => drop(table.remove("round")),
            _ => {}
        }
    }
    table.insert(key.to_string(), value);
    Ok(())
}

fn push(walked: &mut String, seg: &str) {
    if !walked.is_empty() {
        walked.push('.');
    }
    walked.push_str(seg);
}

fn place(walked: &str) -> String {
    if walked.is_empty() {
        "the scenario".to_string()
    } else {
        format!("`{walked}`")
    }
}

/// Finds the element of an array named by `sel`: by its id, by "A-B" for relations, or by index.
fn select(items: &[Value], sel: &str, array: &str, keyed: Option<&str>) -> Option<usize> {
    if let Some(k) = keyed
        && let Some(i) = items.iter().position(|v| v.get(k).and_then(Value::as_str) == Some(sel))
    {
        return Some(i);
    }
    if array == "relation"
        && let Some((a, b)) = sel.split_once('-')
    {
        let found = items.iter().position(|v| {
            let pair: Vec<&str> = v
                .get("between")
                .and_then(Value::as_array)
                .map(|l| l.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            pair == [a, b] || pair == [b, a]
        });
        if found.is_some() {
            return found;
        }
    }
    sel.parse::<usize>().ok().filter(|&i| i < items.len())
}

fn element_names(items: &[Value], array: &str, keyed: Option<&str>) -> Vec<String> {
    items
        .iter()
        .enumerate()
        .map(|(i, v)| {
            if let Some(id) = keyed.and_then(|k| v.get(k)).and_then(Value::as_str) {
                return id.to_string();
            }
            if array == "relation"
                && let Some(l) = v.get("between").and_then(Value::as_array)
            {
                return l.iter().filter_map(Value::as_str).collect::<Vec<_>>().join("-");
            }
            i.to_string()
        })
        .collect()
}

/// A TOML value if it parses as one (number, boolean, array, quoted string), else a bare string.
fn parse_value(raw: &str) -> Value {
    toml::from_str::<Table>(&format!("v = {raw}"))
        .ok()
        .and_then(|mut t| t.remove("v"))
        .unwrap_or_else(|| Value::String(raw.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(text: &str) -> Table {
        toml::from_str(text).unwrap()
    }

    #[test]
    fn sets_by_id_and_keeps_floats_float() {
        let mut t = tree("[[state]]\nid = \"FIN\"\nneutrality = 0.5\n");
        set(&mut t, "state.FIN.neutrality", "1").unwrap();
        assert_eq!(t["state"][0]["neutrality"], Value::Float(1.0));
    }

    #[test]
    fn unknown_id_lists_valid_ones() {
        let mut t = tree("[[state]]\nid = \"FIN\"\n[[state]]\nid = \"SWE\"\n");
        let e = set(&mut t, "state.FNI.neutrality", "1").unwrap_err();
        assert!(e.contains("did you mean `FIN`?") && e.contains("`SWE`"), "{e}");
    }

    #[test]
    fn relation_by_pair_either_way() {
        let mut t = tree("[[relation]]\nbetween = [\"FIN\", \"RUS\"]\nhostility = 0.1\n");
        set(&mut t, "relation.RUS-FIN.hostility", "0.9").unwrap();
        assert_eq!(t["relation"][0]["hostility"], Value::Float(0.9));
    }

    #[test]
    fn event_round_replaces_date() {
        let mut t = tree("[[event]]\nid = \"x\"\ndate = \"2022-02\"\n");
        set(&mut t, "event.x.round", "12").unwrap();
        assert_eq!(t["event"][0].get("date"), None);
        assert_eq!(t["event"][0]["round"], Value::Integer(12));
    }

    #[test]
    fn rejects_text_for_a_number() {
        let mut t = tree("[model]\ntemperature = 0.1\n");
        assert!(set(&mut t, "model.temperature", "warm").unwrap_err().contains("not a number"));
    }
}
