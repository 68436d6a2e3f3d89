//! Historical data: COW National Material Capabilities v6.0, ATOP v4.01 and the state table
//! (`data/README.md` gives each file's source, version, licence and citation).
//!
//! The four files are embedded in the binary (`include_str!`), so `pactsim import` and
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

const NMC_TEXT: &str = include_str!("../../data/cow_nmc_v6_0.csv");
const MEMBERS_TEXT: &str = include_str!("../../data/atop_v401_members.csv");
const ALLIANCES_TEXT: &str = include_str!("../../data/atop_v401_alliances.csv");
const STATES_TEXT: &str = include_str!("../../data/states.csv");

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
}

/// A calendar date as yyyymmdd, comparable as an integer.
pub type DateKey = i32;

/// The last day of a year: the date a year's world is observed at.
pub fn year_end(year: i32) -> DateKey {
    year * 10_000 + 1231
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
}

impl Dataset {
    /// The data embedded in the binary (the files of `data/`).
    pub fn embedded() -> Result<Dataset, DataError> {
        Dataset::parse(NMC_TEXT, MEMBERS_TEXT, ALLIANCES_TEXT, STATES_TEXT)
    }

    /// The four files, by their names in `data/`, from `dir`.
    pub fn from_dir(dir: &Path) -> Result<Dataset, DataError> {
        let read = |name: &str| {
            let path = dir.join(name);
            std::fs::read_to_string(&path).map_err(|source| DataError::Io { path, source })
        };
        Dataset::parse(&read(NMC_FILE)?, &read(MEMBERS_FILE)?, &read(ALLIANCES_FILE)?, &read(STATES_FILE)?)
    }

    /// Parses the four files from text.
    pub fn parse(nmc: &str, members: &str, alliances: &str, states: &str) -> Result<Dataset, DataError> {
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
        if cinc.is_empty() || spells.is_empty() || state_rows.is_empty() {
            return Err(DataError::Empty(
                "a data file has no rows (data/README.md lists what each file holds)".into(),
            ));
        }
        Ok(Dataset {
            states: state_rows,
            cinc,
            alliances: alliance_rows,
            spells,
        })
    }

    /// The COW codes of the states with an NMC row in `year`, in code order.
    pub fn system(&self, year: i32) -> Vec<u16> {
        let mut v: Vec<u16> = self
            .states
            .keys()
            .copied()
            .filter(|&c| self.cinc.contains_key(&(c, year)))
            .collect();
        v.sort_unstable();
        v
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
