//! The stuck-at-rail state of profiles 4 and 7 (`Max4`, `Max5`).
//!
//! A few recordings sit clipped at the ADC's lowest or highest code for
//! thousands of samples at a time. The Gaussian model codes such a run
//! poorly: its scale follows the last excursion for a thousand samples, so
//! each stuck sample still pays a fraction of a bit. So after a sample at a
//! rail, one binary decision comes first: does the next sample stay on that
//! rail? Its probability adapts per run-length context (a long run predicts
//! its own continuation better than a short one). A sample that stays is
//! coded by that decision alone and teaches the scale nothing (a clipped
//! sample says nothing about the noise); one that leaves is coded by the
//! Gaussian model as usual.
//!
//! Invariant: the state depends only on the codes seen so far.

/// Run-length contexts: `floor(log2(run))`, capped.
const RUN_CONTEXTS: usize = 8;
/// Probability precision (the range coder's binary decisions) and the
/// adaptation rate 2^-5 of each context's probability.
const P_BITS: u32 = 12;
const P_SHIFT: u32 = 5;
/// Bounds keep every decision's frequency non-zero.
const P_MIN: u16 = 1;
const P_MAX: u16 = (1 << P_BITS) - 1;
/// Starting probability of staying: most samples after a rail sample stay.
const P_START: u16 = 3 << (P_BITS - 2);

/// Which code was last and how long it has been repeated at a rail.
#[derive(Clone, Debug)]
pub struct Rails {
    top: u32,
    last: u32,
    /// Samples in a row at `last`, when `last` is a rail (else 0).
    run: u32,
    /// Probability (units of 2^-12) that the next sample stays on the rail.
    p_stay: [u16; RUN_CONTEXTS],
}

impl Rails {
    /// The state for a lattice of `codes` codes, before any sample.
    pub fn new(codes: u32) -> Self {
        Self { top: codes - 1, last: codes / 2, run: 0, p_stay: [P_START; RUN_CONTEXTS] }
    }

    /// The rail code the next sample may stay on, with the probability of
    /// staying (units of 2^-12), or `None` when the last sample was not at a
    /// rail.
    #[inline]
    pub fn stay(&self) -> Option<(u32, u32)> {
        (self.run > 0).then(|| (self.last, u32::from(self.p_stay[self.context()])))
    }

    #[inline]
    fn context(&self) -> usize {
        ((31 - self.run.leading_zeros()) as usize).min(RUN_CONTEXTS - 1)
    }

    /// Learns the code of the sample just coded.
    #[inline]
    pub fn learn(&mut self, code: u32) {
        if self.run > 0 {
            let p = &mut self.p_stay[self.context()];
            let stayed = code == self.last;
            let target = if stayed { 1 << P_BITS } else { 0 };
            *p = ((i32::from(*p) + ((target - i32::from(*p)) >> P_SHIFT)) as u16).clamp(P_MIN, P_MAX);
        }
        let at_rail = code == 0 || code == self.top;
        self.run = match (at_rail, code == self.last) {
            (false, _) => 0,
            (true, true) => self.run.saturating_add(1),
            (true, false) => 1,
        };
        self.last = code;
    }
}
