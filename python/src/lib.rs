//! `pactsim._pactsim`: the native half of the Python package. It loads scenarios and calls the
//! library's run and study layers (`pactsim::run`, `pactsim::study`), exactly as the command
//! line does, and hands results back as JSON text made by the same serialiser as the CLI's files
//! (`report::json::text`) and as Arrow tables ([`tables`]). The Python half (`pactsim/__init__.py`)
//! turns those into dicts and DataFrames and shows progress.
//!
//! Every simulation runs with the GIL released, on a thread of its own (in a rayon pool of
//! `threads` threads when given); the calling thread wakes every 100 ms to pass progress to the
//! Python callback and to check for Ctrl-C (`Python::check_signals`). On Ctrl-C the study is
//! asked to stop at its next chance (between batches of replicates, variants, points or start
//! years) and `KeyboardInterrupt` is raised.

mod errors;
mod tables;

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, mpsc};
use std::time::Duration;

use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;

use pactsim::report;
use pactsim::run::{self as runs_, RunResult, RunSpec};
use pactsim::scenario::sweep::{DesignKind, Vary};
use pactsim::scenario::{self, Source};
use pactsim::study::compare::{self as compare_study, Input};
use pactsim::study::sensitivity::{self as sensitivity_study, Method, SensitivityOptions};
use pactsim::study::sweep::{self as sweep_study, SweepOptions};
use pactsim::study::{self, Progress, StudyError, Summary};

use errors::{PactsimError, ScenarioError, scenario_error, study_error};
use tables::{ArrowTable, table};

/// A scenario, loaded and validated: the file (or text) it came from, the `set` overrides
/// applied, and the resolved scenario.
#[pyclass(frozen, module = "pactsim._pactsim")]
pub struct Scenario {
    source: Source,
    sets: Vec<String>,
    inner: scenario::Scenario,
}

#[pymethods]
impl Scenario {
    /// The scenario's name (`[scenario] name`).
    #[getter]
    fn name(&self) -> &str {
        &self.inner.name
    }
    #[getter]
    fn description(&self) -> &str {
        &self.inner.description
    }
    /// The file it was read from (for text, the name it was given).
    #[getter]
    fn path(&self) -> PathBuf {
        self.source.path.clone()
    }
    /// The scenario file's text as read (before the overrides).
    #[getter]
    fn text(&self) -> &str {
        &self.source.text
    }
    /// The overrides applied, as `KEY=VALUE` strings (`--set`).
    #[getter]
    fn sets(&self) -> Vec<String> {
        self.sets.clone()
    }
    #[getter]
    fn rounds(&self) -> u32 {
        self.inner.rounds
    }
    /// The default number of replicates (`[scenario] runs`).
    #[getter]
    fn runs(&self) -> u32 {
        self.inner.runs
    }
    /// The default master seed (`[scenario] seed`).
    #[getter]
    fn seed(&self) -> u64 {
        self.inner.seed
    }
    #[getter]
    fn states(&self) -> Vec<String> {
        self.inner.states.iter().map(|s| s.id.clone()).collect()
    }
    #[getter]
    fn pacts(&self) -> Vec<String> {
        self.inner.pacts.iter().map(|p| p.id.clone()).collect()
    }
    #[getter]
    fn events(&self) -> Vec<String> {
        self.inner.events.iter().map(|e| e.id.clone()).collect()
    }
    /// The label of each round 0..=rounds (dates where the scenario has a start date).
    #[getter]
    fn round_labels(&self) -> Vec<String> {
        (0..=self.inner.rounds).map(|r| self.inner.calendar.label(r)).collect()
    }
    /// The resolved scenario as TOML (what `scenario.resolved.toml` holds).
    #[getter]
    fn resolved_toml(&self) -> &str {
        &self.inner.resolved_toml
    }
    /// SHA-256 of the resolved scenario.
    #[getter]
    fn hash(&self) -> &str {
        &self.inner.hash
    }

    /// The same scenario with more overrides (`KEY=VALUE` strings), applied after its own.
    fn with_sets(&self, sets: Vec<String>) -> PyResult<Scenario> {
        let all: Vec<String> = self.sets.iter().chain(&sets).cloned().collect();
        resolve(self.source.clone(), all)
    }

    fn __repr__(&self) -> String {
        format!(
            "<pactsim.Scenario {:?}: {} states, {} pacts, {} rounds ({})>",
            self.inner.name,
            self.inner.n_states(),
            self.inner.n_pacts(),
            self.inner.rounds,
            self.source.path.display()
        )
    }
}

fn resolve(source: Source, sets: Vec<String>) -> PyResult<Scenario> {
    let inner = scenario::from_source(&source, &sets).map_err(|e| scenario_error(&e))?;
    Ok(Scenario { source, sets, inner })
}

/// Loads and validates the scenario file at `path` with `sets` (`KEY=VALUE`) applied.
#[pyfunction]
fn load_file(path: PathBuf, sets: Vec<String>) -> PyResult<Scenario> {
    let source = study::read_file(&path).map_err(|e| scenario_error(&e))?;
    resolve(source, sets)
}

/// Loads and validates a scenario from its TOML text; `path` names it in errors, and covariate
/// files are read relative to it.
#[pyfunction]
fn load_text(text: String, path: PathBuf, sets: Vec<String>) -> PyResult<Scenario> {
    resolve(Source { path, text }, sets)
}

/// A study's progress, shared between the thread that runs it and the thread that reports it.
#[derive(Default)]
struct Bridge {
    total: AtomicU64,
    done: AtomicU64,
    unit: Mutex<String>,
    message: Mutex<String>,
    stop: AtomicBool,
}

impl Progress for Bridge {
    fn start(&self, total: u64, unit: &str) {
        self.done.store(0, Ordering::Relaxed);
        self.total.store(total, Ordering::Relaxed);
        *self.unit.lock().unwrap_or_else(|e| e.into_inner()) = unit.to_string();
    }
    fn message(&self, text: &str) {
        *self.message.lock().unwrap_or_else(|e| e.into_inner()) = text.to_string();
    }
    fn advance(&self, n: u64) {
        self.done.fetch_add(n, Ordering::Relaxed);
    }
    fn cancelled(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
    }
}

impl Bridge {
    /// Calls `callback(done, total, unit, message)`.
    fn report(&self, py: Python<'_>, callback: Option<&Py<PyAny>>) -> PyResult<()> {
        let Some(callback) = callback else { return Ok(()) };
        let unit = self.unit.lock().unwrap_or_else(|e| e.into_inner()).clone();
        let message = self.message.lock().unwrap_or_else(|e| e.into_inner()).clone();
        callback.call1(
            py,
            (self.done.load(Ordering::Relaxed), self.total.load(Ordering::Relaxed), unit, message),
        )?;
        Ok(())
    }
}

/// Runs `work` with the GIL released, on a thread of its own (inside a rayon pool of `threads`
/// threads when given), while this thread reports progress to `callback` and checks for Ctrl-C
/// every 100 ms. Ctrl-C asks the work to stop and raises `KeyboardInterrupt`.
fn drive<T: Send>(
    py: Python<'_>,
    threads: Option<usize>,
    callback: Option<Py<PyAny>>,
    work: impl FnOnce(&Bridge) -> T + Send,
) -> PyResult<T> {
    let pool = match threads {
        Some(0) => return Err(PyValueError::new_err("threads must be at least 1 (None: all cores)")),
        Some(n) => Some(
            rayon::ThreadPoolBuilder::new()
                .num_threads(n)
                .build()
                .map_err(|e| PyRuntimeError::new_err(format!("cannot start {n} threads: {e}")))?,
        ),
        None => None,
    };
    let bridge = Bridge::default();
    let callback = callback.as_ref();
    let (out, interrupted) = py.detach(|| {
        std::thread::scope(|s| {
            let (tx, rx) = mpsc::channel::<()>();
            let bridge = &bridge;
            let handle = s.spawn(move || {
                let out = match &pool {
                    Some(pool) => pool.install(|| work(bridge)),
                    None => work(bridge),
                };
                let _ = tx.send(());
                out
            });
            let mut interrupted: Option<PyErr> = None;
            loop {
                let finished = !matches!(rx.recv_timeout(Duration::from_millis(100)), Err(mpsc::RecvTimeoutError::Timeout));
                let reported = Python::attach(|py| {
                    if !finished
                        && interrupted.is_none()
                        && let Err(e) = py.check_signals()
                    {
                        bridge.stop.store(true, Ordering::Relaxed);
                        interrupted = Some(e);
                    }
                    bridge.report(py, callback)
                });
                if let Err(e) = reported {
                    // The callback raised: stop the work and raise that.
                    bridge.stop.store(true, Ordering::Relaxed);
                    interrupted.get_or_insert(e);
                }
                if finished {
                    break;
                }
            }
            (handle.join(), interrupted)
        })
    });
    if let Some(e) = interrupted {
        return Err(e);
    }
    out.map_err(|panic| {
        let what = panic
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default();
        PyRuntimeError::new_err(format!("pactsim panicked (a bug; please report it): {what}"))
    })
}

/// Plays replicates `spec.replicates` in batches, asking `bridge` between batches whether to
/// stop. Tallies of adjacent ranges merge exactly and decisions are kept by replicate number, so
/// the result is exactly that of one `run::run` (and of `pactsim run`).
fn run_batched(sc: &scenario::Scenario, spec: &RunSpec, bridge: &Bridge) -> Result<RunResult, StudyError> {
    let total = spec.replicates.end - spec.replicates.start;
    bridge.start(total, "replicates");
    bridge.message(&sc.name);
    let batch = total.div_ceil(20).max(64);
    let mut whole: Option<RunResult> = None;
    let mut first = spec.replicates.start;
    while first < spec.replicates.end {
        if bridge.cancelled() {
            return Err(StudyError::Cancelled);
        }
        let end = first.saturating_add(batch).min(spec.replicates.end);
        let part = runs_::run(
            sc,
            &RunSpec {
                replicates: first..end,
                ..spec.clone()
            },
            &|n| bridge.advance(n),
        );
        whole = Some(match whole {
            None => part,
            Some(mut w) => {
                w.tally
                    .merge(&part.tally)
                    .map_err(|e| StudyError::Invalid(format!("merging batches: {e}")))?;
                w.decisions.extend(part.decisions);
                w
            }
        });
        first = end;
    }
    whole.ok_or_else(|| StudyError::Invalid("no replicates to run".into()))
}

fn json_text<T: serde::Serialize>(value: &T) -> PyResult<String> {
    report::json::text(value).map_err(|e| PyRuntimeError::new_err(format!("serialising: {e}")))
}

/// What `run` returns: summary.json's text and the tables.
#[pyclass(frozen, module = "pactsim._pactsim")]
pub struct RunOutput {
    /// summary.json, byte for byte what `pactsim run` writes for the same scenario and seed.
    #[pyo3(get)]
    summary_json: String,
    #[pyo3(get)]
    memberships: Py<ArrowTable>,
    #[pyo3(get)]
    decisions: Py<ArrowTable>,
    #[pyo3(get)]
    sizes: Py<ArrowTable>,
    #[pyo3(get)]
    seed: u64,
    #[pyo3(get)]
    runs: u64,
    /// Seconds spent simulating.
    #[pyo3(get)]
    seconds: f64,
}

/// Runs replicates 0..runs of `scenario` from `seed` (defaults: the scenario's), keeping the
/// decisions of the first `decisions` replicates.
#[pyfunction]
#[pyo3(signature = (scenario, runs = None, seed = None, threads = None, decisions = 1000, progress = None))]
fn run(
    py: Python<'_>,
    scenario: &Bound<'_, Scenario>,
    runs: Option<u32>,
    seed: Option<u64>,
    threads: Option<usize>,
    decisions: u64,
    progress: Option<Py<PyAny>>,
) -> PyResult<RunOutput> {
    let sc = &scenario.get().inner;
    let (runs, seed) = study::replicates(sc, runs, seed).map_err(|e| study_error(&e))?;
    let spec = RunSpec {
        seed,
        replicates: 0..u64::from(runs),
        keep_decisions: decisions,
    };
    let t0 = std::time::Instant::now();
    let result = drive(py, threads, progress, |bridge| run_batched(sc, &spec, bridge))?.map_err(|e| study_error(&e))?;
    let seconds = t0.elapsed().as_secs_f64();
    let (summary, built) = py.detach(|| {
        let summary = Summary::new(sc, &result.tally, seed);
        let built = (
            tables::memberships(&summary),
            tables::decisions(sc, &result.decisions),
            tables::sizes(&summary),
        );
        (summary, built)
    });
    Ok(RunOutput {
        summary_json: json_text(&summary)?,
        memberships: Py::new(py, table(built.0)?)?,
        decisions: Py::new(py, table(built.1)?)?,
        sizes: Py::new(py, table(built.2)?)?,
        seed,
        runs: u64::from(runs),
        seconds,
    })
}

/// What `sweep` returns.
#[pyclass(frozen, module = "pactsim._pactsim")]
pub struct SweepOutput {
    /// sweep.csv's rows (full doubles).
    #[pyo3(get)]
    table: Py<ArrowTable>,
    /// The parameters: (label, path, values).
    #[pyo3(get)]
    parameters: Vec<(String, String, Vec<f64>)>,
    /// Each variant's `KEY=VALUE` overrides, in variant order.
    #[pyo3(get)]
    variants: Vec<Vec<String>>,
    #[pyo3(get)]
    seed: u64,
    #[pyo3(get)]
    runs: u64,
    #[pyo3(get)]
    design: String,
}

fn design_kind(design: &str) -> PyResult<DesignKind> {
    match design {
        "grid" => Ok(DesignKind::Grid),
        "lhs" => Ok(DesignKind::LatinHypercube),
        "sobol" => Ok(DesignKind::SobolSequence),
        other => Err(PyValueError::new_err(format!(
            "design {other:?}: give \"grid\", \"lhs\" or \"sobol\""
        ))),
    }
}

fn varies(specs: &[String]) -> PyResult<Vec<Vary>> {
    specs
        .iter()
        .map(|s| Vary::parse(s).map_err(|e| study_error(&StudyError::from(e))))
        .collect()
}

/// Sweeps `vary` specs over `scenario` on common random numbers, as `pactsim sweep`.
#[pyfunction]
#[pyo3(signature = (scenario, vary, design = "grid", samples = 64, runs = None, seed = None, threads = None, progress = None))]
#[allow(clippy::too_many_arguments)]
fn sweep(
    py: Python<'_>,
    scenario: &Bound<'_, Scenario>,
    vary: Vec<String>,
    design: &str,
    samples: usize,
    runs: Option<u32>,
    seed: Option<u64>,
    threads: Option<usize>,
    progress: Option<Py<PyAny>>,
) -> PyResult<SweepOutput> {
    let sc = scenario.get();
    let options = SweepOptions {
        varies: varies(&vary)?,
        design: design_kind(design)?,
        samples,
        runs,
        seed,
        shard: None,
    };
    let plan = sweep_study::plan(sc.source.clone(), sc.sets.clone(), options).map_err(|e| study_error(&e))?;
    let result = drive(py, threads, progress, |bridge| plan.run(bridge, &mut |_, _| Ok(())))?.map_err(|e| study_error(&e))?;
    let built = py.detach(|| tables::sweep(&result));
    Ok(SweepOutput {
        table: Py::new(py, table(built)?)?,
        parameters: result
            .design
            .parameters
            .iter()
            .map(|p| (p.vary.label(), p.vary.pattern.clone(), p.vary.values.clone()))
            .collect(),
        variants: result.design.variants.iter().map(|v| v.sets.clone()).collect(),
        seed: result.seed,
        runs: result.runs,
        design: design.to_string(),
    })
}

/// What `compare` returns.
#[pyclass(frozen, module = "pactsim._pactsim")]
pub struct CompareOutput {
    #[pyo3(get)]
    differences: Py<ArrowTable>,
    /// (name, summary.json text) of each variant, in order.
    #[pyo3(get)]
    summaries: Vec<(String, String)>,
    #[pyo3(get)]
    seed: u64,
    #[pyo3(get)]
    runs: u32,
}

/// Runs each (name, scenario) on the same replicates from the same seed (defaults: the first
/// scenario's), and compares every one with the first, as `pactsim compare`.
#[pyfunction]
#[pyo3(signature = (variants, runs = None, seed = None, threads = None, progress = None))]
fn compare(
    py: Python<'_>,
    variants: Vec<(String, Py<Scenario>)>,
    runs: Option<u32>,
    seed: Option<u64>,
    threads: Option<usize>,
    progress: Option<Py<PyAny>>,
) -> PyResult<CompareOutput> {
    if variants.len() < 2 {
        return Err(PactsimError::new_err("compare needs at least two variants"));
    }
    let first = variants[0].1.get();
    let (runs, seed) = study::replicates(&first.inner, runs, seed).map_err(|e| study_error(&e))?;
    let inputs: Vec<(String, Input)> = variants
        .iter()
        .map(|(name, s)| {
            let s = s.get();
            (
                name.clone(),
                Input::Scenario {
                    path: s.source.path.clone(),
                    sets: s.sets.clone(),
                    scenario: Box::new(s.inner.clone()),
                },
            )
        })
        .collect();
    let cmp = drive(py, threads, progress, |bridge| {
        let mut cancelled = None;
        let cmp = compare_study::run_variants(inputs, seed, runs, &mut |sc, seed, runs| {
            let spec = RunSpec {
                seed,
                replicates: 0..u64::from(runs),
                keep_decisions: 0,
            };
            run_batched(sc, &spec, bridge).map_err(|e| cancelled = Some(e)).ok()
        });
        cmp.ok_or_else(|| cancelled.unwrap_or(StudyError::Cancelled))
    })?
    .map_err(|e| study_error(&e))?;
    let summaries = cmp
        .variants
        .iter()
        .map(|v| Ok((v.name.clone(), json_text(&v.summary)?)))
        .collect::<PyResult<Vec<_>>>()?;
    Ok(CompareOutput {
        differences: Py::new(py, table(tables::differences(&cmp))?)?,
        summaries,
        seed,
        runs,
    })
}

/// What `sensitivity` returns.
#[pyclass(frozen, module = "pactsim._pactsim")]
pub struct SensitivityOutput {
    /// Morris: statistic, pact, state, parameter, mu, mu_star, sigma (none for Sobol).
    #[pyo3(get)]
    effects: Py<ArrowTable>,
    /// Sobol: first-order and total indices with their intervals (none for Morris).
    #[pyo3(get)]
    indices: Py<ArrowTable>,
    /// Every point of the design (sweep.csv).
    #[pyo3(get)]
    points: Py<ArrowTable>,
    #[pyo3(get)]
    method: String,
}

/// Morris or Sobol sensitivity of every outcome to `vary` ranges, as `pactsim sensitivity`.
#[pyfunction]
#[pyo3(signature = (scenario, vary, method = "morris", trajectories = 10, levels = 4, samples = 64, outcomes = Vec::new(), runs = None, seed = None, threads = None, progress = None))]
#[allow(clippy::too_many_arguments)]
fn sensitivity(
    py: Python<'_>,
    scenario: &Bound<'_, Scenario>,
    vary: Vec<String>,
    method: &str,
    trajectories: usize,
    levels: usize,
    samples: usize,
    outcomes: Vec<String>,
    runs: Option<u32>,
    seed: Option<u64>,
    threads: Option<usize>,
    progress: Option<Py<PyAny>>,
) -> PyResult<SensitivityOutput> {
    let sc = scenario.get();
    let method_enum = match method {
        "morris" => Method::Morris { trajectories, levels },
        "sobol" => Method::Sobol { samples },
        other => {
            return Err(PyValueError::new_err(format!("method {other:?}: give \"morris\" or \"sobol\"")));
        }
    };
    let plan = sensitivity_study::plan(
        sc.source.clone(),
        sc.sets.clone(),
        SensitivityOptions {
            varies: varies(&vary)?,
            method: method_enum,
            outcomes,
            runs,
            seed,
        },
    )
    .map_err(|e| study_error(&e))?;
    let found = drive(py, threads, progress, |bridge| plan.run(bridge))?.map_err(|e| study_error(&e))?;
    Ok(SensitivityOutput {
        effects: Py::new(py, table(tables::effects(&found.effects))?)?,
        indices: Py::new(py, table(tables::sobol(&found.indices))?)?,
        points: Py::new(py, table(tables::sweep(&found.result))?)?,
        method: method.to_string(),
    })
}

/// What `fit` returns.
#[pyclass(frozen, module = "pactsim._pactsim")]
pub struct FitOutput {
    /// fit.json's content, as JSON text.
    #[pyo3(get)]
    summary_json: String,
    /// fit.csv: every point run.
    #[pyo3(get)]
    points: Py<ArrowTable>,
    /// posterior.csv (ABC; no rows for Nelder–Mead).
    #[pyo3(get)]
    posterior: Py<ArrowTable>,
    /// fitted.toml's text: the resolved scenario with the best point in place.
    #[pyo3(get)]
    fitted_toml: String,
    /// The best point's values, by parameter label.
    #[pyo3(get)]
    best: Vec<(String, f64)>,
}

/// Fits the `vary` ranges to the scenario's targets, as `pactsim fit`.
#[pyfunction]
#[pyo3(signature = (scenario, vary, method = "nelder-mead", budget = None, particles = 100, epsilon = None, runs = None, seed = None, threads = None, progress = None))]
#[allow(clippy::too_many_arguments)]
fn fit(
    py: Python<'_>,
    scenario: &Bound<'_, Scenario>,
    vary: Vec<String>,
    method: &str,
    budget: Option<usize>,
    particles: usize,
    epsilon: Option<f64>,
    runs: Option<u32>,
    seed: Option<u64>,
    threads: Option<usize>,
    progress: Option<Py<PyAny>>,
) -> PyResult<FitOutput> {
    use pactsim::study::fit::{FitMethod, FitOptions};
    let sc = scenario.get();
    let method = match method {
        "nelder-mead" => FitMethod::NelderMead,
        "abc" => FitMethod::Abc { particles, epsilon },
        other => {
            return Err(PyValueError::new_err(format!("method {other:?}: give \"nelder-mead\" or \"abc\"")));
        }
    };
    let plan = pactsim::study::fit::plan(
        sc.source.clone(),
        sc.sets.clone(),
        FitOptions {
            varies: varies(&vary)?,
            method,
            budget,
            runs,
            seed,
        },
    )
    .map_err(|e| study_error(&e))?;
    let result = drive(py, threads, progress, |bridge| plan.run(bridge))?.map_err(|e| study_error(&e))?;
    Ok(FitOutput {
        summary_json: json_text(&report::fit::json(&result))?,
        points: Py::new(py, table(tables::fit_points(&result))?)?,
        posterior: Py::new(py, table(tables::posterior(&result))?)?,
        fitted_toml: report::fit::fitted_text(&result),
        best: result
            .parameters
            .iter()
            .zip(result.best_values())
            .map(|(p, v)| (p.label.clone(), *v))
            .collect(),
    })
}

fn selection(region: Option<String>, states: Option<Vec<String>>) -> PyResult<pactsim::data::import::Selection> {
    use pactsim::data::import::{Region, Selection};
    match (region, states) {
        (Some(_), Some(_)) => Err(PyValueError::new_err("give region or states, not both")),
        (Some(r), None) => Region::parse(&r)
            .map(Selection::Region)
            .map_err(|e| PactsimError::new_err(e.to_string())),
        (None, Some(s)) => Ok(Selection::States(s)),
        (None, None) => Ok(Selection::All),
    }
}

fn dataset(data: Option<PathBuf>) -> PyResult<pactsim::data::Dataset> {
    match data {
        Some(d) => pactsim::data::Dataset::from_dir(&d),
        None => pactsim::data::Dataset::embedded(),
    }
    .map_err(|e| PactsimError::new_err(e.to_string()))
}

/// What `backtest` returns.
#[pyclass(frozen, module = "pactsim._pactsim")]
pub struct BacktestOutput {
    /// backtest.json (or era_split.json for an era split), as JSON text.
    #[pyo3(get)]
    summary_json: String,
    /// backtest.csv (for an era split: the fitted model on the test era).
    #[pyo3(get)]
    scores: Py<ArrowTable>,
    /// backtest_years.csv (likewise).
    #[pyo3(get)]
    years: Py<ArrowTable>,
}

/// Backtests the model on alliance history, as `pactsim backtest`.
#[pyfunction]
#[pyo3(signature = (start = 1946, end = 2016, horizon = 5, step = 1, region = None, states = None, sets = Vec::new(), runs = 100, seed = 1, fit_era = None, test_era = None, data = None, threads = None, progress = None, events = true))]
#[allow(clippy::too_many_arguments)]
fn backtest(
    py: Python<'_>,
    start: i32,
    end: i32,
    horizon: u32,
    step: u32,
    region: Option<String>,
    states: Option<Vec<String>>,
    sets: Vec<String>,
    runs: u32,
    seed: u64,
    fit_era: Option<String>,
    test_era: Option<String>,
    data: Option<PathBuf>,
    threads: Option<usize>,
    progress: Option<Py<PyAny>>,
    events: bool,
) -> PyResult<BacktestOutput> {
    let data = dataset(data)?;
    let spec = pactsim::backtest::BacktestSpec {
        from: start,
        to: end,
        horizon,
        step,
        selection: selection(region, states)?,
        sets,
        runs,
        seed,
        events,
    };
    let (summary_json, bt) = match (fit_era, test_era) {
        (Some(fit), Some(test)) => {
            let plan = pactsim::study::backtest::era_split_plan(&spec, &fit, &test).map_err(|e| study_error(&e))?;
            let split = drive(py, threads, progress, |bridge| plan.run(&data, bridge))?.map_err(|e| study_error(&e))?;
            (json_text(&split)?, split.test_fitted)
        }
        (None, None) => {
            spec.validate().map_err(|e| study_error(&StudyError::from(e)))?;
            let bt =
                drive(py, threads, progress, |bridge| pactsim::study::backtest::run(&data, &spec, bridge))?.map_err(|e| study_error(&e))?;
            (json_text(&bt)?, bt)
        }
        _ => return Err(PyValueError::new_err("give both fit_era and test_era, or neither")),
    };
    Ok(BacktestOutput {
        summary_json,
        scores: Py::new(py, table(tables::backtest_scores(&bt))?)?,
        years: Py::new(py, table(tables::backtest_years(&bt))?)?,
    })
}

/// The state system of `year` as a scenario's TOML text, as `pactsim import` writes it (checked
/// with the loader every run uses); returns (text, pacts left out).
#[pyfunction]
#[pyo3(signature = (year, region = None, states = None, round_unit = "year", rounds = None, runs = 200, seed = 1, data = None, through = None))]
#[allow(clippy::too_many_arguments)]
fn import_year(
    year: i32,
    region: Option<String>,
    states: Option<Vec<String>>,
    round_unit: &str,
    rounds: Option<u32>,
    runs: u32,
    seed: u64,
    data: Option<PathBuf>,
    through: Option<i32>,
) -> PyResult<(String, usize)> {
    let monthly = match round_unit {
        "year" => false,
        "month" => true,
        other => {
            return Err(PyValueError::new_err(format!("round_unit {other:?}: give \"year\" or \"month\"")));
        }
    };
    let mut spec = pactsim::data::import::ImportSpec {
        year,
        selection: selection(region, states)?,
        monthly,
        rounds: rounds.unwrap_or(if monthly { 60 } else { 5 }),
        runs,
        seed,
        through,
    };
    // As `pactsim import --through Y2` without --rounds: rounds up to the end of Y2.
    if let (Some(last), None) = (through, rounds) {
        spec.rounds = pactsim::data::import::rounds_through(&spec, last).max(1);
    }
    if spec.rounds == 0 || spec.runs == 0 {
        return Err(PyValueError::new_err("rounds and runs must be at least 1"));
    }
    let data = dataset(data)?;
    let imported = pactsim::data::import::build(&data, &spec).map_err(|e| PactsimError::new_err(e.to_string()))?;
    Ok((imported.text, imported.pacts_left_out))
}

#[pymodule]
fn _pactsim(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("PactsimError", m.py().get_type::<PactsimError>())?;
    m.add("ScenarioError", m.py().get_type::<ScenarioError>())?;
    m.add_class::<Scenario>()?;
    m.add_class::<ArrowTable>()?;
    m.add_class::<RunOutput>()?;
    m.add_class::<SweepOutput>()?;
    m.add_class::<CompareOutput>()?;
    m.add_class::<SensitivityOutput>()?;
    m.add_class::<FitOutput>()?;
    m.add_class::<BacktestOutput>()?;
    m.add_function(wrap_pyfunction!(load_file, m)?)?;
    m.add_function(wrap_pyfunction!(load_text, m)?)?;
    m.add_function(wrap_pyfunction!(run, m)?)?;
    m.add_function(wrap_pyfunction!(sweep, m)?)?;
    m.add_function(wrap_pyfunction!(compare, m)?)?;
    m.add_function(wrap_pyfunction!(sensitivity, m)?)?;
    m.add_function(wrap_pyfunction!(fit, m)?)?;
    m.add_function(wrap_pyfunction!(backtest, m)?)?;
    m.add_function(wrap_pyfunction!(import_year, m)?)?;
    Ok(())
}
