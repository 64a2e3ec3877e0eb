//! Text of the generated Rust sources, shared by every trainer.

/// The items of a generated array literal, `per_row` to a line, each line
/// indented four spaces and ending in a comma.
pub fn rows<T: ToString>(items: &[T], per_row: usize) -> String {
    items.chunks(per_row).map(|row| format!("    {},\n", row.iter().map(T::to_string).collect::<Vec<_>>().join(", "))).collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn rows_of_an_array_literal() {
        assert_eq!(super::rows(&[1u8, 2, 3, 4, 5], 2), "    1, 2,\n    3, 4,\n    5,\n");
        assert_eq!(super::rows::<u8>(&[], 2), "");
    }
}
