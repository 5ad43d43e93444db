//! Query options and request shapes across entity sets: `$count` (inline
//! and `/$count`), `$batch` with typed results, text that needs escaping in
//! filters and in alternate keys, `in (...)`, enum literals, and how a
//! missing entity is reported.

use business_central_sdk::api::v2_0::{self, customer, customer_payment_journal as journal, enums::CustomerBlocked};
use business_central_sdk::runtime::Error;
use business_central_sdk::runtime::uuid::Uuid;
use sdk_tests::fixtures::{CRONUS_ID, CRONUS_NAME, MULLER_ID, MULLER_NAME, cronus_customers as cust, muller_customers};
use sdk_tests::{RequestLog, SharedPeer, shared};

fn api() -> v2_0::Api {
    v2_0::Api::new(&shared(SharedPeer::ApiV2).client())
}

fn logged_api() -> (v2_0::Api, RequestLog) {
    let log = RequestLog::new();
    let client = shared(SharedPeer::ApiV2).client_builder().middleware(log.clone()).build().expect("client");
    (v2_0::Api::new(&client), log)
}

fn sorted_numbers(customers: &[customer::Customer]) -> Vec<String> {
    let mut numbers: Vec<String> = customers.iter().filter_map(|c| c.number.clone()).collect();
    numbers.sort();
    numbers
}

#[tokio::test]
async fn count_inline_with_the_first_page() {
    let page = api().company(CRONUS_ID).customers().list().count().first_page().await.expect("page with count");
    assert_eq!(page.count, Some(5));
    assert_eq!(page.items.len(), 5);

    let filtered = api()
        .company(CRONUS_ID)
        .customers()
        .list()
        .filter(customer::country().eq("US"))
        .count()
        .top(1)
        .first_page()
        .await
        .expect("filtered page with count");
    assert_eq!((filtered.count, filtered.items.len()), (Some(3), 1), "the count ignores $top");
}

#[tokio::test]
async fn count_endpoint() {
    let (api, log) = logged_api();
    let all = api.company(CRONUS_ID).customers().count().await.expect("/$count");
    assert_eq!(all, 5);
    let blocked = api
        .company(CRONUS_ID)
        .customers()
        .list()
        .filter(customer::blocked().ne(CustomerBlocked::Blank))
        .count_request()
        .await
        .expect("/$count with a filter");
    assert_eq!(blocked, 2);
    let urls: Vec<String> = log.requests().into_iter().map(|r| r.url).collect();
    assert!(urls[0].ends_with(&format!("companies({CRONUS_ID})/customers/$count")), "{urls:?}");
    assert!(urls[1].contains("/customers/$count?$filter="), "{urls:?}");
}

#[tokio::test]
async fn batch_of_reads_and_writes_with_typed_results() {
    let api = api();
    let existing = api
        .company(MULLER_ID)
        .customer_payment_journals()
        .create(journal::CustomerPaymentJournalCreate::new("E2E-B1"))
        .await
        .expect("journal to update in the batch");

    let mut batch = api.batch();
    let list = batch.add(api.company(CRONUS_ID).customers().list().filter(customer::city().eq("Dublin")).request());
    // A failure in the middle: the SDK asks the service to go on with the
    // rest (`Prefer: odata.continue-on-error`), as Business Central does anyway.
    let missing = batch.add(api.company(CRONUS_ID).customer(Uuid::from_u128(7)).get().request());
    let one = batch.add(api.company(MULLER_ID).customer(muller_customers::KIRCHNER.0).get().request());
    let created = batch.add(
        api.company(MULLER_ID)
            .customer_payment_journals()
            .create(journal::CustomerPaymentJournalCreate::new("E2E-B2").display_name("Created in a batch")),
    );
    let updated = batch.add(
        api.company(MULLER_ID)
            .customer_payment_journal(existing.id)
            .update(&existing, journal::CustomerPaymentJournalUpdate::new().display_name("Updated in a batch")),
    );
    let count = batch.add(api.company(CRONUS_ID).customers().count());
    let mut results = batch.await.expect("the batch call succeeds");

    let page = results.take(list).expect("list result");
    assert_eq!(page.items.iter().map(|c| c.display_name.as_str()).collect::<Vec<_>>(), [cust::OBRIEN.2]);
    assert_eq!(results.take(one).expect("get result").display_name, muller_customers::KIRCHNER.2);
    let new_journal = results.take(created).expect("create result");
    assert_eq!(
        (new_journal.code.as_str(), new_journal.display_name.as_deref()),
        ("E2E-B2", Some("Created in a batch"))
    );
    assert_eq!(results.take(updated).expect("update result").display_name.as_deref(), Some("Updated in a batch"));
    assert_eq!(results.take(count).expect("count result"), 5);
    let not_found = results.take(missing).expect_err("missing customer");
    assert!(matches!(not_found, Error::NotFound(_)), "{not_found:?}");

    let reread =
        api.company(MULLER_ID).customer_payment_journal(new_journal.id).get().await.expect("batch write persisted");
    assert_eq!(reread.display_name.as_deref(), Some("Created in a batch"));
}

#[tokio::test]
async fn quotes_ampersands_hashes_plus_and_non_ascii_in_filters() {
    let customers = api().company(CRONUS_ID).customers();
    for (id, _, name) in [cust::OBRIEN, cust::ZOE, cust::FABRIKAM] {
        let found = customers.list().filter(customer::display_name().eq(name)).collect().await.expect("filter by name");
        assert_eq!(found.iter().map(|c| c.id).collect::<Vec<_>>(), [id], "exact match on {name:?}");
        assert_eq!(found[0].display_name, name, "the name round-trips");
    }
    let hash_plus =
        customers.list().filter(customer::display_name().contains("#7 + ")).collect().await.expect("contains");
    assert_eq!(sorted_numbers(&hash_plus), [cust::ZOE.1]);
    let accented =
        customers.list().filter(customer::display_name().starts_with("Zoë's")).collect().await.expect("startswith");
    assert_eq!(sorted_numbers(&accented), [cust::ZOE.1]);
    let apostrophe =
        customers.list().filter(customer::display_name().contains("'")).collect().await.expect("quote alone");
    assert_eq!(sorted_numbers(&apostrophe), [cust::OBRIEN.1, cust::ZOE.1]);
}

#[tokio::test]
async fn company_alternate_key_round_trips_escaped_names() {
    let muller = api().company_by_name(MULLER_NAME).get().await.expect("company by its name");
    assert_eq!(muller.id, MULLER_ID);
    assert_eq!(muller.name.as_deref(), Some(MULLER_NAME));
    let customers =
        api().company_by_name(MULLER_NAME).customers().list().collect().await.expect("customers via the name");
    assert_eq!(sorted_numbers(&customers), ["10000", "20000"]);
    assert!(customers.iter().any(|c| c.display_name == "Kirchner Möbel"));

    let cronus = api().company_by_name(CRONUS_NAME).get().await.expect("a name with a comma");
    assert_eq!(cronus.id, CRONUS_ID);
    let unknown = api().company_by_name("Müller & O'Neil #3+").get().await.expect_err("no such company");
    assert!(matches!(unknown, Error::NotFound(_)), "{unknown:?}");
}

#[tokio::test]
async fn missing_entities_are_not_found() {
    let missing_customer =
        api().company(CRONUS_ID).customer(Uuid::from_u128(42)).get().await.expect_err("no such customer");
    assert!(matches!(missing_customer, Error::NotFound(_)), "{missing_customer:?}");
    assert_eq!(missing_customer.status(), Some(404));
    let missing_company =
        api().company(Uuid::from_u128(43)).customers().list().collect().await.expect_err("no such company");
    assert!(matches!(missing_company, Error::NotFound(_)), "{missing_company:?}");
}

#[tokio::test]
async fn in_operator_selects_listed_values() {
    let (api, log) = logged_api();
    let found = api
        .company(CRONUS_ID)
        .customers()
        .list()
        .filter(customer::number().is_in([cust::ALPINE.1, cust::ZOE.1, "99999"]))
        .collect()
        .await
        .expect("in (...)");
    assert_eq!(sorted_numbers(&found), [cust::ALPINE.1, cust::ZOE.1]);
    let url = &log.requests()[0].url;
    assert!(url.contains("$filter=number%20in%20(%2710000%27,%2730000%27,%2799999%27)"), "{url}");
    assert!(!url.contains("$schemaversion"), "the strict profile needs no schema version: {url}");
}

#[tokio::test]
async fn enum_filters_use_the_profile_literal_style() {
    let (api, log) = logged_api();
    let shipping_blocked = api
        .company(CRONUS_ID)
        .customers()
        .list()
        .filter(customer::blocked().eq(CustomerBlocked::Ship))
        .collect()
        .await
        .expect("enum filter");
    assert_eq!(shipping_blocked.iter().map(|c| c.id).collect::<Vec<_>>(), [cust::OBRIEN.0]);
    assert_eq!(shipping_blocked[0].blocked, Some(CustomerBlocked::Ship));
    let url = &log.requests()[0].url;
    assert!(url.contains("blocked%20eq%20Microsoft.NAV.customerBlocked%27Ship%27"), "{url}");
}
