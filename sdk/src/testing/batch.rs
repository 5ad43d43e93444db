//! JSON `$batch`: each operation handled as if it had been sent alone;
//! with `Isolation: snapshot`, every change undone when one fails.

use odata_v4_runtime::{Headers, Method};

use super::json::{JsonObject, JsonValue};
use super::service::{Failure, Journal, Reply, State, SubRequest, json_reply, parse_body};

/// Business Central's limit on operations in one `$batch`.
const MAX_BATCH_OPERATIONS: usize = 100;

impl State {
    /// A JSON `$batch`: each operation handled as if sent alone; with
    /// `Isolation: snapshot`, all of them undone when one fails.
    pub(crate) fn batch(
        &mut self,
        route: usize,
        root: &str,
        headers: &Headers,
        body: Option<&[u8]>,
        journal: &mut Journal,
    ) -> Result<Reply, Failure> {
        let json = parse_body(body)?;
        let requests = match json.as_object().and_then(|o| o.get("requests")) {
            Some(JsonValue::Array(requests)) => requests.clone(),
            _ => return Err(Failure::bad_request("A JSON $batch body needs a `requests` array.")),
        };
        if requests.len() > MAX_BATCH_OPERATIONS {
            return Err(Failure::bad_request(format!(
                "The batch holds {} operations; Business Central accepts at most {MAX_BATCH_OPERATIONS}.",
                requests.len()
            )));
        }
        let atomic = headers.get("Isolation").is_some_and(|v| v.eq_ignore_ascii_case("snapshot"));
        let snapshot = atomic.then(|| self.routes[route].store.clone());
        let mut responses = Vec::new();
        let mut failed = false;
        for request in &requests {
            let Some(request) = request.as_object() else {
                return Err(Failure::bad_request("Each batch request must be an object."));
            };
            let text = |name: &str| request.get(name).and_then(JsonValue::as_str).unwrap_or_default().to_owned();
            let id = text("id");
            let method = match text("method").to_ascii_uppercase().as_str() {
                "GET" => Method::Get,
                "POST" => Method::Post,
                "PATCH" => Method::Patch,
                "PUT" => Method::Put,
                "DELETE" => Method::Delete,
                other => return Err(Failure::bad_request(format!("Unknown method '{other}' in the batch."))),
            };
            let relative = text("url");
            let url =
                if relative.contains("://") { relative } else { format!("{root}{}", relative.trim_start_matches('/')) };
            let mut sub_headers = Headers::new();
            if let Some(JsonValue::Object(map)) = request.get("headers") {
                for (name, value) in map.iter() {
                    sub_headers.append(name, value.as_str().map_or_else(|| value.to_text(), str::to_owned));
                }
            }
            let sub_body = request.get("body").map(|b| match b {
                JsonValue::String(text) => text.clone(),
                other => other.to_text(),
            });
            let reply = if url.contains("$batch") {
                self.failure_reply(&Failure::bad_request("A $batch cannot contain another $batch."))
            } else {
                self.handle(method, &url, &sub_headers, sub_body.as_deref().map(str::as_bytes), false, journal)
            };
            failed |= reply.status >= 400;
            journal.batch.push(SubRequest {
                method,
                url: url.clone(),
                headers: sub_headers,
                body: sub_body,
                status: reply.status,
            });
            responses.push((id, reply));
        }
        if failed && let Some(snapshot) = snapshot {
            self.routes[route].store = snapshot;
            let rolled_back = Failure::new(
                424,
                "BadRequest_BatchRolledBack",
                "The batch was rolled back: another operation in it failed.",
            );
            for (_, reply) in responses.iter_mut().filter(|(_, r)| r.status < 400) {
                *reply = self.failure_reply(&rolled_back);
            }
        }
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
        Ok(json_reply(200, &envelope))
    }
}
