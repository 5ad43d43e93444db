//! Keeps a CSV copy of a company's customers in step with Business Central,
//! with both tools the SDK offers: webhooks say quickly that something
//! changed (and are the only way to learn of deletions), the incremental
//! sync reads what changed (and catches up after any gap: downtime, a lost
//! subscription, a `collection` notification for more than 1,000 changes).
//!
//! It runs an HTTP endpoint (axum) for Business Central's notifications,
//! subscribes to the company's customers, renews the subscription before it
//! expires, and stops on Ctrl-C or (on Unix) SIGTERM. The copy and the sync state are
//! saved after every page, so a restart continues where it stopped.
//!
//! Connection: see `../common/mod.rs` (BC_BASE_URL or BC_TENANT_ID,
//! BC_ENVIRONMENT, BC_CLIENT_ID, BC_CLIENT_SECRET; BC_COMPANY_ID or
//! BC_COMPANY_NAME; BC_PROFILE=strict for the local peer). A company given
//! by name is resolved to its id once at start: notifications name it by id.
//!
//! Settings:
//!   WEBHOOK_CLIENT_STATE   the secret notifications must carry (required;
//!                          a long random value)
//!   CUSTOMERS_CSV          the copy (default `customers.csv`)
//!   SYNC_STATE_FILE        the sync state and subscription id (default
//!                          `customers.state.json`)
//!   LISTEN_ADDRESS         where the endpoint listens (default
//!                          `127.0.0.1:8080`; port 0 picks a free one)
//!   NOTIFICATION_URL       the URL Business Central calls (default
//!                          `http://{LISTEN_ADDRESS}/webhooks`); online it
//!                          must be a public https URL forwarded here
//!   POLL_SECONDS           sync this often even without notifications
//!                          (default 300, at most a week)
//!   RENEW_CHECK_SECONDS    check the subscription's expiry this often
//!                          (default 3600, at most a day: it is renewed
//!                          when it expires within a day)
//!   UNSUBSCRIBE_ON_EXIT    `1` deletes the subscription when stopping
//!
//! Run (needs axum, which only the `sdk-tests` package depends on):
//! `cargo run -p sdk-tests --bin example_keep_customers_in_sync`

#[path = "../common/mod.rs"]
mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::error::Error;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, RawQuery, State};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::Response;
use axum::routing::post;
use business_central_sdk::api::v2_0::customer;
use business_central_sdk::sync::{IncrementalSync, SyncState};
use business_central_sdk::webhooks::{
    self, ChangeType, ClientState, IncomingRequest, Notification, ReceivedKind, Receiver, Reply, SubscriptionId,
    Subscriptions, WebhookError,
};
use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;

type Customers = customer::CustomersPath;

/// One customer in the CSV file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Row {
    id: String,
    number: String,
    display_name: String,
    city: String,
    email: String,
    last_modified: String,
    etag: String,
}

impl Row {
    fn from(customer: &customer::Customer) -> Row {
        Row {
            id: customer.id.to_string(),
            number: customer.number.clone().unwrap_or_default(),
            display_name: customer.display_name.clone(),
            city: customer.city.clone().unwrap_or_default(),
            email: customer.email.clone().unwrap_or_default(),
            last_modified: customer.last_modified_date_time.map(|t| t.to_rfc3339()).unwrap_or_default(),
            etag: customer.etag.as_ref().map(|e| e.as_str().to_owned()).unwrap_or_default(),
        }
    }
}

/// What is saved next to the copy.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Saved {
    sync: SyncState,
    subscription: Option<SubscriptionId>,
}

/// The copy and its state, and where they live.
struct Copy {
    rows: BTreeMap<String, Row>,
    saved: Saved,
    csv: PathBuf,
    state_file: PathBuf,
}

/// Writes `bytes` to `path` through a temporary file, so that a crash
/// leaves either the old file or the new one.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), Box<dyn Error>> {
    let temporary = path.with_extension("tmp");
    std::fs::write(&temporary, bytes)?;
    std::fs::rename(&temporary, path)?;
    Ok(())
}

impl Copy {
    fn load(csv: PathBuf, state_file: PathBuf) -> Result<Copy, Box<dyn Error>> {
        let mut rows = BTreeMap::new();
        if csv.exists() {
            for row in csv::Reader::from_path(&csv)?.deserialize::<Row>() {
                let row = row?;
                rows.insert(row.id.clone(), row);
            }
        }
        let saved = match std::fs::read(&state_file) {
            Ok(bytes) => serde_json::from_slice(&bytes)?,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Saved::default(),
            Err(error) => return Err(error.into()),
        };
        Ok(Copy { rows, saved, csv, state_file })
    }

    /// Saves the rows, then the state that accounts for them. Applying a
    /// change twice is harmless (rows are replaced by id), so a crash
    /// between the two writes only means reading some changes again.
    fn save(&self) -> Result<(), Box<dyn Error>> {
        let mut writer = csv::Writer::from_writer(Vec::new());
        for row in self.rows.values() {
            writer.serialize(row)?;
        }
        write_atomically(&self.csv, &writer.into_inner()?)?;
        write_atomically(&self.state_file, &serde_json::to_vec_pretty(&self.saved)?)
    }

    /// Reads every change since the last pass, saving after each page.
    async fn sync(&mut self, sync: &IncrementalSync<customer::Customers>) -> Result<usize, Box<dyn Error>> {
        let resumed_mid_pass = self.saved.sync.is_mid_pass();
        let mut run = sync.start(std::mem::take(&mut self.saved.sync))?;
        let mut seen_in_full_read = BTreeSet::new();
        let mut changed = 0;
        loop {
            let batch = match run.next_batch().await {
                Ok(Some(batch)) => batch,
                Ok(None) => break,
                Err(error) => {
                    // Keep what was applied; the next pass retries the page.
                    self.saved.sync = run.into_state();
                    return Err(error.into());
                }
            };
            for customer in &batch.changes {
                seen_in_full_read.insert(customer.id.to_string());
                self.rows.insert(customer.id.to_string(), Row::from(customer));
            }
            changed += batch.changes.len();
            // A complete full read (one that began in this process) also
            // shows which rows were deleted while nobody was listening.
            if batch.full_read && batch.pass_complete && !resumed_mid_pass {
                let before = self.rows.len();
                self.rows.retain(|id, _| seen_in_full_read.contains(id));
                changed += before - self.rows.len();
            }
            self.saved.sync = run.state().clone();
            self.save()?;
        }
        self.saved.sync = run.into_state();
        Ok(changed)
    }
}

/// What the HTTP endpoint shares with the main loop.
#[derive(Clone)]
struct Endpoint {
    receiver: Arc<Receiver>,
    queue: mpsc::Sender<Vec<Notification>>,
}

fn to_response(reply: &Reply) -> Response {
    let mut response = Response::new(Body::from(reply.body().to_vec()));
    *response.status_mut() = StatusCode::from_u16(reply.status()).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
    for (name, value) in reply.headers() {
        if let (Ok(name), Ok(value)) = (HeaderName::from_bytes(name.as_bytes()), HeaderValue::from_str(&value)) {
            response.headers_mut().insert(name, value);
        }
    }
    response
}

/// Business Central's calls: the handshake is answered at once; notifications
/// are queued for the main loop before answering. A full queue is a failure
/// that will pass: 503, so that Business Central retries (a 4xx would make
/// it delete the subscription).
async fn webhook(State(endpoint): State<Endpoint>, RawQuery(query): RawQuery, body: Bytes) -> Response {
    let received = endpoint.receiver.receive(IncomingRequest::new(query.as_deref(), &body));
    if received.kind == ReceivedKind::Notifications
        && !received.notifications.is_empty()
        && endpoint.queue.try_send(received.notifications).is_err()
    {
        return to_response(&Reply::retry_later(Duration::from_secs(30)));
    }
    if let ReceivedKind::Rejected(reason) = &received.kind {
        eprintln!("refused a call to the endpoint: {reason:?}");
    }
    to_response(&received.reply)
}

/// Makes sure a subscription to `url` is in place: renews the saved one
/// when it expires within a day, replaces it when it was made for another
/// URL, subscribes anew when it is gone. Returns whether a new subscription
/// was made (changes before it were not notified).
async fn ensure_subscription(
    subscriptions: &Subscriptions,
    customers: &Customers,
    url: &str,
    secret: &ClientState,
    copy: &mut Copy,
) -> Result<bool, Box<dyn Error>> {
    let day = Duration::from_secs(24 * 3600);
    if let Some(id) = copy.saved.subscription.clone() {
        match subscriptions.get(&id).await {
            Ok(existing) if existing.notification_url != url => {
                subscriptions.delete(&existing).await?;
                println!("deleted subscription {id}: it notified {}", existing.notification_url);
            }
            Ok(_) => {
                let report = subscriptions.renew_expiring(std::slice::from_ref(&id), day, secret).await?;
                for renewed in &report.renewed {
                    println!("renewed subscription {} until {:?}", renewed.id, renewed.expires_at);
                }
                for failure in &report.failed {
                    eprintln!("could not renew subscription {}: {}", failure.subscription.id, failure.error);
                }
                if report.lost.is_empty() {
                    return Ok(false);
                }
                println!("subscription {id} was lost");
            }
            Err(WebhookError::Gone { .. }) => println!("subscription {id} was lost"),
            Err(error) => return Err(error.into()),
        }
    }
    let subscription = subscriptions.subscribe(customers, url, secret).await?;
    println!("subscribed {} until {:?}", subscription.id, subscription.expires_at);
    copy.saved.subscription = Some(subscription.id);
    copy.save()?;
    Ok(true)
}

/// A number of seconds from the environment, between 1 and `most`.
fn seconds(name: &str, default: u64, most: u64) -> Result<Duration, Box<dyn Error>> {
    let value = common::optional(name).map(|v| v.parse::<u64>()).transpose().map_err(|e| format!("{name}: {e}"))?;
    match value.unwrap_or(default) {
        seconds if seconds > most => Err(format!("{name}: at most {most} seconds, not {seconds}").into()),
        seconds => Ok(Duration::from_secs(seconds.max(1))),
    }
}

#[tokio::main]
async fn main() -> common::Outcome {
    let (api, company) = common::connect()?;
    let secret = ClientState::new(common::required("WEBHOOK_CLIENT_STATE")?);
    let csv = PathBuf::from(common::optional("CUSTOMERS_CSV").unwrap_or_else(|| "customers.csv".to_owned()));
    let state_file =
        PathBuf::from(common::optional("SYNC_STATE_FILE").unwrap_or_else(|| "customers.state.json".to_owned()));
    let poll_every = seconds("POLL_SECONDS", 300, 7 * 24 * 3600)?;
    let renew_check_every = seconds("RENEW_CHECK_SECONDS", 3600, 24 * 3600)?;
    // Notifications name the company by id: a company configured by name
    // is resolved once, and the copy, the sync state, the subscription and
    // the matching of notifications all use the id.
    let customers: Customers = webhooks::with_company_id(&company.customers()).await?;
    let sync = IncrementalSync::new(&customers);
    let subscriptions = Subscriptions::new(api.raw());
    let mut copy = Copy::load(csv, state_file)?;

    // The endpoint must answer before subscribing: subscribing starts with
    // Business Central's handshake.
    let listen = common::optional("LISTEN_ADDRESS").unwrap_or_else(|| "127.0.0.1:8080".to_owned());
    let listener = tokio::net::TcpListener::bind(&listen).await?;
    let address = listener.local_addr()?;
    let url = common::optional("NOTIFICATION_URL").unwrap_or_else(|| format!("http://{address}/webhooks"));
    let (queue, mut notifications) = mpsc::channel(1024);
    let receiver = Receiver::new(secret.clone());
    // The receiver's limit: Business Central's largest call, whatever the
    // client state's characters.
    let body_limit = receiver.body_limit();
    let endpoint = Endpoint { receiver: Arc::new(receiver), queue };
    let router = Router::new()
        .route("/webhooks", post(webhook).get(webhook))
        .layer(DefaultBodyLimit::max(body_limit))
        .with_state(endpoint);
    tokio::spawn(async move {
        if let Err(error) = axum::serve(listener, router).await {
            eprintln!("the webhook endpoint stopped: {error}");
        }
    });

    // Catch up first (everything, the first time), then listen.
    let caught_up = copy.sync(&sync).await?;
    ensure_subscription(&subscriptions, &customers, &url, &secret, &mut copy).await?;
    println!("ready: {} customers in the copy ({caught_up} changes read), notifications at {url}", copy.rows.len());

    let mut poll = tokio::time::interval(poll_every);
    let mut renew_check = tokio::time::interval(renew_check_every);
    poll.reset();
    renew_check.reset();
    let mut terminate = Termination::listen()?;
    loop {
        let mut needs_sync = false;
        tokio::select! {
            Some(first) = notifications.recv() => {
                // Take everything queued, then act once.
                let mut received = first;
                while let Ok(more) = notifications.try_recv() {
                    received.extend(more);
                }
                for notification in received.iter().filter(|n| n.resource.is_in(&customers)) {
                    match (&notification.change, notification.resource.id()) {
                        (ChangeType::Deleted, Some(id)) => {
                            if copy.rows.remove(&id.to_string()).is_some() {
                                println!("deleted {id}");
                            }
                        }
                        // Created, updated, collection (more than 1,000
                        // changes) or unknown: read what changed.
                        _ => needs_sync = true,
                    }
                }
                copy.save()?;
            }
            _ = poll.tick() => needs_sync = true,
            _ = renew_check.tick() => {
                if ensure_subscription(&subscriptions, &customers, &url, &secret, &mut copy).await? {
                    // Changes made while no subscription existed were not notified.
                    needs_sync = true;
                }
            }
            _ = tokio::signal::ctrl_c() => break,
            _ = terminate.recv() => break,
        }
        if needs_sync {
            match copy.sync(&sync).await {
                Ok(changed) => println!("synced: {changed} changes, {} customers", copy.rows.len()),
                // A failed pass is retried at the next notification or poll.
                Err(error) => eprintln!("sync failed, will retry: {error}"),
            }
        }
    }

    if common::optional("UNSUBSCRIBE_ON_EXIT").as_deref() == Some("1")
        && let Some(id) = copy.saved.subscription.take()
    {
        let subscription = subscriptions.get(&id).await?;
        subscriptions.delete(&subscription).await?;
        println!("unsubscribed {id}");
    }
    copy.save()?;
    println!("stopped: {} customers in the copy", copy.rows.len());
    Ok(())
}

/// SIGTERM, what service managers send to stop a program. Unix only:
/// elsewhere the program stops on Ctrl-C alone.
struct Termination {
    #[cfg(unix)]
    signal: tokio::signal::unix::Signal,
}

impl Termination {
    fn listen() -> std::io::Result<Termination> {
        Ok(Termination {
            #[cfg(unix)]
            signal: tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?,
        })
    }

    /// Resolves when the signal arrives (never where there is none).
    async fn recv(&mut self) {
        #[cfg(unix)]
        self.signal.recv().await;
        #[cfg(not(unix))]
        std::future::pending::<()>().await;
    }
}
