//! [`IncrementalSync`]: one collection's changes, read page by page.

use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use odata_v4_runtime::{CollectionHandle, CollectionPath, EntitySet, Error, Filterable, NextLink, Page, Prop, decode};

use super::error::StateError;
use super::state::{RowVersion, SyncState};
use super::tracked::ChangeTracked;

/// How far behind the watermark each pass starts reading, unless
/// [`IncrementalSync::overlap`] says otherwise: room for clock differences
/// between Business Central's servers and for transactions that commit a
/// while after they stamped their rows.
pub const DEFAULT_OVERLAP: Duration = Duration::from_secs(5 * 60);

/// Reads what changed in one collection (for example one company's
/// customers) since the last read. See the [module docs](super) for how it
/// avoids losing or repeating rows.
#[derive(Debug)]
pub struct IncrementalSync<S> {
    collection: CollectionPath<S>,
    overlap: TimeDelta,
    page_size: Option<u32>,
    remember_at_most: usize,
}

impl<S> Clone for IncrementalSync<S> {
    fn clone(&self) -> Self {
        IncrementalSync {
            collection: self.collection.clone(),
            overlap: self.overlap,
            page_size: self.page_size,
            remember_at_most: self.remember_at_most,
        }
    }
}

impl<S> IncrementalSync<S>
where
    S: EntitySet + Filterable,
    S::Entity: ChangeTracked,
{
    /// Syncs `collection`, such as `company.customers()`.
    pub fn new(collection: &impl CollectionHandle<Set = S>) -> IncrementalSync<S> {
        IncrementalSync {
            collection: collection.collection_path().clone(),
            overlap: TimeDelta::from_std(DEFAULT_OVERLAP).unwrap_or(TimeDelta::zero()),
            page_size: None,
            remember_at_most: super::DEFAULT_REMEMBERED_ROWS,
        }
    }

    /// How far behind the watermark each pass starts reading (default
    /// [`DEFAULT_OVERLAP`]). It must exceed the clock difference between
    /// this machine and Business Central and the time a transaction may
    /// take to commit; rows read again are recognised and skipped, so a
    /// generous overlap costs reads, not duplicates. An overlap reaching
    /// back beyond Business Central's earliest timestamp (year 1) reads
    /// from that timestamp on: every row, except those with blank
    /// timestamps, every pass.
    pub fn overlap(mut self, overlap: Duration) -> Self {
        self.overlap = TimeDelta::from_std(overlap).unwrap_or(TimeDelta::MAX);
        self
    }

    /// Asks for pages of at most `n` rows: one batch per page. Smaller
    /// pages mean smaller steps between saved states.
    pub fn page_size(mut self, n: u32) -> Self {
        self.page_size = Some(n);
        self
    }

    /// How many recently changed rows the state remembers (default
    /// [`DEFAULT_REMEMBERED_ROWS`](super::DEFAULT_REMEMBERED_ROWS)).
    pub fn remember_at_most(mut self, rows: usize) -> Self {
        self.remember_at_most = rows.max(1);
        self
    }

    /// The collection being synced.
    pub fn collection(&self) -> &CollectionPath<S> {
        &self.collection
    }

    /// Starts (or, for a state saved in the middle of a pass, continues) a
    /// pass from `state`; a new pass begins now. Refuses a state that
    /// belongs to another collection, and one that claims to have read
    /// further than now plus the overlap window (see
    /// [`StateError::AheadOfTheClock`]): it would skip every change until
    /// then. Nothing is read before [`SyncRun::next_batch`].
    pub fn start(&self, mut state: SyncState) -> Result<SyncRun<S>, StateError> {
        state.bind(self.collection.path())?;
        let began = Utc::now();
        state.check_not_ahead(began, self.overlap)?;
        Ok(SyncRun { sync: self.clone(), state, began, done: false })
    }

    /// The first page of a new pass.
    async fn first_page(&self, since: Option<DateTime<Utc>>) -> Result<Page<S::Entity>, Error> {
        let mut query = self.collection.list();
        if let Some(since) = since {
            query = query.filter(Prop::<<S::Entity as ChangeTracked>::LastModified>::new().ge(since));
        }
        if let Some(n) = self.page_size {
            query = query.page_size(n);
        }
        Page::fetch(query.request()).await
    }

    /// The page a saved next link points at, with the same page size.
    async fn page_at(&self, link: &NextLink) -> Result<Page<S::Entity>, Error> {
        let mut request = link.resume(self.collection.api(), decode::json::<Page<S::Entity>>);
        if let Some(n) = self.page_size {
            request = request.header("Prefer", format!("odata.maxpagesize={n}"));
        }
        Page::fetch(request).await
    }
}

/// One pass of an [`IncrementalSync`] over a [`SyncState`]: call
/// [`next_batch`](SyncRun::next_batch) until it returns `None`, applying
/// each batch and then saving [`state`](SyncRun::state).
#[derive(Debug)]
pub struct SyncRun<S> {
    sync: IncrementalSync<S>,
    state: SyncState,
    /// When the run was started: the moment a new pass begins, which the
    /// watermark never passes.
    began: DateTime<Utc>,
    done: bool,
}

/// The changes of one page.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ChangeBatch<E> {
    /// Rows created or changed since they were last handed out, in the
    /// order the service sent them. Deleted rows never appear here.
    pub changes: Vec<E>,
    /// The pass reads the whole collection (a first sync, or after
    /// [`SyncState::request_full_read`]): rows of the copy that no batch of
    /// this pass contains were deleted, or changed again after being read.
    pub full_read: bool,
    /// This was the last page of the pass; the watermark has moved on.
    pub pass_complete: bool,
    /// Rows on the page that had been handed out before in the same version.
    pub duplicates_skipped: usize,
    /// Rows on the page with a blank or missing `lastModifiedDateTime`:
    /// handed out, but their later changes are invisible to incremental
    /// reads (see the [module docs](super)).
    pub blank_timestamps: usize,
}

impl<S> SyncRun<S>
where
    S: EntitySet + Filterable,
    S::Entity: ChangeTracked,
{
    /// Reads the next page of the pass and returns its changes, with the
    /// [`state`](SyncRun::state) already including them; `None` once the
    /// pass is over. On an error the state is unchanged: calling again (or
    /// resuming from the last saved state) retries the same page.
    pub async fn next_batch(&mut self) -> Result<Option<ChangeBatch<S::Entity>>, Error> {
        if self.done {
            return Ok(None);
        }
        let (mut progress, page) = match self.state.pass_in_progress() {
            Some((progress, link)) => {
                let page = self.sync.page_at(&link).await?;
                (progress, page)
            }
            None => {
                let progress = self.state.begin_pass(self.began, self.sync.overlap);
                let page = self.sync.first_page(progress.since()).await?;
                (progress, page)
            }
        };
        let rows: Vec<RowVersion> = page.items.iter().map(row_version).collect();
        let verdict = self.state.absorb(&mut progress, &rows);
        let full_read = progress.is_full_read();
        let pass_complete = page.next_link.is_none();
        match page.next_link {
            Some(link) => self.state.pause_pass(progress, link, self.sync.remember_at_most),
            None => {
                self.state.finish_pass(progress, self.sync.overlap, self.sync.remember_at_most);
                self.done = true;
            }
        }
        let changes =
            page.items.into_iter().zip(verdict.deliver).filter_map(|(row, keep)| keep.then_some(row)).collect();
        Ok(Some(ChangeBatch {
            changes,
            full_read,
            pass_complete,
            duplicates_skipped: verdict.duplicates,
            blank_timestamps: verdict.blank,
        }))
    }

    /// The state including every batch returned so far: save it once the
    /// last batch has been applied.
    pub fn state(&self) -> &SyncState {
        &self.state
    }

    /// The state, by value (when the run is over or abandoned).
    pub fn into_state(self) -> SyncState {
        self.state
    }
}

fn row_version<E: ChangeTracked>(entity: &E) -> RowVersion {
    let modified = entity.last_modified().map(|moment| moment.with_timezone(&Utc));
    let version = match (entity.etag(), modified) {
        (Some(etag), _) => etag.as_str().to_owned(),
        (None, Some(moment)) => moment.to_rfc3339(),
        (None, None) => String::new(),
    };
    RowVersion { key: entity.key_text(), version, modified }
}
