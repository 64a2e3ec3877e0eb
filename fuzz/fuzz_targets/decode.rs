//! Arbitrary input to the decoder must give `Ok` with bytes whose CRC is the
//! recorded one, or `Err`: never a panic, an overflow or a hang.
//!
//! The first byte picks how the rest is used:
//! - even: the rest is a container, as it is (magic, CRCs and all);
//! - odd: the rest is a codec stream, put behind a well-formed coded header
//!   (valid header CRC, so the fuzzer reaches the core decoder instead of
//!   the checksum) whose sample count and header mode come from the next
//!   three bytes.
#![no_main]

use brainwire_container::crc::crc32c;
use brainwire_container::format::{write_coded_header, WavHeader};
use brainwire_container::{decode, inspect};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else { return };
    if mode & 1 == 0 {
        check(rest);
    } else if let [a, b, c, stream @ ..] = rest {
        // Up to 2^14 - 1 samples: enough to reach every model state, few
        // enough that one run stays fast.
        let count = u64::from(u16::from_le_bytes([*a, *b]) >> 2);
        let header = if c & 1 == 0 { WavHeader::Canonical { sample_rate: 19531 } } else { WavHeader::Verbatim(b"RIFF") };
        let trailer: &[u8] = if c & 2 == 0 { b"" } else { b"tail" };
        let mut container = Vec::new();
        write_coded_header(&mut container, u32::from_le_bytes([*a, *b, *c, mode]), header, count, trailer);
        container.extend_from_slice(stream);
        check(&container);
    }
});

fn check(container: &[u8]) {
    let info = inspect(container);
    match decode(container) {
        Ok(original) => {
            let info = info.expect("decode accepted what inspect refused");
            assert_eq!(crc32c(&original), info.crc);
            assert_eq!(original.len() as u64, info.original_len);
        }
        Err(e) => assert!(!e.to_string().is_empty()),
    }
}
