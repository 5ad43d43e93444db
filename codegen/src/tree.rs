//! Writing a generated tree over the one an earlier run left.
//!
//! A file whose text is unchanged is not written again, so its modification
//! time stays and Cargo has nothing to rebuild after a regeneration that
//! changed nothing. A changed file is rewritten in place, and a file the
//! generator no longer writes is removed. Deleting the whole tree and
//! writing it anew would also cost the file system a new inode per file:
//! on ext4 without a journal, allocating inodes next to thousands that
//! were just freed took a quarter of Microsoft Graph's generation.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::Error;

/// Writes the files of one generated directory, then removes what is left
/// of the previous run ([`finish`](Self::finish)).
#[derive(Debug)]
pub struct TreeWriter {
    root: PathBuf,
    /// Files of the previous run not (yet) written by this one, relative to `root`.
    stale: BTreeSet<PathBuf>,
    changed: usize,
}

impl TreeWriter {
    /// Starts writing into `root`, which need not exist yet.
    pub fn new(root: &Path) -> Result<Self, Error> {
        Ok(TreeWriter { root: root.to_owned(), stale: list_files(root)?.into_iter().collect(), changed: 0 })
    }

    /// Writes `contents` at `relative` (below the root) unless the file
    /// already holds exactly that; says whether it wrote.
    pub fn write(&mut self, relative: &Path, contents: &str) -> Result<bool, Error> {
        self.stale.remove(relative);
        let wrote = write_if_changed(&self.root.join(relative), contents)?;
        self.changed += usize::from(wrote);
        Ok(wrote)
    }

    /// Removes the files of the previous run that this one did not write,
    /// and the directories that leaves empty; returns how many files were
    /// written or removed.
    pub fn finish(self) -> Result<usize, Error> {
        let mut dirs = BTreeSet::new();
        for relative in &self.stale {
            let path = self.root.join(relative);
            std::fs::remove_file(&path).map_err(|e| Error::io(&path, e))?;
            dirs.extend(relative.ancestors().skip(1).filter(|a| !a.as_os_str().is_empty()).map(Path::to_owned));
        }
        // Deepest first, so that a parent is tried once its children are gone.
        for dir in dirs.iter().rev() {
            let path = self.root.join(dir);
            if std::fs::read_dir(&path).is_ok_and(|mut entries| entries.next().is_none()) {
                std::fs::remove_dir(&path).map_err(|e| Error::io(&path, e))?;
            }
        }
        Ok(self.changed + self.stale.len())
    }
}

/// Writes `contents` at `path`, creating its directory, unless the file
/// already holds exactly that; says whether it wrote.
pub fn write_if_changed(path: &Path, contents: &str) -> Result<bool, Error> {
    if std::fs::read(path).is_ok_and(|current| current == contents.as_bytes()) {
        return Ok(false);
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    }
    std::fs::write(path, contents).map_err(|e| Error::io(path, e))?;
    Ok(true)
}

/// Every file under `dir`, relative to it (none if `dir` does not exist).
/// Symbolic links are listed as files, never followed.
pub fn list_files(dir: &Path) -> Result<Vec<PathBuf>, Error> {
    let mut files = Vec::new();
    if !dir.exists() {
        return Ok(files);
    }
    let mut stack = vec![dir.to_path_buf()];
    while let Some(current) = stack.pop() {
        for entry in std::fs::read_dir(&current).map_err(|e| Error::io(&current, e))? {
            let entry = entry.map_err(|e| Error::io(&current, e))?;
            let path = entry.path();
            if entry.file_type().map_err(|e| Error::io(&path, e))?.is_dir() {
                stack.push(path);
            } else if let Ok(relative) = path.strip_prefix(dir) {
                files.push(relative.to_path_buf());
            }
        }
    }
    files.sort();
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, SystemTime};

    fn scratch(name: &str) -> PathBuf {
        let root = std::env::temp_dir().join(format!("odata-tree-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        root
    }

    fn modified(path: &Path) -> SystemTime {
        std::fs::metadata(path).unwrap().modified().unwrap()
    }

    #[test]
    fn unchanged_files_are_left_alone_changed_ones_rewritten_and_stale_ones_removed() {
        let root = scratch("rewrite");
        let mut first = TreeWriter::new(&root).unwrap();
        for (path, text) in [("mod.rs", "a"), ("x/mod.rs", "b"), ("x/y/old.rs", "c"), ("z.rs", "d")] {
            assert!(first.write(Path::new(path), text).unwrap());
        }
        assert_eq!(first.finish().unwrap(), 4);
        // Old enough that a rewrite would show in the modification time.
        let past = SystemTime::now() - Duration::from_secs(3600);
        for path in ["mod.rs", "x/mod.rs", "z.rs"] {
            std::fs::File::options().write(true).open(root.join(path)).unwrap().set_modified(past).unwrap();
        }

        let mut second = TreeWriter::new(&root).unwrap();
        assert!(!second.write(Path::new("mod.rs"), "a").unwrap());
        assert!(second.write(Path::new("x/mod.rs"), "b, changed").unwrap());
        assert!(second.write(Path::new("new/file.rs"), "e").unwrap());
        // `z.rs` and `x/y/old.rs` are no longer generated.
        assert_eq!(second.finish().unwrap(), 4);

        assert_eq!(modified(&root.join("mod.rs")), past, "an unchanged file is not touched");
        assert_ne!(modified(&root.join("x/mod.rs")), past);
        assert_eq!(std::fs::read_to_string(root.join("x/mod.rs")).unwrap(), "b, changed");
        assert_eq!(
            list_files(&root).unwrap(),
            [PathBuf::from("mod.rs"), "new/file.rs".into(), "x/mod.rs".into()],
            "stale files are removed"
        );
        assert!(!root.join("x/y").exists(), "a directory left empty is removed");
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn a_file_that_cannot_be_written_is_an_error_naming_it() {
        let root = scratch("blocked");
        std::fs::create_dir_all(root.join("taken.rs")).unwrap();
        let mut writer = TreeWriter::new(&root).unwrap();
        let error = writer.write(Path::new("taken.rs"), "text").unwrap_err();
        assert!(error.to_string().contains("taken.rs"), "{error}");
        std::fs::remove_dir_all(&root).unwrap();
    }
}
