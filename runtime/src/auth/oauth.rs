//! The OAuth 2.0 client credentials flow (RFC 6749 section 4.4), with
//! Microsoft Entra ID's token endpoint as a named case.

use std::fmt;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use bytes::Bytes;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde::Deserialize;

use super::{AuthContext, Credentials, Secret};
use crate::error::{AuthenticationError, Error, ServiceError};
use crate::http::{Headers, HttpRequest, Method};
use crate::transport::BoxFuture;

/// The public Microsoft Entra authority.
const ENTRA_AUTHORITY: &str = "https://login.microsoftonline.com";
/// Tokens commonly last an hour; refreshing this much earlier keeps
/// requests that are in flight, or queued behind throttling, from arriving
/// with an expired token.
const DEFAULT_REFRESH_MARGIN: Duration = Duration::from_secs(5 * 60);
/// The token lifetime assumed when the endpoint does not say.
const DEFAULT_TOKEN_LIFETIME: Duration = Duration::from_secs(60 * 60);
/// The longest lifetime believed: Entra issues tokens for a day at most, and
/// so do the other identity providers the runtime has met.
/// A larger `expires_in` is a broken or hostile answer; trusting it would
/// keep a token long after it stopped working (and overflow `Instant`).
const MAX_TOKEN_LIFETIME: Duration = Duration::from_secs(24 * 60 * 60);

/// Characters left as-is in `application/x-www-form-urlencoded` values.
const FORM_VALUE: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// The OAuth 2.0 client credentials flow (service-to-service: an app
/// registration with a client secret), against any token endpoint
/// ([`ClientCredentials::new`]) or Microsoft Entra ID
/// ([`ClientCredentials::microsoft_entra`]).
///
/// The token is cached and refreshed a few minutes before it expires
/// (lifetimes above a day count as a day). Concurrent requests share one
/// refresh: while a token request is in flight, the others wait for its
/// result instead of sending their own.
pub struct ClientCredentials {
    endpoint: TokenEndpoint,
    client_id: String,
    client_secret: Secret,
    scope: Option<String>,
    refresh_margin: Duration,
    cached: Mutex<Option<CachedToken>>,
    /// Held while a token request is in flight: the single-flight gate.
    refreshing: tokio::sync::Mutex<()>,
}

struct CachedToken {
    header: Secret,
    refresh_at: Instant,
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
            cached: Mutex::new(None),
            refreshing: tokio::sync::Mutex::new(()),
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
    /// default). A token whose lifetime is shorter than the margin is used
    /// for one request only.
    pub fn refresh_margin(mut self, margin: Duration) -> Self {
        self.refresh_margin = margin;
        self
    }

    fn token_endpoint(&self) -> String {
        match &self.endpoint {
            TokenEndpoint::Url(url) => url.clone(),
            TokenEndpoint::Entra { authority, tenant } => {
                let tenant = utf8_percent_encode(tenant, FORM_VALUE);
                format!("{authority}/{tenant}/oauth2/v2.0/token")
            }
        }
    }

    fn fresh_cached(&self) -> Option<Secret> {
        let cached = self.cached.lock().unwrap_or_else(PoisonError::into_inner);
        cached.as_ref().filter(|token| Instant::now() < token.refresh_at).map(|token| token.header.clone())
    }

    async fn current_or_refreshed(&self, http: &AuthContext) -> Result<Secret, Error> {
        if let Some(header) = self.fresh_cached() {
            return Ok(header);
        }
        let _gate = self.refreshing.lock().await;
        // Whoever held the gate before us may have just refreshed.
        if let Some(header) = self.fresh_cached() {
            return Ok(header);
        }
        let (header, refresh_at) = self.request_token(http).await?;
        let mut cached = self.cached.lock().unwrap_or_else(PoisonError::into_inner);
        *cached = Some(CachedToken { header: header.clone(), refresh_at });
        Ok(header)
    }

    async fn request_token(&self, http: &AuthContext) -> Result<(Secret, Instant), Error> {
        let requested_at = Instant::now();
        let mut form = format!(
            "grant_type=client_credentials&client_id={}&client_secret={}",
            utf8_percent_encode(&self.client_id, FORM_VALUE),
            utf8_percent_encode(self.client_secret.expose(), FORM_VALUE),
        );
        if let Some(scope) = &self.scope {
            form.push_str("&scope=");
            form.extend(utf8_percent_encode(scope, FORM_VALUE));
        }
        let mut headers = Headers::new();
        headers.set("Content-Type", "application/x-www-form-urlencoded");
        headers.set("Accept", "application/json");
        let request =
            HttpRequest { method: Method::Post, url: self.token_endpoint(), headers, body: Some(Bytes::from(form)) };
        let response = http.send(request).await.map_err(|e| {
            Error::Authentication(AuthenticationError::new("could not reach the token endpoint").with_source(e))
        })?;
        if !response.is_success() {
            return Err(Error::Authentication(
                AuthenticationError::new("the token endpoint refused the client credentials")
                    .with_response(ServiceError::from_response(&response)),
            ));
        }
        let token: TokenResponse = serde_json::from_slice(&response.body).map_err(|e| {
            Error::Authentication(
                AuthenticationError::new("the token endpoint sent an unreadable answer").with_source(e),
            )
        })?;
        let lifetime =
            token.expires_in.map(Duration::from_secs).unwrap_or(DEFAULT_TOKEN_LIFETIME).min(MAX_TOKEN_LIFETIME);
        let token_type = token.token_type.as_deref().unwrap_or("Bearer");
        tracing::debug!(lifetime_secs = lifetime.as_secs(), "obtained an access token");
        let header = Secret::new(format!("{token_type} {}", token.access_token.expose()));
        // Should the clock's representation still not reach that far, the
        // token is treated as already due for refresh: used once, then
        // replaced, rather than a panic.
        let refresh_at = requested_at.checked_add(lifetime.saturating_sub(self.refresh_margin)).unwrap_or(requested_at);
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
        Box::pin(self.current_or_refreshed(http))
    }

    fn invalidate(&self, rejected: &Secret) -> bool {
        let mut cached = self.cached.lock().unwrap_or_else(PoisonError::into_inner);
        // Many requests can be rejected with the same token; only the first
        // report drops it, so that a token fetched meanwhile survives.
        if cached.as_ref().is_some_and(|token| &token.header == rejected) {
            *cached = None;
        }
        true
    }
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
