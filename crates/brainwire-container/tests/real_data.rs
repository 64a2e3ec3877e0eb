//! Round trips of real recordings: set `BRAINWIRE_DATA` to a directory of
//! `.wav` files or to the challenge's `data.zip` (unpacked with the `unzip`
//! tool). Tests a spread of about 60 files, or all of them with
//! `BRAINWIRE_DATA_ALL=1`. Without `BRAINWIRE_DATA` it says so and passes:
//! the recordings are not part of the repository.

use std::path::{Path, PathBuf};
use std::process::Command;

use brainwire_container::{decode, encode, inspect, AdcLattice, Kind, Profile};

/// Unzips `zip` into a fresh temporary directory and returns it.
fn unzip(zip: &Path) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("brainwire-real-data-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let status = Command::new("unzip").arg("-q").arg(zip).arg("-d").arg(&dir).status().expect("run unzip");
    assert!(status.success(), "unzip {} failed", zip.display());
    dir
}

fn wavs_under(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read data dir") {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            wavs_under(&path, out);
        } else if path.extension().is_some_and(|e| e.eq_ignore_ascii_case("wav")) {
            out.push(path);
        }
    }
}

#[test]
fn real_recordings_round_trip_and_compress() {
    let Some(data) = std::env::var_os("BRAINWIRE_DATA") else {
        eprintln!("BRAINWIRE_DATA not set: skipping the real-data round trips");
        return;
    };
    let data = PathBuf::from(data);
    let (dir, cleanup) = if data.is_dir() { (data.clone(), false) } else { (unzip(&data), true) };
    let mut files = Vec::new();
    wavs_under(&dir, &mut files);
    files.sort();
    assert!(!files.is_empty(), "no .wav files in {}", data.display());
    let all = std::env::var_os("BRAINWIRE_DATA_ALL").is_some();
    let step = if all { 1 } else { files.len().div_ceil(60) };

    let (mut raw, mut packed_total) = (0usize, 0usize);
    for (i, path) in files.iter().enumerate().step_by(step) {
        let original = std::fs::read(path).expect("read recording");
        // The default profile on every chosen file; the others on a few.
        let profiles: &[Profile] = if i % (8 * step) == 0 { &Profile::ALL } else { &[Profile::Tables] };
        for &profile in profiles {
            let packed = encode(&original, profile);
            let info = inspect(&packed).expect("inspect");
            assert_eq!(info.original_len, original.len() as u64);
            let restored = decode(&packed).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            assert!(restored == original, "{} ({profile:?}) did not round-trip", path.display());
            if profile == Profile::Tables {
                // The challenge files are canonical mono 16-bit WAVs on the
                // 10-bit lattice; each must take the fully coded path.
                assert_eq!(info.kind, Kind::Pcm16Wav, "{}", path.display());
                assert!(info.canonical_header, "{}", path.display());
                assert_eq!(info.lattice, Some(AdcLattice::Neuralink10), "{}", path.display());
                raw += original.len();
                packed_total += packed.len();
            }
        }
    }
    if cleanup {
        let _ = std::fs::remove_dir_all(&dir);
    }
    let ratio = raw as f64 / packed_total as f64;
    eprintln!("real data: {raw} -> {packed_total} bytes, ratio {ratio:.3} (default profile)");
    // A floor well below the current ratio (~3.5): catches a codec that
    // silently falls back to storing, not small tuning changes.
    assert!(ratio > 3.0, "ratio {ratio:.3}");
}
