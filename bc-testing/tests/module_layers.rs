//! The fake's modules build on each other in one direction only. Each
//! module belongs to a layer, and its code may name modules of lower layers
//! only: none reaches up, none reaches across to a neighbour of its own
//! layer, so no two modules import each other, directly or around a
//! circle. A new module must be given its layer here.
//!
//! `lib.rs` (declarations and re-exports) may name anything; unit tests
//! (`#[cfg(test)]`) may too. Code names modules by their own path
//! (`crate::json::JsonValue`), never through a re-export at the crate root,
//! so that every dependency is visible to this test.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

/// The layers, lowest first.
const LAYERS: &[&[&str]] = &[
    // Plain data and JSON: Business Central's rule tables, the fake's error.
    &["bc_rules", "error", "json", "table_keys"],
    // The model read from `$metadata`.
    &["model"],
    // Typed values, stored rows, answers and refusals.
    &["reply", "store", "values"],
    // `$filter` parsed, evaluated; request URLs and query options.
    &["filter"],
    &["evaluate", "query"],
    // What Business Central ignores or refuses in a query.
    &["dialect"],
    // From URLs to rows, rows to JSON, and the answers to reads.
    &["resolve"],
    &["render"],
    &["reads"],
    // Writes: Business Central's completion rules, payload checks, writing.
    &["documents"],
    &["payload"],
    &["writes"],
    &["actions", "batch"],
    // One request in, one answer out.
    &["service"],
    // Faults, the request log, one exchange with the client.
    &["faults"],
    &["log"],
    &["exchange"],
    // The handle a test holds, how it is built and seeded.
    &["fake"],
    &["builder", "seeding"],
];

fn src() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// The code of a file that counts: before its unit tests, without comments.
fn code_of(text: &str) -> String {
    let code = text.split("#[cfg(test)]").next().unwrap_or("");
    let mut kept = String::new();
    for line in code.lines() {
        // A `//` outside a string literal starts a comment.
        let mut quotes = 0;
        let mut end = line.len();
        let bytes = line.as_bytes();
        for at in 0..bytes.len() {
            match bytes[at] {
                b'"' if at == 0 || bytes[at - 1] != b'\\' => quotes += 1,
                b'/' if quotes % 2 == 0 && bytes.get(at + 1) == Some(&b'/') => {
                    end = at;
                    break;
                }
                _ => {}
            }
        }
        kept.push_str(&line[..end]);
        kept.push('\n');
    }
    kept
}

fn identifier(text: &str) -> String {
    text.trim_start().chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect()
}

/// The names a file's code reaches through `crate::` (or `super::`, which
/// in these top-level files is the crate root), groups included:
/// `crate::{json::JsonValue, model}` names `json` and `model`.
fn names_reached(code: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for prefix in ["crate::", "super::"] {
        for (at, _) in code.match_indices(prefix) {
            let rest = &code[at + prefix.len()..];
            if let Some(group) = rest.strip_prefix('{') {
                let mut depth = 0;
                let mut item_start = 0;
                for (i, c) in group.char_indices() {
                    match c {
                        '{' => depth += 1,
                        '}' if depth == 0 => {
                            names.insert(identifier(&group[item_start..i]));
                            break;
                        }
                        '}' => depth -= 1,
                        ',' if depth == 0 => {
                            names.insert(identifier(&group[item_start..i]));
                            item_start = i + 1;
                        }
                        _ => {}
                    }
                }
            } else {
                names.insert(identifier(rest));
            }
        }
    }
    names.remove("");
    names
}

/// Module → the names its code reaches at the crate root.
fn reached_by_module() -> BTreeMap<String, BTreeSet<String>> {
    let mut graph = BTreeMap::new();
    for entry in std::fs::read_dir(src()).expect("src/") {
        let path = entry.expect("a file").path();
        assert!(path.extension().is_some_and(|e| e == "rs"), "{}: the fake's modules are files", path.display());
        let module = path.file_stem().and_then(|s| s.to_str()).expect("a name").to_owned();
        if module == "lib" {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("readable");
        graph.insert(module, names_reached(&code_of(&text)));
    }
    graph
}

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|layer| layer.contains(&module))
}

#[test]
fn every_module_imports_only_lower_layers() {
    let graph = reached_by_module();
    assert!(graph.len() >= 25, "{graph:?}");
    assert!(graph["service"].contains("reads") && graph["writes"].contains("payload"), "the scan sees imports");

    let mut problems = Vec::new();
    for (module, reached) in &graph {
        let Some(layer) = layer_of(module) else {
            problems.push(format!("{module} is in no layer: add it to LAYERS"));
            continue;
        };
        for name in reached {
            if !graph.contains_key(name) {
                problems.push(format!("{module} names crate::{name}: name the module that defines it"));
                continue;
            }
            match layer_of(name) {
                Some(other) if other < layer => {}
                Some(other) if other == layer => problems.push(format!("{module} imports {name} of its own layer")),
                _ => problems.push(format!("{module} imports {name} of a higher layer")),
            }
        }
    }
    for layer in LAYERS {
        for module in *layer {
            if !graph.contains_key(*module) {
                problems.push(format!("LAYERS names {module}, which has no file"));
            }
        }
    }
    assert!(problems.is_empty(), "module layering:\n{}", problems.join("\n"));
}

#[test]
fn the_scan_reads_grouped_imports_and_ignores_comments() {
    let code = code_of(
        "use crate::{json::{JsonObject, JsonValue}, model};\nuse super::store::Row; // crate::service\nlet url = \"https://x\"; crate::values::equal();\n#[cfg(test)]\nuse crate::fake;",
    );
    let names: Vec<String> = names_reached(&code).into_iter().collect();
    assert_eq!(names, ["json", "model", "store", "values"]);
}
