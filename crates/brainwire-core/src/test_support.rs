//! Helpers shared by the core's tests: a byte sink, and the real recordings
//! (found by `brainwire_testkit::recordings`, as every crate finds them).

extern crate std;

use crate::sink::ByteSink;
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
