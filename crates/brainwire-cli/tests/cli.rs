//! End-to-end tests of the `brainwire` binary on small synthetic recordings:
//! what a person or a script sees (files, stdout, stderr, exit codes).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn brainwire(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_brainwire"))
        .current_dir(dir)
        .args(args)
        .output()
        .expect("the brainwire binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Runs `brainwire args` in `dir` and insists it succeeds; returns stdout.
fn ok(dir: &Path, args: &[&str]) -> String {
    let out = brainwire(dir, args);
    assert!(
        out.status.success(),
        "brainwire {args:?} failed ({}):\n{}\n{}",
        out.status,
        text(&out.stdout),
        text(&out.stderr)
    );
    text(&out.stdout)
}

fn files_in(dir: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    found.sort();
    found
}

/// A temp dir with `files` synthetic recordings of 0.5 s in `data/`.
fn with_synth(files: usize) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    ok(
        dir.path(),
        &[
            "synth",
            "-o",
            "data",
            "--files",
            &files.to_string(),
            "--seconds",
            "0.5",
            "--seed",
            "11",
        ],
    );
    dir
}

#[test]
fn synth_encode_decode_gives_back_identical_files() {
    let dir = with_synth(3);
    let d = dir.path();
    let encoded = ok(d, &["encode", "data", "-o", "packed", "--jobs", "2"]);
    assert!(encoded.contains("encoded 3 of 3 files"), "{encoded}");
    ok(d, &["decode", "packed", "-o", "restored"]);

    let originals = files_in(&d.join("data"));
    assert_eq!(originals.len(), 3);
    for original in originals {
        let name = original.file_name().unwrap().to_str().unwrap().to_string();
        let packed = std::fs::read(d.join("packed").join(format!("{name}.bw"))).unwrap();
        let before = std::fs::read(&original).unwrap();
        assert!(
            packed.len() * 2 < before.len(),
            "{name}: {} -> {}",
            before.len(),
            packed.len()
        );
        assert_eq!(
            std::fs::read(d.join("restored").join(&name)).unwrap(),
            before,
            "{name}"
        );
    }
    // No temporary files are left behind.
    for sub in ["packed", "restored"] {
        assert!(files_in(&d.join(sub))
            .iter()
            .all(|p| !p.to_string_lossy().ends_with(".tmp")));
    }
}

#[test]
fn synth_is_reproducible_from_its_seed() {
    let a = with_synth(2);
    let b = with_synth(2);
    for (x, y) in files_in(&a.path().join("data"))
        .iter()
        .zip(files_in(&b.path().join("data")))
    {
        assert_eq!(std::fs::read(x).unwrap(), std::fs::read(y).unwrap());
    }
}

#[test]
fn single_files_go_beside_their_input_or_to_a_chosen_name() {
    let dir = with_synth(1);
    let d = dir.path();
    let wav = files_in(&d.join("data")).remove(0);
    let wav = wav.to_str().unwrap();
    ok(d, &["encode", wav, "--profile", "lite"]);
    let beside = format!("{wav}.bw");
    assert!(Path::new(&beside).is_file());
    ok(d, &["decode", &beside, "-o", "back.wav"]);
    assert_eq!(
        std::fs::read(d.join("back.wav")).unwrap(),
        std::fs::read(wav).unwrap()
    );

    let inspected = ok(d, &["inspect", &beside]);
    assert!(inspected.contains("profile:         lite"), "{inspected}");
    assert!(
        inspected.contains("samples:         9766 at 19531 Hz"),
        "{inspected}"
    );
}

/// `brainwire eval data ARGS` over `files` synthetic recordings, without
/// challenge executables; its standard output.
fn eval_synth(files: usize, args: &[&str]) -> String {
    let dir = with_synth(files);
    let args: Vec<&str> = ["eval", "data"].iter().chain(args).chain(&["--encode-bin", "none", "--decode-bin", "none"]).copied().collect();
    ok(dir.path(), &args)
}

#[test]
fn eval_on_synth_prints_a_ratio_per_codec() {
    let out = eval_synth(3, &["--codec", "tables,lite,zstd"]);
    assert!(out.contains("./encode and ./decode not found"), "{out}");
    for codec in ["tables", "lite", "zstd"] {
        let row = out
            .lines()
            .find(|l| l.starts_with(codec) && l.contains("identical"))
            .unwrap_or_else(|| {
                panic!("no summary row for {codec}:\n{out}");
            });
        let ratio: f64 = row.split_whitespace().nth(3).unwrap().parse().unwrap();
        assert!(ratio > 1.5, "{codec} ratio {ratio}");
    }
    // The per-file table names every recording.
    assert_eq!(
        out.lines().filter(|l| l.starts_with("synth-11-")).count(),
        3,
        "{out}"
    );
}

#[test]
fn eval_json_is_machine_readable_and_brainwire_beats_general_compressors() {
    let out = eval_synth(2, &["--codec", "tables,xz", "--json"]);
    let json: serde_json::Value = serde_json::from_str(&out).expect("eval --json prints JSON");
    assert_eq!(json["files"], 2);
    let codecs = json["codecs"].as_array().unwrap();
    assert_eq!(codecs.len(), 2);
    let ratio = |i: usize| codecs[i]["ratio"].as_f64().unwrap();
    assert_eq!(codecs[0]["codec"], "tables");
    assert_eq!(codecs[0]["failures"], 0);
    assert!(
        ratio(0) > ratio(1),
        "default {} vs xz {}",
        ratio(0),
        ratio(1)
    );
    assert_eq!(json["per_file"].as_array().unwrap().len(), 2);
}

#[test]
fn eval_reads_a_zip_and_counts_challenge_binaries() {
    let dir = with_synth(2);
    let d = dir.path();
    // A data.zip like the challenge's: data/*.wav, deflated.
    let zip_file = std::fs::File::create(d.join("data.zip")).unwrap();
    let mut zip = zip::ZipWriter::new(zip_file);
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for wav in files_in(&d.join("data")) {
        let name = format!("data/{}", wav.file_name().unwrap().to_str().unwrap());
        zip.start_file(name, options).unwrap();
        std::io::Write::write_all(&mut zip, &std::fs::read(&wav).unwrap()).unwrap();
    }
    zip.finish().unwrap();

    // Stand-in challenge binaries that just copy: their size must be counted.
    for name in ["encode", "decode"] {
        let path = d.join(name);
        std::fs::write(&path, "#!/bin/sh\ncp \"$1\" \"$2\"\n").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
    }
    let out = ok(
        d,
        &[
            "eval",
            "data.zip",
            "--codec",
            "tables,challenge,bzip2",
            "--json",
            "--encode-bin",
            "./encode",
            "--decode-bin",
            "./decode",
        ],
    );
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["files"], 2);
    let script_len = "#!/bin/sh\ncp \"$1\" \"$2\"\n".len() as u64;
    assert_eq!(json["binaries"]["encode_bytes"], script_len);
    let codecs = json["codecs"].as_array().unwrap();
    assert_eq!(codecs[0]["binaries_bytes"], 2 * script_len);
    assert_eq!(
        codecs[2]["binaries_bytes"], 0,
        "bzip2 is not charged for our binaries"
    );
    // The copying "codec" round-trips, at a ratio just under 1.
    assert_eq!(codecs[1]["failures"], 0);
    let copy_ratio = codecs[1]["ratio"].as_f64().unwrap();
    assert!(copy_ratio < 1.0 && copy_ratio > 0.99, "{copy_ratio}");
}

/// Fails, showing it, unless `out`'s standard error contains `words`.
fn assert_stderr_has(out: &std::process::Output, words: &str) {
    let stderr = text(&out.stderr);
    assert!(stderr.contains(words), "{stderr}");
}

/// `files` synthetic recordings encoded into `packed/`; the first packed file.
fn packed_synth(files: usize) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = with_synth(files);
    ok(dir.path(), &["encode", "data", "-o", "packed"]);
    let first = files_in(&dir.path().join("packed")).remove(0);
    (dir, first)
}

#[test]
fn a_damaged_file_is_refused_with_exit_3_and_nothing_written() {
    let (dir, packed) = packed_synth(1);
    let d = dir.path();
    let mut bytes = std::fs::read(&packed).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x5a;
    std::fs::write(d.join("damaged.bw"), &bytes).unwrap();
    std::fs::write(d.join("truncated.bw"), &bytes[..middle]).unwrap();
    std::fs::write(d.join("notes.bw"), "these are not samples").unwrap();

    for (file, words) in [
        ("damaged.bw", "damaged"),
        ("truncated.bw", "cannot decode 'truncated.bw'"),
        ("notes.bw", "not a brainwire file"),
    ] {
        let out = brainwire(d, &["decode", file, "-o", "out.wav"]);
        assert_eq!(out.status.code(), Some(3), "{file}: {}", text(&out.stderr));
        let stderr = text(&out.stderr);
        assert!(stderr.contains(words), "{file}: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert!(
            !d.join("out.wav").exists(),
            "{file}: a partial output was left"
        );
    }
}

#[test]
fn a_batch_with_one_bad_file_still_does_the_others() {
    let (dir, first) = packed_synth(2);
    let d = dir.path();
    std::fs::write(&first, "garbage").unwrap();
    let out = brainwire(d, &["decode", "packed", "-o", "restored"]);
    assert_eq!(out.status.code(), Some(3));
    assert_stderr_has(&out, "1 of 2 files failed");
    assert_eq!(files_in(&d.join("restored")).len(), 1);
}

#[test]
fn usage_and_io_errors_have_their_exit_codes() {
    let dir = with_synth(1);
    let d = dir.path();
    let code = |args: &[&str]| brainwire(d, args).status.code();
    assert_eq!(code(&["frobnicate"]), Some(1));
    assert_eq!(code(&["eval", "data", "--codec", "gzip"]), Some(1));
    assert_eq!(code(&["encode", "data", "--profile", "ultra"]), Some(1));
    assert_eq!(code(&["encode", "missing.wav"]), Some(2));
    assert_eq!(code(&["eval", "missing-dir"]), Some(2));

    // An existing output needs --force; an input is never overwritten.
    ok(d, &["encode", "data", "-o", "packed"]);
    let again = brainwire(d, &["encode", "data", "-o", "packed"]);
    assert_eq!(again.status.code(), Some(1));
    assert_stderr_has(&again, "--force");
    ok(d, &["encode", "data", "-o", "packed", "--force"]);
    let wav = files_in(&d.join("data")).remove(0);
    let wav = wav.to_str().unwrap();
    let onto_itself = brainwire(d, &["encode", wav, "-o", wav, "--force"]);
    assert_eq!(onto_itself.status.code(), Some(1));
    assert!(text(&onto_itself.stderr).contains("refusing to overwrite the input"));
}

#[test]
fn help_shows_examples_and_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    let help = ok(dir.path(), &["--help"]);
    for words in [
        "Examples:",
        "brainwire eval data",
        "Exit codes:",
        "3  bad input",
    ] {
        assert!(help.contains(words), "--help lacks {words:?}:\n{help}");
    }
    let eval_help = ok(dir.path(), &["eval", "--help"]);
    assert!(
        eval_help.contains("--json") && eval_help.contains("zstd"),
        "{eval_help}"
    );
}

#[test]
fn report_writes_pngs_and_an_index() {
    let dir = with_synth(3);
    let d = dir.path();
    let out = ok(
        d,
        &[
            "report",
            "data",
            "-o",
            "report",
            "--codec",
            "tables,lite,zstd",
        ],
    );
    assert!(out.contains("wrote report/ratio_ecdf.png"), "{out}");
    for stem in [
        "ratio_ecdf",
        "bits_over_time",
        "bits_vs_entropy",
        "residual_histogram",
        "code_widths",
    ] {
        let png = std::fs::read(d.join("report").join(format!("{stem}.png"))).unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "{stem}.png is a PNG");
        assert!(png.len() > 10_000, "{stem}.png is only {} bytes", png.len());
        let svg = std::fs::read_to_string(d.join("report").join(format!("{stem}.svg"))).unwrap();
        assert!(
            svg.contains("<svg") && svg.contains("<text"),
            "{stem}.svg has no text"
        );
    }
    let index = std::fs::read_to_string(d.join("report/index.html")).unwrap();
    assert!(index.contains("ratio_ecdf.png") && index.contains("<td>tables</td>"));
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("report/summary.json")).unwrap())
            .unwrap();
    assert_eq!(summary["files"], 3);
}
