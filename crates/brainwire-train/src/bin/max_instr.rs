//! One recording through the `max` encoder or decoder, for instruction counts:
//!
//! ```text
//! cargo build --release -p brainwire-train --bin max_instr
//! valgrind --tool=callgrind --toggle-collect='*max_instr*run*' target/release/max_instr FILE.wav enc|dec
//! ```
//!
//! Counting only `run_*` leaves out reading the file; divide by the samples
//! printed. `dec` makes its stream with `encode` (no `run` in the name, so
//! not counted): the count is the decoder's alone.

use brainwire_core::max;
use brainwire_core::AdcLattice;

#[inline(never)]
fn run_encode(lattice: AdcLattice, s: &[i16], out: &mut Vec<u8>) {
    encode(lattice, s, out);
}

#[inline(never)]
fn encode(lattice: AdcLattice, s: &[i16], out: &mut Vec<u8>) {
    let mut enc = max::Encoder::new(lattice);
    for &v in s {
        enc.push(v, out);
    }
    enc.finish(out);
}

#[inline(never)]
fn run_decode(lattice: AdcLattice, bytes: &[u8], n: usize, out: &mut Vec<i16>) {
    let mut dec = max::Decoder::new(lattice, bytes);
    for _ in 0..n {
        out.push(dec.next_sample().expect("valid stream"));
    }
    dec.finish().expect("complete stream");
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let bytes = std::fs::read(&args[0]).expect("readable WAV");
    let s: Vec<i16> = bytes[44..]
        .chunks_exact(2)
        .map(|c| i16::from_le_bytes([c[0], c[1]]))
        .collect();
    let lattice = AdcLattice::detect(&s);
    let mut coded = Vec::with_capacity(s.len() * 2);
    let mut back = Vec::with_capacity(s.len());
    match args.get(1).map(String::as_str) {
        Some("dec") => {
            encode(lattice, &s, &mut coded);
            let mut sink = Vec::new();
            std::mem::swap(&mut sink, &mut coded);
            run_decode(lattice, &sink, s.len(), &mut back);
            assert!(back == s);
        }
        _ => run_encode(lattice, &s, &mut coded),
    }
    println!("{} samples", s.len());
}
