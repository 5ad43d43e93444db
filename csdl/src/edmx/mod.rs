//! Reading CSDL XML (`$metadata`, OData 4.0 and 4.01) into the model.

pub mod canonical;
mod parse;
mod resolve;

use crate::diag::{DiagnosticKind, Diagnostics, Severity, SourceMap};
use crate::ir::Model;

/// Reads and resolves a `$metadata` document. `file` names it in diagnostics.
pub fn read_str(file: &str, text: &str) -> Result<Model, Diagnostics> {
    let map = SourceMap::new(file, text);
    let root = crate::xml::parse(text).map_err(|e| {
        let path = if e.open_elements.is_empty() { "(document)".to_owned() } else { e.open_elements.join("/") };
        Diagnostics(vec![map.diagnostic(Severity::Error, DiagnosticKind::MalformedXml, e.offset, &path, e.message)])
    })?;
    let mut parser = parse::Parser::new(&map);
    parser.document(&root);
    resolve::resolve(&map, parser.model, parser.external, parser.diagnostics)
}

/// Reads a `$metadata` document from disk. Bytes that are not UTF-8 are an error.
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
    read_bytes(&display, &bytes)
}

/// Reads a document given as bytes (it must be UTF-8, as BC and every OData service send).
pub fn read_bytes(file: &str, bytes: &[u8]) -> Result<Model, Diagnostics> {
    match std::str::from_utf8(bytes) {
        Ok(text) => read_str(file, text.strip_prefix('\u{feff}').unwrap_or(text)),
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
