//! Business Central's service limits, as the client applies them. Sources:
//! Microsoft's "Operational limits for Business Central online" and
//! "Working with webhooks in Dynamics 365 Business Central".

use std::time::Duration;

/// The largest page the API serves (`Prefer: odata.maxpagesize` above it is
/// refused).
pub const MAX_PAGE_SIZE: u32 = 20_000;

/// The most operations one `$batch` call may carry.
pub const MAX_BATCH_OPERATIONS: usize = 100;

/// The most requests one user may have running at once; the service queues
/// further ones (up to 95, for at most 8 minutes, then answers 503). The
/// client keeps its own queue instead, so that waiting requests neither
/// fill the service's queue nor time out in it.
pub const MAX_CONCURRENT_REQUESTS: usize = 5;

/// The largest request or response body the service handles (350 MB):
/// the client's limit for JSON answers and media downloads.
pub const MAX_BODY_BYTES: u64 = 350 * 1000 * 1000;

/// The client's default per-attempt timeout. Operations are cut off
/// server-side after 8 minutes and the gateway gives up at 10; a client
/// timeout a little beyond that never cuts a request the service would
/// still have answered.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(11 * 60);

/// The most webhook subscriptions one environment holds.
pub const MAX_WEBHOOK_SUBSCRIPTIONS: usize = 200;

/// How long a webhook subscription lives after it was created or last
/// renewed.
pub const WEBHOOK_SUBSCRIPTION_LIFETIME: Duration = Duration::from_secs(3 * 24 * 60 * 60);

/// The longest client state a subscription may carry, in characters as
/// Business Central counts them: UTF-16 code units (the length of a .NET
/// string), so a character outside the Basic Multilingual Plane counts twice.
pub const MAX_CLIENT_STATE_CHARS: usize = 2048;

/// How long Business Central waits for the answer to its `validationToken`
/// handshake when a subscription is created or renewed.
pub const WEBHOOK_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(5);

/// More changes than this within one notification window (30 seconds
/// online) are reported as one `collection` notification instead of one
/// notification per row; it is also the most notifications one call to a
/// notification URL carries (on premises, both are the server setting
/// `ApiSubscriptionMaxNumberOfNotifications`).
pub const COLLECTION_NOTIFICATION_THRESHOLD: usize = 1000;
