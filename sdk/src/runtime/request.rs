//! `Request<T>`: one prepared OData call whose successful response decodes
//! to `T`. Everything the typed API builds (reads, writes, actions, stream
//! transfers) ends up as a `Request`, which can be sent on its own or put in
//! a `$batch`.

use std::fmt;

use bytes::Bytes;

use super::api::Api;
use super::error::Error;
use super::http::{Headers, HttpRequest, HttpResponse, Method};

/// What a request does, as far as retries and read replicas care (see
/// [`RetryPolicy`](super::retry::RetryPolicy) for what is retried when).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OperationKind {
    /// GET: no side effect, so it may be repeated after any transient
    /// failure; may go to a read-only replica when configured.
    Read,
    /// POST to a collection: repeating it could create a duplicate.
    Create,
    /// PATCH with If-Match. Repeating it after an answer that proves it was
    /// not processed (429, 503) is safe. After an ambiguous failure (a
    /// gateway 502/504, a lost connection) it is not: if the first attempt
    /// was applied, the repeat fails on the changed ETag and reports the
    /// caller's successful write as a conflict.
    Update,
    /// DELETE with If-Match: like [`Update`](Self::Update), and a repeat
    /// after an applied first attempt ends in 404 instead.
    Delete,
    /// A bound or unbound action: repeating it could run it twice.
    Action,
}

impl OperationKind {
    /// Whether a second attempt could have an effect the first one already had.
    pub fn may_duplicate(self) -> bool {
        matches!(self, OperationKind::Create | OperationKind::Action)
    }
}

/// Where a request goes: a path under the API root, or an absolute URL the
/// service gave us (an `@odata.nextLink`). The client attaches credentials
/// only to URLs with the origin (scheme, host, port) of its base URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Relative {
        /// Already percent-encoded, without a leading `/`: `companies(…)/customers`.
        path: String,
        /// Already percent-encoded, without `?`; may be empty.
        query: String,
    },
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

/// A prepared request. Build one through the typed API, then `.send().await`.
#[must_use = "a request does nothing until it is sent"]
pub struct Request<T> {
    pub(crate) api: Api,
    pub(crate) method: Method,
    pub(crate) target: Target,
    pub(crate) headers: Headers,
    pub(crate) body: Option<Bytes>,
    pub(crate) kind: OperationKind,
    pub(crate) decode: Decoder<T>,
    /// A 204 answer to a write is followed by a GET of the same path, for
    /// servers that ignore `Prefer: return=representation`. That GET asks
    /// for `Data-Access-Intent: ReadWrite`: a read replica may not have the
    /// write yet.
    pub(crate) refetch_on_no_content: bool,
    /// Set when the request must not be sent (for example an update whose
    /// entity carries no ETag); `send` reports it instead of sending.
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
        f.debug_struct("Request")
            .field("method", &self.method)
            .field("url", &self.url())
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
            decode,
            refetch_on_no_content: false,
            rejection: None,
        }
    }

    pub fn method(&self) -> Method {
        self.method
    }

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

    pub fn headers(&self) -> &Headers {
        &self.headers
    }

    pub fn body(&self) -> Option<&[u8]> {
        self.body.as_deref()
    }

    /// Adds or replaces a header on this request only.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.set(name, value);
        self
    }

    /// Sets the body and its content type.
    pub fn with_body(mut self, content_type: &str, body: impl Into<Bytes>) -> Self {
        self.headers.set("Content-Type", content_type);
        self.body = Some(body.into());
        self
    }

    pub fn api(&self) -> &Api {
        &self.api
    }

    pub fn target(&self) -> &Target {
        &self.target
    }

    /// Why this request must not be sent, if it must not (checked by `send` and `$batch`).
    pub fn rejection(&self) -> Option<&str> {
        self.rejection.as_deref()
    }

    pub(crate) fn rejected(mut self, reason: impl Into<String>) -> Self {
        self.rejection = Some(reason.into());
        self
    }

    /// Decodes a response the way `send` would (used by `$batch`).
    pub fn decode(&self, response: &HttpResponse) -> Result<T, Error> {
        // Decoders only see the response; name the URL for them.
        (self.decode)(response).map_err(|error| error.with_url(self.url()))
    }

    pub(crate) fn to_http(&self) -> HttpRequest {
        HttpRequest { method: self.method, url: self.url(), headers: self.headers.clone(), body: self.body.clone() }
    }

    /// Sends the request and decodes the answer.
    pub async fn send(self) -> Result<T, Error> {
        if let Some(reason) = self.rejection {
            return Err(Error::InvalidRequest(reason));
        }
        let client = self.api.client();
        let response = client.execute(self.to_http(), self.kind).await?;
        if response.status == 204 && self.refetch_on_no_content {
            let mut headers = Headers::new();
            // Reading our own write: the primary database has it, a replica
            // (which online GETs use unless told otherwise) may not yet.
            headers.set("Data-Access-Intent", "ReadWrite");
            let mut refetch = HttpRequest { method: Method::Get, url: self.url(), headers, body: None };
            if let Target::Relative { path, .. } = &self.target {
                refetch.url = self.api.url(path, "");
            }
            let fresh = client.execute(refetch, OperationKind::Read).await?;
            return self.decode(&fresh);
        }
        self.decode(&response)
    }
}
