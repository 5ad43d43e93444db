//! The determinism check every document goes through: read twice, write
//! twice, write what was read back, and compare the summaries. Shared with
//! `xtask/tests/bc_schema.rs` (through `#[path]`), which runs it on the BC
//! schema beside the repository.

use odata_v4_csdl::diag::DiagnosticKind;
use odata_v4_csdl::edmx::{self, canonical};
use odata_v4_csdl::ir::Model;
use odata_v4_csdl::summary::Summary;

fn read_ok(file: &str, text: &str) -> Model {
    edmx::read_str(file, text).unwrap_or_else(|e| panic!("{file} should read, but:\n{e}"))
}

/// The summary a canonical form must reproduce. Two differences are by
/// design of the canonical writer and are accounted for exactly: it writes
/// schemas sorted by namespace, and it drops unknown CSDL elements, so their
/// warnings do not come back.
fn expected_after_rewrite(model: &Model) -> Summary {
    let mut summary = Summary::of(model);
    summary.schema_namespaces.sort();
    summary.warnings -= model.warnings.iter().filter(|w| w.kind == DiagnosticKind::UnknownElement).count();
    summary
}

pub fn check_round_trip(name: &str, text: &str) -> String {
    let model = read_ok(name, text);
    assert_eq!(read_ok(name, text), model, "{name}: reading twice gave different models");

    let written = canonical::write(&model);
    assert_eq!(canonical::write(&model), written, "{name}: writing twice gave different text");
    let reread = edmx::read_str("canonical.xml", &written)
        .unwrap_or_else(|e| panic!("{name}: the canonical form does not read:\n{e}"));
    let rewritten = canonical::write(&reread);
    assert_eq!(rewritten, written, "{name}: write(read(write(read(x)))) differs from write(read(x))");
    assert_eq!(
        Summary::of(&reread),
        expected_after_rewrite(&model),
        "{name}: the canonical form reads back to another summary"
    );
    written
}
