//! CSDL's "Extending an Entity Container": a container that `Extends`
//! another has every child of that one too (and of the one it extends in
//! turn). The service's container is given them here, once, so that
//! everything after resolution (validation, annotation targets, code
//! generation) sees one complete member list. Binding targets and
//! annotation targets that name a container (`Namespace.Base/orders`) are
//! looked up here as well.

use std::collections::BTreeSet;

use super::resolve::Resolver;
use crate::diag::{DiagnosticKind, Severity};
use crate::ir::*;

/// Gives the service's container the members of the containers it
/// extends (among `candidates`, those of referenced documents), directly or
/// through one another, and keeps those containers (only those) in its
/// [`EntityContainer::extended_containers`], nearest first.
///
/// An `Extends` that names nothing, or something other than a container,
/// is an error at the container that says it. A cycle is a warning (CSDL
/// asks clients to cope with one): each container's members are taken once.
pub(super) fn inherit_members(resolver: &mut Resolver<'_>, model: &mut Model, mut candidates: Vec<EntityContainer>) {
    let Some(mut container) = model.container.take() else { return };
    let mut chain: Vec<EntityContainer> = Vec::new();
    let (mut extending, mut next) = ((container.name.clone(), container.origin.clone()), container.extends.clone());
    while let Some(name) = next.take() {
        let (extender, origin) = &extending;
        if name == container.name || chain.iter().any(|c| c.name == name) {
            let message = format!(
                "entity container `{extender}` extends `{name}`, which already extends it, directly or not; \
                 each container's members are taken once"
            );
            resolver.report(Severity::Warning, DiagnosticKind::InheritanceCycle, origin, message);
            break;
        }
        let Some(position) = candidates.iter().position(|c| c.name == name) else {
            let message = format!("`{extender}` extends `{name}`, {}", not_a_container(resolver, model, &name));
            resolver.error(DiagnosticKind::UnknownReference, origin, message);
            break;
        };
        let base = candidates.swap_remove(position);
        extending = (base.name.clone(), base.origin.clone());
        next = base.extends.clone();
        chain.push(base);
    }
    for base in &chain {
        inherit_from(resolver, model, &mut container, base);
    }
    container.extended_containers = chain;
    model.container = Some(container);
}

/// Why `name` is not a container in scope, for the message.
fn not_a_container(resolver: &Resolver<'_>, model: &Model, name: &QualifiedName) -> String {
    if let Some(kind) = resolver.declared_kind(name) {
        return format!("which is {kind}, not an entity container");
    }
    if model.operations.iter().any(|o| o.name == *name) {
        return "which is an action or function, not an entity container".to_owned();
    }
    if model.schemas.iter().any(|s| s.namespace == name.namespace) {
        return format!("but schema `{}` declares no entity container `{}`", name.namespace, name.name);
    }
    format!(
        "but no schema `{}` is declared in this document or read through an `edmx:Reference` that includes it",
        name.namespace
    )
}

/// Adds the members of `base` that `container` does not redefine, marked
/// as inherited from it; checks the redefinitions CSDL allows: a set or
/// singleton of a type derived from (or equal to) the inherited one's.
fn inherit_from(resolver: &mut Resolver<'_>, model: &Model, container: &mut EntityContainer, base: &EntityContainer) {
    let inherited = || Some(base.name.clone());
    for set in &base.entity_sets {
        match container.entity_set(&set.name) {
            Some(own) => {
                let own = (own.entity_type.clone(), own.origin.clone());
                check_retyped(resolver, model, ("entity set", &set.name, &set.entity_type), own, base);
            }
            None if !redefined_as_other(resolver, container, &set.name, "an entity set", base) => {
                container.entity_sets.push(EntitySet { inherited_from: inherited(), ..set.clone() });
            }
            None => {}
        }
    }
    for singleton in &base.singletons {
        match container.singleton(&singleton.name) {
            Some(own) => {
                let own = (own.ty.clone(), own.origin.clone());
                check_retyped(resolver, model, ("singleton", &singleton.name, &singleton.ty), own, base);
            }
            None if !redefined_as_other(resolver, container, &singleton.name, "a singleton", base) => {
                container.singletons.push(Singleton { inherited_from: inherited(), ..singleton.clone() });
            }
            None => {}
        }
    }
    for import in &base.operation_imports {
        if let Some(own) = container.operation_imports.iter().find(|i| i.name == import.name) {
            let message = format!(
                "import `{}` is declared by `{}`, which this container extends; an import cannot be redeclared",
                import.name, base.name
            );
            resolver.error(DiagnosticKind::DuplicateName, &own.origin, message);
        } else if !redefined_as_other(resolver, container, &import.name, "an operation import", base) {
            container.operation_imports.push(OperationImport { inherited_from: inherited(), ..import.clone() });
        }
    }
}

/// A set (or singleton) of the container that redefines an inherited one
/// (`what`, its name and type): its type must be the inherited one's or
/// derive from it.
fn check_retyped(
    resolver: &mut Resolver<'_>,
    model: &Model,
    (what, name, inherited_type): (&str, &str, &QualifiedName),
    (own_type, own_origin): (QualifiedName, Origin),
    base: &EntityContainer,
) {
    if derives_from(model, &own_type, inherited_type) {
        return;
    }
    let message = format!(
        "{what} `{name}` redefines the one of `{}`, which this container extends, so its type must be \
         `{inherited_type}` or derive from it, not `{own_type}`",
        base.name
    );
    resolver.error(DiagnosticKind::DuplicateName, &own_origin, message);
}

/// Whether `container` has a member named `name` of another kind than the
/// inherited one (`kind`); reported, since CSDL forbids it.
fn redefined_as_other(
    resolver: &mut Resolver<'_>,
    container: &EntityContainer,
    name: &str,
    kind: &str,
    base: &EntityContainer,
) -> bool {
    let origin = container
        .entity_sets
        .iter()
        .find(|s| s.name == name)
        .map(|s| &s.origin)
        .or_else(|| container.singletons.iter().find(|s| s.name == name).map(|s| &s.origin))
        .or_else(|| container.operation_imports.iter().find(|i| i.name == name).map(|i| &i.origin));
    let Some(origin) = origin.cloned() else { return false };
    let message = format!(
        "`{name}` is {kind} of `{}`, which this container extends; a member of the same name must be of the same kind",
        base.name
    );
    resolver.error(DiagnosticKind::DuplicateName, &origin, message);
    true
}

/// Whether entity type `ty` is `ancestor` or derives from it.
fn derives_from(model: &Model, ty: &QualifiedName, ancestor: &QualifiedName) -> bool {
    let mut seen = BTreeSet::new();
    let mut current = Some(ty);
    while let Some(name) = current.filter(|n| seen.insert(*n)) {
        if name == ancestor {
            return true;
        }
        current = model.entity_types.get(name).and_then(|t| t.base_type.as_ref());
    }
    false
}

/// What is wrong with the `Target` of a navigation property binding of
/// `container`, if anything. A simple identifier names an entity set or
/// singleton of the container (its inherited ones included); a path starts
/// with one (`education/classes`, through containment), or with the
/// qualified name of this container or of one it extends followed by one
/// of that container's sets or singletons (`Namespace.Base/orders`).
pub(super) fn binding_target_problem(
    resolver: &Resolver<'_>,
    model: &Model,
    container: &EntityContainer,
    target: &str,
) -> Option<String> {
    let (head, rest) = match target.split_once('/') {
        Some((head, rest)) => (head, Some(rest)),
        None => (target, None),
    };
    if !head.contains('.') {
        return (!container.has_set_or_singleton(head)).then(|| {
            format!(
                "navigation binding target `{target}` is not an entity set or singleton of `{}` or of a container \
                 it extends",
                container.name
            )
        });
    }
    let Some(mut named) = QualifiedName::parse(head) else {
        return Some(format!("navigation binding target `{target}` does not start with a container's qualified name"));
    };
    resolver.normalize(&mut named);
    let member = rest.and_then(|r| r.split('/').next()).filter(|m| !m.is_empty());
    let Some(member) = member else {
        return Some(format!("navigation binding target `{target}` names a container, not an entity set or singleton"));
    };
    match member_type(model, &named, member) {
        None => Some(format!(
            "navigation binding target `{target}` names `{named}`, which is neither `{}` nor a container it extends",
            container.name
        )),
        Some(None) => {
            Some(format!("navigation binding target `{target}`: `{named}` has no entity set or singleton `{member}`"))
        }
        Some(Some(_)) => None,
    }
}

/// The entity type of entity set or singleton `child` of container `name`
/// (the service's, or one it extends, with what that one inherits):
/// `None` when there is no such container, `Some(None)` when it has no
/// such member.
pub(super) fn member_type<'m>(
    model: &'m Model,
    name: &QualifiedName,
    child: &str,
) -> Option<Option<&'m QualifiedName>> {
    let of = |c: &'m EntityContainer| {
        c.entity_set(child).map(|s| &s.entity_type).or_else(|| c.singleton(child).map(|s| &s.ty))
    };
    let container = model.container.as_ref()?;
    if container.name == *name {
        return Some(of(container));
    }
    let extended = &container.extended_containers;
    let position = extended.iter().position(|c| c.name == *name)?;
    Some(extended[position..].iter().find_map(of))
}

/// Applies annotations (`extend`) to container `name` or its member
/// `segments[0]`; `None` when neither the service's container nor one it
/// extends has that name. A member named through a container it is
/// inherited from gets them where it is declared and in the service's
/// container; named through the service's container, only there. (The
/// canonical writer writes those the main document gave an inherited
/// member back as an external block on the service's container.)
pub(super) fn annotate_container(
    model: &mut Model,
    name: &QualifiedName,
    segments: &[&str],
    extend: &impl Fn(&mut Annotations),
) -> Option<bool> {
    let container = model.container.as_mut()?;
    if container.name == *name {
        return Some(match segments {
            [] => {
                extend(&mut container.annotations);
                true
            }
            [child] => member_annotations(container, child).map(|(_, a)| extend(a)).is_some(),
            _ => false,
        });
    }
    let position = container.extended_containers.iter().position(|c| c.name == *name)?;
    let child = match segments {
        [] => {
            extend(&mut container.extended_containers[position].annotations);
            return Some(true);
        }
        [child] => *child,
        _ => return Some(false),
    };
    let mut extended = std::mem::take(&mut container.extended_containers);
    let declaring = extended[position..].iter_mut().find_map(|c| {
        let declared_by = c.name.clone();
        member_annotations(c, child).map(|(_, annotations)| (declared_by, annotations))
    });
    let applied = match declaring {
        Some((declared_by, annotations)) => {
            extend(annotations);
            if let Some((Some(from), annotations)) = member_annotations(container, child)
                && *from == declared_by
            {
                extend(annotations);
            }
            true
        }
        None => false,
    };
    container.extended_containers = extended;
    Some(applied)
}

/// The annotations of the set, singleton or import `child`, with where it
/// is inherited from.
fn member_annotations<'c>(
    container: &'c mut EntityContainer,
    child: &str,
) -> Option<(&'c Option<QualifiedName>, &'c mut Annotations)> {
    if let Some(set) = container.entity_sets.iter_mut().find(|s| s.name == child) {
        return Some((&set.inherited_from, &mut set.annotations));
    }
    if let Some(singleton) = container.singletons.iter_mut().find(|s| s.name == child) {
        return Some((&singleton.inherited_from, &mut singleton.annotations));
    }
    let import = container.operation_imports.iter_mut().find(|i| i.name == child)?;
    Some((&import.inherited_from, &mut import.annotations))
}
