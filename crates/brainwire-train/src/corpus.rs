//! Reading a training corpus: the 16-bit mono WAVs of a directory, split
//! into a training part and a held-out part by sorted file name.

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
