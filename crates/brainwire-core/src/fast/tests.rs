//! Tests of the `fast` profiles (5, 6 and 8): exact round trips (on and off
//! the lattice, both lattices, rails, spikes, loud noise), the slice paths
//! against the sample paths, damaged and random payloads (errors, never
//! panics), coding efficiency on noise of known entropy, and profile 8's
//! learned widths on an ADC with uneven ones. Real recordings come from
//! `BRAINWIRE_DATA` or the challenge archive beside the repository, when there.

extern crate std;

use super::*;
use crate::test_support::{extremes, real_recordings, synthetic, Bytes};
use brainwire_testkit::Rng;
use std::vec::Vec;

fn encode<const LEVEL: bool, E: Edges>(lattice: AdcLattice, samples: &[i16]) -> Vec<u8> {
    let mut out = Bytes(Vec::new());
    let mut enc = Encoder::<LEVEL, E>::new(lattice);
    enc.push_all(samples, &mut out);
    enc.finish(&mut out);
    out.0
}

fn decode<const LEVEL: bool, E: Edges>(lattice: AdcLattice, bytes: &[u8], n: usize) -> Result<Vec<i16>, Error> {
    let mut dec = Decoder::<LEVEL, E>::new(lattice, bytes);
    let mut v = std::vec![0i16; n];
    dec.decode_into(&mut v)?;
    dec.finish()?;
    Ok(v)
}

/// `[f::<5's parameters>(args), f::<6's>(args), f::<8's>(args)]`: a
/// generic test step run for each of the three fast profiles.
macro_rules! each_profile {
    ($f:ident($($arg:expr),*)) => {
        [$f::<false, PriorEdges>($($arg),*), $f::<true, PriorEdges>($($arg),*), $f::<true, LearnedEdges>($($arg),*)]
    };
}

/// Bytes of the three profiles' streams (5, 6 and 8), each decoded and
/// checked.
fn assert_round_trip(lattice: AdcLattice, samples: &[i16]) -> [usize; 3] {
    each_profile!(round_trip(lattice, samples))
}

/// Bytes of one profile's stream (`LEVEL`, `E` as [`Encoder`]), decoded and
/// checked.
fn round_trip<const LEVEL: bool, E: Edges>(lattice: AdcLattice, samples: &[i16]) -> usize {
    let bytes = encode::<LEVEL, E>(lattice, samples);
    let back = decode::<LEVEL, E>(lattice, &bytes, samples.len()).expect("a clean stream decodes");
    assert!(back == samples, "round trip changed the samples (level term: {LEVEL}, {}, {lattice:?})", core::any::type_name::<E>());
    bytes.len()
}

#[test]
fn round_trips_on_both_lattices() {
    for sigma in [0.1, 1.0, 5.0, 60.0] {
        let s = synthetic(30_000, 7, sigma);
        assert_round_trip(AdcLattice::Neuralink10, &s);
        assert_round_trip(AdcLattice::Identity16, &s);
    }
    // Full-scale 16-bit noise and every extreme value, the rails past
    // profile 8's first periodic rebuild (4096 samples).
    for s in extremes(20_000, 9000) {
        assert_round_trip(AdcLattice::Identity16, &s);
        assert_round_trip(AdcLattice::Neuralink10, &s);
    }
    for n in 0..5 {
        assert_round_trip(AdcLattice::Neuralink10, &synthetic(n, 1, 3.0));
    }
}

#[test]
fn slice_paths_give_the_sample_paths_bytes() {
    each_profile!(slice_paths());
}

fn slice_paths<const LEVEL: bool, E: Edges>() {
    let s = synthetic(9000, 11, 4.0);
    let mut le: Vec<u8> = s.iter().flat_map(|v| v.to_le_bytes()).collect();
    le.push(0x5a);
    let mut a = Bytes(Vec::new());
    let mut enc = Encoder::<LEVEL, E>::new(AdcLattice::Neuralink10);
    enc.push_le(&le, &mut a);
    enc.finish(&mut a);
    assert_eq!(a.0, encode::<LEVEL, E>(AdcLattice::Neuralink10, &s));
    let mut back = std::vec![0x77u8; le.len()];
    let mut dec = Decoder::<LEVEL, E>::new(AdcLattice::Neuralink10, &a.0);
    dec.decode_le(&mut back).unwrap();
    dec.finish().unwrap();
    assert_eq!(&back[..le.len() - 1], &le[..le.len() - 1]);
    assert_eq!(back[le.len() - 1], 0x77, "the odd last byte is left alone");
}

/// White Gaussian noise of known entropy: profile 5 codes it nearly as
/// tightly as `max` (its difference filter cannot find the mean, and its
/// larger, rarer steps unlearn the starting weights with more noise); the
/// level term (profile 6) finds the mean and codes it closer to the entropy
/// than both.
#[test]
fn codes_gaussian_noise_near_its_entropy() {
    let mut rng = Rng::new(99);
    let sigma = 6.0f64;
    let s: Vec<i16> = (0..200_000)
        .map(|_| AdcLattice::Identity16.value((32768.0 + sigma * rng.normal()).round() as u32))
        .collect();
    let [bytes5, bytes6, _] = assert_round_trip(AdcLattice::Identity16, &s);
    let (bits, bits6) = (bytes5 as f64 * 8.0 / s.len() as f64, bytes6 as f64 * 8.0 / s.len() as f64);
    // Entropy of a unit-width discretised Gaussian: log2(sigma sqrt(2 pi e)).
    let h = (sigma * (2.0 * core::f64::consts::PI * core::f64::consts::E).sqrt()).log2();
    let mut max_out = Bytes(Vec::new());
    let mut enc = crate::max::Encoder::new(AdcLattice::Identity16);
    s.iter().for_each(|&v| enc.push(v, &mut max_out));
    enc.finish(&mut max_out);
    let max_bits = max_out.0.len() as f64 * 8.0 / s.len() as f64;
    std::eprintln!("fast5: {bits:.4} bits/sample, fast: {bits6:.4}, max {max_bits:.4}, entropy {h:.4}");
    assert!(bits < max_bits + 0.05 && bits > h - 0.05, "{bits} vs max {max_bits}, entropy {h}");
    assert!(bits6 < bits.min(max_bits) && bits6 < h + 0.02 && bits6 > h - 0.01, "level term: {bits6} vs fast5 {bits}, max {max_bits}, entropy {h}");
}

/// Damaged, cut, extended and random payloads give an error or other
/// samples, never a panic or a hang (profiles 5, 6 and 8; random payloads
/// long enough for profile 8's periodic rebuild).
#[test]
fn damaged_streams_are_refused_or_differ() {
    each_profile!(damaged_streams());
}

fn damaged_streams<const LEVEL: bool, E: Edges>() {
    let decode = decode::<LEVEL, E>;
    let s = synthetic(5000, 5, 5.0);
    let bytes = encode::<LEVEL, E>(AdcLattice::Neuralink10, &s);
    assert!(decode(AdcLattice::Neuralink10, &bytes[..bytes.len() - 1], s.len()).is_err(), "cut");
    let mut longer = bytes.clone();
    longer.push(0);
    assert!(decode(AdcLattice::Neuralink10, &longer, s.len()).is_err(), "extended");
    for i in (0..bytes.len()).step_by(97) {
        let mut b = bytes.clone();
        b[i] ^= 0x10;
        if let Ok(v) = decode(AdcLattice::Neuralink10, &b, s.len()) {
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
}

/// On real recordings (when available): exact round trips.
#[test]
fn real_recordings_round_trip() {
    let Some(recs) = real_recordings(6) else { return };
    for (path, s) in recs {
        let lattice = AdcLattice::detect(&s);
        let [n5, n6, n8] = assert_round_trip(lattice, &s);
        let bps = |n: usize| n as f64 * 8.0 / s.len() as f64;
        std::eprintln!("fast5 / fast / fast-widths: {} {:.4} / {:.4} / {:.4} bits/sample", path.display(), bps(n5), bps(n6), bps(n8));
    }
}

// Profile 8: code widths learned from the stream.

/// Gaussian noise of `sigma` codes around a level that sweeps `sweep`
/// codes up and down, through an ADC whose code `c` spans `edges[c]..
/// edges[c + 1]` (analog units of one average code), on the identity
/// lattice around code 0.
fn through_adc(n: usize, seed: u64, sigma: f64, sweep: f64, edges: &[f64]) -> Vec<i16> {
    let mut rng = Rng::new(seed);
    let half = (edges.len() / 2) as f64;
    (0..n)
        .map(|i| {
            let x = half + sweep * ((i as f64) / 20_000.0).sin() + sigma * rng.normal();
            let c = edges.partition_point(|&e| e <= x).clamp(1, edges.len() - 1) - 1;
            (c as i64 - half as i64) as i16
        })
        .collect()
}

/// Edges of `codes` codes: every width 1, or irregular (0.4 to 1.6, as an
/// ADC's differential non-linearity).
fn adc_edges(codes: usize, irregular: bool, seed: u64) -> Vec<f64> {
    let mut rng = Rng::new(seed);
    let mut e = std::vec![0.0];
    for _ in 0..codes {
        let w = if irregular { 0.4 + 1.2 * (rng.next_u64() % 1000) as f64 / 1000.0 } else { 1.0 };
        e.push(e.last().unwrap() + w);
    }
    e
}

/// A level that sweeps 30000 codes moves profile 8's learned window across
/// the identity lattice, to both of its ends (the other round trips are
/// [`round_trips_on_both_lattices`]'s).
#[test]
fn learned_widths_follow_a_sweeping_level() {
    let sweep = through_adc(120_000, 5, 4.0, 30_000.0, &adc_edges(65_536, true, 2));
    round_trip::<true, LearnedEdges>(AdcLattice::Identity16, &sweep);
}

/// Through an ADC with irregular code widths (and no prior for it), the
/// learned widths code the samples tighter than one width for all; through
/// a uniform ADC they cost little (the signal share finds no departures
/// beyond counting noise).
#[test]
fn learned_widths_find_an_adc_s_widths() {
    let sizes = |edges: &[f64]| {
        let s = through_adc(100_000, 9, 6.0, 60.0, edges);
        let learned = round_trip::<true, LearnedEdges>(AdcLattice::Identity16, &s);
        let uniform = round_trip::<true, PriorEdges>(AdcLattice::Identity16, &s);
        (learned as f64 * 8.0 / s.len() as f64, uniform as f64 * 8.0 / s.len() as f64)
    };
    let (learned, uniform) = sizes(&adc_edges(4096, true, 4));
    std::eprintln!("irregular ADC: learned widths {learned:.4} bits/sample, one width {uniform:.4}");
    assert!(learned < uniform - 0.05, "irregular: learned {learned} vs uniform {uniform}");
    let (learned, uniform) = sizes(&adc_edges(4096, false, 4));
    std::eprintln!("uniform ADC: learned widths {learned:.4} bits/sample, one width {uniform:.4}");
    assert!(learned < uniform + 0.01, "uniform: learned {learned} vs uniform {uniform}");
}

/// The constants FORMAT.md states for profile 8 are the ones derived here.
#[test]
fn learned_widths_constants_are_format_md_s() {
    use super::edges::{CURVED, CURVED_SUM, NOISE_CHI2_Q8};
    assert_eq!(2 * CURVED.iter().sum::<i64>(), CURVED_SUM as i64);
    assert_eq!(NOISE_CHI2_Q8, 324);
}
