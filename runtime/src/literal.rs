//! OData literals as they appear in `$filter` and in key predicates, per
//! the OData ABNF: strings quoted with `'` doubled, GUIDs bare, dates
//! `2025-02-17`, timestamps in UTC `Z` form, decimals without exponent.

use std::fmt::Write as _;

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime, TimeZone, Utc};
use rust_decimal::Decimal;
use uuid::Uuid;

use super::profile::{EnumLiteralStyle, ServiceProfile};
use super::value::{Binary, Duration, Edm, write_date, write_date_time, write_time};

/// One literal value, rendered when the request is built so that the
/// service profile can decide the spelling of enum values.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    /// Text that is already a complete literal (`42`, `true`, `2025-02-17`).
    Raw(String),
    /// A string value; quoted and escaped when rendered.
    Text(String),
    /// An enum member by its exact wire name.
    Enum {
        /// The qualified enum type name (`Namespace.type`).
        type_name: &'static str,
        /// The member name as sent on the wire.
        member: String,
    },
    /// `null`.
    Null,
}

impl Literal {
    /// Appends the literal as `$filter` text, spelled per `profile`.
    pub fn render(&self, out: &mut String, profile: &ServiceProfile) {
        match self {
            Literal::Raw(text) => out.push_str(text),
            Literal::Text(text) => quote_into(out, text),
            Literal::Enum { type_name, member } => {
                if profile.enum_literals == EnumLiteralStyle::Qualified {
                    out.push_str(type_name);
                }
                quote_into(out, member);
            }
            Literal::Null => out.push_str("null"),
        }
    }
}

/// `'…'` with every `'` doubled.
pub fn quote_into(out: &mut String, text: &str) {
    out.push('\'');
    for (i, part) in text.split('\'').enumerate() {
        if i > 0 {
            out.push_str("''");
        }
        out.push_str(part);
    }
    out.push('\'');
}

/// A Rust value that can stand as a literal for properties of type `T`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be used as a value for a property of type `{T}`",
    label = "expected a value of the property's type `{T}`",
    note = "filters are checked against the $metadata types: compare dates with `chrono::NaiveDate`, GUIDs with `uuid::Uuid`, decimals with `rust_decimal::Decimal` or integers, enums with their own variants"
)]
pub trait IntoLiteral<T> {
    /// The literal for this value.
    fn into_literal(self) -> Literal;
}

fn raw(value: impl std::fmt::Display) -> Literal {
    Literal::Raw(value.to_string())
}

macro_rules! literal_from {
    ($target:ty: $($source:ty),*) => {$(
        impl IntoLiteral<$target> for $source {
            fn into_literal(self) -> Literal {
                raw(self)
            }
        }
    )*};
}

literal_from!(i8: i8);
literal_from!(u8: u8);
literal_from!(i16: i16, i8, u8);
literal_from!(i32: i32, i16, i8, u16, u8);
literal_from!(i64: i64, i32, i16, i8, u32, u16, u8);
literal_from!(Decimal: Decimal, i64, i32, i16, i8, u64, u32, u16, u8);
literal_from!(bool: bool);
literal_from!(Uuid: Uuid);

/// Floats: the ABNF allows `NaN`, `INF` and `-INF`; finite values are
/// written in plain notation so no exponent sign can be mangled in a URL.
macro_rules! float_literal {
    ($target:ty: $($source:ty),*) => {$(
        impl IntoLiteral<$target> for $source {
            fn into_literal(self) -> Literal {
                let value = self as f64;
                Literal::Raw(if value.is_nan() {
                    "NaN".to_owned()
                } else if value.is_infinite() {
                    if value > 0.0 { "INF" } else { "-INF" }.to_owned()
                } else {
                    format!("{value}")
                })
            }
        }
    )*};
}
float_literal!(f64: f64, f32, i32);
float_literal!(f32: f32);

impl IntoLiteral<Uuid> for &Uuid {
    fn into_literal(self) -> Literal {
        raw(self)
    }
}

impl IntoLiteral<String> for &str {
    fn into_literal(self) -> Literal {
        Literal::Text(self.to_owned())
    }
}

impl IntoLiteral<String> for String {
    fn into_literal(self) -> Literal {
        Literal::Text(self)
    }
}

impl IntoLiteral<String> for &String {
    fn into_literal(self) -> Literal {
        Literal::Text(self.clone())
    }
}

impl IntoLiteral<String> for std::borrow::Cow<'_, str> {
    fn into_literal(self) -> Literal {
        Literal::Text(self.into_owned())
    }
}

impl IntoLiteral<NaiveDate> for NaiveDate {
    fn into_literal(self) -> Literal {
        let mut text = String::with_capacity(10);
        write_date(&mut text, &self);
        Literal::Raw(text)
    }
}

/// Any time zone converts: the literal is always written in UTC.
impl<Tz: TimeZone> IntoLiteral<DateTime<FixedOffset>> for DateTime<Tz> {
    fn into_literal(self) -> Literal {
        let mut text = String::with_capacity(24);
        write_date_time(&mut text, &self.with_timezone(&Utc).fixed_offset());
        Literal::Raw(text)
    }
}

impl IntoLiteral<NaiveTime> for NaiveTime {
    fn into_literal(self) -> Literal {
        let mut text = String::with_capacity(12);
        write_time(&mut text, &self);
        Literal::Raw(text)
    }
}

impl IntoLiteral<Duration> for Duration {
    fn into_literal(self) -> Literal {
        Literal::Raw(format!("duration'{self}'"))
    }
}

impl IntoLiteral<Binary> for Binary {
    fn into_literal(self) -> Literal {
        let json = self.to_json();
        let mut out = String::from("binary");
        let _ = write!(out, "'{}'", json.trim_matches('"'));
        Literal::Raw(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render<T>(value: impl IntoLiteral<T>) -> String {
        let mut out = String::new();
        value.into_literal().render(&mut out, &ServiceProfile::strict_odata());
        out
    }

    #[test]
    fn renders_per_the_abnf() {
        assert_eq!(render::<String>("O'Brien & Sons"), "'O''Brien & Sons'");
        assert_eq!(render::<String>("''"), "''''''");
        assert_eq!(render::<Uuid>(Uuid::nil()), "00000000-0000-0000-0000-000000000000");
        assert_eq!(render::<NaiveDate>(NaiveDate::from_ymd_opt(2025, 2, 17).unwrap()), "2025-02-17");
        let berlin = FixedOffset::east_opt(3600).unwrap().with_ymd_and_hms(2025, 2, 17, 10, 0, 0).unwrap();
        assert_eq!(render::<DateTime<FixedOffset>>(berlin), "2025-02-17T09:00:00Z");
        assert_eq!(render::<Decimal>("12345678901234.56789".parse::<Decimal>().unwrap()), "12345678901234.56789");
        assert_eq!(render::<Decimal>(Decimal::new(1, 28)), "0.0000000000000000000000000001");
        assert_eq!(render::<Decimal>(10000), "10000");
        assert_eq!(render::<bool>(true), "true");
        assert_eq!(render::<f64>(1e21), "1000000000000000000000");
        assert_eq!(render::<f64>(f64::NAN), "NaN");
    }

    #[test]
    fn enum_style_follows_the_profile() {
        let literal = Literal::Enum { type_name: "Sales.documentType", member: "Credit_x0020_Memo".into() };
        let mut plain = String::new();
        let plain_profile = ServiceProfile::strict_odata().with_enum_literals(EnumLiteralStyle::PlainString);
        literal.render(&mut plain, &plain_profile);
        assert_eq!(plain, "'Credit_x0020_Memo'");
        let mut strict = String::new();
        literal.render(&mut strict, &ServiceProfile::strict_odata());
        assert_eq!(strict, "Sales.documentType'Credit_x0020_Memo'");
    }
}
