//! Helpers shared by the core's tests: a byte sink and the real recordings
//! named by `BRAINWIRE_DATA`.

extern crate std;

use crate::range::ByteSink;
use std::path::PathBuf;
use std::vec::Vec;
use std::eprintln;

/// Collects bytes (a newtype: the crate's own `Vec` sink exists only with the
/// `alloc` feature).
pub struct Bytes(pub Vec<u8>);

impl ByteSink for Bytes {
    fn put(&mut self, byte: u8) {
        self.0.push(byte);
    }
}

/// The recordings of `BRAINWIRE_DATA` (a directory of WAVs), at most `max`,
/// spread over the sorted list; `None` (with a note) when it is unset.
pub fn real_recordings(max: usize) -> Option<Vec<(PathBuf, Vec<i16>)>> {
    let Some(dir) = std::env::var_os("BRAINWIRE_DATA") else {
        eprintln!("note: BRAINWIRE_DATA is not set; skipping the real-data part of this test");
        return None;
    };
    let Ok(entries) = std::fs::read_dir(&dir) else {
        eprintln!("note: BRAINWIRE_DATA={dir:?} is not a directory of WAVs; skipping the real-data part");
        return None;
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.extension().is_some_and(|x| x == "wav")).collect();
    paths.sort();
    let step = (paths.len() / max).max(1);
    let recs: Vec<_> = paths
        .into_iter()
        .step_by(step)
        .take(max)
        .map(|p| {
            let bytes = std::fs::read(&p).unwrap();
            // Canonical 44-byte header, mono 16-bit PCM.
            let s = bytes[44..].chunks_exact(2).map(|c| i16::from_le_bytes([c[0], c[1]])).collect();
            (p, s)
        })
        .collect();
    if recs.is_empty() {
        eprintln!("note: no WAVs in BRAINWIRE_DATA={dir:?}; skipping the real-data part");
        return None;
    }
    Some(recs)
}

