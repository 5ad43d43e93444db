//! [`Client`]: the configured connection to one service host. It owns the
//! HTTP stack, credentials and retry policy, and turns every
//! [`HttpRequest`] into a checked [`HttpResponse`].

mod builder;
mod extensions;

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tracing::Instrument;

use super::auth::{AuthContext, Credentials};
use super::error::Error;
use super::http::{Headers, HttpRequest, HttpResponse, Method};
use super::operation::OperationKind;
use super::profile::ServiceProfile;
use super::retry::RetryPolicy;
use super::transport::{Middleware, Next, Transport, TransportError, TransportErrorKind};

pub use builder::{ClientBuilder, Endpoint};
use extensions::Extensions;

/// The connection to one service. Cheap to clone: clones share the
/// connection pool, the token cache and the settings.
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
            .field("base_url", &inner.base_url)
            .field("query_parameters", &parameter_names)
            .field("headers", &header_names)
            .field("read_headers", &read_header_names)
            .field("timeout", &inner.timeout)
            .field("retry", &inner.retry)
            .field("credentials", &inner.credentials)
            .field("middleware", &inner.middleware.len())
            .field("profile", &inner.profile)
            .field("max_page_size", &inner.max_page_size)
            .field("max_batch_operations", &inner.max_batch_operations)
            .field("extensions", &inner.extensions)
            .finish()
    }
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

    /// Sends one request: adds the default headers (never replacing the
    /// request's own), credentials and, for GET reads when enabled, the
    /// read-only intent; retries transient failures per the policy; maps
    /// any non-2xx answer to [`Error`]. A 2xx response is returned with its
    /// body fully read.
    ///
    /// Credentials go only to URLs with the origin (scheme, host, port) of
    /// the base URL; a request elsewhere is sent without them (unless it
    /// sets `Authorization` itself), so that a link supplied by a response
    /// or by storage cannot collect the token.
    pub async fn execute(&self, mut request: HttpRequest, kind: OperationKind) -> Result<HttpResponse, Error> {
        let inner = &*self.inner;
        for (name, value) in inner.default_headers.iter() {
            if request.headers.get(name).is_none() {
                request.headers.append(name, value);
            }
        }
        // Only GET: a `$batch` POST of reads is a Read too, but read hints
        // (such as a read-replica preference) are defined for GET alone.
        if kind == OperationKind::Read && request.method == Method::Get {
            for (name, value) in inner.read_headers.iter() {
                if request.headers.get(name).is_none() {
                    request.headers.append(name, value);
                }
            }
        }
        for (name, value) in &inner.query_parameters {
            add_query_parameter(&mut request.url, name, value);
        }
        let own_origin = self.is_own_origin(&request.url);
        let credentials = inner.credentials.as_ref().filter(|_| request.headers.get("Authorization").is_none());
        if credentials.is_some() && !own_origin {
            tracing::warn!(
                url.path = url_path(&request.url),
                "the URL is outside the client's base origin; sending it without credentials"
            );
        }
        let credentials = credentials.filter(|_| own_origin);

        let started = Instant::now();
        let mut attempt: u32 = 1;
        let mut reauthenticated = false;
        loop {
            let mut attempt_request = request.clone();
            let authorization = match credentials {
                Some(credentials) => {
                    let value = credentials.authorization(&inner.auth).await?;
                    attempt_request.headers.set("Authorization", value.expose());
                    Some(value)
                }
                None => None,
            };
            let outcome = self.attempt(attempt_request, attempt).await;
            match outcome {
                Ok(response) if response.is_success() => return Ok(response),
                Ok(response) => {
                    if response.status == 401
                        && !reauthenticated
                        && let (Some(credentials), Some(rejected)) = (credentials, authorization.as_ref())
                        && credentials.invalidate(rejected)
                    {
                        reauthenticated = true;
                        tracing::warn!(attempt, "credentials rejected (401); retrying once with fresh credentials");
                        attempt += 1;
                        continue;
                    }
                    let Some(delay) =
                        inner.retry.delay_after_status(response.status, &response.headers, kind, attempt, started)
                    else {
                        return Err(Error::from_response(&response));
                    };
                    tracing::warn!(
                        status = response.status,
                        attempt,
                        delay_ms = delay.as_millis() as u64,
                        "transient failure; retrying"
                    );
                    tokio::time::sleep(delay).await;
                }
                Err(error) => {
                    let Some(delay) = inner.retry.delay_after_transport_error(&error, kind, attempt, started) else {
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

    /// One trip through the middleware and the transport, in its own span.
    async fn attempt(&self, request: HttpRequest, attempt: u32) -> Result<HttpResponse, TransportError> {
        let inner = &*self.inner;
        let span = tracing::info_span!(
            "odata.request",
            http.method = request.method.as_str(),
            url.path = url_path(&request.url),
            attempt,
            http.status = tracing::field::Empty,
            duration_ms = tracing::field::Empty,
        );
        let started = Instant::now();
        let exchange = Next::new(inner.transport.as_ref(), &inner.middleware).run(request);
        let result = match inner.timeout {
            Some(limit) => tokio::time::timeout(limit, exchange)
                .instrument(span.clone())
                .await
                .unwrap_or_else(|_| Err(TransportError::new(TransportErrorKind::Timeout, "request timed out"))),
            None => exchange.instrument(span.clone()).await,
        };
        span.record("duration_ms", started.elapsed().as_millis() as u64);
        if let Ok(response) = &result {
            span.record("http.status", response.status);
        }
        result
    }
}

/// Scheme, host and port of a URL (the port made explicit): what decides
/// whether credentials may go there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Origin {
    scheme: String,
    host: String,
    port: u16,
}

impl Origin {
    /// The origin of `url`, or `None` unless it is an absolute http(s) URL
    /// with a host. The URL parser lower-cases the scheme and host and
    /// resolves user info (`https://trusted@other/`), so comparing the
    /// parts is comparing where the request would really go.
    pub(crate) fn of(url: &str) -> Option<Origin> {
        let parsed = reqwest::Url::parse(url).ok()?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return None;
        }
        Some(Origin {
            scheme: parsed.scheme().to_owned(),
            host: parsed.host_str()?.to_owned(),
            port: parsed.port_or_known_default()?,
        })
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}://{}:{}", self.scheme, self.host, self.port)
    }
}

/// The path of a URL, without scheme, host, user info or query: what is
/// safe and useful to put in a span.
fn url_path(url: &str) -> &str {
    let after_scheme = url.split_once("://").map(|(_, rest)| rest).unwrap_or(url);
    let path_and_query = after_scheme.find('/').map(|at| &after_scheme[at..]).unwrap_or("/");
    let end = path_and_query.find(['?', '#']).unwrap_or(path_and_query.len());
    &path_and_query[..end]
}

/// Characters escaped in a query value added by the client.
const QUERY_VALUE: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'&')
    .add(b'+')
    .add(b'<')
    .add(b'=')
    .add(b'>')
    .add(b'?');

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
    let name = percent_encoding::utf8_percent_encode(name, QUERY_VALUE);
    let value = percent_encoding::utf8_percent_encode(value, QUERY_VALUE);
    *url = format!("{before_fragment}{separator}{name}={value}{fragment}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn span_path_drops_host_and_query() {
        assert_eq!(
            url_path("https://user:pw@h:1/v2.0/t/e/api/v2.0/companies?$filter=x"),
            "/v2.0/t/e/api/v2.0/companies"
        );
        assert_eq!(url_path("http://127.0.0.1:80"), "/");
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
