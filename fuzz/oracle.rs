//! The checks every fuzzed input goes through. Shared, as source, by the
//! libFuzzer target (`fuzz/fuzz_targets/read_edmx.rs`) and the stable-toolchain
//! mutation fuzzer (`cargo xtask fuzz`, `xtask/src/fuzz.rs`), so that both
//! hunt for the same failures. Any failure is a panic.

use odata_v4_csdl::diag::DiagnosticKind;
use odata_v4_csdl::edmx::{self, canonical};
use odata_v4_csdl::ir::Model;
use odata_v4_csdl::summary::Summary;

/// What the reader made of an input that passed every check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// A model; its canonical form read back to the same summary.
    Model,
    /// Errors; the first one's kind.
    Rejected(DiagnosticKind),
    /// A model whose canonical form exceeds the reader's nesting limit. The
    /// writer may put an element up to two levels deeper than it was read
    /// (an external annotation moves inline below its target; an empty
    /// `PropertyValue` gains `<Null/>`), so only a document already within
    /// two levels of the limit gets here. Nothing else may fail to read back.
    CanonicalTooDeep,
}

/// Reads `bytes`; on success writes the canonical form, reads it again and
/// compares. Panics on any broken invariant (and, of course, on any panic in
/// the reader itself).
pub fn check(bytes: &[u8]) -> Outcome {
    let model = match edmx::read_bytes("fuzz.xml", bytes) {
        Ok(model) => model,
        Err(errors) => {
            let first = errors.first().expect("an error result carries at least one diagnostic");
            // Rendering walks the source map for every position.
            let _ = errors.to_string();
            return Outcome::Rejected(first.kind);
        }
    };
    for warning in &model.warnings {
        let _ = warning.to_string();
    }
    let written = canonical::write(&model);
    let reread = match edmx::read_str("canonical.xml", &written) {
        Ok(reread) => reread,
        Err(errors)
            if errors
                .iter()
                .all(|e| e.kind == DiagnosticKind::MalformedXml && e.message.contains("nested more than")) =>
        {
            return Outcome::CanonicalTooDeep;
        }
        Err(errors) => {
            panic!("the canonical form of a valid document does not read:\n{errors}\n--- canonical form ---\n{written}")
        }
    };
    let rewritten = canonical::write(&reread);
    assert!(
        rewritten == written,
        "canonical::write is not idempotent:\n--- first ---\n{written}\n--- second ---\n{rewritten}"
    );
    let expected = expected_after_rewrite(&model);
    let actual = Summary::of(&reread);
    assert!(
        actual == expected,
        "the canonical form reads back to another summary:\n{actual:#?}\nexpected:\n{expected:#?}"
    );
    Outcome::Model
}

/// The summary a canonical form reproduces: the writer sorts schemas by
/// namespace, drops unknown CSDL elements and writes leniently read values
/// as CSDL spells them (`Nullable="0"` becomes `false`), so the warnings
/// of both go too.
fn expected_after_rewrite(model: &Model) -> Summary {
    let mut summary = Summary::of(model);
    summary.schema_namespaces.sort();
    summary.warnings -= model
        .warnings
        .iter()
        .filter(|w| matches!(w.kind, DiagnosticKind::UnknownElement | DiagnosticKind::LenientValue))
        .count();
    summary
}
