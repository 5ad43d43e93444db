//! Page prefetch: while the consumer works on page N, page N+1 is already
//! being fetched, so the network and the consumer's own work (writing a
//! file, a database) overlap instead of adding up.
//!
//! The pages are fetched by a task of their own ([`tokio::spawn`]), which
//! keeps reading a page's body while the consumer is busy; outside a tokio
//! runtime the stream fetches in line instead (no overlap, same results).
//! At most `depth` pages are fetched ahead of the consumer, counting the one
//! being fetched: the task reserves a slot in a channel of `depth` slots
//! before it starts a fetch, and the consumer frees one by taking a page.
//! Memory therefore holds the consumer's page plus at most `depth` pages.

use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::Stream;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::{ItemStream, NextLink, Page, PageStream, Pages};
use crate::error::Error;

/// A fetched page (or the failure) and where to continue after it.
type Fetched<T> = (Result<Page<T>, Error>, Option<NextLink>);

/// The pages a prefetching stream has not handed out yet.
enum Source<T> {
    /// A task fetches ahead into the channel.
    Task { pages: mpsc::Receiver<Fetched<T>>, task: JoinHandle<()> },
    /// No tokio runtime: the pages are fetched when asked for (boxed: the
    /// stream's state is larger than the channel's).
    Inline(Box<PageStream<T>>),
}

/// The pages of a collection, fetched up to `depth` pages ahead of the
/// consumer, in the order the service links them. Made by
/// [`PageStream::prefetch`]; dropping it stops the fetching.
#[must_use = "streams do nothing unless polled"]
pub struct PrefetchedPages<T> {
    source: Source<T>,
    /// Where to continue after the pages handed out so far.
    resume_at: Option<NextLink>,
    /// Set once the stream ended with an error, for [`Self::next_link`].
    failed_at: Option<NextLink>,
}

// Pages are moved out by value and never pinned.
impl<T> Unpin for PrefetchedPages<T> {}

impl<T: Send + 'static> PageStream<T> {
    /// Fetches up to `depth` pages ahead of the consumer (`0` is treated as
    /// `1`). Order, limits, origin checks and error handling are those of
    /// this stream; only the timing changes.
    pub fn prefetch(self, depth: usize) -> PrefetchedPages<T> {
        let resume_at = self.next_link();
        let source = match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                let (sender, pages) = mpsc::channel(depth.max(1));
                let task = runtime.spawn(fetch_ahead(self, sender));
                Source::Task { pages, task }
            }
            Err(_) => Source::Inline(Box::new(self)),
        };
        PrefetchedPages { source, resume_at, failed_at: None }
    }
}

/// The fetching task: a slot first, then the page, so that at most
/// `depth` pages are in flight or waiting.
async fn fetch_ahead<T: Send + 'static>(mut pages: PageStream<T>, sender: mpsc::Sender<Fetched<T>>) {
    loop {
        let Ok(slot) = sender.reserve().await else {
            return; // The consumer is gone.
        };
        let Some(page) = std::future::poll_fn(|cx| Pin::new(&mut pages).poll_next(cx)).await else {
            return;
        };
        let failed = page.is_err();
        // What to resume from after this page: its successor, or itself if
        // it failed (the inner stream keeps the failed page's URL).
        slot.send((page, pages.next_link()));
        if failed {
            return;
        }
    }
}

impl<T: Send + 'static> PrefetchedPages<T> {
    /// The page to continue from after the pages handed out so far (store
    /// it to resume an interrupted export with [`NextLink::resume`]), or
    /// the page whose fetch failed. `None` once the collection is complete.
    /// Unlike [`PageStream::next_link`] it is known while fetches are in
    /// flight: pages fetched ahead but not handed out are not skipped.
    pub fn next_link(&self) -> Option<NextLink> {
        self.failed_at.clone().or_else(|| self.resume_at.clone())
    }

    /// Flattens the pages into their items.
    pub fn into_items(self) -> ItemStream<T> {
        ItemStream::from_pages(Pages::Prefetched(self))
    }
}

impl<T: Send + 'static> Stream for PrefetchedPages<T> {
    type Item = Result<Page<T>, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        let (page, next) = match &mut this.source {
            Source::Inline(pages) => match Pin::new(&mut **pages).poll_next(cx) {
                Poll::Ready(Some(page)) => {
                    let next = pages.next_link();
                    (page, next)
                }
                Poll::Ready(None) => return Poll::Ready(None),
                Poll::Pending => return Poll::Pending,
            },
            Source::Task { pages, .. } => match pages.poll_recv(cx) {
                Poll::Ready(Some(received)) => received,
                Poll::Ready(None) => return Poll::Ready(None),
                Poll::Pending => return Poll::Pending,
            },
        };
        match &page {
            Ok(_) => this.resume_at = next,
            Err(_) => this.failed_at = next,
        }
        Poll::Ready(Some(page))
    }
}

impl<T> Drop for PrefetchedPages<T> {
    fn drop(&mut self) {
        if let Source::Task { task, .. } = &self.source {
            task.abort();
        }
    }
}

impl<T> fmt::Debug for PrefetchedPages<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mode = match &self.source {
            Source::Task { .. } => "task",
            Source::Inline(_) => "inline",
        };
        f.debug_struct("PrefetchedPages")
            .field("mode", &mode)
            .field("resume_at", &self.resume_at)
            .field("failed_at", &self.failed_at)
            .finish()
    }
}
