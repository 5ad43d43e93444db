//! A local server that serves one entity set the way Business Central does
//! where a large export cares: server-driven pages linked by
//! `@odata.nextLink` (`$skiptoken` = the last key), `$filter` ranges and
//! `$orderby` on `entryNumber`, `$top`, `/$count`, a fixed time per page
//! plus a time per row, and a limit of concurrent requests per user with
//! the rest queued. Faults can be injected (429 with `Retry-After`, 503, a
//! lasting 500). Shared by `tests/export.rs` and `benches/export.rs`.

#![allow(dead_code)] // Each user takes what it needs.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;

use super::http_head::read_head;

/// The entity set's path below the base URL.
pub const SET_PATH: &str = "api/v2.0/companies(1)/generalLedgerEntries";

/// How the simulated service behaves.
#[derive(Debug, Clone)]
pub struct Behaviour {
    /// The keys of the rows, ascending (gaps make uneven ranges).
    pub keys: Vec<i64>,
    /// Rows per page unless the request asks for fewer.
    pub page_size: usize,
    /// The fixed time a page takes to produce.
    pub time_per_page: Duration,
    /// The time each row adds to a page.
    pub time_per_row: Duration,
    /// Requests served at once; the rest wait (Business Central: 5 per user).
    pub concurrent: usize,
    /// Every n-th data request is answered with this status first (429 or
    /// 503 with `Retry-After: 0`), then served when retried.
    pub transient_every: Option<(usize, u16)>,
    /// The n-th data request (1-based) and every later one on the same
    /// range is answered 500 until [`SimServer::heal`] is called.
    pub fail_from: Option<usize>,
    /// Answers as if `$filter` had not been sent (a service that does not
    /// support it on this property, or a broken proxy).
    pub ignores_filter: bool,
}

impl Behaviour {
    /// `rows` consecutive keys from 1, pages of `page_size`, no latency.
    pub fn rows(rows: i64, page_size: usize) -> Behaviour {
        Behaviour {
            keys: (1..=rows).collect(),
            page_size,
            time_per_page: Duration::ZERO,
            time_per_row: Duration::ZERO,
            concurrent: 5,
            transient_every: None,
            fail_from: None,
            ignores_filter: false,
        }
    }
}

/// What the server saw.
#[derive(Debug, Default)]
pub struct Seen {
    /// Data requests (pages and `$count`), retries included.
    pub requests: AtomicUsize,
    /// The most requests that were being served at the same time.
    pub peak_concurrency: AtomicUsize,
    in_flight: AtomicUsize,
    failing: std::sync::atomic::AtomicBool,
}

/// A running server; it stops when the runtime that started it does.
pub struct SimServer {
    pub base_url: String,
    pub seen: Arc<Seen>,
}

impl SimServer {
    /// Starts the server on 127.0.0.1 on a port the OS picks.
    pub async fn start(behaviour: Behaviour) -> SimServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("a local port");
        let base_url = format!("http://{}/", listener.local_addr().expect("an address"));
        let seen = Arc::new(Seen::default());
        let state = Arc::new(State {
            behaviour,
            seen: seen.clone(),
            permits: Semaphore::new(0),
            base_url: base_url.clone(),
            served: Mutex::new(0),
        });
        state.permits.add_permits(state.behaviour.concurrent);
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                tokio::spawn(serve_connection(socket, state.clone()));
            }
        });
        SimServer { base_url, seen }
    }

    /// Stops the lasting failure of [`Behaviour::fail_from`].
    pub fn heal(&self) {
        self.seen.failing.store(false, Ordering::SeqCst);
    }
}

struct State {
    behaviour: Behaviour,
    seen: Arc<Seen>,
    permits: Semaphore,
    base_url: String,
    /// Data requests served, for the fault schedule.
    served: Mutex<usize>,
}

/// The query a request asked for.
#[derive(Debug, Default)]
struct Query {
    lower: Option<(i64, bool)>,
    upper: Option<(i64, bool)>,
    descending: bool,
    top: Option<usize>,
    after: Option<i64>,
    page_size: Option<usize>,
    count: bool,
}

fn parse(target: &str, prefer: Option<&str>) -> Query {
    let (path, query_string) = target.split_once('?').unwrap_or((target, ""));
    let mut query = Query { count: path.ends_with("/$count"), ..Query::default() };
    for pair in query_string.split('&') {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let value = percent_decode(value);
        match name {
            "$filter" => {
                for clause in value.split(" and ") {
                    let parts: Vec<&str> = clause.split_whitespace().collect();
                    if let [_, operator, number] = parts.as_slice() {
                        let number: i64 = number.parse().expect("a numeric bound");
                        match *operator {
                            "ge" => query.lower = Some((number, false)),
                            "gt" => query.lower = Some((number, true)),
                            "lt" => query.upper = Some((number, true)),
                            "le" => query.upper = Some((number, false)),
                            other => panic!("unexpected operator {other} in {value}"),
                        }
                    }
                }
            }
            "$orderby" => query.descending = value.ends_with(" desc"),
            "$top" => query.top = value.parse().ok(),
            "$skiptoken" => query.after = value.parse().ok(),
            _ => {}
        }
    }
    query.page_size = prefer
        .and_then(|p| p.split("odata.maxpagesize=").nth(1))
        .and_then(|rest| rest.split([',', ';']).next())
        .and_then(|n| n.trim().parse().ok());
    query
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut at = 0;
    while at < bytes.len() {
        if bytes[at] == b'%'
            && at + 2 < bytes.len()
            && let Ok(byte) = u8::from_str_radix(&text[at + 1..at + 3], 16)
        {
            out.push(byte);
            at += 3;
            continue;
        }
        out.push(if bytes[at] == b'+' { b' ' } else { bytes[at] });
        at += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn matches(query: &Query, key: i64) -> bool {
    let above = match query.lower {
        Some((bound, true)) => key > bound,
        Some((bound, false)) => key >= bound,
        None => true,
    };
    let below = match query.upper {
        Some((bound, true)) => key < bound,
        Some((bound, false)) => key <= bound,
        None => true,
    };
    above && below
}

/// One row shaped like a general ledger entry.
fn render_row(out: &mut String, key: i64) {
    use std::fmt::Write as _;
    let _ = write!(
        out,
        r#"{{"@odata.etag":"W/\"JzE5O{key:08}Jw==\"","id":"{key:08x}-2a32-4011-9a4a-7ced8d0ee6e7","entryNumber":{key},"postingDate":"2025-{month:02}-{day:02}","documentNumber":"G{document:05}","accountNumber":"{account}","description":"Posting {key} for account {account}","debitAmount":{units}.{cents:02},"creditAmount":0.00}}"#,
        month = key % 12 + 1,
        day = key % 28 + 1,
        document = key / 3,
        account = 10_000 + (key % 90) * 100,
        units = (key * 7_919) % 10_000,
        cents = key % 100,
    );
}

/// The answer to one request: status, extra headers, body.
async fn answer(state: &State, target: &str, prefer: Option<&str>) -> (u16, String, String) {
    let behaviour = &state.behaviour;
    let number = {
        let mut served = state.served.lock().expect("the counter lock");
        *served += 1;
        *served
    };
    state.seen.requests.fetch_add(1, Ordering::SeqCst);
    if let Some((every, status)) = behaviour.transient_every
        && number % every == 0
    {
        return (
            status,
            "Retry-After: 0\r\n".to_owned(),
            r#"{"error":{"code":"Throttled","message":"Try again."}}"#.to_owned(),
        );
    }
    if behaviour.fail_from == Some(number) {
        state.seen.failing.store(true, Ordering::SeqCst);
    }
    if state.seen.failing.load(Ordering::SeqCst) {
        return (500, String::new(), r#"{"error":{"code":"Internal_ServerError","message":"Down."}}"#.to_owned());
    }
    let query = parse(target, prefer);
    let mut keys: Vec<i64> =
        behaviour.keys.iter().copied().filter(|k| behaviour.ignores_filter || matches(&query, *k)).collect();
    if query.count {
        return (200, "Content-Type: text/plain\r\n".to_owned(), keys.len().to_string());
    }
    if query.descending {
        keys.reverse();
    }
    if let Some(after) = query.after {
        keys.retain(|k| if query.descending { *k < after } else { *k > after });
    }
    let limit = query.top.unwrap_or(usize::MAX).min(query.page_size.unwrap_or(behaviour.page_size));
    let page: Vec<i64> = keys.iter().copied().take(limit).collect();
    let more = query.top.is_none() && keys.len() > page.len();
    let latency = behaviour.time_per_page + behaviour.time_per_row * u32::try_from(page.len()).unwrap_or(u32::MAX);
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let mut body = String::with_capacity(page.len() * 320 + 256);
    body.push_str(r#"{"@odata.context":""#);
    body.push_str(&state.base_url);
    body.push_str(r#"api/v2.0/$metadata#generalLedgerEntries","value":["#);
    for (i, key) in page.iter().enumerate() {
        if i > 0 {
            body.push(',');
        }
        render_row(&mut body, *key);
    }
    body.push(']');
    if more && let Some(last) = page.last() {
        let (path, query_string) = target.split_once('?').unwrap_or((target, ""));
        let kept: Vec<&str> =
            query_string.split('&').filter(|p| !p.starts_with("$skiptoken=") && !p.is_empty()).collect();
        let mut link = format!("{}{}?", state.base_url.trim_end_matches('/'), path);
        for pair in kept {
            link.push_str(pair);
            link.push('&');
        }
        link.push_str(&format!("$skiptoken={last}"));
        body.push_str(&format!(r#","@odata.nextLink":"{link}""#));
    }
    body.push('}');
    (200, "Content-Type: application/json; odata.metadata=minimal\r\n".to_owned(), body)
}

async fn serve_connection(mut socket: TcpStream, state: Arc<State>) {
    let mut buffer = Vec::with_capacity(4096);
    loop {
        let Some(head) = read_head(&mut socket, &mut buffer).await else { return };
        let target = head.split_whitespace().nth(1).unwrap_or("/").to_owned();
        let prefer = head
            .lines()
            .find(|line| line.to_ascii_lowercase().starts_with("prefer:"))
            .map(|line| line[7..].trim().to_owned());
        // Queued here, like Business Central's requests beyond the per-user limit.
        let permit = state.permits.acquire().await.expect("the semaphore stays open");
        let in_flight = state.seen.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        state.seen.peak_concurrency.fetch_max(in_flight, Ordering::SeqCst);
        let (status, headers, body) = answer(&state, &target, prefer.as_deref()).await;
        state.seen.in_flight.fetch_sub(1, Ordering::SeqCst);
        drop(permit);
        let reason = match status {
            200 => "OK",
            429 => "Too Many Requests",
            503 => "Service Unavailable",
            _ => "Error",
        };
        let response = format!(
            "HTTP/1.1 {status} {reason}\r\n{headers}OData-Version: 4.0\r\nContent-Length: {}\r\n\r\n",
            body.len()
        );
        if socket.write_all(response.as_bytes()).await.is_err() || socket.write_all(body.as_bytes()).await.is_err() {
            return;
        }
    }
}
