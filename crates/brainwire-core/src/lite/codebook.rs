//! The `lite` profile's prefix codes, built from the learned code lengths
//! ([`super::lengths`]): the encoder's [`Codebook`] and the decoder's
//! [`DecodeTables`].
//!
//! Invariants: canonical codes are assigned shortest first, ties by symbol,
//! identically here and in `train lite`; a table that is not a complete code
//! (only a damaged constant could be one) makes samples decode as corrupt,
//! never a panic.

use super::bits::BitReader;
use super::lengths::read_code_lengths;
use super::model::{EnergyTable, CONTEXTS, ESCAPE, SYMBOLS};
use crate::lattice::AdcLattice;

/// Longest codeword of the learned tables.
pub const MAX_CODE_LEN: u32 = 15;
/// Codeword bits resolved by one table lookup; longer codewords (rare) take
/// the canonical search.
const PEEK_BITS: u32 = 7;
/// Rows of the per-context tables: a power of two above [`CONTEXTS`], so a
/// context (built as `bucket * 16 | class` from a state below 64) indexes
/// them without a bounds check.
pub const CONTEXT_ROWS: usize = 256;

/// Canonical codewords of `lengths` (0 = no codeword): shortest first, ties
/// by symbol.
#[doc(hidden)]
pub fn canonical_codes<const N: usize>(lengths: &[u8; N]) -> [u16; N] {
    let (first, _) = first_codes(lengths);
    let mut next = first.map(|f| f as u16);
    let mut codes = [0u16; N];
    // Indexed loops: at opt-level "z" the zipped iterators were not inlined
    // (this runs for 18,432 symbols in every process).
    for sym in 0..N {
        let len = usize::from(lengths[sym] & 15);
        codes[sym] = next[len];
        next[len] = next[len].wrapping_add(1);
    }
    codes
}

/// The first canonical codeword of each length, and how many codewords have
/// each length (0: no codeword).
fn first_codes(lengths: &[u8]) -> ([u32; 16], [u32; 16]) {
    let mut count = [0u32; 16];
    for i in 0..lengths.len() {
        count[usize::from(lengths[i] & 15)] += 1;
    }
    let mut first = [0u32; 16];
    let mut code = 0u32;
    for len in 1..16 {
        code = (code + if len > 1 { count[len - 1] } else { 0 }) << 1;
        first[len] = code;
    }
    (first, count)
}

/// Table of a canonical prefix code by the next [`PEEK_BITS`] bits:
/// `symbol << 4 | length`, 0 when the codeword is longer (or the pattern
/// unused).
pub type FastTable = [u16; 1 << PEEK_BITS];

/// The codewords of a canonical prefix code of up to `N` symbols that are
/// too long for its [`FastTable`]: first codeword, count and index in
/// `sorted` of each length, and those symbols by (length, symbol).
#[derive(Clone)]
pub struct LongCodes<const N: usize> {
    first: [u16; 16],
    count: [u16; 16],
    offset: [u16; 16],
    sorted: [u8; N],
}

impl<const N: usize> LongCodes<N> {
    const EMPTY: Self = Self { first: [0; 16], count: [0; 16], offset: [0; 16], sorted: [0; N] };

    /// Fills `fast` (all zero before) and `self` for the canonical code of
    /// `lengths` (0 = no codeword).
    fn build(&mut self, fast: &mut FastTable, lengths: &[u8; N]) {
        let (first, count) = first_codes(lengths);
        // Next codeword of each length, and next slot in `sorted` (the
        // codewords of a valid table fit 16 bits; a damaged one wraps).
        let mut next = first.map(|f| f as u16);
        let mut slot = [0u16; 16];
        let mut k = 0u16;
        for len in PEEK_BITS as usize + 1..16 {
            self.first[len] = next[len];
            self.count[len] = count[len] as u16;
            self.offset[len] = k;
            slot[len] = k;
            k = k.wrapping_add(count[len] as u16);
        }
        for (sym, &len) in lengths.iter().enumerate() {
            let len = usize::from(len) & 15;
            if len == 0 {
                continue;
            }
            let code = usize::from(next[len]);
            next[len] = next[len].wrapping_add(1);
            if len <= PEEK_BITS as usize {
                // A short codeword fills the 2^(PEEK - len) slots it prefixes.
                let start = code << (PEEK_BITS as usize - len);
                if let Some(span) = fast.get_mut(start..start + (1 << (PEEK_BITS as usize - len))) {
                    for e in span {
                        *e = (sym as u16) << 4 | len as u16;
                    }
                }
            } else if let Some(s) = self.sorted.get_mut(usize::from(slot[len])) {
                *s = sym as u8;
                slot[len] += 1;
            }
        }
    }

    /// The long codeword `next15` (the next 15 bits) starts with.
    #[inline(never)]
    fn decode(&self, next15: u32) -> Option<(usize, u32)> {
        for len in PEEK_BITS + 1..=MAX_CODE_LEN {
            let c = next15 >> (MAX_CODE_LEN - len);
            let i = c.wrapping_sub(u32::from(self.first[len as usize]));
            if i < u32::from(self.count[len as usize]) {
                let k = usize::from(self.offset[len as usize]) + i as usize;
                return self.sorted.get(k).map(|&sym| (usize::from(sym), len));
            }
        }
        None
    }
}

/// Canonical prefix codes of every context, and the energy table: what an
/// encoder needs besides a channel's few bytes of state. Built once (an
/// implant keeps it in ROM) and shared by every channel.
pub struct Codebook {
    /// Codeword lengths by context and symbol (0 past [`CONTEXTS`]).
    pub(super) lengths: [[u8; SYMBOLS]; CONTEXT_ROWS],
    /// Codewords by context and symbol.
    pub(super) codes: [[u16; SYMBOLS]; CONTEXT_ROWS],
    pub(super) energy: EnergyTable,
    /// [`AdcLattice::ten_bit_block_values`], for [`Codebook::ten_bit_code`].
    block_value: [u16; 1024],
}

impl Codebook {
    /// Inlined: built where the caller keeps it, not moved there (a move
    /// costs an instruction per byte under callgrind, and the tables are
    /// tens of kilobytes).
    #[inline(always)]
    pub fn new() -> Self {
        let block_value = AdcLattice::ten_bit_block_values();
        let mut cb = Self { lengths: [[0; SYMBOLS]; CONTEXT_ROWS], codes: [[0; SYMBOLS]; CONTEXT_ROWS], energy: EnergyTable::new(), block_value };
        read_code_lengths(|ctx, row| {
            cb.lengths[ctx] = *row;
            cb.codes[ctx] = canonical_codes(row);
        });
        cb
    }

    /// The code of 16-bit word `w` on the 10-bit lattice, or `None` off it:
    /// [`AdcLattice::code`] by a shift, a load and a compare.
    #[inline(always)]
    pub fn ten_bit_code(&self, w: u16) -> Option<i32> {
        (self.block_value[usize::from(w >> 6)] == w).then_some(i32::from(w >> 6) ^ 512)
    }

    /// Codeword and length of `sym` in context `ctx`.
    #[inline(always)]
    pub fn word(&self, ctx: usize, sym: usize) -> (u32, u32) {
        let ctx = ctx & (CONTEXT_ROWS - 1);
        (u32::from(self.codes[ctx][sym % SYMBOLS]), u32::from(self.lengths[ctx][sym % SYMBOLS]))
    }
}

impl Default for Codebook {
    fn default() -> Self {
        Self::new()
    }
}

/// The decoder's view of the codes of every context, and the energy table.
pub struct DecodeTables {
    /// By context (0 past [`CONTEXTS`]): a power-of-two stride.
    pub(super) fast: [FastTable; CONTEXT_ROWS],
    pub(super) long: [LongCodes<SYMBOLS>; CONTEXTS],
    pub(super) energy: EnergyTable,
}

impl DecodeTables {
    /// Inlined: built where the caller keeps it, not moved there (a move
    /// costs an instruction per byte under callgrind, and the tables are
    /// tens of kilobytes).
    #[inline(always)]
    pub fn new() -> Self {
        let mut t = Self { fast: [[0; 1 << PEEK_BITS]; CONTEXT_ROWS], long: [LongCodes::EMPTY; CONTEXTS], energy: EnergyTable::new() };
        read_code_lengths(|ctx, row| t.long[ctx].build(&mut t.fast[ctx], row));
        t
    }

    /// The symbol and codeword length that `reader` starts with in `ctx`.
    #[inline(always)]
    pub fn decode(&self, ctx: usize, reader: &BitReader<'_>) -> Option<(usize, u32)> {
        let e = self.fast[ctx & (CONTEXT_ROWS - 1)][reader.peek(PEEK_BITS) as usize];
        if e != 0 {
            return Some((usize::from(e >> 4), u32::from(e & 15)));
        }
        self.long.get(ctx)?.decode(reader.peek(MAX_CODE_LEN))
    }
}

impl Default for DecodeTables {
    fn default() -> Self {
        Self::new()
    }
}

const _: () = assert!(CONTEXTS <= CONTEXT_ROWS && ESCAPE < SYMBOLS && SYMBOLS <= 256);
