//! Business Central's service limits, as the client applies them. Source:
//! Microsoft's "Operational limits for Business Central online".

use std::time::Duration;

/// The largest page the API serves (`Prefer: odata.maxpagesize` above it is
/// refused).
pub const MAX_PAGE_SIZE: u32 = 20_000;

/// The most operations one `$batch` call may carry.
pub const MAX_BATCH_OPERATIONS: usize = 100;

/// The client's default per-attempt timeout. Operations are cut off
/// server-side after 8 minutes and the gateway gives up at 10; a client
/// timeout a little beyond that never cuts a request the service would
/// still have answered.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(11 * 60);
