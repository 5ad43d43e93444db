//! The Node.js packages the CAP peer runs on: `tests/cap/package-lock.json`
//! installed with `npm ci --ignore-scripts` into `<target dir>/cap-peer/`,
//! once per target directory, and reused while `package.json` and the lock
//! file are unchanged.
//!
//! `--ignore-scripts`: `@cap-js/sqlite` depends on `better-sqlite3`, whose
//! install script compiles a native module (or downloads a prebuilt one);
//! the peer uses the `sql.js` driver (SQLite compiled to WebAssembly)
//! instead, so nothing is built and nothing but the registry is contacted.

use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::peer::repository_path;
use crate::{PeerError, python_env};

/// The oldest Node.js `@sap/cds` 9 runs on (`@sap/cds` 10 needs 22).
pub const MIN_NODE_MAJOR: u32 = 20;

/// The CAP project: `tests/cap/`.
pub fn project_dir() -> PathBuf {
    repository_path("tests/cap")
}

/// Where the packages are installed: `<target dir>/cap-peer/`.
pub fn install_dir() -> Result<PathBuf, PeerError> {
    Ok(python_env::target_dir()?.join("cap-peer"))
}

/// The `node` program, from `PATH`.
pub fn node_program() -> &'static str {
    "node"
}

fn npm_program() -> &'static str {
    if cfg!(windows) { "npm.cmd" } else { "npm" }
}

/// The installed `node_modules` directory (for `NODE_PATH`), installing the
/// locked packages first when they are missing or stale. Safe to call from
/// several test binaries at once: they take turns through a lock file.
pub fn ensure_installed() -> Result<PathBuf, PeerError> {
    let dir = install_dir()?;
    let wanted = Manifests::read(&project_dir())?;
    if wanted.installed_in(&dir) {
        return Ok(dir.join("node_modules"));
    }
    let parent = dir.parent().ok_or_else(|| PeerError::new("the install directory has no parent"))?;
    fs::create_dir_all(parent).map_err(|e| PeerError::new(format!("cannot create {}: {e}", parent.display())))?;
    let lock_path = parent.join("cap-peer.lock");
    let lock = File::create(&lock_path)
        .map_err(|e| PeerError::new(format!("cannot open the lock file {}: {e}", lock_path.display())))?;
    lock.lock().map_err(|e| PeerError::new(format!("cannot lock {}: {e}", lock_path.display())))?;
    // Another test binary may have finished the job while we waited.
    if wanted.installed_in(&dir) {
        return Ok(dir.join("node_modules"));
    }
    check_node(node_program())?;
    fs::create_dir_all(&dir).map_err(|e| PeerError::new(format!("cannot create {}: {e}", dir.display())))?;
    // The stamp goes first, so that an install that fails half-way is
    // never taken for a finished one.
    let stamp = dir.join(STAMP);
    if stamp.exists() {
        fs::remove_file(&stamp).map_err(|e| PeerError::new(format!("cannot remove {}: {e}", stamp.display())))?;
    }
    for (name, contents) in [("package.json", &wanted.package), ("package-lock.json", &wanted.lock)] {
        let path = dir.join(name);
        fs::write(&path, contents).map_err(|e| PeerError::new(format!("cannot write {}: {e}", path.display())))?;
    }
    let mut npm = Command::new(npm_program());
    npm.args(["ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"])
        .current_dir(&dir)
        .env("npm_config_update_notifier", "false");
    let out = npm.output().map_err(|e| {
        PeerError::new(format!(
            "cannot run `{}` to install the CAP peer's packages ({e}); it comes with Node.js {MIN_NODE_MAJOR}+",
            npm_program()
        ))
    })?;
    if !out.status.success() {
        return Err(PeerError::new(format!(
            "installing the CAP peer's packages failed ({}): npm ci in {}\n{}{}",
            out.status,
            dir.display(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )));
    }
    fs::write(&stamp, &wanted.lock).map_err(|e| PeerError::new(format!("cannot write {}: {e}", stamp.display())))?;
    Ok(dir.join("node_modules"))
}

/// Written after a successful install: the lock file it installed.
const STAMP: &str = "installed-package-lock.json";

/// `package.json` and `package-lock.json` of the project.
struct Manifests {
    package: Vec<u8>,
    lock: Vec<u8>,
}

impl Manifests {
    fn read(project: &Path) -> Result<Manifests, PeerError> {
        let read = |name: &str| {
            let path = project.join(name);
            fs::read(&path).map_err(|e| PeerError::new(format!("cannot read {}: {e}", path.display())))
        };
        Ok(Manifests { package: read("package.json")?, lock: read("package-lock.json")? })
    }

    /// Whether `dir` holds a finished install of exactly these manifests.
    fn installed_in(&self, dir: &Path) -> bool {
        let same = |name: &str, contents: &[u8]| fs::read(dir.join(name)).is_ok_and(|found| found == contents);
        same(STAMP, &self.lock)
            && same("package.json", &self.package)
            && dir.join("node_modules/@sap/cds/package.json").is_file()
    }
}

/// Checks that `node` runs and is recent enough; fails with what to
/// install otherwise.
pub fn check_node(node: &str) -> Result<(), PeerError> {
    let out = Command::new(node).arg("--version").output().map_err(|e| {
        PeerError::new(format!(
            "the CAP end-to-end tests need Node.js {MIN_NODE_MAJOR}+ with npm, but `{node}` cannot be run ({e}); \
             install Node.js {MIN_NODE_MAJOR} (`.ci/run` does on CI; tests/README.md says how)"
        ))
    })?;
    let version = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    let major = version.strip_prefix('v').and_then(|v| v.split('.').next()).and_then(|m| m.parse::<u32>().ok());
    match major {
        Some(major) if out.status.success() && major >= MIN_NODE_MAJOR => Ok(()),
        _ => Err(PeerError::new(format!(
            "the CAP end-to-end tests need Node.js {MIN_NODE_MAJOR}+, but `{node} --version` says {version:?}; \
             install Node.js {MIN_NODE_MAJOR} (`.ci/run` does on CI; tests/README.md says how)"
        ))),
    }
}
