//! Aggregates over replicates as exact integer counts. Two tallies of adjacent replicate ranges
//! merge (by adding counts) into exactly the tally of the whole range, whatever the order, the
//! thread count or the machine: this is what lets a run be split into shards and merged.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::model::{Action, Decision, World};
use crate::scenario::Scenario;

/// How many kinds of action a tally counts per state and pact ([`Action::ALL`]).
pub const ACTIONS: usize = Action::ALL.len();

/// Counts over replicates `first..first + runs`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    pub rounds: usize,
    pub pacts: usize,
    pub states: usize,
    pub first: u64,
    pub runs: u64,
    /// Replicates in which the state is a member after round r: `[(r·P + p)·N + s]`, r = 0..=R.
    pub member: Vec<u64>,
    /// Replicates in which the state is a member at any round: `[p·N + s]`.
    pub ever: Vec<u64>,
    /// Replicates in which the state is a founding member (member at round 0): `[p·N + s]`.
    pub founding: Vec<u64>,
    /// First round of membership of a non-founder: `[(p·N + s)·(R+1) + r]`.
    pub join_round: Vec<u64>,
    /// Rounds from first application to first membership, for states that applied and got in:
    /// `[(p·N + s)·(R+1) + lag]`.
    pub accession_lag: Vec<u64>,
    /// First round a state applied to the pact, whether or not it got in: `[(p·N + s)·(R+1) + r]`.
    pub apply_round: Vec<u64>,
    /// Number of members after round r: `[(r·P + p)·(N+1) + size]`.
    pub size: Vec<u64>,
    /// First round at which the pact had at least `min_members` members: `[p·(R+2) + r]`,
    /// with r = R+1 for "never formed".
    pub formed: Vec<u64>,
    /// First round at which the pact ended because its membership fell below `min_members`
    /// (docs/MODEL.md §5a): `[p·(R+2) + r]`, with r = R+1 for "never ended".
    pub ended: Vec<u64>,
    /// First round at which a `dissolve` event ended the pact while it was active:
    /// `[p·(R+2) + r]`, with r = R+1 for "never dissolved".
    pub dissolved: Vec<u64>,
    /// How often each action was taken: `[(p·N + s)·A + action]`, A = [`ACTIONS`], actions in
    /// [`Action::ALL`] order (`end`: released from a pact that ended).
    pub actions: Vec<u64>,
    /// Sum over replicates of public support after round r in millionths (rounded), `[r·N + s]`:
    /// an integer, so shards add up exactly.
    pub support_micro: Vec<u64>,
    /// Per template: replicates in which it formed at least one pact (docs/MODEL.md §5b).
    /// Empty without templates (and then left out of a saved tally).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub template_formed: Vec<u64>,
    /// Per template and round: its pacts alive after round r, summed over replicates,
    /// `[t·(R+1) + r]`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub template_alive: Vec<u64>,
    /// The pacts templates formed, by stable id ([`crate::scenario::Scenario::formed_id`]).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub formed_pacts: BTreeMap<String, FormedTally>,
    /// Per kind of template ([`TemplateKind`](crate::scenario::TemplateKind): informal, issue,
    /// binding), round and count: replicates with that many pacts of the kind alive after round r,
    /// `[(k·(R+1) + r)·(S+1) + count]`, S = every template's slots together (the most that can be
    /// alive). Empty without templates (and then left out of a saved tally).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub kind_alive: Vec<u64>,
}

/// How many kinds of template a tally counts ([`crate::scenario::TemplateKind::NAMES`]).
pub const KINDS: usize = crate::scenario::TemplateKind::NAMES.len();

/// The counts of one formed pact (one stable id: a template and its founders) over replicates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormedTally {
    /// The template, by index.
    pub template: u16,
    /// The founders' ids, in alphabetical order.
    pub founders: Vec<String>,
    /// The state it is aimed at, when its template aims each pact at its proposer's worst threat.
    pub rival: Option<String>,
    /// Replicates in which it formed (at least once).
    pub replicates: u64,
    /// The round it first formed in: `[r]`, r = 1..=R.
    pub formed_round: Vec<u64>,
    /// The round it first ended in (its membership fell below `min_members`), among replicates
    /// in which it formed: `[r]`, r = R+1 for "never".
    pub ended_round: Vec<u64>,
    /// Replicates in which it was alive (formed and not ended) after round r: `[r]`, r = 0..=R.
    pub alive: Vec<u64>,
    /// Its number of members after round r, summed over the replicates in which it was alive.
    pub size_sum: Vec<u64>,
    /// Per state that was ever a member: replicates in which it was a member after round r.
    pub members: BTreeMap<String, Vec<u64>>,
}

impl FormedTally {
    fn new(template: u16, founders: Vec<String>, rival: Option<String>, rounds: usize) -> Self {
        FormedTally {
            template,
            founders,
            rival,
            replicates: 0,
            formed_round: vec![0; rounds + 1],
            ended_round: vec![0; rounds + 2],
            alive: vec![0; rounds + 1],
            size_sum: vec![0; rounds + 1],
            members: BTreeMap::new(),
        }
    }

    fn merge(&mut self, other: &FormedTally) -> Result<(), MergeError> {
        if self.template != other.template
            || self.founders != other.founders
            || self.rival != other.rival
            || self.alive.len() != other.alive.len()
            || self.ended_round.len() != other.ended_round.len()
        {
            return Err(MergeError::Shape);
        }
        self.replicates += other.replicates;
        for (a, b) in [
            (&mut self.formed_round, &other.formed_round),
            (&mut self.ended_round, &other.ended_round),
            (&mut self.alive, &other.alive),
            (&mut self.size_sum, &other.size_sum),
        ] {
            a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
        }
        for (state, counts) in &other.members {
            let mine = self.members.entry(state.clone()).or_insert_with(|| vec![0; counts.len()]);
            if mine.len() != counts.len() {
                return Err(MergeError::Shape);
            }
            mine.iter_mut().zip(counts).for_each(|(x, y)| *x += y);
        }
        Ok(())
    }
}

impl Tally {
    pub fn new(scenario: &Scenario, first: u64) -> Self {
        let (r, p, n) = (scenario.rounds as usize, scenario.n_pacts(), scenario.n_states());
        Tally {
            rounds: r,
            pacts: p,
            states: n,
            first,
            runs: 0,
            member: vec![0; (r + 1) * p * n],
            ever: vec![0; p * n],
            founding: vec![0; p * n],
            join_round: vec![0; p * n * (r + 1)],
            accession_lag: vec![0; p * n * (r + 1)],
            apply_round: vec![0; p * n * (r + 1)],
            size: vec![0; (r + 1) * p * (n + 1)],
            formed: vec![0; p * (r + 2)],
            ended: vec![0; p * (r + 2)],
            dissolved: vec![0; p * (r + 2)],
            actions: vec![0; p * n * ACTIONS],
            support_micro: vec![0; (r + 1) * n],
            template_formed: vec![0; scenario.templates.len()],
            template_alive: vec![0; scenario.templates.len() * (r + 1)],
            formed_pacts: BTreeMap::new(),
            kind_alive: if scenario.templates.is_empty() {
                Vec::new()
            } else {
                vec![0; KINDS * (r + 1) * (total_slots(scenario) + 1)]
            },
        }
    }

    /// Adds the tally of the replicates that directly follow this one's.
    pub fn merge(&mut self, other: &Tally) -> Result<(), MergeError> {
        if (self.rounds, self.pacts, self.states) != (other.rounds, other.pacts, other.states) || self.lengths() != other.lengths() {
            return Err(MergeError::Shape);
        }
        if self.runs > 0 && other.runs > 0 && other.first != self.first + self.runs {
            return Err(MergeError::NotAdjacent {
                expected: self.first + self.runs,
                found: other.first,
            });
        }
        if self.runs == 0 {
            self.first = other.first;
        }
        self.runs += other.runs;
        for (a, b) in [
            (&mut self.member, &other.member),
            (&mut self.ever, &other.ever),
            (&mut self.founding, &other.founding),
            (&mut self.apply_round, &other.apply_round),
            (&mut self.join_round, &other.join_round),
            (&mut self.accession_lag, &other.accession_lag),
            (&mut self.size, &other.size),
            (&mut self.formed, &other.formed),
            (&mut self.ended, &other.ended),
            (&mut self.dissolved, &other.dissolved),
            (&mut self.actions, &other.actions),
            (&mut self.support_micro, &other.support_micro),
            (&mut self.template_formed, &other.template_formed),
            (&mut self.template_alive, &other.template_alive),
            (&mut self.kind_alive, &other.kind_alive),
        ] {
            a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
        }
        for (id, f) in &other.formed_pacts {
            match self.formed_pacts.get_mut(id) {
                Some(mine) => mine.merge(f)?,
                None => {
                    self.formed_pacts.insert(id.clone(), f.clone());
                }
            }
        }
        Ok(())
    }

    /// The length of every table, in [`Tally::merge`]'s order: two tallies whose shapes agree
    /// but whose tables do not (one written by a version that counted other things) cannot merge.
    fn lengths(&self) -> [usize; 15] {
        [
            self.member.len(),
            self.ever.len(),
            self.founding.len(),
            self.apply_round.len(),
            self.join_round.len(),
            self.accession_lag.len(),
            self.size.len(),
            self.formed.len(),
            self.ended.len(),
            self.dissolved.len(),
            self.actions.len(),
            self.support_micro.len(),
            self.template_formed.len(),
            self.template_alive.len(),
            self.kind_alive.len(),
        ]
    }

    pub fn pair(&self, p: usize, s: usize) -> usize {
        p * self.states + s
    }

    /// Fraction of replicates with the state a member after round r.
    pub fn p_member(&self, r: usize, p: usize, s: usize) -> f64 {
        self.frac(self.member[(r * self.pacts + p) * self.states + s])
    }

    pub fn frac(&self, count: u64) -> f64 {
        if self.runs == 0 { 0.0 } else { count as f64 / self.runs as f64 }
    }

    /// Histogram of first join rounds of a non-founder (index = round).
    pub fn join_hist(&self, p: usize, s: usize) -> &[u64] {
        let k = self.pair(p, s) * (self.rounds + 1);
        &self.join_round[k..k + self.rounds + 1]
    }

    pub fn lag_hist(&self, p: usize, s: usize) -> &[u64] {
        let k = self.pair(p, s) * (self.rounds + 1);
        &self.accession_lag[k..k + self.rounds + 1]
    }

    /// First application rounds of the state to the pact (index = round).
    pub fn apply_hist(&self, p: usize, s: usize) -> &[u64] {
        let k = self.pair(p, s) * (self.rounds + 1);
        &self.apply_round[k..k + self.rounds + 1]
    }

    pub fn size_hist(&self, r: usize, p: usize) -> &[u64] {
        let k = (r * self.pacts + p) * (self.states + 1);
        &self.size[k..k + self.states + 1]
    }

    /// Histogram of the round a pact first formed; the last bin counts "never".
    pub fn formed_hist(&self, p: usize) -> &[u64] {
        let k = p * (self.rounds + 2);
        &self.formed[k..k + self.rounds + 2]
    }

    /// Histogram of the round a pact first ended because its membership fell below
    /// `min_members`; the last bin counts "never".
    pub fn ended_hist(&self, p: usize) -> &[u64] {
        let k = p * (self.rounds + 2);
        &self.ended[k..k + self.rounds + 2]
    }

    /// Histogram of the round a `dissolve` event first ended the pact; the last bin counts "never".
    pub fn dissolved_hist(&self, p: usize) -> &[u64] {
        let k = p * (self.rounds + 2);
        &self.dissolved[k..k + self.rounds + 2]
    }

    /// The most pacts of templates that can be alive at once: the width of [`Tally::kind_hist`]
    /// less one (0 without templates).
    pub fn kind_slots(&self) -> usize {
        (self.kind_alive.len() / (KINDS * (self.rounds + 1))).saturating_sub(1)
    }

    /// Histogram of the number of pacts of template kind `k` alive after round r (index = count);
    /// empty without templates.
    pub fn kind_hist(&self, k: usize, r: usize) -> &[u64] {
        let w = self.kind_slots() + 1;
        if self.kind_alive.is_empty() {
            return &[];
        }
        let at = (k * (self.rounds + 1) + r) * w;
        &self.kind_alive[at..at + w]
    }

    /// Mean public support of a state after round r.
    pub fn mean_support(&self, r: usize, s: usize) -> f64 {
        self.frac(self.support_micro[r * self.states + s]) / 1e6
    }

    pub fn action_count(&self, p: usize, s: usize, a: Action) -> u64 {
        self.actions[self.pair(p, s) * ACTIONS + a.index()]
    }

    /// Records one finished replicate, given what it left after each round and the world at the end.
    pub(crate) fn record(&mut self, hist: &super::History, world: &World, decisions: &[Decision], min_members: &[u32]) {
        let (p_n, n, r_n) = (self.pacts, self.states, self.rounds);
        self.runs += 1;
        for (total, v) in self.support_micro.iter_mut().zip(&hist.support) {
            *total += micro(*v);
        }
        // The membership history is laid out as `member` is, `[(r·P + p)·N + s]`: one pass adds
        // it, pact sizes and first rounds of membership (`rounds + 1` when never) come with it.
        let never = (r_n + 1) as u32;
        let mut first = vec![never; p_n * n];
        let mut formed = vec![r_n + 1; p_n];
        for (r, snapshot) in hist.memberships().enumerate() {
            let counts = &mut self.member[r * p_n * n..(r + 1) * p_n * n];
            for ((count, &m), first) in counts.iter_mut().zip(snapshot).zip(first.iter_mut()) {
                *count += u64::from(m);
                *first = (*first).min(if m { r as u32 } else { never });
            }
            for p in 0..p_n {
                let size: usize = snapshot[p * n..(p + 1) * n].iter().map(|&m| usize::from(m)).sum();
                self.size[(r * p_n + p) * (n + 1) + size] += 1;
                if size >= min_members[p] as usize && formed[p] > r {
                    formed[p] = r;
                }
            }
        }
        let founders = hist.memberships().next().unwrap_or_default();
        for (k, &first) in first.iter().enumerate() {
            let applied = world.first_apply[k] as usize;
            if applied > 0 {
                self.apply_round[k * (r_n + 1) + applied] += 1;
            }
            if first == never {
                continue;
            }
            self.ever[k] += 1;
            if founders[k] {
                self.founding[k] += 1;
            } else {
                let r = first as usize;
                self.join_round[k * (r_n + 1) + r] += 1;
                if applied > 0 && applied <= r {
                    self.accession_lag[k * (r_n + 1) + (r - applied)] += 1;
                }
            }
        }
        for (p, formed) in formed.iter_mut().enumerate() {
            let pact = crate::scenario::PactId(p as u16);
            let ended = world.ended_at(pact).map_or(r_n + 1, |r| r as usize);
            // A pact that ended had formed, at the latest in the round it ended (it may have
            // reached `min_members` and fallen below it within that round, between snapshots).
            *formed = (*formed).min(ended);
            self.formed[p * (r_n + 2) + *formed] += 1;
            self.ended[p * (r_n + 2) + ended] += 1;
            let dissolved = world.dissolved_at(pact).map_or(r_n + 1, |r| r as usize);
            self.dissolved[p * (r_n + 2) + dissolved] += 1;
        }
        for d in decisions {
            self.actions[(d.pact.index() * n + d.state.index()) * ACTIONS + d.action.index()] += 1;
        }
        if !world.formations().is_empty() {
            self.record_formations(hist, world);
        }
        if !self.kind_alive.is_empty() {
            self.record_kinds(world);
        }
    }

    /// Adds, per template kind and round, the number of the kind's pacts alive in one replicate
    /// (alive as [`Tally::record_formations`] counts it: after rounds formed..ended).
    fn record_kinds(&mut self, world: &World) {
        let r_n = self.rounds;
        let w = self.kind_slots() + 1;
        let mut counts = vec![0usize; KINDS * (r_n + 1)];
        for f in world.formations() {
            let k = world.scenario.templates[usize::from(f.template)].kind as usize;
            let ended = if f.ended > 0 { f.ended as usize } else { r_n + 1 };
            for count in &mut counts[k * (r_n + 1) + f.formed as usize..k * (r_n + 1) + ended.min(r_n + 1)] {
                *count += 1;
            }
        }
        for (i, &c) in counts.iter().enumerate() {
            self.kind_alive[i * w + c.min(w - 1)] += 1;
        }
    }

    /// Adds the pacts templates formed in one replicate, by stable id: whether and when each
    /// first formed and ended, and its members after each round it was alive.
    fn record_formations(&mut self, hist: &super::History, world: &World) {
        let scenario = world.scenario;
        let (p_n, n, r_n) = (self.pacts, self.states, self.rounds);
        // (first formed, first ended or R+1) per stable id in this replicate.
        let mut firsts: BTreeMap<String, (u16, usize, usize)> = BTreeMap::new();
        let mut templates = vec![false; self.template_formed.len()];
        for f in world.formations() {
            let id = scenario.formed_id(f.slot, &f.founders);
            let ended = if f.ended > 0 { f.ended as usize } else { r_n + 1 };
            let first = firsts.entry(id.clone()).or_insert((f.template, f.formed as usize, r_n + 1));
            first.1 = first.1.min(f.formed as usize);
            first.2 = first.2.min(ended);
            templates[usize::from(f.template)] = true;
            let tally = self.formed_pacts.entry(id).or_insert_with(|| {
                let mut founders: Vec<String> = f.founders.iter().map(|&s| scenario.state(s).id.clone()).collect();
                founders.sort_unstable();
                let template = &scenario.templates[usize::from(f.template)];
                let rival = (template.rival_rule == crate::scenario::RivalRule::WorstThreat)
                    .then(|| scenario.pact(f.slot).rivals.first().map(|&r| scenario.state(r).id.clone()))
                    .flatten();
                FormedTally::new(f.template, founders, rival, r_n)
            });
            // Alive after rounds formed..ended: formed at the end of its round, gone in the round it
            // ended. A stable id is never alive twice at once (its founders are in one of its
            // template's pacts at a time), so each round counts once per replicate.
            for r in (f.formed as usize)..ended.min(r_n + 1) {
                let row = &hist.membership[(r * p_n + f.slot.index()) * n..(r * p_n + f.slot.index() + 1) * n];
                let size = row.iter().filter(|&&m| m).count();
                tally.alive[r] += 1;
                tally.size_sum[r] += size as u64;
                self.template_alive[usize::from(f.template) * (r_n + 1) + r] += 1;
                for (s, _) in row.iter().enumerate().filter(|(_, m)| **m) {
                    let counts = tally
                        .members
                        .entry(scenario.states[s].id.clone())
                        .or_insert_with(|| vec![0; r_n + 1]);
                    counts[r] += 1;
                }
            }
        }
        for (id, (_, formed, ended)) in firsts {
            let tally = self.formed_pacts.get_mut(&id).expect("entered above");
            tally.replicates += 1;
            tally.formed_round[formed] += 1;
            tally.ended_round[ended] += 1;
        }
        for (count, formed) in self.template_formed.iter_mut().zip(templates) {
            *count += u64::from(formed);
        }
    }
}

/// Every template's slots together: the most pacts of templates that can be alive at once.
fn total_slots(scenario: &Scenario) -> usize {
    scenario
        .templates
        .iter()
        .flat_map(|t| &t.groups)
        .map(|g| usize::from(g.count))
        .sum()
}

/// `(v · 10⁶).round() as u64`, without a call to the C library's `round` (the hot spot of
/// recording a replicate): for x ≥ 0 the integer part t is exact and so is x − t, and rounding
/// half away from zero adds 1 when x − t ≥ ½. Negative, NaN and huge values saturate as `as`
/// does. `tests` compares the two.
fn micro(v: f64) -> u64 {
    let x = v * 1e6;
    let t = x as u64;
    if x - t as f64 >= 0.5 { t.saturating_add(1) } else { t }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum MergeError {
    #[error("the tallies come from scenarios of different shapes (rounds, pacts or states differ)")]
    Shape,
    #[error("the tallies are not adjacent: expected replicates from {expected}, found {found} (a shard is missing or given twice)")]
    NotAdjacent { expected: u64, found: u64 },
    #[error("nothing to merge")]
    Empty,
}

/// Median of a histogram (index = value): the mean of the two middle values when the count is
/// even. `None` for an empty histogram.
pub fn median(hist: &[u64]) -> Option<f64> {
    let total: u64 = hist.iter().sum();
    if total == 0 {
        return None;
    }
    let lo = quantile_rank(hist, total.div_ceil(2))?;
    let hi = if total.is_multiple_of(2) {
        quantile_rank(hist, total / 2 + 1)?
    } else {
        lo
    };
    Some((lo + hi) as f64 / 2.0)
}

/// The value at 1-based rank `rank` in a histogram.
fn quantile_rank(hist: &[u64], rank: u64) -> Option<usize> {
    let mut seen = 0;
    for (v, &c) in hist.iter().enumerate() {
        seen += c;
        if seen >= rank {
            return Some(v);
        }
    }
    None
}

/// The q-quantile of a histogram as the smallest value whose cumulative share reaches q
/// (inverted empirical CDF). `None` for an empty histogram.
pub fn quantile(hist: &[u64], q: f64) -> Option<usize> {
    let total: u64 = hist.iter().sum();
    if total == 0 {
        return None;
    }
    let rank = ((q * total as f64).ceil() as u64).clamp(1, total);
    quantile_rank(hist, rank)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn micro_rounds_as_round_does() {
        let mut values = vec![
            0.0,
            -0.0,
            1.0,
            0.5e-6,
            0.4999999999999999e-6,
            0.25,
            0.1234565,
            0.1234575,
            1.0 - 1e-17,
            -1e-9,
            -3.0,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            1e13,
            1e14 + 0.5,
            2e19,
        ];
        // Every half-millionth and its neighbours, and a spread of others.
        for k in 0..2_000_001u64 {
            let x = k as f64 * 0.5e-6;
            values.extend([x, f64::from_bits(x.to_bits() + 1), f64::from_bits(x.to_bits().saturating_sub(1))]);
        }
        for (i, v) in values.iter().enumerate() {
            assert_eq!(micro(*v), (v * 1e6).round() as u64, "value {i}: {v:e}");
        }
    }

    #[test]
    fn medians_from_counts() {
        assert_eq!(median(&[0, 1, 0, 1]), Some(2.0));
        assert_eq!(median(&[0, 2, 1]), Some(1.0));
        assert_eq!(median(&[0, 0]), None);
        assert_eq!(quantile(&[1, 1, 1, 1], 0.5), Some(1));
        assert_eq!(quantile(&[1, 1, 1, 1], 0.95), Some(3));
        assert_eq!(quantile(&[1, 1, 1, 1], 0.05), Some(0));
    }
}
