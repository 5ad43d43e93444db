//! Typed Rust SDK for the Microsoft Dynamics 365 Business Central API.
//!
//! Two layers:
//!
//! - **Business Central glue** (this crate's root): where a client connects
//!   ([`Environment`]: online, on-premises or any base URL), how it signs in
//!   ([`ClientCredentials`]: Microsoft Entra with Business Central's scope),
//!   Business Central's wire dialect ([`PROFILE`]), a default company
//!   ([`ClientBuilderExt`]), its limits ([`limits`]) and its blank values
//!   ([`Blank`]).
//! - **The generated APIs** ([`api`], feature `apis`, on by default): one
//!   module per API route, one per entity type, generated from Business
//!   Central's `$metadata`; [`schemas`] holds those documents.
//! - **Keeping a copy in step** with Business Central: incremental reads of
//!   what changed ([`sync`]) and webhook subscriptions and notifications
//!   ([`webhooks`]).
//!
//! Everything that happens at run time (HTTP, retries, paging, `$batch`,
//! errors, typed filters) is the generic OData runtime, re-exported as
//! [`runtime`]. To test your own code without Business Central, the
//! `business-central-testing` crate plugs an in-memory Business Central
//! into the client.
//!
//! ```no_run
//! use business_central_sdk::api::v2_0::{self, enums::GenJournalDocumentType, general_ledger_entry as gle, sales_invoice, sales_invoice_line};
//! use business_central_sdk::runtime::chrono::NaiveDate;
//! use business_central_sdk::{Client, ClientCredentials, Environment, Error};
//! use futures_util::StreamExt;
//!
//! # async fn example() -> Result<(), Error> {
//! let client = Client::builder(Environment::online("contoso.onmicrosoft.com", "Production"))
//!     .credentials(ClientCredentials::new("<tenant id>", "<client id>", "<client secret>"))
//!     .build()?;
//! let api = v2_0::Api::new(&client);
//! let company = api.company_by_name("CRONUS USA, Inc.");
//!
//! // A typed filter: the date, the enum and the ordering are checked at compile time.
//! let from = NaiveDate::from_ymd_opt(2025, 1, 1).expect("a valid date");
//! let mut entries = company
//!     .general_ledger_entries()
//!     .list()
//!     .filter(gle::posting_date().ge(from).and(gle::document_type().eq(GenJournalDocumentType::Invoice)))
//!     .order_by(gle::entry_number().desc())
//!     .stream();
//! while let Some(entry) = entries.next().await {
//!     let entry = entry?;
//!     println!("{:?} {:?}", entry.entry_number, entry.debit_amount);
//! }
//!
//! // An invoice with its lines in one request (deep insert).
//! let line = sales_invoice_line::SalesInvoiceLineCreate::new().line_object_number("1928-S").quantity(3);
//! let draft = company
//!     .sales_invoices()
//!     .create(sales_invoice::SalesInvoiceCreate::new("20000").sales_invoice_lines([line]))
//!     .await?;
//!
//! // Updates send If-Match with the ETag the entity was read with: a change
//! // made by someone else in between is `Error::StaleEtag`, not a lost update.
//! let changes = sales_invoice::SalesInvoiceUpdate::new().external_document_number("PO-7");
//! let draft = company.sales_invoice(draft.id).update(&draft, changes).await?;
//!
//! // Then post it (the bound action `Microsoft.NAV.post`).
//! company.sales_invoice(draft.id).post().await?;
//! # Ok(())
//! # }
//! ```

#![warn(missing_docs)]
// docs.rs (`--cfg docsrs`, nightly) labels feature-gated items with their feature.
#![cfg_attr(docsrs, feature(doc_cfg))]

// Generated code names this crate by its absolute path, so that the same
// code compiles inside it and in crates generated for custom API pages.
#[cfg(feature = "apis")]
extern crate self as business_central_sdk;

mod blank;
mod company;
mod credentials;
mod environment;
pub mod limits;
mod profile;
#[cfg(feature = "apis")]
pub mod schemas;
pub mod sync;
pub mod webhooks;

pub use blank::{BLANK_DATE, Blank};
pub use company::{ClientBuilderExt, CompanyRef, default_company};
pub use credentials::{BUSINESS_CENTRAL_SCOPE, ClientCredentials};
pub use environment::Environment;
pub use odata_v4_runtime as runtime;
pub use odata_v4_runtime::{Client, ClientBuilder, Error};
pub use profile::PROFILE;

#[cfg(feature = "apis")]
#[rustfmt::skip] // Laid out by the generator; see rustfmt.toml.
mod generated;
#[cfg(feature = "apis")]
#[cfg_attr(docsrs, doc(cfg(feature = "apis")))]
pub use generated::api;
