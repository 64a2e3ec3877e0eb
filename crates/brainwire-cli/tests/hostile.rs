//! The `brainwire` binary in a hostile environment (issue 16): odd names,
//! memory and thread limits, full disks and closed pipes, FIFOs, concurrent
//! runs, killed runs, long names, `-` and `/dev/stdout`, damaged streams,
//! read-only directories. Each test reproduces one case: no exit 101 (panic)
//! or 134 (abort), no hang, no silent overwrite, no leftover.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_brainwire");

/// How long any one run may take before it counts as a hang.
const HANG: Duration = Duration::from_secs(60);

fn run_in(dir: &Path, args: &[&OsStr]) -> Output {
    finish(start(dir, args, Stdio::piped))
}

/// `brainwire ARGS` started in `dir`, standard input null, standard output
/// and error both `out()` (piped, or null).
fn start(dir: &Path, args: impl IntoIterator<Item = impl AsRef<OsStr>>, out: fn() -> Stdio) -> std::process::Child {
    Command::new(BIN)
        .current_dir(dir)
        .args(args)
        .stdin(Stdio::null())
        .stdout(out())
        .stderr(out())
        .spawn()
        .expect("the brainwire binary runs")
}

/// Waits for `child`, killing it (and failing) if it hangs.
fn finish(mut child: std::process::Child) -> Output {
    let started = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            return child.wait_with_output().unwrap();
        }
        if started.elapsed() > HANG {
            let _ = child.kill();
            panic!("brainwire hung for {HANG:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn bw(dir: &Path, args: &[&str]) -> Output {
    let args: Vec<&OsStr> = args.iter().map(OsStr::new).collect();
    run_in(dir, &args)
}

/// Runs `sh -c SCRIPT` in `dir` with `$BW` the binary.
fn sh(dir: &Path, script: &str) -> Output {
    let child = Command::new("sh")
        .current_dir(dir)
        .env("BW", BIN)
        .args(["-c", script])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    finish(child)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn code(out: &Output) -> i32 {
    match out.status.code() {
        Some(c) => c,
        None => panic!(
            "killed by signal {:?}; stderr:\n{}",
            out.status.signal(),
            text(&out.stderr)
        ),
    }
}

/// Asserts the exit code and that stderr is `lines` lines, each naming the tool.
fn expect(out: &Output, exit: i32, lines: usize) -> String {
    let err = text(&out.stderr);
    assert_eq!(code(out), exit, "stdout:\n{}\nstderr:\n{err}", text(&out.stdout));
    assert_eq!(err.lines().count(), lines, "stderr:\n{err}");
    for line in err.lines() {
        assert!(line.starts_with("brainwire: "), "{line}");
    }
    err
}

fn ok(dir: &Path, args: &[&str]) -> String {
    let out = bw(dir, args);
    assert_eq!(code(&out), 0, "brainwire {args:?}:\n{}", text(&out.stderr));
    text(&out.stdout)
}

/// A temp dir (readable by all, for the tests that drop root) holding
/// `data/` with `files` synthetic recordings of 0.2 s.
fn setup(files: usize) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    set_mode(dir.path(), 0o755);
    let n = files.to_string();
    ok(dir.path(), &["synth", "-o", "data", "--files", &n, "--seconds", "0.2", "--seed", "3"]);
    dir
}

/// [`setup`] with an empty directory `name` beside the data; its path.
fn setup_with_dir(files: usize, name: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = setup(files);
    let path = dir.path().join(name);
    std::fs::create_dir(&path).unwrap();
    (dir, path)
}

fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

fn wavs(dir: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "wav"))
        .collect();
    found.sort();
    found
}

fn leftovers(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp"))
        .collect()
}

fn first_wav(d: &Path) -> PathBuf {
    wavs(&d.join("data")).remove(0)
}

// 1. Names that are not char boundaries, and names that are not UTF-8.
#[test]
fn multibyte_and_non_utf8_names_never_panic_nor_collide() {
    let dir = setup(1);
    let d = dir.path();
    std::fs::copy(first_wav(d), d.join("a.wav")).unwrap();
    ok(d, &["encode", "a.wav"]);
    std::fs::copy(d.join("a.wav.bw"), d.join("éab")).unwrap();
    let out = bw(d, &["decode", "éab"]);
    expect(&out, 0, 0);
    assert_eq!(std::fs::read(d.join("éab.decoded")).unwrap(), std::fs::read(d.join("a.wav")).unwrap());

    let raw = d.join("raw");
    std::fs::create_dir(&raw).unwrap();
    for name in [&b"\xff.wav"[..], b"\xfe.wav"] {
        std::fs::copy(first_wav(d), raw.join(OsStr::from_bytes(name))).unwrap();
    }
    ok(d, &["encode", "raw", "-o", "packed"]);
    ok(d, &["decode", "packed", "-o", "back"]);
    for name in [&b"\xff.wav"[..], b"\xfe.wav"] {
        let back = std::fs::read(d.join("back").join(OsStr::from_bytes(name))).unwrap();
        assert_eq!(back, std::fs::read(raw.join(OsStr::from_bytes(name))).unwrap());
    }
}

/// A canonical WAV of `samples` zero samples: compresses to almost nothing.
fn silent_wav(samples: usize) -> Vec<u8> {
    let data = (samples * 2) as u32;
    let mut h = Vec::new();
    h.extend_from_slice(b"RIFF");
    h.extend_from_slice(&(36 + data).to_le_bytes());
    h.extend_from_slice(b"WAVEfmt ");
    for v in [16u32.to_le_bytes().to_vec(), 1u16.to_le_bytes().to_vec(), 1u16.to_le_bytes().to_vec()] {
        h.extend_from_slice(&v);
    }
    h.extend_from_slice(&19_531u32.to_le_bytes());
    h.extend_from_slice(&(19_531u32 * 2).to_le_bytes());
    h.extend_from_slice(&2u16.to_le_bytes());
    h.extend_from_slice(&16u16.to_le_bytes());
    h.extend_from_slice(b"data");
    h.extend_from_slice(&data.to_le_bytes());
    h.resize(44 + samples * 2, 0);
    h
}

// 2. Out of memory while decoding: exit 5, one line, the batch goes on.
#[test]
fn out_of_memory_while_decoding_fails_that_file_cleanly() {
    let dir = setup(1);
    let d = dir.path();
    // 8 M samples: 16 MB decoded from a few kB, more than the limit leaves.
    let big = silent_wav(8 << 20);
    let packed = brainwire_container::encode(&big, brainwire_container::Profile::Max);
    assert!(packed.len() < 1 << 20, "{}", packed.len());
    std::fs::create_dir(d.join("in")).unwrap();
    std::fs::write(d.join("in/big.wav.bw"), &packed).unwrap();
    ok(d, &["encode", first_wav(d).to_str().unwrap(), "-o", "in/small.wav.bw"]);
    let out = sh(d, r#"ulimit -v 12000 && exec "$BW" -j 1 decode in -o out"#);
    let err = expect(&out, 5, 2);
    assert!(err.contains("cannot decode 'in/big.wav.bw': out of memory"), "{err}");
    assert!(text(&out.stdout).contains("decoded 1 of 2 files"), "{}", text(&out.stdout));
    assert!(!d.join("out/big.wav").exists());
    assert!(leftovers(&d.join("out")).is_empty());
}

// 3. A thread pool that cannot start: one warning, the work done on 1 thread.
#[test]
fn no_threads_means_one_thread_not_a_panic() {
    let dir = setup(2);
    let d = dir.path();
    for jobs in ["", "-j 2"] {
        let script = format!(r#"ulimit -v 10000 && exec "$BW" {jobs} encode data -o out{} "#, jobs.len());
        let out = sh(d, &script);
        let err = text(&out.stderr);
        assert_eq!(code(&out), 0, "{err}");
        assert!(err.is_empty() || err.contains("working on 1 thread"), "{err}");
        assert!(text(&out.stdout).contains("encoded 2 of 2 files"));
    }
}

// 4. Standard output on a full disk or a closed pipe: exit 2, one line.
#[test]
fn stdout_errors_are_one_line_and_exit_2() {
    let dir = setup(1);
    let d = dir.path();
    let wav = first_wav(d);
    let wav = wav.to_str().unwrap();
    ok(d, &["encode", wav, "-o", "a.bw"]);
    for script in [
        r#""$BW" inspect a.bw > /dev/full"#,
        r#""$BW" decode a.bw -o - > /dev/full"#,
        r#""$BW" decode a.bw -o b.wav > /dev/full"#,
        r#""$BW" eval data --codec lite > /dev/full"#,
    ] {
        let err = expect(&sh(d, script), 2, 1);
        assert!(err.contains("standard output") && err.contains("No space left"), "{script}: {err}");
    }
    // A pipe whose reader is gone before anything is written.
    let mut child = start(d, ["decode", "a.bw", "-o", "-"], Stdio::piped);
    drop(child.stdout.take());
    let out = finish(child);
    let err = expect(&out, 2, 1);
    assert!(err.contains("Broken pipe"), "{err}");
}

// 5. A FIFO in an input directory is skipped and counted, never opened;
// so are files that are not .wav.
#[test]
fn fifos_in_input_directories_are_skipped_and_counted() {
    let dir = setup(2);
    let d = dir.path();
    assert!(Command::new("mkfifo").arg(d.join("data/stuck.wav")).status().unwrap().success());
    std::fs::write(d.join("data/notes.txt"), "not a recording").unwrap();
    let out = bw(d, &["encode", "data", "-o", "packed"]);
    expect(&out, 0, 0);
    let summary = text(&out.stdout);
    assert!(summary.contains("encoded 2 of 2 files"), "{summary}");
    assert!(summary.contains("1 file that is not .wav"), "{summary}");
    assert!(summary.contains("1 FIFO/device/socket not opened"), "{summary}");
}

// 6. Two batches into one directory: every output written once, the loser
// of each race told so; nothing replaced silently.
#[test]
fn concurrent_batches_never_overwrite_each_other() {
    let dir = setup(12);
    let d = dir.path();
    let spawn = || start(d, ["-j", "2", "encode", "data", "-o", "packed"], Stdio::piped);
    // Three at once, so the runs overlap even when one starts late.
    let children = [spawn(), spawn(), spawn()];
    let outputs: Vec<Output> = children.into_iter().map(finish).collect();
    let mut written = 0;
    for out in &outputs {
        let c = code(out);
        assert!(c == 0 || c == 1, "exit {c}: {}", text(&out.stderr));
        let stdout = text(&out.stdout);
        if let Some(n) = stdout.strip_prefix("encoded ").and_then(|s| s.split(' ').next()) {
            written += n.parse::<usize>().unwrap();
        }
        for line in text(&out.stderr).lines() {
            assert!(
                line.contains("already exists") || line.contains("appeared while this run worked") || line.contains("files failed"),
                "{line}"
            );
        }
    }
    assert_eq!(written, 12, "each output is written by exactly one run");
    assert!(leftovers(&d.join("packed")).is_empty());
}

// 7. A killed run leaves only temporary files, which the next run removes;
// temporary files of live processes stay.
#[test]
fn temporary_files_of_dead_runs_are_removed_by_the_next() {
    let (dir, packed) = setup_with_dir(3, "packed");
    let d = dir.path();
    // A run killed mid-way; then what a killed run leaves (put there after
    // it, which would have removed it itself), then a complete run.
    let mut killed = start(d, ["encode", "data", "-o", "packed"], Stdio::null);
    std::thread::sleep(Duration::from_millis(30));
    killed.kill().unwrap();
    killed.wait().unwrap();
    let mut gone = Command::new("true").spawn().unwrap();
    let dead_pid = gone.id();
    gone.wait().unwrap();
    let stale = packed.join(format!(".bw-{dead_pid:x}-0123abcd.tmp"));
    let live = packed.join(".bw-1-0123abcd.tmp");
    std::fs::write(&stale, "half a file").unwrap();
    std::fs::write(&live, "pid 1 is alive").unwrap();

    let out = bw(d, &["encode", "data", "-o", "packed", "--force"]);
    let err = expect(&out, 0, 1);
    assert!(err.contains("removed"), "{err}");
    assert!(!stale.exists());
    assert!(live.exists());
    assert_eq!(leftovers(&packed), vec![".bw-1-0123abcd.tmp".to_string()]);
    assert_eq!(std::fs::read_dir(&packed).unwrap().count(), 3 + 1);
}

// 8. Output names of up to 255 bytes: the temporary name does not grow with them.
#[test]
fn longest_names_work() {
    let dir = setup(1);
    let d = dir.path();
    let name = format!("{}.wav", "a".repeat(248));
    std::fs::copy(first_wav(d), d.join(&name)).unwrap();
    ok(d, &["encode", &name]);
    let packed = format!("{name}.bw");
    assert_eq!(packed.len(), 255);
    std::fs::remove_file(d.join(&name)).unwrap();
    ok(d, &["decode", &packed]);
    assert_eq!(std::fs::read(d.join(&name)).unwrap(), std::fs::read(first_wav(d)).unwrap());
}

// 9. `-`, /dev/stdout and links to devices: written in place, never replaced.
#[test]
fn stdio_dash_dev_stdout_and_device_links() {
    let dir = setup(1);
    let d = dir.path();
    let wav = first_wav(d);
    let original = std::fs::read(&wav).unwrap();
    let w = wav.to_str().unwrap();

    let out = bw(d, &["encode", w, "-o", "/dev/stdout", "--force"]);
    expect(&out, 0, 1); // the summary goes to stderr when data goes to stdout
    assert!(std::fs::symlink_metadata("/dev/stdout").unwrap().file_type().is_symlink());
    std::fs::write(d.join("s.bw"), &out.stdout).unwrap();
    let back = bw(d, &["decode", "s.bw", "-o", "-"]);
    assert_eq!(back.stdout, original);
    assert!(!d.join("-").exists());

    // Standard input to standard output, both ways.
    let through = sh(d, &format!(r#""$BW" encode - < '{w}' | "$BW" decode - > back.wav"#));
    assert_eq!(code(&through), 0, "{}", text(&through.stderr));
    assert_eq!(std::fs::read(d.join("back.wav")).unwrap(), original);

    // A link to a device stays a link, with or without --force.
    std::os::unix::fs::symlink("/dev/null", d.join("null.bw")).unwrap();
    ok(d, &["encode", w, "-o", "null.bw"]);
    ok(d, &["encode", w, "-o", "null.bw", "--force"]);
    assert!(std::fs::symlink_metadata(d.join("null.bw")).unwrap().file_type().is_symlink());
}

// 10. Damaged streams get messages that say what is known.
#[test]
fn truncated_and_flipped_streams_are_named_as_such() {
    let dir = setup(1);
    let d = dir.path();
    ok(d, &["encode", first_wav(d).to_str().unwrap(), "-o", "a.bw", "--profile", "max"]);
    let bytes = std::fs::read(d.join("a.bw")).unwrap();
    std::fs::write(d.join("cut.bw"), &bytes[..bytes.len() * 2 / 3]).unwrap();
    let err = expect(&bw(d, &["decode", "cut.bw"]), 3, 1);
    assert!(err.contains("'cut.bw'") && err.contains("truncated"), "{err}");
    assert!(!d.join("cut").exists() && !d.join("cut.bw.decoded").exists());

    let info = brainwire_container::format::parse(&bytes).unwrap();
    let brainwire_container::format::Body::Coded(coded) = info.body else { panic!("coded") };
    let profile_at = bytes.len() - coded.stream.len();
    let mut flipped = bytes.clone();
    flipped[profile_at] = 0xEE;
    std::fs::write(d.join("flip.bw"), &flipped).unwrap();
    let err = expect(&bw(d, &["decode", "flip.bw"]), 3, 1);
    assert!(err.contains("'flip.bw'") && err.contains("damaged or was written by a newer"), "{err}");

    // A canonical header whose checksum is right but whose 2N bytes of
    // samples do not fit a WAV file's 32-bit sizes (2N >= 2^32).
    let mut huge = Vec::new();
    let header = brainwire_container::format::WavHeader::Canonical { sample_rate: 19_531 };
    brainwire_container::format::write_coded_header(&mut huge, 0, header, 1 << 31, &[]);
    huge.extend_from_slice(&coded.stream[..2]);
    huge.resize(huge.len() + 8192, 0x55);
    std::fs::write(d.join("huge.bw"), &huge).unwrap();
    let err = expect(&bw(d, &["decode", "huge.bw"]), 3, 1);
    assert!(err.contains("'huge.bw'") && err.contains("more than a WAV file can hold"), "{err}");
}

/// Runs `args` as an unprivileged user when this test runs as root (root
/// writes into any directory whatever its mode bits).
fn as_user(dir: &Path, args: &[&str]) -> Option<Output> {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        return Some(bw(dir, args));
    }
    let mut cmd = Command::new("setpriv");
    cmd.current_dir(dir)
        .args(["--reuid", "65534", "--regid", "65534", "--clear-groups", BIN])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    match cmd.spawn().map(finish) {
        // 126/127: setpriv could not run the binary as that user (a
        // directory above it is closed to others).
        Ok(out) if matches!(out.status.code(), Some(126 | 127)) => {
            println!("SKIPPED the read-only test: nobody cannot run {BIN}: {}", text(&out.stderr));
            None
        }
        Ok(out) => Some(out),
        Err(e) => {
            println!("SKIPPED the read-only test: setpriv not available ({e})");
            None
        }
    }
}

// 11a. A read-only output directory is found before any work.
#[test]
fn read_only_output_directory_fails_before_work() {
    let (dir, locked) = setup_with_dir(2, "locked");
    let d = dir.path();
    set_mode(&locked, 0o555);
    if let Some(out) = as_user(d, &["encode", "data", "-o", "locked"]) {
        let err = expect(&out, 2, 1);
        assert!(err.contains("cannot write in directory 'locked'"), "{err}");
        assert!(text(&out.stdout).is_empty(), "no file was encoded first");
    }
}

// 11b. eval: a codec that cannot take a file is not a failed round trip,
// and the binaries counted do not depend on the current directory.
#[test]
fn eval_tells_unsupported_from_failed_and_ignores_the_current_directory() {
    let dir = setup(1);
    let d = dir.path();
    // A 10-channel 16-bit WAV: more channels than FLAC can hold.
    let mut wav = silent_wav(1000);
    wav[22..24].copy_from_slice(&10u16.to_le_bytes());
    wav[32..34].copy_from_slice(&20u16.to_le_bytes());
    for (i, b) in wav[44..].iter_mut().enumerate() {
        *b = (i * 7 % 13) as u8;
    }
    std::fs::write(d.join("data/wide.wav"), &wav).unwrap();
    // Stand-ins in the current directory that must not be counted.
    for name in ["encode", "decode"] {
        std::fs::write(d.join(name), "#!/bin/sh\ncp \"$1\" \"$2\"\n").unwrap();
        set_mode(&d.join(name), 0o755);
    }
    let out = bw(d, &["eval", "data", "--codec", "flac,lite", "--json"]);
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let flac = &json["codecs"][0];
    assert_eq!(flac["failures"], 0);
    assert_eq!(flac["unsupported"], 1);
    let cwd_encode = d.join("encode");
    assert_ne!(json["binaries"]["encode"].as_str(), Some(cwd_encode.to_str().unwrap()));
    assert_ne!(json["binaries"]["encode"].as_str(), Some("./encode"));
}
