//! The codec stream: a two-byte header naming the profile and the ADC lattice,
//! then the profile's coded samples up to the end of the stream.
//!
//! Invariant: a stream decodes to exactly the samples pushed into its encoder,
//! for every profile and lattice, samples on or off the lattice alike. The
//! sample count is not in the stream; the container stores it.

use crate::error::Error;
use crate::lattice::AdcLattice;
use crate::range::ByteSink;
use crate::{channel, lite, max};

/// A trade-off between ratio and compute. The id is the stream's first byte.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Profile {
    /// Implant profile: integer-only, tens of instructions per sample,
    /// bounded coding delay.
    Lite = 1,
    /// The first codec (format v1's issue-2 profile): NLMS prediction and
    /// adaptive residual tables per energy context times the ADC code-width
    /// prior. Kept for its stage-by-stage ablation; `max` beats it on ratio
    /// and on speed.
    Tables = 2,
    /// Highest ratio (the tools try it first): each code's probability is its
    /// analog interval under a Gaussian around the prediction (learned code
    /// edges, adaptive scale).
    Max = 3,
}

impl Profile {
    pub const ALL: [Profile; 3] = [Profile::Lite, Profile::Tables, Profile::Max];

    pub fn from_id(id: u8) -> Option<Self> {
        Self::ALL.into_iter().find(|p| *p as u8 == id)
    }

    pub fn id(self) -> u8 {
        self as u8
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Lite => "lite",
            Self::Tables => "tables",
            Self::Max => "max",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.name() == name)
    }
}

/// Size of the stream header in bytes.
pub const HEADER_LEN: usize = 2;

// The states live inline: the core does not allocate, and a caller that wants
// them on the heap boxes the whole `Encoder`.
#[allow(clippy::large_enum_variant)]
enum EncoderState {
    Lite(lite::Encoder),
    Model(channel::Encoder),
    Max(max::Encoder),
}

/// Streaming encoder: push samples, bytes come out as soon as they are final.
pub struct Encoder {
    state: EncoderState,
}

impl Encoder {
    /// Starts a stream, writing its header to `out`.
    pub fn new<S: ByteSink>(profile: Profile, lattice: AdcLattice, out: &mut S) -> Self {
        out.put(profile.id());
        out.put(lattice.id());
        let state = match profile {
            Profile::Lite => EncoderState::Lite(lite::Encoder::new(lattice)),
            Profile::Tables => EncoderState::Model(channel::Encoder::new(profile, lattice)),
            Profile::Max => EncoderState::Max(max::Encoder::new(lattice)),
        };
        Self { state }
    }

    /// Codes one sample.
    #[inline]
    pub fn push<S: ByteSink>(&mut self, sample: i16, out: &mut S) {
        match &mut self.state {
            EncoderState::Lite(e) => e.push(sample, out),
            EncoderState::Model(e) => {
                e.push(sample, out);
            }
            EncoderState::Max(e) => e.push(sample, out),
        }
    }

    /// Codes a block of samples: the same bytes as pushing them one by one,
    /// with the profile chosen once per block instead of once per sample.
    pub fn push_all<S: ByteSink>(&mut self, samples: &[i16], out: &mut S) {
        match &mut self.state {
            EncoderState::Lite(e) => e.push_all(samples, out),
            EncoderState::Model(e) => samples.iter().for_each(|&s| {
                e.push(s, out);
            }),
            EncoderState::Max(e) => samples.iter().for_each(|&s| e.push(s, out)),
        }
    }

    /// Ends the stream, writing what the encoder still holds.
    pub fn finish<S: ByteSink>(self, out: &mut S) {
        match self.state {
            EncoderState::Lite(e) => e.finish(out),
            EncoderState::Model(e) => e.finish(out),
            EncoderState::Max(e) => e.finish(out),
        }
    }
}

#[allow(clippy::large_enum_variant)]
enum DecoderState<'a> {
    Lite(lite::Decoder<'a>),
    Model(channel::Decoder<'a>),
    Max(max::Decoder<'a>),
}

/// Decodes a stream sample by sample.
pub struct Decoder<'a> {
    profile: Profile,
    lattice: AdcLattice,
    state: DecoderState<'a>,
}

impl<'a> Decoder<'a> {
    /// Reads the stream header.
    pub fn new(stream: &'a [u8]) -> Result<Self, Error> {
        let [p, l, ..] = *stream else { return Err(Error::MissingHeader) };
        let profile = Profile::from_id(p).ok_or(Error::UnknownProfile(p))?;
        let lattice = AdcLattice::from_id(l).ok_or(Error::UnknownLattice(l))?;
        let payload = &stream[HEADER_LEN..];
        let state = match profile {
            Profile::Lite => DecoderState::Lite(lite::Decoder::new(lattice, payload)),
            Profile::Tables => DecoderState::Model(channel::Decoder::new(profile, lattice, payload)),
            Profile::Max => DecoderState::Max(max::Decoder::new(lattice, payload)),
        };
        Ok(Self { profile, lattice, state })
    }

    pub fn profile(&self) -> Profile {
        self.profile
    }

    pub fn lattice(&self) -> AdcLattice {
        self.lattice
    }

    /// Decodes the next sample.
    #[inline]
    pub fn next_sample(&mut self) -> Result<i16, Error> {
        match &mut self.state {
            DecoderState::Lite(d) => d.next_sample(),
            DecoderState::Model(d) => d.next_sample(),
            DecoderState::Max(d) => d.next_sample(),
        }
    }

    /// Fills `out` with the next samples, as many calls of
    /// [`Decoder::next_sample`] would; on an error `out` holds garbage.
    pub fn decode_into(&mut self, out: &mut [i16]) -> Result<(), Error> {
        match &mut self.state {
            DecoderState::Lite(d) => d.decode_into(out),
            DecoderState::Model(d) => out.iter_mut().try_for_each(|s| d.next_sample().map(|v| *s = v)),
            DecoderState::Max(d) => out.iter_mut().try_for_each(|s| d.next_sample().map(|v| *s = v)),
        }
    }

    /// Checks the stream after its last sample: it must not have run past the
    /// end of its bytes.
    pub fn finish(self) -> Result<(), Error> {
        match self.state {
            DecoderState::Lite(d) => d.finish(),
            DecoderState::Model(d) => d.finish(),
            DecoderState::Max(d) => d.finish(),
        }
    }
}

/// Encodes a whole recording into `out` (header included).
pub fn encode_all<S: ByteSink>(profile: Profile, lattice: AdcLattice, samples: &[i16], out: &mut S) {
    let mut enc = Encoder::new(profile, lattice, out);
    enc.push_all(samples, out);
    enc.finish(out);
}

/// Decodes `out.len()` samples from `stream`.
pub fn decode_all(stream: &[u8], out: &mut [i16]) -> Result<(), Error> {
    let mut dec = Decoder::new(stream)?;
    dec.decode_into(out)?;
    dec.finish()
}
