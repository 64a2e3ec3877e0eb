//! The Linux system calls the executables make: their numbers, flags and
//! `struct stat` per architecture, and the one function that traps into the
//! kernel. No C library is linked (see `build.rs`): the process starts at
//! [`super`]'s `_start` and ends in `exit_group`.
//!
//! Supported: Linux on x86_64 and aarch64. Any other target stops the build:
//! the numbers and layouts below are these two architectures' kernel ABI.
//! Every call returns the kernel's value: `-errno` in `-4095..0` on failure.

use core::arch::asm;
use core::ffi::{c_int, c_long, c_uint};

#[cfg(not(all(target_os = "linux", any(target_arch = "x86_64", target_arch = "aarch64"))))]
compile_error!("the challenge executables support Linux on x86_64 and aarch64 only (see challenge/src/sys/kernel.rs)");

/// System call numbers: x86_64's (`asm/unistd_64.h`), then aarch64's
/// (`asm-generic/unistd.h`).
pub mod nr {
    macro_rules! numbers {
        ($($name:ident = $x86_64:literal, $aarch64:literal;)*) => {$(
            #[cfg(target_arch = "x86_64")]
            pub const $name: usize = $x86_64;
            #[cfg(target_arch = "aarch64")]
            pub const $name: usize = $aarch64;
        )*};
    }
    numbers! {
        READ = 0, 63;
        WRITE = 1, 64;
        CLOSE = 3, 57;
        FSTAT = 5, 80;
        MMAP = 9, 222;
        MUNMAP = 11, 215;
        MREMAP = 25, 216;
        GETPID = 39, 172;
        EXIT_GROUP = 231, 94;
        OPENAT = 257, 56;
        NEWFSTATAT = 262, 79;
        UNLINKAT = 263, 35;
        READLINKAT = 267, 78;
        RENAMEAT2 = 316, 276;
    }
}

/// System call `n` with up to six arguments (unused ones are ignored by
/// the kernel). One copy, not inlined: each call site only loads its
/// arguments.
///
/// # Safety
/// The arguments must be what call `n` expects: pointers valid for the
/// lengths passed, memory the kernel may write writable.
#[inline(never)]
pub unsafe fn syscall(n: usize, a: usize, b: usize, c: usize, d: usize, e: usize, f: usize) -> isize {
    let ret: isize;
    #[cfg(target_arch = "x86_64")]
    asm!("syscall", inlateout("rax") n as isize => ret, in("rdi") a, in("rsi") b, in("rdx") c, in("r10") d, in("r8") e, in("r9") f,
        lateout("rcx") _, lateout("r11") _, options(nostack));
    #[cfg(target_arch = "aarch64")]
    asm!("svc 0", in("x8") n, inlateout("x0") a as isize => ret, in("x1") b, in("x2") c, in("x3") d, in("x4") e, in("x5") f,
        options(nostack));
    ret
}

/// Ends the process with `code`.
pub fn exit_group(code: c_int) -> ! {
    // SAFETY: exit_group takes a plain integer and does not return.
    unsafe {
        #[cfg(target_arch = "x86_64")]
        asm!("syscall", in("rax") nr::EXIT_GROUP, in("rdi") code as isize, options(noreturn, nostack));
        #[cfg(target_arch = "aarch64")]
        asm!("svc 0", in("x8") nr::EXIT_GROUP, in("x0") code as isize, options(noreturn, nostack));
    }
}

/// `dirfd` meaning the working directory, for the `*at` calls.
pub const AT_FDCWD: usize = -100isize as usize;

pub const O_RDONLY: usize = 0;
pub const O_WRONLY: usize = 1;
pub const O_CREAT: usize = 0o100;
pub const O_EXCL: usize = 0o200;
pub const O_TRUNC: usize = 0o1000;
pub const O_CLOEXEC: usize = 0o2_000_000;

pub const PROT_READ_WRITE: usize = 3;
pub const MAP_PRIVATE_ANONYMOUS: usize = 0x22;
pub const MREMAP_MAYMOVE: usize = 1;

pub const EINTR: c_int = 4;
pub const EISDIR: c_int = 21;
pub const EINVAL: c_int = 22;

pub type ModeT = u32;

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

/// The kernel's `struct stat` of x86_64 (what `fstat` and `newfstatat` fill).
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

/// The kernel's `struct stat` of aarch64 (the generic layout).
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

// The kernel headers' sizes and the offsets of the fields read.
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
