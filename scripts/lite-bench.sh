#!/usr/bin/env bash
# Bench of the `lite` (implant) profile: instructions per sample, an energy
# estimate, and the compression ratio with its train / held-out split.
#
#   scripts/lite-bench.sh [RECORDING.wav] [DATA_DIR]
#
# RECORDING defaults to the first WAV of DATA_DIR; DATA_DIR defaults to
# $BRAINWIRE_DATA. Needs valgrind (callgrind) and cargo; builds into
# ${LITE_BENCH_TARGET:-/tmp/brainwire-lite-bench}, never touching ./encode.
#
# Reports:
# 1. whole-program instructions (callgrind) of `encode-lite IN OUT`
#    and of `decode-lite OUT BACK` over one recording, divided by its samples: the
#    challenge binaries as built (opt-level z), file I/O, WAV parsing, lattice
#    detection and container CRC included;
# 2. the codec alone: callgrind's inclusive count of a function that runs
#    lite::Encoder (resp. lite::Decoder) over the recording, built like the
#    challenge binaries (opt-level z) and at opt-level 3, table setup included;
#    and the implant's path: ADC codes in, shared codebook (setup excluded);
# 3. energy: codec instructions/sample x 19531 samples/s x pJ/instruction,
#    per channel and for 1024 channels (assumptions printed with the numbers);
# 4. with DATA_DIR: bits/sample and ratio over all its WAVs, split as `train`
#    splits them (sorted index % 4 == 0 held out), 16 bytes of container per
#    file counted.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
target="${LITE_BENCH_TARGET:-/tmp/brainwire-lite-bench}"
data="${2:-${BRAINWIRE_DATA:-}}"
wav="${1:-}"
if [[ -z "$wav" && -n "$data" ]]; then
    wav="$(ls "$data"/*.wav | sort | head -n 1)"
fi
if [[ -z "$wav" || ! -f "$wav" ]]; then
    echo "usage: $0 RECORDING.wav [DATA_DIR]   (or set BRAINWIRE_DATA)" >&2
    exit 1
fi
command -v valgrind >/dev/null || { echo "lite-bench: valgrind not found" >&2; exit 1; }
mkdir -p "$target"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# Samples: the data chunk of a canonical 44-byte-header mono 16-bit WAV.
samples=$(( ($(stat -c %s "$wav") - 44) / 2 ))

ir() { # total instructions of a callgrind run: ir OUTFILE CMD...
    local out="$1"; shift
    valgrind --tool=callgrind --callgrind-out-file="$out" "$@" 2>&1 >/dev/null | sed -n 's/.*Collected : //p'
}
per_sample() { awk -v a="$1" -v n="$samples" 'BEGIN { printf "%.1f", a / n }'; }

echo "== lite bench: $(basename "$wav") ($samples samples, $(stat -c %s "$wav") bytes)"

# 1. Whole challenge binaries.
cargo build -q --release --manifest-path "$root/challenge/Cargo.toml" --target-dir "$target/challenge"
enc="$target/challenge/release/encode-lite"
dec="$target/challenge/release/decode-lite"
e_ir=$(ir "$work/enc.cg" "$enc" "$wav" "$work/x.bw")
d_ir=$(ir "$work/dec.cg" "$dec" "$work/x.bw" "$work/x.wav")
cmp -s "$wav" "$work/x.wav" || { echo "lite-bench: round trip through ./encode-lite / ./decode-lite differs" >&2; exit 1; }
echo "whole program (challenge binaries, opt-level z):"
echo "  encode-lite:           $e_ir instructions = $(per_sample "$e_ir") /sample  ($(stat -c %s "$work/x.bw") bytes out)"
echo "  decode-lite:           $d_ir instructions = $(per_sample "$d_ir") /sample"

# 2. The codec alone, in a throwaway harness crate.
mkdir -p "$work/harness/src"
cat > "$work/harness/Cargo.toml" <<EOF
[package]
name = "lite-harness"
version = "0.0.0"
edition = "2021"
publish = false
[dependencies]
brainwire-core = { path = "$root/crates/brainwire-core", features = ["alloc"] }
[profile.release]
lto = true
codegen-units = 1
panic = "abort"
[workspace]
EOF
cat > "$work/harness/src/main.rs" <<'EOF'
//! Runs the lite codec over one recording (or a directory) for the bench.
use brainwire_core::lite::{ChannelEncoder, Codebook, Decoder, Encoder};
use brainwire_core::{decode_all, encode_all, AdcLattice, Profile};

fn samples(path: &std::path::Path) -> Vec<i16> {
    let raw = std::fs::read(path).unwrap();
    raw[44..].chunks_exact(2).map(|c| i16::from_le_bytes([c[0], c[1]])).collect()
}

#[inline(never)]
fn encode_recording(lattice: AdcLattice, s: &[i16], out: &mut Vec<u8>) {
    let mut e = Encoder::new(lattice);
    e.push_all(s, out);
    e.finish(out);
}

/// The radio's buffer on an implant: fixed memory, words stored in place
/// (a `Vec` grows and checks capacity through a call per word, ~15
/// instructions a sample that no implant pays).
struct RadioBuffer {
    bytes: Vec<u8>,
    len: usize,
}

impl brainwire_core::ByteSink for RadioBuffer {
    fn put(&mut self, byte: u8) {
        if let Some(b) = self.bytes.get_mut(self.len) {
            *b = byte;
            self.len += 1;
        }
    }

    #[inline(always)]
    fn put2(&mut self, word: [u8; 2]) {
        if let Some(w) = self.bytes.get_mut(self.len..self.len + 2) {
            w.copy_from_slice(&word);
            self.len += 2;
        }
    }
}

/// The implant's path: ADC codes in (no value-to-code lookup), one channel
/// state, a codebook built once and shared by all channels (not counted),
/// bytes into a fixed buffer.
#[inline(never)]
fn implant_channel(codebook: &Codebook, lattice: AdcLattice, codes: &[u16], out: &mut RadioBuffer) {
    let mut e = ChannelEncoder::new(lattice);
    for &c in codes {
        e.push_code(codebook, c, out);
    }
    e.finish(out);
}

#[inline(never)]
fn decode_recording(lattice: AdcLattice, p: &[u8], out: &mut [i16]) {
    let mut d = Decoder::new(lattice, p);
    d.decode_into(out).unwrap();
    d.finish().unwrap();
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args[1] == "ratio" {
        let mut paths: Vec<_> = std::fs::read_dir(&args[2]).unwrap().map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "wav")).collect();
        paths.sort();
        // [train, held-out]: raw bytes, coded bytes (+16 container), samples, files
        let mut acc = [(0u64, 0u64, 0u64, 0u64); 2];
        for (i, p) in paths.iter().enumerate() {
            let s = samples(p);
            let mut out = Vec::new();
            encode_all(Profile::Lite, AdcLattice::detect(&s), &s, &mut out);
            let mut back = vec![0i16; s.len()];
            decode_all(&out, &mut back).unwrap();
            assert_eq!(back, s, "{p:?} does not round-trip");
            let a = &mut acc[usize::from(i % 4 == 0)];
            a.0 += std::fs::metadata(p).unwrap().len();
            a.1 += out.len() as u64 + 16;
            a.2 += s.len() as u64;
            a.3 += 1;
        }
        for (name, a) in ["train", "held-out"].iter().zip(acc) {
            println!("  {name:9} {:4} files  {:.4} bits/sample  ratio {:.4}", a.3, a.1 as f64 * 8.0 / a.2 as f64, a.0 as f64 / a.1 as f64);
        }
        let (raw, coded) = (acc[0].0 + acc[1].0, acc[0].1 + acc[1].1);
        println!("  all       {:4} files  ratio {:.4}  (with 60 KB of binaries: {:.4})", paths.len(), raw as f64 / coded as f64, raw as f64 / (coded + 60_000) as f64);
        return;
    }
    let s = samples(std::path::Path::new(&args[1]));
    let lattice = AdcLattice::detect(&s);
    let mut out = Vec::with_capacity(s.len() * 2);
    encode_recording(lattice, &s, &mut out);
    let mut back = vec![0i16; s.len()];
    decode_recording(lattice, &out, &mut back);
    assert_eq!(back, s);
    if lattice == AdcLattice::Neuralink10 && s.iter().all(|&v| lattice.code(v).is_some()) {
        let codes: Vec<u16> = s.iter().map(|&v| lattice.code(v).unwrap() as u16).collect();
        let codebook = Codebook::new();
        let mut implant = RadioBuffer { bytes: vec![0; out.len() + 16], len: 0 };
        implant_channel(&codebook, lattice, &codes, &mut implant);
        assert_eq!(implant.bytes[..implant.len], out[..]);
    }
}
EOF
echo "codec alone (lite::Encoder / lite::Decoder over the recording, table setup included):"
declare -A codec_enc
for opt in z 3; do
    CARGO_PROFILE_RELEASE_OPT_LEVEL=$opt CARGO_PROFILE_RELEASE_DEBUG=line-tables-only \
        cargo build -q --release --manifest-path "$work/harness/Cargo.toml" --target-dir "$target/harness-$opt"
    bin="$target/harness-$opt/release/lite-harness"
    ir "$work/h.cg" "$bin" "$wav" >/dev/null
    # The function's inclusive count (awk reads all of the input: no SIGPIPE).
    fn_ir() { callgrind_annotate --inclusive=yes "$work/h.cg" 2>/dev/null | awk -v f="lite_harness::$1 " 'index($0, f) && !n++ { gsub(",", "", $1); print $1 }'; }
    e=$(fn_ir encode_recording); d=$(fn_ir decode_recording); i=$(fn_ir implant_channel)
    if [[ -n "$i" ]]; then
        codec_enc[$opt]=$(per_sample "$i"); implant="$(per_sample "$i") /sample"
    else
        codec_enc[$opt]=$(per_sample "$e"); implant="n/a (recording not all on the 10-bit lattice)"
    fi
    echo "  opt-level $opt: encode $(per_sample "$e") /sample, decode $(per_sample "$d") /sample, implant path $implant"
done

# 3. Energy. The per-sample work on the implant is the codec alone, fed ADC
#    codes (ChannelEncoder::push_code with a shared codebook).
pj=${LITE_PJ_PER_INSTR:-20}
rate=19531
awk -v i="${codec_enc[z]}" -v pj="$pj" -v r="$rate" 'BEGIN {
    w = i * r * pj * 1e-12
    printf "energy (encoder, %.1f instr/sample, %d samples/s, %g pJ/instr):\n", i, r, pj
    printf "  per channel   %.1f uW  (%.2f nJ/sample)\n", w * 1e6, i * pj / 1000
    printf "  1024 channels %.1f mW\n", w * 1024 * 1e3
}'
cat <<EOF
  pJ/instr assumption ($pj, override with LITE_PJ_PER_INSTR): Ambiq Apollo3 Blue
  (Cortex-M4F) datasheet, ~6 uA/MHz running from flash at 3.3 V, i.e. ~20 pJ per
  cycle with ~1 instruction/cycle, memory included. Arm's Cortex-M0+ launch figure
  (9 uA/MHz, 90 nm LP, core only, ~1.2 V) gives ~11 pJ. x86-64 instruction counts
  stand in for Thumb-2 ones: the encoder loop is 32-bit integer code with table lookups,
  no division and no count-leading-zeros on the sample path (an M0+ has neither).
EOF

# 4. Ratio over a directory.
if [[ -n "$data" && -d "$data" ]]; then
    echo "ratio over $data (lite profile, round trip checked):"
    "$target/harness-3/release/lite-harness" ratio "$data"
fi
