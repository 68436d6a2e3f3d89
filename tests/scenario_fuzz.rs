//! A structured fuzz test of the loader and everything behind it: the four shipped scenarios,
//! mutated the way people break scenario files — whole tables and arrays of tables removed,
//! duplicated or emptied (`[[pact]]`, `[[state]]`, `[[event]]`, `[[relation]]`, `[[target]]`,
//! `[[grievance]]`, `members`, `change`, ...), keys dropped, numbers and strings replaced with
//! odd values. Every case changes the file (asserted). Each case is loaded; what the loader
//! accepts is run (a few replicates), and some of the accepted cases are written out as a whole
//! run directory (summary.json, CSVs, charts, report.html). A panic anywhere fails the test and
//! names the case; a refusal must say something (a non-empty message naming the file or a key).
//!
//! The mutations are drawn from a fixed seed, so a failure reproduces. The systematic cases
//! (every subset of the top-level arrays removed, every array emptied, every table cleared)
//! always run; random combinations of one to three mutations follow until a minimum count is
//! reached and then until a wall-clock budget is spent.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::{Duration, Instant};

use pactsim::run::{self, RunSpec};
use pactsim::scenario::{self, Source};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use toml_edit::{DocumentMut, Item, TableLike, Value};

const SCENARIOS: [(&str, &str); 4] = [
    ("finland_sweden.toml", include_str!("../scenarios/finland_sweden.toml")),
    ("gulf_minilaterals.toml", include_str!("../scenarios/gulf_minilaterals.toml")),
    ("lithium_triangle.toml", include_str!("../scenarios/lithium_triangle.toml")),
    ("taiwan_escalation.toml", include_str!("../scenarios/taiwan_escalation.toml")),
];

/// Random cases always run, whatever the clock says.
const MIN_RANDOM_CASES: usize = 600;
/// Random cases at most.
const MAX_RANDOM_CASES: usize = 4000;
/// After the minimum, no new random case starts once the test has run this long.
const BUDGET: Duration = Duration::from_secs(25);
/// Accepted cases written out whole with charts (the first few, then one in `CHART_EVERY`).
const CHART_EVERY: usize = 12;
const MAX_CHARTED: usize = 40;

/// One step into the document: a key, and an index when the key holds an array.
#[derive(Debug, Clone, PartialEq)]
struct Step {
    key: String,
    index: Option<usize>,
}

type Path = Vec<Step>;

fn show(path: &[Step], key: &str) -> String {
    let mut s = String::new();
    for st in path {
        s.push_str(&st.key);
        if let Some(i) = st.index {
            s.push_str(&format!("[{i}]"));
        }
        s.push('.');
    }
    s.push_str(key);
    s
}

/// What can be mutated in one document.
#[derive(Default)]
struct Targets {
    /// Arrays (of tables, or inline), by the table-like that holds them and their key, with length.
    arrays: Vec<(Path, String, usize)>,
    /// Table-likes (the root's tables, every element of an array of tables, inline tables).
    tables: Vec<Path>,
    /// Every key of every table-like.
    keys: Vec<(Path, String)>,
    /// Numbers that are a table-like's value.
    numbers: Vec<(Path, String)>,
    /// Strings that are a table-like's value, or an element of an inline array.
    strings: Vec<(Path, String, Option<usize>)>,
}

fn collect(t: &dyn TableLike, path: &Path, out: &mut Targets) {
    for (key, item) in t.iter() {
        out.keys.push((path.clone(), key.to_string()));
        let at = |index| {
            let mut p = path.clone();
            p.push(Step {
                key: key.to_string(),
                index,
            });
            p
        };
        match item {
            Item::ArrayOfTables(a) => {
                out.arrays.push((path.clone(), key.to_string(), a.len()));
                for (i, t) in a.iter().enumerate() {
                    out.tables.push(at(Some(i)));
                    collect(t, &at(Some(i)), out);
                }
            }
            Item::Table(t) => {
                out.tables.push(at(None));
                collect(t, &at(None), out);
            }
            Item::Value(Value::InlineTable(t)) => {
                out.tables.push(at(None));
                collect(t, &at(None), out);
            }
            Item::Value(Value::Array(a)) => {
                out.arrays.push((path.clone(), key.to_string(), a.len()));
                for (i, v) in a.iter().enumerate() {
                    match v {
                        Value::InlineTable(t) => {
                            out.tables.push(at(Some(i)));
                            collect(t, &at(Some(i)), out);
                        }
                        Value::String(_) => out.strings.push((path.clone(), key.to_string(), Some(i))),
                        _ => {}
                    }
                }
            }
            Item::Value(Value::Integer(_) | Value::Float(_)) => out.numbers.push((path.clone(), key.to_string())),
            Item::Value(Value::String(_)) => out.strings.push((path.clone(), key.to_string(), None)),
            _ => {}
        }
    }
}

/// The table-like at `path`, if it is still there (an earlier mutation may have removed it).
fn table_at<'a>(doc: &'a mut DocumentMut, path: &[Step]) -> Option<&'a mut dyn TableLike> {
    let mut t: &mut dyn TableLike = doc.as_table_mut();
    for step in path {
        let item = t.get_mut(&step.key)?;
        t = match (step.index, item) {
            (None, item) => item.as_table_like_mut()?,
            (Some(i), Item::ArrayOfTables(a)) => a.get_mut(i)?,
            (Some(i), Item::Value(Value::Array(a))) => a.get_mut(i)?.as_inline_table_mut()?,
            _ => return None,
        };
    }
    Some(t)
}

const ODD_NUMBERS: [&str; 16] = [
    "-1",
    "0",
    "1",
    "2",
    "0.5",
    "-0.0",
    "1e308",
    "-1e308",
    "1e-300",
    "nan",
    "inf",
    "-inf",
    "99999999999",
    "4294967296",
    "-9223372036854775808",
    "65536",
];

const ODD_STRINGS: [&str; 7] = ["", "ZZZ", "2021-13", "1816-01-01", "9999-12", "x y", "é"];

/// Applies one random mutation; returns what it did, or None when it did nothing (the target
/// was gone or the value drawn was already there).
fn mutate(doc: &mut DocumentMut, rng: &mut ChaCha8Rng) -> Option<String> {
    let mut targets = Targets::default();
    collect(doc.as_table(), &Vec::new(), &mut targets);
    let kind = rng.random_range(0..100u32);
    if kind < 30 && !targets.arrays.is_empty() {
        let (path, key, len) = targets.arrays[rng.random_range(0..targets.arrays.len())].clone();
        let op = rng.random_range(0..6u32);
        let t = table_at(doc, &path)?;
        let item = t.get_mut(&key)?;
        let what = match (op, item) {
            (0, _) => {
                t.remove(&key)?;
                "remove"
            }
            (1, item) => {
                *item = Item::Value(Value::Array(Default::default()));
                "empty"
            }
            (2, Item::ArrayOfTables(a)) if len > 0 => {
                a.remove(rng.random_range(0..len));
                "remove one element of"
            }
            (2, Item::Value(Value::Array(a))) if len > 0 => {
                a.remove(rng.random_range(0..len));
                "remove one element of"
            }
            (3, Item::ArrayOfTables(a)) if len > 0 => {
                let e = a.get(rng.random_range(0..len))?.clone();
                a.push(e);
                "duplicate one element of"
            }
            (3, Item::Value(Value::Array(a))) if len > 0 => {
                let e = a.get(rng.random_range(0..len))?.clone();
                a.push_formatted(e);
                "duplicate one element of"
            }
            (4, Item::ArrayOfTables(a)) if len > 1 => {
                let keep = rng.random_range(1..len);
                while a.len() > keep {
                    a.remove(a.len() - 1);
                }
                "truncate"
            }
            (4, Item::Value(Value::Array(a))) if len > 1 => {
                let keep = rng.random_range(1..len);
                while a.len() > keep {
                    a.remove(a.len() - 1);
                }
                "truncate"
            }
            (_, Item::ArrayOfTables(a)) if len > 0 => {
                // Keep one element only.
                let keep = a.get(rng.random_range(0..len))?.clone();
                a.clear();
                a.push(keep);
                "keep one element of"
            }
            _ => return None,
        };
        return Some(format!("{what} {}", show(&path, &key)));
    }
    if kind < 42 && !targets.tables.is_empty() {
        let path = targets.tables[rng.random_range(0..targets.tables.len())].clone();
        let t = table_at(doc, &path)?;
        if t.is_empty() {
            return None;
        }
        t.clear();
        return Some(format!("clear {}", show(&path, "")));
    }
    if kind < 55 && !targets.keys.is_empty() {
        let (path, key) = targets.keys[rng.random_range(0..targets.keys.len())].clone();
        table_at(doc, &path)?.remove(&key)?;
        return Some(format!("remove key {}", show(&path, &key)));
    }
    if kind < 88 && !targets.numbers.is_empty() {
        let (path, key) = targets.numbers[rng.random_range(0..targets.numbers.len())].clone();
        let odd = ODD_NUMBERS[rng.random_range(0..ODD_NUMBERS.len())];
        let slot = table_at(doc, &path)?.get_mut(&key)?.as_value_mut()?;
        if slot.to_string().trim() == odd {
            return None;
        }
        let mut value: Value = odd.parse().expect("a TOML number");
        *value.decor_mut() = slot.decor().clone();
        *slot = value;
        return Some(format!("{} = {odd}", show(&path, &key)));
    }
    if !targets.strings.is_empty() {
        let (path, key, index) = targets.strings[rng.random_range(0..targets.strings.len())].clone();
        // An odd string, or another string of the same file (an id where another is expected).
        let other = targets.strings[rng.random_range(0..targets.strings.len())].clone();
        let pick = if rng.random_range(0..2u32) == 0 {
            ODD_STRINGS[rng.random_range(0..ODD_STRINGS.len())].to_string()
        } else {
            string_at(doc, &other)?
        };
        let t = table_at(doc, &path)?;
        let slot = match index {
            None => t.get_mut(&key)?.as_value_mut()?,
            Some(i) => t.get_mut(&key)?.as_array_mut()?.get_mut(i)?,
        };
        if slot.as_str() == Some(pick.as_str()) {
            return None;
        }
        let decor = slot.decor().clone();
        *slot = Value::from(pick.as_str());
        *slot.decor_mut() = decor;
        return Some(format!("{} = {pick:?}", show(&path, &key)));
    }
    None
}

fn string_at(doc: &mut DocumentMut, (path, key, index): &(Path, String, Option<usize>)) -> Option<String> {
    let t = table_at(doc, path)?;
    let v = match index {
        None => t.get(key)?.as_value()?,
        Some(i) => t.get(key)?.as_array()?.get(*i)?,
    };
    v.as_str().map(str::to_string)
}

/// The cases every run covers: every subset of the top-level arrays of tables removed, each
/// emptied (`pact = []`), cut to its first element or with its first element doubled; every
/// inline array (`members`, `change`, `between`, ...) emptied; every table cleared.
fn systematic(text: &str) -> Vec<(String, String)> {
    let doc: DocumentMut = text.parse().expect("a shipped scenario parses");
    let mut targets = Targets::default();
    collect(doc.as_table(), &Vec::new(), &mut targets);
    let mut cases = Vec::new();
    let top: Vec<(String, usize)> = targets
        .arrays
        .iter()
        .filter(|(p, _, _)| p.is_empty())
        .map(|(_, k, n)| (k.clone(), *n))
        .collect();
    for mask in 1u32..(1 << top.len()) {
        let mut d = doc.clone();
        let mut removed = Vec::new();
        for (bit, (key, _)) in top.iter().enumerate() {
            if mask & (1 << bit) != 0 {
                d.as_table_mut().remove(key);
                removed.push(key.as_str());
            }
        }
        cases.push((format!("remove every [[{}]]", removed.join("]], [[")), d.to_string()));
    }
    for (key, n) in &top {
        let mut d = doc.clone();
        d.as_table_mut().insert(key, Item::Value(Value::Array(Default::default())));
        cases.push((format!("{key} = []"), d.to_string()));
        let mut d = doc.clone();
        let a = d.as_table_mut().get_mut(key).and_then(Item::as_array_of_tables_mut).unwrap();
        let first = a.get(0).unwrap().clone();
        if *n > 1 {
            while a.len() > 1 {
                a.remove(a.len() - 1);
            }
            cases.push((format!("only the first [[{key}]]"), d.to_string()));
            let mut d = doc.clone();
            d.as_table_mut()
                .get_mut(key)
                .and_then(Item::as_array_of_tables_mut)
                .unwrap()
                .push(first);
            cases.push((format!("the first [[{key}]] twice"), d.to_string()));
        } else {
            a.push(first);
            cases.push((format!("the first [[{key}]] twice"), d.to_string()));
        }
    }
    for (path, key, _) in targets.arrays.iter().filter(|(p, _, n)| !p.is_empty() && *n > 0) {
        let mut d = doc.clone();
        if let Some(Item::Value(Value::Array(a))) = table_at(&mut d, path).and_then(|t| t.get_mut(key)) {
            a.clear();
            cases.push((format!("{} = []", show(path, key)), d.to_string()));
        }
    }
    for path in &targets.tables {
        let mut d = doc.clone();
        if let Some(t) = table_at(&mut d, path)
            && !t.is_empty()
        {
            t.clear();
            cases.push((format!("clear {}", show(path, "")), d.to_string()));
        }
    }
    cases
}

#[derive(Default)]
struct Stats {
    cases: usize,
    accepted: usize,
    charted: usize,
    failures: Vec<String>,
}

fn quiet_panics() {
    // A panic is reported by the test with its case; the default hook's backtrace would bury it.
    std::panic::set_hook(Box::new(|_| {}));
}

/// Loads one case; runs what loads; writes some of it out. Panics are caught and recorded.
fn check(name: &str, what: &str, text: &str, stats: &mut Stats, out: &std::path::Path) {
    stats.cases += 1;
    let chart = stats.charted < MAX_CHARTED && stats.accepted.is_multiple_of(CHART_EVERY);
    let outcome = catch_unwind(AssertUnwindSafe(|| -> Result<bool, String> {
        let source = Source {
            path: name.into(),
            text: text.to_string(),
        };
        let sc = match scenario::from_source(&source, &[]) {
            Ok(sc) => sc,
            Err(e) => {
                let message = e.to_string();
                if message.trim().is_empty() || !message.contains(name) {
                    return Err(format!("an error that does not name the file: {message:?}"));
                }
                return Ok(false);
            }
        };
        let spec = RunSpec {
            seed: 11,
            replicates: 0..3,
            keep_decisions: 2,
        };
        let result = run::run(&sc, &spec, &|_| {});
        let summary = pactsim::report::Summary::new(&sc, &result.tally, spec.seed);
        serde_json::to_string(&summary).map_err(|e| e.to_string())?;
        if chart {
            let dir = out.join(format!("case{}", stats.cases));
            let identity = pactsim::output::run_identity(&sc, spec.seed, &spec.replicates);
            // The index of results goes beside the cases (out/runs.csv), not into the repository.
            let dest = pactsim::output::run_destination(Some(&dir), &out.join("default"), identity, false)
                .map_err(|e| format!("destination: {e:#}"))?;
            pactsim::output::write_run(&dest, &sc, &result, true).map_err(|e| format!("write_run: {e:#}"))?;
            for file in ["summary.json", "memberships.csv", "decisions.csv", "report.html"] {
                if !dir.join(file).is_file() {
                    return Err(format!("write_run wrote no {file}"));
                }
            }
            std::fs::remove_dir_all(&dir).map_err(|e| e.to_string())?;
        }
        Ok(true)
    }));
    match outcome {
        Ok(Ok(accepted)) => {
            if accepted {
                stats.accepted += 1;
                stats.charted += usize::from(chart);
            }
        }
        Ok(Err(e)) => stats.failures.push(format!("{name}: {what}: {e}")),
        Err(panic) => {
            let message = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            stats.failures.push(format!("{name}: {what}: PANIC {message}"));
        }
    }
}

#[test]
fn mutated_shipped_scenarios_load_or_fail_cleanly_and_what_loads_runs() {
    let t0 = Instant::now();
    let out = tempfile::tempdir().unwrap();
    let mut stats = Stats::default();
    quiet_panics();
    for (name, text) in SCENARIOS {
        let doc: DocumentMut = text.parse().unwrap();
        assert_eq!(doc.to_string(), text, "{name}: toml_edit gives the file back unchanged");
        for (what, mutated) in systematic(text) {
            assert_ne!(mutated, text, "{name}: {what} left the file unchanged");
            check(name, &what, &mutated, &mut stats, out.path());
        }
    }
    let systematic_cases = stats.cases;
    let systematic_time = t0.elapsed();
    let mut rng = ChaCha8Rng::seed_from_u64(18);
    let docs: Vec<DocumentMut> = SCENARIOS.iter().map(|(_, t)| t.parse().unwrap()).collect();
    let mut random = 0;
    let mut kinds = std::collections::BTreeMap::<String, usize>::new();
    while random < MAX_RANDOM_CASES && (random < MIN_RANDOM_CASES || t0.elapsed() < BUDGET) {
        let which = rng.random_range(0..SCENARIOS.len());
        let (name, text) = SCENARIOS[which];
        let mut doc = docs[which].clone();
        let mut done = Vec::new();
        let n = rng.random_range(1..=3);
        while done.len() < n {
            if let Some(what) = mutate(&mut doc, &mut rng) {
                let kind = if what.contains(" = ") {
                    if what.ends_with('"') { "string" } else { "number" }
                } else {
                    what.split(' ').next().unwrap_or("")
                };
                *kinds.entry(kind.to_string()).or_default() += 1;
                done.push(what);
            }
        }
        let mutated = doc.to_string();
        let what = done.join("; ");
        if mutated == text {
            // A mutation undone by the next (a duplicate removed again): draw another case.
            continue;
        }
        check(name, &what, &mutated, &mut stats, out.path());
        random += 1;
    }
    let _ = std::panic::take_hook();
    eprintln!(
        "{} cases ({systematic_cases} systematic in {:.1} s, {random} random): {} accepted and run, {} written with charts; {:.1} s; mutations: {kinds:?}",
        stats.cases,
        systematic_time.as_secs_f64(),
        stats.accepted,
        stats.charted,
        t0.elapsed().as_secs_f64()
    );
    assert!(stats.accepted >= 20, "too few cases load to exercise the run: {}", stats.accepted);
    assert!(
        stats.failures.is_empty(),
        "{} of {} cases failed:\n{}",
        stats.failures.len(),
        stats.cases,
        stats.failures.iter().take(30).cloned().collect::<Vec<_>>().join("\n")
    );
}
