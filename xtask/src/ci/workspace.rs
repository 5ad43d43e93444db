//! What the CI steps need to know of the workspace, from `cargo metadata`:
//! where it and its target directory are, and which members are published.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

pub(super) struct Workspace {
    /// The cargo that runs `cargo xtask` (`$CARGO`), for every nested run.
    pub cargo: String,
    pub root: PathBuf,
    pub target_dir: PathBuf,
    pub members: Vec<Member>,
}

/// A workspace member, with the manifest fields a published crate must fill.
#[derive(Debug, Clone)]
pub(super) struct Member {
    pub name: String,
    pub version: String,
    /// `publish = false` makes a member unpublished.
    pub published: bool,
    pub rust_version: Option<String>,
    pub readme: Option<String>,
    /// Manifest fields every published crate must set, with whether it does.
    pub fields: Vec<(&'static str, bool)>,
}

impl Workspace {
    pub(super) fn load() -> Result<Workspace, String> {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
        let root = crate::workspace_root();
        let output = Command::new(&cargo)
            .args(["metadata", "--format-version", "1", "--no-deps", "--locked"])
            .current_dir(&root)
            .output()
            .map_err(|e| format!("cannot run {cargo} metadata: {e}"))?;
        let metadata = parse_json(&output, "cargo metadata")?;
        let target_dir = metadata["target_directory"]
            .as_str()
            .map(PathBuf::from)
            .ok_or("cargo metadata names no target directory")?;
        let members = metadata["packages"].as_array().map(|packages| packages.iter().map(Member::of).collect());
        Ok(Workspace { cargo, root, target_dir, members: members.unwrap_or_default() })
    }

    pub(super) fn published(&self) -> impl Iterator<Item = &Member> {
        self.members.iter().filter(|member| member.published)
    }

    pub(super) fn unpublished(&self) -> impl Iterator<Item = &Member> {
        self.members.iter().filter(|member| !member.published)
    }

    /// `cargo <args>` in `dir`, output shown; an error if it fails.
    pub(super) fn cargo(&self, args: &[&str], env: &[(&str, &str)], dir: &Path) -> Result<(), String> {
        let status = Command::new(&self.cargo)
            .args(args)
            .envs(env.iter().copied())
            .current_dir(dir)
            .status()
            .map_err(|e| format!("cannot run {}: {e}", self.cargo))?;
        if status.success() { Ok(()) } else { Err(format!("cargo {} failed ({status})", args.join(" "))) }
    }

    /// `cargo <args>` in `dir` with its output captured; an error with the
    /// output if it fails.
    pub(super) fn cargo_output(&self, args: &[&str], dir: &Path) -> Result<Output, String> {
        let output = Command::new(&self.cargo)
            .args(args)
            .current_dir(dir)
            .output()
            .map_err(|e| format!("cannot run {}: {e}", self.cargo))?;
        if output.status.success() {
            Ok(output)
        } else {
            Err(format!(
                "cargo {} failed ({}):\n{}",
                args.join(" "),
                output.status,
                String::from_utf8_lossy(&output.stderr)
            ))
        }
    }
}

impl Member {
    fn of(package: &Value) -> Member {
        let text = |key: &str| package[key].as_str().filter(|value| !value.is_empty()).map(str::to_owned);
        let listed = |key: &str| package[key].as_array().is_some_and(|values| !values.is_empty());
        let fields = vec![
            ("description", text("description").is_some()),
            ("license", text("license").is_some()),
            ("repository", text("repository").is_some()),
            ("documentation", text("documentation").is_some()),
            ("readme", text("readme").is_some()),
            ("rust-version", text("rust_version").is_some()),
            ("keywords", listed("keywords")),
            ("categories", listed("categories")),
            ("package.metadata.docs.rs", package["metadata"]["docs"]["rs"].is_object()),
        ];
        Member {
            name: text("name").unwrap_or_default(),
            version: text("version").unwrap_or_default(),
            // `publish = false` is an empty list of registries; absent is any.
            published: !package["publish"].as_array().is_some_and(Vec::is_empty),
            rust_version: text("rust_version"),
            readme: text("readme"),
            fields,
        }
    }
}

/// The JSON a command printed on stdout.
pub(super) fn parse_json(output: &Output, what: &str) -> Result<Value, String> {
    if !output.status.success() {
        return Err(format!("{what} failed ({}):\n{}", output.status, String::from_utf8_lossy(&output.stderr)));
    }
    serde_json::from_slice(&output.stdout).map_err(|e| format!("{what} printed no JSON: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_member_with_publish_false_is_unpublished_and_missing_fields_are_named() {
        let xtask = Member::of(&json!({"name": "xtask", "version": "0.1.0", "publish": [], "description": "d"}));
        assert!(!xtask.published);
        let missing: Vec<&str> = xtask.fields.iter().filter(|(_, set)| !set).map(|(name, _)| *name).collect();
        assert!(missing.contains(&"repository") && missing.contains(&"package.metadata.docs.rs"), "{missing:?}");
        assert!(!missing.contains(&"description"));
        let sdk = Member::of(&json!({"name": "sdk", "version": "0.1.0", "publish": null,
            "metadata": {"docs": {"rs": {"all-features": true}}}, "keywords": ["a"], "rust_version": "1.89"}));
        assert!(sdk.published);
        assert!(sdk.fields.iter().any(|(name, set)| *name == "package.metadata.docs.rs" && *set));
        assert_eq!(sdk.rust_version.as_deref(), Some("1.89"));
    }
}
