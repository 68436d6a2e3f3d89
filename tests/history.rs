//! Start worlds a historian accepts (issue 20): who is a state on the date (COW state-system
//! list, no ghost states), borders of the year (COW direct contiguity), hostility from wars,
//! disputes and rivalries rather than from alignment, democracy from V-Dem/Polity2, a region
//! that keeps its pacts whole, state deaths that are not scored as exits, and a clear error for
//! bad input in each new data file.

use assert_cmd::Command;
use pactsim::backtest::{self, BacktestSpec};
use pactsim::data::import::{self, ImportSpec, Region, Selection};
use pactsim::data::{self, Dataset};
use pactsim::scenario::{self, Scenario, Source};

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

fn load(text: &str) -> Scenario {
    scenario::from_source(
        &Source {
            path: "import.toml".into(),
            text: text.to_string(),
        },
        &[],
    )
    .unwrap()
}

fn world(data: &Dataset, year: i32, selection: Selection) -> Scenario {
    load(&import::build(data, &spec(year, selection)).unwrap().text)
}

fn has(sc: &Scenario, id: &str) -> bool {
    sc.state_by_id(id).is_some()
}

/// (proximity, hostility) of two states of a scenario.
fn relation(sc: &Scenario, a: &str, b: &str) -> (f64, f64) {
    let (i, j) = (
        sc.state_by_id(a).unwrap_or_else(|| panic!("{a} missing")).index(),
        sc.state_by_id(b).unwrap_or_else(|| panic!("{b} missing")).index(),
    );
    let n = sc.n_states();
    (sc.proximity[i * n + j], sc.hostility[i * n + j])
}

#[test]
fn no_ghost_states_on_the_last_day_of_1990_1958_1964_and_1975() {
    let data = Dataset::embedded().unwrap();
    // (year, states that ceased to exist during it, states that exist at its end). Each of the
    // gone states has a COW NMC row for that year, which is what put it in the world before.
    let cases: [(i32, &[&str], &[&str]); 4] = [
        // Germany reunified on 3 October 1990, Yemen on 22 May 1990.
        (1990, &["GFR", "GDR", "YAR", "YPR"], &["GMY", "YEM"]),
        // Syria merged into the United Arab Republic on 1 February 1958 (back in 1961).
        (1958, &["SYR"], &["EGY", "IRQ", "JOR"]),
        // Zanzibar united with Tanganyika on 26 April 1964.
        (1964, &["ZAN"], &["TAZ"]),
        // South Vietnam fell on 30 April 1975.
        (1975, &["RVN"], &["DRV"]),
    ];
    for (year, gone, there) in cases {
        let sc = world(&data, year, Selection::All);
        for id in gone {
            assert!(!has(&sc, id), "{id} is not a state on {year}-12-31");
            assert!(
                data.cinc.contains_key(&(data.find_state(id).unwrap(), year)),
                "{id} has an NMC row in {year}"
            );
        }
        for id in there {
            assert!(has(&sc, id), "{id} is a state on {year}-12-31");
        }
        // Every state of the world is a state on the date, and none is missing.
        let system = data.system_on(data::year_end(year));
        assert_eq!(sc.n_states(), system.len(), "{year}");
    }
    // The Warsaw Pact's named threat was West Germany: in 1989 it is a rival, in 1990 no state is.
    let sc = world(&data, 1989, Selection::Region(Region::Europe));
    let wp = sc.pact(sc.pact_by_id("WARSAW_PACT").unwrap());
    assert_eq!(wp.rivals, vec![sc.state_by_id("GFR").unwrap()]);
    let sc = world(&data, 1990, Selection::Region(Region::Europe));
    assert!(sc.pact(sc.pact_by_id("WARSAW_PACT").unwrap()).rivals.is_empty());
    // A named state that does not exist on the date is refused with its dates.
    let e = import::build(&data, &spec(1990, Selection::States(vec!["GFR".into(), "UKG".into()])))
        .unwrap_err()
        .to_string();
    assert!(e.contains("1955-05-05 to 1990-10-02") && e.contains("1990-12-31"), "{e}");
}

#[test]
fn hostility_comes_from_wars_disputes_and_rivalries_and_alignment_stays_affinity() {
    let data = Dataset::embedded().unwrap();
    let sc = world(&data, 1990, Selection::All);
    // Iraq invaded Kuwait in August 1990 (COW war 211; both in the Arab League's alliances).
    let (_, h) = relation(&sc, "IRQ", "KUW");
    assert_eq!(h, 1.0, "Iraq-Kuwait in December 1990");
    // NATO allies and strategic rivals; India and Pakistan.
    for (year, a, b) in [
        (1960, "GRC", "TUR"),
        (1990, "GRC", "TUR"),
        (2010, "GRC", "TUR"),
        (1950, "IND", "PAK"),
        (1990, "IND", "PAK"),
        (2016, "IND", "PAK"),
        (1955, "GRC", "ALB"),
    ] {
        let sc = world(&data, year, Selection::All);
        let (_, h) = relation(&sc, a, b);
        assert!(h >= import::RIVALRY_HOSTILITY, "{a}-{b} in {year}: {h}");
    }
    // Allies without a recorded conflict keep their affinity (negative hostility).
    let sc = world(&data, 1955, Selection::Region(Region::Europe));
    assert!(relation(&sc, "FRN", "GFR").1 < -0.3);
    assert!(relation(&sc, "UKG", "NTH").1 < -0.3);
    // Unlike alliance portfolios alone are not hostility (before issue 20 they were: 0.075 for
    // both pairs): no dispute, war, rivalry or named threat in 1951-1955.
    assert_eq!(relation(&sc, "DEN", "HUN").1, 0.0);
    assert_eq!(relation(&sc, "NOR", "BUL").1, 0.0);
    // The parts, by hand: a dispute-year is remembered for five years with a falling weight.
    assert_eq!(import::hostility(0.0, 0.9), -0.9);
    assert_eq!(import::hostility(0.4, 0.9), 0.4);
    let (c, why) = import::conflict(&data, 645, 690, 1990, false);
    assert_eq!(c, 1.0);
    assert!(
        why.iter().any(|w| w.starts_with("war 211")) && why.iter().any(|w| w.starts_with("rivalry Iraq-Kuwait")),
        "{why:?}"
    );
    // Iraq-Kuwait 1985: MID 3029, level 4, in 1985; the rivalry (0.6) is larger than 0.8 x 1.
    let (c, _) = import::conflict(&data, 645, 690, 1985, false);
    assert!((c - 0.8).abs() < 1e-12, "{c}");
    // Four years later (1989) the same dispute counts 0.8 x 1/5 = 0.16, below the rivalry's 0.6.
    let (c, _) = import::conflict(&data, 645, 690, 1989, false);
    assert_eq!(c, import::RIVALRY_HOSTILITY);
}

#[test]
fn borders_are_those_of_the_year() {
    let data = Dataset::embedded().unwrap();
    let sc = world(&data, 1980, Selection::Region(Region::Europe));
    // West Germany never bordered Poland; the GDR did, and West Germany bordered the GDR.
    let (p, _) = relation(&sc, "GFR", "POL");
    assert!(p <= 0.4, "GFR-POL proximity {p}");
    assert_eq!(relation(&sc, "GDR", "POL").0, 1.0);
    assert_eq!(relation(&sc, "GFR", "GDR").0, 1.0);
    assert_eq!(relation(&sc, "GFR", "FRN").0, 1.0);
    // The Channel: contiguous by water, not a land border.
    assert_eq!(relation(&sc, "UKG", "FRN").0, 0.7);
    // Vietnam has neighbours: China, Laos and Cambodia, and South Vietnam until 1975.
    let sc = world(&data, 1980, Selection::Region(Region::Asia));
    for n in ["CHN", "LAO", "CAM"] {
        assert_eq!(relation(&sc, "DRV", n).0, 1.0, "DRV-{n} in 1980");
    }
    let sc = world(&data, 1960, Selection::Region(Region::Asia));
    assert_eq!(relation(&sc, "DRV", "RVN").0, 1.0);
    assert_eq!(relation(&sc, "DRV", "CHN").0, 1.0);
    // North Vietnam did not border Cambodia before 1975 (South Vietnam lay between).
    assert!(relation(&sc, "DRV", "CAM").0 < 1.0);
    // The rule itself.
    assert_eq!(import::proximity(Some(1), 9000.0), 1.0);
    assert_eq!(import::proximity(Some(3), 500.0), 0.7);
    assert_eq!(import::proximity(Some(5), 9000.0), 0.4);
    assert_eq!(import::proximity(None, 500.0), 0.4);
    assert_eq!(import::proximity(None, 5000.0), 0.1);
    assert_eq!(import::proximity(None, 9000.0), 0.0);
}

#[test]
fn democracy_is_read_from_v_dem_and_polity2_where_v_dem_has_none() {
    let data = Dataset::embedded().unwrap();
    let sc = world(&data, 1955, Selection::Region(Region::Europe));
    let dem = |id: &str| sc.state(sc.state_by_id(id).unwrap()).democracy;
    // V-Dem: the UK and France democracies, the Soviet Union and the GDR not; West Germany has
    // no V-Dem score of its own (V-Dem codes Germany), so Polity2 (10) decides.
    assert!(dem("UKG") && dem("FRN") && dem("GFR"));
    assert!(!dem("RUS") && !dem("GDR") && !dem("SPN") && !dem("POR"));
    let text = import::build(&data, &spec(1955, Selection::States(vec!["GFR".into(), "RUS".into()])))
        .unwrap()
        .text;
    assert!(text.contains("democracy = true  # Polity2 10 in 1955 (no V-Dem score)"), "{text}");
    assert!(text.contains("democracy = false  # V-Dem polyarchy 0.108 in 1955"), "{text}");
    let (d, why) = import::democracy(&data, 2, 1816);
    assert!(!d && why.contains("0.367"), "{why}");
}

#[test]
fn a_region_keeps_its_pacts_whole() {
    let data = Dataset::embedded().unwrap();
    let imported = import::build(&data, &spec(1955, Selection::Region(Region::Europe))).unwrap();
    let sc = load(&imported.text);
    let members = |id: &str| -> Vec<String> {
        let p = sc.pact(sc.pact_by_id(id).unwrap_or_else(|| panic!("{id} missing")));
        let mut v: Vec<String> = p.founders.iter().map(|&s| sc.state(s).id.clone()).collect();
        v.sort();
        v
    };
    // Turkey (COW 640, Middle East) stays in the Balkan Pact and NATO, the USA and Canada in NATO.
    assert_eq!(members("BALKAN_PACT"), ["GRC", "TUR", "YUG"]);
    assert!(members("NATO").iter().any(|m| m == "TUR") && members("NATO").iter().any(|m| m == "USA"));
    assert!(imported.outside.contains(&640) && imported.outside.contains(&2) && imported.outside.contains(&20));
    // They come as states, said in the header and at each state; they bring no pacts of their
    // own (the Baghdad Pact has one European member, the UK).
    assert!(imported.text.contains("kept as states because they are members of its pacts"));
    assert!(
        imported
            .text
            .contains("COW 640, TUR; outside the region, kept as a member of its pacts")
    );
    assert!(sc.pact_by_id("BAGHDAD_PACT").is_none());
    // Every state of the world outside the region is a member of one of its pacts.
    for &c in &imported.outside {
        let abb = &data.states[&c].abb;
        assert!(
            sc.pacts.iter().any(|p| p.founders.iter().any(|&s| &sc.state(s).id == abb)),
            "{abb} is in no pact"
        );
    }
}

#[test]
fn a_state_that_ceases_to_exist_is_not_scored_as_an_exit() {
    let data = Dataset::embedded().unwrap();
    let bt = backtest::backtest(
        &data,
        &BacktestSpec {
            from: 1989,
            to: 1989,
            horizon: 2,
            step: 1,
            selection: Selection::Region(Region::Europe),
            sets: Vec::new(),
            runs: 10,
            seed: 1,
            events: true,
        },
        &|_| {},
        &mut |_| {},
    )
    .unwrap();
    let s = &bt.starts[0];
    // Both Germanies ceased to exist on 2 October 1990 (COW): their pair-years of 1990 and 1991
    // are not scored; every other state of the 1989 world lasts to the end of 1991.
    let (n, p) = (s.states as u64, s.pacts as u64);
    assert_eq!(s.unpredictable.departed_state_pairs, 2 * p * 2);
    assert_eq!(s.scores[0][1].n, (n - 2) * p * 2);
    // So the GDR's Warsaw Pact membership ending with the GDR is no exit: the exits of 1990 are
    // those of states that went on.
    let exits_1990 = s.by_horizon[0][1][1].events;
    let gdr_wp_1989 = data.memberships_at(data::year_end(1989)).contains(&(3285, 265));
    assert!(gdr_wp_1989);
    let hand: u64 = {
        let start = data.memberships_at(data::year_end(1989));
        let end = data.memberships_at(data::year_end(1990));
        let world = import::world(
            &data,
            &data
                .system(1989)
                .into_iter()
                .filter(|&c| Region::Europe.contains(c))
                .collect::<Vec<_>>(),
            true,
            1989,
        );
        start
            .iter()
            .filter(|(a, c)| world.pacts.contains_key(a) && world.states.contains(c))
            .filter(|(_, c)| data.survives(*c, data::year_end(1989), data::year_end(1990)))
            .filter(|m| !end.contains(m))
            .count() as u64
    };
    assert_eq!(exits_1990, hand);
}

/// Copies every data file into a temporary directory.
fn data_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for f in data::FILES {
        std::fs::copy(format!("data/{f}"), dir.path().join(f)).unwrap();
    }
    dir
}

fn import_fails(dir: &std::path::Path) -> String {
    let out = Command::cargo_bin("pactsim")
        .unwrap()
        .args(["import", "--year", "1955", "--region", "europe", "--data"])
        .arg(dir)
        .output()
        .unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.starts_with("error: ") && !stderr.contains("panicked"), "{stderr}");
    stderr
}

#[test]
fn bad_input_in_each_new_file_names_the_file_the_line_and_the_column() {
    // (file, line to break (1 = header), cell to replace, replacement, column named)
    let cases = [
        (data::SYSTEM_FILE, 3, "1920,1,10", "1920,13,10", "stmonth"),
        (data::SYSTEM_FILE, 2, "USA,2,", "USA,9999,", "ccode"),
        (data::CONTIGUITY_FILE, 2, ",1,1920-01-01", ",7,1920-01-01", "conttype"),
        (data::CONTIGUITY_FILE, 3, "1973-07-01", "July 1973", "stdate"),
        (
            data::MID_FILE,
            2,
            "2,2,200,1902,1,1,1,0,0,0,0,0,7,0,3,1",
            "2,2,200,1902,1,1,1,0,0,0,0,0,7,0,9,1",
            "hostlev1",
        ),
        (data::WAR_FILE, 2, "1,220,230,1823", "1,220,230,eighteen", "year"),
        (data::RIVALRY_FILE, 2, "1494,1918", "1494,1400", "endyear"),
        (data::DEMOCRACY_FILE, 2, "2,1816,0.367", "2,1816,3.67", "v2x_polyarchy"),
    ];
    for (file, line, from, to, column) in cases {
        let dir = data_dir();
        let path = dir.path().join(file);
        let text = std::fs::read_to_string(&path).unwrap();
        let mut lines: Vec<String> = text.lines().map(String::from).collect();
        assert!(lines[line - 1].contains(from), "{file} line {line}: {}", lines[line - 1]);
        lines[line - 1] = lines[line - 1].replacen(from, to, 1);
        std::fs::write(&path, lines.join("\n") + "\n").unwrap();
        let e = import_fails(dir.path());
        assert!(e.contains(&format!("{file}: line {line}: column `{column}`")), "{file}: {e}");
    }
    // A file without a column the importer reads, and a missing file.
    let dir = data_dir();
    std::fs::write(dir.path().join(data::RIVALRY_FILE), "rivalryno,ccode1,ccode2\n1,2,20\n").unwrap();
    let e = import_fails(dir.path());
    assert!(e.contains(&format!("{}: missing column `rivalryname`", data::RIVALRY_FILE)), "{e}");
    std::fs::remove_file(dir.path().join(data::CONTIGUITY_FILE)).unwrap();
    let e = import_fails(dir.path());
    assert!(e.contains(data::CONTIGUITY_FILE), "{e}");
}
