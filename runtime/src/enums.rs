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
    /// Qualified type name, such as `Microsoft.NAV.customerBlocked`.
    const TYPE_NAME: &'static str;
    /// Wire names of the known members, in declaration order.
    const MEMBERS: &'static [&'static str];

    /// The exact name sent on the wire (`Credit_x0020_Memo`), for known and
    /// unknown values alike.
    fn wire_name(&self) -> &str;
    /// The value for a wire name; unknown names are kept as they are.
    fn from_wire(name: &str) -> Self;
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
    }
    deserializer.deserialize_str(EnumVisitor(std::marker::PhantomData))
}

/// Writes an enum as its JSON string.
pub fn write_enum_json<T: EdmEnum>(value: &T, out: &mut String) {
    write_json_string(out, value.wire_name());
}

impl<T: EdmEnum> IntoLiteral<T> for T {
    fn into_literal(self) -> Literal {
        Literal::Enum { type_name: T::TYPE_NAME, member: self.wire_name().to_owned() }
    }
}

impl<T: EdmEnum> IntoLiteral<T> for &T {
    fn into_literal(self) -> Literal {
        Literal::Enum { type_name: T::TYPE_NAME, member: self.wire_name().to_owned() }
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
