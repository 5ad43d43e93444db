//! Facts from matched docs, keyed by the entity type they describe, and
//! one report per doc for maintainers.

use std::collections::BTreeSet;
use std::path::Path;

use odata_v4_codegen::Error;
use odata_v4_codegen::facts::{DocFacts, Method, PropertyDocFacts};
use odata_v4_codegen::ir::{Model, QualifiedName};

use super::matching::{DocMatch, MatchVerdict, match_doc};
use super::{DocFormat, ResourceDoc, read_doc};

/// Adds the facts of a matched doc to `facts`. When a second doc matches
/// the same type, the first keeps what it said and the second only adds
/// properties the first did not document, so the outcome depends on file
/// order alone (which `load_docs` sorts). Returns a note when an earlier
/// doc took precedence.
pub fn add_facts(
    facts: &mut DocFacts,
    file: &str,
    doc: &ResourceDoc,
    found: &DocMatch,
    models: &[(&str, &Model)],
) -> Option<String> {
    let target = found.target.as_ref()?;
    let model = models.iter().find(|(route, _)| *route == target.route)?.1;
    let entity = model.entity_types.get(&target.entity)?;
    let schema_names: Vec<&str> = model.all_properties(entity).iter().map(|p| p.name.as_str()).collect();
    let entity_facts = facts.entities.entry((target.route.clone(), target.entity.clone())).or_default();
    let note = entity_facts
        .sources
        .first()
        .map(|first| format!("{} is also documented by {first}, whose facts come first", target.entity.name));
    entity_facts.sources.push(file.to_owned());
    if entity_facts.description.is_none() {
        entity_facts.description = doc.description.clone();
    }
    if entity_facts.methods.is_empty() {
        entity_facts.methods = doc.methods.clone();
    }
    for property in &doc.properties {
        let Some(name) = schema_names.iter().find(|n| n.eq_ignore_ascii_case(&property.name)) else {
            continue;
        };
        entity_facts.properties.entry((*name).to_owned()).or_insert_with(|| PropertyDocFacts {
            description: Some(property.description.clone()).filter(|d| !d.is_empty()),
            read_only: property.read_only,
            max_length: property.max_length,
            enum_values: property.enum_values.clone(),
            optional_on_create: property.optional_on_create,
        });
    }
    note
}

/// A documented method that the entity set's capabilities rule out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CapabilityConflict {
    /// The documented method.
    pub method: Method,
    /// The entity set whose capabilities rule it out.
    pub entity_set: String,
    /// The restriction that says no, such as `InsertRestrictions/Insertable=false`.
    pub restriction: &'static str,
}

/// What one doc said and where it went, for `cargo xtask docs-report`.
#[derive(Debug, Clone, PartialEq)]
pub struct DocReport {
    /// The file name (without directories).
    pub file: String,
    /// How the doc was read.
    pub format: DocFormat,
    /// The doc's title.
    pub title: Option<String>,
    /// The entity type the title names (titles are often wrong).
    pub claimed_entity: Option<String>,
    /// Which entity type the content matched, and how well.
    pub doc_match: DocMatch,
    /// The documented methods.
    pub methods: BTreeSet<Method>,
    /// Documented properties marked read-only, as the doc names them.
    pub read_only: Vec<String>,
    /// Documented properties the service fills when a create omits them.
    pub optional_on_create: Vec<String>,
    /// (property, values) for every property with documented values.
    pub enum_values: Vec<(String, Vec<String>)>,
    /// How many example requests with a `$filter` the doc holds.
    pub filter_examples: usize,
    /// How many rows its error table has.
    pub errors: usize,
    /// Documented methods the schema's capabilities rule out.
    pub capability_conflicts: Vec<CapabilityConflict>,
    /// Explanations for the maintainer.
    pub notes: Vec<String>,
}

impl DocReport {
    /// Matches a doc and collects what a maintainer needs to review it.
    pub fn new(file: &str, doc: &ResourceDoc, models: &[(&str, &Model)]) -> DocReport {
        let doc_match = match_doc(doc, models);
        let capability_conflicts = doc_match
            .target
            .as_ref()
            .and_then(|t| models.iter().find(|(route, _)| *route == t.route).map(|(_, m)| (t, *m)))
            .map(|(target, model)| capability_conflicts(doc, model, &target.entity))
            .unwrap_or_default();
        let mut notes = doc_match.notes.clone();
        if let (Some(claimed), Some(target)) = (&doc.claimed_entity, &doc_match.target) {
            let same = claimed.eq_ignore_ascii_case(&target.entity.name)
                || super::text::stem(&claimed.to_ascii_lowercase())
                    == super::text::stem(&target.entity.name.to_ascii_lowercase());
            if !same {
                notes.push(format!(
                    "the title claims {claimed}, but the properties are those of {}",
                    target.entity.name
                ));
            }
        }
        DocReport {
            file: file.to_owned(),
            format: doc.format,
            title: doc.title.clone(),
            claimed_entity: doc.claimed_entity.clone(),
            methods: doc.methods.clone(),
            read_only: doc.properties.iter().filter(|p| p.read_only).map(|p| p.name.clone()).collect(),
            optional_on_create: doc
                .properties
                .iter()
                .filter(|p| p.optional_on_create)
                .map(|p| p.name.clone())
                .collect(),
            enum_values: doc
                .properties
                .iter()
                .filter(|p| !p.enum_values.is_empty())
                .map(|p| (p.name.clone(), p.enum_values.clone()))
                .collect(),
            filter_examples: doc.filter_examples.len(),
            errors: doc.errors.len(),
            capability_conflicts,
            notes,
            doc_match,
        }
    }

    /// `file -> entityType (0.93)` or `file -> none`.
    pub fn summary_line(&self) -> String {
        match &self.doc_match.target {
            Some(target) => format!("{} -> {} ({:.2})", self.file, target.entity.name, target.score),
            None => format!("{} -> none", self.file),
        }
    }

    /// Whether the doc was matched to an entity type (and so contributed facts).
    pub fn matched(&self) -> bool {
        self.doc_match.verdict == MatchVerdict::Matched
    }
}

/// Documented methods that every entity set of the type rules out.
fn capability_conflicts(doc: &ResourceDoc, model: &Model, entity: &QualifiedName) -> Vec<CapabilityConflict> {
    let mut conflicts = Vec::new();
    for set in model.entity_sets().iter().filter(|s| &s.entity_type == entity) {
        let capabilities = set.annotations.capabilities();
        for &method in &doc.methods {
            let restriction = match method {
                Method::Post if !capabilities.can_insert() => "InsertRestrictions/Insertable=false",
                Method::Patch if !capabilities.can_update() => "UpdateRestrictions/Updatable=false",
                Method::Delete if !capabilities.can_delete() => "DeleteRestrictions/Deletable=false",
                _ => continue,
            };
            conflicts.push(CapabilityConflict { method, entity_set: set.name.clone(), restriction });
        }
    }
    conflicts
}

/// Reads every file in `dir` (any extension, sorted by name; hidden files
/// and subdirectories are skipped), matches each against the models and
/// collects the facts of the matched ones. Only an unreadable directory or
/// file is an error; text that is not UTF-8 is read lossily.
pub fn load_docs(dir: &Path, models: &[(&str, &Model)]) -> Result<(DocFacts, Vec<DocReport>), Error> {
    let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
    let mut files = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let is_file = entry.file_type().map_err(|e| Error::io(entry.path(), e))?.is_file();
        if is_file && !name.starts_with('.') {
            files.push((name, entry.path()));
        }
    }
    files.sort();
    let mut facts = DocFacts::default();
    let mut reports = Vec::new();
    for (name, path) in files {
        let bytes = std::fs::read(&path).map_err(|e| Error::io(&path, e))?;
        let doc = read_doc(&String::from_utf8_lossy(&bytes));
        let mut report = DocReport::new(&name, &doc, models);
        if let Some(note) = add_facts(&mut facts, &name, &doc, &report.doc_match, models) {
            report.notes.push(note);
        }
        reports.push(report);
    }
    Ok((facts, reports))
}
