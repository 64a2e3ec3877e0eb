//! Errors of the codec core.

use core::fmt;

/// Why a stream could not be decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Error {
    /// The stream names a profile this build does not know (a newer format).
    UnknownProfile(u8),
    /// The stream names an ADC lattice this build does not know.
    UnknownLattice(u8),
    /// The stream ended before its header.
    MissingHeader,
    /// The coded data is inconsistent: the stream is damaged.
    Corrupt,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnknownProfile(p) => write!(f, "unknown codec profile {p} (written by a newer brainwire?)"),
            Self::UnknownLattice(l) => write!(f, "unknown ADC lattice {l} (written by a newer brainwire?)"),
            Self::MissingHeader => f.write_str("codec stream is too short to hold its header"),
            Self::Corrupt => f.write_str("codec stream is damaged"),
        }
    }
}

impl core::error::Error for Error {}
