//! The packed format: LZ77 tokens coded bit by bit with adaptive binary
//! probabilities through the codec's own range coder (its division-free
//! binary split, `brainwire_core::range`, as LZMA's), so the decoder is a few hundred bytes of code.
//!
//! Tokens, until the output has its length: an `is_match` bit (context: was
//! the last token a match); a literal is its 8 bits through a bit tree per
//! top 3 bits of the previous byte; a match is a `rep` bit (reuse the last
//! distance) or a new distance (Elias gamma, adaptive), then its length
//! minus one (Elias gamma, adaptive; at least 2). What the tokens restore
//! is the image after [`filter_calls`]; `unpack` undoes the filter.
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
/// `brainwire_core::range` codes binary decisions with), adapting by 2^-4 of
/// the distance to `P_MAX` or `P_MIN`, the bounds of the coder's one-step
/// split, which they never leave. (2^-4 packs ./encode and ./decode 0.4 %
/// smaller than 2^-5 and 1.8 % smaller than 2^-6.)
pub const HALF: u16 = 1 << 11;
const SHIFT: u32 = 4;
const P_MIN: u16 = 16;
const P_MAX: u16 = 4080;

/// Moves the probability `p` of a 1 towards the coded `bit`: from inside
/// `P_MIN..=P_MAX`, a step of at most the distance to the bound keeps it
/// inside.
#[inline(always)]
pub fn adapt(p: &mut u16, bit: bool) {
    if bit {
        *p += (P_MAX - *p) >> SHIFT;
    } else {
        *p -= (*p - P_MIN) >> SHIFT;
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

/// The context of the literal at `pos` of `bytes`: the top 3 bits of the
/// byte before it (0 at the start).
#[inline(always)]
pub fn literal_context(bytes: &[u8], pos: usize) -> usize {
    if pos > 0 { usize::from(bytes[pos - 1] >> 5) } else { 0 }
}

/// Restores `out.len()` bytes from `packed`: the tokens, then the call
/// filter undone.
pub fn unpack(packed: &[u8], out: &mut [u8]) {
    let mut d = Decoder {
        rc: RangeDecoder::new(packed),
        p: [HALF; PROBS],
    };
    let (mut pos, mut matched, mut rep) = (0usize, 0usize, 1usize);
    while pos < out.len() {
        if d.bit(IS_MATCH + matched) == 0 {
            let prev = literal_context(out, pos);
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
    filter_calls(out, false);
}

/// The x86 call filter (after xz's "BCJ"), for `call rel32` (opcode `E8`)
/// whose operand is near (its top byte `00` or `FF`): the operand's low 24
/// bits made absolute, `target = rel + end` modulo 2^24 with `end` the
/// operand's end as an offset in the image (`to_absolute`), or relative
/// again; the top byte is kept. Calls of one function from many places
/// then share their operand's bytes, which LZ77 matches (-1.7 % packed on
/// ./encode and ./decode; all operands, not only near ones: -1.1 %; near
/// `jmp rel32` operands too: -1.6 %).
///
/// Exact for any bytes: both ways visit the same `E8`s (an operand is
/// skipped whether it was changed or not), and the test reads the byte
/// neither way changes.
pub fn filter_calls(image: &mut [u8], to_absolute: bool) {
    let mut i = 0;
    while let Some(window) = image.get_mut(i..i + 5) {
        i += 1;
        if let [0xE8, low @ .., 0x00 | 0xFF] = window {
            let v = u32::from_le_bytes([low[0], low[1], low[2], 0]);
            let end = i as u32 + 4;
            let v = if to_absolute { v.wrapping_add(end) } else { v.wrapping_sub(end) };
            low.copy_from_slice(&v.to_le_bytes()[..3]);
            i += 4;
        }
    }
}
