//! Encoding: choose the smallest of the stored and the coded container.
//!
//! Invariant: [`encode`] never fails and its output is never longer than the
//! input plus [`FIXED_LEN`](crate::format::FIXED_LEN) bytes, because the
//! stored container is always a candidate.

use alloc::vec;
use alloc::vec::Vec;

use brainwire_core::{ByteSink, Profile};

use crate::codecs::{AllProfiles, Codecs};

use crate::crc::crc32c;
use crate::format::{write_coded_header, write_stored, WavHeader, FIXED_LEN};
use crate::wav::{canonical_header, pcm16_layout, CANONICAL_HEADER_LEN};

/// The profiles [`encode_best`] tries when the caller has no preference:
/// `max` version 4, which models the rails (measurements in
/// docs/perf/challenge.md).
pub const DEFAULT_CANDIDATES: [Profile; 1] = [Profile::Max5];

/// Compresses a file. 16-bit PCM WAV files are coded with `profile`;
/// anything else, or anything that codes larger, is stored.
pub fn encode(input: &[u8], profile: Profile) -> Vec<u8> {
    encode_best(input, &[profile])
}

/// Compresses a file with whichever of `profiles` gives the smallest result
/// (or stores it, if that is smaller still). Costs one encode per profile.
pub fn encode_best(input: &[u8], profiles: &[Profile]) -> Vec<u8> {
    encode_with::<AllProfiles>(input, profiles)
}

/// [`encode_best`] with the profiles of the set `C` only (a profile not in
/// it is skipped; with none left the file is stored).
pub fn encode_with<C: Codecs>(input: &[u8], profiles: &[Profile]) -> Vec<u8> {
    let file_crc = crc32c(input);
    match encode_coded::<C>(input, file_crc, profiles) {
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
fn encode_coded<C: Codecs>(input: &[u8], file_crc: u32, profiles: &[Profile]) -> Option<Vec<u8>> {
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

    let mut scanned = None;
    let mut head = Vec::new();
    write_coded_header(&mut head, file_crc, header, sample_count, trailer);
    // Typical ratio is 3-4x: room for half the samples avoids most regrowth.
    let room = head.len() + data.len() / 2 + 64;
    let mut best: Option<Vec<u8>> = None;
    for &profile in profiles {
        let Some(out) = C::code(profile, data, &head, room, &mut scanned) else { continue };
        if best.as_ref().is_none_or(|b| out.len() < b.len()) {
            best = Some(out);
        }
    }
    best
}

/// The codec's output buffer: bytes are stored into zero-filled room, so a
/// byte costs a bounds test and a store (`Vec::push` is not inlined at the
/// challenge's opt-level "z"; figures: docs/perf/core.md).
pub(crate) struct Sink {
    buf: Vec<u8>,
    /// Bytes written; `buf[len..]` is room.
    len: usize,
}

impl Sink {
    /// `profile`'s output starting with `head`, with room up to `room`
    /// bytes: zeroed for the range coders, which store byte by byte;
    /// capacity only for lite, whose runs extend the vector (zeroing would
    /// only cost a pass).
    pub(crate) fn new(profile: Profile, head: &[u8], room: usize) -> Self {
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

    pub(crate) fn into_vec(mut self) -> Vec<u8> {
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
/// grow each executable (docs/perf/core.md).
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
