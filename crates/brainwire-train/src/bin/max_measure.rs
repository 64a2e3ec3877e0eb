//! Bits/sample of the `max` profile next to the default profile, per split
//! (sorted file index % 4 == 0 is held out), on a directory of canonical
//! 16-bit mono WAVs:
//!
//! ```text
//! cargo run --release -p brainwire-train --bin max_measure -- DATA_DIR [STRIDE]
//! ```
//!
//! STRIDE (default 1) takes every STRIDE-th file of each split. Also checks
//! that every `max` stream decodes to its recording.

use brainwire_core::tables;
use brainwire_core::max;
use brainwire_core::ByteCounter;
use brainwire_core::AdcLattice;
use std::path::Path;
use brainwire_train::corpus::{self, Split};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let dir = args.first().expect("usage: max_measure DATA_DIR [STRIDE]");
    let stride: usize = args
        .get(1)
        .map(|s| s.parse().expect("STRIDE is a number"))
        .unwrap_or(1);
    // [split][profile] = (bytes, samples)
    let mut acc = [[(0u64, 0u64); 2]; 2];
    for (split, slot) in acc.iter_mut().enumerate() {
        let part = if split == 1 { Split::HeldOut } else { Split::Train };
        let chosen = corpus::files(Path::new(dir), part).expect("a directory of WAVs");
        for p in chosen.iter().step_by(stride) {
            let bytes = std::fs::read(p).unwrap();
            let s: Vec<i16> = bytes[44..]
                .chunks_exact(2)
                .map(|c| i16::from_le_bytes([c[0], c[1]]))
                .collect();
            let lattice = AdcLattice::detect(&s);
            let mut out = Vec::new();
            let mut enc = max::Encoder::new(lattice);
            for &v in &s {
                enc.push(v, &mut out);
            }
            enc.finish(&mut out);
            let mut dec = max::Decoder::new(lattice, &out);
            for (i, &v) in s.iter().enumerate() {
                assert_eq!(dec.next_sample(), Ok(v), "{}: sample {i}", p.display());
            }
            dec.finish().unwrap();
            let mut cnt = ByteCounter::default();
            let mut enc = tables::Encoder::new(lattice);
            for &v in &s {
                enc.push(v, &mut cnt);
            }
            enc.finish(&mut cnt);
            slot[0].0 += out.len() as u64;
            slot[1].0 += cnt.0;
            for a in slot.iter_mut() {
                a.1 += s.len() as u64;
            }
        }
    }
    for (split, name) in [(0, "train"), (1, "held-out")] {
        let bps = |(b, n): (u64, u64)| b as f64 * 8.0 / n.max(1) as f64;
        println!(
            "{name:9} max {:.4} bits/sample   default {:.4} bits/sample   ({} samples)",
            bps(acc[split][0]),
            bps(acc[split][1]),
            acc[split][0].1
        );
    }
}
