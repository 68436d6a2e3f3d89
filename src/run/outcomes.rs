//! Every replicate's memberships at chosen rounds, one bit per (pact, state): the table behind
//! joint questions ("Finland and Sweden both in NATO by 2023-06") that marginal counts cannot
//! answer. Rows are kept in replicate order, so tables of adjacent replicate ranges concatenate
//! into exactly the table of the whole range, whatever the thread count.

use super::{History, MergeError};

/// Membership bits of replicates `first..first + runs` at the recorded `rounds`.
///
/// Layout: for each replicate in order, for each recorded round in order, one row of
/// [`Outcomes::row_bytes`] bytes; bit `k = p·N + s` of a row is byte `k / 8`, bit `k % 8`
/// (least significant first), set when state `s` is a member of pact `p` after that round.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcomes {
    /// Recorded rounds, ascending, without repeats (0 = before round 1).
    pub rounds: Vec<u32>,
    pub pacts: usize,
    pub states: usize,
    pub first: u64,
    pub runs: u64,
    pub bits: Vec<u8>,
}

impl Outcomes {
    pub fn new(rounds: &[u32], pacts: usize, states: usize, first: u64) -> Self {
        let mut rounds = rounds.to_vec();
        rounds.sort_unstable();
        rounds.dedup();
        Outcomes {
            rounds,
            pacts,
            states,
            first,
            runs: 0,
            bits: Vec::new(),
        }
    }

    /// Bytes of one (replicate, round) row: ⌈P·N / 8⌉.
    pub fn row_bytes(&self) -> usize {
        (self.pacts * self.states).div_ceil(8)
    }

    /// Bytes of one replicate: a row per recorded round.
    pub fn replicate_bytes(&self) -> usize {
        self.row_bytes() * self.rounds.len()
    }

    /// Appends the rows of one finished replicate (the next one in order).
    pub(crate) fn record(&mut self, hist: &History) {
        self.runs += 1;
        if self.rounds.is_empty() {
            return;
        }
        let pairs = self.pacts * self.states;
        let row = self.row_bytes();
        for &r in &self.rounds {
            let start = self.bits.len();
            self.bits.resize(start + row, 0);
            let snapshot = &hist.membership[r as usize * pairs..(r as usize + 1) * pairs];
            for (k, _) in snapshot.iter().enumerate().filter(|(_, m)| **m) {
                self.bits[start + k / 8] |= 1 << (k % 8);
            }
        }
    }

    /// Whether state `s` is in pact `p` in the `i`-th replicate of the table (0-based, from
    /// `first`) at the `j`-th recorded round.
    pub fn member(&self, i: u64, j: usize, p: usize, s: usize) -> bool {
        let k = p * self.states + s;
        let at = i as usize * self.replicate_bytes() + j * self.row_bytes() + k / 8;
        self.bits[at] & (1 << (k % 8)) != 0
    }

    /// Appends the table of the replicates that directly follow this one's.
    pub fn append(&mut self, other: &Outcomes) -> Result<(), MergeError> {
        if (&self.rounds, self.pacts, self.states) != (&other.rounds, other.pacts, other.states) {
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
        self.bits.extend_from_slice(&other.bits);
        Ok(())
    }
}
