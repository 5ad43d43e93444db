//! Where in a JSON document a parse stopped, as a path (`value[12].postingDate`).
//!
//! serde_json reports the line and column of a decoding error, and no
//! more. Finding the field takes the document's structure up to that
//! point, which this module reads without knowing the type being decoded:
//! a re-parse with path tracking (`serde_path_to_error`) would compile a
//! second copy of every generated type's deserializer into each program,
//! for an error path only.

/// One level of nesting, open at the position looked for.
enum Level {
    /// An object; `key` is the member whose value is being read, `None`
    /// between members.
    Object { key: Option<String> },
    /// An array and the index of the element being read.
    Array { index: usize },
}

/// The path of the value `error` was raised in, in `body`: members by
/// name, elements by index (`value[12].postingDate`, `[3]`), `.` for the
/// document itself.
pub(super) fn path_of_error(body: &[u8], error: &serde_json::Error) -> String {
    match offset_of(body, error.line(), error.column()) {
        Some(offset) => path_at(body, offset),
        None => ".".to_owned(),
    }
}

/// The byte serde_json's 1-based line and column name: the last one it
/// read (column 0 is just after a line feed, so the line feed itself).
fn offset_of(body: &[u8], line: usize, column: usize) -> Option<usize> {
    if line == 0 {
        return None;
    }
    let line_start = if line == 1 {
        0
    } else {
        body.iter().enumerate().filter(|(_, byte)| **byte == b'\n').nth(line - 2).map(|(at, _)| at + 1)?
    };
    let offset = (line_start + column).checked_sub(1)?;
    (offset < body.len()).then_some(offset)
}

/// The path of the innermost value that the byte at `offset` belongs to,
/// read by a tolerant scan: it needs no more than JSON's brackets, commas
/// and strings, and stops at `offset` whatever follows (the document may
/// be malformed there).
fn path_at(body: &[u8], offset: usize) -> String {
    let mut levels: Vec<Level> = Vec::new();
    // An object's next string is a member name rather than a value; the
    // name becomes part of the path at its colon, where its value begins
    // (an error in the name itself is the object's).
    let mut expect_key = false;
    let mut name: Option<String> = None;
    let mut at = 0;
    while at <= offset {
        match body[at] {
            b'"' => {
                let end = string_end(body, at);
                if expect_key {
                    name = Some(unescape(&body[at + 1..end.min(body.len())]));
                    expect_key = false;
                }
                at = end;
            }
            b':' => {
                if let (Some(Level::Object { key }), Some(name)) = (levels.last_mut(), name.take()) {
                    *key = Some(name);
                }
            }
            b'{' => {
                levels.push(Level::Object { key: None });
                expect_key = true;
            }
            b'[' => levels.push(Level::Array { index: 0 }),
            b'}' | b']' => {
                levels.pop();
                expect_key = false;
            }
            b',' => match levels.last_mut() {
                Some(Level::Array { index }) => *index += 1,
                Some(Level::Object { key }) => {
                    *key = None;
                    expect_key = true;
                }
                None => {}
            },
            _ => {}
        }
        at += 1;
    }
    render(&levels)
}

/// The index of the quote that closes the string opening at `start` (or
/// the body's length when it is not closed).
fn string_end(body: &[u8], start: usize) -> usize {
    let mut at = start + 1;
    while at < body.len() {
        match body[at] {
            b'\\' => at += 2,
            b'"' => return at,
            _ => at += 1,
        }
    }
    body.len()
}

/// A member name as the document means it: JSON's escapes resolved, and
/// anything that does not decode kept as written.
fn unescape(raw: &[u8]) -> String {
    let quoted = [b"\"", raw, b"\""].concat();
    serde_json::from_slice::<String>(&quoted).unwrap_or_else(|_| String::from_utf8_lossy(raw).into_owned())
}

fn render(levels: &[Level]) -> String {
    let mut path = String::new();
    for level in levels {
        match level {
            Level::Array { index } => path.push_str(&format!("[{index}]")),
            Level::Object { key: Some(key) } => {
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(key);
            }
            Level::Object { key: None } => {}
        }
    }
    if path.is_empty() { ".".to_owned() } else { path }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use serde::de::DeserializeOwned;

    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "camelCase")]
    #[allow(dead_code)]
    struct Line {
        number: u32,
        posting_date: Option<String>,
        #[serde(default)]
        dimensions: Vec<Dimension>,
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Dimension {
        code: String,
        value: Option<bool>,
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Page {
        #[serde(rename = "@odata.context")]
        context: Option<String>,
        value: Vec<Line>,
    }

    /// The path this module finds for a failing decode of `T`, and the one
    /// serde_path_to_error finds by decoding again with path tracking.
    fn both<T: DeserializeOwned + std::fmt::Debug>(body: &str) -> (String, String) {
        let error = serde_json::from_str::<T>(body).expect_err("the body does not fit");
        let mut deserializer = serde_json::Deserializer::from_str(body);
        let tracked = serde_path_to_error::deserialize::<_, T>(&mut deserializer).expect_err("nor when tracked");
        (path_of_error(body.as_bytes(), &error), tracked.path().to_string())
    }

    #[test]
    fn the_path_is_the_one_a_tracked_reparse_finds() {
        let pages = [
            r#"{"value":[{"number":1},{"number":"x"}]}"#,
            r#"{"value":[{"number":1},{"postingDate":"d"}]}"#,
            r#"{"value":[{"number":1,"dimensions":[{"code":"A"},{"code":7}]}]}"#,
            r#"{"value":[{"number":1,"dimensions":[{"code":"A","value":"yes"}]}]}"#,
            r#"{"value":[{"number":1,"dimensions":[{"value":true}]}]}"#,
            "{\n  \"@odata.context\": \"x\",\n  \"value\": [\n    {\"number\": 1},\n    {\"number\": -4}\n  ]\n}",
            r#"{"@odata.context":5,"value":[]}"#,
            r#"{"value":{"number":1}}"#,
            r#"{"value":[{"number":1,"postingDate":null,"dimensions":null}]}"#,
            r#"{"value":[{"n\u0075mber":"one"}]}"#,
            r#"{"value":[{"number":1, "text": "a \"quoted\", [bracketed] {braced} value", "number": 1.5}]}"#,
            r#"[]"#,
            r#"{}"#,
        ];
        for body in pages {
            let (found, tracked) = both::<Page>(body);
            assert_eq!(found, tracked, "{body}");
        }
        let (found, tracked) = both::<Vec<Line>>(r#"[{"number":1},{"number":2,"dimensions":[{"code":[]}]}]"#);
        assert_eq!((found.as_str(), tracked.as_str()), ("[1].dimensions[0].code", "[1].dimensions[0].code"));
    }

    #[test]
    fn syntax_errors_and_odd_positions_give_a_path_without_panicking() {
        for body in ["", "{", "{\"value\":[{\"number\":", "[1,2,", "\"unterminated", "{\"a\":\"\\", "}}]]", "\n\n"] {
            if let Err(error) = serde_json::from_str::<Page>(body) {
                let _ = path_of_error(body.as_bytes(), &error);
            }
        }
        let error = serde_json::from_str::<Page>(r#"{"value":[{"number":1}"#).expect_err("cut short");
        // Cut short after an element: the element is where reading stopped.
        assert_eq!(path_of_error(br#"{"value":[{"number":1}"#, &error), "value[0]");
        assert_eq!(offset_of(b"ab\ncd", 2, 0), Some(2));
        assert_eq!(offset_of(b"ab\ncd", 9, 1), None);
    }
}
