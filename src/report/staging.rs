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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::outdir::{Identity, Marker};

    /// `dir/out` for a result of identity `which`, the default directory `dir/default` (so the
    /// index is `dir/runs.csv`).
    fn destination(dir: &Path, which: &str) -> Destination {
        outdir::choose(
            Some(&dir.join("out")),
            &dir.join("default"),
            Identity::new("test").with("which", which),
            false,
        )
        .unwrap()
    }

    fn stage(dest: &Destination, files: &[(&str, &str)]) -> Staging {
        let staging = Staging::new(dest).unwrap();
        for (name, text) in files {
            fs::write(staging.path().join(name), text).unwrap();
        }
        staging
    }

    /// The names in `dir`, sorted.
    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn a_commit_puts_the_files_and_a_marker_listing_them_in_place() {
        let tmp = tempfile::tempdir().unwrap();
        let dest = destination(tmp.path(), "a");
        let staging = stage(&dest, &[("a.txt", "A"), ("b.csv", "B")]);
        assert!(staging.path().starts_with(tmp.path()) && staging.path() != dest.path);
        assert!(!dest.path.exists(), "nothing is at the destination before the commit");
        let committed = staging.commit().unwrap();
        assert_eq!(committed.path, dest.path);
        assert_eq!(names(&dest.path), [MARKER, "a.txt", "b.csv"]);
        let marker: Marker = serde_json::from_str(&fs::read_to_string(dest.path.join(MARKER)).unwrap()).unwrap();
        assert_eq!(marker.files, ["a.txt", "b.csv"]);
        assert_eq!(marker.kind, "test");
        // Only the result and the index are left beside it: no staging directory.
        assert_eq!(names(tmp.path()), ["out", "runs.csv"]);
    }

    #[test]
    fn an_uncommitted_staging_leaves_nothing_and_the_old_result_stands() {
        let tmp = tempfile::tempdir().unwrap();
        let dest = destination(tmp.path(), "a");
        stage(&dest, &[("old.txt", "old")]).commit().unwrap();
        let staging = stage(&dest, &[("new.txt", "new")]);
        let temp = staging.path().to_path_buf();
        assert!(temp.is_dir());
        drop(staging);
        assert!(!temp.exists());
        assert_eq!(names(&dest.path), [MARKER, "old.txt"]);
        assert_eq!(names(tmp.path()), ["out", "runs.csv"]);
    }

    #[test]
    fn the_same_result_is_replaced_whole() {
        let tmp = tempfile::tempdir().unwrap();
        let dest = destination(tmp.path(), "a");
        stage(&dest, &[("old.txt", "old"), ("both.txt", "1")]).commit().unwrap();
        stage(&dest, &[("new.txt", "new"), ("both.txt", "2")]).commit().unwrap();
        assert_eq!(names(&dest.path), [MARKER, "both.txt", "new.txt"]);
        assert_eq!(fs::read_to_string(dest.path.join("both.txt")).unwrap(), "2");
        assert_eq!(names(tmp.path()), ["out", "runs.csv"], "the old result was removed, not left aside");
    }

    #[test]
    fn a_directory_that_appears_meanwhile_is_not_replaced() {
        let tmp = tempfile::tempdir().unwrap();
        let dest = destination(tmp.path(), "a");
        let staging = stage(&dest, &[("a.txt", "A")]);
        // The user makes the directory and puts a file of theirs in it while the result is computed.
        fs::create_dir(&dest.path).unwrap();
        fs::write(dest.path.join("mine.txt"), "mine").unwrap();
        let e = staging.commit().unwrap_err();
        assert!(e.to_string().contains(&dest.path.display().to_string()), "{e}");
        assert_eq!(names(&dest.path), ["mine.txt"]);
        assert_eq!(names(tmp.path()), ["out"], "the staging directory is gone");
    }

    #[test]
    fn another_result_is_replaced_only_when_asked() {
        let tmp = tempfile::tempdir().unwrap();
        stage(&destination(tmp.path(), "a"), &[("a.txt", "A")]).commit().unwrap();
        let other = Identity::new("test").with("which", "b");
        let refused = outdir::choose(Some(&tmp.path().join("out")), &tmp.path().join("default"), other.clone(), false);
        assert!(refused.is_err());
        let dest = outdir::choose(Some(&tmp.path().join("out")), &tmp.path().join("default"), other, true).unwrap();
        stage(&dest, &[("b.txt", "B")]).commit().unwrap();
        assert_eq!(names(&dest.path), [MARKER, "b.txt"]);
    }

    #[test]
    fn staging_left_by_a_process_that_is_gone_is_removed() {
        if !Path::new("/proc/self").exists() {
            return;
        }
        let tmp = tempfile::tempdir().unwrap();
        // No process has this id (Linux ids stay below 2^22).
        let dead = tmp.path().join(".out.partial-4294967295");
        let other = tmp.path().join(".other.partial-4294967295");
        fs::create_dir(&dead).unwrap();
        fs::create_dir(&other).unwrap();
        let staging = Staging::new(&destination(tmp.path(), "a")).unwrap();
        assert!(!dead.exists(), "an abandoned staging directory of this destination is removed");
        assert!(other.exists(), "another destination's is left alone");
        assert!(staging.path().is_dir());
    }

    #[test]
    fn errors_in_the_staging_directory_name_the_destination() {
        let tmp = tempfile::tempdir().unwrap();
        let dest = destination(tmp.path(), "a");
        let staging = Staging::new(&dest).unwrap();
        let inside = staging.path().join("x.csv");
        let e = anyhow::anyhow!("cannot write {}", inside.display());
        let told = staging.user_error(e).to_string();
        assert_eq!(told, format!("cannot write {}", dest.path.join("x.csv").display()));
        // An error that does not name the staging directory is kept as it is.
        assert_eq!(staging.user_error(anyhow::anyhow!("other")).to_string(), "other");
    }
}
