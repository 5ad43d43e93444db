//! Resolution and validation: aliases become namespaces, type names become
//! typed references, and every cross-reference is checked. External
//! annotation blocks are applied to their targets.

use std::collections::{BTreeMap, BTreeSet};

use super::parse::ExternalAnnotations;
use crate::diag::{Diagnostic, DiagnosticKind, Severity, SourceMap};
use crate::ir::annotations::Record;
use crate::ir::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Declared {
    Entity,
    Complex,
    Enum,
    TypeDefinition,
    Term,
}

pub(super) struct Resolver<'a> {
    /// One per document, indexed by [`Origin::document`].
    maps: &'a [SourceMap],
    /// Only rewrite aliases into namespaces, leaving type names unresolved:
    /// for a referenced document, whose aliases are its own, before it
    /// joins the model.
    normalize_only: bool,
    diagnostics: Vec<Diagnostic>,
    aliases: BTreeMap<String, String>,
    declared: BTreeMap<QualifiedName, Declared>,
}

impl Resolver<'_> {
    pub(super) fn report(&mut self, severity: Severity, kind: DiagnosticKind, origin: &Origin, message: String) {
        let map = self.maps.get(origin.document).unwrap_or(&self.maps[0]);
        self.diagnostics.push(map.diagnostic(severity, kind, origin.offset, &origin.path, message));
    }

    pub(super) fn error(&mut self, kind: DiagnosticKind, origin: &Origin, message: String) {
        self.report(Severity::Error, kind, origin, message);
    }

    fn namespace_of(&self, namespace: &str) -> String {
        self.aliases.get(namespace).cloned().unwrap_or_else(|| namespace.to_owned())
    }

    pub(super) fn normalize(&self, name: &mut QualifiedName) {
        if let Some(namespace) = self.aliases.get(&name.namespace) {
            name.namespace = namespace.clone();
        }
    }

    /// What kind of item `name` is, when it is a type or a term (`an entity type`).
    pub(super) fn declared_kind(&self, name: &QualifiedName) -> Option<&'static str> {
        self.declared.get(name).map(|kind| match kind {
            Declared::Entity => "an entity type",
            Declared::Complex => "a complex type",
            Declared::Enum => "an enumeration type",
            Declared::TypeDefinition => "a type definition",
            Declared::Term => "a term",
        })
    }

    fn normalize_text(&self, text: &str) -> String {
        match QualifiedName::parse(text) {
            Some(mut name) => {
                self.normalize(&mut name);
                name.to_string()
            }
            None => text.to_owned(),
        }
    }

    fn annotations(&self, annotations: &mut Annotations) {
        for annotation in &mut annotations.0 {
            self.normalize(&mut annotation.term);
            if let Some(value) = &mut annotation.value {
                self.expression(value);
            }
            self.annotations(&mut annotation.annotations);
        }
    }

    fn expression(&self, expression: &mut Expression) {
        match expression {
            Expression::Record(Record { ty, properties, annotations }) => {
                if let Some(ty) = ty {
                    self.normalize(ty);
                }
                for property in properties {
                    self.expression(&mut property.value);
                }
                self.annotations(annotations);
            }
            Expression::Collection(items) => items.iter_mut().for_each(|e| self.expression(e)),
            _ => {}
        }
    }

    /// Classifies a type reference; unknown names are errors.
    fn resolve_type(&mut self, ty: &mut TypeRef, origin: &Origin, what: &str) {
        let TypeTarget::Unresolved(text) = &ty.target else { return };
        let Some(mut name) = QualifiedName::parse(text) else { return };
        self.normalize(&mut name);
        if self.normalize_only {
            ty.target = TypeTarget::Unresolved(name.to_string());
            return;
        }
        let target = if name.namespace == "Edm" {
            match name.name.as_str() {
                "EntityType" => Some(TypeTarget::AbstractEntity),
                "ComplexType" => Some(TypeTarget::AbstractComplex),
                other => Primitive::from_edm_name(other).map(TypeTarget::Primitive),
            }
        } else {
            match self.declared.get(&name) {
                Some(Declared::Entity) => Some(TypeTarget::Entity(name.clone())),
                Some(Declared::Complex) => Some(TypeTarget::Complex(name.clone())),
                Some(Declared::Enum) => Some(TypeTarget::Enum(name.clone())),
                Some(Declared::TypeDefinition) => Some(TypeTarget::TypeDefinition(name.clone())),
                Some(Declared::Term) | None => None,
            }
        };
        match target {
            Some(target) => ty.target = target,
            None => {
                let message = format!("{what} has unknown type `{name}`");
                self.error(DiagnosticKind::UnknownType, origin, message);
            }
        }
    }

    fn properties(&mut self, properties: &mut [Property]) {
        for property in properties {
            let what = format!("property `{}`", property.name);
            self.resolve_type(&mut property.ty, &property.origin, &what);
            self.annotations(&mut property.annotations);
        }
    }

    fn navigation_properties(&mut self, navigation: &mut [NavigationProperty]) {
        for nav in navigation {
            let what = format!("navigation property `{}`", nav.name);
            self.resolve_type(&mut nav.ty, &nav.origin, &what);
            if !matches!(nav.ty.target, TypeTarget::Entity(_) | TypeTarget::Unresolved(_) | TypeTarget::AbstractEntity)
            {
                let message = format!(
                    "navigation property `{}` must target an entity type, not `{}`",
                    nav.name,
                    nav.ty.csdl_name()
                );
                self.error(DiagnosticKind::UnknownType, &nav.origin, message);
            }
            self.annotations(&mut nav.annotations);
            for constraint in &mut nav.referential_constraints {
                self.annotations(&mut constraint.annotations);
            }
        }
    }
}

/// Resolves and validates a parsed model. Errors stop the model; warnings
/// are returned inside it. `containers` are those of referenced documents,
/// candidates for the service's container to extend.
pub fn resolve(
    maps: &[SourceMap],
    mut model: Model,
    external: Vec<ExternalAnnotations>,
    containers: Vec<EntityContainer>,
    diagnostics: Vec<Diagnostic>,
) -> Result<Model, crate::diag::Diagnostics> {
    let mut resolver =
        Resolver { maps, normalize_only: false, diagnostics, aliases: BTreeMap::new(), declared: BTreeMap::new() };
    collect_aliases(&mut resolver, &model);
    collect_declared(&mut resolver, &model);
    resolve_references(&mut resolver, &mut model);
    super::extends::inherit_members(&mut resolver, &mut model, containers);
    validate(&mut resolver, &model);
    apply_external(&mut resolver, &mut model, external);
    model
        .operations
        .sort_by_cached_key(|o| (o.name.clone(), o.binding_type().map(TypeRef::csdl_name).unwrap_or_default(), o.kind));

    let (mut errors, mut warnings): (Vec<_>, Vec<_>) =
        resolver.diagnostics.into_iter().partition(|d| d.severity == Severity::Error);
    // The main document's problems first, then each referenced document's.
    let document_of = |d: &Diagnostic| maps.iter().position(|m| *m.file() == *d.location.file).unwrap_or(0);
    let position = |d: &Diagnostic| (document_of(d), d.location.line, d.location.column);
    errors.sort_by_key(position);
    warnings.sort_by_key(position);
    if !errors.is_empty() {
        return Err(crate::diag::Diagnostics(errors));
    }
    model.warnings = warnings;
    Ok(model)
}

/// Rewrites the aliases of one referenced document into namespaces (its
/// aliases are its own), checking that they are unambiguous within it;
/// types stay unresolved until the whole model is resolved.
pub fn normalize_document(
    maps: &[SourceMap],
    model: &mut Model,
    external: &mut [ExternalAnnotations],
    diagnostics: &mut Vec<Diagnostic>,
) {
    let mut resolver = Resolver {
        maps,
        normalize_only: true,
        diagnostics: std::mem::take(diagnostics),
        aliases: BTreeMap::new(),
        declared: BTreeMap::new(),
    };
    collect_aliases(&mut resolver, model);
    resolve_references(&mut resolver, model);
    for block in external {
        resolver.annotations(&mut block.annotations);
        block.target = normalize_target(&resolver, &block.target);
    }
    *diagnostics = resolver.diagnostics;
}

/// An annotation target with its head (and overload types) written with
/// full namespaces.
fn normalize_target(resolver: &Resolver<'_>, target: &str) -> String {
    let (head, overload, _) = split_target(target);
    let rest_start = match overload {
        Some(text) => head.len() + 1 + text.len() + usize::from(target[head.len() + 1 + text.len()..].starts_with(')')),
        None => head.len(),
    };
    let mut out = resolver.normalize_text(head);
    if let Some(text) = overload {
        let types: Vec<String> = if text.trim().is_empty() {
            Vec::new()
        } else {
            text.split(',').map(|t| normalize_type_text(resolver, t.trim())).collect()
        };
        out.push('(');
        out.push_str(&types.join(","));
        out.push(')');
    }
    out.push_str(&target[rest_start..]);
    out
}

fn collect_aliases(resolver: &mut Resolver<'_>, model: &Model) {
    let mut namespaces = BTreeSet::new();
    for schema in &model.schemas {
        if !namespaces.insert(schema.namespace.clone()) {
            let message = format!("schema namespace `{}` is declared more than once", schema.namespace);
            resolver.error(DiagnosticKind::DuplicateName, &schema.origin, message);
        }
    }
    // CSDL allows one `edmx:Include` per namespace: with two, which document
    // declares it would depend on the order the references are tried in.
    let mut included = BTreeSet::new();
    for include in model.references.iter().flat_map(|r| &r.includes) {
        if !included.insert(include.namespace.as_str()) {
            let message = format!("namespace `{}` is included by more than one `edmx:Include`", include.namespace);
            resolver.error(DiagnosticKind::DuplicateName, &include.origin, message);
        }
    }
    let includes = model.references.iter().flat_map(|r| &r.includes);
    let mut pairs: Vec<(&str, &str, &Origin)> =
        includes.filter_map(|i| Some((i.alias.as_deref()?, i.namespace.as_str(), &i.origin))).collect();
    // Aliases are scoped to their document: a referenced document's were
    // applied when it was read.
    let own_schemas = model.schemas.iter().filter(|s| s.source.is_none());
    pairs.extend(own_schemas.filter_map(|s| Some((s.alias.as_deref()?, s.namespace.as_str(), &s.origin))));
    for (alias, namespace, origin) in pairs {
        let clash = resolver.aliases.get(alias).is_some_and(|existing| existing != namespace)
            || (namespaces.contains(alias) && alias != namespace);
        if clash {
            let message = format!("alias `{alias}` is used for more than one namespace");
            resolver.error(DiagnosticKind::DuplicateName, origin, message);
            continue;
        }
        resolver.aliases.insert(alias.to_owned(), namespace.to_owned());
    }
}

fn collect_declared(resolver: &mut Resolver<'_>, model: &Model) {
    let groups: [(Declared, Vec<(&QualifiedName, &Origin)>); 5] = [
        (Declared::Entity, model.entity_types.values().map(|t| (&t.name, &t.origin)).collect()),
        (Declared::Complex, model.complex_types.values().map(|t| (&t.name, &t.origin)).collect()),
        (Declared::Enum, model.enum_types.values().map(|t| (&t.name, &t.origin)).collect()),
        (Declared::TypeDefinition, model.type_definitions.values().map(|t| (&t.name, &t.origin)).collect()),
        (Declared::Term, model.terms.values().map(|t| (&t.name, &t.origin)).collect()),
    ];
    for (kind, items) in groups {
        for (name, origin) in items {
            if resolver.declared.insert(name.clone(), kind).is_some() {
                let message = format!("`{name}` is declared more than once (as different kinds of item)");
                resolver.error(DiagnosticKind::DuplicateName, origin, message);
            }
        }
    }
    // Operations live in a symbol space of their own: Microsoft Graph has a
    // function `image` and a complex type `image`, and references say which
    // one they mean (a type where a type is expected, an operation in an
    // import or an annotation target with parentheses).
}

fn resolve_references(resolver: &mut Resolver<'_>, model: &mut Model) {
    for schema in &mut model.schemas {
        resolver.annotations(&mut schema.annotations);
    }
    for entity in model.entity_types.values_mut() {
        if let Some(base) = &mut entity.base_type {
            resolver.normalize(base);
        }
        resolver.properties(&mut entity.properties);
        resolver.navigation_properties(&mut entity.navigation_properties);
        resolver.annotations(&mut entity.annotations);
    }
    for complex in model.complex_types.values_mut() {
        if let Some(base) = &mut complex.base_type {
            resolver.normalize(base);
        }
        resolver.properties(&mut complex.properties);
        resolver.navigation_properties(&mut complex.navigation_properties);
        resolver.annotations(&mut complex.annotations);
    }
    for enumeration in model.enum_types.values_mut() {
        resolver.annotations(&mut enumeration.annotations);
        for member in &mut enumeration.members {
            resolver.annotations(&mut member.annotations);
        }
    }
    for definition in model.type_definitions.values_mut() {
        resolver.annotations(&mut definition.annotations);
    }
    for term in model.terms.values_mut() {
        let what = format!("term `{}`", term.name.name);
        resolver.resolve_type(&mut term.ty, &term.origin, &what);
        if let Some(base) = &mut term.base_term {
            resolver.normalize(base);
        }
        resolver.annotations(&mut term.annotations);
    }
    for operation in &mut model.operations {
        for parameter in &mut operation.parameters {
            let what = format!("parameter `{}`", parameter.name);
            resolver.resolve_type(&mut parameter.ty, &parameter.origin, &what);
            resolver.annotations(&mut parameter.annotations);
        }
        if let Some(returns) = &mut operation.return_type {
            let what = format!("the return type of `{}`", operation.name.name);
            resolver.resolve_type(&mut returns.ty, &operation.origin, &what);
            resolver.annotations(&mut returns.annotations);
        }
        resolver.annotations(&mut operation.annotations);
    }
    if let Some(container) = &mut model.container {
        if let Some(extends) = &mut container.extends {
            resolver.normalize(extends);
        }
        for set in &mut container.entity_sets {
            resolver.normalize(&mut set.entity_type);
            resolver.annotations(&mut set.annotations);
        }
        for singleton in &mut container.singletons {
            resolver.normalize(&mut singleton.ty);
            resolver.annotations(&mut singleton.annotations);
        }
        for import in &mut container.operation_imports {
            resolver.normalize(&mut import.operation);
            resolver.annotations(&mut import.annotations);
        }
        resolver.annotations(&mut container.annotations);
    }
}

fn validate(resolver: &mut Resolver<'_>, model: &Model) {
    for entity in model.entity_types.values() {
        validate_entity(resolver, model, entity);
    }
    for complex in model.complex_types.values() {
        if let Some(base) = &complex.base_type {
            if !model.complex_types.contains_key(base) {
                let message =
                    format!("complex type `{}` derives from unknown complex type `{base}`", complex.name.name);
                resolver.error(DiagnosticKind::UnknownType, &complex.origin, message);
            } else if inherits_from_itself(&complex.name, |n| {
                model.complex_types.get(n).and_then(|c| c.base_type.as_ref())
            }) {
                let message = format!("complex type `{}` inherits from itself", complex.name.name);
                resolver.error(DiagnosticKind::InheritanceCycle, &complex.origin, message);
            }
        }
        // Like entity types, a complex type may not redeclare an inherited member.
        let mut inherited: Vec<&str> = Vec::new();
        let mut seen = BTreeSet::new();
        let mut base = complex.base_type.as_ref().and_then(|b| model.complex_types.get(b));
        while let Some(ancestor) = base.filter(|a| seen.insert(&a.name)) {
            inherited.extend(ancestor.properties.iter().map(|p| p.name.as_str()));
            inherited.extend(ancestor.navigation_properties.iter().map(|n| n.name.as_str()));
            base = ancestor.base_type.as_ref().and_then(|b| model.complex_types.get(b));
        }
        validate_members(resolver, &complex.properties, &complex.navigation_properties, &inherited);
    }
    for enumeration in model.enum_types.values() {
        let (min, max) = match enumeration.underlying_type.unwrap_or(Primitive::Int32) {
            Primitive::Byte => (0, u8::MAX as i64),
            Primitive::SByte => (i8::MIN as i64, i8::MAX as i64),
            Primitive::Int16 => (i16::MIN as i64, i16::MAX as i64),
            Primitive::Int64 => (i64::MIN, i64::MAX),
            _ => (i32::MIN as i64, i32::MAX as i64),
        };
        for member in &enumeration.members {
            if member.value < min || member.value > max {
                let message =
                    format!("value {} of `{}` does not fit the enum's underlying type", member.value, member.name);
                resolver.error(DiagnosticKind::InvalidAttribute, &member.origin, message);
            }
        }
    }
    validate_operations(resolver, model);
    if let Some(container) = &model.container {
        validate_container(resolver, model, container);
    }
}

fn inherits_from_itself<'m>(
    start: &QualifiedName,
    base_of: impl Fn(&QualifiedName) -> Option<&'m QualifiedName>,
) -> bool {
    let mut seen = BTreeSet::new();
    let mut current = base_of(start);
    while let Some(name) = current {
        if name == start || !seen.insert(name.clone()) {
            return true;
        }
        current = base_of(name);
    }
    false
}

fn validate_entity(resolver: &mut Resolver<'_>, model: &Model, entity: &EntityType) {
    if let Some(base) = &entity.base_type {
        if !model.entity_types.contains_key(base) {
            let message = format!("entity type `{}` derives from unknown entity type `{base}`", entity.name.name);
            resolver.error(DiagnosticKind::UnknownType, &entity.origin, message);
            return;
        }
        if inherits_from_itself(&entity.name, |n| model.entity_types.get(n).and_then(|e| e.base_type.as_ref())) {
            let message = format!("entity type `{}` inherits from itself", entity.name.name);
            resolver.error(DiagnosticKind::InheritanceCycle, &entity.origin, message);
            return;
        }
    }
    let properties = model.all_properties(entity);
    // A key is checked where it is declared; derived types inherit it and
    // would only repeat the same error at a place that has no `<Key>`.
    match &entity.key {
        Some(key) => {
            for part in key {
                let first = part.name.split('/').next().unwrap_or_default();
                if !properties.iter().any(|p| p.name == first) {
                    let message = format!(
                        "key of `{}` names `{}`, which is not a property of the type",
                        entity.name.name, part.name
                    );
                    resolver.error(DiagnosticKind::UnknownKeyProperty, &part.origin, message);
                }
            }
        }
        // CSDL requires a key here, but real services (Microsoft Graph's
        // `admin`, `directory`, ...) type their singletons this way: such a
        // type is usable through singletons and navigation, never by key.
        None if !entity.is_abstract && model.key_of(entity).is_none() => {
            let message = format!(
                "entity type `{}` has no key and is not abstract; it is read, but cannot be addressed by key",
                entity.name.name
            );
            resolver.report(Severity::Warning, DiagnosticKind::MissingKey, &entity.origin, message);
        }
        None => {}
    }
    let inherited: Vec<&str> = match &entity.base_type {
        Some(base) => model.entity_types.get(base).map_or(Vec::new(), |b| {
            let mut names: Vec<&str> = model.all_properties(b).iter().map(|p| p.name.as_str()).collect();
            names.extend(model.all_navigation_properties(b).iter().map(|n| n.name.as_str()));
            names
        }),
        None => Vec::new(),
    };
    validate_members(resolver, &entity.properties, &entity.navigation_properties, &inherited);
    for nav in &entity.navigation_properties {
        let Some(target) = nav.ty.entity().and_then(|t| model.entity_types.get(t)) else { continue };
        if let Some(partner) = &nav.partner {
            let partner_name = partner.rsplit('/').next().unwrap_or(partner);
            if !model.all_navigation_properties(target).iter().any(|n| n.name == partner_name) {
                let message = format!(
                    "partner `{partner}` of navigation property `{}` is not a navigation property of `{}`",
                    nav.name, target.name
                );
                resolver.error(DiagnosticKind::UnknownPartner, &nav.origin, message);
            }
        }
        let target_properties = model.all_properties(target);
        for constraint in &nav.referential_constraints {
            if !properties.iter().any(|p| p.name == constraint.property) {
                let message = format!(
                    "referential constraint of `{}` names property `{}`, which `{}` does not have",
                    nav.name, constraint.property, entity.name.name
                );
                resolver.error(DiagnosticKind::UnknownReference, &nav.origin, message);
            }
            if !target_properties.iter().any(|p| p.name == constraint.referenced_property) {
                let message = format!(
                    "referential constraint of `{}` names referenced property `{}`, which `{}` does not have",
                    nav.name, constraint.referenced_property, target.name
                );
                resolver.error(DiagnosticKind::UnknownReference, &nav.origin, message);
            }
        }
    }
}

/// Property and navigation names must be unique within a type, including inherited ones.
fn validate_members(
    resolver: &mut Resolver<'_>,
    properties: &[Property],
    navigation: &[NavigationProperty],
    inherited: &[&str],
) {
    let mut seen: BTreeSet<&str> = inherited.iter().copied().collect();
    let members =
        properties.iter().map(|p| (&p.name, &p.origin)).chain(navigation.iter().map(|n| (&n.name, &n.origin)));
    for (name, origin) in members {
        if !seen.insert(name) {
            let message = format!("`{name}` is declared more than once in the same type");
            resolver.error(DiagnosticKind::DuplicateName, origin, message);
        }
    }
}

fn validate_operations(resolver: &mut Resolver<'_>, model: &Model) {
    let mut signatures = BTreeSet::new();
    for operation in &model.operations {
        let binding = operation.binding_type().map(TypeRef::csdl_name).unwrap_or_default();
        // Actions overload on the binding type only; functions also on their parameter types.
        let parameters: Vec<String> = match operation.kind {
            OperationKind::Action => Vec::new(),
            OperationKind::Function => operation.call_parameters().iter().map(|p| p.ty.csdl_name()).collect(),
        };
        if !signatures.insert((operation.kind, operation.name.clone(), binding.clone(), parameters)) {
            let bound = if binding.is_empty() { "unbound".to_owned() } else { format!("bound to `{binding}`") };
            let message = format!("`{}` ({bound}) is declared more than once with the same signature", operation.name);
            resolver.error(DiagnosticKind::DuplicateName, &operation.origin, message);
        }
    }
}

fn validate_container(resolver: &mut Resolver<'_>, model: &Model, container: &EntityContainer) {
    let check_bindings = |resolver: &mut Resolver<'_>,
                          ty: &QualifiedName,
                          bindings: &[NavigationBinding],
                          origin: &Origin| {
        for binding in bindings {
            let first_segment = binding.path.split('/').find(|s| !s.contains('.')).unwrap_or(&binding.path);
            let owner_has_nav = model.entity_types.get(ty).is_some_and(|e| {
                let has_nav = model.all_navigation_properties(e).iter().any(|n| n.name == first_segment);
                // Paths may start with a complex property or a derived type's navigation.
                has_nav || model.all_properties(e).iter().any(|p| p.name == first_segment) || binding.path.contains('.')
            });
            if !owner_has_nav {
                let message =
                    format!("navigation binding path `{}` does not name a navigation property of `{ty}`", binding.path);
                resolver.error(DiagnosticKind::UnknownReference, origin, message);
            }
            if let Some(message) = super::extends::binding_target_problem(resolver, model, container, &binding.target) {
                resolver.error(DiagnosticKind::UnknownReference, origin, message);
            }
        }
    };
    for set in &container.entity_sets {
        if !model.entity_types.contains_key(&set.entity_type) {
            let message = format!("entity set `{}` has unknown entity type `{}`", set.name, set.entity_type);
            resolver.error(DiagnosticKind::UnknownType, &set.origin, message);
        }
        check_bindings(resolver, &set.entity_type, &set.navigation_bindings, &set.origin);
    }
    for singleton in &container.singletons {
        if !model.entity_types.contains_key(&singleton.ty) {
            let message = format!("singleton `{}` has unknown entity type `{}`", singleton.name, singleton.ty);
            resolver.error(DiagnosticKind::UnknownType, &singleton.origin, message);
        }
        check_bindings(resolver, &singleton.ty, &singleton.navigation_bindings, &singleton.origin);
    }
    for import in &container.operation_imports {
        let found = model.operations.iter().any(|o| o.kind == import.kind && o.name == import.operation && !o.is_bound);
        if !found {
            let kind = match import.kind {
                OperationKind::Action => "action",
                OperationKind::Function => "function",
            };
            let message = format!("import `{}` refers to unknown unbound {kind} `{}`", import.name, import.operation);
            resolver.error(DiagnosticKind::UnknownReference, &import.origin, message);
        }
        if let Some(set) = import.entity_set.as_ref().filter(|s| container.entity_set(s).is_none() && !s.contains('/'))
        {
            let message = format!("import `{}` names unknown entity set `{set}`", import.name);
            resolver.error(DiagnosticKind::UnknownReference, &import.origin, message);
        }
    }
}

/// Splits `NS.Name(Overload)/a/b` into the head name, the overload text and
/// the path segments. The overload ends at its matching parenthesis, since
/// types such as `Collection(NS.T)` have parentheses of their own.
fn split_target(target: &str) -> (&str, Option<&str>, Vec<&str>) {
    let open = target.find('(').filter(|&open| !target[..open].contains('/'));
    let (head, overload, rest) = match open {
        Some(open) => {
            let mut depth = 0usize;
            let mut close = None;
            for (i, ch) in target[open..].char_indices() {
                match ch {
                    '(' => depth += 1,
                    ')' => {
                        depth -= 1;
                        if depth == 0 {
                            close = Some(open + i);
                            break;
                        }
                    }
                    _ => {}
                }
            }
            match close {
                Some(close) => (&target[..open], Some(&target[open + 1..close]), &target[close + 1..]),
                // Unbalanced: everything after `(` is the overload text, which matches no operation.
                None => (&target[..open], Some(&target[open + 1..]), ""),
            }
        }
        None => match target.find('/') {
            Some(slash) => (&target[..slash], None, &target[slash..]),
            None => (target, None, ""),
        },
    };
    let segments = rest.split('/').filter(|s| !s.is_empty()).collect();
    (head, overload, segments)
}

fn apply_external(resolver: &mut Resolver<'_>, model: &mut Model, external: Vec<ExternalAnnotations>) {
    for mut block in external {
        resolver.annotations(&mut block.annotations);
        if let Some(qualifier) = &block.qualifier {
            for annotation in &mut block.annotations.0 {
                annotation.qualifier.get_or_insert_with(|| qualifier.clone());
            }
        }
        if apply_one(resolver, model, &block) {
            continue;
        }
        let kept = OrphanAnnotations {
            schema: block.schema,
            target: block.target,
            qualifier: block.qualifier,
            annotations: block.annotations,
        };
        if reaches_a_property(resolver, model, &kept.target) {
            model.path_annotations.push(kept);
            continue;
        }
        let message = format!(
            "annotation target `{}` matches nothing in the model; its annotations are kept but unused",
            kept.target
        );
        resolver.report(Severity::Warning, DiagnosticKind::UnmatchedAnnotationTarget, &block.origin, message);
        model.orphan_annotations.push(kept);
    }
}

fn apply_one(resolver: &Resolver<'_>, model: &mut Model, block: &ExternalAnnotations) -> bool {
    let (head, overload, segments) = split_target(&block.target);
    let extend = |target: &mut Annotations| target.0.extend(block.annotations.0.iter().cloned());
    let head_namespace = resolver.namespace_of(head);
    if segments.is_empty()
        && overload.is_none()
        && let Some(schema) = model.schemas.iter_mut().find(|s| s.namespace == head_namespace)
    {
        extend(&mut schema.annotations);
        return true;
    }
    let Some(mut name) = QualifiedName::parse(head) else { return false };
    resolver.normalize(&mut name);
    // `NS.image(...)` names an operation even where a type `NS.image` exists.
    if overload.is_none()
        && let Some(applied) = apply_to_type_or_container(model, &name, &segments, &extend)
    {
        return applied;
    }
    apply_to_operations(resolver, model, &name, overload, &segments, &extend)
}

/// Applies a block to the type or the container `name` (or a member of
/// it); `None` when the model has no type or container of that name.
fn apply_to_type_or_container(
    model: &mut Model,
    name: &QualifiedName,
    segments: &[&str],
    extend: &impl Fn(&mut Annotations),
) -> Option<bool> {
    if let Some(entity) = model.entity_types.get_mut(name) {
        return Some(match segments {
            [] => {
                extend(&mut entity.annotations);
                true
            }
            [member] => member_annotations(&mut entity.properties, &mut entity.navigation_properties, member)
                .map(extend)
                .is_some(),
            _ => false,
        });
    }
    if let Some(complex) = model.complex_types.get_mut(name) {
        return Some(match segments {
            [] => {
                extend(&mut complex.annotations);
                true
            }
            [member] => member_annotations(&mut complex.properties, &mut complex.navigation_properties, member)
                .map(extend)
                .is_some(),
            _ => false,
        });
    }
    if let Some(enumeration) = model.enum_types.get_mut(name) {
        return Some(match segments {
            [] => {
                extend(&mut enumeration.annotations);
                true
            }
            [member] => {
                enumeration.members.iter_mut().find(|m| m.name == *member).map(|m| extend(&mut m.annotations)).is_some()
            }
            _ => false,
        });
    }
    // Type definitions and terms have no members: a target with a path below
    // them matches nothing, and its block is kept once, as an orphan.
    if let Some(definition) = model.type_definitions.get_mut(name) {
        if segments.is_empty() {
            extend(&mut definition.annotations);
        }
        return Some(segments.is_empty());
    }
    if let Some(term) = model.terms.get_mut(name) {
        if segments.is_empty() {
            extend(&mut term.annotations);
        }
        return Some(segments.is_empty());
    }
    super::extends::annotate_container(model, name, segments, extend)
}

/// Applies a block to the overloads of operation `name` that `overload`
/// selects (all of them without one), or to their parameters or return type.
fn apply_to_operations(
    resolver: &Resolver<'_>,
    model: &mut Model,
    name: &QualifiedName,
    overload: Option<&str>,
    segments: &[&str],
    extend: &impl Fn(&mut Annotations),
) -> bool {
    // `NS.Action()` names the unbound overload: no types at all, not one empty type.
    let overload = overload.map(|text| {
        if text.trim().is_empty() {
            Vec::new()
        } else {
            text.split(',').map(|t| normalize_type_text(resolver, t.trim())).collect::<Vec<_>>()
        }
    });
    let mut applied = false;
    for operation in model.operations.iter_mut().filter(|o| o.name == *name) {
        if let Some(expected) = &overload {
            // CSDL lists an action's binding parameter type and a function's
            // parameter types; real documents (Microsoft Graph) also list
            // every parameter of an action. Either names the overload.
            let binding: Vec<String> = operation.binding_type().map(TypeRef::csdl_name).into_iter().collect();
            let all: Vec<String> = operation.parameters.iter().map(|p| p.ty.csdl_name()).collect();
            let matches = match operation.kind {
                OperationKind::Action => *expected == binding || *expected == all,
                OperationKind::Function => *expected == all,
            };
            if !matches {
                continue;
            }
        }
        let target = match segments {
            [] => Some(&mut operation.annotations),
            ["$ReturnType"] => operation.return_type.as_mut().map(|r| &mut r.annotations),
            [parameter] => operation.parameters.iter_mut().find(|p| p.name == *parameter).map(|p| &mut p.annotations),
            _ => None,
        };
        if let Some(target) = target {
            extend(target);
            applied = true;
        }
    }
    applied
}

/// Whether `target` is a path through structured properties that ends at a
/// property: `NS.T/address/street`, `NS.T/address/NS.Derived/extra`,
/// `NS.Container/people/address/street`. Type-cast segments may appear
/// between properties; navigation properties may be crossed too.
fn reaches_a_property(resolver: &Resolver<'_>, model: &Model, target: &str) -> bool {
    let (head, overload, segments) = split_target(target);
    let Some(mut name) = QualifiedName::parse(head).filter(|_| overload.is_none() && segments.len() >= 2) else {
        return false;
    };
    resolver.normalize(&mut name);
    let mut segments = segments.as_slice();
    if let Some(member) = super::extends::member_type(model, &name, segments[0]) {
        let Some(ty) = member else { return false };
        name = ty.clone();
        segments = &segments[1..];
    }
    let mut current = name;
    let mut reached_property = false;
    for segment in segments {
        reached_property = false;
        if let Some(mut cast) = QualifiedName::parse(segment) {
            resolver.normalize(&mut cast);
            if !model.entity_types.contains_key(&cast) && !model.complex_types.contains_key(&cast) {
                return false;
            }
            current = cast;
            continue;
        }
        let (properties, navigation) = if let Some(entity) = model.entity_types.get(&current) {
            (model.all_properties(entity), model.all_navigation_properties(entity))
        } else if let Some(complex) = model.complex_types.get(&current) {
            (model.all_complex_properties(complex), model.all_complex_navigation_properties(complex))
        } else {
            return false;
        };
        let next = if let Some(property) = properties.iter().find(|p| p.name == *segment) {
            property.ty.target.clone()
        } else if let Some(nav) = navigation.iter().find(|n| n.name == *segment) {
            nav.ty.target.clone()
        } else {
            return false;
        };
        reached_property = true;
        match next {
            TypeTarget::Complex(next) | TypeTarget::Entity(next) => current = next,
            // A property of another kind ends the path.
            _ => current = QualifiedName::new("", ""),
        }
    }
    reached_property
}

fn normalize_type_text(resolver: &Resolver<'_>, text: &str) -> String {
    match text.strip_prefix("Collection(").and_then(|t| t.strip_suffix(')')) {
        Some(inner) => format!("Collection({})", resolver.normalize_text(inner)),
        None => resolver.normalize_text(text),
    }
}

fn member_annotations<'m>(
    properties: &'m mut [Property],
    navigation: &'m mut [NavigationProperty],
    name: &str,
) -> Option<&'m mut Annotations> {
    if let Some(property) = properties.iter_mut().find(|p| p.name == name) {
        return Some(&mut property.annotations);
    }
    navigation.iter_mut().find(|n| n.name == name).map(|n| &mut n.annotations)
}

#[cfg(test)]
mod tests {
    use super::split_target;

    #[test]
    fn splits_targets() {
        assert_eq!(split_target("NS.T/p"), ("NS.T", None, vec!["p"]));
        assert_eq!(split_target("NS.a(NS.b)/x"), ("NS.a", Some("NS.b"), vec!["x"]));
        assert_eq!(split_target("NS.C/set"), ("NS.C", None, vec!["set"]));
        assert_eq!(split_target("NS.T"), ("NS.T", None, vec![]));
        assert_eq!(split_target("NS.a()"), ("NS.a", Some(""), vec![]));
        assert_eq!(
            split_target("NS.f(Collection(NS.b),Edm.String)/p"),
            ("NS.f", Some("Collection(NS.b),Edm.String"), vec!["p"])
        );
        assert_eq!(split_target("NS.f(Collection(NS.b)"), ("NS.f", Some("Collection(NS.b)"), vec![]));
    }
}
