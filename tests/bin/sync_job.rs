//! A sync job for `tests/e2e/sync_resume.rs`, which kills it (SIGKILL) and
//! starts it again while changes are being made.
//!
//! It keeps a copy of the customers of several companies in one JSON file,
//! written after every batch together with the sync states and a count of
//! every row version it applied: one atomic write (a temporary file renamed
//! over the old one), so that whatever instant the job dies at, the file
//! holds a state and exactly the rows that state accounts for.
//!
//! Settings (environment):
//!   SYNC_BASE_URL      the peer's base URL
//!   SYNC_COMPANIES     company ids, comma-separated
//!   SYNC_FILE          the file described above
//!   SYNC_PAGE_SIZE     rows per page (and per saved step)
//!   SYNC_OVERLAP_MS    the overlap window
//!   SYNC_STOP_FILE     once this file exists, the job stops after a round
//!                      that began after it appeared and found no change

use std::collections::BTreeMap;
use std::error::Error;
use std::path::Path;
use std::time::Duration;

use business_central_sdk::Environment;
use business_central_sdk::api::v2_0;
use business_central_sdk::runtime::uuid::Uuid;
use business_central_sdk::runtime::{Client, ServiceProfile};
use business_central_sdk::sync::{IncrementalSync, SyncState};
use serde::{Deserialize, Serialize};

/// What the job keeps of one customer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Row {
    etag: String,
    display_name: String,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct Company {
    sync: SyncState,
    rows: BTreeMap<String, Row>,
}

/// The job's whole durable state.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Store {
    companies: BTreeMap<String, Company>,
    /// How many times each `company/id/etag` was applied.
    applied: BTreeMap<String, u32>,
    /// Passes completed, over all runs of the job.
    passes: u64,
}

fn setting(name: &str) -> Result<String, Box<dyn Error>> {
    std::env::var(name).map_err(|_| format!("{name} is not set").into())
}

fn load(path: &Path) -> Result<Store, Box<dyn Error>> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(serde_json::from_slice(&bytes)?),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(Store::default()),
        Err(error) => Err(error.into()),
    }
}

fn save(path: &Path, store: &Store) -> Result<(), Box<dyn Error>> {
    let temporary = path.with_extension("tmp");
    std::fs::write(&temporary, serde_json::to_vec(store)?)?;
    std::fs::rename(&temporary, path)?;
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let client = Client::builder(Environment::custom(setting("SYNC_BASE_URL")?))
        .profile(ServiceProfile::strict_odata())
        .timeout(Duration::from_secs(60))
        .build()?;
    let api = v2_0::Api::new(&client);
    let companies: Vec<Uuid> = setting("SYNC_COMPANIES")?.split(',').map(Uuid::parse_str).collect::<Result<_, _>>()?;
    let file = std::path::PathBuf::from(setting("SYNC_FILE")?);
    let stop_file = std::path::PathBuf::from(setting("SYNC_STOP_FILE")?);
    let page_size: u32 = setting("SYNC_PAGE_SIZE")?.parse()?;
    let overlap = Duration::from_millis(setting("SYNC_OVERLAP_MS")?.parse()?);

    let mut store = load(&file)?;
    loop {
        let stopping = stop_file.exists();
        let mut changed = 0usize;
        for company_id in &companies {
            let key = company_id.to_string();
            let sync =
                IncrementalSync::new(&api.company(*company_id).customers()).page_size(page_size).overlap(overlap);
            let state = store.companies.get(&key).map(|c| c.sync.clone()).unwrap_or_default();
            let mut run = sync.start(state)?;
            while let Some(batch) = run.next_batch().await? {
                let company = store.companies.entry(key.clone()).or_default();
                for customer in &batch.changes {
                    let etag = customer.etag.as_ref().map(|e| e.as_str().to_owned()).unwrap_or_default();
                    let row = Row { etag: etag.clone(), display_name: customer.display_name.clone() };
                    company.rows.insert(customer.id.to_string(), row);
                    *store.applied.entry(format!("{key}/{}/{etag}", customer.id)).or_default() += 1;
                }
                changed += batch.changes.len();
                let company = store.companies.entry(key.clone()).or_default();
                company.sync = run.state().clone();
                if batch.pass_complete {
                    store.passes += 1;
                }
                // The rows and the state that accounts for them, in one write.
                save(&file, &store)?;
            }
        }
        eprintln!("round: {changed} changes, {} passes so far", store.passes);
        if stopping && changed == 0 {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
