//! `speed`: the speed bench. Loads a directory of WAVs into memory and, per
//! profile, codes every file whole through the container (what `brainwire
//! encode --profile P` and `brainwire decode` do, without the file I/O):
//! prints the ratio and the median MB/s (of WAV bytes) of several runs for
//! encode and decode, on one thread and on all cores.
//!
//! ```text
//! cargo run --release -p brainwire-train --bin speed -- DATA_DIR [--runs N] [--files N]
//!     [--profiles lite,tables,max,fast,default]
//! ```
//!
//! `default` is what `./encode` writes (the smaller of max and tables). Wall
//! clock on whatever else the machine runs: compare rows of one run, and say
//! how loaded the machine was when quoting them.

use brainwire_container::{decode, encode, encode_best, Profile, DEFAULT_CANDIDATES};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

#[derive(Clone, Copy)]
enum Choice {
    One(Profile),
    Default,
}

impl Choice {
    fn name(self) -> &'static str {
        match self {
            Choice::One(p) => p.name(),
            Choice::Default => "default",
        }
    }
    fn encode(self, wav: &[u8]) -> Vec<u8> {
        match self {
            Choice::One(p) => encode(wav, p),
            Choice::Default => encode_best(wav, &DEFAULT_CANDIDATES),
        }
    }
}

struct Options {
    dir: PathBuf,
    runs: usize,
    files: usize,
    choices: Vec<Choice>,
}

fn parse(args: &[String]) -> Result<Options, String> {
    let usage = "usage: speed DATA_DIR [--runs N] [--files N] [--profiles lite,tables,max,fast,default]";
    let mut o = Options { dir: PathBuf::new(), runs: 5, files: 100, choices: Vec::new() };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut number = |what: &str| -> Result<usize, String> {
            it.next().and_then(|v| v.parse().ok()).filter(|&n| n > 0).ok_or(format!("{what} takes a positive number"))
        };
        match a.as_str() {
            "--runs" => o.runs = number("--runs")?,
            "--files" => o.files = number("--files")?,
            "--profiles" => {
                for name in it.next().ok_or("--profiles takes a list")?.split(',') {
                    o.choices.push(match name {
                        "default" => Choice::Default,
                        n => Choice::One(Profile::from_name(n).ok_or(format!("unknown profile {n}"))?),
                    });
                }
            }
            s if s.starts_with('-') => return Err(format!("unknown option {s}\n{usage}")),
            s => o.dir = s.into(),
        }
    }
    if o.dir.as_os_str().is_empty() {
        return Err(usage.into());
    }
    if o.choices.is_empty() {
        o.choices = [Profile::Lite, Profile::Max, Profile::Fast].map(Choice::One).into();
        o.choices.push(Choice::Default);
    }
    Ok(o)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// MB/s of `bytes` WAV bytes over `runs` runs of `job` (each over every
/// item, on `threads` threads taking items in turn): the median.
fn rate(runs: usize, threads: usize, items: usize, bytes: usize, job: &(dyn Fn(usize) + Sync)) -> f64 {
    let rates = (0..runs)
        .map(|_| {
            let next = AtomicUsize::new(0);
            let t0 = Instant::now();
            std::thread::scope(|s| {
                for _ in 0..threads {
                    s.spawn(|| loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        if i >= items {
                            break;
                        }
                        job(i);
                    });
                }
            });
            bytes as f64 / 1e6 / t0.elapsed().as_secs_f64()
        })
        .collect();
    median(rates)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let o = match parse(&args) {
        Ok(o) => o,
        Err(e) => return brainwire_train::usage_error("speed", &e),
    };
    let mut paths: Vec<PathBuf> = match std::fs::read_dir(&o.dir) {
        Ok(d) => d.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.extension().is_some_and(|x| x == "wav")).collect(),
        Err(e) => {
            eprintln!("speed: {}: {e}", o.dir.display());
            return ExitCode::from(2);
        }
    };
    paths.sort();
    // Every k-th file, so the sample spans the sorted list.
    let step = paths.len().div_ceil(o.files).max(1);
    let wavs: Vec<Vec<u8>> = paths.iter().step_by(step).filter_map(|p| std::fs::read(p).ok()).collect();
    let bytes: usize = wavs.iter().map(Vec::len).sum();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!("{} files, {:.1} MB of WAV, median of {} runs, 1 thread and {cores} threads", wavs.len(), bytes as f64 / 1e6, o.runs);
    println!("| profile | ratio | encode MB/s | decode MB/s | encode MB/s ({cores} threads) | decode MB/s ({cores} threads) |");
    println!("| --- | --- | --- | --- | --- | --- |");
    for &c in &o.choices {
        let packed: Vec<Vec<u8>> = wavs.iter().map(|w| c.encode(w)).collect();
        for (w, p) in wavs.iter().zip(&packed) {
            if decode(p).as_deref() != Ok(&w[..]) {
                eprintln!("speed: {} did not round-trip a file", c.name());
                return ExitCode::from(3);
            }
        }
        let ratio = bytes as f64 / packed.iter().map(Vec::len).sum::<usize>() as f64;
        let enc = |i: usize| drop(std::hint::black_box(c.encode(&wavs[i])));
        let dec = |i: usize| drop(std::hint::black_box(decode(&packed[i])));
        let (e1, d1) = (rate(o.runs, 1, wavs.len(), bytes, &enc), rate(o.runs, 1, wavs.len(), bytes, &dec));
        let (en, dn) = (rate(o.runs, cores, wavs.len(), bytes, &enc), rate(o.runs, cores, wavs.len(), bytes, &dec));
        println!("| {} | {ratio:.4} | {e1:.1} | {d1:.1} | {en:.1} | {dn:.1} |", c.name());
    }
    ExitCode::SUCCESS
}
