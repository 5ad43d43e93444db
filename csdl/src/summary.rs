//! The model summary that `cargo xtask inspect` prints for maintainers.

use serde::Serialize;

use crate::ir::{Model, OperationKind};

/// Counts and names that describe a model at a glance. Field order is the
/// order of the JSON keys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub version: String,
    pub schemas: usize,
    pub entity_types: usize,
    pub complex_types: usize,
    pub enum_types: usize,
    pub enum_members: usize,
    /// Structural properties declared on entity types.
    pub properties: usize,
    pub navigation_properties: usize,
    pub collection_navigation_properties: usize,
    pub entity_sets: usize,
    pub singletons: usize,
    pub actions: usize,
    pub functions: usize,
    pub bound_actions: usize,
    /// Entity sets that are not insertable, not updatable and not deletable.
    pub read_only_entity_sets: usize,
    pub alternate_keys: usize,
    pub composite_key_entity_types: Vec<String>,
    pub entity_set_names: Vec<String>,
    pub schema_namespaces: Vec<String>,
    pub read_only_entity_set_names: Vec<String>,
    /// `type(alias, ...)` for every alternate key.
    pub alternate_key_list: Vec<String>,
    pub warnings: usize,
}

impl Summary {
    pub fn of(model: &Model) -> Summary {
        let entities = model.entity_types.values();
        let navigation = || entities.clone().flat_map(|e| &e.navigation_properties);
        let mut alternate_key_list: Vec<String> = entities
            .clone()
            .flat_map(|e| {
                e.annotations.alternate_keys().into_iter().map(move |key| {
                    let parts: Vec<&str> = key.parts.iter().map(|p| p.alias.as_str()).collect();
                    format!("{}({})", e.name.name, parts.join(","))
                })
            })
            .collect();
        alternate_key_list.sort();
        let mut entity_set_names: Vec<String> = model.entity_sets().iter().map(|s| s.name.clone()).collect();
        entity_set_names.sort();
        let mut read_only_entity_set_names: Vec<String> = model
            .entity_sets()
            .iter()
            .filter(|s| s.annotations.capabilities().is_read_only())
            .map(|s| s.name.clone())
            .collect();
        read_only_entity_set_names.sort();
        Summary {
            version: model.version.clone(),
            schemas: model.schemas.len(),
            entity_types: model.entity_types.len(),
            complex_types: model.complex_types.len(),
            enum_types: model.enum_types.len(),
            enum_members: model.enum_types.values().map(|e| e.members.len()).sum(),
            properties: entities.clone().map(|e| e.properties.len()).sum(),
            navigation_properties: navigation().count(),
            collection_navigation_properties: navigation().filter(|n| n.ty.collection).count(),
            entity_sets: model.entity_sets().len(),
            singletons: model.singletons().len(),
            actions: model.actions().count(),
            functions: model.functions().count(),
            bound_actions: model.operations.iter().filter(|o| o.kind == OperationKind::Action && o.is_bound).count(),
            read_only_entity_sets: read_only_entity_set_names.len(),
            alternate_keys: alternate_key_list.len(),
            composite_key_entity_types: entities
                .clone()
                .filter(|e| model.key_of(e).is_some_and(|k| k.len() > 1))
                .map(|e| e.name.name.clone())
                .collect(),
            entity_set_names,
            schema_namespaces: model.schemas.iter().map(|s| s.namespace.clone()).collect(),
            read_only_entity_set_names,
            alternate_key_list,
            warnings: model.warnings.len(),
        }
    }
}
