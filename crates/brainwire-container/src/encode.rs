//! Encoding: choose the smallest of the stored and the coded container.
//!
//! Invariant: [`encode`] never fails and its output is never longer than the
//! input plus [`FIXED_LEN`](crate::format::FIXED_LEN) bytes, because the
//! stored container is always a candidate.

use alloc::vec;
use alloc::vec::Vec;

use brainwire_core::{encode_le, encode_le_lite_detecting, AdcLattice, ByteSink, Profile};

use crate::crc::crc32c;
use crate::format::{write_coded_header, write_stored, WavHeader, FIXED_LEN};
use crate::wav::{canonical_header, pcm16_layout, CANONICAL_HEADER_LEN};

/// The profiles [`encode_best`] tries when the caller has no preference:
/// `max` is smaller on nearly every recording; `tables` adapts its residual
/// shape and wins (by up to 25 %) on the few that sit clipped at a rail.
pub const DEFAULT_CANDIDATES: [Profile; 2] = [Profile::Max, Profile::Tables];

/// Compresses a file. 16-bit PCM WAV files are coded with `profile`;
/// anything else, or anything that codes larger, is stored.
pub fn encode(input: &[u8], profile: Profile) -> Vec<u8> {
    encode_best(input, &[profile])
}

/// Compresses a file with whichever of `profiles` gives the smallest result
/// (or stores it, if that is smaller still). Costs one encode per profile.
pub fn encode_best(input: &[u8], profiles: &[Profile]) -> Vec<u8> {
    let file_crc = crc32c(input);
    match encode_coded(input, file_crc, profiles) {
        Some(coded) if coded.len() < input.len() + FIXED_LEN => coded,
        _ => {
            let mut out = Vec::with_capacity(input.len() + FIXED_LEN);
            write_stored(&mut out, input, file_crc);
            out
        }
    }
}

/// For a 16-bit PCM WAV file: the smallest kind-1 container over `profiles`.
/// The samples are coded straight from the input bytes, never collected.
fn encode_coded(input: &[u8], file_crc: u32, profiles: &[Profile]) -> Option<Vec<u8>> {
    let layout = pcm16_layout(input)?;
    let data_end = layout.data_start + layout.data_len;
    let (prefix, data, trailer) = (&input[..layout.data_start], &input[layout.data_start..data_end], &input[data_end..]);
    let sample_count = (data.len() / 2) as u64;

    // Rebuild the canonical header; only when it is bit-exact may the
    // container drop the original.
    let header = match canonical_header(layout.sample_rate, layout.data_len as u64) {
        Some(h) if layout.channels == 1 && prefix == &h[..] => WavHeader::Canonical { sample_rate: layout.sample_rate },
        _ => WavHeader::Verbatim(prefix),
    };
    debug_assert!(prefix.len() == CANONICAL_HEADER_LEN || matches!(header, WavHeader::Verbatim(_)));

    // The lattice scan costs as much as half of lite's coding: lite alone
    // counts the off-lattice samples as it codes instead, and codes again
    // only when they call for another lattice (`encode_le_lite_detecting`).
    let lite_only = profiles.iter().all(|&p| p == Profile::Lite);
    let mut scanned = None;
    let mut head = Vec::new();
    write_coded_header(&mut head, file_crc, header, sample_count, trailer);
    // Typical ratio is 3-4x: room for half the samples avoids most regrowth.
    let room = head.len() + data.len() / 2 + 64;
    let mut best: Option<Vec<u8>> = None;
    for &profile in profiles {
        let mut out = Sink::new(profile, &head, room);
        // The lattice to code with, or none when lite's first pass is the
        // stream to keep.
        let lattice = if lite_only {
            match encode_le_lite_detecting(data, &mut out) {
                AdcLattice::Neuralink10 => None,
                other => {
                    out = Sink::new(profile, &head, room);
                    Some(other)
                }
            }
        } else {
            Some(*scanned.get_or_insert_with(|| AdcLattice::detect_le(data)))
        };
        // Constant profiles, so each call inlines one profile's loop (see
        // `encode_le`).
        match (profile, lattice) {
            (_, None) => {}
            (Profile::Lite, Some(lattice)) => encode_le(Profile::Lite, lattice, data, &mut out),
            (Profile::Tables, Some(lattice)) => encode_le(Profile::Tables, lattice, data, &mut out),
            (Profile::Max, Some(lattice)) => encode_le(Profile::Max, lattice, data, &mut out),
            (Profile::Fast, Some(lattice)) => encode_le(Profile::Fast, lattice, data, &mut out),
        }
        let out = out.into_vec();
        if best.as_ref().is_none_or(|b| out.len() < b.len()) {
            best = Some(out);
        }
    }
    best
}

/// The codec's output buffer: bytes are stored into zero-filled room, so a
/// byte costs a bounds test and a store (`Vec::push` is not inlined at the
/// challenge's opt-level "z" and cost ~7 instructions a sample).
struct Sink {
    buf: Vec<u8>,
    /// Bytes written; `buf[len..]` is room.
    len: usize,
}

impl Sink {
    /// `profile`'s output starting with `head`, with room up to `room`
    /// bytes: zeroed for the range coders, which store byte by byte;
    /// capacity only for lite, whose runs extend the vector (zeroing would
    /// only cost a pass).
    fn new(profile: Profile, head: &[u8], room: usize) -> Self {
        if profile == Profile::Lite {
            let mut buf = Vec::with_capacity(room.max(head.len()));
            buf.extend_from_slice(head);
            return Self { buf, len: head.len() };
        }
        // `vec!` rather than `resize`: a zeroed allocation (calloc) costs no
        // instructions per byte, `resize` a loop at opt-level "z".
        let mut buf = vec![0; room.max(head.len())];
        buf[..head.len()].copy_from_slice(head);
        Self { buf, len: head.len() }
    }

    /// Past the room: the vector's own growth (the rare range-coded file
    /// that codes beyond its room, lite's last byte).
    #[cold]
    #[inline(never)]
    fn grow(&mut self, byte: u8) {
        self.buf.truncate(self.len);
        self.buf.push(byte);
    }

    fn into_vec(mut self) -> Vec<u8> {
        self.buf.truncate(self.len);
        self.buf
    }
}

impl Sink {
    #[inline(always)]
    fn put_inline(&mut self, byte: u8) {
        match self.buf.get_mut(self.len) {
            Some(slot) => *slot = byte,
            None => self.grow(byte),
        }
        self.len += 1;
    }
}

/// A call per byte: the range-coded profiles, where a byte costs far more
/// than the call and inlining the sink at each of their output sites would
/// cost ~1 KiB of each executable.
impl ByteSink for Sink {
    #[inline(never)]
    fn put(&mut self, byte: u8) {
        self.put_inline(byte);
    }

    /// Lite hands over its output in runs of 4 KiB.
    #[inline(never)]
    fn put_slice(&mut self, bytes: &[u8]) {
        match self.buf.get_mut(self.len..self.len + bytes.len()) {
            Some(room) => room.copy_from_slice(bytes),
            None => {
                self.buf.truncate(self.len);
                self.buf.extend_from_slice(bytes);
            }
        }
        self.len += bytes.len();
    }
}
