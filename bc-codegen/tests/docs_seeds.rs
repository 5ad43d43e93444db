//! The resource-docs reader against the shared seed docs (four formats, one
//! with a wrong title) and against the project's own docs, with the
//! committed schemas.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use business_central_codegen::docs::{
    DocFormat, DocReport, MatchVerdict, Method, ResourceDoc, load_docs, match_doc, read_doc,
};
use odata_v4_codegen::ir::{Model, QualifiedName};

const V2: &str = "api/v2.0";
const REPORTS_FINANCE: &str = "api/microsoft/reportsFinance/beta";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("codegen sits in the workspace").to_path_buf()
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
fn seed_000_matches_nothing_in_v2_alone() {
    let found = match_doc(&seed("000"), &[(V2, schema(V2))]);
    assert!(found.target.is_none(), "{found:?}");
    assert_eq!(found.verdict, MatchVerdict::BelowThreshold);
    assert!(found.best.as_ref().is_some_and(|b| b.score < 0.5));
}

#[test]
fn v2_seeds_match_nothing_in_reports_finance_alone() {
    // customerLedgerEntry shares many names with the v2.0 ledger and payment types;
    // none of those docs may be applied to it.
    for prefix in ["001", "002", "003", "004"] {
        let found = match_doc(&seed(prefix), &[(REPORTS_FINANCE, schema(REPORTS_FINANCE))]);
        assert!(found.target.is_none(), "seed {prefix}: {found:?}");
    }
}

#[test]
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
fn documented_methods_against_capabilities() {
    // A guide that claims POST on the read-only general ledger entries.
    let mut doc = seed("001");
    doc.methods.insert(Method::Post);
    let report = DocReport::new("001", &doc, &both());
    let conflicts: Vec<(Method, &str)> =
        report.capability_conflicts.iter().map(|c| (c.method, c.entity_set.as_str())).collect();
    assert_eq!(conflicts, vec![(Method::Post, "generalLedgerEntries")]);
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
