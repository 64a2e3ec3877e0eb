//! Interleaved frames to and from per-channel columns, shared by the writer
//! (which splits a chunk into columns) and the reader (which interleaves
//! decoded columns back).
//!
//! Both walk the frames in tiles, so that the tile's interleaved bytes stay
//! in cache while every column of the tile is read or written: a column
//! taken over a whole chunk at once touches one cache line per frame for two
//! bytes of it, and on 384 channels that strided pass was a fifth of the
//! encoder's time (its loads missed the cache) and what kept two threads
//! from scaling (they shared the memory bus).

use rayon::prelude::*;

use crate::dtype::SampleType;

/// Frames per tile: a tile of 384 int16 channels is 48 KiB, within a core's
/// L2 cache while its columns are walked.
const TILE_FRAMES: usize = 64;

/// Channels split from the frames by one job of [`columns`]: a group of 16
/// int16 channels is 32 contiguous bytes of each frame, and a group's
/// columns (16 x 4 bytes a frame) stay small beside the chunk.
const GROUP_CHANNELS: usize = 16;

/// The columns of channels `group` (a range of `0..channels`) of the whole
/// frames in `data`, each sample widened to `i32`.
fn group_columns(data: &[u8], dtype: SampleType, channels: usize, group: std::ops::Range<usize>) -> Vec<Vec<i32>> {
    // One loop per width, so the sample's decoding is not a match per sample.
    match dtype {
        SampleType::I8 => group_columns_as::<1>(data, channels, group, |b| i32::from(b[0] as i8)),
        SampleType::I16 => group_columns_as::<2>(data, channels, group, |b| i32::from(i16::from_le_bytes(b))),
        SampleType::U16 => group_columns_as::<2>(data, channels, group, |b| i32::from(u16::from_le_bytes(b))),
        SampleType::I32 => group_columns_as::<4>(data, channels, group, i32::from_le_bytes),
    }
}

fn group_columns_as<const W: usize>(data: &[u8], channels: usize, group: std::ops::Range<usize>, read: impl Fn([u8; W]) -> i32) -> Vec<Vec<i32>> {
    let stride = channels * W;
    let frames = data.len() / stride;
    let mut cols: Vec<Vec<i32>> = group.clone().map(|_| vec![0; frames]).collect();
    for (t, tile) in data[..frames * stride].chunks(stride * TILE_FRAMES).enumerate() {
        let first = t * TILE_FRAMES;
        for (col, c) in cols.iter_mut().zip(group.clone()) {
            for (x, f) in col[first..].iter_mut().zip(tile.chunks_exact(stride)) {
                let b: [u8; W] = f[c * W..(c + 1) * W].try_into().expect("W bytes");
                *x = read(b);
            }
        }
    }
    cols
}

/// Calls `code` on every channel's column of the whole frames in `data`, in
/// parallel, and returns its results in channel order. Columns are split
/// in groups of [`GROUP_CHANNELS`] channels, one group a job, so that only
/// the groups being coded are held as columns.
pub(crate) fn map_columns<T: Send>(data: &[u8], dtype: SampleType, channels: usize, code: impl Fn(&[i32]) -> T + Sync) -> Vec<T> {
    (0..channels.div_ceil(GROUP_CHANNELS))
        .into_par_iter()
        .flat_map_iter(|g| {
            let group = g * GROUP_CHANNELS..((g + 1) * GROUP_CHANNELS).min(channels);
            group_columns(data, dtype, channels, group).into_iter().map(|col| code(&col)).collect::<Vec<T>>()
        })
        .collect()
}

/// Frames `frames` of the columns `cols`, interleaved as `dtype` words into
/// `dst` (exactly their size), one tile a job.
pub(crate) fn interleave(cols: &[Vec<i32>], frames: std::ops::Range<usize>, dtype: SampleType, dst: &mut [u8]) {
    let w = dtype.width();
    let stride = cols.len() * w;
    dst.par_chunks_mut(stride * TILE_FRAMES).zip(frames.clone().into_par_iter().step_by(TILE_FRAMES)).for_each(|(tile, first)| {
        for (c, col) in cols.iter().enumerate() {
            for (frame, &v) in tile.chunks_exact_mut(stride).zip(&col[first..frames.end]) {
                dtype.write(v.into(), &mut frame[c * w..(c + 1) * w]);
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Columns and back give the frames again, for every width, channel
    /// counts around the group size and frame counts around the tile size.
    #[test]
    fn columns_and_interleave_are_inverse() {
        for dtype in SampleType::ALL {
            for channels in [1, 3, GROUP_CHANNELS, GROUP_CHANNELS + 1, 40] {
                for frames in [0, 1, TILE_FRAMES - 1, TILE_FRAMES, 3 * TILE_FRAMES + 5] {
                    let (lo, hi) = dtype.range();
                    let w = dtype.width();
                    let mut data = vec![0u8; frames * channels * w];
                    for (i, s) in data.chunks_exact_mut(w).enumerate() {
                        let v = lo + ((i as i64).wrapping_mul(2_654_435_761) % (hi - lo + 1)).abs();
                        dtype.write(v, s);
                    }
                    let cols = map_columns(&data, dtype, channels, <[i32]>::to_vec);
                    assert_eq!(cols.len(), channels);
                    for (c, col) in cols.iter().enumerate() {
                        let want: Vec<i32> = data.chunks_exact(channels * w).map(|f| dtype.read(&f[c * w..(c + 1) * w]) as i32).collect();
                        assert_eq!(col, &want, "{} channel {c} of {channels}, {frames} frames", dtype.name());
                    }
                    let mut back = vec![0u8; data.len()];
                    interleave(&cols, 0..frames, dtype, &mut back);
                    assert_eq!(back, data, "{} {channels} channels, {frames} frames", dtype.name());
                    if frames > 2 {
                        let mut part = vec![0u8; (frames - 2) * channels * w];
                        interleave(&cols, 1..frames - 1, dtype, &mut part);
                        assert_eq!(part, data[channels * w..(frames - 1) * channels * w]);
                    }
                }
            }
        }
    }
}
