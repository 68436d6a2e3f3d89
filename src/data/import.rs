//! `pactsim import`: the state system of a year as a scenario, from COW NMC and ATOP.
//!
//! [`build`] is a pure function from the [`Dataset`] and an [`ImportSpec`] to the text of a
//! commented scenario file; every value in it is derived from the data by the rules stated in the
//! file's header and in docs/DATA.md. The caller validates the text with the scenario loader
//! ([`crate::scenario::from_source`]), so an import is a real scenario.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;

use super::{DataError, Dataset, NMC_FIRST_YEAR, NMC_LAST_YEAR, Obligations, year_end};

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

/// Proximity on the scale of docs/MODEL.md from land contiguity and capital distance.
pub fn proximity(contiguous: bool, km: f64) -> f64 {
    if contiguous {
        1.0
    } else if km < 1000.0 {
        0.7
    } else if km < 3000.0 {
        0.4
    } else if km < 8000.0 {
        0.1
    } else {
        0.0
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

/// The scenario text of the state system in `spec.year`.
pub fn build(data: &Dataset, spec: &ImportSpec) -> Result<Imported, DataError> {
    let year = spec.year;
    if !(NMC_FIRST_YEAR..=NMC_LAST_YEAR).contains(&year) {
        return Err(DataError::Year { year });
    }
    let system = data.system(year);
    let states: Vec<u16> = match &spec.selection {
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
                    let years: Vec<i32> = data.cinc.keys().filter(|(c, _)| *c == code).map(|(_, y)| *y).collect();
                    let (lo, hi) = (years.iter().min().copied().unwrap_or(0), years.iter().max().copied().unwrap_or(0));
                    return Err(DataError::State {
                        given: k.clone(),
                        year,
                        hint: format!("{} is in the COW state system {lo}..{hi} only", data.states[&code].abb),
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
            "no state of {} is in the COW state system in {year}",
            spec.selection.label()
        )));
    }
    let in_scenario: BTreeSet<u16> = states.iter().copied().collect();

    // Pacts: alliances in effect on 31 December of the year with two or more selected members.
    let mut members: BTreeMap<u32, Vec<u16>> = BTreeMap::new();
    let mut all_members: BTreeMap<u32, Vec<u16>> = BTreeMap::new();
    for (a, c) in data.memberships_at(year_end(year)) {
        all_members.entry(a).or_default().push(c);
        if in_scenario.contains(&c) {
            members.entry(a).or_default().push(c);
        }
    }
    let pacts_left_out = all_members.len() - members.values().filter(|m| m.len() >= 2).count();
    members.retain(|_, m| m.len() >= 2);

    // Hostility: named threats, and S-score similarity over the whole system.
    let mut named: BTreeSet<(u16, u16)> = BTreeSet::new();
    for (a, ms) in &all_members {
        for &t in &data.alliances[a].threats {
            for &m in ms {
                if m != t {
                    named.insert((m.min(t), m.max(t)));
                }
            }
        }
    }
    let (sys, s) = s_scores(data, year);
    let n = sys.len();
    let pos: HashMap<u16, usize> = sys.iter().enumerate().map(|(i, &c)| (c, i)).collect();
    let mut s_sum = 0.0;
    let mut s_min = 1.0f64;
    let mut pairs = 0u64;
    for i in 0..n {
        for j in (i + 1)..n {
            s_sum += s[i * n + j];
            s_min = s_min.min(s[i * n + j]);
            pairs += 1;
        }
    }
    let s_mean = if pairs > 0 { s_sum / pairs as f64 } else { 1.0 };

    let abb = |c: u16| data.states[&c].abb.clone();
    let mut out = String::new();
    let sel = spec.selection.label();
    let unit = if spec.monthly { "month" } else { "year" };
    let _ = writeln!(
        out,
        "# The state system of {year} ({sel}), imported from COW NMC v6.0 and ATOP v4.01"
    );
    let _ = writeln!(out, "#");
    let _ = writeln!(
        out,
        "# COMMAND   pactsim import --year {year} {} --round-unit {unit} --rounds {}",
        match &spec.selection {
            Selection::All => "--all".to_string(),
            Selection::Region(r) => format!("--region {}", r.name()),
            Selection::States(v) => format!("--states {}", v.join(",")),
        },
        spec.rounds
    );
    let _ = writeln!(
        out,
        "# SOURCES   data/cow_nmc_v6_0.csv (CINC {year}), data/atop_v401_members.csv and"
    );
    let _ = writeln!(
        out,
        "#           data/atop_v401_alliances.csv (alliances in effect on {year}-12-31), data/states.csv"
    );
    let _ = writeln!(
        out,
        "#           (capitals, land borders); sources, versions and licences in data/README.md."
    );
    let _ = writeln!(
        out,
        "# WORLD     The world as on {year}-12-31; round 1 is {}. Every derivation is in docs/DATA.md:",
        year + 1
    );
    let _ = writeln!(out, "#   capability  COW CINC of {year}.");
    let _ = writeln!(
        out,
        "#   democracy   false for every state: no regime data is packaged, so the support gate and"
    );
    let _ = writeln!(
        out,
        "#               term (docs/MODEL.md §2, §4) are off; neutrality 0, commitment 1."
    );
    let _ = writeln!(
        out,
        "#   proximity   1 for a land border (today's borders, GeoNames), else by the great-circle"
    );
    let _ = writeln!(
        out,
        "#               distance between capitals: < 1000 km 0.7, < 3000 km 0.4, < 8000 km 0.1, else 0."
    );
    let _ = writeln!(
        out,
        "#   hostility   clamp(0.8 t + 0.5 d - a, -1, 1): t = 1 when an alliance in effect names one"
    );
    let _ = writeln!(
        out,
        "#               state of the pair as a threat (ATOP statthr1/statthr2) and the other is a member;"
    );
    let _ = writeln!(
        out,
        "#               a = max(0, (S - mean S) / (1 - mean S)) and d = max(0, (mean S - S) / (mean S -"
    );
    let _ = writeln!(
        out,
        "#               min S)), S the pair's Signorino-Ritter S over alliance portfolios in the system"
    );
    let _ = writeln!(
        out,
        "#               of {year} ({n} states; mean S {}, min S {}; tie levels 3 defence/offence, 2",
        num(s_mean),
        num(s_min)
    );
    let _ = writeln!(out, "#               neutrality/non-aggression, 1 consultation).");
    let _ = writeln!(
        out,
        "#   pacts       ATOP alliances in effect with at least two selected members ({pacts_left_out} left out"
    );
    let _ = writeln!(
        out,
        "#               with fewer); obligations from ATOP's alliance-level dummies; binding = 1 (ATOP"
    );
    let _ = writeln!(
        out,
        "#               codes written agreements only); rivals = named threats among the states;"
    );
    let _ = writeln!(
        out,
        "#               admission from ATOP proadd: 0 closed, 1 and 2 unanimity, 3 open, blank unanimity."
    );
    let _ = writeln!(
        out,
        "#   model       every weight at its default (docs/MODEL.md); nothing is tuned."
    );
    let _ = writeln!(out);
    let _ = writeln!(out, "[scenario]");
    let _ = writeln!(out, "name = \"State system {year} ({sel})\"");
    let _ = writeln!(
        out,
        "description = \"COW NMC v6.0 and ATOP v4.01 as on {year}-12-31: {} states, {} alliances\"",
        states.len(),
        members.len()
    );
    let _ = writeln!(out, "rounds = {}", spec.rounds);
    let _ = writeln!(out, "round_unit = \"{unit}\"");
    let _ = writeln!(out, "start = \"{}-01\"", year + 1);
    let _ = writeln!(out, "seed = {}", spec.seed);
    let _ = writeln!(out, "runs = {}", spec.runs);
    let _ = writeln!(out);
    for &c in &states {
        let st = &data.states[&c];
        let cinc = data.cinc[&(c, year)];
        let _ = writeln!(out, "[[state]]");
        let _ = writeln!(out, "id = \"{}\"", st.abb);
        let _ = writeln!(
            out,
            "name = \"{}\"  # COW {c}{}",
            st.name.replace('"', "'"),
            if st.iso3.is_empty() {
                String::new()
            } else {
                format!(", {}", st.iso3)
            }
        );
        if cinc > 0.0 {
            let _ = writeln!(out, "capability = {cinc}  # CINC {year}");
        } else {
            let _ = writeln!(out, "capability = 0.000001  # CINC {year} is 0; the model needs a positive share");
        }
        let _ = writeln!(out, "democracy = false");
        let _ = writeln!(out);
    }
    for (i, &a) in states.iter().enumerate() {
        for &b in &states[i + 1..] {
            let (sa, sb) = (&data.states[&a], &data.states[&b]);
            let contiguous = sa.neighbours.contains(&b) || sb.neighbours.contains(&a);
            let km = distance_km(sa.lat, sa.lon, sb.lat, sb.lon);
            let p = proximity(contiguous, km);
            let t = if named.contains(&(a.min(b), a.max(b))) { 1.0 } else { 0.0 };
            let (ia, ib) = (pos[&a], pos[&b]);
            let sv = s[ia * n + ib];
            let aff = if s_mean < 1.0 {
                ((sv - s_mean) / (1.0 - s_mean)).max(0.0)
            } else {
                0.0
            };
            let dis = if s_mean > s_min {
                ((s_mean - sv) / (s_mean - s_min)).max(0.0)
            } else {
                0.0
            };
            let h = (0.8 * t + 0.5 * dis - aff).clamp(-1.0, 1.0);
            let h = (h * 1000.0).round() / 1000.0;
            if p == 0.0 && h == 0.0 {
                continue;
            }
            let _ = writeln!(
                out,
                "[[relation]]  # {} km{}; S {}{}",
                km.round(),
                if contiguous { ", land border" } else { "" },
                num(sv),
                if t > 0.0 { "; named threat" } else { "" }
            );
            let _ = writeln!(out, "between = [\"{}\", \"{}\"]", sa.abb, sb.abb);
            let _ = writeln!(out, "proximity = {}", num(p));
            let _ = writeln!(out, "hostility = {}", num(h));
            let _ = writeln!(out);
        }
    }
    let mut pact_ids = Vec::new();
    for (a, ms) in &members {
        let al = &data.alliances[a];
        let known = KNOWN.iter().find(|k| k.0 == *a);
        let id = known.map_or_else(|| format!("A{a}"), |k| k.1.to_string());
        let begin = al.begin / 10_000;
        let name = known.map_or_else(
            || {
                let mut all: Vec<String> = all_members[a].iter().take(6).map(|&c| abb(c)).collect();
                if all_members[a].len() > 6 {
                    all.push("...".into());
                }
                format!("ATOP {a}: {} ({begin})", all.join("-"))
            },
            |k| k.2.to_string(),
        );
        let o = &al.obligations;
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
        let (admission, why) = match al.proadd {
            Some(0) => ("closed", "proadd 0: no provision for new members"),
            Some(1) => ("unanimity", "proadd 1: new members by agreement of the parties"),
            Some(2) => ("unanimity", "proadd 2: new members by agreement of the parties"),
            Some(3) => ("open", "proadd 3: open to states that meet its conditions"),
            _ => ("unanimity", "proadd not coded: the model's default"),
        };
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
            let outside: Vec<String> = all_members[a].iter().filter(|c| !ms.contains(c)).map(|&c| abb(c)).collect();
            let _ = writeln!(out, "# members outside the selection: {}", outside.join(", "));
        }
        let _ = writeln!(out, "admission = \"{admission}\"  # {why}");
        if !rivals.is_empty() {
            let _ = writeln!(out, "rivals = [{}]  # ATOP named threats", rivals.join(", "));
        }
        let _ = writeln!(out);
        pact_ids.push((*a, id));
    }
    Ok(Imported {
        text: out,
        states,
        pacts: pact_ids,
        pacts_left_out,
    })
}
