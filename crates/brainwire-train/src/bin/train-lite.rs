//! Temporary runner of `train lite` until the `train` binary dispatches it:
//! `cargo run --release -p brainwire-train --bin train-lite -- DATA_DIR [OUT.rs]`.
#[path = "../corpus.rs"]
#[allow(dead_code)]
mod corpus;
#[path = "../lite.rs"]
mod lite;

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(dir) = args.first() else {
        eprintln!("usage: train-lite DATA_DIR [OUT.rs]");
        return std::process::ExitCode::from(1);
    };
    let out = args.get(1).map(String::as_str).unwrap_or(lite::OUTPUT);
    match lite::run(std::path::Path::new(dir), std::path::Path::new(out)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("train lite: {e}");
            std::process::ExitCode::from(2)
        }
    }
}
