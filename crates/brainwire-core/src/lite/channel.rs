//! [`ChannelEncoder`]: one channel's few bytes of `lite` encoder state,
//! coding sample by sample with a shared [`Codebook`] (the implant's shape).
//!
//! Invariant (bounded delay): each sample's codeword goes to the bit writer
//! at once and whole 16-bit words leave immediately, so fewer than 16 bits
//! are ever held back. Every codeword is at least one bit long, hence at most
//! [`MAX_PENDING_SAMPLES`] samples have bits not yet in the output. There is
//! no carry: a prefix code never changes written bits.

use super::bits::BitWriter;
use super::codebook::{Codebook, CONTEXT_ROWS};
use super::model::{Model, Prediction, ESCAPE, RESIDUAL_LIMIT};
use crate::lattice::AdcLattice;
use crate::packed::zigzag;
use crate::sink::ByteSink;

/// Most samples with bits still inside the encoder: the bit writer holds
/// fewer than 16 bits and every sample adds at least one (0.77 ms at
/// 19.5 kHz).
pub const MAX_PENDING_SAMPLES: usize = 15;

/// The state of one channel's encoder (a few dozen bytes, fixed at compile
/// time); the codebook it codes with is shared.
#[derive(Clone, Debug)]
pub struct ChannelEncoder {
    pub(super) lattice: AdcLattice,
    pub(super) model: Model,
    pub(super) writer: BitWriter,
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
        let p = self.model.predict();
        let sym = (c - p.code + RESIDUAL_LIMIT) as u32 as usize;
        if sym >= ESCAPE {
            return self.escape(codebook, &p, c, out);
        }
        let ctx = p.context & (CONTEXT_ROWS - 1);
        self.writer.put(u32::from(codebook.codes[ctx][sym]), u32::from(codebook.lengths[ctx][sym]), out);
        self.model.learn(&codebook.energy, c, sym);
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
