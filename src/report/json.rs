//! `summary.json` and `tally.json`.

use std::path::Path;

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::{ReportError, Summary, io_err};
use crate::run::Tally;

/// Any serialisable value as pretty JSON with a trailing newline: the bytes [`write`] writes.
pub fn text<T: Serialize>(value: &T) -> Result<String, serde_json::Error> {
    let mut text = serde_json::to_string_pretty(value)?;
    text.push('\n');
    Ok(text)
}

/// Writes any serialisable value as pretty JSON with a trailing newline.
pub fn write<T: Serialize>(path: &Path, value: &T) -> Result<(), ReportError> {
    let text = text(value).map_err(|e| ReportError::Io {
        path: path.to_path_buf(),
        source: e.into(),
    })?;
    std::fs::write(path, text).map_err(io_err(path))
}

pub fn read<T: DeserializeOwned>(path: &Path) -> Result<T, ReportError> {
    let text = std::fs::read_to_string(path).map_err(|e| ReportError::Read {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    serde_json::from_str(&text).map_err(|e| ReportError::Read {
        path: path.to_path_buf(),
        message: e.to_string(),
    })
}

pub fn write_summary(dir: &Path, summary: &Summary) -> Result<(), ReportError> {
    write(&dir.join("summary.json"), summary)
}

/// The exact counts behind the summary: what shards of a run merge.
pub fn write_tally(dir: &Path, tally: &Tally) -> Result<(), ReportError> {
    write(&dir.join("tally.json"), tally)
}
