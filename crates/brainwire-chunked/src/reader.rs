//! Random-access decoder: reads the header, trailer and index, then serves
//! any time window of any channel subset, reading and decoding only the
//! chunks and substreams it needs.

use std::io::{Read, Seek, SeekFrom};

use rayon::prelude::*;

use crate::error::Error;
use crate::frames::interleave;
use crate::format::{parse_table, parse_trailer, crc32, Digest, Header, Index, CRC64, HEADER_FIXED_LEN, TRAILER_LEN};
use crate::substream::{self, SubstreamInfo};
use crate::pool::{Job, Pool};
use crate::ArrayInfo;

/// Chunks decoded at once per thread, at most.
const BATCH_CHUNKS_PER_THREAD: usize = 2;
/// Decoded samples (4 bytes each) a batch may hold: the decoder's memory
/// bound, with the batch's coded and interleaved bytes.
const BATCH_DECODED_BYTES: usize = 32 << 20;

/// A chunked stream opened for reading.
pub struct Reader<R: Read + Seek> {
    src: R,
    header: Header,
    index: Index,
    pool: Pool,
}

impl<R: Read + Seek> Reader<R> {
    /// Opens a stream, decoding with all cores.
    pub fn new(src: R) -> Result<Self, Error> {
        Self::with_threads(src, 0)
    }

    /// Opens a stream; `threads` = 0 uses all cores (the output never depends
    /// on it).
    pub fn with_threads(mut src: R, threads: usize) -> Result<Self, Error> {
        let len = src.seek(SeekFrom::End(0))?;
        src.seek(SeekFrom::Start(0))?;
        let mut fixed = [0u8; HEADER_FIXED_LEN];
        read_exact(&mut src, &mut fixed, "header")?;
        let (mut header, meta_len) = Header::parse_fixed(&fixed)?;
        let mut rest = vec![0u8; meta_len + 4];
        read_exact(&mut src, &mut rest, "header")?;
        header.metadata = rest[..meta_len].to_vec();
        let header_len = (HEADER_FIXED_LEN + meta_len + 4) as u64;
        let stored = u32::from_le_bytes(rest[meta_len..].try_into().unwrap());
        if crc32(&header.write()[..header_len as usize - 4]) != stored {
            return Err(Error::malformed("the header fails its CRC-32"));
        }
        if len < header_len + TRAILER_LEN as u64 {
            return Err(Error::malformed("the stream ends before its index (truncated?)"));
        }
        src.seek(SeekFrom::Start(len - TRAILER_LEN as u64))?;
        let mut trailer = [0u8; TRAILER_LEN];
        read_exact(&mut src, &mut trailer, "trailer")?;
        let (index_offset, index_len, index_crc) = parse_trailer(&trailer)?;
        if index_offset < header_len || index_offset.checked_add(index_len as u64) != Some(len - TRAILER_LEN as u64) {
            return Err(Error::malformed("the trailer points outside the stream"));
        }
        src.seek(SeekFrom::Start(index_offset))?;
        let mut index = vec![0u8; index_len];
        read_exact(&mut src, &mut index, "index")?;
        if crc32(&index) != index_crc {
            return Err(Error::malformed("the index fails its CRC-32"));
        }
        let index = Index::parse(&index, &header, header_len, index_offset)?;
        Ok(Self { src, header, index, pool: Pool::new(threads)? })
    }

    pub fn info(&self) -> ArrayInfo {
        ArrayInfo {
            dtype: self.header.dtype,
            frames: self.index.frames,
            channels: self.header.channels,
            rate_hz: self.header.rate_hz,
            metadata: self.header.metadata.clone(),
        }
    }

    pub fn chunk_frames(&self) -> u64 {
        self.header.chunk_frames.into()
    }

    pub fn chunk_count(&self) -> usize {
        self.index.chunks.len()
    }

    /// Byte offset and length of chunk `k` in the stream.
    pub fn index_entry(&self, k: usize) -> (u64, u64) {
        let e = self.index.chunks[k];
        (e.offset, e.len)
    }

    pub fn checksums(&self) -> bool {
        self.header.checksums
    }

    /// The bytes after the last whole frame, kept verbatim.
    pub fn tail(&self) -> &[u8] {
        &self.index.tail
    }

    /// Frames `[start, end)` of chunk `k`.
    pub fn chunk_range(&self, k: usize) -> (u64, u64) {
        let f = self.chunk_frames();
        let start = k as u64 * f;
        (start, (start + f).min(self.index.frames))
    }

    /// Names chunk `k` and its time range in errors.
    fn chunk_error(&self, k: usize, ch: Option<usize>, e: Error) -> Error {
        let (a, b) = self.chunk_range(k);
        let time = match self.header.rate_hz {
            Some(r) => format!(", {:.3}-{:.3} s", a as f64 / r, b as f64 / r),
            None => String::new(),
        };
        let chan = ch.map(|c| format!(" channel {c}")).unwrap_or_default();
        match e {
            Error::Malformed(m) => Error::Malformed(format!("chunk {k} (frames {a}..{b}{time}){chan}: {m}")),
            Error::Unsupported(m) => Error::Unsupported(format!("chunk {k} (frames {a}..{b}{time}){chan}: {m}")),
            other => other,
        }
    }

    /// The substream bytes of `channels` in chunk `k` (checked against their
    /// CRCs), reading only those: one buffer and each channel's range in it
    /// (a whole chunk is read at once and not copied again).
    fn read_substreams(&mut self, k: usize, channels: &[usize]) -> Result<Substreams, Error> {
        let entry = self.index.chunks[k];
        let mut table = vec![0u8; self.header.table_len()];
        self.src.seek(SeekFrom::Start(entry.offset))?;
        read_exact(&mut self.src, &mut table, "chunk table")?;
        let table = parse_table(&self.header, &table, entry.len).map_err(|e| self.chunk_error(k, None, e))?;
        let all = channels.len() == self.header.channels as usize && channels.iter().enumerate().all(|(i, &c)| i == c);
        let base = self.header.table_len() as u64;
        let (bytes, ranges) = if all {
            let mut body = vec![0u8; (entry.len - base) as usize];
            read_exact(&mut self.src, &mut body, "chunk")?;
            let ranges = table.iter().map(|&(off, len, _)| (off - base) as usize..(off - base + len) as usize).collect();
            (body, ranges)
        } else {
            let mut body = Vec::with_capacity(channels.iter().map(|&c| table[c].1 as usize).sum());
            let mut ranges = Vec::with_capacity(channels.len());
            for &c in channels {
                let (off, len, _) = table[c];
                let at = body.len();
                body.resize(at + len as usize, 0);
                self.src.seek(SeekFrom::Start(entry.offset + off))?;
                read_exact(&mut self.src, &mut body[at..], "substream")?;
                ranges.push(at..at + len as usize);
            }
            (body, ranges)
        };
        for (r, &c) in ranges.iter().zip(channels) {
            if let Some(crc) = table[c].2 {
                if crc32(&bytes[r.clone()]) != crc {
                    return Err(self.chunk_error(k, Some(c), Error::malformed("fails its CRC-32")));
                }
            }
        }
        Ok(Substreams { bytes, ranges })
    }

    /// Chunks to decode at once for `channels` channels.
    fn batch_chunks(&self, channels: usize) -> usize {
        let per_chunk = (self.header.chunk_frames as usize).saturating_mul(channels.max(1)).saturating_mul(4);
        (BATCH_DECODED_BYTES / per_chunk.max(1)).clamp(1, (self.pool.threads() * BATCH_CHUNKS_PER_THREAD).max(1))
    }

    /// Decodes `channels` of the chunks `ks`: per chunk, per channel, the
    /// samples of the chunk up to frame `until` (absolute; all with `None`).
    fn decode_chunks(&mut self, ks: std::ops::Range<usize>, channels: &[usize], until: Option<u64>) -> Result<Vec<Vec<Vec<i32>>>, Error> {
        let raw = self.read_chunks(ks.clone(), channels)?;
        let ranges: Vec<(u64, u64)> = ks.clone().map(|k| self.chunk_range(k)).collect();
        let dtype = self.header.dtype;
        self.pool.install(|| decode_batch(&raw, &ranges, ks.start, channels, dtype, until)).map_err(|(k, c, e)| self.chunk_error(k, Some(c), e))
    }

    /// The substreams of `channels` of the chunks `ks`, read.
    fn read_chunks(&mut self, ks: std::ops::Range<usize>, channels: &[usize]) -> Result<Vec<Substreams>, Error> {
        ks.map(|k| self.read_substreams(k, channels)).collect()
    }

    /// Frames `[start, start + frames)` of `channels` (all when `None`),
    /// interleaved little-endian samples in the order of `channels`.
    pub fn read_window(&mut self, start: u64, frames: u64, channels: Option<&[usize]>) -> Result<Vec<u8>, Error> {
        let all: Vec<usize> = (0..self.header.channels as usize).collect();
        let channels = channels.unwrap_or(&all).to_vec();
        if let Some(&c) = channels.iter().find(|&&c| c >= self.header.channels as usize) {
            return Err(Error::invalid(format!("channel {c} (the stream has {})", self.header.channels)));
        }
        let end = start.checked_add(frames).filter(|&e| e <= self.index.frames).ok_or_else(|| Error::invalid(format!("window {start}+{frames} past the end ({} frames)", self.index.frames)))?;
        let w = self.header.dtype.width();
        let mut out = Vec::with_capacity((frames as usize) * channels.len() * w);
        if frames == 0 {
            return Ok(out);
        }
        let f = self.chunk_frames();
        let (k0, k1) = ((start / f) as usize, end.div_ceil(f) as usize);
        let batch = self.batch_chunks(channels.len());
        let mut k = k0;
        while k < k1 {
            let kend = (k + batch).min(k1);
            let decoded = self.decode_chunks(k..kend, &channels, Some(end))?;
            for (i, cols) in decoded.iter().enumerate() {
                let (a, b) = self.chunk_range(k + i);
                let (from, to) = ((start.max(a) - a) as usize, (end.min(b) - a) as usize);
                let at = out.len();
                out.resize(at + (to - from) * cols.len() * w, 0);
                let dtype = self.header.dtype;
                self.pool.install(|| interleave(cols, from..to, dtype, &mut out[at..]));
            }
            k = kend;
        }
        Ok(out)
    }

    /// What each channel's substream of chunk `k` holds (for `inspect`).
    pub fn describe_chunk(&mut self, k: usize) -> Result<Vec<(SubstreamInfo, u64)>, Error> {
        let all: Vec<usize> = (0..self.header.channels as usize).collect();
        let subs = self.read_substreams(k, &all)?;
        (0..all.len())
            .map(|c| subs.get(c))
            .enumerate()
            .map(|(c, s)| substream::describe(s).map(|d| (d, s.len() as u64)).map_err(|e| self.chunk_error(k, Some(c), e)))
            .collect()
    }

    /// The whole recording as a byte stream (the original bytes, tail
    /// included), decoded batch by batch; the hash of the whole is checked
    /// before the last byte is served.
    pub fn into_read(self) -> SampleRead<R> {
        SampleRead { reader: self, next_chunk: 0, buf: Vec::new(), pos: 0, hash: Some(CRC64.digest()), in_flight: None, failed: None, done: false }
    }

    /// The whole recording's bytes, checked.
    pub fn read_all(self) -> Result<Vec<u8>, Error> {
        let mut out = Vec::with_capacity(self.index.frames as usize * self.header.frame_bytes() + self.index.tail.len());
        let mut r = self.into_read();
        while r.fill()? {
            out.extend_from_slice(&r.buf);
            r.pos = r.buf.len();
        }
        Ok(out)
    }
}

/// [`Reader::into_read`]: the original bytes through `std::io::Read`,
/// the next batch decoding on the pool while the caller takes this one.
pub struct SampleRead<R: Read + Seek> {
    reader: Reader<R>,
    /// Chunks read and handed to the pool so far.
    next_chunk: usize,
    buf: Vec<u8>,
    pos: usize,
    /// The hash of the whole, with the batch on the pool while there is one.
    hash: Option<Digest>,
    in_flight: Option<Job<DecodedBatch>>,
    /// An error reading the next batch, told when the caller reaches it.
    failed: Option<Error>,
    done: bool,
}

impl<R: Read + Seek> SampleRead<R> {
    /// Refills `buf` with the next batch; false at the end. Each batch is
    /// decoded, interleaved and taken into the hash of the whole by one job
    /// on the pool, started when the batch before it is served; the tail
    /// comes last, after the hash is checked.
    fn fill(&mut self) -> Result<bool, Error> {
        self.pos = 0;
        // The batch just served: the one after the next is decoded into it,
        // so two buffers take turns and memory stays flat.
        let spare = std::mem::take(&mut self.buf);
        if let Some(e) = self.failed.take() {
            return Err(e);
        }
        if self.in_flight.is_none() && self.next_chunk < self.reader.chunk_count() {
            self.submit(Vec::new())?;
        }
        if let Some(job) = self.in_flight.take() {
            let (buf, hash) = job.wait()?.map_err(|(k, c, e)| self.reader.chunk_error(k, Some(c), e))?;
            self.buf = buf;
            self.hash = Some(hash);
            if self.next_chunk < self.reader.chunk_count() {
                if let Err(e) = self.submit(spare) {
                    self.failed = Some(e);
                }
            }
            return Ok(true);
        }
        if self.done {
            return Ok(false);
        }
        self.done = true;
        let r = &self.reader;
        let mut hash = self.hash.take().expect("no batch in flight after the last");
        hash.update(&r.index.tail);
        if let Some(expected) = r.index.whole_crc64 {
            if hash.finalize() != expected {
                return Err(Error::malformed("the decoded recording fails the CRC-64 of the whole"));
            }
        }
        self.buf.extend_from_slice(&r.index.tail);
        Ok(true)
    }

    /// Reads the next batch's substreams and hands their decoding to the
    /// pool, with the hash and the buffer to interleave them into.
    fn submit(&mut self, mut buf: Vec<u8>) -> Result<(), Error> {
        let r = &mut self.reader;
        let channels = r.header.channels as usize;
        let ks = self.next_chunk..(self.next_chunk + r.batch_chunks(channels)).min(r.chunk_count());
        let all: Vec<usize> = (0..channels).collect();
        let raw = r.read_chunks(ks.clone(), &all)?;
        let ranges: Vec<(u64, u64)> = ks.clone().map(|k| r.chunk_range(k)).collect();
        let dtype = r.header.dtype;
        let mut hash = self.hash.take().expect("one batch in flight at a time");
        let ks_start = ks.start;
        self.in_flight = Some(r.pool.start(move || {
            decode_batch(&raw, &ranges, ks_start, &all, dtype, None).map(|decoded| {
                let w = dtype.width();
                buf.clear();
                buf.resize(decoded.iter().map(|cols| cols[0].len() * cols.len() * w).sum(), 0);
                let mut at = 0;
                for cols in &decoded {
                    let len = cols[0].len() * cols.len() * w;
                    interleave(cols, 0..cols[0].len(), dtype, &mut buf[at..at + len]);
                    at += len;
                }
                hash.update(&buf);
                (buf, hash)
            })
        }));
        self.next_chunk = ks.end;
        Ok(())
    }
}

impl<R: Read + Seek> Read for SampleRead<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        while self.pos == self.buf.len() {
            if !self.fill()? {
                return Ok(0);
            }
        }
        let n = out.len().min(self.buf.len() - self.pos);
        out[..n].copy_from_slice(&self.buf[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

/// A failure in a batch: the chunk, the channel and the error.
type Failed = (usize, usize, Error);
/// One channel of one chunk decoded, or where it failed.
type ChannelResult = Result<Vec<i32>, Failed>;
/// Per chunk, per channel, the decoded samples.
type Columns = Vec<Vec<Vec<i32>>>;

/// Decodes `channels` of the chunks from `ks_start` whose substreams `raw`
/// holds and whose frame ranges are `ranges`, on the current pool: per
/// chunk, per channel, the samples up to frame `until` (absolute; all with
/// `None`); on an error, the first failing chunk and channel with it.
fn decode_batch(raw: &[Substreams], ranges: &[(u64, u64)], ks_start: usize, channels: &[usize], dtype: crate::SampleType, until: Option<u64>) -> Result<Columns, Failed> {
    let jobs: Vec<(usize, usize)> = (0..raw.len()).flat_map(|i| (0..channels.len()).map(move |j| (i, j))).collect();
    let decoded: Vec<ChannelResult> = jobs
        .par_iter()
        .map(|&(i, j)| {
            let (a, b) = ranges[i];
            let limit = until.map_or(b, |u| u.clamp(a, b)) - a;
            let mut out = Vec::new();
            substream::decode(raw[i].get(j), (b - a) as usize, limit as usize, dtype, &mut out).map(|_| out).map_err(|e| (ks_start + i, channels[j], e))
        })
        .collect();
    let mut result: Vec<Vec<Vec<i32>>> = (0..raw.len()).map(|_| Vec::with_capacity(channels.len())).collect();
    for (r, &(i, _)) in decoded.into_iter().zip(&jobs) {
        result[i].push(r?);
    }
    Ok(result)
}

/// A batch decoded on the pool: its interleaved bytes and the hash of the
/// whole that took them in, or the failing chunk, channel and error.
type DecodedBatch = Result<(Vec<u8>, Digest), Failed>;

/// Substreams read from one chunk: their bytes, one after the other.
struct Substreams {
    bytes: Vec<u8>,
    ranges: Vec<std::ops::Range<usize>>,
}

impl Substreams {
    fn get(&self, j: usize) -> &[u8] {
        &self.bytes[self.ranges[j].clone()]
    }
}

fn read_exact<R: Read>(src: &mut R, buf: &mut [u8], what: &str) -> Result<(), Error> {
    src.read_exact(buf).map_err(|e| match e.kind() {
        std::io::ErrorKind::UnexpectedEof => Error::malformed(format!("the stream ends inside its {what} (truncated?)")),
        _ => Error::Io(e),
    })
}
