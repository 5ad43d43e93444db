//! [`ClientBuilder`]: the client's configuration, checked once at build
//! time, and [`Endpoint`]: where a client connects.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Semaphore;

use super::extensions::Extensions;
use super::{Client, ClientInner, Origin};
use zeroize::Zeroizing;

use crate::auth::{AuthContext, Basic, Credentials};
use crate::error::Error;
use crate::http::{Headers, check_header, is_plain_http_to_remote_host};
use crate::limits::BodyLimits;
use crate::profile::ServiceProfile;
use crate::redact;
use crate::retry::{RetryPolicy, RetryTokens};
use crate::transport::{DefaultTransport, Middleware, Transport};

/// The longest one attempt may take unless configured otherwise.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5 * 60);
const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(30);
/// The longest a token request may take: token endpoints answer in well
/// under a second, and every request waits behind a refresh.
const DEFAULT_TOKEN_TIMEOUT: Duration = Duration::from_secs(30);
/// The most pages one stream fetches unless configured otherwise: 2 billion
/// entities at 20,000 per page, yet a looping service stops eventually.
const DEFAULT_MAX_PAGES_PER_STREAM: u64 = 100_000;

/// Where a client connects, and the defaults of the service found there.
///
/// A base URL (`&str`, `String`) is an endpoint with no further defaults.
/// Service crates implement it for their own descriptions of a deployment
/// (an `Environment` that sets the host, tenant, timeout and limits of one
/// service), so that `Client::builder(environment)` starts from the
/// service's defaults and every setting can still be changed afterwards.
pub trait Endpoint {
    /// Applies this endpoint to a new builder: at least its base URL.
    fn configure(self, builder: ClientBuilder) -> ClientBuilder;
}

impl Endpoint for &str {
    fn configure(self, builder: ClientBuilder) -> ClientBuilder {
        builder.base_url(self)
    }
}

impl Endpoint for String {
    fn configure(self, builder: ClientBuilder) -> ClientBuilder {
        builder.base_url(self)
    }
}

impl Endpoint for &String {
    fn configure(self, builder: ClientBuilder) -> ClientBuilder {
        builder.base_url(self.as_str())
    }
}

/// Configures a [`Client`]. Start with [`Client::builder`].
pub struct ClientBuilder {
    base_url: Option<String>,
    query_parameters: Vec<(String, String)>,
    timeout: Option<Duration>,
    connect_timeout: Option<Duration>,
    accept_language: Option<String>,
    extra_headers: Vec<(String, String, bool)>,
    read_headers: Vec<(String, String)>,
    retry: RetryPolicy,
    max_concurrent_requests: Option<usize>,
    body_limits: BodyLimits,
    max_pages_per_stream: u64,
    token_timeout: Option<Duration>,
    allow_credentials_over_http: bool,
    query_values_in_errors: bool,
    configuration_errors: Vec<String>,
    credentials: Option<Arc<dyn Credentials>>,
    transport: Option<Arc<dyn Transport>>,
    middleware: Vec<Arc<dyn Middleware>>,
    profile: Option<ServiceProfile>,
    user_agent: String,
    max_page_size: Option<u32>,
    page_size_limit: Option<u32>,
    max_batch_operations: Option<usize>,
    extensions: Extensions,
}

impl ClientBuilder {
    pub(super) fn new() -> ClientBuilder {
        ClientBuilder {
            base_url: None,
            query_parameters: Vec::new(),
            timeout: Some(DEFAULT_TIMEOUT),
            connect_timeout: Some(DEFAULT_CONNECT_TIMEOUT),
            accept_language: None,
            extra_headers: Vec::new(),
            read_headers: Vec::new(),
            retry: RetryPolicy::default(),
            max_concurrent_requests: None,
            body_limits: BodyLimits::default(),
            max_pages_per_stream: DEFAULT_MAX_PAGES_PER_STREAM,
            token_timeout: Some(DEFAULT_TOKEN_TIMEOUT),
            allow_credentials_over_http: false,
            query_values_in_errors: false,
            configuration_errors: Vec::new(),
            credentials: None,
            transport: None,
            middleware: Vec::new(),
            profile: None,
            user_agent: concat!("odata-v4-runtime/", env!("CARGO_PKG_VERSION")).to_owned(),
            max_page_size: None,
            page_size_limit: None,
            max_batch_operations: None,
            extensions: Extensions::default(),
        }
    }

    /// The URL service roots are resolved against (a `/` is added when
    /// missing). Endpoints set it; call it to point elsewhere, such as a
    /// proxy or a local test server.
    ///
    /// A user name and password in it (`http://user:key@host:7048/BC/`)
    /// become [`Basic`] credentials, under the same rules as any others:
    /// refused over plain `http://` except to the loopback interface (see
    /// [`allow_credentials_over_http`](Self::allow_credentials_over_http)),
    /// sent to the base URL's origin only, never shown in `Debug`. Setting
    /// [`credentials`](Self::credentials) as well is refused.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        let mut url = url.into();
        if !url.ends_with('/') {
            url.push('/');
        }
        self.base_url = Some(url);
        self
    }

    /// A query parameter added to every request URL that does not carry
    /// it already (for example the tenant of a multitenant server).
    pub fn query_parameter(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        let name = name.into();
        self.query_parameters.retain(|(existing, _)| *existing != name);
        self.query_parameters.push((name, value.into()));
        self
    }

    /// The longest one attempt may take, response body included (default
    /// 5 minutes; endpoints may set their service's own). `None` disables it.
    pub fn timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.timeout = timeout.into();
        self
    }

    /// The longest establishing a connection may take (default 30 s). Only
    /// the built-in transport applies it.
    pub fn connect_timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.connect_timeout = timeout.into();
        self
    }

    /// Language of messages, captions and formatted values (`Accept-Language`).
    pub fn accept_language(mut self, language: impl Into<String>) -> Self {
        self.accept_language = Some(language.into());
        self
    }

    /// A header added to every request that does not set it itself.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.extra_headers.push((name.into(), value.into(), false));
        self
    }

    /// Like [`header`](Self::header), for a value that is a credential (an
    /// API key, a subscription key): it never appears in `Debug` output.
    pub fn sensitive_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.extra_headers.push((name.into(), value.into(), true));
        self
    }

    /// A header added to GET reads only, when they do not set it
    /// themselves (a read-replica preference, for instance). Writes never
    /// carry it.
    pub fn read_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        let name = name.into();
        self.read_headers.retain(|(existing, _)| !existing.eq_ignore_ascii_case(&name));
        self.read_headers.push((name, value.into()));
        self
    }

    /// Stops adding a read header set earlier (by an endpoint, for instance).
    pub fn remove_read_header(mut self, name: &str) -> Self {
        self.read_headers.retain(|(existing, _)| !existing.eq_ignore_ascii_case(name));
        self
    }

    /// How transient failures are retried, and the retry budget all
    /// requests of the client share (see [`RetryPolicy`]).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// The most requests the client (with all its clones) has in flight at
    /// once; further requests wait their turn, first come first served.
    /// `None` (the default) sets no cap. Services that limit concurrent
    /// requests per user (Business Central allows 5 and queues the rest)
    /// set theirs through their endpoint.
    ///
    /// A slot is held for one attempt, from sending the request until its
    /// body is read (for a media download, until the download ends or is
    /// dropped); waits between retries and token requests hold none.
    pub fn max_concurrent_requests(mut self, limit: impl Into<Option<usize>>) -> Self {
        self.max_concurrent_requests = limit.into();
        self
    }

    /// How much of each response body the client reads (see [`BodyLimits`]
    /// for the defaults).
    pub fn body_limits(mut self, limits: BodyLimits) -> Self {
        self.body_limits = limits;
        self
    }

    /// The most pages one [`PageStream`](crate::PageStream) fetches before
    /// it ends with [`PagingError::TooManyPages`](crate::PagingError::TooManyPages)
    /// (default 100,000). A stream also ends, whatever this says, when a
    /// next link points at a page it fetched already.
    pub fn max_pages_per_stream(mut self, pages: u64) -> Self {
        self.max_pages_per_stream = pages;
        self
    }

    /// The longest a token request may take, answer included (default
    /// 30 s). Kept apart from [`timeout`](Self::timeout): every request
    /// waits while a token is fetched, so a hung token endpoint must fail
    /// fast. `None` disables it.
    pub fn token_timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.token_timeout = timeout.into();
        self
    }

    /// Lets credentials (a password, a token, a token request with a
    /// client secret) travel over plain `http://` to hosts other than the
    /// loopback interface. Off by default: anyone on the network path could
    /// read them. Turn it on only for a trusted network (an on-premises
    /// test server, for instance).
    pub fn allow_credentials_over_http(mut self, allow: bool) -> Self {
        self.allow_credentials_over_http = allow;
        self
    }

    /// Shows query values (`$filter=name eq 'Jane'`) in errors and request
    /// spans. Off by default: filter values are often personal data, and
    /// errors and spans end up in logs. Query option names are always shown.
    pub fn query_values_in_errors(mut self, show: bool) -> Self {
        self.query_values_in_errors = show;
        self
    }

    /// Makes [`build`](Self::build) fail with [`Error::InvalidRequest`]
    /// carrying `reason`: for endpoints that find their own description
    /// invalid (a name that cannot be a URL path segment, for instance) and
    /// cannot fail where they are applied.
    pub fn configuration_error(mut self, reason: impl Into<String>) -> Self {
        self.configuration_errors.push(reason.into());
        self
    }

    /// Where the `Authorization` header comes from. Without credentials no
    /// `Authorization` is sent (for proxies that add it).
    pub fn credentials(mut self, credentials: impl Credentials) -> Self {
        self.credentials = Some(Arc::new(credentials));
        self
    }

    /// Replaces the built-in reqwest-based HTTP stack.
    pub fn transport(mut self, transport: impl Transport) -> Self {
        self.transport = Some(Arc::new(transport));
        self
    }

    /// Sends requests through the caller's own reqwest 0.13 client, with its
    /// proxies, root certificates, TLS and connection settings (and its
    /// connection pool, shared with the rest of the application).
    /// [`connect_timeout`](Self::connect_timeout) does not apply to it.
    ///
    /// **Build it with `redirect(reqwest::redirect::Policy::none())`**, so
    /// that the runtime decides which redirects are safe, as it does with
    /// its own client (see [`Client::execute`]). reqwest follows redirects
    /// by default, before the runtime sees them: the request's URL and
    /// headers (all but `Authorization`, `Cookie` and
    /// `Proxy-Authorization`: a [`sensitive_header`](Self::sensitive_header)
    /// too) reach wherever the redirect points, and a `303` turns a write
    /// into a `GET` there. The runtime cannot undo that, and reqwest does
    /// not tell a client's policy; what it does is fail loudly: an answer
    /// reached through a redirect the client followed is never used, the
    /// request fails with [`Error::Redirected`] (status 0; a token request
    /// with [`Error::Authentication`]) and an error is logged. Request
    /// bodies are handed over as one-shot streams, which reqwest never
    /// re-sends, so a body (a client secret, an update) is not sent twice.
    pub fn reqwest_client(mut self, client: reqwest::Client) -> Self {
        self.transport = Some(Arc::new(DefaultTransport::from_reqwest(client)));
        self
    }

    /// Adds a hook around every attempt. The first one added is the
    /// outermost: it sees the request first and the response last.
    pub fn middleware(mut self, middleware: impl Middleware) -> Self {
        self.middleware.push(Arc::new(middleware));
        self
    }

    /// Imposes a wire dialect on every API of this client, whatever profile
    /// the generated code carries: for a server that implements a
    /// service's API but not its dialect (a test double, a strict OData
    /// server serving a copy of the schema).
    pub fn profile(mut self, profile: ServiceProfile) -> Self {
        self.profile = Some(profile);
        self
    }

    /// Replaces the `User-Agent` sent with every request.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// Asks for pages of at most `size` entities when following
    /// `@odata.nextLink`s (`Prefer: odata.maxpagesize`). At least 1, and at
    /// most the [`page_size_limit`](Self::page_size_limit) when there is one.
    pub fn max_page_size(mut self, size: u32) -> Self {
        self.max_page_size = Some(size);
        self
    }

    /// The largest page the service serves: larger page sizes are refused
    /// when the client is built and when a query asks for them.
    pub fn page_size_limit(mut self, limit: u32) -> Self {
        self.page_size_limit = Some(limit);
        self
    }

    /// The most operations the service accepts in one `$batch` call: a
    /// larger non-atomic batch is split, a larger atomic one refused.
    /// Without a limit (the default) every batch is one call.
    pub fn max_batch_operations(mut self, limit: usize) -> Self {
        self.max_batch_operations = Some(limit.max(1));
        self
    }

    /// Attaches a value that code holding the client can read back with
    /// [`Client::extension`] (one value per type; a later one replaces an
    /// earlier one).
    pub fn extension<T: Send + Sync + 'static>(mut self, value: T) -> Self {
        self.extensions.insert(value);
        self
    }

    /// A value attached earlier with [`extension`](Self::extension).
    pub fn get_extension<T: Send + Sync + 'static>(&self) -> Option<&T> {
        self.extensions.get::<T>()
    }

    /// Checks the configuration and builds the client.
    pub fn build(self) -> Result<Client, Error> {
        if let Some(reason) = self.configuration_errors.into_iter().next() {
            return Err(Error::InvalidRequest(reason));
        }
        let Some(base) = self.base_url else {
            return Err(Error::InvalidRequest(
                "no base URL: start from Client::builder(\"https://host/\") or an endpoint".to_owned(),
            ));
        };
        if !(base.starts_with("https://") || base.starts_with("http://")) {
            let shown = redact::redacted_url(&base, self.query_values_in_errors);
            return Err(Error::InvalidRequest(format!("base URL must start with http:// or https://, got {shown:?}")));
        }
        let (base, credentials) = match user_info_credentials(&base)? {
            None => (base, self.credentials),
            Some(_) if self.credentials.is_some() => {
                return Err(Error::InvalidRequest(
                    "the base URL carries a user name or password and credentials are set too: give one of them"
                        .to_owned(),
                ));
            }
            Some(basic) => {
                (redact::without_userinfo(&base).into_owned(), Some(Arc::new(basic) as Arc<dyn Credentials>))
            }
        };
        let Some(base_origin) = Origin::of(&base) else {
            let shown = redact::redacted_url(&base, self.query_values_in_errors);
            return Err(Error::InvalidRequest(format!("base URL is not a valid http(s) URL with a host: {shown:?}")));
        };
        if credentials.is_some() && !self.allow_credentials_over_http && is_plain_http_to_remote_host(&base) {
            return Err(Error::InvalidRequest(format!(
                "refusing to send credentials over plain http:// to {base_origin}: anyone on the network could \
                 read them; use https://, or call allow_credentials_over_http(true) for a trusted network"
            )));
        }
        if self.max_concurrent_requests == Some(0) {
            return Err(Error::InvalidRequest("max_concurrent_requests must be at least 1".to_owned()));
        }
        if let Some(size) = self.max_page_size {
            let limit = self.page_size_limit.unwrap_or(u32::MAX);
            if !(1..=limit).contains(&size) {
                return Err(Error::InvalidRequest(format!("max page size must be between 1 and {limit}, got {size}")));
            }
        }
        let mut default_headers = Headers::new();
        default_headers.set("Accept", "application/json");
        default_headers.set("OData-MaxVersion", "4.0");
        default_headers.set("OData-Version", "4.0");
        default_headers.set("User-Agent", self.user_agent.as_str());
        if let Some(language) = &self.accept_language {
            default_headers.set("Accept-Language", language.as_str());
        }
        for (name, value, sensitive) in &self.extra_headers {
            check_header(name, value).map_err(Error::InvalidRequest)?;
            if *sensitive {
                default_headers.set_sensitive(name.as_str(), value.as_str());
            } else {
                default_headers.set(name.as_str(), value.as_str());
            }
        }
        let mut read_headers = Headers::new();
        for (name, value) in &self.read_headers {
            check_header(name, value).map_err(Error::InvalidRequest)?;
            read_headers.set(name.as_str(), value.as_str());
        }
        let transport: Arc<dyn Transport> = match self.transport {
            Some(transport) => transport,
            None => Arc::new(DefaultTransport::new(self.connect_timeout).map_err(Error::Transport)?),
        };
        let middleware: Arc<[Arc<dyn Middleware>]> = self.middleware.into();
        let auth = AuthContext::new(
            transport.clone(),
            middleware.clone(),
            self.user_agent.clone(),
            self.token_timeout,
            self.body_limits.max_token(),
            self.allow_credentials_over_http,
        );
        Ok(Client {
            inner: Arc::new(ClientInner {
                base_url: base,
                base_origin,
                query_parameters: self.query_parameters,
                default_headers,
                read_headers,
                timeout: self.timeout,
                retry_tokens: RetryTokens::new(self.retry.retry_budget()),
                retry: self.retry,
                concurrency: self.max_concurrent_requests.map(|limit| Arc::new(Semaphore::new(limit))),
                max_concurrent_requests: self.max_concurrent_requests,
                body_limits: self.body_limits,
                max_pages_per_stream: self.max_pages_per_stream,
                query_values_in_errors: self.query_values_in_errors,
                credentials,
                transport,
                middleware,
                auth,
                profile: self.profile,
                max_page_size: self.max_page_size,
                page_size_limit: self.page_size_limit,
                max_batch_operations: self.max_batch_operations,
                extensions: self.extensions,
            }),
        })
    }
}

/// The user name and password of a base URL (`http://user:key@host/`) as
/// [`Basic`] credentials, if it has any. The HTTP stack would otherwise send
/// them as `Authorization: Basic` itself, past the checks credentials go
/// through (plain `http://`, other origins) and into every URL it logs.
fn user_info_credentials(base: &str) -> Result<Option<Basic>, Error> {
    let Ok(parsed) = url::Url::parse(base) else {
        return Ok(None);
    };
    if parsed.username().is_empty() && parsed.password().is_none() {
        return Ok(None);
    }
    let decoded = |part: &str, what: &str| {
        percent_encoding::percent_decode_str(part)
            .decode_utf8()
            .map(|text| Zeroizing::new(text.into_owned()))
            .map_err(|_| Error::InvalidRequest(format!("the {what} in the base URL is not UTF-8 once percent-decoded")))
    };
    let user = decoded(parsed.username(), "user name")?;
    let password = decoded(parsed.password().unwrap_or(""), "password")?;
    Ok(Some(Basic::new(user.as_str(), password.as_str())))
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let base_url = self.base_url.as_deref().map(|url| redact::redacted_url(url, self.query_values_in_errors));
        f.debug_struct("ClientBuilder")
            .field("base_url", &base_url)
            .field("credentials", &self.credentials)
            .field("retry", &self.retry)
            .field("max_concurrent_requests", &self.max_concurrent_requests)
            .field("body_limits", &self.body_limits)
            .field("extensions", &self.extensions)
            .finish_non_exhaustive()
    }
}
