//! `--set KEY=VALUE`: change any scenario value by a dotted path that uses ids.
//!
//! `model.temperature=0.2`, `state.FIN.neutrality=0.9`, `state.FIN.support.start=0.4`,
//! `pact.NATO.binding=0.5`, `event.invasion.round=12`, `event.invasion.enabled=false`,
//! `relation.FIN-RUS.hostility=0.8`, `grievance.TUR-SWE.strength=0`,
//! `event.invasion.change.0.to=0.5`, `term.trade.weight=0.5`.
//!
//! The override works on the TOML tree of the parsed file with every default written out, so
//! a key the file leaves at its default can be set too; the tree is then parsed again, so an
//! override is checked exactly like the file itself.

use toml::{Table, Value};

use super::error::{ScenarioError, suggest};
use super::schema::RawScenario;

/// Arrays of tables addressed by a key instead of an index.
const KEYED: [(&str, &str); 7] = [
    ("state", "id"),
    ("pact", "id"),
    ("event", "id"),
    ("grievance", "id"),
    ("covariate", "id"),
    ("term", "id"),
    ("template", "id"),
];

pub(super) fn apply(raw: &RawScenario, overrides: &[String]) -> Result<RawScenario, ScenarioError> {
    let start = Table::try_from(raw).map_err(|e| ScenarioError::Override {
        spec: String::new(),
        message: e.to_string(),
    })?;
    let mut tree = start.clone();
    for spec in overrides {
        set_spec(&mut tree, spec)?;
    }
    match reparse(&tree) {
        Ok(raw) => Ok(raw),
        Err(message) => {
            // Name the --set that made the tree unreadable: the first after which it is.
            let mut tree = start;
            for spec in overrides {
                set_spec(&mut tree, spec)?;
                if let Err(message) = reparse(&tree) {
                    return Err(ScenarioError::Override {
                        spec: spec.clone(),
                        message,
                    });
                }
            }
            Err(ScenarioError::Override {
                spec: overrides.join(" "),
                message,
            })
        }
    }
}

/// Applies one `KEY=VALUE` to the tree.
fn set_spec(tree: &mut Table, spec: &str) -> Result<(), ScenarioError> {
    let err = |message: String| ScenarioError::Override {
        spec: spec.to_string(),
        message,
    };
    if let Some((at, c)) = spec.char_indices().find(|&(_, c)| c.is_control() && c != '\t') {
        let part = match spec.find('=') {
            Some(eq) if at > eq => "the value",
            _ => "the key",
        };
        return Err(ScenarioError::Override {
            spec: escape(spec),
            message: format!(
                "{part} has a control character ({}), which no value takes{}",
                char_name(c),
                if matches!(c, '\n' | '\r') {
                    ": a --set is one KEY=VALUE on one line; give each change its own --set"
                } else {
                    ""
                }
            ),
        });
    }
    let (path, value) = spec
        .split_once('=')
        .ok_or_else(|| err("expected KEY=VALUE, e.g. model.temperature=0.2".into()))?;
    let path = path.trim();
    if path.is_empty() {
        return Err(err("the key is empty; e.g. model.temperature=0.2".into()));
    }
    set(tree, path, value.trim()).map_err(err)
}

/// The tree as the schema reads it; the error in words for people, without toml's location
/// (it would point into the rewritten tree, not the user's file).
fn reparse(tree: &Table) -> Result<RawScenario, String> {
    let text = toml::to_string(tree).map_err(|e| e.to_string())?;
    toml::from_str(&text).map_err(|e: toml::de::Error| plain(e.message()))
}

/// serde's names for types, in the words of the README.
fn plain(message: &str) -> String {
    let mut m = message.trim().to_string();
    for (from, to) in [
        ("expected u16", "expected a whole number from 0 to 65535"),
        ("expected u32", "expected a whole number from 0 to 4294967295"),
        ("expected u64", "expected a whole number from 0"),
        ("expected i64", "expected a whole number"),
        ("expected f64", "expected a number"),
        ("expected a string", "expected text"),
        ("expected a boolean", "expected true or false"),
        ("floating point", "number"),
        ("sequence", "list"),
        ("invalid type: map", "invalid type: table"),
    ] {
        m = m.replace(from, to);
    }
    m
}

/// A --set with its control characters written as escapes, so the message stays one line.
pub(super) fn escape(spec: &str) -> String {
    spec.chars()
        .map(|c| match c {
            '\n' => "\\n".to_string(),
            '\r' => "\\r".to_string(),
            '\0' => "\\0".to_string(),
            c if c.is_control() && c != '\t' => format!("\\u{{{:x}}}", c as u32),
            c => c.to_string(),
        })
        .collect()
}

pub(super) fn char_name(c: char) -> String {
    match c {
        '\n' => "a newline".to_string(),
        '\r' => "a carriage return".to_string(),
        '\0' => "a NUL".to_string(),
        '\t' => "a tab".to_string(),
        '\u{1b}' => "an escape, U+001B".to_string(),
        c => format!("U+{:04X}", c as u32),
    }
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
    // A target's value is a number or a date: either is checked when the scenario is resolved.
    let target_value = segments.first() == Some(&"target") && key == "value";
    if let Some(old) = table.get(key).filter(|_| !target_value) {
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
            (Value::Float(_) | Value::Integer(_), Value::Boolean(_) | Value::Array(_) | Value::Table(_)) => {
                return Err(format!("`{raw_value}` is not a number, and {path} takes one"));
            }
            (Value::Integer(_), Value::Float(x)) => {
                return Err(format!("`{x}` is not a whole number, and {path} takes one"));
            }
            (Value::String(_), Value::Integer(_) | Value::Float(_) | Value::Boolean(_)) => {
                return Err(format!(
                    "{path} takes text; to give `{raw_value}` as text, write --set '{path}=\"{raw_value}\"'"
                ));
            }
            (Value::String(_), Value::Array(_) | Value::Table(_)) => {
                return Err(format!("{path} takes text, not a list or table"));
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

/// The numeric values a `--set` path names now, one per concrete path: a `*` in place of the id
/// of a state, pact, event, grievance or relation (or an index) stands for every element that
/// has the key (`state.*.support.sensitivity`). Errors name what would be valid.
pub(super) fn numbers(raw: &RawScenario, overrides: &[String], pattern: &str) -> Result<Vec<(String, f64)>, ScenarioError> {
    let err = |message: String| ScenarioError::Override {
        spec: pattern.to_string(),
        message,
    };
    if pattern.chars().any(|c| c.is_control()) {
        return Err(ScenarioError::Override {
            spec: escape(pattern),
            message: "the path has a control character; a path is dotted keys and ids, e.g. model.temperature".into(),
        });
    }
    let raw = apply(raw, overrides)?;
    let tree = Table::try_from(&raw).map_err(|e| err(e.to_string()))?;
    let segments: Vec<&str> = pattern.split('.').collect();
    if segments.iter().any(|s| s.is_empty()) {
        return Err(err(
            "a path is dotted keys and ids, e.g. model.temperature or state.FIN.neutrality".into()
        ));
    }
    let mut found = Vec::new();
    collect(&Value::Table(tree), &segments, String::new(), &mut found).map_err(err)?;
    if found.is_empty() {
        return Err(err(format!("no element has `{}`", segments.last().unwrap_or(&""))));
    }
    found
        .into_iter()
        .map(|(path, value)| match value {
            Value::Float(x) => Ok((path, x)),
            Value::Integer(n) => Ok((path, n as f64)),
            other => Err(err(format!("{path} is {}, not a number", other.type_str()))),
        })
        .collect()
}

/// Every leaf value of the scenario with every default written out, by its `--set` path (ids in
/// place of indices), in file order. Lists of plain values (`members = [...]`) are leaves.
pub(super) fn leaves(raw: &RawScenario) -> Result<Vec<(String, Value)>, ScenarioError> {
    let tree = Table::try_from(raw).map_err(|e| ScenarioError::Override {
        spec: String::new(),
        message: e.to_string(),
    })?;
    let mut out = Vec::new();
    walk(&tree, String::new(), &mut out);
    Ok(out)
}

fn walk(table: &Table, walked: String, out: &mut Vec<(String, Value)>) {
    for (key, value) in table {
        let mut here = walked.clone();
        push(&mut here, key);
        match value {
            Value::Table(t) => walk(t, here, out),
            Value::Array(items) if !items.is_empty() && items.iter().all(Value::is_table) => {
                let keyed = KEYED.iter().find(|(name, _)| *name == key).map(|(_, k)| *k);
                let top = walked.is_empty();
                let names = element_names(items, if top { key } else { "" }, if top { keyed } else { None });
                for (item, name) in items.iter().zip(names) {
                    let mut at = here.clone();
                    push(&mut at, &name);
                    if let Value::Table(t) = item {
                        walk(t, at, out);
                    }
                }
            }
            v => out.push((here, v.clone())),
        }
    }
}

/// Walks `segments` from `value`, expanding `*` over the elements of a list of tables.
fn collect(value: &Value, segments: &[&str], walked: String, found: &mut Vec<(String, Value)>) -> Result<(), String> {
    let Some((&seg, rest)) = segments.split_first() else {
        return match value {
            Value::Table(t) => Err(format!(
                "{walked} names a whole table; name one of its keys ({})",
                t.keys().cloned().collect::<Vec<_>>().join(", ")
            )),
            v => {
                found.push((walked, v.clone()));
                Ok(())
            }
        };
    };
    let Value::Table(table) = value else {
        return Err(format!("{walked} is a value, not a table"));
    };
    let Some(next) = table.get(seg) else {
        let keys: Vec<&str> = table.keys().map(String::as_str).collect();
        return Err(format!("no `{seg}` in {}; {}", place(&walked), suggest(seg, keys.into_iter())));
    };
    let mut here = walked.clone();
    push(&mut here, seg);
    match next {
        Value::Array(items) if items.iter().all(Value::is_table) && !items.is_empty() => {
            let Some((&sel, rest)) = rest.split_first() else {
                return Err(format!("{here} is a list: name one element (or `*` for each)"));
            };
            let keyed = KEYED.iter().find(|(name, _)| *name == seg).map(|(_, k)| *k);
            let names = element_names(items, seg, keyed);
            if sel == "*" {
                // Elements without the key are skipped: `event.*.round` names the events that
                // have a round, not those given a date.
                for (item, name) in items.iter().zip(&names).filter(|(item, _)| has_path(item, rest)) {
                    let mut at = here.clone();
                    push(&mut at, name);
                    collect(item, rest, at, found)?;
                }
                return Ok(());
            }
            let idx = select(items, sel, seg, keyed)
                .ok_or_else(|| format!("no {seg} `{sel}`; {}", suggest(sel, names.iter().map(String::as_str))))?;
            push(&mut here, sel);
            collect(&items[idx], rest, here, found)
        }
        v => collect(v, rest, here, found),
    }
}

/// Whether `value` has the nested keys `segments` (ids and `*` are not followed).
fn has_path(value: &Value, segments: &[&str]) -> bool {
    match segments.split_first() {
        None => true,
        Some((seg, rest)) => value.get(*seg).is_some_and(|v| match v {
            Value::Array(_) => true,
            v => has_path(v, rest),
        }),
    }
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
/// A bare date (`2022-02-24`) is the string it reads as: the schema's dates are strings.
fn parse_value(raw: &str) -> Value {
    match toml::from_str::<Table>(&format!("v = {raw}")).ok().and_then(|mut t| t.remove("v")) {
        Some(Value::Datetime(_)) | None => Value::String(raw.to_string()),
        Some(v) => v,
    }
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

    fn raw(text: &str) -> RawScenario {
        toml::from_str(text).unwrap()
    }

    const TWO: &str = "[scenario]\nname = \"t\"\nrounds = 2\n[[state]]\nid = \"FIN\"\ncapability = 0.1\nneutrality = 0.5\n[[state]]\nid = \"SWE\"\ncapability = 0.2\nneutrality = 0.8\n";

    #[test]
    fn numbers_reads_values_and_expands_ids() {
        let r = raw(TWO);
        assert_eq!(
            numbers(&r, &[], "state.SWE.neutrality").unwrap(),
            vec![("state.SWE.neutrality".into(), 0.8)]
        );
        assert_eq!(
            numbers(&r, &[], "state.*.neutrality").unwrap(),
            vec![("state.FIN.neutrality".into(), 0.5), ("state.SWE.neutrality".into(), 0.8)]
        );
        // Defaults are written out, and earlier --set values count.
        assert_eq!(
            numbers(&r, &["model.temperature=0.3".into()], "model.temperature").unwrap()[0].1,
            0.3
        );
        assert_eq!(numbers(&r, &[], "state.*.support.sensitivity").unwrap().len(), 2);
    }

    #[test]
    fn numbers_names_what_is_valid() {
        let r = raw(TWO);
        let e = numbers(&r, &[], "state.FNI.neutrality").unwrap_err().to_string();
        assert!(e.contains("did you mean `FIN`?"), "{e}");
        let e = numbers(&r, &[], "model.temprature").unwrap_err().to_string();
        assert!(e.contains("did you mean `temperature`?"), "{e}");
        let e = numbers(&r, &[], "state.FIN.id").unwrap_err().to_string();
        assert!(e.contains("not a number"), "{e}");
        let e = numbers(&r, &[], "state.FIN.support").unwrap_err().to_string();
        assert!(e.contains("whole table"), "{e}");
    }

    #[test]
    fn rejects_text_for_a_number() {
        let mut t = tree("[model]\ntemperature = 0.1\n");
        assert!(set(&mut t, "model.temperature", "warm").unwrap_err().contains("not a number"));
    }
}
