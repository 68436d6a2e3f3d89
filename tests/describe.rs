//! Every value a scenario lets you edit has a description (one place: scenario::describe), shown
//! by the page, `pactsim describe` and `pactsim check --verbose`.

use assert_cmd::Command;
use pactsim::scenario::generate::{self, GenerateSpec};
use pactsim::scenario::{Source, describe, editable};

mod common;

fn sources() -> Vec<Source> {
    // The shipped scenarios and the examples (terms of a scenario's own: scenarios/examples).
    let mut v: Vec<Source> = std::fs::read_dir(common::root().join("scenarios"))
        .unwrap()
        .chain(std::fs::read_dir(common::root().join("scenarios").join("examples")).unwrap())
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .map(|path| Source {
            text: std::fs::read_to_string(&path).unwrap(),
            path,
        })
        .collect();
    v.sort_by(|a, b| a.path.cmp(&b.path));
    assert!(v.len() >= 4);
    // A generated world writes every kind of value a generator draws (size limits, pooled pacts, …).
    let text = generate::generate(&GenerateSpec {
        states: 30,
        pacts: 12,
        rounds: 24,
        seed: 3,
        runs: 10,
    })
    .unwrap();
    v.push(Source {
        path: "generated.toml".into(),
        text,
    });
    v
}

#[test]
fn every_editable_value_of_every_scenario_is_described() {
    let mut missing = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for source in sources() {
        for e in editable::editable(&source, &[]).unwrap() {
            seen.insert(describe::generic(&e.path));
            if e.description.is_empty() || describe::describe(&e.path).is_none() {
                missing.push(format!("{}: {}", source.path.display(), e.path));
            }
        }
    }
    assert!(missing.is_empty(), "values without a description:\n{}", missing.join("\n"));
    assert!(seen.contains("term.*.weight"), "no scenario has a term of its own");
    assert!(seen.len() > 60, "only {} kinds of value seen", seen.len());
}

#[test]
fn describe_and_check_verbose_show_the_description() {
    let out = Command::cargo_bin("pactsim")
        .unwrap()
        .args(["describe", "model.temperature"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains(describe::describe("model.temperature").unwrap()), "{text}");

    let out = Command::cargo_bin("pactsim")
        .unwrap()
        .current_dir(common::root())
        .args(["describe", "state.FIN.neutrality", "--scenario", "scenarios/finland_sweden.toml"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with("state.FIN.neutrality = 0.71 [0 to 1] — Tradition of non-alignment"),
        "{text}"
    );

    let out = Command::cargo_bin("pactsim")
        .unwrap()
        .current_dir(common::root())
        .args(["check", "scenarios/finland_sweden.toml", "--verbose"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("editable values"), "{text}");
    assert!(text.contains("model.bloc_threat = 0.5 [0 to 1] — λ"), "{text}");

    let out = Command::cargo_bin("pactsim")
        .unwrap()
        .args(["describe", "model.nonsense"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("no value `model.nonsense`") && err.contains("pactsim describe"),
        "{err}"
    );
}
