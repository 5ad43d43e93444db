//! Where the client connects: Business Central online, an on-premises
//! instance, or any base URL (proxies, local test servers).

use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};

/// The online service's API host.
const ONLINE_BASE: &str = "https://api.businesscentral.dynamics.com/v2.0/";

/// Characters escaped in a URL path segment (tenant, environment name).
const PATH_SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'/')
    .add(b'?')
    .add(b'<')
    .add(b'>');
/// Characters escaped in a query value (the on-premises tenant).
const QUERY_VALUE: &AsciiSet = &PATH_SEGMENT.add(b'&').add(b'=').add(b'+');

/// Which Business Central deployment the client talks to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Environment {
    pub(super) base_url: String,
    pub(super) tenant_parameter: Option<String>,
}

impl Environment {
    /// A Business Central online environment:
    /// `https://api.businesscentral.dynamics.com/v2.0/{tenant}/{environment}/`.
    /// `tenant` is the Entra tenant id or one of its domains;
    /// `environment` is the environment's name (`production`, `sandbox`, ...).
    pub fn online(tenant: impl AsRef<str>, environment: impl AsRef<str>) -> Environment {
        let tenant = utf8_percent_encode(tenant.as_ref(), PATH_SEGMENT);
        let environment = utf8_percent_encode(environment.as_ref(), PATH_SEGMENT);
        Environment {
            base_url: format!("{ONLINE_BASE}{tenant}/{environment}/"),
            tenant_parameter: None,
        }
    }

    /// An on-premises server instance, for example
    /// `https://host:7048/BC`. On a multitenant server, `tenant` is sent as
    /// the `tenant` query parameter of every request.
    pub fn on_premises(base_url: impl Into<String>, tenant: Option<String>) -> Environment {
        Environment {
            base_url: with_trailing_slash(base_url.into()),
            tenant_parameter: tenant,
        }
    }

    /// Any base URL under which `api/...` routes live, such as a proxy or a
    /// local test server (`http://127.0.0.1:4020/`).
    pub fn custom(base_url: impl Into<String>) -> Environment {
        Environment {
            base_url: with_trailing_slash(base_url.into()),
            tenant_parameter: None,
        }
    }

    /// The URL API routes are resolved against, ending in `/`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }
}

fn with_trailing_slash(mut url: String) -> String {
    if !url.ends_with('/') {
        url.push('/');
    }
    url
}

/// A company to address when the caller does not name one explicitly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CompanyRef {
    /// The company's `id` (stable across renames).
    Id(uuid::Uuid),
    /// The company's `name` (readable, but changes if the company is renamed).
    Name(String),
}

/// Appends `tenant=…` unless the URL already names a tenant (next links
/// from the server do).
pub(super) fn add_tenant_parameter(url: &mut String, tenant: &str) {
    let (before_fragment, fragment) = match url.find('#') {
        Some(at) => (&url[..at], &url[at..]),
        None => (url.as_str(), ""),
    };
    let query = before_fragment
        .split_once('?')
        .map(|(_, query)| query)
        .unwrap_or("");
    if query.split('&').any(|pair| {
        pair.split('=')
            .next()
            .is_some_and(|key| key.eq_ignore_ascii_case("tenant"))
    }) {
        return;
    }
    let separator = if before_fragment.contains('?') {
        '&'
    } else {
        '?'
    };
    let encoded = utf8_percent_encode(tenant, QUERY_VALUE);
    *url = format!("{before_fragment}{separator}tenant={encoded}{fragment}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tenant_is_added_once() {
        let mut url = "https://host:7048/BC/api/v2.0/companies".to_owned();
        add_tenant_parameter(&mut url, "default");
        assert_eq!(
            url,
            "https://host:7048/BC/api/v2.0/companies?tenant=default"
        );
        add_tenant_parameter(&mut url, "default");
        assert_eq!(
            url,
            "https://host:7048/BC/api/v2.0/companies?tenant=default"
        );
        let mut url = "https://h/BC/api/v2.0/customers?$top=1".to_owned();
        add_tenant_parameter(&mut url, "a b");
        assert_eq!(url, "https://h/BC/api/v2.0/customers?$top=1&tenant=a%20b");
    }

    #[test]
    fn online_base_url_encodes_segments() {
        let environment = Environment::online("contoso.com", "my sandbox");
        assert_eq!(
            environment.base_url(),
            "https://api.businesscentral.dynamics.com/v2.0/contoso.com/my%20sandbox/"
        );
    }
}
