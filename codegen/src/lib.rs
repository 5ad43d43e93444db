//! Generates a typed Rust client for an OData v4 service from its model.
//!
//! - [`docs`] reads resource docs (Markdown, tables, JSON, plain text),
//!   matches each to an entity type by its content and extracts the facts
//!   the `$metadata` lacks (descriptions, read-only properties).
//! - [`emit`] turns a model into a quote-free plan (every Rust name and
//!   capability decision), renders it with `quote` and formats it with
//!   prettyplease.
//! - [`select`] cuts a large service down to the entity sets, singletons
//!   and operations a client uses, and what they reach.
//!
//! The model itself comes from [`odata_v4_csdl`], re-exported here under
//! its own module names so generator code reads `crate::ir`.

pub use odata_v4_csdl::{diag, edmx, ir, summary, xml};

pub mod docs;
pub mod emit;
pub mod select;
