//! JSON `$batch`: many operations in one HTTP call.
//!
//! A non-atomic batch asks the service to run its operations independently
//! (`Prefer: odata.continue-on-error`); an atomic one puts them in one
//! `atomicityGroup`, or for services that want it so (Business Central)
//! carries `Isolation: snapshot`, so that they succeed or fail together.
//! Sub-request header names are written in lower case, as HTTP/2 writes
//! them: they are case-insensitive, but some servers compare them as
//! written (SAP CAP 9 finds `If-Match` only as `if-match`). Services
//! that cap the operations per call declare the cap on the client
//! ([`ClientBuilder::max_batch_operations`](crate::ClientBuilder::max_batch_operations)).
//!
//! ```text
//! POST {api root}$batch
//! {"requests":[{"id":"1","method":"PATCH","url":"companies(…)/items(…)","headers":{…},"body":{…}}]}
//! → {"responses":[{"id":"1","status":200,"headers":{…},"body":{…}}]}
//! ```

use std::collections::BTreeMap;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};

use base64::Engine;
use bytes::Bytes;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use super::api::Api;
use super::error::Error;
use super::http::{Headers, HttpRequest, HttpResponse, Method};
use super::operation::OperationKind;
use super::profile::AtomicBatchStyle;
use super::request::{Decode, Request};

/// The one atomicity group of an atomic batch (its name is ours to choose;
/// it must only differ from every operation id).
const ATOMICITY_GROUP: &str = "all";

/// Tells handles of different batches apart.
static NEXT_BATCH_ID: AtomicU64 = AtomicU64::new(1);

/// A set of requests sent together through `$batch`.
///
/// Requests are added with [`Batch::add`], which returns a typed
/// [`BatchHandle`]; once the batch is awaited, each handle gives back its own
/// result through [`BatchResponse::take`], decoded exactly as if the
/// request had been sent alone.
///
/// # Size limit
///
/// When the client knows the service's limit
/// ([`Client::max_batch_operations`](crate::Client::max_batch_operations)),
/// a non-atomic batch over it is split into consecutive `$batch` calls of
/// at most that many operations each (it has no all-or-nothing promise to
/// keep), and an [atomic](Batch::atomic) batch over it is refused with
/// [`Error::InvalidRequest`]: splitting it would silently break its
/// atomicity.
///
/// Sub-requests are not retried individually, and a write answered with
/// 204 is not read back as awaiting a [`Request`] may do: ask for the entity
/// with `Prefer: return=representation` when you need it. The `$batch`
/// call as a whole is retried like its least repeatable operation (see
/// [`RetryPolicy`](super::retry::RetryPolicy)): a batch of reads alone as
/// a read, one with a create or action as a create, any other as an update.
pub struct Batch {
    api: Api,
    id: u64,
    atomic: bool,
    operations: Vec<Operation>,
    /// Why the batch cannot be sent, from the first request [`Batch::add`]
    /// had to refuse (reported by [`Batch::send`]).
    refusal: Option<String>,
}

struct Operation {
    method: Method,
    /// Relative to the API root, as `$batch` wants it.
    relative_url: String,
    headers: Headers,
    body: Option<Bytes>,
    kind: OperationKind,
    /// For error messages (as the client shows URLs).
    absolute_url: String,
}

impl Batch {
    /// An empty, non-atomic batch on `api`'s route.
    pub fn new(api: &Api) -> Batch {
        Batch {
            api: api.clone(),
            id: NEXT_BATCH_ID.fetch_add(1, Ordering::Relaxed),
            atomic: false,
            operations: Vec::new(),
            refusal: None,
        }
    }

    /// Makes the batch all-or-nothing: if one operation fails, the service
    /// rolls back the others. Marked as the service profile says
    /// ([`AtomicBatchStyle`](crate::AtomicBatchStyle)): one
    /// `atomicityGroup` for standard OData, `Isolation: snapshot` for
    /// Business Central. A service may then answer a failed group with one
    /// error for the operation that failed, and the others are reported as
    /// [`Error::Skipped`].
    pub fn atomic(mut self) -> Batch {
        self.atomic = true;
        self
    }

    /// The number of operations added so far.
    pub fn len(&self) -> usize {
        self.operations.len()
    }

    /// Whether no operation was added.
    pub fn is_empty(&self) -> bool {
        self.operations.is_empty()
    }

    /// Adds `request` and returns the handle to its result.
    ///
    /// The request must target a path under this batch's API root; a
    /// request with an absolute URL (a next link), built on another route,
    /// or refused by the typed layer (see [`Request::rejection`]) makes
    /// awaiting the batch fail with [`Error::InvalidRequest`] before anything
    /// is sent.
    pub fn add<T>(&mut self, request: Request<T>) -> BatchHandle<T> {
        let index = self.operations.len();
        let shown_url = self.api.client().url_for_errors(&request.url());
        if let Some(reason) = &request.rejection {
            self.refuse(format!("{shown_url}: {reason}"));
        }
        let relative_url = match request.target().relative_url() {
            Some(url) if request.api().root() == self.api.root() => url,
            Some(_) => {
                self.refuse(format!("{shown_url} belongs to another API route than the batch"));
                String::new()
            }
            None => {
                self.refuse(format!("{shown_url} is an absolute URL; $batch needs a path under the API root"));
                String::new()
            }
        };
        let body = match request.body {
            None => None,
            Some(body) => match body.as_bytes() {
                Some(bytes) => Some(bytes.clone()),
                None => {
                    self.refuse(format!("{shown_url} has a streamed body, which $batch cannot carry"));
                    None
                }
            },
        };
        self.operations.push(Operation {
            method: request.method,
            relative_url,
            absolute_url: shown_url,
            headers: request.headers,
            body,
            kind: request.kind,
        });
        BatchHandle { batch: self.id, index, decode: request.decode }
    }

    fn refuse(&mut self, reason: String) {
        self.refusal.get_or_insert(reason);
    }

    /// What awaiting the batch does: one `$batch` call, or several
    /// consecutive ones for a non-atomic batch over the 100-operation limit.
    ///
    /// `Err` means nothing was applied as far as the client knows: the
    /// batch was refused locally or its first call failed. If a later call
    /// of a split batch fails, the batch stops there and `Ok` is returned:
    /// operations of the earlier calls keep their results, and each
    /// operation of the failed call and of the calls not sent reports that
    /// failure from [`BatchResponse::take`].
    async fn run(self) -> Result<BatchResponse, Error> {
        if let Some(reason) = self.refusal {
            return Err(Error::InvalidRequest(reason));
        }
        let limit = self.api.client().max_batch_operations().unwrap_or(usize::MAX);
        if self.atomic && self.operations.len() > limit {
            return Err(Error::InvalidRequest(format!(
                "an atomic batch holds at most {limit} operations, this one has {}; \
                 splitting it would break its atomicity",
                self.operations.len()
            )));
        }
        let mut outcomes: Vec<Option<Result<HttpResponse, Error>>> = Vec::with_capacity(self.operations.len());
        let batch_url = self.api.url("$batch", "");
        // `chunks` needs at least one operation per chunk.
        let chunk_size = limit.clamp(1, self.operations.len().max(1));
        for (chunk_number, chunk) in self.operations.chunks(chunk_size).enumerate() {
            let first_index = chunk_number * chunk_size;
            match self.send_chunk(&batch_url, chunk, first_index).await {
                Ok(chunk_outcomes) => outcomes.extend(chunk_outcomes),
                Err(error) if chunk_number == 0 => return Err(error),
                Err(error) => {
                    tracing::warn!(chunk = chunk_number, error = %error, "a $batch call failed; later operations were not sent");
                    outcomes.resize_with(self.operations.len(), || Some(Err(error.clone())));
                    break;
                }
            }
        }
        let urls = self.operations.into_iter().map(|operation| operation.absolute_url).collect();
        Ok(BatchResponse { batch: self.id, outcomes, urls, profile: *self.api.profile() })
    }

    /// Sends one `$batch` call for `chunk`, whose first operation has the
    /// batch-wide index `first_index` (ids are `index + 1`, unique across
    /// the calls of a split batch).
    async fn send_chunk(
        &self,
        batch_url: &str,
        chunk: &[Operation],
        first_index: usize,
    ) -> Result<Vec<Option<Result<HttpResponse, Error>>>, Error> {
        let style = self.api.profile().atomic_batch;
        let group = (self.atomic && style == AtomicBatchStyle::AtomicityGroup).then_some(ATOMICITY_GROUP);
        let requests = chunk
            .iter()
            .enumerate()
            .map(|(offset, operation)| SubRequest::new(operation, first_index + offset + 1, group))
            .collect::<Result<Vec<_>, Error>>()?;
        let body = serde_json::to_vec(&Envelope { requests })
            .map_err(|e| Error::InvalidRequest(format!("could not serialize the batch: {e}")))?;
        let mut headers = Headers::new();
        headers.set("Content-Type", "application/json");
        if self.atomic {
            if style == AtomicBatchStyle::SnapshotIsolation {
                headers.set("Isolation", "snapshot");
            }
        } else {
            // OData servers stop a batch at its first failure unless asked to
            // go on; a non-atomic batch means independent operations.
            headers.set("Prefer", "odata.continue-on-error");
        }
        let http_request = HttpRequest {
            method: Method::Post,
            url: batch_url.to_owned(),
            headers,
            body: Some(Bytes::from(body).into()),
        };
        let kind = batch_kind(chunk);
        let response = self.api.execute(http_request, kind).await?;
        let parsed: ResponseEnvelope = super::decode::json(&response).map_err(|error| error.with_url(batch_url))?;

        let mut outcomes: Vec<Option<Result<HttpResponse, Error>>> = (0..chunk.len()).map(|_| None).collect();
        // Answers for ids the batch did not send: counted and logged once,
        // with the first id cut short (a service could send millions, of
        // any length).
        let mut unknown: Option<(usize, String)> = None;
        for sub in parsed.responses {
            let slot = sub
                .id
                .parse::<usize>()
                .ok()
                .and_then(|id| id.checked_sub(first_index + 1))
                .and_then(|offset| outcomes.get_mut(offset));
            match (slot, &mut unknown) {
                (Some(slot), _) => *slot = Some(sub.into_response()),
                (None, Some((count, _))) => *count += 1,
                (None, None) => unknown = Some((1, id_excerpt(&sub.id))),
            }
        }
        if let Some((count, first_id)) = unknown {
            tracing::warn!(count, first_id, "ignoring $batch answers for operation ids the batch did not send");
        }
        for (offset, outcome) in outcomes.iter_mut().enumerate() {
            if outcome.is_none() {
                let id = first_index + offset + 1;
                *outcome = Some(Err(Error::Skipped(format!(
                    "the service did not run operation {id} of the batch sent to {batch_url} (a batch that stops at a failure leaves the rest unanswered)"
                ))));
            }
        }
        Ok(outcomes)
    }
}

/// The start of a sub-response id as a log line may show it.
fn id_excerpt(id: &str) -> String {
    const SHOWN_CHARS: usize = 32;
    match id.char_indices().nth(SHOWN_CHARS) {
        Some((cut, _)) => format!("{}… ({} more characters)", &id[..cut], id[cut..].chars().count()),
        None => id.to_owned(),
    }
}

/// How to retry a `$batch` call: as its least repeatable operation. Any
/// create or action makes it a create (retried on 429 only), any other
/// write an update; only a call of reads alone is retried as a read.
fn batch_kind(chunk: &[Operation]) -> OperationKind {
    if chunk.iter().any(|operation| operation.kind.may_duplicate()) {
        OperationKind::Create
    } else if chunk.iter().all(|operation| operation.kind == OperationKind::Read) {
        OperationKind::Read
    } else {
        OperationKind::Update
    }
}

impl fmt::Debug for Batch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Batch")
            .field("root", &self.api.root())
            .field("atomic", &self.atomic)
            .field("operations", &self.operations.len())
            .finish_non_exhaustive()
    }
}

/// Claims the result of one request added to a [`Batch`].
pub struct BatchHandle<T> {
    batch: u64,
    index: usize,
    decode: Decode<T>,
}

impl<T> Clone for BatchHandle<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for BatchHandle<T> {}

impl<T> fmt::Debug for BatchHandle<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BatchHandle").field("batch", &self.batch).field("operation", &(self.index + 1)).finish()
    }
}

/// The answers of a sent [`Batch`], claimed one by one with their handles.
pub struct BatchResponse {
    batch: u64,
    outcomes: Vec<Option<Result<HttpResponse, Error>>>,
    urls: Vec<String>,
    /// How the service reports failures, to read each answer's error.
    profile: crate::profile::ServiceProfile,
}

impl BatchResponse {
    /// The result of the request behind `handle`: its decoded value, or the
    /// same [`Error`] case it would have produced if sent alone (a stale
    /// ETag is [`Error::StaleEtag`], a 404 [`Error::NotFound`], ...). Each
    /// result can be taken once.
    pub fn take<T>(&mut self, handle: BatchHandle<T>) -> Result<T, Error> {
        if handle.batch != self.batch {
            return Err(Error::InvalidRequest("this handle belongs to another batch".to_owned()));
        }
        let url = self.urls.get(handle.index).cloned().unwrap_or_default();
        let outcome = self.outcomes.get_mut(handle.index).and_then(Option::take);
        match outcome {
            None => {
                Err(Error::InvalidRequest(format!("the result of operation {} was already taken", handle.index + 1)))
            }
            Some(Err(error)) => Err(error.with_url(url)),
            Some(Ok(response)) if response.is_success() => handle.decode.read(&response).map_err(|e| e.with_url(url)),
            Some(Ok(response)) => Err(Error::from_response(&response).in_dialect(&self.profile)),
        }
    }

    /// The HTTP status the operation behind `handle` got, if it got one
    /// and its result has not been taken.
    pub fn status<T>(&self, handle: &BatchHandle<T>) -> Option<u16> {
        match self.outcomes.get(handle.index) {
            Some(Some(Ok(response))) if handle.batch == self.batch => Some(response.status),
            _ => None,
        }
    }

    /// The number of operations in the batch.
    pub fn len(&self) -> usize {
        self.outcomes.len()
    }

    /// Whether the batch had no operation.
    pub fn is_empty(&self) -> bool {
        self.outcomes.is_empty()
    }
}

impl fmt::Debug for BatchResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let statuses: Vec<Option<u16>> = self
            .outcomes
            .iter()
            .map(|outcome| match outcome {
                Some(Ok(response)) => Some(response.status),
                Some(Err(error)) => error.status(),
                None => None,
            })
            .collect();
        f.debug_struct("BatchResponse").field("statuses", &statuses).finish()
    }
}

#[derive(Serialize)]
struct Envelope<'a> {
    requests: Vec<SubRequest<'a>>,
}

#[derive(Serialize)]
struct SubRequest<'a> {
    id: String,
    method: &'static str,
    url: &'a str,
    #[serde(rename = "atomicityGroup", skip_serializing_if = "Option::is_none")]
    atomicity_group: Option<&'static str>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    headers: BTreeMap<String, &'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    body: Option<SubBody<'a>>,
}

/// A sub-request body in the form JSON batch prescribes for its media
/// type: JSON inline, text as a string, anything else base64url-encoded.
#[derive(Serialize)]
#[serde(untagged)]
enum SubBody<'a> {
    Json(&'a RawValue),
    Text(&'a str),
    Encoded(String),
}

impl<'a> SubRequest<'a> {
    fn new(
        operation: &'a Operation,
        id: usize,
        atomicity_group: Option<&'static str>,
    ) -> Result<SubRequest<'a>, Error> {
        let content_type = operation.headers.get("Content-Type").unwrap_or("application/json").to_ascii_lowercase();
        let body = match &operation.body {
            None => None,
            Some(bytes) if is_json(&content_type) => {
                let raw: &RawValue = serde_json::from_slice(bytes).map_err(|e| {
                    Error::InvalidRequest(format!("the body for {} is not valid JSON: {e}", operation.absolute_url))
                })?;
                Some(SubBody::Json(raw))
            }
            Some(bytes) => match std::str::from_utf8(bytes) {
                Ok(text) if content_type.starts_with("text/") => Some(SubBody::Text(text)),
                _ => Some(SubBody::Encoded(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))),
            },
        };
        Ok(SubRequest {
            id: id.to_string(),
            method: operation.method.as_str(),
            url: &operation.relative_url,
            atomicity_group,
            headers: operation.headers.iter().map(|(name, value)| (name.to_ascii_lowercase(), value)).collect(),
            body,
        })
    }
}

fn is_json(content_type: &str) -> bool {
    let essence = content_type.split(';').next().unwrap_or("").trim();
    essence == "application/json" || essence.ends_with("+json")
}

#[derive(Deserialize)]
struct ResponseEnvelope {
    responses: Vec<SubResponse>,
}

#[derive(Deserialize)]
struct SubResponse {
    id: String,
    status: u16,
    #[serde(default)]
    headers: serde_json::Map<String, serde_json::Value>,
    #[serde(default)]
    body: Option<Box<RawValue>>,
}

impl SubResponse {
    /// The answer as if it had come alone, so the request's own decoder and
    /// the usual error mapping apply unchanged.
    fn into_response(self) -> Result<HttpResponse, Error> {
        let mut headers = Headers::new();
        for (name, value) in self.headers {
            let value = match value {
                serde_json::Value::String(text) => text,
                other => other.to_string(),
            };
            headers.append(name, value);
        }
        let content_type = headers.get("Content-Type").unwrap_or("application/json").to_ascii_lowercase();
        let body = match self.body {
            None => Bytes::new(),
            Some(raw) if raw.get() == "null" => Bytes::new(),
            Some(raw) if is_json(&content_type) || !raw.get().starts_with('"') => Bytes::from(raw.get().to_owned()),
            Some(raw) => {
                let text: String = serde_json::from_str(raw.get())
                    .map_err(|e| Error::decode("", "body", format!("unreadable $batch body: {e}")))?;
                if content_type.starts_with("text/") {
                    Bytes::from(text)
                } else {
                    match decode_base64(&text) {
                        Some(bytes) => Bytes::from(bytes),
                        // An error answer keeps its status (and a readable
                        // message) even with an undecodable body; a success
                        // must not hand the base64 text over as the content.
                        None if !(200..300).contains(&self.status) => Bytes::from(text),
                        None => {
                            return Err(Error::decode("", "body", "the $batch body is neither JSON, text nor base64"));
                        }
                    }
                }
            }
        };
        Ok(HttpResponse { status: self.status, headers, body: body.into() })
    }
}

/// Decodes a binary sub-response body. JSON batch specifies base64url, but
/// servers also send standard base64, with or without padding. The two
/// alphabets differ only in `-_` versus `+/`, so a text valid in both
/// decodes to the same bytes either way.
fn decode_base64(text: &str) -> Option<Vec<u8>> {
    use base64::engine::general_purpose::{STANDARD_NO_PAD_INDIFFERENT, URL_SAFE_NO_PAD_INDIFFERENT};
    // Line breaks (MIME style) carry no data.
    let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    URL_SAFE_NO_PAD_INDIFFERENT
        .decode(compact.as_bytes())
        .or_else(|_| STANDARD_NO_PAD_INDIFFERENT.decode(compact.as_bytes()))
        .ok()
}

impl std::future::IntoFuture for Batch {
    type Output = Result<BatchResponse, Error>;
    type IntoFuture = crate::transport::BoxFuture<'static, Result<BatchResponse, Error>>;

    /// Sends the batch (see the type's documentation for what a failure
    /// means for the operations in it).
    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.run())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_base64_alphabets_decode_with_or_without_padding() {
        let bytes = [0xfb, 0xff, 0xbf, 0x00, 0x10];
        for text in ["+/+/ABA=", "+/+/ABA", "-_-_ABA=", "-_-_ABA", "+/+/\r\nABA="] {
            assert_eq!(decode_base64(text).as_deref(), Some(&bytes[..]), "{text}");
        }
        assert_eq!(decode_base64("").as_deref(), Some(&[][..]));
        assert_eq!(decode_base64("not base64!"), None);
        assert_eq!(decode_base64("+/-_"), None, "mixed alphabets");
    }
}
