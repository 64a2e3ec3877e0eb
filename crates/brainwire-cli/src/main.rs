//! `brainwire`: the command-line tool around the brainwire codec.
//!
//! Batch encode/decode in the challenge's file format, the challenge
//! evaluation against general-purpose compressors, reports with plots,
//! synthetic recordings, and a look inside compressed files. This module
//! holds the argument definitions and maps every failure to an exit code.

mod batch;
mod chunked;
mod codecs;
mod eval;
mod fail;
mod files;
mod memory;
mod out;
mod plot;
mod progress;
mod report;

/// Out of memory outside the fallible decode path ends the run with one
/// line and exit 5 instead of an abort (see `memory`).
#[global_allocator]
static ALLOCATOR: memory::Checked = memory::Checked;

use clap::{Args, Parser, Subcommand};
use fail::{Classify, Exit, Failure, Result};
use out::{errln, outln};
use std::path::{Path, PathBuf};

const MAIN_HELP: &str = "\
Examples:
  brainwire synth -o data --files 20 --seconds 5
  brainwire encode data -o packed            # every data/**/*.wav -> packed/**/*.wav.bw
  brainwire decode packed -o restored        # every packed/**/*.bw -> restored/**/*.wav
  brainwire encode - -o - < a.wav > a.bw     # '-' is standard input / output
  brainwire eval data                        # brainwire profiles vs bzip2, xz, zstd
  brainwire report data -o report            # PNG and SVG plots, open report/index.html
  brainwire inspect packed/a.wav.bw

Outputs are written to a temporary file, flushed and renamed into place; an
existing file is never replaced without --force (not even by a run started
meanwhile). Devices and FIFOs named with -o are written in place.

Every error is one line, brainwire: error: ..., naming the file and the reason.
Exit codes:
  0  success
  1  usage: wrong arguments, nothing to work on, or an output that exists
  2  I/O: a file, directory or standard output could not be read or written
  3  bad input: a file is damaged, truncated or not what the command expects
  4  eval: a codec did not give back the original bytes
  5  out of memory (nothing was written for the files in progress)
  6  internal error: a bug in brainwire, please report it";

#[derive(Parser)]
#[command(
    name = "brainwire",
    version,
    about = "Lossless compression of raw electrode recordings (Neuralink compression challenge format)",
    after_help = MAIN_HELP
)]
struct Cli {
    /// Worker threads (default: one per core).
    #[arg(long, short = 'j', global = true, value_name = "N")]
    jobs: Option<usize>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Compress WAV files (or whole directories of them) into .bw files.
    #[command(after_help = concat!("\
Examples:
  brainwire encode a.wav                  # writes a.wav.bw beside it
  brainwire encode a.wav -o a.bw          # one file to a chosen name
  brainwire encode data -o packed         # data/**/*.wav -> packed/**/*.wav.bw
  brainwire encode data --profile max -o packed --force

The output is ./encode's container; ./decode reads it when the profile is max
(./encode's), `brainwire decode` reads every profile. Files that are not
16-bit PCM WAV are stored as they are, so any file round-trips.

Multi-channel recordings go into the chunked format (1 s chunks, any window
decodable on its own):
  brainwire encode rec.bin --channels 384 --dtype int16 --rate 30000
  brainwire encode rec.ap.bin             # SpikeGLX: channels and rate from rec.ap.meta
  brainwire encode array.wav              # a WAV of more than one channel
  brainwire encode recording1             # Open Ephys folder: each continuous.dat

", "Exit codes: 0 ok, 1 usage (also: an output that exists), 2 I/O, 3 bad input, 5 out of memory"))]
    Encode {
        #[command(flatten)]
        batch: BatchArgs,
        /// Trade-off between ratio and speed: lite, tables, max (version 5), max4,
        /// max3, fast, fast5, fast-widths or swift (fast's coder, decodes in
        /// ~0.8x fast's time, ~0.15 % larger). Without it, fast: within 0.1 % of
        /// max's ratio at about twice its speed (./encode writes max).
        #[arg(long, short, value_parser = parse_profile)]
        profile: Option<brainwire_core::Profile>,
        #[command(flatten)]
        chunked: chunked::EncodeArgs,
    },
    /// Restore the original files from .bw files (or directories of them).
    #[command(after_help = "\
Examples:
  brainwire decode a.wav.bw               # writes a.wav beside it
  brainwire decode packed -o restored     # packed/**/*.bw -> restored/**/*.wav
  brainwire decode rec.bin.bw --start 10 --duration 0.1 --channels 0-31 -o win.bin
                                          # chunked files: raw interleaved samples of a window

Every decoded file is checked against the CRC-32C recorded when it was encoded;
a damaged file is reported and nothing is written for it.

'-' reads standard input / writes standard output (the summary then goes to stderr).

Exit codes: 0 ok, 1 usage (also: an output that exists), 2 I/O, 3 damaged or not a brainwire file, 5 out of memory")]
    Decode {
        #[command(flatten)]
        batch: BatchArgs,
        #[command(flatten)]
        window: chunked::WindowArgs,
    },
    /// Run the challenge evaluation: round-trip every recording with each codec.
    #[command(after_help = "\
Examples:
  brainwire eval data.zip
  brainwire eval data --codec tables,max,xz --summary
  brainwire eval data.zip --codec max,challenge       # also runs ./encode and ./decode
  brainwire eval data.zip --json > results.json

Codecs (default: all but challenge and flac):
  lite, tables, max, fast   brainwire profiles
  challenge           runs --encode-bin IN OUT and --decode-bin IN OUT per file, as the challenge does
  bzip2, xz, zstd     general compressors at -9, -6 (-9 is no smaller on 5 s files), -19
  flac                the WAV's samples as FLAC, the bytes around them stored

The ratio is total raw bytes / total compressed bytes. For brainwire codecs the size
of ./encode and ./decode is added when both exist, as the challenge scores it.
MB/s/core is raw megabytes per second of one core's work.

A codec that cannot take a file (flac: not 16-bit PCM, more than 8 channels) is
reported as such and counted at the file's raw size, not as a failed round trip.

Exit codes: 0 ok, 1 usage, 2 I/O, 3 unreadable archive, 4 a round trip failed")]
    Eval {
        #[command(flatten)]
        set: SetArgs,
        /// Print JSON instead of tables.
        #[arg(long)]
        json: bool,
        /// Only the per-codec totals, not the per-file table.
        #[arg(long)]
        summary: bool,
    },
    /// Write plots about a recording set and the codecs on it (PNG and SVG).
    #[command(after_help = "\
Examples:
  brainwire report data.zip -o report
  brainwire report data --codec tables,max,xz -o report --file some-recording.wav

Writes to DIR: ratio_ecdf (per-file ratio of each codec), bits_over_time (coded
bits per sample along one recording, with its signal), bits_vs_entropy (each
recording's coded size against the entropy of its first differences),
residual_histogram (first difference of ADC codes), code_widths (how often each
ADC code occurs relative to its neighbours), as .png and .svg, plus summary.json
and index.html.

Exit codes: 0 ok, 1 usage, 2 I/O (also: no font for PNG text), 3 bad input, 4 a round trip failed")]
    Report {
        #[command(flatten)]
        set: SetArgs,
        /// Directory for the plots (created if missing).
        #[arg(long, short)]
        out: PathBuf,
        /// Recording to plot bits over time for (default: the one with the median ratio).
        #[arg(long)]
        file: Option<String>,
    },
    /// Write synthetic recordings shaped like the challenge data.
    #[command(after_help = "\
Examples:
  brainwire synth -o data --files 20 --seconds 5
  brainwire synth -o small --files 3 --seconds 0.5 --seed 7
  brainwire synth -o demo --files 1 --channels 32 --rate 30000 --seconds 10

Each file is one electrode: noise floor, local field potentials, a few spiking
units and rare artefacts, through a 10-bit ADC with uneven code widths, written
as mono 16-bit WAV at 19531 Hz. With --channels N each file is an N-channel
WAV of N such electrodes (for `brainwire encode`, which writes the chunked
multi-channel format for it); --rate sets the sampling rate. A file is built
in memory (2 bytes x channels x seconds x rate). The same seed always gives
the same files.

Exit codes: 0 ok, 1 usage, 2 I/O")]
    Synth {
        /// Directory to write into (created if missing).
        #[arg(long, short)]
        out: PathBuf,
        /// Number of recordings.
        #[arg(long, default_value_t = 10)]
        files: usize,
        /// Length of each recording in seconds.
        #[arg(long, default_value_t = 5.0)]
        seconds: f64,
        /// Seed: the same seed gives the same files.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Channels per file (one N-channel WAV each).
        #[arg(long, default_value_t = 1, value_name = "N")]
        channels: u16,
        /// Sampling rate in Hz.
        #[arg(long, default_value_t = brainwire_synth::SAMPLE_RATE, value_name = "HZ")]
        rate: u32,
    },
    /// Show what a .bw file holds (read from its header, without decoding).
    #[command(after_help = "\
Example:
  brainwire inspect packed/a.wav.bw

Exit codes: 0 ok, 1 usage, 2 I/O, 3 damaged or not a brainwire file")]
    Inspect {
        /// A file written by `brainwire encode` or ./encode.
        file: PathBuf,
    },
}

#[derive(Args)]
struct BatchArgs {
    /// Files, or directories searched recursively.
    #[arg(required = true, value_name = "INPUT")]
    inputs: Vec<PathBuf>,
    /// Output file (one input file) or directory (mirrors the input tree).
    /// Default: beside each input.
    #[arg(long, short, value_name = "OUT|DIR")]
    out: Option<PathBuf>,
    /// Replace outputs that already exist (inputs are never replaced).
    #[arg(long)]
    force: bool,
}

#[derive(Args)]
struct SetArgs {
    /// A directory of .wav files (searched recursively), a .zip of them, or one file.
    path: PathBuf,
    /// Comma-separated codecs to compare.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "max,fast,tables,lite,bzip2,xz,zstd"
    )]
    codec: Vec<String>,
    /// Challenge encoder: its size counts against brainwire's ratio; run by
    /// --codec challenge. Default: `encode` beside this executable or up to
    /// two directories above it (where build.sh puts it), whatever the
    /// current directory.
    #[arg(long, value_name = "PATH")]
    encode_bin: Option<PathBuf>,
    /// Challenge decoder (default: `decode`, found as --encode-bin is).
    #[arg(long, value_name = "PATH")]
    decode_bin: Option<PathBuf>,
}

fn parse_profile(name: &str) -> std::result::Result<brainwire_core::Profile, String> {
    brainwire_core::Profile::from_name(name).ok_or_else(|| {
        let names: Vec<_> = brainwire_core::Profile::ALL.iter().map(|p| p.name()).collect();
        format!("unknown profile '{name}' (choose {})", names.join(", "))
    })
}

impl SetArgs {
    /// The challenge binaries: as given, else found beside this executable.
    fn challenge_bins(&self) -> (PathBuf, PathBuf) {
        let beside = std::env::current_exe().ok().and_then(|exe| {
            exe.ancestors()
                .skip(1)
                .take(3)
                .map(|dir| (dir.join("encode"), dir.join("decode")))
                .find(|(e, d)| e.is_file() && d.is_file())
        });
        let (e, d) = beside.unwrap_or_else(|| {
            let here = std::env::current_exe()
                .ok()
                .and_then(|p| p.parent().map(Path::to_path_buf))
                .unwrap_or_default();
            (here.join("encode"), here.join("decode"))
        });
        (
            self.encode_bin.clone().unwrap_or(e),
            self.decode_bin.clone().unwrap_or(d),
        )
    }

    fn codecs(&self) -> Result<Vec<codecs::Codec>> {
        let mut list = Vec::new();
        let (encode_bin, decode_bin) = self.challenge_bins();
        for name in &self.codec {
            let name = name.trim();
            let codec = codecs::Codec::from_name(name, &encode_bin, &decode_bin).ok_or_else(|| {
                Failure::usage(format!(
                    "unknown codec '{name}' (choose from lite, tables, max, fast, challenge, bzip2, xz, zstd, flac)"
                ))
            })?;
            if let codecs::Codec::Challenge { encode, decode } = &codec {
                for bin in [encode, decode] {
                    if !bin.is_file() {
                        return Err(Failure::usage(format!(
                            "codec 'challenge' needs '{}'; build it or pass --encode-bin/--decode-bin",
                            bin.display()
                        )));
                    }
                }
            }
            list.push(codec);
        }
        if list.is_empty() {
            return Err(Failure::usage("no codec given"));
        }
        Ok(list)
    }

    fn binaries(&self) -> Option<eval::Binaries> {
        let (encode, decode) = self.challenge_bins();
        eval::Binaries::find(encode, decode)
    }
}

/// Below this address-space limit (`ulimit -v`) a pool gets one worker: each
/// further thread reserves a 64 MiB malloc arena of address space, so a
/// pool half-starts under such a limit and leaves too little for this
/// thread's stack to grow, which then fails as a segmentation fault rather
/// than an error.
const ONE_WORKER_BELOW_AS_BYTES: u64 = 1 << 30;

/// Below this limit not even one worker starts: its stack (2 MiB, mapped
/// whole) and its arena would take most of what is left for the heap, so
/// this thread does the work, its stack growing only as far as it needs.
const NO_WORKER_BELOW_AS_BYTES: u64 = 64 << 20;

/// The address-space limit of this process, when one is set.
fn address_space_limit() -> Option<u64> {
    let mut limit = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: getrlimit writes one rlimit through a valid pointer.
    let ok = unsafe { libc::getrlimit(libc::RLIMIT_AS, &mut limit) } == 0;
    (ok && limit.rlim_cur != libc::RLIM_INFINITY).then_some(limit.rlim_cur)
}

/// Runs `work` on a pool of `jobs` worker threads (default: one per core).
/// Under a small address-space limit, or when the system refuses that many
/// threads (a thread or memory limit), one worker does the work, after a
/// one-line warning; when it refuses even one, or the limit is below
/// [`NO_WORKER_BELOW_AS_BYTES`], this thread does (the pool is then this
/// thread, so nothing is spawned).
fn in_pool<T: Send>(jobs: Option<usize>, work: impl FnOnce() -> T + Send) -> T {
    let threads = |n: usize| rayon::ThreadPoolBuilder::new().num_threads(n);
    let wanted = jobs.map_or("worker".into(), |n| n.to_string());
    let limit = address_space_limit();
    if let Some(l) = limit.filter(|&l| l < ONE_WORKER_BELOW_AS_BYTES && jobs != Some(1)) {
        errln!("brainwire: warning: address space limited to {} MiB, too little for {wanted} threads; working on 1 thread", l >> 20);
    }
    let pool = match limit {
        Some(l) if l < NO_WORKER_BELOW_AS_BYTES => None,
        Some(l) if l < ONE_WORKER_BELOW_AS_BYTES && jobs != Some(1) => threads(1).build().ok(),
        _ => threads(jobs.unwrap_or(0))
            .build()
            .or_else(|e| {
                errln!("brainwire: warning: cannot start {wanted} threads ({e}); working on 1 thread");
                threads(1).build()
            })
            .ok(),
    };
    match pool {
        Some(pool) => pool.install(work),
        None => {
            // Building fails only if this thread is in a pool already, which
            // it is not.
            let _pool = threads(1).use_current_thread().build();
            work()
        }
    }
}

fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Encode { batch, profile, chunked } if chunked::wants_encode(&batch.inputs, &chunked) => {
            chunked::encode(&batch.inputs, batch.out.as_deref(), batch.force, profile, &chunked)
        }
        Command::Decode { batch, window } if chunked::wants_decode(&batch.inputs, &window) => {
            chunked::decode(&batch.inputs, batch.out.as_deref(), batch.force, &window)
        }
        Command::Encode { batch, profile, .. } => batch::run(batch::Batch {
            inputs: &batch.inputs,
            out: batch.out.as_deref(),
            force: batch.force,
            direction: batch::Direction::Encode(Some(profile.unwrap_or(brainwire_core::Profile::Fast))),
        }),
        Command::Decode { batch, .. } => batch::run(batch::Batch {
            inputs: &batch.inputs,
            out: batch.out.as_deref(),
            force: batch.force,
            direction: batch::Direction::Decode,
        }),
        Command::Eval { set, json, summary } => {
            let codecs = set.codecs()?;
            let recordings = files::load_recordings(&set.path)?;
            let evaluation = eval::evaluate(&recordings, codecs, set.binaries());
            if json {
                println!("{:#}", eval::to_json(&evaluation));
            } else {
                eval::print(&evaluation, summary);
            }
            evaluation.verdict()
        }
        Command::Report { set, out, file } => {
            let codecs = set.codecs()?;
            report::run(&set.path, codecs, set.binaries(), &out, file.as_deref())
        }
        Command::Synth {
            out,
            files,
            seconds,
            seed,
            channels,
            rate,
        } => synth(&out, files, seconds, seed, channels, rate),
        Command::Inspect { file } if chunked::is_chunked(&file) => chunked::inspect(&file),
        Command::Inspect { file } => batch::inspect(&file),
    }
}

fn synth(out: &Path, files: usize, seconds: f64, seed: u64, channels: u16, rate: u32) -> Result<()> {
    if !(seconds.is_finite() && seconds > 0.0 && seconds <= 3600.0) {
        return Err(Failure::usage(format!(
            "--seconds must be between 0 and 3600, not {seconds}"
        )));
    }
    if files == 0 {
        return Err(Failure::usage("--files must be at least 1"));
    }
    if channels == 0 || rate == 0 {
        return Err(Failure::usage("--channels and --rate must be at least 1"));
    }
    let paths = brainwire_synth::write_dir_channels(out, files, seconds, seed, channels, rate)
        .or_io(|| format!("cannot write synthetic recordings to '{}'", out.display()))?;
    let bytes: u64 = paths
        .iter()
        .filter_map(|p| std::fs::metadata(p).ok())
        .map(|m| m.len())
        .sum();
    outln!(
        "wrote {} synthetic recordings of {seconds} s{} ({}) to {} (seed {seed})",
        paths.len(),
        if channels > 1 || rate != brainwire_synth::SAMPLE_RATE { format!(", {channels} channels at {rate} Hz") } else { String::new() },
        progress::bytes(bytes),
        out.display()
    );
    Ok(())
}

fn main() -> std::process::ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // Help and version go to stdout with exit 0; usage errors exit 1
            // (clap's own default would be 2, which we keep for I/O).
            if e.print().is_err() {
                out::record(&std::io::Error::other("closed"));
            }
            return std::process::ExitCode::from(if e.use_stderr() {
                Exit::Usage as u8
            } else {
                0
            });
        }
    };
    if cli.jobs == Some(0) {
        errln!("brainwire: error: --jobs must be at least 1");
        return std::process::ExitCode::from(Exit::Usage as u8);
    }
    let jobs = cli.jobs;
    let result = in_pool(jobs, || fail::contain(|| run(cli)))
        .unwrap_or_else(|panic| Err(fail::internal(panic)));
    let mut exit = Exit::Ok;
    for failure in [result.err(), out::finish().err()].into_iter().flatten() {
        errln!("brainwire: error: {failure}");
        exit = exit.max(failure.exit);
    }
    std::process::ExitCode::from(exit as u8)
}
