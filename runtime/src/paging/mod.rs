//! Server-driven paging: collections arrive in pages linked by
//! `@odata.nextLink`. [`PageStream`] and [`ItemStream`] follow those links
//! lazily, so an export of millions of rows holds one page at a time.

use std::collections::HashSet;
use std::collections::hash_map::RandomState;
use std::fmt;
use std::hash::BuildHasher;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::Stream;
use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::{Serialize, Serializer};

mod prefetch;

use super::api::Api;
use super::client::Origin;
use super::error::{Error, PagingError};
use super::http::Method;
use super::operation::OperationKind;
use super::redact;
use super::request::{Decoder, Request, Target};
use super::transport::BoxFuture;

pub use prefetch::PrefetchedPages;

/// One page of a collection: `{"value":[…],"@odata.nextLink":"…","@odata.count":n}`.
///
/// A relative next link is resolved the way the OData JSON format says
/// (4.01 section 4.6, "Relative URLs"): against the page's
/// `@odata.context`, itself resolved against the URL the page came from
/// when it is relative (SAP CAP sends `../$metadata#Books` for
/// `Authors(106)/books`), or against the page's URL when there is no
/// context. A page deserialized on its own resolves only against an
/// absolute context; [`Page::fetch`] and [`PageStream`] know the page's
/// URL and resolve the rest. Other annotations are ignored. The OData 4.01
/// spellings `@nextLink`, `@count` and `@context` are accepted too.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    /// The entities on this page.
    pub items: Vec<T>,
    /// Where the next page is, if there is one.
    pub next_link: Option<NextLink>,
    /// The total number of matching entities, when `$count=true` was asked.
    pub count: Option<u64>,
    /// The page's context URL as sent: the base of its relative links.
    context: Option<String>,
}

impl<T: Send + 'static> Page<T> {
    /// Fetches the single page `request` points at, keeping its next link
    /// (made absolute) so the caller can continue later (see
    /// [`NextLink::resume`]). The client's
    /// [`max_page_size`](super::client::Client::max_page_size) is asked
    /// for, as when streaming. A URL outside the client's origin is refused
    /// with [`Error::InvalidRequest`], as [`PageStream`] does.
    pub async fn fetch(request: Request<Page<T>>) -> Result<Page<T>, Error> {
        let request = with_page_size_preference(request);
        let url = request.url();
        if let Some(refusal) = page_url_refusal(&request.api, &url) {
            return Err(Error::InvalidRequest(refusal));
        }
        let client = request.api.client().clone();
        let mut page = request.run().await?;
        if let Some(link) = page.next_link.take() {
            let absolute = absolute_link(&url, page.context.as_deref(), link.as_str())
                .map_err(|error| error.with_url(client.url_for_errors(&url)))?;
            page.next_link = Some(NextLink(absolute));
        }
        Ok(page)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Page<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(PageVisitor(PhantomData))
    }
}

struct PageVisitor<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for PageVisitor<T> {
    type Value = Page<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an OData collection object with a `value` array")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Page<T>, A::Error> {
        let mut items = None;
        let mut next_link: Option<NextLink> = None;
        let mut count = None;
        // Read as any JSON value: a context that is no string is ignored
        // rather than failing the page.
        let mut context: Option<serde_json::Value> = None;
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            match key.as_ref() {
                "value" => items = Some(map.next_value()?),
                "@odata.nextLink" | "@nextLink" => next_link = map.next_value()?,
                "@odata.count" | "@count" => count = map.next_value()?,
                "@odata.context" | "@context" => context = map.next_value()?,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        let items = items.ok_or_else(|| de::Error::missing_field("value"))?;
        let context = match context {
            Some(serde_json::Value::String(context)) => Some(context),
            _ => None,
        };
        // OData: relative URLs in a payload are relative to the context URL.
        // A relative context (or none) leaves the link to the caller, who
        // knows the request URL the context is relative to.
        let next_link = match (next_link, context.as_deref()) {
            (Some(link), Some(context)) if url::Url::parse(link.as_str()).is_err() => {
                let resolved = url::Url::parse(context).and_then(|base| base.join(link.as_str())).map(String::from);
                Some(resolved.map(NextLink).unwrap_or(link))
            }
            (link, _) => link,
        };
        Ok(Page { items, next_link, count, context })
    }
}

/// The URL of a next page.
///
/// Links read by [`Page::fetch`] and [`PageStream`] are absolute: exactly as
/// the service sent them when it sent an absolute URL, resolved against the
/// page they came from (or its `@odata.context`) when it sent a relative
/// one. A link deserialized on its own is kept as it is.
///
/// It serializes as a plain string, so a long export can store it and
/// continue later with [`NextLink::resume`]. Only links on the client's
/// origin (the scheme, host and port of its base URL) are followed: the
/// request carries the client's credentials.
///
/// `Debug` shows it as errors do by default, without query values (a link
/// repeats the query's `$filter`); `Display` and [`as_str`](Self::as_str)
/// give it whole.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct NextLink(String);

impl fmt::Debug for NextLink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("NextLink").field(&redact::redacted_url(&self.0, false)).finish()
    }
}

impl NextLink {
    /// Wraps a link obtained earlier (for example, read back from storage).
    pub fn new(url: impl Into<String>) -> NextLink {
        NextLink(url.into())
    }

    /// The URL.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The URL, by value.
    pub fn into_string(self) -> String {
        self.0
    }

    /// A request for the page this link points at, decoded with `decoder`
    /// (the same one the first page used). Send it for one page, or hand it
    /// to [`PageStream::new`] / [`ItemStream::new`] to continue the whole
    /// export. Headers the original request carried are not known here;
    /// add them with [`Request::header`] if they mattered.
    ///
    /// A link that is not an absolute URL on `api`'s client origin gives a
    /// request that fails with [`Error::InvalidRequest`] without being sent:
    /// a stored link is data, and must not be able to send the credentials
    /// elsewhere.
    pub fn resume<T>(&self, api: &Api, decoder: Decoder<Page<T>>) -> Request<Page<T>> {
        let request =
            Request::new(api.clone(), Method::Get, Target::Absolute(self.0.clone()), OperationKind::Read, decoder);
        match page_url_refusal(api, &self.0) {
            None => request,
            Some(refusal) => request.rejected(refusal),
        }
    }
}

impl fmt::Display for NextLink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for NextLink {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for NextLink {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(NextLink)
    }
}

/// Why a page must not be fetched from `url`, if it must not: it is not on
/// the client's origin. Page URLs come from responses (next links) or from
/// storage (resumed exports), and the request would carry the client's
/// credentials and the first request's headers.
fn page_url_refusal(api: &Api, url: &str) -> Option<String> {
    let client = api.client();
    if client.is_own_origin(url) {
        return None;
    }
    let base = client.base_origin();
    Some(match Origin::of(url) {
        Some(origin) => format!(
            "refusing to fetch a page from {origin}: only URLs on the client's origin \
             {base} are followed, so that its credentials are not sent elsewhere"
        ),
        None => format!(
            "refusing to fetch a page from a link that is not an absolute http(s) URL \
             (the client's origin is {base})"
        ),
    })
}

/// `link` as an absolute URL: exactly as sent when it already is one,
/// otherwise resolved as the OData JSON format says: against the page's
/// `context` URL, which is itself relative to `page_url` (the URL the page
/// came from), or against `page_url` when the page has no usable context.
/// A failure names no URL: the caller adds it as the client shows URLs.
fn absolute_link(page_url: &str, context: Option<&str>, link: &str) -> Result<String, Error> {
    if url::Url::parse(link).is_ok() {
        return Ok(link.to_owned());
    }
    let invalid = |e: url::ParseError| {
        Error::decode("", "@odata.nextLink", format!("the next link is not a valid URL reference: {e}"))
    };
    let page = url::Url::parse(page_url).map_err(invalid)?;
    let base = context.and_then(|context| page.join(context).ok()).unwrap_or(page);
    base.join(link).map(String::from).map_err(invalid)
}

/// The pages a stream has fetched, by a 128-bit keyed hash of their URLs:
/// a few bytes per page however long the links, and no false alarm in
/// practice (two keys, 64 bits each).
struct Visited {
    keys: (RandomState, RandomState),
    seen: HashSet<(u64, u64)>,
}

impl Visited {
    fn new() -> Visited {
        Visited { keys: (RandomState::new(), RandomState::new()), seen: HashSet::new() }
    }

    fn fingerprint(&self, url: &str) -> (u64, u64) {
        (self.keys.0.hash_one(url), self.keys.1.hash_one(url))
    }

    /// Records `url`; `false` if it was recorded before.
    fn insert(&mut self, url: &str) -> bool {
        let fingerprint = self.fingerprint(url);
        self.seen.insert(fingerprint)
    }

    fn contains(&self, url: &str) -> bool {
        self.seen.contains(&self.fingerprint(url))
    }
}

/// Adds `Prefer: odata.maxpagesize=N` when the client has a page size and
/// the request does not ask for one already.
fn with_page_size_preference<T>(mut request: Request<T>) -> Request<T> {
    let Some(size) = request.api.client().max_page_size() else {
        return request;
    };
    let preference = format!("odata.maxpagesize={size}");
    match request.headers.get("Prefer") {
        Some(existing) if existing.to_ascii_lowercase().contains("odata.maxpagesize") => {}
        Some(existing) => {
            let combined = format!("{existing}, {preference}");
            request.headers.set("Prefer", combined);
        }
        None => request.headers.set("Prefer", preference),
    }
    request
}

/// The pages of a collection, fetched one at a time as the stream is
/// polled: the next page is requested only after the previous one was
/// handed out. Each next link is followed with the first request's
/// headers: an absolute link exactly as sent, a relative one resolved
/// against the page it came from (each page's
/// [`next_link`](Page::next_link) holds the absolute URL).
///
/// Every page URL must have the client's origin (scheme, host and port of
/// its base URL). A next link (or a resumed link) pointing elsewhere ends
/// the stream with [`Error::InvalidRequest`] and nothing is sent to it:
/// the requests carry the client's credentials.
///
/// A next link that points at any page the stream fetched already (`A → B
/// → A`) would loop forever, spending the service's request budget: after
/// handing out the page that carries it, the stream ends with
/// [`PagingError::RevisitedLink`]. The stream also ends, with
/// [`PagingError::TooManyPages`], after the client's
/// [`max_pages_per_stream`](crate::Client::max_pages_per_stream) pages
/// (or [`PageStream::max_pages`]); its [`next_link`](Self::next_link)
/// then says where to resume.
#[must_use = "streams do nothing unless polled"]
pub struct PageStream<T> {
    /// The first request, reused for every next link.
    template: Request<Page<T>>,
    /// The URL of the page to fetch when next polled; `None` once done.
    pending: Option<String>,
    in_flight: Option<BoxFuture<'static, Result<Page<T>, Error>>>,
    /// The page whose fetch failed, kept so the caller can resume from it.
    failed: Option<String>,
    /// Items still allowed under the caller's limit.
    remaining: Option<usize>,
    /// Every page URL fetched so far.
    visited: Visited,
    /// Pages fetched so far, and the most allowed.
    pages: u64,
    max_pages: u64,
    /// Reported at the next poll, after the page that caused it was handed out.
    deferred_error: Option<Error>,
}

// Items are never pinned in place: the stream only moves whole pages.
impl<T> Unpin for PageStream<T> {}

impl<T: Send + 'static> PageStream<T> {
    /// Streams the pages of `first`, stopping after `limit` items in total
    /// (the query's `$top`, for instance) or when no next link is left.
    pub fn new(first: Request<Page<T>>, limit: Option<usize>) -> PageStream<T> {
        let template = with_page_size_preference(first);
        let pending = if limit == Some(0) { None } else { Some(template.url()) };
        let max_pages = template.api.client().max_pages_per_stream();
        PageStream {
            template,
            pending,
            in_flight: None,
            failed: None,
            remaining: limit,
            visited: Visited::new(),
            pages: 0,
            max_pages,
            deferred_error: None,
        }
    }

    /// Fetches at most `pages` pages (instead of the client's
    /// [`max_pages_per_stream`](crate::Client::max_pages_per_stream)).
    pub fn max_pages(mut self, pages: u64) -> PageStream<T> {
        self.max_pages = pages;
        self
    }

    /// Flattens the pages into their items.
    pub fn into_items(self) -> ItemStream<T> {
        ItemStream::from_pages(Pages::Direct(Box::new(self)))
    }

    /// The page the stream would fetch next, or the one whose fetch just
    /// failed: store it to continue an interrupted export with
    /// [`NextLink::resume`]. `None` while a fetch is in flight and once the
    /// collection is complete.
    pub fn next_link(&self) -> Option<NextLink> {
        if self.in_flight.is_some() {
            return None;
        }
        self.pending.as_ref().or(self.failed.as_ref()).cloned().map(NextLink)
    }

    fn start_fetch(&mut self, url: String) {
        let mut request = self.template.clone();
        if let Some(refusal) = page_url_refusal(&request.api, &url) {
            let refused = Err(Error::InvalidRequest(refusal));
            self.in_flight = Some(Box::pin(std::future::ready(refused)));
            return;
        }
        self.visited.insert(&url);
        self.pages += 1;
        request.target = Target::Absolute(url);
        self.in_flight = Some(Box::pin(request.run()));
    }

    /// Applies the item limit to a fresh page and decides what comes next.
    fn accept(&mut self, mut page: Page<T>, fetched_url: &str) -> Result<Page<T>, Error> {
        let mut limit_reached = false;
        if let Some(remaining) = self.remaining.as_mut() {
            if page.items.len() >= *remaining {
                page.items.truncate(*remaining);
                limit_reached = true;
            }
            *remaining -= page.items.len();
        }
        if let Some(link) = page.next_link.take() {
            page.next_link = Some(match absolute_link(fetched_url, page.context.as_deref(), link.as_str()) {
                Ok(absolute) => NextLink(absolute),
                // Past the caller's limit the link is not followed, so a
                // malformed one does not matter.
                Err(_) if limit_reached => link,
                Err(error) => return Err(error.with_url(self.template.api.client().url_for_errors(fetched_url))),
            });
        }
        self.pending = match &page.next_link {
            _ if limit_reached => None,
            // Its origin is checked when it is fetched, so that this page's
            // items are still handed out; so are loops and the page cap.
            Some(link) if self.visited.contains(link.as_str()) => {
                let url = self.template.api.client().url_for_errors(link.as_str());
                self.deferred_error = Some(Error::Paging(PagingError::RevisitedLink { url, pages: self.pages }));
                None
            }
            Some(link) if self.pages >= self.max_pages => {
                self.deferred_error = Some(Error::Paging(PagingError::TooManyPages { limit: self.max_pages }));
                // Where a new stream would continue.
                self.failed = Some(link.as_str().to_owned());
                None
            }
            Some(link) => Some(link.as_str().to_owned()),
            None => None,
        };
        Ok(page)
    }
}

impl<T: Send + 'static> Stream for PageStream<T> {
    type Item = Result<Page<T>, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if let Some(error) = this.deferred_error.take() {
            return Poll::Ready(Some(Err(error)));
        }
        if this.in_flight.is_none() {
            let Some(url) = this.pending.clone() else {
                return Poll::Ready(None);
            };
            this.start_fetch(url);
        }
        let Some(in_flight) = this.in_flight.as_mut() else {
            return Poll::Ready(None);
        };
        let result = match in_flight.as_mut().poll(cx) {
            Poll::Pending => return Poll::Pending,
            Poll::Ready(result) => result,
        };
        this.in_flight = None;
        let fetched_url = this.pending.take().unwrap_or_default();
        let outcome = result.and_then(|page| this.accept(page, &fetched_url));
        if outcome.is_err() {
            // The stream ends here; the failed page stays resumable.
            this.failed = Some(fetched_url);
        }
        Poll::Ready(Some(outcome))
    }
}

impl<T> fmt::Debug for PageStream<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pending = self.pending.as_deref().map(|url| self.template.api.client().url_for_errors(url));
        f.debug_struct("PageStream")
            .field("pending", &pending)
            .field("in_flight", &self.in_flight.is_some())
            .field("remaining", &self.remaining)
            .field("pages", &self.pages)
            .finish()
    }
}

/// Where an [`ItemStream`] takes its pages from.
pub(crate) enum Pages<T> {
    /// Fetched one after the other, when the previous one is used up
    /// (boxed: a page stream's state is several times the other's).
    Direct(Box<PageStream<T>>),
    /// Fetched ahead of the consumer.
    Prefetched(PrefetchedPages<T>),
}

impl<T: Send + 'static> Pages<T> {
    fn poll_page(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<Page<T>, Error>>> {
        match self {
            Pages::Direct(pages) => Pin::new(&mut **pages).poll_next(cx),
            Pages::Prefetched(pages) => Pin::new(pages).poll_next(cx),
        }
    }
}

/// The entities of a collection, one by one, across pages. Holds the page
/// being handed out plus, when prefetching, the pages fetched ahead of it
/// ([`ListQuery::prefetch`](crate::ListQuery::prefetch)); without prefetch
/// the next page is fetched only once the current one has been consumed.
#[must_use = "streams do nothing unless polled"]
pub struct ItemStream<T> {
    pages: Pages<T>,
    current: std::vec::IntoIter<T>,
}

// Items are moved out by value and never pinned.
impl<T> Unpin for ItemStream<T> {}

impl<T: Send + 'static> ItemStream<T> {
    /// Streams the entities of `first`, stopping after `limit` of them.
    pub fn new(first: Request<Page<T>>, limit: Option<usize>) -> ItemStream<T> {
        PageStream::new(first, limit).into_items()
    }

    pub(crate) fn from_pages(pages: Pages<T>) -> ItemStream<T> {
        ItemStream { pages, current: Vec::new().into_iter() }
    }

    /// Reads every remaining entity into memory. Convenient for small
    /// collections; prefer polling the stream for large ones.
    pub async fn collect_all(mut self) -> Result<Vec<T>, Error> {
        let mut all = Vec::new();
        while let Some(item) = std::future::poll_fn(|cx| Pin::new(&mut self).poll_next(cx)).await {
            all.push(item?);
        }
        Ok(all)
    }
}

impl<T: Send + 'static> Stream for ItemStream<T> {
    type Item = Result<T, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if let Some(item) = this.current.next() {
                return Poll::Ready(Some(Ok(item)));
            }
            // Release the drained page's buffer before the next one arrives.
            this.current = Vec::new().into_iter();
            match this.pages.poll_page(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(None) => return Poll::Ready(None),
                Poll::Ready(Some(Err(error))) => return Poll::Ready(Some(Err(error))),
                Poll::Ready(Some(Ok(page))) => this.current = page.items.into_iter(),
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.current.len(), None)
    }
}

impl<T> fmt::Debug for ItemStream<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pages: &dyn fmt::Debug = match &self.pages {
            Pages::Direct(pages) => &**pages,
            Pages::Prefetched(pages) => pages,
        };
        f.debug_struct("ItemStream").field("pages", pages).field("buffered", &self.current.len()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_reads_both_annotation_spellings() {
        let v4: Page<u32> = serde_json::from_str(
            r#"{"@odata.context":"x","value":[1,2],"@odata.nextLink":"https://h/next","@odata.count":9}"#,
        )
        .unwrap();
        assert_eq!(v4.items, vec![1, 2]);
        assert_eq!(v4.next_link.as_ref().map(NextLink::as_str), Some("https://h/next"));
        assert_eq!(v4.count, Some(9));
        let v401: Page<u32> = serde_json::from_str(r#"{"@count":1,"value":[3],"@nextLink":"n"}"#).unwrap();
        assert_eq!((v401.items, v401.count, v401.next_link), (vec![3], Some(1), Some(NextLink::new("n"))));
        assert!(serde_json::from_str::<Page<u32>>(r#"{"@odata.count":1}"#).is_err());
    }

    #[test]
    fn relative_links_resolve_against_an_absolute_context() {
        let page: Page<u32> = serde_json::from_str(
            r#"{"@odata.nextLink":"companies(1)/customers?$skiptoken=7","value":[],
                "@odata.context":"https://h/api/v2.0/$metadata#companies(1)/customers"}"#,
        )
        .unwrap();
        assert_eq!(page.next_link.unwrap().as_str(), "https://h/api/v2.0/companies(1)/customers?$skiptoken=7");
        let without_context: Page<u32> =
            serde_json::from_str(r#"{"value":[],"@odata.nextLink":"customers?$skiptoken=7"}"#).unwrap();
        assert_eq!(
            without_context.next_link.unwrap().as_str(),
            "customers?$skiptoken=7",
            "left for the caller, who knows the page URL"
        );
    }

    #[test]
    fn absolute_links_are_kept_as_sent_and_relative_ones_resolved() {
        let page = "https://h/api/v2.0/companies(1)/customers?$top=5";
        let absolute = "https://h/api/v2.0/companies(1)/customers?$skiptoken='O''Brien'";
        assert_eq!(absolute_link(page, None, absolute).unwrap(), absolute);
        assert_eq!(
            absolute_link(page, None, "customers?$skiptoken=7").unwrap(),
            "https://h/api/v2.0/companies(1)/customers?$skiptoken=7"
        );
        assert_eq!(
            absolute_link(page, None, "?$skiptoken=7").unwrap(),
            "https://h/api/v2.0/companies(1)/customers?$skiptoken=7"
        );
        assert_eq!(
            absolute_link(page, None, "//elsewhere.example/x").unwrap(),
            "https://elsewhere.example/x",
            "resolved here, refused by the origin check when fetched"
        );
    }

    #[test]
    fn relative_links_resolve_against_the_context_and_the_context_against_the_page() {
        let page = "https://h/odata/v4/catalog/Authors(106)/books";
        let link = "Authors(106)/books?%24skiptoken=4";
        let expected = "https://h/odata/v4/catalog/Authors(106)/books?%24skiptoken=4";
        assert_eq!(absolute_link(page, Some("../$metadata#Books"), link).unwrap(), expected);
        assert_eq!(absolute_link(page, Some("https://h/odata/v4/catalog/$metadata#Books"), link).unwrap(), expected);
        assert_eq!(
            absolute_link(page, None, link).unwrap(),
            "https://h/odata/v4/catalog/Authors(106)/Authors(106)/books?%24skiptoken=4",
            "without a context the page's URL is the base"
        );
    }

    #[test]
    fn next_link_round_trips_as_a_string() {
        let link = NextLink::new("https://h/api/v2.0/customers?$skiptoken=abc");
        let json = serde_json::to_string(&link).unwrap();
        assert_eq!(json, r#""https://h/api/v2.0/customers?$skiptoken=abc""#);
        assert_eq!(serde_json::from_str::<NextLink>(&json).unwrap(), link);
    }
}
