//! What the client sent: every request the fake received, with helpers for
//! the assertions integration tests make again and again.

use std::fmt;

use odata_v4_runtime::{CollectionHandle, EntityHandle, Headers, Method};

use crate::dialect::Ignored;
use crate::faults::canonical_path;

/// One request as the fake received it. Its `Debug` output leaves out the
/// value of `Authorization`.
#[derive(Clone)]
#[non_exhaustive]
pub struct RecordedRequest {
    /// Its position among the requests the fake received (from 1); parts
    /// of a `$batch` share the number of the batch.
    pub number: usize,
    /// The HTTP method.
    pub method: Method,
    /// The URL exactly as sent.
    pub url: String,
    /// The path below the API route, decoded: `companies(…)/customers(…)`.
    /// Empty when the URL matched no route.
    pub path: String,
    /// The query parameters, decoded, in order.
    pub query: Vec<(String, String)>,
    /// Every header sent (including `Authorization`, if credentials were set).
    pub headers: Headers,
    /// The body as text, if any.
    pub body: Option<String>,
    /// The status answered; `None` when an injected timeout or connection
    /// failure answered nothing.
    pub status: Option<u16>,
    /// Whether it was one operation of a `$batch`.
    pub in_batch: bool,
    /// What Business Central ignores in this request, and the fake (in
    /// its dialect) ignored too: a `$filter` with `any`/`all`, `in` without
    /// `$schemaversion=2.1`. A test whose filter lands here passes against
    /// the fake only because Business Central would answer more rows.
    pub ignored: Vec<Ignored>,
}

impl RecordedRequest {
    /// The first value of a header, whatever its case.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name)
    }

    /// The `If-Match` header.
    pub fn if_match(&self) -> Option<&str> {
        self.header("If-Match")
    }

    /// A query parameter, decoded (`$filter`, `$schemaversion`, …).
    pub fn query_param(&self, name: &str) -> Option<&str> {
        self.query.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    /// The decoded `$filter`.
    pub fn filter(&self) -> Option<&str> {
        self.query_param("$filter")
    }

    /// Whether the request changes data (POST, PATCH, PUT, DELETE).
    pub fn is_write(&self) -> bool {
        self.method != Method::Get
    }

    /// Whether its `$filter` (or a nested one in `$expand`) uses `in (…)`.
    pub fn uses_in(&self) -> bool {
        let has_in = |text: &str| text.contains(" in (") || text.contains(" in(");
        self.filter().is_some_and(has_in) || self.query_param("$expand").is_some_and(has_in)
    }

    /// Whether the request addresses exactly this entity.
    pub fn is_to(&self, entity: &impl EntityHandle) -> bool {
        self.path == canonical_path(entity.entity_path().path())
    }

    /// Whether the request addresses exactly this collection.
    pub fn is_to_collection(&self, collection: &impl CollectionHandle) -> bool {
        self.path == canonical_path(collection.collection_path().path())
    }

    /// The request line and status, and what was ignored, for assertion messages.
    pub fn summary(&self) -> String {
        let status = self.status.map_or_else(|| "no answer".to_owned(), |s| s.to_string());
        let mut line = format!("#{} {} {} -> {status}", self.number, self.method.as_str(), self.url);
        for ignored in &self.ignored {
            line.push_str(&format!(" [{ignored}]"));
        }
        line
    }
}

impl fmt::Debug for RecordedRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(
                |(name, value)| {
                    if name.eq_ignore_ascii_case("Authorization") { (name, "<redacted>") } else { (name, value) }
                },
            )
            .collect();
        f.debug_struct("RecordedRequest")
            .field("number", &self.number)
            .field("method", &self.method)
            .field("url", &self.url)
            .field("path", &self.path)
            .field("query", &self.query)
            .field("headers", &headers)
            .field("body", &self.body)
            .field("status", &self.status)
            .field("in_batch", &self.in_batch)
            .field("ignored", &self.ignored)
            .finish()
    }
}

/// The requests the fake received, oldest first (a snapshot: later
/// requests do not appear in it).
#[derive(Clone, Default)]
pub struct RequestLog {
    requests: Vec<RecordedRequest>,
}

impl RequestLog {
    pub(crate) fn new(requests: Vec<RecordedRequest>) -> RequestLog {
        RequestLog { requests }
    }

    /// Every request.
    pub fn all(&self) -> &[RecordedRequest] {
        &self.requests
    }

    /// How many requests there were (`$batch` parts included).
    pub fn len(&self) -> usize {
        self.requests.len()
    }

    /// Whether there were none.
    pub fn is_empty(&self) -> bool {
        self.requests.is_empty()
    }

    /// Requests with this method.
    pub fn with_method(&self, method: Method) -> Vec<&RecordedRequest> {
        self.requests.iter().filter(|r| r.method == method).collect()
    }

    /// Requests to exactly this entity (reads, writes and actions on it
    /// are told apart by their method).
    pub fn to(&self, entity: &impl EntityHandle) -> Vec<&RecordedRequest> {
        self.requests.iter().filter(|r| r.is_to(entity)).collect()
    }

    /// Requests to exactly this collection (lists and creates).
    pub fn to_collection(&self, collection: &impl CollectionHandle) -> Vec<&RecordedRequest> {
        self.requests.iter().filter(|r| r.is_to_collection(collection)).collect()
    }

    /// The PATCH requests sent to this entity.
    pub fn patches_to(&self, entity: &impl EntityHandle) -> Vec<&RecordedRequest> {
        self.requests.iter().filter(|r| r.method == Method::Patch && r.is_to(entity)).collect()
    }

    /// Requests that used `in (…)` without `$schemaversion=2.1`, which
    /// Business Central answers as if the `in` condition were not there.
    pub fn in_without_schema_version(&self) -> Vec<&RecordedRequest> {
        self.requests.iter().filter(|r| r.uses_in() && r.query_param("$schemaversion") != Some("2.1")).collect()
    }

    /// Requests with something Business Central ignores (see
    /// [`RecordedRequest::ignored`]): their answers held more rows than the
    /// filter asked for.
    pub fn with_ignored_filters(&self) -> Vec<&RecordedRequest> {
        self.requests.iter().filter(|r| !r.ignored.is_empty()).collect()
    }

    /// PATCH and DELETE requests sent without `If-Match`.
    pub fn writes_without_if_match(&self) -> Vec<&RecordedRequest> {
        self.requests
            .iter()
            .filter(|r| matches!(r.method, Method::Patch | Method::Delete) && r.if_match().is_none())
            .collect()
    }

    /// Panics unless at least one PATCH went to `entity` and every one of
    /// them carried an `If-Match` other than `*`.
    #[track_caller]
    pub fn assert_patches_to_carry_if_match(&self, entity: &impl EntityHandle) {
        let patches = self.patches_to(entity);
        assert!(
            !patches.is_empty(),
            "no PATCH was sent to {}; requests:\n{}",
            entity.entity_path().path(),
            self.summary()
        );
        let unguarded: Vec<String> =
            patches.iter().filter(|r| r.if_match().is_none_or(|v| v.trim() == "*")).map(|r| r.summary()).collect();
        assert!(unguarded.is_empty(), "PATCH without a real If-Match ETag:\n{}", unguarded.join("\n"));
    }

    /// Panics if a request used `in (…)` without `$schemaversion=2.1`.
    #[track_caller]
    pub fn assert_no_in_without_schema_version(&self) {
        let offending: Vec<String> = self.in_without_schema_version().iter().map(|r| r.summary()).collect();
        assert!(
            offending.is_empty(),
            "`in` without $schemaversion=2.1 (Business Central ignores the condition):\n{}",
            offending.join("\n")
        );
    }

    /// Panics if Business Central would have ignored part of a request's
    /// filter (a lambda operator, `in` without `$schemaversion=2.1`).
    #[track_caller]
    pub fn assert_no_ignored_filters(&self) {
        let offending: Vec<String> = self.with_ignored_filters().iter().map(|r| r.summary()).collect();
        assert!(
            offending.is_empty(),
            "filters Business Central ignores (it answers every row instead):\n{}",
            offending.join("\n")
        );
    }

    /// Panics if a PATCH or DELETE was sent without `If-Match`.
    #[track_caller]
    pub fn assert_writes_carry_if_match(&self) {
        let offending: Vec<String> = self.writes_without_if_match().iter().map(|r| r.summary()).collect();
        assert!(offending.is_empty(), "writes without If-Match:\n{}", offending.join("\n"));
    }

    /// One line per request, for assertion messages.
    pub fn summary(&self) -> String {
        self.requests.iter().map(RecordedRequest::summary).collect::<Vec<_>>().join("\n")
    }
}

impl fmt::Debug for RequestLog {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(&self.requests).finish()
    }
}

impl<'a> IntoIterator for &'a RequestLog {
    type Item = &'a RecordedRequest;
    type IntoIter = std::slice::Iter<'a, RecordedRequest>;

    fn into_iter(self) -> Self::IntoIter {
        self.requests.iter()
    }
}
