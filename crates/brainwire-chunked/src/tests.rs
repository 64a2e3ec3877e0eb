use super::*;

/// A reproducible noisy walk per channel, in `lo..=hi`, as values.
fn walk(frames: usize, channels: usize, seed: u64, lo: i64, hi: i64) -> Vec<i64> {
    brainwire_testkit::walks(&mut brainwire_testkit::Rng::new(seed), frames, channels, 20, lo, hi)
}

fn to_le(vals: &[i64], dtype: SampleType) -> Vec<u8> {
    let w = dtype.width();
    let mut out = vec![0u8; vals.len() * w];
    for (v, b) in vals.iter().zip(out.chunks_exact_mut(w)) {
        dtype.write(*v, b);
    }
    out
}

fn round_trip(bytes: &[u8], dtype: SampleType, channels: usize, opts: &EncodeOptions) -> Vec<u8> {
    let stream = encode_interleaved(bytes, dtype, channels, opts).unwrap();
    let (info, back) = decode_interleaved(&stream, 0).unwrap();
    assert_eq!(back, bytes, "{dtype:?} {channels} channels");
    assert_eq!(info.channels as usize, channels);
    assert_eq!(info.frames as usize, bytes.len() / (channels * dtype.width()));
    assert_eq!(read_info(&stream).unwrap(), info);
    stream
}

#[test]
fn every_dtype_round_trips_with_tails() {
    for dtype in SampleType::ALL {
        let (lo, hi) = dtype.range();
        for channels in [1, 3, 8] {
            for frames in [0, 1, 999, 2500] {
                let vals = walk(frames, channels, frames as u64 + 7, lo, hi);
                let mut bytes = to_le(&vals, dtype);
                let opts = EncodeOptions { chunk_frames: Some(1000), ..Default::default() };
                round_trip(&bytes, dtype, channels, &opts);
                // A partial frame at the end is kept verbatim.
                bytes.extend_from_slice(&[0xA5; 7][..(channels * dtype.width() - 1).min(7)]);
                round_trip(&bytes, dtype, channels, &opts);
            }
        }
    }
}

#[test]
fn arbitrary_bytes_round_trip() {
    let mut x = 0x9E37_79B9_7F4A_7C15u64;
    let bytes: Vec<u8> = (0..50_001)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect();
    for dtype in SampleType::ALL {
        let stream = round_trip(&bytes, dtype, 5, &EncodeOptions { chunk_frames: Some(777), ..Default::default() });
        // Random bytes go raw: never much larger than the input.
        assert!(stream.len() < bytes.len() + bytes.len() / 50 + 200, "{dtype:?}: {}", stream.len());
    }
}

#[test]
fn scaled_codes_are_detected_and_cost_little() {
    let codes = walk(20_000, 4, 11, -400, 400);
    let plain = encode_interleaved(&to_le(&codes, SampleType::I16), SampleType::I16, 4, &EncodeOptions::default()).unwrap();
    for (step, offset) in [(12i64, 0i64), (3, -7), (1000, 5)] {
        let mut vals: Vec<i64> = codes.iter().map(|c| c * step + offset).collect();
        vals[1234] += 1; // one glitch off the lattice
        let bytes = to_le(&vals, SampleType::I32);
        let stream = round_trip(&bytes, SampleType::I32, 4, &EncodeOptions::default());
        assert!(stream.len() < plain.len() + plain.len() / 100 + 64, "step {step}: {} vs {}", stream.len(), plain.len());
        let mut r = Reader::new(std::io::Cursor::new(&stream)).unwrap();
        let d = r.describe_chunk(0).unwrap();
        assert!(matches!(d[0].0, SubstreamInfo::Coded { lattice: ChannelLattice::Affine { step: s, .. }, .. } if s as i64 == step), "{:?}", d[0]);
    }
}

#[test]
fn forced_modes_round_trip() {
    let vals = walk(5000, 2, 3, -3000, 3000);
    let bytes = to_le(&vals, SampleType::I16);
    for lattice in [LatticeMode::Identity, LatticeMode::Step { step: 7, offset: 3 }, LatticeMode::Step { step: 1, offset: -30000 }] {
        round_trip(&bytes, SampleType::I16, 2, &EncodeOptions { lattice, ..Default::default() });
    }
}

#[test]
fn bytes_do_not_depend_on_threads_or_write_sizes() {
    let vals = walk(9000, 6, 5, -2000, 2000);
    let bytes = to_le(&vals, SampleType::I16);
    let base = EncodeOptions { chunk_frames: Some(1000), threads: 1, ..Default::default() };
    let one = encode_interleaved(&bytes, SampleType::I16, 6, &base).unwrap();
    let two = encode_interleaved(&bytes, SampleType::I16, 6, &EncodeOptions { threads: 2, ..base.clone() }).unwrap();
    assert_eq!(one, two);
    let mut w = Writer::new(Vec::new(), SampleType::I16, 6, &base).unwrap();
    for piece in bytes.chunks(4097) {
        std::io::Write::write_all(&mut w, piece).unwrap();
    }
    assert_eq!(w.finish().unwrap(), one);
}

#[test]
fn windows_match_the_whole() {
    let channels = 5;
    let vals = walk(10_000, channels, 9, -1000, 1000);
    let bytes = to_le(&vals, SampleType::I16);
    let stream = encode_interleaved(&bytes, SampleType::I16, channels, &EncodeOptions { chunk_frames: Some(1500), ..Default::default() }).unwrap();
    let mut r = Reader::new(std::io::Cursor::new(&stream)).unwrap();
    for (start, len, chans) in [(0u64, 10_000u64, vec![0, 1, 2, 3, 4]), (1499, 2, vec![4, 0]), (2999, 4000, vec![2]), (9999, 1, vec![1, 1]), (5000, 0, vec![3])] {
        let got = r.read_window(start, len, Some(&chans)).unwrap();
        let mut want = Vec::new();
        for t in start as usize..(start + len) as usize {
            for &c in &chans {
                want.extend_from_slice(&bytes[(t * channels + c) * 2..(t * channels + c) * 2 + 2]);
            }
        }
        assert_eq!(got, want, "{start}+{len} {chans:?}");
    }
    assert!(matches!(r.read_window(9999, 2, None), Err(Error::InvalidArgument(_))));
    assert!(matches!(r.read_window(0, 1, Some(&[5])), Err(Error::InvalidArgument(_))));
}

/// `frames x channels` int16 walks coded at 1000 Hz in chunks of 2000
/// frames (2 s): the samples' bytes and the stream.
fn two_second_chunks(frames: usize, channels: usize, seed: u64) -> (Vec<u8>, Vec<u8>) {
    let bytes = to_le(&walk(frames, channels, seed, -1000, 1000), SampleType::I16);
    let opts = EncodeOptions { chunk_frames: Some(2000), rate_hz: Some(1000.0), ..Default::default() };
    let stream = encode_interleaved(&bytes, SampleType::I16, channels, &opts).unwrap();
    (bytes, stream)
}

#[test]
fn damage_is_reported_with_its_chunk() {
    let (_, stream) = two_second_chunks(6000, 2, 13);
    let r = Reader::new(std::io::Cursor::new(&stream)).unwrap();
    let second = r.index_entry(1);
    let mut bad = stream.clone();
    bad[(second.0 + second.1 / 2) as usize] ^= 0x10;
    let e = decode_interleaved(&bad, 0).unwrap_err();
    assert!(matches!(e, Error::Malformed(_)), "{e}");
    assert!(e.to_string().contains("chunk 1 (frames 2000..4000, 2.000-4.000 s)"), "{e}");
    // Every truncation and every single-byte flip is refused, never a panic.
    for cut in (0..stream.len()).step_by(97) {
        assert!(decode_interleaved(&stream[..cut], 0).is_err());
    }
    for i in (0..stream.len()).step_by(41) {
        let mut b = stream.clone();
        b[i] ^= 0x01;
        assert!(decode_interleaved(&b, 0).is_err(), "flip at {i}");
    }
    let mut foreign = stream.clone();
    foreign[0] = b'X';
    assert!(matches!(decode_interleaved(&foreign, 0), Err(Error::Malformed(_))));
    let mut newer = stream;
    newer[4] = 2;
    assert!(matches!(decode_interleaved(&newer, 0), Err(Error::Unsupported(_))));
}

#[test]
fn bad_arguments_are_refused() {
    assert!(matches!(encode_interleaved(&[], SampleType::I16, 0, &EncodeOptions::default()), Err(Error::InvalidArgument(_))));
    let opts = EncodeOptions { metadata: vec![0; 70_000], ..Default::default() };
    assert!(matches!(encode_interleaved(&[], SampleType::I16, 1, &opts), Err(Error::InvalidArgument(_))));
    let opts = EncodeOptions { metadata: b"{\"probe\": \"NP1\"}".to_vec(), rate_hz: Some(30000.0), ..Default::default() };
    let s = encode_interleaved(&[1, 2, 3], SampleType::I16, 1, &opts).unwrap();
    let info = read_info(&s).unwrap();
    assert_eq!((info.metadata, info.rate_hz, info.frames), (opts.metadata, Some(30000.0), 1));
}

/// Codes of the 10-bit ADC (an analog walk cut at the learned code edges),
/// scaled and offset: found and coded on the core's 10-bit lattice.
#[test]
fn scaled_ten_bit_codes_go_onto_the_ten_bit_lattice() {
    let w = &brainwire_core::max::priors::WIDTHS_Q6;
    let edges: Vec<i64> = std::iter::once(0).chain(w.iter().scan(0i64, |a, &x| { *a += i64::from(x); Some(*a) })).collect();
    // A slow walk plus white noise of +-20 codes.
    let mut x = 0x2545_F491_4F6C_DD1Du64;
    let analog: Vec<i64> = walk(30_000, 1, 21, edges[400], edges[600])
        .into_iter()
        .map(|a| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            a + (x % 2561) as i64 - 1280
        })
        .collect();
    let codes: Vec<i64> = analog.iter().map(|&a| edges.partition_point(|&e| e <= a) as i64 - 1).collect();
    let vals: Vec<i64> = codes.iter().map(|c| 12 * c - 6144).collect();
    let bytes = to_le(&vals, SampleType::I16);
    let stream = round_trip(&bytes, SampleType::I16, 1, &EncodeOptions::default());
    let mut r = Reader::new(std::io::Cursor::new(&stream)).unwrap();
    let (info, _) = &r.describe_chunk(0).unwrap()[0];
    assert!(matches!(info, SubstreamInfo::Coded { lattice: ChannelLattice::AffineNeuralink10 { step: 12, offset: -6144 }, .. }), "{info}");
}

/// A window through a damaged chunk names that chunk and its time range;
/// windows elsewhere still decode.
#[test]
fn windows_name_a_damaged_chunk_and_skip_it_otherwise() {
    let (bytes, stream) = two_second_chunks(8000, 3, 17);
    let r = Reader::new(std::io::Cursor::new(&stream)).unwrap();
    let (table_at, _) = r.index_entry(2);
    let table_len = 3 * 8 + 4;
    // Channel 1's substream of chunk 2, and chunk 2's table.
    let sub1 = table_at as usize + table_len + u32::from_le_bytes(stream[table_at as usize..table_at as usize + 4].try_into().unwrap()) as usize + 5;
    for (at, channel) in [(sub1, Some(1)), (table_at as usize + 2, None)] {
        let mut bad = stream.clone();
        bad[at] ^= 0x04;
        let mut r = Reader::new(std::io::Cursor::new(&bad)).unwrap();
        let e = r.read_window(4500, 100, None).unwrap_err();
        let want = match channel {
            Some(c) => format!("chunk 2 (frames 4000..6000, 4.000-6.000 s) channel {c}"),
            None => "chunk 2 (frames 4000..6000, 4.000-6.000 s)".to_string(),
        };
        assert!(matches!(e, Error::Malformed(_)) && e.to_string().contains(&want), "{e}");
        assert_eq!(r.read_window(1000, 3000, None).unwrap(), bytes[1000 * 6..4000 * 6]);
        if channel.is_some() {
            // The damaged channel is not read for a window of the others.
            assert_eq!(r.read_window(4500, 100, Some(&[2])).unwrap().len(), 200);
        }
    }
}
