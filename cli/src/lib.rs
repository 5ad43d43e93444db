//! `odata-v4-gen`: generates a typed Rust client crate for an OData v4
//! service from its `$metadata` (a file or a URL). This library is what the
//! command runs; the maintainers' tools call it too.
//!
//! ```no_run
//! use odata_v4_gen::{Profile, Request, generate};
//!
//! let request = Request::new("trippin.xml", "../trippin");
//! let outcome = generate(&request, &mut |_| {})?;
//! println!("{} files", outcome.generated.files);
//! # Ok::<(), odata_v4_gen::Error>(())
//! ```

#![warn(missing_docs)]

pub mod fetch;

use std::fmt;
use std::path::{Path, PathBuf};

use business_central_codegen::{BusinessCentral, is_business_central};
use odata_v4_codegen::customize::{Customization, Standard};
use odata_v4_codegen::ir::Model;
use odata_v4_codegen::select::Selection;
use odata_v4_codegen::{CrateOptions, Dependencies, Generated, Generator};

pub use fetch::{FetchError, FetchOptions};

/// Which conventions the generated client follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Profile {
    /// Business Central's for a `Microsoft.NAV` model, strict OData otherwise.
    #[default]
    Auto,
    /// Strict OData v4.
    Strict,
    /// Business Central's: its wire profile, server-assigned keys, a crate
    /// on the Business Central SDK's glue.
    BusinessCentral,
}

/// What to generate.
#[derive(Debug, Clone)]
pub struct Request {
    /// The `$metadata` document: a file, or an http(s) URL (a service root
    /// or its `$metadata`).
    pub metadata: String,
    /// The crate's directory (created if missing).
    pub out: PathBuf,
    /// The service root below the base URL clients are built with; derived
    /// when `None` (see [`generate`]).
    pub service_root: Option<String>,
    /// The crate's name; the directory's name when `None`.
    pub crate_name: Option<String>,
    /// The conventions to follow.
    pub profile: Profile,
    /// Resource docs to read descriptions and read-only markers from.
    pub docs: Option<PathBuf>,
    /// Only these entity sets, singletons and operation imports, and what
    /// they reach.
    pub selection: Option<Selection>,
    /// How the crate names the runtime.
    pub dependencies: Dependencies,
    /// How a URL is fetched.
    pub fetch: FetchOptions,
}

impl Request {
    /// A crate in `out` for the `$metadata` at `metadata`, every other
    /// choice left to its default.
    pub fn new(metadata: impl Into<String>, out: impl Into<PathBuf>) -> Request {
        Request {
            metadata: metadata.into(),
            out: out.into(),
            service_root: None,
            crate_name: None,
            profile: Profile::Auto,
            docs: None,
            selection: None,
            dependencies: Dependencies::Published,
            fetch: FetchOptions::default(),
        }
    }
}

/// A step of [`generate`], for progress reports.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Step {
    /// The document is being read (or fetched).
    Reading(String),
    /// The document is read.
    Read {
        /// Entity types in the model.
        entity_types: usize,
        /// Entity sets in the model.
        entity_sets: usize,
    },
    /// A step of writing the crate.
    Writing(odata_v4_codegen::Progress),
}

/// What [`generate`] did.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Outcome {
    /// The crate's name.
    pub crate_name: String,
    /// The service root the API was generated for (empty: the base URL is
    /// the service's root).
    pub service_root: String,
    /// The base URL a client is built with, when the document came from a URL.
    pub base_url: Option<String>,
    /// What was written.
    pub generated: Generated,
}

/// Why generation failed.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The `$metadata` document could not be fetched.
    Fetch(FetchError),
    /// Reading, planning or writing failed.
    Generate(odata_v4_codegen::Error),
    /// The document is CSDL JSON, which is not read.
    CsdlJson(String),
    /// A choice the caller must make is missing or contradicts the document.
    Usage(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Fetch(error) => error.fmt(f),
            Error::Generate(error) => error.fmt(f),
            Error::CsdlJson(name) => write!(
                f,
                "{name} is CSDL JSON (the JSON form of $metadata), which this generator does not read; ask the \
                 service for the XML form: `$metadata` with `Accept: application/xml`, or `$metadata?$format=xml`"
            ),
            Error::Usage(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Fetch(error) => Some(error),
            Error::Generate(error) => Some(error),
            _ => None,
        }
    }
}

impl From<FetchError> for Error {
    fn from(error: FetchError) -> Self {
        Error::Fetch(error)
    }
}

impl From<odata_v4_codegen::Error> for Error {
    fn from(error: odata_v4_codegen::Error) -> Self {
        Error::Generate(error)
    }
}

impl From<odata_v4_codegen::diag::Diagnostics> for Error {
    fn from(diagnostics: odata_v4_codegen::diag::Diagnostics) -> Self {
        Error::Generate(odata_v4_codegen::Error::Metadata(diagnostics))
    }
}

/// Refuses a document that is CSDL JSON rather than XML, with a message
/// that says so (the XML reader would report "text outside the root").
pub fn refuse_csdl_json(name: &str, bytes: &[u8]) -> Result<(), Error> {
    let text = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    match text.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'{') => Err(Error::CsdlJson(name.to_owned())),
        _ => Ok(()),
    }
}

/// Reads a `$metadata` document from a file or an http(s) URL. Returns the
/// name to show for it and the model.
pub fn read_metadata(source: &str, fetch: &FetchOptions) -> Result<(String, Model), Error> {
    if fetch::is_url(source) {
        return fetch::read_url(source, fetch);
    }
    let path = Path::new(source);
    let mut head = [0u8; 64];
    let read = std::fs::File::open(path)
        .and_then(|mut file| std::io::Read::read(&mut file, &mut head))
        .map_err(|e| odata_v4_codegen::Error::io(path, e))?;
    refuse_csdl_json(source, &head[..read])?;
    let model = odata_v4_codegen::edmx::read_file(path)?;
    let name = path.file_name().map_or_else(|| source.to_owned(), |n| n.to_string_lossy().into_owned());
    Ok((name, model))
}

/// Writes the crate `request` describes.
///
/// The service root defaults to what the document's URL says: for a
/// Business Central API the path from its `api` segment on, for any other
/// service nothing (the client's base URL is then the service's own URL).
/// A Business Central document read from a file must be given its root.
pub fn generate(request: &Request, progress: &mut dyn FnMut(Step)) -> Result<Outcome, Error> {
    progress(Step::Reading(request.metadata.clone()));
    let (name, model) = read_metadata(&request.metadata, &request.fetch)?;
    progress(Step::Read { entity_types: model.entity_types.len(), entity_sets: model.entity_sets().len() });
    let business_central = match request.profile {
        Profile::Auto => is_business_central(&model),
        Profile::Strict => false,
        Profile::BusinessCentral => true,
    };
    let from_url = fetch::is_url(&request.metadata).then(|| fetch::metadata_url(&request.metadata));
    let service_root = match (&request.service_root, &from_url) {
        (Some(root), _) => root.trim_matches('/').to_owned(),
        (None, Some(url)) if business_central => {
            business_central_codegen::service_root_from_url(url).ok_or_else(|| {
                Error::Usage(format!(
                    "cannot tell the Business Central API's route from {url}; give it with --service-root \
                     (api/<publisher>/<group>/<version>)"
                ))
            })?
        }
        (None, Some(_)) => String::new(),
        (None, None) if business_central => {
            return Err(Error::Usage(
                "a Business Central API read from a file needs --service-root: the route below the environment's URL, \
                 such as api/contoso/warehouse/v1.0 (a $metadata document does not say where it is served)"
                    .to_owned(),
            ));
        }
        (None, None) => String::new(),
    };
    let base_url = from_url.map(|url| {
        let service = fetch::service_url(&url);
        let trimmed = service.trim_end_matches('/');
        match trimmed.strip_suffix(&service_root) {
            Some(base) if !service_root.is_empty() => base.to_owned(),
            _ => service,
        }
    });
    let crate_name =
        request.crate_name.clone().unwrap_or_else(|| odata_v4_codegen::generator::default_crate_name(&request.out));
    let customization: &dyn Customization = if business_central { &BusinessCentral } else { &Standard };
    let documentation = match &request.docs {
        Some(dir) => business_central_codegen::docs::load_docs(dir, &[(service_root.as_str(), &model)])?.0,
        None => Default::default(),
    };
    let command = format!("odata-v4-gen generate {name}");
    let mut generator = Generator::from_model(name, model)
        .service_root(service_root.clone())
        .customization(customization)
        .documentation(documentation)
        .command(command);
    if let Some(selection) = &request.selection {
        generator = generator.selection(selection.clone());
    }
    let options = CrateOptions {
        name: crate_name.clone(),
        dependencies: request.dependencies.clone(),
        base_url: base_url.clone(),
    };
    let generated = generator.write_crate(&request.out, &options, &mut |step| progress(Step::Writing(step)))?;
    Ok(Outcome { crate_name, service_root, base_url, generated })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csdl_json_is_refused_by_name() {
        assert!(matches!(
            refuse_csdl_json("a.json", b"\xef\xbb\xbf  {\"$Version\":\"4.01\"}"),
            Err(Error::CsdlJson(_))
        ));
        assert!(refuse_csdl_json("a.xml", b"<?xml version=\"1.0\"?><edmx:Edmx/>").is_ok());
    }
}
