//! The challenge's `encode` and `decode` executables, as small as they can
//! be: `no_std` over the C library, with the brainwire container doing the
//! work.
//!
//! Invariant: `unsafe` lives only in [`sys`] (FFI, allocator, panic handler,
//! entry point); everything else is safe code over its wrappers.
//!
//! Exit codes: 0 success, 1 usage (including OUT naming the input file),
//! 2 I/O error, 3 input not brainwire / damaged / needs a newer decoder,
//! 4 internal error (a bug, or out of memory).
#![no_std]
#![deny(unsafe_code)]

extern crate alloc;

pub mod cli;
pub mod files;
pub mod sys;
