//! Priors of the range-coded profiles: the ADC code-width table and the
//! initial residual-shape tables, written to `brainwire-core/src/priors.rs`.

use crate::corpus;
use brainwire_core::channel::Encoder;
use brainwire_core::range::ByteCounter;
use brainwire_core::residual::{Differences, CONTEXTS, SYMBOLS};
use brainwire_core::{AdcLattice, Profile};
use std::fmt::Write as _;
use std::path::Path;

/// Where the generated priors go, relative to the workspace root.
pub const OUTPUT: &str = "crates/brainwire-core/src/priors.rs";

/// Half-width of the window whose average count stands for a code's
/// neighbourhood: wide enough to average out the irregular widths, narrow
/// enough that the signal's own distribution is locally flat.
const WINDOW: i64 = 6;
/// Widths are stored in Q5 and capped so frequency totals stay in range.
const WIDTH_ONE: f64 = 32.0;
const WIDTH_MAX: f64 = 80.0;
/// Sum of each initial shape table: how many samples' worth of confidence
/// the prior carries before a recording's own statistics take over.
const SHAPE_MASS: f64 = 3000.0;

pub fn run(dir: &Path, out: &Path) -> Result<(), String> {
    let recordings = corpus::ten_bit_training_recordings(dir, 1, "train")?;
    let lattice = AdcLattice::Neuralink10;
    let widths = code_widths(&recordings, lattice);
    let shapes = residual_shapes(&recordings, lattice, &widths);
    let samples: usize = recordings.iter().map(Vec::len).sum();
    let src = render(&widths, &shapes, recordings.len(), samples);
    std::fs::write(out, src).map_err(|e| format!("{}: {e}", out.display()))?;
    eprintln!("train: wrote {} from {} recordings ({} samples)", out.display(), recordings.len(), samples);
    Ok(())
}

/// Each code's frequency relative to its neighbourhood: the ADC's relative
/// code width, Q5.
fn code_widths(recordings: &[Vec<i16>], lattice: AdcLattice) -> Vec<u8> {
    let n = lattice.len() as usize;
    let mut counts = vec![0f64; n];
    for r in recordings {
        for &v in r {
            if let Some(c) = lattice.code(v) {
                counts[c as usize] += 1.0;
            }
        }
    }
    (0..n as i64)
        .map(|c| {
            // Triangular window, excluding the code itself so one odd code
            // does not dilute its own estimate.
            let (mut sum, mut weight) = (0.0, 0.0);
            for d in -WINDOW..=WINDOW {
                let k = c + d;
                if d != 0 && (0..n as i64).contains(&k) {
                    let w = (WINDOW + 1 - d.abs()) as f64;
                    sum += w * counts[k as usize];
                    weight += w;
                }
            }
            let local = sum / weight;
            // Too little evidence: assume an average code.
            let ratio = if local < 50.0 { 1.0 } else { counts[c as usize] / local };
            (ratio * WIDTH_ONE).round().clamp(1.0, WIDTH_MAX) as u8
        })
        .collect()
}

/// Per context, the frequency of each residual symbol with the width of its
/// code divided out (the residual model multiplies it back in).
fn residual_shapes(recordings: &[Vec<i16>], lattice: AdcLattice, widths: &[u8]) -> Vec<[u16; SYMBOLS]> {
    let mut hist = vec![[0f64; SYMBOLS]; CONTEXTS];
    for r in recordings {
        let mut enc = Encoder::new(Profile::Tables, lattice);
        let mut sink = ByteCounter::default();
        for &v in r {
            let coded = enc.push(v, &mut sink);
            let w = match (coded.shift, lattice.code(v)) {
                (0, Some(c)) if coded.symbol != SYMBOLS - 1 => f64::from(widths[c as usize]) / WIDTH_ONE,
                _ => 1.0,
            };
            hist[coded.table][coded.symbol] += 1.0 / w;
        }
    }
    hist.iter()
        .map(|h| {
            let total: f64 = h.iter().sum();
            let mut t = [1u16; SYMBOLS];
            if total > 0.0 {
                // Laplace-smoothed so every symbol stays codable.
                for (f, &c) in t.iter_mut().zip(h.iter()) {
                    *f = (1.0 + (c / total) * SHAPE_MASS).round() as u16;
                }
            }
            t
        })
        .collect()
}

/// The compact form of an integer table the core rebuilds with
/// [`Differences`]: its `order`-th differences (wrapping u32) as zigzag
/// LEB128 varints, trailing zeros left off.
pub fn differences(values: &[u32], order: usize) -> Vec<u8> {
    let mut d = values.to_vec();
    for _ in 0..order {
        for i in (1..d.len()).rev() {
            d[i] = d[i].wrapping_sub(d[i - 1]);
        }
    }
    while d.last() == Some(&0) {
        d.pop();
    }
    let mut out = Vec::new();
    for v in d {
        let mut z = (v << 1) ^ ((v as i32 >> 31) as u32);
        while z >= 128 {
            out.push(z as u8 | 128);
            z >>= 7;
        }
        out.push(z as u8);
    }
    out
}

/// The order (`1..=6`) whose [`differences`] are shortest, and those bytes,
/// read back as the core will before anything is written.
pub fn smallest_differences(values: &[u32]) -> (usize, Vec<u8>) {
    let (order, bytes) = (1..=6).map(|k| (k, differences(values, k))).min_by_key(|(_, b)| b.len()).unwrap();
    fn read<const ORDER: usize>(bytes: &[u8], n: usize) -> Vec<u32> {
        let mut reader = Differences::<ORDER>::new(bytes);
        (0..n).map(|_| reader.next_value()).collect()
    }
    let back = match order {
        1 => read::<1>(&bytes, values.len()),
        2 => read::<2>(&bytes, values.len()),
        3 => read::<3>(&bytes, values.len()),
        4 => read::<4>(&bytes, values.len()),
        5 => read::<5>(&bytes, values.len()),
        _ => read::<6>(&bytes, values.len()),
    };
    assert_eq!(back, values, "differences do not read back");
    (order, bytes)
}

fn render(widths: &[u8], shapes: &[[u16; SYMBOLS]], files: usize, samples: usize) -> String {
    let mut s = String::new();
    writeln!(s, "//! Priors learned offline. GENERATED by `train tables` (crates/brainwire-train)").unwrap();
    writeln!(s, "//! from {files} training recordings ({samples} samples); do not edit by hand.").unwrap();
    writeln!(s, "//! Regenerate: `cargo run --release -p brainwire-train --bin train -- tables DATA_DIR`.").unwrap();
    writeln!(s).unwrap();
    writeln!(s, "/// Relative width of each 10-bit ADC code, Q5 (32 = average), in `1..=80`.").unwrap();
    writeln!(s, "#[rustfmt::skip]\npub static CODE_WIDTHS_Q5: [u8; 1024] = [").unwrap();
    for row in widths.chunks(32) {
        let items: Vec<String> = row.iter().map(|w| w.to_string()).collect();
        writeln!(s, "    {},", items.join(", ")).unwrap();
    }
    writeln!(s, "];\n").unwrap();
    let flat: Vec<u32> = shapes.iter().flatten().map(|&f| u32::from(f)).collect();
    let (order, coded) = smallest_differences(&flat);
    writeln!(s, "/// Initial residual-shape tables, one per context (widths divided out), as").unwrap();
    writeln!(s, "/// `INITIAL_SHAPES_LEN` = {} x {SYMBOLS} u16 frequencies, context-major, stored as", shapes.len()).unwrap();
    writeln!(s, "/// their `INITIAL_SHAPES_ORDER`-th differences: `crate::residual::Differences`.").unwrap();
    writeln!(s, "pub const INITIAL_SHAPES_LEN: usize = {};", flat.len()).unwrap();
    writeln!(s, "pub const INITIAL_SHAPES_ORDER: usize = {order};").unwrap();
    writeln!(s, "#[rustfmt::skip]\npub static INITIAL_SHAPES_CODED: [u8; {}] = [", coded.len()).unwrap();
    for row in coded.chunks(32) {
        let items: Vec<String> = row.iter().map(|b| b.to_string()).collect();
        writeln!(s, "    {},", items.join(", ")).unwrap();
    }
    writeln!(s, "];").unwrap();
    s
}
