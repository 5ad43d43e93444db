//! The body of a create or update: a JSON object holding exactly the
//! properties that were set. A property that was never set is left out, so
//! an update distinguishes "leave unchanged" (absent), "set to null" and
//! "set to a value".
//!
//! In serde's data model a payload is a struct of the properties that were
//! set, by wire name, each value as [`Edm::serialize_edm`] writes it (a
//! decimal as a string of its exact text, say). Reading one back accepts
//! only what the payload type may hold: a read-only property, a property
//! of another type or a missing required one is an error.

use std::fmt;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::ser::{SerializeStruct, Serializer};

use super::entity::Payload;
use super::property::Property;
use super::value::{De, Edm, Embedded, Text, write_json_string};

/// The properties set on a create or update payload, in the order they were set.
///
/// Serializes (with any serde format) as a struct of the properties set,
/// by their wire names, values in serde's data model (see the README's
/// "Choices a user should know").
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PayloadFields {
    fields: Vec<(&'static str, String)>,
}

impl PayloadFields {
    /// No properties set.
    pub fn new() -> Self {
        PayloadFields { fields: Vec::new() }
    }

    /// Sets a property to a value (replacing an earlier setting).
    pub fn set<T: Edm>(&mut self, name: &'static str, value: &T) {
        self.set_json(name, value.to_json());
    }

    /// Sets a property to `null`.
    pub fn set_null(&mut self, name: &'static str) {
        self.set_json(name, "null".to_owned());
    }

    /// Sets a property to JSON text (used for nested payloads in a deep insert).
    pub fn set_json(&mut self, name: &'static str, json: String) {
        match self.fields.iter_mut().find(|(n, _)| *n == name) {
            Some(field) => field.1 = json,
            None => self.fields.push((name, json)),
        }
    }

    /// The JSON text set for a property, if any.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields.iter().find(|(n, _)| *n == name).map(|(_, v)| v.as_str())
    }

    /// Leaves a property unchanged (removes an earlier setting).
    pub fn unset(&mut self, name: &str) {
        self.fields.retain(|(n, _)| *n != name);
    }

    /// Whether no property is set.
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    /// The names of the properties that are set.
    pub fn names(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.fields.iter().map(|(n, _)| *n)
    }

    /// The JSON object.
    pub fn to_json(&self) -> String {
        let mut out = String::with_capacity(2 + self.fields.iter().map(|(n, v)| n.len() + v.len() + 4).sum::<usize>());
        out.push('{');
        for (i, (name, value)) in self.fields.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            write_json_string(&mut out, name);
            out.push(':');
            out.push_str(value);
        }
        out.push('}');
        out
    }
}

impl serde::Serialize for PayloadFields {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut state = serializer.serialize_struct("PayloadFields", self.fields.len())?;
        for (name, json) in &self.fields {
            state.serialize_field(name, &Embedded(json))?;
        }
        state.end()
    }
}

/// Generated for every create and update payload type: which properties it
/// may hold, for reading one with serde.
pub trait PayloadSchema {
    /// What the payload is, for messages: `a Microsoft.NAV.customer create payload`.
    const EXPECTING: &'static str;
    /// The properties it must hold (a create payload's constructor arguments).
    const REQUIRED: &'static [&'static str] = &[];

    /// Reads the value of property `name` (with [`PayloadValue::read`] or
    /// [`PayloadValue::related`]); `Ok(false)` if the payload cannot hold
    /// that property.
    fn read<'de, A: MapAccess<'de>>(name: &str, value: PayloadValue<'_, A>) -> Result<bool, A::Error>;
}

/// The value of one property of a payload being read.
pub struct PayloadValue<'a, A> {
    map: &'a mut A,
    payload: &'a mut PayloadFields,
}

impl<'de, A: MapAccess<'de>> PayloadValue<'_, A> {
    /// Reads it as property `P` (of its field's type, so `null` is
    /// accepted only for a nullable one, and then sets it to `null`).
    pub fn read<P: Property>(self) -> Result<bool, A::Error>
    where
        P::Value: Edm,
    {
        let De(value) = self.map.next_value::<De<P::Value>>()?;
        self.payload.set(P::NAME, &value);
        Ok(true)
    }

    /// Reads it as the payloads of related entities created with this one
    /// (a deep insert under navigation property `name`).
    pub fn related<R: Payload + de::Deserialize<'de>>(self, name: &'static str) -> Result<bool, A::Error> {
        let related: Vec<R> = self.map.next_value()?;
        self.payload.set_json(name, json_array(&related));
        Ok(true)
    }
}

/// Reads a payload of type `P` from any serde format.
pub fn deserialize_payload<'de, P: PayloadSchema, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<PayloadFields, D::Error> {
    struct PayloadVisitor<P>(std::marker::PhantomData<P>);
    impl<'de, P: PayloadSchema> Visitor<'de> for PayloadVisitor<P> {
        type Value = PayloadFields;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(P::EXPECTING)
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<PayloadFields, A::Error> {
            let mut payload = PayloadFields::new();
            while let Some(name) = map.next_key::<Text<'de>>()? {
                if !P::read(name.as_str(), PayloadValue { map: &mut map, payload: &mut payload })? {
                    return Err(de::Error::custom(format_args!(
                        "{} cannot hold `{}`: it is read-only, computed, part of the key or not a property of the type",
                        P::EXPECTING,
                        Shortened(name.as_str())
                    )));
                }
            }
            match P::REQUIRED.iter().find(|name| payload.get(name).is_none()) {
                Some(missing) => Err(de::Error::missing_field(missing)),
                None => Ok(payload),
            }
        }
    }
    deserializer.deserialize_map(PayloadVisitor::<P>(std::marker::PhantomData))
}

/// A name from the input, quoted in an error message: its first 40
/// characters.
struct Shortened<'a>(&'a str);

impl fmt::Display for Shortened<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const QUOTED_CHARS: usize = 40;
        match self.0.char_indices().nth(QUOTED_CHARS) {
            Some((cut, _)) => write!(f, "{}…", &self.0[..cut]),
            None => f.write_str(self.0),
        }
    }
}

/// JSON array of nested payloads, for deep inserts.
pub fn json_array<'a, P: Payload + 'a>(items: impl IntoIterator<Item = &'a P>) -> String {
    let mut out = String::from("[");
    for (i, item) in items.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&item.to_json());
    }
    out.push(']');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;
    use serde::de::{Deserializer, MapAccess};

    #[test]
    fn absent_null_and_value_are_distinct() {
        let mut fields = PayloadFields::new();
        assert_eq!(fields.to_json(), "{}");
        fields.set("quantity", &"3.50".parse::<Decimal>().unwrap());
        fields.set_null("description");
        fields.set("description", &"Bolt \"M8\"".to_owned());
        fields.set_null("shipmentDate");
        assert_eq!(fields.to_json(), r#"{"quantity":3.50,"description":"Bolt \"M8\"","shipmentDate":null}"#);
        fields.unset("shipmentDate");
        assert_eq!(fields.get("shipmentDate"), None);
    }

    /// What generated code declares for a create payload.
    struct LineCreate(PayloadFields);

    #[derive(Clone, Copy)]
    struct Description;
    impl Property for Description {
        type Entity = ();
        type Value = String;
        type Inner = String;
        const NAME: &'static str = "description";
    }

    #[derive(Clone, Copy)]
    struct Quantity;
    impl Property for Quantity {
        type Entity = ();
        type Value = Option<Decimal>;
        type Inner = Decimal;
        const NAME: &'static str = "quantity";
    }

    impl PayloadSchema for LineCreate {
        const EXPECTING: &'static str = "a line create payload";
        const REQUIRED: &'static [&'static str] = &["description"];
        fn read<'de, A: MapAccess<'de>>(name: &str, value: PayloadValue<'_, A>) -> Result<bool, A::Error> {
            match name {
                "description" => value.read::<Description>(),
                "quantity" => value.read::<Quantity>(),
                _ => Ok(false),
            }
        }
    }

    impl<'de> serde::Deserialize<'de> for LineCreate {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            deserialize_payload::<Self, D>(deserializer).map(LineCreate)
        }
    }

    fn line() -> PayloadFields {
        let mut fields = PayloadFields::new();
        fields.set("description", &"Bolt, M8".to_owned());
        fields.set("quantity", &"3.50".parse::<Decimal>().unwrap());
        fields
    }

    #[test]
    fn payloads_serialize_what_was_set_by_wire_name() {
        assert_eq!(serde_json::to_string(&line()).unwrap(), r#"{"description":"Bolt, M8","quantity":"3.50"}"#);
        let mut writer = csv::Writer::from_writer(Vec::new());
        writer.serialize(line()).unwrap();
        let csv = String::from_utf8(writer.into_inner().unwrap()).unwrap();
        assert_eq!(csv, "description,quantity\n\"Bolt, M8\",3.50\n");
        let mut cbor = Vec::new();
        ciborium::into_writer(&line(), &mut cbor).unwrap();
        let back: LineCreate = ciborium::from_reader(cbor.as_slice()).unwrap();
        assert_eq!(back.0.to_json(), r#"{"description":"Bolt, M8","quantity":3.50}"#);
        let back: LineCreate = csv::Reader::from_reader(csv.as_bytes()).deserialize().next().unwrap().unwrap();
        assert_eq!(back.0, line());
    }

    #[test]
    fn null_is_kept_apart_from_absent() {
        let mut fields = line();
        fields.set_null("quantity");
        let mut cbor = Vec::new();
        ciborium::into_writer(&fields, &mut cbor).unwrap();
        let back: LineCreate = ciborium::from_reader(cbor.as_slice()).unwrap();
        assert_eq!(back.0.to_json(), r#"{"description":"Bolt, M8","quantity":null}"#);
        let back: LineCreate = serde_json::from_str(r#"{"description":"x"}"#).unwrap();
        assert_eq!(back.0.to_json(), r#"{"description":"x"}"#);
    }

    #[test]
    fn only_what_the_payload_may_hold_is_read() {
        let error =
            serde_json::from_str::<LineCreate>(r#"{"description":"x","amountIncludingTax":"1"}"#).err().unwrap();
        assert!(
            error.to_string().contains("a line create payload cannot hold `amountIncludingTax`: it is read-only"),
            "{error}"
        );
        let error = serde_json::from_str::<LineCreate>(r#"{"quantity":"1"}"#).err().unwrap();
        assert!(error.to_string().contains("missing field `description`"), "{error}");
        let error = serde_json::from_str::<LineCreate>(r#"{"description":null}"#).err().unwrap();
        assert!(error.to_string().contains("invalid type: null"), "{error}");
        let long = "x".repeat(100);
        let error = serde_json::from_str::<LineCreate>(&format!(r#"{{"{long}":1}}"#)).err().unwrap();
        assert!(error.to_string().contains(&format!("`{}…`", "x".repeat(40))), "{error}");
    }
}
