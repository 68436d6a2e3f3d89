//! Historical data: COW National Material Capabilities v6.0, ATOP v4.01, the state table, and
//! the tables an imported world's relations and regimes come from: COW state-system membership
//! v2016 (who is a state on a date), COW Direct Contiguity v3.2, COW MID v5.0 dispute-years, COW
//! inter-state war-years v4.0, Thompson–Dreyer strategic rivalries and V-Dem/Polity2 democracy
//! (`data/README.md` gives each file's source, version, licence and citation).
//!
//! The files of [`FILES`] are embedded in the binary (`include_str!`), so `pactsim import` and
//! `pactsim backtest` need neither network nor a data directory; [`Dataset::from_dir`] reads the
//! same file names from a directory instead (`--data DIR`). Every row is checked as it is read:
//! a corrupt file is an error that names the file, the line and the column, never a panic.

pub mod import;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// First and last year of COW NMC v6.0: the years a world can be imported for.
pub const NMC_FIRST_YEAR: i32 = 1816;
pub const NMC_LAST_YEAR: i32 = 2016;
/// Last year ATOP v4.01 codes (its coverage is 1815–2018): memberships after it are unknown.
pub const ATOP_LAST_YEAR: i32 = 2018;

pub const NMC_FILE: &str = "cow_nmc_v6_0.csv";
pub const MEMBERS_FILE: &str = "atop_v401_members.csv";
pub const ALLIANCES_FILE: &str = "atop_v401_alliances.csv";
pub const STATES_FILE: &str = "states.csv";
pub const SYSTEM_FILE: &str = "cow_state_system_2016.csv";
pub const CONTIGUITY_FILE: &str = "cow_contiguity_v3_2_directed.csv";
pub const MID_FILE: &str = "cow_mid_v5_0_directed_dispute_years.csv";
pub const WAR_FILE: &str = "cow_interstate_war_v4_0_directed_years.csv";
pub const RIVALRY_FILE: &str = "thompson_dreyer_strategic_rivalries.csv";
pub const DEMOCRACY_FILE: &str = "democracy_vdem_polity_xm.csv";

/// Every file `import` and `backtest` read, by its name in `data/` (and in `--data DIR`).
pub const FILES: [&str; 10] = [
    NMC_FILE,
    MEMBERS_FILE,
    ALLIANCES_FILE,
    STATES_FILE,
    SYSTEM_FILE,
    CONTIGUITY_FILE,
    MID_FILE,
    WAR_FILE,
    RIVALRY_FILE,
    DEMOCRACY_FILE,
];

/// The last day of the COW state-system list v2016: a spell ending on it is a state that still
/// exists, and the system of a later date is the system of this day.
pub const SYSTEM_LAST_DAY: DateKey = 20161231;
/// Last year of COW MID v5.0: disputes after it are not in the data.
pub const MID_LAST_YEAR: i32 = 2014;
/// Last year of the Thompson–Dreyer rivalries: a rivalry coded as lasting to this year is taken
/// as going on after it.
pub const RIVALRY_LAST_YEAR: i32 = 2010;

const NMC_TEXT: &str = include_str!("../../data/cow_nmc_v6_0.csv");
const MEMBERS_TEXT: &str = include_str!("../../data/atop_v401_members.csv");
const ALLIANCES_TEXT: &str = include_str!("../../data/atop_v401_alliances.csv");
const STATES_TEXT: &str = include_str!("../../data/states.csv");
const SYSTEM_TEXT: &str = include_str!("../../data/cow_state_system_2016.csv");
const CONTIGUITY_TEXT: &str = include_str!("../../data/cow_contiguity_v3_2_directed.csv");
const MID_TEXT: &str = include_str!("../../data/cow_mid_v5_0_directed_dispute_years.csv");
const WAR_TEXT: &str = include_str!("../../data/cow_interstate_war_v4_0_directed_years.csv");
const RIVALRY_TEXT: &str = include_str!("../../data/thompson_dreyer_strategic_rivalries.csv");
const DEMOCRACY_TEXT: &str = include_str!("../../data/democracy_vdem_polity_xm.csv");

#[derive(Debug, thiserror::Error)]
pub enum DataError {
    #[error("cannot read {}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{file}: line {line}: {message}")]
    Row { file: String, line: u64, message: String },
    #[error("{file}: missing column `{column}` (is this the right file? data/README.md lists what each file holds)")]
    Column { file: String, column: String },
    #[error("year {year}: COW NMC v6.0 covers {NMC_FIRST_YEAR}..{NMC_LAST_YEAR}; choose a year in that range")]
    Year { year: i32 },
    #[error("unknown region `{0}`: choose europe, americas, africa, middle_east, asia or oceania")]
    Region(String),
    #[error("unknown state `{given}` in {year}: {hint}")]
    State { given: String, year: i32, hint: String },
    #[error("{0}")]
    Empty(String),
    /// A bad `--through` (or `--rounds` too short for it): the message names the flag.
    #[error("{0}")]
    Through(String),
}

/// A calendar date as yyyymmdd, comparable as an integer.
pub type DateKey = i32;

/// The last day of a year: the date a year's world is observed at.
pub fn year_end(year: i32) -> DateKey {
    year * 10_000 + 1231
}

/// The day after `date` (proleptic Gregorian).
pub fn next_day(date: DateKey) -> DateKey {
    let (y, m, d) = (date / 10_000, (date / 100) % 100, date % 100);
    if d < days_in_month(y, m) {
        date + 1
    } else if m < 12 {
        y * 10_000 + (m + 1) * 100 + 1
    } else {
        (y + 1) * 10_000 + 101
    }
}

/// The day before `date`.
pub fn previous_day(date: DateKey) -> DateKey {
    let (y, m, d) = (date / 10_000, (date / 100) % 100, date % 100);
    if d > 1 {
        date - 1
    } else if m > 1 {
        y * 10_000 + (m - 1) * 100 + days_in_month(y, m - 1)
    } else {
        (y - 1) * 10_000 + 1231
    }
}

fn days_in_month(y: i32, m: i32) -> i32 {
    match m {
        4 | 6 | 9 | 11 => 30,
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        _ => 31,
    }
}

/// A date key as `yyyy-mm-dd`.
pub fn iso(date: DateKey) -> String {
    format!("{:04}-{:02}-{:02}", date / 10_000, (date / 100) % 100, date % 100)
}

/// One spell of a state's membership of the COW state system, both days included.
#[derive(Debug, Clone)]
pub struct SystemSpell {
    pub ccode: u16,
    pub start: DateKey,
    pub end: DateKey,
}

/// One spell of COW direct contiguity between two states, in months (yyyymm, both included):
/// `kind` 0 none, 1 land, 2–5 separated by at most 12, 24, 150 or 400 miles of water.
#[derive(Debug, Clone, Copy)]
pub struct ContiguitySpell {
    pub start: i32,
    pub end: i32,
    pub kind: u8,
}

/// One Thompson–Dreyer strategic rivalry.
#[derive(Debug, Clone)]
pub struct Rivalry {
    pub id: u32,
    pub name: String,
    pub a: u16,
    pub b: u16,
    pub start: i32,
    pub end: i32,
}

impl Rivalry {
    /// Whether the rivalry is going on in `year`; one coded to the handbook's last year
    /// ([`RIVALRY_LAST_YEAR`]) is taken as going on after it.
    pub fn in_effect(&self, year: i32) -> bool {
        self.start <= year && (year <= self.end || self.end >= RIVALRY_LAST_YEAR)
    }
}

/// A state-year's democracy scores (None: not coded).
#[derive(Debug, Clone, Copy, Default)]
pub struct Democracy {
    /// V-Dem electoral democracy index `v2x_polyarchy`, 0..1.
    pub polyarchy: Option<f64>,
    /// Polity IV `polity2`, −10..10.
    pub polity2: Option<f64>,
}

/// The highest MID hostility level of a pair in a year (either side's: 1 no militarized action,
/// 2 threat, 3 display, 4 use of force, 5 war) and the dispute that reached it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DisputeYear {
    pub level: u8,
    pub dispnum: u32,
}

/// An unordered pair of COW codes, the smaller first.
pub fn pair(a: u16, b: u16) -> (u16, u16) {
    (a.min(b), a.max(b))
}

/// One state of the state table.
#[derive(Debug, Clone)]
pub struct StateRow {
    pub ccode: u16,
    pub abb: String,
    pub iso3: String,
    pub name: String,
    pub lat: f64,
    pub lon: f64,
    pub capital: String,
    /// COW codes of land neighbours (today's borders, see data/README.md).
    pub neighbours: Vec<u16>,
}

/// ATOP obligations coded 1 for an alliance (its alliance-level dummies).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Obligations {
    pub defence: bool,
    pub offence: bool,
    pub neutrality: bool,
    pub non_aggression: bool,
    pub consultation: bool,
}

/// One ATOP alliance (alliance-level row).
#[derive(Debug, Clone)]
pub struct Alliance {
    pub atopid: u32,
    pub begin: DateKey,
    pub obligations: Obligations,
    /// ATOP `proadd`: provisions for adding members (None = not coded).
    pub proadd: Option<u8>,
    /// ATOP `statthr1`, `statthr2`: COW codes of states named as threats (0s dropped).
    pub threats: Vec<u16>,
}

/// One ATOP member row: a member's spell in one phase of an alliance.
#[derive(Debug, Clone)]
pub struct MemberSpell {
    pub atopid: u32,
    pub ccode: u16,
    pub entry: DateKey,
    /// None: still a member at the end of ATOP's coverage.
    pub exit: Option<DateKey>,
}

impl MemberSpell {
    pub fn covers(&self, date: DateKey) -> bool {
        self.entry <= date && self.exit.is_none_or(|x| x > date)
    }
}

/// Everything `import` and `backtest` read, parsed and checked.
#[derive(Debug, Clone)]
pub struct Dataset {
    pub states: BTreeMap<u16, StateRow>,
    /// CINC by (COW code, year).
    pub cinc: HashMap<(u16, i32), f64>,
    pub alliances: BTreeMap<u32, Alliance>,
    pub spells: Vec<MemberSpell>,
    /// COW state-system spells, by state and start.
    pub system_spells: Vec<SystemSpell>,
    /// Contiguity spells by unordered pair (both directions of the directed file).
    pub contiguity: HashMap<(u16, u16), Vec<ContiguitySpell>>,
    /// MID dispute-years by (unordered pair, year): the highest level that year.
    pub disputes: HashMap<(u16, u16, i32), DisputeYear>,
    /// Inter-state war-years by (unordered pair, year): the war number.
    pub wars: HashMap<(u16, u16, i32), u32>,
    pub rivalries: Vec<Rivalry>,
    /// Democracy scores by (COW code, year).
    pub democracy: HashMap<(u16, i32), Democracy>,
}

/// The text of every file of [`FILES`].
#[derive(Debug, Clone, Copy)]
pub struct Texts<'a> {
    pub nmc: &'a str,
    pub members: &'a str,
    pub alliances: &'a str,
    pub states: &'a str,
    pub system: &'a str,
    pub contiguity: &'a str,
    pub disputes: &'a str,
    pub wars: &'a str,
    pub rivalries: &'a str,
    pub democracy: &'a str,
}

impl Dataset {
    /// The data embedded in the binary (the files of `data/`).
    pub fn embedded() -> Result<Dataset, DataError> {
        Dataset::parse(&Texts {
            nmc: NMC_TEXT,
            members: MEMBERS_TEXT,
            alliances: ALLIANCES_TEXT,
            states: STATES_TEXT,
            system: SYSTEM_TEXT,
            contiguity: CONTIGUITY_TEXT,
            disputes: MID_TEXT,
            wars: WAR_TEXT,
            rivalries: RIVALRY_TEXT,
            democracy: DEMOCRACY_TEXT,
        })
    }

    /// The files of [`FILES`], by their names in `data/`, from `dir`.
    pub fn from_dir(dir: &Path) -> Result<Dataset, DataError> {
        let read = |name: &str| {
            let path = dir.join(name);
            std::fs::read_to_string(&path).map_err(|source| DataError::Io { path, source })
        };
        let t: Vec<String> = FILES.iter().map(|f| read(f)).collect::<Result<_, _>>()?;
        Dataset::parse(&Texts {
            nmc: &t[0],
            members: &t[1],
            alliances: &t[2],
            states: &t[3],
            system: &t[4],
            contiguity: &t[5],
            disputes: &t[6],
            wars: &t[7],
            rivalries: &t[8],
            democracy: &t[9],
        })
    }

    /// Parses the files from text.
    pub fn parse(texts: &Texts) -> Result<Dataset, DataError> {
        let Texts {
            nmc,
            members,
            alliances,
            states,
            ..
        } = *texts;
        let mut cinc = HashMap::new();
        for_rows(NMC_FILE, nmc, &["ccode", "year", "cinc"], |c| {
            let value = c.f64(2)?;
            if !(0.0..=1.0).contains(&value) {
                return Err(c.err(2, "a CINC share between 0 and 1"));
            }
            cinc.insert((c.u16(0)?, c.i32(1)?), value);
            Ok(())
        })?;
        let mut state_rows = BTreeMap::new();
        for_rows(
            STATES_FILE,
            states,
            &["ccode", "abb", "iso3", "name", "cap_lat", "cap_lon", "capital", "neighbours"],
            |c| {
                let neighbours = c
                    .str(7)
                    .split(';')
                    .filter(|s| !s.is_empty())
                    .map(|s| s.parse::<u16>().map_err(|_| c.err(7, "COW codes separated by ';'")))
                    .collect::<Result<Vec<_>, _>>()?;
                let (lat, lon) = (c.f64(4)?, c.f64(5)?);
                if !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lon) {
                    return Err(c.err(4, "a latitude in -90..90 and a longitude in -180..180"));
                }
                let ccode = c.u16(0)?;
                state_rows.insert(
                    ccode,
                    StateRow {
                        ccode,
                        abb: c.str(1).to_string(),
                        iso3: c.str(2).to_string(),
                        name: c.str(3).to_string(),
                        lat,
                        lon,
                        capital: c.str(6).to_string(),
                        neighbours,
                    },
                );
                Ok(())
            },
        )?;
        let mut alliance_rows = BTreeMap::new();
        let cols = [
            "atopid", "begyr", "begmo", "begday", "defense", "offense", "neutral", "nonagg", "consul", "proadd", "statthr1", "statthr2",
        ];
        for_rows(ALLIANCES_FILE, alliances, &cols, |c| {
            let atopid = c.u32(0)?;
            let flag = |i: usize| c.opt_i32(i).map(|v| v == Some(1));
            let threats = [c.opt_i32(10)?, c.opt_i32(11)?]
                .into_iter()
                .flatten()
                .filter(|&t| t > 0)
                .map(|t| u16::try_from(t).map_err(|_| c.err(10, "a COW code")))
                .collect::<Result<Vec<_>, _>>()?;
            alliance_rows.insert(
                atopid,
                Alliance {
                    atopid,
                    begin: date(c.i32(1)?, c.opt_i32(2)?.unwrap_or(0), c.opt_i32(3)?.unwrap_or(0), false),
                    obligations: Obligations {
                        defence: flag(4)?,
                        offence: flag(5)?,
                        neutrality: flag(6)?,
                        non_aggression: flag(7)?,
                        consultation: flag(8)?,
                    },
                    proadd: c.opt_i32(9)?.map(|v| v.clamp(0, 255) as u8),
                    threats,
                },
            );
            Ok(())
        })?;
        let mut spells = Vec::new();
        let cols = ["atopid", "member", "yrent", "moent", "dayent", "yrexit", "moexit", "dayexit"];
        for_rows(MEMBERS_FILE, members, &cols, |c| {
            let atopid = c.u32(0)?;
            if !alliance_rows.contains_key(&atopid) {
                return Err(c.err(0, "an atopid of atop_v401_alliances.csv"));
            }
            let exit_year = c.i32(5)?;
            spells.push(MemberSpell {
                atopid,
                ccode: c.u16(1)?,
                entry: date(c.i32(2)?, c.opt_i32(3)?.unwrap_or(0), c.opt_i32(4)?.unwrap_or(0), false),
                exit: (exit_year != 0).then(|| {
                    date(
                        exit_year,
                        c.opt_i32(6).ok().flatten().unwrap_or(0),
                        c.opt_i32(7).ok().flatten().unwrap_or(0),
                        true,
                    )
                }),
            });
            Ok(())
        })?;
        let system_spells = parse_system(texts.system, &state_rows, &cinc)?;
        let contiguity = parse_contiguity(texts.contiguity)?;
        let disputes = parse_disputes(texts.disputes)?;
        let wars = parse_wars(texts.wars)?;
        let rivalries = parse_rivalries(texts.rivalries)?;
        let democracy = parse_democracy(texts.democracy)?;
        if cinc.is_empty() || spells.is_empty() || state_rows.is_empty() || system_spells.is_empty() {
            return Err(DataError::Empty(
                "a data file has no rows (data/README.md lists what each file holds)".into(),
            ));
        }
        Ok(Dataset {
            states: state_rows,
            cinc,
            alliances: alliance_rows,
            spells,
            system_spells,
            contiguity,
            disputes,
            wars,
            rivalries,
            democracy,
        })
    }

    /// The data as they were known at the end of `year`: everything dated after `year`-12-31 is
    /// gone (NMC, democracy, dispute and war rows of later years; state-system, contiguity,
    /// alliance-membership spells and rivalries that begin later), and a spell going on then is
    /// open-ended (a state-system spell to the list's last day, a contiguity spell to its last
    /// month, an alliance membership with no exit, a rivalry to `year`). What `import` builds for
    /// the rounds up to `year` from these data must be what it builds from the whole data
    /// (`tests/events.rs`): that is the proof that no round reads data dated after it.
    pub fn truncated(&self, year: i32) -> Dataset {
        let date = year_end(year);
        let mut d = self.clone();
        d.cinc.retain(|&(_, y), _| y <= year);
        d.democracy.retain(|&(_, y), _| y <= year);
        d.disputes.retain(|&(_, _, y), _| y <= year);
        d.wars.retain(|&(_, _, y), _| y <= year);
        d.alliances.retain(|_, a| a.begin <= date);
        d.spells.retain(|s| s.entry <= date);
        for s in &mut d.spells {
            if s.exit.is_some_and(|x| x > date) {
                s.exit = None;
            }
        }
        d.system_spells.retain(|s| s.start <= date);
        for s in &mut d.system_spells {
            if s.end > date {
                s.end = SYSTEM_LAST_DAY;
            }
        }
        let month = date / 100;
        for spells in d.contiguity.values_mut() {
            spells.retain(|s| s.start <= month);
            for s in spells.iter_mut() {
                if s.end > month {
                    s.end = SYSTEM_LAST_DAY / 100;
                }
            }
        }
        d.contiguity.retain(|_, v| !v.is_empty());
        d.rivalries.retain(|r| r.start <= year);
        for r in &mut d.rivalries {
            r.end = r.end.min(year);
        }
        d
    }

    /// The COW codes of the states in the COW state system on `date`, in code order. A date
    /// after the list's last day ([`SYSTEM_LAST_DAY`]) is read as that day.
    pub fn system_on(&self, date: DateKey) -> Vec<u16> {
        let date = date.min(SYSTEM_LAST_DAY);
        let mut v: Vec<u16> = self
            .system_spells
            .iter()
            .filter(|s| s.start <= date && date <= s.end)
            .map(|s| s.ccode)
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    }

    /// The state system of a year's world: the states on its 31 December.
    pub fn system(&self, year: i32) -> Vec<u16> {
        self.system_on(year_end(year))
    }

    /// Whether `ccode` is a state on `date` (a date after [`SYSTEM_LAST_DAY`] is read as it).
    pub fn alive(&self, ccode: u16, date: DateKey) -> bool {
        let date = date.min(SYSTEM_LAST_DAY);
        self.system_spells
            .iter()
            .any(|s| s.ccode == ccode && s.start <= date && date <= s.end)
    }

    /// Whether `ccode`, a state on `from`, is still the same state on `to` without having
    /// ceased to exist in between (the spell that holds `from` reaches `to`).
    pub fn survives(&self, ccode: u16, from: DateKey, to: DateKey) -> bool {
        let (from, to) = (from.min(SYSTEM_LAST_DAY), to.min(SYSTEM_LAST_DAY));
        self.system_spells
            .iter()
            .any(|s| s.ccode == ccode && s.start <= from && from <= s.end && to <= s.end)
    }

    /// The closest COW contiguity of two states on `date` (1 land … 5 at most 400 miles of
    /// water; None: not contiguous). Spells are months: a spell covers every day of its first
    /// and last month. A date after December 2016 (the data's end) is read as that month.
    pub fn contiguity_on(&self, a: u16, b: u16, date: DateKey) -> Option<u8> {
        let month = (date / 100).min(SYSTEM_LAST_DAY / 100);
        self.contiguity
            .get(&pair(a, b))?
            .iter()
            .filter(|s| s.kind > 0 && s.start <= month && month <= s.end)
            .map(|s| s.kind)
            .min()
    }

    /// The pair's highest MID hostility level in `year`, if it had a dispute that year.
    pub fn dispute(&self, a: u16, b: u16, year: i32) -> Option<DisputeYear> {
        let (x, y) = pair(a, b);
        self.disputes.get(&(x, y, year)).copied()
    }

    /// The inter-state war the pair fought on opposite sides in `year`, if any.
    pub fn war(&self, a: u16, b: u16, year: i32) -> Option<u32> {
        let (x, y) = pair(a, b);
        self.wars.get(&(x, y, year)).copied()
    }

    /// The strategic rivalry of the pair going on in `year`, if any.
    pub fn rivalry(&self, a: u16, b: u16, year: i32) -> Option<&Rivalry> {
        let (x, y) = pair(a, b);
        self.rivalries.iter().find(|r| pair(r.a, r.b) == (x, y) && r.in_effect(year))
    }

    /// Every (alliance, member) pair in effect on `date`, sorted.
    pub fn memberships_at(&self, date: DateKey) -> Vec<(u32, u16)> {
        let mut v: Vec<(u32, u16)> = self.spells.iter().filter(|s| s.covers(date)).map(|s| (s.atopid, s.ccode)).collect();
        v.sort_unstable();
        v.dedup();
        v
    }

    /// The state with this COW abbreviation, ISO3 code or COW number.
    pub fn find_state(&self, key: &str) -> Option<u16> {
        let k = key.trim();
        if let Ok(n) = k.parse::<u16>() {
            return self.states.contains_key(&n).then_some(n);
        }
        let up = k.to_ascii_uppercase();
        self.states
            .values()
            .find(|s| s.abb == up)
            .or_else(|| self.states.values().find(|s| s.iso3 == up))
            .map(|s| s.ccode)
    }
}

/// A calendar date from year, month and day cells, checked (`i` the year's column).
fn checked_date(c: &Cells, i: usize) -> Result<DateKey, DataError> {
    let (y, m, d) = (c.i32(i)?, c.i32(i + 1)?, c.i32(i + 2)?);
    if !(1..=12).contains(&m) {
        return Err(c.err(i + 1, "a month 1..12"));
    }
    if !(1..=31).contains(&d) {
        return Err(c.err(i + 2, "a day 1..31"));
    }
    Ok(y * 10_000 + m * 100 + d)
}

/// The COW state-system list: spells of states of the state table, each with NMC rows.
fn parse_system(text: &str, states: &BTreeMap<u16, StateRow>, cinc: &HashMap<(u16, i32), f64>) -> Result<Vec<SystemSpell>, DataError> {
    let mut spells = Vec::new();
    let cols = ["ccode", "styear", "stmonth", "stday", "endyear", "endmonth", "endday"];
    for_rows(SYSTEM_FILE, text, &cols, |c| {
        let ccode = c.u16(0)?;
        if !states.contains_key(&ccode) {
            return Err(c.err(0, "a COW code of data/states.csv"));
        }
        let (start, end) = (checked_date(c, 1)?, checked_date(c, 4)?);
        if end < start {
            return Err(c.err(4, &format!("an end on or after the start {}", iso(start))));
        }
        // A world is built from the NMC row of its year: every year-end in the spell needs one.
        for y in start / 10_000..=end / 10_000 {
            if year_end(y) <= end && !cinc.contains_key(&(ccode, y)) && (NMC_FIRST_YEAR..=NMC_LAST_YEAR).contains(&y) {
                return Err(c.err(0, &format!("a state with a row in {NMC_FILE} for {y} (it is a state on {y}-12-31)")));
            }
        }
        spells.push(SystemSpell { ccode, start, end });
        Ok(())
    })?;
    spells.sort_by_key(|s| (s.ccode, s.start));
    Ok(spells)
}

/// `yyyy-mm-dd` as a month key yyyymm.
fn iso_month(c: &Cells, i: usize) -> Result<i32, DataError> {
    let s = c.str(i).trim();
    let mut parts = s.split('-');
    let (y, m, d) = (parts.next(), parts.next(), parts.next());
    let num = |p: Option<&str>| p.and_then(|v| v.parse::<i32>().ok());
    match (num(y), num(m), num(d), parts.next()) {
        (Some(y), Some(m), Some(d), None) if (1..=12).contains(&m) && (1..=31).contains(&d) => Ok(y * 100 + m),
        _ => Err(c.err(i, "a date yyyy-mm-dd")),
    }
}

fn parse_contiguity(text: &str) -> Result<HashMap<(u16, u16), Vec<ContiguitySpell>>, DataError> {
    let mut map: HashMap<(u16, u16), Vec<ContiguitySpell>> = HashMap::new();
    for_rows(CONTIGUITY_FILE, text, &["ccode1", "ccode2", "conttype", "stdate", "enddate"], |c| {
        let (a, b) = (c.u16(0)?, c.u16(1)?);
        let kind = c.i32(2)?;
        if !(0..=5).contains(&kind) {
            return Err(c.err(2, "a contiguity type 0..5 (0 none, 1 land, 2-5 water)"));
        }
        let (start, end) = (iso_month(c, 3)?, iso_month(c, 4)?);
        if end < start {
            return Err(c.err(4, "an end date on or after the start date"));
        }
        let spells = map.entry(pair(a, b)).or_default();
        let spell = ContiguitySpell {
            start,
            end,
            kind: kind as u8,
        };
        // The file is directed: each spell is there twice.
        if !spells.iter().any(|s| s.start == start && s.end == end && s.kind == spell.kind) {
            spells.push(spell);
        }
        Ok(())
    })?;
    Ok(map)
}

fn parse_disputes(text: &str) -> Result<HashMap<(u16, u16, i32), DisputeYear>, DataError> {
    let mut map: HashMap<(u16, u16, i32), DisputeYear> = HashMap::new();
    for_rows(
        MID_FILE,
        text,
        &["dispnum", "ccode1", "ccode2", "year", "hostlev1", "hostlev2"],
        |c| {
            let dispnum = c.u32(0)?;
            let (a, b) = pair(c.u16(1)?, c.u16(2)?);
            let year = c.i32(3)?;
            let mut level = 0;
            for i in [4, 5] {
                let v = c.i32(i)?;
                if !(1..=5).contains(&v) {
                    return Err(c.err(i, "a hostility level 1..5"));
                }
                level = level.max(v as u8);
            }
            let new = DisputeYear { level, dispnum };
            map.entry((a, b, year))
                .and_modify(|d| {
                    if (new.level, std::cmp::Reverse(new.dispnum)) > (d.level, std::cmp::Reverse(d.dispnum)) {
                        *d = new;
                    }
                })
                .or_insert(new);
            Ok(())
        },
    )?;
    Ok(map)
}

fn parse_wars(text: &str) -> Result<HashMap<(u16, u16, i32), u32>, DataError> {
    let mut map = HashMap::new();
    for_rows(WAR_FILE, text, &["warnum", "ccode1", "ccode2", "year"], |c| {
        let warnum = c.u32(0)?;
        let (a, b) = pair(c.u16(1)?, c.u16(2)?);
        let year = c.i32(3)?;
        let w = map.entry((a, b, year)).or_insert(warnum);
        *w = (*w).min(warnum);
        Ok(())
    })?;
    Ok(map)
}

fn parse_rivalries(text: &str) -> Result<Vec<Rivalry>, DataError> {
    let mut v = Vec::new();
    for_rows(
        RIVALRY_FILE,
        text,
        &["rivalryno", "rivalryname", "ccode1", "ccode2", "styear", "endyear"],
        |c| {
            let (start, end) = (c.i32(4)?, c.i32(5)?);
            if end < start {
                return Err(c.err(5, "an end year on or after the start year"));
            }
            v.push(Rivalry {
                id: c.u32(0)?,
                name: c.str(1).to_string(),
                a: c.u16(2)?,
                b: c.u16(3)?,
                start,
                end,
            });
            Ok(())
        },
    )?;
    Ok(v)
}

fn parse_democracy(text: &str) -> Result<HashMap<(u16, i32), Democracy>, DataError> {
    let mut map = HashMap::new();
    for_rows(DEMOCRACY_FILE, text, &["ccode", "year", "v2x_polyarchy", "polity2"], |c| {
        let opt = |i: usize, lo: f64, hi: f64, want: &str| -> Result<Option<f64>, DataError> {
            let s = c.str(i).trim();
            if s.is_empty() || s == "NA" {
                return Ok(None);
            }
            let v = c.f64(i)?;
            if !(lo..=hi).contains(&v) {
                return Err(c.err(i, want));
            }
            Ok(Some(v))
        };
        let d = Democracy {
            polyarchy: opt(2, 0.0, 1.0, "a V-Dem polyarchy score 0..1 or empty")?,
            polity2: opt(3, -10.0, 10.0, "a Polity2 score -10..10 or empty")?,
        };
        map.insert((c.u16(0)?, c.i32(1)?), d);
        Ok(())
    })?;
    Ok(map)
}

/// A date key; a month or day coded 0 (unknown) is the first of the year or month for an entry,
/// the last for an exit.
fn date(year: i32, month: i32, day: i32, exit: bool) -> DateKey {
    let month = if (1..=12).contains(&month) {
        month
    } else if exit {
        12
    } else {
        1
    };
    let day = if (1..=31).contains(&day) {
        day
    } else if exit {
        31
    } else {
        1
    };
    year * 10_000 + month * 100 + day
}

/// One CSV row with the columns the caller asked for, in that order.
struct Cells<'a> {
    file: &'static str,
    line: u64,
    names: &'a [&'a str],
    values: Vec<&'a str>,
}

impl Cells<'_> {
    fn err(&self, i: usize, want: &str) -> DataError {
        DataError::Row {
            file: self.file.to_string(),
            line: self.line,
            message: format!("column `{}` is `{}`, expected {want}", self.names[i], self.values[i]),
        }
    }
    fn str(&self, i: usize) -> &str {
        self.values[i]
    }
    fn f64(&self, i: usize) -> Result<f64, DataError> {
        self.values[i]
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
            .ok_or_else(|| self.err(i, "a number"))
    }
    fn i32(&self, i: usize) -> Result<i32, DataError> {
        self.opt_i32(i)?.ok_or_else(|| self.err(i, "an integer"))
    }
    /// An integer, or None for an empty cell. ATOP writes some integers as `4.0100002`-style
    /// floats; a whole-valued float is accepted.
    fn opt_i32(&self, i: usize) -> Result<Option<i32>, DataError> {
        let s = self.values[i].trim();
        if s.is_empty() {
            return Ok(None);
        }
        if let Ok(v) = s.parse::<i32>() {
            return Ok(Some(v));
        }
        match s.parse::<f64>() {
            Ok(v) if v.fract() == 0.0 && v.abs() < 1e9 => Ok(Some(v as i32)),
            _ => Err(self.err(i, "an integer")),
        }
    }
    fn u16(&self, i: usize) -> Result<u16, DataError> {
        u16::try_from(self.i32(i)?).map_err(|_| self.err(i, "a COW code (0..65535)"))
    }
    fn u32(&self, i: usize) -> Result<u32, DataError> {
        u32::try_from(self.i32(i)?).map_err(|_| self.err(i, "a positive integer"))
    }
}

/// Calls `f` on every row of a CSV text with the named columns picked out.
fn for_rows(file: &'static str, text: &str, columns: &[&str], mut f: impl FnMut(&Cells) -> Result<(), DataError>) -> Result<(), DataError> {
    let mut reader = csv::ReaderBuilder::new().has_headers(true).from_reader(text.as_bytes());
    let headers = reader.headers().map_err(|e| DataError::Row {
        file: file.to_string(),
        line: 1,
        message: e.to_string(),
    })?;
    let idx: Vec<usize> = columns
        .iter()
        .map(|c| {
            headers.iter().position(|h| h.trim() == *c).ok_or_else(|| DataError::Column {
                file: file.to_string(),
                column: c.to_string(),
            })
        })
        .collect::<Result<_, _>>()?;
    let mut record = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => return Ok(()),
            Ok(true) => {}
            Err(e) => {
                return Err(DataError::Row {
                    file: file.to_string(),
                    line: e.position().map_or(0, |p| p.line()),
                    message: e.to_string(),
                });
            }
        }
        let line = record.position().map_or(0, |p| p.line());
        let values = idx.iter().map(|&i| record.get(i).unwrap_or("")).collect();
        f(&Cells {
            file,
            line,
            names: columns,
            values,
        })?;
    }
}
