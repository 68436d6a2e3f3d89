//! The JSON API: routes, request parsing, errors, and the simulations behind each answer.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Instant;

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Path as UrlPath, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

mod formed;
mod query;
mod story;

use super::{AppState, Entry, MAX_BODY, MAX_RUNS, MAX_SETS, MAX_WORK, QUEUE_WAIT, decisions_per_replicate, guard, max_runs, page};
use crate::plot::{self, SvgChart};
use crate::report::{self, outdir::quote};
use crate::run::{self, RunResult, RunSpec};
use crate::scenario::{self, Scenario, ScenarioError};
use crate::study::compare::{self, Comparison};
use crate::study::{self, Summary};

/// The routes of the page and the API.
pub(crate) fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/", get(page::index))
        .route("/page.js", get(page::script))
        .route("/page.css", get(page::style))
        .route("/api/scenarios", get(list))
        .route("/api/scenarios/{name}", get(describe))
        .route("/api/run", post(run_endpoint))
        .route("/api/view", post(view))
        .route("/api/compare", post(compare_endpoint))
        .route("/api/explain", post(explain))
        .route("/api/story", post(story::story))
        .route("/api/query", post(query::query))
        .route("/api/scenario-file", post(scenario_file))
        .route("/api/save", post(save))
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(MAX_BODY))
        // Outermost: Host, Origin and Content-Type are checked before anything else runs.
        .layer(middleware::from_fn_with_state(state.clone(), guard::admit))
        .with_state(state)
}

/// An error answer: `{"error": "...", "problems": [{"key", "message"}]}` with its status.
#[derive(Debug)]
pub(crate) struct ApiError {
    status: StatusCode,
    message: String,
    /// The `--set` paths (or keys) a validation error names, each with its own message, so the
    /// page can show it next to the control.
    problems: Vec<(String, String)>,
}

impl ApiError {
    pub(super) fn new(status: StatusCode, message: impl Into<String>) -> Self {
        ApiError {
            status,
            message: message.into(),
            problems: Vec::new(),
        }
    }
    fn unprocessable(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, message)
    }
    fn internal(message: impl Into<String>) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, message)
    }
    fn superseded() -> Self {
        Self::new(StatusCode::CONFLICT, "superseded by a newer request from the same page")
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let problems: Vec<Value> = self
            .problems
            .iter()
            .map(|(key, message)| json!({ "key": key, "message": message }))
            .collect();
        (self.status, axum::Json(json!({ "error": self.message, "problems": problems }))).into_response()
    }
}

/// A scenario error as the CLI prints it (`{e:#}`: the message and its causes), with the keys
/// it names.
impl From<ScenarioError> for ApiError {
    fn from(e: ScenarioError) -> Self {
        let problems = match &e {
            ScenarioError::Override { spec, message } => {
                vec![(
                    spec.split_once('=').map_or(spec.as_str(), |(k, _)| k).trim().to_string(),
                    message.clone(),
                )]
            }
            ScenarioError::Invalid { problems, .. } => problems.iter().map(|p| (p.key.clone(), p.message.clone())).collect(),
            _ => Vec::new(),
        };
        ApiError {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            message: chain(&e),
            problems,
        }
    }
}

/// An error and its sources joined by ": ", as anyhow's `{:#}` prints them.
fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

async fn not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "no such page or endpoint; the API is under /api/ (see README.md)",
    )
}

/// Parses a JSON body: 413 if it was too large, 400 if it is not JSON, 422 if it is JSON of the
/// wrong shape (an unknown field, a string for a number, a number out of range).
fn parse<T: DeserializeOwned>(body: Result<Bytes, BytesRejection>) -> Result<T, ApiError> {
    let bytes = body.map_err(|rejection| {
        let status = rejection.status();
        let message = if status == StatusCode::PAYLOAD_TOO_LARGE {
            format!("the request body is larger than {MAX_BODY} bytes")
        } else {
            rejection.body_text()
        };
        ApiError::new(status, message)
    })?;
    serde_json::from_slice(&bytes).map_err(|e| {
        let status = match e.classify() {
            serde_json::error::Category::Data => StatusCode::UNPROCESSABLE_ENTITY,
            _ => StatusCode::BAD_REQUEST,
        };
        ApiError::new(status, format!("the request body is not valid: {e}"))
    })
}

/// What the simulating endpoints take.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Request {
    /// A scenario name from `GET /api/scenarios`.
    scenario: String,
    /// `PATH=VALUE` overrides, as `pactsim run --set` takes them.
    #[serde(default)]
    set: Vec<String>,
    /// Replicates (default: the scenario's `runs`; at most [`MAX_RUNS`], and [`MAX_WORK`]
    /// decisions).
    runs: Option<u32>,
    /// Master seed (default: the scenario's `seed`).
    seed: Option<u64>,
    /// The page's id and the number of its request: a request is dropped once a newer one from
    /// the same page has arrived.
    client: Option<String>,
    generation: Option<u64>,
    /// For `/api/explain`: the state and pact, by id.
    state: Option<String>,
    pact: Option<String>,
    /// The width, in CSS pixels, the page shows its charts at: they are drawn that wide
    /// (at least [`plot::MIN_PAGE_WIDTH`], at most each chart's own width).
    chart_width: Option<u32>,
    /// For `/api/story`: the replicate to tell (below `runs`), or how to pick it (`typical` or
    /// an expression, as `pactsim story --pick` takes it).
    replicate: Option<u64>,
    pick: Option<String>,
    /// For `/api/query`: expressions as `pactsim query` takes them (`NATO.FIN & NATO.SWE @
    /// 2023-06`).
    queries: Option<Vec<String>>,
}

/// A request checked against the server's bounds, with its scenario loaded.
struct Job {
    state: Arc<AppState>,
    req: Request,
    /// Raised when the handler's future is dropped: its client has closed the connection.
    gone: Arc<AtomicBool>,
}

impl Job {
    fn entry(&self) -> Result<&Entry, ApiError> {
        self.state
            .entry(&self.req.scenario)
            .ok_or_else(|| unknown(&self.state, &self.req.scenario))
    }

    /// Whether to stop: the client has gone, or a newer request of the same page has arrived.
    fn stopped(&self) -> bool {
        self.gone.load(Ordering::Relaxed)
            || match (&self.req.client, self.req.generation) {
                (Some(c), Some(g)) => self.state.superseded(c, g),
                _ => false,
            }
    }

    /// The answer of a stopped job (which nobody reads when its client has gone).
    fn halted(&self) -> ApiError {
        if self.gone.load(Ordering::Relaxed) {
            ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "the client closed the connection")
        } else {
            ApiError::superseded()
        }
    }

    /// Counts a simulation that stopped between batches.
    fn count_stop(&self) {
        let c = &self.state.counters;
        let counter = if self.gone.load(Ordering::Relaxed) {
            &c.abandoned
        } else {
            &c.superseded
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// The `stop` of a simulation of `runs` replicates in batches of `batch`: true once the job
    /// is stopped; otherwise it counts the batch about to begin.
    fn between_batches(&self, runs: u64, batch: u64) -> impl Fn() -> bool + Sync + '_ {
        let done = AtomicU64::new(0);
        move || {
            if self.stopped() {
                return true;
            }
            let begun = done.load(Ordering::Relaxed);
            let n = batch.min(runs.saturating_sub(begun));
            done.store(begun + n, Ordering::Relaxed);
            self.state.counters.replicates.fetch_add(n, Ordering::Relaxed);
            false
        }
    }

    /// The scenario after the request's overrides, and the replicates and seed to run, within
    /// the server's bounds on runs and work.
    fn scenario(&self) -> Result<(Scenario, u32, u64), ApiError> {
        let sc = super::load(self.entry()?, &self.req.set)?;
        let (runs, seed) = study::replicates(&sc, self.req.runs, self.req.seed).map_err(|e| ApiError::unprocessable(e.to_string()))?;
        check_runs(runs)?;
        check_work(&sc, runs, "this scenario")?;
        Ok((sc, runs, seed))
    }

    /// Replicates `0..runs` of `sc` (from the cache when this scenario, seed and count ran
    /// before), keeping the decisions of the replicates below `keep_decisions`; None when the
    /// job stopped before the end.
    fn simulate(&self, sc: &Scenario, seed: u64, runs: u32, keep_decisions: u64) -> Option<Arc<RunResult>> {
        let key = (sc.hash.clone(), seed, runs);
        if keep_decisions == 0
            && let Some(hit) = self.state.cached(&key)
        {
            return Some(hit);
        }
        let spec = RunSpec {
            seed,
            replicates: 0..u64::from(runs),
            keep_decisions,
        };
        let batch = batch(runs, decisions_per_replicate(sc));
        let Some(result) = run::run_until(sc, &spec, batch, &self.between_batches(u64::from(runs), batch)) else {
            self.count_stop();
            return None;
        };
        let result = Arc::new(result);
        if keep_decisions == 0 {
            self.state.remember(key, result.clone());
        }
        Some(result)
    }
}

/// Replicates per batch of a simulation of `runs` replicates of `per_replicate` decisions each:
/// a quarter of the runs within 50..=2000, and at most [`BATCH_WORK`] decisions. A job stops
/// only between batches, so this bounds how long an abandoned or superseded job goes on.
fn batch(runs: u32, per_replicate: u64) -> u64 {
    u64::from(runs)
        .div_ceil(4)
        .clamp(50, 2_000)
        .min(BATCH_WORK / per_replicate.max(1))
        .max(1)
}

/// Most observations (replicates × rounds) one batch of `/api/explain` holds.
const TRACE_OBSERVATIONS: u64 = 200_000;

/// Most decisions in one batch of replicates.
const BATCH_WORK: u64 = MAX_WORK / 8;

fn check_runs(runs: u32) -> Result<(), ApiError> {
    if runs == 0 || runs > MAX_RUNS {
        return Err(ApiError::unprocessable(format!(
            "runs {runs} is out of range: the server runs 1 to {MAX_RUNS} replicates per request (use `pactsim run` for more)"
        )));
    }
    Ok(())
}

/// 422 if `runs` replicates of `sc` (`which`: "this scenario", "the file as written") are more
/// than [`MAX_WORK`] decisions.
fn check_work(sc: &Scenario, runs: u32, which: &str) -> Result<(), ApiError> {
    let per = decisions_per_replicate(sc);
    let work = u64::from(runs).saturating_mul(per);
    if work > MAX_WORK {
        return Err(ApiError::unprocessable(format!(
            "too much work: {runs} runs of {which} are {work} decisions (runs × {} states × {} pacts × {} rounds); \
             the server takes at most {MAX_WORK} per simulation, so at most {} runs of it (use `pactsim run` for more)",
            sc.n_states(),
            sc.n_pacts(),
            sc.rounds,
            max_runs(sc)
        )));
    }
    Ok(())
}

fn unknown(state: &AppState, name: &str) -> ApiError {
    let names: Vec<&str> = state.entries.iter().map(|e| e.name.as_str()).collect();
    ApiError::new(
        StatusCode::NOT_FOUND,
        format!("no scenario `{name}`; scenarios: {}", names.join(", ")),
    )
}

/// Runs `work` on a blocking thread once a simulation slot is free: checks the scenario name
/// (404), the request's bounds, and whether a newer request of the same page already arrived
/// (409), first. If the client goes away meanwhile, the wait ends, or the job stops at its next
/// batch.
async fn simulate<T: Send + 'static>(
    state: Arc<AppState>,
    body: Result<Bytes, BytesRejection>,
    work: impl FnOnce(&Job) -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    let req: Request = parse(body)?;
    if state.entry(&req.scenario).is_none() {
        return Err(unknown(&state, &req.scenario));
    }
    if req.set.len() > MAX_SETS {
        return Err(ApiError::unprocessable(format!(
            "{} values set: at most {MAX_SETS} per request",
            req.set.len()
        )));
    }
    if let Some(runs) = req.runs {
        check_runs(runs)?;
    }
    if let (Some(c), Some(g)) = (&req.client, req.generation)
        && (c.len() > 128 || !state.begin(c, g))
    {
        return Err(ApiError::superseded());
    }
    // axum (hyper's HTTP/1 connection) drops this future when the client closes the
    // connection before the answer: waiting for a slot then simply ends, and this guard raises
    // the flag the simulation reads between batches of replicates.
    let gone = Arc::new(AtomicBool::new(false));
    let _on_drop = OnDrop({
        let gone = gone.clone();
        move || gone.store(true, Ordering::Relaxed)
    });
    state.counters.waiting.fetch_add(1, Ordering::Relaxed);
    let waiting = OnDrop({
        let state = state.clone();
        move || {
            state.counters.waiting.fetch_sub(1, Ordering::Relaxed);
        }
    });
    let permit = tokio::time::timeout(QUEUE_WAIT, state.simulations.clone().acquire_owned())
        .await
        .map_err(|_| ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "the server is busy: try again"))?
        .map_err(|_| ApiError::internal("the server is shutting down"))?;
    drop(waiting);
    let job = Job { state, req, gone };
    if job.stopped() {
        return Err(job.halted());
    }
    tokio::task::spawn_blocking(move || {
        let _permit = permit;
        work(&job)
    })
    .await
    .map_err(|e| ApiError::internal(format!("the simulation failed: {e}")))?
}

/// Runs its closure when dropped (also when the future holding it is dropped).
struct OnDrop<F: FnMut()>(F);

impl<F: FnMut()> Drop for OnDrop<F> {
    fn drop(&mut self) {
        (self.0)()
    }
}

fn json_text(text: String) -> Response {
    let mut r = text.into_response();
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    r
}

#[derive(Serialize)]
struct ScenarioItem {
    name: String,
    title: Option<String>,
    description: Option<String>,
    /// Why the file does not load, if it does not.
    error: Option<String>,
}

/// `GET /api/scenarios`: every scenario file of the directory, by name.
async fn list(State(state): State<Arc<AppState>>) -> axum::Json<Vec<ScenarioItem>> {
    let items = state
        .entries
        .iter()
        .map(|e| match super::load(e, &[]) {
            Ok(sc) => ScenarioItem {
                name: e.name.clone(),
                title: Some(sc.name),
                description: Some(sc.description),
                error: None,
            },
            Err(err) => ScenarioItem {
                name: e.name.clone(),
                title: None,
                description: None,
                error: Some(chain(&err)),
            },
        })
        .collect();
    axum::Json(items)
}

/// `GET /api/scenarios/{name}`: the resolved scenario and its editable values with their ranges.
async fn describe(State(state): State<Arc<AppState>>, UrlPath(name): UrlPath<String>) -> Result<axum::Json<Value>, ApiError> {
    let entry = state.entry(&name).ok_or_else(|| unknown(&state, &name))?;
    let sc = super::load(entry, &[])?;
    let parameters = scenario::editable(&entry.source, &[])?;
    let labels: Vec<String> = (0..=sc.rounds).map(|r| sc.calendar.label(r)).collect();
    Ok(axum::Json(json!({
        "name": entry.name,
        "title": sc.name,
        "description": sc.description,
        "rounds": sc.rounds,
        "round_unit": sc.calendar.unit.name(),
        "start": sc.calendar.start.map(|_| sc.calendar.label(1)),
        "seed": sc.seed,
        "runs": sc.runs,
        "max_runs": max_runs(&sc),
        "max_work": MAX_WORK,
        "decisions_per_replicate": decisions_per_replicate(&sc),
        "round_labels": labels,
        "states": sc.states.iter().map(|s| json!({"id": s.id, "name": s.name})).collect::<Vec<_>>(),
        "pacts": sc.pacts.iter().map(|p| json!({"id": p.id, "name": p.name})).collect::<Vec<_>>(),
        "events": sc.events.iter().map(|e| json!({"id": e.id, "name": e.name, "round": e.round, "label": sc.calendar.label(e.round)})).collect::<Vec<_>>(),
        "targets": sc.targets.len(),
        "parameters": parameters,
        "resolved_toml": sc.resolved_toml,
    })))
}

/// `POST /api/run`: the run's `summary.json`, byte for byte what `pactsim run` writes.
async fn run_endpoint(State(state): State<Arc<AppState>>, body: Result<Bytes, BytesRejection>) -> Result<Response, ApiError> {
    let text = simulate(state, body, |job| {
        let (sc, runs, seed) = job.scenario()?;
        let result = job.simulate(&sc, seed, runs, 0).ok_or_else(|| job.halted())?;
        let summary = Summary::new(&sc, &result.tally, seed);
        report::json::text(&summary).map_err(|e| ApiError::internal(e.to_string()))
    })
    .await?;
    Ok(json_text(text))
}

/// The edited scenario against the file as written, on the same seed and replicates.
fn comparison(job: &Job) -> Result<(Comparison, u32, u64), ApiError> {
    let entry = job.entry()?;
    let (edited, runs, seed) = job.scenario()?;
    let written = super::load(entry, &[])?;
    check_work(&written, runs, "the file as written")?;
    let inputs = compare::against_file(&entry.source.path, written, edited, job.req.set.clone());
    let cmp = compare::run_variants(inputs, seed, runs, &mut |sc, seed, runs| {
        job.simulate(sc, seed, runs, 0).map(|r| (*r).clone())
    })
    .ok_or_else(|| job.halted())?;
    Ok((cmp, runs, seed))
}

fn differences(cmp: &Comparison, min: f64) -> Vec<Value> {
    cmp.differences
        .iter()
        .filter(|d| d.change.abs() >= min)
        .map(|d| json!({"pact": d.pact, "state": d.state, "p_a": d.p_base, "p_b": d.p_variant, "difference": d.change}))
        .collect()
}

fn draw_err(e: plot::PlotError) -> ApiError {
    ApiError::internal(chain(&e))
}

/// `POST /api/view`: what the page shows after an edit: the edited run's summary and charts
/// (SVG), and its comparison with the file as written.
async fn view(State(state): State<Arc<AppState>>, body: Result<Bytes, BytesRejection>) -> Result<axum::Json<Value>, ApiError> {
    let t0 = Instant::now();
    let answer = simulate(state, body, move |job| {
        let (cmp, runs, seed) = comparison(job)?;
        let simulated = t0.elapsed().as_secs_f64();
        let edited = &cmp.variants[1].summary;
        let charts: Vec<SvgChart> = plot::run_svg(edited, job.req.chart_width).map_err(draw_err)?;
        let compare_charts = plot::compare_svg(&cmp, job.req.chart_width).map_err(draw_err)?;
        Ok(json!({
            "runs": runs,
            "seed": seed,
            "summary": edited,
            "charts": charts,
            "formed": formed::rows(&cmp),
            "compare": {
                "base": compare::AS_WRITTEN,
                "common_random_numbers": cmp.common_random_numbers(),
                "differences": differences(&cmp, 0.005),
                "charts": compare_charts,
            },
            "seconds": {"simulate": simulated, "total": t0.elapsed().as_secs_f64()},
        }))
    })
    .await?;
    Ok(axum::Json(answer))
}

/// `POST /api/compare`: the edited scenario (`set`) against the file as written, both on the
/// same seed and replicates: each variant's summary and every state–pact difference.
async fn compare_endpoint(State(state): State<Arc<AppState>>, body: Result<Bytes, BytesRejection>) -> Result<axum::Json<Value>, ApiError> {
    let answer = simulate(state, body, |job| {
        let (cmp, runs, seed) = comparison(job)?;
        let variants: Vec<Value> = cmp
            .variants
            .iter()
            .map(|v| json!({"name": v.name, "set": v.sets, "summary": v.summary}))
            .collect();
        Ok(json!({
            "runs": runs,
            "seed": seed,
            "common_random_numbers": cmp.common_random_numbers(),
            "variants": variants,
            "differences": differences(&cmp, 0.0),
        }))
    })
    .await?;
    Ok(axum::Json(answer))
}

/// `POST /api/explain` (with `state` and `pact`): the explain chart (SVG) and table.
async fn explain(State(state): State<Arc<AppState>>, body: Result<Bytes, BytesRejection>) -> Result<axum::Json<Value>, ApiError> {
    let answer = simulate(state, body, |job| {
        let (sc, runs, seed) = job.scenario()?;
        let (Some(s), Some(p)) = (&job.req.state, &job.req.pact) else {
            return Err(ApiError::unprocessable("explain needs `state` and `pact` (ids)"));
        };
        let not_found = |e: study::Unknown| ApiError::new(StatusCode::NOT_FOUND, e.to_string());
        let state = study::state(&sc, s).map_err(not_found)?;
        let pact = study::pact(&sc, p).map_err(not_found)?;
        // Batches of a tracing run also hold their replicates' observations: at most
        // TRACE_OBSERVATIONS of them.
        let batch = batch(runs, decisions_per_replicate(&sc)).min((TRACE_OBSERVATIONS / (u64::from(sc.rounds) + 1)).max(1));
        let stop = job.between_batches(u64::from(runs), batch);
        let Some(trace) = run::trace::trace_until(&sc, state, pact, seed, u64::from(runs), batch, &stop) else {
            job.count_stop();
            return Err(job.halted());
        };
        let chart = plot::explain_svg(&trace, job.req.chart_width).map_err(draw_err)?;
        Ok(json!({"chart": chart, "table": report::explain::table(&trace)}))
    })
    .await?;
    Ok(axum::Json(answer))
}

/// `POST /api/scenario-file`: the scenario file as written with the request's values in place
/// and a comment listing them (what "Download scenario" saves).
async fn scenario_file(State(state): State<Arc<AppState>>, body: Result<Bytes, BytesRejection>) -> Result<Response, ApiError> {
    let req: Request = parse(body)?;
    let entry = state.entry(&req.scenario).ok_or_else(|| unknown(&state, &req.scenario))?;
    if req.set.len() > MAX_SETS {
        return Err(ApiError::unprocessable(format!("at most {MAX_SETS} values per request")));
    }
    if let Some(runs) = req.runs {
        check_runs(runs)?;
    }
    // Validate first: a file is only offered if `pactsim run` would accept these values.
    super::load(entry, &req.set)?;
    let text = scenario::edit::apply_to_text(&entry.source, &req.set)?;
    let mut r = text.into_response();
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("application/toml; charset=utf-8"));
    let file = format!("attachment; filename=\"{}-edited.toml\"", entry.name);
    if let Ok(v) = HeaderValue::from_str(&file) {
        r.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(r)
}

/// `POST /api/save`: writes the run directory exactly as `pactsim run scenarios/<name>.toml
/// --set ... --runs N --seed S` would (decisions of the first [`crate::output::DEFAULT_DECISIONS`] replicates, charts and
/// report.html), into `output/<name>/` or, when that holds a different result, the next free
/// `output/<name>-2/`, `-3/`, … (never over anything else).
async fn save(State(state): State<Arc<AppState>>, body: Result<Bytes, BytesRejection>) -> Result<axum::Json<Value>, ApiError> {
    let answer = simulate(state, body, |job| {
        let (sc, runs, seed) = job.scenario()?;
        let entry = job.entry()?;
        // The same rules as `pactsim run` without --out: output/<name>/, or the next free
        // numbered sibling when that holds a different result.
        let mut command = format!("pactsim run {}", quote(&entry.source.path.display().to_string()));
        for set in &job.req.set {
            command.push_str(&format!(" --set {}", quote(set)));
        }
        command.push_str(&format!(" --runs {runs} --seed {seed}"));
        let identity = crate::output::run_identity(&sc, seed, &(0..u64::from(runs))).command(command);
        let default = job.state.output.join(&entry.name);
        let dest =
            crate::output::run_destination(None, &default, identity, false).map_err(|e| ApiError::unprocessable(format!("{e:#}")))?;
        let result = job
            .simulate(&sc, seed, runs, crate::output::DEFAULT_DECISIONS)
            .ok_or_else(|| job.halted())?;
        let (_, committed) = crate::output::write_run(&dest, &sc, &result, true).map_err(|e| ApiError::internal(format!("{e:#}")))?;
        Ok(json!({"dir": committed.path.display().to_string(), "note": dest.note()}))
    })
    .await?;
    Ok(axum::Json(answer))
}
