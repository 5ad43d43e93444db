//! What can go wrong while generating: each failure is a variant a caller
//! (a build script, the CLI, the maintainer tools) can match on, with the
//! underlying cause as its `source()`.

use std::fmt;
use std::path::PathBuf;

use crate::diag::Diagnostics;

/// A generation failure.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The `$metadata` document could not be read or does not describe a
    /// usable model; every problem carries its file, line, column and
    /// element path.
    Metadata(Diagnostics),
    /// A file could not be read or written.
    Io {
        /// The file or directory concerned.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A service root that is not a relative URL path of plain segments.
    InvalidServiceRoot(String),
    /// Several APIs were given the same module path (two empty service
    /// roots, or two routes that name the same modules).
    ConflictingRoutes(String),
    /// A selection named something the service does not have.
    Selection(String),
    /// A crate name that Cargo would refuse.
    InvalidCrateName(String),
    /// A build-script helper ran outside a build script (`OUT_DIR` unset).
    NotInBuildScript,
    /// The generator produced code that does not parse: a bug in the
    /// generator, reported with the file it was writing.
    GeneratedCodeDoesNotParse {
        /// The generated file.
        path: PathBuf,
        /// The parser's message.
        message: String,
    },
    /// A rendering thread panicked (a bug in the generator).
    RenderingPanicked,
    /// A hand-over target (a file sink) refused a generated file.
    Sink(String),
}

impl Error {
    /// An [`Error::Io`] for `path`.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Error {
        Error::Io { path: path.into(), source }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Metadata(diagnostics) => write!(f, "{diagnostics}"),
            Error::Io { path, .. } => write!(f, "cannot access {}", path.display()),
            Error::InvalidServiceRoot(root) => write!(
                f,
                "`{root}` is not a service root path such as `api/contoso/app/v1.0`, `TripPinRESTierService` or \
                 `sap/opu/odata4/x` (plain URL path segments, none empty, `.` or `..`)"
            ),
            Error::ConflictingRoutes(message) | Error::Selection(message) | Error::Sink(message) => {
                f.write_str(message)
            }
            Error::InvalidCrateName(name) => write!(
                f,
                "`{name}` is not a crate name Cargo accepts (ASCII letters, digits, `-` and `_`, starting with a letter)"
            ),
            Error::NotInBuildScript => {
                f.write_str("OUT_DIR is not set: this function is meant to run in a build script (build.rs)")
            }
            Error::GeneratedCodeDoesNotParse { path, message } => write!(
                f,
                "the generated code for {} does not parse ({message}); this is a bug in the generator, please report it \
                 with the $metadata document",
                path.display()
            ),
            Error::RenderingPanicked => {
                f.write_str("a code generation thread panicked; this is a bug in the generator, please report it")
            }
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io { source, .. } => Some(source),
            Error::Metadata(diagnostics) => Some(diagnostics),
            _ => None,
        }
    }
}

impl From<Diagnostics> for Error {
    fn from(diagnostics: Diagnostics) -> Self {
        Error::Metadata(diagnostics)
    }
}
