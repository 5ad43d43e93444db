//! Maintainer commands. Each returns `Err(message)` for the user; `main`
//! prints it and exits non-zero.

pub mod args;
pub mod ci;
pub mod docs_report;
pub mod docs_support;
pub mod fuzz;
pub mod fuzz_responses;
pub mod generate;
pub mod import;
pub mod inspect;
pub mod metadata;
pub mod regen;

use std::path::PathBuf;

const HELP: &str = "\
cargo xtask <command>

  ci [--skip step,...]                    every check CI runs: format, clippy, docs (warnings
                                          denied), all tests, then the runtime's optional features;
                                          steps: format, clippy, docs, tests, features, feature-tests
  regen [--check]                         regenerate sdk/src/generated from schemas/ (--check: fail on drift)
  inspect <edmx>                          print a JSON summary of a $metadata document
  import-metadata --api <route> <file-or-url>
                                          write the canonical form of a $metadata document to
                                          schemas/<route>/metadata.xml (a URL is fetched with the
                                          bearer token in $BC_ACCESS_TOKEN, if set)
  api-diff <old> <new> [--api <route>]    what changed in the generated public API between two
                                          $metadata versions (added, removed, changed; breaking)
  generate <edmx file or URL> --out <dir> --api <service root> [--crate-name <name>]
           [--docs <dir>] [--profile strict|business-central]
           [--select <name,...> [--navigation-depth <n>]] [--local]
                                          write a standalone crate for any OData v4 $metadata; the
                                          service root is the path below the base URL (api/x/v1.0,
                                          TripPinRESTierService, ...); the profile is detected unless
                                          given; --select keeps only these entity sets, singletons and
                                          operation imports and what they reach (navigation followed
                                          n steps, all by default); --local depends on this
                                          checkout's crates by path
  docs-report <docs-dir> [<schema>...]    match resource docs to entity types and report what they say
  fuzz [--seconds N] [--seed S] [--corpus DIR]
                                          mutate CSDL documents and check the reader never panics
  fuzz-responses [--seconds N] [--seed S] mutate service answers (entities, pages and next links,
                                          error bodies, $batch) and check the runtime's invariants
  help                                    this text";

pub fn run(args: &[String]) -> Result<(), String> {
    let Some((command, rest)) = args.split_first() else {
        return Err(HELP.to_owned());
    };
    match command.as_str() {
        "inspect" => inspect::run(rest),
        "ci" => ci::run(rest),
        "api-diff" => import::run_diff(rest),
        "regen" => regen::run(rest),
        "import-metadata" => import::run(rest),
        "docs-report" => docs_report::run(rest),
        "fuzz" => fuzz::run(rest),
        "fuzz-responses" => fuzz_responses::run(rest),
        "generate" => generate::run(rest),
        "help" | "--help" | "-h" => {
            println!("{HELP}");
            Ok(())
        }
        other => Err(format!("unknown command `{other}`\n\n{HELP}")),
    }
}

/// The workspace root (the parent of this crate's directory).
pub fn workspace_root() -> PathBuf {
    let manifest_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest_dir.parent().map(PathBuf::from).unwrap_or(manifest_dir)
}
