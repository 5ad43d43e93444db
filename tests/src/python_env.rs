//! The Python environment the peer runs in: a virtual environment under the
//! cargo target directory with the pinned odatapy, created on first use and
//! reused while it still holds that version.

use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::PeerError;

/// The odatapy release the peer is written against. Its behaviour (and the
/// two workarounds in `tests/peer/bc_processor.py`) is only known for this one.
pub const ODATAPY_VERSION: &str = "5.3.0";

/// The oldest Python odatapy supports.
const MIN_PYTHON: (u32, u32) = (3, 10);

/// The interpreter used to create the environment: `$PEER_PYTHON`, or
/// `python3` from `PATH`.
fn base_python() -> String {
    std::env::var("PEER_PYTHON").unwrap_or_else(|_| "python3".to_owned())
}

/// The cargo target directory of the running test binary
/// (`target/debug/deps/<test>` → `target`).
pub fn target_dir() -> Result<PathBuf, PeerError> {
    let exe = std::env::current_exe().map_err(|e| PeerError::new(format!("cannot locate the test binary: {e}")))?;
    let mut profile_dir = exe.parent().map(Path::to_path_buf).unwrap_or_default();
    if profile_dir.file_name().is_some_and(|name| name == "deps") {
        profile_dir.pop();
    }
    profile_dir
        .parent()
        .map(Path::to_path_buf)
        .ok_or_else(|| PeerError::new(format!("{} is not inside a cargo target directory", exe.display())))
}

/// The virtual environment's directory: `<target>/peer-venv`.
pub fn venv_dir() -> Result<PathBuf, PeerError> {
    Ok(target_dir()?.join("peer-venv"))
}

/// The Python interpreter of a ready environment, creating or repairing the
/// environment first if needed. Safe to call from several test binaries at
/// once: they take turns through a lock file.
pub fn ensure_environment() -> Result<PathBuf, PeerError> {
    let venv = venv_dir()?;
    let python = venv_python(&venv);
    if has_pinned_odatapy(&python) {
        return Ok(python);
    }
    let parent = venv.parent().ok_or_else(|| PeerError::new("the venv directory has no parent"))?;
    fs::create_dir_all(parent).map_err(|e| PeerError::new(format!("cannot create {}: {e}", parent.display())))?;
    let _lock = DirectoryLock::acquire(&parent.join("peer-venv.lock"))?;
    // Another test binary may have finished the job while we waited.
    if has_pinned_odatapy(&python) {
        return Ok(python);
    }
    check_base_python(&base_python())?;
    if venv.exists() {
        fs::remove_dir_all(&venv)
            .map_err(|e| PeerError::new(format!("cannot remove the stale {}: {e}", venv.display())))?;
    }
    run(Command::new(base_python()).args(["-m", "venv"]).arg(&venv), "creating the peer's virtual environment")?;
    run(
        Command::new(&python)
            .args(["-m", "pip", "install", "--quiet", "--disable-pip-version-check"])
            .arg(format!("odatapy=={ODATAPY_VERSION}")),
        "installing odatapy from PyPI",
    )?;
    if !has_pinned_odatapy(&python) {
        return Err(PeerError::new(format!(
            "pip finished, but {} cannot import odatapy {ODATAPY_VERSION}",
            python.display()
        )));
    }
    Ok(python)
}

/// The interpreter of a virtual environment: `bin/python`, or
/// `Scripts\python.exe` on Windows.
fn venv_python(venv: &Path) -> PathBuf {
    if cfg!(windows) { venv.join("Scripts").join("python.exe") } else { venv.join("bin").join("python") }
}

fn has_pinned_odatapy(python: &Path) -> bool {
    if !python.exists() {
        return false;
    }
    Command::new(python)
        .args(["-c", "import importlib.metadata as m, sys; print(m.version('odatapy'))"])
        .output()
        .is_ok_and(|out| out.status.success() && String::from_utf8_lossy(&out.stdout).trim() == ODATAPY_VERSION)
}

/// Checks that `python` can create the environment; fails with the exact
/// package to install when Python or its `venv` module is missing or too old.
pub fn check_base_python(python: &str) -> Result<(), PeerError> {
    let probe = Command::new(python)
        .args(["-c", "import sys, venv, ensurepip; print('%d.%d' % sys.version_info[:2])"])
        .output();
    let out = match probe {
        Ok(out) => out,
        Err(e) => {
            return Err(PeerError::new(format!(
                "the end-to-end tests need Python {}.{}+ with its venv module, but `{python}` cannot be run ({e}); \
                 install it with `apt-get install python3 python3-venv` (or point PEER_PYTHON at an interpreter)",
                MIN_PYTHON.0, MIN_PYTHON.1
            )));
        }
    };
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        let reason = stderr.lines().rev().find(|line| !line.trim().is_empty()).unwrap_or("no error output");
        return Err(PeerError::new(format!(
            "`{python}` has no usable venv module ({}); install it with `apt-get install python3-venv`",
            reason.trim()
        )));
    }
    let version = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    let parsed: Option<(u32, u32)> =
        version.split_once('.').and_then(|(major, minor)| Some((major.parse().ok()?, minor.parse().ok()?)));
    match parsed {
        Some(found) if found >= MIN_PYTHON => Ok(()),
        _ => Err(PeerError::new(format!(
            "odatapy needs Python {}.{}+, but `{python}` is {version}; install a newer python3 or set PEER_PYTHON",
            MIN_PYTHON.0, MIN_PYTHON.1
        ))),
    }
}

fn run(command: &mut Command, what: &str) -> Result<(), PeerError> {
    let out = command.output().map_err(|e| PeerError::new(format!("{what}: cannot run {command:?}: {e}")))?;
    if out.status.success() {
        return Ok(());
    }
    let mut message = format!("{what} failed ({}): {command:?}\n", out.status);
    message.push_str(&String::from_utf8_lossy(&out.stdout));
    message.push_str(&String::from_utf8_lossy(&out.stderr));
    if String::from_utf8_lossy(&out.stderr).contains("ensurepip") {
        message.push_str("\nhint: install Python's venv module with `apt-get install python3-venv`");
    }
    Err(PeerError::new(message))
}

/// An exclusive lock on a file (`flock` on Unix, `LockFileEx` on Windows),
/// released when dropped.
struct DirectoryLock {
    file: File,
}

impl DirectoryLock {
    fn acquire(path: &Path) -> Result<DirectoryLock, PeerError> {
        let file = File::create(path)
            .map_err(|e| PeerError::new(format!("cannot open the lock file {}: {e}", path.display())))?;
        file.lock().map_err(|e| PeerError::new(format!("cannot lock {}: {e}", path.display())))?;
        Ok(DirectoryLock { file })
    }
}

impl Drop for DirectoryLock {
    fn drop(&mut self) {
        // Closing the file would release the lock too.
        let _ = self.file.unlock();
    }
}
