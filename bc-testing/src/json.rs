//! JSON values that keep numbers exactly as written.
//!
//! serde_json turns numbers into `f64` unless the crate-wide
//! `arbitrary_precision` feature is on, which would round `2400.50` or
//! `12345678901234.56789`. The fake reads every value through serde_json's
//! raw-value protocol instead and keeps a number's text: a decimal seeded or
//! written as `1000.00` is stored, filtered and sent back exactly so.

use std::fmt;

use odata_v4_runtime::serde::Deserialize;
use odata_v4_runtime::serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

/// A JSON value with numbers kept as their text.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum JsonValue {
    Null,
    Bool(bool),
    /// The number exactly as written (`2400.50`, `-1`, `1e3`).
    Number(String),
    String(String),
    Array(Vec<JsonValue>),
    Object(JsonObject),
}

/// An object that keeps its members in the order they were written.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct JsonObject(Vec<(String, JsonValue)>);

impl JsonObject {
    pub(crate) fn new() -> JsonObject {
        JsonObject(Vec::new())
    }

    pub(crate) fn get(&self, name: &str) -> Option<&JsonValue> {
        self.0.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }

    /// Sets `name`, keeping its position when it exists.
    pub(crate) fn insert(&mut self, name: impl Into<String>, value: JsonValue) {
        let name = name.into();
        match self.0.iter_mut().find(|(n, _)| *n == name) {
            Some(slot) => slot.1 = value,
            None => self.0.push((name, value)),
        }
    }

    pub(crate) fn remove(&mut self, name: &str) -> Option<JsonValue> {
        let at = self.0.iter().position(|(n, _)| n == name)?;
        Some(self.0.remove(at).1)
    }

    pub(crate) fn contains(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = (&str, &JsonValue)> {
        self.0.iter().map(|(n, v)| (n.as_str(), v))
    }
}

impl JsonValue {
    /// Parses JSON text.
    pub(crate) fn parse(text: &str) -> Result<JsonValue, String> {
        let raw: &RawValue = serde_json::from_str(text).map_err(|e| format!("invalid JSON: {e}"))?;
        JsonValue::from_raw(raw)
    }

    fn from_raw(raw: &RawValue) -> Result<JsonValue, String> {
        let text = raw.get().trim();
        let parsed = match text.as_bytes().first() {
            Some(b'{') => {
                let members: RawMembers<'_> = serde_json::from_str(text).map_err(|e| format!("invalid JSON: {e}"))?;
                let mut object = JsonObject::new();
                for (name, value) in members.0 {
                    if object.contains(&name) {
                        return Err(format!("the property `{name}` appears twice in one object"));
                    }
                    object.0.push((name, JsonValue::from_raw(value)?));
                }
                JsonValue::Object(object)
            }
            Some(b'[') => {
                let items: Vec<&RawValue> = serde_json::from_str(text).map_err(|e| format!("invalid JSON: {e}"))?;
                JsonValue::Array(items.into_iter().map(JsonValue::from_raw).collect::<Result<_, _>>()?)
            }
            Some(b'"') => JsonValue::String(serde_json::from_str(text).map_err(|e| format!("invalid JSON: {e}"))?),
            Some(b't') => JsonValue::Bool(true),
            Some(b'f') => JsonValue::Bool(false),
            Some(b'n') => JsonValue::Null,
            _ => JsonValue::Number(text.to_owned()),
        };
        Ok(parsed)
    }

    pub(crate) fn as_str(&self) -> Option<&str> {
        match self {
            JsonValue::String(text) => Some(text),
            _ => None,
        }
    }

    pub(crate) fn as_object(&self) -> Option<&JsonObject> {
        match self {
            JsonValue::Object(object) => Some(object),
            _ => None,
        }
    }

    pub(crate) fn is_null(&self) -> bool {
        matches!(self, JsonValue::Null)
    }

    /// A JSON string.
    pub(crate) fn string(text: impl Into<String>) -> JsonValue {
        JsonValue::String(text.into())
    }

    /// A JSON number from anything that prints as one.
    pub(crate) fn number(value: impl fmt::Display) -> JsonValue {
        JsonValue::Number(value.to_string())
    }

    /// Appends the value as JSON text.
    pub(crate) fn write(&self, out: &mut String) {
        match self {
            JsonValue::Null => out.push_str("null"),
            JsonValue::Bool(value) => out.push_str(if *value { "true" } else { "false" }),
            JsonValue::Number(text) => out.push_str(text),
            JsonValue::String(text) => write_string(out, text),
            JsonValue::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    item.write(out);
                }
                out.push(']');
            }
            JsonValue::Object(object) => object.write(out),
        }
    }

    pub(crate) fn to_text(&self) -> String {
        let mut out = String::new();
        self.write(&mut out);
        out
    }
}

impl JsonObject {
    pub(crate) fn write(&self, out: &mut String) {
        out.push('{');
        for (i, (name, value)) in self.0.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            write_string(out, name);
            out.push(':');
            value.write(out);
        }
        out.push('}');
    }

    pub(crate) fn to_text(&self) -> String {
        let mut out = String::new();
        self.write(&mut out);
        out
    }
}

/// Appends `text` as a JSON string literal.
pub(crate) fn write_string(out: &mut String, text: &str) {
    // Serializing a str cannot fail.
    out.push_str(&serde_json::to_string(text).unwrap_or_default());
}

/// The members of one object, each value still raw, in document order.
struct RawMembers<'a>(Vec<(String, &'a RawValue)>);

impl<'de: 'a, 'a> Deserialize<'de> for RawMembers<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct MembersVisitor<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for MembersVisitor<'a> {
            type Value = RawMembers<'a>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawMembers<'a>, A::Error> {
                let mut members = Vec::new();
                while let Some(name) = map.next_key::<String>()? {
                    members.push((name, map.next_value::<&'a RawValue>()?));
                }
                Ok(RawMembers(members))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, _seq: A) -> Result<RawMembers<'a>, A::Error> {
                Err(de::Error::custom("expected an object"))
            }
        }
        deserializer.deserialize_map(MembersVisitor(std::marker::PhantomData))
    }
}

/// JSON text the fake accepts for seeding: a `&str`/`String` of JSON, or a
/// `serde_json::Value` (whose numbers serde_json has already made `f64`;
/// write decimals as text to keep their exact digits).
pub trait JsonInput {
    /// The JSON text.
    fn json_text(&self) -> String;
}

impl JsonInput for str {
    fn json_text(&self) -> String {
        self.to_owned()
    }
}

impl JsonInput for String {
    fn json_text(&self) -> String {
        self.clone()
    }
}

impl JsonInput for serde_json::Value {
    fn json_text(&self) -> String {
        self.to_string()
    }
}

impl<T: JsonInput + ?Sized> JsonInput for &T {
    fn json_text(&self) -> String {
        (**self).json_text()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_keep_their_text_and_members_their_order() {
        let value = JsonValue::parse(r#"{"b": 2400.50, "a": [12345678901234.56789, -1, 1e3], "c": {"x": null}}"#)
            .expect("valid JSON");
        assert_eq!(value.to_text(), r#"{"b":2400.50,"a":[12345678901234.56789,-1,1e3],"c":{"x":null}}"#);
    }

    #[test]
    fn strings_are_escaped_and_duplicates_refused() {
        let value = JsonValue::parse(r#""O'Brien \"&\" Sons\n""#).expect("valid JSON");
        assert_eq!(value.as_str(), Some("O'Brien \"&\" Sons\n"));
        assert_eq!(value.to_text(), r#""O'Brien \"&\" Sons\n""#);
        assert!(JsonValue::parse(r#"{"a":1,"a":2}"#).unwrap_err().contains("twice"));
        assert!(JsonValue::parse("{").is_err());
    }
}
