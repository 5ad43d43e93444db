//! Where a client connects: Business Central online, an on-premises
//! instance, or any base URL (proxies, local test servers).

use odata_v4_runtime::{ClientBuilder, Endpoint};
use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};

use crate::limits::{DEFAULT_TIMEOUT, MAX_BATCH_OPERATIONS, MAX_PAGE_SIZE};

/// The online service's API host.
const ONLINE_BASE: &str = "https://api.businesscentral.dynamics.com/v2.0/";

/// Characters escaped in a URL path segment (tenant, environment name).
const PATH_SEGMENT: &AsciiSet =
    &CONTROLS.add(b' ').add(b'"').add(b'#').add(b'%').add(b'/').add(b'?').add(b'<').add(b'>');

/// Which Business Central deployment a client talks to.
///
/// Passed to [`Client::builder`](crate::Client::builder), it sets the base
/// URL and Business Central's defaults: its page size and `$batch` limits
/// ([`limits`](crate::limits)), an 11-minute timeout, the on-premises tenant
/// parameter and the SDK's `User-Agent`. Each can still be changed on the
/// builder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Environment {
    base_url: String,
    tenant_parameter: Option<String>,
}

impl Environment {
    /// A Business Central online environment:
    /// `https://api.businesscentral.dynamics.com/v2.0/{tenant}/{environment}/`.
    /// `tenant` is the Entra tenant id or one of its domains;
    /// `environment` is the environment's name (`production`, `sandbox`, ...).
    pub fn online(tenant: impl AsRef<str>, environment: impl AsRef<str>) -> Environment {
        let tenant = utf8_percent_encode(tenant.as_ref(), PATH_SEGMENT);
        let environment = utf8_percent_encode(environment.as_ref(), PATH_SEGMENT);
        Environment { base_url: format!("{ONLINE_BASE}{tenant}/{environment}/"), tenant_parameter: None }
    }

    /// An on-premises server instance, for example
    /// `https://host:7048/BC`. On a multitenant server, `tenant` is sent as
    /// the `tenant` query parameter of every request.
    pub fn on_premises(base_url: impl Into<String>, tenant: Option<String>) -> Environment {
        Environment { base_url: with_trailing_slash(base_url.into()), tenant_parameter: tenant }
    }

    /// Any base URL under which `api/...` routes live, such as a proxy or a
    /// local test server (`http://127.0.0.1:4020/`).
    pub fn custom(base_url: impl Into<String>) -> Environment {
        Environment { base_url: with_trailing_slash(base_url.into()), tenant_parameter: None }
    }

    /// The URL API routes are resolved against, ending in `/`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }
}

impl Endpoint for Environment {
    fn configure(self, builder: ClientBuilder) -> ClientBuilder {
        let builder = builder
            .base_url(self.base_url)
            .timeout(DEFAULT_TIMEOUT)
            .page_size_limit(MAX_PAGE_SIZE)
            .max_batch_operations(MAX_BATCH_OPERATIONS)
            .user_agent(concat!("business-central-sdk-rust/", env!("CARGO_PKG_VERSION")));
        match self.tenant_parameter {
            Some(tenant) => builder.query_parameter("tenant", tenant),
            None => builder,
        }
    }
}

fn with_trailing_slash(mut url: String) -> String {
    if !url.ends_with('/') {
        url.push('/');
    }
    url
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn online_base_url_encodes_segments() {
        let environment = Environment::online("contoso.com", "my sandbox");
        assert_eq!(environment.base_url(), "https://api.businesscentral.dynamics.com/v2.0/contoso.com/my%20sandbox/");
    }

    #[test]
    fn environments_bring_business_centrals_limits() {
        let client = crate::Client::builder(Environment::custom("http://127.0.0.1:9")).build().unwrap();
        assert_eq!(client.page_size_limit(), Some(MAX_PAGE_SIZE));
        assert_eq!(client.max_batch_operations(), Some(MAX_BATCH_OPERATIONS));
        let too_large =
            crate::Client::builder(Environment::custom("http://127.0.0.1:9")).max_page_size(MAX_PAGE_SIZE + 1).build();
        assert!(matches!(too_large, Err(crate::Error::InvalidRequest(_))));
    }
}
