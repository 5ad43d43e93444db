//! Partitioned parallel export of a whole (filtered) entity set.
//!
//! One stream reads one page at a time, and the service takes its time per
//! page; a service that allows a few concurrent requests per user serves a
//! large export several times faster when it is read in parallel. The
//! collection is split into ranges of a unique, sortable, filterable
//! property (`entryNumber` for ledger entries), each read in order by one
//! of `concurrency + 1` workers (one request waits for a free slot, so the
//! service never idles); a worker that runs out of ranges splits the
//! unread rest of the range with the most rows left (work stealing), so
//! ranges of very different sizes still keep every worker busy to the end.
//!
//! - **Exactly once:** ranges are disjoint and cover the whole key space;
//!   a range split while being read keeps only the rows below the split
//!   (see `plan.rs`). The property must be unique (a key or alternate key):
//!   rows whose keys do not increase strictly end the export with an error
//!   rather than risk losing or repeating one.
//! - **Order:** rows arrive in key order within a range; ranges interleave.
//! - **Whole pages:** ranges are cut and split at page boundaries, as far
//!   as the rows per key tell, and a range whose bound a split lowered is
//!   asked for again with it: each request brings a full page but the last
//!   of a range, and no page is fetched only for its rows to be dropped.
//! - **Memory:** at most `concurrency + 1` pages are fetched or waiting,
//!   plus the batch the consumer holds: a worker reserves a place in the
//!   consumer's queue before it fetches.
//! - **Failures:** 429 and 503 are retried by the client's retry policy. A
//!   failure that remains ends the stream; [`ExportStream::checkpoint`]
//!   says what was handed out, and [`ParallelExport::resume`] continues from
//!   it, re-reading nothing the consumer took.
//! - **Progress:** rows and pages handed out, ranges finished, and the
//!   total when the service answers `$count` ([`ExportProgress`]).

mod key;
mod plan;

use std::fmt;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};

use futures_core::Stream;
use futures_util::future::Either;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;
use tokio::task::JoinSet;

use crate::entity::{EntitySet, Filterable, Sortable};
use crate::error::Error;
use crate::literal::IntoLiteral;
use crate::paging::{Page, PageStream};
use crate::property::{Equatable, Ordered, Prop, Property};
use crate::query::ListQuery;
use crate::value::Edm;

pub use key::PartitionKey;
use plan::{Plan, Rejected};

/// Requests in flight at once when neither the caller nor the client's
/// cap on concurrent requests says otherwise.
const DEFAULT_CONCURRENCY: usize = 4;

/// Reads the key of a row; `None` if the row has no value for it.
type KeyOf<E, K> = Arc<dyn Fn(&E) -> Option<K> + Send + Sync>;

/// A parallel export of the rows a [`ListQuery`] matches, split on one
/// property. Made by [`ListQuery::export_by`]; run it with
/// [`start`](Self::start) or continue an interrupted one with
/// [`resume`](Self::resume). `R` is the query's row type: the entity, or
/// a [`Projection`](crate::Projection) of it.
pub struct ParallelExport<S: EntitySet, P: Property<Entity = S::Entity>, R = <S as EntitySet>::Entity> {
    query: ListQuery<S, R>,
    property: Prop<P>,
    key_of: KeyOf<R, P::Inner>,
    concurrency: usize,
    partitions: usize,
}

impl<S: EntitySet, R: DeserializeOwned + Send + 'static> ListQuery<S, R> {
    /// Reads every matching row in parallel, split into ranges of
    /// `property`, which must be unique (a key or alternate key), sortable
    /// and filterable; `key_of` reads it from a row (an entity, or the
    /// projection after [`select_as`](ListQuery::select_as), which must then
    /// hold the property). The query's filter, `select`, `expand` and
    /// projection apply to every range; it must not use `$top`, `$skip` or
    /// `$orderby` (each range is ordered by `property`).
    ///
    /// ```no_run
    /// # use odata_v4_runtime::{EntitySet, Error, Filterable, ListQuery, Prop, Property, Sortable};
    /// # trait HasEntryNumber { fn entry_number(&self) -> Option<i32>; }
    /// # async fn export<S, P>(query: ListQuery<S>, entry_number: Prop<P>) -> Result<(), Error>
    /// # where
    /// #     S: EntitySet + Filterable + Sortable,
    /// #     S::Entity: HasEntryNumber,
    /// #     P: Property<Entity = S::Entity, Inner = i32> + Send + Sync,
    /// # {
    /// use futures_util::StreamExt;
    ///
    /// let mut export = query.export_by(entry_number, |row| row.entry_number()).concurrency(5).start();
    /// while let Some(batch) = export.next().await {
    ///     let batch = batch?;
    ///     // Write batch.rows somewhere, then persist `export.checkpoint()` with them.
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn export_by<P>(
        self,
        property: Prop<P>,
        key_of: impl Fn(&R) -> Option<P::Inner> + Send + Sync + 'static,
    ) -> ParallelExport<S, P, R>
    where
        S: Filterable + Sortable,
        P: Property<Entity = S::Entity> + Send + Sync,
        P::Inner: PartitionKey + Ordered + Edm + IntoLiteral<P::Inner>,
    {
        // As many requests as the client lets through at once: one worker
        // more then always waits at the client's cap for a free slot.
        let concurrency = self.api().client().max_concurrent_requests().unwrap_or(DEFAULT_CONCURRENCY).max(1);
        ParallelExport { query: self, property, key_of: Arc::new(key_of), concurrency, partitions: concurrency * 2 }
    }
}

impl<S, P, R> ParallelExport<S, P, R>
where
    S: EntitySet + Filterable + Sortable,
    R: DeserializeOwned + Send + 'static,
    P: Property<Entity = S::Entity> + Send + Sync,
    P::Inner: PartitionKey + Ordered + Equatable + Edm + IntoLiteral<P::Inner>,
{
    /// How many requests the service serves at once for this export
    /// (default: the client's cap on concurrent requests, 5 for Business
    /// Central's environments, or 4 without a cap).
    /// One more range is read than this, its request waiting for a free
    /// slot (at the client's cap on concurrent requests, or in the
    /// service's queue), so the service never waits for the client.
    pub fn concurrency(mut self, workers: usize) -> Self {
        self.concurrency = workers.max(1);
        self
    }

    /// How many ranges the key space is cut into at the start (default:
    /// twice the concurrency), of whole pages when the service answers
    /// `$count` and a page size is asked for. Work stealing splits busy
    /// ranges later, so this only needs to be about the concurrency.
    pub fn partitions(mut self, count: usize) -> Self {
        self.partitions = count.max(1);
        self
    }

    /// Starts the export: finds the lowest and highest key (two one-row
    /// requests) and the number of matches (`$count`), cuts the ranges, and
    /// starts the workers. The lowest range's first page is asked for with
    /// those requests, from the bottom of the collection. Needs a tokio
    /// runtime.
    pub fn start(self) -> ExportStream<R, P::Inner> {
        self.launch(None)
    }

    /// Continues an export from a checkpoint taken from an earlier run of
    /// the same query ([`ExportStream::checkpoint`]): rows the consumer had
    /// taken are not read again.
    pub fn resume(self, checkpoint: &ExportCheckpoint) -> ExportStream<R, P::Inner> {
        self.launch(Some(checkpoint.clone()))
    }

    fn launch(self, checkpoint: Option<ExportCheckpoint>) -> ExportStream<R, P::Inner> {
        let (sender, receiver) = mpsc::channel(self.workers());
        let shared = Arc::new(Shared {
            plan: Mutex::new(Plan::whole()),
            progress: Mutex::new(ExportProgress::default()),
            fingerprint: self.fingerprint(),
            changed: tokio::sync::Notify::new(),
            failed: std::sync::atomic::AtomicBool::new(false),
        });
        let state = shared.clone();
        let mut tasks = JoinSet::new();
        let refused = match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                tasks.spawn_on(Self::coordinate(self, checkpoint, state, sender), &runtime);
                None
            }
            Err(_) => {
                Some(Error::InvalidRequest("a parallel export runs on a tokio runtime; none is running".to_owned()))
            }
        };
        ExportStream { receiver, shared, tasks, refused, ended: false }
    }

    /// The workers: one per request served at once, plus one waiting.
    fn workers(&self) -> usize {
        self.concurrency + 1
    }

    /// What a checkpoint must match to be resumed by this export.
    fn fingerprint(&self) -> String {
        format!("{}?{}", P::NAME, self.query.query_string())
    }

    /// The query for one range: the base query, the range's bounds, ordered by the property.
    fn range_query(&self, start: Option<(P::Inner, bool)>, upper: Option<P::Inner>) -> ListQuery<S, R> {
        let mut query = self.query.clone();
        query.clear_ordering();
        match start {
            Some((key, true)) => query = query.filter(self.property.gt(key)),
            Some((key, false)) => query = query.filter(self.property.ge(key)),
            None => {}
        }
        if let Some(upper) = upper {
            query = query.filter(self.property.lt(upper));
        }
        query.order_by(self.property.asc()).prefetch(0)
    }
}

impl<S: EntitySet, P: Property<Entity = S::Entity>, R> fmt::Debug for ParallelExport<S, P, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ParallelExport")
            .field("query", &self.query)
            .field("property", &P::NAME)
            .field("concurrency", &self.concurrency)
            .field("partitions", &self.partitions)
            .finish()
    }
}

/// State the workers and the consumer share.
struct Shared<K> {
    plan: Mutex<Plan<K>>,
    progress: Mutex<ExportProgress>,
    fingerprint: String,
    /// Woken when a range reports a page or ends: an idle worker waits for
    /// it, since the range still being read may become worth splitting.
    changed: tokio::sync::Notify,
    /// A worker failed: the export ends, nobody waits for more work.
    failed: std::sync::atomic::AtomicBool,
}

/// What a worker sends the consumer.
struct Delivery<E, K> {
    partition: usize,
    rows: Vec<E>,
    last: Option<K>,
    drained: bool,
}

type Sender<E, K> = mpsc::Sender<Result<Delivery<E, K>, Error>>;

/// A fetch of a range's next page, handing back the stream that follows
/// its link.
type PageFetch<R> = Pin<Box<dyn Future<Output = (Option<Result<Page<R>, Error>>, PageStream<R>)> + Send>>;

/// The first range's reader before the plan exists: its page is fetched
/// while the probes run, in a place of the consumer's queue reserved first.
struct FirstRead<R, K> {
    slot: mpsc::OwnedPermit<Result<Delivery<R, K>, Error>>,
    fetch: PageFetch<R>,
}

/// The page size the export's requests ask for (`Prefer:
/// odata.maxpagesize`, the query's or else the client's), if any: what
/// the ranges are cut to whole pages of. A service may send smaller pages;
/// the cuts are then only less even.
fn asked_page_size<S: EntitySet, R: DeserializeOwned + Send + 'static>(query: &ListQuery<S, R>) -> Option<usize> {
    let request = query.request();
    let asked = request.headers.get("Prefer").and_then(|prefer| {
        prefer
            .split(',')
            .find_map(|preference| preference.trim().strip_prefix("odata.maxpagesize=")?.parse::<u32>().ok())
    });
    let size = asked.or_else(|| query.api().client().max_page_size())?;
    usize::try_from(size).ok().filter(|size| *size > 0)
}

impl<S, P, R> ParallelExport<S, P, R>
where
    S: EntitySet + Filterable + Sortable,
    R: DeserializeOwned + Send + 'static,
    P: Property<Entity = S::Entity> + Send + Sync,
    P::Inner: PartitionKey + Ordered + Equatable + Edm + IntoLiteral<P::Inner>,
{
    /// Sets up the plan (from the data or the checkpoint) and runs the workers.
    async fn coordinate(
        export: Self,
        checkpoint: Option<ExportCheckpoint>,
        shared: Arc<Shared<P::Inner>>,
        sender: Sender<R, P::Inner>,
    ) {
        let (planned, first) = match checkpoint {
            Some(checkpoint) => (checkpoint.plan(&shared.fingerprint), None),
            None => {
                // The lowest range is read from the bottom of the collection
                // whatever the probes find, so its first page is asked for
                // with them rather than after them: the consumer has rows a
                // probe's time sooner, and the service one request more to
                // work on while the others wait for the plan.
                let Ok(slot) = sender.clone().reserve_owned().await else { return };
                let mut pages = export.range_query(None, None).pages();
                let mut fetch: PageFetch<R> = Box::pin(async move {
                    let page = std::future::poll_fn(|cx| Pin::new(&mut pages).poll_next(cx)).await;
                    (page, pages)
                });
                let probes = std::pin::pin!(Self::discover(&export));
                let discovered = match futures_util::future::select(probes, &mut fetch).await {
                    Either::Left((discovered, _)) => discovered,
                    Either::Right((fetched, probes)) => {
                        fetch = Box::pin(std::future::ready(fetched));
                        probes.await
                    }
                };
                let planned = discovered.map(|(plan, total)| {
                    lock(&shared.progress).estimated_total = total;
                    plan
                });
                (planned, Some(FirstRead { slot, fetch }))
            }
        };
        let plan = match planned {
            Ok(plan) => plan,
            Err(error) => {
                let _ = sender.send(Err(error)).await;
                return;
            }
        };
        lock(&shared.progress).partitions = plan.partitions.len();
        let mut first = {
            let mut locked = lock(&shared.plan);
            *locked = plan;
            // A fresh plan's first range is its lowest, open below: what the
            // first page holds.
            first.and_then(|first| {
                let index = locked.claim()?;
                // Its page is on the way.
                locked.fetching(index);
                Some((first, index))
            })
        };
        let export = Arc::new(export);
        let mut workers = JoinSet::new();
        // One worker more than the requests the service serves at once: its
        // request waits (at the client's cap or in the service's queue) and
        // starts the moment a slot frees, so the service never idles while a
        // worker decodes its page and prepares the next request.
        for at in 0..export.workers() {
            let first = if at == 0 { first.take() } else { None };
            workers.spawn(Self::work(export.clone(), shared.clone(), sender.clone(), first));
        }
        drop(sender);
        while workers.join_next().await.is_some() {}
    }

    /// The lowest and highest key and the number of matches.
    async fn discover(export: &Self) -> Result<(Plan<P::Inner>, Option<u64>), Error> {
        let base = &export.query;
        if base.has_paging_options() {
            return Err(Error::InvalidRequest(
                "a parallel export reads whole ranges: remove $top and $skip from the query".to_owned(),
            ));
        }
        let end = |descending: bool| {
            let mut query = base.clone();
            query.clear_ordering();
            let key = if descending { export.property.desc() } else { export.property.asc() };
            crate::paging::Page::fetch(query.order_by(key).top(1).request())
        };
        let (lowest, highest, total) =
            futures_util::future::join3(end(false), end(true), base.count_request().into_future()).await;
        let key = |page: crate::paging::Page<R>| -> Result<Option<P::Inner>, Error> {
            match page.items.first() {
                None => Ok(None),
                Some(row) => (export.key_of)(row).map(Some).ok_or_else(|| {
                    Error::InvalidRequest(format!("a row has no `{}`: it cannot be placed in a range", P::NAME))
                }),
            }
        };
        let plan = match (key(lowest?)?, key(highest?)?, total.as_ref().ok(), asked_page_size(base)) {
            (Some(lowest), Some(highest), Some(rows), Some(page_rows)) => {
                Plan::split_in_pages(lowest, highest, export.partitions, *rows, page_rows)
            }
            (Some(lowest), Some(highest), ..) => Plan::split(lowest, highest, export.partitions),
            _ => Plan::whole(),
        };
        // The count only informs progress: a service that refuses it still exports.
        Ok((plan, total.ok()))
    }

    /// One worker: reads ranges until none is left to read or split. The
    /// first worker of a fresh export starts with the lowest range's first
    /// page, fetched while the plan was made (`first`: it and the range).
    async fn work(
        export: Arc<Self>,
        shared: Arc<Shared<P::Inner>>,
        sender: Sender<R, P::Inner>,
        mut first: Option<(FirstRead<R, P::Inner>, usize)>,
    ) {
        use std::sync::atomic::Ordering;
        loop {
            let outcome = match first.take() {
                Some((first, index)) => Self::read_first(&export, &shared, &sender, index, first).await,
                None => {
                    // Registered before the plan is looked at, so that a page
                    // accepted in between still wakes this worker.
                    let mut changed = std::pin::pin!(shared.changed.notified());
                    changed.as_mut().enable();
                    let (claimed, reading) = {
                        let mut plan = lock(&shared.plan);
                        let claimed = plan.claim().or_else(|| plan.steal());
                        (claimed, plan.any_reading())
                    };
                    let Some(index) = claimed else {
                        // Nothing to claim or split now. While another range is
                        // being read it may become worth splitting (its reader
                        // has not reported a page yet, or has more rows than
                        // thought): wait for it rather than leave the rest of
                        // the export to one worker.
                        if !reading || shared.failed.load(Ordering::SeqCst) || sender.is_closed() {
                            return;
                        }
                        changed.await;
                        continue;
                    };
                    Self::read_range(&export, &shared, &sender, index, None).await
                }
            };
            if outcome.is_err() {
                shared.failed.store(true, Ordering::SeqCst);
            }
            shared.changed.notify_waiters();
            if let Err(error) = outcome {
                // The consumer may be gone already; nothing else to tell.
                let _ = sender.send(Err(error)).await;
                return;
            }
        }
    }

    /// Hands out the first page of the lowest range (fetched from the bottom
    /// of the collection, before its upper bound was known), then reads the
    /// rest of the range.
    async fn read_first(
        export: &Self,
        shared: &Shared<P::Inner>,
        sender: &Sender<R, P::Inner>,
        index: usize,
        first: FirstRead<R, P::Inner>,
    ) -> Result<(), Error> {
        let (page, pages) = first.fetch.await;
        let Some(page) = page else { return Ok(()) };
        let delivery = Self::take_page(export, shared, index, page?, None)?;
        let drained = delivery.drained;
        first.slot.send(Ok(delivery));
        if drained {
            return Ok(());
        }
        // Asked for without an upper bound: unless the range is open above,
        // the next request is made with its bound.
        Self::read_range(export, shared, sender, index, Some((pages, None))).await
    }

    /// Reads one range page by page, handing its rows to the consumer: from
    /// where it stands, or on from `current` (a query of the range and the
    /// upper bound it was made with).
    async fn read_range(
        export: &Self,
        shared: &Shared<P::Inner>,
        sender: &Sender<R, P::Inner>,
        index: usize,
        mut current: Option<(PageStream<R>, Option<P::Inner>)>,
    ) -> Result<(), Error> {
        loop {
            // A place in the consumer's queue before the fetch: the memory bound.
            let Ok(slot) = sender.reserve().await else { return Ok(()) };
            let (start, upper) = {
                let mut plan = lock(&shared.plan);
                let upper = plan.fetching(index);
                (plan.partitions[index].start(), upper)
            };
            // The range's first query, or a split lowered its bound since the
            // query was made: asked again with the bound, the service stops at
            // it, where the old query's links would go on to a page past it
            // whose rows are only dropped.
            let fresh = current.as_ref().is_none_or(|(_, asked)| *asked != upper);
            if fresh {
                current = Some((export.range_query(start.clone(), upper.clone()).pages(), upper));
            }
            let asked_from = if fresh { start } else { None };
            let Some((pages, _)) = current.as_mut() else { return Ok(()) };
            let Some(page) = std::future::poll_fn(|cx| Pin::new(&mut *pages).poll_next(cx)).await else {
                // Only a limit ends a stream without a last page; ranges have none.
                return Ok(());
            };
            let delivery = Self::take_page(export, shared, index, page?, asked_from)?;
            let drained = delivery.drained;
            slot.send(Ok(delivery));
            if drained {
                return Ok(());
            }
        }
    }

    /// Checks a page of range `index` against the plan: the rows that belong
    /// to the range, ready for the consumer. `asked_from` is where the page's
    /// query started, for the first page of a query: a row at or below it was
    /// not asked for.
    fn take_page(
        export: &Self,
        shared: &Shared<P::Inner>,
        index: usize,
        mut page: Page<R>,
        asked_from: Option<(P::Inner, bool)>,
    ) -> Result<Delivery<R, P::Inner>, Error> {
        let keys = page.items.iter().map(|row| (export.key_of)(row)).collect::<Option<Vec<_>>>().ok_or_else(|| {
            Error::InvalidRequest(format!("a row has no `{}`: it cannot be placed in a range", P::NAME))
        })?;
        let below_asked = match (&asked_from, keys.first()) {
            (Some((from, true)), Some(key)) => key <= from,
            (Some((from, false)), Some(key)) => key < from,
            _ => false,
        };
        let more = page.next_link.is_some();
        let accepted =
            if below_asked { Err(Rejected::BelowRange) } else { lock(&shared.plan).accept(index, &keys, more) };
        let accepted = accepted.map_err(|rejected| match rejected {
        Rejected::NotIncreasing => Error::InvalidRequest(format!(
            "`{}` did not increase strictly from row to row: a parallel export needs a unique property the service orders by",
            P::NAME
        )),
        Rejected::BelowRange => Error::InvalidRequest(format!(
            "the service sent a row whose `{}` lies below the range it was asked for: it did not apply the \
             range's $filter, and a parallel export cannot hand out each row once without it; read the \
             collection with one stream instead",
            P::NAME
        )),
    })?;
        // An idle worker may now find this range worth splitting.
        shared.changed.notify_waiters();
        page.items.truncate(accepted.keep);
        let last = accepted.keep.checked_sub(1).map(|at| keys[at].clone());
        Ok(Delivery { partition: index, rows: page.items, last, drained: accepted.drained })
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Rows of one range, in key order.
#[derive(Debug)]
#[non_exhaustive]
pub struct ExportBatch<E> {
    /// Which range the rows come from (ranges are numbered as they are made).
    pub partition: usize,
    /// The rows, in key order; the next batch of the same range continues
    /// after the last of them.
    pub rows: Vec<E>,
}

/// How far an export has come.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ExportProgress {
    /// Rows handed to the consumer.
    pub rows: u64,
    /// Pages handed to the consumer.
    pub pages: u64,
    /// Ranges whose last rows were handed out.
    pub partitions_done: usize,
    /// Ranges so far (work stealing adds some as it splits).
    pub partitions: usize,
    /// The number of matching rows when the export started (`$count`), if
    /// the service said.
    pub estimated_total: Option<u64>,
}

/// The rows of a running export, a batch (one page of one range) at a time.
/// Made by [`ParallelExport::start`] or [`ParallelExport::resume`];
/// dropping it stops the workers.
#[must_use = "streams do nothing unless polled"]
pub struct ExportStream<E, K> {
    receiver: mpsc::Receiver<Result<Delivery<E, K>, Error>>,
    shared: Arc<Shared<K>>,
    tasks: JoinSet<()>,
    refused: Option<Error>,
    ended: bool,
}

impl<E, K> Unpin for ExportStream<E, K> {}

impl<E, K: PartitionKey + Edm> ExportStream<E, K> {
    /// Rows and pages handed out so far, ranges done, and the total.
    pub fn progress(&self) -> ExportProgress {
        *lock(&self.shared.progress)
    }

    /// What has been handed out so far, to resume from after a failure:
    /// persist it together with the rows it covers (in one transaction, or
    /// after they are durable) and pass it to [`ParallelExport::resume`].
    pub fn checkpoint(&self) -> ExportCheckpoint {
        ExportCheckpoint::of(&lock(&self.shared.plan), &self.shared.fingerprint)
    }
}

impl<E, K: PartitionKey> Stream for ExportStream<E, K> {
    type Item = Result<ExportBatch<E>, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if this.ended {
            return Poll::Ready(None);
        }
        if let Some(error) = this.refused.take() {
            this.ended = true;
            return Poll::Ready(Some(Err(error)));
        }
        match this.receiver.poll_recv(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(None) => {
                this.ended = true;
                Poll::Ready(None)
            }
            Poll::Ready(Some(Err(error))) => {
                // The export stops at its first lasting failure; the
                // checkpoint tells where to resume.
                this.ended = true;
                this.tasks.abort_all();
                Poll::Ready(Some(Err(error)))
            }
            Poll::Ready(Some(Ok(delivery))) => {
                let mut plan = lock(&this.shared.plan);
                plan.consumed(delivery.partition, delivery.last, delivery.drained);
                let partitions = plan.partitions.len();
                let done = plan.partitions.iter().filter(|p| p.finished).count();
                drop(plan);
                let mut progress = lock(&this.shared.progress);
                progress.rows += delivery.rows.len() as u64;
                progress.pages += 1;
                progress.partitions = partitions;
                progress.partitions_done = done;
                Poll::Ready(Some(Ok(ExportBatch { partition: delivery.partition, rows: delivery.rows })))
            }
        }
    }
}

impl<E, K> Drop for ExportStream<E, K> {
    fn drop(&mut self) {
        self.tasks.abort_all();
    }
}

impl<E, K> fmt::Debug for ExportStream<E, K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExportStream")
            .field("progress", &*lock(&self.shared.progress))
            .field("ended", &self.ended)
            .finish_non_exhaustive()
    }
}

/// Where an export stood: each range's bounds, what the consumer had taken
/// of it, and whether it was finished. Serializes with serde (keys as their
/// OData JSON text), so a job can store it and resume after a crash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportCheckpoint {
    /// The partition property and the query's options: a checkpoint only
    /// resumes the export it was taken from.
    query: String,
    ranges: Vec<CheckpointRange>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct CheckpointRange {
    lower: Option<String>,
    upper: Option<String>,
    after: Option<String>,
    finished: bool,
}

impl ExportCheckpoint {
    fn of<K: PartitionKey + Edm>(plan: &Plan<K>, fingerprint: &str) -> ExportCheckpoint {
        let text = |key: &Option<K>| key.as_ref().map(Edm::to_json);
        ExportCheckpoint {
            query: fingerprint.to_owned(),
            ranges: plan
                .partitions
                .iter()
                .map(|p| CheckpointRange {
                    lower: text(&p.lower),
                    upper: text(&p.upper),
                    after: text(&p.consumed),
                    finished: p.finished,
                })
                .collect(),
        }
    }

    /// Whether every row was handed out.
    pub fn is_complete(&self) -> bool {
        self.ranges.iter().all(|range| range.finished)
    }

    fn plan<K: PartitionKey + Edm>(&self, fingerprint: &str) -> Result<Plan<K>, Error> {
        if self.query != fingerprint {
            return Err(Error::InvalidRequest(format!(
                "the checkpoint was taken from another export ({}), not from {fingerprint}",
                self.query
            )));
        }
        let key = |text: &Option<String>| -> Result<Option<K>, Error> {
            text.as_deref()
                .map(|text| {
                    serde_json::from_str::<crate::value::De<K>>(text).map(|d| d.0).map_err(|e| {
                        Error::InvalidRequest(format!("the checkpoint holds an unreadable key {text}: {e}"))
                    })
                })
                .transpose()
        };
        let mut partitions = Vec::with_capacity(self.ranges.len());
        for range in &self.ranges {
            partitions.push(plan::Partition::resumed(
                key(&range.lower)?,
                key(&range.upper)?,
                key(&range.after)?,
                range.finished,
            ));
        }
        let plan = Plan::resumed(partitions);
        Ok(plan)
    }
}
