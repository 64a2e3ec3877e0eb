//! Benchmark of the chunked container on the challenge recordings
//! (`BRAINWIRE_DATA_DIR`, default /tmp/d/data: the unzipped WAV files), in one
//! run:
//!
//! 1. the recordings interleaved into 32-channel files (sorted file index,
//!    train = index % 4 != 0 and held-out = index % 4 == 0 grouped
//!    separately, each group cut to its shortest file) against coding each
//!    file alone as one core stream, for several chunk lengths;
//! 2. the same 10-bit codes scaled by 12 and by 3 with an offset (int16),
//!    against the unscaled recordings;
//!
//! 3. the first 384 recordings (sorted, both splits) as one 384-channel int16
//!    file, and the same as centred 10-bit codes (dense values, as Neuropixels
//!    writes them), against WavPack (-f, default, -h, -hh, -hh -x3; in two files of 192
//!    channels, its raw-PCM limit being 256), FLAC -8 (stereo pairs) and
//!    zstd -19 on the raw samples, when those tools are installed;
//!
//! printing ratio (raw bytes / coded bytes) and MB per CPU second (one
//! core's throughput, which a shared machine disturbs less than wall time;
//! external tools are single-threaded here). Every chunked stream is
//! decoded and compared with its input; every external tool's output too.
//!
//! Run: `cargo run --release -p brainwire-chunked --bin chunked-bench`
//! (`BENCH_FILES=n` for the first n files only, `BENCH_SKIP_WIDE=1` or
//! `BENCH_ONLY_WIDE=1` to leave out or keep only the 384-channel part,
//! `BENCH_SLOW=1` to add WavPack -hh -x3 and zstd -19 there,
//! `BENCH_CHUNKS=0.1,1` for other chunk lengths in seconds in part 1).
//!
//! Two more modes, for the memory and window measurements of
//! docs/chunked.md:
//!
//! - `BENCH_WRITE_WIDE=PATH [BENCH_WRITE_MB=4300]`: writes the 384-channel
//!   interleaving of part 3 to PATH, repeated until it holds that many MB
//!   (raw int16, for `brainwire encode PATH --channels 384`), and exits;
//! - `BENCH_WINDOWS=FILE.bw [BENCH_WINDOW_MS=100]`: decodes windows of all
//!   channels of a chunked file through the library (reader opened once),
//!   starting at 0, 1/4, 1/2, 3/4 and 9/10 of a chunk and straddling a chunk
//!   end, and prints wall and CPU time per window with 1 thread and all.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use brainwire_chunked::{decode_interleaved, encode_interleaved, EncodeOptions, Reader, SampleType, DEFAULT_PROFILE};
use brainwire_core::{encode_le, AdcLattice};
use rayon::prelude::*;

const GROUP_CHANNELS: usize = 32;
const RATE_HZ: f64 = 19_531.0;

/// The sample bytes of a 16-bit WAV file (its `data` chunk).
fn wav_data(file: &[u8]) -> Option<&[u8]> {
    let mut at = 12;
    while at + 8 <= file.len() {
        let id = &file[at..at + 4];
        let len = u32::from_le_bytes(file[at + 4..at + 8].try_into().ok()?) as usize;
        if id == b"data" {
            return file.get(at + 8..(at + 8 + len).min(file.len()));
        }
        at += 8 + len + (len & 1);
    }
    None
}

fn core_len(le: &[u8]) -> usize {
    let lattice = AdcLattice::detect_le(le);
    let mut out = Vec::new();
    encode_le(DEFAULT_PROFILE, lattice, le, &mut out);
    out.len()
}

fn interleave(files: &[&[u8]], frames: usize) -> Vec<u8> {
    let mut out = vec![0u8; frames * files.len() * 2];
    for (c, f) in files.iter().enumerate() {
        for t in 0..frames {
            let at = (t * files.len() + c) * 2;
            out[at..at + 2].copy_from_slice(&f[2 * t..2 * t + 2]);
        }
    }
    out
}

/// CPU seconds this process and its waited-for children have used (from
/// /proc/self/stat, in clock ticks of 1/100 s): speeds per CPU second are
/// one core's throughput and hold up on a shared machine, unlike wall time.
fn cpu_now() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the parenthesised command name; utime is field 14.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<f64> = rest.split_whitespace().map(|x| x.parse().unwrap_or(0.0)).collect();
    f.get(11..15).map_or(0.0, |t| t.iter().sum::<f64>() / 100.0)
}

/// Totals of one configuration over a set of groups.
#[derive(Default, Clone, Copy)]
struct Tally {
    raw: usize,
    coded: usize,
    enc_s: f64,
    dec_s: f64,
}

impl Tally {
    fn ratio(&self) -> f64 {
        self.raw as f64 / self.coded as f64
    }
}

fn chunked(le: &[u8], channels: usize, chunk_frames: usize, t: &mut Tally) {
    let opts = EncodeOptions { chunk_frames: Some(chunk_frames), rate_hz: Some(RATE_HZ), ..Default::default() };
    let start = cpu_now();
    let s = encode_interleaved(le, SampleType::I16, channels, &opts).expect("encode");
    t.enc_s += cpu_now() - start;
    let start = cpu_now();
    let (_, back) = decode_interleaved(&s, 0).expect("decode");
    t.dec_s += cpu_now() - start;
    assert!(back == le, "round trip failed");
    t.raw += le.len();
    t.coded += s.len();
}

/// `x -> scale * code(x) + offset` for samples on the 10-bit lattice; off it,
/// one more (an escape for the scaled lattice too).
fn scaled(le: &[u8], scale: i32, offset: i32) -> Vec<u8> {
    le.chunks_exact(2)
        .flat_map(|b| {
            let x = i16::from_le_bytes([b[0], b[1]]);
            let lat = AdcLattice::Neuralink10;
            let c = lat.nearest_code(x) as i32;
            let off = i32::from(lat.code(x).is_none());
            ((scale * c + offset + off) as i16).to_le_bytes()
        })
        .collect()
}

/// Runs a tool; its wall time, or `None` if it is missing or fails.
fn run(cmd: &mut Command) -> Option<f64> {
    let start = cpu_now();
    let out = cmd.output().ok()?;
    out.status.success().then(|| cpu_now() - start)
}

/// An external codec over `parts` (files of raw samples, each with its
/// channel count): total coded bytes, encode and decode seconds, after
/// checking that every part decodes to its input.
fn external(dir: &Path, parts: &[(Vec<u8>, usize)], name: &str, enc: &dyn Fn(&Path, &Path, usize) -> Command, dec: &dyn Fn(&Path, &Path, usize) -> Command) -> Option<(u64, f64, f64)> {
    let (mut coded, mut enc_s, mut dec_s) = (0u64, 0.0, 0.0);
    for (i, (raw, ch)) in parts.iter().enumerate() {
        let (input, packed, back) = (dir.join(format!("{name}-{i}.raw")), dir.join(format!("{name}-{i}.{name}")), dir.join(format!("{name}-{i}.back")));
        std::fs::write(&input, raw).ok()?;
        enc_s += run(&mut enc(&input, &packed, *ch))?;
        dec_s += run(&mut dec(&packed, &back, *ch))?;
        coded += std::fs::metadata(&packed).ok()?.len();
        assert!(std::fs::read(&back).ok()? == *raw, "{name} did not give back part {i}");
        for f in [input, packed, back] {
            let _ = std::fs::remove_file(f);
        }
    }
    Some((coded, enc_s, dec_s))
}

/// `channels` interleaved channels as parts of `per` channels each.
fn split(le: &[u8], channels: usize, per: usize) -> Vec<(Vec<u8>, usize)> {
    (0..channels)
        .step_by(per)
        .map(|first| {
            let n = per.min(channels - first);
            let part: Vec<u8> = le.chunks_exact(2 * channels).flat_map(|f| f[2 * first..2 * (first + n)].iter().copied()).collect();
            (part, n)
        })
        .collect()
}

const WIDE: usize = 384;

/// The first 384 recordings, cut to the shortest, interleaved; with its
/// frame count.
fn wide_interleaving(data: &[&[u8]]) -> Option<(Vec<u8>, usize)> {
    let frames = data.get(..WIDE)?.iter().map(|d| d.len() / 2).min()?;
    let members: Vec<&[u8]> = data[..WIDE].iter().map(|d| &d[..2 * frames]).collect();
    Some((interleave(&members, frames), frames))
}

/// `BENCH_WRITE_WIDE`: the 384-channel interleaving repeated into `path`
/// until it holds `mb` MB.
fn write_wide(data: &[&[u8]], path: &str, mb: f64) {
    use std::io::Write;
    let (le, frames) = wide_interleaving(data).expect("384 recordings");
    let mut out = std::io::BufWriter::with_capacity(8 << 20, std::fs::File::create(path).expect("create"));
    let (mut written, mut reps) = (0u64, 0);
    while (written as f64) < mb * 1e6 {
        out.write_all(&le).expect("write");
        written += le.len() as u64;
        reps += 1;
    }
    out.flush().expect("flush");
    println!("wrote {path}: the 384-channel interleaving ({frames} frames) {reps} times, {written} bytes, {} frames", reps * frames);
}

fn median(xs: &mut [f64]) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

/// `BENCH_WINDOWS`: wall and CPU time of window decodes of all channels.
fn window_bench(path: &str) {
    let ms: f64 = std::env::var("BENCH_WINDOW_MS").ok().and_then(|v| v.parse().ok()).unwrap_or(100.0);
    // Windows per position, each in another chunk (CPU time is read in
    // ticks of 10 ms: their sum is what is divided).
    const REPS: usize = 12;
    println!("| window start | threads | wall ms (median) | wall ms (min-max) | CPU ms per window | frames decoded per channel |");
    println!("| --- | ---: | ---: | ---: | ---: | ---: |");
    for threads in [1, 0] {
        let open = Instant::now();
        let file = std::fs::File::open(path).expect("open");
        let mut r = Reader::with_threads(std::io::BufReader::with_capacity(1 << 20, file), threads).expect("a chunked stream");
        let open_ms = open.elapsed().as_secs_f64() * 1e3;
        let info = r.info();
        let rate = info.rate_hz.unwrap_or(30_000.0);
        let n = ((ms / 1e3 * rate).round() as u64).max(1);
        let (f, k) = (r.chunk_frames(), r.chunk_count() as u64);
        if threads == 1 {
            println!("(file: {} channels, {} frames = {:.1} s at {rate} Hz, {k} chunks of {f} frames; window {n} frames; reader opened in {open_ms:.1} ms)", info.channels, info.frames, info.frames as f64 / rate);
        }
        let label = if threads == 1 { "1".to_string() } else { rayon::current_num_threads().to_string() };
        let positions: Vec<(String, u64)> = [0.0, 0.25, 0.5, 0.75, 0.9].iter().map(|&q| (format!("{q} of a chunk"), (q * f as f64) as u64)).chain(std::iter::once(("straddling a chunk end".to_string(), f.saturating_sub(n / 2)))).collect();
        for (name, within) in positions {
            let starts: Vec<u64> = (0..REPS as u64).map(|i| (i * k / REPS as u64) * f + within).filter(|&s| s + n <= info.frames).collect();
            if starts.is_empty() {
                continue;
            }
            // Once unmeasured, so that the file's pages are in memory.
            for &s in &starts {
                r.read_window(s, n, None).expect("window");
            }
            let mut walls = Vec::new();
            let cpu0 = cpu_now();
            for &s in &starts {
                let t = Instant::now();
                std::hint::black_box(r.read_window(s, n, None).expect("window"));
                walls.push(t.elapsed().as_secs_f64() * 1e3);
            }
            let cpu = (cpu_now() - cpu0) * 1e3 / starts.len() as f64;
            let (lo, hi) = walls.iter().fold((f64::MAX, 0.0f64), |(a, b), &w| (a.min(w), b.max(w)));
            println!("| {name} | {label} | {:.1} | {lo:.1}-{hi:.1} | {cpu:.1} | {} |", median(&mut walls), within + n);
        }
    }
}

fn wide_benchmarks(data: &[&[u8]]) {
    let Some((le, frames)) = wide_interleaving(data) else {
        println!("\n(384-channel benchmark skipped: only {} recordings)", data.len());
        return;
    };
    wide_benchmark(&le, &format!("the first 384 recordings interleaved (16-bit values of the 10-bit ADC), {frames} frames"));
    // The ADC codes themselves, centred (dense int16 values, as Neuropixels
    // probes write them): the data WavPack and FLAC are made for.
    let codes: Vec<u8> = le
        .chunks_exact(2)
        .flat_map(|b| ((AdcLattice::Neuralink10.nearest_code(i16::from_le_bytes([b[0], b[1]])) as i16) - 512).to_le_bytes())
        .collect();
    wide_benchmark(&codes, &format!("the same as 10-bit codes - 512 (dense int16, off-lattice samples rounded), {frames} frames"));
}

fn wide_benchmark(le: &[u8], title: &str) {
    let mb = le.len() as f64 / 1e6;
    println!("\n## 384 channels: {title} ({mb:.1} MB)");
    println!("| coder | bytes | ratio | enc MB/cpu-s | dec MB/cpu-s |");
    println!("| --- | ---: | ---: | ---: | ---: |");
    let row = |name: &str, bytes: u64, enc: f64, dec: f64| println!("| {name} | {bytes} | {:.4} | {:.1} | {:.1} |", le.len() as f64 / bytes as f64, mb / enc, mb / dec);
    for threads in [1, 0] {
        let opts = EncodeOptions { rate_hz: Some(RATE_HZ), threads, ..Default::default() };
        let (start, wall) = (cpu_now(), Instant::now());
        let s = encode_interleaved(le, SampleType::I16, WIDE, &opts).expect("encode");
        let (enc, enc_wall) = (cpu_now() - start, wall.elapsed().as_secs_f64());
        let (start, wall) = (cpu_now(), Instant::now());
        let (_, back) = decode_interleaved(&s, threads).expect("decode");
        let (dec, dec_wall) = (cpu_now() - start, wall.elapsed().as_secs_f64());
        assert!(back == *le, "round trip failed");
        let label = if threads == 1 { "1 thread".to_string() } else { format!("{} threads", rayon::current_num_threads()) };
        row(&format!("brainwire chunked 1 s, {}, {label} (wall: enc {:.1}, dec {:.1} MB/s)", DEFAULT_PROFILE.name(), mb / enc_wall, mb / dec_wall), s.len() as u64, enc, dec);
    }
    let dir = std::env::temp_dir().join(format!("chunked-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let rate = (RATE_HZ as u32).to_string();
    let wv_parts = split(le, WIDE, 192);
    // WavPack -x3 and zstd -19 take minutes of CPU each on this data:
    // BENCH_SLOW=1 runs them.
    let slow = std::env::var_os("BENCH_SLOW").is_some();
    let mut levels = vec![("-f", vec!["-f"]), ("default", vec![]), ("-h", vec!["-h"]), ("-hh", vec!["-hh"])];
    if slow {
        levels.push(("-hh -x3", vec!["-hh", "-x3"]));
    }
    for (label, flags) in levels {
        let enc = |i: &Path, o: &Path, ch: usize| {
            let mut c = Command::new("wavpack");
            c.arg("-q").arg("-y").arg(format!("--raw-pcm={rate},16s,{ch}")).args(&flags).arg(i).arg("-o").arg(o);
            c
        };
        let dec = |i: &Path, o: &Path, _: usize| {
            let mut c = Command::new("wvunpack");
            c.arg("-q").arg("-y").arg("--raw").arg(i).arg("-o").arg(o);
            c
        };
        match external(&dir, &wv_parts, "wv", &enc, &dec) {
            Some((b, e, d)) => row(&format!("WavPack {label}"), b, e, d),
            None => println!("| WavPack {label} | not run (wavpack missing or failed) | | | |"),
        }
    }
    let pairs = split(le, WIDE, 2);
    let enc = |i: &Path, o: &Path, ch: usize| {
        let mut c = Command::new("flac");
        c.args(["-s", "-f", "-8", "--force-raw-format", "--endian=little", "--sign=signed", "--bps=16"]).arg(format!("--channels={ch}")).arg(format!("--sample-rate={rate}")).arg(i).arg("-o").arg(o);
        c
    };
    let dec = |i: &Path, o: &Path, _: usize| {
        let mut c = Command::new("flac");
        c.args(["-s", "-f", "-d", "--force-raw-format", "--endian=little", "--sign=signed"]).arg(i).arg("-o").arg(o);
        c
    };
    match external(&dir, &pairs, "flac", &enc, &dec) {
        Some((b, e, d)) => row("FLAC -8, stereo pairs", b, e, d),
        None => println!("| FLAC -8 | not run (flac missing or failed) | | | |"),
    }
    let whole = vec![(le.to_vec(), WIDE)];
    let enc = |i: &Path, o: &Path, _: usize| {
        let mut c = Command::new("zstd");
        c.args(["-q", "-f", "-19"]).arg(i).arg("-o").arg(o);
        c
    };
    let dec = |i: &Path, o: &Path, _: usize| {
        let mut c = Command::new("zstd");
        c.args(["-q", "-f", "-d"]).arg(i).arg("-o").arg(o);
        c
    };
    match slow.then(|| external(&dir, &whole, "zstd", &enc, &dec)) {
        Some(Some((b, e, d))) => row("zstd -19", b, e, d),
        Some(None) => println!("| zstd -19 | not run (zstd missing or failed) | | | |"),
        None => println!("| zstd -19 | not run (BENCH_SLOW=1 runs it) | | | |"),
    }
    let _ = std::fs::remove_dir_all(&dir);
}

fn main() {
    if let Ok(path) = std::env::var("BENCH_WINDOWS") {
        window_bench(&path);
        return;
    }
    let dir = std::env::var("BRAINWIRE_DATA_DIR").unwrap_or_else(|_| "/tmp/d/data".into());
    let mut names: Vec<_> = std::fs::read_dir(&dir).expect("data dir").filter_map(|e| e.ok()).map(|e| e.path()).filter(|p| p.extension().is_some_and(|x| x == "wav")).collect();
    names.sort();
    // BENCH_FILES=n keeps the first n files (a quick look; the table in the
    // docs is of all of them).
    if let Some(n) = std::env::var("BENCH_FILES").ok().and_then(|v| v.parse().ok()) {
        names.truncate(n);
    }
    let files: Vec<Vec<u8>> = names.iter().map(|p| std::fs::read(p).expect("read")).collect();
    let data: Vec<&[u8]> = files.iter().map(|f| wav_data(f).expect("a WAV data chunk")).collect();
    if let Ok(path) = std::env::var("BENCH_WRITE_WIDE") {
        let mb = std::env::var("BENCH_WRITE_MB").ok().and_then(|v| v.parse().ok()).unwrap_or(4300.0);
        write_wide(&data, &path, mb);
        return;
    }
    println!("{} recordings from {dir}; profile {}; {} threads; chunked streams decoded and compared", data.len(), DEFAULT_PROFILE.name(), rayon::current_num_threads());

    let chunk_seconds: Vec<f64> = match std::env::var("BENCH_CHUNKS") {
        Ok(list) => list.split(',').map(|x| x.trim().parse().expect("BENCH_CHUNKS: seconds, comma-separated")).collect(),
        Err(_) => vec![0.1, 0.25, 0.5, 1.0, 2.0, 8.0],
    };
    let parts: &[(&str, usize)] = if std::env::var_os("BENCH_ONLY_WIDE").is_some() { &[] } else { &[("train", 1), ("held-out", 0)] };
    for &(part, keep) in parts {
        let idx: Vec<usize> = (0..data.len()).filter(|i| usize::from(i % 4 != 0) == keep).collect();
        let groups: Vec<Vec<usize>> = idx.chunks(GROUP_CHANNELS).map(|g| g.to_vec()).collect();
        let mut alone = Tally::default();
        let mut by_chunk = vec![Tally::default(); chunk_seconds.len()];
        let mut scaled12 = Tally::default();
        let mut scaled3 = Tally::default();
        let mut unscaled = Tally::default();
        for g in &groups {
            let frames = g.iter().map(|&i| data[i].len() / 2).min().unwrap();
            let members: Vec<&[u8]> = g.iter().map(|&i| &data[i][..2 * frames]).collect();
            let start = cpu_now();
            alone.coded += members.par_iter().map(|m| core_len(m)).sum::<usize>();
            alone.enc_s += cpu_now() - start;
            alone.raw += frames * 2 * g.len();
            let le = interleave(&members, frames);
            for (t, &sec) in by_chunk.iter_mut().zip(&chunk_seconds) {
                chunked(&le, g.len(), (sec * RATE_HZ).round() as usize, t);
            }
            let one_s = RATE_HZ as usize;
            chunked(&le, g.len(), one_s, &mut unscaled);
            chunked(&scaled(&le, 12, -6144), g.len(), one_s, &mut scaled12);
            chunked(&scaled(&le, 3, 1234), g.len(), one_s, &mut scaled3);
        }
        let sizes: Vec<usize> = groups.iter().map(Vec::len).collect();
        println!("\n## {part}: {} recordings in {} groups of {:?} channels", idx.len(), groups.len(), sizes);
        println!("| coding | bytes | ratio | vs alone | enc MB/cpu-s | dec MB/cpu-s |");
        println!("| --- | ---: | ---: | ---: | ---: | ---: |");
        let mbs = |bytes: usize, s: f64| if s > 0.0 { format!("{:.1}", bytes as f64 / s / 1e6) } else { "-".into() };
        println!("| each file alone (one core stream) | {} | {:.4} | - | {} | - |", alone.coded, alone.ratio(), mbs(alone.raw, alone.enc_s));
        for (t, sec) in by_chunk.iter().zip(&chunk_seconds) {
            println!("| chunked, {sec} s chunks | {} | {:.4} | {:+.2} % | {} | {} |", t.coded, t.ratio(), (t.ratio() / alone.ratio() - 1.0) * 100.0, mbs(t.raw, t.enc_s), mbs(t.raw, t.dec_s));
        }
        println!("\n| scaled codes, 1 s chunks | bytes | ratio | vs unscaled |");
        println!("| --- | ---: | ---: | ---: |");
        println!("| unscaled | {} | {:.4} | - |", unscaled.coded, unscaled.ratio());
        for (name, t) in [("x12 - 6144", scaled12), ("x3 + 1234", scaled3)] {
            println!("| {name} | {} | {:.4} | {:+.2} % |", t.coded, t.ratio(), (t.ratio() / unscaled.ratio() - 1.0) * 100.0);
        }
    }
    if std::env::var_os("BENCH_SKIP_WIDE").is_none() {
        wide_benchmarks(&data);
    }
}
