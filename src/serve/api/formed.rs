//! The pacts the scenario's templates formed (docs/MODEL.md §5b), for the page's "Pacts that
//! formed" table: `formed` of `POST /api/view`, one row per stable id in the edited run or the
//! file as written, most frequent first.

use serde_json::{Value, json};

use crate::study::compare::Comparison;

/// Each formed pact of the comparison (the file as written, then the edited scenario): id,
/// template, kind, founders, and per variant `p_formed` and `p_alive_end`, with the edited
/// run's members at the end (`members`: state and P(member at the end), most likely first).
pub(super) fn rows(cmp: &Comparison) -> Value {
    let edited = cmp.variants.last().map(|v| &v.summary);
    let rows: Vec<Value> = cmp
        .formed()
        .into_iter()
        .map(|r| {
            let mut members: Vec<(&String, f64)> = edited
                .and_then(|s| s.formed.get(&r.id))
                .map(|f| {
                    f.membership
                        .iter()
                        .map(|(st, m)| (st, m.p_final))
                        .filter(|(_, p)| *p > 0.0)
                        .collect()
                })
                .unwrap_or_default();
            members.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(b.0)));
            let variants: Vec<Value> = cmp
                .variants
                .iter()
                .zip(r.p_formed.iter().zip(&r.p_alive_end))
                .map(|(v, (pf, pa))| json!({"name": v.name, "p_formed": pf, "p_alive_end": pa}))
                .collect();
            json!({
                "id": r.id,
                "template": r.template,
                "kind": r.kind,
                "founders": r.founders,
                "variants": variants,
                "members": members.iter().map(|(st, p)| json!({"state": st, "p_final": p})).collect::<Vec<_>>(),
            })
        })
        .collect();
    Value::Array(rows)
}
