//! Credentials: where the `Authorization` header comes from.
//!
//! Business Central online accepts Microsoft Entra bearer tokens
//! ([`ClientCredentials`] for service-to-service, [`StaticToken`] for a
//! token obtained elsewhere); on-premises servers may also accept
//! user name + web service access key ([`Basic`]). Secrets are wrapped in
//! [`Secret`] so that they never show up in `Debug` output, errors or logs.

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use base64::Engine;
use bytes::Bytes;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde::Deserialize;

use super::error::{AuthenticationError, Error, ServiceError};
use super::http::{Headers, HttpRequest, HttpResponse, Method};
use super::transport::{
    BoxFuture, Middleware, Next, Transport, TransportError, TransportErrorKind,
};

/// A sensitive string (password, client secret, token, `Authorization`
/// value). Its `Debug` and `Display` print `***`; read it with
/// [`Secret::expose`] only where it goes on the wire.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Arc<str>);

impl Secret {
    /// Wraps a sensitive value.
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(Arc::from(value.into()))
    }

    /// The actual value.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Secret {
        Secret::new(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Secret {
        Secret::new(value)
    }
}

/// The HTTP stack credentials may use to fetch tokens: the client's own
/// transport and middleware, so that token requests are configured,
/// observed and mocked like every other request. No retries, no
/// `Authorization`, no Business Central headers.
#[derive(Clone)]
pub struct AuthContext {
    transport: Arc<dyn Transport>,
    middleware: Arc<[Arc<dyn Middleware>]>,
    user_agent: String,
    timeout: Option<Duration>,
}

impl AuthContext {
    pub(crate) fn new(
        transport: Arc<dyn Transport>,
        middleware: Arc<[Arc<dyn Middleware>]>,
        user_agent: String,
        timeout: Option<Duration>,
    ) -> AuthContext {
        AuthContext {
            transport,
            middleware,
            user_agent,
            timeout,
        }
    }

    /// Sends `request` through the middleware and the transport, within
    /// the client's request timeout.
    pub async fn send(&self, mut request: HttpRequest) -> Result<HttpResponse, TransportError> {
        if request.headers.get("User-Agent").is_none() {
            request.headers.set("User-Agent", self.user_agent.as_str());
        }
        let exchange = Next::new(self.transport.as_ref(), &self.middleware).run(request);
        match self.timeout {
            Some(limit) => tokio::time::timeout(limit, exchange)
                .await
                .unwrap_or_else(|_| {
                    Err(TransportError::new(
                        TransportErrorKind::Timeout,
                        "token request timed out",
                    ))
                }),
            None => exchange.await,
        }
    }
}

impl fmt::Debug for AuthContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthContext")
            .field("middleware", &self.middleware.len())
            .finish_non_exhaustive()
    }
}

/// A source of `Authorization` header values.
///
/// Implement it to plug in another identity library; `http` lets token
/// requests travel through the client's own HTTP stack.
pub trait Credentials: Send + Sync + fmt::Debug + 'static {
    /// The complete `Authorization` value, such as `Bearer eyJ0…`.
    fn authorization<'a>(&'a self, http: &'a AuthContext) -> BoxFuture<'a, Result<Secret, Error>>;

    /// Told that the service answered 401 to a request that carried
    /// `rejected`. Return `true` if asking [`Credentials::authorization`]
    /// again can give a different value (a cached token was dropped), in
    /// which case the client retries the request once.
    fn invalidate(&self, rejected: &Secret) -> bool {
        let _ = rejected;
        false
    }
}

/// A fixed bearer token obtained elsewhere (a delegated sign-in, a CLI, a
/// test). It is never refreshed.
#[derive(Clone)]
pub struct StaticToken {
    header: Secret,
}

impl StaticToken {
    /// Sends `Authorization: Bearer {token}`.
    pub fn new(token: impl Into<Secret>) -> StaticToken {
        let token: Secret = token.into();
        StaticToken {
            header: Secret::new(format!("Bearer {}", token.expose())),
        }
    }
}

impl fmt::Debug for StaticToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StaticToken")
            .field("token", &self.header)
            .finish()
    }
}

impl Credentials for StaticToken {
    fn authorization<'a>(&'a self, _http: &'a AuthContext) -> BoxFuture<'a, Result<Secret, Error>> {
        Box::pin(std::future::ready(Ok(self.header.clone())))
    }
}

/// User name and web service access key, for on-premises servers that
/// allow it. Business Central online rejects this scheme.
#[derive(Clone)]
pub struct Basic {
    user: String,
    header: Secret,
}

impl Basic {
    /// Sends `Authorization: Basic base64(user:web_service_key)`.
    pub fn new(user: impl Into<String>, web_service_key: impl Into<Secret>) -> Basic {
        let user = user.into();
        let key: Secret = web_service_key.into();
        let encoded =
            base64::engine::general_purpose::STANDARD.encode(format!("{user}:{}", key.expose()));
        Basic {
            user,
            header: Secret::new(format!("Basic {encoded}")),
        }
    }
}

impl fmt::Debug for Basic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Basic")
            .field("user", &self.user)
            .field("web_service_key", &self.header)
            .finish()
    }
}

impl Credentials for Basic {
    fn authorization<'a>(&'a self, _http: &'a AuthContext) -> BoxFuture<'a, Result<Secret, Error>> {
        Box::pin(std::future::ready(Ok(self.header.clone())))
    }
}

/// The public Microsoft Entra authority.
const ENTRA_AUTHORITY: &str = "https://login.microsoftonline.com";
/// The scope that grants the app's Business Central API permissions.
const BUSINESS_CENTRAL_SCOPE: &str = "https://api.businesscentral.dynamics.com/.default";
/// Entra tokens last an hour by default; refreshing this much earlier keeps
/// requests that are in flight, or queued behind throttling, from arriving
/// with an expired token.
const DEFAULT_REFRESH_MARGIN: Duration = Duration::from_secs(5 * 60);
/// The token lifetime assumed when the endpoint does not say.
const DEFAULT_TOKEN_LIFETIME: Duration = Duration::from_secs(60 * 60);
/// The longest lifetime believed: Entra issues tokens for a day at most.
/// A larger `expires_in` is a broken or hostile answer; trusting it would
/// keep a token long after it stopped working (and overflow `Instant`).
const MAX_TOKEN_LIFETIME: Duration = Duration::from_secs(24 * 60 * 60);

/// Characters left as-is in `application/x-www-form-urlencoded` values.
const FORM_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// The OAuth 2.0 client credentials flow against Microsoft Entra
/// (service-to-service: an app registration with a client secret).
///
/// The token is cached and refreshed a few minutes before it expires
/// (lifetimes above a day, the most Entra issues, count as a day).
/// Concurrent requests share one refresh: while a token request is in
/// flight, the others wait for its result instead of sending their own.
pub struct ClientCredentials {
    tenant: String,
    client_id: String,
    client_secret: Secret,
    authority: String,
    scope: String,
    refresh_margin: Duration,
    cached: Mutex<Option<CachedToken>>,
    /// Held while a token request is in flight: the single-flight gate.
    refreshing: tokio::sync::Mutex<()>,
}

struct CachedToken {
    header: Secret,
    refresh_at: Instant,
}

impl ClientCredentials {
    /// Credentials for the app `client_id` in the Entra tenant `tenant`
    /// (GUID or domain), requesting the Business Central API scope.
    pub fn new(
        tenant: impl Into<String>,
        client_id: impl Into<String>,
        client_secret: impl Into<Secret>,
    ) -> Self {
        ClientCredentials {
            tenant: tenant.into(),
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            authority: ENTRA_AUTHORITY.to_owned(),
            scope: BUSINESS_CENTRAL_SCOPE.to_owned(),
            refresh_margin: DEFAULT_REFRESH_MARGIN,
            cached: Mutex::new(None),
            refreshing: tokio::sync::Mutex::new(()),
        }
    }

    /// Another authority host (sovereign clouds, or a local test server):
    /// the token endpoint becomes `{authority}/{tenant}/oauth2/v2.0/token`.
    pub fn authority(mut self, authority: impl Into<String>) -> Self {
        self.authority = authority.into().trim_end_matches('/').to_owned();
        self
    }

    /// Another scope than `https://api.businesscentral.dynamics.com/.default`.
    pub fn scope(mut self, scope: impl Into<String>) -> Self {
        self.scope = scope.into();
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
        let tenant = utf8_percent_encode(&self.tenant, FORM_VALUE);
        format!("{}/{tenant}/oauth2/v2.0/token", self.authority)
    }

    fn fresh_cached(&self) -> Option<Secret> {
        let cached = self.cached.lock().unwrap_or_else(PoisonError::into_inner);
        cached
            .as_ref()
            .filter(|token| Instant::now() < token.refresh_at)
            .map(|token| token.header.clone())
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
        *cached = Some(CachedToken {
            header: header.clone(),
            refresh_at,
        });
        Ok(header)
    }

    async fn request_token(&self, http: &AuthContext) -> Result<(Secret, Instant), Error> {
        let requested_at = Instant::now();
        let form = format!(
            "grant_type=client_credentials&client_id={}&client_secret={}&scope={}",
            utf8_percent_encode(&self.client_id, FORM_VALUE),
            utf8_percent_encode(self.client_secret.expose(), FORM_VALUE),
            utf8_percent_encode(&self.scope, FORM_VALUE),
        );
        let mut headers = Headers::new();
        headers.set("Content-Type", "application/x-www-form-urlencoded");
        headers.set("Accept", "application/json");
        let request = HttpRequest {
            method: Method::Post,
            url: self.token_endpoint(),
            headers,
            body: Some(Bytes::from(form)),
        };
        let response = http.send(request).await.map_err(|e| {
            Error::Authentication(
                AuthenticationError::new("could not reach the token endpoint").with_source(e),
            )
        })?;
        if !response.is_success() {
            return Err(Error::Authentication(
                AuthenticationError::new("the token endpoint refused the client credentials")
                    .with_response(ServiceError::from_response(&response)),
            ));
        }
        let token: TokenResponse = serde_json::from_slice(&response.body).map_err(|e| {
            Error::Authentication(
                AuthenticationError::new("the token endpoint sent an unreadable answer")
                    .with_source(e),
            )
        })?;
        let lifetime = token
            .expires_in
            .map(Duration::from_secs)
            .unwrap_or(DEFAULT_TOKEN_LIFETIME)
            .min(MAX_TOKEN_LIFETIME);
        let token_type = token.token_type.as_deref().unwrap_or("Bearer");
        tracing::debug!(
            lifetime_secs = lifetime.as_secs(),
            "obtained an access token"
        );
        let header = Secret::new(format!("{token_type} {}", token.access_token.expose()));
        // Should the clock's representation still not reach that far, the
        // token is treated as already due for refresh: used once, then
        // replaced, rather than a panic.
        let refresh_at = requested_at
            .checked_add(lifetime.saturating_sub(self.refresh_margin))
            .unwrap_or(requested_at);
        Ok((header, refresh_at))
    }
}

impl fmt::Debug for ClientCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientCredentials")
            .field("tenant", &self.tenant)
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret)
            .field("authority", &self.authority)
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
        if cached
            .as_ref()
            .is_some_and(|token| &token.header == rejected)
        {
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
fn seconds_number_or_string<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<u64>, D::Error> {
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
                Err(_) if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) => {
                    Some(u64::MAX)
                }
                Err(_) => text.parse::<f64>().ok().and_then(from_float),
            }
        }
        None => None,
    })
}
