//! `cargo xtask ci`: every check a change must pass, in the order that
//! fails fastest: formatting, clippy with warnings denied, the docs with
//! warnings denied, then every test (which include the generated-code drift
//! check and bounded fuzz runs), then clippy and the tests of the runtime's
//! optional features. `.ci/run` runs exactly this.

use std::process::Command;
use std::time::Instant;

use crate::args::Args;

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

pub fn run(raw: &[String]) -> Result<(), String> {
    let args = Args::parse(raw, &["skip"], &[])?;
    let skipped: Vec<&str> = args.value("skip").map(|s| s.split(',').collect()).unwrap_or_default();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let root = crate::workspace_root();
    let started = Instant::now();
    for step in STEPS {
        if skipped.contains(&step.name) {
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
            .map_err(|e| format!("cannot run {cargo}: {e}"))?;
        if !status.success() {
            return Err(format!("ci: {} failed ({status}) after {:.0?}", step.name, step_started.elapsed()));
        }
        println!("ci: {} passed in {:.0?}", step.name, step_started.elapsed());
    }
    println!("ci: every check passed in {:.0?}", started.elapsed());
    Ok(())
}
