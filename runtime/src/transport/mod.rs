//! The pluggable HTTP stack: [`Transport`] moves one request over the wire,
//! [`Middleware`] wraps every attempt (to log, sign, record or fake
//! responses), and [`DefaultTransport`] is the reqwest-based stack used
//! when the caller supplies none.
//!
//! These traits speak the SDK's own [`HttpRequest`]/[`HttpResponse`] so
//! that the public API never exposes the HTTP client's types and a caller
//! can bring any HTTP library.

mod default;

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use super::http::{HttpRequest, HttpResponse};

pub use default::DefaultTransport;

/// A boxed future that can move between threads. Used instead of
/// `async fn` in traits so that the traits stay object-safe.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Sends one HTTP request and returns the response.
///
/// Implement this to run the SDK over another HTTP library, a proxy or a
/// test double. It is called once per attempt; retries, authentication,
/// redirects, body limits and error mapping happen above it, so any HTTP
/// status is a success here.
///
/// The response body may be returned in memory or as a stream
/// ([`Body::from_stream`](crate::Body::from_stream)); streaming lets the
/// client stop reading at its [`BodyLimits`](crate::BodyLimits) and hand
/// media downloads over without holding them in memory. A transport must
/// not follow redirects itself: the client decides which are safe.
pub trait Transport: Send + Sync + 'static {
    /// Sends `request` and returns the response, its body read or streaming.
    fn send(&self, request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, TransportError>>;
}

impl<T: Transport + ?Sized> Transport for Arc<T> {
    fn send(&self, request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, TransportError>> {
        (**self).send(request)
    }
}

/// A hook around every attempt: it sees the final request (defaults and
/// `Authorization` applied) and the raw response before error mapping.
///
/// Call `next.run(request)` to continue down the stack, or return a
/// response of your own to short-circuit it.
pub trait Middleware: Send + Sync + 'static {
    /// Handles one attempt.
    fn handle<'a>(
        &'a self,
        request: HttpRequest,
        next: Next<'a>,
    ) -> BoxFuture<'a, Result<HttpResponse, TransportError>>;
}

/// The rest of the stack below a [`Middleware`].
pub struct Next<'a> {
    transport: &'a dyn Transport,
    remaining: &'a [Arc<dyn Middleware>],
}

impl<'a> Next<'a> {
    pub(crate) fn new(transport: &'a dyn Transport, middleware: &'a [Arc<dyn Middleware>]) -> Next<'a> {
        Next { transport, remaining: middleware }
    }

    /// Passes `request` to the next middleware, or to the transport when
    /// none is left.
    pub fn run(self, request: HttpRequest) -> BoxFuture<'a, Result<HttpResponse, TransportError>> {
        match self.remaining.split_first() {
            Some((first, rest)) => first.handle(request, Next { transport: self.transport, remaining: rest }),
            None => self.transport.send(request),
        }
    }
}

impl fmt::Debug for Next<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Next").field("remaining_middleware", &self.remaining.len()).finish()
    }
}

/// Why a request got no complete HTTP answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TransportErrorKind {
    /// The connection could not be established (refused, DNS, TLS, or the
    /// connect timeout fired). The request certainly did not reach the
    /// service, so the client retries it whatever it does. A custom
    /// [`Transport`] must use this kind only when that holds.
    Connect,
    /// A timeout fired once the request may have been sent; the service
    /// may or may not have processed it.
    Timeout,
    /// Anything else (connection reset mid-request, malformed response, ...).
    Other,
    /// The HTTP client followed a redirect on its own (see
    /// [`TransportError::redirect_followed`]): the answer came from where
    /// the redirect pointed, and is not used.
    Redirected,
}

/// A failure below HTTP: nothing, or nothing complete, came back.
#[derive(Clone)]
pub struct TransportError {
    // Boxed so that `Result<_, Error>` stays small on the success path.
    inner: Box<TransportErrorInner>,
}

#[derive(Clone)]
struct TransportErrorInner {
    kind: TransportErrorKind,
    message: String,
    source: Option<Arc<dyn std::error::Error + Send + Sync>>,
    /// Where a redirect the HTTP client followed ended; kept out of
    /// `Debug` and `Display` (its query may carry personal data).
    redirected_to: Option<String>,
}

impl TransportError {
    /// A failure of the given kind, described by `message`.
    pub fn new(kind: TransportErrorKind, message: impl Into<String>) -> TransportError {
        TransportError {
            inner: Box::new(TransportErrorInner { kind, message: message.into(), source: None, redirected_to: None }),
        }
    }

    /// The HTTP client followed a redirect on its own and ended at
    /// `location`: a [`Transport`] whose HTTP library may do so reports it
    /// with this error instead of handing over the answer, and the client
    /// fails the request with [`Error::Redirected`](crate::Error::Redirected).
    /// The request's headers (all but those the library drops) and URL
    /// have reached `location` by then; a transport should follow no
    /// redirect at all.
    pub fn redirect_followed(location: impl Into<String>) -> TransportError {
        let mut error = TransportError::new(
            TransportErrorKind::Redirected,
            "the HTTP client followed a redirect itself; build it with redirect(Policy::none())",
        );
        error.inner.redirected_to = Some(location.into());
        error
    }

    /// Where the redirect the HTTP client followed ended, for
    /// [`TransportErrorKind::Redirected`].
    pub(crate) fn redirected_to(&self) -> Option<&str> {
        self.inner.redirected_to.as_deref()
    }

    /// Attaches the underlying error, kept for [`std::error::Error::source`].
    pub fn with_source(mut self, source: impl std::error::Error + Send + Sync + 'static) -> TransportError {
        self.inner.source = Some(Arc::new(source));
        self
    }

    /// The kind of failure.
    pub fn kind(&self) -> TransportErrorKind {
        self.inner.kind
    }

    /// What went wrong, without the underlying error's details.
    pub fn message(&self) -> &str {
        &self.inner.message
    }

    /// Whether the connection could not be established at all.
    pub fn is_connect(&self) -> bool {
        self.inner.kind == TransportErrorKind::Connect
    }

    /// Whether the client's timeout fired.
    pub fn is_timeout(&self) -> bool {
        self.inner.kind == TransportErrorKind::Timeout
    }
}

impl fmt::Debug for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TransportError")
            .field("kind", &self.inner.kind)
            .field("message", &self.inner.message)
            .field("source", &self.inner.source.as_ref().map(|s| s.to_string()))
            .finish()
    }
}

impl fmt::Display for TransportError {
    /// The message only: the underlying error is the
    /// [`source`](std::error::Error::source), and printing it here as well
    /// would repeat its text in every report that walks the chain.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.inner.message)
    }
}

impl std::error::Error for TransportError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.inner.source.as_deref().map(|s| s as &(dyn std::error::Error + 'static))
    }
}
