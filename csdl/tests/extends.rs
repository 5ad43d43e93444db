//! CSDL's "Extending an Entity Container": a container that `Extends`
//! another (usually declared in a document `edmx:Reference` brings in) has
//! that one's entity sets, singletons and imports too. Fixtures:
//! `fixtures/references/shop.xml` (extends `warehouse.xml`, which extends
//! `depot/Depot.xml`), `outlet.xml` (uses no type of the document it
//! extends) and `loop.xml` / `loop-back.xml` (a cycle).

mod common;

use std::path::{Path, PathBuf};

use common::{Found, assert_single_error, at, fixtures_dir, qn, wrap};
use odata_v4_csdl::diag::DiagnosticKind::*;
use odata_v4_csdl::diag::{Diagnostics, Severity};
use odata_v4_csdl::edmx::{self, DocumentLoader, FileLoader, LoadError, LoadedDocument, canonical};
use odata_v4_csdl::ir::{EntityContainer, Model};

fn reference(name: &str) -> PathBuf {
    fixtures_dir().join("references").join(name)
}

fn read(name: &str) -> Model {
    edmx::read_file(&reference(name)).unwrap_or_else(|e| panic!("{name} should read, but:\n{e}"))
}

/// Every member of a container: kind, name, type (or operation) and where it is inherited from.
fn members(container: &EntityContainer) -> Vec<(&'static str, String, String, Option<String>)> {
    let from = |f: &Option<odata_v4_csdl::ir::QualifiedName>| f.as_ref().map(ToString::to_string);
    let mut all: Vec<_> = container
        .entity_sets
        .iter()
        .map(|s| ("set", s.name.clone(), s.entity_type.to_string(), from(&s.inherited_from)))
        .collect();
    all.extend(
        container.singletons.iter().map(|s| ("singleton", s.name.clone(), s.ty.to_string(), from(&s.inherited_from))),
    );
    all.extend(
        container
            .operation_imports
            .iter()
            .map(|i| ("import", i.name.clone(), i.operation.to_string(), from(&i.inherited_from))),
    );
    all
}

fn member(
    kind: &'static str,
    name: &str,
    ty: &str,
    from: Option<&str>,
) -> (&'static str, String, String, Option<String>) {
    (kind, name.to_owned(), ty.to_owned(), from.map(str::to_owned))
}

const WAREHOUSE: Option<&str> = Some("Contoso.Warehouse.Warehouse");
const DEPOT: Option<&str> = Some("Contoso.Depot.Depot");

#[test]
fn an_extending_container_has_the_members_of_the_containers_it_extends() {
    let model = read("shop.xml");
    assert!(model.warnings.is_empty(), "{:?}", model.warnings);
    let container = model.container.as_ref().expect("a container");
    assert_eq!(container.extends, Some(qn("Contoso.Warehouse.Warehouse")));
    // Its own first, then the nearest extended container's, then the next;
    // its own `headquarters` (of a derived type) replaces the inherited one.
    assert_eq!(
        members(container),
        [
            member("set", "orders", "Contoso.Shop.order", None),
            member("set", "items", "Contoso.Warehouse.item", WAREHOUSE),
            member("set", "bins", "Contoso.Warehouse.bin", WAREHOUSE),
            member("set", "pallets", "Contoso.Depot.pallet", DEPOT),
            member("singleton", "headquarters", "Contoso.Shop.flagship", None),
            member("import", "stock", "Contoso.Warehouse.stock", WAREHOUSE),
        ]
    );
    let extended: Vec<String> = container.extended_containers.iter().map(|c| c.name.to_string()).collect();
    assert_eq!(extended, ["Contoso.Warehouse.Warehouse", "Contoso.Depot.Depot"]);
    // An inherited set is the declaring document's, with its bindings and annotations.
    let items = container.entity_set("items").expect("items");
    assert_eq!(items.origin.path, "Schema[Contoso.Warehouse]/EntityContainer[Warehouse]/EntitySet[items]");
    assert_ne!(items.origin.document, 0);
    assert_eq!(items.navigation_bindings[0].target, "bins");
    assert_eq!(items.annotations.description(), Some("Stock keeping units."));
    let bins = container.entity_set("bins").expect("bins");
    assert_eq!(bins.annotations.description(), Some("Where items are kept."));
    // shop.xml annotates it through its own container's name.
    let long = items.annotations.get("Org.OData.Core.V1", "LongDescription").expect("shop.xml's annotation");
    assert_eq!(long.value.as_ref().and_then(|v| v.as_str()), Some("Everything the shop sells."));
    // Bindings may target inherited sets by name or through the container that declares them.
    let orders = container.entity_set("orders").expect("orders");
    let targets: Vec<&str> = orders.navigation_bindings.iter().map(|b| b.target.as_str()).collect();
    assert_eq!(targets, ["items", "WH.Warehouse/bins", "Contoso.Depot.Depot/pallets"]);
    // What code generation reads sees the whole list.
    assert_eq!(model.entity_sets().len(), 4);
    assert_eq!(odata_v4_csdl::summary::Summary::of(&model).entity_sets, 4);
}

#[test]
fn a_document_is_read_for_the_container_its_container_extends() {
    // outlet.xml uses no type of warehouse.xml: only `Extends` brings it in.
    let model = read("outlet.xml");
    assert!(model.warnings.is_empty(), "{:?}", model.warnings);
    let container = model.container.as_ref().expect("a container");
    let names: Vec<(String, Option<String>)> = members(container).into_iter().map(|m| (m.1, m.3)).collect();
    let expected = [
        ("items", WAREHOUSE),
        ("bins", WAREHOUSE),
        ("pallets", DEPOT),
        ("headquarters", WAREHOUSE),
        ("stock", WAREHOUSE),
    ];
    let expected: Vec<(String, Option<String>)> =
        expected.iter().map(|(n, f)| ((*n).to_owned(), f.map(str::to_owned))).collect();
    assert_eq!(names, expected);
    let namespaces: Vec<&str> = model.schemas.iter().map(|s| s.namespace.as_str()).collect();
    assert_eq!(namespaces, ["Contoso.Outlet", "Contoso.Warehouse", "Contoso.Depot"]);
}

#[test]
fn the_canonical_form_keeps_extends_and_only_the_containers_own_members() {
    let path = reference("shop.xml");
    let model = read("shop.xml");
    let written = canonical::write(&model);
    assert!(written.contains("<EntityContainer Name=\"Shop\" Extends=\"Contoso.Warehouse.Warehouse\">"), "{written}");
    for inherited in ["Name=\"items\"", "Name=\"bins\"", "Name=\"pallets\"", "Name=\"stock\""] {
        assert!(!written.contains(inherited), "{inherited} belongs to the extended container:\n{written}");
    }
    // The annotations shop.xml gave inherited sets go back as external blocks.
    assert!(written.contains("<Annotations Target=\"Contoso.Shop.Shop/items\">"), "{written}");
    assert!(written.contains("<Annotations Target=\"Contoso.Shop.Shop/bins\">"), "{written}");
    assert!(!written.contains("Stock keeping units."), "warehouse.xml's own annotation stays there:\n{written}");
    // Read back beside the documents it references, it is the same model.
    let text = path.display().to_string();
    let reread = edmx::read_with(&text, &written, &mut FileLoader::beside(&path)).unwrap_or_else(|e| panic!("{e}"));
    let (before, after) = (model.container.as_ref().expect("a container"), reread.container.as_ref().expect("again"));
    assert_eq!(members(after), members(before));
    assert_eq!(after.extends, before.extends);
    let annotations = |m: &Model| -> Vec<Vec<String>> {
        let c = m.container.as_ref().expect("a container");
        c.entity_sets.iter().map(|s| s.annotations.iter().map(|a| format!("{:?}", a.value)).collect()).collect()
    };
    assert_eq!(annotations(&reread), annotations(&model));
    assert_eq!(canonical::write(&reread), written);
}

#[test]
fn a_cycle_of_extends_is_a_warning_and_each_member_is_taken_once() {
    let model = read("loop.xml");
    let warnings: Vec<Found> = model.warnings.iter().map(Found::of).collect();
    assert_eq!(warnings, [at(InheritanceCycle, 9, 7, "Schema[Contoso.Back]/EntityContainer[Back]")]);
    assert!(model.warnings[0].location.file.ends_with("loop-back.xml"), "{}", model.warnings[0]);
    assert!(
        model.warnings[0]
            .message
            .starts_with("entity container `Contoso.Back.Back` extends `Contoso.Loop.Loop`, which"),
        "{}",
        model.warnings[0]
    );
    let container = model.container.as_ref().expect("a container");
    let names: Vec<String> = members(container).into_iter().map(|m| m.1).collect();
    assert_eq!(names, ["things", "backThings"]);
}

#[test]
fn a_container_that_extends_itself_is_a_warning() {
    let doc = wrap("<EntityContainer Name=\"c\" Extends=\"t.c\"/>\n");
    let model = common::read_ok("t.xml", &doc);
    let warnings: Vec<Found> = model.warnings.iter().map(Found::of).collect();
    assert_eq!(warnings, [at(InheritanceCycle, 5, 1, "Schema[T]/EntityContainer[c]")]);
    assert_eq!(model.warnings[0].severity, Severity::Warning);
}

#[test]
fn extends_must_name_a_container_in_scope() {
    let entity = "<EntityType Name=\"e\"><Key><PropertyRef Name=\"id\"/></Key><Property Name=\"id\" Type=\"Edm.Int32\" Nullable=\"false\"/></EntityType>\n";
    let cases = [
        ("T.missing", "`T.c` extends `T.missing`, but schema `T` declares no entity container `missing`"),
        ("t.e", "`T.c` extends `T.e`, which is an entity type, not an entity container"),
        ("Elsewhere.c", "`T.c` extends `Elsewhere.c`, but no schema `Elsewhere` is declared in this document or read"),
    ];
    for (extends, message) in cases {
        let doc = wrap(&format!("{entity}<EntityContainer Name=\"c\" Extends=\"{extends}\"/>\n"));
        assert_single_error(&doc, at(UnknownReference, 6, 1, "Schema[T]/EntityContainer[c]"), message);
    }
}

/// Serves documents from memory by their `Uri`.
struct InMemory(Vec<(&'static str, String)>);

impl DocumentLoader for InMemory {
    fn load(&mut self, _base: &str, uri: &str) -> Result<LoadedDocument, LoadError> {
        let found = self.0.iter().find(|(name, _)| *name == uri);
        found
            .map(|(name, text)| LoadedDocument { location: (*name).to_owned(), bytes: text.clone().into_bytes() })
            .ok_or_else(|| LoadError::other("not served"))
    }
}

/// A base document (`base.xml`, namespace `B`) whose container `B.base`
/// has a set `items` of `B.item`, a singleton `boss` of `B.item` and an
/// import `count`.
fn base_document() -> String {
    let body = concat!(
        "<EntityType Name=\"item\"><Key><PropertyRef Name=\"id\"/></Key><Property Name=\"id\" Type=\"Edm.Int32\" Nullable=\"false\"/></EntityType>\n",
        "<Function Name=\"count\"><ReturnType Type=\"Edm.Int32\"/></Function>\n",
        "<EntityContainer Name=\"base\">\n",
        "<EntitySet Name=\"items\" EntityType=\"B.item\"/>\n",
        "<Singleton Name=\"boss\" Type=\"B.item\"/>\n",
        "<FunctionImport Name=\"count\" Function=\"B.count\"/>\n",
        "</EntityContainer>\n",
    );
    wrap(body).replace("Namespace=\"T\" Alias=\"t\"", "Namespace=\"B\"")
}

/// Reads a main document (namespace `T`) that references `base.xml` and
/// whose body (from line 8) declares container `T.c` extending `B.base`.
fn read_extending(body: &str) -> Result<Model, Diagnostics> {
    let head = concat!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n",
        "<edmx:Edmx Version=\"4.0\" xmlns:edmx=\"http://docs.oasis-open.org/odata/ns/edmx\">\n",
        "<edmx:Reference Uri=\"base.xml\"><edmx:Include Namespace=\"B\"/></edmx:Reference>\n",
        "<edmx:DataServices>\n",
        "<Schema Namespace=\"T\" xmlns=\"http://docs.oasis-open.org/odata/ns/edm\">\n",
        "<EntityType Name=\"special\" BaseType=\"B.item\"/>\n",
        "<EntityType Name=\"other\"><Key><PropertyRef Name=\"id\"/></Key><Property Name=\"id\" Type=\"Edm.Int32\" Nullable=\"false\"/><NavigationProperty Name=\"item\" Type=\"B.item\"/></EntityType>\n",
    );
    let text = format!("{head}{body}</Schema>\n</edmx:DataServices>\n</edmx:Edmx>\n");
    edmx::read_with("t.xml", &text, &mut InMemory(vec![("base.xml", base_document())]))
}

fn errors(result: Result<Model, Diagnostics>) -> (Vec<Found>, Vec<String>) {
    let errors = result.expect_err("the document should not read");
    (errors.iter().map(Found::of).collect(), errors.iter().map(|e| e.message.clone()).collect())
}

#[test]
fn a_redefined_member_keeps_its_kind_and_derives_its_type() {
    // A set of a derived type replaces the inherited one; that is allowed.
    let model = read_extending(
        "<EntityContainer Name=\"c\" Extends=\"B.base\"><EntitySet Name=\"items\" EntityType=\"T.special\"/></EntityContainer>\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let container = model.container.as_ref().expect("a container");
    let names: Vec<String> = members(container).into_iter().map(|m| format!("{} {} {:?}", m.1, m.2, m.3)).collect();
    assert_eq!(names, ["items T.special None", "boss B.item Some(\"B.base\")", "count B.count Some(\"B.base\")"]);

    let (found, messages) = errors(read_extending(concat!(
        "<EntityContainer Name=\"c\" Extends=\"B.base\">\n",
        "<EntitySet Name=\"items\" EntityType=\"T.other\"/>\n",
        "<EntitySet Name=\"boss\" EntityType=\"B.item\"/>\n",
        "<FunctionImport Name=\"count\" Function=\"B.count\"/>\n",
        "</EntityContainer>\n",
    )));
    assert_eq!(
        found,
        [
            at(DuplicateName, 9, 1, "Schema[T]/EntityContainer[c]/EntitySet[items]"),
            at(DuplicateName, 10, 1, "Schema[T]/EntityContainer[c]/EntitySet[boss]"),
            at(DuplicateName, 11, 1, "Schema[T]/EntityContainer[c]/FunctionImport[count]"),
        ]
    );
    assert_eq!(
        messages[0],
        "entity set `items` redefines the one of `B.base`, which this container extends, so its type must be `B.item` or derive from it, not `T.other`"
    );
    assert!(messages[1].starts_with("`boss` is a singleton of `B.base`"), "{}", messages[1]);
    assert!(messages[2].starts_with("import `count` is declared by `B.base`"), "{}", messages[2]);
}

#[test]
fn binding_targets_are_checked_against_the_whole_container() {
    let set = |target: &str| {
        format!(
            "<EntityContainer Name=\"c\" Extends=\"B.base\">\n<EntitySet Name=\"others\" EntityType=\"T.other\"><NavigationPropertyBinding Path=\"item\" Target=\"{target}\"/></EntitySet>\n</EntityContainer>\n"
        )
    };
    for valid in ["items", "boss", "B.base/items", "T.c/items", "T.c/others"] {
        read_extending(&set(valid)).unwrap_or_else(|e| panic!("`{valid}` is a valid target:\n{e}"));
    }
    let invalid = [
        (
            "nothing",
            "navigation binding target `nothing` is not an entity set or singleton of `T.c` or of a container it extends",
        ),
        ("nothing/x", "navigation binding target `nothing/x` is not an entity set or singleton"),
        (
            "B.base/nothing",
            "navigation binding target `B.base/nothing`: `B.base` has no entity set or singleton `nothing`",
        ),
        ("B.base", "navigation binding target `B.base` names a container, not an entity set or singleton"),
        ("B.base/others", "`B.base` has no entity set or singleton `others`"),
        ("X.y/items", "names `X.y`, which is neither `T.c` nor a container it extends"),
    ];
    for (target, message) in invalid {
        let (found, messages) = errors(read_extending(&set(target)));
        assert_eq!(found, [at(UnknownReference, 9, 1, "Schema[T]/EntityContainer[c]/EntitySet[others]")], "{target}");
        assert!(messages[0].contains(message), "{target}: {}", messages[0]);
    }
}

#[test]
fn an_unreadable_extended_document_is_named() {
    // The container extends one in a document that cannot be read: the
    // reference is reported, and so is the `Extends` it leaves unresolved.
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("extends-unreadable");
    std::fs::create_dir_all(&dir).expect("a scratch directory");
    let main = dir.join("main.xml");
    let text = std::fs::read_to_string(reference("outlet.xml")).expect("fixture");
    std::fs::write(&main, text).expect("written");
    let errors = edmx::read_file(&main).expect_err("warehouse.xml is not beside it");
    let found: Vec<Found> = errors.iter().map(Found::of).collect();
    assert_eq!(
        found,
        [
            at(UnreadableReference, 6, 5, "Reference[warehouse.xml]/Include[Contoso.Warehouse]"),
            at(UnknownReference, 10, 7, "Schema[Contoso.Outlet]/EntityContainer[Outlet]"),
        ],
        "{errors}"
    );
    assert!(errors.0[0].message.contains("warehouse.xml does not exist"), "{errors}");
}
