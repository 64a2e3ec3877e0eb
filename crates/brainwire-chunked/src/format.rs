//! The fixed parts of a chunked stream: header, chunk table, index, trailer
//! (FORMAT.md has the byte layout).

use crate::dtype::SampleType;
use crate::error::Error;

pub const MAGIC: [u8; 4] = *b"BWCH";
pub const TRAILER_MAGIC: [u8; 4] = *b"BWCI";
pub const VERSION: u8 = 1;
/// Header bytes before the metadata.
pub const HEADER_FIXED_LEN: usize = 28;
/// Trailer: index offset (8), index length (4), index CRC-32 (4), magic (4).
pub const TRAILER_LEN: usize = 20;
pub const MAX_METADATA_LEN: usize = 1 << 16;

const FLAG_RATE: u8 = 1;
const FLAG_CHECKSUMS: u8 = 2;

/// CRC-64/XZ, the hash of the whole recording's bytes, slice-by-16 (a serial
/// pass over every byte in the encoder's and decoder's own thread: byte at a
/// time it was a tenth of a 2-thread encode).
pub static CRC64: crc::Crc<u64, crc::Table<16>> = crc::Crc::<u64, crc::Table<16>>::new(&crc::CRC_64_XZ);
/// A running [`CRC64`].
pub type Digest = crc::Digest<'static, u64, crc::Table<16>>;

pub fn crc32(bytes: &[u8]) -> u32 {
    crc32fast::hash(bytes)
}

/// What the header says.
#[derive(Clone, Debug, PartialEq)]
pub struct Header {
    pub dtype: SampleType,
    pub channels: u32,
    pub chunk_frames: u32,
    pub rate_hz: Option<f64>,
    pub checksums: bool,
    pub metadata: Vec<u8>,
}

impl Header {
    pub fn write(&self) -> Vec<u8> {
        let mut h = Vec::with_capacity(HEADER_FIXED_LEN + self.metadata.len() + 4);
        h.extend_from_slice(&MAGIC);
        h.push(VERSION);
        h.push(self.dtype.id());
        h.push(if self.rate_hz.is_some() { FLAG_RATE } else { 0 } | if self.checksums { FLAG_CHECKSUMS } else { 0 });
        h.push(0);
        h.extend_from_slice(&self.channels.to_le_bytes());
        h.extend_from_slice(&self.chunk_frames.to_le_bytes());
        h.extend_from_slice(&self.rate_hz.unwrap_or(0.0).to_le_bytes());
        h.extend_from_slice(&(self.metadata.len() as u32).to_le_bytes());
        h.extend_from_slice(&self.metadata);
        let crc = crc32(&h);
        h.extend_from_slice(&crc.to_le_bytes());
        h
    }

    /// Parses the fixed part; returns the header without its metadata and
    /// the metadata length still to read.
    pub fn parse_fixed(b: &[u8; HEADER_FIXED_LEN]) -> Result<(Self, usize), Error> {
        if b[..4] != MAGIC {
            return Err(Error::malformed("not a chunked brainwire stream (bad magic)"));
        }
        if b[4] != VERSION {
            return Err(Error::Unsupported(format!("chunked format version {} (this build reads {VERSION})", b[4])));
        }
        let dtype = SampleType::from_id(b[5]).ok_or_else(|| Error::Unsupported(format!("sample type {}", b[5])))?;
        let flags = b[6];
        if flags & !(FLAG_RATE | FLAG_CHECKSUMS) != 0 || b[7] != 0 {
            return Err(Error::Unsupported(format!("header flags {flags:#04x}")));
        }
        let u32_at = |i: usize| u32::from_le_bytes(b[i..i + 4].try_into().unwrap());
        let channels = u32_at(8);
        let chunk_frames = u32_at(12);
        let rate = f64::from_le_bytes(b[16..24].try_into().unwrap());
        let meta_len = u32_at(24) as usize;
        if channels == 0 || chunk_frames == 0 || meta_len > MAX_METADATA_LEN {
            return Err(Error::malformed("header with zero channels, zero chunk length or oversized metadata"));
        }
        let rate_hz = if flags & FLAG_RATE != 0 {
            if !(rate.is_finite() && rate > 0.0) {
                return Err(Error::malformed(format!("sampling rate {rate}")));
            }
            Some(rate)
        } else {
            None
        };
        Ok((Self { dtype, channels, chunk_frames, rate_hz, checksums: flags & FLAG_CHECKSUMS != 0, metadata: Vec::new() }, meta_len))
    }

    pub fn frame_bytes(&self) -> usize {
        self.channels as usize * self.dtype.width()
    }

    /// Bytes of a chunk's table: per channel the substream length (and its
    /// CRC-32), then the table's own CRC-32 when checksums are on.
    pub fn table_len(&self) -> usize {
        if self.checksums {
            self.channels as usize * 8 + 4
        } else {
            self.channels as usize * 4
        }
    }
}

/// Where chunk `k` lies in the stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChunkEntry {
    pub offset: u64,
    pub len: u64,
}

/// The index at the end of the stream.
#[derive(Clone, Debug, PartialEq)]
pub struct Index {
    pub frames: u64,
    pub chunks: Vec<ChunkEntry>,
    pub tail: Vec<u8>,
    pub whole_crc64: Option<u64>,
}

impl Index {
    pub fn write(&self) -> Vec<u8> {
        let mut b = Vec::with_capacity(16 + self.chunks.len() * 12 + self.tail.len() + 8);
        b.extend_from_slice(&self.frames.to_le_bytes());
        b.extend_from_slice(&(self.chunks.len() as u64).to_le_bytes());
        for c in &self.chunks {
            b.extend_from_slice(&c.offset.to_le_bytes());
            b.extend_from_slice(&(c.len as u32).to_le_bytes());
        }
        b.extend_from_slice(&(self.tail.len() as u32).to_le_bytes());
        b.extend_from_slice(&self.tail);
        if let Some(h) = self.whole_crc64 {
            b.extend_from_slice(&h.to_le_bytes());
        }
        b
    }

    /// Parses and checks an index against its header: chunk count, chunk
    /// contiguity from `first_chunk` to `index_offset`, tail shorter than a
    /// frame.
    pub fn parse(b: &[u8], header: &Header, first_chunk: u64, index_offset: u64) -> Result<Self, Error> {
        let bad = || Error::malformed("the index is inconsistent");
        let mut pos = 0usize;
        let mut take = |n: usize| -> Result<&[u8], Error> {
            let s = b.get(pos..pos + n).ok_or_else(bad)?;
            pos += n;
            Ok(s)
        };
        let frames = u64::from_le_bytes(take(8)?.try_into().unwrap());
        let count = u64::from_le_bytes(take(8)?.try_into().unwrap());
        let expected = frames.div_ceil(u64::from(header.chunk_frames));
        if count != expected {
            return Err(bad());
        }
        let mut chunks = Vec::with_capacity(count as usize);
        let mut at = first_chunk;
        for _ in 0..count {
            let offset = u64::from_le_bytes(take(8)?.try_into().unwrap());
            let len = u64::from(u32::from_le_bytes(take(4)?.try_into().unwrap()));
            if offset != at || (len as usize) < header.table_len() {
                return Err(bad());
            }
            at = offset + len;
            chunks.push(ChunkEntry { offset, len });
        }
        if at != index_offset {
            return Err(bad());
        }
        let tail_len = u32::from_le_bytes(take(4)?.try_into().unwrap()) as usize;
        if tail_len >= header.frame_bytes() {
            return Err(bad());
        }
        let tail = take(tail_len)?.to_vec();
        let whole_crc64 = if header.checksums { Some(u64::from_le_bytes(take(8)?.try_into().unwrap())) } else { None };
        if pos != b.len() {
            return Err(bad());
        }
        Ok(Self { frames, chunks, tail, whole_crc64 })
    }
}

pub fn write_trailer(index_offset: u64, index: &[u8]) -> [u8; TRAILER_LEN] {
    let mut t = [0u8; TRAILER_LEN];
    t[..8].copy_from_slice(&index_offset.to_le_bytes());
    t[8..12].copy_from_slice(&(index.len() as u32).to_le_bytes());
    t[12..16].copy_from_slice(&crc32(index).to_le_bytes());
    t[16..].copy_from_slice(&TRAILER_MAGIC);
    t
}

/// (index offset, index length, index CRC-32).
pub fn parse_trailer(t: &[u8; TRAILER_LEN]) -> Result<(u64, usize, u32), Error> {
    if t[16..] != TRAILER_MAGIC {
        return Err(Error::malformed("the stream does not end with its index trailer (truncated?)"));
    }
    Ok((
        u64::from_le_bytes(t[..8].try_into().unwrap()),
        u32::from_le_bytes(t[8..12].try_into().unwrap()) as usize,
        u32::from_le_bytes(t[12..16].try_into().unwrap()),
    ))
}

/// A chunk's table: each channel's substream length and CRC-32.
pub fn write_table(header: &Header, subs: &[Vec<u8>], out: &mut Vec<u8>) {
    let start = out.len();
    for s in subs {
        out.extend_from_slice(&(s.len() as u32).to_le_bytes());
        if header.checksums {
            out.extend_from_slice(&crc32(s).to_le_bytes());
        }
    }
    if header.checksums {
        let crc = crc32(&out[start..]);
        out.extend_from_slice(&crc.to_le_bytes());
    }
}

/// Per channel (offset within the chunk, length, CRC-32 if any).
pub fn parse_table(header: &Header, table: &[u8], chunk_len: u64) -> Result<Vec<(u64, u64, Option<u32>)>, Error> {
    let per = if header.checksums { 8 } else { 4 };
    let n = header.channels as usize;
    if header.checksums {
        let stored = u32::from_le_bytes(table[n * 8..n * 8 + 4].try_into().unwrap());
        if crc32(&table[..n * 8]) != stored {
            return Err(Error::malformed("its table fails its CRC-32"));
        }
    }
    let mut at = header.table_len() as u64;
    let mut out = Vec::with_capacity(n);
    for e in table[..n * per].chunks_exact(per) {
        let len = u64::from(u32::from_le_bytes(e[..4].try_into().unwrap()));
        let crc = header.checksums.then(|| u32::from_le_bytes(e[4..8].try_into().unwrap()));
        out.push((at, len, crc));
        at += len;
    }
    if at != chunk_len {
        return Err(Error::malformed("its substream lengths do not add up to its length"));
    }
    Ok(out)
}
