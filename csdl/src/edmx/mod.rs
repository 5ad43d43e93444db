//! Reading CSDL XML (`$metadata`, OData 4.0 and 4.01) into the model.

pub mod canonical;
mod parse;
mod references;
mod resolve;

pub use references::{DocumentLoader, FileLoader, LoadedDocument, MAX_REFERENCED_DOCUMENTS, NoLoader};

use crate::diag::{DiagnosticKind, Diagnostics, Severity, SourceMap};
use crate::ir::Model;

/// Reads and resolves a `$metadata` document given as text. `file` names it
/// in diagnostics. Documents it references for types (`edmx:Reference`)
/// cannot be read without a location: use [`read_file`] or [`read_with`].
pub fn read_str(file: &str, text: &str) -> Result<Model, Diagnostics> {
    read_with(file, text, &mut NoLoader)
}

/// Reads and resolves a `$metadata` document at location `file` (a path or
/// URL, named in diagnostics and resolved against by `loader`), reading the
/// documents its `edmx:Reference`s name when the model uses their types.
pub fn read_with(file: &str, text: &str, loader: &mut dyn DocumentLoader) -> Result<Model, Diagnostics> {
    let map = SourceMap::new(file, text);
    let root = crate::xml::parse(text).map_err(|e| {
        let path = if e.open_elements.is_empty() { "(document)".to_owned() } else { e.open_elements.join("/") };
        Diagnostics(vec![map.diagnostic(Severity::Error, DiagnosticKind::MalformedXml, e.offset, &path, e.message)])
    })?;
    let mut parser = parse::Parser::new(&map, 0);
    parser.document(&root);
    // The tree is as large as the text several times over; it is done with.
    drop(root);
    let (mut model, mut external, mut diagnostics) = (parser.model, parser.external, parser.diagnostics);
    let mut maps = vec![map];
    references::load_references(&mut maps, &mut model, &mut external, &mut diagnostics, loader);
    resolve::resolve(&maps, model, external, diagnostics)
}

/// Reads a `$metadata` document from disk, with the documents it references
/// read from files next to it. Bytes that are not UTF-8 are an error.
pub fn read_file(path: &std::path::Path) -> Result<Model, Diagnostics> {
    let display = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| {
        let map = SourceMap::new(&display, "");
        Diagnostics(vec![map.diagnostic(
            Severity::Error,
            DiagnosticKind::MalformedXml,
            0,
            "(file)",
            format!("cannot read: {e}"),
        )])
    })?;
    read_bytes_with(&display, &bytes, &mut FileLoader)
}

/// Reads a document given as bytes (it must be UTF-8, as BC and every OData service send).
pub fn read_bytes(file: &str, bytes: &[u8]) -> Result<Model, Diagnostics> {
    read_bytes_with(file, bytes, &mut NoLoader)
}

/// [`read_bytes`] with a loader for referenced documents (see [`read_with`]).
pub fn read_bytes_with(file: &str, bytes: &[u8], loader: &mut dyn DocumentLoader) -> Result<Model, Diagnostics> {
    match std::str::from_utf8(bytes) {
        Ok(text) => read_with(file, text.strip_prefix('\u{feff}').unwrap_or(text), loader),
        Err(e) => {
            let valid = std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or_default();
            let map = SourceMap::new(file, valid);
            let message = format!("the document is not valid UTF-8 (byte {})", e.valid_up_to());
            Err(Diagnostics(vec![map.diagnostic(
                Severity::Error,
                DiagnosticKind::MalformedXml,
                valid.len(),
                "(document)",
                message,
            )]))
        }
    }
}
