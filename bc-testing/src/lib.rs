//! An in-memory Microsoft Dynamics 365 Business Central for testing code
//! that uses the `business-central-sdk` crate, as `aws-smithy-mocks` is for
//! the AWS SDK. Add it beside the SDK, for tests only:
//!
//! ```toml
//! [dependencies]
//! business-central-sdk = "0.1"
//!
//! [dev-dependencies]
//! business-central-testing = "0.1"
//! tokio = { version = "1", features = ["macros", "rt", "test-util"] }
//! ```
//!
//! [`FakeBusinessCentral`] plugs into a
//! [`Client`](business_central_sdk::Client) as its
//! [`Transport`](odata_v4_runtime::Transport), so the code under test runs
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
//!   functions, null checks, enums written either way, `in`; what Business
//!   Central refuses or ignores, refused or ignored: see [`Dialect`]), `$orderby`,
//!   `$top`, `$skip`, `$count`, `$select`, `$expand` with nested options;
//!   entities by key and by alternate key (`companies(name='…')`).
//! - **Writes**: create (201, a server-assigned `id`, numbers from a number
//!   series, looked-up and computed fields, blank values for the rest),
//!   deep insert of contained collections (lines), PATCH and DELETE with
//!   `If-Match` required, a stale ETag refused with 409
//!   `Request_EntityChanged`, a new ETag after every write, the updated
//!   entity in the PATCH answer; 405 `BadRequest_MethodNotAllowed` on
//!   read-only sets; read-only properties refused; a second row with the
//!   same primary key refused with 409 `Internal_EntityWithSameKeyExists`
//!   (the table's own key where it is not `id`: the `number` of customers,
//!   vendors, items and documents, the `code` of setup tables and journals,
//!   a line's document or journal and line number, a ledger entry's
//!   `entryNumber`, a company's `name`; the full table is
//!   `bc-testing/src/table_keys.rs` in the repository).
//! - **Bound actions** (`Microsoft.NAV.post`): recorded
//!   ([`FakeBusinessCentral::action_calls`]), with Business Central's effect
//!   for `post` (a draft invoice becomes open) and `cancel`, replaceable with
//!   [`FakeBusinessCentral::on_action`].
//! - **Faults** ([`Fault`]): 429 with `Retry-After`, 503, 504, timeouts,
//!   refused connections, a stale ETag on the next write, any error code,
//!   delays, for the requests a [`RequestMatcher`] selects or the n-th one.
//! - **What was sent** ([`RequestLog`]): method, URL, decoded path and
//!   query, headers and body of every request, with assertions such as
//!   [`RequestLog::assert_patches_to_carry_if_match`],
//!   [`RequestLog::assert_no_in_without_schema_version`] and
//!   [`RequestLog::assert_no_ignored_filters`]; what Business Central would
//!   have ignored is recorded with each request ([`RecordedRequest::ignored`]).
//!
//! # Example
//!
//! ```
//! use business_central_sdk::api::v2_0::{self, customer};
//! use business_central_testing::{FakeBusinessCentral, Fault, RequestMatcher};
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
//! let refused = path.update(&alpine, change.clone()).await.unwrap_err();
//! assert!(matches!(refused, business_central_sdk::Error::StaleEtag(_)));
//! let fresh = path.get().await?;
//! let renamed = path.update(&fresh, change).await?;
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
//! generated code was made from: for the SDK's routes
//! ([`FakeBuilder::api_v2_0`], [`FakeBuilder::reports_finance_beta`]) that is
//! the document the SDK carries in `business_central_sdk::schemas` (read
//! once per process, a few milliseconds); crates generated for custom API
//! pages pass their own with [`FakeBuilder::route`]. Reading the schema rather than generating
//! a second description keeps one source of truth and serves custom routes
//! with no code generation at all. What `$metadata` does not say (which
//! properties Business Central computes, number series, document totals)
//! comes from the resource docs and the generator's rules, kept in tables
//! that tests check against the docs and the model; the tables' primary
//! keys where they are not `id` (customers by `number`, setup tables by
//! `code`, journal lines by journal and line number, …) are listed in one
//! table too.
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
//! - With [`Dialect::BusinessCentral`] (the default) the fake is no better
//!   than Business Central at filters: `in` is ignored without
//!   `$schemaversion=2.1`, a filter with a lambda operator (`any`/`all`) is
//!   ignored (every row comes back), and `or` across two fields is refused
//!   (501 `BadRequest_MethodNotImplemented`), as Business Central's known
//!   limitations say. What was ignored is noted in the request log.
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
//! [`RetryPolicy`](odata_v4_runtime::RetryPolicy). [`Fault::delay`] sleeps on
//! tokio's clock too.

#![warn(missing_docs)]

// The modules build on each other in one direction, from JSON values up to
// the handle a test holds; `tests/module_layers.rs` names the layers and
// fails on an import that goes up or around.
mod bc_rules;
mod error;
mod json;
mod table_keys;

mod model;
mod values;

mod store;

mod reply;

mod filter;

mod evaluate;
mod query;

mod dialect;

mod resolve;

mod render;

mod reads;

mod documents;

mod payload;

mod writes;

mod actions;
mod batch;

mod service;

mod faults;

mod log;

mod exchange;

mod fake;

mod builder;
mod seeding;

pub use actions::{ActionCall, ActionRefusal, BoundEntity};
pub use builder::FakeBuilder;
pub use dialect::{Dialect, Ignored};
pub use error::FakeError;
pub use fake::{FAKE_BASE_URL, FakeBusinessCentral};
pub use faults::{Fault, FaultKind, RequestMatcher};
pub use json::JsonInput;
pub use log::{RecordedRequest, RequestLog};
