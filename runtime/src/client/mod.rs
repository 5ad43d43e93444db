//! [`Client`]: the configured connection to one service host. It owns the
//! HTTP stack, credentials, limits and retry policy, and turns every
//! [`HttpRequest`] into a checked [`HttpResponse`].

mod builder;
mod extensions;
mod streamed;

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tracing::Instrument;

use super::auth::{AuthContext, Credentials, Secret};
use super::error::Error;
use super::http::{BodyReadError, Excess, Headers, HttpRequest, HttpResponse, Method};
use super::limits::BodyLimits;
use super::operation::OperationKind;
use super::profile::ServiceProfile;
use super::redact;
use super::retry::{RetryPolicy, RetryTokens};
use super::transport::{Middleware, Next, Transport, TransportError, TransportErrorKind};

pub use builder::{ClientBuilder, Endpoint};
use extensions::Extensions;
pub(crate) use streamed::{ResponseBody, StreamedResponse};

/// The most redirects one request follows.
const MAX_REDIRECTS: u32 = 5;

/// The connection to one service. Cheap to clone: clones share the
/// connection pool, the token cache, the retry budget, the cap on
/// concurrent requests and the settings.
#[derive(Clone)]
pub struct Client {
    inner: Arc<ClientInner>,
}

struct ClientInner {
    base_url: String,
    /// Where credentials may be sent: the origin of `base_url`.
    base_origin: Origin,
    /// Added to every request URL that does not name them already (an
    /// on-premises tenant, for instance).
    query_parameters: Vec<(String, String)>,
    /// Accept, OData versions, User-Agent, Accept-Language, extra headers.
    default_headers: Headers,
    /// Added to GET reads only (a read-replica hint, for instance).
    read_headers: Headers,
    timeout: Option<Duration>,
    retry: RetryPolicy,
    retry_tokens: RetryTokens,
    /// One permit per request in flight, when the number is capped.
    concurrency: Option<Arc<Semaphore>>,
    max_concurrent_requests: Option<usize>,
    body_limits: BodyLimits,
    max_pages_per_stream: u64,
    query_values_in_errors: bool,
    credentials: Option<Arc<dyn Credentials>>,
    transport: Arc<dyn Transport>,
    middleware: Arc<[Arc<dyn Middleware>]>,
    auth: AuthContext,
    profile: Option<ServiceProfile>,
    max_page_size: Option<u32>,
    page_size_limit: Option<u32>,
    max_batch_operations: Option<usize>,
    extensions: Extensions,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &self.inner;
        // Header values are left out: extra headers may carry keys.
        let header_names: Vec<&str> = inner.default_headers.iter().map(|(name, _)| name).collect();
        let read_header_names: Vec<&str> = inner.read_headers.iter().map(|(name, _)| name).collect();
        let parameter_names: Vec<&str> = inner.query_parameters.iter().map(|(name, _)| name.as_str()).collect();
        f.debug_struct("Client")
            .field("base_url", &redact::without_userinfo(&inner.base_url))
            .field("query_parameters", &parameter_names)
            .field("headers", &header_names)
            .field("read_headers", &read_header_names)
            .field("timeout", &inner.timeout)
            .field("retry", &inner.retry)
            .field("max_concurrent_requests", &inner.max_concurrent_requests)
            .field("body_limits", &inner.body_limits)
            .field("credentials", &inner.credentials)
            .field("middleware", &inner.middleware.len())
            .field("profile", &inner.profile)
            .field("max_page_size", &inner.max_page_size)
            .field("max_batch_operations", &inner.max_batch_operations)
            .field("extensions", &inner.extensions)
            .finish()
    }
}

/// What the caller wants of a successful answer's body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Delivery {
    /// Read whole, within [`BodyLimits::max_response`].
    Buffered,
    /// Handed over as it streams, within [`BodyLimits::max_media`].
    Streamed,
}

/// The answer of one attempt, its body read unless it is a streamed success.
enum Answer {
    Read(HttpResponse),
    Streamed(StreamedResponse),
}

impl Answer {
    fn status(&self) -> u16 {
        match self {
            Answer::Read(response) => response.status,
            Answer::Streamed(response) => response.status,
        }
    }
}

/// Why an attempt got no usable answer.
enum AttemptError {
    Transport(TransportError),
    TooLarge { limit: u64 },
}

impl Client {
    /// Starts configuring a client for `endpoint`: a base URL
    /// (`"https://host/service/"`) or a service crate's description of a
    /// deployment, which also applies that service's defaults and limits.
    pub fn builder(endpoint: impl Endpoint) -> ClientBuilder {
        endpoint.configure(ClientBuilder::new())
    }

    /// The base URL, ending in `/`.
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// Absolute URL of a service root below the base URL, ending in `/`:
    /// `api/v2.0`, `TripPinRESTierService`, `sap/opu/odata4/…`.
    pub fn api_root(&self, route: &str) -> String {
        let route = route.trim_matches('/');
        let mut root = String::with_capacity(self.inner.base_url.len() + route.len() + 1);
        root.push_str(&self.inner.base_url);
        root.push_str(route);
        if !route.is_empty() {
            root.push('/');
        }
        root
    }

    /// The wire dialect this client imposes on every API, if configured
    /// (see [`ClientBuilder::profile`]); `None` lets each API use its own.
    pub fn profile_override(&self) -> Option<&ServiceProfile> {
        self.inner.profile.as_ref()
    }

    /// The page size asked for when paging, if configured.
    pub fn max_page_size(&self) -> Option<u32> {
        self.inner.max_page_size
    }

    /// The largest page the service serves, if it has a limit (see
    /// [`ClientBuilder::page_size_limit`]).
    pub fn page_size_limit(&self) -> Option<u32> {
        self.inner.page_size_limit
    }

    /// The most operations one `$batch` call may carry, if the service has
    /// a limit (see [`ClientBuilder::max_batch_operations`]).
    pub fn max_batch_operations(&self) -> Option<usize> {
        self.inner.max_batch_operations
    }

    /// The most requests this client (with all its clones) has in flight at
    /// once, if capped (see [`ClientBuilder::max_concurrent_requests`]).
    /// Code that fetches in parallel can size itself by it: more tasks than
    /// this only wait in the client's queue.
    pub fn max_concurrent_requests(&self) -> Option<usize> {
        self.inner.max_concurrent_requests
    }

    /// How much of each response body the client reads (see
    /// [`ClientBuilder::body_limits`]).
    pub fn body_limits(&self) -> BodyLimits {
        self.inner.body_limits
    }

    /// The most pages one [`PageStream`](crate::PageStream) fetches (see
    /// [`ClientBuilder::max_pages_per_stream`]).
    pub fn max_pages_per_stream(&self) -> u64 {
        self.inner.max_pages_per_stream
    }

    /// A value of type `T` attached to the client with
    /// [`ClientBuilder::extension`] (service crates keep their own settings
    /// there, such as a default company).
    pub fn extension<T: Send + Sync + 'static>(&self) -> Option<&T> {
        self.inner.extensions.get::<T>()
    }

    /// Whether `url` is an absolute http(s) URL with the same origin
    /// (scheme, host, port) as the base URL: the only URLs credentials are
    /// sent to.
    pub(crate) fn is_own_origin(&self, url: &str) -> bool {
        Origin::of(url).is_some_and(|origin| origin == self.inner.base_origin)
    }

    /// The origin of the base URL.
    pub(crate) fn base_origin(&self) -> &Origin {
        &self.inner.base_origin
    }

    /// `url` as errors show it: without user info, and without query values
    /// unless the client opted in
    /// ([`ClientBuilder::query_values_in_errors`]).
    pub(crate) fn url_for_errors(&self, url: &str) -> String {
        redact::redacted_url(url, self.inner.query_values_in_errors)
    }

    /// Sends one request: adds the default headers (never replacing the
    /// request's own), credentials and, for GET reads when enabled, the
    /// read-only intent; waits for a slot under the client's cap on
    /// concurrent requests; retries transient failures per the policy and
    /// the shared retry budget; maps any non-2xx answer to [`Error`]. A 2xx
    /// response is returned with its body read, within
    /// [`BodyLimits::max_response`] ([`Error::ResponseTooLarge`] past it).
    ///
    /// Credentials go only to URLs with the origin (scheme, host, port) of
    /// the base URL; a request elsewhere is sent without them (unless it
    /// sets `Authorization` itself), so that a link supplied by a response
    /// or by storage cannot collect the token.
    ///
    /// Redirects are followed only for GET requests without a body, to the
    /// client's own origin, at most 5 in a row; any other redirect is
    /// [`Error::Redirected`]. A request whose body is a stream is sent once:
    /// it is neither retried nor re-sent after a 401.
    pub async fn execute(&self, request: HttpRequest, kind: OperationKind) -> Result<HttpResponse, Error> {
        match self.send(request, kind, Delivery::Buffered).await? {
            Answer::Read(response) => Ok(response),
            // Buffered delivery reads every body.
            Answer::Streamed(_) => Err(Error::InvalidRequest("internal: a buffered answer was streamed".to_owned())),
        }
    }

    /// Like [`execute`](Self::execute), but a successful answer's body is
    /// handed over as it streams, within [`BodyLimits::max_media`] and the
    /// request timeout.
    pub(crate) async fn execute_streamed(
        &self,
        request: HttpRequest,
        kind: OperationKind,
    ) -> Result<StreamedResponse, Error> {
        match self.send(request, kind, Delivery::Streamed).await? {
            Answer::Streamed(response) => Ok(response),
            Answer::Read(response) => Ok(StreamedResponse {
                status: response.status,
                headers: response.headers,
                body: ResponseBody::from_bytes(response.body.as_bytes().cloned().unwrap_or_default()),
            }),
        }
    }

    async fn send(&self, mut request: HttpRequest, kind: OperationKind, delivery: Delivery) -> Result<Answer, Error> {
        let inner = &*self.inner;
        request.headers.add_missing(&inner.default_headers);
        // Only GET: a `$batch` POST of reads is a Read too, but read hints
        // (such as a read-replica preference) are defined for GET alone.
        if kind == OperationKind::Read && request.method == Method::Get {
            request.headers.add_missing(&inner.read_headers);
        }
        for (name, value) in &inner.query_parameters {
            add_query_parameter(&mut request.url, name, value);
        }
        // A streamed body can be sent once; nothing may be repeated then.
        let repeatable = request.body.as_ref().is_none_or(|body| body.is_replayable());
        let explicit_authorization = request.headers.get("Authorization").is_some();

        let started = Instant::now();
        let mut attempt: u32 = 1;
        let mut redirects: u32 = 0;
        // The credentials the service rejected and its answer, once the
        // request is being retried with fresh ones.
        let mut rejected: Option<(Secret, Error)> = None;
        loop {
            let own_origin = self.is_own_origin(&request.url);
            let credentials = inner.credentials.as_ref().filter(|_| !explicit_authorization);
            if credentials.is_some() && !own_origin && attempt == 1 {
                tracing::warn!(
                    url.path = redact::url_path(&request.url),
                    "the URL is outside the client's base origin; sending it without credentials"
                );
            }
            let credentials = credentials.filter(|_| own_origin);
            let mut attempt_request = request.clone();
            let authorization = match credentials {
                Some(credentials) => {
                    let value = credentials.authorization(&inner.auth).await?;
                    if rejected.as_ref().is_some_and(|(old, _)| *old == value)
                        && let Some((_, unauthorized)) = rejected.take()
                    {
                        // Sending it again would only be rejected again.
                        tracing::warn!("the credentials gave the rejected value again; not retrying");
                        return Err(unauthorized);
                    }
                    attempt_request.headers.set("Authorization", value.expose());
                    Some(value)
                }
                None => None,
            };
            let outcome = self.attempt(attempt_request, attempt, delivery).await;
            let status = match &outcome {
                Ok(answer) => answer.status(),
                Err(_) => 0,
            };
            match outcome {
                Ok(answer) if (200..300).contains(&status) => {
                    inner.retry_tokens.refund();
                    return Ok(answer);
                }
                Ok(Answer::Read(response)) if (300..400).contains(&status) => {
                    let location = self.redirect_target(&request, &response, redirects)?;
                    tracing::debug!(status, url.path = redact::url_path(&location), "following a redirect");
                    request.url = location;
                    redirects += 1;
                }
                Ok(Answer::Read(response)) => {
                    if response.status == 401
                        && repeatable
                        && rejected.is_none()
                        && let (Some(credentials), Some(sent)) = (credentials, authorization)
                        && credentials.invalidate(&sent)
                    {
                        rejected = Some((sent, Error::from_response(&response)));
                        tracing::warn!(attempt, "credentials rejected (401); retrying once with fresh credentials");
                        attempt += 1;
                        continue;
                    }
                    let delay = repeatable
                        .then(|| {
                            inner.retry.delay_after_status(response.status, &response.headers, kind, attempt, started)
                        })
                        .flatten()
                        .filter(|_| self.spend_retry());
                    let Some(delay) = delay else {
                        return Err(Error::from_response(&response));
                    };
                    tracing::warn!(
                        http.response.status_code = response.status,
                        attempt,
                        delay_ms = delay.as_millis() as u64,
                        "transient failure; retrying"
                    );
                    tokio::time::sleep(delay).await;
                }
                Ok(Answer::Streamed(response)) => {
                    // Only successes are streamed.
                    return Err(Error::InvalidRequest(format!("internal: HTTP {} was streamed", response.status)));
                }
                Err(AttemptError::TooLarge { limit }) => return Err(Error::ResponseTooLarge { limit }),
                Err(AttemptError::Transport(error)) if error.kind() == TransportErrorKind::Redirected => {
                    let location = error.redirected_to().map(|location| self.url_for_errors(location));
                    return Err(Error::Redirected { status: 0, location });
                }
                Err(AttemptError::Transport(error)) => {
                    let delay = repeatable
                        .then(|| inner.retry.delay_after_transport_error(&error, kind, attempt, started))
                        .flatten()
                        .filter(|_| self.spend_retry());
                    let Some(delay) = delay else {
                        return Err(error.into());
                    };
                    tracing::warn!(
                        error = %error,
                        attempt,
                        delay_ms = delay.as_millis() as u64,
                        "connection failed; retrying"
                    );
                    tokio::time::sleep(delay).await;
                }
            }
            attempt += 1;
        }
    }

    /// Takes a retry from the client's shared budget.
    fn spend_retry(&self) -> bool {
        let granted = self.inner.retry_tokens.try_spend();
        if !granted {
            tracing::warn!("the client's retry budget is spent; not retrying");
        }
        granted
    }

    /// Where a redirect may be followed to, or why it is not: only GET
    /// requests without a body, to the client's own origin (credentials
    /// are re-attached there, and nowhere else).
    fn redirect_target(&self, request: &HttpRequest, response: &HttpResponse, followed: u32) -> Result<String, Error> {
        let location = response
            .headers
            .get("Location")
            .and_then(|location| url::Url::parse(&request.url).ok()?.join(location).ok())
            .map(String::from);
        let followable = request.method == Method::Get
            && request.body.is_none()
            && followed < MAX_REDIRECTS
            && location.as_deref().is_some_and(|location| self.is_own_origin(location));
        match location {
            Some(location) if followable => Ok(location),
            location => Err(Error::Redirected {
                status: response.status,
                location: location.map(|location| self.url_for_errors(&location)),
            }),
        }
    }

    /// Waits for a slot under the cap on concurrent requests, if there is one.
    async fn acquire_slot(&self) -> Option<OwnedSemaphorePermit> {
        let semaphore = self.inner.concurrency.clone()?;
        // The semaphore is never closed.
        semaphore.acquire_owned().await.ok()
    }

    /// One trip through the middleware and the transport, and the reading
    /// of its body, in its own span, within the per-attempt timeout and
    /// holding a slot of the concurrency cap.
    async fn attempt(&self, request: HttpRequest, attempt: u32, delivery: Delivery) -> Result<Answer, AttemptError> {
        let inner = &*self.inner;
        let span = tracing::info_span!(
            "odata.request",
            otel.kind = "client",
            http.request.method = request.method.as_str(),
            url.path = redact::url_path(&request.url),
            url.query = tracing::field::Empty,
            server.address = redact::url_host(&request.url).map(host_without_port),
            http.request.resend_count = tracing::field::Empty,
            http.response.status_code = tracing::field::Empty,
            error.r#type = tracing::field::Empty,
            duration_ms = tracing::field::Empty,
        );
        if attempt > 1 {
            span.record("http.request.resend_count", attempt - 1);
        }
        if inner.query_values_in_errors
            && let Some(query) = redact::url_query(&request.url)
        {
            span.record("url.query", query);
        }
        let permit = self.acquire_slot().instrument(span.clone()).await;
        let started = Instant::now();
        let deadline = inner.timeout.map(|limit| tokio::time::Instant::now() + limit);
        let exchange = async {
            let response = Next::new(inner.transport.as_ref(), &inner.middleware)
                .run(request)
                .await
                .map_err(AttemptError::Transport)?;
            self.read_body(response, delivery, deadline, permit).await
        };
        let result = match deadline {
            Some(deadline) => {
                tokio::time::timeout_at(deadline, exchange).instrument(span.clone()).await.unwrap_or_else(|_| {
                    Err(AttemptError::Transport(TransportError::new(TransportErrorKind::Timeout, "request timed out")))
                })
            }
            None => exchange.instrument(span.clone()).await,
        };
        span.record("duration_ms", started.elapsed().as_millis() as u64);
        match &result {
            Ok(answer) => {
                span.record("http.response.status_code", answer.status());
                if answer.status() >= 400 {
                    span.record("error.type", answer.status());
                }
            }
            Err(AttemptError::TooLarge { .. }) => {
                span.record("error.type", "response_too_large");
            }
            Err(AttemptError::Transport(error)) => {
                span.record("error.type", transport_error_type(error));
            }
        }
        result
    }

    /// Reads the body the answer needs: a success whole (or not at all when
    /// streamed), an error or a redirect up to the error limit.
    async fn read_body(
        &self,
        mut response: HttpResponse,
        delivery: Delivery,
        deadline: Option<tokio::time::Instant>,
        permit: Option<OwnedSemaphorePermit>,
    ) -> Result<Answer, AttemptError> {
        let limits = &self.inner.body_limits;
        let body = std::mem::take(&mut response.body);
        let expected = body.len();
        if response.is_success() && delivery == Delivery::Streamed {
            if expected.is_some_and(|length| length > limits.max_media()) {
                return Err(AttemptError::TooLarge { limit: limits.max_media() });
            }
            let deadline = deadline.map(|at| Box::pin(tokio::time::sleep_until(at)));
            let body = ResponseBody::new(body.into_stream(), limits.max_media(), deadline, permit);
            return Ok(Answer::Streamed(StreamedResponse { status: response.status, headers: response.headers, body }));
        }
        let (limit, excess) = if response.is_success() {
            (limits.max_response(), Excess::Fail)
        } else {
            (limits.max_error(), Excess::Truncate)
        };
        let collected = body.read(limit, excess, expected).await.map_err(|error| match error {
            BodyReadError::TooLarge { limit } => AttemptError::TooLarge { limit },
            BodyReadError::Failed(error) => AttemptError::Transport(
                TransportError::new(TransportErrorKind::Other, "the response body could not be read")
                    .with_source(error),
            ),
        })?;
        if collected.truncated {
            tracing::debug!(status = response.status, limit, "the error body was cut at the limit");
        }
        response.body = collected.bytes.into();
        Ok(Answer::Read(response))
    }
}

/// The OpenTelemetry `error.type` of a transport failure.
fn transport_error_type(error: &TransportError) -> &'static str {
    match error.kind() {
        TransportErrorKind::Connect => "connect",
        TransportErrorKind::Timeout => "timeout",
        TransportErrorKind::Redirected => "redirect_followed",
        _ => "transport",
    }
}

/// `host` of `host:port` (IPv6 literals keep their brackets).
fn host_without_port(authority: &str) -> &str {
    match authority.rsplit_once(':') {
        Some((host, port)) if !host.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) && !host.ends_with(':') => {
            host
        }
        _ => authority,
    }
}

/// Scheme, host and port of a URL (the port made explicit), and its user
/// info: what decides whether credentials may go there. User info is no
/// part of an origin on the web, but a link that carries some is not one
/// the client's credentials should follow: the HTTP stack may turn it into
/// an `Authorization` of its own.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Origin {
    scheme: String,
    host: String,
    port: u16,
    user_info: Option<(String, Option<String>)>,
}

impl Origin {
    /// The origin of `url`, or `None` unless it is an absolute http(s) URL
    /// with a host. The URL parser lower-cases the scheme and host and
    /// resolves user info (`https://trusted@other/`), so comparing the
    /// parts is comparing where the request would really go.
    pub(crate) fn of(url: &str) -> Option<Origin> {
        let parsed = url::Url::parse(url).ok()?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return None;
        }
        let user_info = (!parsed.username().is_empty() || parsed.password().is_some())
            .then(|| (parsed.username().to_owned(), parsed.password().map(str::to_owned)));
        Some(Origin {
            scheme: parsed.scheme().to_owned(),
            host: parsed.host_str()?.to_owned(),
            port: parsed.port_or_known_default()?,
            user_info,
        })
    }
}

impl fmt::Display for Origin {
    /// Scheme, host and port; never the user info.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}://{}:{}", self.scheme, self.host, self.port)
    }
}

impl fmt::Debug for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Origin({self}{})", if self.user_info.is_some() { ", with user info" } else { "" })
    }
}

/// RFC 3986's unreserved characters are the only ones a query name or
/// value added by the client leaves as they are.
const QUERY_COMPONENT: &percent_encoding::AsciiSet =
    &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// Appends `name=value` unless the URL's query already has `name` (links
/// the server sends back keep theirs).
fn add_query_parameter(url: &mut String, name: &str, value: &str) {
    let (before_fragment, fragment) = match url.find('#') {
        Some(at) => (&url[..at], &url[at..]),
        None => (url.as_str(), ""),
    };
    let query = before_fragment.split_once('?').map(|(_, query)| query).unwrap_or("");
    if query.split('&').any(|pair| pair.split('=').next().is_some_and(|key| key.eq_ignore_ascii_case(name))) {
        return;
    }
    let separator = if before_fragment.contains('?') { '&' } else { '?' };
    let name = percent_encoding::utf8_percent_encode(name, QUERY_COMPONENT);
    let value = percent_encoding::utf8_percent_encode(value, QUERY_COMPONENT);
    *url = format!("{before_fragment}{separator}{name}={value}{fragment}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_address_drops_the_port() {
        assert_eq!(host_without_port("h:1"), "h");
        assert_eq!(host_without_port("h"), "h");
        assert_eq!(host_without_port("[::1]:8080"), "[::1]");
        assert_eq!(host_without_port("[::1]"), "[::1]");
    }

    #[test]
    fn origins_compare_scheme_host_and_port() {
        let base = Origin::of("https://api.businesscentral.dynamics.com/v2.0/t/e/");
        assert!(base.is_some());
        for same in [
            "https://API.BusinessCentral.dynamics.com:443/v2.0/t/e/api/v2.0/x?$skiptoken=1",
            "https://api.businesscentral.dynamics.com/other",
        ] {
            assert_eq!(Origin::of(same), base, "{same}");
        }
        for other in [
            "http://api.businesscentral.dynamics.com/v2.0/",
            "https://api.businesscentral.dynamics.com:8443/v2.0/",
            "https://api.businesscentral.dynamics.com.evil.example/v2.0/",
            "https://api.businesscentral.dynamics.com@evil.example/v2.0/",
            "https://user:password@api.businesscentral.dynamics.com/v2.0/",
            "https://user@api.businesscentral.dynamics.com/v2.0/",
            "customers?$skiptoken=1",
            "ftp://api.businesscentral.dynamics.com/",
        ] {
            assert_ne!(Origin::of(other), base, "{other}");
        }
    }

    #[test]
    fn query_parameters_are_added_once() {
        let mut url = "https://host:7048/instance/odata/orders".to_owned();
        add_query_parameter(&mut url, "tenant", "default");
        assert_eq!(url, "https://host:7048/instance/odata/orders?tenant=default");
        add_query_parameter(&mut url, "tenant", "default");
        assert_eq!(url, "https://host:7048/instance/odata/orders?tenant=default");
        let mut url = "https://h/instance/odata/customers?$top=1#x".to_owned();
        add_query_parameter(&mut url, "tenant", "a b&c");
        assert_eq!(url, "https://h/instance/odata/customers?$top=1&tenant=a%20b%26c#x");
    }

    #[test]
    fn routes_resolve_under_the_base_url() {
        let client = Client::builder("https://services.example/odata").transport(NoTransport).build().unwrap();
        assert_eq!(client.base_url(), "https://services.example/odata/");
        assert_eq!(client.api_root("TripPinRESTierService"), "https://services.example/odata/TripPinRESTierService/");
        assert_eq!(client.api_root("/sap/opu/odata4/x/"), "https://services.example/odata/sap/opu/odata4/x/");
    }

    #[test]
    fn page_size_is_checked_against_the_service_limit() {
        let built = Client::builder("http://127.0.0.1:1").max_page_size(0).transport(NoTransport).build();
        assert!(matches!(built, Err(Error::InvalidRequest(_))));
        let over = Client::builder("http://127.0.0.1:1")
            .page_size_limit(100)
            .max_page_size(101)
            .transport(NoTransport)
            .build();
        assert!(matches!(over, Err(Error::InvalidRequest(_))));
        let within = Client::builder("http://127.0.0.1:1")
            .page_size_limit(100)
            .max_page_size(100)
            .transport(NoTransport)
            .build();
        assert!(within.is_ok());
    }

    struct NoTransport;

    impl Transport for NoTransport {
        fn send(&self, _request: HttpRequest) -> crate::transport::BoxFuture<'_, Result<HttpResponse, TransportError>> {
            Box::pin(std::future::ready(Err(TransportError::new(
                TransportErrorKind::Connect,
                "no network in unit tests",
            ))))
        }
    }
}
