//! Property tests: every byte string and every WAV variant round-trips
//! exactly through every profile; the container never grows a file by more
//! than its 8-byte fixed part; a compressible canonical recording is coded,
//! not stored; and damaged containers give `Err` or the exact original,
//! never other bytes and never a panic.
//!
//! 256 cases per property (`PROPTEST_CASES` overrides), inputs of at most a
//! few thousand samples so the suite stays fast.

mod common;

use brainwire_container::{decode, encode, inspect, AdcLattice, Kind, Profile};
use common::*;
use proptest::prelude::*;

fn profile() -> impl Strategy<Value = Profile> {
    prop::sample::select(Profile::ALL.to_vec())
}

fn round_trips(input: &[u8], p: Profile) -> Result<Vec<u8>, TestCaseError> {
    let packed = encode(input, p);
    prop_assert!(packed.len() <= input.len() + 8, "{p:?}: {} -> {} bytes", input.len(), packed.len());
    let back = decode(&packed);
    prop_assert!(back.as_deref() == Ok(input), "{p:?}: round trip failed: {:?}", back.map(|b| b.len()));
    Ok(packed)
}

/// How the samples of a generated WAV are made.
#[derive(Clone, Copy, Debug)]
enum Samples {
    /// A random walk on the 10-bit lattice.
    Lattice,
    /// The same with every `k`-th sample off the lattice.
    OffLattice(usize),
    /// Arbitrary 16-bit values.
    Noise,
    /// One value repeated.
    Constant(i16),
}

fn samples(kind: Samples, n: usize, seed: u64) -> Vec<i16> {
    match kind {
        Samples::Lattice => walk(n, seed, 0),
        Samples::OffLattice(k) => walk(n, seed, k),
        Samples::Noise => {
            let mut r = common::Rng::new(seed);
            (0..n).map(|_| r.next_u64() as i16).collect()
        }
        Samples::Constant(v) => vec![v; n],
    }
}

fn samples_kind() -> impl Strategy<Value = Samples> {
    prop_oneof![
        3 => Just(Samples::Lattice),
        2 => (2usize..50).prop_map(Samples::OffLattice),
        1 => Just(Samples::Noise),
        1 => any::<i16>().prop_map(Samples::Constant),
    ]
}

/// A WAV file described field by field, including lies.
#[derive(Clone, Debug)]
struct WavSpec {
    tag: u16,
    channels: u16,
    rate: u32,
    bits: u16,
    samples: Samples,
    n: usize,
    seed: u64,
    /// Chunks before `data` (and `fmt ` after `data` when set).
    extra_before: Vec<([u8; 4], Vec<u8>)>,
    fmt_after_data: bool,
    /// Added to the true data size (wrapping): 0 tells the truth.
    data_size_lie: u32,
    /// RIFF size field, `None` for the true one.
    riff_size: Option<u32>,
    /// Bytes after the data chunk (an odd byte, junk, another chunk).
    tail: Vec<u8>,
    /// Keep only this fraction (per mille) of the file, if set.
    cut_per_mille: Option<u16>,
}

fn wav_spec() -> impl Strategy<Value = WavSpec> {
    let format = (
        prop_oneof![4 => Just(1u16), 1 => Just(3u16), 2 => Just(0xFFFEu16), 1 => any::<u16>()],
        prop_oneof![4 => Just(1u16), 2 => 2u16..5, 1 => Just(0u16)],
        prop_oneof![Just(19531u32), any::<u32>()],
        prop_oneof![6 => Just(16u16), 1 => Just(8u16), 1 => Just(24u16), 1 => Just(32u16), 1 => any::<u16>()],
    );
    let body = (samples_kind(), 0usize..3000, any::<u64>());
    let chunks = prop::collection::vec(
        (prop::sample::select(vec![*b"LIST", *b"junk", *b"fact", *b"data", *b"fmt "]), prop::collection::vec(any::<u8>(), 0..9)),
        0..3,
    );
    let lies = (
        any::<bool>(),
        prop_oneof![4 => Just(0u32), 1 => any::<u32>(), 1 => Just(1u32), 1 => Just(u32::MAX)],
        prop_oneof![3 => Just(None), 1 => any::<u32>().prop_map(Some)],
        prop::collection::vec(any::<u8>(), 0..6),
        prop_oneof![4 => Just(None), 1 => (0u16..1000).prop_map(Some)],
    );
    (format, body, chunks, lies).prop_map(
        |((tag, channels, rate, bits), (samples, n, seed), extra_before, (fmt_after_data, data_size_lie, riff_size, tail, cut_per_mille))| {
            WavSpec { tag, channels, rate, bits, samples, n, seed, extra_before, fmt_after_data, data_size_lie, riff_size, tail, cut_per_mille }
        },
    )
}

fn build(w: &WavSpec) -> Vec<u8> {
    let data = le_bytes(&samples(w.samples, w.n, w.seed));
    let fmt = fmt_body(w.tag, w.channels, w.rate, w.bits);
    let mut c = Vec::new();
    if !w.fmt_after_data {
        chunk(&mut c, b"fmt ", fmt.len() as u32, &fmt, true);
    }
    for (id, body) in &w.extra_before {
        chunk(&mut c, id, body.len() as u32, body, true);
    }
    chunk(&mut c, b"data", (data.len() as u32).wrapping_add(w.data_size_lie), &data, false);
    if w.fmt_after_data {
        chunk(&mut c, b"fmt ", fmt.len() as u32, &fmt, true);
    }
    c.extend_from_slice(&w.tail);
    let mut f = riff(&c, w.riff_size);
    if let Some(m) = w.cut_per_mille {
        f.truncate(f.len() * m as usize / 1000);
    }
    f
}

proptest! {
    // No regression files in the tree: a failure prints its minimal input.
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    /// Any byte string round-trips, whatever the profile.
    #[test]
    fn any_bytes_round_trip(input in prop::collection::vec(any::<u8>(), 0..2048), p in profile()) {
        round_trips(&input, p)?;
    }

    /// Any byte string that starts like a WAV file round-trips.
    #[test]
    fn any_bytes_behind_a_wav_preamble_round_trip(
        body in prop::collection::vec(any::<u8>(), 0..2048),
        p in profile(),
    ) {
        let mut input = b"RIFF\0\0\0\0WAVEfmt \x10\0\0\0\x01\0\x01\0\x4b\x4c\0\0\x96\x98\0\0\x02\0\x10\0data".to_vec();
        input.extend_from_slice(&(body.len() as u32).to_le_bytes());
        input.extend_from_slice(&body);
        round_trips(&input, p)?;
    }

    /// WAV variants: bit depths, channel counts, format tags, extra chunks,
    /// odd lengths, lying size fields, truncation, samples on and off the
    /// lattice; each round-trips through all three profiles.
    #[test]
    fn wav_variants_round_trip(w in wav_spec()) {
        let f = build(&w);
        for p in Profile::ALL {
            round_trips(&f, p)?;
        }
    }

    /// A canonical mono 16-bit recording on the lattice is coded (never
    /// silently stored), smaller than the input, and round-trips.
    #[test]
    fn canonical_recordings_are_coded(n in 256usize..3000, seed in any::<u64>(), off in prop_oneof![Just(0usize), 20usize..200], p in profile()) {
        let f = canonical_wav(&walk(n, seed, off), 19531);
        let packed = round_trips(&f, p)?;
        let info = inspect(&packed).unwrap();
        prop_assert_eq!(info.kind, Kind::Pcm16Wav);
        prop_assert!(info.canonical_header);
        prop_assert_eq!(info.sample_count, n as u64);
        if off == 0 {
            prop_assert_eq!(info.lattice, Some(AdcLattice::Neuralink10));
        }
        prop_assert_eq!(info.profile, Some(p));
        prop_assert!(packed.len() < f.len());
    }

    /// Arbitrary bytes given to the decoder: no panic, and `Ok` only with
    /// bytes whose CRC is the recorded one (decode checks it; here `inspect`
    /// must agree on the size).
    #[test]
    fn arbitrary_input_never_panics(input in prop::collection::vec(any::<u8>(), 0..512), prefix in 0usize..3) {
        let mut d = [&b""[..], b"BW\x01\x00", b"BW\x01\x01"][prefix].to_vec();
        d.extend_from_slice(&input);
        if let Ok(out) = decode(&d) {
            prop_assert_eq!(inspect(&d).unwrap().original_len, out.len() as u64);
        }
    }

    /// Damage anywhere in a valid container (flip, overwrite, truncate,
    /// insert): `Err` or the exact original, never other bytes.
    #[test]
    fn damaged_containers_never_lie(
        n in 0usize..1500,
        seed in any::<u64>(),
        p in profile(),
        at in any::<prop::sample::Index>(),
        how in 0u8..4,
        byte in any::<u8>(),
    ) {
        let f = canonical_wav(&walk(n, seed, 50), 19531);
        let c = encode(&f, p);
        let i = at.index(c.len());
        let mut d = c.clone();
        match how {
            0 => d[i] ^= byte | 1,
            1 => d[i] = d[i].wrapping_add(byte | 1),
            2 => d.truncate(i),
            _ => d.insert(i, byte),
        }
        match decode(&d) {
            Ok(out) => prop_assert!(out == f, "damaged container decoded to other bytes"),
            Err(e) => prop_assert!(!e.to_string().is_empty()),
        }
    }
}
