//! The generator as a product: `odata-v4-gen generate` on a standard OData v4
//! service of the project's own (`peer/schemas/library.xml`, not Business
//! Central) writes a crate that depends on the OData runtime alone, speaks
//! the strict profile chosen at generation time, compiles on its own, and
//! reads and writes the service served by the local peer.

use std::path::PathBuf;
use std::process::Command;

use odata_v4_codegen::Dependencies;
use odata_v4_gen::Request;
use sdk_tests::generated_crates::{add_test, run_ok};
use sdk_tests::peer::repository_path;
use sdk_tests::{PeerConfig, PeerServer};

/// The test placed in the generated crate. It talks to the peer whose base
/// URL is in `LIBRARY_BASE_URL`; it never sets a profile itself.
const PEER_TEST: &str = r##"
use contoso_library::odata::library::{self as library, book, enums::Genre};
use contoso_library::runtime::rust_decimal::Decimal;
use contoso_library::runtime::uuid::Uuid;
use contoso_library::runtime::{Client, Error, ETag};

fn api() -> library::Api {
    let base = std::env::var("LIBRARY_BASE_URL").expect("LIBRARY_BASE_URL is set by the test");
    library::Api::new(&Client::builder(base).build().expect("a client"))
}

#[tokio::test]
async fn typed_queries_writes_and_errors_against_the_peer() {
    let api = api();
    // A qualified enum literal (the strict profile) and a decimal; pages of 2.
    let query = api
        .books()
        .list()
        .filter(book::genre().eq(Genre::Science).and(book::price().gt(Decimal::new(10, 0))))
        .order_by(book::title());
    assert!(query.url().contains("genre%20eq%20Contoso.Library.genre%27Science%27"), "{}", query.url());
    let titles: Vec<String> = query.collect().await.unwrap().into_iter().map(|b| b.title).collect();
    assert_eq!(titles, ["Notes on the Analytical Engine", "O'Brien's Engine"]);
    assert_eq!(api.books().count().await.unwrap(), 5);

    // Lambda operators are offered to a standard service.
    let authors = api.authors().list().filter(contoso_library::odata::library::author::books().any(book::genre().eq(Genre::History)));
    let names: Vec<String> = authors.collect().await.unwrap().into_iter().map(|a| a.name).collect();
    assert_eq!(names, ["Herodotus"]);

    // Create, update with If-Match, and a stale ETag refused.
    let created = api
        .books()
        .create(book::BookCreate::new(Uuid::from_u128(0xb0000000_0000_0000_0000_000000000099), "Generated Code").genre(Genre::Fiction).price(Decimal::new(500, 2)))
        .await
        .unwrap();
    assert_eq!(created.price, Some(Decimal::new(500, 2)));
    let updated = api.book(created.id).update(&created, book::BookUpdate::new().title("Generated Code, 2nd ed.")).await.unwrap();
    assert_eq!(updated.title, "Generated Code, 2nd ed.");
    let stale = api.book(created.id).update(&created, book::BookUpdate::new().title("lost")).await.unwrap_err();
    assert!(matches!(stale, Error::StaleEtag(_)), "{stale:?}");
    let missing = api.book(Uuid::nil()).get().await.unwrap_err();
    assert!(matches!(missing, Error::NotFound(_)), "{missing:?}");
    api.book(created.id).delete(&ETag::new(updated.etag.unwrap().as_str())).await.unwrap();
}
"##;

#[test]
fn a_crate_generated_for_a_standard_service_runs_against_the_peer() {
    let root = repository_path("");
    let scratch = root.join("target").join("generated-crates");
    let out: PathBuf = scratch.join("contoso-library");
    let _ = std::fs::remove_dir_all(&out);
    let mut request = Request::new(repository_path("tests/peer/schemas/library.xml").display().to_string(), &out);
    request.service_root = Some("odata/library".to_owned());
    request.crate_name = Some("contoso-library".to_owned());
    request.dependencies = Dependencies::Checkout(root.clone());
    let outcome = odata_v4_gen::generate(&request, &mut |_| {}).expect("generation succeeds");
    assert_eq!(outcome.generated.customization, "strict OData", "not Business Central: the strict profile");

    let manifest = add_test(&out, &root, "tokio = { version = \"1\", features = [\"rt\", \"macros\"] }\n", PEER_TEST);
    let text = std::fs::read_to_string(&manifest).expect("manifest");
    assert!(!text.contains("business-central-sdk"), "{text}");

    let tree = run_ok(
        Command::new(env!("CARGO")).args(["tree", "--quiet", "--edges", "normal", "--manifest-path"]).arg(&manifest),
    );
    let tree = String::from_utf8_lossy(&tree.stdout);
    assert!(tree.contains("odata-v4-runtime"), "{tree}");
    assert!(!tree.contains("business-central-sdk"), "the dependency tree holds the BC SDK:\n{tree}");

    let peer = PeerServer::start(PeerConfig::library()).expect("the library peer starts");
    run_ok(
        Command::new(env!("CARGO"))
            .args(["test", "--quiet", "--manifest-path"])
            .arg(&manifest)
            .env("CARGO_TARGET_DIR", scratch.join("target"))
            .env("LIBRARY_BASE_URL", peer.base_url()),
    );
}
