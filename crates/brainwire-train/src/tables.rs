//! `train tables`: the priors of the `tables` profile, the ADC code-width
//! table and the initial residual-shape tables, written to `brainwire-core/src/tables/priors.bin`.

use crate::corpus;
use crate::packed::smallest_differences;
use brainwire_core::tables::residual::{CONTEXTS, SYMBOLS};
use brainwire_core::tables::Encoder;
use brainwire_core::ByteCounter;
use brainwire_core::AdcLattice;
use std::path::Path;

/// Where the generated priors go, relative to the workspace root.
pub const OUTPUT: &str = "crates/brainwire-core/src/tables/priors.bin";

/// Half-width of the window whose average count stands for a code's
/// neighbourhood: wide enough to average out the irregular widths, narrow
/// enough that the signal's own distribution is locally flat.
const WINDOW: i64 = 6;
/// Widths are stored in Q5 and capped so frequency totals stay in range.
const WIDTH_ONE: f64 = 32.0;
const WIDTH_MAX: f64 = 80.0;
/// Sum of each initial shape table: how many samples' worth of confidence
/// the prior carries before a recording's own statistics take over.
const SHAPE_MASS: f64 = 3000.0;

pub fn run(dir: &Path, out: &Path) -> Result<(), String> {
    let recordings = corpus::ten_bit_training_recordings(dir, 1, "train")?;
    let lattice = AdcLattice::Neuralink10;
    let widths = code_widths(&recordings, lattice);
    let shapes = residual_shapes(&recordings, lattice, &widths);
    let samples: usize = recordings.iter().map(Vec::len).sum();
    let src = render(&widths, &shapes);
    std::fs::write(out, src).map_err(|e| format!("{}: {e}", out.display()))?;
    eprintln!("train: wrote {} from {} recordings ({} samples)", out.display(), recordings.len(), samples);
    Ok(())
}

/// Each code's frequency relative to its neighbourhood: the ADC's relative
/// code width, Q5.
fn code_widths(recordings: &[Vec<i16>], lattice: AdcLattice) -> Vec<u8> {
    let n = lattice.len() as usize;
    let mut counts = vec![0f64; n];
    for r in recordings {
        for &v in r {
            if let Some(c) = lattice.code(v) {
                counts[c as usize] += 1.0;
            }
        }
    }
    (0..n as i64)
        .map(|c| {
            // Triangular window, excluding the code itself so one odd code
            // does not dilute its own estimate.
            let (mut sum, mut weight) = (0.0, 0.0);
            for d in -WINDOW..=WINDOW {
                let k = c + d;
                if d != 0 && (0..n as i64).contains(&k) {
                    let w = (WINDOW + 1 - d.abs()) as f64;
                    sum += w * counts[k as usize];
                    weight += w;
                }
            }
            let local = sum / weight;
            // Too little evidence: assume an average code.
            let ratio = if local < 50.0 { 1.0 } else { counts[c as usize] / local };
            (ratio * WIDTH_ONE).round().clamp(1.0, WIDTH_MAX) as u8
        })
        .collect()
}

/// Per context, the frequency of each residual symbol with the width of its
/// code divided out (the residual model multiplies it back in).
fn residual_shapes(recordings: &[Vec<i16>], lattice: AdcLattice, widths: &[u8]) -> Vec<[u16; SYMBOLS]> {
    let mut hist = vec![[0f64; SYMBOLS]; CONTEXTS];
    for r in recordings {
        let mut enc = Encoder::new(lattice);
        let mut sink = ByteCounter::default();
        for &v in r {
            let coded = enc.push(v, &mut sink);
            let w = match (coded.shift, lattice.code(v)) {
                (0, Some(c)) if coded.symbol != SYMBOLS - 1 => f64::from(widths[c as usize]) / WIDTH_ONE,
                _ => 1.0,
            };
            hist[coded.table][coded.symbol] += 1.0 / w;
        }
    }
    hist.iter()
        .map(|h| {
            let total: f64 = h.iter().sum();
            let mut t = [1u16; SYMBOLS];
            if total > 0.0 {
                // Laplace-smoothed so every symbol stays codable.
                for (f, &c) in t.iter_mut().zip(h.iter()) {
                    *f = (1.0 + (c / total) * SHAPE_MASS).round() as u16;
                }
            }
            t
        })
        .collect()
}

/// `tables/priors.bin` (the layout `brainwire_core::tables::priors` reads):
/// the widths, the shapes' length and difference order as `u16` and byte,
/// then their packed differences.
fn render(widths: &[u8], shapes: &[[u16; SYMBOLS]]) -> Vec<u8> {
    let flat: Vec<u32> = shapes.iter().flatten().map(|&f| u32::from(f)).collect();
    let (order, coded) = smallest_differences(&flat);
    let mut b = widths.to_vec();
    b.extend(u16::try_from(flat.len()).unwrap().to_le_bytes());
    b.push(u8::try_from(order).unwrap());
    b.extend(coded);
    b
}

#[cfg(test)]
mod tests {
    use super::SYMBOLS;
    use brainwire_core::packed::Differences;
    use brainwire_core::tables::priors as p;

    /// Rendering the committed priors again gives `tables/priors.bin` byte for byte.
    #[test]
    fn the_committed_priors_render_unchanged() {
        let mut d = Differences::<{ p::INITIAL_SHAPES_ORDER }>::new(&p::INITIAL_SHAPES_CODED);
        let flat: Vec<u16> = (0..p::INITIAL_SHAPES_LEN).map(|_| d.next_value() as u16).collect();
        let shapes: Vec<[u16; SYMBOLS]> = flat.chunks(SYMBOLS).map(|c| c.try_into().unwrap()).collect();
        let file = super::render(&p::CODE_WIDTHS_Q5, &shapes);
        assert_eq!(file, include_bytes!("../../brainwire-core/src/tables/priors.bin"));
    }
}
