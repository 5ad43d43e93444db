//! The resource-docs reader of `odata-v4-codegen` against the seed docs in
//! `../shared/seeds/` (four formats, one with a wrong title), with the
//! committed schemas.
//!
//! These tests live in this unpublished crate rather than in the
//! generator's: the seeds are not the project's to carry, and only this
//! crate's build script says whether they lie beside the repository (each
//! test is ignored, with the reason, when they do not). The reader's
//! tests of the project's own docs are in `bc-codegen/tests/project_docs.rs`.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use business_central_codegen::docs::{
    DocFormat, DocReport, MatchVerdict, Method, ResourceDoc, load_docs, match_doc, read_doc,
};
use odata_v4_codegen::ir::{Model, QualifiedName};

const V2: &str = "api/v2.0";
const REPORTS_FINANCE: &str = "api/microsoft/reportsFinance/beta";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask sits in the workspace").to_path_buf()
}

fn seeds_dir() -> PathBuf {
    root().join("../shared/seeds")
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

/// The seed whose file name starts with `prefix` (`"004"`).
fn seed(prefix: &str) -> ResourceDoc {
    let dir = seeds_dir();
    let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let path = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.file_name().is_some_and(|n| n.to_string_lossy().starts_with(prefix)))
        .unwrap_or_else(|| panic!("no seed {prefix} in {}", dir.display()));
    read_doc(&std::fs::read_to_string(&path).expect("seed is text"))
}

fn entity(name: &str) -> QualifiedName {
    QualifiedName::new("Microsoft.NAV", name)
}

fn names(values: &[String]) -> Vec<&str> {
    values.iter().map(String::as_str).collect()
}

#[test]
#[cfg_attr(not(has_shared_seeds), ignore = "needs ../shared/seeds/ beside the repository")]
fn every_seed_matches_its_entity_by_content() {
    let models = both();
    let (_, reports) = load_docs(&seeds_dir(), &models).expect("seeds are readable");
    let matched: Vec<(String, Option<(String, String)>)> = reports
        .iter()
        .map(|r| {
            let prefix = r.file.get(..3).unwrap_or("").to_owned();
            (prefix, r.doc_match.target.as_ref().map(|t| (t.route.clone(), t.entity.name.clone())))
        })
        .collect();
    let expected = [
        ("000", REPORTS_FINANCE, "customerLedgerEntry"),
        ("001", V2, "generalLedgerEntry"),
        ("002", V2, "customerPaymentJournal"),
        ("003", V2, "customerPayment"),
        ("004", V2, "salesInvoiceLine"),
    ];
    assert_eq!(matched.len(), expected.len(), "{matched:?}");
    for ((prefix, found), (want_prefix, route, name)) in matched.iter().zip(expected) {
        assert_eq!(prefix, want_prefix);
        assert_eq!(found.as_ref(), Some(&(route.to_owned(), name.to_owned())), "seed {prefix}");
    }
    for report in &reports {
        assert!(report.doc_match.confidence() >= 0.8, "{}", report.summary_line());
    }
}

#[test]
#[cfg_attr(not(has_shared_seeds), ignore = "needs ../shared/seeds/ beside the repository")]
fn seed_000_matches_nothing_in_v2_alone() {
    let found = match_doc(&seed("000"), &[(V2, schema(V2))]);
    assert!(found.target.is_none(), "{found:?}");
    assert_eq!(found.verdict, MatchVerdict::BelowThreshold);
    assert!(found.best.as_ref().is_some_and(|b| b.score < 0.5));
}

#[test]
#[cfg_attr(not(has_shared_seeds), ignore = "needs ../shared/seeds/ beside the repository")]
fn v2_seeds_match_nothing_in_reports_finance_alone() {
    // customerLedgerEntry shares many names with the v2.0 ledger and payment types;
    // none of those docs may be applied to it.
    for prefix in ["001", "002", "003", "004"] {
        let found = match_doc(&seed(prefix), &[(REPORTS_FINANCE, schema(REPORTS_FINANCE))]);
        assert!(found.target.is_none(), "seed {prefix}: {found:?}");
    }
}

#[test]
#[cfg_attr(not(has_shared_seeds), ignore = "needs ../shared/seeds/ beside the repository")]
fn seed_000_customer_ledger_entry() {
    let doc = seed("000");
    assert_eq!(doc.format, DocFormat::MicrosoftDocs);
    assert_eq!(doc.claimed_entity.as_deref(), Some("customerLedgerEntry"));
    assert_eq!(doc.description.as_deref(), Some("Represents a customer ledger entry in Business Central."));
    assert_eq!(doc.methods.iter().copied().collect::<Vec<_>>(), vec![Method::Get]);
    assert_eq!(doc.properties.len(), 19);
    assert!(doc.property("lastModifiedDateTime").unwrap().read_only);
    assert!(!doc.property("amount").unwrap().read_only);
    assert_eq!(doc.property("postingDate").unwrap().type_text, "date");
    assert_eq!(doc.json_properties.len(), 19);
}

#[test]
#[cfg_attr(not(has_shared_seeds), ignore = "needs ../shared/seeds/ beside the repository")]
fn seed_001_guide() {
    let doc = seed("001");
    assert_eq!(doc.format, DocFormat::Guide);
    assert_eq!(doc.title.as_deref(), Some("General Ledger Entries"));
    assert!(
        doc.description.as_deref().is_some_and(|d| d.starts_with("General ledger entries are the posted transactions"))
    );
    assert_eq!(doc.methods.iter().copied().collect::<Vec<_>>(), vec![Method::Get]);
    assert_eq!(doc.properties.len(), 11);
    assert_eq!(doc.property("accountId").unwrap().type_text, "GUID");
    // The value table wins over the backticked list in the description, and keeps the blank member.
    assert_eq!(
        names(&doc.property("documentType").unwrap().enum_values),
        vec![" ", "Payment", "Invoice", "Credit Memo", "Finance Charge Memo", "Reminder", "Refund"]
    );
    assert_eq!(doc.filter_examples.len(), 8);
    assert_eq!(doc.filter_examples[0].label.as_deref(), Some("Entries for a specific date"));
    assert_eq!(doc.filter_examples[0].query, "$filter=postingDate eq 2025-02-17");
    assert!(doc.filter_examples.iter().all(|f| f.query.contains("$filter=")));
    let errors: Vec<(u16, &str)> = doc.errors.iter().map(|e| (e.status, e.name.as_str())).collect();
    assert_eq!(errors, vec![(401, "Unauthorized"), (404, "Not Found"), (405, "Method Not Allowed")]);
    assert!(doc.errors[2].text.contains("read-only"));
    // The response sample gives the JSON shape (annotations left out).
    assert!(doc.json_properties.iter().any(|p| p.name == "accountNumber"));
    assert!(!doc.json_properties.iter().any(|p| p.name.starts_with('@') || p.name == "value"));
}

#[test]
#[cfg_attr(not(has_shared_seeds), ignore = "needs ../shared/seeds/ beside the repository")]
fn seed_002_customer_payment_journal() {
    let doc = seed("002");
    assert_eq!(doc.format, DocFormat::MicrosoftDocs);
    assert_eq!(doc.description.as_deref(), Some("Represents a customer payments journal in Business Central."));
    assert_eq!(doc.methods.len(), 4);
    assert!(doc.property("id").unwrap().read_only, "Non-editable");
    assert!(doc.property("lastModifiedDateTime").unwrap().read_only, "Read-Only");
    assert!(!doc.property("code").unwrap().read_only);
    assert_eq!(doc.property("code").unwrap().max_length, Some(10));
    assert_eq!(doc.property("displayName").unwrap().max_length, Some(50));
    let json: Vec<&str> = doc.json_properties.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(
        json,
        vec!["id", "code", "displayName", "lastModifiedDateTime", "balancingAccountId", "balancingAccountNumber"]
    );
    // vendorPaymentJournal has the same properties: the wording decides, and the report says so.
    let found = match_doc(&doc, &both());
    assert_eq!(found.target.unwrap().entity.name, "customerPaymentJournal");
    assert!(found.notes.iter().any(|n| n.contains("vendorPaymentJournal")));
}

#[test]
#[cfg_attr(not(has_shared_seeds), ignore = "needs ../shared/seeds/ beside the repository")]
fn seed_003_plain_text_customer_payment() {
    let doc = seed("003");
    assert_eq!(doc.format, DocFormat::PlainText);
    assert_eq!(doc.claimed_entity.as_deref(), Some("customerPayments"));
    assert_eq!(doc.description.as_deref(), Some("Represents a customer payment in Dynamics 365 Business Central."));
    assert_eq!(doc.methods.len(), 4);
    assert_eq!(doc.properties.len(), 14);
    let customer_number = doc.property("customerNumber").unwrap();
    assert_eq!(customer_number.type_text, "string, maximum size 20");
    assert_eq!(customer_number.max_length, Some(20));
    assert_eq!(customer_number.description, "The number of the customer that the payment is related to.");
    assert_eq!(doc.property("contactId").unwrap().max_length, Some(250));
    assert!(doc.property("lastModifiedDateTime").unwrap().read_only);
    assert!(doc.property("id").unwrap().read_only);
    assert_eq!(doc.json_properties.len(), 14);
    let found = match_doc(&doc, &both());
    assert_eq!(found.missing_in_schema, vec!["contactId"]);
}

#[test]
#[cfg_attr(not(has_shared_seeds), ignore = "needs ../shared/seeds/ beside the repository")]
fn seed_004_mislabelled_sales_invoice_line() {
    let doc = seed("004");
    assert_eq!(doc.claimed_entity.as_deref(), Some("customerPaymentJournal"));
    assert_eq!(doc.properties.len(), 24);
    for name in
        ["amountExcludingTax", "taxPercent", "totalTaxAmount", "netAmountIncludingTax", "discountAppliedBeforeTax"]
    {
        assert!(doc.property(name).unwrap().read_only, "{name}");
    }
    assert!(!doc.property("quantity").unwrap().read_only);
    assert_eq!(
        names(&doc.property("lineType").unwrap().enum_values),
        vec!["Comment", "Account", "Item", "Resource", "Fixed Asset", "Charge"]
    );
    assert_eq!(doc.property("unitOfMeasure").unwrap().type_text, "NAV.UnitOfMeasure");
    // The JSON block is a journal's, not the line's.
    let json: Vec<&str> = doc.json_properties.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(
        json,
        vec!["id", "code", "displayName", "lastModifiedDateTime", "balancingAccountId", "balancingAccountNumber"]
    );

    let report = DocReport::new("004", &doc, &both());
    let found = &report.doc_match;
    assert_eq!(found.target.as_ref().unwrap().entity.name, "salesInvoiceLine");
    assert_eq!(found.missing_in_schema, vec!["lineDetails"]);
    assert!(found.json_missing_in_schema.contains(&"balancingAccountNumber".to_owned()));
    let disagreeing: Vec<&str> = found.type_disagreements.iter().map(|d| d.property.as_str()).collect();
    assert_eq!(disagreeing, vec!["sequence", "unitOfMeasure"]);
    assert!(report.notes.iter().any(|n| n.contains("title claims customerPaymentJournal")));
}

#[test]
#[cfg_attr(not(has_shared_seeds), ignore = "needs ../shared/seeds/ beside the repository")]
fn seed_facts_go_only_to_matched_entities() {
    let models = both();
    let (facts, _) = load_docs(&seeds_dir(), &models).expect("seeds are readable");
    let line = facts.entity(V2, &entity("salesInvoiceLine")).expect("004 applied to the line");
    assert_eq!(line.sources.len(), 1);
    assert!(line.properties["amountExcludingTax"].read_only);
    assert_eq!(line.properties["lineType"].enum_values.len(), 6);
    assert!(!line.properties.contains_key("lineDetails"), "the schema has no lineDetails");
    assert!(!line.properties.contains_key("code"), "JSON keys give no facts");
    // 004's title names customerPaymentJournal; only 002 may describe it.
    let journal = facts.entity(V2, &entity("customerPaymentJournal")).unwrap();
    assert_eq!(journal.sources, vec!["002_69e953d4d7298aab.txt"]);
    assert_eq!(journal.properties["displayName"].max_length, Some(50));
    let ledger = facts.property(REPORTS_FINANCE, &entity("customerLedgerEntry"), "lastModifiedDateTime").unwrap();
    assert!(ledger.read_only);
    let payment = facts.property(V2, &entity("customerPayment"), "customerNumber").unwrap();
    assert_eq!(payment.max_length, Some(20));
    assert_eq!(facts.entities.len(), 5);
}

#[test]
#[cfg_attr(not(has_shared_seeds), ignore = "needs ../shared/seeds/ beside the repository")]
fn documented_methods_against_capabilities() {
    // A guide that claims POST on the read-only general ledger entries.
    let mut doc = seed("001");
    doc.methods.insert(Method::Post);
    let report = DocReport::new("001", &doc, &both());
    let conflicts: Vec<(Method, &str)> =
        report.capability_conflicts.iter().map(|c| (c.method, c.entity_set.as_str())).collect();
    assert_eq!(conflicts, vec![(Method::Post, "generalLedgerEntries")]);
}
