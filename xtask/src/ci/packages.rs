//! The `package` step: every published crate packages and verifies (builds
//! from its `.crate` alone) in dependency order, carries its README and
//! both licence files, and fills the manifest fields crates.io and docs.rs
//! show. Unpublished members (`publish = false`) are left out.
//!
//! `cargo package --workspace` (stable since cargo 1.83) packages the
//! crates in dependency order and verifies each against the ones packaged
//! before it through a local overlay registry, so crates that are not on
//! crates.io yet verify too.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use super::workspace::{Member, Workspace};

/// The licence files every published crate carries (links to the root's).
const LICENSE_FILES: &[&str] = &["LICENSE-MIT", "LICENSE-APACHE"];

pub(super) fn check(workspace: &Workspace) -> Result<(), String> {
    let published: Vec<&Member> = workspace.published().collect();
    if published.is_empty() {
        return Err("no workspace member is published".to_owned());
    }
    let mut problems = Vec::new();
    for member in &published {
        let missing: Vec<&str> = member.fields.iter().filter(|(_, set)| !set).map(|(name, _)| *name).collect();
        if !missing.is_empty() {
            problems.push(format!("{}: Cargo.toml does not set {}", member.name, missing.join(", ")));
        }
    }
    if !problems.is_empty() {
        return Err(problems.join("\n"));
    }

    package_workspace(workspace)?;

    println!("package: {:<28} {:>6} {:>12}", "crate", "files", ".crate size");
    for member in &published {
        let files = packaged_files(workspace, &member.name)?;
        problems.extend(missing_files(member, &files));
        let crate_file = workspace.target_dir.join("package").join(format!("{}-{}.crate", member.name, member.version));
        let size = std::fs::metadata(&crate_file).map_err(|e| format!("{}: {e}", crate_file.display()))?.len();
        println!("package: {:<28} {:>6} {:>8.1} KiB", member.name, files.len(), size as f64 / 1024.0);
    }
    if problems.is_empty() { Ok(()) } else { Err(problems.join("\n")) }
}

/// `cargo package --workspace`, unpublished members excluded. Cargo warns
/// once for every test and benchmark an `include` list leaves out of a
/// package; those are left out on purpose (they need the repository around
/// the crate), so they are counted rather than printed.
fn package_workspace(workspace: &Workspace) -> Result<(), String> {
    forget_unpacked_packages(workspace)?;
    let mut args = vec!["package", "--workspace", "--allow-dirty", "--locked"];
    for member in workspace.unpublished() {
        args.extend(["--exclude", member.name.as_str()]);
    }
    println!("package: cargo {}", args.join(" "));
    let mut child = Command::new(&workspace.cargo)
        .args(&args)
        .current_dir(&workspace.root)
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run {}: {e}", workspace.cargo))?;
    let mut left_out = 0;
    if let Some(stderr) = child.stderr.take() {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if is_left_out_target(&line) {
                left_out += 1;
            } else {
                eprintln!("{line}");
            }
        }
    }
    let status = child.wait().map_err(|e| format!("waiting for cargo package: {e}"))?;
    if !status.success() {
        return Err(format!("cargo package failed ({status})"));
    }
    println!("package: {left_out} test and benchmark targets stay out of the packages (their `include` lists)");
    Ok(())
}

fn is_left_out_target(line: &str) -> bool {
    line.starts_with("warning: ignoring ") && line.ends_with(" is not included in the published package")
}

/// The files of a crate's package, as `cargo package --list` names them.
fn packaged_files(workspace: &Workspace, name: &str) -> Result<Vec<String>, String> {
    let output =
        workspace.cargo_output(&["package", "--list", "--allow-dirty", "--locked", "-p", name], &workspace.root)?;
    Ok(String::from_utf8_lossy(&output.stdout).lines().map(str::to_owned).collect())
}

/// What a package lacks of its README and licence files.
fn missing_files(member: &Member, files: &[String]) -> Vec<String> {
    let readme = member.readme.as_deref().unwrap_or("README.md");
    std::iter::once(readme)
        .chain(LICENSE_FILES.iter().copied())
        .filter(|wanted| !files.iter().any(|file| file == wanted))
        .map(|wanted| format!("{}: the package has no {wanted}", member.name))
        .collect()
}

/// `cargo package --workspace` verifies each crate against the others
/// through a registry of the fresh packages in the target directory, which
/// cargo unpacks below `$CARGO_HOME/registry/src/` in a directory named for
/// that registry's path, and does not unpack again while the version stays
/// the same: a second run in the same checkout would verify against the
/// sources of the first. Those unpacked copies of the workspace's own
/// crates are removed first (local registries' directories start with `-`;
/// crates.io's never do).
fn forget_unpacked_packages(workspace: &Workspace) -> Result<(), String> {
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(std::path::PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| std::path::PathBuf::from(home).join(".cargo")));
    let Some(sources) = cargo_home.map(|home| home.join("registry").join("src")) else { return Ok(()) };
    let Ok(registries) = std::fs::read_dir(&sources) else { return Ok(()) };
    for registry in registries.filter_map(Result::ok) {
        if !registry.file_name().to_string_lossy().starts_with('-') {
            continue;
        }
        for member in workspace.published() {
            let unpacked = registry.path().join(format!("{}-{}", member.name, member.version));
            if unpacked.is_dir() {
                std::fs::remove_dir_all(&unpacked).map_err(|e| format!("{}: {e}", unpacked.display()))?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(readme: Option<&str>) -> Member {
        Member {
            name: "odata-v4-csdl".to_owned(),
            version: "0.1.0".to_owned(),
            published: true,
            rust_version: Some("1.89".to_owned()),
            readme: readme.map(str::to_owned),
            fields: Vec::new(),
        }
    }

    #[test]
    fn a_package_without_its_readme_or_a_licence_is_named() {
        let files: Vec<String> = ["Cargo.toml", "README.md", "LICENSE-MIT", "src/lib.rs"].map(str::to_owned).into();
        assert_eq!(
            missing_files(&member(Some("README.md")), &files),
            ["odata-v4-csdl: the package has no LICENSE-APACHE"]
        );
        let complete: Vec<String> = files.iter().cloned().chain(["LICENSE-APACHE".to_owned()]).collect();
        assert!(missing_files(&member(Some("README.md")), &complete).is_empty());
        assert_eq!(
            missing_files(&member(Some("docs/crate.md")), &complete),
            ["odata-v4-csdl: the package has no docs/crate.md"]
        );
    }

    #[test]
    fn only_targets_left_out_by_include_are_counted() {
        assert!(is_left_out_target(
            "warning: ignoring test `glue` as `tests/glue.rs` is not included in the published package"
        ));
        assert!(is_left_out_target(
            "warning: ignoring benchmark `decode` as `benches/decode.rs` is not included in the published package"
        ));
        assert!(!is_left_out_target("warning: manifest has no documentation, homepage or repository"));
    }
}
