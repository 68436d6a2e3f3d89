//! The scenario file as the user wrote it: serde types that mirror the TOML one to one.
//!
//! Nothing here is checked beyond what serde checks (types, unknown keys). `super::resolve`
//! turns a [`RawScenario`] into the validated [`super::Scenario`] everything else uses, in the
//! way ripgrep turns its raw `lowargs` into checked `hiargs`.
//!
//! Every table denies unknown keys so a typo (`neutralty = 0.9`) is an error, not a silent
//! default. Ids and references carry their byte span so resolution errors can name a line.

use serde::{Deserialize, Serialize};
use toml::Spanned;

/// A string with the byte range it came from in the scenario file.
pub type SpannedStr = Spanned<String>;

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawScenario {
    pub scenario: RawMeta,
    #[serde(default)]
    pub model: RawModel,
    #[serde(default, rename = "state")]
    pub states: Vec<RawState>,
    #[serde(default, rename = "relation")]
    pub relations: Vec<RawRelation>,
    #[serde(default, rename = "grievance")]
    pub grievances: Vec<RawGrievance>,
    #[serde(default, rename = "pact")]
    pub pacts: Vec<RawPact>,
    /// Kinds of pact that may form during a run (docs/MODEL.md §5b). Left out of the resolved
    /// file when there are none, so a scenario without templates hashes as before.
    #[serde(default, rename = "template", skip_serializing_if = "Vec::is_empty")]
    pub templates: Vec<RawTemplate>,
    #[serde(default, rename = "event")]
    pub events: Vec<RawEvent>,
    #[serde(default, rename = "target", skip_serializing_if = "Vec::is_empty")]
    pub targets: Vec<RawTarget>,
    /// The user's own data (`[[covariate]]`), read by `[[term]]` entries.
    #[serde(default, rename = "covariate", skip_serializing_if = "Vec::is_empty")]
    pub covariates: Vec<RawCovariate>,
    /// The user's own terms of the membership value (`[[term]]`): weight × a covariate.
    #[serde(default, rename = "term", skip_serializing_if = "Vec::is_empty")]
    pub terms: Vec<RawTerm>,
}

/// An observed fact a run is checked against (`[[target]]`): a statistic of a pact, a state or
/// both, its observed value and how far a run may be from it and still count as reproducing it.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawTarget {
    /// "p_final", "p_member_at", "join_date_median", "accession_lag_median", "apply_date_median",
    /// "support_at" or "p_formed".
    pub statistic: SpannedStr,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pact: Option<SpannedStr>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<SpannedStr>,
    /// When (`p_member_at`, `support_at`): a round, 0 = the start...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub round: Option<Spanned<i64>>,
    /// ...or a calendar date, when the scenario has a `start`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<SpannedStr>,
    /// A number, or a date (`"2023-04"`) for `join_date_median` and `apply_date_median`.
    pub value: RawTargetValue,
    /// How far the run may be from `value` and still meet the target (in rounds for dates and
    /// lags).
    pub tolerance: f64,
    /// Where the value comes from.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub source: String,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(untagged)]
pub enum RawTargetValue {
    Number(f64),
    Date(String),
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawMeta {
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub rounds: u32,
    /// What one round stands for: "day", "week", "month", "quarter" or "year".
    #[serde(default = "default_round_unit")]
    pub round_unit: Spanned<String>,
    /// Calendar date of round 1, "YYYY-MM" or "YYYY-MM-DD". Optional.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<Spanned<String>>,
    #[serde(default = "default_seed")]
    pub seed: u64,
    #[serde(default = "default_runs")]
    pub runs: u32,
}

fn default_round_unit() -> Spanned<String> {
    Spanned::new(0..0, "month".to_string())
}
fn default_seed() -> u64 {
    1
}
fn default_runs() -> u32 {
    1000
}

/// Every weight and setting of the decision model. Defaults are documented in docs/MODEL.md
/// and live in one place: the `Default` impls below.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawModel {
    /// Which model runs the rounds. Only "pacts" exists today.
    pub kind: Spanned<String>,
    /// Logit temperature τ: 0 → best response, large → coin flips.
    pub temperature: f64,
    /// "sequential" (states move one at a time in a random order each round) or "simultaneous".
    pub update_order: Spanned<String>,
    /// "persistent" (a state's logit shock for a pact is drawn once per replicate: its taste) or
    /// "per_round" (drawn afresh at every decision).
    pub shocks: Spanned<String>,
    pub weights: RawWeights,
    /// Probability a treaty of each kind is honoured when invoked (Leeds, Long & Mitchell 2000).
    pub credibility: RawCredibility,
    /// How much each ATOP obligation protects, relative to a defence pledge (1.0).
    pub obligation_protection: RawObligationProtection,
    /// Share of a pact's provocation an entirely informal pact still causes (0 = none, 1 = as much as a treaty).
    pub informal_provocation: f64,
    /// Minimum coverage a nuclear guarantee gives, whatever the conventional balance.
    pub nuclear_floor: f64,
    /// Removed (public support enters once, as the support term): kept only to say so when a
    /// file still sets it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub support_gate: Option<toml::Value>,
    /// Removed with `support_gate`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub binding_gate: Option<toml::Value>,
    /// Per round, the chance a member that has not yet decided on an applicant takes it up.
    pub ratification_rate: f64,
    /// Goodwill a member has towards any applicant, before grievances.
    pub admission_goodwill: f64,
    /// Share of every grievance that fades each round (bargaining, side payments).
    pub grievance_decay: f64,
    /// λ: how much of the threat its friends face a state feels as its own (Walt: threats to
    /// allies are threats). 0 = only its own dyadic threat.
    pub bloc_threat: f64,
}

impl Default for RawModel {
    fn default() -> Self {
        Self {
            kind: Spanned::new(0..0, "pacts".to_string()),
            temperature: 0.15,
            update_order: Spanned::new(0..0, "sequential".to_string()),
            shocks: Spanned::new(0..0, "persistent".to_string()),
            weights: RawWeights::default(),
            credibility: RawCredibility::default(),
            obligation_protection: RawObligationProtection::default(),
            informal_provocation: 0.25,
            nuclear_floor: 0.6,
            support_gate: None,
            binding_gate: None,
            ratification_rate: 0.35,
            admission_goodwill: 1.0,
            grievance_decay: 0.02,
            bloc_threat: 0.5,
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawWeights {
    pub security: f64,
    pub issue: f64,
    pub autonomy: f64,
    pub neutrality: f64,
    pub entrapment: f64,
    pub provocation: f64,
    pub affinity: f64,
    pub support: f64,
    pub join_cost: f64,
    pub exit_cost: f64,
    /// Extra exit cost per unit of `binding` (exits from treaties cost more).
    pub exit_binding: f64,
    pub grievance: f64,
    /// Weight of a member's open hostility towards an applicant in its vote.
    pub admission_hostility: f64,
}

impl Default for RawWeights {
    fn default() -> Self {
        Self {
            security: 4.0,
            issue: 1.0,
            autonomy: 0.4,
            neutrality: 1.0,
            entrapment: 0.5,
            provocation: 1.5,
            affinity: 1.0,
            support: 1.0,
            join_cost: 0.2,
            exit_cost: 0.2,
            exit_binding: 1.6,
            grievance: 1.0,
            admission_hostility: 3.0,
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawCredibility {
    pub binding: f64,
    pub informal: f64,
}

impl Default for RawCredibility {
    fn default() -> Self {
        Self {
            binding: 0.75,
            informal: 0.25,
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawObligationProtection {
    pub defence: f64,
    pub offence: f64,
    pub consultation: f64,
    pub neutrality: f64,
    pub non_aggression: f64,
}

impl Default for RawObligationProtection {
    fn default() -> Self {
        Self {
            defence: 1.0,
            offence: 0.5,
            consultation: 0.3,
            neutrality: 0.1,
            non_aggression: 0.1,
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawState {
    pub id: SpannedStr,
    #[serde(default)]
    pub name: String,
    /// Share of world capability (e.g. COW CINC). Only ratios between states matter.
    pub capability: f64,
    #[serde(default = "yes")]
    pub democracy: bool,
    /// Weight of a tradition of neutrality or non-alignment, 0..1.
    #[serde(default)]
    pub neutrality: f64,
    /// How far allies can count on this state when it is their patron, 0..1 (the "political umbrella").
    #[serde(default = "one")]
    pub commitment: f64,
    #[serde(default)]
    pub support: RawSupport,
    /// How much each issue area matters to the state, 0..1.
    #[serde(default)]
    pub issues: RawIssues,
    /// The state's share of what an issue pact pools (e.g. of world lithium reserves), 0..1.
    #[serde(default)]
    pub resources: RawIssues,
    /// How many states this one stands for (an aggregate such as "other NATO members"): each
    /// ratifies an accession on its own, and votes by majority count as that many.
    #[serde(default = "one_u32")]
    pub count: u32,
    /// False: not (yet) a state at the start (one born later, by a `birth` event): it is in no
    /// pact, may join none and its capability counts as nil until it is born.
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub exists: bool,
}

fn is_true(b: &bool) -> bool {
    *b
}

fn yes() -> bool {
    true
}
fn one() -> f64 {
    1.0
}

/// Public support for alignment (joining a binding pact), with its dynamics.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawSupport {
    /// Support before round 1, 0..1.
    pub start: f64,
    /// Share of last round's support kept each round (0 = jumps to target, 1 = never moves).
    pub inertia: f64,
    /// Support a democracy needs before it applies to a binding pact.
    pub threshold: f64,
    /// How far support moves per unit change in threat.
    pub sensitivity: f64,
}

impl Default for RawSupport {
    fn default() -> Self {
        Self {
            start: 0.5,
            inertia: 0.6,
            threshold: 0.5,
            sensitivity: 0.5,
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawIssues {
    pub security: f64,
    pub energy: f64,
    pub food: f64,
    pub minerals: f64,
    pub technology: f64,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawRelation {
    /// The two states, by id. Relations are symmetric.
    pub between: Spanned<Vec<SpannedStr>>,
    /// -1 (close affinity) .. 0 (indifferent) .. 1 (open hostility).
    #[serde(default)]
    pub hostility: f64,
    /// 1 = shared land border, 0 = irrelevant distance. See docs/MODEL.md for a distance scale.
    #[serde(default)]
    pub proximity: f64,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawGrievance {
    pub id: SpannedStr,
    /// The member that holds the grudge.
    pub holder: SpannedStr,
    /// The applicant it is held against.
    pub against: SpannedStr,
    /// 0..1 (and more for a grudge that outweighs any goodwill).
    pub strength: f64,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawPact {
    pub id: SpannedStr,
    #[serde(default)]
    pub name: String,
    /// ATOP obligations: "defence", "offence", "consultation", "neutrality", "non_aggression".
    /// Empty for a pure issue pact.
    #[serde(default)]
    pub obligations: Vec<SpannedStr>,
    /// 1 = legally binding treaty, 0 = informal dialogue.
    pub binding: f64,
    /// "security", "energy", "food", "minerals" or "technology".
    #[serde(default = "default_issue")]
    pub issue: SpannedStr,
    /// What cooperation on the issue yields to a member that cares about it, 0..1.
    #[serde(default)]
    pub issue_gain: f64,
    /// When true the issue gain scales with the members' pooled `resources` share.
    #[serde(default)]
    pub pooled: bool,
    /// Members at round 0.
    #[serde(default)]
    pub members: Vec<SpannedStr>,
    /// "unanimity", "majority", "open" or "closed".
    #[serde(default = "default_admission")]
    pub admission: SpannedStr,
    /// A nuclear guarantee, by the member named in `guarantor`. Absent: there is one if a
    /// guarantor is named; `false` switches a named guarantor's umbrella off (`--set
    /// pact.NATO.nuclear=false`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nuclear: Option<bool>,
    /// The state whose nuclear umbrella the pact extends (`guarantor = "USA"`). Naming one makes
    /// the pact nuclear.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guarantor: Option<SpannedStr>,
    /// Largest membership the pact accepts; absent = no limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size_limit: Option<u32>,
    /// States the pact is aimed at: joining provokes them, and protection counts only against them.
    /// Empty = aimed at no one in particular (protection counts against every threat).
    #[serde(default)]
    pub rivals: Vec<SpannedStr>,
    /// The pact counts as formed once it has this many members, and ends if, once formed, its
    /// membership falls below it: the remaining members are released (docs/MODEL.md §5a).
    /// Default 2: a treaty or coalition of one is no pact. 1 keeps a pact alive down to a single
    /// member (it ends only when the last leaves).
    #[serde(default = "two_u32")]
    pub min_members: u32,
    /// False: the pact does not exist until a `found` event.
    #[serde(default = "yes")]
    pub active: bool,
    /// True: a proposal just put on the table (the lithium alliance), so a state's being outside
    /// it at the start is not yet a choice. False (default): an existing pact, whose non-members
    /// at the start chose to stay out, and are conditioned on it (docs/MODEL.md §4).
    #[serde(default)]
    pub new: bool,
}

/// A kind of pact that may form itself during a run (`[[template]]`, docs/MODEL.md §5b): states
/// propose pacts of it to the partners they value most, and the invited accept or decline.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawTemplate {
    /// The first part of a formed pact's stable id (`CONSULT` → `CONSULT-ARE-ISR-USA`).
    pub id: SpannedStr,
    #[serde(default)]
    pub name: String,
    /// How reports group formed pacts: "informal", "issue" or "binding". No effect on the model.
    #[serde(default = "default_kind")]
    pub kind: SpannedStr,
    /// ATOP obligations, as for a pact.
    #[serde(default)]
    pub obligations: Vec<SpannedStr>,
    /// 1 = legally binding treaty, 0 = informal dialogue.
    pub binding: f64,
    /// "security", "energy", "food", "minerals" or "technology".
    #[serde(default = "default_issue")]
    pub issue: SpannedStr,
    #[serde(default)]
    pub issue_gain: f64,
    #[serde(default)]
    pub pooled: bool,
    /// How states outside a formed pact get in: "unanimity", "majority", "open" or "closed".
    #[serde(default = "default_admission")]
    pub admission: SpannedStr,
    /// Fixed rivals of every pact of the template (states that may not be members).
    #[serde(default)]
    pub rivals: Vec<SpannedStr>,
    /// "none" (default: the fixed `rivals`, if any) or "worst_threat": each pact is aimed at the
    /// state that puts the most pressure on its proposer when it proposes.
    #[serde(default = "default_rival_rule")]
    pub rival_rule: SpannedStr,
    /// The pact forms when the proposer and enough accepting invitees make this many (at least 2),
    /// and ends, once formed, below it.
    #[serde(default = "two_u32")]
    pub min_members: u32,
    /// Largest membership, founders included; absent = no limit but the candidates searched.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size_limit: Option<u32>,
    /// Who may propose a pact of the template (state ids); absent = every state that may be a member.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proposers: Option<Vec<SpannedStr>>,
    /// Who may be a member (invited, or apply later); absent = every state but the rivals.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub members: Option<Vec<SpannedStr>>,
    /// k: how many partners a proposer considers, the k it values most (1 to 16).
    #[serde(default = "default_candidates")]
    pub candidates: u32,
    /// Most pacts of the template alive at once (per rival, with `rival_rule = "worst_threat"`):
    /// the ids the engine keeps for them (1 to 16).
    #[serde(default = "default_slots")]
    pub slots: u32,
    /// True: a kind of pact just put on the table, so not having proposed one before round 1 is
    /// not yet a choice. False (default): the proposers' tastes are conditioned on not having
    /// proposed one on the world at the start, as outsiders' are on staying out of a listed pact
    /// (docs/MODEL.md §4, §5b).
    #[serde(default)]
    pub new: bool,
}

fn default_kind() -> SpannedStr {
    Spanned::new(0..0, "informal".to_string())
}
fn default_rival_rule() -> SpannedStr {
    Spanned::new(0..0, "none".to_string())
}
fn default_candidates() -> u32 {
    6
}
fn default_slots() -> u32 {
    4
}

fn default_issue() -> SpannedStr {
    Spanned::new(0..0, "security".to_string())
}
fn default_admission() -> SpannedStr {
    Spanned::new(0..0, "unanimity".to_string())
}
fn one_u32() -> u32 {
    1
}
fn two_u32() -> u32 {
    2
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawEvent {
    pub id: SpannedStr,
    #[serde(default)]
    pub name: String,
    /// The round the event happens at (the change applies before that round is played).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub round: Option<Spanned<i64>>,
    /// Or a calendar date, when the scenario has a `start` date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<SpannedStr>,
    /// False removes the event (for counterfactuals: `--set event.ID.enabled=false`).
    #[serde(default = "yes")]
    pub enabled: bool,
    #[serde(default, rename = "change")]
    pub changes: Vec<RawChange>,
}

/// One change an event makes. Which fields apply depends on `kind`; `super::resolve` checks them.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawChange {
    /// "hostility", "proximity", "capability", "commitment", "support", "salience", "democracy",
    /// "grievance", "found", "dissolve", "force_join", "force_leave", "birth" or "death".
    pub kind: SpannedStr,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub between: Option<Spanned<Vec<SpannedStr>>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<SpannedStr>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pact: Option<SpannedStr>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grievance: Option<SpannedStr>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issue: Option<SpannedStr>,
    /// Set the value to this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<f64>,
    /// Or add this to it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<f64>,
    /// Or multiply it by this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale: Option<f64>,
}

/// A covariate of the user's own (`[[covariate]]`): a number per pair of states (`dyadic`:
/// trade dependence, IGO co-membership) or per state (`monadic`), given inline or in a CSV file
/// next to the scenario, optionally changing by date. `[[term]]` entries read it. See
/// `super::covariates` for the CSV columns and how values are read.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawCovariate {
    pub id: SpannedStr,
    /// "dyadic" (one value per pair of states, symmetric) or "monadic" (one per state).
    pub kind: SpannedStr,
    /// What the numbers measure and in what unit (a term's unit is this unit times its weight).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Where the numbers come from (source, version, licence), or "illustrative".
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub source: String,
    /// A CSV file, relative to the scenario file's directory (and inside it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<SpannedStr>,
    /// Written by pactsim into `scenario.resolved.toml`: the file the inline `values` were read
    /// from. Not read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub loaded_from: Option<String>,
    /// The values inline (instead of `file`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<RawCovariateValue>,
}

/// One value of a covariate: `{ between = ["FIN", "SWE"], value = 0.8 }` (dyadic) or
/// `{ state = "FIN", value = 0.3 }` (monadic), with an optional `date` (or `round`) from which it
/// holds.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawCovariateValue {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub between: Option<Spanned<Vec<SpannedStr>>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<SpannedStr>,
    pub value: f64,
    /// The value holds from the round of this date on ("YYYY-MM" or "YYYY-MM-DD")...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<SpannedStr>,
    /// ...or from this round on (0 = the start). Neither: from the start.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub round: Option<Spanned<i64>>,
}

/// A term of the user's own (`[[term]]`): adds `weight` × its covariate, as a state sees a pact,
/// to the membership value — for a dyadic covariate the capability-weighted mean of its values
/// with the pact's other members (as affinity is), for a monadic one the state's own value.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawTerm {
    /// The term's name: a column of decisions.csv and `explain`, and `--set term.ID.weight`.
    pub id: SpannedStr,
    /// The `[[covariate]]` it reads.
    pub covariate: SpannedStr,
    /// Utility per unit of the covariate (may be negative). 0 leaves the term out.
    pub weight: f64,
    /// The pacts it applies to (empty: every pact).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pacts: Vec<SpannedStr>,
    /// What the term stands for.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
}
