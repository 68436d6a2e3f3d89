//! `pactsim backtest`: scores against ATOP history with baselines, counted unpredictables, the
//! era split, its outputs and its errors. Small worlds and short spans, so CI stays fast.

use assert_cmd::Command;
use pactsim::backtest::{self, BacktestSpec};
use pactsim::data::Dataset;
use pactsim::data::import::{Region, Selection};

fn spec(from: i32, to: i32, horizon: u32, sets: &[&str]) -> BacktestSpec {
    BacktestSpec {
        from,
        to,
        horizon,
        step: 1,
        selection: Selection::Region(Region::Europe),
        sets: sets.iter().map(|s| s.to_string()).collect(),
        runs: 20,
        seed: 1,
        events: false,
    }
}

#[test]
fn persistence_scores_match_hand_counts_and_unpredictables_are_counted() {
    let data = Dataset::embedded().unwrap();
    let bt = backtest::backtest(&data, &spec(1954, 1955, 2, &[]), &|_| {}, &mut |_| {}).unwrap();
    assert_eq!(bt.starts.len(), 2);
    let eps = bt.epsilon;
    assert_eq!(eps, 0.025);
    for s in &bt.starts {
        // Every pair-year of a start world is scored once per horizon year by every predictor.
        let n = s.scores[0][1].n;
        assert_eq!(n, s.scores[1][1].n + s.scores[2][1].n);
        assert_eq!(n, s.scores[0][0].n);
        assert!(n > 0);
        // Persistence's Brier score is ε² for every unchanged pair and (1 − ε)² for every change.
        let changes = s.scores[1][1].events + s.scores[2][1].events;
        let expect = ((n - changes) as f64 * eps * eps + changes as f64 * (1.0 - eps) * (1.0 - eps)) / n as f64;
        assert!(
            (s.scores[0][1].brier() - expect).abs() < 1e-12,
            "{} vs {expect}",
            s.scores[0][1].brier()
        );
    }
    // The Warsaw Pact (May 1955) is absent from the 1954 world: its memberships in 1955 and
    // 1956 are counted as unpredictable (8 European members, 2 years).
    let s1954 = &bt.starts[0];
    assert!(s1954.unpredictable.new_alliance_memberships >= 16, "{:?}", s1954.unpredictable);
    // West Germany enters the COW system in 1955 and NATO and the Brussels Treaty that year: a
    // state born after the start, counted (2 alliances, 2 years).
    assert!(s1954.unpredictable.new_state_memberships >= 4, "{:?}", s1954.unpredictable);
}

#[test]
fn the_defaults_move_nothing_in_an_unchanging_world_and_per_round_shocks_do() {
    let data = Dataset::embedded().unwrap();
    let bt = backtest::backtest(&data, &spec(1960, 1961, 2, &[]), &|_| {}, &mut |_| {}).unwrap();
    // Persistent tastes conditioned on the observed start: with no event, no state moves, and
    // the model's scores are persistence's (docs/VALIDATION.md).
    assert_eq!(bt.total[0][0].brier(), bt.total[0][1].brier());
    let hazard = backtest::backtest(
        &data,
        &spec(1960, 1961, 2, &["model.shocks=per_round", "model.temperature=0.4"]),
        &|_| {},
        &mut |_| {},
    )
    .unwrap();
    assert!(
        hazard.total[0][0].brier() > hazard.total[0][1].brier(),
        "per-round shocks move states"
    );
}

#[test]
fn base_rates_pool_exactly_the_years_before_the_start() {
    let data = Dataset::embedded().unwrap();
    let h = backtest::BaseRates::new(&data, &Selection::All, 2000);
    // The rates over since..start are the pooled counts of those years, and of no other.
    let pooled = |since: i32, start: i32| {
        let (mut m, mut x, mut nm, mut e) = (0u64, 0u64, 0u64, 0u64);
        for y in since..start {
            let (a, b, c, d) = h.counts(y).unwrap();
            (m, x, nm, e) = (m + a, x + b, nm + c, e + d);
        }
        (x as f64 / m as f64, e as f64 / nm as f64)
    };
    for (since, start) in [(1816, 1900), (1816, 1901), (1900, 1950), (1946, 1990)] {
        assert_eq!(h.rates(since, start), pooled(since, start), "{since}..{start}");
    }
    let (x, e) = h.rates(1816, 1900);
    assert!(x > 0.0 && x < 1.0 && e > 0.0 && e < 1.0, "{x} {e}");
    // Years on or after the start never count: the rates before 1901 ignore 1901 onwards,
    // whatever the last year counted.
    let longer = backtest::BaseRates::new(&data, &Selection::All, 2010);
    assert_eq!(longer.rates(1816, 1901), h.rates(1816, 1901));
    assert_eq!(h.rates(1950, 1950), (0.0, 0.0));
    assert!(h.counts(2001).is_none(), "years after the last are not counted");
}

#[test]
fn backtest_writes_tables_charts_and_a_page() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("bt");
    let assert = Command::cargo_bin("pactsim")
        .unwrap()
        .args([
            "backtest",
            "--from",
            "1950",
            "--to",
            "1951",
            "--horizon",
            "2",
            "--region",
            "europe",
            "--runs",
            "10",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    let stdout = String::from_utf8(assert.get_output().stdout.clone()).unwrap();
    assert!(
        stdout.contains("persistence") && stdout.contains("not predictable by construction"),
        "{stdout}"
    );
    for f in [
        "backtest.csv",
        "backtest_years.csv",
        "backtest.json",
        "backtest.html",
        "charts/skill.png",
        "charts/reliability.png",
    ] {
        assert!(out.join(f).is_file(), "{f} missing");
    }
    let csv = std::fs::read_to_string(out.join("backtest.csv")).unwrap();
    assert!(csv.starts_with("start_year,subset,predictor,pair_years,events,brier,log_loss,brier_skill_vs_persistence\n"));
    assert_eq!(csv.lines().filter(|l| l.starts_with("1950,")).count(), 9);
    assert!(csv.lines().any(|l| l.starts_with("all,exits,base_rate,")));
}

#[test]
fn the_era_split_fits_on_one_era_and_scores_the_other() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("split");
    Command::cargo_bin("pactsim")
        .unwrap()
        .args([
            "backtest",
            "--fit-era",
            "1900-1902",
            "--test-era",
            "1950-1951",
            "--horizon",
            "2",
            "--region",
            "europe",
            "--runs",
            "10",
            "--no-charts",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(out.join("era_split.json")).unwrap()).unwrap();
    assert_eq!(json["grid"].as_array().unwrap().len(), backtest::fit_grid().len());
    assert_eq!(json["test_default"]["from"], 1950);
    assert_eq!(json["fit_default"]["to"], 1902);
    assert_eq!(
        json["fit_default"]["sets"].as_array().unwrap().len(),
        0,
        "the grid's first point is the defaults"
    );
    assert_eq!(json["fit_fitted"]["from"], 1900);
    assert!(out.join("era_split.csv").is_file());
}

fn fails(args: &[&str]) -> String {
    let out = Command::cargo_bin("pactsim").unwrap().arg("backtest").args(args).output().unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.starts_with("error: ") && !stderr.contains("panicked"), "{stderr}");
    stderr
}

#[test]
fn bad_backtests_are_clear_errors() {
    assert!(fails(&["--from", "1800", "--to", "1810"]).contains("1816..2016"));
    assert!(fails(&["--from", "1960", "--to", "1950"]).contains("after"));
    assert!(fails(&["--from", "1950", "--to", "1951", "--region", "mars"]).contains("unknown region"));
    assert!(fails(&["--fit-era", "1900-1960", "--test-era", "1950-1960"]).contains("overlap"));
    assert!(fails(&["--fit-era", "nineteen", "--test-era", "1950-1960"]).contains("not an era"));
    assert!(fails(&["--from", "1950", "--to", "1951", "--set", "model.nonsense=1"]).contains("model.nonsense"));
}
