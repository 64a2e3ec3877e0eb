//! The codec stream: a two-byte header naming the profile and the ADC lattice,
//! then the profile's coded samples up to the end of the stream.
//!
//! Invariant: a stream decodes to exactly the samples pushed into its encoder,
//! for every profile and lattice, samples on or off the lattice alike. The
//! sample count is not in the stream; the container stores it.

use crate::error::Error;
use crate::lattice::AdcLattice;
use crate::sink::ByteSink;
use crate::{fast, lite, max, tables};

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
    /// `max` with the rails modelled (`max::Rails`) and a scale factor per
    /// context. Kept so its streams decode; `max` (7) adds the level term.
    Max4 = 4,
    /// `max` version 5: version 4 with the predictor's level term
    /// (`predictor::Stages::WITH_LEVEL`): what the challenge executables
    /// write.
    Max5 = 7,
    /// `max`'s model with every step made cheap (scale buckets, table-driven
    /// CDF and inverse, a sparsely stepped 32-bit filter): within 0.1 % of
    /// max's size at about half its instructions (`src/fast/`). Kept so its
    /// streams decode; `fast` (6) adds the level term.
    Fast5 = 5,
    /// Profile 5 with a level term in the predictor (`src/fast/model.rs`):
    /// what the CLI, the chunked format and Python write by default.
    Fast = 6,
    /// Profile 6 with each code's width learned from the codes already
    /// coded (`src/fast/edges.rs`) in place of the built-in prior of the
    /// 10-bit ADC: for ADCs with no prior.
    FastWidths = 8,
    /// `fast`'s coder with a forward-adaptive model: a linear predictor and
    /// a scale measured per block of 32768 samples and sent in front of it
    /// (`src/fast/swift.rs`), so decoding does no model adaptation.
    Swift = 9,
}

impl Profile {
    pub const ALL: [Profile; 9] = [Profile::Lite, Profile::Tables, Profile::Max, Profile::Max4, Profile::Fast5, Profile::Fast, Profile::Max5, Profile::FastWidths, Profile::Swift];

    pub fn from_id(id: u8) -> Option<Self> {
        // A match rather than a search of `ALL`: the ids are 1..=9, so it
        // compiles to a range check (the challenge executables carry it).
        Some(match id {
            1 => Self::Lite,
            2 => Self::Tables,
            3 => Self::Max,
            4 => Self::Max4,
            5 => Self::Fast5,
            6 => Self::Fast,
            7 => Self::Max5,
            8 => Self::FastWidths,
            9 => Self::Swift,
            _ => return None,
        })
    }

    pub fn id(self) -> u8 {
        self as u8
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Lite => "lite",
            Self::Tables => "tables",
            Self::Max => "max3",
            Self::Max4 => "max4",
            Self::Max5 => "max",
            Self::Fast5 => "fast5",
            Self::Fast => "fast",
            Self::FastWidths => "fast-widths",
            Self::Swift => "swift",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.name() == name)
    }
}

/// Size of the stream header in bytes.
pub const HEADER_LEN: usize = 2;

/// What a stream asks of a profile's encoder. The block methods default to
/// the per-sample path; a profile overrides one only with a loop that writes
/// the same bytes.
trait ProfileEncoder {
    fn push<S: ByteSink>(&mut self, sample: i16, out: &mut S);

    /// Codes a block of samples, as pushing them one by one would.
    #[inline(always)]
    fn push_all<S: ByteSink>(&mut self, samples: &[i16], out: &mut S) {
        samples.iter().for_each(|&s| self.push(s, out));
    }

    /// Codes little-endian 16-bit words (an odd last byte is ignored), as
    /// pushing their samples one by one would.
    #[inline(always)]
    fn push_le<S: ByteSink>(&mut self, le: &[u8], out: &mut S) {
        le.as_chunks::<2>().0.iter().for_each(|&w| self.push(i16::from_le_bytes(w), out));
    }

    fn finish<S: ByteSink>(self, out: &mut S);
}

/// What a stream asks of a profile's decoder; block methods as in
/// [`ProfileEncoder`].
trait ProfileDecoder {
    fn next_sample(&mut self) -> Result<i16, Error>;

    /// Fills `out` with the next samples; on an error `out` holds garbage.
    #[inline(always)]
    fn decode_into(&mut self, out: &mut [i16]) -> Result<(), Error> {
        out.iter_mut().try_for_each(|s| self.next_sample().map(|v| *s = v))
    }

    /// Stores the next `out.len() / 2` samples as little-endian words; an odd
    /// last byte is left alone.
    #[inline(always)]
    fn decode_le(&mut self, out: &mut [u8]) -> Result<(), Error> {
        store_le(out, || self.next_sample())
    }

    /// Checks the stream ended where its encoder ended it.
    fn finish(self) -> Result<(), Error>;
}

/// Stores `next()`'s samples into `out` as little-endian words, one per
/// two bytes (an odd last byte is left alone), until `out` is full or
/// `next` fails: a decoder's `decode_le` from its `next_sample`.
#[inline(always)]
pub fn store_le(out: &mut [u8], mut next: impl FnMut() -> Result<i16, Error>) -> Result<(), Error> {
    let mut rest = out;
    while let Some((word, tail)) = rest.split_first_chunk_mut::<2>() {
        *word = next()?.to_le_bytes();
        rest = tail;
    }
    Ok(())
}

/// The traits for a profile: `push`, `next_sample` and `finish` go to the
/// coder's inherent methods; with `block_loops` the block methods do too,
/// without it they keep the per-sample defaults.
macro_rules! profile_traits {
    ($encoder:ty, $decoder:ty $(, $block_loops:ident)?) => {
        impl ProfileEncoder for $encoder {
            #[inline(always)]
            fn push<S: ByteSink>(&mut self, sample: i16, out: &mut S) {
                let _ = <$encoder>::push(self, sample, out);
            }
            $(profile_traits!(@$block_loops encoder $encoder);)?
            #[inline(always)]
            fn finish<S: ByteSink>(self, out: &mut S) {
                <$encoder>::finish(self, out)
            }
        }

        impl ProfileDecoder for $decoder {
            #[inline(always)]
            fn next_sample(&mut self) -> Result<i16, Error> {
                <$decoder>::next_sample(self)
            }
            $(profile_traits!(@$block_loops decoder $decoder);)?
            #[inline(always)]
            fn finish(self) -> Result<(), Error> {
                <$decoder>::finish(self)
            }
        }
    };
    (@block_loops encoder $encoder:ty) => {
        #[inline(always)]
        fn push_all<S: ByteSink>(&mut self, samples: &[i16], out: &mut S) {
            <$encoder>::push_all(self, samples, out)
        }
        #[inline(always)]
        fn push_le<S: ByteSink>(&mut self, le: &[u8], out: &mut S) {
            <$encoder>::push_le(self, le, out)
        }
    };
    (@block_loops decoder $decoder:ty) => {
        #[inline(always)]
        fn decode_into(&mut self, out: &mut [i16]) -> Result<(), Error> {
            <$decoder>::decode_into(self, out)
        }
        #[inline(always)]
        fn decode_le(&mut self, out: &mut [u8]) -> Result<(), Error> {
            <$decoder>::decode_le(self, out)
        }
    };
}

profile_traits!(lite::Encoder, lite::Decoder<'_>, block_loops);
profile_traits!(fast::Encoder, fast::Decoder<'_>, block_loops);
profile_traits!(fast::Encoder5, fast::Decoder5<'_>, block_loops);
profile_traits!(fast::EncoderLearned, fast::DecoderLearned<'_>, block_loops);
profile_traits!(fast::swift::Encoder, fast::swift::Decoder<'_>, block_loops);
profile_traits!(tables::Encoder, tables::Decoder<'_>);
profile_traits!(max::Encoder, max::Decoder<'_>);

// The states live inline: the core does not allocate, and a caller that wants
// them on the heap boxes the whole `Encoder`.
#[allow(clippy::large_enum_variant)]
enum EncoderState {
    Lite(lite::Encoder),
    Tables(tables::Encoder),
    Max(max::Encoder),
    Fast5(fast::Encoder5),
    Fast(fast::Encoder),
    FastWidths(fast::EncoderLearned),
    Swift(fast::swift::Encoder),
}

#[allow(clippy::large_enum_variant)]
enum DecoderState<'a> {
    Lite(lite::Decoder<'a>),
    Tables(tables::Decoder<'a>),
    Max(max::Decoder<'a>),
    Fast5(fast::Decoder5<'a>),
    Fast(fast::Decoder<'a>),
    FastWidths(fast::DecoderLearned<'a>),
    Swift(fast::swift::Decoder<'a>),
}

/// `$body` with `$coder` bound to the profile's coder in `$state` (an
/// `EncoderState` or a `DecoderState`): the one match over the profiles'
/// coders.
macro_rules! with_coder {
    ($state:ident, $value:expr, $coder:ident => $body:expr) => {
        match $value {
            $state::Lite($coder) => $body,
            $state::Tables($coder) => $body,
            $state::Max($coder) => $body,
            $state::Fast5($coder) => $body,
            $state::Fast($coder) => $body,
            $state::FastWidths($coder) => $body,
            $state::Swift($coder) => $body,
        }
    };
}

/// Streaming encoder: push samples, bytes come out as soon as they are final.
pub struct Encoder {
    state: EncoderState,
}

impl Encoder {
    /// Starts a stream, writing its header to `out`.
    pub fn new<S: ByteSink>(profile: Profile, lattice: AdcLattice, out: &mut S) -> Self {
        write_header(profile, lattice, out);
        let state = match profile {
            Profile::Lite => EncoderState::Lite(lite::Encoder::new(lattice)),
            Profile::Tables => EncoderState::Tables(tables::Encoder::new(lattice)),
            Profile::Max | Profile::Max4 | Profile::Max5 => {
                EncoderState::Max(max::Encoder::with_version(lattice, max_version(profile)))
            }
            Profile::Fast5 => EncoderState::Fast5(fast::Encoder5::new(lattice)),
            Profile::Fast => EncoderState::Fast(<fast::Encoder>::new(lattice)),
            Profile::FastWidths => EncoderState::FastWidths(fast::EncoderLearned::new(lattice)),
            Profile::Swift => EncoderState::Swift(fast::swift::Encoder::new(lattice)),
        };
        Self { state }
    }

    /// Codes one sample.
    #[inline]
    pub fn push<S: ByteSink>(&mut self, sample: i16, out: &mut S) {
        with_coder!(EncoderState, &mut self.state, e => ProfileEncoder::push(e, sample, out))
    }

    /// Codes a block of samples: the same bytes as pushing them one by one,
    /// with the profile chosen once per block instead of once per sample.
    pub fn push_all<S: ByteSink>(&mut self, samples: &[i16], out: &mut S) {
        with_coder!(EncoderState, &mut self.state, e => ProfileEncoder::push_all(e, samples, out))
    }

    /// Ends the stream, writing what the encoder still holds.
    pub fn finish<S: ByteSink>(self, out: &mut S) {
        with_coder!(EncoderState, self.state, e => ProfileEncoder::finish(e, out))
    }
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
        let (profile, lattice, payload) = read_header(stream)?;
        let state = match profile {
            Profile::Lite => DecoderState::Lite(lite::Decoder::new(lattice, payload)),
            Profile::Tables => DecoderState::Tables(tables::Decoder::new(lattice, payload)),
            Profile::Max | Profile::Max4 | Profile::Max5 => {
                DecoderState::Max(max::Decoder::with_version(lattice, max_version(profile), payload))
            }
            Profile::Fast5 => DecoderState::Fast5(fast::Decoder5::new(lattice, payload)),
            Profile::Fast => DecoderState::Fast(<fast::Decoder>::new(lattice, payload)),
            Profile::FastWidths => DecoderState::FastWidths(fast::DecoderLearned::new(lattice, payload)),
            Profile::Swift => DecoderState::Swift(fast::swift::Decoder::new(lattice, payload)),
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
        with_coder!(DecoderState, &mut self.state, d => ProfileDecoder::next_sample(d))
    }

    /// Fills `out` with the next samples, as many calls of
    /// [`Decoder::next_sample`] would; on an error `out` holds garbage.
    pub fn decode_into(&mut self, out: &mut [i16]) -> Result<(), Error> {
        with_coder!(DecoderState, &mut self.state, d => ProfileDecoder::decode_into(d, out))
    }

    /// Decodes the next `out.len() / 2` samples into `out` as little-endian
    /// 16-bit words (a WAV file's sample bytes); an odd last byte is left
    /// alone. The same samples as that many [`Decoder::next_sample`] calls,
    /// but the profile is matched once, not per sample, and each sample is
    /// stored straight into place.
    pub fn decode_le(&mut self, out: &mut [u8]) -> Result<(), Error> {
        with_coder!(DecoderState, &mut self.state, d => ProfileDecoder::decode_le(d, out))
    }

    /// Checks the stream after its last sample: it must not have run past the
    /// end of its bytes.
    pub fn finish(self) -> Result<(), Error> {
        with_coder!(DecoderState, self.state, d => ProfileDecoder::finish(d))
    }
}

fn write_header<S: ByteSink>(profile: Profile, lattice: AdcLattice, out: &mut S) {
    out.put(profile.id());
    out.put(lattice.id());
}

/// The profile, lattice and payload of a stream.
fn read_header(stream: &[u8]) -> Result<(Profile, AdcLattice, &[u8]), Error> {
    let [p, l, ..] = *stream else { return Err(Error::MissingHeader) };
    let profile = Profile::from_id(p).ok_or(Error::UnknownProfile(p))?;
    let lattice = AdcLattice::from_id(l).ok_or(Error::UnknownLattice(l))?;
    Ok((profile, lattice, &stream[HEADER_LEN..]))
}

/// Decodes a whole stream of `out.len() / 2` samples into `out` as
/// little-endian 16-bit words and checks its end: [`Decoder::new`],
/// [`Decoder::decode_le`] and [`Decoder::finish`] in one call, with the
/// profile's decoder built where it runs (a [`Decoder`] holds it by value,
/// and the lite decoder's ~140 KB of tables are copied on the way).
pub fn decode_le(stream: &[u8], out: &mut [u8]) -> Result<(), Error> {
    #[inline(always)]
    fn whole<D: ProfileDecoder>(mut d: D, out: &mut [u8]) -> Result<(), Error> {
        d.decode_le(out)?;
        d.finish()
    }
    let (profile, lattice, payload) = read_header(stream)?;
    match profile {
        Profile::Lite => whole(lite::Decoder::new(lattice, payload), out),
        Profile::Tables => whole(tables::Decoder::new(lattice, payload), out),
        Profile::Max | Profile::Max4 | Profile::Max5 => whole(max::Decoder::with_version(lattice, max_version(profile), payload), out),
        Profile::Fast5 => whole(fast::Decoder5::new(lattice, payload), out),
        Profile::Fast => whole(<fast::Decoder>::new(lattice, payload), out),
        Profile::FastWidths => whole(fast::DecoderLearned::new(lattice, payload), out),
        Profile::Swift => whole(fast::swift::Decoder::new(lattice, payload), out),
    }
}

/// [`decode_le`] with the `lite` profile's tables borrowed from the caller
/// (built once with [`lite::DecodeTables::new`] for many streams): the same
/// samples and checks, without building ~140 KB of tables per stream.
pub fn decode_le_with_lite_tables(stream: &[u8], out: &mut [u8], tables: &lite::DecodeTables) -> Result<(), Error> {
    let (profile, lattice, payload) = read_header(stream)?;
    if profile != Profile::Lite {
        return decode_le(stream, out);
    }
    let mut d = lite::Decoder::with_tables(lattice, payload, tables);
    d.decode_le(out)?;
    d.finish()
}

/// The first `out.len() / 2` samples of a stream, as [`Decoder::new`] and
/// [`Decoder::decode_le`] give them (the stream's end is not checked: it
/// may hold more), with the `lite` tables borrowed as in
/// [`decode_le_with_lite_tables`].
pub fn decode_le_prefix_with_lite_tables(stream: &[u8], out: &mut [u8], tables: &lite::DecodeTables) -> Result<(), Error> {
    let (profile, lattice, payload) = read_header(stream)?;
    if profile != Profile::Lite {
        return Decoder::new(stream)?.decode_le(out);
    }
    lite::Decoder::with_tables(lattice, payload, tables).decode_le(out)
}

/// Encodes a whole recording into `out` (header included).
pub fn encode_all<S: ByteSink>(profile: Profile, lattice: AdcLattice, samples: &[i16], out: &mut S) {
    let mut enc = Encoder::new(profile, lattice, out);
    enc.push_all(samples, out);
    enc.finish(out);
}

/// Encodes a whole recording given as little-endian 16-bit words (a WAV
/// file's sample bytes; an odd last byte is ignored) into `out`: the same
/// stream as [`encode_all`] of those samples, without collecting them first
/// and with the profile matched once rather than per sample.
///
/// Always inlined so that a caller naming a constant profile gets that
/// profile's loop alone: with a sink type of its own, it then pays for no
/// other profile's code.
#[inline(always)]
pub fn encode_le<S: ByteSink>(profile: Profile, lattice: AdcLattice, le: &[u8], out: &mut S) {
    #[inline(always)]
    fn whole<E: ProfileEncoder, S: ByteSink>(mut e: E, le: &[u8], out: &mut S) {
        e.push_le(le, out);
        e.finish(out);
    }
    write_header(profile, lattice, out);
    match profile {
        Profile::Lite => {
            lite_payload_le(lattice, le, out);
        }
        Profile::Tables => whole(tables::Encoder::new(lattice), le, out),
        Profile::Max | Profile::Max4 | Profile::Max5 => whole(max::Encoder::with_version(lattice, max_version(profile)), le, out),
        Profile::Fast5 => whole(fast::Encoder5::new(lattice), le, out),
        Profile::Fast => whole(<fast::Encoder>::new(lattice), le, out),
        Profile::FastWidths => whole(fast::EncoderLearned::new(lattice), le, out),
        Profile::Swift => whole(fast::swift::Encoder::new(lattice), le, out),
    }
}

/// The `max` version a profile id names.
#[inline(always)]
fn max_version(profile: Profile) -> max::Version {
    match profile {
        Profile::Max4 => max::Version::V4,
        Profile::Max5 => max::Version::V5,
        _ => max::Version::V3,
    }
}

/// [`encode_le`] with the `lite` profile's codebook borrowed from the
/// caller (built once with [`lite::Codebook::new`] for many streams): the
/// same bytes, without building ~80 KB of tables per stream.
pub fn encode_le_with_lite_codebook<S: ByteSink>(profile: Profile, lattice: AdcLattice, le: &[u8], out: &mut S, codebook: &lite::Codebook) {
    if profile != Profile::Lite {
        return encode_le(profile, lattice, le, out);
    }
    write_header(profile, lattice, out);
    let mut e = lite::Encoder::with_codebook(lattice, codebook);
    e.push_le(le, out);
    e.finish(out);
}

/// [`encode_le`] of the lite profile on the 10-bit lattice, for a caller
/// that has not scanned the samples for their lattice: returns the lattice
/// [`AdcLattice::detect_le`] would have chosen, from the count of
/// off-lattice samples the encoder kept. When that is not the 10-bit
/// lattice, what was written is not the stream to keep: code again with it.
pub fn encode_le_lite_detecting<S: ByteSink>(le: &[u8], out: &mut S) -> AdcLattice {
    let lattice = AdcLattice::Neuralink10;
    write_header(Profile::Lite, lattice, out);
    let off = lite_payload_le(lattice, le, out);
    AdcLattice::choose(off, le.len() / 2)
}

/// The lite payload of little-endian words `le`, with the encoder built in
/// place in this frame (returned from `lite::Encoder::new`, its ~80 KB of
/// tables were copied once more); the count of samples coded off the
/// lattice.
#[inline(always)]
fn lite_payload_le<S: ByteSink>(lattice: AdcLattice, le: &[u8], out: &mut S) -> usize {
    let mut e = lite::Encoder::unfilled(lattice);
    e.fill();
    e.push_le(le, out);
    let off = e.off_lattice_samples();
    e.finish(out);
    off
}

/// Decodes `out.len()` samples from `stream`.
pub fn decode_all(stream: &[u8], out: &mut [i16]) -> Result<(), Error> {
    let mut dec = Decoder::new(stream)?;
    dec.decode_into(out)?;
    dec.finish()
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;
    use crate::test_support::Bytes;
    use std::vec::Vec;

    /// An electrode-shaped signal on the 10-bit lattice with a value off
    /// it every 501 samples.
    fn recording(n: usize, seed: u64) -> Vec<i16> {
        let codes = brainwire_testkit::signal(&mut brainwire_testkit::Rng::new(seed), n, 1024);
        let value = |(i, c)| {
            let v = AdcLattice::Neuralink10.value(c);
            if i % 501 == 7 { v.wrapping_add(3) } else { v }
        };
        codes.into_iter().enumerate().map(value).collect()
    }

    /// `from_id` and `from_name` know every profile in `ALL` and nothing
    /// else.
    #[test]
    fn ids_and_names_name_every_profile_once() {
        for id in 0..=255u8 {
            assert_eq!(Profile::from_id(id), Profile::ALL.into_iter().find(|p| p.id() == id), "id {id}");
        }
        for p in Profile::ALL {
            assert_eq!(Profile::from_name(p.name()), Some(p));
        }
    }

    /// `encode_le` writes the stream `encode_all` writes, and `decode_le`
    /// gives back the bytes, for every profile and lattice.
    #[test]
    fn le_paths_agree_with_the_sample_paths() {
        for profile in Profile::ALL {
            for lattice in [AdcLattice::Neuralink10, AdcLattice::Identity16] {
                for n in [0, 1, 2, 37, 4000] {
                    let samples = recording(n, n as u64 + 5);
                    let mut le: Vec<u8> = samples.iter().flat_map(|s| s.to_le_bytes()).collect();
                    let mut a = Bytes(Vec::new());
                    encode_all(profile, lattice, &samples, &mut a);
                    let mut b = Bytes(Vec::new());
                    le.push(0xAB); // an odd last byte is ignored
                    encode_le(profile, lattice, &le, &mut b);
                    assert_eq!(a.0, b.0, "{profile:?} {lattice:?} {n}");
                    le.pop();

                    let mut back = std::vec![0x55u8; le.len() + 1];
                    let mut dec = Decoder::new(&b.0).unwrap();
                    let (first, rest) = back.split_at_mut((le.len() / 3) & !1);
                    dec.decode_le(first).unwrap();
                    dec.decode_le(rest).unwrap();
                    dec.finish().unwrap();
                    assert_eq!(&back[..le.len()], &le[..], "{profile:?} {lattice:?} {n}");
                    assert_eq!(back[le.len()], 0x55, "the odd last byte is left alone");
                }
            }
        }
    }
}
