//! Where the fake must be exactly as strict, and exactly as lax, as Business
//! Central: continuation tokens over text ordering, primary keys other than
//! `id`, lambda filters (ignored) and `or` across fields (refused).

use std::collections::BTreeSet;

use business_central_sdk::api::v2_0::{
    customer, customer_payment as payment, customer_payment_journal as journal, item, sales_invoice,
    sales_invoice_line as line,
};
use business_central_sdk::runtime::{Error, Method};
use business_central_testing::{Dialect, FakeBusinessCentral, FakeError, Ignored};

use super::World;

/// Texts that read as a date or a date-time, and plain ones.
const DOCUMENT_NUMBERS: [&str; 15] = [
    "2025-03-14",
    "PO-7",
    "2025-01-02",
    "2024-12-31",
    "2025-03-14T09:00:00Z",
    "2025-02-28",
    "A-100",
    "2025-03-01",
    "1999-01-01",
    "2025-03-14 urgent",
    "2025-10-10",
    "2025-03-14T08:59:59.5+01:00",
    "0001-01-01",
    "z",
    "2025-03-15",
];

/// Names that read as GUIDs.
const GUID_NAMES: [&str; 6] = [
    "9b2f0c4e-1d2a-4c3b-8e5f-6a7b8c9d0e1f",
    "00000000-0000-0000-0000-000000000001",
    "ffffffff-ffff-4fff-bfff-ffffffffffff",
    "00000000-0000-0000-0000-000000000000",
    "3a000000-0000-4000-8000-00000000000a",
    "c0ffee00-0000-4000-8000-000000000000",
];

/// Every value once, in order, in both directions, read page by page.
async fn check_order(read: impl AsyncFn(bool) -> Vec<(String, String)>, values: &[&str]) {
    for descending in [false, true] {
        let rows = read(descending).await;
        let mut wanted: Vec<String> = values.iter().map(|v| (*v).to_owned()).collect();
        wanted.sort_unstable();
        if descending {
            wanted.reverse();
        }
        let got: Vec<String> = rows.iter().map(|(_, value)| value.clone()).collect();
        assert_eq!(got, wanted, "descending: {descending}");
        let ids: BTreeSet<&String> = rows.iter().map(|(id, _)| id).collect();
        assert_eq!(ids.len(), values.len(), "no row twice");
    }
}

/// Issue 21, item 4: a continuation token used to re-type its values, so
/// text that looked like a date or a GUID no longer compared with the text
/// of the rows, and pages lost rows and repeated others.
#[tokio::test]
async fn paging_ordered_by_text_that_looks_like_dates_or_guids_returns_every_row_once() {
    let world = World::with(FakeBusinessCentral::builder().api_v2_0().page_size(4).build().expect("fake"));
    let invoices = world.company().sales_invoices();
    for number in DOCUMENT_NUMBERS {
        let draft = sales_invoice::SalesInvoiceCreate::new("10000").external_document_number(number);
        world.bc.insert(&invoices, draft).expect("invoice");
    }
    let by_document_number = async |descending: bool| {
        let key = sales_invoice::external_document_number();
        let query = invoices.list().order_by(if descending { key.desc() } else { key.asc() });
        let read = query.collect().await.expect("every page");
        read.into_iter().map(|i| (i.id.to_string(), i.external_document_number.unwrap_or_default())).collect()
    };
    check_order(by_document_number, &DOCUMENT_NUMBERS).await;

    let customers = world.company().customers();
    for name in GUID_NAMES {
        world.bc.insert(&customers, customer::CustomerCreate::new(name)).expect("customer");
    }
    let mut names: Vec<String> =
        world.bc.list(&customers).expect("customers").into_iter().map(|c| c.display_name).collect();
    names.sort_unstable();
    let by_name = async |descending: bool| {
        let key = customer::display_name();
        let query = customers.list().order_by(if descending { key.desc() } else { key.asc() });
        let read = query.collect().await.expect("every page");
        read.into_iter().map(|c| (c.id.to_string(), c.display_name)).collect()
    };
    check_order(by_name, &names.iter().map(String::as_str).collect::<Vec<_>>()).await;
    assert!(world.bc.requests().len() >= 14, "4 or 3 pages per read:\n{}", world.bc.requests().summary());
}

fn refused_as_duplicate<T: std::fmt::Debug>(result: Result<T, FakeError>) -> String {
    match result {
        Err(FakeError::Refused { status: 409, code, message }) if code == "Internal_EntityWithSameKeyExists" => message,
        other => panic!("expected 409 Internal_EntityWithSameKeyExists, got {other:?}"),
    }
}

/// Issue 21, item 5: a customer's `number` is its table's primary key; a
/// second customer with the same one is refused, as are other tables'
/// duplicates, while the same number in another company is fine.
#[tokio::test]
async fn a_second_row_with_the_same_primary_key_is_refused() {
    let world = World::new();
    let customers = world.company().customers();
    let again = world.bc.insert(&customers, customer::CustomerCreate::new("Alpine again").number("10000"));
    let message = refused_as_duplicate(again);
    assert!(message.contains("Customer already exists") && message.contains("No.='10000'"), "{message}");

    // Through the client, as user code meets it.
    let create = customers.create(customer::CustomerCreate::new("Alpine twice").number("10000")).await;
    let error = create.expect_err("a duplicate number");
    assert!(matches!(error, Error::Conflict(_)), "{error:?}");
    assert_eq!((error.status(), error.code()), (Some(409), Some("Internal_EntityWithSameKeyExists")));
    assert_eq!(world.bc.list(&customers).expect("customers").len(), 5, "nothing was added");

    // Codes are stored in upper case: `itm-100` is `ITM-100`.
    let items = world.company().items();
    refused_as_duplicate(world.bc.insert(&items, item::ItemCreate::new().number("itm-100").display_name("Desk")));
    // Another company has its own customers.
    let muller = world.api.company(world.muller).customers();
    world.bc.insert(&muller, customer::CustomerCreate::new("Alpine (DE)").number("10000")).expect("own numbers");

    // An update may not give a row another's key either.
    let obrien = world.customer_by_number("20000");
    let path = world.company().customer(obrien.id);
    let renumbered = path.update(&obrien, customer::CustomerUpdate::new().number("10000")).await;
    assert_eq!(renumbered.expect_err("10000 is taken").code(), Some("Internal_EntityWithSameKeyExists"));
    path.update(&obrien, customer::CustomerUpdate::new().number("20001")).await.expect("a free number");

    // Journals by code, their lines by journal and line number.
    let journals = world.company().customer_payment_journals();
    let first = world.bc.insert(&journals, journal::CustomerPaymentJournalCreate::new("CASH")).expect("journal");
    refused_as_duplicate(world.bc.insert(&journals, journal::CustomerPaymentJournalCreate::new("CASH")));
    let lines = world.company().customer_payment_journal(first.id).customer_payments();
    let paid = || payment::CustomerPaymentCreate::new().customer_number("30000").amount(10).line_number(10000);
    world.bc.insert(&lines, paid()).expect("first line");
    refused_as_duplicate(world.bc.insert(&lines, paid()));

    // Seeded ledger entries keep their entry numbers unique too.
    let entries = world.company().general_ledger_entries();
    world.bc.insert_json(&entries, r#"{"entryNumber": 1, "description": "first"}"#).expect("seeded");
    refused_as_duplicate(world.bc.insert_json(&entries, r#"{"entryNumber": 1, "description": "again"}"#));
}

/// Three invoices for 10000: with a line of 1, 3 and 9 units.
async fn invoices_with_quantities(world: &World) {
    for quantity in [1, 3, 9] {
        let line = line::SalesInvoiceLineCreate::new().line_object_number("ITM-100").quantity(quantity);
        let draft = sales_invoice::SalesInvoiceCreate::new("10000").sales_invoice_lines([line]);
        world.company().sales_invoices().create(draft).await.expect("invoice");
    }
}

fn row_count(body: &[u8]) -> usize {
    let body: serde_json::Value = serde_json::from_slice(body).expect("json");
    body["value"].as_array().map_or(0, Vec::len)
}

/// Issue 21, item 6: Business Central ignores a filter with `any`/`all`
/// and answers every row; a test that passes because the fake filtered
/// would let production code read every row. The log says what happened.
#[tokio::test]
async fn lambda_filters_are_ignored_as_business_central_ignores_them() {
    let world = World::new();
    invoices_with_quantities(&world).await;
    world.bc.clear_requests();
    let invoices = format!("companies({})/salesInvoices", world.cronus);
    let lambda = "$filter=salesInvoiceLines/any(l:l/quantity%20gt%205)";
    let answer = world.raw(Method::Get, &format!("{invoices}?{lambda}"), None, &[]).await.expect("answered");
    assert_eq!(row_count(answer.bytes()), 3, "every invoice, as Business Central answers");
    let with_more = format!("{invoices}?{lambda}%20and%20number%20eq%20'nothing'");
    let answer = world.raw(Method::Get, &with_more, None, &[]).await.expect("answered");
    assert_eq!(row_count(answer.bytes()), 3, "the whole filter is ignored, not only the lambda");

    let sent = world.bc.requests();
    assert_eq!(sent.with_ignored_filters().len(), 2);
    assert_eq!(sent.all()[0].ignored, [Ignored::LambdaFilter { expand: None }]);
    assert!(sent.summary().contains("lambda operator"), "{}", sent.summary());
    let unnoticed = std::panic::catch_unwind(|| sent.assert_no_ignored_filters());
    assert!(unnoticed.is_err(), "the assertion fails on an ignored filter");

    // A strict OData server evaluates the lambda.
    let strict = FakeBusinessCentral::builder().api_v2_0().dialect(Dialect::StrictOData).build().expect("fake");
    let world = World::with(strict);
    invoices_with_quantities(&world).await;
    let invoices = format!("companies({})/salesInvoices", world.cronus);
    let answer = world.raw(Method::Get, &format!("{invoices}?{lambda}"), None, &[]).await;
    assert_eq!(row_count(answer.expect("answered").bytes()), 1, "one invoice has a line over 5");
    assert!(world.bc.requests().with_ignored_filters().is_empty());
}

/// Business Central refuses `or` between conditions on different fields
/// (its known limitations) with 501 `BadRequest_MethodNotImplemented`;
/// `or` on one field, `in` and `and` of such groups are answered.
#[tokio::test]
async fn or_across_fields_is_refused_as_business_central_refuses_it() {
    let world = World::new();
    let customers = format!("companies({})/customers?$schemaversion=2.1&$filter=", world.cronus);
    let world = &world;
    let get = |filter: &str| {
        let url = format!("{customers}{}", filter.replace(' ', "%20"));
        async move { world.raw(Method::Get, &url, None, &[]).await }
    };
    for across in [
        "city eq 'Denver' or number eq '50000'",
        "(city eq 'Denver' and number eq '10000') or (city eq 'Lyon' and number eq '30000')",
        "number eq '10000' or (number eq '30000' and city eq 'Lyon')",
    ] {
        let refused = get(across).await.expect_err(across);
        assert_eq!(
            (refused.status(), refused.code()),
            (Some(501), Some("BadRequest_MethodNotImplemented")),
            "{across}"
        );
        let message = refused.service_error().map(|e| e.message.clone()).unwrap_or_default();
        assert!(message.contains("The 'OR' operator is not supported on distinct fields"), "{message}");
    }
    for (allowed, rows) in [
        ("number eq '10000' or number eq '20000'", 2),
        ("(city eq 'Denver' or city eq 'Lyon') and (number eq '10000' or number eq '30000')", 2),
        ("number in ('10000','20000','40000') and (city eq 'Denver' or city eq 'Dublin')", 3),
        ("contains(displayName,'Ski') or startswith(displayName,'Zo')", 2),
    ] {
        let answer = get(allowed).await.unwrap_or_else(|e| panic!("{allowed}: {e}"));
        assert_eq!(row_count(answer.bytes()), rows, "{allowed}");
    }
}
