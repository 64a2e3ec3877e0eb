//! State and arithmetic of the `fast` model, shared by encoder and decoder.
//!
//! Units as in `max`: analog positions in "U" = 1/128 of an average code
//! (edges and midpoints doubled Q6 widths), predictions in Q4 code units.
//! What differs from `max` is where the per-sample work went: the scale is a
//! bucket index (a shift and a mask of the variance), and everything that
//! depends on the scale alone (`1/s`, the window, the frequency scale and
//! its inverse) is a row of a table built when the model starts; the filter
//! is shorter and divides through a reciprocal table; and frequencies need
//! no per-sample normalisation, so the window's outer edges are never looked
//! up.

use super::priors::{INITIAL_WEIGHTS, PHI_Q31_CODED, PHI_Q31_LEN, PHI_Q31_ORDER, PHI_STEPS_PER_SIGMA, WIDTHS_Q6};
use crate::lattice::AdcLattice;
use crate::packed::Differences;
use crate::predictor::{LEVEL_MEAN_SHIFT, LEVEL_NORM_FLOOR, LEVEL_POWER_SHIFT, LEVEL_STEP_BITS, LEVEL_WEIGHT_MIN};
use crate::search::{self, Guess};
use super::edges::{Edges, PriorEdges};

/// Every coding step uses this frequency total.
pub const TOTAL: u32 = 1 << 16;
/// The escape symbol is the top `ESCAPE_FREQ` of every table.
pub const ESCAPE_FREQ: u32 = 2;
/// Taps of the difference filter.
pub const TAPS: usize = 16;

/// Fraction bits of predictions (Q4 codes).
const FRAC_BITS: u32 = 4;
const ONE: i32 = 1 << FRAC_BITS;
/// Fraction bits of filter weights (Q16 on whole-code differences, so a
/// sum of products is Q16 codes and `>> PREDICT_SHIFT` makes it Q4).
const W_BITS: u32 = 16;
const PREDICT_SHIFT: u32 = W_BITS - FRAC_BITS;
/// Bound of the filter's inputs, codes, and of its error, Q4: with them
/// every product and sum of the filter fits 32 bits (see [`Model::learn`]).
/// The 10-bit lattice never reaches them.
const H_LIMIT: i32 = (1 << 12) - 1;
const ERR_LIMIT: i32 = 1 << 16;
/// The normalised step: weights move by `mu * err * h / (sum h^2 + TAPS + 1)`
/// with `mu = 2^-8`, computed as `g = err * 2^GAIN_BITS / norm` and
/// `(g * h) >> STEP_SHIFT` (Q4 error, Q16 weights: `2^16 * 2^-8 / 2^4 = 2^4`).
const GAIN_BITS: u32 = 17;
const STEP_SHIFT: u32 = GAIN_BITS - 4;
/// The weights move on every `UPDATE_EVERY`-th sample only (the history and
/// its power on every one): the filter's update is a third of the model's
/// work, and a quarter of the updates with twice the step cost ~0.0025
/// bits/sample.
const UPDATE_EVERY: u32 = 4;
// The weights wrap rather than saturate: a normalised filter does not
// diverge, and wrapping is as deterministic as clamping and costs nothing.
/// Mantissa bits of the filter's normaliser in the reciprocal table.
const RECIP_BITS: u32 = 7;


/// Analog units per average code width.
pub(super) const U_PER_CODE: i64 = 128;
/// The window spans this many standard deviations each side (plus 2 codes).
const WINDOW_SIGMAS: i64 = 6;
/// Largest half-window in codes (the identity lattice of loud recordings).
const HALF_MAX: u32 = 2048;
/// Smallest standard deviation, U (a quarter code); its variance is the
/// lowest bucket.
const SIGMA_MIN: u64 = 32;
const VAR_MIN_LOG2: u32 = 10;
/// Fraction bits of the variance accumulators, and their rates (as `max`).
const VAR_FRAC: u32 = 4;
const FAST_SHIFT: u32 = 4;
const SLOW_SHIFT_MAX: u32 = 10;
/// Starting variance: 5 codes of noise.
const INIT_VAR: i64 = ((5 * U_PER_CODE) * (5 * U_PER_CODE)) << VAR_FRAC;
/// Scale buckets per octave of the variance: 4 mantissa bits, i.e. 8 per
/// octave of the standard deviation (each bucket's `s` is within 1.6% of
/// the root of any variance in it).
pub const BUCKET_BITS: u32 = 4;
/// Variances stay below 2^51 U^2 (a residual is below 2^23 U, its square
/// in the Q4 accumulators below 2^50), so the bucket index is below
/// `(51 - 10) << 4 = 656`.
pub(super) const VAR_MAX_LOG2: u32 = 51;
/// Scale buckets.
pub const BUCKETS: usize = ((VAR_MAX_LOG2 - VAR_MIN_LOG2) << BUCKET_BITS) as usize;
/// Rows of the scale table (a power of two, so a mask keeps any index in
/// bounds; the rows past `BUCKETS` are never used).
const SCALE_ROWS: usize = BUCKETS.next_power_of_two();
/// Entries of the edge and midpoint tables: a power of two above the 1025
/// edges, padded with the last, so a masked code indexes without a check.
pub(super) const EDGE_ROWS: usize = 2048;
/// Fraction bits of `1/s`, and the z resolution of CDF lookups (Q12 sigmas).
const INV_BITS: u32 = 40;
const Z_BITS: u32 = 12;
const PHI_FRAC: u32 = Z_BITS - PHI_STEPS_PER_SIGMA.trailing_zeros();
const ONE_Q31: u32 = 1 << 31;
/// Entries of the inverse CDF table over the upper half `[1/2, 1]` (Q31).
const INV_PHI_BITS: u32 = 12;
/// The direct CDF table: steps per standard deviation and reach (sigmas
/// each side); z is looked up at this resolution without interpolation.
const FINE_STEPS_LOG2: u32 = 10;
const FINE_SIGMAS: usize = 8;
const FINE_LEN: usize = (2 * FINE_SIGMAS) << FINE_STEPS_LOG2;

/// What the model needs of one scale bucket, all functions of `s` alone.
#[derive(Clone, Copy, Debug, Default)]
struct Scale {
    /// Standard deviation, U, and `2^40 / s`.
    s: i64,
    inv_s: i64,
    /// Half-window in codes.
    half: u32,
    /// CDF mass units of the window: `TOTAL - ESCAPE_FREQ - (2 half + 1)`
    /// (the floor of 1 per code of a full window comes off the top).
    spare: u32,
    /// `2^62 / spare`: from a frequency back to the CDF (the decoder's guess).
    inv_spare: u64,
}

/// The coding window of one sample: codes `lo..=hi` have a symbol each.
#[derive(Clone, Copy, Debug)]
pub struct Window {
    lo: u32,
    hi: u32,
    /// The prediction on the analog axis, U, and its code.
    m: i64,
    code: u32,
    code_mid: i64,
    scale: Scale,
}

impl Window {
    #[inline]
    pub fn contains(&self, code: u32) -> bool {
        code >= self.lo && code <= self.hi
    }

    /// The prediction on the analog axis, U.
    #[inline]
    pub(super) fn analog(&self) -> i64 {
        self.m
    }
}

/// The tables every model shares: functions of the priors and constants
/// alone, evaluated at compile time (so a model is a few hundred bytes, and
/// the 384 channels of a probe read one copy).
pub(super) static TABLES: Tables = Tables::new(HALF_MAX);

#[derive(Debug)]
pub(super) struct Tables {
    /// Lower code edges (U) of the 10-bit lattice (`edges[c]` for
    /// `c <= 1024`, the rest `edges[1024]`), and midpoints (`mids[c]` for
    /// `c < 1024`, the rest `mids[1023]`).
    pub(super) edges: [u32; EDGE_ROWS],
    pub(super) mids: [u32; EDGE_ROWS],
    /// `fine[k]`: the CDF (Q31) at `(k - FINE_LEN / 2) / 2^FINE_STEPS_LOG2`
    /// sigmas, interpolated from `PHI_Q31` as `max` interpolates it.
    fine: [u32; FINE_LEN],
    /// `INV_PHI[k]`: z (Q12 sigmas) where the CDF reaches
    /// `1/2 + k / 2^(INV_PHI_BITS + 1)`, the last entry capped.
    inv_phi: [u32; (1 << INV_PHI_BITS) + 1],
    scales: [Scale; SCALE_ROWS],
    /// `RECIP[j] = 2^31 / (2^RECIP_BITS + j)`.
    recip: [u32; 1 << RECIP_BITS],
}

impl Tables {
    // `const`: loops are `while` loops (no iterators, no `from_fn`).
    const fn new(half_max: u32) -> Self {
        let mut edges = [0u32; EDGE_ROWS];
        let mut mids = [0u32; EDGE_ROWS];
        let mut i = 0;
        while i < WIDTHS_Q6.len() {
            let w = WIDTHS_Q6[i] as u32;
            edges[i + 1] = edges[i] + 2 * w;
            mids[i] = edges[i] + w;
            i += 1;
        }
        let mut i = 1025;
        while i < EDGE_ROWS {
            edges[i] = edges[1024];
            i += 1;
        }
        let mut i = 1024;
        while i < EDGE_ROWS {
            mids[i] = mids[1023];
            i += 1;
        }
        let mut d = Differences::<PHI_Q31_ORDER>::new(&PHI_Q31_CODED);
        let mut phi = [0u32; PHI_Q31_LEN];
        let mut i = 0;
        while i < PHI_Q31_LEN {
            phi[i] = d.next_value();
            i += 1;
        }
        // Inverse CDF by walking the table once: for each level, the z of
        // the first table step that reaches it, interpolated within the step.
        let mut inv_phi = [0u32; (1 << INV_PHI_BITS) + 1];
        let mut j = 0usize;
        let mut k = 0;
        while k < inv_phi.len() {
            let p = (ONE_Q31 / 2) + ((k as u32) << (31 - INV_PHI_BITS - 1));
            while j + 1 < PHI_Q31_LEN && phi[j + 1] < p {
                j += 1;
            }
            inv_phi[k] = if j + 1 >= PHI_Q31_LEN {
                (PHI_Q31_LEN as u32 - 1) << PHI_FRAC
            } else {
                let (p0, p1) = (phi[j], phi[j + 1]);
                let frac = if p1 > p0 {
                    let f = ((p - if p0 < p { p0 } else { p }) as u64) << PHI_FRAC;
                    let f = f / (p1 - p0) as u64;
                    if f < 1 << PHI_FRAC { f } else { 1 << PHI_FRAC }
                } else {
                    0
                };
                ((j as u32) << PHI_FRAC) + frac as u32
            };
            k += 1;
        }
        let mut fine = [0u32; FINE_LEN];
        let mut k = 0;
        while k < FINE_LEN {
            let z = ((k as i64) - (FINE_LEN as i64 / 2)) << (Z_BITS - FINE_STEPS_LOG2);
            let a = z.unsigned_abs();
            let step = (a >> PHI_FRAC) as usize;
            let v = if step >= PHI_Q31_LEN - 1 {
                ONE_Q31
            } else {
                let frac = a & ((1 << PHI_FRAC) - 1);
                phi[step] + (((phi[step + 1] - phi[step]) as u64 * frac) >> PHI_FRAC) as u32
            };
            fine[k] = if z >= 0 { v } else { ONE_Q31 - v };
            k += 1;
        }
        let mut scales = [Scale { s: 0, inv_s: 0, half: 0, spare: 0, inv_spare: 0 }; SCALE_ROWS];
        let mut row = 0;
        while row < SCALE_ROWS {
            let q = if row < BUCKETS { row } else { BUCKETS - 1 };
            // The bucket's middle variance: mantissa 1 + (m + 1/2) / 16.
            let (b, m) = ((q as u32 >> BUCKET_BITS) + VAR_MIN_LOG2, q as u64 & ((1 << BUCKET_BITS) - 1));
            let var = ((((1u64 << BUCKET_BITS) + m) << 1) | 1) << (b - BUCKET_BITS - 1);
            let root = isqrt(var);
            let s = (if root > SIGMA_MIN { root } else { SIGMA_MIN }) as i64;
            let half = ((WINDOW_SIGMAS * s) / U_PER_CODE + 2) as u32;
            let half = if half < half_max { half } else { half_max };
            let spare = TOTAL - ESCAPE_FREQ - (2 * half + 1);
            scales[row] = Scale { s, inv_s: (1i64 << INV_BITS) / s, half, spare, inv_spare: (1u64 << 62) / spare as u64 };
            row += 1;
        }
        let mut recip = [0u32; 1 << RECIP_BITS];
        let mut j = 0;
        while j < recip.len() {
            recip[j] = ((1u64 << 31) / ((1u64 << RECIP_BITS) + j as u64)) as u32;
            j += 1;
        }
        Self { edges, mids, fine, inv_phi, scales, recip }
    }
}

/// The `fast` model of one channel; `LEVEL` adds the level term
/// (profile 6; its constants and reason in `crate::predictor`), without it
/// the model is profile 5's; `E` places the codes on the analog axis (the
/// built-in prior, or widths learned from the stream: profile 8).
#[derive(Clone, Debug)]
pub struct Model<const LEVEL: bool, E: Edges = PriorEdges> {
    lattice: AdcLattice,
    len: u32,
    /// The 10-bit lattice: its code test is a block lookup.
    ten_bit: bool,
    edges: E,
    // Predictor: last code (Q4) and the NLMS filter on first differences.
    last: i32,
    p_diff: i32,
    weights: [i32; TAPS],
    /// The last differences, codes, newest first, and the sum of their squares.
    history: [i32; TAPS],
    power: i32,
    // Level term (with `LEVEL`): the running mean of the codes (Q12), the
    // current sample's level input `last - mean` (Q4), its weight (Q16)
    // and the running mean of its square (Q8).
    mean: i32,
    level: i32,
    level_weight: i32,
    level_power: i64,
    // Scale.
    var_fast: i64,
    var_slow: i64,
    seen: u32,
    /// The analog prediction of the current sample, U.
    m: i64,
    /// The 10-bit lattice's value in each block of 64 words (the code test).
    block_value: [u16; 1024],
}

impl<const LEVEL: bool, E: Edges> Model<LEVEL, E> {
    pub fn new(lattice: AdcLattice) -> Self {
        Self::with_weights(lattice, INITIAL_WEIGHTS)
    }

    /// A model whose filter starts from `weights` (Q16, newest tap first):
    /// for learning [`INITIAL_WEIGHTS`]; streams always start from those.
    pub fn with_weights(lattice: AdcLattice, weights: [i32; TAPS]) -> Self {
        let len = lattice.len();
        Self {
            lattice,
            len,
            ten_bit: lattice == AdcLattice::Neuralink10,
            edges: E::new(lattice),
            last: (len / 2) as i32 * ONE,
            p_diff: 0,
            weights,
            history: [0; TAPS],
            power: 0,
            mean: ((len / 2) as i32 * ONE) << LEVEL_MEAN_SHIFT,
            level: 0,
            level_weight: 0,
            level_power: 0,
            var_fast: INIT_VAR,
            var_slow: INIT_VAR,
            seen: 0,
            m: 0,
            block_value: AdcLattice::ten_bit_block_values(),
        }
    }

    /// The filter's current weights (Q16, newest tap first).
    pub fn weights(&self) -> [i32; TAPS] {
        self.weights
    }

    #[inline]
    pub fn lattice(&self) -> AdcLattice {
        self.lattice
    }

    /// Bits of an escaped code.
    #[inline]
    pub fn code_bits(&self) -> u32 {
        self.len.trailing_zeros()
    }

    /// Lower analog edge of `code` (`code <= len`), U.
    #[inline(always)]
    fn edge(&self, code: u32) -> i64 {
        self.edges.edge(code)
    }

    /// Analog midpoint of `code` (`code < len`; `mid(len)` is only ever
    /// multiplied by 0), U.
    #[inline(always)]
    pub(super) fn mid(&self, code: u32) -> i64 {
        self.edges.mid(code)
    }

    /// Normal CDF, Q31, of the analog position `t` (U): z floored to
    /// 2^-FINE_STEPS_LOG2 sigmas, clamped to the table's reach.
    #[inline(always)]
    fn cdf(&self, w: &Window, t: i64) -> u32 {
        let z = ((t - w.m) * w.scale.inv_s) >> (INV_BITS - FINE_STEPS_LOG2);
        let k = (z + (FINE_LEN as i64 / 2)).clamp(0, FINE_LEN as i64 - 1);
        TABLES.fine[k as usize]
    }

    /// The code of `value`, or `None` off the lattice: a shift, a load and a
    /// compare on the 10-bit lattice (see [`AdcLattice::ten_bit_block_values`]).
    #[inline(always)]
    pub fn code_of(&self, value: i16) -> Option<u32> {
        if self.ten_bit {
            let w = value as u16;
            let block = usize::from(w >> 6);
            (self.block_value[block] == w).then_some(block as u32 ^ 512)
        } else {
            self.lattice.code(value)
        }
    }

    /// The sample value of `code` (`code < len`): on the 10-bit lattice a
    /// load from the code test's table (its entry for block `code ^ 512`
    /// is that code's value) instead of `AdcLattice::value`'s multiply and
    /// division; the same value.
    #[inline(always)]
    pub fn value(&self, code: u32) -> i16 {
        if self.ten_bit {
            self.block_value[(code ^ 512) as usize & 1023] as i16
        } else {
            self.lattice.value(code)
        }
    }

    /// Predicts the next sample and sets up its coding window.
    #[inline(always)]
    pub fn window(&mut self) -> Window {
        let mut acc: i32 = 0;
        for k in 0..TAPS {
            acc = acc.wrapping_add(self.weights[k].wrapping_mul(self.history[k]));
        }
        // Within +-2^19: the filter's output needs no bound of its own.
        self.p_diff = acc >> PREDICT_SHIFT;
        if LEVEL {
            // Codes are below 2^16, so |level| < 2^20 (Q4); with the weight
            // in [-2^16, 0] the term is within +-2^20.
            self.level = ((self.last << LEVEL_MEAN_SHIFT) - self.mean) >> LEVEL_MEAN_SHIFT;
            self.p_diff += ((i64::from(self.level_weight) * i64::from(self.level)) >> W_BITS) as i32;
        }
        let p = (self.last + self.p_diff).clamp(0, (self.len as i32 - 1) * ONE) as u32;
        let var = ((self.var_fast + 3 * self.var_slow) >> (2 + VAR_FRAC)) as u64;
        let w = self.window_at(p, bucket(var));
        self.m = w.m;
        w
    }

    /// The coding window of a prediction `p` (Q4 codes, at most the top
    /// code) under scale bucket `q` (below [`BUCKETS`]).
    #[inline(always)]
    pub(super) fn window_at(&self, p: u32, q: usize) -> Window {
        let i = p >> FRAC_BITS;
        let f = i64::from(p & (ONE as u32 - 1));
        let here = self.mid(i);
        // At the top code the prediction is whole (f = 0): `next` is unused.
        let next = self.mid(i + 1);
        let m = here + (((next - here) * f) >> FRAC_BITS);
        let scale = TABLES.scales[q & (SCALE_ROWS - 1)];
        Window { lo: i.saturating_sub(scale.half), hi: (i + scale.half).min(self.len - 1), m, code: i, code_mid: here, scale }
    }

    /// Cumulative frequency of the codes below `code` (`lo <= code <= hi+1`):
    /// the CDF at its lower edge scaled to the window's units, plus the
    /// floor of 1 of each code below it. The lowest code's symbol also
    /// holds the tail below it; the mass above the window's top (and the
    /// floors of codes a rail cut off) is left unused.
    #[inline(always)]
    fn cum(&self, w: &Window, code: u32) -> u32 {
        if code <= w.lo {
            return 0;
        }
        let c = if code >= self.len { ONE_Q31 } else { self.cdf(w, self.edge(code)) };
        ((u64::from(c) * u64::from(w.scale.spare)) >> 31) as u32 + (code - w.lo)
    }

    /// `(cum, freq)` of a code inside the window.
    #[inline(always)]
    pub fn interval(&self, w: &Window, code: u32) -> (u32, u32) {
        let lo = self.cum(w, code);
        (lo, self.cum(w, code + 1) - lo)
    }

    /// The decoder's first guess of the code a target points at: the
    /// target less the floors below the prediction, back to a CDF value
    /// (a multiply), through the inverse CDF table to an analog position,
    /// then to the code whose edges hold it. Only speed depends on it.
    #[inline(always)]
    fn guess(&self, w: &Window, t: u32) -> u32 {
        let t = t.saturating_sub(w.code - w.lo);
        let u = ((((u64::from(t) << 1) | 1) * w.scale.inv_spare) >> 32).min(u64::from(ONE_Q31)) as u32;
        let (below, p) = if u >= ONE_Q31 / 2 { (false, u - ONE_Q31 / 2) } else { (true, ONE_Q31 / 2 - u) };
        let k = (p >> (30 - INV_PHI_BITS)) as usize;
        let z = if k >= 1 << INV_PHI_BITS {
            i64::from(TABLES.inv_phi[1 << INV_PHI_BITS])
        } else {
            let (z0, z1) = (TABLES.inv_phi[k], TABLES.inv_phi[k + 1]);
            let frac = p & ((1 << (30 - INV_PHI_BITS)) - 1);
            i64::from(z0) + ((i64::from(z1 - z0) * i64::from(frac)) >> (30 - INV_PHI_BITS))
        };
        let z = if below { -z } else { z };
        self.code_at(w, w.m + ((z * w.scale.s) >> Z_BITS))
    }

    /// The window's code holding the analog position `analog`.
    #[inline(always)]
    fn code_at(&self, w: &Window, analog: i64) -> u32 {
        let (lo, hi) = (i64::from(w.lo), i64::from(w.hi));
        if !self.edges.uniform() {
            let at = |g: usize| self.edge(g as u32);
            let g = i64::from(w.code) + ((analog - w.code_mid + U_PER_CODE / 2) >> U_PER_CODE.trailing_zeros());
            let mut g = g.clamp(lo, hi) as usize;
            while g > w.lo as usize && at(g) > analog {
                g -= 1;
            }
            while g < w.hi as usize && at(g + 1) <= analog {
                g += 1;
            }
            g as u32
        } else {
            analog.div_euclid(U_PER_CODE).clamp(lo, hi) as u32
        }
    }

    /// The code whose interval holds the target `t`, with its `(cum, freq)`;
    /// `None` when `t` lies beyond the window's symbols.
    #[inline(always)]
    pub fn find(&self, w: &Window, t: u32) -> Option<(u32, u32, u32)> {
        let g = self.guess(w, t);
        let (cg, c1) = (self.cum(w, g), self.cum(w, g + 1));
        if cg <= t && t < c1 {
            return Some((g, cg, c1 - cg));
        }
        self.search(w, t, Guess { code: g, cum: cg, next_cum: c1 })
    }

    /// [`Model::find`] after a missed guess (out of line: the guess
    /// usually hits).
    #[inline(never)]
    fn search(&self, w: &Window, t: u32, guess: Guess) -> Option<(u32, u32, u32)> {
        let top = self.cum(w, w.hi + 1);
        if t >= top {
            return None;
        }
        Some(search::after_missed_guess(t, w.lo, w.hi + 1, top, guess, |code| self.cum(w, code)))
    }

    /// Learns the actual code of the sample after [`Model::window`].
    #[inline(always)]
    pub fn learn(&mut self, code: u32) {
        let e = self.mid(code) - self.m;
        let e2 = (e * e) << VAR_FRAC;
        self.var_fast += (e2 - self.var_fast) >> FAST_SHIFT;
        let slow = (31 - self.seen.saturating_add(2).leading_zeros()).min(SLOW_SHIFT_MAX);
        self.var_slow += (e2 - self.var_slow) >> slow;
        self.seen = self.seen.saturating_add(1);

        let x = code as i32 * ONE;
        let diff = ((x - self.last) >> FRAC_BITS).clamp(-H_LIMIT, H_LIMIT);
        let err = ((x - self.last) - self.p_diff).clamp(-ERR_LIMIT, ERR_LIMIT);
        // g = err * 2^17 / norm, with 1/norm from a table of its top
        // RECIP_BITS + 1 bits: norm ~ top * 2^(b - 7), RECIP = 2^31 / top.
        // norm >= h^2 + TAPS + 1 for every input h bounds |g * h| by
        // 2^16 * 2^17 / (2 sqrt(17)) < 2^31.
        let norm = (self.power + TAPS as i32 + 1) as u32;
        let b = 31 - norm.leading_zeros();
        let top = ((u64::from(norm) << RECIP_BITS) >> b) as usize & ((1 << RECIP_BITS) - 1);
        let g = ((i64::from(err) * i64::from(TABLES.recip[top])) >> (b + 31 - GAIN_BITS - RECIP_BITS)) as i32;
        if self.seen.is_multiple_of(UPDATE_EVERY) {
            for k in 0..TAPS {
                let step = g.wrapping_mul(self.history[k]).wrapping_add(1 << (STEP_SHIFT - 1)) >> STEP_SHIFT;
                self.weights[k] = self.weights[k].wrapping_add(step);
            }
        }
        let oldest = self.history[TAPS - 1];
        self.power += diff * diff - oldest * oldest;
        self.history.copy_within(0..TAPS - 1, 1);
        self.history[0] = diff;
        self.last = x;
        if LEVEL {
            self.learn_level(err, x);
        }
        let centre = (self.mean >> (LEVEL_MEAN_SHIFT + FRAC_BITS)) as u32;
        self.edges.learn(code, self.seen, centre);
    }

    /// The level term's update after the sample `x` (Q4) with the
    /// prediction error `err` (Q4): its weight takes a normalised step
    /// (the normaliser from the same reciprocal table as the filter's;
    /// `|err| <= 2^16`, `|level| < 2^20`, `RECIP <= 2^24`, so the product is
    /// below 2^60), then the mean moves.
    #[inline(always)]
    fn learn_level(&mut self, err: i32, x: i32) {
        let lv = i64::from(self.level);
        self.level_power += (lv * lv - self.level_power) >> LEVEL_POWER_SHIFT;
        // 2^8 <= norm < 2^41 (level^2 < 2^40).
        let norm = (self.level_power + LEVEL_NORM_FLOOR) as u64;
        let b = 63 - norm.leading_zeros();
        let top = ((norm << RECIP_BITS) >> b) as usize & ((1 << RECIP_BITS) - 1);
        // 2^8 * err * lv / norm with 1/norm = RECIP[top] * 2^(7 - b - 31).
        let step = (i64::from(err) * lv * i64::from(TABLES.recip[top])) >> (b + 31 - RECIP_BITS - LEVEL_STEP_BITS);
        self.level_weight = (i64::from(self.level_weight) + step).clamp(LEVEL_WEIGHT_MIN, 0) as i32;
        self.mean += ((x << LEVEL_MEAN_SHIFT) - self.mean) >> LEVEL_MEAN_SHIFT;
    }
}

/// The scale bucket of a variance (U^2): its octave and top four mantissa
/// bits, the lowest bucket for anything below `2^VAR_MIN_LOG2`. `var` is
/// below `2^VAR_MAX_LOG2` (so the bucket is below [`BUCKETS`]).
#[inline(always)]
pub(super) fn bucket(var: u64) -> usize {
    let var = var.max(1 << VAR_MIN_LOG2);
    let b = 63 - var.leading_zeros();
    (((b - VAR_MIN_LOG2) << BUCKET_BITS) | ((var >> (b - BUCKET_BITS)) as u32 & ((1 << BUCKET_BITS) - 1))) as usize
}

/// Exact integer square root (floor) by bisection, for building the tables.
const fn isqrt(v: u64) -> u64 {
    let (mut lo, mut hi) = (0u64, 1u64 << 32);
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if mid * mid <= v { lo = mid } else { hi = mid }
    }
    lo
}
