//! Typed queries: what a list or a single read asks the service for.

mod list;
mod options;

pub use list::{GetQuery, ListQuery};
pub use options::{ExpandQuery, Expandable, IntoOrderKey, OrderKey, SelectList};
pub(crate) use options::{encode_key_value, encode_query_value};
