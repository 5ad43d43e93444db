//! A value's raw JSON text from serde_json, through its public `RawValue`,
//! and the value itself from every other deserializer.
//!
//! `RawValue`'s `Deserialize` asks for a newtype struct of a name serde_json
//! keeps private; serde_json (and `serde_json::Value`) answer with the text,
//! and any other deserializer hands the newtype's content to the visitor,
//! which `RawValue`'s own visitor refuses. [`deserialize_raw`] puts a thin
//! wrapper between `RawValue` and the deserializer: serde_json's answer goes
//! to `RawValue` untouched, and any other answer is read by
//! [`FromOther::from_other`] instead. Nothing here names or depends on the
//! private name, only on `RawValue` asking for a newtype struct.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, IntoDeserializer, MapAccess, Visitor};
use serde_json::value::RawValue;

/// A value read without serde_json's raw text: from a string, a number or
/// whatever else another format holds.
pub(crate) trait FromOther: Sized {
    /// Reads the value from any deserializer but serde_json's.
    fn from_other<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error>;
}

/// What [`deserialize_raw`] read.
pub(crate) enum Raw<T> {
    /// serde_json's raw text of the value.
    Json(Box<RawValue>),
    /// The value, from another deserializer.
    Other(T),
}

/// Reads the raw JSON text from serde_json, or `T` from any other
/// deserializer (see the module docs).
pub(crate) fn deserialize_raw<'de, T: FromOther, D: Deserializer<'de>>(deserializer: D) -> Result<Raw<T>, D::Error> {
    let mut other = None;
    match Box::<RawValue>::deserialize(Probe { inner: deserializer, other: &mut other }) {
        Ok(raw) => Ok(Raw::Json(raw)),
        // The value was read by `T`; the error only ended `RawValue`'s part.
        Err(error) => other.map_or(Err(error), |value| Ok(Raw::Other(value))),
    }
}

/// Why `RawValue`'s part ends when another format answered; never seen by
/// callers, since [`deserialize_raw`] returns the value read instead.
const READ_WITHOUT_RAW_TEXT: &str = "the value was read without serde_json's raw text";

/// The deserializer `RawValue` sees: `inner`, with the answer to a newtype
/// struct routed by [`ProbeVisitor`].
struct Probe<'a, D, T> {
    inner: D,
    other: &'a mut Option<T>,
}

/// Forwards `RawValue`'s other requests (it makes none today) unchanged.
macro_rules! forward {
    ($($method:ident($($arg:ident: $ty:ty),*)),* $(,)?) => {$(
        fn $method<V: Visitor<'de>>(self, $($arg: $ty,)* visitor: V) -> Result<V::Value, D::Error> {
            self.inner.$method($($arg,)* visitor)
        }
    )*};
}

impl<'de, D: Deserializer<'de>, T: FromOther> Deserializer<'de> for Probe<'_, D, T> {
    type Error = D::Error;

    fn deserialize_newtype_struct<V: Visitor<'de>>(self, name: &'static str, visitor: V) -> Result<V::Value, D::Error> {
        self.inner.deserialize_newtype_struct(name, ProbeVisitor { visitor, other: self.other })
    }

    fn is_human_readable(&self) -> bool {
        self.inner.is_human_readable()
    }

    forward! {
        deserialize_any(), deserialize_bool(), deserialize_i8(), deserialize_i16(), deserialize_i32(),
        deserialize_i64(), deserialize_i128(), deserialize_u8(), deserialize_u16(), deserialize_u32(),
        deserialize_u64(), deserialize_u128(), deserialize_f32(), deserialize_f64(), deserialize_char(),
        deserialize_str(), deserialize_string(), deserialize_bytes(), deserialize_byte_buf(),
        deserialize_option(), deserialize_unit(), deserialize_unit_struct(name: &'static str),
        deserialize_seq(), deserialize_tuple(len: usize),
        deserialize_tuple_struct(name: &'static str, len: usize), deserialize_map(),
        deserialize_struct(name: &'static str, fields: &'static [&'static str]),
        deserialize_enum(name: &'static str, variants: &'static [&'static str]),
        deserialize_identifier(), deserialize_ignored_any(),
    }
}

/// Hands serde_json's answer (a map holding the raw text) to `RawValue`'s
/// visitor, and reads any other answer as `T`.
struct ProbeVisitor<'a, V, T> {
    visitor: V,
    other: &'a mut Option<T>,
}

impl<V, T: FromOther> ProbeVisitor<'_, V, T> {
    fn read<'de, D: Deserializer<'de>, R>(self, deserializer: D) -> Result<R, D::Error> {
        *self.other = Some(T::from_other(deserializer)?);
        Err(de::Error::custom(READ_WITHOUT_RAW_TEXT))
    }
}

impl<'de, V: Visitor<'de>, T: FromOther> Visitor<'de> for ProbeVisitor<'_, V, T> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.visitor.expecting(f)
    }

    /// serde_json's answer.
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<V::Value, A::Error> {
        self.visitor.visit_map(map)
    }

    /// Any other deserializer's answer to a newtype struct.
    fn visit_newtype_struct<D: Deserializer<'de>>(self, deserializer: D) -> Result<V::Value, D::Error> {
        self.read(deserializer)
    }

    // Deserializers that answer a newtype struct with its content directly.

    fn visit_str<E: de::Error>(self, v: &str) -> Result<V::Value, E> {
        self.read(v.into_deserializer())
    }

    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<V::Value, E> {
        self.read(de::value::BytesDeserializer::new(v))
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<V::Value, E> {
        self.read(v.into_deserializer())
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<V::Value, E> {
        self.read(v.into_deserializer())
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<V::Value, E> {
        self.read(v.into_deserializer())
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<V::Value, E> {
        self.read(v.into_deserializer())
    }

    fn visit_none<E: de::Error>(self) -> Result<V::Value, E> {
        self.read(().into_deserializer())
    }

    fn visit_unit<E: de::Error>(self) -> Result<V::Value, E> {
        self.read(().into_deserializer())
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, seq: A) -> Result<V::Value, A::Error> {
        self.read(de::value::SeqAccessDeserializer::new(seq))
    }
}
