//! Each CSDL construct read into the model: `fixtures/model.xml` (one schema
//! with everything structural), `fixtures/multi_schema.xml` (aliases across
//! schemas and references) and `fixtures/v401.xml` (an OData 4.01 document).

mod common;

use common::{qn, read_fixture, read_ok, wrap};
use odata_v4_csdl::ir::*;

fn primitive(p: Primitive) -> TypeRef {
    TypeRef { target: TypeTarget::Primitive(p), collection: false }
}

fn property<'m>(properties: &'m [Property], name: &str) -> &'m Property {
    properties.iter().find(|p| p.name == name).unwrap_or_else(|| panic!("no property `{name}`"))
}

fn navigation<'m>(navigation: &'m [NavigationProperty], name: &str) -> &'m NavigationProperty {
    navigation.iter().find(|n| n.name == name).unwrap_or_else(|| panic!("no navigation property `{name}`"))
}

#[test]
fn envelope_version_references_and_schema() {
    let model = read_fixture("model.xml");
    assert_eq!(model.version, "4.0");
    assert!(model.warnings.is_empty(), "{:?}", model.warnings);
    assert_eq!(model.references.len(), 2);
    let core = &model.references[0];
    assert_eq!(core.uri, "https://oasis-tcs.github.io/odata-vocabularies/vocabularies/Org.OData.Core.V1.xml");
    assert_eq!(core.includes.len(), 1);
    assert_eq!(core.includes[0].namespace, "Org.OData.Core.V1");
    assert_eq!(core.includes[0].alias.as_deref(), Some("Core"));
    let capabilities = &model.references[1];
    assert_eq!(
        capabilities.include_annotations,
        vec![IncludeAnnotations {
            term_namespace: "Org.OData.Capabilities.V1".into(),
            qualifier: Some("Tablet".into()),
            target_namespace: Some("Contoso.Sales".into()),
        }]
    );
    assert_eq!(model.schemas.len(), 1);
    assert_eq!(model.schemas[0].namespace, "Contoso.Sales");
    assert_eq!(model.schemas[0].alias.as_deref(), Some("Sales"));
    assert_eq!(model.schemas[0].origin.path, "Schema[Contoso.Sales]");
}

#[test]
fn enum_types_with_implicit_explicit_and_encoded_members() {
    let model = read_fixture("model.xml");
    let document_type = &model.enum_types[&qn("Contoso.Sales.documentType")];
    assert_eq!(document_type.underlying_type, None);
    assert!(!document_type.is_flags);
    let members: Vec<(&str, i64, bool)> =
        document_type.members.iter().map(|m| (m.name.as_str(), m.value, m.value_written)).collect();
    assert_eq!(
        members,
        vec![
            ("Quote", 0, false),
            ("Order", 1, false),
            ("Credit_x0020_Memo", 5, true),
            ("_x0020_", 10, true),
            // An implicit value continues from the previous member.
            ("Invoice", 11, false),
        ]
    );
    let display: Vec<String> = document_type.members.iter().map(|m| m.display_name().into_owned()).collect();
    assert_eq!(display, vec!["Quote", "Order", "Credit Memo", " ", "Invoice"]);
    assert_eq!(
        document_type.members[2].origin.path,
        "Schema[Contoso.Sales]/EnumType[documentType]/Member[Credit_x0020_Memo]"
    );

    let access = &model.enum_types[&qn("Contoso.Sales.access")];
    assert_eq!(access.underlying_type, Some(Primitive::Byte));
    assert!(access.is_flags);
    assert_eq!(access.members.iter().map(|m| m.value).collect::<Vec<_>>(), vec![0, 1, 2, 3]);

    let bounds = &model.enum_types[&qn("Contoso.Sales.bounds")];
    assert_eq!(bounds.underlying_type, Some(Primitive::Int64));
    assert_eq!(bounds.members.iter().map(|m| m.value).collect::<Vec<_>>(), vec![i64::MIN, i64::MAX]);
}

#[test]
fn every_underlying_type_of_an_enum_is_accepted() {
    for (name, primitive) in [
        ("Edm.Byte", Primitive::Byte),
        ("Edm.SByte", Primitive::SByte),
        ("Edm.Int16", Primitive::Int16),
        ("Edm.Int32", Primitive::Int32),
        ("Edm.Int64", Primitive::Int64),
    ] {
        let doc = wrap(&format!(
            "<EnumType Name=\"e\" UnderlyingType=\"{name}\"><Member Name=\"a\" Value=\"-0\"/></EnumType>\n"
        ));
        let model = read_ok(name, &doc);
        assert_eq!(model.enum_types[&qn("T.e")].underlying_type, Some(primitive), "{name}");
    }
}

#[test]
fn type_definitions_and_terms() {
    let model = read_fixture("model.xml");
    let amount = &model.type_definitions[&qn("Contoso.Sales.amount")];
    assert_eq!(amount.underlying_type, Primitive::Decimal);
    assert_eq!(amount.facets.precision, Some(18));
    assert_eq!(amount.facets.scale, Some(Scale::Value(4)));
    assert_eq!(amount.annotations.description(), Some("Money in the company's currency"));

    let audited = &model.terms[&qn("Contoso.Sales.audited")];
    assert_eq!(audited.ty, primitive(Primitive::Boolean));
    assert_eq!(audited.applies_to.as_deref(), Some("EntityType Property"));
    assert_eq!(audited.facets.default_value.as_deref(), Some("true"));
    assert_eq!(audited.base_term, None);

    let searchable = &model.terms[&qn("Contoso.Sales.searchable")];
    assert_eq!(searchable.ty, TypeRef { target: TypeTarget::Primitive(Primitive::PropertyPath), collection: true });
    // The base term was written with the vocabulary's alias.
    assert_eq!(searchable.base_term, Some(qn("Org.OData.Core.V1.Description")));
    assert_eq!(searchable.facets.nullable, Some(false));

    assert_eq!(model.terms[&qn("Contoso.Sales.anyValue")].ty, primitive(Primitive::PrimitiveType));
}

#[test]
fn complex_types_with_base_type_open_and_abstract() {
    let model = read_fixture("model.xml");
    let address = &model.complex_types[&qn("Contoso.Sales.address")];
    assert_eq!(address.base_type, None);
    assert!(!address.is_abstract && !address.open_type);
    let city = property(&address.properties, "city");
    assert_eq!(city.facets.nullable, Some(false));
    assert_eq!(city.facets.max_length, Some(MaxLength::Length(30)));

    let geo = &model.complex_types[&qn("Contoso.Sales.geoAddress")];
    assert_eq!(geo.base_type, Some(qn("Contoso.Sales.address")));
    assert!(geo.open_type);
    let location = property(&geo.properties, "location");
    assert_eq!(location.ty, primitive(Primitive::Geography(Shape::Point)));
    assert_eq!(location.facets.srid.as_deref(), Some("4326"));

    let shape = &model.complex_types[&qn("Contoso.Sales.shape")];
    assert!(shape.is_abstract);
    assert!(shape.properties.is_empty());
}

#[test]
fn entity_types_keys_inheritance_and_flags() {
    let model = read_fixture("model.xml");
    let entity = &model.entity_types[&qn("Contoso.Sales.entity")];
    assert!(entity.is_abstract);
    let key_names = |e: &EntityType| -> Vec<(String, Option<String>)> {
        model.key_of(e).unwrap_or_default().iter().map(|k| (k.name.clone(), k.alias.clone())).collect()
    };
    assert_eq!(key_names(entity), vec![("id".to_owned(), None)]);
    assert_eq!(
        entity.key.as_ref().map(|k| k[0].origin.path.as_str()),
        Some("Schema[Contoso.Sales]/EntityType[entity]/Key/PropertyRef[id]")
    );

    // `customer` declares no key: it inherits `id`, and `id` and `lastModified` as properties.
    let customer = &model.entity_types[&qn("Contoso.Sales.customer")];
    assert_eq!(customer.base_type, Some(qn("Contoso.Sales.entity")));
    assert!(customer.open_type && !customer.is_abstract && !customer.has_stream);
    assert_eq!(customer.key, None);
    assert_eq!(key_names(customer), vec![("id".to_owned(), None)]);
    let all: Vec<&str> = model.all_properties(customer).iter().map(|p| p.name.as_str()).collect();
    assert_eq!(all, vec!["id", "lastModified", "name", "address"]);
    assert_eq!(customer.properties.len(), 2);
    assert_eq!(
        property(&customer.properties, "address").ty.target,
        TypeTarget::Complex(qn("Contoso.Sales.geoAddress"))
    );

    // A base type written with the full namespace resolves to the same type.
    let order = &model.entity_types[&qn("Contoso.Sales.order")];
    assert_eq!(order.base_type, Some(qn("Contoso.Sales.entity")));

    let line = &model.entity_types[&qn("Contoso.Sales.orderLine")];
    assert_eq!(key_names(line), vec![("documentId".to_owned(), None), ("lineNumber".to_owned(), None)]);

    let store = &model.entity_types[&qn("Contoso.Sales.store")];
    assert_eq!(
        key_names(store),
        vec![("address/city".to_owned(), Some("city".to_owned())), ("number".to_owned(), None)]
    );

    let picture = &model.entity_types[&qn("Contoso.Sales.picture")];
    assert!(picture.has_stream);
    assert_eq!(property(&picture.properties, "content").ty, primitive(Primitive::Stream));
    assert_eq!(entity.origin.path, "Schema[Contoso.Sales]/EntityType[entity]");
}

#[test]
fn every_primitive_type_and_collections() {
    let model = read_fixture("model.xml");
    let all_types = &model.entity_types[&qn("Contoso.Sales.allTypes")];
    let expected: Vec<(&str, TypeTarget, bool)> = vec![
        ("binary", TypeTarget::Primitive(Primitive::Binary), false),
        ("boolean", TypeTarget::Primitive(Primitive::Boolean), false),
        ("byte", TypeTarget::Primitive(Primitive::Byte), false),
        ("date", TypeTarget::Primitive(Primitive::Date), false),
        ("dateTimeOffset", TypeTarget::Primitive(Primitive::DateTimeOffset), false),
        ("decimal", TypeTarget::Primitive(Primitive::Decimal), false),
        ("decimalVariable", TypeTarget::Primitive(Primitive::Decimal), false),
        ("decimalFloating", TypeTarget::Primitive(Primitive::Decimal), false),
        ("double", TypeTarget::Primitive(Primitive::Double), false),
        ("duration", TypeTarget::Primitive(Primitive::Duration), false),
        ("guid", TypeTarget::Primitive(Primitive::Guid), false),
        ("int16", TypeTarget::Primitive(Primitive::Int16), false),
        ("int32", TypeTarget::Primitive(Primitive::Int32), false),
        ("int64", TypeTarget::Primitive(Primitive::Int64), false),
        ("sByte", TypeTarget::Primitive(Primitive::SByte), false),
        ("single", TypeTarget::Primitive(Primitive::Single), false),
        ("stream", TypeTarget::Primitive(Primitive::Stream), false),
        ("string", TypeTarget::Primitive(Primitive::String), false),
        ("timeOfDay", TypeTarget::Primitive(Primitive::TimeOfDay), false),
        ("geography", TypeTarget::Primitive(Primitive::Geography(Shape::Any)), false),
        ("geographyPoint", TypeTarget::Primitive(Primitive::Geography(Shape::Point)), false),
        ("geographyLineString", TypeTarget::Primitive(Primitive::Geography(Shape::LineString)), false),
        ("geographyPolygon", TypeTarget::Primitive(Primitive::Geography(Shape::Polygon)), false),
        ("geographyMultiPoint", TypeTarget::Primitive(Primitive::Geography(Shape::MultiPoint)), false),
        ("geographyMultiLineString", TypeTarget::Primitive(Primitive::Geography(Shape::MultiLineString)), false),
        ("geographyMultiPolygon", TypeTarget::Primitive(Primitive::Geography(Shape::MultiPolygon)), false),
        ("geographyCollection", TypeTarget::Primitive(Primitive::Geography(Shape::Collection)), false),
        ("geometry", TypeTarget::Primitive(Primitive::Geometry(Shape::Any)), false),
        ("geometryPoint", TypeTarget::Primitive(Primitive::Geometry(Shape::Point)), false),
        ("geometryLineString", TypeTarget::Primitive(Primitive::Geometry(Shape::LineString)), false),
        ("geometryPolygon", TypeTarget::Primitive(Primitive::Geometry(Shape::Polygon)), false),
        ("geometryMultiPoint", TypeTarget::Primitive(Primitive::Geometry(Shape::MultiPoint)), false),
        ("geometryMultiLineString", TypeTarget::Primitive(Primitive::Geometry(Shape::MultiLineString)), false),
        ("geometryMultiPolygon", TypeTarget::Primitive(Primitive::Geometry(Shape::MultiPolygon)), false),
        ("geometryCollection", TypeTarget::Primitive(Primitive::Geometry(Shape::Collection)), false),
        ("untyped", TypeTarget::Primitive(Primitive::Untyped), false),
        ("strings", TypeTarget::Primitive(Primitive::String), true),
        ("addresses", TypeTarget::Complex(qn("Contoso.Sales.address")), true),
        ("documentTypes", TypeTarget::Enum(qn("Contoso.Sales.documentType")), true),
        ("amounts", TypeTarget::TypeDefinition(qn("Contoso.Sales.amount")), true),
    ];
    let actual: Vec<(&str, TypeTarget, bool)> =
        all_types.properties.iter().map(|p| (p.name.as_str(), p.ty.target.clone(), p.ty.collection)).collect();
    assert_eq!(actual, expected);
    // Each type writes back under its CSDL name.
    for (property, written) in [
        ("geographyMultiLineString", "Edm.GeographyMultiLineString"),
        ("geometry", "Edm.Geometry"),
        ("stream", "Edm.Stream"),
        ("untyped", "Edm.Untyped"),
        ("strings", "Collection(Edm.String)"),
        ("amounts", "Collection(Contoso.Sales.amount)"),
    ] {
        assert_eq!(self::property(&all_types.properties, property).ty.csdl_name(), written);
    }
}

#[test]
fn facets() {
    let model = read_fixture("model.xml");
    let all_types = &model.entity_types[&qn("Contoso.Sales.allTypes")];
    let facets = |name: &str| property(&all_types.properties, name).facets.clone();
    assert_eq!(facets("binary").max_length, Some(MaxLength::Max));
    // `max` is matched without regard to case.
    assert_eq!(facets("string").max_length, Some(MaxLength::Max));
    assert_eq!(facets("string").unicode, Some(false));
    assert_eq!(facets("string").default_value.as_deref(), Some("a \"quoted\" & escaped <value>"));
    assert_eq!(facets("boolean").default_value.as_deref(), Some("false"));
    assert_eq!(facets("dateTimeOffset").precision, Some(7));
    assert_eq!((facets("decimal").precision, facets("decimal").scale), (Some(38), Some(Scale::Value(10))));
    assert_eq!(facets("decimalVariable").scale, Some(Scale::Variable));
    assert_eq!(facets("decimalFloating").scale, Some(Scale::Floating));
    assert_eq!(facets("geography").srid.as_deref(), Some("variable"));
    assert_eq!(facets("geometry").srid.as_deref(), Some("0"));
    assert_eq!(facets("int32").nullable, Some(false));
    assert!(!facets("int32").is_nullable());
    // Nothing written: every facet is absent and the property is nullable.
    assert_eq!(facets("guid"), Facets::default());
    assert!(facets("guid").is_nullable());

    let line = &model.entity_types[&qn("Contoso.Sales.orderLine")];
    // BC writes `Variable` with a capital letter.
    assert_eq!(property(&line.properties, "quantity").facets.scale, Some(Scale::Variable));
    assert_eq!(property(&line.properties, "quantity").facets.precision, Some(12));
}

#[test]
fn navigation_properties() {
    let model = read_fixture("model.xml");
    let customer = &model.entity_types[&qn("Contoso.Sales.customer")];
    let orders = navigation(&customer.navigation_properties, "orders");
    assert_eq!(orders.ty, TypeRef { target: TypeTarget::Entity(qn("Contoso.Sales.order")), collection: true });
    assert_eq!(orders.partner.as_deref(), Some("customer"));
    assert!(!orders.contains_target);
    assert_eq!(orders.nullable, None);

    let picture = navigation(&customer.navigation_properties, "picture");
    assert_eq!(picture.ty, TypeRef { target: TypeTarget::Entity(qn("Contoso.Sales.picture")), collection: false });
    assert!(picture.contains_target);
    assert_eq!(picture.nullable, Some(false));

    let order = &model.entity_types[&qn("Contoso.Sales.order")];
    let to_customer = navigation(&order.navigation_properties, "customer");
    assert_eq!(to_customer.partner.as_deref(), Some("orders"));
    assert_eq!(to_customer.on_delete.as_deref(), Some("Cascade"));
    assert_eq!(to_customer.referential_constraints.len(), 1);
    assert_eq!(to_customer.referential_constraints[0].property, "customerId");
    assert_eq!(to_customer.referential_constraints[0].referenced_property, "id");
    let lines = navigation(&order.navigation_properties, "lines");
    assert!(lines.contains_target && lines.ty.collection);
    assert_eq!(lines.origin.path, "Schema[Contoso.Sales]/EntityType[order]/NavigationProperty[lines]");

    let all: Vec<&str> = model.all_navigation_properties(customer).iter().map(|n| n.name.as_str()).collect();
    assert_eq!(all, vec!["orders", "picture"]);
}

#[test]
fn actions_and_functions_with_overloads() {
    let model = read_fixture("model.xml");
    // Sorted by name, then binding type, then kind; overloads keep document order otherwise.
    let listing: Vec<(OperationKind, String, bool, String, usize)> = model
        .operations
        .iter()
        .map(|o| {
            let binding = o.binding_type().map(TypeRef::csdl_name).unwrap_or_default();
            (o.kind, o.name.to_string(), o.is_bound, binding, o.call_parameters().len())
        })
        .collect();
    assert_eq!(
        listing,
        vec![
            (OperationKind::Function, "Contoso.Sales.balance".into(), true, "Contoso.Sales.customer".into(), 0),
            (OperationKind::Action, "Contoso.Sales.post".into(), true, "Collection(Contoso.Sales.order)".into(), 0),
            (OperationKind::Action, "Contoso.Sales.post".into(), true, "Contoso.Sales.order".into(), 1),
            (OperationKind::Action, "Contoso.Sales.resetData".into(), false, String::new(), 1),
            (OperationKind::Function, "Contoso.Sales.topCustomers".into(), false, String::new(), 1),
            (OperationKind::Function, "Contoso.Sales.topCustomers".into(), false, String::new(), 2),
        ]
    );
    assert_eq!(model.actions().count(), 3);
    assert_eq!(model.functions().count(), 3);

    let post = &model.operations[2];
    assert_eq!(post.entity_set_path.as_deref(), Some("bindingParameter"));
    assert_eq!(post.parameters[0].name, "bindingParameter");
    assert_eq!(post.parameters[0].facets.nullable, Some(false));
    assert_eq!(post.call_parameters()[0].name, "postingDate");
    assert_eq!(post.call_parameters()[0].ty, primitive(Primitive::Date));
    let returns = post.return_type.as_ref().expect("post returns the order");
    assert_eq!(returns.ty.entity(), Some(&qn("Contoso.Sales.order")));
    assert_eq!(returns.facets.nullable, Some(false));
    assert_eq!(model.operations[1].return_type, None);

    let reset = &model.operations[3];
    assert!(!reset.is_composable && reset.binding_type().is_none());
    assert_eq!(reset.call_parameters()[0].name, "full");

    let top = &model.operations[5];
    assert!(top.is_composable);
    assert_eq!(top.parameters[1].facets.max_length, Some(MaxLength::Length(30)));
    let top_returns = top.return_type.as_ref().expect("a function returns something");
    assert_eq!(top_returns.ty.csdl_name(), "Collection(Contoso.Sales.customer)");

    let balance = &model.operations[0];
    let balance_returns = balance.return_type.as_ref().expect("a function returns something");
    assert_eq!(balance_returns.ty.target, TypeTarget::TypeDefinition(qn("Contoso.Sales.amount")));
    assert_eq!((balance_returns.facets.precision, balance_returns.facets.scale), (Some(18), Some(Scale::Value(2))));
}

#[test]
fn entity_container() {
    let model = read_fixture("model.xml");
    let container = model.container.as_ref().expect("a container");
    assert_eq!(container.name, qn("Contoso.Sales.service"));
    assert_eq!(container.extends, None);
    let sets: Vec<(&str, String, Option<bool>)> = container
        .entity_sets
        .iter()
        .map(|s| (s.name.as_str(), s.entity_type.to_string(), s.include_in_service_document))
        .collect();
    assert_eq!(
        sets,
        vec![
            ("customers", "Contoso.Sales.customer".into(), None),
            ("orders", "Contoso.Sales.order".into(), Some(true)),
            ("stores", "Contoso.Sales.store".into(), Some(false)),
            ("pictures", "Contoso.Sales.picture".into(), None),
            ("allTypes", "Contoso.Sales.allTypes".into(), None),
        ]
    );
    let customers = container.entity_set("customers").expect("customers");
    assert_eq!(
        customers.navigation_bindings,
        vec![NavigationBinding { path: "orders".into(), target: "orders".into() }]
    );
    assert!(!customers.annotations.capabilities().can_delete());
    assert!(customers.annotations.capabilities().can_insert());
    assert_eq!(customers.origin.path, "Schema[Contoso.Sales]/EntityContainer[service]/EntitySet[customers]");

    assert_eq!(model.singletons().len(), 1);
    let me = &model.singletons()[0];
    assert_eq!(
        (me.name.as_str(), me.ty.to_string(), me.nullable),
        ("me", "Contoso.Sales.customer".to_owned(), Some(false))
    );
    assert_eq!(me.navigation_bindings, vec![NavigationBinding { path: "orders".into(), target: "orders".into() }]);

    type Import<'a> = (OperationKind, &'a str, String, Option<&'a str>, Option<bool>);
    let imports: Vec<Import<'_>> = container
        .operation_imports
        .iter()
        .map(|i| {
            (i.kind, i.name.as_str(), i.operation.to_string(), i.entity_set.as_deref(), i.include_in_service_document)
        })
        .collect();
    assert_eq!(
        imports,
        vec![
            (OperationKind::Action, "resetData", "Contoso.Sales.resetData".into(), None, None),
            (
                OperationKind::Function,
                "topCustomers",
                "Contoso.Sales.topCustomers".into(),
                Some("customers"),
                Some(true)
            ),
        ]
    );
}

#[test]
fn aliases_across_schemas_and_references() {
    let model = read_fixture("multi_schema.xml");
    assert!(model.warnings.is_empty(), "{:?}", model.warnings);
    let namespaces: Vec<&str> = model.schemas.iter().map(|s| s.namespace.as_str()).collect();
    assert_eq!(namespaces, vec!["Contoso.Parties", "Contoso.Billing", "Contoso.Common"]);
    let invoice = &model.entity_types[&qn("Contoso.Billing.invoice")];
    // Base type, key and property types come from the other schema through its alias.
    assert_eq!(invoice.base_type, Some(qn("Contoso.Common.document")));
    let key: Vec<&str> = model.key_of(invoice).unwrap_or_default().iter().map(|k| k.name.as_str()).collect();
    assert_eq!(key, vec!["number"]);
    assert_eq!(property(&invoice.properties, "amount").ty.target, TypeTarget::Complex(qn("Contoso.Common.money")));
    assert_eq!(property(&invoice.properties, "currency").ty.target, TypeTarget::Enum(qn("Contoso.Common.currency")));
    assert_eq!(
        property(&invoice.properties, "reference").ty.target,
        TypeTarget::TypeDefinition(qn("Contoso.Common.code"))
    );
    let customer = navigation(&invoice.navigation_properties, "customer");
    assert_eq!(customer.ty.entity(), Some(&qn("Contoso.Parties.customer")));
    // Terms written with an alias of a reference or of a schema are stored under the full namespace.
    let terms: Vec<String> = invoice.annotations.iter().map(|a| a.term.to_string()).collect();
    assert_eq!(
        terms,
        vec![
            "Org.OData.Core.V1.Description",
            "Contoso.Common.note",
            "Contoso.Vocabulary.V1.Tag",
            "Contoso.Other.V1.Flag"
        ]
    );
    assert_eq!(invoice.annotations.description(), Some("A bill"));
    assert_eq!(
        invoice.annotations.get("Contoso.Common", "note").and_then(|a| a.value.as_ref()?.as_str()),
        Some("Uses a term declared in another schema")
    );
    // An annotation block in one schema reaches a property declared in another.
    assert_eq!(property(&invoice.properties, "amount").annotations.description(), Some("Gross amount"));
    let sets: Vec<String> = model.entity_sets().iter().map(|s| s.entity_type.to_string()).collect();
    assert_eq!(sets, vec!["Contoso.Billing.invoice", "Contoso.Parties.customer"]);
    let reference = &model.references[1];
    assert_eq!(reference.includes.len(), 2);
    assert_eq!(reference.includes[1].alias, None);
    let money = &model.complex_types[&qn("Contoso.Common.money")];
    assert_eq!(property(&money.properties, "currency").ty.target, TypeTarget::Enum(qn("Contoso.Common.currency")));
    assert_eq!(model.enum_types[&qn("Contoso.Common.currency")].underlying_type, Some(Primitive::Int16));
}

#[test]
fn an_odata_4_01_document() {
    let model = read_fixture("v401.xml");
    assert_eq!(model.version, "4.01");
    assert!(model.warnings.is_empty(), "{:?}", model.warnings);
    let sample = &model.entity_types[&qn("Lab.sample")];
    let key: Vec<(&str, Option<&str>)> =
        sample.key.as_deref().unwrap_or_default().iter().map(|k| (k.name.as_str(), k.alias.as_deref())).collect();
    assert_eq!(key, vec![("place/x", Some("x")), ("place/y", Some("y"))]);
    assert_eq!(property(&sample.properties, "payload").ty, primitive(Primitive::Untyped));
    assert_eq!(property(&sample.properties, "tags").facets.nullable, Some(true));
    assert_eq!(property(&sample.properties, "anyValue").ty, primitive(Primitive::PrimitiveType));
    let position = &model.complex_types[&qn("Lab.position")];
    assert_eq!(property(&position.properties, "x").facets.scale, Some(Scale::Floating));
    let keys = sample.annotations.alternate_keys();
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0].parts[0].property, "payload");
    assert_eq!(keys[0].parts[0].alias, "payload");
    // A function overload bound to a collection, targeted with its full signature.
    let nearest = &model.operations[0];
    assert_eq!(nearest.binding_type().map(TypeRef::csdl_name).as_deref(), Some("Collection(Lab.sample)"));
    assert_eq!(nearest.parameters[1].annotations.description(), Some("The reference point"));
}

#[test]
fn the_same_document_reads_to_equal_models() {
    for (name, text) in common::all_fixtures() {
        let first = read_ok(&name, &text);
        let second = read_ok(&name, &text);
        assert_eq!(first, second, "{name}");
    }
}

#[test]
fn a_byte_order_mark_is_skipped_by_read_bytes() {
    let text = common::fixture("v401.xml");
    let mut bytes = vec![0xEF, 0xBB, 0xBF];
    bytes.extend_from_slice(text.as_bytes());
    let with_bom = odata_v4_csdl::edmx::read_bytes("bom.xml", &bytes).expect("a BOM is allowed");
    assert_eq!(with_bom, read_ok("bom.xml", &text));
}

#[test]
fn a_document_with_only_types_has_no_container() {
    let model = read_ok("t.xml", &wrap("<ComplexType Name=\"c\"/>\n"));
    assert!(model.container.is_none());
    assert!(model.entity_sets().is_empty() && model.singletons().is_empty());
    assert_eq!(model.schemas[0].alias.as_deref(), Some("t"));
}

#[test]
fn comments_cdata_and_foreign_elements_are_tolerated() {
    let doc = wrap(
        r#"<!-- a comment -->
<EntityType Name="e" xmlns:x="urn:vendor">
<Key><PropertyRef Name="id"/></Key>
<Property Name="id" Type="Edm.Int32" Nullable="false" x:hint="vendor attribute"/>
<x:Extension>ignored without a word</x:Extension>
<Annotation Term="Org.OData.Core.V1.Description"><String><![CDATA[a <b> & c]]></String></Annotation>
</EntityType>
"#,
    );
    let model = read_ok("t.xml", &doc);
    assert!(model.warnings.is_empty(), "{:?}", model.warnings);
    let entity = &model.entity_types[&qn("T.e")];
    assert_eq!(entity.annotations.description(), Some("a <b> & c"));
    assert_eq!(entity.properties[0].name, "id");
}
