//! `ListQuery` (a collection read) and `GetQuery` (a single-entity read).

use std::marker::PhantomData;

use serde::de::DeserializeOwned;

use super::options::{Expandable, IntoOrderKey, Options, SelectList};
use crate::api::Api;
use crate::decode;
use crate::entity::{EntitySet, Filterable, Sortable};
use crate::error::Error;
use crate::filter::IntoFilter;
use crate::http::Method;
use crate::operation::OperationKind;
use crate::paging::{ItemStream, NextLink, Page, PageStream};
use crate::projection::{Projection, WholeEntity};
use crate::request::{Request, Target};

/// A read of a collection. Build it with `filter`, `select`, `expand`,
/// `order_by`, `top`, `skip` and `count`, then `stream()` the entities,
/// `collect()` them, or fetch one `page()` at a time.
///
/// `R` is the type of the rows it reads: the set's entity type, or a
/// [`Projection`] of it after [`select_as`](Self::select_as).
#[must_use = "a query does nothing until it is sent or streamed"]
pub struct ListQuery<S: EntitySet, R = <S as EntitySet>::Entity> {
    api: Api,
    path: String,
    options: Options<S::Entity>,
    page_size: Option<u32>,
    /// Pages fetched ahead of the consumer by `stream()`; 0: none.
    prefetch: usize,
    set: PhantomData<fn() -> S>,
    rows: PhantomData<fn() -> R>,
}

/// Pages a stream fetches ahead of its consumer unless told otherwise.
const DEFAULT_PREFETCH: usize = 1;

impl<S: EntitySet, R> Clone for ListQuery<S, R> {
    fn clone(&self) -> Self {
        ListQuery {
            api: self.api.clone(),
            path: self.path.clone(),
            options: self.options.clone(),
            page_size: self.page_size,
            prefetch: self.prefetch,
            set: PhantomData,
            rows: PhantomData,
        }
    }
}

impl<S: EntitySet, R> std::fmt::Debug for ListQuery<S, R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // As errors show it: no user info, no query values unless opted in.
        f.debug_struct("ListQuery").field("url", &self.api.client().url_for_errors(&self.url())).finish()
    }
}

impl<S: EntitySet> ListQuery<S> {
    pub(crate) fn new(api: Api, path: String) -> Self {
        ListQuery {
            api,
            path,
            options: Options::new(),
            page_size: None,
            prefetch: DEFAULT_PREFETCH,
            set: PhantomData,
            rows: PhantomData,
        }
    }
}

impl<S: EntitySet, R> ListQuery<S, R> {
    /// Keeps only entities that match; several calls are combined with `and`.
    pub fn filter(mut self, condition: impl IntoFilter<S::Entity>) -> Self
    where
        S: Filterable,
    {
        self.options.add_filter(condition.into_filter());
        self
    }

    /// Fetches only these properties (the key and non-nullable properties
    /// are always included so the result type can be filled). The rows
    /// are still whole entities, the other fields `None`;
    /// [`select_as`](Self::select_as) reads rows that hold only what they select.
    pub fn select(mut self, fields: impl SelectList<S::Entity>) -> Self
    where
        R: WholeEntity<S::Entity>,
    {
        self.options.add_select(fields);
        self
    }

    /// Includes related entities, optionally with nested options.
    pub fn expand(mut self, navigation: impl Expandable<S::Entity>) -> Self
    where
        R: WholeEntity<S::Entity>,
    {
        self.options.add_expand(navigation);
        self
    }

    /// Reads rows of the projection `P` instead: `$select` names exactly
    /// its properties and `$expand` its nested projections (replacing any
    /// `select` and `expand` so far); filters, ordering, paging and the
    /// export keep working on the set's properties.
    pub fn select_as<P: Projection<S::Entity>>(self) -> ListQuery<S, P> {
        let mut options = self.options;
        options.project::<P>();
        ListQuery {
            api: self.api,
            path: self.path,
            options,
            page_size: self.page_size,
            prefetch: self.prefetch,
            set: PhantomData,
            rows: PhantomData,
        }
    }

    /// Orders by a property (ascending) or `property.desc()`; call again for
    /// further keys.
    pub fn order_by(mut self, key: impl IntoOrderKey<S::Entity>) -> Self
    where
        S: Sortable,
    {
        self.options.add_order(key);
        self
    }

    /// Returns at most `n` entities in total; streaming stops there.
    pub fn top(mut self, n: u64) -> Self {
        self.options.raw.top = Some(n);
        self
    }

    /// Skips the first `n` matching entities.
    pub fn skip(mut self, n: u64) -> Self {
        self.options.raw.skip = Some(n);
        self
    }

    /// Asks for the total number of matches (`Page::count`).
    pub fn count(mut self) -> Self {
        self.options.raw.count = true;
        self
    }

    /// Asks the service for pages of at most `n` entities
    /// (`Prefer: odata.maxpagesize`), overriding the client's setting.
    /// A size of 0, or above the service's
    /// [page size limit](crate::Client::page_size_limit), is refused when
    /// the query is sent.
    pub fn page_size(mut self, n: u32) -> Self {
        self.page_size = Some(n);
        self
    }

    /// How many pages [`stream`](Self::stream) fetches ahead of its consumer
    /// (default 1: page N+1 is fetched while page N is consumed; 0: each
    /// page is fetched only once the previous one is used up). Memory holds
    /// the page being consumed plus `depth` pages.
    pub fn prefetch(mut self, depth: usize) -> Self {
        self.prefetch = depth;
        self
    }

    /// The encoded query string (without `?`) this query sends.
    pub fn query_string(&self) -> String {
        self.options.clone().into_raw().to_query_string(self.api.profile())
    }

    /// The absolute URL of the first page.
    pub fn url(&self) -> String {
        self.api.url(&self.path, &self.query_string())
    }

    /// The API the query reads from.
    pub fn api(&self) -> &Api {
        &self.api
    }

    /// Drops `$orderby` (a parallel export orders each range itself).
    pub(crate) fn clear_ordering(&mut self) {
        self.options.raw.order_by.clear();
    }

    /// Whether `$top` or `$skip` is set.
    pub(crate) fn has_paging_options(&self) -> bool {
        self.options.raw.top.is_some() || self.options.raw.skip.is_some()
    }

    fn limit(&self) -> Option<usize> {
        self.options.raw.top.map(|top| usize::try_from(top).unwrap_or(usize::MAX))
    }

    /// The number of matching entities (`…/$count` with the same filter).
    pub fn count_request(&self) -> Request<u64> {
        let mut raw = self.options.clone().into_raw();
        raw.select.clear();
        raw.expand.clear();
        raw.order_by.clear();
        raw.top = None;
        raw.skip = None;
        raw.count = false;
        let query = raw.to_query_string(self.api.profile());
        let target = Target::Relative { path: format!("{}/$count", self.path), query };
        Request::new(self.api.clone(), Method::Get, target, OperationKind::Read, decode::count)
            .header("Accept", "text/plain")
    }
}

impl<S: EntitySet, R: DeserializeOwned + Send + 'static> ListQuery<S, R> {
    /// The request for the first page (to send, or to put in a `$batch`).
    pub fn request(&self) -> Request<Page<R>> {
        self.request_to(Target::Relative { path: self.path.clone(), query: self.query_string() })
    }

    /// A page request with this query's headers, to `target`.
    fn request_to(&self, target: Target) -> Request<Page<R>> {
        let request = Request::new(self.api.clone(), Method::Get, target, OperationKind::Read, decode::json::<Page<R>>);
        let limit = self.api.client().page_size_limit().unwrap_or(u32::MAX);
        match self.page_size {
            Some(n) if (1..=limit).contains(&n) => request.header("Prefer", format!("odata.maxpagesize={n}")),
            Some(n) => request.rejected(format!("a page size of {n} is outside 1..={limit}")),
            None => request,
        }
    }

    /// Every matching entity, following `@odata.nextLink` page by page,
    /// with the next page fetched while the current one is consumed (see
    /// [`prefetch`](Self::prefetch)).
    pub fn stream(&self) -> ItemStream<R> {
        self.items(PageStream::new(self.request(), self.limit()))
    }

    fn items(&self, pages: PageStream<R>) -> ItemStream<R> {
        match self.prefetch {
            0 => pages.into_items(),
            depth => pages.prefetch(depth).into_items(),
        }
    }

    /// The pages themselves, each with its next link (to resume later),
    /// fetched one after the other; [`PageStream::prefetch`] fetches ahead.
    pub fn pages(&self) -> PageStream<R> {
        PageStream::new(self.request(), self.limit())
    }

    /// The page a saved [`NextLink`] points at, as a request with this
    /// query's headers (page size included).
    fn resumed(&self, link: &NextLink) -> Request<Page<R>> {
        self.request_to(Target::Absolute(link.as_str().to_owned()))
    }

    /// Continues an interrupted export: every entity from the page `link`
    /// points at onwards. The link already carries the query's options; the
    /// `$top` limit is not re-applied across the resumption.
    pub fn resume_from(&self, link: &NextLink) -> ItemStream<R> {
        self.items(PageStream::new(self.resumed(link), None))
    }

    /// Like [`resume_from`](Self::resume_from), page by page.
    pub fn pages_from(&self, link: &NextLink) -> PageStream<R> {
        PageStream::new(self.resumed(link), None)
    }

    /// The first page only, with its next link.
    pub async fn first_page(&self) -> Result<Page<R>, Error> {
        Page::fetch(self.request()).await
    }

    /// Every matching entity, collected into a `Vec`.
    pub async fn collect(&self) -> Result<Vec<R>, Error> {
        self.stream().collect_all().await
    }
}

/// A read of one entity, with optional `select` and `expand`, or of a
/// [`Projection`] of it after [`select_as`](Self::select_as) (`R`).
#[must_use = "a query does nothing until it is sent"]
pub struct GetQuery<S: EntitySet, R = <S as EntitySet>::Entity> {
    api: Api,
    path: String,
    options: Options<S::Entity>,
    set: PhantomData<fn() -> S>,
    rows: PhantomData<fn() -> R>,
}

impl<S: EntitySet, R> Clone for GetQuery<S, R> {
    fn clone(&self) -> Self {
        GetQuery {
            api: self.api.clone(),
            path: self.path.clone(),
            options: self.options.clone(),
            set: PhantomData,
            rows: PhantomData,
        }
    }
}

impl<S: EntitySet, R> std::fmt::Debug for GetQuery<S, R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GetQuery").field("url", &self.api.client().url_for_errors(&self.url())).finish()
    }
}

impl<S: EntitySet> GetQuery<S> {
    pub(crate) fn new(api: Api, path: String) -> Self {
        GetQuery { api, path, options: Options::new(), set: PhantomData, rows: PhantomData }
    }
}

impl<S: EntitySet, R> GetQuery<S, R> {
    /// Fetches only these properties (plus the key and non-nullable ones).
    pub fn select(mut self, fields: impl SelectList<S::Entity>) -> Self
    where
        R: WholeEntity<S::Entity>,
    {
        self.options.add_select(fields);
        self
    }

    /// Includes related entities, optionally with nested options.
    pub fn expand(mut self, navigation: impl Expandable<S::Entity>) -> Self
    where
        R: WholeEntity<S::Entity>,
    {
        self.options.add_expand(navigation);
        self
    }

    /// Reads the projection `P` of the entity instead: `$select` names
    /// exactly its properties and `$expand` its nested projections
    /// (replacing any `select` and `expand` so far).
    pub fn select_as<P: Projection<S::Entity>>(self) -> GetQuery<S, P> {
        let mut options = self.options;
        options.project::<P>();
        GetQuery { api: self.api, path: self.path, options, set: PhantomData, rows: PhantomData }
    }

    fn query_string(&self) -> String {
        self.options.clone().into_raw().to_query_string(self.api.profile())
    }

    /// The absolute URL this read goes to.
    pub fn url(&self) -> String {
        self.api.url(&self.path, &self.query_string())
    }
}

impl<S: EntitySet, R: DeserializeOwned> GetQuery<S, R> {
    /// The request (to send, or to put in a `$batch`).
    pub fn request(&self) -> Request<R> {
        let target = Target::Relative { path: self.path.clone(), query: self.query_string() };
        Request::new(self.api.clone(), Method::Get, target, OperationKind::Read, decode::json::<R>)
    }
}

impl<S: EntitySet, R: DeserializeOwned + Send + 'static> std::future::IntoFuture for GetQuery<S, R> {
    type Output = Result<R, Error>;
    type IntoFuture = crate::transport::BoxFuture<'static, Result<R, Error>>;

    /// Reads the entity (or the projection).
    fn into_future(self) -> Self::IntoFuture {
        self.request().into_future()
    }
}
