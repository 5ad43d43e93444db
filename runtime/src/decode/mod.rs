//! Ready-made [`Decoder`](crate::Decoder)s: functions that turn a
//! successful response into the value a request promises.
//!
//! Decoders see only the response; [`Request`](crate::Request)
//! adds the URL to a [`Error::Decode`] afterwards.

mod json_path;

use bytes::Bytes;
use serde::de::DeserializeOwned;

use super::error::Error;
use super::http::HttpResponse;

/// Decodes a JSON body into `T`.
///
/// The body is parsed once, directly. Only when that fails is the text
/// read again, up to the error's position, so that the error names the
/// field that did not fit (`value[12].postingDate`).
///
/// The body's UTF-8 is checked once, whole, before parsing: parsing bytes,
/// serde_json checks each string (every property name included) on its
/// own, which on a page of ledger entries costs a tenth of the decoding; a
/// single pass over the body costs a fraction of that. A body that is not
/// UTF-8 is parsed as bytes, so that the error is serde_json's own, placed
/// where the bad bytes are (and a property ignored may still hold them).
pub fn json<T: DeserializeOwned>(response: &HttpResponse) -> Result<T, Error> {
    let body = response.bytes();
    match std::str::from_utf8(body) {
        Ok(text) => serde_json::from_str(text),
        Err(_) => serde_json::from_slice(body),
    }
    .map_err(|error| located(body, &error))
}

/// A decode error at the path of the value serde_json stopped in. Not
/// generic, so each program holds one copy whatever types it decodes.
fn located(body: &[u8], error: &serde_json::Error) -> Error {
    Error::decode("", json_path::path_of_error(body, error), error.to_string())
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
        let error = json::<Vec<Row>>(&response("[] trailing")).unwrap_err();
        let Error::Decode(decode) = error else { panic!("expected a decode error, got {error:?}") };
        assert_eq!(decode.path, ".");
        assert!(decode.message.contains("trailing characters"), "{}", decode.message);
    }

    #[test]
    fn bodies_that_are_not_utf8_are_read_as_bytes() {
        // Not UTF-8 in a property nobody asked for: read as before.
        let body: &'static [u8] = b"[{\"number\":1,\"note\":\"caf\xe9\"}]";
        let response = HttpResponse { status: 200, headers: Headers::new(), body: body.into() };
        assert_eq!(json::<Vec<Row>>(&response).unwrap().len(), 1);
        // In a string that is read: serde_json's error, at its place.
        let body: &'static [u8] = b"[{\"number\":1},{\"number\":\"\xe9\"}]";
        let response = HttpResponse { status: 200, headers: Headers::new(), body: body.into() };
        let Error::Decode(decode) = json::<Vec<Row>>(&response).unwrap_err() else { panic!("a decode error") };
        assert_eq!(decode.path, "[1].number");
        assert!(decode.message.contains("invalid unicode"), "{}", decode.message);
    }

    #[test]
    fn count_reads_plain_text() {
        assert_eq!(count(&response("\u{feff}42\r\n")).unwrap(), 42);
        assert!(count(&response("many")).is_err());
    }
}
