//! Resource docs for regeneration: every `schemas/<route>/docs/` directory
//! is read, each doc is matched by content against all committed schemas,
//! and the facts are handed to the emitter.

use std::path::Path;

use odata_v4_codegen::docs::{DocFacts, load_docs};

use crate::regen::SchemaApi;

/// Loads every docs directory under `schemas/` and returns the combined facts.
/// Docs that match nothing, and documented methods the capabilities
/// contradict, are reported on stderr.
pub fn load(root: &Path, apis: &[SchemaApi]) -> Result<DocFacts, String> {
    let models: Vec<(&str, &odata_v4_codegen::ir::Model)> = apis.iter().map(|a| (a.route.as_str(), &a.model)).collect();
    let mut facts = DocFacts::default();
    for api in apis {
        let dir = root.join("schemas").join(&api.route).join("docs");
        if !dir.is_dir() {
            continue;
        }
        let (found, reports) = load_docs(&dir, &models)?;
        for report in &reports {
            if report.doc_match.target.is_none() {
                eprintln!("warning: {}/docs/{}: matches no entity type; not applied", api.route, report.file);
            }
            for conflict in &report.capability_conflicts {
                eprintln!(
                    "warning: {}/docs/{}: documents {:?} but `{}` is restricted ({})",
                    api.route, report.file, conflict.method, conflict.entity_set, conflict.restriction
                );
            }
        }
        for (key, entity) in found.entities {
            facts.entities.entry(key).or_insert(entity);
        }
    }
    Ok(facts)
}
