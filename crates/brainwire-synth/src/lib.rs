//! Synthetic electrode recordings, for trying and testing brainwire without
//! the challenge data.
//!
//! One recording is one electrode: an analog signal built from a coloured
//! noise floor, local field potentials (a 1/f-like wander plus theta and beta
//! oscillations), the action potentials of a few units, and rare movement
//! artefacts. A model 10-bit ADC with irregular code widths quantises it, and
//! the codes are mapped to 16-bit WAV values with
//! [`AdcLattice::Neuralink10`], as in the real recordings.
//!
//! The statistics are tuned to the challenge data: codes sit in the middle of
//! the range (median near 527, standard deviation 10 to 50 codes), the first
//! difference of the codes carries about 4.6 bits per sample, and spikes make
//! occasional jumps of tens of codes. The code-width pattern repeats every 32
//! codes, with some codes about 1.5 times as likely as their neighbours and
//! some about 0.6 times, and the mid-scale code 511 almost never occurs.
//! A few recordings are noisy or saturating channels ([`Condition`]), in
//! about the shares the challenge data has them.
//!
//! Everything is deterministic for a seed: the same seed gives the same bytes.

use brainwire_core::AdcLattice;
use std::io;
use std::path::{Path, PathBuf};

/// Sample rate of the challenge recordings, in Hz.
pub const SAMPLE_RATE: u32 = 19_531;

/// Length of a canonical WAV header (RIFF, fmt, data chunks and nothing else).
pub const WAV_HEADER_LEN: usize = 44;

/// Number of ADC codes.
const CODES: usize = 1024;

/// Relative width of each ADC code by its position in a 32-code period. A
/// wide code catches more of the analog range, so it occurs more often. The
/// shape follows what the code histogram of the challenge data shows; it is
/// fixed, the same for every seed, as a real ADC's is.
const CODE_WIDTH_PERIOD: [f64; 32] = [
    0.94, 0.74, 1.33, 1.32, 0.92, 0.91, 0.88, 1.33, 0.91, 0.66, 1.13, 1.47, 0.71, 0.97, 0.93, 1.08,
    0.86, 0.68, 1.21, 1.19, 0.92, 0.91, 0.89, 1.55, 0.69, 0.66, 1.16, 1.57, 0.79, 1.02, 0.96, 0.41,
];

/// A small, fast, seedable generator (SplitMix64): enough for test signals
/// and free of dependencies, so a seed means the same thing on every build.
#[derive(Clone, Debug)]
pub struct Rng {
    state: u64,
    spare_normal: Option<f64>,
}

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self {
            state: seed ^ 0x6a09_e667_f3bc_c909,
            spare_normal: None,
        }
    }

    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `[0, 1)`.
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform in `[lo, hi)`.
    pub fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.uniform()
    }

    /// Standard normal (Box-Muller, both outputs used).
    pub fn normal(&mut self) -> f64 {
        if let Some(z) = self.spare_normal.take() {
            return z;
        }
        let u1 = 1.0 - self.uniform(); // (0, 1]: ln is finite
        let u2 = self.uniform();
        let r = (-2.0 * u1.ln()).sqrt();
        let (s, c) = (std::f64::consts::TAU * u2).sin_cos();
        self.spare_normal = Some(r * s);
        r * c
    }

    /// Exponential with the given mean.
    pub fn exponential(&mut self, mean: f64) -> f64 {
        -mean * (1.0 - self.uniform()).ln()
    }
}

/// The model ADC: code `c` covers the analog range `[edge[c], edge[c+1])`,
/// in units of one nominal code step, over `0..1024`.
pub struct Adc {
    edges: Vec<f64>,
}

impl Adc {
    /// The fixed ADC every synthetic recording goes through.
    pub fn neuralink() -> Self {
        let mut widths: Vec<f64> = (0..CODES).map(|c| CODE_WIDTH_PERIOD[c % 32]).collect();
        // The mid-scale codes of the real converter are nearly dead: 511
        // almost never occurs and 510 rarely.
        widths[510] = 0.1;
        widths[511] = 0.002;
        let scale = CODES as f64 / widths.iter().sum::<f64>();
        let mut edges = Vec::with_capacity(CODES + 1);
        let mut at = 0.0;
        for w in &widths {
            edges.push(at);
            at += w * scale;
        }
        edges.push(at);
        Self { edges }
    }

    /// The code an analog level (in nominal code steps) converts to; levels
    /// outside the range clip to code 0 or 1023 as a real ADC does.
    pub fn convert(&self, level: f64) -> u32 {
        // Number of code starts at or below the level, minus one.
        let above = self.edges[1..CODES].partition_point(|&e| e <= level);
        above as u32
    }

    /// Relative width of a code (1.0 is the mean width).
    pub fn width(&self, code: u32) -> f64 {
        let c = code as usize;
        self.edges[c + 1] - self.edges[c]
    }
}

/// A spiking unit near the electrode: its waveform, size and firing.
struct Unit {
    template: Vec<f64>,
    amplitude: f64,
    mean_interval: f64,
    refractory: f64,
    next_spike: f64,
}

impl Unit {
    fn new(rng: &mut Rng, fs: f64) -> Self {
        // Extracellular action potential: a sharp trough followed by a slower,
        // smaller positive after-potential, about 1.5 ms in all.
        let trough_width = rng.range(1.6, 3.2);
        let bump_width = rng.range(4.0, 8.0);
        let bump_delay = rng.range(6.0, 11.0);
        let bump_ratio = rng.range(0.2, 0.45);
        let len = 36;
        let template = (0..len)
            .map(|i| {
                let t = i as f64 - 8.0;
                let trough = -(-0.5 * (t / trough_width).powi(2)).exp();
                let bump = bump_ratio * (-0.5 * ((t - bump_delay) / bump_width).powi(2)).exp();
                trough + bump
            })
            .collect();
        // Amplitudes in code steps: most units are small, a few are large.
        let amplitude = (rng.range(2.5, 4.3)).exp();
        let rate_hz = (rng.range(0.3, 3.2)).exp();
        let refractory = 0.002 * fs;
        let mean_interval = fs / rate_hz;
        let next_spike = rng.exponential(mean_interval);
        Self {
            template,
            amplitude,
            mean_interval,
            refractory,
            next_spike,
        }
    }
}

/// A slow oscillation whose frequency and amplitude drift.
struct Oscillator {
    phase: f64,
    freq: f64,
    amplitude: f64,
}

/// What kind of channel a recording comes from. Most record normally; in
/// the challenge data about 3% are dominated by broadband noise (ratio near
/// 2) and about 1.5% drift into the ADC's rails (ratio 5 to 14).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Condition {
    Typical,
    /// Broadband noise several times the usual floor.
    Noisy,
    /// A slow swing of hundreds of codes that clips at codes 0 and 1023.
    Saturating,
}

impl Condition {
    fn draw(rng: &mut Rng) -> Self {
        match rng.uniform() {
            u if u < 0.03 => Self::Noisy,
            u if u < 0.045 => Self::Saturating,
            _ => Self::Typical,
        }
    }

    /// The condition of the recording made from `seed`.
    pub fn of_seed(seed: u64) -> Self {
        Self::draw(&mut Rng::new(seed))
    }
}

/// Per-recording parameters drawn from the seed.
struct Electrode {
    offset: f64,
    wander_sd: f64,
    wander_pole: f64,
    oscillators: Vec<Oscillator>,
    colour: f64,
    coloured_sd: f64,
    white_sd: f64,
    units: Vec<Unit>,
    artefact_interval: f64,
}

impl Electrode {
    fn new(rng: &mut Rng, fs: f64) -> Self {
        // First draw: `Condition::of_seed` repeats it.
        let condition = Condition::draw(rng);
        let activity = (0.45 * rng.normal()).exp();
        let noise = (0.15 * rng.normal()).exp();
        let theta = Oscillator {
            phase: rng.range(0.0, std::f64::consts::TAU),
            freq: rng.range(4.0, 9.0),
            amplitude: rng.range(2.0, 9.0) * activity,
        };
        let beta = Oscillator {
            phase: rng.range(0.0, std::f64::consts::TAU),
            freq: rng.range(14.0, 30.0),
            amplitude: rng.range(1.0, 4.0) * activity,
        };
        let units = (0..1 + (rng.next_u64() % 4))
            .map(|_| Unit::new(rng, fs))
            .collect();
        let mut electrode = Self {
            offset: 512.0 + rng.range(0.0, 32.0),
            wander_sd: rng.range(13.0, 22.0) * activity,
            // Corner of the 1/f-like wander between 8 and 40 Hz.
            wander_pole: 1.0 - std::f64::consts::TAU * rng.range(8.0, 40.0) / fs,
            oscillators: vec![theta, beta],
            colour: rng.range(0.35, 0.6),
            coloured_sd: 4.7 * noise,
            white_sd: 2.5 * noise,
            units,
            artefact_interval: fs * rng.range(2.0, 20.0),
        };
        match condition {
            Condition::Typical => {}
            Condition::Noisy => {
                electrode.white_sd *= rng.range(4.0, 12.0);
                electrode.coloured_sd *= rng.range(2.0, 5.0);
            }
            Condition::Saturating => {
                electrode.wander_sd = rng.range(600.0, 1200.0);
                electrode.wander_pole = 1.0 - std::f64::consts::TAU * rng.range(0.3, 2.0) / fs;
            }
        }
        electrode
    }

    /// The analog signal at the ADC input, in nominal code steps.
    fn analog(&mut self, rng: &mut Rng, n: usize, fs: f64) -> Vec<f64> {
        let mut out = vec![0.0; n];

        // Local field potential: an AR(1) wander (1/f-like above its corner)
        // started in its stationary state, plus drifting oscillations.
        let innovation = self.wander_sd * (1.0 - self.wander_pole * self.wander_pole).sqrt();
        let mut wander = self.wander_sd * rng.normal();
        let mut smooth = wander;
        for x in out.iter_mut() {
            wander = self.wander_pole * wander + innovation * rng.normal();
            smooth += 0.15 * (wander - smooth);
            *x = self.offset + smooth;
        }
        for osc in &mut self.oscillators {
            let mut envelope = 1.0;
            for (i, x) in out.iter_mut().enumerate() {
                if i % 256 == 0 {
                    // Bursts: the envelope and frequency wander slowly.
                    envelope = (envelope + 0.08 * rng.normal()).clamp(0.2, 1.8);
                    osc.freq *= 1.0 + 0.002 * rng.normal();
                }
                osc.phase += std::f64::consts::TAU * osc.freq / fs;
                *x += osc.amplitude * envelope * osc.phase.sin();
            }
        }

        // Noise floor: thermal and amplifier noise, low-passed by the front end.
        let mut coloured = 0.0;
        let gain = self.coloured_sd / (self.colour / (2.0 - self.colour)).sqrt();
        for x in out.iter_mut() {
            coloured += self.colour * (gain * rng.normal() - coloured);
            *x += coloured + self.white_sd * rng.normal();
        }

        // Action potentials: a Poisson train with a refractory period per unit.
        for unit in &mut self.units {
            let mut t = unit.next_spike;
            while (t as usize) < n {
                let amplitude = unit.amplitude * (1.0 + 0.12 * rng.normal());
                let start = t as usize;
                for (k, w) in unit.template.iter().enumerate() {
                    if let Some(x) = out.get_mut(start + k) {
                        *x += amplitude * w;
                    }
                }
                t += unit.refractory + rng.exponential(unit.mean_interval);
            }
        }

        // Rare movement artefacts: a fast step that relaxes over ~20 ms.
        let mut t = rng.exponential(self.artefact_interval);
        while (t as usize) < n {
            let step = rng.normal() * 60.0;
            let tau = rng.range(0.005, 0.03) * fs;
            for (k, x) in out[t as usize..]
                .iter_mut()
                .enumerate()
                .take((6.0 * tau) as usize)
            {
                *x += step * (-(k as f64) / tau).exp();
            }
            t += rng.exponential(self.artefact_interval);
        }
        out
    }
}

/// The 10-bit ADC codes of one synthetic recording.
pub fn recording_codes(seed: u64, seconds: f64) -> Vec<u32> {
    recording_codes_at(seed, seconds, SAMPLE_RATE)
}

/// The 10-bit ADC codes of one synthetic recording sampled at `rate` Hz
/// (the same electrode model: spike shapes, oscillations and noise corners
/// are set in seconds and hertz, not in samples).
pub fn recording_codes_at(seed: u64, seconds: f64, rate: u32) -> Vec<u32> {
    let fs = f64::from(rate.max(1));
    let n = (seconds.max(0.0) * fs).round() as usize;
    let mut rng = Rng::new(seed);
    let mut electrode = Electrode::new(&mut rng, fs);
    let analog = electrode.analog(&mut rng, n, fs);
    let adc = Adc::neuralink();
    analog.iter().map(|&level| adc.convert(level)).collect()
}

/// One synthetic recording as 16-bit WAV sample values, all on the
/// Neuralink 10-bit lattice.
pub fn recording(seed: u64, seconds: f64) -> Vec<i16> {
    recording_codes(seed, seconds)
        .into_iter()
        .map(|code| AdcLattice::Neuralink10.value(code))
        .collect()
}

/// `channels` synthetic electrodes (channel `c` made from
/// `file_seed(seed, c)`) of `seconds` at `rate` Hz, interleaved frame by
/// frame as 16-bit values on the Neuralink 10-bit lattice. The whole
/// recording is built in memory (`2 * channels * seconds * rate` bytes).
pub fn multichannel(seed: u64, channels: usize, seconds: f64, rate: u32) -> Vec<i16> {
    let mut out = Vec::new();
    for c in 0..channels {
        let codes = recording_codes_at(file_seed(seed, c), seconds, rate);
        if out.is_empty() {
            out = vec![0i16; codes.len() * channels];
        }
        for (frame, code) in out.chunks_exact_mut(channels).zip(codes) {
            frame[c] = AdcLattice::Neuralink10.value(code);
        }
    }
    out
}

/// A canonical 44-byte-header WAV file: mono, 16-bit PCM, little-endian.
pub fn wav_bytes(samples: &[i16], rate: u32) -> Vec<u8> {
    wav_bytes_channels(samples, 1, rate)
}

/// A canonical 44-byte-header WAV file of `channels` interleaved channels,
/// 16-bit PCM, little-endian (format tag 1, which readers take for any
/// channel count).
pub fn wav_bytes_channels(samples: &[i16], channels: u16, rate: u32) -> Vec<u8> {
    let data_len = (samples.len() * 2) as u32;
    let frame = 2 * u32::from(channels);
    let mut out = Vec::with_capacity(WAV_HEADER_LEN + samples.len() * 2);
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&(36 + data_len).to_le_bytes());
    out.extend_from_slice(b"WAVE");
    out.extend_from_slice(b"fmt ");
    out.extend_from_slice(&16u32.to_le_bytes()); // fmt chunk size
    out.extend_from_slice(&1u16.to_le_bytes()); // PCM
    out.extend_from_slice(&channels.to_le_bytes());
    out.extend_from_slice(&rate.to_le_bytes());
    out.extend_from_slice(&rate.wrapping_mul(frame).to_le_bytes()); // bytes per second
    out.extend_from_slice(&(frame as u16).to_le_bytes()); // bytes per frame
    out.extend_from_slice(&16u16.to_le_bytes()); // bits per sample
    out.extend_from_slice(b"data");
    out.extend_from_slice(&data_len.to_le_bytes());
    for s in samples {
        out.extend_from_slice(&s.to_le_bytes());
    }
    out
}

/// The seed of file `index` in a set made from `seed`: each file is its own
/// electrode, and the set is reproducible from one number.
pub fn file_seed(seed: u64, index: usize) -> u64 {
    Rng::new(seed ^ (index as u64).wrapping_mul(0xd134_2543_de82_ef95)).next_u64()
}

/// The name of file `index` in a set made from `seed`.
pub fn file_name(seed: u64, index: usize) -> String {
    format!("synth-{seed}-{index:04}.wav")
}

/// Writes `files` synthetic recordings of `seconds` each into `dir`
/// (created if missing) and returns their paths, in order.
pub fn write_dir(dir: &Path, files: usize, seconds: f64, seed: u64) -> io::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir)?;
    (0..files)
        .map(|i| {
            let path = dir.join(file_name(seed, i));
            let samples = recording(file_seed(seed, i), seconds);
            std::fs::write(&path, wav_bytes(&samples, SAMPLE_RATE))?;
            Ok(path)
        })
        .collect()
}

/// Writes `files` synthetic recordings of `channels` channels (one
/// N-channel WAV each) of `seconds` at `rate` Hz into `dir` (created if
/// missing) and returns their paths, in order. One channel at 19531 Hz
/// writes what [`write_dir`] writes.
pub fn write_dir_channels(dir: &Path, files: usize, seconds: f64, seed: u64, channels: u16, rate: u32) -> io::Result<Vec<PathBuf>> {
    if channels <= 1 && rate == SAMPLE_RATE {
        return write_dir(dir, files, seconds, seed);
    }
    std::fs::create_dir_all(dir)?;
    (0..files)
        .map(|i| {
            let path = dir.join(file_name(seed, i));
            let samples = multichannel(file_seed(seed, i), usize::from(channels.max(1)), seconds, rate);
            if samples.len() * 2 > u32::MAX as usize - 64 {
                return Err(io::Error::new(io::ErrorKind::InvalidInput, "a WAV file holds at most 4 GiB of samples"));
            }
            std::fs::write(&path, wav_bytes_channels(&samples, channels.max(1), rate))?;
            Ok(path)
        })
        .collect()
}

/// Empirical entropy, in bits per sample, of the first difference of codes:
/// the quick measure of how hard a recording is to compress.
pub fn first_difference_entropy(codes: &[u32]) -> f64 {
    let mut counts = std::collections::HashMap::<i64, u64>::new();
    for w in codes.windows(2) {
        *counts.entry(w[1] as i64 - w[0] as i64).or_default() += 1;
    }
    let total: u64 = counts.values().sum();
    if total == 0 {
        return 0.0;
    }
    counts
        .values()
        .map(|&c| {
            let p = c as f64 / total as f64;
            -p * p.log2()
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_recording_other_seed_other_recording() {
        assert_eq!(recording(7, 0.2), recording(7, 0.2));
        assert_ne!(recording(7, 0.2), recording(8, 0.2));
        assert_eq!(recording(7, 1.0).len(), 19_531);
    }

    #[test]
    fn every_sample_is_on_the_10_bit_lattice() {
        for seed in 0..4 {
            for v in recording(seed, 0.5) {
                assert!(
                    AdcLattice::Neuralink10.code(v).is_some(),
                    "{v} is off the lattice"
                );
            }
        }
    }

    #[test]
    fn header_is_canonical_44_byte_pcm() {
        let samples = [0i16, -1, 32767, -32768];
        let wav = wav_bytes(&samples, SAMPLE_RATE);
        assert_eq!(wav.len(), 44 + 8);
        assert_eq!(&wav[0..4], b"RIFF");
        assert_eq!(u32::from_le_bytes(wav[4..8].try_into().unwrap()), 36 + 8);
        assert_eq!(&wav[8..16], b"WAVEfmt ");
        assert_eq!(u32::from_le_bytes(wav[16..20].try_into().unwrap()), 16);
        assert_eq!(u16::from_le_bytes(wav[20..22].try_into().unwrap()), 1);
        assert_eq!(u16::from_le_bytes(wav[22..24].try_into().unwrap()), 1);
        assert_eq!(u32::from_le_bytes(wav[24..28].try_into().unwrap()), 19_531);
        assert_eq!(u32::from_le_bytes(wav[28..32].try_into().unwrap()), 39_062);
        assert_eq!(u16::from_le_bytes(wav[32..34].try_into().unwrap()), 2);
        assert_eq!(u16::from_le_bytes(wav[34..36].try_into().unwrap()), 16);
        assert_eq!(&wav[36..40], b"data");
        assert_eq!(u32::from_le_bytes(wav[40..44].try_into().unwrap()), 8);
        assert_eq!(&wav[44..48], &[0, 0, 0xff, 0xff]);
        assert_eq!(&wav[48..52], &[0xff, 0x7f, 0x00, 0x80]);
    }

    #[test]
    fn statistics_are_in_the_ballpark_of_the_real_recordings() {
        // Typical real files: first-difference entropy 4.3..5.0 bits for 80%
        // of them (median 4.6), median code 512..543, code sd 13..35.
        let mut entropies = Vec::new();
        for seed in (0..40)
            .filter(|&s| Condition::of_seed(s) == Condition::Typical)
            .take(12)
        {
            let codes = recording_codes(seed, 1.0);
            entropies.push(first_difference_entropy(&codes));
            let mut sorted = codes.clone();
            sorted.sort_unstable();
            let median = sorted[sorted.len() / 2];
            assert!(
                (480..=580).contains(&median),
                "seed {seed}: median code {median}"
            );
            let mean = codes.iter().map(|&c| c as f64).sum::<f64>() / codes.len() as f64;
            let sd = (codes
                .iter()
                .map(|&c| (c as f64 - mean).powi(2))
                .sum::<f64>()
                / codes.len() as f64)
                .sqrt();
            assert!((5.0..80.0).contains(&sd), "seed {seed}: code sd {sd}");
        }
        assert_eq!(entropies.len(), 12);
        entropies.sort_by(f64::total_cmp);
        let median = entropies[entropies.len() / 2];
        assert!(
            (4.2..5.1).contains(&median),
            "median first-difference entropy {median}"
        );
    }

    #[test]
    fn a_few_channels_are_noisy_or_saturating_as_in_the_real_data() {
        let conditions: Vec<Condition> = (0..2000).map(Condition::of_seed).collect();
        let share = |c: Condition| conditions.iter().filter(|&&x| x == c).count() as f64 / 2000.0;
        assert!(
            (0.02..0.04).contains(&share(Condition::Noisy)),
            "{}",
            share(Condition::Noisy)
        );
        assert!((0.008..0.025).contains(&share(Condition::Saturating)));

        let noisy = (0..)
            .find(|&s| Condition::of_seed(s) == Condition::Noisy)
            .unwrap();
        let h = first_difference_entropy(&recording_codes(noisy, 0.5));
        assert!(h > 6.0, "a noisy channel's difference entropy is only {h}");

        let saturating = (0..)
            .find(|&s| Condition::of_seed(s) == Condition::Saturating)
            .unwrap();
        let codes = recording_codes(saturating, 5.0);
        assert!(
            codes.contains(&0) || codes.contains(&1023),
            "seed {saturating} never clips"
        );
        assert!(first_difference_entropy(&codes) < 4.0);
    }

    #[test]
    fn wide_codes_occur_more_often_than_narrow_ones() {
        let adc = Adc::neuralink();
        let mut counts = vec![0u64; CODES];
        for seed in (0..20)
            .filter(|&s| Condition::of_seed(s) == Condition::Typical)
            .take(8)
        {
            for c in recording_codes(seed, 1.0) {
                counts[c as usize] += 1;
            }
        }
        // Codes 523 (width 1.55) and 521 (0.68) are neighbours near the middle.
        assert!(adc.width(523) > 2.0 * adc.width(521));
        assert!(
            counts[523] as f64 > 1.5 * counts[521] as f64,
            "{} vs {}",
            counts[523],
            counts[521]
        );
        assert!(
            counts[511] * 50 < counts[512],
            "the mid-scale code should be nearly dead"
        );
    }

    #[test]
    fn adc_clips_and_is_monotone() {
        let adc = Adc::neuralink();
        assert_eq!(adc.convert(-100.0), 0);
        assert_eq!(adc.convert(5000.0), 1023);
        let mut prev = 0;
        for i in 0..10_240 {
            let c = adc.convert(i as f64 / 10.0);
            assert!(c >= prev);
            prev = c;
        }
        assert_eq!(prev, 1023);
    }

    #[test]
    fn write_dir_writes_named_reproducible_files() {
        let dir = std::env::temp_dir().join(format!("brainwire-synth-test-{}", std::process::id()));
        let paths = write_dir(&dir, 2, 0.1, 5).unwrap();
        assert_eq!(paths.len(), 2);
        let first = std::fs::read(&paths[0]).unwrap();
        assert_eq!(first.len(), 44 + 2 * 1953);
        assert_eq!(
            first,
            wav_bytes(&recording(file_seed(5, 0), 0.1), SAMPLE_RATE)
        );
        assert_ne!(first, std::fs::read(&paths[1]).unwrap());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
