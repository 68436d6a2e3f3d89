//! Scenario files: TOML → raw schema → `--set` overrides → a validated [`Scenario`] with
//! dense ids. Everything below this layer (model, run, report, plot) reads only [`Scenario`].

mod calendar;
pub mod describe;
pub mod edit;
pub mod editable;
mod error;
pub mod generate;
pub mod model_file;
mod overrides;
mod resolve;
pub mod schema;
pub mod sweep;

use std::path::{Path, PathBuf};

pub use calendar::{Calendar, RoundUnit};
pub use editable::{EditKind, EditValue, Editable, editable};
pub use error::{Problem, ScenarioError};
pub use resolve::covariates::{Covariate, CovariateKind, MAX_TERMS, RESERVED_TERM_NAMES, UserTerm};
pub use schema::{RawCredibility as Credibility, RawObligationProtection as ObligationProtection, RawWeights as Weights};

/// Most states a scenario may have (per-replicate tables are n×n).
pub const MAX_STATES: usize = 500;
/// Most pacts a scenario may have.
pub const MAX_PACTS: usize = 500;
/// Most states one aggregate state may stand for (`count`).
pub const MAX_COUNT: u32 = 1000;
/// Most rounds a scenario may have.
pub const MAX_ROUNDS: u32 = 10_000;
/// Most replicates a scenario may ask for by default (`[scenario] runs`).
pub const MAX_RUNS: u32 = 10_000_000;

/// Dense index of a state in [`Scenario::states`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct StateId(pub u16);

/// Dense index of a pact in [`Scenario::pacts`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PactId(pub u16);

impl StateId {
    pub fn index(self) -> usize {
        self.0 as usize
    }
}
impl PactId {
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// The issue areas a pact can be about and a state can care about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Issue {
    Security,
    Energy,
    Food,
    Minerals,
    Technology,
}

impl Issue {
    pub const ALL: [Issue; 5] = [Issue::Security, Issue::Energy, Issue::Food, Issue::Minerals, Issue::Technology];
    pub fn name(self) -> &'static str {
        match self {
            Issue::Security => "security",
            Issue::Energy => "energy",
            Issue::Food => "food",
            Issue::Minerals => "minerals",
            Issue::Technology => "technology",
        }
    }
    pub fn index(self) -> usize {
        self as usize
    }
    pub fn parse(s: &str) -> Option<Issue> {
        Issue::ALL.into_iter().find(|i| i.name() == s)
    }
}

/// ATOP obligation types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Obligation {
    Defence,
    Offence,
    Consultation,
    Neutrality,
    NonAggression,
}

impl Obligation {
    pub const ALL: [Obligation; 5] = [
        Obligation::Defence,
        Obligation::Offence,
        Obligation::Consultation,
        Obligation::Neutrality,
        Obligation::NonAggression,
    ];
    pub fn name(self) -> &'static str {
        match self {
            Obligation::Defence => "defence",
            Obligation::Offence => "offence",
            Obligation::Consultation => "consultation",
            Obligation::Neutrality => "neutrality",
            Obligation::NonAggression => "non_aggression",
        }
    }
    pub fn parse(s: &str) -> Option<Obligation> {
        Obligation::ALL.into_iter().find(|o| o.name() == s)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    Unanimity,
    Majority,
    Open,
    Closed,
}

impl Admission {
    pub const NAMES: [&'static str; 4] = ["unanimity", "majority", "open", "closed"];
    pub fn parse(s: &str) -> Option<Admission> {
        Some(match s {
            "unanimity" => Admission::Unanimity,
            "majority" => Admission::Majority,
            "open" => Admission::Open,
            "closed" => Admission::Closed,
            _ => return None,
        })
    }
    pub fn name(self) -> &'static str {
        Self::NAMES[self as usize]
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpdateOrder {
    /// States move one at a time, in a fresh random order each round; later movers see earlier moves.
    Sequential,
    /// All states decide on the same start-of-round world; the moves apply together.
    Simultaneous,
}

/// How the random part of a choice is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shocks {
    /// Once per replicate for each state–pact pair: a state's idiosyncratic taste, so in a world
    /// that does not change a share logit(ΔU/τ) of replicates act — once — and the rest never do.
    /// (Admission votes are not tastes: they draw afresh each time a member takes an application
    /// up, whatever this setting.)
    Persistent,
    /// Afresh at every decision opportunity (a per-round hazard: over many rounds even a choice
    /// with negative utility is eventually taken).
    PerRound,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModelKind {
    /// The pact-membership decision model of docs/MODEL.md.
    Pacts,
}

/// Model settings after validation.
#[derive(Debug, Clone)]
pub struct Params {
    pub kind: ModelKind,
    pub temperature: f64,
    pub update_order: UpdateOrder,
    pub shocks: Shocks,
    pub weights: Weights,
    pub credibility: Credibility,
    pub obligation_protection: ObligationProtection,
    pub informal_provocation: f64,
    pub nuclear_floor: f64,
    pub ratification_rate: f64,
    pub admission_goodwill: f64,
    pub grievance_decay: f64,
    pub bloc_threat: f64,
}

#[derive(Debug, Clone)]
pub struct Support {
    pub start: f64,
    pub inertia: f64,
    pub threshold: f64,
    pub sensitivity: f64,
}

#[derive(Debug, Clone)]
pub struct State {
    pub id: String,
    pub name: String,
    pub capability: f64,
    pub democracy: bool,
    pub neutrality: f64,
    pub commitment: f64,
    pub support: Support,
    /// Indexed by [`Issue::index`].
    pub salience: [f64; 5],
    pub resources: [f64; 5],
    /// How many states this one stands for (1 unless it is an aggregate).
    pub count: u16,
    /// Whether it is a state at the start (false: born later by a `birth` event).
    pub exists: bool,
}

#[derive(Debug, Clone)]
pub struct Pact {
    pub id: String,
    pub name: String,
    pub obligations: Vec<Obligation>,
    pub binding: f64,
    pub issue: Issue,
    pub issue_gain: f64,
    pub pooled: bool,
    pub founders: Vec<StateId>,
    pub admission: Admission,
    /// The member whose nuclear umbrella the pact extends, if any.
    pub guarantor: Option<StateId>,
    pub size_limit: Option<u32>,
    pub rivals: Vec<StateId>,
    pub min_members: u32,
    pub active: bool,
    /// A proposal at the start: non-members are not conditioned on staying out.
    pub new: bool,
    /// For a slot the engine keeps for pacts of a `[[template]]` (docs/MODEL.md §5b): the
    /// template's index in [`Scenario::templates`]. None for a pact the scenario lists.
    pub template: Option<u16>,
}

impl Pact {
    pub fn has(&self, o: Obligation) -> bool {
        self.obligations.contains(&o)
    }
}

/// How reports group the pacts a template forms (no effect on the model).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TemplateKind {
    Informal,
    Issue,
    Binding,
}

impl TemplateKind {
    pub const NAMES: [&'static str; 3] = ["informal", "issue", "binding"];
    pub fn parse(s: &str) -> Option<TemplateKind> {
        Some(match s {
            "informal" => TemplateKind::Informal,
            "issue" => TemplateKind::Issue,
            "binding" => TemplateKind::Binding,
            _ => return None,
        })
    }
    pub fn name(self) -> &'static str {
        Self::NAMES[self as usize]
    }
}

/// Whom the pacts of a template are aimed at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RivalRule {
    /// The template's fixed `rivals` (possibly none).
    Fixed,
    /// The state that puts the most pressure on the proposer when it proposes.
    WorstThreat,
}

impl RivalRule {
    pub const NAMES: [&'static str; 2] = ["none", "worst_threat"];
    pub fn parse(s: &str) -> Option<RivalRule> {
        Some(match s {
            "none" => RivalRule::Fixed,
            "worst_threat" => RivalRule::WorstThreat,
            _ => return None,
        })
    }
}

/// The slots of a template aimed at one rival (or, under [`RivalRule::Fixed`], its only group):
/// pacts `first .. first + count` of [`Scenario::pacts`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlotGroup {
    /// The rival every pact of the group is aimed at (None: the template's fixed rivals).
    pub rival: Option<StateId>,
    pub first: u16,
    pub count: u16,
}

impl SlotGroup {
    pub fn slots(&self) -> impl Iterator<Item = PactId> + use<> {
        (self.first..self.first + self.count).map(PactId)
    }
}

/// A kind of pact that may form during a run (`[[template]]`, docs/MODEL.md §5b). Its pacts live
/// in slots, pacts of [`Scenario::pacts`] appended after the listed ones (inactive until a
/// proposal forms one), so the engine's dense tables stay flat.
#[derive(Debug, Clone)]
pub struct Template {
    pub id: String,
    pub name: String,
    pub kind: TemplateKind,
    /// Who may propose (sorted); None = every state that may be a member.
    pub proposers: Option<Vec<StateId>>,
    /// Who may be a member (sorted); None = every state but the rivals.
    pub members: Option<Vec<StateId>>,
    /// k: the partners a proposer considers, those it values most.
    pub candidates: usize,
    pub rival_rule: RivalRule,
    /// The slots, by rival (one group unless the rule is [`RivalRule::WorstThreat`]).
    pub groups: Vec<SlotGroup>,
    pub min_members: u32,
    pub size_limit: Option<u32>,
    /// Just put on the table: proposers' tastes are not conditioned on the start (§5b).
    pub new: bool,
}

impl Template {
    /// Whether `s` may be a member of a pact of this template (rivals apart: they are the
    /// pact's, and [`crate::model::World::may_apply`] checks them).
    pub fn may_be_member(&self, s: StateId) -> bool {
        self.members.as_ref().is_none_or(|m| m.binary_search(&s).is_ok())
    }
    /// Whether `s` may propose a pact of this template.
    pub fn may_propose(&self, s: StateId) -> bool {
        self.may_be_member(s) && self.proposers.as_ref().is_none_or(|m| m.binary_search(&s).is_ok())
    }
    /// The group of slots aimed at `rival` (None: the fixed group).
    pub fn group(&self, rival: Option<StateId>) -> Option<&SlotGroup> {
        self.groups.iter().find(|g| g.rival == rival)
    }
}

#[derive(Debug, Clone)]
pub struct Grievance {
    pub id: String,
    pub holder: StateId,
    pub against: StateId,
    pub strength: f64,
}

/// How an event changes a number.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Op {
    Set(f64),
    Add(f64),
    Scale(f64),
}

impl Op {
    pub fn apply(self, x: f64) -> f64 {
        match self {
            Op::Set(v) => v,
            Op::Add(v) => x + v,
            Op::Scale(v) => x * v,
        }
    }
}

/// The largest capability a scenario may hold, and the most a capability event leaves
/// (`World::apply_change`): with capabilities in [10⁻¹², 10⁶⁰] no sum or product of the model's
/// terms overflows to infinity, so repeated `scale` events cannot turn threats into NaN. Shares,
/// and spending in any currency, sit far inside it.
pub const MAX_CAPABILITY: f64 = 1e60;

/// One change of an event. `Proximity` sets a pair's proximity (0..1: a border drawn or gone);
/// `Democracy` makes a state a democracy (`to = 1`) or not (`to = 0`); `Birth` brings a state
/// into the state system (it may join pacts, its capability counts); `Death` takes it out
/// (released from every pact, it applies to none again, its capability counts as nil).
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    Hostility { a: StateId, b: StateId, op: Op },
    Capability { state: StateId, op: Op },
    Commitment { state: StateId, op: Op },
    Support { state: StateId, op: Op },
    Salience { state: StateId, issue: Issue, op: Op },
    Grievance { grievance: usize, op: Op },
    Found { pact: PactId },
    Dissolve { pact: PactId },
    ForceJoin { state: StateId, pact: PactId },
    ForceLeave { state: StateId, pact: PactId },
    Proximity { a: StateId, b: StateId, op: Op },
    Democracy { state: StateId, democratic: bool },
    Birth { state: StateId },
    Death { state: StateId },
}

#[derive(Debug, Clone)]
pub struct Event {
    pub id: String,
    pub name: String,
    /// The change applies before this round (1-based) is played.
    pub round: u32,
    pub changes: Vec<Change>,
}

/// A validated scenario: every id resolved to a dense index, every value in range.
#[derive(Debug, Clone)]
pub struct Scenario {
    pub name: String,
    pub description: String,
    pub rounds: u32,
    pub calendar: Calendar,
    pub seed: u64,
    pub runs: u32,
    pub params: Params,
    pub states: Vec<State>,
    /// The listed pacts, then the slots of the templates' pacts ([`Pact::template`]).
    pub pacts: Vec<Pact>,
    /// Kinds of pact that may form during a run (docs/MODEL.md §5b), in file order.
    pub templates: Vec<Template>,
    /// n×n, symmetric, in −1..1; `hostility[i * n + j]`.
    pub hostility: Vec<f64>,
    /// n×n, symmetric, in 0..1.
    pub proximity: Vec<f64>,
    pub grievances: Vec<Grievance>,
    /// Enabled events only, ordered by round (stable: file order within a round).
    pub events: Vec<Event>,
    /// Observed facts a run is checked against, in file order.
    pub targets: Vec<Target>,
    /// The scenario after `--set`, with every default written out: reproduces this run.
    pub resolved_toml: String,
    /// SHA-256 of `resolved_toml`, hex.
    pub hash: String,
    /// The user's own data (`[[covariate]]`), in file order.
    pub covariates: Vec<Covariate>,
    /// The user's own terms (`[[term]]`), in file order: the model adds each one's weight × its
    /// covariate to the membership value (docs/MODEL.md §2a).
    pub user_terms: Vec<UserTerm>,
}

impl Scenario {
    pub fn n_states(&self) -> usize {
        self.states.len()
    }
    pub fn n_pacts(&self) -> usize {
        self.pacts.len()
    }
    pub fn state_ids(&self) -> impl Iterator<Item = StateId> + '_ {
        (0..self.states.len()).map(|i| StateId(i as u16))
    }
    pub fn pact_ids(&self) -> impl Iterator<Item = PactId> + '_ {
        (0..self.pacts.len()).map(|i| PactId(i as u16))
    }
    pub fn state(&self, id: StateId) -> &State {
        &self.states[id.index()]
    }
    pub fn pact(&self, id: PactId) -> &Pact {
        &self.pacts[id.index()]
    }
    pub fn state_by_id(&self, id: &str) -> Option<StateId> {
        self.states.iter().position(|s| s.id == id).map(|i| StateId(i as u16))
    }
    pub fn pact_by_id(&self, id: &str) -> Option<PactId> {
        self.pacts.iter().position(|p| p.id == id).map(|i| PactId(i as u16))
    }
    /// The pacts the scenario lists (not the slots of its templates), with their ids.
    pub fn listed_pacts(&self) -> impl Iterator<Item = (PactId, &Pact)> + '_ {
        self.pact_ids().zip(&self.pacts).filter(|(_, p)| p.template.is_none())
    }
    /// The stable id of the pact formed in template slot `slot` by `founders`: the template's id
    /// (with `~RIVAL` when the template aims each pact at its proposer's worst threat) and the
    /// founders' ids in alphabetical order, joined by `-` (`CONSULT-ARE-ISR-USA`,
    /// `CONSULT~IRN-ARE-ISR-USA`). The same in every replicate, whatever order the states are
    /// written in. (For a listed pact: its id.)
    pub fn formed_id(&self, slot: PactId, founders: &[StateId]) -> String {
        let pact = self.pact(slot);
        let Some(t) = pact.template else {
            return pact.id.clone();
        };
        let template = &self.templates[usize::from(t)];
        let mut id = template.id.clone();
        if template.rival_rule == RivalRule::WorstThreat
            && let Some(&r) = pact.rivals.first()
        {
            id.push('~');
            id.push_str(&self.state(r).id);
        }
        let mut ids: Vec<&str> = founders.iter().map(|&s| self.state(s).id.as_str()).collect();
        ids.sort_unstable();
        for s in ids {
            id.push('-');
            id.push_str(s);
        }
        id
    }
}

/// A statistic a target names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Statistic {
    /// P(the state is a member of the pact after the last round).
    PFinal,
    /// P(member after a given round).
    PMemberAt,
    /// Median first round of membership (a non-founder, among replicates where it joined).
    JoinDateMedian,
    /// Median rounds from first application to membership.
    AccessionLagMedian,
    /// Median first round of application (among replicates where the state applied).
    ApplyDateMedian,
    /// Mean public support for alignment after a given round.
    SupportAt,
    /// P(the pact reaches its `min_members` at some round).
    PFormed,
}

impl Statistic {
    pub const ALL: [Statistic; 7] = [
        Statistic::PFinal,
        Statistic::PMemberAt,
        Statistic::JoinDateMedian,
        Statistic::AccessionLagMedian,
        Statistic::ApplyDateMedian,
        Statistic::SupportAt,
        Statistic::PFormed,
    ];
    pub fn name(self) -> &'static str {
        match self {
            Statistic::PFinal => "p_final",
            Statistic::PMemberAt => "p_member_at",
            Statistic::JoinDateMedian => "join_date_median",
            Statistic::AccessionLagMedian => "accession_lag_median",
            Statistic::ApplyDateMedian => "apply_date_median",
            Statistic::SupportAt => "support_at",
            Statistic::PFormed => "p_formed",
        }
    }
    pub fn parse(s: &str) -> Option<Statistic> {
        Statistic::ALL.into_iter().find(|x| x.name() == s)
    }
    /// Whether the target names a pact, a state, and a round.
    pub fn needs(self) -> (bool, bool, bool) {
        match self {
            Statistic::PFinal | Statistic::JoinDateMedian | Statistic::AccessionLagMedian | Statistic::ApplyDateMedian => {
                (true, true, false)
            }
            Statistic::PMemberAt => (true, true, true),
            Statistic::SupportAt => (false, true, true),
            Statistic::PFormed => (true, false, false),
        }
    }
}

/// An observed fact (`[[target]]`), resolved: dates are rounds.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    pub statistic: Statistic,
    pub pact: Option<PactId>,
    pub state: Option<StateId>,
    /// The round a `p_member_at` or `support_at` target reads (0 = the start).
    pub round: Option<u32>,
    /// The observed value (a round for `join_date_median` and `apply_date_median`).
    pub value: f64,
    /// The value as written in the file.
    pub value_text: String,
    pub tolerance: f64,
    pub source: String,
}

/// Where a scenario came from, for error messages.
#[derive(Debug, Clone)]
pub struct Source {
    pub path: PathBuf,
    pub text: String,
}

/// Reads, overrides and validates a scenario file. `overrides` are `KEY=VALUE` strings as given
/// to `--set`.
pub fn load(path: &Path, overrides: &[String]) -> Result<Scenario, ScenarioError> {
    let text = std::fs::read_to_string(path).map_err(|source| ScenarioError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    from_source(
        &Source {
            path: path.to_path_buf(),
            text,
        },
        overrides,
    )
}

/// The current numeric values of a `--set` path, after `overrides`: one per concrete path, a
/// `*` in place of an id standing for every element that has the key
/// (`state.*.support.sensitivity`). What `sweep` multiplies.
pub fn numbers(source: &Source, overrides: &[String], pattern: &str) -> Result<Vec<(String, f64)>, ScenarioError> {
    let raw: schema::RawScenario = toml::from_str(&source.text).map_err(|e| ScenarioError::Parse {
        path: source.path.clone(),
        message: e.to_string(),
    })?;
    overrides::numbers(&raw, overrides, pattern)
}

/// The covariate files the scenario in `source` reads (after `overrides`), by their paths
/// relative to its directory, as written: what a copy of the scenario needs beside it (a sweep
/// writes its scenario as given, and a merge of its shards reads it again).
pub fn covariate_files(source: &Source, overrides: &[String]) -> Result<Vec<PathBuf>, ScenarioError> {
    let raw: schema::RawScenario = toml::from_str(&source.text).map_err(|e| ScenarioError::Parse {
        path: source.path.clone(),
        message: e.to_string(),
    })?;
    let raw = if overrides.is_empty() {
        raw
    } else {
        overrides::apply(&raw, overrides)?
    };
    Ok(raw
        .covariates
        .iter()
        .filter_map(|c| c.file.as_ref())
        .map(|f| PathBuf::from(f.get_ref()))
        .collect())
}

/// As [`load`], from text already in memory (tests, fuzzing).
pub fn from_source(source: &Source, overrides: &[String]) -> Result<Scenario, ScenarioError> {
    Parsed::new(source)?.resolve(overrides)
}

/// A scenario file parsed once, to resolve with many sets of overrides (the variants of a sweep,
/// the points of a fit) without parsing the text again for each.
#[derive(Debug, Clone)]
pub struct Parsed<'a> {
    source: &'a Source,
    raw: schema::RawScenario,
}

impl<'a> Parsed<'a> {
    pub fn new(source: &'a Source) -> Result<Self, ScenarioError> {
        let raw = toml::from_str(&source.text).map_err(|e: toml::de::Error| ScenarioError::Parse {
            path: source.path.clone(),
            message: e.to_string(),
        })?;
        Ok(Parsed { source, raw })
    }

    /// The scenario with `overrides` applied: exactly [`from_source`]`(source, overrides)`.
    pub fn resolve(&self, overrides: &[String]) -> Result<Scenario, ScenarioError> {
        if overrides.is_empty() {
            return resolve::resolve(self.raw.clone(), &self.source.path, Some(&self.source.text));
        }
        let raw = overrides::apply(&self.raw, overrides)?;
        resolve::resolve(raw, &self.source.path, None).map_err(|e| e.with_sets(overrides))
    }
}
