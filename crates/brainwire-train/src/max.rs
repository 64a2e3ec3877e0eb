//! Priors of the `max` profile, written to `brainwire-core/src/max/priors.bin`:
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
use std::path::Path;

/// Where the generated priors go, relative to the workspace root.
pub const OUTPUT: &str = "crates/brainwire-core/src/max/priors.bin";

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
    std::fs::write(out, render(&q6, &phi.table_q31(), &weights)).map_err(|e| format!("{}: {e}", out.display()))?;
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

/// The priors file of a Gaussian profile (`max`, `fast`) in the layout of
/// `brainwire_core::max::priors::layout`: code widths, filter weights, the
/// CDF table's resolution, length and order, then its packed differences.
pub fn priors_file(widths: &[u8; 1024], weights: &[i32; TAPS], phi_steps: u32, phi_len: usize, phi_order: usize, phi_coded: &[u8]) -> Vec<u8> {
    let mut b = widths.to_vec();
    b.extend(weights.iter().flat_map(|w| w.to_le_bytes()));
    b.extend(u16::try_from(phi_steps).unwrap().to_le_bytes());
    b.extend(u16::try_from(phi_len).unwrap().to_le_bytes());
    b.push(u8::try_from(phi_order).unwrap());
    b.extend_from_slice(phi_coded);
    b
}

/// `max/priors.bin` from the learned widths, the CDF table and the weights.
fn render(widths: &[u8], phi: &[u32], weights: &[i32; TAPS]) -> Vec<u8> {
    let (order, coded) = smallest_differences(phi);
    priors_file(widths.try_into().unwrap(), weights, PHI_STEPS as u32, phi.len(), order, &coded)
}

#[cfg(test)]
mod tests {
    use brainwire_core::max::priors as p;
    use brainwire_core::packed::Differences;

    /// Rendering the committed priors again gives `max/priors.bin` byte for byte.
    #[test]
    fn the_committed_priors_render_unchanged() {
        let mut d = Differences::<{ p::PHI_Q31_ORDER }>::new(&p::PHI_Q31_CODED);
        let phi: Vec<u32> = (0..p::PHI_Q31_LEN).map(|_| d.next_value()).collect();
        assert_eq!(super::PHI_STEPS as u32, p::PHI_STEPS_PER_SIGMA);
        let file = super::render(&p::WIDTHS_Q6, &phi, &p::INITIAL_WEIGHTS);
        assert_eq!(file, include_bytes!("../../brainwire-core/src/max/priors.bin"));
    }
}
