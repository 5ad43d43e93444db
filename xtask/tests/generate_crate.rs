//! `odata-v4-gen generate` on an EDMX the generator has never seen (a custom
//! API page, written for this test) produces a standalone crate that builds,
//! and whose typed API queries a server.

use std::path::{Path, PathBuf};
use std::process::Command;

use odata_v4_codegen::Dependencies;
use odata_v4_gen::{Outcome, Request};

/// Generates `metadata` into `out` as a crate depending on this checkout.
fn generate(metadata: &Path, out: &Path, service_root: &str, crate_name: &str) -> Outcome {
    let mut request = Request::new(metadata.display().to_string(), out);
    request.service_root = Some(service_root.to_owned());
    request.crate_name = Some(crate_name.to_owned());
    request.dependencies = Dependencies::Checkout(workspace());
    odata_v4_gen::generate(&request, &mut |_| {}).unwrap_or_else(|e| panic!("generation fails: {e}"))
}

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).parent().expect("workspace root").to_path_buf()
}

/// A smoke test placed in the generated crate: a typed filter against a
/// one-shot HTTP server on 127.0.0.1, decoded into the generated type.
const SMOKE_TEST: &str = r##"
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;

use contoso_warehouse::api::contoso::warehouse::v1_0::{self as warehouse, enums::PackageStatus, shipment_package as package};
use contoso_warehouse::business_central::{Client, Environment};
use contoso_warehouse::runtime::uuid::Uuid;

const PAGE: &str = r#"{"value":[{"@odata.etag":"W/\"5\"","id":"aaaaaaaa-0000-0000-0000-000000000001","packageNumber":"PKG-0001","carrier":"Contoso Freight","weightKg":12.500,"status":"Handed_x0020_Over","shippedAt":"2025-03-01T08:00:00Z","lastModifiedDateTime":"2025-03-01T08:00:00Z","palletId":"P-7"}]}"#;

#[tokio::test]
async fn typed_query_against_a_local_server() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = std::thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        let mut reader = BufReader::new(stream);
        let mut request_line = String::new();
        reader.read_line(&mut request_line).unwrap();
        let mut line = String::new();
        while reader.read_line(&mut line).unwrap() > 2 {
            line.clear();
        }
        let body = PAGE.as_bytes();
        let mut stream = reader.into_inner();
        write!(stream, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len()).unwrap();
        stream.write_all(body).unwrap();
        let _ = stream.read(&mut [0u8; 1]);
        request_line
    });
    let client = Client::builder(Environment::custom(format!("http://127.0.0.1:{port}/"))).build().unwrap();
    let api = warehouse::Api::new(&client);
    let company = Uuid::parse_str("11111111-1111-1111-1111-111111111111").unwrap();
    let packages = api
        .company(company)
        .shipment_packages()
        .list()
        .filter(package::status().eq(PackageStatus::HandedOver).and(package::weight_kg().gt(10)))
        .collect()
        .await
        .unwrap();
    let request_line = server.join().unwrap();
    assert_eq!(
        request_line.trim_end(),
        "GET /api/contoso/warehouse/v1.0/companies(11111111-1111-1111-1111-111111111111)/shipmentPackages?$filter=status%20eq%20%27Handed_x0020_Over%27%20and%20weightKg%20gt%2010 HTTP/1.1"
    );
    assert_eq!(packages.len(), 1);
    assert_eq!(packages[0].package_number, "PKG-0001");
    assert_eq!(packages[0].weight_kg.unwrap().to_string(), "12.500");
    assert_eq!(packages[0].status, Some(PackageStatus::HandedOver));
    assert_eq!(packages[0].additional_properties.get("palletId").unwrap().get(), "\"P-7\"");
    let posted = api.company(company).shipment_package(packages[0].id).hand_over();
    assert!(posted.url().ends_with("/shipmentPackages(aaaaaaaa-0000-0000-0000-000000000001)/Microsoft.NAV.handOver"));
}
"##;

/// For the reader's own fixture (a standard OData service, not BC): lambda
/// filters are offered, imports and overloads become methods of the API root,
/// a type without an entity set is reached through its navigation property.
const SALES_SMOKE_TEST: &str = r##"
use contoso_sales::api::sales::v1_0::{self as sales, order, order_line};
use contoso_sales::runtime::uuid::Uuid;
use contoso_sales::runtime::{Client, Method, Service};

#[test]
fn lambda_filters_imports_and_navigation_to_unexposed_types() {
    assert_eq!(<sales::Service as Service>::PROFILE, contoso_sales::runtime::ServiceProfile::strict_odata());
    let client = Client::builder("http://127.0.0.1:9/").build().unwrap();
    let api = sales::Api::new(&client);
    let query = api.orders().list().filter(order::lines().any(order_line::quantity().gt(5)));
    assert!(query.url().ends_with("/api/sales/v1.0/orders?$filter=lines/any(x1:x1/quantity%20gt%205)"), "{}", query.url());
    let lines = api.order(Uuid::nil()).lines();
    assert!(lines.url().ends_with("/orders(00000000-0000-0000-0000-000000000000)/lines"), "{}", lines.url());
    let top = api.top_customers_with_city(3, Some("Kyiv".to_owned()));
    assert!(top.url().ends_with("/api/sales/v1.0/topCustomers(count=3,city='Kyiv')"), "{}", top.url());
    assert!(api.top_customers_with_city(3, None).url().ends_with("topCustomers(count=3,city=null)"));
    let reset = api.reset_data(true);
    assert_eq!(reset.method(), Method::Post);
    assert_eq!(reset.body(), Some(&br#"{"full":true}"#[..]));
}
"##;

fn run(command: &mut Command) {
    let output = command.output().expect("cargo runs");
    assert!(
        output.status.success(),
        "{:?} failed:\n{}\n{}",
        command,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn generated_crate_for_a_custom_api_builds_and_queries() {
    let root = workspace();
    // Kept under target/ so the crate's dependencies are built once and reused.
    let scratch = root.join("target").join("generated-crates");
    let out = scratch.join("contoso-warehouse");
    let _ = std::fs::remove_dir_all(&out);
    let written = generate(
        &root.join("xtask/tests/fixtures/contoso-warehouse-v1.0.xml"),
        &out,
        "api/contoso/warehouse/v1.0",
        "contoso-warehouse",
    )
    .generated;
    assert!(written.files >= 8, "{} files", written.files);
    assert_eq!(written.customization, "Business Central", "detected from the Microsoft.NAV namespace");
    let manifest = std::fs::read_to_string(out.join("Cargo.toml")).expect("manifest written");
    assert!(manifest.contains(r#"odata-v4-runtime = { path = "../../../runtime" }"#), "{manifest}");
    assert!(
        manifest.contains(r#"business-central-sdk = { path = "../../../sdk", default-features = false }"#),
        "{manifest}"
    );
    let lib = std::fs::read_to_string(out.join("src/generated/api/contoso/warehouse/v1_0/shipment_package.rs"))
        .expect("module written");
    assert!(
        lib.starts_with("// Code generated by `odata-v4-gen generate contoso-warehouse-v1.0.xml`"),
        "{}",
        &lib[..120]
    );

    let manifest = out.join("Cargo.toml");
    let mut text = std::fs::read_to_string(&manifest).expect("manifest written");
    text.push_str("\n[dev-dependencies]\ntokio = { version = \"1\", features = [\"rt\", \"macros\"] }\n");
    std::fs::write(&manifest, text).expect("manifest updated");
    write(&out.join("tests/smoke.rs"), SMOKE_TEST);

    let target = scratch.join("target");
    run(Command::new(env!("CARGO"))
        .args(["check", "--quiet", "--manifest-path"])
        .arg(&manifest)
        .env("CARGO_TARGET_DIR", &target));
    run(Command::new(env!("CARGO"))
        .args(["test", "--quiet", "--manifest-path"])
        .arg(&manifest)
        .env("CARGO_TARGET_DIR", &target));
}

#[test]
fn generated_crate_for_a_standard_odata_service_builds() {
    let root = workspace();
    let scratch = root.join("target").join("generated-crates");
    let out = scratch.join("contoso-sales");
    let _ = std::fs::remove_dir_all(&out);
    let generated = generate(&root.join("csdl/tests/fixtures/model.xml"), &out, "api/sales/v1.0", "contoso-sales");
    assert_eq!(generated.generated.customization, "strict OData");
    let manifest = out.join("Cargo.toml");
    write(&out.join("tests/smoke.rs"), SALES_SMOKE_TEST);
    // Shares the scratch target directory, so the dependencies built for the
    // custom-API crate are reused.
    let target = scratch.join("target");
    run(Command::new(env!("CARGO"))
        .args(["test", "--quiet", "--manifest-path"])
        .arg(&manifest)
        .env("CARGO_TARGET_DIR", &target));
}

/// Generating again over a crate writes only what changed: a no-op
/// regeneration leaves every file (and its modification time) alone, so
/// Cargo has nothing to rebuild, and a file no longer generated goes.
#[test]
fn generating_again_writes_only_what_changed() {
    let root = workspace();
    let out = root.join("target").join("generated-crates").join("regenerated");
    let _ = std::fs::remove_dir_all(&out);
    let metadata = root.join("csdl/tests/fixtures/model.xml");
    let first = generate(&metadata, &out, "api/sales/v1.0", "regenerated").generated;
    assert_eq!(first.changed, first.files, "a first run writes every file");

    let kept = out.join("tests/by_hand.rs");
    write(&kept, "// the user's own test");
    let stale = out.join("src/generated/no_longer_generated.rs");
    write(&stale, "// left by an older generator");
    let lib_rs = out.join("src/lib.rs");
    let before = std::fs::metadata(&lib_rs).and_then(|m| m.modified()).expect("lib.rs has a time");

    let second = generate(&metadata, &out, "api/sales/v1.0", "regenerated").generated;
    assert_eq!((second.files, second.changed), (first.files, 1), "only the stale file changes");
    assert!(!stale.exists(), "a file no longer generated is removed");
    assert!(kept.exists(), "files outside src/generated/ are the user's");
    assert_eq!(std::fs::metadata(&lib_rs).and_then(|m| m.modified()).ok(), Some(before), "lib.rs is not rewritten");

    let third = generate(&metadata, &out, "api/sales/v1.0", "regenerated").generated;
    assert_eq!(third.changed, 0);
    std::fs::remove_dir_all(&out).expect("the scratch crate is removed");
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().expect("a parent")).expect("directory");
    std::fs::write(path, text).expect("written");
}
