//! The `fast` profile: `max`'s model (each code gets the mass of its analog
//! interval under a Gaussian around an NLMS prediction on ADC codes, with the
//! learned code edges and a scale from fast and slow means of the squared
//! residual), with every step made cheap.
//!
//! - The scale is one of [`BUCKETS`] buckets (the variance's octave and top
//!   four mantissa bits: 8 buckets per octave of `s`), so `s`, `1/s`, the
//!   window and the frequency scale are a table row instead of a square root
//!   and three divisions a sample.
//! - Frequencies are the CDF at each code edge times a per-bucket constant
//!   plus a floor of 1 per code, not renormalised to the window's mass: a
//!   code costs two CDF lookups in the encoder, none for the window's edges.
//!   (The mass outside ±6 s is left unused, ~1e-9.)
//! - The filter (16 taps on code differences, as `max`) runs in 32-bit
//!   arithmetic on whole codes and normalises its step with a reciprocal
//!   table instead of a 64-bit division.
//! - The decoder turns the target into a CDF value with a multiply and
//!   inverts it with a direct table, then checks the guess with the same two
//!   lookups as the encoder.
//!
//! Invariant: the model is pure integer arithmetic on the samples seen so far
//! (every table is built from integer constants when a model starts), so
//! encoder and decoder compute identical frequencies on any machine; every
//! coded symbol has a non-zero frequency and every total is [`TOTAL`].

mod edges;
mod model;
pub mod swift;
pub mod priors;
#[cfg(test)]
mod tests;

use crate::error::Error;
use crate::lattice::AdcLattice;
use crate::range::{RangeDecoder, RangeEncoder};
use crate::sink::ByteSink;
pub use edges::{Edges, LearnedEdges, PriorEdges};
pub use model::{Model, Window, BUCKETS, BUCKET_BITS, ESCAPE_FREQ, TAPS, TOTAL};

/// Encoder of one channel in the `fast` profile: with `LEVEL` (the
/// default) profile 6, without it profile 5.
pub struct Encoder<const LEVEL: bool = true, E: Edges = PriorEdges> {
    model: Model<LEVEL, E>,
    rc: RangeEncoder,
}

/// Profile 5's encoder and decoder (no level term).
pub type Encoder5 = Encoder<false>;
pub type Decoder5<'a> = Decoder<'a, false>;

/// Profile 8's encoder and decoder: profile 6 with code widths learned
/// from the stream in place of the built-in prior.
pub type EncoderLearned = Encoder<true, LearnedEdges>;
pub type DecoderLearned<'a> = Decoder<'a, true, LearnedEdges>;

impl<const LEVEL: bool, E: Edges> Encoder<LEVEL, E> {
    pub fn new(lattice: AdcLattice) -> Self {
        Self { model: Model::new(lattice), rc: RangeEncoder::new() }
    }

    /// Codes one sample.
    #[inline(always)]
    pub fn push<S: ByteSink>(&mut self, sample: i16, out: &mut S) {
        let m = &mut self.model;
        let w = m.window();
        let code = match m.code_of(sample) {
            Some(c) if w.contains(c) => {
                let (cum, freq) = m.interval(&w, c);
                self.rc.encode(cum, freq, TOTAL, out);
                c
            }
            on_lattice => encode_escape(&mut self.rc, m, sample, on_lattice, out),
        };
        m.learn(code);
    }

    /// Codes the little-endian 16-bit words of `le` (an odd last byte is
    /// ignored): the same bytes as pushing them one by one.
    pub fn push_le<S: ByteSink>(&mut self, le: &[u8], out: &mut S) {
        for pair in le.chunks_exact(2) {
            self.push(i16::from_le_bytes([pair[0], pair[1]]), out);
        }
    }

    /// Codes a block of samples.
    pub fn push_all<S: ByteSink>(&mut self, samples: &[i16], out: &mut S) {
        for &s in samples {
            self.push(s, out);
        }
    }

    /// Writes out the coder's final state.
    pub fn finish<S: ByteSink>(self, out: &mut S) {
        self.rc.finish(out);
    }
}

/// Decoder of one channel in the `fast` profile (`LEVEL` as [`Encoder`]).
pub struct Decoder<'a, const LEVEL: bool = true, E: Edges = PriorEdges> {
    model: Model<LEVEL, E>,
    rc: RangeDecoder<'a>,
}

impl<'a, const LEVEL: bool, E: Edges> Decoder<'a, LEVEL, E> {
    pub fn new(lattice: AdcLattice, payload: &'a [u8]) -> Self {
        Self { model: Model::new(lattice), rc: RangeDecoder::new(payload) }
    }

    /// Decodes the next sample; `Error::Corrupt` when the stream cannot have
    /// been written by [`Encoder`].
    #[inline(always)]
    pub fn next_sample(&mut self) -> Result<i16, Error> {
        let m = &mut self.model;
        let w = m.window();
        let (code, value) = decode_in_window(&mut self.rc, m, &w)?;
        // The decoder reads exactly the bytes the encoder wrote; needing one
        // more means the stream was cut or its sample count lies.
        if self.rc.overran() {
            return Err(Error::Corrupt);
        }
        m.learn(code);
        Ok(value)
    }

    /// Decodes the next `out.len() / 2` samples into `out` as little-endian
    /// words; an odd last byte is left alone.
    pub fn decode_le(&mut self, out: &mut [u8]) -> Result<(), Error> {
        for pair in out.chunks_exact_mut(2) {
            pair.copy_from_slice(&self.next_sample()?.to_le_bytes());
        }
        Ok(())
    }

    /// Fills `out` with the next samples.
    pub fn decode_into(&mut self, out: &mut [i16]) -> Result<(), Error> {
        for s in out.iter_mut() {
            *s = self.next_sample()?;
        }
        Ok(())
    }

    /// Checks the stream ended exactly where the encoder ended it.
    pub fn finish(self) -> Result<(), Error> {
        if self.rc.at_end() { Ok(()) } else { Err(Error::Corrupt) }
    }
}

/// A sample outside the window or off the lattice: the escape, a decision,
/// then its code or its value in plain bits; returns the code the model
/// learns (an off-lattice value's nearest code). Out of line: escapes are
/// rare.
#[inline(never)]
pub(super) fn encode_escape<const LEVEL: bool, E: Edges, S: ByteSink>(rc: &mut RangeEncoder, m: &Model<LEVEL, E>, sample: i16, on_lattice: Option<u32>, out: &mut S) -> u32 {
    rc.encode(TOTAL - ESCAPE_FREQ, ESCAPE_FREQ, TOTAL, out);
    rc.encode_bit(on_lattice.is_none(), 2048, out);
    match on_lattice {
        Some(c) => {
            rc.encode_bits(c, m.code_bits(), out);
            c
        }
        None => {
            rc.encode_bits(u32::from(sample as u16), 16, out);
            m.lattice().nearest_code(sample)
        }
    }
}

/// Decodes one sample in its window `w`: its code (what the model learns)
/// and its value, by the window's symbols or, out of line, the escape.
#[inline(always)]
pub(super) fn decode_in_window<const LEVEL: bool, E: Edges>(rc: &mut RangeDecoder<'_>, m: &Model<LEVEL, E>, w: &Window) -> Result<(u32, i16), Error> {
    let t = rc.target(TOTAL).ok_or(Error::Corrupt)?;
    if t < TOTAL - ESCAPE_FREQ {
        let (c, cum, freq) = m.find(w, t).ok_or(Error::Corrupt)?;
        rc.consume(cum, freq, TOTAL);
        Ok((c, m.value(c)))
    } else {
        decode_escape(rc, m, w)
    }
}

/// Reads what [`encode_escape`] wrote after the escape symbol's target
/// (out of line: escapes are rare):
/// `(code learned, value)`; refuses an off-lattice value that is on the
/// lattice and a code inside the window (the encoder escapes neither).
#[inline(never)]
pub(super) fn decode_escape<const LEVEL: bool, E: Edges>(rc: &mut RangeDecoder<'_>, m: &Model<LEVEL, E>, w: &Window) -> Result<(u32, i16), Error> {
    let lattice = m.lattice();
    rc.consume(TOTAL - ESCAPE_FREQ, ESCAPE_FREQ, TOTAL);
    let off = rc.decode_bit(2048).ok_or(Error::Corrupt)?;
    if off {
        let v = rc.decode_bits(16).ok_or(Error::Corrupt)? as u16 as i16;
        if lattice.code(v).is_some() {
            return Err(Error::Corrupt);
        }
        Ok((lattice.nearest_code(v), v))
    } else {
        let c = rc.decode_bits(m.code_bits()).ok_or(Error::Corrupt)?;
        // The encoder escapes only codes outside the window.
        if c >= lattice.len() || w.contains(c) {
            return Err(Error::Corrupt);
        }
        Ok((c, lattice.value(c)))
    }
}
