//! Priors of the `fast` profile, written to `brainwire-core/src/fast/priors.bin`:
//! the starting weights of its filter, learned here, and the ADC code widths
//! and normal-CDF table of `max` (learned by `train max` under the same
//! Gaussian interval model), copied so that `fast` streams keep decoding
//! whatever `max`'s priors become.

use crate::corpus;
use brainwire_core::fast::{Model, TAPS};
use brainwire_core::max::priors::{PHI_Q31_CODED, PHI_Q31_LEN, PHI_Q31_ORDER, PHI_STEPS_PER_SIGMA, WIDTHS_Q6};
use brainwire_core::AdcLattice;
use std::path::Path;

/// Where the generated priors go, relative to the workspace root.
pub const OUTPUT: &str = "crates/brainwire-core/src/fast/priors.bin";

/// Every `STRIDE`-th training recording is used (as `train max`).
const STRIDE: usize = 2;

pub fn run(dir: &Path, out: &Path) -> Result<(), String> {
    let lattice = AdcLattice::Neuralink10;
    let recordings = corpus::ten_bit_training_recordings(dir, STRIDE, "train fast")?;
    let weights = initial_weights(&recordings, lattice);
    eprintln!("train fast: initial filter weights {weights:?}");
    let samples: usize = recordings.iter().map(Vec::len).sum();
    std::fs::write(out, render(&weights)).map_err(|e| format!("{}: {e}", out.display()))?;
    eprintln!("train fast: wrote {} from {} recordings ({samples} samples)", out.display(), recordings.len());
    Ok(())
}

/// Starting weights of the filter: its mean weights over the second half of
/// every training recording (adapted from zero, in the profile's own
/// arithmetic), so a recording starts from a typical filter.
fn initial_weights(recordings: &[Vec<i16>], lattice: AdcLattice) -> [i32; TAPS] {
    let (mut sum, mut n) = ([0f64; TAPS], 0f64);
    for rec in recordings {
        let mut model = Model::<false>::with_weights(lattice, [0; TAPS]);
        for (k, &v) in rec.iter().enumerate() {
            model.window();
            model.learn(lattice.code(v).unwrap_or_else(|| lattice.nearest_code(v)));
            if k >= rec.len() / 2 && k % 64 == 0 {
                for (a, w) in sum.iter_mut().zip(model.weights()) {
                    *a += f64::from(w);
                }
                n += 1.0;
            }
        }
    }
    sum.map(|a| (a / n.max(1.0)).round() as i32)
}

/// `fast/priors.bin`: the learned weights with `max`'s widths and CDF table.
fn render(weights: &[i32; TAPS]) -> Vec<u8> {
    crate::max::priors_file(&WIDTHS_Q6, weights, PHI_STEPS_PER_SIGMA, PHI_Q31_LEN, PHI_Q31_ORDER, &PHI_Q31_CODED)
}

#[cfg(test)]
mod tests {
    /// Rendering the committed weights again gives `fast/priors.bin` byte for
    /// byte (so its widths and CDF table are `max`'s, as committed).
    #[test]
    fn the_committed_priors_render_unchanged() {
        let file = super::render(&brainwire_core::fast::priors::INITIAL_WEIGHTS);
        assert_eq!(file, include_bytes!("../../brainwire-core/src/fast/priors.bin"));
    }
}
