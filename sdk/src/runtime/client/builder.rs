//! [`ClientBuilder`]: the client's configuration, checked once at build
//! time.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use super::environment::{CompanyRef, Environment};
use super::{Client, ClientInner, Origin};
use crate::runtime::auth::{AuthContext, Credentials};
use crate::runtime::error::Error;
use crate::runtime::http::Headers;
use crate::runtime::profile::ServiceProfile;
use crate::runtime::retry::RetryPolicy;
use crate::runtime::transport::{DefaultTransport, Middleware, Transport};

/// Business Central refuses pages larger than this.
const MAX_PAGE_SIZE: u32 = 20_000;
/// Operations are cut off server-side after 8 minutes and the gateway gives
/// up at 10; a client timeout a little beyond that never cuts a request the
/// service would still have answered.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(11 * 60);
const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(30);

/// Configures a [`Client`]. Start with [`Client::builder`].
pub struct ClientBuilder {
    environment: Environment,
    timeout: Option<Duration>,
    connect_timeout: Option<Duration>,
    accept_language: Option<String>,
    read_only_intent: bool,
    extra_headers: Vec<(String, String)>,
    retry: RetryPolicy,
    credentials: Option<Arc<dyn Credentials>>,
    transport: Option<Arc<dyn Transport>>,
    middleware: Vec<Arc<dyn Middleware>>,
    profile: ServiceProfile,
    user_agent: String,
    default_company: Option<CompanyRef>,
    max_page_size: Option<u32>,
}

impl ClientBuilder {
    pub(super) fn new(environment: Environment) -> ClientBuilder {
        ClientBuilder {
            environment,
            timeout: Some(DEFAULT_TIMEOUT),
            connect_timeout: Some(DEFAULT_CONNECT_TIMEOUT),
            accept_language: None,
            read_only_intent: false,
            extra_headers: Vec::new(),
            retry: RetryPolicy::default(),
            credentials: None,
            transport: None,
            middleware: Vec::new(),
            profile: ServiceProfile::business_central(),
            user_agent: concat!("business-central-sdk-rust/", env!("CARGO_PKG_VERSION")).to_owned(),
            default_company: None,
            max_page_size: None,
        }
    }

    /// The longest one attempt may take, response body included (default
    /// 11 minutes, just above the service's own limits). `None` disables it.
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

    /// Sends `Data-Access-Intent: ReadOnly` on reads, letting the service
    /// answer from a read replica. Replicas may lag behind: leave this off
    /// (the default) when reading right after writing. Writes never carry it.
    pub fn read_only_intent(mut self, enabled: bool) -> Self {
        self.read_only_intent = enabled;
        self
    }

    /// A header added to every request that does not set it itself.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.extra_headers.push((name.into(), value.into()));
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

    /// The service's wire dialect (default [`ServiceProfile::business_central`]).
    pub fn profile(mut self, profile: ServiceProfile) -> Self {
        self.profile = profile;
        self
    }

    /// Replaces the `User-Agent` sent with every request.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// The company used when a call does not name one, by id.
    pub fn default_company_id(mut self, id: uuid::Uuid) -> Self {
        self.default_company = Some(CompanyRef::Id(id));
        self
    }

    /// The company used when a call does not name one, by name.
    pub fn default_company_name(mut self, name: impl Into<String>) -> Self {
        self.default_company = Some(CompanyRef::Name(name.into()));
        self
    }

    /// Asks for pages of at most `size` entities when following
    /// `@odata.nextLink`s (`Prefer: odata.maxpagesize`). Business Central
    /// allows 1 to 20,000.
    pub fn max_page_size(mut self, size: u32) -> Self {
        self.max_page_size = Some(size);
        self
    }

    /// Checks the configuration and builds the client.
    pub fn build(self) -> Result<Client, Error> {
        let base = &self.environment.base_url;
        if !(base.starts_with("https://") || base.starts_with("http://")) {
            return Err(Error::InvalidRequest(format!(
                "base URL must start with http:// or https://, got {base:?}"
            )));
        }
        let Some(base_origin) = Origin::of(base) else {
            return Err(Error::InvalidRequest(format!(
                "base URL is not a valid http(s) URL with a host: {base:?}"
            )));
        };
        if let Some(size) = self.max_page_size
            && !(1..=MAX_PAGE_SIZE).contains(&size)
        {
            return Err(Error::InvalidRequest(format!(
                "max page size must be between 1 and {MAX_PAGE_SIZE}, got {size}"
            )));
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
        let transport: Arc<dyn Transport> = match self.transport {
            Some(transport) => transport,
            None => {
                Arc::new(DefaultTransport::new(self.connect_timeout).map_err(Error::Transport)?)
            }
        };
        let middleware: Arc<[Arc<dyn Middleware>]> = self.middleware.into();
        let auth = AuthContext::new(
            transport.clone(),
            middleware.clone(),
            self.user_agent.clone(),
            self.timeout,
        );
        Ok(Client {
            inner: Arc::new(ClientInner {
                base_url: self.environment.base_url,
                base_origin,
                tenant_parameter: self.environment.tenant_parameter,
                default_headers,
                read_only_intent: self.read_only_intent,
                timeout: self.timeout,
                retry: self.retry,
                credentials: self.credentials,
                transport,
                middleware,
                auth,
                profile: self.profile,
                default_company: self.default_company,
                max_page_size: self.max_page_size,
            }),
        })
    }
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("environment", &self.environment)
            .field("credentials", &self.credentials)
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}

/// Rejects header names and values that cannot travel on the wire, so the
/// mistake surfaces when the client is built rather than on every request.
fn validate_header(name: &str, value: &str) -> Result<(), Error> {
    let name_ok = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
    let value_ok = value
        .bytes()
        .all(|b| b == b'\t' || (b >= 0x20 && b != 0x7f));
    if name_ok && value_ok {
        Ok(())
    } else {
        Err(Error::InvalidRequest(format!("invalid header {name:?}")))
    }
}
