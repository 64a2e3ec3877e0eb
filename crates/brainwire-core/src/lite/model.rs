//! The model a `lite` channel runs, identical in encoder, decoder and
//! trainer: the prediction of the next ADC code, the coding context, and an
//! energy state that follows the recent residual size.
//!
//! Invariants: the energy state stays below [`STATES`] whatever codes arrive
//! (every transition lands on a state), so a context is always below
//! [`CONTEXTS`]; all arithmetic is integer, with no division and no multiply
//! but by constants on the sample path.

use crate::lattice::AdcLattice;

/// Residuals with their own codeword: `-RESIDUAL_LIMIT..=RESIDUAL_LIMIT`.
pub const RESIDUAL_LIMIT: i32 = 47;
/// Codeword symbols per context: residual `r` is symbol `r + RESIDUAL_LIMIT`,
/// then the escape.
pub const SYMBOLS: usize = 2 * RESIDUAL_LIMIT as usize + 2;
/// The escape symbol: a residual outside the table, or a sample off the lattice.
pub const ESCAPE: usize = SYMBOLS - 1;
/// Residual-energy buckets, two per octave of mean |residual|.
pub const BUCKETS: usize = 12;
/// Code classes: the prediction modulo the period of the ADC's width pattern.
pub const CLASSES: usize = 16;
/// Coding contexts: `bucket * CLASSES + class`.
pub const CONTEXTS: usize = BUCKETS * CLASSES;
/// Energy states: four per bucket, state `s` standing for a mean |residual|
/// of `2^(s/8)`; bucket `s / 4`.
pub const STATES: usize = 4 * BUCKETS;
/// The first state: a mean |residual| of about 6 codes.
pub const STATE_START: u8 = 21;
/// |residual| enters the energy clamped.
const ENERGY_RESIDUAL_LIMIT: u32 = 127;

/// `round(4096 * 2^(i/16))`: the energy levels and thresholds, in 1/4096 of
/// a code, are these shifted left by whole octaves. (Checked against
/// floating point by a test; written out so the model is integer-only.)
const POW2_SIXTEENTHS: [u32; 16] = [4096, 4277, 4467, 4664, 4871, 5087, 5312, 5547, 5793, 6049, 6317, 6597, 6889, 7194, 7512, 7845];

/// `4096 * 2^(k/16)`, rounded as [`POW2_SIXTEENTHS`] is.
#[inline(always)]
const fn pow2_sixteenths(k: u32) -> u32 {
    POW2_SIXTEENTHS[(k & 15) as usize] << (k >> 4)
}

/// The energy state after a residual of magnitude `a` in state `s`: the
/// mean |residual| `level(s) = 2^(s/8)` decays by 1/8 towards `a`,
/// `m = (7 * level(s) + a) / 8`, and the new state is the last one whose
/// lower bound `2^((j - 1/2)/8)` is at most `m` (all in 1/4096 of a code).
/// An exponential average like an IIR filter's, kept on a grid of eight
/// steps per octave so that it is one table lookup per sample.
pub fn energy_step(s: u8, a: u32) -> u8 {
    let a = a.min(ENERGY_RESIDUAL_LIMIT);
    let m = (7 * pow2_sixteenths(2 * u32::from(s)) + (a << 12)) >> 3;
    // The search starts two states down: the mean decays by 1/8 at most
    // (2^-0.19), less than the 2^-0.31 from `s` to the lower bound of
    // `s - 2`, so every state up to there qualifies. (Escapes take this
    // path, so it does not climb from state 0.)
    let mut j = u32::from(s).min(STATES as u32 - 1).saturating_sub(2);
    while j + 1 < STATES as u32 && pow2_sixteenths(2 * j + 1) <= m {
        j += 1;
    }
    j as u8
}

/// States per symbol in [`EnergyTable`]: a power of two above [`STATES`],
/// so that a mask bounds a state without a check.
const STATE_SLOTS: usize = 64;

/// [`energy_step`] for every in-table symbol and state: the next state is
/// one lookup by the symbol just coded. Symbol-major, so the lookup needs
/// no multiply.
#[derive(Clone)]
pub struct EnergyTable {
    next: [[u8; STATE_SLOTS]; SYMBOLS],
}

impl Default for EnergyTable {
    fn default() -> Self {
        Self::new()
    }
}

impl EnergyTable {
    /// All zero, to be [`EnergyTable::fill`]ed where it is kept.
    pub(super) const EMPTY: Self = Self { next: [[0; STATE_SLOTS]; SYMBOLS] };

    #[inline(always)]
    pub fn new() -> Self {
        let mut t = Self::EMPTY;
        t.fill();
        t
    }

    /// Fills the table in place: [`energy_step`] row by row (one |residual|
    /// at a time, its negative's row a copy), the search resumed from state
    /// to state (the next state grows with the state), in units of 1/32768
    /// of a code so that the `>> 3` is a comparison with bounds times eight.
    pub(super) fn fill(&mut self) {
        const MID: usize = RESIDUAL_LIMIT as usize;
        // Eight times the lower bound of each state, and bounds no sum
        // reaches after the last (the search's end without a count; 64 of
        // them: a mask keeps its index in bounds unchecked).
        let mut lower_bounds_x8 = [u32::MAX; 64];
        lower_bounds_x8[0] = 0;
        for (j, b) in lower_bounds_x8.iter_mut().enumerate().take(STATES).skip(1) {
            *b = pow2_sixteenths(2 * j as u32 - 1) << 3;
        }
        let mut levels_x7 = [0u32; STATES];
        for (s, l) in levels_x7.iter_mut().enumerate() {
            *l = 7 * pow2_sixteenths(2 * s as u32);
        }
        // Plain counters: at opt-level "z" range iterators add a test a step.
        let mut a = 0;
        while a <= MID {
            let (below, from) = self.next.split_at_mut(MID + a);
            let row = &mut from[0];
            let residual = (a as u32) << 12;
            // The state found so far and the next state's bound, kept in
            // registers: most steps compare once and store.
            let (mut j, mut above) = (0usize, lower_bounds_x8[1]);
            let mut s = 0;
            while s < STATES {
                let sum = levels_x7[s] + residual;
                while above <= sum {
                    j += 1;
                    above = lower_bounds_x8[(j + 1) & 63];
                }
                row[s] = j as u8;
                s += 1;
            }
            if let Some(mirror) = below.get_mut(MID.wrapping_sub(a)) {
                mirror[..STATES].copy_from_slice(&row[..STATES]);
            }
            a += 1;
        }
        // Never read: escapes take [`energy_step`] of their own residual.
        for (s, next) in self.next[ESCAPE].iter_mut().enumerate().take(STATES) {
            *next = s as u8;
        }
    }

    /// The state after in-table symbol `sym` in state `s`.
    #[inline(always)]
    pub fn next(&self, s: u8, sym: usize) -> u8 {
        self.next[sym][usize::from(s) & (STATE_SLOTS - 1)]
    }
}

/// The first context of energy state `s`'s bucket: `(s / 4) * CLASSES`
/// (below 256 for any `s`).
#[inline(always)]
pub(super) fn bucket_context(s: u8) -> usize {
    (usize::from(s) & 0x3C) << 2
}

/// What the model expects of the next sample.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Prediction {
    /// The predicted code (not clamped to the lattice).
    pub code: i32,
    /// The coding context, `< CONTEXTS`.
    pub context: usize,
}

/// The prediction and context state of one channel.
///
/// The prediction is the last code pulled a quarter of the way towards the
/// local mean (an exponential average over ~8 codes). On these recordings
/// that codes as well as an 8-tap filter on the first differences, and the
/// least-squares pull (which `train lite` reports) is 0.26: a quarter is a
/// shift. The context is the energy bucket times the prediction's code
/// class: the ADC's irregular code widths repeat every [`CLASSES`] codes, so
/// a table per class knows which codes near the prediction are wide.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Model {
    last: i32,
    /// Local mean of the codes in Q4, plus 32 (the prediction's rounding).
    mean: i32,
    state: u8,
}

impl Model {
    pub fn new(lattice: AdcLattice) -> Self {
        let mid = (lattice.len() / 2) as i32;
        Self { last: mid, mean: (mid << 4) + 32, state: STATE_START }
    }

    /// The last code learned.
    pub fn last(&self) -> i32 {
        self.last
    }

    /// How far the local mean is from the last code (Q4).
    pub fn pull(&self) -> i32 {
        self.mean - 32 - (self.last << 4)
    }

    /// `last + (mean - last) / 4`, rounded: `(mean + 48 * last) >> 6` in Q4.
    #[inline(always)]
    pub fn predict(&self) -> Prediction {
        let code = (self.mean + 48 * self.last) >> 6;
        let context = bucket_context(self.state) | (code as usize & (CLASSES - 1));
        Prediction { code, context }
    }

    /// Learns `code`, coded as in-table symbol `sym`.
    #[inline(always)]
    pub fn learn(&mut self, energy: &EnergyTable, code: i32, sym: usize) {
        self.state = energy.next(self.state, sym);
        self.follow(code);
    }

    /// The energy state.
    pub fn state(&self) -> u8 {
        self.state
    }

    /// `(last, mean, state)`, the mean in Q4 plus 32 (the decoder and the
    /// block encoder keep them in their own forms inside their loops).
    pub(super) fn parts(&self) -> (i32, i32, u8) {
        (self.last, self.mean, self.state)
    }

    /// The model of [`Model::parts`] `(last, mean, state)`; `state` below
    /// [`STATES`].
    pub(super) fn from_parts(last: i32, mean: i32, state: u8) -> Self {
        Self { last, mean, state }
    }

    /// Learns `code` whatever its residual (escapes, the trainer); for an
    /// off-lattice sample, `code` is its nearest code.
    pub fn learn_any(&mut self, p: &Prediction, code: i32) {
        self.state = energy_step(self.state, (code - p.code).unsigned_abs());
        self.follow(code);
    }

    #[inline(always)]
    fn follow(&mut self, code: i32) {
        self.mean += ((code << 4) + 32 - self.mean) >> 3;
        self.last = code;
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;

    #[test]
    fn levels_are_powers_of_two() {
        for (i, &p) in POW2_SIXTEENTHS.iter().enumerate() {
            assert_eq!(p, (4096.0 * 2f64.powf(i as f64 / 16.0)).round() as u32);
        }
    }

    #[test]
    fn energy_follows_the_residual_size_and_stays_in_range() {
        let table = EnergyTable::new();
        for s in 0..STATES as u8 {
            for a in 0..300 {
                let n = energy_step(s, a);
                // The search from state 0, as FORMAT.md states it.
                let m = (7 * pow2_sixteenths(2 * u32::from(s)) + (a.min(ENERGY_RESIDUAL_LIMIT) << 12)) >> 3;
                let from_zero = (1..STATES as u32).take_while(|&j| pow2_sixteenths(2 * j - 1) <= m).last().unwrap_or(0);
                assert_eq!(u32::from(n), from_zero, "state {s}, |r| {a}");
                assert!(usize::from(n) < STATES);
                if a <= RESIDUAL_LIMIT as u32 {
                    for sym in [RESIDUAL_LIMIT + a as i32, RESIDUAL_LIMIT - a as i32] {
                        assert_eq!(table.next(s, sym as usize), n);
                    }
                }
            }
        }
        // A steady residual of 2^(s/8) keeps the state; silence decays it to
        // 0 and large residuals drive it to the top.
        for s in [8u8, 16, 24, 32, 40] {
            let a = 2f64.powf(f64::from(s) / 8.0).round() as u32;
            assert!(energy_step(s, a).abs_diff(s) <= 1, "state {s}, |r| {a}");
        }
        let (mut lo, mut hi) = (STATE_START, STATE_START);
        for _ in 0..200 {
            lo = energy_step(lo, 0);
            hi = energy_step(hi, 1000);
        }
        assert_eq!((lo, usize::from(hi)), (0, STATES - 1));
    }
}
