//! JSON `$batch`, the envelope: reading its operations and writing the
//! answer. Each operation is handled as if it had been sent alone, and an
//! atomic batch (`Isolation: snapshot`) is undone when one fails; the
//! service carries that out.

use odata_v4_runtime::{Headers, Method};

use crate::json::{JsonObject, JsonValue};
use crate::reply::{Failure, Reply, json_reply, parse_body};

/// Business Central's limit on operations in one `$batch`.
const MAX_BATCH_OPERATIONS: usize = 100;

/// One operation of a `$batch`.
#[derive(Debug, Clone)]
pub(crate) struct Operation {
    pub id: String,
    pub method: Method,
    /// Absolute: relative URLs are resolved against the service root.
    pub url: String,
    pub headers: Headers,
    pub body: Option<String>,
}

/// The operations of a `$batch` body, at most Business Central's 100.
pub(crate) fn operations(root: &str, body: Option<&[u8]>) -> Result<Vec<Operation>, Failure> {
    let json = parse_body(body)?;
    let Some(JsonValue::Array(requests)) = json.as_object().and_then(|o| o.get("requests")) else {
        return Err(Failure::bad_request("A JSON $batch body needs a `requests` array."));
    };
    if requests.len() > MAX_BATCH_OPERATIONS {
        return Err(Failure::bad_request(format!(
            "The batch holds {} operations; Business Central accepts at most {MAX_BATCH_OPERATIONS}.",
            requests.len()
        )));
    }
    requests.iter().map(|request| operation(root, request)).collect()
}

fn operation(root: &str, request: &JsonValue) -> Result<Operation, Failure> {
    let Some(request) = request.as_object() else {
        return Err(Failure::bad_request("Each batch request must be an object."));
    };
    let text = |name: &str| request.get(name).and_then(JsonValue::as_str).unwrap_or_default().to_owned();
    let method = match text("method").to_ascii_uppercase().as_str() {
        "GET" => Method::Get,
        "POST" => Method::Post,
        "PATCH" => Method::Patch,
        "PUT" => Method::Put,
        "DELETE" => Method::Delete,
        other => return Err(Failure::bad_request(format!("Unknown method '{other}' in the batch."))),
    };
    let relative = text("url");
    let url = if relative.contains("://") { relative } else { format!("{root}{}", relative.trim_start_matches('/')) };
    let mut headers = Headers::new();
    if let Some(JsonValue::Object(map)) = request.get("headers") {
        for (name, value) in map.iter() {
            headers.append(name, value.as_str().map_or_else(|| value.to_text(), str::to_owned));
        }
    }
    let body = request.get("body").map(|b| match b {
        JsonValue::String(text) => text.clone(),
        other => other.to_text(),
    });
    Ok(Operation { id: text("id"), method, url, headers, body })
}

/// Whether the batch asks to be one transaction (`Isolation: snapshot`).
pub(crate) fn is_atomic(headers: &Headers) -> bool {
    headers.get("Isolation").is_some_and(|v| v.eq_ignore_ascii_case("snapshot"))
}

/// What an operation of a rolled-back atomic batch answers instead of its
/// own success.
pub(crate) fn rolled_back() -> Failure {
    Failure::new(424, "BadRequest_BatchRolledBack", "The batch was rolled back: another operation in it failed.")
}

/// What an operation that is itself a `$batch` answers.
pub(crate) fn nested_batch() -> Failure {
    Failure::bad_request("A $batch cannot contain another $batch.")
}

/// The answer to a `$batch`: each operation's id, status, headers and body.
pub(crate) fn envelope(responses: Vec<(String, Reply)>) -> Reply {
    let mut items = Vec::new();
    for (id, reply) in responses {
        let mut item = JsonObject::new();
        item.insert("id", JsonValue::string(id));
        item.insert("status", JsonValue::number(reply.status));
        let mut header_map = JsonObject::new();
        for (name, value) in reply.headers.iter() {
            header_map.insert(name.to_ascii_lowercase(), JsonValue::string(value));
        }
        item.insert("headers", JsonValue::Object(header_map));
        if !reply.body.is_empty() {
            let text = String::from_utf8_lossy(&reply.body).into_owned();
            let body = JsonValue::parse(&text).unwrap_or(JsonValue::String(text));
            item.insert("body", body);
        }
        items.push(JsonValue::Object(item));
    }
    let mut envelope = JsonObject::new();
    envelope.insert("responses", JsonValue::Array(items));
    json_reply(200, &envelope)
}
