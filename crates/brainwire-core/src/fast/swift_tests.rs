//! Tests of the `swift` profile (9): exact round trips at every block
//! boundary, on both lattices, off the lattice, at the rails and on loud
//! noise; the slice paths against the sample path; the encoder's analysis
//! (exact autocorrelation, the portable log2, the predictor's bounds);
//! damaged, hostile and random payloads (errors, never panics); coding
//! efficiency on a process of known entropy. Real recordings come from
//! `BRAINWIRE_DATA` or the challenge archive beside the repository, when
//! there.

extern crate std;

use super::*;
use crate::test_support::{extremes, real_recordings, synthetic, Bytes};
use brainwire_testkit::Rng;
use std::vec::Vec;

fn encode(lattice: AdcLattice, samples: &[i16]) -> Vec<u8> {
    let mut out = Bytes(Vec::new());
    let mut enc = Encoder::new(lattice);
    enc.push_all(samples, &mut out);
    enc.finish(&mut out);
    out.0
}

fn decode(lattice: AdcLattice, bytes: &[u8], n: usize) -> Result<Vec<i16>, Error> {
    let mut dec = Decoder::new(lattice, bytes);
    let mut v = std::vec![0i16; n];
    dec.decode_into(&mut v)?;
    dec.finish()?;
    Ok(v)
}

/// Bytes of the stream, decoded and checked.
fn round_trip(lattice: AdcLattice, samples: &[i16]) -> usize {
    let bytes = encode(lattice, samples);
    let back = decode(lattice, &bytes, samples.len()).expect("a clean stream decodes");
    assert!(back == samples, "round trip changed the samples ({} samples, {lattice:?})", samples.len());
    bytes.len()
}

#[test]
fn round_trips_at_every_block_boundary() {
    for n in [0, 1, 2, MAX_ORDER - 1, MAX_ORDER, MAX_ORDER + 1, 1000, BLOCK - 1, BLOCK, BLOCK + 1, 2 * BLOCK + 5] {
        for lattice in [AdcLattice::Neuralink10, AdcLattice::Identity16] {
            round_trip(lattice, &synthetic(n, n as u64, 3.0));
        }
    }
}

#[test]
fn round_trips_on_both_lattices() {
    for sigma in [0.1, 1.0, 5.0, 60.0] {
        let s = synthetic(40_000, 7, sigma);
        round_trip(AdcLattice::Neuralink10, &s);
        round_trip(AdcLattice::Identity16, &s);
    }
    // Full-scale 16-bit noise and every extreme value, past a block.
    for s in extremes(40_000, 40_000) {
        round_trip(AdcLattice::Identity16, &s);
        round_trip(AdcLattice::Neuralink10, &s);
    }
    // A constant block has no autocorrelation: order 0, and each sample
    // costs what the narrowest scale leaves off its code (under 1/2 bit).
    let flat = std::vec![AdcLattice::Neuralink10.value(300); BLOCK + 100];
    let bytes = round_trip(AdcLattice::Neuralink10, &flat);
    assert!(bytes * 16 < flat.len(), "a constant signal costs {bytes} bytes");
    // A full-scale sine on the 16-bit lattice: the strongest predictor the
    // encoder may choose, near its coefficients' bounds.
    let sine: Vec<i16> = (0..BLOCK + 7).map(|i| (32767.0 * ((i as f64) * 0.003).sin()) as i16).collect();
    round_trip(AdcLattice::Identity16, &sine);
}

#[test]
fn slice_paths_give_the_sample_paths_bytes() {
    let s = synthetic(BLOCK + 9000, 11, 4.0);
    let whole = encode(AdcLattice::Neuralink10, &s);
    // One by one, and in runs that start and end inside blocks.
    let mut a = Bytes(Vec::new());
    let mut enc = Encoder::new(AdcLattice::Neuralink10);
    s.iter().for_each(|&v| enc.push(v, &mut a));
    enc.finish(&mut a);
    assert!(a.0 == whole, "push and push_all differ");
    let mut b = Bytes(Vec::new());
    let mut enc = Encoder::new(AdcLattice::Neuralink10);
    for run in s.chunks(7001) {
        enc.push_all(run, &mut b);
    }
    enc.finish(&mut b);
    assert!(b.0 == whole, "push_all in runs differs");
    let mut le: Vec<u8> = s.iter().flat_map(|v| v.to_le_bytes()).collect();
    le.push(0x5a);
    let mut c = Bytes(Vec::new());
    let mut enc = Encoder::new(AdcLattice::Neuralink10);
    enc.push_le(&le, &mut c);
    enc.finish(&mut c);
    assert!(c.0 == whole, "push_le differs");
    let mut back = std::vec![0x77u8; le.len()];
    let mut dec = Decoder::new(AdcLattice::Neuralink10, &whole);
    dec.decode_le(&mut back).unwrap();
    dec.finish().unwrap();
    assert_eq!(&back[..le.len() - 1], &le[..le.len() - 1]);
    assert_eq!(back[le.len() - 1], 0x77, "the odd last byte is left alone");
}

/// The autocorrelation's 32-bit runs and centre shift give the plain i64
/// sums about the mean, on both lattices and at their extremes.
#[test]
fn autocorrelation_is_exact() {
    let mut rng = Rng::new(21);
    for (len, n) in [(1024u32, 5000usize), (1024, BLOCK), (65_536, 3000), (1024, 3), (65_536, 1)] {
        for kind in 0..3 {
            let codes: Vec<u16> = (0..n)
                .map(|i| match kind {
                    0 => (rng.next_u64() % u64::from(len)) as u16,
                    1 => [0, len - 1][i % 2] as u16,
                    _ => (len - 1) as u16,
                })
                .collect();
            let mean = ((codes.iter().map(|&c| u64::from(c)).sum::<u64>() + n as u64 / 2) / n as u64) as u32;
            let xs: Vec<i16> = codes.iter().map(|&c| (i32::from(c) - (len / 2) as i32) as i16).collect();
            let got = autocorrelation(&xs, mean, len / 2);
            for (lag, &g) in got.iter().enumerate() {
                let want: i64 = (lag..n).map(|t| (i64::from(codes[t]) - i64::from(mean)) * (i64::from(codes[t - lag]) - i64::from(mean))).sum();
                assert_eq!(g, want, "lag {lag}, {n} codes of {len}, kind {kind}");
            }
        }
    }
}

#[test]
fn portable_log2_matches_std() {
    let mut x = 1e-3f64;
    while x < 1e15 {
        assert!((log2(x) - x.log2()).abs() < 1e-9, "log2({x}) = {} vs {}", log2(x), x.log2());
        x *= 1.37;
    }
    assert_eq!((round(2.5), round(-2.5), round(0.49), round(-0.49)), (3, -3, 0, 0));
}

/// The encoder's predictor keeps every coefficient within 16 bits and
/// `sum |coefs| * C` below 2^31, so the decoder's 32-bit sum never wraps.
#[test]
fn chosen_predictors_stay_in_bounds() {
    let mut rng = Rng::new(5);
    for (lattice, amp) in [(AdcLattice::Identity16, 32000.0), (AdcLattice::Neuralink10, 500.0)] {
        for f in [0.0005, 0.003, 0.05, 0.4] {
            let codes: Vec<u16> = (0..BLOCK).map(|i| ((lattice.len() / 2) as f64 + amp * ((i as f64) * f).sin() + rng.normal()) as u16).collect();
            let center = lattice.len() / 2;
            let xs: Vec<i16> = codes.iter().map(|&c| (i32::from(c) - center as i32) as i16).collect();
            let (order, shift, coefs, mean) = choose_predictor(&xs, center);
            assert!(order <= MAX_ORDER && (SHIFT_MIN..=SHIFT_MAX).contains(&shift) && mean < lattice.len());
            assert!(coefs.iter().all(|c| c.abs() <= COEF_MAX));
            assert!(coefs.iter().map(|c| c.abs()).sum::<i64>() * i64::from(center) < 1 << 31);
            assert!(order > 0, "a sine of {f} rad/sample is predictable");
        }
    }
}

/// An AR(2) process of known innovation entropy: the block predictor finds
/// it and codes it within a few hundredths of a bit of that entropy.
#[test]
fn codes_an_autoregressive_process_near_its_entropy() {
    let mut rng = Rng::new(99);
    let sigma = 4.0f64;
    let (mut x1, mut x2) = (0.0f64, 0.0f64);
    let s: Vec<i16> = (0..4 * BLOCK)
        .map(|_| {
            let x = 1.6 * x1 - 0.8 * x2 + sigma * rng.normal();
            (x2, x1) = (x1, x);
            AdcLattice::Identity16.value((32768.0 + x).round() as u32)
        })
        .collect();
    let bits = round_trip(AdcLattice::Identity16, &s) as f64 * 8.0 / s.len() as f64;
    let h = (sigma * (2.0 * core::f64::consts::PI * core::f64::consts::E).sqrt()).log2();
    std::eprintln!("swift on AR(2): {bits:.4} bits/sample, innovation entropy {h:.4}");
    assert!(bits < h + 0.03 && bits > h - 0.02, "{bits} vs entropy {h}");
}

/// A stream whose first block header says `order`, `bucket`, `mean`, then
/// samples of zeros in raw bits.
fn hostile(order: u32, shift: u32, coef: u16, mean: u32, bucket: u32) -> Vec<u8> {
    let mut out = Bytes(Vec::new());
    let mut rc = RangeEncoder::new();
    rc.encode_bits(order, ORDER_BITS, &mut out);
    if order > 0 {
        rc.encode_bits(shift, SHIFT_FIELD_BITS, &mut out);
        for _ in 0..order.min(31) {
            rc.encode_bits(u32::from(coef), COEF_BITS, &mut out);
        }
    }
    rc.encode_bits(mean, 10, &mut out);
    rc.encode_bits(bucket, BUCKET_FIELD_BITS, &mut out);
    for _ in 0..200 {
        rc.encode_bits(0, 16, &mut out);
    }
    rc.finish(&mut out);
    out.0
}

/// Damaged, cut, extended, random and hostile payloads give an error or
/// other samples, never a panic or a hang.
#[test]
fn damaged_streams_are_refused_or_differ() {
    let l = AdcLattice::Neuralink10;
    let s = synthetic(BLOCK + 5000, 5, 5.0);
    let bytes = encode(l, &s);
    assert!(decode(l, &bytes[..bytes.len() - 1], s.len()).is_err(), "cut");
    let mut longer = bytes.clone();
    longer.push(0);
    assert!(decode(l, &longer, s.len()).is_err(), "extended");
    assert!(decode(l, &bytes, s.len() + 1).is_err(), "a sample too many");
    for i in (0..bytes.len()).step_by(397) {
        let mut b = bytes.clone();
        b[i] ^= 0x10;
        if let Ok(v) = decode(l, &b, s.len()) {
            assert!(v != s, "a damaged byte {i} decoded to the same samples");
        }
    }
    let mut rng = Rng::new(17);
    for n in [0usize, 1, 7, 100, 3000] {
        let junk: Vec<u8> = (0..n).map(|_| rng.next_u64() as u8).collect();
        for lattice in [AdcLattice::Neuralink10, AdcLattice::Identity16] {
            let _ = decode(lattice, &junk, 6000);
        }
    }
    // Header fields the encoder never writes are refused.
    let first = |b: &[u8]| Decoder::new(l, b).next_sample();
    assert!(first(&hostile(MAX_ORDER as u32 + 1, 0, 0, 500, 100)).is_err(), "order above the maximum");
    assert!(first(&hostile(31, 0, 0, 500, 100)).is_err(), "order 31");
    assert!(first(&hostile(2, 3, 100, 500, BUCKETS as u32)).is_err(), "bucket beyond the table");
    // Extreme coefficients wrap the 32-bit sum: other samples, no panic.
    for coef in [0x8000u16, 0x7fff] {
        let b = hostile(16, 15, coef, 1023, 0);
        let mut d = Decoder::new(l, &b);
        for _ in 0..200 {
            if d.next_sample().is_err() {
                break;
            }
        }
    }
}

/// On real recordings (when available): exact round trips, and bits
/// beside `fast`'s.
#[test]
fn real_recordings_round_trip() {
    let Some(recs) = real_recordings(6) else { return };
    for (path, s) in recs {
        let lattice = AdcLattice::detect(&s);
        let n = round_trip(lattice, &s);
        let mut fast = crate::sink::ByteCounter(0);
        let mut enc = <super::super::Encoder>::new(lattice);
        enc.push_all(&s, &mut fast);
        enc.finish(&mut fast);
        let bps = |n: u64| n as f64 * 8.0 / s.len() as f64;
        std::eprintln!("swift / fast: {} {:.4} / {:.4} bits/sample", path.display(), bps(n as u64), bps(fast.0));
    }
}
