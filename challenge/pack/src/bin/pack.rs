//! `pack IN STUB OUT`: writes OUT, an executable that is STUB (the `unpack`
//! binary) followed by IN compressed: at start-up the stub restores IN's
//! one loaded segment (its whole file) at IN's address, makes it
//! read+execute and jumps to IN's entry point with the process's initial
//! stack, so OUT behaves as IN does. IN must be what challenge/build.rs
//! links: a static ELF64 executable whose single PT_LOAD segment is its
//! whole file (headers included) and holds no zero-filled part.
//!
//! OUT's program headers are STUB's three, patched: the stub's segment
//! grows by the payload; the second PT_LOAD (no file bytes) becomes IN's
//! address range, zero-filled writable memory for the stub to fill.
//! The payload is `dst, len, entry, packed_len` (u32 LE each) and the
//! packed bytes, at the end of the stub's segment (`__payload`).

use std::process::ExitCode;

use brainwire_core::range::RangeEncoder;
use brainwire_core::ByteSink;
use brainwire_pack::{adapt, unpack, DIST, HALF, IS_MATCH, IS_REP, LEN, LIT, PROBS};

fn u16_at(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes(b[at..at + 2].try_into().unwrap())
}
fn u64_at(b: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(b[at..at + 8].try_into().unwrap())
}
fn put64(b: &mut [u8], at: usize, v: u64) {
    b[at..at + 8].copy_from_slice(&v.to_le_bytes());
}

/// A program header's (type, offset, vaddr, filesz, memsz).
type Segment = (u32, u64, u64, u64, u64);

/// The program headers, checking the ELF header: ELF64, little-endian,
/// x86_64, ET_EXEC.
fn segments(elf: &[u8]) -> Result<Vec<Segment>, String> {
    if elf.len() < 64
        || &elf[..4] != b"\x7fELF"
        || elf[4] != 2
        || elf[5] != 1
        || u16_at(elf, 16) != 2
        || u16_at(elf, 18) != 62
    {
        return Err("not an x86_64 ELF64 executable".into());
    }
    let (phoff, phentsize, phnum) = (
        u64_at(elf, 32) as usize,
        u16_at(elf, 54) as usize,
        u16_at(elf, 56) as usize,
    );
    (0..phnum)
        .map(|i| {
            let p = elf
                .get(phoff + i * phentsize..phoff + i * phentsize + 56)
                .ok_or("program headers past the end")?;
            Ok((
                u32::from_le_bytes(p[..4].try_into().unwrap()),
                u64_at(p, 8),
                u64_at(p, 16),
                u64_at(p, 32),
                u64_at(p, 40),
            ))
        })
        .collect()
}

fn run(input: &str, stub: &str, output: &str) -> Result<(usize, usize), String> {
    let image = std::fs::read(input).map_err(|e| format!("{input}: {e}"))?;
    let mut out = std::fs::read(stub).map_err(|e| format!("{stub}: {e}"))?;
    const LOAD: u32 = 1;
    let loads: Vec<_> = segments(&image)?
        .into_iter()
        .filter(|s| s.0 == LOAD)
        .collect();
    let &[(_, 0, dst, filesz, memsz)] = &loads[..] else {
        return Err(format!("{input}: not one PT_LOAD at offset 0"));
    };
    if filesz != image.len() as u64 || memsz != filesz || dst + memsz > u32::MAX as u64 {
        return Err(format!("{input}: the segment is not the whole file"));
    }
    let entry = u64_at(&image, 24);
    let phoff = u64_at(&out, 32) as usize;
    let stub_segments = segments(&out)?;
    let [(LOAD, 0, code_vaddr, code_filesz, _), (LOAD, _, image_vaddr, 0, _), (0x6474_e551, ..)] =
        stub_segments[..]
    else {
        return Err(format!(
            "{stub}: not the unpack stub's three program headers"
        ));
    };
    if code_filesz > out.len() as u64 || image_vaddr != dst || code_vaddr + code_filesz > dst {
        return Err(format!(
            "{stub}: its segments do not fit {input} (payload at the end, image at {dst:#x})"
        ));
    }
    // The stub's segment is all of it that loads; no section headers (see
    // challenge/strip-sections.sh), and the image segment, which has no file
    // bytes, at offset 0 (congruent to its address).
    out.truncate(code_filesz as usize);
    put64(&mut out, 40, 0);
    out[58..64].fill(0);
    put64(&mut out, phoff + 56 + 8, 0);
    let packed = pack(&image);
    let mut check = vec![0u8; image.len()];
    unpack(&packed, &mut check);
    if check != image {
        return Err("the packed image does not unpack to the original (a packer bug)".into());
    }
    for v in [dst, image.len() as u64, entry, packed.len() as u64] {
        out.extend_from_slice(&(v as u32).to_le_bytes());
    }
    out.extend_from_slice(&packed);
    let total = out.len() as u64;
    // The stub's segment now ends at the end of the file; the image's is
    // IN's size.
    put64(&mut out, phoff + 32, total);
    put64(&mut out, phoff + 40, total);
    put64(&mut out, phoff + 56 + 40, image.len() as u64);
    std::fs::write(output, &out).map_err(|e| format!("{output}: {e}"))?;
    Ok((image.len(), out.len()))
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let [_, input, stub, output] = &args[..] else {
        eprintln!("usage: pack IN STUB OUT");
        return ExitCode::from(1);
    };
    match run(input, stub, output) {
        Ok((from, to)) => {
            println!("pack: {input} {from} -> {output} {to} bytes");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("pack: {e}");
            ExitCode::from(1)
        }
    }
}

/// The codec's range encoder, its output and the probabilities.
struct Encoder {
    rc: RangeEncoder,
    out: Bytes,
    p: Vec<u16>,
}

/// The packed bytes (the core's `Vec` sink needs its `alloc` feature, which
/// the no_std stub must not get).
struct Bytes(Vec<u8>);

impl ByteSink for Bytes {
    fn put(&mut self, byte: u8) {
        self.0.push(byte);
    }
}

impl Encoder {
    fn bit(&mut self, ctx: usize, bit: usize) {
        let p = &mut self.p[ctx];
        self.rc
            .encode_bit_split(bit == 1, u32::from(*p), &mut self.out);
        adapt(p, bit == 1);
    }

    fn gamma(&mut self, base: usize, v: usize) {
        let n = (usize::BITS - v.leading_zeros()) as usize;
        assert!((1..32).contains(&n), "gamma of {v}");
        for i in 0..n - 1 {
            self.bit(base + i, 1);
        }
        self.bit(base + n - 1, 0);
        for i in (0..n - 1).rev() {
            self.bit(base + 32 + (n - 1) * 32 + i, (v >> i) & 1);
        }
    }
}

/// Compresses `input` (a greedy parse with one step of lazy matching).
pub fn pack(input: &[u8]) -> Vec<u8> {
    let mut e = Encoder {
        rc: RangeEncoder::new(),
        out: Bytes(Vec::new()),
        p: vec![HALF; PROBS],
    };
    let common = |a: usize, b: usize| {
        input[a..]
            .iter()
            .zip(&input[b..])
            .take_while(|(x, y)| x == y)
            .count()
    };
    // Longest earlier match at `i`: (length, distance), nearest first.
    let best = |i: usize| -> (usize, usize) {
        let mut found = (0, 0);
        for j in (0..i).rev() {
            let l = common(j, i);
            if l > found.0 {
                found = (l, i - j);
            }
        }
        found
    };
    let (mut pos, mut matched, mut rep) = (0usize, 0usize, 1usize);
    while pos < input.len() {
        let rep_len = if rep <= pos {
            common(pos - rep, pos)
        } else {
            0
        };
        let (len, dist) = best(pos);
        let take_rep = rep_len >= 2 && rep_len + 1 >= len;
        let take_match =
            !take_rep && len >= 3 && !(pos + 1 < input.len() && best(pos + 1).0 > len + 1);
        if take_rep || take_match {
            e.bit(IS_MATCH + matched, 1);
            let l = if take_rep {
                e.bit(IS_REP + matched, 1);
                rep_len
            } else {
                e.bit(IS_REP + matched, 0);
                e.gamma(DIST, dist);
                rep = dist;
                len
            };
            e.gamma(LEN, l - 1);
            pos += l;
            matched = 1;
        } else {
            e.bit(IS_MATCH + matched, 0);
            let prev = if pos > 0 {
                usize::from(input[pos - 1] >> 5)
            } else {
                0
            };
            let mut m = 1;
            for i in (0..8).rev() {
                let b = usize::from(input[pos] >> i) & 1;
                e.bit(LIT + prev * 256 + m, b);
                m = (m << 1) | b;
            }
            pos += 1;
            matched = 0;
        }
    }
    let Encoder { rc, mut out, .. } = e;
    rc.finish(&mut out);
    out.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        let mut x = 12345u32;
        let noise: Vec<u8> = (0..3000)
            .map(|_| {
                x = x.wrapping_mul(1103515245).wrapping_add(12345);
                (x >> 16) as u8
            })
            .collect();
        let text = b"abcabcabcabcabd the quick brown fox the quick brown fox jumps".repeat(20);
        for input in [
            &noise[..],
            &text[..],
            b"",
            b"a",
            b"aaaaaaaaaaaaaaaaaaaaaaaaa",
        ] {
            let packed = pack(input);
            let mut out = vec![0u8; input.len()];
            unpack(&packed, &mut out);
            assert_eq!(out, input);
        }
    }
}
