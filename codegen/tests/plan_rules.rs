//! Decisions the plan makes on CSDL shapes BC's own schema does not have.

use odata_v4_codegen::Standard;
use odata_v4_codegen::emit::{self, ApiInput};
use odata_v4_codegen::facts::DocFacts;
use odata_v4_codegen::ir::Model;

fn model(namespace: &str, body: &str) -> Model {
    let doc = format!(
        r#"<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx"><edmx:DataServices>
<Schema Namespace="{namespace}" xmlns="http://docs.oasis-open.org/odata/ns/edm">{body}</Schema></edmx:DataServices></edmx:Edmx>"#
    );
    odata_v4_codegen::edmx::read_str("inline.xml", &doc).expect("the fixture reads")
}

fn plan(model: &Model) -> emit::ApiPlan {
    let docs = DocFacts::default();
    emit::plan(&ApiInput {
        route: "api/test/v1.0",
        model,
        documentation: &docs,
        source: "inline.xml",
        customization: &Standard,
    })
}

const WAREHOUSE: &str = r#"
<EntityType Name="bin"><Key><PropertyRef Name="code"/></Key>
  <Property Name="code" Type="Edm.String" Nullable="false" MaxLength="20"/>
  <Property Name="id" Type="Edm.Guid"/>
  <Property Name="zone" Type="Edm.String"/>
  <NavigationProperty Name="slots" Type="Collection(NAV.slot)" ContainsTarget="true"/>
  <Annotation Term="OData.Community.Keys.V1.AlternateKeys"><Collection>
    <Record><PropertyValue Property="Key"><Collection>
      <Record><PropertyValue Property="Alias" String="zone"/><PropertyValue Property="Name" PropertyPath="zone"/></Record>
      <Record><PropertyValue Property="Alias" String="shelf"/><PropertyValue Property="Name" PropertyPath="shelf"/></Record>
    </Collection></PropertyValue></Record>
    <Record><PropertyValue Property="Key"><Collection>
      <Record><PropertyValue Property="Alias" String="id"/><PropertyValue Property="Name" PropertyPath="id"/></Record>
    </Collection></PropertyValue></Record>
  </Collection></Annotation>
</EntityType>
<EntityType Name="slot"><Key><PropertyRef Name="id"/></Key>
  <Property Name="id" Type="Edm.Guid" Nullable="false"/>
  <Property Name="_x0020_" Type="Edm.String"/>
  <Property Name="ß" Type="Edm.Int32"/>
</EntityType>
<Function Name="binsIn"><Parameter Name="zones" Type="Collection(Edm.String)"/><ReturnType Type="Collection(NAV.bin)"/></Function>
<Function Name="binCount"><Parameter Name="zone" Type="Edm.String"/><ReturnType Type="Edm.Int32"/></Function>
<EntityContainer Name="NAV">
  <EntitySet Name="bins" EntityType="NAV.bin"/>
  <FunctionImport Name="binsIn" Function="NAV.binsIn"/>
  <FunctionImport Name="binCount" Function="NAV.binCount"/>
</EntityContainer>"#;

fn warehouse() -> Model {
    model("NAV", WAREHOUSE)
}

#[test]
fn an_alternate_key_with_an_unknown_part_is_left_out_whole() {
    let model = warehouse();
    let plan = plan(&model);
    let bin = plan.entities.iter().find(|e| e.qualified.name == "bin").expect("bin planned");
    let methods: Vec<&str> = bin.alternate_keys.iter().map(|k| k.method.as_str()).collect();
    // zone+shelf names a property `shelf` the type lacks: no one-part `by_zone` that would address the wrong thing.
    assert_eq!(methods, ["by_id"]);
}

#[test]
fn a_standard_service_takes_every_key_from_the_caller_unless_it_is_computed() {
    let model = warehouse();
    let plan = plan(&model);
    let bin = plan.entities.iter().find(|e| e.qualified.name == "bin").expect("bin planned");
    let code = bin.fields.iter().find(|f| f.wire == "code").expect("code field");
    assert!(code.settable_on_create && code.required_on_create, "a code key is the caller's: {code:?}");
    assert!(!code.settable_on_update, "keys never change");
    let slot = plan.entities.iter().find(|e| e.qualified.name == "slot").expect("slot planned");
    let id = slot.fields.iter().find(|f| f.wire == "id").expect("id field");
    assert!(id.settable_on_create, "nothing says the service assigns it: {id:?}");
}

#[test]
fn names_without_ascii_letters_still_get_identifiers() {
    let model = warehouse();
    let plan = plan(&model);
    let slot = plan.entities.iter().find(|e| e.qualified.name == "slot").expect("slot planned");
    let idents: Vec<(&str, &str)> = slot.fields.iter().map(|f| (f.ident.as_str(), f.marker.as_str())).collect();
    // `ß` upper-cases to `SS`; `_x0020_` has nothing to keep and becomes `value`/`Value`.
    assert_eq!(idents, [("id", "Id"), ("value", "Value"), ("value_value", "SS")]);
}

#[test]
fn a_type_without_an_entity_set_is_reached_through_its_navigation() {
    let model = warehouse();
    let plan = plan(&model);
    let bin = plan.entities.iter().find(|e| e.qualified.name == "bin").expect("bin planned");
    let slots = bin.navigations.iter().find(|n| n.wire == "slots").expect("the navigation is kept");
    assert_eq!(slots.target.set_marker, "SlotEntities");
    let slot = plan.entities.iter().find(|e| e.qualified.name == "slot").expect("slot planned");
    assert_eq!(slot.sets.len(), 1);
    assert!(slot.sets[0].synthetic);
}

#[test]
fn a_function_parameter_a_url_literal_cannot_hold_travels_as_a_parameter_alias() {
    let model = warehouse();
    let plan = plan(&model);
    let imports: Vec<(&str, Vec<bool>)> =
        plan.imports.iter().map(|i| (i.method.as_str(), i.parameters.iter().map(|p| p.alias).collect())).collect();
    assert_eq!(imports, [("bins_in", vec![true]), ("bin_count", vec![false])]);
    assert!(plan.warnings.is_empty(), "{:?}", plan.warnings);
}

#[test]
fn generated_code_for_these_shapes_parses_and_formats() {
    let model = warehouse();
    let docs = DocFacts::default();
    let input = ApiInput {
        route: "api/test/v1.0",
        model: &model,
        documentation: &docs,
        source: "inline.xml",
        customization: &Standard,
    };
    let files = emit::generate(&[input], "test", &mut |_, _| {}).expect("every file parses as Rust");
    let bin = files.iter().find(|f| f.path.ends_with("bin.rs")).expect("bin module");
    assert!(
        bin.contents.contains("pub fn new(code: impl Into<String>) -> Self"),
        "the code key is a constructor argument"
    );
}

#[test]
fn a_key_through_a_complex_property_is_not_addressed_by_a_partial_key_and_is_reported() {
    // CSDL's own example: a key part `Info/ID` with an alias, next to a plain part.
    let model = model(
        "org.example",
        r#"<ComplexType Name="EntityInfo"><Property Name="ID" Type="Edm.Int32" Nullable="false"/></ComplexType>
<EntityType Name="Category"><Key><PropertyRef Name="Region"/><PropertyRef Name="Info/ID" Alias="EntityInfoID"/></Key>
  <Property Name="Region" Type="Edm.String" Nullable="false"/>
  <Property Name="Info" Type="org.example.EntityInfo" Nullable="false"/>
</EntityType>
<EntityContainer Name="Demo"><EntitySet Name="Categories" EntityType="org.example.Category"/></EntityContainer>"#,
    );
    let plan = plan(&model);
    let category = plan.entities.iter().find(|e| e.qualified.name == "Category").expect("Category planned");
    // `Region` alone would address the wrong entity.
    assert!(category.key.is_empty(), "{:?}", category.key);
    assert_eq!(
        plan.warnings,
        [
            "`org.example.Category` is generated without access by key: its key `Region, Info/ID` goes through a complex property, which is not supported yet"
        ]
    );
}

#[test]
fn a_large_model_is_planned_in_model_order_with_its_warnings_in_that_order() {
    // Enough entity types that planning splits them between two threads;
    // every seventh one warns (a key through a complex property).
    let mut body = String::from(
        r#"<ComplexType Name="Info"><Property Name="ID" Type="Edm.Int32" Nullable="false"/></ComplexType>"#,
    );
    let names: Vec<String> = (0..150).map(|i| format!("T{i:03}")).collect();
    for (i, name) in names.iter().enumerate() {
        let key =
            if i % 7 == 0 { r#"<PropertyRef Name="Info/ID" Alias="InfoID"/>"# } else { r#"<PropertyRef Name="id"/>"# };
        body.push_str(&format!(
            r#"<EntityType Name="{name}"><Key>{key}</Key><Property Name="id" Type="Edm.Guid" Nullable="false"/><Property Name="Info" Type="org.example.Info" Nullable="false"/></EntityType>"#
        ));
    }
    let plan = plan(&model("org.example", &body));
    let planned: Vec<&str> = plan.entities.iter().map(|e| e.qualified.name.as_str()).collect();
    assert_eq!(planned, names);
    let expected: Vec<String> = names
        .iter()
        .step_by(7)
        .map(|name| {
            format!(
                "`org.example.{name}` is generated without access by key: its key `Info/ID` goes through a complex property, which is not supported yet"
            )
        })
        .collect();
    assert_eq!(plan.warnings, expected);
}
