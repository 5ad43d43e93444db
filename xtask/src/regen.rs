//! `cargo xtask regen [--check]`: regenerates `sdk/src/generated/` from every
//! API under `sdk/schemas/`, with Business Central's customization. With
//! `--check` it only compares and fails when the committed code differs.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, bail};
use business_central_codegen::BusinessCentral;
use odata_v4_codegen::emit::{self, ApiInput, GeneratedFile};
use odata_v4_codegen::facts::DocFacts;
use odata_v4_codegen::ir::Model;
use odata_v4_codegen::tree::{TreeWriter, list_files};

pub const COMMAND: &str = "cargo xtask regen";

/// A committed API: its route, schema file and model.
pub struct SchemaApi {
    pub route: String,
    pub schema: PathBuf,
    pub model: Model,
}

/// Every `sdk/schemas/**/metadata.xml`, sorted by route.
pub fn find_schemas(root: &Path) -> anyhow::Result<Vec<(String, PathBuf)>> {
    let schemas_dir = crate::schemas_dir(root);
    let mut found = Vec::new();
    let mut stack = vec![schemas_dir.clone()];
    while let Some(dir) = stack.pop() {
        let entries = std::fs::read_dir(&dir).with_context(|| format!("cannot list {}", dir.display()))?;
        for entry in entries {
            let path = entry?.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.file_name().is_some_and(|n| n == "metadata.xml") {
                let dir = path.parent().unwrap_or(&schemas_dir);
                let route = dir.strip_prefix(&schemas_dir)?;
                let route = route
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect::<Vec<_>>()
                    .join("/");
                found.push((route, path));
            }
        }
    }
    found.sort();
    Ok(found)
}

/// Reads every committed schema.
pub fn load_apis(root: &Path) -> anyhow::Result<Vec<SchemaApi>> {
    let schemas = find_schemas(root)?;
    let mut apis = Vec::new();
    for (route, schema) in schemas {
        let model = odata_v4_codegen::edmx::read_file(&schema)?;
        apis.push(SchemaApi { route, schema, model });
    }
    Ok(apis)
}

/// The generated tree for the committed schemas and their docs. What the
/// generator leaves out is reported on stderr.
pub fn generate(root: &Path, apis: &[SchemaApi], documentation: &DocFacts) -> anyhow::Result<Vec<GeneratedFile>> {
    // Headers name the schema relative to the SDK's package, whose files they are.
    let sdk = root.join("sdk");
    let sources: Vec<String> = apis
        .iter()
        .map(|a| a.schema.strip_prefix(&sdk).unwrap_or(&a.schema).to_string_lossy().replace('\\', "/"))
        .collect();
    let inputs: Vec<ApiInput<'_, '_>> = apis
        .iter()
        .zip(&sources)
        .map(|(api, source)| ApiInput {
            route: &api.route,
            model: &api.model,
            documentation,
            source,
            customization: &BusinessCentral,
        })
        .collect();
    Ok(emit::generate(&inputs, COMMAND, &mut |route, warning| eprintln!("warning: {route}: {warning}"))?)
}

pub fn run(check: bool) -> anyhow::Result<()> {
    let root = crate::workspace_root();
    let started = Instant::now();
    let apis = load_apis(&root)?;
    let documentation = crate::docs_support::load(&root, &apis)?;
    let files = generate(&root, &apis, &documentation)?;
    let target = root.join("sdk/src/generated");
    let entity_sets: usize = apis.iter().map(|a| a.model.entity_sets().len()).sum();
    if check {
        let drift = compare(&target, &files)?;
        if drift.is_empty() {
            println!("generated code is up to date ({} files, {} APIs)", files.len(), apis.len());
            return Ok(());
        }
        bail!(
            "generated code differs from the schemas in {} file(s):\n  {}\nrun `{COMMAND}` and commit the result",
            drift.len(),
            drift.join("\n  ")
        );
    }
    let written = write_tree(&target, &files)?;
    // Newlines counted as bytes (every generated file ends with one): `lines()` reads each character.
    let lines: usize = files.iter().map(|f| f.contents.bytes().filter(|&b| b == b'\n').count()).sum();
    println!(
        "regenerated {} API(s), {} entity sets: {} files ({} changed), {} lines, in {:.0?}",
        apis.len(),
        entity_sets,
        files.len(),
        written,
        lines,
        started.elapsed()
    );
    Ok(())
}

/// Paths (relative to `target`) that differ from `files`, are missing, or are stale.
pub fn compare(target: &Path, files: &[GeneratedFile]) -> anyhow::Result<Vec<String>> {
    let mut drift = Vec::new();
    for file in files {
        let path = target.join(&file.path);
        let current = std::fs::read_to_string(&path).unwrap_or_default().replace("\r\n", "\n");
        if current != file.contents {
            drift.push(file.path.display().to_string());
        }
    }
    let expected: BTreeSet<PathBuf> = files.iter().map(|f| f.path.clone()).collect();
    for existing in list_files(target)? {
        if !expected.contains(&existing) {
            drift.push(format!("{} (stale)", existing.display()));
        }
    }
    Ok(drift)
}

/// Writes changed files and removes stale ones; returns how many changed.
fn write_tree(target: &Path, files: &[GeneratedFile]) -> anyhow::Result<usize> {
    let mut tree = TreeWriter::new(target)?;
    for file in files {
        tree.write(&file.path, &file.contents)?;
    }
    Ok(tree.finish()?)
}
