//! `--parquet`: each tidy table a command writes (memberships.csv, decisions.csv, sweep.csv,
//! backtest.csv, backtest_years.csv) also as Parquet, beside it, for R's `arrow`, polars and
//! pandas.
//!
//! The Parquet file is made from the CSV just written, so the two hold the same numbers by
//! construction: a column whose every cell is a number is DOUBLE (the CSV's decimal text,
//! parsed), or INT64 when every cell is an integer and the column is not a real one (see
//! [`real_columns`]: counts, rounds and replicates are integers; shares, terms and parameter values
//! are real whatever their cells look like); anything else is a UTF-8 string; an empty cell is a null. Column names and order are the CSV's. One row group, Snappy-compressed; nothing in
//! the file depends on the time or the machine, so the same result gives the same bytes.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use parquet::basic::{Compression, LogicalType, Repetition, Type as Physical};
use parquet::data_type::{ByteArray, ByteArrayType, DoubleType, Int64Type};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::types::Type;

use super::ReportError;

/// The tables `--parquet` converts, where a command wrote them.
pub const TABLES: [&str; 5] = ["memberships", "decisions", "sweep", "backtest", "backtest_years"];

/// Columns that hold real numbers whatever their cells look like (a share that is 0 or 1 in every
/// replicate is still a share): DOUBLE whenever numeric, so a table's schema does not change with
/// its values. Other numeric columns are INT64 when every cell is an integer.
pub const REAL: [&str; 23] = [
    "p_member",
    "probability",
    "utility",
    "security",
    "issue",
    "autonomy",
    "neutrality",
    "entrapment",
    "provocation",
    "affinity",
    "support",
    "switching",
    "goodwill",
    "grievance",
    "p_final",
    "p_final_se",
    "join_round_median",
    "p_formed",
    "brier",
    "log_loss",
    "brier_skill_vs_persistence",
    "annual_exit_rate",
    "annual_entry_rate",
];

/// The column types a CSV column becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Int,
    Float,
    Text,
}

/// The kind of a column from its cells (empty cells, nulls, do not decide it; a column with
/// nothing but nulls is text).
pub fn kind_of<'a>(cells: impl Iterator<Item = &'a str> + Clone) -> Kind {
    let filled = cells.filter(|c| !c.is_empty());
    if filled.clone().next().is_none() {
        Kind::Text
    } else if filled.clone().all(|c| c.parse::<i64>().is_ok()) {
        Kind::Int
    } else if filled.clone().all(|c| c.parse::<f64>().is_ok_and(f64::is_finite)) {
        Kind::Float
    } else {
        Kind::Text
    }
}

/// Writes `NAME.parquet` beside every `NAME.csv` of [`TABLES`] in `dir`; returns what it wrote.
pub fn write_beside(dir: &Path) -> Result<Vec<PathBuf>, ReportError> {
    let mut written = Vec::new();
    for name in TABLES {
        let csv = dir.join(format!("{name}.csv"));
        if csv.is_file() {
            let out = dir.join(format!("{name}.parquet"));
            convert(name, &csv, &out)?;
            written.push(out);
        }
    }
    Ok(written)
}

/// Which columns of `table` (one of [`TABLES`]) hold real numbers, whatever their cells: the
/// [`REAL`] names; in decisions, `utility` and every column after it (the model's terms and the
/// scenario's own `[[term]]`s, whose names no list here can know); in sweep, the parameters'
/// columns between `variant` and `pact` (design points are real numbers, 1 as much as 0.5). So a
/// table's schema does not change with its values.
pub fn real_columns(table: &str, header: &[String]) -> Vec<bool> {
    let position = |name: &str| header.iter().position(|h| h == name);
    let from_utility = match table {
        "decisions" => position("utility"),
        _ => None,
    };
    let parameters = match (table, position("variant"), position("pact")) {
        ("sweep", Some(v), Some(p)) if v < p => Some(v + 1..p),
        _ => None,
    };
    header
        .iter()
        .enumerate()
        .map(|(i, name)| {
            REAL.contains(&name.as_str()) || from_utility.is_some_and(|u| i >= u) || parameters.as_ref().is_some_and(|r| r.contains(&i))
        })
        .collect()
}

/// One CSV file (with a header) of `table` (one of [`TABLES`]) as one Parquet file.
pub fn convert(table: &str, csv_path: &Path, out: &Path) -> Result<(), ReportError> {
    let read_err = |message: String| ReportError::Read {
        path: csv_path.to_path_buf(),
        message,
    };
    let mut reader = ::csv::Reader::from_path(csv_path).map_err(|e| read_err(e.to_string()))?;
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| read_err(e.to_string()))?
        .iter()
        .map(str::to_string)
        .collect();
    let mut columns: Vec<Vec<String>> = vec![Vec::new(); header.len()];
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|e| read_err(e.to_string()))?;
        if record.len() != header.len() {
            return Err(read_err(format!(
                "row {} has {} fields, the header {}",
                i + 2,
                record.len(),
                header.len()
            )));
        }
        for (column, cell) in columns.iter_mut().zip(record.iter()) {
            column.push(cell.to_string());
        }
    }
    let real = real_columns(table, &header);
    write(out, &header, &columns, &real)
}

/// Columns of text cells (one `Vec` per column, all of one length) as a Parquet file; a numeric
/// column whose `real` flag is set is DOUBLE even when every cell is an integer.
pub fn write(out: &Path, header: &[String], columns: &[Vec<String>], real: &[bool]) -> Result<(), ReportError> {
    let err = |source| ReportError::Parquet {
        path: out.to_path_buf(),
        source,
    };
    let kinds: Vec<Kind> = columns
        .iter()
        .enumerate()
        .map(|(i, c)| match kind_of(c.iter().map(String::as_str)) {
            Kind::Int if real.get(i).copied().unwrap_or(false) => Kind::Float,
            kind => kind,
        })
        .collect();
    let fields = header
        .iter()
        .zip(&kinds)
        .map(|(name, kind)| {
            let builder = match kind {
                Kind::Int => Type::primitive_type_builder(name, Physical::INT64),
                Kind::Float => Type::primitive_type_builder(name, Physical::DOUBLE),
                Kind::Text => Type::primitive_type_builder(name, Physical::BYTE_ARRAY).with_logical_type(Some(LogicalType::String)),
            };
            builder.with_repetition(Repetition::OPTIONAL).build().map(Arc::new)
        })
        .collect::<Result<Vec<_>, _>>()
        .map_err(err)?;
    let schema = Arc::new(Type::group_type_builder("schema").with_fields(fields).build().map_err(err)?);
    let props = Arc::new(
        WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .set_created_by(format!("pactsim {}", env!("CARGO_PKG_VERSION")))
            .build(),
    );
    let file = std::fs::File::create(out).map_err(|source| ReportError::Io {
        path: out.to_path_buf(),
        source,
    })?;
    let mut writer = SerializedFileWriter::new(file, schema, props).map_err(err)?;
    let mut group = writer.next_row_group().map_err(err)?;
    for (cells, kind) in columns.iter().zip(&kinds) {
        let Some(mut column) = group.next_column().map_err(err)? else {
            break;
        };
        // Definition level 1: a value; 0: a null (an empty cell).
        let levels: Vec<i16> = cells.iter().map(|c| i16::from(!c.is_empty())).collect();
        let filled = cells.iter().filter(|c| !c.is_empty());
        match kind {
            Kind::Int => {
                let values: Vec<i64> = filled.map(|c| c.parse().expect("checked by kind_of")).collect();
                column.typed::<Int64Type>().write_batch(&values, Some(&levels), None).map_err(err)?;
            }
            Kind::Float => {
                let values: Vec<f64> = filled.map(|c| c.parse().expect("checked by kind_of")).collect();
                column
                    .typed::<DoubleType>()
                    .write_batch(&values, Some(&levels), None)
                    .map_err(err)?;
            }
            Kind::Text => {
                let values: Vec<ByteArray> = filled.map(|c| ByteArray::from(c.as_str())).collect();
                column
                    .typed::<ByteArrayType>()
                    .write_batch(&values, Some(&levels), None)
                    .map_err(err)?;
            }
        }
        column.close().map_err(err)?;
    }
    group.close().map_err(err)?;
    writer.close().map_err(err)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_typed_by_their_cells() {
        assert_eq!(kind_of(["1", "2", ""].into_iter()), Kind::Int);
        assert_eq!(kind_of(["1", "2.5"].into_iter()), Kind::Float);
        assert_eq!(kind_of(["1", "NATO"].into_iter()), Kind::Text);
        assert_eq!(kind_of(["inf"].into_iter()), Kind::Text);
        assert_eq!(kind_of(["", ""].into_iter()), Kind::Text);
    }

    #[test]
    fn a_scenarios_own_terms_and_sweep_parameters_are_real() {
        let h = |names: &[&str]| names.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let decisions = h(&["replicate", "round", "state", "probability", "utility", "security", "my_term"]);
        assert_eq!(real_columns("decisions", &decisions), [false, false, false, true, true, true, true]);
        let sweep = h(&["variant", "state.USA.commitment", "rounds", "pact", "state", "p_final"]);
        assert_eq!(real_columns("sweep", &sweep), [false, true, true, false, false, true]);
        // Outside decisions, a column named like a scenario's term is typed by its cells.
        assert_eq!(real_columns("memberships", &h(&["round", "my_term"])), [false, false]);
    }

    #[test]
    fn every_term_of_decisions_csv_is_real() {
        for name in crate::model::Terms::NAMES {
            assert!(REAL.contains(&name), "{name}");
        }
    }
}
