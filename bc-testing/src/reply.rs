//! What the fake answers, before it becomes an `HttpResponse`: a status,
//! headers and a body, and refusals in Business Central's error shape
//! (`{"error":{"code","message"}}`, the message ending in a correlation id).

use odata_v4_runtime::Headers;
use odata_v4_runtime::uuid::Uuid;

use crate::json::{JsonObject, JsonValue};

/// A refusal, sent as `{"error":{"code","message"}}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Failure {
    pub status: u16,
    pub code: String,
    pub message: String,
}

impl Failure {
    pub(crate) fn new(status: u16, code: &str, message: impl Into<String>) -> Failure {
        Failure { status, code: code.to_owned(), message: message.into() }
    }

    pub(crate) fn bad_request(message: impl Into<String>) -> Failure {
        Failure::new(400, "BadRequest", message)
    }

    pub(crate) fn bad_request_code(code: &str, message: impl Into<String>) -> Failure {
        Failure::new(400, code, message)
    }

    /// Business Central's answer to a write on a set that does not allow it.
    pub(crate) fn method_not_allowed(method: &str, set: &str) -> Failure {
        Failure::new(
            405,
            "BadRequest_MethodNotAllowed",
            format!(
                "'{method}' requests for '{set}' of EdmType 'Entity' are not allowed within Dynamics 365 Business Central OData web services."
            ),
        )
    }

    /// The error body Business Central sends, its message ending in `correlation`.
    pub(crate) fn reply(&self, correlation: Uuid) -> Reply {
        let mut error = JsonObject::new();
        error.insert("code", JsonValue::string(self.code.clone()));
        let message = format!("{}  CorrelationId:  {correlation}.", self.message);
        error.insert("message", JsonValue::string(message));
        let mut body = JsonObject::new();
        body.insert("error", JsonValue::Object(error));
        json_reply(self.status, &body)
    }
}

/// A response before it becomes an `HttpResponse`.
#[derive(Debug, Clone)]
pub(crate) struct Reply {
    pub status: u16,
    pub headers: Headers,
    pub body: Vec<u8>,
}

pub(crate) fn content_type(value: &str) -> Headers {
    let mut headers = Headers::new();
    headers.set("Content-Type", value);
    headers.set("OData-Version", "4.0");
    headers
}

pub(crate) fn json_reply(status: u16, body: &JsonObject) -> Reply {
    Reply {
        status,
        headers: content_type("application/json; odata.metadata=minimal; odata.streaming=true"),
        body: body.to_text().into_bytes(),
    }
}

pub(crate) fn no_content() -> Reply {
    let mut headers = Headers::new();
    headers.set("OData-Version", "4.0");
    Reply { status: 204, headers, body: Vec::new() }
}

/// A request body that must be JSON.
pub(crate) fn parse_body(body: Option<&[u8]>) -> Result<JsonValue, Failure> {
    let text = body.map(String::from_utf8_lossy).unwrap_or_default();
    if text.trim().is_empty() {
        return Err(Failure::bad_request("The request needs a JSON body."));
    }
    JsonValue::parse(&text).map_err(|e| Failure::bad_request(format!("The request body is not valid JSON: {e}")))
}
