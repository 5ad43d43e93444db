//! JSON kept as text (unknown properties, `Edm.Untyped`, the values of a
//! payload) in serde's data model, both ways.
//!
//! Writing: objects become maps, arrays sequences, strings, booleans and
//! `null` themselves, integers that fit 64 bits integers. Every other number
//! becomes a **string of its exact text**, as a decimal does: serde_json can
//! only write a number token from an `f64` (its raw-value escape hatch turns
//! into a nested struct in any other format), and an `f64` would round
//! `12345678901234.56789` and drop the scale of `1000.00`.
//!
//! Reading: whatever a format holds becomes JSON text. serde_json hands its
//! raw text over unchanged (through its `RawValue`); other formats are
//! transcoded value by value.
//!
//! Nesting is limited to [`MAX_DEPTH`] levels both ways: stored text can be
//! nested deeper than serde_json would parse (its raw values are skipped
//! over, not parsed), and recursing on it must not overflow the stack.

use std::borrow::Cow;
use std::fmt;

use base64::Engine as _;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{Error as _, SerializeMap, SerializeSeq, Serializer};
use serde_json::value::RawValue;

use super::json::write_json_string;

/// Deepest nesting of arrays and objects transcoded either way.
pub const MAX_DEPTH: usize = 128;

/// Serializes JSON text in serde's data model (see the module docs).
pub struct Embedded<'a>(pub &'a str);

impl serde::Serialize for Embedded<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        transcode(self.0, serializer, 0)
    }
}

struct Nested<'a>(&'a str, usize);

impl serde::Serialize for Nested<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        transcode(self.0, serializer, self.1)
    }
}

fn transcode<S: Serializer>(text: &str, serializer: S, depth: usize) -> Result<S::Ok, S::Error> {
    let text = text.trim_matches([' ', '\t', '\n', '\r']);
    let parse_error = |e: serde_json::Error| S::Error::custom(format!("invalid embedded JSON: {e}"));
    match text.as_bytes().first() {
        Some(b'{' | b'[') if depth >= MAX_DEPTH => {
            Err(S::Error::custom(format!("embedded JSON is nested deeper than {MAX_DEPTH} levels")))
        }
        Some(b'{') => {
            let entries: Vec<(Cow<'_, str>, &RawValue)> =
                serde_json::from_str::<Entries<'_>>(text).map_err(parse_error)?.0;
            let mut map = serializer.serialize_map(Some(entries.len()))?;
            for (name, value) in &entries {
                map.serialize_entry(name.as_ref(), &Nested(value.get(), depth + 1))?;
            }
            map.end()
        }
        Some(b'[') => {
            let items: Vec<&RawValue> = serde_json::from_str(text).map_err(parse_error)?;
            let mut seq = serializer.serialize_seq(Some(items.len()))?;
            for item in items {
                seq.serialize_element(&Nested(item.get(), depth + 1))?;
            }
            seq.end()
        }
        Some(b'"') => serializer.serialize_str(&serde_json::from_str::<Cow<'_, str>>(text).map_err(parse_error)?),
        Some(b't') if text == "true" => serializer.serialize_bool(true),
        Some(b'f') if text == "false" => serializer.serialize_bool(false),
        Some(b'n') if text == "null" => serializer.serialize_none(),
        Some(b'-' | b'0'..=b'9') => serialize_number(text, serializer),
        _ => Err(S::Error::custom("invalid embedded JSON")),
    }
}

/// Integers that fit 64 bits as integers, every other number as its text.
pub(crate) fn serialize_number<S: Serializer>(text: &str, serializer: S) -> Result<S::Ok, S::Error> {
    if let Ok(unsigned) = text.parse::<u64>() {
        serializer.serialize_u64(unsigned)
    } else if let Ok(signed) = text.parse::<i64>() {
        serializer.serialize_i64(signed)
    } else {
        serializer.serialize_str(text)
    }
}

/// An object's members, each value left as raw text.
struct Entries<'a>(Vec<(Cow<'a, str>, &'a RawValue)>);

impl<'de> de::Deserialize<'de> for Entries<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct EntriesVisitor;
        impl<'de> Visitor<'de> for EntriesVisitor {
            type Value = Entries<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Entries<'de>, A::Error> {
                let mut entries = Vec::with_capacity(map.size_hint().unwrap_or(0).min(64));
                while let Some(name) = map.next_key::<Cow<'de, str>>()? {
                    entries.push((name, map.next_value::<&'de RawValue>()?));
                }
                Ok(Entries(entries))
            }
        }
        deserializer.deserialize_map(EntriesVisitor)
    }
}

/// Reads one value of any self-describing format as JSON text, appended
/// to `out`.
pub(crate) struct JsonText<'a> {
    pub(crate) out: &'a mut String,
    pub(crate) depth: usize,
}

impl<'de> DeserializeSeed<'de> for JsonText<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl JsonText<'_> {
    fn nested(&mut self) -> JsonText<'_> {
        JsonText { out: self.out, depth: self.depth + 1 }
    }

    fn enter<E: de::Error>(&self) -> Result<(), E> {
        if self.depth >= MAX_DEPTH {
            return Err(E::custom(format!("a value is nested deeper than {MAX_DEPTH} levels")));
        }
        Ok(())
    }
}

impl<'de> Visitor<'de> for JsonText<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a value that JSON can hold")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<(), E> {
        self.out.push_str(if v { "true" } else { "false" });
        Ok(())
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<(), E> {
        self.out.push_str(&v.to_string());
        Ok(())
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<(), E> {
        self.out.push_str(&v.to_string());
        Ok(())
    }

    fn visit_i128<E: de::Error>(self, v: i128) -> Result<(), E> {
        self.out.push_str(&v.to_string());
        Ok(())
    }

    fn visit_u128<E: de::Error>(self, v: u128) -> Result<(), E> {
        self.out.push_str(&v.to_string());
        Ok(())
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<(), E> {
        let number = serde_json::Number::from_f64(v).ok_or_else(|| E::custom("JSON has no NaN or infinity"))?;
        self.out.push_str(&number.to_string());
        Ok(())
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
        write_json_string(self.out, v);
        Ok(())
    }

    /// Bytes (from a binary format) as base64url text, the way OData
    /// writes `Edm.Binary`.
    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<(), E> {
        self.visit_str(&base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v))
    }

    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        self.out.push_str("null");
        Ok(())
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.visit_none()
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<(), A::Error> {
        self.enter()?;
        self.out.push('[');
        let mut first = true;
        loop {
            let before = self.out.len();
            if !first {
                self.out.push(',');
            }
            if seq.next_element_seed(self.nested())?.is_none() {
                self.out.truncate(before);
                break;
            }
            first = false;
        }
        self.out.push(']');
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<(), A::Error> {
        self.enter()?;
        self.out.push('{');
        let mut first = true;
        loop {
            let before = self.out.len();
            if !first {
                self.out.push(',');
            }
            if map.next_key_seed(Key { out: &mut *self.out })?.is_none() {
                self.out.truncate(before);
                break;
            }
            self.out.push(':');
            map.next_value_seed(self.nested())?;
            first = false;
        }
        self.out.push('}');
        Ok(())
    }
}

/// An object key: a string, or an integer (CBOR maps may have them) as its
/// decimal text.
struct Key<'a> {
    out: &'a mut String,
}

impl<'de> DeserializeSeed<'de> for Key<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Key<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string or integer key")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
        write_json_string(self.out, v);
        Ok(())
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<(), E> {
        self.visit_str(&v.to_string())
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<(), E> {
        self.visit_str(&v.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn to_json(text: &str) -> String {
        serde_json::to_string(&Embedded(text)).unwrap()
    }

    #[test]
    fn numbers_other_than_integers_become_their_exact_text() {
        assert_eq!(to_json("12"), "12");
        assert_eq!(to_json("-12"), "-12");
        assert_eq!(to_json("1000.00"), "\"1000.00\"");
        assert_eq!(to_json("12345678901234.56789"), "\"12345678901234.56789\"");
        assert_eq!(to_json("1e3"), "\"1e3\"");
        assert_eq!(to_json("123456789012345678901234567890"), "\"123456789012345678901234567890\"");
    }

    #[test]
    fn structures_keep_their_shape() {
        assert_eq!(
            to_json(r#" {"a": [1, 2.50, "x\"y", true, null], "b": {}} "#),
            r#"{"a":[1,"2.50","x\"y",true,null],"b":{}}"#
        );
    }

    #[test]
    fn nesting_is_limited() {
        let deep = format!("{}{}", "[".repeat(MAX_DEPTH + 1), "]".repeat(MAX_DEPTH + 1));
        let error = serde_json::to_string(&Embedded(&deep)).unwrap_err();
        assert!(error.to_string().contains("nested deeper than 128 levels"), "{error}");
        let fine = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert!(serde_json::to_string(&Embedded(&fine)).is_ok());
    }

    fn from_cbor(bytes: &[u8]) -> Result<String, String> {
        // `Json` reads other formats through `JsonText`.
        ciborium::from_reader::<crate::value::Json, _>(bytes)
            .map(|json| json.get().to_owned())
            .map_err(|e| e.to_string())
    }

    fn cbor(value: &impl serde::Serialize) -> Vec<u8> {
        let mut bytes = Vec::new();
        ciborium::ser::into_writer(value, &mut bytes).unwrap();
        bytes
    }

    #[test]
    fn other_formats_are_read_as_json_text() {
        let text = r#"{"a":[1,-2,"2.50","x\"y",true,null],"b":{},"c":1.5}"#;
        let as_cbor = cbor(&serde_json::from_str::<serde_json::Value>(text).unwrap());
        assert_eq!(from_cbor(&as_cbor).unwrap(), text);
        let with_bytes = cbor(&ciborium::Value::Bytes(vec![0xff, 0xfe]));
        assert_eq!(from_cbor(&with_bytes).unwrap(), "\"__4\"");
        let integer_keys = cbor(&ciborium::Value::Map(vec![(1.into(), "one".into())]));
        assert_eq!(from_cbor(&integer_keys).unwrap(), r#"{"1":"one"}"#);
        assert!(from_cbor(&cbor(&f64::NAN)).unwrap_err().contains("NaN"));
    }
}
