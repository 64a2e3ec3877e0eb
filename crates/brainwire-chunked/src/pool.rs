//! The thread pool a stream is coded on, and the jobs that run on it while
//! the caller goes on (the writer's and the reader's one batch in flight).

use std::sync::mpsc::{Receiver, RecvTimeoutError, TryRecvError};

use crate::error::Error;

/// A thread pool of the asked size, or the global one.
pub(crate) struct Pool(Option<rayon::ThreadPool>);

impl Pool {
    pub fn new(threads: usize) -> Result<Self, Error> {
        if threads == 0 {
            return Ok(Self(None));
        }
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .map(|p| Self(Some(p)))
            .map_err(|e| Error::Io(std::io::Error::other(e)))
    }

    pub fn install<T: Send>(&self, f: impl FnOnce() -> T + Send) -> T {
        match &self.0 {
            Some(p) => p.install(f),
            None => f(),
        }
    }

    pub fn threads(&self) -> usize {
        self.0.as_ref().map_or_else(rayon::current_num_threads, |p| p.current_num_threads())
    }

    /// Starts `f` on the pool and returns at once; [`Job::wait`] gives its
    /// result.
    pub fn start<T: Send + 'static>(&self, f: impl FnOnce() -> T + Send + 'static) -> Job<T> {
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        let job = move || {
            // A panic leaves the channel empty, which `wait` reports (a panic
            // escaping a spawned job would abort the process). The caller
            // may be gone (a writer dropped unfinished): nothing to tell.
            if let Ok(v) = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
                let _ = tx.send(v);
            }
        };
        match &self.0 {
            Some(p) => p.spawn(job),
            None => rayon::spawn(job),
        }
        Job(rx)
    }
}

/// A job started by [`Pool::start`].
pub(crate) struct Job<T>(Receiver<T>);

impl<T> Job<T> {
    /// The job's result, once it is done. A pool's thread (the CLI codes
    /// inside its pool) runs the pool's pending jobs meanwhile rather than
    /// blocking: on a pool of one thread, the job it waits for is one of
    /// them.
    pub fn wait(self) -> Result<T, Error> {
        let died = || Error::Io(std::io::Error::other("a coding job panicked (internal error)"));
        loop {
            match self.0.try_recv() {
                Ok(v) => return Ok(v),
                Err(TryRecvError::Disconnected) => return Err(died()),
                Err(TryRecvError::Empty) => {}
            }
            if rayon::yield_now() != Some(rayon::Yield::Executed) {
                // Nothing to run here (or not a pool's thread): the job runs
                // on another thread.
                match self.0.recv_timeout(std::time::Duration::from_millis(1)) {
                    Ok(v) => return Ok(v),
                    Err(RecvTimeoutError::Disconnected) => return Err(died()),
                    Err(RecvTimeoutError::Timeout) => {}
                }
            }
        }
    }
}
