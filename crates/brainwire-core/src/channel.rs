//! One channel through the range-coded profiles: lattice -> predictor ->
//! residual model -> range coder, for every sample.
//!
//! Invariant: the decoder runs the same model updates in the same order as
//! the encoder, so after each sample both hold identical state.

use crate::error::Error;
use crate::lattice::AdcLattice;
use crate::predictor::Cascade;
use crate::range::{ByteSink, RangeDecoder, RangeEncoder};
use crate::residual::{Coded, ResidualModel, Sample};
use crate::stream::Profile;

/// The per-channel model state shared by encoder and decoder.
#[derive(Clone)]
struct ChannelModel {
    lattice: AdcLattice,
    predictor: Cascade,
    residual: ResidualModel,
}

impl ChannelModel {
    fn new(_profile: Profile, lattice: AdcLattice) -> Self {
        Self { lattice, predictor: Cascade::new(lattice.len()), residual: ResidualModel::new(lattice) }
    }

    fn learn(&mut self, sample: Sample) {
        let code = match sample {
            Sample::Code(c) => c,
            Sample::OffLattice(v) => self.lattice.nearest_code(v),
        };
        self.predictor.update(code);
    }
}

/// Encoder of one channel.
pub struct Encoder {
    model: ChannelModel,
    rc: RangeEncoder,
}

impl Encoder {
    pub fn new(profile: Profile, lattice: AdcLattice) -> Self {
        Self { model: ChannelModel::new(profile, lattice), rc: RangeEncoder::new() }
    }

    /// Codes one sample; returns where the residual model coded it.
    #[inline]
    pub fn push<S: ByteSink>(&mut self, value: i16, out: &mut S) -> Coded {
        let m = &mut self.model;
        let sample = match m.lattice.code(value) {
            Some(c) => Sample::Code(c),
            None => Sample::OffLattice(value),
        };
        let prediction = m.predictor.predict();
        let coded = m.residual.encode(&mut self.rc, prediction, sample, out);
        m.learn(sample);
        coded
    }

    pub fn finish<S: ByteSink>(self, out: &mut S) {
        self.rc.finish(out);
    }
}

/// Decoder of one channel.
pub struct Decoder<'a> {
    model: ChannelModel,
    rc: RangeDecoder<'a>,
}

impl<'a> Decoder<'a> {
    pub fn new(profile: Profile, lattice: AdcLattice, payload: &'a [u8]) -> Self {
        Self { model: ChannelModel::new(profile, lattice), rc: RangeDecoder::new(payload) }
    }

    #[inline]
    pub fn next_sample(&mut self) -> Result<i16, Error> {
        let m = &mut self.model;
        let prediction = m.predictor.predict();
        let sample = m.residual.decode(&mut self.rc, prediction)?;
        m.learn(sample);
        Ok(match sample {
            Sample::Code(c) => m.lattice.value(c),
            Sample::OffLattice(v) => v,
        })
    }

    /// A stream that needed bytes beyond its end was truncated.
    pub fn finish(self) -> Result<(), Error> {
        if self.rc.overran() { Err(Error::Corrupt) } else { Ok(()) }
    }
}
