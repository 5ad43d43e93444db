//! How a team tests its own Business Central integration with the
//! in-memory fake of `business-central-testing`: the module `crm_sync`
//! stands for the team's code, the tests below it for the team's tests.
//! Nothing here needs a Business Central environment, a network or
//! credentials.
//!
//! To use the fake in your own crate, beside the SDK:
//!
//! ```toml
//! [dependencies]
//! business-central-sdk = "0.1"
//!
//! [dev-dependencies]
//! business-central-testing = "0.1"
//! ```

/// The code under test: a one-way customer sync from a CRM into Business
/// Central, written against the generated API as production code would be.
mod crm_sync {
    use business_central_sdk::Error;
    use business_central_sdk::api::v2_0::{self, customer};

    /// A customer as the CRM holds it.
    #[derive(Debug, Clone)]
    pub struct CrmCustomer {
        pub number: &'static str,
        pub name: &'static str,
        pub city: &'static str,
    }

    /// What a sync run did.
    #[derive(Debug, Default, PartialEq, Eq)]
    pub struct SyncReport {
        pub created: usize,
        pub updated: usize,
        pub unchanged: usize,
        /// Updates refused because someone changed the customer meanwhile,
        /// then redone on the fresh record.
        pub conflicts_resolved: usize,
    }

    fn changes(record: &CrmCustomer) -> customer::CustomerUpdate {
        customer::CustomerUpdate::new().display_name(record.name).city(record.city)
    }

    fn differs(current: &customer::Customer, record: &CrmCustomer) -> bool {
        current.display_name != record.name || current.city.as_deref() != Some(record.city)
    }

    /// Makes the company's customers match the CRM: creates the missing
    /// ones, updates the changed ones. A stale ETag (someone edited the
    /// customer in Business Central meanwhile) is resolved by reading the
    /// customer again and reapplying the CRM's values.
    pub async fn sync_customers(
        company: &v2_0::company::CompanyPath,
        crm: &[CrmCustomer],
    ) -> Result<SyncReport, Error> {
        let mut report = SyncReport::default();
        let numbers: Vec<&str> = crm.iter().map(|c| c.number).collect();
        let existing = company.customers().list().filter(customer::number().is_in(numbers)).collect().await?;
        for record in crm {
            let Some(current) = existing.iter().find(|c| c.number.as_deref() == Some(record.number)) else {
                let new = customer::CustomerCreate::new(record.name).number(record.number).city(record.city);
                company.customers().create(new).await?;
                report.created += 1;
                continue;
            };
            if !differs(current, record) {
                report.unchanged += 1;
                continue;
            }
            let path = company.customer(current.id);
            match path.update(current, changes(record)).await {
                Ok(_) => report.updated += 1,
                Err(Error::StaleEtag(_)) => {
                    let fresh = path.get().await?;
                    path.update(&fresh, changes(record)).await?;
                    report.updated += 1;
                    report.conflicts_resolved += 1;
                }
                Err(other) => return Err(other),
            }
        }
        Ok(report)
    }
}

use std::time::Duration;

use business_central_sdk::Error;
use business_central_sdk::api::v2_0::{self, customer};
use business_central_sdk::runtime::Method;
use business_central_testing::{FakeBusinessCentral, Fault, RequestMatcher};
use crm_sync::{CrmCustomer, SyncReport, sync_customers};

const CRM: [CrmCustomer; 3] = [
    CrmCustomer { number: "10000", name: "Alpine Ski House", city: "Denver" },
    CrmCustomer { number: "20000", name: "O'Brien & Sons Ltd", city: "Dublin" },
    CrmCustomer { number: "30000", name: "Zoë's Café", city: "Lyon" },
];

/// A fake with a company holding customers 10000 (up to date) and 20000
/// (renamed in the CRM since); 30000 exists only in the CRM.
fn business_central() -> (FakeBusinessCentral, v2_0::Api, v2_0::company::CompanyPath) {
    let bc = FakeBusinessCentral::new();
    let cronus = bc.add_company("CRONUS USA, Inc.");
    let api = v2_0::Api::new(&bc.client());
    let customers = api.company(cronus).customers();
    for (number, name, city) in [("10000", "Alpine Ski House", "Denver"), ("20000", "O'Brien & Sons", "Dublin")] {
        bc.insert(&customers, customer::CustomerCreate::new(name).number(number).city(city)).expect("seeded");
    }
    let company = api.company(cronus);
    (bc, api, company)
}

fn names(bc: &FakeBusinessCentral, company: &v2_0::company::CompanyPath) -> Vec<(String, String)> {
    let mut all: Vec<(String, String)> = bc
        .list(&company.customers())
        .expect("customers")
        .into_iter()
        .map(|c| (c.number.unwrap_or_default(), c.display_name))
        .collect();
    all.sort();
    all
}

#[tokio::test]
async fn creates_missing_and_updates_changed_customers() {
    let (bc, _api, company) = business_central();
    let report = sync_customers(&company, &CRM).await.expect("the sync succeeds");
    assert_eq!(report, SyncReport { created: 1, updated: 1, unchanged: 1, conflicts_resolved: 0 });
    assert_eq!(
        names(&bc, &company),
        [
            ("10000".to_owned(), "Alpine Ski House".to_owned()),
            ("20000".to_owned(), "O'Brien & Sons Ltd".to_owned()),
            ("30000".to_owned(), "Zoë's Café".to_owned()),
        ]
    );

    // What went over the wire: one filtered read, one create, one update.
    let sent = bc.requests();
    assert_eq!(sent.with_method(Method::Get).len(), 1, "{}", sent.summary());
    assert_eq!(sent.with_method(Method::Post).len(), 1);
    // Business Central ignores `in` without `$schemaversion=2.1`; the SDK adds it.
    sent.assert_no_in_without_schema_version();
    sent.assert_writes_carry_if_match();
    let obrien =
        bc.list(&company.customers()).expect("customers").into_iter().find(|c| c.number.as_deref() == Some("20000"));
    sent.assert_patches_to_carry_if_match(&company.customer(obrien.expect("20000").id));
}

#[tokio::test]
async fn a_concurrent_edit_in_business_central_is_resolved() {
    let (bc, _api, company) = business_central();
    // Someone edits the customer in Business Central between our read and our write.
    bc.inject(Fault::stale_etag().when(RequestMatcher::patch().path_contains("/customers(")));

    let report = sync_customers(&company, &CRM).await.expect("the conflict is resolved");
    assert_eq!(report.conflicts_resolved, 1);
    assert_eq!(report.updated, 1);

    let sent = bc.requests();
    let patches = sent.with_method(Method::Patch);
    assert_eq!(patches.len(), 2, "the refused PATCH and the one on the fresh record:\n{}", sent.summary());
    assert_eq!(patches[0].status, Some(409));
    assert_eq!(patches[1].status, Some(200));
    assert_ne!(patches[0].if_match(), patches[1].if_match(), "the retry sends the fresh ETag");
    assert!(names(&bc, &company).contains(&("20000".to_owned(), "O'Brien & Sons Ltd".to_owned())));
}

/// Paused time: the client's waits before retrying take no real time.
#[tokio::test(start_paused = true)]
async fn a_throttling_burst_is_ridden_out() {
    let (bc, _api, company) = business_central();
    let burst = RequestMatcher::get().path_contains("/customers");
    bc.inject(Fault::throttled().retry_after(Duration::from_secs(2)).when(burst).times(3));

    let started = tokio::time::Instant::now();
    let report = sync_customers(&company, &CRM).await.expect("the client retries through the burst");
    assert_eq!(report.created + report.updated + report.unchanged, 3);
    assert!(started.elapsed() >= Duration::from_secs(6), "the client waited as Retry-After asked");

    let reads: Vec<Option<u16>> = bc.requests().with_method(Method::Get).iter().map(|r| r.status).collect();
    assert_eq!(reads, [Some(429), Some(429), Some(429), Some(200)]);
}

#[tokio::test(start_paused = true)]
async fn throttling_that_does_not_end_is_reported() {
    let (bc, _api, company) = business_central();
    bc.inject(Fault::throttled().retry_after(Duration::from_secs(5)).always());

    let error = sync_customers(&company, &CRM).await.expect_err("the client gives up");
    assert!(matches!(error, Error::Throttled(_)), "{error:?}");
    assert_eq!(error.service_error().and_then(|e| e.retry_after), Some(Duration::from_secs(5)));
    assert!(error.correlation_id().is_some(), "Business Central's errors carry a correlation id");
    assert!(names(&bc, &company).iter().all(|(number, _)| number != "30000"), "nothing was written");
}

/// Keeping a copy current, tested against the fake: the first pass reads
/// everything, the next hands out only what changed, even though the
/// overlap window makes it read the unchanged rows again.
#[tokio::test]
async fn an_incremental_sync_reads_only_what_changed_since_the_last_pass() {
    use business_central_sdk::sync::{IncrementalSync, SyncState};

    let (bc, _api, company) = business_central();
    let sync = IncrementalSync::new(&company.customers()).page_size(1);
    let pass = |state: SyncState| {
        let sync = sync.clone();
        async move {
            let mut run = sync.start(state).expect("the state belongs to these customers");
            let (mut changed, mut skipped) = (Vec::new(), 0);
            while let Some(batch) = run.next_batch().await.expect("a page") {
                changed.extend(batch.changes.into_iter().map(|c| c.number.unwrap_or_default()));
                skipped += batch.duplicates_skipped;
            }
            // What a job would save and load between runs.
            let saved = serde_json::to_string(run.state()).expect("the state serialises");
            (changed, skipped, serde_json::from_str::<SyncState>(&saved).expect("and reads back"))
        }
    };

    let (first, skipped, state) = pass(SyncState::new()).await;
    assert_eq!((first, skipped), (vec!["10000".to_owned(), "20000".to_owned()], 0));
    bc.clear_requests();

    let obrien =
        bc.list(&company.customers()).expect("customers").into_iter().find(|c| c.number.as_deref() == Some("20000"));
    bc.edit_as_another_user(&company.customer(obrien.expect("20000").id), r#"{"city": "Cork"}"#).expect("edited");
    let (second, skipped, state) = pass(state).await;
    assert_eq!(second, ["20000"], "only the edited customer is handed out");
    assert_eq!(skipped, 1, "the unchanged one was read again within the overlap and recognised");

    let (third, _, _) = pass(state).await;
    assert!(third.is_empty(), "nothing changed since: {third:?}");
    // Each page of the later passes asked only for recent changes.
    let sent = bc.requests();
    let reads = sent.with_method(Method::Get);
    assert!(!reads.is_empty() && reads.iter().all(|r| r.url.contains("lastModifiedDateTime")), "{}", sent.summary());
}
