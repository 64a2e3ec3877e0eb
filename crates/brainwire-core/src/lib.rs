//! brainwire core: lossless compression of raw electrode recordings.
//!
//! A stream ([`stream`]) is a two-byte header naming its profile and ADC
//! lattice, then the profile's coded samples. The profiles, one module each:
//! - [`lite`]: the implant's profile, prefix codes from static tables, tens
//!   of instructions a sample, a bounded coding delay;
//! - [`tables`]: NLMS prediction and adaptive residual tables, range coded
//!   (the first codec, kept for its ablation bench);
//! - [`max`]: the highest ratio, each code's analog interval under a
//!   Gaussian around the prediction, range coded.
//!
//! What they share: [`lattice`] (sample value <-> ADC code), [`predictor`]
//! (NLMS, `tables` and `max`), [`range`] (the range coder, `tables` and
//! `max`), [`sink`] (where bytes go), [`packed`] (zigzag and the packed form
//! of generated tables), [`error`].
//!
//! Everything here is `no_std`, allocation-free and integer-only, so encoder
//! and decoder agree bit for bit on any machine, firmware included.
#![no_std]
#![forbid(unsafe_code)]

#[cfg(feature = "alloc")]
extern crate alloc;

pub mod error;
pub mod fast;
pub mod lattice;
pub mod lite;
pub mod max;
pub mod predictor;
pub mod packed;
pub mod range;
mod search;
pub mod sink;
pub mod stream;
pub mod tables;
#[cfg(test)]
mod test_support;

pub use error::Error;
pub use lattice::AdcLattice;
pub use sink::{ByteCounter, ByteSink};
pub use stream::{decode_all, decode_le, decode_le_prefix_with_lite_tables, decode_le_with_lite_tables, encode_all, encode_le, encode_le_lite_detecting, encode_le_with_lite_codebook, Decoder, Encoder, Profile};
