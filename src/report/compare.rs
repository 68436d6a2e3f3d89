//! `compare`'s files: the differences table (`compare.csv`) and the variants' own results,
//! written into a directory the caller stages. The comparison itself is computed in
//! [`crate::study::compare`], its charts drawn by [`crate::plot::draw_compare`] and its page
//! written by [`crate::pages::write_compare`].

use std::path::Path;

use super::{ReportError, io_err};
use crate::study::compare::Comparison;

/// variant_a, variant_b, pact, state, p_final_a, p_final_b, difference (b − a).
pub fn write_csv(dir: &Path, cmp: &Comparison) -> Result<(), ReportError> {
    let path = dir.join("compare.csv");
    let err = super::csv_err(&path);
    let mut w = csv::Writer::from_path(&path).map_err(&err)?;
    w.write_record(["variant_a", "variant_b", "pact", "state", "p_final_a", "p_final_b", "difference"])
        .map_err(&err)?;
    for d in &cmp.differences {
        w.write_record([
            d.base.as_str(),
            &d.variant,
            &d.pact,
            &d.state,
            &d.p_base.to_string(),
            &d.p_variant.to_string(),
            &d.change.to_string(),
        ])
        .map_err(&err)?;
    }
    w.flush().map_err(io_err(&path))
}

/// compare_formed.csv: every pact a template formed in some variant (docs/MODEL.md §5b): pact
/// (stable id), template, kind, founders (space-separated), then `p_formed_NAME` and
/// `p_alive_end_NAME` per variant. Written only when some variant formed a pact.
pub fn write_formed_csv(dir: &Path, cmp: &Comparison) -> Result<(), ReportError> {
    let rows = cmp.formed();
    if rows.is_empty() {
        return Ok(());
    }
    let path = dir.join("compare_formed.csv");
    let err = super::csv_err(&path);
    let mut w = csv::Writer::from_path(&path).map_err(&err)?;
    let mut head: Vec<String> = ["pact", "template", "kind", "founders"].map(String::from).to_vec();
    head.extend(cmp.variants.iter().map(|v| format!("p_formed_{}", v.name)));
    head.extend(cmp.variants.iter().map(|v| format!("p_alive_end_{}", v.name)));
    w.write_record(&head).map_err(&err)?;
    for r in rows {
        let mut rec = vec![r.id.clone(), r.template.clone(), r.kind.clone(), r.founders.join(" ")];
        rec.extend(r.p_formed.iter().map(f64::to_string));
        rec.extend(r.p_alive_end.iter().map(f64::to_string));
        w.write_record(&rec).map_err(&err)?;
    }
    w.flush().map_err(io_err(&path))
}

/// Writes the comparison into `dir` (a staging directory): `compare.csv`, `compare_formed.csv`
/// (when a template formed a pact), and each variant's
/// `summary.json`, `tally.json` and resolved scenario under `variants/NAME/`.
pub fn write_dir(dir: &Path, cmp: &Comparison) -> Result<(), ReportError> {
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
    write_formed_csv(dir, cmp)
}
