//! Synthetic inputs shared by the integration tests: the testkit's
//! generator, recordings on and off the ADC lattice, and WAV files with any layout.
//! Nothing here is a real recording.
#![allow(dead_code)]

use brainwire_container::AdcLattice;

pub use brainwire_testkit::{le_bytes, Rng};

/// An electrode-shaped signal on the Neuralink 10-bit lattice
/// (`brainwire_testkit::signal`) and, every `off_every` samples (0: never),
/// a value off the lattice.
pub fn walk(n: usize, seed: u64, off_every: usize) -> Vec<i16> {
    let mut rng = Rng::new(seed);
    let codes = brainwire_testkit::signal(&mut rng, n, 1024);
    codes
        .into_iter()
        .enumerate()
        .map(|(i, c)| {
            let v = AdcLattice::Neuralink10.value(c);
            if off_every != 0 && i % off_every == off_every - 1 {
                v.wrapping_add(1 + rng.below(20) as i16)
            } else {
                v
            }
        })
        .collect()
}

pub fn u16le(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&v.to_le_bytes());
}

pub fn u32le(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}

/// A `fmt ` chunk body: format tag, channels, rate, bits (16 bytes, or 40
/// for WAVE_FORMAT_EXTENSIBLE with the PCM sub-format).
pub fn fmt_body(tag: u16, channels: u16, rate: u32, bits: u16) -> Vec<u8> {
    let align = (channels as u32 * bits as u32 / 8) as u16;
    let mut b = Vec::new();
    u16le(&mut b, tag);
    u16le(&mut b, channels);
    u32le(&mut b, rate);
    u32le(&mut b, rate.wrapping_mul(align as u32));
    u16le(&mut b, align);
    u16le(&mut b, bits);
    if tag == 0xFFFE {
        u16le(&mut b, 22);
        u16le(&mut b, bits);
        u32le(&mut b, 4);
        b.extend_from_slice(&[1, 0, 0, 0, 0, 0, 0x10, 0, 0x80, 0, 0, 0xAA, 0, 0x38, 0x9B, 0x71]);
    }
    b
}

/// A chunk with its declared size (which may lie) and its body, padded to
/// even length when `pad`.
pub fn chunk(out: &mut Vec<u8>, id: &[u8; 4], declared: u32, body: &[u8], pad: bool) {
    out.extend_from_slice(id);
    u32le(out, declared);
    out.extend_from_slice(body);
    if pad && body.len() % 2 == 1 {
        out.push(0);
    }
}

/// `RIFF <size> WAVE` then `chunks`; `riff_size` None means the true size.
pub fn riff(chunks: &[u8], riff_size: Option<u32>) -> Vec<u8> {
    let mut f = Vec::with_capacity(chunks.len() + 12);
    f.extend_from_slice(b"RIFF");
    u32le(&mut f, riff_size.unwrap_or(chunks.len() as u32 + 4));
    f.extend_from_slice(b"WAVE");
    f.extend_from_slice(chunks);
    f
}

/// The canonical mono 16-bit file of `samples` at `rate`.
pub fn canonical_wav(samples: &[i16], rate: u32) -> Vec<u8> {
    let data = le_bytes(samples);
    let mut c = Vec::new();
    chunk(&mut c, b"fmt ", 16, &fmt_body(1, 1, rate, 16), true);
    chunk(&mut c, b"data", data.len() as u32, &data, true);
    riff(&c, None)
}
