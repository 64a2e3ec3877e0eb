//! Bits/sample of the `fast` profiles (6, 5 without the level term, and 8
//! with code widths learned from the stream) and of `swift` (9) next to
//! `max`, and of profile
//! 6's model with every code one average code wide (the built-in prior of
//! code widths switched off: what profile 8 starts from), per split (sorted
//! file index % 4 == 0 is held out), with codec-only single-thread speeds,
//! on a directory of canonical 16-bit mono WAVs; or, with `--raw CHANNELS`,
//! on one raw interleaved int16 file (each channel coded alone, as the
//! chunked format does):
//!
//! ```text
//! cargo run --release -p brainwire-train --bin fast_measure -- DATA_DIR [STRIDE [PIECE]]
//! cargo run --release -p brainwire-train --bin fast_measure -- --raw CHANNELS FILE.i16
//! ```
//!
//! STRIDE (default 1) takes every STRIDE-th file of each split; PIECE (in
//! samples) codes each recording in pieces of that many samples, each from a
//! fresh model, as the chunked format codes a channel's chunks (19531: one
//! second). Checks that every `fast` stream decodes to its recording.

use brainwire_core::ByteCounter;
use brainwire_core::{fast, max, AdcLattice, Profile};
use fast::{Edges, LearnedEdges, PriorEdges};
use brainwire_train::corpus::{self, Split};
use std::path::Path;
use std::time::{Duration, Instant};

/// Bytes of one recording under each coder, and its sample count.
#[derive(Default, Clone, Copy)]
struct Sizes {
    max: u64,
    fast5: u64,
    fast: u64,
    uniform: u64,
    widths: u64,
    swift: u64,
    samples: u64,
}

impl std::ops::AddAssign for Sizes {
    fn add_assign(&mut self, o: Self) {
        self.max += o.max;
        self.fast5 += o.fast5;
        self.fast += o.fast;
        self.uniform += o.uniform;
        self.widths += o.widths;
        self.swift += o.swift;
        self.samples += o.samples;
    }
}

#[derive(Default)]
struct Times {
    encode: Duration,
    decode: Duration,
}

/// Every code one average code wide, whatever the lattice: profile 6's
/// model without the built-in prior of the 10-bit ADC's code widths (the
/// prior's edges as they are on a lattice it does not apply to).
#[derive(Clone, Copy, Debug)]
struct UniformEdges(PriorEdges);

impl Edges for UniformEdges {
    fn new(_: AdcLattice) -> Self {
        Self(PriorEdges::new(AdcLattice::Identity16))
    }
    fn edge(&self, code: u32) -> i64 {
        self.0.edge(code)
    }
    fn mid(&self, code: u32) -> i64 {
        self.0.mid(code)
    }
    fn uniform(&self) -> bool {
        self.0.uniform()
    }
    fn learn(&mut self, code: u32, seen: u32, centre: u32) {
        self.0.learn(code, seen, centre);
    }
}

fn fast_bytes<const LEVEL: bool, E: Edges>(lattice: AdcLattice, le: &[u8], times: Option<&mut Times>, name: &str) -> u64 {
    let t0 = Instant::now();
    let mut out = Vec::with_capacity(le.len());
    let mut enc = fast::Encoder::<LEVEL, E>::new(lattice);
    enc.push_le(le, &mut out);
    enc.finish(&mut out);
    let t1 = Instant::now();
    let mut back = vec![0u8; le.len()];
    let mut dec = fast::Decoder::<LEVEL, E>::new(lattice, &out);
    dec.decode_le(&mut back).unwrap_or_else(|e| panic!("{name}: {e:?}"));
    dec.finish().unwrap();
    let t2 = Instant::now();
    assert!(back == le, "{name}: round trip");
    if let Some(times) = times {
        times.encode += t1 - t0;
        times.decode += t2 - t1;
    }
    out.len() as u64
}

/// Bytes of the `swift` payload (profile 9, the stream less its header),
/// checked to decode: through the library's stream functions, which every
/// profile shares.
fn swift_bytes(lattice: AdcLattice, le: &[u8], name: &str) -> u64 {
    let mut out = Vec::with_capacity(le.len());
    brainwire_core::encode_le(Profile::Swift, lattice, le, &mut out);
    let mut back = vec![0u8; le.len()];
    brainwire_core::decode_le(&out, &mut back).unwrap_or_else(|e| panic!("{name}: {e:?}"));
    assert!(back == le, "{name}: swift round trip");
    (out.len() - brainwire_core::stream::HEADER_LEN) as u64
}

fn measure(le: &[u8], times: &mut Times, name: &str) -> Sizes {
    let s: Vec<i16> = le.chunks_exact(2).map(|c| i16::from_le_bytes([c[0], c[1]])).collect();
    let lattice = AdcLattice::detect(&s);
    let mut cnt = ByteCounter::default();
    let mut enc = max::Encoder::new(lattice);
    s.iter().for_each(|&v| enc.push(v, &mut cnt));
    enc.finish(&mut cnt);
    Sizes {
        max: cnt.0,
        fast5: fast_bytes::<false, PriorEdges>(lattice, le, None, name),
        fast: fast_bytes::<true, PriorEdges>(lattice, le, Some(times), name),
        uniform: fast_bytes::<true, UniformEdges>(lattice, le, None, name),
        widths: fast_bytes::<true, LearnedEdges>(lattice, le, None, name),
        swift: swift_bytes(lattice, le, name),
        samples: s.len() as u64,
    }
}

fn report(name: &str, z: Sizes) {
    let bps = |b: u64| b as f64 * 8.0 / z.samples.max(1) as f64;
    println!(
        "{name:9} max {:.4}  fast5 {:.4}  fast {:.4} bits/sample  (fast vs max {:+.4}, vs fast5 {:+.4}; {} samples)",
        bps(z.max),
        bps(z.fast5),
        bps(z.fast),
        bps(z.fast) - bps(z.max),
        bps(z.fast) - bps(z.fast5),
        z.samples
    );
    let (u, f) = (bps(z.uniform), bps(z.fast));
    println!(
        "{:9} code widths: built-in prior {f:.4}, none {u:.4}, learned (fast-widths) {:.4} bits/sample: learning recovers {:.1} % of the prior's {:.4}",
        "",
        bps(z.widths),
        100.0 * (u - bps(z.widths)) / (u - f),
        u - f
    );
    println!("{:9} swift {:.4} bits/sample (vs fast {:+.4}, vs max {:+.4})", "", bps(z.swift), bps(z.swift) - f, bps(z.swift) - bps(z.max));
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut times = Times::default();
    let total = if args.first().map(String::as_str) == Some("--raw") {
        let channels: usize = args.get(1).and_then(|c| c.parse().ok()).expect("--raw CHANNELS FILE");
        let path = args.get(2).expect("--raw CHANNELS FILE");
        let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let frames = bytes.len() / (2 * channels);
        let mut all = Sizes::default();
        for c in 0..channels {
            let le: Vec<u8> = (0..frames).flat_map(|f| [bytes[2 * (f * channels + c)], bytes[2 * (f * channels + c) + 1]]).collect();
            all += measure(&le, &mut times, &format!("{path} channel {c}"));
        }
        report("all", all);
        all
    } else {
        let dir = args.first().expect("usage: fast_measure DATA_DIR [STRIDE] | --raw CHANNELS FILE");
        let stride: usize = args.get(1).map(|s| s.parse().expect("STRIDE is a number")).unwrap_or(1);
        let piece: usize = args.get(2).map(|s| s.parse().expect("PIECE is a number of samples")).unwrap_or(usize::MAX / 4);
        let mut parts = [Sizes::default(); 2];
        for (split, slot) in parts.iter_mut().enumerate() {
            let part = if split == 1 { Split::HeldOut } else { Split::Train };
            let chosen = corpus::files(Path::new(dir), part).expect("a directory of WAVs");
            for p in chosen.iter().step_by(stride) {
                let bytes = std::fs::read(p).unwrap();
                for part in bytes[44..].chunks(2 * piece) {
                    *slot += measure(part, &mut times, &p.display().to_string());
                }
            }
        }
        report("train", parts[0]);
        report("held-out", parts[1]);
        let mut all = parts[0];
        all += parts[1];
        report("all", all);
        all
    };
    let mb = total.samples as f64 * 2.0 / 1e6;
    println!(
        "codec only, one thread: fast encode {:.1} MB/s, decode {:.1} MB/s",
        mb / times.encode.as_secs_f64(),
        mb / times.decode.as_secs_f64()
    );
}
