//! Writers for run results, one module per format (as hyperfine's exporters), and the
//! staging directory that makes a run directory appear whole or not at all.

pub mod backtest;
pub mod compare;
pub mod csv;
pub mod explain;
pub mod fit;
pub mod html;
pub mod index;
pub mod json;
pub mod outcomes;
pub mod outdir;
pub mod sensitivity;
mod staging;
pub mod story;
mod summary;
pub mod sweep;

use std::path::PathBuf;

pub use outdir::{Destination, Identity};
pub use staging::{Committed, Staging};
pub use summary::{EventInfo, Membership, PactInfo, StateInfo, Summary, TargetResult, percent};

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
}

pub(crate) fn io_err(path: &std::path::Path) -> impl FnOnce(std::io::Error) -> ReportError + '_ {
    move |source| ReportError::Io {
        path: path.to_path_buf(),
        source,
    }
}
