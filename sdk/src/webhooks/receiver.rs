//! [`Receiver`]: what to answer Business Central's calls to a notification
//! URL, independent of the HTTP server that takes them.

use std::time::Duration;

use super::client_state::ClientState;
use super::notification::Notification;
use super::wire::{self, Unread};
use crate::limits::{COLLECTION_NOTIFICATION_THRESHOLD, MAX_CLIENT_STATE_CHARS};

/// Room for one notification in a call: its client state at its longest
/// (2,048 UTF-16 code units, each up to 6 bytes once escaped as `\uXXXX`)
/// and 4 KiB for the rest (ids, resource path, timestamps, spacing).
const NOTIFICATION_ALLOWANCE: usize = 6 * MAX_CLIENT_STATE_CHARS + 4096;

/// Room for the object around the notifications.
const ENVELOPE_ALLOWANCE: usize = 64 * 1024;

/// The largest notification body a [`Receiver`] reads by default, about
/// 16 MB: Business Central's largest call, 1,000 notifications (per
/// notification URL; more changes become one `collection` notification),
/// each with a client state of the longest length Business Central
/// accepts, whatever its characters and however they are escaped. A
/// larger body is refused (413) without being parsed. Limit request bodies
/// to [`Receiver::body_limit`] (this value, unless
/// [`Receiver::max_notifications`] raised it) in the HTTP server too.
///
/// Receiving costs little memory beyond the body itself: notifications are
/// checked one at a time as the body is parsed, and only those with an
/// accepted client state are kept.
pub const MAX_NOTIFICATION_BODY: usize =
    COLLECTION_NOTIFICATION_THRESHOLD * NOTIFICATION_ALLOWANCE + ENVELOPE_ALLOWANCE;

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
    /// The body exceeds [`Receiver::body_limit`] (answered 413).
    TooLarge,
    /// More notifications than one call from Business Central carries
    /// ([`Receiver::max_notifications`]; answered 413). The body was not
    /// read further.
    TooManyNotifications,
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
    max_notifications: usize,
}

impl Receiver {
    /// A receiver for subscriptions made with `client_state`.
    pub fn new(client_state: ClientState) -> Receiver {
        Receiver { accepted: vec![client_state], max_notifications: COLLECTION_NOTIFICATION_THRESHOLD }
    }

    /// Accepts notifications carrying `client_state` too: while changing
    /// secrets, until every subscription made with the old one is renewed
    /// with the new one.
    pub fn also_accept(mut self, client_state: ClientState) -> Receiver {
        self.accepted.push(client_state);
        self
    }

    /// The most notifications one call may carry (default 1,000, Business
    /// Central online's limit per notification URL): for Business Central
    /// on premises whose `ApiSubscriptionMaxNumberOfNotifications` is set
    /// higher. A call with more is refused (413) without reading it further;
    /// [`body_limit`](Self::body_limit) grows with this number.
    pub fn max_notifications(mut self, count: usize) -> Receiver {
        self.max_notifications = count.max(1);
        self
    }

    /// The largest body the receiver reads ([`MAX_NOTIFICATION_BODY`] for
    /// 1,000 notifications): set the HTTP server's request body limit to it.
    pub fn body_limit(&self) -> usize {
        self.max_notifications.saturating_mul(NOTIFICATION_ALLOWANCE).saturating_add(ENVELOPE_ALLOWANCE)
    }

    /// Compares with every accepted secret, without stopping at the first
    /// match, so that the time taken says nothing about the secrets.
    fn accepts(&self, candidate: &str) -> bool {
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
        if request.body.len() > self.body_limit() {
            return rejected(Rejection::TooLarge, Reply::text(413, "body too large"));
        }
        // Business Central wrote a byte order mark before version 19.
        let body = request.body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(request.body);
        let accepts = |state: &str| self.accepts(state);
        let parsed = match wire::parse(body, self.max_notifications, &accepts) {
            Ok(parsed) => parsed,
            Err(Unread::TooMany) => {
                return rejected(Rejection::TooManyNotifications, Reply::text(413, "too many notifications"));
            }
            Err(Unread::Malformed(error)) => {
                let reason = format!("not a notification payload: {error}");
                return rejected(Rejection::Malformed(reason), Reply::text(400, "not a notification payload"));
            }
        };
        let notifications = parsed.notifications;
        let dropped = parsed.total - notifications.len();
        if notifications.is_empty() && parsed.total > 0 {
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
    use chrono::DateTime;

    use super::*;
    use crate::webhooks::ChangeType;

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

    /// A call of `count` notifications, each with `state` as its client
    /// state, written as JSON text (escaped or not).
    fn call(count: usize, state_json: &str) -> Vec<u8> {
        let item = format!(
            r#"{{"subscriptionId":"c670ea73cacb459bb51dc1740da2f1db","clientState":"{state_json}","expirationDateTime":"2025-10-29T07:52:31Z","resource":"api/v2.0/companies(b18aed47-c385-49d2-b954-dbdf8ad71780)/customers(26814998-936a-401c-81c1-0e848a64971d)","changeType":"updated","lastModifiedDateTime":"2025-10-26T12:54:20.467Z"}}"#
        );
        format!(r#"{{"value":[{}]}}"#, vec![item; count].join(",")).into_bytes()
    }

    #[test]
    fn the_largest_call_business_central_makes_is_read_whatever_the_client_states_characters() {
        // 2,048 UTF-16 code units of client state, as Business Central
        // counts its 2,048 characters: raw UTF-8 (2 and 3 bytes each),
        // escaped as `\uXXXX`, and astral characters as escaped pairs.
        let cases = [
            ("é".repeat(2048), "é".repeat(2048)),
            ("€".repeat(2048), "€".repeat(2048)),
            ("é".repeat(2048), "\\u00e9".repeat(2048)),
            ("😀".repeat(1024), "\\ud83d\\ude00".repeat(1024)),
        ];
        for (state, json) in cases {
            assert!(ClientState::new(state.as_str()).problem().is_none(), "Business Central accepts it");
            let body = call(1000, &json);
            let received = Receiver::new(ClientState::new(state)).receive(IncomingRequest::new(None, &body));
            assert_eq!(received.reply.status(), 200, "{} bytes: {:?}", body.len(), received.kind);
            assert_eq!(received.notifications.len(), 1000);
        }
        assert!(MAX_NOTIFICATION_BODY >= call(1000, &"\\u00e9".repeat(MAX_CLIENT_STATE_CHARS)).len());
        assert_eq!(receiver().body_limit(), MAX_NOTIFICATION_BODY);
    }

    #[test]
    fn a_call_with_more_notifications_than_business_central_sends_is_refused_unread() {
        let body = call(1001, "secret");
        let refused = receiver().receive(IncomingRequest::new(None, &body));
        assert_eq!(refused.kind, ReceivedKind::Rejected(Rejection::TooManyNotifications));
        assert_eq!((refused.reply.status(), refused.notifications.len()), (413, 0));
        // On premises the limit is a setting.
        let on_premises = receiver().max_notifications(5000);
        assert_eq!(on_premises.receive(IncomingRequest::new(None, &body)).notifications.len(), 1001);
        assert!(on_premises.body_limit() > MAX_NOTIFICATION_BODY);
        let large = call(8000, &"x".repeat(2048));
        assert!(large.len() > MAX_NOTIFICATION_BODY);
        let state = ClientState::new("x".repeat(2048));
        assert_eq!(Receiver::new(state.clone()).receive(IncomingRequest::new(None, &large)).reply.status(), 413);
        let received = Receiver::new(state).max_notifications(8000).receive(IncomingRequest::new(None, &large));
        assert_eq!(received.notifications.len(), 8000);
        assert_eq!(receiver().max_notifications(0).body_limit(), receiver().max_notifications(1).body_limit());
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
