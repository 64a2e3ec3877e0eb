//! Golden vectors: a short stream of every profile on every lattice, kept in
//! `tests/golden/`, with the CRC-32 of its decoded samples in
//! `tests/golden/decoded.crc32`. They pin the formats: a change that alters
//! one byte of any stream fails here.
//!
//! - decoding each golden stream gives samples of the recorded hash;
//! - decoding them with `decode_le` gives the same samples;
//! - encoding the same synthetic input (made by `brainwire_testkit`'s
//!   generator, never a recording) with `encode_all` and with `encode_le`
//!   gives the golden bytes again.
//!
//! A new profile or a deliberate format change (a new profile id) writes its
//! vectors with
//! `BRAINWIRE_GOLDEN=write cargo test --release -p brainwire-core --test golden`;
//! review the diff: an existing vector must never change.

use std::collections::BTreeMap;
use std::path::PathBuf;

use brainwire_core::{decode_all, decode_le, encode_all, encode_le, AdcLattice, ByteSink, Profile};
use brainwire_testkit::{hash, le_bytes, signal, Rng};

/// Samples of each golden stream: enough for every context and escape kind
/// to occur, few enough for a few KB of vectors in all.
const SAMPLES: usize = 1500;
/// Off-lattice samples per thousand on the 10-bit lattice (escapes).
const OFF_LATTICE_PER_MILLE: u32 = 10;
const LATTICES: [AdcLattice; 2] = [AdcLattice::Identity16, AdcLattice::Neuralink10];

struct Bytes(Vec<u8>);

impl ByteSink for Bytes {
    fn put(&mut self, byte: u8) {
        self.0.push(byte);
    }
}

fn lattice_name(lattice: AdcLattice) -> String {
    format!("{lattice:?}").to_ascii_lowercase()
}

/// The input of a lattice's golden streams: an electrode-shaped signal on
/// its codes; on the 10-bit lattice with values strictly between two codes
/// now and then.
fn input(lattice: AdcLattice) -> Vec<i16> {
    let mut rng = Rng::new(0x601D_0000 + u64::from(lattice.id()));
    let codes = signal(&mut rng, SAMPLES, lattice.len());
    codes
        .into_iter()
        .map(|c| {
            let v = lattice.value(c);
            if lattice == AdcLattice::Neuralink10 && rng.chance(OFF_LATTICE_PER_MILLE) {
                v.saturating_add(1 + rng.below(30) as i16)
            } else {
                v
            }
        })
        .collect()
}

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

const MANIFEST: &str = "decoded.crc32";

/// `NAME SAMPLES CRC32` lines.
fn read_manifest() -> BTreeMap<String, (usize, u32)> {
    let text = std::fs::read_to_string(dir().join(MANIFEST)).unwrap_or_default();
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            let [name, n, crc] = f[..] else { panic!("{MANIFEST}: bad line {l:?}") };
            (name.to_string(), (n.parse().unwrap(), u32::from_str_radix(crc.trim_start_matches("0x"), 16).unwrap()))
        })
        .collect()
}

#[test]
fn golden_streams_decode_and_encode_to_the_same_bytes() {
    let write = std::env::var("BRAINWIRE_GOLDEN").is_ok_and(|v| v == "write");
    let mut manifest = read_manifest();
    let mut missing = Vec::new();
    for lattice in LATTICES {
        let samples = input(lattice);
        let samples_hash = hash(&le_bytes(&samples));
        for profile in Profile::ALL {
            let name = format!("{}-{}.bw", profile.name(), lattice_name(lattice));
            let path = dir().join(&name);
            let mut fresh = Bytes(Vec::new());
            encode_all(profile, lattice, &samples, &mut fresh);
            if write && !path.exists() {
                std::fs::write(&path, &fresh.0).unwrap();
                manifest.insert(name.clone(), (samples.len(), samples_hash));
                eprintln!("wrote {}", path.display());
            }
            let Ok(golden) = std::fs::read(&path) else {
                missing.push(name);
                continue;
            };
            let &(n, crc) = manifest.get(&name).unwrap_or_else(|| panic!("{name} is not in {MANIFEST}"));
            let mut back = vec![0i16; n];
            decode_all(&golden, &mut back).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(hash(&le_bytes(&back)), crc, "{name}: the decoded samples changed");
            assert_eq!(crc, samples_hash, "{name}: the generated input changed (brainwire_testkit)");
            assert!(fresh.0 == golden, "{name}: the encoder writes other bytes than the golden stream");
            let mut from_le = Bytes(Vec::new());
            encode_le(profile, lattice, &le_bytes(&samples), &mut from_le);
            assert!(from_le.0 == golden, "{name}: encode_le writes other bytes than the golden stream");
            let mut back_le = vec![0u8; 2 * n];
            decode_le(&golden, &mut back_le).unwrap_or_else(|e| panic!("{name}: decode_le: {e}"));
            assert_eq!(hash(&back_le), crc, "{name}: decode_le's samples changed");
        }
    }
    if write {
        let mut text = String::from("# golden stream, samples, CRC-32 of the decoded samples (little-endian): tests/golden.rs\n");
        for (name, (n, crc)) in &manifest {
            text += &format!("{name} {n} {crc:08x}\n");
        }
        std::fs::write(dir().join(MANIFEST), text).unwrap();
    }
    assert!(missing.is_empty(), "no golden stream for {missing:?}: write them with BRAINWIRE_GOLDEN=write (see tests/golden.rs)");
}
