//! `pactsim estimate` outputs: `estimates.csv` (one row per weight), `estimated.toml` (a `[model]`
//! block that `run` and `backtest` accept with `--model FILE`) and the text table.

use std::fmt::Write as _;
use std::path::Path;

use super::{ReportError, csv_err, io_err};
use crate::study::estimate::{HistoryEstimate, NotIdentified};

fn f(x: f64) -> String {
    if x.is_finite() { format!("{x:.6}") } else { String::new() }
}

fn status(n: &Option<NotIdentified>) -> String {
    match n {
        None => "estimated".into(),
        Some(NotIdentified::Constant) => "not identified: the term is 0 in every observed choice".into(),
        Some(NotIdentified::Collinear(with)) => format!("not identified: collinear with {}", with.join(", ")),
        Some(NotIdentified::Separated) => "not identified: no finite maximum (the choices it governs all go one way)".into(),
    }
}

/// estimates.csv: weight, the value the fit started from, estimate, standard error, z against
/// 0, 95 % interval, and whether it is identified.
pub fn write_csv(dir: &Path, h: &HistoryEstimate) -> Result<(), ReportError> {
    let path = dir.join("estimates.csv");
    let err = csv_err(&path);
    let mut w = csv::Writer::from_path(&path).map_err(&err)?;
    w.write_record(["weight", "prior", "estimate", "se", "z", "ci95_low", "ci95_high", "status"])
        .map_err(&err)?;
    for c in &h.estimate.coefficients {
        w.write_record([
            c.name.as_str(),
            &f(c.prior),
            &f(c.estimate),
            &f(c.se),
            &f(c.estimate / c.se),
            &f(c.estimate - 1.96 * c.se),
            &f(c.estimate + 1.96 * c.se),
            &status(&c.not_identified),
        ])
        .map_err(&err)?;
    }
    w.flush().map_err(io_err(&path))
}

/// The text of estimated.toml. The model keeps every weight at or above 0 (`model.weights.*` is
/// validated to 0..1000): a negative estimate is written as 0 and said so in its comment.
pub fn estimated_toml(h: &HistoryEstimate) -> String {
    let e = &h.estimate;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "# Weights estimated by `pactsim estimate --from {} --to {}` ({}):",
        h.from, h.to, h.selection
    );
    let _ = writeln!(
        s,
        "# maximum likelihood of {} observed yearly choices ({} stay/leave, {} exits; {} join/stay out, {} entries),",
        e.observations,
        e.member_observations,
        e.exits,
        e.observations - e.member_observations,
        e.entries
    );
    let _ = writeln!(
        s,
        "# the model's logit rule at temperature {} (held: it sets the scale of the weights). Log-likelihood {:.2} (at the starting weights {:.2}).",
        e.temperature, e.log_likelihood, e.log_likelihood_prior
    );
    let _ = writeln!(
        s,
        "# Use: pactsim run SCENARIO --model estimated.toml; pactsim backtest --model estimated.toml"
    );
    let _ = writeln!(s, "[model]");
    let _ = writeln!(s, "temperature = {}", e.temperature);
    let _ = writeln!(s);
    let _ = writeln!(s, "[model.weights]");
    for c in &e.coefficients {
        let value = c.estimate.max(0.0);
        let note = match &c.not_identified {
            Some(_) => format!("{} (kept at the starting value)", status(&c.not_identified)),
            None if c.estimate < 0.0 => format!(
                "estimate {:.4} ± {:.4} is below 0, which the model does not allow: written as 0",
                c.estimate, c.se
            ),
            None => format!("± {:.4} (standard error)", c.se),
        };
        let _ = writeln!(s, "{} = {:.6}   # {note}", c.name, value);
    }
    s
}

pub fn write_toml(dir: &Path, h: &HistoryEstimate) -> Result<(), ReportError> {
    let path = dir.join("estimated.toml");
    std::fs::write(&path, estimated_toml(h)).map_err(io_err(&path))
}

/// The table printed by `pactsim estimate`.
pub fn table(h: &HistoryEstimate) -> String {
    let e = &h.estimate;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "Estimated {}–{} ({}): {} choices ({} exits of {} memberships, {} entries of {} eligible outsiders), τ = {}",
        h.from,
        h.to,
        h.selection,
        e.observations,
        e.exits,
        e.member_observations,
        e.entries,
        e.observations - e.member_observations,
        e.temperature
    );
    let _ = writeln!(
        s,
        "log-likelihood {:.2} (starting weights {:.2}); {} Newton iterations{}",
        e.log_likelihood,
        e.log_likelihood_prior,
        e.iterations,
        if e.converged { "" } else { " (NOT converged)" }
    );
    let _ = writeln!(s, "  {:<13} {:>9} {:>10} {:>9}", "weight", "start", "estimate", "se");
    for c in &e.coefficients {
        match &c.not_identified {
            None => {
                let _ = writeln!(s, "  {:<13} {:>9.3} {:>10.4} {:>9.4}", c.name, c.prior, c.estimate, c.se);
            }
            Some(_) => {
                let _ = writeln!(
                    s,
                    "  {:<13} {:>9.3} {:>10} {:>9}  {}",
                    c.name,
                    c.prior,
                    "—",
                    "—",
                    status(&c.not_identified)
                );
            }
        }
    }
    let _ = writeln!(s, "data {:.1} s, fit {:.2} s", h.seconds_data, h.seconds_fit);
    s
}
