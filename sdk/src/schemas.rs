//! The `$metadata` documents the generated APIs were made from.
//!
//! Each constant holds the canonical `$metadata` of one route committed in
//! this repository (`schemas/<route>/metadata.xml`), exactly the document
//! `cargo xtask regen` generated the matching [`api`](crate::api) module
//! from: [`API_V2_0`] is the model behind [`api::v2_0`](crate::api::v2_0).
//! They describe what the generated code can send, not necessarily what a
//! given Business Central environment serves (extensions add to it, later
//! releases change it).
//!
//! What they are for:
//!
//! - **A test double** that must understand requests exactly as the
//!   generated code builds them: the `business-central-testing` crate's
//!   in-memory Business Central reads its model from these constants.
//! - **Validation**: compare the `$metadata` an environment serves with the
//!   one the SDK was generated from (read both with the `odata-v4-csdl`
//!   crate, or `cargo xtask api-diff`), and learn before a release whether
//!   the service still has what your code uses.
//! - **Looking things up at run time**: entity sets, properties, enum
//!   members and annotations the typed API does not expose as data.
//!
//! ```
//! use business_central_sdk::schemas;
//!
//! for (route, metadata) in schemas::ROUTES {
//!     assert!(metadata.contains("<edmx:Edmx"), "{route}");
//! }
//! assert!(schemas::API_V2_0.contains(r#"<EntitySet Name="customers""#));
//! ```
//!
//! Needs feature `apis` (on by default), like the modules they describe.

/// The `$metadata` of `api/v2.0`, from which [`api::v2_0`](crate::api::v2_0)
/// was generated.
pub const API_V2_0: &str = include_str!("../schemas/api/v2.0/metadata.xml");

/// The `$metadata` of `api/microsoft/reportsFinance/beta`, from which
/// [`api::microsoft::reports_finance::beta`](crate::api::microsoft::reports_finance::beta)
/// was generated.
pub const API_MICROSOFT_REPORTS_FINANCE_BETA: &str =
    include_str!("../schemas/api/microsoft/reportsFinance/beta/metadata.xml");

/// Every committed route with its `$metadata`, as `(route, document)` pairs;
/// the route is the path below an environment's base URL (`api/v2.0`).
pub const ROUTES: &[(&str, &str)] =
    &[("api/v2.0", API_V2_0), ("api/microsoft/reportsFinance/beta", API_MICROSOFT_REPORTS_FINANCE_BETA)];

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use super::ROUTES;

    fn metadata_files(dir: &Path, found: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                metadata_files(&path, found);
            } else if path.file_name().is_some_and(|name| name == "metadata.xml") {
                found.push(path);
            }
        }
    }

    /// A route imported with `cargo xtask import-metadata` gets a module
    /// from `regen`; its document needs a constant here too.
    #[test]
    fn every_committed_schema_has_a_constant_with_its_exact_text() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas");
        let mut files = Vec::new();
        metadata_files(&root, &mut files);
        assert!(!files.is_empty(), "no metadata.xml under {}", root.display());
        for file in &files {
            let route = file.parent().and_then(|dir| dir.strip_prefix(&root).ok()).expect("below schemas/");
            let route = route.to_string_lossy().replace('\\', "/");
            let constant = ROUTES.iter().find(|(r, _)| *r == route).map(|(_, text)| *text);
            let committed = std::fs::read_to_string(file).expect("a readable schema");
            assert!(constant.is_some(), "schemas::ROUTES needs an entry for {route}");
            assert!(constant == Some(committed.as_str()), "schemas::ROUTES holds another text for {route}");
        }
        assert_eq!(ROUTES.len(), files.len(), "a constant without a committed schema");
    }
}
