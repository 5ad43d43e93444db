//! [`StateError`]: why a saved [`SyncState`](super::SyncState) is refused.

use std::fmt;

use chrono::{DateTime, SecondsFormat, Utc};

/// Why [`IncrementalSync::start`](super::IncrementalSync::start) refused a
/// state. Nothing was read: fix the state (or start over with
/// [`SyncState::request_full_read`](super::SyncState::request_full_read))
/// rather than retrying.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum StateError {
    /// The state belongs to another collection (another company's, say):
    /// keep one state per collection.
    OtherCollection {
        /// The collection the state was made for.
        belongs_to: String,
        /// The collection it was used with.
        used_with: String,
    },
    /// The state says every change up to `moment` has been read, but that
    /// moment lies further ahead of this machine's clock than the overlap
    /// window allows for clock differences. A pass never moves the
    /// watermark past the moment it began, so the state was written by hand
    /// or by a machine whose clock was ahead, or this machine's clock is
    /// behind. Using it would skip every change made until then.
    AheadOfTheClock {
        /// The watermark (or the bound of the saved pass) that is too late.
        moment: DateTime<Utc>,
        /// The latest moment accepted: now, plus the overlap window.
        latest_accepted: DateTime<Utc>,
    },
}

impl fmt::Display for StateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StateError::OtherCollection { belongs_to, used_with } => write!(
                f,
                "this sync state belongs to `{belongs_to}`, not to `{used_with}`: keep one state per collection"
            ),
            StateError::AheadOfTheClock { moment, latest_accepted } => write!(
                f,
                "this sync state has read up to {}, later than now plus the overlap window ({}): it would skip \
                 every change until then; check this machine's clock, or call `request_full_read` on the state",
                moment.to_rfc3339_opts(SecondsFormat::Millis, true),
                latest_accepted.to_rfc3339_opts(SecondsFormat::Millis, true)
            ),
        }
    }
}

impl std::error::Error for StateError {}

/// For code that handles every failure as the client's [`Error`](crate::Error)
/// (`?` in a function returning it): an invalid request, with the message.
impl From<StateError> for crate::Error {
    fn from(error: StateError) -> crate::Error {
        crate::Error::InvalidRequest(error.to_string())
    }
}
