//! Reading a `$metadata` document from an http(s) URL, with the documents
//! its `edmx:Reference`s name.
//!
//! A document from the network decides which further URLs are fetched, so
//! it gets no more reach than it needs:
//!
//! - referenced documents are fetched only from the origin (scheme, host
//!   and port) the main document came from; a reference elsewhere is an
//!   error naming it, to be downloaded by hand and read from a file;
//! - no redirect is followed (a redirect is an error naming its target, so
//!   neither an https→http downgrade nor a hop to an internal host can
//!   happen behind the user's back);
//! - every request has a time limit and every answer a size limit;
//! - a bearer token goes only to the main document's origin, and over
//!   plain http only to the loopback interface.

use std::fmt;
use std::io::Read;
use std::time::Duration;

use odata_v4_codegen::edmx::{self, DocumentLoader, LoadError, LoadErrorKind, LoadedDocument};

use crate::Error;
use odata_v4_codegen::ir::Model;
use url::Url;

/// The most a fetched document may weigh, as for files (Microsoft Graph's is 3.5 MB).
pub use odata_v4_codegen::edmx::MAX_DOCUMENT_BYTES;

/// How long one request may take, answer included.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(120);

/// How long establishing a connection may take.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);

/// How a document is fetched.
#[derive(Clone, Default)]
pub struct FetchOptions {
    /// A bearer token for the main document's origin.
    pub bearer_token: Option<String>,
}

impl fmt::Debug for FetchOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FetchOptions").field("bearer_token", &self.bearer_token.as_ref().map(|_| "***")).finish()
    }
}

/// Why a document could not be fetched.
#[derive(Debug)]
#[non_exhaustive]
pub enum FetchError {
    /// Not an http or https URL.
    NotHttp(String),
    /// A reference to a document on another origin than the main one.
    OtherOrigin {
        /// The referenced URL.
        url: String,
        /// The main document's origin.
        origin: String,
    },
    /// A bearer token would travel over plain http to a host that is not
    /// the loopback interface.
    TokenOverHttp(String),
    /// The server answered with a redirect, which is not followed.
    Redirected {
        /// The URL asked for.
        url: String,
        /// Where the server pointed.
        location: String,
    },
    /// The server answered with a status other than 200.
    Status {
        /// The URL asked for.
        url: String,
        /// The HTTP status.
        status: u16,
    },
    /// The answer is larger than [`MAX_DOCUMENT_BYTES`].
    TooLarge(String),
    /// The request failed (connection, TLS, timeout).
    Transport {
        /// The URL asked for.
        url: String,
        /// The cause.
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

impl fmt::Display for FetchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FetchError::NotHttp(url) => write!(f, "`{url}` is neither an http nor an https URL"),
            FetchError::OtherOrigin { url, origin } => write!(
                f,
                "`{url}` is on another origin than the document that references it ({origin}); referenced documents \
                 are fetched from the same origin only: download them beside the main document and generate from the file"
            ),
            FetchError::TokenOverHttp(url) => {
                write!(f, "not sending the bearer token to {url}: plain http reaches beyond this machine; use https")
            }
            FetchError::Redirected { url, location } => write!(
                f,
                "GET {url} was redirected to {location}; redirects are not followed: give that URL if you trust it"
            ),
            FetchError::Status { url, status } => write!(f, "GET {url} answered {status}"),
            FetchError::TooLarge(url) => {
                write!(f, "GET {url}: the document is larger than {} MiB", MAX_DOCUMENT_BYTES / (1024 * 1024))
            }
            FetchError::Transport { url, source } => write!(f, "GET {url} failed: {source}"),
        }
    }
}

impl std::error::Error for FetchError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            FetchError::Transport { source, .. } => Some(source.as_ref()),
            _ => None,
        }
    }
}

/// Whether `source` names a URL rather than a file.
pub fn is_url(source: &str) -> bool {
    source.starts_with("http://") || source.starts_with("https://")
}

/// `…/$metadata` for a service root URL; a `$metadata` (or `.xml`) URL as it is.
pub fn metadata_url(url: &str) -> String {
    let (path, query) = url.split_once('?').map_or((url, None), |(p, q)| (p, Some(q)));
    let trimmed = path.trim_end_matches('/');
    let path = if trimmed.ends_with("$metadata") || trimmed.ends_with(".xml") {
        path.to_owned()
    } else {
        format!("{trimmed}/$metadata")
    };
    match query {
        Some(query) => format!("{path}?{query}"),
        None => path,
    }
}

/// The URL of the service whose `$metadata` is at `url`: the URL without
/// `$metadata` (and without its query), ending in `/`.
pub fn service_url(url: &str) -> String {
    let path = url.split(['?', '#']).next().unwrap_or(url);
    let path = path.strip_suffix("$metadata").unwrap_or(path);
    if path.ends_with('/') { path.to_owned() } else { format!("{path}/") }
}

/// Fetches and reads the `$metadata` at `url` (a service root or its
/// `$metadata`), with the documents it references from the same origin.
/// Returns the URL read and the model.
pub fn read_url(url: &str, options: &FetchOptions) -> Result<(String, Model), Error> {
    let url = metadata_url(url);
    let mut fetcher = Fetcher::new(&url, options)?;
    let bytes = fetcher.fetch(&url)?;
    crate::refuse_csdl_json(&url, &bytes)?;
    let model = edmx::read_bytes_with(&url, &bytes, &mut fetcher)?;
    Ok((url, model))
}

/// Fetches the bytes at `url` (for the maintainers' importer, which reads
/// them itself).
pub fn fetch_bytes(url: &str, options: &FetchOptions) -> Result<Vec<u8>, FetchError> {
    Fetcher::new(url, options)?.fetch(url)
}

/// Fetches documents from one origin.
struct Fetcher {
    origin: url::Origin,
    token: Option<String>,
    agent: ureq::Agent,
}

impl Fetcher {
    fn new(url: &str, options: &FetchOptions) -> Result<Fetcher, FetchError> {
        Fetcher::with_timeouts(url, options, REQUEST_TIMEOUT, CONNECT_TIMEOUT)
    }

    fn with_timeouts(
        url: &str,
        options: &FetchOptions,
        request_timeout: Duration,
        connect_timeout: Duration,
    ) -> Result<Fetcher, FetchError> {
        let parsed = parse_http(url)?;
        let token = options.bearer_token.clone().filter(|t| !t.is_empty());
        if token.is_some() && parsed.scheme() == "http" && !is_loopback(&parsed) {
            return Err(FetchError::TokenOverHttp(url.to_owned()));
        }
        let agent = ureq::Agent::config_builder()
            .max_redirects(0)
            .http_status_as_error(false)
            .timeout_global(Some(request_timeout))
            .timeout_connect(Some(connect_timeout))
            .build()
            .into();
        Ok(Fetcher { origin: parsed.origin(), token, agent })
    }

    fn fetch(&self, url: &str) -> Result<Vec<u8>, FetchError> {
        let parsed = parse_http(url)?;
        if parsed.origin() != self.origin {
            return Err(FetchError::OtherOrigin { url: url.to_owned(), origin: self.origin.ascii_serialization() });
        }
        let mut request = self.agent.get(url).header("Accept", "application/xml");
        if let Some(token) = &self.token {
            request = request.header("Authorization", &format!("Bearer {token}"));
        }
        let transport = |e: ureq::Error| FetchError::Transport { url: url.to_owned(), source: Box::new(e) };
        let mut response = request.call().map_err(transport)?;
        let status = response.status().as_u16();
        if (300..400).contains(&status) {
            let location = response
                .headers()
                .get("location")
                .and_then(|l| l.to_str().ok())
                .unwrap_or("(no Location header)")
                .to_owned();
            return Err(FetchError::Redirected { url: url.to_owned(), location });
        }
        if status != 200 {
            return Err(FetchError::Status { url: url.to_owned(), status });
        }
        let mut bytes = Vec::new();
        response
            .body_mut()
            .as_reader()
            .take(MAX_DOCUMENT_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| FetchError::Transport { url: url.to_owned(), source: Box::new(e) })?;
        if bytes.len() as u64 > MAX_DOCUMENT_BYTES {
            return Err(FetchError::TooLarge(url.to_owned()));
        }
        Ok(bytes)
    }
}

impl DocumentLoader for Fetcher {
    fn load(&mut self, base: &str, uri: &str) -> Result<LoadedDocument, LoadError> {
        let invalid = |e: url::ParseError| LoadError::new(LoadErrorKind::InvalidUri, format!("`{uri}`: {e}"));
        let base = Url::parse(base).map_err(invalid)?;
        let location = base.join(uri).map_err(invalid)?.to_string();
        let bytes = self.fetch(&location).map_err(|error| {
            let kind = match &error {
                FetchError::Status { status: 404, .. } => LoadErrorKind::NotFound,
                FetchError::TooLarge(_) => LoadErrorKind::TooLarge,
                FetchError::OtherOrigin { .. } | FetchError::NotHttp(_) => LoadErrorKind::Url,
                _ => LoadErrorKind::Other,
            };
            LoadError::new(kind, error.to_string())
        })?;
        Ok(LoadedDocument { location, bytes })
    }
}

fn parse_http(url: &str) -> Result<Url, FetchError> {
    let parsed = Url::parse(url).map_err(|_| FetchError::NotHttp(url.to_owned()))?;
    if matches!(parsed.scheme(), "http" | "https") && parsed.host().is_some() {
        Ok(parsed)
    } else {
        Err(FetchError::NotHttp(url.to_owned()))
    }
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_service_root_gets_its_metadata_path() {
        assert_eq!(metadata_url("https://example.com/svc/"), "https://example.com/svc/$metadata");
        assert_eq!(metadata_url("https://example.com/svc/$metadata"), "https://example.com/svc/$metadata");
        assert_eq!(metadata_url("https://example.com/model.xml"), "https://example.com/model.xml");
        assert_eq!(
            metadata_url("http://bc:7048/BC/api/v2.0?tenant=t"),
            "http://bc:7048/BC/api/v2.0/$metadata?tenant=t"
        );
        assert_eq!(service_url("https://example.com/svc/$metadata"), "https://example.com/svc/");
        assert_eq!(service_url("https://example.com/svc"), "https://example.com/svc/");
    }

    #[test]
    fn references_stay_on_the_main_documents_origin() {
        let fetcher = Fetcher::new("https://example.com/svc/$metadata", &FetchOptions::default()).unwrap();
        for elsewhere in [
            "http://example.com/svc/GPS.xml",
            "https://example.com:8443/GPS.xml",
            "https://internal.example.com/GPS.xml",
            "http://169.254.169.254/latest/meta-data",
        ] {
            assert!(matches!(fetcher.fetch(elsewhere), Err(FetchError::OtherOrigin { .. })), "{elsewhere}");
        }
        assert!(matches!(fetcher.fetch("file:///etc/passwd"), Err(FetchError::NotHttp(_))));
    }

    /// A server on 127.0.0.1 that reads one request per connection and
    /// answers it with `answer` (or, with `None`, never answers); it counts
    /// the requests it read.
    fn local_server(answer: Option<&'static str>) -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
        use std::io::Write;
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let requests = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counted = requests.clone();
        std::thread::spawn(move || {
            let mut held = Vec::new();
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { break };
                let mut buffer = [0u8; 4096];
                let _ = stream.read(&mut buffer);
                counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                match answer {
                    Some(text) => {
                        let _ = stream.write_all(text.as_bytes());
                    }
                    None => held.push(stream),
                }
            }
        });
        (format!("http://127.0.0.1:{port}"), requests)
    }

    #[test]
    fn a_redirect_is_reported_not_followed() {
        let (base, requests) = local_server(Some(
            "HTTP/1.1 302 Found\r\nLocation: /elsewhere/$metadata\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        ));
        let url = format!("{base}/svc/$metadata");
        let fetcher = Fetcher::new(&url, &FetchOptions::default()).unwrap();
        match fetcher.fetch(&url) {
            Err(FetchError::Redirected { location, .. }) => assert_eq!(location, "/elsewhere/$metadata"),
            other => panic!("expected a refused redirect, got {other:?}"),
        }
        assert_eq!(requests.load(std::sync::atomic::Ordering::SeqCst), 1, "the redirect was not followed");
    }

    #[test]
    fn a_server_that_never_answers_times_out() {
        let (base, _) = local_server(None);
        let url = format!("{base}/svc/$metadata");
        let fetcher =
            Fetcher::with_timeouts(&url, &FetchOptions::default(), Duration::from_millis(300), Duration::from_secs(5))
                .unwrap();
        let started = std::time::Instant::now();
        let outcome = fetcher.fetch(&url);
        assert!(matches!(outcome, Err(FetchError::Transport { .. })), "{outcome:?}");
        assert!(started.elapsed() < Duration::from_secs(5), "took {:?}", started.elapsed());
    }

    #[test]
    fn a_token_does_not_travel_over_plain_http_beyond_loopback() {
        let options = FetchOptions { bearer_token: Some("secret".to_owned()) };
        assert!(matches!(
            Fetcher::new("http://bc.example.com/api/v2.0/$metadata", &options),
            Err(FetchError::TokenOverHttp(_))
        ));
        assert!(Fetcher::new("http://127.0.0.1:7048/api/v2.0/$metadata", &options).is_ok());
        assert!(Fetcher::new("https://bc.example.com/api/v2.0/$metadata", &options).is_ok());
        assert_eq!(format!("{options:?}"), "FetchOptions { bearer_token: Some(\"***\") }");
    }
}
