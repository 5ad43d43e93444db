//! [`FakeBusinessCentral`]: the handle a test holds. It is the client's
//! transport, and it arms faults, reads the request log and registers
//! action behaviour. (Seeding and inspecting data are in
//! [`seeding`](crate::seeding), building one in [`builder`](crate::builder).)

use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};

use business_central_sdk::Environment;
use odata_v4_runtime::uuid::Uuid;
use odata_v4_runtime::{
    BoxFuture, Client, ClientBuilder, Headers, HttpRequest, HttpResponse, Method, Transport, TransportError,
    TransportErrorKind,
};

use crate::actions::{ActionCall, ActionRefusal, BoundEntity};
use crate::error::FakeError;
use crate::exchange::Shared;
use crate::faults::Fault;
use crate::json::JsonValue;
use crate::log::RequestLog;
use crate::service::{self, Journal};

/// The base URL [`FakeBusinessCentral::client`] connects to. Any other
/// works too: the fake finds the API route in whatever URL it is sent.
pub const FAKE_BASE_URL: &str = "https://fake.businesscentral.test/";

/// An in-memory Business Central environment; see the [crate docs](crate).
///
/// Cheap to clone: clones share the data, the faults and the request log.
#[derive(Clone)]
pub struct FakeBusinessCentral {
    inner: Arc<Inner>,
}

struct Inner {
    shared: Mutex<Shared>,
    base_url: String,
}

impl FakeBusinessCentral {
    pub(crate) fn from_parts(shared: Shared, base_url: String) -> FakeBusinessCentral {
        FakeBusinessCentral { inner: Arc::new(Inner { shared: Mutex::new(shared), base_url }) }
    }

    pub(crate) fn shared(&self) -> MutexGuard<'_, Shared> {
        self.inner.shared.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The base URL of [`client`](Self::client).
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// A client whose requests go to this fake.
    pub fn client(&self) -> Client {
        match self.client_builder().build() {
            Ok(client) => client,
            // The builder holds a valid base URL and nothing else that can fail.
            Err(error) => panic!("the fake's client must build: {error}"),
        }
    }

    /// The builder behind [`client`](Self::client), to add settings (a
    /// default company, a retry policy, a profile). Code that builds its own
    /// client passes the fake to [`ClientBuilder::transport`] instead.
    pub fn client_builder(&self) -> ClientBuilder {
        Client::builder(Environment::custom(self.base_url())).transport(self.clone())
    }

    /// An absolute URL for a path below the base URL (absolute URLs pass).
    pub(crate) fn url_for(&self, path: &str) -> String {
        if path.contains("://") {
            path.to_owned()
        } else {
            format!("{}{}", self.base_url(), path.trim_start_matches('/'))
        }
    }

    /// Sends a request past faults and the log; `seeding` lifts the
    /// restrictions test setup must be free of.
    pub(crate) fn direct(
        &self,
        method: Method,
        url: &str,
        body: Option<String>,
        seeding: bool,
    ) -> Result<String, FakeError> {
        let mut shared = self.shared();
        let mut journal = Journal::default();
        let body = body.as_deref().map(str::as_bytes);
        let reply = shared.state.handle(method, url, &Headers::new(), body, seeding, &mut journal);
        shared.calls.extend(journal.actions);
        drop(shared);
        let text = String::from_utf8_lossy(&reply.body).into_owned();
        if reply.status >= 400 {
            return Err(refusal(reply.status, &text));
        }
        Ok(text)
    }

    /// Replaces what a bound action does on an entity set's entities
    /// (`"salesInvoices"`, `"post"`). The handler may change the entity
    /// (saved with a new ETag) or refuse with an [`ActionRefusal`].
    pub fn on_action<F>(&self, entity_set: &str, action: &str, handler: F) -> Result<(), FakeError>
    where
        F: Fn(&mut BoundEntity<'_>) -> Result<(), ActionRefusal> + Send + Sync + 'static,
    {
        let mut shared = self.shared();
        let type_name = shared
            .state
            .routes
            .iter()
            .find_map(|r| r.model.set(entity_set).map(|s| s.type_name.clone()))
            .ok_or_else(|| FakeError::Setup(format!("no route has an entity set `{entity_set}`")))?;
        shared.state.actions.register(&type_name, action.rsplit('.').next().unwrap_or(action), Arc::new(handler));
        Ok(())
    }

    /// Every bound action called so far, oldest first.
    pub fn action_calls(&self) -> Vec<ActionCall> {
        self.shared().calls.clone()
    }

    /// Adds a fault; faults are tried in the order added, and the first
    /// that applies to a request decides its fate.
    pub fn inject(&self, fault: Fault) {
        self.shared().faults.push(fault);
    }

    /// Removes every fault still armed.
    pub fn clear_faults(&self) {
        self.shared().faults.clear();
    }

    /// The requests received so far.
    pub fn requests(&self) -> RequestLog {
        RequestLog::new(self.shared().log.clone())
    }

    /// Forgets the requests received so far (the request count goes on).
    pub fn clear_requests(&self) {
        self.shared().log.clear();
    }

    /// How many entities each table holds, by entity type (for test diagnostics).
    pub fn table_sizes(&self) -> Vec<(String, usize)> {
        let shared = self.shared();
        shared
            .state
            .routes
            .iter()
            .flat_map(|r| r.store.tables().map(move |(t, n)| (format!("{}: {t}", r.model.route), n)))
            .collect()
    }

    /// Companies by id and name, of the first route that has them.
    pub fn companies(&self) -> Vec<(Uuid, String)> {
        let shared = self.shared();
        shared
            .state
            .routes
            .iter()
            .map(service::companies)
            .find(|c| !c.is_empty())
            .unwrap_or_default()
            .into_iter()
            .collect()
    }

    /// One exchange with the client: the body read as the service would
    /// read it, then answered (after an injected delay, on tokio's clock).
    async fn exchange(&self, mut request: HttpRequest) -> Result<HttpResponse, TransportError> {
        if let Some(body) = request.body.take() {
            let bytes = body.collect().await.map_err(|e| {
                TransportError::new(TransportErrorKind::Other, "could not read the request body").with_source(e)
            })?;
            request.body = Some(bytes.into());
        }
        let (outcome, delay) = self.shared().answer(&request);
        if let Some(delay) = delay {
            tokio::time::sleep(delay).await;
        }
        outcome
    }
}

impl Transport for FakeBusinessCentral {
    fn send(&self, request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, TransportError>> {
        Box::pin(self.exchange(request))
    }
}

impl fmt::Debug for FakeBusinessCentral {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shared = self.shared();
        let routes: Vec<&str> = shared.state.routes.iter().map(|r| r.model.route.as_str()).collect();
        f.debug_struct("FakeBusinessCentral")
            .field("base_url", &self.inner.base_url)
            .field("routes", &routes)
            .field("dialect", &shared.state.dialect)
            .field("page_size", &shared.state.page_size)
            .field("faults", &shared.faults.len())
            .field("requests", &shared.received)
            .finish()
    }
}

/// A refusal read back from the fake's error body.
fn refusal(status: u16, body: &str) -> FakeError {
    let parsed = JsonValue::parse(body).ok();
    let error = parsed.as_ref().and_then(|b| b.as_object()).and_then(|b| b.get("error")).and_then(JsonValue::as_object);
    let text = |name: &str| error.and_then(|e| e.get(name)).and_then(JsonValue::as_str).unwrap_or_default().to_owned();
    FakeError::Refused { status, code: text("code"), message: text("message") }
}
