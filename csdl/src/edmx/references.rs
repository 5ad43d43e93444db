//! Documents named by `edmx:Reference`: the ones whose namespaces the model
//! uses as types, or that declare the entity container the service's
//! container extends, are read and join the model. Vocabulary references
//! (Core, Capabilities, SAP's Common, ...) contribute only annotation terms,
//! which need no declaration, so they are never read.

use std::collections::{BTreeMap, BTreeSet};

use super::loader::{DocumentLoader, LoadedDocument, explain};
use super::parse::{ExternalAnnotations, Parser};
use super::resolve::normalize_document;
use crate::diag::{Diagnostic, DiagnosticKind, Severity, SourceMap};
use crate::ir::{EntityContainer, Model, QualifiedName, Reference, TypeRef, TypeTarget};

/// How many referenced documents one model may bring in, so that a chain of
/// references cannot make the reader fetch without end.
pub const MAX_REFERENCED_DOCUMENTS: usize = 64;

/// A reference not read yet, with the document it was written in.
struct Pending {
    reference: Reference,
    /// The location of the referencing document.
    base: String,
    /// The referencing document (see `Origin::document`), where a failure
    /// to read is reported.
    document: usize,
}

/// Reads every referenced document the model needs (repeatedly: a read
/// document may need others) and merges it into `model`. `maps[0]` is the
/// main document's; each document read adds its own. The entity containers
/// of read documents land in `containers`, for resolution to pick those the
/// service's container extends.
pub fn load_references(
    maps: &mut Vec<SourceMap>,
    model: &mut Model,
    external: &mut Vec<ExternalAnnotations>,
    containers: &mut Vec<EntityContainer>,
    diagnostics: &mut Vec<Diagnostic>,
    loader: &mut dyn DocumentLoader,
) {
    let main_location = maps[0].file().to_owned();
    let mut pending: Vec<Pending> = model
        .references
        .iter()
        .map(|r| Pending { reference: r.clone(), base: main_location.clone(), document: 0 })
        .collect();
    let mut read: BTreeSet<(String, String)> = BTreeSet::new();
    let mut failed: BTreeSet<String> = BTreeSet::new();
    loop {
        let needed = needed_namespaces(model, containers);
        let next = pending.iter().position(|p| {
            p.reference.includes.iter().any(|i| needed.contains_key(&i.namespace) && !failed.contains(&i.namespace))
        });
        let Some(next) = next else { break };
        let Pending { reference, base, document } = pending.remove(next);
        let include = reference.includes.iter().find(|i| needed.contains_key(&i.namespace)).cloned();
        let Some(include) = include else { continue };
        let user = &needed[&include.namespace];
        if !read.insert((base.clone(), reference.uri.clone())) {
            continue;
        }
        let report = |diagnostics: &mut Vec<Diagnostic>, maps: &[SourceMap], why: String| {
            let message = format!(
                "cannot read `{}`, which `edmx:Reference` names for namespace `{}` (the model uses `{user}`): {why}",
                reference.uri, include.namespace
            );
            let map = &maps[document.min(maps.len() - 1)];
            diagnostics.push(map.diagnostic(
                Severity::Error,
                DiagnosticKind::UnreadableReference,
                include.origin.offset,
                &include.origin.path,
                message,
            ));
        };
        if maps.len() > MAX_REFERENCED_DOCUMENTS {
            failed.insert(include.namespace.clone());
            report(diagnostics, maps, format!("more than {MAX_REFERENCED_DOCUMENTS} documents are referenced"));
            continue;
        }
        let loaded = match loader.load(&base, &reference.uri) {
            Ok(loaded) => loaded,
            Err(why) => {
                failed.insert(include.namespace.clone());
                report(diagnostics, maps, explain(&why));
                continue;
            }
        };
        let before = diagnostics.len();
        let Some((mut fragment, fragment_external)) = read_fragment(maps, &loaded, diagnostics) else {
            failed.insert(include.namespace.clone());
            // The document's own errors say what is wrong with it.
            if diagnostics.len() == before {
                report(diagnostics, maps, "it holds no schema".to_owned());
            }
            continue;
        };
        if !fragment.schemas.iter().any(|s| s.namespace == include.namespace) {
            failed.insert(include.namespace.clone());
            report(diagnostics, maps, format!("`{}` declares no schema `{}`", loaded.location, include.namespace));
        }
        let fragment_document = maps.len() - 1;
        pending.extend(fragment.references.iter().map(|r| Pending {
            reference: r.clone(),
            base: loaded.location.clone(),
            document: fragment_document,
        }));
        containers.extend(fragment.container.take());
        merge(model, fragment, &loaded.location);
        external.extend(fragment_external);
    }
}

/// Parses a referenced document into a model fragment whose names are
/// written with full namespaces. Its source map is pushed onto `maps`.
fn read_fragment(
    maps: &mut Vec<SourceMap>,
    loaded: &LoadedDocument,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<(Model, Vec<ExternalAnnotations>)> {
    let text = match std::str::from_utf8(&loaded.bytes) {
        Ok(text) => text.strip_prefix('\u{feff}').unwrap_or(text),
        Err(e) => {
            let valid = std::str::from_utf8(&loaded.bytes[..e.valid_up_to()]).unwrap_or_default();
            let map = SourceMap::new(&loaded.location, valid);
            let message = format!("the document is not valid UTF-8 (byte {})", e.valid_up_to());
            diagnostics.push(map.diagnostic(
                Severity::Error,
                DiagnosticKind::MalformedXml,
                valid.len(),
                "(document)",
                message,
            ));
            return None;
        }
    };
    let map = SourceMap::new(&loaded.location, text);
    let root = match crate::xml::parse(text) {
        Ok(root) => root,
        Err(e) => {
            let path = if e.open_elements.is_empty() { "(document)".to_owned() } else { e.open_elements.join("/") };
            diagnostics.push(map.diagnostic(Severity::Error, DiagnosticKind::MalformedXml, e.offset, &path, e.message));
            return None;
        }
    };
    let document = maps.len();
    let mut parser = Parser::new(&map, document);
    parser.document(&root);
    drop(root);
    let (mut fragment, mut fragment_external) = (parser.model, parser.external);
    diagnostics.append(&mut parser.diagnostics);
    maps.push(map);
    normalize_document(maps, &mut fragment, &mut fragment_external, diagnostics);
    Some((fragment, fragment_external))
}

/// Adds a referenced document's schemas and their items to the model. Its
/// entity container, if any, is not the service's and is left out.
fn merge(model: &mut Model, fragment: Model, location: &str) {
    model.schemas.extend(fragment.schemas.into_iter().map(|mut schema| {
        schema.source = Some(location.to_owned());
        schema
    }));
    for (name, item) in fragment.entity_types {
        model.entity_types.entry(name).or_insert(item);
    }
    for (name, item) in fragment.complex_types {
        model.complex_types.entry(name).or_insert(item);
    }
    for (name, item) in fragment.enum_types {
        model.enum_types.entry(name).or_insert(item);
    }
    for (name, item) in fragment.type_definitions {
        model.type_definitions.entry(name).or_insert(item);
    }
    for (name, item) in fragment.terms {
        model.terms.entry(name).or_insert(item);
    }
    model.operations.extend(fragment.operations);
}

/// Namespaces that types in the model are named in but no schema declares,
/// each with one qualified name that uses it (for the message when the
/// document cannot be read). Names are taken as written, with the main
/// document's aliases applied.
fn needed_namespaces(model: &Model, containers: &[EntityContainer]) -> BTreeMap<String, String> {
    let declared: BTreeSet<&str> = model.schemas.iter().map(|s| s.namespace.as_str()).collect();
    let mut aliases: BTreeMap<&str, &str> = BTreeMap::new();
    for include in model.references.iter().flat_map(|r| &r.includes) {
        if let Some(alias) = &include.alias {
            aliases.insert(alias, &include.namespace);
        }
    }
    for schema in model.schemas.iter().filter(|s| s.source.is_none()) {
        if let Some(alias) = &schema.alias {
            aliases.insert(alias, &schema.namespace);
        }
    }
    let mut needed = BTreeMap::new();
    let mut note = |text: &str| {
        let Some(name) = QualifiedName::parse(text) else { return };
        let namespace = aliases.get(name.namespace.as_str()).copied().unwrap_or(&name.namespace);
        if namespace != "Edm" && !declared.contains(namespace) {
            needed.entry(namespace.to_owned()).or_insert_with(|| format!("{namespace}.{}", name.name));
        }
    };
    let mut note_type = |ty: &TypeRef| {
        if let TypeTarget::Unresolved(text) = &ty.target {
            note(text);
        }
    };
    for entity in model.entity_types.values() {
        entity.properties.iter().for_each(|p| note_type(&p.ty));
        entity.navigation_properties.iter().for_each(|n| note_type(&n.ty));
    }
    for complex in model.complex_types.values() {
        complex.properties.iter().for_each(|p| note_type(&p.ty));
        complex.navigation_properties.iter().for_each(|n| note_type(&n.ty));
    }
    for operation in &model.operations {
        operation.parameters.iter().for_each(|p| note_type(&p.ty));
        if let Some(returns) = &operation.return_type {
            note_type(&returns.ty);
        }
    }
    let mut names: Vec<String> = Vec::new();
    for entity in model.entity_types.values() {
        names.extend(entity.base_type.iter().map(ToString::to_string));
    }
    for complex in model.complex_types.values() {
        names.extend(complex.base_type.iter().map(ToString::to_string));
    }
    for container in extension_chain(model, containers, &aliases) {
        names.extend(container.extends.iter().map(ToString::to_string));
        names.extend(container.entity_sets.iter().map(|s| s.entity_type.to_string()));
        names.extend(container.singletons.iter().map(|s| s.ty.to_string()));
        names.extend(container.operation_imports.iter().map(|i| i.operation.to_string()));
    }
    for name in &names {
        note(name);
    }
    needed
}

/// The service's container and the containers read so far (`containers`)
/// that it extends, directly or through one another (each once, so a cycle
/// ends the walk).
fn extension_chain<'m>(
    model: &'m Model,
    containers: &'m [EntityContainer],
    aliases: &BTreeMap<&str, &str>,
) -> Vec<&'m EntityContainer> {
    let mut chain: Vec<&EntityContainer> = model.container.iter().collect();
    let mut next = model.container.as_ref().and_then(|c| c.extends.clone()).map(|mut name| {
        // The main document's names are as written; read documents' are normalized.
        if let Some(namespace) = aliases.get(name.namespace.as_str()) {
            name.namespace = (*namespace).to_owned();
        }
        name
    });
    while let Some(name) = next.take() {
        let Some(container) = containers.iter().find(|c| c.name == name) else { break };
        if chain.iter().any(|c| c.name == container.name) {
            break;
        }
        chain.push(container);
        next = container.extends.clone();
    }
    chain
}
