//! The report's figures, each drawn once as PNG and once as SVG.
//!
//! Text is rendered by plotters' ab_glyph backend from a TrueType font read
//! at run time (`BRAINWIRE_FONT`, else a DejaVu or Liberation font in the
//! usual system places), which avoids building fontconfig and freetype.

use crate::fail::{Exit, Failure, Result};
use plotters::chart::MeshStyle;
use plotters::coord::ranged1d::ValueFormatter;
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::{Path, PathBuf};

/// Codec colours: a colour-blind-friendly qualitative palette.
const COLOURS: [RGBColor; 9] = [
    RGBColor(0x1f, 0x77, 0xb4),
    RGBColor(0xd6, 0x27, 0x28),
    RGBColor(0x2c, 0xa0, 0x2c),
    RGBColor(0xff, 0x7f, 0x0e),
    RGBColor(0x94, 0x67, 0xbd),
    RGBColor(0x8c, 0x56, 0x4b),
    RGBColor(0xe3, 0x77, 0xc2),
    RGBColor(0x7f, 0x7f, 0x7f),
    RGBColor(0x17, 0xbe, 0xcf),
];

pub fn colour(i: usize) -> RGBColor {
    COLOURS[i % COLOURS.len()]
}

/// The same codec gets the same colour in every figure.
pub fn codec_colour(name: &str) -> RGBColor {
    let order = [
        "tables",
        "lite",
        "max",
        "bzip2",
        "xz",
        "zstd",
        "flac",
        "challenge",
        "fast",
    ];
    colour(order.iter().position(|n| *n == name).unwrap_or(7))
}

const FONT_PLACES: &[&str] = &[
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
    "/usr/share/fonts/liberation/LiberationSans-Regular.ttf",
    "/Library/Fonts/Arial.ttf",
    "/System/Library/Fonts/Supplemental/Arial.ttf",
];

/// Registers the font every figure uses; once per process.
pub fn init_font() -> Result<()> {
    static DONE: std::sync::OnceLock<std::result::Result<(), String>> = std::sync::OnceLock::new();
    DONE.get_or_init(|| {
        let from_env = std::env::var_os("BRAINWIRE_FONT").map(PathBuf::from);
        let candidates = from_env
            .iter()
            .map(PathBuf::as_path)
            .chain(FONT_PLACES.iter().map(Path::new));
        for place in candidates {
            if let Ok(bytes) = std::fs::read(place) {
                // The font table wants 'static bytes; one font per run is leaked.
                let bytes: &'static [u8] = Box::leak(bytes.into_boxed_slice());
                if plotters::style::register_font("sans-serif", FontStyle::Normal, bytes).is_ok() {
                    return Ok(());
                }
            }
        }
        Err(
            "no TrueType font found for the plots' text: install fonts-dejavu-core \
             (Debian/Ubuntu) or point BRAINWIRE_FONT at a .ttf file"
                .to_string(),
        )
    })
    .clone()
    .map_err(|message| Failure::new(Exit::Io, anyhow::anyhow!(message)))
}

fn drawing<E: std::fmt::Debug>(e: E) -> anyhow::Error {
    anyhow::anyhow!("drawing failed: {e:?}")
}

/// The series legend every chart uses: boxed, on a pale background.
fn legend<'a, DB, CT>(chart: &mut ChartContext<'a, DB, CT>, position: SeriesLabelPosition) -> anyhow::Result<()>
where
    DB: DrawingBackend + 'a,
    CT: CoordTranslate,
{
    chart
        .configure_series_labels()
        .position(position)
        .label_font(label_font())
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK)
        .draw()
        .map_err(drawing)
}

/// Draws `mesh` in the figures' style: label fonts, light grid lines.
fn draw_mesh<X, Y, DB>(mesh: &mut MeshStyle<'_, '_, X, Y, DB>) -> anyhow::Result<()>
where
    X: Ranged + ValueFormatter<X::ValueType>,
    Y: Ranged + ValueFormatter<Y::ValueType>,
    DB: DrawingBackend,
{
    mesh.label_style(label_font())
        .axis_desc_style(label_font())
        .light_line_style(RGBColor(242, 242, 242))
        .draw()
        .map_err(drawing)
}

/// A figure that can draw itself on any plotters backend.
pub trait Figure {
    fn size(&self) -> (u32, u32) {
        (1000, 600)
    }
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> anyhow::Result<()>;
}

/// Draws `figure` to `dir/stem.png` and `dir/stem.svg`; returns both paths.
pub fn save(figure: &impl Figure, dir: &Path, stem: &str) -> Result<[PathBuf; 2]> {
    let png = dir.join(format!("{stem}.png"));
    let svg = dir.join(format!("{stem}.svg"));
    let io = |path: &Path, e: anyhow::Error| {
        Failure::new(
            Exit::Io,
            e.context(format!("cannot write '{}'", path.display())),
        )
    };
    render(figure, BitMapBackend::new(&png, figure.size()).into_drawing_area()).map_err(|e| io(&png, e))?;
    render(figure, SVGBackend::new(&svg, figure.size()).into_drawing_area()).map_err(|e| io(&svg, e))?;
    Ok([png, svg])
}

/// `figure` on a white `root`, written out.
fn render<DB: DrawingBackend>(figure: &impl Figure, root: DrawingArea<DB, Shift>) -> anyhow::Result<()> {
    root.fill(&WHITE).map_err(drawing)?;
    figure.draw(&root)?;
    root.present().map_err(drawing)
}

fn caption_font() -> TextStyle<'static> {
    ("sans-serif", 24).into_font().into()
}

fn label_font() -> TextStyle<'static> {
    ("sans-serif", 16).into_font().into()
}

/// Cumulative distribution of per-file ratios, one curve per codec.
pub struct RatioEcdf {
    /// (codec name, overall ratio, per-file ratios, name of an earlier
    /// codec whose per-file sizes are all the same)
    pub series: Vec<(String, f64, Vec<f64>, Option<String>)>,
    pub files: usize,
}

impl Figure for RatioEcdf {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> anyhow::Result<()> {
        // A few outlier recordings (near-silent channels compress 10x and
        // more) would squash the rest: the axis spans the central 99% of
        // all ratios and the caption says how many lie beyond.
        let mut all: Vec<f64> = self
            .series
            .iter()
            .flat_map(|s| s.2.iter().copied())
            .collect();
        all.sort_by(f64::total_cmp);
        let (lo, hi) = match all.len() {
            0 => (0.0, 1.0),
            n => (all[n / 200], all[(n - 1) - n / 200]),
        };
        let beyond = all.iter().filter(|&&r| r < lo || r > hi).count();
        let pad = ((hi - lo) * 0.04).max(0.05);
        let (left, right) = (lo - pad, hi + pad);
        let caption = if beyond > 0 {
            format!(
                "Compression ratio per recording ({} recordings; {beyond} codec-recording pairs off the axis)",
                self.files
            )
        } else {
            format!(
                "Compression ratio per recording ({} recordings)",
                self.files
            )
        };
        let mut chart = ChartBuilder::on(root)
            .caption(caption, ("sans-serif", if beyond > 0 { 20 } else { 24 }))
            .margin(16)
            .x_label_area_size(48)
            .y_label_area_size(64)
            .build_cartesian_2d(left..right, 0.0..1.0)
            .map_err(drawing)?;
        draw_mesh(chart
            .configure_mesh()
            .x_desc("compression ratio of one recording (raw bytes / compressed bytes)")
            .y_desc("fraction of recordings at or below"))?;
        for (name, overall, ratios, same_as) in &self.series {
            let mut sorted = ratios.clone();
            sorted.sort_by(f64::total_cmp);
            let n = sorted.len().max(1) as f64;
            // A step curve: at each ratio the fraction jumps by 1/n.
            let mut points = vec![(left, 0.0)];
            for (k, r) in sorted.iter().enumerate() {
                let r = r.clamp(left, right);
                points.push((r, k as f64 / n));
                points.push((r, (k + 1) as f64 / n));
            }
            points.push((right, 1.0));
            let c = codec_colour(name);
            // A codec identical to an earlier one would hide under it: dash it.
            let label = match same_as {
                Some(other) => format!("{name}  (overall {overall:.3}, same sizes as {other})"),
                None => format!("{name}  (overall {overall:.3})"),
            };
            if same_as.is_some() {
                chart
                    .draw_series(DashedLineSeries::new(points, 8, 8, c.stroke_width(2)))
                    .map_err(drawing)?
                    .label(label)
                    .legend(move |(x, y)| {
                        PathElement::new(vec![(x, y), (x + 24, y)], c.stroke_width(3))
                    });
                continue;
            }
            chart
                .draw_series(LineSeries::new(points, c.stroke_width(2)))
                .map_err(drawing)?
                .label(label)
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 24, y)], c.stroke_width(3))
                });
        }
        legend(&mut chart, SeriesLabelPosition::LowerRight)?;
        Ok(())
    }
}

/// Coded bits per sample along one recording, under the signal itself.
pub struct BitsOverTime {
    pub file: String,
    pub sample_rate: f64,
    /// The recording's ADC codes (or sample values off the lattice).
    pub signal: Vec<f64>,
    pub signal_unit: String,
    pub block: usize,
    /// (profile name, bits per sample of each block)
    pub series: Vec<(String, Vec<f64>)>,
}

impl Figure for BitsOverTime {
    fn size(&self) -> (u32, u32) {
        (1200, 800)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> anyhow::Result<()> {
        let root = root
            .titled(&format!("Where the bits go: {}", self.file), caption_font())
            .map_err(drawing)?;
        let (upper, lower) = root.split_vertically(300);
        let seconds = self.signal.len() as f64 / self.sample_rate;

        // Signal, reduced to a min/max envelope per pixel column so the
        // picture (and the SVG) stay light without hiding spikes.
        let columns = 1100usize;
        let per = self.signal.len().div_ceil(columns).max(1);
        let mut envelope = Vec::new();
        let (mut lo, mut hi) = (f64::MAX, f64::MIN);
        for (k, chunk) in self.signal.chunks(per).enumerate() {
            let t = (k * per) as f64 / self.sample_rate;
            let mn = chunk.iter().copied().fold(f64::MAX, f64::min);
            let mx = chunk.iter().copied().fold(f64::MIN, f64::max);
            lo = lo.min(mn);
            hi = hi.max(mx);
            envelope.push((t, mn));
            envelope.push((t, mx));
        }
        if lo > hi {
            (lo, hi) = (0.0, 1.0);
        }
        let pad = ((hi - lo) * 0.05).max(1.0);
        let mut top = ChartBuilder::on(&upper)
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(64)
            .build_cartesian_2d(0.0..seconds, (lo - pad)..(hi + pad))
            .map_err(drawing)?;
        draw_mesh(top.configure_mesh()
            .y_desc(&self.signal_unit)
            .y_label_formatter(&|v| format!("{v:.0}")))?;
        top.draw_series(LineSeries::new(
            envelope,
            RGBColor(60, 60, 60).stroke_width(1),
        ))
        .map_err(drawing)?;

        // Zoom on the bits actually spent, with room under them for the legend.
        let all = self.series.iter().flat_map(|s| s.1.iter().copied());
        let (least, most) = all.fold((f64::MAX, 0.0f64), |(lo, hi), b| (lo.min(b), hi.max(b)));
        let least = least.min(most);
        let span = (most - least).max(0.5);
        let y_range = (least - 0.6 * span).max(0.0)..(most + 0.1 * span);
        let mut bottom = ChartBuilder::on(&lower)
            .margin(12)
            .x_label_area_size(48)
            .y_label_area_size(64)
            .build_cartesian_2d(0.0..seconds, y_range)
            .map_err(drawing)?;
        draw_mesh(bottom
            .configure_mesh()
            .x_desc("time (s)")
            .y_desc(format!(
                "coded bits per sample ({} ms blocks)",
                (self.block as f64 / self.sample_rate * 1e3).round()
            )))?;
        for (i, (name, bits)) in self.series.iter().enumerate() {
            let c = codec_colour(name);
            let mean = bits.iter().sum::<f64>() / bits.len().max(1) as f64;
            let points: Vec<(f64, f64)> = bits
                .iter()
                .enumerate()
                .map(|(k, b)| ((k as f64 + 0.5) * self.block as f64 / self.sample_rate, *b))
                .collect();
            // A profile that spends exactly what an earlier one does is dashed
            // so both stay visible.
            let same_as = self.series[..i]
                .iter()
                .find(|s| s.1 == *bits)
                .map(|s| s.0.as_str());
            let label = match same_as {
                Some(other) => format!("{name}  (mean {mean:.2} bits/sample, same as {other})"),
                None => format!("{name}  (mean {mean:.2} bits/sample)"),
            };
            let legend = move |(x, y): (i32, i32)| {
                PathElement::new(vec![(x, y), (x + 24, y)], c.stroke_width(3))
            };
            if same_as.is_some() {
                bottom
                    .draw_series(DashedLineSeries::new(points, 8, 8, c.stroke_width(2)))
                    .map_err(drawing)?
                    .label(label)
                    .legend(legend);
            } else {
                bottom
                    .draw_series(LineSeries::new(points, c.stroke_width(2)))
                    .map_err(drawing)?
                    .label(label)
                    .legend(legend);
            }
        }
        legend(&mut bottom, SeriesLabelPosition::LowerRight)?;
        Ok(())
    }
}

/// Per recording: coded bits per sample against the entropy of its first
/// differences, one colour per codec, with the diagonal for reference.
pub struct BitsVsEntropy {
    /// (codec name, (difference entropy, coded bits per sample) per recording)
    pub series: Vec<(String, Vec<(f64, f64)>)>,
}

impl Figure for BitsVsEntropy {
    fn size(&self) -> (u32, u32) {
        (1000, 800)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> anyhow::Result<()> {
        let all = self.series.iter().flat_map(|s| s.1.iter());
        let (lo, hi) = all.fold((f64::MAX, f64::MIN), |(lo, hi), &(x, y)| {
            (lo.min(x).min(y), hi.max(x).max(y))
        });
        let (lo, hi) = if lo <= hi { (lo, hi) } else { (0.0, 1.0) };
        let pad = ((hi - lo) * 0.03).max(0.1);
        let range = (lo - pad).max(0.0)..(hi + pad);
        let mut chart = ChartBuilder::on(root)
            .caption(
                "Bits spent against how hard each recording is",
                caption_font(),
            )
            .margin(16)
            .x_label_area_size(48)
            .y_label_area_size(64)
            .build_cartesian_2d(range.clone(), range.clone())
            .map_err(drawing)?;
        draw_mesh(chart
            .configure_mesh()
            .x_desc("entropy of the recording's first differences (bits/sample)")
            .y_desc("coded size (bits/sample)"))?;
        let grey = RGBColor(120, 120, 120);
        chart
            .draw_series(LineSeries::new(
                [(range.start, range.start), (range.end, range.end)],
                grey.stroke_width(1),
            ))
            .map_err(drawing)?
            .label("coded size = difference entropy")
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 24, y)], grey.stroke_width(1))
            });
        for (name, points) in &self.series {
            let c = codec_colour(name);
            chart
                .draw_series(
                    points
                        .iter()
                        .map(|&p| Circle::new(p, 3, c.mix(0.6).filled())),
                )
                .map_err(drawing)?
                .label(name.as_str())
                .legend(move |(x, y)| Circle::new((x + 12, y), 4, c.filled()));
        }
        legend(&mut chart, SeriesLabelPosition::UpperLeft)?;
        Ok(())
    }
}

/// Distribution of the first difference of ADC codes, on a log scale, with
/// the Laplace distribution of the same mean absolute value for comparison.
pub struct ResidualHistogram {
    /// (difference, count), sorted by difference.
    pub counts: Vec<(i64, u64)>,
    pub entropy_bits: f64,
    pub unit: String,
}

impl Figure for ResidualHistogram {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> anyhow::Result<()> {
        let total: u64 = self.counts.iter().map(|c| c.1).sum();
        let total = total.max(1) as f64;
        let mean_abs = self
            .counts
            .iter()
            .map(|&(d, c)| d.unsigned_abs() as f64 * c as f64)
            .sum::<f64>()
            / total;
        // Show the central 99.99% of the mass, at least +-16.
        let mut reach = 16i64;
        let mut inside = 0.0;
        let mut by_abs: Vec<(u64, u64)> = self
            .counts
            .iter()
            .map(|&(d, c)| (d.unsigned_abs(), c))
            .collect();
        by_abs.sort_unstable();
        for (a, c) in by_abs {
            if inside / total >= 0.9999 {
                break;
            }
            inside += c as f64;
            reach = reach.max(a as i64);
        }
        // The axis ends just under the rarest difference shown.
        let rarest = self
            .counts
            .iter()
            .filter(|(d, _)| d.abs() <= reach)
            .map(|c| c.1)
            .min()
            .unwrap_or(1);
        let floor = (rarest as f64 / total / 2.0).min(1e-4);
        let mut chart = ChartBuilder::on(root)
            .caption(
                format!(
                    "First difference of {} (entropy {:.2} bits/sample)",
                    self.unit, self.entropy_bits
                ),
                caption_font(),
            )
            .margin(16)
            .x_label_area_size(48)
            .y_label_area_size(72)
            .build_cartesian_2d(
                (-reach as f64 - 0.5)..(reach as f64 + 0.5),
                (floor..1.0).log_scale(),
            )
            .map_err(drawing)?;
        draw_mesh(chart
            .configure_mesh()
            .x_desc("difference to the previous sample")
            .x_label_formatter(&|v| format!("{v:.0}"))
            .y_desc("probability")
            .y_label_formatter(&|v| format!("{v:.0e}")))?;
        let bar = colour(0);
        chart
            .draw_series(
                self.counts
                    .iter()
                    .filter(|(d, _)| d.abs() <= reach)
                    .map(|&(d, c)| {
                        let x = d as f64;
                        Rectangle::new(
                            [(x - 0.4, floor), (x + 0.4, (c as f64 / total).max(floor))],
                            bar.mix(0.8).filled(),
                        )
                    }),
            )
            .map_err(drawing)?
            .label("recordings")
            .legend(move |(x, y)| {
                Rectangle::new([(x, y - 6), (x + 16, y + 6)], bar.mix(0.8).filled())
            });
        // Discrete Laplace with the same mean |d|: p(d) ~ q^|d|.
        let q = mean_abs / (1.0 + (1.0 + mean_abs * mean_abs).sqrt());
        let norm = (1.0 - q) / (1.0 + q);
        let laplace = (-reach..=reach)
            .map(|d| (d as f64, norm * q.powi(d.abs() as i32)))
            .filter(|&(_, p)| p >= floor);
        let fit = colour(1);
        chart
            .draw_series(LineSeries::new(laplace, fit.stroke_width(2)))
            .map_err(drawing)?
            .label(format!("Laplace with the same mean |d| ({mean_abs:.1})"))
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 24, y)], fit.stroke_width(3)));
        legend(&mut chart, SeriesLabelPosition::UpperRight)?;
        Ok(())
    }
}

/// How often each ADC code occurs relative to its neighbourhood: the
/// converter's uneven code widths, which the codec's prior exploits.
pub struct CodeWidths {
    /// (code, occurrences / smoothed occurrences)
    pub relative: Vec<(u32, f64)>,
    pub samples: u64,
}

impl Figure for CodeWidths {
    fn size(&self) -> (u32, u32) {
        (1400, 600)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> anyhow::Result<()> {
        let lo = self.relative.first().map_or(0, |r| r.0) as f64;
        let hi = self.relative.last().map_or(1, |r| r.0) as f64;
        let peak = self.relative.iter().map(|r| r.1).fold(1.0, f64::max);
        let mut chart = ChartBuilder::on(root)
            .caption(
                format!("ADC code widths: each code's share relative to its neighbours ({:.1} M samples)", self.samples as f64 / 1e6),
                caption_font(),
            )
            .margin(16)
            .x_label_area_size(48)
            .y_label_area_size(64)
            .build_cartesian_2d((lo - 1.0)..(hi + 1.0), 0.0..(peak * 1.08))
            .map_err(drawing)?;
        draw_mesh(chart
            .configure_mesh()
            .x_desc("10-bit ADC code")
            .x_label_formatter(&|v| format!("{v:.0}"))
            .y_desc("occurrences / moving average of 9 codes"))?;
        let c = colour(0);
        chart
            .draw_series(self.relative.iter().map(|&(code, r)| {
                let x = code as f64;
                Rectangle::new([(x - 0.35, 0.0), (x + 0.35, r)], c.filled())
            }))
            .map_err(drawing)?;
        chart
            .draw_series(LineSeries::new(
                [(lo - 1.0, 1.0), (hi + 1.0, 1.0)],
                colour(1).stroke_width(1),
            ))
            .map_err(drawing)?;
        Ok(())
    }
}
