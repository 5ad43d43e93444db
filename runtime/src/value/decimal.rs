//! Exact `Edm.Decimal`.
//!
//! serde_json turns JSON numbers into `f64` before a visitor sees them,
//! which would round `12345678901234.56789`. It does hand out the raw text of
//! a value through its raw-value protocol (the one behind
//! `serde_json::value::RawValue`): a newtype-struct request with a reserved
//! name, answered with a one-entry map whose value is the raw JSON text.
//! That works for borrowed and owned input and for `serde_json::Value`, and
//! needs no crate-wide feature such as `arbitrary_precision`. Other
//! deserializers answer the newtype request normally and get the plain
//! number path. A test pins the exact behaviour, so a change in serde_json
//! cannot slip through unnoticed.

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, Visitor};

use super::{Edm, Text};

/// The newtype name serde_json reserves for raw values.
pub const RAW_VALUE_TOKEN: &str = "$serde_json::private::RawValue";

/// Parses a decimal written as a JSON number or string, exactly.
pub fn parse_decimal(text: &str) -> Result<Decimal, String> {
    let text = text.trim();
    let unquoted = text.strip_prefix('"').and_then(|t| t.strip_suffix('"')).unwrap_or(text);
    let parsed = if unquoted.contains(['e', 'E']) {
        Decimal::from_scientific(unquoted)
    } else {
        Decimal::from_str_exact(unquoted)
    };
    parsed.map_err(|e| format!("`{unquoted}` is not an exact decimal: {e}"))
}

struct DecimalVisitor;

impl<'de> Visitor<'de> for DecimalVisitor {
    type Value = Decimal;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a decimal number")
    }

    /// serde_json's raw-value answer: one entry whose value is the JSON text.
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Decimal, A::Error> {
        map.next_key::<IgnoredAny>()?;
        let text: Text<'de> = map.next_value()?;
        parse_decimal(text.as_str()).map_err(de::Error::custom)
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, deserializer: D) -> Result<Decimal, D::Error> {
        deserializer.deserialize_any(self)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Decimal, E> {
        parse_decimal(v).map_err(E::custom)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Decimal, E> {
        Ok(Decimal::from(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Decimal, E> {
        Ok(Decimal::from(v))
    }

    /// Only deserializers other than serde_json end up here.
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Decimal, E> {
        Decimal::from_str(&v.to_string()).map_err(E::custom)
    }
}

impl Edm for Decimal {
    fn deserialize_edm<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_newtype_struct(RAW_VALUE_TOKEN, DecimalVisitor)
    }

    /// Plain notation with the value's own scale: `1000.00` stays `1000.00`.
    fn write_json(&self, out: &mut String) {
        use std::fmt::Write;
        let _ = write!(out, "{self}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::De;

    fn read(json: &str) -> Decimal {
        serde_json::from_str::<De<Decimal>>(json).unwrap().0
    }

    #[test]
    fn keeps_every_digit_and_the_scale() {
        assert_eq!(read("12345678901234.56789").to_string(), "12345678901234.56789");
        assert_eq!(read("1000.00").to_string(), "1000.00");
        assert_eq!(read("1000.00"), Decimal::from(1000));
        assert_eq!(read("-0.000001").to_string(), "-0.000001");
        assert_eq!(read("\"42.10\"").to_string(), "42.10");
        assert_eq!(read("1.5E+3"), Decimal::from(1500));
    }

    #[test]
    fn reads_from_owned_input_and_values() {
        let from_reader: De<Decimal> = serde_json::from_reader("12345678901234.56789".as_bytes()).unwrap();
        assert_eq!(from_reader.0.to_string(), "12345678901234.56789");
        let value = serde_json::json!(1000);
        assert_eq!(serde_json::from_value::<De<Decimal>>(value).unwrap().0, Decimal::from(1000));
    }

    #[test]
    fn optional_decimals_accept_null() {
        assert_eq!(serde_json::from_str::<De<Option<Decimal>>>("null").unwrap().0, None);
        assert_eq!(serde_json::from_str::<De<Option<Decimal>>>("0.10").unwrap().0.unwrap().to_string(), "0.10");
    }

    #[test]
    fn rejects_what_is_not_a_decimal() {
        assert!(serde_json::from_str::<De<Decimal>>("true").is_err());
        assert!(serde_json::from_str::<De<Decimal>>("\"abc\"").is_err());
        assert!(serde_json::from_str::<De<Decimal>>("123456789012345678901234567890123").is_err());
    }

    #[test]
    fn writes_plain_notation() {
        assert_eq!(read("12345678901234.56789").to_json(), "12345678901234.56789");
        assert_eq!(read("1000.00").to_json(), "1000.00");
    }
}
