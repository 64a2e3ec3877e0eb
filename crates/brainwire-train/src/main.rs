//! `train`: learns brainwire's priors from a directory of recordings and
//! writes them into the core crate (a data file, or Rust source where the
//! table is code), so anyone can regenerate and check them.
//!
//! ```text
//! unzip ../shared/data.zip -d /tmp/bw
//! cargo run --release -p brainwire-train --bin train -- all /tmp/bw/data
//! ```
//!
//! Only the training split is read (sorted file index % 4 != 0); every fourth
//! file is held out for `bench --split heldout`.

use brainwire_train::{fast, lite, max, max_scale, tables};
use std::path::Path;
use std::process::ExitCode;

type Trainer = fn(&Path, &Path) -> Result<(), String>;

/// Each prior set: its name, its generator and where its file goes.
const SETS: [(&str, Trainer, &str); 5] = [
    ("tables", tables::run, tables::OUTPUT),
    ("lite", lite::run, lite::OUTPUT),
    ("max", max::run, max::OUTPUT),
    // After `max`: the factors are fitted on the model with its priors.
    ("max-scale", max_scale::run, max_scale::OUTPUT),
    // Copies the max priors this binary was built with (after `train max`,
    // rebuild before `train fast`).
    ("fast", fast::run, fast::OUTPUT),
];

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (which, dir, out) = match args.as_slice() {
        [which, dir] => (which.as_str(), dir, None),
        [which, dir, out] if which != "all" => (which.as_str(), dir, Some(out)),
        _ => {
            eprintln!(
                "usage: train tables|lite|max|max-scale|fast|all DATA_DIR [OUT]\n\
                 learns priors from the training split of DATA_DIR/*.wav and writes the generated\n\
                 file into the core crate (run from the workspace root), or to OUT"
            );
            return ExitCode::from(1);
        }
    };
    let chosen: Vec<_> = SETS.iter().filter(|(name, _, _)| which == "all" || which == *name).collect();
    if chosen.is_empty() {
        eprintln!("train: unknown prior set '{which}' (expected tables, lite, max, max-scale, fast or all)");
        return ExitCode::from(1);
    }
    for (name, run, default_out) in chosen {
        let out = out.map(String::as_str).unwrap_or(default_out);
        if let Err(e) = run(Path::new(dir), Path::new(out)) {
            eprintln!("train {name}: {e}");
            return ExitCode::from(2);
        }
    }
    ExitCode::SUCCESS
}
