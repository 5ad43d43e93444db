//! Every name of a generated API. Module and type names are chosen once,
//! in a fixed order, before anything is planned: a reference to a type from
//! anywhere reads its name here. The rules for any other name (a field, a
//! method) live here too: `case` turns OData names into Rust identifiers
//! and hands out unique ones per scope, `words` recovers word boundaries a
//! service left out and singulars for types named like their sets.

mod case;
mod words;

use std::collections::{BTreeMap, BTreeSet};

pub use case::{Escape, Scope, camel, escape, escaped, snake};
pub use words::{Vocabulary, singular};

use crate::ir::{Model, Primitive, Property, QualifiedName, TypeTarget};

/// The methods every generated path type has, by name: the renderer writes
/// them under these names, and the plan keeps navigation, operation and
/// stream methods off them (and off the methods of the std traits the path
/// types implement, which an inherent method of the same name would hide).
pub mod path_methods {
    /// Reads a collection.
    pub const LIST: &str = "list";
    /// Counts a collection.
    pub const COUNT: &str = "count";
    /// Creates an entity in a collection.
    pub const CREATE: &str = "create";
    /// One entity of a collection, by key.
    pub const KEY: &str = "key";
    /// Reads one entity.
    pub const GET: &str = "get";
    /// Changes one entity, guarded by its ETag.
    pub const UPDATE: &str = "update";
    /// Changes one entity whatever its version.
    pub const UPDATE_UNCONDITIONALLY: &str = "update_unconditionally";
    /// Deletes one entity, guarded by its ETag.
    pub const DELETE: &str = "delete";
    /// Deletes one entity whatever its version.
    pub const DELETE_UNCONDITIONALLY: &str = "delete_unconditionally";
    /// Narrows to a derived type.
    pub const CAST: &str = "cast";
    /// The runtime's untyped path.
    pub const RAW: &str = "raw";
    /// The absolute URL.
    pub const URL: &str = "url";

    /// Every name above, and those of the std traits path types implement.
    pub const TAKEN: &[&str] = &[
        LIST,
        COUNT,
        CREATE,
        KEY,
        GET,
        UPDATE,
        UPDATE_UNCONDITIONALLY,
        DELETE,
        DELETE_UNCONDITIONALLY,
        CAST,
        RAW,
        URL,
        "clone",
        "clone_from",
        "fmt",
        "from",
        "into",
        "try_from",
        "try_into",
        "eq",
        "ne",
        "borrow",
        "borrow_mut",
        "to_owned",
        "type_id",
    ];
}

/// Methods of generated payload types that setters must not take.
pub const PAYLOAD_RESERVED: &[&str] =
    &["new", "set", "set_null", "unset", "fields", "to_json", "clone", "fmt", "default"];

/// Methods of the generated API entry point.
pub const ROOT_RESERVED: &[&str] = &["new", "with_route", "raw", "batch", "default_company", "client", "clone", "fmt"];

/// Module names the generated tree uses itself: the enum and complex type
/// modules, an entity module's marker module, and `rt`, the name every
/// generated file gives the runtime crate.
const MODULE_RESERVED: &[&str] = &["enums", "complex", "fields", "paths", "rt"];

/// The Rust path of an entity type: its namespace module (`None` when all
/// types live at the API root), its own module and its struct.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntityName {
    /// The namespace module, if types are split by namespace.
    pub namespace: Option<String>,
    /// The entity's module.
    pub module: String,
    /// The entity struct.
    pub struct_name: String,
    /// One entity, in snake case, for accessors by key (`sales_invoice`,
    /// `book` for a type `Books` named like its set).
    pub one: String,
}

/// The Rust path of an enum or complex type: its namespace module and name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeName {
    /// The namespace module, if types are split by namespace.
    pub namespace: Option<String>,
    /// The type's name.
    pub name: String,
}

/// The module and type names of one API, and the words its names are made of.
pub struct Names {
    /// Word boundaries for names written without them.
    pub vocabulary: Vocabulary,
    /// `(namespace, module)` for each namespace that declares types, when
    /// there is more than one; empty otherwise.
    pub namespaces: Vec<(String, String)>,
    pub entities: BTreeMap<QualifiedName, EntityName>,
    pub enums: BTreeMap<QualifiedName, TypeName>,
    /// The types generated for properties whose values
    /// `Validation.AllowedValues` lists, by declaring type and property
    /// name: `BookGenre` for `Books/genre`. They live among the enums.
    pub allowed: BTreeMap<(QualifiedName, String), TypeName>,
    pub complexes: BTreeMap<QualifiedName, TypeName>,
    /// The marker and path types of every entity set and singleton (by
    /// name) and of every entity type no set exposes (by qualified name,
    /// which has a dot and so cannot clash with a set name).
    pub set_markers: BTreeMap<String, SetNames>,
}

impl Names {
    /// Every name in the model, chosen in its order.
    pub fn choose(model: &Model) -> Names {
        let vocabulary = Vocabulary::of(model);
        let namespaces = namespace_modules(model);
        // A type named like its entity set (SAP CAP names both `Books`)
        // takes the singular for its own names: `book::Book`, `book(id)`.
        let set_names: BTreeSet<String> = model.entity_sets().iter().map(|s| s.name.to_ascii_lowercase()).collect();
        let base = |name: &QualifiedName| -> String {
            let named_like_a_set = set_names.contains(&name.name.to_ascii_lowercase());
            let own = if named_like_a_set {
                singular(&name.name).unwrap_or_else(|| name.name.clone())
            } else {
                name.name.clone()
            };
            vocabulary.readable(&own)
        };
        let namespace_of = |name: &QualifiedName| -> Option<String> {
            namespaces.iter().find(|(ns, _)| *ns == name.namespace).map(|(_, module)| module.clone())
        };
        // Each namespace module is a scope of its own (one scope when flat).
        let mut module_scopes: BTreeMap<Option<String>, Scope> = BTreeMap::new();
        let entities = model
            .entity_types
            .keys()
            .map(|name| {
                let namespace = namespace_of(name);
                let scope =
                    module_scopes.entry(namespace.clone()).or_insert_with(|| Scope::with_reserved(MODULE_RESERVED));
                let base = base(name);
                let module = scope.claim(&snake(&base), "_entity");
                (name.clone(), EntityName { namespace, module, struct_name: camel(&base), one: snake(&base) })
            })
            .collect();
        let mut enum_scopes: BTreeMap<Option<String>, Scope> = BTreeMap::new();
        let enums = model
            .enum_types
            .keys()
            .map(|n| {
                let namespace = namespace_of(n);
                let name = enum_scopes
                    .entry(namespace.clone())
                    .or_default()
                    .claim(&camel(&vocabulary.readable(&n.name)), "Enum");
                (n.clone(), TypeName { namespace, name })
            })
            .collect();
        // After the enum types, so that a declared enum keeps its name.
        let mut allowed = BTreeMap::new();
        let owners =
            model.entity_types.values().map(|e| (&e.name, &e.properties, base(&e.name))).chain(
                model.complex_types.values().map(|c| (&c.name, &c.properties, vocabulary.readable(&c.name.name))),
            );
        for (owner, properties, owner_name) in owners {
            let key = model.entity_types.get(owner).and_then(|e| model.key_of(e)).unwrap_or_default();
            for property in properties {
                if allowed_values_form(property).is_none() || key.iter().any(|k| k.name == property.name) {
                    continue;
                }
                let namespace = namespace_of(owner);
                let wanted = camel(&format!("{owner_name}_{}", vocabulary.readable(&property.name)));
                let name = enum_scopes.entry(namespace.clone()).or_default().claim(&wanted, "Values");
                allowed.insert((owner.clone(), property.name.clone()), TypeName { namespace, name });
            }
        }
        // A complex type's deserializer is `{Name}Visitor`, beside it in the
        // same module: no complex type may take such a name.
        let mut complex_scopes: BTreeMap<Option<String>, Scope> = BTreeMap::new();
        for name in model.complex_types.keys() {
            let scope = complex_scopes.entry(namespace_of(name)).or_default();
            scope.reserve(&format!("{}Visitor", camel(&vocabulary.readable(&name.name))));
        }
        let complexes = model
            .complex_types
            .keys()
            .map(|n| {
                let namespace = namespace_of(n);
                let name = complex_scopes
                    .entry(namespace.clone())
                    .or_default()
                    .claim(&camel(&vocabulary.readable(&n.name)), "Type");
                (n.clone(), TypeName { namespace, name })
            })
            .collect();
        let set_markers = set_markers(model, &entities, &vocabulary);
        Names { vocabulary, namespaces, entities, enums, allowed, complexes, set_markers }
    }

    /// `name` with word boundaries recovered (see [`Vocabulary::readable`]).
    pub fn readable(&self, name: &str) -> String {
        self.vocabulary.readable(name)
    }
}

/// How a property's values are written when `Validation.AllowedValues`
/// lists them and a type is generated for them: a single string or integer
/// (a collection, or a value that is not an integer of an integer property,
/// keeps the plain type and lists the values in the docs only).
pub fn allowed_values_form(property: &Property) -> Option<AllowedForm> {
    let allowed = property.annotations.allowed_values();
    let TypeTarget::Primitive(primitive) = property.ty.target else { return None };
    if allowed.is_empty() || property.ty.collection {
        return None;
    }
    match primitive {
        Primitive::String => Some(AllowedForm::Text),
        Primitive::Byte | Primitive::SByte | Primitive::Int16 | Primitive::Int32 | Primitive::Int64
            if allowed.iter().all(|a| a.value.parse::<i64>().is_ok()) =>
        {
            Some(AllowedForm::Integer)
        }
        _ => None,
    }
}

/// What the values of a type generated from `Validation.AllowedValues` are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AllowedForm {
    /// Strings.
    Text,
    /// Integers.
    Integer,
}

/// One module per namespace that declares entity, complex or enum types,
/// when there are several (Microsoft Graph has eleven); none when there is
/// one, whose types then live at the API root as they always have.
fn namespace_modules(model: &Model) -> Vec<(String, String)> {
    let declaring: BTreeSet<&str> = model
        .entity_types
        .keys()
        .chain(model.complex_types.keys())
        .chain(model.enum_types.keys())
        .map(|n| n.namespace.as_str())
        .collect();
    if declaring.len() <= 1 {
        return Vec::new();
    }
    let mut scope = Scope::with_reserved(MODULE_RESERVED);
    declaring.into_iter().map(|ns| (ns.to_owned(), scope.claim(&snake(&ns.replace('.', "_")), "_namespace"))).collect()
}

/// The names that stand for one entity set (or singleton, or set-less
/// entity type) in its entity type's module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetNames {
    /// The entity type.
    pub entity_type: QualifiedName,
    /// The marker type (`Customers`), which the runtime's generic code is
    /// parameterised by.
    pub marker: String,
    /// The path to the collection (`CustomersPath`); none for a singleton.
    pub collection_path: Option<String>,
    /// The path to one entity (`CustomerPath`).
    pub entity_path: String,
}

/// Markers and path types for entity sets, singletons and set-less entity
/// types, each in the scope of its entity type's module. Markers are chosen
/// first, so that adding path types never renames a marker. The first set of
/// a type gets the plain entity path (`CustomerPath`); a further set's
/// entities are `{Marker}ItemPath`.
fn set_markers(
    model: &Model,
    entities: &BTreeMap<QualifiedName, EntityName>,
    vocabulary: &Vocabulary,
) -> BTreeMap<String, SetNames> {
    let mut markers: Vec<(String, QualifiedName, String, Kind)> = Vec::new();
    let mut scopes: BTreeMap<QualifiedName, Scope> = BTreeMap::new();
    let struct_of = |ty: &QualifiedName| entities.get(ty).map_or_else(|| camel(&ty.name), |e| e.struct_name.clone());
    let scope_of = |ty: &QualifiedName| -> Scope {
        let struct_name = struct_of(ty);
        Scope::with_reserved(&[
            &struct_name,
            &format!("{struct_name}Create"),
            &format!("{struct_name}Update"),
            &format!("{struct_name}Key"),
            &format!("{struct_name}Visitor"),
        ])
    };
    for set in model.entity_sets() {
        let scope = scopes.entry(set.entity_type.clone()).or_insert_with(|| scope_of(&set.entity_type));
        let marker = scope.claim(&camel(&vocabulary.readable(&set.name)), "Set");
        markers.push((set.name.clone(), set.entity_type.clone(), marker, Kind::Set));
    }
    for singleton in model.singletons() {
        let scope = scopes.entry(singleton.ty.clone()).or_insert_with(|| scope_of(&singleton.ty));
        let marker = scope.claim(&camel(&vocabulary.readable(&singleton.name)), "Singleton");
        markers.push((singleton.name.clone(), singleton.ty.clone(), marker, Kind::Singleton));
    }
    // A type that no entity set exposes is still reached through navigation
    // properties (or a singleton); it gets a marker of its own, keyed by its
    // qualified name.
    let exposed: BTreeSet<&QualifiedName> = model.entity_sets().iter().map(|s| &s.entity_type).collect();
    for name in model.entity_types.keys().filter(|n| !exposed.contains(n)) {
        let struct_name = struct_of(name);
        let scope = scopes.entry(name.clone()).or_insert_with(|| scope_of(name));
        let marker = scope.claim(&format!("{struct_name}Entities"), "Set");
        markers.push((name.to_string(), name.clone(), marker, Kind::Set));
    }
    for (_, ty, marker, _) in &markers {
        if let Some(scope) = scopes.get_mut(ty) {
            scope.reserve(marker);
        }
    }
    let mut named = BTreeMap::new();
    let mut has_entity_path: BTreeSet<QualifiedName> = BTreeSet::new();
    for (key, ty, marker, kind) in markers {
        let scope = scopes.entry(ty.clone()).or_insert_with(|| scope_of(&ty));
        let (collection_path, entity_path) = match kind {
            Kind::Singleton => (None, scope.claim(&format!("{marker}Path"), "Entity")),
            Kind::Set => {
                let collection = scope.claim(&format!("{marker}Path"), "Collection");
                let entity = if has_entity_path.insert(ty.clone()) {
                    scope.claim(&format!("{}Path", struct_of(&ty)), "Entity")
                } else {
                    scope.claim(&format!("{marker}ItemPath"), "Entity")
                };
                (Some(collection), entity)
            }
        };
        named.insert(key, SetNames { entity_type: ty, marker, collection_path, entity_path });
    }
    named
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Set,
    Singleton,
}

/// The by-key accessor of a collection named `collection` (a set or a
/// navigation, in snake case) whose entity type reads `one` and is keyed
/// by `key` (snake case): `one` itself when free (`sales_invoice_lines` →
/// `sales_invoice_line`, `people` → `person`), else the collection's own
/// singular (`archived_shipments` → `archived_shipment`, `direct_reports`
/// → `direct_report`), else the collection by its key (`member_of` →
/// `member_of_by_id`), so that every collection of a type gets a name of
/// its own; the caller's scope adds a suffix only if all of them are taken.
pub fn one_of(collection: &str, one: &str, key: &[String], scope: &Scope) -> String {
    if !scope.is_taken(one) {
        return one.to_owned();
    }
    let (head, last) = match collection.rsplit_once('_') {
        Some((head, last)) => (format!("{head}_"), last),
        None => (String::new(), collection),
    };
    if let Some(singular) = words::singular(last).map(|s| format!("{head}{s}"))
        && !scope.is_taken(&singular)
    {
        return singular;
    }
    let key = if key.is_empty() { "key".to_owned() } else { key.join("_and_") };
    format!("{collection}_by_{key}")
}
