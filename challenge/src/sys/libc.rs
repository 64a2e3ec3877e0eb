//! The C library's declarations: functions, flag values and `struct stat`,
//! typed per supported architecture.
//!
//! Supported: Linux on x86_64 and aarch64 with glibc >= 2.33 or musl (where
//! `fstat` and `stat` are real symbols). Any other target stops the build:
//! the layouts below are the kernel ABI of these two architectures only.

use core::ffi::{c_char, c_int, c_long, c_uint, c_void};

#[cfg(not(all(target_os = "linux", any(target_arch = "x86_64", target_arch = "aarch64"))))]
compile_error!("the challenge executables support Linux on x86_64 and aarch64 only (see challenge/src/sys/libc.rs)");

pub type SsizeT = isize;
pub type SizeT = usize;
pub type ModeT = u32;

#[link(name = "c")]
extern "C" {
    pub fn open(path: *const c_char, flags: c_int, ...) -> c_int;
    pub fn read(fd: c_int, buf: *mut c_void, count: SizeT) -> SsizeT;
    pub fn write(fd: c_int, buf: *const c_void, count: SizeT) -> SsizeT;
    pub fn close(fd: c_int) -> c_int;
    pub fn fstat(fd: c_int, buf: *mut Stat) -> c_int;
    pub fn stat(path: *const c_char, buf: *mut Stat) -> c_int;
    pub fn realpath(path: *const c_char, resolved: *mut c_char) -> *mut c_char;
    pub fn rename(old: *const c_char, new: *const c_char) -> c_int;
    pub fn unlink(path: *const c_char) -> c_int;
    pub fn getpid() -> c_int;
    pub fn strerror(errnum: c_int) -> *const c_char;
    pub fn __errno_location() -> *mut c_int;
    pub fn malloc(size: SizeT) -> *mut c_void;
    pub fn calloc(count: SizeT, size: SizeT) -> *mut c_void;
    pub fn realloc(ptr: *mut c_void, size: SizeT) -> *mut c_void;
    pub fn free(ptr: *mut c_void);
    pub fn posix_memalign(out: *mut *mut c_void, align: SizeT, size: SizeT) -> c_int;
    pub fn exit(code: c_int) -> !;
}

pub const O_RDONLY: c_int = 0;
pub const O_WRONLY: c_int = 1;
pub const O_CREAT: c_int = 0o100;
pub const O_EXCL: c_int = 0o200;
pub const O_CLOEXEC: c_int = 0o2_000_000;
pub const O_TRUNC: c_int = 0o1000;
pub const EINTR: c_int = 4;
pub const EINVAL: c_int = 22;
pub const EISDIR: c_int = 21;

/// The file type bits of `st_mode`, and the two types told apart.
pub const S_IFMT: ModeT = 0o170000;
pub const S_IFREG: ModeT = 0o100000;
pub const S_IFDIR: ModeT = 0o040000;

#[repr(C)]
#[derive(Clone, Copy, Default)]
pub struct Timespec {
    pub tv_sec: c_long,
    pub tv_nsec: c_long,
}

/// `struct stat` of x86_64 Linux (glibc and musl alike).
#[cfg(target_arch = "x86_64")]
#[repr(C)]
#[derive(Clone, Copy, Default)]
pub struct Stat {
    pub st_dev: u64,
    pub st_ino: u64,
    pub st_nlink: u64,
    pub st_mode: ModeT,
    pub st_uid: c_uint,
    pub st_gid: c_uint,
    pad0: c_int,
    pub st_rdev: u64,
    pub st_size: i64,
    pub st_blksize: c_long,
    pub st_blocks: i64,
    pub st_atim: Timespec,
    pub st_mtim: Timespec,
    pub st_ctim: Timespec,
    unused: [c_long; 3],
}

/// `struct stat` of aarch64 Linux (the generic layout; glibc and musl alike).
#[cfg(target_arch = "aarch64")]
#[repr(C)]
#[derive(Clone, Copy, Default)]
pub struct Stat {
    pub st_dev: u64,
    pub st_ino: u64,
    pub st_mode: ModeT,
    pub st_nlink: c_uint,
    pub st_uid: c_uint,
    pub st_gid: c_uint,
    pub st_rdev: u64,
    pad1: u64,
    pub st_size: i64,
    pub st_blksize: c_int,
    pad2: c_int,
    pub st_blocks: i64,
    pub st_atim: Timespec,
    pub st_mtim: Timespec,
    pub st_ctim: Timespec,
    unused: [c_uint; 2],
}

// The C headers' sizes and the offsets of the fields read.
#[cfg(target_arch = "x86_64")]
const _: () = {
    assert!(core::mem::size_of::<Stat>() == 144);
    assert!(core::mem::offset_of!(Stat, st_mode) == 24);
};
#[cfg(target_arch = "aarch64")]
const _: () = {
    assert!(core::mem::size_of::<Stat>() == 128);
    assert!(core::mem::offset_of!(Stat, st_mode) == 16);
};
const _: () = {
    assert!(core::mem::offset_of!(Stat, st_dev) == 0);
    assert!(core::mem::offset_of!(Stat, st_ino) == 8);
    assert!(core::mem::offset_of!(Stat, st_size) == 48);
};
