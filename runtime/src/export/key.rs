//! Values a parallel export can split a collection on.

use chrono::{DateTime, FixedOffset, NaiveDate, TimeDelta};
use rust_decimal::Decimal;

/// A property type whose ranges can be split: ordered, with a value strictly
/// between any two values far enough apart. Implemented for the integer,
/// date, timestamp and decimal types.
#[diagnostic::on_unimplemented(
    message = "a collection cannot be split into ranges of `{Self}`",
    label = "the partition property must be an integer, a date, a timestamp or a decimal",
    note = "partition on a unique, sortable, filterable property such as `entryNumber`"
)]
pub trait PartitionKey: Clone + Ord + Send + Sync + 'static {
    /// A value strictly between `low` and `high`, near their middle, or
    /// `None` when there is none (or `low >= high`).
    fn midpoint(low: &Self, high: &Self) -> Option<Self>;

    /// How far apart `low` and `high` are, roughly (in the type's own unit):
    /// what decides which range is split first.
    fn span(low: &Self, high: &Self) -> f64;

    /// The value right after `self` for a type with a smallest step (an
    /// integer's next integer, a date's next day), or `None` for one
    /// without (timestamps, decimals) and at the largest value. A range
    /// read up to the value just below its upper bound is then known to be
    /// complete, without asking the service for a page that can only be
    /// empty. The default, `None`, is always correct.
    fn successor(&self) -> Option<Self> {
        None
    }
}

macro_rules! integer_key {
    ($($ty:ty),*) => {$(
        impl PartitionKey for $ty {
            fn midpoint(low: &Self, high: &Self) -> Option<Self> {
                // Computed in i128 so that no sum overflows.
                let middle = (i128::from(*low) + i128::from(*high)).div_euclid(2);
                <$ty>::try_from(middle).ok().filter(|m| low < m && m < high)
            }

            fn span(low: &Self, high: &Self) -> f64 {
                (i128::from(*high) - i128::from(*low)) as f64
            }

            fn successor(&self) -> Option<Self> {
                self.checked_add(1)
            }
        }
    )*};
}
integer_key!(i8, u8, i16, i32, i64);

impl PartitionKey for NaiveDate {
    fn midpoint(low: &Self, high: &Self) -> Option<Self> {
        let days = high.signed_duration_since(*low).num_days();
        (days > 1).then(|| *low + TimeDelta::days(days / 2))
    }

    fn span(low: &Self, high: &Self) -> f64 {
        high.signed_duration_since(*low).num_days() as f64
    }

    fn successor(&self) -> Option<Self> {
        self.succ_opt()
    }
}

impl PartitionKey for DateTime<FixedOffset> {
    fn midpoint(low: &Self, high: &Self) -> Option<Self> {
        // Milliseconds: finer than the services keep, coarse enough to stay
        // far from overflow.
        let span = high.signed_duration_since(*low).num_milliseconds();
        (span > 1).then(|| *low + TimeDelta::milliseconds(span / 2))
    }

    fn span(low: &Self, high: &Self) -> f64 {
        high.signed_duration_since(*low).num_milliseconds() as f64
    }
}

impl PartitionKey for Decimal {
    fn midpoint(low: &Self, high: &Self) -> Option<Self> {
        let middle = low.checked_add(*high)?.checked_div(Decimal::TWO)?;
        (*low < middle && middle < *high).then_some(middle)
    }

    fn span(low: &Self, high: &Self) -> f64 {
        use rust_decimal::prelude::ToPrimitive;
        (*high - *low).to_f64().unwrap_or(f64::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn midpoints_lie_strictly_between() {
        assert_eq!(<i32 as PartitionKey>::midpoint(&1, &10), Some(5));
        assert_eq!(<i32 as PartitionKey>::midpoint(&-10, &-1), Some(-6));
        assert_eq!(<i32 as PartitionKey>::midpoint(&4, &5), None);
        assert_eq!(<i32 as PartitionKey>::midpoint(&5, &4), None);
        assert_eq!(<i64 as PartitionKey>::midpoint(&i64::MIN, &i64::MAX), Some(-1));
        assert_eq!(<u8 as PartitionKey>::midpoint(&250, &255), Some(252));
        let day = |d| NaiveDate::from_ymd_opt(2025, 1, d).unwrap();
        assert_eq!(<NaiveDate as PartitionKey>::midpoint(&day(1), &day(31)), Some(day(16)));
        assert_eq!(<NaiveDate as PartitionKey>::midpoint(&day(1), &day(2)), None);
        let at = |s: &str| DateTime::parse_from_rfc3339(s).unwrap();
        assert_eq!(
            <DateTime<FixedOffset> as PartitionKey>::midpoint(&at("2025-01-01T00:00:00Z"), &at("2025-01-01T00:00:02Z")),
            Some(at("2025-01-01T00:00:01Z"))
        );
        assert_eq!(
            <Decimal as PartitionKey>::midpoint(&Decimal::new(1, 0), &Decimal::new(2, 0)),
            Some(Decimal::new(15, 1))
        );
    }

    #[test]
    fn only_types_with_a_smallest_step_have_a_successor() {
        assert_eq!(PartitionKey::successor(&41_i64), Some(42));
        assert_eq!(PartitionKey::successor(&i32::MAX), None);
        let day = |d| NaiveDate::from_ymd_opt(2025, 1, d).unwrap();
        assert_eq!(PartitionKey::successor(&day(31)), NaiveDate::from_ymd_opt(2025, 2, 1));
        assert_eq!(PartitionKey::successor(&Decimal::ONE), None);
        let at = DateTime::parse_from_rfc3339("2025-01-01T00:00:00Z").unwrap();
        assert_eq!(PartitionKey::successor(&at), None, "a timestamp may lie between any two");
    }
}
