//! The `lite` decoder.
//!
//! Invariants: it runs the encoder's [`Model`] on the same codes, so both
//! agree on every prediction and context; it never reads outside its
//! payload and never panics: bits past the end read as zero and make the
//! sample (or the block) fail with [`Error::Corrupt`], as do unused
//! codewords, codes off the lattice's range, escapes of residuals that have
//! a codeword, and nonzero padding.

use core::borrow::Borrow;

use super::bits::BitReader;
use super::codebook::{DecodeTables, LONGER, MAX_CODE_LEN, PEEK_BITS, RARE_BELOW};
use super::registers::DecoderRegisters;
use super::model::{Model, RESIDUAL_LIMIT};
use crate::packed::unzigzag;
use crate::error::Error;
use crate::lattice::AdcLattice;

/// Decoder of one `lite` channel payload. `T` holds its tables: by value
/// (the default: each decoder builds its own), or borrowed from a caller
/// that decodes many payloads ([`Decoder::with_tables`]; building them is
/// about 140 KB of writes, a fifth of a 1 s channel's decode).
pub struct Decoder<'a, T: Borrow<DecodeTables> = DecodeTables> {
    lattice: AdcLattice,
    model: Model,
    reader: BitReader<'a>,
    tables: T,
    /// Value of each code of the 10-bit lattice (unused on others).
    values: [i16; 1024],
}

impl<'a> Decoder<'a> {
    /// Inlined: built where the caller keeps it, not moved there (the
    /// tables are tens of kilobytes, and a move copies every byte).
    #[inline(always)]
    pub fn new(lattice: AdcLattice, payload: &'a [u8]) -> Self {
        Decoder::with_tables(lattice, payload, DecodeTables::new())
    }
}

impl<'a, T: Borrow<DecodeTables>> Decoder<'a, T> {
    /// A decoder on `tables` (any [`DecodeTables::new`]: they are the same
    /// for every payload).
    #[inline(always)]
    pub fn with_tables(lattice: AdcLattice, payload: &'a [u8], tables: T) -> Self {
        let mut values = [0i16; 1024];
        if lattice == AdcLattice::Neuralink10 {
            for (c, v) in values.iter_mut().enumerate() {
                *v = lattice.value(c as u32);
            }
        }
        Self { lattice, model: Model::new(lattice), reader: BitReader::new(payload), tables, values }
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
        self.reader.load_lookahead();
        match self.lattice {
            AdcLattice::Neuralink10 => self.run::<true, _>(out.iter_mut(), |o, v| *o = v)?,
            AdcLattice::Identity16 => self.run::<false, _>(out.iter_mut(), |o, v| *o = v)?,
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
        self.reader.load_lookahead();
        match self.lattice {
            AdcLattice::Neuralink10 => self.run::<true, _>(pairs.iter_mut(), store)?,
            AdcLattice::Identity16 => self.run::<false, _>(pairs.iter_mut(), store)?,
        }
        if self.reader.overran() {
            return Err(Error::Corrupt);
        }
        Ok(())
    }

    /// The decoding loop; `TEN_BIT` says the lattice is the 10-bit one. The
    /// model and the bit reader are locals, so they live in registers; the
    /// escape path takes and gives them back by value. The reader has
    /// [`LOOKAHEAD`](super::bits::LOOKAHEAD) bits loaded before every
    /// sample: by the caller ([`BitReader::load_lookahead`]), then kept by
    /// [`BitReader::consume_codeword`] and restored by the escape path.
    /// Never inlined, so that the loop's state stays in registers rather
    /// than in a large caller's frame. The loop tests for its end at the
    /// bottom, one jump a sample (a `for` loop at opt-level "z" has two).
    #[inline(never)]
    fn run<const TEN_BIT: bool, O>(&mut self, mut out: impl Iterator<Item = O>, store: impl Fn(O, i16)) -> Result<(), Error> {
        // The lattice is one of two (the callers match it exhaustively):
        // constants either way.
        let lattice = if TEN_BIT { AdcLattice::Neuralink10 } else { AdcLattice::Identity16 };
        let codes = lattice.len() as usize;
        let (tables, values) = (self.tables.borrow(), &self.values);
        let Some(mut o) = out.next() else {
            return Ok(());
        };
        let mut registers = DecoderRegisters::of(&self.model);
        let mut reader = self.reader.clone();
        let result = 'decode: loop {
            let p = registers.predict();
            let mut e = tables.fast_entry(registers.state, p, reader.peek_index(PEEK_BITS));
            let value = 'sample: {
                if e < RARE_BELOW {
                    if e == LONGER as i16 as isize {
                        let Some(long) = tables.long.entry(registers.state, p, reader.peek(MAX_CODE_LEN)) else {
                            break 'decode Err(Error::Corrupt);
                        };
                        e = long;
                    }
                    if e < RARE_BELOW {
                        let value;
                        (registers, reader, value) = escape(registers, reader, e as u32 & 0xFF, lattice);
                        match value {
                            Ok(value) => break 'sample value,
                            Err(err) => break 'decode Err(err),
                        }
                    }
                }
                reader.consume_codeword(e as u32);
                // The entry's high byte is the residual.
                let residual = e >> 8;
                let code = p + residual;
                if code as usize >= codes {
                    break 'decode Err(Error::Corrupt);
                }
                registers.learn(tables.next_state(registers.state, residual), code);
                // Identity16's value is the code less 32768.
                if TEN_BIT {
                    values[code as usize & 1023]
                } else {
                    (code as u16 ^ 0x8000) as i16
                }
            };
            store(o, value);
            match out.next() {
                Some(next) => o = next,
                None => break Ok(()),
            }
        };
        self.model = registers.model();
        self.reader = reader;
        result
    }

    /// Checks the end of the payload: nothing but the zero padding of the
    /// last byte may remain.
    pub fn finish(self) -> Result<(), Error> {
        self.reader.finish()
    }
}

/// The escape codeword, of `len` bits, and what follows it: a residual
/// without a codeword, or (a zero) a raw off-lattice value. Takes and gives
/// back the decoding loop's state by value (see [`Decoder::run`]), with
/// [`LOOKAHEAD`](super::bits::LOOKAHEAD) bits loaded.
#[inline(never)]
fn escape(registers: DecoderRegisters, mut reader: BitReader<'_>, len: u32, lattice: AdcLattice) -> (DecoderRegisters, BitReader<'_>, Result<i16, Error>) {
    reader.consume(len);
    let mut model = registers.model();
    let result = escaped_sample(&mut model, &mut reader, lattice);
    reader.load_lookahead();
    (DecoderRegisters::of(&model), reader, result)
}

fn escaped_sample(model: &mut Model, reader: &mut BitReader<'_>, lattice: AdcLattice) -> Result<i16, Error> {
    let p = model.predict();
    let u = reader.exp_golomb()?;
    if u == 0 {
        reader.refill();
        let value = reader.take(16) as u16 as i16;
        // The encoder sends only off-lattice values this way.
        if lattice.code(value).is_some() {
            return Err(Error::Corrupt);
        }
        model.learn_any(&p, lattice.nearest_code(value) as i32);
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
    model.learn_any(&p, code);
    Ok(lattice.value(code as u32))
}
