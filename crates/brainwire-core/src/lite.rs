//! The `lite` profile (implant profile). PLACEHOLDER until issue 4 lands:
//! stores each sample as two raw little-endian bytes so the format plumbing
//! can be exercised end to end.

use crate::error::Error;
use crate::lattice::AdcLattice;
use crate::range::ByteSink;

pub struct Encoder;

impl Encoder {
    pub fn new(_lattice: AdcLattice) -> Self {
        Self
    }
    pub fn push<S: ByteSink>(&mut self, sample: i16, out: &mut S) {
        for b in sample.to_le_bytes() {
            out.put(b);
        }
    }
    pub fn finish<S: ByteSink>(self, _out: &mut S) {}
}

pub struct Decoder<'a> {
    payload: &'a [u8],
    pos: usize,
}

impl<'a> Decoder<'a> {
    pub fn new(_lattice: AdcLattice, payload: &'a [u8]) -> Self {
        Self { payload, pos: 0 }
    }
    pub fn next_sample(&mut self) -> Result<i16, Error> {
        let b = self.payload.get(self.pos..self.pos + 2).ok_or(Error::Corrupt)?;
        self.pos += 2;
        Ok(i16::from_le_bytes([b[0], b[1]]))
    }
    pub fn finish(self) -> Result<(), Error> {
        if self.pos == self.payload.len() { Ok(()) } else { Err(Error::Corrupt) }
    }
}
