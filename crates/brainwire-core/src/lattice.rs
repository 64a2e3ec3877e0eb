//! The ADC lattice: which 16-bit sample values an ADC can produce, and the
//! code (ADC output word) behind each of them.
//!
//! Invariant: for every lattice, `value(code(v)?) == v` for each value `v` on
//! the lattice, codes are dense in `0..len()`, and values increase with codes.
//! Values off the lattice have no code; the stream escapes them exactly.

/// Number of codes of the Neuralink 10-bit lattice.
const NEURALINK_CODES: u32 = 1024;

/// A map between 16-bit sample values and ADC codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum AdcLattice {
    /// Every 16-bit value is its own code (`code = value + 32768`): for
    /// recordings that are not 10-bit ADC output.
    Identity16 = 0,
    /// 10-bit codes spread over the full 16-bit range as the Neuralink
    /// recordings have them: `value = (code * 65535 + r) / 1023 - 32768`,
    /// rounding up below mid-scale (`r = 1022`) and down above (`r = 0`).
    Neuralink10 = 1,
}

impl AdcLattice {
    /// The lattice a stream header byte names.
    pub fn from_id(id: u8) -> Option<Self> {
        match id {
            0 => Some(Self::Identity16),
            1 => Some(Self::Neuralink10),
            _ => None,
        }
    }

    /// The byte a stream header stores for this lattice.
    pub fn id(self) -> u8 {
        self as u8
    }

    /// Number of codes: codes are `0..len()`.
    #[allow(clippy::len_without_is_empty)] // a lattice always has codes
    pub fn len(self) -> u32 {
        match self {
            Self::Identity16 => 65536,
            Self::Neuralink10 => NEURALINK_CODES,
        }
    }

    /// The sample value of a code. `code` must be below `len()`; larger codes
    /// are clamped to the top of the range so a damaged stream cannot index
    /// out of bounds (the integrity check then reports it).
    #[inline]
    pub fn value(self, code: u32) -> i16 {
        let code = code.min(self.len() - 1);
        match self {
            Self::Identity16 => (code as i32 - 32768) as i16,
            Self::Neuralink10 => {
                let round = if code < NEURALINK_CODES / 2 { 1022 } else { 0 };
                (((code * 65535 + round) / 1023) as i32 - 32768) as i16
            }
        }
    }

    /// The code of a sample value, or `None` when the value is off the lattice.
    #[inline]
    pub fn code(self, value: i16) -> Option<u32> {
        match self {
            Self::Identity16 => Some((value as i32 + 32768) as u32),
            Self::Neuralink10 => {
                // Codes are 64.06 values apart, so each block of 64 unsigned
                // values holds exactly one code: the block number. Only that
                // code can match, so one check replaces nearest_code's search
                // (`value` compiles to a multiply-shift; figures:
                // docs/perf/core.md).
                let code = (value as i32 + 32768) as u32 >> 6;
                (self.value(code) == value).then_some(code)
            }
        }
    }

    /// The code whose value is closest to `value`; a value halfway between
    /// two codes goes to the rounded position on the 10-bit scale,
    /// `(u * 1023 + 32767) / 65535` (towards the middle of the range).
    /// Off-lattice samples are predicted from this code.
    #[inline]
    pub fn nearest_code(self, value: i16) -> u32 {
        match self {
            Self::Identity16 => (value as i32 + 32768) as u32,
            Self::Neuralink10 => {
                let u = (value as i32 + 32768) as u32;
                // Codes sit ~64.06 apart, so the rounded quotient is within one
                // code of the nearest; check the neighbours exactly.
                let guess = ((u * 1023 + 32767) / 65535).min(NEURALINK_CODES - 1);
                let dist = |c: u32| (self.value(c) as i32 - value as i32).unsigned_abs();
                let mut best = guess;
                if guess > 0 && dist(guess - 1) < dist(best) {
                    best = guess - 1;
                }
                if guess + 1 < NEURALINK_CODES && dist(guess + 1) < dist(best) {
                    best = guess + 1;
                }
                best
            }
        }
    }

    /// [`AdcLattice::detect`] of little-endian 16-bit words (a WAV file's
    /// sample bytes; an odd last byte is ignored), without collecting them.
    ///
    /// A word `w` is on the 10-bit lattice iff it is the value of the one
    /// code that can match it, that of its block of 64 unsigned values (see
    /// [`AdcLattice::code`]); that block is `(w >> 6) ^ 512` for the raw bits
    /// `w`, so a table of each block's lattice value, indexed by `w >> 6`,
    /// tests a word with a shift, a load and a compare, about half of
    /// `code`'s work. Never inlined: inside a caller's large function the
    /// loop's counter would live in memory (figures: docs/perf/core.md).
    #[inline(never)]
    pub fn detect_le(le: &[u8]) -> Self {
        let block_value = Self::ten_bit_block_values();
        // `w >> 6` is below 1024: the index is always in bounds.
        let off_lattice = |w: u16| usize::from(block_value[usize::from(w >> 6)] != w);
        let mut off = 0;
        let mut rest = le;
        // Four samples a step: one loop test for four lookups.
        while let Some((q, tail)) = rest.split_first_chunk::<8>() {
            let q = u64::from_le_bytes(*q);
            off += off_lattice(q as u16) + off_lattice((q >> 16) as u16) + off_lattice((q >> 32) as u16) + off_lattice((q >> 48) as u16);
            rest = tail;
        }
        while let Some((pair, tail)) = rest.split_first_chunk::<2>() {
            off += off_lattice(u16::from_le_bytes(*pair));
            rest = tail;
        }
        Self::choose(off, le.len() / 2)
    }

    /// The 10-bit lattice's value in each block of 64 16-bit words, by the
    /// word's raw bits `w >> 6`: every block holds exactly one code's value
    /// (codes are 64.06 apart), so `w` is on the lattice iff it equals its
    /// block's entry, and its code is then `(w >> 6) ^ 512`.
    pub fn ten_bit_block_values() -> [u16; NEURALINK_CODES as usize] {
        core::array::from_fn(|block| Self::Neuralink10.value(block as u32 ^ (NEURALINK_CODES / 2)) as u16)
    }

    /// The lattice for `samples` samples of which `off` are off the 10-bit
    /// lattice (the rule of [`AdcLattice::detect`], for an encoder that
    /// counts them itself).
    pub fn choose(off: usize, samples: usize) -> Self {
        // An escape costs ~18 bits, a 10-bit lattice saves ~6 bits per sample.
        if off * 4 <= samples / 100 + 4 {
            Self::Neuralink10
        } else {
            Self::Identity16
        }
    }

    /// Chooses the lattice for a recording: the 10-bit lattice when nearly all
    /// samples lie on it (each off-lattice sample costs an escape), otherwise
    /// the identity.
    pub fn detect(samples: &[i16]) -> Self {
        let off = samples
            .iter()
            .filter(|&&v| Self::Neuralink10.code(v).is_none())
            .count();
        Self::choose(off, samples.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn neuralink_lattice_round_trips_every_code() {
        let l = AdcLattice::Neuralink10;
        let mut prev = i32::MIN;
        for c in 0..l.len() {
            let v = l.value(c);
            assert!(v as i32 > prev, "values increase with codes");
            prev = v as i32;
            assert_eq!(l.code(v), Some(c));
            assert_eq!(l.nearest_code(v), c);
        }
        assert_eq!(l.value(0), -32768);
        assert_eq!(l.value(1023), 32767);
        assert_eq!(l.value(511), -32);
        assert_eq!(l.value(512), 31);
    }

    #[test]
    fn off_lattice_values_have_no_code_but_a_nearest_one() {
        let l = AdcLattice::Neuralink10;
        let mut on = 0;
        for v in i16::MIN..=i16::MAX {
            match l.code(v) {
                Some(c) => {
                    on += 1;
                    assert_eq!(l.value(c), v);
                }
                None => {
                    let c = l.nearest_code(v);
                    let d = (l.value(c) as i32 - v as i32).abs();
                    assert!(d <= 33, "nearest code of {v} is {d} away");
                }
            }
        }
        assert_eq!(on, 1024);
    }

    fn le_bytes<const N: usize, const B: usize>(s: &[i16; N]) -> [u8; B] {
        let mut le = [0u8; B];
        for (b, v) in le.chunks_exact_mut(2).zip(s.iter()) {
            b.copy_from_slice(&v.to_le_bytes());
        }
        le
    }

    #[test]
    fn detect_le_decides_as_detect() {
        let l = AdcLattice::Neuralink10;
        let on: [i16; 1000] = core::array::from_fn(|i| l.value((i * 37 % 1024) as u32));
        for off in 0..12 {
            // `off` of the 1000 samples moved off the lattice (codes are ~64
            // values apart, so value + 1 is never on it).
            let mut s = on;
            for k in 0..off {
                s[k * 83] = s[k * 83].wrapping_add(1);
            }
            let le: [u8; 2000] = le_bytes(&s);
            assert_eq!(AdcLattice::detect_le(&le), AdcLattice::detect(&s), "{off} off");
            assert_eq!(AdcLattice::detect_le(&le[..1999]), AdcLattice::detect(&s[..999]), "{off} off, odd length");
        }
        // Every 16-bit value: six copies are Neuralink10 iff it is on the lattice.
        for v in i16::MIN..=i16::MAX {
            let le: [u8; 12] = le_bytes(&[v; 6]);
            assert_eq!(AdcLattice::detect_le(&le), AdcLattice::detect(&[v; 6]), "{v}");
        }
        assert_eq!(AdcLattice::detect_le(&[]), AdcLattice::detect(&[]));
    }

    #[test]
    fn identity_lattice_is_identity() {
        let l = AdcLattice::Identity16;
        for v in [i16::MIN, -1, 0, 1, i16::MAX] {
            assert_eq!(l.value(l.code(v).unwrap()), v);
        }
    }
}
