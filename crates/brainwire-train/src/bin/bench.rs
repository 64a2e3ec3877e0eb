//! `bench`: the ratio bench. For a directory of recordings it prints, per
//! profile, the challenge ratio (binaries counted when given), bits/sample,
//! the worst and median file, encode and decode speed; then an ablation table
//! of the tables profile: what each stage saves.
//!
//! ```text
//! cargo run --release -p brainwire-train --bin bench -- DATA_DIR [--split all|train|heldout]
//!     [--binaries ./encode ./decode] [--no-ablation]
//! ```
//!
//! Speeds are single-threaded wall-clock figures of this machine, printed to
//! compare, not asserted anywhere.

use brainwire_core::channel::{self, Ablation};
use brainwire_core::predictor::Stages;
use brainwire_core::range::ByteCounter;
use brainwire_core::residual::Parts;
use brainwire_core::{AdcLattice, Profile};
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

/// Coded bits/sample of the tables profile's model with some stages off.
fn ablated_bits(ablation: Ablation, recs: &[Recording]) -> f64 {
    let work = |part: &[Recording]| {
        let (mut bytes, mut n) = (0u64, 0u64);
        for r in part {
            let lattice = AdcLattice::detect(&r.samples);
            let mut sink = ByteCounter::default();
            let mut enc = channel::Encoder::with_ablation(Profile::Tables, lattice, ablation);
            for &s in &r.samples {
                enc.push(s, &mut sink);
            }
            enc.finish(&mut sink);
            bytes += sink.0;
            n += r.samples.len() as u64;
        }
        (bytes, n)
    };
    let half = recs.len() / 2;
    let (a, b) = std::thread::scope(|s| {
        let h = s.spawn(|| work(&recs[..half]));
        let b = work(&recs[half..]);
        (h.join().expect("bench worker"), b)
    });
    (a.0 + b.0) as f64 * 8.0 / (a.1 + b.1).max(1) as f64
}

fn ablation_table(recs: &[Recording]) {
    let all = Ablation::NONE;
    let r = all.residual;
    let rows: [(&str, Ablation); 6] = [
        ("difference NLMS (16 taps)", Ablation { predictor: Stages { difference_nlms: false }, ..all }),
        ("code-width prior", Ablation { residual: Parts { width_prior: false, ..r }, ..all }),
        ("learned initial shapes", Ablation { residual: Parts { learned_shapes: false, ..r }, ..all }),
        ("energy contexts", Ablation { residual: Parts { energy_contexts: false, ..r }, ..all }),
        ("table adaptation", Ablation { residual: Parts { adaptation: false, ..r }, ..all }),
        (
            "all of the above",
            Ablation {
                predictor: Stages { difference_nlms: false },
                residual: Parts { width_prior: false, learned_shapes: false, energy_contexts: false, adaptation: true },
            },
        ),
    ];
    let full = ablated_bits(all, recs);
    println!("\nablation of the tables profile (bits/sample of the codec stream; saving = cost of removing the stage)");
    println!("{:<28} {:>11} {:>9}", "stage removed", "bits/sample", "saving");
    println!("{:<28} {:>11.4} {:>9}", "(none: full model)", full, "-");
    for (name, a) in rows {
        let b = ablated_bits(a, recs);
        println!("{:<28} {:>11.4} {:>+9.4}", name, b, b - full);
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let o = match parse(&args) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("bench: {e}");
            return ExitCode::from(1);
        }
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
        ablation_table(&recs);
    }
    ExitCode::SUCCESS
}
