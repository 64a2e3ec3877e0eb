//! `eval`: the challenge's evaluation, for several codecs in one run.
//!
//! Every recording is compressed and decompressed by every codec and must come
//! back byte for byte. The ratio is total raw bytes over total compressed
//! bytes, plus, for brainwire's own codecs, the size of the ./encode and
//! ./decode binaries when they exist (the challenge counts them).

use crate::codecs::Codec;
use crate::fail::{contain, Exit, Failure, Result};
use crate::files::Recording;
use crate::out::{errln, outln};
use crate::progress;
use rayon::prelude::*;
use serde_json::json;
use std::path::PathBuf;
use std::time::Instant;

/// The challenge binaries whose size counts against brainwire's ratio.
#[derive(Clone, Debug)]
pub struct Binaries {
    pub encode: PathBuf,
    pub decode: PathBuf,
    pub encode_len: u64,
    pub decode_len: u64,
}

impl Binaries {
    pub fn total(&self) -> u64 {
        self.encode_len + self.decode_len
    }

    /// Both binaries with their sizes, or `None` when either is missing.
    pub fn find(encode: PathBuf, decode: PathBuf) -> Option<Self> {
        let encode_len = std::fs::metadata(&encode)
            .ok()
            .filter(|m| m.is_file())?
            .len();
        let decode_len = std::fs::metadata(&decode)
            .ok()
            .filter(|m| m.is_file())?
            .len();
        Some(Self {
            encode,
            decode,
            encode_len,
            decode_len,
        })
    }
}

/// One codec on one recording.
#[derive(Clone, Debug)]
pub struct FileOutcome {
    pub compressed: u64,
    pub encode_seconds: f64,
    pub decode_seconds: f64,
    pub verdict: Verdict,
}

/// How a round trip ended: one of three, never two at once.
#[derive(Clone, Debug)]
pub enum Verdict {
    /// The original bytes came back.
    Identical,
    /// Why the round trip failed.
    Failed(String),
    /// Why the codec could not take this file at all; the file then counts
    /// at its raw size (as if stored), not as a failure.
    Unsupported(String),
}

impl FileOutcome {
    /// Why the round trip failed, if it did.
    pub fn error(&self) -> Option<&str> {
        match &self.verdict {
            Verdict::Failed(why) => Some(why),
            _ => None,
        }
    }

    /// Why the codec could not take this file, if so.
    pub fn unsupported(&self) -> Option<&str> {
        match &self.verdict {
            Verdict::Unsupported(why) => Some(why),
            _ => None,
        }
    }
}

pub struct CodecOutcome {
    pub codec: Codec,
    pub files: Vec<FileOutcome>,
}

impl CodecOutcome {
    pub fn name(&self) -> String {
        self.codec.name()
    }

    pub fn compressed(&self) -> u64 {
        self.files.iter().map(|f| f.compressed).sum()
    }

    pub fn failures(&self) -> usize {
        self.files.iter().filter(|f| f.error().is_some()).count()
    }

    /// Files this codec cannot take (counted at their raw size).
    pub fn unsupported(&self) -> usize {
        self.files.iter().filter(|f| f.unsupported().is_some()).count()
    }

    /// Bytes of binaries the challenge adds to this codec's total.
    pub fn binaries_len(&self, binaries: Option<&Binaries>) -> u64 {
        match binaries {
            Some(b) if self.codec.ships_as_challenge_binaries() => b.total(),
            _ => 0,
        }
    }
}

pub struct Evaluation {
    pub names: Vec<String>,
    pub raw: Vec<u64>,
    pub codecs: Vec<CodecOutcome>,
    pub binaries: Option<Binaries>,
    pub wall_seconds: f64,
}

impl Evaluation {
    pub fn raw_total(&self) -> u64 {
        self.raw.iter().sum()
    }

    /// The challenge score of a codec.
    pub fn ratio(&self, c: &CodecOutcome) -> f64 {
        self.raw_total() as f64
            / (c.compressed() + c.binaries_len(self.binaries.as_ref())).max(1) as f64
    }

    pub fn failures(&self) -> usize {
        self.codecs.iter().map(|c| c.failures()).sum()
    }

    /// Exit `Mismatch` when any codec failed a round trip.
    pub fn verdict(&self) -> Result<()> {
        match self.failures() {
            0 => Ok(()),
            n => Err(Failure::new(
                Exit::Mismatch,
                anyhow::anyhow!(
                    "{n} round trips did not give back the original bytes (listed above)"
                ),
            )),
        }
    }
}

/// Runs every codec on every recording, in parallel over (codec, file) pairs.
pub fn evaluate(
    recordings: &[Recording],
    codecs: Vec<Codec>,
    binaries: Option<Binaries>,
) -> Evaluation {
    let started = Instant::now();
    let bar = progress::bar((recordings.len() * codecs.len()) as u64, "eval");
    let pairs: Vec<(usize, usize)> = (0..codecs.len())
        .flat_map(|c| (0..recordings.len()).map(move |f| (c, f)))
        .collect();
    let outcomes: Vec<FileOutcome> = pairs
        .par_iter()
        .map(|&(c, f)| {
            let outcome = round_trip(&codecs[c], &recordings[f].bytes);
            bar.inc(1);
            outcome
        })
        .collect();
    bar.finish_and_clear();
    let mut outcomes = outcomes.into_iter();
    let codecs = codecs
        .into_iter()
        .map(|codec| CodecOutcome {
            codec,
            files: outcomes.by_ref().take(recordings.len()).collect(),
        })
        .collect();
    Evaluation {
        names: recordings.iter().map(|r| r.name.clone()).collect(),
        raw: recordings.iter().map(|r| r.bytes.len() as u64).collect(),
        codecs,
        binaries,
        wall_seconds: started.elapsed().as_secs_f64(),
    }
}

fn round_trip(codec: &Codec, original: &[u8]) -> FileOutcome {
    let t0 = Instant::now();
    let packed = contain(|| codec.compress(original))
        .map_err(anyhow::Error::msg)
        .and_then(|r| r);
    let encode_seconds = t0.elapsed().as_secs_f64();
    let packed = match packed {
        Ok(p) => p,
        Err(e) if e.downcast_ref::<crate::codecs::Unsupported>().is_some() => {
            return FileOutcome {
                compressed: original.len() as u64,
                encode_seconds,
                decode_seconds: 0.0,
                verdict: Verdict::Unsupported(format!("{e}")),
            }
        }
        Err(e) => {
            return FileOutcome {
                compressed: 0,
                encode_seconds,
                decode_seconds: 0.0,
                verdict: Verdict::Failed(format!("compressing failed: {e:#}")),
            }
        }
    };
    let t1 = Instant::now();
    let unpacked = contain(|| codec.decompress(&packed))
        .map_err(anyhow::Error::msg)
        .and_then(|r| r);
    let decode_seconds = t1.elapsed().as_secs_f64();
    let verdict = match unpacked {
        Err(e) => Verdict::Failed(format!("decompressing failed: {e:#}")),
        Ok(u) if u != original => Verdict::Failed(format!(
            "the round trip changed the bytes ({} bytes in, {} bytes back)",
            original.len(),
            u.len()
        )),
        Ok(_) => Verdict::Identical,
    };
    FileOutcome {
        compressed: packed.len() as u64,
        encode_seconds,
        decode_seconds,
        verdict,
    }
}

/// Human-readable tables: one row per file (unless `summary_only`), then one
/// row per codec.
pub fn print(eval: &Evaluation, summary_only: bool) {
    let name_width = eval.names.iter().map(|n| n.len()).max().unwrap_or(4).max(4);
    if !summary_only {
        let mut head = format!("{:<name_width$} {:>9}", "file", "raw");
        for c in &eval.codecs {
            head += &format!(" {:>10} {:>6}", c.name(), "ratio");
        }
        outln!("{head}");
        for (i, name) in eval.names.iter().enumerate() {
            let mut row = format!("{name:<name_width$} {:>9}", eval.raw[i]);
            for c in &eval.codecs {
                let f = &c.files[i];
                if f.error().is_some() {
                    row += &format!(" {:>10} {:>6}", "FAILED", "-");
                } else if f.unsupported().is_some() {
                    row += &format!(" {:>10} {:>6}", "n/a", "-");
                } else {
                    row += &format!(
                        " {:>10} {:>6.3}",
                        f.compressed,
                        eval.raw[i] as f64 / f.compressed.max(1) as f64
                    );
                }
            }
            outln!("{row}");
        }
        outln!();
    }

    let raw = eval.raw_total();
    outln!(
        "{} recordings, {} raw, evaluated in {:.1} s on {}",
        eval.names.len(),
        progress::bytes(raw),
        eval.wall_seconds,
        progress::threads()
    );
    match &eval.binaries {
        Some(b) => outln!(
            "brainwire ratios count the challenge binaries: {} ({} bytes) + {} ({} bytes)",
            b.encode.display(),
            b.encode_len,
            b.decode.display(),
            b.decode_len
        ),
        None => outln!(
            "./encode and ./decode not found beside brainwire (pass --encode-bin/--decode-bin): brainwire ratios do not include the binaries' size"
        ),
    }
    outln!(
        "{:<10} {:>14} {:>12} {:>8} {:>13} {:>13}  round trip",
        "codec", "compressed", "+binaries", "ratio", "enc MB/s/core", "dec MB/s/core"
    );
    for c in &eval.codecs {
        let enc: f64 = c.files.iter().map(|f| f.encode_seconds).sum();
        let dec: f64 = c.files.iter().map(|f| f.decode_seconds).sum();
        let bins = c.binaries_len(eval.binaries.as_ref());
        let failures = c.failures();
        outln!(
            "{:<10} {:>14} {:>12} {:>8.3} {:>13.1} {:>13.1}  {}",
            c.name(),
            c.compressed(),
            if bins > 0 {
                format!("+{bins}")
            } else {
                "-".into()
            },
            eval.ratio(c),
            raw as f64 / 1e6 / enc.max(1e-9),
            raw as f64 / 1e6 / dec.max(1e-9),
            match (failures, c.unsupported()) {
                (0, 0) => format!("{}/{} identical", c.files.len(), c.files.len()),
                (0, n) => format!(
                    "{}/{} identical, {n} not taken (counted raw)",
                    c.files.len() - n,
                    c.files.len()
                ),
                (f, _) => format!("{f} FAILED"),
            }
        );
    }
    for c in &eval.codecs {
        for (i, f) in c.files.iter().enumerate() {
            if let Some(e) = f.error() {
                errln!("brainwire: error: {} on {}: {e}", c.name(), eval.names[i]);
            }
            if let Some(why) = f.unsupported() {
                errln!("brainwire: note: {} cannot take {} ({why}); counted at its raw size", c.name(), eval.names[i]);
            }
        }
    }
}

/// The same numbers for machines.
pub fn to_json(eval: &Evaluation) -> serde_json::Value {
    let raw = eval.raw_total();
    json!({
        "files": eval.names.len(),
        "raw_bytes": raw,
        "wall_seconds": eval.wall_seconds,
        "binaries": eval.binaries.as_ref().map(|b| json!({
            "encode": b.encode.display().to_string(),
            "encode_bytes": b.encode_len,
            "decode": b.decode.display().to_string(),
            "decode_bytes": b.decode_len,
        })),
        "codecs": eval.codecs.iter().map(|c| {
            let enc: f64 = c.files.iter().map(|f| f.encode_seconds).sum();
            let dec: f64 = c.files.iter().map(|f| f.decode_seconds).sum();
            json!({
                "codec": c.name(),
                "compressed_bytes": c.compressed(),
                "binaries_bytes": c.binaries_len(eval.binaries.as_ref()),
                "ratio": eval.ratio(c),
                "encode_seconds": enc,
                "decode_seconds": dec,
                "failures": c.failures(),
                "unsupported": c.unsupported(),
            })
        }).collect::<Vec<_>>(),
        "per_file": eval.names.iter().enumerate().map(|(i, name)| json!({
            "file": name,
            "raw_bytes": eval.raw[i],
            "compressed_bytes": eval.codecs.iter().map(|c| (c.name(), json!(c.files[i].compressed))).collect::<serde_json::Map<_, _>>(),
            "errors": eval.codecs.iter().filter_map(|c| c.files[i].error().map(|e| (c.name(), json!(e)))).collect::<serde_json::Map<_, _>>(),
            "unsupported": eval.codecs.iter().filter_map(|c| c.files[i].unsupported().map(|e| (c.name(), json!(e)))).collect::<serde_json::Map<_, _>>(),
        })).collect::<Vec<_>>(),
    })
}
