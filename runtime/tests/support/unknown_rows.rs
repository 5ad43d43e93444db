//! The rows the unknown-properties test and benchmark decode: one declared
//! property, and every other member either kept (as generated types keep
//! them) or skipped. Included with `#[path]` by both.

use std::fmt;

use odata_v4_runtime::__private::FieldName;
use odata_v4_runtime::AdditionalProperties;
use serde::de::{Deserialize, Deserializer, IgnoredAny, MapAccess, Visitor};

/// A row as generated types read it: one declared property, every other
/// member kept.
pub struct Kept {
    _entry_number: Option<u64>,
    _extra: AdditionalProperties,
}

/// The same row, skipping what it does not declare.
pub struct Skipped {
    _entry_number: Option<u64>,
}

impl<'de> Deserialize<'de> for Kept {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct RowVisitor;
        impl<'de> Visitor<'de> for RowVisitor {
            type Value = Kept;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a row")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Kept, A::Error> {
                let mut entry_number = None;
                let mut extra = AdditionalProperties::new();
                while let Some(key) = map.next_key::<FieldName<'de>>()? {
                    match key.as_str() {
                        "entryNumber" => entry_number = map.next_value()?,
                        _ => extra.insert(key.into_owned(), map.next_value()?),
                    }
                }
                Ok(Kept { _entry_number: entry_number, _extra: extra })
            }
        }
        deserializer.deserialize_map(RowVisitor)
    }
}

impl<'de> Deserialize<'de> for Skipped {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct RowVisitor;
        impl<'de> Visitor<'de> for RowVisitor {
            type Value = Skipped;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a row")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Skipped, A::Error> {
                let mut entry_number = None;
                while let Some(key) = map.next_key::<FieldName<'de>>()? {
                    match key.as_str() {
                        "entryNumber" => entry_number = map.next_value()?,
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(Skipped { _entry_number: entry_number })
            }
        }
        deserializer.deserialize_map(RowVisitor)
    }
}
