//! Incremental sync: reading what changed in an entity set since the last
//! read, so that a copy kept elsewhere (a warehouse, a shop, a data lake)
//! stays in step with Business Central.
//!
//! Business Central removed delta links in version 24. What is left is the
//! `lastModifiedDateTime` every table carries: a reader asks for the rows
//! changed since a watermark and moves the watermark on. Done naively, that
//! loses rows:
//!
//! - **Equal timestamps.** Several rows share a timestamp (it has millisecond
//!   precision); a row committed after the read with the watermark's own
//!   timestamp is missed by `gt watermark`.
//! - **Clock skew and slow commits.** A row's timestamp is taken by the
//!   server that wrote it when it wrote it, not when the transaction became
//!   visible; a reader that moves the watermark to the newest timestamp it
//!   saw skips rows committed later with an older timestamp.
//! - **Rows changed during the read.** A read of many pages takes time; a row
//!   on an early page changed meanwhile gets a timestamp newer than the pass
//!   began, and a watermark taken from a later page can jump past it.
//! - **Crashes.** A job that stops half-way must neither lose the pages it
//!   had not applied yet nor, on restart, apply the same version twice.
//!
//! [`IncrementalSync`] handles all four:
//!
//! - each pass reads `lastModifiedDateTime ge (watermark - overlap)`, so a
//!   window of [`overlap`](IncrementalSync::overlap) (5 minutes unless set)
//!   is read again every time: rows with equal timestamps, late commits and
//!   clock skew up to that window are caught;
//! - rows read again unchanged are recognised by key and ETag and not handed
//!   out twice ([`ChangeBatch::duplicates_skipped`]);
//! - when a pass ends, the watermark moves to the newest timestamp the pass
//!   saw, but never past the moment the pass began (by the local clock), so
//!   a row changed during the read is read again by the next pass; a full
//!   read that saw no timestamp at all (an empty collection, or only blank
//!   timestamps) moves it to the moment it began;
//! - a state that claims to have read further than now plus the overlap
//!   window (a watermark in the future) is refused with
//!   [`StateError::AheadOfTheClock`] instead of silently skipping every
//!   change until then;
//! - changes come one page at a time and the [`SyncState`] after each page
//!   serialises with serde. Apply the page, then save the state, and a job
//!   killed anywhere resumes from the saved state (in the middle of a paged
//!   read, through the saved next link) without losing or repeating a row.
//!
//! What it cannot do: see deletions (Business Central keeps no tombstones;
//! deleted rows are reported only by webhooks, see
//! [`webhooks`](crate::webhooks)) and see changes to rows whose
//! `lastModifiedDateTime` is blank (`0001-01-01T00:00:00Z`, which some
//! tables keep for rows written before the field existed): those match no
//! filter, so only a full read ([`SyncState::request_full_read`]) returns
//! them. Each batch counts them ([`ChangeBatch::blank_timestamps`]). A row
//! that gets a timestamp later comes with the next pass like any other
//! change.
//!
//! ```no_run
//! use business_central_sdk::api::v2_0;
//! use business_central_sdk::sync::{IncrementalSync, SyncState};
//! # fn load() -> SyncState { SyncState::new() }
//! # fn apply(_: &[v2_0::customer::Customer]) {}
//! # fn save(_: &SyncState) {}
//!
//! # async fn example(api: v2_0::Api) -> Result<(), business_central_sdk::Error> {
//! let company = api.default_company()?;
//! let customers = IncrementalSync::new(&company.customers());
//! let mut run = customers.start(load())?;
//! while let Some(batch) = run.next_batch().await? {
//!     apply(&batch.changes); // first apply the changes...
//!     save(run.state()); // ...then save the state that includes them
//! }
//! # Ok(())
//! # }
//! ```

mod error;
mod run;
mod state;
mod tracked;

pub use error::StateError;
pub use run::{ChangeBatch, DEFAULT_OVERLAP, IncrementalSync, SyncRun};
pub use state::{DEFAULT_REMEMBERED_ROWS, SyncState};
pub use tracked::ChangeTracked;
