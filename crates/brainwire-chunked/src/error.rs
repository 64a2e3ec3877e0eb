//! Errors of the chunked container: I/O, ill-formed input (a damaged or
//! foreign stream), an unsupported stream (a newer version or profile), or
//! arguments the caller got wrong.

use std::fmt;

/// Why a recording could not be encoded or a stream decoded.
#[derive(Debug)]
pub enum Error {
    /// Reading or writing failed.
    Io(std::io::Error),
    /// The stream is damaged or not a chunked brainwire stream; the message
    /// names what is wrong and, for a chunk, its time range.
    Malformed(String),
    /// The stream is well-formed but uses something this build does not know
    /// (a newer format version, profile or substream kind).
    Unsupported(String),
    /// The caller's arguments are inconsistent (no channels, a window past
    /// the end, metadata too long, ...).
    InvalidArgument(String),
}

impl Error {
    pub(crate) fn malformed(msg: impl Into<String>) -> Self {
        Self::Malformed(msg.into())
    }

    pub(crate) fn invalid(msg: impl Into<String>) -> Self {
        Self::InvalidArgument(msg.into())
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Io(e) => write!(f, "I/O error: {e}"),
            Self::Malformed(m) => write!(f, "damaged or foreign chunked stream: {m}"),
            Self::Unsupported(m) => write!(f, "unsupported chunked stream: {m}"),
            Self::InvalidArgument(m) => write!(f, "invalid argument: {m}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Io(e) => Some(e),
            _ => None,
        }
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        // A stream that ends early is ill-formed, not an I/O failure.
        if e.kind() == std::io::ErrorKind::UnexpectedEof {
            Self::Malformed("the stream ends early (truncated)".into())
        } else {
            Self::Io(e)
        }
    }
}

impl From<Error> for std::io::Error {
    fn from(e: Error) -> Self {
        match e {
            Error::Io(e) => e,
            Error::InvalidArgument(m) => std::io::Error::new(std::io::ErrorKind::InvalidInput, m),
            other => std::io::Error::new(std::io::ErrorKind::InvalidData, other.to_string()),
        }
    }
}
