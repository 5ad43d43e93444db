//! `xtask::import::import` into a temporary workspace root: the canonical
//! output and the route checks. Nothing is written into the repository.

use std::path::{Path, PathBuf};

use odata_v4_codegen::edmx::{self, canonical};

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn fixture(name: &str) -> PathBuf {
    workspace().join("csdl/tests/fixtures").join(name)
}

/// A temporary workspace root, removed when dropped.
struct Root(PathBuf);

impl Root {
    fn new(name: &str) -> Root {
        let dir = std::env::temp_dir().join(format!("xtask-import-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("a scratch directory");
        Root(dir)
    }

    fn path(&self) -> &Path {
        &self.0
    }

    fn is_empty(&self) -> bool {
        std::fs::read_dir(&self.0).map(|mut d| d.next().is_none()).unwrap_or(false)
    }
}

impl Drop for Root {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn source(path: &Path) -> &str {
    path.to_str().expect("a UTF-8 path")
}

#[test]
#[cfg_attr(not(has_shared_bc_metadata), ignore = "needs ../shared/metadata/bc-api-v2.0.xml beside the repository")]
fn importing_the_bc_schema_writes_the_committed_canonical_form() {
    let root = Root::new("bc");
    let bc = workspace().join("../shared/metadata/bc-api-v2.0.xml");
    let written = xtask::import::import(root.path(), "api/v2.0", source(&bc)).expect("the BC schema imports");
    assert_eq!(written.target, root.path().join("sdk/schemas/api/v2.0/metadata.xml"));
    assert!(written.changes.is_none(), "nothing was replaced");
    let written = written.target;
    let output = std::fs::read_to_string(&written).expect("the written schema");
    let committed =
        std::fs::read_to_string(workspace().join("sdk/schemas/api/v2.0/metadata.xml")).expect("the committed schema");
    assert!(output == committed, "importing the BC schema no longer reproduces sdk/schemas/api/v2.0/metadata.xml");
}

/// The end-to-end tests carry TripPin's model in the repository as
/// `import-metadata` writes it; it must stay exactly that (re-import it
/// rather than editing it: `cargo xtask import-metadata --api api/trippin/v1.0
/// ../shared/metadata/trippin.xml`, then move the file).
#[test]
#[cfg_attr(not(has_shared_trippin), ignore = "needs ../shared/metadata/trippin.xml beside the repository")]
fn the_carried_trippin_model_is_the_import_of_the_shared_one() {
    let root = Root::new("trippin");
    let shared = workspace().join("../shared/metadata/trippin.xml");
    let written = xtask::import::import(root.path(), "api/trippin/v1.0", source(&shared)).expect("TripPin imports");
    let imported = std::fs::read_to_string(&written.target).expect("the written schema");
    let carried =
        std::fs::read_to_string(workspace().join("tests/peer/schemas/trippin.xml")).expect("the carried schema");
    assert!(
        imported == carried,
        "tests/peer/schemas/trippin.xml is not the canonical form of the shared TripPin model"
    );
}

#[test]
fn importing_a_fixture_writes_its_canonical_form_under_a_nested_route() {
    let root = Root::new("nested");
    let path = fixture("model.xml");
    let written =
        xtask::import::import(root.path(), "api/contoso/sales/v1.0", source(&path)).expect("the fixture imports");
    assert_eq!(written.target, root.path().join("sdk/schemas/api/contoso/sales/v1.0/metadata.xml"));
    let written = written.target;
    let model = edmx::read_file(&path).expect("the fixture reads");
    assert_eq!(std::fs::read_to_string(&written).expect("the written schema"), canonical::write(&model));
    // Importing again is stable: the canonical form of the canonical form is itself.
    let again = xtask::import::import(root.path(), "api/contoso/sales/v1.0", source(&written))
        .expect("the canonical form imports");
    assert_eq!(again.changes.as_ref().map(|c| c.changes.len()), Some(0), "re-importing changes nothing");
    assert_eq!(std::fs::read_to_string(&again.target).expect("the rewritten schema"), canonical::write(&model));
}

#[test]
fn routes_are_validated_before_anything_is_read_or_written() {
    let root = Root::new("routes");
    for route in [
        "v2.0",
        "api",
        "api/",
        "/api/v2.0",
        "api//v2.0",
        "api/../v2.0",
        "api/./v2.0",
        "api/v 2",
        "api/x\\y",
        "api/ä",
        "API/v2.0",
    ] {
        let error = xtask::import::import(root.path(), route, "/nonexistent/metadata.xml").expect_err(route);
        assert_eq!(
            error.to_string(),
            format!("`{route}` is not an API route such as `api/v2.0` or `api/microsoft/reportsFinance/beta`")
        );
    }
    for route in ["api/v2.0", "api/microsoft/reportsFinance/beta", "api/contoso.app_1-x/v1"] {
        assert!(xtask::import::validate_route(route).is_ok(), "{route}");
    }
    assert!(root.is_empty(), "a rejected import wrote something");
}

#[test]
fn an_unreadable_or_invalid_source_writes_nothing() {
    let root = Root::new("invalid");
    let error = xtask::import::import(root.path(), "api/v2.0", "/nonexistent/metadata.xml").expect_err("no such file");
    let error = format!("{error:#}");
    assert!(error.starts_with("cannot read /nonexistent/metadata.xml:"), "{error}");

    let broken = root.path().join("broken.xml");
    std::fs::write(&broken, "<edmx:Edmx Version=\"4.0\" xmlns:edmx=\"http://docs.oasis-open.org/odata/ns/edmx\">\n  <edmx:DataServices>\n    <Schema Namespace=\"T\" xmlns=\"http://docs.oasis-open.org/odata/ns/edm\">\n      <EntityType Name=\"e\" BaseType=\"T.missing\"/>\n    </Schema>\n  </edmx:DataServices>\n</edmx:Edmx>\n").expect("a scratch file");
    let error =
        xtask::import::import(root.path(), "api/v2.0", source(&broken)).expect_err("a base type that does not exist");
    assert_eq!(
        error.to_string(),
        format!(
            "{}:4:7: error: entity type `e` derives from unknown entity type `T.missing`\n  at Schema[T]/EntityType[e]",
            broken.display()
        )
    );
    assert!(!root.path().join("sdk/schemas").exists(), "an invalid document was written");
}

#[test]
fn the_schema_path_of_a_route() {
    assert_eq!(
        xtask::import::schema_path(Path::new("/w"), "api/v2.0"),
        PathBuf::from("/w/sdk/schemas/api/v2.0/metadata.xml")
    );
}

// The canonical writer sorts schemas and drops unknown elements; the import
// check must still accept such documents.

#[test]
fn importing_schemas_out_of_alphabetical_order() {
    let root = Root::new("order");
    xtask::import::import(root.path(), "api/contoso/billing", source(&fixture("multi_schema.xml"))).expect("imports");
}

#[test]
fn importing_a_document_with_an_unknown_element() {
    let root = Root::new("unknown");
    let path = root.path().join("unknown.xml");
    std::fs::write(&path, "<edmx:Edmx Version=\"4.0\" xmlns:edmx=\"http://docs.oasis-open.org/odata/ns/edmx\"><edmx:DataServices><Schema Namespace=\"T\" xmlns=\"http://docs.oasis-open.org/odata/ns/edm\"><Gadget/></Schema></edmx:DataServices></edmx:Edmx>").expect("a scratch file");
    xtask::import::import(root.path(), "api/t", source(&path)).expect("imports");
}
