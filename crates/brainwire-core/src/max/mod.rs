//! The `max` profile: the residual is coded with a physical model of the ADC.
//!
//! Measured on the recordings, the prediction residual is close to i.i.d.
//! Gaussian noise with a slowly varying scale (kurtosis ~3.1, no correlation
//! left at any lag), and the ADC's irregular code widths are the same in every
//! recording. So instead of adaptive frequency tables this profile models the
//! *analog* value before the ADC as `N(m, s^2)` and gives each code the
//! probability mass of its analog interval:
//!
//! `P(code c) = Phi((T(c+1) - m) / s) - Phi((T(c) - m) / s)`
//!
//! where `T(c)` is the learned lower edge of code `c` (the cumulative code
//! widths), `T(0) = -inf` and `T(len) = +inf` (so clipping at the rails is
//! modelled too), `m` is the prediction mapped between code midpoints and `s`
//! comes from two running means of the squared residual. The encoder needs
//! four lookups of the normal CDF per sample; the decoder inverts the CDF
//! table to guess the code and checks the guess with the same four (a search
//! only when it misses, mostly deep in the tails), so its cost hardly grows
//! with the spread.
//!
//! Coding: codes in a window of about ±6 s around the prediction get the
//! model's mass quantised to a total of 2^16, each at least 1; everything else
//! (codes far outside, values off the lattice) goes through an escape symbol
//! followed by the code (or the exact value) in plain bits.
//!
//! Invariant: the model is pure integer arithmetic on the samples seen so far
//! (tables are integer constants generated offline), so the encoder and the
//! decoder compute identical frequencies on any machine; every coded symbol has
//! a non-zero frequency and every total is exactly [`TOTAL`].

mod model;
pub mod priors;
mod rails;
pub mod scales;
#[cfg(test)]
mod tests;

use crate::error::Error;
use crate::lattice::AdcLattice;
use crate::range::{RangeDecoder, RangeEncoder};
use crate::sink::ByteSink;
pub use rails::Rails;
pub use model::{code_of, predictor, Ablation, Model, Window, ESCAPE_FREQ, MU_SHIFT, SCALE_CONTEXTS, SCALE_ONE, TAPS, TOTAL};

/// Which version of the profile a coder speaks: 3 (`Profile::Max`), 4
/// (`Profile::Max4`, with the stuck-at-rail state of [`Rails`] and the scale
/// factors) or 5 (`Profile::Max5`, version 4 with the predictor's level
/// term).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Version {
    V3,
    V4,
    V5,
}

/// The model of `version`, built once (a caller naming a constant version
/// links one constructor).
#[inline(always)]
fn model_of(lattice: AdcLattice, version: Version) -> Model {
    match version {
        Version::V3 => Model::new(lattice),
        Version::V4 => Model::with_scales(lattice, scales::SCALES_Q8),
        Version::V5 => Model::with_scales_and_level(lattice, scales::SCALES_Q8),
    }
}

#[inline(always)]
fn rails_of(lattice: AdcLattice, version: Version) -> Option<Rails> {
    (version != Version::V3).then(|| Rails::new(lattice.len()))
}

/// Encoder of one channel in the `max` profile.
pub struct Encoder {
    model: Model,
    rails: Option<Rails>,
    rc: RangeEncoder,
}

impl Encoder {
    /// An encoder of profile 3.
    pub fn new(lattice: AdcLattice) -> Self {
        Self::with_ablation(lattice, Ablation::NONE)
    }

    /// An encoder of `version`.
    pub fn with_version(lattice: AdcLattice, version: Version) -> Self {
        Self { model: model_of(lattice, version), rails: rails_of(lattice, version), rc: RangeEncoder::new() }
    }

    /// An encoder with parts of the model switched off (see [`Ablation`]).
    pub fn with_ablation(lattice: AdcLattice, ablation: Ablation) -> Self {
        Self {
            model: Model::with_ablation(lattice, ablation),
            rails: None,
            rc: RangeEncoder::new(),
        }
    }

    /// Codes one sample.
    #[inline]
    pub fn push<S: ByteSink>(&mut self, sample: i16, out: &mut S) {
        let m = &mut self.model;
        let lattice = m.lattice();
        if let Some(rails) = &mut self.rails {
            let code = code_of(lattice, sample);
            if let Some((rail, p)) = rails.stay() {
                let stays = code == Some(rail);
                self.rc.encode_bit(stays, p, out);
                if stays {
                    rails.learn(rail);
                    m.learn_stuck(rail);
                    return;
                }
            }
            rails.learn(code.unwrap_or_else(|| lattice.nearest_code(sample)));
        }
        let w = m.window();
        let code = match code_of(lattice, sample) {
            Some(c) if w.contains(c) => {
                let (cum, freq) = m.interval(&w, c);
                self.rc.encode(cum, freq, TOTAL, out);
                c
            }
            on_lattice => {
                self.rc.encode(TOTAL - ESCAPE_FREQ, ESCAPE_FREQ, TOTAL, out);
                self.rc.encode_bit(on_lattice.is_none(), 2048, out);
                match on_lattice {
                    Some(c) => {
                        self.rc.encode_bits(c, m.code_bits(), out);
                        c
                    }
                    None => {
                        self.rc.encode_bits(u32::from(sample as u16), 16, out);
                        lattice.nearest_code(sample)
                    }
                }
            }
        };
        m.learn(code);
    }

    /// Writes out the coder's final state.
    pub fn finish<S: ByteSink>(self, out: &mut S) {
        self.rc.finish(out);
    }
}

/// Decoder of one channel in the `max` profile.
pub struct Decoder<'a> {
    model: Model,
    rails: Option<Rails>,
    rc: RangeDecoder<'a>,
}

impl<'a> Decoder<'a> {
    /// A decoder of profile 3.
    pub fn new(lattice: AdcLattice, payload: &'a [u8]) -> Self {
        Self::with_ablation(lattice, Ablation::NONE, payload)
    }

    /// A decoder of `version`.
    pub fn with_version(lattice: AdcLattice, version: Version, payload: &'a [u8]) -> Self {
        Self { model: model_of(lattice, version), rails: rails_of(lattice, version), rc: RangeDecoder::new(payload) }
    }

    /// A decoder for a stream made by [`Encoder::with_ablation`].
    pub fn with_ablation(lattice: AdcLattice, ablation: Ablation, payload: &'a [u8]) -> Self {
        Self {
            model: Model::with_ablation(lattice, ablation),
            rails: None,
            rc: RangeDecoder::new(payload),
        }
    }

    /// Decodes the next sample; `Error::Corrupt` when the stream cannot have
    /// been written by [`Encoder`].
    #[inline]
    pub fn next_sample(&mut self) -> Result<i16, Error> {
        let m = &mut self.model;
        let lattice = m.lattice();
        if let Some(rails) = &mut self.rails {
            if let Some((rail, p)) = rails.stay() {
                if self.rc.decode_bit(p).ok_or(Error::Corrupt)? {
                    if self.rc.overran() {
                        return Err(Error::Corrupt);
                    }
                    rails.learn(rail);
                    m.learn_stuck(rail);
                    return Ok(lattice.value(rail));
                }
            }
        }
        let w = m.window();
        let t = self.rc.target(TOTAL).ok_or(Error::Corrupt)?;
        let (code, value) = if t < TOTAL - ESCAPE_FREQ {
            let (c, cum, freq) = m.find(&w, t).ok_or(Error::Corrupt)?;
            self.rc.consume(cum, freq, TOTAL);
            (c, lattice.value(c))
        } else {
            self.rc.consume(TOTAL - ESCAPE_FREQ, ESCAPE_FREQ, TOTAL);
            let off = self.rc.decode_bit(2048).ok_or(Error::Corrupt)?;
            if off {
                let v = self.rc.decode_bits(16).ok_or(Error::Corrupt)? as u16 as i16;
                if lattice.code(v).is_some() {
                    return Err(Error::Corrupt);
                }
                (lattice.nearest_code(v), v)
            } else {
                let c = self.rc.decode_bits(m.code_bits()).ok_or(Error::Corrupt)?;
                // The encoder escapes only codes outside the window.
                if c >= lattice.len() || w.contains(c) {
                    return Err(Error::Corrupt);
                }
                (c, lattice.value(c))
            }
        };
        // The decoder reads exactly the bytes the encoder wrote; needing one
        // more means the stream was cut or its sample count lies.
        if self.rc.overran() {
            return Err(Error::Corrupt);
        }
        if let Some(rails) = &mut self.rails {
            // A sample that could have stayed did not: the encoder never
            // codes the rail again through the Gaussian.
            if rails.stay().is_some_and(|(rail, _)| rail == code && lattice.value(rail) == value) {
                return Err(Error::Corrupt);
            }
            rails.learn(code);
        }
        m.learn(code);
        Ok(value)
    }

    /// Checks the stream ended exactly where the encoder ended it: a cut
    /// stream, damaged flush bytes or appended bytes are refused.
    pub fn finish(self) -> Result<(), Error> {
        if self.rc.at_end() { Ok(()) } else { Err(Error::Corrupt) }
    }
}
