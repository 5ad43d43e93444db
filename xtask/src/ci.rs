//! `cargo xtask ci`: every check a change must pass, in the order that
//! fails fastest: formatting, clippy with warnings denied, the docs with
//! warnings denied, then every test (which include the generated-code drift
//! check and bounded fuzz runs), then clippy and the tests of the runtime's
//! optional features. `.ci/run` runs exactly this.

use std::process::Command;
use std::time::Instant;

use anyhow::{Context, bail};

/// One step: a name and the cargo arguments.
struct Step {
    name: &'static str,
    args: &'static [&'static str],
    /// Extra environment for the step.
    env: &'static [(&'static str, &'static str)],
}

const STEPS: &[Step] = &[
    Step { name: "format", args: &["fmt", "--all", "--check"], env: &[] },
    Step {
        name: "clippy",
        args: &["clippy", "--workspace", "--all-targets", "--locked", "--", "-D", "warnings"],
        env: &[],
    },
    Step {
        name: "docs",
        args: &["doc", "--workspace", "--no-deps", "--locked"],
        env: &[("RUSTDOCFLAGS", "-D warnings")],
    },
    Step { name: "tests", args: &["test", "--workspace", "--locked"], env: &[] },
    // The runtime's optional features, which the workspace build leaves
    // off: compression, the other TLS provider and the Azure identities.
    Step {
        name: "features",
        args: &[
            "clippy",
            "-p",
            "odata-v4-runtime",
            "--all-targets",
            "--features",
            "azure_identity,gzip,deflate,aws-lc-rs",
            "--locked",
            "--",
            "-D",
            "warnings",
        ],
        env: &[],
    },
    Step {
        name: "feature-tests",
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
];

/// Options of `cargo xtask ci`.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct CiOptions {
    /// Steps to leave out (comma-separated): format, clippy, docs, tests,
    /// features, feature-tests.
    #[arg(long, value_delimiter = ',')]
    pub skip: Vec<String>,
}

pub fn run(options: &CiOptions) -> anyhow::Result<()> {
    let skipped = &options.skip;
    if let Some(unknown) = skipped.iter().find(|s| !STEPS.iter().any(|step| step.name == s.as_str())) {
        let names: Vec<&str> = STEPS.iter().map(|s| s.name).collect();
        bail!("`{unknown}` is not a step; the steps are {}", names.join(", "));
    }
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let root = crate::workspace_root();
    let started = Instant::now();
    for step in STEPS {
        if skipped.iter().any(|s| s == step.name) {
            println!("ci: {} skipped", step.name);
            continue;
        }
        let step_started = Instant::now();
        println!("ci: {} (cargo {})", step.name, step.args.join(" "));
        let status = Command::new(&cargo)
            .args(step.args)
            .envs(step.env.iter().copied())
            .current_dir(&root)
            .status()
            .with_context(|| format!("cannot run {cargo}"))?;
        if !status.success() {
            bail!("ci: {} failed ({status}) after {:.0?}", step.name, step_started.elapsed());
        }
        println!("ci: {} passed in {:.0?}", step.name, step_started.elapsed());
    }
    println!("ci: every check passed in {:.0?}", started.elapsed());
    Ok(())
}
