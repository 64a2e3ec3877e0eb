//! The `lite` decoder.
//!
//! Invariants: it runs the encoder's [`Model`] on the same codes, so both
//! agree on every prediction and context; it never reads outside its
//! payload and never panics: bits past the end read as zero and make the
//! sample (or the block) fail with [`Error::Corrupt`], as do unused
//! codewords, codes off the lattice's range, escapes of residuals that have
//! a codeword, and nonzero padding.

use super::bits::BitReader;
use super::codebook::{DecodeTables, MAX_CODE_LEN};
use super::model::{Model, Prediction, ESCAPE, RESIDUAL_LIMIT};
use super::unzigzag;
use crate::error::Error;
use crate::lattice::AdcLattice;

/// Decoder of one `lite` channel payload.
pub struct Decoder<'a> {
    lattice: AdcLattice,
    codes: u32,
    model: Model,
    reader: BitReader<'a>,
    tables: DecodeTables,
    /// Value of each code of the 10-bit lattice (unused on others).
    values: [i16; 1024],
}

impl<'a> Decoder<'a> {
    /// Inlined: built where the caller keeps it, not moved there (a move
    /// costs an instruction per byte under callgrind, and the tables are
    /// tens of kilobytes).
    #[inline(always)]
    pub fn new(lattice: AdcLattice, payload: &'a [u8]) -> Self {
        let mut values = [0i16; 1024];
        if lattice == AdcLattice::Neuralink10 {
            for (c, v) in values.iter_mut().enumerate() {
                *v = lattice.value(c as u32);
            }
        }
        Self { lattice, codes: lattice.len(), model: Model::new(lattice), reader: BitReader::new(payload), tables: DecodeTables::new(), values }
    }

    /// The next sample.
    pub fn next_sample(&mut self) -> Result<i16, Error> {
        let mut v = 0;
        self.decode_into(core::slice::from_mut(&mut v))?;
        Ok(v)
    }

    /// Fills `out` with the next samples: the same values as
    /// [`Decoder::next_sample`] one by one, checking the end of the payload
    /// once per block. On an error `out` holds garbage.
    pub fn decode_into(&mut self, out: &mut [i16]) -> Result<(), Error> {
        match self.lattice {
            AdcLattice::Neuralink10 => self.run::<true, _>(out.iter_mut(), |o, v| *o = v)?,
            _ => self.run::<false, _>(out.iter_mut(), |o, v| *o = v)?,
        }
        if self.reader.overran() {
            return Err(Error::Corrupt);
        }
        Ok(())
    }

    /// Decodes the next `out.len() / 2` samples into `out` as little-endian
    /// 16-bit words (a WAV file's sample bytes; an odd last byte is left
    /// alone), as [`Decoder::decode_into`] would.
    pub fn decode_le(&mut self, out: &mut [u8]) -> Result<(), Error> {
        let (pairs, _) = out.as_chunks_mut::<2>();
        let store = |o: &mut [u8; 2], v: i16| *o = v.to_le_bytes();
        match self.lattice {
            AdcLattice::Neuralink10 => self.run::<true, _>(pairs.iter_mut(), store)?,
            _ => self.run::<false, _>(pairs.iter_mut(), store)?,
        }
        if self.reader.overran() {
            return Err(Error::Corrupt);
        }
        Ok(())
    }

    /// The decoding loop; `TEN_BIT` says the lattice is the 10-bit one. The
    /// model and the bit reader are locals, so they live in registers; the
    /// escape path takes and gives them back by value.
    /// Never inlined: in a caller's large function the loop's state ended
    /// up in memory.
    #[inline(never)]
    fn run<const TEN_BIT: bool, O>(&mut self, out: impl Iterator<Item = O>, store: impl Fn(O, i16)) -> Result<(), Error> {
        let (tables, values, codes, lattice) = (&self.tables, &self.values, self.codes, self.lattice);
        let mut state = (self.model.clone(), self.reader.clone());
        let mut result = Ok(());
        for o in out {
            let (model, reader) = &mut state;
            let p = model.predict();
            reader.need(MAX_CODE_LEN);
            let Some((sym, len)) = tables.decode(p.context, reader) else {
                result = Err(Error::Corrupt);
                break;
            };
            reader.consume(len);
            if sym < ESCAPE {
                let code = p.code + sym as i32 - RESIDUAL_LIMIT;
                // On the 10-bit lattice a constant bound.
                if code as u32 >= if TEN_BIT { 1024 } else { codes } {
                    result = Err(Error::Corrupt);
                    break;
                }
                model.learn(&tables.energy, code, sym);
                // Identity16's value is the code less 32768.
                store(o, if TEN_BIT { values[code as usize & 1023] } else { (code as u16 ^ 0x8000) as i16 });
            } else {
                let (s, value) = escape(state, lattice, &p);
                state = s;
                match value {
                    Ok(value) => store(o, value),
                    Err(e) => {
                        result = Err(e);
                        break;
                    }
                }
            }
        }
        (self.model, self.reader) = state;
        result
    }

    /// Checks the end of the payload: nothing but the zero padding of the
    /// last byte may remain.
    pub fn finish(self) -> Result<(), Error> {
        self.reader.finish()
    }
}

/// After the escape codeword: a residual without a codeword, or (a zero)
/// a raw off-lattice value. Takes and gives back the decoder's state by
/// value (see [`Decoder::decode_into`]).
#[inline(never)]
fn escape<'a>((mut model, mut reader): (Model, BitReader<'a>), lattice: AdcLattice, p: &Prediction) -> ((Model, BitReader<'a>), Result<i16, Error>) {
    let result = escaped_sample(&mut model, &mut reader, lattice, p);
    ((model, reader), result)
}

fn escaped_sample(model: &mut Model, reader: &mut BitReader<'_>, lattice: AdcLattice, p: &Prediction) -> Result<i16, Error> {
    let u = reader.exp_golomb()?;
    if u == 0 {
        reader.refill();
        let value = reader.take(16) as u16 as i16;
        // The encoder sends only off-lattice values this way.
        if lattice.code(value).is_some() {
            return Err(Error::Corrupt);
        }
        model.learn_any(p, lattice.nearest_code(value) as i32);
        return Ok(value);
    }
    let r = unzigzag(u - 1);
    // The encoder escapes only residuals without a codeword.
    if r.unsigned_abs() <= RESIDUAL_LIMIT as u32 {
        return Err(Error::Corrupt);
    }
    let code = p.code + r;
    if code as u32 >= lattice.len() {
        return Err(Error::Corrupt);
    }
    model.learn_any(p, code);
    Ok(lattice.value(code as u32))
}
