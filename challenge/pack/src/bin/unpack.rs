//! The start-up stub of a packed executable (see `pack`): restores the
//! image behind it, makes it read+execute, and jumps to its entry point
//! with the stack the kernel gave the process. x86_64 Linux only.
#![no_std]
#![no_main]

use core::arch::{asm, global_asm};

// rbx is callee-saved: it keeps the initial stack pointer across the call.
global_asm!(
    ".globl _start",
    "_start:",
    "mov rbx, rsp",
    "lea rdi, [rip + __payload]",
    "call {restore}",
    "mov rsp, rbx",
    "jmp rax",
    restore = sym restore,
);

/// Unpacks the payload at `payload` (see `pack`) and returns the entry point.
extern "C" fn restore(payload: *const u8) -> usize {
    // SAFETY: `pack` wrote the 16-byte header and the packed bytes at
    // `__payload`, inside this segment.
    let word = |i: usize| unsafe { payload.add(4 * i).cast::<u32>().read_unaligned() } as usize;
    let (dst, len, entry, packed_len) = (word(0), word(1), word(2), word(3));
    // SAFETY: the packed bytes follow the header inside this segment; the
    // image range is the second segment, writable and mapped for `len`
    // bytes, and nothing else refers to it yet.
    let (packed, out) = unsafe {
        (
            core::slice::from_raw_parts(payload.add(16), packed_len),
            core::slice::from_raw_parts_mut(dst as *mut u8, len),
        )
    };
    brainwire_pack::unpack(packed, out);
    // SAFETY: mprotect(dst, len, PROT_READ | PROT_EXEC) on the image's
    // own pages; no Rust reference to them outlives this.
    unsafe {
        asm!("syscall", inlateout("rax") 10usize => _, in("rdi") dst, in("rsi") len, in("rdx") 5usize,
            lateout("rcx") _, lateout("r11") _, options(nostack));
    }
    entry
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    // SAFETY: ud2 raises SIGILL: a damaged packed executable stops there.
    unsafe { asm!("ud2", options(noreturn)) }
}
