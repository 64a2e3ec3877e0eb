//! Decoding and inspection.
//!
//! Invariant: [`decode`] returns `Ok` only with bytes whose CRC-32C equals the
//! one recorded from the original file, and never panics or allocates more
//! than a bound set by the input: the output grows as samples are decoded,
//! starting from a reservation capped by the compressed size.

use alloc::vec;
use alloc::vec::Vec;

use brainwire_core::{AdcLattice, Profile};

use crate::codecs::{AllProfiles, Codecs, RunDecoder};

use crate::crc::crc32c;
use crate::error::Error;
use crate::format::{parse, Body, Coded, Container, Kind, WavHeader, VERSION};
use crate::wav::canonical_header;

/// Initial reservation per compressed byte; the output grows past it only as
/// samples actually decode, so a lying sample count cannot reserve memory.
const RESERVE_PER_INPUT_BYTE: usize = 8;

/// Most samples one byte of codec stream can hold, in any profile: `lite`
/// spends at least one bit per sample, and the range-coded profiles code
/// every sample with at least one step of at most 2^16 frequency units in
/// which another symbol (the escape) keeps a non-zero share, so a sample
/// costs at least `-log2(1 - 2^-16)` > 2^-16 bits, i.e. fewer than
/// 8 * 2^16 * ln 2 < 2^19 samples per byte. A larger sample count cannot be
/// true, and is refused before any decoding, so a tiny file that claims
/// 2^60 samples fails at once instead of decoding invented samples.
pub const MAX_SAMPLES_PER_STREAM_BYTE: u64 = 1 << 19;

/// Restores the original file, byte for byte.
pub fn decode(compressed: &[u8]) -> Result<Vec<u8>, Error> {
    decode_with::<AllProfiles>(compressed)
}

/// [`decode`] of the streams of the profile set `C` only (any other is
/// refused as `CoreError::UnknownProfile`).
pub fn decode_with<C: Codecs>(compressed: &[u8]) -> Result<Vec<u8>, Error> {
    let container = parse(compressed)?;
    let out = match container.body {
        Body::Stored(bytes) => bytes.to_vec(),
        Body::Coded(coded) => decode_coded::<C>(&coded, compressed.len())?,
    };
    let actual = crc32c(&out);
    if actual != container.file_crc {
        return Err(Error::IntegrityMismatch { expected: container.file_crc, actual });
    }
    Ok(out)
}

fn decode_coded<C: Codecs>(c: &Coded<'_>, compressed_len: usize) -> Result<Vec<u8>, Error> {
    // The stream must be able to hold the samples the header announces.
    if c.sample_count > (c.stream.len() as u64).saturating_mul(MAX_SAMPLES_PER_STREAM_BYTE) {
        return Err(Error::Truncated);
    }
    // 2 * sample_count must fit in memory before any work is done.
    let sample_bytes = c
        .sample_count
        .checked_mul(2)
        .and_then(|n| usize::try_from(n).ok())
        .ok_or(Error::TooLarge)?;
    let total = sample_bytes
        .checked_add(c.header.len())
        .and_then(|n| n.checked_add(c.trailer.len()))
        .ok_or(Error::TooLarge)?;
    let reserve = total.min(compressed_len.saturating_mul(RESERVE_PER_INPUT_BYTE));

    // The output is assembled in place: zeroed room (calloc, no cost per
    // byte) into which the header is copied and the samples decoded, in runs
    // as long as the room allows, so a sample costs a store rather than a
    // call to extend the vector.
    let mut out = vec![0u8; reserve];
    let head_len = c.header.len();
    let mut pos = 0;
    match c.header {
        WavHeader::Canonical { sample_rate } => {
            let h = canonical_header(sample_rate, sample_bytes as u64).ok_or(Error::HeaderDamaged)?;
            put(&mut out, &mut pos, &h);
        }
        WavHeader::Verbatim(prefix) => put(&mut out, &mut pos, prefix),
    }
    debug_assert_eq!(pos, head_len);
    let end = head_len + sample_bytes;
    if out.len() >= end {
        // Room for every sample (a valid file's usual case): one call, the
        // decoder built where it runs.
        C::decode_le(c.stream, &mut out[pos..end])?;
        pos = end;
    } else {
        let mut dec = C::decoder(c.stream)?;
        while pos < end {
            // Whole samples only: runs end at an even distance from the header.
            let run = (out.len().min(end) - pos) & !1;
            if run == 0 {
                // Out of room: double it (never past the total), which the
                // samples decoded so far justify.
                let len = (out.len() * 2).min(total).max(pos + 2);
                grow(&mut out, len);
                continue;
            }
            dec.decode_le(&mut out[pos..pos + run])?;
            pos += run;
        }
        dec.finish()?;
    }
    put(&mut out, &mut pos, c.trailer);
    out.truncate(pos);
    Ok(out)
}

/// Copies `bytes` to `out` at `*pos`, growing `out` if it is short, and
/// advances `*pos`.
fn put(out: &mut Vec<u8>, pos: &mut usize, bytes: &[u8]) {
    let end = *pos + bytes.len();
    if out.len() < end {
        grow(out, end);
    }
    out[*pos..end].copy_from_slice(bytes);
    *pos = end;
}

/// Makes `out` `len` bytes long (not shorter), the new bytes zero.
#[cold]
#[inline(never)]
fn grow(out: &mut Vec<u8>, len: usize) {
    if len > out.len() {
        let mut more = vec![0u8; len];
        more[..out.len()].copy_from_slice(out);
        *out = more;
    }
}

/// What [`inspect`] reports about a container.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Info {
    pub version: u8,
    pub kind: Kind,
    /// Codec profile and ADC lattice (kind 1 only; `None` when the stream
    /// names one this build does not know).
    pub profile: Option<Profile>,
    pub lattice: Option<AdcLattice>,
    /// Sample rate of a canonical WAV header (kind 1, header mode 0).
    pub sample_rate: Option<u32>,
    /// Whether the WAV header is rebuilt (mode 0) rather than stored.
    pub canonical_header: bool,
    /// 16-bit samples in the codec stream (0 for kind 0).
    pub sample_count: u64,
    /// Bytes stored verbatim around the samples (header and trailer).
    pub verbatim_len: u64,
    /// Bytes of the codec stream.
    pub stream_len: u64,
    pub original_len: u64,
    pub compressed_len: u64,
    /// CRC-32C of the original file.
    pub crc: u32,
}

/// Describes a container without decoding its samples. Checks the header
/// (and its CRC), not the samples: only [`decode`] proves a file intact.
pub fn inspect(compressed: &[u8]) -> Result<Info, Error> {
    let container: Container<'_> = parse(compressed)?;
    let original_len = container.original_len().ok_or(Error::TooLarge)?;
    let mut info = Info {
        version: VERSION,
        kind: container.kind(),
        profile: None,
        lattice: None,
        sample_rate: None,
        canonical_header: false,
        sample_count: 0,
        verbatim_len: 0,
        stream_len: 0,
        original_len,
        compressed_len: compressed.len() as u64,
        crc: container.file_crc,
    };
    match container.body {
        Body::Stored(bytes) => info.verbatim_len = bytes.len() as u64,
        Body::Coded(c) => {
            info.profile = c.stream.first().and_then(|&p| Profile::from_id(p));
            info.lattice = c.stream.get(1).and_then(|&l| AdcLattice::from_id(l));
            if let WavHeader::Canonical { sample_rate } = c.header {
                info.sample_rate = Some(sample_rate);
                info.canonical_header = true;
            }
            info.sample_count = c.sample_count;
            info.verbatim_len = (c.header.len() + c.trailer.len()) as u64;
            if info.canonical_header {
                info.verbatim_len = c.trailer.len() as u64;
            }
            info.stream_len = c.stream.len() as u64;
        }
    }
    Ok(info)
}
