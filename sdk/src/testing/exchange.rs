//! The fake as a [`Transport`]: each request is counted, checked against
//! the armed faults, answered (or not, for an injected timeout), and
//! recorded with its `$batch` parts and action calls.

use std::time::Duration;

use odata_v4_runtime::{BoxFuture, Headers, HttpRequest, HttpResponse, Transport, TransportError, TransportErrorKind};

use super::faults::{self, FaultKind, RequestFacts};
use super::service::{Failure, Journal, Reply, State};
use super::{FakeBusinessCentral, RecordedRequest, Shared, resolve, values};

impl FakeBusinessCentral {
    /// One exchange: count, match faults, record, answer.
    async fn exchange(&self, mut request: HttpRequest) -> Result<HttpResponse, TransportError> {
        // A streamed upload is read like the service would read it.
        if let Some(body) = request.body.take() {
            let bytes = body.collect().await.map_err(|e| {
                TransportError::new(TransportErrorKind::Other, "could not read the request body").with_source(e)
            })?;
            request.body = Some(bytes.into());
        }
        let (outcome, delay) = self.answer(&request);
        if let Some(delay) = delay {
            tokio::time::sleep(delay).await;
        }
        outcome
    }

    fn answer(&self, request: &HttpRequest) -> (Result<HttpResponse, TransportError>, Option<Duration>) {
        let mut shared = self.shared();
        shared.received += 1;
        let number = shared.received;
        let (path, query) = match shared.state.locate(&request.url) {
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
        let fault = shared.faults.iter_mut().find(|f| f.applies_to(number, &facts)).map(|f| {
            f.consume();
            f.kind.clone()
        });
        shared.faults.retain(|f| !f.is_spent());
        let body_bytes = request.body.as_ref().and_then(|b| b.as_bytes()).map(|b| &b[..]);
        let body = body_bytes.map(|b| String::from_utf8_lossy(b).into_owned());
        let mut journal = Journal::default();
        let mut delay = None;
        let outcome: Result<Reply, TransportError> = match fault {
            None => {
                Ok(shared.state.handle(request.method, &request.url, &request.headers, body_bytes, false, &mut journal))
            }
            Some(kind) => {
                let mut handle = |shared: &mut Shared| {
                    shared.state.handle(request.method, &request.url, &request.headers, body_bytes, false, &mut journal)
                };
                match kind {
                    FaultKind::Throttled { retry_after } => Ok(fault_reply(
                        &mut shared.state,
                        429,
                        "Application_TooManyRequests",
                        "The request was throttled: too many requests in the current window.",
                        retry_after,
                    )),
                    FaultKind::ServiceUnavailable { retry_after } => Ok(fault_reply(
                        &mut shared.state,
                        503,
                        "Internal_ServiceUnavailable",
                        "The service is temporarily unavailable: its request queue is full.",
                        retry_after,
                    )),
                    FaultKind::Error { status, code, message } => {
                        Ok(fault_reply(&mut shared.state, status, &code, &message, None))
                    }
                    FaultKind::GatewayTimeout { after_processing } => {
                        if after_processing {
                            handle(&mut shared);
                        }
                        let mut headers = Headers::new();
                        headers.set("Content-Type", "text/plain");
                        Ok(Reply { status: 504, headers, body: b"Gateway Timeout".to_vec() })
                    }
                    FaultKind::Timeout { after_processing } => {
                        if after_processing {
                            handle(&mut shared);
                        }
                        Err(TransportError::new(TransportErrorKind::Timeout, "timed out (fault injected by the fake)"))
                    }
                    FaultKind::ConnectionFailed => Err(TransportError::new(
                        TransportErrorKind::Connect,
                        "could not connect (fault injected by the fake)",
                    )),
                    FaultKind::StaleEtag => {
                        shared.state.change_behind_the_clients_back(&request.url);
                        Ok(handle(&mut shared))
                    }
                    FaultKind::Delay(wait) => {
                        delay = Some(wait);
                        Ok(handle(&mut shared))
                    }
                }
            }
        };
        let status = outcome.as_ref().ok().map(|reply| reply.status);
        shared.log.push(RecordedRequest {
            number,
            method: request.method,
            url: request.url.clone(),
            path,
            query,
            headers: request.headers.clone(),
            body,
            status,
            in_batch: false,
        });
        for sub in journal.batch {
            let (path, query) = match shared.state.locate(&sub.url) {
                Ok(located) => (faults::join_segments(&located.rest), located.url.query),
                Err(_) => (String::new(), Vec::new()),
            };
            shared.log.push(RecordedRequest {
                number,
                method: sub.method,
                url: sub.url,
                path,
                query,
                headers: sub.headers,
                body: sub.body,
                status: Some(sub.status),
                in_batch: true,
            });
        }
        shared.calls.extend(journal.actions);
        let response =
            outcome.map(|reply| HttpResponse { status: reply.status, headers: reply.headers, body: reply.body.into() });
        (response, delay)
    }
}

impl Transport for FakeBusinessCentral {
    fn send(&self, request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, TransportError>> {
        Box::pin(self.exchange(request))
    }
}

fn fault_reply(state: &mut State, status: u16, code: &str, message: &str, retry_after: Option<Duration>) -> Reply {
    let mut reply = state.failure_reply(&Failure::new(status, code, message));
    if let Some(wait) = retry_after {
        reply.headers.set("Retry-After", wait.as_secs().to_string());
    }
    reply
}

impl State {
    /// A stale-ETag fault: the entity a write addresses changes first.
    fn change_behind_the_clients_back(&mut self, url: &str) {
        let Ok(located) = self.locate(url) else { return };
        let mut rest = located.rest.clone();
        if rest.last().is_some_and(|s| s.name.contains('.') && s.key.is_none()) {
            rest.pop();
        }
        let route = &mut self.routes[located.route];
        let company = located.url.parameter("company").map(str::to_owned);
        if let Ok(resolve::Target::Entity(entity)) =
            resolve::resolve(&route.model, &route.store, &rest, company.as_deref())
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
}
