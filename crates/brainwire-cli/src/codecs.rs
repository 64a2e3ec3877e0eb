//! The codecs `eval` and `report` compare: brainwire's profiles, the
//! challenge binaries run as separate processes, and general-purpose
//! compressors at their strongest usual settings.

use anyhow::{bail, Context};
use brainwire_core::Profile;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A codec that cannot take an input at all (FLAC on a file that is not
/// 16-bit PCM WAV, or with more than 8 channels): not a failed round trip.
#[derive(Debug)]
pub struct Unsupported(pub String);

impl std::fmt::Display for Unsupported {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Unsupported {}

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
    /// xz -6 (LZMA2): -9 gives byte-identical sizes on files this small,
    /// only slower, as its larger dictionary buys nothing.
    Xz,
    /// zstd -19.
    Zstd,
    /// FLAC (flacenc's default settings) on the samples of a 16-bit WAV file,
    /// with the bytes around them stored as they are.
    Flac,
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
            "flac" => Some(Self::Flac),
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
            Self::Flac => "flac".into(),
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
                let mut enc = xz2::write::XzEncoder::new(Vec::new(), 6);
                enc.write_all(data)?;
                enc.finish()?
            }
            Self::Zstd => zstd::bulk::compress(data, 19)?,
            Self::Flac => flac::compress(data)?,
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
            Self::Flac => out = flac::decompress(data)?,
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

/// FLAC as a whole-file codec: `[u32 LE n][n bytes before the samples]
/// [u32 LE m][m bytes after them][FLAC stream of the samples]`.
mod flac {
    use super::Unsupported;
    use anyhow::{anyhow, Context};
    use flacenc::component::BitRepr;
    use flacenc::error::Verify;

    /// The most channels a FLAC stream can hold.
    const MAX_CHANNELS: usize = 8;

    pub fn compress(data: &[u8]) -> anyhow::Result<Vec<u8>> {
        let unsupported = |why: String| anyhow::Error::new(Unsupported(why));
        let layout = brainwire_container::wav::pcm16_layout(data)
            .ok_or_else(|| unsupported("flac takes 16-bit PCM WAV files only".into()))?;
        let end = layout.data_start + layout.data_len;
        let samples: Vec<i32> = data[layout.data_start..end]
            .chunks_exact(2)
            .map(|b| i16::from_le_bytes([b[0], b[1]]) as i32)
            .collect();
        let channels = layout.channels as usize;
        if channels > MAX_CHANNELS {
            return Err(unsupported(format!(
                "flac takes at most {MAX_CHANNELS} channels, not {channels}"
            )));
        }
        #[allow(clippy::manual_is_multiple_of)] // is_multiple_of is newer than our MSRV (1.80)
        if samples.is_empty() || samples.len() % channels != 0 {
            return Err(unsupported("flac needs whole frames of samples".into()));
        }
        let config = flacenc::config::Encoder::default()
            .into_verified()
            .map_err(|e| anyhow!("flac settings: {e:?}"))?;
        let source = flacenc::source::MemSource::from_samples(
            &samples,
            channels,
            16,
            layout.sample_rate as usize,
        );
        let stream = flacenc::encode_with_fixed_block_size(&config, source, config.block_size)
            .map_err(|e| anyhow!("flac encoding: {e:?}"))?;
        let mut sink = flacenc::bitsink::ByteSink::new();
        stream
            .write(&mut sink)
            .map_err(|e| anyhow!("flac writing: {e:?}"))?;

        let (head, tail) = (&data[..layout.data_start], &data[end..]);
        let mut out = Vec::with_capacity(8 + head.len() + tail.len() + sink.as_slice().len());
        out.extend_from_slice(&(head.len() as u32).to_le_bytes());
        out.extend_from_slice(head);
        out.extend_from_slice(&(tail.len() as u32).to_le_bytes());
        out.extend_from_slice(tail);
        out.extend_from_slice(sink.as_slice());
        Ok(out)
    }

    pub fn decompress(data: &[u8]) -> anyhow::Result<Vec<u8>> {
        let mut at = 0;
        let mut take = |n: usize| -> anyhow::Result<&[u8]> {
            let bytes = data
                .get(at..at + n)
                .context("flac container is truncated")?;
            at += n;
            Ok(bytes)
        };
        let head_len = u32::from_le_bytes(take(4)?.try_into()?) as usize;
        let head = take(head_len)?;
        let tail_len = u32::from_le_bytes(take(4)?.try_into()?) as usize;
        let tail = take(tail_len)?;
        let stream = &data[at..];
        let mut reader =
            claxon::FlacReader::new(stream).map_err(|e| anyhow!("flac stream: {e}"))?;
        let mut out = Vec::with_capacity(head.len() + tail.len() + stream.len() * 4);
        out.extend_from_slice(head);
        for sample in reader.samples() {
            let sample = sample.map_err(|e| anyhow!("flac stream: {e}"))?;
            out.extend_from_slice(&(sample as i16).to_le_bytes());
        }
        out.extend_from_slice(tail);
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_default_codec_round_trips() {
        let data: Vec<u8> =
            brainwire_synth::wav_bytes(&brainwire_synth::recording(3, 0.05), 19_531);
        for name in ["tables", "lite", "max", "bzip2", "xz", "zstd", "flac"] {
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
