//! `--set` values written into the scenario file's own text, keeping its comments and layout
//! (toml_edit): what the live page's "Download scenario" gives. A comment at the top lists the
//! changes. If the edited text would not resolve to exactly the scenario `--set` gives (same
//! `scenario.resolved.toml`), the resolved scenario is given instead, with the same comment.

use toml_edit::{DocumentMut, Item, Table, Value};

use super::{ScenarioError, Source, from_source};

/// The text of `source` with `sets` (`PATH=VALUE`, as `--set` takes them) written in.
pub fn apply_to_text(source: &Source, sets: &[String]) -> Result<String, ScenarioError> {
    let wanted = from_source(source, sets)?;
    let header = header(source, sets);
    if sets.is_empty() {
        return Ok(source.text.clone());
    }
    let edited = edit(&source.text, sets).ok().map(|body| format!("{header}{body}"));
    if let Some(text) = edited {
        let check = Source {
            path: source.path.clone(),
            text: text.clone(),
        };
        if from_source(&check, &[]).is_ok_and(|sc| sc.hash == wanted.hash) {
            return Ok(text);
        }
    }
    Ok(format!(
        "{header}# (every value written out: the changes could not be placed in the file's own text)\n{}",
        wanted.resolved_toml
    ))
}

fn header(source: &Source, sets: &[String]) -> String {
    let mut h = format!(
        "# Edited with `pactsim serve` from {}; changed values (as `--set` takes them):\n",
        source.path.display()
    );
    for s in sets {
        h.push_str(&format!("#   {}\n", s.replace('\n', " ")));
    }
    h.push_str("#\n");
    h
}

/// Top-level arrays of tables addressed by id.
const KEYED: [&str; 6] = ["state", "pact", "event", "grievance", "covariate", "term"];

fn edit(text: &str, sets: &[String]) -> Result<String, String> {
    let mut doc: DocumentMut = text.parse().map_err(|e: toml_edit::TomlError| e.to_string())?;
    for spec in sets {
        let (path, raw) = spec.split_once('=').ok_or("not KEY=VALUE")?;
        set(doc.as_table_mut(), path.trim(), raw.trim())?;
    }
    Ok(doc.to_string())
}

fn set(root: &mut Table, path: &str, raw: &str) -> Result<(), String> {
    let segs: Vec<&str> = path.split('.').collect();
    let (last, walk) = segs.split_last().ok_or("empty path")?;
    // A bare date (`2022-02-24`) is the string it reads as, as `--set` takes it.
    let value = match raw.parse::<Value>() {
        Ok(Value::Datetime(_)) | Err(_) => Value::from(raw),
        Ok(v) => v,
    };
    // Walk to the table-like that holds `last`.
    let mut i = 0;
    let mut item: &mut Item = root
        .entry(walk.first().ok_or("a path needs a table")?)
        .or_insert(Item::Table(Table::new()));
    i += 1;
    let top = walk[0];
    if KEYED.contains(&top) || top == "relation" {
        let sel = *walk.get(1).ok_or("no element named")?;
        let arr = item.as_array_of_tables_mut().ok_or("not an array of tables")?;
        let idx = arr
            .iter()
            .position(|t| {
                if top == "relation" {
                    let pair: Vec<&str> = t
                        .get("between")
                        .and_then(|v| v.as_array())
                        .map(|a| a.iter().filter_map(|x| x.as_str()).collect())
                        .unwrap_or_default();
                    sel.split_once('-').is_some_and(|(a, b)| pair == [a, b] || pair == [b, a])
                } else {
                    t.get("id").and_then(|v| v.as_str()) == Some(sel)
                }
            })
            .ok_or("no such element")?;
        let table = arr.get_mut(idx).ok_or("no such element")?;
        if top == "event" && walk.len() == 2 {
            // An event happens at a round or a date: setting one replaces the other, in its
            // place and with its comments.
            match *last {
                "round" => rename(table, "date", "round"),
                "date" => rename(table, "round", "date"),
                _ => {}
            }
        }
        return set_in(table, &walk[2..], last, value);
    }
    while i < walk.len() {
        let seg = walk[i];
        let tl = item.as_table_like_mut().ok_or("not a table")?;
        if tl.get(seg).is_none() {
            tl.insert(seg, Item::Value(Value::InlineTable(Default::default())));
        }
        item = tl.get_mut(seg).ok_or("not a table")?;
        i += 1;
    }
    let tl = item.as_table_like_mut().ok_or("not a table")?;
    put(tl, last, value);
    Ok(())
}

/// Sets `last` under `walk` inside one element of an array of tables (`support.start`,
/// `change.0.to`).
fn set_in(table: &mut Table, walk: &[&str], last: &str, value: Value) -> Result<(), String> {
    let mut item: Option<&mut Item> = None;
    let mut k = 0;
    while k < walk.len() {
        let seg = walk[k];
        let tl: &mut dyn toml_edit::TableLike = match item {
            None => table,
            Some(it) => it.as_table_like_mut().ok_or("not a table")?,
        };
        if tl.get(seg).is_none() {
            tl.insert(seg, Item::Value(Value::InlineTable(Default::default())));
        }
        let next = tl.get_mut(seg).ok_or("not a table")?;
        // An array (of inline tables, or of tables) indexed by the next segment.
        if let Some(n) = walk.get(k + 1).and_then(|s| s.parse::<usize>().ok()) {
            if let Some(arr) = next.as_array_of_tables_mut() {
                let t = arr.get_mut(n).ok_or("no such element")?;
                return set_in(t, &walk[k + 2..], last, value);
            }
            if let Some(arr) = next.as_array_mut() {
                let v = arr.get_mut(n).ok_or("no such element")?;
                let t = v.as_inline_table_mut().ok_or("not a table")?;
                let mut tl: &mut dyn toml_edit::TableLike = t;
                for seg in &walk[k + 2..] {
                    tl = tl.get_mut(seg).and_then(Item::as_table_like_mut).ok_or("no such table")?;
                }
                put(tl, last, value);
                return Ok(());
            }
            return Err("not an array".into());
        }
        item = Some(next);
        k += 1;
    }
    let tl: &mut dyn toml_edit::TableLike = match item {
        None => table,
        Some(it) => it.as_table_like_mut().ok_or("not a table")?,
    };
    put(tl, last, value);
    Ok(())
}

/// Sets `key` to `value`. A key already there keeps its place and its decor — the comment lines
/// above it live in the key's decor, which `insert` would reset — and the new value takes the
/// old one's decor (the comment after it).
fn put(tl: &mut dyn toml_edit::TableLike, key: &str, mut value: Value) {
    match tl.get_mut(key) {
        Some(item) => {
            coerce(item.as_value(), &mut value);
            *item = Item::Value(value);
        }
        None => {
            tl.insert(key, Item::Value(value));
        }
    }
}

/// Renames the key `from` of `table` to `to` (if `from` is there), keeping its place, the
/// comments above it and its value's decor; the value itself is replaced by the caller.
fn rename(table: &mut Table, from: &str, to: &str) {
    if !table.contains_key(from) {
        return;
    }
    let entries: Vec<(toml_edit::Key, Item)> = table
        .iter()
        .filter_map(|(k, _)| table.get_key_value(k).map(|(key, item)| (key.clone(), item.clone())))
        .collect();
    table.clear();
    for (key, item) in entries {
        if key.get() == from {
            let mut renamed = toml_edit::Key::new(to);
            *renamed.leaf_decor_mut() = key.leaf_decor().clone();
            *renamed.dotted_decor_mut() = key.dotted_decor().clone();
            table.insert_formatted(&renamed, item);
        } else if key.get() != to {
            table.insert_formatted(&key, item);
        }
    }
}

/// Keeps a float a float (`1` for a float key is written `1.0`) and the old value's trailing
/// comment.
fn coerce(old: Option<&Value>, value: &mut Value) {
    if let (Some(Value::Float(_)), Value::Integer(n)) = (old, &*value) {
        *value = Value::from(*n.value() as f64);
    }
    if let Some(old) = old {
        let decor = old.decor().clone();
        *value.decor_mut() = decor;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source() -> Source {
        Source {
            path: "t.toml".into(),
            text: "[scenario]\nname = \"t\"\nrounds = 12\nstart = \"2021-01\"\n\n[[state]]\nid = \"FIN\"\ncapability = 0.1\nneutrality = 0.5   # assumption\nsupport = { start = 0.3 }\n[[state]]\nid = \"RUS\"\ncapability = 0.3\n[[relation]]\nbetween = [\"FIN\", \"RUS\"]\nhostility = 0.4\n[[pact]]\nid = \"P\"\nbinding = 1.0\nmembers = [\"FIN\"]\n[[event]]\nid = \"war\"\ndate = \"2021-06\"\nchange = [{ kind = \"hostility\", between = [\"FIN\", \"RUS\"], to = 0.9 }]\n".into(),
        }
    }

    #[test]
    fn a_round_for_a_date_keeps_the_dates_place_and_comments() {
        let mut src = source();
        src.text = src.text.replace(
            "date = \"2021-06\"\n",
            "# when the war starts\ndate = \"2021-06\"   # assumption\nname = \"War\"\n",
        );
        let text = apply_to_text(&src, &["event.war.round=3".to_string()]).unwrap();
        assert!(
            text.contains("# when the war starts\nround = 3   # assumption\nname = \"War\"\n"),
            "{text}"
        );
        let back = apply_to_text(&src, &["event.war.round=3".to_string(), "event.war.date=2021-07-01".to_string()]).unwrap();
        assert!(
            back.contains("# when the war starts\ndate = \"2021-07-01\"   # assumption\n"),
            "{back}"
        );
    }

    #[test]
    fn comment_lines_above_an_edited_value_stay() {
        let mut src = source();
        src.text = src.text.replace("rounds = 12\n", "# two years\nrounds = 12 # monthly\n");
        let text = apply_to_text(&src, &["scenario.rounds=11".to_string()]).unwrap();
        assert!(text.contains("# two years\nrounds = 11 # monthly\n"), "{text}");
    }

    #[test]
    fn writes_values_into_the_text_keeping_comments() {
        let sets: Vec<String> = [
            "state.FIN.neutrality=0.9",
            "state.FIN.support.start=0.4",
            "relation.RUS-FIN.hostility=-0.2",
            "model.temperature=0.3",
            "model.weights.security=2",
            "event.war.round=3",
            "event.war.change.0.to=1",
            "event.war.enabled=false",
        ]
        .map(String::from)
        .to_vec();
        let text = apply_to_text(&source(), &sets).unwrap();
        assert!(text.contains("# assumption"), "{text}");
        assert!(!text.contains("every value written out"), "{text}");
        assert!(text.contains("#   state.FIN.neutrality=0.9"), "{text}");
        let again = from_source(
            &Source {
                path: "t.toml".into(),
                text,
            },
            &[],
        )
        .unwrap();
        assert_eq!(again.hash, from_source(&source(), &sets).unwrap().hash);
    }
}
