//! Typed Rust SDK for the Microsoft Dynamics 365 Business Central API.

pub mod runtime;

mod generated;
pub use generated::api;
