//! Keys of a doc's JSON block. Doc JSON is often not valid JSON (a bare
//! `"value": [ ... ]` fragment, trailing commas, `...` placeholders), so this
//! is a tolerant scanner rather than a parser: it finds `"key": value` pairs
//! and never fails.

use super::JsonProperty;

/// Type names docs write as JSON values in a representation block.
const TYPE_WORDS: &[&str] = &[
    "guid",
    "string",
    "integer",
    "int",
    "int32",
    "int64",
    "decimal",
    "numeric",
    "number",
    "date",
    "datetime",
    "datetimeoffset",
    "boolean",
    "bool",
    "complex",
    "binary",
    "stream",
    "time",
    "duration",
];

/// The entity-level keys of a JSON block, in order, without duplicates.
/// Annotation keys (`@odata.etag`) are skipped, a `"value": [...]`
/// collection wrapper is looked through, and keys inside nested objects
/// are not listed (they belong to a complex property).
pub(crate) fn keys(text: &str, out: &mut Vec<JsonProperty>) {
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] != '"' {
            i += 1;
            continue;
        }
        let (key, after_key) = string_at(&chars, i);
        let mut j = skip_space(&chars, after_key);
        if chars.get(j) != Some(&':') {
            // A string that is not a key (a value in an array, say).
            i = after_key;
            continue;
        }
        j = skip_space(&chars, j + 1);
        match chars.get(j) {
            Some('[') if key == "value" => i = j + 1,
            Some('{') | Some('[') => {
                push(out, &key, Some("complex".to_owned()).filter(|_| chars.get(j) == Some(&'{')));
                i = skip_balanced(&chars, j);
            }
            Some('"') => {
                let (value, after_value) = string_at(&chars, j);
                let lower = value.trim().to_ascii_lowercase();
                let is_type =
                    TYPE_WORDS.contains(&lower.as_str()) || lower.starts_with("nav.") || lower.starts_with("edm.");
                push(out, &key, is_type.then(|| value.trim().to_owned()));
                i = after_value;
            }
            _ => {
                push(out, &key, None);
                i = j;
            }
        }
    }
}

fn push(out: &mut Vec<JsonProperty>, key: &str, type_text: Option<String>) {
    let key = key.trim();
    if key.is_empty() || key.starts_with('@') || key.contains('@') || out.iter().any(|p| p.name == key) {
        return;
    }
    out.push(JsonProperty { name: key.to_owned(), type_text });
}

/// The string starting at the quote at `start` (escapes kept simple) and
/// the index after its closing quote; an unterminated string runs to the end.
fn string_at(chars: &[char], start: usize) -> (String, usize) {
    let mut value = String::new();
    let mut i = start + 1;
    while let Some(&c) = chars.get(i) {
        match c {
            '"' => return (value, i + 1),
            '\\' => {
                if let Some(&next) = chars.get(i + 1) {
                    value.push(next);
                }
                i += 2;
            }
            '\n' => return (value, i),
            _ => {
                value.push(c);
                i += 1;
            }
        }
    }
    (value, chars.len())
}

fn skip_space(chars: &[char], mut i: usize) -> usize {
    while chars.get(i).is_some_and(|c| c.is_whitespace()) {
        i += 1;
    }
    i
}

/// The index after the bracket that closes the one at `start` (or the end).
fn skip_balanced(chars: &[char], start: usize) -> usize {
    let mut depth = 0usize;
    let mut i = start;
    while let Some(&c) = chars.get(i) {
        match c {
            '"' => {
                i = string_at(chars, i).1;
                continue;
            }
            '{' | '[' => depth += 1,
            '}' | ']' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return i + 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    chars.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(text: &str) -> Vec<(String, Option<String>)> {
        let mut out = Vec::new();
        keys(text, &mut out);
        out.into_iter().map(|p| (p.name, p.type_text)).collect()
    }

    #[test]
    fn representation_blocks() {
        let found = names("{ \"id\": \"GUID\", \"n\": \"integer\", \"address\": { \"city\": \"string\" } }");
        assert_eq!(
            found,
            vec![
                ("id".to_owned(), Some("GUID".to_owned())),
                ("n".to_owned(), Some("integer".to_owned())),
                ("address".to_owned(), Some("complex".to_owned())),
            ]
        );
    }

    #[test]
    fn fragments_and_samples() {
        let found = names("  \"value\": [\n {\n \"id\": \"GUID\",\n \"code\": \"string\"\n}\n ]");
        assert_eq!(found.len(), 2);
        let found = names("{\"@odata.context\": \"x\", \"value\": [{\"n\": 1, \"s\": \"abc\"}, {\"n\": 2}]}");
        assert_eq!(found, vec![("n".to_owned(), None), ("s".to_owned(), None)]);
        assert!(names("\"unterminated").is_empty());
        assert!(names("{\"a\": [1, 2").len() == 1);
    }
}
