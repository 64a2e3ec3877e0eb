//! Which codec profiles a build of the container writes and reads.
//!
//! [`encode_with`](crate::encode_with) and [`decode_with`](crate::decode_with)
//! take the set as a type parameter, so an executable that names one set
//! links that set's coders alone: the challenge's `./encode` and `./decode`
//! carry only [`MaxOnly`], `./encode-lite` and `./decode-lite` only
//! [`LiteOnly`], while the library's [`encode`](crate::encode) and
//! [`decode`](crate::decode) (and so the `brainwire` tool) use
//! [`AllProfiles`] and read every stream ever written.

use alloc::vec::Vec;

use brainwire_core::max::{self, Version};
use brainwire_core::{encode_le, encode_le_lite_detecting, lite, AdcLattice, Decoder as CoreDecoder, Profile};

use crate::encode::Sink;
use crate::error::CoreError;

/// A set of profiles the container can code with and decode.
pub trait Codecs {
    /// The stream of the samples `data` (little-endian 16-bit words) coded
    /// with `profile`, after `head`, in an output with `room` bytes
    /// reserved; `None` when the set has no such profile. `scanned` caches
    /// the lattice of `data` across the profiles of one file.
    fn code(profile: Profile, data: &[u8], head: &[u8], room: usize, scanned: &mut Option<AdcLattice>) -> Option<Vec<u8>>;

    /// Decodes a whole stream of `out.len() / 2` samples into `out` (see
    /// [`brainwire_core::decode_le`]).
    fn decode_le(stream: &[u8], out: &mut [u8]) -> Result<(), CoreError>;

    /// A decoder that fills its output in runs (a file whose samples do not
    /// fit the first reservation).
    type Decoder<'a>: RunDecoder;
    fn decoder(stream: &[u8]) -> Result<Self::Decoder<'_>, CoreError>;
}

/// A stream decoder that fills little-endian words run by run.
pub trait RunDecoder {
    fn decode_le(&mut self, out: &mut [u8]) -> Result<(), CoreError>;
    fn finish(self) -> Result<(), CoreError>;
}

impl RunDecoder for CoreDecoder<'_> {
    fn decode_le(&mut self, out: &mut [u8]) -> Result<(), CoreError> {
        CoreDecoder::decode_le(self, out)
    }
    fn finish(self) -> Result<(), CoreError> {
        CoreDecoder::finish(self)
    }
}

/// The lattice of `data`, scanned once per file.
fn lattice_of(data: &[u8], scanned: &mut Option<AdcLattice>) -> AdcLattice {
    *scanned.get_or_insert_with(|| AdcLattice::detect_le(data))
}

/// Every profile (the library and the `brainwire` tool).
pub enum AllProfiles {}

impl Codecs for AllProfiles {
    fn code(profile: Profile, data: &[u8], head: &[u8], room: usize, scanned: &mut Option<AdcLattice>) -> Option<Vec<u8>> {
        let lattice = match profile {
            Profile::Lite => return LiteOnly::code(profile, data, head, room, scanned),
            Profile::Max5 => return MaxOnly::code(profile, data, head, room, scanned),
            Profile::Tables | Profile::Max | Profile::Max4 | Profile::Fast5 | Profile::Fast | Profile::FastWidths | Profile::Swift => lattice_of(data, scanned),
        };
        let mut out = Sink::new(profile, head, room);
        // Constant profiles, so each call inlines one profile's loop (see
        // `encode_le`).
        match profile {
            Profile::Tables => encode_le(Profile::Tables, lattice, data, &mut out),
            Profile::Max4 => encode_le(Profile::Max4, lattice, data, &mut out),
            Profile::Fast5 => encode_le(Profile::Fast5, lattice, data, &mut out),
            Profile::Fast => encode_le(Profile::Fast, lattice, data, &mut out),
            Profile::FastWidths => encode_le(Profile::FastWidths, lattice, data, &mut out),
            Profile::Swift => encode_le(Profile::Swift, lattice, data, &mut out),
            _ => encode_le(Profile::Max, lattice, data, &mut out),
        }
        Some(out.into_vec())
    }

    fn decode_le(stream: &[u8], out: &mut [u8]) -> Result<(), CoreError> {
        brainwire_core::decode_le(stream, out)
    }

    type Decoder<'a> = CoreDecoder<'a>;
    fn decoder(stream: &[u8]) -> Result<CoreDecoder<'_>, CoreError> {
        CoreDecoder::new(stream)
    }
}

/// The stream header of a profile the set knows: its lattice and payload.
fn header(stream: &[u8], profile: Profile) -> Result<(AdcLattice, &[u8]), CoreError> {
    let [p, l, ..] = *stream else { return Err(CoreError::MissingHeader) };
    if p != profile.id() {
        return Err(CoreError::UnknownProfile(p));
    }
    let lattice = AdcLattice::from_id(l).ok_or(CoreError::UnknownLattice(l))?;
    Ok((lattice, &stream[brainwire_core::stream::HEADER_LEN..]))
}

/// `max` version 4 alone (the challenge's `./encode` and `./decode`).
pub enum MaxOnly {}

/// [`MaxOnly`]'s decoder.
pub struct MaxDecoder<'a>(max::Decoder<'a>);

impl RunDecoder for MaxDecoder<'_> {
    /// One copy of the decoding loop serves both of the container's paths.
    #[inline(never)]
    fn decode_le(&mut self, out: &mut [u8]) -> Result<(), CoreError> {
        brainwire_core::stream::store_le(out, || self.0.next_sample())
    }
    fn finish(self) -> Result<(), CoreError> {
        self.0.finish()
    }
}

impl Codecs for MaxOnly {
    fn code(profile: Profile, data: &[u8], head: &[u8], room: usize, scanned: &mut Option<AdcLattice>) -> Option<Vec<u8>> {
        if profile != Profile::Max5 {
            return None;
        }
        let lattice = lattice_of(data, scanned);
        let mut out = Sink::new(profile, head, room);
        encode_le(Profile::Max5, lattice, data, &mut out);
        Some(out.into_vec())
    }

    fn decode_le(stream: &[u8], out: &mut [u8]) -> Result<(), CoreError> {
        let mut d = Self::decoder(stream)?;
        d.decode_le(out)?;
        d.finish()
    }

    type Decoder<'a> = MaxDecoder<'a>;
    fn decoder(stream: &[u8]) -> Result<MaxDecoder<'_>, CoreError> {
        let (lattice, payload) = header(stream, Profile::Max5)?;
        Ok(MaxDecoder(max::Decoder::with_version(lattice, Version::V5, payload)))
    }
}

/// `lite` alone (`./encode-lite` and `./decode-lite`).
pub enum LiteOnly {}

/// [`LiteOnly`]'s decoder.
pub struct LiteDecoder<'a>(lite::Decoder<'a>);

impl RunDecoder for LiteDecoder<'_> {
    fn decode_le(&mut self, out: &mut [u8]) -> Result<(), CoreError> {
        self.0.decode_le(out)
    }
    fn finish(self) -> Result<(), CoreError> {
        self.0.finish()
    }
}

impl Codecs for LiteOnly {
    fn code(profile: Profile, data: &[u8], head: &[u8], room: usize, _scanned: &mut Option<AdcLattice>) -> Option<Vec<u8>> {
        if profile != Profile::Lite {
            return None;
        }
        // The lattice scan costs as much as half of lite's coding: lite
        // counts the off-lattice samples as it codes instead, and codes
        // again only when they call for another lattice.
        let mut out = Sink::new(profile, head, room);
        match encode_le_lite_detecting(data, &mut out) {
            AdcLattice::Neuralink10 => {}
            other => {
                out = Sink::new(profile, head, room);
                encode_le(Profile::Lite, other, data, &mut out);
            }
        }
        Some(out.into_vec())
    }

    fn decode_le(stream: &[u8], out: &mut [u8]) -> Result<(), CoreError> {
        // The decoder is built here, where it runs: its tables (~140 KB)
        // are not moved.
        let (lattice, payload) = header(stream, Profile::Lite)?;
        let mut d = lite::Decoder::new(lattice, payload);
        d.decode_le(out)?;
        d.finish()
    }

    type Decoder<'a> = LiteDecoder<'a>;
    fn decoder(stream: &[u8]) -> Result<LiteDecoder<'_>, CoreError> {
        let (lattice, payload) = header(stream, Profile::Lite)?;
        Ok(LiteDecoder(lite::Decoder::new(lattice, payload)))
    }
}
