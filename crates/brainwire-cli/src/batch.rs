//! `encode`, `decode` and `inspect`: the same file format as the challenge's
//! ./encode and ./decode, for many files at once.
//!
//! Files are worked on in parallel; one bad file does not stop the others.
//! Each failure is reported by name and the run's exit code is the most
//! serious one seen.

use crate::fail::{contain, Exit, Failure, Result};
use crate::files::{
    append_name, check_outputs, collect_counting, is_stdio, plan_outputs, prepare_output_dirs,
    read_input, strip_extension, write_output, Source,
};
use crate::memory;
use crate::out::{errln, outln};
use crate::progress;
use brainwire_core::Profile;
use rayon::prelude::*;
use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Extension of brainwire files.
pub const EXTENSION: &str = "bw";

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// With one profile, or (`None`) the smallest of the default candidates.
    Encode(Option<Profile>),
    Decode,
}

pub struct Batch<'a> {
    pub inputs: &'a [PathBuf],
    pub out: Option<&'a Path>,
    pub force: bool,
    pub direction: Direction,
}

/// Runs a batch encode or decode; prints a summary line (to stderr when
/// the data goes to standard output).
pub fn run(batch: Batch<'_>) -> Result<()> {
    let (ext, verb) = match batch.direction {
        Direction::Encode(_) => ("wav", "encoded"),
        Direction::Decode => (EXTENSION, "decoded"),
    };
    let (sources, skipped) = collect_counting(batch.inputs, ext)?;
    let single = batch.inputs.len() == 1 && (is_stdio(&batch.inputs[0]) || !batch.inputs[0].is_dir());
    let outputs = match batch.direction {
        Direction::Encode(_) => {
            plan_outputs(&sources, single, batch.out, |n| append_name(n, ".bw"))
        }
        Direction::Decode => plan_outputs(&sources, single, batch.out, decoded_name),
    }?;
    check_outputs(&sources, &outputs, batch.force)?;
    // A read-only or missing-permission output directory fails here, before
    // any work; stale temporary files of killed runs go too.
    let stale = prepare_output_dirs(&outputs)?;
    if stale > 0 {
        errln!("brainwire: note: removed {stale} temporary file(s) left by an interrupted run");
    }
    let to_stdout = outputs.iter().any(|o| crate::files::sink_for(o) == crate::files::Sink::Stdout);

    let started = Instant::now();
    let bar = progress::bytes_bar(sources.iter().map(|s| s.len).sum(), verb);
    let results: Vec<Result<(u64, u64)>> = sources
        .par_iter()
        .zip(outputs.par_iter())
        .map(|(source, output)| {
            bar.set_message(source.relative.display().to_string());
            let result = memory::working_on(&source.path, || {
                convert(source, output, batch.direction, batch.force, &|n| bar.inc(n))
            });
            // The coding half of this file's share of the bar.
            bar.inc(source.len);
            result
        })
        .collect();
    bar.finish_and_clear();

    let mut worst = Exit::Ok;
    let mut failed = 0;
    let (mut bytes_in, mut bytes_out, mut done) = (0u64, 0u64, 0usize);
    for result in results {
        match result {
            Ok((i, o)) => {
                bytes_in += i;
                bytes_out += o;
                done += 1;
            }
            Err(failure) if sources.len() == 1 => return Err(failure),
            Err(failure) => {
                errln!("brainwire: error: {failure}");
                worst = worst.max(failure.exit);
                failed += 1;
            }
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    let (raw, packed) = match batch.direction {
        Direction::Encode(_) => (bytes_in, bytes_out),
        Direction::Decode => (bytes_out, bytes_in),
    };
    let summary = format!(
        "{verb} {done} of {} files: {} -> {}, ratio {:.3}, {:.1} MB/s of recordings ({seconds:.2} s, {}){}",
        sources.len(),
        progress::bytes(bytes_in),
        progress::bytes(bytes_out),
        raw as f64 / packed.max(1) as f64,
        raw as f64 / 1e6 / seconds.max(1e-9),
        progress::threads(),
        skipped.describe(ext),
    );
    if to_stdout {
        errln!("brainwire: {summary}");
    } else {
        outln!("{summary}");
    }
    if failed == 0 {
        return Ok(());
    }
    Err(Failure::new(
        worst,
        anyhow::anyhow!("{failed} of {} files failed (listed above)", sources.len()),
    ))
}

/// A container error as one message: its Display already names the cause,
/// so the source chain would only repeat it.
pub fn plain(e: brainwire_container::Error) -> anyhow::Error {
    anyhow::anyhow!("{e}")
}

/// `x.wav.bw` decodes to `x.wav`; a name without `.bw` gets `.decoded`.
/// Names are bytes: any name, UTF-8 or not, maps to a distinct one.
fn decoded_name(name: &OsStr) -> OsString {
    strip_extension(name, EXTENSION).unwrap_or_else(|| append_name(name, ".decoded"))
}

/// Why a canonical WAV header that passed its checksum cannot be rebuilt:
/// its sizes overflow the WAV's 32-bit fields (no encoder writes that; the
/// checksum cannot catch it). `None` for any other header.
fn impossible_header(input: &[u8]) -> Option<String> {
    let info = brainwire_container::inspect(input).ok()?;
    let rate = info.sample_rate?;
    let data_len = info.sample_count.saturating_mul(2);
    brainwire_container::wav::canonical_header(rate, data_len)
        .is_none()
        .then(|| {
            format!(
                "the header announces {} samples at {rate} Hz, more than a WAV file can hold \
                 (a damaged file, or not one brainwire wrote)",
                info.sample_count
            )
        })
}

/// The exit code and words for a container error while decoding `input`.
fn decode_failure(path: &Path, input: &[u8], e: brainwire_container::Error) -> Failure {
    let name = if is_stdio(path) { "standard input".into() } else { format!("'{}'", path.display()) };
    if let (brainwire_container::Error::HeaderDamaged, Some(why)) = (&e, impossible_header(input)) {
        return Failure::bad_input(format!("cannot decode {name}: {why}"));
    }
    match e {
        brainwire_container::Error::TooLarge => Failure::new(
            Exit::OutOfMemory,
            anyhow::anyhow!("cannot decode {name}: out of memory for the recording it holds"),
        ),
        e => Failure::bad_input(format!("cannot decode {name}: {e}")),
    }
}

/// How far the container's decoder reserves its output before it grows it
/// by doubling (`RESERVE_PER_INPUT_BYTE` in brainwire-container's decode.rs).
const DECODE_RESERVE_PER_INPUT_BYTE: u64 = 8;

/// Asks, fallibly, for the memory decoding `input` will take at its peak,
/// and gives it back: a stream that expands past what this machine (or its
/// limits) allows then fails alone, with exit 5, and the batch goes on. The
/// decoder itself allocates infallibly (it is also the challenge's, where
/// every byte of code counts). Past its first reservation it grows by
/// doubling, old and new room held at once: half as much again.
fn memory_for_decode(path: &Path, input: &[u8]) -> Result<()> {
    // A header that does not parse, or describes no possible WAV file, is
    // decode's to report.
    let Ok(info) = brainwire_container::inspect(input) else { return Ok(()) };
    if impossible_header(input).is_some() {
        return Ok(());
    }
    let total = info.original_len;
    let first = (input.len() as u64).saturating_mul(DECODE_RESERVE_PER_INPUT_BYTE);
    let peak = if total > first { total.saturating_add(total / 2) } else { total };
    let fits = usize::try_from(peak)
        .ok()
        .is_some_and(|n| memory::fallible(|| Vec::<u8>::new().try_reserve_exact(n)).is_ok());
    if fits {
        return Ok(());
    }
    let name = if is_stdio(path) { "standard input".into() } else { format!("'{}'", path.display()) };
    Err(Failure::new(
        Exit::OutOfMemory,
        anyhow::anyhow!(
            "cannot decode {name}: out of memory (the decoded file is {}, decoding needs up to {})",
            progress::bytes(total),
            progress::bytes(peak)
        ),
    ))
}

/// Converts one file; returns (bytes read, bytes written). `progress` is
/// told the input's bytes as they are read.
fn convert(
    source: &Source,
    output: &Path,
    direction: Direction,
    replace: bool,
    progress: &dyn Fn(u64),
) -> Result<(u64, u64)> {
    let input = read_input(&source.path, source.found_in_dir, progress)?;
    let result = match direction {
        Direction::Encode(profile) => contain(|| match profile {
            Some(p) => brainwire_container::encode(&input, p),
            None => {
                brainwire_container::encode_best(&input, &brainwire_container::DEFAULT_CANDIDATES)
            }
        })
        .map_err(|e| {
            Failure::new(
                Exit::Internal,
                anyhow::anyhow!("cannot encode '{}': {e}", source.path.display()),
            )
        })?,
        Direction::Decode => {
            memory_for_decode(&source.path, &input)?;
            match contain(|| brainwire_container::decode(&input)) {
                Ok(Ok(bytes)) => bytes,
                Ok(Err(e)) => return Err(decode_failure(&source.path, &input, e)),
                Err(panic) => {
                    return Err(Failure::new(
                        Exit::Internal,
                        anyhow::anyhow!("cannot decode '{}': {panic}", source.path.display()),
                    ))
                }
            }
        }
    };
    write_output(output, &result, replace)?;
    Ok((input.len() as u64, result.len() as u64))
}

/// `inspect`: what a brainwire file holds, read from its header.
pub fn inspect(path: &Path) -> Result<()> {
    let bytes = read_input(path, false, &|_| {})?;
    let info = brainwire_container::inspect(&bytes)
        .map_err(|e| Failure::bad_input(format!("cannot inspect '{}': {e}", path.display())))?;
    let name = |o: Option<String>| o.unwrap_or_else(|| "unknown to this build".into());
    outln!("file:            {}", path.display());
    outln!("format version:  {}", info.version);
    outln!("kind:            {:?}", info.kind);
    outln!("original size:   {} bytes", info.original_len);
    outln!(
        "compressed size: {} bytes (ratio {:.3})",
        info.compressed_len,
        info.original_len as f64 / info.compressed_len.max(1) as f64
    );
    outln!("CRC-32C:         {:08x}", info.crc);
    if info.kind == brainwire_container::Kind::Pcm16Wav {
        outln!(
            "profile:         {}",
            name(info.profile.map(|p| p.name().to_string()))
        );
        outln!(
            "ADC lattice:     {}",
            name(info.lattice.map(|l| format!("{l:?}")))
        );
        match info.sample_rate {
            Some(rate) => outln!(
                "samples:         {} at {rate} Hz ({:.2} s)",
                info.sample_count,
                info.sample_count as f64 / rate.max(1) as f64
            ),
            None => outln!("samples:         {}", info.sample_count),
        }
        outln!(
            "WAV header:      {}",
            if info.canonical_header {
                "canonical, rebuilt on decode"
            } else {
                "stored verbatim"
            }
        );
        outln!(
            "codec stream:    {} bytes ({:.3} bits/sample)",
            info.stream_len,
            info.stream_len as f64 * 8.0 / info.sample_count.max(1) as f64
        );
        outln!("stored verbatim: {} bytes", info.verbatim_len);
    } else {
        outln!(
            "stored verbatim: {} bytes (not a 16-bit PCM WAV file)",
            info.verbatim_len
        );
    }
    outln!("(the header was checked; `brainwire decode` checks the samples against the CRC)");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::decoded_name;
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;

    #[test]
    fn decoded_names_drop_the_bw_extension() {
        let d = |n: &str| decoded_name(OsStr::new(n));
        assert_eq!(d("a.wav.bw"), "a.wav");
        assert_eq!(d("a.wav.BW"), "a.wav");
        assert_eq!(d("a.bin"), "a.bin.decoded");
        assert_eq!(d(".bw"), ".bw.decoded");
        // Multi-byte and non-UTF-8 names: bytes, never a char boundary.
        assert_eq!(d("éab"), "éab.decoded");
        assert_eq!(d("é.bw"), "é");
        let raw = decoded_name(OsStr::from_bytes(b"\xff\xfe.wav.bw"));
        assert_eq!(raw.as_bytes(), b"\xff\xfe.wav");
    }
}
