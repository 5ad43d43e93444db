//! Live tests against a real Business Central online environment.
//!
//! They run only when these variables are set (otherwise each test prints
//! why it was skipped and passes):
//!
//! - `BC_TENANT_ID`: the Microsoft Entra tenant (GUID or domain);
//! - `BC_CLIENT_ID`, `BC_CLIENT_SECRET`: an app registration allowed to use
//!   the Business Central API (`API.ReadWrite.All`) and set up on the BC
//!   "Microsoft Entra Applications" page;
//! - `BC_ENVIRONMENT`: the environment name, such as `sandbox`;
//! - optionally `BC_COMPANY_NAME`: the company to read (default: the first).
//!
//! They only read. `BC_LIVE_ALLOW_WRITES=1` additionally runs one test that
//! creates a customer payment journal and deletes it again; use it on a
//! sandbox only.
//!
//! The client uses the default Business Central profile (plain enum
//! literals, `$schemaversion=2.1` for `in`), unlike the peer tests.

use business_central_sdk::api::v2_0::{
    self, company, customer_payment_journal as journal, general_ledger_entry as gle,
};
use business_central_sdk::runtime::chrono::NaiveDate;
use business_central_sdk::runtime::{Client, Error};
use business_central_sdk::{ClientCredentials, Environment};
use futures_util::StreamExt;

struct LiveSettings {
    tenant: String,
    client_id: String,
    client_secret: String,
    environment: String,
    company_name: Option<String>,
}

/// The settings, or `None` after printing which variables are missing.
fn live_settings(test: &str) -> Option<LiveSettings> {
    let names = ["BC_TENANT_ID", "BC_CLIENT_ID", "BC_CLIENT_SECRET", "BC_ENVIRONMENT"];
    let missing: Vec<&str> =
        names.iter().copied().filter(|name| std::env::var(name).map_or(true, |v| v.is_empty())).collect();
    if !missing.is_empty() {
        eprintln!("skipped {test}: live Business Central tests need {}", missing.join(", "));
        return None;
    }
    let value = |name: &str| std::env::var(name).unwrap_or_default();
    Some(LiveSettings {
        tenant: value("BC_TENANT_ID"),
        client_id: value("BC_CLIENT_ID"),
        client_secret: value("BC_CLIENT_SECRET"),
        environment: value("BC_ENVIRONMENT"),
        company_name: std::env::var("BC_COMPANY_NAME").ok().filter(|name| !name.is_empty()),
    })
}

fn api(settings: &LiveSettings) -> v2_0::Api {
    let credentials = ClientCredentials::new(&settings.tenant, &settings.client_id, settings.client_secret.as_str());
    let client = Client::builder(Environment::online(&settings.tenant, &settings.environment))
        .credentials(credentials)
        .max_page_size(100)
        .build()
        .expect("the live client builds");
    v2_0::Api::new(&client)
}

async fn chosen_company(api: &v2_0::Api, settings: &LiveSettings) -> company::Company {
    let companies = api.companies().list().collect().await.expect("list companies");
    assert!(!companies.is_empty(), "the environment has no company");
    match &settings.company_name {
        Some(name) => {
            companies.into_iter().find(|c| c.name.as_deref() == Some(name)).expect("BC_COMPANY_NAME names a company")
        }
        None => companies.into_iter().next().expect("checked above"),
    }
}

#[tokio::test]
async fn lists_companies() {
    let Some(settings) = live_settings("lists_companies") else { return };
    let api = api(&settings);
    let company = chosen_company(&api, &settings).await;
    let name = company.name.clone().expect("companies have names");
    let by_name = api.company_by_name(&name).get().await.expect("the company by its name");
    assert_eq!(by_name.id, company.id);
}

#[tokio::test]
async fn pages_through_filtered_general_ledger_entries() {
    let Some(settings) = live_settings("pages_through_filtered_general_ledger_entries") else { return };
    let api = api(&settings);
    let company = chosen_company(&api, &settings).await;
    let since = NaiveDate::from_ymd_opt(2000, 1, 1).expect("date");
    let query = api
        .company(company.id)
        .general_ledger_entries()
        .list()
        .filter(gle::posting_date().ge(since).and(gle::debit_amount().gt(0)))
        .page_size(50);
    let mut pages = query.pages();
    let (mut page_count, mut rows) = (0, 0);
    // Bounded: enough to cross page boundaries without reading a whole ledger.
    while let Some(page) = pages.next().await {
        let page = page.expect("a page of entries");
        assert!(page.items.iter().all(|e| e.debit_amount.is_some_and(|d| d.is_sign_positive() && !d.is_zero())));
        rows += page.items.len();
        page_count += 1;
        if page_count == 5 {
            break;
        }
    }
    eprintln!("read {rows} entries in {page_count} pages");
}

#[tokio::test]
async fn creates_updates_and_deletes_a_journal_when_allowed() {
    let Some(settings) = live_settings("creates_updates_and_deletes_a_journal_when_allowed") else { return };
    if std::env::var("BC_LIVE_ALLOW_WRITES").as_deref() != Ok("1") {
        eprintln!(
            "skipped creates_updates_and_deletes_a_journal_when_allowed: set BC_LIVE_ALLOW_WRITES=1 to allow writes"
        );
        return;
    }
    let api = api(&settings);
    let company = chosen_company(&api, &settings).await;
    let journals = api.company(company.id).customer_payment_journals();
    let created = journals
        .create(journal::CustomerPaymentJournalCreate::new("SDKE2E").display_name("SDK e2e test"))
        .await
        .expect("create");
    let path = api.company(company.id).customer_payment_journal(created.id);
    let updated = path
        .update(&created, journal::CustomerPaymentJournalUpdate::new().display_name("SDK e2e test (updated)"))
        .await;
    let stale = path.update(&created, journal::CustomerPaymentJournalUpdate::new().display_name("stale")).await;
    let cleanup = path.delete_unconditionally().await;
    let updated = updated.expect("update with the current ETag");
    assert_eq!(updated.display_name.as_deref(), Some("SDK e2e test (updated)"));
    assert!(matches!(stale, Err(Error::StaleEtag(_))), "BC's 409 Request_EntityChanged maps to StaleEtag: {stale:?}");
    cleanup.expect("delete");
}
