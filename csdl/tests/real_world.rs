//! What real services publish that CSDL does not quite allow, or that the
//! reader once refused: sloppy booleans, entity types without a key, an
//! operation named like a type, annotation targets through complex
//! properties, types from referenced documents, and OData v2/v3 documents.

mod common;

use common::{Found, at, errors_of, fixtures_dir, qn, wrap};
use odata_v4_csdl::diag::DiagnosticKind::*;
use odata_v4_csdl::diag::Severity;
use odata_v4_csdl::edmx::{self, DocumentLoader, LoadError, LoadedDocument, canonical};

fn warnings(model: &odata_v4_csdl::ir::Model) -> Vec<Found> {
    assert!(model.warnings.iter().all(|w| w.severity == Severity::Warning));
    model.warnings.iter().map(Found::of).collect()
}

// ---------------------------------------------------------------- lenient values

#[test]
fn capitalised_and_numeric_booleans_are_read_with_a_warning() {
    let doc = wrap(concat!(
        "<EntityType Name=\"e\" Abstract=\"FALSE\"><Key><PropertyRef Name=\"id\"/></Key>\n",
        "<Property Name=\"id\" Type=\"Edm.Int32\" Nullable=\"False\"/></EntityType>\n",
        "<Action Name=\"a\" IsBound=\"True\"><Parameter Name=\"it\" Type=\"T.e\" Nullable=\"0\"/></Action>\n",
    ));
    let model = common::read_ok("t.xml", &doc);
    assert_eq!(
        warnings(&model),
        [
            at(LenientValue, 5, 1, "Schema[T]/EntityType[e]"),
            at(LenientValue, 6, 1, "Schema[T]/EntityType[e]/Property[id]"),
            at(LenientValue, 7, 1, "Schema[T]/Action[a]"),
            at(LenientValue, 7, 33, "Schema[T]/Action[a]/Parameter[it]"),
        ]
    );
    assert_eq!(model.warnings[2].message, "`IsBound` must be written `true`, not `True`; it is read as `true`");
    let entity = &model.entity_types[&qn("T.e")];
    assert!(!entity.is_abstract);
    assert_eq!(entity.properties[0].facets.nullable, Some(false));
    assert!(model.operations[0].is_bound, "the action is bound");
    assert_eq!(model.operations[0].parameters[0].facets.nullable, Some(false));
}

#[test]
fn a_boolean_whose_meaning_is_not_plain_stays_an_error() {
    for text in ["yes", "on", "2", "tru"] {
        let doc = wrap(&format!("<Action Name=\"a\" IsBound=\"{text}\"/>\n"));
        let errors = errors_of(&doc);
        assert_eq!(errors.0[0].kind, InvalidAttribute, "{text}: {errors}");
        assert!(errors.0[0].message.contains(&format!("not `{text}`")), "{errors}");
    }
}

#[test]
fn an_odata_v2_document_is_named_as_such() {
    let doc = r#"<edmx:Edmx Version="1.0" xmlns:edmx="http://schemas.microsoft.com/ado/2007/06/edmx">
<edmx:DataServices m:DataServiceVersion="2.0" xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata"/>
</edmx:Edmx>"#;
    let errors = errors_of(doc);
    assert_eq!(errors.iter().map(Found::of).collect::<Vec<_>>(), [at(NotEdmx, 1, 1, "Edmx")]);
    assert!(errors.0[0].message.starts_with("this is an OData v2/v3 document"), "{errors}");
    assert!(errors.0[0].message.contains("only OData v4"), "{errors}");
}

// ---------------------------------------------------------------- keys

#[test]
fn an_entity_type_without_a_key_is_read_with_a_warning() {
    let doc = wrap(concat!(
        "<EntityType Name=\"admin\">\n<Property Name=\"motd\" Type=\"Edm.String\"/>\n",
        "<NavigationProperty Name=\"people\" Type=\"Collection(T.person)\" ContainsTarget=\"true\"/></EntityType>\n",
        "<EntityType Name=\"person\"><Key><PropertyRef Name=\"id\"/></Key><Property Name=\"id\" Type=\"Edm.Int32\" Nullable=\"false\"/></EntityType>\n",
        "<EntityContainer Name=\"C\"><Singleton Name=\"admin\" Type=\"T.admin\"/></EntityContainer>\n",
    ));
    let model = common::read_ok("t.xml", &doc);
    assert_eq!(warnings(&model), [at(MissingKey, 5, 1, "Schema[T]/EntityType[admin]")]);
    assert!(model.warnings[0].message.contains("cannot be addressed by key"), "{}", model.warnings[0]);
    let admin = &model.entity_types[&qn("T.admin")];
    assert!(model.key_of(admin).is_none());
    assert_eq!(model.singletons()[0].ty, qn("T.admin"));
    // A derived type without a key of its own warns too, once.
    let doc = wrap("<EntityType Name=\"base\" Abstract=\"true\"/>\n<EntityType Name=\"e\" BaseType=\"T.base\"/>\n");
    let model = common::read_ok("t.xml", &doc);
    assert_eq!(warnings(&model), [at(MissingKey, 6, 1, "Schema[T]/EntityType[e]")]);
}

// ---------------------------------------------------------------- symbol spaces

#[test]
fn operations_and_types_have_separate_names() {
    let doc = wrap(concat!(
        "<ComplexType Name=\"image\"><Property Name=\"height\" Type=\"Edm.Int32\"/></ComplexType>\n",
        "<Function Name=\"image\"><Parameter Name=\"size\" Type=\"Edm.String\"/><ReturnType Type=\"T.image\"/></Function>\n",
        "<Annotations Target=\"T.image(Edm.String)\"><Annotation Term=\"Org.OData.Core.V1.Description\" String=\"the function\"/></Annotations>\n",
        "<Annotations Target=\"T.image\"><Annotation Term=\"Org.OData.Core.V1.Description\" String=\"the type\"/></Annotations>\n",
    ));
    let model = common::read_ok("t.xml", &doc);
    assert!(model.warnings.is_empty(), "{:?}", model.warnings);
    assert_eq!(model.complex_types[&qn("T.image")].annotations.description(), Some("the type"));
    let function = &model.operations[0];
    assert_eq!(function.name, qn("T.image"));
    assert_eq!(function.annotations.description(), Some("the function"));
    assert_eq!(function.return_type.as_ref().map(|r| r.ty.csdl_name()).as_deref(), Some("T.image"));
}

// ---------------------------------------------------------------- annotation paths

const ORDER_WITH_ADDRESS: &str = concat!(
    "<ComplexType Name=\"control\"><Property Name=\"updatable\" Type=\"Edm.Boolean\"/></ComplexType>\n",
    "<ComplexType Name=\"address\"><Property Name=\"street\" Type=\"Edm.String\"/></ComplexType>\n",
    "<ComplexType Name=\"postalAddress\" BaseType=\"T.address\"><Property Name=\"box\" Type=\"Edm.String\"/></ComplexType>\n",
    "<EntityType Name=\"order\"><Key><PropertyRef Name=\"id\"/></Key><Property Name=\"id\" Type=\"Edm.Int32\" Nullable=\"false\"/>\n",
    "<Property Name=\"__EntityControl\" Type=\"T.control\"/><Property Name=\"shipTo\" Type=\"Collection(T.address)\"/></EntityType>\n",
    "<EntityContainer Name=\"C\"><EntitySet Name=\"orders\" EntityType=\"T.order\"/></EntityContainer>\n",
);

#[test]
fn targets_through_complex_properties_match_and_are_kept_with_their_path() {
    let label = "<Annotation Term=\"com.sap.vocabularies.Common.v1.Label\" String=\"x\"/>";
    let doc = wrap(&format!(
        "{ORDER_WITH_ADDRESS}<Annotations Target=\"t.order/__EntityControl/updatable\">{label}</Annotations>\n\
         <Annotations Target=\"T.order/shipTo/T.postalAddress/box\">{label}</Annotations>\n\
         <Annotations Target=\"T.C/orders/shipTo/street\">{label}</Annotations>\n\
         <Annotations Target=\"T.order/__EntityControl/deletable\">{label}</Annotations>\n"
    ));
    let model = common::read_ok("t.xml", &doc);
    // Only the path that names no property is unmatched.
    assert_eq!(
        warnings(&model),
        [at(UnmatchedAnnotationTarget, 14, 1, "Schema[T]/Annotations[T.order/__EntityControl/deletable]")]
    );
    let targets: Vec<&str> = model.path_annotations.iter().map(|p| p.target.as_str()).collect();
    assert_eq!(
        targets,
        ["t.order/__EntityControl/updatable", "T.order/shipTo/T.postalAddress/box", "T.C/orders/shipTo/street"]
    );
    // Nothing moved onto the complex types, which other properties may use too.
    assert!(model.complex_types[&qn("T.control")].properties[0].annotations.is_empty());
    // The canonical form keeps them, and reading it again warns about the same one only.
    let reread = edmx::read_str("canonical.xml", &canonical::write(&model)).expect("the canonical form reads");
    assert_eq!(reread.path_annotations.len(), 3);
    assert_eq!(reread.warnings.len(), 1);
}

// ---------------------------------------------------------------- references

fn references_dir() -> std::path::PathBuf {
    fixtures_dir().join("references")
}

#[test]
fn types_from_referenced_documents_are_read_next_to_the_document() {
    let model = edmx::read_file(&references_dir().join("fleet.xml")).unwrap_or_else(|e| panic!("{e}"));
    assert!(model.warnings.is_empty(), "{:?}", model.warnings);
    let truck = &model.entity_types[&qn("Contoso.Fleet.truck")];
    assert_eq!(truck.properties[1].ty.csdl_name(), "Contoso.GPS.fix");
    // GPS.xml reads units/Units.xml relative to itself, with its own alias `U`.
    let fix = &model.complex_types[&qn("Contoso.GPS.fix")];
    assert_eq!(fix.properties[2].ty.csdl_name(), "Contoso.Units.distance");
    assert!(model.enum_types.contains_key(&qn("Contoso.Units.lengthUnit")));
    let sources: Vec<(&str, Option<String>)> = model
        .schemas
        .iter()
        .map(|s| {
            (
                s.namespace.as_str(),
                s.source.as_deref().map(|p| p.replace('\\', "/").rsplit('/').take(2).collect::<Vec<_>>().join("<")),
            )
        })
        .collect();
    assert_eq!(
        sources,
        [
            ("Contoso.Fleet", None),
            ("Contoso.GPS", Some("GPS.xml<references".to_owned())),
            ("Contoso.Units", Some("Units.xml<units".to_owned()))
        ]
    );
    // The canonical form is the main document's alone: its references stay references.
    let written = canonical::write(&model);
    assert!(!written.contains("Namespace=\"Contoso.GPS\" xmlns"), "{written}");
    assert!(written.contains("<edmx:Reference Uri=\"GPS.xml\">"), "{written}");
}

#[test]
fn a_missing_referenced_document_is_named_in_the_error() {
    let errors = edmx::read_file(&references_dir().join("missing.xml")).expect_err("Nowhere.xml does not exist");
    let first = &errors.0[0];
    assert_eq!(Found::of(first), at(UnreadableReference, 4, 5, "Reference[Nowhere.xml]/Include[Contoso.Nowhere]"));
    assert!(
        first.message.starts_with(
            "cannot read `Nowhere.xml`, which `edmx:Reference` names for namespace `Contoso.Nowhere` (the model uses `Contoso.Nowhere.place`): "
        ),
        "{first}"
    );
    assert!(first.message.contains("Nowhere.xml"), "{first}");
    assert!(first.location.file.ends_with("missing.xml"), "{first}");
}

#[test]
fn a_referenced_url_is_not_fetched_for_a_file() {
    let errors = edmx::read_file(&references_dir().join("remote.xml")).expect_err("files do not fetch URLs");
    assert_eq!(errors.0[0].kind, UnreadableReference);
    assert!(errors.0[0].message.contains("`https://example.com/odata/Shared.xml` is a URL"), "{errors}");
    // Text given on its own has nowhere to read references from.
    let text = std::fs::read_to_string(references_dir().join("fleet.xml")).expect("fixture");
    let errors = edmx::read_str("fleet.xml", &text).expect_err("no location");
    assert!(errors.0[0].message.contains("the document was given as text"), "{errors}");
}

#[test]
fn errors_inside_a_referenced_document_name_that_document() {
    let errors = edmx::read_file(&references_dir().join("broken.xml")).expect_err("Bad.xml is broken");
    let found: Vec<Found> = errors.iter().map(Found::of).collect();
    assert_eq!(found, [at(UnknownType, 6, 9, "Schema[Contoso.Bad]/ComplexType[part]/Property[size]")], "{errors}");
    assert!(errors.0[0].location.file.ends_with("Bad.xml"), "{errors}");
}

/// A loader that serves documents from memory, as one fetching URLs would.
struct InMemory(Vec<(&'static str, &'static str)>, Vec<String>);

impl DocumentLoader for InMemory {
    fn load(&mut self, base: &str, uri: &str) -> Result<LoadedDocument, LoadError> {
        let location = match uri.split_once("://") {
            Some(_) => uri.to_owned(),
            None => format!("{}/{uri}", base.rsplit_once('/').map_or("", |(dir, _)| dir)),
        };
        self.1.push(location.clone());
        let text = self.0.iter().find(|(url, _)| *url == location).map(|(_, text)| *text);
        text.map(|text| LoadedDocument { location, bytes: text.as_bytes().to_vec() })
            .ok_or_else(|| LoadError::other("404"))
    }
}

#[test]
fn a_loader_decides_where_documents_come_from_and_each_is_read_once() {
    let units = std::fs::read_to_string(references_dir().join("units/Units.xml")).expect("fixture");
    let units: &'static str = Box::leak(units.into_boxed_str());
    let shared = r#"<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">
  <edmx:Reference Uri="units/Units.xml"><edmx:Include Namespace="Contoso.Units"/></edmx:Reference>
  <edmx:DataServices><Schema Namespace="Contoso.Shared" xmlns="http://docs.oasis-open.org/odata/ns/edm">
    <ComplexType Name="part"><Property Name="length" Type="Contoso.Units.distance"/></ComplexType>
  </Schema></edmx:DataServices></edmx:Edmx>"#;
    let mut loader = InMemory(
        vec![("https://example.com/odata/Shared.xml", shared), ("https://example.com/odata/units/Units.xml", units)],
        Vec::new(),
    );
    let main = std::fs::read_to_string(references_dir().join("remote.xml")).expect("fixture");
    let model =
        edmx::read_with("https://example.com/svc/$metadata", &main, &mut loader).unwrap_or_else(|e| panic!("{e}"));
    assert!(model.complex_types.contains_key(&qn("Contoso.Units.distance")));
    assert_eq!(loader.1, ["https://example.com/odata/Shared.xml", "https://example.com/odata/units/Units.xml"]);
}

#[test]
fn an_action_target_may_list_every_parameter_type() {
    // CSDL names an action overload by its binding type only; Microsoft
    // Graph lists all parameter types, with spaces.
    let doc = wrap(concat!(
        "<EntityType Name=\"e\"><Key><PropertyRef Name=\"id\"/></Key><Property Name=\"id\" Type=\"Edm.Int32\" Nullable=\"false\"/></EntityType>\n",
        "<Action Name=\"grant\" IsBound=\"true\"><Parameter Name=\"it\" Type=\"T.e\"/><Parameter Name=\"role\" Type=\"Edm.String\"/></Action>\n",
        "<Annotations Target=\"T.grant(T.e, Edm.String)\"><Annotation Term=\"Org.OData.Core.V1.Description\" String=\"all\"/></Annotations>\n",
        "<Annotations Target=\"T.grant(T.e)/role\"><Annotation Term=\"Org.OData.Core.V1.Description\" String=\"binding\"/></Annotations>\n",
    ));
    let model = common::read_ok("t.xml", &doc);
    assert!(model.warnings.is_empty(), "{:?}", model.warnings);
    assert_eq!(model.operations[0].annotations.description(), Some("all"));
    assert_eq!(model.operations[0].parameters[1].annotations.description(), Some("binding"));
}
