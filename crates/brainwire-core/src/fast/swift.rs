//! The `swift` profile (9): `fast`'s coder with a model the encoder measures
//! and sends instead of one both sides adapt.
//!
//! Each code still gets the mass of its analog interval under a Gaussian
//! around the prediction, on the built-in code edges, with `fast`'s scale
//! buckets, windows, tables and escapes. What changes is where the model
//! comes from: the samples are cut into blocks of [`BLOCK`], and in front of
//! each block the encoder writes a linear predictor (order 0 to
//! [`MAX_ORDER`], integer coefficients on the codes around the block's mean
//! code) and one scale bucket, measured on that block. The decoder applies
//! them: no filter update, level term or variance means on the sample path,
//! so a decoded sample is a dot product, a window and a table lookup.
//!
//! Why it holds `fast`'s ratio: after prediction the residual of these
//! recordings is white, stationary and Gaussian over seconds, so one
//! predictor and one scale a block (0.8-1.7 s) model it as well as the
//! adaptive ones, for about 0.01 bits/sample of header (docs/swift.md).
//!
//! Invariant: the decoder's arithmetic is integer only (the encoder's
//! analysis may use floating point: it only chooses the header, which is
//! sent), so encoder and decoder compute identical windows on any machine.
//! The encoder's choices use basic IEEE operations only, so its bytes do
//! not depend on the machine either.

use super::model::{bucket, Model, Window, BUCKETS, TOTAL, VAR_MAX_LOG2};
use super::{decode_in_window, encode_escape};
use crate::error::Error;
use crate::lattice::AdcLattice;
use crate::range::{RangeDecoder, RangeEncoder};
use crate::sink::ByteSink;

/// Samples a block: every block but the stream's last has this many.
pub const BLOCK: usize = 1 << 15;
/// Highest predictor order.
pub const MAX_ORDER: usize = 16;
/// Header fields, bits: the order, the coefficients' fraction bits less
/// [`SHIFT_MIN`], each coefficient (two's complement), the scale bucket.
const ORDER_BITS: u32 = 5;
const SHIFT_FIELD_BITS: u32 = 4;
const COEF_BITS: u32 = 16;
const BUCKET_FIELD_BITS: u32 = 10;
/// Fraction bits of the coefficients: at least the prediction's own (Q4),
/// so the shift from their products to Q4 is never negative.
const SHIFT_MIN: u32 = 4;
const SHIFT_MAX: u32 = SHIFT_MIN + (1 << SHIFT_FIELD_BITS) - 1;
/// Fraction bits of predictions (Q4 codes, as `fast`).
const FRAC_BITS: u32 = 4;
const COEF_MAX: i64 = (1 << (COEF_BITS - 1)) - 1;

const _: () = assert!(MAX_ORDER < 1 << ORDER_BITS && BUCKETS <= 1 << BUCKET_FIELD_BITS);

/// A block's header: what the decoder needs to predict and scale its samples.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct BlockHeader {
    order: usize,
    /// Fraction bits of `coefs` (in `SHIFT_MIN..=SHIFT_MAX`).
    shift: u32,
    /// Coefficients, newest tap first; zero from `order` on.
    coefs: [i64; MAX_ORDER],
    /// The block's mean code (rounded), which the predictor works around.
    mean: u32,
    /// The scale bucket of every sample of the block.
    bucket: usize,
}

impl BlockHeader {
    fn write<S: ByteSink>(&self, rc: &mut RangeEncoder, code_bits: u32, out: &mut S) {
        rc.encode_bits(self.order as u32, ORDER_BITS, out);
        if self.order > 0 {
            rc.encode_bits(self.shift - SHIFT_MIN, SHIFT_FIELD_BITS, out);
            for &c in &self.coefs[..self.order] {
                rc.encode_bits(u32::from(c as i16 as u16), COEF_BITS, out);
            }
        }
        rc.encode_bits(self.mean, code_bits, out);
        rc.encode_bits(self.bucket as u32, BUCKET_FIELD_BITS, out);
    }

    /// Reads a header; refuses an order above [`MAX_ORDER`], a mean off the
    /// lattice and a bucket beyond the table (the encoder writes none).
    fn read(rc: &mut RangeDecoder<'_>, lattice: AdcLattice) -> Result<Self, Error> {
        let mut bits = |n| rc.decode_bits(n).ok_or(Error::Corrupt);
        let order = bits(ORDER_BITS)? as usize;
        if order > MAX_ORDER {
            return Err(Error::Corrupt);
        }
        let mut h = BlockHeader { order, shift: SHIFT_MIN, coefs: [0; MAX_ORDER], mean: 0, bucket: 0 };
        if order > 0 {
            h.shift = SHIFT_MIN + bits(SHIFT_FIELD_BITS)?;
            for c in &mut h.coefs[..order] {
                *c = i64::from(bits(COEF_BITS)? as u16 as i16);
            }
        }
        h.mean = bits(lattice.len().trailing_zeros())?;
        h.bucket = bits(BUCKET_FIELD_BITS)? as usize;
        if h.mean >= lattice.len() || h.bucket >= BUCKETS {
            return Err(Error::Corrupt);
        }
        Ok(h)
    }
}

/// The block's linear predictor and the codes it reads.
///
/// `p = 16 mean + (acc - (mean - C) sum(coefs)) >> (shift - 4)`, clamped
/// to `0..=16 (len - 1)` (Q4 codes; `>>` floors), where `C = len / 2`,
/// `acc = sum_j coefs[j] * (x[t-1-j] - C)` in wrapping 32-bit arithmetic,
/// and `x` are the codes coded so far (an off-lattice sample counts as its
/// nearest code) or, before the stream's first sample, the first block's
/// mean. Plainly: `16 mean + sum_j coefs[j] (x[t-1-j] - mean) / 2^(shift-4)`.
///
/// Why centred on `C` and 32-bit: each tap is then an i16 times an i16, so
/// the 16 taps are two SSE2 `pmaddwd` and a few adds on any x86-64. The
/// encoder keeps `sum |coefs| * C` below 2^31 (see [`choose_predictor`]),
/// so its `acc` never wraps; a decoder given a hostile header wraps the
/// same way on every machine.
#[derive(Clone, Debug)]
struct Predictor {
    /// `coefs[0]`, for the newest code, which the sum takes from `newest`.
    first: i32,
    /// `coefs[1..16]` and a 0: the taps of the older codes in the window.
    older: [i16; MAX_ORDER],
    affine: Affine,
    center: i32,
    /// The newest code less `C`.
    newest: i32,
    /// The codes less `C` before the newest, newest first, at
    /// `history[at + 1..at + 1 + MAX_ORDER]` (the last of them has a 0 tap):
    /// each is stored twice, [`RING`] apart, so that window is always one
    /// slice and a new code costs two stores.
    ///
    /// Why the newest code is apart: the window is two 16-byte loads, and a
    /// load that overlaps a store still in flight waits for it (no store
    /// forwarding into a wider load). The window starts past the newest
    /// code's two copies, so it reads only codes stored a sample or more
    /// ago, and the newest code's tap is a scalar multiply.
    history: [i16; 2 * RING],
    at: usize,
}

/// The rest of a block's prediction after the tap sum `acc`: the one
/// formula the encoder's [`Taps`] and the decoder's [`Predictor`] share.
#[derive(Clone, Debug)]
struct Affine {
    /// `(mean - C) * sum(coefs)`: moves the sum from `C` to the mean.
    offset: i64,
    mean_q4: i64,
    shift: u32,
    /// The top code, Q4.
    top: i64,
}

impl Affine {
    fn new(h: &BlockHeader, lattice: AdcLattice) -> Self {
        let center = i64::from(lattice.len() / 2);
        Self {
            offset: (i64::from(h.mean) - center) * h.coefs.iter().sum::<i64>(),
            mean_q4: i64::from(h.mean) << FRAC_BITS,
            shift: h.shift,
            top: i64::from(lattice.len() - 1) << FRAC_BITS,
        }
    }

    /// `clamp(16 mean + ((acc - offset) >> (shift - 4)), 0, top)`.
    #[inline(always)]
    fn q4(&self, acc: i32) -> u32 {
        (self.mean_q4 + ((i64::from(acc) - self.offset) >> (self.shift - FRAC_BITS))).clamp(0, self.top) as u32
    }
}

/// Codes [`Predictor`]'s ring holds: the newest and [`MAX_ORDER`] older.
const RING: usize = MAX_ORDER + 1;

impl Predictor {
    /// The predictor before the stream's first block header.
    fn new(lattice: AdcLattice) -> Self {
        let none = BlockHeader { order: 0, shift: SHIFT_MIN, coefs: [0; MAX_ORDER], mean: 0, bucket: 0 };
        let center = (lattice.len() / 2) as i32;
        Self { first: 0, older: [0; MAX_ORDER], affine: Affine::new(&none, lattice), center, newest: 0, history: [0; 2 * RING], at: 0 }
    }

    /// Takes a block's predictor (`affine` from the same header); the
    /// stream's first block also fills the history with its mean.
    fn start(&mut self, h: &BlockHeader, affine: Affine, first: bool) {
        if first {
            let x = h.mean as i32 - self.center;
            self.history = [x as i16; 2 * RING];
            self.newest = x;
        }
        self.first = h.coefs[0] as i32;
        self.older = core::array::from_fn(|j| if j + 1 < MAX_ORDER { h.coefs[j + 1] as i16 } else { 0 });
        self.affine = affine;
    }

    /// The prediction of the next code, Q4.
    #[inline(always)]
    fn predict(&self) -> u32 {
        let h = &self.history[self.at + 1..self.at + 1 + MAX_ORDER];
        let mut acc = self.first.wrapping_mul(self.newest);
        for j in 0..MAX_ORDER {
            acc = acc.wrapping_add(i32::from(self.older[j]) * i32::from(h[j]));
        }
        self.affine.q4(acc)
    }

    #[inline(always)]
    fn push(&mut self, code: u32) {
        let x = code as i32 - self.center;
        self.at = if self.at == 0 { RING - 1 } else { self.at - 1 };
        self.history[self.at] = x as i16;
        self.history[self.at + RING] = x as i16;
        self.newest = x;
    }
}

/// `log2(x)` for `x > 0`: the float's exponent plus an odd series in
/// `y = (m - 1) / (m + 1)` for its mantissa `m` in `[sqrt(1/2), sqrt(2))`
/// (so `|y| < 0.172` and the series is within 1e-9). Basic IEEE
/// operations only, so every machine agrees (`f64::log2` is not in
/// `core`, and libm's may differ by an ulp).
fn log2(x: f64) -> f64 {
    let bits = x.to_bits();
    let mut e = ((bits >> 52) & 0x7ff) as i64 - 1023;
    let mut m = f64::from_bits((bits & ((1 << 52) - 1)) | (1023 << 52));
    if m > core::f64::consts::SQRT_2 {
        m /= 2.0;
        e += 1;
    }
    let y = (m - 1.0) / (m + 1.0);
    let y2 = y * y;
    let ln_m = 2.0 * y * (1.0 + y2 * (1.0 / 3.0 + y2 * (1.0 / 5.0 + y2 * (1.0 / 7.0 + y2 / 9.0))));
    e as f64 + ln_m * core::f64::consts::LOG2_E
}

/// `x` rounded half away from zero (`f64::round` is not in `core`).
fn round(x: f64) -> i64 {
    if x >= 0.0 { (x + 0.5) as i64 } else { -((-x + 0.5) as i64) }
}

/// Samples a run of the 32-bit autocorrelation sums: each product of two
/// codes less `C = 512` (the 10-bit lattice) is at most 2^18 in size, so a
/// run's sum stays within 2^29.
const RUN: usize = 2048;

/// `r[lag] = sum_t (x[t] - mean) (x[t - lag] - mean)` over the block's
/// codes `x`, given less `center` (`xs[t] = x[t] - center`), exact. The
/// sums run on the codes less `center` and move to
/// the mean after: `sum (a - d)(b - d) = sum ab - d (sum a + sum b) + k d^2`
/// for `d = mean - center` over `k` products. On lattices of at most 1024
/// codes each product is an i16 times an i16 (`pmaddwd`), summed in i32
/// runs of [`RUN`]; wider lattices sum i64 products.
fn autocorrelation(xs: &[i16], mean: u32, center: u32) -> [i64; MAX_ORDER + 1] {
    let n = xs.len();
    let d = i64::from(mean) - i64::from(center);
    let total: i64 = xs.iter().map(|&x| i64::from(x)).sum();
    let (mut head, mut tail) = (0i64, 0i64);
    core::array::from_fn(|lag| {
        if lag >= n {
            return 0;
        }
        // `a` over x[lag..], `b` over x[..n - lag]: the first sum loses the
        // first `lag` codes, the second the last `lag`.
        if lag > 0 {
            head += i64::from(xs[lag - 1]);
            tail += i64::from(xs[n - lag]);
        }
        let (a, b) = (&xs[lag..], &xs[..n - lag]);
        let ab: i64 = if center <= 512 {
            a.chunks(RUN)
                .zip(b.chunks(RUN))
                .map(|(a, b)| {
                    let run = a.iter().zip(b).fold(0i32, |acc, (&p, &q)| acc + i32::from(p) * i32::from(q));
                    i64::from(run)
                })
                .sum()
        } else {
            a.iter().zip(b).map(|(&p, &q)| i64::from(p) * i64::from(q)).sum()
        };
        ab - d * ((total - head) + (total - tail)) + (n - lag) as i64 * d * d
    })
}

/// The encoder's choice of a block's predictor from its codes (given less
/// `center`, as [`autocorrelation`] takes them): the
/// autocorrelation of the codes less their mean, the Levinson-Durbin
/// recursion for every order, and the order whose predicted cost (`n/2
/// log2` of the prediction error plus its coefficients' bits) is least;
/// coefficients at the most fraction bits that keep each within 16 bits
/// and `sum |coefs| * center` below 2^31 (so [`Predictor`]'s 32-bit sum
/// never wraps). `center` is [`Predictor`]'s `C`.
fn choose_predictor(xs: &[i16], center: u32) -> (usize, u32, [i64; MAX_ORDER], u32) {
    let n = xs.len();
    let sum = xs.iter().map(|&x| i64::from(x)).sum::<i64>() + n as i64 * i64::from(center);
    let mean = ((sum as u64 + n as u64 / 2) / n as u64) as u32;
    let r = autocorrelation(xs, mean, center);
    let none = (0, SHIFT_MIN, [0; MAX_ORDER], mean);
    if r[0] == 0 {
        return none;
    }
    let r: [f64; MAX_ORDER + 1] = core::array::from_fn(|lag| r[lag] as f64);
    let half_n = n as f64 / 2.0;
    let mut best = (half_n * log2(r[0]), 0usize, [0.0f64; MAX_ORDER]);
    let (mut a, mut err) = ([0.0f64; MAX_ORDER], r[0]);
    for i in 0..MAX_ORDER {
        let mut acc = r[i + 1];
        for j in 0..i {
            acc -= a[j] * r[i - j];
        }
        let k = acc / err;
        if !(k.abs() < 1.0) {
            break;
        }
        let prev = a;
        a[i] = k;
        for j in 0..i {
            a[j] = prev[j] - k * prev[i - 1 - j];
        }
        err *= 1.0 - k * k;
        if !(err > 0.0) {
            break;
        }
        let order = i + 1;
        let cost = half_n * log2(err) + (order as u32 * COEF_BITS + SHIFT_FIELD_BITS) as f64;
        if cost < best.0 {
            best = (cost, order, a);
        }
    }
    let (_, order, a) = best;
    if order == 0 {
        return none;
    }
    let quantise = |shift: u32| -> [i64; MAX_ORDER] {
        let scale = (1u64 << shift) as f64;
        core::array::from_fn(|j| if j < order { round(a[j] * scale) } else { 0 })
    };
    let fits = |coefs: &[i64; MAX_ORDER]| {
        coefs.iter().all(|c| c.abs() <= COEF_MAX) && coefs.iter().map(|c| c.abs()).sum::<i64>() * i64::from(center) < 1 << 31
    };
    let mut shift = SHIFT_MAX;
    let mut coefs = quantise(shift);
    while !fits(&coefs) {
        if shift == SHIFT_MIN {
            return none;
        }
        shift -= 1;
        coefs = quantise(shift);
    }
    (order, shift, coefs, mean)
}

/// A block's predictor as the encoder runs it: on a window of codes it
/// holds in order, not on a ring of the codes it just coded.
///
/// `predict(w)` with `w = [x[t-16], ..., x[t-1]]` (codes less `C`, oldest
/// first) is [`Predictor::predict`] of the same history: the same products
/// (`rev[k] = coefs[15 - k]`) summed in another order, which wrapping i32
/// addition does not see. Every window of a block is known before its
/// coding starts, so no prediction waits on the one before.
struct Taps {
    rev: [i16; MAX_ORDER],
    affine: Affine,
}

impl Taps {
    fn new(h: &BlockHeader, lattice: AdcLattice) -> Self {
        Self { rev: core::array::from_fn(|k| h.coefs[MAX_ORDER - 1 - k] as i16), affine: Affine::new(h, lattice) }
    }

    #[inline(always)]
    fn predict(&self, w: &[i16; MAX_ORDER]) -> u32 {
        let mut acc = 0i32;
        for k in 0..MAX_ORDER {
            acc = acc.wrapping_add(i32::from(self.rev[k]) * i32::from(w[k]));
        }
        self.affine.q4(acc)
    }
}

/// What encodes blocks: the coder, and a block's codes with the codes
/// before it.
struct BlockCoder {
    model: Model<false>,
    rc: RangeEncoder,
    started: bool,
    /// Codes less `C`, oldest first: `xs[..MAX_ORDER]` the last codes
    /// before the block (the first block's mean before the stream's first
    /// sample), `xs[MAX_ORDER..]` the block's.
    xs: [i16; MAX_ORDER + BLOCK],
}

impl BlockCoder {
    /// Codes one block (at most [`BLOCK`] samples): measures it, writes its
    /// header, then its samples.
    fn code_block<S: ByteSink>(&mut self, samples: &[i16], out: &mut S) {
        debug_assert!(!samples.is_empty() && samples.len() <= BLOCK);
        let n = samples.len();
        let lattice = self.model.lattice();
        let center = lattice.len() / 2;
        // A sample off the lattice counts as its nearest code (its escape
        // codes the value; the predictor reads the code).
        for (x, &s) in self.xs[MAX_ORDER..MAX_ORDER + n].iter_mut().zip(samples) {
            let code = self.model.code_of(s).unwrap_or_else(|| lattice.nearest_code(s));
            *x = (code as i32 - center as i32) as i16;
        }
        let (order, shift, coefs, mean) = choose_predictor(&self.xs[MAX_ORDER..MAX_ORDER + n], center);
        let mut header = BlockHeader { order, shift, coefs, mean, bucket: 0 };
        if !self.started {
            self.xs[..MAX_ORDER].fill((mean as i32 - center as i32) as i16);
            self.started = true;
        }
        let taps = Taps::new(&header, lattice);
        let xs = &self.xs[..MAX_ORDER + n];
        let code = |t: usize| (i32::from(xs[MAX_ORDER + t]) + center as i32) as u32;
        let window = |t: usize| xs[t..].first_chunk::<MAX_ORDER>().expect("t + 16 <= xs.len()");
        // The scale: the mean square of the analog residual under the
        // quantised predictor.
        let mut sum = 0u64;
        for t in 0..n {
            let w = self.model.window_at(taps.predict(window(t)), 0);
            let e = self.model.mid(code(t)) - w.analog();
            sum += (e * e) as u64;
        }
        header.bucket = bucket((sum / n as u64).min((1 << VAR_MAX_LOG2) - 1));
        header.write(&mut self.rc, lattice.len().trailing_zeros(), out);
        for (t, &s) in samples.iter().enumerate() {
            let m = &self.model;
            let w = m.window_at(taps.predict(window(t)), header.bucket);
            let c = code(t);
            if m.code_of(s).is_some() && w.contains(c) {
                let (cum, freq) = m.interval(&w, c);
                self.rc.encode(cum, freq, TOTAL, out);
            } else {
                // It returns the code the block already holds (`xs`).
                encode_escape(&mut self.rc, m, s, m.code_of(s), out);
            }
        }
        // The next block's history: this block's last codes (with the ones
        // before it when the block is shorter than the history).
        self.xs.copy_within(n..n + MAX_ORDER, 0);
    }
}

/// Encoder of one channel in the `swift` profile. It holds a block of
/// samples (64 KiB) and their codes (64 KiB) until the block is full or
/// the stream ends: its bytes come a block behind its input.
pub struct Encoder {
    coder: BlockCoder,
    samples: [i16; BLOCK],
    filled: usize,
}

impl Encoder {
    pub fn new(lattice: AdcLattice) -> Self {
        let coder = BlockCoder { model: Model::new(lattice), rc: RangeEncoder::new(), started: false, xs: [0; MAX_ORDER + BLOCK] };
        Self { coder, samples: [0; BLOCK], filled: 0 }
    }

    /// Takes one sample; codes the block when it is full.
    #[inline]
    pub fn push<S: ByteSink>(&mut self, sample: i16, out: &mut S) {
        self.samples[self.filled] = sample;
        self.filled += 1;
        if self.filled == BLOCK {
            self.coder.code_block(&self.samples, out);
            self.filled = 0;
        }
    }

    /// Takes a run of samples: whole blocks straight from `samples`, the
    /// rest through the block buffer. The same bytes as pushing them one
    /// by one.
    pub fn push_all<S: ByteSink>(&mut self, mut samples: &[i16], out: &mut S) {
        while !samples.is_empty() {
            if self.filled == 0 && samples.len() >= BLOCK {
                self.coder.code_block(&samples[..BLOCK], out);
                samples = &samples[BLOCK..];
            } else {
                let n = (BLOCK - self.filled).min(samples.len());
                self.samples[self.filled..self.filled + n].copy_from_slice(&samples[..n]);
                self.filled += n;
                samples = &samples[n..];
                if self.filled == BLOCK {
                    self.coder.code_block(&self.samples, out);
                    self.filled = 0;
                }
            }
        }
    }

    /// Takes the little-endian 16-bit words of `le` (an odd last byte is
    /// ignored).
    pub fn push_le<S: ByteSink>(&mut self, le: &[u8], out: &mut S) {
        for pair in le.chunks_exact(2) {
            self.push(i16::from_le_bytes([pair[0], pair[1]]), out);
        }
    }

    /// Codes the last, partial block and writes out the coder's state.
    pub fn finish<S: ByteSink>(mut self, out: &mut S) {
        if self.filled > 0 {
            self.coder.code_block(&self.samples[..self.filled], out);
        }
        self.coder.rc.finish(out);
    }
}

/// Decoder of one channel in the `swift` profile.
pub struct Decoder<'a> {
    model: Model<false>,
    rc: RangeDecoder<'a>,
    predictor: Predictor,
    bucket: usize,
    /// Samples left in the current block; at 0 the next sample starts a
    /// block, whose header comes first.
    left: usize,
    started: bool,
}

impl<'a> Decoder<'a> {
    pub fn new(lattice: AdcLattice, payload: &'a [u8]) -> Self {
        Self { model: Model::new(lattice), rc: RangeDecoder::new(payload), predictor: Predictor::new(lattice), bucket: 0, left: 0, started: false }
    }

    #[inline(never)]
    fn start_block(&mut self) -> Result<(), Error> {
        let lattice = self.model.lattice();
        let h = BlockHeader::read(&mut self.rc, lattice)?;
        self.predictor.start(&h, Affine::new(&h, lattice), !self.started);
        self.started = true;
        self.bucket = h.bucket;
        self.left = BLOCK;
        Ok(())
    }

    /// Decodes the next sample; `Error::Corrupt` when the stream cannot have
    /// been written by [`Encoder`].
    #[inline(always)]
    pub fn next_sample(&mut self) -> Result<i16, Error> {
        if self.left == 0 {
            self.start_block()?;
        }
        self.left -= 1;
        let m = &self.model;
        let w: Window = m.window_at(self.predictor.predict(), self.bucket);
        let (code, value) = decode_in_window(&mut self.rc, m, &w)?;
        // The decoder reads exactly the bytes the encoder wrote; needing one
        // more means the stream was cut or its sample count lies.
        if self.rc.overran() {
            return Err(Error::Corrupt);
        }
        self.predictor.push(code);
        Ok(value)
    }

    /// Decodes the next `out.len() / 2` samples into `out` as little-endian
    /// words; an odd last byte is left alone.
    pub fn decode_le(&mut self, out: &mut [u8]) -> Result<(), Error> {
        crate::stream::store_le(out, || self.next_sample())
    }

    /// Fills `out` with the next samples.
    pub fn decode_into(&mut self, out: &mut [i16]) -> Result<(), Error> {
        out.iter_mut().try_for_each(|s| self.next_sample().map(|v| *s = v))
    }

    /// Checks the stream ended exactly where the encoder ended it.
    pub fn finish(self) -> Result<(), Error> {
        if self.rc.at_end() { Ok(()) } else { Err(Error::Corrupt) }
    }
}

#[cfg(test)]
#[path = "swift_tests.rs"]
mod tests;
