//! The partition plan of a parallel export: which key ranges exist, what
//! each has handed out, and how a busy range is split when a worker runs
//! out of work. Pure bookkeeping (no I/O), so that exactly-once delivery can
//! be reasoned about, and tested, on its own.
//!
//! A partition covers `lower ≤ key < upper` (either bound open). Its rows
//! are read in key order; `sent` is the last key handed to the consumer's
//! channel, so what remains is `sent < key < upper`. Splitting a partition
//! at `m` (strictly above `sent`) lowers its `upper` to `m` and makes a new
//! partition `m ≤ key < old upper`: the two ranges are disjoint and cover
//! what remained, so no row is delivered twice or skipped, whatever pages
//! the first partition's reader has in flight (it drops rows at or above
//! its current `upper`).
//!
//! A split leaves the partition being read a whole number of pages (as far
//! as its rows per key tell), the first of them the one its reader most
//! likely has in flight: a split at the plain middle of the rest cut that
//! page short, so the service produced rows only to have them dropped, and
//! left both halves ending in a part page, each costing a request.

use super::key::PartitionKey;

/// Where a partition is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stage {
    /// Not started.
    Waiting,
    /// A worker is reading it.
    Reading,
    /// Every row was handed to the consumer's channel.
    Drained,
}

/// One key range.
#[derive(Debug, Clone)]
pub(crate) struct Partition<K> {
    /// Inclusive lower bound; `None`: unbounded.
    pub(crate) lower: Option<K>,
    /// Exclusive upper bound; `None`: unbounded.
    pub(crate) upper: Option<K>,
    /// The last key handed to the consumer's channel.
    pub(crate) sent: Option<K>,
    /// The last key the consumer took (what a checkpoint resumes after).
    pub(crate) consumed: Option<K>,
    /// Whether the consumer took the partition's last rows.
    pub(crate) finished: bool,
    pub(crate) stage: Stage,
    /// Its reader has asked for a page not accepted yet.
    fetching: bool,
    /// The first key this partition sent, and how many rows it sent: its
    /// density of rows per key, to judge whether its rest is worth a split.
    first_sent: Option<K>,
    rows_sent: u64,
}

impl<K: PartitionKey> Partition<K> {
    fn new(lower: Option<K>, upper: Option<K>) -> Self {
        Partition {
            lower,
            upper,
            sent: None,
            consumed: None,
            finished: false,
            stage: Stage::Waiting,
            fetching: false,
            first_sent: None,
            rows_sent: 0,
        }
    }

    /// A partition read from a checkpoint: resumed after `after`.
    pub(crate) fn resumed(lower: Option<K>, upper: Option<K>, after: Option<K>, finished: bool) -> Self {
        Partition {
            sent: after.clone(),
            consumed: after,
            finished,
            stage: if finished { Stage::Drained } else { Stage::Waiting },
            ..Partition::new(lower, upper)
        }
    }

    /// Rows per unit of key this partition has seen: the gaps between the
    /// rows it sent over the span they cover (`n` consecutive integers are
    /// `n - 1` gaps over a span of `n - 1`: one row per key, exactly).
    /// `None` before it has seen two rows.
    fn density(&self) -> Option<f64> {
        let first = self.first_sent.as_ref()?;
        let sent = self.sent.as_ref()?;
        let seen_span = K::span(first, sent);
        (self.rows_sent > 1 && seen_span > 0.0).then(|| (self.rows_sent - 1) as f64 / seen_span)
    }

    /// Where reading (re)starts: after `sent` when rows were sent, else at
    /// `lower`. `(key, exclusive)`.
    pub(crate) fn start(&self) -> Option<(K, bool)> {
        match (&self.sent, &self.lower) {
            (Some(sent), _) => Some((sent.clone(), true)),
            (None, Some(lower)) => Some((lower.clone(), false)),
            (None, None) => None,
        }
    }
}

/// What a page of keys comes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Accepted {
    /// How many rows, from the start of the page, belong to the partition.
    pub(crate) keep: usize,
    /// The partition has no rows left to read.
    pub(crate) drained: bool,
}

/// Why a page cannot be accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Rejected {
    /// Keys did not increase strictly: the property is not unique or the
    /// service did not order by it. Exactly-once delivery needs both.
    NotIncreasing,
    /// A key lies below the partition's lower bound: the service did not
    /// apply the range's `$filter`, so the row belongs to another range
    /// (and would be handed out twice).
    BelowRange,
}

/// Every partition of an export.
#[derive(Debug, Clone)]
pub(crate) struct Plan<K> {
    pub(crate) partitions: Vec<Partition<K>>,
    /// The largest key seen when the export started: where the open-ended
    /// last partition is split.
    pub(crate) highest_known: Option<K>,
    /// The most rows a page has held: a split must leave each half at
    /// least a page, or the new range costs a request for a few rows.
    page_rows: usize,
}

impl<K: PartitionKey> Plan<K> {
    /// `count` partitions over `lowest ..= highest` (fewer when the range
    /// cannot be split that often), cut by halving the widest gap until
    /// there are enough; the first is open below and the last open above,
    /// so rows added beyond either end are read too.
    pub(crate) fn split(lowest: K, highest: K, count: usize) -> Plan<K> {
        let mut bounds = vec![lowest, highest.clone()];
        while bounds.len() < count + 1 {
            let widest = bounds
                .windows(2)
                .enumerate()
                .filter_map(|(at, pair)| K::midpoint(&pair[0], &pair[1]).map(|m| (K::span(&pair[0], &pair[1]), at, m)))
                .max_by(|a, b| a.0.total_cmp(&b.0));
            let Some((_, at, middle)) = widest else { break };
            bounds.insert(at + 1, middle);
        }
        let cuts = &bounds[1..bounds.len() - 1];
        let mut partitions = Vec::with_capacity(cuts.len() + 1);
        let mut lower = None;
        for cut in cuts {
            partitions.push(Partition::new(lower, Some(cut.clone())));
            lower = Some(cut.clone());
        }
        partitions.push(Partition::new(lower, None));
        Plan { partitions, highest_known: Some(highest), page_rows: 0 }
    }

    /// Like [`split`](Self::split), with the cuts on page boundaries: when
    /// the collection's size (`rows`, from `$count`) and the page size are
    /// known, `count` ranges of as near the same number of whole pages as
    /// can be, placed by the rows per key between `lowest` and `highest`.
    /// Only the last range then ends in a part page; a cut in the middle
    /// of a page left each range but the last a part page too, each a
    /// request for a fraction of the rows a request brings.
    pub(crate) fn split_in_pages(lowest: K, highest: K, count: usize, rows: u64, page_rows: usize) -> Plan<K> {
        let span = K::span(&lowest, &highest);
        // A span that is not a positive number (NaN included) places nothing.
        if rows < 2 || page_rows == 0 || count < 2 || span.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) {
            return Plan::split(lowest, highest, count);
        }
        let density = (rows - 1) as f64 / span;
        let pages = rows.div_ceil(page_rows as u64) as f64;
        let mut cuts: Vec<K> = Vec::with_capacity(count - 1);
        for at in 1..count {
            let below = (pages * at as f64 / count as f64).round() * page_rows as f64;
            if below < 1.0 || below >= rows as f64 {
                continue;
            }
            // The first key past `below` rows from `lowest` (itself a row).
            let Some(cut) = key_after(&lowest, &highest, (below - 0.5) / density) else { continue };
            if cuts.last().is_none_or(|last| *last < cut) {
                cuts.push(cut);
            }
        }
        let mut partitions = Vec::with_capacity(cuts.len() + 1);
        let mut lower = None;
        for cut in cuts {
            partitions.push(Partition::new(lower, Some(cut.clone())));
            lower = Some(cut);
        }
        partitions.push(Partition::new(lower, None));
        Plan { partitions, highest_known: Some(highest), page_rows: 0 }
    }

    /// One open partition: for an empty collection, whose bounds are unknown.
    pub(crate) fn whole() -> Plan<K> {
        Plan { partitions: vec![Partition::new(None, None)], highest_known: None, page_rows: 0 }
    }

    /// The plan of a resumed export.
    pub(crate) fn resumed(partitions: Vec<Partition<K>>) -> Plan<K> {
        let highest_known = partitions.iter().filter_map(|p| p.sent.clone().or(p.lower.clone())).max();
        Plan { partitions, highest_known, page_rows: 0 }
    }

    /// Whether some partition is being read.
    pub(crate) fn any_reading(&self) -> bool {
        self.partitions.iter().any(|p| p.stage == Stage::Reading)
    }

    /// The next partition nobody reads yet, now read by the caller.
    pub(crate) fn claim(&mut self) -> Option<usize> {
        let index = self.partitions.iter().position(|p| p.stage == Stage::Waiting)?;
        self.partitions[index].stage = Stage::Reading;
        Some(index)
    }

    /// Splits the partition with the most rows left to read and gives the
    /// upper part to the caller (already marked as read by it), or `None`
    /// when no range is worth splitting: one whose reader has not reported
    /// yet, or whose rest (estimated from the rows per key it has seen)
    /// would leave either part less than a page.
    ///
    /// The partition keeps the first half of its rest rounded up to whole
    /// pages (see the module's comment): its reader is a page ahead of the
    /// caller's, whose first request starts now.
    pub(crate) fn steal(&mut self) -> Option<usize> {
        let page_rows = self.page_rows as f64;
        let mut best: Option<(f64, usize, K, K, f64)> = None;
        for (index, partition) in self.partitions.iter().enumerate() {
            if partition.stage != Stage::Reading {
                continue;
            }
            let Some((from, _)) = partition.start() else { continue };
            // An upper bound is the next range's first key, not one of
            // this range's rows; the highest known key is a row.
            let (to, bound) = match (&partition.upper, &self.highest_known) {
                (Some(upper), _) => (upper.clone(), 1.0),
                (None, Some(highest)) => (highest.clone(), 0.0),
                (None, None) => continue,
            };
            let Some(density) = partition.density() else { continue };
            let left = density * K::span(&from, &to) - bound;
            // What its reader keeps (see below), and a page for the caller.
            let least = least_kept(partition, &from);
            if left < (least + 1.0) * page_rows {
                continue;
            }
            if best.as_ref().is_none_or(|(most, ..)| left > *most) {
                best = Some((left, index, from, to, density));
            }
        }
        let (left, victim, from, to, density) = best?;
        let least = least_kept(&self.partitions[victim], &from);
        let kept_rows = (left / page_rows / 2.0).ceil().max(least) * page_rows;
        let split = key_after(&from, &to, kept_rows / density).or_else(|| K::midpoint(&from, &to))?;
        let upper = self.partitions[victim].upper.replace(split.clone());
        let mut stolen = Partition::new(Some(split), upper);
        stolen.stage = Stage::Reading;
        self.partitions.push(stolen);
        Some(self.partitions.len() - 1)
    }

    /// Partition `index`'s reader is about to ask for a page: its upper
    /// bound now, to ask with (a split may have lowered it).
    pub(crate) fn fetching(&mut self, index: usize) -> Option<K> {
        let partition = &mut self.partitions[index];
        partition.fetching = true;
        partition.upper.clone()
    }

    /// Takes a page of keys read for partition `index`, in the order read:
    /// how many belong to it (those below its current upper bound), and
    /// whether it is drained. Updates `sent` to the last key kept.
    ///
    /// Both bounds are checked. Rows at or above the upper bound are
    /// dropped: a split lowers the bound of a range whose pages are in
    /// flight, and the rows above it belong to the new range. A row below
    /// the lower bound (or at or below the last key sent) was never asked
    /// for: the page is refused, since handing it out could deliver a row
    /// twice.
    pub(crate) fn accept(&mut self, index: usize, keys: &[K], more_pages: bool) -> Result<Accepted, Rejected> {
        let partition = &mut self.partitions[index];
        partition.fetching = false;
        let mut previous = partition.sent.clone();
        let mut keep = 0;
        for key in keys {
            if partition.lower.as_ref().is_some_and(|lower| key < lower) {
                return Err(Rejected::BelowRange);
            }
            if previous.as_ref().is_some_and(|previous| key <= previous) {
                return Err(Rejected::NotIncreasing);
            }
            if partition.upper.as_ref().is_some_and(|upper| key >= upper) {
                break;
            }
            previous = Some(key.clone());
            keep += 1;
        }
        if keep > 0 {
            if partition.first_sent.is_none() {
                partition.first_sent = keys.first().cloned();
            }
            partition.sent = previous;
            partition.rows_sent += keep as u64;
        }
        self.page_rows = self.page_rows.max(keys.len());
        // With a smallest step, a range read up to the key just below its
        // bound is complete, whatever link the page came with (one asked
        // for before a split lowered the bound goes on past it).
        let at_bound = match (&partition.sent, &partition.upper) {
            (Some(sent), Some(upper)) => sent.successor().is_some_and(|next| next >= *upper),
            _ => false,
        };
        let drained = keep < keys.len() || !more_pages || at_bound;
        if drained {
            partition.stage = Stage::Drained;
        }
        Ok(Accepted { keep, drained })
    }

    /// The consumer took rows of partition `index` up to `last` (`None`: an
    /// empty batch), and with them the partition's last rows if `finished`.
    pub(crate) fn consumed(&mut self, index: usize, last: Option<K>, finished: bool) {
        let partition = &mut self.partitions[index];
        if last.is_some() {
            partition.consumed = last;
        }
        partition.finished |= finished;
    }
}

/// The fewest pages a split leaves the partition's reader: one, or two
/// while it has a page in flight whose end it cannot tell from the bound.
/// That page comes with the link of the query it was asked with, and a
/// reader told nothing else learns its range is done only by asking again,
/// for an empty page; one more page keeps that request one that brings
/// rows. Keys with a smallest step tell it (see [`Plan::accept`]).
fn least_kept<K: PartitionKey>(partition: &Partition<K>, from: &K) -> f64 {
    if partition.fetching && from.successor().is_none() { 2.0 } else { 1.0 }
}

/// The lowest key strictly between `from` and `to` more than `span` above
/// `from` (as closely as halving finds it: to the key itself for integers
/// and dates), or `None` when `to` is not that far from `from`. With `span`
/// the width of `n` rows, the keys of those `n` rows lie below it.
fn key_after<K: PartitionKey>(from: &K, to: &K, span: f64) -> Option<K> {
    if span.is_nan() || K::span(from, to) <= span {
        return None;
    }
    // `low` stays within `span` of `from`, `high` beyond it.
    let (mut low, mut high) = (from.clone(), to.clone());
    // Enough halvings for the widest key (i128 sums, 96-bit decimals).
    for _ in 0..128 {
        let Some(middle) = K::midpoint(&low, &high) else { break };
        if K::span(from, &middle) > span {
            high = middle;
        } else {
            low = middle;
        }
    }
    (high < *to).then_some(high)
}

#[cfg(test)]
mod tests {
    use rust_decimal::Decimal;

    use super::*;

    fn keys(range: std::ops::Range<i32>) -> Vec<i32> {
        range.collect()
    }

    #[test]
    fn a_range_is_split_evenly_with_open_ends() {
        let plan = Plan::split(1, 100, 4);
        let bounds: Vec<(Option<i32>, Option<i32>)> = plan.partitions.iter().map(|p| (p.lower, p.upper)).collect();
        assert_eq!(bounds, [(None, Some(25)), (Some(25), Some(50)), (Some(50), Some(75)), (Some(75), None)]);
        assert_eq!(Plan::split(1, 2, 8).partitions.len(), 1, "nothing lies between 1 and 2");
        assert_eq!(Plan::split(1, 3, 8).partitions.len(), 2);
    }

    #[test]
    fn ranges_of_whole_pages_when_the_size_is_known() {
        let bounds = |plan: &Plan<i32>| plan.partitions.iter().map(|p| (p.lower, p.upper)).collect::<Vec<_>>();
        // 300 rows in pages of 20: 15 pages, five ranges of three.
        let plan = Plan::split_in_pages(1, 300, 5, 300, 20);
        assert_eq!(
            bounds(&plan),
            [
                (None, Some(61)),
                (Some(61), Some(121)),
                (Some(121), Some(181)),
                (Some(181), Some(241)),
                (Some(241), None)
            ]
        );
        // Every other key: a page of 20 spans 40 keys.
        let plan = Plan::split_in_pages(2, 600, 3, 300, 20);
        assert_eq!(bounds(&plan), [(None, Some(202)), (Some(202), Some(402)), (Some(402), None)]);
        // 7 pages in three ranges: 2, 3 (rounded) and the rest.
        let plan = Plan::split_in_pages(1, 140, 3, 140, 20);
        assert_eq!(bounds(&plan), [(None, Some(41)), (Some(41), Some(101)), (Some(101), None)]);
        assert_eq!(bounds(&Plan::split_in_pages(1, 3, 8, 3, 20)), [(None, None)], "one page: one range");
    }

    #[test]
    fn a_range_read_to_the_key_below_its_bound_is_drained() {
        let mut plan = Plan::split(1, 100, 2);
        let first = plan.claim().unwrap();
        assert_eq!(plan.partitions[first].upper, Some(50));
        // The page came with a link (as one asked for before a split
        // lowered the bound does), but nothing lies between 49 and 50.
        assert_eq!(plan.accept(first, &keys(1..50), true), Ok(Accepted { keep: 49, drained: true }));
        let mut plan = Plan::split(Decimal::ONE, Decimal::ONE_HUNDRED, 2);
        let first = plan.claim().unwrap();
        let rows: Vec<Decimal> = (1..50).map(Decimal::from).collect();
        assert_eq!(plan.accept(first, &rows, true).map(|a| a.drained), Ok(false), "decimals lie between any two");
    }

    #[test]
    fn rows_at_or_above_the_upper_bound_are_left_to_the_next_partition() {
        let mut plan = Plan::split(1, 100, 2);
        let first = plan.claim().unwrap();
        assert_eq!(plan.accept(first, &keys(1..10), true), Ok(Accepted { keep: 9, drained: false }));
        assert_eq!(plan.accept(first, &keys(45..55), true), Ok(Accepted { keep: 5, drained: true }));
        assert_eq!(plan.partitions[first].sent, Some(49));
        assert_eq!(plan.accept(first, &[49], true), Err(Rejected::NotIncreasing));
    }

    #[test]
    fn rows_below_the_lower_bound_are_refused() {
        let mut plan = Plan::split(1, 100, 2);
        let (first, second) = (plan.claim().unwrap(), plan.claim().unwrap());
        assert_eq!(plan.partitions[second].lower, Some(50));
        assert_eq!(plan.accept(second, &keys(1..10), true), Err(Rejected::BelowRange));
        assert_eq!(plan.accept(second, &keys(49..60), true), Err(Rejected::BelowRange));
        assert_eq!(plan.partitions[second].sent, None, "nothing of a refused page counts as sent");
        assert_eq!(plan.accept(second, &keys(50..60), true), Ok(Accepted { keep: 10, drained: false }));
        assert_eq!(plan.accept(first, &keys(1..10), true), Ok(Accepted { keep: 9, drained: false }));
    }

    #[test]
    fn stealing_splits_the_unread_rest_of_a_busy_range_at_a_page_boundary() {
        let mut plan = Plan::split(1, 1000, 1);
        let only = plan.claim().unwrap();
        assert_eq!(plan.steal(), None, "nothing is known of the range's density yet");
        plan.accept(only, &keys(1..101), true).unwrap();
        let stolen = plan.steal().expect("the rest can be split");
        let (victim, thief) = (&plan.partitions[only], &plan.partitions[stolen]);
        // 900 rows left in pages of 100: the victim keeps five whole pages
        // (101..=600), not the 449 rows up to the middle, which cut the
        // page it had in flight (101..=200 is the first of the five).
        assert_eq!(victim.upper, Some(601), "the victim keeps whole pages of what it had not read");
        assert_eq!((thief.lower, thief.upper), (Some(601), None));
        assert_eq!(plan.accept(only, &keys(101..201), true), Ok(Accepted { keep: 100, drained: false }));
        // Its pages end at the bound: none is cut short, and the last one
        // ends the range although it came with a link.
        assert_eq!(plan.accept(only, &keys(201..601), true), Ok(Accepted { keep: 400, drained: true }));

        // A bounded range: its upper bound is the next range's first key,
        // so 101..=500 is four pages, shared two and two.
        let mut plan = Plan::split(1, 1002, 2);
        let first = plan.claim().unwrap();
        assert_eq!(plan.partitions[first].upper, Some(501));
        plan.accept(first, &keys(1..101), true).unwrap();
        let stolen = plan.steal().expect("the rest can be split");
        assert_eq!(plan.partitions[first].upper, Some(301));
        assert_eq!((plan.partitions[stolen].lower, plan.partitions[stolen].upper), (Some(301), Some(501)));
    }

    #[test]
    fn page_boundaries_follow_the_density_of_sparse_keys() {
        // Every third key: a page of 10 rows spans 30 keys.
        let sparse = |range: std::ops::Range<i32>| range.filter(|k| k % 3 == 0).collect::<Vec<_>>();
        let mut plan = Plan::split(0, 3000, 1);
        let only = plan.claim().unwrap();
        plan.accept(only, &sparse(0..30), true).unwrap();
        plan.steal().expect("the rest can be split");
        let upper = plan.partitions[only].upper.unwrap();
        let kept = sparse(28..upper);
        assert_eq!(kept.len() % 10, 0, "whole pages below {upper}: {} rows", kept.len());
        assert_eq!(key_after(&0, &10, 10.0), None, "nothing lies beyond the whole span");
        assert_eq!(key_after(&0, &10, 3.0), Some(4));
    }

    #[test]
    fn a_rest_shorter_than_two_pages_is_not_split() {
        let mut plan = Plan::split(1, 1000, 1);
        let only = plan.claim().unwrap();
        plan.accept(only, &keys(1..101), true).unwrap();
        plan.accept(only, &keys(101..201), true).unwrap();
        assert!(plan.steal().is_some(), "800 rows left, pages of 100");
        let mut plan = Plan::split(1, 1000, 1);
        let only = plan.claim().unwrap();
        plan.accept(only, &keys(1..401), true).unwrap();
        plan.accept(only, &keys(401..820), true).unwrap();
        assert_eq!(plan.steal(), None, "181 rows left, pages of 419");
    }

    #[test]
    fn every_key_is_delivered_exactly_once_whatever_the_steals() {
        // Workers read 7 keys per page; after every page a steal happens.
        let data: Vec<i32> = (1..=5000).filter(|k| k % 3 != 0 || k % 7 == 0).collect();
        let mut plan = Plan::split(*data.first().unwrap(), *data.last().unwrap(), 3);
        let mut delivered = Vec::new();
        let mut readers: Vec<usize> = Vec::new();
        while let Some(index) = plan.claim() {
            readers.push(index);
        }
        let mut round = 0;
        while !readers.is_empty() {
            round += 1;
            let index = readers.remove(0);
            let start = plan.partitions[index].start();
            let upper = plan.partitions[index].upper;
            let page: Vec<i32> = data
                .iter()
                .copied()
                .filter(|k| match start {
                    Some((s, true)) => *k > s,
                    Some((s, false)) => *k >= s,
                    None => true,
                })
                // The reader's request was made with an older, higher bound.
                .filter(|k| upper.is_none_or(|u| *k < u + 40))
                .take(7)
                .collect();
            let more = page.len() == 7;
            let accepted = plan.accept(index, &page, more).unwrap();
            delivered.extend_from_slice(&page[..accepted.keep]);
            if !accepted.drained {
                readers.push(index);
            }
            if round % 2 == 0
                && let Some(stolen) = plan.steal()
            {
                readers.push(stolen);
            }
        }
        delivered.sort();
        assert_eq!(delivered, data, "{} partitions", plan.partitions.len());
        assert!(plan.partitions.len() > 10, "stealing split the ranges: {}", plan.partitions.len());
    }
}
