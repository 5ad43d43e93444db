//! Enum and complex types in the plan. Complex types need two decisions
//! the model does not make: which fields hold a recursive type and must be
//! boxed, and which structs can derive `Default`.

use std::collections::BTreeMap;

use super::members::{Builder, described};
use super::*;
use crate::emit::plan::naming::{AllowedForm, allowed_values_form, camel};

impl Builder<'_> {
    pub fn enumeration(&self, enumeration: &EnumType) -> EnumPlan {
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
                MemberPlan {
                    wire: m.name.clone(),
                    variant: scope.claim(&wanted, "Member"),
                    display,
                    value: m.value,
                    description: None,
                }
            })
            .collect();
        let unknown_variant = scope.claim("Unknown", "Value");
        let mut docs = described(&enumeration.annotations, None);
        docs.push(format!("Enum type `{}`.", enumeration.name));
        let name = &self.names.enums[&enumeration.name];
        EnumPlan {
            qualified: enumeration.name.clone(),
            namespace: name.namespace.clone(),
            name: name.name.clone(),
            members,
            unknown_variant,
            is_flags: enumeration.is_flags,
            form: EnumForm::Member,
            docs,
        }
    }

    /// A type for each property whose values `Validation.AllowedValues`
    /// lists (chosen by `Names::choose`): the listed values as variants,
    /// named by their `Core.SymbolicName` where the service gives one,
    /// and the same catch-all for unlisted values as an enum type has.
    pub fn allowed_value_types(&self) -> Vec<EnumPlan> {
        let declared = self
            .model
            .entity_types
            .values()
            .map(|e| (&e.name, &e.properties))
            .chain(self.model.complex_types.values().map(|c| (&c.name, &c.properties)));
        let mut plans = Vec::new();
        for (owner, properties) in declared {
            for property in properties {
                let Some(name) = self.names.allowed.get(&(owner.clone(), property.name.clone())) else { continue };
                let Some(form) = allowed_values_form(property) else { continue };
                let mut scope = Scope::new();
                let members = property
                    .annotations
                    .allowed_values()
                    .iter()
                    .enumerate()
                    .map(|(index, allowed)| {
                        let wanted = match allowed.symbolic_name.unwrap_or(allowed.value) {
                            blank if blank.trim().is_empty() => "Blank".to_owned(),
                            text if text.starts_with(|c: char| c.is_ascii_alphabetic()) => camel(text),
                            text => format!("Value{}", camel(text)),
                        };
                        MemberPlan {
                            wire: allowed.value.to_owned(),
                            variant: scope.claim(&wanted, "Value"),
                            display: allowed.value.to_owned(),
                            value: allowed.value.parse().unwrap_or(index as i64),
                            description: allowed
                                .description
                                .map(|d| d.split_whitespace().collect::<Vec<_>>().join(" ")),
                        }
                    })
                    .collect();
                let mut docs = vec![format!(
                    "The values of `{owner}/{}` (`Validation.AllowedValues`): the service refuses others, but the list may grow.",
                    property.name
                )];
                if form == AllowedForm::Integer {
                    docs.push("On the wire and in filters they are integers.".to_owned());
                }
                plans.push(EnumPlan {
                    qualified: QualifiedName {
                        namespace: owner.namespace.clone(),
                        name: format!("{}/{}", owner.name, property.name),
                    },
                    namespace: name.namespace.clone(),
                    name: name.name.clone(),
                    members,
                    unknown_variant: scope.claim("Unknown", "Value"),
                    is_flags: false,
                    form: match form {
                        AllowedForm::Text => EnumForm::Text,
                        AllowedForm::Integer => EnumForm::Integer,
                    },
                    docs,
                });
            }
        }
        plans
    }

    /// The type of a property: the generated type for its allowed values
    /// when `Names::choose` gave it one (on `owner` or a base type of it).
    pub fn property_type(&self, lineage: &[&QualifiedName], property: &Property) -> RustType {
        let generated =
            lineage.iter().find_map(|owner| self.names.allowed.get(&((*owner).clone(), property.name.clone())));
        match generated {
            Some(name) => RustType::Enum { namespace: name.namespace.clone(), name: name.name.clone() },
            None => self.rust_type(&property.ty),
        }
    }

    fn complex(&self, complex: &ComplexType) -> ComplexPlan {
        let mut scope = Scope::new();
        let mut lineage = vec![&complex.name];
        while let Some(base) =
            lineage.last().and_then(|n| self.model.complex_types.get(*n)).and_then(|c| c.base_type.as_ref())
        {
            if lineage.contains(&base) {
                break;
            }
            lineage.push(base);
        }
        let fields: Vec<FieldPlan> = self
            .model
            .all_complex_properties(complex)
            .into_iter()
            .map(|p| FieldPlan {
                wire: p.name.clone(),
                ident: scope.claim(&snake(&p.name), "_value"),
                marker: String::new(),
                handle: String::new(),
                setter: String::new(),
                ty: self.property_type(&lineage, p),
                nullable: p.facets.is_nullable(),
                boxed: false,
                is_key: false,
                settable_on_create: true,
                settable_on_update: true,
                required_on_create: false,
                docs: self.property_docs(&complex.name, p, false),
            })
            .collect();
        let extra_field = scope.claim("additional_properties", "_");
        let mut docs = described(&complex.annotations, None);
        docs.push(format!("Complex type `{}`.", complex.name));
        if let Some(base) = &complex.base_type {
            docs.push(format!("Derives from `{base}`, whose properties it repeats."));
        }
        let name = &self.names.complexes[&complex.name];
        ComplexPlan {
            qualified: complex.name.clone(),
            namespace: name.namespace.clone(),
            name: name.name.clone(),
            fields,
            extra_field,
            has_default: false,
            docs,
        }
    }
}

/// Every complex type of the model, with recursive fields boxed and
/// `has_default` decided.
pub fn complexes(builder: &Builder<'_>) -> Vec<ComplexPlan> {
    let model = builder.model;
    let mut plans: Vec<ComplexPlan> = model.complex_types.values().map(|c| builder.complex(c)).collect();
    let index: BTreeMap<&QualifiedName, usize> = model.complex_types.keys().enumerate().map(|(i, n)| (n, i)).collect();
    // The complex type a field holds by value (not in a `Vec`), by index.
    let held: Vec<Vec<Option<usize>>> = model
        .complex_types
        .values()
        .map(|c| {
            model
                .all_complex_properties(c)
                .into_iter()
                .map(|p| match &p.ty.target {
                    TypeTarget::Complex(n) if !p.ty.collection => index.get(n).copied(),
                    _ => None,
                })
                .collect()
        })
        .collect();
    let component = strongly_connected(&held);
    for (owner, fields) in held.iter().enumerate() {
        for (field, target) in fields.iter().enumerate() {
            if let Some(target) = target {
                plans[owner].fields[field].boxed = component[*target] == component[owner];
            }
        }
    }
    // `Default` where every field has one, found from the types whose fields
    // are all plain upwards; a required field that loops back never gets one
    // (it would recurse without end).
    let mut has_default = vec![false; plans.len()];
    loop {
        let mut changed = false;
        for (i, plan) in plans.iter().enumerate() {
            if has_default[i] {
                continue;
            }
            let all = plan.fields.iter().zip(&held[i]).all(|(field, target)| match target {
                _ if field.nullable => true,
                Some(target) => has_default[*target],
                None => has_default_value(&field.ty),
            });
            if all {
                has_default[i] = true;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    for (plan, has_default) in plans.iter_mut().zip(has_default) {
        plan.has_default = has_default;
    }
    plans
}

/// Whether a non-nullable field of this type (not a complex one held by
/// value) has a `Default`.
fn has_default_value(ty: &RustType) -> bool {
    match ty {
        RustType::Collection(_) | RustType::Complex { .. } => true,
        RustType::Enum { .. } | RustType::Entity { .. } => false,
        RustType::Primitive(p) => !matches!(
            p,
            Primitive::Untyped
                | Primitive::PrimitiveType
                | Primitive::AnyPropertyPath
                | Primitive::ModelElementPath
                | Primitive::Geography(_)
                | Primitive::Geometry(_)
        ),
    }
}

/// Tarjan's strongly connected components over `edges` (node → the nodes
/// its fields hold), iteratively: the component of each node, so that two
/// nodes reach each other exactly when their components are equal. A node
/// with an edge to itself is in its own component, with itself.
fn strongly_connected(edges: &[Vec<Option<usize>>]) -> Vec<usize> {
    const UNSEEN: usize = usize::MAX;
    let n = edges.len();
    let (mut order, mut low, mut component) = (vec![UNSEEN; n], vec![0; n], vec![UNSEEN; n]);
    let (mut stack, mut on_stack) = (Vec::new(), vec![false; n]);
    let (mut next_order, mut next_component) = (0, 0);
    for start in 0..n {
        if order[start] != UNSEEN {
            continue;
        }
        // Each frame: a node and how many of its edges were followed.
        let mut frames = vec![(start, 0usize)];
        order[start] = next_order;
        low[start] = next_order;
        next_order += 1;
        stack.push(start);
        on_stack[start] = true;
        while let Some(&mut (node, ref mut edge)) = frames.last_mut() {
            if let Some(target) = edges[node].get(*edge) {
                *edge += 1;
                let Some(target) = *target else { continue };
                if order[target] == UNSEEN {
                    order[target] = next_order;
                    low[target] = next_order;
                    next_order += 1;
                    stack.push(target);
                    on_stack[target] = true;
                    frames.push((target, 0));
                } else if on_stack[target] {
                    low[node] = low[node].min(order[target]);
                }
                continue;
            }
            frames.pop();
            if let Some(&(parent, _)) = frames.last() {
                low[parent] = low[parent].min(low[node]);
            }
            if low[node] == order[node] {
                while let Some(member) = stack.pop() {
                    on_stack[member] = false;
                    component[member] = next_component;
                    if member == node {
                        break;
                    }
                }
                next_component += 1;
            }
        }
    }
    component
}

#[cfg(test)]
mod tests {
    use super::strongly_connected;

    #[test]
    fn components_join_nodes_that_reach_each_other() {
        // 0 → 1 → 2 → 0 is a cycle; 3 → 3 loops on itself; 4 → 0 is outside.
        let edges = vec![vec![Some(1)], vec![Some(2), None], vec![Some(0)], vec![Some(3)], vec![Some(0)]];
        let c = strongly_connected(&edges);
        assert!(c[0] == c[1] && c[1] == c[2]);
        assert!(c[3] != c[0] && c[4] != c[0] && c[4] != c[3]);
    }
}
