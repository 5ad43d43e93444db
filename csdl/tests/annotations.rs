//! Annotations: inline and external (`fixtures/annotations.xml`), every kind of
//! target, qualifiers, both notations, nested and dynamic expressions, and the
//! typed accessors the generator uses.

mod common;

use common::{qn, read_fixture, read_ok, wrap};
use odata_v4_csdl::diag::{DiagnosticKind, Severity};
use odata_v4_csdl::ir::annotations::{AlternateKey, AlternateKeyPart, Capabilities, ConstantKind, Permission};
use odata_v4_csdl::ir::*;

fn employee(model: &Model) -> &EntityType {
    &model.entity_types[&qn("Contoso.Hr.employee")]
}

fn property<'m>(entity: &'m EntityType, name: &str) -> &'m Property {
    entity.properties.iter().find(|p| p.name == name).unwrap_or_else(|| panic!("no property `{name}`"))
}

fn description_of(annotations: &Annotations) -> Option<&str> {
    annotations.description()
}

#[test]
fn inline_tag_terms_in_both_notations() {
    let model = read_fixture("annotations.xml");
    let id = property(employee(&model), "id");
    // `<Annotation Term="Core.Computed"/>` without a value means true.
    assert!(id.annotations.computed());
    assert!(id.annotations.immutable());
    assert!(!id.annotations.is_language_dependent());
    // Element notation: `<Bool>true</Bool>`.
    assert!(property(employee(&model), "displayName").annotations.is_language_dependent());
    let number = property(employee(&model), "number");
    assert!(!number.annotations.computed() && !number.annotations.immutable());
    // The alias `Core` is stored as the full namespace.
    assert_eq!(id.annotations.0[0].term, qn("Org.OData.Core.V1.Computed"));
    assert_eq!(id.annotations.0[0].value, None);
    assert_eq!(id.annotations.0[1].value, Some(Expression::Constant(ConstantKind::Bool, "true".into())));
    assert_eq!(
        id.annotations.0[0].origin.path,
        "Schema[Contoso.Hr]/EntityType[employee]/Property[id]/Annotation[Core.Computed]"
    );
}

#[test]
fn external_blocks_reach_every_kind_of_target() {
    let model = read_fixture("annotations.xml");
    let hr = &model.schemas[0];
    // Schema target: the inline annotation first, then the external block's.
    assert_eq!(description_of(&hr.annotations), Some("Human resources"));
    assert_eq!(hr.annotations.long_description(), Some("Employees and departments"));
    // Type target (an alias in the target) and property and navigation targets.
    let employee = employee(&model);
    assert_eq!(description_of(&employee.annotations), Some("A person on the payroll"));
    assert_eq!(description_of(&property(employee, "email").annotations), Some("Work address"));
    let manager = &employee.navigation_properties[0];
    assert_eq!(description_of(&manager.annotations), Some("Reports to"));
    // Enum type and enum member targets; the member's inline annotation in element notation.
    let status = &model.enum_types[&qn("Contoso.Hr.status")];
    assert_eq!(description_of(&status.annotations), Some("Employment status"));
    assert_eq!(description_of(&status.members[0].annotations), Some("At work"));
    assert_eq!(description_of(&status.members[1].annotations), Some("Away for a while"));
    assert_eq!(status.members[1].display_name(), "On Leave");
    // Container and entity set targets.
    let container = model.container.as_ref().expect("a container");
    assert_eq!(description_of(&container.annotations), Some("The HR service"));
    let employees = container.entity_set("employees").expect("employees");
    assert_eq!(employees.annotations.0.len(), 6);
}

#[test]
fn operation_overload_parameter_and_return_type_targets() {
    let model = read_fixture("annotations.xml");
    let describe = |o: &Operation| description_of(&o.annotations).map(str::to_owned);
    let promote: Vec<&Operation> = model.operations.iter().filter(|o| o.name == qn("Contoso.Hr.promote")).collect();
    assert_eq!(promote.len(), 2);
    // Sorted by binding type: `Collection(...)` before the single entity.
    assert_eq!(describe(promote[0]).as_deref(), Some("Promote many employees"));
    assert_eq!(describe(promote[1]).as_deref(), Some("Promote one employee"));
    assert_eq!(description_of(&promote[1].parameters[1].annotations), Some("The new grade"));
    let returns = promote[1].return_type.as_ref().expect("a return type");
    assert_eq!(description_of(&returns.annotations), Some("The promoted employee"));
    // `Hr.reindex()` names the unbound overload.
    let reindex = model.operations.iter().find(|o| o.name == qn("Contoso.Hr.reindex")).expect("reindex");
    assert_eq!(describe(reindex).as_deref(), Some("Rebuild the search index"));
}

#[test]
fn capabilities_from_external_records() {
    let model = read_fixture("annotations.xml");
    let container = model.container.as_ref().expect("a container");
    let employees = container.entity_set("employees").expect("employees").annotations.capabilities();
    assert_eq!(
        employees,
        Capabilities {
            insertable: Some(false),
            updatable: Some(false),
            deletable: Some(false),
            sortable: Some(true),
            filterable: Some(false),
            change_tracking: Some(true),
            non_sortable_properties: vec!["etag".into(), "email".into()],
            non_filterable_properties: vec![],
            required_insert_properties: vec!["number".into()],
        }
    );
    assert!(employees.is_read_only());
    assert!(employees.can_sort() && !employees.can_filter());
    // A qualified block: its annotations carry the qualifier, so the
    // unqualified accessors do not see them.
    let departments = &container.entity_set("departments").expect("departments").annotations;
    assert_eq!(departments.capabilities(), Capabilities::default());
    assert!(departments.capabilities().can_insert());
    let qualifiers: Vec<(String, Option<&str>)> =
        departments.iter().map(|a| (a.term.to_string(), a.qualifier.as_deref())).collect();
    assert_eq!(
        qualifiers,
        vec![
            ("Org.OData.Capabilities.V1.InsertRestrictions".to_owned(), Some("Phone")),
            // An annotation's own qualifier wins over the block's.
            ("Org.OData.Core.V1.Description".to_owned(), Some("Tablet")),
        ]
    );
    // The record inside DeleteRestrictions has a type (alias resolved) and an annotation of its own.
    let delete = container
        .entity_set("employees")
        .expect("employees")
        .annotations
        .get(annotations::CAPABILITIES, "DeleteRestrictions");
    let record = delete.and_then(|a| a.value.as_ref()?.as_record()).expect("a record");
    assert_eq!(record.ty, Some(qn("Org.OData.Capabilities.V1.DeleteRestrictionsType")));
    assert_eq!(record.annotations.description(), Some("Nothing is ever deleted"));
}

#[test]
fn permissions_and_optimistic_concurrency() {
    let model = read_fixture("annotations.xml");
    let employee = employee(&model);
    assert_eq!(property(employee, "email").annotations.permissions(), Some(Permission::ReadWrite));
    assert_eq!(property(employee, "number").annotations.permissions(), Some(Permission::Read));
    assert_eq!(property(employee, "id").annotations.permissions(), None);
    assert_eq!(employee.annotations.optimistic_concurrency(), Some(vec!["etag".to_owned(), "number".to_owned()]));
    let department = &model.entity_types[&qn("Contoso.Hr.department")];
    assert_eq!(department.annotations.optimistic_concurrency(), None);
}

#[test]
fn permissions_by_name_and_none() {
    let doc = wrap(
        r#"<ComplexType Name="c">
<Property Name="a" Type="Edm.String"><Annotation Term="Org.OData.Core.V1.Permissions" EnumMember="Org.OData.Core.V1.Permission/None"/></Property>
<Property Name="b" Type="Edm.String"><Annotation Term="Org.OData.Core.V1.Permissions" EnumMember="Write"/></Property>
<Property Name="c" Type="Edm.String"><Annotation Term="Org.OData.Core.V1.Permissions" EnumMember="Core.Permission/ReadWrite"/></Property>
<Property Name="d" Type="Edm.String"><Annotation Term="Org.OData.Core.V1.Permissions" EnumMember="Core.Permission/Nonsense"/></Property>
</ComplexType>
"#,
    );
    let model = read_ok("t.xml", &doc);
    let permissions: Vec<Option<Permission>> =
        model.complex_types[&qn("T.c")].properties.iter().map(|p| p.annotations.permissions()).collect();
    assert_eq!(permissions, vec![Some(Permission::None), Some(Permission::Write), Some(Permission::ReadWrite), None]);
}

#[test]
fn alternate_keys_from_both_vocabularies() {
    let model = read_fixture("annotations.xml");
    // OData.Community.Keys.V1.AlternateKeys, written with the alias `Keys`.
    assert_eq!(
        employee(&model).annotations.alternate_keys(),
        vec![AlternateKey { parts: vec![AlternateKeyPart { alias: "number".into(), property: "number".into() }] }]
    );
    // Org.OData.Core.V1.AlternateKeys; a part without `Alias` uses the property name.
    let department = &model.entity_types[&qn("Contoso.Hr.department")];
    assert_eq!(
        department.annotations.alternate_keys(),
        vec![AlternateKey {
            parts: vec![
                AlternateKeyPart { alias: "company".into(), property: "company".into() },
                AlternateKeyPart { alias: "departmentName".into(), property: "name".into() },
            ]
        }]
    );
    assert!(model.complex_types.is_empty());
}

#[test]
fn nested_annotations_and_every_constant_in_element_notation() {
    let model = read_fixture("annotations.xml");
    let email = property(employee(&model), "email");
    let description = email.annotations.get(annotations::CORE, "Description").expect("a description");
    assert_eq!(description.annotations.description(), Some("A description of the description"));

    let display_name = property(employee(&model), "displayName");
    let example = display_name.annotations.get(annotations::CORE, "Example").expect("an example");
    let record = example.value.as_ref().and_then(Expression::as_record).expect("a record");
    assert_eq!(record.get("Value"), Some(&Expression::Constant(ConstantKind::Int, "42".into())));
    assert_eq!(record.get("Ratio"), Some(&Expression::Constant(ConstantKind::Decimal, "0.5".into())));
    assert_eq!(record.get("Missing"), Some(&Expression::Null));
    let dates: Vec<(ConstantKind, &str)> = record
        .get("Dates")
        .map(Expression::as_collection)
        .unwrap_or_default()
        .iter()
        .map(|e| match e {
            Expression::Constant(kind, text) => (*kind, text.as_str()),
            other => panic!("not a constant: {other:?}"),
        })
        .collect();
    assert_eq!(
        dates,
        vec![
            (ConstantKind::Date, "2024-01-31"),
            (ConstantKind::DateTimeOffset, "2024-01-31T12:00:00Z"),
            (ConstantKind::Guid, "01234567-89ab-cdef-0123-456789abcdef"),
            (ConstantKind::Float, "1.5e3"),
            (ConstantKind::Duration, "P1D"),
            (ConstantKind::TimeOfDay, "12:30:00"),
            (ConstantKind::Binary, "T0RhdGE"),
            (ConstantKind::Int, "-7"),
        ]
    );
}

#[test]
fn dynamic_expressions_are_kept_as_written() {
    let model = read_fixture("annotations.xml");
    let display_name = property(employee(&model), "displayName");
    let annotation = display_name.annotations.get(annotations::CORE, "Description").expect("a description");
    // The typed accessor sees no string: the value depends on the instance.
    assert_eq!(display_name.annotations.description(), None);
    let Some(Expression::Other(element)) = &annotation.value else {
        panic!("expected a dynamic expression: {annotation:?}")
    };
    assert_eq!(element.name, "If");
    let children: Vec<&str> = element.children.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(children, vec!["Eq", "String", "String"]);
    assert_eq!(element.children[0].children[0].text, "status");
    assert_eq!(element.children[2].text, "Former name & title");
}

#[test]
fn an_unmatched_target_is_a_warning_and_is_kept() {
    let model = read_fixture("annotations.xml");
    assert_eq!(model.warnings.len(), 1);
    let warning = &model.warnings[0];
    assert_eq!(warning.severity, Severity::Warning);
    assert_eq!(warning.kind, DiagnosticKind::UnmatchedAnnotationTarget);
    assert_eq!((warning.location.line, warning.location.column), (243, 7));
    assert_eq!(warning.path, "Schema[Contoso.Hr.Annotations]/Annotations[Hr.employee/nothingHere]");
    assert_eq!(model.orphan_annotations.len(), 1);
    let orphan = &model.orphan_annotations[0];
    assert_eq!(orphan.schema, "Contoso.Hr.Annotations");
    assert_eq!(orphan.target, "Hr.employee/nothingHere");
    assert_eq!(orphan.qualifier, None);
    assert_eq!(orphan.annotations.description(), Some("This target does not exist"));
    // The canonical writer keeps the block, so rewriting loses nothing.
    let written = odata_v4_csdl::edmx::canonical::write(&model);
    assert!(written.contains("<Annotations Target=\"Hr.employee/nothingHere\">"), "{written}");
    let reread = read_ok("canonical.xml", &written);
    // Origins differ (the canonical form has other line numbers); the facts do not.
    type Facts = (String, String, Option<String>, Vec<String>, Option<String>);
    let facts = |m: &Model| -> Vec<Facts> {
        m.orphan_annotations
            .iter()
            .map(|o| {
                let terms = o.annotations.iter().map(|a| a.term.to_string()).collect();
                (
                    o.schema.clone(),
                    o.target.clone(),
                    o.qualifier.clone(),
                    terms,
                    o.annotations.description().map(str::to_owned),
                )
            })
            .collect()
    };
    assert_eq!(facts(&reread), facts(&model));
    assert_eq!(reread.warnings.len(), 1);
    assert_eq!(reread.warnings[0].kind, DiagnosticKind::UnmatchedAnnotationTarget);
}

#[test]
fn targets_below_terms_and_type_definitions_are_orphans_only() {
    // A path below a term or type definition matches nothing; the block must
    // not also be applied to the term itself.
    let doc = wrap(
        r#"<TypeDefinition Name="d" UnderlyingType="Edm.String"/>
<Term Name="t" Type="Edm.String"/>
<Annotations Target="t.d/x"><Annotation Term="Org.OData.Core.V1.Description" String="below d"/></Annotations>
<Annotations Target="T.t/x"><Annotation Term="Org.OData.Core.V1.Description" String="below t"/></Annotations>
<Annotations Target="T.d"><Annotation Term="Org.OData.Core.V1.Description" String="on d"/></Annotations>
<Annotations Target="t.t"><Annotation Term="Org.OData.Core.V1.Description" String="on t"/></Annotations>
"#,
    );
    let model = read_ok("t.xml", &doc);
    assert_eq!(model.type_definitions[&qn("T.d")].annotations.0.len(), 1);
    assert_eq!(model.type_definitions[&qn("T.d")].annotations.description(), Some("on d"));
    assert_eq!(model.terms[&qn("T.t")].annotations.0.len(), 1);
    assert_eq!(model.terms[&qn("T.t")].annotations.description(), Some("on t"));
    let orphans: Vec<&str> = model.orphan_annotations.iter().map(|o| o.target.as_str()).collect();
    assert_eq!(orphans, vec!["t.d/x", "T.t/x"]);
    let lines: Vec<u32> = model.warnings.iter().map(|w| w.location.line).collect();
    assert_eq!(lines, vec![7, 8]);
}

#[test]
fn a_qualified_orphan_block_keeps_its_qualifier() {
    let doc = wrap(
        r#"<Annotations Target="T.missing" Qualifier="Phone">
<Annotation Term="Org.OData.Core.V1.Description" String="x"/>
</Annotations>
"#,
    );
    let model = read_ok("t.xml", &doc);
    assert_eq!(model.orphan_annotations[0].qualifier.as_deref(), Some("Phone"));
    assert_eq!(model.orphan_annotations[0].annotations.0[0].qualifier.as_deref(), Some("Phone"));
    let written = odata_v4_csdl::edmx::canonical::write(&model);
    assert!(written.contains("<Annotations Target=\"T.missing\" Qualifier=\"Phone\">"), "{written}");
}

#[test]
fn an_unknown_csdl_element_is_ignored_with_a_warning() {
    let doc = wrap(
        r#"<EntityType Name="e">
<Key><PropertyRef Name="id"/></Key>
<Property Name="id" Type="Edm.Int32" Nullable="false"/>
<Frobnicate Name="x"/>
</EntityType>
<Gadget/>
"#,
    );
    let model = read_ok("t.xml", &doc);
    let warnings: Vec<common::Found> = model.warnings.iter().map(common::Found::of).collect();
    assert_eq!(
        warnings,
        vec![
            common::at(DiagnosticKind::UnknownElement, 8, 1, "Schema[T]/EntityType[e]"),
            common::at(DiagnosticKind::UnknownElement, 10, 1, "Schema[T]"),
        ]
    );
    assert!(model.warnings.iter().all(|w| w.severity == Severity::Warning));
    assert_eq!(model.warnings[0].message, "`<Frobnicate>` is not a CSDL element here; it is ignored");
    assert_eq!(model.entity_types[&qn("T.e")].properties.len(), 1);
}

#[test]
fn annotations_on_every_remaining_element() {
    // Inline annotations on items the fixtures annotate only externally.
    let doc = wrap(
        r#"<EntityType Name="e">
<Key><PropertyRef Name="id"/></Key>
<Property Name="id" Type="Edm.Int32" Nullable="false"/>
<NavigationProperty Name="self" Type="t.e">
<ReferentialConstraint Property="id" ReferencedProperty="id"><Annotation Term="Org.OData.Core.V1.Description" String="rc"/></ReferentialConstraint>
<Annotation Term="Org.OData.Core.V1.Description" String="nav"/>
</NavigationProperty>
</EntityType>
<Action Name="a"><Parameter Name="p" Type="Edm.String"><Annotation Term="Org.OData.Core.V1.Description" String="param"/></Parameter><Annotation Term="Org.OData.Core.V1.Description" String="action"/></Action>
<Function Name="f"><ReturnType Type="Edm.String"><Annotation Term="Org.OData.Core.V1.Description" String="returns"/></ReturnType></Function>
<EntityContainer Name="c">
<EntitySet Name="es" EntityType="t.e"><Annotation Term="Org.OData.Core.V1.Description" String="set"/></EntitySet>
<Singleton Name="one" Type="t.e"><Annotation Term="Org.OData.Core.V1.Description" String="singleton"/></Singleton>
<ActionImport Name="a" Action="t.a"><Annotation Term="Org.OData.Core.V1.Description" String="import"/></ActionImport>
<Annotation Term="Org.OData.Core.V1.Description" String="container"/>
</EntityContainer>
<Annotations Target="t.c/one"><Annotation Term="Org.OData.Core.V1.LongDescription" String="external singleton"/></Annotations>
<Annotations Target="t.c/a"><Annotation Term="Org.OData.Core.V1.LongDescription" String="external import"/></Annotations>
"#,
    );
    let model = read_ok("t.xml", &doc);
    assert!(model.warnings.is_empty(), "{:?}", model.warnings);
    let nav = &model.entity_types[&qn("T.e")].navigation_properties[0];
    assert_eq!(nav.annotations.description(), Some("nav"));
    assert_eq!(nav.referential_constraints[0].annotations.description(), Some("rc"));
    let action = model.actions().next().expect("an action");
    assert_eq!(action.annotations.description(), Some("action"));
    assert_eq!(action.parameters[0].annotations.description(), Some("param"));
    let function = model.functions().next().expect("a function");
    assert_eq!(function.return_type.as_ref().and_then(|r| r.annotations.description()), Some("returns"));
    let container = model.container.as_ref().expect("a container");
    assert_eq!(container.annotations.description(), Some("container"));
    assert_eq!(container.entity_sets[0].annotations.description(), Some("set"));
    assert_eq!(container.singletons[0].annotations.description(), Some("singleton"));
    assert_eq!(container.singletons[0].annotations.long_description(), Some("external singleton"));
    assert_eq!(container.operation_imports[0].annotations.description(), Some("import"));
    assert_eq!(container.operation_imports[0].annotations.long_description(), Some("external import"));
}

#[test]
fn string_constants_keep_their_whitespace() {
    let doc = r#"<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx"><edmx:DataServices>
<Schema Namespace="T" xmlns="http://docs.oasis-open.org/odata/ns/edm">
<EntityType Name="e"><Key><PropertyRef Name="id"/></Key><Property Name="id" Type="Edm.Int32" Nullable="false">
<Annotation Term="Org.OData.Core.V1.Description" String="  two leading spaces"/></Property>
<Property Name="b" Type="Edm.Int32"><Annotation Term="Org.OData.Core.V1.Description"><String> inside an element </String></Annotation></Property>
<Property Name="c" Type="Edm.Boolean"><Annotation Term="Org.OData.Core.V1.Computed" Bool=" true "/></Property></EntityType>
</Schema></edmx:DataServices></edmx:Edmx>"#;
    let model = odata_v4_csdl::edmx::read_str("spaces.xml", doc).expect("reads");
    let entity = model.entity_types.values().next().expect("one type");
    assert_eq!(entity.properties[0].annotations.description(), Some("  two leading spaces"));
    assert_eq!(entity.properties[1].annotations.description(), Some(" inside an element "));
    assert!(entity.properties[2].annotations.computed(), "booleans are still trimmed");
    let canonical = odata_v4_csdl::edmx::canonical::write(&model);
    let again = odata_v4_csdl::edmx::read_str("canonical.xml", &canonical).expect("reads back");
    assert_eq!(
        again.entity_types.values().next().expect("one type").properties[1].annotations.description(),
        Some(" inside an element ")
    );
}
