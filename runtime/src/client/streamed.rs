//! [`ResponseBody`]: the body of a successful response handed to the caller
//! while it still streams (media downloads), within the client's limits.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures_core::Stream;
use tokio::sync::OwnedSemaphorePermit;
use tokio::time::Sleep;

use crate::error::Error;
use crate::http::{BodyStream, Headers};
use crate::transport::{TransportError, TransportErrorKind};

/// A successful response whose body has not been read yet.
pub(crate) struct StreamedResponse {
    pub(crate) status: u16,
    pub(crate) headers: Headers,
    pub(crate) body: ResponseBody,
}

/// Chunks of a response body: at most `limit` bytes in all, all before the
/// attempt's deadline. It holds the request's slot of the client's cap on
/// concurrent requests until it ends or is dropped: the service counts the
/// request as running until the body is read.
pub(crate) struct ResponseBody {
    chunks: Option<BodyStream>,
    received: u64,
    limit: u64,
    deadline: Option<Pin<Box<Sleep>>>,
    _permit: Option<OwnedSemaphorePermit>,
}

impl ResponseBody {
    pub(crate) fn new(
        chunks: BodyStream,
        limit: u64,
        deadline: Option<Pin<Box<Sleep>>>,
        permit: Option<OwnedSemaphorePermit>,
    ) -> ResponseBody {
        ResponseBody { chunks: Some(chunks), received: 0, limit, deadline, _permit: permit }
    }

    /// A body already in memory (a `$batch` sub-response).
    pub(crate) fn from_bytes(bytes: Bytes) -> ResponseBody {
        let chunks: BodyStream = Box::pin(futures_util::stream::once(std::future::ready(Ok(bytes))));
        ResponseBody::new(chunks, u64::MAX, None, None)
    }

    /// Ends the stream with `error`, releasing the connection and the slot.
    fn fail(&mut self, error: Error) -> Poll<Option<Result<Bytes, Error>>> {
        self.chunks = None;
        self.deadline = None;
        self._permit = None;
        Poll::Ready(Some(Err(error)))
    }
}

impl Stream for ResponseBody {
    type Item = Result<Bytes, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        let Some(chunks) = this.chunks.as_mut() else {
            return Poll::Ready(None);
        };
        if let Some(deadline) = this.deadline.as_mut()
            && deadline.as_mut().poll(cx).is_ready()
        {
            let timed_out =
                TransportError::new(TransportErrorKind::Timeout, "the response body did not arrive in time");
            return this.fail(Error::from(timed_out));
        }
        match chunks.as_mut().poll_next(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(None) => {
                this.chunks = None;
                this._permit = None;
                Poll::Ready(None)
            }
            Poll::Ready(Some(Err(error))) => {
                let failed = TransportError::new(TransportErrorKind::Other, "the response body could not be read")
                    .with_source(error);
                this.fail(Error::Transport(failed))
            }
            Poll::Ready(Some(Ok(chunk))) => {
                this.received = this.received.saturating_add(chunk.len() as u64);
                if this.received > this.limit {
                    let limit = this.limit;
                    return this.fail(Error::ResponseTooLarge { limit });
                }
                Poll::Ready(Some(Ok(chunk)))
            }
        }
    }
}

impl fmt::Debug for ResponseBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponseBody").field("received", &self.received).field("limit", &self.limit).finish()
    }
}
