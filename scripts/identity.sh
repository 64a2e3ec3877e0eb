#!/usr/bin/env bash
# Proves that a refactor changed no byte of any stream: builds the challenge
# executables of BASE_REV (in a temporary git worktree) and of the working
# tree, encodes every WAV of DATA_DIR with every profile with both builds,
# and compares the outputs byte for byte. The working tree's decoder must
# also restore each input from the base build's stream.
#
#   scripts/identity.sh BASE_REV [DATA_DIR]
#
# DATA_DIR defaults to $BRAINWIRE_DATA, else three synthetic recordings
# (`brainwire synth`). PROFILES (default "default lite tables max";
# "default" is `encode` without --profile) lists what is compared: only
# profiles both builds know. JOBS (default 2) files run at once. Exits
# non-zero at the first difference, naming the file and the profile.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
base="${1:?usage: $0 BASE_REV [DATA_DIR]}"
data="${2:-${BRAINWIRE_DATA:-}}"
profiles="${PROFILES:-default lite tables max}"
jobs="${JOBS:-2}"
cd "$root"
base_sha="$(git rev-parse --verify "$base^{commit}")"

work="$(mktemp -d)"
cleanup() {
    git -C "$root" worktree remove --force "$work/base" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

echo "identity: building base $base ($(git log -1 --format='%h %s' "$base_sha" | cut -c1-60))"
git worktree add -q --detach "$work/base" "$base_sha"
cargo build -q --release --manifest-path "$work/base/challenge/Cargo.toml" --target-dir "$work/target-base"
echo "identity: building the working tree"
cargo build -q --release --manifest-path "$root/challenge/Cargo.toml" --target-dir "$work/target-new"
export BASE_ENC="$work/target-base/release/encode" NEW_ENC="$work/target-new/release/encode"
export NEW_DEC="$work/target-new/release/decode"

if [[ -z "$data" ]]; then
    cargo build -q --release -p brainwire-cli
    data="$work/synth"
    target/release/brainwire synth -o "$data" --files 3 --seconds 1 --seed 5 > /dev/null
fi
[[ -d "$data" ]] || { echo "identity: $data is not a directory of WAVs" >&2; exit 1; }

# One file, every profile: prints a line per profile compared, fails on a
# difference.
check_one() {
    local wav="$1" profiles="$2" tmp
    tmp="$(mktemp -d)"
    trap 'rm -rf "$tmp"' RETURN
    for p in $profiles; do
        local args=()
        [[ "$p" == default ]] || args=(--profile "$p")
        "$BASE_ENC" "${args[@]}" "$wav" "$tmp/base.bw"
        "$NEW_ENC" "${args[@]}" "$wav" "$tmp/new.bw"
        cmp -s "$tmp/base.bw" "$tmp/new.bw" || { echo "DIFFERENT $p $(basename "$wav")"; return 1; }
        "$NEW_DEC" "$tmp/base.bw" "$tmp/back.wav"
        cmp -s "$wav" "$tmp/back.wav" || { echo "NOT-RESTORED $p $(basename "$wav")"; return 1; }
        echo "same $p $(stat -c %s "$tmp/new.bw")"
    done
}
export -f check_one

# A profile the base build does not know is left out, and said so.
known=""
for p in $profiles; do
    probe="$work/probe.bw"
    first="$(ls "$data"/*.wav | sort | awk "NR == 1")"
    args=(); [[ "$p" == default ]] || args=(--profile "$p")
    if "$BASE_ENC" "${args[@]}" "$first" "$probe" 2>/dev/null; then known="$known $p"; else echo "identity: base does not know profile $p: not compared"; fi
done

log="$work/log"
files=$(ls "$data"/*.wav | wc -l)
echo "identity: $files files x profiles{$known } with $jobs jobs"
if ! ls "$data"/*.wav | sort | xargs -P "$jobs" -I{} bash -c 'set -eu; check_one "$1" "$2"' _ {} "$known" > "$log"; then
    grep -v '^same' "$log" >&2 || true
    echo "identity: FAILED: the working tree writes other bytes than $base" >&2
    exit 1
fi
for p in $known; do
    awk -v p="$p" '$1 == "same" && $2 == p { n++; b += $3 } END { printf "identity: %-8s %4d files identical, %d bytes of streams\n", p, n, b }' "$log"
done
echo "identity: OK: every stream of $files files is byte-identical to $base's, and decodes to its input"
