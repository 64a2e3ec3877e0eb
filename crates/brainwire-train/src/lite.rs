//! `train lite`: learns the `lite` profile's static tables from the training
//! split and writes `crates/brainwire-core/src/lite/tables.rs`.
//!
//! Two passes over the training recordings, both with the core's own
//! [`Model`], so the tables fit exactly the contexts the codec computes:
//! 1. fit the prediction gain: least squares of each step `code - last` on
//!    the model's pull `mean - last`;
//! 2. run the model with that gain and count, per context, how often each
//!    residual symbol occurs; a length-limited Huffman code per context
//!    follows. Every symbol keeps a codeword (its count is floored), so a
//!    recording unlike the training data still codes, only less tightly.

use crate::corpus::{self, Split};
use brainwire_core::lite::{symbol, LengthModel, Model, CONTEXTS, ESCAPE, GAIN_BITS, MAX_CODE_LEN, SYMBOLS};
use brainwire_core::range::{RangeDecoder, RangeEncoder};
use brainwire_core::AdcLattice;
use std::fmt::Write as _;
use std::path::Path;

/// Where `train lite` writes by default (relative to the workspace root).
pub const OUTPUT: &str = "crates/brainwire-core/src/lite/tables.rs";

/// Weight of one observed symbol against the floor of 1 every symbol gets.
const COUNT_SCALE: u64 = 16;

pub fn run(dir: &Path, out: &Path) -> Result<(), String> {
    let paths = corpus::files(dir, Split::Train).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut recordings = Vec::new();
    for p in &paths {
        match corpus::samples(p).map_err(|e| format!("{}: {e}", p.display()))? {
            Some(s) if AdcLattice::detect(&s) == AdcLattice::Neuralink10 => recordings.push(s),
            // The tables serve the 10-bit lattice; other recordings would only blur them.
            _ => {}
        }
    }
    if recordings.is_empty() {
        return Err(format!("no 16-bit recordings on the 10-bit lattice in {}", dir.display()));
    }
    let lattice = AdcLattice::Neuralink10;

    // Pass 1: the least-squares gain predicting each step `code - last`
    // from the pull `mean - last` (Q4) the model sees before it.
    let (mut cross, mut power) = (0f64, 0f64);
    for s in &recordings {
        let mut m = Model::with_gain(lattice, 0).expect("zero gain is in bounds");
        for &v in s {
            let p = m.predict();
            let code = lattice.nearest_code(v) as i32;
            let pull = f64::from(m.pull()) / 16.0;
            cross += pull * f64::from(code - m.last());
            power += pull * pull;
            m.update(&p, code);
        }
    }
    let gain = if power > 0.0 { (cross / power * f64::from(1 << GAIN_BITS)).round() as i32 } else { 0 };
    if Model::with_gain(lattice, gain).is_none() {
        return Err(format!("fitted gain {gain} exceeds the core's bound"));
    }

    // Pass 2: symbol counts per context.
    let mut counts = vec![[0u64; SYMBOLS]; CONTEXTS];
    let mut samples = 0u64;
    for s in &recordings {
        let mut m = Model::with_gain(lattice, gain).expect("checked above");
        for &v in s {
            let p = m.predict();
            let (sym, code) = match lattice.code(v) {
                Some(c) => (symbol(c as i32 - p.code), c as i32),
                None => (ESCAPE, lattice.nearest_code(v) as i32),
            };
            counts[p.context][sym] += 1;
            m.update(&p, code);
        }
        samples += s.len() as u64;
    }

    let mut lengths = Vec::with_capacity(CONTEXTS * SYMBOLS);
    let mut bits = 0u64;
    for row in &counts {
        let weighted: Vec<u64> = row.iter().map(|&c| c * COUNT_SCALE + 1).collect();
        let lens = limited_huffman_lengths(&weighted, MAX_CODE_LEN);
        bits += row.iter().zip(&lens).map(|(&c, &l)| c * u64::from(l)).sum::<u64>();
        lengths.extend(lens);
    }
    eprintln!(
        "train lite: {} recordings, {} samples, codewords {:.4} bits/sample (escape payloads excluded), mean gain {}/256",
        recordings.len(),
        samples,
        bits as f64 / samples as f64,
        gain
    );
    std::fs::write(out, render(gain, &lengths, recordings.len(), samples)).map_err(|e| format!("{}: {e}", out.display()))
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

/// Range codes `lengths` (context-major, `CONTEXTS * SYMBOLS`) with the
/// core's [`LengthModel`], and checks that the core's way of reading them
/// gives them back.
pub fn code_lengths(lengths: &[u32]) -> Vec<u8> {
    assert_eq!(lengths.len(), CONTEXTS * SYMBOLS);
    assert!(lengths.iter().all(|&l| (1..=MAX_CODE_LEN).contains(&l)));
    let mut out = Vec::new();
    let mut enc = RangeEncoder::new();
    let mut model = LengthModel::new();
    for ctx_lengths in lengths.chunks_exact(SYMBOLS) {
        let mut row = [0u8; SYMBOLS];
        for (r, &l) in row.iter_mut().zip(ctx_lengths) {
            *r = l as u8;
        }
        model.row(&mut row, |p1, b| {
            enc.encode_bit(b == 1, p1, &mut out);
            b
        });
    }
    enc.finish(&mut out);
    // Read back as the core will.
    let mut dec = RangeDecoder::new(&out);
    let mut model = LengthModel::new();
    for ctx_lengths in lengths.chunks_exact(SYMBOLS) {
        let mut row = [0u8; SYMBOLS];
        model.row(&mut row, |p1, _| u32::from(dec.decode_bit(p1).expect("consistent stream")));
        assert!(row.iter().zip(ctx_lengths).all(|(&a, &b)| u32::from(a) == b), "code lengths do not read back");
    }
    out
}

/// The generated `tables.rs` for a fitted `gain` and the code `lengths`.
pub fn render(gain: i32, lengths: &[u32], recordings: usize, samples: u64) -> String {
    let coded = code_lengths(lengths);
    let mut s = String::new();
    let _ = writeln!(s, "//! GENERATED by `train lite` (brainwire-train/src/lite.rs) from the training");
    let _ = writeln!(s, "//! split ({recordings} recordings, {samples} samples): do not edit; regenerate.");
    let _ = writeln!(s);
    let _ = writeln!(s, "/// Pull of the prediction towards the local mean (Q8), least-squares fit.");
    let _ = writeln!(s, "pub const MEAN_GAIN: i32 = {gain};");
    let _ = writeln!(s);
    let _ = writeln!(s, "/// Canonical code lengths (1..=15 bits) per context and symbol, context-major,");
    let _ = writeln!(s, "/// range coded with `super::LengthModel`: `CONTEXTS * SYMBOLS` lengths in {} bytes.", coded.len());
    let _ = writeln!(s, "pub static CODE_LENGTHS_CODED: [u8; {}] = [", coded.len());
    for row in coded.chunks(24) {
        let line: Vec<String> = row.iter().map(|b| b.to_string()).collect();
        let _ = writeln!(s, "    {},", line.join(", "));
    }
    let _ = writeln!(s, "];");
    s
}
