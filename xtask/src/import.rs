//! `cargo xtask import-metadata --api <route> <file-or-url>`: reads a
//! `$metadata` document, validates it, and writes the project's canonical
//! form under `schemas/<route>/metadata.xml`.

use std::path::{Path, PathBuf};

use odata_codegen::summary::Summary;

use crate::args::Args;

/// The environment variable holding a bearer token for fetching `$metadata` from BC.
pub const TOKEN_VARIABLE: &str = "BC_ACCESS_TOKEN";

pub fn run(raw: &[String]) -> Result<(), String> {
    let args = Args::parse(raw, &["api"], &[])?;
    let usage = "usage: cargo xtask import-metadata --api <route> <file-or-url>";
    let (Some(route), [source]) = (args.value("api"), args.positional.as_slice()) else {
        return Err(usage.to_owned());
    };
    let target = import(&crate::workspace_root(), route, source)?;
    println!("wrote {}", target.display());
    Ok(())
}

/// Checks that a route looks like `api/...` with plain path segments.
pub fn validate_route(route: &str) -> Result<(), String> {
    let segments: Vec<&str> = route.split('/').collect();
    let plain = |s: &&str| !s.is_empty() && *s != "." && *s != ".." && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b));
    if segments.first() != Some(&"api") || segments.len() < 2 || !segments.iter().all(plain) {
        return Err(format!("`{route}` is not an API route such as `api/v2.0` or `api/microsoft/reportsFinance/beta`"));
    }
    Ok(())
}

/// The committed schema file of a route.
pub fn schema_path(root: &Path, route: &str) -> PathBuf {
    root.join("schemas").join(route).join("metadata.xml")
}

/// Imports `source` (a path or an http(s) URL) as the schema of `route`.
pub fn import(root: &Path, route: &str, source: &str) -> Result<PathBuf, String> {
    validate_route(route)?;
    let (name, bytes) = if source.starts_with("http://") || source.starts_with("https://") {
        (source.to_owned(), fetch(source)?)
    } else {
        (source.to_owned(), std::fs::read(source).map_err(|e| format!("cannot read {source}: {e}"))?)
    };
    let model = odata_codegen::edmx::read_bytes(&name, &bytes).map_err(|e| e.to_string())?;
    for warning in &model.warnings {
        eprintln!("{warning}");
    }
    let canonical = odata_codegen::edmx::canonical::write(&model);
    // The written form must read back to the same model, or facts were lost.
    let reread = odata_codegen::edmx::read_str("canonical output", &canonical).map_err(|e| e.to_string())?;
    if facts(&reread) != facts(&model) {
        return Err("internal error: the canonical form does not read back to the same model".to_owned());
    }
    let target = schema_path(root, route);
    if let Some(dir) = target.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    std::fs::write(&target, canonical).map_err(|e| format!("cannot write {}: {e}", target.display()))?;
    let summary = Summary::of(&model);
    eprintln!(
        "{route}: {} entity types, {} entity sets, {} enum types, {} bound actions",
        summary.entity_types, summary.entity_sets, summary.enum_types, summary.bound_actions
    );
    Ok(target)
}

/// What must survive the canonical form: the model's summary, except that
/// schemas are written in namespace order and unknown elements (which were
/// warned about) are not written at all.
fn facts(model: &odata_codegen::ir::Model) -> Summary {
    let mut summary = Summary::of(model);
    summary.schema_namespaces.sort();
    summary.warnings = model
        .warnings
        .iter()
        .filter(|w| w.kind != odata_codegen::diag::DiagnosticKind::UnknownElement)
        .count();
    summary
}

fn fetch(url: &str) -> Result<Vec<u8>, String> {
    let url = if url.trim_end_matches('/').ends_with("$metadata") {
        url.to_owned()
    } else {
        format!("{}/$metadata", url.trim_end_matches('/'))
    };
    let mut request = ureq::get(&url).header("Accept", "application/xml");
    if let Ok(token) = std::env::var(TOKEN_VARIABLE) {
        request = request.header("Authorization", &format!("Bearer {token}"));
    }
    let mut response = request.call().map_err(|e| format!("GET {url} failed: {e}"))?;
    response
        .body_mut()
        .with_config()
        .limit(64 * 1024 * 1024)
        .read_to_vec()
        .map_err(|e| format!("reading {url} failed: {e}"))
}
