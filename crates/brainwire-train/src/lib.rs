//! brainwire's offline tools: learning priors from recordings (`train`) and
//! measuring the codec on them (`bench`). Both read a directory of WAVs and
//! split it the same way ([`corpus::Split`]), so a bench on the held-out
//! split measures recordings the priors never saw.

pub mod corpus;
pub mod lite;
pub mod max;
pub mod fast;
pub mod max_scale;
pub mod packed;
pub mod render;
pub mod tables;

/// The exit of a tool whose arguments did not parse: `tool: error` on
/// standard error, exit code 1.
pub fn usage_error(tool: &str, error: &str) -> std::process::ExitCode {
    eprintln!("{tool}: {error}");
    std::process::ExitCode::from(1)
}
