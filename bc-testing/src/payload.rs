//! A payload checked as Business Central checks it: declared properties
//! only, read-only properties refused, values of the property's type, text
//! within its length, enum members by name; a null stored as the blank.

use crate::documents;
use crate::json::JsonValue;
use crate::model::{Edm, Kind, PropertyModel, ServiceModel, TypeModel};
use crate::reply::Failure;
use crate::values;

/// The declared property `name`, or Business Central's refusal.
pub(crate) fn declared<'t>(ty: &'t TypeModel, name: &str) -> Result<&'t PropertyModel, Failure> {
    ty.property(name).ok_or_else(|| {
        Failure::bad_request(format!(
            "The property '{name}' does not exist on type '{}'. Make sure to only use property names that are defined by the type.",
            ty.name
        ))
    })
}

/// The refusal of a value for a read-only property.
pub(crate) fn read_only(name: &str) -> Failure {
    Failure::new(400, "BadRequest_InvalidOperation", format!("The property '{name}' is read-only and cannot be set."))
}

/// Checks a payload value against its property and returns it as stored.
/// Business Central keeps no nulls: a null becomes the blank value.
pub(crate) fn check_value(
    model: &ServiceModel,
    property: &PropertyModel,
    value: &JsonValue,
) -> Result<JsonValue, Failure> {
    let name = &property.name;
    let wrong = |expected: &str| {
        Failure::bad_request(format!(
            "Cannot convert the value {} of '{name}' to the expected type '{expected}'.",
            value.to_text()
        ))
    };
    if property.collection {
        return match value {
            JsonValue::Array(_) => Ok(value.clone()),
            JsonValue::Null => Ok(JsonValue::Array(Vec::new())),
            _ => Err(wrong("Collection")),
        };
    }
    if value.is_null() {
        return Ok(documents::blank(model, property));
    }
    match &property.kind {
        Kind::Enum(type_name) => {
            let member = value.as_str().ok_or_else(|| wrong(type_name))?;
            let known = model.enums.get(type_name).is_none_or(|e| e.value_of(member).is_some());
            if !known {
                return Err(Failure::bad_request(format!(
                    "The value '{member}' is not a member of the enum '{type_name}'."
                )));
            }
            Ok(value.clone())
        }
        Kind::Complex(type_name) => match value {
            JsonValue::Object(_) => Ok(value.clone()),
            _ => Err(wrong(type_name)),
        },
        Kind::Primitive(edm) => check_primitive(*edm, property, value).ok_or_else(|| wrong(edm_name(*edm)))?,
    }
}

fn check_primitive(edm: Edm, property: &PropertyModel, value: &JsonValue) -> Option<Result<JsonValue, Failure>> {
    let text = value.as_str();
    let ok = |v: &JsonValue| Some(Ok(v.clone()));
    match edm {
        Edm::String => {
            let text = text?;
            let length = text.chars().count() as u64;
            if let Some(max) = property.max_length
                && length > max
            {
                return Some(Err(Failure::bad_request_code(
                    "Application_StringExceededLength",
                    format!(
                        "The length of the string is {length}, but it must be less than or equal to {max} characters. Value: {text}"
                    ),
                )));
            }
            ok(value)
        }
        Edm::Guid => match values::parse_guid(text?) {
            Some(id) => Some(Ok(JsonValue::string(id.to_string()))),
            None => Some(Err(Failure::bad_request_code(
                "Application_InvalidGUID",
                format!("Invalid GUID string format: '{}'.", text.unwrap_or_default()),
            ))),
        },
        Edm::Date => values::parse_date(text?).map(|_| Ok(value.clone())),
        Edm::DateTimeOffset => values::parse_date_time(text?).map(|_| Ok(value.clone())),
        Edm::TimeOfDay => values::parse_time(text?).map(|_| Ok(value.clone())),
        Edm::Boolean => matches!(value, JsonValue::Bool(_)).then(|| Ok(value.clone())),
        Edm::Decimal => match value {
            JsonValue::Number(n) if values::parse_decimal(n).is_some() => ok(value),
            JsonValue::String(n) if values::parse_decimal(n).is_some() => Some(Ok(JsonValue::Number(n.clone()))),
            _ => None,
        },
        Edm::Integer => match value {
            JsonValue::Number(n) if n.parse::<i64>().is_ok() => ok(value),
            _ => None,
        },
        Edm::Double => match value {
            JsonValue::Number(n) if n.parse::<f64>().is_ok() => ok(value),
            JsonValue::String(s) if matches!(s.as_str(), "INF" | "-INF" | "NaN") => ok(value),
            _ => None,
        },
        Edm::Stream => {
            Some(Err(Failure::bad_request(format!("'{}' is stream content: write it to its own URL.", property.name))))
        }
        Edm::Duration | Edm::Binary => text.map(|_| Ok(value.clone())),
        Edm::Other => ok(value),
    }
}

fn edm_name(edm: Edm) -> &'static str {
    match edm {
        Edm::String => "Edm.String",
        Edm::Boolean => "Edm.Boolean",
        Edm::Guid => "Edm.Guid",
        Edm::Date => "Edm.Date",
        Edm::DateTimeOffset => "Edm.DateTimeOffset",
        Edm::TimeOfDay => "Edm.TimeOfDay",
        Edm::Duration => "Edm.Duration",
        Edm::Decimal => "Edm.Decimal",
        Edm::Double => "Edm.Double",
        Edm::Integer => "Edm.Int32",
        Edm::Binary => "Edm.Binary",
        Edm::Stream => "Edm.Stream",
        Edm::Other => "Edm.Untyped",
    }
}
