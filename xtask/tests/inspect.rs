//! `cargo xtask inspect`, run as the real binary: the acceptance figures of
//! the BC v2.0 schema, the same model from its canonical form, and errors
//! printed with file, line, column and element path.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::{Value, json};

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn bc_metadata() -> PathBuf {
    workspace().join("../shared/metadata/bc-api-v2.0.xml")
}

fn bc_canonical() -> PathBuf {
    workspace().join("sdk/schemas/api/v2.0/metadata.xml")
}

fn xtask(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask")).args(args).output().expect("xtask runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn inspect(path: &Path) -> Value {
    let output = xtask(&["inspect", path.to_str().expect("a UTF-8 path")]);
    assert!(output.status.success(), "inspect {} failed:\n{}", path.display(), text(&output.stderr));
    assert_eq!(text(&output.stderr), "", "no warnings expected for {}", path.display());
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("inspect printed no JSON ({e}):\n{}", text(&output.stdout)))
}

/// A scratch directory of this test process, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("xtask-inspect-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("a scratch directory");
        Scratch(dir)
    }

    fn file(&self, name: &str, content: &str) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, content).expect("a scratch file");
        path
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
#[cfg_attr(not(has_shared_bc_metadata), ignore = "needs ../shared/metadata/bc-api-v2.0.xml beside the repository")]
fn the_bc_schema_has_the_acceptance_figures() {
    let summary = inspect(&bc_metadata());
    let figures = [
        ("version", json!("4.0")),
        ("schemas", json!(1)),
        ("entity_types", json!(87)),
        ("entity_sets", json!(87)),
        ("complex_types", json!(4)),
        ("enum_types", json!(34)),
        ("enum_members", json!(212)),
        ("properties", json!(1357)),
        ("navigation_properties", json!(338)),
        ("collection_navigation_properties", json!(148)),
        ("singletons", json!(0)),
        ("actions", json!(21)),
        ("functions", json!(0)),
        ("bound_actions", json!(21)),
        ("read_only_entity_sets", json!(31)),
        ("alternate_keys", json!(3)),
        (
            "alternate_key_list",
            json!(["company(businessProfileId)", "company(name)", "externalbusinesseventdefinitions(appId,name)"]),
        ),
        ("composite_key_entity_types", json!(["customerSale", "externalbusinesseventdefinitions", "vendorPurchase"])),
        ("schema_namespaces", json!(["Microsoft.NAV"])),
        ("warnings", json!(0)),
    ];
    for (key, expected) in figures {
        assert_eq!(summary[key], expected, "{key}");
    }
    let sets = summary["entity_set_names"].as_array().expect("a list of entity sets");
    assert_eq!(sets.len(), 87);
    assert!(sets.contains(&json!("companies")) && sets.contains(&json!("salesInvoices")), "{sets:?}");
    let read_only = summary["read_only_entity_set_names"].as_array().expect("a list of read-only sets");
    assert_eq!(read_only.len(), 31);
}

#[test]
#[cfg_attr(not(has_shared_bc_metadata), ignore = "needs ../shared/metadata/bc-api-v2.0.xml beside the repository")]
fn the_canonical_schema_reports_the_same_model() {
    assert_eq!(inspect(&bc_canonical()), inspect(&bc_metadata()));
}

#[test]
fn an_invalid_document_prints_the_error_and_fails() {
    let scratch = Scratch::new("invalid");
    let path = scratch.file(
        "broken.xml",
        "<edmx:Edmx Version=\"4.0\" xmlns:edmx=\"http://docs.oasis-open.org/odata/ns/edmx\">\n<edmx:DataServices>\n<Schema Namespace=\"T\" xmlns=\"http://docs.oasis-open.org/odata/ns/edm\">\n<ComplexType Name=\"c\">\n  <Property Name=\"p\" Type=\"T.missing\"/>\n</ComplexType>\n</Schema>\n</edmx:DataServices>\n</edmx:Edmx>\n",
    );
    let output = xtask(&["inspect", path.to_str().expect("a UTF-8 path")]);
    assert!(!output.status.success(), "an unknown type must fail");
    assert_eq!(text(&output.stdout), "");
    let stderr = text(&output.stderr);
    let expected = format!(
        "{}:5:3: error: property `p` has unknown type `T.missing`\n  at Schema[T]/ComplexType[c]/Property[p]\n",
        path.display()
    );
    assert_eq!(stderr, expected);
}

#[test]
fn malformed_xml_prints_the_position_and_open_elements() {
    let scratch = Scratch::new("malformed");
    let path = scratch.file(
        "truncated.xml",
        "<edmx:Edmx Version=\"4.0\" xmlns:edmx=\"http://docs.oasis-open.org/odata/ns/edmx\">\n<edmx:DataServices>\n</edmx:Edmx>\n",
    );
    let output = xtask(&["inspect", path.to_str().expect("a UTF-8 path")]);
    assert!(!output.status.success());
    let stderr = text(&output.stderr);
    assert!(stderr.starts_with(&format!("{}:3:1: error: ", path.display())), "{stderr}");
    assert!(stderr.contains("expected `</edmx:DataServices>`, but `</edmx:Edmx>` was found"), "{stderr}");
    assert!(stderr.contains("\n  at Edmx/DataServices\n"), "{stderr}");
}

#[test]
fn warnings_go_to_stderr_and_the_summary_still_prints() {
    let scratch = Scratch::new("warnings");
    let path = scratch.file(
        "odd.xml",
        "<edmx:Edmx Version=\"4.01\" xmlns:edmx=\"http://docs.oasis-open.org/odata/ns/edmx\">\n<edmx:DataServices>\n<Schema Namespace=\"T\" xmlns=\"http://docs.oasis-open.org/odata/ns/edm\">\n  <Gadget/>\n</Schema>\n</edmx:DataServices>\n</edmx:Edmx>\n",
    );
    let output = xtask(&["inspect", path.to_str().expect("a UTF-8 path")]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert_eq!(
        text(&output.stderr),
        format!(
            "{}:4:3: warning: `<Gadget>` is not a CSDL element here; it is ignored\n  at Schema[T]\n",
            path.display()
        )
    );
    let summary: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(summary["version"], json!("4.01"));
    assert_eq!(summary["warnings"], json!(1));
}

#[test]
fn a_missing_file_and_bad_usage_fail() {
    let output = xtask(&["inspect", "/nonexistent/metadata.xml"]);
    assert!(!output.status.success());
    assert!(
        text(&output.stderr).starts_with("/nonexistent/metadata.xml:1:1: error: cannot read:"),
        "{}",
        text(&output.stderr)
    );
    let output = xtask(&["inspect"]);
    assert!(!output.status.success());
    // clap names what is missing and shows the usage.
    let stderr = text(&output.stderr);
    assert!(stderr.contains("required arguments were not provided") && stderr.contains("<EDMX>"), "{stderr}");
    assert!(stderr.contains("Usage: xtask inspect <EDMX>"), "{stderr}");
}
