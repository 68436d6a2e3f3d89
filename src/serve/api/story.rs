//! `POST /api/story`: one replicate of the edited scenario told, as `pactsim story` tells it —
//! by number (`replicate`) or picked (`pick`: `typical` or an expression, over `runs`
//! replicates).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use serde_json::{Value, json};

use super::{ApiError, AppState, batch, chain, decisions_per_replicate, draw_err, simulate};
use crate::plot;
use crate::report;
use crate::run::story as tell;

/// The request's `replicate` or `pick` (exactly one), the story of that replicate: its entries
/// (`story`), the chronicle's lines (`lines`: round, date, kind, state, pact, detail, text) and
/// text (`text`, story.txt), the timeline chart (`chart`, SVG) and, when picked, why (`pick`,
/// `pick_sentence`).
pub(super) async fn story(State(state): State<Arc<AppState>>, body: Result<Bytes, BytesRejection>) -> Result<axum::Json<Value>, ApiError> {
    let answer = simulate(state, body, |job| {
        let (sc, runs, seed) = job.scenario()?;
        let name = job.entry()?.name.clone();
        let runs64 = u64::from(runs);
        let unprocessable = |e: crate::story::StoryError| ApiError::unprocessable(chain(&e));
        let pick = match (&job.req.replicate, &job.req.pick) {
            (Some(k), None) => {
                crate::story::check_replicate(*k, runs64).map_err(unprocessable)?;
                None
            }
            (None, Some(text)) => {
                let spec = crate::story::parse_pick(text, &sc, &format!("scenario `{name}`")).map_err(unprocessable)?;
                let batch = batch(runs, decisions_per_replicate(&sc));
                let stop = job.between_batches(runs64, batch);
                match crate::story::pick(&sc, seed, runs64, &spec, batch, &stop, &|_| {}) {
                    Ok(Some(p)) => Some(p),
                    Ok(None) => {
                        job.count_stop();
                        return Err(job.halted());
                    }
                    Err(e) => return Err(unprocessable(e)),
                }
            }
            _ => {
                return Err(ApiError::unprocessable(
                    "story needs exactly one of `replicate` (a number below `runs`) and `pick` (`typical` or an expression such as `NATO.FIN & !NATO.SWE`)",
                ));
            }
        };
        let k = pick.as_ref().map_or_else(|| job.req.replicate.unwrap_or(0), |p| p.replicate);
        let story = tell::story(&sc, seed, k);
        let sentence = pick.as_ref().map(|p| report::story::pick_sentence(p, seed));
        // The page shows why it was picked above the chart: not repeated in it.
        let chart = plot::story_svg(&story, None, job.req.chart_width).map_err(draw_err)?;
        Ok(json!({
            "replicate": k,
            "runs": runs,
            "seed": seed,
            "pick": pick,
            "pick_sentence": sentence,
            "lines": report::story::lines(&story),
            "text": report::story::text(&story, pick.as_ref()),
            "chart": chart,
            "story": story,
        }))
    })
    .await?;
    Ok(axum::Json(answer))
}
