//! `pactsim serve`: a local page to edit a scenario's values and watch its charts change, and the
//! JSON API behind it (documented in README.md, "The live page").
//!
//! The top layer beside [`crate::cli`]: it reads scenarios ([`crate::scenario`]), runs them
//! ([`crate::run`]), compares variants ([`crate::compare`]), draws with [`crate::plot`] as SVG text
//! and answers with what [`crate::report`] writes (the `summary.json` bytes). axum on tokio; the
//! simulations run on blocking threads, at most [`Limits::simulations`] at a time.
//!
//! Safety: it binds to 127.0.0.1 unless told otherwise; it serves only the scenarios it found in
//! its directory at start, by name (the client never sends a path); bodies over
//! [`MAX_BODY`] bytes get 413; `runs` is capped at [`MAX_RUNS`]; a request from a page that a
//! newer request of the same page (same `client`, higher `generation`) has superseded stops
//! between batches of replicates and gets 409.

mod api;
mod page;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::Semaphore;

use crate::run::RunResult;
use crate::scenario::{self, Source};

use api::router;

/// Most replicates one request may ask for.
pub const MAX_RUNS: u32 = 20_000;
/// Largest request body, in bytes.
pub const MAX_BODY: usize = 64 * 1024;
/// Most `--set` values one request may carry.
pub const MAX_SETS: usize = 2_000;
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
    pub output: PathBuf,
    pub simulations: Arc<Semaphore>,
    /// The newest generation each page (client id) has sent.
    pub generations: Mutex<HashMap<String, u64>>,
    pub cache: Mutex<Cache>,
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

pub(crate) fn state(config: &Config) -> Result<Arc<AppState>, ServeError> {
    Ok(Arc::new(AppState {
        entries: catalogue(&config.dir)?,
        output: config.output.clone(),
        simulations: Arc::new(Semaphore::new(config.limits.simulations.max(1))),
        generations: Mutex::new(HashMap::new()),
        cache: Mutex::new(HashMap::new()),
    }))
}

/// A server running on a thread of its own (tests, notebooks): stops when dropped.
pub struct Server {
    pub addr: SocketAddr,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
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
    let app = router(state(config)?);
    let std_listener = std::net::TcpListener::bind(addr).map_err(|source| ServeError::Bind {
        addr: addr.to_string(),
        source,
    })?;
    std_listener.set_nonblocking(true).map_err(ServeError::Runtime)?;
    let local = std_listener.local_addr().map_err(ServeError::Runtime)?;
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
        shutdown: Some(tx),
        thread: Some(thread),
    })
}

/// Serves on `addr` until the process ends; calls `ready` with the address once listening.
pub fn run(config: &Config, addr: &str, ready: impl FnOnce(SocketAddr)) -> Result<(), ServeError> {
    let app = router(state(config)?);
    let rt = runtime()?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(addr).await.map_err(|source| ServeError::Bind {
            addr: addr.to_string(),
            source,
        })?;
        let local = listener.local_addr().map_err(ServeError::Runtime)?;
        ready(local);
        axum::serve(listener, app).await.map_err(ServeError::Runtime)
    })
}

/// The scenario of `entry` after `sets`, validated exactly as `pactsim run --set` validates it.
pub(crate) fn load(entry: &Entry, sets: &[String]) -> Result<scenario::Scenario, scenario::ScenarioError> {
    scenario::from_source(&entry.source, sets)
}
