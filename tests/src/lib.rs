//! Support for the SDK's end-to-end tests (`tests/e2e/*.rs`).
//!
//! - [`peer`] starts the local OData v4 peer (odatapy serving the project's
//!   committed Business Central schemas, seeded from `tests/peer/seed/`) and
//!   makes sure it stops.
//! - [`python_env`] prepares the Python virtual environment it runs in.
//! - [`cap`] starts the second peer, SAP CAP serving `tests/cap/`;
//!   [`node_env`] installs its Node.js packages.
//! - [`server_process`] is what both peers share: a server process that
//!   says when it is ready and dies with its owner.
//! - [`fixtures`] names the seeded rows the tests expect.
//! - [`RequestLog`] records what the SDK sent, for assertions on URLs.
//! - [`generated_crates`] builds and runs crates a test generated.
//! - [`peer_control`] bends the peer's clock and webhook timing;
//!   [`notification_sink`] is a webhook endpoint for the tests.

pub mod cap;
pub mod fixtures;
pub mod generated_crates;
pub mod node_env;
pub mod notification_sink;
pub mod peer;
pub mod peer_control;
pub mod python_env;
mod request_log;
pub mod server_process;

pub use peer::{PeerConfig, PeerServer, PeerService, SharedPeer, shared};
pub use request_log::{RequestLog, SentRequest};

/// Why the peer could not be prepared or started.
#[derive(Debug, Clone)]
pub struct PeerError(String);

impl PeerError {
    pub fn new(message: impl Into<String>) -> PeerError {
        PeerError(message.into())
    }
}

impl std::fmt::Display for PeerError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for PeerError {}
