//! One channel of one chunk: its kind, its lattice map, its escapes and the
//! core stream of its codes (FORMAT.md, "Substream").
//!
//! Invariant: `decode(encode(xs)) == xs` for every sample sequence of the
//! dtype, whatever the lattice mode; `encode` never returns more than
//! `1 + xs.len() * width` bytes (the raw kind is always a candidate).

use brainwire_core::{decode_le_prefix_with_lite_tables, decode_le_with_lite_tables, encode_le_with_lite_codebook, lite, AdcLattice, Profile};

use crate::dtype::SampleType;
use crate::error::Error;
use crate::lattice::{self, AffineMap, ANY_CODE, ChannelLattice, CodeRange, IDENTITY_CODES, MAX_ESCAPE_SHARE_DIV, MIN_NEURALINK10_GAIN_Q10, NEURALINK10_CODES};
use crate::varint::{put_i64, put_u64, Cursor};
use crate::LatticeMode;

/// Substream kind bytes.
pub const KIND_RAW: u8 = 0;
pub const KIND_CONSTANT: u8 = 1;
pub const KIND_AFFINE: u8 = 2;
pub const KIND_NEURALINK10: u8 = 3;
pub const KIND_AFFINE_NEURALINK10: u8 = 4;

/// What a substream holds, for `inspect`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SubstreamInfo {
    /// Samples stored verbatim.
    Raw,
    /// Every sample is `value`.
    Constant { value: i64 },
    /// Codes through a core profile, with this map and number of escapes.
    Coded { lattice: ChannelLattice, escapes: u64, profile: Profile },
}

impl std::fmt::Display for SubstreamInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Raw => f.write_str("raw"),
            Self::Constant { value } => write!(f, "constant {value}"),
            Self::Coded { lattice, escapes, profile } => {
                match lattice {
                    ChannelLattice::Neuralink10 => f.write_str("neuralink10")?,
                    ChannelLattice::Affine { step: 1, offset: 0 } => f.write_str("identity")?,
                    ChannelLattice::Affine { step, offset } => write!(f, "step {step} offset {offset}")?,
                    ChannelLattice::AffineNeuralink10 { step, offset } => write!(f, "step {step} offset {offset} onto neuralink10")?,
                }
                if *escapes > 0 {
                    write!(f, " ({escapes} escapes)")?;
                }
                write!(f, ", {}", profile.name())
            }
        }
    }
}

/// The maps worth trying for the samples `xs` of type `dtype` under `mode`
/// (the encoder keeps the smallest).
fn candidate_lattices(xs: &[i32], dtype: SampleType, mode: LatticeMode) -> Vec<ChannelLattice> {
    match mode {
        LatticeMode::Step { step, offset } => vec![ChannelLattice::Affine { step: step.max(1), offset: offset.into() }],
        LatticeMode::Identity => vec![ChannelLattice::Affine { step: 1, offset: lattice::start_offset(xs, 1, 0) }],
        LatticeMode::Auto => {
            if dtype == SampleType::I16 && lattice::is_neuralink10(xs) {
                return vec![ChannelLattice::Neuralink10];
            }
            let limit = xs.len() / MAX_ESCAPE_SHARE_DIV;
            let (step, residue) = match lattice::detect_step(xs) {
                Some((step, residue)) if step >= 2 && AffineMap::new(step, residue).escapes(xs, ANY_CODE) <= limit => (step, residue),
                _ => (1, 0),
            };
            let mut out = vec![ChannelLattice::Affine { step, offset: lattice::start_offset(xs, step, residue) }];
            // The widths' ripple score alone is fooled by uneven histograms
            // (a random walk, a few discrete levels): it only nominates the
            // 10-bit map, and coding both decides (on the chunk's first
            // samples: `TRIAL_SAMPLES`).
            if let Some((offset, gain)) = lattice::neuralink10_offset(xs, step, residue) {
                if gain >= MIN_NEURALINK10_GAIN_Q10 && AffineMap::new(step, offset).escapes(xs, NEURALINK10_CODES) <= limit {
                    out.push(ChannelLattice::AffineNeuralink10 { step, offset });
                }
            }
            out
        }
    }
}

/// The substream of `xs` under one map, or `None` when the map has too many
/// escapes to be worth it.
fn encode_with(xs: &[i32], lattice: ChannelLattice, profile: Profile) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(xs.len() / 2 + 16);
    match lattice {
        ChannelLattice::Neuralink10 => {
            out.push(KIND_NEURALINK10);
            let le: Vec<u8> = xs.iter().flat_map(|&x| (x as i16).to_le_bytes()).collect();
            encode_core(profile, AdcLattice::Neuralink10, &le, &mut out);
        }
        ChannelLattice::Affine { step, offset } => affine(xs, step, offset, IDENTITY_CODES, KIND_AFFINE, profile, &mut out).then_some(())?,
        ChannelLattice::AffineNeuralink10 { step, offset } => affine(xs, step, offset, NEURALINK10_CODES, KIND_AFFINE_NEURALINK10, profile, &mut out).then_some(())?,
    }
    Some(out)
}

/// The core stream of `le` (the lite codebook built once a thread, not
/// once a substream).
fn encode_core(profile: Profile, lattice: AdcLattice, le: &[u8], out: &mut Vec<u8>) {
    thread_local! {
        static LITE_CODEBOOK: Box<lite::Codebook> = Box::new(lite::Codebook::new());
    }
    LITE_CODEBOOK.with(|c| encode_le_with_lite_codebook(profile, lattice, le, out, c));
}

fn raw(xs: &[i32], dtype: SampleType) -> Vec<u8> {
    let w = dtype.width();
    let mut out = vec![0u8; 1 + xs.len() * w];
    out[0] = KIND_RAW;
    for (x, b) in xs.iter().zip(out[1..].chunks_exact_mut(w)) {
        dtype.write(i64::from(*x), b);
    }
    out
}

/// When a chunk's channel has two candidate maps (its step's identity and
/// the 10-bit lattice), both are coded on its first `TRIAL_SAMPLES` and the
/// whole chunk with the smaller only: coding the whole chunk twice cost a
/// quarter of the encode of scaled codes, the trial 0.01 % of their size
/// (docs/chunked.md, "Choosing the map").
const TRIAL_SAMPLES: usize = 4096;

/// Codes one channel of one chunk.
pub fn encode(xs: &[i32], dtype: SampleType, mode: LatticeMode, profile: Profile) -> Vec<u8> {
    let raw_len = 1 + xs.len() * dtype.width();
    if let Some(&first) = xs.first() {
        if xs.iter().all(|&x| x == first) {
            let mut out = vec![KIND_CONSTANT];
            put_i64(&mut out, first.into());
            return out;
        }
    }
    let mut candidates = candidate_lattices(xs, dtype, mode);
    let fits = |s: &Vec<u8>| s.len() < raw_len;
    // Short chunks code every candidate whole: the trial would be most of it.
    if candidates.len() > 1 && xs.len() >= 2 * TRIAL_SAMPLES {
        let trial = &xs[..TRIAL_SAMPLES];
        candidates.sort_by_cached_key(|&l| encode_with(trial, l, profile).map_or(usize::MAX, |s| s.len()));
        // The trial's winner, unless the whole chunk refuses it.
        return candidates.into_iter().filter_map(|l| encode_with(xs, l, profile)).find(fits).unwrap_or_else(|| raw(xs, dtype));
    }
    candidates
        .into_iter()
        .filter_map(|l| encode_with(xs, l, profile))
        .filter(fits)
        .min_by_key(Vec::len)
        .unwrap_or_else(|| raw(xs, dtype))
}

/// Writes an affine substream of `kind` (codes in `range` on its core
/// lattice); false when it would have too many escapes to be worth it.
fn affine(xs: &[i32], step: u32, offset: i64, range: CodeRange, kind: u8, profile: Profile, out: &mut Vec<u8>) -> bool {
    let map = AffineMap::new(step, offset);
    let ten_bit = kind == KIND_AFFINE_NEURALINK10;
    // One pass: each sample's code (its placeholder when off the map) as
    // the core's little-endian word, and the escapes' positions and
    // placeholders.
    let mut le = vec![0u8; 2 * xs.len()];
    let mut escapes: Vec<(usize, i64)> = Vec::new();
    for (i, (&x, word)) in xs.iter().zip(le.chunks_exact_mut(2)).enumerate() {
        let x = i64::from(x);
        let c = match map.code(x, range) {
            Some(c) => c,
            None => {
                let c = map.placeholder(x, range);
                escapes.push((i, c));
                c
            }
        };
        let value = if ten_bit { AdcLattice::Neuralink10.value(c as u32) } else { c as i16 };
        word.copy_from_slice(&value.to_le_bytes());
    }
    if escapes.len() > xs.len() / MAX_ESCAPE_SHARE_DIV + 16 {
        return false;
    }
    out.push(kind);
    put_u64(out, step.into());
    put_i64(out, offset);
    put_u64(out, escapes.len() as u64);
    let mut next = 0;
    for &(i, c) in &escapes {
        put_u64(out, (i - next) as u64);
        put_i64(out, i64::from(xs[i]) - offset - i64::from(step) * c);
        next = i + 1;
    }
    encode_core(profile, if ten_bit { AdcLattice::Neuralink10 } else { AdcLattice::Identity16 }, &le, out);
    true
}

fn core_error(e: brainwire_core::Error) -> Error {
    match e {
        brainwire_core::Error::UnknownProfile(p) => Error::Unsupported(format!("codec profile {p} (written by a newer brainwire?)")),
        brainwire_core::Error::UnknownLattice(l) => Error::Unsupported(format!("codec lattice {l} (written by a newer brainwire?)")),
        other => Error::malformed(other.to_string()),
    }
}

/// The first `limit` of the `n` samples of a core stream, as little-endian
/// words; the stream's end is checked only when all are decoded (a window
/// that ends early in a chunk stops there: its CRC has vouched for the
/// bytes).
fn core_prefix(stream: &[u8], n: usize, limit: usize) -> Result<Vec<u8>, Error> {
    // Each thread builds the lite tables once, not once a substream.
    thread_local! {
        static LITE_TABLES: Box<lite::DecodeTables> = Box::new(lite::DecodeTables::new());
    }
    let mut le = vec![0u8; 2 * limit];
    LITE_TABLES
        .with(|t| if limit == n { decode_le_with_lite_tables(stream, &mut le, t) } else { decode_le_prefix_with_lite_tables(stream, &mut le, t) })
        .map_err(core_error)?;
    Ok(le)
}

/// Decodes the first `limit` (at most `n`) of the `n` samples of a
/// substream into `out` (cleared first).
pub fn decode(bytes: &[u8], n: usize, limit: usize, dtype: SampleType, out: &mut Vec<i32>) -> Result<(), Error> {
    out.clear();
    let limit = limit.min(n);
    let mut cur = Cursor::new(bytes);
    let kind = cur.u8()?;
    let check = |v: i64| -> Result<i32, Error> {
        if dtype.contains(v) {
            Ok(v as i32)
        } else {
            Err(Error::malformed(format!("a decoded value {v} is outside {}", dtype.name())))
        }
    };
    match kind {
        KIND_RAW => {
            let w = dtype.width();
            if cur.rest().len() != n * w {
                return Err(Error::malformed("a raw substream has the wrong length"));
            }
            out.extend(cur.rest().chunks_exact(w).take(limit).map(|b| dtype.read(b) as i32));
        }
        KIND_CONSTANT => {
            let v = check(cur.i64()?)?;
            if !cur.rest().is_empty() {
                return Err(Error::malformed("bytes follow a constant substream"));
            }
            out.resize(limit, v);
        }
        KIND_NEURALINK10 => {
            if dtype != SampleType::I16 {
                return Err(Error::malformed("a 10-bit lattice substream in a stream that is not int16"));
            }
            let stream = cur.rest();
            if stream.get(1) != Some(&AdcLattice::Neuralink10.id()) {
                return Err(Error::malformed("a 10-bit lattice substream whose core stream names another lattice"));
            }
            let le = core_prefix(stream, n, limit)?;
            out.extend(le.chunks_exact(2).map(|b| i32::from(i16::from_le_bytes([b[0], b[1]]))));
        }
        KIND_AFFINE | KIND_AFFINE_NEURALINK10 => {
            let step = cur.u64()?;
            if step == 0 || step > u64::from(u32::MAX) {
                return Err(Error::malformed(format!("lattice step {step}")));
            }
            let offset = cur.i64()?;
            if !(-(1i64 << 40)..=(1i64 << 40)).contains(&offset) {
                return Err(Error::malformed(format!("lattice offset {offset}")));
            }
            let count = cur.u64()?;
            if count > n as u64 {
                return Err(Error::malformed("more escapes than samples"));
            }
            let mut escapes = Vec::with_capacity(count as usize);
            let mut next = 0u64;
            for _ in 0..count {
                let i = next.checked_add(cur.u64()?).filter(|&i| i < n as u64).ok_or_else(|| Error::malformed("an escape past the chunk's end"))?;
                let delta = cur.i64()?;
                if !(-(1i64 << 40)..=(1i64 << 40)).contains(&delta) {
                    return Err(Error::malformed("an escape's value is out of range"));
                }
                escapes.push((i as usize, delta));
                next = i + 1;
            }
            let stream = cur.rest();
            let core_lattice = if kind == KIND_AFFINE { AdcLattice::Identity16 } else { AdcLattice::Neuralink10 };
            if stream.get(1) != Some(&core_lattice.id()) {
                return Err(Error::malformed("an affine substream whose core stream names another lattice"));
            }
            let le = core_prefix(stream, n, limit)?;
            let s = step as i64;
            let mut e = escapes.into_iter().peekable();
            for (i, b) in le.chunks_exact(2).enumerate() {
                let word = i16::from_le_bytes([b[0], b[1]]);
                let c = match core_lattice {
                    AdcLattice::Identity16 => i64::from(word),
                    AdcLattice::Neuralink10 => i64::from(core_lattice.code(word).ok_or_else(|| Error::malformed("a value off the 10-bit lattice in an affine substream"))?),
                };
                let mut v = offset + s * c;
                if let Some((_, delta)) = e.next_if(|&(j, _)| j == i) {
                    v += delta;
                }
                out.push(check(v)?);
            }
        }
        k => return Err(Error::Unsupported(format!("substream kind {k} (written by a newer brainwire?)"))),
    }
    Ok(())
}

/// What a substream holds, from its first bytes.
pub fn describe(bytes: &[u8]) -> Result<SubstreamInfo, Error> {
    let mut cur = Cursor::new(bytes);
    let profile_of = |s: &[u8]| -> Result<Profile, Error> {
        let id = *s.first().ok_or_else(|| Error::malformed("a substream without its core header"))?;
        Profile::from_id(id).ok_or_else(|| Error::Unsupported(format!("codec profile {id}")))
    };
    Ok(match cur.u8()? {
        KIND_RAW => SubstreamInfo::Raw,
        KIND_CONSTANT => SubstreamInfo::Constant { value: cur.i64()? },
        KIND_NEURALINK10 => SubstreamInfo::Coded { lattice: ChannelLattice::Neuralink10, escapes: 0, profile: profile_of(cur.rest())? },
        kind @ (KIND_AFFINE | KIND_AFFINE_NEURALINK10) => {
            let step = cur.u64()? as u32;
            let offset = cur.i64()?;
            let escapes = cur.u64()?;
            for _ in 0..escapes {
                cur.u64()?;
                cur.i64()?;
            }
            let lattice = if kind == KIND_AFFINE { ChannelLattice::Affine { step, offset } } else { ChannelLattice::AffineNeuralink10 { step, offset } };
            SubstreamInfo::Coded { lattice, escapes, profile: profile_of(cur.rest())? }
        }
        k => return Err(Error::Unsupported(format!("substream kind {k}"))),
    })
}
