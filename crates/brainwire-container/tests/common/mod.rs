//! Synthetic inputs shared by the integration tests: a deterministic RNG,
//! recordings on and off the ADC lattice, and WAV files with any layout.
//! Nothing here is a real recording.
#![allow(dead_code)]

use brainwire_container::AdcLattice;

/// SplitMix64: small, deterministic, good enough to pick damage.
pub struct Rng(pub u64);

impl Rng {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    pub fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next_u64() as u8).collect()
    }
}

/// A random walk over the Neuralink 10-bit lattice with occasional spikes,
/// and, every `off_every` samples (0: never), a value off the lattice.
pub fn walk(n: usize, seed: u64, off_every: usize) -> Vec<i16> {
    let mut rng = Rng(seed);
    let mut code: i32 = 300 + rng.below(400) as i32;
    (0..n)
        .map(|i| {
            let r = rng.next_u64();
            code += (r % 9) as i32 - 4;
            if r.is_multiple_of(101) {
                code += 60;
            }
            code = code.clamp(0, 1023);
            let v = AdcLattice::Neuralink10.value(code as u32);
            if off_every != 0 && i % off_every == off_every - 1 {
                v.wrapping_add(1 + (r >> 40) as i16 % 20)
            } else {
                v
            }
        })
        .collect()
}

pub fn le_bytes(samples: &[i16]) -> Vec<u8> {
    samples.iter().flat_map(|s| s.to_le_bytes()).collect()
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
