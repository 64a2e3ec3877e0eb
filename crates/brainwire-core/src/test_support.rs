//! Helpers shared by the core's tests: a byte sink and real recordings (from
//! `BRAINWIRE_DATA` or the challenge archive beside the repository).

extern crate std;

use crate::sink::ByteSink;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::string::String;
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

/// Real recordings, at most `max`, spread over the sorted list of names:
/// those of `BRAINWIRE_DATA` (a directory of WAVs or a zip of them), else of
/// the challenge archive beside the repository (`../shared/data.zip`);
/// `None` (with a note) when there are none.
pub fn real_recordings(max: usize) -> Option<Vec<(PathBuf, Vec<i16>)>> {
    let source = match std::env::var_os("BRAINWIRE_DATA") {
        Some(s) => PathBuf::from(s),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data.zip"),
    };
    let recs = if source.is_dir() { wavs_in_directory(&source, max) } else { wavs_in_zip(&source, max) };
    if recs.is_empty() {
        eprintln!("note: no WAVs in {source:?} (set BRAINWIRE_DATA); skipping the real-data part of this test");
        return None;
    }
    Some(recs)
}

/// The samples of a canonical 44-byte-header mono 16-bit PCM WAV.
fn samples(wav: &[u8]) -> Vec<i16> {
    wav.get(44..).unwrap_or_default().chunks_exact(2).map(|c| i16::from_le_bytes([c[0], c[1]])).collect()
}

/// Every `len / max`-th of `names` (sorted), at most `max` of them.
fn spread(mut names: Vec<String>, max: usize) -> Vec<String> {
    names.sort();
    let step = (names.len() / max.max(1)).max(1);
    names.into_iter().step_by(step).take(max).collect()
}

fn wavs_in_directory(dir: &Path, max: usize) -> Vec<(PathBuf, Vec<i16>)> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    let names = entries.filter_map(|e| e.ok()?.file_name().into_string().ok()).filter(|n| n.ends_with(".wav")).collect();
    spread(names, max).into_iter().map(|n| (dir.join(&n), samples(&std::fs::read(dir.join(&n)).unwrap()))).collect()
}

fn wavs_in_zip(zip_path: &Path, max: usize) -> Vec<(PathBuf, Vec<i16>)> {
    let Ok(file) = std::fs::File::open(zip_path) else { return Vec::new() };
    let mut archive = zip::ZipArchive::new(file).expect("a readable zip archive");
    let names = archive.file_names().filter(|n| n.ends_with(".wav")).map(String::from).collect();
    spread(names, max)
        .into_iter()
        .map(|n| {
            let mut wav = Vec::new();
            archive.by_name(&n).unwrap().read_to_end(&mut wav).unwrap();
            (zip_path.join(&n), samples(&wav))
        })
        .collect()
}
