//! Small helpers the generated code calls, kept here so generated files
//! stay short and uniform.

use std::fmt;

use serde::de::{self, Deserializer, MapAccess, Visitor};

use super::decode;
use super::entity::EntityKey;
use super::error::Error;
use super::http::HttpResponse;
use super::literal::IntoLiteral;
use super::profile::ServiceProfile;
use super::query::encode_key_value;
use super::value::{AdditionalProperties, De, Edm, StreamLink, Text, write_json_string};

/// A JSON object key, borrowed from the input when possible.
pub type FieldName<'de> = Text<'de>;

/// Writes a JSON object field by field.
pub struct JsonObject<'a> {
    out: &'a mut String,
    empty: bool,
}

impl<'a> JsonObject<'a> {
    pub fn begin(out: &'a mut String) -> Self {
        out.push('{');
        JsonObject { out, empty: true }
    }

    fn key(&mut self, name: &str) {
        if !self.empty {
            self.out.push(',');
        }
        self.empty = false;
        write_json_string(self.out, name);
        self.out.push(':');
    }

    pub fn field<T: Edm>(&mut self, name: &str, value: &T) {
        self.key(name);
        value.write_json(self.out);
    }

    /// A field whose value is already JSON text.
    pub fn raw(&mut self, name: &str, json: &str) {
        self.key(name);
        self.out.push_str(json);
    }

    /// The `@odata.media*` annotations of a stream property.
    pub fn stream(&mut self, name: &str, link: &StreamLink) {
        link.write_annotations(name, |key, json| self.raw(&key, &json));
    }

    /// Properties the type does not declare, written back as received.
    pub fn extra(&mut self, extra: &AdditionalProperties) {
        for (name, value) in extra.iter() {
            self.raw(name, value.get());
        }
    }

    pub fn end(self) {
        self.out.push('}');
    }
}

/// `name=value,…` for alternate and composite keys.
pub fn key_predicate(parts: &[(&str, &dyn EntityKey)]) -> String {
    let mut out = String::new();
    for (i, (name, value)) in parts.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(name);
        out.push('=');
        value.write_key(&mut out);
    }
    out
}

/// Writes a key part through its OData literal (dates, decimals, enums).
pub fn write_literal_key<T, L: IntoLiteral<T>>(value: L, out: &mut String) {
    let mut text = String::new();
    value.into_literal().render(&mut text, &ServiceProfile::strict_odata());
    out.push_str(&encode_key_value(&text));
}

/// `{"value": …}`, the wrapper OData puts around collections and primitive
/// results of operations.
struct Wrapped<T>(T);

impl<'de, T: Edm> de::Deserialize<'de> for Wrapped<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct WrapperVisitor<T>(std::marker::PhantomData<T>);
        impl<'de, T: Edm> Visitor<'de> for WrapperVisitor<T> {
            type Value = Wrapped<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object with a `value` member")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Wrapped<T>, A::Error> {
                let mut value = None;
                while let Some(key) = map.next_key::<FieldName<'de>>()? {
                    if key.as_str() == "value" {
                        value = Some(map.next_value::<De<T>>()?.0);
                    } else {
                        map.next_value::<de::IgnoredAny>()?;
                    }
                }
                value.map(Wrapped).ok_or_else(|| de::Error::missing_field("value"))
            }
        }
        deserializer.deserialize_map(WrapperVisitor(std::marker::PhantomData))
    }
}

/// Decodes an operation result sent as `{"value": …}`.
pub fn decode_wrapped<T: Edm>(response: &HttpResponse) -> Result<T, Error> {
    decode::json::<Wrapped<T>>(response).map(|w| w.0)
}

/// Decodes an operation result that is an entity or complex value.
pub fn decode_value<T: Edm>(response: &HttpResponse) -> Result<T, Error> {
    decode::json::<De<T>>(response).map(|d| d.0)
}

macro_rules! literal_key {
    ($($ty:ty),*) => {$(
        impl EntityKey for $ty {
            fn write_key(&self, out: &mut String) {
                write_literal_key::<$ty, _>(self.clone(), out);
            }
        }
    )*};
}
literal_key!(chrono::NaiveDate, chrono::NaiveTime, rust_decimal::Decimal, bool, i8, f32, f64, super::value::Duration, super::value::Binary);

/// A nullable function parameter: `null` when absent.
impl<T: EntityKey> EntityKey for Option<T> {
    fn write_key(&self, out: &mut String) {
        match self {
            Some(value) => value.write_key(out),
            None => out.push_str("null"),
        }
    }
}

impl EntityKey for chrono::DateTime<chrono::FixedOffset> {
    fn write_key(&self, out: &mut String) {
        write_literal_key::<chrono::DateTime<chrono::FixedOffset>, _>(*self, out);
    }
}

impl<T: super::enums::EdmEnum> EntityKey for T {
    fn write_key(&self, out: &mut String) {
        write_literal_key::<T, _>(self.clone(), out);
    }
}

/// Reads the next map value as a nullable field (`null` → `None`); the
/// type comes from the variable it is assigned to.
pub fn next_nullable<'de, A: MapAccess<'de>, T: Edm>(map: &mut A) -> Result<Option<T>, A::Error> {
    map.next_value::<De<Option<T>>>().map(|v| v.0)
}

/// Reads the next map value as a field that must not be null.
pub fn next_required<'de, A: MapAccess<'de>, T: Edm>(map: &mut A) -> Result<Option<T>, A::Error> {
    map.next_value::<De<T>>().map(|v| Some(v.0))
}

/// Reads the next map value as a collection (`null` → empty).
pub fn next_collection<'de, A: MapAccess<'de>, T: Edm>(map: &mut A) -> Result<Vec<T>, A::Error> {
    map.next_value::<De<Option<Vec<T>>>>().map(|v| v.0.unwrap_or_default())
}

/// The error for a non-nullable property the object did not contain.
pub fn missing<E: de::Error>(property: &'static str) -> E {
    E::missing_field(property)
}
