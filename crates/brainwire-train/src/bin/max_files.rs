//! Per-recording bytes of `max` against the best of `max` and `tables`
//! (what `./encode` kept before profile 4), per split (sorted file index
//! % 4 == 0 is held out), on a directory of 16-bit WAVs:
//!
//! ```text
//! cargo run --release -p brainwire-train --bin max_files -- DATA_DIR [PROFILE...]
//! ```
//!
//! Prints bits/sample per split for each profile given (default: max) and
//! for the best of max/tables, then the recordings where the first profile
//! loses more than 0.5 % to that best.

use brainwire_core::ByteCounter;
use brainwire_core::{encode_all, AdcLattice, Profile};
use brainwire_train::corpus::{self, Split};
use std::path::{Path, PathBuf};

fn bytes(profile: Profile, s: &[i16]) -> u64 {
    let mut c = ByteCounter::default();
    encode_all(profile, AdcLattice::detect(s), s, &mut c);
    c.0
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let dir = PathBuf::from(args.first().expect("usage: max_files DATA_DIR [PROFILE...]"));
    let mut profiles: Vec<Profile> =
        args[1..].iter().map(|n| Profile::from_name(n).unwrap_or_else(|| panic!("unknown profile {n}"))).collect();
    if profiles.is_empty() {
        profiles.push(Profile::Max5);
    }
    let mut files: Vec<(bool, PathBuf)> = Vec::new();
    for split in [Split::Train, Split::HeldOut] {
        for f in corpus::files(&dir, split).expect("data directory") {
            files.push((split == Split::HeldOut, f));
        }
    }
    // [file] = (held out, samples, bytes per profile, best of max/tables)
    let rows = parallel(&files, |(held, f)| {
        let s = corpus::samples(Path::new(f)).expect("readable").unwrap_or_default();
        let each: Vec<u64> = profiles.iter().map(|&p| bytes(p, &s)).collect();
        let best = bytes(Profile::Max, &s).min(bytes(Profile::Tables, &s));
        (*held, s.len() as u64, each, best)
    });
    for (held, name) in [(false, "train"), (true, "held-out")] {
        let part: Vec<_> = rows.iter().filter(|r| r.0 == held).collect();
        let n: u64 = part.iter().map(|r| r.1).sum();
        let bps = |b: u64| b as f64 * 8.0 / n.max(1) as f64;
        let mut line = format!("{name:9}");
        for (i, p) in profiles.iter().enumerate() {
            line += &format!(" {} {:.4}", p.name(), bps(part.iter().map(|r| r.2[i]).sum()));
        }
        line += &format!("  best(max,tables) {:.4} bits/sample", bps(part.iter().map(|r| r.3).sum()));
        println!("{line}");
    }
    for ((_, f), r) in files.iter().zip(&rows) {
        let loss = r.2[0] as f64 / r.3 as f64 - 1.0;
        if loss > 0.005 {
            println!("{:+.2} % {} ({} vs {} bytes)", 100.0 * loss, f.display(), r.2[0], r.3);
        }
    }
}

/// `f` over `items` on every core, results in order.
fn parallel<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut out: Vec<Option<R>> = (0..items.len()).map(|_| None).collect();
    let slots = std::sync::Mutex::new(&mut out);
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(item) = items.get(i) else { break };
                let r = f(item);
                slots.lock().unwrap()[i] = Some(r);
            });
        }
    });
    out.into_iter().map(|r| r.unwrap()).collect()
}
