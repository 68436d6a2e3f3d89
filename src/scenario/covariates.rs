//! The user's own covariates (`[[covariate]]`) and the terms that read them (`[[term]]`):
//! resolved from inline values or a CSV file next to the scenario, checked, and turned into one
//! table of values per round from which they hold.
//!
//! A covariate file is a CSV with a header row; lines starting with `#` are comments (name the
//! source of the numbers there). Columns:
//!
//! - dyadic: `a`, `b` (state ids; the pair is unordered: a value holds both ways), `value`;
//! - monadic: `state`, `value`;
//! - either, optionally: `date` (`YYYY-MM` or `YYYY-MM-DD`: the value holds from the round of that
//!   date on) or `round` (from that round on; 0 = the start). An empty cell, or no such column:
//!   the value holds from the start.
//!
//! No other column is accepted. A pair (or state) not given is 0. A value dated before the start
//! holds from the start (the latest such one); a value dated after the last round is never used.
//! Two values for the same pair (or state) in the same round are an error.
//!
//! Declared as a child of `resolve` (it reports through its `Checker`); the types are re-exported
//! by `crate::scenario`.

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;
use std::path::{Component, Path};

use toml::Spanned;

use super::super::calendar::{Calendar, Date};
use super::super::schema::{RawCovariate, RawCovariateValue, RawTerm, SpannedStr};
use super::super::{PactId, StateId};
use super::Checker;
use crate::scenario::error::suggest;

/// Most `[[term]]` entries a scenario may have (each is a column of decisions.csv).
pub const MAX_TERMS: usize = 8;

/// The largest magnitude a covariate value may have (larger ones: rescale, e.g. to shares).
pub const MAX_VALUE: f64 = 1e12;

/// Names a term may not take: the columns decisions.csv and `explain` already have (the model's
/// own terms, `crate::model::Terms::NAMES`, among them: a test checks it).
pub const RESERVED_TERM_NAMES: [&str; 21] = [
    "replicate",
    "round",
    "label",
    "state",
    "pact",
    "action",
    "applicant",
    "probability",
    "utility",
    "security",
    "issue",
    "autonomy",
    "neutrality",
    "entrapment",
    "provocation",
    "affinity",
    "support",
    "switching",
    "goodwill",
    "grievance",
    "n",
];

/// Whether a covariate has one value per pair of states or per state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CovariateKind {
    /// One value per (unordered) pair of states.
    Dyadic,
    /// One value per state.
    Monadic,
}

impl CovariateKind {
    pub const NAMES: [&'static str; 2] = ["dyadic", "monadic"];
    pub fn parse(s: &str) -> Option<CovariateKind> {
        match s {
            "dyadic" => Some(CovariateKind::Dyadic),
            "monadic" => Some(CovariateKind::Monadic),
            _ => None,
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            CovariateKind::Dyadic => "dyadic",
            CovariateKind::Monadic => "monadic",
        }
    }
}

/// A covariate, resolved: its values as they stand from each round on.
#[derive(Debug, Clone)]
pub struct Covariate {
    pub id: String,
    pub kind: CovariateKind,
    pub description: String,
    pub source: String,
    /// The rounds from which each table of `values` holds, ascending; the first is 0 (the start).
    pub from_round: Vec<u32>,
    /// Per entry of `from_round`: n×n values `[s·n + k]` (dyadic: symmetric, 0 on the diagonal)
    /// or n values (monadic).
    pub values: Vec<Vec<f64>>,
    /// Per entry of `from_round`, per state s (dyadic only): the range of its values with every
    /// other state, and 0 — where a mean of them over any set of partners (or none) lies.
    pub ranges: Vec<Vec<(f64, f64)>>,
    /// How many pairs (or states) the scenario gives a value for, at any date.
    pub given: usize,
}

impl Covariate {
    /// Which table of values holds at `round`.
    pub fn epoch_at(&self, round: u32) -> usize {
        self.from_round.partition_point(|&r| r <= round).saturating_sub(1)
    }

    /// The value in table `epoch` for the pair `s`, `k` (dyadic) or for `s` (monadic: `k` is
    /// not read), in a scenario of `n` states.
    pub fn value(&self, epoch: usize, n: usize, s: StateId, k: StateId) -> f64 {
        match self.kind {
            CovariateKind::Dyadic => self.values[epoch][s.index() * n + k.index()],
            CovariateKind::Monadic => self.values[epoch][s.index()],
        }
    }
}

/// A term of the user's own, resolved.
#[derive(Debug, Clone)]
pub struct UserTerm {
    pub id: String,
    /// Index in [`crate::scenario::Scenario::covariates`].
    pub covariate: usize,
    /// Utility per unit of the covariate; 0: the term is left out (it changes nothing, and no
    /// output shows it).
    pub weight: f64,
    /// Per pact: whether the term applies to it.
    pub pacts: Vec<bool>,
    pub description: String,
}

impl UserTerm {
    pub fn applies(&self, p: PactId) -> bool {
        self.weight != 0.0 && self.pacts[p.index()]
    }
    /// Whether outputs show it (a column of decisions.csv, a term of `explain`): its weight is
    /// not 0.
    pub fn shown(&self) -> bool {
        self.weight != 0.0
    }
}

/// What one value is about: a pair of states or a state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Cell {
    Pair(usize, usize),
    State(usize),
}

/// One value as read, before its ids are resolved.
struct Row {
    /// Where it stands, for messages: `values[3]` or `trade.csv line 5`.
    origin: String,
    /// Whether messages start with `origin` (a file's line; an inline value's key names it).
    in_file: bool,
    /// The key problems are reported under, and where in the scenario file.
    key: String,
    span: Option<Range<usize>>,
    /// The state ids named, with the field that named them (`a`, `b`, `between[0]`, `state`).
    ids: Vec<(String, String)>,
    /// What is wrong with its shape, found while reading it.
    early: Vec<String>,
    value: Result<f64, String>,
    /// Some(round) if dated (by date or round), None if it holds from the start; Err: a problem.
    when: Result<Option<i64>, String>,
    /// The date or round as written (for the resolved file).
    date: Option<String>,
    round: Option<i64>,
}

/// Resolves every `[[covariate]]`. Values read from a file are written back into `raw` inline
/// (with `loaded_from` naming the file), so that the resolved scenario carries its data and its
/// hash changes when the data do.
pub(super) fn covariates(
    c: &mut Checker,
    raw: &mut [RawCovariate],
    scenario_path: &Path,
    states: &HashMap<String, u16>,
    n: usize,
    calendar: &Calendar,
    rounds: u32,
) -> Vec<Covariate> {
    let _ = c.ids("covariate", raw.iter().map(|v| &v.id));
    let mut out = Vec::new();
    for cov in raw.iter_mut() {
        let k = format!("covariate.{}", cov.id.get_ref());
        let kind = c.choice(format!("{k}.kind"), &cov.kind, CovariateKind::parse, &CovariateKind::NAMES);
        let rows = match (&cov.file, cov.values.is_empty()) {
            (Some(file), true) => read_file(c, &k, file, scenario_path, kind),
            (Some(file), false) => {
                c.problem(
                    Some(file.span()),
                    format!("{k}.file"),
                    "give the values inline (`values = [...]`) or in a file (`file = \"...\"`), not both",
                );
                continue;
            }
            (None, false) => Some(cov.values.iter().enumerate().map(|(i, v)| inline_row(&k, i, v, kind)).collect()),
            (None, true) => {
                c.problem(
                    Some(cov.id.span()),
                    k.clone(),
                    "a covariate needs its values: `values = [{ between = [\"A\", \"B\"], value = 0.5 }, ...]` (dyadic), `values = [{ state = \"A\", value = 0.5 }, ...]` (monadic) or `file = \"name.csv\"`",
                );
                continue;
            }
        };
        let Some(kind) = kind else { continue };
        let Some(rows) = rows else { continue };
        let Some(entries) = check_rows(c, &rows, kind, states, calendar) else {
            continue;
        };
        if let Some(file) = cov.file.take() {
            cov.loaded_from = Some(file.into_inner());
            cov.values = rows.iter().map(|r| raw_value(r, kind)).collect();
        }
        out.push(tables(cov, kind, &entries, n, rounds));
    }
    out
}

/// Resolves every `[[term]]`.
pub(super) fn terms(
    c: &mut Checker,
    raw: &[RawTerm],
    covariates: &[Covariate],
    raw_covariates: &[RawCovariate],
    pacts: &HashMap<String, u16>,
    n_pacts: usize,
) -> Vec<UserTerm> {
    let _ = c.ids("term", raw.iter().map(|t| &t.id));
    if raw.len() > MAX_TERMS {
        c.problem(None, "term", format!("{} terms: at most {MAX_TERMS} are supported", raw.len()));
    }
    // Every covariate id, resolved or not: a term naming one that failed to resolve has been
    // reported with it.
    let known: HashMap<String, u16> = raw_covariates
        .iter()
        .enumerate()
        .map(|(i, v)| (v.id.get_ref().clone(), i as u16))
        .collect();
    let mut out = Vec::new();
    for t in raw {
        let k = format!("term.{}", t.id.get_ref());
        if RESERVED_TERM_NAMES.contains(&t.id.get_ref().as_str()) {
            c.problem(
                Some(t.id.span()),
                format!("{k}.id"),
                format!(
                    "`{}` is already a column of decisions.csv or explain: give the term another name (e.g. `{}_term`)",
                    t.id.get_ref(),
                    t.id.get_ref()
                ),
            );
        }
        c.range(format!("{k}.weight"), t.weight, -1000.0, 1000.0);
        let covariate = c.lookup(&known, "covariate", format!("{k}.covariate"), &t.covariate);
        let mut applies = vec![t.pacts.is_empty(); n_pacts];
        for (i, p) in t.pacts.iter().enumerate() {
            if let Some(p) = c.lookup(pacts, "pact", format!("{k}.pacts[{i}]"), p) {
                if applies[p as usize] {
                    c.problem(
                        Some(t.pacts[i].span()),
                        format!("{k}.pacts[{i}]"),
                        format!("`{}` is listed twice", t.pacts[i].get_ref()),
                    );
                }
                applies[p as usize] = true;
            }
        }
        let Some(covariate) = covariate else { continue };
        let id = raw_covariates[covariate as usize].id.get_ref();
        let Some(index) = covariates.iter().position(|v| &v.id == id) else {
            continue;
        };
        out.push(UserTerm {
            id: t.id.get_ref().clone(),
            covariate: index,
            weight: t.weight,
            pacts: applies,
            description: t.description.clone(),
        });
    }
    out
}

fn inline_row(k: &str, i: usize, v: &RawCovariateValue, kind: Option<CovariateKind>) -> Row {
    let mut ids = Vec::new();
    let mut early = Vec::new();
    if let Some(b) = &v.between {
        if b.get_ref().len() == 2 {
            for (j, s) in b.get_ref().iter().enumerate() {
                ids.push((format!("`between[{j}]`"), s.get_ref().clone()));
            }
        } else {
            early.push(format!(
                "`between` names {} states; give exactly two, e.g. [\"FIN\", \"SWE\"]",
                b.get_ref().len()
            ));
        }
    }
    if let Some(s) = &v.state {
        ids.push(("`state`".into(), s.get_ref().clone()));
    }
    // Which of `between` / `state` the kind takes.
    let wrong = match kind {
        Some(CovariateKind::Dyadic) if v.state.is_some() => Some("a dyadic covariate's value takes `between`, not `state`"),
        Some(CovariateKind::Monadic) if v.between.is_some() => Some("a monadic covariate's value takes `state`, not `between`"),
        Some(CovariateKind::Dyadic) if v.between.is_none() => Some("a dyadic covariate's value names its pair: `between = [\"A\", \"B\"]`"),
        Some(CovariateKind::Monadic) if v.state.is_none() => Some("a monadic covariate's value names its state: `state = \"A\"`"),
        _ => None,
    };
    early.extend(wrong.map(String::from));
    let (date, round) = (v.date.as_ref().map(|d| d.get_ref().clone()), v.round.as_ref().map(|r| *r.get_ref()));
    Row {
        origin: format!("values[{i}]"),
        in_file: false,
        key: format!("{k}.values[{i}]"),
        span: v.between.as_ref().map(|b| b.span()).or_else(|| v.state.as_ref().map(|s| s.span())),
        ids,
        early,
        value: Ok(v.value),
        when: when(date.as_deref(), round),
        date,
        round,
    }
}

/// Whether a value is dated: by date (resolved with the calendar later) or round. Err if both.
fn when(date: Option<&str>, round: Option<i64>) -> Result<Option<i64>, String> {
    match (date, round) {
        (Some(_), Some(_)) => Err("give `date` or `round`, not both".into()),
        (None, Some(r)) if r < 0 => Err(format!("round {r} is before the start: rounds count from 0 (the start)")),
        (None, Some(r)) => Ok(Some(r)),
        _ => Ok(None),
    }
}

/// A cell as a message may quote it: at most 40 characters, control characters escaped.
fn quoted(s: &str) -> String {
    let mut out: String = s.chars().take(40).flat_map(char::escape_debug).collect();
    if s.chars().count() > 40 {
        out.push('…');
    }
    out
}

/// The rows of a covariate file, or None (reported) when it cannot be read at all.
fn read_file(c: &mut Checker, k: &str, file: &SpannedStr, scenario_path: &Path, kind: Option<CovariateKind>) -> Option<Vec<Row>> {
    let key = format!("{k}.file");
    let name = file.get_ref();
    let relative = Path::new(name);
    let inside = relative
        .components()
        .all(|part| matches!(part, Component::Normal(_) | Component::CurDir));
    if name.is_empty() || !inside || !name.ends_with(".csv") {
        c.problem(
            Some(file.span()),
            key,
            format!(
                "`{}` is not a covariate file: give a .csv file in the scenario's directory or below it, by a relative path without `..` (e.g. \"trade.csv\" or \"data/trade.csv\")",
                quoted(name)
            ),
        );
        return None;
    }
    let path = scenario_path.parent().unwrap_or(Path::new("")).join(relative);
    let kind = kind?;
    let text = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) => {
            c.problem(
                Some(file.span()),
                key,
                format!(
                    "cannot read {}: {e} (a covariate file is read relative to the scenario file's directory)",
                    path.display()
                ),
            );
            return None;
        }
    };
    let (needed, ids): (&[&str], &[&str]) = match kind {
        CovariateKind::Dyadic => (&["a", "b", "value"], &["a", "b"]),
        CovariateKind::Monadic => (&["state", "value"], &["state"]),
    };
    let valid: Vec<&str> = needed.iter().copied().chain(["date", "round"]).collect();
    let mut reader = csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .trim(csv::Trim::All)
        .from_reader(text.as_slice());
    let header = match reader.headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            c.problem(Some(file.span()), key, format!("{name}: {e}"));
            return None;
        }
    };
    let mut column = HashMap::new();
    let mut bad = false;
    for (i, h) in header.iter().enumerate() {
        if !valid.contains(&h) {
            c.problem(
                Some(file.span()),
                key.clone(),
                format!(
                    "{name}: `{}` is not a column of a {} covariate file; {}",
                    quoted(h),
                    kind.name(),
                    suggest(h, valid.iter().copied())
                ),
            );
            bad = true;
        } else if column.insert(h.to_string(), i).is_some() {
            c.problem(Some(file.span()), key.clone(), format!("{name}: column `{h}` is given twice"));
            bad = true;
        }
    }
    for need in needed {
        if !column.contains_key(*need) {
            c.problem(
                Some(file.span()),
                key.clone(),
                format!(
                    "{name}: no `{need}` column; a {} covariate file has the columns {} (and optionally `date` or `round`)",
                    kind.name(),
                    needed.iter().map(|c| format!("`{c}`")).collect::<Vec<_>>().join(", ")
                ),
            );
            bad = true;
        }
    }
    if bad {
        return None;
    }
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map(|p| format!(" line {}", p.line())).unwrap_or_default();
                c.problem(Some(file.span()), key, format!("{name}{line}: {e}"));
                return None;
            }
        };
        let line = record.position().map_or(0, |p| p.line());
        let get = |col: &str| column.get(col).and_then(|&i| record.get(i)).filter(|s| !s.is_empty());
        let origin = format!("{name} line {line}");
        let value = match get("value") {
            None => Err("column `value` is empty: give a number".to_string()),
            Some(v) => v
                .parse::<f64>()
                .map_err(|_| format!("column `value`: `{}` is not a number (write e.g. 0.25)", quoted(v))),
        };
        let round = get("round").map(|r| r.parse::<i64>());
        let (round, round_problem) = match round {
            None => (None, None),
            Some(Ok(r)) => (Some(r), None),
            Some(Err(_)) => (
                None,
                Some(format!(
                    "column `round`: `{}` is not a round (a whole number, 0 = the start)",
                    quoted(get("round").unwrap_or(""))
                )),
            ),
        };
        let date = get("date").map(str::to_string);
        let mut row = Row {
            origin,
            in_file: true,
            key: key.clone(),
            span: Some(file.span()),
            ids: ids
                .iter()
                .map(|f| (format!("column `{f}`"), get(f).unwrap_or("").to_string()))
                .collect(),
            early: Vec::new(),
            value,
            when: Ok(None),
            date,
            round,
        };
        row.when = match round_problem {
            Some(p) => Err(p),
            None => when(row.date.as_deref(), row.round),
        };
        rows.push(row);
    }
    Some(rows)
}

/// Resolves the rows' ids and dates and checks their values: the entries (cell, from round —
/// i64::MIN for undated —, value), or None if any row is wrong (each reported, at most 20 per
/// covariate).
fn check_rows(
    c: &mut Checker,
    rows: &[Row],
    kind: CovariateKind,
    states: &HashMap<String, u16>,
    calendar: &Calendar,
) -> Option<Vec<(Cell, i64, f64)>> {
    const MOST: usize = 20;
    let mut problems: Vec<(String, Option<Range<usize>>, String)> = Vec::new();
    let mut entries = Vec::with_capacity(rows.len());
    let mut seen: HashMap<(Cell, i64), &str> = HashMap::new();
    let mut valid_ids: Vec<&str> = states.keys().map(String::as_str).collect();
    valid_ids.sort_unstable();
    for row in rows {
        let mut fail = |message: String| {
            let message = if row.in_file {
                format!("{}: {message}", row.origin)
            } else {
                message
            };
            problems.push((row.key.clone(), row.span.clone(), message))
        };
        let mut resolved = Vec::new();
        let mut ok = row.early.is_empty();
        for message in &row.early {
            fail(message.clone());
        }
        for (field, id) in &row.ids {
            if id.is_empty() {
                fail(format!("{field} is empty: give a state id"));
                ok = false;
            } else if let Some(&i) = states.get(id) {
                resolved.push(i as usize);
            } else {
                fail(format!(
                    "{field}: unknown state `{}`; {}",
                    quoted(id),
                    suggest(id, valid_ids.iter().copied())
                ));
                ok = false;
            }
        }
        match &row.value {
            Ok(v) if !v.is_finite() || v.abs() > MAX_VALUE => {
                fail(format!(
                    "{v:e} is not a covariate value: give a finite number of magnitude at most {MAX_VALUE:e} (rescale larger ones, e.g. to shares or billions)"
                ));
                ok = false;
            }
            Ok(_) => {}
            Err(m) => {
                fail(m.clone());
                ok = false;
            }
        }
        let when = match (&row.when, &row.date) {
            (Err(m), _) => {
                fail(m.clone());
                ok = false;
                None
            }
            (Ok(_), Some(d)) => match Date::parse(d) {
                None => {
                    fail(format!("`{}` is not a date: write \"YYYY-MM\" or \"YYYY-MM-DD\"", quoted(d)));
                    ok = false;
                    None
                }
                Some(date) => match calendar.round_of(date) {
                    None => {
                        fail("a date needs `start` in [scenario]; or give a round instead".into());
                        ok = false;
                        None
                    }
                    Some(r) => Some(r),
                },
            },
            (Ok(r), None) => *r,
        };
        if !ok {
            continue;
        }
        let cell = match (kind, resolved.as_slice()) {
            (CovariateKind::Dyadic, &[a, b]) => {
                if a == b {
                    fail(format!(
                        "a pair names one state twice (`{}`): name two different states",
                        row.ids[0].1
                    ));
                    continue;
                }
                Cell::Pair(a.min(b), a.max(b))
            }
            (CovariateKind::Monadic, &[s]) => Cell::State(s),
            _ => continue,
        };
        let key = when.unwrap_or(i64::MIN);
        if let Some(first) = seen.insert((cell, key), &row.origin) {
            let what = match when {
                None => "without a date (from the start)".to_string(),
                Some(r) if r >= 1 && calendar.start.is_some() => format!("in round {r} ({})", calendar.label(r as u32)),
                Some(r) => format!("in round {r}"),
            };
            let name = match cell {
                Cell::Pair(..) => format!("{}–{}", row.ids[0].1, row.ids[1].1),
                Cell::State(_) => row.ids[0].1.clone(),
            };
            fail(format!(
                "{name} is given twice {what} (also {first}): give one value per pair (or state) and round"
            ));
            continue;
        }
        entries.push((cell, key, *row.value.as_ref().unwrap_or(&0.0)));
    }
    let more = problems.len().saturating_sub(MOST);
    let last = problems.len().min(MOST);
    for (i, (key, span, mut message)) in problems.into_iter().take(MOST).enumerate() {
        if i + 1 == last && more > 0 {
            message.push_str(&format!(" (and {more} more problems in these values)"));
        }
        c.problem(span, key, message);
    }
    (more == 0 && last == 0).then_some(entries)
}

/// A row as an inline value of the resolved scenario.
fn raw_value(row: &Row, kind: CovariateKind) -> RawCovariateValue {
    let id = |i: usize| Spanned::new(0..0, row.ids[i].1.clone());
    RawCovariateValue {
        between: (kind == CovariateKind::Dyadic).then(|| Spanned::new(0..0, vec![id(0), id(1)])),
        state: (kind == CovariateKind::Monadic).then(|| id(0)),
        value: *row.value.as_ref().unwrap_or(&0.0),
        date: row.date.clone().map(|d| Spanned::new(0..0, d)),
        round: row.round.map(|r| Spanned::new(0..0, r)),
    }
}

/// The tables of values from each round on: the start's (for each cell its latest value dated
/// at or before round 0, or undated), then one table for each round in 1..=rounds at which some
/// value changes.
fn tables(raw: &RawCovariate, kind: CovariateKind, entries: &[(Cell, i64, f64)], n: usize, rounds: u32) -> Covariate {
    let size = match kind {
        CovariateKind::Dyadic => n * n,
        CovariateKind::Monadic => n,
    };
    let set = |table: &mut Vec<f64>, cell: Cell, v: f64| match cell {
        Cell::Pair(a, b) => {
            table[a * n + b] = v;
            table[b * n + a] = v;
        }
        Cell::State(s) => table[s] = v,
    };
    let mut sorted: Vec<(Cell, i64, f64)> = entries.to_vec();
    sorted.sort_by_key(|x| (x.0, x.1));
    let mut start = vec![0.0; size];
    let mut changes: BTreeMap<u32, Vec<(Cell, f64)>> = BTreeMap::new();
    for &(cell, when, v) in &sorted {
        if when <= 0 {
            // Sorted by date within a cell: the latest at or before the start is set last.
            set(&mut start, cell, v);
        } else if when <= i64::from(rounds) {
            changes.entry(when as u32).or_default().push((cell, v));
        }
    }
    let mut from_round = vec![0];
    let mut values = vec![start];
    for (round, list) in changes {
        let mut table = values[values.len() - 1].clone();
        for (cell, v) in list {
            set(&mut table, cell, v);
        }
        from_round.push(round);
        values.push(table);
    }
    let ranges = match kind {
        CovariateKind::Dyadic => values
            .iter()
            .map(|table| {
                (0..n)
                    .map(|s| {
                        (0..n)
                            .filter(|&k| k != s)
                            .map(|k| table[s * n + k])
                            .fold((0.0, 0.0), |(lo, hi), x| (f64::min(lo, x), f64::max(hi, x)))
                    })
                    .collect()
            })
            .collect(),
        CovariateKind::Monadic => Vec::new(),
    };
    let mut cells: Vec<Cell> = entries.iter().map(|e| e.0).collect();
    cells.sort_unstable();
    cells.dedup();
    Covariate {
        id: raw.id.get_ref().clone(),
        kind,
        description: raw.description.clone(),
        source: raw.source.clone(),
        from_round,
        values,
        ranges,
        given: cells.len(),
    }
}
