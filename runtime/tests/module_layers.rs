//! The runtime's modules build on each other in one direction only: no
//! module reaches a module that reaches back to it. The layers run from the
//! wire up (`http`, `transport`, `error`, `auth`, `retry`, `client`, `api`,
//! `request`, `paging`/`batch`) and from values up to the typed layer
//! (`value`, `literal`, `entity`, `property`, `filter`/`projection`,
//! `query`, `path`).
//! `lib.rs` (the re-exports) and `__private` (the generator's helpers) may
//! name anything.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Top-level module → the top-level modules its code names.
fn module_graph(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut files = vec![src.to_path_buf()];
    while let Some(path) = files.pop() {
        if path.is_dir() {
            files.extend(std::fs::read_dir(&path).unwrap().map(|entry| entry.unwrap().path()));
            continue;
        }
        let relative = path.strip_prefix(src).unwrap();
        let module =
            relative.components().next().unwrap().as_os_str().to_string_lossy().trim_end_matches(".rs").to_owned();
        if module == "lib" || module == "__private" {
            continue;
        }
        // `super::x` names a top-level module from a top-level file or a
        // directory module's `mod.rs`.
        let super_is_root =
            relative.components().count() == 1 || (relative.components().count() == 2 && relative.ends_with("mod.rs"));
        let text = std::fs::read_to_string(&path).unwrap();
        // Unit tests may name anything; doc links are not dependencies.
        let code = text.split("#[cfg(test)]").next().unwrap_or("");
        let names = graph.entry(module.clone()).or_default();
        for line in code.lines().map(str::trim).filter(|line| !line.starts_with("//")) {
            for (prefix, counts) in [("crate::", true), ("super::", super_is_root)] {
                for (at, _) in line.match_indices(prefix).filter(|_| counts) {
                    let rest = &line[at + prefix.len()..];
                    let name: String = rest.chars().take_while(|c| c.is_ascii_lowercase() || *c == '_').collect();
                    if !name.is_empty() && name != module {
                        names.insert(name);
                    }
                }
            }
        }
    }
    let known: BTreeSet<String> = graph.keys().cloned().collect();
    for names in graph.values_mut() {
        names.retain(|name| known.contains(name));
    }
    graph
}

/// A path `from → … → from`, if there is one.
fn cycle_through(graph: &BTreeMap<String, BTreeSet<String>>, from: &str) -> Option<Vec<String>> {
    let mut stack = vec![vec![from.to_owned()]];
    let mut seen = BTreeSet::new();
    while let Some(path) = stack.pop() {
        let last = path.last().unwrap();
        for next in &graph[last] {
            if next == from {
                let mut cycle = path.clone();
                cycle.push(next.clone());
                return Some(cycle);
            }
            if seen.insert(next.clone()) {
                let mut longer = path.clone();
                longer.push(next.clone());
                stack.push(longer);
            }
        }
    }
    None
}

#[test]
fn no_module_depends_on_a_module_that_depends_on_it() {
    let src = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src");
    let graph = module_graph(&src);
    assert!(graph.len() > 20, "{graph:?}");
    assert!(graph["request"].contains("api"), "the scan sees dependencies: {:?}", graph["request"]);
    let cycles: Vec<String> =
        graph.keys().filter_map(|module| cycle_through(&graph, module)).map(|c| c.join(" → ")).collect();
    assert!(cycles.is_empty(), "module cycles:\n{}", cycles.join("\n"));
}

#[test]
fn the_wire_layers_know_nothing_of_the_typed_layer() {
    let src = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src");
    let graph = module_graph(&src);
    let typed = ["entity", "property", "filter", "projection", "query", "path", "payload", "enums", "literal", "key"];
    for wire in ["http", "transport", "error", "auth", "retry", "client", "api", "request", "paging", "batch"] {
        let reached: Vec<&String> = graph[wire].iter().filter(|m| typed.contains(&m.as_str())).collect();
        assert!(reached.is_empty(), "{wire} names typed modules {reached:?}");
    }
}

/// Finding 11 of the hardening review: exact decimals were read through
/// serde_json's private raw-value token name, which serde_json may change
/// in any release. The public `RawValue` type does the same job.
#[test]
fn no_code_relies_on_serde_jsons_private_names() {
    let src = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = vec![src];
    let mut offenders = Vec::new();
    while let Some(path) = files.pop() {
        if path.is_dir() {
            files.extend(std::fs::read_dir(&path).unwrap().map(|entry| entry.unwrap().path()));
        } else if std::fs::read_to_string(&path).unwrap().contains(concat!("$serde_json", "::private")) {
            offenders.push(path);
        }
    }
    assert!(offenders.is_empty(), "{offenders:?}");
}
