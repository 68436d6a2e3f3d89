//! `runs.csv`: the index of the results written from a project, in its default results directory
//! (`output/runs.csv`, or the live page's `--output`), one row per result (wherever `--out` put
//! it), appended when it is written. `pactsim runs` prints it.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use super::outdir::{Found, Marker, inspect};
use super::{ReportError, io_err};

/// The index file's name, in the default results directory.
pub const INDEX: &str = "runs.csv";

pub const HEADER: &str = "time,kind,directory,command,identity,scenario_hash,seed,runs,version";

/// One row of the index.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub time: String,
    pub kind: String,
    pub directory: String,
    pub command: String,
    pub identity: String,
    pub scenario_hash: String,
    pub seed: String,
    pub runs: String,
    pub version: String,
}

/// Where the index of results whose default directory is `default` lives: `runs.csv` in its
/// parent (`output/runs.csv` for `output/NAME`).
pub fn index_of(default: &Path) -> PathBuf {
    match default.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.join(INDEX),
        _ => PathBuf::from(INDEX),
    }
}

/// Appends to the index at `path` the row of a result just written at `dir`. An index file that
/// pactsim did not write (another header) is left alone: the row is not recorded and the reason
/// returned.
pub fn record(path: &Path, dir: &Path, marker: &Marker) -> Result<Option<String>, ReportError> {
    let path = path.to_path_buf();
    if let Some(parent) = path.parent()
        && !parent.as_os_str().is_empty()
    {
        fs::create_dir_all(parent).map_err(io_err(parent))?;
    }
    let field = |k: &str| marker.fields.get(k).cloned().unwrap_or_default();
    let row = Row {
        time: humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string(),
        kind: marker.kind.clone(),
        directory: dir.display().to_string(),
        command: marker.command.clone(),
        identity: marker.identity.clone(),
        scenario_hash: field("scenario_hash"),
        seed: field("seed"),
        runs: field("runs"),
        version: marker.pactsim.clone(),
    };
    let fresh = match fs::read_to_string(&path) {
        Ok(text) => {
            if text.lines().next() != Some(HEADER) {
                return Ok(Some(format!(
                    "{} was not written by pactsim: this result is not recorded in it",
                    path.display()
                )));
            }
            false
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => true,
        Err(source) => return Err(ReportError::Io { path, source }),
    };
    let mut w = csv::WriterBuilder::new().has_headers(false).from_writer(Vec::new());
    let rec = [
        &row.time,
        &row.kind,
        &row.directory,
        &row.command,
        &row.identity,
        &row.scenario_hash,
        &row.seed,
        &row.runs,
        &row.version,
    ];
    w.write_record(rec).map_err(|source| ReportError::Csv {
        path: path.clone(),
        source,
    })?;
    let mut bytes = Vec::new();
    if fresh {
        bytes.extend_from_slice(HEADER.as_bytes());
        bytes.push(b'\n');
    }
    bytes.extend(w.into_inner().map_err(|e| ReportError::Io {
        path: path.clone(),
        source: e.into_error(),
    })?);
    // One write of a short line in append mode: rows of results written at once do not interleave.
    let mut f = OpenOptions::new().create(true).append(true).open(&path).map_err(io_err(&path))?;
    f.write_all(&bytes).map_err(io_err(&path))?;
    Ok(None)
}

/// Reads an index; each row with whether its directory still holds that result.
pub fn read(path: &Path) -> Result<Vec<(Row, Status)>, ReportError> {
    let text = fs::read_to_string(path).map_err(|e| ReportError::Read {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    if text.lines().next() != Some(HEADER) {
        return Err(ReportError::Read {
            path: path.to_path_buf(),
            message: format!("not an index of pactsim results (its first line is not `{HEADER}`)"),
        });
    }
    let mut rdr = csv::ReaderBuilder::new().has_headers(true).from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for (i, rec) in rdr.records().enumerate() {
        let rec = rec.map_err(|e| ReportError::Read {
            path: path.to_path_buf(),
            message: format!("row {}: {e}", i + 2),
        })?;
        let get = |k: usize| rec.get(k).unwrap_or("").to_string();
        let row = Row {
            time: get(0),
            kind: get(1),
            directory: get(2),
            command: get(3),
            identity: get(4),
            scenario_hash: get(5),
            seed: get(6),
            runs: get(7),
            version: get(8),
        };
        let status = match inspect(Path::new(&row.directory)) {
            Ok(Found::Result { marker, .. }) if marker.identity == row.identity => Status::Present,
            Ok(Found::Result { .. }) => Status::Replaced,
            _ => Status::Gone,
        };
        rows.push((row, status));
    }
    Ok(rows)
}

/// Whether a result recorded in the index is still where it was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Present,
    /// Another result has been written into its directory since (`--replace`).
    Replaced,
    /// Its directory is gone.
    Gone,
}

impl Status {
    pub fn name(self) -> &'static str {
        match self {
            Status::Present => "",
            Status::Replaced => "replaced",
            Status::Gone => "gone",
        }
    }
}
