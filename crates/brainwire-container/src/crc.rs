//! CRC-32C (Castagnoli, reflected polynomial `0x82F63B78`): the SSE4.2
//! `crc32` instruction where the CPU has it, else a nibble table.
//!
//! Invariant: [`crc32c`] of a byte string equals the CRC-32C of RFC 3720
//! (iSCSI), so `crc32c(b"123456789") == 0xE306_9283`, and feeding the same
//! bytes through [`Crc32c::update`] in any split gives the same value, on
//! either path (the instruction computes exactly this CRC, on the same
//! register convention: running value inverted, bits reflected).
//! The checksum runs over every byte of a file on encode and again on
//! decode, so the instruction path matters next to a codec of tens of
//! instructions a sample (figures: docs/perf/core.md). One 16-entry table
//! (64 bytes) keeps the fallback small.

const POLY: u32 = 0x82F6_3B78;

/// CRC of each nibble value (four steps of the bit-serial CRC): 64 bytes
/// where a byte table would take 1 KiB of each challenge executable, for two
/// lookups per byte instead of one (the checksum runs once over a file).
const TABLE: [u32; 16] = {
    let mut table = [0u32; 16];
    let mut i = 0;
    while i < 16 {
        let mut c = i as u32;
        let mut k = 0;
        while k < 4 {
            c = if c & 1 != 0 { (c >> 1) ^ POLY } else { c >> 1 };
            k += 1;
        }
        table[i] = c;
        i += 1;
    }
    table
};

/// A running CRC-32C.
#[derive(Clone, Copy, Debug)]
pub struct Crc32c(u32);

impl Default for Crc32c {
    fn default() -> Self {
        Self::new()
    }
}

impl Crc32c {
    pub const fn new() -> Self {
        Self(!0)
    }

    /// Feeds more bytes.
    pub fn update(&mut self, bytes: &[u8]) {
        #[cfg(target_arch = "x86_64")]
        if let Some(c) = sse42::update(self.0, bytes) {
            self.0 = c;
            return;
        }
        self.0 = update_table(self.0, bytes);
    }

    /// The CRC of all bytes fed so far.
    pub fn value(&self) -> u32 {
        !self.0
    }
}

/// The table path: any CPU.
fn update_table(mut c: u32, bytes: &[u8]) -> u32 {
    #[inline(always)]
    fn nibble(c: u32) -> u32 {
        TABLE[(c & 15) as usize] ^ (c >> 4)
    }
    // Four bytes per step, unrolled: one loop test a word.
    let mut words = bytes.chunks_exact(4);
    for w in &mut words {
        c ^= u32::from_le_bytes([w[0], w[1], w[2], w[3]]);
        c = nibble(nibble(nibble(nibble(c))));
        c = nibble(nibble(nibble(nibble(c))));
    }
    for &b in words.remainder() {
        c = nibble(nibble(c ^ b as u32));
    }
    c
}

/// The SSE4.2 path, used once CPUID has shown the instruction exists.
///
/// The crate's only `unsafe`: calling a `#[target_feature(enable = "sse4.2")]`
/// function is unsafe because executing it on a CPU without SSE4.2 would be
/// an illegal instruction; [`sse42::update`] calls it only after CPUID leaf 1
/// reported SSE4.2 (ECX bit 20). Reading CPUID itself is sound on every
/// x86_64 CPU (the instruction is part of the architecture).
#[cfg(target_arch = "x86_64")]
#[allow(unsafe_code)]
mod sse42 {
    use core::arch::x86_64::{__cpuid, _mm_crc32_u64, _mm_crc32_u8};

    /// Asked on every call (twice a file): a cached answer would be the
    /// challenge executables' only writable static, and a segment of its own.
    fn has_sse42() -> bool {
        // `__cpuid` is an unsafe fn before Rust 1.89 and safe after.
        #[allow(unused_unsafe)]
        // SAFETY: CPUID exists on every x86_64 CPU; leaf 1 always exists.
        let ecx = unsafe { __cpuid(1) }.ecx;
        ecx & (1 << 20) != 0
    }

    /// `bytes` fed into the running (inverted) CRC `c`, or `None` without
    /// SSE4.2.
    pub(super) fn update(c: u32, bytes: &[u8]) -> Option<u32> {
        // SAFETY: the CPU has SSE4.2 (checked just before).
        has_sse42().then(|| unsafe { update_sse42(c, bytes) })
    }

    /// The first eight bytes of `b` (at least eight long) as a word, and the
    /// rest.
    #[inline(always)]
    fn split8(b: &[u8]) -> (u64, &[u8]) {
        match b.split_first_chunk::<8>() {
            Some((w, rest)) => (u64::from_le_bytes(*w), rest),
            None => (0, b),
        }
    }

    #[target_feature(enable = "sse4.2")]
    unsafe fn update_sse42(c: u32, bytes: &[u8]) -> u32 {
        let mut c = u64::from(c);
        let mut rest = bytes;
        // 64 bytes a step: eight crc32s and one loop test, so that the test
        // and the pointer steps are a small part of the work. `split_first_chunk`
        // rather than iterators or indexing: it compiles to plain loads and
        // one length test even at opt-level "z".
        // Written out by a macro: a loop over the words is not unrolled at "z".
        macro_rules! crc_words {
            ($c:ident, $block:ident; $($word:ident)*) => {
                $(let ($word, $block) = split8($block); $c = _mm_crc32_u64($c, $word);)*
            };
        }
        while let Some((block, tail)) = rest.split_first_chunk::<64>() {
            crc_words!(c, block; w0 w1 w2 w3 w4 w5 w6);
            c = _mm_crc32_u64(c, split8(block).0);
            rest = tail;
        }
        while let Some((word, tail)) = rest.split_first_chunk::<8>() {
            c = _mm_crc32_u64(c, u64::from_le_bytes(*word));
            rest = tail;
        }
        let mut c = c as u32;
        for &b in rest {
            c = _mm_crc32_u8(c, b);
        }
        c
    }
}

/// The CRC-32C of `bytes`.
pub fn crc32c(bytes: &[u8]) -> u32 {
    let mut c = Crc32c::new();
    c.update(bytes);
    c.value()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_check_values() {
        // The standard check value, and vectors from RFC 3720 B.4.
        assert_eq!(crc32c(b"123456789"), 0xE306_9283);
        assert_eq!(crc32c(&[0u8; 32]), 0x8A91_36AA);
        assert_eq!(crc32c(&[0xFFu8; 32]), 0x62A8_AB43);
        let inc: [u8; 32] = core::array::from_fn(|i| i as u8);
        assert_eq!(crc32c(&inc), 0x46DD_794E);
        assert_eq!(crc32c(b""), 0);
    }

    /// The hardware path (when this CPU has it) and the table path agree on
    /// every length 0..300 at every alignment 0..8, and across splits.
    #[test]
    fn hardware_and_table_agree() {
        let data = brainwire_testkit::Rng::new(0x9E37_79B9).bytes(4096);
        for start in 0..8 {
            for len in 0..300 {
                let b = &data[start..start + len];
                let table = !update_table(!0, b);
                assert_eq!(crc32c(b), table, "start {start} len {len}");
            }
        }
        assert_eq!(crc32c(&data), !update_table(!0, &data));
        #[cfg(target_arch = "x86_64")]
        if let Some(c) = sse42::update(!0, b"123456789") {
            assert_eq!(!c, 0xE306_9283);
        }
    }

    #[test]
    fn split_updates_agree() {
        let data: [u8; 100] = core::array::from_fn(|i| (i * 37 + 11) as u8);
        let whole = crc32c(&data);
        for cut in [0, 1, 50, 99, 100] {
            let mut c = Crc32c::new();
            c.update(&data[..cut]);
            c.update(&data[cut..]);
            assert_eq!(c.value(), whole);
        }
    }
}
