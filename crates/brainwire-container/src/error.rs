//! Why a brainwire file could not be decoded.
//!
//! The container does no I/O, so every error is about the bytes given to it.
//! [`Error::is_unsupported`] separates "written by something this build does
//! not understand" from "damaged or not brainwire at all"; callers that do I/O
//! (the CLI, the challenge binaries) add their own I/O errors beside these.

use core::fmt;

pub use brainwire_core::Error as CoreError;

/// Why [`crate::decode`] or [`crate::inspect`] refused its input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Error {
    /// The input does not start with the brainwire magic `BW`.
    NotBrainwire,
    /// A format version this build cannot read (probably a newer one).
    UnsupportedVersion(u8),
    /// A payload kind this build does not know.
    UnknownKind(u8),
    /// A header mode this build does not know.
    UnknownHeaderMode(u8),
    /// The container header is ill-formed or fails its checksum.
    HeaderDamaged,
    /// The file ends before the data its header announces.
    Truncated,
    /// The sizes in the header cannot be held in memory on this machine.
    TooLarge,
    /// The codec stream could not be decoded.
    Corrupt(CoreError),
    /// Decoding finished but the result is not the original file.
    IntegrityMismatch { expected: u32, actual: u32 },
}

impl Error {
    /// True when the input may be fine but needs a newer brainwire.
    pub fn is_unsupported(&self) -> bool {
        matches!(
            self,
            Self::UnsupportedVersion(_)
                | Self::UnknownKind(_)
                | Self::UnknownHeaderMode(_)
                | Self::TooLarge
                | Self::Corrupt(CoreError::UnknownProfile(_) | CoreError::UnknownLattice(_))
        )
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotBrainwire => f.write_str("not a brainwire file"),
            Self::UnsupportedVersion(v) => {
                write!(f, "brainwire format version {v} is not supported by this build")
            }
            Self::UnknownKind(k) => write!(f, "unknown brainwire payload kind {k}"),
            Self::UnknownHeaderMode(m) => write!(f, "unknown brainwire header mode {m}"),
            Self::HeaderDamaged => f.write_str("the brainwire header is damaged"),
            Self::Truncated => f.write_str("the brainwire file is truncated"),
            Self::TooLarge => f.write_str("the recording is too large for this machine"),
            // An unknown id is far likelier a damaged byte than a newer
            // file, so the message names both.
            Self::Corrupt(CoreError::UnknownProfile(p)) => write!(
                f,
                "unknown codec profile {p}: the file is damaged or was written by a newer brainwire"
            ),
            Self::Corrupt(CoreError::UnknownLattice(l)) => write!(
                f,
                "unknown ADC lattice {l}: the file is damaged or was written by a newer brainwire"
            ),
            // The decoders cannot tell a cut-off stream from a damaged one
            // once the header fits, so both are named.
            Self::Corrupt(e) => write!(f, "the coded samples are damaged or truncated ({e})"),
            Self::IntegrityMismatch { expected, actual } => write!(
                f,
                "checksum mismatch: the file is damaged (expected CRC-32C {expected:08x}, got {actual:08x})"
            ),
        }
    }
}

impl core::error::Error for Error {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            Self::Corrupt(e) => Some(e),
            _ => None,
        }
    }
}

impl From<CoreError> for Error {
    fn from(e: CoreError) -> Self {
        Self::Corrupt(e)
    }
}
