//! SAP CAP (`@sap/cds` 9, Node.js) as a second, independent OData v4 peer:
//! a client generated from the `$metadata` the running CAP server serves
//! for the bookshop model of `tests/cap/` (strict profile), built in
//! `target/generated-crates/cap/`, runs typed queries, paging, writes with
//! ETags, deep insert, bound and unbound operations, `$batch` and a
//! read-only set against it (`cap_client/peer.rs`, one outer test each).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use odata_v4_codegen::Dependencies;
use odata_v4_gen::{Profile, Request};
use sdk_tests::cap::{CapServer, SERVICE_ROOT, shared_cap};
use sdk_tests::generated_crates::add_test;
use sdk_tests::node_env;
use sdk_tests::peer::repository_path;
use sdk_tests::server_process::process_exists;

/// The generated crate's tests (`tests/peer.rs` there).
const MAIN_TESTS: &str = include_str!("cap_client/peer.rs");

/// The client crate, generated and its main tests built.
struct GeneratedClient {
    dir: PathBuf,
    main_tests: PathBuf,
}

/// Generates the crate from the shared CAP server's `$metadata` and builds
/// its main tests, once per test binary; fails if anything in the crate
/// (generated code and tests) compiles with a warning.
fn generated_client() -> &'static GeneratedClient {
    static CLIENT: OnceLock<Result<GeneratedClient, String>> = OnceLock::new();
    match CLIENT.get_or_init(generate_and_build) {
        Ok(client) => client,
        Err(error) => panic!("{error}"),
    }
}

fn generate_and_build() -> Result<GeneratedClient, String> {
    let server = shared_cap();
    let root = repository_path("");
    let scratch = root.join("target").join("generated-crates");
    let dir = scratch.join("cap");
    let _ = std::fs::remove_dir_all(&dir);
    let mut request = Request::new(server.metadata_url(), &dir);
    request.service_root = Some(SERVICE_ROOT.to_owned());
    request.crate_name = Some("cap-shop".to_owned());
    request.profile = Profile::Strict;
    request.dependencies = Dependencies::Checkout(root.clone());
    let outcome = odata_v4_gen::generate(&request, &mut |_| {}).map_err(|e| e.to_string())?;
    if outcome.generated.customization != "strict OData" {
        return Err(format!("generated for {}, not the strict profile", outcome.generated.customization));
    }
    let dev_dependencies = "tokio = { version = \"1\", features = [\"rt\", \"macros\"] }\n\
                            futures-util = { version = \"0.3\", default-features = false }\n\
                            serde_json = \"1\"\n";
    let manifest = add_test(&dir, &root, dev_dependencies, MAIN_TESTS);
    let target = scratch.join("target");
    let main_tests = build_test_target(&manifest, &target, "peer")?;
    Ok(GeneratedClient { dir, main_tests })
}

/// `cargo test --no-run --test <name>` on the generated crate: the test
/// executable, or the compiler's complaints (warnings included).
fn build_test_target(manifest: &Path, target: &Path, name: &str) -> Result<PathBuf, String> {
    let output = Command::new(env!("CARGO"))
        .args(["test", "--no-run", "--message-format", "json-diagnostic-short", "--test", name, "--manifest-path"])
        .arg(manifest)
        .env("CARGO_TARGET_DIR", target)
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    let mut complaints = Vec::new();
    let mut executable = None;
    for line in String::from_utf8_lossy(&output.stdout).lines() {
        let Ok(message) = serde_json::from_str::<serde_json::Value>(line) else { continue };
        let from_generated_crate = message["package_id"].as_str().is_some_and(|id| id.contains("cap-shop"));
        match message["reason"].as_str() {
            Some("compiler-message") if from_generated_crate => {
                complaints.push(message["message"]["rendered"].as_str().unwrap_or_default().trim().to_owned());
            }
            Some("compiler-artifact") if message["target"]["name"] == name => {
                executable = message["executable"].as_str().map(PathBuf::from);
            }
            _ => {}
        }
    }
    match (output.status.success(), executable) {
        (true, Some(executable)) if complaints.is_empty() => Ok(executable),
        (true, Some(_)) => Err(format!("the CAP client crate compiles with warnings:\n{}", complaints.join("\n"))),
        _ => Err(format!(
            "building `{name}` of the CAP client crate failed ({}):\n{}\n{}",
            output.status,
            complaints.join("\n"),
            String::from_utf8_lossy(&output.stderr)
        )),
    }
}

/// Runs one test of a built test executable against the shared server and
/// checks that it ran and passed (a misspelt name would run nothing).
fn run_client_test(executable: &Path, name: &str) {
    let mut command = Command::new(executable);
    command.args(["--exact", name]).env("CAP_BASE_URL", shared_cap().base_url());
    let output = command.output().expect("the test executable runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success() && stdout.contains("test result: ok. 1 passed"),
        "`{name}` against CAP failed ({}):\n{stdout}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
}

fn run_main_test(name: &str) {
    run_client_test(&generated_client().main_tests, name);
}

#[test]
fn the_client_is_generated_from_caps_metadata() {
    let client = generated_client();
    let module = client.dir.join("src/generated/odata/v4/shop");
    let read = |file: &str| std::fs::read_to_string(module.join(file)).expect("generated module");
    // A type named like its set (CAP's `Books` in `Books`) gets the singular
    // for its module, struct and single-entity path; the set keeps its name.
    let books = read("book.rs");
    assert!(books.contains("pub struct Book {") && books.contains("pub struct BookPath("), "singular names");
    assert!(books.contains("pub struct BooksPath(") && books.contains("impl rt::Insertable for Books"));
    // `@readonly` reaches the client through Capabilities.*Restrictions:
    // no capability marker, and no write method on its typed paths.
    let publishers = read("publisher.rs");
    for capability in ["Insertable", "Updatable", "Deletable"] {
        assert!(!publishers.contains(&format!("impl rt::{capability} for")), "Publishers is {capability}");
    }
    for write in ["pub fn create(", "pub fn update(", "pub fn delete("] {
        assert!(!publishers.contains(write), "Publishers offers {write}");
    }
    // The ETag annotation (`Core.OptimisticConcurrency`) and the decimal price.
    assert!(read("order.rs").contains("pub etag: Option<rt::ETag>"), "Orders read their ETag");
    assert!(books.contains("pub price: Option<rt::rust_decimal::Decimal>"));
    // Operations typed from the metadata: CAP writes no `Nullable` on
    // parameters (so they are nullable, taken as `impl Into<Option<_>>`),
    // marks function parameters optional (setters on a call type), and
    // lists an enumeration's values with `Validation.AllowedValues`.
    let root = read("mod.rs");
    assert!(root.contains("book: impl Into<Option<i32>>"), "restock's parameters");
    assert!(root.contains("pub fn stock_of_genre(&self) -> StockOfGenreCall"), "stockOfGenre's call type");
    assert!(root.contains("one of `Fiction`, `Science`, `History`, `Poetry`"), "allowed values in the docs");
    assert!(read("order.rs").contains("pub fn new(customer: impl Into<String>) -> Self"), "computed key");
    // A property's allowed values become a type; a note of an order is
    // reached by its line alone (its key's other part is the order's).
    assert!(books.contains("pub genre: Option<super::enums::BookGenre>"), "allowed values as a type");
    assert!(read("order.rs").contains("pub fn order_note(&self, line: i32)"), "the shortened key");
}

#[test]
fn typed_queries() {
    run_main_test("typed_queries");
}

#[test]
fn a_computed_key_is_left_to_the_service() {
    run_main_test("a_computed_key_is_left_to_the_service");
}

#[test]
fn paging_over_a_top_level_set() {
    run_main_test("paging_over_a_top_level_set");
}

#[test]
fn paging_over_a_navigation_collection() {
    run_main_test("paging_over_a_navigation_collection");
}

#[test]
fn updates_with_if_match_and_a_stale_etag() {
    run_main_test("updates_with_if_match_and_a_stale_etag");
}

#[test]
fn deep_insert_by_hand() {
    run_main_test("deep_insert_by_hand");
}

#[test]
fn a_composition_item_by_the_rest_of_its_key() {
    run_main_test("a_composition_item_by_the_rest_of_its_key");
}

#[test]
fn deep_insert_through_a_composition() {
    run_main_test("deep_insert_through_a_composition");
}

#[test]
fn bound_operations_send_the_etag_they_are_given() {
    run_main_test("bound_operations_send_the_etag_they_are_given");
}

#[test]
fn unbound_operations() {
    run_main_test("unbound_operations");
}

#[test]
fn json_batch() {
    run_main_test("json_batch");
}

#[test]
fn atomic_batch() {
    run_main_test("atomic_batch");
}

#[test]
fn a_read_only_entity_set() {
    run_main_test("a_read_only_entity_set");
}

// The harness: a CAP server stops with its owner, like the odatapy peer.

/// The status line of `GET <path>` on 127.0.0.1:`port`, or why there is none.
fn status_line(port: u16, path: &str) -> std::io::Result<String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    write!(stream, "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")?;
    let mut line = String::new();
    BufReader::new(stream).read_line(&mut line)?;
    Ok(line.trim_end().to_owned())
}

#[test]
#[cfg_attr(not(unix), ignore = "looks the server up by process id with kill(pid, 0): Unix only")]
fn dropping_a_cap_server_kills_it() {
    let server = CapServer::start().expect("a CAP server starts");
    let metadata = format!("/{SERVICE_ROOT}/$metadata");
    assert_eq!(status_line(server.port(), &metadata).expect("CAP answers"), "HTTP/1.1 200 OK");
    let (pid, port) = (server.pid(), server.port());
    drop(server);
    assert!(!process_exists(pid), "the dropped server is gone");
    assert!(status_line(port, &metadata).is_err(), "nothing listens on {port} any more");
}

/// What stops a shared server of a test binary that dies without running
/// exit hooks: `server.js --exit-with-stdin` exits once its stdin closes.
#[test]
fn the_cap_server_exits_when_its_parent_closes_stdin() {
    let node_modules = node_env::ensure_installed().expect("the CAP packages install");
    let mut child = Command::new(node_env::node_program())
        .arg(node_env::project_dir().join("server.js"))
        .args(["--port", "0", "--exit-with-stdin"])
        .env("NODE_PATH", node_modules)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("node starts");
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout pipe"));
    let mut first_line = String::new();
    stdout.read_line(&mut first_line).expect("read READY");
    assert!(first_line.starts_with("READY "), "{first_line:?}");

    drop(child.stdin.take());
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = child.try_wait().expect("try_wait") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the CAP server kept running after its stdin closed");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success(), "{status}");
    let mut rest = String::new();
    stdout.read_to_string(&mut rest).expect("the rest of stdout");
    assert_eq!(rest, "", "stdout carries the READY line alone");
}

#[test]
fn a_missing_node_says_what_to_install() {
    let error = node_env::check_node("/nonexistent/node").expect_err("no node there");
    assert!(error.to_string().contains("need Node.js 20+"), "{error}");
}
