//! The global allocator: every block is its own anonymous mapping.
//!
//! The commands allocate a few dozen blocks in a run (the input, the output,
//! a few small vectors), so a mapping per block costs nothing that matters
//! and needs no allocator code: fresh pages come zeroed (`vec![0; n]` costs
//! no instruction per byte), `mremap` grows a block without copying it, and
//! `munmap` returns it.

use core::alloc::{GlobalAlloc, Layout};

use super::kernel::{nr, syscall, MAP_PRIVATE_ANONYMOUS, MREMAP_MAYMOVE, PROT_READ_WRITE};

/// The global allocator over mmap, mremap and munmap.
pub struct PageAlloc;

/// Alignment of every mapping (the smallest page of both architectures).
const PAGE: usize = 4096;

/// A kernel return value as a block: null for an error (`-4095..0`).
fn block(ret: isize) -> *mut u8 {
    if (-4095..0).contains(&ret) { core::ptr::null_mut() } else { ret as *mut u8 }
}

// SAFETY: each block is a fresh private mapping of at least `layout.size()`
// bytes at a page boundary (so at any alignment up to `PAGE`; larger ones are
// refused with null), owned by its caller until dealloc or realloc, and null
// signals failure as GlobalAlloc requires.
unsafe impl GlobalAlloc for PageAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if layout.align() > PAGE {
            return core::ptr::null_mut();
        }
        block(syscall(nr::MMAP, 0, layout.size(), PROT_READ_WRITE, MAP_PRIVATE_ANONYMOUS, usize::MAX, 0))
    }

    /// A fresh mapping is zero already.
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        self.alloc(layout)
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        syscall(nr::MUNMAP, ptr as usize, layout.size(), 0, 0, 0, 0);
    }

    /// The mapping moved or resized by the kernel (its pages are not copied);
    /// the alignment of a page boundary is kept.
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        block(syscall(nr::MREMAP, ptr as usize, layout.size(), new_size, MREMAP_MAYMOVE, 0, 0))
    }
}

#[global_allocator]
static ALLOC: PageAlloc = PageAlloc;
