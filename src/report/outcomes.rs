//! `outcomes.bin`: every replicate's memberships at the recorded rounds ([`run::Outcomes`]).
//!
//! The file is one line of JSON (the header, ending in `\n`) followed by the bits:
//!
//! ```text
//! {"format":"pactsim-outcomes","version":1,"first":0,"runs":1000,"rounds":[48],"labels":["2024-12"],
//!  "pacts":["NATO",...],"states":["FIN",...],"row_bytes":2,"layout":"..."}\n
//! <runs × rounds × row_bytes bytes>
//! ```
//!
//! For each replicate (in order from `first`), for each recorded round (in the header's order),
//! one row of `row_bytes` = ⌈pacts·states/8⌉ bytes; bit `k = p·states + s` is byte `k/8`, bit
//! `k%8` (least significant first), set when state `s` is a member of pact `p` after that round.
//! Files of adjacent replicate ranges concatenate (`pactsim merge`) into the whole run's file.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::{ReportError, io_err};
use crate::run::Outcomes;
use crate::scenario::Scenario;

pub const FILE: &str = "outcomes.bin";
const FORMAT: &str = "pactsim-outcomes";
const LAYOUT: &str = "for each replicate from first, for each recorded round: row_bytes bytes; bit k = p*states + s is byte k/8, bit k%8 (least significant first); set = member after that round";

/// The header line of outcomes.bin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    pub format: String,
    pub version: u32,
    pub first: u64,
    pub runs: u64,
    pub rounds: Vec<u32>,
    pub labels: Vec<String>,
    pub pacts: Vec<String>,
    pub states: Vec<String>,
    pub row_bytes: usize,
    pub layout: String,
}

/// A read outcomes.bin: its header and the table.
#[derive(Debug, Clone)]
pub struct OutcomeFile {
    pub header: Header,
    pub table: Outcomes,
}

pub fn header(sc: &Scenario, table: &Outcomes) -> Header {
    Header {
        format: FORMAT.into(),
        version: 1,
        first: table.first,
        runs: table.runs,
        rounds: table.rounds.clone(),
        labels: table.rounds.iter().map(|&r| sc.calendar.label(r)).collect(),
        pacts: sc.pacts.iter().map(|p| p.id.clone()).collect(),
        states: sc.states.iter().map(|s| s.id.clone()).collect(),
        row_bytes: table.row_bytes(),
        layout: LAYOUT.into(),
    }
}

/// Writes `dir/outcomes.bin`.
pub fn write(dir: &Path, sc: &Scenario, table: &Outcomes) -> Result<(), ReportError> {
    let path = dir.join(FILE);
    let mut bytes = serde_json::to_vec(&header(sc, table)).map_err(|e| ReportError::Io {
        path: path.clone(),
        source: e.into(),
    })?;
    bytes.push(b'\n');
    bytes.extend_from_slice(&table.bits);
    std::fs::write(&path, bytes).map_err(io_err(&path))
}

/// Reads an outcomes.bin, checking that its size matches its header.
pub fn read(path: &Path) -> Result<OutcomeFile, ReportError> {
    let bad = |message: String| ReportError::Read {
        path: path.to_path_buf(),
        message,
    };
    let file = std::fs::File::open(path).map_err(|e| bad(e.to_string()))?;
    let mut r = BufReader::new(file);
    let mut line = Vec::new();
    r.read_until(b'\n', &mut line).map_err(|e| bad(e.to_string()))?;
    let header: Header = serde_json::from_slice(&line).map_err(|e| bad(format!("not an outcomes file: its header: {e}")))?;
    if header.format != FORMAT || header.version != 1 {
        return Err(bad(format!(
            "not an outcomes file of this version ({} version {})",
            header.format, header.version
        )));
    }
    let table_header = Outcomes::new(&header.rounds, header.pacts.len(), header.states.len(), header.first);
    if table_header.rounds != header.rounds || table_header.row_bytes() != header.row_bytes || header.labels.len() != header.rounds.len() {
        return Err(bad("its header is inconsistent (rounds, labels or row_bytes)".into()));
    }
    let mut bits = Vec::new();
    r.read_to_end(&mut bits).map_err(|e| bad(e.to_string()))?;
    let expected = (header.runs as u128) * (table_header.replicate_bytes() as u128);
    if bits.len() as u128 != expected {
        return Err(bad(format!(
            "{} bytes of rows where the header promises {expected} (truncated or damaged)",
            bits.len()
        )));
    }
    let table = Outcomes {
        runs: header.runs,
        bits,
        ..table_header
    };
    Ok(OutcomeFile { header, table })
}
