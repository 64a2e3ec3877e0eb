//! Reading a training corpus: the 16-bit mono WAVs of a directory, split
//! into a training part and a held-out part by sorted file name.

use brainwire_core::AdcLattice;
use std::io;
use std::path::{Path, PathBuf};

/// Which files of a directory to use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Split {
    /// Files whose sorted index is not a multiple of 4.
    Train,
    /// Every fourth file (sorted index % 4 == 0).
    HeldOut,
}

impl Split {
    pub fn contains(self, index: usize) -> bool {
        index.is_multiple_of(4) == (self == Split::HeldOut)
    }
}

/// The `*.wav` files of `dir` in `split`, sorted by name.
pub fn files(dir: &Path, split: Split) -> io::Result<Vec<PathBuf>> {
    let mut all: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x.eq_ignore_ascii_case("wav")))
        .collect();
    all.sort();
    if all.is_empty() {
        return Err(io::Error::new(io::ErrorKind::NotFound, format!("no *.wav files in {}", dir.display())));
    }
    Ok(all.into_iter().enumerate().filter(|(i, _)| split.contains(*i)).map(|(_, p)| p).collect())
}

/// The samples of a 16-bit PCM WAV (all channels interleaved), found by
/// walking its chunks; `None` for anything else.
pub fn samples(path: &Path) -> io::Result<Option<Vec<i16>>> {
    let bytes = std::fs::read(path)?;
    if bytes.len() < 12 || &bytes[0..4] != b"RIFF" || &bytes[8..12] != b"WAVE" {
        return Ok(None);
    }
    let mut pos = 12;
    let mut bits = 0u16;
    while pos + 8 <= bytes.len() {
        let id = &bytes[pos..pos + 4];
        let len = u32::from_le_bytes(bytes[pos + 4..pos + 8].try_into().unwrap()) as usize;
        let body = &bytes[pos + 8..(pos + 8).saturating_add(len).min(bytes.len())];
        if id == b"fmt " && body.len() >= 16 {
            bits = u16::from_le_bytes([body[14], body[15]]);
        } else if id == b"data" {
            if bits != 16 {
                return Ok(None);
            }
            return Ok(Some(body.chunks_exact(2).map(|c| i16::from_le_bytes([c[0], c[1]])).collect()));
        }
        pos = pos.saturating_add(8 + len + (len & 1));
    }
    Ok(None)
}

/// The samples of every `step`-th recording of the training split of `dir`
/// that is 16-bit and on the 10-bit lattice (the priors serve that lattice;
/// other recordings would only blur them). `tool` names the trainer in the
/// line that reports each recording skipped.
pub fn ten_bit_training_recordings(dir: &Path, step: usize, tool: &str) -> Result<Vec<Vec<i16>>, String> {
    let files = files(dir, Split::Train).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut recordings = Vec::new();
    for f in files.iter().step_by(step) {
        match samples(f).map_err(|e| format!("{}: {e}", f.display()))? {
            Some(s) if AdcLattice::detect(&s) == AdcLattice::Neuralink10 => recordings.push(s),
            _ => eprintln!("{tool}: skipping {} (not 16-bit on the 10-bit lattice)", f.display()),
        }
    }
    if recordings.is_empty() {
        return Err(format!("no 16-bit recordings on the 10-bit lattice in the training split of {}", dir.display()));
    }
    Ok(recordings)
}
