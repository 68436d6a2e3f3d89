//! Why a pact was proposed, and why each invitee accepted or declined (docs/MODEL.md §5b): the
//! proposal steps of a run — `propose`, `accept`, `decline`, with the terms the decisions were
//! taken on, exactly as `decisions.csv` logs them — for one proposed pact (its stable id: the
//! template and the states proposed) or every proposal of a template, gathered over replicates.
//!
//! The proposer's utility is the value of the proposed pact against its current options: the
//! pacts it is in enter through marginal protection (the security term), and staying as it is
//! is worth 0; it proposes with the logit probability of that utility. An invitee weighs the
//! pact as proposed (every other invitee in it) by the same rule.

use std::collections::BTreeMap;

use super::StudyError;
use crate::model::{Action, Terms};
use crate::run::{self, RunSpec};
use crate::scenario::Scenario;

/// One logged step of a proposal.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub replicate: u64,
    pub round: u32,
    /// The round's date (or "round N").
    pub label: String,
    /// The stable id of the pact proposed (template and every state proposed).
    pub id: String,
    /// `propose`, `accept` or `decline`.
    pub action: &'static str,
    /// Who decided: the proposer, or an invitee.
    pub state: String,
    pub proposer: String,
    /// The logit probability of the step taken.
    pub probability: f64,
    pub utility: f64,
    /// The terms, in [`Explanation::names`] order.
    pub terms: Vec<f64>,
}

/// One state in one role (proposer, or invitee that accepted or declined), over its steps.
#[derive(Debug, Clone, PartialEq)]
pub struct Role {
    pub state: String,
    /// `propose`, `accept` or `decline`.
    pub action: &'static str,
    /// How many steps (over replicates and rounds).
    pub n: u64,
    /// Mean utility, mean probability of the step taken, mean terms.
    pub utility: f64,
    pub probability: f64,
    pub terms: Vec<f64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Explanation {
    pub scenario: String,
    /// What was asked: a stable id, or a template's id (every proposal of it).
    pub asked: String,
    pub template: String,
    pub runs: u64,
    pub seed: u64,
    pub temperature: f64,
    pub min_members: u32,
    /// Term names: the model's, then the scenario's own shown terms.
    pub names: Vec<String>,
    /// Number of proposals, of them those in which enough accepted for the pact to form, and
    /// the replicates with at least one proposal.
    pub proposals: u64,
    pub formed: u64,
    pub replicates: u64,
    /// Proposers first (most proposals first), then invitees' accepts and declines (by state).
    pub roles: Vec<Role>,
    /// The partners proposed: invitee sets by frequency, (proposer, invitees, count).
    pub invitations: Vec<(String, Vec<String>, u64)>,
    /// Every step, in replicate and round order.
    pub steps: Vec<Step>,
}

/// Explains the proposals of `id` (a stable id such as `CONSULT-AUS-IND-JPN`, or a template id
/// for all of its proposals) over replicates 0..runs of `sc` from `seed`.
pub fn explain(sc: &Scenario, id: &str, seed: u64, runs: u64) -> Result<Explanation, StudyError> {
    if sc.templates.is_empty() {
        return Err(StudyError::Invalid(format!(
            "--proposal {id}: the scenario has no [[template]] tables, so nothing is ever proposed"
        )));
    }
    let template_of = |key: &str| sc.templates.iter().position(|t| t.id == key);
    let whole_template = template_of(id);
    // The template a stable id names: its part before '~' or the first '-'.
    let prefix = id.split(['~', '-']).next().unwrap_or(id);
    let Some(t) = whole_template.or_else(|| template_of(prefix)) else {
        let ids: Vec<&str> = sc.templates.iter().map(|t| t.id.as_str()).collect();
        return Err(StudyError::Invalid(format!(
            "--proposal {id}: no template `{prefix}`; give a template id ({}) or a pact's stable id (TEMPLATE-STATE-STATE…, as summary.json `formed` names it)",
            ids.join(", ")
        )));
    };
    let result = run::run(
        sc,
        &RunSpec {
            seed,
            replicates: 0..runs,
            keep_decisions: runs,
        },
        &|_| {},
    );
    let user: Vec<usize> = (0..sc.user_terms.len()).filter(|&i| sc.user_terms[i].shown()).collect();
    let mut names: Vec<String> = Terms::NAMES.iter().map(|s| s.to_string()).collect();
    names.extend(user.iter().map(|&i| sc.user_terms[i].id.clone()));
    let values = |terms: &Terms| -> Vec<f64> {
        let mut v = terms.values().to_vec();
        v.extend(user.iter().map(|&i| terms.user[i]));
        v
    };
    let mut steps = Vec::new();
    let mut seen: BTreeMap<String, u64> = BTreeMap::new();
    for d in &result.decisions {
        let dec = &d.decision;
        let action = match dec.action {
            Action::Propose => "propose",
            Action::Accept => "accept",
            Action::Decline => "decline",
            _ => continue,
        };
        if sc.pact(dec.pact).template != Some(t as u16) {
            continue;
        }
        let Some(proposed) = &dec.founders else { continue };
        let pid = sc.formed_id(dec.pact, proposed);
        if dec.action == Action::Propose {
            *seen.entry(pid.clone()).or_default() += 1;
        }
        if whole_template.is_none() && pid != id {
            continue;
        }
        let proposer = match dec.applicant {
            Some(p) => sc.state(p).id.clone(),
            None => sc.state(dec.state).id.clone(),
        };
        steps.push(Step {
            replicate: d.replicate,
            round: dec.round,
            label: sc.calendar.label(dec.round),
            id: pid,
            action,
            state: sc.state(dec.state).id.clone(),
            proposer,
            probability: dec.probability,
            utility: dec.terms.utility(),
            terms: values(&dec.terms),
        });
    }
    if steps.is_empty() {
        let mut common: Vec<(&String, &u64)> = seen.iter().collect();
        common.sort_by(|a, b| b.1.cmp(a.1).then_with(|| a.0.cmp(b.0)));
        let list: Vec<String> = common.iter().take(8).map(|(k, n)| format!("{k} ({n})")).collect();
        let what = if list.is_empty() {
            format!("no state proposed a pact of template {} in {runs} replicates", sc.templates[t].id)
        } else {
            format!(
                "the pacts proposed most often (proposals in {runs} replicates): {}",
                list.join(", ")
            )
        };
        return Err(StudyError::Invalid(format!("--proposal {id}: never proposed; {what}")));
    }
    let min_members = sc.templates[t].min_members;
    Ok(gather(sc, id, t, seed, runs, min_members, names, steps))
}

/// Per role: (n, Σ utility, Σ probability, Σ terms).
type RoleSums = (u64, f64, f64, Vec<f64>);

#[allow(clippy::too_many_arguments)]
fn gather(sc: &Scenario, id: &str, t: usize, seed: u64, runs: u64, min_members: u32, names: Vec<String>, steps: Vec<Step>) -> Explanation {
    let k = names.len();
    // (action order, state) → (n, Σ utility, Σ probability, Σ terms)
    let mut sums: BTreeMap<(u8, String), RoleSums> = BTreeMap::new();
    let mut invitations: BTreeMap<(String, Vec<String>), u64> = BTreeMap::new();
    let (mut proposals, mut formed) = (0u64, 0u64);
    let mut replicates = std::collections::BTreeSet::new();
    // A proposal is a `propose` step and the answers that follow it in the log.
    let mut i = 0;
    while i < steps.len() {
        let s = &steps[i];
        let order = match s.action {
            "propose" => 0,
            "accept" => 1,
            _ => 2,
        };
        let e = sums.entry((order, s.state.clone())).or_insert_with(|| (0, 0.0, 0.0, vec![0.0; k]));
        e.0 += 1;
        e.1 += s.utility;
        e.2 += s.probability;
        for (a, v) in e.3.iter_mut().zip(&s.terms) {
            *a += v;
        }
        if s.action == "propose" {
            proposals += 1;
            replicates.insert(s.replicate);
            let mut j = i + 1;
            let mut invitees = Vec::new();
            let mut accepted = 0;
            while j < steps.len() && steps[j].action != "propose" && steps[j].replicate == s.replicate && steps[j].round == s.round {
                invitees.push(steps[j].state.clone());
                accepted += u32::from(steps[j].action == "accept");
                j += 1;
            }
            if 1 + accepted >= min_members {
                formed += 1;
            }
            *invitations.entry((s.state.clone(), invitees)).or_default() += 1;
        }
        i += 1;
    }
    let mut roles: Vec<Role> = sums
        .into_iter()
        .map(|((order, state), (n, u, p, terms))| Role {
            state,
            action: ["propose", "accept", "decline"][usize::from(order)],
            n,
            utility: u / n as f64,
            probability: p / n as f64,
            terms: terms.iter().map(|x| x / n as f64).collect(),
        })
        .collect();
    // Proposers by how often they proposed; invitees by state, accept before decline.
    roles.sort_by(|a, b| {
        let pa = a.action != "propose";
        let pb = b.action != "propose";
        pa.cmp(&pb)
            .then_with(|| {
                if pa {
                    a.state.cmp(&b.state)
                } else {
                    b.n.cmp(&a.n).then_with(|| a.state.cmp(&b.state))
                }
            })
            .then_with(|| a.action.cmp(b.action))
    });
    let mut invitations: Vec<(String, Vec<String>, u64)> = invitations.into_iter().map(|((p, i), n)| (p, i, n)).collect();
    invitations.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| (&a.0, &a.1).cmp(&(&b.0, &b.1))));
    Explanation {
        scenario: sc.name.clone(),
        asked: id.to_string(),
        template: sc.templates[t].id.clone(),
        runs,
        seed,
        temperature: sc.params.temperature,
        min_members,
        names,
        proposals,
        formed,
        replicates: replicates.len() as u64,
        roles,
        invitations,
        steps,
    }
}
