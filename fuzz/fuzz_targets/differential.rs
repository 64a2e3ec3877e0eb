//! The container decoder against the core decoder, on arbitrary codec
//! streams: for a stream and a sample count, `brainwire_core::decode_all`,
//! the streaming `Decoder` (`next_sample` then `finish`) and
//! `brainwire_container::decode` of a container wrapping the stream (with
//! the CRC of what the core decoded) must agree: all succeed with the same
//! samples, or all fail. This is what proves the container's refusals (the
//! sample-count bound, header checks) never reject a stream the core
//! decodes, and that its rebuild of the file is exact.
//!
//! Input: two bytes of sample count (little-endian), then the stream.
#![no_main]

use brainwire_container::crc::crc32c;
use brainwire_container::format::{write_coded_header, WavHeader};
use brainwire_container::decode;
use brainwire_core::{decode_all, Decoder};
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
