//! Webhooks end to end, the peer playing Business Central
//! (`tests/peer/bc_webhooks.py`) and an axum endpoint answering with the
//! SDK's `Receiver` (`sdk_tests::notification_sink`): the handshake,
//! notifications for changes made through the API, a `collection`
//! notification after more than 1,000 changes (read with the incremental
//! sync), the largest call Business Central makes (1,000 notifications with
//! the longest non-ASCII client state), a company addressed by name,
//! renewal and expiry, retries after 5xx, the subscription lost after a 4xx,
//! and the limits.
//!
//! Each test starts a peer of its own: they move its clock and count its
//! subscriptions and deliveries.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use business_central_sdk::api::v2_0::{self, customer, sales_invoice_line as line};
use business_central_sdk::limits::{MAX_CLIENT_STATE_CHARS, MAX_WEBHOOK_SUBSCRIPTIONS, WEBHOOK_SUBSCRIPTION_LIFETIME};
use business_central_sdk::runtime::chrono::{TimeDelta, Utc};
use business_central_sdk::runtime::uuid::Uuid;
use business_central_sdk::runtime::{Error, Method};
use business_central_sdk::sync::{IncrementalSync, SyncState};
use business_central_sdk::webhooks::{
    self, ChangeType, ClientState, LossReason, Notification, Subscription, Subscriptions, WebhookError,
};
use sdk_tests::fixtures::{CRONUS_ID, DRAFT_INVOICE_ID, MULLER_ID, MULLER_NAME};
use sdk_tests::notification_sink::{Behaviour, NotificationSink};
use sdk_tests::{PeerConfig, PeerServer, RequestLog, peer_control};
use serde_json::Value;

const WAIT: Duration = Duration::from_secs(20);
const DAY: f64 = 24.0 * 60.0 * 60.0;

struct Setup {
    server: PeerServer,
    api: v2_0::Api,
    subscriptions: Subscriptions,
    sink: NotificationSink,
    secret: ClientState,
    log: RequestLog,
}

/// A peer notifying after `delay_ms` (Business Central: 30 s), retrying
/// quickly, and an endpoint for its notifications.
async fn setup(name: &'static str, delay_ms: u64) -> Setup {
    let server = PeerServer::start(PeerConfig { name, ..PeerConfig::api_v2() }).expect("a peer of the test's own");
    peer_control::configure_webhooks(&server, delay_ms, &[100, 200, 400]).await.expect("notification timing");
    let log = RequestLog::new();
    let client = server.client_builder().middleware(log.clone()).build().expect("client");
    let api = v2_0::Api::new(&client);
    let subscriptions = Subscriptions::new(api.raw());
    let secret = ClientState::new(format!("e2e secret for {name}: 7d1f0c6e-1b0f-4a4e-9d35-0d6b9e1c2a77"));
    let sink = NotificationSink::start(secret.clone()).await;
    Setup { server, api, subscriptions, sink, secret, log }
}

fn has(notifications: &[Notification], change: &ChangeType, id: Uuid) -> bool {
    notifications.iter().any(|n| n.change == *change && n.resource.id() == Some(id))
}

async fn notification_deliveries(server: &PeerServer) -> Vec<Value> {
    let log = peer_control::deliveries(server).await.expect("delivery log");
    log.into_iter().filter(|entry| entry["kind"] == "notification").collect()
}

/// Polls the peer's delivery log until `done` holds (or the wait is over).
async fn wait_for_deliveries(server: &PeerServer, done: impl Fn(&[Value]) -> bool) -> Vec<Value> {
    let deadline = Instant::now() + WAIT;
    loop {
        let deliveries = notification_deliveries(server).await;
        if done(&deliveries) || Instant::now() > deadline {
            return deliveries;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changes_made_through_the_api_are_notified_after_the_handshake() {
    let Setup { server, api, subscriptions, sink, secret, .. } = setup("webhooks-notify", 200).await;
    let company = api.company(CRONUS_ID);
    let customers = company.customers();
    let subscription = subscriptions.subscribe(&customers, sink.url(), &secret).await.expect("subscribed");
    assert_eq!(sink.handshakes(), 1, "the subscription was validated first");
    assert_eq!(subscription.resource, format!("/api/v2.0/companies({CRONUS_ID})/customers"));
    assert_eq!(subscription.notification_url, sink.url());
    let lifetime = subscription.expires_at.expect("an expiry").to_utc() - Utc::now();
    let three_days = TimeDelta::from_std(WEBHOOK_SUBSCRIPTION_LIFETIME).expect("3 days");
    assert!((lifetime - three_days).num_seconds().abs() < 60, "expires in {lifetime}");

    let created = customers.create(customer::CustomerCreate::new("Notified customer")).await.expect("create");
    let got = sink.wait_until(WAIT, |n| has(n, &ChangeType::Created, created.id)).await;
    assert!(has(&got, &ChangeType::Created, created.id), "{got:?}");

    let changes = customer::CustomerUpdate::new().display_name("Notified customer, renamed");
    customers.key(created.id).update(&created, changes).await.expect("update");
    let doomed = customers.create(customer::CustomerCreate::new("Short-lived")).await.expect("create");
    customers.key(doomed.id).delete(&doomed).await.expect("delete");
    // Not subscribed: the other company's customers.
    api.company(MULLER_ID).customers().create(customer::CustomerCreate::new("Elsewhere")).await.expect("create");
    let got = sink
        .wait_until(WAIT, |n| has(n, &ChangeType::Updated, created.id) && has(n, &ChangeType::Deleted, doomed.id))
        .await;
    assert!(has(&got, &ChangeType::Updated, created.id) && has(&got, &ChangeType::Deleted, doomed.id), "{got:?}");
    assert!(got.iter().all(|n| n.subscription_id == subscription.id));
    assert!(got.iter().all(|n| n.resource.company_id() == Some(CRONUS_ID)), "{got:?}");
    assert!(got.iter().all(|n| n.last_modified.is_some() && n.expires_at.is_some()));

    // The resource is a typed path of the subscribed collection.
    let updated = got.iter().find(|n| n.change == ChangeType::Updated).expect("the update");
    let path = updated.resource.entity_in(&customers).expect("a customer of the subscribed company");
    let read = path.get().await.expect("read the notified row");
    assert_eq!(read.display_name, "Notified customer, renamed");
    assert!(updated.resource.entity_in(&api.company(MULLER_ID).customers()).is_none());

    let handshake =
        peer_control::deliveries(&server).await.expect("log").into_iter().find(|e| e["kind"] == "handshake");
    let seconds = handshake.as_ref().and_then(|h| h["seconds"].as_f64()).expect("the handshake was timed");
    eprintln!(
        "handshake answered in {:.1} ms as measured by the peer (Business Central waits about 5 s)",
        seconds * 1e3
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn more_than_1000_changes_become_one_collection_notification_read_by_the_sync() {
    // A window long enough for 1,001 writes, however busy the machine.
    let Setup { server, api, subscriptions, sink, secret, .. } = setup("webhooks-collection", 10_000).await;
    let company = api.company(CRONUS_ID);
    let customers = company.customers();
    let sync = IncrementalSync::new(&customers).page_size(1000);
    let mut state = SyncState::new();
    let mut run = sync.start(state).expect("run");
    while run.next_batch().await.expect("page").is_some() {}
    state = run.into_state();
    subscriptions.subscribe(&customers, sink.url(), &secret).await.expect("subscribed");

    let mut made = BTreeSet::new();
    for round in 0..11 {
        let mut batch = api.batch();
        let handles: Vec<_> = (0..91)
            .map(|i| batch.add(customers.create(customer::CustomerCreate::new(format!("Bulk {round}-{i}")))))
            .collect();
        let mut response = batch.await.expect("batch");
        for handle in handles {
            made.insert(response.take(handle).expect("created").id);
        }
    }
    assert_eq!(made.len(), 1001);

    let got = sink.wait_until(WAIT, |n| !n.is_empty()).await;
    let [collection] = got.as_slice() else { panic!("one collection notification expected: {got:?}") };
    assert_eq!(collection.change, ChangeType::Collection);
    assert!(collection.resource.is_in(&customers) && collection.resource.key().is_none(), "{collection:?}");
    assert!(collection.resource.changed_since().is_some(), "{}", collection.resource);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(sink.notification_calls(), 1, "one call, not 1,001");

    // The notification turns into an incremental sync.
    let mut run = sync.start(state).expect("run");
    let mut read = BTreeSet::new();
    while let Some(batch) = run.next_batch().await.expect("page") {
        read.extend(batch.changes.into_iter().map(|c| c.id));
    }
    assert_eq!(read, made, "the sync read exactly the 1,001 changes");
    let deliveries = notification_deliveries(&server).await;
    assert_eq!(deliveries[0]["changeTypes"], serde_json::json!(["collection"]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_largest_call_business_central_makes_is_accepted_with_the_longest_non_ascii_client_state() {
    // A window long enough for 1,000 writes, however busy the machine.
    let Setup { server, api, subscriptions, sink: _, .. } = setup("webhooks-largest-call", 10_000).await;
    // The longest client state, in characters the peer escapes as `\u00e9`
    // (6 bytes each), as a JSON writer that escapes non-ASCII text does.
    let secret = ClientState::new("é".repeat(MAX_CLIENT_STATE_CHARS));
    let sink = NotificationSink::start(secret.clone()).await;
    let customers = api.company(CRONUS_ID).customers();
    let subscription = subscriptions.subscribe(&customers, sink.url(), &secret).await.expect("subscribed");

    // 1,000 changes: the most that are still notified one by one.
    for round in 0..10 {
        let mut batch = api.batch();
        for i in 0..100 {
            let _ = batch.add(customers.create(customer::CustomerCreate::new(format!("Largest call {round}-{i}"))));
        }
        batch.await.expect("batch");
    }
    let got = sink.wait_until(WAIT, |n| n.len() >= 1000).await;
    assert_eq!(got.len(), 1000, "every notification of the call");
    assert!(got.iter().all(|n| n.change == ChangeType::Created));
    let deliveries = notification_deliveries(&server).await;
    let [delivery] = deliveries.as_slice() else { panic!("one call expected: {deliveries:?}") };
    assert_eq!((delivery["count"].as_u64(), delivery["status"].as_u64()), (Some(1000), Some(200)));
    assert!(subscriptions.get(&subscription.id).await.is_ok(), "the subscription is still there");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_company_addressed_by_name_is_subscribed_and_notified_by_id() {
    let Setup { server: _server, api, subscriptions, sink, secret, .. } = setup("webhooks-company-name", 100).await;
    let by_name = api.company_by_name(MULLER_NAME).customers();
    let subscription = subscriptions.subscribe(&by_name, sink.url(), &secret).await.expect("subscribed");
    assert_eq!(subscription.resource, format!("/api/v2.0/companies({MULLER_ID})/customers"));

    let customers = api.company(MULLER_ID).customers();
    let created = customers.create(customer::CustomerCreate::new("Named company")).await.expect("create");
    let got = sink.wait_until(WAIT, |n| has(n, &ChangeType::Created, created.id)).await;
    let notification = got.iter().find(|n| n.resource.id() == Some(created.id)).expect("notified");
    // Matched against the collection resolved once, not the one by name.
    let by_id = webhooks::with_company_id(&by_name).await.expect("the company's id");
    assert_eq!(by_id.raw().path(), format!("companies({MULLER_ID})/customers"));
    assert!(!notification.resource.is_in(&by_name));
    let path = notification.resource.entity_in(&by_id).expect("a customer of the subscribed company");
    assert_eq!(path.get().await.expect("read it").display_name, "Named company");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subscriptions_are_renewed_with_if_match_and_a_body_and_reported_lost_after_expiry() {
    let Setup { server, api, subscriptions, sink, secret, log } = setup("webhooks-renewal", 100).await;
    let customers = api.company(CRONUS_ID).customers();
    let first = subscriptions.subscribe(&customers, sink.url(), &secret).await.expect("subscribed");
    let ours = [first.id.clone()];

    let report = subscriptions.renew_expiring(&ours, Duration::from_secs(3600), &secret).await.expect("renewal");
    assert_eq!((report.not_due.len(), report.renewed.len(), sink.handshakes()), (1, 0, 1), "{report:?}");

    // Two and a half days later, a margin of one day makes it due.
    peer_control::advance_clock(&server, 2.5 * DAY).await.expect("clock");
    let margin = Duration::from_secs(4 * 24 * 3600);
    log.clear();
    let report = subscriptions.renew_expiring(&ours, margin, &secret).await.expect("renewal");
    let [renewed] = report.renewed.as_slice() else { panic!("{report:?}") };
    assert!(report.all_in_place());
    assert_eq!(sink.handshakes(), 2, "renewing repeats the handshake");
    assert!(renewed.expires_at > first.expires_at && renewed.etag != first.etag);
    let patch = log.requests().into_iter().find(|r| r.method == Method::Patch).expect("a PATCH was sent");
    assert_eq!(patch.header("If-Match"), first.etag.as_ref().map(|e| e.as_str()), "If-Match with the listed ETag");
    assert!(patch.url.ends_with(&format!("/api/v2.0/subscriptions('{}')", first.id)), "{}", patch.url);
    // The peer refuses a renewal without If-Match or without a body, like
    // Business Central, so the renewal above sent both. One with the ETag
    // from before that renewal is stale.
    match subscriptions.renew(&first, &secret).await {
        Err(WebhookError::Request(Error::StaleEtag(_))) => {}
        other => panic!("a renewal with the old ETag must fail as stale: {other:?}"),
    }

    // Past its expiry it is gone, and changes are no longer notified.
    peer_control::advance_clock(&server, 3.0 * DAY + 60.0).await.expect("clock");
    let report = subscriptions.renew_expiring(&ours, margin, &secret).await.expect("renewal");
    assert_eq!(report.lost.len(), 1, "{report:?}");
    assert_eq!(report.lost[0].reason, LossReason::Missing);
    assert!(subscriptions.list().await.expect("list").is_empty());
    customers.create(customer::CustomerCreate::new("Nobody listens")).await.expect("create");
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(sink.notification_calls(), 0);

    // A receiver too slow for the handshake cannot renew: reported, and
    // the subscription stays valid until it expires.
    let second = subscriptions.subscribe(&customers, sink.url(), &secret).await.expect("subscribed again");
    sink.set_handshake_delay(Duration::from_secs(6));
    // The peer's clock is 5.5 days ahead by now: a margin that covers it.
    let margin = Duration::from_secs(10 * 24 * 3600);
    let report =
        subscriptions.renew_expiring(std::slice::from_ref(&second.id), margin, &secret).await.expect("renewal");
    let [failure] = report.failed.as_slice() else { panic!("{report:?}") };
    assert!(matches!(failure.error, WebhookError::Request(_)), "{:?}", failure.error);
    assert!(subscriptions.get(&second.id).await.is_ok(), "still valid");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transient_failures_are_retried_and_a_4xx_loses_the_subscription() {
    let Setup { server, api, subscriptions, sink, secret, .. } = setup("webhooks-failures", 100).await;
    let customers = api.company(CRONUS_ID).customers();
    let subscription = subscriptions.subscribe(&customers, sink.url(), &secret).await.expect("subscribed");

    sink.set_behaviour(Behaviour::FailTransiently(2));
    let retried = customers.create(customer::CustomerCreate::new("Retried")).await.expect("create");
    let got = sink.wait_until(WAIT, |n| has(n, &ChangeType::Created, retried.id)).await;
    assert!(has(&got, &ChangeType::Created, retried.id), "delivered after two 503s: {got:?}");
    let statuses: Vec<Value> = notification_deliveries(&server).await.iter().map(|d| d["status"].clone()).collect();
    assert_eq!(statuses, [503, 503, 200].map(Value::from));
    assert!(subscriptions.get(&subscription.id).await.is_ok(), "a 5xx keeps the subscription");

    sink.set_behaviour(Behaviour::Refuse(400));
    customers.create(customer::CustomerCreate::new("Refused")).await.expect("create");
    let deliveries = wait_for_deliveries(&server, |d| d.iter().any(|e| e["status"] == 400)).await;
    let refused = deliveries.iter().find(|e| e["status"] == 400).expect("the refused delivery");
    assert_eq!(refused["deletedSubscriptions"], serde_json::json!([subscription.id.as_str()]));
    match subscriptions.get(&subscription.id).await {
        Err(WebhookError::Gone { id, .. }) => assert_eq!(id, subscription.id),
        other => panic!("the subscription must be gone: {other:?}"),
    }
    let report = subscriptions
        .renew_expiring(std::slice::from_ref(&subscription.id), Duration::ZERO, &secret)
        .await
        .expect("list");
    assert_eq!(report.lost.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn limits_and_unsupported_resources_give_clear_errors() {
    let Setup { server: _server, api, subscriptions, sink, secret, .. } = setup("webhooks-limits", 100).await;
    let company = api.company(CRONUS_ID);

    let too_long = ClientState::new("x".repeat(2049));
    match subscriptions.subscribe(&company.customers(), sink.url(), &too_long).await {
        Err(WebhookError::Invalid(reason)) => assert!(reason.contains("2048"), "{reason}"),
        other => panic!("{other:?}"),
    }
    match subscriptions.subscribe(&company.sales_invoice_lines(), sink.url(), &secret).await {
        Err(error @ WebhookError::UnsupportedResource { .. }) => {
            assert!(error.to_string().contains("salesInvoiceLines") && error.to_string().contains("does not support"));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(sink.handshakes(), 0, "refused before any handshake");

    let mut made: Vec<Subscription> = Vec::new();
    for _ in 0..MAX_WEBHOOK_SUBSCRIPTIONS {
        made.push(subscriptions.subscribe(&company.customers(), sink.url(), &secret).await.expect("subscribe"));
    }
    match subscriptions.subscribe(&company.items(), sink.url(), &secret).await {
        Err(WebhookError::SubscriptionLimit { existing, .. }) => assert_eq!(existing, MAX_WEBHOOK_SUBSCRIPTIONS),
        other => panic!("the 201st subscription: {other:?}"),
    }
    let oldest = made.remove(0);
    subscriptions.delete(&oldest).await.expect("delete with If-Match");
    subscriptions.subscribe(&company.items(), sink.url(), &secret).await.expect("room for one again");
    assert_eq!(subscriptions.list().await.expect("list").len(), MAX_WEBHOOK_SUBSCRIPTIONS);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_to_an_invoice_line_is_notified_as_a_change_of_the_invoice() {
    // The peer must outlive the test body: bind it.
    let Setup { server: _server, api, subscriptions, sink, secret, .. } = setup("webhooks-lines", 100).await;
    let company = api.company(CRONUS_ID);
    subscriptions.subscribe(&company.sales_invoices(), sink.url(), &secret).await.expect("subscribed");
    company
        .sales_invoice(DRAFT_INVOICE_ID)
        .sales_invoice_lines()
        .create(line::SalesInvoiceLineCreate::new().description("A comment line"))
        .await
        .expect("add a line");
    let got = sink.wait_until(WAIT, |n| has(n, &ChangeType::Updated, DRAFT_INVOICE_ID)).await;
    assert!(has(&got, &ChangeType::Updated, DRAFT_INVOICE_ID), "{got:?}");
    assert!(got[0].resource.entity_in(&company.sales_invoices()).is_some());
}
