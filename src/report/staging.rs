//! A run directory is written into a hidden sibling and renamed into place when complete, so an
//! interrupted or failed run never leaves a half-written result where the old one was.

use std::fs;
use std::path::{Path, PathBuf};

use super::{ReportError, io_err};

#[derive(Debug)]
pub struct Staging {
    target: PathBuf,
    temp: PathBuf,
    committed: bool,
}

impl Staging {
    /// Creates an empty staging directory next to `target`.
    pub fn new(target: &Path) -> Result<Staging, ReportError> {
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
        fs::create_dir_all(&temp).map_err(io_err(&temp))?;
        Ok(Staging {
            target: target.to_path_buf(),
            temp,
            committed: false,
        })
    }

    /// Where to write the files.
    pub fn path(&self) -> &Path {
        &self.temp
    }

    /// Replaces the target directory with the staged one.
    pub fn commit(mut self) -> Result<PathBuf, ReportError> {
        let old = self.temp.with_file_name(format!(
            "{}.old",
            self.temp.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
        ));
        if self.target.exists() {
            fs::rename(&self.target, &old).map_err(io_err(&self.target))?;
        }
        fs::rename(&self.temp, &self.target).map_err(io_err(&self.target))?;
        if old.exists() {
            fs::remove_dir_all(&old).map_err(io_err(&old))?;
        }
        self.committed = true;
        Ok(self.target.clone())
    }
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
