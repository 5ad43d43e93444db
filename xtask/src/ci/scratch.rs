//! The steps that resolve dependencies anew, in a scratch copy of the
//! working tree under the target directory (the repository's `Cargo.lock`
//! is never touched):
//!
//! - `msrv`: resolved for the declared `rust-version` (resolver 3 prefers
//!   dependency versions that support it, as it does for a user on that
//!   Rust), no dependency of a published crate may declare a newer one.
//! - `fresh-resolve`: resolved for the running toolchain (what a user on
//!   it without a lock file gets), the published crates pass clippy with
//!   warnings denied and their unit tests.
//!
//! Both need the crates.io index (`cargo update`). The copy builds into a
//! target directory of its own, `<target>/ci/<step>-target`: cargo names a
//! workspace's own crates by their path relative to the workspace, so the
//! copy's crates would take the place of the repository's in a shared one.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use super::workspace::{Workspace, parse_json};

pub(super) fn check_dependency_msrv(workspace: &Workspace) -> Result<(), String> {
    let declared = declared_rust_version(workspace)?;
    let copy = fresh_copy(workspace, "msrv")?;
    workspace.cargo(&["update", "--quiet"], &[], &copy)?;
    let output = Command::new(&workspace.cargo)
        .args(["metadata", "--format-version", "1", "--all-features", "--locked"])
        .current_dir(&copy)
        .output()
        .map_err(|e| format!("cannot run {}: {e}", workspace.cargo))?;
    let metadata = parse_json(&output, "cargo metadata")?;
    let roots: Vec<&str> = workspace.published().map(|member| member.name.as_str()).collect();
    let dependencies = dependency_rust_versions(&metadata, &roots);
    let without = dependencies.iter().filter(|dependency| dependency.rust_version.is_none()).count();
    let mut declaring: Vec<&Dependency> =
        dependencies.iter().filter(|dependency| dependency.rust_version.is_some()).collect();
    declaring.sort_by_key(|dependency| std::cmp::Reverse(dependency.rust_version));
    let highest: Vec<String> = declaring.iter().take(3).map(ToString::to_string).collect();
    println!(
        "msrv: rust-version {} declared; the {} dependencies of the published crates (all features) need at most: {}; \
         {without} declare none",
        format_version(declared),
        dependencies.len(),
        highest.join(", ")
    );
    let newer: Vec<String> = declaring
        .iter()
        .filter(|dependency| dependency.rust_version.is_some_and(|version| version > declared))
        .map(ToString::to_string)
        .collect();
    if newer.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "these dependencies need a newer Rust than the declared {}: {} (raise rust-version, see CONTRIBUTING.md, \
             or require an older version of them)",
            format_version(declared),
            newer.join(", ")
        ))
    }
}

pub(super) fn check_fresh_resolve(workspace: &Workspace) -> Result<(), String> {
    let copy = fresh_copy(workspace, "fresh-resolve")?;
    let toolchain = rustc_version(&copy)?;
    // Resolver 3 picks what the lowest `rust-version` of the workspace
    // supports; a user's package without one gets what their toolchain
    // supports, so the copy declares the running toolchain.
    set_workspace_rust_version(&copy.join("Cargo.toml"), &toolchain)?;
    let update = workspace.cargo_output(&["update"], &copy)?;
    let updated = String::from_utf8_lossy(&update.stderr).lines().filter(|line| line.contains(" -> ")).count();
    println!("fresh-resolve: {updated} dependencies newer than the lock file's, resolved for Rust {toolchain}");
    let mut packages = Vec::new();
    for member in workspace.published() {
        packages.extend(["-p", member.name.as_str()]);
    }
    let target = workspace.target_dir.join("ci").join("fresh-resolve-target");
    let target = target.to_string_lossy().into_owned();
    // The copy is rebuilt from fresh files every time: incremental state
    // would only take disk space (gigabytes for this workspace).
    let env = [("CARGO_TARGET_DIR", target.as_str()), ("CARGO_INCREMENTAL", "0")];
    let clippy: Vec<&str> =
        [&["clippy"][..], &packages, &["--all-targets", "--locked", "--", "-D", "warnings"]].concat();
    workspace.cargo(&clippy, &env, &copy)?;
    let tests: Vec<&str> = [&["test"][..], &packages, &["--lib", "--locked"]].concat();
    workspace.cargo(&tests, &env, &copy)
}

/// A copy of the working tree's files (tracked, and new ones not ignored)
/// in `<target>/ci/<name>`, replacing any earlier copy.
fn fresh_copy(workspace: &Workspace, name: &str) -> Result<PathBuf, String> {
    let copy = workspace.target_dir.join("ci").join(name);
    if copy.exists() {
        std::fs::remove_dir_all(&copy).map_err(|e| format!("cannot remove {}: {e}", copy.display()))?;
    }
    let output = Command::new("git")
        .args(["ls-files", "-z", "--cached", "--others", "--exclude-standard"])
        .current_dir(&workspace.root)
        .output()
        .map_err(|e| format!("cannot run git to list the working tree: {e}"))?;
    if !output.status.success() {
        return Err(format!("git ls-files failed: {}", String::from_utf8_lossy(&output.stderr)));
    }
    for file in output.stdout.split(|byte| *byte == 0).filter(|name| !name.is_empty()) {
        let relative = Path::new(std::str::from_utf8(file).map_err(|_| "a file name is not UTF-8")?);
        copy_entry(&workspace.root.join(relative), &copy.join(relative))?;
    }
    Ok(copy)
}

/// Copies a file, or recreates a symbolic link (the crates' licence files
/// and `sdk/schemas` are links). Files deleted in the working tree are
/// skipped.
fn copy_entry(from: &Path, to: &Path) -> Result<(), String> {
    let Ok(metadata) = std::fs::symlink_metadata(from) else { return Ok(()) };
    if let Some(parent) = to.parent() {
        std::fs::create_dir_all(parent).map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    }
    let copied = if metadata.file_type().is_symlink() {
        std::fs::read_link(from).and_then(|target| link(&target, to, from.is_dir()))
    } else {
        std::fs::copy(from, to).map(drop)
    };
    copied.map_err(|e| format!("cannot copy {} to {}: {e}", from.display(), to.display()))
}

#[cfg(unix)]
fn link(target: &Path, at: &Path, _is_dir: bool) -> std::io::Result<()> {
    std::os::unix::fs::symlink(target, at)
}

#[cfg(windows)]
fn link(target: &Path, at: &Path, is_dir: bool) -> std::io::Result<()> {
    if is_dir { std::os::windows::fs::symlink_dir(target, at) } else { std::os::windows::fs::symlink_file(target, at) }
}

/// The `rust-version` the published crates declare (the workspace's).
fn declared_rust_version(workspace: &Workspace) -> Result<Version, String> {
    let versions: BTreeSet<&str> = workspace.published().filter_map(|member| member.rust_version.as_deref()).collect();
    match versions.into_iter().collect::<Vec<_>>()[..] {
        [one] => parse_version(one).ok_or_else(|| format!("rust-version `{one}` is not a version")),
        [] => Err("the published crates declare no rust-version".to_owned()),
        ref several => Err(format!("the published crates declare different rust-versions: {}", several.join(", "))),
    }
}

/// The version of the `rustc` that builds in `dir` (the toolchain pinned there).
fn rustc_version(dir: &Path) -> Result<String, String> {
    let output = Command::new("rustc")
        .arg("--version")
        .current_dir(dir)
        .output()
        .map_err(|e| format!("cannot run rustc: {e}"))?;
    let text = String::from_utf8_lossy(&output.stdout);
    text.split_whitespace()
        .nth(1)
        .filter(|version| parse_version(version).is_some())
        .map(str::to_owned)
        .ok_or_else(|| format!("cannot read the version in `{}`", text.trim()))
}

/// Rewrites the first `rust-version = "…"` line of a workspace manifest
/// (the one of `[workspace.package]`).
fn set_workspace_rust_version(manifest: &Path, version: &str) -> Result<(), String> {
    let text = std::fs::read_to_string(manifest).map_err(|e| format!("{}: {e}", manifest.display()))?;
    let rewritten = replace_rust_version(&text, version)
        .ok_or_else(|| format!("{} has no `rust-version = \"…\"` line", manifest.display()))?;
    std::fs::write(manifest, rewritten).map_err(|e| format!("{}: {e}", manifest.display()))
}

fn replace_rust_version(manifest: &str, version: &str) -> Option<String> {
    let mut found = false;
    let lines: Vec<String> = manifest
        .lines()
        .map(|line| {
            if !found && line.starts_with("rust-version = \"") {
                found = true;
                format!("rust-version = \"{version}\"")
            } else {
                line.to_owned()
            }
        })
        .collect();
    found.then(|| lines.join("\n") + "\n")
}

type Version = (u64, u64, u64);

/// `1.89` or `1.89.0`.
fn parse_version(text: &str) -> Option<Version> {
    let mut parts = text.split('.').map(|part| part.parse::<u64>().ok());
    let major = parts.next()??;
    let minor = parts.next()??;
    let patch = parts.next().unwrap_or(Some(0))?;
    parts.next().is_none().then_some((major, minor, patch))
}

fn format_version((major, minor, patch): Version) -> String {
    if patch == 0 { format!("{major}.{minor}") } else { format!("{major}.{minor}.{patch}") }
}

/// A package a published crate builds with, and the Rust it declares.
#[derive(Debug, PartialEq, Eq)]
struct Dependency {
    name: String,
    version: String,
    rust_version: Option<Version>,
}

impl std::fmt::Display for Dependency {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.rust_version {
            Some(version) => write!(f, "{} {} ({})", self.name, self.version, format_version(version)),
            None => write!(f, "{} {}", self.name, self.version),
        }
    }
}

/// Every package the `roots` build with (normal and build dependencies,
/// followed through the resolve of `cargo metadata`; dev-dependencies are
/// not built for users), the roots themselves excluded.
fn dependency_rust_versions(metadata: &Value, roots: &[&str]) -> Vec<Dependency> {
    let empty = Vec::new();
    let packages: HashMap<&str, &Value> = metadata["packages"]
        .as_array()
        .unwrap_or(&empty)
        .iter()
        .filter_map(|package| Some((package["id"].as_str()?, package)))
        .collect();
    let nodes: HashMap<&str, &Value> = metadata["resolve"]["nodes"]
        .as_array()
        .unwrap_or(&empty)
        .iter()
        .filter_map(|node| Some((node["id"].as_str()?, node)))
        .collect();
    let root_ids: Vec<&str> = packages
        .iter()
        .filter(|(_, package)| package["source"].is_null() && roots.contains(&package["name"].as_str().unwrap_or("")))
        .map(|(id, _)| *id)
        .collect();
    let mut seen: BTreeSet<&str> = root_ids.iter().copied().collect();
    let mut queue = root_ids.clone();
    while let Some(id) = queue.pop() {
        let Some(node) = nodes.get(id) else { continue };
        for dependency in node["deps"].as_array().unwrap_or(&empty) {
            let built_for_users = dependency["dep_kinds"]
                .as_array()
                .unwrap_or(&empty)
                .iter()
                .any(|kind| kind["kind"].is_null() || kind["kind"] == "build");
            if let Some(next) = dependency["pkg"].as_str().filter(|_| built_for_users)
                && seen.insert(next)
            {
                queue.push(next);
            }
        }
    }
    seen.into_iter()
        .filter(|id| !root_ids.contains(id))
        .filter_map(|id| packages.get(id))
        .map(|package| Dependency {
            name: package["name"].as_str().unwrap_or_default().to_owned(),
            version: package["version"].as_str().unwrap_or_default().to_owned(),
            rust_version: package["rust_version"].as_str().and_then(parse_version),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn versions_read_with_two_or_three_parts() {
        assert_eq!(parse_version("1.89"), Some((1, 89, 0)));
        assert_eq!(parse_version("1.89.1"), Some((1, 89, 1)));
        assert_eq!(parse_version("1"), None);
        assert_eq!(parse_version("1.x"), None);
        assert_eq!(parse_version("1.2.3.4"), None);
        assert_eq!(format_version((1, 89, 0)), "1.89");
    }

    #[test]
    fn only_the_workspace_rust_version_line_is_rewritten() {
        let manifest = "[workspace.package]\nrust-version = \"1.89\"\n[package]\nrust-version = \"1.70\"\n";
        assert_eq!(
            replace_rust_version(manifest, "1.95.0").as_deref(),
            Some("[workspace.package]\nrust-version = \"1.95.0\"\n[package]\nrust-version = \"1.70\"\n")
        );
        assert_eq!(replace_rust_version("[workspace]\n", "1.95.0"), None);
    }

    /// A published crate with a normal, a build and a dev-dependency, and a
    /// normal dependency of the dev-dependency: only the first two count.
    #[test]
    fn dev_dependencies_do_not_count() {
        let package = |id: &str, rust: Option<&str>, source: Option<&str>| json!({"id": id, "name": id, "version": "1.0.0", "rust_version": rust, "source": source});
        let edge = |id: &str, kind: Option<&str>| json!({"pkg": id, "dep_kinds": [{"kind": kind, "target": null}]});
        let registry = Some("registry+https://github.com/rust-lang/crates.io-index");
        let metadata = json!({
            "packages": [
                package("runtime", Some("1.89"), None),
                package("url", Some("1.63"), registry),
                package("cc", None, registry),
                package("wiremock", Some("1.90"), registry),
                package("hyper", Some("1.95"), registry),
            ],
            "resolve": {"nodes": [
                {"id": "runtime", "deps": [edge("url", None), edge("cc", Some("build")), edge("wiremock", Some("dev"))]},
                {"id": "wiremock", "deps": [edge("hyper", None)]},
            ]},
        });
        let found = dependency_rust_versions(&metadata, &["runtime"]);
        let names: Vec<String> = found.iter().map(ToString::to_string).collect();
        assert_eq!(names, ["cc 1.0.0", "url 1.0.0 (1.63)"]);
    }
}
