//! The decoder's search for the code whose interval holds a target, shared
//! by the profiles whose cumulative frequencies come from a function of the
//! code (`max`, `fast`).

/// A guessed code whose interval missed the target: the code and the
/// cumulative frequencies at it and at the code above it.
#[derive(Clone, Copy)]
pub(crate) struct Guess {
    pub code: u32,
    pub cum: u32,
    pub next_cum: u32,
}

/// The code `a` in `lo..end` with `cum(a) <= t < cum(a + 1)`, with
/// `(a, cum(a), cum(a + 1) - cum(a))`, after a missed `guess`: one step from
/// it by the guess's own frequency (deep in a tail, where the floor of 1 per
/// code dominates and the guess is furthest off, frequencies are nearly
/// even), then interpolation and bisection in turn on what is left.
///
/// Requires `cum` strictly increasing, `cum(lo) == 0`, `cum(end) == top` and
/// `t < top`. Invariant: `cum(a) <= t < cum(b)`, and `b - a` shrinks every
/// step.
#[inline(always)]
pub(crate) fn after_missed_guess(t: u32, lo: u32, end: u32, top: u32, guess: Guess, cum: impl Fn(u32) -> u32) -> (u32, u32, u32) {
    let Guess { code: g, cum: cg, next_cum: c1 } = guess;
    // Probes only steer the search: `| 1` keeps their divisions total
    // (cum increases strictly, so the divisors are positive anyway).
    let f = (c1 - cg) | 1;
    let (mut a, mut ca, mut b, mut cb, mut probe) = if t >= c1 {
        (g + 1, c1, end, top, g + 1 + (t - c1) / f)
    } else {
        (lo, 0, g, cg, g.saturating_sub(1 + (cg - 1 - t) / f))
    };
    let mut bisect = false;
    while b - a > 1 {
        let mid = probe.clamp(a + 1, b - 1);
        let cm = cum(mid);
        if cm <= t {
            a = mid;
            ca = cm;
        } else {
            b = mid;
            cb = cm;
        }
        probe = match bisect {
            true => a + (b - a) / 2,
            false => a + ((u64::from(t - ca) * u64::from(b - a)) / u64::from((cb - ca) | 1)) as u32,
        };
        bisect = !bisect;
    }
    (a, ca, cb - ca)
}
