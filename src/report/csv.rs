//! `memberships.csv` (tidy: one row per round, pact and state) and `decisions.csv` (one row per
//! decision with the value of every term).

use std::path::Path;

use super::{ReportError, Summary, csv_err};
use crate::model::Terms;
use crate::run::LoggedDecision;
use crate::scenario::Scenario;

/// round, label, pact, state, p_member.
pub fn write_memberships(dir: &Path, summary: &Summary) -> Result<(), ReportError> {
    let path = dir.join("memberships.csv");
    let err = csv_err(&path);
    let mut w = csv::Writer::from_path(&path).map_err(&err)?;
    w.write_record(["round", "label", "pact", "state", "p_member"]).map_err(&err)?;
    for pact in &summary.pacts {
        for state in &summary.states {
            let m = &summary.membership[&pact.id][&state.id];
            for (r, p) in m.p_by_round.iter().enumerate() {
                w.write_record([
                    r.to_string().as_str(),
                    &summary.round_labels[r],
                    &pact.id,
                    &state.id,
                    &p.to_string(),
                ])
                .map_err(&err)?;
            }
        }
    }
    w.flush().map_err(|e| ReportError::Io {
        path: path.clone(),
        source: e,
    })
}

/// replicate, round, label, state, pact, action, applicant, probability, utility, then each term
/// of the model and each of the scenario's own (`[[term]]`, those of weight other than 0).
pub fn write_decisions(dir: &Path, scenario: &Scenario, decisions: &[LoggedDecision]) -> Result<(), ReportError> {
    let path = dir.join("decisions.csv");
    let err = csv_err(&path);
    let mut w = csv::Writer::from_path(&path).map_err(&err)?;
    let mut header = vec![
        "replicate",
        "round",
        "label",
        "state",
        "pact",
        "action",
        "applicant",
        "probability",
        "utility",
    ];
    header.extend(Terms::NAMES);
    // The scenario's own terms, after the model's: a scenario without them keeps every byte.
    let user: Vec<usize> = (0..scenario.user_terms.len()).filter(|&i| scenario.user_terms[i].shown()).collect();
    header.extend(user.iter().map(|&i| scenario.user_terms[i].id.as_str()));
    w.write_record(&header).map_err(&err)?;
    let mut row: Vec<String> = Vec::with_capacity(header.len());
    for ld in decisions {
        let d = &ld.decision;
        row.clear();
        row.push(ld.replicate.to_string());
        row.push(d.round.to_string());
        row.push(scenario.calendar.label(d.round));
        row.push(scenario.state(d.state).id.clone());
        row.push(match &d.founders {
            // A pact a template formed (or proposed): its stable id.
            Some(founders) => scenario.formed_id(d.pact, founders),
            None => scenario.pact(d.pact).id.clone(),
        });
        row.push(d.action.name().to_string());
        row.push(d.applicant.map(|a| scenario.state(a).id.clone()).unwrap_or_default());
        row.push(fmt(d.probability));
        row.push(fmt(d.terms.utility()));
        row.extend(d.terms.values().iter().map(|&v| fmt(v)));
        row.extend(user.iter().map(|&i| fmt(d.terms.user[i])));
        w.write_record(&row).map_err(&err)?;
    }
    w.flush().map_err(|e| ReportError::Io {
        path: path.clone(),
        source: e,
    })
}

/// decisions.csv of a merged run: the shards' files (in replicate order) with one header.
pub fn concat_decisions(dir: &Path, shards: &[std::path::PathBuf]) -> Result<(), ReportError> {
    use std::io::{BufRead, BufReader, Write};
    let path = dir.join("decisions.csv");
    let mut out = std::io::BufWriter::new(std::fs::File::create(&path).map_err(super::io_err(&path))?);
    for (i, shard) in shards.iter().enumerate() {
        let file = std::fs::File::open(shard).map_err(super::io_err(shard))?;
        for (j, line) in BufReader::new(file).lines().enumerate() {
            let line = line.map_err(super::io_err(shard))?;
            if j > 0 || i == 0 {
                writeln!(out, "{line}").map_err(super::io_err(&path))?;
            }
        }
    }
    out.flush().map_err(super::io_err(&path))
}

/// Six significant decimals: enough to trace a decision, short enough to read.
fn fmt(v: f64) -> String {
    let s = format!("{v:.6}");
    if s == "-0.000000" { "0.000000".to_string() } else { s }
}
