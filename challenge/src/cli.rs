//! The two commands: argument parsing, the same-file guard, and one-line
//! error messages in plain words.
//!
//! Invariant: a command returns 0 only after `OUT` holds the complete result;
//! any other return is one of the `EXIT_*` codes below and comes with exactly
//! one line on standard error naming the tool, the file and the reason.
//! Messages are assembled from byte strings, not `core::fmt`, to keep the
//! binaries small.

use alloc::vec::Vec;
use core::ffi::CStr;

use brainwire_container::{decode_with, encode_with, Codecs, CoreError, Error, LiteOnly, MaxOnly, Profile};

use crate::files::{push_decimal, read_all, write_output as write_file};
use crate::sys::{self, Args, Errno, FileId};

/// Wrong arguments.
pub const EXIT_USAGE: i32 = 1;
/// A file could not be read or written.
pub const EXIT_IO: i32 = 2;
/// The input is not a brainwire file, is damaged, or needs a newer decoder.
pub const EXIT_BAD_INPUT: i32 = 3;
/// A bug or an exhausted allocator (see [`sys::EXIT_INTERNAL`]).
pub const EXIT_INTERNAL: i32 = sys::EXIT_INTERNAL;

/// What a pair of executables codes: the one profile it writes and reads,
/// and the names it answers to. The commands below are generic over it, so
/// each executable links its own profile's coder alone.
pub trait Pair {
    type Codecs: Codecs;
    const PROFILE: Profile;
    const ENCODE: &'static [u8];
    const DECODE: &'static [u8];
    const ENCODE_USAGE: &'static [u8];
    const DECODE_USAGE: &'static [u8];
}

/// `./encode` and `./decode`: the challenge entry, `max` version 4.
pub enum Challenge {}

impl Pair for Challenge {
    type Codecs = MaxOnly;
    const PROFILE: Profile = Profile::Max5;
    const ENCODE: &'static [u8] = b"encode";
    const DECODE: &'static [u8] = b"decode";
    const ENCODE_USAGE: &'static [u8] = b"usage: encode [--profile max] IN OUT\n";
    const DECODE_USAGE: &'static [u8] = b"usage: decode IN OUT\n";
}

/// `./encode-lite` and `./decode-lite`: the implant profile.
pub enum Lite {}

impl Pair for Lite {
    type Codecs = LiteOnly;
    const PROFILE: Profile = Profile::Lite;
    const ENCODE: &'static [u8] = b"encode-lite";
    const DECODE: &'static [u8] = b"decode-lite";
    const ENCODE_USAGE: &'static [u8] = b"usage: encode-lite [--profile lite] IN OUT\n";
    const DECODE_USAGE: &'static [u8] = b"usage: decode-lite IN OUT\n";
}

/// Prints `tool: part part ...` and returns `code`.
fn fail(tool: &[u8], parts: &[&[u8]], code: i32) -> i32 {
    let mut line = Vec::with_capacity(128);
    line.extend_from_slice(tool);
    line.extend_from_slice(b": ");
    for p in parts {
        line.extend_from_slice(p);
    }
    line.push(b'\n');
    sys::write_stderr(&line);
    code
}

fn usage(usage: &[u8]) -> i32 {
    sys::write_stderr(usage);
    EXIT_USAGE
}

fn io_fail(tool: &[u8], verb: &[u8], path: &CStr, e: Errno) -> i32 {
    let mut reason = Vec::new();
    e.push_message(&mut reason);
    fail(tool, &[b"cannot ", verb, b" ", path.to_bytes(), b": ", &reason], EXIT_IO)
}

/// Reads IN after checking that OUT is another file.
fn read_input(tool: &[u8], input: &CStr, output: &CStr) -> Result<Vec<u8>, i32> {
    let (bytes, id) = read_all(input).map_err(|e| io_fail(tool, b"read", input, e))?;
    let same_inode = |o: FileId| (o.dev, o.ino) == (id.dev, id.ino);
    if input == output || FileId::of_path(output).is_some_and(same_inode) {
        return Err(fail(tool, &[b"refusing to overwrite the input ", input.to_bytes()], EXIT_USAGE));
    }
    Ok(bytes)
}

fn write_output(tool: &[u8], output: &CStr, bytes: &[u8]) -> i32 {
    match write_file(output, bytes) {
        Ok(()) => 0,
        Err(e) => io_fail(tool, b"write", output, e),
    }
}

/// `encode [--profile NAME] IN OUT` (NAME: the pair's one profile)
pub fn encode_main<P: Pair>(mut args: Args) -> i32 {
    let (tool, encode_usage) = (P::ENCODE, P::ENCODE_USAGE);
    let mut paths: [Option<&CStr>; 2] = [None, None];
    let mut n = 0;
    while let Some(arg) = args.next() {
        match arg.to_bytes() {
            b"--profile" => {
                let name = args.next().and_then(|a| core::str::from_utf8(a.to_bytes()).ok());
                // Only the pair's own name: no table of every profile's.
                if name != Some(P::PROFILE.name()) {
                    return usage(encode_usage);
                }
            }
            b"-h" | b"--help" => {
                sys::write_stdout(encode_usage);
                return 0;
            }
            _ if n < 2 => {
                paths[n] = Some(arg);
                n += 1;
            }
            _ => return usage(encode_usage),
        }
    }
    let [Some(input), Some(output)] = paths else { return usage(encode_usage) };
    let original = match read_input(tool, input, output) {
        Ok(b) => b,
        Err(code) => return code,
    };
    let packed = encode_with::<P::Codecs>(&original, &[P::PROFILE]);
    drop(original);
    write_output(tool, output, &packed)
}

/// `decode IN OUT`
pub fn decode_main<P: Pair>(args: Args) -> i32 {
    let (tool, decode_usage) = (P::DECODE, P::DECODE_USAGE);
    let mut paths: [Option<&CStr>; 2] = [None, None];
    let mut n = 0;
    for arg in args {
        match arg.to_bytes() {
            b"-h" | b"--help" => {
                sys::write_stdout(decode_usage);
                return 0;
            }
            _ if n < 2 => {
                paths[n] = Some(arg);
                n += 1;
            }
            _ => return usage(decode_usage),
        }
    }
    let [Some(input), Some(output)] = paths else { return usage(decode_usage) };
    let packed = match read_input(tool, input, output) {
        Ok(b) => b,
        Err(code) => return code,
    };
    match decode_with::<P::Codecs>(&packed) {
        Ok(original) => {
            drop(packed);
            write_output(tool, output, &original)
        }
        Err(e) => {
            let (reason, number) = describe(&e);
            let mut line = Vec::from(reason);
            if let Some(n) = number {
                push_decimal(&mut line, n.into());
                line.push(b')');
            }
            fail(tool, &[input.to_bytes(), &line], EXIT_BAD_INPUT)
        }
    }
}

/// The plain-words reason for a decode error, and a number that completes
/// it (followed by a closing parenthesis).
fn describe(e: &Error) -> (&'static [u8], Option<u8>) {
    match *e {
        Error::NotBrainwire => (b" is not a brainwire file", None),
        Error::UnsupportedVersion(v) => (b" needs a newer decoder (format version ", Some(v)),
        Error::UnknownKind(k) => (b" needs a newer decoder (payload kind ", Some(k)),
        Error::UnknownHeaderMode(m) => (b" needs a newer decoder (header mode ", Some(m)),
        // A profile of another pair (`./encode-lite`'s in `./decode`, say).
        Error::Corrupt(CoreError::UnknownProfile(p)) if Profile::from_id(p).is_some() => {
            (b" is coded with another profile (use `brainwire decode`; codec profile ", Some(p))
        }
        Error::Corrupt(CoreError::UnknownProfile(p)) => (b" needs a newer decoder (codec profile ", Some(p)),
        Error::Corrupt(CoreError::UnknownLattice(l)) => (b" needs a newer decoder (ADC lattice ", Some(l)),
        Error::HeaderDamaged => (b" is damaged (header checksum mismatch)", None),
        Error::Truncated => (b" is damaged (truncated)", None),
        Error::TooLarge => (b" is too large to decode on this machine", None),
        Error::Corrupt(_) => (b" is damaged (coded samples are inconsistent)", None),
        Error::IntegrityMismatch { .. } => (b" is damaged (checksum mismatch)", None),
    }
}
