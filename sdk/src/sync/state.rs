//! [`SyncState`]: where an incremental sync stands, as data a job can save
//! and load. The bookkeeping of a pass (which rows to hand out, where the
//! watermark goes) is here, without I/O, so that it can be tested alone.

use std::collections::BTreeMap;

use chrono::{DateTime, DurationRound, NaiveTime, TimeDelta, Utc};
use odata_v4_runtime::NextLink;
use serde::{Deserialize, Serialize};

use super::error::StateError;

/// How many recently changed rows a state remembers to recognise them when
/// they are read again, unless
/// [`IncrementalSync::remember_at_most`](crate::sync::IncrementalSync::remember_at_most)
/// says otherwise. Only
/// rows changed within the overlap window of the watermark are remembered,
/// so the limit matters only when more rows than this change within that
/// window; beyond it the oldest are forgotten, and such a row read again is
/// handed out twice rather than never.
pub const DEFAULT_REMEMBERED_ROWS: usize = 100_000;

/// Where an incremental sync of one collection stands.
///
/// Serialises with serde (any format; JSON in the examples), so that a job
/// can save it after applying each batch and continue from it after a
/// restart, including in the middle of a paged read. A new state
/// ([`SyncState::new`]) starts with a full read of the collection.
///
/// A state belongs to the collection it was first used with (for example
/// one company's customers); using it with another one is refused, so keep
/// one state per collection (per company, when syncing several).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SyncState {
    /// The collection's path below the API root, set on first use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    collection: Option<String>,
    /// Every change up to this moment has been handed out (give or take
    /// the overlap window, which each pass reads again). `None`: the next
    /// pass reads everything.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    watermark: Option<DateTime<Utc>>,
    /// Rows the next pass will read again (changed within the overlap
    /// window of the watermark), by key, with the version handed out.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    recent: BTreeMap<String, SeenRow>,
    /// The pass in progress, if it stopped between two pages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pass: Option<PassInProgress>,
}

/// The version of a row that was handed out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct SeenRow {
    /// The row's ETag, or its timestamp when the service sent no ETag.
    version: String,
    modified: DateTime<Utc>,
}

/// A pass that has read some pages and has more to read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct PassInProgress {
    #[serde(flatten)]
    progress: PassProgress,
    /// The next page to read.
    next_link: NextLink,
}

/// What a pass has established so far.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct PassProgress {
    /// The pass reads rows changed at or after this moment; `None` for a
    /// full read.
    since: Option<DateTime<Utc>>,
    /// When the pass began, by the local clock.
    started_at: DateTime<Utc>,
    /// The newest non-blank timestamp the pass has read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    latest: Option<DateTime<Utc>>,
}

impl PassProgress {
    /// The lower bound of the pass's filter; `None` for a full read.
    pub(crate) fn since(&self) -> Option<DateTime<Utc>> {
        self.since
    }

    /// Whether the pass reads the whole collection.
    pub(crate) fn is_full_read(&self) -> bool {
        self.since.is_none()
    }
}

/// One row of a page, as the bookkeeping sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RowVersion {
    pub key: String,
    /// The ETag, or the timestamp's text when there is no ETag.
    pub version: String,
    /// `None` for a blank or missing timestamp.
    pub modified: Option<DateTime<Utc>>,
}

/// What the bookkeeping decided about one page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct PageVerdict {
    /// For each row of the page, whether to hand it out.
    pub deliver: Vec<bool>,
    pub duplicates: usize,
    pub blank: usize,
}

/// Business Central's "no timestamp": `0001-01-01T00:00:00Z`.
fn is_blank(moment: &DateTime<Utc>) -> bool {
    *moment == DateTime::<Utc>::MIN_UTC || moment.naive_utc() == crate::BLANK_DATE.and_time(NaiveTime::MIN)
}

/// The earliest bound a pass reads from: the millisecond after Business
/// Central's blank timestamp. Every timestamp it writes is later, so a
/// bound raised to this one loses nothing (and stays a date it accepts).
fn earliest_bound() -> DateTime<Utc> {
    let blank = crate::BLANK_DATE.and_time(NaiveTime::MIN).and_utc();
    blank.checked_add_signed(TimeDelta::milliseconds(1)).unwrap_or(blank)
}

/// Where a pass starts reading for `watermark`: `overlap` earlier, in
/// milliseconds, but never before [`earliest_bound`] (an overlap reaching
/// beyond the range of timestamps reads from the earliest one).
fn read_from(watermark: DateTime<Utc>, overlap: TimeDelta) -> DateTime<Utc> {
    let earliest = earliest_bound();
    watermark.checked_sub_signed(overlap).map_or(earliest, |moment| to_milliseconds(moment).max(earliest))
}

/// Business Central stores milliseconds; a bound with more digits than
/// that is rounded down, which only widens what is read.
fn to_milliseconds(moment: DateTime<Utc>) -> DateTime<Utc> {
    moment.duration_trunc(TimeDelta::milliseconds(1)).unwrap_or(moment)
}

impl SyncState {
    /// A state that has read nothing yet: the first pass reads the whole
    /// collection.
    pub fn new() -> SyncState {
        SyncState::default()
    }

    /// A state that skips the full read and starts with the changes made
    /// from `moment` on (minus the overlap window). A moment later than
    /// now plus the overlap window is refused when the sync starts
    /// ([`StateError::AheadOfTheClock`]).
    pub fn starting_at(moment: DateTime<Utc>) -> SyncState {
        SyncState { watermark: Some(to_milliseconds(moment)), ..SyncState::default() }
    }

    /// The collection the state belongs to (its path below the API root,
    /// such as `companies(…)/customers`), once it has been used.
    pub fn collection(&self) -> Option<&str> {
        self.collection.as_deref()
    }

    /// Everything changed before this moment (minus the overlap window) has
    /// been handed out; `None` until the first full read has completed.
    pub fn watermark(&self) -> Option<DateTime<Utc>> {
        self.watermark
    }

    /// Whether a pass stopped between two pages (the next run continues it).
    pub fn is_mid_pass(&self) -> bool {
        self.pass.is_some()
    }

    /// How many rows the state remembers to recognise them when read again.
    pub fn remembered_rows(&self) -> usize {
        self.recent.len()
    }

    /// Makes the next pass read the whole collection and hand out every row
    /// again (to rebuild a copy, to pick up rows with blank timestamps, or
    /// to find rows deleted while no webhook was listening). A pass in
    /// progress is abandoned.
    pub fn request_full_read(&mut self) {
        self.watermark = None;
        self.recent.clear();
        self.pass = None;
    }

    /// Ties the state to `collection`, or refuses a state that belongs to
    /// another one.
    pub(crate) fn bind(&mut self, collection: &str) -> Result<(), StateError> {
        match &self.collection {
            None => {
                self.collection = Some(collection.to_owned());
                Ok(())
            }
            Some(own) if own == collection => Ok(()),
            Some(own) => Err(StateError::OtherCollection { belongs_to: own.clone(), used_with: collection.to_owned() }),
        }
    }

    /// Refuses a state that claims to have read beyond `now` plus
    /// `overlap`: the watermark, or the bounds of a saved pass. A pass caps
    /// the watermark at the moment it began, so a state of this SDK is
    /// never ahead of the clock by more than the clock differences the
    /// overlap window allows for. The server's clock counts where the state
    /// knows it: a saved pass's newest timestamp was the server's "now" once.
    pub(crate) fn check_not_ahead(&self, now: DateTime<Utc>, overlap: TimeDelta) -> Result<(), StateError> {
        let server_seen = self.pass.as_ref().and_then(|pass| pass.progress.latest);
        let reference = server_seen.map_or(now, |seen| seen.max(now));
        // Beyond the range of timestamps, nothing is ahead.
        let Some(latest_accepted) = reference.checked_add_signed(overlap) else { return Ok(()) };
        let saved_pass = self.pass.as_ref().map(|pass| &pass.progress);
        let bounds = [self.watermark, saved_pass.and_then(|p| p.since), saved_pass.map(|p| p.started_at)];
        match bounds.into_iter().flatten().find(|moment| *moment > latest_accepted) {
            Some(moment) => Err(StateError::AheadOfTheClock { moment, latest_accepted }),
            None => Ok(()),
        }
    }

    /// The saved pass to continue, with the page it continues at.
    pub(crate) fn pass_in_progress(&self) -> Option<(PassProgress, NextLink)> {
        self.pass.as_ref().map(|pass| (pass.progress.clone(), pass.next_link.clone()))
    }

    /// A new pass starting `now`: it reads from the watermark minus
    /// `overlap` on, or everything when there is no watermark yet.
    pub(crate) fn begin_pass(&self, now: DateTime<Utc>, overlap: TimeDelta) -> PassProgress {
        let since = self.watermark.map(|watermark| read_from(watermark, overlap));
        PassProgress { since, started_at: now, latest: None }
    }

    /// Decides which rows of a page to hand out: a row whose key and
    /// version were handed out before is a duplicate; every other row is
    /// handed out and, unless its timestamp is blank, remembered.
    pub(crate) fn absorb(&mut self, progress: &mut PassProgress, rows: &[RowVersion]) -> PageVerdict {
        let mut verdict = PageVerdict { deliver: Vec::with_capacity(rows.len()), ..PageVerdict::default() };
        for row in rows {
            let modified = row.modified.filter(|moment| !is_blank(moment));
            if let Some(moment) = modified {
                progress.latest = Some(progress.latest.map_or(moment, |latest| latest.max(moment)));
            }
            if self.recent.get(&row.key).is_some_and(|seen| seen.version == row.version) {
                verdict.duplicates += 1;
                verdict.deliver.push(false);
                continue;
            }
            match modified {
                Some(moment) => {
                    self.recent.insert(row.key.clone(), SeenRow { version: row.version.clone(), modified: moment });
                }
                None => {
                    verdict.blank += 1;
                    // Its timestamp went blank: nothing to recognise it by.
                    self.recent.remove(&row.key);
                }
            }
            verdict.deliver.push(true);
        }
        verdict
    }

    /// Records that the pass continues at `next_link`.
    pub(crate) fn pause_pass(&mut self, progress: PassProgress, next_link: NextLink, remember_at_most: usize) {
        self.forget_beyond(remember_at_most);
        self.pass = Some(PassInProgress { progress, next_link });
    }

    /// Ends the pass: the watermark moves to the newest timestamp read, but
    /// not past the moment the pass began (rows changed during the read
    /// must be read again) and never backwards; rows the next pass will not
    /// read again are forgotten.
    ///
    /// A full read that saw no timestamp at all (an empty collection, or
    /// rows whose timestamps are all blank) has still read everything as of
    /// the moment it began: the watermark moves there, so that the next
    /// pass reads only what changes from then on instead of handing every
    /// row out again.
    pub(crate) fn finish_pass(&mut self, progress: PassProgress, overlap: TimeDelta, remember_at_most: usize) {
        self.pass = None;
        let reached = match progress.latest {
            Some(latest) => Some(latest.min(progress.started_at)),
            None if progress.is_full_read() => Some(progress.started_at),
            None => None,
        };
        if let Some(reached) = reached.map(to_milliseconds) {
            self.watermark = Some(self.watermark.map_or(reached, |watermark| watermark.max(reached)));
        }
        if let Some(watermark) = self.watermark {
            let oldest_read_again = read_from(watermark, overlap);
            self.recent.retain(|_, seen| seen.modified >= oldest_read_again);
        }
        self.forget_beyond(remember_at_most);
    }

    /// Keeps the `limit` most recently changed rows.
    fn forget_beyond(&mut self, limit: usize) {
        if self.recent.len() <= limit {
            return;
        }
        let mut moments: Vec<DateTime<Utc>> = self.recent.values().map(|seen| seen.modified).collect();
        moments.sort_unstable();
        let cutoff = moments[moments.len() - limit];
        self.recent.retain(|_, seen| seen.modified >= cutoff);
        // Rows sharing the cutoff timestamp may leave a few more than
        // `limit`; drop those with the smallest keys to stay within it.
        while self.recent.len() > limit {
            let Some(key) = self.recent.iter().find(|(_, seen)| seen.modified == cutoff).map(|(key, _)| key.clone())
            else {
                break;
            };
            self.recent.remove(&key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seconds: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_750_000_000 + seconds, 0).unwrap()
    }

    fn row(key: &str, version: &str, modified: Option<DateTime<Utc>>) -> RowVersion {
        RowVersion { key: key.to_owned(), version: version.to_owned(), modified }
    }

    const OVERLAP: TimeDelta = TimeDelta::seconds(60);

    fn run_pass(state: &mut SyncState, now: DateTime<Utc>, rows: &[RowVersion]) -> PageVerdict {
        let mut progress = state.begin_pass(now, OVERLAP);
        let verdict = state.absorb(&mut progress, rows);
        state.finish_pass(progress, OVERLAP, DEFAULT_REMEMBERED_ROWS);
        verdict
    }

    #[test]
    fn a_new_state_reads_everything_then_from_the_watermark_minus_the_overlap() {
        let mut state = SyncState::new();
        assert_eq!(state.begin_pass(at(100), OVERLAP).since, None);
        run_pass(&mut state, at(100), &[row("a", "1", Some(at(10))), row("b", "1", Some(at(20)))]);
        assert_eq!(state.watermark(), Some(at(20)));
        assert_eq!(state.begin_pass(at(200), OVERLAP).since, Some(at(-40)));
    }

    #[test]
    fn rows_read_again_unchanged_are_not_handed_out_twice() {
        let mut state = SyncState::new();
        run_pass(&mut state, at(100), &[row("a", "1", Some(at(10))), row("b", "1", Some(at(10)))]);
        // Same timestamp, one new row and one changed one.
        let verdict = run_pass(
            &mut state,
            at(200),
            &[row("a", "1", Some(at(10))), row("b", "2", Some(at(10))), row("c", "1", Some(at(10)))],
        );
        assert_eq!(verdict.deliver, [false, true, true]);
        assert_eq!(verdict.duplicates, 1);
    }

    #[test]
    fn the_watermark_stops_where_the_pass_began() {
        let mut state = SyncState::new();
        // A row changed during the read carries a timestamp after the start.
        run_pass(&mut state, at(100), &[row("a", "1", Some(at(10))), row("b", "1", Some(at(150)))]);
        assert_eq!(state.watermark(), Some(at(100)));
    }

    #[test]
    fn the_watermark_never_moves_backwards() {
        let mut state = SyncState::new();
        run_pass(&mut state, at(100), &[row("a", "1", Some(at(50)))]);
        assert_eq!(state.watermark(), Some(at(50)));
        run_pass(&mut state, at(200), &[row("a", "1", Some(at(50))), row("z", "1", Some(at(-5)))]);
        assert_eq!(state.watermark(), Some(at(50)));
        let nothing = run_pass(&mut state, at(300), &[]);
        assert!(nothing.deliver.is_empty());
        assert_eq!(state.watermark(), Some(at(50)));
    }

    #[test]
    fn blank_timestamps_are_handed_out_but_neither_remembered_nor_watermarks() {
        let mut state = SyncState::new();
        let blank = Some(crate::BLANK_DATE.and_time(NaiveTime::MIN).and_utc());
        let verdict =
            run_pass(&mut state, at(100), &[row("a", "1", blank), row("b", "1", None), row("c", "1", Some(at(10)))]);
        assert_eq!((verdict.deliver, verdict.blank), (vec![true, true, true], 2));
        assert_eq!(state.watermark(), Some(at(10)), "the blank timestamps are no watermark");
        assert_eq!(state.remembered_rows(), 1);
    }

    #[test]
    fn a_full_read_of_rows_without_timestamps_is_not_repeated() {
        let mut state = SyncState::new();
        let blank = Some(crate::BLANK_DATE.and_time(NaiveTime::MIN).and_utc());
        run_pass(&mut state, at(100), &[row("a", "1", blank), row("b", "1", None)]);
        assert_eq!(state.watermark(), Some(at(100)), "everything was read as of the start of the full read");
        let next = state.begin_pass(at(200), OVERLAP);
        assert_eq!(next.since, Some(at(40)), "the next pass reads only what changed since");
        // An empty collection likewise.
        let mut empty = SyncState::new();
        run_pass(&mut empty, at(100), &[]);
        assert_eq!(empty.watermark(), Some(at(100)));
        // An incremental pass that reads nothing leaves the watermark alone.
        run_pass(&mut empty, at(300), &[]);
        assert_eq!(empty.watermark(), Some(at(100)));
    }

    #[test]
    fn extreme_watermarks_and_overlaps_read_from_the_earliest_timestamp_without_overflowing() {
        let earliest = earliest_bound();
        assert_eq!(earliest.to_rfc3339(), "0001-01-01T00:00:00.001+00:00");
        for (watermark, overlap) in [
            (DateTime::<Utc>::MIN_UTC, OVERLAP),
            (DateTime::<Utc>::MIN_UTC, TimeDelta::MAX),
            (at(0), TimeDelta::MAX),
            (DateTime::<Utc>::MAX_UTC, TimeDelta::MAX),
        ] {
            let mut state = SyncState { watermark: Some(watermark), ..SyncState::new() };
            let progress = state.begin_pass(at(100), overlap);
            let since = progress.since.expect("an incremental pass");
            assert!(since >= earliest, "{watermark} - {overlap}: {since}");
            state.absorb(&mut progress.clone(), &[row("a", "1", Some(at(10)))]);
            state.finish_pass(progress, overlap, DEFAULT_REMEMBERED_ROWS);
            let _ = state.check_not_ahead(at(100), overlap);
        }
        let mut state = SyncState { watermark: Some(at(0)), ..SyncState::new() };
        run_pass(&mut state, at(100), &[row("a", "1", Some(at(5)))]);
        state.finish_pass(state.begin_pass(at(100), TimeDelta::MAX), TimeDelta::MAX, 10);
        assert_eq!(state.remembered_rows(), 1, "an overlap reaching back to the start keeps every row");
    }

    #[test]
    fn a_state_ahead_of_the_clock_by_more_than_the_overlap_is_refused() {
        let now = at(1000);
        let within = SyncState::starting_at(now + OVERLAP);
        assert_eq!(within.check_not_ahead(now, OVERLAP), Ok(()), "clock differences up to the overlap are allowed");
        let ahead = SyncState::starting_at(now + OVERLAP + TimeDelta::milliseconds(1));
        match ahead.check_not_ahead(now, OVERLAP) {
            Err(StateError::AheadOfTheClock { moment, latest_accepted }) => {
                assert_eq!((moment, latest_accepted), (now + OVERLAP + TimeDelta::milliseconds(1), now + OVERLAP));
            }
            other => panic!("{other:?}"),
        }
        let far = SyncState::starting_at(DateTime::<Utc>::MAX_UTC);
        assert!(far.check_not_ahead(now, OVERLAP).is_err());
        assert_eq!(far.check_not_ahead(now, TimeDelta::MAX), Ok(()), "nothing is ahead of an endless overlap");

        // A saved pass: its bounds count, and the newest timestamp it read
        // shows the server's clock, which may be ahead of this machine's.
        let mut paused = SyncState::new();
        let mut progress = paused.begin_pass(now + TimeDelta::hours(1), OVERLAP);
        paused.absorb(&mut progress, &[row("a", "1", Some(at(10)))]);
        paused.pause_pass(progress, NextLink::new("http://h/x?$skiptoken=1"), 10);
        assert!(matches!(paused.check_not_ahead(now, OVERLAP), Err(StateError::AheadOfTheClock { .. })));
        let mut server_ahead = SyncState::new();
        let mut progress = server_ahead.begin_pass(now + TimeDelta::hours(1), OVERLAP);
        server_ahead.absorb(&mut progress, &[row("a", "1", Some(now + TimeDelta::hours(1)))]);
        server_ahead.pause_pass(progress, NextLink::new("http://h/x?$skiptoken=1"), 10);
        assert_eq!(server_ahead.check_not_ahead(now, OVERLAP), Ok(()));
    }

    #[test]
    fn only_rows_the_next_pass_reads_again_are_remembered() {
        let mut state = SyncState::new();
        run_pass(&mut state, at(1000), &[row("old", "1", Some(at(10))), row("new", "1", Some(at(900)))]);
        assert_eq!(state.remembered_rows(), 1, "`old` is outside the window of 60 s before 900");
    }

    #[test]
    fn memory_is_bounded_keeping_the_newest_rows() {
        let mut state = SyncState::new();
        let rows: Vec<RowVersion> = (0..10).map(|i| row(&format!("k{i}"), "1", Some(at(i)))).collect();
        let mut progress = state.begin_pass(at(100), OVERLAP);
        state.absorb(&mut progress, &rows);
        state.finish_pass(progress, OVERLAP, 4);
        assert_eq!(state.remembered_rows(), 4);
        assert!(state.recent.contains_key("k9") && !state.recent.contains_key("k5"));
    }

    #[test]
    fn a_paused_pass_survives_serialisation_and_a_foreign_collection_is_refused() {
        let mut state = SyncState::new();
        state.bind("companies(1)/customers").unwrap();
        let mut progress = state.begin_pass(at(100), OVERLAP);
        state.absorb(&mut progress, &[row("a", "W/\"1\"", Some(at(10)))]);
        state.pause_pass(progress, NextLink::new("http://h/api/v2.0/x?$skiptoken=1"), 10);
        let json = serde_json::to_string(&state).unwrap();
        let mut restored: SyncState = serde_json::from_str(&json).unwrap();
        assert_eq!(restored, state);
        assert!(restored.is_mid_pass());
        let (progress, link) = restored.pass_in_progress().unwrap();
        assert_eq!((progress.latest, link.as_str()), (Some(at(10)), "http://h/api/v2.0/x?$skiptoken=1"));
        assert_eq!(
            restored.bind("companies(2)/customers"),
            Err(StateError::OtherCollection {
                belongs_to: "companies(1)/customers".to_owned(),
                used_with: "companies(2)/customers".to_owned()
            })
        );
        restored.request_full_read();
        assert_eq!(restored, SyncState { collection: state.collection.clone(), ..SyncState::default() });
    }

    #[test]
    fn bounds_are_written_in_milliseconds() {
        let precise = DateTime::from_timestamp(1_750_000_000, 123_456_789).unwrap();
        let state = SyncState::starting_at(precise);
        assert_eq!(state.watermark().unwrap().timestamp_subsec_nanos(), 123_000_000);
    }
}
