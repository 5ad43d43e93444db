//! Exact `Edm.Decimal`.
//!
//! serde_json turns JSON numbers into `f64` before a visitor sees them,
//! which would round `12345678901234.56789`. Its public
//! [`RawValue`](serde_json::value::RawValue) type hands out the raw text of
//! a value instead, for borrowed and owned input and for
//! `serde_json::Value`, with no crate-wide feature such as
//! `arbitrary_precision` (which would change `serde_json::Value` for the
//! whole program). The text is then parsed by `rust_decimal`, exactly.

use rust_decimal::Decimal;
use serde::de::{self, Deserialize, Deserializer};
use serde_json::value::RawValue;

use super::Edm;

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

impl Edm for Decimal {
    /// From the raw JSON text of the value (a number, or a string for
    /// services that quote decimals). Deserializers other than serde_json
    /// have no raw values; they are not used for OData payloads.
    fn deserialize_edm<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = Box::<RawValue>::deserialize(deserializer)?;
        parse_decimal(raw.get()).map_err(de::Error::custom)
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
