//! What must hold for every answer, however malformed: the runtime never
//! panics, decoded entities write back to JSON that decodes to the same
//! JSON, error text stays bounded and keeps the service's code, a `$batch`
//! answer gives every operation a result, and paging neither leaves the
//! client's origin nor runs for ever.

use std::sync::{Arc, Mutex};

use bytes::Bytes;
use odata_v4_runtime as rt;
use rt::{
    Api, Batch, BoxFuture, Client, Edm, Error, Headers, HttpRequest, HttpResponse, ItemStream, Method, OperationKind,
    Page, Request, RetryPolicy, ServiceProfile, Target, Transport, TransportError, decode,
};

use super::model::Entry;
use super::seeds::{self, ORIGIN};

/// The longest `Display` an error may have: 1,000 characters of message,
/// 200 of code and of correlation id, and the words around them.
const MAX_ERROR_TEXT: usize = 1_700;

/// The most pages a fuzzed stream may fetch.
const MAX_PAGES: u64 = 20;

/// Business Central's way of reporting errors.
const DIALECT: ServiceProfile = ServiceProfile::strict_odata()
    .with_stale_etag_codes(&["Request_EntityChanged"])
    .with_message_correlation_marker("CorrelationId:");

/// Answers every request with the fuzzed body, and remembers the URLs.
struct FuzzTransport {
    status: u16,
    headers: Headers,
    body: Bytes,
    urls: Mutex<Vec<String>>,
}

impl Transport for FuzzTransport {
    fn send(&self, request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, TransportError>> {
        self.urls.lock().unwrap_or_else(|e| e.into_inner()).push(request.url);
        let response =
            HttpResponse { status: self.status, headers: self.headers.clone(), body: self.body.clone().into() };
        Box::pin(std::future::ready(Ok(response)))
    }
}

/// Everything checked for one input; `Err` describes a broken invariant.
pub(super) struct Oracle {
    runtime: tokio::runtime::Runtime,
}

impl Oracle {
    pub(super) fn new() -> Oracle {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_time().build().expect("a runtime");
        Oracle { runtime }
    }

    pub(super) fn check(&self, target: seeds::Target, input: &[u8], variant: u64) -> Result<Outcome, String> {
        match target {
            seeds::Target::Entity => check_entity(input),
            seeds::Target::Page => self.check_paging(input),
            seeds::Target::ErrorBody => self.check_error(input, variant),
            seeds::Target::Batch => self.check_batch(input),
            seeds::Target::Notifications => super::webhooks::check_notifications(input, variant),
        }
    }

    fn client(&self, transport: Arc<FuzzTransport>) -> Client {
        Client::builder(ORIGIN)
            .transport(transport)
            .retry_policy(RetryPolicy::none())
            .max_pages_per_stream(MAX_PAGES)
            .build()
            .expect("the fuzz client builds")
    }

    fn check_paging(&self, input: &[u8]) -> Result<Outcome, String> {
        let transport = fuzz_transport(200, input);
        let api = Api::new(&self.client(transport.clone()), "api/v2.0", DIALECT);
        let first = Request::new(
            api,
            Method::Get,
            Target::Relative { path: "entries".to_owned(), query: String::new() },
            OperationKind::Read,
            decode::json::<Page<Entry>>,
        );
        let result = self.runtime.block_on(ItemStream::new(first, None).collect_all());
        let urls = transport.urls.lock().unwrap_or_else(|e| e.into_inner()).clone();
        if urls.len() as u64 > MAX_PAGES {
            return Err(format!("the stream fetched {} pages, more than its cap of {MAX_PAGES}", urls.len()));
        }
        if let Some(foreign) = urls.iter().find(|url| !on_origin(url)) {
            return Err(format!("the stream fetched {foreign}, outside the client's origin"));
        }
        for entry in result.as_deref().unwrap_or_default() {
            round_trip(entry)?;
        }
        Ok(if result.is_ok() { Outcome::Decoded } else { Outcome::Refused })
    }

    fn check_error(&self, input: &[u8], variant: u64) -> Result<Outcome, String> {
        const STATUSES: [u16; 10] = [400, 401, 403, 404, 408, 409, 412, 429, 500, 503];
        const RETRY_AFTER: [&str; 6] = ["0", "18446744073709551616", "Fri, 31 Dec 9999 23:59:59 GMT", "-1", "soon", ""];
        let status = STATUSES[(variant % STATUSES.len() as u64) as usize];
        let mut headers = Headers::new();
        headers.set("Retry-After", RETRY_AFTER[(variant / 16 % RETRY_AFTER.len() as u64) as usize]);
        let transport = Arc::new(FuzzTransport {
            status,
            headers,
            body: Bytes::copy_from_slice(input),
            urls: Mutex::new(Vec::new()),
        });
        let api = Api::new(&self.client(transport), "api/v2.0", DIALECT);
        let request = Request::new(
            api,
            Method::Patch,
            Target::Relative { path: "entries(1)".to_owned(), query: String::new() },
            OperationKind::Update,
            decode::json::<Entry>,
        );
        let Err(error) = self.runtime.block_on(request.into_future()) else {
            return Err(format!("HTTP {status} was taken for a success"));
        };
        let text = error.to_string();
        if text.chars().count() > MAX_ERROR_TEXT {
            return Err(format!("the error text has {} characters", text.chars().count()));
        }
        if error.status() != Some(status) {
            return Err(format!("HTTP {status} became {error:?}"));
        }
        // A well-formed OData error keeps its code, whatever the message.
        if let Ok(body) = serde_json::from_slice::<serde_json::Value>(input)
            && let Some(code) = body.pointer("/error/code").and_then(|code| code.as_str())
            && !code.is_empty()
            // With duplicate keys, which `code` counts is up to the parser.
            && input.windows(6).filter(|w| w == b"\"code\"").count() == 1
            && body.pointer("/error/message").is_none_or(|message| message.is_string() || message.is_null())
            && error.code() != Some(code)
        {
            return Err(format!("the code {code:?} became {:?}", error.code()));
        }
        Ok(Outcome::Refused)
    }

    fn check_batch(&self, input: &[u8]) -> Result<Outcome, String> {
        let transport = fuzz_transport(200, input);
        let api = Api::new(&self.client(transport), "api/v2.0", DIALECT);
        let target = |path: &str| Target::Relative { path: path.to_owned(), query: String::new() };
        let mut batch = Batch::new(&api);
        let read = batch.add(Request::new(
            api.clone(),
            Method::Get,
            target("entries(1)"),
            OperationKind::Read,
            decode::json::<Entry>,
        ));
        let update = batch.add(
            Request::new(
                api.clone(),
                Method::Patch,
                target("entries(1)"),
                OperationKind::Update,
                decode::json::<Entry>,
            )
            .with_body("application/json", r#"{"name":"x"}"#),
        );
        let media = batch.add(rt::MediaPath::new(api.clone(), "entries(1)/picture/pictureContent").download());
        let deleted = batch.add(Request::new(
            api,
            Method::Delete,
            target("entries(2)"),
            OperationKind::Delete,
            decode::no_content,
        ));
        let Ok(mut answers) = self.runtime.block_on(batch.into_future()) else {
            return Ok(Outcome::Refused);
        };
        if answers.len() != 4 {
            return Err(format!("4 operations gave {} results", answers.len()));
        }
        let mut decoded = false;
        if let Ok(entry) = answers.take(read) {
            round_trip(&entry)?;
            decoded = true;
        }
        let _ = answers.take(update);
        if let Ok(download) = answers.take(media) {
            let _ = self.runtime.block_on(download.bytes());
        }
        let _ = answers.take(deleted);
        if answers.take(read).is_ok() {
            return Err("a result was handed out twice".to_owned());
        }
        Ok(if decoded { Outcome::Decoded } else { Outcome::Refused })
    }
}

/// What became of an input that broke no invariant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Outcome {
    /// Something was decoded (and round-tripped).
    Decoded,
    /// The runtime refused it with an error.
    Refused,
}

fn fuzz_transport(status: u16, input: &[u8]) -> Arc<FuzzTransport> {
    let mut headers = Headers::new();
    headers.set("Content-Type", "application/json");
    Arc::new(FuzzTransport { status, headers, body: Bytes::copy_from_slice(input), urls: Mutex::new(Vec::new()) })
}

/// Whether `url` goes where the client's origin is, as the HTTP stack will
/// parse it (host names are normalised: a zero-width character in one
/// vanishes), with no user info.
fn on_origin(url: &str) -> bool {
    let (Ok(url), Ok(origin)) = (url::Url::parse(url), url::Url::parse(ORIGIN)) else {
        return false;
    };
    url.origin() == origin.origin() && url.username().is_empty() && url.password().is_none()
}

fn check_entity(input: &[u8]) -> Result<Outcome, String> {
    let response = HttpResponse { status: 200, headers: Headers::new(), body: Bytes::copy_from_slice(input).into() };
    match decode::json::<Entry>(&response) {
        Ok(entry) => round_trip(&entry).map(|()| Outcome::Decoded),
        Err(Error::Decode(_)) => Ok(Outcome::Refused),
        Err(other) => Err(format!("decoding failed with {other:?}, not a decode error")),
    }
}

/// The entity written back decodes, and writes back the same JSON again:
/// nothing was lost or changed on the way (exact decimals, dates, unknown
/// enum members and properties).
fn round_trip(entry: &Entry) -> Result<(), String> {
    let written = entry.to_json();
    let again: Entry = serde_json::from_str::<rt::__private::De<Entry>>(&written)
        .map(|decoded| decoded.0)
        .map_err(|e| format!("the entity's own JSON does not decode ({e}): {written}"))?;
    let rewritten = again.to_json();
    if rewritten != written {
        return Err(format!("the JSON changed on a round trip:\n  {written}\n  {rewritten}"));
    }
    Ok(())
}
