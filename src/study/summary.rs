//! The headline results of a run, derived from the exact counts of a [`Tally`]. This is what
//! `summary.json` holds and what charts, reports and `compare` read.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::run::{Tally, median, quantile};
use crate::scenario::{Scenario, Statistic, Target, TemplateKind};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub scenario: String,
    pub description: String,
    pub version: String,
    pub model: String,
    pub seed: u64,
    pub runs: u64,
    /// Number of the first replicate counted (0 unless this is one shard of a larger run).
    pub first_replicate: u64,
    pub rounds: u32,
    pub round_unit: String,
    /// Date of round 1, if the scenario has one.
    pub start: Option<String>,
    /// SHA-256 of `scenario.resolved.toml`.
    pub scenario_hash: String,
    /// Label of each round 0..=rounds (dates where the scenario has a start date).
    pub round_labels: Vec<String>,
    pub states: Vec<StateInfo>,
    pub pacts: Vec<PactInfo>,
    pub events: Vec<EventInfo>,
    /// `membership[PACT][STATE]`
    pub membership: BTreeMap<String, BTreeMap<String, Membership>>,
    /// `support[STATE]`: mean public support for alignment after each round (index 0 = start).
    pub support: BTreeMap<String, Vec<f64>>,
    /// Each `[[target]]` of the scenario, with what the run gives and whether it is met.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub targets: Vec<TargetResult>,
    /// Each `[[template]]`: how often it formed pacts, how many were alive, and their founding
    /// sets by frequency (docs/MODEL.md §5b). Absent without templates.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub templates: Vec<TemplateInfo>,
    /// The pacts templates formed, by stable id (`CONSULT-ARE-ISR-USA`): one entry for all the
    /// replicates in which the same template formed a pact with the same founders.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub formed: BTreeMap<String, FormedInfo>,
    /// Each kind of template the scenario has (informal, issue, binding): how many of its pacts
    /// are alive over the rounds, with the 5–95% range of replicates. Absent without templates.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub kinds: Vec<KindInfo>,
}

/// The pacts of one kind of template (informal, issue or binding) over the run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KindInfo {
    /// "informal", "issue" or "binding".
    pub kind: String,
    /// The templates of this kind.
    pub templates: Vec<String>,
    /// Mean number of distinct pacts of the kind formed in a replicate over the whole run (the
    /// sum of `p_formed` over its stable ids).
    pub formed_mean: f64,
    /// Number of its pacts alive after each round (index 0 = the start): mean over replicates,
    /// and the 5th, 50th and 95th percentiles.
    pub alive_mean_by_round: Vec<f64>,
    /// Standard deviation of that number over the replicates, after each round.
    pub alive_sd_by_round: Vec<f64>,
    pub alive_p05_by_round: Vec<usize>,
    pub alive_median_by_round: Vec<usize>,
    pub alive_p95_by_round: Vec<usize>,
    /// Fraction of replicates with at least one of its pacts alive after each round.
    pub p_any_by_round: Vec<f64>,
}

/// A template over the run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TemplateInfo {
    pub id: String,
    pub name: String,
    /// "informal", "issue" or "binding".
    pub kind: String,
    /// Fraction of replicates in which it formed at least one pact.
    pub p_formed: f64,
    /// Mean number of its pacts alive after each round (index 0 = the start).
    pub alive_mean_by_round: Vec<f64>,
    /// The pacts it formed (stable ids), most frequent first: the founding sets by frequency.
    pub founding_sets: Vec<FoundingSet>,
}

/// A founding set of a template and the share of replicates in which it formed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FoundingSet {
    pub id: String,
    pub founders: Vec<String>,
    pub p_formed: f64,
}

/// A pact a template formed, over the replicates (one stable id).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FormedInfo {
    pub template: String,
    pub kind: String,
    /// The founders, in alphabetical order.
    pub founders: Vec<String>,
    /// The state it is aimed at, when the template aims each pact at its proposer's worst threat.
    pub rival: Option<String>,
    /// Fraction of replicates in which it formed (at least once).
    pub p_formed: f64,
    /// Median round it first formed in, among replicates in which it formed, and the 5th and
    /// 95th percentiles of that round.
    pub formed_round_median: Option<f64>,
    pub formed_round_p05: Option<usize>,
    pub formed_round_p95: Option<usize>,
    /// Fraction of all replicates in which it formed and then ended (its membership fell below
    /// `min_members`); median round of that first end.
    pub p_ended: f64,
    pub end_round_median: Option<f64>,
    /// Fraction of replicates in which it is alive after each round (index 0 = the start).
    pub p_alive_by_round: Vec<f64>,
    /// Mean number of members after each round, over the replicates in which it is alive then
    /// (None where it is alive in none).
    pub size_mean_by_round: Vec<Option<f64>>,
    /// `membership[STATE]`: each state that was ever a member, as for a listed pact.
    pub membership: BTreeMap<String, FormedMembership>,
}

/// A state in a formed pact.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FormedMembership {
    /// Fraction of all replicates in which it is a member after the last round.
    pub p_final: f64,
    /// That fraction after each round; index 0 = before round 1 is played.
    pub p_by_round: Vec<f64>,
}

/// A target of the scenario against the run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetResult {
    /// What is compared, in words (`P(FIN in NATO after 2022-01)`).
    pub label: String,
    pub statistic: String,
    pub pact: Option<String>,
    pub state: Option<String>,
    /// The round read, as a label (`p_member_at`, `support_at`).
    pub at: Option<String>,
    /// The observed value as written, and as a number (a round for a date).
    pub value: String,
    pub expected: f64,
    pub tolerance: f64,
    /// What the run gives (None: a median over no replicate).
    pub observed: Option<f64>,
    /// The observed value as a reader would write it (a date for a join date).
    pub observed_text: String,
    pub met: bool,
    pub source: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StateInfo {
    pub id: String,
    pub name: String,
    pub capability: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PactInfo {
    pub id: String,
    pub name: String,
    pub binding: f64,
    pub issue: String,
    pub admission: String,
    /// Fraction of replicates in which the pact had at least `min_members` members at some round.
    pub p_formed: f64,
    /// The size at which the pact counts as formed, and below which, once formed, it ends.
    pub min_members: u32,
    /// Median first round with at least `min_members` members, among replicates where it formed.
    pub formed_round_median: Option<f64>,
    /// Fraction of replicates in which the pact ended because, once formed, its membership fell
    /// below `min_members` (docs/MODEL.md §5a); a `dissolve` event is counted in `p_dissolved`.
    #[serde(default)]
    pub p_ended: f64,
    /// Fraction of replicates in which it had ended so by each round (index 0 = the start): the
    /// cumulative distribution of the first end.
    #[serde(default)]
    pub p_ended_by_round: Vec<f64>,
    /// Median round of the first end, among replicates where it ended, and the 5th and 95th
    /// percentiles of that round.
    #[serde(default)]
    pub end_round_median: Option<f64>,
    #[serde(default)]
    pub end_round_p05: Option<usize>,
    #[serde(default)]
    pub end_round_p95: Option<usize>,
    /// Fraction of replicates in which a `dissolve` event ended the pact while it was active
    /// (not counting a pact that had already ended).
    #[serde(default)]
    pub p_dissolved: f64,
    /// Members after each round across replicates: 5th percentile, median, 95th percentile.
    pub size_p05: Vec<usize>,
    pub size_median: Vec<usize>,
    pub size_p95: Vec<usize>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventInfo {
    pub id: String,
    pub name: String,
    pub round: u32,
    pub label: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Membership {
    /// Fraction of replicates in which the state is a member after the last round.
    pub p_final: f64,
    /// That fraction after each round; index 0 = before round 1 is played.
    pub p_by_round: Vec<f64>,
    /// Median first round of membership, among replicates where it joined and was not a founder.
    pub join_round_median: Option<f64>,
    /// Fraction of replicates in which it was a member at any round.
    pub p_ever: f64,
    /// Fraction of replicates in which it joined (was not a founder but became a member).
    pub p_joined: f64,
    /// Median rounds from first application to membership, among replicates where it applied and got in.
    pub accession_lag_median: Option<f64>,
    /// How often each action (apply, join, admit, hold, leave, end) was taken with this state as
    /// the actor, summed over all replicates (admit and hold are votes the state cast as a member;
    /// end counts the times it was released from the pact because the pact ended, which is not a
    /// leave).
    pub actions: BTreeMap<String, u64>,
}

impl Summary {
    pub fn new(scenario: &Scenario, tally: &Tally, seed: u64) -> Summary {
        let r_n = scenario.rounds as usize;
        let round_labels = (0..=scenario.rounds).map(|r| scenario.calendar.label(r)).collect();
        let mut membership = BTreeMap::new();
        for (p, pact) in scenario.listed_pacts().map(|(p, pact)| (p.index(), pact)) {
            let mut by_state = BTreeMap::new();
            for (s, state) in scenario.states.iter().enumerate() {
                let k = tally.pair(p, s);
                let join_hist = tally.join_hist(p, s);
                let actions = crate::model::Action::MEMBERSHIP
                    .iter()
                    .map(|&a| (a.name().to_string(), tally.action_count(p, s, a)))
                    .collect();
                by_state.insert(
                    state.id.clone(),
                    Membership {
                        p_final: tally.p_member(r_n, p, s),
                        p_by_round: (0..=r_n).map(|r| tally.p_member(r, p, s)).collect(),
                        join_round_median: median(join_hist),
                        p_ever: tally.frac(tally.ever[k]),
                        p_joined: tally.frac(join_hist.iter().sum()),
                        accession_lag_median: median(tally.lag_hist(p, s)),
                        actions,
                    },
                );
            }
            membership.insert(pact.id.clone(), by_state);
        }
        let pacts = scenario
            .listed_pacts()
            .map(|(p, pact)| (p.index(), pact))
            .map(|(p, pact)| {
                let formed = tally.formed_hist(p);
                let ended = &tally.ended_hist(p)[..=r_n];
                let mut cumulative = 0;
                let p_ended_by_round = ended
                    .iter()
                    .map(|&c| {
                        cumulative += c;
                        tally.frac(cumulative)
                    })
                    .collect();
                let size_q = |q: f64| (0..=r_n).map(|r| quantile(tally.size_hist(r, p), q).unwrap_or(0)).collect();
                PactInfo {
                    id: pact.id.clone(),
                    name: pact.name.clone(),
                    binding: pact.binding,
                    issue: pact.issue.name().to_string(),
                    admission: pact.admission.name().to_string(),
                    p_formed: tally.frac(formed[..=r_n].iter().sum()),
                    min_members: pact.min_members,
                    formed_round_median: median(&formed[..=r_n]),
                    p_ended: tally.frac(ended.iter().sum()),
                    p_ended_by_round,
                    end_round_median: median(ended),
                    end_round_p05: quantile(ended, 0.05),
                    end_round_p95: quantile(ended, 0.95),
                    p_dissolved: tally.frac(tally.dissolved_hist(p)[..=r_n].iter().sum()),
                    size_p05: size_q(0.05),
                    size_median: size_q(0.5),
                    size_p95: size_q(0.95),
                }
            })
            .collect();
        let mut summary = Summary {
            scenario: scenario.name.clone(),
            description: scenario.description.clone(),
            version: env!("CARGO_PKG_VERSION").to_string(),
            model: "pacts".to_string(),
            seed,
            runs: tally.runs,
            first_replicate: tally.first,
            rounds: scenario.rounds,
            round_unit: scenario.calendar.unit.name().to_string(),
            start: scenario
                .calendar
                .start
                .map(|d| format!("{:04}-{:02}-{:02}", d.year, d.month, d.day)),
            scenario_hash: scenario.hash.clone(),
            round_labels,
            states: scenario
                .states
                .iter()
                .map(|s| StateInfo {
                    id: s.id.clone(),
                    name: s.name.clone(),
                    capability: s.capability,
                })
                .collect(),
            pacts,
            events: scenario
                .events
                .iter()
                .map(|e| EventInfo {
                    id: e.id.clone(),
                    name: e.name.clone(),
                    round: e.round,
                    label: scenario.calendar.label(e.round),
                })
                .collect(),
            membership,
            support: scenario
                .states
                .iter()
                .enumerate()
                .map(|(s, st)| (st.id.clone(), (0..=r_n).map(|r| round6(tally.mean_support(r, s))).collect()))
                .collect(),
            targets: Vec::new(),
            templates: Vec::new(),
            formed: BTreeMap::new(),
            kinds: Vec::new(),
        };
        summary.formed = formed(scenario, tally);
        summary.templates = templates(scenario, tally, &summary.formed);
        summary.kinds = kinds(scenario, tally, &summary.formed);
        summary.targets = scenario.targets.iter().map(|t| summary.evaluate(scenario, tally, t)).collect();
        summary
    }

    /// A target against this run's numbers.
    fn evaluate(&self, scenario: &Scenario, tally: &Tally, t: &Target) -> TargetResult {
        let pact = t.pact.map(|p| scenario.pact(p).id.clone());
        let state = t.state.map(|s| scenario.state(s).id.clone());
        let at = t.round.map(|r| scenario.calendar.label(r));
        let membership = match (&pact, &state) {
            (Some(p), Some(s)) => self.get(p, s),
            _ => None,
        };
        let (p, s, when) = (
            pact.clone().unwrap_or_default(),
            state.clone().unwrap_or_default(),
            at.clone().unwrap_or_default(),
        );
        let (label, observed) = match t.statistic {
            Statistic::PFinal => (format!("P({s} in {p} at the end)"), membership.map(|m| m.p_final)),
            Statistic::PMemberAt => (
                format!("P({s} in {p} after {when})"),
                membership.and_then(|m| m.p_by_round.get(t.round.unwrap_or(0) as usize).copied()),
            ),
            Statistic::JoinDateMedian => (format!("median date {s} joins {p}"), membership.and_then(|m| m.join_round_median)),
            Statistic::AccessionLagMedian => (
                format!("median {s} application-to-membership lag in {p} ({})", self.round_unit),
                membership.and_then(|m| m.accession_lag_median),
            ),
            Statistic::ApplyDateMedian => (
                format!("median date {s} applies to {p}"),
                match (t.pact, t.state) {
                    (Some(pi), Some(si)) => median(tally.apply_hist(pi.index(), si.index())),
                    _ => None,
                },
            ),
            Statistic::SupportAt => (
                format!("{s} support for alignment after {when}"),
                self.support.get(&s).and_then(|v| v.get(t.round.unwrap_or(0) as usize).copied()),
            ),
            Statistic::PFormed => (format!("P({p} forms)"), self.pacts.iter().find(|x| x.id == p).map(|x| x.p_formed)),
        };
        let observed_text = match (observed, t.statistic) {
            (None, _) => "none".to_string(),
            (Some(o), Statistic::JoinDateMedian | Statistic::ApplyDateMedian) => {
                format!("{} (round {o})", scenario.calendar.label(o.round() as u32))
            }
            (Some(o), Statistic::AccessionLagMedian) => format!("{o}"),
            (Some(o), _) => format!("{o:.3}"),
        };
        TargetResult {
            label,
            statistic: t.statistic.name().to_string(),
            pact,
            state,
            at,
            value: t.value_text.clone(),
            expected: t.value,
            tolerance: t.tolerance,
            met: observed.is_some_and(|o| (o - t.value).abs() <= t.tolerance),
            observed,
            observed_text,
            source: t.source.clone(),
        }
    }

    /// Membership of one state in one pact, by ids.
    pub fn get(&self, pact: &str, state: &str) -> Option<&Membership> {
        self.membership.get(pact)?.get(state)
    }

    /// The label of a round (a median may fall between two: it is rounded).
    pub fn round_label(&self, r: f64) -> String {
        let i = r.round().max(0.0) as usize;
        self.round_labels.get(i).cloned().unwrap_or_else(|| format!("round {r}"))
    }

    /// How often and when a pact ended because its membership fell below `min_members`, in
    /// words: "ended in 25.7% of replicates (median 2022-05; 5–95%: 2021-02 to 2023-11)"; and
    /// how often an event dissolved it. None when neither happened.
    pub fn end_text(&self, p: &PactInfo) -> Option<String> {
        let mut parts = Vec::new();
        if p.p_ended > 0.0 {
            let mut text = format!("ended in {} of replicates", percent(p.p_ended));
            if let Some(m) = p.end_round_median {
                text.push_str(&format!(" (median {}", self.round_label(m)));
                if let (Some(lo), Some(hi)) = (p.end_round_p05, p.end_round_p95)
                    && lo != hi
                {
                    text.push_str(&format!(
                        "; 5–95%: {} to {}",
                        self.round_label(lo as f64),
                        self.round_label(hi as f64)
                    ));
                }
                text.push(')');
            }
            parts.push(text);
        }
        if p.p_dissolved > 0.0 {
            parts.push(format!("dissolved by an event in {}", percent(p.p_dissolved)));
        }
        (!parts.is_empty()).then(|| parts.join("; "))
    }
}

/// The pacts templates formed, by stable id, from the tally's counts.
fn formed(scenario: &Scenario, tally: &Tally) -> BTreeMap<String, FormedInfo> {
    let r_n = scenario.rounds as usize;
    tally
        .formed_pacts
        .iter()
        .map(|(id, f)| {
            let template = &scenario.templates[usize::from(f.template)];
            let ended = &f.ended_round[..=r_n];
            let info = FormedInfo {
                template: template.id.clone(),
                kind: template.kind.name().to_string(),
                founders: f.founders.clone(),
                rival: f.rival.clone(),
                p_formed: tally.frac(f.replicates),
                formed_round_median: median(&f.formed_round),
                formed_round_p05: quantile(&f.formed_round, 0.05),
                formed_round_p95: quantile(&f.formed_round, 0.95),
                p_ended: tally.frac(ended.iter().sum()),
                end_round_median: median(ended),
                p_alive_by_round: f.alive.iter().map(|&c| tally.frac(c)).collect(),
                size_mean_by_round: f
                    .alive
                    .iter()
                    .zip(&f.size_sum)
                    .map(|(&alive, &sum)| (alive > 0).then(|| sum as f64 / alive as f64))
                    .collect(),
                membership: f
                    .members
                    .iter()
                    .map(|(state, counts)| {
                        let p_by_round: Vec<f64> = counts.iter().map(|&c| tally.frac(c)).collect();
                        (
                            state.clone(),
                            FormedMembership {
                                p_final: p_by_round.last().copied().unwrap_or(0.0),
                                p_by_round,
                            },
                        )
                    })
                    .collect(),
            };
            (id.clone(), info)
        })
        .collect()
}

/// Each template over the run, with its founding sets by frequency.
fn templates(scenario: &Scenario, tally: &Tally, formed: &BTreeMap<String, FormedInfo>) -> Vec<TemplateInfo> {
    let r_n = scenario.rounds as usize;
    scenario
        .templates
        .iter()
        .enumerate()
        .map(|(t, template)| {
            let mut founding_sets: Vec<FoundingSet> = formed
                .iter()
                .filter(|(_, f)| f.template == template.id)
                .map(|(id, f)| FoundingSet {
                    id: id.clone(),
                    founders: f.founders.clone(),
                    p_formed: f.p_formed,
                })
                .collect();
            founding_sets.sort_by(|a, b| b.p_formed.total_cmp(&a.p_formed).then_with(|| a.id.cmp(&b.id)));
            TemplateInfo {
                id: template.id.clone(),
                name: template.name.clone(),
                kind: template.kind.name().to_string(),
                p_formed: tally.frac(tally.template_formed.get(t).copied().unwrap_or(0)),
                alive_mean_by_round: (0..=r_n)
                    .map(|r| tally.frac(tally.template_alive.get(t * (r_n + 1) + r).copied().unwrap_or(0)))
                    .collect(),
                founding_sets,
            }
        })
        .collect()
}

/// Each kind of template the scenario has, in [`TemplateKind::NAMES`] order, from the tally's
/// histograms of the number alive.
fn kinds(scenario: &Scenario, tally: &Tally, formed: &BTreeMap<String, FormedInfo>) -> Vec<KindInfo> {
    let r_n = scenario.rounds as usize;
    if tally.kind_alive.is_empty() {
        return Vec::new();
    }
    TemplateKind::NAMES
        .iter()
        .enumerate()
        .filter_map(|(k, &name)| {
            let templates: Vec<String> = scenario
                .templates
                .iter()
                .filter(|t| t.kind as usize == k)
                .map(|t| t.id.clone())
                .collect();
            if templates.is_empty() {
                return None;
            }
            let hists: Vec<&[u64]> = (0..=r_n).map(|r| tally.kind_hist(k, r)).collect();
            let q = |q: f64| hists.iter().map(|h| quantile(h, q).unwrap_or(0)).collect();
            let moment = |h: &[u64], power: u32| tally.frac(h.iter().enumerate().map(|(c, &n)| (c as u64).pow(power) * n).sum());
            let alive_mean_by_round: Vec<f64> = hists.iter().map(|h| moment(h, 1)).collect();
            Some(KindInfo {
                kind: name.to_string(),
                // A fold from +0: an empty `sum` of f64 is −0.
                formed_mean: formed.values().filter(|f| f.kind == name).fold(0.0, |sum, f| sum + f.p_formed),
                alive_sd_by_round: hists
                    .iter()
                    .zip(&alive_mean_by_round)
                    .map(|(h, m)| (moment(h, 2) - m * m).max(0.0).sqrt())
                    .collect(),
                alive_mean_by_round,
                alive_p05_by_round: q(0.05),
                alive_median_by_round: q(0.5),
                alive_p95_by_round: q(0.95),
                p_any_by_round: hists.iter().map(|h| tally.frac(h.iter().skip(1).sum())).collect(),
                templates,
            })
        })
        .collect()
}

/// A share as a percentage with the precision a share of replicates needs: "26%", "1.7%", "0.1%".
pub fn percent(p: f64) -> String {
    let v = 100.0 * p;
    if v >= 10.0 || v == v.round() {
        format!("{v:.0}%")
    } else {
        format!("{v:.1}%")
    }
}

/// Support is a mean of values stored in millionths: six decimals say all there is.
fn round6(v: f64) -> f64 {
    (v * 1e6).round() / 1e6
}
