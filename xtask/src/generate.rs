//! `cargo xtask generate <edmx> --out <dir> --api <service root> [options]`:
//! writes a standalone crate for any OData v4 `$metadata` (a file or a URL),
//! on the `odata-v4-runtime` crate (and, for Business Central API pages, on
//! the Business Central SDK's glue), optionally for a selection of the
//! service only.

use std::path::{Component, Path, PathBuf};

use odata_v4_codegen::docs::{DocFacts, load_docs};
use odata_v4_codegen::emit::{self, ApiInput, Dialect};
use odata_v4_codegen::select::{Selection, select};

use crate::args::Args;

const USAGE: &str = "usage: cargo xtask generate <edmx file or URL> --out <dir> --api <service root> \
[--crate-name <name>] [--docs <dir>] [--profile strict|business-central] \
[--select <set,singleton,import,...> [--navigation-depth <n>]] [--local]";

/// What to generate.
pub struct Request {
    /// The `$metadata` document: a file, or an http(s) URL (a service root
    /// or its `$metadata`).
    pub edmx: PathBuf,
    /// The crate's directory (created if missing).
    pub out: PathBuf,
    /// The service root below a client's base URL: `api/contoso/app/v1.0`,
    /// `TripPinRESTierService`, `sap/opu/odata4/sap/api/srvd/v0001`.
    pub route: String,
    /// The crate's name.
    pub crate_name: String,
    /// Resource docs to read descriptions from.
    pub docs: Option<PathBuf>,
    /// The wire dialect; detected from the model when `None`.
    pub dialect: Option<Dialect>,
    /// How the crate depends on this project's crates.
    pub dependencies: Dependencies,
    /// Only these entity sets, singletons and operation imports, and what
    /// they reach; `None` for the whole service.
    pub selection: Option<Selection>,
}

/// How a generated crate names the runtime (and the Business Central glue).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Dependencies {
    /// By name and version, from crates.io.
    Published,
    /// By path to this checkout's crates, relative to the crate where
    /// possible: for local development and for this project's tests.
    Local(PathBuf),
}

pub fn run(raw: &[String]) -> Result<(), String> {
    let args =
        Args::parse(raw, &["out", "api", "crate-name", "docs", "profile", "select", "navigation-depth"], &["local"])?;
    let ([edmx], Some(out), Some(route)) = (args.positional.as_slice(), args.value("out"), args.value("api")) else {
        return Err(USAGE.to_owned());
    };
    let out = PathBuf::from(out);
    let crate_name = args.value("crate-name").map(str::to_owned).unwrap_or_else(|| default_crate_name(&out));
    let dialect = match args.value("profile") {
        None => None,
        Some("strict") => Some(Dialect::Standard),
        Some("business-central") => Some(Dialect::BusinessCentral),
        Some(other) => return Err(format!("unknown profile `{other}`: use `strict` or `business-central`\n{USAGE}")),
    };
    let dependencies =
        if args.flag("local") { Dependencies::Local(crate::workspace_root()) } else { Dependencies::Published };
    let navigation_depth = match args.value("navigation-depth") {
        None => None,
        Some(text) => Some(text.parse().map_err(|_| format!("`--navigation-depth` must be a number, not `{text}`"))?),
    };
    let selection = match (args.value("select"), navigation_depth) {
        (Some(list), depth) => Some(Selection::parse(list, depth)),
        (None, Some(_)) => return Err(format!("`--navigation-depth` applies to a `--select`ion\n{USAGE}")),
        (None, None) => None,
    };
    let request = Request {
        edmx: PathBuf::from(edmx),
        out,
        route: route.to_owned(),
        crate_name,
        docs: args.value("docs").map(PathBuf::from),
        dialect,
        dependencies,
        selection,
    };
    let generated = generate(&request)?;
    println!(
        "wrote crate `{}` to {} ({} files, {} lines, the largest {} lines; {} profile)",
        request.crate_name,
        request.out.display(),
        generated.files,
        generated.lines,
        generated.largest_file,
        match generated.dialect {
            Dialect::BusinessCentral => "Business Central",
            Dialect::Standard => "strict OData",
        }
    );
    if !generated.left_out.is_empty() {
        let shown: Vec<&str> = generated.left_out.iter().take(10).map(String::as_str).collect();
        println!(
            "the selection left out {} navigation properties and operations that lead outside it, such as {}",
            generated.left_out.len(),
            shown.join(", ")
        );
    }
    Ok(())
}

fn default_crate_name(out: &Path) -> String {
    let name: String = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' })
        .collect();
    let name = name.trim_matches('-').to_owned();
    if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) { format!("api-{name}") } else { name }
}

/// What [`generate`] wrote.
#[derive(Debug, Clone)]
pub struct Generated {
    /// How many files.
    pub files: usize,
    /// How many lines of Rust the generated modules hold.
    pub lines: usize,
    /// The largest generated file, in lines.
    pub largest_file: usize,
    /// The dialect the crate speaks.
    pub dialect: Dialect,
    /// What a selection left out because it leads outside it (navigation
    /// properties and operations, as `owner/member`).
    pub left_out: Vec<String>,
}

/// Writes the crate.
pub fn generate(request: &Request) -> Result<Generated, String> {
    validate_service_root(&request.route)?;
    let source_text = request.edmx.to_string_lossy().into_owned();
    let mut model = crate::metadata::read(&source_text)?;
    let mut left_out = Vec::new();
    if let Some(selection) = &request.selection {
        let selected = select(&model, selection)?;
        model = selected.model;
        left_out = selected.left_out;
    }
    let documentation = match &request.docs {
        Some(dir) => load_docs(dir, &[(request.route.as_str(), &model)])?.0,
        None => DocFacts::default(),
    };
    let dialect = request.dialect.unwrap_or_else(|| Dialect::detect(&model));
    let source = if crate::metadata::is_url(&source_text) {
        source_text.clone()
    } else {
        request.edmx.file_name().map_or_else(|| source_text.clone(), |n| n.to_string_lossy().into_owned())
    };
    let input = ApiInput {
        route: &request.route,
        model: &model,
        documentation: &documentation,
        source: &source,
        dialect: Some(dialect),
    };
    let command = format!("cargo xtask generate {source}");
    let planned = emit::plan_all(&[input], &mut |route, warning| eprintln!("warning: {route}: {warning}"))?;
    // Rendering needs only the plan: the model's memory goes back first.
    drop(model);

    std::fs::create_dir_all(&request.out).map_err(|e| format!("cannot create {}: {e}", request.out.display()))?;
    let src = request.out.join("src");
    write(&request.out.join("Cargo.toml"), &manifest(request, dialect)?)?;
    let modules = emit::route_modules(&request.route);
    write(&src.join("lib.rs"), &lib_rs(request, &modules, &source, &command, dialect))?;
    // The generated tree is the generator's: files of an earlier run (a
    // wider selection) must not linger.
    let generated = src.join("generated");
    if generated.exists() {
        std::fs::remove_dir_all(&generated).map_err(|e| format!("cannot clear {}: {e}", generated.display()))?;
    }
    let (mut lines, mut largest_file) = (0, 0);
    let files = emit::render_each(&planned, &command, &mut |file| {
        let count = file.contents.lines().count();
        lines += count;
        largest_file = largest_file.max(count);
        write(&generated.join(&file.path), &file.contents)
    })?;
    Ok(Generated { files: files + 2, lines, largest_file, dialect, left_out })
}

/// A service root is a relative URL path: segments of URL-safe characters,
/// none empty, none `.` or `..`.
pub fn validate_service_root(route: &str) -> Result<(), String> {
    let plain = |s: &str| {
        !s.is_empty() && s != "." && s != ".." && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-~".contains(&b))
    };
    if route.trim_matches('/').split('/').all(plain) {
        Ok(())
    } else {
        Err(format!(
            "`{route}` is not a service root path such as `api/contoso/app/v1.0`, `TripPinRESTierService` or `sap/opu/odata4/x`"
        ))
    }
}

fn write(path: &Path, contents: &str) -> Result<(), String> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    std::fs::write(path, contents).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// The version of this checkout's runtime crate, which generated code is
/// written for (the two are released together).
fn runtime_version() -> &'static str {
    const MANIFEST: &str = include_str!("../../runtime/Cargo.toml");
    MANIFEST
        .lines()
        .find_map(|line| line.strip_prefix("version = \"").and_then(|rest| rest.strip_suffix('"')))
        .unwrap_or("0.1.0")
}

fn manifest(request: &Request, dialect: Dialect) -> Result<String, String> {
    let version = runtime_version();
    let dependency = |package: &str, directory: &str, extra: &str| -> Result<String, String> {
        match &request.dependencies {
            Dependencies::Published => Ok(format!("{package} = {{ version = \"{version}\"{extra} }}")),
            Dependencies::Local(workspace) => {
                let path = relative_path(&request.out, &workspace.join(directory))?;
                Ok(format!("{package} = {{ path = \"{path}\"{extra} }}"))
            }
        }
    };
    let mut dependencies = vec![dependency("odata-v4-runtime", "runtime", "")?];
    if dialect == Dialect::BusinessCentral {
        // The glue only: the SDK's own generated APIs are behind `apis`.
        dependencies.push(dependency("business-central-sdk", "sdk", ", default-features = false")?);
    }
    Ok(format!(
        r#"# Generated by `cargo xtask generate`; regenerate instead of editing.
[package]
name = "{name}"
version = "0.1.0"
edition = "2024"
publish = false

[dependencies]
{dependencies}

# A crate of its own, not a member of whatever workspace it is written into.
[workspace]
"#,
        name = request.crate_name,
        dependencies = dependencies.join("\n"),
    ))
}

/// `to` relative to the directory `from` when both can be resolved, else
/// `to` made absolute; always with `/` separators, as Cargo.toml wants.
fn relative_path(from: &Path, to: &Path) -> Result<String, String> {
    let to = to.canonicalize().map_err(|e| format!("cannot find {}: {e}", to.display()))?;
    let relative = from.canonicalize().ok().and_then(|from| {
        let from: Vec<Component<'_>> = from.components().collect();
        let target: Vec<Component<'_>> = to.components().collect();
        let common = from.iter().zip(&target).take_while(|(a, b)| a == b).count();
        // Different roots (drives) share nothing but the prefix: no relative path.
        (common > 1).then(|| {
            let ups = std::iter::repeat_n(Component::ParentDir, from.len() - common);
            ups.chain(target[common..].iter().copied()).collect::<PathBuf>()
        })
    });
    let path = relative.unwrap_or(to);
    Ok(path.to_string_lossy().replace('\\', "/"))
}

fn lib_rs(request: &Request, modules: &[String], source: &str, command: &str, dialect: Dialect) -> String {
    let route = &request.route;
    // The generated tree starts with the route's first segment (`api` for
    // `api/contoso/app/v1.0`); the crate re-exports it.
    let top = modules.first().map_or("api", String::as_str);
    let modules = modules.join("::");
    let crate_ident = request.crate_name.replace('-', "_");
    let (description, example, reexports) = match dialect {
        Dialect::BusinessCentral => (
            format!(
                "The Business Central API `{route}`, generated from `{source}`, on the\n//! Business Central SDK's glue and the OData v4 runtime."
            ),
            format!(
                r#"//! # async fn example() -> Result<(), {crate_ident}::runtime::Error> {{
//! use business_central_sdk::{{Client, ClientCredentials, Environment}};
//! let client = Client::builder(Environment::online("contoso.onmicrosoft.com", "Production"))
//!     .credentials(ClientCredentials::new("<tenant id>", "<client id>", "<client secret>"))
//!     .build()?;
//! let api = {crate_ident}::{modules}::Api::new(&client);
//! // Every path mirrors the service's URLs; see the modules under `{top}`.
//! # let _ = api;
//! # Ok(())
//! # }}"#
            ),
            "/// The runtime the generated code is built on.\npub use odata_v4_runtime as runtime;\n\n/// Business Central's glue: environments, credentials, company selection.\npub use business_central_sdk as business_central;\n",
        ),
        Dialect::Standard => (
            format!(
                "The OData v4 service `{route}`, generated from `{source}`, on the OData v4\n//! runtime (strict OData profile)."
            ),
            format!(
                r#"//! # async fn example() -> Result<(), {crate_ident}::runtime::Error> {{
//! use {crate_ident}::runtime::Client;
//! // The base URL the service root `{route}` lives under.
//! let client = Client::builder("https://services.example.com/").build()?;
//! let api = {crate_ident}::{modules}::Api::new(&client);
//! // Every path mirrors the service's URLs; see the modules under `{top}`.
//! # let _ = api;
//! # Ok(())
//! # }}"#
            ),
            "/// The runtime the generated code is built on.\npub use odata_v4_runtime as runtime;\n",
        ),
    };
    format!(
        r#"// Code generated by `{command}`. DO NOT EDIT.
//! {description}
//!
//! ```no_run
{example}
//! ```

{reexports}
#[rustfmt::skip] // Laid out by the generator.
mod generated;
pub use generated::{top};
"#
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_roots_are_any_relative_url_path() {
        for route in ["api/v2.0", "TripPinRESTierService", "sap/opu/odata4/sap/api_x/srvd/v0001", "ODataV4"] {
            assert!(validate_service_root(route).is_ok(), "{route}");
        }
        for route in ["", "a//b", "../etc", "a/./b", "a b", "a?b"] {
            assert!(validate_service_root(route).is_err(), "{route}");
        }
    }

    #[test]
    fn relative_paths_climb_to_the_common_ancestor() {
        let root = std::env::temp_dir().join(format!("xtask-relative-{}", std::process::id()));
        std::fs::create_dir_all(root.join("a/b")).unwrap();
        std::fs::create_dir_all(root.join("runtime")).unwrap();
        assert_eq!(relative_path(&root.join("a/b"), &root.join("runtime")).unwrap(), "../../runtime");
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn the_runtime_version_is_read_from_its_manifest() {
        assert!(runtime_version().split('.').count() == 3, "{}", runtime_version());
    }
}
