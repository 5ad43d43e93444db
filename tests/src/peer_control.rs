//! The peer's test controls (`/_peer/…`, see `tests/peer/bc_webhooks.py`):
//! its clock, the timing of webhook notifications, the log of deliveries,
//! and timestamps written the way Business Central keeps them on old rows.
//!
//! They change the whole server, so tests that use them start a peer of
//! their own instead of the shared one.

use business_central_sdk::runtime::uuid::Uuid;
use business_central_sdk::runtime::{Error, Headers, HttpRequest, Method, OperationKind};
use serde_json::{Value, json};

use crate::PeerServer;

async fn call(server: &PeerServer, method: Method, path: &str, body: Option<Value>) -> Result<Value, Error> {
    let mut headers = Headers::new();
    if body.is_some() {
        headers.set("Content-Type", "application/json");
    }
    let request = HttpRequest {
        method,
        url: format!("{}_peer/{path}", server.base_url()),
        headers,
        body: body.map(|body| body.to_string().into_bytes().into()),
    };
    let kind = if method == Method::Get { OperationKind::Read } else { OperationKind::Action };
    let response = server.client().execute(request, kind).await?;
    serde_json::from_slice(response.bytes()).map_err(|e| Error::decode(path, "", e.to_string()))
}

/// Moves the peer's clock by `seconds` (negative: back).
pub async fn advance_clock(server: &PeerServer, seconds: f64) -> Result<Value, Error> {
    call(server, Method::Post, "clock", Some(json!({ "advanceSeconds": seconds }))).await
}

/// Stops (or restarts) the peer's clock: every write while it is frozen
/// gets the same `lastModifiedDateTime`.
pub async fn freeze_clock(server: &PeerServer, frozen: bool) -> Result<Value, Error> {
    call(server, Method::Post, "clock", Some(json!({ "freeze": frozen }))).await
}

/// How long the peer collects changes before notifying (Business Central:
/// 30 s), and the pauses between its delivery retries.
pub async fn configure_webhooks(server: &PeerServer, delay_ms: u64, retry_delays_ms: &[u64]) -> Result<Value, Error> {
    call(server, Method::Post, "webhooks", Some(json!({ "delayMs": delay_ms, "retryDelaysMs": retry_delays_ms }))).await
}

/// Every handshake and notification delivery the peer attempted.
pub async fn deliveries(server: &PeerServer) -> Result<Vec<Value>, Error> {
    let log = call(server, Method::Get, "webhooks/deliveries", None).await?;
    Ok(log["value"].as_array().cloned().unwrap_or_default())
}

/// Overwrites a row's `lastModifiedDateTime` without it counting as a
/// change (Business Central's blank `0001-01-01T00:00:00Z`, for example).
pub async fn stamp(server: &PeerServer, set: &str, id: Uuid, timestamp: &str) -> Result<Value, Error> {
    call(
        server,
        Method::Post,
        "stamp",
        Some(json!({ "set": set, "id": id.to_string(), "lastModifiedDateTime": timestamp })),
    )
    .await
}
