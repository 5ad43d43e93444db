//! A webhook endpoint for the tests: an axum server on 127.0.0.1 that
//! answers with the SDK's [`Receiver`] and keeps what it received. It can
//! also misbehave the ways the tests need: fail transiently, refuse with a
//! 4xx, or answer the handshake too slowly.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, RawQuery, State};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::Response;
use axum::routing::post;
use business_central_sdk::webhooks::{ClientState, IncomingRequest, Notification, ReceivedKind, Receiver, Reply};
use tokio::sync::{Notify, oneshot};

/// How the endpoint answers notifications (handshakes are always answered
/// by the receiver, possibly late).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Behaviour {
    /// As the receiver says (200).
    Accept,
    /// 503 for the next `n` notification calls, then accept.
    FailTransiently(usize),
    /// Always this status, without recording anything.
    Refuse(u16),
}

struct Sink {
    receiver: Receiver,
    behaviour: Mutex<Behaviour>,
    handshake_delay: Mutex<Duration>,
    received: Mutex<Vec<Notification>>,
    handshakes: AtomicUsize,
    calls: AtomicUsize,
    arrived: Notify,
}

/// A running endpoint; dropping it stops the server.
pub struct NotificationSink {
    url: String,
    sink: Arc<Sink>,
    _stop: oneshot::Sender<()>,
}

fn to_response(reply: &Reply) -> Response {
    let mut response = Response::new(Body::from(reply.body().to_vec()));
    *response.status_mut() = StatusCode::from_u16(reply.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    for (name, value) in reply.headers() {
        if let (Ok(name), Ok(value)) = (HeaderName::from_bytes(name.as_bytes()), HeaderValue::from_str(&value)) {
            response.headers_mut().insert(name, value);
        }
    }
    response
}

async fn hook(State(sink): State<Arc<Sink>>, RawQuery(query): RawQuery, body: Bytes) -> Response {
    let received = sink.receiver.receive(IncomingRequest::new(query.as_deref(), &body));
    if received.kind == ReceivedKind::Handshake {
        sink.handshakes.fetch_add(1, Ordering::SeqCst);
        let delay = *sink.handshake_delay.lock().unwrap_or_else(|p| p.into_inner());
        tokio::time::sleep(delay).await;
        return to_response(&received.reply);
    }
    sink.calls.fetch_add(1, Ordering::SeqCst);
    let behaviour = {
        let mut behaviour = sink.behaviour.lock().unwrap_or_else(|p| p.into_inner());
        let now = *behaviour;
        if let Behaviour::FailTransiently(n) = now {
            *behaviour = if n > 1 { Behaviour::FailTransiently(n - 1) } else { Behaviour::Accept };
        }
        now
    };
    match behaviour {
        Behaviour::Accept => {
            sink.received.lock().unwrap_or_else(|p| p.into_inner()).extend(received.notifications);
            sink.arrived.notify_waiters();
            to_response(&received.reply)
        }
        Behaviour::FailTransiently(_) => to_response(&Reply::retry_later(Duration::from_secs(1))),
        Behaviour::Refuse(status) => {
            let mut response = Response::new(Body::empty());
            *response.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
            response
        }
    }
}

impl NotificationSink {
    /// Starts an endpoint accepting `client_state`, on a free port.
    pub async fn start(client_state: ClientState) -> NotificationSink {
        let receiver = Receiver::new(client_state);
        let body_limit = receiver.body_limit();
        let sink = Arc::new(Sink {
            receiver,
            behaviour: Mutex::new(Behaviour::Accept),
            handshake_delay: Mutex::new(Duration::ZERO),
            received: Mutex::new(Vec::new()),
            handshakes: AtomicUsize::new(0),
            calls: AtomicUsize::new(0),
            arrived: Notify::new(),
        });
        let router = Router::new()
            .route("/hook", post(hook).get(hook))
            .layer(DefaultBodyLimit::max(body_limit))
            .with_state(sink.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind a local port");
        let url = format!("http://{}/hook", listener.local_addr().expect("local address"));
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = axum::serve(listener, router)
                .with_graceful_shutdown(async move {
                    let _ = stopped.await;
                })
                .await;
        });
        NotificationSink { url, sink, _stop: stop }
    }

    /// The notification URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Changes how notifications are answered from now on.
    pub fn set_behaviour(&self, behaviour: Behaviour) {
        *self.sink.behaviour.lock().unwrap_or_else(|p| p.into_inner()) = behaviour;
    }

    /// Delays the handshake answers.
    pub fn set_handshake_delay(&self, delay: Duration) {
        *self.sink.handshake_delay.lock().unwrap_or_else(|p| p.into_inner()) = delay;
    }

    /// Handshakes answered so far.
    pub fn handshakes(&self) -> usize {
        self.sink.handshakes.load(Ordering::SeqCst)
    }

    /// Calls with notifications (accepted or not) so far.
    pub fn notification_calls(&self) -> usize {
        self.sink.calls.load(Ordering::SeqCst)
    }

    /// Every notification accepted so far.
    pub fn notifications(&self) -> Vec<Notification> {
        self.sink.received.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Takes the notifications accepted so far.
    pub fn take(&self) -> Vec<Notification> {
        std::mem::take(&mut *self.sink.received.lock().unwrap_or_else(|p| p.into_inner()))
    }

    /// Waits until the notifications accepted so far satisfy `done`, or
    /// `timeout` passes; returns them either way.
    pub async fn wait_until(&self, timeout: Duration, done: impl Fn(&[Notification]) -> bool) -> Vec<Notification> {
        let deadline = Instant::now() + timeout;
        loop {
            let arrived = self.sink.arrived.notified();
            let now = self.notifications();
            if done(&now) || Instant::now() >= deadline {
                return now;
            }
            let _ = tokio::time::timeout(deadline.saturating_duration_since(Instant::now()), arrived).await;
        }
    }
}
