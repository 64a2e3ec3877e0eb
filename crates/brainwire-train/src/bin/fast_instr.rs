//! Runs one direction of the `fast` profile over one recording, for
//! instruction counts under callgrind (`valgrind --tool=callgrind`):
//!
//! ```text
//! cargo run --release -p brainwire-train --bin fast_instr -- encode|decode|widths-encode|widths-decode|max-encode|max-decode FILE.wav [REPEAT]
//! ```

use brainwire_core::{fast, max, AdcLattice};
use fast::{Edges, LearnedEdges, PriorEdges};

/// The profile-6 (`PriorEdges`) or profile-8 (`LearnedEdges`) stream of `le`.
fn fast_encode<E: Edges>(lattice: AdcLattice, le: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(le.len());
    let mut e = fast::Encoder::<true, E>::new(lattice);
    e.push_le(le, &mut out);
    e.finish(&mut out);
    out
}

fn fast_decode<E: Edges>(lattice: AdcLattice, stream: &[u8], back: &mut [u8]) {
    let mut d = fast::Decoder::<true, E>::new(lattice, stream);
    d.decode_le(back).unwrap();
    d.finish().unwrap();
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (what, path) = (args[0].as_str(), &args[1]);
    let repeat: usize = args.get(2).map(|s| s.parse().unwrap()).unwrap_or(1);
    let bytes = std::fs::read(path).unwrap();
    let le = &bytes[44..];
    let lattice = AdcLattice::detect_le(le);
    let stream = if what.starts_with("widths") {
        fast_encode::<LearnedEdges>(lattice, le)
    } else if what.starts_with("max") {
        let mut stream = Vec::with_capacity(le.len());
        let mut e = max::Encoder::new(lattice);
        le.chunks_exact(2).for_each(|c| e.push(i16::from_le_bytes([c[0], c[1]]), &mut stream));
        e.finish(&mut stream);
        stream
    } else {
        fast_encode::<PriorEdges>(lattice, le)
    };
    let mut back = vec![0u8; le.len()];
    for _ in 0..repeat {
        match what {
            "encode" => assert_eq!(fast_encode::<PriorEdges>(lattice, le), stream),
            "decode" => fast_decode::<PriorEdges>(lattice, &stream, &mut back),
            "widths-encode" => assert_eq!(fast_encode::<LearnedEdges>(lattice, le), stream),
            "widths-decode" => fast_decode::<LearnedEdges>(lattice, &stream, &mut back),
            "max-encode" => {}
            "max-decode" => {
                let mut d = max::Decoder::new(lattice, &stream);
                for c in back.chunks_exact_mut(2) {
                    c.copy_from_slice(&d.next_sample().unwrap().to_le_bytes());
                }
            }
            _ => panic!("encode|decode|widths-encode|widths-decode|max-encode|max-decode"),
        }
    }
    println!("{} samples, {} bytes", le.len() / 2, stream.len());
}
