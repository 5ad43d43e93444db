//! Partitioned parallel export and page prefetch against a simulated
//! Business Central (`support/sim_server.rs`): every row exactly once
//! across ranges (uneven ones included), with 429 and 503 during the run,
//! after a failure and a resume from the checkpoint; rows in key order
//! within a range; the concurrency limit kept; prefetch changing timing,
//! not results.

mod support;

use std::collections::BTreeMap;
use std::time::Duration;

use futures_util::StreamExt;
use odata_v4_runtime::{Api, Client, Error, ExportCheckpoint, RetryPolicy};
use support::model::{Entry, entries, entry_number};
use support::sim_server::{Behaviour, SimServer};

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
