//! Typed Rust SDK for the Microsoft Dynamics 365 Business Central API.
//!
//! [`api`] is generated from Business Central's `$metadata` (one module per
//! API route, one per entity type); [`runtime`] is the hand-written client,
//! authentication, paging, errors, `$batch` and the typed OData layer.
//!
//! ```no_run
//! use business_central_sdk::api::v2_0::{self, enums::GenJournalDocumentType, general_ledger_entry as gle, sales_invoice, sales_invoice_line};
//! use business_central_sdk::runtime::chrono::NaiveDate;
//! use business_central_sdk::runtime::{Client, ClientCredentials, Environment, Error};
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
//!     .send()
//!     .await?;
//!
//! // Updates send If-Match with the ETag the entity was read with: a change
//! // made by someone else in between is `Error::StaleEtag`, not a lost update.
//! let changes = sales_invoice::SalesInvoiceUpdate::new().external_document_number("PO-7");
//! let draft = company.sales_invoice(draft.id).update(&draft, changes).send().await?;
//!
//! // Then post it (the bound action `Microsoft.NAV.post`).
//! company.sales_invoice(draft.id).post().send().await?;
//! # Ok(())
//! # }
//! ```

pub mod runtime;

mod generated;
pub use generated::api;
