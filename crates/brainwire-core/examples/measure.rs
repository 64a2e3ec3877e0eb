//! Development aid: bits/sample of each profile over a directory of canonical
//! 16-bit mono WAVs. `cargo run --release -p brainwire-core --features alloc --example measure -- DIR [N] [PROFILE]`
//! Only the held-out split (sorted index % 4 == 0, never seen by `train`) is used.
use brainwire_core::{decode_all, encode_all, AdcLattice, Profile};
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let dir = &args[1];
    let n: usize = args.get(2).map(|s| s.parse().unwrap()).unwrap_or(usize::MAX);
    let profiles: Vec<Profile> = match args.get(3) {
        Some(p) => vec![Profile::from_name(p).unwrap()],
        None => vec![Profile::Tables, Profile::Max],
    };
    let mut files: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    let files: Vec<_> = files.into_iter().step_by(4).collect();
    // Every 4th file: a spread subset when N is small.
    let step = (files.len() / n.min(files.len())).max(1);
    let files: Vec<_> = files.into_iter().step_by(step).take(n).collect();
    for p in profiles {
        let (mut bytes, mut samples) = (0usize, 0usize);
        let t = Instant::now();
        for f in &files {
            let raw = std::fs::read(f).unwrap();
            let s: Vec<i16> = raw[44..].chunks_exact(2).map(|c| i16::from_le_bytes([c[0], c[1]])).collect();
            let mut out = Vec::new();
            encode_all(p, AdcLattice::detect(&s), &s, &mut out);
            let mut back = vec![0i16; s.len()];
            decode_all(&out, &mut back).unwrap();
            assert_eq!(back, s, "{f:?}");
            bytes += out.len();
            samples += s.len();
        }
        let bps = bytes as f64 * 8.0 / samples as f64;
        println!("{:8} files {:4} bits/sample {:.4} ratio~{:.4} ({:.1}s)", p.name(), files.len(), bps, 16.0 / bps, t.elapsed().as_secs_f64());
    }
}
