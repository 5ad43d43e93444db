//! Telling the doc formats apart, and splitting off YAML front matter.

use std::collections::BTreeMap;

use super::DocFormat;

/// Decides how a doc is read. Front matter, or a `# x resource type`
/// heading, means Microsoft docs markdown; other markdown (headings, pipe
/// tables, fences) is a hand-written guide; anything else is plain text.
pub fn detect_format(text: &str) -> DocFormat {
    if front_matter(text).is_some() {
        return DocFormat::MicrosoftDocs;
    }
    let mut markdown = false;
    for line in text.lines() {
        let line = line.trim();
        if let Some(heading) = heading_text(line) {
            if heading.to_ascii_lowercase().contains("resource type") {
                return DocFormat::MicrosoftDocs;
            }
            markdown = true;
        } else if line.starts_with('|') || line.starts_with("```") || line.starts_with("~~~") {
            markdown = true;
        }
    }
    if markdown { DocFormat::Guide } else { DocFormat::PlainText }
}

/// The text of an ATX heading line (`## Methods` gives `Methods`).
pub(crate) fn heading_text(line: &str) -> Option<&str> {
    let hashes = line.bytes().take_while(|&b| b == b'#').count();
    if hashes == 0 || hashes > 6 {
        return None;
    }
    let rest = line.get(hashes..)?;
    if !rest.starts_with(' ') && !rest.is_empty() {
        return None;
    }
    Some(rest.trim().trim_end_matches('#').trim())
}

/// Front matter: the key/value lines between a leading `---` and the next
/// `---`, and the byte offset where the body starts. Only top-level
/// `key: value` pairs are kept; that is all resource docs use.
pub(crate) fn front_matter(text: &str) -> Option<(BTreeMap<String, String>, usize)> {
    let mut lines = text.split_inclusive('\n');
    let first = lines.next()?;
    if first.trim() != "---" {
        return None;
    }
    let mut offset = first.len();
    let mut pairs = BTreeMap::new();
    for line in lines {
        offset += line.len();
        let trimmed = line.trim();
        if trimmed == "---" || trimmed == "..." {
            return Some((pairs, offset));
        }
        if line.starts_with([' ', '\t']) {
            continue;
        }
        if let Some((key, value)) = trimmed.split_once(':') {
            let value = value.trim().trim_matches('"').trim_matches('\'').trim();
            pairs.entry(key.trim().to_owned()).or_insert_with(|| value.to_owned());
        }
    }
    // No closing line: this is not front matter, just a horizontal rule.
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings() {
        assert_eq!(heading_text("## Methods"), Some("Methods"));
        assert_eq!(heading_text("#"), Some(""));
        assert_eq!(heading_text("#hashtag"), None);
        assert_eq!(heading_text("plain"), None);
    }

    #[test]
    fn front_matter_needs_a_closing_line() {
        assert!(front_matter("---\ntitle: x\n").is_none());
        let (pairs, body) = front_matter("---\ntitle: \"x | y\"\n  nested: 1\n---\nbody").unwrap();
        assert_eq!(pairs.get("title").map(String::as_str), Some("x | y"));
        assert!(!pairs.contains_key("nested"));
        assert_eq!(&"---\ntitle: \"x | y\"\n  nested: 1\n---\nbody"[body..], "body");
    }

    #[test]
    fn formats() {
        assert_eq!(detect_format("---\ntitle: a\n---\n# a"), DocFormat::MicrosoftDocs);
        assert_eq!(detect_format("# thing resource type\n"), DocFormat::MicrosoftDocs);
        assert_eq!(detect_format("# Guide\n| a | b |\n"), DocFormat::Guide);
        assert_eq!(detect_format("Methods\nGET x\n"), DocFormat::PlainText);
        assert_eq!(detect_format(""), DocFormat::PlainText);
    }
}
