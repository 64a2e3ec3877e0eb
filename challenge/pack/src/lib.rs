//! The packed format: LZ77 tokens coded bit by bit with adaptive binary
//! probabilities (LZMA's range coder: 11-bit probabilities, adaptation
//! 2^-5), so the decoder is a few hundred bytes of code.
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

pub const BITS: u32 = 11;
pub const HALF: u16 = 1 << (BITS - 1);
pub const SHIFT: u32 = 5;
pub const TOP: u32 = 1 << 24;

/// The range decoder over `packed` (bytes past its end read as 0).
struct Decoder<'a> {
    packed: &'a [u8],
    pos: usize,
    range: u32,
    code: u32,
    p: [u16; PROBS],
}

impl Decoder<'_> {
    fn byte(&mut self) -> u32 {
        let b = self.packed.get(self.pos).copied().unwrap_or(0);
        self.pos += 1;
        u32::from(b)
    }

    /// One copy, called: inlined at its four sites it cost ~600 bytes for
    /// ~8 instructions a sample less in the whole run.
    #[inline(never)]
    fn bit(&mut self, ctx: usize) -> usize {
        let p = &mut self.p[ctx];
        let bound = (self.range >> BITS) * u32::from(*p);
        let bit = if self.code < bound {
            self.range = bound;
            *p += ((1 << BITS) - *p) >> SHIFT;
            0
        } else {
            self.range -= bound;
            self.code -= bound;
            *p -= *p >> SHIFT;
            1
        };
        if self.range < TOP {
            self.range <<= 8;
            self.code = (self.code << 8) | self.byte();
        }
        bit
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
        packed,
        pos: 0,
        range: u32::MAX,
        code: 0,
        p: [HALF; PROBS],
    };
    for _ in 0..5 {
        d.code = (d.code << 8) | d.byte();
    }
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
