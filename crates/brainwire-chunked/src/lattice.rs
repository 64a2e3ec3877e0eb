//! Per-channel ADC lattice detection: which affine map `x = offset + step * c`
//! turns a channel's samples into small integer codes `c`, or whether they
//! are the Neuralink 10-bit lattice the core knows.
//!
//! Invariant: detection only chooses a map; every sample is coded exactly
//! whatever the map, off-lattice samples through the escape list.

use brainwire_core::AdcLattice;

/// Samples per block of the step estimate: each block's gcd votes, so a few
/// off-lattice samples (glitches, a sync pulse) outvote nothing.
const STEP_BLOCK_SAMPLES: usize = 256;

/// Escapes beyond this share of a chunk's samples make a map not worth it
/// (an escape costs ~3 bytes, a sample ~0.6).
pub const MAX_ESCAPE_SHARE_DIV: usize = 32;

/// How the channel's samples of one chunk map onto core codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChannelLattice {
    /// `c = (x - offset) / step`, coded as a 16-bit value on the core's
    /// identity lattice; samples off the map (not `offset` plus a multiple
    /// of `step`, or a code outside `i16`) are escaped.
    Affine { step: u32, offset: i64 },
    /// 16-bit samples coded as they are on the core's 10-bit Neuralink
    /// lattice (the core escapes off-lattice values itself).
    Neuralink10,
}

/// The code of `x` under `step`/`offset`, or `None` when `x` is off the map
/// or its code does not fit `i16`.
#[inline]
pub fn affine_code(x: i64, step: u32, offset: i64) -> Option<i16> {
    let d = x - offset;
    let s = i64::from(step);
    if d % s != 0 {
        return None;
    }
    i16::try_from(d / s).ok()
}

/// The code an escaped sample leaves in the core stream: the nearest code,
/// clamped to `i16`, so that the predictor continues from about the right
/// place.
#[inline]
pub fn placeholder_code(x: i64, step: u32, offset: i64) -> i16 {
    let s = i64::from(step);
    let c = (x - offset + s / 2).div_euclid(s);
    c.clamp(i16::MIN.into(), i16::MAX.into()) as i16
}

fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// The step and residue most blocks of `xs` agree on: each block of
/// [`STEP_BLOCK_SAMPLES`] votes for the gcd of its samples' distances to its
/// first one (and that first one's residue). `None` if no block varies.
pub fn detect_step(xs: &[i32]) -> Option<(u32, i64)> {
    let mut votes: Vec<((u64, i64), u32)> = Vec::new();
    for block in xs.chunks(STEP_BLOCK_SAMPLES) {
        let first = i64::from(block[0]);
        let mut g = 0u64;
        for &x in &block[1..] {
            g = gcd(g, (i64::from(x) - first).unsigned_abs());
            if g == 1 {
                break;
            }
        }
        if g == 0 || g > u64::from(u32::MAX) {
            continue;
        }
        let key = (g, first.rem_euclid(g as i64));
        match votes.iter_mut().find(|(k, _)| *k == key) {
            Some((_, n)) => *n += 1,
            None => votes.push((key, 1)),
        }
    }
    // Ties go to the smaller step (a finer map is never wrong, only dearer).
    votes
        .into_iter()
        .max_by(|(a, na), (b, nb)| na.cmp(nb).then(b.0.cmp(&a.0)))
        .map(|((g, r), _)| (g as u32, r))
}

/// The offset for `step` and `residue` that puts the codes of `xs` inside
/// `i16`: the residue itself when they fit, else centred on their range.
pub fn centred_offset(xs: &[i32], step: u32, residue: i64) -> i64 {
    let s = i64::from(step);
    let (lo, hi) = xs.iter().fold((i64::MAX, i64::MIN), |(lo, hi), &x| (lo.min(x.into()), hi.max(x.into())));
    let (clo, chi) = ((lo - residue).div_euclid(s), (hi - residue).div_euclid(s));
    if clo >= i16::MIN.into() && chi <= i16::MAX.into() {
        residue
    } else {
        residue + s * ((clo + chi) / 2)
    }
}

/// Number of samples of `xs` off the affine map.
pub fn affine_escapes(xs: &[i32], step: u32, offset: i64) -> usize {
    xs.iter().filter(|&&x| affine_code(x.into(), step, offset).is_none()).count()
}

/// Whether 16-bit samples are (nearly all) on the Neuralink 10-bit lattice,
/// by the core's own rule.
pub fn is_neuralink10(xs: &[i32]) -> bool {
    let off = xs
        .iter()
        .filter(|&&x| i16::try_from(x).map_or(true, |v| AdcLattice::Neuralink10.code(v).is_none()))
        .count();
    AdcLattice::choose(off, xs.len()) == AdcLattice::Neuralink10
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_are_found_despite_glitches() {
        let xs: Vec<i32> = (0..5000).map(|i| 12 * ((i * 7919) % 200 - 100) + 5 + if i == 77 { 1 } else { 0 }).collect();
        let (step, r) = detect_step(&xs).unwrap();
        assert_eq!((step, r), (12, 5));
        assert_eq!(affine_escapes(&xs, step, centred_offset(&xs, step, r)), 1);
    }

    #[test]
    fn wide_codes_are_centred() {
        let xs: Vec<i32> = (0..1000).map(|i| 3 * (i * 50) + 1_000_000).collect();
        let (step, r) = detect_step(&xs).unwrap();
        assert_eq!(step, 150);
        let off = centred_offset(&xs, step, r);
        assert_eq!(affine_escapes(&xs, step, off), 0);
        assert_eq!(placeholder_code(off + 149, step, off), 1);
    }
}
