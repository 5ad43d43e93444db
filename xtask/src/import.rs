//! `cargo xtask import-metadata --api <route> <file-or-url>`: reads a
//! `$metadata` document, validates it, writes the project's canonical form
//! under `sdk/schemas/<route>/metadata.xml`, and reports what changed in the
//! generated public API compared with the schema it replaces.
//!
//! `cargo xtask api-diff <old> <new> [--api <route>]` prints that report for
//! any two versions of a `$metadata` document.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use business_central_codegen::BusinessCentral;
use business_central_codegen::docs::load_docs;
use odata_v4_codegen::emit::changes::{self, ApiChanges};
use odata_v4_codegen::emit::{self, ApiInput};
use odata_v4_codegen::facts::DocFacts;
use odata_v4_codegen::ir::Model;
use odata_v4_codegen::summary::Summary;
use odata_v4_gen::fetch::{FetchOptions, fetch_bytes, is_url, metadata_url};

/// The environment variable holding a bearer token for fetching `$metadata` from BC.
pub const TOKEN_VARIABLE: &str = "BC_ACCESS_TOKEN";

pub fn run(route: &str, source: &str) -> anyhow::Result<()> {
    let root = crate::workspace_root();
    let imported = import(&root, route, source)?;
    println!("wrote {}", imported.target.display());
    if let Some(changes) = &imported.changes {
        let version = sdk_version(&root);
        println!(
            "\n{changes}\nsemver: a {} release of business-central-sdk (now {version}); \
             run `cargo xtask regen`, then put the list above in CHANGELOG.md",
            changes.semver_bump(&version)
        );
    }
    Ok(())
}

/// `cargo xtask api-diff <old> <new> [--api <route>]`.
pub fn run_diff(old: &Path, new: &Path, route: &str) -> anyhow::Result<()> {
    let read = |path: &Path| odata_v4_codegen::edmx::read_file(path);
    let changes = api_changes(route, &read(old)?, &read(new)?, &DocFacts::default());
    println!("{changes}");
    Ok(())
}

/// The changes to the generated API of `route` from `old` to `new`, with
/// the same resource-doc facts applied to both.
pub fn api_changes(route: &str, old: &Model, new: &Model, documentation: &DocFacts) -> ApiChanges {
    let plan = |model: &Model| {
        emit::plan(&ApiInput { route, model, documentation, source: "", customization: &BusinessCentral })
    };
    changes::diff(&plan(old), &plan(new))
}

/// The version in the SDK's manifest.
fn sdk_version(root: &Path) -> String {
    std::fs::read_to_string(root.join("sdk/Cargo.toml"))
        .ok()
        .and_then(|manifest| {
            manifest
                .lines()
                .find_map(|line| line.strip_prefix("version = \"").and_then(|v| v.strip_suffix('"')).map(str::to_owned))
        })
        .unwrap_or_else(|| "0.1.0".to_owned())
}

/// What [`import`] did.
#[derive(Debug)]
pub struct Imported {
    /// The schema file written.
    pub target: PathBuf,
    /// The changes to the public API, when a schema was replaced.
    pub changes: Option<ApiChanges>,
}

/// Checks that a route looks like `api/...` with plain path segments.
pub fn validate_route(route: &str) -> anyhow::Result<()> {
    let segments: Vec<&str> = route.split('/').collect();
    let plain = |s: &&str| {
        !s.is_empty() && *s != "." && *s != ".." && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
    };
    if segments.first() != Some(&"api") || segments.len() < 2 || !segments.iter().all(plain) {
        bail!("`{route}` is not an API route such as `api/v2.0` or `api/microsoft/reportsFinance/beta`");
    }
    Ok(())
}

/// The committed schema file of a route.
pub fn schema_path(root: &Path, route: &str) -> PathBuf {
    crate::schemas_dir(root).join(route).join("metadata.xml")
}

/// Imports `source` (a path or an http(s) URL) as the schema of `route`.
pub fn import(root: &Path, route: &str, source: &str) -> anyhow::Result<Imported> {
    validate_route(route)?;
    let (name, bytes) = if is_url(source) {
        let url = metadata_url(source);
        let fetch = FetchOptions { bearer_token: std::env::var(TOKEN_VARIABLE).ok() };
        let bytes = fetch_bytes(&url, &fetch)?;
        (url, bytes)
    } else {
        (source.to_owned(), std::fs::read(source).with_context(|| format!("cannot read {source}"))?)
    };
    odata_v4_gen::refuse_csdl_json(&name, &bytes)?;
    let model = odata_v4_codegen::edmx::read_bytes(&name, &bytes)?;
    for warning in &model.warnings {
        eprintln!("{warning}");
    }
    let canonical = odata_v4_codegen::edmx::canonical::write(&model);
    // The written form must read back to the same model, or facts were lost.
    let reread = odata_v4_codegen::edmx::read_str("canonical output", &canonical)?;
    if facts(&reread) != facts(&model) {
        bail!("internal error: the canonical form does not read back to the same model");
    }
    let target = schema_path(root, route);
    let changes = match std::fs::read_to_string(&target) {
        Ok(previous) => {
            let old = odata_v4_codegen::edmx::read_str(&target.display().to_string(), &previous)?;
            let docs = crate::schemas_dir(root).join(route).join("docs");
            let documentation =
                if docs.is_dir() { load_docs(&docs, &[(route, &model)])?.0 } else { DocFacts::default() };
            Some(api_changes(route, &old, &model, &documentation))
        }
        Err(_) => None,
    };
    if let Some(dir) = target.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    std::fs::write(&target, canonical).with_context(|| format!("cannot write {}", target.display()))?;
    let summary = Summary::of(&model);
    eprintln!(
        "{route}: {} entity types, {} entity sets, {} enum types, {} bound actions",
        summary.entity_types, summary.entity_sets, summary.enum_types, summary.bound_actions
    );
    Ok(Imported { target, changes })
}

/// What must survive the canonical form: the model's summary, except that
/// schemas are written in namespace order and unknown elements (which were
/// warned about) are not written at all.
fn facts(model: &odata_v4_codegen::ir::Model) -> Summary {
    let mut summary = Summary::of(model);
    summary.schema_namespaces.sort();
    summary.warnings =
        model.warnings.iter().filter(|w| w.kind != odata_v4_codegen::diag::DiagnosticKind::UnknownElement).count();
    summary
}
