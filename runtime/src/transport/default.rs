//! [`DefaultTransport`]: the HTTP stack on reqwest, used when the caller
//! supplies no transport.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use futures_util::stream;
use rustls::crypto::CryptoProvider;

use super::{BoxFuture, Transport, TransportError, TransportErrorKind};
use crate::http::{Body, Headers, HttpRequest, HttpResponse, Method, check_header};

/// The HTTP stack used when the caller configures none: a pooled reqwest
/// client over rustls with the platform's certificate verifier, or the
/// caller's own reqwest client
/// ([`ClientBuilder::reqwest_client`](crate::ClientBuilder::reqwest_client)).
///
/// The TLS configuration is handed to reqwest directly: no crypto provider
/// is installed for the process. The provider is the one the application
/// installed process-wide, if any (a FIPS provider, for instance), or else
/// the one this crate's features select (`aws-lc-rs` over `ring`).
///
/// The built-in client follows no redirect: the runtime's client decides
/// which are safe (see [`Client::execute`](crate::Client::execute)).
#[derive(Clone)]
pub struct DefaultTransport {
    http: reqwest::Client,
    /// Send every request body as a one-shot stream, so that an HTTP client
    /// whose redirect policy is not ours cannot send it again elsewhere
    /// (reqwest re-sends only bodies it can clone).
    bodies_as_streams: bool,
}

impl DefaultTransport {
    /// Builds the default stack. `connect_timeout` bounds establishing a
    /// connection; the overall per-attempt timeout is applied by the
    /// client for every transport alike.
    pub fn new(connect_timeout: Option<Duration>) -> Result<DefaultTransport, TransportError> {
        let mut builder = reqwest::Client::builder()
            .tls_backend_preconfigured(tls_config()?)
            .redirect(reqwest::redirect::Policy::none());
        if let Some(timeout) = connect_timeout {
            builder = builder.connect_timeout(timeout);
        }
        let http = builder.build().map_err(|e| {
            TransportError::new(TransportErrorKind::Other, "could not build the HTTP client")
                .with_source(e.without_url())
        })?;
        Ok(DefaultTransport { http, bodies_as_streams: false })
    }

    /// The caller's own reqwest client, with its proxies, roots and
    /// redirect policy. Request bodies are streamed so that its redirect
    /// policy can never send a body (a client secret, a PATCH) again, and
    /// an answer that came through a redirect it followed is refused.
    pub(crate) fn from_reqwest(http: reqwest::Client) -> DefaultTransport {
        DefaultTransport { http, bodies_as_streams: true }
    }

    async fn send_request(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        let method = match request.method {
            Method::Get => reqwest::Method::GET,
            Method::Post => reqwest::Method::POST,
            Method::Patch => reqwest::Method::PATCH,
            Method::Put => reqwest::Method::PUT,
            Method::Delete => reqwest::Method::DELETE,
        };
        let mut builder = self.http.request(method, &request.url);
        for (name, value) in request.headers.iter() {
            check_header(name, value).map_err(|message| TransportError::new(TransportErrorKind::Other, message))?;
            builder = builder.header(name, value);
        }
        if let Some(body) = request.body {
            builder = match body.as_bytes() {
                Some(bytes) if !self.bodies_as_streams => builder.body(bytes.clone()),
                _ => {
                    if let Some(length) = body.len() {
                        builder = builder.header(reqwest::header::CONTENT_LENGTH, length);
                    }
                    builder.body(reqwest::Body::wrap_stream(body.into_stream()))
                }
            };
        }
        let request = builder.build().map_err(from_reqwest)?;
        let sent_to = request.url().clone();
        let response = self.http.execute(request).await.map_err(from_reqwest)?;
        if *response.url() != sent_to {
            // A caller's client whose redirect policy is not `none`: the
            // redirect was followed before the runtime could judge it, and
            // its answer must not pass for the one asked for.
            tracing::error!(
                "the HTTP client followed a redirect itself; build it with \
                 reqwest::redirect::Policy::none() (see ClientBuilder::reqwest_client)"
            );
            return Err(TransportError::redirect_followed(response.url().as_str()));
        }
        let status = response.status().as_u16();
        let mut headers = Headers::new();
        for (name, value) in response.headers() {
            headers.append(name.as_str(), String::from_utf8_lossy(value.as_bytes()));
        }
        let length = response.content_length();
        let chunks = stream::try_unfold(response, |mut response| async move {
            match response.chunk().await {
                Ok(Some(chunk)) => Ok(Some((chunk, response))),
                Ok(None) => Ok(None),
                Err(error) => Err(std::io::Error::other(error.without_url())),
            }
        });
        let body = match length {
            Some(length) => Body::sized_stream(length, chunks),
            None => Body::from_stream(chunks),
        };
        Ok(HttpResponse { status, headers, body })
    }
}

impl Transport for DefaultTransport {
    fn send(&self, request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, TransportError>> {
        Box::pin(self.send_request(request))
    }
}

impl fmt::Debug for DefaultTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DefaultTransport").field("own_client", &self.bodies_as_streams).finish()
    }
}

/// rustls with the chosen provider, the platform's verifier, and ALPN for
/// HTTP/2 and HTTP/1.1 (reqwest sets ALPN only on configurations it builds).
fn tls_config() -> Result<rustls::ClientConfig, TransportError> {
    let tls_error = |message: &str, error: rustls::Error| {
        TransportError::new(TransportErrorKind::Other, message.to_owned()).with_source(error)
    };
    let provider = crypto_provider()?;
    let verifier = rustls_platform_verifier::Verifier::new(provider.clone())
        .map_err(|e| tls_error("could not load the platform's certificate verifier", e))?;
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| tls_error("the TLS crypto provider supports no safe protocol version", e))?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(config)
}

/// The application's process-wide provider if it installed one, else the
/// one this crate was built with. Never installs anything.
fn crypto_provider() -> Result<Arc<CryptoProvider>, TransportError> {
    if let Some(installed) = CryptoProvider::get_default() {
        return Ok(installed.clone());
    }
    built_in_provider().ok_or_else(|| {
        TransportError::new(
            TransportErrorKind::Other,
            "no TLS crypto provider: enable the `ring` or `aws-lc-rs` feature of odata-v4-runtime, \
             or install one with rustls::crypto::CryptoProvider::install_default",
        )
    })
}

#[cfg(feature = "aws-lc-rs")]
fn built_in_provider() -> Option<Arc<CryptoProvider>> {
    Some(Arc::new(rustls::crypto::aws_lc_rs::default_provider()))
}

// rustls 0.23.48 deprecates its *ring* provider because *ring* has no
// post-quantum key exchange; it offers no other way to build that provider.
// The `ring` feature stays the user's choice (the default: a smaller C build
// than aws-lc-rs'), so the deprecation is acknowledged here, on the one
// call, and documented on the features: `aws-lc-rs` brings X25519MLKEM768.
// `allow` rather than `expect`: with rustls before 0.23.48 nothing is
// deprecated, and a user's lock file may hold such a version.
#[cfg(all(feature = "ring", not(feature = "aws-lc-rs")))]
#[allow(deprecated)]
fn built_in_provider() -> Option<Arc<CryptoProvider>> {
    Some(Arc::new(rustls::crypto::ring::default_provider()))
}

#[cfg(not(any(feature = "ring", feature = "aws-lc-rs")))]
fn built_in_provider() -> Option<Arc<CryptoProvider>> {
    None
}

fn from_reqwest(error: reqwest::Error) -> TransportError {
    // reqwest flags a connect timeout as both a timeout and a connect
    // error. The connect phase wins: nothing was sent, which is what
    // decides whether the request may be retried.
    let (kind, message) = if error.is_connect() {
        let message = if error.is_timeout() { "could not connect (timed out)" } else { "could not connect" };
        (TransportErrorKind::Connect, message)
    } else if error.is_timeout() {
        (TransportErrorKind::Timeout, "timed out")
    } else {
        (TransportErrorKind::Other, "HTTP exchange failed")
    };
    // The URL is dropped: callers know it, and query strings do not belong
    // in error messages that end up in logs.
    TransportError::new(kind, message).with_source(error.without_url())
}
