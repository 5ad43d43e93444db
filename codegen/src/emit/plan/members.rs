//! Entity types in the plan: fields with their capabilities, navigations
//! and the sets they lead to, bound operations, streams, and the sets and
//! singletons that expose the type.

use std::cell::RefCell;
use std::collections::BTreeMap;

use super::naming::{Names, PAYLOAD_RESERVED, one_of, path_methods};
use super::*;
use crate::customize::ServiceAssigned;
use crate::emit::plan::naming::camel;
use crate::facts::{EntityDocFacts, PropertyDocFacts};
use crate::ir::annotations::Permission;

pub struct Builder<'a> {
    pub model: &'a Model,
    pub route: &'a str,
    pub customization: &'a dyn Customization,
    pub documentation: &'a DocFacts,
    pub names: &'a Names,
    /// Bound operations by the entity type they bind to (as itself or as a
    /// collection), as indices into `model.operations`, in model order.
    pub bound: BTreeMap<QualifiedName, Vec<usize>>,
    pub warnings: RefCell<Vec<String>>,
}

impl<'a> Builder<'a> {
    pub fn new(
        model: &'a Model,
        route: &'a str,
        customization: &'a dyn Customization,
        documentation: &'a DocFacts,
        names: &'a Names,
    ) -> Self {
        let mut bound: BTreeMap<QualifiedName, Vec<usize>> = BTreeMap::new();
        for (i, operation) in model.operations.iter().enumerate() {
            if let Some(owner) = operation.binding_type().and_then(TypeRef::entity) {
                bound.entry(owner.clone()).or_default().push(i);
            }
        }
        Builder { model, route, customization, documentation, names, bound, warnings: RefCell::default() }
    }
}

impl Builder<'_> {
    fn documented_entity(&self, entity: &QualifiedName) -> Option<&EntityDocFacts> {
        self.documentation.entity(self.route, entity)
    }

    fn documented_property(&self, entity: &QualifiedName, property: &str) -> Option<&PropertyDocFacts> {
        self.documentation.property(self.route, entity, property)
    }

    pub fn rust_type(&self, ty: &TypeRef) -> RustType {
        let inner = match &ty.target {
            TypeTarget::Primitive(p) => RustType::Primitive(*p),
            TypeTarget::Enum(n) => {
                let name = &self.names.enums[n];
                RustType::Enum { namespace: name.namespace.clone(), name: name.name.clone() }
            }
            TypeTarget::Complex(n) => {
                let name = &self.names.complexes[n];
                RustType::Complex { namespace: name.namespace.clone(), name: name.name.clone() }
            }
            TypeTarget::Entity(n) => RustType::entity(&self.names.entities[n]),
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
    pub fn set_target(&self, set: &str) -> TargetRef {
        let names = &self.names.set_markers[set];
        let name = &self.names.entities[&names.entity_type];
        TargetRef {
            set_name: set.to_owned(),
            namespace: name.namespace.clone(),
            module: name.module.clone(),
            entity: name.struct_name.clone(),
            set_marker: names.marker.clone(),
            collection_path: names.collection_path.clone(),
            entity_path: names.entity_path.clone(),
            qualified: names.entity_type.clone(),
        }
    }

    /// The set a navigation leads to: its binding (from a set or singleton
    /// of the owner's type), else a same-named set (services that declare
    /// no bindings for contained navigations), else the only set of the
    /// target type, else the target type's own marker. `None` when the
    /// target type is not generated.
    fn navigation_target(&self, owner: &EntityType, nav: &NavigationProperty) -> Option<TargetRef> {
        let target_type = nav.ty.entity()?;
        if !self.names.entities.contains_key(target_type) {
            return None;
        }
        let sets = self.model.entity_sets();
        let set_bindings = sets.iter().filter(|s| s.entity_type == owner.name).flat_map(|s| &s.navigation_bindings);
        let singleton_bindings =
            self.model.singletons().iter().filter(|s| s.ty == owner.name).flat_map(|s| &s.navigation_bindings);
        let bound = set_bindings
            .chain(singleton_bindings)
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

    /// The target's key parts a collection navigation implies: those the
    /// partner navigation (from the target back to `owner`) constrains to
    /// the owner's properties. The URL of a related entity may leave them
    /// out of its key predicate.
    fn implied_key(&self, owner: &EntityType, nav: &NavigationProperty) -> Vec<String> {
        let (Some(partner), Some(target)) =
            (nav.partner.as_deref(), nav.ty.entity().and_then(|t| self.model.entity_types.get(t)))
        else {
            return Vec::new();
        };
        if !nav.ty.collection {
            return Vec::new();
        }
        let Some(back) = self.model.all_navigation_properties(target).into_iter().find(|n| n.name == partner) else {
            return Vec::new();
        };
        if back.ty.entity() != Some(&owner.name) {
            return Vec::new();
        }
        let key = self.model.key_of(target).unwrap_or_default();
        back.referential_constraints
            .iter()
            .filter(|c| key.iter().any(|k| k.name == c.property))
            .map(|c| c.property.clone())
            .collect()
    }

    pub fn property_docs(&self, owner: &QualifiedName, property: &Property, is_key: bool) -> Vec<String> {
        let documented = self.documented_property(owner, &property.name);
        let mut lines = described(&property.annotations, documented.and_then(|d| d.description.as_deref()));
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
        if property.annotations.computed_default_value() {
            facts.push("computed by the service when a create leaves it out".to_owned());
        }
        lines.push(format!("{}.", facts.join(", ")));
        lines.extend(allowed_values_docs(&property.annotations));
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
        let lineage: Vec<&QualifiedName> = self.model.lineage(owner).iter().map(|t| &t.name).collect();
        let ty = self.property_type(&lineage, property);
        let annotations = &property.annotations;
        let read_only_by_permission = annotations.permissions() == Some(Permission::Read);
        let documented_read_only = documented.is_some_and(|d| d.read_only);
        let assigned = self.customization.service_assigned(owner, property, is_key);
        let system_field = match &assigned {
            Some(ServiceAssigned::Field { doc }) => Some(doc.as_str()),
            _ => None,
        };
        let server_key = is_key && (assigned == Some(ServiceAssigned::Key) || annotations.computed());
        let never = annotations.computed()
            || read_only_by_permission
            || documented_read_only
            || system_field.is_some()
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
            && !annotations.computed_default_value()
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
            (false, _) if system_field.is_some() => system_field.unwrap_or_default(),
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
            boxed: false,
            is_key,
            settable_on_create,
            settable_on_update,
            required_on_create,
            docs,
        }
    }

    pub fn entity(&self, entity: &EntityType) -> EntityPlan {
        let name = &self.names.entities[&entity.name];
        let (module, struct_name) = (name.module.clone(), name.struct_name.clone());
        let key_refs = self.model.key_of(entity).map(<[PropertyRef]>::to_vec).unwrap_or_default();
        let mut scopes = FieldScopes {
            fields: Scope::new(),
            markers: Scope::new(),
            handles: Scope::new(),
            setters: Scope::with_reserved(PAYLOAD_RESERVED),
            paths: Scope::with_reserved(path_methods::TAKEN),
        };
        let properties = self.model.all_properties(entity);
        let fields: Vec<FieldPlan> = properties.iter().map(|p| self.field(entity, p, &key_refs, &mut scopes)).collect();
        // A key part through a complex property (`Info/ID`, CSDL's key
        // aliases) has no field of its own; a key missing a part would
        // address the wrong entity, so such a type is generated without
        // key access, and says so.
        let key: Vec<KeyPart> = key_refs
            .iter()
            .map(|k| fields.iter().find(|f| f.wire == k.name))
            .map(|f| f.map(|f| KeyPart { wire: f.wire.clone(), ident: f.ident.clone(), ty: f.ty.clone() }))
            .collect::<Option<_>>()
            .unwrap_or_else(|| {
                let parts: Vec<&str> = key_refs.iter().map(|k| k.name.as_str()).collect();
                self.warnings.borrow_mut().push(format!(
                    "`{}` is generated without access by key: its key `{}` goes through a complex property, which is not supported yet",
                    entity.name,
                    parts.join(", ")
                ));
                Vec::new()
            });

        // Alternate keys name their accessors before navigations take names.
        let alternate_keys: Vec<AlternateKeyPlan> = entity
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
                let method = scopes.paths.claim(&format!("by_{}", suffix.join("_and_")), "_key");
                (!parts.is_empty()).then_some(AlternateKeyPlan { method, parts })
            })
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
            let readable = self.names.readable(&nav.name);
            let ident = scopes.fields.claim(&snake(&readable), "_value");
            let marker = scopes.markers.claim(&camel(&readable), "Navigation");
            let handle = scopes.handles.claim(&snake(&readable), "_navigation");
            let path_method = scopes.paths.claim(&snake(&readable), "_nav");
            // Deep insert for the related entities the parent owns: contained
            // ones, and those deleted with it (`OnDelete Action="Cascade"`, how
            // SAP CAP and other servers describe a composition). OData allows
            // deep insert through any navigation, but servers commonly refuse
            // it through plain associations.
            let owned = nav.contains_target || nav.on_delete.as_deref() == Some("Cascade");
            let deep_insert_setter = (nav.ty.collection && owned && target_insertable)
                .then(|| scopes.setters.claim(&snake(&readable), "_lines"));
            let mut docs = described(&nav.annotations, None);
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
                implied_key: self.implied_key(entity, nav),
                deep_insert_setter,
                docs,
            });
        }
        // By-key accessors come after every navigation so a navigation name always wins.
        for nav in navigations.iter_mut().filter(|n| n.collection) {
            let key: Vec<String> = self
                .model
                .entity_types
                .get(&nav.target.qualified)
                .and_then(|target| self.model.key_of(target))
                .map(|key| key.iter().filter(|k| !nav.implied_key.contains(&k.name)).map(|k| snake(&k.name)).collect())
                .unwrap_or_default();
            let one = one_of(&nav.path_method, &self.names.entities[&nav.target.qualified].one, &key, &scopes.paths);
            nav.key_method = Some(scopes.paths.claim(&one, "_"));
        }

        let mut sets: Vec<SetPlan> = self
            .model
            .entity_sets()
            .iter()
            .filter(|s| s.entity_type == entity.name)
            .map(|s| SetPlan {
                name: s.name.clone(),
                marker: self.names.set_markers[&s.name].marker.clone(),
                collection_path: self.names.set_markers[&s.name].collection_path.clone(),
                entity_path: self.names.set_markers[&s.name].entity_path.clone(),
                capabilities: s.annotations.capabilities(),
                docs: set_docs(s),
                synthetic: false,
                singleton: false,
            })
            .collect();
        if let Some(names) = sets.is_empty().then(|| self.names.set_markers.get(&entity.name.to_string())).flatten() {
            sets.push(SetPlan {
                name: entity.name.name.clone(),
                marker: names.marker.clone(),
                collection_path: names.collection_path.clone(),
                entity_path: names.entity_path.clone(),
                capabilities: Capabilities::default(),
                docs: vec![format!(
                    "`{}` entities, which no entity set exposes: they are reached through navigation properties.",
                    entity.name
                )],
                synthetic: true,
                singleton: false,
            });
        }
        for singleton in self.model.singletons().iter().filter(|s| s.ty == entity.name) {
            // One entity at a fixed path: read and updated, never created or deleted.
            let updatable = singleton.annotations.capabilities().updatable;
            let capabilities =
                Capabilities { insertable: Some(false), deletable: Some(false), updatable, ..Capabilities::default() };
            let mut docs = vec![format!("The singleton `{}` of `{}`.", singleton.name, entity.name)];
            let description = described(&singleton.annotations, None);
            if !description.is_empty() {
                docs.push(String::new());
                docs.extend(description.into_iter().filter(|l| !l.is_empty()));
            }
            let names = &self.names.set_markers[&singleton.name];
            sets.push(SetPlan {
                name: singleton.name.clone(),
                marker: names.marker.clone(),
                collection_path: None,
                entity_path: names.entity_path.clone(),
                capabilities,
                docs,
                synthetic: false,
                singleton: true,
            });
        }

        let mut actions = Vec::new();
        let mut collection_actions = Vec::new();
        // Operations bound to a base type apply to derived types too; the
        // type's own come first, so they keep the plain names.
        let lineage = self.lineage(entity);
        let etag_protected = self
            .model
            .entity_sets()
            .iter()
            .filter(|s| s.entity_type == entity.name)
            .any(|s| s.annotations.optimistic_concurrency().is_some());
        let bound = lineage.iter().flat_map(|owner| self.bound_operations(owner));
        for (operation, binding) in bound {
            let Some(mut plan) = self.operation(operation, &mut scopes.paths) else { continue };
            plan.call = plan.has_optional_parameters().then(|| format!("{struct_name}{}Call", camel(&plan.method)));
            plan.if_match = etag_protected && !binding.collection && plan.kind == OperationKind::Action;
            if plan.if_match {
                plan.docs.push(
                    "Sends `If-Match` with the ETag of `current` (the entity as last read, or its ETag): \
                     the service refuses the call if the entity changed since."
                        .to_owned(),
                );
            }
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

        let documented = self.documented_entity(&entity.name).and_then(|d| d.description.as_deref());
        let mut docs = described(&entity.annotations, documented);
        docs.push(format!("Entity type `{}`.", entity.name));
        let key_names: Vec<&str> = key.iter().map(|k| k.wire.as_str()).collect();
        if key.is_empty() {
            docs.push("No key: reached through singletons and navigation properties, never by key.".to_owned());
        } else {
            docs.push(format!("Key: `{}`.", key_names.join("`, `")));
        }
        for set in &sets {
            if set.synthetic {
                docs.extend(set.docs.iter().cloned());
                continue;
            }
            if set.singleton {
                docs.push(format!("Singleton `{}`: read from `…/{}`.", set.name, set.name));
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
        let ancestors = lineage[1..].iter().map(|base| RustType::entity(&self.names.entities[&base.name])).collect();
        EntityPlan {
            qualified: entity.name.clone(),
            namespace: name.namespace.clone(),
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
            ancestors,
            derived: false,
            docs,
        }
    }

    /// The type and the types it derives from, nearest first.
    fn lineage<'m>(&'m self, entity: &'m EntityType) -> Vec<&'m EntityType> {
        let mut chain = vec![entity];
        while let Some(base) =
            chain.last().and_then(|t| t.base_type.as_ref()).and_then(|b| self.model.entity_types.get(b))
        {
            if chain.iter().any(|t| t.name == base.name) || !self.names.entities.contains_key(&base.name) {
                break;
            }
            chain.push(base);
        }
        chain
    }

    /// The operations bound to `owner` or to a collection of it, with their binding type.
    fn bound_operations<'m>(&'m self, owner: &'m EntityType) -> impl Iterator<Item = (&'m Operation, &'m TypeRef)> {
        let indices = self.bound.get(&owner.name).map_or(&[][..], Vec::as_slice);
        indices.iter().filter_map(|&i| {
            let operation = &self.model.operations[i];
            Some((operation, operation.binding_type()?))
        })
    }

    /// The plan of one operation, or `None` (with a warning) for one with a
    /// stream parameter, which neither a URL nor a JSON body can carry.
    pub fn operation(&self, operation: &Operation, scope: &mut Scope) -> Option<OperationPlan> {
        let underlying = |ty: &TypeRef| match &ty.target {
            TypeTarget::TypeDefinition(n) => self.model.type_definitions.get(n).map(|d| d.underlying_type),
            TypeTarget::Primitive(p) => Some(*p),
            _ => None,
        };
        // What a function's URL can hold as a literal; anything else goes in
        // a parameter alias as JSON (`f(p=@p)?@p={...}`).
        let literal = |ty: &TypeRef| match &ty.target {
            _ if ty.collection => false,
            TypeTarget::Enum(_) => true,
            TypeTarget::Primitive(_) | TypeTarget::TypeDefinition(_) => !matches!(
                underlying(ty),
                Some(
                    Primitive::Stream
                        | Primitive::Untyped
                        | Primitive::PrimitiveType
                        | Primitive::Geography(_)
                        | Primitive::Geometry(_)
                        | Primitive::AnyPropertyPath
                        | Primitive::ModelElementPath
                ) | None
            ),
            _ => false,
        };
        if let Some(parameter) =
            operation.call_parameters().iter().find(|p| underlying(&p.ty) == Some(Primitive::Stream))
        {
            self.warnings.borrow_mut().push(format!(
                "`{}` is not generated: its parameter `{}` is a stream (`{}`), which neither a URL nor a JSON body can carry",
                operation.name,
                parameter.name,
                parameter.ty.csdl_name()
            ));
            return None;
        }
        // `body` is the local an action's JSON body is built in.
        // Besides `self`, the locals and fields the generated method and call
        // type use (`body`, `current` and the `call_` names).
        let mut parameter_scope = Scope::with_reserved(&[
            "self",
            "body",
            "current",
            "call_value",
            "call_parameters",
            "call_aliases",
            "call_receiver",
            "call_etag",
        ]);
        let parameters: Vec<ParameterPlan> = operation
            .call_parameters()
            .iter()
            .map(|p| ParameterPlan {
                wire: p.name.clone(),
                ident: parameter_scope.claim(&snake(&p.name), "_value"),
                ty: self.rust_type(&p.ty),
                nullable: p.facets.is_nullable(),
                alias: operation.kind == OperationKind::Function && !literal(&p.ty),
                optional: p.annotations.optional_parameter().is_some(),
                setter: None,
            })
            .collect();
        // Setters of optional parameters live on the call type, beside
        // `request` and the `IntoFuture` methods.
        let mut setter_scope = Scope::with_reserved(&["request", "into_future", "new"]);
        let parameters: Vec<ParameterPlan> = parameters
            .into_iter()
            .map(|p| ParameterPlan {
                setter: p.optional.then(|| setter_scope.claim(p.ident.trim_start_matches("r#"), "_value")),
                ..p
            })
            .collect();
        // A stream result is the response body; a collection of streams can
        // only be kept as the JSON it arrives as.
        let returns = operation.return_type.as_ref().map(|r| {
            let ty = match self.rust_type(&r.ty) {
                RustType::Collection(inner) if inner.is_stream() => {
                    RustType::Collection(Box::new(RustType::Primitive(Primitive::Untyped)))
                }
                ty => ty,
            };
            (ty, r.facets.is_nullable())
        });
        let kind = match operation.kind {
            OperationKind::Action => "Action",
            OperationKind::Function => "Function",
        };
        let mut docs = described(&operation.annotations, None);
        docs.push(format!("{kind} `{}`.", operation.name));
        docs.extend(parameter_docs(operation, &parameters));
        let method = overload_name(scope, &snake(&operation.name.name), &parameters);
        Some(OperationPlan {
            kind: operation.kind,
            qualified: operation.name.to_string(),
            method,
            parameters,
            returns,
            call: None,
            if_match: false,
            docs,
        })
    }
}

/// `Validation.AllowedValues` as a list for the docs: the service refuses
/// any other value (the type stays open, as the annotation may grow).
fn allowed_values_docs(annotations: &Annotations) -> Vec<String> {
    let allowed = annotations.allowed_values();
    if allowed.is_empty() {
        return Vec::new();
    }
    let mut lines = vec![String::new(), "Allowed values (`Validation.AllowedValues`):".to_owned()];
    lines.extend(allowed.iter().map(|a| match a.description {
        Some(description) => {
            format!("- `{}`: {}", a.value, description.split_whitespace().collect::<Vec<_>>().join(" "))
        }
        None => format!("- `{}`", a.value),
    }));
    lines
}

/// What the caller of an operation should know about its parameters:
/// which may be null (CSDL makes a parameter nullable unless it says
/// `Nullable="false"`), which are optional and what the service assumes
/// then, and the values `Validation.AllowedValues` allows.
fn parameter_docs(operation: &Operation, parameters: &[ParameterPlan]) -> Vec<String> {
    let mut lines = Vec::new();
    for (parameter, plan) in operation.call_parameters().iter().zip(parameters) {
        let mut facts = Vec::new();
        if let Some(default) = parameter.annotations.optional_parameter() {
            let setter = plan.setter.as_deref().unwrap_or_default();
            facts.push(match default {
                Some(default) => format!("optional, set with `{setter}` (the service assumes `{default}`)"),
                None => format!("optional, set with `{setter}`"),
            });
        } else if plan.nullable && !matches!(plan.ty, RustType::Collection(_)) {
            let why =
                if parameter.facets.nullable.is_none() { " (CSDL's default: `Nullable` is not given)" } else { "" };
            facts.push(format!("nullable{why}: pass a value or `None`"));
        }
        let allowed = parameter.annotations.allowed_values();
        if !allowed.is_empty() {
            let values: Vec<String> = allowed.iter().map(|a| format!("`{}`", a.value)).collect();
            facts.push(format!("one of {}", values.join(", ")));
        }
        if !facts.is_empty() {
            lines.push(format!("- `{}`: {}.", parameter.name, facts.join("; ")));
        }
    }
    if !lines.is_empty() {
        lines.insert(0, String::new());
        lines.insert(1, "Parameters:".to_owned());
        lines.push(String::new());
    }
    lines
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

/// What an element's annotations say about it, for its docs: the
/// description (`Core.Description`, else `fallback` from resource docs,
/// else SAP's `Common.Label`), the long description, and the label when it
/// differs from the description. Ends with an empty line when not empty.
pub fn described(annotations: &Annotations, fallback: Option<&str>) -> Vec<String> {
    let label = annotations.label();
    let summary = annotations.description().or(fallback);
    let mut lines = Vec::new();
    match (summary, label) {
        (Some(summary), Some(label)) if summary != label => {
            lines.push(summary.to_owned());
            lines.push(String::new());
            lines.push(format!("Label: \"{label}\"."));
        }
        (Some(text), _) | (None, Some(text)) => lines.push(text.to_owned()),
        (None, None) => {}
    }
    if let Some(long) = annotations.long_description() {
        if !lines.is_empty() {
            lines.push(String::new());
        }
        lines.push(long.to_owned());
    }
    if !lines.is_empty() {
        lines.push(String::new());
    }
    lines
}
