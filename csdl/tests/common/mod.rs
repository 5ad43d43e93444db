//! Helpers shared by the reader's integration tests.

#![allow(dead_code)] // Each test crate uses a different subset.

pub mod round_trip;

use std::path::PathBuf;

use odata_v4_csdl::diag::{Diagnostic, DiagnosticKind, Diagnostics};
use odata_v4_csdl::edmx;
use odata_v4_csdl::ir::{Model, QualifiedName};

pub fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

pub fn fixture(name: &str) -> String {
    let path = fixtures_dir().join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// Reads a fixture that must be valid.
pub fn read_fixture(name: &str) -> Model {
    read_ok(name, &fixture(name))
}

pub fn read_ok(file: &str, text: &str) -> Model {
    edmx::read_str(file, text).unwrap_or_else(|e| panic!("{file} should read, but:\n{e}"))
}

/// The committed canonical form of the BC v2.0 schema.
pub fn bc_canonical_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../sdk/schemas/api/v2.0/metadata.xml")
}

/// The envelope `wrap` puts around a schema body: four lines, so the body
/// starts on line 5.
pub const HEAD: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">
<edmx:DataServices>
<Schema Namespace="T" Alias="t" xmlns="http://docs.oasis-open.org/odata/ns/edm">
"#;

pub const TAIL: &str = "</Schema>\n</edmx:DataServices>\n</edmx:Edmx>\n";

/// A one-schema document (namespace `T`, alias `t`) around `body`, whose
/// first line is line 5 of the document.
pub fn wrap(body: &str) -> String {
    format!("{HEAD}{body}{TAIL}")
}

pub fn qn(text: &str) -> QualifiedName {
    QualifiedName::parse(text).expect("a qualified name")
}

/// A diagnostic reduced to what the tests pin down exactly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub kind: DiagnosticKind,
    pub line: u32,
    pub column: u32,
    pub path: String,
}

impl Found {
    pub fn of(d: &Diagnostic) -> Found {
        Found { kind: d.kind, line: d.location.line, column: d.location.column, path: d.path.clone() }
    }
}

pub fn at(kind: DiagnosticKind, line: u32, column: u32, path: &str) -> Found {
    Found { kind, line, column, path: path.to_owned() }
}

/// Reads a document that must fail and returns its errors.
pub fn errors_of(text: &str) -> Diagnostics {
    match edmx::read_str("t.xml", text) {
        Ok(_) => panic!("the document should not read:\n{text}"),
        Err(e) => e,
    }
}

/// Asserts that a document fails with exactly one error, at the given place,
/// whose message contains `message`.
pub fn assert_single_error(text: &str, expected: Found, message: &str) {
    let errors = errors_of(text);
    let found: Vec<Found> = errors.iter().map(Found::of).collect();
    assert_eq!(found, vec![expected], "all errors:\n{errors}");
    let only = &errors.0[0];
    assert!(only.message.contains(message), "message `{}` should contain `{message}`", only.message);
    assert_eq!(only.severity, odata_v4_csdl::diag::Severity::Error);
    assert_eq!(&*only.location.file, "t.xml");
}

/// The valid fixture documents (the top level of `tests/fixtures`), by file name.
pub fn all_fixtures() -> Vec<(String, String)> {
    xml_files_in(&fixtures_dir())
}

/// The `.xml` files directly inside `dir`, sorted by name, with their text.
pub fn xml_files_in(dir: &std::path::Path) -> Vec<(String, String)> {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()));
    let mut paths: Vec<PathBuf> = entries
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|path| path.is_file() && path.extension().is_some_and(|e| e == "xml"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
            (name, text)
        })
        .collect()
}
