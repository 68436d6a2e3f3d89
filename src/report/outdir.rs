//! Where a result directory may go, and what pactsim may replace there.
//!
//! Every result directory pactsim writes carries a marker, [`MARKER`] (`.pactsim.json`): the
//! kind of result, the pactsim version, the identity of the result (a digest of what determines
//! its numbers: the kind, the version, the scenario hash, the seed, the replicates and the
//! command's own settings), the command that made it and the list of files it wrote. The rules:
//!
//! - an absent or empty directory is written;
//! - a directory whose marker has the **same identity** is replaced (the same result again);
//! - a directory whose marker has **another identity** is replaced only when the user named it
//!   with `--out` *and* passed `--replace`; without `--out`, pactsim writes the next free
//!   `NAME-2/`, `NAME-3/`, … instead (or the one that holds this same result);
//! - anything else — a file, a directory without the marker, or a marked directory holding files
//!   its marker does not list — is never replaced nor deleted: the command is refused before any
//!   work, naming the path and the ways out.
//!
//! Every result written is recorded in the index `runs.csv` of the default results directory
//! (`output/runs.csv`; [`super::index`]), wherever `--out` put it.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::ReportError;

/// The marker file of a result directory.
pub const MARKER: &str = ".pactsim.json";

/// Most numbered siblings (`NAME-2` … ) tried for a default directory.
const MAX_SIBLINGS: u32 = 10_000;

/// What determines a result's numbers, as named fields; two results with the same identity are
/// the same result (the same files, up to presentation such as charts).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub kind: String,
    pub fields: Vec<(String, String)>,
    /// The command that makes the result, as a user would type it (without `--out`): for the
    /// marker and the index, not part of the identity.
    pub command: String,
}

impl Identity {
    pub fn new(kind: &str) -> Identity {
        Identity {
            kind: kind.to_string(),
            fields: Vec::new(),
            command: String::new(),
        }
    }

    /// Adds a field that determines the result.
    pub fn with(mut self, key: &str, value: impl std::fmt::Display) -> Identity {
        self.fields.push((key.to_string(), value.to_string()));
        self
    }

    /// Adds a field whose value is long (a design's every point): stored as its digest.
    pub fn with_digest(self, key: &str, text: &str) -> Identity {
        let d = hex(&Sha256::digest(text.as_bytes()));
        self.with(key, d)
    }

    pub fn command(mut self, command: impl Into<String>) -> Identity {
        self.command = command.into();
        self
    }

    /// The value of a field, if set.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.fields.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    /// A digest of the version, the kind and the fields.
    pub fn digest(&self) -> String {
        let mut text = format!("pactsim {}\nkind {}\n", env!("CARGO_PKG_VERSION"), self.kind);
        for (k, v) in &self.fields {
            let _ = writeln!(text, "{k} {v}");
        }
        hex(&Sha256::digest(text.as_bytes()))
    }
}

/// A digest of a file's bytes (empty if it cannot be read): the identity of a result read back.
pub fn file_digest(path: &Path) -> String {
    let bytes = fs::read(path).unwrap_or_default();
    hex(&Sha256::digest(&bytes))
}

fn hex(d: &[u8]) -> String {
    d.iter().take(12).fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// The contents of [`MARKER`].
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Marker {
    /// The version of pactsim that wrote the directory.
    pub pactsim: String,
    pub kind: String,
    pub identity: String,
    pub command: String,
    /// The fields of the identity, for people and `pactsim runs`.
    pub fields: BTreeMap<String, String>,
    /// Every file pactsim wrote, relative to the directory, sorted (the marker excluded).
    pub files: Vec<String>,
}

impl Marker {
    pub fn of(id: &Identity, files: Vec<String>) -> Marker {
        Marker {
            pactsim: env!("CARGO_PKG_VERSION").to_string(),
            kind: id.kind.clone(),
            identity: id.digest(),
            command: id.command.clone(),
            fields: id.fields.iter().cloned().collect(),
            files,
        }
    }

    /// One line for messages: `run of scenarios/x.toml, seed 7, 1000 replicates`.
    pub fn describe(&self) -> String {
        let mut s = format!("a `{}` result", self.kind);
        if !self.command.is_empty() {
            let _ = write!(s, " of `{}`", self.command);
        }
        s
    }
}

/// What stands at a path.
#[derive(Debug)]
pub(crate) enum Found {
    Absent,
    Empty,
    File,
    /// A directory without a readable marker: files pactsim did not write (a few, sorted).
    Foreign(Vec<String>),
    /// A pactsim result directory; `extra` lists files its marker does not name.
    Result {
        marker: Marker,
        extra: Vec<String>,
    },
}

pub(crate) fn inspect(path: &Path) -> Result<Found, ReportError> {
    let meta = match fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Found::Absent),
        Err(source) => {
            return Err(ReportError::Io {
                path: path.to_path_buf(),
                source,
            });
        }
    };
    if !meta.is_dir() {
        return Ok(Found::File);
    }
    let files = list_files(path)?;
    if files.is_empty() {
        return Ok(Found::Empty);
    }
    let marker: Option<Marker> = fs::read_to_string(path.join(MARKER))
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok());
    Ok(match marker {
        None => Found::Foreign(files.into_iter().filter(|f| f != MARKER).collect()),
        Some(marker) => {
            let known: BTreeSet<&str> = marker.files.iter().map(String::as_str).collect();
            let extra = files.into_iter().filter(|f| f != MARKER && !known.contains(f.as_str())).collect();
            Found::Result { marker, extra }
        }
    })
}

/// Every file under `dir`, relative, with `/` separators, sorted; directories are not listed,
/// only what they hold (an empty subdirectory is listed as `name/`).
pub fn list_files(dir: &Path) -> Result<Vec<String>, ReportError> {
    let mut out = Vec::new();
    walk(dir, "", &mut out)?;
    out.sort();
    Ok(out)
}

fn walk(dir: &Path, prefix: &str, out: &mut Vec<String>) -> Result<(), ReportError> {
    let entries = fs::read_dir(dir).map_err(super::io_err(dir))?;
    for entry in entries {
        let entry = entry.map_err(super::io_err(dir))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let rel = format!("{prefix}{name}");
        let ty = entry.file_type().map_err(super::io_err(dir))?;
        if ty.is_dir() {
            let before = out.len();
            walk(&entry.path(), &format!("{rel}/"), out)?;
            if out.len() == before {
                out.push(format!("{rel}/"));
            }
        } else {
            out.push(rel);
        }
    }
    Ok(())
}

/// Where a result goes, decided before any work.
#[derive(Debug, Clone)]
pub struct Destination {
    pub path: PathBuf,
    pub identity: Identity,
    /// May replace a marked directory of another identity (`--out DIR --replace`).
    pub replace: bool,
    /// Why the default directory was not used (it holds another result), for a note.
    pub moved_from: Option<(PathBuf, String)>,
    /// The index that records the result: `runs.csv` in the directory of the default results
    /// (`output/runs.csv`), wherever `--out` puts this one.
    pub index: PathBuf,
}

impl Destination {
    /// A line for the user when the result does not go where they might expect.
    pub fn note(&self) -> Option<String> {
        self.moved_from.as_ref().map(|(from, what)| {
            format!(
                "{} holds {what}: writing {} instead (pass --out to choose)",
                from.display(),
                self.path.display()
            )
        })
    }
}

/// The directory a result goes to: `out` if the user named one (checked), else `default` or the
/// first free numbered sibling. Refused before any work where the rules forbid it.
pub fn choose(out: Option<&Path>, default: &Path, identity: Identity, replace: bool) -> Result<Destination, ReportError> {
    let index = super::index::index_of(default);
    if let Some(path) = out {
        check(path, &identity, replace)?;
        return Ok(Destination {
            path: path.to_path_buf(),
            identity,
            replace,
            moved_from: None,
            index,
        });
    }
    let mut moved_from = None;
    for k in 1..=MAX_SIBLINGS {
        let path = if k == 1 { default.to_path_buf() } else { sibling(default, k) };
        let why = match inspect(&path)? {
            Found::Absent | Found::Empty => None,
            Found::Result { marker, extra } if extra.is_empty() && marker.identity == identity.digest() => None,
            Found::Result { marker, .. } => Some(marker.describe()),
            Found::File => Some("a file".to_string()),
            Found::Foreign(_) => Some("files pactsim did not write".to_string()),
        };
        match why {
            None => {
                return Ok(Destination {
                    path,
                    identity,
                    replace: false,
                    moved_from,
                    index,
                });
            }
            Some(what) => {
                if moved_from.is_none() {
                    moved_from = Some((path, what));
                }
            }
        }
    }
    Err(ReportError::Destination {
        path: default.to_path_buf(),
        message: format!("it and its {MAX_SIBLINGS} numbered siblings are all taken; pass --out DIR"),
    })
}

/// `default` with `-k` appended to its last component.
fn sibling(default: &Path, k: u32) -> PathBuf {
    let mut name = default.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(format!("-{k}"));
    default.with_file_name(name)
}

/// Whether a result of `identity` may be written at `path`.
pub(crate) fn check(path: &Path, identity: &Identity, replace: bool) -> Result<(), ReportError> {
    let refuse = |message: String| {
        Err(ReportError::Destination {
            path: path.to_path_buf(),
            message,
        })
    };
    match inspect(path)? {
        Found::Absent | Found::Empty => Ok(()),
        Found::File => {
            refuse("it is a file, not a directory: pactsim writes a result directory there. Choose a new directory with --out".into())
        }
        Found::Foreign(files) => refuse(format!(
            "it holds files pactsim did not write ({}); pactsim never replaces or deletes them. Choose a new or empty directory with --out (e.g. --out {})",
            few(&files),
            path.join("pactsim-result").display()
        )),
        Found::Result { extra, .. } if !extra.is_empty() => refuse(format!(
            "it holds a pactsim result and files pactsim did not write ({}); pactsim never deletes them. Move them out, or choose another directory with --out",
            few(&extra)
        )),
        Found::Result { marker, .. } if marker.identity != identity.digest() && !replace => refuse(format!(
            "it holds a different result ({}). Choose another directory with --out, or pass --replace to replace that result",
            marker.describe()
        )),
        Found::Result { .. } => Ok(()),
    }
}

/// Up to five names, then a count.
fn few(files: &[String]) -> String {
    let mut s = files.iter().take(5).cloned().collect::<Vec<_>>().join(", ");
    if files.len() > 5 {
        let _ = write!(s, " and {} more", files.len() - 5);
    }
    s
}

/// The command line of this process, as typed, without `--out DIR` / `--out=DIR` (the marker
/// says what made the result, not where it went).
pub fn command_line() -> String {
    let mut words = Vec::new();
    let mut args = std::env::args().skip(1);
    words.push("pactsim".to_string());
    while let Some(a) = args.next() {
        if a == "--out" {
            args.next();
            continue;
        }
        if a.starts_with("--out=") || a == "--replace" {
            continue;
        }
        words.push(quote(&a));
    }
    words.join(" ")
}

/// A word as a POSIX shell would need it.
pub fn quote(word: &str) -> String {
    if !word.is_empty() && word.chars().all(|c| c.is_ascii_alphanumeric() || "-_./=:,+@%".contains(c)) {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}
