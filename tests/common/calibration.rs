//! Helpers for the case-scenario tests (Taiwan, Gulf, lithium): calibration checks against the
//! fixtures copied from the COW NMC v6.0 table (data/README.md), and margins for sums and differences of Monte Carlo
//! proportions. Included with `#[path = "common/calibration.rs"] mod calibration;` next to
//! `mod common;`, so `tests/common/mod.rs` stays as it is.
#![allow(dead_code)]

use std::collections::HashMap;

use pactsim::scenario::Scenario;

/// COW CINC 2016 by COW state abbreviation, from `tests/fixtures/cow_nmc_v6_0_2016_cases.csv`
/// (the 2016 rows of the COW National Material Capabilities v6.0 table for the states of the
/// case scenarios; sources in data/README.md).
pub fn cinc_2016() -> HashMap<String, f64> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/cow_nmc_v6_0_2016_cases.csv");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("a header").split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap_or_else(|| panic!("no column {name}"));
    let (abb, cinc) = (col("stateabb"), col("cinc"));
    lines
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (f[abb].to_string(), f[cinc].parse().expect("a number"))
        })
        .collect()
}

/// Every listed state's capability is its CINC 2016, as the scenario's comments say. Scenarios
/// round CINC to five decimals, so the tolerance is half a unit in the fifth decimal.
#[track_caller]
pub fn assert_capabilities_are_cinc_2016(sc: &Scenario, ids_to_cow: &[(&str, &str)]) {
    let cinc = cinc_2016();
    for &(id, cow) in ids_to_cow {
        let s = sc.state_by_id(id).unwrap_or_else(|| panic!("no state {id}"));
        let have = sc.state(s).capability;
        let want = cinc[cow];
        assert!(
            (have - want).abs() <= 0.5e-5,
            "{id}: capability {have} is not CINC 2016 of {cow} ({want})"
        );
    }
    assert_eq!(
        ids_to_cow.len(),
        sc.n_states(),
        "every state of the scenario should be checked against the fixture"
    );
}

/// Standard error of a proportion from `runs` replicates (floored as in `common::std_err`).
pub fn se(p: f64, runs: u64) -> f64 {
    let n = runs as f64;
    let p = p.clamp(1.0 / n, 1.0 - 1.0 / n);
    (p * (1.0 - p) / n).sqrt()
}

/// A conservative standard error for Σ wᵢ·pᵢ, where the pᵢ are proportions measured on the same
/// replicates: Σ |wᵢ|·se(pᵢ), the value when the replicate outcomes are perfectly correlated
/// (Cauchy–Schwarz), so it is never smaller than the true one.
pub fn se_weighted_sum(terms: &[(f64, f64)], runs: u64) -> f64 {
    terms.iter().map(|&(w, p)| w.abs() * se(p, runs)).sum()
}

/// Asserts `hi − lo ≥ gap + 3·se_diff`: the observed difference clears `gap` by three standard
/// errors, `se_diff` being a (conservative) standard error of the difference.
#[track_caller]
pub fn assert_gap(what: &str, hi: f64, lo: f64, gap: f64, se_diff: f64) {
    assert!(
        hi - lo >= gap + 3.0 * se_diff,
        "{what}: {hi:.3} − {lo:.3} = {:.3} does not clear {gap} by 3 s.e. ({:.3})",
        hi - lo,
        3.0 * se_diff
    );
}
