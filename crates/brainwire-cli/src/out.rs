//! Standard output that reports a failed write instead of panicking.
//!
//! `println!` panics when stdout is a closed pipe or a full disk; every
//! line the CLI prints goes through [`outln!`] instead, which remembers the
//! first error and drops what follows. `main` calls [`finish`] last, so the
//! run ends with one line naming standard output and exit 2.

use crate::fail::{Exit, Failure, Result};
use std::io::Write;
use std::sync::OnceLock;

static FAILED: OnceLock<std::io::ErrorKind> = OnceLock::new();
static FAILED_MESSAGE: OnceLock<String> = OnceLock::new();
/// Set when a failed write of data (not of a message) was already reported
/// as that file's error: [`finish`] then adds nothing.
static REPORTED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// `println!` for the CLI's own output (see the module documentation).
macro_rules! outln {
    () => { $crate::out::line(format_args!("")) };
    ($($arg:tt)*) => { $crate::out::line(format_args!($($arg)*)) };
}
pub(crate) use outln;

/// `eprintln!` that never panics: a closed or full stderr loses the message,
/// not the exit code.
macro_rules! errln {
    ($($arg:tt)*) => { $crate::out::err_line(format_args!($($arg)*)) };
}
pub(crate) use errln;

pub fn err_line(args: std::fmt::Arguments<'_>) {
    let mut err = std::io::stderr().lock();
    let _ = err.write_fmt(args).and_then(|()| err.write_all(b"\n"));
}

pub fn line(args: std::fmt::Arguments<'_>) {
    if FAILED.get().is_some() {
        return;
    }
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_fmt(args).and_then(|()| out.write_all(b"\n")) {
        record(&e);
    }
}

/// Remembers a failed write to standard output (the first one counts).
pub fn record(e: &std::io::Error) {
    let _ = FAILED.set(e.kind());
    let _ = FAILED_MESSAGE.set(e.to_string());
}

/// Remembers a failed write of data that its caller reports itself: later
/// lines are dropped and [`finish`] reports nothing more.
pub fn reported(e: &std::io::Error) {
    record(e);
    REPORTED.store(true, std::sync::atomic::Ordering::Relaxed);
}

/// Flushes standard output; an error now or earlier becomes the failure.
pub fn finish() -> Result<()> {
    if REPORTED.load(std::sync::atomic::Ordering::Relaxed) {
        return Ok(());
    }
    if FAILED.get().is_none() {
        if let Err(e) = std::io::stdout().lock().flush() {
            record(&e);
        }
    }
    match FAILED_MESSAGE.get() {
        None => Ok(()),
        Some(m) => Err(Failure::new(
            Exit::Io,
            anyhow::anyhow!("cannot write to standard output: {m}"),
        )),
    }
}
