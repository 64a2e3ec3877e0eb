//! The `lite` encoders: [`ChannelEncoder`], one channel's few bytes of state
//! coding with a shared [`Codebook`] (the implant's shape), and [`Encoder`],
//! a single channel that owns its codebook (the files' shape).
//!
//! Invariant (bounded delay): each sample's codeword goes to the bit writer
//! at once and whole 16-bit words leave immediately, so fewer than 16 bits
//! are ever held back. Every codeword is at least one bit long, hence at most
//! [`MAX_PENDING_SAMPLES`] samples have bits not yet in the output. There is
//! no carry: a prefix code never changes written bits.

use super::bits::BitWriter;
use super::codebook::{Codebook, CONTEXT_ROWS};
use super::model::{Model, Prediction, ESCAPE, RESIDUAL_LIMIT};
use super::zigzag;
use crate::lattice::AdcLattice;
use crate::range::ByteSink;

/// Most samples with bits still inside the encoder: the bit writer holds
/// fewer than 16 bits and every sample adds at least one (0.77 ms at
/// 19.5 kHz).
pub const MAX_PENDING_SAMPLES: usize = 15;

/// The state of one channel's encoder (a few dozen bytes, fixed at compile
/// time); the codebook it codes with is shared.
#[derive(Clone, Debug)]
pub struct ChannelEncoder {
    lattice: AdcLattice,
    model: Model,
    writer: BitWriter,
    /// Samples coded off the lattice so far.
    off_lattice: u32,
}

impl ChannelEncoder {
    pub fn new(lattice: AdcLattice) -> Self {
        Self { lattice, model: Model::new(lattice), writer: BitWriter::default(), off_lattice: 0 }
    }

    /// Codes one sample with `codebook`; every 16-bit word it completes is
    /// written to `out` before returning.
    #[inline(always)]
    pub fn push<S: ByteSink>(&mut self, codebook: &Codebook, sample: i16, out: &mut S) {
        let code = match self.lattice {
            AdcLattice::Neuralink10 => codebook.ten_bit_code(sample as u16),
            _ => self.lattice.code(sample).map(|c| c as i32),
        };
        match code {
            Some(c) => self.code(codebook, c, out),
            None => self.off_lattice(codebook, sample, out),
        }
    }

    /// Codes one sample given as its ADC code, as an implant's ADC delivers
    /// it: the same stream as [`ChannelEncoder::push`] of the code's value,
    /// without the value-to-code mapping. A code beyond the lattice is coded
    /// as the (clamped) value it would have.
    #[inline(always)]
    pub fn push_code<S: ByteSink>(&mut self, codebook: &Codebook, code: u16, out: &mut S) {
        if u32::from(code) >= self.lattice.len() {
            return self.push(codebook, self.lattice.value(u32::from(code)), out);
        }
        self.code(codebook, i32::from(code), out);
    }

    /// Codes lattice code `c`: its residual's codeword, or the escape.
    #[inline(always)]
    fn code<S: ByteSink>(&mut self, codebook: &Codebook, c: i32, out: &mut S) {
        if !self.code_in_table(codebook, c, out) {
            let p = self.model.predict();
            self.escape(codebook, &p, c, out);
        }
    }

    /// Codes lattice code `c` if its residual has a codeword; false (and
    /// nothing done) if it needs the escape.
    #[inline(always)]
    fn code_in_table<S: ByteSink>(&mut self, codebook: &Codebook, c: i32, out: &mut S) -> bool {
        let p = self.model.predict();
        let sym = (c - p.code + RESIDUAL_LIMIT) as u32 as usize;
        if sym >= ESCAPE {
            return false;
        }
        let ctx = p.context & (CONTEXT_ROWS - 1);
        self.writer.put(u32::from(codebook.codes[ctx][sym]), u32::from(codebook.lengths[ctx][sym]), out);
        self.model.learn(&codebook.energy, c, sym);
        true
    }

    /// [`ChannelEncoder::push`] out of line, taking and giving back the
    /// state by value so that a block loop keeps it in registers.
    #[inline(never)]
    fn push_cold<S: ByteSink>(mut self, codebook: &Codebook, sample: i16, out: &mut S) -> Self {
        self.push(codebook, sample, out);
        self
    }

    /// A residual without a codeword: the escape, then the residual.
    #[cold]
    fn escape<S: ByteSink>(&mut self, codebook: &Codebook, p: &Prediction, code: i32, out: &mut S) {
        let (word, len) = codebook.word(p.context, ESCAPE);
        self.writer.put(word, len, out);
        self.writer.put_exp_golomb(zigzag(code - p.code) + 1, out);
        self.model.learn_any(p, code);
    }

    /// A sample off the lattice: the escape, a zero, then the raw value.
    #[cold]
    fn off_lattice<S: ByteSink>(&mut self, codebook: &Codebook, sample: i16, out: &mut S) {
        let p = self.model.predict();
        let (word, len) = codebook.word(p.context, ESCAPE);
        self.writer.put(word, len, out);
        self.writer.put_exp_golomb(0, out);
        self.writer.put(u32::from(sample as u16), 16, out);
        self.model.learn_any(&p, self.lattice.nearest_code(sample) as i32);
        self.off_lattice = self.off_lattice.saturating_add(1);
    }

    /// Samples coded off the lattice so far: with
    /// [`AdcLattice::choose`], whether another lattice would have served
    /// better (a container can then code again, instead of scanning the
    /// samples before coding).
    pub fn off_lattice_samples(&self) -> usize {
        self.off_lattice as usize
    }

    /// A bound on the samples whose bits are not all in the output yet: the
    /// bits held, as every sample wrote at least one. Below 16, so at most
    /// [`MAX_PENDING_SAMPLES`].
    pub fn pending_samples(&self) -> usize {
        self.writer.pending_bits() as usize
    }

    /// Ends the stream: writes the held bits, the last byte zero-padded.
    pub fn finish<S: ByteSink>(mut self, out: &mut S) {
        self.writer.flush(out);
    }
}

/// Words a block encode gathers before handing them to the sink in one call.
const CHUNK_WORDS: usize = 1024;

/// The sink of a block encode: whole 16-bit words land in a local buffer
/// (two instructions, no call), which goes to the real sink when full and at
/// the end of the block.
struct Chunk<'a, S: ByteSink> {
    words: [[u8; 2]; CHUNK_WORDS],
    len: usize,
    out: &'a mut S,
}

impl<S: ByteSink> Chunk<'_, S> {
    fn drain(&mut self) {
        drain(self.out, &self.words[..self.len]);
        self.len = 0;
    }
}

/// Hands whole words to the sink. A free function of the words alone, so
/// that the chunk's length, not passed, stays in a register.
#[inline(never)]
fn drain<S: ByteSink>(out: &mut S, words: &[[u8; 2]]) {
    out.put_slice(words.as_flattened());
}

impl<S: ByteSink> ByteSink for Chunk<'_, S> {
    /// A lone byte (the final flush, escapes): keeps the order of the
    /// bytes, draining the words first.
    fn put(&mut self, byte: u8) {
        self.drain();
        self.out.put(byte);
    }

    #[inline(always)]
    fn put2(&mut self, bytes: [u8; 2]) {
        self.words[self.len & (CHUNK_WORDS - 1)] = bytes;
        self.len += 1;
        if self.len == CHUNK_WORDS {
            drain(self.out, &self.words);
            self.len = 0;
        }
    }
}

/// The samples of little-endian 16-bit words: an iterator that inlines at
/// opt-level "z", where the library's adapters cost a call per sample.
#[derive(Clone)]
struct LeSamples<'a>(core::slice::Iter<'a, [u8; 2]>);

impl Iterator for LeSamples<'_> {
    type Item = i16;

    #[inline(always)]
    fn next(&mut self) -> Option<i16> {
        self.0.next().map(|&pair| i16::from_le_bytes(pair))
    }
}

/// Streaming encoder of one channel that owns its [`Codebook`]: push a
/// sample (or a block of them), get its bytes.
pub struct Encoder {
    channel: ChannelEncoder,
    codebook: Codebook,
}

impl Encoder {
    /// Inlined: built where the caller keeps it, not moved there (a move
    /// costs an instruction per byte under callgrind, and the tables are
    /// tens of kilobytes).
    #[inline(always)]
    pub fn new(lattice: AdcLattice) -> Self {
        Self { channel: ChannelEncoder::new(lattice), codebook: Codebook::new() }
    }

    /// Codes one sample; every 16-bit word it completes is written to `out`
    /// before returning.
    #[inline(always)]
    pub fn push<S: ByteSink>(&mut self, sample: i16, out: &mut S) {
        self.channel.push(&self.codebook, sample, out);
    }

    /// Codes a block of samples: the same bytes as pushing them one by one,
    /// all written to `out` before returning. The channel state lives in
    /// registers for the whole block; only escapes leave the loop.
    pub fn push_all<S: ByteSink>(&mut self, samples: &[i16], out: &mut S) {
        self.push_each(samples.iter().copied(), out);
    }

    /// Codes a block of samples given as little-endian 16-bit words (a WAV
    /// file's sample bytes; an odd last byte is ignored), as
    /// [`Encoder::push_all`] would code them.
    pub fn push_le<S: ByteSink>(&mut self, le: &[u8], out: &mut S) {
        self.push_each(LeSamples(le.as_chunks::<2>().0.iter()), out);
    }

    #[inline(always)]
    fn push_each<S: ByteSink>(&mut self, samples: impl Iterator<Item = i16> + Clone, out: &mut S) {
        let codebook = &self.codebook;
        let mut ch = self.channel.clone();
        let mut chunk = Chunk { words: [[0; 2]; CHUNK_WORDS], len: 0, out };
        if ch.lattice == AdcLattice::Neuralink10 {
            for s in samples {
                match codebook.ten_bit_code(s as u16) {
                    Some(c) if ch.code_in_table(codebook, c, &mut chunk) => {}
                    _ => ch = ch.push_cold(codebook, s, &mut chunk),
                }
            }
        } else {
            for s in samples {
                ch = ch.push_cold(codebook, s, &mut chunk);
            }
        }
        chunk.drain();
        self.channel = ch;
    }

    /// See [`ChannelEncoder::pending_samples`].
    pub fn pending_samples(&self) -> usize {
        self.channel.pending_samples()
    }

    /// See [`ChannelEncoder::off_lattice_samples`].
    pub fn off_lattice_samples(&self) -> usize {
        self.channel.off_lattice_samples()
    }

    /// Ends the stream: writes the held bits, the last byte zero-padded.
    pub fn finish<S: ByteSink>(self, out: &mut S) {
        self.channel.finish(out);
    }
}
