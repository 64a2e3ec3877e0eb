//! brainwire core: lossless compression of raw electrode recordings.
//!
//! The modules follow the data flow of one sample:
//! [`lattice`] maps a 16-bit value to its ADC code (or marks it off the
//! lattice), [`predictor`] predicts the next code from the past, [`residual`]
//! models the distribution of the code around that prediction (context
//! modelling plus the ADC code-width prior from [`priors`]), and [`range`]
//! turns those probabilities into bytes. [`channel`] ties the steps together
//! for one channel and [`stream`] frames it with a profile header; [`lite`] is
//! the low-power implant profile and [`max`] the highest-ratio one (the code's
//! analog interval under a Gaussian, instead of residual tables).
//!
//! Everything here is `no_std`, allocation-free and integer-only, so encoder
//! and decoder agree bit for bit on any machine, firmware included.
#![no_std]
#![forbid(unsafe_code)]

#[cfg(feature = "alloc")]
extern crate alloc;

pub mod channel;
pub mod error;
pub mod fast;
pub mod lattice;
pub mod lite;
pub mod max;
pub mod predictor;
pub mod priors;
pub mod range;
pub mod residual;
pub mod stream;
#[cfg(test)]
mod test_support;

pub use error::Error;
pub use lattice::AdcLattice;
pub use range::ByteSink;
pub use stream::{decode_all, decode_le, encode_all, encode_le, encode_le_lite_detecting, Decoder, Encoder, Profile};
