//! The hand-written runtime the generated API stands on: the HTTP client
//! and its configuration, authentication, retries, errors, paging, `$batch`,
//! and the typed OData layer (paths, queries, filters, payloads).

pub mod api;
pub mod auth;
pub mod batch;
pub mod client;
pub mod decode;
pub mod entity;
pub mod enums;
pub mod error;
pub mod filter;
pub mod http;
pub mod literal;
pub mod paging;
pub mod path;
pub mod payload;
pub mod profile;
pub mod property;
pub mod query;
pub mod request;
pub mod retry;
pub mod support;
pub mod transport;
pub mod value;

pub use api::Api;
pub use auth::*;
pub use batch::*;
pub use client::*;
pub use entity::*;
pub use enums::{deserialize_enum, write_enum_json, EdmEnum, UnknownMember};
pub use error::*;
pub use filter::{BaseOf, Filter, IntoFilter, TextExpr};
pub use http::{Headers, HttpRequest, HttpResponse, Method};
pub use literal::{IntoLiteral, Literal};
pub use paging::*;
pub use path::{CollectionPath, EntityPath, MediaPath};
pub use payload::{json_array, PayloadFields};
pub use profile::{EnumLiteralStyle, InOperatorSupport, ServiceProfile};
pub use property::*;
pub use query::{ExpandQuery, Expandable, GetQuery, IntoOrderKey, ListQuery, OrderKey, SelectList};
pub use request::{Decoder, OperationKind, Request, Target};
pub use retry::*;
pub use support::{decode_value, decode_wrapped, key_predicate, missing, next_collection, next_nullable, next_required, FieldName, JsonObject};
pub use transport::*;
pub use value::{AdditionalProperties, Binary, Blank, De, Duration, ETag, Edm, Json, StreamLink, BLANK_DATE};

// The crates whose types appear in the generated API, so generated code and
// users name the same versions.
pub use ::chrono;
pub use ::rust_decimal;
pub use ::serde;
pub use ::uuid;
