//! Rust code generation: model → plan → tokens → formatted files.

pub mod changes;
mod complex;
mod entity;
mod enums;
mod layout;
mod operations;
mod paths;
pub mod plan;
mod print;
mod root;
mod structured;
pub mod tokens;

use std::path::PathBuf;

use proc_macro2::TokenStream;
use quote::quote;

pub use crate::facts::DocFacts;
pub use plan::ApiPlan;
#[doc(hidden)]
pub use print::Formatting;

use crate::customize::Customization;
use crate::error::Error;
use crate::ir::Model;

/// One API to generate; `'c` is how long the customization lives, which
/// outlives the plan (rendering uses it after the model is gone).
#[derive(Clone, Copy)]
pub struct ApiInput<'a, 'c> {
    /// The service root below the client's base URL, such as `api/v2.0`;
    /// empty when the base URL is the service root itself.
    pub route: &'a str,
    /// The service's model.
    pub model: &'a Model,
    /// Facts from resource docs (descriptions, read-only properties).
    pub documentation: &'a DocFacts,
    /// The schema file as named in the generated header.
    pub source: &'a str,
    /// The conventions of the service's family ([`crate::customize::Standard`] for plain OData).
    pub customization: &'c dyn Customization,
}

/// A generated file, relative to the generated tree's root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedFile {
    /// Where the file goes, relative to the tree's root.
    pub path: PathBuf,
    /// Its text, header included.
    pub contents: String,
}

/// The Rust module path of a route: `api/v2.0` → `api::v2_0`; empty for
/// an empty route.
pub fn route_modules(route: &str) -> Vec<String> {
    route.split('/').filter(|s| !s.is_empty()).map(|segment| plan::naming::snake(&segment.replace('.', "_"))).collect()
}

/// The plan of one API (for inspection and for tests that count what is generated).
pub fn plan(input: &ApiInput<'_, '_>) -> ApiPlan {
    plan::build(input.model, input.route, input.customization, input.documentation)
}

/// What one generated file holds; rendered on a worker thread.
enum Job<'a> {
    Root {
        plan: &'a ApiPlan,
        modules: Vec<String>,
        customization: &'a dyn Customization,
        doc: String,
    },
    Enums {
        items: Vec<&'a plan::EnumPlan>,
        doc: String,
    },
    Complex {
        items: Vec<&'a plan::ComplexPlan>,
        depth: usize,
        doc: String,
    },
    /// A module made of private submodules whose items it re-exports.
    Chunks {
        chunks: Vec<String>,
        doc: String,
    },
    Entity {
        entity: &'a plan::EntityPlan,
        depth: usize,
        customization: &'a dyn Customization,
        doc: String,
    },
    Tree {
        children: Vec<String>,
        doc: String,
    },
}

impl Job<'_> {
    /// The namespace module of the file and the names it declares (see
    /// [`tokens::FileContext`]).
    fn context(&self) -> tokens::FileContext {
        let (namespace, declared) = match self {
            Job::Enums { items, .. } => {
                (items.first().and_then(|e| e.namespace.clone()), items.iter().map(|e| e.name.clone()).collect())
            }
            Job::Complex { items, .. } => (
                items.first().and_then(|c| c.namespace.clone()),
                items.iter().flat_map(|c| [c.name.clone(), format!("{}Visitor", c.name)]).collect(),
            ),
            Job::Entity { entity, .. } => {
                let mut declared = vec![
                    entity.struct_name.clone(),
                    entity.create_name.clone(),
                    entity.update_name.clone(),
                    format!("{}Visitor", entity.struct_name),
                    "fields".to_owned(),
                ];
                declared.extend(entity.key_struct.iter().cloned());
                declared.extend(entity.sets.iter().map(|s| s.marker.clone()));
                declared.extend(entity.fields.iter().map(|f| f.marker.clone()));
                declared.extend(entity.navigations.iter().map(|n| n.marker.clone()));
                (entity.namespace.clone(), declared)
            }
            Job::Root { .. } | Job::Chunks { .. } | Job::Tree { .. } => (None, Vec::new()),
        };
        tokens::FileContext { namespace, declared }
    }

    fn render(&self) -> TokenStream {
        match self {
            Job::Root { plan, modules, customization, doc } => {
                with_preamble(doc, root::render(plan, modules, *customization))
            }
            Job::Enums { items, doc } => with_preamble(doc, tokens::concat(items.iter().map(|e| enums::render(e)))),
            Job::Complex { items, depth, doc } => {
                with_preamble(doc, tokens::concat(items.iter().map(|c| complex::render(c, *depth))))
            }
            Job::Chunks { chunks, doc } => {
                let chunks = chunks.iter().map(|c| tokens::ident(c));
                quote!(#![doc = #doc] #(mod #chunks; pub use #chunks::*;)*)
            }
            Job::Entity { entity, depth, customization, doc } => {
                let mut items = entity::render(entity, *depth);
                items.extend(customization.entity_items(entity));
                with_preamble(doc, items)
            }
            Job::Tree { children, doc } => {
                let declarations = children.iter().map(|c| {
                    let c = tokens::ident(c);
                    quote!(pub mod #c;)
                });
                quote!(#![doc = #doc] #(#declarations)*)
            }
        }
    }
}

struct Pending<'a> {
    path: PathBuf,
    header: String,
    job: Job<'a>,
}

/// Generates the files of several APIs plus the `mod.rs` files that join
/// them into one module tree. `command` is named in every file's header.
/// What the generator had to leave out goes to `report(route, warning)`.
pub fn generate(
    inputs: &[ApiInput<'_, '_>],
    command: &str,
    report: &mut dyn FnMut(&str, &str),
) -> Result<Vec<GeneratedFile>, Error> {
    let planned = plan_all(inputs, report)?;
    render_all(&planned, command)
}

/// One API, planned: everything rendering needs, owned, so that the model
/// can be dropped before the (memory-hungry) rendering starts.
#[derive(Clone)]
pub struct PlannedApi<'c> {
    /// What to generate.
    pub plan: ApiPlan,
    /// The route's module path (`api/v2.0` → `["api", "v2_0"]`; empty when
    /// the API is the tree's root).
    pub modules: Vec<String>,
    /// The schema file as named in the generated header.
    pub source: String,
    /// The conventions rendering follows.
    pub customization: &'c dyn Customization,
}

/// Plans every API; `report(route, warning)` hears what each leaves out.
/// An API with an empty route is the tree's root, so it must be alone.
pub fn plan_all<'c>(
    inputs: &[ApiInput<'_, 'c>],
    report: &mut dyn FnMut(&str, &str),
) -> Result<Vec<PlannedApi<'c>>, Error> {
    let mut planned: Vec<PlannedApi<'c>> = Vec::with_capacity(inputs.len());
    for input in inputs {
        let modules = route_modules(input.route);
        if let Some(other) = planned.iter().find(|p| {
            p.modules.is_empty()
                || modules.is_empty()
                || p.modules.starts_with(&modules)
                || modules.starts_with(&p.modules)
        }) {
            return Err(Error::ConflictingRoutes(format!(
                "the service roots `{}` and `{}` would share modules; give each API its own route",
                other.plan.route, input.route
            )));
        }
        let plan = plan(input);
        for warning in &plan.warnings {
            report(input.route, warning);
        }
        planned.push(PlannedApi { plan, modules, source: input.source.to_owned(), customization: input.customization });
    }
    Ok(planned)
}

/// Renders every file of the planned APIs, sorted by path.
pub fn render_all(planned: &[PlannedApi<'_>], command: &str) -> Result<Vec<GeneratedFile>, Error> {
    render_all_formatted(planned, command, Formatting::Fast)
}

/// [`render_all`], formatting as told (tests compare the fast path with
/// prettyplease alone).
#[doc(hidden)]
pub fn render_all_formatted(
    planned: &[PlannedApi<'_>],
    command: &str,
    formatting: Formatting,
) -> Result<Vec<GeneratedFile>, Error> {
    let mut files = Vec::new();
    let pending = pending_files(planned, command);
    format_all(&pending, formatting, &mut |file| {
        files.push(file);
        Ok(())
    })?;
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

/// Renders every file of the planned APIs and hands each to `sink` as soon
/// as it is ready, in no particular order: only a few files are in memory
/// at a time. Returns how many files there were.
pub fn render_each(
    planned: &[PlannedApi<'_>],
    command: &str,
    sink: &mut dyn FnMut(GeneratedFile) -> Result<(), Error>,
) -> Result<usize, Error> {
    let pending = pending_files(planned, command);
    format_all(&pending, Formatting::Fast, sink)?;
    Ok(pending.len())
}

/// How many files [`render_each`] will hand over (for progress reports).
pub fn file_count(planned: &[PlannedApi<'_>]) -> usize {
    pending_files(planned, "").len()
}

fn pending_files<'a>(planned: &'a [PlannedApi<'a>], command: &str) -> Vec<Pending<'a>> {
    let mut pending: Vec<Pending<'a>> = Vec::new();
    let mut tree: std::collections::BTreeMap<Vec<String>, std::collections::BTreeSet<String>> = Default::default();
    for api in planned {
        let modules = &api.modules;
        for depth in 0..modules.len() {
            tree.entry(modules[..depth].to_vec()).or_default().insert(modules[depth].clone());
        }
        let dir: PathBuf = modules.iter().collect();
        let header = header(command, Some(&api.source));
        layout::api_files(&api.plan, api.customization, &api.source, &dir, &header, &mut pending);
    }
    for (parent, children) in tree {
        let path: PathBuf = parent.iter().collect::<PathBuf>().join("mod.rs");
        let header = header(command, None);
        let doc = if parent.is_empty() {
            " The generated APIs, one module per route.".to_owned()
        } else {
            format!(" Routes under `{}`.", parent.join("/"))
        };
        pending.push(Pending { path, header, job: Job::Tree { children: children.into_iter().collect(), doc } });
    }
    pending
}

/// The first line of every generated file. `command` and `source` come from
/// the caller (a file name can hold anything), so they are written in a way
/// that cannot end the comment line: line breaks and other control
/// characters become escapes.
fn header(command: &str, source: Option<&str>) -> String {
    match source {
        Some(source) => {
            format!("// Code generated by `{}` from {}. DO NOT EDIT.\n", comment_safe(command), comment_safe(source))
        }
        None => format!("// Code generated by `{}`. DO NOT EDIT.\n", comment_safe(command)),
    }
}

/// `text` with every control character (line breaks included) and every
/// character that changes the reading direction written as an escape.
pub(crate) fn comment_safe(text: &str) -> std::borrow::Cow<'_, str> {
    if text.chars().all(|c| !c.is_control() && !is_bidi_control(c)) {
        return std::borrow::Cow::Borrowed(text);
    }
    std::borrow::Cow::Owned(
        text.chars()
            .map(|c| if c.is_control() || is_bidi_control(c) { c.escape_unicode().to_string() } else { c.to_string() })
            .collect(),
    )
}

/// The Unicode characters that reorder the text around them (the ones
/// rustc warns about in comments and literals, "Trojan Source").
pub(crate) fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

fn with_preamble(doc: &str, items: TokenStream) -> TokenStream {
    let mut file = quote! {
        #![doc = #doc]
        #[allow(unused_imports)]
        use ::odata_v4_runtime as rt;
    };
    file.extend(items);
    file
}

/// Renders and formats every file, spreading the files over the available
/// cores (rendering, parsing and printing all happen on the thread that
/// renders a file, since token streams cannot cross threads). This thread
/// renders too, between handing finished files to `sink`: the memory the
/// caller freed before (the model) is this thread's to reuse, which an
/// allocator with per-thread heaps would not give other threads.
fn format_all(
    pending: &[Pending<'_>],
    formatting: Formatting,
    sink: &mut dyn FnMut(GeneratedFile) -> Result<(), Error>,
) -> Result<(), Error> {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 8);
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    // Bounded, but wide enough that helpers rarely wait while this thread renders a large file.
    let (sender, receiver) = std::sync::mpsc::sync_channel::<Result<GeneratedFile, Error>>(64 * threads);
    let mut outcome = Ok(());
    std::thread::scope(|scope| {
        let helpers: Vec<_> = (1..threads)
            .map(|_| {
                let sender = sender.clone();
                let (next, stop) = (&next, &stop);
                scope.spawn(move || {
                    while !stop.load(Ordering::Relaxed) {
                        let index = next.fetch_add(1, Ordering::Relaxed);
                        let Some(file) = pending.get(index) else { break };
                        if sender.send(format_file(file, formatting)).is_err() {
                            break;
                        }
                    }
                })
            })
            .collect();
        drop(sender);
        let mut deliver = |file: Result<GeneratedFile, Error>| {
            if outcome.is_ok() {
                outcome = file.and_then(&mut *sink);
                if outcome.is_err() {
                    stop.store(true, Ordering::Relaxed);
                }
            }
        };
        loop {
            while let Ok(file) = receiver.try_recv() {
                deliver(file);
            }
            if stop.load(Ordering::Relaxed) {
                break;
            }
            let index = next.fetch_add(1, Ordering::Relaxed);
            let Some(file) = pending.get(index) else { break };
            deliver(format_file(file, formatting));
        }
        for file in receiver.iter() {
            deliver(file);
        }
        for helper in helpers {
            if helper.join().is_err() && outcome.is_ok() {
                outcome = Err(Error::RenderingPanicked);
            }
        }
    });
    outcome
}

fn format_file(file: &Pending<'_>, formatting: Formatting) -> Result<GeneratedFile, Error> {
    let tokens = tokens::in_file(file.job.context(), || file.job.render());
    let text = print::file(tokens, formatting)
        .map_err(|e| Error::GeneratedCodeDoesNotParse { path: file.path.clone(), message: e.to_string() })?;
    let mut contents = String::with_capacity(file.header.len() + text.len());
    contents.push_str(&file.header);
    contents.push_str(&text);
    Ok(GeneratedFile { path: file.path.clone(), contents })
}
