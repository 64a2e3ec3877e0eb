//! File descriptors, file identities and paths over the kernel's calls.

use alloc::vec::Vec;
use core::ffi::{c_int, CStr};

use super::kernel::{self, nr, syscall, Stat, AT_FDCWD};

/// A kernel error number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Errno(pub c_int);

/// The C library's messages (glibc's wording) of the errors these commands
/// can meet, each after its number as one byte (every message byte is
/// printable, so a byte below 32 starts the next entry).
const MESSAGES: &[u8] = b"\x02No such file or directory\x0dPermission denied\x15Is a directory\
\x14Not a directory\x1cNo space left on device\x1eRead-only file system\x11File exists\
\x28Too many levels of symbolic links\x24File name too long\x7aDisk quota exceeded\
\x1bFile too large\x05Input/output error\x01Operation not permitted\x0cCannot allocate memory\
\x18Too many open files\x1aText file busy\x12Invalid cross-device link\x10Device or resource busy\
\x20Broken pipe\x16Invalid argument";

impl Errno {
    /// The error of a kernel return value, if it is one (`-4095..0`).
    fn of(ret: isize) -> Result<usize, Errno> {
        if (-4095..0).contains(&ret) { Err(Errno(-ret as c_int)) } else { Ok(ret as usize) }
    }

    /// Appends the message, e.g. "No such file or directory" (glibc's
    /// wording), or "error N" for a number not in [`MESSAGES`].
    pub fn push_message(self, out: &mut Vec<u8>) {
        if let Some(at) = MESSAGES.iter().position(|&b| c_int::from(b) == self.0) {
            let rest = &MESSAGES[at + 1..];
            let len = rest.iter().position(|&b| b < 32).unwrap_or(rest.len());
            out.extend_from_slice(&rest[..len]);
        } else {
            out.extend_from_slice(b"error ");
            crate::files::push_decimal(out, self.0 as u64);
        }
    }
}

/// An open file descriptor, closed on drop.
pub struct Fd(pub(super) c_int);

fn open(path: &CStr, flags: usize) -> Result<Fd, Errno> {
    // SAFETY: `path` is a valid C string for the call; the mode argument is
    // read only with O_CREAT.
    let fd = Errno::of(unsafe { syscall(nr::OPENAT, AT_FDCWD, path.as_ptr() as usize, flags | kernel::O_CLOEXEC, 0o666, 0, 0) })?;
    Ok(Fd(fd as c_int))
}

impl Fd {
    pub fn open_read(path: &CStr) -> Result<Fd, Errno> {
        open(path, kernel::O_RDONLY)
    }

    /// Creates a new file; fails if `path` exists (so a stale temp file of
    /// another process is never clobbered).
    pub fn create_new(path: &CStr) -> Result<Fd, Errno> {
        open(path, kernel::O_WRONLY | kernel::O_CREAT | kernel::O_EXCL)
    }

    /// Opens an existing file for writing, truncating it (devices and FIFOs
    /// ignore the truncation).
    pub fn open_write(path: &CStr) -> Result<Fd, Errno> {
        open(path, kernel::O_WRONLY | kernel::O_TRUNC)
    }

    /// Reads into `buf`, retrying on EINTR; `Ok(0)` at end of file.
    pub fn read(&self, buf: &mut [u8]) -> Result<usize, Errno> {
        loop {
            // SAFETY: pointer and length come from a live mutable slice.
            match Errno::of(unsafe { syscall(nr::READ, self.0 as usize, buf.as_mut_ptr() as usize, buf.len(), 0, 0, 0) }) {
                Err(Errno(kernel::EINTR)) => continue,
                r => return r,
            }
        }
    }

    /// Writes all of `buf`, retrying on EINTR and short writes.
    pub fn write_all(&self, mut buf: &[u8]) -> Result<(), Errno> {
        while !buf.is_empty() {
            // SAFETY: pointer and length come from a live slice.
            match Errno::of(unsafe { syscall(nr::WRITE, self.0 as usize, buf.as_ptr() as usize, buf.len(), 0, 0, 0) }) {
                Err(Errno(kernel::EINTR)) => continue,
                Err(e) => return Err(e),
                Ok(n) => buf = buf.get(n..).unwrap_or(&[]),
            }
        }
        Ok(())
    }

    /// (device, inode, size) of the open file.
    pub fn identity(&self) -> Result<FileId, Errno> {
        let mut st = Stat::default();
        // SAFETY: `st` is a writable `struct stat` of this target.
        Errno::of(unsafe { syscall(nr::FSTAT, self.0 as usize, &mut st as *mut Stat as usize, 0, 0, 0, 0) })?;
        Ok(FileId::from_stat(&st))
    }

    /// Closes the descriptor, reporting the error that close(2) may carry
    /// for earlier delayed writes (NFS, quota).
    pub fn close(self) -> Result<(), Errno> {
        let fd = self.0;
        core::mem::forget(self);
        // SAFETY: `fd` is open and owned; forget() above prevents a second close.
        Errno::of(unsafe { syscall(nr::CLOSE, fd as usize, 0, 0, 0, 0, 0) }).map(drop)
    }
}

impl Drop for Fd {
    fn drop(&mut self) {
        // SAFETY: the descriptor is open and owned by this value.
        unsafe { syscall(nr::CLOSE, self.0 as usize, 0, 0, 0, 0, 0) };
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
        let file_type = match st.st_mode & kernel::S_IFMT {
            kernel::S_IFREG => FileType::Regular,
            kernel::S_IFDIR => FileType::Directory,
            _ => FileType::Special,
        };
        // A size is never negative; a broken file system's would read as 0.
        FileId { dev: st.st_dev, ino: st.st_ino, size: u64::try_from(st.st_size).unwrap_or(0), file_type }
    }

    /// The identity of the file at `path` (symbolic links followed), or
    /// `None` if it cannot be stat'ed (typically: it does not exist yet).
    pub fn of_path(path: &CStr) -> Option<FileId> {
        let mut st = Stat::default();
        // SAFETY: valid C string; `st` is a writable `struct stat`; flags 0
        // follow symbolic links, as stat(2).
        let r = unsafe { syscall(nr::NEWFSTATAT, AT_FDCWD, path.as_ptr() as usize, &mut st as *mut Stat as usize, 0, 0, 0) };
        Errno::of(r).ok().map(|_| FileId::from_stat(&st))
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

/// The file a path names once every symbolic link in its last component
/// is followed (NUL-terminated), or `None` past 40 links (the kernel's own
/// limit). A relative link is read from the directory of the path that
/// holds it; directories on the way are left to the kernel, which resolves
/// them in the rename as it did in the stat. What `realpath` was used for:
/// the file to replace and the directory for its temporary file.
pub fn resolve(path: &CStr) -> Option<Vec<u8>> {
    let mut p = path.to_bytes_with_nul().to_vec();
    let mut link = [0u8; 4096];
    for _ in 0..40 {
        // SAFETY: `p` is NUL-terminated; `link` is writable for its length.
        let r = unsafe { syscall(nr::READLINKAT, AT_FDCWD, p.as_ptr() as usize, link.as_mut_ptr() as usize, link.len(), 0, 0) };
        // Not a symbolic link (EINVAL): `p` is the file.
        let Ok(n) = Errno::of(r) else { return Some(p) };
        let target = link.get(..n).filter(|t| n < link.len() && !t.contains(&0))?;
        let keep = match target.first() {
            Some(b'/') => 0,
            _ => p.iter().rposition(|&b| b == b'/').map_or(0, |i| i + 1),
        };
        p.truncate(keep);
        p.extend_from_slice(target);
        p.push(0);
    }
    None
}

pub fn rename_file(from: &CStr, to: &CStr) -> Result<(), Errno> {
    // SAFETY: both are valid C strings for the call; flags 0 is rename(2).
    Errno::of(unsafe { syscall(nr::RENAMEAT2, AT_FDCWD, from.as_ptr() as usize, AT_FDCWD, to.as_ptr() as usize, 0, 0) }).map(drop)
}

pub fn remove_file(path: &CStr) {
    // SAFETY: valid C string. Failure leaves nothing worse than before.
    unsafe { syscall(nr::UNLINKAT, AT_FDCWD, path.as_ptr() as usize, 0, 0, 0, 0) };
}

pub fn pid() -> u32 {
    // SAFETY: getpid has no arguments and cannot fail.
    unsafe { syscall(nr::GETPID, 0, 0, 0, 0, 0, 0) as u32 }
}
