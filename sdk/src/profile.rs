//! Business Central's wire dialect.

use odata_v4_runtime::{AtomicBatchStyle, EnumLiteralStyle, InOperatorSupport, Method, ServiceProfile};

/// How Business Central differs from a strict OData v4 server:
///
/// - enum values in `$filter` are plain strings (`'Credit_x0020_Memo'`);
/// - `in (…)` is ignored unless the request carries `$schemaversion=2.1`;
/// - stream content is replaced with `PATCH`;
/// - a stale `If-Match` is answered 409 `Request_EntityChanged`;
/// - error messages end with `CorrelationId: <guid>`;
/// - reads may come from a lagging replica; `Data-Access-Intent: ReadWrite`
///   reads one's own writes;
/// - an atomic `$batch` carries `Isolation: snapshot`.
///
/// Generated Business Central APIs carry this profile; pass it to
/// [`runtime::Api::new`](odata_v4_runtime::Api::new) for a hand-built one.
pub const PROFILE: ServiceProfile = ServiceProfile::strict_odata()
    .with_enum_literals(EnumLiteralStyle::PlainString)
    .with_in_operator(InOperatorSupport::QueryOption { name: "$schemaversion", value: "2.1" })
    .with_media_upload_method(Method::Patch)
    .with_stale_etag_codes(&["Request_EntityChanged"])
    .with_message_correlation_marker("CorrelationId:")
    .with_read_your_writes_header("Data-Access-Intent", "ReadWrite")
    .with_atomic_batch(AtomicBatchStyle::SnapshotIsolation);
