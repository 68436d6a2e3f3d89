//! Every public function of `src/model/terms.rs` on a small hand-computable world, with the
//! expected value worked out from the equations of docs/MODEL.md §2 in a comment.
//!
//! The numbers are deliberately not round, so that the mutations a cargo-mutants run let
//! survive (the nuclear floor switched off or read from the wrong state, the admission vote's
//! added security deleted or its hostility penalty's sign flipped, pooled resources read from the
//! wrong states, credibility's informal share subtracted, a hostile member counted as more of an
//! ally, entrapment's foreign-quarrel filter widened) each change a value checked here.
//!
//! Every check runs twice: on `World::new` (caches of `memo.rs` on) and with the caches off.
//! Defaults used (src/scenario/schema.rs): w_security 4, w_issue 1, w_autonomy 0.4,
//! w_neutrality 1, w_entrapment 0.5, w_provocation 1.5, w_affinity 1, w_support 1, join_cost 0.2,
//! exit_cost 0.2, exit_binding 1.6, w_grievance 1, admission_hostility 3, admission_goodwill 0.4,
//! credibility 0.75 (binding) / 0.25 (informal), obligation_protection defence 1, consultation
//! 0.3, non_aggression 0.1, informal_provocation φ = 0.25, nuclear_floor 0.6.

use pactsim::model::World;
use pactsim::model::terms::{self, Terms, View};
use pactsim::scenario::{self, PactId, Scenario, Source, StateId};

/// The world. States (ids in order):
///
/// | state | c    | κ   | democracy | neutrality | support start/threshold | salience        | resources     |
/// |-------|------|-----|-----------|------------|-------------------------|-----------------|---------------|
/// | A (0) | 0.2  | 1   | yes       | 0.3        | 0.7 / 0.5               | sec 0.9, min 0.6 | min 0.45     |
/// | B (1) | 0.25 | 0.8 | yes       | 0          | 0.5 / 0.5               | sec 0.5, min 0.5 | min 0.35     |
/// | C (2) | 0.15 | 0.6 | no        | 0          | —                       | sec 0.4          | min 0.3      |
/// | R (3) | 0.9  | 1   | no        | 0          | —                       | —                | —            |
/// | D (4) | 0.05 | 1   | yes       | 0          | 0.5 / 0.5               | min 0.9          | min 0.1      |
///
/// Relations (h, d): A–R (0.9, 1.0), A–B (0.4, 0.1), A–C (−0.5, 0.4), B–R (0.5, 0.4),
/// C–R (0.8, 0.7), B–C (−0.2, 0.4); all others 0. D has no relations: an outsider to every
/// pact, whose member sums the world's caches take from the shared outsider sums (`memo.rs`).
///
/// Pacts: NUKE (0) defence, b 0.9, members B C, guarantor B, rivals R, security, q 0.3;
/// TALKS (1) consultation + non-aggression, b 0.35, members B C, guarantor B (but no defence), no
/// rivals, minerals, q 0.7, pooled; LONE (2) defence, b 1, guarantor A, members A only, rivals R;
/// ISSUE (3) no obligations, b 0.5, members B, minerals, q 0.8.
/// Grievance: B holds 0.35 against A.
const WORLD: &str = r#"
[scenario]
name = "terms"
rounds = 1
runs = 1

[model]
bloc_threat = 0.0    # the dyadic terms; the friends' threat has its own test below

[[state]]
id = "A"
capability = 0.2
neutrality = 0.3
support = { start = 0.7, threshold = 0.5 }
issues = { security = 0.9, minerals = 0.6 }
resources = { minerals = 0.45 }

[[state]]
id = "B"
capability = 0.25
commitment = 0.8
issues = { security = 0.5, minerals = 0.5 }
resources = { minerals = 0.35 }

[[state]]
id = "C"
capability = 0.15
commitment = 0.6
democracy = false
issues = { security = 0.4 }
resources = { minerals = 0.3 }

[[state]]
id = "R"
capability = 0.9
democracy = false

[[state]]
id = "D"
capability = 0.05
issues = { minerals = 0.9 }
resources = { minerals = 0.1 }

[[relation]]
between = ["A", "R"]
hostility = 0.9
proximity = 1.0

[[relation]]
between = ["A", "B"]
hostility = 0.4
proximity = 0.1

[[relation]]
between = ["A", "C"]
hostility = -0.5
proximity = 0.4

[[relation]]
between = ["B", "R"]
hostility = 0.5
proximity = 0.4

[[relation]]
between = ["C", "R"]
hostility = 0.8
proximity = 0.7

[[relation]]
between = ["B", "C"]
hostility = -0.2
proximity = 0.4

[[grievance]]
id = "B-A"
holder = "B"
against = "A"
strength = 0.35

[[pact]]
id = "NUKE"
obligations = ["defence"]
binding = 0.9
issue = "security"
issue_gain = 0.3
members = ["B", "C"]
guarantor = "B"
rivals = ["R"]

[[pact]]
id = "TALKS"
obligations = ["consultation", "non_aggression"]
binding = 0.35
issue = "minerals"
issue_gain = 0.7
pooled = true
members = ["B", "C"]
guarantor = "B"

[[pact]]
id = "LONE"
obligations = ["defence"]
binding = 1.0
members = ["A"]
guarantor = "A"
rivals = ["R"]

[[pact]]
id = "ISSUE"
binding = 0.5
issue = "minerals"
issue_gain = 0.8
members = ["B"]
"#;

const A: StateId = StateId(0);
const B: StateId = StateId(1);
const C: StateId = StateId(2);
const R: StateId = StateId(3);
const D: StateId = StateId(4);
const NUKE: PactId = PactId(0);
const TALKS: PactId = PactId(1);
const LONE: PactId = PactId(2);
const ISSUE: PactId = PactId(3);

fn scenario(overrides: &[&str]) -> Scenario {
    let overrides: Vec<String> = overrides.iter().map(|s| s.to_string()).collect();
    scenario::from_source(
        &Source {
            path: "terms.toml".into(),
            text: WORLD.to_string(),
        },
        &overrides,
    )
    .unwrap_or_else(|e| panic!("{e}"))
}

/// Runs `check` on the round-0 world with the caches of `memo.rs` on (as `World::new` builds it)
/// and off (every term from scratch).
fn on_both(sc: &Scenario, check: impl Fn(&World)) {
    let w = World::new(sc);
    check(&w);
    let mut w = World::new(sc);
    w.set_memo(false);
    check(&w);
}

#[track_caller]
fn close(what: &str, actual: f64, expected: f64) {
    assert!(
        (actual - expected).abs() <= 1e-12,
        "{what}: got {actual:.17}, expected {expected:.17}"
    );
}

#[track_caller]
fn close_terms(what: &str, actual: &Terms, expected: &Terms) {
    for ((name, a), e) in Terms::NAMES.iter().zip(actual.values()).zip(expected.values()) {
        close(&format!("{what}: {name}"), a, e);
    }
}

// ---------------------------------------------------------------------------------------------
// The nuclear floor (coverage).

#[test]
fn nuclear_floor_binds_at_the_guarantors_discounted_will() {
    on_both(&scenario(&[]), |w| {
        let v = View::new(w, A, NUKE);
        // A's view of NUKE (other members B, C; rival R):
        // allied = c_B·κ_B·(1 − h_AB⁺) + c_C·κ_C·(1 − h_AC⁺) = 0.25·0.8·(1 − 0.4) + 0.15·0.6·(1 − 0)
        //        = 0.12 + 0.09 = 0.21
        // hostile (rivals only) = h_AR⁺·d_AR·c_R = 0.9·1.0·0.9 = 0.81
        // plain coverage = 0.21 / (0.21 + 0.81) = 0.2058823529...
        // guarantor = B, named by the pact:
        // floor = 0.6·κ_B·(1 − h_AB⁺) = 0.6·0.8·0.6 = 0.288 > 0.2059, so coverage = 0.288.
        // (Floor off: 0.2059; from A itself: 0.6·1·1 = 0.6; floor + will: 1.08; floor / will: 1.25;
        // from the strongest other member, as before the guarantor was named: B, the same.)
        close("allied A NUKE", terms::allied_capability(&v), 0.21);
        close("hostile A NUKE", terms::hostile_capability(&v), 0.81);
        close("coverage A NUKE", terms::coverage(&v), 0.288);
    });
}

#[test]
fn nuclear_floor_gives_the_guarantor_itself_nothing() {
    on_both(&scenario(&[]), |w| {
        let v = View::new(w, B, NUKE);
        // B's view of NUKE: B is the guarantor; its own umbrella does not cover it (before the
        // guarantor was named, the strongest OTHER member, C, was taken as B's guarantor: the US
        // got a nuclear floor from Japan).
        // allied = c_C·κ_C·(1 − h_BC⁺) = 0.15·0.6·(1 − 0) = 0.09 (h_BC = −0.2 → 0)
        // hostile = h_BR·d_BR·c_R = 0.5·0.4·0.9 = 0.18; coverage = 0.09/0.27 = 0.3333...
        // (C as guarantor: 0.6·0.6 = 0.36; B itself: 0.6·0.8 = 0.48.)
        close("allied B NUKE", terms::allied_capability(&v), 0.09);
        close("hostile B NUKE", terms::hostile_capability(&v), 0.18);
        close("guarantor's will for B", v.members.guarantor_will, 0.0);
        close("coverage B NUKE", terms::coverage(&v), 0.09 / 0.27);
        // C's view: guarantor B, floor = 0.6·κ_B·(1 − h_CB⁺) = 0.6·0.8·1 = 0.48 over the plain
        // 0.2/(0.2 + 0.8·0.7·0.9) = 0.2/0.704 = 0.284...
        close("coverage C NUKE", terms::coverage(&View::new(w, C, NUKE)), 0.48);
    });
    // A guarantor that is not (or no longer) a member holds no umbrella over the pact: NUKE with C
    // alone. A's allied = 0.09, hostile 0.81: 0.1, no floor (B named but absent would give 0.288).
    on_both(&scenario(&["pact.NUKE.members=[\"C\"]"]), |w| {
        close("coverage A NUKE without B", terms::coverage(&View::new(w, A, NUKE)), 0.09 / 0.9);
    });
    // The guarantor named, the umbrella switched off: `nuclear = false`.
    on_both(&scenario(&["pact.NUKE.nuclear=false"]), |w| {
        close("coverage C NUKE, off", terms::coverage(&View::new(w, C, NUKE)), 0.2 / 0.704);
    });
}

#[test]
fn nuclear_floor_needs_a_defence_pledge_and_allies() {
    on_both(&scenario(&[]), |w| {
        // TALKS is nuclear but has no defence obligation: no floor. No rivals, so hostile is over
        // all states: B 0.4·0.1·0.25 = 0.01, C (affinity) 0, R 0.81 → 0.82.
        // allied = 0.21 (as in NUKE); coverage = 0.21 / (0.21 + 0.82) = 0.2038834951...
        // (with the floor it would be 0.288)
        let v = View::new(w, A, TALKS);
        close("hostile A TALKS", terms::hostile_capability(&v), 0.82);
        close(
            "coverage A TALKS (no defence, no floor)",
            terms::coverage(&v),
            0.203_883_495_145_631_06,
        );
        // LONE: nuclear, defence, but A is its only member: allied = 0, hostile = 0.81,
        // coverage = 0 / 0.81 = 0 (no guarantor, no floor).
        let v = View::new(w, A, LONE);
        close("allied A LONE", terms::allied_capability(&v), 0.0);
        close("coverage A LONE (no allies)", terms::coverage(&v), 0.0);
    });
}

#[test]
fn coverage_without_a_nuclear_guarantee_is_the_plain_ratio() {
    on_both(&scenario(&["pact.NUKE.nuclear=false"]), |w| {
        let v = View::new(w, A, NUKE);
        // coverage = allied / (allied + hostile) = 0.21 / (0.21 + 0.81) = 0.2058823529411764...
        close("coverage A NUKE, no umbrella", terms::coverage(&v), 0.205_882_352_941_176_46);
        // protection = credibility · strength · coverage = 0.7 · 1 · 0.2058823529 = 0.1441176470...
        close(
            "protection A NUKE, no umbrella",
            terms::protection(&v),
            0.7 * 0.205_882_352_941_176_46,
        );
        // security = 4 · threat_AR · protection = 4 · 0.7363636363 · 0.7 · 0.2058823529 = 0.4244919786...
        close("security A NUKE, no umbrella", terms::security(&v), 0.424_491_978_609_625_6);
    });
}

// ---------------------------------------------------------------------------------------------
// The admission vote.

#[test]
fn admit_terms_of_a_hostile_member_with_a_grievance() {
    on_both(&scenario(&[]), |w| {
        // B votes on A's application to NUKE: the change in B's own value of NUKE, V_B(M ∪ {A}) −
        // V_B(M), M = {B, C}, on each term that depends on the other members.
        // Security: threat_BR = 0.5·0.4·0.9/1.15; credibility 0.7, strength 1; B is the guarantor
        //   (no floor). allied now = c_C·κ_C = 0.09, hostile 0.18: coverage 0.09/0.27;
        //   with A: + c_A·κ_A·(1 − h_BA⁺) = 0.2·1·0.6 = 0.12 → allied 0.21: coverage 0.21/0.39.
        //   B is also in TALKS: uncovered share 1 − p_talks (p_talks = 0.425·0.3·0.09/0.278).
        let t_br = 0.5 * 0.4 * 0.9 / 1.15;
        let uncovered = 1.0 - 0.425 * 0.3 * (0.09 / 0.278);
        let security = 4.0 * t_br * 0.7 * (0.21 / 0.39 - 0.09 / 0.27) * uncovered;
        // Issue (security, q 0.3, B's salience 0.5): reliability now κ_C = 0.6; with A
        //   (c_A·κ_A + c_C·κ_C)/(c_A + c_C) = (0.2 + 0.09)/0.35.
        let issue = 0.5 * 0.3 * ((0.2 + 0.09) / 0.35 - 0.6);
        // Entrapment (b 0.9): C's foreign quarrel for B = h_CR·(1 − h_BR) = 0.8·0.5 = 0.4; A's =
        //   h_AR·(1 − h_BR) = 0.9·0.5 = 0.45. Now −0.5·0.9·0.4; with A −0.5·0.9·(0.2·0.45 + 0.15·0.4)/0.35.
        let entrapment = -0.5 * 0.9 * ((0.2 * 0.45 + 0.15 * 0.4) / 0.35 - 0.4);
        // Affinity: now −h_BC = 0.2; with A (0.2·(−0.4) + 0.15·0.2)/0.35: the hostile applicant
        //   lowers it.
        let affinity = (0.2 * -0.4 + 0.15 * 0.2) / 0.35 - 0.2;
        // grievance = −(1·0.35 + 3·0.4) = −1.55; goodwill = 0.4
        let expected = Terms {
            goodwill: 0.4,
            security,
            issue,
            entrapment,
            affinity,
            grievance: -1.55,
            ..Terms::default()
        };
        close_terms("B admits A", &terms::admit_terms(w, B, A, NUKE), &expected);
        assert!(security > 0.0 && entrapment < 0.0 && affinity < 0.0);
        close(
            "B admits A: utility",
            terms::admit_terms(w, B, A, NUKE).utility(),
            0.4 + security + issue + entrapment + affinity - 1.55,
        );
    });
}

#[test]
fn admit_terms_of_a_friendly_member() {
    on_both(&scenario(&[]), |w| {
        // C votes on A's application to NUKE; M = {B, C}, guarantor B.
        // Security: threat_CR = 0.8·0.7·0.9/1.05 = 0.48; C's allied now c_B·κ_B = 0.2, hostile
        //   0.8·0.7·0.9 = 0.504: coverage 0.2/0.704 = 0.284, lifted by the floor to 0.6·0.8 = 0.48;
        //   with A (h_CA = −0.5, a friend: 1 − 0): allied 0.2 + 0.2 = 0.4 → 0.4/0.904 = 0.442,
        //   still under the floor: A adds no protection (the umbrella already covers C).
        //   C is also in TALKS (no defence): uncovered share 1 − 0.425·0.3·cov_TALKS(C), the same
        //   on both sides, and 0 · anything = 0.
        // Issue (q 0.3, C's salience 0.4): reliability now κ_B = 0.8; with A (0.2 + 0.2)/0.45.
        let issue = 0.4 * 0.3 * ((0.2 + 0.2) / 0.45 - 0.8);
        // Entrapment (b 0.9): B's foreign quarrels for C: h_BR = 0.5 shared by C (h_CR = 0.8):
        //   0.5·0.2 = 0.1; h_BA = 0.4, C has affinity with A: 0.4·1 = 0.4 → 0.4. A's: h_AR = 0.9
        //   → 0.9·0.2 = 0.18; h_AB = 0.4 → 0.4·1 = 0.4 → 0.4.
        //   Now −0.45·0.4; with A −0.45·(0.2·0.4 + 0.25·0.4)/0.45 = −0.45·0.4: no change.
        // Affinity: now −h_CB = 0.2; with A (0.2·0.5 + 0.25·0.2)/0.45 = 0.15/0.45: friendship adds
        //   (before, a friend applicant added nothing but security).
        let affinity = (0.2 * 0.5 + 0.25 * 0.2) / 0.45 - 0.2;
        let expected = Terms {
            goodwill: 0.4,
            issue,
            affinity,
            ..Terms::default()
        };
        close_terms("C admits A", &terms::admit_terms(w, C, A, NUKE), &expected);
        // Without the umbrella, A's capability does add protection for C:
        // 4·0.48·0.7·(0.4/0.904 − 0.2/0.704)·uncovered_C.
    });
    on_both(&scenario(&["pact.NUKE.nuclear=false"]), |w| {
        let v = View::new(w, C, NUKE);
        let uncovered = terms::uncovered_share(&v);
        let security = 4.0 * 0.48 * 0.7 * (0.4 / 0.904 - 0.2 / 0.704) * uncovered;
        close(
            "C admits A, no umbrella: security",
            terms::admit_terms(w, C, A, NUKE).security,
            security,
        );
        assert!(security > 0.1, "{security}");
    });
}

#[test]
fn admit_terms_without_rivals_read_the_members_whole_threat() {
    on_both(&scenario(&[]), |w| {
        // B votes on A's application to TALKS (no rivals, no defence, pooled minerals).
        // Security: threat_B = threat_BA + threat_BR = 0.4·0.1·0.2/0.45 + 0.5·0.4·0.9/1.15;
        //   credibility 0.425, strength 0.3; hostile (all states) = 0.188; allied now 0.09,
        //   with A 0.21: coverage 0.09/0.278 → 0.21/0.398. NUKE covers R's share of TALKS's threat
        //   (overlap threat_BR/threat_B) with protection 0.7·(0.09/0.27) (B is its guarantor).
        let (t_ba, t_br) = (0.4 * 0.1 * 0.2 / 0.45, 0.5 * 0.4 * 0.9 / 1.15);
        let uncovered = 1.0 - t_br / (t_ba + t_br) * 0.7 * (0.09 / 0.27);
        let security = 4.0 * (t_ba + t_br) * 0.425 * 0.3 * (0.21 / 0.398 - 0.09 / 0.278) * uncovered;
        // Issue (minerals, q 0.7, B's salience 0.5, pooled): reliability 0.6 → 0.29/0.35; pool
        //   r_C + r_B = 0.3 + 0.35 = 0.65 → with A 0.45 + 0.3 + 0.35 = 1.1, capped at 1.
        let issue = 0.5 * 0.7 * ((0.29 / 0.35) * 1.0 - 0.6 * 0.65);
        let expected = Terms {
            goodwill: 0.4,
            security,
            issue,
            affinity: (0.2 * -0.4 + 0.15 * 0.2) / 0.35 - 0.2,
            grievance: -1.55,
            ..Terms::default()
        };
        close_terms("B admits A to TALKS", &terms::admit_terms(w, B, A, TALKS), &expected);
    });
}

// ---------------------------------------------------------------------------------------------
// Threat.

#[test]
fn threat_from_each_state() {
    on_both(&scenario(&[]), |w| {
        // threat_AR = h·d·c_R/(c_A + c_R) = 0.9·1.0·0.9/1.1 = 0.7363636363...
        close("threat A←R", terms::threat_from(w, A, R), 0.736_363_636_363_636_3);
        // threat_AB = 0.4·0.1·0.25/0.45 = 0.0222222222...
        close("threat A←B", terms::threat_from(w, A, B), 0.022_222_222_222_222_22);
        // threat_BA = 0.4·0.1·0.2/0.45 = 0.0177777777... (relative capability is not symmetric)
        close("threat B←A", terms::threat_from(w, B, A), 0.017_777_777_777_777_78);
        // affinity (h_AC = −0.5) poses no threat; nor does a state to itself.
        close("threat A←C", terms::threat_from(w, A, C), 0.0);
        close("threat A←A", terms::threat_from(w, A, A), 0.0);
        // threat_A = 0.0222222222 + 0 + 0.7363636364 = 0.7585858585...
        close("threat A", terms::threat(w, A), 0.758_585_858_585_858_6);
        // threat_C = threat_CR = 0.8·0.7·0.9/1.05 = 0.48 (h_CB, h_CA are affinities)
        close("threat C", terms::threat(w, C), 0.48);
        close("threat R", terms::threat(w, R), {
            // threat_RA + threat_RB + threat_RC = 0.9·1·0.2/1.1 + 0.5·0.4·0.25/1.15 + 0.8·0.7·0.15/1.05
            // = 0.1636363636 + 0.0434782609 + 0.08 = 0.2871146245...
            0.163_636_363_636_363_64 + 0.043_478_260_869_565_22 + 0.08
        });
    });
}

#[test]
fn relevant_threat_adds_lambda_times_the_friends_threat() {
    on_both(&scenario(&["model.bloc_threat=0.5"]), |w| {
        // A's only friend is C (h_AC = −0.5, a_AC = 0.5); threat_C = threat_CR = 0.48, all of it
        // from R. B_A = 0.5·0.48 = 0.24 over all threat, and the same from NUKE's rival R.
        // (B is hostile to A: no friend. R: no friend.)
        close("bloc A", w.bloc_threat[A.index()], 0.24);
        // NUKE: 0.7363636363... + λ·0.24 = 0.7363636363... + 0.12
        close(
            "relevant A NUKE",
            terms::relevant_threat(&View::new(w, A, NUKE)),
            0.736_363_636_363_636_3 + 0.12,
        );
        // TALKS (no rivals): threat_A + λ·B_A = 0.7585858585... + 0.12; the felt threat too.
        close(
            "relevant A TALKS",
            terms::relevant_threat(&View::new(w, A, TALKS)),
            0.758_585_858_585_858_6 + 0.12,
        );
        close("felt A", terms::felt_threat(w, A), 0.758_585_858_585_858_6 + 0.12);
        // C's friends: A (0.5) and B (0.2). threat_A from R = 0.7363636..., threat_B from R =
        // 0.5·0.4·0.9/1.15 = 0.1565217391...; B_C(R) = 0.5·0.7363636... + 0.2·0.1565217391...
        close(
            "relevant C NUKE",
            terms::relevant_threat(&View::new(w, C, NUKE)),
            0.48 + 0.5 * (0.5 * 0.736_363_636_363_636_3 + 0.2 * (0.5 * 0.4 * 0.9 / 1.15)),
        );
    });
}

#[test]
fn relevant_threat_with_and_without_rivals() {
    on_both(&scenario(&[]), |w| {
        // NUKE names R: only threat_AR = 0.7363636363...
        close(
            "relevant A NUKE",
            terms::relevant_threat(&View::new(w, A, NUKE)),
            0.736_363_636_363_636_3,
        );
        // TALKS names no rivals: the whole threat_A = 0.7585858585...
        close(
            "relevant A TALKS",
            terms::relevant_threat(&View::new(w, A, TALKS)),
            0.758_585_858_585_858_6,
        );
    });
}

// ---------------------------------------------------------------------------------------------
// Credibility, obligation strength, protection, security.

#[test]
fn credibility_interpolates_binding_and_informal() {
    on_both(&scenario(&[]), |w| {
        // NUKE: 0.9·0.75 + (1 − 0.9)·0.25 = 0.675 + 0.025 = 0.7
        close("credibility NUKE", terms::credibility(w, NUKE), 0.7);
        // TALKS: 0.35·0.75 + 0.65·0.25 = 0.2625 + 0.1625 = 0.425 (minus would give 0.1)
        close("credibility TALKS", terms::credibility(w, TALKS), 0.425);
        // LONE: 1·0.75 + 0 = 0.75
        close("credibility LONE", terms::credibility(w, LONE), 0.75);
        // ISSUE: 0.5·0.75 + 0.5·0.25 = 0.5
        close("credibility ISSUE", terms::credibility(w, ISSUE), 0.5);
    });
}

#[test]
fn obligation_strength_is_the_strongest_obligation() {
    on_both(&scenario(&[]), |w| {
        let sc = w.scenario;
        close("strength NUKE (defence)", terms::obligation_strength(w, sc.pact(NUKE)), 1.0);
        // max(consultation 0.3, non_aggression 0.1) = 0.3
        close("strength TALKS", terms::obligation_strength(w, sc.pact(TALKS)), 0.3);
        close("strength ISSUE (none)", terms::obligation_strength(w, sc.pact(ISSUE)), 0.0);
    });
}

#[test]
fn protection_and_security() {
    on_both(&scenario(&[]), |w| {
        let v = View::new(w, A, NUKE);
        // protection = 0.7 · 1 · 0.288 = 0.2016
        close("protection A NUKE", terms::protection(&v), 0.2016);
        // security = 4 · 0.7363636363 · 0.2016 = 0.5938036363...
        close("security A NUKE", terms::security(&v), 0.593_803_636_363_636_3);
        let v = View::new(w, A, TALKS);
        // protection = 0.425 · 0.3 · 0.2038834951 = 0.0259951456...
        close("protection A TALKS", terms::protection(&v), 0.025_995_145_631_067_96);
        // security = 4 · 0.7585858585 · 0.0259951456 = 0.0788781994...
        close("security A TALKS", terms::security(&v), 0.078_878_199_470_432_47);
        // LONE: no allies, coverage 0, security 0.
        close("security A LONE", terms::security(&View::new(w, A, LONE)), 0.0);
    });
}

#[test]
fn security_counts_only_the_protection_a_pact_adds_to_the_others() {
    on_both(&scenario(&[]), |w| {
        // B is in NUKE (defence, rivals R) and TALKS (consultation, no rivals).
        // protection_NUKE(B) = credibility 0.7 · 1 · coverage 1/3 (B is the guarantor: no floor)
        // protection_TALKS(B) = 0.425 · 0.3 · coverage, coverage = allied 0.09 / (0.09 + hostile):
        //   hostile over all states = h_BA·d·c_A + h_BR·d·c_R = 0.4·0.1·0.2 + 0.5·0.4·0.9 = 0.188
        //   → 0.09 / 0.278 = 0.3237410071...; protection = 0.0412769784...
        let (v_nuke, v_talks) = (View::new(w, B, NUKE), View::new(w, B, TALKS));
        let p_talks = 0.425 * 0.3 * (0.09 / 0.278);
        let p_nuke = 0.7 * (0.09 / 0.27);
        close("protection B TALKS", terms::protection(&v_talks), p_talks);
        close("protection B NUKE", terms::protection(&v_nuke), p_nuke);
        // NUKE's threat (from R) is all answered by TALKS (no rivals): overlap 1.
        close("overlap TALKS in NUKE", terms::threat_overlap(&v_nuke, &v_talks), 1.0);
        // TALKS answers all of B's threat; NUKE only R's part of it:
        // threat_BR = 0.5·0.4·0.9/1.15 = 0.1565217391..., threat_BA = 0.4·0.1·0.2/0.45 = 0.0177777...
        let (t_br, t_ba) = (0.5 * 0.4 * 0.9 / 1.15, 0.4 * 0.1 * 0.2 / 0.45);
        close(
            "overlap NUKE in TALKS",
            terms::threat_overlap(&v_talks, &v_nuke),
            t_br / (t_br + t_ba),
        );
        // security_NUKE(B) = 4 · threat_BR · p_nuke · (1 − 1 · p_talks)
        close("uncovered B NUKE", terms::uncovered_share(&v_nuke), 1.0 - p_talks);
        close("marginal B NUKE", terms::marginal_protection(&v_nuke), p_nuke * (1.0 - p_talks));
        close("security B NUKE", terms::security(&v_nuke), 4.0 * t_br * p_nuke * (1.0 - p_talks));
        // security_TALKS(B) = 4 · threat_B · p_talks · (1 − overlap · p_nuke)
        let overlap = t_br / (t_br + t_ba);
        close(
            "security B TALKS",
            terms::security(&v_talks),
            4.0 * (t_br + t_ba) * p_talks * (1.0 - overlap * p_nuke),
        );
        // A is in LONE only, which protects it not at all (no allies): nothing is discounted.
        close("uncovered A NUKE", terms::uncovered_share(&View::new(w, A, NUKE)), 1.0);
    });
    // Two pacts naming different rivals: the overlap is the share of P's rival threat from rivals
    // Q names too. NUKE names R; made to name B and R, A's overlap of it in a pact naming R only
    // is threat_AR / (threat_AB + threat_AR).
    on_both(&scenario(&["pact.LONE.rivals=[\"R\", \"B\"]"]), |w| {
        let (nuke, lone) = (View::new(w, A, NUKE), View::new(w, A, LONE));
        let (t_ar, t_ab) = (0.9 * 1.0 * 0.9 / 1.1, 0.4 * 0.1 * 0.25 / 0.45);
        close("overlap NUKE in LONE", terms::threat_overlap(&lone, &nuke), t_ar / (t_ab + t_ar));
        close("overlap LONE in NUKE", terms::threat_overlap(&nuke, &lone), 1.0);
    });
}

// ---------------------------------------------------------------------------------------------
// Allied and hostile capability.

#[test]
fn allied_capability_discounts_hostile_members() {
    on_both(&scenario(&[]), |w| {
        // A in ISSUE (member B only): c_B·κ_B·(1 − h_AB⁺) = 0.25·0.8·0.6 = 0.12
        // (1 + h⁺ would give 0.28)
        close("allied A ISSUE", terms::allied_capability(&View::new(w, A, ISSUE)), 0.12);
        // C in ISSUE: 0.25·0.8·(1 − 0) = 0.2 (h_CB = −0.2: affinity is not more than an ally)
        close("allied C ISSUE", terms::allied_capability(&View::new(w, C, ISSUE)), 0.2);
    });
}

#[test]
fn hostile_capability_over_rivals_or_all_states() {
    on_both(&scenario(&[]), |w| {
        // All states, for R: h_RA·d·c_A + h_RB·d·c_B + h_RC·d·c_C
        //   = 0.9·1·0.2 + 0.5·0.4·0.25 + 0.8·0.7·0.15 = 0.18 + 0.05 + 0.084 = 0.314
        close("hostile R, all", terms::hostile_capability_sum(w, R, None), 0.314);
        // Only rival B, for R: 0.05
        close("hostile R, rivals [B]", terms::hostile_capability_sum(w, R, Some(&[B])), 0.05);
        // A state is not its own rival: rivals [A, B] seen by A count only B: 0.4·0.1·0.25 = 0.01
        close("hostile A, rivals [A, B]", terms::hostile_capability_sum(w, A, Some(&[A, B])), 0.01);
    });
}

// ---------------------------------------------------------------------------------------------
// Issue gains.

#[test]
fn partner_reliability_is_the_weighted_commitment() {
    on_both(&scenario(&[]), |w| {
        // A in NUKE: (c_B κ_B + c_C κ_C)/(c_B + c_C) = (0.2 + 0.09)/0.4 = 0.725
        close("reliability A NUKE", terms::partner_reliability(&View::new(w, A, NUKE)), 0.725);
        // B in NUKE: only C: 0.09/0.15 = 0.6
        close("reliability B NUKE", terms::partner_reliability(&View::new(w, B, NUKE)), 0.6);
        // A in LONE: no partners → 1
        close("reliability A LONE", terms::partner_reliability(&View::new(w, A, LONE)), 1.0);
    });
}

#[test]
fn issue_gain_plain_and_pooled() {
    on_both(&scenario(&[]), |w| {
        // NUKE (security, not pooled), A: w_issue · s_A,sec · q · ρ = 1 · 0.9 · 0.3 · 0.725 = 0.19575
        close("issue A NUKE", terms::issue_gain(&View::new(w, A, NUKE)), 0.19575);
        // ISSUE (minerals, not pooled), A: 1 · 0.6 · 0.8 · (0.2/0.25 = 0.8) = 0.384
        close("issue A ISSUE", terms::issue_gain(&View::new(w, A, ISSUE)), 0.384);
        // TALKS (minerals, pooled), A outside: pool = r_B + r_C + r_A = 0.35 + 0.3 + 0.45 = 1.1,
        // capped at 1: 1 · 0.6 · 0.7 · 0.725 · 1 = 0.3045
        close("issue A TALKS (pool capped)", terms::issue_gain(&View::new(w, A, TALKS)), 0.3045);
        // TALKS, B a member: pool = r_C + r_B = 0.3 + 0.35 = 0.65; ρ = 0.6:
        // 1 · 0.5 · 0.7 · 0.6 · 0.65 = 0.1365
        close("issue B TALKS (pooled)", terms::issue_gain(&View::new(w, B, TALKS)), 0.1365);
    });
    // With smaller resources nothing is capped. A outside TALKS: pool = 0.1 + 0.3 + 0.2 = 0.6 (not
    // A's 0.2 alone, nor the members' 0.4 alone): 1 · 0.6 · 0.7 · 0.725 · 0.6 = 0.1827
    let sc = scenario(&["state.A.resources.minerals=0.2", "state.B.resources.minerals=0.1"]);
    on_both(&sc, |w| {
        close("issue A TALKS (pooled)", terms::issue_gain(&View::new(w, A, TALKS)), 0.1827);
    });
}

// ---------------------------------------------------------------------------------------------
// Costs.

#[test]
fn autonomy_cost_by_depth() {
    on_both(&scenario(&[]), |w| {
        // NUKE: −0.4 · 0.9 · 1 = −0.36
        close("autonomy A NUKE", terms::autonomy_cost(&View::new(w, A, NUKE)), -0.36);
        // TALKS: −0.4 · 0.35 · 0.3 = −0.042
        close("autonomy A TALKS", terms::autonomy_cost(&View::new(w, A, TALKS)), -0.042);
        // ISSUE has no obligations: depth 0.3: −0.4 · 0.5 · 0.3 = −0.06
        close("autonomy A ISSUE", terms::autonomy_cost(&View::new(w, A, ISSUE)), -0.06);
    });
    // Adding a clause never makes a pact shallower: the minerals pact TALKS with a
    // non-aggression clause alone keeps the issue depth 0.3 (before: 0.1, below the 0.3 of no
    // clause at all); a security pact whose only obligation is non-aggression has depth 0.1.
    on_both(
        &scenario(&[
            "pact.TALKS.obligations=[\"non_aggression\"]",
            "pact.NUKE.obligations=[\"non_aggression\"]",
            "pact.ISSUE.obligations=[\"neutrality\"]",
        ]),
        |w| {
            close(
                "autonomy A TALKS, n-a",
                terms::autonomy_cost(&View::new(w, A, TALKS)),
                -0.4 * 0.35 * 0.3,
            );
            close("autonomy A ISSUE, neutrality", terms::autonomy_cost(&View::new(w, A, ISSUE)), -0.06);
            close(
                "autonomy A NUKE, n-a",
                terms::autonomy_cost(&View::new(w, A, NUKE)),
                -0.4 * 0.9 * 0.1,
            );
        },
    );
}

#[test]
fn neutrality_cost() {
    on_both(&scenario(&[]), |w| {
        // NUKE: −1 · 0.3 · 0.9 · 1 = −0.27
        close("neutrality A NUKE", terms::neutrality_cost(&View::new(w, A, NUKE)), -0.27);
        // TALKS: −1 · 0.3 · 0.35 · 0.3 = −0.0315
        close("neutrality A TALKS", terms::neutrality_cost(&View::new(w, A, TALKS)), -0.0315);
        // ISSUE: obligation strength 0 → 0; B has no neutrality tradition → 0.
        close("neutrality A ISSUE", terms::neutrality_cost(&View::new(w, A, ISSUE)), 0.0);
        close("neutrality B NUKE", terms::neutrality_cost(&View::new(w, B, NUKE)), 0.0);
    });
}

#[test]
fn foreign_quarrel_discounts_quarrels_the_state_shares() {
    on_both(&scenario(&[]), |w| {
        let all = || w.scenario.state_ids();
        // B's quarrels, seen by A, over j ∉ {A, B}: j = C: h_BC⁺ = 0 → 0;
        // j = R: h_BR⁺·(1 − h_AR⁺) = 0.5·(1 − 0.9) = 0.05. Max = 0.05.
        // (B's hostility to A itself, 0.4, is not a foreign quarrel.)
        close("quarrel A, B", terms::foreign_quarrel(w, A, B, all()), 0.05);
        // C's, seen by A: j = R: 0.8·(1 − 0.9) = 0.08; j = B: h_CB⁺ = 0. Max = 0.08.
        close("quarrel A, C", terms::foreign_quarrel(w, A, C, all()), 0.08);
        // R's, seen by B: j = A: 0.9·(1 − 0) = 0.9 (h_BA = 0.4 → 1 − 0.4 = 0.6: 0.54);
        // j = C: 0.8·(1 − h_BC⁺ = 1) = 0.8. Max = max(0.54, 0.8) = 0.8.
        close("quarrel B, R", terms::foreign_quarrel(w, B, R, all()), 0.8);
        // Only the candidates given are read: R's with A alone, seen by B: 0.9·0.6 = 0.54.
        close("quarrel B, R over [A]", terms::foreign_quarrel(w, B, R, [A].into_iter()), 0.54);
    });
}

#[test]
fn entrapment_weights_foreign_quarrels_by_capability() {
    on_both(&scenario(&[]), |w| {
        // NUKE (defence, b 0.9), A: −0.5 · 0.9 · (c_B·0.05 + c_C·0.08)/(c_B + c_C)
        //   = −0.45 · (0.0125 + 0.012)/0.4 = −0.45 · 0.06125 = −0.0275625
        // (counting B's quarrel with A itself, 0.4, would give −0.45·(0.1 + 0.012)/0.4 = −0.126)
        close("entrapment A NUKE", terms::entrapment(&View::new(w, A, NUKE)), -0.0275625);
        // TALKS has no defence obligation: 0. LONE has no other member: 0.
        close("entrapment A TALKS", terms::entrapment(&View::new(w, A, TALKS)), 0.0);
        close("entrapment A LONE", terms::entrapment(&View::new(w, A, LONE)), 0.0);
        // B in NUKE: only C; C's quarrels seen by B: j = R: 0.8·(1 − 0.5) = 0.4; j = A: h_CA⁺ = 0.
        // −0.5 · 0.9 · 0.15·0.4/0.15 = −0.18
        close("entrapment B NUKE", terms::entrapment(&View::new(w, B, NUKE)), -0.18);
    });
}

#[test]
fn provocation_of_the_rivals() {
    on_both(&scenario(&[]), |w| {
        // NUKE, A: formality = 0.25 + 0.75·0.9 = 0.925;
        // exposure = d_AR · c_R/(c_A + c_R) · (1 − h_AR⁺) = 1 · 0.9/1.1 · 0.1 = 0.0818181818
        // provocation = −1.5 · 0.925 · 0.0818181818 = −0.1135227272...
        close(
            "provocation A NUKE",
            terms::provocation(&View::new(w, A, NUKE)),
            -0.113_522_727_272_727_25,
        );
        // NUKE, B: exposure = 0.4 · 0.9/1.15 · (1 − 0.5) = 0.1565217391
        // provocation = −1.5 · 0.925 · 0.1565217391 = −0.2171739130...
        close(
            "provocation B NUKE",
            terms::provocation(&View::new(w, B, NUKE)),
            -0.217_173_913_043_478_36,
        );
        // TALKS has no rivals: 0.
        close("provocation A TALKS", terms::provocation(&View::new(w, A, TALKS)), 0.0);
    });
}

#[test]
fn affinity_with_the_members() {
    on_both(&scenario(&[]), |w| {
        // NUKE, A: (c_B·(−h_AB) + c_C·(−h_AC))/(c_B + c_C) = (0.25·(−0.4) + 0.15·0.5)/0.4
        //   = (−0.1 + 0.075)/0.4 = −0.0625
        close("affinity A NUKE", terms::affinity(&View::new(w, A, NUKE)), -0.0625);
        // NUKE, B: only C: 0.15·0.2/0.15 = 0.2
        close("affinity B NUKE", terms::affinity(&View::new(w, B, NUKE)), 0.2);
        // LONE: no other member: 0
        close("affinity A LONE", terms::affinity(&View::new(w, A, LONE)), 0.0);
    });
}

#[test]
fn support_binds_democracies_only() {
    on_both(&scenario(&[]), |w| {
        // A (democracy): 1 · 0.9 · (0.7 − 0.5) = 0.18
        close("support A NUKE", terms::support(&View::new(w, A, NUKE)), 0.18);
        // A in TALKS: 1 · 0.35 · 0.2 = 0.07
        close("support A TALKS", terms::support(&View::new(w, A, TALKS)), 0.07);
        // C is not a democracy: 0 (it would be 0.9 · (0.5 − 0.5) = 0 anyway, so use R's view with
        // a support start that would count: see below).
        close("support C NUKE", terms::support(&View::new(w, C, NUKE)), 0.0);
    });
    // R, not a democracy, with support 0.9 over a threshold of 0.2: still 0.
    let sc = scenario(&["state.R.support.start=0.9", "state.R.support.threshold=0.2"]);
    on_both(&sc, |w| {
        close("support R NUKE", terms::support(&View::new(w, R, NUKE)), 0.0);
    });
    // The same as a democracy: 1 · 0.9 · (0.9 − 0.2) = 0.63
    let sc = scenario(&[
        "state.R.support.start=0.9",
        "state.R.support.threshold=0.2",
        "state.R.democracy=true",
    ]);
    on_both(&sc, |w| {
        close("support R NUKE, democracy", terms::support(&View::new(w, R, NUKE)), 0.63);
    });
}

// ---------------------------------------------------------------------------------------------
// Membership value, joining, leaving.

/// A's membership value of NUKE, term by term (from the tests above).
fn a_nuke_value() -> Terms {
    Terms {
        security: 0.593_803_636_363_636_3,
        issue: 0.19575,
        autonomy: -0.36,
        neutrality: -0.27,
        entrapment: -0.0275625,
        provocation: -0.113_522_727_272_727_25,
        affinity: -0.0625,
        support: 0.18,
        ..Terms::default()
    }
}

#[test]
fn membership_value_join_and_leave() {
    on_both(&scenario(&[]), |w| {
        let value = a_nuke_value();
        close_terms("value A NUKE", &terms::membership_value(w, A, NUKE), &value);
        // sum = 0.5938036364 + 0.19575 − 0.36 − 0.27 − 0.0275625 − 0.1135227273 − 0.0625 + 0.18
        //     = 0.1359684091
        close(
            "value A NUKE: utility",
            terms::membership_value(w, A, NUKE).utility(),
            0.135_968_409_090_909_07,
        );
        // join: the same terms and switching = −join_cost = −0.2; utility = −0.0640315909
        let join = Terms { switching: -0.2, ..value };
        close_terms("join A NUKE", &terms::join_terms(w, A, NUKE), &join);
        close(
            "join A NUKE: utility",
            terms::join_terms(w, A, NUKE).utility(),
            -0.064_031_590_909_090_94,
        );
        // leave: every term negated, switching = −(0.2 + 1.6·0.9) = −1.64;
        // utility = −0.1359684091 − 1.64 = −1.7759684091
        let leave = Terms {
            switching: -1.64,
            ..value.negated()
        };
        close_terms("leave A NUKE", &terms::leave_terms(w, A, NUKE), &leave);
        close(
            "leave A NUKE: utility",
            terms::leave_terms(w, A, NUKE).utility(),
            -1.775_968_409_090_909_1,
        );
        // An informal pact is cheap to leave: ISSUE (b 0.5): −(0.2 + 1.6·0.5) = −1.0
        close("leave A ISSUE: switching", terms::leave_terms(w, A, ISSUE).switching, -1.0);
    });
}

// ---------------------------------------------------------------------------------------------
// An outsider (D: no relations), whose member sums the caches share between such states.

#[test]
fn an_outsiders_member_sums() {
    on_both(&scenario(&[]), |w| {
        let v = View::new(w, D, NUKE);
        // allied = 0.25·0.8 + 0.15·0.6 = 0.29 (no hostility to discount); hostile = 0 (h_DR = 0)
        close("allied D NUKE", terms::allied_capability(&v), 0.29);
        close("hostile D NUKE", terms::hostile_capability(&v), 0.0);
        // coverage = 0.29/0.29 = 1 (the floor, 0.6·0.8 = 0.48, is below it; a floor is at most 1,
        // so an outsider's guarantor, hostile to no one, never shows)
        close("coverage D NUKE", terms::coverage(&v), 1.0);
        // reliability = (0.2 + 0.09)/0.4 = 0.725
        close("reliability D NUKE", terms::partner_reliability(&v), 0.725);
        // D shares no quarrel: B's worst is h_BR = 0.5 (h_BA = 0.4 is less), C's is h_CR = 0.8:
        // entrapment = −0.5·0.9·(0.25·0.5 + 0.15·0.8)/0.4 = −0.45·0.6125 = −0.275625
        close("entrapment D NUKE", terms::entrapment(&v), -0.275625);
        // affinity = (0.25·0 + 0.15·0)/0.4 = 0
        close("affinity D NUKE", terms::affinity(&v), 0.0);
        // TALKS: pool = r_B + r_C + r_D = 0.35 + 0.3 + 0.1 = 0.75;
        // issue = 1 · 0.9 · 0.7 · 0.725 · 0.75 = 0.34256250
        close("issue D TALKS", terms::issue_gain(&View::new(w, D, TALKS)), 0.342_562_5);
    });
}

/// S faces no threat of its own; its friend F (affinity 1) is threatened by R. S is in Q (defence,
/// aimed at R) with G, and weighs P (no rivals) and P2 (aimed at R and T).
const FRIEND: &str = r#"
[scenario]
name = "overlap"
rounds = 1
runs = 1

[[state]]
id = "S"
capability = 0.1
democracy = false

[[state]]
id = "F"
capability = 0.1
democracy = false

[[state]]
id = "R"
capability = 0.3
democracy = false

[[state]]
id = "T"
capability = 0.3
democracy = false

[[state]]
id = "G"
capability = 0.5
democracy = false

[[relation]]
between = ["S", "F"]
hostility = -1.0
proximity = 0.5

[[relation]]
between = ["F", "R"]
hostility = 1.0
proximity = 1.0

[[pact]]
id = "Q"
obligations = ["defence"]
binding = 1.0
members = ["S", "G"]
rivals = ["R"]

[[pact]]
id = "P"
obligations = ["consultation"]
binding = 0.5
members = ["G"]

[[pact]]
id = "P2"
obligations = ["defence"]
binding = 1.0
members = ["G"]
rivals = ["R", "T"]
"#;

#[test]
fn threat_overlap_when_the_state_faces_no_threat_of_its_own() {
    let sc = scenario::from_source(
        &Source {
            path: "overlap.toml".into(),
            text: FRIEND.to_string(),
        },
        &[],
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let (s, q, p, p2) = (StateId(0), PactId(0), PactId(1), PactId(2));
    on_both(&sc, |w| {
        assert_eq!(w.threat[s.index()], 0.0);
        let (vq, vp, vp2) = (View::new(w, s, q), View::new(w, s, p), View::new(w, s, p2));
        // P names no rivals and S has no threat of its own: no share of it comes from R (0), though
        // S feels its friend's (relevant threat λ·B > 0).
        assert!(terms::relevant_threat(&vp) > 0.0);
        close("overlap of Q in P", terms::threat_overlap(&vp, &vq), 0.0);
        // P2 names R and T, neither of which threatens S: the share of P2's rivals Q names, 1/2.
        close("overlap of Q in P2", terms::threat_overlap(&vp2, &vq), 0.5);
        // Q protects S (G's capability against R's, no own hostile capability: coverage 1), so
        // P2's security for S is discounted by (1 − ½ · protection_Q).
        let protection_q = terms::protection(&vq);
        assert!(protection_q > 0.0);
        close("uncovered S in P2", terms::uncovered_share(&vp2), 1.0 - 0.5 * protection_q);
    });
}
