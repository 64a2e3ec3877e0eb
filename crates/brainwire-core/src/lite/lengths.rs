//! The learned code lengths of the `lite` profile as stored in the
//! executables ([`super::tables`]), and how they are read back.
//!
//! The lengths (`CONTEXTS * SYMBOLS` of them, 1..=15 bits) are stored as
//! their differences from a prediction ([`predicted_row`]): the row of class
//! `q` is nearly the row of class `q - 1` moved by one symbol (the same
//! residual lands on the same kind of ADC code), so only ~3,700 of the
//! 18,432 differences are not zero. Only those are written, each as the
//! number of zero differences before it and its value, in plain bit fields:
//! reading the table is ~4,000 short field reads (~1 instruction a sample of
//! a 5 s recording) where range coding every difference took ~14, for ~470
//! bytes more in each executable.
//!
//! Invariant: reading any byte string (only a damaged constant could be a
//! wrong one) gives rows of lengths in `0..=15` and never panics; the
//! canonical-code builders treat what is not a complete code as such.

use super::bits::BitReader;
use super::model::{CLASSES, CONTEXTS, SYMBOLS};
use super::tables::CODE_LENGTHS_CODED;

/// The predicted lengths of the row of class `q` from the rows read before
/// it, `latest[k]` being the last row read of class `k` (all
/// [`FIRST_ROW_START`] before the first row): for `q > 0` the row of class
/// `q - 1` moved down one symbol (one class up, one residual down: the same
/// kind of ADC code; the last residual and the escape keep their own), for
/// `q = 0` the same class one bucket down. Shared by the reader here and
/// `train lite`'s writer.
#[doc(hidden)]
#[inline(always)]
pub fn predicted_row(q: usize, latest: &[[u8; SYMBOLS]; CLASSES]) -> [u8; SYMBOLS] {
    if q == 0 {
        return latest[0];
    }
    let left = &latest[q - 1];
    let mut row = [0u8; SYMBOLS];
    row[..SYMBOLS - 2].copy_from_slice(&left[1..SYMBOLS - 1]);
    row[SYMBOLS - 2..].copy_from_slice(&left[SYMBOLS - 2..]);
    row
}

/// Every length's prediction before the first row is read.
#[doc(hidden)]
pub const FIRST_ROW_START: u8 = 8;

/// Longest zero prefix of a valid field: a gap is below 2^7, a difference's
/// size below 2^4. Longer prefixes (only in a damaged table) are cut here so
/// that a field never needs more bits than a refill loads.
const MAX_FIELD_PREFIX: u32 = 15;

/// Reads the learned code lengths, context after context (`0..CONTEXTS`),
/// handing each row to `row_done`.
pub(crate) fn read_code_lengths(row_done: impl FnMut(usize, &[u8; SYMBOLS])) {
    read_code_lengths_from(&CODE_LENGTHS_CODED, row_done);
}

/// Reads code lengths stored as `coded` (FORMAT.md, "Code lengths"; `train
/// lite` checks its output with this). Per row: the differences from
/// [`predicted_row`] that are not zero, each as `gap` (zero differences
/// skipped, Exp-Golomb of order 0), the sign (1: negative) and the size in
/// unary (`size - 1` zeros, then a one); the row ends with a gap that
/// reaches its end exactly.
#[doc(hidden)]
#[inline(never)]
pub fn read_code_lengths_from(coded: &[u8], mut row_done: impl FnMut(usize, &[u8; SYMBOLS])) {
    let mut bits = BitReader::new(coded);
    let mut latest = [[FIRST_ROW_START; SYMBOLS]; CLASSES];
    for ctx in 0..CONTEXTS {
        let q = ctx % CLASSES;
        let mut row = predicted_row(q, &latest);
        let mut sym = 0usize;
        loop {
            // 2 * 15 + 1 + 1 + 16 bits at most: within one refill.
            bits.refill();
            sym += exp_golomb0(&mut bits) as usize;
            let Some(len) = row.get_mut(sym) else { break };
            let negative = bits.take(1) == 1;
            let size = unary(&mut bits) as u8;
            *len = if negative { len.wrapping_sub(size) } else { len.wrapping_add(size) } & 15;
            sym += 1;
        }
        row_done(ctx, &row);
        latest[q] = row;
    }
}

/// An Exp-Golomb code of order 0: `n` zeros, then the `n + 1` bits of
/// `value + 1`.
#[inline(always)]
fn exp_golomb0(bits: &mut BitReader<'_>) -> u32 {
    let n = bits.peek(32).leading_zeros().min(MAX_FIELD_PREFIX);
    bits.consume(n);
    bits.take(n + 1) - 1
}

/// A unary code of `value >= 1`: `value - 1` zeros, then a one.
#[inline(always)]
fn unary(bits: &mut BitReader<'_>) -> u32 {
    let n = bits.peek(32).leading_zeros().min(MAX_FIELD_PREFIX);
    bits.consume(n + 1);
    n + 1
}
