//! The Business Central v2.0 `$metadata` as downloaded (beside the
//! repository, in `../shared/metadata/bc-api-v2.0.xml`) through the CSDL
//! reader's determinism checks: it round-trips to exactly the committed
//! canonical form, with the same summary.
//!
//! These tests of `odata-v4-csdl` live in this unpublished crate: the file
//! is not the project's to carry (the committed form is what `cargo xtask
//! import-metadata` made of it), and only this crate's build script says
//! whether it lies beside the repository; without it each test is ignored,
//! with the reason.

#[path = "../../csdl/tests/common/round_trip.rs"]
mod round_trip;

use std::path::PathBuf;

use odata_v4_csdl::edmx;
use odata_v4_csdl::summary::Summary;
use round_trip::check_round_trip;

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask sits in the workspace").to_path_buf()
}

fn bc_metadata_path() -> PathBuf {
    workspace().join("../shared/metadata/bc-api-v2.0.xml")
}

/// The committed canonical form of the BC v2.0 schema.
fn bc_canonical_path() -> PathBuf {
    workspace().join("sdk/schemas/api/v2.0/metadata.xml")
}

#[test]
#[cfg_attr(not(has_shared_bc_metadata), ignore = "needs ../shared/metadata/bc-api-v2.0.xml beside the repository")]
fn the_bc_schema_round_trips_to_the_committed_canonical_form() {
    let path = bc_metadata_path();
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let written = check_round_trip("bc-api-v2.0.xml", &text);
    // `cargo xtask import-metadata` writes exactly this text; if it differs, the
    // committed schema is stale or the canonical writer changed behaviour.
    let committed = std::fs::read_to_string(bc_canonical_path()).expect("the committed canonical schema");
    assert!(written == committed, "sdk/schemas/api/v2.0/metadata.xml is not the canonical form of the BC schema");
}

#[test]
#[cfg_attr(not(has_shared_bc_metadata), ignore = "needs ../shared/metadata/bc-api-v2.0.xml beside the repository")]
fn the_bc_schema_and_its_canonical_form_have_the_same_summary() {
    let original = edmx::read_file(&bc_metadata_path()).expect("the BC schema reads");
    let canonical = edmx::read_file(&bc_canonical_path()).expect("the canonical schema reads");
    assert_eq!(Summary::of(&original), Summary::of(&canonical));
}
