//! The block encoder's loop on the 10-bit lattice ([`super::Encoder::push_le`],
//! [`super::Encoder::push_all`]): the bytes of [`ChannelEncoder::push`],
//! sample after sample, its state in registers (instructions a sample
//! and how to re-measure them: docs/perf/lite.md).
//!
//! What makes it short:
//! - The loop runs the model [`CODE_SHIFT`] codes up, in [`BlockState`]'s
//!   shifted last code and mean: then neither the prediction nor the mean
//!   update adds a constant, and [`Work`]'s table takes a 16-bit sample word
//!   straight to the symbol it would have under a prediction of 0, so that
//!   the symbol is one subtraction. A word off the lattice has entry 0,
//!   which wraps above every symbol: one unsigned compare catches both kinds
//!   of escape (a residual without a codeword, a sample off the lattice).
//! - The energy state travels as its [`place`], which gives both the energy
//!   table's row and the context's bucket.
//! - Whole 48-bit words leave the 64-bit accumulator, a third as many
//!   flushes as the channel's 16-bit words (one 8-byte store each, its last
//!   two bytes overwritten later); the count of held bits is kept less 48,
//!   so a codeword's bookkeeping is an addition and a sign test, and the
//!   count is the shift that brings a whole word down.
//!
//! Invariants: between samples the loop holds fewer than 48 bits and its
//! chunk position is below [`CHUNK_BYTES`]; a [`BlockState`] converts to
//! and from the channel's [`Model`] and [`BitWriter`] exactly (at each
//! escape and at the end of the block), so every byte written is the one
//! the sample-by-sample encoder writes.

use super::bits::{BitWriter, FLUSH_BITS};
use super::codebook::Codebook;
use super::channel::ChannelEncoder;
use super::model::{bucket_context, Model, BUCKETS, CLASSES, ESCAPE, RESIDUAL_LIMIT, STATES, SYMBOLS};
use crate::lattice::AdcLattice;
use crate::sink::ByteSink;

/// How far up the loop runs the model's codes: a whole number of class
/// periods, so that a shifted prediction has the prediction's class; not
/// 0, so that an entry 0 in [`Work::symbol_base`] is below every shifted
/// prediction (`CODE_SHIFT..CODE_SHIFT + 1024`).
const CODE_SHIFT: i32 = CLASSES as i32;
/// A code's entry in [`Work::symbol_base`]: the symbol it has under a shifted
/// prediction of 0.
const BASE_SHIFT: i32 = RESIDUAL_LIMIT + CODE_SHIFT;
/// What [`Model`]'s mean (Q4, plus 32 for the prediction's rounding) is
/// shifted by in [`BlockState`]: with `base = code + BASE_SHIFT` from the
/// table, the model's update `mean += (16 code + 32 - mean) >> 3` is then
/// `mean' += (16 base - mean') >> 3`.
const MEAN_SHIFT: i32 = 16 * BASE_SHIFT - 32;
/// What the last code is shifted by in [`BlockState`]: with it,
/// `(mean' + 48 last') >> 6` is the model's prediction plus `CODE_SHIFT`.
const LAST_SHIFT: i32 = (64 * CODE_SHIFT - MEAN_SHIFT) / 48;
const _: () = assert!(48 * LAST_SHIFT + MEAN_SHIFT == 64 * CODE_SHIFT);

/// What the block loop reads and writes besides the codebook, behind one
/// pointer (one register in the loop): tables built for each block from
/// the encoder's [`Codebook`] (about 150 KB, a file encoder's: an
/// implant's channels code ADC codes with the codebook alone), and the
/// chunk of output. The energy table first: at offset 0 its address needs
/// no register of its own.
#[repr(C)]
struct Work {
    /// By [`place`] of an energy state and by in-table symbol: the place
    /// of the next state. 256 rows (48 used), so that a `u8` place needs
    /// no bounds check.
    next_place: [[u8; SYMBOLS]; 256],
    /// By 16-bit sample word: its 10-bit code plus [`BASE_SHIFT`], or 0 off
    /// the lattice.
    symbol_base: [u16; 1 << 16],
    /// Whole words of output, handed to the sink when full.
    chunk: ChunkBytes,
    /// Where the coding is: the channel's state and the next sample's index
    /// in the window (here too, so that [`run`] reaches them through the
    /// same register).
    st: BlockState,
    next: usize,
}

/// Samples coded per window: a block's samples are copied, this many at a
/// time, into a window where a 0 follows them. 0 is off the lattice, so
/// the loop needs no test for the window's end: the escape test catches
/// it. With the 0, a power of two, so that a mask bounds an index into the
/// window.
pub(super) const WINDOW: usize = 2047;
const _: () = assert!((WINDOW + 1).is_power_of_two());

/// Where energy state `s` leads the loop: its bucket's first context, plus
/// its rank in its bucket (four states to a bucket) in the bits the class
/// takes in a context. One byte names the state for the energy table and
/// gives the context row with the prediction's class swapped in.
#[inline(always)]
fn place(s: u8) -> u8 {
    bucket_context(s) as u8 | (s & 3)
}

/// The energy state of [`place`] `p`.
#[inline(always)]
fn state_of_place(p: u8) -> u8 {
    (p & 0xF0) >> 2 | (p & 3)
}

const _: () = assert!(STATES == 4 * BUCKETS && CLASSES == 16);

impl Work {
    /// Empty tables (every word off the lattice) and chunk. Inlined and
    /// flat: built in place by memsets, not in a temporary then moved.
    #[inline(always)]
    fn empty() -> Self {
        Self { next_place: [[0; SYMBOLS]; 256], symbol_base: [0; 1 << 16], chunk: EMPTY_CHUNK, st: BlockState::ZERO, next: 0 }
    }

    /// Fills the tables (empty before) for `codebook`.
    #[inline(never)]
    fn fill(&mut self, codebook: &Codebook) {
        // `block_value[b]` is the value of code `b ^ 512` ([`Codebook::ten_bit_code`]).
        for (block, &word) in codebook.block_value.iter().enumerate() {
            self.symbol_base[usize::from(word)] = (block ^ 512) as u16 + BASE_SHIFT as u16;
        }
        // The place of each state looked up, not computed per entry (a
        // byte indexes 256 entries without a bounds check).
        let mut places = [0u8; 256];
        for (s, p) in places.iter_mut().enumerate() {
            *p = place(s as u8);
        }
        // A residual and its negative lead to the same state: one lookup
        // for both. Plain counters: the binaries build at opt-level "z",
        // where range iterators add a test a step.
        const MID: usize = RESIDUAL_LIMIT as usize;
        let mut s = 0;
        while s < STATES as u8 {
            let row = &mut self.next_place[usize::from(places[usize::from(s)])];
            let mut a = 0;
            while a <= MID {
                let next = places[usize::from(codebook.energy.next(s, MID + a))];
                row[MID + a] = next;
                row[MID - a] = next;
                a += 1;
            }
            s += 1;
        }
    }
}

/// Bits of a whole word of the loop: six bytes. Fewer than 48 bits are
/// held between samples, and 47 plus a 15-bit codeword fit the 64-bit
/// accumulator (seven bytes would not).
const WORD_BITS: i32 = 48;

/// Bytes the loop gathers before handing them to the sink in one call.
const CHUNK_BYTES: usize = 4096;

/// The chunk: whole words are stored at a position below [`CHUNK_BYTES`],
/// eight bytes at a time, hence the slack.
type ChunkBytes = [u8; CHUNK_BYTES + 8];

/// A channel's state as the loop keeps it (in registers).
#[derive(Clone, Copy)]
struct BlockState {
    /// The held bits in the low end (bits above them are stale).
    acc: u64,
    /// The bits held minus [`WORD_BITS`]: negative between samples.
    over: i32,
    /// The model's last code plus [`LAST_SHIFT`].
    last: i32,
    /// The model's mean plus [`MEAN_SHIFT`].
    mean: i32,
    /// The energy state's [`place`].
    place: u8,
    /// Bytes in the chunk, below [`CHUNK_BYTES`].
    pos: usize,
}

impl BlockState {
    /// A placeholder, before [`BlockState::load`].
    const ZERO: Self = Self { acc: 0, over: 0, last: 0, mean: 0, place: 0, pos: 0 };

    /// `channel`'s state, the chunk holding `pos` bytes.
    fn load(channel: &ChannelEncoder, pos: usize) -> Self {
        let (last, mean, state) = channel.model.parts();
        let (acc, bits) = channel.writer.parts();
        Self { acc, over: bits as i32 - WORD_BITS, last: last + LAST_SHIFT, mean: mean + MEAN_SHIFT, place: place(state), pos }
    }

    /// Back into `channel`, first writing 16-bit words while 16 bits or
    /// more are held (the channel's writer holds fewer).
    fn store<S: ByteSink>(self, channel: &mut ChannelEncoder, chunk: &mut Chunk<'_, S>) {
        let mut bits = (self.over + WORD_BITS) as u32;
        while bits >= FLUSH_BITS {
            bits -= FLUSH_BITS;
            chunk.put2(((self.acc >> bits) as u16).to_be_bytes());
        }
        channel.writer = BitWriter::from_parts(self.acc, bits);
        channel.model = Model::from_parts(self.last - LAST_SHIFT, self.mean - MEAN_SHIFT, state_of_place(self.place));
    }
}

/// The sink of the escapes and of the end of a block: 16-bit words into
/// the chunk, and the chunk to the real sink when full.
pub(super) struct Chunk<'a, S: ByteSink> {
    bytes: &'a mut ChunkBytes,
    pos: usize,
    out: &'a mut S,
}

impl<'a, S: ByteSink> Chunk<'a, S> {
    pub(super) fn new(bytes: &'a mut ChunkBytes, out: &'a mut S) -> Self {
        Self { bytes, pos: 0, out }
    }

    /// Hands the bytes gathered to the sink.
    pub(super) fn drain(&mut self) {
        drain(self.out, &self.bytes[..self.pos]);
        self.pos = 0;
    }
}

impl<S: ByteSink> ByteSink for Chunk<'_, S> {
    /// A lone byte (the final flush): keeps the order of the bytes,
    /// draining the words first.
    fn put(&mut self, byte: u8) {
        self.drain();
        self.out.put(byte);
    }

    #[inline(always)]
    fn put2(&mut self, bytes: [u8; 2]) {
        let i = self.pos & (CHUNK_BYTES - 1);
        // As in [`run`]: one store, where a slice copy is a call at
        // opt-level "z".
        if let Some(dst) = self.bytes.split_at_mut(i).1.first_chunk_mut::<2>() {
            *dst = bytes;
        }
        self.pos = i + 2;
        if self.pos >= CHUNK_BYTES {
            self.drain();
        }
    }
}

/// Hands whole words to the sink. A free function of the bytes alone, so
/// that the chunk's position, not passed, stays in a register.
#[inline(never)]
fn drain<S: ByteSink>(out: &mut S, bytes: &[u8]) {
    out.put_slice(bytes);
}

/// A fresh chunk for [`code_block`] and [`Chunk::new`].
pub(super) const EMPTY_CHUNK: ChunkBytes = [0; CHUNK_BYTES + 8];

/// Samples from which a block pays for building [`Work`]: below it the
/// tables cost more than the loop saves over [`ChannelEncoder::push`]
/// sample by sample (the break-even count: docs/perf/lite.md).
pub(super) const BLOCK_TABLES_WORTH: usize = 4096;

/// A sample as a block holds it: an `i16`, or its two little-endian bytes
/// (a WAV file's).
pub(super) trait SampleWord: Copy {
    /// The sample 0 (off the 10-bit lattice: codes 511 and 512 are -33
    /// and 31).
    const ZERO: Self;
    fn sample(self) -> i16;
}

impl SampleWord for i16 {
    const ZERO: Self = 0;
    #[inline(always)]
    fn sample(self) -> i16 {
        self
    }
}

impl SampleWord for [u8; 2] {
    const ZERO: Self = [0; 2];
    #[inline(always)]
    fn sample(self) -> i16 {
        i16::from_le_bytes(self)
    }
}

/// Codes `samples` on the 10-bit lattice as `channel` would one by one
/// (with `codebook`), writing every byte to `out`.
#[inline(always)]
pub(super) fn code_block<S: ByteSink>(channel: &mut ChannelEncoder, codebook: &Codebook, samples: &[impl SampleWord], out: &mut S) {
    debug_assert!(channel.lattice == AdcLattice::Neuralink10);
    // Built here, a local of the caller's frame: a field of the encoder
    // would be moved (copied) into place when the encoder is built.
    let mut work = Work::empty();
    work.fill(codebook);
    // The window's end marker, the word 0, escapes.
    debug_assert!(work.symbol_base[0] == 0);
    work.st = BlockState::load(channel, 0);
    let mut window = [SampleWord::ZERO; WINDOW + 1];
    for part in samples.chunks(WINDOW) {
        // The part, then the sentinel at `n` (`n` is below the mask).
        let n = part.len() & WINDOW;
        if let Some(slots) = window.get_mut(..n) {
            slots.copy_from_slice(part);
        }
        window[n] = SampleWord::ZERO;
        work.next = 0;
        loop {
            match run(&window, &mut work, codebook) {
                // The sentinel (`run` masks the index it returns).
                Stop::Escape(_) if work.next == (n + 1) & WINDOW => break,
                Stop::Escape(sample) => work.st = escape(channel, codebook, work.st, sample, &mut work.chunk, out),
                Stop::ChunkFull => work.st.pos = drain_chunk(out, &work.chunk, work.st.pos),
            }
        }
    }
    let mut chunk = Chunk { bytes: &mut work.chunk, pos: work.st.pos, out };
    work.st.store(channel, &mut chunk);
    chunk.drain();
}

/// Why [`run`] returned.
enum Stop {
    /// A sample the tables cannot code, taken from the samples: the
    /// caller codes it.
    Escape(i16),
    /// The chunk needs draining.
    ChunkFull,
}

/// The loop: codes samples into the chunk until one needs more than the
/// tables. Out of line and free of calls, so that its state stays in
/// registers (a call in the loop would clobber half of them).
#[inline(never)]
fn run<W: SampleWord>(window: &[W; WINDOW + 1], work: &mut Work, codebook: &Codebook) -> Stop {
    let Work { next_place, symbol_base, chunk, st, next } = work;
    let BlockState { mut acc, mut over, last, mean, place, mut pos } = *st;
    // Wide, as they index tables (no widening on the way).
    let (mut last, mut mean, mut place) = (last as isize, mean as isize, usize::from(place));
    // Masked, here and below: an index the compiler knows in bounds.
    let mut i = *next & WINDOW;
    let stop = loop {
        let sample = window[i].sample();
        i = (i + 1) & WINDOW;
        let base = usize::from(symbol_base[usize::from(sample as u16)]) as isize;
        // The prediction plus `CODE_SHIFT`: the same class.
        let prediction = (mean + 48 * last) >> 6;
        let sym = base.wrapping_sub(prediction) as usize;
        if sym >= ESCAPE {
            break Stop::Escape(sample);
        }
        // The model learns the code now, so that `base` is done with;
        // `last` first, so that it is a copy of `base` on the way (no move
        // of its own).
        last = base - (BASE_SHIFT - LAST_SHIFT) as isize;
        mean += (16 * base - mean) >> 3;
        // The place's bucket, the prediction's class.
        let ctx = (place & !(CLASSES - 1)) | (prediction as usize & (CLASSES - 1));
        let t = ctx * SYMBOLS + sym;
        place = usize::from(next_place.as_flattened()[place * SYMBOLS + sym]);
        let len = codebook.lengths.as_flattened()[t];
        // The codeword first: the other order shifted a copy of `acc`.
        acc = u64::from(codebook.codes.as_flattened()[t]) | (acc << len);
        over += i32::from(len);
        if over >= 0 {
            // A whole word held (and at most 14 bits more): it leaves, as
            // the first six of eight bytes (the other two are overwritten
            // by what follows).
            let word = (acc.wrapping_shr(over as u32) << 16).to_be_bytes();
            let i = pos & (CHUNK_BYTES - 1);
            // One 8-byte store (`i` is below the chunk's slack, so the
            // `if` always holds and compiles away).
            if let Some(dst) = chunk.split_at_mut(i).1.first_chunk_mut::<8>() {
                *dst = word;
            }
            pos = i + 6;
            over -= WORD_BITS;
            if pos >= CHUNK_BYTES {
                break Stop::ChunkFull;
            }
        }
    };
    *st = BlockState { acc, over, last: last as i32, mean: mean as i32, place: place as u8, pos };
    *next = i;
    stop
}

/// Hands the chunk's first `pos` bytes to `out`; the position after (0).
#[inline(never)]
fn drain_chunk<S: ByteSink>(out: &mut S, bytes: &ChunkBytes, pos: usize) -> usize {
    drain(out, bytes.get(..pos).unwrap_or(bytes));
    0
}

/// A sample the table cannot code: `channel` codes it (an escape, or a
/// sample off the lattice), the loop's state going through it.
#[cold]
#[inline(never)]
fn escape<S: ByteSink>(channel: &mut ChannelEncoder, codebook: &Codebook, st: BlockState, sample: i16, bytes: &mut ChunkBytes, out: &mut S) -> BlockState {
    let mut chunk = Chunk { bytes, pos: st.pos, out };
    st.store(channel, &mut chunk);
    push_one(channel, codebook, sample, &mut chunk);
    BlockState::load(channel, chunk.pos)
}

/// [`ChannelEncoder::push`] into a chunk, out of line: the escapes and
/// the short blocks ([`super::Encoder::push_all`]) share one copy of it.
#[inline(never)]
pub(super) fn push_one<S: ByteSink>(channel: &mut ChannelEncoder, codebook: &Codebook, sample: i16, chunk: &mut Chunk<'_, S>) {
    channel.push(codebook, sample, chunk);
}
