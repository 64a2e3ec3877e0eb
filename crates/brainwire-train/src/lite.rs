//! `train lite`: learns the `lite` profile's static code tables from the
//! training split and writes `crates/brainwire-core/src/lite/tables.rs`.
//!
//! One pass over the training recordings with the core's own [`Model`], so
//! the tables fit exactly the contexts the codec computes: per context, how
//! often each residual symbol occurs; a length-limited Huffman code per
//! context follows. Every symbol keeps a codeword (its count is floored), so
//! a recording unlike the training data still codes, only less tightly.
//! The lengths are then stored as differences from the core's
//! [`length_prediction`], each coded with a small Huffman code per energy
//! bucket, and read back with the core's own reader before anything is
//! written.

use crate::corpus::{self, Split};
use brainwire_core::lite::{
    canonical_codes, length_prediction, read_code_lengths_from, symbol, EnergyTable, Model, BUCKETS, CLASSES, CONTEXTS, DELTAS, ESCAPE,
    MAX_CODE_LEN, SYMBOLS,
};
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

    let mut lengths = Vec::with_capacity(CONTEXTS * SYMBOLS);
    let mut bits = 0u64;
    for row in &counts {
        let weighted: Vec<u64> = row.iter().map(|&c| c * COUNT_SCALE + 1).collect();
        let lens = limited_huffman_lengths(&weighted, MAX_CODE_LEN);
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
    let (delta_lengths, coded) = code_lengths(&lengths);
    eprintln!("train lite: {} code lengths stored in {} bytes", lengths.len(), coded.len() + BUCKETS * DELTAS);
    std::fs::write(out, render(&delta_lengths, &coded, recordings.len(), samples)).map_err(|e| format!("{}: {e}", out.display()))
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

/// Codes `lengths` (context-major, `CONTEXTS * SYMBOLS`, each 1..=15) as
/// differences from the core's [`length_prediction`], with a Huffman code
/// of the differences per energy bucket; checks that the core's reader
/// gives them back. Returns the difference codes' lengths and the bits.
pub fn code_lengths(lengths: &[u8]) -> ([[u8; DELTAS]; BUCKETS], Vec<u8>) {
    assert_eq!(lengths.len(), CONTEXTS * SYMBOLS);
    assert!(lengths.iter().all(|&l| (1..=MAX_CODE_LEN as u8).contains(&l)));
    // The differences, in reading order, and their counts per bucket.
    let mut deltas = Vec::with_capacity(lengths.len());
    let mut counts = [[0u64; DELTAS]; BUCKETS];
    let mut latest = [[0u8; SYMBOLS]; CLASSES];
    for (ctx, ctx_lengths) in lengths.chunks_exact(SYMBOLS).enumerate() {
        let (b, q) = (ctx / CLASSES, ctx % CLASSES);
        let mut row = [0u8; SYMBOLS];
        for (s, &l) in ctx_lengths.iter().enumerate() {
            let d = usize::from(l) + 16 - usize::from(length_prediction(b, q, s, &row, &latest));
            counts[b][d] += 1;
            deltas.push((b, d));
            row[s] = l;
        }
        latest[q] = row;
    }
    let mut delta_lengths = [[0u8; DELTAS]; BUCKETS];
    for (lens, c) in delta_lengths.iter_mut().zip(&counts) {
        let used: Vec<usize> = (0..DELTAS).filter(|&d| c[d] > 0).collect();
        if used.len() == 1 {
            lens[used[0]] = 1;
        } else if used.len() > 1 {
            let l = limited_huffman_lengths(&used.iter().map(|&d| c[d]).collect::<Vec<_>>(), MAX_CODE_LEN);
            for (&d, &l) in used.iter().zip(&l) {
                lens[d] = l as u8;
            }
        }
    }
    let codes: Vec<[u16; DELTAS]> = delta_lengths.iter().map(canonical_codes).collect();
    // Most significant bit first, the last byte zero-padded.
    let (mut out, mut acc, mut n) = (Vec::new(), 0u64, 0u32);
    for &(b, d) in &deltas {
        acc = (acc << delta_lengths[b][d]) | u64::from(codes[b][d]);
        n += u32::from(delta_lengths[b][d]);
        while n >= 8 {
            n -= 8;
            out.push((acc >> n) as u8);
        }
    }
    if n > 0 {
        out.push((acc << (8 - n)) as u8);
    }
    // Read back as the core will.
    let mut back = Vec::with_capacity(lengths.len());
    read_code_lengths_from(&delta_lengths, &out, |_, row| back.extend_from_slice(row));
    assert_eq!(back, lengths, "code lengths do not read back");
    (delta_lengths, out)
}

/// The generated `tables.rs`.
pub fn render(delta_lengths: &[[u8; DELTAS]; BUCKETS], coded: &[u8], recordings: usize, samples: u64) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "//! GENERATED by `train lite` (brainwire-train/src/lite.rs) from the training");
    let _ = writeln!(s, "//! split ({recordings} recordings, {samples} samples): do not edit; regenerate.");
    let _ = writeln!(s);
    let _ = writeln!(s, "/// Lengths of the canonical code of `length - prediction + 16`, per energy bucket");
    let _ = writeln!(s, "/// (0: the difference does not occur).");
    let _ = writeln!(s, "pub static DELTA_CODE_LENGTHS: [[u8; {DELTAS}]; {BUCKETS}] = [");
    for row in delta_lengths {
        let line: Vec<String> = row.iter().map(|b| b.to_string()).collect();
        let _ = writeln!(s, "    [{}],", line.join(", "));
    }
    let _ = writeln!(s, "];");
    let _ = writeln!(s);
    let _ = writeln!(s, "/// The code lengths (1..=15 bits) of every context and symbol, context-major,");
    let _ = writeln!(s, "/// as codewords of `DELTA_CODE_LENGTHS`, most significant bit first: `CONTEXTS * SYMBOLS`");
    let _ = writeln!(s, "/// lengths in {} bytes.", coded.len());
    let _ = writeln!(s, "pub static CODE_LENGTHS_CODED: [u8; {}] = [", coded.len());
    for row in coded.chunks(24) {
        let line: Vec<String> = row.iter().map(|b| b.to_string()).collect();
        let _ = writeln!(s, "    {},", line.join(", "));
    }
    let _ = writeln!(s, "];");
    s
}
