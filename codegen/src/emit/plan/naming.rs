//! Every module and type name of a generated API, chosen once, in a fixed
//! order, before anything is planned: a reference to a type from anywhere
//! reads its name here.

use std::collections::{BTreeMap, BTreeSet};

use crate::emit::names::{Scope, camel, snake};
use crate::ir::{Model, QualifiedName};

/// Names generated path methods must not take: the runtime paths' public
/// methods (reached through `Deref`, so a generated method of the same name
/// would shadow them), the generated wrappers' own (`key`, `cast`), and the
/// methods of the std traits the wrappers implement or generated code calls
/// (an inherent `fn from(&self)` would hide `From::from` for the whole type).
/// `codegen/tests/reserved_names.rs` checks this against the runtime's source.
pub const PATH_RESERVED: &[&str] = &[
    // odata-v4-runtime: CollectionPath, EntityPath, MediaPath.
    "new",
    "api",
    "path",
    "url",
    "collection",
    "single",
    "action",
    "function",
    "function_with_aliases",
    "key_path",
    "alternate_key_path",
    "list",
    "create",
    "count",
    "get",
    "update",
    "update_unconditionally",
    "delete",
    "delete_unconditionally",
    "media",
    "download",
    "upload",
    "cast",
    // The generated wrappers.
    "key",
    // std traits implemented by the wrappers or in every prelude.
    "clone",
    "clone_from",
    "fmt",
    "deref",
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
    pub namespace: Option<String>,
    pub module: String,
    pub struct_name: String,
}

/// The Rust path of an enum or complex type: its namespace module and name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeName {
    pub namespace: Option<String>,
    pub name: String,
}

pub struct Names {
    /// `(namespace, module)` for each namespace that declares types, when
    /// there is more than one; empty otherwise.
    pub namespaces: Vec<(String, String)>,
    pub entities: BTreeMap<QualifiedName, EntityName>,
    pub enums: BTreeMap<QualifiedName, TypeName>,
    pub complexes: BTreeMap<QualifiedName, TypeName>,
    /// Marker of every entity set and singleton (by name) and of every
    /// entity type no set exposes (by qualified name, which has a dot and so
    /// cannot clash with a set name): the type and the marker.
    pub set_markers: BTreeMap<String, (QualifiedName, String)>,
}

impl Names {
    /// Every name in the model, chosen in its order.
    pub fn choose(model: &Model) -> Names {
        let namespaces = namespace_modules(model);
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
                let module = scope.claim(&snake(&name.name), "_entity");
                (name.clone(), EntityName { namespace, module, struct_name: camel(&name.name) })
            })
            .collect();
        let mut enum_scopes: BTreeMap<Option<String>, Scope> = BTreeMap::new();
        let enums = model
            .enum_types
            .keys()
            .map(|n| {
                let namespace = namespace_of(n);
                let name = enum_scopes.entry(namespace.clone()).or_default().claim(&camel(&n.name), "Enum");
                (n.clone(), TypeName { namespace, name })
            })
            .collect();
        // A complex type's deserializer is `{Name}Visitor`, beside it in the
        // same module: no complex type may take such a name.
        let mut complex_scopes: BTreeMap<Option<String>, Scope> = BTreeMap::new();
        for name in model.complex_types.keys() {
            let scope = complex_scopes.entry(namespace_of(name)).or_default();
            scope.reserve(&format!("{}Visitor", camel(&name.name)));
        }
        let complexes = model
            .complex_types
            .keys()
            .map(|n| {
                let namespace = namespace_of(n);
                let name = complex_scopes.entry(namespace.clone()).or_default().claim(&camel(&n.name), "Type");
                (n.clone(), TypeName { namespace, name })
            })
            .collect();
        let set_markers = set_markers(model);
        Names { namespaces, entities, enums, complexes, set_markers }
    }
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

/// Markers for entity sets, singletons and set-less entity types, each in
/// the scope of its entity type's module.
fn set_markers(model: &Model) -> BTreeMap<String, (QualifiedName, String)> {
    let mut set_markers = BTreeMap::new();
    let mut marker_scopes: BTreeMap<&QualifiedName, Scope> = BTreeMap::new();
    let scope_of = |ty: &QualifiedName| -> Scope {
        let struct_name = camel(&ty.name);
        Scope::with_reserved(&[
            &struct_name,
            &format!("{struct_name}Create"),
            &format!("{struct_name}Update"),
            &format!("{struct_name}Key"),
            &format!("{struct_name}Visitor"),
        ])
    };
    for set in model.entity_sets() {
        let scope = marker_scopes.entry(&set.entity_type).or_insert_with(|| scope_of(&set.entity_type));
        let marker = scope.claim(&camel(&set.name), "Set");
        set_markers.insert(set.name.clone(), (set.entity_type.clone(), marker));
    }
    for singleton in model.singletons() {
        let scope = marker_scopes.entry(&singleton.ty).or_insert_with(|| scope_of(&singleton.ty));
        let marker = scope.claim(&camel(&singleton.name), "Singleton");
        set_markers.insert(singleton.name.clone(), (singleton.ty.clone(), marker));
    }
    // A type that no entity set exposes is still reached through navigation
    // properties (or a singleton); it gets a marker of its own, keyed by its
    // qualified name.
    let exposed: BTreeSet<&QualifiedName> = model.entity_sets().iter().map(|s| &s.entity_type).collect();
    for name in model.entity_types.keys().filter(|n| !exposed.contains(n)) {
        let struct_name = camel(&name.name);
        let scope = marker_scopes.entry(name).or_insert_with(|| scope_of(name));
        let marker = scope.claim(&format!("{struct_name}Entities"), "Set");
        set_markers.insert(name.to_string(), (name.clone(), marker));
    }
    set_markers
}
