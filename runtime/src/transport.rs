//! The pluggable HTTP stack: [`Transport`] moves one request over the wire,
//! [`Middleware`] wraps every attempt (to log, sign, record or fake
//! responses), and [`DefaultTransport`] is the reqwest-based stack used
//! when the caller supplies none.
//!
//! These traits speak the SDK's own [`HttpRequest`]/[`HttpResponse`] so
//! that the public API never exposes the HTTP client's types and a caller
//! can bring any HTTP library.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use bytes::BytesMut;

use super::http::{Headers, HttpRequest, HttpResponse, Method};

/// The most memory reserved up front for a response body on the strength
/// of its `Content-Length` alone; larger bodies still arrive, growing the
/// buffer as they do.
const MAX_PREALLOCATED_BODY: u64 = 64 * 1024 * 1024;

/// A boxed future that can move between threads. Used instead of
/// `async fn` in traits so that the traits stay object-safe.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Sends one HTTP request and reads the whole response.
///
/// Implement this to run the SDK over another HTTP library, a proxy or a
/// test double. It is called once per attempt; retries, authentication and
/// error mapping happen above it, so any HTTP status is a success here.
pub trait Transport: Send + Sync + 'static {
    /// Sends `request` and returns the response with its body fully read.
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
}

impl TransportError {
    /// A failure of the given kind, described by `message`.
    pub fn new(kind: TransportErrorKind, message: impl Into<String>) -> TransportError {
        TransportError { inner: Box::new(TransportErrorInner { kind, message: message.into(), source: None }) }
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
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.inner.message)?;
        if let Some(source) = &self.inner.source {
            write!(f, ": {source}")?;
        }
        Ok(())
    }
}

impl std::error::Error for TransportError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.inner.source.as_deref().map(|s| s as &(dyn std::error::Error + 'static))
    }
}

/// The HTTP stack used when the caller configures none: a pooled reqwest
/// client with rustls (ring provider) and the platform's trust store.
#[derive(Clone)]
pub struct DefaultTransport {
    http: reqwest::Client,
}

impl DefaultTransport {
    /// Builds the default stack. `connect_timeout` bounds establishing a
    /// connection; the overall per-attempt timeout is applied by the
    /// client for every transport alike.
    pub fn new(connect_timeout: Option<Duration>) -> Result<DefaultTransport, TransportError> {
        // reqwest is built without a bundled crypto provider; ring is the
        // one this crate ships. Another component may have installed one
        // first, which is just as good.
        let _already_installed = rustls::crypto::ring::default_provider().install_default();
        let mut builder = reqwest::Client::builder();
        if let Some(timeout) = connect_timeout {
            builder = builder.connect_timeout(timeout);
        }
        let http = builder.build().map_err(|e| {
            TransportError::new(TransportErrorKind::Other, "could not build the HTTP client").with_source(e)
        })?;
        Ok(DefaultTransport { http })
    }

    async fn send_request(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        let method = match request.method {
            Method::Get => reqwest::Method::GET,
            Method::Post => reqwest::Method::POST,
            Method::Patch => reqwest::Method::PATCH,
            Method::Put => reqwest::Method::PUT,
            Method::Delete => reqwest::Method::DELETE,
        };
        let mut builder = self.http.request(method, &request.url);
        for (name, value) in request.headers.iter() {
            builder = builder.header(name, value);
        }
        if let Some(body) = request.body {
            builder = builder.body(body);
        }
        let mut response = builder.send().await.map_err(from_reqwest)?;
        let status = response.status().as_u16();
        let mut headers = Headers::new();
        for (name, value) in response.headers() {
            headers.append(name.as_str(), String::from_utf8_lossy(value.as_bytes()));
        }
        // Reading into one buffer sized from Content-Length keeps a large
        // page in memory once; collecting the chunks and then joining them
        // would briefly hold it twice.
        let expected = response.content_length().unwrap_or(0).min(MAX_PREALLOCATED_BODY);
        let mut body = BytesMut::with_capacity(usize::try_from(expected).unwrap_or(0));
        while let Some(chunk) = response.chunk().await.map_err(from_reqwest)? {
            body.extend_from_slice(&chunk);
        }
        Ok(HttpResponse { status, headers, body: body.freeze() })
    }
}

impl Transport for DefaultTransport {
    fn send(&self, request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, TransportError>> {
        Box::pin(self.send_request(request))
    }
}

impl fmt::Debug for DefaultTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DefaultTransport")
    }
}

fn from_reqwest(error: reqwest::Error) -> TransportError {
    // reqwest flags a connect timeout as both a timeout and a connect
    // error. The connect phase wins: nothing was sent, which is what
    // decides whether the request may be retried.
    let (kind, message) = if error.is_connect() {
        let message = if error.is_timeout() { "could not connect (timed out)" } else { "could not connect" };
        (TransportErrorKind::Connect, message)
    } else if error.is_timeout() {
        (TransportErrorKind::Timeout, "timed out")
    } else {
        (TransportErrorKind::Other, "HTTP exchange failed")
    };
    // The URL is dropped: callers know it, and query strings do not belong
    // in error messages that end up in logs.
    TransportError::new(kind, message).with_source(error.without_url())
}
