//! Every input round-trips exactly through every profile, and never grows
//! by more than the 8-byte fixed part.
//!
//! The first byte picks what the rest becomes, so the coded path (not only
//! the stored fallback) is exercised:
//! - 0..=63: the bytes as they are (any file);
//! - 64..=127: a canonical mono 16-bit WAV whose samples are the bytes, as
//!   little-endian pairs (an odd last byte becomes a trailer);
//! - 128..=191: a canonical WAV whose samples are ADC codes on the 10-bit
//!   lattice (byte pairs mod 1024), with every 8th sample pushed off the
//!   lattice when bit 0 of the selector is set;
//! - 192..=255: a random walk on the 10-bit lattice driven by the bytes
//!   (compressible, so always coded), in a WAV with an extra chunk and the
//!   channel count from the selector.
#![no_main]

use brainwire_container::{decode, encode, AdcLattice, Profile};
use libfuzzer_sys::fuzz_target;

fn wav(samples: &[u8], channels: u16, extra: bool, tail: &[u8]) -> Vec<u8> {
    let mut f = Vec::with_capacity(samples.len() + 64);
    f.extend_from_slice(b"RIFF");
    f.extend_from_slice(&(36 + samples.len() as u32).to_le_bytes());
    f.extend_from_slice(b"WAVEfmt ");
    f.extend_from_slice(&16u32.to_le_bytes());
    f.extend_from_slice(&1u16.to_le_bytes());
    f.extend_from_slice(&channels.to_le_bytes());
    f.extend_from_slice(&19531u32.to_le_bytes());
    f.extend_from_slice(&(19531u32 * 2 * channels as u32).to_le_bytes());
    f.extend_from_slice(&(2 * channels).to_le_bytes());
    f.extend_from_slice(&16u16.to_le_bytes());
    if extra {
        f.extend_from_slice(b"LIST\x03\0\0\0abc\0");
    }
    f.extend_from_slice(b"data");
    f.extend_from_slice(&(samples.len() as u32).to_le_bytes());
    f.extend_from_slice(samples);
    f.extend_from_slice(tail);
    f
}

fuzz_target!(|data: &[u8]| {
    let Some((&sel, rest)) = data.split_first() else { return };
    let lattice = AdcLattice::Neuralink10;
    let input = match sel {
        0..=63 => rest.to_vec(),
        64..=127 => {
            let even = rest.len() & !1;
            wav(&rest[..even], 1, false, &rest[even..])
        }
        128..=191 => {
            let mut s = Vec::with_capacity(rest.len());
            for (i, p) in rest.chunks_exact(2).enumerate() {
                let code = u32::from(u16::from_le_bytes([p[0], p[1]])) % 1024;
                let mut v = lattice.value(code);
                if sel & 1 == 1 && i % 8 == 7 {
                    v = v.wrapping_add(1 + i16::from(p[0] & 15));
                }
                s.extend_from_slice(&v.to_le_bytes());
            }
            wav(&s, 1, false, b"")
        }
        _ => {
            let mut s = Vec::with_capacity(rest.len() * 8);
            let mut code = 512i32;
            for &b in rest {
                for k in 0..4 {
                    code = (code + ((b >> (2 * k)) & 3) as i32 - 1).clamp(0, 1023);
                    s.extend_from_slice(&lattice.value(code as u32).to_le_bytes());
                }
            }
            wav(&s, 1 + u16::from(sel & 3), true, b"\x01")
        }
    };
    for profile in Profile::ALL {
        let packed = encode(&input, profile);
        assert!(packed.len() <= input.len() + 8, "{profile:?} grew the input");
        match decode(&packed) {
            Ok(out) => assert!(out == input, "{profile:?} round trip changed the bytes"),
            Err(e) => panic!("{profile:?}: own output refused: {e}"),
        }
    }
});
