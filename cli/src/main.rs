//! `odata-v4-gen`: see `odata-v4-gen --help`.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::{Parser, Subcommand, ValueEnum};
use odata_v4_codegen::select::Selection;
use odata_v4_codegen::{Dependencies, Progress};
use odata_v4_gen::{FetchOptions, Profile, Request, Step};

// See the dependency's note in Cargo.toml.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Generates typed Rust clients for OData v4 services from their `$metadata`.
#[derive(Parser)]
#[command(name = "odata-v4-gen", version, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Write a Rust crate for an OData v4 service from its `$metadata`.
    ///
    /// The crate depends on the `odata-v4-runtime` crate (and, for a
    /// Business Central API, on `business-central-sdk`'s glue); build it
    /// as described in the project's README.
    #[command(after_help = "\
Examples:
  odata-v4-gen generate trippin.xml --out ../trippin
  odata-v4-gen generate https://services.odata.org/TripPinRESTierService/ --out ../trippin
  odata-v4-gen generate warehouse.xml --out ../warehouse --service-root api/contoso/warehouse/v1.0
  odata-v4-gen generate graph.xml --out ../graph --service-root v1.0 --select users,groups --navigation-depth 1")]
    Generate(GenerateArgs),
    /// Read a `$metadata` document and print a JSON summary of its model,
    /// or its errors with file, line, column and element path.
    Inspect {
        /// The `$metadata` document: a file, or an http(s) URL.
        metadata: String,
        /// Read a bearer token for the URL from this environment variable.
        #[arg(long, value_name = "VARIABLE")]
        token_env: Option<String>,
    },
}

#[derive(clap::Args)]
struct GenerateArgs {
    /// The `$metadata` document: a file, or an http(s) URL (a service root
    /// or its `$metadata`).
    metadata: String,
    /// The directory to write the crate into (created if missing). Over an
    /// earlier run's crate, only files whose text changed are written, and
    /// files in `src/generated/` no longer generated are removed.
    #[arg(short, long, value_name = "DIR")]
    out: PathBuf,
    /// The path of the service below the base URL its clients are built
    /// with (`api/contoso/app/v1.0`, `TripPinRESTierService`). By default
    /// nothing, so that the client's base URL is the service's own URL;
    /// for a Business Central API fetched from a URL, the path from its
    /// `api` segment on.
    #[arg(long, value_name = "PATH")]
    service_root: Option<String>,
    /// The crate's name (by default the output directory's name).
    #[arg(long, value_name = "NAME")]
    crate_name: Option<String>,
    /// Which conventions the client follows: Business Central's for a
    /// `Microsoft.NAV` model, strict OData otherwise (auto).
    #[arg(long, value_enum, default_value_t = ProfileArg::Auto)]
    profile: ProfileArg,
    /// Keep only these entity sets, singletons and operation imports
    /// (comma-separated) and what they reach.
    #[arg(long, value_name = "NAMES", value_delimiter = ',')]
    select: Option<Vec<String>>,
    /// With --select: how many navigation steps from a kept root an entity
    /// type may be and still be kept (all by default).
    #[arg(long, value_name = "N", requires = "select")]
    navigation_depth: Option<usize>,
    /// Resource docs (Microsoft Learn-style Markdown, tables, JSON or plain
    /// text) to take descriptions and read-only markers from.
    #[arg(long, value_name = "DIR")]
    docs: Option<PathBuf>,
    /// Read a bearer token for the URL from this environment variable (it
    /// is sent to the document's origin only, never over plain http beyond
    /// this machine).
    #[arg(long, value_name = "VARIABLE")]
    token_env: Option<String>,
    /// Depend on the crates of a checkout of the generator's repository by
    /// path instead of by version (for developing the generator itself).
    #[arg(long, value_name = "CHECKOUT")]
    checkout: Option<PathBuf>,
    /// Print nothing but errors and warnings.
    #[arg(short, long)]
    quiet: bool,
}

#[derive(Clone, Copy, ValueEnum)]
enum ProfileArg {
    Auto,
    Strict,
    BusinessCentral,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = match cli.command {
        Command::Generate(args) => generate(args),
        Command::Inspect { metadata, token_env } => inspect(&metadata, token_env.as_deref()),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn fetch_options(token_env: Option<&str>) -> Result<FetchOptions, String> {
    let bearer_token = match token_env {
        Some(name) => Some(std::env::var(name).map_err(|_| format!("the environment variable {name} is not set"))?),
        None => None,
    };
    Ok(FetchOptions { bearer_token })
}

fn generate(args: GenerateArgs) -> Result<(), String> {
    let mut request = Request::new(args.metadata, args.out);
    request.service_root = args.service_root;
    request.crate_name = args.crate_name;
    request.profile = match args.profile {
        ProfileArg::Auto => Profile::Auto,
        ProfileArg::Strict => Profile::Strict,
        ProfileArg::BusinessCentral => Profile::BusinessCentral,
    };
    request.selection = args.select.map(|roots| Selection { roots, navigation_depth: args.navigation_depth });
    request.docs = args.docs;
    request.fetch = fetch_options(args.token_env.as_deref())?;
    if let Some(checkout) = args.checkout {
        request.dependencies = Dependencies::Checkout(checkout);
    }
    let mut reporter = Reporter::new(!args.quiet && std::io::stderr().is_terminal());
    let outcome = odata_v4_gen::generate(&request, &mut |step| reporter.step(step)).map_err(|e| e.to_string())?;
    reporter.done();
    for warning in &outcome.generated.warnings {
        eprintln!("warning: {warning}");
    }
    if args.quiet {
        return Ok(());
    }
    let generated = &outcome.generated;
    println!(
        "wrote crate `{}` to {} ({} files, {} changed, {} lines, the largest {} lines; {} profile)",
        outcome.crate_name,
        request.out.display(),
        generated.files,
        generated.changed,
        generated.lines,
        generated.largest_file,
        generated.customization
    );
    match (&outcome.base_url, outcome.service_root.is_empty()) {
        (Some(base), true) => println!("build its client with the base URL {base}"),
        (Some(base), false) => {
            println!("build its client with the base URL {base} (service root `{}`)", outcome.service_root);
        }
        (None, true) => println!("build its client with the service's own URL as the base URL"),
        (None, false) => println!("its service root is `{}` below the client's base URL", outcome.service_root),
    }
    if !generated.left_out.is_empty() {
        let shown: Vec<&str> = generated.left_out.iter().take(10).map(String::as_str).collect();
        println!("the selection left out, among others: {}", shown.join(", "));
    }
    Ok(())
}

fn inspect(metadata: &str, token_env: Option<&str>) -> Result<(), String> {
    let (_, model) = odata_v4_gen::read_metadata(metadata, &fetch_options(token_env)?).map_err(|e| e.to_string())?;
    for warning in &model.warnings {
        eprintln!("warning: {warning}");
    }
    let summary = odata_v4_codegen::summary::Summary::of(&model);
    println!("{}", serde_json::to_string_pretty(&summary).map_err(|e| e.to_string())?);
    Ok(())
}

/// Progress on a terminal: a line per phase and a counter of files
/// written; nothing when stderr is not a terminal.
struct Reporter {
    enabled: bool,
    started: Instant,
    counting: bool,
}

impl Reporter {
    fn new(enabled: bool) -> Reporter {
        Reporter { enabled, started: Instant::now(), counting: false }
    }

    fn step(&mut self, step: Step) {
        if !self.enabled {
            return;
        }
        let mut err = std::io::stderr().lock();
        // A failed write to the terminal is not worth failing generation for.
        let _ = match step {
            Step::Reading(source) => writeln!(err, "reading {source}"),
            Step::Read { entity_types, entity_sets } => writeln!(
                err,
                "read {entity_types} entity types, {entity_sets} entity sets in {:.1?}",
                self.started.elapsed()
            ),
            Step::Writing(Progress::Planned { files }) => {
                writeln!(err, "planned {files} files in {:.1?}; writing", self.started.elapsed())
            }
            Step::Writing(Progress::Wrote { done, total }) => {
                self.counting = true;
                write!(err, "\r{done}/{total} files")
            }
            _ => Ok(()),
        };
    }

    fn done(&mut self) {
        if self.enabled && self.counting {
            eprintln!(" in {:.1?}", self.started.elapsed());
        }
    }
}
