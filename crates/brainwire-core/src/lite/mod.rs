//! The `lite` profile: the implant's encoder. Integer-only, allocation-free,
//! fixed memory, a few dozen instructions per sample, and a hard bound on how
//! long any sample's bits stay inside the encoder.
//!
//! The data flow, one module each:
//! 1. `model`: the prediction (the last ADC code pulled a quarter of the
//!    way towards the local mean) and the context: an energy state that
//!    follows the recent |residual| on a grid of eight steps per octave (one
//!    table lookup per sample), bucketed two per octave, times the
//!    prediction's code class `prediction mod 16`, which carries the ADC's
//!    irregular code widths.
//! 2. `codebook`: a static canonical prefix code per context, learned
//!    offline by `train lite` (generated `tables.rs`, read by `lengths`),
//!    over residuals in
//!    `-RESIDUAL_LIMIT..=RESIDUAL_LIMIT` plus an escape. An escape is followed
//!    by an Exp-Golomb code of the residual, or of zero and then the raw
//!    16-bit value for a sample off the lattice (exact whatever the lattice).
//! 3. `bits`: most-significant-first bit packing; the per-sample writer
//!    emits 16-bit words.
//! 4. `channel` / `decoder`: the per-sample encoder of one channel and
//!    the decoder; `encoder`: a file's encoder, which runs `block`, the
//!    encoder's loop over a block of samples (48-bit words gathered in
//!    4 KiB chunks, tables of its own), where that pays. `registers`: the
//!    model's state as the block loop and the decoder's loop keep it, each
//!    form's map to [`Model`] and the contract both loops keep.
//!
//! Memory is fixed at compile time: a channel's state ([`ChannelEncoder`])
//! is a few dozen bytes; the [`Codebook`] (~80 KB) is built once and can be
//! shared by every channel. The per-sample path has no division, no
//! allocation and no loop.
//!
//! Invariants: encoder and decoder run the same [`Model`] on the same codes;
//! at most [`MAX_PENDING_SAMPLES`] samples have bits inside a
//! [`ChannelEncoder`] (see `channel`: the implant's path; the block loop
//! holds up to 47 bits and hands bytes on a 4 KiB chunk at a time, a
//! file's shape); the decoder never panics and refuses anything the
//! encoder cannot have written (see `decoder`).

mod bits;
mod block;
mod channel;
pub(crate) mod codebook;
mod decoder;
mod encoder;
mod lengths;
mod model;
#[cfg(any(test, feature = "reference"))]
pub mod reference;
mod registers;
mod tables;

pub use bits::{ESCAPE_ORDER, FLUSH_BITS};
#[doc(hidden)]
pub use codebook::canonical_codes;
#[doc(hidden)]
pub use lengths::{predicted_row, read_code_lengths_from, write_code_lengths, FIRST_ROW_START};
pub use codebook::{Codebook, DecodeTables, MAX_CODE_LEN};
pub use decoder::Decoder;
pub use channel::{ChannelEncoder, MAX_PENDING_SAMPLES};
pub use encoder::Encoder;
pub use model::{energy_step, EnergyTable, Model, Prediction, BUCKETS, CLASSES, CONTEXTS, ESCAPE, RESIDUAL_LIMIT, STATES, SYMBOLS};
#[doc(hidden)]
pub use tables::CODE_LENGTHS_CODED;

/// The symbol of a residual: `residual + RESIDUAL_LIMIT`, or [`ESCAPE`].
#[inline]
pub fn symbol(residual: i32) -> usize {
    if residual.unsigned_abs() <= RESIDUAL_LIMIT as u32 {
        (residual + RESIDUAL_LIMIT) as usize
    } else {
        ESCAPE
    }
}

#[cfg(test)]
mod reference_tests;
#[cfg(test)]
mod tests;
