//! What gzip does for a 20,000-entity page (Business Central's largest):
//! bytes on the wire, and the time to fetch and decode the page on
//! loopback and over a simulated 100 Mbit/s link.
//!
//! Run with `cargo bench -p odata-v4-runtime --features gzip --bench compression`.
//! `BC_BENCH_ENTITIES` (default 20000) and `BC_BENCH_RUNS` (default 5)
//! change the page and the number of timed fetches (the median is shown);
//! `BC_BENCH_MBIT` the simulated link speed (default 100).
//!
//! The server pre-renders the page, plain and gzip-compressed (level 6, as
//! IIS and most gateways use), and answers `Accept-Encoding: gzip` with the
//! compressed one. The client is the runtime's default client with its
//! `gzip` feature: it asks for gzip and decompresses while streaming.

use std::io::Write as _;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use odata_v4_runtime::{Api, BodyLimits, Client, Method, OperationKind, Page, Request, ServiceProfile, Target, decode};
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};

mod support;
use support::{GeneralLedgerEntry, read_head, render_entry};

fn render_page(entities: usize) -> Bytes {
    let mut body = String::with_capacity(entities * 600);
    body.push_str(r#"{"@odata.context":"https://h/api/v2.0/$metadata#generalLedgerEntries","value":["#);
    for number in 1..=entities {
        if number > 1 {
            body.push(',');
        }
        render_entry(&mut body, number);
    }
    body.push_str("]}");
    Bytes::from(body)
}

fn gzip(bytes: &[u8]) -> Bytes {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(6));
    encoder.write_all(bytes).unwrap();
    Bytes::from(encoder.finish().unwrap())
}

struct Pages {
    plain: Bytes,
    gzipped: Bytes,
    /// Bytes per second the server writes, if paced.
    pace: Option<u64>,
}

async fn serve(listener: TcpListener, pages: Arc<Pages>) {
    while let Ok((socket, _)) = listener.accept().await {
        tokio::spawn(serve_connection(socket, pages.clone()));
    }
}

async fn serve_connection(mut socket: TcpStream, pages: Arc<Pages>) {
    let mut buffer = Vec::with_capacity(4096);
    loop {
        let Some(head) = read_head(&mut socket, &mut buffer).await else { return };
        let head = head.to_ascii_lowercase();
        let wants_gzip = head.lines().any(|line| line.starts_with("accept-encoding:") && line.contains("gzip"));
        let (body, encoding) =
            if wants_gzip { (&pages.gzipped, "Content-Encoding: gzip\r\n") } else { (&pages.plain, "") };
        let head = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n{encoding}Content-Length: {}\r\n\r\n",
            body.len()
        );
        if socket.write_all(head.as_bytes()).await.is_err() {
            return;
        }
        // A paced server writes 64 KiB slices at the simulated link speed.
        let slice = pages.pace.map_or(body.len(), |_| 64 * 1024);
        for piece in body.chunks(slice) {
            let started = Instant::now();
            if socket.write_all(piece).await.is_err() {
                return;
            }
            if let Some(bytes_per_second) = pages.pace {
                let due = Duration::from_secs_f64(piece.len() as f64 / bytes_per_second as f64);
                tokio::time::sleep(due.saturating_sub(started.elapsed())).await;
            }
        }
    }
}

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).filter(|n| *n > 0).unwrap_or(default)
}

/// Median seconds to fetch and decode the page, over `runs` fetches.
async fn time_fetches(base_url: &str, gzip: bool, runs: usize, entities: usize) -> f64 {
    let mut builder = Client::builder(base_url).body_limits(BodyLimits::default());
    if !gzip {
        // The feature asks for gzip on every request; this measures the
        // same client without it.
        builder = builder.header("Accept-Encoding", "identity");
    }
    let client = builder.build().unwrap();
    let api = Api::new(&client, "api/v2.0", ServiceProfile::strict_odata());
    let mut seconds = Vec::new();
    for _ in 0..runs + 1 {
        let request = Request::new(
            api.clone(),
            Method::Get,
            Target::Relative { path: "generalLedgerEntries".to_owned(), query: String::new() },
            OperationKind::Read,
            decode::json::<Page<GeneralLedgerEntry>>,
        );
        let started = Instant::now();
        let page = request.await.unwrap();
        seconds.push(started.elapsed().as_secs_f64());
        assert_eq!(page.items.len(), entities);
    }
    // The first fetch opens the connection.
    seconds.remove(0);
    seconds.sort_by(f64::total_cmp);
    seconds[seconds.len() / 2]
}

fn main() {
    let entities = env_number("BC_BENCH_ENTITIES", 20_000);
    let runs = env_number("BC_BENCH_RUNS", 5);
    let mbit = env_number("BC_BENCH_MBIT", 100);
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    runtime.block_on(async {
        let plain = render_page(entities);
        let compress_started = Instant::now();
        let gzipped = gzip(&plain);
        let compress_seconds = compress_started.elapsed().as_secs_f64();
        println!("compression: one page of {entities} general ledger entries");
        println!(
            "  on the wire            {:.1} MiB plain, {:.2} MiB gzip ({:.1}x smaller; server-side compression took {:.0} ms)",
            plain.len() as f64 / 1048576.0,
            gzipped.len() as f64 / 1048576.0,
            plain.len() as f64 / gzipped.len() as f64,
            compress_seconds * 1000.0
        );
        for (label, pace) in [("loopback".to_owned(), None), (format!("{mbit} Mbit/s"), Some(mbit as u64 * 1_000_000 / 8))] {
            let pages = Arc::new(Pages { plain: plain.clone(), gzipped: gzipped.clone(), pace });
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let base_url = format!("http://{}/", listener.local_addr().unwrap());
            tokio::spawn(serve(listener, pages));
            let identity = time_fetches(&base_url, false, runs, entities).await;
            let compressed = time_fetches(&base_url, true, runs, entities).await;
            println!(
                "  {label:<22} fetch and decode: {:.0} ms plain, {:.0} ms gzip (median of {runs})",
                identity * 1000.0,
                compressed * 1000.0
            );
        }
    });
}
