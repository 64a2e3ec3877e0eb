//! The channel state as the two fast loops keep it: the block encoder's
//! loop (module `block`) and the decoder's loop (module `decoder`). One
//! contract for both, and the map from each representation to [`Model`].
//!
//! [`Model`] (module `model`, FORMAT.md's "Model") is the definition: the
//! last code `last`, the local mean `mean` (Q4, plus 32 for the prediction's
//! rounding), the energy state `state` (`0..STATES`). The per-sample coders
//! ([`super::ChannelEncoder`], the decoder's escape path, `reference`) run
//! it as it is. Each loop keeps the same three numbers in another form, so
//! that a step of the model is one or two instructions in registers:
//!
//! | [`Model`] | [`EncoderRegisters`] (block loop) | [`DecoderRegisters`] (decoder loop) |
//! | --- | --- | --- |
//! | `last` | `last + LAST_SHIFT` | `last_term = 48 * last` |
//! | `mean` | `mean + MEAN_SHIFT` | `mean` |
//! | `state` | [`state_key`]`(state)` | [`state_word`]`(state)` |
//! | prediction `p` | `(mean + 48 last) >> 6 = p + CODE_SHIFT` (same class) | `(mean + last_term) >> 6 = p` |
//! | context `bucket * 16 + class` | `key & !15 \| class` | fast-table row `(word as u8) \| class` = context + [`ROW_OFFSET`] |
//! | bit writer / reader | `acc`, `over = bits held - 48` | the [`super::bits::BitReader`] itself |
//!
//! The contract (what the loops assume, and what makes them exact):
//! - A loop converts from the [`Model`] when it starts or resumes and back
//!   when it stops (at every escape, at a full chunk in the encoder, at the
//!   end of a block); the conversions are exact both ways, so the loop and
//!   the per-sample coder agree on every prediction, context and byte.
//! - The loop codes only samples whose residual has a codeword (an
//!   in-table symbol); everything else (escapes, samples off the lattice,
//!   the window's end marker) stops it, and the per-sample code handles it
//!   on the [`Model`].
//! - The block loop runs on the 10-bit lattice only; between samples it
//!   holds fewer than [`WORD_BITS`] bits, its chunk position is below the
//!   chunk's size, and `CODE_SHIFT` is a whole number of class periods (16)
//!   so that a shifted prediction has the prediction's class.
//! - A state key and a state word name a state below [`STATES`]; their
//!   tables (`next_key`, `DecodeTables::next_state`) are indexed by them
//!   with masks, never out of bounds.

use super::model::{bucket_context, Model, BUCKETS, CLASSES, RESIDUAL_LIMIT, STATES};

/// How far up the block loop runs the model's codes: a whole number of
/// class periods, so that a shifted prediction has the prediction's class;
/// not 0, so that an entry 0 in the block's code table is below every
/// shifted prediction (`CODE_SHIFT..CODE_SHIFT + 1024`).
pub(super) const CODE_SHIFT: i32 = CLASSES as i32;
/// A code's entry in the block's code table: the symbol it has under a
/// shifted prediction of 0.
pub(super) const BASE_SHIFT: i32 = RESIDUAL_LIMIT + CODE_SHIFT;
/// What [`Model`]'s mean is shifted by in [`EncoderRegisters`]: with
/// `base = code + BASE_SHIFT` from the table, the model's update
/// `mean += (16 code + 32 - mean) >> 3` is then `mean' += (16 base - mean') >> 3`.
pub(super) const MEAN_SHIFT: i32 = 16 * BASE_SHIFT - 32;
/// What the last code is shifted by in [`EncoderRegisters`]: with it,
/// `(mean' + 48 last') >> 6` is the model's prediction plus `CODE_SHIFT`.
pub(super) const LAST_SHIFT: i32 = (64 * CODE_SHIFT - MEAN_SHIFT) / 48;
const _: () = assert!(48 * LAST_SHIFT + MEAN_SHIFT == 64 * CODE_SHIFT);

/// Bits of a whole word of the block loop: six bytes. Fewer than 48 bits
/// are held between samples, and 47 plus a 15-bit codeword fit the 64-bit
/// accumulator (seven bytes would not).
pub(super) const WORD_BITS: i32 = 48;

/// The block loop's name of energy state `s`: its bucket's first context,
/// plus its rank in its bucket (four states to a bucket) in the bits the
/// class takes in a context. One byte names the state for the energy table
/// and gives the context row with the prediction's class swapped in.
#[inline(always)]
pub(super) fn state_key(s: u8) -> u8 {
    bucket_context(s) as u8 | (s & 3)
}

/// The energy state of [`state_key`] `k`.
#[inline(always)]
pub(super) fn key_state(k: u8) -> u8 {
    (k & 0xF0) >> 2 | (k & 3)
}

const _: () = assert!(STATES == 4 * BUCKETS && CLASSES == 16);

/// A channel's state as the block loop keeps it (in registers).
#[derive(Clone, Copy)]
pub(super) struct EncoderRegisters {
    /// The held bits in the low end (bits above them are stale).
    pub(super) acc: u64,
    /// The bits held minus [`WORD_BITS`]: negative between samples.
    pub(super) over: i32,
    /// The model's last code plus [`LAST_SHIFT`].
    pub(super) last: i32,
    /// The model's mean plus [`MEAN_SHIFT`].
    pub(super) mean: i32,
    /// The energy state's [`state_key`].
    pub(super) key: u8,
    /// Bytes in the chunk, below its size.
    pub(super) pos: usize,
}

impl EncoderRegisters {
    /// A placeholder, before [`EncoderRegisters::of`].
    pub(super) const ZERO: Self = Self { acc: 0, over: 0, last: 0, mean: 0, key: 0, pos: 0 };

    /// `model` and the bit writer's `(acc, bits)`, the chunk holding `pos` bytes.
    pub(super) fn of(model: &Model, (acc, bits): (u64, u32), pos: usize) -> Self {
        let (last, mean, state) = model.parts();
        Self { acc, over: bits as i32 - WORD_BITS, last: last + LAST_SHIFT, mean: mean + MEAN_SHIFT, key: state_key(state), pos }
    }

    /// The model these registers hold.
    #[inline(always)]
    pub(super) fn model(&self) -> Model {
        Model::from_parts(self.last - LAST_SHIFT, self.mean - MEAN_SHIFT, key_state(self.key))
    }

    /// The bits held (at least 0).
    #[inline(always)]
    pub(super) fn bits(&self) -> u32 {
        (self.over + WORD_BITS) as u32
    }
}

/// How far up the decoder's fast-table rows are from their contexts:
/// enough for a [`StateWord`]'s low byte, a row, to exceed any residual's
/// magnitude; a whole bucket's worth, so a row is still a bucket's ORed
/// with a class.
pub(super) const ROW_OFFSET: usize = 48;

/// An energy state as the decoding loop keeps it: `s << 8 | (ROW_OFFSET +
/// bucket(s) * 16)`. Its low byte is the fast-table row of the first
/// context of the state's bucket, so a context's row is that byte ORed with
/// the class; the word plus a residual (`-47..=47`) indexes the decoder's
/// transition table: the low byte is at least 48, so a state's transitions
/// lie within `s * 256 .. s * 256 + 272`, clear of the next state's. So a
/// context costs an OR and a transition an ADD, an AND and a load.
pub type StateWord = u16;

/// The [`StateWord`] of energy state `s` (below [`STATES`]).
#[inline(always)]
pub const fn state_word(s: u8) -> StateWord {
    (s as u16) << 8 | (ROW_OFFSET as u16 + ((s as u16 >> 2) << 4))
}

/// The energy state of a [`StateWord`].
#[inline(always)]
pub const fn word_state(w: StateWord) -> u8 {
    (w >> 8) as u8
}

/// A channel's [`Model`] as the decoding loop keeps it: machine words, so
/// that no value needs widening to index a table, and the energy state as
/// a [`StateWord`]. Conversions inlined: a call would take the registers'
/// address and keep them in memory through the loop.
#[derive(Clone, Copy)]
pub(super) struct DecoderRegisters {
    /// 48 times the last code: the prediction's term, so that the multiply
    /// takes the place of the copy of the code into `last`.
    pub(super) last_term: isize,
    /// Q4, plus 32 (the prediction's rounding), as the model keeps it.
    pub(super) mean: isize,
    pub(super) state: StateWord,
}

impl DecoderRegisters {
    #[inline(always)]
    pub(super) fn of(model: &Model) -> Self {
        let (last, mean, state) = model.parts();
        Self { last_term: 48 * last as isize, mean: mean as isize, state: state_word(state) }
    }

    #[inline(always)]
    pub(super) fn model(self) -> Model {
        Model::from_parts((self.last_term / 48) as i32, self.mean as i32, word_state(self.state))
    }

    /// [`Model::predict`]'s code; the context is the state's bucket ORed
    /// with its class (`DecodeTables::fast_entry`).
    #[inline(always)]
    pub(super) fn predict(self) -> isize {
        (self.mean + self.last_term) >> 6
    }

    /// [`Model::learn`] of `code`, whose residual has a codeword and leads
    /// to state `next` (`DecodeTables::next_state`).
    #[inline(always)]
    pub(super) fn learn(&mut self, next: StateWord, code: isize) {
        self.state = next;
        self.mean += ((code << 4) + 32 - self.mean) >> 3;
        self.last_term = 48 * code;
    }
}
