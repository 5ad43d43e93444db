//! JSON-shaped values: raw JSON kept verbatim, ETags, media links and binary
//! data.

use std::borrow::Cow;
use std::fmt;

use base64::Engine as _;
use serde::Serialize as _;
use serde::de::{self, Deserializer, Visitor};
use serde::ser::Serializer;
use serde_json::value::RawValue;

use super::Edm;
use super::embedded::{Embedded, JsonText};
use super::raw::{FromOther, Raw, deserialize_raw};

/// Appends `text` as a JSON string literal.
pub fn write_json_string(out: &mut String, text: &str) {
    out.push('"');
    let mut start = 0;
    for (i, byte) in text.bytes().enumerate() {
        let escape = match byte {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0c => "\\f",
            0..=0x1f => "",
            _ => continue,
        };
        out.push_str(&text[start..i]);
        if escape.is_empty() {
            out.push_str(&format!("\\u{byte:04x}"));
        } else {
            out.push_str(escape);
        }
        start = i + 1;
    }
    out.push_str(&text[start..]);
    out.push('"');
}

/// A JSON string (an object key, or raw value text), borrowed from the
/// input when the deserializer allows it.
pub struct Text<'de>(Cow<'de, str>);

impl<'de> Text<'de> {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_owned(self) -> String {
        self.0.into_owned()
    }
}

impl<'de> de::Deserialize<'de> for Text<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TextVisitor;
        impl<'de> Visitor<'de> for TextVisitor {
            type Value = Text<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Text(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Text(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(Text(Cow::Owned(v)))
            }
            // The csv crate hands its header names over as bytes.
            fn visit_borrowed_bytes<E: de::Error>(self, v: &'de [u8]) -> Result<Self::Value, E> {
                std::str::from_utf8(v)
                    .map(|v| Text(Cow::Borrowed(v)))
                    .map_err(|_| E::invalid_value(de::Unexpected::Bytes(v), &self))
            }
            fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Self::Value, E> {
                std::str::from_utf8(v)
                    .map(|v| Text(Cow::Owned(v.to_owned())))
                    .map_err(|_| E::invalid_value(de::Unexpected::Bytes(v), &self))
            }
        }
        deserializer.deserialize_str(TextVisitor)
    }
}

/// A JSON value kept exactly as received (numbers are not rounded).
///
/// In serde's data model it is the value it holds: objects are maps,
/// arrays sequences, integers integers, and other numbers strings of their
/// exact text (see the crate's README). Read from serde_json it keeps its
/// text byte for byte; read from any other self-describing format it is
/// that format's value written as JSON.
pub struct Json(Box<RawValue>);

impl Json {
    /// Wraps JSON text; fails if it is not valid JSON.
    pub fn from_text(text: impl Into<String>) -> Result<Json, serde_json::Error> {
        RawValue::from_string(text.into()).map(Json)
    }

    /// The JSON text.
    pub fn get(&self) -> &str {
        self.0.get()
    }

    /// Decodes the value into `T`.
    pub fn parse<'a, T: serde::Deserialize<'a>>(&'a self) -> Result<T, serde_json::Error> {
        serde_json::from_str(self.0.get())
    }
}

impl Clone for Json {
    fn clone(&self) -> Self {
        Json(self.0.clone())
    }
}

impl PartialEq for Json {
    fn eq(&self, other: &Self) -> bool {
        self.get() == other.get()
    }
}

impl fmt::Debug for Json {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.get())
    }
}

impl fmt::Display for Json {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.get())
    }
}

impl<'de> de::Deserialize<'de> for Json {
    /// serde_json's raw text, kept as it is; any other format's value,
    /// written as JSON.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match deserialize_raw::<Transcoded, D>(deserializer)? {
            Raw::Json(raw) => Ok(Json(raw)),
            Raw::Other(Transcoded(text)) => RawValue::from_string(text).map(Json).map_err(de::Error::custom),
        }
    }
}

/// Another format's value written as JSON text.
struct Transcoded(String);

impl FromOther for Transcoded {
    /// Text formats without types (CSV) are asked for a string, as they
    /// would otherwise guess (`01234` would become the number 1234); the
    /// self-describing ones (TOML) hand over whatever they hold anyway.
    fn from_other<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let mut text = String::new();
        let seed = JsonText { out: &mut text, depth: 0 };
        if deserializer.is_human_readable() {
            deserializer.deserialize_str(seed)?;
        } else {
            de::DeserializeSeed::deserialize(seed, deserializer)?;
        }
        Ok(Transcoded(text))
    }
}

impl serde::Serialize for Json {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        Embedded(self.get()).serialize(serializer)
    }
}

impl Edm for Json {
    fn deserialize_edm<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        <Json as de::Deserialize>::deserialize(deserializer)
    }
    fn write_json(&self, out: &mut String) {
        out.push_str(self.get());
    }
    fn serialize_edm<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        Embedded(self.get()).serialize(serializer)
    }
}

/// An entity's version tag, sent back byte for byte in `If-Match`.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct ETag(String);

impl ETag {
    /// Wraps an ETag exactly as the service sent it.
    pub fn new(value: impl Into<String>) -> ETag {
        ETag(value.into())
    }

    /// The ETag, byte for byte as sent.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ETag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ETag({})", self.0)
    }
}

impl fmt::Display for ETag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Edm for ETag {
    fn deserialize_edm<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize_edm(deserializer).map(ETag)
    }
    fn write_json(&self, out: &mut String) {
        write_json_string(out, &self.0);
    }
    fn serialize_edm<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

/// Where a stream property's content lives (`Edm.Stream`). OData sends the
/// links as annotations (`pdfDocumentContent@odata.mediaReadLink`), which the
/// generated decoders read into these fields; the content itself is fetched
/// separately.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StreamLink {
    /// `@odata.mediaReadLink`: where to download the content.
    pub read_link: Option<String>,
    /// `@odata.mediaEditLink`: where to upload new content.
    pub edit_link: Option<String>,
    /// `@odata.mediaContentType`.
    pub content_type: Option<String>,
    /// `@odata.mediaEtag`: the version of the content itself.
    pub etag: Option<ETag>,
}

impl StreamLink {
    /// Whether no annotation was present.
    pub fn is_empty(&self) -> bool {
        *self == StreamLink::default()
    }

    /// Writes the links back as `<property>@odata.*` entries of a JSON object.
    pub fn write_annotations(&self, property: &str, mut entry: impl FnMut(String, String)) {
        let mut put = |name: &str, value: &Option<String>| {
            if let Some(value) = value {
                let mut json = String::new();
                write_json_string(&mut json, value);
                entry(format!("{property}@odata.{name}"), json);
            }
        };
        put("mediaReadLink", &self.read_link);
        put("mediaEditLink", &self.edit_link);
        put("mediaContentType", &self.content_type);
        put("mediaEtag", &self.etag.as_ref().map(|e| e.0.clone()));
    }
}

/// `Edm.Binary`: bytes, written in JSON as base64url (in serde's data model
/// too, as a string; bytes from a binary format are read as well).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Binary(pub Vec<u8>);

impl Edm for Binary {
    fn deserialize_edm<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct BinaryVisitor;
        impl<'de> Visitor<'de> for BinaryVisitor {
            type Value = Binary;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("base64 or base64url text")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Binary, E> {
                let trimmed = v.trim_end_matches('=');
                let engine = if trimmed.contains(['+', '/']) {
                    &base64::engine::general_purpose::STANDARD_NO_PAD
                } else {
                    &base64::engine::general_purpose::URL_SAFE_NO_PAD
                };
                engine.decode(trimmed).map(Binary).map_err(|_| E::invalid_value(de::Unexpected::Str(v), &self))
            }
            fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Binary, E> {
                Ok(Binary(v.to_vec()))
            }
        }
        if deserializer.is_human_readable() {
            deserializer.deserialize_str(BinaryVisitor)
        } else {
            deserializer.deserialize_any(BinaryVisitor)
        }
    }
    fn write_json(&self, out: &mut String) {
        out.push('"');
        out.push_str(&base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&self.0));
        out.push('"');
    }
    fn serialize_edm<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&self.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::De;

    #[test]
    fn strings_are_escaped_for_json() {
        let mut out = String::new();
        write_json_string(&mut out, "a\"b\\c\nd\u{1}é");
        assert_eq!(out, r#""a\"b\\c\nd\u0001é""#);
        assert_eq!(serde_json::from_str::<String>(&out).unwrap(), "a\"b\\c\nd\u{1}é");
    }

    #[test]
    fn raw_json_keeps_numbers_exact() {
        let json: Json = serde_json::from_str("{\"a\": 12345678901234.56789}").unwrap();
        assert_eq!(json.get(), "{\"a\": 12345678901234.56789}");
        // In serde's data model an inexact number is its text.
        assert_eq!(serde_json::to_string(&json).unwrap(), "{\"a\":\"12345678901234.56789\"}");
    }

    #[test]
    fn binary_accepts_both_alphabets() {
        let url: De<Binary> = serde_json::from_str("\"_-8\"").unwrap();
        let standard: De<Binary> = serde_json::from_str("\"/+8=\"").unwrap();
        assert_eq!(url.0, standard.0);
        assert_eq!(url.0.to_json(), "\"_-8\"");
    }

    #[test]
    fn stream_links_are_written_back_as_annotations() {
        let link = StreamLink { read_link: Some("x/pdfDocumentContent".into()), ..StreamLink::default() };
        let mut written = Vec::new();
        link.write_annotations("pdfDocumentContent", |k, v| written.push((k, v)));
        assert_eq!(
            written,
            vec![("pdfDocumentContent@odata.mediaReadLink".to_owned(), "\"x/pdfDocumentContent\"".to_owned())]
        );
    }
}
