//! Shared set-up for the runtime integration tests: every client talks to a
//! wiremock server on 127.0.0.1 and retries with millisecond delays.

#![allow(dead_code)]

use std::time::Duration;

use odata_v4_runtime::{
    Api, Client, ClientBuilder, Method, OperationKind, Request, RetryPolicy, ServiceProfile, Target, decode,
};
use serde::de::DeserializeOwned;

pub mod http_head;
pub mod model;
pub mod recorder;
pub mod sim_server;
use wiremock::MockServer;

/// Retries quickly so the suite runs in seconds.
pub fn fast_retry() -> RetryPolicy {
    RetryPolicy::default()
        .max_attempts(4)
        .base_delay(Duration::from_millis(5))
        .max_delay(Duration::from_millis(20))
        .max_elapsed(Duration::from_secs(30))
}

/// A builder for a client of `server`, with fast retries.
pub fn builder(server: &MockServer) -> ClientBuilder {
    Client::builder(server.uri()).retry_policy(fast_retry())
}

/// The dialect of the service the tests talk to: OData, except that a stale
/// `If-Match` is answered 409 with a code of its own and messages end with
/// a correlation id (the shapes real services use, Business Central among
/// them).
pub const DIALECT: ServiceProfile = ServiceProfile::strict_odata()
    .with_stale_etag_codes(&["Request_EntityChanged"])
    .with_message_correlation_marker("CorrelationId:");

/// The `api/v2.0` service root of `client`, in [`DIALECT`].
pub fn api(client: &Client) -> Api {
    Api::new(client, "api/v2.0", DIALECT)
}

/// A request to `api/v2.0/{path}?{query}` decoding JSON into `T`.
pub fn json_request<T: DeserializeOwned>(
    api: &Api,
    method: Method,
    path: &str,
    query: &str,
    kind: OperationKind,
) -> Request<T> {
    Request::new(
        api.clone(),
        method,
        Target::Relative { path: path.to_owned(), query: query.to_owned() },
        kind,
        decode::json::<T>,
    )
}

/// A GET of `api/v2.0/{path}` decoding JSON into `T`.
pub fn get<T: DeserializeOwned>(api: &Api, path: &str) -> Request<T> {
    json_request(api, Method::Get, path, "", OperationKind::Read)
}

/// A request whose answer is ignored.
pub fn no_content_request(api: &Api, method: Method, path: &str, kind: OperationKind) -> Request<()> {
    Request::new(
        api.clone(),
        method,
        Target::Relative { path: path.to_owned(), query: String::new() },
        kind,
        decode::no_content,
    )
}

/// How many requests the server has seen.
pub async fn request_count(server: &MockServer) -> usize {
    server.received_requests().await.map(|requests| requests.len()).unwrap_or(0)
}
