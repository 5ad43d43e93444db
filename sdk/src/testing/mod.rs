//! An in-memory Business Central for testing code that uses this SDK
//! (feature `testing`, off by default).
//!
//! [`FakeBusinessCentral`] plugs into a [`Client`] as its
//! [`Transport`](crate::runtime::Transport), so the code under test runs
//! unchanged: the same generated API, the same runtime (retries, paging,
//! ETags, `$batch`), only no network. It understands the generated model
//! (companies and every entity set of the route, keys and alternate keys,
//! containment, read-only sets and properties, enums, bound actions) and
//! answers as Business Central
//! does where integration code depends on it:
//!
//! - **Reads**: server-driven paging with `@odata.nextLink` (page size set
//!   with [`FakeBuilder::page_size`], `Prefer: odata.maxpagesize` honoured);
//!   `$filter` evaluated in memory (comparisons, `and`/`or`/`not`, string
//!   functions, null checks, enums written either way, `in`), `$orderby`,
//!   `$top`, `$skip`, `$count`, `$select`, `$expand` with nested options;
//!   entities by key and by alternate key (`companies(name='…')`).
//! - **Writes**: create (201, a server-assigned `id`, numbers from a number
//!   series, looked-up and computed fields, blank values for the rest),
//!   deep insert of contained collections (lines), PATCH and DELETE with
//!   `If-Match` required, a stale ETag refused with 409
//!   `Request_EntityChanged`, a new ETag after every write, the updated
//!   entity in the PATCH answer; 405 `BadRequest_MethodNotAllowed` on
//!   read-only sets; read-only properties refused.
//! - **Bound actions** (`Microsoft.NAV.post`): recorded
//!   ([`FakeBusinessCentral::action_calls`]), with Business Central's effect
//!   for `post` (a draft invoice becomes open) and `cancel`, replaceable with
//!   [`FakeBusinessCentral::on_action`].
//! - **Faults** ([`Fault`]): 429 with `Retry-After`, 503, 504, timeouts,
//!   refused connections, a stale ETag on the next write, any error code,
//!   delays, for the requests a [`RequestMatcher`] selects or the n-th one.
//! - **What was sent** ([`RequestLog`]): method, URL, decoded path and
//!   query, headers and body of every request, with assertions such as
//!   [`RequestLog::assert_patches_to_carry_if_match`] and
//!   [`RequestLog::assert_no_in_without_schema_version`].
//!
//! # Example
//!
//! ```
//! use business_central_sdk::api::v2_0::{self, customer};
//! use business_central_sdk::testing::{FakeBusinessCentral, Fault, RequestMatcher};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let bc = FakeBusinessCentral::new();
//! let cronus = bc.add_company("CRONUS USA, Inc.");
//! let api = v2_0::Api::new(&bc.client());
//! let customers = api.company(cronus).customers();
//! bc.insert(&customers, customer::CustomerCreate::new("Alpine Ski House").city("Denver"))?;
//!
//! // Code under test: rename a customer, reading it first for its ETag.
//! bc.inject(Fault::stale_etag().when(RequestMatcher::patch()));
//! let alpine = customers.list().filter(customer::city().eq("Denver")).collect().await?.remove(0);
//! let path = api.company(cronus).customer(alpine.id);
//! let change = customer::CustomerUpdate::new().display_name("Alpine Ski & Snow");
//! let refused = path.update(&alpine, change.clone()).send().await.unwrap_err();
//! assert!(matches!(refused, business_central_sdk::Error::StaleEtag(_)));
//! let fresh = path.get().send().await?;
//! let renamed = path.update(&fresh, change).send().await?;
//! assert_eq!(renamed.display_name, "Alpine Ski & Snow");
//!
//! bc.requests().assert_patches_to_carry_if_match(&path);
//! # Ok(())
//! # }
//! ```
//!
//! # How the fake knows the model
//!
//! It reads the route's `$metadata` with the `odata-v4-csdl` crate, the
//! reader the generator itself uses, so it knows exactly what the
//! generated code was made from: for the built-in routes
//! ([`FakeBuilder::api_v2_0`], [`FakeBuilder::reports_finance_beta`]) that is
//! the committed schema compiled into the crate (read once per process, a
//! few milliseconds); crates generated for custom API pages pass their own
//! with [`FakeBuilder::route`]. Reading the schema rather than generating
//! a second description keeps one source of truth and serves custom routes
//! with no code generation at all. What `$metadata` does not say (which
//! properties Business Central computes, number series, document totals)
//! comes from the resource docs and the generator's rules, kept in one
//! table that a test checks against the docs.
//!
//! # Where the fake differs from Business Central
//!
//! - Business rules are those integration code meets most: number series
//!   (`C1001`, `S-INV-1002`, …), line numbers, customer and item lookups,
//!   line amounts and document totals without tax, `post`/`cancel`. There is
//!   no posting to ledgers, no tax, no discounts beyond the line's own, no
//!   permissions and no validation beyond types, lengths, enum members and
//!   lookups. Error codes for refused lookups are the fake's best guess.
//! - Text compares by code point, case-sensitively, in filters and
//!   ordering (Business Central uses its SQL collation). Lists without
//!   `$orderby` come in insertion order.
//! - Stream content (pictures, PDFs, attachments) is not stored; its URLs
//!   answer 501.
//! - With [`Dialect::BusinessCentral`] (the default) `in` is ignored
//!   without `$schemaversion=2.1` and `or` may only join conditions on one
//!   field, as Business Central's known limitations say; lambda operators
//!   are evaluated although Business Central ignores them.
//! - A `$batch` never stops at a failure (Business Central does not), and
//!   an atomic one (`Isolation: snapshot`) that fails answers 424 for the
//!   operations it undid.
//! - Error codes are Business Central's where they are documented
//!   (`Request_EntityChanged`, `BadRequest_MethodNotAllowed`,
//!   `BadRequest_InvalidToken`, `Application_StringExceededLength`, …); for
//!   a refused customer or item lookup and for injected 429/503 answers the
//!   code is the fake's best guess. Messages end with a correlation id, as
//!   Business Central's do.
//! - A company's set addressed at the service root (`customers`) needs
//!   `?company=<name or id>`; there is no server-side default company.
//!
//! `tests/e2e/fake_parity/` in the repository runs the end-to-end scenarios
//! and 300 generated filters against both the fake (in
//! [`Dialect::StrictOData`]) and a strict OData server on the same seed, and
//! pins every difference between them: each is Business Central behaviour
//! the generic server lacks (blank values instead of nulls, fields looked
//! up and computed on create, number series, opaque ETags, 405 on read-only
//! sets, reference checks, correlation ids, plain-string enum literals).
//!
//! # Retries and time
//!
//! Injected 429/503 answers make the client wait before retrying, as it
//! would in production. Run such tests with paused time
//! (`#[tokio::test(start_paused = true)]`, tokio's `test-util` feature) so
//! that the waits take no real time, or give the client a faster
//! [`RetryPolicy`](crate::runtime::RetryPolicy). [`Fault::delay`] sleeps on
//! tokio's clock too.

mod actions;
mod batch;
mod bc_rules;
mod documents;
mod evaluate;
mod exchange;
mod faults;
mod filter;
mod json;
mod log;
mod model;
mod query;
mod render;
mod resolve;
mod service;
mod store;
mod values;
mod writes;

use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};

use odata_v4_runtime::serde::Serialize;
use odata_v4_runtime::uuid::Uuid;
use odata_v4_runtime::{
    Client, ClientBuilder, CollectionPath, EntityPath, EntitySet, Headers, Insertable, Method, Payload,
};

pub use actions::{ActionCall, ActionRefusal, BoundEntity};
pub use faults::{Fault, FaultKind, RequestMatcher};
pub use json::JsonInput;
pub use log::{RecordedRequest, RequestLog};

use json::{JsonObject, JsonValue};
use model::ServiceModel;
use service::{Journal, Route, State};

use crate::Environment;

/// The base URL [`FakeBusinessCentral::client`] connects to. Any other
/// works too: the fake finds the API route in whatever URL it is sent.
pub const FAKE_BASE_URL: &str = "https://fake.businesscentral.test/";

/// Which server's wire dialect the fake speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Dialect {
    /// Business Central: a stale `If-Match` is 409 `Request_EntityChanged`,
    /// a PATCH without `If-Match` is 400 `BadRequest_InvalidToken`, `in` is
    /// ignored without `$schemaversion=2.1`, and `or` joins conditions on
    /// one field only.
    #[default]
    BusinessCentral,
    /// A strict OData v4 server such as the SDK's local test peer: 412 on a
    /// stale ETag, 428 without `If-Match`, native `in`, `or` anywhere. For
    /// comparing the fake with such a server; pair it with
    /// `ClientBuilder::profile(ServiceProfile::strict_odata())`.
    StrictOData,
}

/// Why a call to the fake itself (seeding, inspecting) failed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FakeError {
    /// The fake refused, as Business Central would have.
    Refused {
        /// The HTTP status it answered.
        status: u16,
        /// Business Central's error code.
        code: String,
        /// The error message.
        message: String,
    },
    /// The fake could not be set up (a schema that does not read, an
    /// unknown route) or its answer did not decode into the expected type.
    Setup(String),
}

impl fmt::Display for FakeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FakeError::Refused { status, code, message } => write!(f, "HTTP {status} {code}: {message}"),
            FakeError::Setup(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for FakeError {}

/// Configures a [`FakeBusinessCentral`]; start with [`FakeBusinessCentral::builder`].
#[derive(Debug)]
pub struct FakeBuilder {
    routes: Vec<Result<Arc<ServiceModel>, String>>,
    dialect: Dialect,
    page_size: usize,
    base_url: String,
}

impl FakeBuilder {
    /// Serves `api/v2.0`, from the schema the generated API was made from.
    #[cfg(feature = "apis")]
    pub fn api_v2_0(mut self) -> FakeBuilder {
        self.routes.push(model::builtin::api_v2_0());
        self
    }

    /// Serves `api/microsoft/reportsFinance/beta`.
    #[cfg(feature = "apis")]
    pub fn reports_finance_beta(mut self) -> FakeBuilder {
        self.routes.push(model::builtin::reports_finance_beta());
        self
    }

    /// Serves `route` (such as `api/contoso/shipping/v1.0`) as its
    /// `$metadata` describes it: for crates generated from custom API pages.
    pub fn route(mut self, route: &str, metadata: &str) -> FakeBuilder {
        self.routes.push(ServiceModel::from_csdl(route, metadata).map(Arc::new));
        self
    }

    /// The most entities per page (default: Business Central's 20,000).
    /// Smaller pages make listings follow `@odata.nextLink`.
    pub fn page_size(mut self, size: usize) -> FakeBuilder {
        self.page_size = size.max(1);
        self
    }

    /// The wire dialect (default [`Dialect::BusinessCentral`]).
    pub fn dialect(mut self, dialect: Dialect) -> FakeBuilder {
        self.dialect = dialect;
        self
    }

    /// The base URL [`FakeBusinessCentral::client`] uses (default [`FAKE_BASE_URL`]).
    pub fn base_url(mut self, url: impl Into<String>) -> FakeBuilder {
        let mut url = url.into();
        if !url.ends_with('/') {
            url.push('/');
        }
        self.base_url = url;
        self
    }

    /// Builds the fake, with no companies yet.
    pub fn build(self) -> Result<FakeBusinessCentral, FakeError> {
        let mut routes = Vec::new();
        for model in self.routes {
            routes.push(Route { model: model.map_err(FakeError::Setup)?, store: Default::default() });
        }
        if routes.is_empty() {
            return Err(FakeError::Setup("the fake serves no route: add one with api_v2_0() or route()".to_owned()));
        }
        let state = State::new(routes, self.dialect, self.page_size);
        let shared = Shared { state, faults: Vec::new(), log: Vec::new(), calls: Vec::new(), received: 0 };
        Ok(FakeBusinessCentral { inner: Arc::new(Inner { shared: Mutex::new(shared), base_url: self.base_url }) })
    }
}

/// An in-memory Business Central environment; see the [module docs](self).
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

struct Shared {
    state: State,
    faults: Vec<Fault>,
    log: Vec<RecordedRequest>,
    calls: Vec<ActionCall>,
    received: usize,
}

impl FakeBusinessCentral {
    /// A fake serving `api/v2.0` and `api/microsoft/reportsFinance/beta` in
    /// Business Central's dialect, with no companies yet.
    ///
    /// # Panics
    ///
    /// If the schemas compiled into the crate do not read (a test makes
    /// sure they do).
    #[cfg(feature = "apis")]
    pub fn new() -> FakeBusinessCentral {
        match FakeBusinessCentral::builder().api_v2_0().reports_finance_beta().build() {
            Ok(fake) => fake,
            Err(error) => panic!("the built-in schemas must read: {error}"),
        }
    }

    /// Configures a fake.
    pub fn builder() -> FakeBuilder {
        FakeBuilder {
            routes: Vec::new(),
            dialect: Dialect::default(),
            page_size: crate::limits::MAX_PAGE_SIZE as usize,
            base_url: FAKE_BASE_URL.to_owned(),
        }
    }

    fn shared(&self) -> MutexGuard<'_, Shared> {
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

    fn url_for(&self, path: &str) -> String {
        if path.contains("://") {
            path.to_owned()
        } else {
            format!("{}{}", self.base_url(), path.trim_start_matches('/'))
        }
    }

    /// Sends a request past faults and the log; `seeding` lifts the
    /// restrictions test setup must be free of.
    fn direct(&self, method: Method, url: &str, body: Option<String>, seeding: bool) -> Result<String, FakeError> {
        let mut shared = self.shared();
        let mut journal = Journal::default();
        let reply = shared.state.handle(
            method,
            url,
            &Headers::new(),
            body.as_deref().map(str::as_bytes),
            seeding,
            &mut journal,
        );
        shared.calls.extend(journal.actions);
        drop(shared);
        let text = String::from_utf8_lossy(&reply.body).into_owned();
        if reply.status >= 400 {
            return Err(refusal(reply.status, &text));
        }
        Ok(text)
    }

    /// Adds a company to every route and returns its id.
    ///
    /// # Panics
    ///
    /// If Business Central would refuse the name (longer than 30
    /// characters); [`add_company_with_id`](Self::add_company_with_id)
    /// returns the refusal instead.
    pub fn add_company(&self, name: &str) -> Uuid {
        let id = self.shared().state.ids.next();
        match self.add_company_with_id(id, name) {
            Ok(id) => id,
            Err(error) => panic!("adding company {name:?} failed: {error}"),
        }
    }

    /// Adds a company with the given id to every route that has companies.
    pub fn add_company_with_id(&self, id: Uuid, name: &str) -> Result<Uuid, FakeError> {
        let routes: Vec<String> = {
            let shared = self.shared();
            shared
                .state
                .routes
                .iter()
                .filter(|r| r.model.company_set.is_some())
                .map(|r| r.model.route.clone())
                .collect()
        };
        let mut company = JsonObject::new();
        company.insert("id", JsonValue::string(id.to_string()));
        company.insert("name", JsonValue::string(name));
        company.insert("displayName", JsonValue::string(name));
        company.insert("systemVersion", JsonValue::string("26.0.0.0"));
        for route in routes {
            self.direct(Method::Post, &self.url_for(&format!("{route}/companies")), Some(company.to_text()), true)?;
        }
        Ok(id)
    }

    /// Creates an entity as the client's `create` would (number series,
    /// lookups and computed fields included, read-only fields refused), and
    /// returns it. Not recorded in the request log; no fault applies.
    pub fn insert<S>(&self, collection: &CollectionPath<S>, payload: S::Create) -> Result<S::Entity, FakeError>
    where
        S: Insertable,
    {
        let text = self.direct(Method::Post, &collection.url(), Some(payload.to_json()), false)?;
        decode(&text)
    }

    /// Creates an entity from JSON, in any set, read-only ones included
    /// (general ledger entries, say), keeping every value given: `id`,
    /// computed amounts, `lastModifiedDateTime`. What is left out is filled
    /// in as Business Central would.
    pub fn insert_json<S: EntitySet>(
        &self,
        collection: &CollectionPath<S>,
        json: impl JsonInput,
    ) -> Result<S::Entity, FakeError> {
        let text = self.direct(Method::Post, &collection.url(), Some(json.json_text()), true)?;
        decode(&text)
    }

    /// Creates an entity from a typed value (one read earlier, or decoded
    /// from a fixture), like [`insert_json`](Self::insert_json). Its ETag is
    /// not kept: the fake gives the new entity its own.
    pub fn insert_entity<S>(&self, collection: &CollectionPath<S>, entity: &S::Entity) -> Result<S::Entity, FakeError>
    where
        S: EntitySet,
        S::Entity: Serialize,
    {
        let text = json::to_json_text(entity).map_err(FakeError::Setup)?;
        let mut value = JsonValue::parse(&text).map_err(FakeError::Setup)?;
        if let JsonValue::Object(object) = &mut value {
            object.remove("@odata.etag");
        }
        self.insert_json(collection, value.to_text())
    }

    /// Creates an entity from JSON at a path below the base URL
    /// (`api/v2.0/companies(…)/customers`) and returns its JSON.
    pub fn insert_json_at(&self, path: &str, json: impl JsonInput) -> Result<String, FakeError> {
        self.direct(Method::Post, &self.url_for(path), Some(json.json_text()), true)
    }

    /// Loads seed data for `route`: a JSON array of `{"set": name,
    /// "entity": {…}}`, where an entity may hold `"@contained": {navigation:
    /// [entities]}` created below it (the format of the local test peer's
    /// seeds). Returns how many entities were created.
    pub fn load_seed(&self, route: &str, seed: impl JsonInput) -> Result<usize, FakeError> {
        let rows = JsonValue::parse(&seed.json_text()).map_err(FakeError::Setup)?;
        let JsonValue::Array(rows) = rows else {
            return Err(FakeError::Setup("a seed is a JSON array of {\"set\", \"entity\"} objects".to_owned()));
        };
        let mut created = 0;
        for row in &rows {
            let object = row.as_object().ok_or_else(|| FakeError::Setup("a seed row must be an object".to_owned()))?;
            let set = object
                .get("set")
                .and_then(JsonValue::as_str)
                .ok_or_else(|| FakeError::Setup("a seed row needs a `set`".to_owned()))?;
            let entity =
                object.get("entity").ok_or_else(|| FakeError::Setup("a seed row needs an `entity`".to_owned()))?;
            created += self.seed_tree(&format!("{}/{set}", route.trim_matches('/')), entity)?;
        }
        Ok(created)
    }

    fn seed_tree(&self, path: &str, entity: &JsonValue) -> Result<usize, FakeError> {
        let mut entity = entity
            .as_object()
            .cloned()
            .ok_or_else(|| FakeError::Setup(format!("{path}: an entity must be an object")))?;
        let contained = entity.remove("@contained");
        let created = self.insert_json_at(path, entity.to_text())?;
        let created = JsonValue::parse(&created).map_err(FakeError::Setup)?;
        let id =
            created.as_object().and_then(|o| o.get("id")).and_then(JsonValue::as_str).unwrap_or_default().to_owned();
        let mut count = 1;
        if let Some(JsonValue::Object(contained)) = contained {
            for (navigation, children) in contained.iter() {
                let JsonValue::Array(children) = children else { continue };
                for child in children {
                    count += self.seed_tree(&format!("{path}({id})/{navigation}"), child)?;
                }
            }
        }
        Ok(count)
    }

    /// The entity as stored now (no request is logged).
    pub fn get<S: EntitySet>(&self, entity: &EntityPath<S>) -> Result<S::Entity, FakeError> {
        let text = self.direct(Method::Get, &entity.url(), None, true)?;
        decode(&text)
    }

    /// Every entity of a collection as stored now, in one list (no paging,
    /// no request logged).
    pub fn list<S: EntitySet>(&self, collection: &CollectionPath<S>) -> Result<Vec<S::Entity>, FakeError> {
        let mut items = Vec::new();
        let mut url = collection.url();
        loop {
            let text = self.direct(Method::Get, &url, None, true)?;
            let page: odata_v4_runtime::Page<S::Entity> = decode(&text)?;
            items.extend(page.items);
            match page.next_link {
                Some(next) => url = next.as_str().to_owned(),
                None => return Ok(items),
            }
        }
    }

    /// Changes an entity as another user would, behind the client's back:
    /// its ETag changes, so the client's next write with the old one is
    /// refused. `json` holds the changed properties.
    pub fn edit_as_another_user<S: EntitySet>(
        &self,
        entity: &EntityPath<S>,
        json: impl JsonInput,
    ) -> Result<S::Entity, FakeError> {
        self.direct(Method::Patch, &entity.url(), Some(json.json_text()), true)?;
        self.get(entity)
    }

    /// Deletes an entity as another user would.
    pub fn delete_as_another_user<S: EntitySet>(&self, entity: &EntityPath<S>) -> Result<(), FakeError> {
        self.direct(Method::Delete, &entity.url(), None, true).map(drop)
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
}

#[cfg(feature = "apis")]
impl Default for FakeBusinessCentral {
    fn default() -> Self {
        FakeBusinessCentral::new()
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

fn refusal(status: u16, body: &str) -> FakeError {
    let parsed = JsonValue::parse(body).ok();
    let error = parsed.as_ref().and_then(|b| b.as_object()).and_then(|b| b.get("error")).and_then(JsonValue::as_object);
    let text = |name: &str| error.and_then(|e| e.get(name)).and_then(JsonValue::as_str).unwrap_or_default().to_owned();
    FakeError::Refused { status, code: text("code"), message: text("message") }
}

fn decode<T: odata_v4_runtime::serde::de::DeserializeOwned>(text: &str) -> Result<T, FakeError> {
    serde_json::from_str(text).map_err(|e| FakeError::Setup(format!("the fake's answer does not decode: {e}")))
}
