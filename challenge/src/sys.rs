//! Everything that touches the C library: the only module with `unsafe`.
//!
//! Invariant: every other module sees only safe functions. Each `unsafe`
//! block below says why it is sound; the common reasons are that the pointer
//! and length passed to libc come from a live Rust slice, and that C strings
//! come from `CStr` (so they are NUL-terminated and outlive the call).
//!
//! Supported: Linux on x86_64 and aarch64 with glibc >= 2.33 or musl (where
//! `fstat` is a real symbol and `struct stat` has `st_dev`, `st_ino` and
//! `st_size` at byte offsets 0, 8 and 48, and `st_mode` at 24 on x86_64, 16
//! on aarch64).
#![allow(unsafe_code)]

use core::alloc::{GlobalAlloc, Layout};
use core::ffi::{c_char, c_int, c_void, CStr};

type SsizeT = isize;
type SizeT = usize;
type ModeT = u32;

#[link(name = "c")]
extern "C" {
    fn open(path: *const c_char, flags: c_int, ...) -> c_int;
    fn read(fd: c_int, buf: *mut c_void, count: SizeT) -> SsizeT;
    fn write(fd: c_int, buf: *const c_void, count: SizeT) -> SsizeT;
    fn close(fd: c_int) -> c_int;
    fn fstat(fd: c_int, buf: *mut StatBuf) -> c_int;
    fn stat(path: *const c_char, buf: *mut StatBuf) -> c_int;
    fn realpath(path: *const c_char, resolved: *mut c_char) -> *mut c_char;
    fn rename(old: *const c_char, new: *const c_char) -> c_int;
    fn unlink(path: *const c_char) -> c_int;
    fn getpid() -> c_int;
    fn strerror(errnum: c_int) -> *const c_char;
    fn __errno_location() -> *mut c_int;
    fn malloc(size: SizeT) -> *mut c_void;
    fn calloc(count: SizeT, size: SizeT) -> *mut c_void;
    fn realloc(ptr: *mut c_void, size: SizeT) -> *mut c_void;
    fn free(ptr: *mut c_void);
    fn posix_memalign(out: *mut *mut c_void, align: SizeT, size: SizeT) -> c_int;
    fn exit(code: c_int) -> !;
}

const O_RDONLY: c_int = 0;
const O_WRONLY: c_int = 1;
const O_CREAT: c_int = 0o100;
const O_EXCL: c_int = 0o200;
const O_CLOEXEC: c_int = 0o2_000_000;
const O_TRUNC: c_int = 0o1000;
const EINTR: c_int = 4;

/// Large enough for `struct stat` on every supported target (144 or 128
/// bytes); only the fields named in the module docs are read.
#[repr(C, align(8))]
struct StatBuf([u64; 32]);

/// A C library error number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Errno(pub c_int);

impl Errno {
    fn last() -> Self {
        // SAFETY: `__errno_location` returns this thread's errno slot, valid
        // for the life of the thread.
        Errno(unsafe { *__errno_location() })
    }

    /// The C library's message, e.g. "No such file or directory".
    pub fn message(self) -> &'static [u8] {
        // SAFETY: strerror returns a NUL-terminated string in static or
        // thread-local storage; this program has one thread and copies the
        // message out before the next libc call that could reuse it.
        let p = unsafe { strerror(self.0) };
        if p.is_null() {
            return b"unknown error";
        }
        // SAFETY: non-null, NUL-terminated (see above).
        unsafe { CStr::from_ptr(p) }.to_bytes()
    }
}

/// An open file descriptor, closed on drop.
pub struct Fd(c_int);

impl Fd {
    pub fn open_read(path: &CStr) -> Result<Fd, Errno> {
        // SAFETY: `path` is a valid C string for the call.
        let fd = unsafe { open(path.as_ptr(), O_RDONLY | O_CLOEXEC) };
        if fd < 0 { Err(Errno::last()) } else { Ok(Fd(fd)) }
    }

    /// Creates a new file; fails if `path` exists (so a stale temp file of
    /// another process is never clobbered).
    pub fn create_new(path: &CStr) -> Result<Fd, Errno> {
        let mode: ModeT = 0o666;
        // SAFETY: valid C string; the variadic mode argument is passed as the
        // unsigned int that open(2) reads when O_CREAT is set.
        let fd = unsafe { open(path.as_ptr(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode) };
        if fd < 0 { Err(Errno::last()) } else { Ok(Fd(fd)) }
    }

    /// Opens an existing file for writing, truncating it (devices and FIFOs
    /// ignore the truncation).
    pub fn open_write(path: &CStr) -> Result<Fd, Errno> {
        // SAFETY: `path` is a valid C string for the call.
        let fd = unsafe { open(path.as_ptr(), O_WRONLY | O_TRUNC | O_CLOEXEC) };
        if fd < 0 { Err(Errno::last()) } else { Ok(Fd(fd)) }
    }

    /// Reads into `buf`, retrying on EINTR; `Ok(0)` at end of file.
    pub fn read(&self, buf: &mut [u8]) -> Result<usize, Errno> {
        loop {
            // SAFETY: pointer and length come from a live mutable slice.
            let n = unsafe { read(self.0, buf.as_mut_ptr().cast(), buf.len()) };
            if n >= 0 {
                return Ok(n as usize);
            }
            let e = Errno::last();
            if e.0 != EINTR {
                return Err(e);
            }
        }
    }

    /// Writes all of `buf`, retrying on EINTR and short writes.
    pub fn write_all(&self, mut buf: &[u8]) -> Result<(), Errno> {
        while !buf.is_empty() {
            // SAFETY: pointer and length come from a live slice.
            let n = unsafe { write(self.0, buf.as_ptr().cast(), buf.len()) };
            if n < 0 {
                let e = Errno::last();
                if e.0 == EINTR {
                    continue;
                }
                return Err(e);
            }
            buf = buf.get(n as usize..).unwrap_or(&[]);
        }
        Ok(())
    }

    /// (device, inode, size) of the open file.
    pub fn identity(&self) -> Result<FileId, Errno> {
        let mut st = StatBuf([0; 32]);
        // SAFETY: `st` is writable and larger than `struct stat`.
        if unsafe { fstat(self.0, &mut st) } != 0 {
            return Err(Errno::last());
        }
        Ok(FileId::from_stat(&st))
    }

    /// Closes the descriptor, reporting the error that close(2) may carry
    /// for earlier delayed writes (NFS, quota).
    pub fn close(self) -> Result<(), Errno> {
        let fd = self.0;
        core::mem::forget(self);
        // SAFETY: `fd` is open and owned; forget() above prevents a second close.
        if unsafe { close(fd) } != 0 { Err(Errno::last()) } else { Ok(()) }
    }
}

impl Drop for Fd {
    fn drop(&mut self) {
        // SAFETY: the descriptor is open and owned by this value.
        unsafe { close(self.0) };
    }
}

/// What sort of file a path names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileType {
    Regular,
    Directory,
    /// Device, FIFO or socket: written in place, never replaced.
    Special,
}

/// Which file a path or descriptor refers to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FileId {
    pub dev: u64,
    pub ino: u64,
    pub size: u64,
    pub file_type: FileType,
}

impl FileId {
    fn from_stat(st: &StatBuf) -> Self {
        #[cfg(target_arch = "aarch64")]
        let mode = st.0[2] as u32;
        #[cfg(not(target_arch = "aarch64"))]
        let mode = st.0[3] as u32;
        let file_type = match mode & 0o170000 {
            0o100000 => FileType::Regular,
            0o040000 => FileType::Directory,
            _ => FileType::Special,
        };
        FileId { dev: st.0[0], ino: st.0[1], size: st.0[6], file_type }
    }

    /// The identity of the file at `path`, or `None` if it cannot be stat'ed
    /// (typically: it does not exist yet).
    pub fn of_path(path: &CStr) -> Option<FileId> {
        let mut st = StatBuf([0; 32]);
        // SAFETY: valid C string; `st` is writable and large enough.
        (unsafe { stat(path.as_ptr(), &mut st) } == 0).then(|| FileId::from_stat(&st))
    }
}

/// `bytes` as a C string when its only NUL is its last byte: what
/// `CStr::from_bytes_with_nul` checks, without the generic `memchr` that
/// function brings (~250 bytes of each executable).
pub fn c_str(bytes: &[u8]) -> Option<&CStr> {
    match bytes.iter().position(|&b| b == 0) {
        // SAFETY: the one NUL of `bytes` is its last byte, which is exactly
        // `from_bytes_with_nul_unchecked`'s precondition.
        Some(n) if n + 1 == bytes.len() => Some(unsafe { CStr::from_bytes_with_nul_unchecked(bytes) }),
        _ => None,
    }
}

/// The absolute path of `path` with every symbolic link resolved.
pub fn resolve(path: &CStr) -> Option<alloc::vec::Vec<u8>> {
    // SAFETY: valid C string; a null `resolved` makes realpath malloc the
    // result, which is copied out and freed below.
    let p = unsafe { realpath(path.as_ptr(), core::ptr::null_mut()) };
    if p.is_null() {
        return None;
    }
    // SAFETY: realpath returned a NUL-terminated string it allocated.
    let mut owned = unsafe { CStr::from_ptr(p) }.to_bytes_with_nul().to_vec();
    // SAFETY: `p` came from malloc inside realpath and is freed once.
    unsafe { free(p.cast()) };
    owned.shrink_to_fit();
    Some(owned)
}

pub fn rename_file(from: &CStr, to: &CStr) -> Result<(), Errno> {
    // SAFETY: both are valid C strings for the call.
    if unsafe { rename(from.as_ptr(), to.as_ptr()) } != 0 { Err(Errno::last()) } else { Ok(()) }
}

pub fn remove_file(path: &CStr) {
    // SAFETY: valid C string. Failure leaves nothing worse than before.
    unsafe { unlink(path.as_ptr()) };
}

pub fn pid() -> u32 {
    // SAFETY: getpid has no preconditions and cannot fail.
    unsafe { getpid() as u32 }
}

/// Writes a message to standard error, ignoring failure (there is nowhere
/// left to report it).
pub fn write_stderr(msg: &[u8]) {
    let fd = Fd(2);
    let _ = fd.write_all(msg);
    // Standard error is not ours to close.
    core::mem::forget(fd);
}

/// Writes to standard output (for `--help`), ignoring failure.
pub fn write_stdout(msg: &[u8]) {
    let fd = Fd(1);
    let _ = fd.write_all(msg);
    core::mem::forget(fd);
}

pub fn exit_process(code: i32) -> ! {
    // SAFETY: exit has no preconditions; nothing here needs destructors.
    unsafe { exit(code) }
}

/// The command-line arguments after the program name.
pub struct Args {
    argv: *const *const c_char,
    next: usize,
    argc: usize,
}

impl Iterator for Args {
    type Item = &'static CStr;

    fn next(&mut self) -> Option<&'static CStr> {
        if self.next >= self.argc {
            return None;
        }
        // SAFETY: the C runtime passes `argc` valid pointers in `argv`, each
        // to a NUL-terminated string that lives until the process exits.
        let p = unsafe { *self.argv.add(self.next) };
        self.next += 1;
        if p.is_null() {
            return None;
        }
        // SAFETY: see above.
        Some(unsafe { CStr::from_ptr(p) })
    }
}

/// Turns the C `main` arguments into [`Args`] (used by [`crate::entry!`]).
pub fn args(argc: c_int, argv: *const *const c_char) -> Args {
    Args { argv, next: 1, argc: if argv.is_null() { 0 } else { argc.max(0) as usize } }
}

/// Defines the C `main` of a binary, handing its arguments to `$run`
/// (`fn(Args) -> i32`).
#[macro_export]
macro_rules! entry {
    ($run:expr) => {
        #[allow(unsafe_code)]
        #[no_mangle]
        pub extern "C" fn main(argc: core::ffi::c_int, argv: *const *const core::ffi::c_char) -> core::ffi::c_int {
            $run($crate::sys::args(argc, argv))
        }
    };
}

/// The global allocator: libc malloc, with posix_memalign for alignments
/// beyond what malloc guarantees.
pub struct LibcAlloc;

/// Alignment malloc guarantees on every supported target.
const MALLOC_ALIGN: usize = 16;

// SAFETY: malloc/realloc/free/posix_memalign satisfy GlobalAlloc's contract:
// blocks are valid for `layout.size()` bytes at the alignment checked below,
// and null signals failure.
unsafe impl GlobalAlloc for LibcAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if layout.align() <= MALLOC_ALIGN {
            malloc(layout.size()).cast()
        } else {
            let mut p = core::ptr::null_mut();
            if posix_memalign(&mut p, layout.align(), layout.size()) != 0 {
                return core::ptr::null_mut();
            }
            p.cast()
        }
    }

    /// calloc rather than the default malloc and memset: a large block
    /// comes as fresh zero pages from the kernel, so `vec![0; n]` for the
    /// output buffers costs no instruction per byte.
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if layout.align() <= MALLOC_ALIGN {
            calloc(1, layout.size()).cast()
        } else {
            let p = self.alloc(layout);
            if !p.is_null() {
                core::ptr::write_bytes(p, 0, layout.size());
            }
            p
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, _layout: Layout) {
        free(ptr.cast())
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if layout.align() <= MALLOC_ALIGN {
            realloc(ptr.cast(), new_size).cast()
        } else {
            // realloc may lose the alignment: allocate, copy, free.
            let new = self.alloc(Layout::from_size_align_unchecked(new_size, layout.align()));
            if !new.is_null() {
                core::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
                self.dealloc(ptr, layout);
            }
            new
        }
    }
}

#[global_allocator]
static ALLOC: LibcAlloc = LibcAlloc;

/// Exit status for a bug or an exhausted allocator.
pub const EXIT_INTERNAL: i32 = 4;

/// The precompiled `alloc` carries unwinding landing pads that name this
/// symbol, which only `std` defines. Optimised LTO builds drop those pads
/// (every function is nounwind under `panic = "abort"`), unoptimised builds
/// keep them; nothing ever unwinds here, so nothing ever calls this.
#[no_mangle]
extern "C" fn rust_eh_personality() {}

#[panic_handler]
fn panic(_info: &core::panic::PanicInfo<'_>) -> ! {
    // The panic message is not printed: formatting it would pull core::fmt
    // into binaries whose size is scored. No output file exists yet at any
    // point that can panic (output is written only after coding succeeds).
    write_stderr(b"brainwire: internal error\n");
    exit_process(EXIT_INTERNAL)
}
