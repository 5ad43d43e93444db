//! The webhook receiver's invariants, for any call to a notification URL:
//! no panic, a reply every time (200 for accepted notifications, a 4xx
//! otherwise; never a status that would pass for success on a refusal), at
//! most 1,000 notifications looked at, and exactly the notifications whose
//! client state is the accepted one, in order: none without it.

use business_central_sdk::webhooks::{ClientState, IncomingRequest, ReceivedKind, Receiver, Rejection};
use serde_json::Value;

use super::oracle::Outcome;
use super::seeds::CLIENT_STATE;

/// The most notifications one call from Business Central carries.
const MAX_NOTIFICATIONS: usize = 1000;

pub(super) fn check_notifications(input: &[u8], variant: u64) -> Result<Outcome, String> {
    let receiver = Receiver::new(ClientState::new(CLIENT_STATE));
    // Now and then the input is the query string too (the handshake path).
    let query = variant.is_multiple_of(8).then(|| String::from_utf8_lossy(input).into_owned());
    let received = receiver.receive(IncomingRequest::new(query.as_deref(), input));
    let status = received.reply.status();
    let token = query.as_deref().and_then(|query| {
        url::form_urlencoded::parse(query.as_bytes()).find(|(name, _)| name == "validationToken").map(|(_, t)| t)
    });
    if let Some(token) = token {
        return match (&received.kind, status) {
            (ReceivedKind::Handshake, 200) if received.reply.body() == token.as_bytes() => Ok(Outcome::Decoded),
            (ReceivedKind::Rejected(Rejection::SuspiciousToken), 400) if token.len() > 4096 => Ok(Outcome::Refused),
            (kind, status) => Err(format!("a handshake with a {}-byte token: {kind:?} {status}", token.len())),
        };
    }
    let count = received.notifications.len();
    match (&received.kind, status) {
        (ReceivedKind::Notifications, 200) => {}
        (ReceivedKind::Rejected(_), 400..=499) if count == 0 => {}
        (kind, status) => return Err(format!("{kind:?} answered {status} with {count} notifications")),
    }
    if count + received.rejected > MAX_NOTIFICATIONS {
        return Err(format!(
            "{count} notifications kept and {} dropped: past the most a call carries",
            received.rejected
        ));
    }
    // What an independent parser finds: the subscription ids of the
    // notifications that carry the accepted client state.
    let body = input.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(input);
    let expected: Option<Vec<String>> = serde_json::from_slice::<Value>(body).ok().and_then(|value| {
        let items = value.get("value")?.as_array()?.clone();
        let carrying =
            items.iter().filter(|item| item.get("clientState").and_then(Value::as_str) == Some(CLIENT_STATE));
        Some(carrying.map(|item| item.get("subscriptionId").and_then(Value::as_str).unwrap_or("").to_owned()).collect())
    });
    let accepted: Vec<String> = received.notifications.iter().map(|n| n.subscription_id.as_str().to_owned()).collect();
    match (&received.kind, expected) {
        (ReceivedKind::Notifications, Some(expected)) if accepted != expected => {
            Err(format!("accepted {accepted:?}, but the notifications carrying the client state are {expected:?}"))
        }
        (ReceivedKind::Notifications, None) if count > 0 => {
            // The receiver ignores unknown members that an independent
            // parser may refuse (a number out of range); it must still
            // have accepted only notifications that carry the state.
            Ok(Outcome::Decoded)
        }
        (ReceivedKind::Rejected(Rejection::ClientStateMismatch), Some(expected)) if !expected.is_empty() => {
            Err(format!("refused a call whose notifications {expected:?} carry the client state"))
        }
        (ReceivedKind::Notifications, _) if count > 0 => Ok(Outcome::Decoded),
        _ => Ok(Outcome::Refused),
    }
}
