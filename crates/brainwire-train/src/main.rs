//! `train`: learns brainwire's priors from a directory of recordings and
//! writes them as generated Rust source, so anyone can regenerate and check
//! them.
//!
//! ```text
//! unzip ../shared/data.zip -d /tmp/bw && cargo run --release -p brainwire-train -- default /tmp/bw/data
//! ```
//!
//! The recordings are split by sorted file name: every fourth file (index % 4
//! == 0) is held out and never seen here, so ratio benches can report the
//! held-out part honestly (`--split heldout`).

mod corpus;
mod default;

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (what, dir) = match args.as_slice() {
        [what, dir] => (what.as_str(), PathBuf::from(dir)),
        [what, dir, out] if what == "default" => {
            return run_default(PathBuf::from(dir), PathBuf::from(out));
        }
        _ => {
            eprintln!("usage: train default DATA_DIR [OUT.rs]\n  learns priors from the training split of DATA_DIR (*.wav)");
            return ExitCode::from(1);
        }
    };
    match what {
        "default" => run_default(dir, PathBuf::from(default::OUTPUT)),
        other => {
            eprintln!("train: unknown prior set '{other}' (expected: default)");
            ExitCode::from(1)
        }
    }
}

fn run_default(dir: PathBuf, out: PathBuf) -> ExitCode {
    match default::run(&dir, &out) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("train: {e}");
            ExitCode::from(2)
        }
    }
}
