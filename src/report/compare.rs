//! `compare`'s output: the differences table (`compare.csv`), the variants' own results and
//! `compare.html`, written into a directory the caller stages. The comparison itself is computed
//! in [`crate::compare`] and its charts drawn by [`crate::plot::draw_compare`]; this module only
//! writes.

use std::path::Path;

use super::{ReportError, io_err};
use crate::compare::Comparison;
use crate::plot::Chart;

/// variant_a, variant_b, pact, state, p_final_a, p_final_b, difference (b − a).
pub fn write_csv(dir: &Path, cmp: &Comparison) -> Result<(), ReportError> {
    let path = dir.join("compare.csv");
    let err = |source| ReportError::Csv {
        path: path.clone(),
        source,
    };
    let mut w = csv::Writer::from_path(&path).map_err(err)?;
    w.write_record(["variant_a", "variant_b", "pact", "state", "p_final_a", "p_final_b", "difference"])
        .map_err(err)?;
    for d in &cmp.differences {
        w.write_record([
            d.a.as_str(),
            &d.b,
            &d.pact,
            &d.state,
            &d.p_a.to_string(),
            &d.p_b.to_string(),
            &d.diff.to_string(),
        ])
        .map_err(err)?;
    }
    w.flush().map_err(io_err(&path))
}

/// Writes the comparison into `dir` (a staging directory): `compare.csv`, `compare.html` (with
/// `charts`, already drawn into `dir/charts`), and each variant's `summary.json`, `tally.json` and
/// resolved scenario under `variants/NAME/`.
pub fn write_dir(dir: &Path, cmp: &Comparison, charts: &[Chart]) -> Result<(), ReportError> {
    for v in &cmp.variants {
        let vdir = dir.join("variants").join(&v.name);
        std::fs::create_dir_all(&vdir).map_err(io_err(&vdir))?;
        super::json::write_summary(&vdir, &v.summary)?;
        if let Some(t) = &v.tally {
            super::json::write_tally(&vdir, t)?;
        }
        if let Some(text) = &v.resolved {
            let p = vdir.join("scenario.resolved.toml");
            std::fs::write(&p, text).map_err(io_err(&p))?;
        }
    }
    write_csv(dir, cmp)?;
    super::html::write_compare(dir, cmp, charts)
}
