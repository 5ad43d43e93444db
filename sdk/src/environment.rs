//! Where a client connects: Business Central online, an on-premises
//! instance, or any base URL (proxies, local test servers).

use std::fmt;

use odata_v4_runtime::{BodyLimits, ClientBuilder, Endpoint, Error, url_for_logs};

use crate::limits::{DEFAULT_TIMEOUT, MAX_BATCH_OPERATIONS, MAX_BODY_BYTES, MAX_CONCURRENT_REQUESTS, MAX_PAGE_SIZE};

/// The online service's API host.
const ONLINE_BASE: &str = "https://api.businesscentral.dynamics.com/v2.0/";

/// Which Business Central deployment a client talks to.
///
/// Passed to [`Client::builder`](crate::Client::builder), it sets the base
/// URL and Business Central's defaults: its page size and `$batch` limits
/// ([`limits`](crate::limits)), its cap of 5 concurrent requests per user
/// (further requests wait in the client rather than in the service's
/// queue), its 350 MB body limit, an 11-minute timeout, the on-premises
/// tenant parameter and the SDK's `User-Agent`. Each can still be changed
/// on the builder.
///
/// `Debug` shows the base URL as errors do: without a user name or
/// password, and without query values.
#[derive(Clone, PartialEq, Eq)]
pub struct Environment {
    base_url: String,
    tenant_parameter: Option<String>,
    /// Why the environment cannot be used, reported when the client is built.
    invalid: Option<String>,
}

impl Environment {
    /// A Business Central online environment:
    /// `https://api.businesscentral.dynamics.com/v2.0/{tenant}/{environment}/`.
    /// `tenant` is the Entra tenant id or one of its domains;
    /// `environment` is the environment's name (`production`, `sandbox`, ...).
    ///
    /// Each value becomes exactly one path segment (encoded by the `url`
    /// crate: `/`, `\`, `?`, `#` and `%` cannot change the URL's path). A
    /// value that cannot be a segment (empty, `.`, `..`, control
    /// characters) makes the client's `build()` fail with
    /// [`Error::InvalidRequest`]; [`try_online`](Self::try_online) reports
    /// it here instead.
    pub fn online(tenant: impl AsRef<str>, environment: impl AsRef<str>) -> Environment {
        Environment::try_online(tenant, environment).unwrap_or_else(|error| Environment {
            base_url: String::new(),
            tenant_parameter: None,
            invalid: Some(match error {
                Error::InvalidRequest(reason) => reason,
                other => other.to_string(),
            }),
        })
    }

    /// [`online`](Self::online), refusing an invalid tenant or environment
    /// name at once with [`Error::InvalidRequest`].
    pub fn try_online(tenant: impl AsRef<str>, environment: impl AsRef<str>) -> Result<Environment, Error> {
        let (tenant, environment) = (tenant.as_ref(), environment.as_ref());
        check_segment("tenant", tenant)?;
        check_segment("environment name", environment)?;
        let mut url = url::Url::parse(ONLINE_BASE).map_err(|e| Error::InvalidRequest(e.to_string()))?;
        url.path_segments_mut()
            .map_err(|()| Error::InvalidRequest("the online base URL has no path".to_owned()))?
            .pop_if_empty()
            .extend([tenant, environment, ""]);
        Ok(Environment { base_url: url.into(), tenant_parameter: None, invalid: None })
    }

    /// An on-premises server instance, for example
    /// `https://host:7048/BC`. On a multitenant server, `tenant` is sent as
    /// the `tenant` query parameter of every request.
    pub fn on_premises(base_url: impl Into<String>, tenant: Option<String>) -> Environment {
        Environment { base_url: with_trailing_slash(base_url.into()), tenant_parameter: tenant, invalid: None }
    }

    /// Any base URL under which `api/...` routes live, such as a proxy or a
    /// local test server (`http://127.0.0.1:4020/`).
    pub fn custom(base_url: impl Into<String>) -> Environment {
        Environment { base_url: with_trailing_slash(base_url.into()), tenant_parameter: None, invalid: None }
    }

    /// The URL API routes are resolved against, ending in `/` (empty for an
    /// online environment whose names were refused).
    pub fn base_url(&self) -> &str {
        &self.base_url
    }
}

impl fmt::Debug for Environment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Environment")
            .field("base_url", &url_for_logs(&self.base_url))
            .field("tenant_parameter", &self.tenant_parameter)
            .field("invalid", &self.invalid)
            .finish()
    }
}

/// Refuses what cannot be one path segment: `url` drops `.` and `..`
/// segments (they would move up the path, out of the tenant), and an empty
/// one would merge with its neighbour.
fn check_segment(what: &str, value: &str) -> Result<(), Error> {
    let problem = match value {
        "" => Some("is empty"),
        "." | ".." => Some("would move up the URL's path"),
        _ if value.chars().any(char::is_control) => Some("contains control characters"),
        _ => None,
    };
    match problem {
        Some(problem) => Err(Error::InvalidRequest(format!(
            "the Business Central {what} {value:?} {problem}; it must be one segment of the URL's path"
        ))),
        None => Ok(()),
    }
}

impl Endpoint for Environment {
    fn configure(self, builder: ClientBuilder) -> ClientBuilder {
        let mut builder = builder
            .base_url(self.base_url)
            .timeout(DEFAULT_TIMEOUT)
            .page_size_limit(MAX_PAGE_SIZE)
            .max_batch_operations(MAX_BATCH_OPERATIONS)
            .max_concurrent_requests(MAX_CONCURRENT_REQUESTS)
            .body_limits(BodyLimits::default().responses(MAX_BODY_BYTES).media(MAX_BODY_BYTES))
            .user_agent(concat!("business-central-sdk-rust/", env!("CARGO_PKG_VERSION")));
        if let Some(reason) = self.invalid {
            builder = builder.configuration_error(reason);
        }
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
    fn each_name_is_exactly_one_segment() {
        for (tenant, environment, expected) in [
            ("contoso.com", "a/b", "contoso.com/a%2Fb/"),
            ("contoso.com", "a\\b", "contoso.com/a%5Cb/"),
            ("contoso.com", "a?b#c%d", "contoso.com/a%3Fb%23c%25d/"),
            ("contoso.com", "...", "contoso.com/.../"),
            ("con/toso", "prod", "con%2Ftoso/prod/"),
        ] {
            let environment = Environment::try_online(tenant, environment).unwrap();
            assert_eq!(environment.base_url(), format!("{ONLINE_BASE}{expected}"), "{tenant} {environment:?}");
        }
    }

    #[test]
    fn names_that_cannot_be_a_segment_are_refused() {
        for (tenant, environment) in
            [("contoso.com", ".."), ("..", "prod"), ("contoso.com", "."), ("", "prod"), ("t", "a\nb")]
        {
            let refused = Environment::try_online(tenant, environment);
            assert!(
                matches!(&refused, Err(Error::InvalidRequest(reason)) if reason.contains("one segment")),
                "{refused:?}"
            );
            let built = crate::Client::builder(Environment::online(tenant, environment)).build();
            assert!(matches!(built, Err(Error::InvalidRequest(_))), "{tenant:?} {environment:?}");
        }
    }

    /// Finding F4 of issue 21: `Debug` printed an on-premises base URL's
    /// password.
    #[test]
    fn debug_shows_no_password_or_query_value() {
        let environment =
            Environment::on_premises("http://bc-user:s3cret-key@bc.local:7048/BC?company=Jane", Some("t1".into()));
        let printed = format!("{environment:?}");
        assert!(!printed.contains("s3cret-key") && !printed.contains("bc-user"), "{printed}");
        assert!(!printed.contains("Jane"), "{printed}");
        assert!(printed.contains("http://bc.local:7048/BC?company=…"), "{printed}");
    }

    #[test]
    fn environments_bring_business_centrals_limits() {
        let client = crate::Client::builder(Environment::custom("http://127.0.0.1:9")).build().unwrap();
        assert_eq!(client.page_size_limit(), Some(MAX_PAGE_SIZE));
        assert_eq!(client.max_batch_operations(), Some(MAX_BATCH_OPERATIONS));
        assert_eq!(client.max_concurrent_requests(), Some(MAX_CONCURRENT_REQUESTS));
        assert_eq!(client.body_limits().max_response(), MAX_BODY_BYTES);
        assert_eq!(client.body_limits().max_media(), MAX_BODY_BYTES);
        let too_large =
            crate::Client::builder(Environment::custom("http://127.0.0.1:9")).max_page_size(MAX_PAGE_SIZE + 1).build();
        assert!(matches!(too_large, Err(crate::Error::InvalidRequest(_))));
    }
}
