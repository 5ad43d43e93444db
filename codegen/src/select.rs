//! Generation-time selection: a model cut down to the entity sets,
//! singletons and operation imports a client uses, and everything they
//! reach (entity types with their base types, the complex, enum and
//! type-definition types of their properties, the targets of navigation
//! properties, and the operations bound to the types kept).
//!
//! Navigation can reach most of a large service (in Microsoft Graph, a user
//! leads to mail, calendars, drives, teams, ...), so how many navigation
//! steps are followed is a choice: a navigation property whose target is
//! not kept is left out, as is an operation that takes or returns an entity
//! type that is not kept.

use std::collections::{BTreeMap, BTreeSet};

use crate::error::Error;
use crate::ir::*;

/// What to keep of a service.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selection {
    /// Entity sets, singletons and operation imports, by their names in the
    /// entity container.
    pub roots: Vec<String>,
    /// How many navigation steps away from a root an entity type may be and
    /// still be kept (its own navigation properties lead only to kept
    /// types). `None` follows navigation without limit.
    pub navigation_depth: Option<usize>,
}

impl Selection {
    /// Roots from a comma-separated list (`users,groups,drives`).
    pub fn parse(list: &str, navigation_depth: Option<usize>) -> Selection {
        let roots = list.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect();
        Selection { roots, navigation_depth }
    }
}

/// What the selection kept, for the maintainer.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Selected {
    pub model: Model,
    /// Navigation properties and operations left out because they lead
    /// outside the selection, as `owner/member`.
    pub left_out: Vec<String>,
}

/// The part of `model` the selection reaches. Unknown root names are an error
/// that lists what the container has.
pub fn select(model: &Model, selection: &Selection) -> Result<Selected, Error> {
    let container = model
        .container
        .as_ref()
        .ok_or_else(|| Error::Selection("the service has no entity container to select from".to_owned()))?;
    let mut walk = Walk {
        model,
        limit: selection.navigation_depth,
        entities: BTreeMap::new(),
        complexes: BTreeSet::new(),
        enums: BTreeSet::new(),
        definitions: BTreeSet::new(),
        operations: BTreeSet::new(),
        pending: Vec::new(),
    };
    let (mut sets, mut singletons, mut imports) = (BTreeSet::new(), BTreeSet::new(), BTreeSet::new());
    for root in &selection.roots {
        if let Some(set) = container.entity_sets.iter().find(|s| s.name == *root) {
            sets.insert(set.name.clone());
            walk.entity(&set.entity_type, 0);
        } else if let Some(singleton) = container.singletons.iter().find(|s| s.name == *root) {
            singletons.insert(singleton.name.clone());
            walk.entity(&singleton.ty, 0);
        } else if let Some(import) = container.operation_imports.iter().find(|i| i.name == *root) {
            imports.insert(import.name.clone());
            let overloads = model
                .operations
                .iter()
                .enumerate()
                .filter(|(_, o)| o.name == import.operation && !o.is_bound && o.kind == import.kind);
            for (index, _) in overloads {
                walk.operation(index, 0);
            }
        } else {
            let mut known: Vec<&str> = container.entity_sets.iter().map(|s| s.name.as_str()).collect();
            known.extend(container.singletons.iter().map(|s| s.name.as_str()));
            known.extend(container.operation_imports.iter().map(|i| i.name.as_str()));
            known.sort_unstable();
            known.dedup();
            return Err(Error::Selection(format!(
                "`{root}` is not an entity set, singleton or operation import of `{}`; it has: {}",
                container.name,
                known.join(", ")
            )));
        }
    }
    walk.finish();
    Ok(walk.into_selected(container, &sets, &singletons, &imports))
}

struct Walk<'m> {
    model: &'m Model,
    limit: Option<usize>,
    /// Kept entity types and the fewest navigation steps they were reached in.
    entities: BTreeMap<QualifiedName, usize>,
    complexes: BTreeSet<QualifiedName>,
    enums: BTreeSet<QualifiedName>,
    definitions: BTreeSet<QualifiedName>,
    /// Kept operations, as indices into `model.operations`.
    operations: BTreeSet<usize>,
    /// Entity types whose members still have to be walked, with their steps.
    pending: Vec<(QualifiedName, usize)>,
}

impl Walk<'_> {
    fn allows(&self, steps: usize) -> bool {
        self.limit.is_none_or(|limit| steps <= limit)
    }

    /// Keeps an entity type reached in `steps` navigation steps.
    fn entity(&mut self, name: &QualifiedName, steps: usize) {
        if !self.model.entity_types.contains_key(name) || !self.allows(steps) {
            return;
        }
        match self.entities.get(name) {
            Some(&known) if known <= steps => {}
            _ => {
                self.entities.insert(name.clone(), steps);
                self.pending.push((name.clone(), steps));
            }
        }
    }

    /// Keeps the types a property, parameter or return value needs; an
    /// entity type counts one more navigation step.
    fn type_ref(&mut self, ty: &TypeRef, steps: usize) {
        match &ty.target {
            TypeTarget::Entity(name) => self.entity(name, steps + 1),
            TypeTarget::Complex(name) => self.complex(name, steps),
            TypeTarget::Enum(name) => {
                self.enums.insert(name.clone());
            }
            TypeTarget::TypeDefinition(name) => {
                self.definitions.insert(name.clone());
            }
            _ => {}
        }
    }

    fn complex(&mut self, name: &QualifiedName, steps: usize) {
        let Some(complex) = self.model.complex_types.get(name) else { return };
        if !self.complexes.insert(name.clone()) {
            return;
        }
        if let Some(base) = &complex.base_type {
            self.complex(base, steps);
        }
        for property in &complex.properties {
            self.type_ref(&property.ty, steps);
        }
    }

    fn operation(&mut self, index: usize, steps: usize) {
        if !self.operations.insert(index) {
            return;
        }
        let operation = &self.model.operations[index];
        for parameter in operation.call_parameters() {
            self.type_ref(&parameter.ty, steps);
        }
        if let Some(returns) = &operation.return_type {
            self.type_ref(&returns.ty, steps);
        }
    }

    /// Walks the members of every kept entity type until nothing new is kept.
    fn finish(&mut self) {
        let bound = bound_operations(self.model);
        while let Some((name, steps)) = self.pending.pop() {
            if self.entities.get(&name) != Some(&steps) {
                continue; // reached in fewer steps since, and walked from there
            }
            let Some(entity) = self.model.entity_types.get(&name) else { continue };
            if let Some(base) = &entity.base_type {
                self.entity(base, steps);
            }
            for property in &entity.properties {
                self.type_ref(&property.ty, steps);
            }
            for nav in &entity.navigation_properties {
                self.type_ref(&nav.ty, steps);
            }
            for &index in bound.get(&name).map_or(&[][..], Vec::as_slice) {
                self.operation(index, steps);
            }
        }
    }

    /// Whether a type reference points at something kept.
    fn keeps(&self, ty: &TypeRef) -> bool {
        match &ty.target {
            TypeTarget::Entity(name) => self.entities.contains_key(name),
            _ => true,
        }
    }

    fn into_selected(
        self,
        container: &EntityContainer,
        sets: &BTreeSet<String>,
        singletons: &BTreeSet<String>,
        imports: &BTreeSet<String>,
    ) -> Selected {
        let model = self.model;
        let mut left_out = Vec::new();
        let entity_types = model
            .entity_types
            .iter()
            .filter(|(name, _)| self.entities.contains_key(*name))
            .map(|(name, entity)| {
                let mut entity = entity.clone();
                entity.navigation_properties.retain(|nav| {
                    let kept = self.keeps(&nav.ty);
                    if !kept {
                        left_out.push(format!("{name}/{}", nav.name));
                    }
                    kept
                });
                (name.clone(), entity)
            })
            .collect();
        let operations = self
            .operations
            .iter()
            .map(|&i| &model.operations[i])
            .filter(|operation| {
                let binding_kept = operation.binding_type().is_none_or(|b| self.keeps(b));
                let kept = binding_kept
                    && operation.call_parameters().iter().all(|p| self.keeps(&p.ty))
                    && operation.return_type.as_ref().is_none_or(|r| self.keeps(&r.ty));
                if !kept && binding_kept {
                    left_out.push(operation.name.to_string());
                }
                kept
            })
            .cloned()
            .collect();
        let mut kept_container = container.clone();
        kept_container.entity_sets.retain(|s| sets.contains(&s.name));
        kept_container.singletons.retain(|s| singletons.contains(&s.name));
        kept_container.operation_imports.retain(|i| imports.contains(&i.name));
        left_out.sort();
        left_out.dedup();
        let selected_model = Model {
            version: model.version.clone(),
            references: model.references.clone(),
            schemas: model.schemas.clone(),
            entity_types,
            complex_types: pick(&model.complex_types, &self.complexes),
            enum_types: pick(&model.enum_types, &self.enums),
            type_definitions: pick(&model.type_definitions, &self.definitions),
            terms: model.terms.clone(),
            operations,
            container: Some(kept_container),
            orphan_annotations: Vec::new(),
            path_annotations: Vec::new(),
            warnings: Vec::new(),
        };
        Selected { model: selected_model, left_out }
    }
}

fn pick<T: Clone>(all: &BTreeMap<QualifiedName, T>, kept: &BTreeSet<QualifiedName>) -> BTreeMap<QualifiedName, T> {
    all.iter().filter(|(name, _)| kept.contains(*name)).map(|(name, item)| (name.clone(), item.clone())).collect()
}

/// Bound operations by the entity type they bind to, as indices.
fn bound_operations(model: &Model) -> BTreeMap<QualifiedName, Vec<usize>> {
    let mut bound: BTreeMap<QualifiedName, Vec<usize>> = BTreeMap::new();
    for (i, operation) in model.operations.iter().enumerate() {
        if let Some(owner) = operation.binding_type().and_then(TypeRef::entity) {
            bound.entry(owner.clone()).or_default().push(i);
        }
    }
    bound
}
