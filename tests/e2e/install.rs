//! The generator as a newcomer meets it, following the README's words: the
//! `odata-v4-gen` command installed with `cargo install`, its help, a crate
//! generated for TripPin from a directory outside the repository (no
//! service root: the client's base URL is the service's own), built against
//! the runtime as `cargo package` packages it (the README's way before the
//! crates are on crates.io), and run against the local TripPin peer.

use std::path::{Path, PathBuf};
use std::process::Command;

use sdk_tests::generated_crates::{add_test, run_ok};
use sdk_tests::peer::repository_path;
use sdk_tests::{PeerConfig, PeerServer};

/// The test placed in the generated crate: the service's own URL is the
/// client's base URL.
const PEER_TEST: &str = r##"
use trippin::runtime::Client;
use trippin::{airport, person};

#[tokio::test]
async fn the_generated_crate_talks_to_trippin() {
    let base = std::env::var("TRIPPIN_SERVICE_URL").expect("TRIPPIN_SERVICE_URL is set by the test");
    let api = trippin::Api::new(&Client::builder(base).build().expect("a client"));
    let russell = api.person("russellwhyte").get().await.unwrap();
    assert_eq!(russell.first_name, "Russell");
    let codes: Vec<String> = api
        .airports()
        .list()
        .filter(airport::name().contains("International"))
        .order_by(airport::icao_code().asc())
        .collect()
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.icao_code)
        .collect();
    assert!(!codes.is_empty());
    assert!(codes.windows(2).all(|w| w[0] <= w[1]), "{codes:?}");
    let russells = api.people().list().filter(person::first_name().eq("Russell")).collect().await.unwrap();
    assert_eq!(russells.len(), 1);
}
"##;

fn cargo() -> Command {
    Command::new(env!("CARGO"))
}

/// A scratch directory outside the repository, emptied first.
fn outside(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("odata-v4-gen-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a scratch directory");
    dir
}

#[test]
fn the_installed_generator_writes_a_crate_that_builds_against_the_packaged_runtime() {
    let checkout = repository_path("");
    // Builds share one directory under the checkout's target/, so that
    // dependencies are built once across runs.
    let scratch = checkout.join("target").join("install-test");
    let root = outside("install");

    // README, "Install": cargo install --path <checkout>/cli
    run_ok(
        cargo()
            .args(["install", "--quiet", "--locked", "--debug", "--path"])
            .arg(checkout.join("cli"))
            .arg("--root")
            .arg(&root)
            .env("CARGO_TARGET_DIR", scratch.join("install")),
    );
    let tool = root.join("bin").join(format!("odata-v4-gen{}", std::env::consts::EXE_SUFFIX));
    let help = run_ok(Command::new(&tool).arg("--help"));
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(help.contains("generate") && help.contains("inspect"), "{help}");
    let help = run_ok(Command::new(&tool).args(["generate", "--help"]));
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(help.contains("--service-root") && help.contains("--out"), "{help}");
    let missing = Command::new(&tool).arg("generate").output().expect("the tool runs");
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("--out"), "a missing argument is named");

    // README, "A client for any OData v4 service": generate from anywhere.
    let work = outside("work");
    let trippin = work.join("trippin");
    std::fs::copy(repository_path("../shared/metadata/trippin.xml"), work.join("trippin.xml")).expect("TripPin copied");
    let generated =
        run_ok(Command::new(&tool).current_dir(&work).args(["generate", "trippin.xml", "--out", "trippin"]));
    let said = String::from_utf8_lossy(&generated.stdout);
    assert!(said.contains("wrote crate `trippin`"), "{said}");
    let manifest = std::fs::read_to_string(trippin.join("Cargo.toml")).expect("a manifest");
    assert!(manifest.contains(&format!("odata-v4-runtime = {{ version = \"{}\" }}", env!("CARGO_PKG_VERSION"))));

    // README, "Before the crates are on crates.io": package the runtime in
    // the checkout and patch crates.io with it.
    let package_target = scratch.join("package");
    run_ok(
        cargo()
            .current_dir(&checkout)
            .args(["package", "--quiet", "--locked", "--allow-dirty", "-p", "odata-v4-runtime"])
            .env("CARGO_TARGET_DIR", &package_target),
    );
    let packaged = package_target.join("package").join(format!("odata-v4-runtime-{}", env!("CARGO_PKG_VERSION")));
    assert!(packaged.join("Cargo.toml").is_file(), "{} holds the packaged runtime", packaged.display());
    patch_crates_io(&trippin.join("Cargo.toml"), &packaged);

    let test_manifest =
        add_test(&trippin, &checkout, "tokio = { version = \"1\", features = [\"rt\", \"macros\"] }\n", PEER_TEST);
    let peer = PeerServer::start(PeerConfig::trippin()).expect("the TripPin peer starts");
    run_ok(
        cargo()
            .current_dir(&trippin)
            .args(["test", "--quiet", "--manifest-path"])
            .arg(&test_manifest)
            .env("CARGO_TARGET_DIR", scratch.join("crate"))
            .env("TRIPPIN_SERVICE_URL", peer.service_root()),
    );
    let _ = std::fs::remove_dir_all(&root);
    let _ = std::fs::remove_dir_all(&work);
}

/// What the README tells a user to add to the generated `Cargo.toml`.
fn patch_crates_io(manifest: &Path, packaged: &Path) {
    let mut text = std::fs::read_to_string(manifest).expect("the manifest reads");
    let path = packaged.display().to_string().replace('\\', "/");
    text.push_str(&format!("\n[patch.crates-io]\nodata-v4-runtime = {{ path = \"{path}\" }}\n"));
    std::fs::write(manifest, text).expect("the manifest is written");
}
