//! [`ServiceError`]: what a service said about a failed request, read from
//! OData JSON errors, OAuth token endpoint errors, or any other body.

use std::fmt;
use std::time::Duration;

use crate::http::HttpResponse;

/// The longest excerpt of a non-JSON error body kept as the message. Gateway
/// pages can be kilobytes of markup; a sentence is enough to tell what
/// happened without flooding logs.
const BODY_EXCERPT_CHARS: usize = 200;

/// The most characters of a message `Display` prints. Services put stack
/// traces and whole records into messages; the code and the start of the
/// message say what happened, and logs stay readable.
pub(super) const DISPLAYED_MESSAGE_CHARS: usize = 1_000;

/// The most characters of a code or correlation id `Display` prints: both
/// are short identifiers unless the answer is hostile.
const DISPLAYED_ID_CHARS: usize = 200;

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
        let retry_after = crate::retry::parse_retry_after(&response.headers);
        let body = response.bytes();
        let parsed = parse_error_body(body).or_else(|| parse_cut_error_body(body)).unwrap_or_else(|| ParsedError {
            code: None,
            message: body_excerpt(body, response.status),
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
    /// `HTTP 400 Code: message (correlation id …)`, the message cut after
    /// 1,000 characters.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HTTP {}", self.status)?;
        if let Some(code) = &self.code {
            f.write_str(" ")?;
            write_bounded(f, code, DISPLAYED_ID_CHARS)?;
        }
        if !self.message.is_empty() {
            f.write_str(": ")?;
            write_bounded(f, &self.message, DISPLAYED_MESSAGE_CHARS)?;
        }
        if let Some(id) = &self.correlation_id {
            f.write_str(" (correlation id ")?;
            write_bounded(f, id, DISPLAYED_ID_CHARS)?;
            f.write_str(")")?;
        }
        Ok(())
    }
}

/// Writes at most `max_chars` characters of `text`, saying how many more
/// there were.
pub(super) fn write_bounded(f: &mut fmt::Formatter<'_>, text: &str, max_chars: usize) -> fmt::Result {
    match text.char_indices().nth(max_chars) {
        None => f.write_str(text),
        Some((cut, _)) => {
            let rest = text[cut..].chars().count();
            write!(f, "{}… ({rest} more characters)", &text[..cut])
        }
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

/// The code and the beginning of the message of an error body that was cut
/// (it exceeded the client's limit for error bodies): `{"error":{"code":
/// "…","message":"…` with the message unfinished. Services write the code
/// first, so it survives any cut that leaves a readable message. Returns
/// `None` when the beginning is not a JSON object naming either.
fn parse_cut_error_body(body: &[u8]) -> Option<ParsedError> {
    let text = body.strip_prefix("\u{feff}".as_bytes()).unwrap_or(body).trim_ascii_start();
    if !text.starts_with(b"{") {
        return None;
    }
    let string_after = |key: &str| {
        let at = find_bytes(text, key.as_bytes())? + key.len();
        let rest = text[at..].trim_ascii_start().strip_prefix(b":")?.trim_ascii_start();
        json_string_prefix(rest.strip_prefix(b"\"")?)
    };
    let (code, message, correlation_id) = match string_after("\"code\"") {
        Some(code) => (Some(code), string_after("\"message\""), None),
        // OAuth: `{"error":"invalid_client","error_description":"…"}`.
        None => (string_after("\"error\""), string_after("\"error_description\""), string_after("\"correlation_id\"")),
    };
    if code.is_none() && message.is_none() {
        return None;
    }
    Some(ParsedError {
        code: code.map(|(code, _)| code).filter(|c| !c.is_empty()),
        message: match message {
            Some((message, true)) => message,
            Some((message, false)) => format!("{message} …"),
            None => String::new(),
        },
        correlation_id: correlation_id.filter(|(_, complete)| *complete).map(|(id, _)| id),
    })
}

fn find_bytes(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|window| window == needle)
}

/// The JSON string starting at `raw` (just after its opening quote),
/// decoded as far as it goes, and whether it was complete.
fn json_string_prefix(raw: &[u8]) -> Option<(String, bool)> {
    let mut end = 0;
    let mut complete = false;
    while end < raw.len() {
        match raw[end] {
            b'"' => {
                complete = true;
                break;
            }
            b'\\' => {
                let escape_len = if raw.get(end + 1) == Some(&b'u') { 6 } else { 2 };
                if end + escape_len > raw.len() {
                    break;
                }
                end += escape_len;
            }
            _ => end += 1,
        }
    }
    let prefix = &raw[..end];
    // A cut can fall inside a multi-byte character.
    let valid = match std::str::from_utf8(prefix) {
        Ok(text) => text,
        Err(error) => std::str::from_utf8(&prefix[..error.valid_up_to()]).ok()?,
    };
    let decoded = serde_json::from_str::<String>(&format!("\"{valid}\"")).unwrap_or_else(|_| valid.to_owned());
    Some((decoded, complete))
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
pub(super) fn split_correlation_id(message: &str, marker: &str) -> (String, Option<String>) {
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
    fn a_cut_error_body_keeps_its_code_and_the_start_of_its_message() {
        let body = br#"{"error":{"code":"Application_FieldValidationException","message":"The field \"Name\" is t"#;
        let parsed = parse_cut_error_body(body).unwrap();
        assert_eq!(parsed.code.as_deref(), Some("Application_FieldValidationException"));
        assert_eq!(parsed.message, "The field \"Name\" is t …");
        let oauth = br#"{"error":"invalid_client","error_description":"AADSTS7000215: Inv"#;
        let parsed = parse_cut_error_body(oauth).unwrap();
        assert_eq!((parsed.code.as_deref(), parsed.message.as_str()), (Some("invalid_client"), "AADSTS7000215: Inv …"));
        let mid_escape = br#"{"error":{"code":"X","message":"caf\u00e9 \u00"#;
        assert_eq!(parse_cut_error_body(mid_escape).unwrap().message, "café  …");
        assert!(parse_cut_error_body(b"<html>").is_none());
        assert!(parse_cut_error_body(b"{\"other\":1").is_none());
    }

    #[test]
    fn display_is_bounded_and_keeps_the_code() {
        let error = ServiceError {
            status: 400,
            code: Some("Application_DialogException".to_owned()),
            message: "x".repeat(5_000_000),
            correlation_id: None,
            retry_after: None,
        };
        let shown = error.to_string();
        assert!(shown.len() < 1_200, "{} characters", shown.len());
        assert!(shown.starts_with("HTTP 400 Application_DialogException: xxx"));
        assert!(shown.ends_with("… (4999000 more characters)"), "{}", &shown[shown.len() - 40..]);
    }

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
