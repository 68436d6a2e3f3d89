//! `pactsim serve`: a local page to edit a scenario's values and watch its charts change, and the
//! JSON API behind it (documented in README.md, "The live page").
//!
//! The top layer beside [`crate::cli`]: it reads scenarios ([`crate::scenario`]), runs them
//! ([`crate::run`]), compares variants ([`crate::study::compare`]), draws with [`crate::plot`] as SVG text
//! and answers with what [`crate::report`] writes (the `summary.json` bytes). axum on tokio; the
//! simulations run on blocking threads, at most [`Limits::simulations`] at a time.
//!
//! Safety: what the server promises, and nothing more (it has no authentication):
//! - It binds to 127.0.0.1 unless told otherwise, and answers only requests whose `Host` names
//!   it (its loopback names or bound address with its port, or a `--allow-host` name) and whose
//!   `Origin`, if any, is its own page (`http://` and such a host); a POST must declare
//!   `Content-Type: application/json`. Otherwise 403 (Host, Origin) or 415, before any handler
//!   runs (one middleware, `guard.rs`, over every route). So a page of another site can neither
//!   drive it (a cross-site form or `fetch`) nor read its answers through DNS rebinding.
//! - It serves only the scenarios it found in its directory at start, by name (the client never
//!   sends a path); bodies over [`MAX_BODY`] bytes get 413.
//! - Work is capped per simulation: `runs` at most [`MAX_RUNS`], and runs × states × pacts ×
//!   rounds (the state–pact decisions of its replicates, see [`decisions_per_replicate`]) at most
//!   [`MAX_WORK`]; over either, 422 naming the limit, the request's work and the most runs of
//!   that scenario ([`max_runs`]). A comparison (`/api/view`, `/api/compare`) is two simulations,
//!   the edited scenario and the file as written, each under the cap; the file as written is run
//!   once per seed and runs and then kept.
//! - A simulation stops before its next batch of replicates (batches of at most [`MAX_WORK`]/8
//!   decisions) when its client has closed the connection (hyper drops the handler's future; a
//!   guard in it raises the job's flag) or when a newer request of the same page (same
//!   `client`, higher `generation`) has arrived (409). A request still waiting for a slot gives
//!   up when its client goes away, and after [`QUEUE_WAIT`] (503).

mod api;
mod guard;
mod page;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::Semaphore;

use crate::run::RunResult;
use crate::scenario::{self, Scenario, Source};

use api::router;
use guard::Hosts;
pub use guard::parse_host;

/// Most replicates one simulation may play.
pub const MAX_RUNS: u32 = 20_000;
/// Largest request body, in bytes.
pub const MAX_BODY: usize = 64 * 1024;
/// Most `--set` values one request may carry.
pub const MAX_SETS: usize = 2_000;
/// Most work one simulation may take, in state–pact decisions: replicates × states × pacts ×
/// rounds. 20,000 replicates of the biggest shipped scenario (Taiwan: 15 states × 12 pacts × 36
/// rounds) are 129.6 million; the 193 × 50 × 60 reference world of `pactsim generate` gets 224
/// replicates, about 5 core-seconds at the engine benchmark's 21 ms a replicate.
pub const MAX_WORK: u64 = 130_000_000;
/// How long a request waits for a free simulation slot before it gets 503.
pub const QUEUE_WAIT: Duration = Duration::from_secs(60);

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("cannot list scenarios in {}", dir.display())]
    List {
        dir: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("no scenarios (*.toml) in {}", .0.display())]
    Empty(PathBuf),
    #[error("cannot listen on {addr}")]
    Bind {
        addr: String,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot start the server")]
    Runtime(#[source] std::io::Error),
    #[error("--allow-host {0}")]
    Host(String),
}

/// The state–pact decisions one replicate of `sc` takes: states × pacts × rounds (the engine's
/// unit of work, as in `benches/engine.rs`).
pub fn decisions_per_replicate(sc: &Scenario) -> u64 {
    (sc.n_states() as u64) * (sc.n_pacts() as u64) * u64::from(sc.rounds)
}

/// Most replicates of `sc` one simulation may play: [`MAX_RUNS`], or fewer where [`MAX_WORK`]
/// says so (0 when a single replicate is over it).
pub fn max_runs(sc: &Scenario) -> u32 {
    let most = MAX_WORK / decisions_per_replicate(sc).max(1);
    u32::try_from(most).unwrap_or(u32::MAX).min(MAX_RUNS)
}

/// Bounds on what the server does at once.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Simulations running at once (default: the number of cores).
    pub simulations: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            simulations: std::thread::available_parallelism().map_or(2, |n| n.get()),
        }
    }
}

/// What the server serves and where "Save run" writes.
#[derive(Debug, Clone)]
pub struct Config {
    /// The directory of scenario files (`*.toml`), read once at start.
    pub dir: PathBuf,
    /// Where "Save run" writes run directories (`output/`).
    pub output: PathBuf,
    pub limits: Limits,
    /// Host names or IP addresses the server also answers to (`--allow-host`), without a port
    /// (the server's applies; checked by [`parse_host`]). Besides these it answers to its
    /// loopback names when bound to loopback or to all addresses, else to the bound address.
    pub hosts: Vec<String>,
}

/// What the server has done so far (for tests and notebooks: [`Server::stats`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    /// Replicates whose batch began (cached results not counted).
    pub replicates: u64,
    /// Simulations stopped between batches because their client closed the connection.
    pub abandoned: u64,
    /// Simulations stopped between batches because a newer request of the same page arrived.
    pub superseded: u64,
    /// Requests waiting for a simulation slot now.
    pub waiting: u64,
}

#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub replicates: AtomicU64,
    pub abandoned: AtomicU64,
    pub superseded: AtomicU64,
    pub waiting: AtomicU64,
}

impl Counters {
    fn snapshot(&self) -> Stats {
        Stats {
            replicates: self.replicates.load(Ordering::Relaxed),
            abandoned: self.abandoned.load(Ordering::Relaxed),
            superseded: self.superseded.load(Ordering::Relaxed),
            waiting: self.waiting.load(Ordering::Relaxed),
        }
    }
}

/// One scenario file the server may serve.
pub(crate) struct Entry {
    /// The file stem: what the client names it by.
    pub name: String,
    pub source: Source,
}

/// Replicate results of scenarios as written, by scenario hash, seed and runs: the "as written"
/// side of every comparison the page asks for is run once.
type Cache = HashMap<(String, u64, u32), Arc<RunResult>>;

pub(crate) struct AppState {
    pub entries: Vec<Entry>,
    /// The `Host` (and `Origin`) values requests may carry.
    pub hosts: Hosts,
    pub output: PathBuf,
    pub simulations: Arc<Semaphore>,
    /// The newest generation each page (client id) has sent.
    pub generations: Mutex<HashMap<String, u64>>,
    pub cache: Mutex<Cache>,
    pub counters: Counters,
}

/// Most pages whose generation is remembered (then the table starts afresh).
const MAX_CLIENTS: usize = 10_000;
/// Most cached runs.
const MAX_CACHED: usize = 32;

impl AppState {
    pub fn entry(&self, name: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.name == name)
    }

    /// Records that `client` sent `generation`; false if a newer one had already arrived.
    pub fn begin(&self, client: &str, generation: u64) -> bool {
        let mut map = self.generations.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= MAX_CLIENTS && !map.contains_key(client) {
            map.clear();
        }
        let latest = map.entry(client.to_string()).or_insert(generation);
        if *latest > generation {
            return false;
        }
        *latest = generation;
        true
    }

    /// Whether a newer request of `client` has arrived since `generation`.
    pub fn superseded(&self, client: &str, generation: u64) -> bool {
        let map = self.generations.lock().unwrap_or_else(|e| e.into_inner());
        map.get(client).is_some_and(|&g| g > generation)
    }

    pub fn cached(&self, key: &(String, u64, u32)) -> Option<Arc<RunResult>> {
        self.cache.lock().unwrap_or_else(|e| e.into_inner()).get(key).cloned()
    }

    pub fn remember(&self, key: (String, u64, u32), result: Arc<RunResult>) {
        let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        if cache.len() >= MAX_CACHED {
            cache.clear();
        }
        cache.insert(key, result);
    }
}

/// Reads the scenario files of `dir` (every `*.toml`, by file stem, sorted).
fn catalogue(dir: &Path) -> Result<Vec<Entry>, ServeError> {
    let list_err = |source| ServeError::List {
        dir: dir.to_path_buf(),
        source,
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(list_err)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    let mut entries = Vec::new();
    for path in files {
        let Some(name) = path.file_stem().map(|s| s.to_string_lossy().into_owned()) else {
            continue;
        };
        let text = std::fs::read_to_string(&path).map_err(list_err)?;
        entries.push(Entry {
            name,
            source: Source { path, text },
        });
    }
    if entries.is_empty() {
        return Err(ServeError::Empty(dir.to_path_buf()));
    }
    Ok(entries)
}

/// The server's state, listening on `bound` (the address and port it got).
pub(crate) fn state(config: &Config, bound: SocketAddr) -> Result<Arc<AppState>, ServeError> {
    Ok(Arc::new(AppState {
        entries: catalogue(&config.dir)?,
        hosts: Hosts::new(bound, &config.hosts).map_err(ServeError::Host)?,
        output: config.output.clone(),
        simulations: Arc::new(Semaphore::new(config.limits.simulations.max(1))),
        generations: Mutex::new(HashMap::new()),
        cache: Mutex::new(HashMap::new()),
        counters: Counters::default(),
    }))
}

/// A server running on a thread of its own (tests, notebooks): stops when dropped.
pub struct Server {
    pub addr: SocketAddr,
    state: Arc<AppState>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Server {
    /// What the server has done so far.
    pub fn stats(&self) -> Stats {
        self.state.counters.snapshot()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn runtime() -> Result<tokio::runtime::Runtime, ServeError> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(ServeError::Runtime)
}

/// Starts a server on `addr` (port 0: a free port) on a background thread.
pub fn start(config: &Config, addr: &str) -> Result<Server, ServeError> {
    let std_listener = std::net::TcpListener::bind(addr).map_err(|source| ServeError::Bind {
        addr: addr.to_string(),
        source,
    })?;
    std_listener.set_nonblocking(true).map_err(ServeError::Runtime)?;
    let local = std_listener.local_addr().map_err(ServeError::Runtime)?;
    let state = state(config, local)?;
    let app = router(state.clone());
    let rt = runtime()?;
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let thread = std::thread::spawn(move || {
        rt.block_on(async move {
            let Ok(listener) = tokio::net::TcpListener::from_std(std_listener) else {
                return;
            };
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
        });
    });
    Ok(Server {
        addr: local,
        state,
        shutdown: Some(tx),
        thread: Some(thread),
    })
}

/// Serves on `addr` until the process ends; calls `ready` with the address once listening.
pub fn run(config: &Config, addr: &str, ready: impl FnOnce(SocketAddr)) -> Result<(), ServeError> {
    let rt = runtime()?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(addr).await.map_err(|source| ServeError::Bind {
            addr: addr.to_string(),
            source,
        })?;
        let local = listener.local_addr().map_err(ServeError::Runtime)?;
        let app = router(state(config, local)?);
        ready(local);
        axum::serve(listener, app).await.map_err(ServeError::Runtime)
    })
}

/// The scenario of `entry` after `sets`, validated exactly as `pactsim run --set` validates it.
pub(crate) fn load(entry: &Entry, sets: &[String]) -> Result<scenario::Scenario, scenario::ScenarioError> {
    scenario::from_source(&entry.source, sets)
}
