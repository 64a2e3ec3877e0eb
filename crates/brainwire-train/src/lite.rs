//! `train lite`: learns the `lite` profile's static code tables from the
//! training split and writes `crates/brainwire-core/src/lite/tables.rs`.
//!
//! One pass over the training recordings with the core's own [`Model`], so
//! the tables fit exactly the contexts the codec computes: per context, how
//! often each residual symbol occurs; a length-limited Huffman code per
//! context follows, of the counts plus a smooth prior (see
//! `smoothed_weights`). Every symbol keeps a codeword, so a recording
//! unlike the training data still codes, only less tightly. The lengths are
//! stored with the core's writer (their nonzero differences from the core's
//! prediction) and read back with its reader before anything is written.

use crate::corpus;
use brainwire_core::lite::{
    read_code_lengths_from, symbol, write_code_lengths, EnergyTable, Model, BUCKETS, CLASSES, CONTEXTS, ESCAPE, MAX_CODE_LEN, RESIDUAL_LIMIT, SYMBOLS,
};
use brainwire_core::AdcLattice;
use std::fmt::Write as _;
use std::path::Path;

/// Where `train lite` writes by default (relative to the workspace root).
pub const OUTPUT: &str = "crates/brainwire-core/src/lite/tables.rs";

pub fn run(dir: &Path, out: &Path) -> Result<(), String> {
    let recordings = corpus::ten_bit_training_recordings(dir, 1, "train lite")?;
    let lattice = AdcLattice::Neuralink10;
    let energy = EnergyTable::new();

    // Symbol counts per context, and (a check of the fixed quarter pull)
    // the least-squares pull of each step `code - last` on `mean - last`.
    let mut counts = vec![[0u64; SYMBOLS]; CONTEXTS];
    let (mut cross, mut power) = (0f64, 0f64);
    let mut samples = 0u64;
    for s in &recordings {
        let mut m = Model::new(lattice);
        for &v in s {
            let p = m.predict();
            let (sym, code) = match lattice.code(v) {
                Some(c) => (symbol(c as i32 - p.code), c as i32),
                None => (ESCAPE, lattice.nearest_code(v) as i32),
            };
            let pull = f64::from(m.pull()) / 16.0;
            cross += pull * f64::from(code - m.last());
            power += pull * pull;
            counts[p.context][sym] += 1;
            if sym < ESCAPE {
                m.learn(&energy, code, sym);
            } else {
                m.learn_any(&p, code);
            }
        }
        samples += s.len() as u64;
    }

    let weights = smoothed_weights(&counts);
    let mut lengths = Vec::with_capacity(CONTEXTS * SYMBOLS);
    let mut bits = 0u64;
    for (row, w) in counts.iter().zip(&weights) {
        let lens = limited_huffman_lengths(w, MAX_CODE_LEN);
        bits += row.iter().zip(&lens).map(|(&c, &l)| c * u64::from(l)).sum::<u64>();
        lengths.extend(lens.iter().map(|&l| l as u8));
    }
    eprintln!(
        "train lite: {} recordings, {} samples, codewords {:.4} bits/sample (escape payloads excluded); least-squares pull {:.3} (the model uses 0.25)",
        recordings.len(),
        samples,
        bits as f64 / samples as f64,
        if power > 0.0 { cross / power } else { 0.0 },
    );
    let coded = code_lengths(&lengths);
    eprintln!("train lite: {} code lengths stored in {} bytes", lengths.len(), coded.len());
    std::fs::write(out, render(&coded, recordings.len(), samples)).map_err(|e| format!("{}: {e}", out.display()))
}

/// Weight of the smooth prior against the counts, per context:
/// `PRIOR_WEIGHT * (n / 50 + 20)` pseudo-observations for `n` counts.
const PRIOR_WEIGHT: f64 = 1.0;

/// The counts of each context plus a smooth prior: the bucket's residual
/// shape (pooled over classes, made symmetric) times the ADC's code-width
/// pattern at the code each residual lands on. Symbols a context saw rarely
/// or never then get lengths that follow their neighbours, instead of the
/// noise of a few counts: +0.002 bits/sample on the training split, and a
/// code-length table of 2128 bytes instead of 2811 (range coded then).
fn smoothed_weights(counts: &[[u64; SYMBOLS]]) -> Vec<Vec<u64>> {
    let r = |s: usize| s as i32 - RESIDUAL_LIMIT;
    // Each bucket's shape over the symbols, symmetric in the residual.
    let shapes: Vec<[f64; SYMBOLS]> = counts
        .chunks_exact(CLASSES)
        .map(|bucket| {
            let mut pooled = [0f64; SYMBOLS];
            for row in bucket {
                for (p, &c) in pooled.iter_mut().zip(row) {
                    *p += c as f64;
                }
            }
            let mut shape = [0f64; SYMBOLS];
            for s in 0..ESCAPE {
                shape[s] = (pooled[s] + pooled[ESCAPE - 1 - s]) / 2.0 + 0.5;
            }
            shape[ESCAPE] = pooled[ESCAPE] + 0.5;
            shape
        })
        .collect();
    // The width pattern: how often codes of each class occur against the
    // pooled shape's expectation, over the well-populated middle buckets.
    let (mut seen, mut expected) = ([0f64; CLASSES], [0f64; CLASSES]);
    for b in 4..10.min(BUCKETS) {
        for q in 0..CLASSES {
            for s in 0..ESCAPE {
                let k = (q as i32 + r(s)).rem_euclid(CLASSES as i32) as usize;
                seen[k] += counts[b * CLASSES + q][s] as f64;
                expected[k] += shapes[b][s] / CLASSES as f64;
            }
        }
    }
    let mut width = [1f64; CLASSES];
    for k in 0..CLASSES {
        if expected[k] > 0.0 && seen[k] > 0.0 {
            width[k] = seen[k] / expected[k];
        }
    }
    let mean = width.iter().sum::<f64>() / CLASSES as f64;
    counts
        .iter()
        .enumerate()
        .map(|(ctx, row)| {
            let (b, q) = (ctx / CLASSES, ctx % CLASSES);
            let mut prior = shapes[b];
            for (s, p) in prior.iter_mut().enumerate().take(ESCAPE) {
                *p *= width[(q as i32 + r(s)).rem_euclid(CLASSES as i32) as usize] / mean;
            }
            let total: f64 = prior.iter().sum();
            let n: u64 = row.iter().sum();
            let pseudo = PRIOR_WEIGHT * (n as f64 / 50.0 + 20.0) * SYMBOLS as f64;
            row.iter().zip(&prior).map(|(&c, &p)| ((c as f64 + pseudo * p / total) * 1000.0).round() as u64 + 1).collect()
        })
        .collect()
}

/// Optimal prefix-code lengths of `weights` (all nonzero) with none longer
/// than `limit`: the package-merge algorithm (Larmore and Hirschberg). The
/// code is complete (Kraft sum exactly 1) when `2^limit >= weights.len()`.
fn limited_huffman_lengths(weights: &[u64], limit: u32) -> Vec<u32> {
    let n = weights.len();
    assert!(n >= 2 && (1u64 << limit) >= n as u64);
    // Nodes: leaves 0..n, then packages of two earlier nodes.
    let mut children: Vec<(usize, usize)> = Vec::new();
    let mut leaves: Vec<(u64, usize)> = weights.iter().copied().zip(0..n).collect();
    leaves.sort();
    let mut list = leaves.clone();
    for _ in 1..limit {
        let mut packages = Vec::with_capacity(list.len() / 2);
        for pair in list.chunks_exact(2) {
            children.push((pair[0].1, pair[1].1));
            packages.push((pair[0].0 + pair[1].0, n + children.len() - 1));
        }
        // Merge packages into the leaves, leaves first on ties.
        let mut merged = Vec::with_capacity(leaves.len() + packages.len());
        let (mut i, mut j) = (0, 0);
        while i < leaves.len() || j < packages.len() {
            if j == packages.len() || (i < leaves.len() && leaves[i].0 <= packages[j].0) {
                merged.push(leaves[i]);
                i += 1;
            } else {
                merged.push(packages[j]);
                j += 1;
            }
        }
        list = merged;
    }
    // Each symbol's length is how often it occurs in the first 2n - 2 items.
    let mut lengths = vec![0u32; n];
    let mut stack: Vec<usize> = list[..2 * n - 2].iter().map(|&(_, id)| id).collect();
    while let Some(id) = stack.pop() {
        if id < n {
            lengths[id] += 1;
        } else {
            let (a, b) = children[id - n];
            stack.push(a);
            stack.push(b);
        }
    }
    lengths
}

/// Stores `lengths` (context-major, `CONTEXTS * SYMBOLS`, each 1..=15) with
/// the core's [`write_code_lengths`], and checks that the core's reader
/// ([`read_code_lengths_from`]) gives them back.
pub fn code_lengths(lengths: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    write_code_lengths(lengths, &mut out);
    let mut back = Vec::with_capacity(lengths.len());
    read_code_lengths_from(&out, |_, row, _| back.extend_from_slice(row));
    assert_eq!(back, lengths, "code lengths do not read back");
    out
}

/// The generated `tables.rs`.
pub fn render(coded: &[u8], recordings: usize, samples: u64) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "//! GENERATED by `train lite` (brainwire-train/src/lite.rs) from the training");
    let _ = writeln!(s, "//! split ({recordings} recordings, {samples} samples): do not edit; regenerate.");
    let _ = writeln!(s);
    let _ = writeln!(s, "/// The code lengths (1..=15 bits) of every context and symbol, context-major, as");
    let _ = writeln!(s, "/// their nonzero differences from `lite::predicted_row` in bit fields");
    let _ = writeln!(s, "/// (`lite::read_code_lengths_from`, which reads this table): `CONTEXTS * SYMBOLS` lengths in {} bytes.", coded.len());
    let _ = writeln!(s, "pub static CODE_LENGTHS_CODED: [u8; {}] = [", coded.len());
    s.push_str(&crate::render::rows(coded, 24));
    let _ = writeln!(s, "];");
    s
}
