//! The generator as a library: from a `$metadata` document to a module file
//! (for a build script), or to a standalone crate (for the CLI).
//!
//! ```no_run
//! // build.rs, in `fn main`:
//! odata_v4_codegen::Generator::from_file("metadata/trippin.xml")
//!     .build_script("trippin.rs")
//!     .unwrap_or_else(|error| panic!("{error}"));
//! ```
//!
//! ```ignore
//! // src/lib.rs: the API's types and paths, in a module of your choice.
//! pub mod trippin {
//!     include!(concat!(env!("OUT_DIR"), "/trippin.rs"));
//! }
//! ```

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

use crate::customize::{Customization, Standard};
use crate::emit::{self, ApiInput, GeneratedFile, PlannedApi};
use crate::error::Error;
use crate::facts::DocFacts;
use crate::ir::Model;
use crate::select::{Selection, select};
use crate::tree::{TreeWriter, write_if_changed};

/// Where the model comes from.
enum Source {
    File(PathBuf),
    Text { name: String, text: String },
    Model { name: String, model: Box<Model> },
}

/// One service to generate; see the [module documentation](self).
pub struct Generator<'c> {
    source: Source,
    service_root: String,
    customization: &'c dyn Customization,
    documentation: DocFacts,
    selection: Option<Selection>,
    command: String,
}

/// A step of [`Generator::write_crate`], for progress reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Progress {
    /// The model is read and planned; `files` files are to be written.
    Planned {
        /// How many files the crate will hold.
        files: usize,
    },
    /// One more file is written.
    Wrote {
        /// Files written so far.
        done: usize,
        /// Files in all.
        total: usize,
    },
}

/// How a generated crate names the runtime (and any crate its
/// customization adds).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Dependencies {
    /// By name and version, from crates.io (or whatever `[patch]` says).
    Published,
    /// By path to the crates of a checkout of this project's repository
    /// (relative to the generated crate where possible).
    Checkout(PathBuf),
}

/// The crate [`Generator::write_crate`] writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrateOptions {
    /// The package name.
    pub name: String,
    /// How dependencies are named.
    pub dependencies: Dependencies,
    /// The base URL a client of the service is built with, for the crate's
    /// example (`https://services.odata.org/TripPinRESTierService/`).
    pub base_url: Option<String>,
}

impl CrateOptions {
    /// A crate named `name` depending on published crates.
    pub fn new(name: impl Into<String>) -> CrateOptions {
        CrateOptions { name: name.into(), dependencies: Dependencies::Published, base_url: None }
    }
}

/// What was generated.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Generated {
    /// Files generated.
    pub files: usize,
    /// How many files were written or removed; the others already held
    /// what was generated (by an earlier run into the same directory) and
    /// were left untouched, so Cargo does not rebuild for them.
    pub changed: usize,
    /// Lines of Rust written.
    pub lines: usize,
    /// The largest file, in lines.
    pub largest_file: usize,
    /// What the reader warned about and what the generator left out, one
    /// line each.
    pub warnings: Vec<String>,
    /// What a selection left out because it leads outside it (navigation
    /// properties and operations, as `owner/member`).
    pub left_out: Vec<String>,
    /// The customization the code follows (its name).
    pub customization: String,
}

/// What reading, selecting and planning said about the service.
struct Report {
    /// The document's name, for headers.
    name: String,
    warnings: Vec<String>,
    left_out: Vec<String>,
}

impl Generator<'static> {
    /// The service described by the `$metadata` file at `path` (documents
    /// it references are read from beside it).
    pub fn from_file(path: impl Into<PathBuf>) -> Generator<'static> {
        Generator::new(Source::File(path.into()))
    }

    /// The service described by `text`, named `name` in messages and in
    /// the generated files' headers.
    pub fn from_text(name: impl Into<String>, text: impl Into<String>) -> Generator<'static> {
        Generator::new(Source::Text { name: name.into(), text: text.into() })
    }

    /// A model read already (from a URL, say), named `name`.
    pub fn from_model(name: impl Into<String>, model: Model) -> Generator<'static> {
        Generator::new(Source::Model { name: name.into(), model: Box::new(model) })
    }

    fn new(source: Source) -> Generator<'static> {
        Generator {
            source,
            service_root: String::new(),
            customization: &Standard,
            documentation: DocFacts::default(),
            selection: None,
            command: "odata-v4-codegen".to_owned(),
        }
    }
}

impl<'c> Generator<'c> {
    /// The path of the service below the base URL its clients are built
    /// with (`api/contoso/app/v1.0`, `TripPinRESTierService`). Empty, the
    /// default, when the base URL is the service's root itself.
    pub fn service_root(mut self, root: impl Into<String>) -> Self {
        self.service_root = root.into().trim_matches('/').to_owned();
        self
    }

    /// The conventions of the service's family ([`Standard`] by default).
    pub fn customization<'d>(self, customization: &'d dyn Customization) -> Generator<'d> {
        Generator {
            source: self.source,
            service_root: self.service_root,
            customization,
            documentation: self.documentation,
            selection: self.selection,
            command: self.command,
        }
    }

    /// Facts from documentation (descriptions, read-only properties).
    pub fn documentation(mut self, facts: DocFacts) -> Self {
        self.documentation = facts;
        self
    }

    /// Only these entity sets, singletons and operation imports, and what
    /// they reach.
    pub fn selection(mut self, selection: Selection) -> Self {
        self.selection = Some(selection);
        self
    }

    /// What the generated files' headers say they were generated by.
    pub fn command(mut self, command: impl Into<String>) -> Self {
        self.command = command.into();
        self
    }

    /// For build scripts: writes the API as one file, `file_name` in
    /// `OUT_DIR`, to be `include!`d into a module (see the [module
    /// documentation](self)); tells Cargo to run the script again when the
    /// `$metadata` file changes, and passes the generator's warnings on as
    /// Cargo warnings.
    pub fn build_script(self, file_name: &str) -> Result<Generated, Error> {
        let out_dir = std::env::var_os("OUT_DIR").ok_or(Error::NotInBuildScript)?;
        if let Source::File(path) = &self.source {
            println!("cargo:rerun-if-changed={}", path.display());
        }
        let generated = self.write_module_file(&Path::new(&out_dir).join(file_name))?;
        for warning in &generated.warnings {
            println!("cargo:warning={}", warning.replace(['\n', '\r'], " "));
        }
        Ok(generated)
    }

    /// Writes the API as one file at `path` (modules nested inline), to be
    /// `include!`d into a module.
    pub fn write_module_file(self, path: &Path) -> Result<Generated, Error> {
        let customization = self.customization.name().to_owned();
        let (text, report) = self.module_text()?;
        let changed = usize::from(write_if_changed(path, &text)?);
        let lines = line_count(&text);
        Ok(Generated {
            files: 1,
            changed,
            lines,
            largest_file: lines,
            warnings: report.warnings,
            left_out: report.left_out,
            customization,
        })
    }

    /// The text [`write_module_file`](Self::write_module_file) writes.
    pub fn module_file(self) -> Result<String, Error> {
        self.module_text().map(|(text, _)| text)
    }

    fn module_text(self) -> Result<(String, Report), Error> {
        let command = self.command.clone();
        let (report, planned) = self.plan()?;
        let files = emit::render_all(&planned, &command)?;
        let text = nest(files, &command, &report.name)?;
        Ok((text, report))
    }

    /// Writes a standalone crate into `dir` (created if missing), reporting
    /// each step to `progress`. Over an earlier run's crate, only files whose
    /// text changed are written, and files in `src/generated/` that are no
    /// longer generated are removed.
    pub fn write_crate(
        self,
        dir: &Path,
        options: &CrateOptions,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<Generated, Error> {
        validate_crate_name(&options.name)?;
        let customization = self.customization;
        let command = self.command.clone();
        let route = self.service_root.clone();
        let (report, planned) = self.plan()?;
        let modules = emit::route_modules(&route);
        let total = emit::file_count(&planned) + 2;
        progress(Progress::Planned { files: total });

        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        let src = dir.join("src");
        let manifest = manifest(options, dir, customization)?;
        let lib_rs = lib_rs(options, &route, &modules, &report.name, &command, customization);
        let mut changed = usize::from(write_if_changed(&dir.join("Cargo.toml"), &manifest)?);
        changed += usize::from(write_if_changed(&src.join("lib.rs"), &lib_rs)?);
        progress(Progress::Wrote { done: 2, total });
        // Written over the previous run's tree: see `crate::tree`.
        let mut tree = TreeWriter::new(&src.join("generated"))?;
        let (mut lines, mut largest_file, mut done) = (0, 0, 2);
        emit::render_each(&planned, &command, &mut |file| {
            let count = line_count(&file.contents);
            lines += count;
            largest_file = largest_file.max(count);
            tree.write(&file.path, &file.contents)?;
            done += 1;
            progress(Progress::Wrote { done, total });
            Ok(())
        })?;
        changed += tree.finish()?;
        Ok(Generated {
            files: done,
            changed,
            lines,
            largest_file,
            warnings: report.warnings,
            left_out: report.left_out,
            customization: customization.name().to_owned(),
        })
    }

    /// Reads, selects and plans; the model is dropped before rendering,
    /// which needs only the plan.
    fn plan(self) -> Result<(Report, Vec<PlannedApi<'c>>), Error> {
        if !self.service_root.is_empty() {
            validate_service_root(&self.service_root)?;
        }
        let (model, mut report) = prepare(self.source, self.selection.as_ref())?;
        let input = ApiInput {
            route: &self.service_root,
            model: &model,
            documentation: &self.documentation,
            source: &report.name,
            customization: self.customization,
        };
        let mut warnings = Vec::new();
        let planned = emit::plan_all(&[input], &mut |_, warning| warnings.push(warning.to_owned()))?;
        report.warnings.extend(warnings);
        Ok((report, planned))
    }
}

/// Reads the model and applies the selection.
fn prepare(source: Source, selection: Option<&Selection>) -> Result<(Model, Report), Error> {
    let (name, model) = match source {
        Source::File(path) => {
            let name =
                path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
            (name, crate::edmx::read_file(&path)?)
        }
        Source::Text { name, text } => {
            let model = crate::edmx::read_str(&name, &text)?;
            (name, model)
        }
        Source::Model { name, model } => (name, *model),
    };
    let mut warnings: Vec<String> = model.warnings.iter().map(ToString::to_string).collect();
    let (model, left_out) = match selection {
        Some(selection) => {
            let selected = select(&model, selection)?;
            (selected.model, selected.left_out)
        }
        None => (model, Vec::new()),
    };
    if !left_out.is_empty() {
        warnings.push(format!(
            "the selection left out {} navigation properties and operations that lead outside it",
            left_out.len()
        ));
    }
    Ok((model, Report { name, warnings, left_out }))
}

/// A service root is a relative URL path: segments of URL-safe characters,
/// none empty, none `.` or `..`.
pub fn validate_service_root(route: &str) -> Result<(), Error> {
    let plain = |s: &str| {
        !s.is_empty() && s != "." && s != ".." && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-~".contains(&b))
    };
    if route.trim_matches('/').split('/').all(plain) {
        Ok(())
    } else {
        Err(Error::InvalidServiceRoot(route.to_owned()))
    }
}

/// Cargo's rule for package names, as far as generated crates need it.
fn validate_crate_name(name: &str) -> Result<(), Error> {
    let valid = name.starts_with(|c: char| c.is_ascii_alphabetic())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        && name.len() <= 64;
    if valid { Ok(()) } else { Err(Error::InvalidCrateName(name.to_owned())) }
}

/// A crate name from a directory name (`../trippin-client` → `trippin-client`).
pub fn default_crate_name(dir: &Path) -> String {
    let name: String = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' })
        .collect();
    let name = name.trim_matches('-').to_owned();
    if name.is_empty() || !name.starts_with(|c: char| c.is_ascii_alphabetic()) { format!("api-{name}") } else { name }
}

/// The runtime generated code is written for: this crate and the runtime
/// are released together, under one version.
pub const RUNTIME_VERSION: &str = env!("CARGO_PKG_VERSION");

fn manifest(options: &CrateOptions, dir: &Path, customization: &dyn Customization) -> Result<String, Error> {
    let dependency = |package: &str, version: &str, directory: &str, extra: Option<&str>| -> Result<String, Error> {
        let extra = extra.map(|e| format!(", {e}")).unwrap_or_default();
        match &options.dependencies {
            Dependencies::Published => Ok(format!("{package} = {{ version = \"{version}\"{extra} }}")),
            Dependencies::Checkout(checkout) => {
                let path = relative_path(dir, &checkout.join(directory))?;
                Ok(format!("{package} = {{ path = \"{path}\"{extra} }}"))
            }
        }
    };
    let mut dependencies = vec![dependency("odata-v4-runtime", RUNTIME_VERSION, "runtime", None)?];
    for extra in customization.crate_dependencies() {
        dependencies.push(dependency(
            &extra.package,
            &extra.version,
            &extra.checkout_directory,
            extra.extra.as_deref(),
        )?);
    }
    Ok(format!(
        r#"# Generated by the OData v4 code generator; regenerate instead of editing.
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
        name = options.name,
        dependencies = dependencies.join("\n"),
    ))
}

/// `to` relative to the directory `from` when both can be resolved, else
/// `to` made absolute; always with `/` separators, as Cargo.toml wants.
fn relative_path(from: &Path, to: &Path) -> Result<String, Error> {
    let to = to.canonicalize().map_err(|e| Error::io(to, e))?;
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

fn lib_rs(
    options: &CrateOptions,
    route: &str,
    modules: &[String],
    source: &str,
    command: &str,
    customization: &dyn Customization,
) -> String {
    let crate_ident = options.name.replace('-', "_");
    let docs = customization.crate_docs();
    let base_url = options.base_url.as_deref().unwrap_or("https://services.example.com/");
    let api_path =
        if modules.is_empty() { crate_ident.clone() } else { format!("{crate_ident}::{}", modules.join("::")) };
    let service = if route.is_empty() { "service".to_owned() } else { format!("service `{route}`") };
    let mut text = format!(
        "// Code generated by `{}`. DO NOT EDIT.\n//! The OData v4 {service}, generated from `{}`,\n//! {}\n//!\n//! ```no_run\n//! # async fn example() -> Result<(), {crate_ident}::runtime::Error> {{\n",
        emit::comment_safe(command),
        emit::comment_safe(source),
        docs.description,
    );
    for line in &docs.client_setup {
        let line = line.replace("{crate}", &crate_ident).replace("{base_url}", base_url);
        text.push_str(&format!("//! {line}\n"));
    }
    text.push_str(&format!(
        "//! let api = {api_path}::Api::new(&client);\n//! // Every path mirrors the service's URLs: entity sets, singletons and operations are methods of `Api`.\n//! # let _ = api;\n//! # Ok(())\n//! # }}\n//! ```\n\n/// The runtime the generated code is built on.\npub use odata_v4_runtime as runtime;\n"
    ));
    for dependency in customization.crate_dependencies() {
        if let Some((alias, doc)) = dependency.reexport {
            let package = dependency.package.replace('-', "_");
            text.push_str(&format!("\n/// {doc}\npub use {package} as {alias};\n"));
        }
    }
    text.push_str("\n#[rustfmt::skip] // Laid out by the generator.\nmod generated;\n");
    match modules.first() {
        // The generated tree starts with the route's first segment (`api`
        // for `api/contoso/app/v1.0`); the crate re-exports it.
        Some(top) => text.push_str(&format!("pub use generated::{top};\n")),
        None => text.push_str("pub use generated::*;\n"),
    }
    text
}

/// The files of a module tree as one file: every `mod x;` replaced by the
/// contents of `x.rs` (or `x/mod.rs`), inline. The root's own inner
/// attributes are dropped, since the text is `include!`d into a module.
fn nest(files: Vec<GeneratedFile>, command: &str, source: &str) -> Result<String, Error> {
    let mut parsed: BTreeMap<PathBuf, syn::File> = BTreeMap::new();
    for file in files {
        let syntax = syn::parse_file(&file.contents)
            .map_err(|e| Error::GeneratedCodeDoesNotParse { path: file.path.clone(), message: e.to_string() })?;
        parsed.insert(file.path, syntax);
    }
    let root = parsed
        .remove(Path::new("mod.rs"))
        .ok_or_else(|| Error::GeneratedCodeDoesNotParse { path: "mod.rs".into(), message: "no root module".into() })?;
    let items = inline(Path::new(""), root.items, &mut parsed)?;
    let file = syn::File { shebang: None, frontmatter: None, attrs: Vec::new(), items };
    Ok(format!(
        "// Code generated by `{}` from {}. DO NOT EDIT.\n{}",
        emit::comment_safe(command),
        emit::comment_safe(source),
        prettyplease::unparse(&file)
    ))
}

fn inline(
    dir: &Path,
    items: Vec<syn::Item>,
    files: &mut BTreeMap<PathBuf, syn::File>,
) -> Result<Vec<syn::Item>, Error> {
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        let syn::Item::Mod(mut module) = item else {
            out.push(item);
            continue;
        };
        if module.content.is_none() {
            let name = syn::ext::IdentExt::unraw(&module.ident).to_string();
            let child = files
                .remove(&dir.join(format!("{name}.rs")))
                .or_else(|| files.remove(&dir.join(&name).join("mod.rs")))
                .ok_or_else(|| Error::GeneratedCodeDoesNotParse {
                    path: dir.join(format!("{name}.rs")),
                    message: "a declared module has no file".to_owned(),
                })?;
            module.attrs.extend(child.attrs);
            let items = inline(&dir.join(&name), child.items, files)?;
            module.content = Some((syn::token::Brace::default(), items));
            module.semi = None;
        }
        out.push(syn::Item::Mod(module));
    }
    Ok(out)
}

/// `text.lines().count()`, counting bytes: `lines` reads each character,
/// which over Microsoft Graph's 55 MB took 2 % of generation, on the thread
/// that also writes the files.
fn line_count(text: &str) -> usize {
    let bytes = text.as_bytes();
    bytes.iter().filter(|&&b| b == b'\n').count() + usize::from(bytes.last().is_some_and(|&b| b != b'\n'))
}

#[cfg(test)]
mod tests {
    #[test]
    fn lines_are_counted_as_str_lines_counts_them() {
        for text in ["", "a", "a\n", "a\nb", "a\r\nb\r\n", "\n\n", "é\n\u{2028}x"] {
            assert_eq!(super::line_count(text), text.lines().count(), "{text:?}");
        }
    }

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
        let root = std::env::temp_dir().join(format!("codegen-relative-{}", std::process::id()));
        std::fs::create_dir_all(root.join("a/b")).unwrap();
        std::fs::create_dir_all(root.join("runtime")).unwrap();
        assert_eq!(relative_path(&root.join("a/b"), &root.join("runtime")).unwrap(), "../../runtime");
        std::fs::remove_dir_all(&root).unwrap();
    }

    const TINY: &str = r#"<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx"><edmx:DataServices>
<Schema Namespace="T" xmlns="http://docs.oasis-open.org/odata/ns/edm"><EntityType Name="thing"><Key><PropertyRef Name="id"/></Key>
<Property Name="id" Type="Edm.Int32" Nullable="false"/></EntityType>
<EntityContainer Name="C"><EntitySet Name="things" EntityType="T.thing"/></EntityContainer></Schema>
</edmx:DataServices></edmx:Edmx>"#;

    #[test]
    fn a_file_name_cannot_add_lines_of_rust() {
        // A name is anything a file system allows: here a line break, a
        // carriage return and a right-to-left override.
        let name = "metadata\npub fn injected() {}\r\u{202E}.xml";
        let text = Generator::from_text(name, TINY).command("build\nfn also() {}").module_file().unwrap();
        for injected in ["pub fn injected", "fn also"] {
            assert!(text.lines().all(|l| !l.trim_start().starts_with(injected)), "{text}");
        }
        assert!(!text.contains('\r') && !text.contains('\u{202E}'), "{text}");
        assert!(
            text.lines().next().unwrap().contains("metadata\\u{a}pub fn injected() {}\\u{d}\\u{202e}.xml"),
            "{text}"
        );
        syn::parse_file(&text).expect("the module file is Rust");
    }

    #[test]
    fn a_file_name_cannot_add_lines_to_the_crate_docs() {
        let name = "metadata\n//! injected\npub fn injected() {}\r\u{202E}.xml";
        let text =
            lib_rs(&CrateOptions::new("demo"), "odata", &["odata".to_owned()], name, "gen\nfn also() {}", &Standard);
        for injected in ["pub fn injected", "fn also", "//! injected"] {
            assert!(text.lines().all(|l| !l.trim_start().starts_with(injected)), "{text}");
        }
        assert!(!text.contains('\r') && !text.contains('\u{202E}'), "{text}");
        assert!(text.contains("generated from `metadata\\u{a}//! injected\\u{a}pub fn injected() {}"), "{text}");
        syn::parse_file(&text).expect("lib.rs is Rust");
    }

    #[test]
    fn crate_names_follow_cargo() {
        assert!(validate_crate_name("trippin-client").is_ok());
        assert!(validate_crate_name("api_x2").is_ok());
        for bad in ["", "2fast", "a b", "a/b", "ä"] {
            assert!(validate_crate_name(bad).is_err(), "{bad}");
        }
        assert_eq!(default_crate_name(Path::new("../Trip Pin")), "trip-pin");
        assert_eq!(default_crate_name(Path::new("out/2024")), "api-2024");
    }
}
