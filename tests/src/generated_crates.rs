//! Crates that a test generates, then builds and runs with cargo.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Runs `command` (a cargo call) and fails the test with its output when it
/// does not succeed.
pub fn run_ok(command: &mut Command) -> Output {
    let output = command.output().expect("cargo runs");
    assert!(
        output.status.success(),
        "{command:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// Gives the generated crate in `out` a test: `dev_dependencies` (TOML
/// lines) appended to its manifest, `test` as `tests/peer.rs`, and the
/// workspace's lock file, so that it builds with the project's own
/// dependency versions and looks nothing new up in the registry. Returns
/// the crate's manifest.
pub fn add_test(out: &Path, workspace: &Path, dev_dependencies: &str, test: &str) -> PathBuf {
    let manifest = out.join("Cargo.toml");
    let mut text = std::fs::read_to_string(&manifest).expect("manifest written");
    text.push_str("\n[dev-dependencies]\n");
    text.push_str(dev_dependencies);
    std::fs::write(&manifest, text).expect("manifest updated");
    let path = out.join("tests/peer.rs");
    std::fs::create_dir_all(path.parent().expect("a parent")).expect("directory");
    std::fs::write(&path, test).expect("test written");
    std::fs::copy(workspace.join("Cargo.lock"), out.join("Cargo.lock")).expect("lock file copied");
    manifest
}
