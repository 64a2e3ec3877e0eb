//! The `lite` profile's prefix codes, built from the learned code lengths
//! ([`super::lengths`]): the encoder's [`Codebook`] and the decoder's
//! [`DecodeTables`].
//!
//! Invariants: canonical codes are assigned shortest first, ties by symbol,
//! identically here and in `train lite`; a table that is not a complete code
//! (only a damaged constant could be one) makes samples decode as corrupt,
//! never a panic.

use super::lengths::{read_code_lengths, LengthCounts};
use super::model::{EnergyTable, CLASSES, CONTEXTS, ESCAPE, RESIDUAL_LIMIT, STATES, SYMBOLS};
use super::registers::{state_word, StateWord, ROW_OFFSET};
use crate::lattice::AdcLattice;

/// Longest codeword of the learned tables.
pub const MAX_CODE_LEN: u32 = 15;
/// Codeword bits resolved by one table lookup; longer codewords (rare) take
/// the canonical search.
pub const PEEK_BITS: u32 = 7;
/// Rows of the per-context tables: a power of two above [`CONTEXTS`], so a
/// context (built as `bucket * 16 | class` from a state below 64) indexes
/// them without a bounds check.
pub const CONTEXT_ROWS: usize = 256;

/// Canonical codewords of `lengths` (0 = no codeword): shortest first, ties
/// by symbol.
#[doc(hidden)]
pub fn canonical_codes<const N: usize>(lengths: &[u8; N]) -> [u16; N] {
    let mut count = [0u32; 16];
    for &len in lengths {
        count[usize::from(len & 15)] += 1;
    }
    let mut codes = [0u16; N];
    canonical_codes_into(lengths, &count, &mut codes);
    codes
}

/// [`canonical_codes`] of `lengths` into `codes`, given how many lengths
/// are 0, 1, ..., 15 (the reader keeps those counts as it goes).
#[inline(always)]
fn canonical_codes_into<const N: usize>(lengths: &[u8; N], count: &LengthCounts, codes: &mut [u16; N]) {
    // The next codeword to give each length.
    let mut next = first_codes(count);
    let mut assign = |len: u8| {
        let len = usize::from(len & 15);
        let code = next[len];
        next[len] = code.wrapping_add(1);
        code
    };
    // Four symbols a step, by index: this runs for 18,432 symbols in every
    // process, and at opt-level "z" zipped iterators are calls.
    let (quads, rest) = lengths.as_chunks::<4>();
    let (code_quads, code_rest) = codes.as_chunks_mut::<4>();
    for i in 0..quads.len().min(code_quads.len()) {
        let [a, b, c, d] = quads[i];
        code_quads[i] = [assign(a), assign(b), assign(c), assign(d)];
    }
    for (code, &len) in code_rest.iter_mut().zip(rest) {
        *code = assign(len);
    }
}

/// The first canonical codeword of each length, from how many codewords
/// have each length (`count[0]`: no codeword). 16 bits: a valid table's
/// codewords fit; a damaged one's wrap (and decode as corrupt).
#[inline(always)]
fn first_codes(count: &LengthCounts) -> [u16; 16] {
    // Length 1's is 0; from length 2 on, no test for it (this runs for
    // every row of the table in every process).
    let mut first = [0u16; 16];
    let mut code = 0u32;
    let mut len = 2;
    while len < 16 {
        code = code.wrapping_add(count[len - 1]) << 1;
        first[len] = code as u16;
        len += 1;
    }
    first
}

/// Table of a canonical prefix code by the next [`PEEK_BITS`] bits: the
/// [`entry`] of the codeword they start with, [`LONGER`] when the codeword
/// is longer (or the pattern unused).
pub type FastTable = [u16; 1 << PEEK_BITS];

/// The [`FastTable`] entry of `sym` with a codeword of `len` bits: the
/// residual `sym - RESIDUAL_LIMIT` as a signed high byte over the length,
/// -128 for the escape. Laid out for the decoding loop: as an `i16`, one
/// compare with [`RARE_BELOW`] finds the rare entries (escape, longer
/// codeword, unused pattern); the low byte is a shift count as it stands
/// ([`super::bits::BitReader::consume_codeword`]); an arithmetic shift
/// gives the residual, to add to the prediction as it stands.
#[inline(always)]
pub const fn entry(sym: usize, len: u32) -> u16 {
    let residual = if sym < ESCAPE { sym as i32 - RESIDUAL_LIMIT } else { -128 };
    ((residual as u8 as u16) << 8) | len as u16
}

/// The entry of a codeword longer than [`PEEK_BITS`]: a residual of -128,
/// and a pattern of one repeated byte, so a table of them is a `memset`.
pub const LONGER: u16 = 0x8080;

/// Entries (as `i16`) below this are rare: escapes and [`LONGER`].
pub const RARE_BELOW: isize = -(RESIDUAL_LIMIT as isize) << 8;

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

    /// Fills `fast` and `self` for the canonical code of `lengths` (0 = no
    /// codeword).
    fn build(&mut self, fast: &mut FastTable, lengths: &[u8; N], count: &LengthCounts) {
        let first = first_codes(count);
        // Canonical codewords up to PEEK_BITS long cover the patterns below
        // the first longer one's prefix; the rest are longer (or unused).
        // Filled here, a few entries a row, rather than the whole table
        // beforehand: a byte-pattern fill touches every byte.
        if let Some(tail) = fast.get_mut((first[PEEK_BITS as usize + 1] >> 1) as usize..) {
            tail.fill(LONGER);
        }
        // Next codeword of each length, and next slot in `sorted`.
        let mut next = first;
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
                    span.fill(entry(sym, len as u32));
                }
            } else if let Some(s) = self.sorted.get_mut(usize::from(slot[len])) {
                *s = sym as u8;
                slot[len] += 1;
            }
        }
    }

    /// The long codeword `next15` (the next 15 bits) starts with.
    #[inline(always)]
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
    pub(super) block_value: [u16; 1024],
}

impl Codebook {
    /// All zero, to be `Codebook::fill`ed where it is kept.
    pub(super) const EMPTY: Self = Self { lengths: [[0; SYMBOLS]; CONTEXT_ROWS], codes: [[0; SYMBOLS]; CONTEXT_ROWS], energy: EnergyTable::EMPTY, block_value: [0; 1024] };

    /// Inlined: built where the caller keeps it (see `Codebook::fill`).
    #[inline(always)]
    pub fn new() -> Self {
        let mut cb = Self::EMPTY;
        cb.fill();
        cb
    }

    /// Fills an [`Codebook::EMPTY`] codebook in place, so that the ~80 KB
    /// are not built in a local and then copied into the encoder that
    /// holds them.
    #[inline(never)]
    pub(super) fn fill(&mut self) {
        self.block_value = AdcLattice::ten_bit_block_values();
        self.energy.fill();
        // The lengths straight into their table, each row's codes beside.
        read_code_lengths(&mut self.lengths, |ctx, row, count| canonical_codes_into(row, count, &mut self.codes[ctx]));
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

/// The decoder's view of the codes of every context, and of the energy
/// state, laid out for the decoding loop.
///
/// The loop keeps the energy state as a [`StateWord`] (module
/// `registers`): its low byte is a fast-table row (contexts moved up
/// [`ROW_OFFSET`]), the word plus a residual indexes
/// [`DecodeTables::next_state`].
pub struct DecodeTables {
    /// By context plus [`ROW_OFFSET`]: a power-of-two stride. The rows of
    /// no context stay zero: no state word leads to them.
    pub(super) fast: [FastTable; CONTEXT_ROWS],
    pub(super) long: LongTable,
    /// [`EnergyTable::next`] as [`StateWord`]s, by state word plus residual.
    next_state: [StateWord; TRANSITIONS],
}

/// Slots of [`DecodeTables::next_state`]: a power of two above the
/// largest state word plus residual limit.
const TRANSITIONS: usize = 1 << 14;

const _: () = assert!(ROW_OFFSET > RESIDUAL_LIMIT as usize && ROW_OFFSET.is_multiple_of(CLASSES) && ROW_OFFSET + CONTEXTS <= CONTEXT_ROWS);
const _: () = assert!(((STATES - 1) << 8) + ROW_OFFSET + CONTEXTS - CLASSES + RESIDUAL_LIMIT as usize <= TRANSITIONS);

impl DecodeTables {
    /// Inlined: built where the caller keeps it, not moved there (the
    /// tables are tens of kilobytes, and a move copies every byte).
    #[inline(always)]
    pub fn new() -> Self {
        let mut t = Self { fast: [[0; 1 << PEEK_BITS]; CONTEXT_ROWS], long: LongTable([LongCodes::EMPTY; CONTEXTS]), next_state: [0; TRANSITIONS] };
        t.fill_next_state(&EnergyTable::new());
        read_code_lengths(&mut [[0; SYMBOLS]; CLASSES], |ctx, row, count| t.long.0[ctx].build(&mut t.fast[(ctx + ROW_OFFSET) % CONTEXT_ROWS], row, count));
        t
    }

    fn fill_next_state(&mut self, energy: &EnergyTable) {
        for s in 0..STATES as u8 {
            let first = usize::from(state_word(s)) - RESIDUAL_LIMIT as usize;
            for (sym, next) in self.next_state[first..first + ESCAPE].iter_mut().enumerate() {
                *next = state_word(energy.next(s, sym));
            }
        }
    }

    /// The [`FastTable`] entry, sign-extended, that `peek` (the next
    /// [`PEEK_BITS`] bits) starts with in the context of class `class`
    /// (only its low 4 bits count) in the bucket of `state`.
    #[inline(always)]
    pub fn fast_entry(&self, state: StateWord, class: isize, peek: usize) -> isize {
        let row = usize::from(state as u8) | (class as usize & (CLASSES - 1));
        isize::from(self.fast.as_flattened()[row << PEEK_BITS | (peek & ((1 << PEEK_BITS) - 1))] as i16)
    }

    /// The state after in-table residual `residual`.
    #[inline(always)]
    pub fn next_state(&self, state: StateWord, residual: isize) -> StateWord {
        self.next_state[(state as usize).wrapping_add(residual as usize) & (TRANSITIONS - 1)]
    }

}

/// The codewords of every context too long for its fast table, by
/// context. A type of its own so that the call for a long codeword takes
/// this table's address, not the [`DecodeTables`]' one, which the loop's
/// other lookups then share with it and the optimizer kept in memory.
pub struct LongTable([LongCodes<SYMBOLS>; CONTEXTS]);

impl LongTable {
    /// The entry (as [`DecodeTables::fast_entry`]) of the codeword that
    /// `next15` (the next [`MAX_CODE_LEN`] bits) starts with in the context
    /// of [`DecodeTables::fast_entry`], when it is too long for the fast
    /// table (`None`: no codeword).
    #[inline(never)]
    pub fn entry(&self, state: StateWord, class: isize, next15: u32) -> Option<isize> {
        let row = usize::from(state as u8 | (class as u8 & (CLASSES as u8 - 1)));
        let (sym, len) = self.0.get(row.wrapping_sub(ROW_OFFSET))?.decode(next15)?;
        Some(isize::from(entry(sym, len) as i16))
    }
}

impl Default for DecodeTables {
    fn default() -> Self {
        Self::new()
    }
}

const _: () = assert!(CONTEXTS <= CONTEXT_ROWS && ESCAPE < SYMBOLS && SYMBOLS <= 256);
