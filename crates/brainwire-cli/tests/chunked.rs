//! End-to-end tests of the multi-channel (chunked) commands on small
//! synthetic recordings: raw binaries, multi-channel WAV (extensible),
//! SpikeGLX pairs; whole and window decodes; damage.

use std::path::Path;
use std::process::{Command, Output};

fn brainwire(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_brainwire")).current_dir(dir).args(args).output().expect("the brainwire binary runs")
}

fn ok(dir: &Path, args: &[&str]) -> String {
    let out = brainwire(dir, args);
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    assert!(out.status.success(), "brainwire {args:?} failed ({}):\n{}\n{}", out.status, text(&out.stdout), text(&out.stderr));
    text(&out.stdout)
}

/// `frames x channels` int16 samples: per channel a noisy walk times 12.
fn samples(frames: usize, channels: usize) -> Vec<i16> {
    let mut rng = brainwire_testkit::Rng::new(0x1234_5678_9ABC_DEF1);
    brainwire_testkit::walks(&mut rng, frames, channels, 3, -500, 500).into_iter().map(|v| (v * 12) as i16).collect()
}

fn le(s: &[i16]) -> Vec<u8> {
    s.iter().flat_map(|v| v.to_le_bytes()).collect()
}

#[test]
fn raw_binaries_round_trip_and_windows_decode() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (frames, channels) = (25_000, 6);
    let s = samples(frames, channels);
    let mut bytes = le(&s);
    bytes.extend_from_slice(&[7, 7, 7]); // not a whole frame: kept verbatim
    std::fs::write(d.join("rec.bin"), &bytes).unwrap();
    ok(d, &["encode", "rec.bin", "--channels", "6", "--rate", "10000"]);
    let packed = std::fs::metadata(d.join("rec.bin.bw")).unwrap().len();
    assert!(packed * 3 < bytes.len() as u64, "{packed}");
    ok(d, &["decode", "rec.bin.bw", "-o", "back.bin"]);
    assert_eq!(std::fs::read(d.join("back.bin")).unwrap(), bytes);

    let info = ok(d, &["inspect", "rec.bin.bw"]);
    assert!(info.contains("channels:        6") && info.contains("step 12"), "{info}");

    ok(d, &["decode", "rec.bin.bw", "--start", "0.95", "--duration", "0.1", "--channels", "5,1-2", "-o", "win.bin"]);
    let win = std::fs::read(d.join("win.bin")).unwrap();
    let want: Vec<u8> = (9500..10_500).flat_map(|t| [5, 1, 2].map(|c| s[t * channels + c])).flat_map(|v: i16| v.to_le_bytes()).collect();
    assert_eq!(win, want);

    // Damage is refused with its chunk's time range and leaves no output.
    let mut bad = std::fs::read(d.join("rec.bin.bw")).unwrap();
    let at = bad.len() / 2;
    bad[at] ^= 0x40;
    std::fs::write(d.join("bad.bw"), &bad).unwrap();
    let out = brainwire(d, &["decode", "bad.bw", "-o", "bad.out"]);
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("chunk") && err.contains(" s)"), "{err}");
    assert!(!d.join("bad.out").exists());
}

#[test]
fn extensible_wav_and_spikeglx_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (frames, channels) = (12_000, 4);
    let data = le(&samples(frames, channels));
    // WAVE_FORMAT_EXTENSIBLE, PCM subformat, with a LIST chunk after the data.
    let mut fmt = Vec::new();
    fmt.extend_from_slice(&0xFFFEu16.to_le_bytes());
    fmt.extend_from_slice(&(channels as u16).to_le_bytes());
    fmt.extend_from_slice(&30_000u32.to_le_bytes());
    fmt.extend_from_slice(&(30_000 * 2 * channels as u32).to_le_bytes());
    fmt.extend_from_slice(&(2 * channels as u16).to_le_bytes());
    fmt.extend_from_slice(&16u16.to_le_bytes());
    fmt.extend_from_slice(&22u16.to_le_bytes());
    fmt.extend_from_slice(&16u16.to_le_bytes());
    fmt.extend_from_slice(&0u32.to_le_bytes());
    fmt.extend_from_slice(&[1, 0, 0, 0, 0, 0, 0x10, 0, 0x80, 0, 0, 0xAA, 0, 0x38, 0x9B, 0x71]);
    let mut body = b"WAVEfmt ".to_vec();
    body.extend_from_slice(&(fmt.len() as u32).to_le_bytes());
    body.extend_from_slice(&fmt);
    body.extend_from_slice(b"data");
    body.extend_from_slice(&(data.len() as u32).to_le_bytes());
    body.extend_from_slice(&data);
    body.extend_from_slice(b"LIST\x04\x00\x00\x00INFO");
    let mut wav = b"RIFF".to_vec();
    wav.extend_from_slice(&(body.len() as u32).to_le_bytes());
    wav.extend_from_slice(&body);
    std::fs::write(d.join("a.wav"), &wav).unwrap();
    ok(d, &["encode", "a.wav"]);
    assert!(ok(d, &["inspect", "a.wav.bw"]).contains("30000 Hz"));
    ok(d, &["decode", "a.wav.bw", "-o", "a2.wav"]);
    assert_eq!(std::fs::read(d.join("a2.wav")).unwrap(), wav);

    // SpikeGLX: channel count and rate from the .meta, its SHA-1 checked.
    std::fs::write(d.join("r.ap.bin"), &data).unwrap();
    let meta = |sha: &str| format!("imSampRate=30000\nnSavedChans={channels}\nfileSizeBytes={}\nfileSHA1={sha}\n", data.len());
    std::fs::write(d.join("r.ap.meta"), meta("0000000000000000000000000000000000000000")).unwrap();
    let out = brainwire(d, &["encode", "r.ap.bin"]);
    assert_eq!(out.status.code(), Some(3), "a wrong fileSHA1 is refused");
    assert!(!d.join("r.ap.bin.bw").exists());
    use sha1::Digest;
    let sha: String = sha1::Sha1::digest(&data).iter().map(|b| format!("{b:02X}")).collect();
    std::fs::write(d.join("r.ap.meta"), meta(&sha)).unwrap();
    ok(d, &["encode", "r.ap.bin"]);
    assert!(ok(d, &["inspect", "r.ap.bin.bw"]).contains("spikeglx"));
    ok(d, &["decode", "r.ap.bin.bw", "-o", "r2.bin"]);
    assert_eq!(std::fs::read(d.join("r2.bin")).unwrap(), data);
}

#[test]
fn open_ephys_folders_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let rec = d.join("recording1");
    let data = le(&samples(9_000, 3));
    let stream_dir = rec.join("continuous").join("Acquisition_Board-100.Rhythm Data");
    std::fs::create_dir_all(&stream_dir).unwrap();
    std::fs::write(stream_dir.join("continuous.dat"), &data).unwrap();
    let oebin = r#"{"GUI version": "0.6.4", "continuous": [{"folder_name": "Acquisition_Board-100.Rhythm Data/", "sample_rate": 30000.0, "num_channels": 3, "channels": []}]}"#;
    std::fs::write(rec.join("structure.oebin"), oebin).unwrap();
    ok(d, &["encode", "recording1", "-o", "packed"]);
    let packed = d.join("packed/continuous/Acquisition_Board-100.Rhythm Data/continuous.dat.bw");
    let info = ok(d, &["inspect", packed.to_str().unwrap()]);
    assert!(info.contains("openephys") && info.contains("channels:        3") && info.contains("30000 Hz"), "{info}");
    ok(d, &["decode", packed.to_str().unwrap(), "-o", "back.dat"]);
    assert_eq!(std::fs::read(d.join("back.dat")).unwrap(), data);
}

#[test]
fn synth_writes_multichannel_recordings_that_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let said = ok(d, &["synth", "-o", "demo", "--files", "1", "--channels", "4", "--rate", "30000", "--seconds", "1.5", "--seed", "3"]);
    assert!(said.contains("4 channels at 30000 Hz"), "{said}");
    let wav = d.join("demo/synth-3-0000.wav");
    let bytes = std::fs::read(&wav).unwrap();
    assert_eq!(&bytes[..4], b"RIFF");
    assert_eq!(u16::from_le_bytes([bytes[22], bytes[23]]), 4);
    assert_eq!(u32::from_le_bytes(bytes[24..28].try_into().unwrap()), 30_000);
    assert_eq!(bytes.len(), 44 + 45_000 * 4 * 2);
    // The same seed gives the same bytes; the channels are distinct electrodes.
    ok(d, &["synth", "-o", "again", "--files", "1", "--channels", "4", "--rate", "30000", "--seconds", "1.5", "--seed", "3"]);
    assert_eq!(std::fs::read(d.join("again/synth-3-0000.wav")).unwrap(), bytes);
    let column = |c: usize| -> Vec<u8> { bytes[44..].chunks_exact(8).flat_map(|f| [f[2 * c], f[2 * c + 1]]).collect() };
    assert_ne!(column(0), column(1));

    ok(d, &["encode", "demo/synth-3-0000.wav", "-o", "demo.bw"]);
    let info = ok(d, &["inspect", "demo.bw"]);
    assert!(info.contains("channels:        4") && info.contains("at 30000 Hz") && info.contains("neuralink10"), "{info}");
    assert!(std::fs::metadata(d.join("demo.bw")).unwrap().len() * 2 < bytes.len() as u64);
    ok(d, &["decode", "demo.bw", "-o", "back.wav"]);
    assert_eq!(std::fs::read(d.join("back.wav")).unwrap(), bytes);
}
