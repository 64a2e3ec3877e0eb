//! Do independent `fast` (or `swift`) streams coded in lockstep on one
//! thread overlap on the core? Codes 8 recordings (every 37th, cut to the
//! shortest) either one after another (`WAY` 1) or `WAY` at a time, a
//! sample of each in turn, and checks every byte; time whole runs of it
//! against each other:
//!
//! ```text
//! cargo build --release -p brainwire-train --bin fast_lockstep
//! target/release/fast_lockstep DATA_DIR encode|decode WAY [REPEAT [swift]]
//! ```
use brainwire_core::{fast, AdcLattice};

const FILES: usize = 8;

/// The two profiles' coders, one interface.
trait Coder {
    type Dec<'a>: Dec;
    fn new() -> Self;
    fn push(&mut self, s: i16, out: &mut Vec<u8>);
    fn finish(self, out: &mut Vec<u8>);
    fn decoder(stream: &[u8]) -> Self::Dec<'_>;
}

trait Dec {
    fn next(&mut self) -> i16;
    fn end(self);
}

impl Coder for fast::Encoder<true> {
    type Dec<'a> = fast::Decoder<'a, true>;
    fn new() -> Self {
        fast::Encoder::<true>::new(AdcLattice::Neuralink10)
    }
    #[inline(always)]
    fn push(&mut self, s: i16, out: &mut Vec<u8>) {
        fast::Encoder::push(self, s, out)
    }
    fn finish(self, out: &mut Vec<u8>) {
        fast::Encoder::finish(self, out)
    }
    fn decoder(stream: &[u8]) -> Self::Dec<'_> {
        fast::Decoder::<true>::new(AdcLattice::Neuralink10, stream)
    }
}

impl Dec for fast::Decoder<'_, true> {
    #[inline(always)]
    fn next(&mut self) -> i16 {
        self.next_sample().expect("a stream this program wrote")
    }
    fn end(self) {
        self.finish().expect("a stream this program wrote")
    }
}

impl Coder for fast::swift::Encoder {
    type Dec<'a> = fast::swift::Decoder<'a>;
    fn new() -> Self {
        fast::swift::Encoder::new(AdcLattice::Neuralink10)
    }
    #[inline(always)]
    fn push(&mut self, s: i16, out: &mut Vec<u8>) {
        fast::swift::Encoder::push(self, s, out)
    }
    fn finish(self, out: &mut Vec<u8>) {
        fast::swift::Encoder::finish(self, out)
    }
    fn decoder(stream: &[u8]) -> Self::Dec<'_> {
        fast::swift::Decoder::new(AdcLattice::Neuralink10, stream)
    }
}

impl Dec for fast::swift::Decoder<'_> {
    #[inline(always)]
    fn next(&mut self) -> i16 {
        self.next_sample().expect("a stream this program wrote")
    }
    fn end(self) {
        self.finish().expect("a stream this program wrote")
    }
}

fn encode_group<C: Coder>(les: &[&[u8]], n: usize) -> Vec<Vec<u8>> {
    let mut es: Vec<C> = les.iter().map(|_| C::new()).collect();
    let mut outs: Vec<Vec<u8>> = les.iter().map(|_| Vec::with_capacity(n)).collect();
    for i in 0..n {
        for ((e, le), out) in es.iter_mut().zip(les).zip(outs.iter_mut()) {
            e.push(i16::from_le_bytes([le[2 * i], le[2 * i + 1]]), out);
        }
    }
    for (e, out) in es.into_iter().zip(outs.iter_mut()) {
        e.finish(out);
    }
    outs
}

fn decode_group<C: Coder>(streams: &[Vec<u8>], n: usize, back: &mut [Vec<i16>]) {
    let mut ds: Vec<_> = streams.iter().map(|s| C::decoder(s)).collect();
    for i in 0..n {
        for (d, b) in ds.iter_mut().zip(back.iter_mut()) {
            b[i] = d.next();
        }
    }
    ds.into_iter().for_each(Dec::end);
}

fn main() {
    if std::env::args().nth(5).as_deref() == Some("swift") {
        run::<fast::swift::Encoder>()
    } else {
        run::<fast::Encoder<true>>()
    }
}

fn run<C: Coder>() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 3 {
        eprintln!("usage: fast_lockstep DATA_DIR encode|decode WAY [REPEAT]");
        std::process::exit(2);
    }
    let way: usize = args[2].parse().expect("WAY: 1, 2, 4 or 8");
    assert!(way > 0 && FILES % way == 0, "WAY must divide {FILES}");
    let repeat: usize = args.get(3).map_or(5, |s| s.parse().expect("REPEAT: a count"));
    let mut names: Vec<_> = std::fs::read_dir(&args[0]).expect("DATA_DIR").map(|e| e.unwrap().path()).collect();
    names.sort();
    let files: Vec<Vec<u8>> = names.iter().step_by(37).take(FILES).map(|p| std::fs::read(p).unwrap()[44..].to_vec()).collect();
    let n = files.iter().map(|f| f.len() / 2).min().unwrap();
    let les: Vec<&[u8]> = files.iter().map(|f| &f[..2 * n]).collect();
    let streams: Vec<Vec<u8>> = les.chunks(1).flat_map(|g| encode_group::<C>(g, n)).collect();
    for _ in 0..repeat {
        match args[1].as_str() {
            "encode" => {
                let again: Vec<Vec<u8>> = les.chunks(way).flat_map(|g| encode_group::<C>(g, n)).collect();
                assert_eq!(again, streams);
            }
            "decode" => {
                let mut back = vec![vec![0i16; n]; FILES];
                for (s, b) in streams.chunks(way).zip(back.chunks_mut(way)) {
                    decode_group::<C>(s, n, b);
                }
                for (le, b) in les.iter().zip(&back) {
                    assert!(le.chunks_exact(2).zip(b).all(|(w, &s)| i16::from_le_bytes([w[0], w[1]]) == s));
                }
            }
            _ => panic!("encode|decode"),
        }
    }
    println!("{} samples x {repeat} {} {way} at a time", n * FILES, args[1]);
}
