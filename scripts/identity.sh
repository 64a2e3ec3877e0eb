#!/usr/bin/env bash
# Proves that a refactor changed no byte of any stream: builds BASE_REV (in a
# temporary git worktree) and the working tree, encodes every WAV of DATA_DIR
# with both builds and compares the outputs byte for byte. The working
# tree's decoders must also restore each input from the base build's stream.
#
#   scripts/identity.sh BASE_REV [DATA_DIR]
#
# What is compared:
# - every codec profile, by its id (the stream's first byte), through the
#   `brainwire` CLI (`encode --profile NAME`). Names change between
#   revisions (profile 3 was "max" before profile 4 took the name; it is
#   "max3" since), so each build's names are probed first: the name that
#   writes profile id K in the base is compared with the name that writes K
#   in the working tree. Ids only one build writes are left out, and said so.
# - the challenge executables: `./encode` without --profile (what the
#   challenge measures, restored by the new `./decode`) and `./encode-lite`
#   (restored by the new `./decode-lite`) where both builds have them.
#
# DATA_DIR defaults to $BRAINWIRE_DATA, else three synthetic recordings
# (`brainwire synth`). EVERY=N (default 1) takes every N-th file of the
# sorted list (a sample; the summary says how many). NAMES (default "lite
# tables max3 max4 max fast5 fast fast-widths") are the profile names probed. JOBS (default 2) files
# run at once. IDENTITY_BASE_TARGET (default: a temporary directory) keeps
# the base build for the next run. Exits non-zero at the first difference,
# naming the file and the profile.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
base="${1:?usage: $0 BASE_REV [DATA_DIR]}"
data="${2:-${BRAINWIRE_DATA:-}}"
names="${NAMES:-lite tables max3 max4 max fast5 fast fast-widths}"
every="${EVERY:-1}"
jobs="${JOBS:-2}"
cd "$root"
base_sha="$(git rev-parse --verify "$base^{commit}")"

work="$(mktemp -d)"
cleanup() {
    git -C "$root" worktree remove --force "$work/base" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

build() { # build TREE CHALLENGE_TARGET CLI_TARGET: the challenge executables and the CLI
    cargo build -q --release --manifest-path "$1/challenge/Cargo.toml" --target-dir "$2"
    cargo build -q --release --manifest-path "$1/Cargo.toml" -p brainwire-cli --target-dir "$3"
}
echo "identity: building base $base ($(git log -1 --format='%h %s' "$base_sha" | cut -c1-60))"
git worktree add -q --detach "$work/base" "$base_sha"
base_target="${IDENTITY_BASE_TARGET:-$work/b}"
build "$work/base" "$base_target/challenge" "$base_target/cli"
echo "identity: building the working tree"
# Into the working tree's own target dirs (build.sh's and cargo's), so that
# it rebuilds only what changed.
build "$root" "$root/challenge/target" "$root/target"
mkdir -p "$work/n"
ln -s "$root/challenge/target" "$work/n/challenge"
ln -s "$root/target" "$work/n/cli"
export B="$base_target" N="$work/n"

if [[ -z "$data" ]]; then
    data="$work/synth"
    "$N/cli/release/brainwire" synth -o "$data" --files 3 --seconds 1 --seed 5 > /dev/null
fi
[[ -d "$data" ]] || { echo "identity: $data is not a directory of WAVs" >&2; exit 1; }
ls "$data"/*.wav | sort | awk -v k="$every" '(NR - 1) % k == 0' > "$work/files"

# The profile id of a container's codec stream: the first byte after the
# header CRC (brainwire-container/FORMAT.md, kind 1).
stream_profile() {
    python3 - "$1" <<'EOF'
import sys
b = open(sys.argv[1], 'rb').read()
assert b[:2] == b'BW' and b[3] == 1, 'not a coded container'
pos = 9
def varint():
    global pos
    v, s = 0, 0
    while True:
        c = b[pos]; pos += 1
        v |= (c & 127) << s; s += 7
        if c < 128: return v
if b[8] == 0:
    varint()                 # sample rate
else:
    n = varint(); pos += n   # the verbatim prefix
varint()                     # sample count
n = varint(); pos += n + 4   # trailer, header CRC
print(b[pos])
EOF
}

# "ID:BASE_NAME:NEW_NAME" for every id both builds write.
probe="$(head -n 1 "$work/files")"
declare -A base_name new_name
for side in B N; do
    for name in $names; do
        out="$work/probe-$side.bw"
        "${!side}/cli/release/brainwire" encode --profile "$name" "$probe" -o "$out" --force > /dev/null 2>&1 || continue
        id="$(stream_profile "$out")"
        if [[ $side == B ]]; then base_name[$id]="$name"; else new_name[$id]="$name"; fi
    done
done
profiles=""
for id in $(printf '%s\n' "${!base_name[@]}" "${!new_name[@]}" | sort -un); do
    if [[ -n "${base_name[$id]:-}" && -n "${new_name[$id]:-}" ]]; then
        profiles="$profiles $id:${base_name[$id]}:${new_name[$id]}"
    else
        echo "identity: profile $id is written by one build only (base '${base_name[$id]:-}', new '${new_name[$id]:-}'): not compared"
    fi
done
execs=""
for exe in encode encode-lite; do
    if [[ -x "$B/challenge/release/$exe" && -x "$N/challenge/release/$exe" ]]; then execs="$execs $exe"; fi
done

# One file, everything compared: a line per comparison, fails on a difference.
check_one() {
    local wav="$1" tmp
    tmp="$(mktemp -d)"
    trap 'rm -rf "$tmp"' RETURN
    for p in $PROFILES; do
        IFS=: read -r id bn nn <<< "$p"
        "$B/cli/release/brainwire" encode --profile "$bn" "$wav" -o "$tmp/base.bw" --force > /dev/null
        "$N/cli/release/brainwire" encode --profile "$nn" "$wav" -o "$tmp/new.bw" --force > /dev/null
        cmp -s "$tmp/base.bw" "$tmp/new.bw" || { echo "DIFFERENT profile-$id $(basename "$wav")"; return 1; }
        "$N/cli/release/brainwire" decode "$tmp/base.bw" -o "$tmp/back.wav" --force > /dev/null
        cmp -s "$wav" "$tmp/back.wav" || { echo "NOT-RESTORED profile-$id $(basename "$wav")"; return 1; }
        echo "same profile-$id $(stat -c %s "$tmp/new.bw")"
    done
    for exe in $EXECS; do
        "$B/challenge/release/$exe" "$wav" "$tmp/base.bw"
        "$N/challenge/release/$exe" "$wav" "$tmp/new.bw"
        cmp -s "$tmp/base.bw" "$tmp/new.bw" || { echo "DIFFERENT ./$exe $(basename "$wav")"; return 1; }
        "$N/challenge/release/${exe/encode/decode}" "$tmp/base.bw" "$tmp/back.wav"
        cmp -s "$wav" "$tmp/back.wav" || { echo "NOT-RESTORED ./$exe $(basename "$wav")"; return 1; }
        echo "same ./$exe $(stat -c %s "$tmp/new.bw")"
    done
}
export -f check_one
export PROFILES="$profiles" EXECS="$execs"

log="$work/log"
files=$(wc -l < "$work/files")
total=$(ls "$data"/*.wav | wc -l)
echo "identity: $files of $total files (every $every-th) x profiles {$profiles } (id:base name:new name) x executables {$execs } with $jobs jobs"
if ! xargs -P "$jobs" -I{} bash -c 'set -eu; check_one "$1"' _ {} < "$work/files" > "$log"; then
    grep -v '^same' "$log" >&2 || true
    echo "identity: FAILED: the working tree writes other bytes than $base" >&2
    exit 1
fi
for p in $profiles; do
    IFS=: read -r id bn nn <<< "$p"
    awk -v p="profile-$id" -v n="($bn / $nn)" '$1 == "same" && $2 == p { k++; b += $3 } END { printf "identity: %-10s %-13s %4d files identical, %d bytes of streams\n", p, n, k, b }' "$log"
done
for exe in $execs; do
    awk -v p="./$exe" '$1 == "same" && $2 == p { k++; b += $3 } END { printf "identity: %-24s %4d files identical, %d bytes of streams\n", p, k, b }' "$log"
done
echo "identity: OK: every stream of $files files is byte-identical to $base's, and decodes to its input"
