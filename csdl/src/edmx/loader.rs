//! Where the documents named by `edmx:Reference` come from: the
//! [`DocumentLoader`] trait, the [`FileLoader`] that reads them from the main
//! document's directory (never outside it, regular files only, at most
//! [`MAX_DOCUMENT_BYTES`]), and the typed [`LoadError`] a loader fails with.

use std::fmt;
use std::io::Read;
use std::path::{Component, Path, PathBuf};

/// The most one document may weigh, main or referenced, in bytes (64 MiB;
/// Microsoft Graph's `$metadata`, the largest known, is 3.5 MB). Files are
/// read up to this many bytes and no further, so a device such as
/// `/dev/zero` cannot make the reader grow without end; loaders that fetch
/// documents over the network should apply it too.
pub const MAX_DOCUMENT_BYTES: u64 = 64 * 1024 * 1024;

/// A referenced document, as a [`DocumentLoader`] found it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadedDocument {
    /// Where it was found (a path or URL): named in diagnostics, and the base
    /// its own references are resolved against.
    pub location: String,
    /// Its bytes (UTF-8, as CSDL requires).
    pub bytes: Vec<u8>,
}

/// Reads the documents that `edmx:Reference` elements name.
pub trait DocumentLoader {
    /// Reads `uri`, as written in the `edmx:Reference` of the document at
    /// `base` (a relative `uri` is relative to `base`). The error says why
    /// the document could not be read; the reader adds which reference and
    /// namespace it was for.
    fn load(&mut self, base: &str, uri: &str) -> Result<LoadedDocument, LoadError>;
}

/// Why a [`DocumentLoader`] could not read a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum LoadErrorKind {
    /// Nothing is at that location.
    NotFound,
    /// The location leaves the directory documents are read from (`..`, an
    /// absolute path or a `file:` URL elsewhere, or a symbolic link that
    /// leads out).
    OutsideDirectory,
    /// The location is a directory, a device, a FIFO or a socket.
    NotARegularFile,
    /// The location is a URL the loader does not read (a file loader reads
    /// no `http:` URL; a `file:` URL names another host).
    Url,
    /// The document holding the reference was given as text, with no
    /// location to resolve it against.
    NoLocation,
    /// The `Uri` cannot name a document (a NUL character, or bytes that are
    /// not UTF-8 once percent-decoded).
    InvalidUri,
    /// The document is larger than the loader accepts ([`MAX_DOCUMENT_BYTES`]
    /// for the file loader).
    TooLarge,
    /// Reading failed (permissions, I/O).
    Io,
    /// Any other reason, given by the loader (an HTTP failure, say).
    Other,
}

/// The error of [`DocumentLoader::load`]: a kind to match on and a message
/// for people, with the underlying error as [`source`](std::error::Error::source)
/// where there is one. Loaders outside this crate build it with
/// [`LoadError::new`] or [`LoadError::other`].
#[derive(Debug)]
pub struct LoadError {
    kind: LoadErrorKind,
    message: String,
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
}

impl LoadError {
    /// An error of `kind`, explained by `message`.
    pub fn new(kind: LoadErrorKind, message: impl Into<String>) -> LoadError {
        LoadError { kind, message: message.into(), source: None }
    }

    /// An error for a reason of the loader's own ([`LoadErrorKind::Other`]).
    pub fn other(message: impl Into<String>) -> LoadError {
        LoadError::new(LoadErrorKind::Other, message)
    }

    /// The same error, caused by `source`.
    pub fn with_source(mut self, source: impl std::error::Error + Send + Sync + 'static) -> LoadError {
        self.source = Some(Box::new(source));
        self
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> LoadErrorKind {
        self.kind
    }

    /// The explanation, without the source's text.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// `context: message`, keeping the kind and the source.
    fn context(mut self, context: impl fmt::Display) -> LoadError {
        self.message = format!("{context}: {}", self.message);
        self
    }

    fn io(error: std::io::Error, path: &Path) -> LoadError {
        let kind = match error.kind() {
            std::io::ErrorKind::NotFound => LoadErrorKind::NotFound,
            _ => LoadErrorKind::Io,
        };
        let message = match kind {
            LoadErrorKind::NotFound => format!("{} does not exist", path.display()),
            _ => format!("cannot read {}", path.display()),
        };
        LoadError::new(kind, message).with_source(error)
    }

    fn too_large(path: &Path) -> LoadError {
        let message = format!("{} is larger than {} MiB", path.display(), MAX_DOCUMENT_BYTES / (1024 * 1024));
        LoadError::new(LoadErrorKind::TooLarge, message)
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for LoadError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source.as_deref().map(|e| e as &(dyn std::error::Error + 'static))
    }
}

/// The error's message followed by its sources' (for a diagnostic, which
/// is text only).
pub(crate) fn explain(error: &LoadError) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// Reads referenced documents from files in the main document's directory
/// or below it, and nowhere else:
///
/// - a `Uri` is a relative path (`GPS.xml`, `units/Units.xml`), an absolute
///   path, or a `file:` URL without a host (or `localhost`); percent-escapes
///   are decoded. Relative ones are resolved against the referencing
///   document, as URIs are.
/// - the resulting path must lie inside the directory of the main document
///   (a referenced document may reach a sibling through `../` as long as it
///   stays inside). It is checked twice: as written, with `.` and `..`
///   resolved, before anything is touched; and again once symbolic links are
///   resolved, so a link that leads out is refused too.
/// - only regular files are opened: directories, devices, FIFOs and sockets
///   are refused before opening.
/// - at most [`MAX_DOCUMENT_BYTES`] are read.
///
/// `http:` and other URLs are refused: this crate does no networking
/// (`cargo xtask generate` fetches them when the main document itself came
/// from a URL).
#[derive(Debug, Clone)]
pub struct FileLoader {
    /// The allowed directory as written (absolute, `.` and `..` resolved).
    root: PathBuf,
    /// The allowed directory with symbolic links resolved, or why it cannot be.
    real_root: Result<PathBuf, String>,
}

impl FileLoader {
    /// A loader for the documents `main_document` references: they must be
    /// in its directory or below it.
    pub fn beside(main_document: &Path) -> FileLoader {
        let directory = main_document.parent().unwrap_or(Path::new(""));
        let root = absolute(directory);
        let real_root = std::fs::canonicalize(&root).map_err(|e| format!("{}: {e}", root.display()));
        FileLoader { root, real_root }
    }

    /// The directory referenced documents must be in (absolute, as written).
    pub fn directory(&self) -> &Path {
        &self.root
    }

    /// The path `uri` names, written in the document at `base`, or why it is
    /// refused; nothing on disk is touched.
    fn path_of(&self, base: &str, uri: &str) -> Result<PathBuf, LoadError> {
        let written = match uri.split_once(':') {
            Some((scheme, rest)) if scheme.eq_ignore_ascii_case("file") => file_url_path(uri, rest)?,
            Some((scheme, _)) if is_scheme(scheme) => {
                return Err(LoadError::new(
                    LoadErrorKind::Url,
                    format!(
                        "`{uri}` is a URL, and referenced documents are read from files in {}; \
                         download it there, or read the main document from its URL",
                        self.root.display()
                    ),
                ));
            }
            _ => uri,
        };
        let decoded = percent_decode(written)
            .filter(|path| !path.contains('\0'))
            .ok_or_else(|| LoadError::new(LoadErrorKind::InvalidUri, format!("`{uri}` cannot name a file")))?;
        let referencing_directory = Path::new(base).parent().unwrap_or(Path::new(""));
        let path = normalize(&absolute(referencing_directory).join(decoded));
        if !path.starts_with(&self.root) {
            return Err(LoadError::new(
                LoadErrorKind::OutsideDirectory,
                format!(
                    "`{uri}` names {}, outside {}, the directory of the main document that referenced documents must be in",
                    path.display(),
                    self.root.display()
                ),
            ));
        }
        Ok(path)
    }
}

impl DocumentLoader for FileLoader {
    fn load(&mut self, base: &str, uri: &str) -> Result<LoadedDocument, LoadError> {
        let path = self.path_of(base, uri)?;
        let real_root = self.real_root.as_ref().map_err(|why| {
            LoadError::new(LoadErrorKind::Io, format!("the directory of the main document cannot be resolved: {why}"))
        })?;
        let real = std::fs::canonicalize(&path).map_err(|e| LoadError::io(e, &path))?;
        if !real.starts_with(real_root) {
            return Err(LoadError::new(
                LoadErrorKind::OutsideDirectory,
                format!(
                    "{} is a symbolic link to {}, outside {}, the directory referenced documents must be in",
                    path.display(),
                    real.display(),
                    self.root.display()
                ),
            ));
        }
        let bytes = read_regular_file(&real).map_err(|e| e.context(format_args!("`{uri}`")))?;
        Ok(LoadedDocument { location: path.display().to_string(), bytes })
    }
}

/// Reads a regular file of at most [`MAX_DOCUMENT_BYTES`]. Anything else
/// (directory, device, FIFO, socket) is refused before it is opened, so a
/// FIFO cannot block the reader.
pub(crate) fn read_regular_file(path: &Path) -> Result<Vec<u8>, LoadError> {
    let metadata = std::fs::metadata(path).map_err(|e| LoadError::io(e, path))?;
    if !metadata.is_file() {
        let message = format!("{} is not a regular file (a directory, device, FIFO or socket)", path.display());
        return Err(LoadError::new(LoadErrorKind::NotARegularFile, message));
    }
    if metadata.len() > MAX_DOCUMENT_BYTES {
        return Err(LoadError::too_large(path));
    }
    let file = std::fs::File::open(path).map_err(|e| LoadError::io(e, path))?;
    // The file may have been replaced between the check and the opening.
    let opened = file.metadata().map_err(|e| LoadError::io(e, path))?;
    if !opened.is_file() || !same_file(&metadata, &opened) {
        let message = format!("{} changed while it was being opened", path.display());
        return Err(LoadError::new(LoadErrorKind::NotARegularFile, message));
    }
    read_capped(file, opened.len()).map_err(|e| match e {
        Capped::TooLarge => LoadError::too_large(path),
        Capped::Io(e) => LoadError::io(e, path),
    })
}

/// Why [`read_capped`] stopped.
pub(crate) enum Capped {
    TooLarge,
    Io(std::io::Error),
}

/// Reads `source` to its end, or fails as soon as it passes
/// [`MAX_DOCUMENT_BYTES`]: memory never holds more than the limit and one
/// byte, whatever the source (a file that grows, a device that never ends).
/// `expected` sizes the buffer (capped too).
pub(crate) fn read_capped(source: impl Read, expected: u64) -> Result<Vec<u8>, Capped> {
    let mut bytes = Vec::with_capacity(expected.min(MAX_DOCUMENT_BYTES) as usize);
    source.take(MAX_DOCUMENT_BYTES + 1).read_to_end(&mut bytes).map_err(Capped::Io)?;
    if bytes.len() as u64 > MAX_DOCUMENT_BYTES {
        return Err(Capped::TooLarge);
    }
    Ok(bytes)
}

#[cfg(unix)]
fn same_file(a: &std::fs::Metadata, b: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    (a.dev(), a.ino()) == (b.dev(), b.ino())
}

#[cfg(not(unix))]
fn same_file(_: &std::fs::Metadata, _: &std::fs::Metadata) -> bool {
    true
}

/// Refuses every referenced document: for text read on its own, with no
/// location to resolve references against.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoLoader;

impl DocumentLoader for NoLoader {
    fn load(&mut self, _base: &str, uri: &str) -> Result<LoadedDocument, LoadError> {
        Err(LoadError::new(
            LoadErrorKind::NoLocation,
            format!("`{uri}` is not read: the document was given as text, with no location to read it from"),
        ))
    }
}

/// `http`, `https`, `urn`, ...: letters, digits, `+`, `-`, `.`, starting
/// with a letter, and longer than one character (so `C:` is a drive).
fn is_scheme(text: &str) -> bool {
    text.len() > 1
        && text.starts_with(|c: char| c.is_ascii_alphabetic())
        && text.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
}

/// The path of a `file:` URL (`rest` follows `file:`): `file:///p`,
/// `file://localhost/p` and `file:/p` name `/p`; another host is refused.
fn file_url_path<'u>(uri: &str, rest: &'u str) -> Result<&'u str, LoadError> {
    let Some(authority_and_path) = rest.strip_prefix("//") else { return Ok(rest) };
    let (host, path) = match authority_and_path.find('/') {
        Some(slash) => authority_and_path.split_at(slash),
        None => (authority_and_path, ""),
    };
    if host.is_empty() || host.eq_ignore_ascii_case("localhost") {
        return Ok(path);
    }
    Err(LoadError::new(LoadErrorKind::Url, format!("`{uri}` names a file on host `{host}`; only local files are read")))
}

/// `%XX` escapes decoded; a `%` without two hex digits stays as it is.
/// `None` when the result is not UTF-8.
fn percent_decode(text: &str) -> Option<String> {
    if !text.contains('%') {
        return Some(text.to_owned());
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = (bytes[i] == b'%')
            .then(|| bytes.get(i + 1..i + 3))
            .flatten()
            .and_then(|hex| std::str::from_utf8(hex).ok())
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match escaped {
            Some(byte) => {
                out.push(byte);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

/// `path` made absolute against the working directory, with `.` and `..`
/// resolved as written (symbolic links are not followed).
fn absolute(path: &Path) -> PathBuf {
    let joined =
        if path.is_absolute() { path.to_path_buf() } else { std::env::current_dir().unwrap_or_default().join(path) };
    normalize(&joined)
}

/// `.` and `..` resolved as written; `..` at the root stays at the root.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_escapes_are_decoded_and_stray_percents_kept() {
        assert_eq!(percent_decode("a%20b%2Fc.xml").as_deref(), Some("a b/c.xml"));
        assert_eq!(percent_decode("100%").as_deref(), Some("100%"));
        assert_eq!(percent_decode("%zz%4").as_deref(), Some("%zz%4"));
        assert_eq!(percent_decode("%C3%A4.xml").as_deref(), Some("ä.xml"));
        assert_eq!(percent_decode("%FF.xml"), None);
    }

    #[test]
    fn dots_resolve_as_written() {
        assert_eq!(normalize(Path::new("/a/b/../c/./d.xml")), PathBuf::from("/a/c/d.xml"));
        assert_eq!(normalize(Path::new("/../../etc/passwd")), PathBuf::from("/etc/passwd"));
    }

    #[test]
    fn file_urls_name_local_paths_only() {
        assert_eq!(file_url_path("u", "///srv/a.xml").ok(), Some("/srv/a.xml"));
        assert_eq!(file_url_path("u", "//localhost/srv/a.xml").ok(), Some("/srv/a.xml"));
        assert_eq!(file_url_path("u", "/srv/a.xml").ok(), Some("/srv/a.xml"));
        assert_eq!(file_url_path("u", "a.xml").ok(), Some("a.xml"));
        let error = file_url_path("file://server/a.xml", "//server/a.xml").expect_err("another host");
        assert_eq!(error.kind(), LoadErrorKind::Url);
    }

    #[test]
    fn an_endless_source_is_read_up_to_the_limit_and_refused() {
        // `/dev/zero` as a reader: it never ends, and is read one byte past the limit.
        let outcome = read_capped(std::io::repeat(0), 0);
        assert!(matches!(outcome, Err(Capped::TooLarge)));
        let exact = read_capped(std::io::repeat(b'x').take(MAX_DOCUMENT_BYTES), MAX_DOCUMENT_BYTES);
        assert!(matches!(exact, Ok(bytes) if bytes.len() as u64 == MAX_DOCUMENT_BYTES));
    }

    #[test]
    fn the_error_carries_its_kind_message_and_source() {
        let io = std::io::Error::new(std::io::ErrorKind::PermissionDenied, "denied");
        let error = LoadError::io(io, Path::new("/srv/a.xml")).context("`a.xml`");
        assert_eq!(error.kind(), LoadErrorKind::Io);
        assert_eq!(error.to_string(), "`a.xml`: cannot read /srv/a.xml");
        assert_eq!(std::error::Error::source(&error).map(ToString::to_string).as_deref(), Some("denied"));
        assert_eq!(explain(&error), "`a.xml`: cannot read /srv/a.xml: denied");
        let custom = LoadError::other("GET https://example.com/a.xml failed: 404");
        assert_eq!(
            (custom.kind(), custom.message()),
            (LoadErrorKind::Other, "GET https://example.com/a.xml failed: 404")
        );
    }
}
