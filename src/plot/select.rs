//! What the charts and the report show when a world is too big to show everything: which states
//! get a row in a membership map, which pacts get a map, a line in the size chart or a place in
//! the network, which state–pact pairs the join-time chart shows. Pure functions of a
//! [`Summary`], so the charts and `report.html` state the same cuts.
//!
//! The cuts, in one place:
//! - a state–pact pair **moves** when its [`movement`] is at least [`MOVE`] (0.05): P(member)
//!   changes by that much over the run, or it joins, or it ends outside after being in, in at
//!   least 5% of replicates;
//! - a membership map has at most [`MAP_ROWS`] rows: every state ever a member while they fit,
//!   else the states that move most;
//! - a run with more than [`MAP_ALL_PACTS`] pacts gets maps only for the pacts where some state
//!   moves; the others are listed;
//! - the size chart draws the pacts whose size changes (5th, 50th or 95th percentile), one chart
//!   up to [`SIZE_LINES`] of them, else one panel each (at most [`SIZE_PANELS`]);
//! - the network shows every pact up to [`NET_ALL_PACTS`], else the [`NET_PACTS`] with the most
//!   expected members, and at most [`NET_STATES`] states, those with the most expected
//!   memberships; once cut, it draws only ties with P(member) ≥ [`NET_CUT_TIE`];
//! - the join-time chart shows the [`JOIN_ROWS`] pairs most likely to join.

use crate::study::{Membership, PactInfo, Summary};

/// A state–pact pair moves when its [`movement`] is at least this.
pub const MOVE: f64 = 0.05;
/// Rows of a membership map at most.
pub const MAP_ROWS: usize = 40;
/// Runs with at most this many pacts get a membership map for every pact.
pub const MAP_ALL_PACTS: usize = 12;
/// More pacts of changing size than this: one panel per pact.
pub const SIZE_LINES: usize = 6;
/// Panels of the size chart at most.
pub const SIZE_PANELS: usize = 40;
/// Pacts and states in the network at most.
pub const NET_PACTS: usize = 8;
/// A run with at most this many pacts shows them all in the network.
pub const NET_ALL_PACTS: usize = 12;
pub const NET_STATES: usize = 30;
/// In a network cut to [`NET_PACTS`] and [`NET_STATES`], ties below this P(member) are not drawn.
pub const NET_CUT_TIE: f64 = 0.5;
/// Rows of the join-time chart at most.
pub const JOIN_ROWS: usize = 30;
/// Pact sections of the report shown open; the rest are collapsed.
pub const REPORT_OPEN: usize = 4;
/// The report's headline table (states × pacts) is shown open up to these sizes; beyond, a table
/// per pact comes first and the states × pacts table is collapsed.
pub const TABLE_STATES: usize = 40;
pub const TABLE_PACTS: usize = 12;
/// States named per pact in the report's per-pact table (most likely to join, to leave).
pub const TABLE_NAMES: usize = 5;

/// How much a state's membership of a pact moves over the run: the largest of the range of
/// P(member) over rounds, the share of replicates in which it joins, and the share in which it
/// ends outside after having been a member.
pub fn movement(m: &Membership) -> f64 {
    let (lo, hi) = m
        .p_by_round
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &p| (lo.min(p), hi.max(p)));
    let range = if hi >= lo { hi - lo } else { 0.0 };
    range.max(m.p_joined).max(m.p_ever - m.p_final).max(0.0)
}

/// Sum of the changes of P(member) from round to round (breaks ties between equal movements).
pub fn total_variation(m: &Membership) -> f64 {
    m.p_by_round.windows(2).map(|w| (w[1] - w[0]).abs()).sum()
}

fn peak(m: &Membership) -> f64 {
    m.p_by_round.iter().copied().fold(0.0, f64::max)
}

fn low(m: &Membership) -> f64 {
    m.p_by_round.iter().copied().fold(1.0, f64::min)
}

/// Does some state's membership of `pact` move?
pub fn pact_moves(s: &Summary, pact: &str) -> bool {
    s.membership.get(pact).is_some_and(|m| m.values().any(|m| movement(m) >= MOVE))
}

/// The states a membership map leaves out, by kind.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Hidden {
    /// States whose membership moves, but less than every state shown.
    pub moving_less: usize,
    /// Members throughout (P(member) at least 0.5 and moving less than [`MOVE`]).
    pub always: usize,
    /// Never a member in any replicate.
    pub never: usize,
    /// Rarely a member (P(member) below 0.5 and moving less than [`MOVE`]).
    pub rarely: usize,
    /// Never-members by id, when nothing else is hidden (a small world).
    pub never_ids: Vec<String>,
}

impl Hidden {
    pub fn total(&self) -> usize {
        self.moving_less + self.always + self.never + self.rarely
    }
}

/// The rows of a membership map of `pact` (over one run, or several side by side).
#[derive(Debug, Clone, PartialEq)]
pub struct MapRows {
    /// State ids, in the first run's order (the map sorts them).
    pub rows: Vec<String>,
    /// True when the rows are the states that move most (more were ever members than fit).
    pub cut: bool,
    /// States that ever are members (in some run).
    pub ever: usize,
    /// States whose membership moves.
    pub moving: usize,
    pub hidden: Hidden,
    /// Least movement among the rows shown, when cut.
    pub least_shown: f64,
}

impl MapRows {
    /// One line for the chart (and report) saying which states the rows are, if not all.
    pub fn note(&self) -> Option<String> {
        let h = &self.hidden;
        if h.total() == 0 {
            return None;
        }
        if !self.cut {
            let list = if !h.never_ids.is_empty() && h.never_ids.len() <= 6 {
                h.never_ids.join(", ")
            } else {
                format!("{} states", h.never)
            };
            return Some(format!("Never members (not shown): {list}"));
        }
        let mut parts = Vec::new();
        let steady = h.always + h.never + h.rarely;
        if steady > 0 {
            let mut kinds = Vec::new();
            if h.always > 0 {
                kinds.push(format!("{} always members", h.always));
            }
            if h.never > 0 {
                kinds.push(format!("{} never", h.never));
            }
            if h.rarely > 0 {
                kinds.push(format!("{} rarely (P < 0.5)", h.rarely));
            }
            parts.push(format!(
                "{steady} states with constant membership (moving < {MOVE}) not shown: {}",
                kinds.join(", ")
            ));
        }
        if h.moving_less > 0 {
            let (noun, verb) = if h.moving_less == 1 {
                ("state", "moves")
            } else {
                ("states", "move")
            };
            parts.push(format!(
                "{} more {noun} {verb} less than those shown (each by at most {:.2})",
                h.moving_less, self.least_shown
            ));
        }
        Some(parts.join("; "))
    }

    /// How the rows were chosen, when cut.
    pub fn rule(&self) -> Option<String> {
        self.cut.then(|| {
            format!(
                "Rows: the {} of {} states whose membership moves most (largest change in P(member) over the run, or share of replicates joining or leaving)",
                self.rows.len(),
                self.moving
            )
        })
    }
}

/// A state's membership of a pact over one or more runs (the largest, or for `low` the lowest).
struct Stats {
    movement: f64,
    variation: f64,
    peak: f64,
    low: f64,
}

/// Which states get a row in a map of `pact`: every state that is ever a member while there are
/// at most [`MAP_ROWS`]; otherwise the states that move (movement ≥ [`MOVE`], the largest over
/// the runs), the [`MAP_ROWS`] that move most. Rows come in the order of the runs' states.
pub fn map_rows(runs: &[&Summary], pact: &str) -> MapRows {
    let mut ids: Vec<&str> = Vec::new();
    for s in runs {
        for st in &s.states {
            if !ids.contains(&st.id.as_str()) {
                ids.push(&st.id);
            }
        }
    }
    let stats = |id: &str| -> Stats {
        let mut out = Stats {
            movement: 0.0,
            variation: 0.0,
            peak: 0.0,
            low: 1.0,
        };
        let mut any = false;
        for s in runs {
            if let Some(m) = s.get(pact, id) {
                any = true;
                out.movement = out.movement.max(movement(m));
                out.variation = out.variation.max(total_variation(m));
                out.peak = out.peak.max(peak(m));
                out.low = out.low.min(low(m));
            }
        }
        if !any {
            out.low = 0.0;
        }
        out
    };
    let all: Vec<(&str, Stats)> = ids.iter().map(|&id| (id, stats(id))).collect();
    let ever: Vec<&str> = all.iter().filter(|(_, st)| st.peak > 0.0).map(|(id, _)| *id).collect();
    let moving = all.iter().filter(|(_, st)| st.movement >= MOVE).count();
    let mut hidden = Hidden::default();
    if ever.len() <= MAP_ROWS {
        // Nobody is ever a member: show every state (all at zero), if they fit.
        let rows: Vec<String> = if ever.is_empty() {
            if ids.len() <= MAP_ROWS {
                ids.iter().map(|s| s.to_string()).collect()
            } else {
                hidden.never = ids.len();
                Vec::new()
            }
        } else {
            ever.iter().map(|s| s.to_string()).collect()
        };
        if !ever.is_empty() {
            hidden.never_ids = all.iter().filter(|(_, st)| st.peak <= 0.0).map(|(id, _)| id.to_string()).collect();
            hidden.never = hidden.never_ids.len();
        }
        return MapRows {
            rows,
            cut: false,
            ever: ever.len(),
            moving,
            hidden,
            least_shown: 0.0,
        };
    }
    let mut movers: Vec<&(&str, Stats)> = all.iter().filter(|(_, st)| st.movement >= MOVE).collect();
    movers.sort_by(|a, b| {
        b.1.movement
            .total_cmp(&a.1.movement)
            .then(b.1.variation.total_cmp(&a.1.variation))
            .then(a.0.cmp(b.0))
    });
    hidden.moving_less = movers.len().saturating_sub(MAP_ROWS);
    movers.truncate(MAP_ROWS);
    let least_shown = movers.last().map(|m| m.1.movement).unwrap_or(0.0);
    for (_, st) in all.iter().filter(|(_, st)| st.movement < MOVE) {
        if st.peak <= 0.0 {
            hidden.never += 1;
        } else if st.low >= 0.5 {
            hidden.always += 1;
        } else {
            hidden.rarely += 1;
        }
    }
    let keep: std::collections::HashSet<&str> = movers.iter().map(|m| m.0).collect();
    MapRows {
        rows: ids.iter().filter(|id| keep.contains(*id)).map(|s| s.to_string()).collect(),
        cut: true,
        ever: ever.len(),
        moving,
        hidden,
        least_shown,
    }
}

/// Which pacts get a membership map: all of them in a run of at most [`MAP_ALL_PACTS`] pacts,
/// else those where some state moves. Returns (with a map, without), as pact indices.
pub fn map_pacts(s: &Summary) -> (Vec<usize>, Vec<usize>) {
    if s.pacts.len() <= MAP_ALL_PACTS {
        return ((0..s.pacts.len()).collect(), Vec::new());
    }
    (0..s.pacts.len()).partition(|&j| pact_moves(s, &s.pacts[j].id))
}

/// The order of pact sections in the report: pacts where membership moves first, each group in
/// the scenario's order; the first [`REPORT_OPEN`] are shown open.
pub fn report_order(s: &Summary) -> Vec<usize> {
    let (mut moving, constant): (Vec<usize>, Vec<usize>) = (0..s.pacts.len()).partition(|&j| pact_moves(s, &s.pacts[j].id));
    moving.extend(constant);
    moving
}

/// Does the pact's size change over the run (its 5th, 50th or 95th percentile)?
pub fn size_changes(p: &PactInfo) -> bool {
    let varies = |v: &[usize]| v.windows(2).any(|w| w[0] != w[1]);
    varies(&p.size_median) || varies(&p.size_p05) || varies(&p.size_p95)
}

fn size_change(p: &PactInfo) -> usize {
    let span = |v: &[usize]| v.iter().max().copied().unwrap_or(0) - v.iter().min().copied().unwrap_or(0);
    span(&p.size_median) * 4 + span(&p.size_p95) + span(&p.size_p05)
}

/// What the size chart draws.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SizeSelection {
    /// Pacts drawn (indices, scenario order).
    pub drawn: Vec<usize>,
    /// Pacts of constant size, not drawn.
    pub constant: Vec<usize>,
    /// Pacts whose size changes but that did not fit ([`SIZE_PANELS`]): the ones changing least.
    pub dropped: Vec<usize>,
    /// One panel per pact rather than one chart.
    pub panels: bool,
}

/// The pacts whose size changes (all of them when none does); one panel each beyond
/// [`SIZE_LINES`], the [`SIZE_PANELS`] that change most.
pub fn size_pacts(s: &Summary) -> SizeSelection {
    let (mut drawn, constant): (Vec<usize>, Vec<usize>) = (0..s.pacts.len()).partition(|&j| size_changes(&s.pacts[j]));
    if drawn.is_empty() {
        return SizeSelection {
            drawn: constant,
            constant: Vec::new(),
            dropped: Vec::new(),
            panels: false,
        };
    }
    let mut dropped = Vec::new();
    if drawn.len() > SIZE_PANELS {
        let mut by_change = drawn.clone();
        by_change.sort_by_key(|&j| (std::cmp::Reverse(size_change(&s.pacts[j])), j));
        dropped = by_change.split_off(SIZE_PANELS);
        dropped.sort_unstable();
        drawn.retain(|j| !dropped.contains(j));
    }
    SizeSelection {
        panels: drawn.len() > SIZE_LINES,
        drawn,
        constant,
        dropped,
    }
}

/// What the network shows.
#[derive(Debug, Clone, PartialEq)]
pub struct NetworkSelection {
    /// Pact and state indices shown, in the scenario's order.
    pub pacts: Vec<usize>,
    pub states: Vec<usize>,
}

impl NetworkSelection {
    /// One line saying what is left out, if anything.
    pub fn note(&self, s: &Summary) -> Option<String> {
        let (np, ns) = (s.pacts.len(), s.states.len());
        if self.pacts.len() == np && self.states.len() == ns {
            return None;
        }
        let mut parts = Vec::new();
        if self.pacts.len() < np {
            parts.push(format!("the {} of {np} pacts with the most expected members", self.pacts.len()));
        } else {
            parts.push("every pact".to_string());
        }
        if self.states.len() < ns {
            parts.push(format!(
                "the {} of {ns} states with the most expected memberships in them (mean P(member) over the rounds shown); ties to other states not drawn",
                self.states.len()
            ));
        }
        Some(format!(
            "Shown: {}; only ties with P(member) ≥ {NET_CUT_TIE} are drawn",
            parts.join(" and ")
        ))
    }

    /// The weakest tie drawn: every tie in a full network, only likely memberships in a cut one
    /// (with dozens of pacts and states, faint ties turn the chart into a hairball).
    pub fn min_tie(&self, s: &Summary) -> f64 {
        if self.pacts.len() == s.pacts.len() && self.states.len() == s.states.len() {
            0.01
        } else {
            NET_CUT_TIE
        }
    }
}

/// The pacts with the largest membership mass (expected members, averaged over `rounds`), at
/// most [`NET_PACTS`]; then the states with the largest mass in those pacts, at most
/// [`NET_STATES`]. States never a member of a shown pact are left out only when cutting.
pub fn network(s: &Summary, rounds: &[usize]) -> NetworkSelection {
    let n_r = rounds.len().max(1) as f64;
    let mass = |p: &str, st: &str| -> f64 {
        s.get(p, st)
            .map(|m| rounds.iter().map(|&r| m.p_by_round.get(r).copied().unwrap_or(0.0)).sum::<f64>() / n_r)
            .unwrap_or(0.0)
    };
    let mut pacts: Vec<usize> = (0..s.pacts.len()).collect();
    if pacts.len() > NET_ALL_PACTS {
        let pm: Vec<f64> = s
            .pacts
            .iter()
            .map(|p| s.states.iter().map(|st| mass(&p.id, &st.id)).sum())
            .collect();
        pacts.sort_by(|&a, &b| pm[b].total_cmp(&pm[a]).then(a.cmp(&b)));
        pacts.truncate(NET_PACTS);
        pacts.sort_unstable();
    }
    let mut states: Vec<usize> = (0..s.states.len()).collect();
    if states.len() > NET_STATES {
        let sm: Vec<f64> = s
            .states
            .iter()
            .map(|st| pacts.iter().map(|&j| mass(&s.pacts[j].id, &st.id)).sum())
            .collect();
        states.sort_by(|&a, &b| sm[b].total_cmp(&sm[a]).then(a.cmp(&b)));
        states.truncate(NET_STATES);
        states.sort_unstable();
    }
    NetworkSelection { pacts, states }
}

/// What the join-time chart shows.
#[derive(Debug, Clone, PartialEq)]
pub struct JoinSelection {
    /// (pact, state) indices of the pairs shown, grouped by pact in the scenario's order.
    pub pairs: Vec<(usize, usize)>,
    /// Pairs that join in some replicate.
    pub total: usize,
    /// Lowest share of replicates joining among the pairs shown.
    pub least_shown: f64,
}

impl JoinSelection {
    pub fn dropped(&self) -> usize {
        self.total - self.pairs.len()
    }

    pub fn note(&self) -> Option<String> {
        (self.dropped() > 0).then(|| {
            format!(
                "the {} of {} joining state–pact pairs most likely to join (in ≥ {:.0}% of replicates); {} rarer pairs not shown",
                self.pairs.len(),
                self.total,
                100.0 * self.least_shown,
                self.dropped()
            )
        })
    }
}

/// The state–pact pairs that join in some replicate (not founders), the [`JOIN_ROWS`] most
/// likely to, grouped by pact.
pub fn joins(s: &Summary) -> JoinSelection {
    let mut all: Vec<(usize, usize, f64)> = Vec::new();
    for (j, p) in s.pacts.iter().enumerate() {
        for (i, st) in s.states.iter().enumerate() {
            if let Some(m) = s.get(&p.id, &st.id)
                && m.p_joined > 0.0
            {
                all.push((j, i, m.p_joined));
            }
        }
    }
    let total = all.len();
    if all.len() > JOIN_ROWS {
        all.sort_by(|a, b| b.2.total_cmp(&a.2).then((a.0, a.1).cmp(&(b.0, b.1))));
        all.truncate(JOIN_ROWS);
        all.sort_by_key(|a| (a.0, a.1));
    }
    let least_shown = all.iter().map(|a| a.2).fold(1.0, f64::min);
    JoinSelection {
        pairs: all.iter().map(|a| (a.0, a.1)).collect(),
        total,
        least_shown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn m(p: &[f64], joined: f64) -> Membership {
        Membership {
            p_final: *p.last().unwrap(),
            p_by_round: p.to_vec(),
            join_round_median: None,
            p_ever: p.iter().copied().fold(0.0, f64::max),
            p_joined: joined,
            accession_lag_median: None,
            actions: BTreeMap::new(),
        }
    }

    #[test]
    fn movement_counts_range_joins_and_exits() {
        assert_eq!(movement(&m(&[1.0, 1.0, 1.0], 0.0)), 0.0);
        assert_eq!(movement(&m(&[0.0, 0.0], 0.0)), 0.0);
        assert!((movement(&m(&[0.0, 0.5, 0.75], 0.75)) - 0.75).abs() < 1e-12);
        // Joins and leaves at different times in different replicates: a flat-ish line that moves.
        let mut churn = m(&[0.0, 0.02, 0.02, 0.0], 0.3);
        assert!((movement(&churn) - 0.3).abs() < 1e-12);
        churn.p_joined = 0.0;
        churn.p_ever = 0.2;
        assert!((movement(&churn) - 0.2).abs() < 1e-12);
    }

    #[test]
    fn sizes_that_change() {
        let p = |median: Vec<usize>| PactInfo {
            id: "P".into(),
            name: String::new(),
            binding: 1.0,
            issue: "security".into(),
            admission: "open".into(),
            p_formed: 1.0,
            min_members: 1,
            formed_round_median: None,
            p_ended: 0.0,
            p_ended_by_round: vec![0.0; median.len()],
            end_round_median: None,
            end_round_p05: None,
            end_round_p95: None,
            p_dissolved: 0.0,
            size_p05: median.clone(),
            size_p95: median.clone(),
            size_median: median,
        };
        assert!(!size_changes(&p(vec![3, 3, 3])));
        assert!(size_changes(&p(vec![3, 4, 4])));
        let mut q = p(vec![3, 3]);
        q.size_p95 = vec![3, 5];
        assert!(size_changes(&q));
    }
}
