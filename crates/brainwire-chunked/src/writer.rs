//! Streaming encoder: takes interleaved (time x channels) bytes in pieces of
//! any size, codes each full chunk as soon as a batch of them is in, writes
//! chunks in order, and the index at the end.
//!
//! Invariant: the bytes written depend only on the samples and the options
//! (not on the thread count, the batch size or how the input was split into
//! writes); memory is bounded by two batches of chunks: one coded on the
//! pool while the caller fills the next (so reading the input overlaps the
//! coding), and chunks are written in input order.

use std::io::Write;

use rayon::prelude::*;

use crate::dtype::SampleType;
use crate::error::Error;
use crate::format::{write_table, write_trailer, ChunkEntry, Digest, Header, Index, CRC64, MAX_METADATA_LEN};
use crate::pool::{Job, Pool};
use crate::{frames, substream, EncodeOptions, LatticeMode, DEFAULT_PROFILE};
use brainwire_core::Profile;

/// Frames per chunk when there is no sampling rate to make it one second.
pub const DEFAULT_CHUNK_FRAMES: usize = 30_000;
/// Largest chunk, in input bytes: a chunk's length is a 32-bit field.
pub const MAX_CHUNK_BYTES: usize = 1 << 30;
/// Input bytes a batch of chunks may hold (two batches and their output are
/// the encoder's memory bound).
const BATCH_BYTES: usize = 32 << 20;

/// A batch coded on the pool: its chunks, the batch's bytes (handed back to
/// be filled again) and the hash of the whole, which took them in.
type CodedBatch = (Vec<Vec<u8>>, Vec<u8>, Digest);

/// The chunk length `opts` asks for.
pub fn chunk_frames(opts: &EncodeOptions) -> Result<usize, Error> {
    let frames = match (opts.chunk_frames, opts.rate_hz) {
        (Some(f), _) => f,
        (None, Some(rate)) if rate.is_finite() && rate >= 1.0 => rate.round() as usize,
        _ => DEFAULT_CHUNK_FRAMES,
    };
    if frames == 0 || frames > u32::MAX as usize {
        return Err(Error::invalid(format!("chunk length {frames} frames")));
    }
    Ok(frames)
}

/// Codes one chunk of `frames` interleaved frames.
fn encode_chunk(header: &Header, mode: LatticeMode, profile: Profile, data: &[u8]) -> Vec<u8> {
    let subs: Vec<Vec<u8>> = frames::map_columns(data, header.dtype, header.channels as usize, |col| substream::encode(col, header.dtype, mode, profile));
    let mut out = Vec::with_capacity(header.table_len() + subs.iter().map(Vec::len).sum::<usize>());
    write_table(header, &subs, &mut out);
    subs.iter().for_each(|s| out.extend_from_slice(s));
    out
}

/// Writes a chunked stream to `W`.
pub struct Writer<W: Write> {
    out: W,
    header: Header,
    mode: LatticeMode,
    profile: Profile,
    pool: Pool,
    chunk_bytes: usize,
    batch_bytes: usize,
    pending: Vec<u8>,
    /// The batch on the pool (the hash is with it meanwhile), if any.
    in_flight: Option<Job<CodedBatch>>,
    written: u64,
    index: Index,
    hash: Option<Digest>,
    input_bytes: u64,
}

impl<W: Write> Writer<W> {
    /// Starts a stream of `channels` channels of `dtype` samples, writing its
    /// header.
    pub fn new(mut out: W, dtype: SampleType, channels: usize, opts: &EncodeOptions) -> Result<Self, Error> {
        if channels == 0 || channels > u32::MAX as usize {
            return Err(Error::invalid(format!("{channels} channels")));
        }
        if opts.metadata.len() > MAX_METADATA_LEN {
            return Err(Error::invalid(format!("metadata of {} bytes (at most {MAX_METADATA_LEN})", opts.metadata.len())));
        }
        if let Some(r) = opts.rate_hz {
            if !(r.is_finite() && r > 0.0) {
                return Err(Error::invalid(format!("sampling rate {r}")));
            }
        }
        let frames = chunk_frames(opts)?;
        let frame_bytes = channels * dtype.width();
        let chunk_bytes = frames.checked_mul(frame_bytes).filter(|&b| b <= MAX_CHUNK_BYTES).ok_or_else(|| Error::invalid(format!("a chunk of {frames} frames of {channels} channels exceeds {MAX_CHUNK_BYTES} bytes")))?;
        let header = Header { dtype, channels: channels as u32, chunk_frames: frames as u32, rate_hz: opts.rate_hz, checksums: opts.checksum, metadata: opts.metadata.clone() };
        let pool = Pool::new(opts.threads)?;
        let batch_chunks = (BATCH_BYTES / chunk_bytes).clamp(1, 2 * pool.threads().max(1));
        let head = header.write();
        out.write_all(&head)?;
        Ok(Self {
            out,
            mode: opts.lattice,
            profile: opts.profile.unwrap_or(DEFAULT_PROFILE),
            pool,
            chunk_bytes,
            batch_bytes: batch_chunks * chunk_bytes,
            pending: Vec::new(),
            in_flight: None,
            written: head.len() as u64,
            index: Index { frames: 0, chunks: Vec::new(), tail: Vec::new(), whole_crc64: None },
            hash: Some(CRC64.digest()),
            input_bytes: 0,
            header,
        })
    }

    /// Appends interleaved little-endian samples; a write need not end on a
    /// frame (or sample) boundary.
    pub fn write_bytes(&mut self, mut data: &[u8]) -> Result<(), Error> {
        self.input_bytes += data.len() as u64;
        while !data.is_empty() {
            let take = (self.batch_bytes - self.pending.len()).min(data.len());
            self.pending.extend_from_slice(&data[..take]);
            data = &data[take..];
            if self.pending.len() == self.batch_bytes {
                let batch = std::mem::take(&mut self.pending);
                self.code_batch(batch)?;
            }
        }
        Ok(())
    }

    /// Appends frames of 16-bit samples (time x channels, C order).
    pub fn write_i16(&mut self, frames: &[i16]) -> Result<(), Error> {
        self.typed(SampleType::I16, frames.len(), |i, b| b.copy_from_slice(&frames[i].to_le_bytes()))
    }

    pub fn write_u16(&mut self, frames: &[u16]) -> Result<(), Error> {
        self.typed(SampleType::U16, frames.len(), |i, b| b.copy_from_slice(&frames[i].to_le_bytes()))
    }

    pub fn write_i32(&mut self, frames: &[i32]) -> Result<(), Error> {
        self.typed(SampleType::I32, frames.len(), |i, b| b.copy_from_slice(&frames[i].to_le_bytes()))
    }

    pub fn write_i8(&mut self, frames: &[i8]) -> Result<(), Error> {
        self.typed(SampleType::I8, frames.len(), |i, b| b[0] = frames[i] as u8)
    }

    fn typed(&mut self, dtype: SampleType, n: usize, put: impl Fn(usize, &mut [u8])) -> Result<(), Error> {
        if dtype != self.header.dtype {
            return Err(Error::invalid(format!("{} samples into a {} stream", dtype.name(), self.header.dtype.name())));
        }
        if !self.input_bytes.is_multiple_of(self.header.frame_bytes() as u64) || !n.is_multiple_of(self.header.channels as usize) {
            return Err(Error::invalid("typed writes take whole frames"));
        }
        let w = dtype.width();
        let mut buf = vec![0u8; (1 << 16) * w];
        for start in (0..n).step_by(1 << 16) {
            let m = (n - start).min(1 << 16);
            for i in 0..m {
                put(start + i, &mut buf[i * w..(i + 1) * w]);
            }
            self.write_bytes(&buf[..m * w])?;
        }
        Ok(())
    }

    /// Hands whole frames (full chunks, but for the last batch) to the pool,
    /// after writing out the batch before it. The hash of the whole takes
    /// in the same bytes as one more job beside the chunks' (every byte
    /// reaches the hash through here or `finish`'s tail, in input order).
    fn code_batch(&mut self, batch: Vec<u8>) -> Result<(), Error> {
        self.drain()?;
        let mut hash = self.hash.take().expect("the hash is here when no batch is in flight");
        let (header, mode, profile, chunk_bytes) = (self.header.clone(), self.mode, self.profile, self.chunk_bytes);
        self.in_flight = Some(self.pool.start(move || {
            let ((), coded) = rayon::join(|| hash.update(&batch), || batch.par_chunks(chunk_bytes).map(|c| encode_chunk(&header, mode, profile, c)).collect());
            (coded, batch, hash)
        }));
        Ok(())
    }

    /// Waits for the batch on the pool, if any, and writes its chunks.
    fn drain(&mut self) -> Result<(), Error> {
        let Some(job) = self.in_flight.take() else { return Ok(()) };
        let (coded, mut batch, hash) = job.wait()?;
        self.hash = Some(hash);
        for (c, raw) in coded.iter().zip(batch.chunks(self.chunk_bytes)) {
            self.out.write_all(c)?;
            self.index.chunks.push(ChunkEntry { offset: self.written, len: c.len() as u64 });
            self.index.frames += (raw.len() / self.header.frame_bytes()) as u64;
            self.written += c.len() as u64;
        }
        // The next batch fills the same allocation.
        if self.pending.is_empty() {
            batch.clear();
            self.pending = batch;
        }
        Ok(())
    }

    /// Codes what is left, writes the index and trailer, and returns the
    /// output.
    pub fn finish(mut self) -> Result<W, Error> {
        let mut pending = std::mem::take(&mut self.pending);
        let whole = pending.len() - pending.len() % self.header.frame_bytes();
        let tail = pending.split_off(whole);
        if whole > 0 {
            self.code_batch(pending)?;
        }
        self.drain()?;
        let mut hash = self.hash.take().expect("no batch in flight after drain");
        hash.update(&tail);
        self.index.tail = tail;
        if self.header.checksums {
            self.index.whole_crc64 = Some(hash.finalize());
        }
        let index = self.index.write();
        self.out.write_all(&index)?;
        self.out.write_all(&write_trailer(self.written, &index))?;
        self.out.flush()?;
        Ok(self.out)
    }
}

impl<W: Write> Write for Writer<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.write_bytes(buf)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}
