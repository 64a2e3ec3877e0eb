//! Tests of the `lite` profile: exact round trips on synthetic and real
//! recordings, the bounded coding delay, and clean refusal of damaged input.
//!
//! Real recordings come from `brainwire_testkit::recordings` (`BRAINWIRE_DATA`
//! or the challenge archive beside the repository); without either those
//! tests print a SKIPPED line, with `BRAINWIRE_DATA` unreadable they fail.

extern crate std;

use super::*;
use crate::error::Error;
use crate::lattice::AdcLattice;
use crate::test_support::Bytes;
use brainwire_testkit::{recordings, signal, Rng};
use std::vec::Vec;
use std::{eprintln, vec};

/// A recording shaped like the implant's ([`signal`]) on the 10-bit
/// lattice, with `off` off-lattice samples per thousand.
fn synthetic(len: usize, seed: u64, off: u32) -> Vec<i16> {
    let mut rng = Rng::new(seed);
    let l = AdcLattice::Neuralink10;
    let codes = signal(&mut rng, len, l.len());
    codes
        .into_iter()
        .map(|c| {
            let v = l.value(c);
            // Strictly between two codes: off the lattice.
            if rng.chance(off) { v.saturating_add(1 + rng.below(30) as i16) } else { v }
        })
        .collect()
}

/// How a test hands samples to the [`Encoder`]: every way writes the same
/// bytes.
#[derive(Clone, Copy)]
pub(super) enum Feed {
    /// [`Encoder::push`], one sample at a time.
    PerSample,
    /// [`Encoder::push_all`], the whole input as one block.
    Block,
    /// [`Encoder::push_le`], as little-endian bytes.
    Le,
}

/// The encoder's payload of `samples`, fed as `feed` says.
pub(super) fn payload(lattice: AdcLattice, samples: &[i16], feed: Feed) -> Vec<u8> {
    let mut out = Bytes(Vec::new());
    let mut enc = Encoder::new(lattice);
    match feed {
        Feed::PerSample => samples.iter().for_each(|&s| enc.push(s, &mut out)),
        Feed::Block => enc.push_all(samples, &mut out),
        Feed::Le => enc.push_le(&brainwire_testkit::le_bytes(samples), &mut out),
    }
    enc.finish(&mut out);
    out.0
}

fn encode(lattice: AdcLattice, samples: &[i16]) -> Vec<u8> {
    payload(lattice, samples, Feed::PerSample)
}

fn decode(lattice: AdcLattice, payload: &[u8], n: usize) -> Result<Vec<i16>, Error> {
    let mut dec = Decoder::new(lattice, payload);
    let samples = (0..n).map(|_| dec.next_sample()).collect::<Result<Vec<_>, _>>()?;
    dec.finish()?;
    Ok(samples)
}

fn assert_round_trip(lattice: AdcLattice, samples: &[i16]) -> usize {
    let payload = encode(lattice, samples);
    assert_eq!(decode(lattice, &payload, samples.len()).as_deref(), Ok(samples));
    payload.len()
}

/// How many leading samples of `samples` decode correctly from `prefix`
/// (stopping at the first wrong or refused one).
fn decodable(lattice: AdcLattice, prefix: &[u8], samples: &[i16]) -> usize {
    let mut dec = Decoder::new(lattice, prefix);
    samples.iter().take_while(|&&want| dec.next_sample() == Ok(want)).count()
}

/// Encodes `samples` and measures the coding delay from outside the
/// encoder: at each push `check` picks, how many samples the bytes written
/// so far decode. Asserts that every sample but the last
/// MAX_PENDING_SAMPLES is decodable, and that the encoder's own bound
/// (`pending_samples`) covers what is not; returns the worst delay seen.
fn assert_bounded_delay(lattice: AdcLattice, samples: &[i16], check: impl Fn(usize) -> bool) -> usize {
    let mut out = Bytes(Vec::new());
    let mut enc = Encoder::new(lattice);
    let mut worst = 0;
    for (t, &s) in samples.iter().enumerate() {
        enc.push(s, &mut out);
        let bound = enc.pending_samples();
        assert!(bound <= MAX_PENDING_SAMPLES, "{bound} samples may be pending after sample {t}");
        if check(t) {
            // Decoding past the prefix may by chance reproduce a sample or
            // two, so `done` can exceed the truth; it is never below it.
            let done = decodable(lattice, &out.0, &samples[..=t]);
            let pending = t + 1 - done;
            assert!(pending <= bound, "{pending} samples pending after sample {t}, encoder bound {bound}");
            worst = worst.max(pending);
        }
    }
    worst
}

#[test]
fn fast_lattice_map_agrees_with_the_lattice() {
    let codebook = Codebook::new();
    let l = AdcLattice::Neuralink10;
    for v in i16::MIN..=i16::MAX {
        assert_eq!(codebook.ten_bit_code(v as u16), l.code(v).map(|c| c as i32), "{v}");
    }
}

#[test]
fn learned_codes_are_complete_prefix_codes() {
    let mut rows = 0;
    lengths::read_code_lengths(&mut [[0; SYMBOLS]; CLASSES], |ctx, lengths, _| {
        assert_eq!(ctx, rows);
        rows += 1;
        // Kraft sum in units of 2^-MAX_CODE_LEN: exactly 1 for a complete code.
        let mut kraft = 0u32;
        for (sym, &len) in lengths.iter().enumerate() {
            let len = u32::from(len);
            assert!((1..=MAX_CODE_LEN).contains(&len), "context {ctx} symbol {sym}: length {len}");
            kraft += 1 << (MAX_CODE_LEN - len);
        }
        assert_eq!(kraft, 1 << MAX_CODE_LEN, "context {ctx}");
    });
    assert_eq!(rows, CONTEXTS);
}

#[test]
fn block_coding_matches_sample_by_sample_coding() {
    for (lattice, s) in [(AdcLattice::Neuralink10, synthetic(6000, 41, 4)), (AdcLattice::Identity16, synthetic(3000, 43, 0))] {
        let payload = encode(lattice, &s);
        let mut enc = Encoder::new(lattice);
        let mut block = Bytes(Vec::new());
        enc.push_all(&s[..1234], &mut block);
        enc.push_all(&s[1234..], &mut block);
        enc.finish(&mut block);
        assert_eq!(block.0, payload);
        let mut dec = Decoder::new(lattice, &payload);
        let mut back = vec![0i16; s.len()];
        dec.decode_into(&mut back[..777]).unwrap();
        dec.decode_into(&mut back[777..]).unwrap();
        dec.finish().unwrap();
        assert_eq!(back, s);
        // A block running past the end of the payload is refused.
        let mut dec = Decoder::new(lattice, &payload[..payload.len() - 3]);
        assert_eq!(dec.decode_into(&mut back), Err(Error::Corrupt));
    }
}

#[test]
fn block_loop_matches_sample_by_sample_coding() {
    let l = AdcLattice::Neuralink10;
    let long = block::BLOCK_TABLES_WORTH + 2500;
    let mut rng = Rng::new(17);
    // Escapes of every kind: off-lattice samples, jumps past the residual
    // table, the extremes; and near-silence, many samples to a word.
    let mut wild: Vec<i16> = synthetic(long, 51, 30);
    for t in (0..long).step_by(97) {
        wild[t] = match t % 3 {
            0 => rng.next_u32() as i16,
            1 => i16::MIN,
            _ => l.value(rng.next_u32() % 1024),
        };
    }
    // 0, the window's end marker, in the data too: around window ends.
    assert_eq!(l.code(0), None);
    for k in 1..4 {
        for t in [k * block::WINDOW - 1, k * block::WINDOW, k * block::WINDOW + 1] {
            wild[t] = 0;
        }
    }
    let quiet: Vec<i16> = (0..long).map(|t| l.value(512 + (t % 11 == 0) as u32)).collect();
    for s in [synthetic(3 * long, 52, 0), synthetic(long, 53, 4), wild, quiet] {
        let payload = encode(l, &s);
        // Two long blocks (the loop), then a short one (sample by sample).
        let cut = [block::BLOCK_TABLES_WORTH, s.len() - 100];
        let mut enc = Encoder::new(l);
        let mut out = Bytes(Vec::new());
        enc.push_all(&s[..cut[0]], &mut out);
        enc.push_all(&s[cut[0]..cut[1]], &mut out);
        enc.push_all(&s[cut[1]..], &mut out);
        assert_eq!(enc.off_lattice_samples(), s.iter().filter(|&&v| l.code(v).is_none()).count());
        enc.finish(&mut out);
        assert_eq!(out.0, payload);
        // The same from little-endian bytes, an odd byte left over.
        let mut le: Vec<u8> = s.iter().flat_map(|v| v.to_le_bytes()).collect();
        le.push(0x5A);
        let mut enc = Encoder::new(l);
        let mut out = Bytes(Vec::new());
        enc.push_le(&le, &mut out);
        enc.finish(&mut out);
        assert_eq!(out.0, payload);
    }
}

#[test]
fn synthetic_recordings_round_trip() {
    let l = AdcLattice::Neuralink10;
    for seed in 0..4 {
        let s = synthetic(20_000, seed, 0);
        let bytes = assert_round_trip(l, &s);
        // Noise of ~6 codes: far below the 16 bits of a raw sample.
        assert!(bytes * 8 < s.len() * 8, "{} bits/sample", bytes as f64 * 8.0 / s.len() as f64);
    }
}

#[test]
fn off_lattice_samples_round_trip_exactly() {
    let s = synthetic(20_000, 7, 20);
    assert!(s.iter().any(|&v| AdcLattice::Neuralink10.code(v).is_none()));
    assert_round_trip(AdcLattice::Neuralink10, &s);
}

#[test]
fn extremes_and_jumps_round_trip_on_both_lattices() {
    let mut rng = Rng::new(99);
    let mut s: Vec<i16> = vec![i16::MIN, i16::MAX, i16::MIN, 0, -1, 1, i16::MAX, i16::MAX, i16::MIN];
    s.extend((0..5000).map(|_| rng.next_u32() as i16));
    s.extend((0..5000).map(|t| if t % 2 == 0 { i16::MIN } else { i16::MAX }));
    s.extend((0..5000).map(|t| (t as i16).wrapping_mul(37)));
    for lattice in [AdcLattice::Neuralink10, AdcLattice::Identity16] {
        assert_round_trip(lattice, &s);
        let on: Vec<i16> = s.iter().map(|&v| lattice.value(lattice.nearest_code(v))).collect();
        assert_round_trip(lattice, &on);
    }
}

#[test]
fn empty_recording_is_an_empty_payload() {
    assert_eq!(assert_round_trip(AdcLattice::Neuralink10, &[]), 0);
}

#[test]
fn coding_delay_is_bounded_on_synthetic_recordings() {
    let mut worst = 0;
    for (seed, off) in [(1, 0), (2, 30)] {
        let s = synthetic(3000, seed, off);
        worst = worst.max(assert_bounded_delay(AdcLattice::Neuralink10, &s, |_| true));
    }
    // Near-silence: short codewords, the most samples sharing a byte.
    let quiet: Vec<i16> = (0..3000).map(|t| AdcLattice::Neuralink10.value(512 + (t % 7 == 0) as u32)).collect();
    worst = worst.max(assert_bounded_delay(AdcLattice::Neuralink10, &quiet, |_| true));
    eprintln!("worst coding delay on synthetic recordings: {worst} samples");
    assert!(worst >= 1, "nothing was ever held back: the check checked nothing");
}

#[test]
fn damaged_payloads_are_refused_without_panicking() {
    let l = AdcLattice::Neuralink10;
    let s = synthetic(4000, 3, 5);
    let payload = encode(l, &s);
    // Every truncation loses bits of the last sample: always refused.
    for cut in [1, 2, 5, payload.len() / 2, payload.len()] {
        assert_eq!(decode(l, &payload[..payload.len() - cut], s.len()), Err(Error::Corrupt), "cut {cut}");
    }
    // An extra byte is refused by the end check.
    let mut longer = payload.clone();
    longer.push(0);
    assert_eq!(decode(l, &longer, s.len()), Err(Error::Corrupt));
    // Flipped bits and random payloads decode to something or are refused.
    let mut rng = Rng::new(5);
    let mut refused = 0;
    for _ in 0..300 {
        let bad = rng.with_flipped_bit(&payload);
        refused += decode(l, &bad, s.len()).is_err() as u32;
        let n = rng.below(3000);
        let garbage = rng.bytes(n);
        for lattice in [AdcLattice::Neuralink10, AdcLattice::Identity16] {
            let _ = decode(lattice, &garbage, 4000);
        }
    }
    assert!(refused > 0, "no damaged payload was refused");
}

#[test]
fn real_recordings_round_trip_with_bounded_delay() {
    let Some(recs) = recordings(8, "lite: real recordings round trip with bounded delay") else { return };
    for rec in &recs {
        let (path, s) = (&rec.name, &rec.samples());
        let lattice = AdcLattice::detect(s);
        let bytes = assert_round_trip(lattice, s);
        eprintln!("{path}: {:.3} bits/sample", bytes as f64 * 8.0 / s.len() as f64);
        // Every push checks the encoder's bound; 200 spread pushes also
        // measure what the bytes out so far actually decode.
        let every = s.len() / 200 + 1;
        let worst = assert_bounded_delay(lattice, s, |t| t % every == every - 1);
        eprintln!("  worst coding delay seen: {worst} samples");
    }
}

#[test]
fn decoding_stops_within_a_byte_of_the_end() {
    // Every sample costs at least one bit and fewer than 8 padding bits
    // follow the last one, so at most 7 invented samples decode.
    for lattice in [AdcLattice::Neuralink10, AdcLattice::Identity16] {
        for s in [vec![lattice.value(0); 500], synthetic(500, 11, 0)] {
            let s: Vec<i16> = s.iter().map(|&v| lattice.value(lattice.nearest_code(v))).collect();
            let payload = encode(lattice, &s);
            let mut dec = Decoder::new(lattice, &payload);
            for &want in &s {
                assert_eq!(dec.next_sample(), Ok(want));
            }
            let extra = (0..1000).take_while(|_| dec.next_sample().is_ok()).count();
            assert!(extra <= MAX_PENDING_SAMPLES, "{lattice:?}: {extra} samples decoded past the end");
        }
    }
}

#[test]
fn a_channel_costs_a_few_dozen_bytes() {
    // 1024 channels must fit an implant's RAM beside one shared codebook.
    assert!(core::mem::size_of::<ChannelEncoder>() <= 48, "{} bytes", core::mem::size_of::<ChannelEncoder>());
    // Channels sharing a codebook code exactly as separate encoders.
    let codebook = Codebook::new();
    let s = synthetic(5000, 21, 3);
    let mut shared = ChannelEncoder::new(AdcLattice::Neuralink10);
    let mut out = Bytes(Vec::new());
    for &v in &s {
        shared.push(&codebook, v, &mut out);
    }
    shared.finish(&mut out);
    assert_eq!(out.0, encode(AdcLattice::Neuralink10, &s));
}

#[test]
fn pushing_adc_codes_codes_like_pushing_their_values() {
    let l = AdcLattice::Neuralink10;
    let codebook = Codebook::new();
    let s = synthetic(5000, 31, 0);
    let mut by_code = ChannelEncoder::new(l);
    let mut out = Bytes(Vec::new());
    for &v in &s {
        by_code.push_code(&codebook, l.code(v).unwrap() as u16, &mut out);
    }
    // A code past the lattice's top stands for the top value.
    by_code.push_code(&codebook, 4000, &mut out);
    by_code.finish(&mut out);
    let mut s = s;
    s.push(l.value(1023));
    assert_eq!(out.0, encode(l, &s));
}

/// Shared tables code exactly as owned ones: one codebook and one set of
/// decoding tables serve several streams of both lattices in turn.
#[test]
fn shared_tables_code_as_owned_ones() {
    let codebook = Codebook::new();
    let tables = DecodeTables::new();
    for (seed, lattice) in [(1, AdcLattice::Neuralink10), (2, AdcLattice::Identity16), (3, AdcLattice::Neuralink10)] {
        let samples = synthetic(20_000, seed, 3);
        let owned = encode(lattice, &samples);
        let mut shared = Bytes(Vec::new());
        let mut e = Encoder::with_codebook(lattice, &codebook);
        e.push_all(&samples, &mut shared);
        e.finish(&mut shared);
        assert_eq!(shared.0, owned, "encoder bytes, seed {seed}");
        let mut out = vec![0i16; samples.len()];
        let mut d = Decoder::with_tables(lattice, &owned, &tables);
        d.decode_into(&mut out).unwrap();
        d.finish().unwrap();
        assert_eq!(out, samples, "decoded samples, seed {seed}");
    }
}
