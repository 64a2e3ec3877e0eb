//! The packed form of the generated integer tables (`brainwire_core::packed`):
//! the trainers choose the difference order that stores a table shortest.

use brainwire_core::packed::{write_differences, Differences};

/// The compact form of an integer table the core rebuilds with
/// [`Differences`]: the core's [`write_differences`] of `order`.
pub fn differences(values: &[u32], order: usize) -> Vec<u8> {
    let mut out = Vec::new();
    write_differences(values.iter().copied(), order, &mut out);
    out
}

/// The order (`1..=6`) whose [`differences`] are shortest, and those bytes,
/// read back as the core will before anything is written.
pub fn smallest_differences(values: &[u32]) -> (usize, Vec<u8>) {
    let (order, bytes) = (1..=6).map(|k| (k, differences(values, k))).min_by_key(|(_, b)| b.len()).unwrap();
    fn read<const ORDER: usize>(bytes: &[u8], n: usize) -> Vec<u32> {
        let mut reader = Differences::<ORDER>::new(bytes);
        (0..n).map(|_| reader.next_value()).collect()
    }
    let back = match order {
        1 => read::<1>(&bytes, values.len()),
        2 => read::<2>(&bytes, values.len()),
        3 => read::<3>(&bytes, values.len()),
        4 => read::<4>(&bytes, values.len()),
        5 => read::<5>(&bytes, values.len()),
        _ => read::<6>(&bytes, values.len()),
    };
    assert_eq!(back, values, "differences do not read back");
    (order, bytes)
}


#[cfg(test)]
mod tests {
    use super::*;
    use brainwire_core::max::priors as max_priors;
    use brainwire_core::tables::priors;

    fn read<const ORDER: usize>(bytes: &[u8], n: usize) -> Vec<u32> {
        let mut reader = Differences::<ORDER>::new(bytes);
        (0..n).map(|_| reader.next_value()).collect()
    }

    /// The writer stores the committed generated tables byte for byte as
    /// they are, at the order they name.
    #[test]
    fn the_generated_tables_are_written_back_unchanged() {
        let shapes = read::<{ priors::INITIAL_SHAPES_ORDER }>(&priors::INITIAL_SHAPES_CODED, priors::INITIAL_SHAPES_LEN);
        assert_eq!(differences(&shapes, priors::INITIAL_SHAPES_ORDER), priors::INITIAL_SHAPES_CODED);
        let phi = read::<{ max_priors::PHI_Q31_ORDER }>(&max_priors::PHI_Q31_CODED, max_priors::PHI_Q31_LEN);
        assert_eq!(differences(&phi, max_priors::PHI_Q31_ORDER), max_priors::PHI_Q31_CODED);
    }
}
