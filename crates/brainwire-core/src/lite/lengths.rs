//! The learned code lengths of the `lite` profile as stored in the
//! executables ([`super::tables`]): how they are read back, and how `train
//! lite` writes them ([`write_code_lengths`], beside the reader).
//!
//! The lengths (`CONTEXTS * SYMBOLS` of them, 1..=15 bits) are stored as
//! their differences from a prediction ([`predicted_row`]): the row of class
//! `q` is nearly the row of class `q - 1` moved by one symbol (the same
//! residual lands on the same kind of ADC code), so only ~3,700 of the
//! 18,432 differences are not zero. Only those are written, each as the
//! number of zero differences before it and its value, in plain bit fields
//! (most read by one lookup of 8 bits): reading them is cheaper than range
//! decoding every difference, and the table's 528 bytes more are less than
//! the range decoder's code they replace (the comparison:
//! docs/perf/lite.md).
//!
//! Invariant: reading any byte string (only a damaged constant could be a
//! wrong one) gives rows of lengths in `0..=15` and never panics; the
//! canonical-code builders treat what is not a complete code as such.

use super::bits::BitReader;
use super::model::{CLASSES, CONTEXTS, SYMBOLS};
use super::tables::CODE_LENGTHS_CODED;
use crate::sink::ByteSink;

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

/// How many lengths of a row are 0, 1, ..., 15: what a canonical code is
/// built from.
pub(crate) type LengthCounts = [u32; 16];

/// Reads the learned code lengths into `rows` (see
/// [`read_code_lengths_into`]: a ring of one row a class, or a table of
/// every row), handing each row and its [`LengthCounts`] to `row_done`.
pub(crate) fn read_code_lengths<const R: usize>(rows: &mut [[u8; SYMBOLS]; R], row_done: impl FnMut(usize, &[u8; SYMBOLS], &LengthCounts)) {
    read_code_lengths_into(&CODE_LENGTHS_CODED, rows, row_done);
}

/// Reads code lengths stored as `coded` (FORMAT.md, "Code lengths"; `train
/// lite` checks its output with this), handing each row and its
/// [`LengthCounts`] to `row_done`. See [`read_code_lengths_into`].
#[doc(hidden)]
pub fn read_code_lengths_from(coded: &[u8], row_done: impl FnMut(usize, &[u8; SYMBOLS], &LengthCounts)) {
    let mut ring = [[0; SYMBOLS]; CLASSES];
    read_code_lengths_into(coded, &mut ring, row_done);
}

/// Reads code lengths stored as `coded` into `rows`, row `ctx` at
/// `ctx % R` (`R` a multiple of [`CLASSES`]: the last row of each class, or
/// every row), handing each row and its [`LengthCounts`] to `row_done`
/// when it is read. Per row: the differences from [`predicted_row`] that
/// are not zero, each as `gap` (zero differences skipped, Exp-Golomb of
/// order 0), the sign (1: negative) and the size in unary (`size - 1`
/// zeros, then a one); the row ends with a gap that reaches its end
/// exactly.
///
/// Each row is predicted and corrected in place (where a caller keeps the
/// table, it is read straight into it), and its counts follow the
/// prediction and each correction (a row is its left neighbour less that
/// one's first length, plus its 95th) rather than being counted again:
/// this runs in every process, and counting a row touches all 96 lengths.
#[inline(never)]
pub(crate) fn read_code_lengths_into<const R: usize>(coded: &[u8], rows: &mut [[u8; SYMBOLS]; R], mut row_done: impl FnMut(usize, &[u8; SYMBOLS], &LengthCounts)) {
    const { assert!(R >= CLASSES && R.is_multiple_of(CLASSES)) };
    let short = short_corrections();
    let mut bits = BitReader::new(coded);
    rows[0] = [FIRST_ROW_START; SYMBOLS];
    let mut counts = [[0u32; 16]; CLASSES];
    counts[0][usize::from(FIRST_ROW_START)] = SYMBOLS as u32;
    for ctx in 0..CONTEXTS {
        let (q, at) = (ctx % CLASSES, ctx % R);
        // The prediction ([`predicted_row`]): for `q = 0` the same class a
        // bucket down, already in place in a ring of one row a class.
        let (done, rest) = rows.split_at_mut(at);
        if q == 0 && R > CLASSES && ctx >= CLASSES {
            rest[0] = done[at - CLASSES];
        }
        if q > 0 {
            let (left, row) = (&done[at - 1], &mut rest[0]);
            row[..SYMBOLS - 2].copy_from_slice(&left[1..SYMBOLS - 1]);
            row[SYMBOLS - 2..].copy_from_slice(&left[SYMBOLS - 2..]);
            counts[q] = counts[q - 1];
            // Wrapping: a damaged table must not panic here (its codes
            // come out incomplete, which the code builders tolerate).
            let (out, dup) = (usize::from(left[0] & 15), usize::from(left[SYMBOLS - 2] & 15));
            counts[q][out] = counts[q][out].wrapping_sub(1);
            counts[q][dup] = counts[q][dup].wrapping_add(1);
        }
        let (row, count) = (&mut rest[0], &mut counts[q]);
        let mut sym = 0usize;
        loop {
            // 2 * 15 + 1 + 1 + 16 bits at most: within one refill.
            bits.refill();
            let short = short[bits.peek(8) as usize];
            let difference = if short != 0 {
                // Most corrections: one lookup.
                sym += (short & 0xFF) as usize;
                let Some(len) = row.get_mut(sym) else {
                    bits.consume(short >> 8 & 15);
                    break;
                };
                bits.consume(short >> 12 & 15);
                (len, (short >> 16) as u8)
            } else {
                sym = sym.saturating_add(exp_golomb0(&mut bits) as usize);
                let Some(len) = row.get_mut(sym) else { break };
                let negative = bits.take(1) == 1;
                let size = unary(&mut bits) as u8;
                (len, if negative { size.wrapping_neg() } else { size })
            };
            let (len, d) = difference;
            let old = usize::from(*len & 15);
            count[old] = count[old].wrapping_sub(1);
            *len = len.wrapping_add(d) & 15;
            count[usize::from(*len)] = count[usize::from(*len)].wrapping_add(1);
            sym += 1;
        }
        row_done(ctx, row, count);
    }
}

/// Writes `lengths` (context-major, `CONTEXTS * SYMBOLS` of them, each
/// `1..=15`) in the form [`read_code_lengths_from`] reads (FORMAT.md, "Code
/// lengths"): per row, the nonzero differences (mod 16, the shorter way
/// round) from [`predicted_row`], each as its gap (Exp-Golomb of order 0),
/// sign and unary size, then the gap to the row's end; the last byte padded
/// with zeros. `train lite` writes the generated table with it.
#[doc(hidden)]
pub fn write_code_lengths<S: ByteSink>(lengths: &[u8], out: &mut S) {
    assert_eq!(lengths.len(), CONTEXTS * SYMBOLS, "one length per context and symbol");
    assert!(lengths.iter().all(|&l| (1..=15).contains(&l)), "lengths in 1..=15");
    let mut bits = MsbWriter { out, acc: 0, len: 0 };
    let mut latest = [[FIRST_ROW_START; SYMBOLS]; CLASSES];
    for (ctx, row) in lengths.chunks_exact(SYMBOLS).enumerate() {
        let q = ctx % CLASSES;
        let predicted = predicted_row(q, &latest);
        let mut gap = 0;
        for (&l, &p) in row.iter().zip(&predicted) {
            let d = (i32::from(l) - i32::from(p) + 8).rem_euclid(16) - 8;
            if d == 0 {
                gap += 1;
                continue;
            }
            bits.exp_golomb0(gap);
            bits.put(u32::from(d < 0), 1);
            bits.put(1, d.unsigned_abs());
            gap = 0;
        }
        bits.exp_golomb0(gap);
        latest[q].copy_from_slice(row);
    }
    bits.finish();
}

/// Bit fields most significant bit first, into a byte sink.
struct MsbWriter<'s, S: ByteSink> {
    out: &'s mut S,
    acc: u64,
    /// Bits in `acc` not yet written: below 8 between calls.
    len: u32,
}

impl<S: ByteSink> MsbWriter<'_, S> {
    /// The low `len` (at most 32) bits of `value`.
    fn put(&mut self, value: u32, len: u32) {
        self.acc = (self.acc << len) | u64::from(value);
        self.len += len;
        while self.len >= 8 {
            self.len -= 8;
            self.out.put((self.acc >> self.len) as u8);
        }
    }

    /// `n` zeros, then the `n + 1` bits of `value + 1`.
    fn exp_golomb0(&mut self, value: u32) {
        let n = 31 - (value + 1).leading_zeros();
        self.put(0, n);
        self.put(value + 1, n + 1);
    }

    /// Pads the last byte with zeros.
    fn finish(mut self) {
        if self.len > 0 {
            self.put(0, 8 - self.len);
        }
    }
}

/// The corrections whose three fields fit in 8 bits, by those 8 bits (the
/// first in the high bit): `gap | gap field bits << 8 | all bits << 12 |
/// difference (mod 256) << 16`, 0 for bits that start a longer one. Nine
/// corrections in ten are this short; one lookup reads them, in place of
/// three fields read bit by bit.
fn short_corrections() -> [u32; 256] {
    let mut table = [0u32; 256];
    for (b, entry) in table.iter_mut().enumerate() {
        // The byte as the top of an otherwise zero word.
        let byte = [b as u8];
        let mut reader = BitReader::new(&byte);
        reader.refill();
        let n = reader.peek(8).leading_zeros() - 24;
        if 2 * n + 1 > 8 {
            continue;
        }
        let gap = exp_golomb0(&mut reader);
        let negative = reader.take(1) == 1;
        let size = unary(&mut reader);
        let used = 2 * n + 1 + 1 + size;
        if used <= 8 {
            let d = if negative { (size as u8).wrapping_neg() } else { size as u8 };
            *entry = gap | (2 * n + 1) << 8 | used << 12 | u32::from(d) << 16;
        }
    }
    table
}

/// An Exp-Golomb code of order 0: `n` zeros, then the `n + 1` bits of
/// `value + 1` (wrapping on a damaged table's all-zero field: a gap past
/// any row).
#[inline(always)]
fn exp_golomb0(bits: &mut BitReader<'_>) -> u32 {
    let n = bits.peek(32).leading_zeros().min(MAX_FIELD_PREFIX);
    bits.consume(n);
    bits.take(n + 1).wrapping_sub(1)
}

/// A unary code of `value >= 1`: `value - 1` zeros, then a one.
#[inline(always)]
fn unary(bits: &mut BitReader<'_>) -> u32 {
    let n = bits.peek(32).leading_zeros().min(MAX_FIELD_PREFIX);
    bits.consume(n + 1);
    n + 1
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;
    use crate::test_support::Bytes;
    use std::vec::Vec;

    /// The reader's in-place prediction and running counts agree with
    /// [`predicted_row`] (what `train lite` writes against) and with the
    /// rows' own counts, on the real table and on arbitrary bytes.
    #[test]
    fn in_place_rows_and_counts_match_the_plain_prediction() {
        let noise = brainwire_testkit::Rng::new(0x9E37_79B9).bytes(3000);
        for coded in [&CODE_LENGTHS_CODED[..], &noise] {
            let mut latest = [[FIRST_ROW_START; SYMBOLS]; CLASSES];
            let mut bits = BitReader::new(coded);
            read_code_lengths_from(coded, |ctx, row, count| {
                let q = ctx % CLASSES;
                let mut expected = predicted_row(q, &latest);
                let mut sym = 0usize;
                loop {
                    bits.refill();
                    sym = sym.saturating_add(exp_golomb0(&mut bits) as usize);
                    let Some(len) = expected.get_mut(sym) else { break };
                    let negative = bits.take(1) == 1;
                    let size = unary(&mut bits) as u8;
                    *len = if negative { len.wrapping_sub(size) } else { len.wrapping_add(size) } & 15;
                    sym += 1;
                }
                assert_eq!(row, &expected, "context {ctx}");
                let mut actual = [0u32; 16];
                row.iter().for_each(|&l| actual[usize::from(l)] += 1);
                assert_eq!(count, &actual, "context {ctx}");
                latest[q] = *row;
            });
            // Read into a table of every row: the same rows, left in place.
            let mut ring_rows = Vec::new();
            read_code_lengths_from(coded, |_, row, _| ring_rows.push(*row));
            let mut table = [[0u8; SYMBOLS]; 256];
            read_code_lengths_into(coded, &mut table, |ctx, row, _| assert_eq!(row, &ring_rows[ctx], "context {ctx}"));
            assert_eq!(&table[..CONTEXTS], &ring_rows[..]);
        }
    }
    /// Writing the lengths read from the committed table gives the table
    /// again, byte for byte: reader and writer are one format.
    #[test]
    fn the_writer_stores_the_committed_table_unchanged() {
        let mut lengths = Vec::new();
        read_code_lengths_from(&CODE_LENGTHS_CODED, |_, row, _| lengths.extend_from_slice(row));
        let mut out = Bytes(Vec::new());
        write_code_lengths(&lengths, &mut out);
        assert!(out.0 == CODE_LENGTHS_CODED, "{} bytes written, {} stored", out.0.len(), CODE_LENGTHS_CODED.len());
    }
}
