//! `story`: one replicate told in dated lines (`story.txt`) and as a table (`story.csv`), one
//! row per line of the chronicle.

use std::fmt::Write as _;
use std::path::Path;

use serde::Serialize;

use super::{ReportError, io_err};
use crate::run::story::{How, Pick, PickHow, Story, ThreatNote, Voter, What};

/// One line of the chronicle.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Line {
    pub round: u32,
    /// The round's label (its date where the scenario has dates).
    pub date: String,
    pub kind: &'static str,
    /// The state it is about (the applicant, for a vote), by id; empty for none.
    pub state: String,
    /// The pact it is about, by id; empty for none.
    pub pact: String,
    /// What the line says after its subject: the figures behind it.
    pub detail: String,
    /// The whole sentence, without the date.
    pub text: String,
}

/// `a`, `a and b`, `a, b and c`.
fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// `n month(s)` in the scenario's round unit.
fn span(n: u32, unit: &str) -> String {
    format!("{n} {unit}{}", if n == 1 { "" } else { "s" })
}

fn threat_text(story: &Story, t: &ThreatNote) -> String {
    let from = story.state_name(&t.from);
    match &t.since_label {
        Some(since) if t.change.abs() >= 0.005 => format!("threat from {from} {:+.2} since {since}", t.change),
        _ => format!("threat from {from} {:.2}", t.value),
    }
}

fn voters(story: &Story, v: &[Voter]) -> Vec<String> {
    v.iter()
        .map(|v| {
            let name = story.state_name(&v.state);
            if v.votes > 1 {
                format!("{name} ×{}", v.votes)
            } else {
                name.to_string()
            }
        })
        .collect()
}

fn voter_ids(v: &[Voter]) -> String {
    v.iter()
        .map(|v| {
            if v.votes > 1 {
                format!("{}×{}", v.state, v.votes)
            } else {
                v.state.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn event_name<'a>(story: &'a Story, id: &'a str) -> &'a str {
    story.events.iter().find(|e| e.id == id).map_or(id, |e| e.name.as_str())
}

/// The story's chronicle, one line per entry, in order.
pub fn lines(story: &Story) -> Vec<Line> {
    let unit = story.round_unit.as_str();
    let names = |ids: &[String]| -> Vec<String> { ids.iter().map(|s| story.state_name(s).to_string()).collect() };
    story
        .entries
        .iter()
        .map(|e| {
            let (detail, text) = match &e.what {
                What::Event { name, .. } => (name.clone(), format!("Event: {name}")),
                What::Found { pact, founders, .. } => {
                    let who = and_list(&names(founders));
                    (
                        format!("founders {}", founders.join(" ")),
                        format!("{pact} founded: {who} become members"),
                    )
                }
                What::Dissolve { pact, event, released } => {
                    let detail = format!("by event {}; released {}", event_name(story, event), released.join(" "));
                    let text = if released.is_empty() {
                        format!("{pact} dissolved")
                    } else {
                        format!("{pact} dissolved: {} released", and_list(&names(released)))
                    };
                    (detail, text)
                }
                What::End {
                    pact,
                    min_members,
                    released,
                } => (
                    format!("fewer than {min_members} members; released {}", released.join(" ")),
                    format!(
                        "{pact} ends: its members fell below {min_members}{}",
                        if released.is_empty() {
                            String::new()
                        } else {
                            format!(" ({} released)", and_list(&names(released)))
                        }
                    ),
                ),
                What::Apply {
                    state,
                    pact,
                    threat,
                    support,
                } => {
                    let mut why = Vec::new();
                    if let Some(t) = threat {
                        why.push(threat_text(story, t));
                    }
                    if let Some(s) = support {
                        why.push(format!("public support {:.2}, threshold {:.2}", s.value, s.threshold));
                    }
                    let detail = why.join("; ");
                    let text = if detail.is_empty() {
                        format!("{} applies to {pact}", story.state_name(state))
                    } else {
                        format!("{} applies to {pact} ({detail})", story.state_name(state))
                    };
                    (detail, text)
                }
                What::Vote {
                    pact,
                    applicant,
                    held_by,
                    admitted_by,
                    ratified,
                    of,
                    admitted,
                } => {
                    let holders = voters(story, held_by);
                    let verb = if holders.len() == 1 && held_by[0].votes == 1 {
                        "holds"
                    } else {
                        "hold"
                    };
                    let state = if *admitted {
                        "admitted all the same".to_string()
                    } else {
                        format!("{ratified} of {of} have ratified")
                    };
                    let mut detail = format!("held by {}", voter_ids(held_by));
                    if !admitted_by.is_empty() {
                        let _ = write!(detail, "; ratified this round by {}", voter_ids(admitted_by));
                    }
                    let _ = write!(detail, "; {ratified} of {of} ratified");
                    (
                        detail,
                        format!(
                            "{} {verb} {}'s application to {pact} ({state})",
                            and_list(&holders),
                            story.state_name(applicant)
                        ),
                    )
                }
                What::Join {
                    state,
                    pact,
                    how,
                    event,
                    applied,
                    applied_label,
                } => {
                    let who = story.state_name(state);
                    let detail = match how {
                        How::Admitted => match (applied, applied_label) {
                            (Some(a), Some(l)) if *a < e.round => format!("applied {l}, {} before", span(e.round - a, unit)),
                            (Some(_), Some(l)) => format!("applied {l} and admitted the same {unit}"),
                            _ => "admitted".to_string(),
                        },
                        How::Open => "open to all".to_string(),
                        How::Event => format!("put in by event: {}", event_name(story, event.as_deref().unwrap_or(""))),
                        How::Unrecorded => "not in the decision log".to_string(),
                    };
                    (detail.clone(), format!("{who} joins {pact} ({detail})"))
                }
                What::Leave { state, pact, event } => {
                    let who = story.state_name(state);
                    match event {
                        Some(ev) => {
                            let detail = format!("put out by event: {}", event_name(story, ev));
                            (detail.clone(), format!("{who} leaves {pact} ({detail})"))
                        }
                        None => (String::new(), format!("{who} leaves {pact}")),
                    }
                }
            };
            Line {
                round: e.round,
                date: e.label.clone(),
                kind: e.what.kind(),
                state: e.what.state().unwrap_or("").to_string(),
                pact: e.what.pact().unwrap_or("").to_string(),
                detail,
                text,
            }
        })
        .collect()
}

/// Why a replicate was picked, in one sentence.
pub fn pick_sentence(pick: &Pick, seed: u64) -> String {
    match &pick.how {
        PickHow::Typical {
            distance,
            median_distance,
            tied,
            cells,
        } => {
            let ties = if *tied > 1 {
                format!("; {tied} replicates tie, the lowest is taken")
            } else {
                String::new()
            };
            let when = match (&pick.label, pick.round) {
                (Some(l), Some(r)) => format!("at {l} (round {r})"),
                _ => "after every round".to_string(),
            };
            let over = if pick.round.is_some() { "" } else { "rounds and " };
            format!(
                "Picked as typical: of {} replicates (seed {seed}), the one whose memberships {when} are closest to the run's probabilities: the sum over {over}the {cells} pact-state pairs of |member - P(member)| is {distance:.3} (median over the replicates {median_distance:.3}{ties}).",
                pick.runs
            )
        }
        PickHow::Where { expression, count } => format!(
            "Picked as the first of {} replicates (seed {seed}) in which `{}` holds at {} (round {}); it holds in {count} of them.",
            pick.runs,
            expression.split('@').next().unwrap_or("").trim(),
            pick.label.as_deref().unwrap_or("the end"),
            pick.round.map_or_else(|| "last".to_string(), |r| r.to_string())
        ),
    }
}

/// Each pact's size, with who joined (+) and left (-) between the start and the end (at most
/// `most` of them named per pact, the rest counted).
fn sizes_line(story: &Story, at_end: bool, most: usize) -> Vec<String> {
    if story.pacts.is_empty() {
        return vec!["no pacts".to_string()];
    }
    story
        .pacts
        .iter()
        .enumerate()
        .map(|(p, pact)| {
            let (start, end) = (&story.start_members[p], &story.end_members[p]);
            let now = if at_end { end } else { start };
            let mut s = format!("{} {}", pact.id, now.len());
            if at_end {
                let mut moves: Vec<String> = end
                    .iter()
                    .filter(|x| !start.contains(x))
                    .map(|x| format!("+{}", story.state_name(x)))
                    .collect();
                moves.extend(
                    start
                        .iter()
                        .filter(|x| !end.contains(x))
                        .map(|x| format!("-{}", story.state_name(x))),
                );
                if moves.len() > most {
                    let more = moves.len() - most;
                    moves.truncate(most);
                    moves.push(format!("{more} more"));
                }
                if !moves.is_empty() {
                    let _ = write!(s, " ({})", moves.join(", "));
                }
            }
            s
        })
        .collect()
}

/// The head of story.txt: what was replayed and, if it was picked, why.
pub fn heading(story: &Story, pick: Option<&Pick>) -> String {
    let mut o = String::new();
    let last = story.label(story.rounds);
    let span = if story.has_dates {
        format!("{} rounds, {} to {last}", story.rounds, story.label(1.min(story.rounds)))
    } else {
        format!("{} rounds", story.rounds)
    };
    let _ = writeln!(o, "{}: replicate {} (seed {}), {span}", story.scenario, story.replicate, story.seed);
    if let Some(p) = pick {
        let _ = writeln!(o, "{}", pick_sentence(p, story.seed));
    }
    o
}

/// story.txt: the heading, the pacts, the members at the start, the dated lines and the members
/// at the end.
pub fn text(story: &Story, pick: Option<&Pick>) -> String {
    let mut o = heading(story, pick);
    if !story.pacts.is_empty() {
        let pacts: Vec<String> = story
            .pacts
            .iter()
            .map(|p| {
                if p.name.is_empty() || p.name == p.id {
                    p.id.clone()
                } else {
                    format!("{} ({})", p.id, p.name)
                }
            })
            .collect();
        let _ = writeln!(o, "Pacts: {}", pacts.join("; "));
    }
    let _ = writeln!(o, "Members at the start: {}", sizes_line(story, false, 0).join("; "));
    let _ = writeln!(o);
    let lines = lines(story);
    let width = lines.iter().map(|l| l.date.chars().count()).max().unwrap_or(0);
    for l in &lines {
        let _ = writeln!(o, "{:<width$}  {}", l.date, l.text);
    }
    if lines.is_empty() {
        let _ = writeln!(o, "Nothing happened: no event, application, vote, join or leave.");
    }
    let _ = writeln!(o);
    let _ = writeln!(o, "{}", end_line(story, usize::MAX));
    o
}

/// Each pact's members at the end, with who joined (+) and left (-) since the start: at most
/// `most` named per pact.
pub fn end_line(story: &Story, most: usize) -> String {
    format!(
        "Members at the end ({}): {}",
        story.label(story.rounds),
        sizes_line(story, true, most).join("; ")
    )
}

/// Writes story.txt and story.csv (round, date, kind, state, pact, detail) into `dir`.
pub fn write(dir: &Path, story: &Story, pick: Option<&Pick>) -> Result<(), ReportError> {
    let txt = dir.join("story.txt");
    std::fs::write(&txt, text(story, pick)).map_err(io_err(&txt))?;
    let path = dir.join("story.csv");
    let err = |source| ReportError::Csv {
        path: path.clone(),
        source,
    };
    let mut w = csv::Writer::from_path(&path).map_err(err)?;
    w.write_record(["round", "date", "kind", "state", "pact", "detail"]).map_err(err)?;
    for l in lines(story) {
        w.write_record([&l.round.to_string(), &l.date, l.kind, &l.state, &l.pact, &l.detail])
            .map_err(err)?;
    }
    w.flush().map_err(io_err(&path))
}
