//! Ready-made [`Decoder`](crate::Decoder)s: functions that turn a
//! successful response into the value a request promises.
//!
//! Decoders see only the response; [`Request`](crate::Request)
//! adds the URL to a [`Error::Decode`] afterwards.

use bytes::Bytes;
use serde::de::DeserializeOwned;

use super::error::Error;
use super::http::HttpResponse;

/// Decodes a JSON body into `T`.
///
/// The body is parsed once, directly. Only when that fails is it parsed a
/// second time with path tracking, so that the error names the field that
/// did not fit (`value[12].postingDate`) without slowing down every
/// successful decode.
pub fn json<T: DeserializeOwned>(response: &HttpResponse) -> Result<T, Error> {
    match serde_json::from_slice(response.bytes()) {
        Ok(value) => Ok(value),
        Err(fast_error) => Err(locate_json_error::<T>(response.bytes(), fast_error)),
    }
}

/// Re-parses with `serde_path_to_error` to find where `T` stopped fitting.
fn locate_json_error<T: DeserializeOwned>(body: &[u8], fast_error: serde_json::Error) -> Error {
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    match serde_path_to_error::deserialize::<_, T>(&mut deserializer) {
        Err(tracked) => {
            let path = tracked.path().to_string();
            Error::decode("", path, tracked.into_inner().to_string())
        }
        // The tracked parse accepted what the fast one refused (trailing
        // data is only checked by `from_slice`); report the original error.
        Ok(_) => Error::decode("", ".", fast_error.to_string()),
    }
}

/// Accepts any successful response and ignores its body: for DELETE,
/// actions and writes sent with `Prefer: return=minimal`.
pub fn no_content(_response: &HttpResponse) -> Result<(), Error> {
    Ok(())
}

/// The raw body, read whole (within the client's limit for responses).
/// Media downloads stream instead: see [`MediaDownload`](crate::MediaDownload).
pub fn bytes(response: &HttpResponse) -> Result<Bytes, Error> {
    Ok(response.body.as_bytes().cloned().unwrap_or_default())
}

/// The plain-text number a `/$count` segment answers with.
pub fn count(response: &HttpResponse) -> Result<u64, Error> {
    let text = std::str::from_utf8(response.bytes()).map_err(|e| Error::decode("", ".", e.to_string()))?;
    // Some servers prefix plain-text answers with a byte-order mark.
    let digits = text.trim_start_matches('\u{feff}').trim();
    digits.parse().map_err(|_| Error::decode("", ".", format!("expected a count, got {:?}", excerpt(digits))))
}

fn excerpt(text: &str) -> &str {
    match text.char_indices().nth(40) {
        Some((cut, _)) => &text[..cut],
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::Headers;

    fn response(body: &'static str) -> HttpResponse {
        HttpResponse { status: 200, headers: Headers::new(), body: body.into() }
    }

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Row {
        number: u32,
    }

    #[test]
    fn json_errors_name_the_path() {
        let error = json::<Vec<Row>>(&response(r#"[{"number":1},{"number":"x"}]"#)).unwrap_err();
        let Error::Decode(decode) = error else { panic!("expected a decode error, got {error:?}") };
        assert_eq!(decode.path, "[1].number");
        assert!(decode.message.contains("invalid type"), "{}", decode.message);
    }

    #[test]
    fn count_reads_plain_text() {
        assert_eq!(count(&response("\u{feff}42\r\n")).unwrap(), 42);
        assert!(count(&response("many")).is_err());
    }
}
