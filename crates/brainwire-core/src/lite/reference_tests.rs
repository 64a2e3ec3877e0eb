//! The fast `lite` coders against [`reference`]: the encoder's bytes equal
//! the reference encoder's (per sample, by block, from little-endian bytes),
//! and the fast decoder and the reference decoder agree on valid and on
//! damaged payloads, over the testkit's generated signals on both lattices,
//! with escapes of every kind, short and long inputs.

extern crate std;

use super::block::{BLOCK_TABLES_WORTH, WINDOW};
use super::tests::{payload, Feed};
use super::*;
use crate::error::Error;
use crate::lattice::AdcLattice;
use brainwire_testkit::{signal, Rng};
use std::vec::Vec;

const LATTICES: [AdcLattice; 2] = [AdcLattice::Neuralink10, AdcLattice::Identity16];

/// Input lengths: empty, around the delay bound and a 16-bit word, around the
/// block loop's threshold and window, and long.
const LENGTHS: [usize; 10] = [0, 1, 2, 15, 16, 17, 1000, BLOCK_TABLES_WORTH, BLOCK_TABLES_WORTH + 3 * WINDOW + 5, 40_000];

/// [`signal`] on `lattice`, with per thousand samples `escapes` jumps, random
/// words, extremes and (where the lattice has them) off-lattice values.
fn generated(lattice: AdcLattice, len: usize, seed: u64, escapes: u32) -> Vec<i16> {
    let mut rng = Rng::new(seed);
    let codes = signal(&mut rng, len, lattice.len());
    codes
        .into_iter()
        .map(|c| {
            let v = lattice.value(c);
            if !rng.chance(escapes) {
                return v;
            }
            match rng.below(5) {
                0 => v.saturating_add(1 + rng.below(30) as i16),
                1 => rng.next_u32() as i16,
                2 => i16::MIN,
                3 => i16::MAX,
                _ => lattice.value(rng.next_u32() % lattice.len()),
            }
        })
        .collect()
}

/// The fast decoder sample by sample, then its end check.
fn fast_decode_each(lattice: AdcLattice, payload: &[u8], n: usize) -> Result<Vec<i16>, Error> {
    let mut dec = Decoder::new(lattice, payload);
    let s = (0..n).map(|_| dec.next_sample()).collect::<Result<Vec<_>, _>>()?;
    dec.finish()?;
    Ok(s)
}

/// The fast decoder's block path, then its end check.
fn fast_decode_block(lattice: AdcLattice, payload: &[u8], n: usize) -> Result<Vec<i16>, Error> {
    let mut dec = Decoder::new(lattice, payload);
    let mut s = std::vec![0; n];
    dec.decode_into(&mut s)?;
    dec.finish()?;
    Ok(s)
}

#[test]
fn reference_reads_the_same_code_lengths() {
    let reference = reference::code_lengths();
    let mut rows = 0;
    lengths::read_code_lengths(&mut [[0; SYMBOLS]; CLASSES], |ctx, lengths, _| {
        assert_eq!(lengths, &reference[ctx], "context {ctx}");
        rows += 1;
    });
    assert_eq!((rows, reference.len()), (CONTEXTS, CONTEXTS));
}

#[test]
fn fast_encoder_writes_the_reference_bytes() {
    let mut seed = 100;
    for lattice in LATTICES {
        for len in LENGTHS {
            for escapes in [0, 3, 40] {
                seed += 1;
                let s = generated(lattice, len, seed, escapes);
                let want = reference::encode(lattice, &s);
                let what = std::format!("{lattice:?}, {len} samples, {escapes}/1000 escapes");
                assert_eq!(payload(lattice, &s, Feed::PerSample), want, "per sample: {what}");
                assert_eq!(payload(lattice, &s, Feed::Block), want, "block: {what}");
                assert_eq!(payload(lattice, &s, Feed::Le), want, "little-endian: {what}");
                // Both decoders give the samples back.
                assert_eq!(reference::decode(lattice, &want, len).as_deref(), Ok(&s[..]), "reference decoder: {what}");
                assert_eq!(fast_decode_each(lattice, &want, len).as_deref(), Ok(&s[..]), "fast decoder: {what}");
                assert_eq!(fast_decode_block(lattice, &want, len).as_deref(), Ok(&s[..]), "fast block decoder: {what}");
            }
        }
    }
}

#[test]
fn fast_decoder_agrees_with_the_reference_on_damaged_payloads() {
    let mut rng = Rng::new(7);
    // (refused, decoded) damaged payloads: both outcomes must be exercised.
    let mut outcomes = (0, 0);
    for lattice in LATTICES {
        for (len, seed) in [(300, 1), (BLOCK_TABLES_WORTH + 700, 2)] {
            let s = generated(lattice, len, seed, 20);
            let payload = reference::encode(lattice, &s);
            for trial in 0..60 {
                let mut bad = payload.clone();
                match trial % 4 {
                    // One bit flipped.
                    0 | 1 => {
                        let bit = rng.below(bad.len() * 8);
                        bad[bit / 8] ^= 0x80 >> (bit % 8);
                    }
                    // Cut short.
                    2 => bad.truncate(rng.below(bad.len())),
                    // A byte more.
                    _ => bad.push(rng.next_u32() as u8),
                }
                // Asked for fewer, as many, or more samples than coded.
                let n = [len - 1, len, len + 1][rng.below(3)];
                let want = reference::decode(lattice, &bad, n);
                if want.is_err() { outcomes.0 += 1 } else { outcomes.1 += 1 }
                let what = std::format!("{lattice:?}, trial {trial}, {n} samples");
                assert_eq!(fast_decode_each(lattice, &bad, n), want, "per sample: {what}");
                assert_eq!(fast_decode_block(lattice, &bad, n), want, "block: {what}");
            }
            // Random bytes.
            for _ in 0..30 {
                let size = 1 + rng.below(200);
                let junk = rng.bytes(size);
                let n = rng.below(300);
                assert_eq!(fast_decode_each(lattice, &junk, n), reference::decode(lattice, &junk, n), "{lattice:?}, junk");
            }
        }
    }
    std::eprintln!("damaged lite payloads: {} refused, {} decoded (to other samples or a prefix)", outcomes.0, outcomes.1);
    assert!(outcomes.0 > 0 && outcomes.1 > 0, "{outcomes:?}");
}
