//! `Edm.Date`, `Edm.DateTimeOffset`, `Edm.TimeOfDay` and `Edm.Duration`.
//!
//! Timestamps are read by chrono's RFC 3339 parser. OData allows two forms
//! RFC 3339 does not (no seconds, `2025-02-17T09:45Z`; years outside
//! 0000–9999) and dates and times of day on their own; those are read by
//! the small parsers below. Durations are read by a strict parser of
//! OData's ISO 8601 subset (`[-]P[nD][T[nH][nM][n[.n]S]]`): the ISO 8601
//! crates either stop at milliseconds or accept years and months, which
//! have no fixed length.

use std::fmt::{self, Write as _};

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime, TimeDelta, Timelike};
use serde::de::{self, Deserializer, Visitor};
use serde::ser::Serializer;

use super::Edm;

fn digits(bytes: &[u8]) -> Option<u32> {
    if bytes.is_empty() || bytes.len() > 9 {
        return None;
    }
    let mut value = 0u32;
    for &b in bytes {
        if !b.is_ascii_digit() {
            return None;
        }
        value = value * 10 + u32::from(b - b'0');
    }
    Some(value)
}

/// Parses `YYYY-MM-DD` (years may have more than four digits).
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    let bytes = text.as_bytes();
    let (negative, body) = match bytes.first() {
        Some(b'-') => (true, &bytes[1..]),
        _ => (false, bytes),
    };
    let year_end = body.iter().position(|&b| b == b'-')?;
    if year_end < 4 || body.len() != year_end + 6 || body[year_end + 3] != b'-' {
        return None;
    }
    let year = digits(&body[..year_end])? as i32;
    let month = digits(&body[year_end + 1..year_end + 3])?;
    let day = digits(&body[year_end + 4..])?;
    NaiveDate::from_ymd_opt(if negative { -year } else { year }, month, day)
}

/// Parses `HH:MM[:SS[.fraction]]`; returns the time and the unparsed rest.
fn parse_time_prefix(bytes: &[u8]) -> Option<(NaiveTime, &[u8])> {
    if bytes.len() < 5 || bytes[2] != b':' {
        return None;
    }
    let hour = digits(&bytes[..2])?;
    let minute = digits(&bytes[3..5])?;
    let mut rest = &bytes[5..];
    let (mut second, mut nanos) = (0, 0);
    if rest.first() == Some(&b':') {
        second = digits(rest.get(1..3)?)?;
        rest = &rest[3..];
        if rest.first() == Some(&b'.') {
            let end = rest[1..].iter().position(|b| !b.is_ascii_digit()).map_or(rest.len(), |p| p + 1);
            let fraction = &rest[1..end];
            if fraction.is_empty() {
                return None;
            }
            // Keep nanosecond precision; further digits cannot be represented.
            let kept = &fraction[..fraction.len().min(9)];
            nanos = digits(kept)? * 10u32.pow(9 - kept.len() as u32);
            rest = &rest[end..];
        }
    }
    Some((NaiveTime::from_hms_nano_opt(hour, minute, second, nanos)?, rest))
}

/// Parses an OData `DateTimeOffset`: `YYYY-MM-DDTHH:MM[:SS[.f]](Z|±HH:MM)`.
pub fn parse_date_time(text: &str) -> Option<DateTime<FixedOffset>> {
    DateTime::parse_from_rfc3339(text).ok().or_else(|| parse_odata_date_time(text))
}

/// The forms of `DateTimeOffset` RFC 3339 lacks: no seconds, and years
/// beyond four digits or before year 0.
fn parse_odata_date_time(text: &str) -> Option<DateTime<FixedOffset>> {
    let t = text.find(['T', 't'])?;
    let date = parse_date(&text[..t])?;
    let (time, rest) = parse_time_prefix(&text.as_bytes()[t + 1..])?;
    let offset_seconds = match rest {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let seconds = (digits(&[*h1, *h2])? * 3600 + digits(&[*m1, *m2])? * 60) as i32;
            if *sign == b'-' { -seconds } else { seconds }
        }
        _ => return None,
    };
    let offset = FixedOffset::east_opt(offset_seconds)?;
    date.and_time(time).and_local_timezone(offset).single()
}

/// Writes `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)` with the shortest exact fraction.
pub fn write_date_time(out: &mut String, value: &DateTime<FixedOffset>) {
    let local = value.naive_local();
    write_date(out, &local.date());
    out.push('T');
    write_time(out, &local.time());
    let offset = value.offset().local_minus_utc();
    if offset == 0 {
        out.push('Z');
    } else {
        let sign = if offset < 0 { '-' } else { '+' };
        let minutes = offset.unsigned_abs() / 60;
        let _ = write!(out, "{sign}{:02}:{:02}", minutes / 60, minutes % 60);
    }
}

/// Writes `YYYY-MM-DD` (a leading `-` for years before year 1).
pub fn write_date(out: &mut String, date: &NaiveDate) {
    use chrono::Datelike;
    let year = date.year();
    if year < 0 {
        let _ = write!(out, "-{:04}", -year);
    } else {
        let _ = write!(out, "{year:04}");
    }
    let _ = write!(out, "-{:02}-{:02}", date.month(), date.day());
}

/// Writes `HH:MM:SS[.fraction]` with the shortest exact fraction.
pub fn write_time(out: &mut String, time: &NaiveTime) {
    let _ = write!(out, "{:02}:{:02}:{:02}", time.hour(), time.minute(), time.second());
    let nanos = time.nanosecond() % 1_000_000_000;
    if nanos != 0 {
        let fraction = format!("{nanos:09}");
        let _ = write!(out, ".{}", fraction.trim_end_matches('0'));
    }
}

/// Serializes the OData text `write` produces (without JSON quotes) as a string.
fn serialize_text<S: Serializer>(serializer: S, write: impl FnOnce(&mut String)) -> Result<S::Ok, S::Error> {
    let mut text = String::with_capacity(40);
    write(&mut text);
    serializer.serialize_str(&text)
}

struct TextVisitor<T> {
    expecting: &'static str,
    parse: fn(&str) -> Option<T>,
}

impl<'de, T> Visitor<'de> for TextVisitor<T> {
    type Value = T;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.expecting)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
        (self.parse)(v).ok_or_else(|| E::invalid_value(de::Unexpected::Str(v), &self))
    }
}

impl Edm for NaiveDate {
    fn deserialize_edm<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(TextVisitor { expecting: "a date such as 2025-02-17", parse: parse_date })
    }
    fn write_json(&self, out: &mut String) {
        out.push('"');
        write_date(out, self);
        out.push('"');
    }
    fn serialize_edm<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serialize_text(serializer, |out| write_date(out, self))
    }
}

impl Edm for DateTime<FixedOffset> {
    fn deserialize_edm<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let visitor = TextVisitor { expecting: "a timestamp such as 2025-02-17T09:45:00Z", parse: parse_date_time };
        deserializer.deserialize_str(visitor)
    }
    fn write_json(&self, out: &mut String) {
        out.push('"');
        write_date_time(out, self);
        out.push('"');
    }
    fn serialize_edm<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serialize_text(serializer, |out| write_date_time(out, self))
    }
}

fn parse_time_of_day(text: &str) -> Option<NaiveTime> {
    match parse_time_prefix(text.as_bytes())? {
        (time, []) => Some(time),
        _ => None,
    }
}

impl Edm for NaiveTime {
    fn deserialize_edm<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer
            .deserialize_str(TextVisitor { expecting: "a time of day such as 13:20:00", parse: parse_time_of_day })
    }
    fn write_json(&self, out: &mut String) {
        out.push('"');
        write_time(out, self);
        out.push('"');
    }
    fn serialize_edm<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serialize_text(serializer, |out| write_time(out, self))
    }
}

/// `Edm.Duration`: a signed span written in ISO 8601 (`P1DT2H30M`, `-PT0.5S`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Duration(pub TimeDelta);

impl Duration {
    /// Parses the OData form `[-]P[nD][T[nH][nM][n[.n]S]]`: each unit at
    /// most once and in that order, at least one of them, a fraction on the
    /// seconds only (kept to the nanosecond), and no `T` without a time
    /// unit after it.
    pub fn parse(text: &str) -> Option<Duration> {
        let (negative, rest) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text.strip_prefix('+').unwrap_or(text)),
        };
        let rest = rest.strip_prefix('P')?;
        let (days, time) = match rest.split_once('T') {
            Some((days, time)) if !time.is_empty() => (days, Some(time)),
            Some(_) => return None,
            None => (rest, None),
        };
        let mut total = TimeDelta::zero();
        if !days.is_empty() {
            total = TimeDelta::try_days(whole_number(days.strip_suffix('D')?)?)?;
        } else if time.is_none() {
            return None;
        }
        if let Some(mut time) = time {
            let hours = take_component(&mut time, 'H');
            let minutes = take_component(&mut time, 'M');
            let seconds = take_component(&mut time, 'S');
            if !time.is_empty() {
                return None;
            }
            if let Some(hours) = hours {
                total = total.checked_add(&TimeDelta::try_hours(whole_number(hours)?)?)?;
            }
            if let Some(minutes) = minutes {
                total = total.checked_add(&TimeDelta::try_minutes(whole_number(minutes)?)?)?;
            }
            if let Some(seconds) = seconds {
                let (whole, fraction) = match seconds.split_once('.') {
                    Some((whole, fraction)) if !fraction.is_empty() => (whole, fraction),
                    Some(_) => return None,
                    None => (seconds, ""),
                };
                if !fraction.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                // Nanoseconds are the finest a `TimeDelta` keeps.
                let kept = &fraction[..fraction.len().min(9)];
                let nanos =
                    if kept.is_empty() { 0 } else { kept.parse::<i64>().ok()? * 10i64.pow(9 - kept.len() as u32) };
                let part = TimeDelta::try_seconds(whole_number(whole)?)?.checked_add(&TimeDelta::nanoseconds(nanos))?;
                total = total.checked_add(&part)?;
            }
        }
        Some(Duration(if negative { -total } else { total }))
    }
}

/// Digits only, at least one.
fn whole_number(text: &str) -> Option<i64> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// Takes `<number><unit>` off the front of `text`, if it starts with one.
fn take_component<'a>(text: &mut &'a str, unit: char) -> Option<&'a str> {
    let end = text.find(|c: char| !(c.is_ascii_digit() || c == '.'))?;
    if end == 0 || !text[end..].starts_with(unit) {
        return None;
    }
    let number = &text[..end];
    *text = &text[end + unit.len_utf8()..];
    Some(number)
}

impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let delta = self.0;
        let sign = if delta < TimeDelta::zero() { "-" } else { "" };
        let delta = delta.abs();
        let days = delta.num_days();
        let rest = delta - TimeDelta::days(days);
        let (hours, minutes) = (rest.num_hours(), rest.num_minutes() % 60);
        let seconds = rest.num_seconds() % 60;
        let nanos = rest.subsec_nanos();
        write!(f, "{sign}P{days}DT{hours}H{minutes}M{seconds}")?;
        if nanos != 0 {
            write!(f, ".{}", format!("{nanos:09}").trim_end_matches('0'))?;
        }
        f.write_str("S")
    }
}

impl Edm for Duration {
    fn deserialize_edm<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer
            .deserialize_str(TextVisitor { expecting: "an ISO 8601 duration such as P1DT2H", parse: Duration::parse })
    }
    fn write_json(&self, out: &mut String) {
        let _ = write!(out, "\"{self}\"");
    }
    fn serialize_edm<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip_including_blank() {
        let date = parse_date("2025-02-17").unwrap();
        assert_eq!(date.to_json(), "\"2025-02-17\"");
        assert_eq!(parse_date("0001-01-01").unwrap().to_json(), "\"0001-01-01\"");
        for bad in ["2025-2-17", "2025-02-30", "20250217", "2025-02-17T00:00:00Z", ""] {
            assert!(parse_date(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn timestamps_keep_their_precision() {
        for text in [
            "2024-05-08T15:37:35.593Z",
            "2024-05-08T09:58:45Z",
            "0001-01-01T00:00:00Z",
            "2024-05-08T09:58:45.1234567+02:00",
        ] {
            let parsed = parse_date_time(text).unwrap();
            assert_eq!(parsed.to_json(), format!("\"{text}\""));
        }
        assert_eq!(parse_date_time("2024-05-08T09:58Z").unwrap().to_json(), "\"2024-05-08T09:58:00Z\"");
        for bad in ["2024-05-08", "2024-05-08T25:00:00Z", "2024-05-08T10:00:00", "2024-05-08T10:00:00.Z"] {
            assert!(parse_date_time(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn durations_parse_and_print() {
        let d = Duration::parse("P1DT2H30M15.5S").unwrap();
        assert_eq!(
            d.0,
            TimeDelta::days(1) + TimeDelta::hours(2) + TimeDelta::minutes(30) + TimeDelta::milliseconds(15_500)
        );
        assert_eq!(Duration::parse(&d.to_string()), Some(d));
        assert_eq!(Duration::parse("-PT0.5S").unwrap().0, TimeDelta::milliseconds(-500));
        assert!(Duration::parse("P").is_none());
        assert!(Duration::parse("1D").is_none());
        assert_eq!(Duration::parse("PT36H").unwrap().0, TimeDelta::hours(36));
        assert_eq!(Duration::parse("P0D").unwrap().0, TimeDelta::zero());
    }

    #[test]
    fn durations_take_each_unit_once_and_in_order() {
        for bad in [
            "P1D1D1D", "PT1H1H", "PT1M1H", "PT1S1M", "P1DT", "PT", "P1.5D", "PT1.5H", "PT1.S", "PT.5S", "PT1..5S",
            "P1H", "PT1D", "P-1D", "PT1H ", "P1Y", "P1M", "PT1,5S", "",
        ] {
            assert!(Duration::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn timestamps_outside_rfc_3339_still_parse() {
        assert_eq!(parse_date_time("10000-01-01T00:00:00Z").unwrap().to_json(), "\"10000-01-01T00:00:00Z\"");
        assert_eq!(parse_date_time("2024-05-08T09:58+02:00").unwrap().to_json(), "\"2024-05-08T09:58:00+02:00\"");
    }
}
