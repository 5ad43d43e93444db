//! Annotations as written (term, qualifier, expression), plus typed access to
//! the vocabulary terms the generator relies on.

use super::Origin;
use super::names::QualifiedName;
use crate::xml::Element;

pub const CORE: &str = "Org.OData.Core.V1";
pub const CAPABILITIES: &str = "Org.OData.Capabilities.V1";
pub const COMMUNITY_KEYS: &str = "OData.Community.Keys.V1";
pub const VALIDATION: &str = "Org.OData.Validation.V1";
/// SAP's Common vocabulary (`Common.Label`, ...).
pub const SAP_COMMON: &str = "com.sap.vocabularies.Common.v1";

/// Kinds of constant expressions; each is written as an attribute
/// (`Bool="true"`) or an element (`<Bool>true</Bool>`) of the same name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ConstantKind {
    Binary,
    Bool,
    Date,
    DateTimeOffset,
    Decimal,
    Duration,
    EnumMember,
    Float,
    Guid,
    Int,
    String,
    TimeOfDay,
    AnnotationPath,
    ModelElementPath,
    NavigationPropertyPath,
    Path,
    PropertyPath,
    UrlRef,
}

impl ConstantKind {
    pub const ALL: [ConstantKind; 18] = [
        ConstantKind::Binary,
        ConstantKind::Bool,
        ConstantKind::Date,
        ConstantKind::DateTimeOffset,
        ConstantKind::Decimal,
        ConstantKind::Duration,
        ConstantKind::EnumMember,
        ConstantKind::Float,
        ConstantKind::Guid,
        ConstantKind::Int,
        ConstantKind::String,
        ConstantKind::TimeOfDay,
        ConstantKind::AnnotationPath,
        ConstantKind::ModelElementPath,
        ConstantKind::NavigationPropertyPath,
        ConstantKind::Path,
        ConstantKind::PropertyPath,
        ConstantKind::UrlRef,
    ];

    pub fn name(self) -> &'static str {
        match self {
            ConstantKind::Binary => "Binary",
            ConstantKind::Bool => "Bool",
            ConstantKind::Date => "Date",
            ConstantKind::DateTimeOffset => "DateTimeOffset",
            ConstantKind::Decimal => "Decimal",
            ConstantKind::Duration => "Duration",
            ConstantKind::EnumMember => "EnumMember",
            ConstantKind::Float => "Float",
            ConstantKind::Guid => "Guid",
            ConstantKind::Int => "Int",
            ConstantKind::String => "String",
            ConstantKind::TimeOfDay => "TimeOfDay",
            ConstantKind::AnnotationPath => "AnnotationPath",
            ConstantKind::ModelElementPath => "ModelElementPath",
            ConstantKind::NavigationPropertyPath => "NavigationPropertyPath",
            ConstantKind::Path => "Path",
            ConstantKind::PropertyPath => "PropertyPath",
            ConstantKind::UrlRef => "UrlRef",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        ConstantKind::ALL.into_iter().find(|k| k.name() == name)
    }
}

/// An annotation value.
#[derive(Debug, Clone, PartialEq)]
pub enum Expression {
    Null,
    Constant(ConstantKind, String),
    Record(Record),
    Collection(Vec<Expression>),
    /// A dynamic expression (`If`, `Apply`, `LabeledElement`, ...) kept as
    /// written so it survives a round trip; the generator does not evaluate it.
    Other(Element),
}

impl Expression {
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Expression::Constant(ConstantKind::Bool, text) => Some(text == "true"),
            _ => None,
        }
    }

    /// The text of a string, path or enum-member constant.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Expression::Constant(kind, text) if *kind != ConstantKind::Bool => Some(text),
            _ => None,
        }
    }

    pub fn as_record(&self) -> Option<&Record> {
        match self {
            Expression::Record(record) => Some(record),
            _ => None,
        }
    }

    pub fn as_collection(&self) -> &[Expression] {
        match self {
            Expression::Collection(items) => items,
            _ => &[],
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub ty: Option<QualifiedName>,
    pub properties: Vec<PropertyValue>,
    pub annotations: Annotations,
}

impl Record {
    pub fn get(&self, property: &str) -> Option<&Expression> {
        self.properties.iter().find(|p| p.property == property).map(|p| &p.value)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct PropertyValue {
    pub property: String,
    pub value: Expression,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Annotation {
    /// The term, with its alias resolved to the full namespace.
    pub term: QualifiedName,
    pub qualifier: Option<String>,
    /// `None` when the annotation has no value; for tag terms such as
    /// `Core.Computed` that means `true`.
    pub value: Option<Expression>,
    pub annotations: Annotations,
    pub origin: Origin,
}

/// The annotations applied to one model element, inline or from an external
/// `Annotations` block, in a stable order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Annotations(pub Vec<Annotation>);

/// One value of `Validation.AllowedValues`, with its `Core.Description`
/// and `Core.SymbolicName`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AllowedValue<'a> {
    /// The value as written (strings and numbers alike).
    pub value: &'a str,
    pub description: Option<&'a str>,
    /// A name for the value in code (SAP CAP writes one per enum value).
    pub symbolic_name: Option<&'a str>,
}

/// `Core.Permissions` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    None,
    Read,
    Write,
    ReadWrite,
}

/// The capability restrictions of an entity set (absent means "not restricted").
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Capabilities {
    pub insertable: Option<bool>,
    pub updatable: Option<bool>,
    pub deletable: Option<bool>,
    pub sortable: Option<bool>,
    pub filterable: Option<bool>,
    pub change_tracking: Option<bool>,
    pub non_sortable_properties: Vec<String>,
    pub non_filterable_properties: Vec<String>,
    pub required_insert_properties: Vec<String>,
}

impl Capabilities {
    pub fn can_insert(&self) -> bool {
        self.insertable.unwrap_or(true)
    }
    pub fn can_update(&self) -> bool {
        self.updatable.unwrap_or(true)
    }
    pub fn can_delete(&self) -> bool {
        self.deletable.unwrap_or(true)
    }
    pub fn can_sort(&self) -> bool {
        self.sortable.unwrap_or(true)
    }
    pub fn can_filter(&self) -> bool {
        self.filterable.unwrap_or(true)
    }
    /// Not insertable, not updatable and not deletable.
    pub fn is_read_only(&self) -> bool {
        !self.can_insert() && !self.can_update() && !self.can_delete()
    }
}

/// One alternate key: the properties that identify an entity, with the alias
/// used in the URL (`companies(name='CRONUS')`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlternateKey {
    pub parts: Vec<AlternateKeyPart>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlternateKeyPart {
    pub alias: String,
    pub property: String,
}

impl Annotations {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Annotation> {
        self.0.iter()
    }

    /// The unqualified annotation with this term, if any.
    pub fn get(&self, namespace: &str, name: &str) -> Option<&Annotation> {
        self.0.iter().find(|a| a.qualifier.is_none() && a.term.namespace == namespace && a.term.name == name)
    }

    fn tag(&self, namespace: &str, name: &str) -> Option<bool> {
        let annotation = self.get(namespace, name)?;
        match &annotation.value {
            None => Some(true),
            Some(value) => value.as_bool(),
        }
    }

    fn record(&self, namespace: &str, name: &str) -> Option<&Record> {
        self.get(namespace, name)?.value.as_ref()?.as_record()
    }

    pub fn description(&self) -> Option<&str> {
        self.get(CORE, "Description")?.value.as_ref()?.as_str()
    }

    /// A short human name: SAP's `Common.Label` (what SAP services publish
    /// instead of descriptions).
    pub fn label(&self) -> Option<&str> {
        self.get(SAP_COMMON, "Label")?.value.as_ref()?.as_str()
    }

    pub fn long_description(&self) -> Option<&str> {
        self.get(CORE, "LongDescription")?.value.as_ref()?.as_str()
    }

    pub fn computed(&self) -> bool {
        self.tag(CORE, "Computed").unwrap_or(false)
    }

    /// `Core.ComputedDefaultValue`: the service computes the value when
    /// a create leaves it out (a key a client may still choose).
    pub fn computed_default_value(&self) -> bool {
        self.tag(CORE, "ComputedDefaultValue").unwrap_or(false)
    }

    /// `Core.OptionalParameter` on an operation parameter: `None` when the
    /// parameter is required, else the default the service applies when it
    /// is left out (`Some(None)` when the annotation names none).
    pub fn optional_parameter(&self) -> Option<Option<&str>> {
        let annotation = self.get(CORE, "OptionalParameter")?;
        let default = annotation.value.as_ref().and_then(|v| v.as_record()).and_then(|r| r.get("DefaultValue"));
        Some(default.and_then(|d| d.as_str()))
    }

    /// `Validation.AllowedValues`: the values a property or parameter may
    /// take (how SAP and CAP describe an enumeration without an enum type),
    /// in the order written; empty when not annotated.
    pub fn allowed_values(&self) -> Vec<AllowedValue<'_>> {
        let Some(values) = self.get(VALIDATION, "AllowedValues").and_then(|a| a.value.as_ref()) else {
            return Vec::new();
        };
        values
            .as_collection()
            .iter()
            .filter_map(|item| {
                let record = item.as_record()?;
                let value = record.get("Value")?;
                let description = record.annotations.description();
                let symbolic_name = record
                    .annotations
                    .get(CORE, "SymbolicName")
                    .and_then(|a| a.value.as_ref())
                    .and_then(|v| v.as_str());
                Some(AllowedValue { value: value.as_str()?, description, symbolic_name })
            })
            .collect()
    }

    pub fn immutable(&self) -> bool {
        self.tag(CORE, "Immutable").unwrap_or(false)
    }

    pub fn is_language_dependent(&self) -> bool {
        self.tag(CORE, "IsLanguageDependent").unwrap_or(false)
    }

    pub fn permissions(&self) -> Option<Permission> {
        let value = self.get(CORE, "Permissions")?.value.as_ref()?.as_str()?;
        // Flags are written as `Core.Permission/Read Core.Permission/Write` or by name.
        let (mut read, mut write, mut none) = (false, false, false);
        for flag in value.split_whitespace() {
            match flag.rsplit('/').next().unwrap_or(flag) {
                "Read" => read = true,
                "Write" => write = true,
                "ReadWrite" => (read, write) = (true, true),
                "None" => none = true,
                _ => {}
            }
        }
        Some(match (read, write) {
            (true, true) => Permission::ReadWrite,
            (true, false) => Permission::Read,
            (false, true) => Permission::Write,
            (false, false) if none => Permission::None,
            (false, false) => return None,
        })
    }

    /// Property paths whose values make up the entity's ETag.
    pub fn optimistic_concurrency(&self) -> Option<Vec<String>> {
        let value = self.get(CORE, "OptimisticConcurrency")?.value.as_ref()?;
        Some(value.as_collection().iter().filter_map(|e| e.as_str().map(str::to_owned)).collect())
    }

    pub fn capabilities(&self) -> Capabilities {
        let flag = |term: &str, property: &str| self.record(CAPABILITIES, term)?.get(property)?.as_bool();
        let paths = |term: &str, property: &str| -> Vec<String> {
            self.record(CAPABILITIES, term)
                .and_then(|r| r.get(property))
                .map(|e| e.as_collection().iter().filter_map(|p| p.as_str().map(str::to_owned)).collect())
                .unwrap_or_default()
        };
        Capabilities {
            insertable: flag("InsertRestrictions", "Insertable"),
            updatable: flag("UpdateRestrictions", "Updatable"),
            deletable: flag("DeleteRestrictions", "Deletable"),
            sortable: flag("SortRestrictions", "Sortable"),
            filterable: flag("FilterRestrictions", "Filterable"),
            change_tracking: flag("ChangeTracking", "Supported"),
            non_sortable_properties: paths("SortRestrictions", "NonSortableProperties"),
            non_filterable_properties: paths("FilterRestrictions", "NonFilterableProperties"),
            required_insert_properties: paths("InsertRestrictions", "RequiredProperties"),
        }
    }

    /// Alternate keys from `OData.Community.Keys.V1.AlternateKeys` or its
    /// successor `Org.OData.Core.V1.AlternateKeys`.
    pub fn alternate_keys(&self) -> Vec<AlternateKey> {
        let annotation = self.get(COMMUNITY_KEYS, "AlternateKeys").or_else(|| self.get(CORE, "AlternateKeys"));
        let Some(Some(value)) = annotation.map(|a| a.value.as_ref()) else {
            return Vec::new();
        };
        value
            .as_collection()
            .iter()
            .filter_map(Expression::as_record)
            .map(|key| AlternateKey {
                parts: key
                    .get("Key")
                    .map(Expression::as_collection)
                    .unwrap_or_default()
                    .iter()
                    .filter_map(Expression::as_record)
                    .filter_map(|part| {
                        let property = part.get("Name")?.as_str()?.to_owned();
                        let alias = part.get("Alias").and_then(Expression::as_str).unwrap_or(&property).to_owned();
                        Some(AlternateKeyPart { alias, property })
                    })
                    .collect(),
            })
            .filter(|key| !key.parts.is_empty())
            .collect()
    }
}
