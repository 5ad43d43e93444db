//! Diagnostics: every problem found in a `$metadata` document carries the file,
//! line, column and the element path it belongs to.

use std::fmt;
use std::sync::Arc;

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// The model is still usable; real services publish documents like this.
    Warning,
    /// The document cannot be turned into a model.
    Error,
}

/// What went wrong, as a stable kind tests and tools can match on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[non_exhaustive]
pub enum DiagnosticKind {
    /// The bytes are not well-formed XML (or not UTF-8, or nest deeper than
    /// [`crate::xml::MAX_DEPTH`]).
    MalformedXml,
    /// The root is not `edmx:Edmx`, or a required part of the envelope is missing.
    NotEdmx,
    /// A required attribute is absent.
    MissingAttribute,
    /// An attribute has a value that cannot be interpreted.
    InvalidAttribute,
    /// A type name refers to nothing in the model.
    UnknownType,
    /// Two items share a name where names must be unique.
    DuplicateName,
    /// A `PropertyRef` in a key names a property the type does not have.
    UnknownKeyProperty,
    /// A navigation property's `Partner` is not a navigation property of the target.
    UnknownPartner,
    /// A referential constraint, binding, import or annotation path names a missing item.
    UnknownReference,
    /// An external `Annotations` block targets nothing in the model.
    UnmatchedAnnotationTarget,
    /// An element the reader does not know, in the EDM namespace; it is ignored.
    UnknownElement,
    /// Type inheritance loops back on itself.
    InheritanceCycle,
    /// A value written in a form CSDL does not allow but whose meaning is
    /// plain (`IsBound="True"`); it is read with a warning.
    LenientValue,
    /// A non-abstract entity type without a key (real services use them for
    /// singletons); it cannot be addressed by key.
    MissingKey,
    /// A document named by `edmx:Reference` could not be read.
    UnreadableReference,
}

/// A position in a source document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub file: Arc<str>,
    /// 1-based line.
    pub line: u32,
    /// 1-based column, counted in characters.
    pub column: u32,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

/// One problem in a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub kind: DiagnosticKind,
    pub location: Location,
    /// Element path such as `Schema[Microsoft.NAV]/EntityType[customer]/Property[blocked]`.
    pub path: String,
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self.severity {
            Severity::Warning => "warning",
            Severity::Error => "error",
        };
        write!(f, "{}: {level}: {}\n  at {}", self.location, self.message, self.path)
    }
}

/// The errors that stopped a document from becoming a model, sorted by position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    pub fn first(&self) -> Option<&Diagnostic> {
        self.0.first()
    }
    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter()
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{d}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostics {}

/// Turns byte offsets into line and column numbers for one document.
#[derive(Debug, Clone)]
pub struct SourceMap {
    file: Arc<str>,
    text: Arc<str>,
    line_starts: Vec<usize>,
}

impl SourceMap {
    pub fn new(file: &str, text: &str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(text.bytes().enumerate().filter(|&(_, b)| b == b'\n').map(|(i, _)| i + 1));
        SourceMap { file: file.into(), text: text.into(), line_starts }
    }

    pub fn file(&self) -> &str {
        &self.file
    }

    pub fn location(&self, offset: usize) -> Location {
        let offset = offset.min(self.text.len());
        let line_index = self.line_starts.partition_point(|&start| start <= offset) - 1;
        let line_start = self.line_starts[line_index];
        // Columns count characters, not bytes; an offset inside a character
        // (only possible for byte positions reported on invalid input) rounds
        // down to the start of that character. `line_start` follows a newline
        // or is 0, so it is a boundary and the loop stops there at the latest.
        let mut end = offset;
        while !self.text.is_char_boundary(end) {
            end -= 1;
        }
        let column = self.text.get(line_start..end).map_or(0, |s| s.chars().count());
        Location { file: self.file.clone(), line: line_index as u32 + 1, column: column as u32 + 1 }
    }

    pub fn diagnostic(
        &self,
        severity: Severity,
        kind: DiagnosticKind,
        offset: usize,
        path: &str,
        message: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic { severity, kind, location: self.location(offset), path: path.to_owned(), message: message.into() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_columns_are_one_based_and_count_characters() {
        let map = SourceMap::new("f.xml", "ab\nçd<x\n");
        assert_eq!(map.location(0).line, 1);
        assert_eq!(map.location(0).column, 1);
        let loc = map.location("ab\nçd".len());
        assert_eq!((loc.line, loc.column), (2, 3));
        assert_eq!(map.location(100).line, 3);
    }

    #[test]
    fn an_offset_inside_a_character_rounds_down_to_it() {
        // `ç` is two bytes; offset 4 is its second byte, so the column is the one of `ç`.
        let map = SourceMap::new("f.xml", "ab\nçd");
        let loc = map.location(4);
        assert_eq!((loc.line, loc.column), (2, 1));
        let loc = map.location(5);
        assert_eq!((loc.line, loc.column), (2, 2));
    }
}
