//! The `lite` profile: the implant's encoder. Integer-only, allocation-free,
//! fixed memory, tens of instructions per sample, and a hard bound on how long
//! any sample's bits stay inside the encoder.
//!
//! Per sample, in ADC code units ([`AdcLattice::code`]):
//! 1. **Prediction** ([`Model`]): the previous code plus an 8-tap sign-sign
//!    LMS filter over the recent first differences (weights Q12, start at
//!    weights learned offline). Sign-sign updates cost no multiplications.
//! 2. **Context**: the recent residual energy (an exponential average of
//!    |residual|, bucketed two buckets per octave, [`BUCKETS`] buckets) times
//!    the prediction's code class `prediction mod 16` ([`CLASSES`]). The class
//!    carries the ADC's irregular code widths: the same 16-code pattern of
//!    wide and narrow codes repeats over the whole range, so a table per class
//!    knows which codes near the prediction are likely.
//! 3. **Coding**: a static canonical prefix code per context, learned offline
//!    by `train lite` ([`tables`]), over residuals in
//!    `-RESIDUAL_LIMIT..=RESIDUAL_LIMIT` plus an escape. An escape is followed
//!    by an Exp-Golomb code of the residual, or of zero and then the raw 16-bit
//!    value for a sample off the lattice (exact whatever the lattice).
//!
//! Invariants:
//! - encoder and decoder run the same [`Model`] on the same codes, so they
//!   agree on every prediction and context;
//! - **bounded delay**: each sample's codeword goes to the bit writer at once
//!   and whole bytes leave immediately, so fewer than 8 bits are ever held
//!   back. Every codeword is at least one bit long, hence at most
//!   [`MAX_PENDING_SAMPLES`] = 7 samples (0.36 ms at 19.5 kHz) have bits not
//!   yet in the output; [`Encoder::pending_samples`] reports the current
//!   number. There is no carry: a prefix code never changes written bits;
//! - the decoder never reads outside its payload and never panics: bits past
//!   the end read as zero and make the sample fail with [`Error::Corrupt`];
//!   invalid codewords, impossible codes and nonzero padding do the same.

mod tables;

use crate::error::Error;
use crate::lattice::AdcLattice;
use crate::range::ByteSink;

pub use tables::{CODE_LENGTHS_PACKED, INITIAL_WEIGHTS};

/// Residuals with their own codeword: `-RESIDUAL_LIMIT..=RESIDUAL_LIMIT`.
pub const RESIDUAL_LIMIT: i32 = 47;
/// Codeword symbols per context: the residuals plus the escape.
pub const SYMBOLS: usize = 2 * RESIDUAL_LIMIT as usize + 2;
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
/// Upper bound on [`Encoder::pending_samples`]: the bit writer holds fewer
/// than 8 bits and every sample adds at least one.
pub const MAX_PENDING_SAMPLES: usize = 7;

/// LMS taps over the recent first differences.
pub const TAPS: usize = 8;
/// Fraction bits of the LMS weights.
const WEIGHT_BITS: u32 = 12;
/// Step of the sign-sign LMS update, in weight units (2^-12).
const LMS_STEP: i32 = 4;
/// Weights stay within ±8.0 so the dot product cannot overflow `i32`.
const WEIGHT_LIMIT: i32 = 8 << WEIGHT_BITS;
/// Differences enter the filter clamped to ±2047 codes (only `Identity16`
/// recordings come near): with the weight limit, |dot| < 2^29.
const DIFF_LIMIT: i32 = 2047;
/// The energy average forgets with time constant 2^ENERGY_SHIFT samples.
const ENERGY_SHIFT: u32 = 3;
/// `energy >> ENERGY_SHIFT` is 16 × the mean |residual|; this is its start.
const ENERGY_START: u32 = (16 * 6) << ENERGY_SHIFT;
/// |residual| enters the energy clamped so the average stays far from overflow.
const ENERGY_INPUT_LIMIT: u32 = 1 << 16;
/// Half-octave steps of `16 × mean |residual|` below the first bucket's top
/// (mean |residual| < 2 codes).
const BUCKET_OFFSET: u32 = 8;
/// Exp-Golomb order of escape payloads.
const ESCAPE_ORDER: u32 = 5;
/// Longest Exp-Golomb prefix a valid escape has (its payload is below 2^18).
const ESCAPE_MAX_PREFIX: u32 = 18 - ESCAPE_ORDER;

/// Code lengths of context `ctx`, symbol `sym`, from the nibble-packed table.
#[inline]
pub fn code_length(ctx: usize, sym: usize) -> u32 {
    let i = ctx * SYMBOLS + sym;
    u32::from((CODE_LENGTHS_PACKED[i / 2] >> ((i & 1) * 4)) & 15)
}

/// The residual-energy bucket of an energy average: two buckets per octave of
/// the mean |residual|, clamped to `0..BUCKETS`.
#[inline]
fn bucket(energy: u32) -> usize {
    let e = (energy >> ENERGY_SHIFT) + 1;
    let octave = 31 - e.leading_zeros();
    // The bit below the leading one: upper or lower half of the octave.
    let half = ((e << 1) >> octave) & 1;
    ((2 * octave + half).saturating_sub(BUCKET_OFFSET) as usize).min(BUCKETS - 1)
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
    /// The LMS filter output (Q12 difference), kept for its update.
    lms: i32,
}

/// The prediction and context state of one channel, shared by encoder,
/// decoder and the table trainer.
#[derive(Clone, Debug)]
pub struct Model {
    top_code: i32,
    last: i32,
    /// Recent first differences, newest first.
    diffs: [i32; TAPS],
    weights: [i32; TAPS],
    energy: u32,
}

impl Model {
    pub fn new(lattice: AdcLattice) -> Self {
        Self::with_weights(lattice, INITIAL_WEIGHTS)
    }

    /// A model whose LMS starts at `weights` (the trainer learns the defaults).
    pub fn with_weights(lattice: AdcLattice, weights: [i32; TAPS]) -> Self {
        Self {
            top_code: lattice.len() as i32 - 1,
            last: (lattice.len() / 2) as i32,
            diffs: [0; TAPS],
            weights,
            energy: ENERGY_START,
        }
    }

    /// The LMS weights now (the trainer averages them into the start weights).
    pub fn weights(&self) -> [i32; TAPS] {
        self.weights
    }

    #[inline]
    pub fn predict(&self) -> Prediction {
        let mut lms = 0i32;
        for i in 0..TAPS {
            lms += self.weights[i] * self.diffs[i];
        }
        let code = (self.last + ((lms + (1 << (WEIGHT_BITS - 1))) >> WEIGHT_BITS)).clamp(0, self.top_code);
        let context = bucket(self.energy) * CLASSES + (code as usize & (CLASSES - 1));
        Prediction { code, context, lms }
    }

    /// Learns the actual `code` (the nearest code for an off-lattice sample).
    #[inline]
    pub fn update(&mut self, p: &Prediction, code: i32) {
        let residual = (code - p.code).unsigned_abs().min(ENERGY_INPUT_LIMIT);
        self.energy = self.energy + (residual << 4) - (self.energy >> ENERGY_SHIFT);
        let diff = code - self.last;
        // Sign-sign LMS: step each weight towards reducing the error's sign.
        let err = (diff << WEIGHT_BITS) - p.lms;
        let step = LMS_STEP * err.signum();
        for i in 0..TAPS {
            let w = self.weights[i] + step * self.diffs[i].signum();
            self.weights[i] = w.clamp(-WEIGHT_LIMIT, WEIGHT_LIMIT);
        }
        self.diffs.copy_within(0..TAPS - 1, 1);
        self.diffs[0] = diff.clamp(-DIFF_LIMIT, DIFF_LIMIT);
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
    words: [[u32; SYMBOLS]; CONTEXTS],
}

impl Codebook {
    /// Builds the canonical codes from the learned lengths (shortest first,
    /// ties by symbol), as the decoder's tables assume.
    pub fn new() -> Self {
        let mut words = [[0u32; SYMBOLS]; CONTEXTS];
        for (ctx, row) in words.iter_mut().enumerate() {
            let (first, _) = canonical_firsts(ctx);
            let mut next = first;
            for (sym, w) in row.iter_mut().enumerate() {
                let len = code_length(ctx, sym);
                *w = (next[len as usize] << 4) | len;
                next[len as usize] += 1;
            }
        }
        Self { words }
    }

    /// Codeword and length of `sym` in context `ctx`.
    #[inline]
    pub fn word(&self, ctx: usize, sym: usize) -> (u32, u32) {
        let w = self.words[ctx][sym];
        (w >> 4, w & 15)
    }
}

impl Default for Codebook {
    fn default() -> Self {
        Self::new()
    }
}

/// First canonical codeword of each length in context `ctx`, and the number
/// of codewords of each length.
fn canonical_firsts(ctx: usize) -> ([u32; MAX_CODE_LEN as usize + 2], [u32; MAX_CODE_LEN as usize + 2]) {
    let mut count = [0u32; MAX_CODE_LEN as usize + 2];
    for sym in 0..SYMBOLS {
        count[code_length(ctx, sym) as usize] += 1;
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
    acc: u64,
    /// Bits in `acc` not yet written, always below 8 between calls.
    bits: u32,
    /// Bits put since the encoder last looked (for the delay accounting).
    written: u32,
}

impl BitWriter {
    /// Appends the low `len` (at most 32) bits of `word`.
    #[inline]
    fn put<S: ByteSink>(&mut self, word: u32, len: u32, out: &mut S) {
        self.acc = (self.acc << len) | u64::from(word);
        self.bits += len;
        self.written += len;
        while self.bits >= 8 {
            self.bits -= 8;
            out.put((self.acc >> self.bits) as u8);
        }
    }

    /// Exp-Golomb code of order [`ESCAPE_ORDER`] of `u` (below 2^18).
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

/// Streaming encoder of one channel: push a sample, get its bytes.
pub struct Encoder {
    lattice: AdcLattice,
    model: Model,
    codebook: Codebook,
    writer: BitWriter,
    pending: usize,
}

impl Encoder {
    pub fn new(lattice: AdcLattice) -> Self {
        Self { lattice, model: Model::new(lattice), codebook: Codebook::new(), writer: BitWriter::default(), pending: 0 }
    }

    /// Codes one sample; every byte it completes is written to `out` before
    /// returning.
    #[inline]
    pub fn push<S: ByteSink>(&mut self, sample: i16, out: &mut S) {
        let p = self.model.predict();
        let code = self.lattice.code(sample);
        let code = match code {
            Some(c) => {
                let c = c as i32;
                let sym = symbol(c - p.code);
                let (word, len) = self.codebook.word(p.context, sym);
                self.writer.put(word, len, out);
                if sym == ESCAPE {
                    self.writer.put_exp_golomb(zigzag(c - p.code) + 1, out);
                }
                c
            }
            None => {
                let (word, len) = self.codebook.word(p.context, ESCAPE);
                self.writer.put(word, len, out);
                self.writer.put_exp_golomb(0, out);
                self.writer.put(u32::from(sample as u16), 16, out);
                self.lattice.nearest_code(sample) as i32
            }
        };
        self.model.update(&p, code);
        let written = core::mem::take(&mut self.writer.written);
        let held = self.writer.bits;
        // The held-back bits are the last `held` bits written: this sample's
        // alone when it wrote at least that many (older samples then have all
        // their bits out), otherwise older samples still share them. Without
        // a byte leaving, every sample pending adds a bit to fewer than 8, so
        // the count never exceeds MAX_PENDING_SAMPLES.
        self.pending = if held == 0 {
            0
        } else if written >= held {
            1
        } else {
            self.pending + 1
        };
    }

    /// Samples whose bits are not all in the output yet (at most
    /// [`MAX_PENDING_SAMPLES`]).
    pub fn pending_samples(&self) -> usize {
        self.pending
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

    /// The next 15 bits, without consuming them (needs a refill before).
    #[inline]
    fn peek15(&self) -> u32 {
        (self.acc >> (64 - MAX_CODE_LEN)) as u32
    }

    /// Consumes `n` bits (at most the unread ones).
    #[inline]
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
    #[inline]
    fn overran(&self) -> bool {
        self.consumed() > self.data.len() * 8
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
    fn new(codebook: &Codebook) -> Self {
        let mut t = Self {
            fast: [[0; 1 << PEEK_BITS]; CONTEXTS],
            first: [[0; MAX_CODE_LEN as usize + 1]; CONTEXTS],
            count: [[0; MAX_CODE_LEN as usize + 1]; CONTEXTS],
            offset: [[0; MAX_CODE_LEN as usize + 1]; CONTEXTS],
            sorted: [[0; SYMBOLS]; CONTEXTS],
        };
        for ctx in 0..CONTEXTS {
            let (first, count) = canonical_firsts(ctx);
            let mut k = 0usize;
            for len in 1..=MAX_CODE_LEN {
                t.first[ctx][len as usize] = first[len as usize] as u16;
                t.count[ctx][len as usize] = count[len as usize] as u8;
                t.offset[ctx][len as usize] = k as u8;
                for sym in 0..SYMBOLS {
                    if code_length(ctx, sym) == len {
                        t.sorted[ctx][k] = sym as u8;
                        k += 1;
                    }
                }
            }
            for sym in 0..SYMBOLS {
                let (word, len) = codebook.word(ctx, sym);
                if len >= 1 && len <= PEEK_BITS {
                    let lo = (word << (PEEK_BITS - len)) as usize;
                    let hi = ((word + 1) << (PEEK_BITS - len)) as usize;
                    for e in &mut t.fast[ctx][lo..hi] {
                        *e = (sym as u16) << 4 | len as u16;
                    }
                }
            }
        }
        t
    }

    /// The symbol and codeword length that `next15` (the next 15 bits) starts with.
    #[inline]
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
    model: Model,
    reader: BitReader<'a>,
    tables: DecodeTables,
}

impl<'a> Decoder<'a> {
    pub fn new(lattice: AdcLattice, payload: &'a [u8]) -> Self {
        Self { lattice, model: Model::new(lattice), reader: BitReader::new(payload), tables: DecodeTables::new(&Codebook::new()) }
    }

    #[inline]
    pub fn next_sample(&mut self) -> Result<i16, Error> {
        let p = self.model.predict();
        self.reader.refill();
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
        if code < 0 || code > self.model.top_code || self.reader.overran() {
            return Err(Error::Corrupt);
        }
        self.model.update(&p, code);
        Ok(self.lattice.value(code as u32))
    }

    #[cold]
    fn off_lattice(&mut self, p: &Prediction) -> Result<i16, Error> {
        self.reader.refill();
        let value = self.reader.take(16) as u16 as i16;
        // The encoder sends only off-lattice values this way.
        if self.lattice.code(value).is_some() || self.reader.overran() {
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
