//! The shared secret notifications carry, and subscription ids.

use std::fmt;

use odata_v4_runtime::Secret;
use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;

use crate::limits::MAX_CLIENT_STATE_CHARS;

/// The secret a subscription is created with and every notification of it
/// carries back (`clientState`): how a receiver tells Business Central's
/// notifications from anyone else's requests.
///
/// Use a long random value (for example 32 random bytes, hex-encoded) and
/// keep it like a password: `Debug` and `Display` print `***`, and
/// comparisons take the same time whatever the input.
#[derive(Clone, PartialEq, Eq)]
pub struct ClientState(Secret);

impl ClientState {
    /// Wraps the secret. At most 2,048 characters as Business Central
    /// counts them, in UTF-16 code units ([`MAX_CLIENT_STATE_CHARS`]; a
    /// character outside the Basic Multilingual Plane, such as an emoji,
    /// counts twice); a longer one is refused when subscribing.
    pub fn new(value: impl Into<String>) -> ClientState {
        ClientState(Secret::new(value))
    }

    /// The value, to send to Business Central.
    pub fn expose(&self) -> &str {
        self.0.expose()
    }

    /// Whether `candidate` is this secret, in time that does not depend on
    /// where the two differ.
    pub fn matches(&self, candidate: &str) -> bool {
        self.expose().as_bytes().ct_eq(candidate.as_bytes()).into()
    }

    /// Why Business Central would refuse it, if it would.
    pub(crate) fn problem(&self) -> Option<String> {
        let length = self.expose().encode_utf16().count();
        (length > MAX_CLIENT_STATE_CHARS).then(|| {
            format!("a client state has at most {MAX_CLIENT_STATE_CHARS} characters (UTF-16 code units); this one has {length}")
        })
    }
}

impl fmt::Debug for ClientState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ClientState(***)")
    }
}

impl fmt::Display for ClientState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// A subscription's id (`subscriptionId`), as Business Central assigned it.
/// Serialises as a plain string, so that an application can store the ids
/// of its subscriptions and hand them to
/// [`Subscriptions::renew_expiring`](super::Subscriptions::renew_expiring).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SubscriptionId(String);

impl SubscriptionId {
    /// Wraps an id obtained earlier.
    pub fn new(id: impl Into<String>) -> SubscriptionId {
        SubscriptionId(id.into())
    }

    /// The id.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for SubscriptionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_secret_stays_out_of_logs_and_compares_exactly() {
        let state = ClientState::new("s3cret-value");
        assert_eq!(format!("{state:?} {state}"), "ClientState(***) ***");
        assert!(state.matches("s3cret-value"));
        assert!(!state.matches("s3cret-valuE"));
        assert!(!state.matches("s3cret"));
        assert!(!state.matches(""));
        assert!(state.problem().is_none());
        assert!(ClientState::new("x".repeat(2049)).problem().unwrap().contains("2048"));
        assert!(ClientState::new("é".repeat(2048)).problem().is_none(), "characters, not bytes");
        assert!(ClientState::new("😀".repeat(1024)).problem().is_none());
        assert!(ClientState::new("😀".repeat(1025)).problem().unwrap().contains("2050"), "UTF-16, as .NET counts");
    }
}
