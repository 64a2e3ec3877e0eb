//! One channel of the tables profile: lattice -> predictor ->
//! residual model -> range coder, for every sample.
//!
//! Invariant: the decoder runs the same model updates in the same order as
//! the encoder, so after each sample both hold identical state.

use crate::error::Error;
use crate::lattice::AdcLattice;
use crate::predictor::{Cascade, Stages};
use super::residual::{Coded, Parts, ResidualModel, Sample};
use crate::range::{RangeDecoder, RangeEncoder};
use crate::sink::ByteSink;

/// Which stages a channel model uses: everything, in every coded stream.
/// Switching stages off gives a stream only a decoder with the same switches
/// can read; it exists to measure what each stage saves (the ratio bench).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ablation {
    pub predictor: Stages,
    pub residual: Parts,
}

impl Ablation {
    pub const NONE: Ablation = Ablation { predictor: Stages::WITHOUT_LEVEL, residual: Parts::ALL };
}

/// The per-channel model state shared by encoder and decoder.
#[derive(Clone)]
struct ChannelModel {
    lattice: AdcLattice,
    predictor: Cascade,
    residual: ResidualModel,
}

impl ChannelModel {
    fn new(lattice: AdcLattice, ablation: Ablation) -> Self {
        Self {
            lattice,
            predictor: Cascade::with_stages(lattice.len(), ablation.predictor),
            residual: ResidualModel::with_parts(lattice, ablation.residual),
        }
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
    pub fn new(lattice: AdcLattice) -> Self {
        Self::with_ablation(lattice, Ablation::NONE)
    }

    pub fn with_ablation(lattice: AdcLattice, ablation: Ablation) -> Self {
        Self { model: ChannelModel::new(lattice, ablation), rc: RangeEncoder::new() }
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
    pub fn new(lattice: AdcLattice, payload: &'a [u8]) -> Self {
        Self::with_ablation(lattice, Ablation::NONE, payload)
    }

    pub fn with_ablation(lattice: AdcLattice, ablation: Ablation, payload: &'a [u8]) -> Self {
        Self { model: ChannelModel::new(lattice, ablation), rc: RangeDecoder::new(payload) }
    }

    #[inline]
    pub fn next_sample(&mut self) -> Result<i16, Error> {
        let m = &mut self.model;
        let prediction = m.predictor.predict();
        let sample = m.residual.decode(&mut self.rc, prediction)?;
        // The decoder reads exactly the bytes the encoder wrote; needing one
        // more means the stream was cut or its sample count lies.
        if self.rc.overran() {
            return Err(Error::Corrupt);
        }
        m.learn(sample);
        Ok(match sample {
            Sample::Code(c) => m.lattice.value(c),
            Sample::OffLattice(v) => v,
        })
    }

    /// Checks the stream ended exactly where the encoder ended it: a cut
    /// stream, damaged flush bytes or appended bytes are refused.
    pub fn finish(self) -> Result<(), Error> {
        if self.rc.at_end() { Ok(()) } else { Err(Error::Corrupt) }
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;
    use crate::test_support::Bytes;

    /// An electrode-shaped signal on the 10-bit lattice with a value off
    /// it every 997 samples.
    fn recording(n: usize) -> [i16; 4000] {
        let mut out = [0i16; 4000];
        let codes = brainwire_testkit::signal(&mut brainwire_testkit::Rng::new(7), n, 1024);
        for (i, (s, c)) in out.iter_mut().zip(codes).enumerate() {
            *s = AdcLattice::Neuralink10.value(c);
            if i % 997 == 3 {
                *s = s.wrapping_add(5);
            }
        }
        out
    }

    fn round_trip(ablation: Ablation) {
        let samples = recording(4000);
        let lattice = AdcLattice::Neuralink10;
        let mut buf = Bytes(std::vec::Vec::new());
        let mut enc = Encoder::with_ablation(lattice, ablation);
        for &s in samples.iter() {
            enc.push(s, &mut buf);
        }
        enc.finish(&mut buf);
        assert!(buf.0.len() < 4000 * 2, "compresses: {} bytes", buf.0.len());
        let mut dec = Decoder::with_ablation(lattice, ablation, &buf.0);
        for (i, &s) in samples.iter().enumerate() {
            assert_eq!(dec.next_sample(), Ok(s), "sample {i} with {ablation:?}");
        }
        assert_eq!(dec.finish(), Ok(()));
    }

    #[test]
    fn every_ablation_round_trips() {
        round_trip(Ablation::NONE);
        round_trip(Ablation { predictor: Stages { difference_nlms: false, level: false }, ..Ablation::NONE });
        let parts = [
            Parts { width_prior: false, ..Parts::ALL },
            Parts { learned_shapes: false, ..Parts::ALL },
            Parts { energy_contexts: false, ..Parts::ALL },
            Parts { adaptation: false, ..Parts::ALL },
        ];
        for residual in parts {
            round_trip(Ablation { residual, ..Ablation::NONE });
        }
    }

    #[test]
    fn truncated_stream_is_refused() {
        let samples = recording(4000);
        let mut buf = Bytes(std::vec::Vec::new());
        let mut enc = Encoder::new(AdcLattice::Neuralink10);
        for &s in samples.iter() {
            enc.push(s, &mut buf);
        }
        enc.finish(&mut buf);
        let mut dec = Decoder::new(AdcLattice::Neuralink10, &buf.0[..buf.0.len() - 3]);
        let ok = samples.iter().all(|&s| dec.next_sample() == Ok(s));
        assert!(!ok || dec.finish().is_err(), "a truncated stream must not decode cleanly");
    }
}
