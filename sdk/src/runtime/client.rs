//! [`Client`]: the configured connection to one Business Central
//! environment. It owns the HTTP stack, credentials and retry policy, and
//! turns every [`HttpRequest`] into a checked [`HttpResponse`].

mod builder;
mod environment;

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tracing::Instrument;

use super::auth::{AuthContext, Credentials};
use super::error::Error;
use super::http::{Headers, HttpRequest, HttpResponse, Method};
use super::profile::ServiceProfile;
use super::request::OperationKind;
use super::retry::RetryPolicy;
use super::transport::{Middleware, Next, Transport, TransportError, TransportErrorKind};

pub use builder::ClientBuilder;
pub use environment::{CompanyRef, Environment};

/// The connection to one Business Central environment. Cheap to clone:
/// clones share the connection pool, the token cache and the settings.
#[derive(Clone)]
pub struct Client {
    inner: Arc<ClientInner>,
}

struct ClientInner {
    base_url: String,
    /// Where credentials may be sent: the origin of `base_url`.
    base_origin: Origin,
    tenant_parameter: Option<String>,
    /// Accept, OData versions, User-Agent, Accept-Language, extra headers.
    default_headers: Headers,
    read_only_intent: bool,
    timeout: Option<Duration>,
    retry: RetryPolicy,
    credentials: Option<Arc<dyn Credentials>>,
    transport: Arc<dyn Transport>,
    middleware: Arc<[Arc<dyn Middleware>]>,
    auth: AuthContext,
    profile: ServiceProfile,
    default_company: Option<CompanyRef>,
    max_page_size: Option<u32>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &self.inner;
        // Header values are left out: extra headers may carry keys.
        let header_names: Vec<&str> = inner.default_headers.iter().map(|(name, _)| name).collect();
        f.debug_struct("Client")
            .field("base_url", &inner.base_url)
            .field("tenant_parameter", &inner.tenant_parameter)
            .field("headers", &header_names)
            .field("read_only_intent", &inner.read_only_intent)
            .field("timeout", &inner.timeout)
            .field("retry", &inner.retry)
            .field("credentials", &inner.credentials)
            .field("middleware", &inner.middleware.len())
            .field("profile", &inner.profile)
            .field("default_company", &inner.default_company)
            .field("max_page_size", &inner.max_page_size)
            .finish()
    }
}

impl Client {
    /// Starts configuring a client for `environment`.
    pub fn builder(environment: Environment) -> ClientBuilder {
        ClientBuilder::new(environment)
    }

    /// The environment's base URL, ending in `/`.
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// Absolute URL of an API route, ending in `/`: `api/v2.0`,
    /// `api/microsoft/reportsFinance/beta`, `api/{publisher}/{group}/{version}`.
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

    /// The service's wire dialect.
    pub fn profile(&self) -> &ServiceProfile {
        &self.inner.profile
    }

    /// The company used when a call does not name one.
    pub fn default_company(&self) -> Option<&CompanyRef> {
        self.inner.default_company.as_ref()
    }

    /// The page size asked for when paging, if configured.
    pub fn max_page_size(&self) -> Option<u32> {
        self.inner.max_page_size
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
    pub async fn execute(
        &self,
        mut request: HttpRequest,
        kind: OperationKind,
    ) -> Result<HttpResponse, Error> {
        let inner = &*self.inner;
        for (name, value) in inner.default_headers.iter() {
            if request.headers.get(name).is_none() {
                request.headers.append(name, value);
            }
        }
        // Only GET: the service documents the header for GET alone, and a
        // `$batch` POST of reads is a Read too.
        if inner.read_only_intent
            && kind == OperationKind::Read
            && request.method == Method::Get
            && request.headers.get("Data-Access-Intent").is_none()
        {
            request.headers.append("Data-Access-Intent", "ReadOnly");
        }
        if let Some(tenant) = &inner.tenant_parameter {
            environment::add_tenant_parameter(&mut request.url, tenant);
        }
        let own_origin = self.is_own_origin(&request.url);
        let credentials = inner
            .credentials
            .as_ref()
            .filter(|_| request.headers.get("Authorization").is_none());
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
                        && let (Some(credentials), Some(rejected)) =
                            (credentials, authorization.as_ref())
                        && credentials.invalidate(rejected)
                    {
                        reauthenticated = true;
                        tracing::warn!(
                            attempt,
                            "credentials rejected (401); retrying once with fresh credentials"
                        );
                        attempt += 1;
                        continue;
                    }
                    let Some(delay) = inner.retry.delay_after_status(
                        response.status,
                        &response.headers,
                        kind,
                        attempt,
                        started,
                    ) else {
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
                    let Some(delay) = inner
                        .retry
                        .delay_after_transport_error(&error, kind, attempt, started)
                    else {
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
    async fn attempt(
        &self,
        request: HttpRequest,
        attempt: u32,
    ) -> Result<HttpResponse, TransportError> {
        let inner = &*self.inner;
        let span = tracing::info_span!(
            "business_central.request",
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
                .unwrap_or_else(|_| {
                    Err(TransportError::new(
                        TransportErrorKind::Timeout,
                        "request timed out",
                    ))
                }),
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
    let path_and_query = after_scheme
        .find('/')
        .map(|at| &after_scheme[at..])
        .unwrap_or("/");
    let end = path_and_query
        .find(['?', '#'])
        .unwrap_or(path_and_query.len());
    &path_and_query[..end]
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
    fn online_url_and_routes() {
        let client = Client::builder(Environment::online("contoso.com", "production"))
            .transport(NoTransport)
            .build()
            .unwrap();
        assert_eq!(
            client.api_root("api/v2.0"),
            "https://api.businesscentral.dynamics.com/v2.0/contoso.com/production/api/v2.0/"
        );
        assert_eq!(
            client.api_root("/api/contoso/app/v1.0/"),
            format!("{}api/contoso/app/v1.0/", client.base_url())
        );
    }

    #[test]
    fn page_size_is_checked() {
        for size in [0, 20_001] {
            let built = Client::builder(Environment::custom("http://127.0.0.1:1"))
                .max_page_size(size)
                .transport(NoTransport)
                .build();
            assert!(matches!(built, Err(Error::InvalidRequest(_))));
        }
    }

    struct NoTransport;

    impl Transport for NoTransport {
        fn send(
            &self,
            _request: HttpRequest,
        ) -> super::super::transport::BoxFuture<'_, Result<HttpResponse, TransportError>> {
            Box::pin(std::future::ready(Err(TransportError::new(
                TransportErrorKind::Connect,
                "no network in unit tests",
            ))))
        }
    }
}
