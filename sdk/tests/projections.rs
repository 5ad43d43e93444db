//! Projections through the generated API, as the README shows them: a
//! list, a stream and pages of a typed path read rows that hold only the
//! selected properties (with a nested projection of a navigation property),
//! a single read does the same, an update takes the row as its `current`
//! (its ETag in If-Match), and the export composes with a projection.

mod support;

use business_central_sdk::api::v2_0::{self, customer, general_ledger_entry as gle, payment_term};
use business_central_sdk::runtime::uuid::Uuid;
use business_central_sdk::runtime::{Client, ETag, projection};
use futures_util::StreamExt;
use serde_json::json;
use support::builder;
use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const COMPANY: &str = "/api/v2.0/companies(11111111-1111-1111-1111-111111111111)";
const CUSTOMER_ID: &str = "aaaaaaaa-0000-0000-0000-000000000001";
const ETAG: &str = "W/\"JzE5OzY3NDQ3OTQ1NzU5MTI1NzUxNjAxOzAwOyc=\"";

projection! {
    #[derive(Debug, Clone, PartialEq)]
    pub struct Mailing of customer::Customer {
        pub id: customer::fields::Id,
        pub number: customer::fields::Number,
        pub display_name: customer::fields::DisplayName,
        #[etag] pub etag,
        #[expand] pub terms: customer::fields::PaymentTerm => Terms,
    }

    #[derive(Debug, Clone, PartialEq)]
    pub struct Terms of payment_term::PaymentTerm {
        pub code: payment_term::fields::Code,
    }

    #[derive(Debug)]
    pub struct EntryRow of gle::GeneralLedgerEntry {
        pub entry_number: gle::fields::EntryNumber,
    }
}

fn company(client: &Client) -> v2_0::company::CompanyPath {
    v2_0::Api::new(client).company(Uuid::parse_str("11111111-1111-1111-1111-111111111111").expect("uuid"))
}

/// A customer as BC sends it, with properties the projection does not hold.
fn customer_json(n: u32) -> serde_json::Value {
    json!({
        "@odata.etag": ETAG, "id": CUSTOMER_ID, "number": format!("C{n:05}"), "displayName": format!("Customer {n}"),
        "email": "not@selected.example", "balanceDue": 12.5, "blocked": "_x0020_",
        "paymentTerm": {"code": "14 DAYS", "dueDateCalculation": "14D"}
    })
}

fn expected(n: u32) -> Mailing {
    Mailing {
        id: Uuid::parse_str(CUSTOMER_ID).expect("uuid"),
        number: Some(format!("C{n:05}")),
        display_name: format!("Customer {n}"),
        etag: Some(ETag::new(ETAG)),
        terms: Some(Terms { code: "14 DAYS".to_owned() }),
    }
}

#[tokio::test]
async fn lists_streams_pages_and_single_reads_decode_projections() {
    let server = MockServer::start().await;
    let next = format!("{}{COMPANY}/customers?$skiptoken=2", server.uri());
    Mock::given(method("GET"))
        .and(path(format!("{COMPANY}/customers")))
        .and(query_param("$skiptoken", "2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"value": [customer_json(3)]})))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{COMPANY}/customers")))
        .and(query_param("$select", "id,number,displayName"))
        .and(query_param("$expand", "paymentTerm($select=code)"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"value": [customer_json(1), customer_json(2)], "@odata.nextLink": next})),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{COMPANY}/customers({CUSTOMER_ID})")))
        .and(query_param("$select", "id,number,displayName"))
        .respond_with(ResponseTemplate::new(200).set_body_json(customer_json(7)))
        .mount(&server)
        .await;
    let client = builder(&server).build().expect("client");
    let company = company(&client);

    let query = company.customers().list().filter(customer::display_name().starts_with("C")).select_as::<Mailing>();
    assert!(
        query.query_string().ends_with("$select=id,number,displayName&$expand=paymentTerm($select%3Dcode)"),
        "{}",
        query.query_string()
    );
    let rows: Vec<Mailing> = query.collect().await.expect("collect");
    assert_eq!(rows, [expected(1), expected(2), expected(3)]);
    let streamed: Vec<Mailing> = query.stream().map(|row| row.expect("row")).collect().await;
    assert_eq!(streamed, rows);
    let pages: Vec<usize> = query.pages().map(|page| page.expect("page").items.len()).collect().await;
    assert_eq!(pages, [2, 1]);

    let one: Mailing =
        company.customer(Uuid::parse_str(CUSTOMER_ID).expect("uuid")).get().select_as::<Mailing>().await.expect("get");
    assert_eq!(one, expected(7));

    // Whole entities are read as before.
    let whole = company.customers().list().select(customer::display_name());
    assert!(whole.query_string().starts_with("$select=id,displayName"), "{}", whole.query_string());
}

#[tokio::test]
async fn an_update_takes_the_projection_and_sends_its_etag() {
    let server = MockServer::start().await;
    Mock::given(method("PATCH"))
        .and(path(format!("{COMPANY}/customers({CUSTOMER_ID})")))
        .and(header("If-Match", ETAG))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"@odata.etag": "W/\"2\"", "id": CUSTOMER_ID, "displayName": "Customer 1 Ltd", "blocked": "_x0020_"}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let client = builder(&server).build().expect("client");
    let row = expected(1);
    let changes = customer::CustomerUpdate::new().display_name(format!("{} Ltd", row.display_name));
    let updated = company(&client).customer(row.id).update(&row, changes).await.expect("update");
    assert_eq!(updated.display_name, "Customer 1 Ltd");
}

#[test]
fn the_export_reads_projections_of_a_typed_path() {
    let client = Client::builder(business_central_sdk::Environment::custom("http://127.0.0.1:1/")).build().unwrap();
    let query = company(&client).general_ledger_entries().list().select_as::<EntryRow>();
    assert_eq!(query.query_string(), "$select=entryNumber");
    // Built, not started (the runtime's tests run an export of projections).
    let _export = query.export_by(gle::entry_number(), |row: &EntryRow| row.entry_number).concurrency(2);
}
