//! Business Central's blank values: it stores "no value" as a value.

use odata_v4_runtime::chrono::{DateTime, NaiveDate, NaiveTime, TimeZone};
use odata_v4_runtime::uuid::Uuid;

/// `0001-01-01`: the date Business Central writes for "no date".
pub const BLANK_DATE: NaiveDate = match NaiveDate::from_ymd_opt(1, 1, 1) {
    Some(date) => date,
    None => panic!("0001-01-01 is a valid date"),
};

/// Blank values as Business Central writes them: the zero date, the zero
/// timestamp, the nil GUID and the empty string mean "not set" rather than
/// a real value.
pub trait Blank {
    /// Whether this is Business Central's blank value for the type.
    fn is_blank(&self) -> bool;
}

impl Blank for NaiveDate {
    fn is_blank(&self) -> bool {
        *self == BLANK_DATE
    }
}

impl<Tz: TimeZone> Blank for DateTime<Tz> {
    fn is_blank(&self) -> bool {
        self.naive_utc() == BLANK_DATE.and_time(NaiveTime::MIN)
    }
}

impl Blank for Uuid {
    fn is_blank(&self) -> bool {
        self.is_nil()
    }
}

impl Blank for String {
    fn is_blank(&self) -> bool {
        self.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use odata_v4_runtime::chrono::{FixedOffset, Utc};

    #[test]
    fn blank_values_are_recognised() {
        assert!(BLANK_DATE.is_blank());
        assert!(!NaiveDate::from_ymd_opt(2025, 1, 1).unwrap().is_blank());
        let blank_timestamp = FixedOffset::east_opt(0).unwrap().from_utc_datetime(&BLANK_DATE.and_time(NaiveTime::MIN));
        assert!(blank_timestamp.is_blank());
        assert!(!Utc::now().is_blank());
        assert!(Uuid::nil().is_blank());
        assert!(String::new().is_blank());
        assert!(!"x".to_owned().is_blank());
    }
}
