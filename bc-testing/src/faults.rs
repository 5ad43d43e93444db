//! Fault injection: answers Business Central (or the network between) gives
//! under load or in a race, on the requests a rule selects.

use std::time::Duration;

use odata_v4_runtime::{CollectionHandle, EntityHandle, Method};

use crate::query::RequestUrl;

/// What goes wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FaultKind {
    /// 429 with Business Central's error body and `Retry-After`, if set.
    Throttled {
        /// The `Retry-After` sent, in whole seconds.
        retry_after: Option<Duration>,
    },
    /// 503, as when the request queue is full.
    ServiceUnavailable {
        /// The `Retry-After` sent, in whole seconds.
        retry_after: Option<Duration>,
    },
    /// 504 from the gateway, with a non-JSON body.
    GatewayTimeout {
        /// Whether the request was carried out before the gateway gave up.
        after_processing: bool,
    },
    /// The client's request times out: no answer at all.
    Timeout {
        /// Whether the request was carried out before the answer was lost.
        after_processing: bool,
    },
    /// The connection cannot be established.
    ConnectionFailed,
    /// Someone else changes the entity just before this write reaches it,
    /// so the write's `If-Match` is stale (409 `Request_EntityChanged`).
    StaleEtag,
    /// An error answer of your choosing.
    Error {
        /// The HTTP status.
        status: u16,
        /// Business Central's error code, such as `Application_FieldValidationException`.
        code: String,
        /// The message (a correlation id is appended, as Business Central does).
        message: String,
    },
    /// The normal answer, after a delay (to trip the client's timeout).
    Delay(Duration),
}

/// A fault and the requests it applies to. Build one with a constructor
/// such as [`Fault::throttled`], narrow it with [`when`](Fault::when) or
/// [`on_request`](Fault::on_request), and give it to
/// [`FakeBusinessCentral::inject`](crate::FakeBusinessCentral::inject). A fault
/// fires once unless [`times`](Fault::times) or [`always`](Fault::always)
/// says otherwise.
///
/// ```
/// # use business_central_testing::{Fault, RequestMatcher};
/// # use std::time::Duration;
/// // Three throttled answers to reads of customers, then normal service.
/// let burst = Fault::throttled().retry_after(Duration::from_secs(1)).when(RequestMatcher::get().path_contains("/customers")).times(3);
/// // The fourth request the fake receives fails with 503.
/// let blip = Fault::service_unavailable().on_request(4);
/// # let _ = (burst, blip);
/// ```
#[derive(Debug, Clone)]
pub struct Fault {
    pub(crate) kind: FaultKind,
    pub(crate) matcher: RequestMatcher,
    pub(crate) request_number: Option<usize>,
    /// `None`: every matching request.
    pub(crate) remaining: Option<u32>,
}

impl Fault {
    fn of(kind: FaultKind) -> Fault {
        Fault { kind, matcher: RequestMatcher::any(), request_number: None, remaining: Some(1) }
    }

    /// 429 Too Many Requests.
    pub fn throttled() -> Fault {
        Fault::of(FaultKind::Throttled { retry_after: None })
    }

    /// 503 Service Unavailable.
    pub fn service_unavailable() -> Fault {
        Fault::of(FaultKind::ServiceUnavailable { retry_after: None })
    }

    /// 504 Gateway Timeout; the request is not carried out unless
    /// [`after_processing`](Fault::after_processing) is set.
    pub fn gateway_timeout() -> Fault {
        Fault::of(FaultKind::GatewayTimeout { after_processing: false })
    }

    /// No answer: the client sees its timeout. The request is not carried
    /// out unless [`after_processing`](Fault::after_processing) is set.
    pub fn timeout() -> Fault {
        Fault::of(FaultKind::Timeout { after_processing: false })
    }

    /// The connection cannot be established.
    pub fn connection_failed() -> Fault {
        Fault::of(FaultKind::ConnectionFailed)
    }

    /// The next matching write (PATCH, DELETE, or an action sent with
    /// `If-Match`) finds the entity changed by someone else: its ETag is
    /// stale and the write is refused as Business Central refuses it.
    pub fn stale_etag() -> Fault {
        Fault::of(FaultKind::StaleEtag)
    }

    /// An error answer with this status and Business Central error code.
    pub fn error(status: u16, code: impl Into<String>, message: impl Into<String>) -> Fault {
        Fault::of(FaultKind::Error { status, code: code.into(), message: message.into() })
    }

    /// The normal answer, `delay` later.
    pub fn delay(delay: Duration) -> Fault {
        Fault::of(FaultKind::Delay(delay))
    }

    /// Sends `Retry-After` (whole seconds) with a 429 or 503.
    pub fn retry_after(mut self, wait: Duration) -> Fault {
        match &mut self.kind {
            FaultKind::Throttled { retry_after } | FaultKind::ServiceUnavailable { retry_after } => {
                *retry_after = Some(wait);
            }
            _ => {}
        }
        self
    }

    /// For a timeout or a 504: the fake carries the request out, then the
    /// answer is lost, as when a gateway gives up on a slow write.
    pub fn after_processing(mut self) -> Fault {
        match &mut self.kind {
            FaultKind::GatewayTimeout { after_processing } | FaultKind::Timeout { after_processing } => {
                *after_processing = true;
            }
            _ => {}
        }
        self
    }

    /// Only requests that `matcher` selects.
    pub fn when(mut self, matcher: RequestMatcher) -> Fault {
        self.matcher = matcher;
        self
    }

    /// Only the `n`-th request the fake receives (counting from 1, retries
    /// included, `$batch` parts not counted).
    pub fn on_request(mut self, n: usize) -> Fault {
        self.request_number = Some(n);
        self
    }

    /// Fires for the next `n` matching requests.
    pub fn times(mut self, n: u32) -> Fault {
        self.remaining = Some(n);
        self
    }

    /// Fires for every matching request.
    pub fn always(mut self) -> Fault {
        self.remaining = None;
        self
    }

    /// What the fault does.
    pub fn kind(&self) -> &FaultKind {
        &self.kind
    }

    pub(crate) fn applies_to(&self, number: usize, request: &RequestFacts<'_>) -> bool {
        self.remaining != Some(0)
            && self.request_number.is_none_or(|n| n == number)
            && self.matcher.matches(request)
            && (self.kind != FaultKind::StaleEtag || request.is_conditional_write())
    }

    pub(crate) fn consume(&mut self) {
        if let Some(remaining) = &mut self.remaining {
            *remaining = remaining.saturating_sub(1);
        }
    }

    pub(crate) fn is_spent(&self) -> bool {
        self.remaining == Some(0)
    }
}

/// What a rule looks at in a request.
pub(crate) struct RequestFacts<'a> {
    pub method: Method,
    /// Decoded, relative to the API route: `companies(…)/customers(…)`.
    pub path: &'a str,
    /// The decoded query string.
    pub query: &'a str,
    pub has_if_match: bool,
}

impl RequestFacts<'_> {
    fn is_conditional_write(&self) -> bool {
        match self.method {
            Method::Patch | Method::Delete | Method::Put => true,
            Method::Post => self.has_if_match,
            Method::Get => false,
        }
    }
}

/// Selects requests by method, path and query.
///
/// Paths are compared decoded and relative to the API route
/// (`companies(…)/customers(…)`), so `path_contains("/customers")` matches
/// every customer request of any company.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestMatcher {
    method: Option<Method>,
    path_contains: Vec<String>,
    path: Option<String>,
    query_contains: Vec<String>,
}

impl RequestMatcher {
    /// Every request.
    pub fn any() -> RequestMatcher {
        RequestMatcher::default()
    }

    /// Requests with this method.
    pub fn method(method: Method) -> RequestMatcher {
        RequestMatcher { method: Some(method), ..RequestMatcher::default() }
    }

    /// `GET` requests.
    pub fn get() -> RequestMatcher {
        RequestMatcher::method(Method::Get)
    }

    /// `POST` requests (creates, actions, `$batch`).
    pub fn post() -> RequestMatcher {
        RequestMatcher::method(Method::Post)
    }

    /// `PATCH` requests.
    pub fn patch() -> RequestMatcher {
        RequestMatcher::method(Method::Patch)
    }

    /// `DELETE` requests.
    pub fn delete() -> RequestMatcher {
        RequestMatcher::method(Method::Delete)
    }

    /// Requests whose decoded path contains `text`.
    pub fn path_contains(mut self, text: impl Into<String>) -> RequestMatcher {
        self.path_contains.push(text.into());
        self
    }

    /// Requests to exactly this entity (`api.company(c).customer(id)`).
    pub fn entity(mut self, path: &impl EntityHandle) -> RequestMatcher {
        self.path = Some(canonical_path(path.entity_path().path()));
        self
    }

    /// Requests to exactly this collection (`api.company(c).customers()`).
    pub fn collection(mut self, path: &impl CollectionHandle) -> RequestMatcher {
        self.path = Some(canonical_path(path.collection_path().path()));
        self
    }

    /// Requests whose decoded query string contains `text` (`$filter=`).
    pub fn query_contains(mut self, text: impl Into<String>) -> RequestMatcher {
        self.query_contains.push(text.into());
        self
    }

    pub(crate) fn matches(&self, request: &RequestFacts<'_>) -> bool {
        self.method.is_none_or(|m| m == request.method)
            && self.path.as_ref().is_none_or(|p| p == request.path)
            && self.path_contains.iter().all(|p| request.path.contains(p.as_str()))
            && self.query_contains.iter().all(|q| request.query.contains(q.as_str()))
    }
}

/// A path relative to the API root, decoded and with segments rejoined,
/// as the fake writes the paths of the requests it receives.
pub(crate) fn canonical_path(path: &str) -> String {
    match RequestUrl::parse(&format!("/{path}")) {
        Ok(url) => join_segments(&url.segments),
        Err(_) => path.to_owned(),
    }
}

pub(crate) fn join_segments(segments: &[crate::query::Segment]) -> String {
    segments
        .iter()
        .map(|s| match &s.key {
            Some(key) => format!("{}({key})", s.name),
            None => s.name.clone(),
        })
        .collect::<Vec<_>>()
        .join("/")
}
