//! Peak memory while a hostile server sends 512 MiB bodies: the client must
//! stay within its configured limit plus a small constant, whatever the
//! kind of answer (a page, an error, a token, a `$batch`, a media download).
//!
//! Run with `cargo bench -p odata-v4-runtime --bench hostile_bodies`.
//! `BC_BENCH_HOSTILE_MIB` changes the body size (default 512). Each case runs
//! in a fresh child process (this same binary), so that memory one case
//! freed but the allocator kept cannot hide the next case's growth; the
//! peak is the kernel's high-water mark (`VmHWM`), reset after set-up.
//!
//! The server runs on its own thread and writes every body from one 64 KiB
//! buffer, so the growth measured is the client's.

use std::io::Write as _;
use std::process::Command;
use std::sync::Arc;
use std::time::Instant;

use futures_util::StreamExt;
use odata_v4_runtime::{
    Api, Batch, BodyLimits, Client, ClientCredentials, Error, MediaPath, Method, OperationKind, Request, RetryPolicy,
    ServiceProfile, Target, decode,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const MIB: u64 = 1024 * 1024;

/// One hostile case: what the server answers and what the client asks.
struct Case {
    name: &'static str,
    status: u16,
    /// The body starts with this, then filler up to the hostile size.
    prefix: &'static str,
    /// Announce the length (`Content-Length`) instead of chunking.
    announced: bool,
    /// The limit that applies, in bytes, and how the client is configured.
    limit: u64,
    limits: fn() -> BodyLimits,
    run: fn(Client) -> std::pin::Pin<Box<dyn std::future::Future<Output = String>>>,
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "page, chunked, 16 MiB limit",
            status: 200,
            prefix: r#"{"value":["#,
            announced: false,
            limit: 16 * MIB,
            limits: || BodyLimits::default().responses(16 * MIB),
            run: |client| Box::pin(read_page(client)),
        },
        Case {
            name: "page, chunked, default limit",
            status: 200,
            prefix: r#"{"value":["#,
            announced: false,
            limit: BodyLimits::default().max_response(),
            limits: BodyLimits::default,
            run: |client| Box::pin(read_page(client)),
        },
        Case {
            name: "page, Content-Length, 16 MiB limit",
            status: 200,
            prefix: r#"{"value":["#,
            announced: true,
            limit: 16 * MIB,
            limits: || BodyLimits::default().responses(16 * MIB),
            run: |client| Box::pin(read_page(client)),
        },
        Case {
            name: "error body, chunked",
            status: 400,
            prefix: r#"{"error":{"code":"Application_DialogException","message":"Posting failed: "#,
            announced: false,
            limit: BodyLimits::default().max_error(),
            limits: BodyLimits::default,
            run: |client| Box::pin(read_page(client)),
        },
        Case {
            name: "token answer, chunked",
            status: 200,
            prefix: r#"{"access_token":""#,
            announced: false,
            limit: BodyLimits::default().max_token(),
            limits: BodyLimits::default,
            run: |client| Box::pin(read_page(client)),
        },
        Case {
            name: "$batch answer, chunked, 16 MiB limit",
            status: 200,
            prefix: r#"{"responses":["#,
            announced: false,
            limit: 16 * MIB,
            limits: || BodyLimits::default().responses(16 * MIB),
            run: |client| Box::pin(read_batch(client)),
        },
        Case {
            name: "media download, streamed",
            status: 200,
            prefix: "\u{89}PNG",
            announced: true,
            limit: 1024 * MIB,
            limits: BodyLimits::default,
            run: |client| Box::pin(download(client)),
        },
    ]
}

fn api(client: &Client) -> Api {
    Api::new(client, "api", ServiceProfile::strict_odata())
}

async fn read_page(client: Client) -> String {
    let request = Request::new(
        api(&client),
        Method::Get,
        Target::Relative { path: "companies".to_owned(), query: String::new() },
        OperationKind::Read,
        decode::json::<serde_json::Value>,
    );
    outcome(request.await.map(|_| "decoded".to_owned()))
}

async fn read_batch(client: Client) -> String {
    let api = api(&client);
    let mut batch = Batch::new(&api);
    let target = Target::Relative { path: "companies".to_owned(), query: String::new() };
    batch.add(Request::new(api.clone(), Method::Get, target, OperationKind::Read, decode::json::<serde_json::Value>));
    outcome(batch.await.map(|_| "decoded".to_owned()))
}

async fn download(client: Client) -> String {
    let path = MediaPath::new(api(&client), "items(1)/picture/pictureContent");
    let mut download = match path.download().await {
        Ok(download) => download,
        Err(error) => return outcome::<()>(Err(error)),
    };
    let mut total = 0u64;
    while let Some(chunk) = download.next().await {
        match chunk {
            Ok(chunk) => total += chunk.len() as u64,
            Err(error) => return outcome::<()>(Err(error)),
        }
    }
    format!("streamed {} MiB", total / MIB)
}

fn outcome<T>(result: Result<T, Error>) -> String {
    match result {
        Ok(_) => "decoded".to_owned(),
        Err(Error::ResponseTooLarge { limit }) => format!("ResponseTooLarge ({} KiB)", limit / 1024),
        Err(Error::Authentication(_)) => "Authentication error".to_owned(),
        Err(error) => {
            let text = error.to_string();
            let cut = text.char_indices().nth(60).map_or(text.len(), |(at, _)| at);
            format!("{}… ({} chars)", &text[..cut], text.chars().count())
        }
    }
}

/// Serves `case`'s answer, `size` bytes of body, to every connection.
fn serve(listener: std::net::TcpListener, status: u16, prefix: &'static str, announced: bool, size: u64) {
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async move {
            listener.set_nonblocking(true).unwrap();
            let listener = TcpListener::from_std(listener).unwrap();
            let filler = Arc::new(vec![b'x'; 64 * 1024]);
            while let Ok((mut socket, _)) = listener.accept().await {
                let filler = filler.clone();
                tokio::spawn(async move {
                    let mut head = Vec::new();
                    let mut byte = [0u8; 1];
                    while !head.ends_with(b"\r\n\r\n") {
                        if socket.read(&mut byte).await.unwrap_or(0) == 0 {
                            return;
                        }
                        head.push(byte[0]);
                    }
                    let framing = if announced {
                        format!("Content-Length: {size}")
                    } else {
                        "Transfer-Encoding: chunked".to_owned()
                    };
                    let head = format!("HTTP/1.1 {status} X\r\nContent-Type: application/json\r\n{framing}\r\n\r\n");
                    let _ = socket.write_all(head.as_bytes()).await;
                    let mut left = size;
                    let mut first = Some(prefix.as_bytes());
                    while left > 0 {
                        let piece = first.take().unwrap_or(&filler[..filler.len().min(left as usize)]);
                        let piece = &piece[..piece.len().min(left as usize)];
                        let written = if announced {
                            socket.write_all(piece).await
                        } else {
                            let framed = [format!("{:x}\r\n", piece.len()).as_bytes(), piece, b"\r\n"].concat();
                            socket.write_all(&framed).await
                        };
                        if written.is_err() {
                            return;
                        }
                        left -= piece.len() as u64;
                    }
                    if !announced {
                        let _ = socket.write_all(b"0\r\n\r\n").await;
                    }
                });
            }
        });
    });
}

/// `VmRSS` and `VmHWM` (peak RSS) of this process, in KiB.
fn memory_kib() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|line| line.starts_with(name))
            .and_then(|line| line.split_whitespace().nth(1))
            .and_then(|value| value.parse::<u64>().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

fn reset_peak() -> bool {
    std::fs::OpenOptions::new().write(true).open("/proc/self/clear_refs").and_then(|mut f| f.write_all(b"5")).is_ok()
}

/// Runs one case in this process and prints `growth_kib seconds outcome`.
fn run_case(index: usize, size: u64) {
    let case = &cases()[index];
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    serve(listener, case.status, case.prefix, case.announced, size);
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let mut builder = Client::builder(url.as_str()).retry_policy(RetryPolicy::none()).body_limits((case.limits)());
    if case.name.starts_with("token") {
        builder = builder.credentials(ClientCredentials::new(format!("{url}token"), "app", "secret"));
    }
    let client = builder.build().unwrap();
    // Warm up: one small request runs every code path once.
    runtime.block_on(async {
        let _ = tokio::time::timeout(std::time::Duration::from_millis(1), read_page(client.clone())).await;
    });
    let reset = reset_peak();
    let (before, peak_before) = memory_kib();
    let started = Instant::now();
    let outcome = runtime.block_on((case.run)(client));
    let elapsed = started.elapsed().as_secs_f64();
    let (_, peak) = memory_kib();
    let baseline = if reset { before } else { peak_before.max(before) };
    println!("{} {elapsed:.3} {outcome}", peak.saturating_sub(baseline));
}

fn main() {
    let size = std::env::var("BC_BENCH_HOSTILE_MIB").ok().and_then(|v| v.parse::<u64>().ok()).unwrap_or(512) * MIB;
    let mut args = std::env::args().skip_while(|arg| arg != "--case").skip(1);
    if let Some(index) = args.next().and_then(|index| index.parse::<usize>().ok()) {
        run_case(index, size);
        return;
    }
    let exe = std::env::current_exe().unwrap();
    println!("hostile_bodies: {} MiB bodies, each case in a fresh process", size / MIB);
    println!("  {:<38} {:>10} {:>12} {:>12} {:>8}  outcome", "case", "limit", "peak growth", "over limit", "time");
    let mut worst_excess: i64 = 0;
    for (index, case) in cases().iter().enumerate() {
        let output = Command::new(&exe).args(["--case", &index.to_string()]).output().unwrap();
        let line = String::from_utf8_lossy(&output.stdout);
        let mut parts = line.trim().splitn(3, ' ');
        let growth_kib: u64 = parts.next().and_then(|v| v.parse().ok()).unwrap_or(u64::MAX);
        let seconds = parts.next().unwrap_or("?");
        let outcome = parts.next().unwrap_or("(no output)").to_owned();
        // A streamed download holds one chunk, not the limit.
        let bound_kib = if case.name.starts_with("media") { 0 } else { case.limit / 1024 };
        let excess = growth_kib as i64 - bound_kib as i64;
        worst_excess = worst_excess.max(excess);
        println!(
            "  {:<38} {:>7} KiB {:>8} KiB {:>8} KiB {:>7}s  {outcome}",
            case.name,
            case.limit / 1024,
            growth_kib,
            excess,
            seconds
        );
    }
    println!("  largest growth beyond the limit (the constant): {worst_excess} KiB");
}
