//! Tests of the `max` profile: exact round trips (on and off the lattice, both
//! lattices, rails, spikes), the coding invariants of every window, damaged
//! and random payloads (errors, never panics), and coding efficiency on noise
//! of known entropy. Real recordings come from `BRAINWIRE_DATA` or the
//! challenge archive beside the repository, when there.

extern crate std;

use super::model::isqrt_for_tests;
use super::*;
use crate::test_support::{real_recordings, Bytes};
use brainwire_testkit::Rng;
use std::vec::Vec;
use std::{eprintln, vec};

const VERSIONS: [Version; 3] = [Version::V3, Version::V4, Version::V5];

fn encode(lattice: AdcLattice, samples: &[i16]) -> Vec<u8> {
    encode_version(lattice, Version::V3, samples)
}

fn encode_version(lattice: AdcLattice, version: Version, samples: &[i16]) -> Vec<u8> {
    let mut out = Bytes(Vec::new());
    let mut enc = Encoder::with_version(lattice, version);
    for &s in samples {
        enc.push(s, &mut out);
    }
    enc.finish(&mut out);
    out.0
}

fn decode_version(lattice: AdcLattice, version: Version, bytes: &[u8], n: usize) -> Result<Vec<i16>, Error> {
    let mut dec = Decoder::with_version(lattice, version, bytes);
    let mut v = Vec::with_capacity(n);
    for _ in 0..n {
        v.push(dec.next_sample()?);
    }
    dec.finish()?;
    Ok(v)
}

/// Round trip in every version; the size of the version 4 stream.
fn assert_round_trip(lattice: AdcLattice, samples: &[i16]) -> usize {
    let mut len = 0;
    for version in VERSIONS {
        let bytes = encode_version(lattice, version, samples);
        let back = decode_version(lattice, version, &bytes, samples.len()).expect("a clean stream decodes");
        assert!(back == samples, "{version:?}: round trip changed the samples");
        len = bytes.len();
    }
    len
}

/// A recording that sits at each rail for long runs: version 4 codes the
/// runs for nearly nothing, version 3 pays a fraction of a bit a sample
/// (7 % of this stream).
#[test]
fn stuck_rails_cost_less_in_version_4() {
    let l = AdcLattice::Neuralink10;
    let mut rng = Rng::new(21);
    let s: Vec<i16> = (0..40_000)
        .map(|i| {
            let x = 512.0 + 700.0 * ((i as f64) / 3000.0).sin() + 4.0 * rng.normal();
            l.value(x.round().clamp(0.0, 1023.0) as u32)
        })
        .collect();
    let stuck = s.iter().filter(|&&v| v == l.value(0) || v == l.value(1023)).count();
    assert!(stuck > 10_000, "the recording has long runs at the rails ({stuck})");
    let v4 = assert_round_trip(l, &s);
    let v3 = encode(l, &s).len();
    assert!(v4 * 20 < v3 * 19, "version 4 {v4} bytes, version 3 {v3}");
}

/// Gaussian noise with slow drift, spikes, excursions to both rails and some
/// values off the lattice.
fn synthetic(n: usize, seed: u64) -> Vec<i16> {
    let l = AdcLattice::Neuralink10;
    let mut rng = Rng::new(seed);
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let drift = 512.0 + 40.0 * ((i as f64) / 900.0).sin();
        let spike = if i % 1500 < 8 { -120.0 } else { 0.0 };
        let rail = if i % 5000 > 4950 {
            900.0
        } else if i % 7000 > 6960 {
            -900.0
        } else {
            0.0
        };
        let x = drift + spike + rail + 5.0 * rng.normal();
        let mut v = l.value(x.round().clamp(0.0, 1023.0) as u32);
        if i % 997 == 13 {
            v = v.wrapping_add(7); // off the lattice
        }
        out.push(v);
    }
    out
}

#[test]
fn synthetic_recordings_round_trip() {
    for seed in 1..4 {
        let s = synthetic(20_000, seed);
        let n = assert_round_trip(AdcLattice::Neuralink10, &s);
        assert!(
            n * 8 < s.len() * 8,
            "compresses below a byte per sample: {n} bytes"
        );
    }
}

#[test]
fn extreme_inputs_round_trip() {
    let l = AdcLattice::Neuralink10;
    let mut rng = Rng::new(99);
    let cases: Vec<Vec<i16>> = vec![
        vec![],
        vec![i16::MIN],
        vec![i16::MAX; 3000],
        vec![l.value(511); 3000],
        (0..6000)
            .map(|i| if i % 2 == 0 { i16::MIN } else { i16::MAX })
            .collect(),
        (0..6000).map(|_| rng.next_u64() as i16).collect(),
        (0..6000).map(|i| l.value((i * 37 % 1024) as u32)).collect(),
    ];
    for s in &cases {
        assert_round_trip(l, s);
        assert_round_trip(AdcLattice::Identity16, s);
    }
}

#[test]
fn identity_lattice_round_trips_loud_noise() {
    let mut rng = Rng::new(5);
    let s: Vec<i16> = (0..20_000)
        .map(|i| ((i as f64 / 50.0).sin() * 20_000.0 + 3000.0 * rng.normal()) as i16)
        .collect();
    assert_round_trip(AdcLattice::Identity16, &s);
}

/// Every window the model builds on a varied recording codes each of its codes
/// with a non-zero frequency, in order, leaving the escape on top.
#[test]
fn windows_have_increasing_cumulative_frequencies() {
    for lattice in [AdcLattice::Neuralink10, AdcLattice::Identity16] {
        let mut model = Model::new(lattice);
        for (i, &v) in synthetic(6000, 11).iter().enumerate() {
            let w = model.window();
            let code = lattice.nearest_code(v);
            if i % 50 == 0 {
                let (mut c, mut last_end) = (0, 0);
                let mut codes = 0;
                while c < lattice.len() {
                    if w.contains(c) {
                        let (cum, freq) = model.interval(&w, c);
                        assert!(freq > 0, "code {c} has no frequency");
                        assert_eq!(cum, last_end, "intervals are contiguous");
                        last_end = cum + freq;
                        codes += 1;
                        assert_eq!(model.find(&w, cum), Some((c, cum, freq)));
                        assert_eq!(model.find(&w, cum + freq - 1), Some((c, cum, freq)));
                    }
                    c += 1;
                }
                assert!(codes > 0);
                assert!(last_end <= TOTAL - ESCAPE_FREQ);
                assert_eq!(model.find(&w, last_end), None);
            }
            model.learn(code);
        }
    }
}

/// A Gaussian random walk of known innovation entropy costs close to that
/// entropy: the model's shape and scale tracking leave little on the table.
/// (A walk, because its best prediction is the last value, which the
/// predictor finds at once; white noise would measure the predictor.)
#[test]
fn codes_gaussian_random_walk_near_its_entropy() {
    let mut rng = Rng::new(2024);
    let sigma = 6.0;
    let n = 60_000;
    // Identity lattice: unit-width codes, so the entropy is that of a
    // Gaussian discretised to unit bins.
    let mut x = 0.0;
    let s: Vec<i16> = (0..n)
        .map(|_| {
            x += sigma * rng.normal();
            x.round() as i16
        })
        .collect();
    let bytes = assert_round_trip(AdcLattice::Identity16, &s);
    let bits = bytes as f64 * 8.0 / n as f64;
    let entropy = (sigma * (2.0 * std::f64::consts::PI * std::f64::consts::E).sqrt()).log2();
    eprintln!("gaussian walk sigma {sigma}: {bits:.4} bits/sample, entropy {entropy:.4}");
    // The sum-of-12-uniforms noise is slightly lighter-tailed than a Gaussian,
    // so its true entropy is a little below this figure.
    assert!(
        bits < entropy + 0.03,
        "{bits:.4} bits/sample vs entropy {entropy:.4}"
    );
}

#[test]
fn damaged_and_random_payloads_error_or_decode_never_panic() {
    for version in VERSIONS {
        damaged_payloads_are_handled(version);
    }
}

fn damaged_payloads_are_handled(version: Version) {
    let s = synthetic(5000, 3);
    let good = encode_version(AdcLattice::Neuralink10, version, &s);
    let decode = |l, b: &[u8], n| decode_version(l, version, b, n);
    let mut rng = Rng::new(77);
    let mut refused = 0;
    for _ in 0..300 {
        let bad = rng.with_flipped_bit(&good);
        match decode(AdcLattice::Neuralink10, &bad, s.len()) {
            Err(_) => refused += 1,
            Ok(v) => assert!(
                v != s || bad == good,
                "a damaged stream decoded to the original"
            ),
        }
        let n = rng.below(2000);
        let garbage = rng.bytes(n);
        for lattice in [AdcLattice::Neuralink10, AdcLattice::Identity16] {
            let _ = decode(lattice, &garbage, 3000);
        }
    }
    assert!(refused > 0, "no damaged payload was refused");
    let truncated = decode(AdcLattice::Neuralink10, &good[..good.len() - 4], s.len());
    assert!(
        truncated != Ok(s.clone()),
        "a truncated stream must not decode cleanly"
    );
}

#[test]
fn fast_code_lookup_agrees_with_the_lattice() {
    for lattice in [AdcLattice::Neuralink10, AdcLattice::Identity16] {
        for v in i16::MIN..=i16::MAX {
            assert_eq!(
                code_of(lattice, v),
                lattice.code(v),
                "{lattice:?} value {v}"
            );
        }
    }
}

#[test]
fn integer_square_root_is_within_a_third_of_a_percent() {
    let mut rng = Rng::new(8);
    let mut vals: Vec<u64> = (0..2000).collect();
    vals.extend((0..5000).map(|_| rng.next_u64() >> (rng.next_u64() % 64)));
    vals.extend([u64::MAX, u64::MAX - 1, 1 << 62, (1 << 32) - 1, 1 << 32]);
    for v in vals {
        let r = isqrt_for_tests(v) as f64;
        let exact = (v as f64).sqrt();
        assert!(
            (r - exact).abs() <= 0.003 * exact + 1.0,
            "isqrt({v}) = {r}, root {exact}"
        );
    }
}

#[test]
fn real_recordings_round_trip() {
    let Some(recs) = real_recordings(6) else {
        return;
    };
    for (path, s) in &recs {
        let lattice = AdcLattice::detect(s);
        let bytes = assert_round_trip(lattice, s);
        eprintln!(
            "{}: {:.4} bits/sample",
            path.display(),
            bytes as f64 * 8.0 / s.len() as f64
        );
    }
}
