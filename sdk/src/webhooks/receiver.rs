//! [`Receiver`]: what to answer Business Central's calls to a notification
//! URL, independent of the HTTP server that takes them.

use std::time::Duration;

use chrono::{DateTime, FixedOffset};
use serde::Deserialize;

use super::client_state::{ClientState, SubscriptionId};
use super::notification::{ChangeType, Notification, ResourcePath};

/// The largest notification body the receiver reads. Business Central
/// sends at most 1,000 notifications of a few hundred bytes each in one
/// call; a body larger than this is refused (413) without being parsed.
/// Limit request bodies to this size in the HTTP server too.
pub const MAX_NOTIFICATION_BODY: usize = 4 * 1024 * 1024;

/// The longest `validationToken` echoed back.
const MAX_VALIDATION_TOKEN: usize = 4096;

/// A call to the notification URL, as the HTTP server received it. Only
/// the query string and the body matter: Business Central's notifications
/// carry no signature header; what authenticates them is the client state
/// inside the body.
#[derive(Debug, Clone, Copy)]
pub struct IncomingRequest<'a> {
    query: Option<&'a str>,
    body: &'a [u8],
}

impl<'a> IncomingRequest<'a> {
    /// A request with this query string (without `?`; `None` or empty when
    /// there is none) and body.
    pub fn new(query: Option<&'a str>, body: &'a [u8]) -> IncomingRequest<'a> {
        IncomingRequest { query, body }
    }

    /// The `validationToken` query parameter, decoded.
    fn validation_token(&self) -> Option<String> {
        let query = self.query?;
        form_urlencoded::parse(query.as_bytes())
            .find(|(name, _)| name == "validationToken")
            .map(|(_, token)| token.into_owned())
    }
}

/// The HTTP response to send back.
#[derive(Clone, PartialEq, Eq)]
pub struct Reply {
    status: u16,
    content_type: Option<&'static str>,
    body: Vec<u8>,
    retry_after: Option<u64>,
}

impl std::fmt::Debug for Reply {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The body of a handshake reply is the token: not a secret, but not
        // useful in logs either.
        f.debug_struct("Reply")
            .field("status", &self.status)
            .field("content_type", &self.content_type)
            .field("body_bytes", &self.body.len())
            .field("retry_after", &self.retry_after)
            .finish()
    }
}

impl Reply {
    fn empty(status: u16) -> Reply {
        Reply { status, content_type: None, body: Vec::new(), retry_after: None }
    }

    fn text(status: u16, text: impl Into<String>) -> Reply {
        Reply {
            status,
            content_type: Some("text/plain; charset=utf-8"),
            body: text.into().into_bytes(),
            retry_after: None,
        }
    }

    /// 503 with `Retry-After`: the answer when notifications could not be
    /// recorded for a reason that may pass (a database or queue that is
    /// down). Business Central retries for up to 36 hours. Never answer
    /// such a failure with a 4xx: Business Central deletes the
    /// subscription after any status other than 408, 429 or 5xx.
    pub fn retry_later(after: Duration) -> Reply {
        Reply { retry_after: Some(after.as_secs().max(1)), ..Reply::text(503, "try again later") }
    }

    /// 429 with `Retry-After`: the answer when the receiver is overloaded.
    /// Business Central retries as for [`Reply::retry_later`].
    pub fn too_many_requests(after: Duration) -> Reply {
        Reply { retry_after: Some(after.as_secs().max(1)), ..Reply::text(429, "too many requests") }
    }

    /// The status code.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The `Content-Type` header, when there is a body.
    pub fn content_type(&self) -> Option<&'static str> {
        self.content_type
    }

    /// The body (the token for a handshake, a short text otherwise).
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// Every header to set: `Content-Type`, `X-Content-Type-Options`
    /// (the handshake echoes text chosen by the caller) and `Retry-After`.
    pub fn headers(&self) -> Vec<(&'static str, String)> {
        let mut headers = Vec::new();
        if let Some(content_type) = self.content_type {
            headers.push(("Content-Type", content_type.to_owned()));
            headers.push(("X-Content-Type-Options", "nosniff".to_owned()));
        }
        if let Some(seconds) = self.retry_after {
            headers.push(("Retry-After", seconds.to_string()));
        }
        headers
    }
}

/// What a call to the notification URL was.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReceivedKind {
    /// Business Central validating the URL (a subscription is being created
    /// or renewed): send the reply at once, it waits about 5 seconds.
    Handshake,
    /// Notifications with a matching client state. Record them (or queue
    /// them), then send the reply; if recording fails for a reason that may
    /// pass, send [`Reply::retry_later`] instead.
    Notifications,
    /// Not a call to act on; the reply says why.
    Rejected(Rejection),
}

/// Why a call was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Rejection {
    /// No notification carried an accepted client state: the call is not
    /// from Business Central, or from a subscription made with another
    /// secret. Answered 401, which makes Business Central delete such a
    /// subscription.
    ClientStateMismatch,
    /// The body is not a notification payload (answered 400).
    Malformed(String),
    /// The body exceeds [`MAX_NOTIFICATION_BODY`] (answered 413).
    TooLarge,
    /// A `validationToken` longer than any Business Central sends (400).
    SuspiciousToken,
}

/// The outcome of one call: the reply to send and the notifications to act
/// on (empty unless [`kind`](Self::kind) is
/// [`Notifications`](ReceivedKind::Notifications)).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Received {
    /// What the call was.
    pub kind: ReceivedKind,
    /// The response to send (unless recording the notifications fails, see
    /// [`ReceivedKind::Notifications`]).
    pub reply: Reply,
    /// The notifications, in the order received.
    pub notifications: Vec<Notification>,
    /// Notifications dropped because their client state did not match.
    pub rejected: usize,
}

/// Answers calls to a notification URL: the `validationToken` handshake,
/// and notifications checked against the client state(s) it accepts.
///
/// It is a plain function of the request, so it works with any HTTP server
/// (the example `keep_customers_in_sync` uses axum). It neither blocks nor
/// does I/O: a handshake is answered in microseconds.
///
/// ```
/// use business_central_sdk::webhooks::{ClientState, IncomingRequest, Receiver, ReceivedKind};
///
/// let receiver = Receiver::new(ClientState::new("a long random secret"));
/// let handshake = receiver.receive(IncomingRequest::new(Some("validationToken=abc%2B1"), b""));
/// assert_eq!(handshake.kind, ReceivedKind::Handshake);
/// assert_eq!((handshake.reply.status(), handshake.reply.body()), (200, &b"abc+1"[..]));
/// ```
#[derive(Debug, Clone)]
pub struct Receiver {
    accepted: Vec<ClientState>,
}

/// The body Business Central posts.
#[derive(Deserialize)]
struct WireBody {
    value: Vec<WireNotification>,
}

#[derive(Deserialize)]
struct WireNotification {
    #[serde(rename = "subscriptionId", default)]
    subscription_id: String,
    #[serde(rename = "clientState", default)]
    client_state: Option<String>,
    #[serde(rename = "expirationDateTime", default)]
    expires_at: Option<String>,
    #[serde(default)]
    resource: String,
    #[serde(rename = "changeType", default)]
    change_type: String,
    #[serde(rename = "lastModifiedDateTime", default)]
    last_modified: Option<String>,
}

fn timestamp(text: Option<&str>) -> Option<DateTime<FixedOffset>> {
    text.and_then(|text| DateTime::parse_from_rfc3339(text).ok())
}

impl Receiver {
    /// A receiver for subscriptions made with `client_state`.
    pub fn new(client_state: ClientState) -> Receiver {
        Receiver { accepted: vec![client_state] }
    }

    /// Accepts notifications carrying `client_state` too: while changing
    /// secrets, until every subscription made with the old one is renewed
    /// with the new one.
    pub fn also_accept(mut self, client_state: ClientState) -> Receiver {
        self.accepted.push(client_state);
        self
    }

    /// Compares with every accepted secret, without stopping at the first
    /// match, so that the time taken says nothing about the secrets.
    fn accepts(&self, candidate: Option<&str>) -> bool {
        let Some(candidate) = candidate else { return false };
        self.accepted.iter().fold(false, |found, state| state.matches(candidate) | found)
    }

    /// What to answer `request`, and the notifications it carried.
    pub fn receive(&self, request: IncomingRequest<'_>) -> Received {
        if let Some(token) = request.validation_token() {
            if token.len() > MAX_VALIDATION_TOKEN {
                return rejected(Rejection::SuspiciousToken, Reply::text(400, "validation token too long"));
            }
            return Received {
                kind: ReceivedKind::Handshake,
                reply: Reply::text(200, token),
                notifications: Vec::new(),
                rejected: 0,
            };
        }
        if request.body.len() > MAX_NOTIFICATION_BODY {
            return rejected(Rejection::TooLarge, Reply::text(413, "body too large"));
        }
        // Business Central wrote a byte order mark before version 19.
        let body = request.body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(request.body);
        let wire: WireBody = match serde_json::from_slice(body) {
            Ok(wire) => wire,
            Err(error) => {
                let reason = format!("not a notification payload: {error}");
                return rejected(Rejection::Malformed(reason), Reply::text(400, "not a notification payload"));
            }
        };
        let total = wire.value.len();
        let notifications: Vec<Notification> = wire
            .value
            .into_iter()
            .filter(|item| self.accepts(item.client_state.as_deref()))
            .map(|item| Notification {
                subscription_id: SubscriptionId::new(item.subscription_id),
                change: ChangeType::parse(&item.change_type),
                resource: ResourcePath::parse(&item.resource),
                expires_at: timestamp(item.expires_at.as_deref()),
                last_modified: timestamp(item.last_modified.as_deref()),
            })
            .collect();
        let dropped = total - notifications.len();
        if notifications.is_empty() && total > 0 {
            let mut outcome = rejected(Rejection::ClientStateMismatch, Reply::text(401, "unknown client state"));
            outcome.rejected = dropped;
            return outcome;
        }
        Received { kind: ReceivedKind::Notifications, reply: Reply::empty(200), notifications, rejected: dropped }
    }
}

fn rejected(reason: Rejection, reply: Reply) -> Received {
    Received { kind: ReceivedKind::Rejected(reason), reply, notifications: Vec::new(), rejected: 0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: &str = r#"{"value":[
        {"subscriptionId":"webhookItemsId","clientState":"secret","expirationDateTime":"2018-10-29T07:52:31Z",
         "resource":"api/v2.0/companies(b18aed47-c385-49d2-b954-dbdf8ad71780)/items(26814998-936a-401c-81c1-0e848a64971d)",
         "changeType":"updated","lastModifiedDateTime":"2018-10-26T12:54:20.467Z"},
        {"subscriptionId":"other","clientState":"not ours","resource":"api/v2.0/companies(b18aed47-c385-49d2-b954-dbdf8ad71780)/customers(4b4f31f0-dc1c-4033-b2aa-ab03ca1d6ebc)",
         "changeType":"deleted","lastModifiedDateTime":"2018-10-26T12:54:30.503Z"},
        {"subscriptionId":"salesInvoice","clientState":"secret","expirationDateTime":"2018-10-20T10:55:01Z",
         "resource":"/api/v2.0/companies(7dbba574-5f69-4167-a43e-fb975045de15)/salesInvoices?$filter=lastModifiedDateTime%20gt%202018-10-15T11:00:00Z",
         "changeType":"collection","lastModifiedDateTime":"2018-10-26T12:54:30.503Z"}]}"#;

    fn receiver() -> Receiver {
        Receiver::new(ClientState::new("secret"))
    }

    #[test]
    fn the_handshake_echoes_the_decoded_token_as_text() {
        let received = receiver().receive(IncomingRequest::new(Some("validationToken=a%20b%2Bc&x=1"), b"ignored"));
        assert_eq!(received.kind, ReceivedKind::Handshake);
        assert_eq!(received.reply.status(), 200);
        assert_eq!(received.reply.body(), b"a b+c");
        assert_eq!(received.reply.content_type(), Some("text/plain; charset=utf-8"));
        let long = format!("validationToken={}", "x".repeat(5000));
        assert_eq!(receiver().receive(IncomingRequest::new(Some(&long), b"")).reply.status(), 400);
    }

    #[test]
    fn notifications_are_typed_and_foreign_client_states_dropped() {
        let received = receiver().receive(IncomingRequest::new(None, BODY.as_bytes()));
        assert_eq!(received.kind, ReceivedKind::Notifications);
        assert_eq!((received.reply.status(), received.rejected), (200, 1));
        let [item, collection] = received.notifications.as_slice() else { panic!("{:?}", received.notifications) };
        assert_eq!(item.change, ChangeType::Updated);
        assert_eq!(item.resource.entity_set(), "items");
        assert_eq!(item.subscription_id.as_str(), "webhookItemsId");
        assert_eq!(item.last_modified, DateTime::parse_from_rfc3339("2018-10-26T12:54:20.467Z").ok());
        assert_eq!(collection.change, ChangeType::Collection);
        assert!(collection.resource.changed_since().is_some());
    }

    #[test]
    fn a_body_with_no_accepted_client_state_is_refused_and_rotation_accepts_both() {
        let strict = Receiver::new(ClientState::new("new"));
        let refused = strict.receive(IncomingRequest::new(Some(""), BODY.as_bytes()));
        assert_eq!(refused.kind, ReceivedKind::Rejected(Rejection::ClientStateMismatch));
        assert_eq!((refused.reply.status(), refused.rejected, refused.notifications.len()), (401, 3, 0));
        let rotating = strict.also_accept(ClientState::new("secret"));
        assert_eq!(rotating.receive(IncomingRequest::new(None, BODY.as_bytes())).notifications.len(), 2);
    }

    #[test]
    fn malformed_and_oversized_bodies_are_refused_and_a_bom_is_tolerated() {
        let garbage = receiver().receive(IncomingRequest::new(None, b"<html>"));
        assert!(matches!(garbage.kind, ReceivedKind::Rejected(Rejection::Malformed(_))));
        assert_eq!(garbage.reply.status(), 400);
        let huge = vec![b' '; MAX_NOTIFICATION_BODY + 1];
        assert_eq!(receiver().receive(IncomingRequest::new(None, &huge)).reply.status(), 413);
        let with_bom = [b"\xEF\xBB\xBF".as_slice(), BODY.as_bytes()].concat();
        assert_eq!(receiver().receive(IncomingRequest::new(None, &with_bom)).notifications.len(), 2);
        let empty = receiver().receive(IncomingRequest::new(None, br#"{"value":[]}"#));
        assert_eq!((empty.kind, empty.reply.status()), (ReceivedKind::Notifications, 200));
    }

    #[test]
    fn transient_failures_are_answered_so_that_business_central_retries() {
        for reply in [Reply::retry_later(Duration::from_secs(30)), Reply::too_many_requests(Duration::ZERO)] {
            assert!(reply.status() == 429 || reply.status() >= 500);
            assert!(reply.headers().iter().any(|(name, _)| *name == "Retry-After"));
        }
        assert_eq!(Reply::retry_later(Duration::from_secs(30)).headers()[2], ("Retry-After", "30".to_owned()));
    }
}
