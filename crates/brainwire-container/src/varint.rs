//! LEB128 unsigned varints: seven bits per byte, least significant group
//! first, the top bit set on every byte but the last.
//!
//! Invariant: every `u64` has exactly one encoding. The reader refuses
//! encodings that are longer than needed (a final `0x00` group after the
//! first byte) or that overflow 64 bits, so a damaged header cannot alias a
//! valid one by padding.

use alloc::vec::Vec;

/// Longest encoding of a `u64`.
pub const MAX_LEN: usize = 10;

/// Appends `value` to `out`.
pub fn write(out: &mut Vec<u8>, mut value: u64) {
    loop {
        let low = (value & 0x7F) as u8;
        value >>= 7;
        if value == 0 {
            out.push(low);
            return;
        }
        out.push(low | 0x80);
    }
}

/// Why a varint could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VarintError {
    /// The input ended inside the varint.
    Truncated,
    /// Overlong or more than 64 bits.
    IllFormed,
}

/// Reads a varint from the front of `input`, returning it and its length.
pub fn read(input: &[u8]) -> Result<(u64, usize), VarintError> {
    let mut value = 0u64;
    for i in 0..MAX_LEN {
        let byte = *input.get(i).ok_or(VarintError::Truncated)?;
        let group = (byte & 0x7F) as u64;
        let shift = 7 * i as u32;
        // The tenth byte may only carry the 64th bit.
        if i == MAX_LEN - 1 && group > 1 {
            return Err(VarintError::IllFormed);
        }
        value |= group << shift;
        if byte & 0x80 == 0 {
            if i > 0 && group == 0 {
                return Err(VarintError::IllFormed);
            }
            return Ok((value, i + 1));
        }
    }
    Err(VarintError::IllFormed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_edges() {
        for v in [0, 1, 127, 128, 300, 16383, 16384, u32::MAX as u64, u64::MAX - 1, u64::MAX] {
            let mut buf = Vec::new();
            write(&mut buf, v);
            assert!(buf.len() <= MAX_LEN);
            assert_eq!(read(&buf), Ok((v, buf.len())));
            assert_eq!(read(&buf[..buf.len() - 1]), Err(VarintError::Truncated));
        }
    }

    #[test]
    fn refuses_overlong_and_overflow() {
        assert_eq!(read(&[0x80, 0x00]), Err(VarintError::IllFormed));
        assert_eq!(read(&[0xFF; 10]), Err(VarintError::IllFormed));
        assert_eq!(read(&[0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02]), Err(VarintError::IllFormed));
        assert_eq!(read(&[0x80; 11]), Err(VarintError::IllFormed));
        assert_eq!(read(&[]), Err(VarintError::Truncated));
    }
}
