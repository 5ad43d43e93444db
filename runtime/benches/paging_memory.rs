//! Streams a large `generalLedgerEntries` export through `ItemStream` from an
//! in-process HTTP server and reports throughput and memory: the point is
//! to show that memory stays bounded by about one page, however many pages
//! there are.
//!
//! Run with `cargo bench -p odata-v4-runtime --bench paging_memory`.
//! Environment variables:
//! - `BC_BENCH_ENTITIES` (default 100000) and `BC_BENCH_PAGE_SIZE`
//!   (default 1000) change the shape of the export;
//! - `BC_BENCH_MULTI_THREAD` runs on a two-worker runtime instead of a
//!   single thread;
//! - `BC_BENCH_TRACE` prints RSS, peak RSS and the live heap every ten
//!   pages, to tell a plateau (bounded) from a slope (a leak).
//!
//! The server pre-renders every page before measuring starts and writes
//! them straight from those buffers, so the memory growth measured is the
//! client's: the raw page being read, the decoded page, and the machinery.
//!
//! Memory is measured twice, as growth over the state before the export:
//! - the live heap, counted by this benchmark's global allocator (bytes
//!   allocated and not yet freed), at its peak: what the export holds at
//!   its worst. This is the figure the target (3 pages) applies to.
//! - the resident set (peak RSS): what the process took from the system,
//!   which adds what the allocator keeps of freed memory. glibc's malloc
//!   keeps an arena per thread, each holding on to the high-water mark of
//!   what its own thread allocated, so on the multi-threaded runtime the
//!   arenas' peaks add up where one arena would reuse the same memory:
//!   the HTTP connection's read buffers are allocated on a worker thread,
//!   the page's body and entities on the thread that polls the stream. With
//!   pages of 1,000 entities the live heap peaked at 1.9 pages on either
//!   runtime in most runs (2.4 at most), while peak RSS read 2.1 to 2.3
//!   pages on one thread and 2.5 to 3.8 on two; with `MALLOC_ARENA_MAX=1`
//!   (one arena for all threads) the two-thread RSS read 2.1 to 2.2.
//!
//! At its peak the live heap holds the body being read (preallocated from
//! its `Content-Length`; the previous page's entities were released before
//! it was asked for) and the HTTP connection's read buffers: hyper reads
//! into buffers of up to 408 KiB and allocates a new one while chunks of
//! the last are still on their way to the body, up to three at a time
//! (seen at the peak: one 426 KiB body and three 408 KiB buffers). Those
//! do not grow with the page size: with larger pages the figure tends to
//! one page.

use std::io::Write as _;
use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use futures_util::StreamExt;
use odata_v4_runtime::{Api, Client, ItemStream, Method, OperationKind, Page, Request, ServiceProfile, Target, decode};
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};

mod support;
use support::{GeneralLedgerEntry, read_head, render_entry};

/// The live heap, counted: every allocation passes through here.
#[global_allocator]
static ALLOCATOR: heap::Counting = heap::Counting;

#[path = "../tests/support/counting_heap.rs"]
mod heap;

const ENTITY_SET_PATH: &str = "api/v2.0/companies(8f6b2c61-3a8e-4d6e-9a77-2f0c3c1d9e01)/generalLedgerEntries";

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).filter(|n| *n > 0).unwrap_or(default)
}

/// Every page's JSON body, pre-rendered. Page `i` holds entries
/// `i*page_size+1 ..= (i+1)*page_size`; its next link carries the last key
/// as `$skiptoken`, as Business Central does.
fn render_pages(base_url: &str, entities: usize, page_size: usize) -> Vec<Bytes> {
    let mut pages = Vec::new();
    let mut first = 1;
    while first <= entities {
        let last = (first + page_size - 1).min(entities);
        let mut body = String::with_capacity(page_size * 600);
        body.push_str(r#"{"@odata.context":""#);
        body.push_str(base_url);
        body.push_str(r#"$metadata#companies(8f6b2c61-3a8e-4d6e-9a77-2f0c3c1d9e01)/generalLedgerEntries","value":["#);
        for number in first..=last {
            if number > first {
                body.push(',');
            }
            render_entry(&mut body, number);
        }
        body.push(']');
        if last < entities {
            body.push_str(&format!(r#","@odata.nextLink":"{base_url}{ENTITY_SET_PATH}?$skiptoken={last}""#));
        }
        body.push('}');
        pages.push(Bytes::from(body));
        first = last + 1;
    }
    pages
}

/// A minimal HTTP/1.1 keep-alive server answering GETs of the entity set.
/// What the server answers: the export's pages, and a one-entity page for
/// the warm-up request.
struct Catalogue {
    pages: Vec<Bytes>,
    warm_up: Bytes,
    page_size: usize,
}

async fn serve(listener: TcpListener, catalogue: Arc<Catalogue>) {
    while let Ok((socket, _)) = listener.accept().await {
        tokio::spawn(serve_connection(socket, catalogue.clone()));
    }
}

async fn serve_connection(mut socket: TcpStream, catalogue: Arc<Catalogue>) {
    let mut buffer = Vec::with_capacity(4096);
    loop {
        let Some(head) = read_head(&mut socket, &mut buffer).await else { return };
        let target = head.split_whitespace().nth(1).unwrap_or("/");
        let skip_token = target
            .split_once("$skiptoken=")
            .and_then(|(_, rest)| rest.split('&').next())
            .and_then(|token| token.parse::<usize>().ok())
            .unwrap_or(0);
        let page = if target.contains("warmup") {
            Some(&catalogue.warm_up)
        } else if skip_token.is_multiple_of(catalogue.page_size) {
            catalogue.pages.get(skip_token / catalogue.page_size)
        } else {
            None
        };
        let written = match page {
            Some(body) => {
                let head = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json; odata.metadata=minimal; odata.streaming=true\r\n\
                     OData-Version: 4.0\r\nContent-Length: {}\r\n\r\n",
                    body.len()
                );
                match socket.write_all(head.as_bytes()).await {
                    Ok(()) => socket.write_all(body).await,
                    Err(error) => Err(error),
                }
            }
            None => socket.write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n").await,
        };
        if written.is_err() {
            return;
        }
    }
}

/// `VmRSS` and `VmHWM` (peak RSS) of this process, in KiB.
fn memory_kib() -> Option<(u64, u64)> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let field = |name: &str| {
        status
            .lines()
            .find(|line| line.starts_with(name))
            .and_then(|line| line.split_whitespace().nth(1))
            .and_then(|value| value.parse::<u64>().ok())
    };
    Some((field("VmRSS:")?, field("VmHWM:")?))
}

/// Resets the kernel's peak-RSS mark to the current RSS (Linux 4.0+), so
/// the peak measured afterwards excludes the set-up.
fn reset_peak() -> bool {
    std::fs::OpenOptions::new().write(true).open("/proc/self/clear_refs").and_then(|mut f| f.write_all(b"5")).is_ok()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let entities = env_number("BC_BENCH_ENTITIES", 100_000);
    let page_size = env_number("BC_BENCH_PAGE_SIZE", 1_000);
    let runtime = if std::env::var_os("BC_BENCH_MULTI_THREAD").is_some() {
        tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?
    } else {
        tokio::runtime::Builder::new_current_thread().enable_all().build()?
    };
    runtime.block_on(run(entities, page_size))
}

async fn run(entities: usize, page_size: usize) -> Result<(), Box<dyn std::error::Error>> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let base_url = format!("http://{}/", listener.local_addr()?);
    let pages = render_pages(&base_url, entities, page_size);
    let warm_up = render_pages(&base_url, 1, 1).remove(0);
    let catalogue = Arc::new(Catalogue { pages, warm_up, page_size });
    let pages = &catalogue.pages;
    let page_json_bytes = pages[0].len();
    tokio::spawn(serve(listener, catalogue.clone()));

    let client = Client::builder(base_url.as_str()).max_page_size(u32::try_from(page_size)?).build()?;
    let api = Api::new(&client, "api/v2.0", ServiceProfile::strict_odata());
    let request = |query: &str| -> Request<Page<GeneralLedgerEntry>> {
        let path = ENTITY_SET_PATH.trim_start_matches("api/v2.0/").to_owned();
        let target = Target::Relative { path, query: query.to_owned() };
        Request::new(api.clone(), Method::Get, target, OperationKind::Read, decode::json::<Page<GeneralLedgerEntry>>)
    };
    let mut seen = vec![false; entities + 1];
    // Fault the tracking table in now, so it is not counted as growth.
    seen.iter_mut().for_each(|slot| *slot = std::hint::black_box(false));

    // One tiny page first: it opens the connection and runs every code path
    // once, so the measurement below counts data, not first-use costs
    // (code pages faulted in, connection pool, lazily built statics).
    let warmed_up = ItemStream::new(request("warmup=1"), None).collect_all().await?;
    assert_eq!(warmed_up.len(), 1);
    let first = request("");

    let trace = std::env::var_os("BC_BENCH_TRACE").is_some();
    let peak_was_reset = reset_peak();
    let (rss_before, hwm_before) = memory_kib().unwrap_or((0, 0));
    let live_before = heap::reset_peak();
    let started = Instant::now();
    let mut received = 0usize;
    let mut duplicates = 0usize;
    let mut out_of_range = 0usize;
    let mut items = ItemStream::new(first, None);
    while let Some(entry) = items.next().await {
        let entry = entry?;
        received += 1;
        if trace && received.is_multiple_of(page_size * 10) {
            let (rss, peak) = memory_kib().unwrap_or((0, 0));
            let (live, live_peak) = (heap::live().saturating_sub(live_before), heap::peak() - live_before);
            eprintln!(
                "  after {received:>7} entities: RSS {rss} KiB, peak {peak} KiB; live heap {} KiB, peak {} KiB",
                live / 1024,
                live_peak / 1024
            );
        }
        match usize::try_from(entry.entry_number).ok().and_then(|n| seen.get_mut(n)) {
            Some(slot) if *slot => duplicates += 1,
            Some(slot) => *slot = true,
            None => out_of_range += 1,
        }
    }
    let elapsed = started.elapsed();
    let live_peak_growth_kib = (heap::peak() - live_before) as f64 / 1024.0;
    let (rss_after, hwm_after) = memory_kib().unwrap_or((0, 0));
    let missing = seen.iter().skip(1).filter(|seen| !**seen).count();

    // One page's worth: its JSON plus its decoded entities (measured on the
    // first page, after the run so it does not disturb the measurement).
    let first_page: Page<GeneralLedgerEntry> = serde_json::from_slice(&pages[0])?;
    let page_decoded_bytes: usize = std::mem::size_of::<Page<GeneralLedgerEntry>>()
        + first_page.items.iter().map(GeneralLedgerEntry::decoded_size).sum::<usize>()
        + (first_page.items.capacity() - first_page.items.len()) * std::mem::size_of::<GeneralLedgerEntry>();
    let one_page_kib = (page_json_bytes + page_decoded_bytes) as f64 / 1024.0;
    let baseline = if peak_was_reset { rss_before } else { hwm_before.max(rss_before) };
    let peak_growth_kib = hwm_after.saturating_sub(baseline);

    let threading =
        if std::env::var_os("BC_BENCH_MULTI_THREAD").is_some() { "two worker threads" } else { "one thread" };
    println!("paging_memory: {entities} entities in pages of {page_size} ({} pages), {threading}", pages.len());
    println!("  entities received      {received}");
    println!("  duplicates / missing   {duplicates} / {} (out of range: {out_of_range})", missing);
    println!("  elapsed                {:.3} s", elapsed.as_secs_f64());
    println!("  throughput             {:.0} entities/s", received as f64 / elapsed.as_secs_f64());
    println!(
        "  one page               {:.1} KiB JSON + {:.1} KiB decoded = {one_page_kib:.1} KiB",
        page_json_bytes as f64 / 1024.0,
        page_decoded_bytes as f64 / 1024.0
    );
    println!(
        "  RSS before / after     {rss_before} KiB / {rss_after} KiB (peak mark reset: {})",
        if peak_was_reset { "yes" } else { "no, peak includes set-up" }
    );
    println!("  peak RSS growth        {peak_growth_kib} KiB ({:.2} pages)", peak_growth_kib as f64 / one_page_kib);
    println!("  peak live heap growth  {live_peak_growth_kib:.0} KiB");
    println!("  peak growth / one page {:.2} (live heap; target <= 3)", live_peak_growth_kib / one_page_kib);
    if received != entities || duplicates != 0 || missing != 0 || out_of_range != 0 {
        return Err("the export lost or repeated entities".into());
    }
    Ok(())
}
