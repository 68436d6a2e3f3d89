//! "Download scenario" (`scenario::edit::apply_to_text`): the file as written with `--set`
//! values put in keeps every comment of the original — the lines of comments and the comments
//! after a value — whichever value is edited, and gives exactly the scenario `--set` gives.

use pactsim::scenario::{self, EditKind, EditValue, Source};

fn source(name: &str) -> Source {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios").join(name);
    Source {
        text: std::fs::read_to_string(&path).unwrap(),
        path,
    }
}

/// Every comment of a file: each `# ...` (a whole line of comment, or the part after a value),
/// trimmed, with how many times it occurs.
fn comments(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in text.lines() {
        // A `#` inside a quoted string is not a comment; the shipped files have none of those
        // outside comments, so the first `#` outside quotes starts the comment.
        let mut quoted = false;
        for (i, c) in line.char_indices() {
            match c {
                '"' => quoted = !quoted,
                '#' if !quoted => {
                    out.push(line[i..].trim_end().to_string());
                    break;
                }
                _ => {}
            }
        }
    }
    out
}

/// `--set`s that change the editable value `e` (to other values it accepts), most wanted first.
fn changes(e: &scenario::Editable) -> Vec<String> {
    let values: Vec<String> = match (&e.kind, &e.value) {
        (EditKind::Bool, EditValue::Bool(b)) => vec![(!b).to_string()],
        (EditKind::Integer, EditValue::Integer(n)) => {
            let hi = e.max.unwrap_or(*n as f64 + 1.0) as i64;
            let lo = e.min.unwrap_or(0.0) as i64;
            vec![(n + 1).min(hi), (n - 1).max(lo)]
                .into_iter()
                .filter(|m| m != n)
                .map(|m| m.to_string())
                .collect()
        }
        (EditKind::Number, EditValue::Number(x)) => {
            let (lo, hi) = (e.min.unwrap_or(0.0), e.max.unwrap_or(x + 1.0));
            vec![x + (hi - lo) / 7.0, lo + (x - lo) / 2.0, (lo + hi) / 2.0]
                .into_iter()
                .filter(|y| (lo..=hi).contains(y) && y != x)
                .map(|y| format!("{y}"))
                .collect()
        }
        (EditKind::Choice, EditValue::Text(t)) => e.choices.iter().filter(|c| **c != t.as_str()).map(|c| c.to_string()).collect(),
        // An event's date: a month later, or earlier.
        (EditKind::Date, EditValue::Text(d)) => {
            let (y, m): (i32, i32) = (d[..4].parse().unwrap(), d[5..7].parse().unwrap());
            [m, m - 2]
                .into_iter()
                .map(|k| {
                    let months = y * 12 + k;
                    format!("{}-{:02}", months.div_euclid(12), months.rem_euclid(12) + 1)
                })
                .collect()
        }
        (k, v) => panic!("{}: {k:?} with {v:?}", e.path),
    };
    values.into_iter().map(|v| format!("{}={v}", e.path)).collect()
}

/// For each editable value, a `--set` that changes it and leaves a valid scenario (none for the
/// few that have no other valid value, such as a unit of time the events' dates do not fit).
fn edits(src: &Source) -> Vec<String> {
    let editable = scenario::editable(src, &[]).unwrap();
    assert!(editable.len() > 20, "{}", editable.len());
    let mut picked = Vec::new();
    let mut unchangeable = Vec::new();
    for e in &editable {
        match changes(e)
            .into_iter()
            .find(|set| scenario::from_source(src, std::slice::from_ref(set)).is_ok())
        {
            Some(set) => picked.push(set),
            None => unchangeable.push(e.path.clone()),
        }
    }
    // The unit of time only: the events' dates fall outside the rounds in any other.
    assert!(
        unchangeable.iter().all(|p| p == "scenario.round_unit"),
        "no valid change found for {unchangeable:?}"
    );
    picked
}

/// As many of `sets` together as still give a valid scenario.
fn together(src: &Source, sets: &[String]) -> Vec<String> {
    let mut all: Vec<String> = Vec::new();
    for set in sets {
        all.push(set.clone());
        if scenario::from_source(src, &all).is_err() {
            all.pop();
        }
    }
    all
}

fn assert_keeps_comments(name: &str, sets: &[String]) {
    let src = source(name);
    let edited = scenario::edit::apply_to_text(&src, sets).unwrap_or_else(|e| panic!("{sets:?}: {e}"));
    assert!(
        !edited.contains("every value written out"),
        "{name} {sets:?}: fell back to the resolved scenario"
    );
    let mut left = comments(&edited);
    for c in comments(&src.text) {
        let Some(i) = left.iter().position(|x| *x == c) else {
            panic!("{name} with --set {sets:?} lost the comment {c:?}:\n{edited}");
        };
        left.remove(i);
    }
    // And it is the scenario --set gives.
    let again = scenario::from_source(
        &Source {
            path: src.path.clone(),
            text: edited,
        },
        &[],
    )
    .unwrap();
    assert_eq!(again.hash, scenario::from_source(&src, sets).unwrap().hash, "{sets:?}");
}

#[test]
fn editing_any_value_of_finland_sweden_keeps_every_comment() {
    let src = source("finland_sweden.toml");
    let sets = edits(&src);
    for set in &sets {
        assert_keeps_comments("finland_sweden.toml", std::slice::from_ref(set));
    }
    let all = together(&src, &sets);
    assert!(all.len() + 5 >= sets.len(), "{} of {}", all.len(), sets.len());
    assert_keeps_comments("finland_sweden.toml", &all);
}

#[test]
fn editing_the_other_shipped_scenarios_keeps_every_comment() {
    for name in [
        "gulf_minilaterals.toml",
        "indo_pacific_umbrella.toml",
        "lithium_triangle.toml",
        "taiwan_escalation.toml",
    ] {
        let src = source(name);
        let sets = edits(&src);
        // Every value one at a time is slow for the big ones: every fifth, then all at once.
        for set in sets.iter().step_by(5) {
            assert_keeps_comments(name, std::slice::from_ref(set));
        }
        assert_keeps_comments(name, &together(&src, &sets));
    }
}
