//! Plain HTTP types the runtime passes around. They are the crate's own so
//! that the public API never exposes the HTTP client's types.
//!
//! Their `Debug` output is safe to log: credential headers
//! (`Authorization`, `Proxy-Authorization`, `Cookie`, `Set-Cookie`, and any
//! header set with [`Headers::set_sensitive`]) print as `***`, bodies print
//! their size only (a token request's form carries the client secret, its
//! answer the access token), and URLs lose their user info.

mod body;

use std::fmt;

pub use body::Body;
pub(crate) use body::{BodyReadError, BodyStream, Excess};

use crate::redact;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
/// The HTTP methods OData requests use.
pub enum Method {
    /// `GET`: reads.
    Get,
    /// `POST`: creates, actions and `$batch`.
    Post,
    /// `PATCH`: partial updates.
    Patch,
    /// `PUT`: replacements (media content on OData servers).
    Put,
    /// `DELETE`.
    Delete,
}

impl Method {
    /// The method as it goes on the wire (`GET`).
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Patch => "PATCH",
            Method::Put => "PUT",
            Method::Delete => "DELETE",
        }
    }
}

/// Headers whose values are credentials whatever their context.
const SENSITIVE_HEADERS: &[&str] = &["authorization", "proxy-authorization", "cookie", "set-cookie"];

/// Header names and values in the order they were added. Lookups ignore case.
///
/// `Debug` prints the values of credential headers as `***`.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Headers(Vec<Header>);

#[derive(Clone, PartialEq, Eq)]
struct Header {
    name: String,
    value: String,
    /// Set by [`Headers::set_sensitive`]: hidden from `Debug` whatever its name.
    sensitive: bool,
}

impl Headers {
    /// No headers.
    pub fn new() -> Self {
        Headers(Vec::new())
    }

    /// The first value of a header.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|h| h.name.eq_ignore_ascii_case(name)).map(|h| h.value.as_str())
    }

    /// Replaces every value of `name` with `value`.
    pub fn set(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.insert(name.into(), value.into(), false);
    }

    /// Replaces every value of `name` with `value`, and keeps the value out
    /// of `Debug` output whatever the header's name (an API key, a
    /// signature).
    pub fn set_sensitive(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.insert(name.into(), value.into(), true);
    }

    fn insert(&mut self, name: String, value: String, sensitive: bool) {
        self.0.retain(|h| !h.name.eq_ignore_ascii_case(&name));
        self.0.push(Header { name, value, sensitive });
    }

    /// Adds a value, keeping existing ones.
    pub fn append(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.0.push(Header { name: name.into(), value: value.into(), sensitive: false });
    }

    /// Removes every value of `name`.
    pub fn remove(&mut self, name: &str) {
        self.0.retain(|h| !h.name.eq_ignore_ascii_case(name));
    }

    /// Every `(name, value)` pair, in the order added.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|h| (h.name.as_str(), h.value.as_str()))
    }

    /// Whether the value of `name` is hidden from `Debug` output: a
    /// credential header, or one set with [`set_sensitive`](Self::set_sensitive).
    pub fn is_sensitive(&self, name: &str) -> bool {
        SENSITIVE_HEADERS.iter().any(|sensitive| sensitive.eq_ignore_ascii_case(name))
            || self.0.iter().any(|h| h.sensitive && h.name.eq_ignore_ascii_case(name))
    }

    /// Copies `other`'s headers that this set lacks, sensitivity included.
    pub(crate) fn add_missing(&mut self, other: &Headers) {
        for header in &other.0 {
            if self.get(&header.name).is_none() {
                self.0.push(header.clone());
            }
        }
    }
}

impl fmt::Debug for Headers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut map = f.debug_map();
        for header in &self.0 {
            if header.sensitive || self.is_sensitive(&header.name) {
                map.entry(&header.name, &format_args!("***"));
            } else {
                map.entry(&header.name, &header.value);
            }
        }
        map.finish()
    }
}

/// Checks that a header can travel on the wire, with the `http` crate's
/// rules (RFC 9110 tokens for names; no control characters in values).
pub(crate) fn check_header(name: &str, value: &str) -> Result<(), String> {
    http::HeaderName::from_bytes(name.as_bytes()).map_err(|_| format!("invalid header name {name:?}"))?;
    http::HeaderValue::from_str(value).map_err(|_| format!("invalid value for header {name:?}"))?;
    Ok(())
}

/// Whether `url` is plain `http://` to a host other than the loopback
/// interface: where credentials would cross the network in clear text.
pub(crate) fn is_plain_http_to_remote_host(url: &str) -> bool {
    let Ok(parsed) = url::Url::parse(url) else {
        return false;
    };
    let loopback = match parsed.host() {
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(address)) => address.is_loopback(),
        Some(url::Host::Ipv6(address)) => address.is_loopback(),
        None => false,
    };
    parsed.scheme() == "http" && !loopback
}

/// A request ready for the wire: absolute URL, headers and body.
#[derive(Clone)]
pub struct HttpRequest {
    /// The HTTP method.
    pub method: Method,
    /// The absolute URL, already encoded.
    pub url: String,
    /// Every header to send.
    pub headers: Headers,
    /// The body, if any.
    pub body: Option<Body>,
}

impl fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpRequest")
            .field("method", &self.method)
            .field("url", &redact::without_userinfo(&self.url))
            .field("headers", &self.headers)
            .field("body", &self.body)
            .finish()
    }
}

/// A response: status, headers and a body that is either read already or
/// still streaming from the connection.
///
/// Transports may hand the body over as a stream; the client reads it
/// within its [`BodyLimits`](crate::BodyLimits) before decoders, errors
/// and `$batch` see the response, so there [`bytes`](Self::bytes) is the
/// whole body.
#[derive(Clone)]
pub struct HttpResponse {
    /// The HTTP status code.
    pub status: u16,
    /// The response headers.
    pub headers: Headers,
    /// The body.
    pub body: Body,
}

impl HttpResponse {
    /// Whether the status is 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The body, when it has been read (always, for responses handed to
    /// decoders); empty while it is still a stream.
    pub fn bytes(&self) -> &[u8] {
        self.body.as_bytes().map(|bytes| &bytes[..]).unwrap_or_default()
    }
}

impl fmt::Debug for HttpResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpResponse")
            .field("status", &self.status)
            .field("headers", &self.headers)
            .field("body", &self.body)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_hides_credentials_and_bodies() {
        let mut headers = Headers::new();
        headers.set("Authorization", "Bearer token-value");
        headers.set("cookie", "session=cookie-value");
        headers.set_sensitive("X-Api-Key", "key-value");
        headers.set("Accept", "application/json");
        let request = HttpRequest {
            method: Method::Post,
            url: "https://user:password-value@h/token".to_owned(),
            headers,
            body: Some(Body::from("client_secret=secret-value")),
        };
        let printed = format!("{request:?}");
        for secret in ["token-value", "cookie-value", "key-value", "password-value", "secret-value"] {
            assert!(!printed.contains(secret), "{secret} in {printed}");
        }
        assert!(printed.contains("application/json") && printed.contains("26 bytes"), "{printed}");
    }

    #[test]
    fn only_remote_plain_http_is_flagged() {
        for remote in ["http://bc.example.com:7048/BC/", "http://10.0.0.5/", "http://localhost.example/"] {
            assert!(is_plain_http_to_remote_host(remote), "{remote}");
        }
        for safe in ["https://bc.example.com/", "http://127.0.0.1:9/", "http://LOCALHOST:80/", "http://[::1]/"] {
            assert!(!is_plain_http_to_remote_host(safe), "{safe}");
        }
    }

    #[test]
    fn header_checks_follow_the_http_crate() {
        assert!(check_header("X-Custom", "value\twith tab").is_ok());
        assert!(check_header("Bad Name", "v").is_err());
        assert!(check_header("X-Custom", "line\r\nbreak").is_err());
        assert!(check_header("", "v").is_err());
    }
}
