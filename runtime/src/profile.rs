//! The wire dialect of a service. Servers that speak OData v4 still
//! disagree on a few details (how enum literals are spelled, whether `in`
//! needs a switch, which method replaces media content, how a stale ETag is
//! reported); the runtime follows the profile instead of special-casing
//! servers. Generated code carries the profile of the service it was
//! generated for; a client can override it
//! ([`ClientBuilder::profile`](crate::ClientBuilder::profile)).

use crate::http::Method;

/// How enum values are written inside `$filter`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnumLiteralStyle {
    /// `status eq 'Credit_x0020_Memo'`: the member name as a string.
    PlainString,
    /// `status eq Namespace.type'Credit_x0020_Memo'` (the OData ABNF).
    Qualified,
}

/// How `in (...)` filters are made effective.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InOperatorSupport {
    /// The service understands `in` natively.
    Native,
    /// The service ignores `in` unless this query option is sent with the
    /// request (for example `$schemaversion=2.1`).
    QueryOption {
        /// The option's name, such as `$schemaversion`.
        name: &'static str,
        /// Its value, such as `2.1`.
        value: &'static str,
    },
}

/// How a batch asks for all-or-nothing execution.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum AtomicBatchStyle {
    /// Every operation carries the same `atomicityGroup` (OData JSON batch
    /// format): the service runs them as one change set.
    AtomicityGroup,
    /// The `$batch` call carries `Isolation: snapshot` (Business Central,
    /// which takes a whole batch as one transaction that way).
    SnapshotIsolation,
}

/// Per-service wire behaviour. Build one from [`ServiceProfile::strict_odata`]
/// and the `with_*` methods (all `const`, so a profile can be a constant).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ServiceProfile {
    /// How enum values are written in `$filter`.
    pub enum_literals: EnumLiteralStyle,
    /// How `in` filters are made effective.
    pub in_operator: InOperatorSupport,
    /// How stream content is replaced (`PUT` per the OData spec; some
    /// services take `PATCH`).
    pub media_upload_method: Method,
    /// Error codes that, on a 409 answer, mean "the `If-Match` ETag is
    /// stale" (a 412 always means that).
    pub stale_etag_codes: &'static [&'static str],
    /// A marker after which the service appends a correlation id to its
    /// error messages (`"CorrelationId:"`), split off into
    /// [`ServiceError::correlation_id`](crate::ServiceError::correlation_id).
    pub message_correlation_marker: Option<&'static str>,
    /// A header that makes a read see the client's own writes, sent when a
    /// write answered `204 No Content` is read back (for services whose
    /// reads may go to a lagging replica).
    pub read_your_writes_header: Option<(&'static str, &'static str)>,
    /// How an [atomic](crate::Batch::atomic) batch is marked.
    pub atomic_batch: AtomicBatchStyle,
}

impl ServiceProfile {
    /// A server that follows the OData v4 specification and ABNF strictly.
    pub const fn strict_odata() -> Self {
        ServiceProfile {
            enum_literals: EnumLiteralStyle::Qualified,
            in_operator: InOperatorSupport::Native,
            media_upload_method: Method::Put,
            stale_etag_codes: &[],
            message_correlation_marker: None,
            read_your_writes_header: None,
            atomic_batch: AtomicBatchStyle::AtomicityGroup,
        }
    }

    /// The same profile with another enum literal style.
    pub const fn with_enum_literals(mut self, style: EnumLiteralStyle) -> Self {
        self.enum_literals = style;
        self
    }

    /// The same profile with another way of enabling `in`.
    pub const fn with_in_operator(mut self, support: InOperatorSupport) -> Self {
        self.in_operator = support;
        self
    }

    /// The same profile with another media upload method.
    pub const fn with_media_upload_method(mut self, method: Method) -> Self {
        self.media_upload_method = method;
        self
    }

    /// The same profile where a 409 with one of `codes` means a stale ETag.
    pub const fn with_stale_etag_codes(mut self, codes: &'static [&'static str]) -> Self {
        self.stale_etag_codes = codes;
        self
    }

    /// The same profile, splitting correlation ids off error messages after
    /// `marker` (matched without regard to case).
    pub const fn with_message_correlation_marker(mut self, marker: &'static str) -> Self {
        self.message_correlation_marker = Some(marker);
        self
    }

    /// The same profile, sending `name: value` when reading back a write.
    pub const fn with_read_your_writes_header(mut self, name: &'static str, value: &'static str) -> Self {
        self.read_your_writes_header = Some((name, value));
        self
    }

    /// The same profile, marking atomic batches with `style`.
    pub const fn with_atomic_batch(mut self, style: AtomicBatchStyle) -> Self {
        self.atomic_batch = style;
        self
    }
}

impl Default for ServiceProfile {
    /// [`ServiceProfile::strict_odata`].
    fn default() -> Self {
        ServiceProfile::strict_odata()
    }
}
