//! Running out of memory as a clean one-line error instead of an abort.
//!
//! Where sizes come from the input (reading a file, the memory a stream
//! will decode to), the CLI reserves fallibly (`try_reserve`) first, so a
//! huge or hostile input fails that one file with exit 5 and the batch goes
//! on; the code inside [`fallible`] gets a null from the allocator and
//! reports it itself. Anywhere else an allocation
//! that fails cannot be recovered from (the standard library would abort
//! with a backtrace-less SIGABRT), so [`Checked`] prints one line naming
//! the file being worked on and exits with [`Exit::OutOfMemory`] at once.
//! Outputs in progress are only temporary files then, removed by the next
//! run.

use crate::fail::Exit;
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::path::Path;

/// The system allocator, with out-of-memory outside [`fallible`] turned
/// into a clean exit.
pub struct Checked;

thread_local! {
    /// Inside [`fallible`]: a failed allocation is returned to its caller.
    static FALLIBLE: Cell<bool> = const { Cell::new(false) };
    /// The path this thread works on (bytes of a `Path` that outlives the
    /// [`working_on`] call that set it), for the message.
    static WORKING_ON: Cell<(*const u8, usize)> = const { Cell::new((std::ptr::null(), 0)) };
}

/// Restores a thread-local cell when dropped (also on a panic).
struct Restore<T: Copy + 'static>(&'static std::thread::LocalKey<Cell<T>>, T);

impl<T: Copy + 'static> Drop for Restore<T> {
    fn drop(&mut self) {
        let _ = self.0.try_with(|c| c.set(self.1));
    }
}

/// Runs `work`, whose allocations handle failure themselves (`try_reserve`).
pub fn fallible<T>(work: impl FnOnce() -> T) -> T {
    let _restore = Restore(&FALLIBLE, FALLIBLE.with(|f| f.replace(true)));
    work()
}

/// Runs `work` with `path` named in an out-of-memory message.
pub fn working_on<T>(path: &Path, work: impl FnOnce() -> T) -> T {
    let bytes = std::os::unix::ffi::OsStrExt::as_bytes(path.as_os_str());
    let previous = WORKING_ON.with(|w| w.replace((bytes.as_ptr(), bytes.len())));
    let _restore = Restore(&WORKING_ON, previous);
    work()
}

fn write_stderr(bytes: &[u8]) {
    // SAFETY: writes a live buffer to fd 2; no allocation, no lock.
    unsafe {
        libc::write(2, bytes.as_ptr().cast(), bytes.len());
    }
}

#[cold]
fn out_of_memory(size: usize) -> ! {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut n = size;
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    write_stderr(b"brainwire: error: out of memory (could not allocate ");
    write_stderr(&digits[at..]);
    write_stderr(b" bytes)");
    let (ptr, len) = WORKING_ON.try_with(|w| w.get()).unwrap_or((std::ptr::null(), 0));
    if !ptr.is_null() {
        write_stderr(b" while working on '");
        // SAFETY: set by `working_on` from a path that lives until it returns,
        // and this thread is inside that call.
        write_stderr(unsafe { std::slice::from_raw_parts(ptr, len) });
        write_stderr(b"'");
    }
    write_stderr(b"; nothing was written for the files in progress\n");
    // SAFETY: ends the process at once; nothing of ours needs unwinding.
    unsafe { libc::_exit(Exit::OutOfMemory as i32) }
}

#[inline]
fn checked(ptr: *mut u8, size: usize) -> *mut u8 {
    if ptr.is_null() && !FALLIBLE.try_with(|f| f.get()).unwrap_or(false) {
        out_of_memory(size);
    }
    ptr
}

// SAFETY: every call is forwarded to `System` unchanged; only a null result
// is looked at.
unsafe impl GlobalAlloc for Checked {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        checked(unsafe { System.alloc(layout) }, layout.size())
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        checked(unsafe { System.alloc_zeroed(layout) }, layout.size())
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        checked(unsafe { System.realloc(ptr, layout, new_size) }, new_size)
    }
}
