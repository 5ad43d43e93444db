//! Tells the tests which reference files lie beside the repository.
//!
//! A few tests read files that are not the project's to carry (Microsoft
//! Graph's 3.5 MB `$metadata`, Business Central's `$metadata` as
//! downloaded, the resource-doc seeds) from `../shared/` next to the
//! checkout. Each such file sets a `cfg` here, and a test that needs one is
//! ignored without it, with a reason naming the file:
//! `#[cfg_attr(not(has_shared_graph), ignore = "needs ../shared/…")]`.
//! This crate is never published, so the build script costs users nothing.

use std::path::Path;

/// The `cfg` name and the path below `../shared/` it stands for.
const SHARED_FILES: &[(&str, &str)] = &[
    ("has_shared_bc_metadata", "metadata/bc-api-v2.0.xml"),
    ("has_shared_graph", "metadata/graph-v1.0.xml"),
    ("has_shared_trippin", "metadata/trippin.xml"),
    ("has_shared_seeds", "seeds"),
];

fn main() {
    let manifest_dir = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let shared = Path::new(&manifest_dir).join("../../shared");
    println!("cargo::rerun-if-changed=build.rs");
    for (cfg, relative) in SHARED_FILES {
        println!("cargo::rustc-check-cfg=cfg({cfg})");
        let path = shared.join(relative);
        // Watch the file when it is there (a change or its removal is
        // noticed), else its directory (its arrival is noticed). A checkout
        // without `../shared` at all watches nothing there: a missing path
        // would rerun this script, and rebuild the crate, on every build.
        if path.exists() {
            println!("cargo::rustc-cfg={cfg}");
            println!("cargo::rerun-if-changed={}", path.display());
        } else if let Some(directory) = path.parent().filter(|d| d.is_dir()) {
            println!("cargo::rerun-if-changed={}", directory.display());
        }
    }
}
