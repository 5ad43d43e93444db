//! How OData values map to Rust types, travel as OData JSON, and appear in
//! serde's data model.
//!
//! Every property type implements [`Edm`]: it reads itself from a JSON value
//! without loss (decimals exactly, dates strictly), writes itself back as
//! OData JSON text, and serializes itself for serde formats (CSV, CBOR,
//! TOML, JSON files of your own). Generated entity types use it field by
//! field.
//!
//! In serde's data model a value is what a user's file should hold:
//! numbers, strings and booleans as serde's own, a decimal as a string of
//! its exact digits (`"1000.00"`: serde_json cannot write an exact number
//! token, and a float would round), dates, times, durations, GUIDs and
//! binary data as their OData text, an enum as its member's wire name.

mod decimal;
mod embedded;
mod extra;
#[cfg(test)]
mod formats_tests;
mod json;
mod names;
mod object;
mod raw;
mod temporal;

use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::ser::{SerializeSeq, Serializer};
use std::fmt;
use std::marker::PhantomData;

pub use embedded::Embedded;
pub use extra::AdditionalProperties;
pub use json::{Binary, ETag, Json, StreamLink, Text, write_json_string};
pub use object::{Fields, JsonObject, Object, serialize_object, write_object};
pub use temporal::{Duration, write_date, write_date_time, write_time};

/// A Rust type that represents an OData (Edm) value.
pub trait Edm: Sized {
    /// Reads the value from its OData JSON form (serde_json), or from its
    /// form in serde's data model in any other self-describing format
    /// (what [`serialize_edm`](Edm::serialize_edm) writes; text formats
    /// without types, such as CSV, hand over strings, which are parsed).
    fn deserialize_edm<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error>;

    /// Appends the value's OData JSON form to `out`.
    fn write_json(&self, out: &mut String);

    /// Serializes the value in serde's data model (see the module docs).
    /// By default, its OData JSON form read as embedded JSON
    /// (the value module's `Embedded` wrapper).
    fn serialize_edm<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serde::Serialize::serialize(&Embedded(&self.to_json()), serializer)
    }

    /// The value as JSON text.
    fn to_json(&self) -> String {
        let mut out = String::new();
        self.write_json(&mut out);
        out
    }
}

/// Deserializes any [`Edm`] type through serde: `map.next_value::<De<T>>()?.0`.
pub struct De<T>(pub T);

impl<'de, T: Edm> de::Deserialize<'de> for De<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        T::deserialize_edm(deserializer).map(De)
    }
}

/// Serializes any [`Edm`] type in serde's data model:
/// `state.serialize_field(name, &Ser(value))`.
pub struct Ser<'a, T>(pub &'a T);

impl<T: Edm> serde::Serialize for Ser<'_, T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize_edm(serializer)
    }
}

impl<T: Edm> Edm for Option<T> {
    fn deserialize_edm<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct OptionVisitor<T>(PhantomData<T>);
        impl<'de, T: Edm> Visitor<'de> for OptionVisitor<T> {
            type Value = Option<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a value or null")
            }
            fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(None)
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(None)
            }
            fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
                T::deserialize_edm(deserializer).map(Some)
            }
        }
        deserializer.deserialize_option(OptionVisitor(PhantomData))
    }

    fn write_json(&self, out: &mut String) {
        match self {
            Some(value) => value.write_json(out),
            None => out.push_str("null"),
        }
    }

    fn serialize_edm<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Some(value) => serializer.serialize_some(&Ser(value)),
            None => serializer.serialize_none(),
        }
    }
}

impl<T: Edm> Edm for Vec<T> {
    fn deserialize_edm<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct SeqVisitor<T>(PhantomData<T>);
        impl<'de, T: Edm> Visitor<'de> for SeqVisitor<T> {
            type Value = Vec<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON array")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
                while let Some(De(item)) = seq.next_element::<De<T>>()? {
                    items.push(item);
                }
                Ok(items)
            }
        }
        deserializer.deserialize_seq(SeqVisitor(PhantomData))
    }

    fn write_json(&self, out: &mut String) {
        out.push('[');
        for (i, item) in self.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            item.write_json(out);
        }
        out.push(']');
    }

    fn serialize_edm<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.len()))?;
        for item in self {
            seq.serialize_element(&Ser(item))?;
        }
        seq.end()
    }
}

impl<T: Edm> Edm for Box<T> {
    fn deserialize_edm<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        T::deserialize_edm(deserializer).map(Box::new)
    }
    fn write_json(&self, out: &mut String) {
        (**self).write_json(out);
    }
    fn serialize_edm<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        (**self).serialize_edm(serializer)
    }
}

impl Edm for String {
    fn deserialize_edm<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        <String as de::Deserialize>::deserialize(deserializer)
    }
    fn write_json(&self, out: &mut String) {
        write_json_string(out, self);
    }
    fn serialize_edm<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self)
    }
}

impl Edm for bool {
    fn deserialize_edm<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        <bool as de::Deserialize>::deserialize(deserializer)
    }
    fn write_json(&self, out: &mut String) {
        out.push_str(if *self { "true" } else { "false" });
    }
    fn serialize_edm<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_bool(*self)
    }
}

/// Integers arrive as JSON numbers; Int64 may also arrive as a string
/// (`IEEE754Compatible=true`), which is accepted.
macro_rules! integer_edm {
    ($($ty:ty => $serialize:ident),*) => {$(
        impl Edm for $ty {
            fn deserialize_edm<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct IntVisitor;
                impl<'de> Visitor<'de> for IntVisitor {
                    type Value = $ty;
                    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                        f.write_str(concat!("an integer that fits ", stringify!($ty)))
                    }
                    fn visit_i64<E: de::Error>(self, v: i64) -> Result<$ty, E> {
                        <$ty>::try_from(v).map_err(|_| E::invalid_value(de::Unexpected::Signed(v), &self))
                    }
                    fn visit_u64<E: de::Error>(self, v: u64) -> Result<$ty, E> {
                        <$ty>::try_from(v).map_err(|_| E::invalid_value(de::Unexpected::Unsigned(v), &self))
                    }
                    fn visit_str<E: de::Error>(self, v: &str) -> Result<$ty, E> {
                        v.parse().map_err(|_| E::invalid_value(de::Unexpected::Str(v), &self))
                    }
                }
                deserializer.deserialize_any(IntVisitor)
            }
            fn write_json(&self, out: &mut String) {
                use std::fmt::Write;
                let _ = write!(out, "{self}");
            }
            fn serialize_edm<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.$serialize(*self)
            }
        }
    )*};
}
integer_edm!(i8 => serialize_i8, u8 => serialize_u8, i16 => serialize_i16, i32 => serialize_i32, i64 => serialize_i64);

/// Floating point values; OData writes the non-finite ones as strings.
macro_rules! float_edm {
    ($($ty:ty => $serialize:ident),*) => {$(
        impl Edm for $ty {
            fn deserialize_edm<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct FloatVisitor;
                impl<'de> Visitor<'de> for FloatVisitor {
                    type Value = $ty;
                    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                        f.write_str("a number, \"NaN\", \"INF\" or \"-INF\"")
                    }
                    fn visit_f64<E: de::Error>(self, v: f64) -> Result<$ty, E> {
                        Ok(v as $ty)
                    }
                    fn visit_i64<E: de::Error>(self, v: i64) -> Result<$ty, E> {
                        Ok(v as $ty)
                    }
                    fn visit_u64<E: de::Error>(self, v: u64) -> Result<$ty, E> {
                        Ok(v as $ty)
                    }
                    fn visit_str<E: de::Error>(self, v: &str) -> Result<$ty, E> {
                        match v {
                            "NaN" => Ok(<$ty>::NAN),
                            "INF" => Ok(<$ty>::INFINITY),
                            "-INF" => Ok(<$ty>::NEG_INFINITY),
                            other => other.parse().map_err(|_| E::invalid_value(de::Unexpected::Str(other), &self)),
                        }
                    }
                }
                deserializer.deserialize_any(FloatVisitor)
            }
            fn write_json(&self, out: &mut String) {
                use std::fmt::Write;
                if self.is_nan() {
                    out.push_str("\"NaN\"");
                } else if self.is_infinite() {
                    out.push_str(if *self > 0.0 { "\"INF\"" } else { "\"-INF\"" });
                } else {
                    let _ = write!(out, "{self}");
                }
            }
            fn serialize_edm<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.$serialize(*self)
            }
        }
    )*};
}
float_edm!(f32 => serialize_f32, f64 => serialize_f64);

impl Edm for uuid::Uuid {
    fn deserialize_edm<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct UuidVisitor;
        impl<'de> Visitor<'de> for UuidVisitor {
            type Value = uuid::Uuid;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a GUID such as 34f03eee-2a32-f011-9a4a-7ced8d0ee6e7")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<uuid::Uuid, E> {
                uuid::Uuid::try_parse(v).map_err(|_| E::invalid_value(de::Unexpected::Str(v), &self))
            }
        }
        deserializer.deserialize_str(UuidVisitor)
    }
    fn write_json(&self, out: &mut String) {
        out.push('"');
        out.push_str(self.hyphenated().encode_lower(&mut uuid::Uuid::encode_buffer()));
        out.push('"');
    }
    fn serialize_edm<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.hyphenated().encode_lower(&mut uuid::Uuid::encode_buffer()))
    }
}
