//! The container decoder against the core decoder, on arbitrary codec
//! streams: for a stream and a sample count, `brainwire_core::decode_all`,
//! the streaming `Decoder` (`next_sample` then `finish`) and
//! `brainwire_container::decode` of a container wrapping the stream (with
//! the CRC of what the core decoded) must agree: all succeed with the same
//! samples, or all fail. This is what proves the container's refusals (the
//! sample-count bound, header checks) never reject a stream the core
//! decodes, and that its rebuild of the file is exact.
//!
//! The fast `lite` coders against `brainwire_core::lite::reference`, the
//! plain per-sample coder written from FORMAT.md: a lite stream decodes to
//! the same samples (or is refused) by both decoders, and the stream's bytes
//! read as little-endian samples encode to the same payload with both
//! encoders, on either lattice.
//!
//! Input: two bytes of sample count (little-endian), then the stream.
#![no_main]

use brainwire_container::crc::crc32c;
use brainwire_container::format::{write_coded_header, WavHeader};
use brainwire_container::decode;
use brainwire_core::lite::reference;
use brainwire_core::{decode_all, encode_le, AdcLattice, Decoder, Profile};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let [a, b, stream @ ..] = data else { return };
    let n = usize::from(u16::from_le_bytes([*a, *b]) >> 2);

    let mut all = vec![0i16; n];
    let core_all = decode_all(stream, &mut all).map(|()| all);

    let streaming = (|| {
        let mut d = Decoder::new(stream)?;
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            out.push(d.next_sample()?);
        }
        d.finish()?;
        Ok::<_, brainwire_core::Error>(out)
    })();
    assert_eq!(core_all, streaming, "decode_all and the streaming decoder disagree");

    // A lite stream: the reference decoder's verdict.
    if let [1, lattice_id, payload @ ..] = stream {
        if let Some(lattice) = AdcLattice::from_id(*lattice_id) {
            assert_eq!(core_all, reference::decode(lattice, payload, n), "the lite decoder and the reference disagree");
        }
    }
    // The bytes as samples: the lite encoder writes the reference's payload.
    let samples: Vec<i16> = stream.chunks_exact(2).map(|w| i16::from_le_bytes([w[0], w[1]])).collect();
    for lattice in [AdcLattice::Neuralink10, AdcLattice::Identity16] {
        let mut coded = Vec::new();
        encode_le(Profile::Lite, lattice, stream, &mut coded);
        assert!(coded[2..] == reference::encode(lattice, &samples), "the lite encoder and the reference disagree ({lattice:?})");
    }

    // The file the core's samples make, and the container of it.
    let header = b"RIFF\x24\0\0\0WAVEfmt ";
    let expected = core_all.as_ref().ok().map(|s| {
        let mut f = header.to_vec();
        f.extend(s.iter().flat_map(|v| v.to_le_bytes()));
        f
    });
    let crc = expected.as_deref().map(crc32c).unwrap_or(0);
    let mut container = Vec::new();
    write_coded_header(&mut container, crc, WavHeader::Verbatim(header), n as u64, b"");
    container.extend_from_slice(stream);
    match (decode(&container), expected) {
        (Ok(file), Some(want)) => assert!(file == want, "container rebuilt other bytes"),
        (Err(e), Some(_)) => panic!("the core decodes this stream but the container refuses it: {e}"),
        (Ok(_), None) => panic!("the container accepted a stream the core refuses"),
        (Err(_), None) => {}
    }
});
