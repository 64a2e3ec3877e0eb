//! The container header, format version 1 (see `FORMAT.md` beside `src/`).
//!
//! ```text
//! "BW" | version = 1 | kind | CRC-32C of the original file (u32 LE) | body
//! kind 0 (stored): body = the original bytes
//! kind 1 (PCM16 WAV): header-mode u8
//!     mode 0: varint sample_rate            (canonical 44-byte mono header)
//!     mode 1: varint prefix_len, prefix     (bytes before the first sample)
//!   varint sample_count, varint trailer_len, trailer
//!   CRC-32C of every byte from "BW" to here (u32 LE)
//!   codec stream to the end of the file
//! ```
//!
//! Invariant: [`parse`] accepts exactly what [`write_coded_header`] (then the stream) and
//! [`write_stored`] produce (plus damaged files that only the whole-file CRC
//! can catch), and every slice it returns lies inside its input: no size in
//! the header is trusted before it has been checked against the input length.

use alloc::vec::Vec;

use crate::crc::crc32c;
use crate::error::Error;
use crate::varint::{self, VarintError};
use crate::wav::CANONICAL_HEADER_LEN;

/// The first two bytes of every brainwire file.
pub const MAGIC: [u8; 2] = *b"BW";
/// The format version this build writes and reads.
pub const VERSION: u8 = 1;
/// Length of the fixed part shared by all kinds: magic, version, kind, CRC.
pub const FIXED_LEN: usize = 8;

/// What the body of a container holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Kind {
    /// The original bytes, verbatim.
    Stored = 0,
    /// A 16-bit PCM WAV file: its header, the codec stream of its samples,
    /// and whatever follows them.
    Pcm16Wav = 1,
}

/// How the bytes before the first sample are stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WavHeader<'a> {
    /// The canonical 44-byte mono 16-bit PCM header, rebuilt from the sample
    /// rate and the sample count (header mode 0).
    Canonical { sample_rate: u32 },
    /// Stored verbatim (header mode 1).
    Verbatim(&'a [u8]),
}

impl WavHeader<'_> {
    pub fn len(&self) -> usize {
        match self {
            Self::Canonical { .. } => CANONICAL_HEADER_LEN,
            Self::Verbatim(prefix) => prefix.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The parts of a kind-1 container.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Coded<'a> {
    pub header: WavHeader<'a>,
    /// Number of 16-bit samples, all channels interleaved.
    pub sample_count: u64,
    /// The bytes after the last whole sample.
    pub trailer: &'a [u8],
    /// The codec stream (core format), to the end of the container.
    pub stream: &'a [u8],
}

/// The body of a container.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Body<'a> {
    Stored(&'a [u8]),
    Coded(Coded<'a>),
}

/// A container split into its parts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Container<'a> {
    /// CRC-32C of the original file.
    pub file_crc: u32,
    pub body: Body<'a>,
}

impl Container<'_> {
    pub fn kind(&self) -> Kind {
        match self.body {
            Body::Stored(_) => Kind::Stored,
            Body::Coded(_) => Kind::Pcm16Wav,
        }
    }

    /// Size of the original file, or `None` if it overflows a `u64`.
    pub fn original_len(&self) -> Option<u64> {
        match &self.body {
            Body::Stored(bytes) => Some(bytes.len() as u64),
            Body::Coded(c) => c
                .sample_count
                .checked_mul(2)?
                .checked_add(c.header.len() as u64)?
                .checked_add(c.trailer.len() as u64),
        }
    }
}

fn put_fixed(out: &mut Vec<u8>, kind: Kind, file_crc: u32) {
    out.extend_from_slice(&MAGIC);
    out.push(VERSION);
    out.push(kind as u8);
    out.extend_from_slice(&file_crc.to_le_bytes());
}

/// Writes a stored (kind 0) container of `original`.
pub fn write_stored(out: &mut Vec<u8>, original: &[u8], file_crc: u32) {
    put_fixed(out, Kind::Stored, file_crc);
    out.extend_from_slice(original);
}

/// Writes a coded (kind 1) container up to and including its header CRC;
/// the caller appends the codec stream.
pub fn write_coded_header(out: &mut Vec<u8>, file_crc: u32, header: WavHeader<'_>, sample_count: u64, trailer: &[u8]) {
    let start = out.len();
    put_fixed(out, Kind::Pcm16Wav, file_crc);
    match header {
        WavHeader::Canonical { sample_rate } => {
            out.push(0);
            varint::write(out, sample_rate as u64);
        }
        WavHeader::Verbatim(prefix) => {
            out.push(1);
            varint::write(out, prefix.len() as u64);
            out.extend_from_slice(prefix);
        }
    }
    varint::write(out, sample_count);
    varint::write(out, trailer.len() as u64);
    out.extend_from_slice(trailer);
    let header_crc = crc32c(&out[start..]);
    out.extend_from_slice(&header_crc.to_le_bytes());
}

/// Reads the parts of the coded header in order; every read is bounds-checked.
struct Reader<'a> {
    input: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn byte(&mut self) -> Result<u8, Error> {
        let b = *self.input.get(self.pos).ok_or(Error::Truncated)?;
        self.pos += 1;
        Ok(b)
    }

    fn varint(&mut self) -> Result<u64, Error> {
        let rest = self.input.get(self.pos..).unwrap_or(&[]);
        match varint::read(rest) {
            Ok((v, n)) => {
                self.pos += n;
                Ok(v)
            }
            Err(VarintError::Truncated) => Err(Error::Truncated),
            Err(VarintError::IllFormed) => Err(Error::HeaderDamaged),
        }
    }

    fn bytes(&mut self, len: u64) -> Result<&'a [u8], Error> {
        let rest = self.input.get(self.pos..).unwrap_or(&[]);
        // A length past the end is either truncation or a damaged length
        // field; the header CRC cannot tell them apart before it is read,
        // so report the cheaper-to-explain one.
        let len = usize::try_from(len).map_err(|_| Error::Truncated)?;
        let s = rest.get(..len).ok_or(Error::Truncated)?;
        self.pos += len;
        Ok(s)
    }

    fn u32_le(&mut self) -> Result<u32, Error> {
        let b = self.bytes(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
}

/// Splits a container into its parts, checking magic, version, kind and
/// (for kind 1) the header CRC. The whole-file CRC is checked by the decoder.
pub fn parse(input: &[u8]) -> Result<Container<'_>, Error> {
    if input.get(..2) != Some(&MAGIC[..]) {
        return Err(Error::NotBrainwire);
    }
    let mut r = Reader { input, pos: 2 };
    let version = r.byte()?;
    if version != VERSION {
        return Err(Error::UnsupportedVersion(version));
    }
    let kind = r.byte()?;
    let file_crc = r.u32_le()?;
    match kind {
        0 => Ok(Container { file_crc, body: Body::Stored(&input[FIXED_LEN..]) }),
        1 => {
            let mode = r.byte()?;
            let header = match mode {
                0 => {
                    let rate = r.varint()?;
                    let sample_rate = u32::try_from(rate).map_err(|_| Error::HeaderDamaged)?;
                    WavHeader::Canonical { sample_rate }
                }
                1 => {
                    let len = r.varint()?;
                    WavHeader::Verbatim(r.bytes(len)?)
                }
                m => return Err(Error::UnknownHeaderMode(m)),
            };
            let sample_count = r.varint()?;
            let trailer_len = r.varint()?;
            let trailer = r.bytes(trailer_len)?;
            let header_end = r.pos;
            let header_crc = r.u32_le()?;
            if crc32c(&input[..header_end]) != header_crc {
                return Err(Error::HeaderDamaged);
            }
            let stream = &input[r.pos..];
            Ok(Container { file_crc, body: Body::Coded(Coded { header, sample_count, trailer, stream }) })
        }
        k => Err(Error::UnknownKind(k)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coded_header_round_trips() {
        for header in [WavHeader::Canonical { sample_rate: 19531 }, WavHeader::Verbatim(b"RIFF....WAVEjunk")] {
            let mut out = Vec::new();
            write_coded_header(&mut out, 0xDEAD_BEEF, header, 99_000, b"tail!");
            out.extend_from_slice(&[2, 1, 7, 7]);
            let c = parse(&out).unwrap();
            assert_eq!(c.file_crc, 0xDEAD_BEEF);
            assert_eq!(
                c.body,
                Body::Coded(Coded { header, sample_count: 99_000, trailer: b"tail!", stream: &[2, 1, 7, 7] })
            );
            assert_eq!(c.original_len(), Some(198_000 + header.len() as u64 + 5));
        }
    }

    #[test]
    fn any_flipped_header_bit_is_caught() {
        let mut out = Vec::new();
        write_coded_header(&mut out, 1, WavHeader::Verbatim(b"abc"), 10, b"xy");
        for i in 0..out.len() {
            for bit in 0..8 {
                let mut bad = out.clone();
                bad[i] ^= 1 << bit;
                // The kind flip 1 -> 0 (stored) is only caught by the
                // whole-file CRC after decoding.
                if (i, bit) == (3, 0) {
                    assert!(parse(&bad).is_ok());
                } else {
                    assert!(parse(&bad).is_err(), "flip of bit {bit} in byte {i} accepted");
                }
            }
        }
    }

    #[test]
    fn every_truncation_of_a_header_is_refused() {
        let mut out = Vec::new();
        write_coded_header(&mut out, 1, WavHeader::Canonical { sample_rate: 300 }, 1 << 40, b"");
        for cut in 0..out.len() {
            let e = parse(&out[..cut]).unwrap_err();
            let want = if cut < 2 { Error::NotBrainwire } else { Error::Truncated };
            assert_eq!(e, want, "cut at {cut}");
        }
    }

    #[test]
    fn foreign_versions_and_kinds_are_named() {
        assert_eq!(parse(b"BW\x02\x00"), Err(Error::UnsupportedVersion(2)));
        assert_eq!(parse(b"BW\x01\x07\0\0\0\0"), Err(Error::UnknownKind(7)));
        assert_eq!(parse(b"BW\x01\x01\0\0\0\0\x05"), Err(Error::UnknownHeaderMode(5)));
        assert_eq!(parse(b"RIFF"), Err(Error::NotBrainwire));
    }
}
