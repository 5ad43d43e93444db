//! Inputs the fuzzers found, kept in `fixtures/regressions/`. Each must be
//! handled without a panic or a crash and give exactly the recorded outcome.
//! The same checks as the fuzzers run (`fuzz/oracle.rs`).

mod common;

use odata_v4_csdl::diag::DiagnosticKind;
use odata_v4_csdl::edmx::{self, canonical};

#[path = "../../fuzz/oracle.rs"]
#[allow(dead_code)]
mod oracle;

/// The first diagnostic's kind, line and column.
type FirstError = (DiagnosticKind, u32, u32);

/// File name, then its first error (`None` for an input that must read as a model).
const EXPECTED: &[(&str, Option<FirstError>)] = &[
    // Refused at the 95th nested `<a>`: 12 spaces of indentation, then 94 `<a>` of 3 characters.
    ("deep_unknown_in_collection.xml", Some((DiagnosticKind::MalformedXml, 16, 13 + 94 * 3))),
    // The libFuzzer artifact as found: it also has an attribute name full of
    // NUL bytes, which quick-xml accepts too and which is now refused first.
    ("empty_element_name.xml", Some((DiagnosticKind::MalformedXml, 106, 9))),
    // The same finding reduced by hand: `<></>` inside an annotation collection.
    ("empty_element_name_min.xml", Some((DiagnosticKind::MalformedXml, 11, 11))),
    // `Nullable="0"` is read as `false` with a warning, which the canonical form
    // (written `false`) no longer has: the oracle expected the warning to stay.
    ("lenient_nullable_zero.xml", None),
];

fn regressions_dir() -> std::path::PathBuf {
    common::fixtures_dir().join("regressions")
}

#[test]
fn every_regression_input_has_its_recorded_outcome() {
    let dir = regressions_dir();
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("the regressions directory")
        .map(|e| e.expect("an entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let listed: Vec<&str> = EXPECTED.iter().map(|(name, _)| *name).collect();
    assert_eq!(names, listed, "every file in fixtures/regressions needs a line in EXPECTED, and no more");

    for (name, expected) in EXPECTED {
        // Bytes, not text: fuzz findings need not be UTF-8.
        let bytes = std::fs::read(dir.join(name)).expect("a regression input");
        let outcome = edmx::read_bytes(name, &bytes);
        match (expected, &outcome) {
            (None, Ok(model)) => {
                let written = canonical::write(model);
                let reread = edmx::read_str("canonical.xml", &written).expect("the canonical form reads");
                assert_eq!(canonical::write(&reread), written, "{name}");
            }
            (Some((kind, line, column)), Err(errors)) => {
                let first = errors.first().expect("at least one error");
                assert_eq!(
                    (first.kind, first.location.line, first.location.column),
                    (*kind, *line, *column),
                    "{name}: {errors}"
                );
            }
            (expected, outcome) => {
                panic!(
                    "{name}: expected {expected:?}, got {:?}",
                    outcome.as_ref().map(|_| "a model").map_err(|e| e.to_string())
                )
            }
        }
        oracle::check(&bytes);
    }
}

#[test]
fn the_deep_regression_reports_the_whole_open_path() {
    let bytes = std::fs::read(regressions_dir().join("deep_unknown_in_collection.xml")).expect("the input");
    let errors = edmx::read_bytes("deep.xml", &bytes).expect_err("too deep");
    let mut path = "Edmx/DataServices/Schema/EntityType/Annotation/Collection".to_owned();
    path.push_str(&"/a".repeat(95));
    assert_eq!(errors.0[0].path, path);
    assert_eq!(errors.0[0].message, "elements are nested more than 100 levels deep");
}

#[test]
fn an_element_without_a_name_is_refused() {
    let bytes = std::fs::read(regressions_dir().join("empty_element_name_min.xml")).expect("the input");
    let errors = edmx::read_bytes("min.xml", &bytes).expect_err("not an XML name");
    assert_eq!(errors.0[0].message, "`` is not a valid element name");
    assert_eq!(errors.0[0].path, "Edmx/DataServices/Schema/Annotation/Collection/");
}
