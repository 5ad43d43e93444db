//! Reading a notification body while the JSON parser walks it. Each
//! notification's client state is checked as soon as the notification has
//! been read, so a body that does not come from Business Central costs
//! next to no memory, whatever its size: nothing of a refused notification
//! is kept, none of its strings is decoded except a client state short
//! enough to be one, and the parse stops after the most notifications one
//! call may carry. A first walk over the bytes refuses the two shapes that
//! would still make the parser allocate in proportion to the body (deep
//! nesting, long object keys); no notification payload has either.

use std::fmt;

use chrono::{DateTime, FixedOffset};
use serde::Deserialize;
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

use super::client_state::SubscriptionId;
use super::notification::{ChangeType, Notification, ResourcePath};
use crate::limits::MAX_CLIENT_STATE_CHARS;

/// The longest client state as JSON text: its 2,048 UTF-16 code units each
/// escaped as `\uXXXX`, and the quotes. A longer one is not decoded.
const MAX_CLIENT_STATE_JSON: usize = 6 * MAX_CLIENT_STATE_CHARS + 2;

/// Deeper nesting than this is refused: a payload is three levels deep
/// (`{"value":[{…}]}`), and the parser keeps a byte per open level.
const MAX_DEPTH: usize = 32;

/// Longer object keys are refused: the parser decodes a key that has
/// escapes into a buffer, and a payload's keys are short names.
const MAX_KEY_BYTES: usize = 1024;

/// The notifications of a body whose client state was accepted, and how
/// many notifications it held in all.
#[derive(Debug)]
pub(super) struct Parsed {
    pub(super) notifications: Vec<Notification>,
    pub(super) total: usize,
}

/// Why a body was not read.
#[derive(Debug)]
pub(super) enum Unread {
    /// Not a notification payload.
    Malformed(String),
    /// More notifications than one call may carry.
    TooMany,
}

/// Reads `body` (`{"value":[…]}`), keeping the notifications whose client
/// state `accepts` takes, and stopping after `max` notifications.
pub(super) fn parse(body: &[u8], max: usize, accepts: &dyn Fn(&str) -> bool) -> Result<Parsed, Unread> {
    check_shape(body).map_err(|problem| Unread::Malformed(problem.to_owned()))?;
    let mut reading = Reading { accepts, max, notifications: Vec::new(), total: 0, too_many: false };
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let outcome = (&mut reading).deserialize(&mut deserializer).and_then(|()| deserializer.end());
    match outcome {
        _ if reading.too_many => Err(Unread::TooMany),
        Ok(()) => Ok(Parsed { notifications: reading.notifications, total: reading.total }),
        Err(error) => Err(Unread::Malformed(error.to_string())),
    }
}

/// Refuses nesting deeper than [`MAX_DEPTH`] and object keys longer than
/// [`MAX_KEY_BYTES`], in one pass over the bytes that allocates nothing.
/// Anything else, valid or not, is left to the JSON parser.
fn check_shape(body: &[u8]) -> Result<(), &'static str> {
    // One bit per open level: set for an object, clear for an array.
    let (mut objects, mut depth) = (0u64, 0usize);
    let mut expect_key = false;
    let mut at = 0;
    while let Some(&byte) = body.get(at) {
        match byte {
            b'"' => {
                let start = at;
                at += 1;
                while let Some(&inside) = body.get(at) {
                    match inside {
                        b'\\' => at += 2,
                        b'"' => break,
                        _ => at += 1,
                    }
                }
                if expect_key && at - start > MAX_KEY_BYTES {
                    return Err("an object key longer than any notification payload has");
                }
                expect_key = false;
            }
            b'{' | b'[' => {
                if depth == MAX_DEPTH {
                    return Err("nested deeper than any notification payload");
                }
                let is_object = byte == b'{';
                objects = (objects << 1) | u64::from(is_object);
                depth += 1;
                expect_key = is_object;
            }
            b'}' | b']' => {
                objects >>= 1;
                depth = depth.saturating_sub(1);
                expect_key = false;
            }
            b',' => expect_key = depth > 0 && objects & 1 == 1,
            b':' => expect_key = false,
            _ => {}
        }
        at += 1;
    }
    Ok(())
}

/// What the parse has found so far.
struct Reading<'a> {
    accepts: &'a dyn Fn(&str) -> bool,
    max: usize,
    notifications: Vec<Notification>,
    total: usize,
    too_many: bool,
}

/// One notification as it is on the wire, its values left unparsed
/// (borrowed from the body) until its client state has been accepted.
#[derive(Deserialize)]
struct WireNotification<'a> {
    #[serde(rename = "subscriptionId", borrow, default)]
    subscription_id: Option<&'a RawValue>,
    #[serde(rename = "clientState", borrow, default)]
    client_state: Option<&'a RawValue>,
    #[serde(rename = "expirationDateTime", borrow, default)]
    expires_at: Option<&'a RawValue>,
    #[serde(borrow, default)]
    resource: Option<&'a RawValue>,
    #[serde(rename = "changeType", borrow, default)]
    change_type: Option<&'a RawValue>,
    #[serde(rename = "lastModifiedDateTime", borrow, default)]
    last_modified: Option<&'a RawValue>,
}

/// A JSON string's text; `None` for anything else.
fn text(raw: Option<&RawValue>) -> Option<String> {
    raw.and_then(|raw| serde_json::from_str::<String>(raw.get()).ok())
}

fn timestamp(raw: Option<&RawValue>) -> Option<DateTime<FixedOffset>> {
    text(raw).and_then(|text| DateTime::parse_from_rfc3339(&text).ok())
}

impl WireNotification<'_> {
    fn client_state_accepted(&self, accepts: &dyn Fn(&str) -> bool) -> bool {
        let Some(raw) = self.client_state.filter(|raw| raw.get().len() <= MAX_CLIENT_STATE_JSON) else {
            return false;
        };
        text(Some(raw)).is_some_and(|state| accepts(&state))
    }

    fn into_notification(self) -> Notification {
        Notification {
            subscription_id: SubscriptionId::new(text(self.subscription_id).unwrap_or_default()),
            change: ChangeType::parse(&text(self.change_type).unwrap_or_default()),
            resource: ResourcePath::parse(&text(self.resource).unwrap_or_default()),
            expires_at: timestamp(self.expires_at),
            last_modified: timestamp(self.last_modified),
        }
    }
}

impl<'de> DeserializeSeed<'de> for &mut Reading<'_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for &mut Reading<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(r#"a notification payload, {"value":[…]}"#)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut seen_value = false;
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            if key != "value" {
                map.next_value::<IgnoredAny>()?;
                continue;
            }
            if seen_value {
                return Err(de::Error::duplicate_field("value"));
            }
            seen_value = true;
            map.next_value_seed(Notifications(&mut *self))?;
        }
        if seen_value { Ok(()) } else { Err(de::Error::missing_field("value")) }
    }
}

/// The `value` array.
struct Notifications<'r, 'a>(&'r mut Reading<'a>);

impl<'de> DeserializeSeed<'de> for Notifications<'_, '_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Notifications<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of notifications")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut items: A) -> Result<(), A::Error> {
        let reading = self.0;
        while let Some(item) = items.next_element::<WireNotification<'de>>()? {
            reading.total += 1;
            if reading.total > reading.max {
                reading.too_many = true;
                return Err(de::Error::custom("more notifications than one call may carry"));
            }
            if item.client_state_accepted(reading.accepts) {
                reading.notifications.push(item.into_notification());
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret(state: &str) -> bool {
        state == "secret"
    }

    #[test]
    fn only_accepted_notifications_are_kept_and_odd_values_cost_only_themselves() {
        let body = br#"{"@odata.context":"x","value":[
            {"clientState":"secret","subscriptionId":"a","resource":"api/v2.0/companies(1)/items(2)","changeType":"updated","extra":[{"x":1}]},
            {"clientState":"other","subscriptionId":"b"},
            {"clientState":"secr\u0065t","subscriptionId":7,"changeType":null,"lastModifiedDateTime":"soon"},
            {"subscriptionId":"no state"},
            {"clientState":null}
        ],"trailing":{"ignored":true}}"#;
        let parsed = parse(body, 1000, &secret).expect("a payload");
        assert_eq!(parsed.total, 5);
        let [first, escaped] = parsed.notifications.as_slice() else { panic!("{:?}", parsed.notifications) };
        assert_eq!((first.subscription_id.as_str(), &first.change), ("a", &ChangeType::Updated));
        assert_eq!(first.resource.entity_set(), "items");
        assert_eq!((escaped.subscription_id.as_str(), escaped.last_modified), ("", None));
    }

    #[test]
    fn the_parse_stops_after_the_most_notifications_a_call_carries() {
        let items = [r#"{"clientState":"secret"}"#; 4].join(",");
        let body = format!(r#"{{"value":[{items}]}}"#);
        assert_eq!(parse(body.as_bytes(), 4, &secret).expect("four fit").notifications.len(), 4);
        assert!(matches!(parse(body.as_bytes(), 3, &secret), Err(Unread::TooMany)));
        // Even when the excess is malformed further on.
        let cut = format!(r#"{{"value":[{items},{{}},{{}},"#);
        assert!(matches!(parse(cut.as_bytes(), 4, &secret), Err(Unread::TooMany)));
    }

    #[test]
    fn bodies_that_are_not_payloads_are_malformed() {
        for body in [
            &b"<html>"[..],
            br#"{"value":{}}"#,
            br#"{"value":null}"#,
            br#"{"other":[]}"#,
            br#"{"value":[],"value":[]}"#,
            br#"{"value":[]} trailing"#,
            br#"{"value":[{"clientState":"secret","clientState":"secret"}]}"#,
            br#"[]"#,
        ] {
            assert!(matches!(parse(body, 10, &secret), Err(Unread::Malformed(_))), "{}", String::from_utf8_lossy(body));
        }
    }

    #[test]
    fn shapes_that_would_make_the_parser_allocate_are_refused_first() {
        let deep = format!(r#"{{"value":[],"x":{}{}}}"#, "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert!(matches!(parse(deep.as_bytes(), 10, &secret), Err(Unread::Malformed(m)) if m.contains("nested")));
        let fits = format!(r#"{{"value":[],"x":{}{}}}"#, "[".repeat(MAX_DEPTH - 1), "]".repeat(MAX_DEPTH - 1));
        assert!(parse(fits.as_bytes(), 10, &secret).is_ok());
        let long_key = format!(r#"{{"value":[],"{}":1}}"#, "\\u0041".repeat(MAX_KEY_BYTES));
        assert!(matches!(parse(long_key.as_bytes(), 10, &secret), Err(Unread::Malformed(m)) if m.contains("key")));
        let in_a_notification = format!(r#"{{"value":[{{"a":1,"{}":1}}]}}"#, "k".repeat(MAX_KEY_BYTES));
        assert!(matches!(parse(in_a_notification.as_bytes(), 10, &secret), Err(Unread::Malformed(_))));
        // Long values are fine, and brackets, colons and quotes inside strings are text.
        let long_value =
            format!(r#"{{"value":[{{"resource":"{}","clientState":"secret"}}]}}"#, "\\\"[{:,".repeat(2000));
        assert_eq!(parse(long_value.as_bytes(), 10, &secret).expect("a payload").notifications.len(), 1);
    }

    #[test]
    fn a_client_state_longer_than_any_is_not_decoded() {
        let long = format!(r#"{{"value":[{{"clientState":"{}"}}]}}"#, "\\u0073".repeat(MAX_CLIENT_STATE_CHARS + 1));
        let seen = std::cell::Cell::new(0);
        let counting = |_: &str| {
            seen.set(seen.get() + 1);
            true
        };
        assert!(parse(long.as_bytes(), 10, &counting).expect("a payload").notifications.is_empty());
        assert_eq!(seen.get(), 0, "never compared");
        let longest = format!(r#"{{"value":[{{"clientState":"{}"}}]}}"#, "\\u00e9".repeat(MAX_CLIENT_STATE_CHARS));
        assert_eq!(parse(longest.as_bytes(), 10, &counting).expect("a payload").notifications.len(), 1);
    }
}
