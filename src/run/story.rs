//! One replicate's story: replicate K of a run replayed exactly as the run plays it (the same
//! generator on the replicate's stream, the same seeded world from the scenario's [`Timeline`],
//! the same rounds: the path of [`super::play_replicate`]), recording what happened in it round
//! by round — the scenario's events, pacts founded, dissolved or ended, applications with the
//! threat and public support behind them, admission votes in which members held an applicant,
//! joins and leaves — and each pact's size after every round.
//!
//! Nothing here changes how a replicate is played: the story reads the world after each round
//! and the round's decision log (the log `pactsim run` writes to decisions.csv), and the
//! scenario's events. A membership the log and the events do not account for (none should be) is
//! still told, as "unrecorded", so the story's memberships are always the replicate's.
//!
//! Also how to pick a replicate from a run's per-replicate outcomes ([`Outcomes`]):
//! [`pick_typical`] (closest to the median outcome) and [`first_where`].

use std::collections::HashMap;

use serde::Serialize;

use super::{Outcomes, replicate_rng};
use crate::model::terms::threat_from;
use crate::model::{Action, Decision, Timeline, World};
use crate::scenario::{Change, Event, PactId, Scenario, StateId};

/// An id and a display name.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Named {
    pub id: String,
    pub name: String,
}

/// A scheduled event of the scenario: it applies before `round` is played.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EventInfo {
    pub round: u32,
    pub id: String,
    pub name: String,
    pub label: String,
}

/// One replicate, told.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Story {
    pub scenario: String,
    pub seed: u64,
    pub replicate: u64,
    pub rounds: u32,
    pub round_unit: String,
    pub has_dates: bool,
    /// The label of each round, 0 (`start`) to `rounds`.
    pub labels: Vec<String>,
    pub states: Vec<Named>,
    pub pacts: Vec<Named>,
    pub events: Vec<EventInfo>,
    /// What happened, in the order it happened.
    pub entries: Vec<Entry>,
    /// Members of each pact after each round: `sizes[p][r]`, r = 0 (the start) to `rounds`.
    pub sizes: Vec<Vec<u32>>,
    /// Whether each pact was active (founded, not ended nor dissolved) after each round,
    /// `active[p][r]`.
    pub active: Vec<Vec<bool>>,
    /// The members of each pact at the start, by id, in id order.
    pub start_members: Vec<Vec<String>>,
    /// The members of each pact after the last round, by id, in id order.
    pub end_members: Vec<Vec<String>>,
}

/// Something that happened in a round (after the events before it, or during it).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Entry {
    pub round: u32,
    pub label: String,
    #[serde(flatten)]
    pub what: What,
}

/// How a state came to be a member.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum How {
    /// Its application was accepted by the members' votes.
    Admitted,
    /// It joined a pact open to all.
    Open,
    /// An event of the scenario put it in (`force_join`).
    Event,
    /// Neither the decision log nor the events account for it (should not happen).
    Unrecorded,
}

/// The strongest threat a state faced when it applied.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ThreatNote {
    /// The state the threat comes from, by id.
    pub from: String,
    /// Threat from it (docs/MODEL.md §2: hostile intent × proximity × relative capability, 0..1).
    pub value: f64,
    /// Change since the start.
    pub change: f64,
    /// The last round an event changed it (None: never).
    pub since: Option<u32>,
    pub since_label: Option<String>,
}

/// Public support for joining, where it gates the application (a democracy and a binding pact).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SupportNote {
    pub value: f64,
    pub threshold: f64,
}

/// Votes of one member on one application in one round.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Voter {
    pub state: String,
    /// How many of its constituents voted so (1 unless it is an aggregate).
    pub votes: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum What {
    /// A scheduled event (shock) of the scenario, applied before the round was played.
    Event { event: String, name: String },
    /// A `found` event opened the pact with its founders as members.
    Found {
        pact: String,
        event: String,
        founders: Vec<String>,
    },
    /// A `dissolve` event closed the pact and released its members.
    Dissolve {
        pact: String,
        event: String,
        released: Vec<String>,
    },
    /// The pact ended: once formed, its members fell below `min_members` (docs/MODEL.md §5a).
    End {
        pact: String,
        min_members: u32,
        released: Vec<String>,
    },
    /// A state applied to a pact whose members must admit it.
    Apply {
        state: String,
        pact: String,
        threat: Option<ThreatNote>,
        support: Option<SupportNote>,
    },
    /// Members took up an application and at least one held it (voted no this round).
    Vote {
        pact: String,
        applicant: String,
        held_by: Vec<Voter>,
        admitted_by: Vec<Voter>,
        /// Ratifications after the round (constituents), and how many there are.
        ratified: u32,
        of: u32,
        /// Whether the applicant was admitted in this round.
        admitted: bool,
    },
    /// A state became a member.
    Join {
        state: String,
        pact: String,
        how: How,
        /// The event that put it in (how = event).
        event: Option<String>,
        /// The round it applied (how = admitted).
        applied: Option<u32>,
        applied_label: Option<String>,
    },
    /// A state left a pact by its own choice, or was put out by an event (`force_leave`).
    Leave {
        state: String,
        pact: String,
        event: Option<String>,
    },
}

impl What {
    /// The kind, as written in story.csv and the JSON.
    pub fn kind(&self) -> &'static str {
        match self {
            What::Event { .. } => "event",
            What::Found { .. } => "found",
            What::Dissolve { .. } => "dissolve",
            What::End { .. } => "end",
            What::Apply { .. } => "apply",
            What::Vote { .. } => "vote",
            What::Join { .. } => "join",
            What::Leave { .. } => "leave",
        }
    }

    /// The state the entry is about (the applicant, for a vote), if any.
    pub fn state(&self) -> Option<&str> {
        match self {
            What::Apply { state, .. } | What::Join { state, .. } | What::Leave { state, .. } => Some(state),
            What::Vote { applicant, .. } => Some(applicant),
            _ => None,
        }
    }

    /// The pact the entry is about, if any.
    pub fn pact(&self) -> Option<&str> {
        match self {
            What::Event { .. } => None,
            What::Found { pact, .. }
            | What::Dissolve { pact, .. }
            | What::End { pact, .. }
            | What::Apply { pact, .. }
            | What::Vote { pact, .. }
            | What::Join { pact, .. }
            | What::Leave { pact, .. } => Some(pact),
        }
    }
}

impl Story {
    /// Whether state `state` is a member of pact `pact` (ids) at the end.
    pub fn member_at_end(&self, pact: &str, state: &str) -> bool {
        self.pacts
            .iter()
            .position(|p| p.id == pact)
            .is_some_and(|p| self.end_members[p].iter().any(|s| s == state))
    }

    /// The display name of a state id (the id if it has none).
    pub fn state_name<'a>(&'a self, id: &'a str) -> &'a str {
        self.states.iter().find(|s| s.id == id).map_or(id, |s| s.name.as_str())
    }

    /// The label of a round.
    pub fn label(&self, round: u32) -> &str {
        self.labels.get(round as usize).map_or("", String::as_str)
    }
}

/// Replays replicate `replicate` of a run of `sc` with master seed `seed` and tells it.
pub fn story(sc: &Scenario, seed: u64, replicate: u64) -> Story {
    let timeline = Timeline::new(sc);
    let mut rng = replicate_rng(seed, replicate);
    let mut world = World::seeded_from(&timeline, &mut rng);
    let mut teller = Teller::new(sc, &world);
    let mut log: Vec<Decision> = Vec::new();
    for r in 1..=sc.rounds {
        let before = members(&world);
        let active = world.active.clone();
        log.clear();
        world.play_round(&mut rng, &mut log);
        teller.round(r, &world, before, active, &log);
    }
    Story {
        scenario: sc.name.clone(),
        seed,
        replicate,
        rounds: sc.rounds,
        round_unit: sc.calendar.unit.name().to_string(),
        has_dates: sc.calendar.start.is_some(),
        labels: (0..=sc.rounds).map(|r| sc.calendar.label(r)).collect(),
        states: sc
            .states
            .iter()
            .map(|s| Named {
                id: s.id.clone(),
                name: s.name.clone(),
            })
            .collect(),
        pacts: sc
            .pacts
            .iter()
            .map(|p| Named {
                id: p.id.clone(),
                name: p.name.clone(),
            })
            .collect(),
        events: sc
            .events
            .iter()
            .map(|e| EventInfo {
                round: e.round,
                id: e.id.clone(),
                name: e.name.clone(),
                label: sc.calendar.label(e.round),
            })
            .collect(),
        entries: teller.entries,
        sizes: teller.sizes,
        active: teller.active,
        start_members: teller.start_members,
        end_members: member_ids(sc, &world),
    }
}

/// Membership of every (pact, state), `[p·N + s]`.
fn members(w: &World) -> Vec<bool> {
    let sc = w.scenario;
    sc.pact_ids()
        .flat_map(|p| sc.state_ids().map(move |s| (p, s)))
        .map(|(p, s)| w.is_member(s, p))
        .collect()
}

fn member_ids(sc: &Scenario, w: &World) -> Vec<Vec<String>> {
    sc.pact_ids()
        .map(|p| w.members(p).map(|s| sc.state(s).id.clone()).collect())
        .collect()
}

/// Threat between every pair of states, `[to·N + from]`.
fn threats(w: &World) -> Vec<f64> {
    let sc = w.scenario;
    sc.state_ids()
        .flat_map(|to| sc.state_ids().map(move |from| (to, from)))
        .map(|(to, from)| threat_from(w, to, from))
        .collect()
}

/// The admission votes of a round ([`Teller::votes`]).
struct Votes<'l> {
    /// Each application voted on, with its ballots, in the order of the first.
    votes: Vec<((PactId, StateId), Vec<&'l Decision>)>,
    /// The index in the log of each application's first ballot → its index in `votes`.
    first_vote: HashMap<usize, usize>,
    /// Who was admitted this round, by pact × state.
    admitted_now: Vec<bool>,
}

/// What the story keeps between rounds.
struct Teller<'s> {
    sc: &'s Scenario,
    n: usize,
    entries: Vec<Entry>,
    sizes: Vec<Vec<u32>>,
    active: Vec<Vec<bool>>,
    start_members: Vec<Vec<String>>,
    /// Threat between states at the start, now, and the last round an event changed it. Threat
    /// moves only with hostility and capability, which only events change: it is read again
    /// after each round that has events.
    threat_start: Vec<f64>,
    threat_now: Vec<f64>,
    threat_since: Vec<u32>,
    /// Pending applications: the round each (pact, state) applied, `[p·N + s]` (0: none).
    applied: Vec<u32>,
}

impl<'s> Teller<'s> {
    fn new(sc: &'s Scenario, w: &World<'s>) -> Self {
        let threat = threats(w);
        Teller {
            sc,
            n: sc.n_states(),
            entries: Vec::new(),
            sizes: sc.pact_ids().map(|p| vec![w.size(p) as u32]).collect(),
            active: sc.pact_ids().map(|p| vec![w.active[p.index()]]).collect(),
            start_members: member_ids(sc, w),
            threat_since: vec![0; threat.len()],
            threat_now: threat.clone(),
            threat_start: threat,
            applied: vec![0; sc.n_pacts() * sc.n_states()],
        }
    }

    fn push(&mut self, round: u32, what: What) {
        self.entries.push(Entry {
            round,
            label: self.sc.calendar.label(round),
            what,
        });
    }

    fn sid(&self, s: StateId) -> String {
        self.sc.state(s).id.clone()
    }

    fn pid(&self, p: PactId) -> String {
        self.sc.pact(p).id.clone()
    }

    /// Tells round `r`: `w` is the world after it, `before` and `active` the memberships and
    /// active pacts before it, `log` its decisions in the order they were taken.
    fn round(&mut self, r: u32, w: &World<'s>, before: Vec<bool>, mut active: Vec<bool>, log: &[Decision]) {
        let mut shadow = before;
        let events: Vec<_> = self.sc.events.iter().filter(|e| e.round == r).collect();
        self.note_threats(r, w, &events);
        self.tell_events(r, &events, &mut shadow, &mut active);
        let votes = self.votes(log, &shadow);
        self.tell_log(r, w, log, &votes, &mut shadow, &mut active);
        self.tell_unrecorded(r, w, &shadow);
        self.record_sizes(w);
    }

    /// When events apply this round, the threats as they stand after them (and since when).
    fn note_threats(&mut self, r: u32, w: &World<'s>, events: &[&Event]) {
        if !events.is_empty() {
            let now = threats(w);
            for (k, (old, new)) in self.threat_now.iter().zip(&now).enumerate() {
                if old != new {
                    self.threat_since[k] = r;
                }
            }
            self.threat_now = now;
        }
    }

    /// Tells the round's events, which apply first, in order, as the model applies them; `shadow`
    /// (the memberships as told so far) and `active` follow them.
    fn tell_events(&mut self, r: u32, events: &[&Event], shadow: &mut [bool], active: &mut [bool]) {
        let sc = self.sc;
        let n = self.n;
        for &e in events {
            self.push(
                r,
                What::Event {
                    event: e.id.clone(),
                    name: e.name.clone(),
                },
            );
            for change in &e.changes {
                match *change {
                    Change::Found { pact } => {
                        active[pact.index()] = true;
                        for &s in &sc.pact(pact).founders {
                            shadow[pact.index() * n + s.index()] = true;
                            self.applied[pact.index() * n + s.index()] = 0;
                        }
                        let founders = sc.pact(pact).founders.iter().map(|&s| self.sid(s)).collect();
                        let what = What::Found {
                            pact: self.pid(pact),
                            event: e.id.clone(),
                            founders,
                        };
                        self.push(r, what);
                    }
                    Change::Dissolve { pact } => {
                        let released: Vec<String> = sc
                            .state_ids()
                            .filter(|s| shadow[pact.index() * n + s.index()])
                            .map(|s| self.sid(s))
                            .collect();
                        let was_active = active[pact.index()];
                        for s in 0..n {
                            shadow[pact.index() * n + s] = false;
                            self.applied[pact.index() * n + s] = 0;
                        }
                        active[pact.index()] = false;
                        if was_active || !released.is_empty() {
                            let what = What::Dissolve {
                                pact: self.pid(pact),
                                event: e.id.clone(),
                                released,
                            };
                            self.push(r, what);
                        }
                    }
                    Change::ForceJoin { state, pact } => {
                        let k = pact.index() * n + state.index();
                        if active[pact.index()] && !shadow[k] {
                            shadow[k] = true;
                            self.applied[k] = 0;
                            let what = What::Join {
                                state: self.sid(state),
                                pact: self.pid(pact),
                                how: How::Event,
                                event: Some(e.id.clone()),
                                applied: None,
                                applied_label: None,
                            };
                            self.push(r, what);
                        }
                    }
                    Change::ForceLeave { state, pact } => {
                        let k = pact.index() * n + state.index();
                        self.applied[k] = 0;
                        if shadow[k] {
                            shadow[k] = false;
                            let what = What::Leave {
                                state: self.sid(state),
                                pact: self.pid(pact),
                                event: Some(e.id.clone()),
                            };
                            self.push(r, what);
                        }
                    }
                    _ => {}
                }
            }
        }
    }

    /// The votes of the round, by application, in the order they were first cast; and who
    /// was admitted (a member of the voting body only from the next round).
    fn votes<'l>(&self, log: &'l [Decision], shadow: &[bool]) -> Votes<'l> {
        let n = self.n;
        let mut votes: Vec<((PactId, StateId), Vec<&Decision>)> = Vec::new();
        let mut first_vote: HashMap<usize, usize> = HashMap::new();
        let mut admitted_now = vec![false; shadow.len()];
        let mut applied_now = vec![false; shadow.len()];
        for (i, d) in log.iter().enumerate() {
            let k = d.pact.index() * n + d.state.index();
            match d.action {
                Action::Apply => applied_now[k] = true,
                Action::Admit | Action::Hold => {
                    let Some(a) = d.applicant else { continue };
                    match votes.iter().position(|(key, _)| *key == (d.pact, a)) {
                        Some(j) => votes[j].1.push(d),
                        None => {
                            first_vote.insert(i, votes.len());
                            votes.push(((d.pact, a), vec![d]));
                        }
                    }
                }
                Action::Join if self.applied[k] > 0 || applied_now[k] => admitted_now[k] = true,
                _ => {}
            }
        }
        Votes {
            votes,
            first_vote,
            admitted_now,
        }
    }

    /// Tells the decisions of the round's log, in order; `shadow` and `active` follow them.
    fn tell_log(&mut self, r: u32, w: &World<'s>, log: &[Decision], votes: &Votes, shadow: &mut [bool], active: &mut [bool]) {
        let sc = self.sc;
        let n = self.n;
        let Votes {
            votes,
            first_vote,
            admitted_now,
        } = votes;
        let mut i = 0;
        while i < log.len() {
            let d = &log[i];
            let k = d.pact.index() * n + d.state.index();
            match d.action {
                Action::Apply => {
                    self.applied[k] = r;
                    let what = What::Apply {
                        state: self.sid(d.state),
                        pact: self.pid(d.pact),
                        threat: self.threat_note(d.state),
                        support: self.support_note(w, d.state, d.pact),
                    };
                    self.push(r, what);
                }
                Action::Join => {
                    shadow[k] = true;
                    let applied = std::mem::take(&mut self.applied[k]);
                    let how = if applied > 0 { How::Admitted } else { How::Open };
                    let what = What::Join {
                        state: self.sid(d.state),
                        pact: self.pid(d.pact),
                        how,
                        event: None,
                        applied: (applied > 0).then_some(applied),
                        applied_label: (applied > 0).then(|| sc.calendar.label(applied)),
                    };
                    self.push(r, what);
                }
                Action::Leave => {
                    shadow[k] = false;
                    self.applied[k] = 0;
                    let what = What::Leave {
                        state: self.sid(d.state),
                        pact: self.pid(d.pact),
                        event: None,
                    };
                    self.push(r, what);
                }
                Action::End => {
                    // One entry for the members released together.
                    let p = d.pact;
                    let mut released = Vec::new();
                    while i < log.len() && log[i].action == Action::End && log[i].pact == p {
                        released.push(self.sid(log[i].state));
                        shadow[p.index() * n + log[i].state.index()] = false;
                        i += 1;
                    }
                    for s in 0..n {
                        self.applied[p.index() * n + s] = 0;
                    }
                    active[p.index()] = false;
                    let what = What::End {
                        pact: self.pid(p),
                        min_members: sc.pact(p).min_members,
                        released,
                    };
                    self.push(r, what);
                    continue;
                }
                Action::Propose => {
                    // A proposal that formed a pact is told as its founding (the answers are in
                    // decisions.csv); one that did not is left out.
                    // (The last proposal of the round for a slot is the one that formed it: once
                    // formed, the slot is taken.)
                    let later = log[i + 1..].iter().any(|e| e.action == Action::Propose && e.pact == d.pact);
                    if let Some(f) = w.formations().iter().find(|f| !later && f.formed == r && f.slot == d.pact) {
                        active[d.pact.index()] = true;
                        for &s in f.founders.iter() {
                            shadow[d.pact.index() * n + s.index()] = true;
                        }
                        let what = What::Found {
                            pact: sc.formed_id(f.slot, &f.founders),
                            event: format!("proposal by {}", self.sid(d.state)),
                            founders: f.founders.iter().map(|&s| self.sid(s)).collect(),
                        };
                        self.push(r, what);
                    }
                }
                Action::Accept | Action::Decline => {}
                Action::Admit | Action::Hold => {
                    if let Some(&j) = first_vote.get(&i) {
                        let ((p, a), ballots) = &votes[j];
                        if let Some(what) = self.vote(w, *p, *a, ballots, admitted_now) {
                            self.push(r, what);
                        }
                    }
                }
            }
            i += 1;
        }
    }

    /// Anything the log and the events do not account for is told too, so the story's
    /// memberships are the replicate's.
    fn tell_unrecorded(&mut self, r: u32, w: &World<'s>, shadow: &[bool]) {
        let sc = self.sc;
        let n = self.n;
        for p in sc.pact_ids() {
            for s in sc.state_ids() {
                let k = p.index() * n + s.index();
                let now = w.is_member(s, p);
                if shadow[k] != now {
                    let what = if now {
                        What::Join {
                            state: self.sid(s),
                            pact: self.pid(p),
                            how: How::Unrecorded,
                            event: None,
                            applied: None,
                            applied_label: None,
                        }
                    } else {
                        What::Leave {
                            state: self.sid(s),
                            pact: self.pid(p),
                            event: None,
                        }
                    };
                    self.push(r, what);
                }
            }
        }
    }

    /// Each pact's size and whether it is active, after the round.
    fn record_sizes(&mut self, w: &World<'s>) {
        let sc = self.sc;
        for p in sc.pact_ids() {
            self.sizes[p.index()].push(w.size(p) as u32);
            self.active[p.index()].push(w.active[p.index()]);
        }
    }

    /// The votes on `a`'s application to `p` this round, if some member held it.
    fn vote(&self, w: &World, p: PactId, a: StateId, ballots: &[&Decision], admitted_now: &[bool]) -> Option<What> {
        let tally = |action: Action| -> Vec<Voter> {
            let mut voters: Vec<Voter> = Vec::new();
            for d in ballots.iter().filter(|d| d.action == action) {
                let id = self.sid(d.state);
                match voters.iter_mut().find(|v| v.state == id) {
                    Some(v) => v.votes += 1,
                    None => voters.push(Voter { state: id, votes: 1 }),
                }
            }
            voters
        };
        let held_by = tally(Action::Hold);
        if held_by.is_empty() {
            return None;
        }
        let n = self.n;
        // The voting body: the members before this round's admissions.
        let of: u32 = w
            .members(p)
            .filter(|s| !admitted_now[p.index() * n + s.index()])
            .map(|s| u32::from(self.sc.state(s).count))
            .sum();
        let admitted = w.is_member(a, p);
        let ratified = if admitted { of } else { w.ratifications(a, p) as u32 };
        Some(What::Vote {
            pact: self.pid(p),
            applicant: self.sid(a),
            held_by,
            admitted_by: tally(Action::Admit),
            ratified,
            of,
            admitted,
        })
    }

    /// The strongest threat `s` faces now: from whom, how much, how much more than at the start
    /// and since when (None when nothing threatens it).
    fn threat_note(&self, s: StateId) -> Option<ThreatNote> {
        let n = self.n;
        let row = &self.threat_now[s.index() * n..(s.index() + 1) * n];
        let (j, &value) = row
            .iter()
            .enumerate()
            .fold(None, |best: Option<(usize, &f64)>, (j, v)| match best {
                Some((_, b)) if *b >= *v => best,
                _ => Some((j, v)),
            })?;
        if value <= 0.0 {
            return None;
        }
        let k = s.index() * n + j;
        let since = Some(self.threat_since[k]).filter(|&r| r > 0);
        Some(ThreatNote {
            from: self.sc.states[j].id.clone(),
            value,
            change: value - self.threat_start[k],
            since,
            since_label: since.map(|r| self.sc.calendar.label(r)),
        })
    }

    /// Public support of `s` and its threshold, where the support term weighs on its choice about
    /// `p` (a democracy, a pact with some binding force).
    fn support_note(&self, w: &World, s: StateId, p: PactId) -> Option<SupportNote> {
        let state = self.sc.state(s);
        (state.democracy && self.sc.pact(p).binding > 0.0 && self.sc.params.weights.support > 0.0).then(|| SupportNote {
            value: w.support[s.index()],
            threshold: state.support.threshold,
        })
    }
}

/// Why a replicate was picked.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "pick", rename_all = "snake_case")]
pub enum PickHow {
    /// The replicate closest to the median outcome: the least `distance`, the sum over the
    /// rounds looked at and every (pact, state) of |member − P(member)|, P over the run (see
    /// [`typical_distances`]); ties to the lowest replicate.
    Typical {
        distance: f64,
        /// The median of every replicate's distance, for scale.
        median_distance: f64,
        /// Replicates at that same least distance (the lowest was taken).
        tied: u64,
        /// (pact, state) pairs counted, in each round looked at.
        cells: usize,
    },
    /// The first replicate in which `expression` holds.
    Where {
        expression: String,
        /// Replicates in which it holds.
        count: u64,
    },
}

/// A replicate picked from a run of `runs` replicates, by its memberships after `round`, or after
/// every round (None: a typical replicate over the whole run).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Pick {
    pub replicate: u64,
    pub runs: u64,
    pub round: Option<u32>,
    pub label: Option<String>,
    #[serde(flatten)]
    pub how: PickHow,
}

/// Each replicate's distance from the run's median outcome over the recorded rounds `js` of `o`
/// (indices into `o.rounds`), times the number of replicates N so that it is an exact integer:
/// Σ over those rounds and every (pact, state) of |N·b − k|, b the replicate's bit and k the
/// number of replicates with it set. Divided by N it is Σ |b − p|, p = k/N the probability of
/// membership. Per cell, |b − p| is least for b = the more likely value (the median of the
/// Bernoulli): the least distance is the replicate nearest the cell-by-cell median outcome,
/// cells weighted by how sure the run is of them.
pub fn typical_distances(o: &Outcomes, js: &[usize]) -> Vec<u64> {
    let cells = o.pacts * o.states;
    let mut distance = vec![0u64; o.runs as usize];
    let mut count = vec![0u64; cells];
    for &j in js {
        count.iter_mut().for_each(|k| *k = 0);
        for i in 0..o.runs {
            for (c, k) in count.iter_mut().enumerate() {
                *k += u64::from(o.member(i, j, c / o.states, c % o.states));
            }
        }
        for (i, d) in distance.iter_mut().enumerate() {
            for (c, &k) in count.iter().enumerate() {
                *d += if o.member(i as u64, j, c / o.states, c % o.states) {
                    o.runs - k
                } else {
                    k
                };
            }
        }
    }
    distance
}

/// The replicate closest to the median outcome over the recorded rounds `js` of `o` (see
/// [`typical_distances`]; ties to the lowest replicate), or None for an empty table.
pub fn pick_typical(o: &Outcomes, js: &[usize]) -> Option<(u64, PickHow)> {
    let d = typical_distances(o, js);
    let (i, &best) = d.iter().enumerate().min_by_key(|&(i, &x)| (x, i))?;
    let mut sorted = d.clone();
    sorted.sort_unstable();
    let n = o.runs as f64;
    let half = sorted.len() / 2;
    let median = if sorted.len() % 2 == 1 {
        sorted[half] as f64
    } else {
        (sorted[half - 1] + sorted[half]) as f64 / 2.0
    } / n;
    Some((
        o.first + i as u64,
        PickHow::Typical {
            distance: best as f64 / n,
            median_distance: median,
            tied: d.iter().filter(|&&x| x == best).count() as u64,
            cells: o.pacts * o.states,
        },
    ))
}

/// The first replicate of `o` whose memberships after the `j`-th recorded round satisfy `holds`
/// (called with a membership test `(pact, state) -> bool`), and in how many replicates it holds.
pub fn first_where(o: &Outcomes, j: usize, holds: impl Fn(&dyn Fn(usize, usize) -> bool) -> bool) -> (Option<u64>, u64) {
    let mut first = None;
    let mut count = 0;
    for i in 0..o.runs {
        if holds(&|p, s| o.member(i, j, p, s)) {
            count += 1;
            first.get_or_insert(o.first + i);
        }
    }
    (first, count)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typical_is_closest_to_the_probabilities() {
        // Three replicates of one pact and two states: bits (1,0), (1,1), (0,1).
        let mut o = Outcomes::new(&[1], 1, 2, 0);
        o.runs = 3;
        o.bits = vec![0b01, 0b11, 0b10];
        // p = (2/3, 2/3): distances ×3 = |3−2|+|0−2| = 3, 1+1 = 2, 2+1 = 3.
        assert_eq!(typical_distances(&o, &[0]), vec![3, 2, 3]);
        let (k, how) = pick_typical(&o, &[0]).unwrap();
        assert_eq!(k, 1);
        match how {
            PickHow::Typical { distance, tied, .. } => {
                assert!((distance - 2.0 / 3.0).abs() < 1e-12);
                assert_eq!(tied, 1);
            }
            other => panic!("{other:?}"),
        }
        let (first, count) = first_where(&o, 0, |m| !m(0, 0));
        assert_eq!((first, count), (Some(2), 1));
    }
}
