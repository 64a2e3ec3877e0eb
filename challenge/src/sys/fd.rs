//! File descriptors, file identities and paths over the C library.

use core::ffi::{c_int, CStr};

use super::libc::{self, ModeT, Stat};

/// A C library error number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Errno(pub c_int);

impl Errno {
    fn last() -> Self {
        // SAFETY: `__errno_location` returns this thread's errno slot, valid
        // for the life of the thread.
        Errno(unsafe { *libc::__errno_location() })
    }

    /// The C library's message, e.g. "No such file or directory".
    pub fn message(self) -> &'static [u8] {
        // SAFETY: strerror returns a NUL-terminated string in static or
        // thread-local storage; this program has one thread and copies the
        // message out before the next libc call that could reuse it.
        let p = unsafe { libc::strerror(self.0) };
        if p.is_null() {
            return b"unknown error";
        }
        // SAFETY: non-null, NUL-terminated (see above).
        unsafe { CStr::from_ptr(p) }.to_bytes()
    }
}

/// An open file descriptor, closed on drop.
pub struct Fd(pub(super) c_int);

impl Fd {
    pub fn open_read(path: &CStr) -> Result<Fd, Errno> {
        // SAFETY: `path` is a valid C string for the call.
        let fd = unsafe { libc::open(path.as_ptr(), libc::O_RDONLY | libc::O_CLOEXEC) };
        if fd < 0 { Err(Errno::last()) } else { Ok(Fd(fd)) }
    }

    /// Creates a new file; fails if `path` exists (so a stale temp file of
    /// another process is never clobbered).
    pub fn create_new(path: &CStr) -> Result<Fd, Errno> {
        let mode: ModeT = 0o666;
        // SAFETY: valid C string; the variadic mode argument is passed as the
        // unsigned int that open(2) reads when O_CREAT is set.
        let fd = unsafe { libc::open(path.as_ptr(), libc::O_WRONLY | libc::O_CREAT | libc::O_EXCL | libc::O_CLOEXEC, mode) };
        if fd < 0 { Err(Errno::last()) } else { Ok(Fd(fd)) }
    }

    /// Opens an existing file for writing, truncating it (devices and FIFOs
    /// ignore the truncation).
    pub fn open_write(path: &CStr) -> Result<Fd, Errno> {
        // SAFETY: `path` is a valid C string for the call.
        let fd = unsafe { libc::open(path.as_ptr(), libc::O_WRONLY | libc::O_TRUNC | libc::O_CLOEXEC) };
        if fd < 0 { Err(Errno::last()) } else { Ok(Fd(fd)) }
    }

    /// Reads into `buf`, retrying on EINTR; `Ok(0)` at end of file.
    pub fn read(&self, buf: &mut [u8]) -> Result<usize, Errno> {
        loop {
            // SAFETY: pointer and length come from a live mutable slice.
            let n = unsafe { libc::read(self.0, buf.as_mut_ptr().cast(), buf.len()) };
            if n >= 0 {
                return Ok(n as usize);
            }
            let e = Errno::last();
            if e.0 != libc::EINTR {
                return Err(e);
            }
        }
    }

    /// Writes all of `buf`, retrying on EINTR and short writes.
    pub fn write_all(&self, mut buf: &[u8]) -> Result<(), Errno> {
        while !buf.is_empty() {
            // SAFETY: pointer and length come from a live slice.
            let n = unsafe { libc::write(self.0, buf.as_ptr().cast(), buf.len()) };
            if n < 0 {
                let e = Errno::last();
                if e.0 == libc::EINTR {
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
        let mut st = Stat::default();
        // SAFETY: `st` is a writable `struct stat` of this target.
        if unsafe { libc::fstat(self.0, &mut st) } != 0 {
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
        if unsafe { libc::close(fd) } != 0 { Err(Errno::last()) } else { Ok(()) }
    }
}

impl Drop for Fd {
    fn drop(&mut self) {
        // SAFETY: the descriptor is open and owned by this value.
        unsafe { libc::close(self.0) };
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
    fn from_stat(st: &Stat) -> Self {
        let file_type = match st.st_mode & libc::S_IFMT {
            libc::S_IFREG => FileType::Regular,
            libc::S_IFDIR => FileType::Directory,
            _ => FileType::Special,
        };
        // A size is never negative; a broken file system's would read as 0.
        FileId { dev: st.st_dev, ino: st.st_ino, size: u64::try_from(st.st_size).unwrap_or(0), file_type }
    }

    /// The identity of the file at `path`, or `None` if it cannot be stat'ed
    /// (typically: it does not exist yet).
    pub fn of_path(path: &CStr) -> Option<FileId> {
        let mut st = Stat::default();
        // SAFETY: valid C string; `st` is a writable `struct stat`.
        (unsafe { libc::stat(path.as_ptr(), &mut st) } == 0).then(|| FileId::from_stat(&st))
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
pub fn resolve(path: &CStr) -> Option<::alloc::vec::Vec<u8>> {
    // SAFETY: valid C string; a null `resolved` makes realpath malloc the
    // result, which is copied out and freed below.
    let p = unsafe { libc::realpath(path.as_ptr(), core::ptr::null_mut()) };
    if p.is_null() {
        return None;
    }
    // SAFETY: realpath returned a NUL-terminated string it allocated.
    let mut owned = unsafe { CStr::from_ptr(p) }.to_bytes_with_nul().to_vec();
    // SAFETY: `p` came from malloc inside realpath and is freed once.
    unsafe { libc::free(p.cast()) };
    owned.shrink_to_fit();
    Some(owned)
}

pub fn rename_file(from: &CStr, to: &CStr) -> Result<(), Errno> {
    // SAFETY: both are valid C strings for the call.
    if unsafe { libc::rename(from.as_ptr(), to.as_ptr()) } != 0 { Err(Errno::last()) } else { Ok(()) }
}

pub fn remove_file(path: &CStr) {
    // SAFETY: valid C string. Failure leaves nothing worse than before.
    unsafe { libc::unlink(path.as_ptr()) };
}

pub fn pid() -> u32 {
    // SAFETY: getpid has no preconditions and cannot fail.
    unsafe { libc::getpid() as u32 }
}

