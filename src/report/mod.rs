//! Writers of results (tables, JSON, outcomes.bin), one module per study, the staging directory
//! that makes a result directory appear whole or not at all, and the readers of what they
//! wrote ([`saved`]). The HTML pages, which also show charts, are in [`crate::pages`].

pub mod backtest;
pub mod compare;
pub mod csv;
pub mod estimate;
pub mod explain;
pub mod fit;
pub mod index;
pub mod json;
pub mod outcomes;
pub mod outdir;
pub mod parquet;
pub mod saved;
pub mod sensitivity;
mod staging;
pub mod story;
pub mod sweep;
#[cfg(test)]
mod tests;

use std::path::PathBuf;

/// The run summary is computed in [`crate::study`]; it is re-exported here, where it is written.
pub use crate::study::summary::{EventInfo, Membership, PactInfo, StateInfo, Summary, TargetResult, percent};
pub use outdir::{Destination, Identity};
pub use staging::{Committed, Staging};

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("cannot write {}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot write {}", path.display())]
    Csv {
        path: PathBuf,
        #[source]
        source: ::csv::Error,
    },
    #[error("cannot read {}: {message}", path.display())]
    Read { path: PathBuf, message: String },
    #[error("cannot write the result into {}: {message}", path.display())]
    Destination { path: PathBuf, message: String },
    /// A directory given as a result that is not one (or not of this kind).
    #[error("{} is not a {kind} directory", dir.display())]
    NotA {
        dir: PathBuf,
        kind: &'static str,
        #[source]
        source: Box<ReportError>,
    },
    #[error("cannot write {}", path.display())]
    Parquet {
        path: PathBuf,
        #[source]
        source: ::parquet::errors::ParquetError,
    },
    #[error("{} is a directory without {file}: not a {kind} directory", dir.display())]
    Missing {
        dir: PathBuf,
        file: &'static str,
        kind: &'static str,
    },
}

/// The error of a CSV writer at `path`.
pub(crate) fn csv_err(path: &std::path::Path) -> impl Fn(::csv::Error) -> ReportError + '_ {
    move |source| ReportError::Csv {
        path: path.to_path_buf(),
        source,
    }
}

pub(crate) fn io_err(path: &std::path::Path) -> impl FnOnce(std::io::Error) -> ReportError + '_ {
    move |source| ReportError::Io {
        path: path.to_path_buf(),
        source,
    }
}
