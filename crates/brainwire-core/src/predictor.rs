//! Prediction of the next ADC code from the codes before it.
//!
//! A cascade in fixed point (values in 1/16 code units, "Q4"): the previous
//! code, then an NLMS filter on the history of first differences predicting
//! the next difference. (Measured and left out: a bias stage per sign context
//! of recent errors cost 0.03 bits/sample, a 4-tap NLMS on the first stage's
//! errors 0.002, longer filters up to 64 taps 0.005-0.035, and a per-recording
//! least-squares filter sent in the stream saves only 0.002: the residual is
//! close to white noise, and adaptation noise grows with the taps.)
//!
//! Invariant: prediction and update are pure integer functions of the codes
//! seen so far, so the encoder and the decoder hold identical state after
//! every sample.

/// Fraction bits of predictions: predictions are in 1/16 code units.
pub const FRAC_BITS: u32 = 4;
const ONE: i32 = 1 << FRAC_BITS;

/// Taps of the cascade's difference filter.
pub const TAPS: usize = 16;

use wide::{i16x8, i32x8};

/// Fraction bits of NLMS weights.
const W_BITS: u32 = 16;
const W_LIMIT: i32 = 1 << 24;

/// The narrow paths' bounds. Inputs below `2^NARROW_INPUT_BITS` in
/// magnitude (first differences of at most 1024 codes, Q4: `1023 * 16 <
/// 2^14`) fit an `i16`, and so do the weights split at `SPLIT_BITS`
/// (`w = hi * 2^12 + lo`, `lo` in `[0, 2^12)`, `|hi| <= 2^12`).
const NARROW_INPUT_BITS: u32 = 14;
const SPLIT_BITS: u32 = 12;
/// The narrow step needs `|gain| < 2^NARROW_GAIN_BITS` (on the challenge
/// recordings 4 samples in 100,000 have more: a jump on a quiet history;
/// they take the reference step) and the step shift `NARROW_SHIFT`
/// (max's, `MU_SHIFT` 9).
const NARROW_GAIN_BITS: u32 = 17;
const NARROW_SHIFT: u32 = 17;

/// Normalised least-mean-squares filter with [`TAPS`] taps over a Q4 signal.
///
/// The step size is `2^-mu_shift`; normalising by the input power makes the
/// filter converge at the same speed whatever the signal's amplitude.
///
/// Two forms of the same arithmetic: the reference (64-bit products, as
/// the formats state it) and, for narrow inputs, one in 16- and 32-bit
/// lanes (`wide`'s vectors: `pmaddwd` and `pmullw`/`pmulhw` on baseline
/// x86-64, their NEON counterparts on aarch64, plain lanes elsewhere).
/// Each narrow function states why it equals the reference; the tests run
/// both on the same inputs.
#[derive(Clone, Debug)]
pub struct Nlms {
    weights: [i32; TAPS],
    /// The history twice over, so the newest-first window is always the
    /// contiguous `TAPS` values from `pos`, and a new input moves nothing.
    ring: [[i32; TAPS]; 2],
    pos: usize,
    power: i64,
    mu_shift: u32,
    /// Inputs are narrow (every `|input| < 2^14`, promised by the caller)
    /// and the step shift is `NARROW_SHIFT`: `split` is kept and the
    /// narrow paths run.
    narrow: bool,
    split: Split,
}

/// The narrow paths' copy of the state: the weights split at
/// `SPLIT_BITS` (`w = hi 2^12 + lo`), 8 taps a vector, and the history
/// as `i16`, laid out as [`Nlms`]'s ring.
#[derive(Clone, Debug)]
struct Split {
    hi: [i16x8; 2],
    lo: [i16x8; 2],
    ring: [i16; 2 * TAPS],
}

/// Taps `8 half .. 8 half + 8` of `weights` as one vector.
#[inline]
fn lanes(weights: &[i32; TAPS], half: usize) -> i32x8 {
    i32x8::new(weights[8 * half..][..8].try_into().unwrap())
}

impl Split {
    /// Splits taps `8 half .. 8 half + 8`: `hi = w >> 12` in `[-2^12, 2^12]`
    /// and `lo = w & 0xFFF` both fit `i16` for `|w| <= W_LIMIT`, so the
    /// saturating pack keeps them exactly.
    #[inline]
    fn set(&mut self, half: usize, w: i32x8) {
        self.hi[half] = i16x8::from_i32x8_saturate(w >> SPLIT_BITS);
        self.lo[half] = i16x8::from_i32x8_saturate(w & i32x8::splat((1 << SPLIT_BITS) - 1));
    }

    /// Splits all the taps.
    #[inline]
    fn set_all(&mut self, weights: &[i32; TAPS]) {
        for half in 0..2 {
            self.set(half, lanes(weights, half));
        }
    }

    /// The history, newest first, from `pos`: two vectors of 8 taps.
    #[inline]
    fn history(&self, pos: usize) -> [i16x8; 2] {
        let h = &self.ring[pos..pos + TAPS];
        [i16x8::from_slice_unaligned(&h[..8]), i16x8::from_slice_unaligned(&h[8..])]
    }
}

impl Nlms {
    pub fn new(mu_shift: u32) -> Self {
        Self::with_weights(mu_shift, [0; TAPS], false)
    }

    /// A filter starting from `weights` (Q16, newest tap first, each within
    /// `+-2^24`) instead of zero. `narrow` promises every input below
    /// `2^14` in magnitude.
    pub fn with_weights(mu_shift: u32, weights: [i32; TAPS], narrow: bool) -> Self {
        let narrow = narrow && 8 + mu_shift == NARROW_SHIFT;
        debug_assert!(weights.iter().all(|w| w.unsigned_abs() <= W_LIMIT as u32));
        let mut split = Split { hi: [i16x8::ZERO; 2], lo: [i16x8::ZERO; 2], ring: [0; 2 * TAPS] };
        split.set_all(&weights);
        Self { weights, ring: [[0; TAPS]; 2], pos: 0, power: 0, mu_shift, narrow, split }
    }

    /// The same filter with the narrow paths off: for tests.
    #[cfg(test)]
    fn reference(mut self) -> Self {
        self.narrow = false;
        self
    }

    /// The filter's current weights (Q16, newest tap first).
    pub fn weights(&self) -> [i32; TAPS] {
        self.weights
    }

    /// The newest input's slot, `pos` masked: always below `TAPS` (a
    /// power of two), so indexing with it needs no bounds check.
    #[inline]
    fn at(&self) -> usize {
        self.pos & (TAPS - 1)
    }

    /// The inputs, newest first.
    #[inline]
    fn history(&self) -> &[i32] {
        &self.ring.as_flattened()[self.at()..][..TAPS]
    }

    /// The filter's prediction of the next input, Q4.
    #[inline]
    pub fn predict(&self) -> i32 {
        let acc = if self.narrow { self.dot_narrow() } else { self.dot_reference() };
        // Clamped so a diverging filter cannot overflow the cascade's sums.
        (acc >> W_BITS).clamp(-i64::from(W_LIMIT), i64::from(W_LIMIT)) as i32
    }

    /// `sum w_k h_k` in 64-bit products.
    #[inline]
    fn dot_reference(&self) -> i64 {
        let mut acc: i64 = 0;
        for (w, h) in self.weights.iter().zip(self.history()) {
            acc += i64::from(*w) * i64::from(*h);
        }
        acc
    }

    /// `sum w_k h_k` as `2^12 sum hi_k h_k + sum lo_k h_k`, each sum in
    /// 32-bit lanes (`pmaddwd`: products of `i16` added in pairs):
    /// `|hi_k h_k|` and `lo_k h_k` are below `2^12 * 2^14`, so a sum of 16
    /// stays below `2^30`.
    #[inline]
    fn dot_narrow(&self) -> i64 {
        let [h0, h1] = self.split.history(self.at());
        let hi = self.split.hi[0].dot(h0) + self.split.hi[1].dot(h1);
        let lo = self.split.lo[0].dot(h0) + self.split.lo[1].dot(h1);
        (i64::from(hi.reduce_add()) << SPLIT_BITS) + i64::from(lo.reduce_add())
    }

    /// The normalised step's gain for the prediction error `err` (Q4):
    /// `err 2^24 / (power + floor)`, the power plus a floor so silence does
    /// not blow up the step.
    #[inline]
    fn gain(&self, err: i32) -> i64 {
        let norm = self.power + i64::from(TAPS as u32) * i64::from(ONE * ONE) + 1;
        (i64::from(err) << (W_BITS + 8)) / norm
    }

    /// Adapts to the prediction error `err` (Q4) of the last prediction and
    /// shifts `input` (Q4) into the history.
    #[inline]
    pub fn update(&mut self, err: i32, input: i32) {
        let gain = self.gain(err);
        let shift = 8 + self.mu_shift;
        if self.narrow && gain.unsigned_abs() < 1 << NARROW_GAIN_BITS {
            self.step_narrow(gain as i32);
        } else {
            self.step_reference(gain, shift);
            if self.narrow {
                self.clamp_and_split();
            }
        }
        let oldest = i64::from(self.history()[TAPS - 1]);
        self.power += i64::from(input) * i64::from(input) - oldest * oldest;
        // Newest first: step the window back one slot and write both copies.
        self.pos = self.pos.wrapping_sub(1) & (TAPS - 1);
        let at = self.at();
        self.ring[0][at] = input;
        self.ring[1][at] = input;
        if self.narrow {
            debug_assert!(input.unsigned_abs() < 1 << NARROW_INPUT_BITS);
            self.split.ring[at] = input as i16;
            self.split.ring[at + TAPS] = input as i16;
        }
    }

    /// `w_k += (gain h_k + 2^(shift-1)) >> shift`, clamped to `+-2^24`, in
    /// 64-bit products.
    #[inline(never)]
    fn step_reference(&mut self, gain: i64, shift: u32) {
        let history = &self.ring.as_flattened()[self.at()..][..TAPS];
        for (w, h) in self.weights.iter_mut().zip(history) {
            // Rounded, not floored: a floor's -1/2 bias per update would
            // drag every weight down over a recording.
            let step = (gain * i64::from(*h) + (1 << (shift - 1))) >> shift;
            *w = (i64::from(*w) + step).clamp(-i64::from(W_LIMIT), i64::from(W_LIMIT)) as i32;
        }
    }

    /// [`Nlms::step_reference`] for `|gain| < 2^17` and the shift 17 on
    /// narrow inputs, every step computed in 16-bit lanes.
    ///
    /// With `gain = gh 2^17 + gl` (`gh = gain >> 17` in `{-1, 0}`, `gl` in
    /// `[0, 2^17)`), the step `(gain h + 2^16) >> 17` is
    /// `gh h + ((gl h + 2^16) >> 17)`, and that is `gh h + ((H + 1) >> 1)`
    /// with `H = floor(gl h / 2^16)`. With `gl = c 2^16 + d` (`c` in
    /// `{0, 1, 2}`, `d` in `[-2^15, 2^15)`), `H = pmulhw(d, h) + c h`. For
    /// `|h| < 2^14` every term fits `i16`: `|gl h| < 2^31` puts `H + 1` in
    /// `[-2^15, 2^15)`, and `|gh h|`, `|(H + 1) >> 1|` below `2^14` put the
    /// step there too. A weight leaves `+-2^24` rarely: the clamp is a
    /// fix-up after a test on the split weights' `hi` (`w >> 12`,
    /// saturated). A weight beyond has `hi` outside `[-2^12, 2^12)`, and
    /// `hi + 2^12` of a weight inside has no bit above its 13 lowest, so
    /// the OR of every lane's `hi + 2^12` has one exactly when some weight
    /// is beyond or at `+2^24` (the fix-up, which clamps exactly, then
    /// changes nothing).
    #[inline]
    fn step_narrow(&mut self, gain: i32) {
        let gl = gain & ((1 << NARROW_SHIFT) - 1);
        let c = (gl + (1 << 15)) >> 16;
        let d = gl - (c << 16);
        let gh = i16x8::splat((gain >> NARROW_SHIFT) as i16);
        let (c, d) = (i16x8::splat(c as i16), i16x8::splat(d as i16));
        let h = self.split.history(self.at());
        let mut outside = i16x8::ZERO;
        for (half, &h) in h.iter().enumerate() {
            let big_h = d.mul_keep_high(h) + c * h;
            let step = gh * h + ((big_h + i16x8::ONE) >> 1u32);
            let w = lanes(&self.weights, half) + i32x8::from_i16x8(step);
            self.weights[8 * half..][..8].copy_from_slice(&w.to_array());
            self.split.set(half, w);
            outside |= self.split.hi[half] + i16x8::splat(1 << SPLIT_BITS);
        }
        let inside_bits = i16x8::splat((1 << (SPLIT_BITS + 1)) - 1);
        if !(outside & !inside_bits).simd_eq(i16x8::ZERO).all() {
            self.clamp_and_split();
        }
    }

    /// Clamps the weights to `+-W_LIMIT` and splits them again: after a
    /// narrow step took a weight beyond, and after a reference step. Rare,
    /// so out of line: one copy serves both.
    #[cold]
    #[inline(never)]
    fn clamp_and_split(&mut self) {
        for w in &mut self.weights {
            *w = (*w).clamp(-W_LIMIT, W_LIMIT);
        }
        self.split.set_all(&self.weights);
    }
}

/// The prediction cascade of the range-coded profiles.
#[derive(Clone, Debug)]
pub struct Cascade {
    /// Code range: predictions are clamped to `[0, codes)`.
    codes: i32,
    last: i32,
    diff_stage: Nlms,
    stages: Stages,
    /// The difference stage's last prediction, kept for its update.
    p_diff: i32,
    level: Level,
}

/// Which stages of the cascade contribute to the prediction. A coded stream
/// has the difference filter on, and the level term in max version 5 only;
/// turning the filter off is for measuring what it saves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stages {
    pub difference_nlms: bool,
    /// The level term (max version 5): the last code's distance from a
    /// running mean, with a normalised weight of its own in `[-1, 0]`, so
    /// the difference filter's prediction can reach a white signal's mean.
    pub level: bool,
}

impl Stages {
    /// The stages of profiles 2 to 4.
    pub const WITHOUT_LEVEL: Stages = Stages { difference_nlms: true, level: false };
    /// Max version 5's.
    pub const WITH_LEVEL: Stages = Stages { difference_nlms: true, level: true };
}

// The level term (max version 5, fast version 6; each in its own
// arithmetic, with these constants): a filter on code differences cannot
// say where the signal's level is; on white noise (a probe's high-passed
// band, generated noise) the best prediction is the running mean, which
// difference taps reach only through a weight vector the normalised step
// never converges to (the differences of white noise have no power near
// DC). One more input, the last code's distance from a running mean, with
// a weight of its own in `[-1, 0]`, fixes that. Units: Q4 codes.
/// Fraction bits the running mean keeps beyond Q4 (Q12 codes), and its
/// rate: `mean += (x - mean) / 2^LEVEL_MEAN_SHIFT`.
pub(crate) const LEVEL_MEAN_SHIFT: u32 = 8;
/// Rate of the level input's power: `power += (lv^2 - power) / 2^6`.
pub(crate) const LEVEL_POWER_SHIFT: u32 = 6;
/// The level weight's normaliser floor (one code squared, Q8) and step:
/// `w += 2^-8 * err * lv / (power + 1 code^2)`, in Q16 `2^8 * err * lv / norm`.
pub(crate) const LEVEL_NORM_FLOOR: i64 = 1 << (2 * FRAC_BITS);
pub(crate) const LEVEL_STEP_BITS: u32 = 8;
/// The level weight's range, Q16: `[-1, 0]`.
pub(crate) const LEVEL_WEIGHT_MIN: i64 = -(1 << W_BITS);

/// State of the level term.
#[derive(Clone, Debug, Default)]
struct Level {
    /// Running mean of the codes, Q12.
    mean: i64,
    /// The current sample's input `last - mean`, Q4.
    input: i64,
    /// Weight, Q16, in `[-2^16, 0]`.
    weight: i64,
    /// Running mean of `input^2`, Q8.
    power: i64,
}

impl Cascade {
    pub fn new(codes: u32) -> Self {
        Self::with_stages(codes, Stages::WITHOUT_LEVEL)
    }

    pub fn with_stages(codes: u32, stages: Stages) -> Self {
        Self::with_weights(codes, stages, [0; TAPS], 7)
    }

    /// The difference filter's current weights (Q16, newest tap first).
    pub fn weights(&self) -> [i32; TAPS] {
        self.diff_stage.weights()
    }

    /// A cascade whose difference filter starts from `weights` (Q16) and
    /// steps by `2^-mu_shift`.
    pub fn with_weights(codes: u32, stages: Stages, weights: [i32; TAPS], mu_shift: u32) -> Self {
        Self {
            stages,
            codes: codes as i32,
            last: (codes / 2) as i32 * ONE,
            // Differences of at most 1024 codes are below 2^14 (Q4).
            diff_stage: Nlms::with_weights(mu_shift, weights, codes <= 1 << 10),
            p_diff: 0,
            level: Level { mean: i64::from((codes / 2) as i32 * ONE) << LEVEL_MEAN_SHIFT, ..Level::default() },
        }
    }

    /// Predicts the next code, Q4, within `[0, codes - 1]`.
    #[inline]
    pub fn predict(&mut self) -> i32 {
        self.p_diff = if self.stages.difference_nlms { self.diff_stage.predict() } else { 0 };
        if self.stages.level {
            // Codes below 2^16: |input| < 2^20, the term within +-2^20.
            let l = &mut self.level;
            l.input = ((i64::from(self.last) << LEVEL_MEAN_SHIFT) - l.mean) >> LEVEL_MEAN_SHIFT;
            self.p_diff += ((l.weight * l.input) >> W_BITS) as i32;
        }
        let p = self.last + self.p_diff;
        p.clamp(0, (self.codes - 1) * ONE)
    }

    /// Learns from the actual code after [`Cascade::predict`].
    #[inline]
    pub fn update(&mut self, code: u32) {
        let x = code as i32 * ONE;
        let diff = x - self.last;
        let err = diff - self.p_diff;
        self.diff_stage.update(err, diff);
        self.last = x;
        if self.stages.level {
            // |err| < 2^21 and |input| < 2^20: `err * input << 8` < 2^49.
            let l = &mut self.level;
            l.power += (l.input * l.input - l.power) >> LEVEL_POWER_SHIFT;
            let step = ((i64::from(err) * l.input) << LEVEL_STEP_BITS) / (l.power + LEVEL_NORM_FLOOR);
            l.weight = (l.weight + step).clamp(LEVEL_WEIGHT_MIN, 0);
            l.mean += ((i64::from(x) << LEVEL_MEAN_SHIFT) - l.mean) >> LEVEL_MEAN_SHIFT;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A deterministic stream of Q4 code differences of a 10-bit lattice:
    /// a random walk with bursts of large jumps (the gain beyond the narrow
    /// step's bound) and stretches at a rail.
    fn differences(seed: u64, n: usize) -> impl Iterator<Item = i32> {
        let mut x = seed | 1;
        let mut code = 512i32;
        (0..n).map(move |i| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let next = match (i / 500) % 4 {
                // Quiet, then a jump across the lattice.
                0 if i % 500 == 499 => if code < 512 { 1023 } else { 0 },
                0 => code + (x % 3) as i32 - 1,
                1 => code + (x % 41) as i32 - 20,
                2 => (x % 1024) as i32,
                _ => code,
            }
            .clamp(0, 1023);
            let diff = (next - code) * ONE;
            code = next;
            diff
        })
    }

    /// Runs the narrow and the reference filter side by side: every
    /// prediction and every weight must agree.
    fn agree(weights: [i32; TAPS], seed: u64) -> (usize, usize) {
        let mut fast = Nlms::with_weights(9, weights, true);
        assert!(fast.narrow);
        let mut reference = fast.clone().reference();
        let (mut narrow_steps, mut clamps) = (0, 0);
        for diff in differences(seed, 40_000) {
            let (p, q) = (fast.predict(), reference.predict());
            assert_eq!(p, q);
            narrow_steps += usize::from(fast.gain(diff - p).unsigned_abs() < 1 << NARROW_GAIN_BITS);
            fast.update(diff - p, diff);
            reference.update(diff - q, diff);
            clamps += fast.weights.iter().filter(|w| w.unsigned_abs() == W_LIMIT as u32).count();
            assert_eq!(fast.weights, reference.weights);
        }
        (narrow_steps, clamps)
    }

    #[test]
    fn narrow_paths_match_the_reference() {
        let (steps, _) = agree(crate::max::priors::INITIAL_WEIGHTS, 7);
        // Both paths ran: most steps narrow, the jumps not.
        assert!(steps > 30_000 && steps < 40_000, "{steps} narrow steps");
    }

    #[test]
    fn narrow_paths_clamp_as_the_reference() {
        let at_limit = core::array::from_fn(|k| if k % 2 == 0 { W_LIMIT - 3 } else { -W_LIMIT + 3 });
        let (_, clamps) = agree(at_limit, 11);
        assert!(clamps > 0, "no weight reached the clamp");
    }

    #[test]
    fn narrow_needs_max_step_and_narrow_inputs() {
        assert!(Nlms::with_weights(9, [0; TAPS], true).narrow);
        assert!(!Nlms::with_weights(7, [0; TAPS], true).narrow);
        assert!(!Nlms::with_weights(9, [0; TAPS], false).narrow);
        assert!(Cascade::with_weights(1024, Stages::WITH_LEVEL, [0; TAPS], 9).diff_stage.narrow);
        assert!(!Cascade::with_weights(1025, Stages::WITH_LEVEL, [0; TAPS], 9).diff_stage.narrow);
    }
}
