//! The resolved, validated schema model (IR). It is independent of how code
//! is emitted: emitters read it, never the XML.
//!
//! Types live in `BTreeMap`s keyed by qualified name and everything else keeps
//! document order, so any walk over the model is deterministic.

pub mod annotations;
pub mod names;

use std::collections::BTreeMap;

pub use annotations::{Annotation, Annotations, Capabilities, Expression};
pub use names::{QualifiedName, decode_xml_name};

use crate::diag::Diagnostic;

/// Where an item was declared: byte offset and element path, for diagnostics.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Origin {
    /// The document: 0 for the one that was read, then the documents its
    /// `edmx:Reference`s brought in, in the order they were loaded.
    pub document: usize,
    pub offset: usize,
    pub path: String,
}

/// Geography and geometry shapes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Shape {
    Any,
    Point,
    LineString,
    Polygon,
    MultiPoint,
    MultiLineString,
    MultiPolygon,
    Collection,
}

impl Shape {
    const ALL: [(Shape, &'static str); 8] = [
        (Shape::Any, ""),
        (Shape::Point, "Point"),
        (Shape::LineString, "LineString"),
        (Shape::Polygon, "Polygon"),
        (Shape::MultiPoint, "MultiPoint"),
        (Shape::MultiLineString, "MultiLineString"),
        (Shape::MultiPolygon, "MultiPolygon"),
        (Shape::Collection, "Collection"),
    ];
}

/// The `Edm.*` primitive types, including the abstract ones vocabularies use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Primitive {
    Binary,
    Boolean,
    Byte,
    Date,
    DateTimeOffset,
    Decimal,
    Double,
    Duration,
    Guid,
    Int16,
    Int32,
    Int64,
    SByte,
    Single,
    Stream,
    String,
    TimeOfDay,
    Geography(Shape),
    Geometry(Shape),
    Untyped,
    PrimitiveType,
    AnnotationPath,
    PropertyPath,
    NavigationPropertyPath,
    AnyPropertyPath,
    ModelElementPath,
}

impl Primitive {
    const SIMPLE: [(Primitive, &'static str); 23] = [
        (Primitive::Binary, "Binary"),
        (Primitive::Boolean, "Boolean"),
        (Primitive::Byte, "Byte"),
        (Primitive::Date, "Date"),
        (Primitive::DateTimeOffset, "DateTimeOffset"),
        (Primitive::Decimal, "Decimal"),
        (Primitive::Double, "Double"),
        (Primitive::Duration, "Duration"),
        (Primitive::Guid, "Guid"),
        (Primitive::Int16, "Int16"),
        (Primitive::Int32, "Int32"),
        (Primitive::Int64, "Int64"),
        (Primitive::SByte, "SByte"),
        (Primitive::Single, "Single"),
        (Primitive::Stream, "Stream"),
        (Primitive::String, "String"),
        (Primitive::TimeOfDay, "TimeOfDay"),
        (Primitive::Untyped, "Untyped"),
        (Primitive::PrimitiveType, "PrimitiveType"),
        (Primitive::AnnotationPath, "AnnotationPath"),
        (Primitive::PropertyPath, "PropertyPath"),
        (Primitive::NavigationPropertyPath, "NavigationPropertyPath"),
        (Primitive::AnyPropertyPath, "AnyPropertyPath"),
    ];

    /// Parses the part after `Edm.`.
    pub fn from_edm_name(name: &str) -> Option<Primitive> {
        if let Some(&(p, _)) = Primitive::SIMPLE.iter().find(|(_, n)| *n == name) {
            return Some(p);
        }
        if name == "ModelElementPath" {
            return Some(Primitive::ModelElementPath);
        }
        let (family, rest): (fn(Shape) -> Primitive, &str) = if let Some(rest) = name.strip_prefix("Geography") {
            (Primitive::Geography, rest)
        } else if let Some(rest) = name.strip_prefix("Geometry") {
            (Primitive::Geometry, rest)
        } else {
            return None;
        };
        Shape::ALL.iter().find(|(_, n)| *n == rest).map(|&(shape, _)| family(shape))
    }

    /// The full name, such as `Edm.Int32`.
    pub fn edm_name(self) -> String {
        let shape_name = |s: Shape| Shape::ALL.iter().find(|(x, _)| *x == s).map_or("", |(_, n)| n);
        match self {
            Primitive::Geography(s) => format!("Edm.Geography{}", shape_name(s)),
            Primitive::Geometry(s) => format!("Edm.Geometry{}", shape_name(s)),
            Primitive::ModelElementPath => "Edm.ModelElementPath".to_owned(),
            other => {
                let name = Primitive::SIMPLE.iter().find(|(p, _)| *p == other).map_or("", |(_, n)| n);
                format!("Edm.{name}")
            }
        }
    }
}

/// What a type reference points at, once resolved.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TypeTarget {
    Primitive(Primitive),
    Enum(QualifiedName),
    Complex(QualifiedName),
    Entity(QualifiedName),
    TypeDefinition(QualifiedName),
    /// `Edm.EntityType` / `Edm.ComplexType`: any entity or complex type.
    AbstractEntity,
    AbstractComplex,
    /// A name as written, before resolution. None remain in a resolved model.
    Unresolved(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeRef {
    pub target: TypeTarget,
    pub collection: bool,
}

impl TypeRef {
    pub fn entity(&self) -> Option<&QualifiedName> {
        match &self.target {
            TypeTarget::Entity(name) => Some(name),
            _ => None,
        }
    }

    /// The type as CSDL writes it (`Collection(Microsoft.NAV.customer)`).
    pub fn csdl_name(&self) -> String {
        let inner = match &self.target {
            TypeTarget::Primitive(p) => p.edm_name(),
            TypeTarget::Enum(n) | TypeTarget::Complex(n) | TypeTarget::Entity(n) | TypeTarget::TypeDefinition(n) => {
                n.to_string()
            }
            TypeTarget::AbstractEntity => "Edm.EntityType".to_owned(),
            TypeTarget::AbstractComplex => "Edm.ComplexType".to_owned(),
            TypeTarget::Unresolved(raw) => raw.clone(),
        };
        if self.collection { format!("Collection({inner})") } else { inner }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MaxLength {
    Max,
    Length(u64),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scale {
    Value(u32),
    /// `Variable`: any number of decimal places (BC's decimals).
    Variable,
    /// `Floating` (OData 4.01): decimal floating point.
    Floating,
}

/// Type facets. `None` means "not written", so the default applies.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facets {
    pub nullable: Option<bool>,
    pub max_length: Option<MaxLength>,
    pub precision: Option<u32>,
    pub scale: Option<Scale>,
    pub srid: Option<String>,
    pub unicode: Option<bool>,
    pub default_value: Option<String>,
}

impl Facets {
    /// CSDL's default is nullable.
    pub fn is_nullable(&self) -> bool {
        self.nullable.unwrap_or(true)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Property {
    pub name: String,
    pub ty: TypeRef,
    pub facets: Facets,
    pub annotations: Annotations,
    pub origin: Origin,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ReferentialConstraint {
    pub property: String,
    pub referenced_property: String,
    pub annotations: Annotations,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NavigationProperty {
    pub name: String,
    /// Always an entity type once resolved.
    pub ty: TypeRef,
    pub nullable: Option<bool>,
    pub partner: Option<String>,
    pub contains_target: bool,
    pub referential_constraints: Vec<ReferentialConstraint>,
    pub on_delete: Option<String>,
    pub annotations: Annotations,
    pub origin: Origin,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PropertyRef {
    /// A property name, or a path into a complex property.
    pub name: String,
    pub alias: Option<String>,
    /// Where the `PropertyRef` was written, so a key naming a missing property
    /// is reported at the reference rather than at the entity type.
    pub origin: Origin,
}

#[derive(Debug, Clone, PartialEq)]
pub struct EntityType {
    pub name: QualifiedName,
    pub base_type: Option<QualifiedName>,
    pub is_abstract: bool,
    pub open_type: bool,
    pub has_stream: bool,
    /// The key as declared here; derived types inherit it (see [`Model::key_of`]).
    pub key: Option<Vec<PropertyRef>>,
    pub properties: Vec<Property>,
    pub navigation_properties: Vec<NavigationProperty>,
    pub annotations: Annotations,
    pub origin: Origin,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ComplexType {
    pub name: QualifiedName,
    pub base_type: Option<QualifiedName>,
    pub is_abstract: bool,
    pub open_type: bool,
    pub properties: Vec<Property>,
    pub navigation_properties: Vec<NavigationProperty>,
    pub annotations: Annotations,
    pub origin: Origin,
}

#[derive(Debug, Clone, PartialEq)]
pub struct EnumMember {
    /// The name exactly as on the wire (`Credit_x0020_Memo`).
    pub name: String,
    pub value: i64,
    /// Whether `Value` was written (otherwise it was assigned by position).
    pub value_written: bool,
    pub annotations: Annotations,
    pub origin: Origin,
}

impl EnumMember {
    /// The human name (`Credit Memo`).
    pub fn display_name(&self) -> std::borrow::Cow<'_, str> {
        decode_xml_name(&self.name)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct EnumType {
    pub name: QualifiedName,
    pub underlying_type: Option<Primitive>,
    pub is_flags: bool,
    pub members: Vec<EnumMember>,
    pub annotations: Annotations,
    pub origin: Origin,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TypeDefinition {
    pub name: QualifiedName,
    pub underlying_type: Primitive,
    pub facets: Facets,
    pub annotations: Annotations,
    pub origin: Origin,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Term {
    pub name: QualifiedName,
    pub ty: TypeRef,
    pub base_term: Option<QualifiedName>,
    pub applies_to: Option<String>,
    pub facets: Facets,
    pub annotations: Annotations,
    pub origin: Origin,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum OperationKind {
    Action,
    Function,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Parameter {
    pub name: String,
    pub ty: TypeRef,
    pub facets: Facets,
    pub annotations: Annotations,
    pub origin: Origin,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ReturnType {
    pub ty: TypeRef,
    pub facets: Facets,
    pub annotations: Annotations,
}

/// An action or function (one overload).
#[derive(Debug, Clone, PartialEq)]
pub struct Operation {
    pub kind: OperationKind,
    pub name: QualifiedName,
    pub is_bound: bool,
    pub is_composable: bool,
    pub entity_set_path: Option<String>,
    /// For bound operations the first parameter is the binding parameter.
    pub parameters: Vec<Parameter>,
    pub return_type: Option<ReturnType>,
    pub annotations: Annotations,
    pub origin: Origin,
}

impl Operation {
    /// The type a bound operation binds to.
    pub fn binding_type(&self) -> Option<&TypeRef> {
        if self.is_bound { self.parameters.first().map(|p| &p.ty) } else { None }
    }

    /// Parameters the caller supplies (without the binding parameter).
    pub fn call_parameters(&self) -> &[Parameter] {
        if self.is_bound { self.parameters.get(1..).unwrap_or(&[]) } else { &self.parameters }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NavigationBinding {
    pub path: String,
    pub target: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct EntitySet {
    pub name: String,
    pub entity_type: QualifiedName,
    pub include_in_service_document: Option<bool>,
    pub navigation_bindings: Vec<NavigationBinding>,
    pub annotations: Annotations,
    pub origin: Origin,
    /// The container that declares the set, when this container has it
    /// through `Extends` (see [`EntityContainer::extends`]); `None` for the
    /// container's own sets.
    pub inherited_from: Option<QualifiedName>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Singleton {
    pub name: String,
    pub ty: QualifiedName,
    pub nullable: Option<bool>,
    pub navigation_bindings: Vec<NavigationBinding>,
    pub annotations: Annotations,
    pub origin: Origin,
    /// The container that declares the singleton, when inherited through
    /// `Extends`; `None` for the container's own.
    pub inherited_from: Option<QualifiedName>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct OperationImport {
    pub kind: OperationKind,
    pub name: String,
    pub operation: QualifiedName,
    pub entity_set: Option<String>,
    pub include_in_service_document: Option<bool>,
    pub annotations: Annotations,
    pub origin: Origin,
    /// The container that declares the import, when inherited through
    /// `Extends`; `None` for the container's own.
    pub inherited_from: Option<QualifiedName>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct EntityContainer {
    pub name: QualifiedName,
    /// The container this one extends (CSDL's "Extending an Entity
    /// Container"), usually declared in a document `edmx:Reference` brings
    /// in. Once resolved, the service's container lists every member it has,
    /// its own first (in document order) and then those of the containers it
    /// extends, nearest first, each marked with `inherited_from`; a member of
    /// its own replaces an inherited one of the same name.
    pub extends: Option<QualifiedName>,
    pub entity_sets: Vec<EntitySet>,
    pub singletons: Vec<Singleton>,
    pub operation_imports: Vec<OperationImport>,
    pub annotations: Annotations,
    pub origin: Origin,
    /// The containers this one extends, directly or through one another,
    /// nearest first, as their own documents declare them (their own
    /// members only, and no further `extended_containers`). Their members
    /// are already in this container's lists; they are kept for binding and
    /// annotation targets that name such a container (`Namespace.Base/orders`).
    pub extended_containers: Vec<EntityContainer>,
}

impl EntityContainer {
    pub fn entity_set(&self, name: &str) -> Option<&EntitySet> {
        self.entity_sets.iter().find(|s| s.name == name)
    }

    pub fn singleton(&self, name: &str) -> Option<&Singleton> {
        self.singletons.iter().find(|s| s.name == name)
    }

    /// Whether `name` is an entity set or a singleton of the container.
    pub fn has_set_or_singleton(&self, name: &str) -> bool {
        self.entity_set(name).is_some() || self.singleton(name).is_some()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Include {
    pub namespace: String,
    pub alias: Option<String>,
    /// Where the `edmx:Include` was written, for alias clashes.
    pub origin: Origin,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncludeAnnotations {
    pub term_namespace: String,
    pub qualifier: Option<String>,
    pub target_namespace: Option<String>,
}

/// An `edmx:Reference` to another document (usually a vocabulary).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    pub uri: String,
    pub includes: Vec<Include>,
    pub include_annotations: Vec<IncludeAnnotations>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Schema {
    pub namespace: String,
    pub alias: Option<String>,
    /// Annotations written directly inside `<Schema>` (they apply to the schema).
    pub annotations: Annotations,
    pub origin: Origin,
    /// The referenced document (`edmx:Reference`) the schema was read from,
    /// as a path or URL; `None` for the schemas of the main document. The
    /// canonical writer leaves such schemas to their own document.
    pub source: Option<String>,
}

/// An external `Annotations` block kept as written: one whose target matched
/// nothing (so that rewriting the document loses no facts), or one whose
/// target is a property path (see [`Model::path_annotations`]).
#[derive(Debug, Clone, PartialEq)]
pub struct OrphanAnnotations {
    pub schema: String,
    pub target: String,
    pub qualifier: Option<String>,
    pub annotations: Annotations,
}

/// A whole service model: every schema of one `$metadata` document.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Model {
    /// `Version` of the `edmx:Edmx` element (`4.0` or `4.01`).
    pub version: String,
    pub references: Vec<Reference>,
    pub schemas: Vec<Schema>,
    pub entity_types: BTreeMap<QualifiedName, EntityType>,
    pub complex_types: BTreeMap<QualifiedName, ComplexType>,
    pub enum_types: BTreeMap<QualifiedName, EnumType>,
    pub type_definitions: BTreeMap<QualifiedName, TypeDefinition>,
    pub terms: BTreeMap<QualifiedName, Term>,
    /// Actions and functions, sorted by name, then binding type, then document order.
    pub operations: Vec<Operation>,
    pub container: Option<EntityContainer>,
    /// Annotations in external blocks on schema-level targets the model does not have.
    pub orphan_annotations: Vec<OrphanAnnotations>,
    /// Annotations in external blocks whose target is a path through
    /// structured properties (`NS.order/address/street`, as SAP writes
    /// `NS.T/__EntityControl/Updatable`): they apply to that property where
    /// that path reaches it, not wherever its type is used, so they are kept
    /// with their path rather than moved onto the property.
    pub path_annotations: Vec<OrphanAnnotations>,
    /// Problems that did not stop the model from being built.
    pub warnings: Vec<Diagnostic>,
}

impl Model {
    /// The key of an entity type, inherited from its base types when not declared.
    pub fn key_of<'m>(&'m self, entity: &'m EntityType) -> Option<&'m [PropertyRef]> {
        let mut current = Some(entity);
        let mut depth = 0;
        while let Some(ty) = current {
            if let Some(key) = &ty.key {
                return Some(key);
            }
            depth += 1;
            if depth > self.entity_types.len() {
                return None;
            }
            current = ty.base_type.as_ref().and_then(|b| self.entity_types.get(b));
        }
        None
    }

    /// Every structural property of an entity type, base types first.
    pub fn all_properties<'m>(&'m self, entity: &'m EntityType) -> Vec<&'m Property> {
        self.lineage(entity).into_iter().rev().flat_map(|t| t.properties.iter()).collect()
    }

    /// Every navigation property of an entity type, base types first.
    pub fn all_navigation_properties<'m>(&'m self, entity: &'m EntityType) -> Vec<&'m NavigationProperty> {
        self.lineage(entity).into_iter().rev().flat_map(|t| t.navigation_properties.iter()).collect()
    }

    /// Every structural property of a complex type, base types first.
    pub fn all_complex_properties<'m>(&'m self, complex: &'m ComplexType) -> Vec<&'m Property> {
        self.complex_lineage(complex).into_iter().rev().flat_map(|t| t.properties.iter()).collect()
    }

    /// Every navigation property of a complex type, base types first.
    pub fn all_complex_navigation_properties<'m>(&'m self, complex: &'m ComplexType) -> Vec<&'m NavigationProperty> {
        self.complex_lineage(complex).into_iter().rev().flat_map(|t| t.navigation_properties.iter()).collect()
    }

    /// The complex type and its ancestors, most derived first (cycles are cut).
    fn complex_lineage<'m>(&'m self, complex: &'m ComplexType) -> Vec<&'m ComplexType> {
        let mut chain = vec![complex];
        while let Some(base) = chain.last().and_then(|t| t.base_type.as_ref()).and_then(|b| self.complex_types.get(b)) {
            if chain.iter().any(|t| t.name == base.name) {
                break;
            }
            chain.push(base);
        }
        chain
    }

    /// The type and its ancestors, most derived first (cycles are cut).
    pub fn lineage<'m>(&'m self, entity: &'m EntityType) -> Vec<&'m EntityType> {
        let mut chain = vec![entity];
        while let Some(base) = chain.last().and_then(|t| t.base_type.as_ref()).and_then(|b| self.entity_types.get(b)) {
            if chain.iter().any(|t| t.name == base.name) {
                break;
            }
            chain.push(base);
        }
        chain
    }

    pub fn entity_sets(&self) -> &[EntitySet] {
        self.container.as_ref().map_or(&[], |c| &c.entity_sets)
    }

    pub fn singletons(&self) -> &[Singleton] {
        self.container.as_ref().map_or(&[], |c| &c.singletons)
    }

    pub fn actions(&self) -> impl Iterator<Item = &Operation> {
        self.operations.iter().filter(|o| o.kind == OperationKind::Action)
    }

    pub fn functions(&self) -> impl Iterator<Item = &Operation> {
        self.operations.iter().filter(|o| o.kind == OperationKind::Function)
    }
}
