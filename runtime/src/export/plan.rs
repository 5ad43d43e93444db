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

    /// Rows left between `from` and `to`, estimated from the rows per key
    /// this partition has seen; `None` before it has seen two rows.
    fn rows_left(&self, from: &K, to: &K) -> Option<f64> {
        let first = self.first_sent.as_ref()?;
        let sent = self.sent.as_ref()?;
        let seen_span = K::span(first, sent);
        (self.rows_sent > 1 && seen_span > 0.0).then(|| self.rows_sent as f64 / seen_span * K::span(from, to))
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
    /// upper half to the caller (already marked as read by it), or `None`
    /// when no range is worth splitting: one whose reader has not reported
    /// yet, or whose rest (estimated from the rows per key it has seen)
    /// would leave either half less than a page.
    pub(crate) fn steal(&mut self) -> Option<usize> {
        let mut best: Option<(f64, usize, K)> = None;
        for (index, partition) in self.partitions.iter().enumerate() {
            if partition.stage != Stage::Reading {
                continue;
            }
            let Some((from, _)) = partition.start() else { continue };
            let Some(to) = partition.upper.clone().or_else(|| self.highest_known.clone()) else { continue };
            let Some(middle) = K::midpoint(&from, &to) else { continue };
            let Some(left) = partition.rows_left(&from, &to) else { continue };
            if left < 2.0 * self.page_rows as f64 {
                continue;
            }
            if best.as_ref().is_none_or(|(most, _, _)| left > *most) {
                best = Some((left, index, middle));
            }
        }
        let (_, victim, middle) = best?;
        let upper = self.partitions[victim].upper.replace(middle.clone());
        let mut stolen = Partition::new(Some(middle), upper);
        stolen.stage = Stage::Reading;
        self.partitions.push(stolen);
        Some(self.partitions.len() - 1)
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
        let drained = keep < keys.len() || !more_pages;
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

#[cfg(test)]
mod tests {
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
    fn stealing_splits_the_unread_rest_of_a_busy_range() {
        let mut plan = Plan::split(1, 1000, 1);
        let only = plan.claim().unwrap();
        assert_eq!(plan.steal(), None, "nothing is known of the range's density yet");
        plan.accept(only, &keys(1..101), true).unwrap();
        let stolen = plan.steal().expect("the rest can be split");
        let (victim, thief) = (&plan.partitions[only], &plan.partitions[stolen]);
        assert_eq!(victim.upper, Some(550), "the victim keeps up to the middle of what it had not read");
        assert_eq!((thief.lower, thief.upper), (Some(550), None));
        // The victim's page in flight still holds rows above the new bound.
        assert_eq!(plan.accept(only, &keys(101..600), true), Ok(Accepted { keep: 449, drained: true }));
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
