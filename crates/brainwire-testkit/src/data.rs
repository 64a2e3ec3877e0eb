//! The real recordings, found the same way by every crate's tests.
//!
//! Where: `BRAINWIRE_DATA` (a directory of WAVs or a zip of them) when it is
//! set, else the challenge archive beside the repository
//! (`../shared/data.zip`). Contract:
//! - neither there: [`recordings`] prints a skip line (to the process's
//!   stderr, past the test harness's capture) and returns `None`;
//! - `BRAINWIRE_DATA` set (CI sets it when it has the data) but unreadable
//!   or without WAVs: it panics, so the test fails rather than passing on
//!   nothing.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// One recording: its name (the path inside the archive or directory) and
/// the bytes of its WAV file.
pub struct Recording {
    pub name: String,
    pub wav: Vec<u8>,
}

impl Recording {
    /// The samples of a canonical 44-byte-header mono 16-bit PCM WAV (the
    /// challenge's layout).
    pub fn samples(&self) -> Vec<i16> {
        self.wav.get(44..).unwrap_or_default().chunks_exact(2).map(|c| i16::from_le_bytes([c[0], c[1]])).collect()
    }
}

/// At most `max` recordings, spread evenly over the sorted names (all of
/// them when `max` is at least their number); `None`, with a printed skip
/// line naming `what`, when there are none to read.
pub fn recordings(max: usize, what: &str) -> Option<Vec<Recording>> {
    let (source, given) = match std::env::var_os("BRAINWIRE_DATA") {
        Some(s) => (PathBuf::from(s), true),
        None => (PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data.zip"), false),
    };
    if !given && !source.exists() {
        // Straight to the process's stderr: the test harness captures
        // `eprintln!`, and a skip must be seen.
        let _ = writeln!(std::io::stderr(), "SKIPPED {what}: no real recordings (set BRAINWIRE_DATA, or put the archive at {})", source.display());
        return None;
    }
    let found = if source.is_dir() { in_directory(&source, max) } else { in_zip(&source, max) };
    match found {
        Ok(recs) if !recs.is_empty() => Some(recs),
        Ok(_) => panic!("{}: no .wav recordings in it", source.display()),
        Err(e) => panic!("{}: unreadable: {e}", source.display()),
    }
}

/// Every `len / max`-th of `names` (sorted), at most `max` of them.
fn spread(mut names: Vec<String>, max: usize) -> Vec<String> {
    names.sort();
    let step = names.len().div_ceil(max.max(1)).max(1);
    names.into_iter().step_by(step).take(max).collect()
}

fn is_wav(name: &str) -> bool {
    name.to_ascii_lowercase().ends_with(".wav")
}

fn in_directory(dir: &Path, max: usize) -> std::io::Result<Vec<Recording>> {
    let mut names = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        if let Ok(name) = entry?.file_name().into_string() {
            if is_wav(&name) {
                names.push(name);
            }
        }
    }
    spread(names, max).into_iter().map(|name| Ok(Recording { wav: std::fs::read(dir.join(&name))?, name })).collect()
}

fn in_zip(path: &Path, max: usize) -> std::io::Result<Vec<Recording>> {
    let mut archive = zip::ZipArchive::new(std::fs::File::open(path)?)?;
    let names = archive.file_names().filter(|n| is_wav(n)).map(String::from).collect();
    spread(names, max)
        .into_iter()
        .map(|name| {
            let mut wav = Vec::new();
            archive.by_name(&name)?.read_to_end(&mut wav)?;
            Ok(Recording { name, wav })
        })
        .collect()
}
