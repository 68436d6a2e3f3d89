//! Continuity (issue 19, docs/MODEL.md §8a): no outcome may jump on a hair's margin. Along a line
//! of 21 values (0 → 1) of a scenario's focal proximity and of the bloc weight λ, no step of 0.05
//! moves any state's p_final in any pact by more than 0.25, in the four shipped scenarios. (Before
//! issue 19 the support gate made Sweden's p_final in NATO fall from 0.947 to 0 between
//! proximity 0.5 and 0.3.) Every point runs the same replicates (common random numbers), so a step
//! is the model's response, not Monte Carlo noise; the largest step is printed.

use std::collections::BTreeMap;
use std::path::Path;

use assert_cmd::Command;

const MAX_STEP: f64 = 0.25;

/// The largest |Δ p_final| between neighbouring points of a one-parameter sweep, and where.
fn largest_step(file: &str, vary: &str, out: &Path) -> (f64, String) {
    Command::cargo_bin("pactsim")
        .unwrap()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "sweep",
            file,
            "--vary",
            &format!("{vary}=0..1:21"),
            "--runs",
            "400",
            "--no-charts",
            "--quiet",
            "--out",
        ])
        .arg(out)
        .assert()
        .success();
    let mut rdr = csv::Reader::from_path(out.join("sweep.csv")).unwrap();
    let headers = rdr.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (x, pact, state, p) = (col(vary), col("pact"), col("state"), col("p_final"));
    let mut series: BTreeMap<(String, String), Vec<(f64, f64)>> = BTreeMap::new();
    for row in rdr.records() {
        let row = row.unwrap();
        series
            .entry((row[pact].to_string(), row[state].to_string()))
            .or_default()
            .push((row[x].parse().unwrap(), row[p].parse().unwrap()));
    }
    let mut worst = (0.0, String::from("nothing moves"));
    for ((pact, state), mut points) in series {
        points.sort_by(|a, b| a.0.total_cmp(&b.0));
        assert_eq!(points.len(), 21, "{pact} {state}");
        for w in points.windows(2) {
            let step = (w[1].1 - w[0].1).abs();
            if step > worst.0 {
                worst = (
                    step,
                    format!("{state} in {pact}: {} at {} → {} at {}", w[0].1, w[0].0, w[1].1, w[1].0),
                );
            }
        }
    }
    worst
}

#[test]
fn no_step_of_a_proximity_or_of_lambda_moves_an_outcome_by_more_than_a_quarter() {
    let tmp = tempfile::tempdir().unwrap();
    let lines = [
        ("scenarios/finland_sweden.toml", "relation.SWE-RUS.proximity"),
        ("scenarios/finland_sweden.toml", "relation.FIN-RUS.proximity"),
        ("scenarios/finland_sweden.toml", "model.bloc_threat"),
        ("scenarios/taiwan_escalation.toml", "relation.JPN-CHN.proximity"),
        ("scenarios/taiwan_escalation.toml", "relation.PHL-CHN.proximity"),
        ("scenarios/taiwan_escalation.toml", "model.bloc_threat"),
        ("scenarios/gulf_minilaterals.toml", "relation.IRN-ISR.proximity"),
        ("scenarios/gulf_minilaterals.toml", "model.bloc_threat"),
        ("scenarios/lithium_triangle.toml", "relation.BOL-CHL.proximity"),
        ("scenarios/lithium_triangle.toml", "model.bloc_threat"),
    ];
    let mut moved = 0;
    for (i, (file, vary)) in lines.iter().enumerate() {
        let (step, at) = largest_step(file, vary, &tmp.path().join(i.to_string()));
        println!("{file}, {vary}: largest step {step:.3} ({at})");
        assert!(step <= MAX_STEP, "{file}, {vary}: a step of 0.05 moves {at}");
        moved += usize::from(step > 0.0);
    }
    // The lines are not flat: most of them move some outcome.
    assert!(moved >= 5, "only {moved} lines move anything");
}
