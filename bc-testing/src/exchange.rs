//! One exchange with the fake: each request is counted, checked against
//! the armed faults, answered (or not, for an injected timeout), and
//! recorded with its `$batch` parts, what was ignored, and action calls.

use std::time::Duration;

use odata_v4_runtime::{Headers, HttpRequest, HttpResponse, TransportError, TransportErrorKind};

use crate::actions::ActionCall;
use crate::faults::{self, Fault, FaultKind, RequestFacts};
use crate::log::RecordedRequest;
use crate::reply::{Failure, Reply};
use crate::resolve;
use crate::service::{Journal, State};
use crate::values;

/// What one fake holds behind its lock: the service, the armed faults, the
/// request log and the action calls.
pub(crate) struct Shared {
    pub state: State,
    pub faults: Vec<Fault>,
    pub log: Vec<RecordedRequest>,
    pub calls: Vec<ActionCall>,
    /// Requests received so far (`$batch` parts not counted).
    pub received: usize,
}

impl Shared {
    pub(crate) fn new(state: State) -> Shared {
        Shared { state, faults: Vec::new(), log: Vec::new(), calls: Vec::new(), received: 0 }
    }

    /// One exchange, its body already read: count, match faults, answer,
    /// record. Returns the answer and how long to wait before giving it.
    pub(crate) fn answer(&mut self, request: &HttpRequest) -> (Result<HttpResponse, TransportError>, Option<Duration>) {
        self.received += 1;
        let number = self.received;
        let (path, query) = match self.state.locate(&request.url) {
            Ok(located) => (faults::join_segments(&located.rest), located.url.query),
            Err(_) => (String::new(), Vec::new()),
        };
        let query_text = query.iter().map(|(n, v)| format!("{n}={v}")).collect::<Vec<_>>().join("&");
        let facts = RequestFacts {
            method: request.method,
            path: &path,
            query: &query_text,
            has_if_match: request.headers.get("If-Match").is_some(),
        };
        let fault = self.faults.iter_mut().find(|f| f.applies_to(number, &facts)).map(|f| {
            f.consume();
            f.kind.clone()
        });
        self.faults.retain(|f| !f.is_spent());
        let body_bytes = request.body.as_ref().and_then(|b| b.as_bytes()).map(|b| &b[..]);
        let body = body_bytes.map(|b| String::from_utf8_lossy(b).into_owned());
        let mut journal = Journal::default();
        let mut delay = None;
        let outcome: Result<Reply, TransportError> = match fault {
            None => {
                Ok(self.state.handle(request.method, &request.url, &request.headers, body_bytes, false, &mut journal))
            }
            Some(kind) => {
                let handle = |state: &mut State, journal: &mut Journal| {
                    state.handle(request.method, &request.url, &request.headers, body_bytes, false, journal)
                };
                match kind {
                    FaultKind::Throttled { retry_after } => Ok(fault_reply(
                        &mut self.state,
                        429,
                        "Application_TooManyRequests",
                        "The request was throttled: too many requests in the current window.",
                        retry_after,
                    )),
                    FaultKind::ServiceUnavailable { retry_after } => Ok(fault_reply(
                        &mut self.state,
                        503,
                        "Internal_ServiceUnavailable",
                        "The service is temporarily unavailable: its request queue is full.",
                        retry_after,
                    )),
                    FaultKind::Error { status, code, message } => {
                        Ok(fault_reply(&mut self.state, status, &code, &message, None))
                    }
                    FaultKind::GatewayTimeout { after_processing } => {
                        if after_processing {
                            handle(&mut self.state, &mut journal);
                        }
                        let mut headers = Headers::new();
                        headers.set("Content-Type", "text/plain");
                        Ok(Reply { status: 504, headers, body: b"Gateway Timeout".to_vec() })
                    }
                    FaultKind::Timeout { after_processing } => {
                        if after_processing {
                            handle(&mut self.state, &mut journal);
                        }
                        Err(TransportError::new(TransportErrorKind::Timeout, "timed out (fault injected by the fake)"))
                    }
                    FaultKind::ConnectionFailed => Err(TransportError::new(
                        TransportErrorKind::Connect,
                        "could not connect (fault injected by the fake)",
                    )),
                    FaultKind::StaleEtag => {
                        change_behind_the_clients_back(&mut self.state, &request.url);
                        Ok(handle(&mut self.state, &mut journal))
                    }
                    FaultKind::Delay(wait) => {
                        delay = Some(wait);
                        Ok(handle(&mut self.state, &mut journal))
                    }
                }
            }
        };
        let status = outcome.as_ref().ok().map(|reply| reply.status);
        self.log.push(RecordedRequest {
            number,
            method: request.method,
            url: request.url.clone(),
            path,
            query,
            headers: request.headers.clone(),
            body,
            status,
            in_batch: false,
            ignored: journal.ignored,
        });
        for sub in journal.batch {
            let (path, query) = match self.state.locate(&sub.url) {
                Ok(located) => (faults::join_segments(&located.rest), located.url.query),
                Err(_) => (String::new(), Vec::new()),
            };
            self.log.push(RecordedRequest {
                number,
                method: sub.method,
                url: sub.url,
                path,
                query,
                headers: sub.headers,
                body: sub.body,
                status: Some(sub.status),
                in_batch: true,
                ignored: sub.ignored,
            });
        }
        self.calls.extend(journal.actions);
        let response =
            outcome.map(|reply| HttpResponse { status: reply.status, headers: reply.headers, body: reply.body.into() });
        (response, delay)
    }
}

fn fault_reply(state: &mut State, status: u16, code: &str, message: &str, retry_after: Option<Duration>) -> Reply {
    let mut reply = state.failure_reply(&Failure::new(status, code, message));
    if let Some(wait) = retry_after {
        reply.headers.set("Retry-After", wait.as_secs().to_string());
    }
    reply
}

/// A stale-ETag fault: the entity a write addresses changes first.
fn change_behind_the_clients_back(state: &mut State, url: &str) {
    let Ok(located) = state.locate(url) else { return };
    let mut rest = located.rest.clone();
    if rest.last().is_some_and(|s| s.name.contains('.') && s.key.is_none()) {
        rest.pop();
    }
    let route = &mut state.routes[located.route];
    let company = located.url.parameter("company").map(str::to_owned);
    if let Ok(resolve::Target::Entity(entity)) = resolve::resolve(&route.model, &route.store, &rest, company.as_deref())
    {
        let now = route.store.write_time();
        if let Some(row) = route.store.row_mut(&entity.type_name, entity.seq)
            && row.values.contains("lastModifiedDateTime")
        {
            row.values.insert("lastModifiedDateTime", values::Value::DateTimeOffset(now).to_json());
        }
        route.store.touch(&entity.type_name, entity.seq);
    }
}
