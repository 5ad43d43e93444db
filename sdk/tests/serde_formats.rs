//! Generated entities, enums and payloads in serde formats other than the
//! OData JSON the service speaks: csv and toml write the properties by wire
//! name and read them back, and serde_json keeps decimals exact (with their
//! scale) and unknown properties, without `arbitrary_precision`.

use business_central_sdk::api::v2_0::customer::{self, Customer, CustomerCreate, CustomerUpdate};
use business_central_sdk::api::v2_0::enums::{CustomerBlocked, GenJournalDocumentType};
use business_central_sdk::api::v2_0::general_ledger_entry::GeneralLedgerEntry;
use business_central_sdk::runtime::rust_decimal::Decimal;
use business_central_sdk::runtime::{Edm, Payload};

/// A customer as Business Central sends it, with a property the generated
/// type does not declare.
const CUSTOMER: &str = r#"{
    "@odata.etag": "W/\"JzE5OzEyMzQ1Njc4OTA7MDA7Jw==\"",
    "id": "a1a1a1a1-1111-1111-1111-aaaaaaaaaaaa",
    "number": "10000",
    "displayName": "Adatum Corporation, \"Head office\"",
    "type": "Company",
    "addressLine1": "192 Market Square",
    "city": "Atlanta",
    "country": "US",
    "balanceDue": 12345678901234.56789,
    "creditLimit": 1000.00,
    "taxLiable": true,
    "currencyCode": "",
    "blocked": "Invoice",
    "lastModifiedDateTime": "2025-02-17T09:45:00.593Z",
    "contosoRating": 4.50
}"#;

const LEDGER_ENTRY: &str = r#"{
    "@odata.etag": "W/\"JzE5OzY3NDQ3OTQ1NzU5MTI1NzUxNjAxOzAwOyc=\"",
    "id": "a1a1a1a1-1111-1111-1111-aaaaaaaaaaaa",
    "entryNumber": 1001,
    "postingDate": "2025-02-17",
    "documentNumber": "GJ-001",
    "documentType": "Credit_x0020_Memo",
    "accountNumber": "60100",
    "description": "Monthly office rent",
    "debitAmount": 0,
    "creditAmount": 1000.00,
    "lastModifiedDateTime": "2025-02-17T09:45:00.593Z"
}"#;

fn customer() -> Customer {
    serde_json::from_str(CUSTOMER).expect("a BC customer decodes")
}

fn ledger_entry() -> GeneralLedgerEntry {
    serde_json::from_str(LEDGER_ENTRY).expect("a BC ledger entry decodes")
}

fn to_csv<T: serde::Serialize>(rows: &[T]) -> String {
    let mut writer = csv::Writer::from_writer(Vec::new());
    for row in rows {
        writer.serialize(row).expect("the csv crate writes the row");
    }
    String::from_utf8(writer.into_inner().expect("flushed")).expect("UTF-8")
}

fn from_csv<T: serde::de::DeserializeOwned>(text: &str) -> Vec<T> {
    csv::Reader::from_reader(text.as_bytes())
        .deserialize()
        .collect::<Result<_, _>>()
        .expect("the csv crate reads it back")
}

/// Reading the same entity from the other formats gives back the same
/// values: compared through the OData JSON the runtime sends, which holds
/// every property. Unknown numbers other than integers come back as
/// strings of their exact text, which `unknown` lists.
fn same(back: &impl Edm, original: &impl Edm, unknown: &[(&str, &str)]) {
    let mut expected = original.to_json();
    for (number, text) in unknown {
        expected = expected.replace(number, text);
    }
    assert_eq!(back.to_json(), expected);
}

#[test]
fn a_customer_is_a_csv_row_of_wire_names() {
    let csv = to_csv(&[customer(), customer()]);
    let mut lines = csv.lines();
    let header = lines.next().expect("a header row");
    assert!(
        header.starts_with("id,number,displayName,type,addressLine1,addressLine2,city,"),
        "wire names, in declaration order: {header}"
    );
    assert!(header.contains(",balanceDue,creditLimit,taxLiable,"), "{header}");
    assert!(header.ends_with(",blocked,lastModifiedDateTime,@odata.etag,contosoRating"), "{header}");
    assert!(!header.contains("serde_json"), "no raw-value wrapper: {header}");
    let row = lines.next().expect("a record");
    assert!(
        row.starts_with(r#"a1a1a1a1-1111-1111-1111-aaaaaaaaaaaa,10000,"Adatum Corporation, ""Head office""",Company,"#),
        "{row}"
    );
    // Exact decimals with their scale, the enum by its wire name, the
    // timestamp as OData writes it; an absent value is an empty cell.
    assert!(row.contains(",12345678901234.56789,1000.00,true,"), "{row}");
    assert!(row.contains(",Invoice,2025-02-17T09:45:00.593Z,"), "{row}");
    assert!(row.ends_with(",4.50"), "{row}");

    let back: Vec<Customer> = from_csv(&csv);
    assert_eq!(back.len(), 2);
    let back = &back[0];
    assert_eq!(back.balance_due.expect("set").to_string(), "12345678901234.56789");
    assert_eq!(back.credit_limit.expect("set").to_string(), "1000.00");
    assert_eq!(back.blocked, Some(CustomerBlocked::Invoice));
    assert_eq!(back.etag, customer().etag);
    assert_eq!(back.address_line2, None, "an empty cell of a nullable property is null");
    // CSV has no types: the unknown property comes back as its text.
    assert_eq!(back.additional_properties.get("contosoRating").map(|v| v.get()), Some(r#""4.50""#));
}

#[test]
fn a_ledger_entry_with_a_date_goes_through_csv() {
    let csv = to_csv(&[ledger_entry()]);
    let mut lines = csv.lines();
    let header = lines.next().expect("a header row");
    assert!(header.starts_with("id,entryNumber,postingDate,documentNumber,documentType,"), "{header}");
    let row = lines.next().expect("a record");
    assert!(row.contains(",1001,2025-02-17,GJ-001,Credit_x0020_Memo,"), "{row}");
    assert!(row.contains(",0,1000.00,"), "{row}");
    let back: Vec<GeneralLedgerEntry> = from_csv(&csv);
    same(&back[0], &ledger_entry(), &[]);
    assert_eq!(back[0].document_type, Some(GenJournalDocumentType::CreditMemo));
    assert_eq!(back[0].posting_date.map(|d| d.to_string()).as_deref(), Some("2025-02-17"));
}

#[test]
fn a_customer_goes_through_toml() {
    let text = toml::to_string(&customer()).expect("toml writes a customer");
    assert!(
        text.contains(r#"displayName = 'Adatum Corporation, "Head office"'"#)
            || text.contains("displayName = \"Adatum Corporation, \\\"Head office\\\"\""),
        "{text}"
    );
    assert!(text.contains(r#"balanceDue = "12345678901234.56789""#), "{text}");
    assert!(text.contains(r#"creditLimit = "1000.00""#), "{text}");
    assert!(text.contains(r#"blocked = "Invoice""#), "{text}");
    assert!(text.contains(r#"lastModifiedDateTime = "2025-02-17T09:45:00.593Z""#), "{text}");
    let back: Customer = toml::from_str(&text).expect("toml reads it back");
    same(&back, &customer(), &[(r#""contosoRating":4.50"#, r#""contosoRating":"4.50""#)]);
    assert_eq!(back.credit_limit.expect("set").to_string(), "1000.00");

    let entry = toml::to_string(&ledger_entry()).expect("toml writes a ledger entry");
    assert!(entry.contains(r#"postingDate = "2025-02-17""#), "{entry}");
    same(&toml::from_str::<GeneralLedgerEntry>(&entry).expect("read back"), &ledger_entry(), &[]);
}

#[test]
fn serde_json_keeps_decimals_exact_and_unknown_properties() {
    let text = serde_json::to_string(&customer()).expect("serializes");
    // Decimals are strings of their exact digits, scale kept.
    assert!(text.contains(r#""balanceDue":"12345678901234.56789","creditLimit":"1000.00""#), "{text}");
    assert!(text.contains(r#""blocked":"Invoice""#), "{text}");
    assert!(text.contains(r#""contosoRating":"4.50""#), "{text}");
    let back: Customer = serde_json::from_str(&text).expect("reads its own output");
    assert_eq!(back.balance_due.expect("set").to_string(), "12345678901234.56789");
    assert_eq!(back.credit_limit.expect("set").to_string(), "1000.00");
    assert_eq!(back.etag, customer().etag);
    assert_eq!(back.additional_properties.get("contosoRating").map(|v| v.get()), Some(r#""4.50""#));
    assert_eq!(serde_json::to_string(&back).expect("again"), text, "a second round trip changes nothing");

    // The OData JSON the runtime sends is unchanged: numbers stay numbers.
    let wire = customer().to_json();
    assert!(wire.starts_with(r#"{"@odata.etag":"W/\"JzE5OzEyMzQ1Njc4OTA7MDA7Jw==\"","id":"#), "{wire}");
    assert!(wire.contains(r#""balanceDue":12345678901234.56789,"creditLimit":1000.00,"#), "{wire}");
    assert!(wire.ends_with(r#""contosoRating":4.50}"#), "{wire}");
}

#[test]
fn an_enum_is_its_wire_name() {
    assert_eq!(
        serde_json::to_string(&GenJournalDocumentType::CreditMemo).expect("serializes"),
        r#""Credit_x0020_Memo""#
    );
    let back: GenJournalDocumentType = serde_json::from_str(r#""Credit_x0020_Memo""#).expect("reads");
    assert_eq!(back, GenJournalDocumentType::CreditMemo);
}

#[test]
fn payloads_serialize_what_was_set() {
    let create = CustomerCreate::new("Adatum, Ltd.")
        .number("10000")
        .credit_limit("1000.00".parse::<Decimal>().expect("a decimal"))
        .blocked(CustomerBlocked::Ship);
    assert_eq!(
        serde_json::to_string(&create).expect("serializes"),
        r#"{"displayName":"Adatum, Ltd.","number":"10000","creditLimit":"1000.00","blocked":"Ship"}"#
    );
    assert_eq!(to_csv(&[&create]), "displayName,number,creditLimit,blocked\n\"Adatum, Ltd.\",10000,1000.00,Ship\n");
    // What is sent to the service is OData JSON with a number.
    assert_eq!(
        create.to_json(),
        r#"{"displayName":"Adatum, Ltd.","number":"10000","creditLimit":1000.00,"blocked":"Ship"}"#
    );
    let back: CustomerCreate =
        serde_json::from_str(&serde_json::to_string(&create).expect("serializes")).expect("reads");
    assert_eq!(back.to_json(), create.to_json());
    // toml reads its tables in key order: the same fields, in another order.
    let back: CustomerCreate = toml::from_str(&toml::to_string(&create).expect("toml")).expect("reads toml");
    assert_eq!(back.fields().names().count(), 4);
    for name in create.fields().names() {
        assert_eq!(back.fields().get(name), create.fields().get(name), "{name}");
    }

    let update = CustomerUpdate::new().set_null(customer::credit_limit());
    assert_eq!(serde_json::to_string(&update).expect("serializes"), r#"{"creditLimit":null}"#);
    let error = serde_json::from_str::<CustomerUpdate>(r#"{"balanceDue":"1"}"#).expect_err("read-only");
    assert!(error.to_string().contains("cannot hold `balanceDue`"), "{error}");
}
