//! Everything that touches the kernel: the only module with `unsafe`, split
//! by role: [`kernel`] makes the system calls (numbers, flags and a typed
//! `struct stat` per architecture), [`fd`] wraps descriptors, file
//! identities and paths, [`alloc`] is the global allocator (a mapping per
//! block), and this module is the runtime: the entry point `_start`,
//! standard streams, exit, arguments and the panic handler. No C library is
//! linked: its dynamic linking alone (loader path, symbol and relocation
//! tables, start files) was ~2.5 KiB of each executable.
//!
//! Invariant: every other module sees only safe functions. Each `unsafe`
//! block says why it is sound; the common reasons are that the pointer and
//! length passed to the kernel come from a live Rust slice, and that C
//! strings come from `CStr` (so they are NUL-terminated and outlive the
//! call).
#![allow(unsafe_code)]

mod alloc;
mod fd;
mod kernel;
mod mem;

use core::ffi::{c_char, c_int, CStr};

pub use fd::{c_str, pid, remove_file, rename_file, resolve, Errno, Fd, FileId, FileType};
pub use kernel::{EINVAL, EISDIR};

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
    kernel::exit_group(code)
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

/// Defines the `main` that [`_start`](self) calls, handing its arguments to
/// `$run` (`fn(Args) -> i32`); its value is the exit status.
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

/// Exit status for a bug or an exhausted allocator.
pub const EXIT_INTERNAL: i32 = 4;

// The process entry: the kernel starts it with `argc` at the stack pointer
// and the `argv` pointers after it (the stack 16-byte aligned); it calls the
// binary's `main` (see [`entry!`]) and exits with its value.
#[cfg(target_arch = "x86_64")]
core::arch::global_asm!(
    ".globl _start",
    "_start:",
    "xor ebp, ebp",
    "mov rdi, [rsp]",
    "lea rsi, [rsp + 8]",
    "call main",
    "mov edi, eax",
    "mov eax, 231",
    "syscall",
);
#[cfg(target_arch = "aarch64")]
core::arch::global_asm!(
    ".globl _start",
    "_start:",
    "mov x29, #0",
    "mov x30, #0",
    "ldr x0, [sp]",
    "add x1, sp, #8",
    "bl main",
    "mov x8, #94",
    "svc #0",
);

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
    // A failed allocation ends here too (the `alloc` crate's handler panics),
    // and is by far the likelier cause, so the line names it.
    write_stderr(b"brainwire: out of memory (or an internal error)\n");
    exit_process(EXIT_INTERNAL)
}
