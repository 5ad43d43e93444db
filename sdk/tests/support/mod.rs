//! Shared set-up for the SDK's tests: a Business Central client of a
//! wiremock server on 127.0.0.1 that retries with millisecond delays.

#![allow(dead_code)] // Each test crate uses a different subset.

use std::time::Duration;

use business_central_sdk::Environment;
use business_central_sdk::runtime::{Client, ClientBuilder, RetryPolicy};
use wiremock::MockServer;

/// A builder for a Business Central client of `server`, with fast retries.
pub fn builder(server: &MockServer) -> ClientBuilder {
    let retries = RetryPolicy::default()
        .max_attempts(4)
        .base_delay(Duration::from_millis(5))
        .max_delay(Duration::from_millis(20))
        .max_elapsed(Duration::from_secs(30));
    Client::builder(Environment::custom(server.uri())).retry_policy(retries)
}
