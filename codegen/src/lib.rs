//! Generates a typed Rust client for an OData v4 service from its
//! `$metadata`.
//!
//! - [`Generator`] is the entry point: a `$metadata` file in, a module file
//!   for a build script or a standalone crate out.
//! - [`emit`] turns a model into a quote-free plan (every Rust name and
//!   capability decision), renders it with `quote` and formats it with
//!   prettyplease.
//! - [`customize`] is how a family of services with conventions of its own
//!   changes what is generated, without this crate knowing the family.
//! - [`facts`] holds what documentation adds to a `$metadata` document.
//! - [`select`] cuts a large service down to the entity sets, singletons
//!   and operations a client uses, and what they reach.
//!
//! Generated code depends on the `odata-v4-runtime` crate of the same
//! version. The model comes from [`odata_v4_csdl`], re-exported here under
//! its own module names so generator code reads `crate::ir`.

pub use odata_v4_csdl::{diag, edmx, ir, summary, xml};

pub mod customize;
pub mod emit;
mod error;
pub mod facts;
pub mod generator;
pub mod select;
pub mod tree;

pub use customize::{Customization, Standard};
pub use error::Error;
pub use generator::{CrateOptions, Dependencies, Generated, Generator, Progress};
