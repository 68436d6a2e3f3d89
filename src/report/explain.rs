//! `explain`: a trace of one state's decision about one pact as a text table and `explain.csv`.

use std::fmt::Write as _;
use std::path::Path;

use super::{ReportError, io_err};
use crate::run::trace::{Side, Trace};

/// The rows of a trace: one per round and kind of decision that has replicates.
fn rows(t: &Trace) -> impl Iterator<Item = (&crate::run::trace::TraceRound, &'static str, &Side)> {
    t.rounds.iter().flat_map(|r| {
        r.join
            .as_ref()
            .map(|s| (r, "join", s))
            .into_iter()
            .chain(r.leave.as_ref().map(|s| (r, "leave", s)))
    })
}

/// The trace as a fixed-width table with a short legend; terms that are zero throughout are
/// left out (and named below the table).
pub fn table(t: &Trace) -> String {
    let active = t.active_terms();
    let mut o = String::new();
    let _ = writeln!(
        o,
        "Why {} joins {} or not — {} ({} replicates, seed {}, temperature {})",
        t.state, t.pact, t.scenario, t.runs, t.seed, t.temperature
    );
    let _ = writeln!(
        o,
        "Mean terms over the replicates in each position, on the world after each round (round 0 = before round 1)."
    );
    let _ = writeln!(
        o,
        "  decision join:  terms of applying to / joining {} (replicates where {} is not a member); utility > 0 favours joining",
        t.pact, t.state
    );
    let _ = writeln!(
        o,
        "  decision leave: terms of leaving {} (replicates where {} is a member); utility < 0 favours staying",
        t.pact, t.state
    );
    let _ = writeln!(
        o,
        "  member/applied: share of all replicates; n: replicates in the position; open: share of them in which the pact is open to {} (it may apply, or has applied)",
        t.state
    );
    let _ = writeln!(o, "  p_act: mean logit probability of taking the step if it may");
    let _ = writeln!(o);
    let mut head = format!(
        "{:>5}  {:<10} {:>6} {:>7}  {:<8} {:>6} {:>5} {:>5} {:>8}",
        "round", "label", "member", "applied", "decision", "n", "open", "p_act", "utility"
    );
    let widths: Vec<usize> = active.iter().map(|&k| t.names[k].len().max(8)).collect();
    for (&k, &w) in active.iter().zip(&widths) {
        let _ = write!(head, " {:>w$}", t.names[k]);
    }
    let _ = writeln!(o, "{head}");
    for (r, kind, s) in rows(t) {
        let open = s.p_open.map(|p| format!("{p:.2}")).unwrap_or_else(|| "-".into());
        let mut line = format!(
            "{:>5}  {:<10} {:>6.2} {:>7.2}  {:<8} {:>6} {:>5} {:>5.2} {:>8.3}",
            r.round, r.label, r.p_member, r.p_applicant, kind, s.n, open, s.p_act, s.utility
        );
        for (&k, &w) in active.iter().zip(&widths) {
            let _ = write!(line, " {:>w$.3}", s.terms[k]);
        }
        let _ = writeln!(o, "{}", line.trim_end());
    }
    let zero: Vec<&str> = (0..t.names.len())
        .filter(|k| !active.contains(k))
        .map(|k| t.names[k].as_str())
        .collect();
    if !zero.is_empty() {
        let _ = writeln!(o, "\nZero throughout (not shown): {}.", zero.join(", "));
    }
    if !t.events.is_empty() {
        let list: Vec<String> = t
            .events
            .iter()
            .map(|(r, id, _, label)| format!("{id} before round {r} ({label})"))
            .collect();
        let _ = writeln!(o, "Events: {}.", list.join(", "));
    }
    o
}

/// round, label, p_member, p_applicant, decision, n, p_open, p_act, utility, then every term.
pub fn write_csv(dir: &Path, t: &Trace) -> Result<(), ReportError> {
    let path = dir.join("explain.csv");
    let err = |source| ReportError::Csv {
        path: path.clone(),
        source,
    };
    let mut w = csv::Writer::from_path(&path).map_err(err)?;
    let mut header: Vec<String> = [
        "round",
        "label",
        "p_member",
        "p_applicant",
        "decision",
        "n",
        "p_open",
        "p_act",
        "utility",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    header.extend(t.names.iter().cloned());
    w.write_record(&header).map_err(err)?;
    for (r, kind, s) in rows(t) {
        let mut rec = vec![
            r.round.to_string(),
            r.label.clone(),
            r.p_member.to_string(),
            r.p_applicant.to_string(),
            kind.to_string(),
            s.n.to_string(),
            s.p_open.map(|p| p.to_string()).unwrap_or_default(),
            s.p_act.to_string(),
            s.utility.to_string(),
        ];
        rec.extend(s.terms.iter().map(|v| v.to_string()));
        w.write_record(&rec).map_err(err)?;
    }
    w.flush().map_err(io_err(&path))
}

/// Terms shown in a proposal's table: those not zero in some role.
fn proposal_terms(e: &crate::study::proposal::Explanation) -> Vec<usize> {
    (0..e.names.len())
        .filter(|&k| e.roles.iter().any(|r| r.terms[k].abs() > 5e-5))
        .collect()
}

/// Why `e`'s pact was proposed and why each invitee accepted or declined, as a fixed-width
/// table: the proposers' mean terms (the value of the proposed pact against staying as they
/// are), the partners they chose, and each invitee's mean terms when it accepted and when it
/// declined. Terms zero throughout are left out (and named).
pub fn proposal_table(e: &crate::study::proposal::Explanation) -> String {
    let mut o = String::new();
    let what = if e.asked == e.template {
        format!("every proposal of template {}", e.template)
    } else {
        format!("proposals of {} (template {})", e.asked, e.template)
    };
    let _ = writeln!(
        o,
        "Why states proposed and answered — {what} — {} ({} replicates, seed {}, temperature {})",
        e.scenario, e.runs, e.seed, e.temperature
    );
    let _ = writeln!(
        o,
        "{} proposals in {} replicates; {} formed the pact (the proposer and at least {} accepting: min_members {}).",
        e.proposals,
        e.replicates,
        e.formed,
        e.min_members.saturating_sub(1),
        e.min_members
    );
    let _ = writeln!(
        o,
        "  propose: the proposer's terms of the pact it proposed — its value against the proposer's current options (the pacts it is in enter through security, as marginal protection; staying as it is is worth 0)"
    );
    let _ = writeln!(
        o,
        "  accept / decline: an invitee's terms of the pact as proposed (every other invitee in it); utility > 0 favours accepting"
    );
    let _ = writeln!(
        o,
        "  n: steps; p: mean logit probability of the step taken; values are means over the steps"
    );
    let _ = writeln!(o);
    let active = proposal_terms(e);
    let mut head = format!("{:<8} {:<8} {:>6} {:>6} {:>8}", "state", "decision", "n", "p", "utility");
    let widths: Vec<usize> = active.iter().map(|&k| e.names[k].len().max(8)).collect();
    for (&k, &w) in active.iter().zip(&widths) {
        let _ = write!(head, " {:>w$}", e.names[k]);
    }
    let _ = writeln!(o, "{head}");
    for r in &e.roles {
        let mut line = format!(
            "{:<8} {:<8} {:>6} {:>6.3} {:>+8.3}",
            r.state, r.action, r.n, r.probability, r.utility
        );
        for (&k, &w) in active.iter().zip(&widths) {
            let _ = write!(line, " {:>+w$.3}", r.terms[k]);
        }
        let _ = writeln!(o, "{line}");
    }
    let zero: Vec<&str> = (0..e.names.len())
        .filter(|k| !active.contains(k))
        .map(|k| e.names[k].as_str())
        .collect();
    if !zero.is_empty() {
        let _ = writeln!(o, "  (zero throughout: {})", zero.join(", "));
    }
    let _ = writeln!(o);
    let _ = writeln!(
        o,
        "Partners chosen (the proposer's top candidates by its own value of a pact with each, docs/MODEL.md §5b), most frequent first:"
    );
    for (proposer, invitees, n) in e.invitations.iter().take(10) {
        let _ = writeln!(o, "  {proposer} invites {}: {n} proposals", invitees.join(", "));
    }
    if e.invitations.len() > 10 {
        let _ = writeln!(o, "  … {} more sets (every step is in proposal.csv)", e.invitations.len() - 10);
    }
    o
}

/// `proposal.csv`: every step of the proposals explained — replicate, round, label, pact
/// (stable id), decision (propose, accept, decline), state, proposer, probability, utility and
/// each term (as decisions.csv).
pub fn write_proposal_csv(dir: &Path, e: &crate::study::proposal::Explanation) -> Result<(), ReportError> {
    let path = dir.join("proposal.csv");
    let err = super::csv_err(&path);
    let mut w = csv::Writer::from_path(&path).map_err(&err)?;
    let mut head: Vec<String> = [
        "replicate",
        "round",
        "label",
        "pact",
        "decision",
        "state",
        "proposer",
        "probability",
        "utility",
    ]
    .map(String::from)
    .to_vec();
    head.extend(e.names.iter().cloned());
    w.write_record(&head).map_err(&err)?;
    for s in &e.steps {
        let mut rec = vec![
            s.replicate.to_string(),
            s.round.to_string(),
            s.label.clone(),
            s.id.clone(),
            s.action.to_string(),
            s.state.clone(),
            s.proposer.clone(),
            s.probability.to_string(),
            s.utility.to_string(),
        ];
        rec.extend(s.terms.iter().map(f64::to_string));
        w.write_record(&rec).map_err(&err)?;
    }
    w.flush().map_err(io_err(&path))
}
