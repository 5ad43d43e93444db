//! Which file holds what. An API is one module (`mod.rs`: the entry point
//! and the path wrappers) with a module per entity type and modules for its
//! enum and complex types; a service whose types span several namespaces
//! gets a module per namespace holding those. Enum and complex modules too
//! large to read in one sitting are split by the first letters of the type
//! names into private submodules, re-exported, so paths do not change.

use std::collections::BTreeMap;
use std::path::Path;

use super::plan::naming::escaped;
use super::plan::{ApiPlan, ComplexPlan, EnumPlan};
use super::{Job, Pending, comment_safe};
use crate::customize::Customization;

/// The estimated size, in lines, above which an enum or complex module is
/// split. Estimates are rough (see `enum_lines` and `complex_lines`); the
/// split files of Microsoft Graph stay well below 20,000 lines.
const SPLIT_ABOVE: usize = 12_000;

/// Adds the files of one API below `dir`.
pub fn api_files<'a>(
    plan: &'a ApiPlan,
    customization: &'a dyn Customization,
    source: &str,
    dir: &Path,
    header: &str,
    pending: &mut Vec<Pending<'a>>,
) {
    let file = |pending: &mut Vec<Pending<'a>>, path: std::path::PathBuf, job: Job<'a>| {
        pending.push(Pending { path, header: header.to_owned(), job });
    };
    // An API with an empty route is the service at the client's base URL.
    let route = if plan.route.is_empty() { "/" } else { plan.route.as_str() };
    let doc = format!(" The `{route}` API, generated from `{}`.", comment_safe(source));
    let namespaces: Vec<(Option<&str>, String)> = if plan.namespaces.is_empty() {
        vec![(None, String::new())]
    } else {
        plan.namespaces.iter().map(|n| (Some(n.module.as_str()), n.namespace.clone())).collect()
    };
    let root_modules: Vec<String> = if plan.namespaces.is_empty() {
        plan.entities.iter().map(|e| e.module.clone()).collect()
    } else {
        plan.namespaces.iter().map(|n| n.module.clone()).collect()
    };
    file(pending, dir.join("mod.rs"), Job::Root { plan, modules: root_modules, customization, doc });
    for (module, namespace) in namespaces {
        let (dir, depth, of) = match module {
            Some(module) => (dir.join(module), 2, format!("namespace `{namespace}` of `{route}`")),
            None => (dir.to_path_buf(), 1, format!("`{route}`")),
        };
        let entities: Vec<_> = plan.entities.iter().filter(|e| e.namespace.as_deref() == module).collect();
        if module.is_some() {
            let mut children = vec!["enums".to_owned(), "complex".to_owned()];
            children.extend(entities.iter().map(|e| e.module.clone()));
            let doc = format!(" The types of namespace `{namespace}`.");
            file(pending, dir.join("mod.rs"), Job::Tree { children, doc });
        }
        let enums: Vec<&EnumPlan> = plan.enums.iter().filter(|e| e.namespace.as_deref() == module).collect();
        let doc = format!(" Enum types of {of}.");
        match split(&enums, |e| &e.name, enum_lines) {
            None => file(pending, dir.join("enums.rs"), Job::Enums { items: enums, doc }),
            Some(chunks) => {
                let names = chunks.iter().map(|(name, _)| name.clone()).collect();
                file(pending, dir.join("enums/mod.rs"), Job::Chunks { chunks: names, doc: doc.clone() });
                for (name, items) in chunks {
                    let doc = format!(" Enum types of {of} (names starting `{name}`).");
                    file(pending, dir.join(format!("enums/{name}.rs")), Job::Enums { items, doc });
                }
            }
        }
        let complexes: Vec<&ComplexPlan> = plan.complexes.iter().filter(|c| c.namespace.as_deref() == module).collect();
        let doc = format!(" Complex types of {of}.");
        match split(&complexes, |c| &c.name, complex_lines) {
            None => file(pending, dir.join("complex.rs"), Job::Complex { items: complexes, depth, doc }),
            Some(chunks) => {
                let names = chunks.iter().map(|(name, _)| name.clone()).collect();
                file(pending, dir.join("complex/mod.rs"), Job::Chunks { chunks: names, doc: doc.clone() });
                for (name, items) in chunks {
                    let doc = format!(" Complex types of {of} (names starting `{name}`).");
                    let job = Job::Complex { items, depth: depth + 1, doc };
                    file(pending, dir.join(format!("complex/{name}.rs")), job);
                }
            }
        }
        for entity in entities {
            let doc = format!(" `{}`: the entity, its payloads, property handles and paths.", entity.qualified);
            let path = dir.join(format!("{}.rs", entity.module));
            file(pending, path, Job::Entity { entity, depth, customization, doc });
        }
    }
}

/// About how many lines an enum renders to.
fn enum_lines(plan: &EnumPlan) -> usize {
    70 + 8 * plan.members.len()
}

/// About how many lines a complex type renders to.
fn complex_lines(plan: &ComplexPlan) -> usize {
    70 + 13 * plan.fields.len()
}

/// Groups `items` by the first letters of their names (lower-cased), as
/// few letters as keep each group under [`SPLIT_ABOVE`]; `None` when all of
/// them fit in one file. Each group is named by its prefix, made a valid
/// module name.
fn split<'p, T>(items: &[&'p T], name: fn(&T) -> &str, lines: fn(&T) -> usize) -> Option<Vec<(String, Vec<&'p T>)>> {
    if items.iter().map(|i| lines(i)).sum::<usize>() <= SPLIT_ABOVE {
        return None;
    }
    let mut out = Vec::new();
    split_by_prefix(items, name, lines, 1, &mut out);
    Some(out.into_iter().map(|(prefix, group)| (module_name(&prefix), group)).collect())
}

fn split_by_prefix<'p, T>(
    items: &[&'p T],
    name: fn(&T) -> &str,
    lines: fn(&T) -> usize,
    length: usize,
    out: &mut Vec<(String, Vec<&'p T>)>,
) {
    let mut groups: BTreeMap<String, Vec<&'p T>> = BTreeMap::new();
    for item in items {
        let prefix: String = name(item).to_ascii_lowercase().chars().take(length).collect();
        groups.entry(prefix).or_default().push(item);
    }
    for (prefix, group) in groups {
        let longer = group.iter().any(|i| name(i).chars().count() > length);
        if group.len() > 1 && longer && group.iter().map(|i| lines(i)).sum::<usize>() > SPLIT_ABOVE {
            split_by_prefix(&group, name, lines, length + 1, out);
        } else {
            out.push((prefix, group));
        }
    }
}

/// A prefix as a module (and file) name: keywords get a trailing `_`.
fn module_name(prefix: &str) -> String {
    if escaped(prefix) == prefix { prefix.to_owned() } else { format!("{prefix}_") }
}
