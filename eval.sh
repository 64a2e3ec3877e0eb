#!/usr/bin/env bash
# The challenge's evaluation: every recording goes through ./encode and
# ./decode, must come back byte for byte, and the score is
#     total original bytes / (total compressed bytes + size of ./encode + ./decode)
#
# usage: ./eval.sh [data.zip | directory of .wav files]     (default ./data.zip)
# Without an argument and without ./data.zip, it evaluates 20 synthetic
# recordings from `brainwire synth` instead (and says so). Runs one job per
# core. Exit status: 0 if every file round-tripped, 1 otherwise.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
src="${1:-}"
# Resolve the argument before anything changes directory.
[ -n "$src" ] && src="$(cd "$(dirname "$src")" && pwd)/$(basename "$src")"

for bin in encode decode; do
    if [ ! -x "$here/$bin" ]; then
        echo "eval.sh: $here/$bin is missing; run ./build.sh first" >&2
        exit 1
    fi
done

tmp="$(mktemp -d "${TMPDIR:-/tmp}/brainwire-eval.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT

if [ -z "$src" ] && [ -f "$here/data.zip" ]; then
    src="$here/data.zip"
fi
if [ -z "$src" ]; then
    synth="${CARGO_TARGET_DIR:-$here/target}/release/brainwire"
    if [ ! -x "$synth" ]; then
        echo "eval.sh: no ./data.zip and no $synth to make synthetic data; run ./build.sh" >&2
        exit 1
    fi
    echo "No ./data.zip: evaluating 20 synthetic recordings (brainwire synth --seed 1), not the challenge data."
    "$synth" synth -o "$tmp/data" --files 20 --seconds 5 --seed 1
    data="$tmp/data"
elif [ -d "$src" ]; then
    data="$src"
elif [ -f "$src" ]; then
    unzip -q "$src" -d "$tmp/unzipped"
    data="$tmp/unzipped"
else
    echo "eval.sh: $src: no such file or directory" >&2
    exit 1
fi

mkdir -p "$tmp/work"
find "$data" -type f -iname '*.wav' -print0 | sort -z > "$tmp/list"
count="$(tr -cd '\0' < "$tmp/list" | wc -c)"
if [ "$count" -eq 0 ]; then
    echo "eval.sh: no .wav files in $src" >&2
    exit 1
fi
echo "Evaluating $count recordings from ${src:-synthetic data} on $(nproc) cores..."

# Each job takes a batch of files and prints, per file, one line:
# "OK <original bytes> <compressed bytes>" or "FAIL <file>: <reason>".
# Batches and no command substitutions keep the per-file cost to the four
# processes that matter (encode, decode, cmp, stat).
export BW_WORK="$tmp/work" BW_BIN="$here"
job='
    packed="$BW_WORK/$$.bw"; restored="$BW_WORK/$$.wav"; err="$BW_WORK/$$.err"
    for f; do
        if ! "$BW_BIN/encode" "$f" "$packed" 2> "$err"; then
            echo "FAIL $f: encode failed: $(cat "$err")"; continue
        fi
        if ! "$BW_BIN/decode" "$packed" "$restored" 2> "$err"; then
            echo "FAIL $f: decode failed: $(cat "$err")"; continue
        fi
        if cmp -s "$f" "$restored"; then
            echo "OK" $(stat -c %s "$f" "$packed")
        else
            echo "FAIL $f: decoded file differs from the original"
        fi
    done
    rm -f "$packed" "$restored" "$err"
'
start="$(date +%s.%N)"
xargs -0 -P "$(nproc)" -n 16 bash -c "$job" _ < "$tmp/list" > "$tmp/results"
end="$(date +%s.%N)"

ok="$(grep -c '^OK ' "$tmp/results" || true)"
if [ "$ok" -ne "$count" ]; then
    echo "FAILED: $((count - ok)) of $count recordings did not round-trip:" >&2
    grep -v '^OK ' "$tmp/results" | head -20 >&2
    exit 1
fi

enc_size="$(stat -c %s "$here/encode")"
dec_size="$(stat -c %s "$here/decode")"
awk -v enc="$enc_size" -v dec="$dec_size" -v t0="$start" -v t1="$end" -v n="$count" '
    { raw += $2; packed += $3 }
    END {
        total = packed + enc + dec
        printf "All %d recordings successfully compressed and restored.\n", n
        printf "Original size (bytes): %d\n", raw
        printf "Compressed size (bytes): %d\n", packed
        printf "Executables (bytes): encode %d + decode %d = %d\n", enc, dec, enc + dec
        printf "Compressed + executables (bytes): %d\n", total
        printf "Data-only ratio: %.4f\n", raw / packed
        printf "Elapsed: %.1f s\n", t1 - t0
        printf "Compression ratio: %.2f\n", raw / total
    }' "$tmp/results"
