//! State and arithmetic of the `max` model, shared by encoder and decoder.
//!
//! Units: analog positions are in "U" = 1/128 of an average code (the learned
//! code widths are Q6, edges and midpoints are kept doubled so midpoints stay
//! integers). Predictions arrive in Q4 code units from [`Predictor`].

use super::priors::{INITIAL_WEIGHTS, PHI_Q31_CODED, PHI_Q31_LEN, PHI_Q31_ORDER, PHI_STEPS_PER_SIGMA, WIDTHS_Q6};
use crate::lattice::AdcLattice;
use crate::predictor::{Cascade, Stages, FRAC_BITS};
use crate::packed::Differences;
use crate::search::{self, Guess};

/// Every coding step uses this frequency total.
pub const TOTAL: u32 = 1 << 16;
/// Frequency of the escape symbol, the top of every table.
pub const ESCAPE_FREQ: u32 = 2;

/// Analog units per average code width.
const U_PER_CODE: i64 = 128;
/// The window spans this many standard deviations each side (plus 2 codes).
const WINDOW_SIGMAS: i64 = 6;
/// Largest half-window in codes: bounds the floor mass (1 per code) and the
/// decoder's search for very loud recordings on the 16-bit identity lattice.
const HALF_MAX: u32 = 2048;
/// Smallest standard deviation, U (a quarter code).
const SIGMA_MIN: u64 = 32;
/// Fraction bits of the variance accumulators.
const VAR_FRAC: u32 = 4;
/// Fast variance mean: rate 2^-4. Slow mean: rate 2^-floor(log2(n + 2)) after
/// n samples, down to 2^-10 (a running mean at first, then forgetting).
const FAST_SHIFT: u32 = 4;
const SLOW_SHIFT_MAX: u32 = 10;
/// Starting variance: 5 codes of noise.
const INIT_VAR: i64 = ((5 * U_PER_CODE) * (5 * U_PER_CODE)) << VAR_FRAC;
/// Fraction bits of `1/s`, and the z resolution of CDF lookups (Q12 sigmas).
const INV_BITS: u32 = 40;
const Z_BITS: u32 = 12;
const ONE_Q31: u32 = 1 << 31;

/// Lower code edges of the Neuralink lattice, U (the cumulative Q6 widths,
/// doubled). Built when a model starts rather than stored, which keeps 4 KiB
/// of table out of the challenge executables.
fn edges(widths: &[u8; 1024]) -> [u32; 1025] {
    let mut e = [0u32; 1025];
    for (i, &w) in widths.iter().enumerate() {
        e[i + 1] = e[i] + 2 * u32::from(w);
    }
    e
}

/// The normal CDF table `PHI_Q31` (Q31 at `k / PHI_STEPS_PER_SIGMA`,
/// non-decreasing), rebuilt from its stored differences when a model starts,
/// which keeps 1.6 KiB of table out of the challenge executables.
fn phi() -> [u32; PHI_Q31_LEN] {
    let mut d = Differences::<PHI_Q31_ORDER>::new(&PHI_Q31_CODED);
    core::array::from_fn(|_| d.next_value())
}

/// Taps of the difference filter.
pub use crate::predictor::TAPS;
/// Step size 2^-9 of the difference filter's normalised update: it starts
/// from learned weights, so a small step wins over fast convergence.
pub const MU_SHIFT: u32 = 9;

/// The predictor: the shared cascade (last code plus an NLMS filter on first
/// differences, `crate::predictor`) started from the learned weights.
pub fn predictor(codes: u32, weights: [i32; TAPS]) -> Cascade {
    Cascade::with_weights(codes, Stages::WITHOUT_LEVEL, weights, MU_SHIFT)
}

/// The coding window of one sample: codes `lo..=hi` have a symbol each.
#[derive(Clone, Copy, Debug)]
pub struct Window {
    lo: u32,
    hi: u32,
    m: i64,
    inv_s: i64,
    /// CDF (Q31) at the lower edge of `lo` and the upper edge of `hi`.
    c_lo: u32,
    c_hi: u32,
    /// Scale from CDF differences to frequencies, Q32.
    k: u64,
    /// Standard deviation (U), the predicted code and its midpoint (U): for
    /// the decoder's first guess.
    s: i64,
    code: u32,
    code_mid: i64,
}

impl Window {
    #[inline]
    pub fn contains(&self, code: u32) -> bool {
        code >= self.lo && code <= self.hi
    }
}

/// Which parts of the `max` model are used. Every part is on in a coded
/// stream; turning one off is for measuring what it saves (the ratio bench).
/// A stream made with some parts off decodes only with the same switches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ablation {
    /// The NLMS filter on first differences (else: the last code).
    pub nlms: bool,
    /// Its learned starting weights and small step (else: zero and 2^-7).
    pub learned_weights: bool,
    /// The learned ADC code edges (else: every code equally wide).
    pub width_prior: bool,
    /// The fast mean of squared errors in the scale (else: slow only).
    pub fast_variance: bool,
    /// The slow mean of squared errors in the scale (else: fast only).
    pub slow_variance: bool,
}

impl Ablation {
    pub const NONE: Ablation =
        Ablation { nlms: true, learned_weights: true, width_prior: true, fast_variance: true, slow_variance: true };
}

/// The `max` model of one channel.
#[derive(Clone, Debug)]
pub struct Model {
    lattice: AdcLattice,
    ablation: Ablation,
    len: u32,
    predictor: Cascade,
    var_fast: i64,
    var_slow: i64,
    seen: u32,
    /// The analog prediction of the current sample, U.
    m: i64,
    /// Whether codes have the learned edges (the 10-bit lattice with the
    /// width prior); else every code is `U_PER_CODE` wide. Decided once: the
    /// edge and midpoint lookups run several times a sample.
    learned_edges: bool,
    /// Lower code edges (U) of the 10-bit lattice.
    edges: [u32; 1025],
    /// The normal CDF table, see [`phi`].
    phi: [u32; PHI_Q31_LEN],
    /// Version 4's scale factors per [`ScaleContext`], Q8 (`None`: version
    /// 3, the variance means alone).
    scales: Option<[u16; SCALE_CONTEXTS]>,
    /// The scale before its factor, U, and the error, U, of the last sample
    /// coded through the Gaussian: inputs of the next context.
    s_plain: i64,
    e_last: i64,
    context: usize,
}

/// Contexts of version 4's scale factor: how the fast variance mean stands
/// to the slow one (8 steps of about a factor 2) times how large the last
/// error was against its scale (4 steps). A heavy-tailed recording's burst
/// and a quiet stretch after it get their own factors, which the variance
/// means alone cannot follow.
pub const SCALE_CONTEXTS: usize = SPREADS * SIZES + RAIL_SPREADS;
const SPREADS: usize = 8;
const SIZES: usize = 8;
/// Near a rail the predictor sees clipped codes: a context of its own per
/// spread (the last error, clipped too, says little there).
const RAIL_NEAR_CODES: u32 = 16;
const RAIL_SPREADS: usize = 8;

/// `x + 1` in half octaves (`2 log2(x + 1)`, floored), from `first`, as
/// one of `steps` steps (the ends take everything beyond them). Always
/// inlined: at the challenge's opt-level "z" the call costs more than it.
#[inline(always)]
fn half_octaves(x: u64, first: usize, steps: usize) -> usize {
    let v = x + 1;
    let b = 63 - v.leading_zeros() as usize;
    let half = if b > 0 { ((v >> (b - 1)) & 1) as usize } else { 0 };
    (2 * b + half).saturating_sub(first).min(steps - 1)
}
/// The factor 1 (Q8).
pub const SCALE_ONE: u16 = 256;

impl Model {
    pub fn new(lattice: AdcLattice) -> Self {
        Self::with_ablation(lattice, Ablation::NONE)
    }

    pub fn with_ablation(lattice: AdcLattice, ablation: Ablation) -> Self {
        let len = lattice.len();
        let stages = Stages { difference_nlms: ablation.nlms, level: false };
        let predictor = match ablation.learned_weights {
            true => Cascade::with_weights(len, stages, INITIAL_WEIGHTS, MU_SHIFT),
            false => Cascade::with_weights(len, stages, [0; TAPS], 7),
        };
        Self {
            lattice,
            ablation,
            learned_edges: lattice == AdcLattice::Neuralink10 && ablation.width_prior,
            edges: edges(&WIDTHS_Q6),
            phi: phi(),
            len,
            predictor,
            var_fast: INIT_VAR,
            var_slow: INIT_VAR,
            seen: 0,
            m: 0,
            scales: None,
            s_plain: 5 * U_PER_CODE,
            e_last: 0,
            context: 0,
        }
    }

    /// Version 4's model: the scale factors `scales` (Q8) per context.
    pub fn with_scales(lattice: AdcLattice, scales: [u16; SCALE_CONTEXTS]) -> Self {
        Self { scales: Some(scales), ..Self::new(lattice) }
    }

    /// Version 5's model: version 4's with the predictor's level term.
    pub fn with_scales_and_level(lattice: AdcLattice, scales: [u16; SCALE_CONTEXTS]) -> Self {
        let predictor = Cascade::with_weights(lattice.len(), Stages::WITH_LEVEL, INITIAL_WEIGHTS, MU_SHIFT);
        Self { predictor, ..Self::with_scales(lattice, scales) }
    }

    /// The scale context of the sample [`Model::window`] was last called
    /// for (version 4), the prediction (U) and the scale before its
    /// factor (U): what `train max-scale` fits the factors on.
    pub fn scale_inputs(&self) -> (usize, i64, i64) {
        (self.context, self.m, self.s_plain)
    }

    /// Analog interval `[lo, hi)` of `code`, U (`None` for an open end).
    pub fn interval_of(&self, code: u32) -> (Option<i64>, Option<i64>) {
        let lo = (code > 0).then(|| self.edge(code));
        let hi = (code + 1 < self.len).then(|| self.edge(code + 1));
        (lo, hi)
    }

    #[inline]
    fn scale_context(&self, code: u32) -> usize {
        if code < RAIL_NEAR_CODES || code + RAIL_NEAR_CODES >= self.len {
            return SPREADS * SIZES + half_octaves(((self.var_fast << 4) / (self.var_slow | 1)) as u64, 5, RAIL_SPREADS);
        }
        // fast / slow in sixteenths, from ~1/3 to ~3 in half octaves; the
        // last error against its scale in eighths, up to ~2.
        let spread = half_octaves(((self.var_fast << 4) / (self.var_slow | 1)) as u64, 5, SPREADS);
        let size = half_octaves((self.e_last.unsigned_abs() << 3) / (self.s_plain.max(1) as u64), 0, SIZES);
        spread * SIZES + size
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
    #[inline]
    fn edge(&self, code: u32) -> i64 {
        if self.learned_edges {
            i64::from(self.edges[(code as usize).min(1024)])
        } else {
            i64::from(code) * U_PER_CODE
        }
    }

    /// Analog midpoint of `code` (`code < len`), U.
    #[inline]
    fn mid(&self, code: u32) -> i64 {
        if self.learned_edges {
            let c = (code as usize).min(1023);
            i64::from(self.edges[c]) + i64::from(WIDTHS_Q6[c])
        } else {
            i64::from(code) * U_PER_CODE + U_PER_CODE / 2
        }
    }

    /// Normal CDF, Q31, of the analog position `t` (U) under the window's
    /// Gaussian.
    #[inline]
    fn cdf(&self, w: &Window, t: i64) -> u32 {
        let z = ((t - w.m) * w.inv_s) >> (INV_BITS - Z_BITS);
        let a = z.unsigned_abs();
        let step = a >> (Z_BITS - PHI_STEPS_PER_SIGMA.trailing_zeros());
        let v = if step as usize >= PHI_Q31_LEN - 1 {
            ONE_Q31
        } else {
            let i = step as usize;
            let frac = a & ((1 << (Z_BITS - PHI_STEPS_PER_SIGMA.trailing_zeros())) - 1);
            let (p0, p1) = (self.phi[i], self.phi[i + 1]);
            p0 + ((u64::from(p1 - p0) * frac) >> (Z_BITS - PHI_STEPS_PER_SIGMA.trailing_zeros()))
                as u32
        };
        if z >= 0 {
            v
        } else {
            ONE_Q31 - v
        }
    }

    /// Predicts the next sample and sets up its coding window. Always
    /// inlined (one caller per coder): the window stays in registers instead
    /// of going back through memory (docs/perf/core.md).
    #[inline(always)]
    pub fn window(&mut self) -> Window {
        let mu = self.predictor.predict() as u32;
        let i = mu >> FRAC_BITS;
        let f = i64::from(mu & ((1 << FRAC_BITS) - 1));
        let here = self.mid(i);
        let next = if i + 1 < self.len {
            self.mid(i + 1)
        } else {
            here
        };
        let m = here + (((next - here) * f) >> FRAC_BITS);
        self.m = m;

        let var = match (self.ablation.fast_variance, self.ablation.slow_variance) {
            (true, true) => (self.var_fast + 3 * self.var_slow) >> (2 + VAR_FRAC),
            (false, _) => self.var_slow >> VAR_FRAC,
            (true, false) => self.var_fast >> VAR_FRAC,
        };
        let mut s = isqrt(var as u64).max(SIGMA_MIN) as i64;
        if let Some(scales) = &self.scales {
            self.context = self.scale_context(i);
            self.s_plain = s;
            s = ((s * i64::from(scales[self.context]) + 128) >> 8).max(SIGMA_MIN as i64);
        }
        let inv_s = (1i64 << INV_BITS) / s;
        let half = ((((WINDOW_SIGMAS * s) / U_PER_CODE) + 2) as u32).min(HALF_MAX);
        let lo = i.saturating_sub(half);
        let hi = (i + half).min(self.len - 1);
        let mut w = Window {
            lo,
            hi,
            m,
            inv_s,
            c_lo: 0,
            c_hi: ONE_Q31,
            k: 0,
            s,
            code: i,
            code_mid: here,
        };
        if lo > 0 {
            w.c_lo = self.cdf(&w, self.edge(lo));
        }
        if hi < self.len - 1 {
            w.c_hi = self.cdf(&w, self.edge(hi + 1));
        }
        // A floor of 1 per code and the escape come off the top; at least
        // 2^16 of CDF mass keeps the scale within 32 bits.
        let mass = (w.c_hi - w.c_lo).max(1 << 16);
        let spare = TOTAL - ESCAPE_FREQ - (hi - lo + 1);
        w.k = (u64::from(spare) << 32) / u64::from(mass);
        w
    }

    /// Cumulative frequency of the codes below `code` (`lo <= code <= hi+1`).
    #[inline]
    fn cum(&self, w: &Window, code: u32) -> u32 {
        let c = if code <= w.lo {
            return 0;
        } else if code > w.hi {
            w.c_hi
        } else {
            self.cdf(w, self.edge(code))
        };
        Self::scaled(w, c, code)
    }

    /// Cumulative frequency of the codes below `code` (`lo < code <= hi+1`)
    /// given the CDF `c` at its lower edge.
    #[inline]
    fn scaled(w: &Window, c: u32, code: u32) -> u32 {
        ((u64::from(c.saturating_sub(w.c_lo)) * w.k) >> 32) as u32 + (code - w.lo)
    }

    /// `(cum, freq)` of a code inside the window.
    #[inline]
    pub fn interval(&self, w: &Window, code: u32) -> (u32, u32) {
        let lo = self.cum(w, code);
        (lo, self.cum(w, code + 1) - lo)
    }

    /// The decoder's first guess of the code a target points at: the CDF
    /// value of the target, inverted through the CDF table to an analog
    /// position, then to the code whose learned edges hold it. Only speed
    /// depends on it ([`Model::find`] checks every guess), so it may round
    /// as it likes; its cost does not grow with the spread, and it hits the
    /// code for ~96% of targets on the widest recordings (99.8% typically).
    #[inline]
    fn guess(&self, w: &Window, t: u32) -> u32 {
        // Each code below the target holds a floor of 1 besides its CDF
        // share; the codes below the prediction stand in for them (a closer
        // estimate costs more than the few misses it saves, all deep in the
        // tails). Half a count up: the middle of the target's unit.
        let k = w.k.max(1);
        let t = t.saturating_sub(w.code - w.lo);
        let u = (u64::from(w.c_lo) + ((u64::from(t) << 32) + (1 << 31)) / k)
            .min(u64::from(ONE_Q31)) as u32;
        let (below, p) = if u >= ONE_Q31 / 2 {
            (false, u)
        } else {
            (true, ONE_Q31 - u)
        };
        // Largest step j < 512 with PHI_Q31[j] <= p (PHI_Q31[0] = 1/2 <= p):
        // a fixed bisection, every probe in bounds by its mask.
        let mut j = 0usize;
        for b in (0..9).rev() {
            let next = (j + (1 << b)) & 511;
            if self.phi[next] <= p {
                j = next;
            }
        }
        // z in Q18 sigmas, interpolated within the step; [`Model::cdf`]
        // floors z to Q12, which puts a target at an edge up to one Q12 unit
        // low: half a unit up centres that.
        let (p0, p1) = (self.phi[j & 511], self.phi[(j & 511) + 1]);
        let slope = i64::from(p1 - p0).max(1);
        let frac = ((i64::from(p - p0) << 12) / slope).min(1 << 12);
        let z = ((j as i64) << 12) + frac;
        let z = if below { -z } else { z } + (1 << 5);
        self.code_at(w, w.m + ((z * w.s) >> 18))
    }

    /// The window's code holding the analog position `analog`. On learned
    /// edges: the code if every code were as wide as the average, counted
    /// from the prediction (rounded by a shift), then walked along the edges
    /// (the average is off by up to ~12 codes at the ends of the lattice, by
    /// ~1 in the middle).
    #[inline]
    fn code_at(&self, w: &Window, analog: i64) -> u32 {
        let (lo, hi) = (i64::from(w.lo), i64::from(w.hi));
        if self.learned_edges {
            let e = &self.edges;
            let g = i64::from(w.code)
                + ((analog - w.code_mid + U_PER_CODE / 2) >> U_PER_CODE.trailing_zeros());
            let mut g = g.clamp(lo, hi) as usize;
            while g > w.lo as usize && i64::from(e[g]) > analog {
                g -= 1;
            }
            while g < w.hi as usize && i64::from(e[g + 1]) <= analog {
                g += 1;
            }
            g as u32
        } else {
            analog.div_euclid(U_PER_CODE).clamp(lo, hi) as u32
        }
    }

    /// The code whose interval holds the target `t`, with its `(cum, freq)`;
    /// `None` when `t` lies beyond the window's symbols.
    #[inline]
    pub fn find(&self, w: &Window, t: u32) -> Option<(u32, u32, u32)> {
        let top = Self::scaled(w, w.c_hi, w.hi + 1);
        if t >= top {
            return None;
        }
        // Check the guess; on a miss, search from it.
        let g = self.guess(w, t);
        let (cg, c1) = (self.cum(w, g), self.cum(w, g + 1));
        if cg <= t && t < c1 {
            return Some((g, cg, c1 - cg));
        }
        let guess = Guess { code: g, cum: cg, next_cum: c1 };
        Some(search::after_missed_guess(t, w.lo, w.hi + 1, top, guess, |code| self.cum(w, code)))
    }

    /// Learns a sample that stayed on its rail ([`super::Rails`]), without
    /// [`Model::window`]: the predictor follows it, the scale does not (a
    /// clipped sample says nothing about the noise).
    #[inline]
    pub fn learn_stuck(&mut self, code: u32) {
        self.predictor.predict();
        self.predictor.update(code);
    }

    /// Learns the actual code of the sample after [`Model::window`].
    #[inline]
    pub fn learn(&mut self, code: u32) {
        let e = self.mid(code.min(self.len - 1)) - self.m;
        self.e_last = e;
        let e2 = (e * e) << VAR_FRAC;
        self.var_fast += (e2 - self.var_fast) >> FAST_SHIFT;
        let slow = (31 - self.seen.saturating_add(2).leading_zeros()).min(SLOW_SHIFT_MAX);
        self.var_slow += (e2 - self.var_slow) >> slow;
        self.seen = self.seen.saturating_add(1);
        self.predictor.update(code);
    }
}

/// The code of `value` on `lattice`, as [`AdcLattice::code`] but with a
/// single guess-and-check (the encoder's hot path).
#[inline]
pub fn code_of(lattice: AdcLattice, value: i16) -> Option<u32> {
    match lattice {
        AdcLattice::Identity16 => Some((i32::from(value) + 32768) as u32),
        AdcLattice::Neuralink10 => {
            let u = (i32::from(value) + 32768) as u32;
            // Codes sit ~64.06 apart: the rounded quotient is the code or a
            // neighbour of it.
            let g = ((u * 1023 + 32767) / 65535).min(1023);
            if lattice.value(g) == value {
                Some(g)
            } else if g > 0 && lattice.value(g - 1) == value {
                Some(g - 1)
            } else if g < 1023 && lattice.value(g + 1) == value {
                Some(g + 1)
            } else {
                None
            }
        }
    }
}

/// Square root within 0.3%: two Newton steps from 1.25 or 1.75 times the
/// power of two below the root (within 25% of it). The model only needs it
/// deterministic, not exact.
#[inline]
fn isqrt(v: u64) -> u64 {
    if v < 4 {
        return u64::from(v > 0);
    }
    let b = 63 - v.leading_zeros();
    let x = ((if b & 1 == 0 { 5u64 } else { 7 }) << (b / 2)) >> 2;
    let x = (x + v / x) / 2;
    (x + v / x) / 2
}

#[cfg(test)]
pub(super) fn isqrt_for_tests(v: u64) -> u64 {
    isqrt(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The CDF table as the model uses it, pinned by a hash and a few
    /// entries taken from the table before its storage changed: any change
    /// of storage must rebuild exactly these values.
    #[test]
    fn phi_is_pinned() {
        let phi = phi();
        assert_eq!(PHI_Q31_LEN, 513, "regenerate max/priors.bin with `train max`");
        let hash = phi.iter().fold(0u64, |h, &v| h.wrapping_mul(1_000_003).wrapping_add(u64::from(v)));
        assert_eq!(phi.iter().map(|&v| u64::from(v)).sum::<u64>(), 1_046_290_915_475);
        assert_eq!(hash, 0xf8f2_0622_6787_84b1);
        let at = |k: usize| phi[k];
        assert_eq!((at(0), at(1), at(64), at(128), at(256)), (1 << 30, 1_087_127_561, 1_806_774_085, 2_098_628_112, 2_147_415_635));
        assert_eq!((at(376), at(398), at(399), at(512)), (2_147_483_643, 2_147_483_647, 1 << 31, 1 << 31));
        assert!(phi.windows(2).all(|w| w[0] <= w[1]));
    }
}
