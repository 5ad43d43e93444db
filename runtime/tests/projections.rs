//! Typed projections (`projection!`, `select_as`) against a hand-declared
//! model with the shapes the generator emits: what the query asks for,
//! how rows decode (exact values, nullability, unknown properties,
//! nested projections), and the operations that take them: paging,
//! single reads, `$batch`, updates with the projection's ETag, and the
//! parallel export.

mod support;

use futures_util::StreamExt;
use odata_v4_runtime::rust_decimal::Decimal;
use odata_v4_runtime::uuid::Uuid;
use odata_v4_runtime::{Batch, CollectionPath, Edm, Error, Page, Projection, projection};
use serde_json::json;
use support::{api, builder};
use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// `Shop.invoice` with its `lines` (many) and `customer` (one).
mod invoice {
    use odata_v4_runtime::rust_decimal::Decimal;
    use odata_v4_runtime::uuid::Uuid;
    use odata_v4_runtime::{ETag, Entity, EntitySet, Filterable, Many, Navigation, One, PayloadFields, Property};
    use odata_v4_runtime::{PropertyOf, Sortable, Updatable};

    /// The whole entity (only what the tests need of it).
    #[derive(Debug, serde::Deserialize)]
    pub struct Invoice {
        pub id: Uuid,
    }

    impl Entity for Invoice {
        type Service = crate::support::model::Shop;
        const TYPE_NAME: &'static str = "Shop.invoice";
        const ALWAYS_SELECTED: &'static [&'static str] = &["id", "customerName"];
        fn etag(&self) -> Option<&ETag> {
            None
        }
    }

    pub enum Invoices {}
    impl EntitySet for Invoices {
        type Entity = Invoice;
        type Key = Uuid;
        const NAME: &'static str = "invoices";
    }
    impl Filterable for Invoices {}
    impl Sortable for Invoices {}
    impl Updatable for Invoices {
        type Update = InvoiceUpdate;
    }

    #[derive(Debug, Default)]
    pub struct InvoiceUpdate(pub PayloadFields);
    impl odata_v4_runtime::Payload for InvoiceUpdate {
        type Entity = Invoice;
        fn to_json(&self) -> String {
            self.0.to_json()
        }
    }

    macro_rules! property {
        ($name:ident of $entity:ty, $wire:literal: $value:ty, $inner:ty) => {
            #[derive(Debug, Clone, Copy)]
            pub struct $name;
            impl Property for $name {
                type Entity = $entity;
                type Value = $value;
                type Inner = $inner;
                const NAME: &'static str = $wire;
            }
            impl PropertyOf<$entity> for $name {}
        };
    }
    pub(crate) use property;

    pub mod fields {
        use super::*;
        property!(Id of Invoice, "id": Uuid, Uuid);
        property!(Number of Invoice, "number": Option<String>, String);
        property!(CustomerName of Invoice, "customerName": String, String);
        property!(Total of Invoice, "totalAmount": Option<Decimal>, Decimal);

        #[derive(Debug, Clone, Copy)]
        pub struct Lines;
        impl Navigation for Lines {
            type Source = Invoice;
            type Target = super::super::line::Lines;
            type Cardinality = Many;
            const NAME: &'static str = "lines";
        }

        #[derive(Debug, Clone, Copy)]
        pub struct Customer;
        impl Navigation for Customer {
            type Source = Invoice;
            type Target = super::super::customer::Customers;
            type Cardinality = One;
            const NAME: &'static str = "customer";
        }
    }

    pub fn number() -> odata_v4_runtime::Prop<fields::Number> {
        odata_v4_runtime::Prop::new()
    }
}

/// `Shop.line`, the lines of an invoice.
mod line {
    use odata_v4_runtime::rust_decimal::Decimal;
    use odata_v4_runtime::uuid::Uuid;
    use odata_v4_runtime::{ETag, Entity, EntitySet, Property, PropertyOf};

    #[derive(Debug, serde::Deserialize)]
    pub struct Line {
        pub id: Uuid,
    }
    impl Entity for Line {
        type Service = crate::support::model::Shop;
        const TYPE_NAME: &'static str = "Shop.line";
        const ALWAYS_SELECTED: &'static [&'static str] = &["id", "sequence"];
        fn etag(&self) -> Option<&ETag> {
            None
        }
    }
    pub enum Lines {}
    impl EntitySet for Lines {
        type Entity = Line;
        type Key = Uuid;
        const NAME: &'static str = "lines";
    }

    pub mod fields {
        use super::*;
        crate::invoice::property!(Sequence of Line, "sequence": i32, i32);
        crate::invoice::property!(Description of Line, "description": Option<String>, String);
        crate::invoice::property!(Quantity of Line, "quantity": Option<Decimal>, Decimal);
    }
}

/// `Shop.customer`, an invoice's customer.
mod customer {
    use odata_v4_runtime::uuid::Uuid;
    use odata_v4_runtime::{ETag, Entity, EntitySet, Property, PropertyOf};

    #[derive(Debug, serde::Deserialize)]
    pub struct Customer {
        pub id: Uuid,
    }
    impl Entity for Customer {
        type Service = crate::support::model::Shop;
        const TYPE_NAME: &'static str = "Shop.customer";
        const ALWAYS_SELECTED: &'static [&'static str] = &["id"];
        fn etag(&self) -> Option<&ETag> {
            None
        }
    }
    pub enum Customers {}
    impl EntitySet for Customers {
        type Entity = Customer;
        type Key = Uuid;
        const NAME: &'static str = "customers";
    }

    pub mod fields {
        use super::*;
        crate::invoice::property!(Name of Customer, "name": String, String);
    }
}

projection! {
    /// An invoice's number and total, with its lines and customer.
    #[derive(Debug, Clone, PartialEq)]
    pub struct InvoiceRow of invoice::Invoice {
        pub id: invoice::fields::Id,
        /// Nullable: `Option<String>`.
        pub number: invoice::fields::Number,
        pub total: invoice::fields::Total,
        #[etag]
        pub etag,
        #[expand]
        pub lines: invoice::fields::Lines => LineRow,
        #[expand]
        pub customer: invoice::fields::Customer => CustomerRow,
    }

    #[derive(Debug, Clone, PartialEq)]
    pub struct LineRow of line::Line {
        pub sequence: line::fields::Sequence,
        pub description: line::fields::Description,
        pub quantity: line::fields::Quantity,
    }

    #[derive(Debug, Clone, PartialEq)]
    pub struct CustomerRow of customer::Customer {
        pub name: customer::fields::Name,
    }

    /// A projection without an ETag, of a non-nullable property.
    #[derive(Debug, Clone, PartialEq)]
    pub struct NameOnly of invoice::Invoice {
        pub customer_name: invoice::fields::CustomerName,
    }
}

fn invoices(api: &odata_v4_runtime::Api) -> CollectionPath<invoice::Invoices> {
    CollectionPath::new(api.clone(), "companies(1)/invoices")
}

/// An invoice as the service sends it, with properties the projections do
/// not hold (written as text: `json!` would turn `1234.50` into a float).
fn row_text(n: u128) -> String {
    format!(
        r#"{{"@odata.etag":"W/\"{n}\"","id":"{id}","number":"S-{n}","totalAmount":1234.50,
            "customerName":"ignored: not in the projection","unknownExtensionField":{{"a":[1,2]}},
            "lines":[{{"sequence":10000,"description":"Oak desk","quantity":2,"unitPrice":450.0}}],
            "customer":{{"name":"Alpine Ski House","id":"c1000000-0000-4000-8000-000000000001"}}}}"#,
        id = Uuid::from_u128(n)
    )
}

/// A page of rows `numbers`, with a next link if given.
fn page_body(numbers: &[u128], next: Option<&str>) -> String {
    let rows: Vec<String> = numbers.iter().map(|&n| row_text(n)).collect();
    match next {
        Some(link) => format!(r#"{{"value":[{}],"@odata.nextLink":"{link}"}}"#, rows.join(",")),
        None => format!(r#"{{"value":[{}]}}"#, rows.join(",")),
    }
}

fn expected_row(n: u128) -> InvoiceRow {
    InvoiceRow {
        id: Uuid::from_u128(n),
        number: Some(format!("S-{n}")),
        total: Some(Decimal::new(123450, 2)),
        etag: Some(odata_v4_runtime::ETag::new(format!("W/\"{n}\""))),
        lines: vec![LineRow {
            sequence: 10000,
            description: Some("Oak desk".to_owned()),
            quantity: Some(Decimal::TWO),
        }],
        customer: Some(CustomerRow { name: "Alpine Ski House".to_owned() }),
    }
}

#[test]
fn the_projection_carries_its_select_and_nested_expand() {
    assert_eq!(<InvoiceRow as Projection<invoice::Invoice>>::SELECT, ["id", "number", "totalAmount"]);
    let expand = <InvoiceRow as Projection<invoice::Invoice>>::EXPAND;
    assert_eq!(expand.iter().map(|e| e.navigation()).collect::<Vec<_>>(), ["lines", "customer"]);
    assert_eq!(expand[0].select(), ["sequence", "description", "quantity"]);
    assert_eq!(expand[1].select(), ["name"]);
}

#[tokio::test]
async fn select_as_asks_for_exactly_the_projection() {
    let client = odata_v4_runtime::Client::builder("http://127.0.0.1:1/").build().unwrap();
    let query = invoices(&api(&client))
        .list()
        .filter(invoice::number().eq("S-1"))
        .select(invoice::number())
        .select_as::<InvoiceRow>()
        .top(5);
    assert_eq!(
        query.query_string(),
        "$filter=number%20eq%20%27S-1%27&$select=id,number,totalAmount\
         &$expand=lines($select%3Dsequence,description,quantity),customer($select%3Dname)&$top=5",
        "no key or non-nullable property is added, and the earlier select is replaced"
    );
    let whole = invoices(&api(&client)).list().select(invoice::number());
    assert_eq!(whole.query_string(), "$select=id,customerName,number", "whole entities still get what fills them");
    let get = invoices(&api(&client)).key_path(&Uuid::from_u128(7)).get().select_as::<NameOnly>();
    assert!(
        get.url().ends_with("invoices(00000000-0000-0000-0000-000000000007)?$select=customerName"),
        "{}",
        get.url()
    );
}

#[test]
fn rows_decode_exactly_and_skip_what_they_do_not_hold() {
    let row: InvoiceRow = serde_json::from_str(&row_text(1)).unwrap();
    assert_eq!(row, expected_row(1));
    assert_eq!(row.total.unwrap().to_string(), "1234.50", "the decimal's scale is kept");

    let nulls: InvoiceRow = serde_json::from_value(json!({
        "id": Uuid::nil().to_string(), "number": null, "lines": [], "customer": null
    }))
    .unwrap();
    assert_eq!((nulls.number, nulls.total, nulls.etag, nulls.customer), (None, None, None, None));
    assert!(nulls.lines.is_empty());
}

#[test]
fn what_cannot_be_null_must_arrive() {
    let error = serde_json::from_value::<NameOnly>(json!({"id": Uuid::nil().to_string()})).unwrap_err();
    assert_eq!(error.to_string(), "missing field `customerName`");
    let error = serde_json::from_value::<NameOnly>(json!({"customerName": null})).unwrap_err();
    assert!(error.to_string().contains("invalid type: null"), "{error}");
    let error =
        serde_json::from_value::<InvoiceRow>(json!({"id": Uuid::nil().to_string(), "customer": null})).unwrap_err();
    assert_eq!(error.to_string(), "missing field `lines`", "an expanded collection the service left out is an error");
    let error = serde_json::from_value::<LineRow>(json!({"sequence": 2.5})).unwrap_err();
    assert!(error.to_string().contains("expected an integer"), "{error}");
}

#[test]
fn rows_write_back_the_wire_json() {
    let row = expected_row(3);
    let json: serde_json::Value = serde_json::from_str(&row.to_json()).unwrap();
    assert_eq!(json["@odata.etag"], "W/\"3\"");
    assert_eq!(json["number"], "S-3");
    assert_eq!(json["lines"][0]["sequence"], 10000);
    let again: InvoiceRow = serde_json::from_value(json).unwrap();
    assert_eq!(again, row);
}

#[test]
fn the_same_property_twice_is_named_in_the_message() {
    let outcome = std::panic::catch_unwind(|| {
        odata_v4_runtime::__private::assert_each_property_once::<invoice::Invoice, InvoiceRow>(
            "InvoiceRow",
            &["id", "number", "total", "lines", "customer"],
        );
    });
    assert!(outcome.is_ok(), "a projection without duplicates passes");

    let message = std::panic::catch_unwind(|| {
        odata_v4_runtime::__private::assert_each_property_once::<invoice::Invoice, Duplicated>(
            "Duplicated",
            &["number", "reference"],
        );
    })
    .unwrap_err();
    let message = message.downcast_ref::<String>().cloned().unwrap_or_default();
    assert_eq!(
        message,
        "projection `Duplicated`: fields `number` and `reference` both read `number`; a projection names each property once"
    );
}

/// A projection that selects `number` twice, declared by hand: the macro
/// would refuse it at compile time (see the compile-fail suite).
#[derive(serde::Deserialize)]
struct Duplicated;

impl Edm for Duplicated {
    fn deserialize_edm<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        <Self as serde::Deserialize<'de>>::deserialize(deserializer)
    }
    fn write_json(&self, out: &mut String) {
        out.push_str("{}");
    }
}

impl Projection<invoice::Invoice> for Duplicated {
    const SELECT: &'static [&'static str] = &["number", "number"];
    const EXPAND: &'static [odata_v4_runtime::Expansion] = &[];
}

async fn paged_server() -> MockServer {
    let server = MockServer::start().await;
    let next = format!("{}/api/v2.0/companies(1)/invoices?$select=id,number,totalAmount&$skiptoken=2", server.uri());
    Mock::given(method("GET"))
        .and(path("/api/v2.0/companies(1)/invoices"))
        .and(query_param("$select", "id,number,totalAmount"))
        .and(query_param("$skiptoken", "2"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(page_body(&[3], None), "application/json"))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v2.0/companies(1)/invoices"))
        .and(query_param("$select", "id,number,totalAmount"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(page_body(&[1, 2], Some(&next)), "application/json"))
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn pages_streams_and_collect_read_projections() {
    let server = paged_server().await;
    let client = builder(&server).build().unwrap();
    let query = invoices(&api(&client)).list().select_as::<InvoiceRow>();

    let rows: Vec<InvoiceRow> = query.collect().await.unwrap();
    assert_eq!(rows, [expected_row(1), expected_row(2), expected_row(3)]);

    let first: Page<InvoiceRow> = query.first_page().await.unwrap();
    assert_eq!(first.items.len(), 2);
    let resumed: Vec<InvoiceRow> = query.resume_from(first.next_link.as_ref().unwrap()).collect_all().await.unwrap();
    assert_eq!(resumed, [expected_row(3)]);

    let pages: Vec<usize> = query.pages().map(|page| page.unwrap().items.len()).collect().await;
    assert_eq!(pages, [2, 1]);
    let streamed: Vec<InvoiceRow> = query.prefetch(2).stream().map(Result::unwrap).collect().await;
    assert_eq!(streamed.len(), 3);
}

#[tokio::test]
async fn a_single_read_and_a_batch_read_projections() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v2.0/companies(1)/invoices(00000000-0000-0000-0000-000000000001)"))
        .and(query_param("$select", "id,number,totalAmount"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(row_text(1), "application/json"))
        .mount(&server)
        .await;
    let client = builder(&server).build().unwrap();
    let invoice = invoices(&api(&client)).key_path(&Uuid::from_u128(1));
    let row: InvoiceRow = invoice.get().select_as::<InvoiceRow>().await.unwrap();
    assert_eq!(row, expected_row(1));

    let batch_server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v2.0/$batch"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(
            format!(
                r#"{{"responses":[{{"id":"1","status":200,"body":{}}},
                   {{"id":"2","status":200,"body":{{"customerName":"Alpine Ski House"}}}}]}}"#,
                page_body(&[1], None)
            ),
            "application/json",
        ))
        .mount(&batch_server)
        .await;
    let client = builder(&batch_server).build().unwrap();
    let api = api(&client);
    let mut batch = Batch::new(&api);
    let list = batch.add(invoices(&api).list().select_as::<InvoiceRow>().request());
    let one = batch.add(invoices(&api).key_path(&Uuid::from_u128(1)).get().select_as::<NameOnly>().request());
    let mut answers = batch.await.unwrap();
    assert_eq!(answers.take(list).unwrap().items, [expected_row(1)]);
    assert_eq!(answers.take(one).unwrap(), NameOnly { customer_name: "Alpine Ski House".to_owned() });
}

#[tokio::test]
async fn an_update_from_a_projection_sends_its_etag() {
    let server = MockServer::start().await;
    Mock::given(method("PATCH"))
        .and(header("If-Match", "W/\"1\""))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": Uuid::from_u128(1).to_string()})))
        .expect(1)
        .mount(&server)
        .await;
    let client = builder(&server).build().unwrap();
    let row = expected_row(1);
    let updated =
        invoices(&api(&client)).key_path(&row.id).update(&row, invoice::InvoiceUpdate::default()).await.unwrap();
    assert_eq!(updated.id, row.id);

    let without = InvoiceRow { etag: None, ..expected_row(1) };
    let error = invoices(&api(&client))
        .key_path(&row.id)
        .update(&without, invoice::InvoiceUpdate::default())
        .await
        .unwrap_err();
    assert!(matches!(&error, Error::InvalidRequest(reason) if reason.contains("ETag")), "{error:?}");
}

projection! {
    /// A ledger entry's number, for the export.
    #[derive(Debug)]
    struct EntryRow of support::model::Entry {
        entry_number: support::model::EntryNumber,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_export_reads_projections() {
    use support::sim_server::{Behaviour, SimServer};

    let behaviour = Behaviour::rows(500, 20);
    let expected = behaviour.keys.clone();
    let server = SimServer::start(behaviour).await;
    let client = odata_v4_runtime::Client::builder(server.base_url.as_str()).build().unwrap();
    let mut export = support::model::entries(&api(&client))
        .list()
        .select_as::<EntryRow>()
        .export_by(support::model::entry_number(), |row: &EntryRow| row.entry_number)
        .concurrency(3)
        .start();
    let mut keys = Vec::new();
    while let Some(batch) = export.next().await {
        keys.extend(batch.unwrap().rows.iter().map(|row| row.entry_number.unwrap()));
    }
    keys.sort_unstable();
    assert_eq!(keys, expected);
}
