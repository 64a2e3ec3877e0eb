#!/usr/bin/env bash
# Checks that crates/brainwire-core/FORMAT.md and
# crates/brainwire-container/FORMAT.md describe what the code writes: an
# independent decoder of the lite profile, written in Python from those two
# documents alone (tools/spec/decode_lite.py), must restore every file that
# `./encode-lite` compressed, byte for byte; and the same for the fast
# profiles (tools/spec/decode_fast.py, `brainwire encode --profile fast`,
# `fast5`, `fast-widths` and `swift`).
#
#   scripts/spec-check.sh [DATA_DIR [N]]
#
# Without DATA_DIR it checks three synthetic recordings (`brainwire synth`);
# with it, also the first N (default 3) WAVs of DATA_DIR. Needs python3.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
cargo build -q --release -p brainwire-cli
cargo build -q --release --manifest-path challenge/Cargo.toml
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
target/release/brainwire synth -o "$work/in" --files 3 --seconds 1 --seed 5 > /dev/null
if [[ -n "${1:-}" ]]; then
    ls "$1"/*.wav | sort | head -n "${2:-3}" | while read -r f; do cp "$f" "$work/in/"; done
fi
n=0
for f in "$work"/in/*.wav; do
    challenge/target/release/encode-lite "$f" "$work/x.bw"
    python3 tools/spec/decode_lite.py "$work/x.bw" "$work/y.wav"
    cmp -s "$f" "$work/y.wav" || { echo "spec-check: $(basename "$f"): the Python decoder's output differs" >&2; exit 1; }
    n=$((n + 1))
done
echo "spec-check: $n recordings: the decoder written from FORMAT.md restored every one exactly"

# The fast profiles (ids 5, 6 and 8) and swift (9): tools/spec/decode_fast.py, from the same documents.
for profile in fast5 fast fast-widths swift; do
    n=0
    for f in "$work"/in/*.wav; do
        target/release/brainwire encode --profile "$profile" "$f" -o "$work/x.bw" --force > /dev/null 2>&1
        python3 tools/spec/decode_fast.py "$work/x.bw" "$work/y.wav"
        cmp -s "$f" "$work/y.wav" || { echo "spec-check: $(basename "$f"): the Python $profile decoder's output differs" >&2; exit 1; }
        n=$((n + 1))
    done
    echo "spec-check: $n recordings: the $profile decoder written from FORMAT.md restored every one exactly"
done
