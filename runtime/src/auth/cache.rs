//! The token cache the runtime's refreshing credentials share: one token
//! used until it is due, one fetch at a time for all concurrent requests,
//! and a floor on how often a rejected token is replaced.

use std::future::Future;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use super::Secret;
use crate::error::Error;

/// After the service rejects a token (401) and it is replaced, another
/// rejected token is not replaced within this time: a service that rejects
/// every token would otherwise make every request fetch a new one, and
/// token endpoints (Microsoft Entra's among them) throttle such loops.
pub(crate) const REJECTED_TOKEN_REFRESH_INTERVAL: Duration = Duration::from_secs(60);

/// A cached token and the single-flight gate around fetching it.
#[derive(Default)]
pub(crate) struct TokenCache {
    state: Mutex<State>,
    /// Held while a token is being fetched.
    fetching: tokio::sync::Mutex<()>,
}

#[derive(Default)]
struct State {
    /// The `Authorization` value and when to replace it.
    token: Option<(Secret, Instant)>,
    /// When a token was last dropped because the service rejected it.
    dropped_after_rejection: Option<Instant>,
}

impl TokenCache {
    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn fresh(&self) -> Option<Secret> {
        let state = self.state();
        state.token.as_ref().filter(|(_, refresh_at)| Instant::now() < *refresh_at).map(|(header, _)| header.clone())
    }

    /// The cached token while it is fresh; otherwise the one `fetch` gives
    /// (with the instant it is due for refresh), fetched once for every
    /// request waiting meanwhile.
    pub(crate) async fn get_or_fetch<F, Fut>(&self, fetch: F) -> Result<Secret, Error>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<(Secret, Instant), Error>>,
    {
        if let Some(header) = self.fresh() {
            return Ok(header);
        }
        let _gate = self.fetching.lock().await;
        // Whoever held the gate before us may have just fetched one.
        if let Some(header) = self.fresh() {
            return Ok(header);
        }
        let (header, refresh_at) = fetch().await?;
        self.state().token = Some((header.clone(), refresh_at));
        Ok(header)
    }

    /// The service rejected `rejected`: whether asking again may give
    /// another token (see [`Credentials::invalidate`](super::Credentials::invalidate)).
    ///
    /// The cached token is dropped if it is the rejected one, unless a
    /// rejected token was dropped less than
    /// [`REJECTED_TOKEN_REFRESH_INTERVAL`] ago: then the 401 stands and no
    /// token is fetched. A token that was replaced meanwhile (or is being
    /// replaced) is worth one retry, and costs no further fetch.
    pub(crate) fn invalidate(&self, rejected: &Secret) -> bool {
        let mut state = self.state();
        let is_cached = state.token.as_ref().is_some_and(|(header, _)| header == rejected);
        if !is_cached {
            return true;
        }
        let now = Instant::now();
        if state.dropped_after_rejection.is_some_and(|at| now.duration_since(at) < REJECTED_TOKEN_REFRESH_INTERVAL) {
            tracing::warn!(
                interval_secs = REJECTED_TOKEN_REFRESH_INTERVAL.as_secs(),
                "the service rejected a token again; not fetching another one so soon"
            );
            return false;
        }
        state.token = None;
        state.dropped_after_rejection = Some(now);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(value: &str) -> Result<(Secret, Instant), Error> {
        Ok((Secret::new(value), Instant::now() + Duration::from_secs(3600)))
    }

    #[tokio::test]
    async fn a_rejected_token_is_replaced_at_most_once_per_interval() {
        let cache = TokenCache::default();
        let first = cache.get_or_fetch(|| async { token("first") }).await.unwrap();
        assert!(cache.invalidate(&first), "the first rejection drops the token");
        let second = cache.get_or_fetch(|| async { token("second") }).await.unwrap();
        assert_eq!(second.expose(), "second");
        assert!(cache.invalidate(&first), "a request that carried the old token retries with the new one");
        assert!(!cache.invalidate(&second), "the new token rejected too: the 401 stands");
        let kept = cache.get_or_fetch(|| async { token("third") }).await.unwrap();
        assert_eq!(kept.expose(), "second", "no fetch within the interval");
    }
}
