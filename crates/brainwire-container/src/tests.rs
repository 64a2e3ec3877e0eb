//! Round trips and damage detection of the whole container, on synthetic
//! recordings (the testkit's electrode-shaped signal on the Neuralink 10-bit
//! lattice).

use alloc::vec::Vec;

use brainwire_core::{AdcLattice, Profile};

use crate::{decode, encode, inspect, Error, Kind};

use brainwire_testkit::{le_bytes, signal, Rng};

/// An electrode-shaped signal on the Neuralink 10-bit lattice.
fn walk(n: usize, seed: u64) -> Vec<i16> {
    signal(&mut Rng::new(seed), n, 1024).into_iter().map(|c| AdcLattice::Neuralink10.value(c)).collect()
}

fn push_chunk(out: &mut Vec<u8>, id: &[u8; 4], declared: u32, body: &[u8]) {
    out.extend_from_slice(id);
    out.extend_from_slice(&declared.to_le_bytes());
    out.extend_from_slice(body);
}

fn fmt_body(channels: u16, rate: u32, bits: u16) -> Vec<u8> {
    let align = channels * bits / 8;
    let mut b = Vec::new();
    b.extend_from_slice(&1u16.to_le_bytes());
    b.extend_from_slice(&channels.to_le_bytes());
    b.extend_from_slice(&rate.to_le_bytes());
    b.extend_from_slice(&(rate * align as u32).to_le_bytes());
    b.extend_from_slice(&align.to_le_bytes());
    b.extend_from_slice(&bits.to_le_bytes());
    b
}

/// A WAV file; `extra` chunks go between `fmt ` and `data`.
fn wav(channels: u16, bits: u16, data: &[u8], extra: &[(&[u8; 4], &[u8])]) -> Vec<u8> {
    let mut c = Vec::new();
    let f = fmt_body(channels, 19531, bits);
    push_chunk(&mut c, b"fmt ", f.len() as u32, &f);
    for (id, body) in extra {
        push_chunk(&mut c, id, body.len() as u32, body);
        if body.len() % 2 == 1 {
            c.push(0);
        }
    }
    push_chunk(&mut c, b"data", data.len() as u32, data);
    let mut file = Vec::new();
    push_chunk(&mut file, b"RIFF", c.len() as u32 + 4, b"WAVE");
    file.extend_from_slice(&c);
    file
}

fn round_trip(file: &[u8]) -> Vec<u8> {
    let mut last = Vec::new();
    for p in Profile::ALL {
        let packed = encode(file, p);
        assert!(packed.len() <= file.len() + 8, "{p:?} grew the file");
        assert_eq!(decode(&packed).as_deref(), Ok(file), "{p:?} round trip");
        last = packed;
    }
    last
}

#[test]
fn canonical_wav_uses_the_rebuilt_header_and_compresses() {
    let file = wav(1, 16, &le_bytes(&walk(20_000, 1)), &[]);
    let packed = round_trip(&file);
    let info = inspect(&packed).unwrap();
    assert_eq!(info.kind, Kind::Pcm16Wav);
    assert!(info.canonical_header);
    assert_eq!(info.sample_rate, Some(19531));
    assert_eq!(info.sample_count, 20_000);
    assert_eq!(info.lattice, Some(AdcLattice::Neuralink10));
    assert_eq!(info.original_len, file.len() as u64);
    assert!(packed.len() * 2 < file.len(), "{} -> {}", file.len(), packed.len());
}

#[test]
fn extra_chunks_and_trailing_bytes_are_kept() {
    let data = le_bytes(&walk(5_000, 2));
    let mut file = wav(1, 16, &data, &[(b"LIST", b"INFOISFT\x05\0\0\0test\0"), (b"junk", b"odd")]);
    file.extend_from_slice(b"trailing garbage after the data chunk");
    let packed = round_trip(&file);
    let info = inspect(&packed).unwrap();
    assert_eq!(info.kind, Kind::Pcm16Wav);
    assert!(!info.canonical_header);
}

#[test]
fn odd_data_length_keeps_the_odd_byte() {
    let mut data = le_bytes(&walk(3_001, 3));
    data.push(0x5A);
    let mut file = wav(1, 16, &data, &[]);
    file.push(0); // pad byte
    let packed = round_trip(&file);
    assert_eq!(inspect(&packed).unwrap().sample_count, 3_001);
}

#[test]
fn stereo_and_other_depths_round_trip() {
    let data = le_bytes(&walk(8_000, 4));
    let stereo = wav(2, 16, &data, &[]);
    assert_eq!(inspect(&round_trip(&stereo)).unwrap().kind, Kind::Pcm16Wav);
    for bits in [8, 24, 32] {
        round_trip(&wav(1, bits, &data, &[]));
    }
}

#[test]
fn lying_sizes_round_trip() {
    let data = le_bytes(&walk(4_000, 5));
    // data size says "to the end of time", RIFF size says nothing.
    let mut file = wav(1, 16, &data, &[]);
    file[4..8].copy_from_slice(&0u32.to_le_bytes());
    file[40..44].copy_from_slice(&u32::MAX.to_le_bytes());
    let packed = round_trip(&file);
    assert_eq!(inspect(&packed).unwrap().sample_count, 4_000);
    // data size shorter than the data: the rest is trailer.
    let mut short = wav(1, 16, &data, &[]);
    short[40..44].copy_from_slice(&1000u32.to_le_bytes());
    round_trip(&short);
    // RIFF size larger than the file.
    let mut long = wav(1, 16, &data, &[]);
    long[4..8].copy_from_slice(&(1u32 << 30).to_le_bytes());
    round_trip(&long);
}

#[test]
fn off_lattice_and_empty_recordings_round_trip() {
    let mut rng = Rng::new(9);
    let noise: Vec<i16> = (0..3000).map(|_| rng.next_u32() as i16).collect();
    round_trip(&wav(1, 16, &le_bytes(&noise), &[]));
    round_trip(&wav(1, 16, &[], &[]));
    round_trip(&wav(1, 16, &[7], &[]));
}

#[test]
fn recordings_compressed_beyond_the_first_reserve_round_trip() {
    // Over 8:1 (a flat line), the decoder's first room holds only part of
    // the samples: they are decoded run by run into growing room, not by the
    // one-call path the usual file takes.
    let flat = wav(1, 16, &le_bytes(&[AdcLattice::Neuralink10.value(300); 50_000]), &[]);
    for p in Profile::ALL {
        let packed = encode(&flat, p);
        assert!(packed.len() * 8 < flat.len(), "{p:?}: {} bytes", packed.len());
        assert_eq!(decode(&packed).as_deref(), Ok(&flat[..]), "{p:?} round trip");
    }
}

#[test]
fn non_wav_input_is_stored() {
    for file in [&b""[..], b"x", b"RIFF", b"not a wav file at all, just text\n"] {
        let packed = round_trip(file);
        assert_eq!(packed.len(), file.len() + 8);
        assert_eq!(inspect(&packed).unwrap().kind, Kind::Stored);
    }
}

#[test]
fn damage_is_reported_not_decoded() {
    let file = wav(1, 16, &le_bytes(&walk(6_000, 6)), &[]);
    let packed = encode(&file, Profile::Tables);
    assert_eq!(decode(b""), Err(Error::NotBrainwire));
    assert_eq!(decode(&file), Err(Error::NotBrainwire));

    let mut bad_header = packed.clone();
    bad_header[9] ^= 0x01; // the sample-rate varint
    assert_eq!(decode(&bad_header), Err(Error::HeaderDamaged));

    // The header CRC covers the recorded file CRC too.
    let mut bad_crc = packed.clone();
    bad_crc[4] ^= 0x80;
    assert_eq!(decode(&bad_crc), Err(Error::HeaderDamaged));

    // A stored file has only the whole-file CRC.
    let mut stored = encode(b"plain text", Profile::Tables);
    stored[10] ^= 0x20;
    let want = Error::IntegrityMismatch { expected: crate::crc::crc32c(b"plain text"), actual: crate::crc::crc32c(b"plAin text") };
    assert_eq!(decode(&stored), Err(want));

    // Flip one bit in each of several places in the codec stream.
    let stream_start = packed.len() - inspect(&packed).unwrap().stream_len as usize;
    for at in [stream_start + 2, stream_start + 10, packed.len() / 2] {
        let mut bad = packed.clone();
        bad[at] ^= 0x10;
        assert!(decode(&bad).is_err(), "flip at {at} decoded");
    }
    // The range coder's final flush bytes may not all matter; a flip there
    // must then decode to the exact original, never to other bytes.
    for back in 1..=4 {
        let mut bad = packed.clone();
        bad[packed.len() - back] ^= 0x10;
        if let Ok(bytes) = decode(&bad) {
            assert_eq!(bytes, file, "flip {back} from the end");
        }
    }

    // Every truncation fails.
    for cut in (0..packed.len()).step_by(97).chain([packed.len() - 1]) {
        assert!(decode(&packed[..cut]).is_err(), "truncation at {cut} decoded");
    }

    // Appended bytes: the codec stream carries no end marker, so the core may
    // not notice them; the result must still be the original or an error.
    let mut longer = packed.clone();
    longer.extend_from_slice(&[0xA5; 16]);
    if let Ok(bytes) = decode(&longer) {
        assert_eq!(bytes, file);
    }
}

#[test]
fn lying_sample_count_does_not_allocate_it() {
    // A header claiming 2^61 samples behind a tiny stream must fail quickly
    // (TooLarge on 32-bit, a decode error on 64-bit), not reserve exabytes.
    let mut out = Vec::new();
    crate::format::write_coded_header(
        &mut out,
        0,
        crate::format::WavHeader::Verbatim(b""),
        1 << 62,
        b"",
    );
    let header_len = out.len();
    for p in Profile::ALL {
        out.truncate(header_len);
        out.extend_from_slice(&[p.id(), AdcLattice::Neuralink10.id(), 1, 2, 3]);
        assert!(decode(&out).is_err(), "{p:?}");
        // Zeros are what the range decoder invents past the end of its input.
        out.truncate(header_len + 2);
        assert!(decode(&out).is_err(), "{p:?} on an empty stream");
    }
}

#[test]
fn mutated_containers_never_panic_nor_lie() {
    // Random bit flips, byte overwrites, truncations and insertions over
    // containers of each kind and profile: decode must return the original
    // or an error, and inspect must not panic.
    let wav_file = wav(1, 16, &le_bytes(&walk(3_000, 11)), &[(b"LIST", b"abc")]);
    let mut rng = Rng::new(77);
    for original in [&wav_file[..], b"short, stored".as_slice()] {
        for p in Profile::ALL {
            let packed = encode(original, p);
            for _ in 0..300 {
                let mut bad = packed.clone();
                let at = rng.next_u32() as usize % bad.len();
                match rng.next_u32() % 4 {
                    0 => bad[at] ^= 1 << (rng.next_u32() % 8),
                    1 => bad[at] = rng.next_u32() as u8,
                    2 => bad.truncate(at),
                    _ => bad.insert(at, rng.next_u32() as u8),
                }
                let _ = inspect(&bad);
                if let Ok(bytes) = decode(&bad) {
                    assert_eq!(bytes, original, "{p:?}: a mutation decoded to other bytes");
                }
            }
        }
    }
    // Random garbage behind a valid-looking fixed part.
    for len in 0..200 {
        let mut junk: Vec<u8> = (0..len).map(|_| rng.next_u32() as u8).collect();
        if junk.len() >= 4 {
            junk[..4].copy_from_slice(&[b'B', b'W', 1, (len % 2) as u8]);
        }
        let _ = inspect(&junk);
        let _ = decode(&junk);
    }
}

#[test]
fn claimed_count_beyond_a_valid_stream_fails() {
    // A valid stream of 1000 constant samples (a dozen bytes) under a header
    // claiming 2^40 samples: the core must notice it ran out of input soon
    // after the real samples (this test would hang otherwise), and the
    // output must not have been reserved for the claimed count.
    for p in Profile::ALL {
        let samples = [AdcLattice::Neuralink10.value(512); 1000];
        let mut stream = Vec::new();
        brainwire_core::encode_all(p, AdcLattice::Neuralink10, &samples, &mut stream);
        let mut out = Vec::new();
        crate::format::write_coded_header(&mut out, 0, crate::format::WavHeader::Verbatim(b""), 1 << 40, b"");
        out.extend_from_slice(&stream);
        assert!(decode(&out).is_err(), "{p:?}");
    }
}

/// Each one-profile set writes its profile, reads it back, and refuses the
/// other profiles' streams as unknown; the full set reads them all.
#[test]
fn profile_sets_code_their_own_profile_and_refuse_the_others() {
    use crate::{decode_with, encode_with, CoreError, LiteOnly, MaxOnly};
    let input = wav(1, 16, &le_bytes(&walk(5000, 11)), &[]);
    let max = encode_with::<MaxOnly>(&input, &[Profile::Max5]);
    let lite = encode_with::<LiteOnly>(&input, &[Profile::Lite]);
    assert_eq!(inspect(&max).unwrap().profile, Some(Profile::Max5));
    assert_eq!(inspect(&lite).unwrap().profile, Some(Profile::Lite));
    assert_eq!(max, encode(&input, Profile::Max5), "the same bytes as the full set");
    assert_eq!(lite, encode(&input, Profile::Lite), "the same bytes as the full set");
    assert_eq!(decode_with::<MaxOnly>(&max).unwrap(), input);
    assert_eq!(decode_with::<LiteOnly>(&lite).unwrap(), input);
    assert_eq!(decode_with::<MaxOnly>(&lite), Err(Error::Corrupt(CoreError::UnknownProfile(1))));
    assert_eq!(decode_with::<LiteOnly>(&max), Err(Error::Corrupt(CoreError::UnknownProfile(7))));
    for p in Profile::ALL {
        assert_eq!(decode(&encode(&input, p)).unwrap(), input, "{p:?}");
    }
    // A profile outside the set is skipped: the file is stored.
    assert_eq!(inspect(&encode_with::<MaxOnly>(&input, &[Profile::Lite])).unwrap().kind, Kind::Stored);
}
