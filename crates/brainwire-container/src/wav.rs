//! RIFF/WAVE layout: where the 16-bit PCM samples of a file are.
//!
//! Invariant: [`pcm16_layout`] only ever describes a byte range inside the
//! file it was given (`data_start + data_len <= file.len()`, `data_len` even),
//! whatever the file's chunk sizes claim. It reads, never trusts: sizes that
//! run past the end are clipped to the file, odd chunk sizes are padded as
//! RIFF says, unknown chunks are skipped, and the RIFF size field is ignored.
//! The layout only decides what the codec models; the container stores every
//! byte outside the sample range verbatim, so a wrong guess costs ratio,
//! never correctness.

/// Byte length of the canonical mono 16-bit PCM header.
pub const CANONICAL_HEADER_LEN: usize = 44;

/// The sample range of a 16-bit PCM WAV file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Layout {
    /// Offset of the first sample byte.
    pub data_start: usize,
    /// Length of the sample bytes: the `data` chunk clipped to the file and
    /// rounded down to whole 16-bit samples.
    pub data_len: usize,
    /// Samples per second per channel, from the `fmt ` chunk.
    pub sample_rate: u32,
    /// Interleaved channels, from the `fmt ` chunk.
    pub channels: u16,
}

const WAVE_FORMAT_PCM: u16 = 1;
const WAVE_FORMAT_EXTENSIBLE: u16 = 0xFFFE;
/// KSDATAFORMAT_SUBTYPE_PCM after its first two bytes (which hold the tag 1).
const PCM_SUBFORMAT_TAIL: [u8; 14] =
    [0, 0, 0, 0, 0x10, 0, 0x80, 0, 0, 0xAA, 0, 0x38, 0x9B, 0x71];

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    let s = b.get(at..at.checked_add(2)?)?;
    Some(u16::from_le_bytes([s[0], s[1]]))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    let s = b.get(at..at.checked_add(4)?)?;
    Some(u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
}

struct Format {
    sample_rate: u32,
    channels: u16,
}

/// Reads a `fmt ` chunk body; `None` unless it describes 16-bit integer PCM.
fn parse_fmt(body: &[u8]) -> Option<Format> {
    let tag = u16_at(body, 0)?;
    let channels = u16_at(body, 2)?;
    let sample_rate = u32_at(body, 4)?;
    let bits = u16_at(body, 14)?;
    let pcm = match tag {
        WAVE_FORMAT_PCM => true,
        WAVE_FORMAT_EXTENSIBLE => {
            // cbSize, valid bits, channel mask, then the subformat GUID.
            let guid = body.get(24..40)?;
            u16::from_le_bytes([guid[0], guid[1]]) == WAVE_FORMAT_PCM
                && guid[2..] == PCM_SUBFORMAT_TAIL
        }
        _ => false,
    };
    (pcm && bits == 16 && channels > 0).then_some(Format { sample_rate, channels })
}

/// Finds the 16-bit PCM samples of a WAV file, or `None` when the file is not
/// a RIFF/WAVE file with 16-bit integer PCM `fmt ` and a `data` chunk.
pub fn pcm16_layout(file: &[u8]) -> Option<Layout> {
    if file.get(0..4)? != b"RIFF" || file.get(8..12)? != b"WAVE" {
        return None;
    }
    let mut format = None;
    let mut data = None;
    let mut pos = 12usize;
    while format.is_none() || data.is_none() {
        let Some(id) = file.get(pos..pos + 4) else { break };
        let Some(size) = u32_at(file, pos + 4) else { break };
        let body_start = pos + 8;
        let declared_end = body_start.checked_add(size as usize);
        let body_end = declared_end.unwrap_or(usize::MAX).min(file.len());
        let body = &file[body_start..body_end];
        match id {
            b"fmt " if format.is_none() => format = Some(parse_fmt(body)?),
            b"data" if data.is_none() => data = Some((body_start, body.len() & !1)),
            _ => {}
        }
        // Chunks are padded to even length; a chunk that claims to run past
        // the end of the file ends the walk.
        match declared_end.and_then(|e| e.checked_add(size as usize & 1)) {
            Some(next) if next <= file.len() => pos = next,
            _ => break,
        }
    }
    let (format, (data_start, data_len)) = (format?, data?);
    Some(Layout { data_start, data_len, sample_rate: format.sample_rate, channels: format.channels })
}

/// The canonical 44-byte header of a mono 16-bit PCM file holding
/// `data_len` sample bytes, or `None` when the sizes overflow the RIFF fields.
pub fn canonical_header(sample_rate: u32, data_len: u64) -> Option<[u8; CANONICAL_HEADER_LEN]> {
    let data_len = u32::try_from(data_len).ok()?;
    let riff_len = data_len.checked_add(36)?;
    let byte_rate = sample_rate.checked_mul(2)?;
    // As eleven little-endian words (the fixed fields: format tag 1, one
    // channel, block align 2, 16 bits), which compile to a few stores: field
    // by field the header took ~700 bytes of code in `./decode`.
    let word = |b: &[u8; 4]| u32::from_le_bytes(*b);
    let words = [
        word(b"RIFF"),
        riff_len,
        word(b"WAVE"),
        word(b"fmt "),
        16,
        u32::from(WAVE_FORMAT_PCM) | 1 << 16,
        sample_rate,
        byte_rate,
        2 | 16 << 16,
        word(b"data"),
        data_len,
    ];
    let mut h = [0u8; CANONICAL_HEADER_LEN];
    for (bytes, w) in h.chunks_exact_mut(4).zip(words) {
        bytes.copy_from_slice(&w.to_le_bytes());
    }
    Some(h)
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;

    fn chunk(out: &mut Vec<u8>, id: &[u8; 4], body: &[u8]) {
        out.extend_from_slice(id);
        out.extend_from_slice(&(body.len() as u32).to_le_bytes());
        out.extend_from_slice(body);
        if body.len() % 2 == 1 {
            out.push(0);
        }
    }

    fn fmt_body(tag: u16, channels: u16, rate: u32, bits: u16) -> Vec<u8> {
        let align = channels * bits / 8;
        let mut b = Vec::new();
        b.extend_from_slice(&tag.to_le_bytes());
        b.extend_from_slice(&channels.to_le_bytes());
        b.extend_from_slice(&rate.to_le_bytes());
        b.extend_from_slice(&(rate * align as u32).to_le_bytes());
        b.extend_from_slice(&align.to_le_bytes());
        b.extend_from_slice(&bits.to_le_bytes());
        b
    }

    fn riff(chunks: &[u8]) -> Vec<u8> {
        let mut f = Vec::new();
        f.extend_from_slice(b"RIFF");
        f.extend_from_slice(&(chunks.len() as u32 + 4).to_le_bytes());
        f.extend_from_slice(b"WAVE");
        f.extend_from_slice(chunks);
        f
    }

    #[test]
    fn canonical_file_matches_builder() {
        let mut c = Vec::new();
        chunk(&mut c, b"fmt ", &fmt_body(1, 1, 19531, 16));
        chunk(&mut c, b"data", &[1, 2, 3, 4]);
        let f = riff(&c);
        assert_eq!(f[..44], canonical_header(19531, 4).unwrap());
        let l = pcm16_layout(&f).unwrap();
        assert_eq!(l, Layout { data_start: 44, data_len: 4, sample_rate: 19531, channels: 1 });
    }

    #[test]
    fn skips_extra_chunks_and_pads_odd_ones() {
        let mut c = Vec::new();
        chunk(&mut c, b"fmt ", &fmt_body(1, 2, 8000, 16));
        chunk(&mut c, b"LIST", b"odd");
        chunk(&mut c, b"data", &[9; 10]);
        let f = riff(&c);
        let l = pcm16_layout(&f).unwrap();
        assert_eq!(l.data_start, f.len() - 10);
        assert_eq!((l.data_len, l.channels), (10, 2));
    }

    #[test]
    fn data_before_fmt_is_found() {
        let mut c = Vec::new();
        chunk(&mut c, b"data", &[0; 6]);
        chunk(&mut c, b"fmt ", &fmt_body(1, 1, 100, 16));
        let l = pcm16_layout(&riff(&c)).unwrap();
        assert_eq!((l.data_start, l.data_len), (20, 6));
    }

    #[test]
    fn lying_sizes_are_clipped_to_the_file() {
        let mut c = Vec::new();
        chunk(&mut c, b"fmt ", &fmt_body(1, 1, 100, 16));
        c.extend_from_slice(b"data");
        c.extend_from_slice(&u32::MAX.to_le_bytes());
        c.extend_from_slice(&[5; 7]);
        let mut f = riff(&c);
        f[4..8].copy_from_slice(&7u32.to_le_bytes());
        let l = pcm16_layout(&f).unwrap();
        assert_eq!((l.data_start, l.data_len), (44, 6));
    }

    #[test]
    fn extensible_pcm_is_accepted_and_float_is_not() {
        let mut body = fmt_body(WAVE_FORMAT_EXTENSIBLE, 1, 100, 16);
        body.extend_from_slice(&22u16.to_le_bytes());
        body.extend_from_slice(&16u16.to_le_bytes());
        body.extend_from_slice(&4u32.to_le_bytes());
        body.extend_from_slice(&1u16.to_le_bytes());
        body.extend_from_slice(&PCM_SUBFORMAT_TAIL);
        let mut c = Vec::new();
        chunk(&mut c, b"fmt ", &body);
        chunk(&mut c, b"data", &[0; 4]);
        assert!(pcm16_layout(&riff(&c)).is_some());

        let mut c = Vec::new();
        chunk(&mut c, b"fmt ", &fmt_body(3, 1, 100, 32));
        chunk(&mut c, b"data", &[0; 4]);
        assert_eq!(pcm16_layout(&riff(&c)), None);
    }

    #[test]
    fn other_depths_and_non_wav_are_refused() {
        for bits in [8, 24, 32] {
            let mut c = Vec::new();
            chunk(&mut c, b"fmt ", &fmt_body(1, 1, 100, bits));
            chunk(&mut c, b"data", &[0; 12]);
            assert_eq!(pcm16_layout(&riff(&c)), None);
        }
        assert_eq!(pcm16_layout(b""), None);
        assert_eq!(pcm16_layout(b"RIFF\0\0\0\0WAVE"), None);
        assert_eq!(pcm16_layout(b"hello, world, not a wave file"), None);
    }

    #[test]
    fn never_reads_out_of_bounds() {
        let mut c = Vec::new();
        chunk(&mut c, b"fmt ", &fmt_body(1, 1, 100, 16));
        chunk(&mut c, b"data", &[1; 8]);
        let f = riff(&c);
        for cut in 0..f.len() {
            if let Some(l) = pcm16_layout(&f[..cut]) {
                assert!(l.data_start + l.data_len <= cut);
                assert_eq!(l.data_len % 2, 0);
            }
        }
    }
}
