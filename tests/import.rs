//! `pactsim import`: the 1955 European system from COW and ATOP, its derivations, and clear
//! errors for unknown years, regions, states and corrupt data files.

use assert_cmd::Command;
use pactsim::data::Dataset;
use pactsim::data::import::{self, ImportSpec, Region, Selection};
use pactsim::scenario::{self, Source};

fn spec(year: i32, selection: Selection) -> ImportSpec {
    ImportSpec {
        year,
        selection,
        monthly: false,
        rounds: 5,
        runs: 20,
        seed: 1,
        through: None,
    }
}

fn load(text: &str, sets: &[String]) -> scenario::Scenario {
    scenario::from_source(
        &Source {
            path: "import.toml".into(),
            text: text.to_string(),
        },
        sets,
    )
    .unwrap()
}

#[test]
fn europe_1955_shows_nato_the_warsaw_pact_and_the_balkan_pact() {
    let data = Dataset::embedded().unwrap();
    let imported = import::build(&data, &spec(1955, Selection::Region(Region::Europe))).unwrap();
    let sc = load(&imported.text, &[]);
    let members = |id: &str| -> Vec<String> {
        let p = sc.pact(sc.pact_by_id(id).unwrap_or_else(|| panic!("{id} missing")));
        let mut v: Vec<String> = p.founders.iter().map(|&s| sc.state(s).id.clone()).collect();
        v.sort();
        v
    };
    // NATO on 1955-12-31: the European members, West Germany (May 1955) included, and the USA,
    // Canada and Turkey, from outside the region, kept as states because a region keeps its
    // pacts whole (issue 20).
    assert_eq!(
        members("NATO"),
        [
            "BEL", "CAN", "DEN", "FRN", "GFR", "GRC", "ICE", "ITA", "LUX", "NOR", "NTH", "POR", "TUR", "UKG", "USA"
        ]
    );
    assert_eq!(members("WARSAW_PACT"), ["ALB", "BUL", "CZE", "GDR", "HUN", "POL", "ROM", "RUS"]);
    assert_eq!(members("BALKAN_PACT"), ["GRC", "TUR", "YUG"]);
    let nato = sc.pact(sc.pact_by_id("NATO").unwrap());
    assert!(nato.has(scenario::Obligation::Defence) && nato.has(scenario::Obligation::Consultation));
    assert_eq!(nato.binding, 1.0);
    assert_eq!(nato.admission, scenario::Admission::Unanimity);
    // The Warsaw Pact names West Germany as its threat (ATOP statthr1 = 260).
    let wp = sc.pact(sc.pact_by_id("WARSAW_PACT").unwrap());
    assert_eq!(wp.rivals, vec![sc.state_by_id("GFR").unwrap()]);
    assert!(
        imported.text.contains("in effect since 1955-05"),
        "the Warsaw Pact's founding month"
    );
    // Neutral states are in the system but in no bloc.
    for neutral in ["SWZ", "SWD", "AUS", "IRE"] {
        let s = sc.state_by_id(neutral).unwrap_or_else(|| panic!("{neutral} missing"));
        for id in ["NATO", "WARSAW_PACT"] {
            assert!(!sc.pact(sc.pact_by_id(id).unwrap()).founders.contains(&s), "{neutral} in {id}");
        }
    }
    // Derived relations: a land border is proximity 1 (COW direct contiguity); across the line
    // West Germany is a named threat of the Warsaw Pact; within it allies are friendly.
    let (fr, gfr, rus) = (
        sc.state_by_id("FRN").unwrap(),
        sc.state_by_id("GFR").unwrap(),
        sc.state_by_id("RUS").unwrap(),
    );
    let n = sc.n_states();
    assert_eq!(sc.proximity[fr.index() * n + gfr.index()], 1.0);
    assert!(sc.hostility[gfr.index() * n + rus.index()] > 0.5);
    assert!(sc.hostility[fr.index() * n + gfr.index()] < -0.3);
    // It runs at once, and --set works on it.
    let sc = load(&imported.text, &["model.temperature=0.3".into(), "pact.NATO.binding=0.5".into()]);
    assert_eq!(sc.params.temperature, 0.3);
    assert_eq!(sc.pact(sc.pact_by_id("NATO").unwrap()).binding, 0.5);
}

#[test]
fn the_whole_system_of_a_late_year_loads_and_states_can_be_named() {
    let data = Dataset::embedded().unwrap();
    let imported = import::build(&data, &spec(2010, Selection::All)).unwrap();
    let sc = load(&imported.text, &[]);
    assert!(sc.n_states() > 180, "{} states", sc.n_states());
    assert!(sc.n_pacts() > 150, "{} pacts", sc.n_pacts());
    let some = import::build(
        &data,
        &spec(2010, Selection::States(vec!["usa".into(), "FIN".into(), "365".into()])),
    )
    .unwrap();
    assert_eq!(some.states, vec![2, 365, 375]);
}

#[test]
fn s_scores_of_identical_portfolios_are_one_and_of_opposed_ones_lower() {
    let data = Dataset::embedded().unwrap();
    let (sys, s) = import::s_scores(&data, 1960);
    let n = sys.len();
    let at = |a: u16, b: u16| s[sys.iter().position(|&c| c == a).unwrap() * n + sys.iter().position(|&c| c == b).unwrap()];
    assert_eq!(at(2, 2), 1.0);
    // West Germany is closer to France than to the Soviet Union.
    assert!(at(260, 220) > at(260, 365) + 0.1, "{} vs {}", at(260, 220), at(260, 365));
    assert_eq!(import::proximity(Some(1), 5000.0), 1.0);
    assert_eq!(import::proximity(Some(2), 500.0), 0.7);
    assert_eq!(import::proximity(None, 9000.0), 0.0);
    let km = import::distance_km(51.5073, -0.1276, 48.8534, 2.3488); // London-Paris
    assert!((km - 344.0).abs() < 5.0, "{km}");
}

fn import_fails(args: &[&str]) -> String {
    let out = Command::cargo_bin("pactsim").unwrap().arg("import").args(args).output().unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.starts_with("error: "), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    stderr
}

#[test]
fn unknown_years_regions_and_states_are_clear_errors() {
    assert!(import_fails(&["--year", "2020", "--all"]).contains("1816..2016"));
    assert!(import_fails(&["--year", "1700", "--region", "europe"]).contains("1816..2016"));
    let e = import_fails(&["--year", "1955", "--region", "atlantis"]);
    assert!(e.contains("unknown region `atlantis`") && e.contains("middle_east"), "{e}");
    let e = import_fails(&["--year", "1955", "--states", "USA,XYZ"]);
    assert!(e.contains("unknown state `XYZ`"), "{e}");
    let e = import_fails(&["--year", "1995", "--states", "GDR"]);
    assert!(e.contains("1954..1990"), "{e}");
}

#[test]
fn corrupt_data_files_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    for f in pactsim::data::FILES {
        std::fs::copy(format!("data/{f}"), dir.path().join(f)).unwrap();
    }
    let d = dir.path().to_str().unwrap().to_string();
    // A CINC that is not a number, on line 3.
    let nmc = std::fs::read_to_string(dir.path().join("cow_nmc_v6_0.csv")).unwrap();
    let mut lines: Vec<String> = nmc.lines().map(String::from).collect();
    lines[2] = lines[2].replace("0.03581661", "lots");
    std::fs::write(dir.path().join("cow_nmc_v6_0.csv"), lines.join("\n")).unwrap();
    let e = import_fails(&["--year", "1955", "--all", "--data", &d]);
    assert!(e.contains("cow_nmc_v6_0.csv: line 3") && e.contains("`cinc` is `lots`"), "{e}");
    // A members file without its member column.
    std::fs::write(dir.path().join("cow_nmc_v6_0.csv"), nmc).unwrap();
    std::fs::write(dir.path().join("atop_v401_members.csv"), "atopid,yrent\n1005,1815\n").unwrap();
    let e = import_fails(&["--year", "1955", "--all", "--data", &d]);
    assert!(e.contains("atop_v401_members.csv: missing column `member`"), "{e}");
    // A missing file.
    std::fs::remove_file(dir.path().join("states.csv")).unwrap();
    let e = import_fails(&["--year", "1955", "--all", "--data", &d]);
    assert!(e.contains("states.csv"), "{e}");
}

#[test]
fn import_writes_a_file_that_check_accepts() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("eu.toml");
    Command::cargo_bin("pactsim")
        .unwrap()
        .args(["import", "--year", "1955", "--region", "europe", "--out"])
        .arg(&out)
        .assert()
        .success();
    Command::cargo_bin("pactsim")
        .unwrap()
        .arg("check")
        .arg(&out)
        .args(["--set", "pact.WARSAW_PACT.admission=closed"])
        .assert()
        .success();
}
