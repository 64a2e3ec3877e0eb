//! Packed integers shared by the formats and their generated tables.
//!
//! - [`zigzag`] / [`unzigzag`]: signed to unsigned, small magnitudes to small
//!   numbers (0, -1, 1, -2, ... to 0, 1, 2, 3, ...).
//! - [`Differences`] / [`write_differences`]: an integer table stored as its
//!   `ORDER`-th differences (wrapping u32), each a zigzag LEB128 varint,
//!   trailing zero differences left off. The reader rebuilds the generated
//!   tables (`tables::priors`' initial shapes, `max::priors`' Gaussian);
//!   `brainwire-train` writes them with the writer.
//!
//! - [`bytes_at`] / [`i32s_at`] / [`u16_at`]: the learned numbers that
//!   `brainwire-train` writes as data files (`max/priors.bin`,
//!   `fast/priors.bin`, `tables/priors.bin`), read into typed constants at
//!   compile time (`include_bytes!`): the arrays are the same statics a
//!   generated literal would be.
//!
//! Invariant: reading what [`write_differences`] wrote gives back the values
//! exactly, for every order and any values (all arithmetic wraps).

use crate::sink::ByteSink;

/// The zigzag map: 0, -1, 1, -2, ... to 0, 1, 2, 3, ...
#[inline]
pub fn zigzag(r: i32) -> u32 {
    ((r << 1) ^ (r >> 31)) as u32
}

/// The inverse of [`zigzag`].
#[inline]
pub fn unzigzag(u: u32) -> i32 {
    (u >> 1) as i32 ^ -((u & 1) as i32)
}

/// The `N` bytes of `blob` from `at` (compile time: a slice past the end
/// fails the build).
pub const fn bytes_at<const N: usize>(blob: &[u8], at: usize) -> [u8; N] {
    let mut out = [0u8; N];
    let mut i = 0;
    while i < N {
        out[i] = blob[at + i];
        i += 1;
    }
    out
}

/// The `N` little-endian `i32`s of `blob` from `at`.
pub const fn i32s_at<const N: usize>(blob: &[u8], at: usize) -> [i32; N] {
    let mut out = [0i32; N];
    let mut i = 0;
    while i < N {
        let b = at + 4 * i;
        out[i] = i32::from_le_bytes([blob[b], blob[b + 1], blob[b + 2], blob[b + 3]]);
        i += 1;
    }
    out
}

/// The little-endian `u16` of `blob` at `at`, widened.
pub const fn u16_at(blob: &[u8], at: usize) -> usize {
    u16::from_le_bytes([blob[at], blob[at + 1]]) as usize
}

/// Reads a table stored by [`write_differences`] with the same `ORDER`:
/// `ORDER` running sums of the differences give the values. Differences past
/// the end of the bytes are 0, so a table that ends constant is stored
/// without its tail.
pub struct Differences<'a, const ORDER: usize> {
    bytes: &'a [u8],
    pos: usize,
    sums: [u32; ORDER],
}

impl<'a, const ORDER: usize> Differences<'a, ORDER> {
    pub const fn new(bytes: &'a [u8]) -> Self {
        Self { bytes, pos: 0, sums: [0; ORDER] }
    }

    /// The table's next value. `const`, so a table can be rebuilt at
    /// compile time.
    pub const fn next_value(&mut self) -> u32 {
        let mut d = read_zigzag_varint(self.bytes, &mut self.pos);
        let mut k = ORDER;
        while k > 0 {
            k -= 1;
            self.sums[k] = self.sums[k].wrapping_add(d);
            d = self.sums[k];
        }
        d
    }

}

/// The zigzag LEB128 varint at `*pos` (0 past the end), moving `*pos` past
/// it. Out of line: shared by every [`Differences`] order.
#[inline(never)]
const fn read_zigzag_varint(bytes: &[u8], pos: &mut usize) -> u32 {
    let (mut v, mut shift) = (0u32, 0);
    while *pos < bytes.len() {
        let b = bytes[*pos];
        *pos += 1;
        v |= ((b & 127) as u32) << shift;
        shift += 7;
        if b < 128 {
            break;
        }
    }
    (v >> 1) ^ (v & 1).wrapping_neg()
}

/// Largest order [`write_differences`] takes.
pub const MAX_ORDER: usize = 8;

/// Writes `values` as their `order`-th differences (`order` in
/// `1..=MAX_ORDER`), the form [`Differences`] reads: each difference a
/// zigzag LEB128 varint, the trailing zero differences left off.
pub fn write_differences<S: ByteSink>(values: impl IntoIterator<Item = u32>, order: usize, out: &mut S) {
    assert!((1..=MAX_ORDER).contains(&order), "difference order {order}");
    // previous[k]: the last value of the k-th differences (0 before the
    // first, as the reader's sums start).
    let mut previous = [0u32; MAX_ORDER];
    let mut zeros = 0usize;
    for v in values {
        let mut d = v;
        for p in &mut previous[..order] {
            let next = d.wrapping_sub(*p);
            *p = d;
            d = next;
        }
        if d == 0 {
            zeros += 1;
            continue;
        }
        for _ in 0..zeros {
            out.put(0);
        }
        zeros = 0;
        let mut z = (d << 1) ^ ((d as i32 >> 31) as u32);
        while z >= 128 {
            out.put(z as u8 | 128);
            z >>= 7;
        }
        out.put(z as u8);
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;
    use std::vec::Vec;

    struct Bytes(Vec<u8>);
    impl ByteSink for Bytes {
        fn put(&mut self, byte: u8) {
            self.0.push(byte);
        }
    }

    fn round_trip<const ORDER: usize>(values: &[u32]) -> usize {
        let mut out = Bytes(Vec::new());
        write_differences(values.iter().copied(), ORDER, &mut out);
        let mut reader = Differences::<ORDER>::new(&out.0);
        let back: Vec<u32> = values.iter().map(|_| reader.next_value()).collect();
        assert_eq!(back, values, "order {ORDER}");
        out.0.len()
    }

    #[test]
    fn differences_round_trip_at_every_order() {
        let mut rng = brainwire_testkit::Rng::new(11);
        let smooth: Vec<u32> = (0..600u32).map(|i| 3 * i * i + 5).collect();
        let noisy: Vec<u32> = (0..600).map(|_| rng.next_u32()).collect();
        let ends_constant: Vec<u32> = (0..100u32).map(|i| i.min(40)).collect();
        for values in [&smooth[..], &noisy[..], &ends_constant[..], &[][..], &[u32::MAX, 0, u32::MAX][..]] {
            round_trip::<1>(values);
            round_trip::<2>(values);
            round_trip::<3>(values);
            round_trip::<5>(values);
            round_trip::<8>(values);
        }
        // A quadratic has third differences 0 past its start: no tail is stored.
        assert!(round_trip::<3>(&smooth) <= 6);
    }

    #[test]
    fn zigzag_is_a_bijection_on_small_and_extreme_values() {
        for r in (-70_000..70_000).chain([i32::MIN, i32::MAX]) {
            assert_eq!(unzigzag(zigzag(r)), r);
        }
        assert_eq!([0, -1, 1, -2].map(zigzag), [0, 1, 2, 3]);
    }
}
