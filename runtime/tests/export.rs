//! Partitioned parallel export and page prefetch against a simulated
//! Business Central (`support/sim_server.rs`): every row exactly once
//! across ranges (uneven ones included), with 429 and 503 during the run,
//! after a failure and a resume from the checkpoint; rows in key order
//! within a range; the concurrency limit kept; prefetch changing timing,
//! not results; the lowest range asked for with the probes; a split range
//! keeping whole pages and asked for again with its lowered bound.

mod support;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use futures_util::StreamExt;
use odata_v4_runtime::{Api, Client, Error, ExportCheckpoint, RetryPolicy};
use serde_json::json;
use support::model::{Entry, entries, entry_number};
use support::sim_server::{Behaviour, SimServer};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn api(server: &SimServer) -> Api {
    let retries = RetryPolicy::default()
        .max_attempts(6)
        .base_delay(Duration::from_millis(1))
        .max_delay(Duration::from_millis(5))
        .max_elapsed(Duration::from_secs(30));
    let client = Client::builder(server.base_url.as_str()).retry_policy(retries).build().expect("a client");
    support::api(&client)
}

/// Keys per range (in arrival order) and the batches, of a whole export.
struct Outcome {
    keys: Vec<i64>,
    by_partition: BTreeMap<usize, Vec<i64>>,
    checkpoint: ExportCheckpoint,
    error: Option<Error>,
    progress: odata_v4_runtime::ExportProgress,
}

async fn run(stream: &mut odata_v4_runtime::ExportStream<Entry, i64>) -> Outcome {
    let mut keys = Vec::new();
    let mut by_partition: BTreeMap<usize, Vec<i64>> = BTreeMap::new();
    let mut error = None;
    while let Some(batch) = stream.next().await {
        match batch {
            Ok(batch) => {
                for row in batch.rows {
                    let key = row.entry_number.expect("every row has a key");
                    keys.push(key);
                    by_partition.entry(batch.partition).or_default().push(key);
                }
            }
            Err(failure) => {
                error = Some(failure);
                break;
            }
        }
    }
    Outcome { keys, by_partition, checkpoint: stream.checkpoint(), error, progress: stream.progress() }
}

fn export(api: &Api) -> odata_v4_runtime::ParallelExport<support::model::Entries, support::model::EntryNumber> {
    entries(api).list().page_size(50).export_by(entry_number(), |row: &Entry| row.entry_number)
}

fn assert_exactly_once(mut keys: Vec<i64>, expected: &[i64]) {
    keys.sort_unstable();
    let duplicates = keys.windows(2).filter(|w| w[0] == w[1]).count();
    assert_eq!(duplicates, 0, "rows delivered twice");
    assert_eq!(keys.len(), expected.len(), "rows lost");
    assert_eq!(keys, expected);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_row_arrives_once_in_key_order_within_its_range() {
    let behaviour = Behaviour::rows(5_000, 50);
    let expected = behaviour.keys.clone();
    let server = SimServer::start(behaviour).await;
    let mut stream = export(&api(&server)).concurrency(5).partitions(5).start();

    let outcome = run(&mut stream).await;

    assert!(outcome.error.is_none(), "{:?}", outcome.error);
    assert_exactly_once(outcome.keys, &expected);
    for (partition, keys) in &outcome.by_partition {
        assert!(keys.windows(2).all(|w| w[0] < w[1]), "range {partition} out of order");
    }
    assert!(outcome.checkpoint.is_complete());
    assert_eq!(outcome.progress.rows, 5_000);
    assert_eq!(outcome.progress.estimated_total, Some(5_000));
    assert_eq!(outcome.progress.partitions_done, outcome.progress.partitions);
    let peak = server.seen.peak_concurrency.load(std::sync::atomic::Ordering::SeqCst);
    assert!(peak <= 5, "at most five requests at once, saw {peak}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uneven_ranges_are_split_while_they_are_read() {
    // Ten rows spread over a wide range, then 4,000 packed in its last tenth:
    // the first cut leaves one range with almost everything.
    let mut keys: Vec<i64> = (0..10).map(|k| k * 10_000).collect();
    keys.extend(900_000..904_000);
    let behaviour = Behaviour { time_per_page: Duration::from_millis(2), ..Behaviour::rows(0, 50) };
    let behaviour = Behaviour { keys: keys.clone(), ..behaviour };
    let server = SimServer::start(behaviour).await;
    let mut stream = export(&api(&server)).concurrency(4).partitions(4).start();

    let outcome = run(&mut stream).await;

    assert!(outcome.error.is_none(), "{:?}", outcome.error);
    assert_exactly_once(outcome.keys, &keys);
    assert!(outcome.progress.partitions > 4, "the dense range was split: {} ranges", outcome.progress.partitions);
    let busy = outcome.by_partition.values().filter(|rows| rows.len() >= 100).count();
    assert!(
        busy >= 3,
        "several workers shared the dense range: {:?}",
        outcome.by_partition.values().map(Vec::len).collect::<Vec<_>>()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn throttling_and_unavailability_lose_and_repeat_nothing() {
    for status in [429, 503] {
        let behaviour = Behaviour { transient_every: Some((7, status)), ..Behaviour::rows(3_000, 50) };
        let expected = behaviour.keys.clone();
        let server = SimServer::start(behaviour).await;
        let mut stream = export(&api(&server)).concurrency(5).start();

        let outcome = run(&mut stream).await;

        assert!(outcome.error.is_none(), "{status}: {:?}", outcome.error);
        assert_exactly_once(outcome.keys, &expected);
        let requests = server.seen.requests.load(std::sync::atomic::Ordering::SeqCst);
        assert!(requests > 60 + 60 / 7, "{status}: the injected answers were retried ({requests} requests)");
    }
}

/// Finding F8 of issue 21: only a range's upper bound was checked, so a
/// service that ignores `$filter` had every range read from the first row:
/// rows were handed out twice and the export reported itself complete.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_service_that_ignores_the_range_filter_fails_the_export_without_repeating_a_row() {
    let behaviour = Behaviour { ignores_filter: true, ..Behaviour::rows(1_000, 50) };
    let server = SimServer::start(behaviour).await;
    let mut stream = export(&api(&server)).concurrency(4).partitions(4).start();

    // Only a guard: without the check the export spun for minutes.
    let outcome = tokio::time::timeout(Duration::from_secs(60), run(&mut stream)).await.expect("the export ends");

    let error = outcome.error.expect("the export fails loudly");
    assert!(matches!(&error, Error::InvalidRequest(message) if message.contains("below the range")), "{error:?}");
    let mut unique = outcome.keys.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), outcome.keys.len(), "no row handed out twice");
    assert!(!outcome.checkpoint.is_complete());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_export_resumes_from_its_checkpoint() {
    let behaviour = Behaviour { fail_from: Some(25), ..Behaviour::rows(4_000, 50) };
    let expected = behaviour.keys.clone();
    let server = SimServer::start(behaviour).await;

    let mut first = export(&api(&server)).concurrency(5).start();
    let interrupted = run(&mut first).await;
    let failure = interrupted.error.expect("the lasting 500 ends the export");
    assert_eq!(failure.status(), Some(500));
    assert!(
        !interrupted.keys.is_empty() && interrupted.keys.len() < expected.len(),
        "{} rows first",
        interrupted.keys.len()
    );
    drop(first);
    // A job would store the checkpoint; it must survive serde.
    let stored = serde_json::to_string(&interrupted.checkpoint).expect("the checkpoint serializes");
    let checkpoint: ExportCheckpoint = serde_json::from_str(&stored).expect("and reads back");
    assert_eq!(checkpoint, interrupted.checkpoint);
    assert!(!checkpoint.is_complete());

    server.heal();
    let mut second = export(&api(&server)).concurrency(5).resume(&checkpoint);
    let resumed = run(&mut second).await;

    assert!(resumed.error.is_none(), "{:?}", resumed.error);
    assert!(second.checkpoint().is_complete());
    let mut all = interrupted.keys;
    all.extend(resumed.keys);
    assert_exactly_once(all, &expected);
}

#[tokio::test]
async fn a_checkpoint_only_resumes_its_own_export() {
    let server = SimServer::start(Behaviour::rows(10, 5)).await;
    let mut stream = export(&api(&server)).start();
    let checkpoint = run(&mut stream).await.checkpoint;
    // Another filter selects other rows: resuming with this checkpoint
    // would skip or repeat some.
    let other = entries(&api(&server))
        .list()
        .filter(entry_number().gt(3))
        .export_by(entry_number(), |row: &Entry| row.entry_number)
        .resume(&checkpoint);
    let outcome = run(&mut Box::new(other)).await;
    assert!(matches!(outcome.error, Some(Error::InvalidRequest(_))), "{:?}", outcome.error);
}

#[tokio::test]
async fn an_empty_collection_exports_nothing() {
    let server = SimServer::start(Behaviour::rows(0, 50)).await;
    let mut stream = export(&api(&server)).start();
    let outcome = run(&mut stream).await;
    assert!(outcome.error.is_none(), "{:?}", outcome.error);
    assert!(outcome.keys.is_empty());
    assert!(outcome.checkpoint.is_complete());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prefetch_changes_timing_not_results_and_resumes_after_what_was_consumed() {
    let server =
        SimServer::start(Behaviour { time_per_page: Duration::from_millis(5), ..Behaviour::rows(230, 20) }).await;
    let api = api(&server);
    let query = entries(&api).list().order_by(entry_number());
    let sequential: Vec<i64> =
        query.clone().prefetch(0).stream().map(|row| row.unwrap().entry_number.unwrap()).collect().await;
    let prefetched: Vec<i64> =
        query.clone().prefetch(3).stream().map(|row| row.unwrap().entry_number.unwrap()).collect().await;
    assert_eq!(sequential, (1..=230).collect::<Vec<_>>());
    assert_eq!(prefetched, sequential);

    // Three pages taken while up to three more are fetched: the link to
    // resume from is the fourth page, not one the consumer never saw.
    let mut pages = query.pages().prefetch(3);
    for _ in 0..3 {
        pages.next().await.expect("a page").expect("no error");
    }
    tokio::time::sleep(Duration::from_millis(50)).await;
    let link = pages.next_link().expect("more pages");
    assert!(link.as_str().ends_with("$skiptoken=60"), "{link}");
    let rest: Vec<i64> = query.resume_from(&link).map(|row| row.unwrap().entry_number.unwrap()).collect().await;
    assert_eq!(rest, (61..=230).collect::<Vec<_>>());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_default_concurrency_is_the_clients_cap() {
    let behaviour = Behaviour { time_per_page: Duration::from_millis(2), concurrent: 10, ..Behaviour::rows(2_000, 50) };
    let expected = behaviour.keys.clone();
    let server = SimServer::start(behaviour).await;
    let client = Client::builder(server.base_url.as_str()).max_concurrent_requests(3).build().expect("a client");
    let api = support::api(&client);
    let mut stream = export(&api).start();

    let outcome = run(&mut stream).await;

    assert!(outcome.error.is_none(), "{:?}", outcome.error);
    assert_exactly_once(outcome.keys, &expected);
    let peak = server.seen.peak_concurrency.load(std::sync::atomic::Ordering::SeqCst);
    assert!(peak <= 3, "the client let at most 3 requests through, saw {peak}");
    assert!(peak >= 2, "the ranges were read in parallel, saw {peak}");
}

/// A page of entries with these keys, as the service sends it.
fn page_of(keys: &[i64]) -> ResponseTemplate {
    let rows: Vec<_> = keys
        .iter()
        .map(|key| json!({"id": format!("00000000-0000-0000-0000-{key:012}"), "entryNumber": key}))
        .collect();
    ResponseTemplate::new(200).set_body_json(json!({ "value": rows }))
}

/// Whether a request carries the query option `name` with `value`.
fn asks(request: &wiremock::Request, name: &str, value: &str) -> bool {
    request.url.query_pairs().any(|(n, v)| n == name && v == value)
}

/// The lowest range is read from the bottom of the collection, whatever
/// the probes for the key range find: its first page is asked for with
/// them, not after them (it once waited a probe's time, with the service
/// idle but for the probes).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_lowest_range_is_asked_for_while_the_probes_are_out() {
    let server = MockServer::start().await;
    // The probe for the highest key takes a minute to answer.
    Mock::given(|request: &wiremock::Request| asks(request, "$orderby", "entryNumber desc"))
        .respond_with(page_of(&[3]).set_delay(Duration::from_secs(60)))
        .mount(&server)
        .await;
    Mock::given(|request: &wiremock::Request| request.url.path().ends_with("/$count"))
        .respond_with(ResponseTemplate::new(200).set_body_string("3"))
        .mount(&server)
        .await;
    Mock::given(wiremock::matchers::method("GET")).respond_with(page_of(&[1, 2, 3])).mount(&server).await;
    let client = Client::builder(server.uri()).build().expect("a client");
    let stream = export(&support::api(&client)).concurrency(2).start();

    let from_the_bottom = |request: &wiremock::Request| {
        asks(request, "$orderby", "entryNumber")
            && !request.url.query_pairs().any(|(name, _)| name == "$top" || name == "$filter")
    };
    // Only a guard: before, the page was asked for after the probe's minute.
    let asked = tokio::time::timeout(Duration::from_secs(30), async {
        while !server.received_requests().await.unwrap_or_default().iter().any(from_the_bottom) {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await;
    assert!(asked.is_ok(), "the lowest range's first page waited for the probes");
    drop(stream);
}

/// A range split while it is read keeps whole pages, the one in flight
/// first: every batch is a full page. (Split in the middle of its rest, the
/// range ended in a short page, and the new range too.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_split_range_keeps_whole_pages() {
    // Pages take long enough for the idle worker to split the only range
    // while its reader's second page is in flight.
    let behaviour = Behaviour { time_per_page: Duration::from_millis(200), ..Behaviour::rows(200, 50) };
    let server = SimServer::start(behaviour).await;
    let mut stream = export(&api(&server)).concurrency(1).partitions(1).start();

    let mut batches: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    let mut keys = Vec::new();
    while let Some(batch) = stream.next().await {
        let batch = batch.expect("no error");
        batches.entry(batch.partition).or_default().push(batch.rows.len());
        keys.extend(batch.rows.iter().map(|row| row.entry_number.expect("a key")));
    }

    assert!(batches.len() > 1, "the range was split: {batches:?}");
    assert!(batches.values().flatten().all(|rows| *rows == 50), "only full pages: {batches:?}");
    assert_exactly_once(keys, &(1..=200).collect::<Vec<_>>());
}

/// A small OData service for wiremock over the entries with `keys`:
/// `$filter` ranges of `entryNumber` (`gt`, `ge`, `lt`), `$orderby` (`desc`),
/// `$top`, `$skiptoken` (the last key sent), `/$count`, pages of `page`
/// rows, each answer `delay` late. It counts the rows it sends in pages
/// (the one-row probes aside).
struct Ranges {
    /// Where the server listens (what its next links point at).
    address: std::net::SocketAddr,
    keys: Vec<i64>,
    page: usize,
    delay: Duration,
    served: Arc<AtomicUsize>,
}

impl wiremock::Respond for Ranges {
    fn respond(&self, request: &wiremock::Request) -> ResponseTemplate {
        if request.url.path().ends_with("/$count") {
            return ResponseTemplate::new(200).set_body_string(self.keys.len().to_string()).set_delay(self.delay);
        }
        let mut keys = self.keys.clone();
        let (mut top, mut descending) = (None, false);
        for (name, value) in request.url.query_pairs() {
            match &*name {
                "$filter" => {
                    for clause in value.split(" and ") {
                        let clause = clause.trim_matches(['(', ')']);
                        if let [_, operator, bound] = clause.split_whitespace().collect::<Vec<_>>()[..] {
                            let bound: i64 = bound.parse().expect("a numeric bound");
                            keys.retain(|key| match operator {
                                "gt" => *key > bound,
                                "ge" => *key >= bound,
                                "lt" => *key < bound,
                                other => panic!("unexpected operator {other}"),
                            });
                        }
                    }
                }
                "$orderby" => descending = value.ends_with(" desc"),
                "$top" => top = value.parse::<usize>().ok(),
                "$skiptoken" => {
                    let after: i64 = value.parse().expect("a key");
                    keys.retain(|key| *key > after);
                }
                _ => {}
            }
        }
        if descending {
            keys.reverse();
        }
        let page: Vec<i64> = keys.iter().copied().take(top.unwrap_or(self.page)).collect();
        let rows: Vec<_> = page
            .iter()
            .map(|key| json!({"id": format!("00000000-0000-0000-0000-{key:012}"), "entryNumber": key}))
            .collect();
        let mut body = json!({ "value": rows });
        if top.is_none() {
            self.served.fetch_add(page.len(), Ordering::SeqCst);
            if let (true, Some(last)) = (keys.len() > page.len(), page.last()) {
                let mut next = request.url.clone();
                next.set_ip_host(self.address.ip()).expect("an http URL");
                next.set_port(Some(self.address.port())).expect("an http URL");
                let kept: Vec<(String, String)> = next
                    .query_pairs()
                    .filter(|(name, _)| name != "$skiptoken")
                    .map(|(n, v)| (n.into(), v.into()))
                    .collect();
                next.query_pairs_mut().clear().extend_pairs(kept).append_pair("$skiptoken", &last.to_string());
                body["@odata.nextLink"] = json!(next.as_str());
            }
        }
        ResponseTemplate::new(200).set_body_json(body).set_delay(self.delay)
    }
}

/// A range whose upper bound a split lowered is asked for again with the
/// new bound, so that the service stops at it. (Its reader followed the
/// links of the query made before the split, and was sent a page past the
/// bound whose rows it dropped.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_range_whose_bound_was_lowered_is_asked_for_again_with_it() {
    // Keys 1..=50, then every fourth: the first page's rows per key make
    // the rest look four times denser than it is, so the split leaves the
    // first range 75 rows, not the whole pages it counted on, and its
    // second page ends well below the bound.
    let keys: Vec<i64> = (1..=50).chain((0..150).map(|at| 52 + 4 * at)).collect();
    let served = Arc::new(AtomicUsize::new(0));
    let server = MockServer::start().await;
    // Answers late enough for the idle worker to split the only range
    // while its reader's second page is in flight.
    let service = Ranges {
        address: *server.address(),
        keys: keys.clone(),
        page: 50,
        delay: Duration::from_millis(200),
        served: served.clone(),
    };
    Mock::given(wiremock::matchers::method("GET")).respond_with(service).mount(&server).await;
    let client = Client::builder(server.uri()).build().expect("a client");
    let mut stream = export(&support::api(&client)).concurrency(1).partitions(1).start();

    let outcome = run(&mut stream).await;

    assert!(outcome.error.is_none(), "{:?}", outcome.error);
    assert_exactly_once(outcome.keys, &keys);
    assert_eq!(outcome.progress.partitions, 2, "the one range was split once");
    assert_eq!(served.load(Ordering::SeqCst), keys.len(), "no row was sent only to be dropped");
}
