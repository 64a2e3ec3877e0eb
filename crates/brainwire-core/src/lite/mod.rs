//! The `lite` profile: the implant's encoder. Integer-only, allocation-free,
//! fixed memory, a few dozen instructions per sample, and a hard bound on how
//! long any sample's bits stay inside the encoder.
//!
//! The data flow, one module each:
//! 1. [`model`]: the prediction (the last ADC code pulled a quarter of the
//!    way towards the local mean) and the context: an energy state that
//!    follows the recent |residual| on a grid of eight steps per octave (one
//!    table lookup per sample), bucketed two per octave, times the
//!    prediction's code class `prediction mod 16`, which carries the ADC's
//!    irregular code widths.
//! 2. [`codebook`]: a static canonical prefix code per context, learned
//!    offline by `train lite` (generated `tables.rs`), over residuals in
//!    `-RESIDUAL_LIMIT..=RESIDUAL_LIMIT` plus an escape. An escape is followed
//!    by an Exp-Golomb code of the residual, or of zero and then the raw
//!    16-bit value for a sample off the lattice (exact whatever the lattice).
//! 3. [`bits`]: most-significant-first bit packing, 16 bits at a time.
//! 4. [`encoder`] / [`decoder`]: the per-sample loops.
//!
//! Memory is fixed at compile time: a channel's state ([`ChannelEncoder`])
//! is a few dozen bytes; the [`Codebook`] (~80 KB) is built once and can be
//! shared by every channel. The per-sample path has no division, no
//! allocation and no loop.
//!
//! Invariants: encoder and decoder run the same [`Model`] on the same codes;
//! at most [`MAX_PENDING_SAMPLES`] samples have bits inside the encoder
//! (see [`encoder`]); the decoder never panics and refuses anything the
//! encoder cannot have written (see [`decoder`]).

mod bits;
pub(crate) mod codebook;
mod decoder;
mod encoder;
mod model;
mod tables;

use crate::lattice::AdcLattice;

pub use bits::{ESCAPE_ORDER, FLUSH_BITS};
#[doc(hidden)]
pub use codebook::{canonical_codes, length_prediction, read_code_lengths_from, BinaryCoder, LengthDeltaModel};
pub use codebook::{Codebook, MAX_CODE_LEN};
pub use decoder::Decoder;
pub use encoder::{ChannelEncoder, Encoder, MAX_PENDING_SAMPLES};
pub use model::{energy_step, EnergyTable, Model, Prediction, BUCKETS, CLASSES, CONTEXTS, ESCAPE, RESIDUAL_LIMIT, STATES, SYMBOLS};
#[doc(hidden)]
pub use tables::CODE_LENGTHS_CODED;

/// `value + 32768 - 64 * code` of a code (below 1024) of the 10-bit lattice,
/// in 0..64: [`AdcLattice::value`]'s `(code * 65535 + round) / 1023` with the
/// division by 1023 done by shifts and adds (exact below 2^16). Replaces a
/// 2 KB table of values: ~10 instructions, no division, no multiply wider
/// than 32 bits.
#[inline(always)]
const fn neuralink_offset(code: u32) -> u32 {
    // The lattice rounds the lower half up: (code * 65535 + 1022) / 1023.
    let round = (code >> 9).wrapping_sub(1) & 1022;
    let t = 63 * code + round;
    (t + (t >> 10) + 1) >> 10
}
const _: () = {
    let mut c = 0;
    while c < 1024 {
        let round = if c < 512 { 1022 } else { 0 };
        assert!(64 * c + neuralink_offset(c) == (c * 65535 + round) / 1023, "10-bit lattice formula");
        c += 1;
    }
};

/// The code of `value` on `lattice`, or `None` off it: the same answer as
/// [`AdcLattice::code`] in a handful of instructions. On the 10-bit lattice
/// codes are 64.06 apart, so every block of 64 unsigned values holds exactly
/// one code, and that code is the block number `(value + 32768) >> 6`.
#[inline(always)]
pub(crate) fn lattice_code(lattice: AdcLattice, value: i16) -> Option<u32> {
    let u = (value as i32 + 32768) as u32;
    match lattice {
        AdcLattice::Neuralink10 => {
            let c = u >> 6;
            (u & 63 == neuralink_offset(c)).then_some(c)
        }
        _ => lattice.code(value),
    }
}

/// The value of `code` (below `lattice.len()`) on `lattice`.
#[inline(always)]
pub(crate) fn lattice_value(lattice: AdcLattice, code: u32) -> i16 {
    match lattice {
        AdcLattice::Neuralink10 => {
            let c = code & 1023;
            (((c << 6) + neuralink_offset(c)) as i32 - 32768) as i16
        }
        _ => lattice.value(code),
    }
}

/// Zigzag map: 0, -1, 1, -2, ... to 0, 1, 2, 3, ...
#[inline]
pub(crate) fn zigzag(r: i32) -> u32 {
    ((r << 1) ^ (r >> 31)) as u32
}

#[inline]
pub(crate) fn unzigzag(u: u32) -> i32 {
    (u >> 1) as i32 ^ -((u & 1) as i32)
}

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
mod tests;
