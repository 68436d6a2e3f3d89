//! `pactsim import`: the state system of a year as a scenario, from COW (state system, NMC,
//! contiguity, MID, wars), ATOP, V-Dem/Polity2 and the Thompson–Dreyer rivalries.
//!
//! [`build`] is a pure function from the [`Dataset`] and an [`ImportSpec`] to the text of a
//! commented scenario file; every value in it is derived from the data by the rules stated in the
//! file's header and in docs/DATA.md. The caller validates the text with the scenario loader
//! ([`crate::scenario::from_source`]), so an import is a real scenario.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;

use super::{
    ALLIANCES_FILE, CONTIGUITY_FILE, DEMOCRACY_FILE, DataError, Dataset, DateKey, DisputeYear, MEMBERS_FILE, MID_FILE, MID_LAST_YEAR,
    NMC_FILE, NMC_FIRST_YEAR, NMC_LAST_YEAR, Obligations, RIVALRY_FILE, RIVALRY_LAST_YEAR, STATES_FILE, SYSTEM_FILE, WAR_FILE, iso,
    next_day, pair, year_end,
};

/// COW's regions, by ranges of COW codes (the COW state system's own grouping).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Region {
    Americas,
    Europe,
    Africa,
    MiddleEast,
    Asia,
    Oceania,
}

impl Region {
    pub const ALL: [Region; 6] = [
        Region::Europe,
        Region::Americas,
        Region::Africa,
        Region::MiddleEast,
        Region::Asia,
        Region::Oceania,
    ];
    pub fn name(self) -> &'static str {
        match self {
            Region::Americas => "americas",
            Region::Europe => "europe",
            Region::Africa => "africa",
            Region::MiddleEast => "middle_east",
            Region::Asia => "asia",
            Region::Oceania => "oceania",
        }
    }
    pub fn parse(s: &str) -> Result<Region, DataError> {
        let k = s.trim().to_ascii_lowercase().replace('-', "_");
        Region::ALL
            .into_iter()
            .find(|r| r.name() == k)
            .ok_or_else(|| DataError::Region(s.to_string()))
    }
    /// COW codes 2–199 Americas, 200–399 Europe, 400–599 sub-Saharan Africa, 600–699 Middle
    /// East and North Africa, 700–899 Asia, 900–999 Oceania.
    pub fn contains(self, ccode: u16) -> bool {
        let range = match self {
            Region::Americas => 0..200,
            Region::Europe => 200..400,
            Region::Africa => 400..600,
            Region::MiddleEast => 600..700,
            Region::Asia => 700..900,
            Region::Oceania => 900..1000,
        };
        range.contains(&ccode)
    }
}

/// Which states of the system to import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    All,
    Region(Region),
    /// COW abbreviations, ISO3 codes or COW numbers.
    States(Vec<String>),
}

impl Selection {
    pub fn label(&self) -> String {
        match self {
            Selection::All => "the whole system".into(),
            Selection::Region(r) => r.name().into(),
            Selection::States(v) => v.join(","),
        }
    }
}

/// What to import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportSpec {
    pub year: i32,
    pub selection: Selection,
    /// "year" or "month".
    pub monthly: bool,
    /// Rounds the scenario plays.
    pub rounds: u32,
    pub runs: u32,
    pub seed: u64,
    /// With `Some(Y2)`, the dated events of the years after `year` through Y2 as `[[event]]`s
    /// (`--through`, docs/DATA.md "Events"); None: a world without events.
    pub through: Option<i32>,
}

/// One `[[event]]` an import writes: when it happens and its text in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedEvent {
    /// The round it applies before (yearly rounds: its year − the world's year; monthly: its
    /// month counted from January of the year after).
    pub round: u32,
    pub date: DateKey,
    pub id: String,
    /// The event as written in the file, comments included.
    pub text: String,
}

/// An imported world: the scenario text and what its states and pacts are in the data.
#[derive(Debug, Clone)]
pub struct Imported {
    pub text: String,
    /// COW codes of the scenario's states, in file order; ids are the COW abbreviations.
    pub states: Vec<u16>,
    /// ATOP ids of the scenario's pacts, in file order, with the scenario id of each.
    pub pacts: Vec<(u32, String)>,
    /// Alliances in effect with fewer than two members among the selected states (left out).
    pub pacts_left_out: usize,
    /// States kept from outside the selected region as members of its pacts (COW codes).
    pub outside: Vec<u16>,
    /// States of the selection born after the world's date, by `--through` (listed with
    /// `exists = false`, after the others), with the first day they are states.
    pub born: Vec<(u16, DateKey)>,
    /// The world on its date: the file up to the states born later and the events.
    pub world_text: String,
    /// The events of `--through`, in file order (by date).
    pub events: Vec<ImportedEvent>,
}

/// Well-known alliances get a readable id; every other pact is `A<atopid>`.
const KNOWN: &[(u32, &str, &str)] = &[
    (3130, "BRUSSELS", "Brussels Treaty (Western Union, later WEU), 1948"),
    (3150, "OAS", "Charter of the Organization of American States (Bogota), 1948"),
    (3180, "NATO", "North Atlantic Treaty, 1949"),
    (
        3205,
        "ARAB_LEAGUE",
        "Arab League Joint Defence and Economic Cooperation Treaty, 1950",
    ),
    (3215, "ANZUS", "ANZUS Treaty, 1951"),
    (3230, "BALKAN_PACT", "Balkan Pact (Treaty of Ankara 1953, Bled alliance 1954)"),
    (3260, "SEATO", "Southeast Asia Collective Defence Treaty (SEATO), 1954"),
    (3275, "BAGHDAD_PACT", "Baghdad Pact (CENTO), 1955"),
    (3285, "WARSAW_PACT", "Warsaw Pact, 1955"),
];

/// Proximity on the scale of docs/MODEL.md (1 land border, 0.7 narrow sea, 0.4 same region,
/// 0.1 distant) from COW direct contiguity on the world's date and the distance between capitals:
/// a land border (type 1) is 1; at most 150 miles of water (types 2–4) 0.7; at most 400 miles
/// (type 5) 0.4; states that are not contiguous are at most "same region": < 3000 km 0.4,
/// < 8000 km 0.1, farther 0. A contiguous pair gets the larger of its contiguity and distance
/// values.
pub fn proximity(contiguity: Option<u8>, km: f64) -> f64 {
    let by_distance = if km < 3000.0 {
        0.4
    } else if km < 8000.0 {
        0.1
    } else {
        0.0
    };
    let by_contiguity = match contiguity {
        Some(1) => 1.0,
        Some(2..=4) => 0.7,
        Some(5) => 0.4,
        _ => 0.0,
    };
    f64::max(by_contiguity, by_distance)
}

/// Hostility of a pair at war with each other in the year (COW inter-state war-years).
pub const WAR_HOSTILITY: f64 = 1.0;
/// Hostility of a pair one of which is named as a threat by an alliance of the other (ATOP).
pub const NAMED_THREAT_HOSTILITY: f64 = 0.8;
/// Hostility of a pair of strategic rivals (Thompson–Dreyer).
pub const RIVALRY_HOSTILITY: f64 = 0.6;
/// Years a militarized dispute is remembered: a dispute-year of year y counts in year Y with
/// weight (W − (Y − y)) / W for Y − W < y ≤ Y.
pub const DISPUTE_MEMORY: i32 = 5;

/// The conflict part of a pair's hostility in `year` (0..1) and its reasons: the largest of a
/// war between them in the year (1), a named threat (0.8), a strategic rivalry (0.6), and each
/// militarized dispute-year of the last [`DISPUTE_MEMORY`] years at 0.2 × its hostility level
/// (2 threat 0.4, 3 display 0.6, 4 use of force 0.8, 5 war 1) × its recency weight. Only data
/// dated in or before `year` is read.
pub fn conflict(data: &Dataset, a: u16, b: u16, year: i32, named_threat: bool) -> (f64, Vec<String>) {
    let mut c: f64 = 0.0;
    let mut why = Vec::new();
    if let Some(w) = data.war(a, b, year) {
        c = c.max(WAR_HOSTILITY);
        why.push(format!("war {w} in {year}"));
    }
    if named_threat {
        c = c.max(NAMED_THREAT_HOSTILITY);
        why.push("named threat".to_string());
    }
    if let Some(r) = data.rivalry(a, b, year) {
        c = c.max(RIVALRY_HOSTILITY);
        // Its start only: the end year is not known on the world's date.
        why.push(format!("rivalry {} since {}", r.name, r.start));
    }
    let mut best: Option<(f64, i32, DisputeYear)> = None;
    for y in (year - DISPUTE_MEMORY + 1)..=year {
        if let Some(d) = data.dispute(a, b, y) {
            let v = 0.2 * f64::from(d.level) * f64::from(DISPUTE_MEMORY - (year - y)) / f64::from(DISPUTE_MEMORY);
            if best.is_none_or(|(bv, _, _)| v > bv) {
                best = Some((v, y, d));
            }
        }
    }
    if let Some((v, y, d)) = best {
        c = c.max(v);
        why.push(format!("MID {} level {} in {y}", d.dispnum, d.level));
    }
    (c, why)
}

/// Hostility from conflict and affinity: a pair with any conflict (war, named threat, rivalry,
/// recent dispute) is hostile at its conflict level, whatever its alliances; a pair with none
/// has hostility −affinity. Conflict and alignment are not netted: allies can be rivals
/// (Greece–Turkey) and co-members of a league can be at war (Iraq–Kuwait 1990).
pub fn hostility(conflict: f64, affinity: f64) -> f64 {
    let h = if conflict > 0.0 { conflict } else { -affinity };
    (h.clamp(-1.0, 1.0) * 1000.0).round() / 1000.0
}

/// V-Dem electoral democracy (`v2x_polyarchy`) at which a state counts as a democracy.
pub const POLYARCHY_THRESHOLD: f64 = 0.5;
/// Polity2 at which a state counts as a democracy where V-Dem has no score.
pub const POLITY2_THRESHOLD: f64 = 6.0;

/// A state's `democracy` flag in `year` and where it comes from: V-Dem polyarchy ≥ 0.5; where
/// V-Dem has no score, Polity2 ≥ 6; with neither, not a democracy (said in the file).
pub fn democracy(data: &Dataset, ccode: u16, year: i32) -> (bool, String) {
    let d = data.democracy.get(&(ccode, year)).copied().unwrap_or_default();
    match (d.polyarchy, d.polity2) {
        (Some(p), _) => (p >= POLYARCHY_THRESHOLD, format!("V-Dem polyarchy {} in {year}", num(p))),
        (None, Some(p)) => (p >= POLITY2_THRESHOLD, format!("Polity2 {} in {year} (no V-Dem score)", num(p))),
        (None, None) => (false, format!("no V-Dem or Polity2 score in {year}")),
    }
}

/// Great-circle distance in km between two points (haversine, libm for the same bits everywhere).
pub fn distance_km(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let r = 6371.0;
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = p2 - p1;
    let dl = (lon2 - lon1).to_radians();
    let a = libm::sin(dp / 2.0).powi(2) + libm::cos(p1) * libm::cos(p2) * libm::sin(dl / 2.0).powi(2);
    2.0 * r * libm::asin(libm::sqrt(a.clamp(0.0, 1.0)))
}

/// The ATOP tie level of an alliance for the S score: 3 defence or offence, 2 neutrality or
/// non-aggression, 1 consultation, 0 none.
fn tie_level(o: &Obligations) -> u8 {
    if o.defence || o.offence {
        3
    } else if o.neutrality || o.non_aggression {
        2
    } else if o.consultation {
        1
    } else {
        0
    }
}

/// Signorino & Ritter's S over alliance portfolios for every pair of the system in `year`:
/// `S_ij = 1 − 2 Σ_k |x_ik − x_jk| / (3 N)`, x the tie levels (x_ii = 3), N the system's size.
/// Returns the system (COW codes) and S as an N×N matrix.
pub fn s_scores(data: &Dataset, year: i32) -> (Vec<u16>, Vec<f64>) {
    let system = data.system(year);
    let n = system.len();
    let pos: HashMap<u16, usize> = system.iter().enumerate().map(|(i, &c)| (c, i)).collect();
    let mut ties = vec![0u8; n * n];
    for i in 0..n {
        ties[i * n + i] = 3;
    }
    let mut by_alliance: BTreeMap<u32, Vec<usize>> = BTreeMap::new();
    for (a, c) in data.memberships_at(year_end(year)) {
        if let Some(&i) = pos.get(&c) {
            by_alliance.entry(a).or_default().push(i);
        }
    }
    for (a, members) in &by_alliance {
        let level = tie_level(&data.alliances[a].obligations);
        for &i in members {
            for &j in members {
                if i != j && ties[i * n + j] < level {
                    ties[i * n + j] = level;
                }
            }
        }
    }
    let mut s = vec![1.0; n * n];
    for i in 0..n {
        for j in (i + 1)..n {
            let d: u32 = (0..n).map(|k| u32::from(ties[i * n + k].abs_diff(ties[j * n + k]))).sum();
            let v = 1.0 - 2.0 * f64::from(d) / (3.0 * n as f64);
            s[i * n + j] = v;
            s[j * n + i] = v;
        }
    }
    (system, s)
}

/// Writes a number with at most 4 decimals and no trailing zeros.
fn num(x: f64) -> String {
    let s = format!("{x:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.to_string() }
}

/// Who is in a world: its states and its pacts, on 31 December of its year.
#[derive(Debug, Clone)]
pub struct World {
    pub year: i32,
    /// The selected states (a region's, a list's or all) that are states on the date.
    pub core: Vec<u16>,
    /// The world's states: the core and, when alliances are kept whole, the members of its pacts
    /// from outside the core; in code order.
    pub states: Vec<u16>,
    /// The world's pacts (alliances in effect with at least two core members) and their members
    /// among `states`.
    pub pacts: BTreeMap<u32, Vec<u16>>,
    /// Every alliance in effect on the date and all its members that are states then.
    pub all_members: BTreeMap<u32, Vec<u16>>,
    /// Alliances in effect with fewer than two core members (not pacts of the world).
    pub pacts_left_out: usize,
}

impl World {
    /// States of the world from outside its core (kept as members of its pacts).
    pub fn outside(&self) -> Vec<u16> {
        self.states.iter().copied().filter(|c| !self.core.contains(c)).collect()
    }
}

/// The world of `year` around `core` (states of the system on its 31 December). An alliance in
/// effect then with two or more core members is a pact of the world. With `whole_alliances`,
/// each such pact keeps all its members: those outside the core join the world as states (a
/// region's pacts are not cut at its border; they bring in no further pacts). Without, a pact's
/// members are its core members. Memberships of entities that are not states on the date are
/// ignored.
pub fn world(data: &Dataset, core: &[u16], whole_alliances: bool, year: i32) -> World {
    let date = year_end(year);
    let in_core: BTreeSet<u16> = core.iter().copied().collect();
    let system: BTreeSet<u16> = data.system_on(date).into_iter().collect();
    let mut all_members: BTreeMap<u32, Vec<u16>> = BTreeMap::new();
    for (a, c) in data.memberships_at(date) {
        if system.contains(&c) {
            all_members.entry(a).or_default().push(c);
        }
    }
    let mut pacts: BTreeMap<u32, Vec<u16>> = BTreeMap::new();
    for (a, ms) in &all_members {
        let in_it: Vec<u16> = ms.iter().copied().filter(|c| in_core.contains(c)).collect();
        if in_it.len() >= 2 {
            pacts.insert(*a, if whole_alliances { ms.clone() } else { in_it });
        }
    }
    let pacts_left_out = all_members.len() - pacts.len();
    let mut states: BTreeSet<u16> = in_core;
    for ms in pacts.values() {
        states.extend(ms.iter().copied());
    }
    World {
        year,
        core: core.to_vec(),
        states: states.into_iter().collect(),
        pacts,
        all_members,
        pacts_left_out,
    }
}

/// The selected states of the system of `year` (checked: a named state must be a state on
/// its 31 December).
pub fn core_states(data: &Dataset, selection: &Selection, year: i32) -> Result<Vec<u16>, DataError> {
    if !(NMC_FIRST_YEAR..=NMC_LAST_YEAR).contains(&year) {
        return Err(DataError::Year { year });
    }
    let system = data.system(year);
    let states: Vec<u16> = match selection {
        Selection::All => system.clone(),
        Selection::Region(r) => system.iter().copied().filter(|&c| r.contains(c)).collect(),
        Selection::States(keys) => {
            let mut v = Vec::new();
            for k in keys {
                let code = data.find_state(k).ok_or_else(|| DataError::State {
                    given: k.clone(),
                    year,
                    hint: "not a COW abbreviation, ISO3 code or COW number in data/states.csv (e.g. USA, UKG, GMY, RUS, 365)".into(),
                })?;
                if !system.contains(&code) {
                    let spells: Vec<_> = data.system_spells.iter().filter(|s| s.ccode == code).collect();
                    let years = match (spells.first(), spells.last()) {
                        (Some(f), Some(l)) => format!("{}..{}", f.start / 10_000, l.end / 10_000),
                        _ => "in no year".into(),
                    };
                    let dates: Vec<String> = spells.iter().map(|s| format!("{} to {}", iso(s.start), iso(s.end))).collect();
                    return Err(DataError::State {
                        given: k.clone(),
                        year,
                        hint: format!(
                            "{} is in the COW state system {years} only ({}), and a world is the system on {year}-12-31",
                            data.states[&code].abb,
                            dates.join(", ")
                        ),
                    });
                }
                if !v.contains(&code) {
                    v.push(code);
                }
            }
            v.sort_unstable();
            v
        }
    };
    if states.is_empty() {
        return Err(DataError::Empty(format!(
            "no state of {} is in the COW state system on {year}-12-31",
            selection.label()
        )));
    }
    Ok(states)
}

/// The scenario text of the state system in `spec.year`.
pub fn build(data: &Dataset, spec: &ImportSpec) -> Result<Imported, DataError> {
    let year = spec.year;
    let date = year_end(year);
    let core = core_states(data, &spec.selection, year)?;
    check_through(spec)?;
    let whole = matches!(spec.selection, Selection::Region(_));
    let w = world(data, &core, whole, year);
    let states = w.states.clone();
    let members = &w.pacts;
    let all_members = &w.all_members;
    let pacts_left_out = w.pacts_left_out;
    let outside = w.outside();
    let born = match spec.through {
        Some(last) => born_states(data, &spec.selection, &states, year, last),
        None => Vec::new(),
    };
    check_cinc(data, &states, year)?;
    let named = named_threats(data, all_members);
    let similarity = Similarity::of(data, year);

    let mut out = String::new();
    write_header(&mut out, &header(data, spec, &outside, pacts_left_out, &similarity));
    write_scenario_table(&mut out, spec, states.len(), members.len());
    write_states(&mut out, data, &states, &outside, year);
    // The world's values, as the events start from them.
    let (start_hostility, start_proximity, start_affinity) = write_relations(&mut out, data, &states, year, &named, &similarity);
    let pact_ids = write_pacts(&mut out, data, members, all_members, &states);
    let world_text = out.clone();
    let mut events = Vec::new();
    if let Some(last) = spec.through {
        write_born_states(&mut out, data, &born, date);
        let start = Start {
            named: &named,
            hostility: start_hostility,
            proximity: start_proximity,
            affinity: start_affinity,
        };
        events = history_events(data, spec, &states, &born, start, last);
        for e in &events {
            out.push_str(&e.text);
        }
    }
    Ok(Imported {
        text: out,
        states,
        pacts: pact_ids,
        pacts_left_out,
        outside,
        born,
        world_text,
        events,
    })
}

/// Every state of the world has a CINC row for the year.
fn check_cinc(data: &Dataset, states: &[u16], year: i32) -> Result<(), DataError> {
    for &c in states {
        if !data.cinc.contains_key(&(c, year)) {
            return Err(DataError::Empty(format!(
                "{} (COW {c}) is a state on {year}-12-31 in {SYSTEM_FILE} but has no row for {year} in {NMC_FILE}",
                data.states[&c].abb
            )));
        }
    }
    Ok(())
}

/// Named threats: an alliance in effect names one state of the pair, the other is a member.
fn named_threats(data: &Dataset, all_members: &BTreeMap<u32, Vec<u16>>) -> BTreeSet<(u16, u16)> {
    let mut named: BTreeSet<(u16, u16)> = BTreeSet::new();
    for (a, ms) in all_members {
        for &t in &data.alliances[a].threats {
            for &m in ms {
                if m != t {
                    named.insert(pair(m, t));
                }
            }
        }
    }
    named
}

/// Signorino–Ritter S over the alliance portfolios of the whole system of a year
/// ([`s_scores`]), and its mean over the system's pairs (1 with fewer than two states).
struct Similarity {
    /// States in the system.
    n: usize,
    /// COW code → its row and column in `s`.
    pos: HashMap<u16, usize>,
    /// n × n.
    s: Vec<f64>,
    mean: f64,
}

impl Similarity {
    fn of(data: &Dataset, year: i32) -> Similarity {
        let (sys, s) = s_scores(data, year);
        let n = sys.len();
        let pos: HashMap<u16, usize> = sys.iter().enumerate().map(|(i, &c)| (c, i)).collect();
        let mut s_sum = 0.0;
        let mut pairs = 0u64;
        for i in 0..n {
            for j in (i + 1)..n {
                s_sum += s[i * n + j];
                pairs += 1;
            }
        }
        let mean = if pairs > 0 { s_sum / pairs as f64 } else { 1.0 };
        Similarity { n, pos, s, mean }
    }

    /// S of the pair `a`, `b`.
    fn between(&self, a: u16, b: u16) -> f64 {
        self.s[self.pos[&a] * self.n + self.pos[&b]]
    }
}

/// The header's lines (without `# `): the command, the sources and how every value is derived.
fn header(data: &Dataset, spec: &ImportSpec, outside: &[u16], pacts_left_out: usize, similarity: &Similarity) -> Vec<String> {
    let mut head = header_sources(spec, similarity.n);
    head.extend(header_kept_states(data, &spec.selection, outside));
    head.extend(header_derivations(spec.year, similarity, pacts_left_out));
    if let Some(last) = spec.through {
        head.extend(header_events(spec.year, last));
    }
    head
}

/// The header's title, command, sources and the first line of the world's states.
fn header_sources(spec: &ImportSpec, n: usize) -> Vec<String> {
    let year = spec.year;
    let sel = spec.selection.label();
    let unit = if spec.monthly { "month" } else { "year" };
    vec![
        format!("The state system of {year} ({sel}), imported from COW, ATOP, V-Dem/Polity and Thompson-Dreyer"),
        String::new(),
        format!(
            "COMMAND   pactsim import --year {year} {} --round-unit {unit} --rounds {}",
            match &spec.selection {
                Selection::All => "--all".to_string(),
                Selection::Region(r) => format!("--region {}", r.name()),
                Selection::States(v) => format!("--states {}", v.join(",")),
            },
            spec.rounds
        ),
        format!("SOURCES   data/{SYSTEM_FILE} (states on {year}-12-31), data/{NMC_FILE} (CINC {year}),"),
        format!("          data/{MEMBERS_FILE} and data/{ALLIANCES_FILE} (alliances in effect on {year}-12-31),"),
        format!("          data/{CONTIGUITY_FILE}, data/{MID_FILE},"),
        format!("          data/{WAR_FILE}, data/{RIVALRY_FILE},"),
        format!("          data/{DEMOCRACY_FILE}, data/{STATES_FILE} (names, capitals);"),
        "          sources, versions and licences in data/README.md.".into(),
        format!(
            "WORLD     The world as on {year}-12-31; round 1 is {}. Every derivation is in docs/DATA.md:",
            year + 1
        ),
        format!(
            "  states      the COW state-system members on {year}-12-31 ({} in the system){}",
            n,
            match &spec.selection {
                Selection::All => String::new(),
                Selection::Region(r) => format!(", COW codes of {}", r.name()),
                Selection::States(_) => ", as listed".into(),
            }
        ),
    ]
}

/// What the header says of the states a pact has outside the selection.
fn header_kept_states(data: &Dataset, selection: &Selection, outside: &[u16]) -> Vec<String> {
    let abb = |c: u16| data.states[&c].abb.clone();
    let mut head = Vec::new();
    match selection {
        Selection::Region(r) if !outside.is_empty() => {
            head.push(format!(
                "              and {} from outside {}, kept as states because they are members of its pacts",
                outside.len(),
                r.name()
            ));
            head.push(format!(
                "              (alliances are not cut at the region's border): {}.",
                outside.iter().map(|&c| abb(c)).collect::<Vec<_>>().join(", ")
            ));
        }
        Selection::Region(_) => head.push("              (no pact of the region has a member outside it).".into()),
        Selection::States(_) => head.push("              (a pact's members outside the list are named in a comment, not kept).".into()),
        Selection::All => {}
    }
    head
}

/// The header's rules for capability, democracy, proximity, hostility, pacts and the model.
fn header_derivations(year: i32, similarity: &Similarity, pacts_left_out: usize) -> Vec<String> {
    let (n, s_mean) = (similarity.n, similarity.mean);
    let mut head = vec![
        format!("  capability  COW CINC of {year}."),
        format!(
            "  democracy   V-Dem polyarchy of {year} >= {POLYARCHY_THRESHOLD}; where V-Dem has no score, Polity2 >= {POLITY2_THRESHOLD};"
        ),
        "              neither: false (said at the state). Only the support term reads it (MODEL.md §2).".into(),
        "              neutrality 0, commitment 1 (no data).".into(),
        format!("  proximity   COW direct contiguity in December {year}: land border 1, water <= 150 miles 0.7,"),
        "              <= 400 miles 0.4; otherwise by the distance between capitals, < 3000 km 0.4,".into(),
        "              < 8000 km 0.1, else 0 (a contiguous pair takes the larger value).".into(),
        format!(
            "  hostility   conflict c, the largest of: a war between the two in {year}: {}; a named",
            num(WAR_HOSTILITY)
        ),
        format!(
            "              threat (an alliance names one, the other is a member; ATOP statthr1/2): {};",
            num(NAMED_THREAT_HOSTILITY)
        ),
        format!(
            "              a strategic rivalry (Thompson-Dreyer): {}; each MID dispute-year of {}..{year}:",
            num(RIVALRY_HOSTILITY),
            year - DISPUTE_MEMORY + 1
        ),
        "              0.2 x its hostility level x (5 - years ago) / 5. hostility = c if c > 0,".to_string(),
        "              else -a, the affinity: a = max(0, (S - mean S) / (1 - mean S)), S the pair's".into(),
        format!("              Signorino-Ritter S over alliance portfolios in the system of {year} ({n} states;"),
        format!(
            "              mean S {}; tie levels 3 defence/offence, 2 neutrality/non-aggression, 1 consultation).",
            num(s_mean)
        ),
    ];
    if year > MID_LAST_YEAR {
        head.push(format!(
            "              MID v5.0 ends in {MID_LAST_YEAR}: disputes after it are not known."
        ));
    }
    if year > RIVALRY_LAST_YEAR {
        head.push(format!(
            "              Rivalries coded to {RIVALRY_LAST_YEAR} (the handbook's end) are taken as going on."
        ));
    }
    head.extend([
        format!("  pacts       ATOP alliances in effect with at least two selected members ({pacts_left_out} left out"),
        "              with fewer); obligations from ATOP's alliance-level dummies; binding = 1 (ATOP".into(),
        "              codes written agreements only); rivals = named threats among the states;".into(),
        "              admission from ATOP proadd: 0 closed, 1 and 2 unanimity, 3 open, blank unanimity.".into(),
        "  model       every weight at its default (docs/MODEL.md); nothing is tuned.".into(),
    ]);
    head
}

/// The header's note on the events of `--through last`.
fn header_events(year: i32, last: i32) -> Vec<String> {
    let mut head = vec![
        format!(
            "EVENTS    --through {last}: the dated events of {}..{last}, each in the round of its date,",
            year + 1
        ),
        "          never earlier (docs/DATA.md, Events). On its day (COW state-system list): a state's".into(),
        "          birth (states of the selection born later are listed last, exists = false) and death".into(),
        "          (released from its pacts; its pair-years are not scored). On each year's 31 December:".into(),
        "          capability = the year's CINC; democracy flips by the rule above; every pair's hostility".into(),
        "          by the rule above for that year (war onsets and ends, rivalry starts and ends, disputes".into(),
        format!("          of its last {DISPUTE_MEMORY} years), with the affinity of {year} (none for states born later)"),
        format!("          and the named threats of {year} among its states; proximity from December's contiguity. Treaty terms"),
        "          are not read (ATOP speclgth/length/renewlgt): no pact ends by an event.".into(),
    ];
    if last > MID_LAST_YEAR {
        head.push(format!("          MID v5.0 ends in {MID_LAST_YEAR}: no dispute after it enters."));
    }
    head
}

/// The header as `#` comments, then a blank line.
fn write_header(out: &mut String, head: &[String]) {
    for line in head {
        if line.is_empty() {
            let _ = writeln!(out, "#");
        } else {
            let _ = writeln!(out, "# {line}");
        }
    }
    let _ = writeln!(out);
}

/// The `[scenario]` table.
fn write_scenario_table(out: &mut String, spec: &ImportSpec, n_states: usize, n_pacts: usize) {
    let year = spec.year;
    let sel = spec.selection.label();
    let unit = if spec.monthly { "month" } else { "year" };
    let _ = writeln!(out, "[scenario]");
    let _ = writeln!(out, "name = \"State system {year} ({sel})\"");
    let _ = writeln!(
        out,
        "description = \"COW and ATOP v4.01 as on {year}-12-31: {} states, {} alliances\"",
        n_states, n_pacts
    );
    let _ = writeln!(out, "rounds = {}", spec.rounds);
    let _ = writeln!(out, "round_unit = \"{unit}\"");
    let _ = writeln!(out, "start = \"{}-01\"", year + 1);
    let _ = writeln!(out, "seed = {}", spec.seed);
    let _ = writeln!(out, "runs = {}", spec.runs);
    let _ = writeln!(out);
}

/// A `[[state]]` for each state of the world: name, CINC and democracy of the year.
fn write_states(out: &mut String, data: &Dataset, states: &[u16], outside: &[u16], year: i32) {
    for &c in states {
        let st = &data.states[&c];
        let cinc = data.cinc[&(c, year)];
        let _ = writeln!(out, "[[state]]");
        let _ = writeln!(out, "id = \"{}\"", st.abb);
        let _ = writeln!(
            out,
            "name = \"{}\"  # COW {c}{}{}",
            st.name.replace('"', "'"),
            if st.iso3.is_empty() {
                String::new()
            } else {
                format!(", {}", st.iso3)
            },
            if outside.contains(&c) {
                "; outside the region, kept as a member of its pacts"
            } else {
                ""
            }
        );
        if cinc > 0.0 {
            let _ = writeln!(out, "capability = {cinc}  # CINC {year}");
        } else {
            let _ = writeln!(out, "capability = 0.000001  # CINC {year} is 0; the model needs a positive share");
        }
        let (dem, why) = democracy(data, c, year);
        let _ = writeln!(out, "democracy = {dem}  # {why}");
        let _ = writeln!(out);
    }
}

/// Hostility, proximity and affinity by pair, as [`Start`] takes them.
type PairValues = HashMap<(u16, u16), f64>;

/// A `[[relation]]` for each pair with a proximity or hostility other than 0; returns every
/// pair's hostility and proximity, and the affinity of pairs with some.
fn write_relations(
    out: &mut String,
    data: &Dataset,
    states: &[u16],
    year: i32,
    named: &BTreeSet<(u16, u16)>,
    similarity: &Similarity,
) -> (PairValues, PairValues, PairValues) {
    let date = year_end(year);
    let s_mean = similarity.mean;
    let mut start_hostility: PairValues = HashMap::new();
    let mut start_proximity: PairValues = HashMap::new();
    let mut start_affinity: PairValues = HashMap::new();
    for (i, &a) in states.iter().enumerate() {
        for &b in &states[i + 1..] {
            let (sa, sb) = (&data.states[&a], &data.states[&b]);
            let contiguity = data.contiguity_on(a, b, date);
            let km = distance_km(sa.lat, sa.lon, sb.lat, sb.lon);
            let p = proximity(contiguity, km);
            let (c, why) = conflict(data, a, b, year, named.contains(&pair(a, b)));
            let sv = similarity.between(a, b);
            let aff = if s_mean < 1.0 {
                ((sv - s_mean) / (1.0 - s_mean)).max(0.0)
            } else {
                0.0
            };
            let h = hostility(c, aff);
            start_hostility.insert(pair(a, b), h);
            start_proximity.insert(pair(a, b), p);
            if aff > 0.0 {
                start_affinity.insert(pair(a, b), aff);
            }
            if p == 0.0 && h == 0.0 {
                continue;
            }
            let border = match contiguity {
                Some(1) => ", land border".to_string(),
                Some(k) => format!(", contiguous by water (COW type {k})"),
                None => String::new(),
            };
            let reasons = if why.is_empty() {
                String::new()
            } else {
                format!("; {}", why.join(", "))
            };
            let _ = writeln!(out, "[[relation]]  # {} km{border}; S {}{reasons}", km.round(), num(sv));
            let _ = writeln!(out, "between = [\"{}\", \"{}\"]", sa.abb, sb.abb);
            let _ = writeln!(out, "proximity = {}", num(p));
            let _ = writeln!(out, "hostility = {}", num(h));
            let _ = writeln!(out);
        }
    }
    (start_hostility, start_proximity, start_affinity)
}

/// A `[[pact]]` for each pact of the world; returns the ATOP id and scenario id of each.
fn write_pacts(
    out: &mut String,
    data: &Dataset,
    members: &BTreeMap<u32, Vec<u16>>,
    all_members: &BTreeMap<u32, Vec<u16>>,
    states: &[u16],
) -> Vec<(u32, String)> {
    let abb = |c: u16| data.states[&c].abb.clone();
    let mut pact_ids = Vec::new();
    let in_scenario: BTreeSet<u16> = states.iter().copied().collect();
    for (a, ms) in members {
        let al = &data.alliances[a];
        let begin = al.begin / 10_000;
        let (id, name) = pact_id_and_name(data, *a, &all_members[a], begin);
        let obligations = obligation_list(&al.obligations);
        let (admission, why) = admission_rule(al.proadd);
        let rivals: Vec<String> = al
            .threats
            .iter()
            .filter(|t| in_scenario.contains(t) && !ms.contains(t))
            .map(|&t| format!("\"{}\"", abb(t)))
            .collect();
        let month = (al.begin / 100) % 100;
        let _ = writeln!(out, "[[pact]]  # ATOP {a}, in effect since {begin}-{month:02}");
        let _ = writeln!(out, "id = \"{id}\"");
        let _ = writeln!(out, "name = \"{name}\"");
        let _ = writeln!(out, "obligations = [{}]  # ATOP dummies", obligations.join(", "));
        let _ = writeln!(out, "binding = 1");
        let member_list: Vec<String> = ms.iter().map(|&c| format!("\"{}\"", abb(c))).collect();
        let _ = writeln!(out, "members = [{}]", member_list.join(", "));
        if ms.len() < all_members[a].len() {
            let left: Vec<String> = all_members[a].iter().filter(|c| !ms.contains(c)).map(|&c| abb(c)).collect();
            let _ = writeln!(out, "# members outside the selection: {}", left.join(", "));
        }
        let _ = writeln!(out, "admission = \"{admission}\"  # {why}");
        if !rivals.is_empty() {
            let _ = writeln!(out, "rivals = [{}]  # ATOP named threats", rivals.join(", "));
        }
        let _ = writeln!(out);
        pact_ids.push((*a, id));
    }
    pact_ids
}

/// A pact's id and name: those of [`KNOWN`], else `A<atopid>` and its first members (all
/// its members that are states on the date, `members_then`) with the year it began.
fn pact_id_and_name(data: &Dataset, a: u32, members_then: &[u16], begin: i32) -> (String, String) {
    let abb = |c: u16| data.states[&c].abb.clone();
    let known = KNOWN.iter().find(|k| k.0 == a);
    let id = known.map_or_else(|| format!("A{a}"), |k| k.1.to_string());
    let name = known.map_or_else(
        || {
            let mut all: Vec<String> = members_then.iter().take(6).map(|&c| abb(c)).collect();
            if members_then.len() > 6 {
                all.push("...".into());
            }
            format!("ATOP {a}: {} ({begin})", all.join("-"))
        },
        |k| k.2.to_string(),
    );
    (id, name)
}

/// The obligations ATOP's dummies give, as quoted names.
fn obligation_list(o: &Obligations) -> Vec<String> {
    let mut obligations = Vec::new();
    for (flag, name) in [
        (o.defence, "defence"),
        (o.offence, "offence"),
        (o.neutrality, "neutrality"),
        (o.non_aggression, "non_aggression"),
        (o.consultation, "consultation"),
    ] {
        if flag {
            obligations.push(format!("\"{name}\""));
        }
    }
    obligations
}

/// The admission rule from ATOP `proadd`, and why.
fn admission_rule(proadd: Option<u8>) -> (&'static str, &'static str) {
    match proadd {
        Some(0) => ("closed", "proadd 0: no provision for new members"),
        Some(1) => ("unanimity", "proadd 1: new members by agreement of the parties"),
        Some(2) => ("unanimity", "proadd 2: new members by agreement of the parties"),
        Some(3) => ("open", "proadd 3: open to states that meet its conditions"),
        _ => ("unanimity", "proadd not coded: the model's default"),
    }
}

/// A `[[state]]` with `exists = false` for each state born after the world's `date`.
fn write_born_states(out: &mut String, data: &Dataset, born: &[(u16, DateKey)], date: DateKey) {
    for &(c, day) in born {
        let st = &data.states[&c];
        let _ = writeln!(out, "[[state]]");
        let _ = writeln!(out, "id = \"{}\"", st.abb);
        let _ = writeln!(
            out,
            "name = \"{}\"  # COW {c}; not a state on {}: enters the state system on {} (a `birth` event)",
            st.name.replace('"', "'"),
            iso(date),
            iso(day)
        );
        let _ = writeln!(
            out,
            "capability = 0.000001  # a placeholder until the CINC of its first year-end (a `capability` event)"
        );
        let _ = writeln!(out, "democracy = false  # until the democracy event of its first year-end");
        let _ = writeln!(out, "exists = false");
        let _ = writeln!(out);
    }
}

/// `--through` must be a year after the world's, with data (NMC, the state-system list) for
/// it, and the scenario's rounds must reach it.
fn check_through(spec: &ImportSpec) -> Result<(), DataError> {
    let Some(last) = spec.through else { return Ok(()) };
    if last <= spec.year || last > NMC_LAST_YEAR {
        return Err(DataError::Through(format!(
            "--through {last}: give a year after --year {} and at most {NMC_LAST_YEAR} (the last year of COW NMC v6.0 and of the COW state-system list)",
            spec.year
        )));
    }
    let needed = rounds_through(spec, last);
    if spec.rounds < needed {
        return Err(DataError::Through(format!(
            "--rounds {}: the events of --through {last} fall up to round {needed} (rounds of a {}); give --rounds {needed} or more, or leave --rounds out",
            spec.rounds,
            if spec.monthly { "month" } else { "year" }
        )));
    }
    Ok(())
}

/// The rounds an import with `--through last` needs: every round up to the end of `last`.
pub fn rounds_through(spec: &ImportSpec, last: i32) -> u32 {
    let years = (last - spec.year).max(0) as u32;
    if spec.monthly { 12 * years } else { years }
}

/// The round a date falls in: yearly rounds from the year after the world's, or months from its
/// January (as the scenario's calendar counts them).
fn round_of(spec: &ImportSpec, date: DateKey) -> u32 {
    let (y, m) = (date / 10_000, (date / 100) % 100);
    let years = (y - spec.year - 1).max(0) as u32;
    if spec.monthly { 12 * years + m as u32 } else { years + 1 }
}

/// States of the selection that are not states of the world but are in the state system on some
/// day after its date through `last`-12-31, with the first such day (a `--states` list names
/// states of the year only: none).
fn born_states(data: &Dataset, selection: &Selection, states: &[u16], year: i32, last: i32) -> Vec<(u16, DateKey)> {
    let (from, to) = (year_end(year), year_end(last));
    let mut born: BTreeMap<u16, DateKey> = BTreeMap::new();
    for s in &data.system_spells {
        let wanted = match selection {
            Selection::All => true,
            Selection::Region(r) => r.contains(s.ccode),
            Selection::States(_) => false,
        };
        if wanted && !states.contains(&s.ccode) && s.start > from && s.start <= to {
            let d = born.entry(s.ccode).or_insert(s.start);
            *d = (*d).min(s.start);
        }
    }
    born.into_iter().collect()
}

/// What the events start from: the world's named threats, hostility, proximity and affinity
/// by pair.
struct Start<'a> {
    named: &'a BTreeSet<(u16, u16)>,
    hostility: HashMap<(u16, u16), f64>,
    proximity: HashMap<(u16, u16), f64>,
    affinity: HashMap<(u16, u16), f64>,
}

/// One change of an event, as an inline table, and why.
struct Line {
    change: String,
    why: String,
}

fn event_text(id: &str, name: &str, date: DateKey, comment: &str, lines: &[Line]) -> String {
    let mut t = String::new();
    let _ = writeln!(t, "[[event]]  # {comment}");
    let _ = writeln!(t, "id = \"{id}\"");
    let _ = writeln!(t, "name = \"{}\"", name.replace('"', "'"));
    let _ = writeln!(t, "date = \"{}\"", iso(date));
    let _ = writeln!(t, "change = [");
    for l in lines {
        if l.why.is_empty() {
            let _ = writeln!(t, "  {},", l.change);
        } else {
            let _ = writeln!(t, "  {},  # {}", l.change, l.why);
        }
    }
    let _ = writeln!(t, "]");
    let _ = writeln!(t);
    t
}

/// The dated events of the years after the world's through `last` (docs/DATA.md, Events): for
/// each year, births and deaths on their day (COW state-system list), then at its 31 December
/// the year's capability, democracy, hostility and proximity where they differ from the values
/// the scenario holds. A year's values are read from data of that year and before only, so
/// an event is never earlier than what it reads.
fn history_events(
    data: &Dataset,
    spec: &ImportSpec,
    states: &[u16],
    born: &[(u16, DateKey)],
    start: Start,
    last: i32,
) -> Vec<ImportedEvent> {
    let year = spec.year;
    let abb = |c: u16| data.states[&c].abb.clone();
    let all: Vec<u16> = {
        let mut v: Vec<u16> = states.iter().copied().chain(born.iter().map(|b| b.0)).collect();
        v.sort_unstable();
        v
    };
    let mut capability: HashMap<u16, f64> = states.iter().map(|&c| (c, cinc_value(data, c, year))).collect();
    let mut democratic: HashMap<u16, bool> = states.iter().map(|&c| (c, democracy(data, c, year).0)).collect();
    for &(c, _) in born {
        capability.insert(c, 0.000_001);
        democratic.insert(c, false);
    }
    let Start {
        named,
        hostility: mut host,
        proximity: mut prox,
        affinity,
    } = start;
    let mut events = Vec::new();
    let mut push = |date: DateKey, id: String, text: String| {
        events.push(ImportedEvent {
            round: round_of(spec, date),
            date,
            id,
            text,
        });
    };
    for t in (year + 1)..=last {
        let (first, end) = (t * 10_000 + 101, year_end(t));
        // Births and deaths on their day.
        let mut system: Vec<(DateKey, bool, u16)> = Vec::new();
        for s in data.system_spells.iter().filter(|s| all.contains(&s.ccode)) {
            if (first..=end).contains(&s.start) && s.start > year_end(year) {
                system.push((s.start, true, s.ccode));
            }
            let gone = next_day(s.end);
            if s.end < super::SYSTEM_LAST_DAY && (first..=end).contains(&gone) && s.end >= year_end(year) {
                system.push((gone, false, s.ccode));
            }
        }
        system.sort_unstable();
        for (day, birth, c) in system {
            let (kind, verb) = if birth { ("birth", "enters") } else { ("death", "leaves") };
            let name = format!("{} {verb} the state system", data.states[&c].name);
            let id = format!("{kind}-{}-{}", abb(c), iso(day));
            let comment = if birth {
                format!("COW state-system list v2016: {} (COW {c}) is a state from {}", abb(c), iso(day))
            } else {
                format!(
                    "COW state-system list v2016: {} (COW {c}) is a state to {}; released from its pacts",
                    abb(c),
                    iso(super::previous_day(day))
                )
            };
            let line = Line {
                change: format!("{{ kind = \"{kind}\", state = \"{}\" }}", abb(c)),
                why: String::new(),
            };
            push(day, id.clone(), event_text(&id, &name, day, &comment, &[line]));
        }
        // The year's values, at its end, for the states that are states then.
        let alive: Vec<u16> = all.iter().copied().filter(|&c| data.alive(c, end)).collect();
        let mut caps = Vec::new();
        let mut dems = Vec::new();
        for &c in &alive {
            if data.cinc.contains_key(&(c, t)) {
                let v = cinc_value(data, c, t);
                if capability.get(&c) != Some(&v) {
                    capability.insert(c, v);
                    caps.push(Line {
                        change: format!("{{ kind = \"capability\", state = \"{}\", to = {v} }}", abb(c)),
                        why: format!("CINC {t}"),
                    });
                }
            }
            let (flag, why) = democracy(data, c, t);
            if democratic.get(&c) != Some(&flag) {
                democratic.insert(c, flag);
                dems.push(Line {
                    change: format!("{{ kind = \"democracy\", state = \"{}\", to = {} }}", abb(c), u8::from(flag)),
                    why,
                });
            }
        }
        let mut rel = Vec::new();
        for (i, &a) in alive.iter().enumerate() {
            for &b in &alive[i + 1..] {
                let key = pair(a, b);
                let (sa, sb) = (&data.states[&a], &data.states[&b]);
                let contiguity = data.contiguity_on(a, b, end);
                let p = proximity(contiguity, distance_km(sa.lat, sa.lon, sb.lat, sb.lon));
                let old_p = prox.get(&key).copied().unwrap_or(0.0);
                if p != old_p {
                    prox.insert(key, p);
                    rel.push(Line {
                        change: format!(
                            "{{ kind = \"proximity\", between = [\"{}\", \"{}\"], to = {} }}",
                            sa.abb,
                            sb.abb,
                            num(p)
                        ),
                        why: format!(
                            "was {}; COW contiguity in December {t}: {}",
                            num(old_p),
                            match contiguity {
                                Some(1) => "land border".to_string(),
                                Some(k) => format!("water, type {k}"),
                                None => "none (distance between capitals)".to_string(),
                            }
                        ),
                    });
                }
                // A named threat is one of the start world (both states of it): an alliance's
                // threat does not pass to a state born later under the same code.
                let threat = named.contains(&key) && states.contains(&a) && states.contains(&b);
                let (c, why) = conflict(data, a, b, t, threat);
                let aff = affinity.get(&key).copied().unwrap_or(0.0);
                let h = hostility(c, aff);
                let old_h = host.get(&key).copied().unwrap_or(0.0);
                if h != old_h {
                    host.insert(key, h);
                    let reason = if why.is_empty() {
                        format!("no conflict in {t}: the affinity of {year}")
                    } else {
                        why.join(", ")
                    };
                    rel.push(Line {
                        change: format!(
                            "{{ kind = \"hostility\", between = [\"{}\", \"{}\"], to = {} }}",
                            sa.abb,
                            sb.abb,
                            num(h)
                        ),
                        why: format!("was {}; {reason}", num(old_h)),
                    });
                }
            }
        }
        for (what, lines, name, source) in [
            (
                "capability",
                caps,
                format!("Capabilities of {t}"),
                format!("COW NMC v6.0: CINC of {t}"),
            ),
            (
                "democracy",
                dems,
                format!("Democratic transitions of {t}"),
                format!("V-Dem polyarchy >= {POLYARCHY_THRESHOLD} (Polity2 >= {POLITY2_THRESHOLD} where V-Dem has none) in {t}"),
            ),
            (
                "relations",
                rel,
                format!("Conflicts and borders of {t}"),
                format!("COW wars v4.0, MID v5.0, Thompson-Dreyer rivalries, COW contiguity v3.2: {t}"),
            ),
        ] {
            if !lines.is_empty() {
                let id = format!("{what}-{t}");
                push(end, id.clone(), event_text(&id, &name, end, &source, &lines));
            }
        }
    }
    events
}

/// A state's capability in a year as the file writes it: its CINC, or 10⁻⁶ for a CINC of 0.
fn cinc_value(data: &Dataset, c: u16, year: i32) -> f64 {
    match data.cinc.get(&(c, year)) {
        Some(&v) if v > 0.0 => v,
        _ => 0.000_001,
    }
}
