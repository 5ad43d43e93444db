//! [`MediaDownload`]: the content of a stream property (a picture, a PDF,
//! an attachment), handed over while it arrives.

use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::{Bytes, BytesMut};
use futures_core::Stream;
use futures_util::StreamExt;

use crate::client::{ResponseBody, StreamedResponse};
use crate::error::Error;

/// A media download in progress. Read it chunk by chunk as a
/// [`Stream`] (to write it to a file or pass it on: memory stays at one
/// chunk), or whole with [`bytes`](Self::bytes).
///
/// The download ends with [`Error::ResponseTooLarge`] past the client's
/// [`BodyLimits::max_media`](crate::BodyLimits::max_media), and with
/// [`Error::Timeout`] when the client's request timeout passes before it
/// is complete. It counts as a request in flight under the client's cap on
/// concurrent requests until it ends or is dropped.
///
/// ```no_run
/// # async fn example(picture: odata_v4_runtime::MediaPath) -> Result<(), odata_v4_runtime::Error> {
/// use futures_util::StreamExt;
/// let mut download = picture.download().await?;
/// let mut written = 0;
/// while let Some(chunk) = download.next().await {
///     written += chunk?.len(); // write the chunk to a file instead
/// }
/// # Ok(())
/// # }
/// ```
pub struct MediaDownload {
    content_type: Option<String>,
    content_length: Option<u64>,
    body: ResponseBody,
}

impl MediaDownload {
    pub(crate) fn from_response(response: StreamedResponse) -> Result<MediaDownload, Error> {
        let content_type = response.headers.get("Content-Type").map(str::to_owned);
        let content_length = response.headers.get("Content-Length").and_then(|length| length.trim().parse().ok());
        Ok(MediaDownload { content_type, content_length, body: response.body })
    }

    /// The content's media type, as the service sent it (`image/png`).
    pub fn content_type(&self) -> Option<&str> {
        self.content_type.as_deref()
    }

    /// The content's length in bytes, when the service announced it.
    pub fn content_length(&self) -> Option<u64> {
        self.content_length
    }

    /// Reads the whole content into memory (still within the client's
    /// media limit).
    pub async fn bytes(mut self) -> Result<Bytes, Error> {
        let capacity = self.content_length.unwrap_or(0).min(64 * 1024 * 1024);
        let mut all = BytesMut::with_capacity(usize::try_from(capacity).unwrap_or(0));
        while let Some(chunk) = self.body.next().await {
            all.extend_from_slice(&chunk?);
        }
        Ok(all.freeze())
    }
}

impl Stream for MediaDownload {
    type Item = Result<Bytes, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        Pin::new(&mut self.body).poll_next(cx)
    }
}

impl fmt::Debug for MediaDownload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MediaDownload")
            .field("content_type", &self.content_type)
            .field("content_length", &self.content_length)
            .field("body", &self.body)
            .finish()
    }
}
