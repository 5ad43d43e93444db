//! Reading CSDL XML (`$metadata`, OData 4.0 and 4.01) into the model.

pub mod canonical;
mod extends;
mod loader;
mod parse;
mod references;
mod resolve;

pub use loader::{DocumentLoader, FileLoader, LoadError, LoadErrorKind, LoadedDocument, MAX_DOCUMENT_BYTES, NoLoader};
pub use references::MAX_REFERENCED_DOCUMENTS;

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
    let mut containers = Vec::new();
    references::load_references(&mut maps, &mut model, &mut external, &mut containers, &mut diagnostics, loader);
    resolve::resolve(&maps, model, external, containers, diagnostics)
}

/// Reads a `$metadata` document from disk, with the documents it references
/// read from files in its directory or below it (see [`FileLoader`]). Bytes
/// that are not UTF-8 are an error, and so is a file larger than
/// [`MAX_DOCUMENT_BYTES`].
pub fn read_file(path: &std::path::Path) -> Result<Model, Diagnostics> {
    let display = path.display().to_string();
    let bytes = read_main_document(path).map_err(|why| {
        let map = SourceMap::new(&display, "");
        Diagnostics(vec![map.diagnostic(
            Severity::Error,
            DiagnosticKind::MalformedXml,
            0,
            "(file)",
            format!("cannot read: {why}"),
        )])
    })?;
    read_bytes_with(&display, &bytes, &mut FileLoader::beside(path))
}

/// The main document's bytes, at most [`MAX_DOCUMENT_BYTES`] of them. Unlike
/// a referenced document it may be any readable file (a pipe from `curl`,
/// say): whoever names it chose it.
fn read_main_document(path: &std::path::Path) -> Result<Vec<u8>, String> {
    let too_large = || format!("the file is larger than {} MiB", MAX_DOCUMENT_BYTES / (1024 * 1024));
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let metadata = file.metadata().map_err(|e| e.to_string())?;
    if metadata.is_file() && metadata.len() > MAX_DOCUMENT_BYTES {
        return Err(too_large());
    }
    loader::read_capped(file, metadata.len()).map_err(|e| match e {
        loader::Capped::TooLarge => too_large(),
        loader::Capped::Io(e) => e.to_string(),
    })
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
