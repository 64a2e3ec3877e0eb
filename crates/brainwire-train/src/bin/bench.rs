//! `bench`: the ratio bench. For a directory of recordings it prints, per
//! profile, the challenge ratio (binaries counted when given), bits/sample,
//! the worst and median file, encode and decode speed; then an ablation table
//! of the max and tables profiles: what each part of the model saves.
//!
//! ```text
//! cargo run --release -p brainwire-train --bin bench -- DATA_DIR [--split all|train|heldout]
//!     [--binaries ./encode ./decode] [--no-ablation]
//! ```
//!
//! Speeds are single-threaded wall-clock figures of this machine, printed to
//! compare, not asserted anywhere.

use brainwire_core::tables::{self, Ablation};
use brainwire_core::predictor::Stages;
use brainwire_core::ByteCounter;
use brainwire_core::tables::residual::Parts;
use brainwire_core::{max, AdcLattice, Profile};
use brainwire_train::corpus::{self, Split};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

struct Recording {
    bytes: Vec<u8>,
    samples: Vec<i16>,
}

struct Options {
    dir: PathBuf,
    split: Option<Split>,
    binaries: Option<(PathBuf, PathBuf)>,
    ablation: bool,
}

fn parse(args: &[String]) -> Result<Options, String> {
    let mut o = Options { dir: PathBuf::new(), split: None, binaries: None, ablation: true };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--split" => {
                o.split = match it.next().map(String::as_str) {
                    Some("all") => None,
                    Some("train") => Some(Split::Train),
                    Some("heldout") => Some(Split::HeldOut),
                    other => return Err(format!("--split takes all, train or heldout, not {other:?}")),
                }
            }
            "--binaries" => match (it.next(), it.next()) {
                (Some(e), Some(d)) => o.binaries = Some((e.into(), d.into())),
                _ => return Err("--binaries takes two paths: ENCODE DECODE".into()),
            },
            "--no-ablation" => o.ablation = false,
            s if s.starts_with('-') => return Err(format!("unknown option {s}")),
            s => o.dir = s.into(),
        }
    }
    if o.dir.as_os_str().is_empty() {
        return Err("usage: bench DATA_DIR [--split all|train|heldout] [--binaries ENCODE DECODE] [--no-ablation]".into());
    }
    Ok(o)
}

fn load(dir: &Path, split: Option<Split>) -> Result<Vec<Recording>, String> {
    let mut paths = corpus::files(dir, Split::Train).map_err(|e| e.to_string())?;
    paths.extend(corpus::files(dir, Split::HeldOut).map_err(|e| e.to_string())?);
    paths.sort();
    let mut out = Vec::new();
    for (i, p) in paths.iter().enumerate() {
        if split.is_some_and(|s| !s.contains(i)) {
            continue;
        }
        let bytes = std::fs::read(p).map_err(|e| format!("{}: {e}", p.display()))?;
        let samples = corpus::samples(p).map_err(|e| e.to_string())?.unwrap_or_default();
        out.push(Recording { bytes, samples });
    }
    Ok(out)
}

/// Challenge figures of one profile over all recordings.
fn profile_row(profile: Profile, recs: &[Recording], binary_bytes: u64) -> Result<(), String> {
    let (mut raw, mut packed, mut samples) = (0u64, 0u64, 0u64);
    let (mut t_enc, mut t_dec) = (Duration::ZERO, Duration::ZERO);
    let mut ratios = Vec::with_capacity(recs.len());
    for r in recs {
        let t = Instant::now();
        let c = brainwire_container::encode(&r.bytes, profile);
        t_enc += t.elapsed();
        let t = Instant::now();
        let back = brainwire_container::decode(&c).map_err(|e| format!("{} decode failed: {e}", profile.name()))?;
        t_dec += t.elapsed();
        if back != r.bytes {
            return Err(format!("{}: round trip differs", profile.name()));
        }
        raw += r.bytes.len() as u64;
        packed += c.len() as u64;
        samples += r.samples.len() as u64;
        ratios.push(r.bytes.len() as f64 / c.len() as f64);
    }
    ratios.sort_by(f64::total_cmp);
    let ms = |d: Duration| samples as f64 / d.as_secs_f64() / 1e6;
    println!(
        "{:<8} {:>11.4} {:>9.4} {:>10.4} {:>8.3} {:>8.3} {:>9.1} {:>9.1}",
        profile.name(),
        packed as f64 * 8.0 / samples.max(1) as f64,
        raw as f64 / packed as f64,
        raw as f64 / (packed + binary_bytes) as f64,
        ratios.first().copied().unwrap_or(0.0),
        ratios.get(ratios.len() / 2).copied().unwrap_or(0.0),
        ms(t_enc),
        ms(t_dec),
    );
    Ok(())
}

/// Coded bits/sample over all recordings of a per-recording encoder that
/// returns its stream's size in bytes (two threads).
fn coded_bits(recs: &[Recording], bytes_of: impl Fn(&[i16], AdcLattice) -> u64 + Sync) -> f64 {
    let work = |part: &[Recording]| {
        part.iter().fold((0u64, 0u64), |(b, n), r| {
            (b + bytes_of(&r.samples, AdcLattice::detect(&r.samples)), n + r.samples.len() as u64)
        })
    };
    let half = recs.len() / 2;
    let (a, b) = std::thread::scope(|s| {
        let h = s.spawn(|| work(&recs[..half]));
        let b = work(&recs[half..]);
        (h.join().expect("bench worker"), b)
    });
    (a.0 + b.0) as f64 * 8.0 / (a.1 + b.1).max(1) as f64
}

/// The bytes `code` writes.
fn counted(code: impl FnOnce(&mut ByteCounter)) -> u64 {
    let mut sink = ByteCounter::default();
    code(&mut sink);
    sink.0
}

/// Bytes of the tables profile's stream with some stages off.
fn tables_bytes(samples: &[i16], lattice: AdcLattice, ablation: Ablation) -> u64 {
    let mut enc = tables::Encoder::with_ablation(lattice, ablation);
    counted(|sink| {
        samples.iter().for_each(|&s| {
            enc.push(s, sink);
        });
        enc.finish(sink)
    })
}

/// Bytes of the max profile's stream with some parts off.
fn max_bytes(samples: &[i16], lattice: AdcLattice, ablation: max::Ablation) -> u64 {
    let mut enc = max::Encoder::with_ablation(lattice, ablation);
    counted(|sink| {
        samples.iter().for_each(|&s| enc.push(s, sink));
        enc.finish(sink)
    })
}

fn print_rows(title: &str, full: f64, rows: impl IntoIterator<Item = (&'static str, f64)>) {
    println!("\n{title} (bits/sample of the codec stream; saving = cost of removing the part)");
    println!("{:<30} {:>11} {:>9}", "part removed", "bits/sample", "saving");
    println!("{:<30} {:>11.4} {:>9}", "(none: full model)", full, "-");
    for (name, b) in rows {
        println!("{:<30} {:>11.4} {:>+9.4}", name, b, b - full);
    }
}

fn ablation_tables(recs: &[Recording]) {
    let max_full = max::Ablation::NONE;
    let max_rows: [(&str, max::Ablation); 5] = [
        ("code-width prior (edges)", max::Ablation { width_prior: false, ..max_full }),
        ("difference NLMS (16 taps)", max::Ablation { nlms: false, ..max_full }),
        ("learned NLMS start weights", max::Ablation { learned_weights: false, ..max_full }),
        ("slow variance", max::Ablation { slow_variance: false, ..max_full }),
        ("fast variance", max::Ablation { fast_variance: false, ..max_full }),
    ];
    let full = coded_bits(recs, |s, l| max_bytes(s, l, max_full));
    let rows = max_rows.map(|(name, a)| (name, coded_bits(recs, |s, l| max_bytes(s, l, a))));
    print_rows("ablation of the max profile", full, rows);

    let all = Ablation::NONE;
    let r = all.residual;
    let tables_rows: [(&str, Ablation); 6] = [
        ("difference NLMS (16 taps)", Ablation { predictor: Stages { difference_nlms: false, level: false }, ..all }),
        ("code-width prior", Ablation { residual: Parts { width_prior: false, ..r }, ..all }),
        ("learned initial shapes", Ablation { residual: Parts { learned_shapes: false, ..r }, ..all }),
        ("energy contexts", Ablation { residual: Parts { energy_contexts: false, ..r }, ..all }),
        ("table adaptation", Ablation { residual: Parts { adaptation: false, ..r }, ..all }),
        (
            "all of the above",
            Ablation {
                predictor: Stages { difference_nlms: false, level: false },
                residual: Parts { width_prior: false, learned_shapes: false, energy_contexts: false, adaptation: true },
            },
        ),
    ];
    let full = coded_bits(recs, |s, l| tables_bytes(s, l, all));
    let rows = tables_rows.map(|(name, a)| (name, coded_bits(recs, |s, l| tables_bytes(s, l, a))));
    print_rows("ablation of the tables profile", full, rows);
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let o = match parse(&args) {
        Ok(o) => o,
        Err(e) => return brainwire_train::usage_error("bench", &e),
    };
    let recs = match load(&o.dir, o.split) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("bench: {e}");
            return ExitCode::from(2);
        }
    };
    let samples: usize = recs.iter().map(|r| r.samples.len()).sum();
    let binary_bytes = match &o.binaries {
        Some((e, d)) => match (std::fs::metadata(e), std::fs::metadata(d)) {
            (Ok(e), Ok(d)) => e.len() + d.len(),
            _ => {
                eprintln!("bench: cannot stat the binaries given with --binaries");
                return ExitCode::from(2);
            }
        },
        None => 0,
    };
    let split = match o.split {
        None => "all",
        Some(Split::Train) => "train",
        Some(Split::HeldOut) => "held-out",
    };
    println!("brainwire ratio bench: {} recordings ({split} split), {samples} samples", recs.len());
    println!("eval ratio counts {binary_bytes} bytes of binaries{}", if binary_bytes == 0 { " (none given: --binaries ./encode ./decode)" } else { "" });
    println!(
        "{:<8} {:>11} {:>9} {:>10} {:>8} {:>8} {:>9} {:>9}",
        "profile", "bits/sample", "ratio", "eval ratio", "worst", "median", "enc MS/s", "dec MS/s"
    );
    for p in Profile::ALL {
        if let Err(e) = profile_row(p, &recs, binary_bytes) {
            eprintln!("bench: {e}");
            return ExitCode::from(3);
        }
    }
    if o.ablation {
        ablation_tables(&recs);
    }
    ExitCode::SUCCESS
}
