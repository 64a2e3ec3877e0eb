//! Why a command failed, and the exit code that says so.
//!
//! Every error the CLI prints carries one of the documented exit codes, so a
//! script can tell a typo from a full disk from a damaged recording.

use std::fmt;

/// The documented exit codes (see `brainwire --help`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Exit {
    Ok = 0,
    /// Wrong arguments, or arguments that name nothing to work on.
    Usage = 1,
    /// A file or directory could not be read or written.
    Io = 2,
    /// An input is damaged, truncated or not what the command expects.
    BadInput = 3,
    /// `eval`: a codec did not give back the original bytes.
    Mismatch = 4,
    /// Memory ran out (the work needs more than this machine or its limits
    /// allow); nothing was written for the files in progress.
    OutOfMemory = 5,
    /// A bug in brainwire (a contained panic); please report it.
    Internal = 6,
}

/// An error with its exit code.
pub struct Failure {
    pub exit: Exit,
    pub error: anyhow::Error,
}

impl Failure {
    pub fn new(exit: Exit, error: impl Into<anyhow::Error>) -> Self {
        Self {
            exit,
            error: error.into(),
        }
    }

    pub fn usage(message: impl fmt::Display) -> Self {
        Self::new(Exit::Usage, anyhow::anyhow!("{message}"))
    }

    pub fn bad_input(message: impl fmt::Display) -> Self {
        Self::new(Exit::BadInput, anyhow::anyhow!("{message}"))
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // `{:#}` prints the context chain on one line: "what: why".
        write!(f, "{:#}", self.error)
    }
}

impl fmt::Debug for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self} (exit {})", self.exit as i32)
    }
}

pub type Result<T, E = Failure> = std::result::Result<T, E>;

/// Attaches an exit code and a plain-words context to any error.
pub trait Classify<T> {
    /// A file-system error while doing `what`.
    fn or_io(self, what: impl FnOnce() -> String) -> Result<T>;
    /// The input itself is at fault while doing `what`.
    fn or_bad(self, what: impl FnOnce() -> String) -> Result<T>;
}

impl<T, E> Classify<T> for std::result::Result<T, E>
where
    E: Into<anyhow::Error>,
{
    fn or_io(self, what: impl FnOnce() -> String) -> Result<T> {
        self.map_err(|e| Failure::new(Exit::Io, e.into().context(what())))
    }

    fn or_bad(self, what: impl FnOnce() -> String) -> Result<T> {
        self.map_err(|e| Failure::new(Exit::BadInput, e.into().context(what())))
    }
}

/// A contained panic as the run's failure. `println!` on a closed or full
/// standard output is an I/O error, not a bug.
pub fn internal(panic: String) -> Failure {
    if panic.contains("failed printing to stdout") {
        let reason = panic.rsplit(": ").next().unwrap_or("write error").trim_end_matches(')');
        return Failure::new(Exit::Io, anyhow::anyhow!("cannot write to standard output: {reason}"));
    }
    Failure::new(Exit::Internal, anyhow::anyhow!("{panic}"))
}

thread_local! {
    /// Where the last panic on this thread happened, for [`contain`].
    static PANIC_PLACE: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
}

/// Runs `work`, turning a panic into an error message naming where it
/// happened, so one misbehaving codec or file cannot take down a whole
/// batch or evaluation (nor flood the terminal with backtraces).
pub fn contain<T>(work: impl FnOnce() -> T) -> std::result::Result<T, String> {
    static QUIET_HOOK: std::sync::Once = std::sync::Once::new();
    QUIET_HOOK.call_once(|| {
        std::panic::set_hook(Box::new(|info| {
            let place = info
                .location()
                .map(|l| format!("{}:{}", l.file(), l.line()));
            PANIC_PLACE.with(|p| *p.borrow_mut() = place);
        }));
    });
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)).map_err(|payload| {
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "no message".into());
        let place = PANIC_PLACE
            .with(|p| p.borrow_mut().take())
            .unwrap_or_else(|| "unknown place".into());
        format!("internal error (panic at {place}: {message}); please report it")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_contained_panic_becomes_a_message_with_its_place() {
        let message = contain(|| -> u8 { panic!("boom") }).unwrap_err();
        assert!(message.contains("boom"), "{message}");
        assert!(message.contains("fail.rs"), "{message}");
        assert_eq!(contain(|| 7), Ok(7));
    }
}
