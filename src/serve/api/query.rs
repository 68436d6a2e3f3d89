//! `POST /api/query`: joint outcomes of the edited scenario, as `pactsim query` answers them over
//! a run's outcomes.bin — the share of replicates in which each expression holds, with its count
//! and Wilson 95% interval. The page asks it for two chosen cells (A & B, A, B at one date).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use serde_json::{Value, json};

use super::{ApiError, AppState, batch, chain, decisions_per_replicate, simulate};

/// Most expressions one request asks.
pub(super) const MAX_QUERIES: usize = 16;

/// The request's `queries` (1 to [`MAX_QUERIES`] expressions, each `EXPR [@ WHEN]`), answered
/// over `runs` replicates: `answers` (expression, round, label, count, runs, p, wilson_low,
/// wilson_high) in the order asked.
pub(super) async fn query(State(state): State<Arc<AppState>>, body: Result<Bytes, BytesRejection>) -> Result<axum::Json<Value>, ApiError> {
    let answer = simulate(state, body, |job| {
        let queries = job.req.queries.clone().unwrap_or_default();
        if queries.is_empty() || queries.len() > MAX_QUERIES {
            return Err(ApiError::unprocessable(format!(
                "query needs `queries`: 1 to {MAX_QUERIES} expressions such as `NATO.FIN & NATO.SWE @ 2023-06` (got {})",
                queries.len()
            )));
        }
        let (sc, runs, seed) = job.scenario()?;
        let name = job.entry()?.name.clone();
        let runs64 = u64::from(runs);
        let batch = batch(runs, decisions_per_replicate(&sc));
        let stop = job.between_batches(runs64, batch);
        let file = format!("scenario `{name}`");
        match crate::query::answer_simulated(&sc, seed, runs64, &queries, &file, batch, &stop) {
            Ok(Some(answers)) => Ok(json!({ "runs": runs, "seed": seed, "answers": answers })),
            Ok(None) => {
                job.count_stop();
                Err(job.halted())
            }
            Err(e) => Err(ApiError::unprocessable(chain(&e))),
        }
    })
    .await?;
    Ok(axum::Json(answer))
}
