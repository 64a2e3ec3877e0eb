//! Where each code sits on the analog axis (its lower edge and midpoint, in
//! U = 1/128 of an average code): the built-in prior of the 10-bit ADC
//! (profiles 5 and 6), or code widths learned from the stream itself
//! (profile 8), for an ADC with no prior.
//!
//! Invariant of both: edges rise strictly with the code (every width is at
//! least [`MIN_WIDTH_Q6`] / 64 code), and encoder and decoder see the same
//! edges at every sample, because the learned ones change only from the
//! codes already coded, at sample counts both sides know.

use super::model::{EDGE_ROWS, TABLES, U_PER_CODE};
use crate::lattice::AdcLattice;

/// What the model needs of the code-to-analog map.
pub trait Edges: Clone + core::fmt::Debug {
    fn new(lattice: AdcLattice) -> Self;
    /// Lower analog edge of `code` (`code <= len`), U.
    fn edge(&self, code: u32) -> i64;
    /// Analog midpoint of `code` (`code < len`), U.
    fn mid(&self, code: u32) -> i64;
    /// True when every code is one average code wide (the analog position's
    /// code is then a division).
    fn uniform(&self) -> bool;
    /// Takes in the code of sample number `seen` (counted from 1), with the
    /// signal's running mean code `centre`.
    fn learn(&mut self, code: u32, seen: u32, centre: u32);
}

/// The built-in prior: the learned edges of the 10-bit ADC on its lattice,
/// one average code per code on any other.
#[derive(Clone, Copy, Debug)]
pub struct PriorEdges {
    prior: bool,
}

impl Edges for PriorEdges {
    fn new(lattice: AdcLattice) -> Self {
        Self { prior: lattice == AdcLattice::Neuralink10 }
    }

    #[inline(always)]
    fn edge(&self, code: u32) -> i64 {
        if self.prior {
            i64::from(TABLES.edges[code as usize & (EDGE_ROWS - 1)])
        } else {
            i64::from(code) * U_PER_CODE
        }
    }

    #[inline(always)]
    fn mid(&self, code: u32) -> i64 {
        if self.prior {
            i64::from(TABLES.mids[code as usize & (EDGE_ROWS - 1)])
        } else {
            i64::from(code) * U_PER_CODE + U_PER_CODE / 2
        }
    }

    #[inline(always)]
    fn uniform(&self) -> bool {
        !self.prior
    }

    #[inline(always)]
    fn learn(&mut self, _code: u32, _seen: u32, _centre: u32) {}
}

/// Codes whose widths are learned: a window of this many codes, placed
/// around the signal's mean at every rebuild (the whole 10-bit lattice;
/// on the 16-bit identity lattice, the codes a recording visits). Codes
/// outside it are one average code wide.
pub const WINDOW_CODES: usize = 1024;
/// Widths are re-derived from the counts after these many samples, then
/// every [`REBUILD_EVERY`] samples.
pub const FIRST_REBUILDS: [u32; 4] = [256, 512, 1024, 2048];
pub const REBUILD_EVERY: u32 = 4096;
/// Half-width of the triangular kernel that estimates the signal's density
/// at a code from its neighbours' counts (the code itself left out): the
/// kernel has weight `SMOOTH_HALF + 1 - |d|` at distance `d`, `1 <= |d| <=
/// SMOOTH_HALF`. Its estimate is smooth enough to average out the
/// neighbours' own widths, but bends a narrow density's peak.
pub const SMOOTH_HALF: usize = 8;
/// The kernel that decides how much of the departures is the ADC's: the
/// least-squares even quartic `a + b d^2 + c d^4` through the neighbours'
/// counts at distances 1 to 8 on both sides, evaluated at the code (`a`;
/// exact integer weights, over [`CURVED_SUM`]), so that a density's
/// curvature does not pass for differences of width (a quadratic's does
/// on a peak 5 codes wide).
pub const CURVED: [i64; SMOOTH_HALF] = [825, 660, 415, 135, -117, -260, -195, 195];
/// The sum of [`CURVED`]'s 16 weights.
pub const CURVED_SUM: u64 = 3316;
/// The mean of `(n - d)^2 / d` when the counts are Poisson noise around a
/// smooth density, Q8: 1 for the code's own count plus the variance of the
/// estimate `d` (`sum w^2 / (sum w)^2` of a count's): 324, about 1.27.
pub const NOISE_CHI2_Q8: u64 = {
    let mut sq = 0u64;
    let mut d = 0;
    while d < SMOOTH_HALF {
        sq += 2 * (CURVED[d] * CURVED[d]) as u64;
        d += 1;
    }
    256 + (256 * sq + CURVED_SUM * CURVED_SUM / 2) / (CURVED_SUM * CURVED_SUM)
};
/// Pseudo-count of the shrinkage towards width 1: `w = (n + A) / (d + A)`
/// for a code counted `n` times where its neighbours say `d`.
pub const PSEUDO_COUNT: u64 = 16;
/// Codes where the [`CURVED`] estimate of the density (a mean count) is
/// below this do not vote on how much of the departures is the ADC's
/// (their counts are too noisy).
pub const MIN_DENSITY: u64 = 8;
/// A code's `(n - d)^2 / d` counts for at most this (Q8) in the mean that
/// decides the signal share, so that a few codes that stand out (a level
/// the signal dwells at, a code that rounding made double) do not turn on
/// every code's departures.
pub const MAX_CHI2_TERM_Q8: u32 = 16 << 8;
/// Bounds of a learned width, Q6 (64 = one average code).
pub const MIN_WIDTH_Q6: u64 = 16;
pub const MAX_WIDTH_Q6: u64 = 256;
/// When the window's counts reach this total they are halved (so a code's
/// count is the recent past's, and no count overflows).
pub const HALVE_AT_TOTAL: u32 = 1 << 22;

/// Code widths learned from the codes seen: per code of the window, its
/// count, and the edges and midpoints the last rebuild derived.
#[derive(Clone, Debug)]
pub struct LearnedEdges {
    /// The window's first code, and the codes of the lattice.
    base: u32,
    len: u32,
    counts: [u32; WINDOW_CODES],
    total: u32,
    /// `edges[j]`: edge of code `base + j`, U, `j <= WINDOW_CODES`
    /// (codes below the window sit at their uniform place,
    /// `U_PER_CODE * code`); `mids[j]` its midpoint.
    edges: [u32; WINDOW_CODES + 1],
    mids: [u32; WINDOW_CODES],
    /// How far codes above the window sit from their uniform place:
    /// `edges[WINDOW_CODES] - U_PER_CODE * (base + WINDOW_CODES)`.
    above: i64,
}

impl LearnedEdges {
    /// The window's first code for a signal centred on `centre`.
    fn base_for(&self, centre: u32) -> u32 {
        let half = (WINDOW_CODES / 2) as u32;
        centre.saturating_sub(half).min(self.len.saturating_sub(WINDOW_CODES as u32))
    }

    /// Moves the window to `base`, keeping the counts of the codes in both.
    fn shift_to(&mut self, base: u32) {
        let d = i64::from(base) - i64::from(self.base);
        let n = WINDOW_CODES as i64;
        if d == 0 {
            return;
        }
        let mut moved = [0u32; WINDOW_CODES];
        for (j, m) in moved.iter_mut().enumerate() {
            let from = j as i64 + d;
            if (0..n).contains(&from) {
                *m = self.counts[from as usize];
            }
        }
        self.counts = moved;
        self.total = self.counts.iter().sum();
        self.base = base;
    }

    /// The smoothing kernel's weighted sum of the neighbours' counts of
    /// window code `j` (counts outside the window are 0), and the sum of
    /// its weights there.
    fn neighbours(&self, j: usize) -> (u64, u64) {
        let (mut sum, mut weights) = (0u64, 0u64);
        self.each_neighbour(j, |d, count| {
            let k = (SMOOTH_HALF + 1 - d) as u64;
            sum += k * u64::from(count);
            weights += k;
        });
        (sum, weights)
    }

    /// The same with the curvature kernel ([`CURVED`]; its weights' sum is
    /// [`CURVED_SUM`] wherever all 16 neighbours are in the window), at
    /// least 0.
    fn curved_neighbours(&self, j: usize) -> u64 {
        let mut sum = 0i64;
        self.each_neighbour(j, |d, count| sum += CURVED[d - 1] * i64::from(count));
        sum.max(0) as u64
    }

    /// Calls `f(d, count)` for the window's codes at distance `d` in
    /// `1..=SMOOTH_HALF` from window code `j`.
    #[inline(always)]
    fn each_neighbour(&self, j: usize, mut f: impl FnMut(usize, u32)) {
        for d in 1..=SMOOTH_HALF {
            if j >= d {
                f(d, self.counts[j - d]);
            }
            if j + d < WINDOW_CODES {
                f(d, self.counts[j + d]);
            }
        }
    }

    /// How much of the codes' departures from their neighbours is the
    /// ADC's rather than counting noise, Q8: `1 - noise / chi2` (at least
    /// 0, with `noise` [`NOISE_CHI2_Q8`]),
    /// where `chi2` is the mean of `(n - d)^2 / d` over the codes whose
    /// neighbours' [`CURVED`] estimate `d` is at least [`MIN_DENSITY`] (the
    /// codes at least 8 from the window's ends; 1 for counts
    /// that are Poisson noise around a smooth density, more when the widths
    /// differ). 0 when no code qualifies.
    fn signal_share_q8(&self, span: core::ops::Range<usize>) -> u64 {
        let (mut chi_q8, mut codes) = (0u64, 0u64);
        for j in span.start.max(SMOOTH_HALF)..span.end.min(WINDOW_CODES - SMOOTH_HALF) {
            let (sum, weights) = (self.curved_neighbours(j), CURVED_SUM);
            if sum < MIN_DENSITY * weights {
                continue;
            }
            // (n - S/W)^2 / (S/W) = (n W - S)^2 / (S W).
            let dev = (u64::from(self.counts[j]) * weights).abs_diff(sum);
            chi_q8 += ((u128::from(dev) * u128::from(dev)) << 8).div_euclid(u128::from(sum) * u128::from(weights)).min(u128::from(MAX_CHI2_TERM_Q8)) as u64;
            codes += 1;
        }
        if codes == 0 {
            return 0;
        }
        let chi_q8 = (chi_q8 / codes).max(1);
        256u64.saturating_sub((256 * NOISE_CHI2_Q8) / chi_q8)
    }

    /// Re-derives every width of the window from the counts:
    /// `r_j = (n_j + A) / (d_j + A)`, where `d_j` is the kernel's weighted
    /// mean of the neighbours' counts inside the window, then
    /// `w_j = 1 + s (r_j - 1)` with `s` the signal share (Q6, clamped).
    fn rebuild(&mut self) {
        // Codes with no count within the kernel's reach get `r = A / A`, a
        // width of exactly one code: only the span around the counted codes
        // is worked out, the rest is filled in.
        let first = self.counts.iter().position(|&c| c > 0).unwrap_or(WINDOW_CODES);
        let last = self.counts.iter().rposition(|&c| c > 0).map_or(0, |l| l + 1);
        let span = first.saturating_sub(SMOOTH_HALF)..(last + SMOOTH_HALF).min(WINDOW_CODES);
        let share = self.signal_share_q8(span.clone());
        let mut edge = u64::from(self.base) * U_PER_CODE as u64;
        for j in 0..WINDOW_CODES {
            if !span.contains(&j) {
                self.edges[j] = edge as u32;
                self.mids[j] = (edge + 64) as u32;
                edge += 128;
                continue;
            }
            let (sum, weights) = self.neighbours(j);
            // r = (n + A) / (sum / weights + A), Q6, rounded.
            let num = (u64::from(self.counts[j]) + PSEUDO_COUNT) * weights * 64;
            let den = sum + PSEUDO_COUNT * weights;
            let r = (num + den / 2) / den;
            let w = (64 * 256 + share * r).saturating_sub(share * 64);
            let w = ((w + 128) >> 8).clamp(MIN_WIDTH_Q6, MAX_WIDTH_Q6);
            self.edges[j] = edge as u32;
            self.mids[j] = (edge + w) as u32;
            edge += 2 * w;
        }
        self.edges[WINDOW_CODES] = edge as u32;
        self.above = edge as i64 - U_PER_CODE * (i64::from(self.base) + WINDOW_CODES as i64);
    }
}

impl Edges for LearnedEdges {
    fn new(lattice: AdcLattice) -> Self {
        let mut e = Self {
            base: 0,
            len: lattice.len(),
            counts: [0; WINDOW_CODES],
            total: 0,
            edges: [0; WINDOW_CODES + 1],
            mids: [0; WINDOW_CODES],
            above: 0,
        };
        e.base = e.base_for(lattice.len() / 2);
        for j in 0..=WINDOW_CODES {
            let edge = (i64::from(e.base) + j as i64) * U_PER_CODE;
            e.edges[j] = edge as u32;
            if j < WINDOW_CODES {
                e.mids[j] = (edge + U_PER_CODE / 2) as u32;
            }
        }
        e
    }

    #[inline(always)]
    fn edge(&self, code: u32) -> i64 {
        let j = code.wrapping_sub(self.base) as usize;
        if j <= WINDOW_CODES {
            i64::from(self.edges[j])
        } else if code < self.base {
            i64::from(code) * U_PER_CODE
        } else {
            i64::from(code) * U_PER_CODE + self.above
        }
    }

    #[inline(always)]
    fn mid(&self, code: u32) -> i64 {
        let j = code.wrapping_sub(self.base) as usize;
        if j < WINDOW_CODES {
            i64::from(self.mids[j])
        } else if code < self.base {
            i64::from(code) * U_PER_CODE + U_PER_CODE / 2
        } else {
            i64::from(code) * U_PER_CODE + U_PER_CODE / 2 + self.above
        }
    }

    #[inline(always)]
    fn uniform(&self) -> bool {
        false
    }

    #[inline(always)]
    fn learn(&mut self, code: u32, seen: u32, centre: u32) {
        let j = code.wrapping_sub(self.base) as usize;
        if j < WINDOW_CODES {
            self.counts[j] += 1;
            self.total += 1;
        }
        if seen.is_multiple_of(REBUILD_EVERY) || FIRST_REBUILDS.contains(&seen) {
            self.relearn(centre);
        }
    }
}

impl LearnedEdges {
    /// The rebuild at a known sample count (out of line: once in thousands
    /// of samples): the window follows the signal, the counts are halved
    /// when they reach [`HALVE_AT_TOTAL`], and the widths re-derived.
    #[inline(never)]
    fn relearn(&mut self, centre: u32) {
        let base = self.base_for(centre);
        self.shift_to(base);
        if self.total >= HALVE_AT_TOTAL {
            self.counts.iter_mut().for_each(|c| *c >>= 1);
            self.total = self.counts.iter().sum();
        }
        self.rebuild();
    }
}
