//! `Request<T>`: one prepared OData call whose successful response decodes
//! to `T`. Everything the typed API builds (reads, writes, actions, stream
//! transfers) ends up as a `Request`, which can be sent on its own or put in
//! a `$batch`.

use std::fmt;

use crate::api::Api;
use crate::client::{ResponseBody, StreamedResponse};
use crate::error::Error;
use crate::http::{Body, Headers, HttpRequest, HttpResponse, Method};
use crate::operation::OperationKind;

/// Where a request goes: a path under the API root, or an absolute URL the
/// service gave us (an `@odata.nextLink`). The client attaches credentials
/// only to URLs with the origin (scheme, host, port) of its base URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A path (and query) below the API root.
    Relative {
        /// Already percent-encoded, without a leading `/`: `companies(…)/customers`.
        path: String,
        /// Already percent-encoded, without `?`; may be empty.
        query: String,
    },
    /// An absolute URL, used exactly as given.
    Absolute(String),
}

impl Target {
    /// The URL relative to the API root, as `$batch` wants it.
    pub fn relative_url(&self) -> Option<String> {
        match self {
            Target::Relative { path, query } if query.is_empty() => Some(path.clone()),
            Target::Relative { path, query } => Some(format!("{path}?{query}")),
            Target::Absolute(_) => None,
        }
    }
}

/// Turns a successful response into the request's output.
pub type Decoder<T> = fn(&HttpResponse) -> Result<T, Error>;

/// How a request turns its answer into `T`.
pub(crate) enum Decode<T> {
    /// From the body read whole.
    Read(Decoder<T>),
    /// From the body while it streams (media downloads).
    Streamed(fn(StreamedResponse) -> Result<T, Error>),
}

impl<T> Clone for Decode<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Decode<T> {}

impl<T> Decode<T> {
    /// Decodes an answer that was read whole (a `$batch` sub-response, a
    /// hand-fed response).
    pub(crate) fn read(self, response: &HttpResponse) -> Result<T, Error> {
        match self {
            Decode::Read(decode) => decode(response),
            Decode::Streamed(decode) => decode(StreamedResponse {
                status: response.status,
                headers: response.headers.clone(),
                body: ResponseBody::from_bytes(response.body.as_bytes().cloned().unwrap_or_default()),
            }),
        }
    }
}

/// A prepared request. Build one through the typed API, then `.await` it
/// (it is [`IntoFuture`](std::future::IntoFuture)), or put it in a `$batch`.
///
/// Requests are awaited directly rather than through a `send()` method, so
/// that no name is taken from the service: a bound action called `send`
/// (Business Central has one on sales invoices) reads
/// `invoice.send().await`, not `invoice.send().send().await`.
#[must_use = "a request does nothing until it is sent"]
pub struct Request<T> {
    pub(crate) api: Api,
    pub(crate) method: Method,
    pub(crate) target: Target,
    pub(crate) headers: Headers,
    pub(crate) body: Option<Body>,
    pub(crate) kind: OperationKind,
    pub(crate) decode: Decode<T>,
    /// A 204 answer to a write is followed by a GET, for servers that
    /// ignore `Prefer: return=representation`: of the same path for an
    /// update, of the `Location` the service gave for a create. That GET
    /// asks for the service's read-your-writes header: a read replica may
    /// not have the write yet.
    pub(crate) refetch_on_no_content: bool,
    /// Set when the request must not be sent (for example an update whose
    /// entity carries no ETag); awaiting it reports the reason instead of sending.
    pub(crate) rejection: Option<String>,
}

impl<T> Clone for Request<T> {
    fn clone(&self) -> Self {
        Request {
            api: self.api.clone(),
            method: self.method,
            target: self.target.clone(),
            headers: self.headers.clone(),
            body: self.body.clone(),
            kind: self.kind,
            decode: self.decode,
            refetch_on_no_content: self.refetch_on_no_content,
            rejection: self.rejection.clone(),
        }
    }
}

impl<T> fmt::Debug for Request<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // As errors show it: no user info, no query values unless opted in.
        f.debug_struct("Request")
            .field("method", &self.method)
            .field("url", &self.api.client().url_for_errors(&self.url()))
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}

impl<T> Request<T> {
    /// Builds a request by hand, for endpoints the generated API does not
    /// cover. `decode` turns a successful response into `T` (see
    /// [`decode`](super::decode) for the usual ones).
    pub fn new(api: Api, method: Method, target: Target, kind: OperationKind, decode: Decoder<T>) -> Self {
        Request {
            api,
            method,
            target,
            headers: Headers::new(),
            body: None,
            kind,
            decode: Decode::Read(decode),
            refetch_on_no_content: false,
            rejection: None,
        }
    }

    /// A request whose answer is decoded while its body streams.
    pub(crate) fn streamed(
        api: Api,
        method: Method,
        target: Target,
        kind: OperationKind,
        decode: fn(StreamedResponse) -> Result<T, Error>,
    ) -> Self {
        let mut request = Request::new(api, method, target, kind, |_| Err(Error::InvalidRequest(String::new())));
        request.decode = Decode::Streamed(decode);
        request
    }

    /// The HTTP method.
    pub fn method(&self) -> Method {
        self.method
    }

    /// What the request does (decides retries).
    pub fn kind(&self) -> OperationKind {
        self.kind
    }

    /// The absolute URL this request goes to.
    pub fn url(&self) -> String {
        match &self.target {
            Target::Relative { path, query } => self.api.url(path, query),
            Target::Absolute(url) => url.clone(),
        }
    }

    /// The headers set on this request (the client adds its defaults when sending).
    pub fn headers(&self) -> &Headers {
        &self.headers
    }

    /// The body, if any and in memory.
    pub fn body(&self) -> Option<&[u8]> {
        self.body.as_ref().and_then(Body::as_bytes).map(|bytes| &bytes[..])
    }

    /// Adds or replaces a header on this request only.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.set(name, value);
        self
    }

    /// Sets the body and its content type. A body in memory
    /// (`Vec<u8>`, `String`, `bytes::Bytes`) can be retried; a streamed one
    /// ([`Body::from_stream`]) is sent once.
    pub fn with_body(mut self, content_type: &str, body: impl Into<Body>) -> Self {
        self.headers.set("Content-Type", content_type);
        self.body = Some(body.into());
        self
    }

    /// The API the request belongs to.
    pub fn api(&self) -> &Api {
        &self.api
    }

    /// Where the request goes.
    pub fn target(&self) -> &Target {
        &self.target
    }

    /// Why this request must not be sent, if it must not (checked when awaited and by `$batch`).
    pub fn rejection(&self) -> Option<&str> {
        self.rejection.as_deref()
    }

    pub(crate) fn rejected(mut self, reason: impl Into<String>) -> Self {
        self.rejection = Some(reason.into());
        self
    }

    /// Decodes a response the way sending the request would (used by `$batch`).
    pub fn decode(&self, response: &HttpResponse) -> Result<T, Error> {
        // Decoders only see the response; name the URL for them.
        self.decode.read(response).map_err(|error| self.name_url(error))
    }

    /// Names this request's URL in a decode error, as the client shows URLs.
    fn name_url(&self, error: Error) -> Error {
        error.with_url(self.api.client().url_for_errors(&self.url()))
    }

    pub(crate) fn to_http(&self) -> HttpRequest {
        HttpRequest { method: self.method, url: self.url(), headers: self.headers.clone(), body: self.body.clone() }
    }

    /// Sends the request and decodes the answer (what `.await` does).
    pub(crate) async fn run(self) -> Result<T, Error> {
        if let Some(reason) = &self.rejection {
            return Err(Error::InvalidRequest(reason.clone()));
        }
        let decode = match self.decode {
            Decode::Read(decode) => decode,
            Decode::Streamed(decode) => {
                let response = self.api.execute_streamed(self.to_http(), self.kind).await?;
                return decode(response).map_err(|error| self.name_url(error));
            }
        };
        let response = self.api.execute(self.to_http(), self.kind).await?;
        if response.status == 204 && self.refetch_on_no_content {
            return if self.method == Method::Post {
                self.read_created(&response).await
            } else {
                self.read_updated().await
            };
        }
        decode(&response).map_err(|error| self.name_url(error))
    }

    /// A GET of `url` reading our own write: a service whose reads may come
    /// from a lagging replica says in its profile how to ask for the primary.
    async fn read_back(&self, url: String) -> Result<T, Error> {
        let mut headers = Headers::new();
        if let Some((name, value)) = self.api.profile().read_your_writes_header {
            headers.set(name, value);
        }
        let refetch = HttpRequest { method: Method::Get, url, headers, body: None };
        let fresh = self.api.execute(refetch, OperationKind::Read).await?;
        self.decode(&fresh)
    }

    /// An update answered 204: the entity is read back from its path.
    async fn read_updated(&self) -> Result<T, Error> {
        let url = match &self.target {
            Target::Relative { path, .. } => self.api.url(path, ""),
            Target::Absolute(url) => url.clone(),
        };
        self.read_back(url).await
    }

    /// A create answered 204: the entity exists, and is read back from the
    /// `Location` the service gave, when that is on the client's origin.
    /// Otherwise, or when reading it back fails, the result says it was
    /// created ([`Error::CreatedUnread`]), so that nobody creates it again.
    async fn read_created(&self, response: &HttpResponse) -> Result<T, Error> {
        let client = self.api.client();
        let location = response
            .headers
            .get("Location")
            .and_then(|location| url::Url::parse(&self.url()).ok()?.join(location).ok())
            .map(String::from);
        let shown = location.as_deref().map(|location| client.url_for_errors(location));
        let Some(location) = location.filter(|location| client.is_own_origin(location)) else {
            return Err(Error::CreatedUnread { location: shown, read_back: None });
        };
        self.read_back(location)
            .await
            .map_err(|error| Error::CreatedUnread { location: shown, read_back: Some(Box::new(error)) })
    }
}

impl<T: Send + 'static> std::future::IntoFuture for Request<T> {
    type Output = Result<T, Error>;
    type IntoFuture = crate::transport::BoxFuture<'static, Result<T, Error>>;

    /// Sends the request and decodes the answer.
    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.run())
    }
}

/// Requests to the service root itself: unbound operations, called through
/// their imports. (Here rather than in `api`, so that `request` builds on
/// `api` and not the other way round.)
impl Api {
    /// `POST {root}{name}`: an unbound action, called through its action
    /// import, with an optional JSON body.
    pub fn action<T>(&self, name: &str, body: Option<String>, decode: Decoder<T>) -> Request<T> {
        let target = Target::Relative { path: name.to_owned(), query: String::new() };
        let request = Request::new(self.clone(), Method::Post, target, OperationKind::Action, decode);
        match body {
            Some(body) => request.with_body("application/json", body),
            None => request,
        }
    }

    /// `GET {root}{name}({parameters})`: an unbound function, called through
    /// its function import; `parameters` is already written as `a=1,b='x'`.
    pub fn function<T>(&self, name: &str, parameters: &str, decode: Decoder<T>) -> Request<T> {
        self.function_with_aliases(name, parameters, "", decode)
    }

    /// `GET {root}{name}({parameters})?{aliases}`: an unbound function whose
    /// complex or collection parameters travel as parameter aliases
    /// (`p=@p` in `parameters`, `@p=<JSON>` in `aliases`, already encoded).
    pub fn function_with_aliases<T>(
        &self,
        name: &str,
        parameters: &str,
        aliases: &str,
        decode: Decoder<T>,
    ) -> Request<T> {
        let target = Target::Relative { path: format!("{name}({parameters})"), query: aliases.to_owned() };
        Request::new(self.clone(), Method::Get, target, OperationKind::Read, decode)
    }
}
