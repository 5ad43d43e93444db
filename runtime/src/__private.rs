//! What generated code calls and users do not: JSON writing and reading
//! helpers for the generated types, their serde serialization, key
//! predicates, operation decoders.
//!
//! Not part of the public API: names and signatures here change with the
//! generator, which is released together with this crate. Generated code
//! reaches it as `rt::__private::…`.

use std::fmt;

use serde::de::{self, Deserializer, MapAccess, Visitor};

use crate::decode;
use crate::error::Error;
use crate::http::HttpResponse;
use crate::value::{Edm, Text};

pub use crate::enums::{deserialize_enum, serialize_enum, unknown_value, unknown_value_str, write_enum_json};
pub use crate::key::{key_predicate, shortened_key_predicate, write_literal_key};
pub use crate::payload::{PayloadSchema, PayloadValue, deserialize_payload, json_array};
pub use crate::projection::{
    ExpansionShape, NotAProperty, ProjectedField, assert_each_property_once, assert_structural, projected_navigation,
    projected_property,
};
pub use crate::value::{De, Fields, JsonObject, Object, Ser, serialize_object, write_object};

/// `From` and `EntityHandle` for a generated path to one entity of the set
/// `$marker`: `entity_path!(Customers, CustomerPath)`.
#[macro_export]
#[doc(hidden)]
macro_rules! __entity_path {
    ($marker:ty, $entity:ident) => {
        impl ::core::convert::From<$crate::EntityPath<$marker>> for $entity {
            fn from(path: $crate::EntityPath<$marker>) -> Self {
                $entity(path)
            }
        }

        impl $crate::EntityHandle for $entity {
            type Set = $marker;
            fn entity_path(&self) -> &$crate::EntityPath<$marker> {
                &self.0
            }
        }
    };
}

/// What a generated set's path types implement: `From` and the handle
/// traits for both, and `SetPaths` for the marker:
/// `set_paths!(Customers, CustomersPath, CustomerPath)`.
#[macro_export]
#[doc(hidden)]
macro_rules! __set_paths {
    ($marker:ty, $collection:ident, $entity:ident) => {
        $crate::__entity_path!($marker, $entity);

        impl ::core::convert::From<$crate::CollectionPath<$marker>> for $collection {
            fn from(path: $crate::CollectionPath<$marker>) -> Self {
                $collection(path)
            }
        }

        impl $crate::CollectionHandle for $collection {
            type Set = $marker;
            fn collection_path(&self) -> &$crate::CollectionPath<$marker> {
                &self.0
            }
        }

        impl $crate::SetPaths for $marker {
            type Collection = $collection;
            type Single = $entity;
        }
    };
}

pub use crate::{__entity_path as entity_path, __set_paths as set_paths};

/// The scope of no filter: see the `OrOperands` impls in `filter.rs`.
pub enum NoFilterHasThisScope {}

/// A JSON object key, borrowed from the input when possible.
pub type FieldName<'de> = Text<'de>;

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

/// A function parameter passed as an alias: written `@name` inside the
/// parentheses, its value given by [`alias_query`].
pub struct Alias(pub &'static str);

impl crate::entity::EntityKey for Alias {
    fn write_key(&self, out: &mut String) {
        out.push('@');
        out.push_str(self.0);
    }
}

/// `@a=<JSON>&@b=<JSON>`: the values of parameter aliases, encoded for the query.
pub fn alias_query(aliases: &[(&str, String)]) -> String {
    let mut out = String::new();
    for (i, (name, json)) in aliases.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push('@');
        out.push_str(name);
        out.push('=');
        out.push_str(&crate::query::encode_query_value(json));
    }
    out
}

/// The error for a non-nullable property the object did not contain.
pub fn missing<E: de::Error>(property: &'static str) -> E {
    E::missing_field(property)
}

/// A non-nullable property's value, or the error for an object without it.
/// One call rather than `ok_or_else` with a closure: no closure to compile
/// per property, and a line that breaks like any call.
pub fn required<T, E: de::Error>(value: Option<T>, property: &'static str) -> Result<T, E> {
    value.ok_or_else(|| E::missing_field(property))
}

/// Reads the next map value as `T` (a projection's field: `Option<_>`
/// takes `null`, any other type refuses it).
pub fn next_value<'de, A: MapAccess<'de>, T: Edm>(map: &mut A) -> Result<T, A::Error> {
    map.next_value::<De<T>>().map(|v| v.0)
}

/// Skips the next map value (a property a projection does not hold).
pub fn skip_value<'de, A: MapAccess<'de>>(map: &mut A) -> Result<(), A::Error> {
    map.next_value::<de::IgnoredAny>().map(|_| ())
}

/// The value of a projection's field the object did not contain: `None`
/// for a nullable property (or a single related entity), a missing-field
/// error for anything that cannot be null. Read through the field type's
/// own [`Edm`] decoding, as if the service had sent `null`.
pub fn absent<T: Edm, E: de::Error>(property: &'static str) -> Result<T, E> {
    T::deserialize_edm(de::value::UnitDeserializer::<E>::new()).map_err(|_| E::missing_field(property))
}
