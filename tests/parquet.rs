//! `--parquet`: the tidy tables also as Parquet, with the same numbers as their CSV (read back
//! here with the parquet crate, and with pyarrow when a Python with it is given), typed, and the
//! same bytes for the same result.

use std::path::Path;

use assert_cmd::Command;
use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::record::Field;

fn pactsim() -> Command {
    let mut c = Command::cargo_bin("pactsim").unwrap();
    c.current_dir(env!("CARGO_MANIFEST_DIR"));
    c
}

/// Every cell of `NAME.parquet` against the text of `NAME.csv`: the same rows and columns, each
/// value the CSV's text parsed (a null where the CSV cell is empty). Returns the column types.
fn same_as_csv(dir: &Path, name: &str) -> Vec<(String, &'static str)> {
    let mut rdr = csv::Reader::from_path(dir.join(format!("{name}.csv"))).unwrap();
    let header: Vec<String> = rdr.headers().unwrap().iter().map(str::to_string).collect();
    let rows: Vec<csv::StringRecord> = rdr.records().map(|r| r.unwrap()).collect();
    let file = std::fs::File::open(dir.join(format!("{name}.parquet"))).unwrap();
    let reader = SerializedFileReader::new(file).unwrap();
    assert_eq!(reader.metadata().file_metadata().num_rows() as usize, rows.len(), "{name}");
    let mut types = vec![(String::new(), ""); header.len()];
    for (i, (row, want)) in reader.get_row_iter(None).unwrap().zip(&rows).enumerate() {
        let row = row.unwrap();
        let cells: Vec<(&String, &Field)> = row.get_column_iter().collect();
        assert_eq!(cells.len(), header.len());
        for (c, ((col, field), text)) in cells.into_iter().zip(want.iter()).enumerate() {
            assert_eq!(col, &header[c]);
            let (ok, kind) = match field {
                Field::Null => (text.is_empty(), types[c].1),
                Field::Long(v) => (text.parse::<i64>() == Ok(*v), "int64"),
                Field::Double(v) => (text.parse::<f64>() == Ok(*v), "double"),
                Field::Str(v) => (v == text, "string"),
                other => panic!("{name} row {i} {col}: unexpected {other:?}"),
            };
            assert!(ok, "{name} row {i}, {col}: parquet {field:?}, csv `{text}`");
            if !kind.is_empty() {
                types[c] = (col.clone(), kind);
            }
        }
    }
    types
}

#[test]
fn run_tables_as_parquet_hold_the_csv_numbers_typed_and_reproducibly() {
    let tmp = tempfile::tempdir().unwrap();
    let run = |out: &Path| {
        pactsim()
            .args([
                "run",
                "scenarios/finland_sweden.toml",
                "--runs",
                "60",
                "--parquet",
                "--no-charts",
                "--quiet",
                "--out",
            ])
            .arg(out)
            .assert()
            .success();
    };
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    run(&a);
    run(&b);
    let types = same_as_csv(&a, "memberships");
    assert_eq!(
        types.iter().map(|(c, t)| format!("{c}:{t}")).collect::<Vec<_>>(),
        ["round:int64", "label:string", "pact:string", "state:string", "p_member:double"]
    );
    let types = same_as_csv(&a, "decisions");
    let kind = |col: &str| types.iter().find(|(c, _)| c == col).unwrap().1;
    assert_eq!((kind("replicate"), kind("action"), kind("security")), ("int64", "string", "double"));
    for f in ["memberships.parquet", "decisions.parquet"] {
        assert_eq!(std::fs::read(a.join(f)).unwrap(), std::fs::read(b.join(f)).unwrap(), "{f}");
    }
    // Listed in the result's marker like every file it holds.
    let marker = std::fs::read_to_string(a.join(".pactsim.json")).unwrap();
    assert!(
        marker.contains("decisions.parquet") && marker.contains("memberships.parquet"),
        "{marker}"
    );
    // Without --parquet, none.
    let c = tmp.path().join("c");
    pactsim()
        .args([
            "run",
            "scenarios/finland_sweden.toml",
            "--runs",
            "60",
            "--no-charts",
            "--quiet",
            "--out",
        ])
        .arg(&c)
        .assert()
        .success();
    assert!(!c.join("decisions.parquet").exists());
}

#[test]
fn sweep_and_backtest_tables_as_parquet() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("s");
    pactsim()
        .args([
            "sweep",
            "scenarios/lithium_triangle.toml",
            "--vary",
            "model.temperature=0.1,0.2",
            "--runs",
            "20",
            "--parquet",
            "--no-charts",
            "--quiet",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    let types = same_as_csv(&out, "sweep");
    assert!(types.iter().any(|(c, t)| c == "p_final" && *t == "double"), "{types:?}");
    let out = tmp.path().join("b");
    pactsim()
        .args([
            "backtest",
            "--from",
            "1960",
            "--to",
            "1961",
            "--parquet",
            "--no-charts",
            "--quiet",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    same_as_csv(&out, "backtest");
    same_as_csv(&out, "backtest_years");
}

/// What an R or Python user does: read the file with Arrow. Runs when PACTSIM_PYTHON names a
/// Python with pyarrow (`.ci/run` sets it up and requires it with PACTSIM_REQUIRE_PYARROW=1).
#[test]
fn pyarrow_reads_the_same_numbers() {
    let Some(python) = std::env::var_os("PACTSIM_PYTHON") else {
        assert!(
            std::env::var_os("PACTSIM_REQUIRE_PYARROW").is_none(),
            "PACTSIM_REQUIRE_PYARROW is set but PACTSIM_PYTHON is not"
        );
        eprintln!("PACTSIM_PYTHON not set: the pyarrow check is skipped");
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("r");
    pactsim()
        .args([
            "run",
            "scenarios/finland_sweden.toml",
            "--runs",
            "40",
            "--parquet",
            "--no-charts",
            "--quiet",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    let script = r#"
import csv, sys
import pyarrow.parquet as pq
d = sys.argv[1]
for name in ["memberships", "decisions"]:
    t = pq.read_table(f"{d}/{name}.parquet").to_pylist()
    rows = list(csv.DictReader(open(f"{d}/{name}.csv")))
    assert len(t) == len(rows), (name, len(t), len(rows))
    for a, b in zip(t, rows):
        for k, v in b.items():
            got = a[k]
            if v == "":
                assert got is None, (name, k, got)
            elif isinstance(got, str):
                assert got == v, (name, k, got, v)
            else:
                assert got == float(v), (name, k, got, v)
    print(name, len(t))
"#;
    let out = std::process::Command::new(python).arg("-c").arg(script).arg(&out).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("memberships") && text.contains("decisions"), "{text}");
}

/// A sweep's parameter columns are real numbers even when every design point is an integer
/// (`0,1` is written `0` and `1`): the schema does not change with the values swept.
#[test]
fn integer_design_points_are_double() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("s");
    pactsim()
        .args([
            "sweep",
            "scenarios/examples/nordic_trade.toml",
            "--vary",
            "term.trade.weight=0,1",
            "--runs",
            "10",
            "--parquet",
            "--no-charts",
            "--quiet",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    let types = same_as_csv(&out, "sweep");
    let weight = types
        .iter()
        .find(|(c, _)| c == "term.trade.weight")
        .expect("the swept parameter's column");
    assert_eq!(weight.1, "double", "{types:?}");
}
