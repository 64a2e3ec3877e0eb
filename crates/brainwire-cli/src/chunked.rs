//! Multi-channel recordings in the chunked format (`brainwire-chunked`):
//! raw interleaved binaries (`--channels N`), N-channel WAV files (PCM and
//! WAVE_FORMAT_EXTENSIBLE), SpikeGLX `.bin` + `.meta`, Open Ephys binary
//! folders (`structure.oebin` + `continuous/*/continuous.dat`); decoding them whole or
//! a time window of some channels; inspecting them.
//!
//! Everything streams: input read and output written piece by piece, through
//! a temporary file renamed into place at the end, so memory stays bounded
//! whatever the file size and a failure leaves no partial output. The bytes
//! around the samples (a WAV header, chunks after the data) ride in the
//! stream's metadata as JSON, so `decode` restores the input byte for byte.

use crate::fail::{Classify, Exit, Failure, Result};
use brainwire_chunked::{EncodeOptions, Reader, SampleType, Writer};
use clap::Args;
use serde_json::{json, Value};
use sha1::{Digest, Sha1};
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// Bytes read from the input per write into the encoder.
const PIECE_BYTES: usize = 8 << 20;
/// Largest WAV header plus trailing chunks kept in the metadata (hex doubles
/// them; the metadata holds 64 KiB).
const MAX_WAV_FRAMING_BYTES: usize = 24 << 10;
/// Chunks a window decode asks the reader for at once.
const WINDOW_CHUNKS: u64 = 8;

/// `encode` options for multi-channel recordings.
#[derive(Args, Default)]
pub struct EncodeArgs {
    /// Channels of a raw interleaved binary: code IN in the chunked
    /// multi-channel format (N-channel WAV and SpikeGLX .bin + .meta need no
    /// flag).
    #[arg(long, value_name = "N")]
    pub channels: Option<usize>,
    /// Sample type of a raw binary: int16 (default), uint16, int32 or int8.
    #[arg(long, value_name = "TYPE", requires = "channels")]
    pub dtype: Option<String>,
    /// Sampling rate of a raw binary in Hz (chunks are then 1 s long).
    #[arg(long, value_name = "HZ", requires = "channels")]
    pub rate: Option<f64>,
    /// Chunk length in seconds (default 1; 30000 frames without a rate).
    /// A window decodes from its chunk's start: for fast random access,
    /// `--chunk-seconds 0.1 --profile swift` (a 100 ms window of 384
    /// channels in under 50 ms on 2 cores, 1.5 % larger; docs/chunked.md).
    #[arg(long, value_name = "SEC")]
    pub chunk_seconds: Option<f64>,
}

/// `decode` options: a time window and a channel subset.
#[derive(Args, Default)]
pub struct WindowArgs {
    /// Start of the window in seconds (chunked files only).
    #[arg(long, value_name = "SEC")]
    pub start: Option<f64>,
    /// Length of the window in seconds (default: to the end).
    #[arg(long, value_name = "SEC")]
    pub duration: Option<f64>,
    /// Channels of the window, e.g. 0,3,8-15 (default: all).
    #[arg(long = "channels", value_name = "LIST")]
    pub channel_list: Option<String>,
}

impl WindowArgs {
    fn is_window(&self) -> bool {
        self.start.is_some() || self.duration.is_some() || self.channel_list.is_some()
    }
}

/// What a chunked stream's samples came from, and how to put them back.
enum Source {
    /// The file is the samples (and a tail), nothing else.
    Raw,
    /// A WAV file: `prefix` (RIFF header up to the samples), the samples,
    /// `suffix` (anything after them).
    Wav { prefix: Vec<u8>, suffix: Vec<u8> },
    /// A SpikeGLX binary; its `.meta` text is kept.
    SpikeGlx,
    /// An Open Ephys `continuous.dat`; its `structure.oebin` entry is kept.
    OpenEphys,
}

/// One continuous stream of an Open Ephys binary recording folder.
struct OpenEphysStream {
    dat: PathBuf,
    /// `continuous/<folder>/continuous.dat`, its place under an output
    /// directory.
    relative: PathBuf,
    channels: usize,
    rate: f64,
    entry: Value,
}

/// The continuous streams `dir/structure.oebin` lists.
fn open_ephys_streams(dir: &Path) -> Result<Vec<OpenEphysStream>> {
    let oebin = dir.join("structure.oebin");
    let text = std::fs::read(&oebin).or_io(|| format!("cannot read '{}'", oebin.display()))?;
    let bad = |what: &str| Failure::bad_input(format!("'{}': {what}", oebin.display()));
    let json: Value = serde_json::from_slice(&text).map_err(|e| bad(&format!("not JSON ({e})")))?;
    let list = json.get("continuous").and_then(Value::as_array).ok_or_else(|| bad("no \"continuous\" list"))?;
    let mut streams = Vec::new();
    for entry in list {
        let folder = entry.get("folder_name").and_then(Value::as_str).map(|f| f.trim_end_matches('/')).filter(|f| !f.is_empty() && !f.contains("..")).ok_or_else(|| bad("a continuous stream without a valid folder_name"))?;
        let channels = entry.get("num_channels").and_then(Value::as_u64).filter(|&n| n > 0).ok_or_else(|| bad("a continuous stream without num_channels"))? as usize;
        let rate = entry.get("sample_rate").and_then(Value::as_f64).filter(|r| r.is_finite() && *r > 0.0).ok_or_else(|| bad("a continuous stream without sample_rate"))?;
        let relative = Path::new("continuous").join(folder).join("continuous.dat");
        streams.push(OpenEphysStream { dat: dir.join(&relative), relative, channels, rate, entry: entry.clone() });
    }
    if streams.is_empty() {
        return Err(bad("no continuous streams"));
    }
    Ok(streams)
}

/// An input recording, opened, positioned at its first sample byte.
struct Input {
    file: BufReader<File>,
    source: Source,
    dtype: SampleType,
    channels: usize,
    rate_hz: Option<f64>,
    sample_bytes: u64,
    metadata: Value,
    /// SpikeGLX: the SHA-1 the `.meta` records for the `.bin`.
    sha1: Option<String>,
}

fn chunked_error(e: brainwire_chunked::Error) -> Failure {
    let exit = match e {
        brainwire_chunked::Error::Io(_) => Exit::Io,
        brainwire_chunked::Error::InvalidArgument(_) => Exit::Usage,
        _ => Exit::BadInput,
    };
    Failure::new(exit, anyhow::anyhow!("{e}"))
}

/// True when the first bytes of `path` are the chunked format's magic.
pub fn is_chunked(path: &Path) -> bool {
    let mut magic = [0u8; 4];
    File::open(path).and_then(|mut f| f.read_exact(&mut magic)).is_ok() && magic == brainwire_chunked::MAGIC
}

/// The `.meta` beside a SpikeGLX `.bin`.
fn spikeglx_meta(path: &Path) -> Option<PathBuf> {
    let is_bin = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("bin"));
    let meta = path.with_extension("meta");
    (is_bin && meta.is_file()).then_some(meta)
}

/// The WAV's channel count, when it is a readable WAV.
fn wav_channels(path: &Path) -> Option<u16> {
    let mut head = [0u8; 64];
    let mut f = File::open(path).ok()?;
    let n = f.read(&mut head).ok()?;
    let head = &head[..n];
    if head.len() < 24 || &head[..4] != b"RIFF" || &head[8..12] != b"WAVE" || &head[12..16] != b"fmt " {
        return None;
    }
    Some(u16::from_le_bytes([head[22], head[23]]))
}

/// Whether `encode` should write the chunked format for these inputs: a
/// `--channels`, a SpikeGLX `.bin` with its `.meta`, or a WAV of more than
/// one channel.
pub fn wants_encode(inputs: &[PathBuf], args: &EncodeArgs) -> bool {
    args.channels.is_some()
        || inputs.iter().any(|p| {
            (p.is_file() && (spikeglx_meta(p).is_some() || wav_channels(p).is_some_and(|c| c > 1))) || (p.is_dir() && p.join("structure.oebin").is_file())
        })
}

/// Whether `decode` should read the chunked format: a window was asked for,
/// or an input file is a chunked stream.
pub fn wants_decode(inputs: &[PathBuf], args: &WindowArgs) -> bool {
    args.is_window() || inputs.iter().any(|p| p.is_file() && is_chunked(p))
}

fn open_input(path: &Path, args: &EncodeArgs, oe: Option<&OpenEphysStream>) -> Result<Input> {
    let file = File::open(path).or_io(|| format!("cannot read '{}'", path.display()))?;
    let len = file.metadata().or_io(|| format!("cannot read '{}'", path.display()))?.len();
    let file = BufReader::with_capacity(1 << 20, file);
    if let Some(oe) = oe {
        let metadata = json!({"source": "openephys", "oebin_entry": oe.entry});
        return Ok(Input { file, source: Source::OpenEphys, dtype: SampleType::I16, channels: oe.channels, rate_hz: Some(oe.rate), sample_bytes: len, metadata, sha1: None });
    }
    if let Some(n) = args.channels {
        let dtype = match args.dtype.as_deref() {
            None => SampleType::I16,
            Some(name) => SampleType::from_name(name).ok_or_else(|| Failure::usage(format!("unknown --dtype '{name}' (choose int16, uint16, int32 or int8)")))?,
        };
        if let Some(r) = args.rate {
            if !(r.is_finite() && r > 0.0) {
                return Err(Failure::usage(format!("--rate must be a positive number of Hz, not {r}")));
            }
        }
        return Ok(Input { file, source: Source::Raw, dtype, channels: n, rate_hz: args.rate, sample_bytes: len, metadata: json!({"source": "raw"}), sha1: None });
    }
    if let Some(meta_path) = spikeglx_meta(path) {
        let text = std::fs::read_to_string(&meta_path).or_io(|| format!("cannot read '{}'", meta_path.display()))?;
        let field = |key: &str| text.lines().find_map(|l| l.strip_prefix(key).and_then(|r| r.strip_prefix('='))).map(str::trim);
        let bad = |what: &str| Failure::bad_input(format!("'{}': {what}", meta_path.display()));
        let channels: usize = field("nSavedChans").and_then(|v| v.parse().ok()).filter(|&n| n > 0).ok_or_else(|| bad("no valid nSavedChans"))?;
        let rate: f64 = field("imSampRate").or_else(|| field("niSampRate")).and_then(|v| v.parse().ok()).filter(|r: &f64| r.is_finite() && *r > 0.0).ok_or_else(|| bad("no valid imSampRate or niSampRate"))?;
        if let Some(size) = field("fileSizeBytes").and_then(|v| v.parse::<u64>().ok()) {
            if size != len {
                return Err(bad(&format!("fileSizeBytes={size} but the .bin has {len} bytes")));
            }
        }
        let mut metadata = json!({"source": "spikeglx"});
        // The .meta text rides along when it fits (it is a few KB).
        if text.len() < 48 << 10 {
            metadata["meta"] = Value::String(text.clone());
        }
        let sha1 = field("fileSHA1").map(|s| s.to_ascii_lowercase());
        return Ok(Input { file, source: Source::SpikeGlx, dtype: SampleType::I16, channels, rate_hz: Some(rate), sample_bytes: len, metadata, sha1 });
    }
    open_wav(path, file, len)
}

/// Parses a WAV's RIFF chunks up to its samples.
fn open_wav(path: &Path, mut file: BufReader<File>, len: u64) -> Result<Input> {
    let bad = |what: &str| Failure::bad_input(format!("'{}': {what}", path.display()));
    let mut prefix = vec![0u8; 12];
    file.read_exact(&mut prefix).map_err(|_| bad("not a WAV file (give --channels N for a raw binary)"))?;
    if &prefix[..4] != b"RIFF" || &prefix[8..12] != b"WAVE" {
        return Err(bad("not a WAV file (give --channels N for a raw binary)"));
    }
    let mut format: Option<(u16, usize, f64)> = None;
    loop {
        let mut head = [0u8; 8];
        file.read_exact(&mut head).map_err(|_| bad("no data chunk"))?;
        prefix.extend_from_slice(&head);
        let size = u64::from(u32::from_le_bytes(head[4..].try_into().unwrap()));
        if &head[..4] == b"data" {
            let (bits, channels, rate) = format.ok_or_else(|| bad("the data chunk comes before the fmt chunk"))?;
            let dtype = match bits {
                16 => SampleType::I16,
                32 => SampleType::I32,
                other => return Err(Failure::bad_input(format!("'{}': {other}-bit WAV samples are not supported (16 or 32-bit PCM)", path.display()))),
            };
            let start = prefix.len() as u64;
            // A streaming writer may leave the size unset: the samples then
            // run to the end of the file.
            let sample_bytes = size.min(len - start);
            let end = start + sample_bytes;
            if len - end > MAX_WAV_FRAMING_BYTES as u64 || prefix.len() > MAX_WAV_FRAMING_BYTES {
                return Err(bad("more than 24 KiB of WAV header or trailing chunks (not supported)"));
            }
            let mut suffix = vec![0u8; (len - end) as usize];
            file.seek(SeekFrom::Start(end)).or_io(|| format!("cannot read '{}'", path.display()))?;
            file.read_exact(&mut suffix).or_io(|| format!("cannot read '{}'", path.display()))?;
            file.seek(SeekFrom::Start(start)).or_io(|| format!("cannot read '{}'", path.display()))?;
            let metadata = json!({"source": "wav", "prefix": hex(&prefix), "suffix": hex(&suffix)});
            return Ok(Input { file, source: Source::Wav { prefix, suffix }, dtype, channels, rate_hz: Some(rate), sample_bytes, metadata, sha1: None });
        }
        let padded = size + (size & 1);
        if prefix.len() as u64 + padded > MAX_WAV_FRAMING_BYTES as u64 {
            return Err(bad("more than 24 KiB of WAV header before the samples (not supported)"));
        }
        let mut body = vec![0u8; padded as usize];
        file.read_exact(&mut body).map_err(|_| bad("a chunk runs past the end of the file"))?;
        if &head[..4] == b"fmt " {
            if body.len() < 16 {
                return Err(bad("fmt chunk too short"));
            }
            let tag = u16::from_le_bytes([body[0], body[1]]);
            // WAVE_FORMAT_EXTENSIBLE: the real format is the first two bytes
            // of the SubFormat GUID at offset 24.
            let tag = if tag == 0xFFFE && body.len() >= 26 { u16::from_le_bytes([body[24], body[25]]) } else { tag };
            if tag != 1 {
                return Err(bad(&format!("WAV format {tag:#06x} is not integer PCM")));
            }
            let channels = u16::from_le_bytes([body[2], body[3]]) as usize;
            let rate = u32::from_le_bytes(body[4..8].try_into().unwrap());
            let bits = u16::from_le_bytes([body[14], body[15]]);
            if channels == 0 || rate == 0 {
                return Err(bad("WAV with no channels or a zero sampling rate"));
            }
            format = Some((bits, channels, f64::from(rate)));
        }
        prefix.extend_from_slice(&body);
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok()).collect()
}

/// A file written through a temporary beside it, renamed into place by
/// `commit`; dropped uncommitted, the temporary is removed.
struct AtomicFile {
    temp: PathBuf,
    path: PathBuf,
    out: Option<BufWriter<File>>,
}

impl AtomicFile {
    fn create(path: &Path) -> Result<Self> {
        let parent = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        std::fs::create_dir_all(parent).or_io(|| format!("cannot create directory '{}'", parent.display()))?;
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let temp = parent.join(format!(".{name}.{}.tmp", std::process::id()));
        let file = File::create(&temp).or_io(|| format!("cannot write '{}'", temp.display()))?;
        Ok(Self { temp, path: path.to_path_buf(), out: Some(BufWriter::with_capacity(1 << 20, file)) })
    }

    fn writer(&mut self) -> &mut BufWriter<File> {
        self.out.as_mut().expect("open until committed")
    }

    fn commit(mut self) -> Result<()> {
        let out = self.out.take().expect("open until committed");
        let file = out.into_inner().map_err(|e| e.into_error()).or_io(|| format!("cannot write '{}'", self.path.display()))?;
        file.sync_all().or_io(|| format!("cannot write '{}'", self.path.display()))?;
        drop(file);
        std::fs::rename(&self.temp, &self.path).or_io(|| format!("cannot write '{}'", self.path.display()))
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if self.out.is_some() {
            self.out = None;
            let _ = std::fs::remove_file(&self.temp);
        }
    }
}

/// Where one input's output goes; refuses to replace an input or, without
/// `force`, an existing file.
fn output_for(input: &Path, out: Option<&Path>, many: bool, force: bool, rename: impl Fn(&str) -> String) -> Result<PathBuf> {
    let name = rename(&input.file_name().unwrap_or_default().to_string_lossy());
    let path = match out {
        Some(o) if !many && !o.is_dir() => o.to_path_buf(),
        Some(dir) => dir.join(name),
        None => input.with_file_name(name),
    };
    if let (Ok(a), Ok(b)) = (std::fs::canonicalize(input), std::fs::canonicalize(&path)) {
        if a == b {
            return Err(Failure::usage(format!("refusing to overwrite the input '{}' with its own output", path.display())));
        }
    }
    if path.exists() && !force {
        return Err(Failure::usage(format!("'{}' already exists; pass --force to replace it or -o to write elsewhere", path.display())));
    }
    Ok(path)
}

/// `encode` into the chunked format, one input after the other (each coded
/// on all cores).
pub fn encode(inputs: &[PathBuf], out: Option<&Path>, force: bool, profile: Option<brainwire_core::Profile>, args: &EncodeArgs) -> Result<()> {
    if let Some(s) = args.chunk_seconds {
        if !(s.is_finite() && s > 0.0) {
            return Err(Failure::usage(format!("--chunk-seconds must be positive, not {s}")));
        }
    }
    // Every (input file, output, Open Ephys stream) to code, checked before
    // any is written.
    let mut jobs = Vec::new();
    let many = inputs.len() > 1 || inputs.iter().any(|p| p.is_dir());
    for input in inputs {
        if input.is_dir() {
            if !input.join("structure.oebin").is_file() {
                return Err(Failure::usage(format!("'{}' is a directory without structure.oebin (multi-channel encode takes files and Open Ephys folders)", input.display())));
            }
            for oe in open_ephys_streams(input)? {
                let output = match out {
                    Some(dir) => dir.join(&oe.relative).with_file_name("continuous.dat.bw"),
                    None => oe.dat.with_file_name("continuous.dat.bw"),
                };
                if output.exists() && !force {
                    return Err(Failure::usage(format!("'{}' already exists; pass --force to replace it or -o to write elsewhere", output.display())));
                }
                jobs.push((oe.dat.clone(), output, Some(oe)));
            }
        } else {
            jobs.push((input.clone(), output_for(input, out, many, force, |n| format!("{n}.bw"))?, None));
        }
    }
    for (input, output, oe) in &jobs {
        let started = std::time::Instant::now();
        let (raw, coded) = encode_one(input, output, profile, args, oe.as_ref())?;
        let seconds = started.elapsed().as_secs_f64();
        println!(
            "encoded '{}' -> '{}': {raw} -> {coded} bytes, ratio {:.3}, {:.1} MB/s",
            input.display(),
            output.display(),
            raw as f64 / coded.max(1) as f64,
            raw as f64 / 1e6 / seconds.max(1e-9)
        );
    }
    Ok(())
}

fn encode_one(path: &Path, output: &Path, profile: Option<brainwire_core::Profile>, args: &EncodeArgs, oe: Option<&OpenEphysStream>) -> Result<(u64, u64)> {
    let mut input = open_input(path, args, oe)?;
    let chunk_frames = match (args.chunk_seconds, input.rate_hz) {
        (Some(s), Some(r)) => Some(((s * r).round() as usize).max(1)),
        (Some(s), None) => Some(((s * brainwire_chunked::DEFAULT_CHUNK_FRAMES as f64).round() as usize).max(1)),
        (None, _) => None,
    };
    let opts = EncodeOptions {
        profile,
        chunk_frames,
        rate_hz: input.rate_hz,
        metadata: serde_json::to_vec(&input.metadata).expect("JSON of plain values"),
        ..Default::default()
    };
    let mut file = AtomicFile::create(output)?;
    let mut writer = Writer::new(file.writer(), input.dtype, input.channels, &opts).map_err(chunked_error)?;
    let mut sha = input.sha1.is_some().then(Sha1::new);
    let mut left = input.sample_bytes;
    let mut piece = vec![0u8; PIECE_BYTES];
    while left > 0 {
        let n = (left as usize).min(PIECE_BYTES);
        input.file.read_exact(&mut piece[..n]).or_io(|| format!("cannot read '{}'", path.display()))?;
        if let Some(s) = sha.as_mut() {
            s.update(&piece[..n]);
        }
        writer.write_bytes(&piece[..n]).map_err(chunked_error)?;
        left -= n as u64;
    }
    if let (Some(s), Some(expected)) = (sha, &input.sha1) {
        let got = hex(&s.finalize());
        if &got != expected {
            return Err(Failure::bad_input(format!("'{}': its SHA-1 is {got} but the .meta records fileSHA1={expected} (damaged?)", path.display())));
        }
    }
    writer.finish().map_err(chunked_error)?;
    file.commit()?;
    let raw = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    let coded = std::fs::metadata(output).map(|m| m.len()).unwrap_or(0);
    if let Source::Wav { prefix, suffix } = &input.source {
        debug_assert_eq!(raw, prefix.len() as u64 + input.sample_bytes + suffix.len() as u64);
    }
    Ok((raw, coded))
}

/// A comma-separated list of channels and ranges (`0,3,8-15`).
fn parse_channels(list: &str, channels: u32) -> Result<Vec<usize>> {
    let mut out = Vec::new();
    for part in list.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let num = |s: &str| s.trim().parse::<usize>().map_err(|_| Failure::usage(format!("bad channel '{s}' in --channels {list}")));
        let (a, b) = match part.split_once('-') {
            Some((a, b)) => (num(a)?, num(b)?),
            None => (num(part)?, num(part)?),
        };
        if a > b || b >= channels as usize {
            return Err(Failure::usage(format!("channels {part} not in 0-{} (the file has {channels})", channels - 1)));
        }
        out.extend(a..=b);
    }
    if out.is_empty() {
        return Err(Failure::usage("--channels names no channel"));
    }
    Ok(out)
}

fn open_stream(path: &Path) -> Result<(Reader<BufReader<File>>, Value)> {
    let file = File::open(path).or_io(|| format!("cannot read '{}'", path.display()))?;
    let reader = Reader::new(BufReader::with_capacity(1 << 20, file)).map_err(chunked_error).map_err(|f| Failure::new(f.exit, f.error.context(format!("cannot decode '{}'", path.display()))))?;
    let meta = serde_json::from_slice(&reader.info().metadata).unwrap_or(Value::Null);
    Ok((reader, meta))
}

/// `x.bin.bw` decodes to `x.bin`; a name without `.bw` gets `.decoded`.
fn decoded_name(name: &str) -> String {
    match name.len().checked_sub(3) {
        Some(stem) if stem > 0 && name[stem..].eq_ignore_ascii_case(".bw") => name[..stem].to_string(),
        _ => format!("{name}.decoded"),
    }
}

/// `decode` of chunked files: the original bytes, or a window.
pub fn decode(inputs: &[PathBuf], out: Option<&Path>, force: bool, window: &WindowArgs) -> Result<()> {
    if window.is_window() && (inputs.len() != 1 || out.is_none()) {
        return Err(Failure::usage("a window (--start, --duration, --channels) takes one input and -o OUT"));
    }
    let many = inputs.len() > 1;
    for input in inputs {
        if !input.is_file() || !is_chunked(input) {
            return Err(Failure::bad_input(format!("'{}' is not a chunked brainwire file", input.display())));
        }
        let output = output_for(input, out, many, force, decoded_name)?;
        let (mut reader, meta) = open_stream(input)?;
        let context = |f: Failure| Failure::new(f.exit, f.error.context(format!("cannot decode '{}'", input.display())));
        let mut file = AtomicFile::create(&output)?;
        let written = if window.is_window() {
            write_window(&mut reader, window, file.writer()).map_err(context)?
        } else {
            let (prefix, suffix) = match meta.get("source").and_then(Value::as_str) {
                Some("wav") => {
                    let field = |k: &str| meta.get(k).and_then(Value::as_str).and_then(unhex).ok_or_else(|| Failure::bad_input(format!("'{}': damaged WAV framing in its metadata", input.display())));
                    (field("prefix")?, field("suffix")?)
                }
                _ => (Vec::new(), Vec::new()),
            };
            let w = file.writer();
            w.write_all(&prefix).or_io(|| format!("cannot write '{}'", output.display()))?;
            let mut samples = reader.into_read();
            let n = std::io::copy(&mut samples, w).map_err(|e| match e.kind() {
                std::io::ErrorKind::InvalidData => Failure::bad_input(e.to_string()),
                _ => Failure::new(Exit::Io, anyhow::anyhow!("{e}")),
            });
            let n = n.map_err(context)?;
            w.write_all(&suffix).or_io(|| format!("cannot write '{}'", output.display()))?;
            prefix.len() as u64 + n + suffix.len() as u64
        };
        file.commit()?;
        println!("decoded '{}' -> '{}': {written} bytes", input.display(), output.display());
    }
    Ok(())
}

/// Writes the window `args` asks for, chunk batch by chunk batch.
fn write_window(reader: &mut Reader<BufReader<File>>, args: &WindowArgs, out: &mut impl Write) -> Result<u64> {
    let info = reader.info();
    let to_frame = |sec: f64, what: &str| -> Result<u64> {
        let rate = info.rate_hz.ok_or_else(|| Failure::usage("the file records no sampling rate, so --start/--duration cannot be placed"))?;
        if !(sec.is_finite() && sec >= 0.0) {
            return Err(Failure::usage(format!("--{what} must be a non-negative number of seconds, not {sec}")));
        }
        Ok((sec * rate).round() as u64)
    };
    let start = match args.start {
        Some(s) => to_frame(s, "start")?,
        None => 0,
    };
    if start > info.frames {
        return Err(Failure::usage(format!("--start is past the end of the recording ({} frames)", info.frames)));
    }
    let frames = match args.duration {
        Some(d) => to_frame(d, "duration")?.min(info.frames - start),
        None => info.frames - start,
    };
    let channels = match &args.channel_list {
        Some(list) => parse_channels(list, info.channels)?,
        None => (0..info.channels as usize).collect(),
    };
    let step = reader.chunk_frames() * WINDOW_CHUNKS;
    let mut at = start;
    let mut written = 0u64;
    while at < start + frames {
        let n = step.min(start + frames - at);
        let bytes = reader.read_window(at, n, Some(&channels)).map_err(chunked_error)?;
        out.write_all(&bytes).or_io(|| "cannot write the window".to_string())?;
        written += bytes.len() as u64;
        at += n;
    }
    Ok(written)
}

/// `inspect` of a chunked file.
pub fn inspect(path: &Path) -> Result<()> {
    let (mut reader, meta) = open_stream(path)?;
    let info = reader.info();
    let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    let raw = info.frames * u64::from(info.channels) * info.dtype.width() as u64 + reader.tail().len() as u64;
    println!("file:            {}", path.display());
    println!("format:          chunked multi-channel, version {}", brainwire_chunked::VERSION);
    println!("source:          {}", meta.get("source").and_then(Value::as_str).unwrap_or("unknown"));
    println!("channels:        {}", info.channels);
    println!("sample type:     {}", info.dtype.name());
    match info.rate_hz {
        Some(rate) => println!("frames:          {} at {rate} Hz ({:.3} s)", info.frames, info.frames as f64 / rate),
        None => println!("frames:          {} (no sampling rate)", info.frames),
    }
    println!("chunks:          {} of {} frames", reader.chunk_count(), reader.chunk_frames());
    println!("samples:         {raw} bytes (+ {} bytes after the last whole frame)", reader.tail().len());
    println!("compressed:      {size} bytes (ratio {:.3}, samples only)", raw as f64 / size.max(1) as f64);
    println!("checksums:       {}", if reader.checksums() { "CRC-32 per chunk and channel, CRC-64 of the whole" } else { "off" });
    if reader.chunk_count() > 0 {
        let described = reader.describe_chunk(0).map_err(chunked_error)?;
        println!("lattice per channel (chunk 0):");
        // Runs of channels with the same description, on one line each.
        let mut c = 0;
        while c < described.len() {
            let text = described[c].0.to_string();
            let mut end = c + 1;
            while end < described.len() && described[end].0.to_string() == text {
                end += 1;
            }
            let bytes: u64 = described[c..end].iter().map(|d| d.1).sum();
            let range = if end - c == 1 { format!("{c}") } else { format!("{c}-{}", end - 1) };
            println!("  {range:>9}: {text} ({bytes} bytes)");
            c = end;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channel_lists_parse() {
        assert_eq!(parse_channels("0,3,8-10", 16).unwrap(), vec![0, 3, 8, 9, 10]);
        assert!(parse_channels("3-1", 16).is_err());
        assert!(parse_channels("16", 16).is_err());
        assert!(parse_channels("", 16).is_err());
    }

    #[test]
    fn hex_round_trips() {
        let b: Vec<u8> = (0..=255).collect();
        assert_eq!(unhex(&hex(&b)).unwrap(), b);
        assert!(unhex("abc").is_none());
        assert!(unhex("zz").is_none());
    }
}
