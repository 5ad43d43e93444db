//! The generated v2.0 types decode real Business Central JSON exactly, keep
//! what they do not know, and build the bodies and URLs BC expects.

use business_central_sdk::api::v2_0::{self, customer, enums, general_ledger_entry, sales_invoice, sales_invoice_line};
use business_central_sdk::runtime::rust_decimal::Decimal;
use business_central_sdk::runtime::uuid::Uuid;
use business_central_sdk::runtime::{self as rt, Client, EdmEnum, Payload};
use business_central_sdk::{Blank, Environment};

const LEDGER_ENTRY: &str = r#"{
    "@odata.etag": "W/\"JzE5OzY3NDQ3OTQ1NzU5MTI1NzUxNjAxOzAwOyc=\"",
    "id": "a1a1a1a1-1111-1111-1111-aaaaaaaaaaaa",
    "entryNumber": 1001,
    "postingDate": "2025-02-17",
    "documentNumber": "GJ-001",
    "documentType": "Credit_x0020_Memo",
    "accountId": "a1b2c3d4-e5f6-7890-abcd-666666666666",
    "accountNumber": "60100",
    "description": "Monthly office rent",
    "debitAmount": 12345678901234.56789,
    "creditAmount": 1000.00,
    "additionalCurrencyDebitAmount": 0,
    "additionalCurrencyCreditAmount": 0,
    "lastModifiedDateTime": "2025-02-17T09:45:00.593Z",
    "contosoRegion": {"code": "EU", "weight": 0.12345678901234567890}
}"#;

fn api() -> v2_0::Api {
    let client = Client::builder(Environment::custom("https://bc.example/v2.0/tenant/production/"))
        .build()
        .expect("client builds");
    v2_0::Api::new(&client)
}

#[test]
fn decimals_survive_exactly() {
    let entry: general_ledger_entry::GeneralLedgerEntry = serde_json::from_str(LEDGER_ENTRY).expect("decodes");
    assert_eq!(entry.debit_amount.expect("set").to_string(), "12345678901234.56789");
    assert_eq!(entry.credit_amount.expect("set").to_string(), "1000.00");
    assert_eq!(entry.credit_amount, Some(Decimal::from(1000)));
}

#[test]
fn entities_keep_etag_enums_dates_and_unknown_properties() {
    let entry: general_ledger_entry::GeneralLedgerEntry = serde_json::from_str(LEDGER_ENTRY).expect("decodes");
    assert_eq!(entry.etag.as_ref().map(|e| e.as_str()), Some("W/\"JzE5OzY3NDQ3OTQ1NzU5MTI1NzUxNjAxOzAwOyc=\""));
    assert_eq!(entry.document_type, Some(enums::GenJournalDocumentType::CreditMemo));
    assert_eq!(entry.posting_date.map(|d| d.to_string()).as_deref(), Some("2025-02-17"));
    assert_eq!(entry.id, Uuid::parse_str("a1a1a1a1-1111-1111-1111-aaaaaaaaaaaa").expect("uuid"));
    let extra = entry.additional_properties.get("contosoRegion").expect("unknown property kept");
    assert_eq!(extra.get(), r#"{"code": "EU", "weight": 0.12345678901234567890}"#);
}

#[test]
fn a_round_trip_loses_nothing() {
    let entry: general_ledger_entry::GeneralLedgerEntry = serde_json::from_str(LEDGER_ENTRY).expect("decodes");
    // The OData JSON the runtime sends keeps every number as it came.
    let written = rt::Edm::to_json(&entry);
    let again: general_ledger_entry::GeneralLedgerEntry = serde_json::from_str(&written).expect("decodes again");
    assert_eq!(again, entry);
    assert!(written.contains("\"debitAmount\":12345678901234.56789"), "{written}");
    assert!(written.contains("\"creditAmount\":1000.00"), "{written}");
    assert!(written.contains("\"documentType\":\"Credit_x0020_Memo\""), "{written}");
    assert!(written.contains("\"lastModifiedDateTime\":\"2025-02-17T09:45:00.593Z\""), "{written}");
    assert!(written.contains(r#""contosoRegion":{"code": "EU", "weight": 0.12345678901234567890}"#), "{written}");

    // serde's data model (serde_json::to_string): decimals are strings of
    // their exact digits, and so are the unknown numbers other than
    // integers; everything comes back.
    let written = serde_json::to_string(&entry).expect("serializes");
    assert!(written.contains("\"debitAmount\":\"12345678901234.56789\""), "{written}");
    assert!(written.contains("\"creditAmount\":\"1000.00\""), "{written}");
    assert!(written.contains(r#""contosoRegion":{"code":"EU","weight":"0.12345678901234567890"}"#), "{written}");
    let again: general_ledger_entry::GeneralLedgerEntry = serde_json::from_str(&written).expect("decodes again");
    assert_eq!(again.debit_amount, entry.debit_amount);
    assert_eq!(again.credit_amount.expect("set").to_string(), "1000.00");
    assert_eq!(again.etag, entry.etag);
    assert_eq!(serde_json::to_string(&again).expect("serializes again"), written);
}

#[test]
fn unknown_enum_values_are_kept_and_written_back() {
    let json = LEDGER_ENTRY.replace("Credit_x0020_Memo", "Contoso_x0020_Charge");
    let entry: general_ledger_entry::GeneralLedgerEntry = serde_json::from_str(&json).expect("decodes");
    let document_type = entry.document_type.clone().expect("set");
    assert!(matches!(document_type, enums::GenJournalDocumentType::Unknown(_)), "{document_type:?}");
    assert_eq!(document_type.as_str(), "Contoso_x0020_Charge");
    assert_eq!(document_type, enums::GenJournalDocumentType::from_wire("Contoso_x0020_Charge"));
    assert!(serde_json::to_string(&entry).expect("serializes").contains("\"documentType\":\"Contoso_x0020_Charge\""));
}

#[test]
fn enum_variants_are_named_from_decoded_members() {
    use enums::CustomerBlocked;
    assert_eq!(CustomerBlocked::from_wire("_x0020_"), CustomerBlocked::Blank);
    assert_eq!(CustomerBlocked::Blank.wire_name(), "_x0020_");
    assert_eq!(enums::GenJournalDocumentType::CreditMemo.wire_name(), "Credit_x0020_Memo");
    assert_eq!(enums::GenJournalDocumentType::CreditMemo.to_string(), "Credit Memo");
    assert_eq!("Credit Memo".parse(), Ok(enums::GenJournalDocumentType::CreditMemo));
    assert_eq!("Credit_x0020_Memo".parse(), Ok(enums::GenJournalDocumentType::CreditMemo));
    assert!("Nonsense".parse::<enums::GenJournalDocumentType>().is_err());
    assert_eq!(enums::ItemType::from_wire("Non_x002D_Inventory"), enums::ItemType::NonInventory);
}

#[test]
fn blank_values_are_recognisable() {
    let json = LEDGER_ENTRY
        .replace("2025-02-17\"", "0001-01-01\"")
        .replace("a1b2c3d4-e5f6-7890-abcd-666666666666", "00000000-0000-0000-0000-000000000000");
    let entry: general_ledger_entry::GeneralLedgerEntry = serde_json::from_str(&json).expect("decodes");
    assert!(entry.posting_date.expect("set").is_blank());
    assert!(entry.account_id.expect("set").is_blank());
}

#[test]
fn missing_non_nullable_values_are_decode_errors_with_a_path() {
    let error = serde_json::from_str::<general_ledger_entry::GeneralLedgerEntry>(r#"{"entryNumber": 1}"#)
        .expect_err("id is required");
    assert!(error.to_string().contains("missing field `id`"), "{error}");
    let error = serde_json::from_str::<general_ledger_entry::GeneralLedgerEntry>(
        &LEDGER_ENTRY.replace("\"2025-02-17\"", "\"17.02.2025\""),
    )
    .expect_err("bad date");
    assert!(error.to_string().contains("17.02.2025"), "{error}");
}

#[test]
fn expanded_navigations_and_stream_links_decode() {
    let json = r#"{
        "@odata.etag": "W/\"1\"",
        "id": "cccccccc-0000-0000-0000-000000000001",
        "number": "S-INV-1001",
        "customerNumber": "10000",
        "billToCustomerNumber": "10000",
        "status": "Draft",
        "totalAmountIncludingTax": 1499.03,
        "customer": {"@odata.etag": "W/\"7\"", "id": "aaaaaaaa-0000-0000-0000-000000000001", "displayName": "Adatum Corporation", "blocked": "_x0020_"},
        "salesInvoiceLines": [
            {"@odata.etag": "W/\"2\"", "id": "dddddddd-0000-0000-0000-000000000001", "lineType": "Item", "quantity": 3, "unitPrice": 499.67},
            {"@odata.etag": "W/\"3\"", "id": "dddddddd-0000-0000-0000-000000000002", "lineType": "Comment", "description": "Thank you"}
        ],
        "pdfDocument": {"id": "cccccccc-0000-0000-0000-000000000001", "pdfDocumentContent@odata.mediaReadLink": "https://bc.example/salesInvoices(cccccccc-0000-0000-0000-000000000001)/pdfDocument/pdfDocumentContent"}
    }"#;
    let invoice: sales_invoice::SalesInvoice = serde_json::from_str(json).expect("decodes");
    let customer = invoice.customer.as_ref().expect("expanded customer");
    assert_eq!(customer.display_name, "Adatum Corporation");
    assert_eq!(customer.blocked, Some(enums::CustomerBlocked::Blank));
    let lines = invoice.sales_invoice_lines.as_ref().expect("expanded lines");
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0].line_type, Some(enums::InvoiceLineAggLineType::Item));
    assert_eq!(lines[0].unit_price.map(|d| d.to_string()).as_deref(), Some("499.67"));
    let pdf = invoice.pdf_document.as_ref().expect("expanded pdf document");
    assert!(
        pdf.pdf_document_content.read_link.as_deref().expect("media link").ends_with("/pdfDocument/pdfDocumentContent")
    );
    assert!(invoice.additional_properties.is_empty(), "{:?}", invoice.additional_properties);
}

#[test]
fn create_takes_required_values_and_sends_only_what_is_set() {
    let create = customer::CustomerCreate::new("Adatum Corporation").email("a@adatum.com").credit_limit(5000);
    assert_eq!(create.to_json(), r#"{"displayName":"Adatum Corporation","email":"a@adatum.com","creditLimit":5000}"#);
    // BC fills billToCustomerNumber from the customer (our docs say so), so only the customer number is required.
    let invoice = sales_invoice::SalesInvoiceCreate::new("10000");
    assert_eq!(invoice.to_json(), r#"{"customerNumber":"10000"}"#);
}

#[test]
fn deep_insert_puts_lines_inside_the_document() {
    let line = sales_invoice_line::SalesInvoiceLineCreate::new()
        .line_type(enums::InvoiceLineAggLineType::Item)
        .line_object_number("1928-S")
        .quantity(3);
    let invoice = sales_invoice::SalesInvoiceCreate::new("20000").sales_invoice_lines([line]);
    assert_eq!(
        invoice.to_json(),
        r#"{"customerNumber":"20000","salesInvoiceLines":[{"lineType":"Item","lineObjectNumber":"1928-S","quantity":3}]}"#
    );
}

#[test]
fn update_distinguishes_unchanged_null_and_value() {
    let update = customer::CustomerUpdate::new();
    assert_eq!(update.to_json(), "{}");
    let update = customer::CustomerUpdate::new().display_name("Trey Research").set_null(customer::email());
    assert_eq!(update.to_json(), r#"{"displayName":"Trey Research","email":null}"#);
    let update = customer::CustomerUpdate::new().set(customer::blocked(), enums::CustomerBlocked::Ship);
    assert_eq!(update.to_json(), r#"{"blocked":"Ship"}"#);
}

#[test]
fn paths_mirror_business_central_urls() {
    let api = api();
    let company = Uuid::parse_str("11111111-1111-1111-1111-111111111111").expect("uuid");
    let invoice = Uuid::parse_str("cccccccc-0000-0000-0000-000000000001").expect("uuid");
    let root = "https://bc.example/v2.0/tenant/production/api/v2.0/";
    assert_eq!(api.companies().url(), format!("{root}companies"));
    assert_eq!(
        api.company(company).sales_invoice(invoice).sales_invoice_lines().url(),
        format!(
            "{root}companies(11111111-1111-1111-1111-111111111111)/salesInvoices(cccccccc-0000-0000-0000-000000000001)/salesInvoiceLines"
        )
    );
    assert_eq!(
        api.company_by_name("CRONUS USA, Inc.").customers().url(),
        format!("{root}companies(name='CRONUS%20USA%2C%20Inc.')/customers")
    );
    assert_eq!(api.company_by_name("O'Brien & Sons").url(), format!("{root}companies(name='O''Brien%20%26%20Sons')"));
    assert_eq!(
        api.company(company).sales_invoice(invoice).customer().url(),
        format!(
            "{root}companies(11111111-1111-1111-1111-111111111111)/salesInvoices(cccccccc-0000-0000-0000-000000000001)/customer"
        )
    );
    assert_eq!(api.subscription("abc'd").url(), format!("{root}subscriptions('abc''d')"));
    assert_eq!(
        api.company(company).customer_sale(company, "10000", "Adatum").url(),
        format!(
            "{root}companies(11111111-1111-1111-1111-111111111111)/customerSales(customerId=11111111-1111-1111-1111-111111111111,customerNumber='10000',name='Adatum')"
        )
    );
}

#[test]
fn bound_actions_and_streams_have_their_own_paths() {
    let api = api();
    let company = Uuid::nil();
    let invoice = api.company(company).sales_invoice(Uuid::nil());
    let post = invoice.post();
    assert_eq!(post.method(), rt::Method::Post);
    assert!(
        post.url().ends_with("/salesInvoices(00000000-0000-0000-0000-000000000000)/Microsoft.NAV.post"),
        "{}",
        post.url()
    );
    assert_eq!(post.body(), None);
    let pdf = invoice.pdf_document().pdf_document_content();
    assert!(pdf.url().ends_with("/salesInvoices(00000000-0000-0000-0000-000000000000)/pdfDocument/pdfDocumentContent"));
    assert_eq!(pdf.download().method(), rt::Method::Get);
}
