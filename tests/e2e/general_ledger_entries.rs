//! Seed 001, general ledger entries: every filter example of the guide, its
//! two orderings, paging through the whole set, and reading one entry.
//!
//! The entries are read-only in Business Central (POST/PATCH/DELETE answer
//! 405). The generated API has no `create`, `update` or `delete` for them at
//! all, so such a call does not compile; the compile-fail suite (`tests/ui/`)
//! checks that, and these tests only read.

use std::collections::BTreeSet;

use business_central_sdk::api::v2_0::{self, enums::GenJournalDocumentType, general_ledger_entry as gle};
use business_central_sdk::runtime::chrono::NaiveDate;
use business_central_sdk::runtime::rust_decimal::Decimal;
use futures_util::StreamExt;
use sdk_tests::fixtures::{CRONUS_ID, ledger};
use sdk_tests::{RequestLog, SharedPeer, shared};

fn entries() -> gle::GeneralLedgerEntriesPath {
    let client = shared(SharedPeer::ApiV2).client();
    v2_0::Api::new(&client).company(CRONUS_ID).general_ledger_entries()
}

fn date(text: &str) -> NaiveDate {
    text.parse().expect("a valid test date")
}

fn numbers(rows: &[gle::GeneralLedgerEntry]) -> Vec<i32> {
    let mut numbers: Vec<i32> = rows.iter().map(|row| row.entry_number.expect("entryNumber is always set")).collect();
    numbers.sort_unstable();
    numbers
}

#[tokio::test]
async fn entries_for_one_posting_date() {
    let rows =
        entries().list().filter(gle::posting_date().eq(date("2025-02-17"))).collect().await.expect("filter by date");
    assert_eq!(numbers(&rows), [1001, 1002, 1003, 1004]);
}

#[tokio::test]
async fn entries_in_a_date_range() {
    let february = gle::posting_date().ge(date("2025-02-01")).and(gle::posting_date().le(date("2025-02-28")));
    let rows = entries().list().filter(february).collect().await.expect("filter by range");
    assert_eq!(numbers(&rows), [1001, 1002, 1003, 1004, 1005, 1006, 1007, 1008, 1009, 1010, 1019, 1020]);
}

#[tokio::test]
async fn entries_of_one_account() {
    let rows = entries().list().filter(gle::account_number().eq("60100")).collect().await.expect("filter by account");
    assert_eq!(numbers(&rows), [1001, 1011, 1019]);
    assert!(rows.iter().all(|row| row.account_number.as_deref() == Some("60100")));
}

#[tokio::test]
async fn entries_of_one_document() {
    let rows =
        entries().list().filter(gle::document_number().eq("GJ-001")).collect().await.expect("filter by document");
    assert_eq!(numbers(&rows), [1001, 1002]);
    let debit: Decimal = rows.iter().filter_map(|row| row.debit_amount).sum();
    let credit: Decimal = rows.iter().filter_map(|row| row.credit_amount).sum();
    assert_eq!((debit, credit), (Decimal::from(5000), Decimal::from(5000)), "a journal posting balances");
}

#[tokio::test]
async fn invoice_entries_only() {
    let rows = entries()
        .list()
        .filter(gle::document_type().eq(GenJournalDocumentType::Invoice))
        .collect()
        .await
        .expect("filter by enum");
    assert_eq!(numbers(&rows), [1003, 1004, 1005, 1006, 1013, 1014, 1015, 1016]);
    assert!(rows.iter().all(|row| row.document_type == Some(GenJournalDocumentType::Invoice)));
}

#[tokio::test]
async fn debit_entries_only() {
    let rows = entries().list().filter(gle::debit_amount().gt(0)).collect().await.expect("filter by amount");
    let mut expected = vec![1001, 1004, 1006, 1007, 1009, 1011, 1014, 1016, 1017, 1019];
    expected.extend(ledger::bank_charge_debits());
    assert_eq!(numbers(&rows), expected);
}

#[tokio::test]
async fn large_transactions_either_side() {
    // Business Central refuses `debitAmount gt 10000 or creditAmount gt
    // 10000` (an `or` across fields), so the SDK does not build it: one
    // query per side, merged by entry number. 1019/1020 are exactly
    // 10000.00 and must not match `gt`.
    let debits = entries().list().filter(gle::debit_amount().gt(10000)).collect().await.expect("large debits");
    let credits = entries().list().filter(gle::credit_amount().gt(10000)).collect().await.expect("large credits");
    let mut large: Vec<i32> = debits.iter().chain(&credits).filter_map(|row| row.entry_number).collect();
    large.sort_unstable();
    large.dedup();
    assert_eq!(large, [1003, 1004, 1007, 1008, 1013, 1014]);
}

#[tokio::test]
async fn or_within_one_field() {
    let either = gle::document_type()
        .eq(GenJournalDocumentType::Payment)
        .or(gle::document_type().eq(GenJournalDocumentType::CreditMemo));
    let rows = entries().list().filter(either).collect().await.expect("filter with or");
    assert!(!rows.is_empty());
    assert!(rows.iter().all(|row| matches!(
        row.document_type,
        Some(GenJournalDocumentType::Payment | GenJournalDocumentType::CreditMemo)
    )));
    let same = entries()
        .list()
        .filter(gle::document_type().is_in([GenJournalDocumentType::Payment, GenJournalDocumentType::CreditMemo]))
        .collect()
        .await
        .expect("filter with in");
    assert_eq!(numbers(&rows), numbers(&same));
}

#[tokio::test]
async fn invoices_of_one_account_since_a_date() {
    let combined = gle::account_number()
        .eq("40100")
        .and(gle::document_type().eq(GenJournalDocumentType::Invoice))
        .and(gle::posting_date().ge(date("2025-01-01")));
    let rows = entries().list().filter(combined).collect().await.expect("combined filter");
    // 1013 is a 40100 invoice of December 2024; 1009 a 40100 credit memo.
    assert_eq!(numbers(&rows), [1003, 1005, 1015]);
}

#[tokio::test]
async fn ordered_by_posting_date_descending() {
    let rows = entries().list().order_by(gle::posting_date().desc()).collect().await.expect("ordered listing");
    assert_eq!(rows.len(), ledger::ENTRY_COUNT);
    let dates: Vec<NaiveDate> = rows.iter().map(|row| row.posting_date.expect("postingDate is set")).collect();
    assert!(dates.windows(2).all(|pair| pair[0] >= pair[1]), "dates not descending: {dates:?}");
    assert_eq!(dates.first().copied(), Some(date("2025-03-22")));
    assert_eq!(dates.last().copied(), Some(date("2024-12-10")));
}

#[tokio::test]
async fn fifty_most_recent_entries() {
    let rows = entries().list().order_by(gle::entry_number().desc()).top(50).collect().await.expect("top 50");
    let in_order: Vec<i32> = rows.iter().filter_map(|row| row.entry_number).collect();
    let expected: Vec<i32> = (ledger::LAST_ENTRY - 49..=ledger::LAST_ENTRY).rev().collect();
    assert_eq!(in_order, expected);
}

#[tokio::test]
async fn listing_follows_next_links_and_returns_every_entry_once() {
    let log = RequestLog::new();
    let client = shared(SharedPeer::ApiV2).client_builder().middleware(log.clone()).build().expect("client");
    let query = v2_0::Api::new(&client).company(CRONUS_ID).general_ledger_entries().list();

    let mut pages = query.pages();
    let mut page_sizes = Vec::new();
    let mut seen = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page.expect("every page loads");
        page_sizes.push(page.items.len());
        seen.extend(page.items.into_iter().map(|row| row.id));
    }
    assert!(page_sizes.len() >= 3, "expected at least 3 server pages, got {page_sizes:?}");
    assert_eq!(page_sizes, [10, 10, 10, 10, 10, 10, 2]);
    let unique: BTreeSet<_> = seen.iter().copied().collect();
    assert_eq!(unique.len(), seen.len(), "an entry came twice");
    let expected: BTreeSet<_> = (ledger::FIRST_ENTRY..=ledger::LAST_ENTRY).map(ledger::entry_id).collect();
    assert_eq!(unique, expected);

    let requests = log.requests();
    assert_eq!(requests.len(), page_sizes.len(), "one request per page");
    assert!(requests[1..].iter().all(|r| r.url.contains("$skiptoken=")), "pages after the first follow the next link");
}

business_central_sdk::runtime::projection! {
    /// Three fields of an entry, and nothing else.
    struct Posting of gle::GeneralLedgerEntry {
        entry_number: gle::fields::EntryNumber,
        posting_date: gle::fields::PostingDate,
        debit_amount: gle::fields::DebitAmount,
    }
}

#[tokio::test]
async fn a_projection_of_three_fields_pages_through_the_set() {
    let log = RequestLog::new();
    let client = shared(SharedPeer::ApiV2).client_builder().middleware(log.clone()).build().expect("client");
    let query = v2_0::Api::new(&client).company(CRONUS_ID).general_ledger_entries().list().select_as::<Posting>();

    let mut pages = query.pages();
    let (mut page_sizes, mut rows) = (Vec::new(), Vec::new());
    while let Some(page) = pages.next().await {
        let page = page.expect("every page loads");
        page_sizes.push(page.items.len());
        rows.extend(page.items);
    }
    assert_eq!(page_sizes, [10, 10, 10, 10, 10, 10, 2]);
    let numbers: BTreeSet<i32> = rows.iter().map(|row| row.entry_number.expect("entryNumber is set")).collect();
    assert_eq!(numbers.len(), rows.len(), "an entry came twice");
    assert_eq!(numbers, (ledger::FIRST_ENTRY..=ledger::LAST_ENTRY).collect());
    let first = rows.iter().find(|row| row.entry_number == Some(1001)).expect("entry 1001");
    assert_eq!(first.posting_date, Some(date("2025-02-17")));
    assert!(rows.iter().all(|row| row.debit_amount.is_some()), "every entry has a debit amount (zero or more)");
    let requests = log.requests();
    assert!(requests[0].url.contains("$select=entryNumber,postingDate,debitAmount"), "{}", requests[0].url);
    assert!(requests[1..].iter().all(|r| r.url.contains("$skiptoken=")), "the next links keep the selection");
}

#[tokio::test]
async fn a_smaller_client_page_size_means_more_pages() {
    let client = shared(SharedPeer::ApiV2).client_builder().max_page_size(4).build().expect("client");
    let query = v2_0::Api::new(&client).company(CRONUS_ID).general_ledger_entries().list();
    let mut pages = query.pages();
    let mut count = 0;
    let mut rows = 0;
    while let Some(page) = pages.next().await {
        let page = page.expect("page loads");
        assert!(page.items.len() <= 4, "page larger than asked for: {}", page.items.len());
        rows += page.items.len();
        count += 1;
    }
    assert_eq!((count, rows), (16, ledger::ENTRY_COUNT));
}

#[tokio::test]
async fn one_entry_by_id() {
    let entry = entries().key(ledger::entry_id(1003)).get().await.expect("entry by id");
    assert_eq!(entry.entry_number, Some(1003));
    assert_eq!(entry.document_number.as_deref(), Some("SI-1001"));
    assert_eq!(entry.document_type, Some(GenJournalDocumentType::Invoice));
    assert_eq!(
        entry.credit_amount.map(|amount| amount.to_string()).as_deref(),
        Some("15000.00"),
        "decimals keep their scale"
    );
    assert_eq!(entry.description.as_deref(), Some("Sales invoice: Alpine Ski House"));
    assert!(entry.etag.is_some(), "entities carry their ETag");
}
