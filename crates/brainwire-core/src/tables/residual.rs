//! The residual model: the probability of each possible next code, given the
//! prediction, and its coding with the range coder.
//!
//! The distribution is the product of two parts:
//! - an adaptive *shape* over the residual `code - round(prediction)`, one
//!   frequency table per level of recent residual energy, mirrored so that the
//!   prediction always lies above its rounded code. (Contexts from the
//!   prediction's fraction or the previous residual's size were measured and
//!   saved nothing: given its energy, the residual is close to i.i.d.);
//! - the ADC *code-width prior*: each code's share of the analog range, learned
//!   offline ([`super::priors`]). An irregular ADC makes some codes 1.5x as
//!   likely as their neighbours; multiplying by the width puts that knowledge
//!   in every probability.
//!
//! Residuals beyond ±[`SPAN`] (after the energy-dependent shift that keeps
//! loud passages inside the table) are coded as an escape followed by the code
//! itself, and samples off the lattice as an escape to their exact value.
//!
//! Invariant: [`ResidualModel::encode`] and [`ResidualModel::decode`] compute
//! the same frequencies from the same state, every frequency total is at most
//! [`MAX_TOTAL`], and the coded symbol always has a non-zero frequency.

use crate::error::Error;
use crate::lattice::AdcLattice;
use crate::predictor::FRAC_BITS;
use super::priors;
use crate::packed::Differences;
use crate::range::{RangeDecoder, RangeEncoder, MAX_TOTAL};
use crate::sink::ByteSink;

/// Residuals in `-SPAN..=SPAN` (in units of `2^shift` codes) have a symbol.
pub const SPAN: i32 = 31;
/// Residual symbols plus the escape.
pub const SYMBOLS: usize = 2 * SPAN as usize + 2;
const ESCAPE: usize = SYMBOLS - 1;

/// Energy contexts: `lg` (twice the log2 of the residual energy) in
/// `LG_MIN..=LG_TOP`; louder passages shift the residual instead.
const LG_MIN: u32 = 10;
const LG_TOP: u32 = 23;
pub const CONTEXTS: usize = (LG_TOP - LG_MIN + 1) as usize;

/// Adaptation: a coded symbol gains `INCREMENT`; a table whose sum exceeds
/// `LIMIT` is halved. Recordings are close to stationary, so the tables
/// forget slowly: ~25000 samples between halvings.
const INCREMENT: u32 = 2;
const LIMIT: u32 = 50000;

/// Width of an average code in the width table (Q5).
const WIDTH_ONE: u32 = 32;
/// Frequencies are `table * width >> WIDTH_SHIFT`; with widths capped by the
/// table's generator this keeps totals under [`MAX_TOTAL`].
const WIDTH_SHIFT: u32 = 6;

/// Which parts of the residual model are used. Every part is on in a coded
/// stream; turning one off is for measuring what it saves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Parts {
    /// Multiply by the learned ADC code widths (else all codes equal).
    pub width_prior: bool,
    /// Start from the learned shape tables (else flat tables).
    pub learned_shapes: bool,
    /// One table per energy level (else one table for all).
    pub energy_contexts: bool,
    /// Tables follow the recording (else they stay as initialised).
    pub adaptation: bool,
}

impl Parts {
    pub const ALL: Parts = Parts { width_prior: true, learned_shapes: true, energy_contexts: true, adaptation: true };
}

/// One sample as the residual model sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sample {
    /// A value on the lattice, by its code.
    Code(u32),
    /// A value off the lattice, kept exactly.
    OffLattice(i16),
}

/// Which table and symbol coded a sample.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Coded {
    /// Context: the energy level.
    pub table: usize,
    /// Index in the table; `SYMBOLS - 1` is the escape.
    pub symbol: usize,
    /// Residual units of the table, log2 codes.
    pub shift: u32,
}

/// Where the prediction puts the next sample, in table terms.
#[derive(Clone, Copy, Debug)]
struct Context {
    base: i32,
    mirror: bool,
    shift: u32,
    table: usize,
}

/// The initial shape tables, rebuilt from their compact form.
fn initial_shapes() -> [[u16; SYMBOLS]; CONTEXTS] {
    let mut d = Differences::<{ priors::INITIAL_SHAPES_ORDER }>::new(&priors::INITIAL_SHAPES_CODED);
    core::array::from_fn(|_| core::array::from_fn(|_| d.next_value() as u16))
}

/// Adaptive, context-modelled distribution of the next code.
#[derive(Clone)]
pub struct ResidualModel {
    lattice: AdcLattice,
    codes: i32,
    /// Code widths (Q5) for the 10-bit lattice; `None` means all equal.
    widths: Option<&'static [u8; 1024]>,
    /// `width_prefix[c]` = sum of widths of codes `< c`.
    width_prefix: [u32; 1025],
    tables: [[u16; SYMBOLS]; CONTEXTS],
    sums: [u32; CONTEXTS],
    energy: u32,
    parts: Parts,
    freqs: [u32; SYMBOLS],
}

impl ResidualModel {
    pub fn new(lattice: AdcLattice) -> Self {
        Self::with_parts(lattice, Parts::ALL)
    }

    pub fn with_parts(lattice: AdcLattice, parts: Parts) -> Self {
        let widths = match lattice {
            AdcLattice::Neuralink10 if parts.width_prior => Some(&priors::CODE_WIDTHS_Q5),
            _ => None,
        };
        let mut width_prefix = [0u32; 1025];
        if let Some(w) = widths {
            for c in 0..1024 {
                width_prefix[c + 1] = width_prefix[c] + u32::from(w[c]);
            }
        }
        // A priors file generated for another context layout still builds
        // (so `train` can regenerate it); the unit tests insist it matches.
        let tables = match parts.learned_shapes {
            true => initial_shapes(),
            false => [[16u16; SYMBOLS]; CONTEXTS],
        };
        let mut sums = [0u32; CONTEXTS];
        for (s, t) in sums.iter_mut().zip(tables.iter()) {
            *s = t.iter().map(|&f| u32::from(f)).sum();
        }
        Self {
            lattice,
            codes: lattice.len() as i32,
            widths,
            width_prefix,
            tables,
            sums,
            energy: 0,
            parts,
            freqs: [0; SYMBOLS],
        }
    }

    fn context(&self, prediction: i32) -> Context {
        let half = 1 << (FRAC_BITS - 1);
        let base = (prediction + half) >> FRAC_BITS;
        let frac = prediction - (base << FRAC_BITS);
        let e = self.energy + 1;
        let msb = 31 - e.leading_zeros();
        let lg = 2 * msb + ((e >> msb.saturating_sub(1)) & 1) * u32::from(msb > 0);
        let shift = if lg > LG_TOP { (lg - LG_TOP).div_ceil(2) } else { 0 };
        let level = match self.parts.energy_contexts {
            true => (lg - 2 * shift).clamp(LG_MIN, LG_TOP) - LG_MIN,
            false => (CONTEXTS / 2) as u32,
        };
        Context {
            base,
            mirror: frac < 0,
            shift,
            table: level as usize,
        }
    }

    /// Summed width (Q5, scaled back to one code) of the codes in residual
    /// bin `r` (mirrored residual units of `2^shift`), 0 if none is valid.
    #[inline]
    fn bin_width(&self, ctx: &Context, r: i32) -> u32 {
        let lo = r << ctx.shift;
        let hi = lo + (1 << ctx.shift) - 1;
        let (a, b) = if ctx.mirror { (ctx.base - hi, ctx.base - lo) } else { (ctx.base + lo, ctx.base + hi) };
        let (a, b) = (a.max(0), b.min(self.codes - 1));
        if a > b {
            return 0;
        }
        let sum = match self.widths {
            Some(_) => self.width_prefix[b as usize + 1] - self.width_prefix[a as usize],
            None => WIDTH_ONE * (b - a + 1) as u32,
        };
        sum.div_ceil(1 << ctx.shift).max(1)
    }

    /// Fills `freqs` for this context; returns the total.
    #[inline]
    fn frequencies(&mut self, ctx: &Context) -> u32 {
        let table = &self.tables[ctx.table];
        let mut total = 0;
        for (j, &t) in table[..ESCAPE].iter().enumerate() {
            let r = j as i32 - SPAN;
            let w = match (ctx.shift, self.widths) {
                (0, Some(widths)) => {
                    let c = if ctx.mirror { ctx.base - r } else { ctx.base + r };
                    if (0..self.codes).contains(&c) { u32::from(widths[c as usize]) } else { 0 }
                }
                _ => self.bin_width(ctx, r),
            };
            let f = if w == 0 { 0 } else { ((u32::from(t) * w) >> WIDTH_SHIFT).max(1) };
            self.freqs[j] = f;
            total += f;
        }
        let f = ((u32::from(table[ESCAPE]) * WIDTH_ONE) >> WIDTH_SHIFT).max(1);
        self.freqs[ESCAPE] = f;
        debug_assert!(total + f <= MAX_TOTAL);
        total + f
    }

    fn adapt(&mut self, ctx: &Context, symbol: usize, residual: i32) {
        let r = residual.unsigned_abs().min(1 << 16);
        self.energy = self.energy - (self.energy >> 4) + (r << 4);
        if !self.parts.adaptation {
            return;
        }
        let t = &mut self.tables[ctx.table];
        t[symbol] += INCREMENT as u16;
        self.sums[ctx.table] += INCREMENT;
        if self.sums[ctx.table] > LIMIT {
            let mut sum = 0;
            for f in t.iter_mut() {
                *f = (*f + 1) >> 1;
                sum += u32::from(*f);
            }
            self.sums[ctx.table] = sum;
        }
    }

    /// The residual symbol of `code`, or `None` if it needs an escape.
    fn symbol_of(&self, ctx: &Context, code: u32) -> (Option<usize>, i32) {
        let r = code as i32 - ctx.base;
        let m = if ctx.mirror { -r } else { r };
        let s = m >> ctx.shift;
        let symbol = (-SPAN..=SPAN).contains(&s).then_some((s + SPAN) as usize);
        (symbol, r)
    }

    fn escape_total(&self) -> u32 {
        match self.lattice {
            // One extra value marks a sample off the lattice.
            AdcLattice::Neuralink10 => self.lattice.len() + 1,
            AdcLattice::Identity16 => self.lattice.len(),
        }
    }

    /// Codes `sample` given the predicted code `prediction` (Q4); returns
    /// where it was coded, for the `train` tool's statistics.
    pub fn encode<S: ByteSink>(&mut self, rc: &mut RangeEncoder, prediction: i32, sample: Sample, out: &mut S) -> Coded {
        let ctx = self.context(prediction);
        let total = self.frequencies(&ctx);
        let (symbol, residual) = match sample {
            Sample::Code(code) => self.symbol_of(&ctx, code),
            Sample::OffLattice(v) => (None, self.lattice.nearest_code(v) as i32 - ctx.base),
        };
        let j = symbol.unwrap_or(ESCAPE);
        let cum: u32 = self.freqs[..j].iter().sum();
        rc.encode(cum, self.freqs[j], total, out);
        match (symbol, sample) {
            (Some(_), _) => {
                if ctx.shift > 0 {
                    let m = if ctx.mirror { -residual } else { residual };
                    let s = j as i32 - SPAN;
                    self.encode_low(rc, &ctx, s, (m - (s << ctx.shift)) as u32, out);
                }
            }
            (None, Sample::Code(code)) => self.encode_escape(rc, code, out),
            (None, Sample::OffLattice(v)) => {
                // Only the 10-bit lattice has values off it.
                self.encode_escape(rc, self.lattice.len(), out);
                rc.encode_bits(u32::from(v as u16), 16, out);
            }
        }
        self.adapt(&ctx, j, residual);
        Coded { table: ctx.table, symbol: j, shift: ctx.shift }
    }

    /// Width of the code at position `low` of residual bin `s`, 0 if the
    /// code is outside the lattice.
    #[inline]
    fn code_width(&self, ctx: &Context, widths: &[u8; 1024], s: i32, low: u32) -> u32 {
        let m = (s << ctx.shift) + low as i32;
        let c = if ctx.mirror { ctx.base - m } else { ctx.base + m };
        if (0..self.codes).contains(&c) { u32::from(widths[c as usize]) } else { 0 }
    }

    /// Codes the position of the code inside a residual bin of `2^shift`
    /// codes, each as likely as its width (the prior holds at every level).
    fn encode_low<S: ByteSink>(&self, rc: &mut RangeEncoder, ctx: &Context, s: i32, low: u32, out: &mut S) {
        let Some(widths) = self.widths else {
            return rc.encode_bits(low, ctx.shift, out);
        };
        let (mut cum, mut total) = (0, 0);
        for l in 0..1u32 << ctx.shift {
            let f = self.code_width(ctx, widths, s, l);
            if l < low {
                cum += f;
            }
            total += f;
        }
        rc.encode(cum, self.code_width(ctx, widths, s, low), total, out);
    }

    fn decode_low(&self, rc: &mut RangeDecoder, ctx: &Context, s: i32) -> Result<u32, Error> {
        let Some(widths) = self.widths else {
            return rc.decode_bits(ctx.shift).ok_or(Error::Corrupt);
        };
        let total: u32 = (0..1u32 << ctx.shift).map(|l| self.code_width(ctx, widths, s, l)).sum();
        if total == 0 {
            return Err(Error::Corrupt);
        }
        let t = rc.target(total).ok_or(Error::Corrupt)?;
        let mut cum = 0;
        for l in 0..1u32 << ctx.shift {
            let f = self.code_width(ctx, widths, s, l);
            if t < cum + f {
                rc.consume(cum, f, total);
                return Ok(l);
            }
            cum += f;
        }
        Err(Error::Corrupt)
    }

    fn encode_escape<S: ByteSink>(&self, rc: &mut RangeEncoder, value: u32, out: &mut S) {
        match self.lattice {
            AdcLattice::Identity16 => rc.encode_bits(value, 16, out),
            AdcLattice::Neuralink10 => rc.encode(value, 1, self.escape_total(), out),
        }
    }

    /// Decodes the next sample given the same prediction the encoder had.
    pub fn decode(&mut self, rc: &mut RangeDecoder, prediction: i32) -> Result<Sample, Error> {
        let ctx = self.context(prediction);
        let total = self.frequencies(&ctx);
        let t = rc.target(total).ok_or(Error::Corrupt)?;
        let mut cum = 0;
        let mut j = 0;
        while t >= cum + self.freqs[j] {
            cum += self.freqs[j];
            j += 1;
            if j == SYMBOLS {
                return Err(Error::Corrupt);
            }
        }
        rc.consume(cum, self.freqs[j], total);
        let (sample, residual) = if j == ESCAPE {
            let value = match self.lattice {
                AdcLattice::Identity16 => rc.decode_bits(16).ok_or(Error::Corrupt)?,
                AdcLattice::Neuralink10 => {
                    let total = self.escape_total();
                    let v = rc.target(total).ok_or(Error::Corrupt)?;
                    rc.consume(v, 1, total);
                    v
                }
            };
            if value < self.lattice.len() {
                (Sample::Code(value), value as i32 - ctx.base)
            } else {
                let v = rc.decode_bits(16).ok_or(Error::Corrupt)? as u16 as i16;
                (Sample::OffLattice(v), self.lattice.nearest_code(v) as i32 - ctx.base)
            }
        } else {
            let s = j as i32 - SPAN;
            let low = if ctx.shift > 0 { self.decode_low(rc, &ctx, s)? as i32 } else { 0 };
            let m = (s << ctx.shift) + low;
            let r = if ctx.mirror { -m } else { m };
            let code = ctx.base + r;
            if !(0..self.codes).contains(&code) {
                return Err(Error::Corrupt);
            }
            (Sample::Code(code as u32), r)
        };
        self.adapt(&ctx, j, residual);
        Ok(sample)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn priors_fit_the_model() {
        assert_eq!(priors::INITIAL_SHAPES_LEN, CONTEXTS * SYMBOLS, "regenerate tables/priors.bin with `train tables`");
        let tables = initial_shapes();
        for t in &tables {
            let sum: u32 = t.iter().map(|&f| u32::from(f)).sum();
            assert!(sum <= LIMIT, "an initial table must leave room to adapt");
            assert!(t.iter().all(|&f| f > 0));
        }
        assert!(priors::CODE_WIDTHS_Q5.iter().all(|&w| (1..=80).contains(&w)));
    }

    /// The initial shapes as the model starts from them, pinned by a hash
    /// and a few entries taken from the table before its storage changed:
    /// any change of storage must rebuild exactly these values.
    #[test]
    fn initial_shapes_are_pinned() {
        let mut flat = [0u16; CONTEXTS * SYMBOLS];
        let tables = initial_shapes();
        for (f, &v) in flat.iter_mut().zip(tables.iter().flatten()) {
            *f = v;
        }
        let hash = flat.iter().fold(0u64, |h, &v| h.wrapping_mul(1_000_003).wrapping_add(u64::from(v)));
        assert_eq!(flat.iter().map(|&v| u32::from(v)).sum::<u32>(), 42885);
        assert_eq!(hash, 0x62b7_a1e1_921d_1f2f);
        assert_eq!((flat[31], flat[7 * SYMBOLS + 30], flat[13 * SYMBOLS + 63]), (2789, 394, 191));
    }

    /// Worst case of the frequency total: every table at its limit, every
    /// code at the widest width.
    #[test]
    fn totals_fit_the_range_coder() {
        let worst = (LIMIT + INCREMENT) * 80 / (1 << WIDTH_SHIFT) + SYMBOLS as u32;
        assert!(worst <= MAX_TOTAL, "{worst}");
    }
}
