//! The runtime that generated OData v4 clients stand on.
//!
//! Generated crates declare a service's types, property handles, capability
//! markers and paths; everything that happens at run time is here:
//!
//! - **Connecting**: [`Client`] (built with [`Client::builder`]) owns the
//!   HTTP stack ([`Transport`], [`Middleware`]), [`Credentials`], the
//!   [`RetryPolicy`] and its shared [`RetryBudget`], the cap on concurrent
//!   requests, the [`BodyLimits`] and the service's limits. [`Api`] binds a client to
//!   one service root and its wire [`ServiceProfile`].
//! - **Requests**: every operation is a [`Request`] that can be sent alone
//!   or put in a JSON [`Batch`]; collections stream page by page
//!   ([`PageStream`], [`ItemStream`]) following `@odata.nextLink`.
//! - **Typed OData**: paths ([`CollectionPath`], [`EntityPath`],
//!   [`MediaPath`]), queries ([`ListQuery`], [`GetQuery`]), typed filters
//!   ([`Filter`]), payloads ([`PayloadFields`]) and exact values
//!   ([`Edm`]: decimals as `rust_decimal::Decimal`, dates and GUIDs typed,
//!   unknown properties kept in [`AdditionalProperties`]).
//! - **Errors**: one [`Error`] whose cases say what to do next, with the
//!   service's code and message in a [`ServiceError`].
//!
//! Nothing here is specific to one service; service crates add their
//! deployment, credentials and limits on top through [`Endpoint`],
//! [`ServiceProfile`] and [`ClientBuilder::extension`].
//!
//! ```no_run
//! use odata_v4_runtime::{Api, Client, ServiceProfile, StaticToken};
//!
//! # fn example() -> Result<(), odata_v4_runtime::Error> {
//! let client = Client::builder("https://services.example.com/")
//!     .credentials(StaticToken::new("<access token>"))
//!     .build()?;
//! // Generated crates create their `Api` for you; by hand it is a client,
//! // a service root path and the service's wire profile.
//! let api = Api::new(&client, "odata/v4/", ServiceProfile::strict_odata());
//! assert_eq!(api.root(), "https://services.example.com/odata/v4/");
//! # Ok(())
//! # }
//! ```

#![warn(missing_docs)]
// docs.rs (`--cfg docsrs`, nightly) labels feature-gated items with their feature.
#![cfg_attr(docsrs, feature(doc_cfg))]

mod api;
mod auth;
mod batch;
mod client;
pub mod decode;
mod entity;
mod enums;
mod error;
mod export;
mod filter;
mod http;
mod key;
mod limits;
mod literal;
mod media;
mod operation;
mod paging;
mod path;
mod payload;
mod profile;
mod projection;
mod property;
mod query;
mod redact;
mod request;
mod retry;
mod transport;
mod value;

#[doc(hidden)]
pub mod __private;

pub use api::Api;
#[cfg(feature = "azure_identity")]
#[cfg_attr(docsrs, doc(cfg(feature = "azure_identity")))]
pub use auth::AzureIdentity;
pub use auth::{AuthContext, Basic, ClientCredentials, Credentials, Secret, StaticToken};
pub use batch::{Batch, BatchHandle, BatchResponse};
pub use client::{Client, ClientBuilder, Endpoint};
pub use entity::{
    Deletable, DerivedFrom, Entity, EntityKey, EntitySet, Filterable, IfMatch, Insertable, LambdaOperators, NoKey,
    Payload, Service, Sortable, Updatable,
};
pub use enums::{EdmEnum, EnumKind, UnknownMember, UnknownValue};
pub use error::{AuthenticationError, DecodeError, Error, PagingError, ServiceError};
pub use export::{ExportBatch, ExportCheckpoint, ExportProgress, ExportStream, ParallelExport, PartitionKey};
pub use filter::{BaseOf, Filter, IntoFilter, OneProperty, OrOperands, OrWithinOneProperty, Properties, TextExpr};
pub use http::{Body, Headers, HttpRequest, HttpResponse, Method};
pub use limits::BodyLimits;
pub use literal::{IntoLiteral, Literal};
pub use media::MediaDownload;
pub use operation::OperationKind;
pub use paging::{ItemStream, NextLink, Page, PageStream, PrefetchedPages};
pub use path::{CollectionHandle, CollectionPath, EntityHandle, EntityPath, MediaPath, SetPaths};
pub use payload::PayloadFields;
pub use profile::{AtomicBatchStyle, EnumLiteralStyle, InOperatorSupport, ServiceProfile};
pub use projection::{Expansion, NavigationOf, Projection, WholeEntity};
pub use property::{
    Cardinality, Equatable, IsNullable, Many, Nav, Navigation, One, Ordered, Prop, Property, PropertyOf,
    SettableOnCreate, SettableOnUpdate, Text,
};
pub use query::{ExpandQuery, Expandable, GetQuery, IntoOrderKey, ListQuery, OrderKey, SelectList};
pub use redact::url_for_logs;
pub use request::{Decoder, Request, Target};
pub use retry::{RetryBudget, RetryPolicy};
pub use transport::{BoxFuture, DefaultTransport, Middleware, Next, Transport, TransportError, TransportErrorKind};
pub use value::{AdditionalProperties, Binary, Duration, ETag, Edm, Json, StreamLink};

// The crates whose types appear in generated APIs, so that generated code
// and its users name the same versions.
pub use ::bytes;
pub use ::chrono;
pub use ::rust_decimal;
pub use ::serde;
pub use ::uuid;
