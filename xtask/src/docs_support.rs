//! Resource docs for regeneration: every `sdk/schemas/<route>/docs/` directory
//! is read, each doc is matched by content against all committed schemas,
//! and the facts are handed to the emitter.

use std::path::Path;

use business_central_codegen::docs::load_docs;
use odata_v4_codegen::facts::DocFacts;

use crate::regen::SchemaApi;

/// Loads every docs directory under `sdk/schemas/` and returns the combined facts.
/// Docs that match nothing, and documented methods the capabilities
/// contradict, are reported on stderr.
pub fn load(root: &Path, apis: &[SchemaApi]) -> anyhow::Result<DocFacts> {
    let models: Vec<(&str, &odata_v4_codegen::ir::Model)> = apis.iter().map(|a| (a.route.as_str(), &a.model)).collect();
    let mut facts = DocFacts::default();
    for api in apis {
        let dir = crate::schemas_dir(root).join(&api.route).join("docs");
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
        facts.merge(found);
    }
    Ok(facts)
}
