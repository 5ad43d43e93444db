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

/// A well-formedness problem, with the byte offset where the reader noticed it
/// and the names of the elements open at that point.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XmlError {
    pub offset: usize,
    pub open_elements: Vec<String>,
    pub message: String,
}

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
                let namespace = match resolved {
                    ResolveResult::Bound(ns) if ns.0 == EDMX_NS => Namespace::Edmx,
                    ResolveResult::Bound(ns) if ns.0 == EDM_NS => Namespace::Edm,
                    ResolveResult::Bound(ns) => Namespace::Other(ns.0.to_owned()),
                    ResolveResult::Unbound => Namespace::Other(String::new()),
                    ResolveResult::Unknown(prefix) => {
                        return Err(fail(&stack, before, format!("undeclared namespace prefix `{prefix}`")));
                    }
                };
                let mut attributes = Vec::new();
                for attribute in start.attributes() {
                    let attribute = attribute.map_err(|e| fail(&stack, before, e.to_string()))?;
                    let key = attribute.key.0;
                    if key == "xmlns" || key.starts_with("xmlns:") {
                        continue;
                    }
                    let value = attribute
                        .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                        .map_err(|e| fail(&stack, before, format!("attribute `{key}`: {e}")))?;
                    attributes.push((key.to_owned(), value.into_owned()));
                }
                let element = Element {
                    namespace,
                    name: start.local_name().as_ref().to_owned(),
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
                let content = text.xml10_content();
                append_text(&mut stack, &content, || fail(&[], before, "text outside the root element".into()))?;
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
    }

    #[test]
    fn rejects_truncated_documents() {
        let err = parse("<a><b>").unwrap_err();
        assert!(err.message.contains("ends inside"), "{}", err.message);
    }
}
