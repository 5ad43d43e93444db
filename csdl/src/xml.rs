//! A small XML tree with byte offsets, built on quick-xml's namespace-aware
//! reader. CSDL documents are a few hundred kilobytes, so a tree is cheap and
//! keeps the CSDL reader free of streaming state.

use std::borrow::Cow;

use quick_xml::events::Event;
use quick_xml::name::ResolveResult;
use quick_xml::reader::NsReader;

pub const EDMX_NS: &str = "http://docs.oasis-open.org/odata/ns/edmx";
pub const EDM_NS: &str = "http://docs.oasis-open.org/odata/ns/edm";

/// Which namespace an element is in, as far as CSDL cares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Namespace {
    Edmx,
    Edm,
    /// Any other namespace, or none.
    Other(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Element {
    pub namespace: Namespace,
    /// Local name, without prefix.
    pub name: String,
    /// Unprefixed attributes in document order; namespace declarations and
    /// prefixed attributes (foreign vocabularies) are kept with their prefix.
    pub attributes: Vec<(String, String)>,
    pub children: Vec<Element>,
    /// Character data directly inside this element, with entities resolved.
    pub text: String,
    /// Byte offset of the element's `<` in the document.
    pub offset: usize,
}

impl Element {
    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    pub fn is_edm(&self, name: &str) -> bool {
        self.namespace == Namespace::Edm && self.name == name
    }
}

/// How deeply elements may nest. Real CSDL needs far fewer levels (BC's
/// alternate-key annotations, its deepest parts, reach eleven); the limit
/// exists because the CSDL reader, the canonical writer and `Drop` walk the
/// tree recursively, and a document nested a hundred thousand levels deep would
/// otherwise overflow the stack and abort the process.
pub const MAX_DEPTH: usize = 100;

/// A well-formedness problem, with the byte offset where the reader noticed it
/// and the names of the elements open at that point.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct XmlError {
    pub offset: usize,
    pub open_elements: Vec<String>,
    pub message: String,
}

impl std::fmt::Display for XmlError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} (byte {}", self.message, self.offset)?;
        if !self.open_elements.is_empty() {
            write!(f, ", inside {}", self.open_elements.join("/"))?;
        }
        f.write_str(")")
    }
}

impl std::error::Error for XmlError {}

/// Parses a whole document and returns its root element.
pub fn parse(text: &str) -> Result<Element, XmlError> {
    let mut reader = NsReader::from_str(text);
    let config = reader.config_mut();
    config.check_end_names = true;
    config.expand_empty_elements = false;

    // `stack` holds the open elements; the finished root lands in `root`.
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    let fail = |stack: &[Element], offset: u64, message: String| XmlError {
        offset: offset as usize,
        open_elements: stack.iter().map(|e| e.name.clone()).collect(),
        message,
    };
    // Problems inside a start tag belong to the element being opened, which
    // is not on the stack yet.
    let fail_in = |stack: &[Element], name: &str, offset: u64, message: String| {
        let mut error = fail(stack, offset, message);
        error.open_elements.push(name.to_owned());
        error
    };

    loop {
        // Whitespace arrives as separate text events, so the position before an
        // element event is exactly its `<`.
        let before = reader.buffer_position();
        let (resolved, event) = match reader.read_resolved_event() {
            Ok(ok) => ok,
            Err(e) => return Err(fail(&stack, reader.error_position(), e.to_string())),
        };
        match event {
            Event::Start(_) | Event::Empty(_) if root.is_some() => {
                return Err(fail(&stack, before, "content after the root element".into()));
            }
            Event::Start(ref start) | Event::Empty(ref start) => {
                let local_name = start.local_name();
                let local_name: &str = local_name.as_ref();
                if stack.len() >= MAX_DEPTH {
                    let message = format!("elements are nested more than {MAX_DEPTH} levels deep");
                    return Err(fail_in(&stack, local_name, before, message));
                }
                // quick-xml accepts any bytes as a tag name (`<>`, `<1>`); such
                // a name cannot be written back, so it is refused here.
                let qualified = start.name();
                let qualified: &str = qualified.as_ref();
                if !is_qualified_name(qualified) {
                    let message = format!("`{qualified}` is not a valid element name");
                    return Err(fail_in(&stack, local_name, before, message));
                }
                let namespace = match resolved {
                    ResolveResult::Bound(ns) if ns.0 == EDMX_NS => Namespace::Edmx,
                    ResolveResult::Bound(ns) if ns.0 == EDM_NS => Namespace::Edm,
                    ResolveResult::Bound(ns) => Namespace::Other(ns.0.to_owned()),
                    ResolveResult::Unbound => Namespace::Other(String::new()),
                    ResolveResult::Unknown(prefix) => {
                        let message = format!("undeclared namespace prefix `{prefix}`");
                        return Err(fail_in(&stack, local_name, before, message));
                    }
                };
                let mut attributes = Vec::new();
                for attribute in start.attributes() {
                    let attribute = attribute.map_err(|e| fail_in(&stack, local_name, before, e.to_string()))?;
                    let key = attribute.key.0;
                    if !is_qualified_name(key) {
                        let message = format!("`{key}` is not a valid attribute name");
                        return Err(fail_in(&stack, local_name, before, message));
                    }
                    if key == "xmlns" || key.starts_with("xmlns:") {
                        continue;
                    }
                    let value = attribute
                        .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                        .map_err(|e| fail_in(&stack, local_name, before, format!("attribute `{key}`: {e}")))?;
                    attributes.push((key.to_owned(), value.into_owned()));
                }
                let element = Element {
                    namespace,
                    name: local_name.to_owned(),
                    attributes,
                    children: Vec::new(),
                    text: String::new(),
                    offset: before as usize,
                };
                if matches!(event, Event::Empty(_)) {
                    close(&mut stack, &mut root, element);
                } else {
                    stack.push(element);
                }
            }
            Event::End(_) => {
                // check_end_names guarantees a matching open element.
                let element = stack.pop().ok_or_else(|| fail(&[], before, "unexpected closing tag".into()))?;
                close(&mut stack, &mut root, element);
            }
            Event::Text(text) => {
                // Stray text is reported where it starts, not at the line
                // break that usually precedes it.
                let raw: &str = text.as_ref();
                let stray = || {
                    let leading = (raw.len() - raw.trim_start_matches([' ', '\t', '\r', '\n']).len()) as u64;
                    fail(&[], before + leading, "text outside the root element".into())
                };
                let content = text.xml10_content();
                append_text(&mut stack, &content, stray)?;
            }
            Event::CData(data) => {
                let content = data.into_inner();
                append_text(&mut stack, &content, || fail(&[], before, "text outside the root element".into()))?;
            }
            Event::GeneralRef(reference) => {
                let resolved: Cow<'_, str> = match reference.resolve_char_ref() {
                    Ok(Some(ch)) => ch.to_string().into(),
                    Ok(None) => {
                        let name = reference.into_inner();
                        match quick_xml::escape::resolve_predefined_entity(&name) {
                            Some(value) => value.into(),
                            None => return Err(fail(&stack, before, format!("unknown entity `&{name};`"))),
                        }
                    }
                    Err(e) => return Err(fail(&stack, before, e.to_string())),
                };
                append_text(&mut stack, &resolved, || fail(&[], before, "reference outside the root element".into()))?;
            }
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {}
            Event::Eof => {
                if let Some(open) = stack.last() {
                    let message = format!("document ends inside `<{}>`", open.name);
                    return Err(fail(&stack, text.len() as u64, message));
                }
                return root.ok_or_else(|| fail(&[], 0, "the document has no root element".into()));
            }
        }
    }
}

/// `prefix:local` or `local`, each an XML name without colons (a QName of
/// the Namespaces in XML recommendation).
fn is_qualified_name(name: &str) -> bool {
    let (prefix, local) = match name.split_once(':') {
        Some((prefix, local)) => (Some(prefix), local),
        None => (None, name),
    };
    prefix.is_none_or(is_name_without_colon) && is_name_without_colon(local)
}

/// The `Name` production of XML 1.0 (fifth edition), without `:`.
fn is_name_without_colon(name: &str) -> bool {
    let start = |c: char| {
        matches!(c, 'A'..='Z' | '_' | 'a'..='z' | '\u{C0}'..='\u{D6}' | '\u{D8}'..='\u{F6}' | '\u{F8}'..='\u{2FF}'
            | '\u{370}'..='\u{37D}' | '\u{37F}'..='\u{1FFF}' | '\u{200C}'..='\u{200D}' | '\u{2070}'..='\u{218F}'
            | '\u{2C00}'..='\u{2FEF}' | '\u{3001}'..='\u{D7FF}' | '\u{F900}'..='\u{FDCF}' | '\u{FDF0}'..='\u{FFFD}'
            | '\u{10000}'..='\u{EFFFF}')
    };
    let rest = |c: char| {
        start(c) || matches!(c, '-' | '.' | '0'..='9' | '\u{B7}' | '\u{300}'..='\u{36F}' | '\u{203F}'..='\u{2040}')
    };
    let mut chars = name.chars();
    chars.next().is_some_and(start) && chars.all(rest)
}

fn close(stack: &mut [Element], root: &mut Option<Element>, element: Element) {
    match stack.last_mut() {
        Some(parent) => parent.children.push(element),
        None => *root = Some(element),
    }
}

fn append_text(stack: &mut [Element], text: &str, outside: impl FnOnce() -> XmlError) -> Result<(), XmlError> {
    match stack.last_mut() {
        Some(parent) => {
            parent.text.push_str(text);
            Ok(())
        }
        None if text.trim().is_empty() => Ok(()),
        None => Err(outside()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_offsets_namespaces_and_text() {
        let doc = r#"<?xml version="1.0"?>
<edmx:Edmx xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">
  <Schema xmlns="http://docs.oasis-open.org/odata/ns/edm" Namespace="A&amp;B"><String>x &lt; y</String></Schema>
</edmx:Edmx>"#;
        let root = parse(doc).unwrap();
        assert_eq!(root.namespace, Namespace::Edmx);
        assert_eq!(root.name, "Edmx");
        let schema = &root.children[0];
        assert!(schema.is_edm("Schema"));
        assert_eq!(schema.attribute("Namespace"), Some("A&B"));
        assert_eq!(&doc[schema.offset..schema.offset + 7], "<Schema");
        assert_eq!(schema.children[0].text, "x < y");
    }

    #[test]
    fn reports_mismatched_tags_with_position() {
        let err = parse("<a>\n<b></c></a>").unwrap_err();
        assert!(err.message.contains('c') || err.message.contains('b'), "{}", err.message);
        assert_eq!(err.open_elements, vec!["a", "b"]);
        assert!(err.offset >= 4);
        let shown = err.to_string();
        assert!(shown.starts_with(&err.message) && shown.ends_with(", inside a/b)"), "{shown}");
        let as_error: &dyn std::error::Error = &err;
        assert!(as_error.source().is_none());
    }

    #[test]
    fn rejects_names_that_are_not_xml_names() {
        for doc in [
            "<a><></></a>",
            "<a><1/></a>",
            "<a><-x/></a>",
            "<a><b\u{0}/></a>",
            "<a><:b/></a>",
            "<a><b:/></a>",
            "<a><b:c:d/></a>",
        ] {
            let err = parse(doc).unwrap_err();
            assert!(err.message.contains("is not a valid element name"), "{doc}: {}", err.message);
            assert_eq!(err.offset, 3, "{doc}");
        }
        let err = parse("<a 1x=\"v\"/>").unwrap_err();
        assert_eq!(err.message, "`1x` is not a valid attribute name");
        assert_eq!(err.open_elements, vec!["a"]);
        let root = parse("<x:a xmlns:x=\"u\" é-1.b·c=\"v\" x:y=\"w\"><_b/></x:a>").unwrap();
        assert_eq!(root.attributes, vec![("é-1.b·c".to_owned(), "v".to_owned()), ("x:y".to_owned(), "w".to_owned())]);
    }

    #[test]
    fn rejects_truncated_documents() {
        let err = parse("<a><b>").unwrap_err();
        assert!(err.message.contains("ends inside"), "{}", err.message);
    }
}
