//! `cargo xtask ci`: every check a change must pass, in the order that
//! fails fastest: formatting, clippy with warnings denied, the docs with
//! warnings denied, the published crates' dependency MSRVs and packages,
//! then every test (which include the generated-code drift check and
//! bounded fuzz runs), clippy and the tests of the runtime's optional
//! features, a check for Windows, and the published crates against the
//! newest dependency versions. `.ci/run` runs exactly this.

mod packages;
mod scratch;
mod workspace;

use std::process::Command;
use std::time::Instant;

use anyhow::bail;
use workspace::Workspace;

/// One step: a name, what it runs, and the directories under the target
/// directory that it alone builds into.
struct Step {
    name: &'static str,
    action: Action,
    /// Removed once the step passes: no later step reads them, and a fresh
    /// clone's run would otherwise hold every step's builds at once (about
    /// 17 GB; one CI machine ran out of disk in the last step).
    scratch: &'static [&'static str],
}

enum Action {
    /// `cargo <args>`, with extra environment.
    Cargo { args: &'static [&'static str], env: &'static [(&'static str, &'static str)] },
    /// A step that runs several commands and checks their output; the
    /// text says what it does.
    Custom { what: &'static str, run: fn(&Workspace) -> Result<(), String> },
}

/// The target the Windows step checks, and the C compiler its build
/// scripts (ring, aws-lc-sys, mimalloc) need.
const WINDOWS_TARGET: &str = "x86_64-pc-windows-gnu";
const WINDOWS_C_COMPILER: &str = "x86_64-w64-mingw32-gcc";

/// The runtime's optional features, which the workspace build leaves off:
/// compression, the other TLS provider and the Azure identities.
const RUNTIME_FEATURES: &str = "azure_identity,gzip,deflate,aws-lc-rs";

const STEPS: &[Step] = &[
    Step { name: "format", action: Action::Cargo { args: &["fmt", "--all", "--check"], env: &[] }, scratch: &[] },
    Step {
        name: "clippy",
        action: Action::Cargo {
            args: &["clippy", "--workspace", "--all-targets", "--locked", "--", "-D", "warnings"],
            env: &[],
        },
        scratch: &[],
    },
    Step {
        name: "docs",
        action: Action::Custom {
            what: "cargo doc --workspace --no-deps with warnings denied; a typed path's page stays small",
            run: check_docs,
        },
        scratch: &[],
    },
    Step {
        name: "msrv",
        action: Action::Custom {
            what: "the published crates' dependencies, resolved for the declared rust-version, declare no newer one",
            run: scratch::check_dependency_msrv,
        },
        scratch: &["ci/msrv"],
    },
    Step {
        name: "package",
        action: Action::Custom {
            what: "cargo package --workspace of the published crates, in dependency order, with their files checked",
            run: packages::check,
        },
        scratch: &["package"],
    },
    Step {
        name: "tests",
        action: Action::Cargo { args: &["test", "--workspace", "--locked"], env: &[] },
        // The generated crates the end-to-end tests compile, with a target
        // directory of their own (gigabytes).
        scratch: &["generated-crates"],
    },
    Step {
        name: "features",
        action: Action::Cargo {
            args: &[
                "clippy",
                "-p",
                "odata-v4-runtime",
                "--all-targets",
                "--features",
                RUNTIME_FEATURES,
                "--locked",
                "--",
                "-D",
                "warnings",
            ],
            env: &[],
        },
        scratch: &[],
    },
    Step {
        name: "feature-tests",
        action: Action::Cargo {
            args: &[
                "test",
                "-p",
                "odata-v4-runtime",
                "--features",
                "azure_identity,gzip",
                "--test",
                "azure_identity",
                "--locked",
            ],
            env: &[],
        },
        scratch: &[],
    },
    Step {
        name: "windows",
        action: Action::Custom {
            what: "cargo check --workspace --all-targets --target x86_64-pc-windows-gnu, and the runtime's features",
            run: check_windows,
        },
        scratch: &["x86_64-pc-windows-gnu"],
    },
    Step {
        name: "fresh-resolve",
        action: Action::Custom {
            what: "the published crates after cargo update in a scratch copy: clippy -D warnings and unit tests",
            run: scratch::check_fresh_resolve,
        },
        scratch: &["ci/fresh-resolve", "ci/fresh-resolve-target"],
    },
];

/// Options of `cargo xtask ci`.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct CiOptions {
    /// Steps to leave out (comma-separated): format, clippy, docs, msrv,
    /// package, tests, features, feature-tests, windows, fresh-resolve.
    #[arg(long, value_delimiter = ',')]
    pub skip: Vec<String>,
}

pub fn run(options: &CiOptions) -> anyhow::Result<()> {
    let skipped = &options.skip;
    if let Some(unknown) = skipped.iter().find(|name| !STEPS.iter().any(|step| step.name == name.as_str())) {
        let names: Vec<&str> = STEPS.iter().map(|step| step.name).collect();
        bail!("ci: no step `{unknown}`; the steps are {}", names.join(", "));
    }
    let workspace = Workspace::load().map_err(anyhow::Error::msg)?;
    if let Some(free) = free_disk(&workspace.target_dir) {
        println!("ci: {} free on the target directory's disk", human_size(free));
    }
    let started = Instant::now();
    for step in STEPS {
        if skipped.iter().any(|name| name == step.name) {
            println!("ci: {} skipped", step.name);
            continue;
        }
        let step_started = Instant::now();
        let outcome = match &step.action {
            Action::Cargo { args, env } => {
                println!("ci: {} (cargo {})", step.name, args.join(" "));
                workspace.cargo(args, env, &workspace.root)
            }
            Action::Custom { what, run } => {
                println!("ci: {} ({what})", step.name);
                run(&workspace)
            }
        };
        if let Err(error) = outcome {
            bail!("ci: {} failed after {:.0?}: {error}", step.name, step_started.elapsed());
        }
        let freed = remove_scratch(&workspace, step.scratch)?;
        let disk =
            free_disk(&workspace.target_dir).map(|free| format!(", {} free", human_size(free))).unwrap_or_default();
        let freed = if freed > 0 { format!("; {} of its builds removed", human_size(freed)) } else { String::new() };
        println!("ci: {} passed in {:.0?}{freed}{disk}", step.name, step_started.elapsed());
    }
    println!("ci: every check passed in {:.0?}", started.elapsed());
    Ok(())
}

/// Removes a step's own directories under the target directory; returns
/// the bytes they held.
fn remove_scratch(workspace: &Workspace, scratch: &[&str]) -> anyhow::Result<u64> {
    let mut freed = 0;
    for directory in scratch {
        let path = workspace.target_dir.join(directory);
        if !path.exists() {
            continue;
        }
        freed += size_on_disk(&path);
        std::fs::remove_dir_all(&path)
            .map_err(|error| anyhow::anyhow!("ci: cannot remove {}: {error}", path.display()))?;
    }
    Ok(freed)
}

/// The bytes of the files under `path` (links not followed).
fn size_on_disk(path: &std::path::Path) -> u64 {
    let Ok(metadata) = std::fs::symlink_metadata(path) else { return 0 };
    if !metadata.is_dir() {
        return metadata.len();
    }
    let Ok(entries) = std::fs::read_dir(path) else { return 0 };
    entries.flatten().map(|entry| size_on_disk(&entry.path())).sum()
}

/// The space left on the disk that holds `path`, as `df` reports it, so a
/// run that runs out of disk shows where the space went; `None` where there
/// is no `df`.
fn free_disk(path: &std::path::Path) -> Option<u64> {
    let output = Command::new("df").arg("-Pk").arg(path).output().ok()?;
    let text = String::from_utf8(output.stdout).ok()?;
    let available: u64 = text.lines().nth(1)?.split_whitespace().nth(3)?.parse().ok()?;
    Some(available * 1024)
}

fn human_size(bytes: u64) -> String {
    if bytes >= 1_000_000_000 {
        format!("{:.1} GB", bytes as f64 / 1e9)
    } else {
        format!("{:.0} MB", bytes as f64 / 1e6)
    }
}

/// The pages a BC user looks for first, each of which must stay readable:
/// a set's path and one entity's path, with their own methods only (the
/// generated API once put every path's methods on one 572 KB page).
const PATH_PAGES: &[&str] = &[
    "business_central_sdk/api/v2_0/customer/struct.CustomersPath.html",
    "business_central_sdk/api/v2_0/customer/struct.CustomerPath.html",
    "business_central_sdk/api/v2_0/sales_invoice/struct.SalesInvoicePath.html",
];
const PATH_PAGE_LIMIT: u64 = 100 * 1024;

/// The docs build without a warning, and the typed path pages exist and stay
/// under [`PATH_PAGE_LIMIT`].
fn check_docs(workspace: &Workspace) -> Result<(), String> {
    workspace.cargo(
        &["doc", "--workspace", "--no-deps", "--locked"],
        &[("RUSTDOCFLAGS", "-D warnings")],
        &workspace.root,
    )?;
    for page in PATH_PAGES {
        let path = workspace.target_dir.join("doc").join(page);
        let size = std::fs::metadata(&path).map_err(|e| format!("{}: {e}", path.display()))?.len();
        if size > PATH_PAGE_LIMIT {
            return Err(format!("{page} is {size} bytes; a typed path's page should stay under {PATH_PAGE_LIMIT}"));
        }
        println!("ci: {page}: {} KB", size / 1024);
    }
    Ok(())
}

/// Windows: the whole workspace, every target, compiles for Windows (the
/// harness's Unix-only code is guarded), and so do the runtime's optional
/// features. A check, not a test run: nothing is executed for Windows here.
fn check_windows(workspace: &Workspace) -> Result<(), String> {
    let compiler = Command::new(WINDOWS_C_COMPILER).arg("--version").output();
    if !compiler.is_ok_and(|output| output.status.success()) {
        return Err(format!(
            "`{WINDOWS_C_COMPILER}` cannot be run: the build scripts of ring, aws-lc-sys and mimalloc compile C for \
             Windows with it (Debian: `apt-get install gcc-mingw-w64-x86-64`; and `rustup target add {WINDOWS_TARGET}`)"
        ));
    }
    workspace.cargo(
        &["check", "--workspace", "--all-targets", "--target", WINDOWS_TARGET, "--locked"],
        &[],
        &workspace.root,
    )?;
    workspace.cargo(
        &[
            "check",
            "-p",
            "odata-v4-runtime",
            "--all-targets",
            "--features",
            RUNTIME_FEATURES,
            "--target",
            WINDOWS_TARGET,
            "--locked",
        ],
        &[],
        &workspace.root,
    )
}
