//! `pactsim query`: joint questions over every replicate's memberships (`outcomes.bin`).
//!
//! The language, parsed by hand (a recursive descent over a handful of tokens):
//!
//! ```text
//! query := expr [ "@" when ]
//! expr  := term { "|" term }          (or)
//! term  := unary { "&" unary }        (and; binds tighter than |)
//! unary := "!" unary | "(" expr ")" | PACT "." STATE
//! when  := LABEL | "round" N | N | "end" | "start"     (default: the end, the last round)
//! ```
//!
//! e.g. `NATO.FIN & NATO.SWE @ 2023-06`, `!PROSPERITY.JOR & ACCORDS.JOR`.

use std::path::{Path, PathBuf};

use crate::report::ReportError;
use crate::report::outcomes::{self, OutcomeFile};
use crate::run;
use crate::scenario::Scenario;

#[derive(Debug, thiserror::Error)]
pub enum QueryError {
    #[error("in `{expr}` at character {at}: {message}")]
    Syntax { expr: String, at: usize, message: String },
    #[error("unknown pact `{id}` in `{expr}`; the pacts are: {valid}")]
    UnknownPact { expr: String, id: String, valid: String },
    #[error("unknown state `{id}` in `{expr}`; the states are: {valid}")]
    UnknownState { expr: String, id: String, valid: String },
    #[error("{}: round `{when}` was not recorded; recorded: {recorded} (run with --outcomes-at {when} or --outcomes-every-round)", path.display())]
    NotRecorded { path: PathBuf, when: String, recorded: String },
    #[error(
        "{} has no outcomes.bin: it was written by an older pactsim or by the live page; run it again with `pactsim run`",
        dir.display()
    )]
    NoOutcomes { dir: PathBuf },
    #[error(
        "in `{expr}`: `{when}` is not a round of {file}: give a label from {first} to {last}, `round N` with N from 0 to {rounds}, `start` or `end`"
    )]
    Round {
        expr: String,
        when: String,
        file: String,
        first: String,
        last: String,
        rounds: u32,
    },
    #[error(transparent)]
    Read(#[from] ReportError),
}

/// A parsed expression over membership atoms (pact index, state index).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expr {
    Member(usize, usize),
    Not(Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
}

impl Expr {
    /// Whether the expression holds where `member(pact, state)` says who is in which pact.
    pub fn eval(&self, member: &impl Fn(usize, usize) -> bool) -> bool {
        match self {
            Expr::Member(p, s) => member(*p, *s),
            Expr::Not(e) => !e.eval(member),
            Expr::And(a, b) => a.eval(member) && b.eval(member),
            Expr::Or(a, b) => a.eval(member) || b.eval(member),
        }
    }
}

/// The answer to a query.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Answer {
    pub expression: String,
    pub round: u32,
    pub label: String,
    /// Replicates in which the expression holds.
    pub count: u64,
    pub runs: u64,
    /// count / runs.
    pub p: f64,
    /// Wilson score 95% interval of the probability.
    pub wilson_low: f64,
    pub wilson_high: f64,
}

/// The round `when` names among `labels` (index = round): a label (`2023-06`), `round N`, a bare
/// round number, `end` (the last) or `start` (round 0).
pub fn resolve_round(when: &str, labels: &[String]) -> Option<u32> {
    let when = when.trim();
    let last = labels.len().checked_sub(1)? as u32;
    if when == "end" {
        return Some(last);
    }
    if let Some(r) = labels.iter().position(|l| l == when) {
        return Some(r as u32);
    }
    let number = when.strip_prefix("round").map_or(when, str::trim);
    number.parse::<u32>().ok().filter(|&r| r <= last)
}

/// Parses `query` over the pacts and states named (by id, in index order): the expression and
/// the text after its `@`, if any (a round to be resolved by the caller, e.g. with
/// [`resolve_round`]).
pub fn parse<'q>(query: &'q str, pacts: &[String], states: &[String]) -> Result<(Expr, Option<&'q str>), QueryError> {
    let (expr_text, when) = match query.find('@') {
        Some(i) => (&query[..i], Some(query[i + 1..].trim())),
        None => (query, None),
    };
    Ok((Parser::new(query, expr_text, pacts, states).parse()?, when))
}

/// Answers `query` over the outcomes.bin of the run directory `dir`.
pub fn answer(dir: &Path, query: &str) -> Result<Answer, QueryError> {
    let path = dir.join(outcomes::FILE);
    if !path.exists() {
        return Err(QueryError::NoOutcomes { dir: dir.to_path_buf() });
    }
    let file = outcomes::read(&path)?;
    answer_in(&file, &path, query)
}

/// Answers `query` over a read outcomes file (`path` names it in errors).
pub fn answer_in(file: &OutcomeFile, path: &Path, query: &str) -> Result<Answer, QueryError> {
    let h = &file.header;
    let (expr_text, when) = match query.find('@') {
        Some(i) => (&query[..i], Some(&query[i + 1..])),
        None => (query, None),
    };
    let expr = Parser::new(query, expr_text, &h.pacts, &h.states).parse()?;
    let recorded = || {
        h.rounds
            .iter()
            .zip(&h.labels)
            .map(|(r, l)| format!("{l} (round {r})"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let j = match when {
        None => h.rounds.len().checked_sub(1),
        Some(w) => {
            let w = w.trim();
            h.labels
                .iter()
                .position(|l| l == w)
                .or_else(|| {
                    let number = w.strip_prefix("round").map_or(w, str::trim);
                    let r: u32 = number.parse().ok()?;
                    h.rounds.iter().position(|&x| x == r)
                })
                .or_else(|| (w == "end").then(|| h.rounds.len().checked_sub(1)).flatten())
        }
    };
    let Some(j) = j else {
        return Err(QueryError::NotRecorded {
            path: path.to_path_buf(),
            when: when.unwrap_or("end").trim().to_string(),
            recorded: if h.rounds.is_empty() { "none".into() } else { recorded() },
        });
    };
    let t = &file.table;
    let count = (0..t.runs).filter(|&i| expr.eval(&|p, s| t.member(i, j, p, s))).count() as u64;
    let (wilson_low, wilson_high) = wilson(count, t.runs);
    Ok(Answer {
        expression: query.trim().to_string(),
        round: h.rounds[j],
        label: h.labels[j].clone(),
        count,
        runs: t.runs,
        p: if t.runs == 0 { 0.0 } else { count as f64 / t.runs as f64 },
        wilson_low,
        wilson_high,
    })
}

/// Answers `queries` over replicates `0..runs` of `sc` with master seed `seed`, simulated here
/// (no outcomes.bin: what the live page asks): each replicate's memberships are kept only at the
/// rounds the queries name (`@ WHEN`, default the end), in batches of `batch` replicates, asking
/// `stop` before each (Ok(None) if it said stop). The same replicates as `pactsim run` with that
/// seed, so the answers are those `pactsim query` gives over its outcomes.bin. `file` names the
/// scenario in errors.
pub fn answer_simulated(
    sc: &Scenario,
    seed: u64,
    runs: u64,
    queries: &[String],
    file: &str,
    batch: u64,
    stop: &(dyn Fn() -> bool + Sync),
) -> Result<Option<Vec<Answer>>, QueryError> {
    let labels: Vec<String> = (0..=sc.rounds).map(|r| sc.calendar.label(r)).collect();
    let pacts: Vec<String> = sc.pacts.iter().map(|p| p.id.clone()).collect();
    let states: Vec<String> = sc.states.iter().map(|s| s.id.clone()).collect();
    let mut asked = Vec::with_capacity(queries.len());
    for q in queries {
        let (expr, when) = parse(q, &pacts, &states)?;
        let round = match when {
            None => sc.rounds,
            Some(w) => resolve_round(w, &labels).ok_or_else(|| QueryError::Round {
                expr: q.trim().to_string(),
                when: w.to_string(),
                file: file.to_string(),
                first: labels.get(1).cloned().unwrap_or_else(|| "start".into()),
                last: labels[labels.len() - 1].clone(),
                rounds: sc.rounds,
            })?,
        };
        asked.push((expr, round));
    }
    let rounds: Vec<u32> = asked.iter().map(|(_, r)| *r).collect();
    let mut counts = vec![0u64; asked.len()];
    let finished = run::outcomes_in_batches(sc, seed, runs, &rounds, batch, stop, &|_| {}, &mut |part| {
        for ((expr, round), count) in asked.iter().zip(&mut counts) {
            let j = part.rounds.binary_search(round).expect("every asked round is recorded");
            *count += (0..part.runs).filter(|&i| expr.eval(&|p, s| part.member(i, j, p, s))).count() as u64;
        }
    });
    if !finished {
        return Ok(None);
    }
    Ok(Some(
        asked
            .iter()
            .zip(queries)
            .zip(counts)
            .map(|(((_, round), q), count)| {
                let (wilson_low, wilson_high) = wilson(count, runs);
                Answer {
                    expression: q.trim().to_string(),
                    round: *round,
                    label: labels[*round as usize].clone(),
                    count,
                    runs,
                    p: if runs == 0 { 0.0 } else { count as f64 / runs as f64 },
                    wilson_low,
                    wilson_high,
                }
            })
            .collect(),
    ))
}

/// The Wilson score 95% interval of `k` successes in `n` trials ((0, 1) when n = 0).
pub fn wilson(k: u64, n: u64) -> (f64, f64) {
    if n == 0 {
        return (0.0, 1.0);
    }
    const Z: f64 = 1.959_963_984_540_054;
    let (n, p) = (n as f64, k as f64 / n as f64);
    let denom = 1.0 + Z * Z / n;
    let centre = (p + Z * Z / (2.0 * n)) / denom;
    let half = Z * (p * (1.0 - p) / n + Z * Z / (4.0 * n * n)).sqrt() / denom;
    // At k = 0 and k = n the bounds are exactly 0 and 1; rounding would leave 1e-17 off.
    let low = if k == 0 { 0.0 } else { (centre - half).max(0.0) };
    let high = if k as f64 == n { 1.0 } else { (centre + half).min(1.0) };
    (low, high)
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Atom(String),
    And,
    Or,
    Not,
    Open,
    Close,
}

struct Parser<'a> {
    query: &'a str,
    toks: Vec<(usize, Tok)>,
    at: usize,
    end: usize,
    pacts: &'a [String],
    states: &'a [String],
}

impl<'a> Parser<'a> {
    fn new(query: &'a str, text: &'a str, pacts: &'a [String], states: &'a [String]) -> Self {
        let mut toks = Vec::new();
        let mut chars = text.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            let tok = match c {
                c if c.is_whitespace() => continue,
                '&' => Tok::And,
                '|' => Tok::Or,
                '!' => Tok::Not,
                '(' => Tok::Open,
                ')' => Tok::Close,
                _ => {
                    let mut atom = c.to_string();
                    while let Some(&(_, c)) = chars.peek() {
                        if c.is_whitespace() || "&|!()".contains(c) {
                            break;
                        }
                        atom.push(c);
                        chars.next();
                    }
                    Tok::Atom(atom)
                }
            };
            toks.push((i + 1, tok));
        }
        Parser {
            query,
            toks,
            at: 0,
            end: text.chars().count() + 1,
            pacts,
            states,
        }
    }

    fn err(&self, message: impl Into<String>) -> QueryError {
        QueryError::Syntax {
            expr: self.query.trim().to_string(),
            at: self.toks.get(self.at).map_or(self.end, |t| t.0),
            message: message.into(),
        }
    }

    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.at).map(|t| &t.1)
    }

    fn parse(mut self) -> Result<Expr, QueryError> {
        if self.toks.is_empty() {
            return Err(self.err("an empty expression: write e.g. NATO.FIN & NATO.SWE"));
        }
        let e = self.or()?;
        match self.peek() {
            None => Ok(e),
            Some(Tok::Close) => Err(self.err("a `)` without its `(`")),
            Some(_) => Err(self.err("expected `&`, `|` or the end here")),
        }
    }

    fn or(&mut self) -> Result<Expr, QueryError> {
        let mut e = self.and()?;
        while self.peek() == Some(&Tok::Or) {
            self.at += 1;
            e = Expr::Or(Box::new(e), Box::new(self.and()?));
        }
        Ok(e)
    }

    fn and(&mut self) -> Result<Expr, QueryError> {
        let mut e = self.unary()?;
        while self.peek() == Some(&Tok::And) {
            self.at += 1;
            e = Expr::And(Box::new(e), Box::new(self.unary()?));
        }
        Ok(e)
    }

    fn unary(&mut self) -> Result<Expr, QueryError> {
        match self.peek().cloned() {
            Some(Tok::Not) => {
                self.at += 1;
                Ok(Expr::Not(Box::new(self.unary()?)))
            }
            Some(Tok::Open) => {
                self.at += 1;
                let e = self.or()?;
                if self.peek() != Some(&Tok::Close) {
                    return Err(self.err("expected `)`"));
                }
                self.at += 1;
                Ok(e)
            }
            Some(Tok::Atom(a)) => {
                let atom = self.atom(&a)?;
                self.at += 1;
                Ok(atom)
            }
            _ => Err(self.err("expected a membership PACT.STATE, `!` or `(`")),
        }
    }

    fn atom(&self, a: &str) -> Result<Expr, QueryError> {
        let Some((pact, state)) = a.split_once('.') else {
            return Err(self.err(format!("`{a}` is not a membership: write PACT.STATE, e.g. NATO.FIN")));
        };
        let p = self.pacts.iter().position(|x| x == pact).ok_or_else(|| QueryError::UnknownPact {
            expr: self.query.trim().to_string(),
            id: pact.to_string(),
            valid: self.pacts.join(", "),
        })?;
        let s = self
            .states
            .iter()
            .position(|x| x == state)
            .ok_or_else(|| QueryError::UnknownState {
                expr: self.query.trim().to_string(),
                id: state.to_string(),
                valid: self.states.join(", "),
            })?;
        Ok(Expr::Member(p, s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    fn parse(q: &str) -> Result<Expr, QueryError> {
        let (p, s) = (ids(&["NATO", "NATO-EOP"]), ids(&["FIN", "SWE"]));
        Parser::new(q, q, &p, &s).parse()
    }

    #[test]
    fn precedence_and_parentheses() {
        use Expr::*;
        let m = |p, s| Box::new(Member(p, s));
        assert_eq!(
            parse("NATO.FIN | NATO.SWE & !NATO-EOP.FIN").unwrap(),
            Or(m(0, 0), Box::new(And(m(0, 1), Box::new(Not(m(1, 0))))))
        );
        assert_eq!(
            parse("(NATO.FIN|NATO.SWE)&NATO.SWE").unwrap(),
            And(Box::new(Or(m(0, 0), m(0, 1))), m(0, 1))
        );
    }

    #[test]
    fn errors_say_where_and_what() {
        let e = parse("NATO.FIN &").unwrap_err().to_string();
        assert!(e.contains("at character 11") && e.contains("expected a membership"), "{e}");
        let e = parse("(NATO.FIN").unwrap_err().to_string();
        assert!(e.contains("expected `)`"), "{e}");
        let e = parse("NATO.FIN)").unwrap_err().to_string();
        assert!(e.contains("without its `(`"), "{e}");
        let e = parse("NATO").unwrap_err().to_string();
        assert!(e.contains("PACT.STATE"), "{e}");
        let e = parse("OTAN.FIN").unwrap_err().to_string();
        assert!(e.contains("unknown pact `OTAN`") && e.contains("NATO, NATO-EOP"), "{e}");
        let e = parse("NATO.NOR").unwrap_err().to_string();
        assert!(e.contains("unknown state `NOR`") && e.contains("FIN, SWE"), "{e}");
        assert!(parse("  ").unwrap_err().to_string().contains("empty"));
    }

    #[test]
    fn wilson_interval() {
        let (lo, hi) = wilson(50, 100);
        assert!((lo - 0.4038).abs() < 1e-4 && (hi - 0.5962).abs() < 1e-4, "{lo} {hi}");
        assert_eq!(wilson(0, 10).0, 0.0);
        assert_eq!(wilson(10, 10).1, 1.0);
    }

    #[test]
    fn rounds_by_label_number_or_end() {
        let labels = ids(&["start", "2021-01", "2021-02"]);
        assert_eq!(resolve_round("2021-02", &labels), Some(2));
        assert_eq!(resolve_round("round 1", &labels), Some(1));
        assert_eq!(resolve_round("1", &labels), Some(1));
        assert_eq!(resolve_round("end", &labels), Some(2));
        assert_eq!(resolve_round("start", &labels), Some(0));
        assert_eq!(resolve_round("3", &labels), None);
        assert_eq!(resolve_round("2021-03", &labels), None);
    }
}
