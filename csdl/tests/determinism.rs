//! Determinism: the same document reads to equal models, the canonical writer
//! is idempotent, and the canonical form reads back to the same summary. Run
//! over every fixture and over the committed canonical BC v2.0 schema; the
//! BC schema as downloaded (beside the repository, in `../shared/`) is run
//! through the same checks by `xtask/tests/bc_schema.rs`.

mod common;

use common::round_trip::check_round_trip;
use odata_v4_csdl::edmx::canonical;

#[test]
fn every_fixture_round_trips() {
    let fixtures = common::all_fixtures();
    assert!(fixtures.len() >= 4, "fixtures went missing: {:?}", fixtures.iter().map(|(n, _)| n).collect::<Vec<_>>());
    for (name, text) in fixtures {
        check_round_trip(&name, &text);
    }
}

#[test]
fn the_committed_canonical_form_is_a_fixed_point() {
    let committed = std::fs::read_to_string(common::bc_canonical_path()).expect("the committed canonical schema");
    let written = check_round_trip("metadata.xml", &committed);
    assert!(written == committed, "the canonical form of the canonical form differs from it");
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
