//! Facts about a service that its `$metadata` does not state: descriptions,
//! read-only properties, size limits, documented values. They come from
//! documentation a customization reads (resource docs, say) and refine what
//! is generated: rustdoc, which properties payloads leave out, which
//! constructor arguments are optional.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use crate::ir::QualifiedName;

/// An entity type of one API route: (route, qualified type name).
pub type EntityKey = (String, QualifiedName);

/// The HTTP methods documentation can say a resource supports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Method {
    /// `GET`
    Get,
    /// `POST`
    Post,
    /// `PATCH`
    Patch,
    /// `DELETE`
    Delete,
}

impl Method {
    /// Parses a method name (case-insensitive); `PUT` and others are not
    /// methods OData writes use here.
    pub fn parse(word: &str) -> Option<Method> {
        match word.to_ascii_uppercase().as_str() {
            "GET" => Some(Method::Get),
            "POST" => Some(Method::Post),
            "PATCH" => Some(Method::Patch),
            "DELETE" => Some(Method::Delete),
            _ => None,
        }
    }

    /// The method as written in HTTP (`GET`).
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What documentation says about one property. Only properties the schema
/// has get facts, under the schema's spelling of the name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PropertyDocFacts {
    /// What the property holds.
    pub description: Option<String>,
    /// The property cannot be written ("Read-only.", "Non-editable").
    pub read_only: bool,
    /// The most characters it holds.
    pub max_length: Option<u64>,
    /// Documented values, as the documentation writes them.
    pub enum_values: Vec<String>,
    /// The service fills the value when a create request omits it, so a
    /// required constructor argument can be relaxed to an optional one.
    pub optional_on_create: bool,
}

/// What documentation says about one entity type.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EntityDocFacts {
    /// The documents the facts came from, in the order they were applied.
    pub sources: Vec<String>,
    /// What the entity type is.
    pub description: Option<String>,
    /// The methods the documentation says the resource supports.
    pub methods: BTreeSet<Method>,
    /// Keyed by the schema's property name.
    pub properties: BTreeMap<String, PropertyDocFacts>,
}

/// The facts the generator uses, by entity type.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DocFacts {
    /// Facts per entity type of a route.
    pub entities: BTreeMap<EntityKey, EntityDocFacts>,
}

impl DocFacts {
    /// The facts for an entity type of a route, if any.
    pub fn entity(&self, route: &str, entity: &QualifiedName) -> Option<&EntityDocFacts> {
        self.entities.get(&(route.to_owned(), entity.clone()))
    }

    /// The facts for one property (by its schema name) of an entity type.
    pub fn property(&self, route: &str, entity: &QualifiedName, property: &str) -> Option<&PropertyDocFacts> {
        self.entity(route, entity)?.properties.get(property)
    }

    /// Adds the facts of `other` for entity types this holds nothing about.
    pub fn merge(&mut self, other: DocFacts) {
        for (key, entity) in other.entities {
            self.entities.entry(key).or_insert(entity);
        }
    }
}
