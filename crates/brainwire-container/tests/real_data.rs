//! Round trips of real recordings, found by `brainwire_testkit::recordings`
//! (`BRAINWIRE_DATA`, a directory of `.wav` files or the challenge's
//! `data.zip`, else the archive beside the repository). Tests a spread of
//! 60 files, or all of them with `BRAINWIRE_DATA_ALL=1`. Without data it
//! prints a SKIPPED line and passes (the recordings are not part of the
//! repository); with `BRAINWIRE_DATA` set but unreadable it fails.

use brainwire_container::{decode, encode, inspect, AdcLattice, Kind, Profile};

#[test]
fn real_recordings_round_trip_and_compress() {
    let all = std::env::var_os("BRAINWIRE_DATA_ALL").is_some();
    let Some(files) = brainwire_testkit::recordings(if all { usize::MAX } else { 60 }, "container: real recordings round trip") else {
        return;
    };
    let (mut raw, mut packed_total) = (0usize, 0usize);
    for (i, rec) in files.iter().enumerate() {
        let (path, original) = (&rec.name, &rec.wav);
        // The default profile on every chosen file; the others on a few.
        let profiles: &[Profile] = if i % 8 == 0 { &Profile::ALL } else { &[Profile::Tables] };
        for &profile in profiles {
            let packed = encode(original, profile);
            let info = inspect(&packed).expect("inspect");
            assert_eq!(info.original_len, original.len() as u64);
            let restored = decode(&packed).unwrap_or_else(|e| panic!("{path}: {e}"));
            assert!(restored == *original, "{path} ({profile:?}) did not round-trip");
            if profile == Profile::Tables {
                // The challenge files are canonical mono 16-bit WAVs on the
                // 10-bit lattice; each must take the fully coded path.
                assert_eq!(info.kind, Kind::Pcm16Wav, "{path}");
                assert!(info.canonical_header, "{path}");
                assert_eq!(info.lattice, Some(AdcLattice::Neuralink10), "{path}");
                raw += original.len();
                packed_total += packed.len();
            }
        }
    }
    let ratio = raw as f64 / packed_total as f64;
    eprintln!("real data: {raw} -> {packed_total} bytes, ratio {ratio:.3} (default profile)");
    // A floor well below the current ratio (~3.5): catches a codec that
    // silently falls back to storing, not small tuning changes.
    assert!(ratio > 3.0, "ratio {ratio:.3}");
}
