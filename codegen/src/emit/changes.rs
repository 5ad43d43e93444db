//! What changed in a generated API between two versions of a service's
//! `$metadata`: entity sets, entity and complex types, their properties,
//! navigations and operations, enum members and unbound operations, each
//! added, removed or changed, and whether the change breaks code written
//! against the older API. Compared on the plans, so that what counts is the
//! generated Rust (a property that turns non-nullable changes a field's
//! type; a property that becomes required on create adds a constructor
//! argument), not the XML.

use std::collections::BTreeMap;
use std::fmt;

use super::plan::{ApiPlan, EntityPlan, FieldPlan, NavPlan, OperationPlan, RustType, SetPlan};

/// Whether something appeared, disappeared or changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ChangeKind {
    /// New in the newer API.
    Added,
    /// Gone from the newer API.
    Removed,
    /// In both, different.
    Changed,
}

/// One change of the public API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiChange {
    /// Added, removed or changed.
    pub kind: ChangeKind,
    /// What changed, such as ``property `customer.displayName` ``.
    pub item: String,
    /// How it changed, when `kind` does not say it all.
    pub detail: String,
    /// Whether code written against the older API may stop compiling or
    /// change meaning.
    pub breaking: bool,
}

/// Every change between two versions of one API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiChanges {
    /// The API's route.
    pub route: String,
    /// The changes, breaking ones first, then by item.
    pub changes: Vec<ApiChange>,
}

impl ApiChanges {
    /// Whether any change breaks code written against the older API.
    pub fn is_breaking(&self) -> bool {
        self.changes.iter().any(|change| change.breaking)
    }

    /// The semver bump the changes call for, for a crate at `version`
    /// (`major.minor.patch`): breaking changes bump the major version (the
    /// minor one before 1.0), additions the minor one (the patch one before
    /// 1.0), nothing else the patch one.
    pub fn semver_bump(&self, version: &str) -> &'static str {
        let pre_1 = version.starts_with("0.");
        let additions = self.changes.iter().any(|change| change.kind == ChangeKind::Added);
        match (self.is_breaking(), additions, pre_1) {
            (true, _, false) => "major",
            (true, _, true) | (false, true, false) => "minor",
            _ => "patch",
        }
    }
}

impl fmt::Display for ApiChanges {
    /// A report that reads as a CHANGELOG entry.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.changes.is_empty() {
            return writeln!(f, "`{}`: no change to the public API", self.route);
        }
        let breaking = self.changes.iter().filter(|change| change.breaking).count();
        writeln!(f, "`{}`: {} change(s) to the public API, {breaking} breaking", self.route, self.changes.len())?;
        for change in &self.changes {
            let kind = match change.kind {
                ChangeKind::Added => "added",
                ChangeKind::Removed => "removed",
                ChangeKind::Changed => "changed",
            };
            let marker = if change.breaking { " **breaking**" } else { "" };
            write!(f, "- {kind}: {}", change.item)?;
            if !change.detail.is_empty() {
                write!(f, " ({})", change.detail)?;
            }
            writeln!(f, "{marker}")?;
        }
        Ok(())
    }
}

/// The changes from `old` to `new` (two plans of the same API).
pub fn diff(old: &ApiPlan, new: &ApiPlan) -> ApiChanges {
    let mut out = Changes::default();
    compare_sets(&mut out, old, new);
    let old_entities = by(&old.entities, |e| e.qualified.to_string());
    let new_entities = by(&new.entities, |e| e.qualified.to_string());
    for (name, change) in pair(&old_entities, &new_entities) {
        match change {
            Pair::Removed(_) => out.push(ChangeKind::Removed, format!("entity type `{name}`"), "", true),
            Pair::Added(_) => out.push(ChangeKind::Added, format!("entity type `{name}`"), "", false),
            Pair::Both(before, after) => compare_entity(&mut out, &name, before, after),
        }
    }
    let old_complex = by(&old.complexes, |c| c.qualified.to_string());
    let new_complex = by(&new.complexes, |c| c.qualified.to_string());
    for (name, change) in pair(&old_complex, &new_complex) {
        match change {
            Pair::Removed(_) => out.push(ChangeKind::Removed, format!("complex type `{name}`"), "", true),
            Pair::Added(_) => out.push(ChangeKind::Added, format!("complex type `{name}`"), "", false),
            // Complex types are built with struct literals: a new field
            // breaks a literal that lists every field.
            Pair::Both(before, after) => {
                compare_fields(&mut out, &name, &before.fields, &after.fields, Payloads::LITERAL_BUILT);
            }
        }
    }
    let old_enums = by(&old.enums, |e| e.qualified.to_string());
    let new_enums = by(&new.enums, |e| e.qualified.to_string());
    for (name, change) in pair(&old_enums, &new_enums) {
        match change {
            Pair::Removed(_) => out.push(ChangeKind::Removed, format!("enum type `{name}`"), "", true),
            Pair::Added(_) => out.push(ChangeKind::Added, format!("enum type `{name}`"), "", false),
            Pair::Both(before, after) => {
                let old_members = by(&before.members, |m| m.wire.clone());
                let new_members = by(&after.members, |m| m.wire.clone());
                for (member, change) in pair(&old_members, &new_members) {
                    let item = format!("enum member `{name}/{member}`");
                    match change {
                        Pair::Removed(_) => out.push(ChangeKind::Removed, item, "its variant is gone", true),
                        // Enums are non-exhaustive and their unknown values
                        // opaque: a new member breaks no match.
                        Pair::Added(m) => out.push(ChangeKind::Added, item, &format!("variant `{}`", m.variant), false),
                        Pair::Both(b, a) if b.variant != a.variant => out.push(
                            ChangeKind::Changed,
                            item,
                            &format!("variant `{}` is now `{}`", b.variant, a.variant),
                            true,
                        ),
                        Pair::Both(..) => {}
                    }
                }
            }
        }
    }
    compare_operations(&mut out, "unbound operation", "", &old.imports, &new.imports);
    let mut changes = out.0;
    changes.sort_by(|a, b| (!a.breaking, &a.item, a.kind).cmp(&(!b.breaking, &b.item, b.kind)));
    ApiChanges { route: new.route.clone(), changes }
}

#[derive(Default)]
struct Changes(Vec<ApiChange>);

impl Changes {
    fn push(&mut self, kind: ChangeKind, item: String, detail: &str, breaking: bool) {
        self.0.push(ApiChange { kind, item, detail: detail.to_owned(), breaking });
    }
}

enum Pair<'a, T> {
    Removed(&'a T),
    Added(&'a T),
    Both(&'a T, &'a T),
}

fn by<T>(items: &[T], key: impl Fn(&T) -> String) -> BTreeMap<String, &T> {
    items.iter().map(|item| (key(item), item)).collect()
}

fn pair<'a, T>(old: &BTreeMap<String, &'a T>, new: &BTreeMap<String, &'a T>) -> Vec<(String, Pair<'a, T>)> {
    let mut names: Vec<&String> = old.keys().chain(new.keys()).collect();
    names.sort();
    names.dedup();
    names
        .into_iter()
        .map(|name| {
            let change = match (old.get(name), new.get(name)) {
                (Some(before), Some(after)) => Pair::Both(*before, *after),
                (Some(before), None) => Pair::Removed(*before),
                (None, Some(after)) => Pair::Added(*after),
                (None, None) => unreachable!("the name came from one of the maps"),
            };
            (name.clone(), change)
        })
        .collect()
}

/// The entity sets of both plans (a set of an entity type that went away
/// counts as removed too).
fn compare_sets(out: &mut Changes, old: &ApiPlan, new: &ApiPlan) {
    let sets = |plan: &ApiPlan| -> BTreeMap<String, SetPlan> {
        plan.entities
            .iter()
            .flat_map(|e| e.sets.iter().filter(|s| !s.synthetic).map(|s| (s.name.clone(), s.clone())))
            .collect()
    };
    let (old_sets, new_sets) = (sets(old), sets(new));
    let old_refs: BTreeMap<String, &SetPlan> = old_sets.iter().map(|(k, v)| (k.clone(), v)).collect();
    let new_refs: BTreeMap<String, &SetPlan> = new_sets.iter().map(|(k, v)| (k.clone(), v)).collect();
    for (name, change) in pair(&old_refs, &new_refs) {
        let item = format!("entity set `{name}`");
        match change {
            Pair::Removed(_) => out.push(ChangeKind::Removed, item, "", true),
            Pair::Added(_) => out.push(ChangeKind::Added, item, "", false),
            Pair::Both(before, after) => {
                let (b, a) = (&before.capabilities, &after.capabilities);
                for (what, was, is) in [
                    ("insert", b.can_insert(), a.can_insert()),
                    ("update", b.can_update(), a.can_update()),
                    ("delete", b.can_delete(), a.can_delete()),
                    ("$orderby", b.can_sort(), a.can_sort()),
                    ("$filter", b.can_filter(), a.can_filter()),
                ] {
                    if was && !is {
                        out.push(ChangeKind::Changed, item.clone(), &format!("no longer allows {what}"), true);
                    } else if !was && is {
                        out.push(ChangeKind::Changed, item.clone(), &format!("now allows {what}"), false);
                    }
                }
            }
        }
    }
}

fn compare_entity(out: &mut Changes, name: &str, before: &EntityPlan, after: &EntityPlan) {
    let key = |e: &EntityPlan| {
        e.key.iter().map(|k| format!("{}: {}", k.wire, type_name(&k.ty))).collect::<Vec<_>>().join(", ")
    };
    if key(before) != key(after) {
        let detail = format!("key ({}) is now ({})", key(before), key(after));
        out.push(ChangeKind::Changed, format!("entity type `{name}`"), &detail, true);
    }
    if before.module != after.module || before.struct_name != after.struct_name {
        let detail =
            format!("`{}::{}` is now `{}::{}`", before.module, before.struct_name, after.module, after.struct_name);
        out.push(ChangeKind::Changed, format!("entity type `{name}`"), &detail, true);
    }
    // Payload details only matter where both versions have the payload; a
    // payload that appears or goes is reported with its entity set.
    let payloads = Payloads {
        create: before.insertable() && after.insertable(),
        update: before.updatable() && after.updatable(),
        literal_built: false,
    };
    compare_fields(out, name, &before.fields, &after.fields, payloads);
    let old_navs = by(&before.navigations, |n| n.wire.clone());
    let new_navs = by(&after.navigations, |n| n.wire.clone());
    for (nav, change) in pair(&old_navs, &new_navs) {
        let item = format!("navigation `{name}/{nav}`");
        match change {
            Pair::Removed(_) => out.push(ChangeKind::Removed, item, "", true),
            Pair::Added(_) => out.push(ChangeKind::Added, item, "", false),
            Pair::Both(b, a) if describe_nav(b) != describe_nav(a) => {
                out.push(ChangeKind::Changed, item, &format!("{} is now {}", describe_nav(b), describe_nav(a)), true);
            }
            Pair::Both(..) => {}
        }
    }
    let old_alternates = by(&before.alternate_keys, |k| k.method.clone());
    let new_alternates = by(&after.alternate_keys, |k| k.method.clone());
    for (method, change) in pair(&old_alternates, &new_alternates) {
        let item = format!("alternate key `{name}::{method}`");
        match change {
            Pair::Removed(_) => out.push(ChangeKind::Removed, item, "", true),
            Pair::Added(_) => out.push(ChangeKind::Added, item, "", false),
            Pair::Both(..) => {}
        }
    }
    let mut old_operations = before.actions.clone();
    old_operations.extend(before.collection_actions.iter().cloned());
    let mut new_operations = after.actions.clone();
    new_operations.extend(after.collection_actions.iter().cloned());
    compare_operations(out, "bound operation", &format!("{name}/"), &old_operations, &new_operations);
    let old_streams = by(&before.streams, |s| s.wire.clone());
    let new_streams = by(&after.streams, |s| s.wire.clone());
    for (stream, change) in pair(&old_streams, &new_streams) {
        let item = format!("stream property `{name}/{stream}`");
        match change {
            Pair::Removed(_) => out.push(ChangeKind::Removed, item, "", true),
            Pair::Added(_) => out.push(ChangeKind::Added, item, "", false),
            Pair::Both(..) => {}
        }
    }
}

fn describe_nav(nav: &NavPlan) -> String {
    let target = &nav.target.qualified;
    if nav.collection { format!("a collection of `{target}`") } else { format!("one `{target}`") }
}

/// Which payload-related differences of a type's properties to report.
#[derive(Clone, Copy)]
struct Payloads {
    /// Both versions have a create payload.
    create: bool,
    /// Both versions have an update payload.
    update: bool,
    /// The type is built with struct literals, so a new field breaks code.
    literal_built: bool,
}

impl Payloads {
    const LITERAL_BUILT: Payloads = Payloads { create: false, update: false, literal_built: true };
}

/// Properties of an entity or complex type.
fn compare_fields(out: &mut Changes, owner: &str, before: &[FieldPlan], after: &[FieldPlan], payloads: Payloads) {
    let old_fields = by(before, |f| f.wire.clone());
    let new_fields = by(after, |f| f.wire.clone());
    for (field, change) in pair(&old_fields, &new_fields) {
        let item = format!("property `{owner}/{field}`");
        match change {
            Pair::Removed(_) => out.push(ChangeKind::Removed, item, "", true),
            Pair::Added(added) => {
                let (detail, breaking) = if added.required_on_create && payloads.create {
                    ("required on create: a new constructor argument", true)
                } else if payloads.literal_built {
                    ("a new field of a type built with struct literals", true)
                } else {
                    ("", false)
                };
                out.push(ChangeKind::Added, item, detail, breaking);
            }
            Pair::Both(b, a) => {
                for (detail, breaking) in field_differences(b, a, payloads) {
                    out.push(ChangeKind::Changed, item.clone(), &detail, breaking);
                }
            }
        }
    }
}

fn field_differences(before: &FieldPlan, after: &FieldPlan, payloads: Payloads) -> Vec<(String, bool)> {
    let mut differences = Vec::new();
    let shown = |f: &FieldPlan| {
        let ty = type_name(&f.ty);
        if f.nullable { format!("Option<{ty}>") } else { ty }
    };
    if shown(before) != shown(after) {
        differences.push((format!("type `{}` is now `{}`", shown(before), shown(after)), true));
    }
    if before.ident != after.ident {
        differences.push((format!("field `{}` is now `{}`", before.ident, after.ident), true));
    }
    for (what, was, is, compared) in [
        ("settable on create", before.settable_on_create, after.settable_on_create, payloads.create),
        ("settable on update", before.settable_on_update, after.settable_on_update, payloads.update),
    ] {
        if compared && was != is {
            let detail = if is { format!("now {what}") } else { format!("no longer {what}") };
            differences.push((detail, was));
        }
    }
    if payloads.create && before.required_on_create != after.required_on_create {
        let detail = if after.required_on_create {
            "now required on create: a new constructor argument"
        } else {
            "no longer required on create: a constructor argument is gone"
        };
        differences.push((detail.to_owned(), true));
    }
    differences
}

fn compare_operations(out: &mut Changes, what: &str, prefix: &str, before: &[OperationPlan], after: &[OperationPlan]) {
    let old_operations = by(before, |o| o.method.clone());
    let new_operations = by(after, |o| o.method.clone());
    for (method, change) in pair(&old_operations, &new_operations) {
        match change {
            Pair::Removed(o) => out.push(ChangeKind::Removed, format!("{what} `{prefix}{}`", o.qualified), "", true),
            Pair::Added(o) => out.push(ChangeKind::Added, format!("{what} `{prefix}{}`", o.qualified), "", false),
            Pair::Both(b, a) if signature(b) != signature(a) => out.push(
                ChangeKind::Changed,
                format!("{what} `{prefix}{}` (`{method}`)", a.qualified),
                &format!("`{}` is now `{}`", signature(b), signature(a)),
                true,
            ),
            Pair::Both(..) => {}
        }
    }
}

fn signature(operation: &OperationPlan) -> String {
    let parameters: Vec<String> = operation
        .parameters
        .iter()
        .map(|p| {
            let ty = type_name(&p.ty);
            match (p.optional, p.nullable) {
                (true, _) => format!("[{}: {ty}]", p.wire),
                (false, true) => format!("{}: Option<{ty}>", p.wire),
                (false, false) => format!("{}: {ty}", p.wire),
            }
        })
        .collect();
    let returns = match &operation.returns {
        Some((ty, true)) => format!(" -> Option<{}>", type_name(ty)),
        Some((ty, false)) => format!(" -> {}", type_name(ty)),
        None => String::new(),
    };
    let current = if operation.if_match { "current: &impl IfMatch, " } else { "" };
    format!("{}({current}{}){returns}", operation.method, parameters.join(", "))
}

fn type_name(ty: &RustType) -> String {
    match ty {
        RustType::Primitive(primitive) => format!("{primitive:?}"),
        RustType::Enum { namespace: None, name } | RustType::Complex { namespace: None, name } => name.clone(),
        RustType::Enum { namespace: Some(namespace), name }
        | RustType::Complex { namespace: Some(namespace), name } => {
            format!("{namespace}::{name}")
        }
        RustType::Entity { namespace: None, module, name } => format!("{module}::{name}"),
        RustType::Entity { namespace: Some(namespace), module, name } => format!("{namespace}::{module}::{name}"),
        RustType::Collection(inner) => format!("Vec<{}>", type_name(inner)),
    }
}
