//! Injected faults, and what the client makes of them.

use std::time::Duration;

use business_central_sdk::api::v2_0::{customer, customer_payment_journal as journal};
use business_central_sdk::runtime::{Error, RetryPolicy};
use business_central_testing::{Fault, FaultKind, RequestMatcher};

use super::World;

#[tokio::test(start_paused = true)]
async fn throttling_is_retried_after_retry_after() {
    let world = World::new();
    world.bc.inject(Fault::throttled().retry_after(Duration::from_secs(3)).times(2));
    let started = tokio::time::Instant::now();
    let all = world.company().customers().list().collect().await.expect("retried");
    assert_eq!(all.len(), 5);
    assert!(started.elapsed() >= Duration::from_secs(6));
    let sent = world.bc.requests();
    let statuses: Vec<_> = sent.all().iter().map(|r| r.status).collect();
    assert_eq!(statuses, [Some(429), Some(429), Some(200)]);
}

#[tokio::test(start_paused = true)]
async fn the_nth_request_fails_with_503_and_is_retried() {
    let world = World::new();
    world.bc.inject(Fault::service_unavailable().retry_after(Duration::from_secs(1)).on_request(2));
    for _ in 0..3 {
        world.company().customers().count().await.expect("count");
    }
    let statuses: Vec<_> = world.bc.requests().all().iter().map(|r| (r.number, r.status)).collect();
    assert_eq!(statuses, [(1, Some(200)), (2, Some(503)), (3, Some(200)), (4, Some(200))]);
}

#[tokio::test(start_paused = true)]
async fn gateway_timeouts_are_retried_for_reads_but_not_for_writes() {
    let world = World::new();
    world.bc.inject(Fault::gateway_timeout().when(RequestMatcher::get()));
    world.company().customers().list().collect().await.expect("a read is repeated");

    world.bc.inject(Fault::gateway_timeout().after_processing().when(RequestMatcher::post()));
    let create = journal::CustomerPaymentJournalCreate::new("GW");
    let error = world.company().customer_payment_journals().create(create).await.expect_err("not repeated");
    assert!(matches!(error, Error::Timeout { service: Some(_), .. }), "{error:?}");
    let journals = world.bc.list(&world.company().customer_payment_journals()).expect("journals");
    assert_eq!(journals.len(), 1, "the gateway gave up after the write was applied");
}

#[tokio::test(start_paused = true)]
async fn timeouts_and_refused_connections() {
    let world = World::new();
    world.bc.inject(Fault::timeout().when(RequestMatcher::get()).times(2));
    world.company().customers().list().collect().await.expect("reads are repeated after a timeout");

    world.bc.inject(Fault::timeout().when(RequestMatcher::post()));
    let error = world
        .company()
        .customer_payment_journals()
        .create(journal::CustomerPaymentJournalCreate::new("T1"))
        .await
        .expect_err("a create is not repeated after a timeout");
    assert!(matches!(&error, Error::Timeout { transport: Some(e), .. } if e.is_timeout()), "{error:?}");
    assert!(world.bc.list(&world.company().customer_payment_journals()).expect("journals").is_empty());

    world.bc.inject(Fault::connection_failed().when(RequestMatcher::post()));
    world
        .company()
        .customer_payment_journals()
        .create(journal::CustomerPaymentJournalCreate::new("T2"))
        .await
        .expect("a connection never made is retried even for a create");
}

#[tokio::test(start_paused = true)]
async fn a_slow_answer_trips_the_client_timeout() {
    let world = World::new();
    let client = world
        .bc
        .client_builder()
        .timeout(Duration::from_secs(10))
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("client");
    world.bc.inject(Fault::delay(Duration::from_secs(30)));
    let api = business_central_sdk::api::v2_0::Api::new(&client);
    let error = api.company(world.cronus).customers().list().collect().await.expect_err("too slow");
    assert!(matches!(&error, Error::Timeout { transport: Some(e), .. } if e.is_timeout()), "{error:?}");
}

#[tokio::test]
async fn a_stale_etag_on_the_next_write_and_chosen_errors() {
    let world = World::new();
    let alpine = world.customer_by_number("10000");
    let path = world.company().customer(alpine.id);
    world.bc.inject(Fault::stale_etag().when(RequestMatcher::any().entity(&path)));
    let refused = path.update(&alpine, customer::CustomerUpdate::new().city("Vail")).await.expect_err("stale");
    assert_eq!(refused.code(), Some("Request_EntityChanged"));
    let fresh = path.get().await.expect("fresh");
    assert_ne!(fresh.etag, alpine.etag, "someone else's change is there");
    path.update(&fresh, customer::CustomerUpdate::new().city("Vail")).await.expect("the retry wins");

    let fault = Fault::error(400, "Application_FieldValidationException", "Validation error for Field: City")
        .when(RequestMatcher::patch().path_contains("/customers("))
        .always();
    assert!(matches!(fault.kind(), FaultKind::Error { status: 400, .. }));
    world.bc.inject(fault);
    let fresh = path.get().await.expect("fresh");
    for _ in 0..2 {
        let error = path.update(&fresh, customer::CustomerUpdate::new().city("Aspen")).await.expect_err("injected");
        assert_eq!((error.status(), error.code()), (Some(400), Some("Application_FieldValidationException")));
    }
    world.bc.clear_faults();
    path.update(&fresh, customer::CustomerUpdate::new().city("Aspen")).await.expect("faults cleared");
}
