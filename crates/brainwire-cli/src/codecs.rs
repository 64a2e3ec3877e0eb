//! The codecs `eval` and `report` compare: brainwire's profiles, the
//! challenge binaries run as separate processes, and general-purpose
//! compressors at their strongest usual settings.

use anyhow::{bail, Context};
use brainwire_core::Profile;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

#[derive(Clone, Debug)]
pub enum Codec {
    Brainwire(Profile),
    /// `./encode IN OUT` and `./decode IN OUT`, one process per file, as the
    /// challenge runs them.
    Challenge {
        encode: PathBuf,
        decode: PathBuf,
    },
    /// bzip2 -9.
    Bzip2,
    /// xz -9 (LZMA2).
    Xz,
    /// zstd -19.
    Zstd,
}

impl Codec {
    /// Parses one `--codec` name.
    pub fn from_name(name: &str, encode_bin: &Path, decode_bin: &Path) -> Option<Self> {
        if let Some(p) = Profile::from_name(name) {
            return Some(Self::Brainwire(p));
        }
        match name {
            "bzip2" => Some(Self::Bzip2),
            "xz" => Some(Self::Xz),
            "zstd" => Some(Self::Zstd),
            "challenge" => Some(Self::Challenge {
                encode: encode_bin.to_path_buf(),
                decode: decode_bin.to_path_buf(),
            }),
            _ => None,
        }
    }

    pub fn name(&self) -> String {
        match self {
            Self::Brainwire(p) => p.name().to_string(),
            Self::Challenge { .. } => "challenge".into(),
            Self::Bzip2 => "bzip2".into(),
            Self::Xz => "xz".into(),
            Self::Zstd => "zstd".into(),
        }
    }

    /// Whether the challenge counts the size of ./encode and ./decode against
    /// this codec: it does for ours, which those binaries implement.
    pub fn ships_as_challenge_binaries(&self) -> bool {
        matches!(self, Self::Brainwire(_) | Self::Challenge { .. })
    }

    pub fn compress(&self, data: &[u8]) -> anyhow::Result<Vec<u8>> {
        Ok(match self {
            Self::Brainwire(p) => brainwire_container::encode(data, *p),
            Self::Challenge { encode, .. } => run_binary(encode, data)?,
            Self::Bzip2 => {
                let mut enc = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::best());
                enc.write_all(data)?;
                enc.finish()?
            }
            Self::Xz => {
                let mut enc = xz2::write::XzEncoder::new(Vec::new(), 9);
                enc.write_all(data)?;
                enc.finish()?
            }
            Self::Zstd => zstd::bulk::compress(data, 19)?,
        })
    }

    pub fn decompress(&self, data: &[u8]) -> anyhow::Result<Vec<u8>> {
        let mut out = Vec::new();
        match self {
            Self::Brainwire(_) => {
                out = brainwire_container::decode(data).map_err(crate::batch::plain)?
            }
            Self::Challenge { decode, .. } => out = run_binary(decode, data)?,
            Self::Bzip2 => {
                bzip2::read::BzDecoder::new(data).read_to_end(&mut out)?;
            }
            Self::Xz => {
                xz2::read::XzDecoder::new(data).read_to_end(&mut out)?;
            }
            Self::Zstd => {
                zstd::stream::read::Decoder::new(data)?.read_to_end(&mut out)?;
            }
        }
        Ok(out)
    }
}

/// Runs `binary IN OUT` on `input` through files in a private temporary
/// directory and returns what it wrote.
fn run_binary(binary: &Path, input: &[u8]) -> anyhow::Result<Vec<u8>> {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "brainwire-eval-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create '{}'", dir.display()))?;
    let result = (|| {
        let (src, dst) = (dir.join("in"), dir.join("out"));
        std::fs::write(&src, input)?;
        let status = Command::new(binary)
            .arg(&src)
            .arg(&dst)
            .status()
            .with_context(|| format!("cannot run '{}'", binary.display()))?;
        if !status.success() {
            bail!("'{}' failed ({status})", binary.display());
        }
        std::fs::read(&dst).with_context(|| format!("'{}' wrote no output", binary.display()))
    })();
    let _ = std::fs::remove_dir_all(&dir);
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_default_codec_round_trips() {
        let data: Vec<u8> =
            brainwire_synth::wav_bytes(&brainwire_synth::recording(3, 0.05), 19_531);
        for name in ["default", "lite", "max", "bzip2", "xz", "zstd"] {
            let codec =
                Codec::from_name(name, Path::new("./encode"), Path::new("./decode")).unwrap();
            let packed = codec.compress(&data).unwrap();
            assert!(
                packed.len() < data.len(),
                "{name} did not compress a recording"
            );
            assert_eq!(codec.decompress(&packed).unwrap(), data, "{name}");
        }
    }

    #[test]
    fn unknown_codec_names_are_refused() {
        assert!(Codec::from_name("gzip", Path::new("e"), Path::new("d")).is_none());
    }
}
