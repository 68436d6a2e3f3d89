//! Raw schema → validated [`Scenario`]: resolves ids to dense indices and checks every range.
//! All problems are collected, so a user fixes a file in one pass rather than one error a run.

use std::collections::HashMap;
use std::ops::Range;
use std::path::Path;

use sha2::{Digest, Sha256};
use toml::Spanned;

use super::calendar::{Calendar, Date, RoundUnit};
use super::error::{LineIndex, Problem, ScenarioError, suggest};
use super::schema::*;
use super::*;

/// `[[covariate]]` and `[[term]]`: a child of this module, to report through its [`Checker`].
#[path = "covariates.rs"]
pub(super) mod covariates;

/// Ids become path segments of `--set` and column values of CSV files.
fn valid_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 64 && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

struct Checker<'a> {
    lines: LineIndex<'a>,
    problems: Vec<Problem>,
    /// The file as a spanned TOML tree, to find where a key path's value stands.
    doc: Option<toml::Spanned<toml::de::DeTable<'a>>>,
    /// "state.FIN" → its index in the `state` array (likewise pact, event, grievance,
    /// relation "A-B"), to turn a key path of ids into a place in the file.
    index: HashMap<String, usize>,
    /// Every number checked against a range: its key path and the range (for the controls of
    /// `pactsim serve`, which must offer exactly what validation accepts).
    ranges: Vec<(String, f64, f64)>,
}

/// One step of a path into the TOML tree.
enum Seg<'k> {
    Key(&'k str),
    Index(usize),
}

fn span_in_table(table: &toml::de::DeTable, path: &[Seg]) -> Option<Range<usize>> {
    let (Seg::Key(k), rest) = path.split_first()? else { return None };
    let (_, value) = table.iter().find(|(key, _)| key.get_ref().as_ref() == *k)?;
    span_in_value(value, rest)
}

fn span_in_value(value: &toml::Spanned<toml::de::DeValue>, path: &[Seg]) -> Option<Range<usize>> {
    match (path.first(), value.get_ref()) {
        (None, _) => Some(value.span()),
        (Some(Seg::Index(i)), toml::de::DeValue::Array(items)) => span_in_value(items.get(*i)?, &path[1..]),
        (Some(Seg::Key(_)), toml::de::DeValue::Table(t)) => span_in_table(t, path),
        _ => None,
    }
}

impl Checker<'_> {
    fn problem(&mut self, span: Option<Range<usize>>, key: impl Into<String>, message: impl Into<String>) {
        let key = key.into();
        let location = span.or_else(|| self.span_of_key(&key)).and_then(|s| self.lines.locate(s));
        self.problems.push(Problem {
            location,
            key,
            message: message.into(),
            set: None,
        });
    }

    /// Where the value named by a key path of ids (`state.FIN.support.start`,
    /// `event.war.change.0.to`) stands in the file, if it is written there.
    fn span_of_key(&self, key: &str) -> Option<Range<usize>> {
        let doc = self.doc.as_ref()?;
        let parts: Vec<&str> = key.split('.').collect();
        let mut path = Vec::new();
        let mut i = 0;
        while i < parts.len() {
            if i == 0
                && parts.len() > 1
                && let Some(&idx) = self.index.get(&format!("{}.{}", parts[0], parts[1]))
            {
                path.extend([Seg::Key(parts[0]), Seg::Index(idx)]);
                i += 2;
                continue;
            }
            path.push(match parts[i].parse::<usize>() {
                Ok(n) => Seg::Index(n),
                Err(_) => Seg::Key(parts[i]),
            });
            i += 1;
        }
        span_in_table(doc.get_ref(), &path)
    }

    /// A finite number within `lo..=hi`.
    fn range(&mut self, key: impl Into<String>, value: f64, lo: f64, hi: f64) {
        let key = key.into();
        self.ranges.push((key.clone(), lo, hi));
        if !value.is_finite() {
            self.problem(None, key, format!("must be a finite number from {lo} to {hi}, not {value}"));
        } else if value < lo || value > hi {
            self.problem(None, key, format!("{value} is out of range: must be from {lo} to {hi}"));
        }
    }

    fn ids<'s>(&mut self, what: &str, ids: impl Iterator<Item = &'s SpannedStr>) -> HashMap<String, u16> {
        let mut map = HashMap::new();
        for (i, id) in ids.enumerate() {
            let key = format!("{what}[{i}].id");
            if !valid_id(id.get_ref()) {
                self.problem(
                    Some(id.span()),
                    key,
                    format!("`{}` is not a valid id: use 1 to 64 letters, digits, `_` or `-`", id.get_ref()),
                );
            } else if map.insert(id.get_ref().clone(), i as u16).is_some() {
                self.problem(
                    Some(id.span()),
                    key,
                    format!("duplicate {what} id `{}`: ids must be unique", id.get_ref()),
                );
            }
        }
        map
    }

    fn lookup(&mut self, map: &HashMap<String, u16>, what: &str, key: impl Into<String>, id: &SpannedStr) -> Option<u16> {
        if let Some(&i) = map.get(id.get_ref()) {
            return Some(i);
        }
        let mut valid: Vec<&str> = map.keys().map(String::as_str).collect();
        valid.sort_unstable();
        self.problem(
            Some(id.span()),
            key,
            format!("unknown {what} `{}`; {}", id.get_ref(), suggest(id.get_ref(), valid)),
        );
        None
    }

    fn choice<T>(&mut self, key: impl Into<String>, value: &SpannedStr, parse: impl Fn(&str) -> Option<T>, valid: &[&str]) -> Option<T> {
        let parsed = parse(value.get_ref());
        if parsed.is_none() {
            self.problem(
                Some(value.span()),
                key,
                format!(
                    "`{}` is not allowed; {}",
                    value.get_ref(),
                    suggest(value.get_ref(), valid.iter().copied())
                ),
            );
        }
        parsed
    }
}

pub(super) fn resolve(raw: RawScenario, path: &Path, text: Option<&str>) -> Result<Scenario, ScenarioError> {
    resolve_with_ranges(raw, path, text).0
}

/// A `--set` path and the range validation checks its number against.
pub(super) type CheckedRange = (String, f64, f64);

/// As [`resolve`], and the range every number was checked against, by `--set` path (also when
/// the scenario is invalid).
pub(super) fn resolve_with_ranges(
    raw: RawScenario,
    path: &Path,
    text: Option<&str>,
) -> (Result<Scenario, ScenarioError>, Vec<CheckedRange>) {
    let mut ranges = Vec::new();
    let result = resolve_inner(raw, path, text, &mut ranges);
    (result, ranges)
}

fn resolve_inner(mut raw: RawScenario, path: &Path, text: Option<&str>, ranges: &mut Vec<CheckedRange>) -> Result<Scenario, ScenarioError> {
    let mut c = Checker {
        lines: LineIndex::new(text),
        problems: Vec::new(),
        doc: text.and_then(|t| toml::de::DeTable::parse(t).ok()),
        index: array_index(&raw),
        ranges: Vec::new(),
    };
    let meta = &raw.scenario;
    let calendar = scenario_table(&mut c, meta);
    let params = model_table(&mut c, &raw.model);
    check_sizes(&mut c, &raw);
    let state_ids = c.ids("state", raw.states.iter().map(|s| &s.id));
    let states = states(&mut c, &raw.states);
    let n = states.len();
    let (hostility, proximity) = relations(&mut c, &raw.relations, &state_ids, &states);
    let grievance_ids = c.ids("grievance", raw.grievances.iter().map(|g| &g.id));
    let grievances = grievances(&mut c, &raw.grievances, &state_ids);
    let pact_ids = c.ids("pact", raw.pacts.iter().map(|p| &p.id));
    let mut pacts = pacts(&mut c, &raw.pacts, &state_ids, &states);
    let events = events(&mut c, &raw.events, &calendar, meta.rounds, &state_ids, &pact_ids, &grievance_ids);

    // [[template]]: each adds its slots after the listed pacts.
    let templates = templates(&mut c, &raw, &state_ids, &pact_ids, &hostility, &proximity, &events, &mut pacts);
    let targets = targets(&mut c, &raw.targets, &state_ids, &pact_ids, &calendar, meta.rounds);

    // [[covariate]], [[term]] (values read from a file are written into `raw`, inline)
    let covariates = covariates::covariates(&mut c, &mut raw.covariates, path, &state_ids, n, &calendar, meta.rounds);
    let user_terms = covariates::terms(&mut c, &raw.terms, &covariates, &raw.covariates, &pact_ids, pacts.len());

    *ranges = std::mem::take(&mut c.ranges);
    if !c.problems.is_empty() {
        return Err(ScenarioError::Invalid {
            path: path.to_path_buf(),
            problems: c.problems,
            sets: Vec::new(),
        });
    }

    let (resolved_toml, hash) = resolved_toml_and_hash(&raw, path)?;
    Ok(Scenario {
        name: meta.name.clone(),
        description: meta.description.clone(),
        rounds: meta.rounds,
        calendar,
        seed: meta.seed,
        runs: meta.runs,
        params,
        states,
        pacts,
        templates,
        hostility,
        proximity,
        grievances,
        events,
        targets,
        resolved_toml,
        hash,
        covariates,
        user_terms,
    })
}

/// "state.FIN" → its index in the `state` array (likewise pact, event, grievance, template,
/// relation "A-B", covariate, term): the first of each id, for [`Checker::span_of_key`].
fn array_index(raw: &RawScenario) -> HashMap<String, usize> {
    let mut index = HashMap::new();
    let ids = [
        ("state", raw.states.iter().map(|s| s.id.get_ref().clone()).collect::<Vec<_>>()),
        ("pact", raw.pacts.iter().map(|p| p.id.get_ref().clone()).collect()),
        ("event", raw.events.iter().map(|e| e.id.get_ref().clone()).collect()),
        ("grievance", raw.grievances.iter().map(|g| g.id.get_ref().clone()).collect()),
        ("template", raw.templates.iter().map(|t| t.id.get_ref().clone()).collect()),
        (
            "relation",
            raw.relations
                .iter()
                .map(|r| {
                    r.between
                        .get_ref()
                        .iter()
                        .map(|s| s.get_ref().as_str())
                        .collect::<Vec<_>>()
                        .join("-")
                })
                .collect(),
        ),
        ("covariate", raw.covariates.iter().map(|v| v.id.get_ref().clone()).collect()),
        ("term", raw.terms.iter().map(|t| t.id.get_ref().clone()).collect()),
    ];
    for (array, names) in ids {
        for (i, name) in names.into_iter().enumerate() {
            index.entry(format!("{array}.{name}")).or_insert(i);
        }
    }
    index
}

/// `[scenario]`: rounds and runs in range, and the calendar of its rounds.
fn scenario_table(c: &mut Checker, meta: &RawMeta) -> Calendar {
    if meta.rounds == 0 || meta.rounds > MAX_ROUNDS {
        c.problem(
            None,
            "scenario.rounds",
            format!("{} is out of range: must be from 1 to {MAX_ROUNDS}", meta.rounds),
        );
    }
    if meta.runs == 0 || meta.runs > MAX_RUNS {
        c.problem(
            None,
            "scenario.runs",
            format!("{} is out of range: must be from 1 to {MAX_RUNS}", meta.runs),
        );
    }
    let unit = c
        .choice("scenario.round_unit", &meta.round_unit, RoundUnit::parse, &RoundUnit::NAMES)
        .unwrap_or(RoundUnit::Month);
    let start = meta.start.as_ref().and_then(|s| {
        let d = Date::parse(s.get_ref());
        if d.is_none() {
            c.problem(
                Some(s.span()),
                "scenario.start",
                format!("`{}` is not a date: write \"YYYY-MM\" or \"YYYY-MM-DD\"", s.get_ref()),
            );
        }
        d
    });
    Calendar { unit, start }
}

/// `[model]`: every choice and weight checked, as the parameters the model reads.
fn model_table(c: &mut Checker, m: &RawModel) -> Params {
    let kind = c.choice("model.kind", &m.kind, |s| (s == "pacts").then_some(ModelKind::Pacts), &["pacts"]);
    let update_order = c.choice(
        "model.update_order",
        &m.update_order,
        |s| match s {
            "sequential" => Some(UpdateOrder::Sequential),
            "simultaneous" => Some(UpdateOrder::Simultaneous),
            _ => None,
        },
        &["sequential", "simultaneous"],
    );
    let shocks = c.choice(
        "model.shocks",
        &m.shocks,
        |s| match s {
            "persistent" => Some(Shocks::Persistent),
            "per_round" => Some(Shocks::PerRound),
            _ => None,
        },
        &["persistent", "per_round"],
    );
    c.range("model.temperature", m.temperature, 0.0, 100.0);
    let w = &m.weights;
    for (name, v) in [
        ("security", w.security),
        ("issue", w.issue),
        ("autonomy", w.autonomy),
        ("neutrality", w.neutrality),
        ("entrapment", w.entrapment),
        ("provocation", w.provocation),
        ("affinity", w.affinity),
        ("support", w.support),
        ("join_cost", w.join_cost),
        ("exit_cost", w.exit_cost),
        ("exit_binding", w.exit_binding),
        ("grievance", w.grievance),
        ("admission_hostility", w.admission_hostility),
    ] {
        c.range(format!("model.weights.{name}"), v, 0.0, 1000.0);
    }
    c.range("model.credibility.binding", m.credibility.binding, 0.0, 1.0);
    c.range("model.credibility.informal", m.credibility.informal, 0.0, 1.0);
    let op = &m.obligation_protection;
    for (name, v) in [
        ("defence", op.defence),
        ("offence", op.offence),
        ("consultation", op.consultation),
        ("neutrality", op.neutrality),
        ("non_aggression", op.non_aggression),
    ] {
        c.range(format!("model.obligation_protection.{name}"), v, 0.0, 1.0);
    }
    for (name, v) in [
        ("informal_provocation", m.informal_provocation),
        ("nuclear_floor", m.nuclear_floor),
        ("ratification_rate", m.ratification_rate),
        ("grievance_decay", m.grievance_decay),
        ("bloc_threat", m.bloc_threat),
    ] {
        c.range(format!("model.{name}"), v, 0.0, 1.0);
    }
    c.range("model.admission_goodwill", m.admission_goodwill, -100.0, 100.0);
    for (key, set) in [("support_gate", &m.support_gate), ("binding_gate", &m.binding_gate)] {
        if set.is_some() {
            c.problem(
                None,
                format!("model.{key}"),
                "was removed: public support now enters once, as the support term (model.weights.support and each state's support.threshold), with no gate; delete this key (docs/MODEL.md §4)",
            );
        }
    }
    Params {
        kind: kind.unwrap_or(ModelKind::Pacts),
        temperature: m.temperature,
        update_order: update_order.unwrap_or(UpdateOrder::Sequential),
        shocks: shocks.unwrap_or(Shocks::Persistent),
        weights: m.weights.clone(),
        credibility: m.credibility.clone(),
        obligation_protection: m.obligation_protection.clone(),
        informal_provocation: m.informal_provocation,
        nuclear_floor: m.nuclear_floor,
        ratification_rate: m.ratification_rate,
        admission_goodwill: m.admission_goodwill,
        grievance_decay: m.grievance_decay,
        bloc_threat: m.bloc_threat,
    }
}

/// At least one state, and no more states or pacts than the engine supports.
fn check_sizes(c: &mut Checker, raw: &RawScenario) {
    if raw.states.is_empty() {
        c.problem(None, "state", "a scenario needs at least one [[state]]");
    }
    // The engine keeps pacts × states tables and a states × states exposure table per replicate
    // and thread: these bounds keep them small while leaving room for any real-world case (the
    // UN has 193 members).
    if raw.states.len() > MAX_STATES {
        c.problem(
            None,
            "state",
            format!("{} states: at most {MAX_STATES} are supported", raw.states.len()),
        );
    }
    if raw.pacts.len() > MAX_PACTS {
        c.problem(
            None,
            "pact",
            format!("{} pacts: at most {MAX_PACTS} are supported", raw.pacts.len()),
        );
    }
}

/// `[[state]]`: each state's values checked, in file order.
fn states(c: &mut Checker, raw: &[RawState]) -> Vec<State> {
    let mut states = Vec::with_capacity(raw.len());
    for s in raw {
        let k = format!("state.{}", s.id.get_ref());
        if !s.capability.is_finite() || s.capability <= 0.0 || s.capability > super::MAX_CAPABILITY {
            c.problem(
                None,
                format!("{k}.capability"),
                format!(
                    "must be a positive number (a CINC or spending share) of at most 1e60, not {}",
                    s.capability
                ),
            );
        }
        c.range(format!("{k}.neutrality"), s.neutrality, 0.0, 1.0);
        if !(1..=MAX_COUNT).contains(&s.count) {
            c.problem(
                None,
                format!("{k}.count"),
                format!("{} is out of range: an aggregate stands for 1 to {MAX_COUNT} states", s.count),
            );
        }
        c.range(format!("{k}.commitment"), s.commitment, 0.0, 1.0);
        c.range(format!("{k}.support.start"), s.support.start, 0.0, 1.0);
        c.range(format!("{k}.support.inertia"), s.support.inertia, 0.0, 1.0);
        c.range(format!("{k}.support.threshold"), s.support.threshold, 0.0, 1.0);
        c.range(format!("{k}.support.sensitivity"), s.support.sensitivity, 0.0, 50.0);
        let salience = issues(c, &format!("{k}.issues"), &s.issues);
        let resources = issues(c, &format!("{k}.resources"), &s.resources);
        states.push(State {
            id: s.id.get_ref().clone(),
            name: if s.name.is_empty() {
                s.id.get_ref().clone()
            } else {
                s.name.clone()
            },
            capability: s.capability,
            democracy: s.democracy,
            neutrality: s.neutrality,
            commitment: s.commitment,
            support: Support {
                start: s.support.start,
                inertia: s.support.inertia,
                threshold: s.support.threshold,
                sensitivity: s.support.sensitivity,
            },
            salience,
            resources,
            count: s.count.clamp(1, MAX_COUNT) as u16,
            exists: s.exists,
        });
    }
    states
}

/// `[[relation]]`: the states × states hostility and proximity tables (0 for a pair not given).
fn relations(c: &mut Checker, raw: &[RawRelation], state_ids: &HashMap<String, u16>, states: &[State]) -> (Vec<f64>, Vec<f64>) {
    let n = states.len();
    let mut hostility = vec![0.0; n * n];
    let mut proximity = vec![0.0; n * n];
    let mut seen_pairs = HashMap::new();
    for (i, r) in raw.iter().enumerate() {
        let Some((a, b)) = pair(c, state_ids, &format!("relation[{i}].between"), &r.between) else {
            continue;
        };
        let k = format!("relation.{}-{}", states[a].id, states[b].id);
        if let Some(first) = seen_pairs.insert((a.min(b), a.max(b)), i) {
            c.problem(
                Some(r.between.span()),
                &k,
                format!("relation given twice (also relation[{first}]): merge them"),
            );
        }
        c.range(format!("{k}.hostility"), r.hostility, -1.0, 1.0);
        c.range(format!("{k}.proximity"), r.proximity, 0.0, 1.0);
        for (x, y) in [(a, b), (b, a)] {
            hostility[x * n + y] = r.hostility;
            proximity[x * n + y] = r.proximity;
        }
    }
    (hostility, proximity)
}

/// `[[grievance]]`: those whose holder and target are known states.
fn grievances(c: &mut Checker, raw: &[RawGrievance], state_ids: &HashMap<String, u16>) -> Vec<Grievance> {
    let mut grievances = Vec::new();
    for g in raw {
        let k = format!("grievance.{}", g.id.get_ref());
        let holder = c.lookup(state_ids, "state", format!("{k}.holder"), &g.holder);
        let against = c.lookup(state_ids, "state", format!("{k}.against"), &g.against);
        c.range(format!("{k}.strength"), g.strength, 0.0, 100.0);
        if let (Some(h), Some(a)) = (holder, against) {
            if h == a {
                c.problem(
                    Some(g.against.span()),
                    format!("{k}.against"),
                    "a state cannot hold a grievance against itself",
                );
            }
            grievances.push(Grievance {
                id: g.id.get_ref().clone(),
                holder: StateId(h),
                against: StateId(a),
                strength: g.strength,
            });
        }
    }
    grievances
}

/// `[[pact]]`: each pact's values checked, in file order.
fn pacts(c: &mut Checker, raw: &[RawPact], state_ids: &HashMap<String, u16>, states: &[State]) -> Vec<Pact> {
    let mut pacts = Vec::new();
    for p in raw {
        let k = format!("pact.{}", p.id.get_ref());
        c.range(format!("{k}.binding"), p.binding, 0.0, 1.0);
        c.range(format!("{k}.issue_gain"), p.issue_gain, 0.0, 1.0);
        let mut obligations = Vec::new();
        for (i, o) in p.obligations.iter().enumerate() {
            let names: Vec<&str> = Obligation::ALL.iter().map(|o| o.name()).collect();
            if let Some(o) = c.choice(format!("{k}.obligations[{i}]"), o, Obligation::parse, &names) {
                obligations.push(o);
            }
        }
        let issue_names: Vec<&str> = Issue::ALL.iter().map(|i| i.name()).collect();
        let issue = c
            .choice(format!("{k}.issue"), &p.issue, Issue::parse, &issue_names)
            .unwrap_or(Issue::Security);
        let admission = c
            .choice(format!("{k}.admission"), &p.admission, Admission::parse, &Admission::NAMES)
            .unwrap_or(Admission::Closed);
        let founders = state_list(c, state_ids, &format!("{k}.members"), &p.members);
        if p.active {
            for f in &founders {
                let st = &states[f.index()];
                if !st.exists {
                    c.problem(
                        None,
                        format!("{k}.members"),
                        format!(
                            "`{}` has `exists = false` (a state only from its `birth` event), so it cannot be a member at the start",
                            st.id
                        ),
                    );
                }
            }
        }
        let guarantor = match &p.guarantor {
            Some(_) if p.nuclear == Some(false) => None,
            Some(g) => c.lookup(state_ids, "state", format!("{k}.guarantor"), g).map(StateId),
            None => {
                if p.nuclear == Some(true) {
                    c.problem(
                        None,
                        format!("{k}.nuclear"),
                        "a nuclear guarantee needs its guarantor named: add guarantor = \"<state id>\" (e.g. \"USA\"), the member whose umbrella it is",
                    );
                }
                None
            }
        };
        let mut rivals = state_list(c, state_ids, &format!("{k}.rivals"), &p.rivals);
        // In id order, so sums over rivals never depend on the order of the list in the file.
        rivals.sort();
        if let Some(limit) = p.size_limit
            && (limit as usize) < founders.len()
        {
            c.problem(
                None,
                format!("{k}.size_limit"),
                format!("{limit} is smaller than the {} founding members", founders.len()),
            );
        }
        if p.min_members == 0 {
            c.problem(None, format!("{k}.min_members"), "must be at least 1");
        }
        pacts.push(Pact {
            id: p.id.get_ref().clone(),
            name: if p.name.is_empty() {
                p.id.get_ref().clone()
            } else {
                p.name.clone()
            },
            obligations,
            binding: p.binding,
            issue,
            issue_gain: p.issue_gain,
            pooled: p.pooled,
            founders,
            admission,
            guarantor,
            size_limit: p.size_limit,
            rivals,
            min_members: p.min_members,
            active: p.active,
            new: p.new,
            template: None,
        });
    }
    pacts
}

/// `[[event]]`: the enabled events with a valid round, in round order (each event's changes
/// checked whether it is enabled or not).
fn events(
    c: &mut Checker,
    raw: &[RawEvent],
    calendar: &Calendar,
    rounds: u32,
    state_ids: &HashMap<String, u16>,
    pact_ids: &HashMap<String, u16>,
    grievance_ids: &HashMap<String, u16>,
) -> Vec<Event> {
    let _ = c.ids("event", raw.iter().map(|e| &e.id));
    let mut events = Vec::new();
    for e in raw {
        let k = format!("event.{}", e.id.get_ref());
        let round = event_round(c, &k, e, calendar, rounds);
        let mut changes = Vec::new();
        for (i, ch) in e.changes.iter().enumerate() {
            if let Some(ch) = change(c, &format!("{k}.change.{i}"), ch, state_ids, pact_ids, grievance_ids) {
                changes.push(ch);
            }
        }
        if let Some(round) = round
            && e.enabled
        {
            events.push(Event {
                id: e.id.get_ref().clone(),
                name: if e.name.is_empty() {
                    e.id.get_ref().clone()
                } else {
                    e.name.clone()
                },
                round,
                changes,
            });
        }
    }
    events.sort_by_key(|e| e.round);
    events
}

/// `[[target]]`: the valid targets, in file order.
fn targets(
    c: &mut Checker,
    raw: &[RawTarget],
    state_ids: &HashMap<String, u16>,
    pact_ids: &HashMap<String, u16>,
    calendar: &Calendar,
    rounds: u32,
) -> Vec<Target> {
    let mut targets = Vec::new();
    for (i, t) in raw.iter().enumerate() {
        if let Some(t) = target(c, &format!("target.{i}"), t, state_ids, pact_ids, calendar, rounds) {
            targets.push(t);
        }
    }
    targets
}

/// The scenario as resolved (values read from files written inline), as TOML, and its SHA-256.
fn resolved_toml_and_hash(raw: &RawScenario, path: &Path) -> Result<(String, String), ScenarioError> {
    let resolved_toml = toml::to_string_pretty(raw).map_err(|e| ScenarioError::Parse {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    let hash = Sha256::digest(resolved_toml.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    Ok((resolved_toml, hash))
}

/// Resolves the `[[template]]` tables and appends their slots to `pacts` (docs/MODEL.md §5b): one
/// group of `slots` inactive pacts per template, or, with `rival_rule = "worst_threat"`, one group
/// per state that may put pressure on one of its proposers (proximity above 0 and hostility above
/// 0 at the start or changed by an event), in id order.
#[allow(clippy::too_many_arguments)]
fn templates(
    c: &mut Checker,
    raw: &RawScenario,
    state_ids: &HashMap<String, u16>,
    pact_ids: &HashMap<String, u16>,
    hostility: &[f64],
    proximity: &[f64],
    events: &[Event],
    pacts: &mut Vec<Pact>,
) -> Vec<Template> {
    let _ = c.ids("template", raw.templates.iter().map(|t| &t.id));
    let n = raw.states.len();
    let mut out = Vec::new();
    for t in &raw.templates {
        let id = t.id.get_ref();
        let k = format!("template.{id}");
        if pact_ids.contains_key(id) {
            c.problem(
                Some(t.id.span()),
                format!("{k}.id"),
                format!("`{id}` is also a pact's id: a template needs an id of its own"),
            );
        }
        let prefix = format!("{id}-");
        for pact in pact_ids.keys().filter(|p| p.starts_with(&prefix)) {
            c.problem(
                Some(t.id.span()),
                format!("{k}.id"),
                format!("pact `{pact}` begins with `{prefix}`, as the stable ids of pacts this template forms do: rename one of them"),
            );
        }
        c.range(format!("{k}.binding"), t.binding, 0.0, 1.0);
        c.range(format!("{k}.issue_gain"), t.issue_gain, 0.0, 1.0);
        let kind = c
            .choice(format!("{k}.kind"), &t.kind, TemplateKind::parse, &TemplateKind::NAMES)
            .unwrap_or(TemplateKind::Informal);
        let mut obligations = Vec::new();
        for (i, o) in t.obligations.iter().enumerate() {
            let names: Vec<&str> = Obligation::ALL.iter().map(|o| o.name()).collect();
            if let Some(o) = c.choice(format!("{k}.obligations[{i}]"), o, Obligation::parse, &names) {
                obligations.push(o);
            }
        }
        let issue_names: Vec<&str> = Issue::ALL.iter().map(|i| i.name()).collect();
        let issue = c
            .choice(format!("{k}.issue"), &t.issue, Issue::parse, &issue_names)
            .unwrap_or(Issue::Security);
        let admission = c
            .choice(format!("{k}.admission"), &t.admission, Admission::parse, &Admission::NAMES)
            .unwrap_or(Admission::Closed);
        let rule = c
            .choice(format!("{k}.rival_rule"), &t.rival_rule, RivalRule::parse, &RivalRule::NAMES)
            .unwrap_or(RivalRule::Fixed);
        let mut rivals = state_list(c, state_ids, &format!("{k}.rivals"), &t.rivals);
        rivals.sort();
        if rule == RivalRule::WorstThreat && !rivals.is_empty() {
            c.problem(
                None,
                format!("{k}.rivals"),
                "give fixed `rivals` or `rival_rule = \"worst_threat\"`, not both",
            );
        }
        let sorted = |c: &mut Checker, key: &str, list: &Option<Vec<SpannedStr>>| {
            list.as_ref().map(|l| {
                let mut v = state_list(c, state_ids, &format!("{k}.{key}"), l);
                v.sort();
                v
            })
        };
        let members = sorted(c, "members", &t.members);
        let proposers = sorted(c, "proposers", &t.proposers);
        if let (Some(members), Some(proposers)) = (&members, &proposers) {
            for p in proposers.iter().filter(|p| members.binary_search(p).is_err()) {
                c.problem(
                    None,
                    format!("{k}.proposers"),
                    format!(
                        "`{}` may propose but is not in `members`: a proposer is a founder, so add it to `members`",
                        raw.states[p.index()].id.get_ref()
                    ),
                );
            }
        }
        for r in &rivals {
            if members.as_ref().is_some_and(|m| m.binary_search(r).is_ok()) {
                c.problem(
                    None,
                    format!("{k}.members"),
                    format!(
                        "`{}` is a rival of the template and cannot be a member",
                        raw.states[r.index()].id.get_ref()
                    ),
                );
            }
        }
        if t.min_members < 2 || t.min_members as usize > n.max(2) {
            c.problem(
                None,
                format!("{k}.min_members"),
                format!(
                    "{} is out of range: a pact that forms needs its proposer and at least one partner, so from 2 to {}",
                    t.min_members,
                    n.max(2)
                ),
            );
        }
        if let Some(limit) = t.size_limit
            && limit < t.min_members
        {
            c.problem(
                None,
                format!("{k}.size_limit"),
                format!(
                    "{limit} is smaller than min_members ({}): no pact of the template could form",
                    t.min_members
                ),
            );
        }
        if !(1..=16).contains(&t.candidates) {
            c.problem(
                None,
                format!("{k}.candidates"),
                format!("{} is out of range: a proposer considers from 1 to 16 partners", t.candidates),
            );
        } else if t.candidates + 1 < t.min_members {
            c.problem(
                None,
                format!("{k}.candidates"),
                format!(
                    "{}: a proposer and {} partners are fewer than min_members ({}), so no pact could form",
                    t.candidates, t.candidates, t.min_members
                ),
            );
        }
        if !(1..=16).contains(&t.slots) {
            c.problem(
                None,
                format!("{k}.slots"),
                format!("{} is out of range: from 1 to 16 pacts of a template may be alive at once", t.slots),
            );
        }
        let template = Template {
            id: id.clone(),
            name: if t.name.is_empty() { id.clone() } else { t.name.clone() },
            kind,
            proposers,
            members,
            candidates: t.candidates.clamp(1, 16) as usize,
            rival_rule: rule,
            groups: Vec::new(),
            min_members: t.min_members,
            size_limit: t.size_limit,
            new: t.new,
        };
        // The rivals each group is aimed at.
        let group_rivals: Vec<Option<StateId>> = match rule {
            RivalRule::Fixed => vec![None],
            RivalRule::WorstThreat => {
                let changed: Vec<(usize, usize)> = events
                    .iter()
                    .flat_map(|e| &e.changes)
                    .filter_map(|ch| match ch {
                        Change::Hostility { a, b, .. } => Some((a.index(), b.index())),
                        _ => None,
                    })
                    .collect();
                let may_press = |i: usize, j: usize| {
                    i != j
                        && proximity[i * n + j] > 0.0
                        && (hostility[i * n + j] > 0.0 || changed.iter().any(|&(a, b)| (a, b) == (i, j) || (a, b) == (j, i)))
                };
                (0..n)
                    .filter(|&j| (0..n).any(|i| template.may_propose(StateId(i as u16)) && may_press(i, j)))
                    .map(|j| Some(StateId(j as u16)))
                    .collect()
            }
        };
        let slots = t.slots.clamp(1, 16);
        let mut template = template;
        let index = out.len() as u16;
        for rival in group_rivals {
            let first = pacts.len();
            for i in 1..=slots {
                let (pact_id, rivals) = match rival {
                    Some(r) => (format!("{id}#{}#{i}", raw.states[r.index()].id.get_ref()), vec![r]),
                    None => (format!("{id}#{i}"), rivals.clone()),
                };
                pacts.push(Pact {
                    id: pact_id,
                    name: template.name.clone(),
                    obligations: obligations.clone(),
                    binding: t.binding,
                    issue,
                    issue_gain: t.issue_gain,
                    pooled: t.pooled,
                    founders: Vec::new(),
                    admission,
                    guarantor: None,
                    size_limit: t.size_limit,
                    rivals,
                    min_members: t.min_members,
                    active: false,
                    new: true,
                    template: Some(index),
                });
            }
            template.groups.push(SlotGroup {
                rival,
                first: first.min(u16::MAX as usize) as u16,
                count: slots as u16,
            });
        }
        out.push(template);
    }
    if pacts.len() > MAX_PACTS {
        c.problem(
            None,
            "template",
            format!(
                "the templates need {} pacts' slots, which with the {} listed pacts is more than the {MAX_PACTS} supported: lower their `slots`",
                pacts.len() - raw.pacts.len(),
                raw.pacts.len()
            ),
        );
    }
    out
}

/// Resolves one `[[target]]`: the statistic, what it names (a pact, a state, a round, as the
/// statistic needs and nothing else), and a value and tolerance in range.
fn target(
    c: &mut Checker,
    k: &str,
    t: &RawTarget,
    states: &HashMap<String, u16>,
    pacts: &HashMap<String, u16>,
    calendar: &Calendar,
    rounds: u32,
) -> Option<Target> {
    let names: Vec<&str> = Statistic::ALL.iter().map(|s| s.name()).collect();
    let statistic = c.choice(format!("{k}.statistic"), &t.statistic, Statistic::parse, &names)?;
    let (needs_pact, needs_state, needs_round) = statistic.needs();
    let name = statistic.name();
    let mut ok = true;
    let mut field = |c: &mut Checker, what: &str, given: bool, needed: bool| {
        if given != needed {
            ok = false;
            let message = if needed {
                format!("a `{name}` target names its {what}")
            } else {
                format!("a `{name}` target takes no {what}")
            };
            c.problem(None, format!("{k}.{what}"), message);
        }
    };
    field(c, "pact", t.pact.is_some(), needs_pact);
    field(c, "state", t.state.is_some(), needs_state);
    field(c, "round or date", t.round.is_some() || t.date.is_some(), needs_round);
    let pact = t
        .pact
        .as_ref()
        .and_then(|p| c.lookup(pacts, "pact", format!("{k}.pact"), p))
        .map(PactId);
    let state = t
        .state
        .as_ref()
        .and_then(|s| c.lookup(states, "state", format!("{k}.state"), s))
        .map(StateId);
    let date_round = |c: &mut Checker, key: String, text: &str, span: Option<std::ops::Range<usize>>| -> Option<i64> {
        let Some(date) = Date::parse(text) else {
            c.problem(span, key, format!("`{text}` is not a date: write \"YYYY-MM\" or \"YYYY-MM-DD\""));
            return None;
        };
        let round = calendar.round_of(date);
        if round.is_none() {
            c.problem(span, key, "a date needs `start` in [scenario]; or give a round instead");
        }
        round
    };
    let round = match (&t.round, &t.date) {
        (Some(_), Some(d)) => {
            c.problem(Some(d.span()), format!("{k}.date"), "give `round` or `date`, not both");
            None
        }
        (Some(r), None) => Some(*r.get_ref()),
        (None, Some(d)) => date_round(c, format!("{k}.date"), d.get_ref(), Some(d.span())),
        (None, None) => None,
    };
    if let Some(r) = round
        && (r < 0 || r > i64::from(rounds))
    {
        c.problem(
            None,
            format!("{k}.round"),
            format!("falls in round {r}, but the scenario has rounds 0 (the start) to {rounds}"),
        );
        ok = false;
    }
    let (value, value_text) = match (&t.value, statistic) {
        (RawTargetValue::Date(d), Statistic::JoinDateMedian | Statistic::ApplyDateMedian) => {
            let r = date_round(c, format!("{k}.value"), d, None)?;
            if r < 1 || r > i64::from(rounds) {
                c.problem(
                    None,
                    format!("{k}.value"),
                    format!("{d} falls in round {r}, but the scenario has rounds 1 to {rounds}"),
                );
                return None;
            }
            (r as f64, d.clone())
        }
        (RawTargetValue::Date(d), _) => {
            c.problem(
                None,
                format!("{k}.value"),
                format!("a `{name}` target's value is a number, not `{d}`"),
            );
            return None;
        }
        (RawTargetValue::Number(v), _) => (*v, v.to_string()),
    };
    match statistic {
        Statistic::PFinal | Statistic::PMemberAt | Statistic::SupportAt | Statistic::PFormed => {
            c.range(format!("{k}.value"), value, 0.0, 1.0)
        }
        Statistic::JoinDateMedian | Statistic::ApplyDateMedian => c.range(format!("{k}.value"), value, 1.0, f64::from(rounds)),
        Statistic::AccessionLagMedian => c.range(format!("{k}.value"), value, 0.0, f64::from(rounds)),
    }
    if !(t.tolerance > 0.0 && t.tolerance.is_finite()) {
        c.problem(
            None,
            format!("{k}.tolerance"),
            format!("{} is not a tolerance: give a positive number", t.tolerance),
        );
        ok = false;
    }
    if !ok || (needs_pact && pact.is_none()) || (needs_state && state.is_none()) {
        return None;
    }
    Some(Target {
        statistic,
        pact,
        state,
        round: round.map(|r| r as u32),
        value,
        value_text,
        tolerance: t.tolerance,
        source: t.source.clone(),
    })
}

fn issues(c: &mut Checker, key: &str, raw: &RawIssues) -> [f64; 5] {
    let values = [raw.security, raw.energy, raw.food, raw.minerals, raw.technology];
    for (issue, v) in Issue::ALL.iter().zip(values) {
        c.range(format!("{key}.{}", issue.name()), v, 0.0, 1.0);
    }
    values
}

fn state_list(c: &mut Checker, ids: &HashMap<String, u16>, key: &str, list: &[SpannedStr]) -> Vec<StateId> {
    let mut out: Vec<StateId> = Vec::new();
    for (i, s) in list.iter().enumerate() {
        if let Some(id) = c.lookup(ids, "state", format!("{key}[{i}]"), s) {
            if out.contains(&StateId(id)) {
                c.problem(Some(s.span()), format!("{key}[{i}]"), format!("`{}` is listed twice", s.get_ref()));
            } else {
                out.push(StateId(id));
            }
        }
    }
    out
}

fn pair(c: &mut Checker, ids: &HashMap<String, u16>, key: &str, between: &Spanned<Vec<SpannedStr>>) -> Option<(usize, usize)> {
    let list = between.get_ref();
    if list.len() != 2 {
        c.problem(
            Some(between.span()),
            key,
            format!("names {} states; give exactly two, e.g. [\"FIN\", \"RUS\"]", list.len()),
        );
        return None;
    }
    let a = c.lookup(ids, "state", format!("{key}[0]"), &list[0]);
    let b = c.lookup(ids, "state", format!("{key}[1]"), &list[1]);
    let (a, b) = (a? as usize, b? as usize);
    if a == b {
        c.problem(
            Some(between.span()),
            key,
            "a state has no relation with itself: name two different states",
        );
        return None;
    }
    Some((a, b))
}

fn event_round(c: &mut Checker, k: &str, e: &RawEvent, calendar: &Calendar, rounds: u32) -> Option<u32> {
    let round = match (&e.round, &e.date) {
        (Some(_), Some(d)) => {
            c.problem(Some(d.span()), format!("{k}.date"), "give `round` or `date`, not both");
            return None;
        }
        (None, None) => {
            c.problem(None, k, "an event needs `round = N` or `date = \"YYYY-MM\"`");
            return None;
        }
        (Some(r), None) => (*r.get_ref(), r.span()),
        (None, Some(d)) => {
            let Some(date) = Date::parse(d.get_ref()) else {
                c.problem(
                    Some(d.span()),
                    format!("{k}.date"),
                    format!("`{}` is not a date: write \"YYYY-MM\" or \"YYYY-MM-DD\"", d.get_ref()),
                );
                return None;
            };
            match calendar.round_of(date) {
                Some(r) => (r, d.span()),
                None => {
                    c.problem(
                        Some(d.span()),
                        format!("{k}.date"),
                        "a date needs `start` in [scenario]; or give `round = N` instead",
                    );
                    return None;
                }
            }
        }
    };
    let (r, span) = round;
    if r < 1 || r > i64::from(rounds) {
        let what = if e.date.is_some() {
            format!("falls in round {r}")
        } else {
            format!("is round {r}")
        };
        c.problem(Some(span), k, format!("{what}, but the scenario has rounds 1 to {rounds}"));
        return None;
    }
    Some(r as u32)
}

/// The kinds of `[[event]]` change, as `kind` names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ChangeKind {
    Hostility,
    Proximity,
    Capability,
    Commitment,
    Support,
    Salience,
    Democracy,
    Grievance,
    Found,
    Dissolve,
    ForceJoin,
    ForceLeave,
    Birth,
    Death,
}

impl ChangeKind {
    const ALL: [ChangeKind; 14] = [
        ChangeKind::Hostility,
        ChangeKind::Proximity,
        ChangeKind::Capability,
        ChangeKind::Commitment,
        ChangeKind::Support,
        ChangeKind::Salience,
        ChangeKind::Democracy,
        ChangeKind::Grievance,
        ChangeKind::Found,
        ChangeKind::Dissolve,
        ChangeKind::ForceJoin,
        ChangeKind::ForceLeave,
        ChangeKind::Birth,
        ChangeKind::Death,
    ];

    fn name(self) -> &'static str {
        match self {
            ChangeKind::Hostility => "hostility",
            ChangeKind::Proximity => "proximity",
            ChangeKind::Capability => "capability",
            ChangeKind::Commitment => "commitment",
            ChangeKind::Support => "support",
            ChangeKind::Salience => "salience",
            ChangeKind::Democracy => "democracy",
            ChangeKind::Grievance => "grievance",
            ChangeKind::Found => "found",
            ChangeKind::Dissolve => "dissolve",
            ChangeKind::ForceJoin => "force_join",
            ChangeKind::ForceLeave => "force_leave",
            ChangeKind::Birth => "birth",
            ChangeKind::Death => "death",
        }
    }

    fn parse(s: &str) -> Option<ChangeKind> {
        ChangeKind::ALL.into_iter().find(|k| k.name() == s)
    }

    /// Which fields a change of this kind takes; anything else given is a mistake worth telling.
    fn needs(self) -> &'static [&'static str] {
        match self {
            ChangeKind::Hostility | ChangeKind::Proximity => &["between"],
            ChangeKind::Capability | ChangeKind::Commitment | ChangeKind::Support | ChangeKind::Democracy => &["state"],
            ChangeKind::Birth | ChangeKind::Death => &["state"],
            ChangeKind::Salience => &["state", "issue"],
            ChangeKind::Grievance => &["grievance"],
            ChangeKind::Found | ChangeKind::Dissolve => &["pact"],
            ChangeKind::ForceJoin | ChangeKind::ForceLeave => &["state", "pact"],
        }
    }

    /// Whether a change of this kind changes a number (by exactly one of `to`, `by`, `scale`).
    fn numeric(self) -> bool {
        match self {
            ChangeKind::Hostility
            | ChangeKind::Proximity
            | ChangeKind::Capability
            | ChangeKind::Commitment
            | ChangeKind::Support
            | ChangeKind::Democracy
            | ChangeKind::Salience
            | ChangeKind::Grievance => true,
            ChangeKind::Birth
            | ChangeKind::Death
            | ChangeKind::Found
            | ChangeKind::Dissolve
            | ChangeKind::ForceJoin
            | ChangeKind::ForceLeave => false,
        }
    }
}

/// One change of an event: its kind, the fields and number that kind takes, and its ids, checked.
fn change(
    c: &mut Checker,
    k: &str,
    ch: &RawChange,
    states: &HashMap<String, u16>,
    pacts: &HashMap<String, u16>,
    grievances: &HashMap<String, u16>,
) -> Option<Change> {
    let Some(kind) = ChangeKind::parse(ch.kind.get_ref()) else {
        let kind = ch.kind.get_ref().as_str();
        c.problem(
            Some(ch.kind.span()),
            format!("{k}.kind"),
            format!("`{kind}` is not a change; {}", suggest(kind, ChangeKind::ALL.map(ChangeKind::name))),
        );
        return None;
    };
    let fields_ok = check_change_fields(c, k, ch, kind);
    let (op, op_ok) = change_op(c, k, ch, kind);
    if !(fields_ok && op_ok) {
        return None;
    }
    change_of_kind(c, k, ch, kind, op, states, pacts, grievances)
}

/// Whether the change gives exactly the fields its kind takes (each one missing or extra is a
/// problem).
fn check_change_fields(c: &mut Checker, k: &str, ch: &RawChange, kind: ChangeKind) -> bool {
    let needs = kind.needs();
    let kind = kind.name();
    let given = [
        ("between", ch.between.is_some()),
        ("state", ch.state.is_some()),
        ("pact", ch.pact.is_some()),
        ("grievance", ch.grievance.is_some()),
        ("issue", ch.issue.is_some()),
    ];
    let mut ok = true;
    for (field, present) in given {
        if present != needs.contains(&field) {
            let msg = if present {
                format!("a `{kind}` change takes no `{field}` (it takes {})", needs.join(" and "))
            } else {
                format!("a `{kind}` change needs `{field}`")
            };
            c.problem(Some(ch.kind.span()), format!("{k}.{field}"), msg);
            ok = false;
        }
    }
    ok
}

/// The change's `to`, `by` or `scale` (None for a kind that changes no number), and whether it
/// is valid for the kind: exactly one, finite, in range, and only `to = 0` or `to = 1` for
/// democracy.
fn change_op(c: &mut Checker, k: &str, ch: &RawChange, kind: ChangeKind) -> (Option<Op>, bool) {
    let mut ok = true;
    let ops: Vec<Op> = [ch.to.map(Op::Set), ch.by.map(Op::Add), ch.scale.map(Op::Scale)]
        .into_iter()
        .flatten()
        .collect();
    let op = if kind.numeric() {
        if ops.len() != 1 {
            c.problem(
                Some(ch.kind.span()),
                k,
                format!("a `{}` change needs exactly one of `to`, `by` or `scale`", kind.name()),
            );
            ok = false;
        }
        for o in &ops {
            let v = match o {
                Op::Set(v) | Op::Add(v) | Op::Scale(v) => *v,
            };
            if !v.is_finite() {
                c.problem(Some(ch.kind.span()), k, format!("{v} is not a finite number"));
                ok = false;
            }
        }
        ops.first().copied()
    } else {
        if !ops.is_empty() {
            c.problem(
                Some(ch.kind.span()),
                k,
                format!("a `{}` change takes no `to`, `by` or `scale`", kind.name()),
            );
            ok = false;
        }
        None
    };
    if let (Some(Op::Set(v)), ChangeKind::Hostility) = (op, kind) {
        c.range(format!("{k}.to"), v, -1.0, 1.0);
    }
    if let (Some(Op::Set(v)), ChangeKind::Commitment | ChangeKind::Support | ChangeKind::Salience | ChangeKind::Proximity) = (op, kind) {
        c.range(format!("{k}.to"), v, 0.0, 1.0);
    }
    if kind == ChangeKind::Democracy {
        match op {
            Some(Op::Set(v)) if v == 0.0 || v == 1.0 => {}
            Some(_) => {
                c.problem(
                    Some(ch.kind.span()),
                    format!("{k}.to"),
                    "a `democracy` change takes `to = 1` (becomes a democracy) or `to = 0` (stops being one), not `by` or `scale`",
                );
                ok = false;
            }
            None => {}
        }
    }
    (op, ok)
}

/// The change of a checked kind and number, with its ids resolved (None if one is unknown).
#[allow(clippy::too_many_arguments)]
fn change_of_kind(
    c: &mut Checker,
    k: &str,
    ch: &RawChange,
    kind: ChangeKind,
    op: Option<Op>,
    states: &HashMap<String, u16>,
    pacts: &HashMap<String, u16>,
    grievances: &HashMap<String, u16>,
) -> Option<Change> {
    let state = |c: &mut Checker| {
        ch.state
            .as_ref()
            .and_then(|s| c.lookup(states, "state", format!("{k}.state"), s))
            .map(StateId)
    };
    let pact = |c: &mut Checker| {
        ch.pact
            .as_ref()
            .and_then(|p| c.lookup(pacts, "pact", format!("{k}.pact"), p))
            .map(PactId)
    };
    Some(match kind {
        ChangeKind::Hostility => {
            let (a, b) = pair(c, states, &format!("{k}.between"), ch.between.as_ref()?)?;
            Change::Hostility {
                a: StateId(a as u16),
                b: StateId(b as u16),
                op: op?,
            }
        }
        ChangeKind::Proximity => {
            let (a, b) = pair(c, states, &format!("{k}.between"), ch.between.as_ref()?)?;
            Change::Proximity {
                a: StateId(a as u16),
                b: StateId(b as u16),
                op: op?,
            }
        }
        ChangeKind::Democracy => Change::Democracy {
            state: state(c)?,
            democratic: matches!(op?, Op::Set(v) if v == 1.0),
        },
        ChangeKind::Birth => Change::Birth { state: state(c)? },
        ChangeKind::Death => Change::Death { state: state(c)? },
        ChangeKind::Capability => Change::Capability { state: state(c)?, op: op? },
        ChangeKind::Commitment => Change::Commitment { state: state(c)?, op: op? },
        ChangeKind::Support => Change::Support { state: state(c)?, op: op? },
        ChangeKind::Salience => {
            let s = ch.issue.as_ref()?;
            let names: Vec<&str> = Issue::ALL.iter().map(|i| i.name()).collect();
            let issue = c.choice(format!("{k}.issue"), s, Issue::parse, &names);
            Change::Salience {
                state: state(c)?,
                issue: issue?,
                op: op?,
            }
        }
        ChangeKind::Grievance => {
            let g = c.lookup(grievances, "grievance", format!("{k}.grievance"), ch.grievance.as_ref()?)?;
            Change::Grievance {
                grievance: g as usize,
                op: op?,
            }
        }
        ChangeKind::Found => Change::Found { pact: pact(c)? },
        ChangeKind::Dissolve => Change::Dissolve { pact: pact(c)? },
        ChangeKind::ForceJoin => {
            let s = state(c);
            Change::ForceJoin { state: s?, pact: pact(c)? }
        }
        ChangeKind::ForceLeave => {
            let s = state(c);
            Change::ForceLeave { state: s?, pact: pact(c)? }
        }
    })
}
