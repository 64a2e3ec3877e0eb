//! Bit packing of the `lite` payload, most significant bit first.
//!
//! Invariants: the writer holds fewer than [`FLUSH_BITS`] bits between calls
//! (whole 16-bit words leave at once, so a sample's bits wait for at most
//! 15 later samples); the reader never reads outside its slice: past the end
//! it reads zeros and [`BitReader::overran`] says so.

use crate::error::Error;
use crate::sink::ByteSink;

/// The writer emits two bytes as soon as it holds this many bits.
pub const FLUSH_BITS: u32 = 16;
/// Exp-Golomb order of escape payloads.
pub const ESCAPE_ORDER: u32 = 5;
/// Longest Exp-Golomb prefix a valid escape has (its payload, a zigzagged
/// residual plus one, is below 2^20).
const ESCAPE_MAX_PREFIX: u32 = 20 - ESCAPE_ORDER;

/// Writes bits most significant first; whole 16-bit words leave at once.
#[derive(Clone, Debug, Default)]
pub struct BitWriter {
    /// The held bits in the low end (bits above them are stale).
    acc: u64,
    /// Bits in `acc` not yet written, below [`FLUSH_BITS`] between calls.
    bits: u32,
}

impl BitWriter {
    /// Bits held back.
    pub fn pending_bits(&self) -> u32 {
        self.bits
    }

    /// The accumulator and the count of bits held in its low end (below
    /// [`FLUSH_BITS`]), for a loop that keeps them in registers of its own;
    /// [`BitWriter::from_parts`] takes them back.
    pub(super) fn parts(&self) -> (u64, u32) {
        (self.acc, self.bits)
    }

    /// The writer holding the low `bits` (below [`FLUSH_BITS`]) of `acc`.
    pub(super) fn from_parts(acc: u64, bits: u32) -> Self {
        debug_assert!(bits < FLUSH_BITS);
        Self { acc, bits }
    }

    /// Appends the low `len` (at most 16) bits of `word` (no bits above them).
    #[inline(always)]
    pub fn put<S: ByteSink>(&mut self, word: u32, len: u32, out: &mut S) {
        debug_assert!(len <= 16 && self.bits < FLUSH_BITS);
        self.acc = (self.acc << len) | u64::from(word);
        self.bits += len;
        if self.bits >= FLUSH_BITS {
            self.bits -= FLUSH_BITS;
            out.put2(((self.acc >> self.bits) as u16).to_be_bytes());
        }
    }

    /// Appends the low `len` (at most 48) bits of `word` (no bits above
    /// them): with fewer than 16 held they fit the 64-bit accumulator.
    fn put_wide<S: ByteSink>(&mut self, word: u64, len: u32, out: &mut S) {
        debug_assert!(len <= 48 && self.bits < FLUSH_BITS);
        self.acc = (self.acc << len) | word;
        self.bits += len;
        while self.bits >= FLUSH_BITS {
            self.bits -= FLUSH_BITS;
            out.put2(((self.acc >> self.bits) as u16).to_be_bytes());
        }
    }

    /// Exp-Golomb code of order [`ESCAPE_ORDER`] of `u` (below 2^20): the
    /// zeros and the value as one field of at most 36 bits.
    pub fn put_exp_golomb<S: ByteSink>(&mut self, u: u32, out: &mut S) {
        let v = u + (1 << ESCAPE_ORDER);
        let len = 32 - v.leading_zeros();
        self.put_wide(u64::from(v), 2 * len - 1 - ESCAPE_ORDER, out);
    }

    /// Writes what is held, the last byte padded with zero bits.
    pub fn flush<S: ByteSink>(&mut self, out: &mut S) {
        while self.bits > 0 {
            let take = self.bits.min(8);
            self.bits -= take;
            out.put(((self.acc >> self.bits) << (8 - take)) as u8);
        }
    }
}

/// Codeword bits [`BitReader::consume_codeword`] keeps loaded: the longest
/// codeword, so a decoding loop can peek at a whole one without a test.
pub const LOOKAHEAD: u32 = 15;

/// Reads bits most significant first. Past the end of the payload it reads
/// zeros; [`BitReader::overran`] then reports it.
#[derive(Clone, Debug)]
pub struct BitReader<'a> {
    data: &'a [u8],
    /// The bytes of `data` not loaded into `acc` yet.
    rest: &'a [u8],
    /// Zero bytes loaded into `acc` past the end of `data`.
    zeros: usize,
    /// Unread bits, left-aligned.
    acc: u64,
    /// Unread bits in `acc` beyond [`LOOKAHEAD`] (negative when fewer are
    /// loaded): a byte, so that a decoding loop subtracts a codeword's
    /// length and tests for a refill in two instructions.
    spare: i8,
}

impl<'a> BitReader<'a> {
    pub fn new(data: &'a [u8]) -> Self {
        Self { data, rest: data, zeros: 0, acc: 0, spare: -(LOOKAHEAD as i8) }
    }

    /// Makes sure [`LOOKAHEAD`] bits are loaded, as
    /// [`BitReader::consume_codeword`] then keeps them. Out of line: it runs
    /// once per block of samples, and it stays out of the constructors so
    /// that a decoder's tables are built once, in place.
    #[inline(never)]
    pub fn load_lookahead(&mut self) {
        self.need(LOOKAHEAD);
    }

    /// Number of unread bits in `acc`.
    #[inline(always)]
    fn unread(&self) -> u32 {
        (i32::from(self.spare) + LOOKAHEAD as i32) as u32
    }

    /// Makes sure at least `n` (at most 57) bits are unread, loading bytes
    /// only every few calls.
    #[inline(always)]
    pub fn need(&mut self, n: u32) {
        if self.unread() < n {
            self.refill();
        }
    }

    /// Tops `acc` up to at least 57 unread bits.
    #[inline(always)]
    pub fn refill(&mut self) {
        if self.unread() <= 56 {
            self.top_up();
        }
    }

    /// Tops `acc` up to at least 57 unread bits; fewer than 64 are.
    #[inline(always)]
    fn top_up(&mut self) {
        let bits = self.unread();
        if let Some(chunk) = self.rest.first_chunk::<8>() {
            // Bits below the whole bytes counted are the next bytes' own
            // bits, so loading them again later ORs in the same values.
            self.acc |= u64::from_be_bytes(*chunk) >> bits;
            // The whole bytes that fit: (63 - bits) / 8, as a mask says
            // it, so that it is seen to be at most 7.
            let n = (!bits & 63) >> 3;
            self.rest = self.rest.get(n as usize..).unwrap_or_default();
            self.spare = (bits + (n << 3) - LOOKAHEAD) as i8;
        } else {
            self.top_up_at_end(bits);
        }
    }

    /// [`BitReader::top_up`] within 8 bytes of the end: the last bytes one
    /// at a time, then zeros.
    #[inline(always)]
    fn top_up_at_end(&mut self, mut bits: u32) {
        while bits <= 56 {
            let byte = match self.rest.split_first() {
                Some((&byte, rest)) => {
                    self.rest = rest;
                    byte
                }
                None => {
                    self.zeros += 1;
                    0
                }
            };
            self.acc |= u64::from(byte) << (56 - bits);
            bits += 8;
        }
        self.spare = (bits - LOOKAHEAD) as i8;
    }

    /// Consumes a codeword of `len` bits, `len` in the low 6 bits of the
    /// low byte of `entry` (at most [`LOOKAHEAD`]; the rest of that byte
    /// zero; higher bits are ignored), and keeps [`LOOKAHEAD`] bits loaded.
    /// The shift takes the whole entry as its count: x86 masks it to 6 bits.
    #[inline(always)]
    pub fn consume_codeword(&mut self, entry: u32) {
        self.acc = self.acc.wrapping_shl(entry);
        self.spare = self.spare.wrapping_sub(entry as u8 as i8);
        if self.spare < 0 {
            cold();
            self.top_up();
        }
    }

    /// The next `n` (1 to 32) bits without consuming them (needs them loaded).
    #[inline(always)]
    pub fn peek(&self, n: u32) -> u32 {
        (self.acc >> (64 - n)) as u32
    }

    /// [`BitReader::peek`] as a machine word, to index a table with.
    #[inline(always)]
    pub fn peek_index(&self, n: u32) -> usize {
        (self.acc >> (64 - n)) as usize
    }

    /// Consumes `n` bits (at most the unread ones).
    #[inline(always)]
    pub fn consume(&mut self, n: u32) {
        self.acc <<= n;
        self.spare = self.spare.wrapping_sub(n as i8);
    }

    /// Reads `n` bits, 1 to 32 (needs them loaded).
    #[inline]
    pub fn take(&mut self, n: u32) -> u32 {
        let v = self.peek(n);
        self.consume(n);
        v
    }

    pub fn exp_golomb(&mut self) -> Result<u32, Error> {
        self.refill();
        let prefix = self.acc.leading_zeros();
        if prefix > ESCAPE_MAX_PREFIX {
            return Err(Error::Corrupt);
        }
        self.consume(prefix);
        let v = self.take(prefix + 1 + ESCAPE_ORDER);
        Ok(v - (1 << ESCAPE_ORDER))
    }

    /// Bits consumed so far.
    #[inline]
    pub fn consumed(&self) -> usize {
        (self.data.len() - self.rest.len() + self.zeros) * 8 - self.unread() as usize
    }

    /// True once more bits were consumed than the payload holds.
    #[inline(always)]
    pub fn overran(&self) -> bool {
        // Cheap first test: only zeros loaded past the end can be overrun.
        self.zeros > 0 && self.consumed() > self.data.len() * 8
    }

    /// Checks the end of the payload: nothing but the zero padding of the
    /// last byte may remain unread.
    pub fn finish(mut self) -> Result<(), Error> {
        self.refill();
        let left = (self.data.len() * 8).checked_sub(self.consumed()).ok_or(Error::Corrupt)?;
        if left >= 8 || (left > 0 && self.acc >> (64 - left) != 0) {
            return Err(Error::Corrupt);
        }
        Ok(())
    }
}

/// Called on rare branches only: marks them cold, so the optimizer lays
/// them out of the loop and gives their values the spills.
#[cold]
#[inline(never)]
fn cold() {}
