//! Maintainer commands (`cargo xtask <command>`; see `cargo xtask --help`):
//! regenerating the SDK, importing a new `$metadata`, reporting API
//! changes, fuzzing, and every check CI runs. Users generate clients with
//! the `odata-v4-gen` command, which these commands share their library
//! with.

pub mod build_cost;
pub mod ci;
pub mod docs_report;
pub mod docs_support;
pub mod fuzz;
pub mod fuzz_responses;
pub mod import;
pub mod inspect;
pub mod regen;

use std::path::{Path, PathBuf};

/// The maintainer commands.
#[derive(Debug, clap::Parser)]
#[command(name = "cargo xtask", about = "Maintainer commands of the OData v4 generator and the Business Central SDK")]
pub enum Command {
    /// Every check CI runs: format, clippy and docs (warnings denied), all
    /// tests, then the runtime's optional features.
    Ci(ci::CiOptions),
    /// Regenerate `sdk/src/generated/` from `sdk/schemas/` and its resource docs.
    Regen {
        /// Fail, listing the files, when the committed code differs.
        #[arg(long)]
        check: bool,
    },
    /// Print a JSON summary of a `$metadata` document.
    Inspect {
        /// The document.
        edmx: PathBuf,
    },
    /// Write the canonical form of a `$metadata` document to
    /// `sdk/schemas/<route>/metadata.xml` and report what changed in the
    /// generated public API.
    ImportMetadata {
        /// The API route, such as `api/v2.0` or `api/microsoft/reportsFinance/beta`.
        #[arg(long = "api", value_name = "ROUTE")]
        route: String,
        /// A file, or a URL (fetched with the bearer token in `$BC_ACCESS_TOKEN`, if set).
        source: String,
    },
    /// What changed in the generated public API between two `$metadata`
    /// versions (added, removed, changed; breaking or not).
    ApiDiff {
        /// The older document.
        old: PathBuf,
        /// The newer document.
        new: PathBuf,
        /// The route the API is generated for.
        #[arg(long = "api", value_name = "ROUTE", default_value = "api")]
        route: String,
    },
    /// Match resource docs to entity types and report what they say.
    DocsReport {
        /// The directory of resource docs.
        docs: PathBuf,
        /// Schemas to match against (the committed ones by default).
        schemas: Vec<PathBuf>,
    },
    /// Time what building with the SDK costs a small app (debug rebuilds,
    /// `cargo check`, binary size, dependency count).
    BuildCost(build_cost::BuildCostOptions),
    /// Mutate CSDL documents and check that the reader never panics.
    Fuzz(fuzz::FuzzOptions),
    /// Mutate service answers (entities, pages and next links, error
    /// bodies, `$batch`) and check the runtime's invariants.
    FuzzResponses(fuzz_responses::FuzzResponsesOptions),
}

/// Runs one command.
pub fn run(command: Command) -> anyhow::Result<()> {
    match command {
        Command::Ci(options) => ci::run(&options),
        Command::Regen { check } => regen::run(check),
        Command::Inspect { edmx } => inspect::run(&edmx),
        Command::ImportMetadata { route, source } => import::run(&route, &source),
        Command::ApiDiff { old, new, route } => import::run_diff(&old, &new, &route),
        Command::DocsReport { docs, schemas } => docs_report::run(&docs, &schemas),
        Command::BuildCost(options) => build_cost::run(&options),
        Command::Fuzz(options) => fuzz::run(&options),
        Command::FuzzResponses(options) => fuzz_responses::run(&options),
    }
}

/// The workspace root (the parent of this crate's directory).
pub fn workspace_root() -> PathBuf {
    let manifest_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest_dir.parent().map(PathBuf::from).unwrap_or(manifest_dir)
}

/// Where the SDK's APIs are described: `sdk/schemas/<route>/metadata.xml`
/// with resource docs in `sdk/schemas/<route>/docs/`.
pub fn schemas_dir(root: &Path) -> PathBuf {
    root.join("sdk").join("schemas")
}
