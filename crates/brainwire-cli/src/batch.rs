//! `encode`, `decode` and `inspect`: the same file format as the challenge's
//! ./encode and ./decode, for many files at once.
//!
//! Files are worked on in parallel; one bad file does not stop the others.
//! Each failure is reported by name and the run's exit code is the most
//! serious one seen.

use crate::fail::{contain, Classify, Exit, Failure, Result};
use crate::files::{check_outputs, collect, plan_outputs, write_atomically, Source};
use crate::progress;
use brainwire_core::Profile;
use rayon::prelude::*;
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

/// Runs a batch encode or decode; prints a summary line on success.
pub fn run(batch: Batch<'_>) -> Result<()> {
    let (ext, verb) = match batch.direction {
        Direction::Encode(_) => ("wav", "encoded"),
        Direction::Decode => (EXTENSION, "decoded"),
    };
    let sources = collect(batch.inputs, ext)?;
    let single = batch.inputs.len() == 1 && !batch.inputs[0].is_dir();
    let outputs = match batch.direction {
        Direction::Encode(_) => {
            plan_outputs(&sources, single, batch.out, |n| format!("{n}.{EXTENSION}"))
        }
        Direction::Decode => plan_outputs(&sources, single, batch.out, decoded_name),
    };
    check_outputs(&sources, &outputs, batch.force)?;

    let started = Instant::now();
    let bar = progress::bar(sources.len() as u64, verb);
    let results: Vec<Result<(u64, u64)>> = sources
        .par_iter()
        .zip(outputs.par_iter())
        .map(|(source, output)| {
            let result = convert(source, output, batch.direction);
            bar.inc(1);
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
                eprintln!("brainwire: error: {failure}");
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
    println!(
        "{verb} {done} of {} files: {} -> {}, ratio {:.3}, {:.1} MB/s of recordings ({seconds:.2} s, {})",
        sources.len(),
        progress::bytes(bytes_in),
        progress::bytes(bytes_out),
        raw as f64 / packed.max(1) as f64,
        raw as f64 / 1e6 / seconds.max(1e-9),
        progress::threads(),
    );
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
fn decoded_name(name: &str) -> String {
    match name.len().checked_sub(EXTENSION.len() + 1) {
        Some(stem) if name[stem..].eq_ignore_ascii_case(".bw") && stem > 0 => {
            name[..stem].to_string()
        }
        _ => format!("{name}.decoded"),
    }
}

/// Converts one file; returns (bytes read, bytes written).
fn convert(source: &Source, output: &Path, direction: Direction) -> Result<(u64, u64)> {
    let input =
        std::fs::read(&source.path).or_io(|| format!("cannot read '{}'", source.path.display()))?;
    let result = match direction {
        Direction::Encode(profile) => contain(|| match profile {
            Some(p) => brainwire_container::encode(&input, p),
            None => {
                brainwire_container::encode_best(&input, &brainwire_container::DEFAULT_CANDIDATES)
            }
        })
        .map_err(|e| {
            Failure::new(
                Exit::BadInput,
                anyhow::anyhow!("cannot encode '{}': {e}", source.path.display()),
            )
        })?,
        Direction::Decode => contain(|| brainwire_container::decode(&input))
            .map_err(anyhow::Error::msg)
            .and_then(|r| r.map_err(plain))
            .or_bad(|| format!("cannot decode '{}'", source.path.display()))?,
    };
    write_atomically(output, &result)?;
    Ok((input.len() as u64, result.len() as u64))
}

/// `inspect`: what a brainwire file holds, read from its header.
pub fn inspect(path: &Path) -> Result<()> {
    let bytes = std::fs::read(path).or_io(|| format!("cannot read '{}'", path.display()))?;
    let info = brainwire_container::inspect(&bytes)
        .map_err(plain)
        .or_bad(|| format!("'{}' is not a readable brainwire file", path.display()))?;
    let name = |o: Option<String>| o.unwrap_or_else(|| "unknown to this build".into());
    println!("file:            {}", path.display());
    println!("format version:  {}", info.version);
    println!("kind:            {:?}", info.kind);
    println!("original size:   {} bytes", info.original_len);
    println!(
        "compressed size: {} bytes (ratio {:.3})",
        info.compressed_len,
        info.original_len as f64 / info.compressed_len.max(1) as f64
    );
    println!("CRC-32C:         {:08x}", info.crc);
    if info.kind == brainwire_container::Kind::Pcm16Wav {
        println!(
            "profile:         {}",
            name(info.profile.map(|p| p.name().to_string()))
        );
        println!(
            "ADC lattice:     {}",
            name(info.lattice.map(|l| format!("{l:?}")))
        );
        match info.sample_rate {
            Some(rate) => println!(
                "samples:         {} at {rate} Hz ({:.2} s)",
                info.sample_count,
                info.sample_count as f64 / rate.max(1) as f64
            ),
            None => println!("samples:         {}", info.sample_count),
        }
        println!(
            "WAV header:      {}",
            if info.canonical_header {
                "canonical, rebuilt on decode"
            } else {
                "stored verbatim"
            }
        );
        println!(
            "codec stream:    {} bytes ({:.3} bits/sample)",
            info.stream_len,
            info.stream_len as f64 * 8.0 / info.sample_count.max(1) as f64
        );
        println!("stored verbatim: {} bytes", info.verbatim_len);
    } else {
        println!(
            "stored verbatim: {} bytes (not a 16-bit PCM WAV file)",
            info.verbatim_len
        );
    }
    println!("(the header was checked; `brainwire decode` checks the samples against the CRC)");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::decoded_name;

    #[test]
    fn decoded_names_drop_the_bw_extension() {
        assert_eq!(decoded_name("a.wav.bw"), "a.wav");
        assert_eq!(decoded_name("a.wav.BW"), "a.wav");
        assert_eq!(decoded_name("a.bin"), "a.bin.decoded");
        assert_eq!(decoded_name(".bw"), ".bw.decoded");
    }
}
