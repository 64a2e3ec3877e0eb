//! Priors of the `max` profile, written to `brainwire-core/src/max/priors.rs`:
//! the ADC code widths (learned under the profile's own analog-interval
//! model) and the normal-CDF table the model looks up.
//!
//! The widths are fitted by a fixed-point iteration that makes the expected
//! count of every code (summed model probabilities over the training samples)
//! equal its observed count: `w[c] *= (observed[c] + a) / (expected[c] + a)`.
//! Widths from neighbourhood-smoothed histograms are biased where the signal's
//! own distribution curves; fitting under the coding model is not.

use crate::corpus;
use crate::packed::smallest_differences;
use brainwire_core::max::{predictor, TAPS};
use brainwire_core::AdcLattice;
use std::fmt::Write as _;
use std::path::Path;

/// Where the generated priors go, relative to the workspace root.
pub const OUTPUT: &str = "crates/brainwire-core/src/max/priors.rs";

/// Every `STRIDE`-th training recording is used (time; the widths converge
/// long before the data runs out).
const STRIDE: usize = 2;
/// Fitting rounds, and the damping exponent of each round's correction (the
/// edges are cumulative widths, so undamped corrections overshoot).
const ROUNDS: usize = 6;
const DAMPING: f64 = 0.6;
/// Pseudo-count pulling rarely seen codes towards their current width.
const SHRINK: f64 = 20.0;
/// CDF table resolution and reach: steps per standard deviation, sigmas.
const PHI_STEPS: usize = 64;
const PHI_SIGMAS: usize = 8;

pub fn run(dir: &Path, out: &Path) -> Result<(), String> {
    let lattice = AdcLattice::Neuralink10;
    let recordings: Vec<_> = corpus::ten_bit_training_recordings(dir, STRIDE, "train max")?.iter().map(|s| codes(s, lattice)).collect();
    let weights = initial_weights(&recordings);
    eprintln!("train max: initial filter weights {weights:?}");
    let phi = Phi::new();
    let mut widths = vec![1.0f64; 1024];
    // The rounds are not guaranteed to improve: keep the best widths seen.
    let (mut best, mut best_bits) = (widths.clone(), f64::INFINITY);
    for round in 0..=ROUNDS {
        let (obs, exp, bits) = expected_counts(&recordings, &widths, &weights, &phi);
        eprintln!("train max: round {round}: {bits:.4} bits/sample");
        if bits < best_bits {
            (best, best_bits) = (widths.clone(), bits);
        }
        if round == ROUNDS {
            break;
        }
        for c in 0..1024 {
            let ratio = (obs[c] + SHRINK) / (exp[c] + SHRINK);
            widths[c] = (widths[c] * ratio.powf(DAMPING)).clamp(1.0 / 64.0, 255.0 / 64.0);
        }
        let mean = widths[300..724].iter().sum::<f64>() / 424.0;
        widths
            .iter_mut()
            .for_each(|w| *w = (*w / mean).clamp(1.0 / 64.0, 255.0 / 64.0));
    }
    let q6: Vec<u8> = best
        .iter()
        .map(|w| (w * 64.0).round().clamp(1.0, 255.0) as u8)
        .collect();
    let samples: usize = recordings.iter().map(Vec::len).sum();
    let src = render(&q6, &phi.table_q31(), &weights, recordings.len(), samples);
    std::fs::write(out, src).map_err(|e| format!("{}: {e}", out.display()))?;
    eprintln!(
        "train max: wrote {} from {} recordings ({samples} samples)",
        out.display(),
        recordings.len()
    );
    Ok(())
}

/// Starting weights of the predictor's filter: its mean weights over the
/// second half of every training recording (adapted from zero), so a new
/// recording starts from a typical filter instead of learning it from scratch.
fn initial_weights(recordings: &[Vec<u32>]) -> [i32; TAPS] {
    let (mut sum, mut n) = ([0f64; TAPS], 0f64);
    for rec in recordings {
        let mut pred = predictor(1024, [0; TAPS]);
        for (k, &code) in rec.iter().enumerate() {
            pred.predict();
            pred.update(code);
            if k >= rec.len() / 2 && k % 64 == 0 {
                for (a, w) in sum.iter_mut().zip(pred.weights()) {
                    *a += f64::from(w);
                }
                n += 1.0;
            }
        }
    }
    sum.map(|a| (a / n.max(1.0)).round() as i32)
}

/// Codes of a recording, off-lattice samples mapped to their nearest code.
fn codes(samples: &[i16], lattice: AdcLattice) -> Vec<u32> {
    samples
        .iter()
        .map(|&v| lattice.code(v).unwrap_or_else(|| lattice.nearest_code(v)))
        .collect()
}

/// The standard normal CDF by fine numerical integration (monotone by
/// construction), with linear interpolation.
pub(crate) struct Phi {
    step: f64,
    cdf: Vec<f64>,
}

impl Phi {
    pub(crate) fn new() -> Self {
        let per_sigma = 4096;
        let n = PHI_SIGMAS * per_sigma;
        let h = 1.0 / per_sigma as f64;
        let pdf = |z: f64| (-0.5 * z * z).exp() / (2.0 * std::f64::consts::PI).sqrt();
        let mut cdf = vec![0.5; n + 1];
        for i in 0..n {
            let (a, b) = (i as f64 * h, (i + 1) as f64 * h);
            // Simpson's rule on each step.
            cdf[i + 1] = cdf[i] + h / 6.0 * (pdf(a) + 4.0 * pdf(0.5 * (a + b)) + pdf(b));
        }
        Self { step: h, cdf }
    }

    pub(crate) fn at(&self, z: f64) -> f64 {
        let a = z.abs() / self.step;
        let i = a.floor() as usize;
        let v = if i + 1 >= self.cdf.len() {
            1.0
        } else {
            self.cdf[i] + (self.cdf[i + 1] - self.cdf[i]) * (a - i as f64)
        };
        if z >= 0.0 {
            v
        } else {
            1.0 - v
        }
    }

    /// `Phi(k / PHI_STEPS)` for `k = 0..=PHI_SIGMAS * PHI_STEPS`, Q31.
    fn table_q31(&self) -> Vec<u32> {
        let mut t: Vec<u32> = (0..=PHI_SIGMAS * PHI_STEPS)
            .map(|k| {
                (self.at(k as f64 / PHI_STEPS as f64) * 2f64.powi(31))
                    .round()
                    .min(2f64.powi(31)) as u32
            })
            .collect();
        // Non-decreasing whatever the rounding did.
        for k in 1..t.len() {
            t[k] = t[k].max(t[k - 1]);
        }
        t
    }
}

/// One pass of the model (in floating point; the same structure as the
/// core's integer model) over the recordings: observed and expected count of
/// every code, and the ideal code length per sample.
fn expected_counts(
    recordings: &[Vec<u32>],
    widths: &[f64],
    weights: &[i32; TAPS],
    phi: &Phi,
) -> (Vec<f64>, Vec<f64>, f64) {
    let mut edges = vec![0.0f64; 1025];
    for c in 0..1024 {
        edges[c + 1] = edges[c] + widths[c];
    }
    let mid = |c: usize| edges[c] + 0.5 * widths[c];
    let (mut obs, mut exp) = (vec![0.0; 1024], vec![0.0; 1024]);
    let (mut bits, mut n) = (0.0, 0usize);
    let mut p = vec![0.0f64; 1024];
    for rec in recordings {
        let mut pred = predictor(1024, *weights);
        let (mut vf, mut vs) = (25.0f64, 25.0f64);
        for (seen, &code) in rec.iter().enumerate() {
            let mu = pred.predict();
            let i = (mu >> 4) as usize;
            let f = f64::from(mu & 15) / 16.0;
            let m = mid(i)
                + if i < 1023 {
                    (mid(i + 1) - mid(i)) * f
                } else {
                    0.0
                };
            let s = (0.25 * vf + 0.75 * vs).sqrt().max(0.25);
            let half = (6.0 * s) as usize + 2;
            let (lo, hi) = (i.saturating_sub(half), (i + half).min(1023));
            let cdf = |c: usize| {
                if c == 0 {
                    0.0
                } else if c >= 1024 {
                    1.0
                } else {
                    phi.at((edges[c] - m) / s)
                }
            };
            let mut total = 0.0;
            let mut prev = cdf(lo);
            for (c, pc) in p.iter_mut().enumerate().take(hi + 1).skip(lo) {
                let next = cdf(c + 1);
                *pc = next - prev + 1e-6;
                total += *pc;
                prev = next;
            }
            let c = code as usize;
            if (lo..=hi).contains(&c) {
                for (e, pk) in exp[lo..=hi].iter_mut().zip(&p[lo..=hi]) {
                    *e += pk / total;
                }
                obs[c] += 1.0;
                bits -= (p[c] / total).log2();
                n += 1;
            }
            let e = mid(c) - m;
            vf += (e * e - vf) / 16.0;
            vs += (e * e - vs) / ((seen + 2) as f64).min(1024.0);
            pred.update(code);
        }
    }
    (obs, exp, bits / n.max(1) as f64)
}

fn render(
    widths: &[u8],
    phi: &[u32],
    weights: &[i32; TAPS],
    files: usize,
    samples: usize,
) -> String {
    let mut s = String::new();
    writeln!(
        s,
        "//! Priors of the `max` profile. GENERATED by `train max` (crates/brainwire-train)"
    )
    .unwrap();
    writeln!(
        s,
        "//! from {files} training recordings ({samples} samples); do not edit by hand."
    )
    .unwrap();
    writeln!(
        s,
        "//! Regenerate: `cargo run --release -p brainwire-train --bin train -- max DATA_DIR`.\n"
    )
    .unwrap();
    writeln!(
        s,
        "/// Width of each 10-bit ADC code in its analog range, Q6 (64 = average), in `1..=255`."
    )
    .unwrap();
    writeln!(s, "#[rustfmt::skip]\npub static WIDTHS_Q6: [u8; 1024] = [").unwrap();
    s.push_str(&crate::render::rows(widths, 32));
    writeln!(s, "];\n").unwrap();
    writeln!(s, "/// Steps of `PHI_Q31` per standard deviation.").unwrap();
    writeln!(s, "pub const PHI_STEPS_PER_SIGMA: u32 = {PHI_STEPS};\n").unwrap();
    let (order, coded) = smallest_differences(phi);
    writeln!(
        s,
        "/// `PHI_Q31`: the standard normal CDF at `k / PHI_STEPS_PER_SIGMA`, Q31,"
    )
    .unwrap();
    writeln!(
        s,
        "/// non-decreasing, `PHI_Q31_LEN` values stored as their `PHI_Q31_ORDER`-th"
    )
    .unwrap();
    writeln!(
        s,
        "/// differences: `crate::packed::Differences`, `super::model` rebuilds it."
    )
    .unwrap();
    writeln!(s, "pub const PHI_Q31_LEN: usize = {};", phi.len()).unwrap();
    writeln!(s, "pub const PHI_Q31_ORDER: usize = {order};").unwrap();
    writeln!(
        s,
        "#[rustfmt::skip]\npub static PHI_Q31_CODED: [u8; {}] = [",
        coded.len()
    )
    .unwrap();
    s.push_str(&crate::render::rows(&coded, 32));
    writeln!(s, "];\n").unwrap();
    writeln!(
        s,
        "/// Starting weights of the predictor's difference filter, Q16, newest tap first."
    )
    .unwrap();
    let items: Vec<String> = weights.iter().map(|w| w.to_string()).collect();
    writeln!(
        s,
        "#[rustfmt::skip]\npub static INITIAL_WEIGHTS: [i32; {TAPS}] = [{}];",
        items.join(", ")
    )
    .unwrap();
    s
}
