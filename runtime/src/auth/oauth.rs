//! The OAuth 2.0 client credentials flow (RFC 6749 section 4.4), with
//! Microsoft Entra ID's token endpoint as a named case.

use std::fmt;
use std::time::{Duration, Instant};

use serde::Deserialize;
use zeroize::Zeroizing;

use super::cache::TokenCache;
use super::{AuthContext, Credentials, Secret};
use crate::error::{AuthenticationError, Error, ServiceError};
use crate::http::{Body, Headers, HttpRequest, Method};
use crate::transport::{BoxFuture, TransportErrorKind};

/// The public Microsoft Entra authority.
const ENTRA_AUTHORITY: &str = "https://login.microsoftonline.com";
/// Tokens commonly last an hour; refreshing this much earlier keeps
/// requests that are in flight, or queued behind throttling, from arriving
/// with an expired token.
pub(super) const DEFAULT_REFRESH_MARGIN: Duration = Duration::from_secs(5 * 60);
/// The token lifetime assumed when the endpoint does not say.
const DEFAULT_TOKEN_LIFETIME: Duration = Duration::from_secs(60 * 60);
/// The longest lifetime believed: Entra issues tokens for a day at most, and
/// so do the other identity providers the runtime has met.
/// A larger `expires_in` is a broken or hostile answer; trusting it would
/// keep a token long after it stopped working (and overflow `Instant`).
const MAX_TOKEN_LIFETIME: Duration = Duration::from_secs(24 * 60 * 60);

/// The OAuth 2.0 client credentials flow (service-to-service: an app
/// registration with a client secret), against any token endpoint
/// ([`ClientCredentials::new`]) or Microsoft Entra ID
/// ([`ClientCredentials::microsoft_entra`]).
///
/// The token is cached and refreshed a few minutes before it expires
/// (lifetimes above a day count as a day). Concurrent requests share one
/// refresh: while a token request is in flight, the others wait for its
/// result instead of sending their own.
///
/// A token the service rejects (401) is replaced, and the request retried
/// once; but a service that keeps rejecting tokens gets a new one at most
/// once a minute (the other requests fail with
/// [`Error::Unauthorized`] at once), so that it cannot make every request
/// hit the token endpoint, which would throttle the application.
pub struct ClientCredentials {
    endpoint: TokenEndpoint,
    client_id: String,
    client_secret: Secret,
    scope: Option<String>,
    refresh_margin: Duration,
    tokens: TokenCache,
}

/// Where tokens come from.
#[derive(Debug, Clone)]
enum TokenEndpoint {
    /// A token URL given as is.
    Url(String),
    /// Microsoft Entra ID: `{authority}/{tenant}/oauth2/v2.0/token`.
    Entra { authority: String, tenant: String },
}

impl ClientCredentials {
    /// Credentials for the app `client_id` at the token endpoint
    /// `token_url`. Most providers also want a [`scope`](Self::scope).
    pub fn new(token_url: impl Into<String>, client_id: impl Into<String>, client_secret: impl Into<Secret>) -> Self {
        Self::with_endpoint(TokenEndpoint::Url(token_url.into()), client_id, client_secret)
    }

    /// Credentials for the app `client_id` in the Microsoft Entra tenant
    /// `tenant` (GUID or domain). Entra needs a [`scope`](Self::scope):
    /// the resource's `…/.default`.
    pub fn microsoft_entra(
        tenant: impl Into<String>,
        client_id: impl Into<String>,
        client_secret: impl Into<Secret>,
    ) -> Self {
        let endpoint = TokenEndpoint::Entra { authority: ENTRA_AUTHORITY.to_owned(), tenant: tenant.into() };
        Self::with_endpoint(endpoint, client_id, client_secret)
    }

    fn with_endpoint(endpoint: TokenEndpoint, client_id: impl Into<String>, client_secret: impl Into<Secret>) -> Self {
        ClientCredentials {
            endpoint,
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            scope: None,
            refresh_margin: DEFAULT_REFRESH_MARGIN,
            tokens: TokenCache::default(),
        }
    }

    /// For Microsoft Entra credentials, another authority host (sovereign
    /// clouds, or a local test server): the token endpoint becomes
    /// `{authority}/{tenant}/oauth2/v2.0/token`. Credentials made with
    /// [`new`](Self::new) get `authority` as their token URL.
    pub fn authority(mut self, authority: impl Into<String>) -> Self {
        let authority = authority.into().trim_end_matches('/').to_owned();
        self.endpoint = match self.endpoint {
            TokenEndpoint::Entra { tenant, .. } => TokenEndpoint::Entra { authority, tenant },
            TokenEndpoint::Url(_) => TokenEndpoint::Url(authority),
        };
        self
    }

    /// The scope to ask for (`scope=` in the token request), such as
    /// `https://api.businesscentral.dynamics.com/.default`.
    pub fn scope(mut self, scope: impl Into<String>) -> Self {
        self.scope = Some(scope.into());
        self
    }

    /// How long before its expiry a cached token is replaced (5 minutes by
    /// default). A token that lives less than twice the margin is replaced
    /// halfway through its life instead: a 4-minute token is used for 2
    /// minutes, not fetched again for every request.
    pub fn refresh_margin(mut self, margin: Duration) -> Self {
        self.refresh_margin = margin;
        self
    }

    /// The token URL. An Entra tenant is one path segment of it, encoded by
    /// the `url` crate; a tenant that cannot be one (empty, `.`, `..`) is
    /// refused rather than allowed to change the path.
    fn token_endpoint(&self) -> Result<String, Error> {
        let refused = |message: String| Error::Authentication(AuthenticationError::new(message));
        match &self.endpoint {
            TokenEndpoint::Url(url) => Ok(url.clone()),
            TokenEndpoint::Entra { authority, tenant } => {
                if matches!(tenant.as_str(), "" | "." | "..") {
                    return Err(refused(format!("{tenant:?} is not a Microsoft Entra tenant")));
                }
                let mut url = url::Url::parse(authority)
                    .map_err(|e| refused(format!("the authority {authority:?} is not a URL: {e}")))?;
                url.path_segments_mut()
                    .map_err(|()| refused(format!("the authority {authority:?} cannot have a path")))?
                    .pop_if_empty()
                    .extend([tenant.as_str(), "oauth2", "v2.0", "token"]);
                Ok(url.into())
            }
        }
    }

    async fn request_token(&self, http: &AuthContext) -> Result<(Secret, Instant), Error> {
        let requested_at = Instant::now();
        let url = self.token_endpoint()?;
        let mut form = Zeroizing::new(String::new());
        {
            let mut fields = url::form_urlencoded::Serializer::new(&mut *form);
            fields.append_pair("grant_type", "client_credentials");
            fields.append_pair("client_id", &self.client_id);
            fields.append_pair("client_secret", self.client_secret.expose());
            if let Some(scope) = &self.scope {
                fields.append_pair("scope", scope);
            }
        }
        let mut headers = Headers::new();
        headers.set("Content-Type", "application/x-www-form-urlencoded");
        headers.set("Accept", "application/json");
        let body = Some(Body::from(form.as_bytes().to_vec()));
        let request = HttpRequest { method: Method::Post, url, headers, body };
        let response = http.send(request).await.map_err(|e| {
            let message = match e.kind() {
                TransportErrorKind::Redirected => {
                    "the HTTP client followed a redirect of the token request itself, so its answer is not \
                     used: build it with reqwest::redirect::Policy::none()"
                }
                _ => "could not reach the token endpoint",
            };
            Error::Authentication(AuthenticationError::new(message).with_source(e))
        })?;
        if (300..400).contains(&response.status) {
            return Err(Error::Authentication(AuthenticationError::new(format!(
                "the token endpoint answered with a redirect (HTTP {}); token requests follow none, so that \
                 the client secret goes nowhere else: configure the token endpoint's final URL",
                response.status
            ))));
        }
        if !response.is_success() {
            return Err(Error::Authentication(
                AuthenticationError::new("the token endpoint refused the client credentials")
                    .with_response(ServiceError::from_response(&response)),
            ));
        }
        let token: TokenResponse = serde_json::from_slice(response.bytes()).map_err(|e| {
            Error::Authentication(
                AuthenticationError::new("the token endpoint sent an unreadable answer").with_source(e),
            )
        })?;
        let token_type = token.token_type.as_deref().unwrap_or("Bearer");
        let header = Secret::new(format!("{token_type} {}", token.access_token.expose()));
        let use_for = use_for(token.expires_in, self.refresh_margin);
        tracing::debug!(use_for_secs = use_for.as_secs(), "obtained an access token");
        // Should the clock's representation still not reach that far, the
        // token is treated as already due for refresh: used once, then
        // replaced, rather than a panic.
        let refresh_at = requested_at.checked_add(use_for).unwrap_or(requested_at);
        Ok((header, refresh_at))
    }
}

impl fmt::Debug for ClientCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientCredentials")
            .field("endpoint", &self.endpoint)
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret)
            .field("scope", &self.scope)
            .field("refresh_margin", &self.refresh_margin)
            .finish_non_exhaustive()
    }
}

impl Credentials for ClientCredentials {
    fn authorization<'a>(&'a self, http: &'a AuthContext) -> BoxFuture<'a, Result<Secret, Error>> {
        Box::pin(self.tokens.get_or_fetch(|| self.request_token(http)))
    }

    fn invalidate(&self, rejected: &Secret) -> bool {
        self.tokens.invalidate(rejected)
    }
}

/// How long a token that lives `expires_in` seconds is used: its lifetime
/// (an hour when not said, a day at most) less the refresh margin, or half
/// its lifetime when that is shorter than twice the margin, so that a
/// short-lived token is neither used until it expires nor fetched again for
/// every request.
pub(super) fn use_for(expires_in: Option<u64>, refresh_margin: Duration) -> Duration {
    let lifetime = expires_in.map(Duration::from_secs).unwrap_or(DEFAULT_TOKEN_LIFETIME).min(MAX_TOKEN_LIFETIME);
    lifetime.saturating_sub(refresh_margin.min(lifetime / 2))
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: Secret,
    token_type: Option<String>,
    #[serde(default, deserialize_with = "seconds_number_or_string")]
    expires_in: Option<u64>,
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Secret, D::Error> {
        String::deserialize(deserializer).map(Secret::new)
    }
}

/// Entra's v2 endpoint sends `expires_in` as a number; older endpoints and
/// some proxies send it as a string. Fractional or out-of-range values
/// saturate rather than fail, and text that is no number counts as absent:
/// the caller clamps the lifetime anyway, and a usable token should not be
/// refused over it.
fn seconds_number_or_string<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<u64>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Seconds {
        Whole(u64),
        // serde_json hands integers beyond u64 over as floats.
        Float(f64),
        Text(String),
    }
    fn from_float(seconds: f64) -> Option<u64> {
        // `as` saturates at u64::MAX; NaN fails the comparison.
        (seconds >= 0.0).then_some(seconds as u64)
    }
    Ok(match Option::<Seconds>::deserialize(deserializer)? {
        Some(Seconds::Whole(seconds)) => Some(seconds),
        Some(Seconds::Float(seconds)) => from_float(seconds),
        Some(Seconds::Text(text)) => {
            let text = text.trim();
            match text.parse::<u64>() {
                Ok(seconds) => Some(seconds),
                Err(_) if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) => Some(u64::MAX),
                Err(_) => text.parse::<f64>().ok().and_then(from_float),
            }
        }
        None => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_used_until_the_margin_or_half_their_life() {
        let margin = DEFAULT_REFRESH_MARGIN;
        assert_eq!(use_for(Some(3600), margin), Duration::from_secs(3300));
        assert_eq!(use_for(None, margin), Duration::from_secs(3300), "an hour when not said");
        assert_eq!(use_for(Some(240), margin), Duration::from_secs(120), "half of a 4-minute token");
        assert_eq!(use_for(Some(1), margin), Duration::from_millis(500));
        assert_eq!(use_for(Some(0), margin), Duration::ZERO);
        for absurd in [u64::MAX, 10 * 24 * 3600] {
            assert_eq!(use_for(Some(absurd), margin), MAX_TOKEN_LIFETIME - margin, "capped at a day");
        }
        assert_eq!(use_for(Some(u64::MAX), MAX_TOKEN_LIFETIME), MAX_TOKEN_LIFETIME / 2);
    }
}
