//! Retries that neither hammer nor synchronise, a retry budget shared by a
//! client's requests, and a cap on concurrent requests: finding 6 of the
//! hardening review (`Retry-After: 0` gave 5 requests in 6.5 ms).

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use odata_v4_runtime::{
    BoxFuture, HttpRequest, HttpResponse, Middleware, Next, RetryBudget, RetryPolicy, TransportError,
};
use serde_json::json;
use support::{api, builder, get, request_count};
use wiremock::matchers::path;
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::test]
async fn retry_after_zero_still_waits_the_backoff() {
    let server = MockServer::start().await;
    Mock::given(path("/api/v2.0/companies"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "0"))
        .mount(&server)
        .await;
    let policy = RetryPolicy::default()
        .max_attempts(4)
        .base_delay(Duration::from_millis(40))
        .max_delay(Duration::from_millis(40));
    let client = builder(&server).retry_policy(policy).build().unwrap();

    let started = Instant::now();
    let error = get::<serde_json::Value>(&api(&client), "companies").await.unwrap_err();

    assert_eq!(error.status(), Some(429));
    assert_eq!(request_count(&server).await, 4);
    // Three waits of at least half the 40 ms backoff each.
    assert!(started.elapsed() >= Duration::from_millis(60), "{:?}", started.elapsed());
}

#[tokio::test]
async fn the_retry_budget_is_shared_by_the_clients_requests() {
    let server = MockServer::start().await;
    Mock::given(path("/api/v2.0/companies")).respond_with(ResponseTemplate::new(503)).mount(&server).await;
    let policy = support::fast_retry().max_attempts(4).budget(RetryBudget::new(2));
    let client = builder(&server).retry_policy(policy).build().unwrap();
    let clone = client.clone();

    for client in [&client, &clone, &client] {
        let error = get::<serde_json::Value>(&api(client), "companies").await.unwrap_err();
        assert_eq!(error.status(), Some(503));
    }

    // Three first attempts and the budget's two retries, not 3 × 4.
    assert_eq!(request_count(&server).await, 3 + 2);
}

#[tokio::test]
async fn successes_refill_the_retry_budget() {
    let server = MockServer::start().await;
    Mock::given(path("/api/v2.0/companies"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(path("/api/v2.0/companies"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"value": []})))
        .with_priority(2)
        .mount(&server)
        .await;
    let policy = support::fast_retry().budget(RetryBudget::new(1).refill_percent(100));
    let client = builder(&server).retry_policy(policy).build().unwrap();

    // The retry spends the only token; the success puts it back.
    get::<serde_json::Value>(&api(&client), "companies").await.unwrap();
    Mock::given(path("/api/v2.0/companies"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    get::<serde_json::Value>(&api(&client), "companies").await.unwrap();
    assert_eq!(request_count(&server).await, 4);
}

/// Counts the attempts in flight through the client at once.
#[derive(Clone, Default)]
struct InFlight {
    now: Arc<AtomicUsize>,
    most: Arc<AtomicUsize>,
}

impl Middleware for InFlight {
    fn handle<'a>(
        &'a self,
        request: HttpRequest,
        next: Next<'a>,
    ) -> BoxFuture<'a, Result<HttpResponse, TransportError>> {
        Box::pin(async move {
            let now = self.now.fetch_add(1, Ordering::SeqCst) + 1;
            self.most.fetch_max(now, Ordering::SeqCst);
            let result = next.run(request).await;
            self.now.fetch_sub(1, Ordering::SeqCst);
            result
        })
    }
}

#[tokio::test]
async fn no_more_requests_than_the_cap_are_in_flight() {
    let server = MockServer::start().await;
    Mock::given(path("/api/v2.0/companies"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"value": []})).set_delay(Duration::from_millis(50)),
        )
        .mount(&server)
        .await;
    let in_flight = InFlight::default();
    let client = builder(&server).max_concurrent_requests(3).middleware(in_flight.clone()).build().unwrap();
    assert_eq!(client.max_concurrent_requests(), Some(3));

    let tasks: Vec<_> = (0..12)
        .map(|_| {
            let api = api(&client);
            tokio::spawn(async move { get::<serde_json::Value>(&api, "companies").await })
        })
        .collect();
    for task in tasks {
        task.await.unwrap().unwrap();
    }

    assert_eq!(request_count(&server).await, 12, "the others waited, none was refused");
    assert_eq!(in_flight.most.load(Ordering::SeqCst), 3);
}
