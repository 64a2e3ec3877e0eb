//! Test support for the brainwire crates (a dev-dependency only; it depends
//! on no brainwire crate, so every crate's tests can use it).
//!
//! - [`Rng`]: the one deterministic generator of the tests. A stream of its
//!   numbers depends on the seed alone, on every machine, forever: golden
//!   vectors are made from it.
//! - [`signal`]: ADC codes shaped like an electrode's (slow wave, noise,
//!   spikes), for any number of codes.
//! - [`walks`]: interleaved multi-channel random walks in a range.
//! - [`recordings`]: the real challenge recordings, found the same way by
//!   every crate, with a visible skip when there are none.
//! - [`hash`]: CRC-32 (IEEE) of bytes, the hash golden vectors and
//!   generated tables are pinned by.

pub mod data;

pub use data::{recordings, Recording};

/// SplitMix64 (Steele, Lea, Flood 2014): small, fast, every seed good.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// The high 32 bits of the next number.
    pub fn next_u32(&mut self) -> u32 {
        (self.next_u64() >> 32) as u32
    }

    /// Uniform in `0..n` (`n > 0`; the modulo bias is below 2^-32 for the
    /// small `n` of tests).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// True with probability `per_mille / 1000`.
    pub fn chance(&mut self, per_mille: u32) -> bool {
        self.below(1000) < per_mille as usize
    }

    /// Roughly Gaussian (a sum of four uniforms), mean 0, standard deviation
    /// about `sd`.
    pub fn noise(&mut self, sd: i32) -> i32 {
        let s: i32 = (0..4).map(|_| (self.next_u32() >> 20) as i32 - 2048).sum();
        s * sd / 2365
    }

    /// Approximately standard normal: a sum of 12 uniforms on `[0, 1)`
    /// minus 6 (Irwin-Hall), for tests that reason in standard deviations.
    pub fn normal(&mut self) -> f64 {
        (0..12).map(|_| (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64).sum::<f64>() - 6.0
    }

    /// `n` uniform bytes.
    pub fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next_u32() as u8).collect()
    }

    /// A copy of `bytes` (not empty) with one uniformly chosen bit flipped:
    /// the damage the decoders' tests feed them.
    pub fn with_flipped_bit(&mut self, bytes: &[u8]) -> Vec<u8> {
        let mut damaged = bytes.to_vec();
        let i = self.below(damaged.len());
        damaged[i] ^= 1 << (self.next_u32() % 8);
        damaged
    }
}

/// `n` ADC codes in `0..codes` shaped like an electrode's: a slow wave
/// (about `codes / 256` codes of drift), noise of about `codes / 170` codes
/// and a spike every 997 samples, around mid-scale.
pub fn signal(rng: &mut Rng, n: usize, codes: u32) -> Vec<u32> {
    const SPIKE: [i32; 12] = [0, -40, -90, -60, -20, 10, 25, 20, 12, 6, 3, 1];
    let scale = (codes / 1024).max(1) as i32;
    let top = codes as i32 - 1;
    let mut wave = 0i32;
    (0..n)
        .map(|t| {
            wave += rng.noise(2) - wave / 64;
            let spike = SPIKE.get(t % 997).copied().unwrap_or(0);
            ((codes / 2) as i32 + (wave + rng.noise(6) + spike) * scale).clamp(0, top) as u32
        })
        .collect()
}

/// `frames x channels` values, interleaved (C order): per channel a random
/// walk in `lo..=hi` with steps uniform in `-max_step..=max_step`, channel
/// `c` starting at `(lo + hi) / 2 + c`.
pub fn walks(rng: &mut Rng, frames: usize, channels: usize, max_step: i64, lo: i64, hi: i64) -> Vec<i64> {
    let mut v: Vec<i64> = (0..channels).map(|c| (lo + hi) / 2 + c as i64).collect();
    let mut out = Vec::with_capacity(frames * channels);
    for _ in 0..frames {
        for vc in v.iter_mut() {
            *vc = (*vc + rng.below(2 * max_step as usize + 1) as i64 - max_step).clamp(lo, hi);
            out.push(*vc);
        }
    }
    out
}

/// CRC-32 (IEEE) of `bytes`.
pub fn hash(bytes: &[u8]) -> u32 {
    crc32fast::hash(bytes)
}

/// The little-endian bytes of 16-bit samples (a WAV file's data chunk).
pub fn le_bytes(samples: &[i16]) -> Vec<u8> {
    samples.iter().flat_map(|s| s.to_le_bytes()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The generator's stream is pinned: golden vectors depend on it.
    #[test]
    fn the_stream_of_a_seed_never_changes() {
        let mut r = Rng::new(0);
        assert_eq!(r.next_u64(), 0xE220_A839_7B1D_CDAF);
        let mut r = Rng::new(7);
        let s = signal(&mut r, 4000, 1024);
        assert!(s.iter().all(|&c| c < 1024));
        assert_eq!(hash(&s.iter().flat_map(|c| c.to_le_bytes()).collect::<Vec<_>>()), SIGNAL_7_HASH);
    }

    const SIGNAL_7_HASH: u32 = 624_101_165;
}
