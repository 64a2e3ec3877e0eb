//! Helpers shared by the core's tests: a byte sink, a synthetic electrode-like
//! signal, and the real recordings (found by `brainwire_testkit::recordings`,
//! as every crate finds them).

extern crate std;

use crate::lattice::AdcLattice;
use crate::sink::ByteSink;
use brainwire_testkit::Rng;
use std::path::PathBuf;
use std::vec::Vec;

/// Collects bytes (a newtype: the crate's own `Vec` sink exists only with the
/// `alloc` feature).
pub struct Bytes(pub Vec<u8>);

impl ByteSink for Bytes {
    fn put(&mut self, byte: u8) {
        self.0.push(byte);
    }
}

/// At most `max` real recordings as (name, samples), spread over the sorted
/// names; `None` after a printed SKIPPED line when there are none (see
/// `brainwire_testkit::data` for where they are looked for, and when their
/// absence fails instead).
pub fn real_recordings(max: usize) -> Option<Vec<(PathBuf, Vec<i16>)>> {
    let recs = brainwire_testkit::recordings(max, "the real-data part of a core test")?;
    Some(recs.into_iter().map(|r| (PathBuf::from(&r.name), r.samples())).collect())
}

/// Gaussian noise of `sigma` codes on the 10-bit lattice with drift, spikes,
/// excursions to both rails and some values off the lattice (the fast
/// profiles' tests).
pub fn synthetic(n: usize, seed: u64, sigma: f64) -> Vec<i16> {
    let l = AdcLattice::Neuralink10;
    let mut rng = Rng::new(seed);
    (0..n)
        .map(|i| {
            let drift = 512.0 + 40.0 * ((i as f64) / 900.0).sin();
            let spike = if i % 1500 < 8 { -120.0 } else { 0.0 };
            let rail = if i % 5000 > 4950 { 900.0 } else if i % 7000 > 6960 { -900.0 } else { 0.0 };
            let x = drift + spike + rail + sigma * rng.normal();
            let v = l.value(x.round().clamp(0.0, 1023.0) as u32);
            if i % 997 == 13 { v.wrapping_add(7) } else { v }
        })
        .collect()
}

/// Inputs at the extremes, for round trips on both lattices: `loud`
/// samples of full-scale 16-bit noise, then `rails` samples cycling through
/// both rails, 0 and -1.
pub fn extremes(loud: usize, rails: usize) -> [Vec<i16>; 2] {
    let mut rng = Rng::new(3);
    [(0..loud).map(|_| rng.next_u64() as i16).collect(), (0..rails).map(|i| [i16::MIN, i16::MAX, 0, -1][i % 4]).collect()]
}
