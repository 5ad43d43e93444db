//! The entity the fuzzer decodes: declared the way the generator declares
//! entities (a visitor over `rt::__private` helpers, `Edm` impls, unknown
//! properties kept), with one property of every kind of value Business
//! Central sends: GUID key, integers, exact decimals, dates, timestamps,
//! times of day, durations, booleans, text, binary, an enum with unknown
//! members, a stream property, a collection of a complex type, an
//! expanded navigation and the ETag.

use odata_v4_runtime as rt;
use rt::serde::de::{self, MapAccess, Visitor};

/// `Fuzz.kind`: a closed set of members, plus the ones the service adds later.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    Invoice,
    CreditMemo,
    Unknown(rt::UnknownValue),
}

impl rt::EdmEnum for Kind {
    const TYPE_NAME: &'static str = "Fuzz.kind";
    const MEMBERS: &'static [&'static str] = &["Invoice", "Credit_x0020_Memo"];
    fn wire_name(&self) -> &str {
        match self {
            Kind::Invoice => "Invoice",
            Kind::CreditMemo => "Credit_x0020_Memo",
            Kind::Unknown(other) => rt::__private::unknown_value_str(other),
        }
    }
    fn from_wire(name: &str) -> Self {
        match name {
            "Invoice" => Kind::Invoice,
            "Credit_x0020_Memo" => Kind::CreditMemo,
            other => Kind::Unknown(rt::__private::unknown_value(other)),
        }
    }
}

impl rt::Edm for Kind {
    fn deserialize_edm<'de, D: rt::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        rt::__private::deserialize_enum(deserializer)
    }
    fn write_json(&self, out: &mut String) {
        rt::__private::write_enum_json(self, out);
    }
}

/// `Fuzz.line`: a complex type.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub quantity: Option<rt::rust_decimal::Decimal>,
    pub description: Option<String>,
    pub additional_properties: rt::AdditionalProperties,
}

impl rt::Edm for Line {
    fn deserialize_edm<'de, D: rt::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct LineVisitor;
        impl<'de> Visitor<'de> for LineVisitor {
            type Value = Line;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a Fuzz.line object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Line, A::Error> {
                let (mut quantity, mut description) = (None, None);
                let mut extra = rt::AdditionalProperties::new();
                while let Some(key) = map.next_key::<rt::__private::FieldName<'de>>()? {
                    match key.as_str() {
                        "quantity" => quantity = rt::__private::next_nullable(&mut map)?,
                        "description" => description = rt::__private::next_nullable(&mut map)?,
                        _ => extra.insert(key.into_owned(), map.next_value()?),
                    }
                }
                Ok(Line { quantity, description, additional_properties: extra })
            }
        }
        deserializer.deserialize_map(LineVisitor)
    }
    fn write_json(&self, out: &mut String) {
        let mut object = rt::__private::JsonObject::begin(out);
        object.field("quantity", &self.quantity);
        object.field("description", &self.description);
        object.extra(&self.additional_properties);
        object.end();
    }
}

/// `Fuzz.entry`.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub id: rt::uuid::Uuid,
    pub number: Option<i64>,
    pub count: Option<i32>,
    pub amount: Option<rt::rust_decimal::Decimal>,
    pub posting_date: Option<rt::chrono::NaiveDate>,
    pub modified: Option<rt::chrono::DateTime<rt::chrono::FixedOffset>>,
    pub starts_at: Option<rt::chrono::NaiveTime>,
    pub lead_time: Option<rt::Duration>,
    pub blocked: Option<bool>,
    pub kind: Option<Kind>,
    pub name: Option<String>,
    pub data: Option<rt::Binary>,
    pub picture: rt::StreamLink,
    pub lines: Vec<Line>,
    pub parent: Option<Box<Entry>>,
    pub etag: Option<rt::ETag>,
    pub additional_properties: rt::AdditionalProperties,
}

impl<'de> rt::serde::Deserialize<'de> for Entry {
    fn deserialize<D: rt::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(EntryVisitor)
    }
}

struct EntryVisitor;

impl<'de> Visitor<'de> for EntryVisitor {
    type Value = Entry;
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a Fuzz.entry object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Entry, A::Error> {
        let mut id = None;
        let (mut number, mut count, mut amount, mut posting_date, mut modified) = (None, None, None, None, None);
        let (mut starts_at, mut lead_time, mut blocked, mut kind, mut name, mut data) =
            (None, None, None, None, None, None);
        let (mut picture, mut lines, mut parent, mut etag) = (rt::StreamLink::default(), Vec::new(), None, None);
        let mut extra = rt::AdditionalProperties::new();
        while let Some(key) = map.next_key::<rt::__private::FieldName<'de>>()? {
            match key.as_str() {
                "id" => id = rt::__private::next_required(&mut map)?,
                "number" => number = rt::__private::next_nullable(&mut map)?,
                "count" => count = rt::__private::next_nullable(&mut map)?,
                "amount" => amount = rt::__private::next_nullable(&mut map)?,
                "postingDate" => posting_date = rt::__private::next_nullable(&mut map)?,
                "modified" => modified = rt::__private::next_nullable(&mut map)?,
                "startsAt" => starts_at = rt::__private::next_nullable(&mut map)?,
                "leadTime" => lead_time = rt::__private::next_nullable(&mut map)?,
                "blocked" => blocked = rt::__private::next_nullable(&mut map)?,
                "kind" => kind = rt::__private::next_nullable(&mut map)?,
                "name" => name = rt::__private::next_nullable(&mut map)?,
                "data" => data = rt::__private::next_nullable(&mut map)?,
                "picture@odata.mediaReadLink" | "picture@mediaReadLink" => picture.read_link = map.next_value()?,
                "picture@odata.mediaEditLink" | "picture@mediaEditLink" => picture.edit_link = map.next_value()?,
                "picture@odata.mediaContentType" | "picture@mediaContentType" => {
                    picture.content_type = map.next_value()?;
                }
                "picture@odata.mediaEtag" | "picture@mediaEtag" => {
                    picture.etag = map.next_value::<Option<String>>()?.map(rt::ETag::new);
                }
                "lines" => lines = rt::__private::next_collection(&mut map)?,
                "parent" => parent = rt::__private::next_nullable(&mut map)?,
                "@odata.etag" | "@etag" => etag = rt::__private::next_nullable(&mut map)?,
                "@odata.context" | "@context" => {
                    map.next_value::<de::IgnoredAny>()?;
                }
                _ => extra.insert(key.into_owned(), map.next_value()?),
            }
        }
        Ok(Entry {
            id: rt::__private::required(id, "id")?,
            number,
            count,
            amount,
            posting_date,
            modified,
            starts_at,
            lead_time,
            blocked,
            kind,
            name,
            data,
            picture,
            lines,
            parent,
            etag,
            additional_properties: extra,
        })
    }
}

impl rt::Edm for Entry {
    fn deserialize_edm<'de, D: rt::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        <Self as rt::serde::Deserialize<'de>>::deserialize(deserializer)
    }
    fn write_json(&self, out: &mut String) {
        let mut object = rt::__private::JsonObject::begin(out);
        if let Some(etag) = &self.etag {
            object.field("@odata.etag", etag);
        }
        object.field("id", &self.id);
        object.field("number", &self.number);
        object.field("count", &self.count);
        object.field("amount", &self.amount);
        object.field("postingDate", &self.posting_date);
        object.field("modified", &self.modified);
        object.field("startsAt", &self.starts_at);
        object.field("leadTime", &self.lead_time);
        object.field("blocked", &self.blocked);
        object.field("kind", &self.kind);
        object.field("name", &self.name);
        object.field("data", &self.data);
        object.stream("picture", &self.picture);
        object.field("lines", &self.lines);
        if let Some(parent) = &self.parent {
            object.field("parent", parent);
        }
        object.extra(&self.additional_properties);
        object.end();
    }
}
