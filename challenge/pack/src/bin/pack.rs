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
use brainwire_pack::{adapt, literal_context, unpack, DIST, HALF, IS_MATCH, IS_REP, LEN, LIT, PROBS};

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
}

/// One token of the parse: a literal byte, a match at the last distance
/// (`Rep`), or a match at a new distance; lengths are at least 2.
#[derive(Clone, Copy, Debug)]
enum Token {
    Literal,
    Rep { len: usize },
    Match { dist: usize, len: usize },
}

impl Token {
    fn len(self) -> usize {
        match self {
            Token::Literal => 1,
            Token::Rep { len } | Token::Match { len, .. } => len,
        }
    }
}

/// The length of the common prefix of `input[a..]` and `input[b..]`.
fn common(input: &[u8], a: usize, b: usize) -> usize {
    input[a..].iter().zip(&input[b..]).take_while(|(x, y)| x == y).count()
}

/// Every earlier match at `i` that is longer than all nearer ones, nearest
/// first, as (length, distance): the nearest distance for each length.
fn frontier(input: &[u8], i: usize) -> Vec<(usize, usize)> {
    let mut found = Vec::new();
    let mut longest = 1;
    for j in (0..i).rev() {
        let l = common(input, j, i);
        if l > longest {
            longest = l;
            found.push((l, i - j));
        }
    }
    found
}

/// The decisions of the Elias gamma code of `v` (`v >= 1`) in the block at
/// `base`, in order, as (context, bit).
fn gamma_bits(base: usize, v: usize, visit: &mut impl FnMut(usize, usize)) {
    let n = (usize::BITS - v.leading_zeros()) as usize;
    assert!((1..32).contains(&n), "gamma of {v}");
    for i in 0..n - 1 {
        visit(base + i, 1);
    }
    visit(base + n - 1, 0);
    for i in (0..n - 1).rev() {
        visit(base + 32 + (n - 1) * 32 + i, (v >> i) & 1);
    }
}

/// The decisions of the literal `byte` in the bit tree of context `prev`.
fn literal_bits(prev: usize, byte: u8, visit: &mut impl FnMut(usize, usize)) {
    let mut m = 1;
    for i in (0..8).rev() {
        let b = usize::from(byte >> i) & 1;
        visit(LIT + prev * 256 + m, b);
        m = (m << 1) | b;
    }
}

/// The unpacker's decisions for `tokens`, in order, as (context, bit): what
/// both the encoder and the parser's statistics walk.
fn bits(input: &[u8], tokens: &[Token], mut visit: impl FnMut(usize, usize)) {
    let (mut pos, mut matched) = (0usize, 0usize);
    for &t in tokens {
        match t {
            Token::Literal => {
                visit(IS_MATCH + matched, 0);
                literal_bits(literal_context(input, pos), input[pos], &mut visit);
                matched = 0;
            }
            Token::Rep { len } => {
                visit(IS_MATCH + matched, 1);
                visit(IS_REP + matched, 1);
                gamma_bits(LEN, len - 1, &mut visit);
                matched = 1;
            }
            Token::Match { dist, len } => {
                visit(IS_MATCH + matched, 1);
                visit(IS_REP + matched, 0);
                gamma_bits(DIST, dist, &mut visit);
                gamma_bits(LEN, len - 1, &mut visit);
                matched = 1;
            }
        }
        pos += t.len();
    }
}

/// Codes `tokens` (a parse of `input`).
fn encode(input: &[u8], tokens: &[Token]) -> Vec<u8> {
    let mut e = Encoder { rc: RangeEncoder::new(), out: Bytes(Vec::new()), p: vec![HALF; PROBS] };
    bits(input, tokens, |ctx, bit| e.bit(ctx, bit));
    let Encoder { rc, mut out, .. } = e;
    rc.finish(&mut out);
    out.0
}

/// A greedy parse with one step of lazy matching: the first parse, whose
/// statistics price the optimal one's.
fn greedy(input: &[u8], frontiers: &[Vec<(usize, usize)>]) -> Vec<Token> {
    let best = |i: usize| frontiers[i].last().copied().unwrap_or((0, 0));
    let mut tokens = Vec::new();
    let (mut pos, mut rep) = (0usize, 1usize);
    while pos < input.len() {
        let rep_len = if rep <= pos { common(input, pos - rep, pos) } else { 0 };
        let (len, dist) = best(pos);
        let take_rep = rep_len >= 2 && rep_len + 1 >= len;
        let take_match = !take_rep && len >= 3 && !(pos + 1 < input.len() && best(pos + 1).0 > len + 1);
        let t = if take_rep {
            Token::Rep { len: rep_len }
        } else if take_match {
            rep = dist;
            Token::Match { dist, len }
        } else {
            Token::Literal
        };
        tokens.push(t);
        pos += t.len();
    }
    tokens
}

/// Bits each decision costs, from how often each context saw a 1 in a
/// parse (a static estimate of the adaptive coder's cost).
struct Prices(Vec<[f64; 2]>);

impl Prices {
    fn of(input: &[u8], tokens: &[Token]) -> Self {
        let mut counts = vec![[0.4f64; 2]; PROBS];
        bits(input, tokens, |ctx, bit| counts[ctx][bit] += 1.0);
        Prices(counts.iter().map(|[z, o]| [-(z / (z + o)).log2(), -(o / (z + o)).log2()]).collect())
    }

    fn bit(&self, ctx: usize, bit: usize) -> f64 {
        self.0[ctx][bit]
    }

    fn gamma(&self, base: usize, v: usize) -> f64 {
        let mut cost = 0.0;
        gamma_bits(base, v, &mut |ctx, bit| cost += self.bit(ctx, bit));
        cost
    }

    fn literal(&self, prev: usize, byte: u8) -> f64 {
        let mut cost = 0.0;
        literal_bits(prev, byte, &mut |ctx, bit| cost += self.bit(ctx, bit));
        cost
    }
}

/// The cheapest parse under `prices` (dynamic programming over positions
/// and the last token's kind, each keeping the repeat distance of its best
/// path: an approximation, as LZMA's optimal parser makes).
fn optimal(input: &[u8], frontiers: &[Vec<(usize, usize)>], prices: &Prices) -> Vec<Token> {
    #[derive(Clone, Copy)]
    struct Best {
        cost: f64,
        rep: usize,
        /// The token that ends here and the state it left from.
        token: Token,
        from: usize,
    }
    let n = input.len();
    let none = Best { cost: f64::INFINITY, rep: 1, token: Token::Literal, from: 0 };
    // best[2 i + m]: `i` bytes coded, the last token a match (`m` = 1) or not.
    let mut best = vec![none; 2 * (n + 1)];
    best[0] = Best { cost: 0.0, ..none };
    let relax = |best: &mut Vec<Best>, at: usize, cost: f64, rep: usize, token: Token, from: usize| {
        if cost < best[at].cost {
            best[at] = Best { cost, rep, token, from };
        }
    };
    for i in 0..n {
        let matches = &frontiers[i];
        for m in 0..2 {
            let here = best[2 * i + m];
            if here.cost.is_infinite() {
                continue;
            }
            let lit = here.cost + prices.bit(IS_MATCH + m, 0) + prices.literal(literal_context(input, i), input[i]);
            relax(&mut best, 2 * (i + 1), lit, here.rep, Token::Literal, 2 * i + m);
            let is_match = here.cost + prices.bit(IS_MATCH + m, 1);
            if here.rep <= i {
                let rep_len = common(input, i - here.rep, i);
                let base = is_match + prices.bit(IS_REP + m, 1);
                for len in 2..=rep_len {
                    let cost = base + prices.gamma(LEN, len - 1);
                    relax(&mut best, 2 * (i + len) + 1, cost, here.rep, Token::Rep { len }, 2 * i + m);
                }
            }
            let base = is_match + prices.bit(IS_REP + m, 0);
            let mut shorter = 2;
            for &(longest, dist) in matches {
                let at_dist = base + prices.gamma(DIST, dist);
                for len in shorter..=longest {
                    let cost = at_dist + prices.gamma(LEN, len - 1);
                    relax(&mut best, 2 * (i + len) + 1, cost, dist, Token::Match { dist, len }, 2 * i + m);
                }
                shorter = longest + 1;
            }
        }
    }
    let mut at = if best[2 * n].cost <= best[2 * n + 1].cost { 2 * n } else { 2 * n + 1 };
    let mut tokens = Vec::new();
    while at > 1 {
        tokens.push(best[at].token);
        at = best[at].from;
    }
    tokens.reverse();
    tokens
}

/// Compresses `input`: the call filter ([`brainwire_pack::filter_calls`]),
/// then the greedy parse and optimal parses priced by the previous parse's
/// statistics, keeping the smallest output.
pub fn pack(input: &[u8]) -> Vec<u8> {
    let mut filtered = input.to_vec();
    brainwire_pack::filter_calls(&mut filtered, true);
    let input = &filtered[..];
    let frontiers: Vec<_> = (0..input.len()).map(|i| frontier(input, i)).collect();
    let mut tokens = greedy(input, &frontiers);
    let mut smallest = encode(input, &tokens);
    for _ in 0..PRICING_ROUNDS {
        tokens = optimal(input, &frontiers, &Prices::of(input, &tokens));
        let packed = encode(input, &tokens);
        if packed.len() < smallest.len() {
            smallest = packed;
        }
    }
    smallest
}

/// Rounds of pricing and parsing: the output stops shrinking after ~3.
const PRICING_ROUNDS: usize = 4;

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
        // Calls, near and far, back to back and cut off at the end.
        let calls: Vec<u8> = (0..400u32)
            .flat_map(|i| {
                let rel = [i.wrapping_mul(37), (i * 977).wrapping_neg(), i << 26][i as usize % 3];
                [&[0xE8][..], &rel.to_le_bytes(), &[0x90, 0xE8][..i as usize % 3]].concat()
            })
            .chain([0xE8, 0, 0])
            .collect();
        for input in [
            &noise[..],
            &text[..],
            &calls[..],
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
