//! Reads OData v4 CSDL documents (`$metadata`) into a resolved, validated
//! model.
//!
//! - [`edmx`] reads a document ([`edmx::read_file`], [`edmx::read_str`]),
//!   resolves aliases and cross-references, and writes the canonical form
//!   ([`edmx::canonical`]) that the project commits.
//! - [`ir`] is the model: schemas, types, sets, operations and annotations
//!   in `BTreeMap`s, independent of any code generation.
//! - [`diag`] carries errors and warnings with file, line, column and the
//!   element path; [`xml`] is the position-keeping XML layer underneath.
//! - [`summary`] counts what a model holds (what `cargo xtask inspect` prints).
//!
//! The crate has no code-generation dependencies, so tools that only need
//! the model (validators, schema diffs, documentation) stay light.

pub mod diag;
pub mod edmx;
pub mod ir;
pub mod summary;
pub mod xml;
