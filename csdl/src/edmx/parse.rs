//! Reads the XML tree of a CSDL document into model items. Names are kept as
//! written here; `resolve` turns aliases into namespaces and checks references.

use std::collections::BTreeMap;

use crate::diag::{Diagnostic, DiagnosticKind, Severity, SourceMap};
use crate::ir::annotations::{ConstantKind, PropertyValue, Record};
use crate::ir::*;
use crate::xml::{Element, Namespace};

/// The EDMX namespaces of OData v1 to v3 (`Version="1.0"`, the one SAP
/// Gateway and WCF Data Services publish, and its earlier drafts).
const OLDER_EDMX_NAMESPACES: &[&str] = &[
    "http://schemas.microsoft.com/ado/2007/06/edmx",
    "http://schemas.microsoft.com/ado/2008/10/edmx",
    "http://schemas.microsoft.com/ado/2009/11/edmx",
];

/// An external `<Annotations Target=...>` block, applied during resolution.
#[derive(Debug, Clone)]
pub struct ExternalAnnotations {
    pub schema: String,
    pub target: String,
    pub qualifier: Option<String>,
    pub annotations: Annotations,
    pub origin: Origin,
}

pub struct Parser<'a> {
    map: &'a SourceMap,
    /// Which document is read: 0 for the main one, then referenced ones in
    /// the order they were loaded (see [`Origin::document`]).
    document: usize,
    pub diagnostics: Vec<Diagnostic>,
    pub model: Model,
    pub external: Vec<ExternalAnnotations>,
}

impl<'a> Parser<'a> {
    pub fn new(map: &'a SourceMap, document: usize) -> Self {
        Parser { map, document, diagnostics: Vec::new(), model: Model::default(), external: Vec::new() }
    }

    fn report(&mut self, severity: Severity, kind: DiagnosticKind, offset: usize, path: &str, message: String) {
        self.diagnostics.push(self.map.diagnostic(severity, kind, offset, path, message));
    }

    fn error(&mut self, kind: DiagnosticKind, element: &Element, path: &str, message: String) {
        self.report(Severity::Error, kind, element.offset, path, message);
    }

    fn required(&mut self, element: &Element, name: &str, path: &str) -> Option<String> {
        match element.attribute(name) {
            Some(value) if !value.is_empty() => Some(value.to_owned()),
            Some(_) => {
                self.error(DiagnosticKind::InvalidAttribute, element, path, format!("`{name}` must not be empty"));
                None
            }
            None => {
                let message = format!("`<{}>` needs a `{name}` attribute", element.name);
                self.error(DiagnosticKind::MissingAttribute, element, path, message);
                None
            }
        }
    }

    /// A boolean attribute. CSDL writes `true` and `false`; real services
    /// also send `True`, `FALSE`, `1` or `0` (the forms XML Schema's boolean
    /// allows, in any case), whose meaning is plain: they are read with a
    /// warning. Anything else (`yes`, `maybe`) is an error.
    fn flag(&mut self, element: &Element, name: &str, path: &str) -> Option<bool> {
        let text = element.attribute(name)?;
        let value = match text {
            "true" => return Some(true),
            "false" => return Some(false),
            _ if text.eq_ignore_ascii_case("true") || text == "1" => true,
            _ if text.eq_ignore_ascii_case("false") || text == "0" => false,
            other => {
                let message = format!("`{name}` must be `true` or `false`, not `{other}`");
                self.error(DiagnosticKind::InvalidAttribute, element, path, message);
                return None;
            }
        };
        let message = format!("`{name}` must be written `{value}`, not `{text}`; it is read as `{value}`");
        self.report(Severity::Warning, DiagnosticKind::LenientValue, element.offset, path, message);
        Some(value)
    }

    fn number<T: std::str::FromStr>(&mut self, element: &Element, name: &str, path: &str) -> Option<T> {
        let text = element.attribute(name)?;
        match text.parse() {
            Ok(value) => Some(value),
            Err(_) => {
                let message = format!("`{name}` must be a non-negative integer, not `{text}`");
                self.error(DiagnosticKind::InvalidAttribute, element, path, message);
                None
            }
        }
    }

    fn qualified(&mut self, element: &Element, name: &str, path: &str) -> Option<QualifiedName> {
        let text = self.required(element, name, path)?;
        self.parse_qualified(element, name, &text, path)
    }

    /// An optional attribute holding a qualified name (`BaseType`, `Extends`, ...).
    fn optional_qualified(&mut self, element: &Element, name: &str, path: &str) -> Option<QualifiedName> {
        let text = element.attribute(name)?;
        self.parse_qualified(element, name, text, path)
    }

    fn parse_qualified(&mut self, element: &Element, name: &str, text: &str, path: &str) -> Option<QualifiedName> {
        let parsed = QualifiedName::parse(text);
        if parsed.is_none() {
            let message = format!("`{name}` must be a qualified name (Namespace.Name), not `{text}`");
            self.error(DiagnosticKind::InvalidAttribute, element, path, message);
        }
        parsed
    }

    fn unknown_child(&mut self, child: &Element, path: &str) {
        // Elements from other namespaces are extensions; only unknown CSDL ones are worth a word.
        if child.namespace == Namespace::Edm || child.namespace == Namespace::Edmx {
            let message = format!("`<{}>` is not a CSDL element here; it is ignored", child.name);
            self.report(Severity::Warning, DiagnosticKind::UnknownElement, child.offset, path, message);
        }
    }

    fn facets(&mut self, element: &Element, path: &str) -> Facets {
        let max_length = match element.attribute("MaxLength") {
            None => None,
            Some(text) if text.eq_ignore_ascii_case("max") => Some(MaxLength::Max),
            Some(_) => self.number(element, "MaxLength", path).map(MaxLength::Length),
        };
        let scale = match element.attribute("Scale") {
            None => None,
            Some(text) if text.eq_ignore_ascii_case("variable") => Some(Scale::Variable),
            Some(text) if text.eq_ignore_ascii_case("floating") => Some(Scale::Floating),
            Some(_) => self.number(element, "Scale", path).map(Scale::Value),
        };
        Facets {
            nullable: self.flag(element, "Nullable", path),
            max_length,
            precision: self.number(element, "Precision", path),
            scale,
            srid: element.attribute("SRID").map(str::to_owned),
            unicode: self.flag(element, "Unicode", path),
            default_value: element.attribute("DefaultValue").map(str::to_owned),
        }
    }

    fn type_ref(&mut self, element: &Element, attribute: &str, path: &str) -> Option<TypeRef> {
        let text = self.required(element, attribute, path)?;
        let (inner, collection) = match text.strip_prefix("Collection(").and_then(|t| t.strip_suffix(')')) {
            Some(inner) => (inner.to_owned(), true),
            None => (text.clone(), false),
        };
        if QualifiedName::parse(&inner).is_none() {
            let message = format!("`{attribute}` must name a type (Namespace.Name or Collection(...)), not `{text}`");
            self.error(DiagnosticKind::InvalidAttribute, element, path, message);
            return None;
        }
        Some(TypeRef { target: TypeTarget::Unresolved(inner), collection })
    }

    pub fn document(&mut self, root: &Element) {
        if let Namespace::Other(namespace) = &root.namespace
            && root.name == "Edmx"
            && OLDER_EDMX_NAMESPACES.contains(&namespace.as_str())
        {
            let version = root.attribute("Version").map_or(String::new(), |v| format!(", `Version=\"{v}\"`"));
            let message = format!(
                "this is an OData v2/v3 document (EDMX namespace {namespace}{version}); only OData v4 `$metadata` \
                 (namespace {}) is supported: ask the service for its OData v4 endpoint",
                crate::xml::EDMX_NS
            );
            self.error(DiagnosticKind::NotEdmx, root, "Edmx", message);
            return;
        }
        if !(root.namespace == Namespace::Edmx && root.name == "Edmx") {
            let message = format!(
                "the root element is `<{}>`, expected `<edmx:Edmx>` in namespace {}",
                root.name,
                crate::xml::EDMX_NS
            );
            self.error(DiagnosticKind::NotEdmx, root, "Edmx", message);
            return;
        }
        self.model.version = self.required(root, "Version", "Edmx").unwrap_or_default();
        let mut data_services = 0;
        for child in &root.children {
            match (&child.namespace, child.name.as_str()) {
                (Namespace::Edmx, "Reference") => self.reference(child),
                (Namespace::Edmx, "DataServices") => {
                    data_services += 1;
                    for schema in &child.children {
                        if schema.is_edm("Schema") {
                            self.schema(schema);
                        } else {
                            self.unknown_child(schema, "DataServices");
                        }
                    }
                }
                _ => self.unknown_child(child, "Edmx"),
            }
        }
        if data_services != 1 {
            let message =
                format!("`<edmx:Edmx>` must contain exactly one `<edmx:DataServices>`, found {data_services}");
            self.error(DiagnosticKind::NotEdmx, root, "Edmx", message);
        }
    }

    fn reference(&mut self, element: &Element) {
        let path = format!("Reference[{}]", element.attribute("Uri").unwrap_or(""));
        let Some(uri) = self.required(element, "Uri", &path) else { return };
        let mut reference = Reference { uri, includes: Vec::new(), include_annotations: Vec::new() };
        for child in &element.children {
            match (&child.namespace, child.name.as_str()) {
                (Namespace::Edmx, "Include") => {
                    let include_path = format!("{path}/Include[{}]", child.attribute("Namespace").unwrap_or(""));
                    if let Some(namespace) = self.required(child, "Namespace", &include_path) {
                        let alias = child.attribute("Alias").map(str::to_owned);
                        let origin = self.origin(child, &include_path);
                        reference.includes.push(Include { namespace, alias, origin });
                    }
                }
                (Namespace::Edmx, "IncludeAnnotations") => {
                    if let Some(term_namespace) = self.required(child, "TermNamespace", &path) {
                        reference.include_annotations.push(IncludeAnnotations {
                            term_namespace,
                            qualifier: child.attribute("Qualifier").map(str::to_owned),
                            target_namespace: child.attribute("TargetNamespace").map(str::to_owned),
                        });
                    }
                }
                (Namespace::Edm, "Annotation") => {}
                _ => self.unknown_child(child, &path),
            }
        }
        self.model.references.push(reference);
    }

    fn schema(&mut self, element: &Element) {
        let path = format!("Schema[{}]", element.attribute("Namespace").unwrap_or(""));
        let Some(namespace) = self.required(element, "Namespace", &path) else { return };
        let alias = element.attribute("Alias").map(str::to_owned);
        self.model.schemas.push(Schema {
            namespace: namespace.clone(),
            alias,
            annotations: Annotations::default(),
            origin: self.origin(element, &path),
            source: None,
        });
        let mut schema_annotations = Annotations::default();
        for child in &element.children {
            if child.namespace != Namespace::Edm {
                continue;
            }
            let name = child.attribute("Name").unwrap_or("");
            let child_path = format!("{path}/{}[{name}]", child.name);
            match child.name.as_str() {
                "EntityType" => self.entity_type(&namespace, child, child_path),
                "ComplexType" => self.complex_type(&namespace, child, child_path),
                "EnumType" => self.enum_type(&namespace, child, child_path),
                "TypeDefinition" => self.type_definition(&namespace, child, child_path),
                "Term" => self.term(&namespace, child, child_path),
                "Action" | "Function" => self.operation(&namespace, child, child_path),
                "EntityContainer" => self.container(&namespace, child, child_path),
                "Annotations" => self.external_annotations(&namespace, child, &path),
                "Annotation" => schema_annotations.0.extend(self.annotation(child, &path)),
                _ => self.unknown_child(child, &path),
            }
        }
        if let Some(schema) = self.model.schemas.last_mut() {
            schema.annotations = schema_annotations;
        }
    }

    fn insert_unique<T>(
        &mut self,
        map_select: fn(&mut Model) -> &mut BTreeMap<QualifiedName, T>,
        name: QualifiedName,
        item: T,
        element: &Element,
        path: &str,
    ) {
        match map_select(&mut self.model).entry(name) {
            std::collections::btree_map::Entry::Occupied(existing) => {
                let message = format!("`{}` is declared more than once", existing.key());
                self.error(DiagnosticKind::DuplicateName, element, path, message);
            }
            std::collections::btree_map::Entry::Vacant(slot) => {
                slot.insert(item);
            }
        }
    }

    /// Reads properties, navigation properties and annotations of a structured type.
    fn members(
        &mut self,
        element: &Element,
        path: &str,
        allow_key: bool,
    ) -> (Option<Vec<PropertyRef>>, Vec<Property>, Vec<NavigationProperty>, Annotations) {
        let (mut key, mut properties, mut navigation, mut annotations) =
            (None, Vec::new(), Vec::new(), Annotations::default());
        for child in &element.children {
            if child.namespace != Namespace::Edm {
                continue;
            }
            let name = child.attribute("Name").unwrap_or("");
            let child_path = format!("{path}/{}[{name}]", child.name);
            match child.name.as_str() {
                "Key" if allow_key => {
                    let key_path = format!("{path}/Key");
                    if key.is_some() {
                        self.error(DiagnosticKind::DuplicateName, child, &key_path, "more than one `<Key>`".into());
                    }
                    key = Some(self.key(child, &key_path));
                }
                "Property" => {
                    if let Some(property) = self.property(child, child_path) {
                        properties.push(property);
                    }
                }
                "NavigationProperty" => {
                    if let Some(nav) = self.navigation_property(child, child_path) {
                        navigation.push(nav);
                    }
                }
                "Annotation" => annotations.0.extend(self.annotation(child, path)),
                _ => self.unknown_child(child, path),
            }
        }
        (key, properties, navigation, annotations)
    }

    fn key(&mut self, element: &Element, path: &str) -> Vec<PropertyRef> {
        let mut refs = Vec::new();
        for child in &element.children {
            if child.is_edm("PropertyRef") {
                let ref_path = format!("{path}/PropertyRef[{}]", child.attribute("Name").unwrap_or(""));
                if let Some(name) = self.required(child, "Name", &ref_path) {
                    let alias = child.attribute("Alias").map(str::to_owned);
                    refs.push(PropertyRef { name, alias, origin: self.origin(child, &ref_path) });
                }
            } else {
                self.unknown_child(child, path);
            }
        }
        if refs.is_empty() {
            self.error(DiagnosticKind::MissingAttribute, element, path, "`<Key>` has no `<PropertyRef>`".into());
        }
        refs
    }

    fn origin(&self, element: &Element, path: &str) -> Origin {
        Origin { document: self.document, offset: element.offset, path: path.to_owned() }
    }

    fn property(&mut self, element: &Element, path: String) -> Option<Property> {
        let name = self.required(element, "Name", &path);
        let ty = self.type_ref(element, "Type", &path);
        let facets = self.facets(element, &path);
        let annotations = self.child_annotations(element, &path);
        Some(Property { name: name?, ty: ty?, facets, annotations, origin: self.origin(element, &path) })
    }

    fn navigation_property(&mut self, element: &Element, path: String) -> Option<NavigationProperty> {
        let name = self.required(element, "Name", &path);
        let ty = self.type_ref(element, "Type", &path);
        let nullable = self.flag(element, "Nullable", &path);
        let contains_target = self.flag(element, "ContainsTarget", &path).unwrap_or(false);
        let mut referential_constraints = Vec::new();
        let mut on_delete = None;
        let mut annotations = Annotations::default();
        for child in &element.children {
            match (&child.namespace, child.name.as_str()) {
                (Namespace::Edm, "ReferentialConstraint") => {
                    let constraint_path =
                        format!("{path}/ReferentialConstraint[{}]", child.attribute("Property").unwrap_or(""));
                    let property = self.required(child, "Property", &constraint_path);
                    let referenced = self.required(child, "ReferencedProperty", &constraint_path);
                    let constraint_annotations = self.child_annotations(child, &constraint_path);
                    if let (Some(property), Some(referenced_property)) = (property, referenced) {
                        referential_constraints.push(ReferentialConstraint {
                            property,
                            referenced_property,
                            annotations: constraint_annotations,
                        });
                    }
                }
                (Namespace::Edm, "OnDelete") => on_delete = self.required(child, "Action", &format!("{path}/OnDelete")),
                (Namespace::Edm, "Annotation") => annotations.0.extend(self.annotation(child, &path)),
                _ => self.unknown_child(child, &path),
            }
        }
        Some(NavigationProperty {
            name: name?,
            ty: ty?,
            nullable,
            partner: element.attribute("Partner").map(str::to_owned),
            contains_target,
            referential_constraints,
            on_delete,
            annotations,
            origin: self.origin(element, &path),
        })
    }

    fn entity_type(&mut self, namespace: &str, element: &Element, path: String) {
        let Some(name) = self.required(element, "Name", &path) else { return };
        let base_type = self.optional_qualified(element, "BaseType", &path);
        let is_abstract = self.flag(element, "Abstract", &path).unwrap_or(false);
        let open_type = self.flag(element, "OpenType", &path).unwrap_or(false);
        let has_stream = self.flag(element, "HasStream", &path).unwrap_or(false);
        let (key, properties, navigation_properties, annotations) = self.members(element, &path, true);
        let name = QualifiedName::new(namespace, name);
        let item = EntityType {
            name: name.clone(),
            base_type,
            is_abstract,
            open_type,
            has_stream,
            key,
            properties,
            navigation_properties,
            annotations,
            origin: self.origin(element, &path),
        };
        self.insert_unique(|m| &mut m.entity_types, name, item, element, &path);
    }

    fn complex_type(&mut self, namespace: &str, element: &Element, path: String) {
        let Some(name) = self.required(element, "Name", &path) else { return };
        let base_type = self.optional_qualified(element, "BaseType", &path);
        let is_abstract = self.flag(element, "Abstract", &path).unwrap_or(false);
        let open_type = self.flag(element, "OpenType", &path).unwrap_or(false);
        let (_, properties, navigation_properties, annotations) = self.members(element, &path, false);
        let name = QualifiedName::new(namespace, name);
        let item = ComplexType {
            name: name.clone(),
            base_type,
            is_abstract,
            open_type,
            properties,
            navigation_properties,
            annotations,
            origin: self.origin(element, &path),
        };
        self.insert_unique(|m| &mut m.complex_types, name, item, element, &path);
    }

    fn enum_type(&mut self, namespace: &str, element: &Element, path: String) {
        let Some(name) = self.required(element, "Name", &path) else { return };
        let underlying_type = match element.attribute("UnderlyingType") {
            None => None,
            Some(text) => {
                let parsed = text.strip_prefix("Edm.").and_then(Primitive::from_edm_name).filter(|p| {
                    matches!(
                        p,
                        Primitive::Byte | Primitive::SByte | Primitive::Int16 | Primitive::Int32 | Primitive::Int64
                    )
                });
                if parsed.is_none() {
                    let message =
                        format!("`UnderlyingType` must be an integer type (Edm.Byte ... Edm.Int64), not `{text}`");
                    self.error(DiagnosticKind::InvalidAttribute, element, &path, message);
                }
                parsed
            }
        };
        let is_flags = self.flag(element, "IsFlags", &path).unwrap_or(false);
        let mut members = Vec::new();
        let mut annotations = Annotations::default();
        let mut next_value = 0i64;
        for child in &element.children {
            match (&child.namespace, child.name.as_str()) {
                (Namespace::Edm, "Member") => {
                    let member_path = format!("{path}/Member[{}]", child.attribute("Name").unwrap_or(""));
                    let Some(member_name) = self.required(child, "Name", &member_path) else { continue };
                    let written = match child.attribute("Value") {
                        None => None,
                        Some(text) => match text.parse::<i64>() {
                            Ok(v) => Some(v),
                            Err(_) => {
                                let message = format!("`Value` must be an integer, not `{text}`");
                                self.error(DiagnosticKind::InvalidAttribute, child, &member_path, message);
                                continue;
                            }
                        },
                    };
                    let value = written.unwrap_or(next_value);
                    next_value = value.saturating_add(1);
                    let member_annotations = self.child_annotations(child, &member_path);
                    if members.iter().any(|m: &EnumMember| m.name == member_name) {
                        let message = format!("enum member `{member_name}` is declared more than once");
                        self.error(DiagnosticKind::DuplicateName, child, &member_path, message);
                        continue;
                    }
                    members.push(EnumMember {
                        name: member_name,
                        value,
                        value_written: written.is_some(),
                        annotations: member_annotations,
                        origin: self.origin(child, &member_path),
                    });
                }
                (Namespace::Edm, "Annotation") => annotations.0.extend(self.annotation(child, &path)),
                _ => self.unknown_child(child, &path),
            }
        }
        let name = QualifiedName::new(namespace, name);
        let item = EnumType {
            name: name.clone(),
            underlying_type,
            is_flags,
            members,
            annotations,
            origin: self.origin(element, &path),
        };
        self.insert_unique(|m| &mut m.enum_types, name, item, element, &path);
    }

    fn type_definition(&mut self, namespace: &str, element: &Element, path: String) {
        let Some(name) = self.required(element, "Name", &path) else { return };
        let Some(underlying) = self.required(element, "UnderlyingType", &path) else { return };
        let Some(underlying_type) = underlying.strip_prefix("Edm.").and_then(Primitive::from_edm_name) else {
            let message = format!("`UnderlyingType` must be a primitive type, not `{underlying}`");
            self.error(DiagnosticKind::UnknownType, element, &path, message);
            return;
        };
        let facets = self.facets(element, &path);
        let annotations = self.child_annotations(element, &path);
        let name = QualifiedName::new(namespace, name);
        let item = TypeDefinition {
            name: name.clone(),
            underlying_type,
            facets,
            annotations,
            origin: self.origin(element, &path),
        };
        self.insert_unique(|m| &mut m.type_definitions, name, item, element, &path);
    }

    fn term(&mut self, namespace: &str, element: &Element, path: String) {
        let Some(name) = self.required(element, "Name", &path) else { return };
        let Some(ty) = self.type_ref(element, "Type", &path) else { return };
        let base_term = self.optional_qualified(element, "BaseTerm", &path);
        let facets = self.facets(element, &path);
        let annotations = self.child_annotations(element, &path);
        let name = QualifiedName::new(namespace, name);
        let item = Term {
            name: name.clone(),
            ty,
            base_term,
            applies_to: element.attribute("AppliesTo").map(str::to_owned),
            facets,
            annotations,
            origin: self.origin(element, &path),
        };
        self.insert_unique(|m| &mut m.terms, name, item, element, &path);
    }

    fn operation(&mut self, namespace: &str, element: &Element, path: String) {
        let kind = if element.name == "Action" { OperationKind::Action } else { OperationKind::Function };
        let Some(name) = self.required(element, "Name", &path) else { return };
        let is_bound = self.flag(element, "IsBound", &path).unwrap_or(false);
        let is_composable = self.flag(element, "IsComposable", &path).unwrap_or(false);
        let mut parameters = Vec::new();
        let mut return_type = None;
        let mut annotations = Annotations::default();
        for child in &element.children {
            match (&child.namespace, child.name.as_str()) {
                (Namespace::Edm, "Parameter") => {
                    let parameter_path = format!("{path}/Parameter[{}]", child.attribute("Name").unwrap_or(""));
                    let parameter_name = self.required(child, "Name", &parameter_path);
                    let ty = self.type_ref(child, "Type", &parameter_path);
                    let facets = self.facets(child, &parameter_path);
                    let parameter_annotations = self.child_annotations(child, &parameter_path);
                    if let (Some(name), Some(ty)) = (parameter_name, ty) {
                        parameters.push(Parameter {
                            name,
                            ty,
                            facets,
                            annotations: parameter_annotations,
                            origin: self.origin(child, &parameter_path),
                        });
                    }
                }
                (Namespace::Edm, "ReturnType") => {
                    let return_path = format!("{path}/ReturnType");
                    if let Some(ty) = self.type_ref(child, "Type", &return_path) {
                        let facets = self.facets(child, &return_path);
                        let annotations = self.child_annotations(child, &return_path);
                        return_type = Some(ReturnType { ty, facets, annotations });
                    }
                }
                (Namespace::Edm, "Annotation") => annotations.0.extend(self.annotation(child, &path)),
                _ => self.unknown_child(child, &path),
            }
        }
        if kind == OperationKind::Function && return_type.is_none() {
            self.error(
                DiagnosticKind::MissingAttribute,
                element,
                &path,
                "a `<Function>` needs a `<ReturnType>`".into(),
            );
        }
        if is_bound && parameters.is_empty() {
            let message = "a bound operation needs its binding parameter as the first `<Parameter>`".into();
            self.error(DiagnosticKind::MissingAttribute, element, &path, message);
            return;
        }
        self.model.operations.push(Operation {
            kind,
            name: QualifiedName::new(namespace, name),
            is_bound,
            is_composable,
            entity_set_path: element.attribute("EntitySetPath").map(str::to_owned),
            parameters,
            return_type,
            annotations,
            origin: self.origin(element, &path),
        });
    }

    fn container(&mut self, namespace: &str, element: &Element, path: String) {
        let Some(name) = self.required(element, "Name", &path) else { return };
        let extends = self.optional_qualified(element, "Extends", &path);
        let mut container = EntityContainer {
            name: QualifiedName::new(namespace, name),
            extends,
            entity_sets: Vec::new(),
            singletons: Vec::new(),
            operation_imports: Vec::new(),
            annotations: Annotations::default(),
            origin: self.origin(element, &path),
            extended_containers: Vec::new(),
        };
        let mut seen = std::collections::BTreeSet::new();
        for child in &element.children {
            if child.namespace != Namespace::Edm {
                continue;
            }
            let child_name = child.attribute("Name").unwrap_or("");
            let child_path = format!("{path}/{}[{child_name}]", child.name);
            let known = matches!(child.name.as_str(), "EntitySet" | "Singleton" | "ActionImport" | "FunctionImport");
            if known && !child_name.is_empty() && !seen.insert(child_name.to_owned()) {
                let message = format!("`{child_name}` is declared more than once in the entity container");
                self.error(DiagnosticKind::DuplicateName, child, &child_path, message);
                continue;
            }
            match child.name.as_str() {
                "EntitySet" => {
                    let set_name = self.required(child, "Name", &child_path);
                    let ty = self.qualified(child, "EntityType", &child_path);
                    let include = self.flag(child, "IncludeInServiceDocument", &child_path);
                    let (bindings, annotations) = self.bindings_and_annotations(child, &child_path);
                    if let (Some(name), Some(entity_type)) = (set_name, ty) {
                        container.entity_sets.push(EntitySet {
                            name,
                            entity_type,
                            include_in_service_document: include,
                            navigation_bindings: bindings,
                            annotations,
                            origin: self.origin(child, &child_path),
                            inherited_from: None,
                        });
                    }
                }
                "Singleton" => {
                    let singleton_name = self.required(child, "Name", &child_path);
                    let ty = self.qualified(child, "Type", &child_path);
                    let nullable = self.flag(child, "Nullable", &child_path);
                    let (bindings, annotations) = self.bindings_and_annotations(child, &child_path);
                    if let (Some(name), Some(ty)) = (singleton_name, ty) {
                        container.singletons.push(Singleton {
                            name,
                            ty,
                            nullable,
                            navigation_bindings: bindings,
                            annotations,
                            origin: self.origin(child, &child_path),
                            inherited_from: None,
                        });
                    }
                }
                "ActionImport" | "FunctionImport" => {
                    let is_action = child.name == "ActionImport";
                    let (kind, attribute) = if is_action {
                        (OperationKind::Action, "Action")
                    } else {
                        (OperationKind::Function, "Function")
                    };
                    let import_name = self.required(child, "Name", &child_path);
                    let operation = self.qualified(child, attribute, &child_path);
                    let include = self.flag(child, "IncludeInServiceDocument", &child_path);
                    let annotations = self.child_annotations(child, &child_path);
                    if let (Some(name), Some(operation)) = (import_name, operation) {
                        container.operation_imports.push(OperationImport {
                            kind,
                            name,
                            operation,
                            entity_set: child.attribute("EntitySet").map(str::to_owned),
                            include_in_service_document: include,
                            annotations,
                            origin: self.origin(child, &child_path),
                            inherited_from: None,
                        });
                    }
                }
                "Annotation" => {
                    let annotations = self.annotation(child, &path);
                    container.annotations.0.extend(annotations);
                }
                _ => self.unknown_child(child, &path),
            }
        }
        if let Some(existing) = &self.model.container {
            let message = format!("a service has one entity container, but `{}` was declared already", existing.name);
            self.error(DiagnosticKind::DuplicateName, element, &path, message);
            return;
        }
        self.model.container = Some(container);
    }

    fn bindings_and_annotations(&mut self, element: &Element, path: &str) -> (Vec<NavigationBinding>, Annotations) {
        let mut bindings = Vec::new();
        let mut annotations = Annotations::default();
        for child in &element.children {
            match (&child.namespace, child.name.as_str()) {
                (Namespace::Edm, "NavigationPropertyBinding") => {
                    let binding_path =
                        format!("{path}/NavigationPropertyBinding[{}]", child.attribute("Path").unwrap_or(""));
                    let binding_path_attr = self.required(child, "Path", &binding_path);
                    let target = self.required(child, "Target", &binding_path);
                    if let (Some(path), Some(target)) = (binding_path_attr, target) {
                        bindings.push(NavigationBinding { path, target });
                    }
                }
                (Namespace::Edm, "Annotation") => annotations.0.extend(self.annotation(child, path)),
                _ => self.unknown_child(child, path),
            }
        }
        (bindings, annotations)
    }

    fn external_annotations(&mut self, namespace: &str, element: &Element, schema_path: &str) {
        let path = format!("{schema_path}/Annotations[{}]", element.attribute("Target").unwrap_or(""));
        let Some(target) = self.required(element, "Target", &path) else { return };
        let annotations = self.child_annotations(element, &path);
        self.external.push(ExternalAnnotations {
            schema: namespace.to_owned(),
            target,
            qualifier: element.attribute("Qualifier").map(str::to_owned),
            annotations,
            origin: self.origin(element, &path),
        });
    }

    /// The `<Annotation>` children of an element.
    fn child_annotations(&mut self, element: &Element, path: &str) -> Annotations {
        let mut annotations = Annotations::default();
        for child in &element.children {
            if child.is_edm("Annotation") {
                annotations.0.extend(self.annotation(child, path));
            }
        }
        annotations
    }

    fn annotation(&mut self, element: &Element, parent_path: &str) -> Option<Annotation> {
        let path = format!("{parent_path}/Annotation[{}]", element.attribute("Term").unwrap_or(""));
        let term = self.qualified(element, "Term", &path)?;
        let value = self.expression_of(element, &path, &["Term", "Qualifier"]);
        let annotations = self.child_annotations(element, &path);
        Some(Annotation {
            term,
            qualifier: element.attribute("Qualifier").map(str::to_owned),
            value,
            annotations,
            origin: self.origin(element, &path),
        })
    }

    /// The value of an annotation or property value: an attribute such as
    /// `Bool="true"` or the first child element that is not an annotation.
    fn expression_of(&mut self, element: &Element, path: &str, skip: &[&str]) -> Option<Expression> {
        for (name, value) in &element.attributes {
            if skip.contains(&name.as_str()) {
                continue;
            }
            if let Some(kind) = ConstantKind::from_name(name) {
                return self.constant(kind, value.clone(), element, path);
            }
        }
        let child = element.children.iter().find(|c| c.namespace == Namespace::Edm && c.name != "Annotation")?;
        self.expression(child, path)
    }

    fn constant(&mut self, kind: ConstantKind, text: String, element: &Element, path: &str) -> Option<Expression> {
        // Whitespace around a string is part of the value; around a number,
        // boolean or path it is layout.
        let text = if kind == ConstantKind::String { text } else { text.trim().to_owned() };
        let valid = match kind {
            ConstantKind::Bool => text == "true" || text == "false",
            ConstantKind::Int => text.parse::<i64>().is_ok(),
            _ => true,
        };
        if !valid {
            let message = format!("`{text}` is not a valid {} value", kind.name());
            self.error(DiagnosticKind::InvalidAttribute, element, path, message);
            return None;
        }
        Some(Expression::Constant(kind, text))
    }

    fn expression(&mut self, element: &Element, path: &str) -> Option<Expression> {
        match element.name.as_str() {
            "Null" => Some(Expression::Null),
            "Record" => {
                let ty = self.optional_qualified(element, "Type", path);
                let mut record = Record { ty, properties: Vec::new(), annotations: Annotations::default() };
                for child in &element.children {
                    match (&child.namespace, child.name.as_str()) {
                        (Namespace::Edm, "PropertyValue") => {
                            let value_path =
                                format!("{path}/PropertyValue[{}]", child.attribute("Property").unwrap_or(""));
                            let Some(property) = self.required(child, "Property", &value_path) else { continue };
                            let value =
                                self.expression_of(child, &value_path, &["Property"]).unwrap_or(Expression::Null);
                            record.properties.push(PropertyValue { property, value });
                        }
                        (Namespace::Edm, "Annotation") => record.annotations.0.extend(self.annotation(child, path)),
                        _ => self.unknown_child(child, path),
                    }
                }
                Some(Expression::Record(record))
            }
            "Collection" => {
                let items = element
                    .children
                    .iter()
                    .filter(|c| c.namespace == Namespace::Edm)
                    .filter_map(|c| self.expression(c, path))
                    .collect();
                Some(Expression::Collection(items))
            }
            name => match ConstantKind::from_name(name) {
                Some(kind) => self.constant(kind, element.text.clone(), element, path),
                None => Some(Expression::Other(element.clone())),
            },
        }
    }
}
