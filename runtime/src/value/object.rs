//! Generated entity and complex types as objects: one list of their fields
//! (the generated [`Object::visit`]) drives both the OData JSON writer and
//! serde serialization, so generated code names each field once.
//!
//! In serde's data model an object is a struct (`serialize_struct`, which
//! formats without maps such as CSV need) whose field names are the wire
//! names: properties in declaration order, a stream property as the media
//! annotations the service sent (`pictureContent@odata.mediaReadLink`),
//! navigation properties only when they were expanded (skipped otherwise),
//! then the entity's `@odata.etag` (a string, or none), then the unknown
//! properties by their own names with their values as embedded JSON
//! ([`Embedded`]). The OData JSON writer puts the ETag first, where OData
//! wants control information.

use std::convert::Infallible;

use serde::ser::{Error as _, SerializeStruct, Serializer};

use super::embedded::Embedded;
use super::json::{ETag, StreamLink, write_json_string};
use super::names::intern;
use super::{AdditionalProperties, Edm, Ser};

/// A generated entity or complex type.
pub trait Object {
    /// The Rust type's name, handed to serde's `serialize_struct`.
    const NAME: &'static str;

    /// Hands every field to `fields`: the ETag first (entities only), then
    /// each property and stream property in declaration order, each
    /// navigation property, and the unknown properties last.
    fn visit<'a, F: Fields<'a>>(&'a self, fields: &mut F) -> Result<(), F::Error>;
}

/// What [`Object::visit`] hands its fields to.
pub trait Fields<'a> {
    /// Why a field could not be taken.
    type Error;
    /// The entity's `@odata.etag`.
    fn etag(&mut self, etag: &'a Option<ETag>) -> Result<(), Self::Error>;
    /// A structural property (`name` is its wire name).
    fn property<T: Edm>(&mut self, name: &'static str, value: &'a T) -> Result<(), Self::Error>;
    /// A stream property's media links.
    fn stream(&mut self, name: &'static str, link: &'a StreamLink) -> Result<(), Self::Error>;
    /// A navigation property, `None` when it was not expanded.
    fn navigation<T: Edm>(&mut self, name: &'static str, value: &'a Option<T>) -> Result<(), Self::Error>;
    /// The properties the type does not declare.
    fn extra(&mut self, extra: &'a AdditionalProperties) -> Result<(), Self::Error>;
}

/// Appends `value`'s OData JSON object to `out`.
pub fn write_object<T: Object>(value: &T, out: &mut String) {
    let mut writer = JsonFields(JsonObject::begin(out));
    let Ok(()) = value.visit(&mut writer);
    writer.0.end();
}

/// Serializes `value` in serde's data model (see the module docs).
pub fn serialize_object<T: Object, S: Serializer>(value: &T, serializer: S) -> Result<S::Ok, S::Error> {
    // Formats that write a struct's length first (CBOR, MessagePack) need
    // the number of fields actually written, which depends on the value.
    let mut count = CountFields(0);
    let Ok(()) = value.visit(&mut count);
    let mut fields = SerdeFields { state: serializer.serialize_struct(T::NAME, count.0)?, etag: None };
    value.visit(&mut fields)?;
    fields.write_etag()?;
    fields.state.end()
}

/// Writes a JSON object field by field.
pub struct JsonObject<'a> {
    out: &'a mut String,
    empty: bool,
}

impl<'a> JsonObject<'a> {
    /// Opens the object.
    pub fn begin(out: &'a mut String) -> Self {
        out.push('{');
        JsonObject { out, empty: true }
    }

    fn key(&mut self, name: &str) {
        if !self.empty {
            self.out.push(',');
        }
        self.empty = false;
        write_json_string(self.out, name);
        self.out.push(':');
    }

    /// A field and its OData JSON value.
    pub fn field<T: Edm>(&mut self, name: &str, value: &T) {
        self.key(name);
        value.write_json(self.out);
    }

    /// A field whose value is already JSON text.
    pub fn raw(&mut self, name: &str, json: &str) {
        self.key(name);
        self.out.push_str(json);
    }

    /// The `@odata.media*` annotations of a stream property.
    pub fn stream(&mut self, name: &str, link: &StreamLink) {
        link.write_annotations(name, |key, json| self.raw(&key, &json));
    }

    /// Properties the type does not declare, written back as received.
    pub fn extra(&mut self, extra: &AdditionalProperties) {
        for (name, value) in extra.raw_entries() {
            self.raw(name, value);
        }
    }

    /// Closes the object.
    pub fn end(self) {
        self.out.push('}');
    }
}

struct JsonFields<'o>(JsonObject<'o>);

impl<'a> Fields<'a> for JsonFields<'_> {
    type Error = Infallible;

    fn etag(&mut self, etag: &'a Option<ETag>) -> Result<(), Infallible> {
        if let Some(etag) = etag {
            self.0.field("@odata.etag", etag);
        }
        Ok(())
    }

    fn property<T: Edm>(&mut self, name: &'static str, value: &'a T) -> Result<(), Infallible> {
        self.0.field(name, value);
        Ok(())
    }

    fn stream(&mut self, name: &'static str, link: &'a StreamLink) -> Result<(), Infallible> {
        self.0.stream(name, link);
        Ok(())
    }

    fn navigation<T: Edm>(&mut self, name: &'static str, value: &'a Option<T>) -> Result<(), Infallible> {
        if let Some(related) = value {
            self.0.field(name, related);
        }
        Ok(())
    }

    fn extra(&mut self, extra: &'a AdditionalProperties) -> Result<(), Infallible> {
        self.0.extra(extra);
        Ok(())
    }
}

/// Counts the fields [`SerdeFields`] writes.
struct CountFields(usize);

impl<'a> Fields<'a> for CountFields {
    type Error = Infallible;

    fn etag(&mut self, _: &'a Option<ETag>) -> Result<(), Infallible> {
        self.0 += 1;
        Ok(())
    }

    fn property<T: Edm>(&mut self, _: &'static str, _: &'a T) -> Result<(), Infallible> {
        self.0 += 1;
        Ok(())
    }

    fn stream(&mut self, _: &'static str, link: &'a StreamLink) -> Result<(), Infallible> {
        self.0 += media_annotations(link).filter(|(_, value)| value.is_some()).count();
        Ok(())
    }

    fn navigation<T: Edm>(&mut self, _: &'static str, value: &'a Option<T>) -> Result<(), Infallible> {
        self.0 += usize::from(value.is_some());
        Ok(())
    }

    fn extra(&mut self, extra: &'a AdditionalProperties) -> Result<(), Infallible> {
        self.0 += extra.len();
        Ok(())
    }
}

/// A stream property's annotations, by their suffix after `@odata.`.
fn media_annotations(link: &StreamLink) -> impl Iterator<Item = (&'static str, Option<&str>)> {
    [
        ("mediaReadLink", link.read_link.as_deref()),
        ("mediaEditLink", link.edit_link.as_deref()),
        ("mediaContentType", link.content_type.as_deref()),
        ("mediaEtag", link.etag.as_ref().map(ETag::as_str)),
    ]
    .into_iter()
}

struct SerdeFields<'a, M> {
    state: M,
    /// Written after the declared properties, where it does not push the
    /// data columns of a CSV file to the right.
    etag: Option<&'a Option<ETag>>,
}

impl<'a, M: SerializeStruct> SerdeFields<'a, M> {
    fn write_etag(&mut self) -> Result<(), M::Error> {
        match self.etag.take() {
            Some(etag) => self.state.serialize_field("@odata.etag", &etag.as_ref().map(ETag::as_str)),
            None => Ok(()),
        }
    }
}

impl<'a, M: SerializeStruct> Fields<'a> for SerdeFields<'a, M> {
    type Error = M::Error;

    fn etag(&mut self, etag: &'a Option<ETag>) -> Result<(), M::Error> {
        self.etag = Some(etag);
        Ok(())
    }

    fn property<T: Edm>(&mut self, name: &'static str, value: &'a T) -> Result<(), M::Error> {
        self.state.serialize_field(name, &Ser(value))
    }

    fn stream(&mut self, name: &'static str, link: &'a StreamLink) -> Result<(), M::Error> {
        for (annotation, value) in media_annotations(link) {
            match value {
                Some(value) => {
                    let key = intern(&format!("{name}@odata.{annotation}")).map_err(M::Error::custom)?;
                    self.state.serialize_field(key, value)?;
                }
                None => self.state.skip_field(name)?,
            }
        }
        Ok(())
    }

    fn navigation<T: Edm>(&mut self, name: &'static str, value: &'a Option<T>) -> Result<(), M::Error> {
        match value {
            Some(related) => self.state.serialize_field(name, &Ser(related)),
            None => self.state.skip_field(name),
        }
    }

    fn extra(&mut self, extra: &'a AdditionalProperties) -> Result<(), M::Error> {
        self.write_etag()?;
        for (name, value) in extra.raw_entries() {
            self.state.serialize_field(intern(name).map_err(M::Error::custom)?, &Embedded(value))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use rust_decimal::Decimal;
    use serde::de::{Deserializer, IgnoredAny, MapAccess, Visitor};

    use super::*;
    use crate::__private::{FieldName, missing, next_nullable, next_required};
    use crate::value::Json;

    /// Declared the way generated code declares an entity.
    #[derive(Debug, Clone, PartialEq)]
    struct Invoice {
        number: String,
        amount: Option<Decimal>,
        pdf: StreamLink,
        lines: Option<Vec<Line>>,
        etag: Option<ETag>,
        extra: AdditionalProperties,
    }

    /// And a complex value.
    #[derive(Debug, Clone, PartialEq)]
    struct Line {
        quantity: Decimal,
        extra: AdditionalProperties,
    }

    impl Object for Invoice {
        const NAME: &'static str = "Invoice";
        fn visit<'a, F: Fields<'a>>(&'a self, fields: &mut F) -> Result<(), F::Error> {
            fields.etag(&self.etag)?;
            fields.property("number", &self.number)?;
            fields.property("amount", &self.amount)?;
            fields.stream("pdf", &self.pdf)?;
            fields.navigation("lines", &self.lines)?;
            fields.extra(&self.extra)
        }
    }

    impl Object for Line {
        const NAME: &'static str = "Line";
        fn visit<'a, F: Fields<'a>>(&'a self, fields: &mut F) -> Result<(), F::Error> {
            fields.property("quantity", &self.quantity)?;
            fields.extra(&self.extra)
        }
    }

    impl<'de> serde::Deserialize<'de> for Invoice {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            struct InvoiceVisitor;
            impl<'de> Visitor<'de> for InvoiceVisitor {
                type Value = Invoice;
                fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    f.write_str("an invoice")
                }
                fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Invoice, A::Error> {
                    let (mut number, mut amount, mut lines, mut etag) = (None, None, None, None);
                    let mut pdf = StreamLink::default();
                    let mut extra = AdditionalProperties::new();
                    while let Some(key) = map.next_key::<FieldName<'de>>()? {
                        match key.as_str() {
                            "number" => number = next_required(&mut map)?,
                            "amount" => amount = next_nullable(&mut map)?,
                            "pdf@odata.mediaReadLink" => pdf.read_link = map.next_value()?,
                            "pdf@odata.mediaEditLink" => pdf.edit_link = map.next_value()?,
                            "lines" => lines = next_nullable(&mut map)?,
                            "@odata.etag" => etag = next_nullable(&mut map)?,
                            "@odata.context" => {
                                map.next_value::<IgnoredAny>()?;
                            }
                            _ => extra.insert(key.into_owned(), map.next_value()?),
                        }
                    }
                    Ok(Invoice { number: number.ok_or_else(|| missing("number"))?, amount, pdf, lines, etag, extra })
                }
            }
            deserializer.deserialize_map(InvoiceVisitor)
        }
    }

    impl<'de> serde::Deserialize<'de> for Line {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            struct LineVisitor;
            impl<'de> Visitor<'de> for LineVisitor {
                type Value = Line;
                fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    f.write_str("a line")
                }
                fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Line, A::Error> {
                    let mut quantity = None;
                    let mut extra = AdditionalProperties::new();
                    while let Some(key) = map.next_key::<FieldName<'de>>()? {
                        match key.as_str() {
                            "quantity" => quantity = next_required(&mut map)?,
                            _ => extra.insert(key.into_owned(), map.next_value()?),
                        }
                    }
                    Ok(Line { quantity: quantity.ok_or_else(|| missing("quantity"))?, extra })
                }
            }
            deserializer.deserialize_map(LineVisitor)
        }
    }

    macro_rules! edm_object {
        ($($ty:ty),*) => {$(
            impl Edm for $ty {
                fn deserialize_edm<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                    <Self as serde::Deserialize<'de>>::deserialize(deserializer)
                }
                fn write_json(&self, out: &mut String) {
                    write_object(self, out);
                }
                fn serialize_edm<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                    serialize_object(self, serializer)
                }
            }
            impl serde::Serialize for $ty {
                fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                    serialize_object(self, serializer)
                }
            }
        )*};
    }
    edm_object!(Invoice, Line);

    const WIRE: &str = concat!(
        r#"{"@odata.context":"x","@odata.etag":"W/\"1\"","number":"SI-1","amount":1000.00,"#,
        r#""pdf@odata.mediaReadLink":"invoices(1)/pdf","contosoRegion":"EU","contosoWeight":2.50}"#
    );

    fn invoice() -> Invoice {
        serde_json::from_str(WIRE).unwrap()
    }

    #[test]
    fn the_odata_json_is_written_as_before() {
        assert_eq!(
            invoice().to_json(),
            concat!(
                r#"{"@odata.etag":"W/\"1\"","number":"SI-1","amount":1000.00,"#,
                r#""pdf@odata.mediaReadLink":"invoices(1)/pdf","contosoRegion":"EU","contosoWeight":2.50}"#
            )
        );
    }

    #[test]
    fn serde_sees_a_struct_of_wire_names_with_the_etag_after_the_properties() {
        assert_eq!(
            serde_json::to_string(&invoice()).unwrap(),
            concat!(
                r#"{"number":"SI-1","amount":"1000.00","pdf@odata.mediaReadLink":"invoices(1)/pdf","#,
                r#""@odata.etag":"W/\"1\"","contosoRegion":"EU","contosoWeight":"2.50"}"#
            )
        );
        let mut writer = csv::Writer::from_writer(Vec::new());
        writer.serialize(invoice()).unwrap();
        assert_eq!(
            String::from_utf8(writer.into_inner().unwrap()).unwrap(),
            concat!(
                "number,amount,pdf@odata.mediaReadLink,@odata.etag,contosoRegion,contosoWeight\n",
                "SI-1,1000.00,invoices(1)/pdf,\"W/\"\"1\"\"\",EU,2.50\n"
            )
        );
    }

    #[test]
    fn every_format_reads_back_what_it_wrote() {
        let mut with_lines = invoice();
        with_lines.lines = Some(vec![Line { quantity: Decimal::new(350, 2), extra: AdditionalProperties::new() }]);
        with_lines.pdf.edit_link = Some("invoices(1)/pdf".to_owned());
        for value in [invoice(), with_lines] {
            let json = serde_json::to_string(&value).unwrap();
            assert_eq!(serde_json::from_str::<Invoice>(&json).unwrap().number, value.number);
            let mut cbor = Vec::new();
            ciborium::into_writer(&value, &mut cbor).unwrap();
            let back: Invoice = ciborium::from_reader(cbor.as_slice()).unwrap();
            assert_eq!(back.lines, value.lines);
            assert_eq!(back.amount.map(|a| a.to_string()).as_deref(), Some("1000.00"));
            assert_eq!(back.pdf, value.pdf);
            assert_eq!(back.etag, value.etag);
            // Unknown numbers other than integers travel as their text.
            assert_eq!(back.extra.get("contosoRegion").map(|v| v.get()), Some(r#""EU""#));
            assert_eq!(back.extra.get("contosoWeight").map(|v| v.get()), Some(r#""2.50""#));
        }
        let mut writer = csv::Writer::from_writer(Vec::new());
        writer.serialize(invoice()).unwrap();
        let written = writer.into_inner().unwrap();
        let back: Invoice = csv::Reader::from_reader(written.as_slice()).deserialize().next().unwrap().unwrap();
        assert_eq!(back.amount, invoice().amount);
        assert_eq!(back.etag, invoice().etag);
        assert_eq!(back.extra.get("contosoWeight").map(|v| v.get()), Some(r#""2.50""#));
    }

    #[test]
    fn expanded_navigations_nest_and_csv_says_it_cannot_hold_them() {
        let mut value = invoice();
        value.lines = Some(vec![Line { quantity: Decimal::ONE, extra: AdditionalProperties::new() }]);
        let json = serde_json::to_string(&value).unwrap();
        assert!(json.contains(r#""lines":[{"quantity":"1"}]"#), "{json}");
        let mut writer = csv::Writer::from_writer(Vec::new());
        assert!(writer.serialize(&value).is_err());
    }

    #[test]
    fn a_missing_required_field_is_named() {
        let error = csv::Reader::from_reader("amount\n1.00\n".as_bytes()).deserialize::<Invoice>().next().unwrap();
        assert!(error.unwrap_err().to_string().contains("missing field `number`"));
        let error = serde_json::from_str::<Invoice>(r#"{"amount":"1.00"}"#).unwrap_err();
        assert!(error.to_string().contains("missing field `number`"), "{error}");
    }

    #[test]
    fn unknown_properties_from_other_formats_become_json() {
        let mut value = invoice();
        value.extra.insert("contosoTags".to_owned(), Json::from_text(r#"["a", 1]"#).unwrap());
        let mut cbor = Vec::new();
        ciborium::into_writer(&value, &mut cbor).unwrap();
        let back: Invoice = ciborium::from_reader(cbor.as_slice()).unwrap();
        assert_eq!(back.extra.get("contosoTags").map(|v| v.get()), Some(r#"["a",1]"#));
    }
}
