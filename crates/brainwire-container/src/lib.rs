//! brainwire container: the file format around the codec stream.
//!
//! A brainwire file records the CRC-32C of the original file and either the
//! original bytes (kind 0) or, for 16-bit PCM WAV files, the bytes around the
//! samples plus the core codec stream of the samples (kind 1). `FORMAT.md`
//! beside `src/` specifies the layout byte by byte.
//!
//! Invariant: `decode(&encode(x, p)) == Ok(x)` for every byte string `x` and
//! profile `p`, and `decode` returns `Ok` only with bytes whose CRC matches
//! the recorded one. Modules: [`wav`] finds the samples, [`format`] reads and
//! writes the header, [`varint`] and [`crc`] are its building blocks.
#![cfg_attr(not(test), no_std)]
// `deny`, not `forbid`: `crc::sse42` alone allows `unsafe`, to run the
// SSE4.2 CRC instruction after CPUID has shown it exists.
#![deny(unsafe_code)]

extern crate alloc;

pub mod codecs;
pub mod crc;
mod decode;
mod encode;
pub mod error;
pub mod format;
pub mod varint;
pub mod wav;

pub use brainwire_core::{AdcLattice, Profile};
pub use codecs::{AllProfiles, Codecs, LiteOnly, MaxOnly};
pub use decode::{decode, decode_with, inspect, Info, MAX_SAMPLES_PER_STREAM_BYTE};
pub use encode::{encode, encode_best, encode_with, DEFAULT_CANDIDATES};
pub use error::{CoreError, Error};
pub use format::Kind;

#[cfg(test)]
mod tests;
