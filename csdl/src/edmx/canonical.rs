//! Writes a model back as CSDL XML in the project's canonical form: types
//! sorted by name within their kind, entity-set members sorted by name,
//! annotations sorted by term, one element per line, two-space indents, and
//! every name fully qualified. Two BC releases written this way differ only
//! where the service really changed.

use std::fmt::Write as _;

use crate::ir::annotations::Record;
use crate::ir::*;
use crate::xml::{EDM_NS, EDMX_NS, Element};

/// Renders the model as a canonical `$metadata` document.
pub fn write(model: &Model) -> String {
    let mut w = Writer { out: String::with_capacity(256 * 1024), depth: 0 };
    w.out.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    w.open("edmx:Edmx", &[("Version", Some(model.version.as_str())), ("xmlns:edmx", Some(EDMX_NS))]);
    let mut references: Vec<&Reference> = model.references.iter().collect();
    references.sort_by(|a, b| a.uri.cmp(&b.uri));
    for reference in references {
        w.open("edmx:Reference", &[("Uri", Some(&reference.uri))]);
        for include in &reference.includes {
            w.empty("edmx:Include", &[("Namespace", Some(&include.namespace)), ("Alias", include.alias.as_deref())]);
        }
        for include in &reference.include_annotations {
            w.empty(
                "edmx:IncludeAnnotations",
                &[
                    ("TermNamespace", Some(&include.term_namespace)),
                    ("Qualifier", include.qualifier.as_deref()),
                    ("TargetNamespace", include.target_namespace.as_deref()),
                ],
            );
        }
        w.close("edmx:Reference");
    }
    w.open("edmx:DataServices", &[]);
    // Schemas read from referenced documents stay in those documents.
    let mut schemas: Vec<&Schema> = model.schemas.iter().filter(|s| s.source.is_none()).collect();
    schemas.sort_by(|a, b| a.namespace.cmp(&b.namespace));
    for schema in schemas {
        w.schema(model, schema);
    }
    w.close("edmx:DataServices");
    w.close("edmx:Edmx");
    w.out
}

struct Writer {
    out: String,
    depth: usize,
}

type Attributes<'a> = [(&'a str, Option<&'a str>)];

impl Writer {
    fn start(&mut self, name: &str, attributes: &Attributes<'_>) {
        for _ in 0..self.depth {
            self.out.push_str("  ");
        }
        self.out.push('<');
        self.out.push_str(name);
        for (key, value) in attributes {
            if let Some(value) = value {
                let _ = write!(self.out, " {key}=\"");
                escape_into(&mut self.out, value, true);
                self.out.push('"');
            }
        }
    }

    fn open(&mut self, name: &str, attributes: &Attributes<'_>) {
        self.start(name, attributes);
        self.out.push_str(">\n");
        self.depth += 1;
    }

    fn empty(&mut self, name: &str, attributes: &Attributes<'_>) {
        self.start(name, attributes);
        self.out.push_str("/>\n");
    }

    fn text_element(&mut self, name: &str, text: &str) {
        self.start(name, &[]);
        self.out.push('>');
        escape_into(&mut self.out, text, false);
        let _ = writeln!(self.out, "</{name}>");
    }

    fn close(&mut self, name: &str) {
        self.depth -= 1;
        for _ in 0..self.depth {
            self.out.push_str("  ");
        }
        let _ = writeln!(self.out, "</{name}>");
    }

    /// An element whose children may be empty: written self-closing then.
    fn element(
        &mut self,
        name: &str,
        attributes: &Attributes<'_>,
        has_children: bool,
        children: impl FnOnce(&mut Self),
    ) {
        if has_children {
            self.open(name, attributes);
            children(self);
            self.close(name);
        } else {
            self.empty(name, attributes);
        }
    }

    fn schema(&mut self, model: &Model, schema: &Schema) {
        let namespace = schema.namespace.as_str();
        self.open(
            "Schema",
            &[("Namespace", Some(namespace)), ("Alias", schema.alias.as_deref()), ("xmlns", Some(EDM_NS))],
        );
        self.annotations(&schema.annotations);
        let in_schema = |name: &QualifiedName| name.namespace == namespace;
        for enumeration in model.enum_types.values().filter(|t| in_schema(&t.name)) {
            self.enum_type(enumeration);
        }
        for definition in model.type_definitions.values().filter(|t| in_schema(&t.name)) {
            let underlying = definition.underlying_type.edm_name();
            let mut attributes =
                vec![("Name", Some(definition.name.name.as_str())), ("UnderlyingType", Some(underlying.as_str()))];
            let facets = facet_attributes(&definition.facets);
            attributes.extend(facets.iter().map(|(k, v)| (*k, v.as_deref())));
            self.element("TypeDefinition", &attributes, !definition.annotations.is_empty(), |w| {
                w.annotations(&definition.annotations);
            });
        }
        for complex in model.complex_types.values().filter(|t| in_schema(&t.name)) {
            let base = complex.base_type.as_ref().map(ToString::to_string);
            let attributes = [
                ("Name", Some(complex.name.name.as_str())),
                ("BaseType", base.as_deref()),
                ("Abstract", complex.is_abstract.then_some("true")),
                ("OpenType", complex.open_type.then_some("true")),
            ];
            self.open("ComplexType", &attributes);
            self.members(&complex.properties, &complex.navigation_properties);
            self.annotations(&complex.annotations);
            self.close("ComplexType");
        }
        for entity in model.entity_types.values().filter(|t| in_schema(&t.name)) {
            self.entity_type(entity);
        }
        for operation in model.operations.iter().filter(|o| in_schema(&o.name)) {
            self.operation(operation);
        }
        for term in model.terms.values().filter(|t| in_schema(&t.name)) {
            let ty = term.ty.csdl_name();
            let base = term.base_term.as_ref().map(ToString::to_string);
            let mut attributes = vec![
                ("Name", Some(term.name.name.as_str())),
                ("Type", Some(ty.as_str())),
                ("BaseTerm", base.as_deref()),
                ("AppliesTo", term.applies_to.as_deref()),
            ];
            let facets = facet_attributes(&term.facets);
            attributes.extend(facets.iter().map(|(k, v)| (*k, v.as_deref())));
            self.element("Term", &attributes, !term.annotations.is_empty(), |w| w.annotations(&term.annotations));
        }
        if let Some(container) = model.container.as_ref().filter(|c| in_schema(&c.name)) {
            self.container(container);
            self.inherited_member_annotations(container);
        }
        let mut orphans: Vec<&OrphanAnnotations> =
            model.orphan_annotations.iter().chain(&model.path_annotations).filter(|o| o.schema == namespace).collect();
        orphans.sort_by(|a, b| (&a.target, &a.qualifier).cmp(&(&b.target, &b.qualifier)));
        for orphan in orphans {
            self.open("Annotations", &[("Target", Some(&orphan.target)), ("Qualifier", orphan.qualifier.as_deref())]);
            self.annotations(&orphan.annotations);
            self.close("Annotations");
        }
        self.close("Schema");
    }

    fn enum_type(&mut self, enumeration: &EnumType) {
        let underlying = enumeration.underlying_type.map(Primitive::edm_name);
        let attributes = [
            ("Name", Some(enumeration.name.name.as_str())),
            ("UnderlyingType", underlying.as_deref()),
            ("IsFlags", enumeration.is_flags.then_some("true")),
        ];
        self.open("EnumType", &attributes);
        for member in &enumeration.members {
            let value = member.value.to_string();
            self.element(
                "Member",
                &[("Name", Some(&member.name)), ("Value", Some(&value))],
                !member.annotations.is_empty(),
                |w| w.annotations(&member.annotations),
            );
        }
        self.annotations(&enumeration.annotations);
        self.close("EnumType");
    }

    fn entity_type(&mut self, entity: &EntityType) {
        let base = entity.base_type.as_ref().map(ToString::to_string);
        let attributes = [
            ("Name", Some(entity.name.name.as_str())),
            ("BaseType", base.as_deref()),
            ("Abstract", entity.is_abstract.then_some("true")),
            ("OpenType", entity.open_type.then_some("true")),
            ("HasStream", entity.has_stream.then_some("true")),
        ];
        self.open("EntityType", &attributes);
        if let Some(key) = &entity.key {
            self.open("Key", &[]);
            for part in key {
                self.empty("PropertyRef", &[("Name", Some(&part.name)), ("Alias", part.alias.as_deref())]);
            }
            self.close("Key");
        }
        self.members(&entity.properties, &entity.navigation_properties);
        self.annotations(&entity.annotations);
        self.close("EntityType");
    }

    fn members(&mut self, properties: &[Property], navigation: &[NavigationProperty]) {
        for property in properties {
            let ty = property.ty.csdl_name();
            let mut attributes = vec![("Name", Some(property.name.as_str())), ("Type", Some(ty.as_str()))];
            let facets = facet_attributes(&property.facets);
            attributes.extend(facets.iter().map(|(k, v)| (*k, v.as_deref())));
            self.element("Property", &attributes, !property.annotations.is_empty(), |w| {
                w.annotations(&property.annotations);
            });
        }
        for nav in navigation {
            let ty = nav.ty.csdl_name();
            let attributes = [
                ("Name", Some(nav.name.as_str())),
                ("Type", Some(ty.as_str())),
                ("Nullable", nav.nullable.map(bool_text)),
                ("Partner", nav.partner.as_deref()),
                ("ContainsTarget", nav.contains_target.then_some("true")),
            ];
            let has_children =
                !nav.referential_constraints.is_empty() || nav.on_delete.is_some() || !nav.annotations.is_empty();
            self.element("NavigationProperty", &attributes, has_children, |w| {
                for constraint in &nav.referential_constraints {
                    let attributes = [
                        ("Property", Some(constraint.property.as_str())),
                        ("ReferencedProperty", Some(constraint.referenced_property.as_str())),
                    ];
                    w.element("ReferentialConstraint", &attributes, !constraint.annotations.is_empty(), |w| {
                        w.annotations(&constraint.annotations);
                    });
                }
                if let Some(action) = &nav.on_delete {
                    w.empty("OnDelete", &[("Action", Some(action))]);
                }
                w.annotations(&nav.annotations);
            });
        }
    }

    fn operation(&mut self, operation: &Operation) {
        let (element, composable) = match operation.kind {
            OperationKind::Action => ("Action", None),
            OperationKind::Function => ("Function", operation.is_composable.then_some("true")),
        };
        let attributes = [
            ("Name", Some(operation.name.name.as_str())),
            ("IsBound", operation.is_bound.then_some("true")),
            ("IsComposable", composable),
            ("EntitySetPath", operation.entity_set_path.as_deref()),
        ];
        let has_children =
            !operation.parameters.is_empty() || operation.return_type.is_some() || !operation.annotations.is_empty();
        self.element(element, &attributes, has_children, |w| {
            for parameter in &operation.parameters {
                let ty = parameter.ty.csdl_name();
                let mut attributes = vec![("Name", Some(parameter.name.as_str())), ("Type", Some(ty.as_str()))];
                let facets = facet_attributes(&parameter.facets);
                attributes.extend(facets.iter().map(|(k, v)| (*k, v.as_deref())));
                w.element("Parameter", &attributes, !parameter.annotations.is_empty(), |w| {
                    w.annotations(&parameter.annotations);
                });
            }
            if let Some(returns) = &operation.return_type {
                let ty = returns.ty.csdl_name();
                let mut attributes = vec![("Type", Some(ty.as_str()))];
                let facets = facet_attributes(&returns.facets);
                attributes.extend(facets.iter().map(|(k, v)| (*k, v.as_deref())));
                w.element("ReturnType", &attributes, !returns.annotations.is_empty(), |w| {
                    w.annotations(&returns.annotations);
                });
            }
            w.annotations(&operation.annotations);
        });
    }

    /// The container's own members; inherited ones stay with the container
    /// that declares them (`Extends` brings them back).
    fn container(&mut self, container: &EntityContainer) {
        let extends = container.extends.as_ref().map(ToString::to_string);
        self.open("EntityContainer", &[("Name", Some(container.name.name.as_str())), ("Extends", extends.as_deref())]);
        let mut sets: Vec<&EntitySet> = container.entity_sets.iter().filter(|s| s.inherited_from.is_none()).collect();
        sets.sort_by(|a, b| a.name.cmp(&b.name));
        for set in sets {
            let ty = set.entity_type.to_string();
            let attributes = [
                ("Name", Some(set.name.as_str())),
                ("EntityType", Some(ty.as_str())),
                ("IncludeInServiceDocument", set.include_in_service_document.map(bool_text)),
            ];
            let has_children = !set.navigation_bindings.is_empty() || !set.annotations.is_empty();
            self.element("EntitySet", &attributes, has_children, |w| {
                w.bindings(&set.navigation_bindings);
                w.annotations(&set.annotations);
            });
        }
        let mut singletons: Vec<&Singleton> =
            container.singletons.iter().filter(|s| s.inherited_from.is_none()).collect();
        singletons.sort_by(|a, b| a.name.cmp(&b.name));
        for singleton in singletons {
            let ty = singleton.ty.to_string();
            let attributes = [
                ("Name", Some(singleton.name.as_str())),
                ("Type", Some(ty.as_str())),
                ("Nullable", singleton.nullable.map(bool_text)),
            ];
            let has_children = !singleton.navigation_bindings.is_empty() || !singleton.annotations.is_empty();
            self.element("Singleton", &attributes, has_children, |w| {
                w.bindings(&singleton.navigation_bindings);
                w.annotations(&singleton.annotations);
            });
        }
        let mut imports: Vec<&OperationImport> =
            container.operation_imports.iter().filter(|i| i.inherited_from.is_none()).collect();
        imports.sort_by(|a, b| a.name.cmp(&b.name));
        for import in imports {
            let operation = import.operation.to_string();
            let (element, attribute) = match import.kind {
                OperationKind::Action => ("ActionImport", "Action"),
                OperationKind::Function => ("FunctionImport", "Function"),
            };
            let attributes = [
                ("Name", Some(import.name.as_str())),
                (attribute, Some(operation.as_str())),
                ("EntitySet", import.entity_set.as_deref()),
                ("IncludeInServiceDocument", import.include_in_service_document.map(bool_text)),
            ];
            self.element(element, &attributes, !import.annotations.is_empty(), |w| w.annotations(&import.annotations));
        }
        self.annotations(&container.annotations);
        self.close("EntityContainer");
    }

    /// Annotations this document gives inherited members (in external
    /// blocks targeting `Container/member` or the declaring container's
    /// `Base/member`), written back as external blocks on the container's
    /// own name; those of the declaring document stay with it.
    fn inherited_member_annotations(&mut self, container: &EntityContainer) {
        let sets = container.entity_sets.iter().map(|s| (&s.name, &s.inherited_from, &s.annotations));
        let singletons = container.singletons.iter().map(|s| (&s.name, &s.inherited_from, &s.annotations));
        let imports = container.operation_imports.iter().map(|i| (&i.name, &i.inherited_from, &i.annotations));
        let mut blocks: Vec<(String, Annotations)> = Vec::new();
        for (name, _, annotations) in sets.chain(singletons).chain(imports).filter(|(_, from, _)| from.is_some()) {
            let own: Vec<Annotation> = annotations.iter().filter(|a| a.origin.document == 0).cloned().collect();
            if !own.is_empty() {
                blocks.push((format!("{}/{name}", container.name), Annotations(own)));
            }
        }
        blocks.sort_by(|a, b| a.0.cmp(&b.0));
        for (target, annotations) in blocks {
            self.open("Annotations", &[("Target", Some(&target))]);
            self.annotations(&annotations);
            self.close("Annotations");
        }
    }

    fn bindings(&mut self, bindings: &[NavigationBinding]) {
        let mut sorted: Vec<&NavigationBinding> = bindings.iter().collect();
        sorted.sort_by(|a, b| (&a.path, &a.target).cmp(&(&b.path, &b.target)));
        for binding in sorted {
            self.empty(
                "NavigationPropertyBinding",
                &[("Path", Some(&binding.path)), ("Target", Some(&binding.target))],
            );
        }
    }

    fn annotations(&mut self, annotations: &Annotations) {
        let mut sorted: Vec<&Annotation> = annotations.iter().collect();
        sorted.sort_by(|a, b| (&a.term, &a.qualifier).cmp(&(&b.term, &b.qualifier)));
        for annotation in sorted {
            let term = annotation.term.to_string();
            let mut attributes = vec![("Term", Some(term.as_str())), ("Qualifier", annotation.qualifier.as_deref())];
            let inline = match &annotation.value {
                Some(Expression::Constant(kind, text)) => {
                    attributes.push((kind.name(), Some(text.as_str())));
                    None
                }
                other => other.as_ref(),
            };
            let has_children = inline.is_some() || !annotation.annotations.is_empty();
            self.element("Annotation", &attributes, has_children, |w| {
                if let Some(value) = inline {
                    w.expression(value);
                }
                w.annotations(&annotation.annotations);
            });
        }
    }

    fn expression(&mut self, expression: &Expression) {
        match expression {
            Expression::Null => self.empty("Null", &[]),
            Expression::Constant(kind, text) => self.text_element(kind.name(), text),
            Expression::Record(record) => self.record(record),
            Expression::Collection(items) => self.element("Collection", &[], !items.is_empty(), |w| {
                for item in items {
                    w.expression(item);
                }
            }),
            Expression::Other(element) => self.raw_element(element),
        }
    }

    fn record(&mut self, record: &Record) {
        let ty = record.ty.as_ref().map(ToString::to_string);
        let has_children = !record.properties.is_empty() || !record.annotations.is_empty();
        self.element("Record", &[("Type", ty.as_deref())], has_children, |w| {
            for property in &record.properties {
                match &property.value {
                    Expression::Constant(kind, text) => {
                        w.empty("PropertyValue", &[("Property", Some(&property.property)), (kind.name(), Some(text))]);
                    }
                    value => {
                        w.open("PropertyValue", &[("Property", Some(&property.property))]);
                        w.expression(value);
                        w.close("PropertyValue");
                    }
                }
            }
            w.annotations(&record.annotations);
        });
    }

    /// A dynamic expression, written back as it was read.
    fn raw_element(&mut self, element: &Element) {
        let attributes: Vec<(&str, Option<&str>)> =
            element.attributes.iter().map(|(k, v)| (k.as_str(), Some(v.as_str()))).collect();
        if element.children.is_empty() {
            if element.text.trim().is_empty() {
                self.empty(&element.name, &attributes);
            } else {
                self.start(&element.name, &attributes);
                self.out.push('>');
                escape_into(&mut self.out, &element.text, false);
                let _ = writeln!(self.out, "</{}>", element.name);
            }
            return;
        }
        self.open(&element.name, &attributes);
        for child in &element.children {
            self.raw_element(child);
        }
        self.close(&element.name);
    }
}

fn bool_text(value: bool) -> &'static str {
    if value { "true" } else { "false" }
}

fn facet_attributes(facets: &Facets) -> [(&'static str, Option<String>); 7] {
    [
        ("Nullable", facets.nullable.map(|b| bool_text(b).to_owned())),
        (
            "MaxLength",
            facets.max_length.map(|m| match m {
                MaxLength::Max => "max".to_owned(),
                MaxLength::Length(n) => n.to_string(),
            }),
        ),
        ("Precision", facets.precision.map(|p| p.to_string())),
        (
            "Scale",
            facets.scale.map(|s| match s {
                Scale::Value(n) => n.to_string(),
                Scale::Variable => "variable".to_owned(),
                Scale::Floating => "floating".to_owned(),
            }),
        ),
        ("SRID", facets.srid.clone()),
        ("Unicode", facets.unicode.map(|b| bool_text(b).to_owned())),
        ("DefaultValue", facets.default_value.clone()),
    ]
}

fn escape_into(out: &mut String, text: &str, attribute: bool) {
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attribute => out.push_str("&quot;"),
            // Attribute values are whitespace-normalised when read, so keep these as references.
            '\n' if attribute => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' if attribute => out.push_str("&#9;"),
            other => out.push(other),
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn constant_kinds_round_trip_by_name() {
        use crate::ir::annotations::ConstantKind;
        for kind in ConstantKind::ALL {
            assert_eq!(ConstantKind::from_name(kind.name()), Some(kind));
        }
    }
}
