//! Range coder: multi-symbol arithmetic coding with 32-bit integer state.
//!
//! The encoder keeps `low` (33 bits: 32 plus a carry) and `range` (32 bits);
//! after every symbol `range >= 2^24`, so any frequency table whose total is at
//! most [`MAX_TOTAL`] codes every symbol of non-zero frequency. Bytes leave the
//! encoder in order, with carries resolved through one cached byte and a count
//! of pending `0xFF` bytes (the scheme of LZMA's coder). Everything is integer
//! arithmetic, so encoder and decoder agree bit for bit on any machine.
//!
//! The decoder never reads out of bounds: past the end of its input it reads
//! zero bytes and counts them, so a truncated stream decodes to garbage that the
//! container's integrity check refuses, never to a panic.

use crate::sink::ByteSink;

/// Largest allowed frequency total of one coding step.
pub const MAX_TOTAL: u32 = 1 << 16;

const TOP: u32 = 1 << 24;

/// Encodes symbols given as `(cumulative frequency, frequency, total)`.
#[derive(Debug, Clone)]
pub struct RangeEncoder {
    low: u64,
    range: u32,
    cache: u8,
    /// Bytes held back: the cached byte plus pending 0xFF bytes.
    pending: u64,
    /// The first byte out is always 0 (the interval starts inside
    /// `[0, 2^32)`, so no carry reaches it): it is not written.
    started: bool,
}

impl Default for RangeEncoder {
    fn default() -> Self {
        Self::new()
    }
}

impl RangeEncoder {
    pub fn new() -> Self {
        Self { low: 0, range: u32::MAX, cache: 0, pending: 1, started: false }
    }

    /// Codes a symbol occupying `[cum, cum + freq)` of `[0, total)`.
    /// Requires `0 < freq`, `cum + freq <= total <= MAX_TOTAL`.
    #[inline]
    pub fn encode<S: ByteSink>(&mut self, cum: u32, freq: u32, total: u32, out: &mut S) {
        debug_assert!(freq > 0 && cum + freq <= total && total <= MAX_TOTAL);
        let r = self.range / total;
        self.low += u64::from(r) * u64::from(cum);
        self.range = r * freq;
        while self.range < TOP {
            self.range <<= 8;
            self.shift_low(out);
        }
    }

    /// Codes `bits` (at most 16) raw bits of `value`, each equally likely.
    #[inline]
    pub fn encode_bits<S: ByteSink>(&mut self, value: u32, bits: u32, out: &mut S) {
        debug_assert!(bits <= 16 && value < (1 << bits));
        self.encode(value, 1, 1 << bits, out);
    }

    /// Codes one binary decision; `p1` is the probability of `bit == 1` in
    /// units of 2^-12, in `1..4096`.
    #[inline]
    pub fn encode_bit<S: ByteSink>(&mut self, bit: bool, p1: u32, out: &mut S) {
        if bit {
            self.encode(0, p1, 4096, out);
        } else {
            self.encode(p1, 4096 - p1, 4096, out);
        }
    }

    /// Codes one binary decision as LZMA's coder does, without a division:
    /// the range splits at `(range >> 12) * p1`, `bit == 1` below. `p1` is
    /// the probability of a 1 in units of 2^-12 as in
    /// [`RangeEncoder::encode_bit`], but in `16..=4080`, so that one step
    /// renormalises (the range stays at least 2^16). Not the split of
    /// `encode_bit` (which rounds otherwise): read by
    /// [`RangeDecoder::decode_bit_split`].
    #[inline]
    pub fn encode_bit_split<S: ByteSink>(&mut self, bit: bool, p1: u32, out: &mut S) {
        debug_assert!((16..=4080).contains(&p1));
        let bound = (self.range >> 12) * p1;
        if bit {
            self.range = bound;
        } else {
            self.low += u64::from(bound);
            self.range -= bound;
        }
        if self.range < TOP {
            self.range <<= 8;
            self.shift_low(out);
        }
    }

    fn shift_low<S: ByteSink>(&mut self, out: &mut S) {
        if self.low < 0xFF00_0000 || self.low >= 1 << 32 {
            let carry = (self.low >> 32) as u8;
            let mut byte = self.cache;
            loop {
                if self.started {
                    out.put(byte.wrapping_add(carry));
                }
                self.started = true;
                byte = 0xFF;
                self.pending -= 1;
                if self.pending == 0 {
                    break;
                }
            }
            self.cache = (self.low >> 24) as u8;
        }
        self.pending += 1;
        self.low = (self.low & 0x00FF_FFFF) << 8;
    }

    /// Writes out the final state; the stream is complete afterwards.
    pub fn finish<S: ByteSink>(mut self, out: &mut S) {
        for _ in 0..5 {
            self.shift_low(out);
        }
    }

    /// Bytes the encoder holds back and has not yet written (the coding delay).
    pub fn pending_bytes(&self) -> u64 {
        self.pending + 4
    }
}

/// Decodes what [`RangeEncoder`] wrote.
#[derive(Debug, Clone)]
pub struct RangeDecoder<'a> {
    input: &'a [u8],
    pos: usize,
    code: u32,
    range: u32,
    /// Zero bytes invented past the end of the input.
    overrun: u32,
}

impl<'a> RangeDecoder<'a> {
    pub fn new(input: &'a [u8]) -> Self {
        let mut d = Self { input, pos: 0, code: 0, range: u32::MAX, overrun: 0 };
        for _ in 0..4 {
            d.code = (d.code << 8) | u32::from(d.next_byte());
        }
        d
    }

    #[inline]
    fn next_byte(&mut self) -> u8 {
        match self.input.get(self.pos) {
            Some(&b) => {
                self.pos += 1;
                b
            }
            None => {
                self.overrun = self.overrun.saturating_add(1);
                0
            }
        }
    }

    /// First step of decoding a symbol: the cumulative frequency the stream
    /// points at, in `[0, total)`, or `None` if the stream is inconsistent.
    /// Must be followed by [`RangeDecoder::consume`] with the symbol found.
    #[inline]
    pub fn target(&mut self, total: u32) -> Option<u32> {
        let r = self.range / total;
        let t = self.code / r;
        // `t >= total` only happens in a damaged stream.
        (t < total).then_some(t)
    }

    /// Second step: removes the symbol `[cum, cum + freq)` of `total`.
    #[inline]
    pub fn consume(&mut self, cum: u32, freq: u32, total: u32) {
        let r = self.range / total;
        self.code = self.code.wrapping_sub(r * cum);
        self.range = r * freq;
        while self.range < TOP {
            self.range <<= 8;
            self.code = (self.code << 8) | u32::from(self.next_byte());
        }
    }

    /// Decodes `bits` raw bits written by [`RangeEncoder::encode_bits`].
    #[inline]
    pub fn decode_bits(&mut self, bits: u32) -> Option<u32> {
        let total = 1 << bits;
        let v = self.target(total)?;
        self.consume(v, 1, total);
        Some(v)
    }

    /// Decodes one binary decision coded with probability `p1` (see
    /// [`RangeEncoder::encode_bit`]).
    #[inline]
    pub fn decode_bit(&mut self, p1: u32) -> Option<bool> {
        let t = self.target(4096)?;
        if t < p1 {
            self.consume(0, p1, 4096);
            Some(true)
        } else {
            self.consume(p1, 4096 - p1, 4096);
            Some(false)
        }
    }

    /// Decodes one binary decision of [`RangeEncoder::encode_bit_split`]
    /// (`p1` in `16..=4080`).
    #[inline]
    pub fn decode_bit_split(&mut self, p1: u32) -> bool {
        debug_assert!((16..=4080).contains(&p1));
        let bound = (self.range >> 12) * p1;
        let bit = self.code < bound;
        if bit {
            self.range = bound;
        } else {
            self.code -= bound;
            self.range -= bound;
        }
        if self.range < TOP {
            self.range <<= 8;
            self.code = (self.code << 8) | u32::from(self.next_byte());
        }
        bit
    }

    /// True when the decoder stands exactly where the encoder's
    /// [`RangeEncoder::finish`] left it: every input byte consumed, none
    /// invented past the end, and the code at the bottom of the interval
    /// (the flush writes `low` itself, so after the last symbol the code,
    /// which is kept relative to `low`, is 0). A damaged flush byte or a
    /// byte appended to the stream breaks it.
    pub fn at_end(&self) -> bool {
        self.overrun == 0 && self.pos == self.input.len() && self.code == 0
    }

    /// Bytes consumed from the input so far.
    pub fn position(&self) -> usize {
        self.pos
    }

    /// True when the decoder needed more bytes than the input had beyond the
    /// encoder's final flush (a truncated stream).
    pub fn overran(&self) -> bool {
        self.overrun > 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Buf {
        bytes: [u8; 4096],
        len: usize,
    }
    impl ByteSink for Buf {
        fn put(&mut self, b: u8) {
            self.bytes[self.len] = b;
            self.len += 1;
        }
    }

    #[test]
    fn symbols_round_trip_including_carries() {
        // A skewed table forces long runs of 0xFF and carries.
        let freqs = [60000u32, 1, 5000, 535];
        let total: u32 = freqs.iter().sum();
        let mut seed = 12345u32;
        let mut syms = [0usize; 3000];
        for s in syms.iter_mut() {
            seed = seed.wrapping_mul(1664525).wrapping_add(1013904223);
            let x = (seed >> 8) % total;
            let mut acc = 0;
            *s = freqs.iter().position(|&f| { acc += f; x < acc }).unwrap();
        }
        let mut buf = Buf { bytes: [0; 4096], len: 0 };
        let mut enc = RangeEncoder::new();
        for &s in &syms {
            let cum: u32 = freqs[..s].iter().sum();
            enc.encode(cum, freqs[s], total, &mut buf);
            enc.encode_bits(s as u32, 2, &mut buf);
            enc.encode_bit(s == 0, 4000, &mut buf);
            enc.encode_bit_split(s == 1, 37, &mut buf);
        }
        enc.finish(&mut buf);
        let mut dec = RangeDecoder::new(&buf.bytes[..buf.len]);
        for &s in &syms {
            let t = dec.target(total).unwrap();
            let mut cum = 0;
            let mut k = 0;
            while t >= cum + freqs[k] {
                cum += freqs[k];
                k += 1;
            }
            dec.consume(cum, freqs[k], total);
            assert_eq!(k, s);
            assert_eq!(dec.decode_bits(2), Some(s as u32));
            assert_eq!(dec.decode_bit(4000), Some(s == 0));
            assert_eq!(dec.decode_bit_split(37), s == 1);
        }
        assert!(!dec.overran());
        assert_eq!(dec.position(), buf.len);
    }
}
