//! The API plan: what to generate for one service, derived from the model
//! (and resource docs), with every Rust name chosen. Rendering reads only
//! the plan, so naming and capability decisions live in one place and
//! stay independent of `quote`.
//!
//! - [`naming`] chooses every module and type name, once;
//! - `members` plans entity types: fields, navigations, operations, sets;
//! - `structure` plans enum and complex types (boxing of recursive types,
//!   which ones can derive `Default`).

mod members;
pub mod naming;
mod structure;

use std::collections::BTreeSet;

use crate::customize::Customization;
use crate::emit::plan::naming::{Scope, camel, snake};
use crate::facts::DocFacts;
use crate::ir::annotations::Capabilities;
use crate::ir::*;
use naming::{EntityName, Names, ROOT_RESERVED};

/// A Rust type for a property, parameter or return value. `namespace` is
/// the module of the type's namespace, `None` when the service's types all
/// live at the API root.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum RustType {
    Primitive(Primitive),
    Enum { namespace: Option<String>, name: String },
    Complex { namespace: Option<String>, name: String },
    Entity { namespace: Option<String>, module: String, name: String },
    Collection(Box<RustType>),
}

impl RustType {
    pub fn is_stream(&self) -> bool {
        matches!(self, RustType::Primitive(Primitive::Stream))
    }

    fn entity(name: &EntityName) -> RustType {
        RustType::Entity {
            namespace: name.namespace.clone(),
            module: name.module.clone(),
            name: name.struct_name.clone(),
        }
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
    /// Held in a `Box`: the field's complex type contains the field's owner
    /// again (directly or through other complex types), which by value would
    /// make the type infinitely large.
    pub boxed: bool,
    pub is_key: bool,
    pub settable_on_create: bool,
    pub settable_on_update: bool,
    pub required_on_create: bool,
    pub docs: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct TargetRef {
    pub set_name: String,
    /// The namespace module of the target's entity type.
    pub namespace: Option<String>,
    pub module: String,
    pub entity: String,
    pub set_marker: String,
    /// The target's path types (in its module).
    pub collection_path: Option<String>,
    pub entity_path: String,
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
    /// The target type's key, for the by-key accessor: without the parts
    /// that `implied_key` names.
    pub target_key: Vec<KeyPart>,
    /// The target's composite key struct, if it has one and the accessor
    /// takes the whole key.
    pub target_key_struct: Option<String>,
    /// Wire names of the target's key parts that the partner navigation's
    /// referential constraint ties to this entity's key (a composition
    /// item keyed by its parent and a line number). The by-key accessor
    /// leaves them out and sends the shortened key predicate (OData URL
    /// Conventions, "URLs for Related Entities with Referential Constraints"),
    /// so the parent's key is not passed twice.
    pub implied_key: Vec<String>,
    /// Setter for a deep insert on the create payload.
    pub deep_insert_setter: Option<String>,
    pub docs: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct SetPlan {
    pub name: String,
    pub marker: String,
    /// The path to the collection (none for a singleton).
    pub collection_path: Option<String>,
    /// The path to one entity.
    pub entity_path: String,
    pub capabilities: Capabilities,
    pub docs: Vec<String>,
    /// No entity set exposes the type; the marker stands for "reached
    /// through a navigation property".
    pub synthetic: bool,
    /// The marker of a singleton (one entity at a fixed path, no key).
    pub singleton: bool,
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
    /// A function parameter that cannot be written into the URL as a literal
    /// (complex, entity, collection, spatial or untyped): passed as a
    /// parameter alias, `f(p=@p)?@p=<JSON>`.
    pub alias: bool,
    /// `Core.OptionalParameter`: left out of the call unless set, through
    /// a setter on the operation's call type.
    pub optional: bool,
    /// The setter of an optional parameter on the call type.
    pub setter: Option<String>,
}

#[derive(Debug, Clone)]
pub struct OperationPlan {
    pub kind: OperationKind,
    /// The operation's qualified name (`Namespace.post`).
    pub qualified: String,
    pub method: String,
    pub parameters: Vec<ParameterPlan>,
    pub returns: Option<(RustType, bool)>,
    /// The call type the method returns when the operation has optional
    /// parameters (`DriveItemCopyCall`): their setters, then `.await`.
    pub call: Option<String>,
    /// An action on one entity of a set that declares
    /// `Core.OptimisticConcurrency`: it takes the entity (or its ETag) read
    /// last and sends `If-Match`, as an update does.
    pub if_match: bool,
    pub docs: Vec<String>,
}

impl OperationPlan {
    /// Whether a parameter is `Core.OptionalParameter` (the method then
    /// returns a call type with setters for those).
    pub fn has_optional_parameters(&self) -> bool {
        self.parameters.iter().any(|p| p.optional)
    }
}

#[derive(Debug, Clone)]
pub struct StreamPlan {
    pub wire: String,
    pub method: String,
}

#[derive(Debug, Clone)]
pub struct EntityPlan {
    pub qualified: QualifiedName,
    /// The namespace module (`None` when all types live at the API root).
    pub namespace: Option<String>,
    pub module: String,
    pub struct_name: String,
    pub create_name: String,
    pub update_name: String,
    pub key_struct: Option<String>,
    /// Empty for a type without a key, which is never addressed by key.
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
    /// The entity types this one derives from, nearest first: a path to one
    /// of them can be narrowed to this type (`…/people/NS.employee`).
    pub ancestors: Vec<RustType>,
    /// Whether other entity types derive from this one (its paths then
    /// offer type casts).
    pub derived: bool,
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
    /// `Core.Description` of an allowed value.
    pub description: Option<String>,
}

/// What a generated enum stands for on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnumForm {
    /// An OData enum type: members by name.
    Member,
    /// A string property's `Validation.AllowedValues`.
    Text,
    /// An integer property's `Validation.AllowedValues`.
    Integer,
}

#[derive(Debug, Clone)]
pub struct EnumPlan {
    pub qualified: QualifiedName,
    pub namespace: Option<String>,
    pub name: String,
    pub members: Vec<MemberPlan>,
    pub unknown_variant: String,
    pub is_flags: bool,
    pub form: EnumForm,
    pub docs: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct ComplexPlan {
    pub qualified: QualifiedName,
    pub namespace: Option<String>,
    pub name: String,
    /// Its own properties and the inherited ones, base type's first.
    pub fields: Vec<FieldPlan>,
    pub extra_field: String,
    /// Whether every field has a `Default` (enums, untyped and spatial
    /// values have none), so that the struct can derive one.
    pub has_default: bool,
    pub docs: Vec<String>,
}

/// An entity set reachable from the API root.
#[derive(Debug, Clone)]
pub struct RootSetPlan {
    pub set: String,
    pub target: TargetRef,
    pub collection_method: String,
    /// `None` when the set's type has no key.
    pub key_method: Option<String>,
    pub key: Vec<KeyPart>,
    pub alternate_keys: Vec<(String, AlternateKeyPlan)>,
}

/// A singleton: one entity at a fixed path below the API root (`me`).
#[derive(Debug, Clone)]
pub struct RootSingletonPlan {
    pub name: String,
    pub method: String,
    pub target: TargetRef,
}

/// A namespace module (only when the service's types span several).
#[derive(Debug, Clone)]
pub struct NamespacePlan {
    pub namespace: String,
    pub module: String,
}

#[derive(Debug, Clone)]
pub struct ApiPlan {
    pub route: String,
    /// Whether typed filters offer `any`/`all` (the service evaluates them).
    pub lambda_operators: bool,
    /// Whether `or` may join conditions on different properties.
    pub cross_property_or: bool,
    /// One module per namespace; empty when every type lives at the API root.
    pub namespaces: Vec<NamespacePlan>,
    pub entities: Vec<EntityPlan>,
    pub enums: Vec<EnumPlan>,
    pub complexes: Vec<ComplexPlan>,
    pub root_sets: Vec<RootSetPlan>,
    pub singletons: Vec<RootSingletonPlan>,
    pub imports: Vec<OperationPlan>,
    /// Things the generator left out, to tell the maintainer.
    pub warnings: Vec<String>,
}

impl ApiPlan {
    /// Whether any entity type derives from another (paths then offer
    /// type casts).
    pub fn has_derived_entities(&self) -> bool {
        self.entities.iter().any(|e| !e.ancestors.is_empty())
    }
}

/// The plan of every entity type, in model order. Entity types are planned
/// independently, so above 64 of them (Microsoft Graph has about 1,300) the
/// second half is planned on a second thread, by a builder of its own whose
/// warnings follow the first half's, as one thread would give them.
fn plan_entities(builder: &members::Builder<'_>) -> Vec<EntityPlan> {
    let types: Vec<_> = builder.model.entity_types.values().collect();
    let parallel = std::thread::available_parallelism().is_ok_and(|n| n.get() > 1);
    if !parallel || types.len() <= 64 {
        return types.iter().map(|e| builder.entity(e)).collect();
    }
    let (first, second) = types.split_at(types.len() / 2);
    let (mut planned, (rest, warnings)) = std::thread::scope(|scope| {
        let helper = scope.spawn(|| {
            let helper = members::Builder::new(
                builder.model,
                builder.route,
                builder.customization,
                builder.documentation,
                builder.names,
            );
            let planned: Vec<EntityPlan> = second.iter().map(|e| helper.entity(e)).collect();
            (planned, helper.warnings.into_inner())
        });
        let planned: Vec<EntityPlan> = first.iter().map(|e| builder.entity(e)).collect();
        // A panic in the helper is passed on, as it would have been on this thread.
        (planned, helper.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
    });
    planned.extend(rest);
    builder.warnings.borrow_mut().extend(warnings);
    planned
}

pub fn build(model: &Model, route: &str, customization: &dyn Customization, documentation: &DocFacts) -> ApiPlan {
    let names = Names::choose(model);
    let builder = members::Builder::new(model, route, customization, documentation, &names);
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

    let mut entities = plan_entities(&builder);
    let bases: BTreeSet<RustType> = entities.iter().flat_map(|e| e.ancestors.iter().cloned()).collect();
    for entity in &mut entities {
        let own = RustType::Entity {
            namespace: entity.namespace.clone(),
            module: entity.module.clone(),
            name: entity.struct_name.clone(),
        };
        entity.derived = bases.contains(&own);
    }
    // Navigations learn their target's key once every entity is planned.
    let keys: std::collections::BTreeMap<QualifiedName, (Vec<KeyPart>, Option<String>)> =
        entities.iter().map(|e| (e.qualified.clone(), (e.key.clone(), e.key_struct.clone()))).collect();
    for nav in entities.iter_mut().flat_map(|e| e.navigations.iter_mut()) {
        if let Some((key, key_struct)) = keys.get(&nav.target.qualified) {
            nav.target_key = key.iter().filter(|k| !nav.implied_key.contains(&k.wire)).cloned().collect();
            nav.target_key_struct = if nav.implied_key.is_empty() { key_struct.clone() } else { None };
        }
    }
    let enums =
        model.enum_types.values().map(|e| builder.enumeration(e)).chain(builder.allowed_value_types()).collect();
    let complexes = structure::complexes(&builder);

    let mut root_scope = Scope::with_reserved(ROOT_RESERVED);
    let mut root_sets = Vec::new();
    for set in model.entity_sets() {
        if !customization.serves_root_set(set, contained.contains(&set.entity_type)) {
            continue;
        }
        let Some(plan) = entities.iter().find(|e| e.qualified == set.entity_type) else { continue };
        let target = builder.set_target(&set.name);
        let collection_method = root_scope.claim(&snake(&names.readable(&set.name)), "_set");
        let key: Vec<String> = plan.key.iter().map(|k| k.ident.trim_start_matches("r#").to_owned()).collect();
        let one = naming::one_of(&collection_method, &names.entities[&set.entity_type].one, &key, &root_scope);
        let one = &one;
        let key_method = (!plan.key.is_empty()).then(|| root_scope.claim(one, "_"));
        // Named by the entity and the key, never by the by-key accessor:
        // `company_by_name`, not `company_by_key_by_name`.
        let alternate_keys = plan
            .alternate_keys
            .iter()
            .map(|k| (root_scope.claim(&format!("{one}_{}", k.method), "_"), k.clone()))
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
    let singletons = model
        .singletons()
        .iter()
        .map(|singleton| RootSingletonPlan {
            name: singleton.name.clone(),
            method: root_scope.claim(&snake(&names.readable(&singleton.name)), "_singleton"),
            target: builder.set_target(&singleton.name),
        })
        .collect();
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
            plan.call = plan.has_optional_parameters().then(|| format!("{}Call", camel(&plan.method)));
            plan.qualified = import.name.clone();
            let verb = if plan.kind == OperationKind::Action { "POST" } else { "GET" };
            let at = if route.is_empty() { String::new() } else { format!("{route}/") };
            plan.docs.push(format!("URL: `{verb} {at}{}`, through the import `{}`.", import.name, import.name));
            Some(plan)
        })
        .collect();
    let warnings = builder.warnings.into_inner();
    let namespaces = names
        .namespaces
        .iter()
        .map(|(namespace, module)| NamespacePlan { namespace: namespace.clone(), module: module.clone() })
        .collect();
    ApiPlan {
        route: route.to_owned(),
        lambda_operators: customization.lambda_operators(),
        cross_property_or: customization.cross_property_or(),
        namespaces,
        entities,
        enums,
        complexes,
        root_sets,
        singletons,
        imports,
        warnings,
    }
}
