//! A bare HTTP/1.1 server that answers every request with a chunked body of
//! a given length (or an endless one), written as fast as the client reads
//! it, and counts what it managed to write: tests see whether the client
//! stopped reading.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// What the server sends.
#[derive(Clone)]
pub struct Answer {
    pub status: u16,
    /// Extra header lines, each ending in `\r\n` (`Content-Type` is JSON
    /// unless one of them sets it).
    pub headers: String,
    /// The first bytes of the body.
    pub prefix: Vec<u8>,
    /// Filler after the prefix, in bytes; `None` for an endless body.
    pub filler: Option<u64>,
}

/// The server's base URL and the count of body bytes it wrote.
pub async fn start(answer: Answer) -> (String, Arc<AtomicU64>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    let written = Arc::new(AtomicU64::new(0));
    let counter = written.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let answer = answer.clone();
            let counter = counter.clone();
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") {
                    match socket.read(&mut byte).await {
                        Ok(1) => head.push(byte[0]),
                        _ => return,
                    }
                }
                let content_type =
                    if answer.headers.contains("Content-Type") { "" } else { "Content-Type: application/json\r\n" };
                let head = format!(
                    "HTTP/1.1 {} X\r\n{content_type}Transfer-Encoding: chunked\r\n{}\r\n",
                    answer.status, answer.headers
                );
                if socket.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                let send = |chunk: &[u8]| {
                    let framed = [format!("{:x}\r\n", chunk.len()).as_bytes(), chunk, b"\r\n"].concat();
                    counter.fetch_add(chunk.len() as u64, Ordering::SeqCst);
                    framed
                };
                if socket.write_all(&send(&answer.prefix)).await.is_err() {
                    return;
                }
                let filler = vec![b'x'; 64 * 1024];
                let mut left = answer.filler;
                while left != Some(0) {
                    let size = left.map_or(filler.len() as u64, |left| left.min(filler.len() as u64)) as usize;
                    if socket.write_all(&send(&filler[..size])).await.is_err() {
                        return;
                    }
                    left = left.map(|left| left - size as u64);
                }
                let _ = socket.write_all(b"0\r\n\r\n").await;
            });
        }
    });
    (url, written)
}
