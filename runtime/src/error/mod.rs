//! The runtime's error type. Every failure, from configuration to a service
//! answer that does not fit the expected type, is one [`Error`] whose case
//! tells the caller what to do next (retry later, reload and merge, fix the
//! request, fix the credentials, ...).
//!
//! Error text is bounded and safe to log: service messages are cut in
//! `Display` (the code is kept whole), URLs carry no query values unless
//! the client opts in
//! ([`ClientBuilder::query_values_in_errors`](crate::ClientBuilder::query_values_in_errors)),
//! and no `Display` repeats the text of its
//! [`source`](std::error::Error::source).

mod decode;
mod service;

use std::fmt;

use crate::http::HttpResponse;
use crate::profile::ServiceProfile;
use crate::transport::{TransportError, TransportErrorKind};

pub use decode::DecodeError;
pub use service::ServiceError;

/// Everything that can go wrong when talking to an OData service.
///
/// Service-side cases carry the parsed [`ServiceError`]; use
/// [`Error::status`], [`Error::code`] and [`Error::correlation_id`] to read
/// it without matching every case.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Error {
    /// 404: the entity, navigation or route does not exist (or the caller
    /// may not see it).
    NotFound(ServiceError),
    /// The `If-Match` ETag no longer matches: someone changed the entity
    /// since it was read. OData servers answer 412; some services answer
    /// 409 with a code of their own (listed in the
    /// [`ServiceProfile`](crate::ServiceProfile)). Reload the entity,
    /// reapply the change and try again.
    StaleEtag(ServiceError),
    /// Any other 409, such as a duplicate key.
    Conflict(ServiceError),
    /// 429 that persisted through every retry the policy allowed. The
    /// service's `Retry-After`, when sent, is in the [`ServiceError`].
    Throttled(ServiceError),
    /// 401: the service rejected the credentials (after one retry with a
    /// fresh token, when the credentials can produce one).
    Unauthorized(ServiceError),
    /// 403: authenticated, but missing permissions in the service.
    Forbidden(ServiceError),
    /// The request took too long: either the client's own timeout fired
    /// (`transport` is set) or the service gave up with 408 or 504
    /// (`service` is set).
    Timeout {
        /// The service's answer when the service timed out.
        service: Option<ServiceError>,
        /// The client-side failure when the client's timeout fired.
        transport: Option<TransportError>,
    },
    /// Any other non-2xx answer.
    Service(ServiceError),
    /// The request never got a complete HTTP answer: connection refused or
    /// not established in time, DNS or TLS failure, connection reset while
    /// reading.
    Transport(TransportError),
    /// A successful answer whose body does not have the expected shape.
    Decode(DecodeError),
    /// A successful answer whose body is longer than the client's limit
    /// for it (see [`BodyLimits`](crate::BodyLimits)); the rest was not
    /// read.
    ResponseTooLarge {
        /// The limit, in bytes.
        limit: u64,
    },
    /// The service answered with a redirect the client does not follow:
    /// one to another origin (scheme, host, port), or one of a request that
    /// carries a body. Following it could hand the body or the credentials
    /// to someone else.
    ///
    /// Also the failure of a request whose HTTP client followed a redirect
    /// on its own (a caller's reqwest client built without
    /// `redirect(Policy::none())`, see
    /// [`ClientBuilder::reqwest_client`](crate::ClientBuilder::reqwest_client)):
    /// the answer is not used, and `status` is 0.
    Redirected {
        /// The 3xx status; 0 when the HTTP client followed the redirect
        /// itself and did not say.
        status: u16,
        /// Where the service pointed (without query values unless the
        /// client opted in).
        location: Option<String>,
    },
    /// A collection could not be paged through safely (see
    /// [`PagingError`]).
    Paging(PagingError),
    /// A create succeeded (`204 No Content`) but the new entity could not
    /// be read back. It exists: do not send the create again.
    CreatedUnread {
        /// The `Location` the service gave for it, if any.
        location: Option<String>,
        /// Why reading it back failed, when it was tried.
        read_back: Option<Box<Error>>,
    },
    /// No credentials could be obtained (the token endpoint refused or
    /// could not be reached).
    Authentication(AuthenticationError),
    /// The service never ran the operation: a `$batch` ended (at an earlier
    /// failure, or in an all-or-nothing batch) before reaching it.
    Skipped(String),
    /// The SDK refused to send the request: bad configuration, or a request
    /// the service is known to reject (such as an atomic batch over the
    /// operation limit).
    InvalidRequest(String),
}

/// Why a [`PageStream`](crate::PageStream) stopped before the end of its
/// collection.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PagingError {
    /// A next link pointed at a page this stream fetched already: following
    /// it would loop forever (and spend the service's request budget).
    RevisitedLink {
        /// The link (without query values unless the client opted in).
        url: String,
        /// How many pages the stream had fetched.
        pages: u64,
    },
    /// The stream fetched as many pages as it may (see
    /// [`ClientBuilder::max_pages_per_stream`](crate::ClientBuilder::max_pages_per_stream)).
    TooManyPages {
        /// The cap.
        limit: u64,
    },
}

impl fmt::Display for PagingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PagingError::RevisitedLink { url, pages } => {
                write!(f, "after {pages} pages, the next link points at a page already fetched ({url})")
            }
            PagingError::TooManyPages { limit } => write!(f, "the stream reached its cap of {limit} pages"),
        }
    }
}

impl Error {
    /// Maps a non-2xx response to the matching case.
    ///
    /// Public so that custom code (transports, middleware, hand-built
    /// requests) classifies failures exactly like the SDK does.
    pub fn from_response(response: &HttpResponse) -> Error {
        let service = ServiceError::from_response(response);
        match service.status {
            401 => Error::Unauthorized(service),
            403 => Error::Forbidden(service),
            404 => Error::NotFound(service),
            408 | 504 => Error::Timeout { service: Some(service), transport: None },
            409 => Error::Conflict(service),
            412 => Error::StaleEtag(service),
            429 => Error::Throttled(service),
            _ => Error::Service(service),
        }
    }

    /// A decode failure: `url` is the request's URL (may be empty when not
    /// known yet, see [`Error::with_url`]), `path` the JSON path that failed
    /// (`value[3].postingDate`), `message` the deserializer's explanation.
    /// The path and message are bounded (see [`DecodeError`]).
    pub fn decode(url: impl Into<String>, path: impl Into<String>, message: impl Into<String>) -> Error {
        Error::Decode(DecodeError::new(url.into(), path.into(), message.into()))
    }

    /// Fills in the request URL of a [`Error::Decode`] that was raised
    /// without one (decoders only see the response). Other cases, and decode
    /// errors that already name a URL, are returned unchanged.
    pub fn with_url(self, url: impl Into<String>) -> Error {
        match self {
            Error::Decode(mut decode) if decode.url.is_empty() => {
                decode.url = url.into();
                Error::Decode(decode)
            }
            other => other,
        }
    }

    /// The details the service sent, for every service-side case.
    pub fn service_error(&self) -> Option<&ServiceError> {
        match self {
            Error::NotFound(e)
            | Error::StaleEtag(e)
            | Error::Conflict(e)
            | Error::Throttled(e)
            | Error::Unauthorized(e)
            | Error::Forbidden(e)
            | Error::Service(e) => Some(e),
            Error::Timeout { service, .. } => service.as_ref(),
            Error::Authentication(e) => e.response(),
            _ => None,
        }
    }

    /// The HTTP status, when the failure came with an HTTP answer.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Redirected { status, .. } if *status != 0 => Some(*status),
            Error::Redirected { .. } => None,
            _ => self.service_error().map(|e| e.status),
        }
    }

    /// The service's error code, such as `Request_EntityChanged` or
    /// `BadRequest_ResourceNotFound`.
    pub fn code(&self) -> Option<&str> {
        self.service_error().and_then(|e| e.code.as_deref())
    }

    /// The correlation id the service reported (see
    /// [`ServiceError::correlation_id`]); quote it in support requests.
    pub fn correlation_id(&self) -> Option<&str> {
        self.service_error().and_then(|e| e.correlation_id.as_deref())
    }

    /// Reads a service-side error the way the service with `profile`
    /// reports it: a 409 with one of its stale-ETag codes becomes
    /// [`Error::StaleEtag`], and a correlation id appended to the message
    /// after the profile's marker moves to
    /// [`ServiceError::correlation_id`]. Other errors are unchanged.
    pub fn in_dialect(mut self, profile: &ServiceProfile) -> Error {
        if let (Some(marker), Some(service)) = (profile.message_correlation_marker, self.service_error_mut())
            && service.correlation_id.is_none()
        {
            let (message, id) = service::split_correlation_id(&service.message, marker);
            service.message = message;
            service.correlation_id = id;
        }
        match self {
            Error::Conflict(service)
                if service.code.as_deref().is_some_and(|code| profile.stale_etag_codes.contains(&code)) =>
            {
                Error::StaleEtag(service)
            }
            other => other,
        }
    }

    fn service_error_mut(&mut self) -> Option<&mut ServiceError> {
        match self {
            Error::NotFound(e)
            | Error::StaleEtag(e)
            | Error::Conflict(e)
            | Error::Throttled(e)
            | Error::Unauthorized(e)
            | Error::Forbidden(e)
            | Error::Service(e) => Some(e),
            Error::Timeout { service, .. } => service.as_mut(),
            _ => None,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::NotFound(e) => write!(f, "not found: {e}"),
            Error::StaleEtag(e) => write!(f, "the entity was changed by someone else (stale ETag): {e}"),
            Error::Conflict(e) => write!(f, "conflict: {e}"),
            Error::Throttled(e) => write!(f, "throttled by the service: {e}"),
            Error::Unauthorized(e) => write!(f, "credentials rejected: {e}"),
            Error::Forbidden(e) => write!(f, "permission denied: {e}"),
            Error::Timeout { service: Some(e), .. } => write!(f, "the service timed out: {e}"),
            Error::Timeout { transport: Some(e), .. } => write!(f, "request timed out: {e}"),
            Error::Timeout { .. } => f.write_str("request timed out"),
            Error::Service(e) => write!(f, "service error: {e}"),
            Error::Transport(e) => write!(f, "transport error: {e}"),
            Error::Decode(e) => write!(f, "{e}"),
            Error::ResponseTooLarge { limit } => {
                write!(f, "the response body is larger than the client's limit of {limit} bytes")
            }
            Error::Redirected { status: 0, location } => {
                f.write_str("the HTTP client followed a redirect")?;
                if let Some(location) = location {
                    write!(f, " to {location}")?;
                }
                f.write_str(
                    " itself, and its answer was not used: build the client with \
                     reqwest::redirect::Policy::none()",
                )
            }
            Error::Redirected { status, location } => {
                write!(f, "redirect (HTTP {status}")?;
                if let Some(location) = location {
                    write!(f, " to {location}")?;
                }
                f.write_str(") not followed: it would carry the body or the credentials elsewhere")
            }
            Error::Paging(e) => write!(f, "paging stopped: {e}"),
            Error::CreatedUnread { location, read_back } => {
                f.write_str("the entity was created but could not be read back; do not create it again")?;
                if let Some(location) = location {
                    write!(f, " (it is at {location})")?;
                }
                if let Some(read_back) = read_back {
                    write!(f, ": {read_back}")?;
                }
                Ok(())
            }
            Error::Authentication(e) => write!(f, "authentication failed: {e}"),
            Error::InvalidRequest(message) => write!(f, "invalid request: {message}"),
            Error::Skipped(message) => write!(f, "not executed: {message}"),
        }
    }
}

impl std::error::Error for Error {
    /// The failure underneath, skipping the runtime's own wrappers whose
    /// text `Display` already includes: a transport error's source is the
    /// HTTP library's error, not the [`TransportError`] printed above it.
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Transport(e) | Error::Timeout { transport: Some(e), .. } => std::error::Error::source(e),
            Error::Authentication(e) => e.source.as_deref().map(|s| s as &(dyn std::error::Error + 'static)),
            _ => None,
        }
    }
}

impl From<TransportError> for Error {
    fn from(error: TransportError) -> Error {
        if error.kind() == TransportErrorKind::Redirected {
            let location = error.redirected_to().map(|location| crate::redact::redacted_url(location, false));
            Error::Redirected { status: 0, location }
        } else if error.is_timeout() {
            Error::Timeout { service: None, transport: Some(error) }
        } else {
            Error::Transport(error)
        }
    }
}

/// Credentials could not be obtained.
#[derive(Debug, Clone)]
pub struct AuthenticationError {
    message: String,
    response: Option<Box<ServiceError>>,
    source: Option<std::sync::Arc<dyn std::error::Error + Send + Sync>>,
}

impl AuthenticationError {
    /// An authentication failure described by `message` (which must not
    /// contain any secret).
    pub fn new(message: impl Into<String>) -> AuthenticationError {
        AuthenticationError { message: message.into(), response: None, source: None }
    }

    /// Attaches the token endpoint's error answer.
    pub fn with_response(mut self, response: ServiceError) -> AuthenticationError {
        self.response = Some(Box::new(response));
        self
    }

    /// Attaches the underlying failure (a transport error, for instance).
    pub fn with_source(mut self, source: impl std::error::Error + Send + Sync + 'static) -> AuthenticationError {
        self.source = Some(std::sync::Arc::new(source));
        self
    }

    /// What went wrong.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The token endpoint's answer, when it answered with an error.
    pub fn response(&self) -> Option<&ServiceError> {
        self.response.as_deref()
    }
}

impl fmt::Display for AuthenticationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if let Some(response) = &self.response {
            write!(f, " ({response})")?;
        }
        Ok(())
    }
}
