//! [`Encoder`]: a single `lite` channel that owns its codebook (the files'
//! shape). It codes a block of samples with the block loop (module
//! `block`) where that pays, else sample by sample ([`ChannelEncoder`]);
//! both write the same bytes.

use core::borrow::Borrow;

use super::block::{code_block, push_one, Chunk, SampleWord, BLOCK_TABLES_WORTH, EMPTY_CHUNK};
use super::channel::ChannelEncoder;
use super::codebook::Codebook;
use crate::lattice::AdcLattice;
use crate::sink::ByteSink;

/// Streaming encoder of one channel that owns its [`Codebook`]: push a
/// sample (or a block of them), get its bytes.
pub struct Encoder<C: Borrow<Codebook> = Codebook> {
    channel: ChannelEncoder,
    codebook: C,
}

impl Encoder {
    /// Inlined: built where the caller keeps it, not moved there (the
    /// tables are tens of kilobytes, and a move copies every byte).
    #[inline(always)]
    pub fn new(lattice: AdcLattice) -> Self {
        let mut e = Self::unfilled(lattice);
        e.fill();
        e
    }

    /// An encoder whose codebook is still empty: [`Encoder::fill`] it
    /// before coding. A caller that keeps the encoder in a local builds it
    /// so, in place: returned from [`Encoder::new`], the ~80 KB of tables
    /// are copied once more.
    #[inline(always)]
    pub(crate) fn unfilled(lattice: AdcLattice) -> Self {
        Self { channel: ChannelEncoder::new(lattice), codebook: Codebook::EMPTY }
    }

    /// Fills the codebook of an [`Encoder::unfilled`] encoder.
    #[inline(always)]
    pub(crate) fn fill(&mut self) {
        self.codebook.fill();
    }
}

impl<C: Borrow<Codebook>> Encoder<C> {
    /// An encoder on `codebook` (any [`Codebook::new`]: the same for every
    /// stream), for a caller that codes many streams and builds it once.
    #[inline(always)]
    pub fn with_codebook(lattice: AdcLattice, codebook: C) -> Self {
        Self { channel: ChannelEncoder::new(lattice), codebook }
    }

    /// Codes one sample; every 16-bit word it completes is written to `out`
    /// before returning.
    #[inline(always)]
    pub fn push<S: ByteSink>(&mut self, sample: i16, out: &mut S) {
        self.channel.push(self.codebook.borrow(), sample, out);
    }

    /// Codes a block of samples: the same bytes as pushing them one by one,
    /// all written to `out` before returning. On the 10-bit lattice a long
    /// block runs the block loop (module `block`), the channel state in
    /// registers and only escapes leaving it.
    pub fn push_all<S: ByteSink>(&mut self, samples: &[i16], out: &mut S) {
        self.push_each(samples, out);
    }

    /// Codes a block of samples given as little-endian 16-bit words (a WAV
    /// file's sample bytes; an odd last byte is ignored), as
    /// [`Encoder::push_all`] would code them.
    pub fn push_le<S: ByteSink>(&mut self, le: &[u8], out: &mut S) {
        self.push_each(le.as_chunks::<2>().0, out);
    }

    #[inline(always)]
    fn push_each<S: ByteSink>(&mut self, samples: &[impl SampleWord], out: &mut S) {
        if self.channel.lattice == AdcLattice::Neuralink10 && samples.len() >= BLOCK_TABLES_WORTH {
            return code_block(&mut self.channel, self.codebook.borrow(), samples, out);
        }
        let mut bytes = EMPTY_CHUNK;
        let mut chunk = Chunk::new(&mut bytes, out);
        for &s in samples {
            push_one(&mut self.channel, self.codebook.borrow(), s.sample(), &mut chunk);
        }
        chunk.drain();
    }

    /// See [`ChannelEncoder::pending_samples`].
    pub fn pending_samples(&self) -> usize {
        self.channel.pending_samples()
    }

    /// See [`ChannelEncoder::off_lattice_samples`].
    pub fn off_lattice_samples(&self) -> usize {
        self.channel.off_lattice_samples()
    }

    /// Ends the stream: writes the held bits, the last byte zero-padded.
    pub fn finish<S: ByteSink>(self, out: &mut S) {
        self.channel.finish(out);
    }
}
