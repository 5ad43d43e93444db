//! Errors of the fake's own API (seeding, inspecting), as opposed to the
//! answers it gives the client under test.

use std::fmt;

/// Why a call to the fake itself (seeding, inspecting) failed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FakeError {
    /// The fake refused, as Business Central would have.
    Refused {
        /// The HTTP status it answered.
        status: u16,
        /// Business Central's error code.
        code: String,
        /// The error message.
        message: String,
    },
    /// The fake could not be set up (a schema that does not read, an
    /// unknown route) or its answer did not decode into the expected type.
    Setup(String),
}

impl fmt::Display for FakeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FakeError::Refused { status, code, message } => write!(f, "HTTP {status} {code}: {message}"),
            FakeError::Setup(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for FakeError {}
