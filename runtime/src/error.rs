//! The runtime's error type. Every failure, from configuration to a service
//! answer that does not fit the expected type, is one [`Error`] whose case
//! tells the caller what to do next (retry later, reload and merge, fix the
//! request, fix the credentials, ...).

use std::fmt;
use std::time::Duration;

use crate::http::HttpResponse;
use crate::profile::ServiceProfile;
use crate::transport::TransportError;

/// The longest excerpt of a non-JSON error body kept as the message. Gateway
/// pages can be kilobytes of markup; a sentence is enough to tell what
/// happened without flooding logs.
const BODY_EXCERPT_CHARS: usize = 200;

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
    pub fn decode(url: impl Into<String>, path: impl Into<String>, message: impl Into<String>) -> Error {
        Error::Decode(DecodeError { url: url.into(), path: path.into(), message: message.into() })
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
            Error::Transport(_) | Error::Decode(_) | Error::InvalidRequest(_) | Error::Skipped(_) => None,
        }
    }

    /// The HTTP status, when the failure came with an HTTP answer.
    pub fn status(&self) -> Option<u16> {
        self.service_error().map(|e| e.status)
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
            let (message, id) = split_correlation_id(&service.message, marker);
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
            Error::Authentication(_)
            | Error::Transport(_)
            | Error::Decode(_)
            | Error::InvalidRequest(_)
            | Error::Skipped(_) => None,
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
            Error::Authentication(e) => write!(f, "authentication failed: {e}"),
            Error::InvalidRequest(message) => write!(f, "invalid request: {message}"),
            Error::Skipped(message) => write!(f, "not executed: {message}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Transport(e) => Some(e),
            Error::Timeout { transport: Some(e), .. } => Some(e),
            Error::Authentication(e) => e.source.as_deref().map(|s| s as &(dyn std::error::Error + 'static)),
            _ => None,
        }
    }
}

impl From<TransportError> for Error {
    fn from(error: TransportError) -> Error {
        if error.is_timeout() {
            Error::Timeout { service: None, transport: Some(error) }
        } else {
            Error::Transport(error)
        }
    }
}

/// What the service said about a failed request.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ServiceError {
    /// The HTTP status code.
    pub status: u16,
    /// `error.code` from the body (`BadRequest_NotFound`, ...), when the body
    /// was OData JSON.
    pub code: Option<String>,
    /// The human-readable message (without a correlation id the service's
    /// profile says it appends); for a non-JSON body, a short
    /// whitespace-collapsed excerpt of it.
    pub message: String,
    /// The id the service gave this failure for its own logs: from an
    /// OAuth error's `correlation_id`, or split off the message after the
    /// marker of the service's [`ServiceProfile`](crate::ServiceProfile).
    pub correlation_id: Option<String>,
    /// How long the service asked us to wait (`Retry-After`), if it said;
    /// at most a day, however long the header asked for.
    pub retry_after: Option<Duration>,
}

impl ServiceError {
    /// Parses a failed response. Never fails: bodies that are not OData
    /// JSON (gateway HTML, empty bodies) still give a readable message.
    pub fn from_response(response: &HttpResponse) -> ServiceError {
        let retry_after = super::retry::parse_retry_after(&response.headers);
        let parsed = parse_error_body(&response.body).unwrap_or_else(|| ParsedError {
            code: None,
            message: body_excerpt(&response.body, response.status),
            correlation_id: None,
        });
        ServiceError {
            status: response.status,
            code: parsed.code,
            message: parsed.message.trim().to_owned(),
            correlation_id: parsed.correlation_id,
            retry_after,
        }
    }
}

impl fmt::Display for ServiceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HTTP {}", self.status)?;
        if let Some(code) = &self.code {
            write!(f, " {code}")?;
        }
        if !self.message.is_empty() {
            write!(f, ": {}", self.message)?;
        }
        if let Some(id) = &self.correlation_id {
            write!(f, " (correlation id {id})")?;
        }
        Ok(())
    }
}

/// A 2xx body that does not fit the expected type.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DecodeError {
    /// The request's URL.
    pub url: String,
    /// Where in the JSON document decoding failed (`value[3].postingDate`),
    /// `.` for the document itself.
    pub path: String,
    /// The deserializer's explanation.
    pub message: String,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unexpected response body at `{}`: {}", self.path, self.message)?;
        if !self.url.is_empty() {
            write!(f, " (from {})", self.url)?;
        }
        Ok(())
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

/// What an error body said.
struct ParsedError {
    code: Option<String>,
    message: String,
    correlation_id: Option<String>,
}

/// `{"error":{"code":"…","message":"…"}}` (OData) or
/// `{"error":"invalid_client","error_description":"…","correlation_id":"…"}`
/// (OAuth 2.0 token endpoints; Entra adds the correlation id). Returns
/// `None` when the body is neither.
fn parse_error_body(body: &[u8]) -> Option<ParsedError> {
    #[derive(serde::Deserialize)]
    struct Envelope {
        error: ErrorField,
        error_description: Option<String>,
        correlation_id: Option<String>,
    }
    #[derive(serde::Deserialize)]
    #[serde(untagged)]
    enum ErrorField {
        OData { code: Option<String>, message: Option<String> },
        OAuth(String),
    }

    let envelope: Envelope = serde_json::from_slice(body).ok()?;
    let (code, message) = match envelope.error {
        ErrorField::OData { code, message } => (code, message.unwrap_or_default()),
        ErrorField::OAuth(code) => (Some(code), envelope.error_description.unwrap_or_default()),
    };
    Some(ParsedError {
        code: code.filter(|c| !c.is_empty()),
        message,
        correlation_id: envelope.correlation_id.filter(|id| !id.is_empty()),
    })
}

/// A readable sentence out of an arbitrary body: markup removed, whitespace
/// collapsed, cut at a character boundary.
fn body_excerpt(body: &[u8], status: u16) -> String {
    let text = String::from_utf8_lossy(body);
    let mut visible = String::with_capacity(text.len().min(4 * BODY_EXCERPT_CHARS));
    let mut in_tag = false;
    let mut pending_space = false;
    let mut kept = 0;
    for ch in text.chars() {
        match ch {
            '<' => {
                in_tag = true;
                pending_space = true;
            }
            '>' if in_tag => in_tag = false,
            _ if in_tag => {}
            c if c.is_whitespace() => pending_space = true,
            c => {
                if pending_space && !visible.is_empty() {
                    visible.push(' ');
                }
                pending_space = false;
                visible.push(c);
                kept += 1;
                if kept >= BODY_EXCERPT_CHARS {
                    visible.push('…');
                    break;
                }
            }
        }
    }
    if visible.is_empty() { format!("HTTP {status} with no readable body") } else { visible }
}

/// Splits the correlation id off a message: a service may end its messages
/// with `  CorrelationId:  <guid>.` or put `Correlation ID: <guid>` among
/// other trace details. Returns the message without the marker and id, and
/// the id. When no GUID follows the marker, the message is returned whole
/// (trimmed): text that is not an id must not be lost.
fn split_correlation_id(message: &str, marker: &str) -> (String, Option<String>) {
    let whole = || (message.trim().to_owned(), None);
    let Some(marker) = find_ignoring_ascii_case(message, marker) else {
        return whole();
    };
    let rest = message[marker.end..].trim_start();
    let id_len = rest.find(|c: char| !(c.is_ascii_hexdigit() || c == '-')).unwrap_or(rest.len());
    let id = &rest[..id_len];
    // Hex digits and dashes only, so this accepts exactly the plain
    // (32 digits) and hyphenated (8-4-4-4-12) spellings.
    if uuid::Uuid::try_parse(id).is_err() {
        return whole();
    }
    let after_id = rest[id_len..].trim_start_matches('.').trim();
    let before = message[..marker.start].trim_end();
    let stripped = if after_id.is_empty() {
        before.to_owned()
    } else if before.is_empty() {
        after_id.to_owned()
    } else {
        format!("{before} {after_id}")
    };
    (stripped, Some(id.to_owned()))
}

/// Byte range of `needle` in `haystack`, matched without regard to ASCII case.
fn find_ignoring_ascii_case(haystack: &str, needle: &str) -> Option<std::ops::Range<usize>> {
    // ASCII lowercasing keeps every byte offset, so the range also fits
    // the original text.
    let lower = haystack.to_ascii_lowercase();
    let needle = needle.to_ascii_lowercase();
    lower.find(&needle).map(|at| at..at + needle.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn correlation_id_is_split_from_the_message() {
        let message =
            "Another user has already changed the record.  CorrelationId:  1e1f27a7-d4cb-4b5e-93a8-1f1b0cbd29e2.";
        assert_eq!(
            split_correlation_id(message, "CorrelationId:"),
            (
                "Another user has already changed the record.".to_owned(),
                Some("1e1f27a7-d4cb-4b5e-93a8-1f1b0cbd29e2".to_owned())
            )
        );
        let entra = "AADSTS7000215: Invalid client secret. Trace ID: t Correlation ID: 1E1F27A7D4CB4B5E93A81F1B0CBD29E2 Timestamp: 2025-01-01";
        assert_eq!(
            split_correlation_id(entra, "correlation id:"),
            (
                "AADSTS7000215: Invalid client secret. Trace ID: t Timestamp: 2025-01-01".to_owned(),
                Some("1E1F27A7D4CB4B5E93A81F1B0CBD29E2".to_owned())
            )
        );
    }

    #[test]
    fn a_marker_without_a_guid_stays_in_the_message() {
        for message in [
            "Posting failed.  CorrelationId:  abc123.",
            "Posting failed. CorrelationId: ------------------------------------.",
            "Posting failed. CorrelationId: 1e1f27a7-d4cb-4b5e-93a8-1f1b0cbd29e",
            "Posting failed. CorrelationId:",
        ] {
            assert_eq!(split_correlation_id(message, "CorrelationId:"), (message.trim().to_owned(), None), "{message}");
        }
    }

    #[test]
    fn html_is_reduced_to_text() {
        let body =
            b"<html>\n<head><title>502 Bad Gateway</title></head>\n<body><h1>502   Bad Gateway</h1></body></html>";
        assert_eq!(body_excerpt(body, 502), "502 Bad Gateway 502 Bad Gateway");
        assert_eq!(body_excerpt(b"", 502), "HTTP 502 with no readable body");
    }
}
