//! Every value type in serde_json, CSV and CBOR: what it looks like in
//! serde's data model and that it reads back unchanged.
//!
//! CBOR stands for the self-describing binary formats: unlike TOML it has
//! `null` (so `None` and an absent field differ) and, unlike RON, it reads
//! a newtype struct from the bare value, which is how decimals and embedded
//! JSON ask serde_json for their raw text.

use std::fmt::Debug;

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime, TimeDelta};
use rust_decimal::Decimal;

use super::*;

fn to_json<T: Edm>(value: &T) -> String {
    serde_json::to_string(&Ser(value)).unwrap()
}

fn from_json<T: Edm>(text: &str) -> Result<T, String> {
    serde_json::from_str::<De<T>>(text).map(|d| d.0).map_err(|e| e.to_string())
}

/// One CSV record holding the value, without the line break.
fn to_csv<T: Edm>(value: &T) -> String {
    let mut writer = csv::WriterBuilder::new().has_headers(false).from_writer(Vec::new());
    writer.serialize(Ser(value)).unwrap();
    String::from_utf8(writer.into_inner().unwrap()).unwrap().trim_end().to_owned()
}

fn from_csv<T: Edm>(record: &str) -> Result<T, String> {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(record.as_bytes());
    let row: Result<De<T>, _> = reader.deserialize().next().expect("one record");
    row.map(|d| d.0).map_err(|e| e.to_string())
}

fn to_cbor<T: Edm>(value: &T) -> Vec<u8> {
    let mut bytes = Vec::new();
    ciborium::into_writer(&Ser(value), &mut bytes).unwrap();
    bytes
}

fn from_cbor<T: Edm>(bytes: &[u8]) -> Result<T, String> {
    ciborium::from_reader::<De<T>, _>(bytes).map(|d| d.0).map_err(|e| e.to_string())
}

/// `value` is `json` in serde_json and `cell` in CSV, and comes back
/// equal from serde_json, CSV and CBOR.
fn check<T: Edm + PartialEq + Debug>(value: T, json: &str, cell: &str) {
    assert_eq!(to_json(&value), json, "serde_json");
    assert_eq!(from_json::<T>(json).as_ref(), Ok(&value), "serde_json back");
    assert_eq!(to_csv(&value), cell, "csv");
    assert_eq!(from_csv::<T>(cell).as_ref(), Ok(&value), "csv back");
    assert_eq!(from_cbor::<T>(&to_cbor(&value)).as_ref(), Ok(&value), "cbor back");
}

fn decimal(text: &str) -> Decimal {
    Decimal::from_str_exact(text).unwrap()
}

#[test]
fn decimals_are_strings_with_their_exact_digits_and_scale() {
    check(decimal("1000.00"), r#""1000.00""#, "1000.00");
    check(decimal("12345678901234.56789"), r#""12345678901234.56789""#, "12345678901234.56789");
    check(decimal("-0.000001"), r#""-0.000001""#, "-0.000001");
    check(decimal("9.90"), r#""9.90""#, "9.90");
    assert_eq!(from_cbor::<Decimal>(&to_cbor(&decimal("1000.00"))).unwrap().to_string(), "1000.00");
    assert_eq!(from_csv::<Decimal>("1000.00").unwrap().to_string(), "1000.00");
}

#[test]
fn decimals_are_read_from_json_numbers_exactly_and_from_integers() {
    assert_eq!(from_json::<Decimal>("12345678901234.56789").unwrap().to_string(), "12345678901234.56789");
    assert_eq!(from_json::<Decimal>("1000.00").unwrap().to_string(), "1000.00");
    let value = serde_json::json!({"amount": 12});
    assert_eq!(serde_json::from_value::<De<Decimal>>(value["amount"].clone()).unwrap().0, Decimal::from(12));
    let integer = {
        let mut bytes = Vec::new();
        ciborium::into_writer(&-42i64, &mut bytes).unwrap();
        bytes
    };
    assert_eq!(from_cbor::<Decimal>(&integer).unwrap(), Decimal::from(-42));
}

#[test]
fn a_float_is_refused_rather_than_rounded() {
    let mut bytes = Vec::new();
    ciborium::into_writer(&9.9f64, &mut bytes).unwrap();
    let error = from_cbor::<Decimal>(&bytes).unwrap_err();
    assert!(error.contains("9.9 cannot be read as an exact decimal") && error.contains("9.90"), "{error}");
    assert!(from_csv::<Decimal>("abc").unwrap_err().contains("`abc` is not an exact decimal"));
    assert!(from_csv::<Decimal>(r#""""#).is_err(), "an empty cell is not a decimal");
}

#[test]
fn scalars_are_serdes_own() {
    check(String::from("Bolt \"M8\", zinc"), r#""Bolt \"M8\", zinc""#, r#""Bolt ""M8"", zinc""#);
    check(true, "true", "true");
    check(false, "false", "false");
    check(-7i8, "-7", "-7");
    check(200u8, "200", "200");
    check(-300i16, "-300", "-300");
    check(12i32, "12", "12");
    check(9_007_199_254_740_993i64, "9007199254740993", "9007199254740993");
    check(1.5f32, "1.5", "1.5");
    check(0.1f64, "0.1", "0.1");
}

#[test]
fn text_values_are_their_odata_text() {
    let id = uuid::Uuid::parse_str("34F03EEE-2A32-F011-9A4A-7CED8D0EE6E7").unwrap();
    check(id, r#""34f03eee-2a32-f011-9a4a-7ced8d0ee6e7""#, "34f03eee-2a32-f011-9a4a-7ced8d0ee6e7");
    check(NaiveDate::from_ymd_opt(1, 1, 1).unwrap(), r#""0001-01-01""#, "0001-01-01");
    let stamp = DateTime::<FixedOffset>::parse_from_rfc3339("2025-02-17T09:45:00.1234567+02:00").unwrap();
    check(stamp, r#""2025-02-17T09:45:00.1234567+02:00""#, "2025-02-17T09:45:00.1234567+02:00");
    assert_eq!(
        from_csv::<DateTime<FixedOffset>>("2025-02-17T09:45:00.1234567+02:00").unwrap().offset(),
        stamp.offset()
    );
    check(NaiveTime::from_hms_milli_opt(13, 20, 5, 250).unwrap(), r#""13:20:05.25""#, "13:20:05.25");
    check(Duration(TimeDelta::hours(26) + TimeDelta::milliseconds(500)), r#""P1DT2H0M0.5S""#, "P1DT2H0M0.5S");
    check(Binary(vec![0xff, 0xfe, 0x00]), r#""__4A""#, "__4A");
    check(ETag::new("W/\"JzE5OzE7\""), r#""W/\"JzE5OzE7\"""#, r#""W/""JzE5OzE7""""#);
}

#[test]
fn binary_is_read_from_bytes_too() {
    let mut bytes = Vec::new();
    ciborium::into_writer(&ciborium::Value::Bytes(vec![1, 2, 3]), &mut bytes).unwrap();
    assert_eq!(from_cbor::<Binary>(&bytes).unwrap(), Binary(vec![1, 2, 3]));
}

#[test]
fn absent_values_are_none_and_collections_sequences() {
    // CSV quotes a record's only field when it is empty.
    check(None::<Decimal>, "null", r#""""#);
    check(Some(decimal("0.10")), r#""0.10""#, "0.10");
    check(None::<String>, "null", r#""""#);
    assert_eq!(to_json(&vec![decimal("1.10"), decimal("2")]), r#"["1.10","2"]"#);
    let values = vec![Some(1i32), None, Some(3)];
    assert_eq!(from_json::<Vec<Option<i32>>>(&to_json(&values)).unwrap(), values);
    assert_eq!(from_cbor::<Vec<Option<i32>>>(&to_cbor(&values)).unwrap(), values);
}

#[test]
fn embedded_json_is_the_value_it_holds() {
    let json = Json::from_text(r#"{"code": "EU", "weight": 0.12345678901234567890, "tags": [1, null]}"#).unwrap();
    assert_eq!(to_json(&json), r#"{"code":"EU","weight":"0.12345678901234567890","tags":[1,null]}"#);
    let back: Json = from_cbor(&to_cbor(&json)).unwrap();
    assert_eq!(back.get(), r#"{"code":"EU","weight":"0.12345678901234567890","tags":[1,null]}"#);
    // serde_json keeps the text it reads byte for byte.
    assert_eq!(from_json::<Json>(" [1.50, 2] ").unwrap().get(), "[1.50, 2]");
    // CSV has no nested data, and guesses no types: a cell is a string.
    assert!(to_csv_result(&json).unwrap_err().contains("not supported"));
    assert_eq!(from_csv::<Json>("01234").unwrap().get(), r#""01234""#);
}

fn to_csv_result<T: Edm>(value: &T) -> Result<String, String> {
    let mut writer = csv::WriterBuilder::new().has_headers(false).from_writer(Vec::new());
    writer.serialize(Ser(value)).map_err(|e| e.to_string())?;
    Ok(String::from_utf8(writer.into_inner().map_err(|e| e.to_string())?).unwrap())
}

#[test]
fn csv_cells_are_parsed_as_their_type() {
    assert_eq!(from_csv::<bool>("true"), Ok(true));
    assert_eq!(from_csv::<i32>("12"), Ok(12));
    assert_eq!(from_csv::<Option<i32>>(r#""""#), Ok(None));
    assert_eq!(from_csv::<String>("01234"), Ok("01234".to_owned()));
    assert!(from_csv::<i32>(r#""""#).is_err());
    assert!(from_csv::<uuid::Uuid>("not-a-guid").is_err());
}
