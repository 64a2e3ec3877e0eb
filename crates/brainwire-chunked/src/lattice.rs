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
    /// `c = (x - offset) / step` is a code of the Neuralink 10-bit ADC
    /// (`0..1024`), coded on the core's 10-bit lattice so that its learned
    /// code widths apply; off the map or outside `0..1024` is escaped.
    AffineNeuralink10 { step: u32, offset: i64 },
    /// 16-bit samples coded as they are on the core's 10-bit Neuralink
    /// lattice (the core escapes off-lattice values itself).
    Neuralink10,
}

/// The codes a core lattice takes, as an inclusive range.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CodeRange {
    pub lo: i64,
    pub hi: i64,
}

/// Codes on the core's identity lattice: the 16-bit values.
pub const IDENTITY_CODES: CodeRange = CodeRange { lo: i16::MIN as i64, hi: i16::MAX as i64 };
/// Codes of the core's 10-bit lattice.
pub const NEURALINK10_CODES: CodeRange = CodeRange { lo: 0, hi: 1023 };
/// Every code an `i32` sample can have (on the map or not: only the
/// residue decides).
pub const ANY_CODE: CodeRange = CodeRange { lo: i64::MIN / 4, hi: i64::MAX / 4 };

/// The code of `x` under `step`/`offset`, or `None` when `x` is off the map
/// or its code is outside `range`.
#[inline]
pub fn affine_code(x: i64, step: u32, offset: i64, range: CodeRange) -> Option<i64> {
    let d = x - offset;
    // Step 1 (every dense recording) needs no division: the same result,
    // without a 64-bit divide a sample.
    if step == 1 {
        return Some(d).filter(|c| (range.lo..=range.hi).contains(c));
    }
    let s = i64::from(step);
    if d % s != 0 {
        return None;
    }
    Some(d / s).filter(|c| (range.lo..=range.hi).contains(c))
}

/// The code an escaped sample leaves in the core stream: the nearest code,
/// clamped to `range`, so that the predictor continues from about the right
/// place.
#[inline]
pub fn placeholder_code(x: i64, step: u32, offset: i64, range: CodeRange) -> i64 {
    if step == 1 {
        return (x - offset).clamp(range.lo, range.hi);
    }
    let s = i64::from(step);
    (x - offset + s / 2).div_euclid(s).clamp(range.lo, range.hi)
}

fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// The step and residue most blocks of `xs` agree on: each block of
/// `STEP_BLOCK_SAMPLES` votes for the gcd of its samples' distances to its
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

/// The offset for `step` and `residue` that makes the chunk's first sample
/// code 0 (where the core's predictor starts: a far first code costs an
/// escape and unsettles the predictor; 1.5 % of a 1 s chunk's bytes on the
/// challenge recordings) when all codes then fit `i16`, else the one that
/// centres the codes on their range.
pub fn start_offset(xs: &[i32], step: u32, residue: i64) -> i64 {
    let s = i64::from(step);
    let (lo, hi) = xs.iter().fold((i64::MAX, i64::MIN), |(lo, hi), &x| (lo.min(x.into()), hi.max(x.into())));
    let (clo, chi) = ((lo - residue).div_euclid(s), (hi - residue).div_euclid(s));
    let first = xs.first().map_or(0, |&x| (i64::from(x) - residue).div_euclid(s));
    let fits = |k: i64| clo - k >= IDENTITY_CODES.lo && chi - k <= IDENTITY_CODES.hi;
    let k = if fits(first) { first } else { (clo + chi) / 2 };
    residue + s * k
}

/// Number of samples of `xs` off the affine map.
pub fn affine_escapes(xs: &[i32], step: u32, offset: i64, range: CodeRange) -> usize {
    xs.iter().filter(|&&x| affine_code(x.into(), step, offset, range).is_none()).count()
}

/// `log2(width / mean width)` of each 10-bit code, in 1/1024 bit, from the
/// core's learned code widths: what coding on the 10-bit lattice gains per
/// sample of that code, roughly, over equal widths.
fn width_gain_q10() -> &'static [i32; 1024] {
    static GAIN: std::sync::OnceLock<[i32; 1024]> = std::sync::OnceLock::new();
    GAIN.get_or_init(|| {
        let w = &brainwire_core::max::priors::WIDTHS_Q6;
        let mean = w.iter().map(|&x| f64::from(x)).sum::<f64>() / 1024.0;
        std::array::from_fn(|c| ((f64::from(w[c]) / mean).log2() * 1024.0).round() as i32)
    })
}

/// Minimum estimated gain, in 1/1024 bit per sample, for the 10-bit map:
/// above what the best of many shifts of an unrelated histogram reaches.
pub const MIN_NEURALINK10_GAIN_Q10: i64 = 40;

/// Half-width of the local mean the ripple is taken against.
const SMOOTH_CODES: usize = 3;

/// For codes `(x - residue) / step` spanning at most 1024 values: the offset
/// that aligns them with the 10-bit ADC's codes best (by the widths'
/// log-likelihood of their histogram), and its gain in 1/1024 bit per
/// sample.
pub fn neuralink10_offset(xs: &[i32], step: u32, residue: i64) -> Option<(i64, i64)> {
    let s = i64::from(step);
    let on: Vec<i64> = xs.iter().filter_map(|&x| affine_code(x.into(), step, residue, ANY_CODE)).collect();
    let (lo, hi) = on.iter().fold((i64::MAX, i64::MIN), |(lo, hi), &q| (lo.min(q), hi.max(q)));
    if on.is_empty() || hi - lo > NEURALINK10_CODES.hi {
        return None;
    }
    let span = (hi - lo) as usize;
    let mut hist = vec![0i64; span + 1];
    on.iter().for_each(|&q| hist[(q - lo) as usize] += 1);
    // The histogram's fine structure (minus its local mean over
    // +-SMOOTH_CODES) against the widths' log: the bulk of the distribution
    // says nothing about the ADC, its code-to-code ripple does.
    let prefix: Vec<i64> = std::iter::once(0).chain(hist.iter().scan(0, |a, &n| { *a += n; Some(*a) })).collect();
    let ripple: Vec<(usize, i64)> = (0..=span)
        .filter_map(|j| {
            let (a, b) = (j.saturating_sub(SMOOTH_CODES), (j + SMOOTH_CODES).min(span));
            let local = (prefix[b + 1] - prefix[a]) * 1024 / (b + 1 - a) as i64;
            let d = hist[j] * 1024 - local;
            (d != 0).then_some((j, d))
        })
        .collect();
    let gain = width_gain_q10();
    let (base, score) = (0..=1023 - span)
        .map(|b| (b, ripple.iter().map(|&(j, d)| d * i64::from(gain[b + j])).sum::<i64>()))
        .max_by_key(|&(b, sc)| (sc, std::cmp::Reverse(b)))?;
    let score = score / 1024;
    // x = offset + step * c with c = q - lo + base.
    Some((residue + s * (lo - base as i64), score / xs.len() as i64))
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
        assert_eq!(affine_escapes(&xs, step, start_offset(&xs, step, r), IDENTITY_CODES), 1);
    }

    #[test]
    fn wide_codes_are_centred() {
        let xs: Vec<i32> = (0..1000).map(|i| 3 * (i * 50) + 1_000_000).collect();
        let (step, r) = detect_step(&xs).unwrap();
        assert_eq!(step, 150);
        let off = start_offset(&xs, step, r);
        assert_eq!(off, 1_000_000);
        assert_eq!(affine_escapes(&xs, step, off, IDENTITY_CODES), 0);
        assert_eq!(placeholder_code(off + 149, step, off, IDENTITY_CODES), 1);
        let wide: Vec<i32> = (0..70_000).map(|i| 10 * i).collect();
        let off = start_offset(&wide, 10, 0);
        assert_eq!(affine_escapes(&wide, 10, off, IDENTITY_CODES), 70_000 - 65_536);
    }

    #[test]
    fn step_one_skips_the_division_and_agrees_with_it() {
        // The general path's arithmetic, division included, at step 1.
        let s = std::hint::black_box(1i64);
        let small = CodeRange { lo: -40, hi: 40 };
        for x in -100i64..=100 {
            for offset in [-7i64, 0, 3] {
                let d = x - offset;
                let divided = (d % s == 0).then(|| d / s).filter(|c| (small.lo..=small.hi).contains(c));
                assert_eq!(affine_code(x, 1, offset, small), divided);
                assert_eq!(placeholder_code(x, 1, offset, small), (d + s / 2).div_euclid(s).clamp(small.lo, small.hi));
            }
        }
    }
}
