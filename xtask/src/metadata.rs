//! Reading a `$metadata` document from a file or an http(s) URL, with the
//! documents its `edmx:Reference`s name: next to the file, or fetched
//! relative to the URL. A bearer token (`BC_ACCESS_TOKEN`) goes only to the
//! origin the main document came from.

use odata_v4_codegen::edmx::{self, DocumentLoader, LoadError, LoadErrorKind, LoadedDocument, MAX_DOCUMENT_BYTES};
use odata_v4_codegen::ir::Model;

use crate::import::TOKEN_VARIABLE;

/// Whether `source` names a URL rather than a file.
pub fn is_url(source: &str) -> bool {
    source.starts_with("http://") || source.starts_with("https://")
}

/// Reads and resolves the document at `source`, a path or an http(s) URL
/// (`…/$metadata` is added to a service root URL). Warnings are printed.
pub fn read(source: &str) -> Result<Model, String> {
    let model = if is_url(source) {
        let url = metadata_url(source);
        let mut loader = UrlLoader { origin: origin(&url).to_owned(), token: std::env::var(TOKEN_VARIABLE).ok() };
        let bytes = loader.fetch(&url)?;
        edmx::read_bytes_with(&url, &bytes, &mut loader)
    } else {
        edmx::read_file(std::path::Path::new(source))
    };
    let model = model.map_err(|e| e.to_string())?;
    for warning in &model.warnings {
        eprintln!("{warning}");
    }
    Ok(model)
}

/// `…/$metadata` for a service root; a `$metadata` URL as it is.
fn metadata_url(url: &str) -> String {
    let trimmed = url.trim_end_matches('/');
    if trimmed.ends_with("$metadata") || trimmed.ends_with(".xml") {
        url.to_owned()
    } else {
        format!("{trimmed}/$metadata")
    }
}

/// `scheme://host[:port]` of an absolute URL.
fn origin(url: &str) -> &str {
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    let end = url[after_scheme..].find(['/', '?', '#']).map_or(url.len(), |i| after_scheme + i);
    &url[..end]
}

/// `uri` as written in the document at `base`, made absolute.
pub fn resolve_url(base: &str, uri: &str) -> String {
    if is_url(uri) || uri.contains("://") {
        return uri.to_owned();
    }
    if let Some(rest) = uri.strip_prefix("//") {
        let scheme = base.split("://").next().unwrap_or("https");
        return format!("{scheme}://{rest}");
    }
    if uri.starts_with('/') {
        return format!("{}{uri}", origin(base));
    }
    let base = base.split(['?', '#']).next().unwrap_or(base);
    let directory = match base.rfind('/') {
        Some(slash) if slash >= origin(base).len() => &base[..=slash],
        _ => return format!("{base}/{uri}"),
    };
    format!("{directory}{uri}")
}

/// Fetches referenced documents relative to the URL of the one that names them.
struct UrlLoader {
    origin: String,
    token: Option<String>,
}

impl UrlLoader {
    fn fetch(&self, url: &str) -> Result<Vec<u8>, String> {
        let mut request = ureq::get(url).header("Accept", "application/xml");
        // Credentials only to their origin: a referenced document elsewhere is fetched without them.
        if let Some(token) = self.token.as_ref().filter(|_| origin(url) == self.origin) {
            request = request.header("Authorization", &format!("Bearer {token}"));
        }
        let mut response = request.call().map_err(|e| format!("GET {url} failed: {e}"))?;
        response
            .body_mut()
            .with_config()
            .limit(MAX_DOCUMENT_BYTES)
            .read_to_vec()
            .map_err(|e| format!("reading {url} failed: {e}"))
    }
}

impl DocumentLoader for UrlLoader {
    fn load(&mut self, base: &str, uri: &str) -> Result<LoadedDocument, LoadError> {
        let location = resolve_url(base, uri);
        if !is_url(&location) {
            return Err(LoadError::new(
                LoadErrorKind::Url,
                format!("`{location}` is neither an http nor an https URL"),
            ));
        }
        let bytes = self.fetch(&location).map_err(LoadError::other)?;
        Ok(LoadedDocument { location, bytes })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_resolve_against_the_referencing_url() {
        let base = "https://example.com/odata/svc/$metadata";
        assert_eq!(resolve_url(base, "GPS.xml"), "https://example.com/odata/svc/GPS.xml");
        assert_eq!(resolve_url(base, "/vocab/Core.xml"), "https://example.com/vocab/Core.xml");
        assert_eq!(resolve_url(base, "//other.org/x.xml"), "https://other.org/x.xml");
        assert_eq!(resolve_url(base, "http://other.org/x.xml"), "http://other.org/x.xml");
        assert_eq!(resolve_url("https://example.com", "x.xml"), "https://example.com/x.xml");
        assert_eq!(resolve_url("https://example.com/a/b.xml?v=1", "c.xml"), "https://example.com/a/c.xml");
        assert_eq!(origin("http://127.0.0.1:8080/a/b"), "http://127.0.0.1:8080");
    }

    #[test]
    fn a_service_root_gets_its_metadata_path() {
        assert_eq!(metadata_url("https://example.com/svc/"), "https://example.com/svc/$metadata");
        assert_eq!(metadata_url("https://example.com/svc/$metadata"), "https://example.com/svc/$metadata");
        assert_eq!(metadata_url("https://example.com/model.xml"), "https://example.com/model.xml");
    }
}
