//! `report`: evaluates the codecs on a recording set and writes figures a
//! person can read: per-file ratio distributions, where the bits go along one
//! recording, the residual distribution, and the ADC's code-width pattern.

use crate::codecs::Codec;
use crate::eval::{self, Binaries, Evaluation};
use crate::fail::{contain, Classify, Failure, Result};
use crate::files::{self, Recording};
use crate::out::{errln, outln};
use crate::plot::{self, BitsOverTime, BitsVsEntropy, CodeWidths, RatioEcdf, ResidualHistogram};
use brainwire_core::{AdcLattice, ByteCounter, Encoder, Profile};
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

/// Samples per block of the bits-over-time figure: ~50 ms at 19531 Hz.
const BLOCK: usize = 977;

pub fn run(
    path: &Path,
    codecs: Vec<Codec>,
    binaries: Option<Binaries>,
    out: &Path,
    file: Option<&str>,
) -> Result<()> {
    plot::init_font()?;
    let recordings = files::load_recordings(path)?;
    std::fs::create_dir_all(out)
        .or_io(|| format!("cannot create directory '{}'", out.display()))?;

    let evaluation = eval::evaluate(&recordings, codecs, binaries);
    let mut written = Vec::new();

    let ecdf = RatioEcdf {
        files: recordings.len(),
        series: evaluation
            .codecs
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let ratios = c
                    .files
                    .iter()
                    .zip(&evaluation.raw)
                    .filter(|(f, _)| matches!(f.verdict, crate::eval::Verdict::Identical))
                    .map(|(f, &raw)| raw as f64 / f.compressed.max(1) as f64)
                    .collect();
                let sizes = |o: &eval::CodecOutcome| {
                    o.files.iter().map(|f| f.compressed).collect::<Vec<_>>()
                };
                let same_as = evaluation.codecs[..i]
                    .iter()
                    .find(|o| sizes(o) == sizes(c))
                    .map(|o| o.name());
                (c.name(), evaluation.ratio(c), ratios, same_as)
            })
            .collect(),
    };
    written.extend(plot::save(&ecdf, out, "ratio_ecdf")?);

    let chosen = choose_recording(&recordings, &evaluation, file)?;
    let bits = bits_over_time(chosen)?;
    written.extend(plot::save(&bits, out, "bits_over_time")?);

    let (stats, per_file) = CodeStats::of(&recordings);
    let scatter = BitsVsEntropy {
        series: evaluation
            .codecs
            .iter()
            .map(|c| {
                let points = c
                    .files
                    .iter()
                    .zip(&per_file)
                    .filter(|(f, &(_, samples))| matches!(f.verdict, crate::eval::Verdict::Identical) && samples > 0)
                    .map(|(f, &(entropy, samples))| {
                        (entropy, f.compressed as f64 * 8.0 / samples as f64)
                    })
                    .collect();
                (c.name(), points)
            })
            .collect(),
    };
    written.extend(plot::save(&scatter, out, "bits_vs_entropy")?);
    let residuals = ResidualHistogram {
        counts: stats.differences.iter().map(|(&d, &c)| (d, c)).collect(),
        entropy_bits: stats.difference_entropy(),
        unit: if stats.on_lattice() {
            "ADC codes".into()
        } else {
            "16-bit sample values".into()
        },
    };
    written.extend(plot::save(&residuals, out, "residual_histogram")?);
    let widths =
        (stats.on_lattice() && !stats.relative_code_counts().is_empty()).then(|| CodeWidths {
            relative: stats.relative_code_counts(),
            samples: stats.on,
        });
    if let Some(widths) = &widths {
        written.extend(plot::save(widths, out, "code_widths")?);
    }

    let json = eval::to_json(&evaluation);
    let summary = out.join("summary.json");
    std::fs::write(&summary, format!("{json:#}\n"))
        .or_io(|| format!("cannot write '{}'", summary.display()))?;
    let index = out.join("index.html");
    let html = index_html(&evaluation, path, &bits.file, &stats, widths.is_some());
    std::fs::write(&index, html).or_io(|| format!("cannot write '{}'", index.display()))?;

    eval::print(&evaluation, true);
    outln!();
    for p in &written {
        outln!("wrote {}", p.display());
    }
    outln!("wrote {}\nwrote {}", summary.display(), index.display());
    if stats.off > 0 {
        outln!(
            "note: {} samples off the 10-bit ADC lattice are left out of the code plots",
            stats.off
        );
    }
    evaluation.verdict()
}

/// The recording named by `--file`, or the one with the median ratio under
/// the first codec.
fn choose_recording<'a>(
    recordings: &'a [Recording],
    evaluation: &Evaluation,
    file: Option<&str>,
) -> Result<&'a Recording> {
    if let Some(name) = file {
        return recordings
            .iter()
            .find(|r| r.name == name || r.name.ends_with(&format!("/{name}")))
            .ok_or_else(|| Failure::usage(format!("no recording named '{name}' in the set")));
    }
    let first = &evaluation.codecs[0];
    let mut order: Vec<usize> = (0..recordings.len()).collect();
    let ratio = |i: usize| evaluation.raw[i] as f64 / first.files[i].compressed.max(1) as f64;
    order.sort_by(|&a, &b| ratio(a).total_cmp(&ratio(b)));
    Ok(&recordings[order[order.len() / 2]])
}

/// The 16-bit samples of a WAV file, if it is one.
fn samples(bytes: &[u8]) -> Option<Vec<i16>> {
    let layout = brainwire_container::wav::pcm16_layout(bytes)?;
    let data = &bytes[layout.data_start..layout.data_start + layout.data_len];
    Some(
        data.chunks_exact(2)
            .map(|b| i16::from_le_bytes([b[0], b[1]]))
            .collect(),
    )
}

fn bits_over_time(recording: &Recording) -> Result<BitsOverTime> {
    let samples = samples(&recording.bytes).ok_or_else(|| {
        Failure::bad_input(format!("'{}' is not a 16-bit PCM WAV file", recording.name))
    })?;
    let rate =
        brainwire_container::wav::pcm16_layout(&recording.bytes).map_or(19_531, |l| l.sample_rate);
    let lattice = AdcLattice::detect(&samples);
    let series = Profile::ALL
        .par_iter()
        .filter_map(
            |&profile| match contain(|| coded_bits_per_block(profile, lattice, &samples)) {
                Ok(bits) => Some((profile.name().to_string(), bits)),
                Err(e) => {
                    errln!(
                        "brainwire: warning: no bits-over-time curve for {}: {e}",
                        profile.name()
                    );
                    None
                }
            },
        )
        .collect();
    let (signal, signal_unit) = match lattice {
        AdcLattice::Neuralink10 => (
            samples
                .iter()
                .map(|&v| lattice.nearest_code(v) as f64)
                .collect(),
            "ADC code".to_string(),
        ),
        AdcLattice::Identity16 => (
            samples.iter().map(|&v| v as f64).collect(),
            "sample value".to_string(),
        ),
    };
    Ok(BitsOverTime {
        file: recording.name.clone(),
        sample_rate: rate.max(1) as f64,
        signal,
        signal_unit,
        block: BLOCK,
        series,
    })
}

/// Bits the codec stream grows by over each block of samples. The encoder
/// emits bytes as soon as they are final, so the count lags by a few bytes at
/// most; the final flush is charged to the last block.
fn coded_bits_per_block(profile: Profile, lattice: AdcLattice, samples: &[i16]) -> Vec<f64> {
    let mut sink = ByteCounter::default();
    let mut encoder = Encoder::new(profile, lattice, &mut sink);
    let mut last = sink.0;
    // A short last block would show the flush as a jump: it joins the
    // block before it, and the flush is charged to it.
    let whole = (samples.len() / BLOCK).max(1);
    let mut bits = Vec::with_capacity(whole);
    for k in 0..whole {
        let end = if k + 1 == whole {
            samples.len()
        } else {
            (k + 1) * BLOCK
        };
        for &s in &samples[k * BLOCK..end] {
            encoder.push(s, &mut sink);
        }
        if k + 1 < whole {
            bits.push((sink.0 - last) as f64 * 8.0 / BLOCK as f64);
            last = sink.0;
        }
    }
    encoder.finish(&mut sink);
    let tail = samples.len() - (whole - 1) * BLOCK;
    bits.push((sink.0 - last) as f64 * 8.0 / tail.max(1) as f64);
    bits
}

/// Code and code-difference counts over a whole set.
#[derive(Default)]
struct CodeStats {
    codes: Vec<u64>,
    differences: BTreeMap<i64, u64>,
    on: u64,
    off: u64,
    /// Differences of raw sample values, for sets that are not 10-bit data.
    raw_differences: BTreeMap<i64, u64>,
}

impl CodeStats {
    /// The whole set's counts, and each recording's (difference entropy,
    /// sample count).
    fn of(recordings: &[Recording]) -> (Self, Vec<(f64, u64)>) {
        let each: Vec<Self> = recordings
            .par_iter()
            .map(|r| Self::of_one(&r.bytes))
            .collect();
        let per_file = each
            .iter()
            .map(|s| (s.difference_entropy(), s.on + s.off))
            .collect();
        (
            each.into_iter().fold(Self::default(), Self::merge),
            per_file,
        )
    }

    fn of_one(bytes: &[u8]) -> Self {
        let mut s = Self {
            codes: vec![0; 1024],
            ..Self::default()
        };
        let Some(samples) = samples(bytes) else {
            return s;
        };
        let mut previous: Option<u32> = None;
        for (i, &v) in samples.iter().enumerate() {
            match AdcLattice::Neuralink10.code(v) {
                Some(code) => {
                    s.on += 1;
                    s.codes[code as usize] += 1;
                    if let Some(p) = previous {
                        *s.differences.entry(code as i64 - p as i64).or_default() += 1;
                    }
                    previous = Some(code);
                }
                None => {
                    s.off += 1;
                    previous = None;
                }
            }
            if i > 0 {
                *s.raw_differences
                    .entry(v as i64 - samples[i - 1] as i64)
                    .or_default() += 1;
            }
        }
        s
    }

    fn merge(mut a: Self, b: Self) -> Self {
        if a.codes.is_empty() {
            return b;
        }
        for (x, y) in a.codes.iter_mut().zip(&b.codes) {
            *x += y;
        }
        for (d, c) in b.differences {
            *a.differences.entry(d).or_default() += c;
        }
        for (d, c) in b.raw_differences {
            *a.raw_differences.entry(d).or_default() += c;
        }
        a.on += b.on;
        a.off += b.off;
        a
    }

    /// Most samples are 10-bit ADC codes (the challenge data, synth output).
    fn on_lattice(&self) -> bool {
        self.on > 0 && self.off * 100 <= self.on
    }

    fn difference_entropy(&self) -> f64 {
        let counts = if self.on_lattice() {
            &self.differences
        } else {
            &self.raw_differences
        };
        let total: u64 = counts.values().sum();
        counts
            .values()
            .map(|&c| {
                let p = c as f64 / total.max(1) as f64;
                -p * p.log2()
            })
            .sum()
    }

    /// Each code's count over the mean of the 9 codes around it, over the
    /// run of codes around the most common one whose neighbourhood is common
    /// enough for the ratio to mean something (codes clipped at the rails
    /// are far away and left out).
    fn relative_code_counts(&self) -> Vec<(u32, f64)> {
        let peak = self.codes.iter().copied().max().unwrap_or(0) as f64;
        let threshold = (peak * 0.005).max(400.0);
        let mean = |c: usize| self.codes[c - 4..=c + 4].iter().sum::<u64>() as f64 / 9.0;
        let last = self.codes.len() - 5;
        let mode = (4..=last)
            .max_by(|&a, &b| mean(a).total_cmp(&mean(b)))
            .unwrap_or(4);
        let (mut lo, mut hi) = (mode, mode);
        while lo > 4 && mean(lo - 1) >= threshold {
            lo -= 1;
        }
        while hi < last && mean(hi + 1) >= threshold {
            hi += 1;
        }
        if mean(mode) < threshold {
            return Vec::new();
        }
        (lo..=hi)
            .map(|c| (c as u32, self.codes[c] as f64 / mean(c)))
            .collect()
    }
}

fn index_html(
    eval: &Evaluation,
    source: &Path,
    bits_file: &str,
    stats: &CodeStats,
    widths: bool,
) -> String {
    let mut rows = String::new();
    for c in &eval.codecs {
        let _ = write!(
            rows,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td><b>{:.3}</b></td><td>{}</td></tr>",
            c.name(),
            c.compressed(),
            c.binaries_len(eval.binaries.as_ref()),
            eval.ratio(c),
            if c.failures() == 0 {
                "all identical".to_string()
            } else {
                format!("{} FAILED", c.failures())
            }
        );
    }
    let escape = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    };
    let code_widths = if widths {
        "<h2>ADC code widths</h2><p>How often each 10-bit code occurs relative to its 9 neighbours. \
         A perfect converter would give 1 everywhere; this one has a repeating pattern of wide and \
         narrow codes, which the codec's prior knows.</p><img src=\"code_widths.png\">"
    } else {
        "<p>The set is not 10-bit ADC data, so there is no code-width plot.</p>"
    };
    format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>brainwire report</title>\
<style>body{{font-family:sans-serif;max-width:1250px;margin:2em auto}}td,th{{padding:2px 10px;text-align:right}}\
td:first-child{{text-align:left}}img{{max-width:100%;border:1px solid #ddd}}</style></head><body>\
<h1>brainwire report</h1><p>{} recordings from <code>{}</code>, {} raw bytes. Ratio = raw bytes / \
(compressed bytes + binaries). Difference entropy: {:.3} bits/sample.</p>\
<table><tr><th>codec</th><th>compressed bytes</th><th>binaries</th><th>ratio</th><th>round trip</th></tr>{rows}</table>\
<h2>Ratio per recording</h2><img src=\"ratio_ecdf.png\">\
<h2>Bits over time</h2><p><code>{}</code>: the signal, and the bits each profile spends on it.</p><img src=\"bits_over_time.png\">\
<h2>Bits against difficulty</h2><p>Each point is one recording under one codec: the bits it spends per \
sample against the order-0 entropy of the recording's first differences. Below the diagonal a codec does \
better than coding those differences with a perfect per-file table.</p><img src=\"bits_vs_entropy.png\">\
<h2>Residuals</h2><p>How far each sample moves from the one before, in ADC codes, on a log scale: \
the simplest predictor's residuals. The core is near-Laplacian; the long tails come from spikes and noisy \
channels.</p><img src=\"residual_histogram.png\">{code_widths}\
<p>Every figure is also written as SVG; the numbers are in summary.json.</p></body></html>\n",
        eval.names.len(),
        escape(&source.display().to_string()),
        eval.raw_total(),
        stats.difference_entropy(),
        escape(bits_file),
    )
}
