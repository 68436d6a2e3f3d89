//! The loader never panics, whatever it is given: every input is a scenario or an error.
//! (A stepping stone to fuzzing the loader with cargo-fuzz.)

use pactsim::run::{self, RunSpec};
use pactsim::scenario::{self, Source};
use proptest::prelude::*;

const MINIMAL: &str = include_str!("fixtures/minimal.toml");
const FINLAND: &str = include_str!("../scenarios/finland_sweden.toml");

fn load(text: &str, overrides: &[String]) {
    let source = Source {
        path: "fuzz.toml".into(),
        text: text.to_string(),
    };
    // Either outcome is fine; a panic fails the test. What loads must also run.
    if let Ok(sc) = scenario::from_source(&source, overrides) {
        let spec = RunSpec {
            seed: 1,
            replicates: 0..2,
            keep_decisions: 2,
        };
        let _ = run::run(&sc, &spec, &|_| {});
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, .. ProptestConfig::default() })]

    #[test]
    fn arbitrary_text(text in "\\PC{0,400}") {
        load(&text, &[]);
    }

    /// Replace one line of a valid scenario with something else: the most common kind of typo.
    #[test]
    fn one_line_changed(line in 0usize..60, replacement in "[a-z_ =\\[\\]\"0-9.,{}-]{0,40}") {
        let mut lines: Vec<&str> = MINIMAL.lines().collect();
        let i = line % lines.len();
        lines[i] = &replacement;
        load(&lines.join("\n"), &[]);
    }

    /// Numbers anywhere in a real scenario replaced by extreme or odd values: one of the lines
    /// that hold a number (so every case changes the file), by a value it does not have.
    #[test]
    fn odd_numbers(which in 0usize..10_000, value in prop::sample::select(vec!["-1", "0", "1e308", "-1e308", "nan", "inf", "-0.0", "99999999999", "0.5"])) {
        let numeric: Vec<usize> = FINLAND
            .split_inclusive('\n')
            .enumerate()
            .filter(|(_, l)| l.split_once(" = ").is_some_and(|(_, v)| v.trim_start().starts_with(|c: char| c.is_ascii_digit() || c == '-')))
            .map(|(i, _)| i)
            .collect();
        prop_assert!(numeric.len() > 80, "{}", numeric.len());
        let line = numeric[which % numeric.len()];
        let text: String = FINLAND
            .split_inclusive('\n')
            .enumerate()
            .map(|(i, l)| match l.split_once(" = ") {
                Some((k, v)) if i == line => {
                    // Keep a comment after the value; replace only the value.
                    let comment = v.find(" #").map_or("", |at| &v[at..]).trim_end();
                    let old = v[..v.find(" #").unwrap_or(v.len())].trim();
                    let new = if old == value { "7" } else { value };
                    format!("{k} = {new}{comment}\n")
                }
                _ => l.to_string(),
            })
            .collect();
        prop_assert_ne!(&text, FINLAND);
        load(&text, &[]);
    }

    /// Arbitrary --set overrides on a valid scenario.
    #[test]
    fn arbitrary_overrides(path in "[a-zA-Z_.0-9-]{0,30}", value in "\\PC{0,20}") {
        load(MINIMAL, &[format!("{path}={value}")]);
        load(MINIMAL, &[format!("state.AAA.{path}={value}")]);
        load(MINIMAL, &[format!("event.war.{path}={value}")]);
    }
}
