//! Credentials: where the `Authorization` header comes from.
//!
//! [`ClientCredentials`] runs the OAuth 2.0 client credentials flow
//! (service-to-service, including Microsoft Entra ID), [`StaticToken`]
//! sends a bearer token obtained elsewhere, [`Basic`] a user name and
//! password. Implement [`Credentials`] to plug in another identity library.
//! Secrets are wrapped in [`Secret`] so that they never show up in `Debug`
//! output, errors or logs, and are zeroed in memory when dropped.
//!
//! Credentials are sent only to the client's own origin, and over plain
//! `http://` only to the loopback interface unless the client explicitly
//! allows it ([`ClientBuilder::allow_credentials_over_http`](crate::ClientBuilder::allow_credentials_over_http)).
//! Token requests follow no redirect, have their own short timeout and
//! read at most [`BodyLimits::max_token`](crate::BodyLimits::max_token)
//! bytes of the answer.

#[cfg(feature = "azure_identity")]
mod azure;
mod cache;
mod oauth;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

#[cfg(feature = "azure_identity")]
pub use azure::AzureIdentity;
pub use oauth::ClientCredentials;

use base64::Engine;
use secrecy::{ExposeSecret, SecretString};
use zeroize::Zeroizing;

use crate::error::Error;
use crate::http::{Excess, HttpRequest, HttpResponse, is_plain_http_to_remote_host};
use crate::transport::{BoxFuture, Middleware, Next, Transport, TransportError, TransportErrorKind};

/// A sensitive string (password, client secret, token, `Authorization`
/// value), kept in a [`secrecy::SecretString`]: zeroed when the last clone
/// is dropped, and printed as `***` by `Debug` and `Display`. Read it with
/// [`Secret::expose`] only where it goes on the wire.
#[derive(Clone)]
pub struct Secret(Arc<SecretString>);

impl Secret {
    /// Wraps a sensitive value.
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(Arc::new(SecretString::from(value.into())))
    }

    /// The actual value.
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

impl PartialEq for Secret {
    fn eq(&self, other: &Secret) -> bool {
        self.expose() == other.expose()
    }
}

impl Eq for Secret {}

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
/// observed and mocked like every other request. No retries, no redirects,
/// no `Authorization`, none of the client's default headers, and not
/// counted against the client's cap on concurrent requests (the token
/// endpoint is another service).
#[derive(Clone)]
pub struct AuthContext {
    transport: Arc<dyn Transport>,
    middleware: Arc<[Arc<dyn Middleware>]>,
    user_agent: String,
    timeout: Option<Duration>,
    max_body: u64,
    allow_plain_http: bool,
}

impl AuthContext {
    pub(crate) fn new(
        transport: Arc<dyn Transport>,
        middleware: Arc<[Arc<dyn Middleware>]>,
        user_agent: String,
        timeout: Option<Duration>,
        max_body: u64,
        allow_plain_http: bool,
    ) -> AuthContext {
        AuthContext { transport, middleware, user_agent, timeout, max_body, allow_plain_http }
    }

    /// Sends `request` through the middleware and the transport and reads
    /// the answer, all within the client's token timeout (30 s unless
    /// configured otherwise). The body is read up to
    /// [`BodyLimits::max_token`](crate::BodyLimits::max_token) bytes: a
    /// longer successful answer fails, a longer error answer is cut.
    ///
    /// A plain `http://` URL on another host than the loopback interface is
    /// refused (the request would carry a secret in clear text) unless the
    /// client allows credentials over plain HTTP.
    pub async fn send(&self, mut request: HttpRequest) -> Result<HttpResponse, TransportError> {
        if !self.allow_plain_http && is_plain_http_to_remote_host(&request.url) {
            return Err(TransportError::new(
                TransportErrorKind::Other,
                "refusing to send a token request over plain http:// to a host other than the loopback interface \
                 (see ClientBuilder::allow_credentials_over_http)",
            ));
        }
        if request.headers.get("User-Agent").is_none() {
            request.headers.set("User-Agent", self.user_agent.as_str());
        }
        let exchange = async {
            let mut response = Next::new(self.transport.as_ref(), &self.middleware).run(request).await?;
            let excess = if response.is_success() { Excess::Fail } else { Excess::Truncate };
            let expected = response.body.len();
            let body = std::mem::take(&mut response.body);
            let collected = body.read(self.max_body, excess, expected).await.map_err(|error| match error {
                crate::http::BodyReadError::TooLarge { limit } => TransportError::new(
                    TransportErrorKind::Other,
                    format!("the token endpoint's answer is larger than the limit of {limit} bytes"),
                ),
                crate::http::BodyReadError::Failed(error) => {
                    TransportError::new(TransportErrorKind::Other, "reading the token endpoint's answer failed")
                        .with_source(error)
                }
            })?;
            response.body = collected.bytes.into();
            Ok(response)
        };
        match self.timeout {
            Some(limit) => tokio::time::timeout(limit, exchange)
                .await
                .unwrap_or_else(|_| Err(TransportError::new(TransportErrorKind::Timeout, "token request timed out"))),
            None => exchange.await,
        }
    }
}

impl fmt::Debug for AuthContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthContext").field("middleware", &self.middleware.len()).finish_non_exhaustive()
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
    /// which case the client retries the request once; it does not when
    /// the value it is given is `rejected` again, and returns the 401.
    ///
    /// A service that rejects every token calls this for every request:
    /// implementations that fetch tokens should not drop a token more often
    /// than their token endpoint tolerates (the runtime's own replace a
    /// rejected token at most once a minute, and return `false` meanwhile).
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
        StaticToken { header: Secret::new(format!("Bearer {}", token.expose())) }
    }
}

impl fmt::Debug for StaticToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StaticToken").field("token", &self.header).finish()
    }
}

impl Credentials for StaticToken {
    fn authorization<'a>(&'a self, _http: &'a AuthContext) -> BoxFuture<'a, Result<Secret, Error>> {
        Box::pin(std::future::ready(Ok(self.header.clone())))
    }
}

/// HTTP Basic authentication: a user name and a password (or an access
/// key standing for one), for servers that allow it.
#[derive(Clone)]
pub struct Basic {
    user: String,
    header: Secret,
}

impl Basic {
    /// Sends `Authorization: Basic base64(user:password)`.
    ///
    /// The client refuses to send it over plain `http://` to any host but
    /// the loopback interface, unless told otherwise
    /// ([`ClientBuilder::allow_credentials_over_http`](crate::ClientBuilder::allow_credentials_over_http)).
    pub fn new(user: impl Into<String>, password: impl Into<Secret>) -> Basic {
        let user = user.into();
        let key: Secret = password.into();
        let pair = Zeroizing::new(format!("{user}:{}", key.expose()));
        let encoded = Zeroizing::new(base64::engine::general_purpose::STANDARD.encode(pair.as_bytes()));
        Basic { user, header: Secret::new(format!("Basic {}", encoded.as_str())) }
    }
}

impl fmt::Debug for Basic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Basic").field("user", &self.user).field("password", &self.header).finish()
    }
}

impl Credentials for Basic {
    fn authorization<'a>(&'a self, _http: &'a AuthContext) -> BoxFuture<'a, Result<Secret, Error>> {
        Box::pin(std::future::ready(Ok(self.header.clone())))
    }
}
