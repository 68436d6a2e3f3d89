//! The files of a sensitivity study: `sensitivity.csv` (Morris effects) and `sobol.csv` (Sobol
//! indices), computed in [`crate::study::sensitivity`].

use std::path::Path;

use super::ReportError;
use crate::study::sensitivity::{Effect, SobolIndex};

/// sobol.csv: statistic, pact, state, parameter, first-order index and interval, total index and
/// interval, base samples.
pub fn write_sobol_csv(dir: &Path, indices: &[SobolIndex]) -> Result<(), ReportError> {
    let path = dir.join("sobol.csv");
    let err = super::csv_err(&path);
    let mut w = csv::Writer::from_path(&path).map_err(&err)?;
    w.write_record([
        "statistic",
        "pact",
        "state",
        "parameter",
        "first",
        "first_lo",
        "first_hi",
        "total",
        "total_lo",
        "total_hi",
        "variance",
        "samples",
    ])
    .map_err(&err)?;
    for x in indices {
        let f = |v: f64| format!("{v:.6}");
        w.write_record([
            x.statistic,
            &x.pact,
            &x.state,
            &x.parameter,
            &f(x.first),
            &f(x.first_lo),
            &f(x.first_hi),
            &f(x.total),
            &f(x.total_lo),
            &f(x.total_hi),
            &format!("{:.8}", x.variance),
            &x.samples.to_string(),
        ])
        .map_err(&err)?;
    }
    w.flush().map_err(super::io_err(&path))
}

/// sensitivity.csv: statistic, pact, state, parameter, mu, mu_star, sigma, n.
pub fn write_csv(dir: &Path, effects: &[Effect]) -> Result<(), ReportError> {
    let path = dir.join("sensitivity.csv");
    let err = super::csv_err(&path);
    let mut w = csv::Writer::from_path(&path).map_err(&err)?;
    w.write_record(["statistic", "pact", "state", "parameter", "mu", "mu_star", "sigma", "n"])
        .map_err(&err)?;
    for e in effects {
        w.write_record([
            e.statistic,
            &e.pact,
            &e.state,
            &e.parameter,
            &format!("{:.6}", e.mu),
            &format!("{:.6}", e.mu_star),
            &format!("{:.6}", e.sigma),
            &e.n.to_string(),
        ])
        .map_err(&err)?;
    }
    w.flush().map_err(super::io_err(&path))
}
