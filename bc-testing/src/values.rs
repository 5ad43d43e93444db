//! Typed values for filtering and ordering: stored JSON read with its
//! property's type, literals read from `$filter` and key predicates, and
//! how two of them compare.

use std::cmp::Ordering;
use std::str::FromStr;

use odata_v4_runtime::chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime};
use odata_v4_runtime::rust_decimal::Decimal;
use odata_v4_runtime::uuid::Uuid;

use crate::json::JsonValue;
use crate::model::{Edm, Kind, ServiceModel};

/// A value being compared.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    Null,
    Bool(bool),
    Integer(i64),
    Decimal(Decimal),
    Double(f64),
    /// A numeric literal whose type is decided by what it is compared with.
    Number(String),
    String(String),
    Guid(Uuid),
    Date(NaiveDate),
    DateTimeOffset(DateTime<FixedOffset>),
    TimeOfDay(NaiveTime),
    Duration(String),
    Binary(String),
    /// An enum member by wire name; the type is known for properties and
    /// qualified literals (`Microsoft.NAV.customerBlocked'Ship'`).
    Enum {
        type_name: Option<String>,
        member: String,
    },
    /// A complex or collection value: stored, never compared.
    Structured,
}

impl Value {
    /// Reads a stored JSON value as a property of `kind`.
    pub(crate) fn from_json(json: Option<&JsonValue>, kind: &Kind) -> Value {
        let Some(json) = json else { return Value::Null };
        match (json, kind) {
            (JsonValue::Null, _) => Value::Null,
            (JsonValue::String(text), Kind::Enum(type_name)) => {
                Value::Enum { type_name: Some(type_name.clone()), member: text.clone() }
            }
            (JsonValue::Bool(b), _) => Value::Bool(*b),
            (JsonValue::Number(text), Kind::Primitive(Edm::Integer)) => {
                text.parse().map(Value::Integer).unwrap_or_else(|_| Value::Number(text.clone()))
            }
            (JsonValue::Number(text), Kind::Primitive(Edm::Double)) => {
                text.parse().map(Value::Double).unwrap_or_else(|_| Value::Number(text.clone()))
            }
            (JsonValue::Number(text), _) => {
                parse_decimal(text).map(Value::Decimal).unwrap_or(Value::Number(text.clone()))
            }
            (JsonValue::String(text), Kind::Primitive(edm)) => match edm {
                Edm::Guid => Uuid::parse_str(text).map(Value::Guid).unwrap_or_else(|_| Value::String(text.clone())),
                Edm::Date => parse_date(text).map(Value::Date).unwrap_or_else(|| Value::String(text.clone())),
                Edm::DateTimeOffset => {
                    parse_date_time(text).map(Value::DateTimeOffset).unwrap_or_else(|| Value::String(text.clone()))
                }
                Edm::TimeOfDay => parse_time(text).map(Value::TimeOfDay).unwrap_or_else(|| Value::String(text.clone())),
                Edm::Duration => Value::Duration(text.clone()),
                Edm::Binary => Value::Binary(text.clone()),
                Edm::Decimal => parse_decimal(text).map(Value::Decimal).unwrap_or_else(|| Value::String(text.clone())),
                // `INF`, `NaN` travel as strings.
                Edm::Double => text.parse().map(Value::Double).unwrap_or_else(|_| Value::String(text.clone())),
                _ => Value::String(text.clone()),
            },
            (JsonValue::String(text), Kind::Complex(_)) => Value::String(text.clone()),
            (JsonValue::Array(_) | JsonValue::Object(_), _) => Value::Structured,
        }
    }

    /// The value as JSON, for values the fake computes.
    pub(crate) fn to_json(&self) -> JsonValue {
        match self {
            Value::Null | Value::Structured => JsonValue::Null,
            Value::Bool(b) => JsonValue::Bool(*b),
            Value::Integer(n) => JsonValue::number(n),
            Value::Decimal(d) => JsonValue::number(d),
            Value::Double(f) if f.is_finite() => JsonValue::number(f),
            Value::Double(f) => JsonValue::string(if f.is_nan() {
                "NaN"
            } else if *f > 0.0 {
                "INF"
            } else {
                "-INF"
            }),
            Value::Number(text) => JsonValue::Number(text.clone()),
            Value::String(text) | Value::Duration(text) | Value::Binary(text) => JsonValue::string(text.clone()),
            Value::Guid(id) => JsonValue::string(id.to_string()),
            Value::Date(date) => JsonValue::string(date.format("%Y-%m-%d").to_string()),
            Value::DateTimeOffset(at) => JsonValue::string(format_date_time(at)),
            Value::TimeOfDay(time) => JsonValue::string(time.format("%H:%M:%S%.f").to_string()),
            Value::Enum { member, .. } => JsonValue::string(member.clone()),
        }
    }

    pub(crate) fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    pub(crate) fn type_label(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "Edm.Boolean",
            Value::Integer(_) => "Edm.Int64",
            Value::Decimal(_) => "Edm.Decimal",
            Value::Double(_) => "Edm.Double",
            Value::Number(_) => "a number",
            Value::String(_) => "Edm.String",
            Value::Guid(_) => "Edm.Guid",
            Value::Date(_) => "Edm.Date",
            Value::DateTimeOffset(_) => "Edm.DateTimeOffset",
            Value::TimeOfDay(_) => "Edm.TimeOfDay",
            Value::Duration(_) => "Edm.Duration",
            Value::Binary(_) => "Edm.Binary",
            Value::Enum { .. } => "an enum",
            Value::Structured => "a structured value",
        }
    }
}

/// `Edm.DateTimeOffset` as Business Central writes it: UTC, `Z`, milliseconds when any.
pub(crate) fn format_date_time(at: &DateTime<FixedOffset>) -> String {
    at.naive_utc().format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string().replace(".000Z", "Z")
}

pub(crate) fn parse_guid(text: &str) -> Option<Uuid> {
    Uuid::parse_str(text).ok()
}

pub(crate) fn parse_decimal(text: &str) -> Option<Decimal> {
    if text.contains(['e', 'E']) { Decimal::from_scientific(text).ok() } else { Decimal::from_str_exact(text).ok() }
}

pub(crate) fn parse_date(text: &str) -> Option<NaiveDate> {
    if text.len() < 10 {
        return None;
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()
}

pub(crate) fn parse_time(text: &str) -> Option<NaiveTime> {
    NaiveTime::parse_from_str(text, "%H:%M:%S%.f").or_else(|_| NaiveTime::parse_from_str(text, "%H:%M")).ok()
}

/// `YYYY-MM-DDTHH:MM[:SS[.f]](Z|±HH:MM)`.
pub(crate) fn parse_date_time(text: &str) -> Option<DateTime<FixedOffset>> {
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Some(at);
    }
    // OData allows leaving out the seconds.
    let t = text.find(['T', 't'])?;
    let zone = text[t..].find(['Z', 'z', '+', '-']).map(|at| t + at)?;
    let with_seconds = format!("{}:00{}", &text[..zone], &text[zone..]);
    DateTime::parse_from_rfc3339(&with_seconds).ok()
}

/// Why two values cannot be compared.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Incompatible(pub String);

fn incompatible(left: &Value, right: &Value) -> Incompatible {
    Incompatible(format!(
        "A binary operator with incompatible types was detected. Found operand types '{}' and '{}'.",
        left.type_label(),
        right.type_label()
    ))
}

/// Whether two non-null values are equal.
pub(crate) fn equal(left: &Value, right: &Value, model: &ServiceModel) -> Result<bool, Incompatible> {
    match (left, right) {
        (Value::Enum { type_name: a, member: m }, Value::Enum { type_name: b, member: n }) => {
            if let (Some(a), Some(b)) = (a, b)
                && a != b
            {
                return Err(incompatible(left, right));
            }
            Ok(m == n)
        }
        // Business Central's spelling: an enum compared with its member name as a string.
        (Value::Enum { member, .. }, Value::String(text)) | (Value::String(text), Value::Enum { member, .. }) => {
            Ok(member == text)
        }
        (Value::Bool(a), Value::Bool(b)) => Ok(a == b),
        (Value::Guid(a), Value::Guid(b)) => Ok(a == b),
        _ => order(left, right, model).map(|o| o == Ordering::Equal),
    }
}

/// How two non-null values order.
pub(crate) fn order(left: &Value, right: &Value, model: &ServiceModel) -> Result<Ordering, Incompatible> {
    let fail = || incompatible(left, right);
    match (left, right) {
        (Value::String(a), Value::String(b)) => Ok(a.cmp(b)),
        (Value::Date(a), Value::Date(b)) => Ok(a.cmp(b)),
        (Value::DateTimeOffset(a), Value::DateTimeOffset(b)) => Ok(a.cmp(b)),
        (Value::TimeOfDay(a), Value::TimeOfDay(b)) => Ok(a.cmp(b)),
        (Value::Guid(a), Value::Guid(b)) => Ok(a.cmp(b)),
        (Value::Bool(a), Value::Bool(b)) => Ok(a.cmp(b)),
        (Value::Duration(a), Value::Duration(b)) | (Value::Binary(a), Value::Binary(b)) => Ok(a.cmp(b)),
        (Value::Enum { type_name, member: a }, Value::Enum { member: b, .. })
        | (Value::Enum { type_name, member: a }, Value::String(b)) => {
            let values = type_name.as_ref().and_then(|name| model.enums.get(name));
            match values.and_then(|e| Some((e.value_of(a)?, e.value_of(b)?))) {
                Some((x, y)) => Ok(x.cmp(&y)),
                None => Ok(a.cmp(b)),
            }
        }
        (Value::String(_), Value::Enum { .. }) => order(right, left, model).map(Ordering::reverse),
        _ => numeric_order(left, right).ok_or_else(fail),
    }
}

/// Numbers of any kind: as `f64` when either side is a double, exactly otherwise.
fn numeric_order(left: &Value, right: &Value) -> Option<Ordering> {
    let is_double = |v: &Value| matches!(v, Value::Double(_));
    if is_double(left) || is_double(right) {
        return as_f64(left)?.partial_cmp(&as_f64(right)?);
    }
    Some(as_decimal(left)?.cmp(&as_decimal(right)?))
}

fn as_decimal(value: &Value) -> Option<Decimal> {
    match value {
        Value::Integer(n) => Some(Decimal::from(*n)),
        Value::Decimal(d) => Some(*d),
        Value::Number(text) => parse_decimal(text),
        _ => None,
    }
}

fn as_f64(value: &Value) -> Option<f64> {
    match value {
        Value::Double(f) => Some(*f),
        Value::Integer(n) => Some(*n as f64),
        Value::Decimal(d) => f64::from_str(&d.to_string()).ok(),
        Value::Number(text) => match text.as_str() {
            "INF" => Some(f64::INFINITY),
            "-INF" => Some(f64::NEG_INFINITY),
            "NaN" => Some(f64::NAN),
            other => other.parse().ok(),
        },
        _ => None,
    }
}

/// Ordering for `$orderby`: nulls first, then by value; values that do
/// not compare keep their order.
pub(crate) fn sort_order(left: &Value, right: &Value, model: &ServiceModel) -> Ordering {
    match (left.is_null(), right.is_null()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Less,
        (false, true) => Ordering::Greater,
        (false, false) => order(left, right, model).unwrap_or(Ordering::Equal),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_values_read_with_their_property_type() {
        let decimal = Value::from_json(Some(&JsonValue::Number("2400.50".into())), &Kind::Primitive(Edm::Decimal));
        assert_eq!(decimal, Value::Decimal(Decimal::new(240050, 2)));
        let date = Value::from_json(Some(&JsonValue::string("2025-02-17")), &Kind::Primitive(Edm::Date));
        assert_eq!(date, Value::Date(NaiveDate::from_ymd_opt(2025, 2, 17).unwrap()));
        let at = Value::from_json(Some(&JsonValue::string("2025-02-17T09:00Z")), &Kind::Primitive(Edm::DateTimeOffset));
        assert!(matches!(at, Value::DateTimeOffset(_)), "{at:?}");
        assert_eq!(Value::from_json(None, &Kind::Primitive(Edm::String)), Value::Null);
    }

    #[test]
    fn date_times_print_as_business_central_does() {
        let at = parse_date_time("2025-02-17T10:00:00.5+01:00").unwrap();
        assert_eq!(format_date_time(&at), "2025-02-17T09:00:00.500Z");
        let whole = parse_date_time("2025-02-17T09:00:00Z").unwrap();
        assert_eq!(format_date_time(&whole), "2025-02-17T09:00:00Z");
    }
}
