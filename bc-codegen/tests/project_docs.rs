//! The resource-docs reader against the project's own docs
//! (`sdk/schemas/**/docs/`), with the committed schemas. The seed docs beside
//! the repository are tested in `xtask/tests/docs_seeds.rs`.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use business_central_codegen::docs::{Method, load_docs};
use odata_v4_codegen::ir::{Model, QualifiedName};

const V2: &str = "api/v2.0";
const REPORTS_FINANCE: &str = "api/microsoft/reportsFinance/beta";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("bc-codegen sits in the workspace").to_path_buf()
}

fn schema(route: &str) -> &'static Model {
    static V2_MODEL: OnceLock<Model> = OnceLock::new();
    static RF_MODEL: OnceLock<Model> = OnceLock::new();
    let cell = if route == V2 { &V2_MODEL } else { &RF_MODEL };
    cell.get_or_init(|| {
        let path = root().join("sdk/schemas").join(route).join("metadata.xml");
        odata_v4_codegen::edmx::read_file(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    })
}

fn both() -> [(&'static str, &'static Model); 2] {
    [(V2, schema(V2)), (REPORTS_FINANCE, schema(REPORTS_FINANCE))]
}

fn entity(name: &str) -> QualifiedName {
    QualifiedName::new("Microsoft.NAV", name)
}

#[test]
fn project_docs_match_their_own_entities() {
    let models = both();
    let mut expected = Vec::new();
    for (route, dir) in
        [(V2, "sdk/schemas/api/v2.0/docs"), (REPORTS_FINANCE, "sdk/schemas/api/microsoft/reportsFinance/beta/docs")]
    {
        let (facts, reports) = load_docs(&root().join(dir), &models).expect("docs are readable");
        for report in &reports {
            let stem = report.file.trim_end_matches(".md");
            let target = report.doc_match.target.as_ref().unwrap_or_else(|| panic!("{} matched nothing", report.file));
            assert_eq!((target.route.as_str(), target.entity.name.as_str()), (route, stem), "{}", report.file);
            assert!(target.score >= 0.9, "{}", report.summary_line());
            assert!(report.doc_match.missing_in_schema.is_empty(), "{}", report.file);
            assert!(report.doc_match.type_disagreements.is_empty(), "{}", report.file);
            assert!(report.capability_conflicts.is_empty(), "{}", report.file);
            // Every schema property is described.
            let model = models.iter().find(|(r, _)| *r == route).unwrap().1;
            let ty = &model.entity_types[&target.entity];
            let documented = &facts.entity(route, &target.entity).unwrap().properties;
            for property in model.all_properties(ty) {
                assert!(documented.contains_key(&property.name), "{} lacks {}", report.file, property.name);
            }
            expected.push(stem.to_owned());
        }
        if route == V2 {
            let invoice = facts.entity(V2, &entity("salesInvoice")).unwrap();
            assert!(invoice.properties["billToCustomerNumber"].optional_on_create);
            assert_eq!(invoice.properties.values().filter(|p| p.optional_on_create).count(), 1);
            assert!(invoice.properties["number"].read_only);
            let line = facts.entity(V2, &entity("salesInvoiceLine")).unwrap();
            for name in [
                "amountExcludingTax",
                "taxPercent",
                "totalTaxAmount",
                "amountIncludingTax",
                "invoiceDiscountAllocation",
                "netAmount",
                "netTaxAmount",
                "netAmountIncludingTax",
                "discountAppliedBeforeTax",
            ] {
                assert!(line.properties[name].read_only, "{name}");
            }
            assert!(!line.properties["quantity"].read_only);
            let entries = facts.entity(V2, &entity("generalLedgerEntry")).unwrap();
            assert_eq!(entries.methods.iter().copied().collect::<Vec<_>>(), vec![Method::Get]);
        }
    }
    for name in [
        "customer",
        "customerPayment",
        "customerPaymentJournal",
        "generalLedgerEntry",
        "journal",
        "salesInvoice",
        "salesInvoiceLine",
        "customerLedgerEntry",
    ] {
        assert!(expected.iter().any(|e| e == name), "no doc for {name}");
    }
}

#[test]
fn reports_finance_schema_is_canonical() {
    let path = root().join("sdk/schemas").join(REPORTS_FINANCE).join("metadata.xml");
    let committed = std::fs::read_to_string(&path).expect("schema is committed");
    let model = odata_v4_codegen::edmx::read_file(&path).expect("schema reads");
    assert!(model.warnings.is_empty(), "{:?}", model.warnings);
    assert_eq!(odata_v4_codegen::edmx::canonical::write(&model), committed);
    let sets: Vec<&str> = model.entity_sets().iter().map(|s| s.name.as_str()).collect();
    assert_eq!(sets, vec!["companies", "customerLedgerEntries"]);
    assert!(model.entity_sets().iter().all(|s| s.annotations.capabilities().is_read_only()));
    let ledger = &model.entity_types[&entity("customerLedgerEntry")];
    assert_eq!(model.key_of(ledger).map(|k| k[0].name.as_str()), Some("entryNumber"));
}
