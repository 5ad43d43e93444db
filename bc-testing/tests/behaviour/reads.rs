//! Listing, paging, keys, filters, ordering, `$count`, `$select`, `$expand`.

use std::collections::BTreeSet;

use business_central_sdk::api::v2_0::enums::{CustomerBlocked, GenJournalDocumentType};
use business_central_sdk::api::v2_0::{self, customer, general_ledger_entry as gle};
use business_central_sdk::runtime::chrono::NaiveDate;
use business_central_sdk::runtime::rust_decimal::Decimal;
use business_central_sdk::runtime::uuid::Uuid;
use business_central_sdk::runtime::{Error, Method, ServiceProfile};
use business_central_testing::{FakeBusinessCentral, Ignored};
use futures_util::StreamExt;

use super::World;

/// 25 posted entries: numbers 1..=25, dates 2025-01-01.., alternating types.
fn with_ledger(page_size: usize) -> World {
    let world = World::with(FakeBusinessCentral::builder().api_v2_0().page_size(page_size).build().expect("fake"));
    let entries = world.company().general_ledger_entries();
    for n in 1..=25 {
        let kind = if n % 2 == 0 { "Invoice" } else { "Payment" };
        let json = format!(
            r#"{{"entryNumber": {n}, "postingDate": "2025-01-{n:02}", "documentType": "{kind}", "accountNumber": "{}", "debitAmount": {n}00.50, "description": "Entry {n}"}}"#,
            if n <= 10 { "40100" } else { "60100" }
        );
        world.bc.insert_json(&entries, json.as_str()).expect("read-only sets can be seeded");
    }
    world
}

fn numbers(entries: &[gle::GeneralLedgerEntry]) -> Vec<i32> {
    entries.iter().filter_map(|e| e.entry_number).collect()
}

#[tokio::test]
async fn pages_follow_next_links_and_return_every_row_once() {
    let world = with_ledger(10);
    let mut pages = world.company().general_ledger_entries().list().pages();
    let mut sizes = Vec::new();
    let mut seen = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page.expect("page");
        sizes.push(page.items.len());
        seen.extend(numbers(&page.items));
    }
    assert_eq!(sizes, [10, 10, 5]);
    assert_eq!(seen, (1..=25).collect::<Vec<_>>());
    let sent = world.bc.requests();
    assert!(sent.all()[1..].iter().all(|r| r.query_param("$skiptoken").is_some()), "{}", sent.summary());
}

#[tokio::test]
async fn the_client_page_size_is_honoured() {
    let world = with_ledger(10);
    let client = world.bc.client_builder().max_page_size(4).build().expect("client");
    let api = v2_0::Api::new(&client);
    let mut pages = api.company(world.cronus).general_ledger_entries().list().pages();
    let mut sizes = Vec::new();
    while let Some(page) = pages.next().await {
        sizes.push(page.expect("page").items.len());
    }
    assert_eq!(sizes, [4, 4, 4, 4, 4, 4, 1]);
    let sent = world.bc.requests();
    assert_eq!(sent.all()[0].header("Prefer"), Some("odata.maxpagesize=4"));
}

#[tokio::test]
async fn rows_added_between_pages_neither_shift_nor_repeat_earlier_rows() {
    let world = with_ledger(10);
    let entries = world.company().general_ledger_entries();
    let query = entries.list().order_by(gle::entry_number().desc());
    let mut pages = query.pages();
    let first = pages.next().await.expect("a page").expect("loads");
    assert_eq!(numbers(&first.items), (16..=25).rev().collect::<Vec<_>>());
    // A new entry sorts before the first page: the next page still
    // continues right after entry 16.
    world.bc.insert_json(&entries, r#"{"entryNumber": 26, "postingDate": "2025-02-01"}"#).expect("inserted");
    let mut rest = Vec::new();
    while let Some(page) = pages.next().await {
        rest.extend(numbers(&page.expect("page").items));
    }
    assert_eq!(rest, (1..=15).rev().collect::<Vec<_>>());
}

#[tokio::test]
async fn filters_compare_dates_decimals_enums_and_text() {
    let world = with_ledger(100);
    let entries = world.company().general_ledger_entries();
    let date = |d: u32| NaiveDate::from_ymd_opt(2025, 1, d).expect("date");
    let check = |filter: business_central_sdk::runtime::Filter<gle::GeneralLedgerEntry>, expected: Vec<i32>| {
        let entries = entries.clone();
        async move {
            let found = entries.list().filter(filter.clone()).collect().await.expect("filtered");
            assert_eq!(numbers(&found), expected, "{filter:?}");
        }
    };
    check(gle::posting_date().ge(date(20)).and(gle::posting_date().lt(date(23))), vec![20, 21, 22]).await;
    check(gle::debit_amount().gt(Decimal::new(240050, 2)).into(), vec![25]).await;
    check(gle::debit_amount().eq(Decimal::new(2400500, 3)).into(), vec![24]).await;
    check(gle::document_type().eq(GenJournalDocumentType::Invoice).and(gle::entry_number().le(6)), vec![2, 4, 6]).await;
    check(
        gle::description().ends_with("5").or(gle::description().starts_with("Entry 2")).into(),
        vec![2, 5, 15, 20, 21, 22, 23, 24, 25],
    )
    .await;
    check(gle::description().contains("y 1").not().and(gle::entry_number().lt(12)), vec![2, 3, 4, 5, 6, 7, 8, 9]).await;
    check(gle::description().to_lower().eq("entry 7").into(), vec![7]).await;
    check(gle::entry_number().is_in([3, 30, 13]).into(), vec![3, 13]).await;
    check(gle::entry_number().is_in(Vec::<i32>::new()).into(), vec![]).await;
}

#[tokio::test]
async fn business_central_rules_on_in_and_or() {
    let world = World::new();
    // A client speaking strict OData sends `in` without `$schemaversion`:
    // Business Central (and so the fake) ignores the condition.
    let strict = world.bc.client_builder().profile(ServiceProfile::strict_odata()).build().expect("client");
    let api = v2_0::Api::new(&strict);
    let everyone = api
        .company(world.cronus)
        .customers()
        .list()
        .filter(customer::number().is_in(["10000"]))
        .collect()
        .await
        .expect("answered");
    assert_eq!(everyone.len(), 5, "the `in` condition was ignored");
    let sent = world.bc.requests();
    assert_eq!(sent.in_without_schema_version().len(), 1);
    assert_eq!(sent.all()[0].ignored, [Ignored::InWithoutSchemaVersion { expand: None }], "and the log says so");

    // `or` on one field is answered (across fields: business_central_rules.rs).
    let same_field = customer::city().eq("Denver").or(customer::city().eq("Lyon"));
    let found = world.company().customers().list().filter(same_field).collect().await.expect("or on one field");
    assert_eq!(found.len(), 3);
}

#[tokio::test]
async fn enum_literals_are_understood_in_both_spellings_and_nulls_are_blank() {
    let world = World::new();
    let blocked = customer::blocked().eq(CustomerBlocked::Ship);
    let plain = world.company().customers().list().filter(blocked.clone()).collect().await.expect("plain");
    let strict = world.bc.client_builder().profile(ServiceProfile::strict_odata()).build().expect("client");
    let qualified = v2_0::Api::new(&strict)
        .company(world.cronus)
        .customers()
        .list()
        .filter(blocked)
        .collect()
        .await
        .expect("qualified");
    assert_eq!(plain.iter().map(|c| c.id).collect::<Vec<_>>(), qualified.iter().map(|c| c.id).collect::<Vec<_>>());
    assert_eq!(plain.len(), 1);
    let sent = world.bc.requests();
    assert_eq!(sent.all()[0].filter(), Some("blocked eq 'Ship'"));
    assert_eq!(sent.all()[1].filter(), Some("blocked eq Microsoft.NAV.customerBlocked'Ship'"));

    // Business Central stores blanks, not nulls.
    let unblocked =
        world.company().customers().list().filter(customer::blocked().eq(CustomerBlocked::Blank)).collect().await;
    assert_eq!(unblocked.expect("blank").len(), 3);
    let no_email = world.company().customers().list().filter(customer::email().is_null()).collect().await;
    assert!(no_email.expect("null check").is_empty());
    let with_email = world.company().customers().list().filter(customer::email().eq("")).count_request().await;
    assert_eq!(with_email.expect("count"), 5);
}

#[tokio::test]
async fn order_top_skip_count_and_the_count_endpoint() {
    let world = with_ledger(10);
    let entries = world.company().general_ledger_entries();
    let page = entries
        .list()
        .filter(gle::account_number().eq("60100"))
        .order_by(gle::debit_amount().desc())
        .skip(2)
        .top(3)
        .count()
        .first_page()
        .await
        .expect("page");
    assert_eq!(page.count, Some(15), "the count ignores $top and $skip");
    assert_eq!(numbers(&page.items), [23, 22, 21]);
    assert_eq!(entries.count().await.expect("/$count"), 25);
    let by_two_keys = entries
        .list()
        .order_by(gle::account_number().desc())
        .order_by(gle::entry_number())
        .top(3)
        .collect()
        .await
        .expect("two keys");
    assert_eq!(numbers(&by_two_keys), [11, 12, 13]);
}

#[tokio::test]
async fn keys_alternate_keys_and_missing_entities() {
    let world = World::new();
    let by_name = world.api.company_by_name("Müller & O'Neil #2+").get().await.expect("alternate key");
    assert_eq!(by_name.id, world.muller);
    assert!(by_name.etag.is_none(), "Business Central sends no ETag for companies");
    let alpine = world.customer_by_number("10000");
    let read = world.api.company_by_name("CRONUS USA, Inc.").customer(alpine.id).get().await.expect("by id");
    assert_eq!(read.display_name, "Alpine Ski House");

    let missing = world.company().customer(Uuid::from_u128(7)).get().await.expect_err("no such customer");
    assert!(matches!(missing, Error::NotFound(_)), "{missing:?}");
    assert!(missing.correlation_id().is_some());
    let other_company =
        world.api.company(world.muller).customer(alpine.id).get().await.expect_err("not in this company");
    assert!(matches!(other_company, Error::NotFound(_)));
    let unknown_company =
        world.api.company_by_name("Nobody").customers().list().collect().await.expect_err("no company");
    assert!(matches!(unknown_company, Error::NotFound(_)));
    let in_muller = world.api.company(world.muller).customers().list().collect().await.expect("empty company");
    assert!(in_muller.is_empty(), "customers belong to their company");
}

#[tokio::test]
async fn select_and_expand_with_nested_options() {
    let world = World::new();
    let picked = world
        .company()
        .customers()
        .list()
        .select(customer::city())
        .filter(customer::number().eq("30000"))
        .collect()
        .await
        .expect("selected");
    assert_eq!(picked[0].city.as_deref(), Some("Lyon"));
    assert_eq!(picked[0].number, None, "not selected");
    assert!(picked[0].etag.is_some(), "the ETag comes with a selection");

    let invoices = world.company().sales_invoices();
    let lines = |numbers: &[&str]| {
        numbers
            .iter()
            .map(|n| v2_0::sales_invoice_line::SalesInvoiceLineCreate::new().line_object_number(*n).quantity(1))
            .collect::<Vec<_>>()
    };
    let create = v2_0::sales_invoice::SalesInvoiceCreate::new("10000")
        .sales_invoice_lines(lines(&["ITM-100", "ITM-200", "ITM-300"]));
    let draft = invoices.create(create).await.expect("invoice");
    let line = v2_0::sales_invoice_line::unit_price;
    let expanded = world
        .company()
        .sales_invoice(draft.id)
        .get()
        .expand(
            v2_0::sales_invoice::sales_invoice_lines()
                .filter(line().lt(500))
                .select(v2_0::sales_invoice_line::description())
                .order_by(line().desc())
                .top(1),
        )
        .expand(v2_0::sales_invoice::customer())
        .await
        .expect("expanded");
    let lines = expanded.sales_invoice_lines.expect("lines expanded");
    assert_eq!(lines.iter().map(|l| l.description.as_deref()).collect::<Vec<_>>(), [Some("Ergonomic chair")]);
    assert_eq!(lines[0].unit_price, None, "only the selected property");
    assert_eq!(expanded.customer.expect("customer expanded").number.as_deref(), Some("10000"));
}

#[tokio::test]
async fn unknown_properties_and_bad_filters_are_refused() {
    let world = World::new();
    for query in
        ["$filter=nope%20eq%201", "$filter=number%20eq", "$select=nope", "$orderby=nope", "$expand=nope", "$top=x"]
    {
        let answer = world.raw(Method::Get, &format!("companies({})/customers?{query}", world.cronus), None, &[]).await;
        let error = answer.expect_err(query);
        assert_eq!(error.status(), Some(400), "{query}: {error:?}");
    }
    let guid_as_text = world
        .raw(Method::Get, &format!("companies({})/customers?$filter=id%20eq%20'abc'", world.cronus), None, &[])
        .await
        .expect_err("a GUID compared with text");
    assert!(guid_as_text.to_string().contains("incompatible"), "{guid_as_text}");
}

#[tokio::test]
async fn sets_at_the_root_need_a_company() {
    let world = World::new();
    let without = world.raw(Method::Get, "customers", None, &[]).await.expect_err("no company");
    assert_eq!(without.code(), Some("Internal_CompanyNotFound"));
    let with = world.raw(Method::Get, "customers?company=CRONUS%20USA%2C%20Inc.", None, &[]).await.expect("by name");
    let body: serde_json::Value = serde_json::from_slice(with.bytes()).expect("json");
    assert_eq!(body["value"].as_array().map(Vec::len), Some(5));
    let ids: BTreeSet<String> =
        body["value"].as_array().into_iter().flatten().filter_map(|c| c["id"].as_str().map(str::to_owned)).collect();
    assert_eq!(ids.len(), 5);
}

#[tokio::test]
async fn a_partitioned_parallel_export_reads_every_entry_once() {
    let world = with_ledger(4);
    let mut batches = world
        .company()
        .general_ledger_entries()
        .list()
        .filter(gle::entry_number().ge(3))
        .export_by(gle::entry_number(), |entry: &gle::GeneralLedgerEntry| entry.entry_number)
        .concurrency(3)
        .start();
    let mut seen = Vec::new();
    while let Some(batch) = batches.next().await {
        seen.extend(numbers(&batch.expect("a batch").rows));
    }
    seen.sort_unstable();
    assert_eq!(seen, (3..=25).collect::<Vec<_>>());
    let sent = world.bc.requests();
    assert!(sent.len() > 3, "ranges read in several requests:\n{}", sent.summary());
}
