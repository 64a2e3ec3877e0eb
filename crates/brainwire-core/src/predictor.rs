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

/// Fraction bits of NLMS weights.
const W_BITS: u32 = 16;
const W_LIMIT: i32 = 1 << 24;

/// Normalised least-mean-squares filter with `N` taps over a Q4 signal.
///
/// The step size is `2^-mu_shift`; normalising by the input power makes the
/// filter converge at the same speed whatever the signal's amplitude.
#[derive(Clone, Debug)]
pub struct Nlms<const N: usize> {
    weights: [i32; N],
    /// The history twice over, so the newest-first window is always the
    /// contiguous `N` values from `pos`, and a new input moves nothing.
    ring: [[i32; N]; 2],
    pos: usize,
    power: i64,
    mu_shift: u32,
}

impl<const N: usize> Nlms<N> {
    pub const fn new(mu_shift: u32) -> Self {
        Self::with_weights(mu_shift, [0; N])
    }

    /// A filter starting from `weights` (Q16, newest tap first) instead of zero.
    pub const fn with_weights(mu_shift: u32, weights: [i32; N]) -> Self {
        Self { weights, ring: [[0; N]; 2], pos: 0, power: 0, mu_shift }
    }

    /// The filter's current weights (Q16, newest tap first).
    pub fn weights(&self) -> [i32; N] {
        self.weights
    }

    /// The inputs, newest first.
    #[inline]
    fn history(&self) -> &[i32] {
        &self.ring.as_flattened()[self.pos..self.pos + N]
    }

    /// The filter's prediction of the next input, Q4.
    #[inline]
    pub fn predict(&self) -> i32 {
        let mut acc: i64 = 0;
        for (w, h) in self.weights.iter().zip(self.history()) {
            acc += i64::from(*w) * i64::from(*h);
        }
        // Clamped so a diverging filter cannot overflow the cascade's sums.
        (acc >> W_BITS).clamp(-i64::from(W_LIMIT), i64::from(W_LIMIT)) as i32
    }

    /// Adapts to the prediction error `err` (Q4) of the last prediction and
    /// shifts `input` (Q4) into the history.
    #[inline]
    pub fn update(&mut self, err: i32, input: i32) {
        // Power plus a floor so silence does not blow up the step.
        let norm = self.power + i64::from(N as u32) * i64::from(ONE * ONE) + 1;
        let gain = (i64::from(err) << (W_BITS + 8)) / norm;
        let shift = 8 + self.mu_shift;
        let history = &self.ring.as_flattened()[self.pos..self.pos + N];
        for (w, h) in self.weights.iter_mut().zip(history) {
            // Rounded, not floored: a floor's -1/2 bias per update would
            // drag every weight down over a recording.
            let step = (gain * i64::from(*h) + (1 << (shift - 1))) >> shift;
            *w = (i64::from(*w) + step).clamp(-i64::from(W_LIMIT), i64::from(W_LIMIT)) as i32;
        }
        let oldest = i64::from(history[N - 1]);
        self.power += i64::from(input) * i64::from(input) - oldest * oldest;
        // Newest first: step the window back one slot and write both copies.
        self.pos = if self.pos == 0 { N - 1 } else { self.pos - 1 };
        self.ring[0][self.pos] = input;
        self.ring[1][self.pos] = input;
    }
}

/// The prediction cascade of the range-coded profiles.
#[derive(Clone, Debug)]
pub struct Cascade {
    /// Code range: predictions are clamped to `[0, codes)`.
    codes: i32,
    last: i32,
    diff_stage: Nlms<TAPS>,
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
            diff_stage: Nlms::with_weights(mu_shift, weights),
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
