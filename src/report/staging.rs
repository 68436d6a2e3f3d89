//! A result directory is written into a hidden sibling and renamed into place when complete, so an
//! interrupted or failed run never leaves a half-written result where the old one was. What it may
//! replace is decided by [`super::outdir`]: only an empty directory or a pactsim result whose
//! marker lists every file in it.

use std::fs;
use std::path::{Path, PathBuf};

use super::outdir::{self, Destination, MARKER, Marker};
use super::{ReportError, io_err};

#[derive(Debug)]
pub struct Staging {
    dest: Destination,
    temp: PathBuf,
    committed: bool,
}

impl Staging {
    /// Creates an empty staging directory next to the destination (checked again here: a
    /// destination that became unwritable since it was chosen is refused before any writing).
    pub fn new(dest: &Destination) -> Result<Staging, ReportError> {
        outdir::check(&dest.path, &dest.identity, dest.replace)?;
        let target = &dest.path;
        let parent = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        fs::create_dir_all(&parent).map_err(io_err(&parent))?;
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "run".into());
        let temp = parent.join(format!(".{name}.partial-{}", std::process::id()));
        if temp.exists() {
            fs::remove_dir_all(&temp).map_err(io_err(&temp))?;
        }
        remove_abandoned(&parent, &name);
        fs::create_dir_all(&temp).map_err(|source| ReportError::Io {
            path: target.clone(),
            source,
        })?;
        Ok(Staging {
            dest: dest.clone(),
            temp,
            committed: false,
        })
    }

    /// Where to write the files.
    pub fn path(&self) -> &Path {
        &self.temp
    }

    /// Where the result will be.
    pub fn target(&self) -> &Path {
        &self.dest.path
    }

    /// An error from writing into the staging directory, told with the user's path: the hidden
    /// staging directory's name is replaced by the destination's.
    pub fn user_error(&self, e: anyhow::Error) -> anyhow::Error {
        let temp = self.temp.display().to_string();
        let text = format!("{e:#}");
        if text.contains(&temp) {
            anyhow::anyhow!(text.replace(&temp, &self.dest.path.display().to_string()))
        } else {
            e
        }
    }

    /// Writes the marker (listing every file written), then replaces the destination with the
    /// staged directory and records the result in the index beside it.
    pub fn commit(mut self) -> Result<Committed, ReportError> {
        let target = self.dest.path.clone();
        let files = outdir::list_files(&self.temp)?;
        let marker = Marker::of(&self.dest.identity, files);
        let text = serde_json::to_string_pretty(&marker).map_err(|e| ReportError::Read {
            path: target.join(MARKER),
            message: e.to_string(),
        })?;
        fs::write(self.temp.join(MARKER), text + "\n").map_err(|source| ReportError::Io {
            path: target.join(MARKER),
            source,
        })?;
        // Checked again: something may have been put there while the result was computed.
        outdir::check(&target, &self.dest.identity, self.dest.replace)?;
        let old = self.temp.with_file_name(format!(
            "{}.old",
            self.temp.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
        ));
        let existed = target.exists();
        if existed {
            fs::rename(&target, &old).map_err(io_err(&target))?;
        }
        if let Err(source) = fs::rename(&self.temp, &target) {
            if existed {
                // Put the old result back where it was.
                let _ = fs::rename(&old, &target);
            }
            return Err(ReportError::Io { path: target, source });
        }
        self.committed = true;
        if existed {
            // Only a pactsim result whose marker lists every file in it (checked above), or an
            // empty directory, is ever renamed aside: removing it deletes nothing else.
            fs::remove_dir_all(&old).map_err(|source| ReportError::Io {
                path: target.clone(),
                source,
            })?;
        }
        // The result is in place: an index that cannot take its row is a note, not a failure.
        let index_note = match super::index::record(&self.dest.index, &target, &marker) {
            Ok(note) => note,
            Err(e) => Some(format!("this result is not recorded in {}: {e}", self.dest.index.display())),
        };
        Ok(Committed { path: target, index_note })
    }
}

/// A result in place.
#[derive(Debug)]
pub struct Committed {
    pub path: PathBuf,
    /// Why the result could not be recorded in the index, if it could not.
    pub index_note: Option<String>,
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.temp);
        }
    }
}

/// Removes the staging directories for `name` that a run interrupted by Ctrl-C (or killed) left
/// behind: those whose process no longer exists. Where processes cannot be looked up (no
/// `/proc`), nothing is removed.
fn remove_abandoned(parent: &Path, name: &str) {
    if !Path::new("/proc/self").exists() {
        return;
    }
    let prefix = format!(".{name}.partial-");
    let Ok(entries) = fs::read_dir(parent) else { return };
    for entry in entries.flatten() {
        let file = entry.file_name();
        let Some(pid) = file
            .to_str()
            .and_then(|f| f.strip_prefix(&prefix))
            .and_then(|p| p.parse::<u32>().ok())
        else {
            continue;
        };
        if pid != std::process::id() && !Path::new(&format!("/proc/{pid}")).exists() {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}
