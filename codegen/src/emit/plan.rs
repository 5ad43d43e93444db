//! The API plan: what to generate for one service, derived from the model
//! (and resource docs), with every Rust name chosen. Rendering reads only
//! the plan, so naming and capability decisions live in one place and
//! stay independent of `quote`.

use std::collections::{BTreeMap, BTreeSet};

use super::names::{Scope, camel, snake};
use crate::docs::{DocFacts, EntityDocFacts, PropertyDocFacts};
use crate::ir::annotations::{Capabilities, Permission};
use crate::ir::*;

/// Which conventions the service follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// Microsoft Dynamics 365 Business Central: keys are assigned by the
    /// server, lambda filters are ignored, system fields are read-only.
    BusinessCentral,
    /// Any other OData v4 service.
    Standard,
}

impl Dialect {
    /// Business Central publishes its API in the `Microsoft.NAV` namespace.
    pub fn detect(model: &Model) -> Dialect {
        if model.schemas.iter().any(|s| s.namespace == "Microsoft.NAV") {
            Dialect::BusinessCentral
        } else {
            Dialect::Standard
        }
    }
}

/// Fields Business Central maintains itself on every table it exposes.
const BC_SYSTEM_FIELDS: &[&str] = &[
    "lastModifiedDateTime",
    "systemCreatedAt",
    "systemCreatedBy",
    "systemModifiedAt",
    "systemModifiedBy",
    "systemVersion",
];

/// Names generated path methods must not take: the runtime paths' public
/// methods (reached through `Deref`, so a generated method of the same name
/// would shadow them), the generated wrappers' own (`key`), and the methods
/// of the std traits the wrappers implement or generated code calls (an
/// inherent `fn from(&self)` would hide `From::from` for the whole type).
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
const PAYLOAD_RESERVED: &[&str] = &["new", "set", "set_null", "unset", "fields", "to_json", "clone", "fmt", "default"];

/// Methods of the generated API entry point.
const ROOT_RESERVED: &[&str] = &["new", "with_route", "raw", "batch", "default_company", "client", "clone", "fmt"];

/// A Rust type for a property, parameter or return value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RustType {
    Primitive(Primitive),
    Enum { name: String },
    Complex { name: String },
    Entity { module: String, name: String },
    Collection(Box<RustType>),
}

impl RustType {
    pub fn is_stream(&self) -> bool {
        matches!(self, RustType::Primitive(Primitive::Stream))
    }
}

#[derive(Debug, Clone)]
pub struct FieldPlan {
    pub wire: String,
    /// Field name in the struct (not escaped).
    pub ident: String,
    /// Marker type in the `fields` module.
    pub marker: String,
    /// Handle function (`customer::display_name()`).
    pub handle: String,
    /// Setter on create/update payloads.
    pub setter: String,
    pub ty: RustType,
    pub nullable: bool,
    pub is_key: bool,
    pub settable_on_create: bool,
    pub settable_on_update: bool,
    pub required_on_create: bool,
    pub docs: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct TargetRef {
    pub set_name: String,
    pub module: String,
    pub entity: String,
    pub set_marker: String,
    pub qualified: QualifiedName,
}

#[derive(Debug, Clone)]
pub struct NavPlan {
    pub wire: String,
    pub ident: String,
    pub marker: String,
    pub handle: String,
    pub collection: bool,
    pub target: TargetRef,
    /// Path method (`sales_invoice_lines()`).
    pub path_method: String,
    /// By-key accessor for collections (`sales_invoice_line(id)`).
    pub key_method: Option<String>,
    /// The target type's key, for the by-key accessor.
    pub target_key: Vec<KeyPart>,
    /// The target's composite key struct, if it has one.
    pub target_key_struct: Option<String>,
    /// Setter for a deep insert on the create payload.
    pub deep_insert_setter: Option<String>,
    pub docs: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct SetPlan {
    pub name: String,
    pub marker: String,
    pub capabilities: Capabilities,
    pub docs: Vec<String>,
    /// No entity set exposes the type; the marker stands for "reached
    /// through a navigation property".
    pub synthetic: bool,
}

#[derive(Debug, Clone)]
pub struct KeyPart {
    pub wire: String,
    pub ident: String,
    pub ty: RustType,
}

#[derive(Debug, Clone)]
pub struct AlternateKeyPlan {
    /// `by_name`
    pub method: String,
    pub parts: Vec<KeyPart>,
}

#[derive(Debug, Clone)]
pub struct ParameterPlan {
    pub wire: String,
    pub ident: String,
    pub ty: RustType,
    pub nullable: bool,
}

#[derive(Debug, Clone)]
pub struct OperationPlan {
    pub kind: OperationKind,
    /// `Microsoft.NAV.post`
    pub qualified: String,
    pub method: String,
    pub parameters: Vec<ParameterPlan>,
    pub returns: Option<(RustType, bool)>,
    pub docs: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct StreamPlan {
    pub wire: String,
    pub method: String,
}

#[derive(Debug, Clone)]
pub struct EntityPlan {
    pub qualified: QualifiedName,
    pub module: String,
    pub struct_name: String,
    pub create_name: String,
    pub update_name: String,
    pub key_struct: Option<String>,
    pub key: Vec<KeyPart>,
    pub fields: Vec<FieldPlan>,
    pub navigations: Vec<NavPlan>,
    pub sets: Vec<SetPlan>,
    pub alternate_keys: Vec<AlternateKeyPlan>,
    pub actions: Vec<OperationPlan>,
    pub collection_actions: Vec<OperationPlan>,
    pub streams: Vec<StreamPlan>,
    pub media_method: Option<String>,
    pub etag_field: String,
    pub extra_field: String,
    pub always_selected: Vec<String>,
    pub docs: Vec<String>,
}

impl EntityPlan {
    pub fn insertable(&self) -> bool {
        self.sets.iter().any(|s| s.capabilities.can_insert())
    }
    pub fn updatable(&self) -> bool {
        self.sets.iter().any(|s| s.capabilities.can_update())
    }
}

#[derive(Debug, Clone)]
pub struct MemberPlan {
    pub wire: String,
    pub variant: String,
    pub display: String,
    pub value: i64,
}

#[derive(Debug, Clone)]
pub struct EnumPlan {
    pub qualified: QualifiedName,
    pub name: String,
    pub members: Vec<MemberPlan>,
    pub unknown_variant: String,
    pub is_flags: bool,
    pub docs: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct ComplexPlan {
    pub qualified: QualifiedName,
    pub name: String,
    pub fields: Vec<FieldPlan>,
    pub extra_field: String,
    pub docs: Vec<String>,
}

/// An entity set reachable from the API root.
#[derive(Debug, Clone)]
pub struct RootSetPlan {
    pub set: String,
    pub target: TargetRef,
    pub collection_method: String,
    pub key_method: String,
    pub key: Vec<KeyPart>,
    pub alternate_keys: Vec<(String, AlternateKeyPlan)>,
}

#[derive(Debug, Clone)]
pub struct ApiPlan {
    pub route: String,
    pub dialect: Dialect,
    pub entities: Vec<EntityPlan>,
    pub enums: Vec<EnumPlan>,
    pub complexes: Vec<ComplexPlan>,
    pub root_sets: Vec<RootSetPlan>,
    pub imports: Vec<OperationPlan>,
    /// The root set of companies, when the service is BC-shaped.
    pub company_set: Option<usize>,
    /// Things the generator left out, to tell the maintainer.
    pub warnings: Vec<String>,
}

struct Names {
    entity_modules: BTreeMap<QualifiedName, (String, String)>,
    enums: BTreeMap<QualifiedName, String>,
    complexes: BTreeMap<QualifiedName, String>,
    set_markers: BTreeMap<String, (QualifiedName, String)>,
}

pub fn build(model: &Model, route: &str, dialect: Dialect, documentation: &DocFacts) -> ApiPlan {
    let names = choose_names(model);
    let builder = Builder { model, route, dialect, documentation, names: &names, warnings: Default::default() };
    let contained: BTreeSet<&QualifiedName> = model
        .entity_types
        .values()
        .flat_map(|e| {
            e.navigation_properties
                .iter()
                .filter(|n| n.contains_target)
                .filter_map(move |n| n.ty.entity().filter(|t| **t != e.name))
        })
        .collect();

    let mut entities: Vec<EntityPlan> = model.entity_types.values().map(|e| builder.entity(e)).collect();
    // Navigations learn their target's key once every entity is planned.
    let keys: BTreeMap<QualifiedName, (Vec<KeyPart>, Option<String>)> =
        entities.iter().map(|e| (e.qualified.clone(), (e.key.clone(), e.key_struct.clone()))).collect();
    for nav in entities.iter_mut().flat_map(|e| e.navigations.iter_mut()) {
        if let Some((key, key_struct)) = keys.get(&nav.target.qualified) {
            nav.target_key = key.clone();
            nav.target_key_struct = key_struct.clone();
        }
    }
    let enums = model.enum_types.values().map(|e| builder.enumeration(e)).collect();
    let complexes = model.complex_types.values().map(|c| builder.complex(c)).collect();

    let mut root_scope = Scope::with_reserved(ROOT_RESERVED);
    let mut root_sets = Vec::new();
    for set in model.entity_sets() {
        if contained.contains(&set.entity_type) {
            continue;
        }
        let Some(plan) = entities.iter().find(|e| e.qualified == set.entity_type) else { continue };
        let target = builder.set_target(&set.name);
        let collection_method = root_scope.claim(&snake(&set.name), "_set");
        let key_method = root_scope.claim(&snake(&set.entity_type.name), "_by_key");
        let alternate_keys = plan
            .alternate_keys
            .iter()
            .map(|k| (root_scope.claim(&format!("{key_method}_{}", k.method), "_"), k.clone()))
            .collect();
        root_sets.push(RootSetPlan {
            set: set.name.clone(),
            target,
            collection_method,
            key_method,
            key: plan.key.clone(),
            alternate_keys,
        });
    }
    let company_set =
        (dialect == Dialect::BusinessCentral).then(|| root_sets.iter().position(|s| s.set == "companies")).flatten();
    // An import exposes every unbound overload of its operation under the import's name.
    let imports = model
        .container
        .iter()
        .flat_map(|c| &c.operation_imports)
        .flat_map(|import| {
            let overloads = model
                .operations
                .iter()
                .filter(move |o| o.name == import.operation && !o.is_bound && o.kind == import.kind);
            overloads.map(move |operation| (import, operation))
        })
        .filter_map(|(import, operation)| {
            let mut plan = builder.operation(operation, &mut root_scope)?;
            plan.qualified = import.name.clone();
            let verb = if plan.kind == OperationKind::Action { "POST" } else { "GET" };
            plan.docs.push(format!("URL: `{verb} {route}/{}`, through the import `{}`.", import.name, import.name));
            Some(plan)
        })
        .collect();
    let warnings = builder.warnings.into_inner();
    ApiPlan { route: route.to_owned(), dialect, entities, enums, complexes, root_sets, imports, company_set, warnings }
}

fn choose_names(model: &Model) -> Names {
    let mut modules = Scope::with_reserved(&["enums", "complex", "fields", "paths"]);
    let entity_modules = model
        .entity_types
        .keys()
        .map(|name| {
            let module = modules.claim(&snake(&name.name), "_entity");
            (name.clone(), (module, camel(&name.name)))
        })
        .collect();
    let mut enum_scope = Scope::new();
    let enums = model.enum_types.keys().map(|n| (n.clone(), enum_scope.claim(&camel(&n.name), "Enum"))).collect();
    let mut complex_scope = Scope::new();
    let complexes =
        model.complex_types.keys().map(|n| (n.clone(), complex_scope.claim(&camel(&n.name), "Type"))).collect();
    let mut set_markers = BTreeMap::new();
    let mut marker_scopes: BTreeMap<&QualifiedName, Scope> = BTreeMap::new();
    for set in model.entity_sets() {
        let struct_name = camel(&set.entity_type.name);
        let scope = marker_scopes.entry(&set.entity_type).or_insert_with(|| {
            let mut scope = Scope::new();
            for taken in [
                struct_name.clone(),
                format!("{struct_name}Create"),
                format!("{struct_name}Update"),
                format!("{struct_name}Key"),
            ] {
                scope.reserve(&taken);
            }
            scope
        });
        let marker = scope.claim(&camel(&set.name), "Set");
        set_markers.insert(set.name.clone(), (set.entity_type.clone(), marker));
    }
    // A type that no entity set exposes is still reached through navigation
    // properties; it gets a marker of its own, keyed by its qualified name
    // (which cannot clash with a set name: set names have no dots).
    for name in model.entity_types.keys().filter(|n| !model.entity_sets().iter().any(|s| s.entity_type == **n)) {
        let struct_name = camel(&name.name);
        let mut scope = Scope::with_reserved(&[
            &struct_name,
            &format!("{struct_name}Create"),
            &format!("{struct_name}Update"),
            &format!("{struct_name}Key"),
        ]);
        let marker = scope.claim(&format!("{struct_name}Entities"), "Set");
        set_markers.insert(name.to_string(), (name.clone(), marker));
    }
    Names { entity_modules, enums, complexes, set_markers }
}

struct Builder<'a> {
    model: &'a Model,
    route: &'a str,
    dialect: Dialect,
    documentation: &'a DocFacts,
    names: &'a Names,
    warnings: std::cell::RefCell<Vec<String>>,
}

impl Builder<'_> {
    fn documented_entity(&self, entity: &QualifiedName) -> Option<&EntityDocFacts> {
        self.documentation.entity(self.route, entity)
    }

    fn documented_property(&self, entity: &QualifiedName, property: &str) -> Option<&PropertyDocFacts> {
        self.documentation.property(self.route, entity, property)
    }

    fn rust_type(&self, ty: &TypeRef) -> RustType {
        let inner = match &ty.target {
            TypeTarget::Primitive(p) => RustType::Primitive(*p),
            TypeTarget::Enum(n) => RustType::Enum { name: self.names.enums[n].clone() },
            TypeTarget::Complex(n) => RustType::Complex { name: self.names.complexes[n].clone() },
            TypeTarget::Entity(n) => {
                let (module, name) = self.names.entity_modules[n].clone();
                RustType::Entity { module, name }
            }
            TypeTarget::TypeDefinition(n) => RustType::Primitive(
                self.model.type_definitions.get(n).map_or(Primitive::Untyped, |d| d.underlying_type),
            ),
            TypeTarget::AbstractEntity | TypeTarget::AbstractComplex | TypeTarget::Unresolved(_) => {
                RustType::Primitive(Primitive::Untyped)
            }
        };
        if ty.collection { RustType::Collection(Box::new(inner)) } else { inner }
    }

    /// The marker of the entity set a set name refers to.
    fn set_target(&self, set: &str) -> TargetRef {
        let (qualified, marker) = &self.names.set_markers[set];
        let (module, entity) = self.names.entity_modules[qualified].clone();
        TargetRef { set_name: set.to_owned(), module, entity, set_marker: marker.clone(), qualified: qualified.clone() }
    }

    /// The set a navigation leads to: its binding, else BC's same-named set
    /// for contained navigations, else the only set of the target type.
    fn navigation_target(&self, owner: &EntityType, nav: &NavigationProperty) -> Option<TargetRef> {
        let target_type = nav.ty.entity()?;
        let sets = self.model.entity_sets();
        let bound = sets
            .iter()
            .filter(|s| s.entity_type == owner.name)
            .flat_map(|s| &s.navigation_bindings)
            .find(|b| b.path == nav.name)
            .map(|b| b.target.rsplit('/').next().unwrap_or(&b.target).to_owned());
        let same_name =
            sets.iter().find(|s| s.name == nav.name && s.entity_type == *target_type).map(|s| s.name.clone());
        let only = {
            let mut of_type =
                sets.iter().filter(|s| s.entity_type == *target_type).map(|s| s.name.clone()).collect::<Vec<_>>();
            of_type.sort();
            of_type.into_iter().next()
        };
        let synthetic = target_type.to_string();
        let set = bound
            .filter(|b| self.names.set_markers.contains_key(b))
            .or(same_name)
            .or(only)
            .or_else(|| self.names.set_markers.contains_key(&synthetic).then_some(synthetic))?;
        Some(self.set_target(&set))
    }

    fn property_docs(&self, owner: &QualifiedName, property: &Property, is_key: bool) -> Vec<String> {
        let documented = self.documented_property(owner, &property.name);
        let mut lines = Vec::new();
        if let Some(text) = property.annotations.description().or(documented.and_then(|d| d.description.as_deref())) {
            lines.push(text.to_owned());
            lines.push(String::new());
        }
        let mut facts = vec![format!("Wire name `{}`, type `{}`", property.name, property.ty.csdl_name())];
        if is_key {
            facts.push("key".to_owned());
        }
        facts.push(if property.facets.is_nullable() { "nullable".to_owned() } else { "not nullable".to_owned() });
        match property.facets.max_length.or(documented.and_then(|d| d.max_length).map(MaxLength::Length)) {
            Some(MaxLength::Length(n)) => facts.push(format!("at most {n} characters")),
            Some(MaxLength::Max) => facts.push("unbounded length".to_owned()),
            None => {}
        }
        if let Some(precision) = property.facets.precision {
            facts.push(format!("precision {precision}"));
        }
        match property.facets.scale {
            Some(Scale::Variable) => facts.push("any number of decimal places".to_owned()),
            Some(Scale::Floating) => facts.push("floating scale".to_owned()),
            Some(Scale::Value(n)) => facts.push(format!("{n} decimal places")),
            None => {}
        }
        if let Some(default) = &property.facets.default_value {
            facts.push(format!("default `{default}`"));
        }
        lines.push(format!("{}.", facts.join(", ")));
        lines
    }

    fn field(
        &self,
        owner: &EntityType,
        property: &Property,
        key: &[PropertyRef],
        scopes: &mut FieldScopes,
    ) -> FieldPlan {
        let is_key = key.iter().any(|k| k.name == property.name);
        let sets: Vec<Capabilities> = self
            .model
            .entity_sets()
            .iter()
            .filter(|s| s.entity_type == owner.name)
            .map(|s| s.annotations.capabilities())
            .collect();
        // A type without an entity set (only reached through navigation) is not restricted.
        let insertable = sets.is_empty() || sets.iter().any(Capabilities::can_insert);
        let updatable = sets.is_empty() || sets.iter().any(Capabilities::can_update);
        let documented = self.documented_property(&owner.name, &property.name);
        let ty = self.rust_type(&property.ty);
        let annotations = &property.annotations;
        let read_only_by_permission = annotations.permissions() == Some(Permission::Read);
        let documented_read_only = documented.is_some_and(|d| d.read_only);
        let system_field =
            self.dialect == Dialect::BusinessCentral && BC_SYSTEM_FIELDS.contains(&property.name.as_str());
        // BC assigns its GUID ids and `…Id` keys (subscriptionId) itself; a
        // custom API page keyed by a code takes the key from the caller.
        let bc_assigned = self.dialect == Dialect::BusinessCentral
            && (property.ty.target == TypeTarget::Primitive(Primitive::Guid)
                || property.name.ends_with("Id")
                || property.name == "id");
        let server_key = is_key && (bc_assigned || annotations.computed());
        let never = annotations.computed()
            || read_only_by_permission
            || documented_read_only
            || system_field
            || server_key
            || ty.is_stream()
            || matches!(ty, RustType::Entity { .. });
        let settable_on_create = !never && insertable;
        let settable_on_update = !never && updatable && !is_key && !annotations.immutable();
        let required_by_capabilities = self
            .model
            .entity_sets()
            .iter()
            .filter(|s| s.entity_type == owner.name)
            .any(|s| s.annotations.capabilities().required_insert_properties.contains(&property.name));
        let optional_on_create = documented.is_some_and(|d| d.optional_on_create);
        let required_on_create = settable_on_create
            && !optional_on_create
            && (required_by_capabilities
                || (!property.facets.is_nullable() && property.facets.default_value.is_none()));
        let mut docs = self.property_docs(&owner.name, property, is_key);
        let access = match (settable_on_create, settable_on_update) {
            (true, true) => "Can be set when creating and when updating.",
            (true, false) if updatable => "Can be set when creating only.",
            (true, false) => "Can be set when creating (the entity set does not allow updates).",
            (false, true) => "Can be changed by an update (the entity set does not allow creating).",
            (false, _) if !insertable && !updatable && !never => "Read-only: the entity set does not allow changes.",
            (false, _) if documented_read_only => "Read-only (the resource docs say so).",
            (false, _) if system_field => "Read-only: Business Central maintains it.",
            (false, _) if is_key => "Read-only: the key is assigned by the service.",
            (false, _) if ty.is_stream() => "Stream content is read and written through the entity path.",
            (false, _) => "Read-only (computed by the service).",
        };
        docs.push(String::new());
        docs.push(access.to_owned());
        FieldPlan {
            wire: property.name.clone(),
            ident: scopes.fields.claim(&snake(&property.name), "_value"),
            marker: scopes.markers.claim(&camel(&property.name), "Property"),
            handle: scopes.handles.claim(&snake(&property.name), "_property"),
            setter: scopes.setters.claim(&snake(&property.name), "_value"),
            ty,
            nullable: property.facets.is_nullable(),
            is_key,
            settable_on_create,
            settable_on_update,
            required_on_create,
            docs,
        }
    }

    fn entity(&self, entity: &EntityType) -> EntityPlan {
        let (module, struct_name) = self.names.entity_modules[&entity.name].clone();
        let key_refs = self.model.key_of(entity).map(<[PropertyRef]>::to_vec).unwrap_or_default();
        let mut scopes = FieldScopes {
            fields: Scope::new(),
            markers: Scope::new(),
            handles: Scope::new(),
            setters: Scope::with_reserved(PAYLOAD_RESERVED),
            paths: Scope::with_reserved(PATH_RESERVED),
        };
        let properties = self.model.all_properties(entity);
        let fields: Vec<FieldPlan> = properties.iter().map(|p| self.field(entity, p, &key_refs, &mut scopes)).collect();
        let key: Vec<KeyPart> = key_refs
            .iter()
            .filter_map(|k| fields.iter().find(|f| f.wire == k.name))
            .map(|f| KeyPart { wire: f.wire.clone(), ident: f.ident.clone(), ty: f.ty.clone() })
            .collect();

        let mut navigations = Vec::new();
        for nav in self.model.all_navigation_properties(entity) {
            let Some(target) = self.navigation_target(entity, nav) else { continue };
            let target_insertable = self
                .model
                .entity_sets()
                .iter()
                .find(|s| s.name == target.set_name)
                .is_none_or(|s| s.annotations.capabilities().can_insert());
            let ident = scopes.fields.claim(&snake(&nav.name), "_value");
            let marker = scopes.markers.claim(&camel(&nav.name), "Navigation");
            let handle = scopes.handles.claim(&snake(&nav.name), "_navigation");
            let path_method = scopes.paths.claim(&snake(&nav.name), "_nav");
            let deep_insert_setter = (nav.ty.collection && nav.contains_target && target_insertable)
                .then(|| scopes.setters.claim(&snake(&nav.name), "_lines"));
            let mut docs = Vec::new();
            if let Some(text) = nav.annotations.description() {
                docs.push(text.to_owned());
                docs.push(String::new());
            }
            docs.push(format!(
                "Navigation property `{}` to {} `{}`{}.",
                nav.name,
                if nav.ty.collection { "a collection of" } else { "one" },
                target.qualified,
                if nav.contains_target { " (contained)" } else { "" }
            ));
            navigations.push(NavPlan {
                wire: nav.name.clone(),
                ident,
                marker,
                handle,
                collection: nav.ty.collection,
                target,
                path_method,
                key_method: None,
                target_key: Vec::new(),
                target_key_struct: None,
                deep_insert_setter,
                docs,
            });
        }
        // By-key accessors come after every navigation so a navigation name always wins.
        for nav in navigations.iter_mut().filter(|n| n.collection) {
            let singular = snake(&nav.target.qualified.name);
            nav.key_method = Some(scopes.paths.claim(&singular, "_by_key"));
        }

        let mut sets: Vec<SetPlan> = self
            .model
            .entity_sets()
            .iter()
            .filter(|s| s.entity_type == entity.name)
            .map(|s| SetPlan {
                name: s.name.clone(),
                marker: self.names.set_markers[&s.name].1.clone(),
                capabilities: s.annotations.capabilities(),
                docs: set_docs(s),
                synthetic: false,
            })
            .collect();
        if let Some((_, marker)) =
            sets.is_empty().then(|| self.names.set_markers.get(&entity.name.to_string())).flatten()
        {
            sets.push(SetPlan {
                name: entity.name.name.clone(),
                marker: marker.clone(),
                capabilities: Capabilities::default(),
                docs: vec![format!(
                    "`{}` entities, which no entity set exposes: they are reached through navigation properties.",
                    entity.name
                )],
                synthetic: true,
            });
        }

        let alternate_keys = entity
            .annotations
            .alternate_keys()
            .iter()
            .filter_map(|key| {
                // A key with a part that names no property would address the wrong thing: skip it whole.
                let parts: Vec<KeyPart> = key
                    .parts
                    .iter()
                    .map(|part| {
                        let field = fields.iter().find(|f| f.wire == part.property)?;
                        Some(KeyPart { wire: part.alias.clone(), ident: field.ident.clone(), ty: field.ty.clone() })
                    })
                    .collect::<Option<_>>()?;
                let suffix: Vec<String> = parts.iter().map(|p| p.ident.clone()).collect();
                (!parts.is_empty()).then(|| AlternateKeyPlan { method: format!("by_{}", suffix.join("_and_")), parts })
            })
            .collect();

        let mut actions = Vec::new();
        let mut collection_actions = Vec::new();
        for operation in self.model.operations.iter().filter(|o| o.is_bound) {
            let Some(binding) = operation.binding_type() else { continue };
            if binding.entity() != Some(&entity.name) {
                continue;
            }
            let Some(mut plan) = self.operation(operation, &mut scopes.paths) else { continue };
            let verb = if plan.kind == OperationKind::Action { "POST" } else { "GET" };
            let set = self
                .model
                .entity_sets()
                .iter()
                .find(|s| s.entity_type == entity.name)
                .map_or("…", |s| s.name.as_str());
            let at = if binding.collection { set.to_owned() } else { format!("{set}(…)") };
            plan.docs.push(format!("URL: `{verb} …/{at}/{}`.", plan.qualified));
            if binding.collection { collection_actions.push(plan) } else { actions.push(plan) }
        }
        let streams = fields
            .iter()
            .filter(|f| f.ty.is_stream())
            .map(|f| StreamPlan { wire: f.wire.clone(), method: scopes.paths.claim(&f.ident, "_stream") })
            .collect();
        let media_method = entity.has_stream.then(|| scopes.paths.claim("content", "_stream"));
        let etag_field = scopes.fields.claim("etag", "_annotation");
        let extra_field = scopes.fields.claim("additional_properties", "_");
        let mut always_selected: Vec<String> = key.iter().map(|k| k.wire.clone()).collect();
        always_selected
            .extend(fields.iter().filter(|f| !f.nullable && !f.is_key && !f.ty.is_stream()).map(|f| f.wire.clone()));

        let mut docs = Vec::new();
        let description = entity
            .annotations
            .description()
            .map(str::to_owned)
            .or_else(|| self.documented_entity(&entity.name).and_then(|d| d.description.clone()));
        if let Some(text) = description {
            docs.push(text);
            docs.push(String::new());
        }
        docs.push(format!("Entity type `{}`.", entity.name));
        let key_names: Vec<&str> = key.iter().map(|k| k.wire.as_str()).collect();
        docs.push(format!("Key: `{}`.", key_names.join("`, `")));
        for set in &sets {
            if set.synthetic {
                docs.extend(set.docs.iter().cloned());
                continue;
            }
            docs.push(format!(
                "Entity set `{}`: {}. Read from `…/{}` or `…/{}({})`.",
                set.name,
                capability_summary(&set.capabilities),
                set.name,
                set.name,
                key_names.join(",")
            ));
        }
        EntityPlan {
            qualified: entity.name.clone(),
            module,
            create_name: format!("{struct_name}Create"),
            update_name: format!("{struct_name}Update"),
            key_struct: (key.len() > 1).then(|| format!("{struct_name}Key")),
            struct_name,
            key,
            fields,
            navigations,
            sets,
            alternate_keys,
            actions,
            collection_actions,
            streams,
            media_method,
            etag_field,
            extra_field,
            always_selected,
            docs,
        }
    }

    /// The plan of one operation, or `None` (with a warning) for a function
    /// whose parameters cannot be written into a URL.
    fn operation(&self, operation: &Operation, scope: &mut Scope) -> Option<OperationPlan> {
        let in_url = |ty: &TypeRef| match &ty.target {
            _ if ty.collection => false,
            TypeTarget::Enum(_) => true,
            TypeTarget::Primitive(p) => !matches!(
                p,
                Primitive::Stream
                    | Primitive::Untyped
                    | Primitive::PrimitiveType
                    | Primitive::Geography(_)
                    | Primitive::Geometry(_)
                    | Primitive::AnyPropertyPath
                    | Primitive::ModelElementPath
            ),
            TypeTarget::TypeDefinition(n) => {
                self.model.type_definitions.get(n).is_some_and(|d| !matches!(d.underlying_type, Primitive::Stream))
            }
            _ => false,
        };
        if operation.kind == OperationKind::Function
            && let Some(parameter) = operation.call_parameters().iter().find(|p| !in_url(&p.ty))
        {
            self.warnings.borrow_mut().push(format!(
                "function `{}` is not generated: its parameter `{}` of type `{}` cannot be written into a URL",
                operation.name,
                parameter.name,
                parameter.ty.csdl_name()
            ));
            return None;
        }
        let mut parameter_scope = Scope::with_reserved(&["self"]);
        let parameters: Vec<ParameterPlan> = operation
            .call_parameters()
            .iter()
            .map(|p| ParameterPlan {
                wire: p.name.clone(),
                ident: parameter_scope.claim(&snake(&p.name), "_value"),
                ty: self.rust_type(&p.ty),
                nullable: p.facets.is_nullable(),
            })
            .collect();
        let returns = operation.return_type.as_ref().map(|r| (self.rust_type(&r.ty), r.facets.is_nullable()));
        let kind = match operation.kind {
            OperationKind::Action => "Action",
            OperationKind::Function => "Function",
        };
        let mut docs = Vec::new();
        if let Some(text) = operation.annotations.description() {
            docs.push(text.to_owned());
            docs.push(String::new());
        }
        docs.push(format!("{kind} `{}`.", operation.name));
        let method = overload_name(scope, &snake(&operation.name.name), &parameters);
        Some(OperationPlan {
            kind: operation.kind,
            qualified: operation.name.to_string(),
            method,
            parameters,
            returns,
            docs,
        })
    }

    fn enumeration(&self, enumeration: &EnumType) -> EnumPlan {
        let mut scope = Scope::new();
        let members: Vec<MemberPlan> = enumeration
            .members
            .iter()
            .map(|m| {
                let display = m.display_name().into_owned();
                let wanted = if display.trim().is_empty() {
                    "Blank".to_owned()
                } else if !display.chars().any(|c| c.is_ascii_alphanumeric()) {
                    format!("Value{}", m.value.unsigned_abs())
                } else {
                    camel(&m.name)
                };
                MemberPlan { wire: m.name.clone(), variant: scope.claim(&wanted, "Member"), display, value: m.value }
            })
            .collect();
        let unknown_variant = scope.claim("Unknown", "Value");
        let mut docs = Vec::new();
        if let Some(text) = enumeration.annotations.description() {
            docs.push(text.to_owned());
            docs.push(String::new());
        }
        docs.push(format!("Enum type `{}`.", enumeration.name));
        EnumPlan {
            qualified: enumeration.name.clone(),
            name: self.names.enums[&enumeration.name].clone(),
            members,
            unknown_variant,
            is_flags: enumeration.is_flags,
            docs,
        }
    }

    fn complex(&self, complex: &ComplexType) -> ComplexPlan {
        let mut scope = Scope::new();
        let fields: Vec<FieldPlan> = complex
            .properties
            .iter()
            .map(|p| FieldPlan {
                wire: p.name.clone(),
                ident: scope.claim(&snake(&p.name), "_value"),
                marker: String::new(),
                handle: String::new(),
                setter: String::new(),
                ty: self.rust_type(&p.ty),
                nullable: p.facets.is_nullable(),
                is_key: false,
                settable_on_create: true,
                settable_on_update: true,
                required_on_create: false,
                docs: self.property_docs(&complex.name, p, false),
            })
            .collect();
        let extra_field = scope.claim("additional_properties", "_");
        let mut docs = Vec::new();
        if let Some(text) = complex.annotations.description() {
            docs.push(text.to_owned());
            docs.push(String::new());
        }
        docs.push(format!("Complex type `{}`.", complex.name));
        ComplexPlan {
            qualified: complex.name.clone(),
            name: self.names.complexes[&complex.name].clone(),
            fields,
            extra_field,
            docs,
        }
    }
}

struct FieldScopes {
    fields: Scope,
    markers: Scope,
    handles: Scope,
    setters: Scope,
    paths: Scope,
}

/// The method name of an operation: its own name, or for a further overload
/// its name plus the parameters that tell it apart (`top_customers_with_city`).
fn overload_name(scope: &mut Scope, base: &str, parameters: &[ParameterPlan]) -> String {
    if !scope.is_taken(base) {
        return scope.claim(base, "_overload");
    }
    let with = match parameters.last() {
        Some(last) => format!("{base}_with_{}", last.ident.trim_start_matches("r#")),
        None => format!("{base}_without_parameters"),
    };
    scope.claim(&with, "_overload")
}

fn capability_summary(capabilities: &Capabilities) -> String {
    let mut allowed = vec!["read"];
    if capabilities.can_insert() {
        allowed.push("create");
    }
    if capabilities.can_update() {
        allowed.push("update");
    }
    if capabilities.can_delete() {
        allowed.push("delete");
    }
    let mut text = allowed.join(", ");
    if !capabilities.can_sort() {
        text.push_str("; not sortable");
    }
    if !capabilities.can_filter() {
        text.push_str("; not filterable");
    }
    if capabilities.is_read_only() {
        text.push_str(" (read-only)");
    }
    text
}

fn set_docs(set: &EntitySet) -> Vec<String> {
    let capabilities = set.annotations.capabilities();
    let mut docs = vec![format!("Entity set `{}` of `{}`.", set.name, set.entity_type)];
    if let Some(text) = set.annotations.description() {
        docs.push(String::new());
        docs.push(text.to_owned());
    }
    docs.push(String::new());
    docs.push(format!("Allowed: {}.", capability_summary(&capabilities)));
    docs
}
