//! [`BodyLimits`]: how much of a response body the client is willing to
//! read, whatever the server sends.

const KIB: u64 = 1024;
const MIB: u64 = 1024 * KIB;

/// The largest response bodies the client reads, by kind of response.
/// Limits are enforced while the body streams in (after decompression), so
/// memory stays within the limit plus one chunk whatever the server sends.
///
/// | body                                        | default  | past the limit                                   |
/// |---------------------------------------------|----------|--------------------------------------------------|
/// | JSON answers (entities, pages, `$batch`)    | 256 MiB  | [`Error::ResponseTooLarge`](crate::Error::ResponseTooLarge) |
/// | media downloads (streamed to the caller)    | 1 GiB    | the stream ends with `ResponseTooLarge`          |
/// | error answers (4xx, 5xx)                    | 64 KiB   | the rest is not read; the error is parsed from what was |
/// | token endpoint answers                      | 64 KiB   | authentication fails                             |
///
/// Service crates set their service's own limits (Business Central's
/// environment allows 350 MB bodies).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BodyLimits {
    response: u64,
    media: u64,
    error: u64,
    token: u64,
}

impl Default for BodyLimits {
    fn default() -> Self {
        BodyLimits { response: 256 * MIB, media: 1024 * MIB, error: 64 * KIB, token: 64 * KIB }
    }
}

impl BodyLimits {
    /// The largest successful JSON answer (an entity, a page, a `$batch`).
    pub fn responses(mut self, bytes: u64) -> Self {
        self.response = bytes;
        self
    }

    /// The largest media download.
    pub fn media(mut self, bytes: u64) -> Self {
        self.media = bytes;
        self
    }

    /// How much of an error answer is read. Service errors are short; a
    /// longer answer is cut and parsed from its beginning (its error code
    /// comes first).
    pub fn errors(mut self, bytes: u64) -> Self {
        self.error = bytes;
        self
    }

    /// The largest answer of a token endpoint.
    pub fn tokens(mut self, bytes: u64) -> Self {
        self.token = bytes;
        self
    }

    /// The limit for successful JSON answers.
    pub fn max_response(&self) -> u64 {
        self.response
    }

    /// The limit for media downloads.
    pub fn max_media(&self) -> u64 {
        self.media
    }

    /// How much of an error answer is read.
    pub fn max_error(&self) -> u64 {
        self.error
    }

    /// The limit for token endpoint answers.
    pub fn max_token(&self) -> u64 {
        self.token
    }
}
