//! Hundreds of damaged containers, every one refused cleanly.
//!
//! Builds containers of synthetic files (canonical and non-canonical WAVs,
//! samples on and off the 10-bit lattice, a full-range recording, a stored
//! non-WAV), for every profile, then damages them: every bit of the fixed
//! part, header and codec-stream header flipped, bit flips spread over the
//! payload and every bit of its tail, truncations at many lengths,
//! overwritten runs, random bytes (bare and behind a valid-looking fixed
//! part), every other version and kind byte, the codec stream of another
//! file behind a header, and a coded file relabelled as stored.
//!
//! Each damaged container must give `Err` and never panic: `Ok` with any
//! bytes, even the original ones (damage in a range coder's flush bits, or
//! bytes appended to a stream), fails the test.
//! The counts are printed (`cargo test --release -p brainwire-container
//! --test corruption -- --nocapture`).

mod common;

use std::panic::{catch_unwind, AssertUnwindSafe};

use brainwire_container::{decode, encode, inspect, AdcLattice, Error, Kind, Profile};
use common::*;

struct Original {
    name: &'static str,
    bytes: Vec<u8>,
}

fn originals() -> Vec<Original> {
    let n = 1500;
    let mut out = Vec::new();
    out.push(Original { name: "canonical", bytes: canonical_wav(&walk(n, 1, 0), 19531) });
    out.push(Original { name: "canonical-off-lattice", bytes: canonical_wav(&walk(n, 2, 37), 19531) });
    // Stereo, an odd LIST chunk before the data and a chunk plus an odd byte
    // after it: verbatim prefix (header mode 1) and a trailer.
    let data = le_bytes(&walk(n, 3, 0));
    let mut c = Vec::new();
    chunk(&mut c, b"fmt ", 16, &fmt_body(1, 2, 8000, 16), true);
    chunk(&mut c, b"LIST", 5, b"INFOx", true);
    chunk(&mut c, b"data", data.len() as u32 + 1, &data, false);
    c.push(0x5A);
    chunk(&mut c, b"junk", 3, b"abc", true);
    out.push(Original { name: "stereo-extra-chunks", bytes: riff(&c, Some(12345)) });
    // Full 16-bit range (the identity lattice).
    let mut rng = Rng::new(4);
    let mut v = 0i32;
    let full: Vec<i16> = (0..n)
        .map(|_| {
            v = (v + rng.below(2001) as i32 - 1000).clamp(-32768, 32767);
            v as i16
        })
        .collect();
    out.push(Original { name: "identity16", bytes: canonical_wav(&full, 44100) });
    out.push(Original { name: "text", bytes: b"not a recording, just some text that is stored as it is\n".repeat(10) });
    out
}

#[derive(Default)]
struct Tally {
    cases: usize,
    refused: usize,
    harmless: Vec<String>,
    wrong: Vec<String>,
    panicked: Vec<String>,
    misnamed: Vec<String>,
}

impl Tally {
    /// Decodes `damaged`; `want` names the error it must give, if one is
    /// certain.
    fn check(&mut self, what: String, damaged: &[u8], original: &[u8], want: Option<Error>) {
        self.cases += 1;
        let got = catch_unwind(AssertUnwindSafe(|| {
            // inspect must not panic either; its answer is not checked.
            let _ = inspect(damaged);
            decode(damaged)
        }));
        match got {
            Err(_) => self.panicked.push(what),
            Ok(Err(e)) => {
                self.refused += 1;
                assert!(!e.to_string().is_empty());
                if want.is_some_and(|w| w != e) {
                    self.misnamed.push(format!("{what}: {e:?}, want {want:?}"));
                }
            }
            Ok(Ok(bytes)) if bytes == original => self.harmless.push(what),
            Ok(Ok(_)) => self.wrong.push(what),
        }
    }
}

#[test]
fn damaged_containers_are_refused() {
    let originals = originals();
    let mut t = Tally::default();
    let mut rng = Rng::new(0xB1A1_3E11);
    // (original index, profile, container), for the stream swaps.
    let mut coded: Vec<(usize, Profile, Vec<u8>)> = Vec::new();

    for (oi, o) in originals.iter().enumerate() {
        for profile in Profile::ALL {
            let c = encode(&o.bytes, profile);
            assert_eq!(decode(&c).as_deref(), Ok(&o.bytes[..]), "{} {profile:?} does not round-trip", o.name);
            let info = inspect(&c).unwrap();
            if o.name == "text" {
                assert_eq!(info.kind, Kind::Stored);
                if profile != Profile::Tables {
                    continue; // the stored container does not depend on the profile
                }
            } else {
                assert_eq!(info.kind, Kind::Pcm16Wav, "{} {profile:?} was stored", o.name);
                coded.push((oi, profile, c.clone()));
            }
            let id = format!("{} {}", o.name, profile.name());
            let len = c.len();
            // Fixed part, container header and codec-stream header (profile,
            // lattice and the first payload bytes): every bit.
            // (Stored: the fixed part and the first bytes of the original.)
            let head = match info.kind {
                Kind::Stored => 16,
                Kind::Pcm16Wav => len - info.stream_len as usize + 6,
            }
            .min(len - 1);
            for i in 0..head {
                for bit in 0..8 {
                    let mut d = c.clone();
                    d[i] ^= 1 << bit;
                    let want = match i {
                        0 | 1 => Some(Error::NotBrainwire),
                        2 => Some(Error::UnsupportedVersion(1 ^ (1 << bit))),
                        _ => None,
                    };
                    t.check(format!("{id}: flip bit {bit} of byte {i}/{len}"), &d, &o.bytes, want);
                }
            }
            // Payload: spread flips; tail: every bit of the last 8 bytes.
            for _ in 0..24 {
                let i = head + rng.below(len - head);
                let bit = rng.below(8);
                let mut d = c.clone();
                d[i] ^= 1 << bit;
                t.check(format!("{id}: flip bit {bit} of byte {i}/{len}"), &d, &o.bytes, None);
            }
            for i in len.saturating_sub(8)..len {
                for bit in 0..8 {
                    let mut d = c.clone();
                    d[i] ^= 1 << bit;
                    t.check(format!("{id}: flip bit {bit} of tail byte {i}/{len}"), &d, &o.bytes, None);
                }
            }
            // Truncations: every length through the header, then spread,
            // then the last 16.
            let mut cuts: Vec<usize> = (0..head.min(len)).collect();
            cuts.extend((1..40).map(|k| head + (len - head) * k / 40));
            cuts.extend(len.saturating_sub(16)..len);
            cuts.sort_unstable();
            cuts.dedup();
            for cut in cuts {
                let want = if cut < 2 { Some(Error::NotBrainwire) } else if cut < 8 { Some(Error::Truncated) } else { None };
                t.check(format!("{id}: truncated to {cut}/{len}"), &c[..cut], &o.bytes, want);
            }
            // Overwritten runs of zeros, ones and noise.
            for k in 0..30 {
                let at = rng.below(len);
                let run = (1 + rng.below(64)).min(len - at);
                let mut d = c.clone();
                for (j, b) in d[at..at + run].iter_mut().enumerate() {
                    *b = match k % 3 {
                        0 => 0,
                        1 => 0xFF,
                        _ => rng.next_u64() as u8 | (j == 0) as u8,
                    };
                }
                if d != c {
                    t.check(format!("{id}: {run} bytes overwritten at {at}/{len} (style {})", k % 3), &d, &o.bytes, None);
                }
            }
            // Every other version, then every other kind.
            for v in 0..=255u8 {
                if v != c[2] {
                    let mut d = c.clone();
                    d[2] = v;
                    t.check(format!("{id}: version {v}"), &d, &o.bytes, Some(Error::UnsupportedVersion(v)));
                }
            }
            for k in 0..=255u8 {
                if k != c[3] {
                    let mut d = c.clone();
                    d[3] = k;
                    let want = if k > 1 { Some(Error::UnknownKind(k)) } else { None };
                    t.check(format!("{id}: kind {k}"), &d, &o.bytes, want);
                }
            }
            // Bytes appended after the end.
            for extra in [&[0u8][..], &[0xFF; 3], b"more bytes"] {
                let mut d = c.clone();
                d.extend_from_slice(extra);
                t.check(format!("{id}: {} bytes appended", extra.len()), &d, &o.bytes, None);
            }
        }
    }

    // The codec stream of one file behind the header of another (same
    // sample count, other samples), for every pair and profile.
    for (ai, ap, a) in &coded {
        for (bi, bp, b) in &coded {
            if ai == bi {
                continue;
            }
            let (ah, bs) = (a.len() - inspect(a).unwrap().stream_len as usize, b.len() - inspect(b).unwrap().stream_len as usize);
            let mut d = a[..ah].to_vec();
            d.extend_from_slice(&b[bs..]);
            let what = format!("header of {} {} + stream of {} {}", originals[*ai].name, ap.name(), originals[*bi].name, bp.name());
            t.check(what, &d, &originals[*ai].bytes, None);
        }
    }

    // Random bytes: bare, and behind a valid-looking fixed part of each kind
    // (with and without a plausible coded header).
    for k in 0..300 {
        let len = rng.below(400);
        let mut d = rng.bytes(len);
        match k % 3 {
            0 => {}
            1 if d.len() >= 4 => d[..4].copy_from_slice(b"BW\x01\x00"),
            _ if d.len() >= 9 => {
                d[..4].copy_from_slice(b"BW\x01\x01");
                d[8] = rng.below(2) as u8;
            }
            _ => {}
        }
        t.check(format!("random bytes #{k} ({len} bytes)"), &d, &[0xAB; 1], None);
    }

    println!(
        "corruption: {} damaged containers: {} refused, {} decoded to the exact original, {} wrong, {} panics",
        t.cases,
        t.refused,
        t.harmless.len(),
        t.wrong.len(),
        t.panicked.len()
    );
    for h in &t.harmless {
        println!("  harmless: {h}");
    }
    assert!(t.panicked.is_empty(), "decode panicked on: {:#?}", t.panicked);
    assert!(t.wrong.is_empty(), "decode returned wrong bytes for: {:#?}", t.wrong);
    assert!(t.misnamed.is_empty(), "wrong error for: {:#?}", t.misnamed);
    assert!(t.cases >= 1000);
    // The decoders check that a stream ends exactly where its encoder ended
    // it, so even damage that leaves every sample unchanged is refused.
    assert!(t.harmless.is_empty(), "damage accepted: {:#?}", t.harmless);
}

/// A header that claims far more samples than its stream can hold fails at
/// once, before decoding (the format's bound: 2^19 samples per stream byte).
#[test]
fn impossible_sample_counts_are_refused_up_front() {
    use brainwire_container::format::{write_coded_header, WavHeader};
    use brainwire_container::MAX_SAMPLES_PER_STREAM_BYTE;
    for stream in [&[2u8, 1, 0, 0, 0, 0][..], &[1, 1, 0], &[3, 0, 0xFF, 0xFF, 0xFF, 0xFF], &[]] {
        for count in [u64::MAX, 1 << 60, 1 << 40, stream.len() as u64 * MAX_SAMPLES_PER_STREAM_BYTE + 1] {
            for header in [WavHeader::Canonical { sample_rate: 19531 }, WavHeader::Verbatim(b"RIFF")] {
                let mut c = Vec::new();
                write_coded_header(&mut c, 0, header, count, b"");
                c.extend_from_slice(stream);
                let e = decode(&c).unwrap_err();
                assert!(matches!(e, Error::Truncated | Error::TooLarge), "{count} samples in {stream:?}: {e:?}");
            }
        }
    }
}

/// For every profile and lattice: 500 samples at the lattice's lowest code
/// and their stream.
fn lowest_code_streams() -> Vec<(Profile, AdcLattice, Vec<i16>, Vec<u8>)> {
    let mut all = Vec::new();
    for profile in Profile::ALL {
        for lattice in [AdcLattice::Neuralink10, AdcLattice::Identity16] {
            let samples = vec![lattice.value(0); 500];
            let mut stream = Vec::new();
            brainwire_core::encode_all(profile, lattice, &samples, &mut stream);
            all.push((profile, lattice, samples, stream));
        }
    }
    all
}

/// A valid stream of constant samples at the lattice's lowest code, whose
/// header claims more samples than it holds: the decoder would produce the
/// lowest code forever from the zeros it reads past the end, so only the
/// end-of-stream check refuses it.
#[test]
fn a_stream_claiming_more_samples_than_it_holds_is_refused() {
    use brainwire_container::format::{write_coded_header, WavHeader};
    for (profile, lattice, _, stream) in lowest_code_streams() {
        for extra in [1, 100, 20_000] {
            let mut c = Vec::new();
            write_coded_header(&mut c, 0, WavHeader::Canonical { sample_rate: 1000 }, 500 + extra, b"");
            c.extend_from_slice(&stream);
            assert!(decode(&c).is_err(), "{profile:?} {lattice:?} +{extra}");
        }
    }
}

/// After a stream's last real sample, the core must refuse within a bounded
/// number of further samples (those the remaining range can still hold), not
/// decode the zeros it would invent past the end: a header claiming up to
/// 2^19 samples per stream byte must fail fast. The core refuses a sample
/// once its range decoder has read past the input.
#[test]
fn the_core_stops_soon_after_the_end_of_a_stream() {
    use brainwire_core::Decoder;
    for (profile, lattice, samples, stream) in lowest_code_streams() {
        let mut d = Decoder::new(&stream).unwrap();
        for &s in &samples {
            assert_eq!(d.next_sample(), Ok(s));
        }
        // 8 bits of range left at most, at the costliest ~2^-13 bits a
        // sample these models reach: far fewer than 2^17 samples.
        let extra = (0..1u32 << 20).take_while(|_| d.next_sample().is_ok()).count();
        assert!(extra < 1 << 17, "{profile:?} {lattice:?}: {extra} samples decoded past the end");
    }
}
