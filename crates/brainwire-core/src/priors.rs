//! Priors learned offline. PLACEHOLDER (flat) until `train` generates this file.

use crate::residual::{CONTEXTS, SYMBOLS};

/// Relative width of each 10-bit ADC code, Q5 (32 = average), in `1..=80`.
pub static CODE_WIDTHS_Q5: [u8; 1024] = [32; 1024];

/// Initial residual-shape tables, one per context (each sums to at most 8000).
pub static INITIAL_SHAPES: [[u16; SYMBOLS]; CONTEXTS] = [[16; SYMBOLS]; CONTEXTS];
