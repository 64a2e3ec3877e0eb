//! Whole-file reading and all-or-nothing writing.
//!
//! Invariant: [`write_output`] either leaves `OUT` holding exactly the given
//! bytes or leaves the file system as it found it: the bytes go to a
//! temporary file beside `OUT` (`OUT.tmp<pid>`, created exclusively) that is
//! renamed over `OUT` only after every write and the close succeeded, and is
//! removed on any failure. Only a regular file (or nothing) is ever replaced:
//! a symbolic link is followed and its target replaced, and a device or FIFO
//! (`/dev/null`, `/dev/stdout`) is written in place, where no atomicity is
//! possible or expected.

use alloc::vec;
use alloc::vec::Vec;
use core::ffi::CStr;

use crate::sys::{self, Errno, Fd, FileId, FileType, EINVAL, EISDIR};


/// Reads a whole file. Returns its bytes and its identity (for the
/// same-file check).
pub fn read_all(path: &CStr) -> Result<(Vec<u8>, FileId), Errno> {
    let fd = Fd::open_read(path)?;
    let id = fd.identity()?;
    // The size is a hint: the read loop goes to end of file whatever it says.
    // One byte more than the hint lets the read that sees end of file run
    // without growing. Zeroed room comes from calloc (fresh pages, no cost
    // per byte); `Vec::resize` would zero it in a byte loop.
    let hint = usize::try_from(id.size).unwrap_or(0);
    let mut buf: Vec<u8> = vec![0; hint.saturating_add(1)];
    let mut len = 0;
    loop {
        if len == buf.len() {
            let mut more = vec![0; buf.len().max(32 * 1024) * 2];
            more[..len].copy_from_slice(&buf);
            buf = more;
        }
        let n = fd.read(&mut buf[len..])?;
        if n == 0 {
            buf.truncate(len);
            return Ok((buf, id));
        }
        len += n;
    }
}

/// Writes `bytes` to `out` (see the module invariant).
pub fn write_output(out: &CStr, bytes: &[u8]) -> Result<(), Errno> {
    match FileId::of_path(out).map(|id| id.file_type) {
        None => write_atomically(out, bytes),
        Some(FileType::Regular) => match sys::resolve(out) {
            Some(target) => {
                let target = sys::c_str(&target).ok_or(Errno(EINVAL))?;
                write_atomically(target, bytes)
            }
            None => write_atomically(out, bytes),
        },
        Some(FileType::Directory) => Err(Errno(EISDIR)),
        Some(FileType::Special) => {
            let fd = Fd::open_write(out)?;
            fd.write_all(bytes)?;
            fd.close()
        }
    }
}

/// Writes `bytes` to a new file beside `out`, then renames it over `out`.
fn write_atomically(out: &CStr, bytes: &[u8]) -> Result<(), Errno> {
    let tmp = temp_path(out);
    // Cannot fail: `out` has no interior NUL and the digits add none.
    let tmp = sys::c_str(&tmp).ok_or(Errno(EINVAL))?;
    let fd = Fd::create_new(tmp)?;
    let result = fd.write_all(bytes).and_then(|()| fd.close()).and_then(|()| sys::rename_file(tmp, out));
    if result.is_err() {
        sys::remove_file(tmp);
    }
    result
}

/// `OUT.tmp<pid>`, NUL-terminated.
fn temp_path(out: &CStr) -> Vec<u8> {
    let mut p = Vec::with_capacity(out.to_bytes().len() + 16);
    p.extend_from_slice(out.to_bytes());
    p.extend_from_slice(b".tmp");
    push_decimal(&mut p, sys::pid() as u64);
    p.push(0);
    p
}

/// Appends `n` in decimal (no core::fmt: it would cost kilobytes).
pub fn push_decimal(out: &mut Vec<u8>, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[i..]);
}
