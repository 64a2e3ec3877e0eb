//! Progress bars and human-readable sizes.
//!
//! Bars draw on stderr and only when it is a terminal, so piped output and
//! `--json` stay clean.

use indicatif::{ProgressBar, ProgressStyle};

pub fn bar(len: u64, what: &str) -> ProgressBar {
    let bar = ProgressBar::new(len);
    bar.set_style(
        ProgressStyle::with_template("{prefix:>8} [{bar:32}] {pos}/{len} ({elapsed}, ~{eta} left)")
            .expect("the template is valid")
            .progress_chars("=> "),
    );
    bar.set_prefix(what.to_string());
    bar
}

/// A bar for work measured in bytes: each input byte counts once when it is
/// read and once when its file is coded and written (the codec reports no
/// progress inside a file), so a single large file moves while it is read
/// and shows the rest as the coding half. It ticks on its own, so a long
/// file still shows time passing; its message names the file last started.
pub fn bytes_bar(total_bytes: u64, what: &str) -> ProgressBar {
    let bar = ProgressBar::new(total_bytes.saturating_mul(2));
    bar.set_style(
        ProgressStyle::with_template(
            "{prefix:>8} [{bar:32}] {percent:>3}% ({elapsed}, ~{eta} left) {wide_msg}",
        )
        .expect("the template is valid")
        .progress_chars("=> "),
    );
    bar.set_prefix(what.to_string());
    // The tick is a thread of its own: not where threads may be refused
    // (the pool fell back to one thread) or were asked not to be (-j 1).
    if !bar.is_hidden() && rayon::current_num_threads() > 1 {
        bar.enable_steady_tick(std::time::Duration::from_millis(250));
    }
    bar
}

/// "1 thread", "2 threads": the worker pool's size in words.
pub fn threads() -> String {
    match rayon::current_num_threads() {
        1 => "1 thread".into(),
        n => format!("{n} threads"),
    }
}

/// `1234567` -> `"1.23 MB"` (decimal units, as the challenge counts bytes).
pub fn bytes(n: u64) -> String {
    let n = n as f64;
    if n >= 1e9 {
        format!("{:.2} GB", n / 1e9)
    } else if n >= 1e6 {
        format!("{:.2} MB", n / 1e6)
    } else if n >= 1e3 {
        format!("{:.1} kB", n / 1e3)
    } else {
        format!("{n} B")
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn sizes_read_naturally() {
        assert_eq!(super::bytes(999), "999 B");
        assert_eq!(super::bytes(1_500), "1.5 kB");
        assert_eq!(super::bytes(113_000_000), "113.00 MB");
    }
}
