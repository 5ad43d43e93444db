//! [`DecodeError`]: a successful answer whose body does not fit, described
//! in bounded text.

use std::fmt::{self, Write as _};

use super::service::{DISPLAYED_MESSAGE_CHARS, write_bounded};

/// The most characters of a value the deserializer quotes in its message
/// (`invalid value: string "…"`) that are kept: enough to recognise a date
/// or an enum member, never a whole document.
const QUOTED_VALUE_CHARS: usize = 40;

/// A 2xx body that does not fit the expected type.
///
/// Its text is bounded whatever the body held: a value the deserializer
/// quotes (`invalid type: string "…"`) is cut after 40 characters, and the
/// message and the path after 1,000 (as service messages are), each cut
/// saying how many characters it left out.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DecodeError {
    /// The request's URL.
    pub url: String,
    /// Where in the JSON document decoding failed (`value[3].postingDate`),
    /// `.` for the document itself.
    pub path: String,
    /// The deserializer's explanation.
    pub message: String,
}

impl DecodeError {
    pub(super) fn new(url: String, path: String, message: String) -> DecodeError {
        DecodeError {
            url,
            path: bounded(&path, DISPLAYED_MESSAGE_CHARS),
            message: bounded(&quoted_values_cut(&message), DISPLAYED_MESSAGE_CHARS),
        }
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("unexpected response body at `")?;
        write_bounded(f, &self.path, DISPLAYED_MESSAGE_CHARS)?;
        f.write_str("`: ")?;
        write_bounded(f, &self.message, DISPLAYED_MESSAGE_CHARS)?;
        if !self.url.is_empty() {
            write!(f, " (from {})", self.url)?;
        }
        Ok(())
    }
}

/// `text`, cut after `max_chars` characters with a note of how many more
/// there were.
fn bounded(text: &str, max_chars: usize) -> String {
    struct Bounded<'a>(&'a str, usize);
    impl fmt::Display for Bounded<'_> {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write_bounded(f, self.0, self.1)
        }
    }
    Bounded(text, max_chars).to_string()
}

/// `message` with every `"…"` or `` `…` `` run longer than
/// [`QUOTED_VALUE_CHARS`] cut, saying how many characters were left out.
/// Inside double quotes a backslash escapes the next character (serde
/// quotes strings as Rust's `Debug` does).
fn quoted_values_cut(message: &str) -> String {
    let mut out = String::with_capacity(message.len().min(4 * DISPLAYED_MESSAGE_CHARS));
    let mut chars = message.chars();
    while let Some(c) = chars.next() {
        out.push(c);
        if c != '"' && c != '`' {
            continue;
        }
        let (mut kept, mut dropped) = (0usize, 0usize);
        let mut closed = false;
        while let Some(inner) = chars.next() {
            if inner == c {
                closed = true;
                break;
            }
            let escaped = (inner == '\\' && c == '"').then(|| chars.next()).flatten();
            if kept < QUOTED_VALUE_CHARS {
                out.push(inner);
                out.extend(escaped);
                kept += 1;
            } else {
                dropped += 1;
            }
        }
        if dropped > 0 {
            out.push('…');
        }
        if closed {
            out.push(c);
        }
        if dropped > 0 {
            // Writing to a `String` cannot fail.
            let _ = write!(out, " ({dropped} more characters)");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_quoted_values_are_cut_and_short_ones_kept() {
        let long = "x".repeat(5_000);
        let message = format!("invalid type: string \"{long}\", expected u32 at line 1 column 5012");
        assert_eq!(
            quoted_values_cut(&message),
            format!(
                "invalid type: string \"{}…\" (4960 more characters), expected u32 at line 1 column 5012",
                "x".repeat(40)
            )
        );
        let short = "invalid value: string \"2025-13-45\", expected a date; unknown variant `Credit`";
        assert_eq!(quoted_values_cut(short), short);
        let escaped = format!("string \"{}\\\"{}\"", "a".repeat(39), "b".repeat(10));
        assert_eq!(quoted_values_cut(&escaped), format!("string \"{}\\\"…\" (10 more characters)", "a".repeat(39)));
        assert!(quoted_values_cut(&format!("unterminated \"{long}")).ends_with("… (4960 more characters)"));
    }

    #[test]
    fn message_and_path_are_bounded() {
        let error = DecodeError::new(String::new(), "k".repeat(3_000), "m".repeat(3_000));
        assert!(error.path.len() < 1_100 && error.message.len() < 1_100, "{error:?}");
        assert!(error.to_string().len() < 2_300);
    }
}
