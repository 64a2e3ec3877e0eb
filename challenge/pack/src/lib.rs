//! The packed format: LZ77 tokens coded bit by bit with adaptive binary
//! probabilities through the codec's own range coder (its division-free
//! binary split, `brainwire_core::range`, as LZMA's), so the decoder is a few hundred bytes of code.
//!
//! Tokens, until the output has its length: an `is_match` bit (context: was
//! the last token a match); a literal is its 8 bits through a bit tree per
//! top 3 bits of the previous byte; a match is a `rep` bit (reuse the last
//! distance) or a new distance (Elias gamma, adaptive), then its length
//! minus one (Elias gamma, adaptive; at least 2).
//!
//! Invariant: [`unpack`] of [`pack`]'s output (with its length) is the
//! input, and [`unpack`] never writes outside `out` nor reads outside
//! `packed`, whatever the bytes (damage gives garbage, not a fault).
#![no_std]

use brainwire_core::range::RangeDecoder;

/// Offsets into the one probability array.
pub const LIT: usize = 0;
pub const IS_MATCH: usize = LIT + 8 * 256;
pub const IS_REP: usize = IS_MATCH + 2;
/// A gamma code's block: 32 unary contexts, then 32 x 32 bit contexts (by
/// length and position).
pub const GAMMA: usize = 32 + 32 * 32;
pub const LEN: usize = IS_REP + 2;
pub const DIST: usize = LEN + GAMMA;
pub const PROBS: usize = DIST + GAMMA;

/// Probabilities are of a 1 bit, in units of 2^-12 (what
/// `brainwire_core::range` codes binary decisions with), adapting by 2^-5 of
/// the distance to the coded bit, which keeps them inside `31..=4065`.
pub const HALF: u16 = 1 << 11;
const SHIFT: u32 = 5;

/// Moves the probability `p` of a 1 towards the coded `bit`.
#[inline(always)]
pub fn adapt(p: &mut u16, bit: bool) {
    if bit {
        *p += (4096 - *p) >> SHIFT;
    } else {
        *p -= *p >> SHIFT;
    }
}

/// The codec's range decoder over `packed`, and the probabilities.
struct Decoder<'a> {
    rc: RangeDecoder<'a>,
    p: [u16; PROBS],
}

impl Decoder<'_> {
    /// One copy, called: inlined at its four sites it cost ~600 bytes for
    /// ~8 instructions a sample less in the whole run.
    #[inline(never)]
    fn bit(&mut self, ctx: usize) -> usize {
        let p = &mut self.p[ctx];
        let bit = self.rc.decode_bit_split(u32::from(*p));
        adapt(p, bit);
        usize::from(bit)
    }

    fn gamma(&mut self, base: usize) -> usize {
        let mut n = 1;
        while n < 32 && self.bit(base + n - 1) == 1 {
            n += 1;
        }
        let mut v = 1;
        for i in (0..n - 1).rev() {
            v = (v << 1) | self.bit(base + 32 + (n - 1) * 32 + i);
        }
        v
    }
}

/// Restores `out.len()` bytes from `packed`.
pub fn unpack(packed: &[u8], out: &mut [u8]) {
    let mut d = Decoder {
        rc: RangeDecoder::new(packed),
        p: [HALF; PROBS],
    };
    let (mut pos, mut matched, mut rep) = (0usize, 0usize, 1usize);
    while pos < out.len() {
        if d.bit(IS_MATCH + matched) == 0 {
            let prev = if pos > 0 {
                usize::from(out[pos - 1] >> 5)
            } else {
                0
            };
            let mut m = 1;
            while m < 256 {
                m = (m << 1) | d.bit(LIT + prev * 256 + m);
            }
            out[pos] = m as u8;
            pos += 1;
            matched = 0;
        } else {
            if d.bit(IS_REP + matched) == 0 {
                rep = d.gamma(DIST);
            }
            let len = d.gamma(LEN) + 1;
            for _ in 0..len {
                if pos >= out.len() {
                    break;
                }
                out[pos] = if rep <= pos { out[pos - rep] } else { 0 };
                pos += 1;
            }
            matched = 1;
        }
    }
}
