//! `cargo xtask build-cost`: what the SDK costs the people who build with
//! it. In a scratch crate under `target/build-cost/` (its own target
//! directory, and a copy of the workspace's `Cargo.lock` so that the
//! versions are the ones CI tests), a small app lists customers, items and
//! sales invoices. After one untimed build that compiles the dependencies,
//! it times, as medians of `--runs` builds (debug, as during development):
//!
//! - the SDK and the app rebuilt after a change in the SDK (`sdk/src/lib.rs`
//!   is touched: cargo recompiles the crate, nothing in it changes);
//! - the app alone rebuilt after a change in its `main.rs`;
//! - `cargo check` after a change in the SDK;
//!
//! and prints the debug binary's size and the number of crates in the SDK's
//! default dependency tree. Figures, not a test: run it on a quiet machine.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant, SystemTime};

use anyhow::{Context, bail};

/// Options of `cargo xtask build-cost`.
#[derive(Debug, Clone, clap::Args)]
pub struct BuildCostOptions {
    /// Timed builds per figure (the median is printed).
    #[arg(long, default_value_t = 3)]
    pub runs: usize,
}

const APP_MAIN: &str = r#"//! Lists what a small integration reads: customers, items, sales invoices.
use business_central_sdk::api::v2_0::{self, customer, enums::InvoiceEntityAggregateStatus, item, sales_invoice};
use business_central_sdk::{Client, Environment};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let base = std::env::var("BC_BASE_URL").unwrap_or_else(|_| "http://127.0.0.1:1/".to_owned());
    let client = Client::builder(Environment::custom(base)).build()?;
    let company = v2_0::Api::new(&client).company_by_name("CRONUS");
    let customers = company.customers().list().filter(customer::balance_due().gt(0)).collect().await?;
    let items = company.items().list().order_by(item::number()).top(10).collect().await?;
    let invoices = company.sales_invoices().list().filter(sales_invoice::status().eq(InvoiceEntityAggregateStatus::Open)).collect().await?;
    println!("{} customers, {} items, {} invoices", customers.len(), items.len(), invoices.len());
    Ok(())
}
"#;

pub fn run(options: &BuildCostOptions) -> anyhow::Result<()> {
    if options.runs == 0 {
        bail!("build-cost: --runs must be at least 1");
    }
    let root = crate::workspace_root();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let app = root.join("target").join("build-cost").join("app");
    write_app(&root, &app)?;
    let sdk_source = root.join("sdk").join("src").join("lib.rs");
    let main_source = app.join("src").join("main.rs");

    println!("build-cost: building the app and its dependencies once (untimed)");
    cargo_in(&cargo, &app, &["build"])?;

    let sdk_rebuild = median(options.runs, || {
        touch(&sdk_source)?;
        timed(|| cargo_in(&cargo, &app, &["build"]))
    })?;
    let app_rebuild = median(options.runs, || {
        touch(&main_source)?;
        timed(|| cargo_in(&cargo, &app, &["build"]))
    })?;
    let sdk_check = median(options.runs, || {
        touch(&sdk_source)?;
        timed(|| cargo_in(&cargo, &app, &["check"]))
    })?;
    let binary = app.join("target").join("debug").join(format!("build-cost-app{}", std::env::consts::EXE_SUFFIX));
    let size = std::fs::metadata(&binary).with_context(|| format!("{}", binary.display()))?.len();
    let crates = dependency_count(&cargo, &root)?;

    println!("build-cost ({} runs each, medians; debug profile, dependencies built):", options.runs);
    println!("  SDK + app rebuilt after a change in the SDK: {:.1} s", sdk_rebuild.as_secs_f64());
    println!("  app rebuilt after a change in main.rs:        {:.1} s", app_rebuild.as_secs_f64());
    println!("  cargo check after a change in the SDK:        {:.1} s", sdk_check.as_secs_f64());
    println!("  debug binary:                                 {:.0} MB", size as f64 / 1_000_000.0);
    println!("  crates in the SDK's default dependency tree:  {crates}");
    Ok(())
}

/// The scratch app: its manifest (a workspace of its own), the workspace's
/// lock file, and `main.rs`.
fn write_app(root: &Path, app: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(app.join("src"))?;
    let sdk = root.join("sdk");
    let manifest = format!(
        "[package]\nname = \"build-cost-app\"\nversion = \"0.1.0\"\nedition = \"2024\"\npublish = false\n\n\
         [dependencies]\nbusiness-central-sdk = {{ path = {sdk:?} }}\n\
         tokio = {{ version = \"1\", features = [\"macros\", \"rt\"] }}\n\n[workspace]\n",
        sdk = sdk.to_string_lossy()
    );
    std::fs::write(app.join("Cargo.toml"), manifest)?;
    std::fs::copy(root.join("Cargo.lock"), app.join("Cargo.lock")).context("copying Cargo.lock")?;
    std::fs::write(app.join("src").join("main.rs"), APP_MAIN)?;
    Ok(())
}

fn cargo_in(cargo: &str, dir: &Path, args: &[&str]) -> anyhow::Result<()> {
    let output = Command::new(cargo)
        .args(args)
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", dir.join("target"))
        .output()
        .with_context(|| format!("running {cargo}"))?;
    if !output.status.success() {
        bail!("cargo {} in {} failed:\n{}", args.join(" "), dir.display(), String::from_utf8_lossy(&output.stderr));
    }
    Ok(())
}

/// Sets the file's modification time to now: cargo sees a change.
fn touch(path: &PathBuf) -> anyhow::Result<()> {
    let file = std::fs::File::options().append(true).open(path).with_context(|| format!("{}", path.display()))?;
    file.set_modified(SystemTime::now())?;
    Ok(())
}

fn timed(action: impl FnOnce() -> anyhow::Result<()>) -> anyhow::Result<Duration> {
    let started = Instant::now();
    action()?;
    Ok(started.elapsed())
}

fn median(runs: usize, mut measure: impl FnMut() -> anyhow::Result<Duration>) -> anyhow::Result<Duration> {
    let mut times = (0..runs).map(|_| measure()).collect::<anyhow::Result<Vec<_>>>()?;
    times.sort();
    Ok(times[runs / 2])
}

/// The distinct packages `business-central-sdk` pulls in with its default
/// features (normal dependencies, this platform), itself included.
fn dependency_count(cargo: &str, root: &Path) -> anyhow::Result<usize> {
    let output = Command::new(cargo)
        .args(["tree", "-p", "business-central-sdk", "-e", "normal", "--prefix", "none", "--locked"])
        .current_dir(root)
        .output()
        .context("running cargo tree")?;
    if !output.status.success() {
        bail!("cargo tree failed:\n{}", String::from_utf8_lossy(&output.stderr));
    }
    let mut packages: Vec<String> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|line| line.trim_end_matches(" (*)").to_owned())
        .filter(|line| !line.is_empty())
        .collect();
    packages.sort();
    packages.dedup();
    Ok(packages.len())
}
