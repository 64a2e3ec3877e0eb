//! Per-channel ADC lattice detection: which affine map `x = offset + step * c`
//! turns a channel's samples into small integer codes `c`, or whether they
//! are the Neuralink 10-bit lattice the core knows.
//!
//! Invariant: detection only chooses a map; every sample is coded exactly
//! whatever the map, off-lattice samples through the escape list.

use brainwire_core::AdcLattice;
use strength_reduce::StrengthReducedU64;

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

/// The map `x = offset + step * c` of one channel, with its step's divisor
/// prepared once: a division by a step is a multiply-high and a correction
/// instead of a 64-bit divide (tens of cycles; detecting and coding a
/// channel divides each sample about six times). `affine_code` and
/// `placeholder_code` (test builds) restate what it computes with plain `/`
/// and `%`; a test holds the two equal.
#[derive(Clone, Copy, Debug)]
pub struct AffineMap {
    step: u32,
    offset: i64,
    divisor: StrengthReducedU64,
}

impl AffineMap {
    /// `step >= 1` (0 is taken as 1, so that `step` and its divisor agree).
    pub fn new(step: u32, offset: i64) -> Self {
        debug_assert!(step >= 1);
        let step = step.max(1);
        Self { step, offset, divisor: StrengthReducedU64::new(u64::from(step)) }
    }

    /// `(floor(d / step), d mod step)` with the remainder in `0..step`.
    #[inline(always)]
    fn div_floor(&self, d: i64) -> (i64, u64) {
        // Step 1 (every dense recording) needs no division at all.
        if self.step == 1 {
            return (d, 0);
        }
        let (q, r) = StrengthReducedU64::div_rem(d.unsigned_abs(), self.divisor);
        // step >= 2 keeps q below 2^63.
        let q = q as i64;
        match (d >= 0, r) {
            (true, _) => (q, r),
            (false, 0) => (-q, 0),
            (false, r) => (-q - 1, u64::from(self.step) - r),
        }
    }

    /// The code of `x`, or `None` when `x` is off the map or its code is
    /// outside `range`.
    #[inline(always)]
    pub fn code(&self, x: i64, range: CodeRange) -> Option<i64> {
        let (q, r) = self.div_floor(x - self.offset);
        (r == 0 && (range.lo..=range.hi).contains(&q)).then_some(q)
    }

    /// The code an escaped sample leaves in the core stream: the nearest
    /// code (halves round up), clamped to `range`, so that the predictor
    /// continues from about the right place.
    #[inline(always)]
    pub fn placeholder(&self, x: i64, range: CodeRange) -> i64 {
        let (q, _) = self.div_floor(x - self.offset + i64::from(self.step / 2));
        q.clamp(range.lo, range.hi)
    }

    /// Number of samples of `xs` off the map or outside `range`.
    pub fn escapes(&self, xs: &[i32], range: CodeRange) -> usize {
        xs.iter().filter(|&&x| self.code(x.into(), range).is_none()).count()
    }
}

/// [`AffineMap::code`] with plain division: the rule it computes.
#[cfg(test)]
pub fn affine_code(x: i64, step: u32, offset: i64, range: CodeRange) -> Option<i64> {
    let d = x - offset;
    let s = i64::from(step);
    if d % s != 0 {
        return None;
    }
    Some(d / s).filter(|c| (range.lo..=range.hi).contains(c))
}

/// [`AffineMap::placeholder`] with plain division: the rule it computes.
#[cfg(test)]
pub fn placeholder_code(x: i64, step: u32, offset: i64, range: CodeRange) -> i64 {
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
        // Once a block's gcd settles (a few samples in), a sample only
        // tests that g divides its distance: a multiply with g prepared,
        // not the gcd's divisions.
        let mut divides: Option<StrengthReducedU64> = None;
        for &x in &block[1..] {
            let d = (i64::from(x) - first).unsigned_abs();
            if divides.map_or(d == 0, |g| d % g == 0) {
                continue;
            }
            g = gcd(g, d);
            if g == 1 {
                break;
            }
            divides = Some(StrengthReducedU64::new(g));
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
    let map = AffineMap::new(step, residue);
    let on: Vec<i64> = xs.iter().filter_map(|&x| map.code(x.into(), ANY_CODE)).collect();
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
        assert_eq!(AffineMap::new(step, start_offset(&xs, step, r)).escapes(&xs, IDENTITY_CODES), 1);
    }

    #[test]
    fn wide_codes_are_centred() {
        let xs: Vec<i32> = (0..1000).map(|i| 3 * (i * 50) + 1_000_000).collect();
        let (step, r) = detect_step(&xs).unwrap();
        assert_eq!(step, 150);
        let off = start_offset(&xs, step, r);
        assert_eq!(off, 1_000_000);
        assert_eq!(AffineMap::new(step, off).escapes(&xs, IDENTITY_CODES), 0);
        assert_eq!(AffineMap::new(step, off).placeholder(off + 149, IDENTITY_CODES), 1);
        let wide: Vec<i32> = (0..70_000).map(|i| 10 * i).collect();
        let off = start_offset(&wide, 10, 0);
        assert_eq!(AffineMap::new(10, off).escapes(&wide, IDENTITY_CODES), 70_000 - 65_536);
    }

    #[test]
    fn the_prepared_divisor_agrees_with_plain_division() {
        let small = CodeRange { lo: -40, hi: 40 };
        let big = i64::from(i32::MAX);
        let xs: Vec<i64> = (-300i64..=300).chain([-big - 1, -big, big - 1, big, 1 << 33, -(1 << 33) - 7]).collect();
        for step in [1u32, 2, 3, 7, 12, 64, 1000, 65_536, u32::MAX] {
            for offset in [-7i64, 0, 3, -big - 1, big, 5 * i64::from(step)] {
                let map = AffineMap::new(step, offset);
                for &x in &xs {
                    for range in [small, IDENTITY_CODES, NEURALINK10_CODES, ANY_CODE] {
                        assert_eq!(map.code(x, range), affine_code(x, step, offset, range), "x {x} step {step} offset {offset}");
                        assert_eq!(map.placeholder(x, range), placeholder_code(x, step, offset, range), "x {x} step {step} offset {offset}");
                    }
                }
            }
        }
    }
}
