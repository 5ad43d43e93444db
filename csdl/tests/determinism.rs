//! Determinism: the same document reads to equal models, the canonical writer
//! is idempotent, and the canonical form reads back to the same summary. Run
//! over every fixture and over the real BC v2.0 schema.

mod common;

use odata_v4_csdl::diag::DiagnosticKind;
use odata_v4_csdl::edmx::{self, canonical};
use odata_v4_csdl::ir::Model;
use odata_v4_csdl::summary::Summary;

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

fn check_round_trip(name: &str, text: &str) -> String {
    let model = common::read_ok(name, text);
    assert_eq!(common::read_ok(name, text), model, "{name}: reading twice gave different models");

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

#[test]
fn every_fixture_round_trips() {
    let fixtures = common::all_fixtures();
    assert!(fixtures.len() >= 4, "fixtures went missing: {:?}", fixtures.iter().map(|(n, _)| n).collect::<Vec<_>>());
    for (name, text) in fixtures {
        check_round_trip(&name, &text);
    }
}

#[test]
fn the_bc_schema_round_trips_to_the_committed_canonical_form() {
    let path = common::bc_metadata_path();
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let written = check_round_trip("bc-api-v2.0.xml", &text);
    // `cargo xtask import-metadata` writes exactly this text; if it differs, the
    // committed schema is stale or the canonical writer changed behaviour.
    let committed = std::fs::read_to_string(common::bc_canonical_path()).expect("the committed canonical schema");
    assert!(written == committed, "sdk/schemas/api/v2.0/metadata.xml is not the canonical form of the BC schema");
}

#[test]
fn the_committed_canonical_form_is_a_fixed_point() {
    let committed = std::fs::read_to_string(common::bc_canonical_path()).expect("the committed canonical schema");
    let written = check_round_trip("metadata.xml", &committed);
    assert!(written == committed, "the canonical form of the canonical form differs from it");
}

#[test]
fn the_bc_schema_and_its_canonical_form_have_the_same_summary() {
    let original = edmx::read_file(&common::bc_metadata_path()).expect("the BC schema reads");
    let canonical = edmx::read_file(&common::bc_canonical_path()).expect("the canonical schema reads");
    assert_eq!(Summary::of(&original), Summary::of(&canonical));
}

#[test]
fn schemas_are_written_sorted_and_unknown_elements_dropped() {
    // Pins down the two documented differences `expected_after_rewrite` allows.
    let model = common::read_fixture("multi_schema.xml");
    let doc = common::wrap("<Gadget/>\n<ComplexType Name=\"c\"/>\n");
    let with_unknown = common::read_ok("t.xml", &doc);
    assert_eq!(with_unknown.warnings.len(), 1);
    let reread = common::read_ok("canonical.xml", &canonical::write(&with_unknown));
    assert!(reread.warnings.is_empty());
    let written = canonical::write(&model);
    let order: Vec<usize> = ["Contoso.Billing", "Contoso.Common", "Contoso.Parties"]
        .iter()
        .map(|ns| written.find(&format!("<Schema Namespace=\"{ns}\"")).expect("each schema is written"))
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{order:?}");
}

#[test]
fn canonical_form_of_a_small_model() {
    // The exact text, so that any change to the canonical form is deliberate.
    let doc = common::wrap(
        r#"<EntityType Name="b"><Key><PropertyRef Name="id"/></Key><Property Name="id" Type="Edm.Int32" Nullable="false"/>
<Property Name="d" Type="Edm.Decimal" Scale="Variable"/><Property Name="s" Type="Edm.String" MaxLength="Max"/>
<Annotation Term="Org.OData.Core.V1.Description" String="two&#10;lines &amp; &quot;quotes&quot;"/></EntityType>
<EnumType Name="a"><Member Name="x"/><Member Name="y_x0020_z"/></EnumType>
<EntityContainer Name="c"><EntitySet Name="bs" EntityType="t.b"/></EntityContainer>
"#,
    );
    let model = common::read_ok("t.xml", &doc);
    let expected = r#"<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">
  <edmx:DataServices>
    <Schema Namespace="T" Alias="t" xmlns="http://docs.oasis-open.org/odata/ns/edm">
      <EnumType Name="a">
        <Member Name="x" Value="0"/>
        <Member Name="y_x0020_z" Value="1"/>
      </EnumType>
      <EntityType Name="b">
        <Key>
          <PropertyRef Name="id"/>
        </Key>
        <Property Name="id" Type="Edm.Int32" Nullable="false"/>
        <Property Name="d" Type="Edm.Decimal" Scale="variable"/>
        <Property Name="s" Type="Edm.String" MaxLength="max"/>
        <Annotation Term="Org.OData.Core.V1.Description" String="two&#10;lines &amp; &quot;quotes&quot;"/>
      </EntityType>
      <EntityContainer Name="c">
        <EntitySet Name="bs" EntityType="T.b"/>
      </EntityContainer>
    </Schema>
  </edmx:DataServices>
</edmx:Edmx>
"#;
    assert_eq!(canonical::write(&model), expected);
    let description = model.entity_types.values().next().and_then(|e| e.annotations.description().map(str::to_owned));
    assert_eq!(description.as_deref(), Some("two\nlines & \"quotes\""));
}
