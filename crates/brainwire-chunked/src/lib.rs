//! brainwire-chunked: the chunked multi-channel container.
//!
//! A recording of `channels` channels of one [`SampleType`] is cut into time
//! chunks (one second by default); each channel of each chunk is its own
//! substream: a per-channel lattice map (integer step and offset, the
//! Neuralink 10-bit lattice, or the identity) with an exact escape list,
//! and the codes through a `brainwire-core` profile. A table per chunk and an
//! index at the end let any time window of any channel subset be decoded
//! without reading the rest; CRC-32s per chunk and channel and a CRC-64 of
//! the whole catch damage. Bytes after the last whole frame are kept
//! verbatim, so every byte sequence round-trips. `FORMAT.md` has the layout.
//!
//! ```
//! use brainwire_chunked::{decode_interleaved, encode_interleaved, EncodeOptions, SampleType};
//! // 2 channels x 1000 frames of int16, interleaved little-endian.
//! let samples: Vec<u8> = (0..2000i16).flat_map(|i| (12 * (i % 50)).to_le_bytes()).collect();
//! let opts = EncodeOptions { rate_hz: Some(30_000.0), ..Default::default() };
//! let stream = encode_interleaved(&samples, SampleType::I16, 2, &opts).unwrap();
//! let (info, back) = decode_interleaved(&stream, 0).unwrap();
//! assert_eq!((info.channels, info.frames), (2, 1000));
//! assert_eq!(back, samples);
//! ```
//!
//! Streaming, in constant memory, with a window read back:
//!
//! ```
//! use brainwire_chunked::{EncodeOptions, Reader, SampleType, Writer};
//! let mut w = Writer::new(Vec::new(), SampleType::I16, 4, &EncodeOptions::default()).unwrap();
//! for block in 0..10 {
//!     let frames: Vec<i16> = (0..4 * 5000).map(|i| ((i * 7 + block) % 300) as i16).collect();
//!     w.write_i16(&frames).unwrap(); // 5000 frames x 4 channels
//! }
//! let stream = w.finish().unwrap();
//! let mut r = Reader::new(std::io::Cursor::new(stream)).unwrap();
//! let window = r.read_window(29_000, 2_000, Some(&[3, 1])).unwrap();
//! assert_eq!(window.len(), 2_000 * 2 * 2);
//! ```

mod dtype;
mod error;
mod format;
mod frames;
mod pool;
pub mod lattice;
mod reader;
mod substream;
mod varint;
mod writer;

pub use brainwire_core::Profile;
pub use dtype::SampleType;
pub use error::Error;
pub use format::{MAGIC, VERSION};
pub use lattice::ChannelLattice;
pub use reader::{Reader, SampleRead};
pub use substream::SubstreamInfo;
pub use writer::{Writer, DEFAULT_CHUNK_FRAMES};

/// The profile substreams are coded with when the options name none: `fast`,
/// within ~0.1 % of `max`'s ratio at about half its instructions a sample.
pub const DEFAULT_PROFILE: Profile = Profile::Fast;

/// How each channel's samples map onto codes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LatticeMode {
    /// Per channel and chunk: the Neuralink 10-bit lattice, an integer step
    /// and offset, or the identity, whichever fits the samples.
    #[default]
    Auto,
    /// Codes are the samples (shifted into `i16` when they do not fit).
    Identity,
    /// Codes are `(x - offset) / step`; samples off it are escaped.
    Step { step: u32, offset: i32 },
}

/// How to encode.
#[derive(Clone, Debug)]
pub struct EncodeOptions {
    /// `None` = [`DEFAULT_PROFILE`].
    pub profile: Option<Profile>,
    /// `None` = one second at `rate_hz` (30000 frames if no rate).
    pub chunk_frames: Option<usize>,
    pub lattice: LatticeMode,
    /// CRC-32 per chunk and substream and CRC-64 of the whole.
    pub checksum: bool,
    /// 0 = all cores; never changes the bytes.
    pub threads: usize,
    pub rate_hz: Option<f64>,
    /// Opaque application bytes kept verbatim (at most 64 KiB).
    pub metadata: Vec<u8>,
}

impl Default for EncodeOptions {
    fn default() -> Self {
        Self { profile: None, chunk_frames: None, lattice: LatticeMode::Auto, checksum: true, threads: 0, rate_hz: None, metadata: Vec::new() }
    }
}

/// What a stream holds.
#[derive(Clone, Debug, PartialEq)]
pub struct ArrayInfo {
    pub dtype: SampleType,
    pub frames: u64,
    pub channels: u32,
    pub rate_hz: Option<f64>,
    pub metadata: Vec<u8>,
}

/// Encodes `samples_le`: frames x channels, interleaved (C order),
/// little-endian `dtype` words. Bytes after the last whole frame are kept
/// verbatim.
pub fn encode_interleaved(samples_le: &[u8], dtype: SampleType, channels: usize, opts: &EncodeOptions) -> Result<Vec<u8>, Error> {
    let mut w = Writer::new(Vec::with_capacity(samples_le.len() / 3 + 1024), dtype, channels, opts)?;
    w.write_bytes(samples_le)?;
    w.finish()
}

/// Decodes a whole stream: its description and the original bytes.
pub fn decode_interleaved(stream: &[u8], threads: usize) -> Result<(ArrayInfo, Vec<u8>), Error> {
    let r = Reader::with_threads(std::io::Cursor::new(stream), threads)?;
    let info = r.info();
    Ok((info, r.read_all()?))
}

/// The description of a stream, from its header and index alone.
pub fn read_info(stream: &[u8]) -> Result<ArrayInfo, Error> {
    Ok(Reader::with_threads(std::io::Cursor::new(stream), 1)?.info())
}

#[cfg(test)]
mod tests;
