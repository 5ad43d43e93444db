//! The second API route, `api/microsoft/reportsFinance/beta`: read-only
//! customer ledger entries under companies, served by its own peer instance
//! from the committed schema and `seed/reports-finance-beta.json`.

use business_central_sdk::ClientBuilderExt;
use business_central_sdk::api::microsoft::reports_finance::beta::{
    self, customer_ledger_entry as entry, enums::GenJournalDocumentType,
};
use business_central_sdk::runtime::chrono::NaiveDate;
use business_central_sdk::runtime::rust_decimal::Decimal;
use sdk_tests::fixtures::{CRONUS_ID, CRONUS_NAME, MULLER_ID, MULLER_NAME, customer_ledger};
use sdk_tests::{RequestLog, SharedPeer, shared};

fn numbers(rows: &[entry::CustomerLedgerEntry]) -> Vec<i32> {
    let mut numbers: Vec<i32> = rows.iter().map(|row| row.entry_number).collect();
    numbers.sort_unstable();
    numbers
}

#[tokio::test]
async fn typed_filters_reach_the_reports_finance_route() {
    let peer = shared(SharedPeer::ReportsFinanceBeta);
    let log = RequestLog::new();
    let client = peer.client_builder().middleware(log.clone()).build().expect("client");
    let open_of_northwind = entry::customer_number().eq("50000").and(entry::open().eq(true));
    let rows = beta::Api::new(&client)
        .company(CRONUS_ID)
        .customer_ledger_entries()
        .list()
        .filter(open_of_northwind)
        .collect()
        .await
        .expect("filtered customer ledger entries");
    assert_eq!(numbers(&rows), [503, 505, 507]);

    let url = &log.requests()[0].url;
    let expected_prefix = format!(
        "{}api/microsoft/reportsFinance/beta/companies({CRONUS_ID})/customerLedgerEntries?$filter=",
        peer.base_url()
    );
    assert!(url.starts_with(&expected_prefix), "{url}");
    assert!(url.ends_with("customerNumber%20eq%20%2750000%27%20and%20open%20eq%20true"), "{url}");
}

#[tokio::test]
async fn enum_date_and_decimal_filters() {
    let client = shared(SharedPeer::ReportsFinanceBeta).client();
    let entries = beta::Api::new(&client).company(CRONUS_ID).customer_ledger_entries();

    let payments = entries
        .list()
        .filter(entry::document_type().eq(GenJournalDocumentType::Payment))
        .collect()
        .await
        .expect("by type");
    assert_eq!(numbers(&payments), [504, 508]);

    let from = NaiveDate::from_ymd_opt(2025, 2, 1).expect("date");
    let to = NaiveDate::from_ymd_opt(2025, 2, 28).expect("date");
    let february = entries
        .list()
        .filter(entry::posting_date().ge(from).and(entry::posting_date().le(to)))
        .collect()
        .await
        .expect("by date");
    assert_eq!(numbers(&february), [502, 503, 504, 505, 508]);

    let credits =
        entries.list().filter(entry::amount().lt(0)).order_by(entry::amount()).collect().await.expect("by amount");
    let amounts: Vec<_> = credits.iter().map(|row| row.amount).collect();
    assert_eq!(amounts, [Some(Decimal::from(-15000)), Some(Decimal::from(-2500)), Some(Decimal::new(-40050, 2))]);

    let all = entries.list().collect().await.expect("all");
    assert_eq!(numbers(&all), customer_ledger::CRONUS_ENTRIES);
}

#[tokio::test]
async fn entries_by_key_and_companies_by_name() {
    let client = shared(SharedPeer::ReportsFinanceBeta)
        .client_builder()
        .default_company_name(MULLER_NAME)
        .build()
        .expect("client");
    let api = beta::Api::new(&client);

    let one = api.company(CRONUS_ID).customer_ledger_entry(506).get().await.expect("entry by its number");
    assert_eq!(one.customer_number.as_deref(), Some("30000"));
    assert_eq!(one.description.as_deref(), Some("Sales invoice: Zoë's Café #7 + Co"));
    assert_eq!(one.document_type, Some(GenJournalDocumentType::Invoice));

    let muller = api.default_company().expect("a default company is configured");
    let rows = muller.customer_ledger_entries().list().collect().await.expect("entries of the default company");
    assert_eq!(numbers(&rows), customer_ledger::MULLER_ENTRIES);
    let company = muller.get().await.expect("the company itself");
    assert_eq!(company.id, MULLER_ID);

    let cronus = api.company_by_name(CRONUS_NAME).get().await.expect("company by name");
    assert_eq!(cronus.id, CRONUS_ID);
}
