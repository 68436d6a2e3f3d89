//! Every public function of `src/model/terms.rs` on a small hand-computable world, with the
//! expected value worked out from the equations of docs/MODEL.md §2 in a comment.
//!
//! The numbers are deliberately not round, so that plausible mutations each change a value
//! checked here: the nuclear guarantee switched off, read from the wrong state, or combined with
//! coverage by a max instead of 1 − (1 − coverage)(1 − floor × will); the contest share P/(c + P)
//! written P/c; the friends' pressure divided by Σ a·c alone or by c_s alone; provocation summed
//! rival by rival or divided by c_s alone; the opposing capability read with hostility or
//! proximity; entrapment counting a quarrel with the pact's own rival; threat overlap taken over
//! threats instead of pressures; the admission vote's added security deleted or its hostility
//! penalty's sign flipped; pooled resources read from the wrong states; credibility's informal
//! share subtracted; a hostile member counted as more of an ally.
//!
//! Units (issue 19): pressure_from(s←j) = h⁺·d·c_j (capability units, additive over states);
//! a threat is the contest share contest(P, c_s) = P/(c_s + P).
//!
//! Every check runs twice: on `World::new` (caches of `memo.rs` on) and with the caches off.
//! Defaults used (src/scenario/schema.rs): w_security 4, w_issue 1, w_autonomy 0.4,
//! w_neutrality 1, w_entrapment 0.5, w_provocation 1.5, w_affinity 1, w_support 1, join_cost 0.2,
//! exit_cost 0.2, exit_binding 1.6, w_grievance 1, admission_hostility 3, admission_goodwill 1,
//! credibility 0.75 (binding) / 0.25 (informal), obligation_protection defence 1, consultation
//! 0.3, non_aggression 0.1, informal_provocation φ = 0.25, nuclear_floor 0.6.
//!
//! The pressures in the main world (h⁺·d·c of the source; all others 0):
//!
//! | on ← from | value              |
//! |-----------|--------------------|
//! | A ← R     | 0.9·1·0.9 = 0.81   |
//! | A ← B     | 0.4·0.1·0.25 = 0.01 |
//! | B ← A     | 0.4·0.1·0.2 = 0.008 |
//! | B ← R     | 0.5·0.4·0.9 = 0.18 |
//! | C ← R     | 0.8·0.7·0.9 = 0.504 |
//! | R ← A     | 0.9·1·0.2 = 0.18   |
//! | R ← B     | 0.5·0.4·0.25 = 0.05 |
//! | R ← C     | 0.8·0.7·0.15 = 0.084 |
//!
//! so P_A = 0.82, P_B = 0.188, P_C = 0.504, P_R = 0.314, P_D = 0.

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
// The nuclear guarantee (protection).

#[test]
fn nuclear_guarantee_combines_smoothly_with_coverage() {
    on_both(&scenario(&[]), |w| {
        let v = View::new(w, A, NUKE);
        // A's view of NUKE (other members B, C; rival R):
        // allied = c_B·κ_B·(1 − h_AB⁺) + c_C·κ_C·(1 − h_AC⁺) = 0.25·0.8·(1 − 0.4) + 0.15·0.6·(1 − 0)
        //        = 0.12 + 0.09 = 0.21
        // opposing (named rivals: Σ c_j, no hostility, no proximity) = c_R = 0.9
        //   (with h·d as before: 0.81)
        // coverage = 0.21 / (0.21 + 0.9) = 0.21/1.11 = 0.1891891891...
        // guarantor = B, named by the pact: will = κ_B·(1 − h_AB⁺) = 0.8·0.6 = 0.48;
        // umbrella = floor·will = 0.6·0.48 = 0.288
        // holds = 1 − (1 − 0.21/1.11)(1 − 0.288) = 1 − (0.9/1.11)·0.712 = 1 − 0.6408/1.11
        //       = 0.4692/1.11 = 0.4227027027...
        // protection = credibility 0.7 · strength 1 · holds = 0.32844/1.11 = 0.2958918918...
        // (max(coverage, umbrella) = 0.288: 0.2016; floor off: 0.7·0.1892 = 0.1324; the umbrella
        // from A itself (will 1): 0.7·(1 − (0.9/1.11)·0.4) = 0.4730; floor + will: umbrella 1.08.)
        close("allied A NUKE", terms::allied_capability(&v), 0.21);
        close("opposing A NUKE", terms::opposing_capability(&v), 0.9);
        close("coverage A NUKE", terms::coverage(&v), 0.21 / 1.11);
        close("guarantor's will for A", v.members.guarantor_will, 0.48);
        close("protection A NUKE", terms::protection(&v), 0.7 * (0.4692 / 1.11));
        // The smooth combination is not the max of its parts here (0.7·0.288 = 0.2016).
        assert!(terms::protection(&v) - 0.7 * 0.288 > 0.09);
    });
}

#[test]
fn nuclear_guarantee_gives_the_guarantor_itself_nothing() {
    on_both(&scenario(&[]), |w| {
        let v = View::new(w, B, NUKE);
        // B's view of NUKE: B is the guarantor; its own umbrella does not cover it (before the
        // guarantor was named, the strongest OTHER member, C, was taken as B's guarantor: the US
        // got a nuclear floor from Japan).
        // allied = c_C·κ_C·(1 − h_BC⁺) = 0.15·0.6·(1 − 0) = 0.09 (h_BC = −0.2 → 0)
        // opposing = c_R = 0.9; coverage = 0.09/0.99 = 0.0909...; protection = 0.7·0.09/0.99
        // (C as guarantor, will 0.6: 0.7·(1 − (0.9/0.99)·0.64); B itself, will 0.8: with 0.52.)
        close("allied B NUKE", terms::allied_capability(&v), 0.09);
        close("opposing B NUKE", terms::opposing_capability(&v), 0.9);
        close("guarantor's will for B", v.members.guarantor_will, 0.0);
        close("coverage B NUKE", terms::coverage(&v), 0.09 / 0.99);
        close("protection B NUKE", terms::protection(&v), 0.7 * (0.09 / 0.99));
        // C's view: allied = c_B·κ_B·(1 − h_CB⁺) = 0.2, coverage 0.2/(0.2 + 0.9) = 0.2/1.1;
        // guarantor B, will = κ_B·(1 − 0) = 0.8, umbrella 0.48:
        // holds = 1 − (0.9/1.1)(1 − 0.48) = 1 − 0.468/1.1 = 0.632/1.1 = 0.5745454545...
        let v = View::new(w, C, NUKE);
        close("coverage C NUKE", terms::coverage(&v), 0.2 / 1.1);
        close("guarantor's will for C", v.members.guarantor_will, 0.8);
        close("protection C NUKE", terms::protection(&v), 0.7 * (0.632 / 1.1));
    });
    // A guarantor that is not (or no longer) a member holds no umbrella over the pact: NUKE with C
    // alone. A's allied = 0.09, opposing 0.9: coverage 0.09/0.99 and no umbrella (B named but
    // absent, will 0.48, would give 0.7·(1 − (0.9/0.99)·0.712)).
    on_both(&scenario(&["pact.NUKE.members=[\"C\"]"]), |w| {
        let v = View::new(w, A, NUKE);
        close("guarantor's will for A without B", v.members.guarantor_will, 0.0);
        close("coverage A NUKE without B", terms::coverage(&v), 0.09 / 0.99);
        close("protection A NUKE without B", terms::protection(&v), 0.7 * (0.09 / 0.99));
    });
    // The guarantor named, the umbrella switched off: `nuclear = false`. C: 0.7·0.2/1.1.
    on_both(&scenario(&["pact.NUKE.nuclear=false"]), |w| {
        let v = View::new(w, C, NUKE);
        close("coverage C NUKE, off", terms::coverage(&v), 0.2 / 1.1);
        close("protection C NUKE, off", terms::protection(&v), 0.7 * (0.2 / 1.1));
    });
}

#[test]
fn nuclear_guarantee_needs_a_defence_pledge_and_allies() {
    on_both(&scenario(&[]), |w| {
        // TALKS names guarantor B but has no defence obligation: no umbrella. No rivals, so the
        // opposing capability is Σ_j h⁺_Aj·c_j over all states (no proximity):
        //   B 0.4·0.25 = 0.1, C (affinity) 0, R 0.9·0.9 = 0.81 → 0.91 (with proximity: 0.82).
        // allied = 0.21 (as in NUKE); coverage = 0.21 / (0.21 + 0.91) = 0.21/1.12 = 0.1875
        // protection = 0.425 · 0.3 · 0.1875 = 0.02390625
        // (with the umbrella, will 0.48: 0.1275·(1 − 0.8125·0.712) = 0.0537...)
        let v = View::new(w, A, TALKS);
        close("opposing A TALKS", terms::opposing_capability(&v), 0.91);
        close("coverage A TALKS", terms::coverage(&v), 0.1875);
        close("protection A TALKS (no defence, no umbrella)", terms::protection(&v), 0.02390625);
        // LONE: defence, guarantor A, but A is its only member: allied = 0, opposing = 0.9,
        // coverage = 0 / 0.9 = 0; the guarantor is A itself (will 0): protection 0.
        let v = View::new(w, A, LONE);
        close("allied A LONE", terms::allied_capability(&v), 0.0);
        close("opposing A LONE", terms::opposing_capability(&v), 0.9);
        close("coverage A LONE (no allies)", terms::coverage(&v), 0.0);
        close("protection A LONE", terms::protection(&v), 0.0);
    });
}

#[test]
fn coverage_without_a_nuclear_guarantee_is_the_plain_ratio() {
    on_both(&scenario(&["pact.NUKE.nuclear=false"]), |w| {
        let v = View::new(w, A, NUKE);
        // coverage = allied / (allied + opposing) = 0.21 / (0.21 + 0.9) = 0.1891891891...
        close("coverage A NUKE, no umbrella", terms::coverage(&v), 0.21 / 1.11);
        // protection = credibility · strength · coverage = 0.7 · 1 · 0.21/1.11 = 0.1324324324...
        close("protection A NUKE, no umbrella", terms::protection(&v), 0.7 * 0.21 / 1.11);
        // security = 4 · T · protection · uncovered, T = contest(0.81, 0.2) = 0.81/1.01
        //   = 0.8019801980...; uncovered 1 (A's only other pact, LONE, protects it not at all):
        //   4 · 0.8019801980 · 0.1324324324 = 0.4248327461...
        close(
            "security A NUKE, no umbrella",
            terms::security(&v),
            4.0 * (0.81 / 1.01) * 0.7 * (0.21 / 1.11),
        );
    });
}

// ---------------------------------------------------------------------------------------------
// The admission vote.

#[test]
fn admit_terms_of_a_hostile_member_with_a_grievance() {
    on_both(&scenario(&[]), |w| {
        // B votes on A's application to NUKE: the change in B's own value of NUKE, V_B(M ∪ {A}) −
        // V_B(M), M = {B, C}, on each term that depends on the other members.
        // Security: T = contest(P_B←R, c_B) = 0.18/(0.25 + 0.18) = 0.18/0.43; credibility 0.7,
        //   strength 1; B is the guarantor (no umbrella). allied now = c_C·κ_C = 0.09, opposing
        //   c_R = 0.9: coverage 0.09/0.99; with A: + c_A·κ_A·(1 − h_BA⁺) = 0.2·1·0.6 = 0.12 →
        //   allied 0.21: coverage 0.21/1.11.
        //   B is also in TALKS (no rivals: overlap 1): uncovered share 1 − p_talks, with
        //   p_talks = 0.425·0.3·0.09/(0.09 + 0.53) (B's opposing capability over all states
        //   h_BA·c_A + h_BR·c_R = 0.08 + 0.45 = 0.53) = 0.0185080645...; ISSUE protects nothing
        //   (no obligation).
        //   security = 4·(0.18/0.43)·0.7·(0.21/1.11 − 0.09/0.99)·(1 − p_talks) = 0.1130614103...
        let p_talks = 0.425 * 0.3 * (0.09 / 0.62);
        let security = 4.0 * (0.18 / 0.43) * 0.7 * (0.21 / 1.11 - 0.09 / 0.99) * (1.0 - p_talks);
        // Issue (security, q 0.3, B's salience 0.5): reliability now κ_C = 0.6; with A
        //   (c_A·κ_A + c_C·κ_C)/(c_A + c_C) = (0.2 + 0.09)/0.35.
        let issue = 0.5 * 0.3 * ((0.2 + 0.09) / 0.35 - 0.6);
        // Entrapment (b 0.9): every quarrel of C and A is with NUKE's rival R (what the pact is
        //   for, not a foreign quarrel) or with B itself: C's foreign quarrel for B is 0 (j = A:
        //   h_CA⁺ = 0), A's 0 (j = C: h_AC⁺ = 0): no change (counting R: see below).
        // Affinity: now −h_BC = 0.2; with A (0.2·(−0.4) + 0.15·0.2)/0.35: the hostile applicant
        //   lowers it.
        let affinity = (0.2 * -0.4 + 0.15 * 0.2) / 0.35 - 0.2;
        // grievance = −(1·0.35 + 3·0.4) = −1.55; goodwill = 1
        let expected = Terms {
            goodwill: 1.0,
            security,
            issue,
            entrapment: 0.0,
            affinity,
            grievance: -1.55,
            ..Terms::default()
        };
        close_terms("B admits A", &terms::admit_terms(w, B, A, NUKE), &expected);
        assert!(security > 0.0 && affinity < 0.0);
        close(
            "B admits A: utility",
            terms::admit_terms(w, B, A, NUKE).utility(),
            1.0 + security + issue + affinity - 1.55,
        );
    });
    // NUKE aimed at no one: A's and C's quarrels with R are now foreign to B, as far as B does
    // not share them. C's = h_CR·(1 − h_BR) = 0.8·0.5 = 0.4; A's = h_AR·(1 − h_BR) = 0.9·0.5 =
    // 0.45. Now −0.5·0.9·0.4; with A −0.5·0.9·(0.2·0.45 + 0.15·0.4)/0.35: −0.0128571428...
    on_both(&scenario(&["pact.NUKE.rivals=[]"]), |w| {
        close(
            "B admits A, no rivals: entrapment",
            terms::admit_terms(w, B, A, NUKE).entrapment,
            -0.5 * 0.9 * ((0.2 * 0.45 + 0.15 * 0.4) / 0.35 - 0.4),
        );
    });
}

#[test]
fn admit_terms_of_a_friendly_member() {
    on_both(&scenario(&[]), |w| {
        // C votes on A's application to NUKE; M = {B, C}, guarantor B.
        // Security: T = contest(0.504, 0.15) = 0.504/0.654; C's allied now c_B·κ_B = 0.2,
        //   opposing 0.9: coverage 0.2/1.1; umbrella 0.6·0.8 = 0.48:
        //   holds = 1 − (0.9/1.1)(1 − 0.48). With A (h_CA = −0.5, a friend: 1 − 0): allied
        //   0.2 + 0.2 = 0.4 → coverage 0.4/1.3, holds = 1 − (0.9/1.3)(0.52). Both coverages are
        //   under the umbrella (0.18, 0.31 < 0.48), yet A adds protection: the combination is
        //   smooth (with a max it would add nothing).
        //   Δholds = 0.52·(0.9/1.1 − 0.9/1.3).
        //   C is also in TALKS (no rivals, overlap 1, no defence): p_talks = 0.425·0.3·0.2/0.92
        //   (allied c_B·κ_B = 0.2, opposing over all h_CR·c_R = 0.72) = 0.0277173913...
        //   security = 4·(0.504/0.654)·0.7·0.52·(0.9/1.1 − 0.9/1.3)·(1 − p_talks) = 0.1373229575...
        let p_talks = 0.425 * 0.3 * (0.2 / 0.92);
        let security = 4.0 * (0.504 / 0.654) * 0.7 * 0.52 * (0.9 / 1.1 - 0.9 / 1.3) * (1.0 - p_talks);
        // Issue (q 0.3, C's salience 0.4): reliability now κ_B = 0.8; with A (0.2 + 0.2)/0.45.
        let issue = 0.4 * 0.3 * ((0.2 + 0.2) / 0.45 - 0.8);
        // Entrapment (b 0.9): B's foreign quarrels for C, R excluded (NUKE's rival): j = A:
        //   h_BA·(1 − h_CA⁺) = 0.4·1 = 0.4. A's: j = B: h_AB·(1 − h_CB⁺) = 0.4·1 = 0.4 (R
        //   excluded). Now −0.45·0.4; with A −0.45·(0.2·0.4 + 0.25·0.4)/0.45 = −0.45·0.4: no change.
        // Affinity: now −h_CB = 0.2; with A (0.2·0.5 + 0.25·0.2)/0.45 = 0.15/0.45: friendship adds.
        let affinity = (0.2 * 0.5 + 0.25 * 0.2) / 0.45 - 0.2;
        let expected = Terms {
            goodwill: 1.0,
            security,
            issue,
            affinity,
            ..Terms::default()
        };
        close_terms("C admits A", &terms::admit_terms(w, C, A, NUKE), &expected);
        assert!(security > 0.1, "{security}");
    });
    // Without the umbrella, A's capability adds the plain coverage:
    // 4·(0.504/0.654)·0.7·(0.4/1.3 − 0.2/1.1)·(1 − p_talks) = 0.2640826106...
    on_both(&scenario(&["pact.NUKE.nuclear=false"]), |w| {
        let p_talks = 0.425 * 0.3 * (0.2 / 0.92);
        close(
            "uncovered C NUKE, no umbrella",
            terms::uncovered_share(&View::new(w, C, NUKE)),
            1.0 - p_talks,
        );
        close(
            "C admits A, no umbrella: security",
            terms::admit_terms(w, C, A, NUKE).security,
            4.0 * (0.504 / 0.654) * 0.7 * (0.4 / 1.3 - 0.2 / 1.1) * (1.0 - p_talks),
        );
    });
}

#[test]
fn admit_terms_without_rivals_read_the_members_whole_threat() {
    on_both(&scenario(&[]), |w| {
        // B votes on A's application to TALKS (no rivals, no defence, pooled minerals).
        // Security: T = felt threat (λ = 0) = contest(P_B, c_B) = 0.188/(0.25 + 0.188) =
        //   0.188/0.438; credibility 0.425, strength 0.3; opposing (all states) = 0.53; allied now
        //   0.09, with A 0.21: coverage 0.09/0.62 → 0.21/0.74. NUKE covers R's share of B's
        //   pressure, overlap P_B←R / P_B = 0.18/0.188, with protection 0.7·(0.09/0.99) (B is
        //   its guarantor): uncovered = 1 − (0.18/0.188)·0.7·(0.09/0.99) = 0.9390715667...
        //   security = 4·(0.188/0.438)·0.425·0.3·(0.21/0.74 − 0.09/0.62)·uncovered
        //   = 0.0284961581...
        let uncovered = 1.0 - (0.18 / 0.188) * 0.7 * (0.09 / 0.99);
        let security = 4.0 * (0.188 / 0.438) * 0.425 * 0.3 * (0.21 / 0.74 - 0.09 / 0.62) * uncovered;
        // Issue (minerals, q 0.7, B's salience 0.5, pooled): reliability 0.6 → 0.29/0.35; pool
        //   r_C + r_B = 0.3 + 0.35 = 0.65 → with A 0.45 + 0.3 + 0.35 = 1.1, capped at 1.
        let issue = 0.5 * 0.7 * ((0.29 / 0.35) * 1.0 - 0.6 * 0.65);
        let expected = Terms {
            goodwill: 1.0,
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
// Pressure and threat.

#[test]
fn contest_is_a_share_of_pressure_and_capability() {
    // contest(P, c) = P/(c + P): 0.27/(0.1 + 0.27) = 0.7297297297... (P/c would be 2.7)
    close("contest(0.27, 0.1)", terms::contest(0.27, 0.1), 0.27 / 0.37);
    close("contest(0.1, 0.3)", terms::contest(0.1, 0.3), 0.25);
    // No pressure, no threat, whatever the capability; a defender of no capability always loses.
    close("contest(0, 0.1)", terms::contest(0.0, 0.1), 0.0);
    close("contest(0, 0)", terms::contest(0.0, 0.0), 0.0);
    close("contest(0.3, 0)", terms::contest(0.3, 0.0), 1.0);
}

#[test]
fn pressure_from_each_state() {
    on_both(&scenario(&[]), |w| {
        // h⁺·d·c_from: A←R 0.9·1·0.9 = 0.81; A←B 0.4·0.1·0.25 = 0.01; B←A 0.4·0.1·0.2 = 0.008
        // (not symmetric: the source's capability); affinity (A–C) and the state itself: 0.
        close("pressure A←R", terms::pressure_from(w, A, R), 0.81);
        close("pressure A←B", terms::pressure_from(w, A, B), 0.01);
        close("pressure B←A", terms::pressure_from(w, B, A), 0.008);
        close("pressure A←C", terms::pressure_from(w, A, C), 0.0);
        close("pressure A←A", terms::pressure_from(w, A, A), 0.0);
        close("pressure A←D", terms::pressure_from(w, A, D), 0.0);
        // Totals (additive): P_A = 0.01 + 0.81 = 0.82, P_B = 0.008 + 0.18 = 0.188, P_C = 0.504,
        // P_R = 0.18 + 0.05 + 0.084 = 0.314, P_D = 0. The world keeps the same.
        for (s, p) in [(A, 0.82), (B, 0.188), (C, 0.504), (R, 0.314), (D, 0.0)] {
            close(&format!("pressure {s:?}"), terms::pressure(w, s), p);
            close(&format!("w.pressure {s:?}"), w.pressure[s.index()], p);
        }
    });
}

#[test]
fn threat_from_each_state() {
    on_both(&scenario(&[]), |w| {
        // threat_AR = contest(0.81, c_A) = 0.81/(0.2 + 0.81) = 0.8019801980... (P/c: 4.05)
        close("threat A←R", terms::threat_from(w, A, R), 0.81 / 1.01);
        // threat_AB = 0.01/(0.2 + 0.01) = 0.0476190476...
        close("threat A←B", terms::threat_from(w, A, B), 0.01 / 0.21);
        // threat_BA = 0.008/(0.25 + 0.008) = 0.0310077519... (not symmetric)
        close("threat B←A", terms::threat_from(w, B, A), 0.008 / 0.258);
        // affinity (h_AC = −0.5) poses no threat; nor does a state to itself.
        close("threat A←C", terms::threat_from(w, A, C), 0.0);
        close("threat A←A", terms::threat_from(w, A, A), 0.0);
        // threat_A = contest(P_A, c_A) = 0.82/1.02 = 0.8039215686... — the pressures add, the
        // threats do not (0.8019801980 + 0.0476190476 = 0.8495992456).
        close("threat A", terms::threat(w, A), 0.82 / 1.02);
        // threat_C = 0.504/(0.15 + 0.504) = 0.504/0.654 (h_CB, h_CA are affinities)
        close("threat C", terms::threat(w, C), 0.504 / 0.654);
        // threat_R = 0.314/(0.9 + 0.314) = 0.314/1.214 = 0.2586490939...
        close("threat R", terms::threat(w, R), 0.314 / 1.214);
        close("threat D", terms::threat(w, D), 0.0);
    });
}

#[test]
fn relevant_threat_adds_lambda_times_the_friends_pressure() {
    on_both(&scenario(&["model.bloc_threat=0.5"]), |w| {
        // Partner weights a = (−h)⁺: A–C 0.5, B–C 0.2; hostile pairs and a state itself 0.
        close("a_AC", terms::partner_weight(w, A, C), 0.5);
        close("a_AB", terms::partner_weight(w, A, B), 0.0);
        close("a_AA", terms::partner_weight(w, A, A), 0.0);
        // B_s = Σ_k a_sk·c_k·P_k / (c_s + Σ_k a_sk·c_k) over friends k.
        // A's only friend is C: B_A = 0.5·0.15·0.504/(0.2 + 0.5·0.15) = 0.0378/0.275
        //   = 0.1374545454... (over Σ a·c alone: 0.504; over c_s alone: 0.189)
        close("bloc A", w.bloc_pressure[A.index()], 0.0378 / 0.275);
        // B's only friend is C: 0.2·0.15·0.504/(0.25 + 0.03) = 0.01512/0.28 = 0.054
        close("bloc B", w.bloc_pressure[B.index()], 0.01512 / 0.28);
        // C's friends A (0.5) and B (0.2): (0.5·0.2·0.82 + 0.2·0.25·0.188)/(0.15 + 0.1 + 0.05)
        //   = (0.082 + 0.0094)/0.3 = 0.0914/0.3 = 0.3046666666...
        close("bloc C", w.bloc_pressure[C.index()], 0.0914 / 0.3);
        close("bloc C, fn", terms::bloc_pressure(w, C, |k| w.pressure[k.index()]), 0.0914 / 0.3);
        // Only the friends' pressures are read: the others (R, D and C itself, a = 0) add
        // nothing, whatever theirs is (with `a ≥ 0` as the filter, 0·NaN would make the sum NaN).
        close(
            "bloc C, friends' pressures only",
            terms::bloc_pressure(w, C, |k| if k == A || k == B { w.pressure[k.index()] } else { f64::NAN }),
            0.0914 / 0.3,
        );
        // R and D have no friends: 0.
        close("bloc R", w.bloc_pressure[R.index()], 0.0);
        close("bloc D", w.bloc_pressure[D.index()], 0.0);
        // NUKE (rival R): contest(P_A←R + λ·B_A(R), c_A); all of C's pressure is from R, so
        // B_A(R) = B_A: (0.81 + 0.5·0.0378/0.275)/(0.2 + 0.81 + 0.5·0.0378/0.275) = 0.8145963256...
        let b_a = 0.0378 / 0.275;
        let v = View::new(w, A, NUKE);
        close("rival pressure A NUKE", v.event.rival_pressure, 0.81);
        close("bloc rival pressure A NUKE", v.event.bloc_rival_pressure, b_a);
        close(
            "relevant A NUKE",
            terms::relevant_threat(&v),
            (0.81 + 0.5 * b_a) / (1.01 + 0.5 * b_a),
        );
        // TALKS (no rivals): the felt threat contest(P_A + λ·B_A, c_A) = 0.8162992651...
        let felt_a = (0.82 + 0.5 * b_a) / (1.02 + 0.5 * b_a);
        close("relevant A TALKS", terms::relevant_threat(&View::new(w, A, TALKS)), felt_a);
        close("felt A", terms::felt_threat(w, A), felt_a);
        // The threat of its own leaves the friends out: 0.82/1.02.
        close("threat A, λ = 0.5", terms::threat(w, A), 0.82 / 1.02);
        // C in NUKE: its friends' pressure from R: A 0.81, B 0.18:
        //   B_C(R) = (0.5·0.2·0.81 + 0.2·0.25·0.18)/0.3 = (0.081 + 0.009)/0.3 = 0.3
        //   relevant = (0.504 + 0.5·0.3)/(0.15 + 0.504 + 0.15) = 0.654/0.804 = 0.8134328358...
        let v = View::new(w, C, NUKE);
        close("bloc rival pressure C NUKE", v.event.bloc_rival_pressure, 0.3);
        close(
            "bloc C from R, fn",
            terms::bloc_pressure(w, C, |k| terms::pressure_from(w, k, R)),
            0.3,
        );
        close("relevant C NUKE", terms::relevant_threat(&v), 0.654 / 0.804);
    });
}

#[test]
fn relevant_threat_with_and_without_rivals() {
    on_both(&scenario(&[]), |w| {
        // NUKE names R: contest(0.81, 0.2) = 0.81/1.01 = 0.8019801980...
        close("relevant A NUKE", terms::relevant_threat(&View::new(w, A, NUKE)), 0.81 / 1.01);
        // TALKS names no rivals: the whole contest(0.82, 0.2) = 0.8039215686...
        close("relevant A TALKS", terms::relevant_threat(&View::new(w, A, TALKS)), 0.82 / 1.02);
        // λ = 0: the felt threat is the state's own.
        close("felt A", terms::felt_threat(w, A), 0.82 / 1.02);
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
        // protection = 0.7 · 1 · (1 − (1 − 0.21/1.11)(1 − 0.288)) = 0.7·0.4692/1.11 = 0.2958918918...
        close("protection A NUKE", terms::protection(&v), 0.7 * 0.4692 / 1.11);
        // security = 4 · (0.81/1.01) · 0.2958918918 · uncovered 1 = 0.9491977522...
        close("security A NUKE", terms::security(&v), 4.0 * (0.81 / 1.01) * 0.7 * 0.4692 / 1.11);
        let v = View::new(w, A, TALKS);
        // protection = 0.425 · 0.3 · 0.1875 = 0.02390625
        close("protection A TALKS", terms::protection(&v), 0.02390625);
        // security = 4 · (0.82/1.02) · 0.02390625 = 0.076875
        close("security A TALKS", terms::security(&v), 4.0 * (0.82 / 1.02) * 0.02390625);
        // LONE: no allies, coverage 0, security 0.
        close("security A LONE", terms::security(&View::new(w, A, LONE)), 0.0);
    });
}

#[test]
fn security_counts_only_the_protection_a_pact_adds_to_the_others() {
    on_both(&scenario(&[]), |w| {
        // B is in NUKE (defence, rivals R), TALKS (consultation, no rivals) and ISSUE (no
        // obligation: protection 0, so it discounts nothing).
        // protection_NUKE(B) = credibility 0.7 · 1 · coverage 0.09/0.99 (B is the guarantor)
        // protection_TALKS(B) = 0.425 · 0.3 · coverage, coverage = allied 0.09 / (0.09 + opposing):
        //   opposing over all states = h_BA·c_A + h_BR·c_R = 0.4·0.2 + 0.5·0.9 = 0.53
        //   → 0.09 / 0.62 = 0.1451612903...; protection = 0.0185080645...
        let (v_nuke, v_talks) = (View::new(w, B, NUKE), View::new(w, B, TALKS));
        let p_talks = 0.425 * 0.3 * (0.09 / 0.62);
        let p_nuke = 0.7 * (0.09 / 0.99);
        close("opposing B TALKS", terms::opposing_capability(&v_talks), 0.53);
        close("protection B TALKS", terms::protection(&v_talks), p_talks);
        close("protection B NUKE", terms::protection(&v_nuke), p_nuke);
        // NUKE's threat (from R) is all answered by TALKS (no rivals): overlap 1.
        close("overlap TALKS in NUKE", terms::threat_overlap(&v_nuke, &v_talks), 1.0);
        // TALKS answers all of B's threat; NUKE only R's share of B's pressure:
        // P_B←R / P_B = 0.18/0.188 = 0.9574468085... (as a share of threats,
        // (0.18/0.43)/(0.188/0.438) = 0.9753...)
        close("rival pressure B NUKE", v_nuke.event.rival_pressure, 0.18);
        close("overlap NUKE in TALKS", terms::threat_overlap(&v_talks, &v_nuke), 0.18 / 0.188);
        // security_NUKE(B) = 4 · contest(0.18, 0.25) · p_nuke · (1 − 1 · p_talks)
        close("uncovered B NUKE", terms::uncovered_share(&v_nuke), 1.0 - p_talks);
        close("marginal B NUKE", terms::marginal_protection(&v_nuke), p_nuke * (1.0 - p_talks));
        close(
            "security B NUKE",
            terms::security(&v_nuke),
            4.0 * (0.18 / 0.43) * p_nuke * (1.0 - p_talks),
        );
        // security_TALKS(B) = 4 · contest(0.188, 0.25) · p_talks · (1 − overlap · p_nuke)
        close(
            "security B TALKS",
            terms::security(&v_talks),
            4.0 * (0.188 / 0.438) * p_talks * (1.0 - (0.18 / 0.188) * p_nuke),
        );
        // A is in LONE only, which protects it not at all (no allies): nothing is discounted.
        close("uncovered A NUKE", terms::uncovered_share(&View::new(w, A, NUKE)), 1.0);
    });
    // Two pacts naming different rivals: the overlap is the share of P's rival pressure from
    // rivals Q names too. NUKE names R; LONE made to name B and R: A's overlap of NUKE in LONE is
    // P_A←R / (P_A←B + P_A←R) = 0.81/0.82 = 0.9878048780... (as a share of threats,
    // (0.81/1.01)/(0.01/0.21 + 0.81/1.01) = 0.9439...).
    on_both(&scenario(&["pact.LONE.rivals=[\"R\", \"B\"]"]), |w| {
        let (nuke, lone) = (View::new(w, A, NUKE), View::new(w, A, LONE));
        close("rival pressure A LONE", lone.event.rival_pressure, 0.82);
        close("overlap NUKE in LONE", terms::threat_overlap(&lone, &nuke), 0.81 / 0.82);
        close("overlap LONE in NUKE", terms::threat_overlap(&nuke, &lone), 1.0);
    });
}

// ---------------------------------------------------------------------------------------------
// Allied and opposing capability.

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
fn opposing_capability_over_rivals_or_all_states() {
    on_both(&scenario(&[]), |w| {
        // All states (no rivals), for R: Σ_j h⁺_Rj·c_j, no proximity:
        //   0.9·0.2 + 0.5·0.25 + 0.8·0.15 = 0.18 + 0.125 + 0.12 = 0.425 (with proximity: 0.314)
        close("opposing R, all", terms::opposing_capability_sum(w, R, None), 0.425);
        // A over all states: 0.4·0.25 + 0.9·0.9 = 0.91; B: 0.4·0.2 + 0.5·0.9 = 0.53; D: 0.
        close("opposing A, all", terms::opposing_capability_sum(w, A, None), 0.91);
        close("opposing B, all", terms::opposing_capability_sum(w, B, None), 0.53);
        close("opposing D, all", terms::opposing_capability_sum(w, D, None), 0.0);
        // Named rivals: Σ c_j, whatever the hostility. Only rival B, for R: c_B = 0.25 (with
        // hostility 0.5: 0.125).
        close("opposing R, rivals [B]", terms::opposing_capability_sum(w, R, Some(&[B])), 0.25);
        // A state is not its own rival: rivals [A, B] seen by A count only B: 0.25
        close(
            "opposing A, rivals [A, B]",
            terms::opposing_capability_sum(w, A, Some(&[A, B])),
            0.25,
        );
        // D is hostile to no one, yet NUKE's rival R is held against it: c_R = 0.9.
        close("opposing D, rivals [R]", terms::opposing_capability_sum(w, D, Some(&[R])), 0.9);
        close("opposing D NUKE", terms::opposing_capability(&View::new(w, D, NUKE)), 0.9);
        // A state with an affinity (C, −0.5) is not held against A: over all, C adds nothing;
        // named as a rival it adds its capability 0.15.
        close("opposing A, rivals [C]", terms::opposing_capability_sum(w, A, Some(&[C])), 0.15);
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
        close("quarrel A, B", terms::foreign_quarrel(w, A, B, all(), &[]), 0.05);
        // C's, seen by A: j = R: 0.8·(1 − 0.9) = 0.08; j = B: h_CB⁺ = 0. Max = 0.08.
        close("quarrel A, C", terms::foreign_quarrel(w, A, C, all(), &[]), 0.08);
        // R's, seen by B: j = A: 0.9·(1 − h_BA⁺) = 0.9·0.6 = 0.54; j = C: 0.8·(1 − h_BC⁺ = 1) =
        // 0.8. Max = 0.8.
        close("quarrel B, R", terms::foreign_quarrel(w, B, R, all(), &[]), 0.8);
        // Only the candidates given are read: R's with A alone, seen by B: 0.54.
        close("quarrel B, R over [A]", terms::foreign_quarrel(w, B, R, [A].into_iter(), &[]), 0.54);
    });
}

#[test]
fn foreign_quarrel_leaves_out_the_pacts_rivals() {
    on_both(&scenario(&[]), |w| {
        let all = || w.scenario.state_ids();
        // A quarrel with the pact's own rival is what the pact is for: not a foreign quarrel.
        // B's, seen by D (hostile to no one): j = R: 0.5·1 = 0.5 (the worst), j = A: 0.4·1 = 0.4.
        // With the pact's rival R left out: the smaller, 0.4.
        close("quarrel D, B", terms::foreign_quarrel(w, D, B, all(), &[]), 0.5);
        close("quarrel D, B but R", terms::foreign_quarrel(w, D, B, all(), &[R]), 0.4);
        // B's seen by A without R: only C (0) and D (0) are left: 0.
        close("quarrel A, B but R", terms::foreign_quarrel(w, A, B, all(), &[R]), 0.0);
        // R's seen by B without C (its worst, 0.8): A's 0.54.
        close("quarrel B, R but C", terms::foreign_quarrel(w, B, R, all(), &[C]), 0.54);
        // B's seen by C (hostile to R) without A: j = R: 0.5·(1 − 0.8) = 0.1 (A's was 0.4·1 = 0.4).
        close("quarrel C, B but A", terms::foreign_quarrel(w, C, B, all(), &[A]), 0.1);
        // Without both: nothing left.
        close("quarrel D, B but A, R", terms::foreign_quarrel(w, D, B, all(), &[A, R]), 0.0);
    });
}

#[test]
fn entrapment_weights_foreign_quarrels_by_capability() {
    on_both(&scenario(&[]), |w| {
        // NUKE is aimed at R: every quarrel of B and C that A does not share is with R (or with A
        // itself), so A risks no foreign war: 0. (Counting R: −0.0275625, see below.)
        close("entrapment A NUKE", terms::entrapment(&View::new(w, A, NUKE)), 0.0);
        // TALKS has no defence obligation: 0. LONE has no other member: 0.
        close("entrapment A TALKS", terms::entrapment(&View::new(w, A, TALKS)), 0.0);
        close("entrapment A LONE", terms::entrapment(&View::new(w, A, LONE)), 0.0);
        // B in NUKE: only C, whose only quarrel is with R: 0.
        close("entrapment B NUKE", terms::entrapment(&View::new(w, B, NUKE)), 0.0);
        // C in NUKE: only B; B's worst foreign quarrel for C, R left out, is with A:
        // h_BA·(1 − h_CA⁺) = 0.4·1 = 0.4. −0.5 · 0.9 · 0.25·0.4/0.25 = −0.18
        close("entrapment C NUKE", terms::entrapment(&View::new(w, C, NUKE)), -0.18);
        // D outside NUKE (hostile to no one: the outsiders' shared sums): B's worst quarrel is
        // with the pact's rival R (0.5), the next with A (0.4): 0.4 counts. C's only one is with
        // R: 0. −0.5 · 0.9 · (0.25·0.4 + 0.15·0)/0.4 = −0.1125 (counting R: −0.275625).
        close("entrapment D NUKE", terms::entrapment(&View::new(w, D, NUKE)), -0.1125);
    });
    // NUKE aimed at no one: every quarrel counts.
    on_both(&scenario(&["pact.NUKE.rivals=[]"]), |w| {
        // A: −0.5 · 0.9 · (c_B·0.05 + c_C·0.08)/(c_B + c_C)
        //   = −0.45 · (0.0125 + 0.012)/0.4 = −0.45 · 0.06125 = −0.0275625
        // (counting B's quarrel with A itself, 0.4, would give −0.45·(0.1 + 0.012)/0.4 = −0.126)
        close(
            "entrapment A NUKE, no rivals",
            terms::entrapment(&View::new(w, A, NUKE)),
            -0.0275625,
        );
        // B: C's quarrels seen by B: j = R: 0.8·(1 − 0.5) = 0.4; j = A: h_CA⁺ = 0.
        // −0.5 · 0.9 · 0.15·0.4/0.15 = −0.18
        close("entrapment B NUKE, no rivals", terms::entrapment(&View::new(w, B, NUKE)), -0.18);
        // D: B's worst 0.5, C's 0.8: −0.45·(0.25·0.5 + 0.15·0.8)/0.4 = −0.45·0.6125 = −0.275625
        close("entrapment D NUKE, no rivals", terms::entrapment(&View::new(w, D, NUKE)), -0.275625);
    });
    // NUKE aimed at A: C (hostile to R) sees B's worst foreign quarrel, with A (0.4), left out
    // and the next, with R, counted: 0.5·(1 − 0.8) = 0.1: −0.45·0.1 = −0.045. D sees B's worst,
    // with R (0.5), and C's (0.8): −0.275625.
    on_both(&scenario(&["pact.NUKE.rivals=[\"A\"]"]), |w| {
        close("entrapment C NUKE, rival A", terms::entrapment(&View::new(w, C, NUKE)), -0.045);
        close("entrapment D NUKE, rival A", terms::entrapment(&View::new(w, D, NUKE)), -0.275625);
    });
    // NUKE aimed at A and R: neither B's two quarrels nor C's one are foreign: 0 for C and D.
    on_both(&scenario(&["pact.NUKE.rivals=[\"A\", \"R\"]"]), |w| {
        close("entrapment C NUKE, rivals A R", terms::entrapment(&View::new(w, C, NUKE)), 0.0);
        close("entrapment D NUKE, rivals A R", terms::entrapment(&View::new(w, D, NUKE)), 0.0);
    });
    // The same, and B hostile to C as well (0.3; was −0.2): B's two worst quarrels, with R (0.5)
    // and A (0.4), are the rivals', so its third, with C, counts — for D (hostile to no one, the
    // outsiders' shared sums) B's row is read past its two worst (`memo.rs`'s `worst_quarrel`).
    // C's quarrels: R 0.8 (a rival), B 0.3. D: −0.45·(0.25·0.3 + 0.15·0.3)/0.4 = −0.135
    // (B's third quarrel read from A's row, h_AC⁺ = 0: −0.45·0.045/0.4 = −0.050625).
    on_both(&scenario(&["pact.NUKE.rivals=[\"A\", \"R\"]", "relation.B-C.hostility=0.3"]), |w| {
        close(
            "entrapment D NUKE, rivals A R, B–C 0.3",
            terms::entrapment(&View::new(w, D, NUKE)),
            -0.135,
        );
    });
}

#[test]
fn provocation_of_the_rivals() {
    on_both(&scenario(&[]), |w| {
        // −w·formality·R/(c_s + C_R), R = Σ d·c_j·(1 − h⁺), C_R = Σ c_j over the rivals.
        // NUKE, A: formality = 0.25 + 0.75·0.9 = 0.925; R = d_AR·c_R·(1 − h_AR⁺) = 1·0.9·0.1 =
        // 0.09; C_R = 0.9: −1.5 · 0.925 · 0.09/(0.2 + 0.9) = −0.1135227272...
        // (R/c_s: −0.624375; R/(c_s + R): −0.4306)
        close(
            "provocation A NUKE",
            terms::provocation(&View::new(w, A, NUKE)),
            -1.5 * 0.925 * 0.09 / 1.1,
        );
        // NUKE, B: R = 0.4·0.9·(1 − 0.5) = 0.18: −1.5 · 0.925 · 0.18/(0.25 + 0.9) = −0.2171739130...
        close(
            "provocation B NUKE",
            terms::provocation(&View::new(w, B, NUKE)),
            -1.5 * 0.925 * 0.18 / 1.15,
        );
        // NUKE, C: R = 0.7·0.9·(1 − 0.8) = 0.126: −1.5 · 0.925 · 0.126/(0.15 + 0.9) = −0.1665
        close(
            "provocation C NUKE",
            terms::provocation(&View::new(w, C, NUKE)),
            -1.5 * 0.925 * 0.126 / 1.05,
        );
        // D is not near R (proximity 0): R = 0, nothing to provoke: 0.
        close("provocation D NUKE", terms::provocation(&View::new(w, D, NUKE)), 0.0);
        // TALKS has no rivals: 0.
        close("provocation A TALKS", terms::provocation(&View::new(w, A, TALKS)), 0.0);
    });
    // Two rivals: one contest share over their sums, not a sum of shares. LONE (b 1, formality 1)
    // aimed at R and B, for A: R = 1·0.9·0.1 + 0.1·0.25·(1 − 0.4) = 0.09 + 0.015 = 0.105;
    // C_R = 0.9 + 0.25 = 1.15: −1.5 · 0.105/(0.2 + 1.15) = −0.1166666666...
    // (rival by rival: −1.5·(0.09/1.1 + 0.015/0.45) = −0.1727; over c_s alone: −0.7875)
    on_both(&scenario(&["pact.LONE.rivals=[\"R\", \"B\"]"]), |w| {
        close(
            "provocation A LONE, rivals R B",
            terms::provocation(&View::new(w, A, LONE)),
            -1.5 * 0.105 / 1.35,
        );
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
        // 4 · (0.81/1.01) · 0.7 · 0.4692/1.11 = 0.9491977522...
        security: 4.0 * (0.81 / 1.01) * 0.7 * 0.4692 / 1.11,
        issue: 0.19575,
        autonomy: -0.36,
        neutrality: -0.27,
        entrapment: 0.0,
        // −1.5 · 0.925 · 0.09/1.1 = −0.1135227272...
        provocation: -1.5 * 0.925 * 0.09 / 1.1,
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
        // sum = 0.9491977522 + 0.19575 − 0.36 − 0.27 + 0 − 0.1135227273 − 0.0625 + 0.18
        //     = 0.5189250249...
        let sum = value.security + 0.19575 - 0.36 - 0.27 + value.provocation - 0.0625 + 0.18;
        close("value A NUKE: utility", terms::membership_value(w, A, NUKE).utility(), sum);
        // join: the same terms and switching = −join_cost = −0.2; utility = 0.3189250249...
        let join = Terms { switching: -0.2, ..value };
        close_terms("join A NUKE", &terms::join_terms(w, A, NUKE), &join);
        close("join A NUKE: utility", terms::join_terms(w, A, NUKE).utility(), sum - 0.2);
        // leave: every term negated, switching = −(0.2 + 1.6·0.9) = −1.64;
        // utility = −0.5189250249 − 1.64 = −2.1589250249...
        let leave = Terms {
            switching: -1.64,
            ..value.negated()
        };
        close_terms("leave A NUKE", &terms::leave_terms(w, A, NUKE), &leave);
        close("leave A NUKE: utility", terms::leave_terms(w, A, NUKE).utility(), -sum - 1.64);
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
        // allied = 0.25·0.8 + 0.15·0.6 = 0.29 (no hostility to discount); opposing = c_R = 0.9
        // (the pact's rival is held against every member, hostile to it or not)
        close("allied D NUKE", terms::allied_capability(&v), 0.29);
        close("opposing D NUKE", terms::opposing_capability(&v), 0.9);
        // coverage = 0.29/1.19; guarantor B's will κ_B·(1 − 0) = 0.8, umbrella 0.48:
        // protection = 0.7·(1 − (0.9/1.19)(1 − 0.48)) = 0.7·0.722/1.19 = 0.4247058823...
        close("coverage D NUKE", terms::coverage(&v), 0.29 / 1.19);
        close("guarantor's will for D", v.members.guarantor_will, 0.8);
        close("protection D NUKE", terms::protection(&v), 0.7 * 0.722 / 1.19);
        // No pressure on D or its (no) friends: no relevant threat, no security.
        close("relevant D NUKE", terms::relevant_threat(&v), 0.0);
        close("security D NUKE", terms::security(&v), 0.0);
        // reliability = (0.2 + 0.09)/0.4 = 0.725
        close("reliability D NUKE", terms::partner_reliability(&v), 0.725);
        // D shares no quarrel, but NUKE's rival R is no foreign quarrel: B's worst left is h_BA =
        // 0.4, C has none left: entrapment = −0.5·0.9·(0.25·0.4 + 0.15·0)/0.4 = −0.1125
        close("entrapment D NUKE", terms::entrapment(&v), -0.1125);
        // affinity = (0.25·0 + 0.15·0)/0.4 = 0
        close("affinity D NUKE", terms::affinity(&v), 0.0);
        // TALKS: no rivals, and D is hostile to no one: opposing 0, coverage 0.29/0.29 = 1.
        let v = View::new(w, D, TALKS);
        close("opposing D TALKS", terms::opposing_capability(&v), 0.0);
        close("coverage D TALKS", terms::coverage(&v), 1.0);
        // pool = r_B + r_C + r_D = 0.35 + 0.3 + 0.1 = 0.75;
        // issue = 1 · 0.9 · 0.7 · 0.725 · 0.75 = 0.34256250
        close("issue D TALKS", terms::issue_gain(&v), 0.342_562_5);
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

fn parse(name: &str, text: String) -> Scenario {
    scenario::from_source(&Source { path: name.into(), text }, &[]).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn threat_overlap_when_the_state_faces_no_threat_of_its_own() {
    let sc = parse("overlap.toml", FRIEND.to_string());
    let (s, q, p, p2) = (StateId(0), PactId(0), PactId(1), PactId(2));
    on_both(&sc, |w| {
        assert_eq!(w.pressure[s.index()], 0.0);
        let (vq, vp, vp2) = (View::new(w, s, q), View::new(w, s, p), View::new(w, s, p2));
        // P names no rivals and S is under no pressure of its own: no share of it comes from R
        // (0), though S feels its friend's: P_F = 1·1·0.3 = 0.3, B_S = 1·0.1·0.3/(0.1 + 0.1) =
        // 0.15, relevant threat = contest(λ·B_S, c_S) = 0.075/(0.1 + 0.075) = 3/7 (λ = 0.5).
        close("bloc S", w.bloc_pressure[s.index()], 0.15);
        close("relevant S P", terms::relevant_threat(&vp), 0.075 / 0.175);
        close("overlap of Q in P", terms::threat_overlap(&vp, &vq), 0.0);
        // P2 names R and T, neither of which presses on S: the share of P2's rivals Q names, 1/2.
        close("overlap of Q in P2", terms::threat_overlap(&vp2, &vq), 0.5);
        // Q protects S: allied c_G·κ_G = 0.5 against c_R = 0.3: coverage 0.625; credibility 0.75:
        // protection 0.46875. P2's security for S is discounted by 1 − ½ · 0.46875 = 0.765625.
        close("protection S Q", terms::protection(&vq), 0.46875);
        close("uncovered S in P2", terms::uncovered_share(&vp2), 0.765625);
        close("uncovered S in P", terms::uncovered_share(&vp), 1.0);
    });
}

/// S (c 0.2) beside a rival of capability 0.9, written as one state R or as two, R1 and R2, of
/// 0.45 each with the same relations (h 0.6, d 0.8); G (0.5) holds a defence pact P aimed at it.
fn split_world(split: bool) -> String {
    let rivals: &[(&str, f64)] = if split { &[("R1", 0.45), ("R2", 0.45)] } else { &[("R", 0.9)] };
    let mut text = String::from(
        "[scenario]\nname = \"split\"\nrounds = 1\nruns = 1\n\n\
         [[state]]\nid = \"S\"\ncapability = 0.2\ndemocracy = false\n\n\
         [[state]]\nid = \"G\"\ncapability = 0.5\ndemocracy = false\n\n",
    );
    for (id, c) in rivals {
        text += &format!("[[state]]\nid = \"{id}\"\ncapability = {c}\ndemocracy = false\n\n");
        text += &format!("[[relation]]\nbetween = [\"S\", \"{id}\"]\nhostility = 0.6\nproximity = 0.8\n\n");
    }
    let ids: Vec<String> = rivals.iter().map(|(id, _)| format!("\"{id}\"")).collect();
    text += &format!(
        "[[pact]]\nid = \"P\"\nobligations = [\"defence\"]\nbinding = 1.0\nmembers = [\"G\"]\nrivals = [{}]\n",
        ids.join(", ")
    );
    text
}

#[test]
fn splitting_a_rival_changes_neither_pressure_nor_provocation() {
    let (s, p) = (StateId(0), PactId(0));
    let whole = parse("whole.toml", split_world(false));
    let split = parse("split.toml", split_world(true));
    // S's view of P, either way:
    // pressure = 0.6·0.8·0.9 = 0.432 (or 2 · 0.6·0.8·0.45 = 2 · 0.216); threat = 0.432/0.632
    // provocation = −1.5·1·R/(c_S + C_R), R = 0.8·0.9·(1 − 0.6) = 0.288 (or 2 · 0.144), C_R = 0.9:
    //   −1.5·0.288/1.1 = −0.3927272727...
    // opposing = 0.9, allied 0.5: coverage 0.5/1.4; protection = 0.75·0.5/1.4;
    // security = 4·(0.432/0.632)·0.75·0.5/1.4 = 0.7323688969...
    let expected = Terms {
        security: 4.0 * (0.432 / 0.632) * 0.75 * 0.5 / 1.4,
        autonomy: -0.4,
        provocation: -1.5 * 0.288 / 1.1,
        ..Terms::default()
    };
    let mut values = Vec::new();
    for sc in [&whole, &split] {
        on_both(sc, |w| {
            let v = View::new(w, s, p);
            close("pressure S", terms::pressure(w, s), 0.432);
            close("rival pressure S", v.event.rival_pressure, 0.432);
            close("threat S", terms::threat(w, s), 0.432 / 0.632);
            close("relevant S P", terms::relevant_threat(&v), 0.432 / 0.632);
            close("opposing S P", terms::opposing_capability(&v), 0.9);
            close("provocation S P", terms::provocation(&v), -1.5 * 0.288 / 1.1);
            close_terms("value S P", &terms::membership_value(w, s, p), &expected);
        });
        values.push(terms::membership_value(&World::new(sc), s, p));
    }
    close_terms("value S P, split vs whole", &values[1], &values[0]);
    // Each half alone: contest(0.216, 0.2) = 0.216/0.416 = 0.5192307692...; their threats do not
    // add up to the whole's (1.0384615385 ≠ 0.6835443038): their pressures do.
    on_both(&split, |w| {
        let (r1, r2) = (StateId(2), StateId(3));
        close("pressure S←R1", terms::pressure_from(w, s, r1), 0.216);
        close("threat S←R1", terms::threat_from(w, s, r1), 0.216 / 0.416);
        close("threat S←R2", terms::threat_from(w, s, r2), 0.216 / 0.416);
    });
}
