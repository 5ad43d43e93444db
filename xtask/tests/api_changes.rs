//! The report of what changed in the generated public API, on two versions
//! of a schema (`fixtures/shop-v1.xml`, `fixtures/shop-v2.xml`), through the
//! library call and through `import-metadata` replacing a committed schema.

use std::path::PathBuf;

use odata_v4_codegen::emit::changes::{ApiChanges, ChangeKind};
use odata_v4_codegen::facts::DocFacts;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

fn changes() -> ApiChanges {
    let read = |name: &str| odata_v4_codegen::edmx::read_file(&fixture(name)).expect("the fixture reads");
    xtask::import::api_changes("api/shop/v1.0", &read("shop-v1.xml"), &read("shop-v2.xml"), &DocFacts::default())
}

/// `(kind, item, breaking)` of every change, detail left out.
fn summary(changes: &ApiChanges) -> Vec<(ChangeKind, &str, bool)> {
    changes.changes.iter().map(|c| (c.kind, c.item.as_str(), c.breaking)).collect()
}

#[test]
fn every_kind_of_change_is_found_and_judged() {
    let changes = changes();
    let found = summary(&changes);
    let expected = [
        // Breaking: removed, retyped, newly required, capability lost, signature changed.
        (ChangeKind::Changed, "bound operation `Shop.order/Shop.close` (`close`)", true),
        (ChangeKind::Changed, "entity set `orders`", true),
        (ChangeKind::Removed, "enum member `Shop.blocked/All`", true),
        (ChangeKind::Changed, "property `Shop.customer/name`", true),
        (ChangeKind::Removed, "property `Shop.customer/email`", true),
        // Not breaking: additions.
        (ChangeKind::Added, "entity set `invoices`", false),
        (ChangeKind::Added, "entity type `Shop.invoice`", false),
        (ChangeKind::Added, "enum member `Shop.status/Cancelled`", false),
        (ChangeKind::Added, "navigation `Shop.customer/invoices`", false),
        (ChangeKind::Added, "property `Shop.customer/phone`", false),
    ];
    for change in expected {
        assert!(found.contains(&change), "missing {change:?} in\n{changes}");
    }
    assert!(changes.is_breaking());
    assert!(
        found.iter().take_while(|(_, _, breaking)| *breaking).count() >= 5,
        "breaking changes come first:\n{changes}"
    );
}

#[test]
fn the_details_say_what_changed() {
    let changes = changes();
    let detail = |item: &str| -> Vec<&str> {
        changes.changes.iter().filter(|c| c.item == item).map(|c| c.detail.as_str()).collect()
    };
    let name = detail("property `Shop.customer/name`");
    assert!(name.contains(&"type `Option<String>` is now `String`"), "{name:?}");
    assert!(name.iter().any(|d| d.contains("now required on create")), "{name:?}");
    assert_eq!(detail("entity set `orders`"), ["no longer allows insert"]);
    let close = detail("bound operation `Shop.order/Shop.close` (`close`)");
    assert_eq!(close, ["`close()` is now `close(reason: Option<String>)`"]);
}

#[test]
fn the_report_reads_as_a_changelog_entry_and_names_the_semver_bump() {
    let changes = changes();
    let report = changes.to_string();
    assert!(report.starts_with("`api/shop/v1.0`: 11 change(s) to the public API, 6 breaking\n"), "{report}");
    assert!(report.contains("- removed: property `Shop.customer/email` **breaking**\n"), "{report}");
    assert!(report.contains("- added: enum member `Shop.status/Cancelled` (variant `Cancelled`)\n"), "{report}");
    assert_eq!(changes.semver_bump("0.1.0"), "minor");
    assert_eq!(changes.semver_bump("1.4.2"), "major");
}

#[test]
fn the_same_schema_twice_changes_nothing() {
    let model = odata_v4_codegen::edmx::read_file(&fixture("shop-v1.xml")).expect("the fixture reads");
    let changes = xtask::import::api_changes("api/shop/v1.0", &model, &model, &DocFacts::default());
    assert!(changes.changes.is_empty(), "{changes}");
    assert_eq!(changes.semver_bump("0.1.0"), "patch");
}

#[test]
fn importing_a_new_version_reports_the_changes() {
    let root = std::env::temp_dir().join(format!("xtask-api-changes-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let source = |name: &str| fixture(name).to_string_lossy().into_owned();
    let first = xtask::import::import(&root, "api/shop/v1.0", &source("shop-v1.xml")).expect("v1 imports");
    assert!(first.changes.is_none());
    let second = xtask::import::import(&root, "api/shop/v1.0", &source("shop-v2.xml")).expect("v2 imports");
    let reported = second.changes.expect("a schema was replaced");
    assert_eq!(summary(&reported), summary(&changes()));
    std::fs::remove_dir_all(&root).expect("the scratch root is removed");
}
