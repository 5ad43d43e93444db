//! Support for generated enum types.
//!
//! Generated enums have one variant per member plus `Unknown(String)`, so a
//! value added by a BC extension (or a newer BC release) is kept and written
//! back unchanged instead of failing the whole page.

use std::fmt;

use serde::de::{self, Deserializer, Visitor};

use super::literal::{IntoLiteral, Literal};
use super::value::write_json_string;

/// Implemented by every generated enum type.
pub trait EdmEnum: Sized + Clone + 'static {
    /// Qualified type name, such as `Microsoft.NAV.customerBlocked`.
    const TYPE_NAME: &'static str;
    /// Wire names of the known members, in declaration order.
    const MEMBERS: &'static [&'static str];

    /// The exact name sent on the wire (`Credit_x0020_Memo`).
    fn wire_name(&self) -> &str;
    /// The value for a wire name; unknown names are kept as they are.
    fn from_wire(name: &str) -> Self;
}

/// Reads an enum from its JSON string (used by generated `Edm` impls).
pub fn deserialize_enum<'de, T: EdmEnum, D: Deserializer<'de>>(deserializer: D) -> Result<T, D::Error> {
    struct EnumVisitor<T>(std::marker::PhantomData<T>);
    impl<'de, T: EdmEnum> Visitor<'de> for EnumVisitor<T> {
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
    pub type_name: &'static str,
    pub text: String,
}

impl fmt::Display for UnknownMember {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}` is not a member of {}", self.text, self.type_name)
    }
}

impl std::error::Error for UnknownMember {}
