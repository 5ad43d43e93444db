//! Seeds 002 and 003: customer payment journals and the customer payments
//! inside them, written through the generated API with optimistic
//! concurrency (`If-Match` from the entity that was read).
//!
//! Writes happen in the second company, on journals each test creates with
//! its own code, so they never disturb each other or the read tests.

use business_central_sdk::api::v2_0::{self, customer_payment as payment, customer_payment_journal as journal};
use business_central_sdk::runtime::Error;
use business_central_sdk::runtime::chrono::NaiveDate;
use business_central_sdk::runtime::rust_decimal::Decimal;
use sdk_tests::fixtures::{self, CRONUS_ID, MULLER_ID, muller_customers::CONTOSO};
use sdk_tests::{SharedPeer, shared};

fn muller() -> v2_0::company::CompanyPath {
    v2_0::Api::new(&shared(SharedPeer::ApiV2).client()).company(MULLER_ID)
}

fn cronus() -> v2_0::company::CompanyPath {
    v2_0::Api::new(&shared(SharedPeer::ApiV2).client()).company(CRONUS_ID)
}

async fn new_journal(code: &str) -> journal::CustomerPaymentJournal {
    muller()
        .customer_payment_journals()
        .create(journal::CustomerPaymentJournalCreate::new(code).display_name(format!("Journal {code}")))
        .await
        .expect("the journal is created")
}

/// A payment by Contoso against its open invoice S-INV-5001.
fn contoso_payment(amount: i64) -> payment::CustomerPaymentCreate {
    payment::CustomerPaymentCreate::new()
        .customer_id(CONTOSO.0)
        .customer_number(CONTOSO.1)
        .applies_to_invoice_id(fixtures::MULLER_OPEN_INVOICE_ID)
        .applies_to_invoice_number(fixtures::MULLER_OPEN_INVOICE_NUMBER)
        .posting_date(NaiveDate::from_ymd_opt(2025, 3, 3).expect("valid date"))
        .document_number("PAY-5001")
        .amount(amount)
        .description("Payment for S-INV-5001")
}

#[tokio::test]
async fn journal_create_get_update_delete() {
    let created = new_journal("E2E-J1").await;
    assert_eq!(created.code, "E2E-J1");
    assert_eq!(created.display_name.as_deref(), Some("Journal E2E-J1"));
    let path = muller().customer_payment_journal(created.id);

    let read = path.get().await.expect("the new journal can be read");
    assert_eq!(read, created);

    let update = journal::CustomerPaymentJournalUpdate::new().display_name("Renamed by the e2e test");
    let updated = path.update(&read, update).await.expect("update with the current ETag");
    assert_eq!(updated.display_name.as_deref(), Some("Renamed by the e2e test"));
    assert_ne!(updated.etag, read.etag, "a write gives the entity a new version");
    assert_eq!(path.get().await.expect("re-read"), updated);

    path.delete(&updated).await.expect("delete with the current ETag");
    let gone = path.get().await.expect_err("the journal is gone");
    assert!(matches!(gone, Error::NotFound(_)), "{gone:?}");
}

#[tokio::test]
async fn journal_delete_with_a_stale_etag_is_refused() {
    let created = new_journal("E2E-J2").await;
    let path = muller().customer_payment_journal(created.id);
    let update = journal::CustomerPaymentJournalUpdate::new().display_name("changed meanwhile");
    let current = path.update(&created, update).await.expect("first update");

    let refused = path.delete(&created).await.expect_err("a stale ETag must not delete");
    assert!(matches!(refused, Error::StaleEtag(_)), "{refused:?}");
    assert_eq!(path.get().await.expect("still there"), current);
    path.delete(&current).await.expect("clean up");
}

#[tokio::test]
async fn journal_lists_its_customer_payments() {
    let payments = cronus()
        .customer_payment_journal(fixtures::CUSTPAY_JOURNAL_ID)
        .customer_payments()
        .list()
        .collect()
        .await
        .expect("payments of the seeded journal");
    assert_eq!(payments.len(), 1);
    let seeded = &payments[0];
    assert_eq!(seeded.id, fixtures::CUSTPAY_PAYMENT_ID);
    assert_eq!(seeded.customer_number.as_deref(), Some(fixtures::cronus_customers::OBRIEN.1));
    assert_eq!(seeded.applies_to_invoice_number.as_deref(), Some(fixtures::POSTED_INVOICE_NUMBER));
    assert_eq!(seeded.amount, Some(Decimal::from(2500)));
    assert_eq!(seeded.description.as_deref(), Some("Partial payment: O'Brien & Sons"));

    let expanded = cronus()
        .customer_payment_journal(fixtures::CUSTPAY_JOURNAL_ID)
        .get()
        .expand(journal::customer_payments())
        .await
        .expect("journal with its payments expanded");
    assert_eq!(expanded.customer_payments.as_deref().map(<[_]>::len), Some(1));
}

#[tokio::test]
async fn payment_create_update_delete() {
    let journal = new_journal("E2E-P1").await;
    let journal_path = muller().customer_payment_journal(journal.id);

    let created = journal_path.customer_payments().create(contoso_payment(1200)).await.expect("payment is created");
    assert_eq!(created.customer_id, Some(CONTOSO.0));
    assert_eq!(created.customer_number.as_deref(), Some(CONTOSO.1));
    assert_eq!(created.applies_to_invoice_id, Some(fixtures::MULLER_OPEN_INVOICE_ID));
    assert_eq!(created.applies_to_invoice_number.as_deref(), Some(fixtures::MULLER_OPEN_INVOICE_NUMBER));
    assert_eq!(created.amount, Some(Decimal::from(1200)));
    assert_eq!(created.journal_id, Some(journal.id), "the service links the line to its journal");

    let path = journal_path.customer_payment(created.id);
    let change = payment::CustomerPaymentUpdate::new().amount(Decimal::new(123_450, 2)).comment("Corrected amount");
    let updated = path.update(&created, change).await.expect("update with the current ETag");
    assert_eq!(updated.amount, Some(Decimal::new(123_450, 2)));
    assert_eq!(updated.comment.as_deref(), Some("Corrected amount"));
    assert_eq!(updated.customer_number.as_deref(), Some(CONTOSO.1), "fields not in the update stay");

    path.delete(&updated).await.expect("delete with the current ETag");
    let left = journal_path.customer_payments().list().collect().await.expect("list after delete");
    assert!(left.is_empty(), "{left:?}");
}

#[tokio::test]
async fn payment_update_with_a_stale_etag_changes_nothing() {
    let journal = new_journal("E2E-P2").await;
    let journal_path = muller().customer_payment_journal(journal.id);
    let original = journal_path.customer_payments().create(contoso_payment(800)).await.expect("payment is created");
    let path = journal_path.customer_payment(original.id);

    let first = payment::CustomerPaymentUpdate::new().amount(900);
    let current = path.update(&original, first).await.expect("first update wins");

    let late = payment::CustomerPaymentUpdate::new().amount(1).description("lost update");
    let refused = path.update(&original, late).await.expect_err("the second writer read an old version");
    assert!(matches!(refused, Error::StaleEtag(_)), "{refused:?}");
    assert!(matches!(refused.status(), Some(409 | 412)), "{refused:?}");

    let after = path.get().await.expect("re-read");
    assert_eq!(after, current, "the refused update changed nothing");
    assert_eq!(after.amount, Some(Decimal::from(900)));
    path.delete(&after).await.expect("clean up");
}
