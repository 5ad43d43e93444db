//! Business Central's service limits, as the client applies them. Source:
//! Microsoft's "Operational limits for Business Central online".

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
