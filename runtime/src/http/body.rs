//! [`Body`]: the bytes of a request or response, either in memory or
//! streaming, and reading a streamed body within a limit.

use std::fmt;
use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};

use bytes::Bytes;
use futures_core::Stream;
use futures_util::StreamExt;

/// The chunks of a streamed body.
pub(crate) type BodyStream = Pin<Box<dyn Stream<Item = Result<Bytes, io::Error>> + Send>>;

/// The body of a request or a response: bytes in memory, or a stream of
/// chunks read (or produced) as it travels.
///
/// A body in memory can be sent again (retries); a streamed one only once:
/// clones of a streamed body share it, and whichever is sent first takes
/// it. `Debug` prints the size only, never the content.
#[derive(Clone)]
pub struct Body {
    inner: Inner,
}

#[derive(Clone)]
enum Inner {
    Full(Bytes),
    Stream { length: Option<u64>, chunks: Arc<Mutex<Option<BodyStream>>> },
}

impl Body {
    /// An empty body.
    pub fn empty() -> Body {
        Body { inner: Inner::Full(Bytes::new()) }
    }

    /// A body produced chunk by chunk (a file being uploaded, a response
    /// still arriving). Sent with `Transfer-Encoding: chunked`; use
    /// [`sized_stream`](Self::sized_stream) when the length is known.
    pub fn from_stream<S, B, E>(stream: S) -> Body
    where
        S: Stream<Item = Result<B, E>> + Send + 'static,
        B: Into<Bytes>,
        E: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        Body::streamed(None, stream)
    }

    /// A body of exactly `length` bytes produced chunk by chunk, sent with
    /// that `Content-Length`.
    pub fn sized_stream<S, B, E>(length: u64, stream: S) -> Body
    where
        S: Stream<Item = Result<B, E>> + Send + 'static,
        B: Into<Bytes>,
        E: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        Body::streamed(Some(length), stream)
    }

    fn streamed<S, B, E>(length: Option<u64>, stream: S) -> Body
    where
        S: Stream<Item = Result<B, E>> + Send + 'static,
        B: Into<Bytes>,
        E: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        let chunks: BodyStream = Box::pin(stream.map(|chunk| chunk.map(Into::into).map_err(io::Error::other)));
        Body { inner: Inner::Stream { length, chunks: Arc::new(Mutex::new(Some(chunks))) } }
    }

    /// The bytes, when the body is in memory.
    pub fn as_bytes(&self) -> Option<&Bytes> {
        match &self.inner {
            Inner::Full(bytes) => Some(bytes),
            Inner::Stream { .. } => None,
        }
    }

    /// The length, when known in advance.
    pub fn len(&self) -> Option<u64> {
        match &self.inner {
            Inner::Full(bytes) => Some(bytes.len() as u64),
            Inner::Stream { length, .. } => *length,
        }
    }

    /// Whether the body is known to be empty.
    pub fn is_empty(&self) -> bool {
        self.len() == Some(0)
    }

    /// Whether the body can be sent more than once (it is in memory).
    pub fn is_replayable(&self) -> bool {
        matches!(self.inner, Inner::Full(_))
    }

    /// The body as a stream of chunks, for a [`Transport`](crate::Transport)
    /// that sends it. A streamed body that was taken already (by a clone)
    /// yields one error.
    pub fn into_stream(self) -> Pin<Box<dyn Stream<Item = Result<Bytes, io::Error>> + Send>> {
        match self.inner {
            Inner::Full(bytes) if bytes.is_empty() => Box::pin(futures_util::stream::empty()),
            Inner::Full(bytes) => Box::pin(futures_util::stream::once(std::future::ready(Ok(bytes)))),
            Inner::Stream { chunks, .. } => {
                let taken = chunks.lock().unwrap_or_else(PoisonError::into_inner).take();
                taken.unwrap_or_else(|| {
                    let error = io::Error::other("a streamed body can be sent only once");
                    Box::pin(futures_util::stream::once(std::future::ready(Err(error))))
                })
            }
        }
    }

    /// Reads the whole body into memory, however long: for a
    /// [`Transport`](crate::Transport) whose HTTP library wants the body in
    /// one piece. (The client reads responses within its limits instead.)
    pub async fn collect(self) -> Result<Bytes, io::Error> {
        if let Inner::Full(bytes) = &self.inner {
            return Ok(bytes.clone());
        }
        let mut all = Vec::with_capacity(usize::try_from(self.len().unwrap_or(0).min(MAX_PREALLOCATED)).unwrap_or(0));
        let mut chunks = self.into_stream();
        while let Some(chunk) = chunks.next().await {
            all.extend_from_slice(&chunk?);
        }
        Ok(Bytes::from(all))
    }

    /// Reads the whole body, keeping at most `limit` bytes. Past the limit,
    /// [`Excess::Fail`] stops with [`BodyReadError::TooLarge`] and
    /// [`Excess::Truncate`] keeps the first `limit` bytes and stops reading.
    ///
    /// The buffer never grows beyond `limit` (nor beyond what arrived), so
    /// a hostile body costs at most the limit plus one chunk.
    pub(crate) async fn read(
        self,
        limit: u64,
        excess: Excess,
        expected: Option<u64>,
    ) -> Result<Collected, BodyReadError> {
        let limit_bytes = usize::try_from(limit).unwrap_or(usize::MAX);
        if let Inner::Full(bytes) = &self.inner {
            return match excess {
                _ if bytes.len() <= limit_bytes => Ok(Collected { bytes: bytes.clone(), truncated: false }),
                Excess::Fail => Err(BodyReadError::TooLarge { limit }),
                Excess::Truncate => Ok(Collected { bytes: bytes.slice(..limit_bytes), truncated: true }),
            };
        }
        if expected.is_some_and(|length| length > limit) && excess == Excess::Fail {
            return Err(BodyReadError::TooLarge { limit });
        }
        let initial = expected.map_or(0, |length| length.min(limit)).min(MAX_PREALLOCATED);
        let mut buffer: Vec<u8> = Vec::with_capacity(usize::try_from(initial).unwrap_or(0));
        let mut chunks = self.into_stream();
        while let Some(chunk) = chunks.next().await {
            let chunk = chunk.map_err(BodyReadError::Failed)?;
            let room = limit_bytes - buffer.len();
            if chunk.len() > room {
                return match excess {
                    Excess::Fail => Err(BodyReadError::TooLarge { limit }),
                    Excess::Truncate => {
                        grow_within(&mut buffer, room, limit_bytes);
                        buffer.extend_from_slice(&chunk[..room]);
                        Ok(Collected { bytes: Bytes::from(buffer), truncated: true })
                    }
                };
            }
            grow_within(&mut buffer, chunk.len(), limit_bytes);
            buffer.extend_from_slice(&chunk);
        }
        Ok(Collected { bytes: Bytes::from(buffer), truncated: false })
    }
}

/// The most reserved up front on the strength of a `Content-Length` alone:
/// a lying header must not make the client allocate the limit at once.
const MAX_PREALLOCATED: u64 = 64 * 1024 * 1024;

/// Makes room for `additional` bytes, doubling as a `Vec` would but never
/// past `limit`: the default growth could reserve up to twice the limit.
fn grow_within(buffer: &mut Vec<u8>, additional: usize, limit: usize) {
    let needed = buffer.len() + additional;
    if needed <= buffer.capacity() {
        return;
    }
    let target = needed.max(buffer.capacity().saturating_mul(2)).max(8 * 1024).min(limit.max(needed));
    buffer.reserve_exact(target - buffer.len());
}

/// What to do with a body longer than the limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Excess {
    /// Fail: the body is needed whole (a page, an entity).
    Fail,
    /// Keep the beginning: enough of an error body to say what went wrong.
    Truncate,
}

/// A body read into memory.
#[derive(Debug)]
pub(crate) struct Collected {
    pub(crate) bytes: Bytes,
    /// Whether the body went on past the limit and was cut.
    pub(crate) truncated: bool,
}

/// Why a body could not be read.
#[derive(Debug)]
pub(crate) enum BodyReadError {
    /// It is longer than the limit.
    TooLarge { limit: u64 },
    /// The stream failed (connection lost, decompression error, ...).
    Failed(io::Error),
}

impl fmt::Debug for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.inner, self.len()) {
            (Inner::Full(_), Some(length)) => write!(f, "<{length} bytes>"),
            (_, Some(length)) => write!(f, "<stream of {length} bytes>"),
            (_, None) => f.write_str("<stream>"),
        }
    }
}

impl Default for Body {
    fn default() -> Self {
        Body::empty()
    }
}

impl From<Bytes> for Body {
    fn from(bytes: Bytes) -> Body {
        Body { inner: Inner::Full(bytes) }
    }
}

impl From<Vec<u8>> for Body {
    fn from(bytes: Vec<u8>) -> Body {
        Body::from(Bytes::from(bytes))
    }
}

impl From<String> for Body {
    fn from(text: String) -> Body {
        Body::from(Bytes::from(text))
    }
}

impl From<&'static str> for Body {
    fn from(text: &'static str) -> Body {
        Body::from(Bytes::from_static(text.as_bytes()))
    }
}

impl From<&'static [u8]> for Body {
    fn from(bytes: &'static [u8]) -> Body {
        Body::from(Bytes::from_static(bytes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunked(chunks: Vec<&'static str>) -> Body {
        Body::from_stream(futures_util::stream::iter(chunks.into_iter().map(Ok::<_, io::Error>)))
    }

    fn read(body: Body, limit: u64, excess: Excess) -> Result<Collected, BodyReadError> {
        let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
        runtime.block_on(body.read(limit, excess, None))
    }

    #[test]
    fn streams_are_read_within_the_limit() {
        let collected = read(chunked(vec!["ab", "cd"]), 4, Excess::Fail).unwrap();
        assert_eq!((&collected.bytes[..], collected.truncated), (&b"abcd"[..], false));
        assert!(matches!(read(chunked(vec!["ab", "cde"]), 4, Excess::Fail), Err(BodyReadError::TooLarge { limit: 4 })));
        let cut = read(chunked(vec!["ab", "cde", "fgh"]), 4, Excess::Truncate).unwrap();
        assert_eq!((&cut.bytes[..], cut.truncated), (&b"abcd"[..], true));
        assert!(matches!(read(Body::from("abcde"), 4, Excess::Fail), Err(BodyReadError::TooLarge { .. })));
    }

    #[test]
    fn a_streamed_body_is_sent_once() {
        let body = chunked(vec!["x"]);
        let copy = body.clone();
        assert!(!body.is_replayable());
        assert_eq!(&read(body, 10, Excess::Fail).unwrap().bytes[..], b"x");
        assert!(matches!(read(copy, 10, Excess::Fail), Err(BodyReadError::Failed(_))));
    }

    #[test]
    fn growth_never_passes_the_limit() {
        let mut buffer = Vec::new();
        for _ in 0..100 {
            grow_within(&mut buffer, 1000, 50_000);
            buffer.extend_from_slice(&[0; 1000][..1000.min(50_000 - buffer.len())]);
            assert!(buffer.capacity() <= 50_000 || buffer.capacity() == buffer.len());
            if buffer.len() == 50_000 {
                break;
            }
        }
    }
}
