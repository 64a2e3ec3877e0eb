//! The global allocator over the C library's malloc.

use core::alloc::{GlobalAlloc, Layout};

use super::libc::{calloc, free, malloc, posix_memalign, realloc};

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

