//! Support for generated enum types.
//!
//! Generated enums have one variant per member plus one that holds a value
//! the generated code does not know (a member added by an extension of the
//! service, or by a newer release), so that such a value is kept and
//! written back unchanged instead of failing the whole page.
//!
//! That variant's payload is an [`UnknownValue`], which code outside the
//! runtime can neither build nor look into. A `match` therefore cannot test
//! an unknown value's text in a pattern (`Unknown(v) if v == "New"`): once a
//! later `$metadata` adds `New` as a member, such an arm would silently stop
//! matching. Read the wire name with the enum's `as_str()` instead; it keeps
//! its meaning when the member becomes known.

use std::fmt;

use serde::de::{self, Deserializer, Visitor};

use crate::literal::{IntoLiteral, Literal};
use crate::value::write_json_string;

/// Implemented by every generated enum type.
pub trait EdmEnum: Sized + Clone + 'static {
    /// Qualified type name, such as `Microsoft.NAV.customerBlocked`; for
    /// the values of a property, `Namespace.Type/property`.
    const TYPE_NAME: &'static str;
    /// Wire names of the known members, in declaration order.
    const MEMBERS: &'static [&'static str];
    /// What the values are on the wire: the members of an OData enum type
    /// unless the type lists a property's allowed values.
    const KIND: EnumKind = EnumKind::Member;

    /// The exact name sent on the wire (`Credit_x0020_Memo`), for known and
    /// unknown values alike.
    fn wire_name(&self) -> &str;
    /// The value for a wire name; unknown names are kept as they are.
    fn from_wire(name: &str) -> Self;
}

/// What a generated enum's values are on the wire and in a `$filter`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum EnumKind {
    /// Members of an OData enum type: a JSON string, and in a `$filter`
    /// the member name (qualified by the type where the service's profile
    /// wants it).
    Member,
    /// The values `Validation.AllowedValues` lists for a string property:
    /// plain strings, quoted in a `$filter`.
    Text,
    /// The values `Validation.AllowedValues` lists for an integer
    /// property: JSON numbers, bare in a `$filter`.
    Integer,
}

/// An enum value the generated code does not know, kept exactly as the
/// service sent it.
///
/// Opaque on purpose: code outside the runtime can neither build one nor
/// look into it, so a `match` cannot test an unknown value's text in a
/// pattern (`Unknown(v) if v == "New"`), an arm that would silently stop
/// matching once a later `$metadata` adds `New` as a member. Read the text
/// through the enum's `as_str()` or [`EdmEnum::wire_name`] instead; it keeps
/// its meaning when the member becomes known.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UnknownValue(String);

impl fmt::Debug for UnknownValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

/// Wraps a wire name that matched no known member (generated code only).
pub fn unknown_value(name: &str) -> UnknownValue {
    UnknownValue(name.to_owned())
}

/// The wire name inside an [`UnknownValue`] (generated code only).
pub fn unknown_value_str(value: &UnknownValue) -> &str {
    &value.0
}

/// Reads an enum from its JSON string (used by generated `Edm` impls).
pub fn deserialize_enum<'de, T: EdmEnum, D: Deserializer<'de>>(deserializer: D) -> Result<T, D::Error> {
    struct EnumVisitor<T>(std::marker::PhantomData<T>);
    impl<T: EdmEnum> Visitor<'_> for EnumVisitor<T> {
        type Value = T;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "a member name of {}", T::TYPE_NAME)
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
            Ok(T::from_wire(v))
        }
        // Allowed values of an integer property arrive as numbers.
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<T, E> {
            Ok(T::from_wire(&v.to_string()))
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<T, E> {
            Ok(T::from_wire(&v.to_string()))
        }
    }
    match T::KIND {
        EnumKind::Integer => deserializer.deserialize_any(EnumVisitor(std::marker::PhantomData)),
        _ => deserializer.deserialize_str(EnumVisitor(std::marker::PhantomData)),
    }
}

/// Writes an enum as its JSON string.
pub fn write_enum_json<T: EdmEnum>(value: &T, out: &mut String) {
    match integer_value(value) {
        Some(number) => out.push_str(&number.to_string()),
        None => write_json_string(out, value.wire_name()),
    }
}

/// Serializes an enum as its wire name, or as the number an integer
/// property's allowed value is (used by generated `Serialize` impls).
pub fn serialize_enum<T: EdmEnum, S: serde::Serializer>(value: &T, serializer: S) -> Result<S::Ok, S::Error> {
    match integer_value(value) {
        Some(number) => serializer.serialize_i64(number),
        None => serializer.serialize_str(value.wire_name()),
    }
}

/// The number of an integer property's allowed value; `None` for every
/// other enum, and for text that is no integer (which only code that made
/// it up with `from_wire` can hold: it is written as a string, never
/// spliced into a URL).
fn integer_value<T: EdmEnum>(value: &T) -> Option<i64> {
    (T::KIND == EnumKind::Integer).then(|| value.wire_name().parse().ok()).flatten()
}

fn enum_literal<T: EdmEnum>(value: &T) -> Literal {
    if T::KIND == EnumKind::Member {
        return Literal::Enum { type_name: T::TYPE_NAME, member: value.wire_name().to_owned() };
    }
    match integer_value(value) {
        Some(number) => Literal::Raw(number.to_string()),
        None => Literal::Text(value.wire_name().to_owned()),
    }
}

impl<T: EdmEnum> IntoLiteral<T> for T {
    fn into_literal(self) -> Literal {
        enum_literal(&self)
    }
}

impl<T: EdmEnum> IntoLiteral<T> for &T {
    fn into_literal(self) -> Literal {
        enum_literal(self)
    }
}

/// The error `FromStr` gives for text that names no member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownMember {
    /// The enum type's qualified name.
    pub type_name: &'static str,
    /// The text that was parsed.
    pub text: String,
}

impl fmt::Display for UnknownMember {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}` is not a member of {}", self.text, self.type_name)
    }
}

impl std::error::Error for UnknownMember {}
