//! Bits/sample of the `fast` profile next to `max`, per split (sorted file
//! index % 4 == 0 is held out), with codec-only single-thread speeds, on a
//! directory of canonical 16-bit mono WAVs:
//!
//! ```text
//! cargo run --release -p brainwire-train --bin fast_measure -- DATA_DIR [STRIDE]
//! ```
//!
//! STRIDE (default 1) takes every STRIDE-th file of each split. Checks that
//! every `fast` stream decodes to its recording.

use brainwire_core::ByteCounter;
use brainwire_core::{fast, max, AdcLattice};
use std::path::Path;
use std::time::{Duration, Instant};
use brainwire_train::corpus::{self, Split};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let dir = args.first().expect("usage: fast_measure DATA_DIR [STRIDE]");
    let stride: usize = args.get(1).map(|s| s.parse().expect("STRIDE is a number")).unwrap_or(1);
    // [split] = (max bytes, fast bytes, samples)
    let mut acc = [(0u64, 0u64, 0u64); 2];
    let (mut t_enc, mut t_dec, mut t_max) = (Duration::ZERO, Duration::ZERO, Duration::ZERO);
    for (split, slot) in acc.iter_mut().enumerate() {
        let part = if split == 1 { Split::HeldOut } else { Split::Train };
        let chosen = corpus::files(Path::new(dir), part).expect("a directory of WAVs");
        for p in chosen.iter().step_by(stride) {
            let bytes = std::fs::read(p).unwrap();
            let s: Vec<i16> = bytes[44..].chunks_exact(2).map(|c| i16::from_le_bytes([c[0], c[1]])).collect();
            let lattice = AdcLattice::detect(&s);
            let t0 = Instant::now();
            let mut out = Vec::with_capacity(s.len());
            let mut enc = fast::Encoder::new(lattice);
            enc.push_le(&bytes[44..], &mut out);
            enc.finish(&mut out);
            let t1 = Instant::now();
            let mut back = vec![0u8; bytes.len() - 44];
            let mut dec = fast::Decoder::new(lattice, &out);
            dec.decode_le(&mut back).unwrap_or_else(|e| panic!("{}: {e:?}", p.display()));
            dec.finish().unwrap();
            let t2 = Instant::now();
            assert!(back == bytes[44..], "{}: round trip", p.display());
            let mut cnt = ByteCounter::default();
            let mut enc = max::Encoder::new(lattice);
            s.iter().for_each(|&v| enc.push(v, &mut cnt));
            enc.finish(&mut cnt);
            t_max += t2.elapsed();
            t_enc += t1 - t0;
            t_dec += t2 - t1;
            slot.0 += cnt.0;
            slot.1 += out.len() as u64;
            slot.2 += s.len() as u64;
        }
    }
    for (split, name) in [(0, "train"), (1, "held-out"), (2, "all")] {
        let (m, f, n) = if split == 2 {
            (acc[0].0 + acc[1].0, acc[0].1 + acc[1].1, acc[0].2 + acc[1].2)
        } else {
            acc[split]
        };
        let bps = |b: u64| b as f64 * 8.0 / n.max(1) as f64;
        println!(
            "{name:9} max {:.4}  fast {:.4} bits/sample  (+{:.4}, {:+.3} % bytes; {n} samples)",
            bps(m),
            bps(f),
            bps(f) - bps(m),
            100.0 * (f as f64 / m as f64 - 1.0)
        );
    }
    let mb = (acc[0].2 + acc[1].2) as f64 * 2.0 / 1e6;
    println!(
        "codec only, one thread: fast encode {:.1} MB/s, decode {:.1} MB/s; max encode {:.1} MB/s",
        mb / t_enc.as_secs_f64(),
        mb / t_dec.as_secs_f64(),
        mb / t_max.as_secs_f64()
    );
}
