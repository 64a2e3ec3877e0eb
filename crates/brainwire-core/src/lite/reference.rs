//! A plain reference encoder and decoder of the `lite` payload, written from
//! FORMAT.md's "Lite profile payload" section one rule at a time: one sample
//! per step, the code lengths read from [`CODE_LENGTHS_CODED`] as the format
//! states, canonical codewords matched bit by bit, the energy state searched
//! from state 0. No tables beyond what the format defines, no block loop,
//! nothing shared with the fast coders but the generated lengths.
//!
//! It is slow (a linear search over 96 symbols per codeword length) and exists
//! to test the fast coders against: built for the crate's tests and with the
//! `reference` feature (the fuzz targets), never linked into the challenge
//! binaries.

extern crate alloc;

use super::tables::CODE_LENGTHS_CODED;
use crate::error::Error;
use crate::lattice::AdcLattice;
use alloc::vec;
use alloc::vec::Vec;

const RESIDUAL_LIMIT: i32 = 47;
const SYMBOLS: usize = 96;
const ESCAPE: usize = 95;
const CLASSES: usize = 16;
const CONTEXTS: usize = 192;
const STATES: u32 = 48;
const STATE_START: u32 = 21;
const MAX_CODE_LEN: usize = 15;
const ESCAPE_ORDER: u32 = 5;
/// A decoder refuses an escape with more leading zero bits.
const ESCAPE_MAX_ZEROS: u32 = 15;
const P: [u32; 16] = [4096, 4277, 4467, 4664, 4871, 5087, 5312, 5547, 5793, 6049, 6317, 6597, 6889, 7194, 7512, 7845];

fn pow(k: u32) -> u32 {
    P[(k % 16) as usize] << (k / 16)
}

// ---- ADC lattice -----------------------------------------------------------

fn code_count(lattice: AdcLattice) -> i32 {
    match lattice {
        AdcLattice::Identity16 => 65536,
        AdcLattice::Neuralink10 => 1024,
    }
}

fn value(lattice: AdcLattice, c: i32) -> i16 {
    match lattice {
        AdcLattice::Identity16 => (c - 32768) as i16,
        AdcLattice::Neuralink10 => {
            let r = if c < 512 { 1022 } else { 0 };
            ((c * 65535 + r) / 1023 - 32768) as i16
        }
    }
}

/// The nearest code of `v`, ties going to `g`.
fn nearest_code(lattice: AdcLattice, v: i16) -> i32 {
    match lattice {
        AdcLattice::Identity16 => i32::from(v) + 32768,
        AdcLattice::Neuralink10 => {
            let u = i32::from(v) + 32768;
            let g = (u * 1023 + 32767) / 65535;
            let dist = |c: i32| (i32::from(value(lattice, c)) - i32::from(v)).abs();
            let mut best = g;
            for c in [g - 1, g + 1] {
                if (0..1024).contains(&c) && dist(c) < dist(best) {
                    best = c;
                }
            }
            best
        }
    }
}

/// The code of `v`, or `None` off the lattice.
fn code(lattice: AdcLattice, v: i16) -> Option<i32> {
    let c = nearest_code(lattice, v);
    (value(lattice, c) == v).then_some(c)
}

// ---- Code lengths and canonical codes ---------------------------------------

/// Bits of a byte string, most significant first; bits past the end read 0.
struct BitReader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl BitReader<'_> {
    fn bit(&mut self) -> u32 {
        let b = self.bytes.get(self.pos / 8).map_or(0, |&byte| u32::from(byte >> (7 - self.pos % 8)) & 1);
        self.pos += 1;
        b
    }

    fn field(&mut self, n: u32) -> u32 {
        (0..n).fold(0, |v, _| (v << 1) | self.bit())
    }

    /// Zero bits before the next one bit, counting at most `max + 1`.
    fn zeros(&mut self, max: u32) -> u32 {
        let mut n = 0;
        while n <= max && self.bit() == 0 {
            n += 1;
        }
        n
    }
}

/// `L[ctx][sym]`, decoded from [`CODE_LENGTHS_CODED`] as FORMAT.md states.
pub fn code_lengths() -> Vec<[u8; SYMBOLS]> {
    let mut bits = BitReader { bytes: &CODE_LENGTHS_CODED, pos: 0 };
    let mut l: Vec<[u8; SYMBOLS]> = Vec::with_capacity(CONTEXTS);
    for ctx in 0..CONTEXTS {
        let pred: [u8; SYMBOLS] = if ctx % CLASSES > 0 {
            core::array::from_fn(|sym| if sym <= 93 { l[ctx - 1][sym + 1] } else { l[ctx - 1][sym] })
        } else if ctx >= CLASSES {
            l[ctx - CLASSES]
        } else {
            [8; SYMBOLS]
        };
        let mut row = pred;
        let mut sym = 0usize;
        loop {
            // EG0, its zero count cut at 15.
            let n = bits.zeros(15).min(15);
            let gap = ((1 << n) | bits.field(n)) - 1;
            sym += gap as usize;
            if sym >= SYMBOLS {
                break;
            }
            let neg = bits.bit() == 1;
            let size = bits.zeros(15) + 1;
            row[sym] = if neg { (pred[sym] + 16 - (size % 16) as u8) % 16 } else { (pred[sym] + size as u8) % 16 };
            sym += 1;
        }
        l.push(row);
    }
    l
}

/// The canonical codewords of one context's lengths (RFC 1951, 3.2.2).
fn canonical(lengths: &[u8; SYMBOLS]) -> [u32; SYMBOLS] {
    let mut count = [0u32; MAX_CODE_LEN + 1];
    for &len in lengths {
        count[usize::from(len)] += 1;
    }
    count[0] = 0;
    let mut first = [0u32; MAX_CODE_LEN + 1];
    let mut code = 0;
    for l in 1..=MAX_CODE_LEN {
        code = (code + count[l - 1]) << 1;
        first[l] = code;
    }
    let mut codes = [0; SYMBOLS];
    for (sym, &len) in lengths.iter().enumerate() {
        codes[sym] = first[usize::from(len)];
        first[usize::from(len)] += 1;
    }
    codes
}

/// Every context's prefix code: `(codeword, length)` per symbol.
struct Codes(Vec<[(u32, u32); SYMBOLS]>);

impl Codes {
    fn new() -> Self {
        Self(
            code_lengths()
                .iter()
                .map(|lengths| {
                    let codes = canonical(lengths);
                    core::array::from_fn(|sym| (codes[sym], u32::from(lengths[sym])))
                })
                .collect(),
        )
    }
}

// ---- Model ------------------------------------------------------------------

struct Model {
    last: i32,
    mean: i32,
    state: u32,
}

impl Model {
    fn new(lattice: AdcLattice) -> Self {
        let half = code_count(lattice) / 2;
        Self { last: half, mean: (half << 4) + 32, state: STATE_START }
    }

    /// `(p, ctx)`.
    fn predict(&self) -> (i32, usize) {
        let p = (self.mean + 48 * self.last) >> 6;
        let ctx = (self.state / 4) as usize * 16 + (p % 16) as usize;
        (p, ctx)
    }

    fn update(&mut self, p: i32, c: i32) {
        let a = (c - p).unsigned_abs().min(127);
        let m = (7 * pow(2 * self.state) + (a << 12)) >> 3;
        self.state = (0..STATES).filter(|&j| j == 0 || pow(2 * j - 1) <= m).max().unwrap_or(0);
        self.mean += ((c << 4) + 32 - self.mean) >> 3;
        self.last = c;
    }
}

fn zigzag(r: i32) -> u32 {
    if r >= 0 { 2 * r as u32 } else { (-2 * r - 1) as u32 }
}

// ---- Encoder ----------------------------------------------------------------

struct BitWriter {
    bytes: Vec<u8>,
    bits: usize,
}

impl BitWriter {
    fn field(&mut self, n: u32, v: u32) {
        for i in (0..n).rev() {
            if self.bits.is_multiple_of(8) {
                self.bytes.push(0);
            }
            let bit = ((v >> i) & 1) as u8;
            *self.bytes.last_mut().unwrap() |= bit << (7 - self.bits % 8);
            self.bits += 1;
        }
    }

    fn eg5(&mut self, u: u32) {
        let v = u + (1 << ESCAPE_ORDER);
        let n = 32 - v.leading_zeros();
        self.field(n - (ESCAPE_ORDER + 1), 0);
        self.field(n, v);
    }
}

/// The lite payload of `samples` (no stream header).
pub fn encode(lattice: AdcLattice, samples: &[i16]) -> Vec<u8> {
    let codes = Codes::new();
    let mut model = Model::new(lattice);
    let mut out = BitWriter { bytes: Vec::new(), bits: 0 };
    for &v in samples {
        let (p, ctx) = model.predict();
        let word = |sym: usize| codes.0[ctx][sym];
        let c = match code(lattice, v) {
            Some(c) => {
                let r = c - p;
                if r.abs() <= RESIDUAL_LIMIT {
                    let (w, len) = word((r + RESIDUAL_LIMIT) as usize);
                    out.field(len, w);
                } else {
                    let (w, len) = word(ESCAPE);
                    out.field(len, w);
                    out.eg5(zigzag(r) + 1);
                }
                c
            }
            None => {
                let (w, len) = word(ESCAPE);
                out.field(len, w);
                out.eg5(0);
                out.field(16, u32::from(v as u16));
                nearest_code(lattice, v)
            }
        };
        model.update(p, c);
    }
    out.bytes
}

// ---- Decoder ----------------------------------------------------------------

/// The `n` samples of lite payload `payload` (no stream header), or
/// [`Error::Corrupt`] for anything FORMAT.md tells a decoder to refuse.
pub fn decode(lattice: AdcLattice, payload: &[u8], n: usize) -> Result<Vec<i16>, Error> {
    let codes = Codes::new();
    let mut model = Model::new(lattice);
    let mut bits = BitReader { bytes: payload, pos: 0 };
    let mut samples = vec![0; n];
    for sample in samples.iter_mut() {
        let (p, ctx) = model.predict();
        // The codeword the next bits begin with.
        let mut word = 0;
        let mut sym = None;
        for len in 1..=MAX_CODE_LEN as u32 {
            word = (word << 1) | bits.bit();
            sym = codes.0[ctx].iter().position(|&code| code == (word, len));
            if sym.is_some() {
                break;
            }
        }
        let sym = sym.ok_or(Error::Corrupt)?;
        // The code, and the value of an off-lattice sample.
        let (c, off) = if sym < ESCAPE {
            (p + sym as i32 - RESIDUAL_LIMIT, None)
        } else {
            let z = bits.zeros(ESCAPE_MAX_ZEROS);
            if z > ESCAPE_MAX_ZEROS {
                return Err(Error::Corrupt);
            }
            let v = (1 << (z + ESCAPE_ORDER)) | bits.field(z + ESCAPE_ORDER);
            let u = v - (1 << ESCAPE_ORDER);
            if u == 0 {
                let v = bits.field(16) as u16 as i16;
                if code(lattice, v).is_some() {
                    return Err(Error::Corrupt);
                }
                (nearest_code(lattice, v), Some(v))
            } else {
                let z = u - 1;
                let r = if z.is_multiple_of(2) { (z / 2) as i32 } else { -((u / 2) as i32) };
                if r.abs() <= RESIDUAL_LIMIT {
                    return Err(Error::Corrupt);
                }
                (p + r, None)
            }
        };
        if !(0..code_count(lattice)).contains(&c) || bits.pos > payload.len() * 8 {
            return Err(Error::Corrupt);
        }
        *sample = off.unwrap_or_else(|| value(lattice, c));
        model.update(p, c);
    }
    let unread = payload.len() * 8 - bits.pos;
    if unread >= 8 || bits.field(unread as u32) != 0 {
        return Err(Error::Corrupt);
    }
    Ok(samples)
}
