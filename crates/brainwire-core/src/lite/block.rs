//! The block encoder's loop on the 10-bit lattice (the file encoder's
//! `push_le` and `push_all`): the bytes of [`ChannelEncoder::push`],
//! sample after sample, its state in registers (instructions a sample
//! and how to re-measure them: docs/perf/lite.md).
//!
//! What makes it short:
//! - The loop runs the model `CODE_SHIFT` codes up, in
//!   [`EncoderRegisters`]' shifted last code and mean (module `registers`:
//!   the state's representations and their contract): then neither the
//!   prediction nor the mean update adds a constant, and
//!   [`BlockMemory`]'s code table takes a 16-bit sample word
//!   straight to the symbol it would have under a prediction of 0, so that
//!   the symbol is one subtraction. A word off the lattice has entry 0,
//!   which wraps above every symbol: one unsigned compare catches both kinds
//!   of escape (a residual without a codeword, a sample off the lattice).
//! - The energy state travels as its [`state_key`], which gives both the
//!   energy table's row and the context's bucket.
//! - Whole 48-bit words leave the 64-bit accumulator, a third as many
//!   flushes as the channel's 16-bit words (one 8-byte store each, its last
//!   two bytes overwritten later); the count of held bits is kept less 48,
//!   so a codeword's bookkeeping is an addition and a sign test, and the
//!   count is the shift that brings a whole word down.
//!
//! Invariants: between samples the loop holds fewer than 48 bits and its
//! chunk position is below [`CHUNK_BYTES`]; [`EncoderRegisters`] convert to
//! and from the channel's `Model` and [`BitWriter`] exactly (at each
//! escape and at the end of the block), so every byte written is the one
//! the sample-by-sample encoder writes.

use super::bits::{BitWriter, FLUSH_BITS};
use super::codebook::Codebook;
use super::channel::ChannelEncoder;
use super::model::{CLASSES, ESCAPE, RESIDUAL_LIMIT, STATES, SYMBOLS};
use super::registers::{state_key, EncoderRegisters, BASE_SHIFT, LAST_SHIFT, WORD_BITS};
use crate::lattice::AdcLattice;
use crate::sink::ByteSink;

/// What the block loop reads and writes besides the codebook, behind one
/// pointer (one register in the loop): tables built for each block from
/// the encoder's [`Codebook`] (about 150 KB, a file encoder's: an
/// implant's channels code ADC codes with the codebook alone), and the
/// chunk of output. The energy table first: at offset 0 its address needs
/// no register of its own.
#[repr(C)]
struct BlockMemory {
    /// By [`state_key`] of an energy state and by in-table symbol: the key
    /// of the next state. 256 rows (48 used), so that a `u8` key needs
    /// no bounds check.
    next_key: [[u8; SYMBOLS]; 256],
    /// By 16-bit sample word: its 10-bit code plus [`BASE_SHIFT`], or 0 off
    /// the lattice.
    code_base: [u16; 1 << 16],
    /// Whole words of output, handed to the sink when full.
    chunk: ChunkBytes,
    /// Where the coding is: the channel's state and the next sample's index
    /// in the window (here too, so that [`run`] reaches them through the
    /// same register).
    registers: EncoderRegisters,
    next: usize,
}

/// Samples coded per window: a block's samples are copied, this many at a
/// time, into a window where a 0 follows them. 0 is off the lattice, so
/// the loop needs no test for the window's end: the escape test catches
/// it. With the 0, a power of two, so that a mask bounds an index into the
/// window.
pub(super) const WINDOW: usize = 2047;
const _: () = assert!((WINDOW + 1).is_power_of_two());

impl BlockMemory {
    /// Empty tables (every word off the lattice) and chunk. Inlined and
    /// flat: built in place by memsets, not in a temporary then moved.
    #[inline(always)]
    fn empty() -> Self {
        Self { next_key: [[0; SYMBOLS]; 256], code_base: [0; 1 << 16], chunk: EMPTY_CHUNK, registers: EncoderRegisters::ZERO, next: 0 }
    }

    /// Fills the tables (empty before) for `codebook`.
    #[inline(never)]
    fn fill(&mut self, codebook: &Codebook) {
        // `block_value[b]` is the value of code `b ^ 512` ([`Codebook::ten_bit_code`]).
        for (block, &word) in codebook.block_value.iter().enumerate() {
            self.code_base[usize::from(word)] = (block ^ 512) as u16 + BASE_SHIFT as u16;
        }
        // The key of each state looked up, not computed per entry (a
        // byte indexes 256 entries without a bounds check).
        let mut keys = [0u8; 256];
        for (s, k) in keys.iter_mut().enumerate() {
            *k = state_key(s as u8);
        }
        // A residual and its negative lead to the same state: one lookup
        // for both. Plain counters: the binaries build at opt-level "z",
        // where range iterators add a test a step.
        const MID: usize = RESIDUAL_LIMIT as usize;
        let mut s = 0;
        while s < STATES as u8 {
            let row = &mut self.next_key[usize::from(keys[usize::from(s)])];
            let mut a = 0;
            while a <= MID {
                let next = keys[usize::from(codebook.energy.next(s, MID + a))];
                row[MID + a] = next;
                row[MID - a] = next;
                a += 1;
            }
            s += 1;
        }
    }
}

/// Bytes the loop gathers before handing them to the sink in one call.
const CHUNK_BYTES: usize = 4096;

/// The chunk: whole words are stored at a position below [`CHUNK_BYTES`],
/// eight bytes at a time, hence the slack.
type ChunkBytes = [u8; CHUNK_BYTES + 8];

/// `channel`'s state in registers, the chunk holding `pos` bytes.
fn load(channel: &ChannelEncoder, pos: usize) -> EncoderRegisters {
    EncoderRegisters::of(&channel.model, channel.writer.parts(), pos)
}

/// `registers` back into `channel`, first writing 16-bit words while 16
/// bits or more are held (the channel's writer holds fewer).
fn store<S: ByteSink>(registers: EncoderRegisters, channel: &mut ChannelEncoder, chunk: &mut Chunk<'_, S>) {
    let mut bits = registers.bits();
    while bits >= FLUSH_BITS {
        bits -= FLUSH_BITS;
        chunk.put2(((registers.acc >> bits) as u16).to_be_bytes());
    }
    channel.writer = BitWriter::from_parts(registers.acc, bits);
    channel.model = registers.model();
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

/// Samples from which a block pays for building [`BlockMemory`]: below it the
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
    let mut memory = BlockMemory::empty();
    memory.fill(codebook);
    // The window's end marker, the word 0, escapes.
    debug_assert!(memory.code_base[0] == 0);
    memory.registers = load(channel, 0);
    let mut window = [SampleWord::ZERO; WINDOW + 1];
    for part in samples.chunks(WINDOW) {
        // The part, then the sentinel at `n` (`n` is below the mask).
        let n = part.len() & WINDOW;
        if let Some(slots) = window.get_mut(..n) {
            slots.copy_from_slice(part);
        }
        window[n] = SampleWord::ZERO;
        memory.next = 0;
        loop {
            match run(&window, &mut memory, codebook) {
                // The sentinel (`run` masks the index it returns).
                Stop::Escape(_) if memory.next == (n + 1) & WINDOW => break,
                Stop::Escape(sample) => memory.registers = escape(channel, codebook, memory.registers, sample, &mut memory.chunk, out),
                Stop::ChunkFull => memory.registers.pos = drain_chunk(out, &memory.chunk, memory.registers.pos),
            }
        }
    }
    let mut chunk = Chunk { bytes: &mut memory.chunk, pos: memory.registers.pos, out };
    store(memory.registers, channel, &mut chunk);
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
fn run<W: SampleWord>(window: &[W; WINDOW + 1], memory: &mut BlockMemory, codebook: &Codebook) -> Stop {
    let BlockMemory { next_key, code_base, chunk, registers, next } = memory;
    let EncoderRegisters { mut acc, mut over, last, mean, key, mut pos } = *registers;
    // Wide, as they index tables (no widening on the way).
    let (mut last, mut mean, mut key) = (last as isize, mean as isize, usize::from(key));
    // Masked, here and below: an index the compiler knows in bounds.
    let mut i = *next & WINDOW;
    let stop = loop {
        let sample = window[i].sample();
        i = (i + 1) & WINDOW;
        let base = usize::from(code_base[usize::from(sample as u16)]) as isize;
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
        // The key's bucket, the prediction's class.
        let ctx = (key & !(CLASSES - 1)) | (prediction as usize & (CLASSES - 1));
        let t = ctx * SYMBOLS + sym;
        key = usize::from(next_key.as_flattened()[key * SYMBOLS + sym]);
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
    *registers = EncoderRegisters { acc, over, last: last as i32, mean: mean as i32, key: key as u8, pos };
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
fn escape<S: ByteSink>(channel: &mut ChannelEncoder, codebook: &Codebook, registers: EncoderRegisters, sample: i16, bytes: &mut ChunkBytes, out: &mut S) -> EncoderRegisters {
    let mut chunk = Chunk { bytes, pos: registers.pos, out };
    store(registers, channel, &mut chunk);
    push_one(channel, codebook, sample, &mut chunk);
    load(channel, chunk.pos)
}

/// [`ChannelEncoder::push`] into a chunk, out of line: the escapes and
/// the short blocks (the file encoder's `push_all`) share one copy of it.
#[inline(never)]
pub(super) fn push_one<S: ByteSink>(channel: &mut ChannelEncoder, codebook: &Codebook, sample: i16, chunk: &mut Chunk<'_, S>) {
    channel.push(codebook, sample, chunk);
}
