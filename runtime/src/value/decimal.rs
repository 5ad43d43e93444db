//! Exact `Edm.Decimal`.
//!
//! serde_json turns JSON numbers into `f64` before a visitor sees them,
//! which would round `12345678901234.56789`. Its public
//! [`RawValue`](serde_json::value::RawValue) type hands out the raw text of
//! a value instead, for borrowed and owned input and for
//! `serde_json::Value`, with no crate-wide feature such as
//! `arbitrary_precision` (which would change `serde_json::Value` for the
//! whole program). A decimal is read through `RawValue` (see
//! [`deserialize_raw`]): serde_json answers with the text; every other
//! deserializer hands over what it holds: text formats a string, binary
//! formats a string or an integer. The text is then parsed by
//! `rust_decimal`, exactly.
//!
//! In serde's data model a decimal is a string of its exact digits with its
//! scale (`"1000.00"`), in every format, as `rust_decimal` itself
//! serializes by default: serde_json cannot write an exact number token
//! without the raw-value escape hatch, which other formats see as a nested
//! struct. A float is refused rather than rounded.

use std::fmt;

use rust_decimal::Decimal;
use serde::de::{self, Deserializer, Visitor};
use serde::ser::Serializer;

use super::Edm;
use super::raw::{FromOther, Raw, deserialize_raw};

/// Parses a decimal written as a JSON number or string, exactly.
pub fn parse_decimal(text: &str) -> Result<Decimal, String> {
    if let Some(plain) = parse_plain(text.as_bytes()) {
        return Ok(plain);
    }
    parse_general(text)
}

/// Any decimal `rust_decimal` reads, quoted or not, in plain or scientific notation.
fn parse_general(text: &str) -> Result<Decimal, String> {
    let text = text.trim();
    let unquoted = text.strip_prefix('"').and_then(|t| t.strip_suffix('"')).unwrap_or(text);
    let parsed = if unquoted.contains(['e', 'E']) {
        Decimal::from_scientific(unquoted)
    } else {
        Decimal::from_str_exact(unquoted)
    };
    parsed.map_err(|e| format!("`{unquoted}` is not an exact decimal: {e}"))
}

/// The common case, `-?digits(.digits)?` with at most 18 digits (an
/// `i64` holds them all), read without `rust_decimal`'s general parser,
/// which handles exponents, underscores, rounding and 96-bit mantissas and
/// costs a page of ledger entries several percent of its decoding.
/// Anything else is `None` and goes the general way. (Negative zero needs
/// no care: `rust_decimal` reads `-0.00` as `0.00` too, as the test checks.)
fn parse_plain(text: &[u8]) -> Option<Decimal> {
    let (negative, digits) = match text.split_first()? {
        (b'-', rest) => (true, rest),
        _ => (false, text),
    };
    let (mut mantissa, mut count, mut scale, mut seen_point) = (0i64, 0u32, 0u32, false);
    for (i, &byte) in digits.iter().enumerate() {
        match byte {
            b'0'..=b'9' => {
                count += 1;
                if count > 18 {
                    return None;
                }
                mantissa = mantissa * 10 + i64::from(byte - b'0');
                scale += u32::from(seen_point);
            }
            // A point needs digits on both sides.
            b'.' if !seen_point && i > 0 && i + 1 < digits.len() => seen_point = true,
            _ => return None,
        }
    }
    if count == 0 {
        return None;
    }
    Some(Decimal::new(if negative { -mantissa } else { mantissa }, scale))
}

impl Edm for Decimal {
    /// From the raw JSON text of the value (a number, or a string for
    /// services that quote decimals) with serde_json; from a string or an
    /// integer with other formats.
    fn deserialize_edm<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match deserialize_raw::<Decimal, D>(deserializer)? {
            Raw::Json(raw) => parse_decimal(raw.get()).map_err(de::Error::custom),
            Raw::Other(value) => Ok(value),
        }
    }

    /// Plain notation with the value's own scale: `1000.00` stays `1000.00`.
    fn write_json(&self, out: &mut String) {
        use std::fmt::Write;
        let _ = write!(out, "{self}");
    }

    /// A string with the value's own scale: `"1000.00"`.
    fn serialize_edm<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

struct DecimalVisitor;

impl<'de> Visitor<'de> for DecimalVisitor {
    type Value = Decimal;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a decimal number, or a string of one")
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

    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Decimal, E> {
        Decimal::try_from_i128_with_scale(v, 0).map_err(|_| E::invalid_value(de::Unexpected::Other("integer"), &self))
    }

    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Decimal, E> {
        let signed = i128::try_from(v).map_err(|_| E::invalid_value(de::Unexpected::Other("integer"), &self))?;
        self.visit_i128(signed)
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Decimal, E> {
        Err(E::custom(format_args!(
            "the floating-point number {v} cannot be read as an exact decimal; write decimals as strings (\"9.90\")"
        )))
    }
}

impl FromOther for Decimal {
    /// Text formats are asked for a string, since one without types (CSV)
    /// would otherwise guess a float from `9.90` and lose the scale; the
    /// self-describing ones (TOML) hand over whatever they hold anyway.
    /// Binary formats are asked for what they hold: their strings are
    /// typed, and an integer is exact too.
    fn from_other<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        if deserializer.is_human_readable() {
            deserializer.deserialize_str(DecimalVisitor)
        } else {
            deserializer.deserialize_any(DecimalVisitor)
        }
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
    fn the_plain_fast_path_reads_what_the_general_parser_reads() {
        let mut texts: Vec<String> = [
            "0",
            "0.00",
            "-0",
            "-0.00",
            "1",
            "-1",
            "007",
            "1.",
            ".5",
            "-.5",
            "1.2.3",
            "-",
            "",
            "--1",
            "+1",
            "1_000",
            "1e3",
            " 1",
            "1 ",
            "12345678901234.5678",
            "123456789012345678",
            "1234567890123456789",
            "-999999999999999999",
            "0.000000000000000001",
            "9.90",
            "1000.00",
            "\"9.90\"",
            "12a",
        ]
        .iter()
        .map(|t| t.to_string())
        .collect();
        // Every digit count and point position up to and beyond the fast path's 18 digits.
        for length in 1..=20 {
            let digits: String = (0..length).map(|i| char::from(b'1' + (i % 9) as u8)).collect();
            for point in 0..length {
                let text =
                    if point == 0 { digits.clone() } else { format!("{}.{}", &digits[..point], &digits[point..]) };
                texts.push(format!("-{text}"));
                texts.push(text);
            }
        }
        for text in &texts {
            let general = parse_general(text);
            let read = parse_decimal(text);
            match (&read, &general) {
                (Ok(read), Ok(general)) => {
                    assert_eq!(read.to_string(), general.to_string(), "{text:?}");
                    assert_eq!(
                        (read.scale(), read.is_sign_negative()),
                        (general.scale(), general.is_sign_negative()),
                        "{text:?}"
                    );
                }
                (Err(_), Err(_)) => {}
                _ => panic!("{text:?}: fast {read:?}, general {general:?}"),
            }
            if let Some(plain) = parse_plain(text.as_bytes()) {
                assert_eq!(Ok(plain), general, "{text:?} took the fast path");
            }
        }
        assert!(parse_plain(b"1234.5678").is_some() && parse_plain(b"1234567890123456789").is_none());
    }

    #[test]
    fn writes_plain_notation() {
        assert_eq!(read("12345678901234.56789").to_json(), "12345678901234.56789");
        assert_eq!(read("1000.00").to_json(), "1000.00");
    }
}
