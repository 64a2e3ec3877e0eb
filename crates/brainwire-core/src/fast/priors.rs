//! Priors of the `fast` profile. PLACEHOLDER until generated.
pub use crate::max::priors::{PHI_Q31_CODED, PHI_Q31_LEN, PHI_Q31_ORDER, PHI_STEPS_PER_SIGMA, WIDTHS_Q6};
pub static INITIAL_WEIGHTS: [i32; 8] = [-13452, -11249, -10240, -8789, -7349, -6215, -5173, -4390];
