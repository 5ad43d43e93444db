//! [`ClientBuilder`]: the client's configuration, checked once at build
//! time, and [`Endpoint`]: where a client connects.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use super::extensions::Extensions;
use super::{Client, ClientInner, Origin};
use crate::auth::{AuthContext, Credentials};
use crate::error::Error;
use crate::http::Headers;
use crate::profile::ServiceProfile;
use crate::retry::RetryPolicy;
use crate::transport::{DefaultTransport, Middleware, Transport};

/// The longest one attempt may take unless configured otherwise.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5 * 60);
const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(30);

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
    extra_headers: Vec<(String, String)>,
    read_headers: Vec<(String, String)>,
    retry: RetryPolicy,
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
        self.extra_headers.push((name.into(), value.into()));
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

    /// How transient failures are retried (see [`RetryPolicy`]).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
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
        let Some(base) = self.base_url else {
            return Err(Error::InvalidRequest(
                "no base URL: start from Client::builder(\"https://host/\") or an endpoint".to_owned(),
            ));
        };
        if !(base.starts_with("https://") || base.starts_with("http://")) {
            return Err(Error::InvalidRequest(format!("base URL must start with http:// or https://, got {base:?}")));
        }
        let Some(base_origin) = Origin::of(&base) else {
            return Err(Error::InvalidRequest(format!("base URL is not a valid http(s) URL with a host: {base:?}")));
        };
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
        for (name, value) in &self.extra_headers {
            validate_header(name, value)?;
            default_headers.set(name.as_str(), value.as_str());
        }
        let mut read_headers = Headers::new();
        for (name, value) in &self.read_headers {
            validate_header(name, value)?;
            read_headers.set(name.as_str(), value.as_str());
        }
        let transport: Arc<dyn Transport> = match self.transport {
            Some(transport) => transport,
            None => Arc::new(DefaultTransport::new(self.connect_timeout).map_err(Error::Transport)?),
        };
        let middleware: Arc<[Arc<dyn Middleware>]> = self.middleware.into();
        let auth = AuthContext::new(transport.clone(), middleware.clone(), self.user_agent.clone(), self.timeout);
        Ok(Client {
            inner: Arc::new(ClientInner {
                base_url: base,
                base_origin,
                query_parameters: self.query_parameters,
                default_headers,
                read_headers,
                timeout: self.timeout,
                retry: self.retry,
                credentials: self.credentials,
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

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("base_url", &self.base_url)
            .field("credentials", &self.credentials)
            .field("retry", &self.retry)
            .field("extensions", &self.extensions)
            .finish_non_exhaustive()
    }
}

/// Rejects header names and values that cannot travel on the wire, so the
/// mistake surfaces when the client is built rather than on every request.
fn validate_header(name: &str, value: &str) -> Result<(), Error> {
    let name_ok =
        !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
    let value_ok = value.bytes().all(|b| b == b'\t' || (b >= 0x20 && b != 0x7f));
    if name_ok && value_ok { Ok(()) } else { Err(Error::InvalidRequest(format!("invalid header {name:?}"))) }
}
