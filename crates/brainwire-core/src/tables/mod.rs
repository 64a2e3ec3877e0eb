//! The `tables` profile (profile id 2, the codec's first): NLMS prediction
//! ([`crate::predictor`]) and adaptive residual tables per energy context
//! times the ADC code-width prior ([`residual`], [`priors`]), range coded
//! ([`crate::range`]). [`channel`] ties the steps together for one channel.
//! Kept for its stage-by-stage ablation (the ratio bench); `max` beats it on
//! ratio and on speed.
//!
//! The data flow of one sample: the lattice maps the value to its ADC code
//! (or marks it off the lattice), the predictor predicts the next code from
//! the past, the residual model gives the distribution of the code around
//! that prediction, and the range coder turns those probabilities into
//! bytes.

pub mod channel;
pub mod priors;
pub mod residual;

pub use channel::{Ablation, Decoder, Encoder};
