//! The `lite` profile: the implant's encoder. Integer-only, allocation-free,
//! fixed memory, tens of instructions per sample, and a hard bound on how long
//! any sample's bits stay inside the encoder.
//!
//! Per sample, in ADC code units ([`AdcLattice::code`]):
//! 1. **Prediction** ([`Model`]): the previous code pulled towards the local
//!    mean by a gain learned offline (least squares). On the challenge data
//!    this codes as well as an adaptive 8-tap sign-sign LMS (within 0.001
//!    bits/sample) for one multiply instead of sixteen operations per tap.
//! 2. **Context**: the recent residual energy (an exponential average of
//!    |residual|, bucketed two buckets per octave by a 512-byte table,
//!    [`BUCKETS`] buckets) times
//!    the prediction's code class `prediction mod 16` ([`CLASSES`]). The class
//!    carries the ADC's irregular code widths: the same 16-code pattern of
//!    wide and narrow codes repeats over the whole range, so a table per class
//!    knows which codes near the prediction are likely.
//! 3. **Coding**: a static canonical prefix code per context, learned offline
//!    by `train lite` (generated `lite/tables.rs`), over residuals in
//!    `-RESIDUAL_LIMIT..=RESIDUAL_LIMIT` plus an escape. An escape is followed
//!    by an Exp-Golomb code of the residual, or of zero and then the raw 16-bit
//!    value for a sample off the lattice (exact whatever the lattice).
//!
//! Memory is fixed at compile time: a channel's state ([`ChannelEncoder`]) is
//! a few dozen bytes; the [`Codebook`] (`CONTEXTS * SYMBOLS` words, 72 KB)
//! is built once from the ~2.6 KB of range-coded code lengths and can be shared by
//! every channel. The per-sample path has no division, no allocation and no
//! loop but the byte flush.
//!
//! Invariants:
//! - encoder and decoder run the same [`Model`] on the same codes, so they
//!   agree on every prediction and context;
//! - **bounded delay**: each sample's codeword goes to the bit writer at once
//!   and whole bytes leave immediately, so fewer than 8 bits are ever held
//!   back. Every codeword is at least one bit long, hence at most
//!   [`MAX_PENDING_SAMPLES`] = 7 samples (0.36 ms at 19.5 kHz) have bits not
//!   yet in the output ([`Encoder::pending_samples`] bounds the current
//!   number). There is no carry: a prefix code never changes written bits,
//!   and no flush is ever needed but the final byte's padding;
//! - the decoder never reads outside its payload and never panics: bits past
//!   the end read as zero and make the sample fail with [`Error::Corrupt`];
//!   invalid codewords, impossible codes and nonzero padding do the same.

mod tables;

use crate::error::Error;
use crate::lattice::AdcLattice;
use crate::range::ByteSink;

pub use tables::{CODE_LENGTHS_CODED, MEAN_GAIN};

/// Residuals with their own codeword: `-RESIDUAL_LIMIT..=RESIDUAL_LIMIT`.
pub const RESIDUAL_LIMIT: i32 = 47;
/// Codeword symbols per context: the residuals plus the escape.
pub const SYMBOLS: usize = 2 * RESIDUAL_LIMIT as usize + 2;
const _: () = assert!(SYMBOLS & 1 == 0, "each context's lengths fill whole bytes");
/// The escape symbol: a residual outside the table, or a sample off the lattice.
pub const ESCAPE: usize = SYMBOLS - 1;
/// Residual-energy buckets.
pub const BUCKETS: usize = 12;
/// Code classes: the prediction modulo the period of the ADC's width pattern.
pub const CLASSES: usize = 16;
/// Coding contexts: `bucket * CLASSES + class`.
pub const CONTEXTS: usize = BUCKETS * CLASSES;
/// Longest codeword of the learned tables.
pub const MAX_CODE_LEN: u32 = 15;
/// Most samples with bits still inside the encoder: the bit writer holds
/// fewer than 8 bits and every sample adds at least one.
pub const MAX_PENDING_SAMPLES: usize = 7;

/// The local mean forgets with time constant 2^MEAN_SHIFT samples.
const MEAN_SHIFT: u32 = 3;
/// Fraction bits of the local mean (in codes).
const MEAN_BITS: u32 = 4;
/// Fraction bits of [`MEAN_GAIN`].
pub const GAIN_BITS: u32 = 8;
/// Largest |gain| a model accepts (1.0): with the mean within the code range
/// (below 2^20 in Q4), `|gain * (mean - last)| < 2^28` and a prediction lies
/// within 65536 codes of the last code, so residuals stay below 2^18 on
/// any lattice.
pub const GAIN_LIMIT: i32 = 1 << GAIN_BITS;
const _: () = assert!(MEAN_GAIN.abs() <= GAIN_LIMIT, "learned gain out of bounds");
const _: () = assert!(BUCKETS * CLASSES <= 256, "ENERGY_CONTEXT holds bucket * CLASSES in a byte");
const _: () = assert!((ENERGY_RESIDUAL_LIMIT << 4 << ENERGY_SHIFT) >> ENERGY_INDEX_SHIFT <= ENERGY_INDEX_TOP);
/// The energy average forgets with time constant 2^ENERGY_SHIFT samples;
/// it settles at `16 << ENERGY_SHIFT` = 128 times the mean |residual|.
const ENERGY_SHIFT: u32 = 3;
/// |residual| enters the average clamped, so the average stays below
/// 128 * 128 and indexes [`ENERGY_CONTEXT`] without a clamp of its own.
const ENERGY_RESIDUAL_LIMIT: u32 = 127;
/// Start of the energy average: a mean |residual| of 6 codes.
const ENERGY_START: u32 = (16 * 6) << ENERGY_SHIFT;
/// `energy >> ENERGY_INDEX_SHIFT` is 4 × the mean |residual|, the index of
/// [`ENERGY_CONTEXT`].
const ENERGY_INDEX_SHIFT: u32 = 5;
const ENERGY_INDEX_TOP: u32 = 511;

/// Bucket (times [`CLASSES`]) of each energy index `i` = 4 × mean |residual|:
/// bucket `k` starts at mean |residual| = 2^(k/2), i.e. `i^2 >= 2^(k+4)`.
static ENERGY_CONTEXT: [u8; ENERGY_INDEX_TOP as usize + 1] = {
    let mut t = [0u8; ENERGY_INDEX_TOP as usize + 1];
    let mut i = 0;
    while i <= ENERGY_INDEX_TOP as usize {
        let mut k = 1;
        let mut b = 0;
        while k < BUCKETS {
            if (i * i) as u64 >= 1u64 << (k + 4) {
                b = k;
            }
            k += 1;
        }
        t[i] = (b * CLASSES) as u8;
        i += 1;
    }
    t
};
/// Exp-Golomb order of escape payloads.
const ESCAPE_ORDER: u32 = 5;
/// Longest Exp-Golomb prefix a valid escape has (its payload, a zigzagged
/// residual plus one, is below 2^20).
const ESCAPE_MAX_PREFIX: u32 = 20 - ESCAPE_ORDER;

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
fn lattice_code(lattice: AdcLattice, value: i16) -> Option<u32> {
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
fn lattice_value(lattice: AdcLattice, code: u32) -> i16 {
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
fn zigzag(r: i32) -> u32 {
    ((r << 1) ^ (r >> 31)) as u32
}

#[inline]
fn unzigzag(u: u32) -> i32 {
    (u >> 1) as i32 ^ -((u & 1) as i32)
}

/// What the model expects of the next sample.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Prediction {
    /// The predicted code, within the lattice.
    pub code: i32,
    /// The coding context, `< CONTEXTS`.
    pub context: usize,
}

/// The prediction and context state of one channel, shared by encoder,
/// decoder and the table trainer.
///
/// The prediction is the last code pulled towards the local mean (an
/// exponential average over ~8 samples): `last + gain * (mean - last)`. On
/// these recordings that matches an 8-tap filter on the first differences
/// (whose least-squares weights fall off smoothly: the same shape) for a
/// multiply and a few adds instead of eight multiply-accumulates and a
/// history shift.
#[derive(Clone, Debug)]
pub struct Model {
    last: i32,
    /// Local mean of the codes, Q4.
    mean: i32,
    /// Pull towards the mean, Q8.
    gain: i32,
    energy: u32,
}

impl Model {
    pub fn new(lattice: AdcLattice) -> Self {
        Self::build(lattice, MEAN_GAIN)
    }

    /// A model predicting with `gain` (Q8; the trainer fits the default), or
    /// `None` when |gain| exceeds [`GAIN_LIMIT`].
    pub fn with_gain(lattice: AdcLattice, gain: i32) -> Option<Self> {
        (gain.abs() <= GAIN_LIMIT).then(|| Self::build(lattice, gain))
    }

    fn build(lattice: AdcLattice, gain: i32) -> Self {
        let mid = (lattice.len() / 2) as i32;
        Self { last: mid, mean: mid << MEAN_BITS, gain, energy: ENERGY_START }
    }

    /// How far the local mean is from the last code, Q4: the predictor's
    /// input (the trainer fits the gain on it).
    pub fn pull(&self) -> i32 {
        self.mean - (self.last << MEAN_BITS)
    }

    /// The last code learned.
    pub fn last(&self) -> i32 {
        self.last
    }

    #[inline(always)]
    pub fn predict(&self) -> Prediction {
        const ROUND: i32 = 1 << (MEAN_BITS + GAIN_BITS - 1);
        // Not clamped to the lattice: a prediction past either end only
        // costs a larger residual, and the clamp would cost every sample.
        let code = self.last + ((self.pull() * self.gain + ROUND) >> (MEAN_BITS + GAIN_BITS));
        // The mask is a no-op (the energy is bounded) that spares a bounds check.
        let index = (self.energy >> ENERGY_INDEX_SHIFT) as usize & ENERGY_INDEX_TOP as usize;
        let context = ENERGY_CONTEXT[index] as usize | (code as usize & (CLASSES - 1));
        Prediction { code, context }
    }

    /// Learns the actual `code` (the nearest code for an off-lattice sample).
    #[inline(always)]
    pub fn update(&mut self, p: &Prediction, code: i32) {
        let residual = (code - p.code).unsigned_abs().min(ENERGY_RESIDUAL_LIMIT);
        self.energy = self.energy + (residual << 4) - (self.energy >> ENERGY_SHIFT);
        self.mean += ((code << MEAN_BITS) - self.mean) >> MEAN_SHIFT;
        self.last = code;
    }
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

/// Canonical prefix codes of every context: codeword `c` of length `l` is
/// stored as `c << 4 | l`.
pub struct Codebook {
    /// Context-major: the word of `(ctx, sym)` is at `ctx * SYMBOLS + sym`.
    words: [u32; CONTEXTS * SYMBOLS],
}

impl Codebook {
    /// Builds the canonical codes from the learned lengths (shortest first,
    /// ties by symbol), as the decoder's tables assume.
    pub fn new() -> Self {
        let mut words = [0u32; CONTEXTS * SYMBOLS];
        let mut reader = CodeLengths::new();
        for row in words.chunks_exact_mut(SYMBOLS) {
            let lengths = reader.next_row();
            let (mut next, _) = canonical_firsts(&lengths);
            for (w, &len) in row.iter_mut().zip(&lengths) {
                let len = usize::from(len) & 15;
                *w = (next[len] << 4) | len as u32;
                next[len] += 1;
            }
        }
        Self { words }
    }

    /// Codeword and length of `sym` in context `ctx`.
    #[inline(always)]
    pub fn word(&self, ctx: usize, sym: usize) -> (u32, u32) {
        let w = self.words[ctx * SYMBOLS + sym];
        (w >> 4, w & 15)
    }
}

impl Default for Codebook {
    fn default() -> Self {
        Self::new()
    }
}

/// Contexts of the code-length model: the length of the same symbol one
/// energy bucket down (0..=16, 16 in the first bucket) times whether the
/// previous class's length (same bucket) is below, equal to or above it.
const LENGTH_CONTEXTS: usize = 17 * 3;
const LENGTH_PROBS: usize = (LENGTH_CONTEXTS * 16).next_power_of_two();

/// The adaptive model that codes the learned code lengths
/// ([`CODE_LENGTHS_CODED`], ~2.6 KB where 4 bits a length took 9 KB): each
/// length (1..=15) is four binary decisions, most significant bit first,
/// range coded with a probability per (context, tree node) that adapts as
/// the table is read. Lengths move smoothly from one energy bucket to the
/// next and from one code class to the next, which the context captures.
/// Contexts come in order `0..CONTEXTS`; `train lite` codes with the same
/// model ([`LengthModel::row`] with an encoding `bit`).
#[doc(hidden)]
pub struct LengthModel {
    /// P(bit = 1) in units of 2^-12, always in 1..4096; by `context * 16 +
    /// node` (a power of two long, so a mask bounds the index).
    probs: [u16; LENGTH_PROBS],
    /// The last [`CLASSES`] rows: row `ctx` at `ctx % CLASSES`.
    rows: [[u8; SYMBOLS]; CLASSES],
    ctx: usize,
}

impl Default for LengthModel {
    fn default() -> Self {
        Self::new()
    }
}

impl LengthModel {
    pub fn new() -> Self {
        Self { probs: [2048; LENGTH_PROBS], rows: [[16; SYMBOLS]; CLASSES], ctx: 0 }
    }

    /// Codes the next context's `row` of lengths: `bit(p1, b)` codes or
    /// decodes one decision of probability `p1` (units of 2^-12) and returns
    /// it; `b` is the bit when encoding (taken from `row`), ignored when
    /// decoding. `row` holds the lengths afterwards.
    #[inline(always)]
    pub fn row(&mut self, row: &mut [u8; SYMBOLS], mut bit: impl FnMut(u32, u32) -> u32) {
        let class = self.ctx % CLASSES;
        let first_class = class == 0;
        #[allow(clippy::needless_range_loop)] // `sym` indexes three tables
        for sym in 0..SYMBOLS {
            let down = usize::from(self.rows[class][sym]).min(16);
            let left = if first_class { 16 } else { usize::from(self.rows[(class + CLASSES - 1) % CLASSES][sym]) };
            let k = (down * 3 + (left.cmp(&down) as i32 + 1) as usize) * 16;
            let mut node = 1usize;
            for i in (0..4).rev() {
                let p = &mut self.probs[(k + node) & (LENGTH_PROBS - 1)];
                let b = bit(u32::from(*p), u32::from(row[sym] >> i) & 1) & 1;
                if b == 1 {
                    *p += (4096 - *p) >> 3;
                } else {
                    *p -= *p >> 3;
                }
                node = node * 2 + b as usize;
            }
            row[sym] = (node - 16) as u8;
        }
        self.rows[class] = *row;
        self.ctx += 1;
    }
}

/// Reads the learned code lengths, one context after the other: the binary
/// decisions of [`crate::range::RangeEncoder::encode_bit`] decoded by
/// comparison (the general [`crate::range::RangeDecoder`] divides for every
/// decision; this reads the 74k decisions of the table in a third of the
/// instructions).
struct CodeLengths {
    model: LengthModel,
    pos: usize,
    code: u32,
    range: u32,
}

impl CodeLengths {
    fn new() -> Self {
        let mut r = Self { model: LengthModel::new(), pos: 0, code: 0, range: u32::MAX };
        for _ in 0..4 {
            r.code = (r.code << 8) | next_coded_byte(&mut r.pos);
        }
        r
    }

    /// The lengths of the next context. The table is a constant that `train
    /// lite` checked reads back exactly; a damaged one would only give
    /// incomplete codes (samples decoding as corrupt), never a panic.
    fn next_row(&mut self) -> [u8; SYMBOLS] {
        let mut row = [0u8; SYMBOLS];
        let Self { model, pos, code, range } = self;
        model.row(&mut row, |p1, _| {
            let r = *range >> 12;
            let bound = r * p1;
            let bit = if *code < bound {
                *range = bound;
                1
            } else {
                *code -= bound;
                *range = r * (4096 - p1);
                0
            };
            while *range < 1 << 24 {
                *range <<= 8;
                *code = (*code << 8) | next_coded_byte(pos);
            }
            bit
        });
        row
    }
}

/// The byte of [`CODE_LENGTHS_CODED`] at `*pos` (zero past its end), and
/// advances `pos`.
fn next_coded_byte(pos: &mut usize) -> u32 {
    let b = CODE_LENGTHS_CODED.get(*pos).copied().unwrap_or(0);
    *pos += 1;
    u32::from(b)
}

/// First canonical codeword of each length, and the number of codewords of
/// each length, of a context with code `lengths`.
fn canonical_firsts(lengths: &[u8; SYMBOLS]) -> ([u32; MAX_CODE_LEN as usize + 2], [u32; MAX_CODE_LEN as usize + 2]) {
    let mut count = [0u32; MAX_CODE_LEN as usize + 2];
    for &len in lengths {
        count[usize::from(len) & 15] += 1;
    }
    count[0] = 0;
    let mut first = [0u32; MAX_CODE_LEN as usize + 2];
    let mut code = 0u32;
    for len in 1..=MAX_CODE_LEN as usize {
        code = (code + count[len - 1]) << 1;
        first[len] = code;
    }
    (first, count)
}

/// Writes bits most significant first; whole bytes leave at once.
#[derive(Clone, Debug, Default)]
struct BitWriter {
    /// The held bits in the low end; 32 bits suffice as fewer than 8 are
    /// held and a put adds at most 21 (no 64-bit shifts on a Cortex-M0+).
    acc: u32,
    /// Bits in `acc` not yet written, always below 8 between calls.
    bits: u32,
}

impl BitWriter {
    /// Appends the low `len` (at most 24) bits of `word`.
    #[inline(always)]
    fn put<S: ByteSink>(&mut self, word: u32, len: u32, out: &mut S) {
        debug_assert!(len <= 24 && self.bits < 8);
        self.acc = (self.acc << len) | word;
        self.bits += len;
        while self.bits >= 8 {
            self.bits -= 8;
            out.put((self.acc >> self.bits) as u8);
        }
    }

    /// Exp-Golomb code of order [`ESCAPE_ORDER`] of `u` (below 2^20).
    fn put_exp_golomb<S: ByteSink>(&mut self, u: u32, out: &mut S) {
        let v = u + (1 << ESCAPE_ORDER);
        let len = 32 - v.leading_zeros();
        self.put(0, len - 1 - ESCAPE_ORDER, out);
        self.put(v, len, out);
    }

    /// Pads the last byte with zero bits.
    fn flush<S: ByteSink>(&mut self, out: &mut S) {
        if self.bits > 0 {
            self.put(0, 8 - self.bits, out);
        }
    }
}

/// Streaming encoder of one channel: push a sample, get its bytes. Owns its
/// [`Codebook`]; an implant coding many channels keeps one codebook (in ROM)
/// and a [`ChannelEncoder`] per channel instead.
pub struct Encoder {
    channel: ChannelEncoder,
    codebook: Codebook,
}

impl Encoder {
    pub fn new(lattice: AdcLattice) -> Self {
        Self { channel: ChannelEncoder::new(lattice), codebook: Codebook::new() }
    }

    /// Codes one sample; every byte it completes is written to `out` before
    /// returning.
    #[inline(always)]
    pub fn push<S: ByteSink>(&mut self, sample: i16, out: &mut S) {
        self.channel.push(&self.codebook, sample, out);
    }

    /// See [`ChannelEncoder::pending_samples`].
    pub fn pending_samples(&self) -> usize {
        self.channel.pending_samples()
    }

    /// Ends the stream: pads the last byte.
    pub fn finish<S: ByteSink>(self, out: &mut S) {
        self.channel.finish(out);
    }
}

/// The state of one channel's encoder (a few dozen bytes, fixed at compile
/// time); the codebook it codes with is shared.
#[derive(Clone, Debug)]
pub struct ChannelEncoder {
    lattice: AdcLattice,
    model: Model,
    writer: BitWriter,
}

impl ChannelEncoder {
    pub fn new(lattice: AdcLattice) -> Self {
        Self { lattice, model: Model::new(lattice), writer: BitWriter::default() }
    }

    /// Codes one sample with `codebook`; every byte it completes is written
    /// to `out` before returning.
    #[inline(always)]
    pub fn push<S: ByteSink>(&mut self, codebook: &Codebook, sample: i16, out: &mut S) {
        let p = self.model.predict();
        let code = match lattice_code(self.lattice, sample) {
            Some(c) => {
                let c = c as i32;
                self.put_code(codebook, &p, c, out);
                c
            }
            None => self.off_lattice(codebook, &p, sample, out),
        };
        self.model.update(&p, code);
    }

    /// Codes one sample given as its ADC code, as an implant's ADC delivers
    /// it: the same stream as [`ChannelEncoder::push`] of the code's value,
    /// without the value-to-code lookup. A code beyond the lattice is coded
    /// as the (clamped) value it would have.
    #[inline(always)]
    pub fn push_code<S: ByteSink>(&mut self, codebook: &Codebook, code: u16, out: &mut S) {
        if u32::from(code) >= self.lattice.len() {
            return self.push(codebook, self.lattice.value(u32::from(code)), out);
        }
        let p = self.model.predict();
        let c = i32::from(code);
        self.put_code(codebook, &p, c, out);
        self.model.update(&p, c);
    }

    /// Writes the codeword of code `c` (on the lattice) for prediction `p`:
    /// its residual's codeword, or the escape when the residual is too large.
    #[inline(always)]
    fn put_code<S: ByteSink>(&mut self, codebook: &Codebook, p: &Prediction, c: i32, out: &mut S) {
        let r = c - p.code;
        if r.unsigned_abs() > RESIDUAL_LIMIT as u32 {
            self.escape(codebook, p, c, out);
        } else {
            let (word, len) = codebook.word(p.context, (r + RESIDUAL_LIMIT) as usize);
            self.writer.put(word, len, out);
        }
    }

    /// A residual without a codeword: the escape, then the residual.
    #[cold]
    fn escape<S: ByteSink>(&mut self, codebook: &Codebook, p: &Prediction, code: i32, out: &mut S) {
        let (word, len) = codebook.word(p.context, ESCAPE);
        self.writer.put(word, len, out);
        self.writer.put_exp_golomb(zigzag(code - p.code) + 1, out);
    }

    /// A sample off the lattice: the escape, a zero, then the raw value.
    #[cold]
    fn off_lattice<S: ByteSink>(&mut self, codebook: &Codebook, p: &Prediction, sample: i16, out: &mut S) -> i32 {
        let (word, len) = codebook.word(p.context, ESCAPE);
        self.writer.put(word, len, out);
        self.writer.put_exp_golomb(0, out);
        self.writer.put(u32::from(sample as u16), 16, out);
        self.lattice.nearest_code(sample) as i32
    }

    /// A bound on the samples whose bits are not all in the output yet: the
    /// bits held, as every sample wrote at least one. Below 8, so at most
    /// [`MAX_PENDING_SAMPLES`]. (The exact count would need a per-sample
    /// record costing ~7% of the encoder's instructions.)
    pub fn pending_samples(&self) -> usize {
        self.writer.bits as usize
    }

    /// Ends the stream: pads the last byte.
    pub fn finish<S: ByteSink>(mut self, out: &mut S) {
        self.writer.flush(out);
    }
}

/// Codeword bits the decoder resolves with one table lookup; longer
/// codewords (rare) take the canonical search.
const PEEK_BITS: u32 = 8;

/// Reads bits most significant first. Past the end of the payload it reads
/// zeros; [`BitReader::overran`] then reports it.
struct BitReader<'a> {
    data: &'a [u8],
    /// Bytes loaded into `acc` so far (virtual zero bytes past the end count).
    pos: usize,
    /// Unread bits, left-aligned.
    acc: u64,
    /// Number of unread bits in `acc`.
    bits: u32,
}

impl<'a> BitReader<'a> {
    fn new(data: &'a [u8]) -> Self {
        Self { data, pos: 0, acc: 0, bits: 0 }
    }

    /// Makes sure a whole codeword is unread, loading bytes only every few
    /// samples.
    #[inline(always)]
    fn need_codeword(&mut self) {
        if self.bits < MAX_CODE_LEN {
            self.refill();
        }
    }

    /// Tops `acc` up to at least 57 unread bits.
    #[inline]
    fn refill(&mut self) {
        if self.bits > 56 {
            return;
        }
        if let Some(chunk) = self.data.get(self.pos..self.pos + 8) {
            let mut b = [0u8; 8];
            b.copy_from_slice(chunk);
            // Bits below the whole bytes counted are the next bytes' own
            // bits, so loading them again later ORs in the same values.
            self.acc |= u64::from_be_bytes(b) >> self.bits;
            let n = (63 - self.bits) >> 3;
            self.pos += n as usize;
            self.bits += n << 3;
        } else {
            while self.bits <= 56 {
                let byte = self.data.get(self.pos).copied().unwrap_or(0);
                self.acc |= u64::from(byte) << (56 - self.bits);
                self.pos += 1;
                self.bits += 8;
            }
        }
    }

    /// The next 15 bits, without consuming them (needs a codeword loaded).
    #[inline(always)]
    fn peek15(&self) -> u32 {
        (self.acc >> (64 - MAX_CODE_LEN)) as u32
    }

    /// Consumes `n` bits (at most the unread ones).
    #[inline(always)]
    fn consume(&mut self, n: u32) {
        self.acc <<= n;
        self.bits -= n;
    }

    /// Reads `n` bits, 1 to 32 (needs a refill before).
    #[inline]
    fn take(&mut self, n: u32) -> u32 {
        let v = (self.acc >> (64 - n)) as u32;
        self.consume(n);
        v
    }

    fn exp_golomb(&mut self) -> Result<u32, Error> {
        self.refill();
        let prefix = self.acc.leading_zeros();
        if prefix > ESCAPE_MAX_PREFIX {
            return Err(Error::Corrupt);
        }
        self.consume(prefix);
        let v = self.take(prefix + 1 + ESCAPE_ORDER);
        Ok(v - (1 << ESCAPE_ORDER))
    }

    /// Bits consumed so far.
    #[inline]
    fn consumed(&self) -> usize {
        self.pos * 8 - self.bits as usize
    }

    /// True once more bits were consumed than the payload holds.
    #[inline(always)]
    fn overran(&self) -> bool {
        // Cheap first test: only zeros loaded past the end can be overrun.
        self.pos > self.data.len() && self.consumed() > self.data.len() * 8
    }
}

/// The decoder's view of the canonical codes of every context.
struct DecodeTables {
    /// `symbol << 4 | length` by the next [`PEEK_BITS`] bits; 0 when the
    /// codeword is longer.
    fast: [[u16; 1 << PEEK_BITS]; CONTEXTS],
    /// Canonical search for long codewords: first codeword, codeword count
    /// and index in `sorted` of each length.
    first: [[u16; MAX_CODE_LEN as usize + 1]; CONTEXTS],
    count: [[u8; MAX_CODE_LEN as usize + 1]; CONTEXTS],
    offset: [[u8; MAX_CODE_LEN as usize + 1]; CONTEXTS],
    /// Symbols by (length, symbol).
    sorted: [[u8; SYMBOLS]; CONTEXTS],
}

impl DecodeTables {
    fn new() -> Self {
        let mut t = Self {
            fast: [[0; 1 << PEEK_BITS]; CONTEXTS],
            first: [[0; MAX_CODE_LEN as usize + 1]; CONTEXTS],
            count: [[0; MAX_CODE_LEN as usize + 1]; CONTEXTS],
            offset: [[0; MAX_CODE_LEN as usize + 1]; CONTEXTS],
            sorted: [[0; SYMBOLS]; CONTEXTS],
        };
        let mut reader = CodeLengths::new();
        for ctx in 0..CONTEXTS {
            let lengths = reader.next_row();
            let (first, count) = canonical_firsts(&lengths);
            // Counting sort of the symbols by length (ties by symbol).
            let mut next = [0u8; MAX_CODE_LEN as usize + 1];
            let mut k = 0u8;
            for len in 1..=MAX_CODE_LEN as usize {
                t.first[ctx][len] = first[len] as u16;
                t.count[ctx][len] = count[len] as u8;
                t.offset[ctx][len] = k;
                next[len] = k;
                k += count[len] as u8;
            }
            for (sym, &len) in lengths.iter().enumerate() {
                let len = usize::from(len) & 15;
                t.sorted[ctx][usize::from(next[len]) % SYMBOLS] = sym as u8;
                next[len] += 1;
            }
            // Canonical codewords increase in sorted order, so the short ones
            // cover the fast table from its start, each 2^(PEEK - len) slots.
            let fast = &mut t.fast[ctx];
            let mut slot = 0usize;
            for &sym in &t.sorted[ctx] {
                let len = u32::from(lengths[usize::from(sym) % SYMBOLS]);
                if len > PEEK_BITS {
                    break;
                }
                let entry = u16::from(sym) << 4 | len as u16;
                for e in fast.iter_mut().skip(slot).take(1 << (PEEK_BITS - len)) {
                    *e = entry;
                }
                slot += 1 << (PEEK_BITS - len);
            }
        }
        t
    }

    /// The symbol and codeword length that `next15` (the next 15 bits) starts with.
    #[inline(always)]
    fn symbol(&self, ctx: usize, next15: u32) -> Result<(usize, u32), Error> {
        let e = self.fast[ctx][(next15 >> (MAX_CODE_LEN - PEEK_BITS)) as usize];
        if e != 0 {
            return Ok(((e >> 4) as usize, u32::from(e & 15)));
        }
        for len in PEEK_BITS + 1..=MAX_CODE_LEN {
            let c = next15 >> (MAX_CODE_LEN - len);
            let i = c.wrapping_sub(u32::from(self.first[ctx][len as usize]));
            if i < u32::from(self.count[ctx][len as usize]) {
                let k = self.offset[ctx][len as usize] as usize + i as usize;
                return Ok((self.sorted[ctx][k] as usize, len));
            }
        }
        // Only a table whose code is not complete leaves patterns unused.
        Err(Error::Corrupt)
    }
}

/// Decoder of one `lite` channel payload.
pub struct Decoder<'a> {
    lattice: AdcLattice,
    codes: u32,
    model: Model,
    reader: BitReader<'a>,
    tables: DecodeTables,
}

impl<'a> Decoder<'a> {
    pub fn new(lattice: AdcLattice, payload: &'a [u8]) -> Self {
        Self { lattice, codes: lattice.len(), model: Model::new(lattice), reader: BitReader::new(payload), tables: DecodeTables::new() }
    }

    #[inline(always)]
    pub fn next_sample(&mut self) -> Result<i16, Error> {
        let p = self.model.predict();
        self.reader.need_codeword();
        let (sym, len) = self.tables.symbol(p.context, self.reader.peek15())?;
        self.reader.consume(len);
        let residual = if sym != ESCAPE {
            sym as i32 - RESIDUAL_LIMIT
        } else {
            let u = self.reader.exp_golomb()?;
            if u == 0 {
                return self.off_lattice(&p);
            }
            let r = unzigzag(u - 1);
            // The encoder escapes only residuals without a codeword.
            if symbol(r) != ESCAPE {
                return Err(Error::Corrupt);
            }
            r
        };
        let code = p.code + residual;
        if code as u32 >= self.codes || self.reader.overran() {
            return Err(Error::Corrupt);
        }
        self.model.update(&p, code);
        Ok(lattice_value(self.lattice, code as u32))
    }

    #[cold]
    fn off_lattice(&mut self, p: &Prediction) -> Result<i16, Error> {
        self.reader.refill();
        let value = self.reader.take(16) as u16 as i16;
        // The encoder sends only off-lattice values this way.
        if lattice_code(self.lattice, value).is_some() || self.reader.overran() {
            return Err(Error::Corrupt);
        }
        self.model.update(p, self.lattice.nearest_code(value) as i32);
        Ok(value)
    }

    /// Checks the end of the payload: nothing but the zero padding of the
    /// last byte may remain.
    pub fn finish(mut self) -> Result<(), Error> {
        self.reader.refill();
        let left = (self.reader.data.len() * 8).checked_sub(self.reader.consumed()).ok_or(Error::Corrupt)?;
        if left >= 8 || (left > 0 && self.reader.acc >> (64 - left) != 0) {
            return Err(Error::Corrupt);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
