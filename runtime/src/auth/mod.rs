//! Credentials: where the `Authorization` header comes from.
//!
//! [`ClientCredentials`] runs the OAuth 2.0 client credentials flow
//! (service-to-service, including Microsoft Entra ID), [`StaticToken`]
//! sends a bearer token obtained elsewhere, [`Basic`] a user name and
//! password. Implement [`Credentials`] to plug in another identity library.
//! Secrets are wrapped in [`Secret`] so that they never show up in `Debug`
//! output, errors or logs.

mod oauth;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

pub use oauth::ClientCredentials;

use base64::Engine;

use crate::error::Error;
use crate::http::{HttpRequest, HttpResponse};
use crate::transport::{BoxFuture, Middleware, Next, Transport, TransportError, TransportErrorKind};

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
/// `Authorization`, none of the client's default headers.
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
        AuthContext { transport, middleware, user_agent, timeout }
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
    pub fn new(user: impl Into<String>, password: impl Into<Secret>) -> Basic {
        let user = user.into();
        let key: Secret = password.into();
        let encoded = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{}", key.expose()));
        Basic { user, header: Secret::new(format!("Basic {encoded}")) }
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
